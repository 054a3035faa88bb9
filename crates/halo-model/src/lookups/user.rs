//! End users / contacts (`GET /api/Users`, schema `Users`).

use serde::{Deserialize, Serialize};

use crate::custom_field::CustomField;
use crate::lenient;
use crate::{AgentId, ClientId, Map, SiteId, UserId};

/// An end user (contact). Also embedded as `user` in a ticket detail.
///
/// Halo sends `site_id` as a double (`18.0`) and `site_id_int` as an integer; both read as [`SiteId`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// User id (`user_id` on tickets).
    pub id: UserId,
    /// Display name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
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
    /// Email address.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub emailaddress: Option<String>,
    /// Phone number.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub phonenumber: Option<String>,
    /// Site (double on the wire).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub site_id: Option<SiteId>,
    /// Site, as Halo's integer copy.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub site_id_int: Option<SiteId>,
    /// Site name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub site_name: Option<String>,
    /// Client.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_id: Option<ClientId>,
    /// Client name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_name: Option<String>,
    /// Inactive user.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub inactive: Option<bool>,
    /// Linked agent account (`0` = none).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub linked_agent_id: Option<AgentId>,
    /// Custom field values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customfields: Option<Vec<CustomField>>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

impl User {
    /// The user's site, as a ticket for this user must carry it (Halo refuses a ticket that names a user
    /// without a site): `site_id`, else Halo's integer copy `site_id_int`; `0` means none.
    ///
    /// ```
    /// let u: halo_model::User = serde_json::from_value(serde_json::json!(
    ///     {"id": 12, "site_id": 2.0, "site_id_int": 2, "client_id": 1})).unwrap();
    /// assert_eq!(u.home_site().map(|s| s.get()), Some(2));
    /// assert_eq!(u.home_client().map(|c| c.get()), Some(1));
    /// let none: halo_model::User = serde_json::from_value(serde_json::json!({"id": 13, "site_id": 0})).unwrap();
    /// assert_eq!(none.home_site(), None);
    /// ```
    pub fn home_site(&self) -> Option<SiteId> {
        self.site_id
            .filter(|s| s.get() > 0)
            .or(self.site_id_int.filter(|s| s.get() > 0))
    }

    /// The user's client (`0` means none).
    pub fn home_client(&self) -> Option<ClientId> {
        self.client_id.filter(|c| c.get() > 0)
    }
}
