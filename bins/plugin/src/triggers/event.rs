//! The typed event every trigger emits (and `parse_webhook` returns): which ticket, what kind of change,
//! the changed fields with old and new values, old and new status with the mapped InsightIDR /
//! InsightVM status, and a stable `event_id` a consumer can de-duplicate on.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

/// The three kinds of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A new ticket.
    Created,
    /// Tracked fields changed.
    Updated,
    /// The status changed.
    StatusChanged,
}

impl Kind {
    /// The trigger name (`ticket_created`, `ticket_updated`, `ticket_status_changed`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Created => "ticket_created",
            Kind::Updated => "ticket_updated",
            Kind::StatusChanged => "ticket_status_changed",
        }
    }
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// Output field name (as in the `ticket` type, custom fields as `cf:<name>`).
    pub field: String,
    /// Value before (absent when unset).
    pub old: Option<String>,
    /// Value after (absent when unset).
    pub new: Option<String>,
}

/// A status: id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    /// Status id.
    pub id: u64,
    /// Status name.
    pub name: String,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketEvent {
    /// Stable id: the same change always gets the same id, across restarts.
    pub event_id: String,
    /// Kind of change.
    pub kind: Kind,
    /// Ticket id.
    pub ticket_id: u64,
    /// Halo's `last_update` of the change.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Changed fields (updates; status changes list the status).
    pub changes: Vec<FieldChange>,
    /// Status before (status changes).
    pub old_status: Option<StatusRef>,
    /// Status after.
    pub new_status: Option<StatusRef>,
    /// The InsightIDR investigation status the new Halo status maps back to.
    pub insightidr_status: Option<String>,
    /// The InsightVM remediation status the new Halo status maps back to.
    pub insightvm_status: Option<String>,
    /// `poll` (triggers) or `webhook` (parse_webhook).
    pub source: &'static str,
}

/// `kind:ticket:last_update` — deterministic, so a re-derived event after a crash keeps its id.
pub fn event_id(kind: Kind, ticket: u64, at: Option<DateTime<Utc>>) -> String {
    let at = at.map_or_else(
        || "unknown".to_string(),
        |d| d.to_rfc3339_opts(SecondsFormat::Nanos, true),
    );
    format!("{}:{ticket}:{at}", kind.name())
}

fn put(m: &mut Map<String, Value>, k: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(k.into(), v);
    }
}

impl TicketEvent {
    /// The `ticket_event` output type.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("event_id".into(), self.event_id.clone().into());
        m.insert("event".into(), self.kind.name().into());
        m.insert("ticket_id".into(), self.ticket_id.into());
        put(
            &mut m,
            "occurred_at",
            self.occurred_at
                .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true).into()),
        );
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| {
                let mut o = Map::new();
                o.insert("field".into(), c.field.clone().into());
                put(&mut o, "old", c.old.clone().map(Value::from));
                put(&mut o, "new", c.new.clone().map(Value::from));
                Value::Object(o)
            })
            .collect();
        m.insert("changes".into(), Value::Array(changes));
        put(
            &mut m,
            "old_status_id",
            self.old_status.as_ref().map(|s| s.id.into()),
        );
        put(
            &mut m,
            "old_status_name",
            self.old_status.as_ref().map(|s| s.name.clone().into()),
        );
        put(
            &mut m,
            "new_status_id",
            self.new_status.as_ref().map(|s| s.id.into()),
        );
        put(
            &mut m,
            "new_status_name",
            self.new_status.as_ref().map(|s| s.name.clone().into()),
        );
        put(
            &mut m,
            "insightidr_status",
            self.insightidr_status.clone().map(Value::from),
        );
        put(
            &mut m,
            "insightvm_status",
            self.insightvm_status.clone().map(Value::from),
        );
        m.insert("source".into(), self.source.into());
        Value::Object(m)
    }

    /// The trigger's output: `ticket`, `event`, plus the community plugin's top-level names
    /// (`previous_status_id`, `old_status_id`, `new_status_id`) so its workflows port over.
    pub fn trigger_output(&self, ticket: Value) -> Value {
        let mut out = json!({"ticket": ticket, "event": self.to_value()});
        if let Some(o) = out.as_object_mut() {
            match self.kind {
                Kind::Created => {}
                Kind::Updated => put(
                    o,
                    "previous_status_id",
                    self.old_status.as_ref().map(|s| s.id.into()),
                ),
                Kind::StatusChanged => {
                    put(
                        o,
                        "old_status_id",
                        self.old_status.as_ref().map(|s| s.id.into()),
                    );
                    put(
                        o,
                        "new_status_id",
                        self.new_status.as_ref().map(|s| s.id.into()),
                    );
                }
            }
        }
        out
    }
}
