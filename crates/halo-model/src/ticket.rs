//! The ticket as Halo returns it (`GET /api/Tickets/{id}`, list rows, POST replies, webhook payloads).
//!
//! Halo's full ticket schema (`Faults`) has 800+ properties; [`Ticket`] types the ones integrations use
//! (halo-api.md §4.7) and keeps every other key, untouched, in [`Ticket::extra`]. Reading is lenient
//! (ids and numbers as numbers, numeric strings or doubles; `null` anywhere; sentinel dates → `None`).
//!
//! Halo spells some keys differently in GET and POST replies: `last_update`/`lastupdate` and
//! `category_1`/`category1` (…4) are both accepted. When only the alternative spelling is present it fills
//! the typed field (and is written back with the primary spelling); when both are present, the primary
//! wins and the alternative is kept in `extra`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::custom_field::CustomField;
use crate::lookups::{Priority, TicketType, User};
use crate::serde_util::normalise_aliases;
use crate::{
    AgentId, ClientId, Map, PriorityId, SiteId, SlaId, StatusId, TeamId, TicketId, TicketTypeId,
    UserId,
};
use crate::{date, lenient};

/// Alternative key spellings → the spelling [`Ticket`] uses.
const ALIASES: &[(&str, &str)] = &[
    ("lastupdate", "last_update"),
    ("category1", "category_1"),
    ("category2", "category_2"),
    ("category3", "category_3"),
    ("category4", "category_4"),
];

/// A tag on a ticket: read `{"id":0,"text":"bug"}`; written by [`crate::NewTicket::tag`] as `{"text":"bug"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// Tag id (Halo answers `0` for tags created with the ticket).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<i64>,
    /// Tag text.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub text: Option<String>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

/// A Halo ticket (read type). Unset fields are `None`; see the module docs for key spellings.
///
/// Serialising writes the typed fields that are `Some` (dates as [`date::format_halo`]) followed by
/// `extra`. Typed fields that were `null`, absent or a sentinel date are not written.
///
/// ```
/// use halo_model::{Ticket, TicketId};
/// let t: Ticket = serde_json::from_str(r#"{"id": "9499", "summary": "Printer jam",
///     "lastupdate": "2024-06-20T14:45:17.15Z", "targetdate": "1900-01-01T00:00:00", "opp_x": 1}"#).unwrap();
/// assert_eq!(t.id, TicketId::new(9499));
/// assert!(t.last_update.is_some());
/// assert!(t.targetdate.is_none());
/// assert_eq!(t.extra["opp_x"], 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct Ticket {
    /// Ticket number.
    pub id: TicketId,
    /// Display reference, e.g. `"IN-0009499"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub reference: Option<String>,
    /// Subject.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<String>,
    /// Body (plain text or HTML-ish).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub details: Option<String>,
    /// HTML body.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub details_html: Option<String>,
    /// Ticket type.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub tickettype_id: Option<TicketTypeId>,
    /// Ticket type name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub tickettype_name: Option<String>,
    /// Embedded ticket type (detail responses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tickettype: Option<TicketType>,
    /// Status.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_id: Option<StatusId>,
    /// Status name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_name: Option<String>,
    /// Priority within the ticket's SLA (= `Policy.priorityid`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority_id: Option<PriorityId>,
    /// Priority name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority_name: Option<String>,
    /// Embedded priority (detail responses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// SLA.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub sla_id: Option<SlaId>,
    /// SLA name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sla_name: Option<String>,
    /// Team name (the writable form).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub team: Option<String>,
    /// Team id (newer tenants).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub team_id: Option<TeamId>,
    /// Assigned agent.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent_id: Option<AgentId>,
    /// Assigned agent's name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent_name: Option<String>,
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
    /// Site.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub site_id: Option<SiteId>,
    /// Site name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub site_name: Option<String>,
    /// End user.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_id: Option<UserId>,
    /// End user's name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_name: Option<String>,
    /// End user's email.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub user_email: Option<String>,
    /// Embedded end user (detail responses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Reporter (often an email address).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub reportedby: Option<String>,
    /// Category 1 (also read from `category1`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category_1: Option<String>,
    /// Category 2 (also read from `category2`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category_2: Option<String>,
    /// Category 3 (also read from `category3`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category_3: Option<String>,
    /// Category 4 (also read from `category4`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category_4: Option<String>,
    /// Impact (lookup 12).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub impact: Option<i64>,
    /// Urgency (lookup 27).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub urgency: Option<i64>,
    /// Request source (lookup 22; API-created tickets default to "Manual").
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<i64>,
    /// Opened ("logged") date.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub dateoccurred: Option<DateTime<Utc>>,
    /// Creation date.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub datecreated: Option<DateTime<Utc>>,
    /// Closed date.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub dateclosed: Option<DateTime<Utc>>,
    /// Last action date.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub lastactiondate: Option<DateTime<Utc>>,
    /// Last update (also read from `lastupdate`; POST replies carry `flastupdate` instead, kept in `extra`).
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_update: Option<DateTime<Utc>>,
    /// Respond-by (SLA response target).
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub respondbydate: Option<DateTime<Utc>>,
    /// Fix-by (SLA resolution target).
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixbydate: Option<DateTime<Utc>>,
    /// Deadline.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub deadlinedate: Option<DateTime<Utc>>,
    /// Target date.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub targetdate: Option<DateTime<Utc>>,
    /// Follow-up date.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub followupdate: Option<DateTime<Utc>>,
    /// On hold.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub onhold: Option<bool>,
    /// The ticket has been closed — Halo's practical "closed" flag.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub hasbeenclosed: Option<bool>,
    /// Soft-deleted.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub deleted: Option<bool>,
    /// Excluded from SLA.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub excludefromsla: Option<bool>,
    /// Resolution text.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub closure_note: Option<String>,
    /// Resolution HTML.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub closure_note_html: Option<String>,
    /// Number of attachments.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub attachment_count: Option<i64>,
    /// Parent ticket.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub parent_id: Option<TicketId>,
    /// Custom field values (list rows only carry them when requested).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customfields: Option<Vec<CustomField>>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Every other key Halo sent, unchanged.
    // Filled by the `Deserialize` impl below from the keys the typed fields do not take.
    #[serde(flatten, skip_deserializing)]
    pub extra: Map,
}

