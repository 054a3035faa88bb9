//! Agents (`GET /api/Agent`, `GET /api/Agent/me`, schema `Uname`).

use serde::{Deserialize, Serialize};

use crate::lenient;
use crate::{AgentId, Map};

/// An agent (technician) account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    /// Agent id (`agent_id` on tickets).
    pub id: AgentId,
    /// Display name (the system "Unassigned" agent is a real record too).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Email address.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<String>,
    /// Default team name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub team: Option<String>,
    /// Disabled account.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub isdisabled: Option<bool>,
    /// Is an agent (not an end user).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_agent: Option<bool>,
    /// API-only agent.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub isapiagent: Option<bool>,
    /// Initials.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub initials: Option<String>,
    /// First name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub firstname: Option<String>,
    /// Surname.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub surname: Option<String>,
    /// Job title.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub jobtitle: Option<String>,
    /// Every other key Halo sent (`teams[]`, `roles[]`, …).
    #[serde(flatten)]
    pub extra: Map,
}
