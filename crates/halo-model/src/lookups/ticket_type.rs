//! Ticket types (`GET /api/TicketType`, schema `RequestType`).

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::{AgentId, Map, PriorityId, SlaId, StatusId, TicketTypeId};

/// A ticket type ("Incident", "Service Request", …). Ids are tenant-specific.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketType {
    /// Ticket type id (`tickettype_id` on tickets).
    pub id: TicketTypeId,
    /// Display name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Usage, e.g. `"tickets"`.
    #[serde(
        rename = "use",
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub usage: Option<String>,
    /// Sort order.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub sequence: Option<i64>,
    /// Type group id.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_id: Option<i64>,
    /// Type group name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_name: Option<String>,
    /// Whether the type is shown.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub visible: Option<bool>,
    /// Whether agents may pick this type.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub agentscanselect: Option<bool>,
    /// ITIL request type code.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub itilrequesttype: Option<i64>,
    /// Status a new ticket of this type starts in.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub initial_status: Option<StatusId>,
    /// Default SLA.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_sla: Option<SlaId>,
    /// Default priority (within the default SLA).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_priority: Option<PriorityId>,
    /// Default team name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_team: Option<String>,
    /// Default agent.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_agent: Option<AgentId>,
    /// Workflow id.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub workflow_id: Option<i64>,
    /// Every other key Halo sent (including the per-type `fields` configuration).
    #[serde(flatten)]
    pub extra: Map,
}
