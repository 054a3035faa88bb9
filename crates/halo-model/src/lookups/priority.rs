//! Priorities (`GET /api/Priority`, schema `Policy`) and SLAs (`GET /api/SLA`).
//!
//! Priorities are SLA-scoped: a ticket's `sla_id` + `priority_id` select one Policy row, whose
//! `priorityid` is the ticket's `priority_id`. The Policy's own `id` is a GUID string that tickets never
//! reference.

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::{Map, PriorityId, SlaId};

/// A priority within one SLA (also embedded as `priority` in a ticket detail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    /// The Policy row's GUID, e.g. `"aeb80996-724c-e811-892e-b01041c8667a"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// The SLA this priority belongs to.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub slaid: Option<SlaId>,
    /// The value used as a ticket's `priority_id`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub priorityid: Option<PriorityId>,
    /// Display name, e.g. `"Low"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Fix time, in `fixunits`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixtime: Option<f64>,
    /// Units of `fixtime` (`"D"` days, `"H"` hours, …).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixunits: Option<String>,
    /// Response time, in `responseunits`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub responsetime: Option<f64>,
    /// Units of `responsetime`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub responseunits: Option<String>,
    /// Hidden from selection.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub ishidden: Option<bool>,
    /// Colour, e.g. `"#68bc00"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub colour: Option<String>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

/// A service-level agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sla {
    /// SLA id (`sla_id` on tickets).
    pub id: SlaId,
    /// Display name, e.g. `"Incident SLA"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Working-hours calendar.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub workday_id: Option<i64>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}
