//! Outcomes — Halo's action types (`GET /api/Outcome`, schema `TOutcome`).

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::{Map, OutcomeId, StatusId};

/// An action type such as "Private Note" or "Internal Note". To *use* one in a new action, see
/// [`crate::OutcomeRef`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Outcome id (`outcome_id` on actions). Stock tenants: 7 = "Internal Note".
    pub id: OutcomeId,
    /// The action name (Halo's key is `outcome`), usable as an action's `outcome`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub outcome: Option<String>,
    /// Button label.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub buttonname: Option<String>,
    /// Sort order.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub sequence: Option<i64>,
    /// Hidden from the agent UI.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub hidden: Option<bool>,
    /// Built-in system action code.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub systemid: Option<i64>,
    /// Status the action moves the ticket to.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub newstatus: Option<StatusId>,
    /// Whether the action is hidden from the end user by default.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub hidefromuser: Option<bool>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

impl Outcome {
    /// The action name (`outcome`), if present.
    pub fn name(&self) -> Option<&str> {
        self.outcome.as_deref()
    }
}
