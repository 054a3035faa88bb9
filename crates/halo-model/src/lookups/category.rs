//! Ticket categories (`GET /api/Category`, schema `CategoryDetail`).

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::{CategoryId, Map, PriorityId, SlaId};

/// One category value. `value` is what a ticket stores in `category_N` (hierarchies use `>`, e.g.
/// `"Hardware>Laptop"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    /// Category row id (what the `category_N` ticket list filters take; see [`Category::category_id`]).
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

impl Category {
    /// The row id as a typed [`CategoryId`], for the `category_1`..`category_4` ticket list filters. `None` when
    /// Halo sent no id or a negative one.
    ///
    /// ```
    /// use halo_model::{Category, CategoryId};
    /// let c: Category = serde_json::from_str(r#"{"id": "4", "value": "Hardware>Laptop"}"#).unwrap();
    /// assert_eq!(c.category_id(), Some(CategoryId::new(4)));
    /// let none: Category = serde_json::from_str(r#"{"id": -1}"#).unwrap();
    /// assert_eq!(none.category_id(), None);
    /// ```
    pub fn category_id(&self) -> Option<CategoryId> {
        self.id
            .and_then(|raw| u64::try_from(raw).ok())
            .map(CategoryId::new)
    }
}
