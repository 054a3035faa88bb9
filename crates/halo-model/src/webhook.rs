//! Webhook deliveries — what Halo POSTs to a webhook's payload URL (halo-api.md §9.2).
//!
//! Halo is inconsistent about key case and id types in these bodies, so top-level keys are matched
//! case-insensitively (`Ticket`, `Event` …), ids read as numbers or strings, and unknown keys are kept.
//! "Event information only" payloads carry no `ticket`; fetch it by `object_id`. Batched deliveries are
//! arrays: use [`WebhookPayload::parse_batch`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::serde_util::normalise_case;
use crate::{Action, AgentId, Map, Ticket, TicketId, date, lenient};

const KNOWN_KEYS: &[&str] = &[
    "id",
    "webhook_id",
    "notification_id",
    "escmsg_id",
    "event",
    "message",
    "object_id",
    "agent_id",
    "timestamp",
    "ticket",
    "action",
];

/// One webhook delivery.
///
/// ```
/// use halo_model::WebhookPayload;
/// let p = WebhookPayload::parse(br#"{"id":"8e25bc7b-e07e-4102-9398-5d6647e1e79d","event":"ticket status changed",
///     "object_id":"4242","agent_id":3,"timestamp":"2026-09-25T06:41:08.7895915Z",
///     "Ticket":{"id":4242,"status_id":9,"hasbeenclosed":true}}"#).unwrap();
/// assert_eq!(p.ticket_id().unwrap().get(), 4242);
/// assert_eq!(p.ticket.as_ref().unwrap().hasbeenclosed, Some(true));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
pub struct WebhookPayload {
    /// Delivery id (a GUID).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Webhook configuration id (a GUID).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub webhook_id: Option<String>,
    /// Notification (event row) id.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_id: Option<i64>,
    /// Queued message id (a GUID).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub escmsg_id: Option<String>,
    /// Event name as a human string, e.g. `"ticket status changed"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub event: Option<String>,
    /// Event message.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    /// The object the event is about (the ticket number for ticket events).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub object_id: Option<i64>,
    /// Agent who caused the event.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent_id: Option<AgentId>,
    /// When the event happened.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<DateTime<Utc>>,
    /// The ticket, for payload types that include it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<Ticket>,
    /// The action, where applicable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

impl<'de> Deserialize<'de> for WebhookPayload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = Map::deserialize(d)?;
        normalise_case(&mut map, KNOWN_KEYS);
        WebhookPayload::deserialize(Value::Object(map)).map_err(serde::de::Error::custom)
    }
}

impl Serialize for WebhookPayload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WebhookPayload::serialize(self, s)
    }
}

impl WebhookPayload {
    /// Parses one delivery body.
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// Parses a body that is one delivery or a batch (array) of deliveries.
    pub fn parse_batch(body: &[u8]) -> Result<Vec<Self>, serde_json::Error> {
        serde_json::from_slice::<crate::OneOrMany<Self>>(body).map(crate::OneOrMany::into_vec)
    }

    /// The ticket the event concerns: the embedded ticket's id, else `object_id` (for ticket events).
    pub fn ticket_id(&self) -> Option<TicketId> {
        self.ticket.as_ref().map(|t| t.id).or_else(|| {
            self.object_id
                .and_then(|o| u64::try_from(o).ok())
                .filter(|o| *o > 0)
                .map(TicketId::new)
        })
    }
}
