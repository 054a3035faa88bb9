//! Clients (`GET /api/Client`, schema `Area`) and their sites (`GET /api/Site`, schema `Site`).

use serde::{Deserialize, Serialize};

use crate::custom_field::CustomField;
use crate::lenient;
use crate::{ClientId, Map, SiteId, SlaId};

/// A client (customer organisation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    /// Client id.
    pub id: ClientId,
    /// Name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Top-level (parent organisation) id.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub toplevel_id: Option<i64>,
    /// Top-level name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub toplevel_name: Option<String>,
    /// Inactive client.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub inactive: Option<bool>,
    /// VIP client.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_vip: Option<bool>,
    /// Custom field values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customfields: Option<Vec<CustomField>>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

/// A client site. Halo sends `client_id` as a double (`12.0`); it reads as a [`ClientId`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Site id.
    pub id: SiteId,
    /// Name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Owning client.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_id: Option<ClientId>,
    /// Owning client's name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_name: Option<String>,
    /// Display name "Client / Site".
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub clientsite_name: Option<String>,
    /// Inactive site.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub inactive: Option<bool>,
    /// Site SLA.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub sla_id: Option<SlaId>,
    /// Time zone name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub timezone: Option<String>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}
