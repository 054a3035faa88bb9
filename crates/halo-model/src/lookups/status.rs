//! Ticket statuses (`GET /api/Status`, schema `TStatus`).

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::{Map, StatusId};

/// A ticket status.
///
/// Halo has **no** "closed" flag on a status; closed-ness is tenant configuration. See
/// [`Status::is_closed_with`] (preferred: pass the tenant's closed status ids) and the heuristic
/// [`Status::is_closed`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// Status id (`status_id` on tickets).
    pub id: StatusId,
    /// Display name, e.g. `"In Progress"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Short name / icon text.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub shortname: Option<String>,
    /// Halo's status `type` code (semantics undocumented).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_type: Option<i64>,
    /// Sort order.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub sequence: Option<i64>,
    /// Colour, e.g. `"#68bc00"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub colour: Option<String>,
    /// SLA behaviour of this status (hold/release).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub slaaction: Option<String>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

/// Status id that stock Halo tenants use for "Closed".
pub const STOCK_CLOSED_STATUS: StatusId = StatusId::new(9);

/// Status names treated as closed by the heuristic (compared case-insensitively, trimmed).
pub const CLOSED_STATUS_NAMES: &[&str] = &["closed", "resolved", "cancelled", "canceled"];

impl Status {
    /// Heuristic "is this a closed status?" for when the tenant's configuration is unknown.
    ///
    /// In order: an explicit boolean `is_closed` / `isclosed` / `closed` key, if the record carries one
    /// (Halo does not, but a simulator or a future Halo version may); otherwise id 9 (stock "Closed");
    /// otherwise the name is one of [`CLOSED_STATUS_NAMES`]. Tenants rename and add statuses, so prefer
    /// [`Status::is_closed_with`] with configured ids.
    ///
    /// ```
    /// use halo_model::Status;
    /// let s: Status = serde_json::from_str(r#"{"id": 18, "name": "Resolved"}"#).unwrap();
    /// assert!(s.is_closed());
    /// let s: Status = serde_json::from_str(r#"{"id": 2, "name": "In Progress"}"#).unwrap();
    /// assert!(!s.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        if let Some(flag) = self.explicit_closed_flag() {
            return flag;
        }
        if self.id == STOCK_CLOSED_STATUS {
            return true;
        }
        self.name.as_deref().map(str::trim).is_some_and(|n| {
            CLOSED_STATUS_NAMES
                .iter()
                .any(|c| n.eq_ignore_ascii_case(c))
        })
    }

    /// Closed-ness from the tenant's configured closed status ids. With an empty list this falls back
    /// to the heuristic [`Status::is_closed`].
    ///
    /// ```
    /// use halo_model::{Status, StatusId};
    /// let s: Status = serde_json::from_str(r#"{"id": 9, "name": "Closed"}"#).unwrap();
    /// // This tenant closes with 28 only:
    /// assert!(!s.is_closed_with(&[StatusId::new(28)]));
    /// assert!(s.is_closed_with(&[]));
    /// ```
    pub fn is_closed_with(&self, closed_ids: &[StatusId]) -> bool {
        if closed_ids.is_empty() {
            self.is_closed()
        } else {
            closed_ids.contains(&self.id)
        }
    }

    fn explicit_closed_flag(&self) -> Option<bool> {
        ["is_closed", "isclosed", "closed"]
            .iter()
            .find_map(|k| self.extra.get(*k).and_then(serde_json::Value::as_bool))
    }
}
