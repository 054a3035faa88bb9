//! Ticket categories (`GET /api/Category`, schema `CategoryDetail`).

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::{Map, PriorityId, SlaId};

/// One category value. `value` is what a ticket stores in `category_N` (hierarchies use `>`, e.g.
/// `"Hardware>Laptop"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Category row id.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<i64>,
    /// The string stored on tickets.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<String>,
    /// Category list name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category_name: Option<String>,
    /// Category slot (1–4).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub type_id: Option<i64>,
    /// SLA applied by this category.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub sla_id: Option<SlaId>,
    /// Priority applied by this category.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority_id: Option<PriorityId>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}
