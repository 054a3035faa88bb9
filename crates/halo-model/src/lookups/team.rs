//! Teams (`GET /api/Team`, schema `SectionDetail`).

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::{Map, TeamId};

/// A team. Tickets are *written* with the team's `name` (`team`), and read with both `team` and `team_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    /// Team id.
    pub id: TeamId,
    /// Team name — the value to send as a ticket's `team` or an action's `new_team`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Sort order.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub sequence: Option<i64>,
    /// Department id.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub department_id: Option<i64>,
    /// Department name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub department_name: Option<String>,
    /// Disabled team.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub inactive: Option<bool>,
    /// Used for tickets (as opposed to opportunities/projects).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub forrequests: Option<bool>,
    /// Team mailbox.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub emailaddress: Option<String>,
    /// Every other key Halo sent (including `agents[]` when requested).
    #[serde(flatten)]
    pub extra: Map,
}