/// Reads the body once into a map, takes the typed fields from it by reference and moves every other
/// key into `extra` (no second buffering of unknown keys, which `flatten` would do).
impl<'de> Deserialize<'de> for Ticket {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        static KNOWN: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
            std::sync::OnceLock::new();
        let mut map = Map::deserialize(d)?;
        normalise_aliases(&mut map, ALIASES);
        let value = Value::Object(map);
        let mut ticket = Ticket::deserialize(&value).map_err(serde::de::Error::custom)?;
        let known = KNOWN.get_or_init(|| {
            crate::serde_util::struct_fields::<TicketFieldsProbe>()
                .iter()
                .copied()
                .collect()
        });
        if let Value::Object(map) = value {
            ticket.extra = map
                .into_iter()
                .filter(|(k, _)| !known.contains(k.as_str()))
                .collect();
        }
        Ok(ticket)
    }
}

/// Lets [`crate::serde_util::struct_fields`] see the derived (remote) impl's field list.
struct TicketFieldsProbe;

impl<'de> Deserialize<'de> for TicketFieldsProbe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ticket::deserialize(d).map(|_| TicketFieldsProbe)
    }
}

impl Serialize for Ticket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Ticket::serialize(self, s)
    }
}

impl Ticket {
    /// Tag texts, in order.
    pub fn tag_texts(&self) -> Vec<&str> {
        self.tags
            .iter()
            .flatten()
            .filter_map(|t| t.text.as_deref())
            .collect()
    }

    /// The custom field with this API name (`CF…`), if present.
    pub fn custom_field(&self, name: &str) -> Option<&CustomField> {
        self.customfields
            .iter()
            .flatten()
            .find(|f| f.name.as_deref() == Some(name))
    }

    /// Whether the ticket is closed: `hasbeenclosed` when Halo sent it, else membership of `status_id`
    /// in the tenant's `closed_statuses`.
    pub fn is_closed_with(&self, closed_statuses: &[StatusId]) -> bool {
        match self.hasbeenclosed {
            Some(flag) => flag,
            None => self.status_id.is_some_and(|s| closed_statuses.contains(&s)),
        }
    }
}
