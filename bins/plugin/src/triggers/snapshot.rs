//! The last-seen state of a ticket, kept in the trigger's state file so a change can be diffed into
//! old and new values after a restart. Compact on purpose: long details are kept as a hash.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use halo_model::Ticket;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::FieldChange;

/// Details longer than this are stored as a hash (their change is still detected).
pub const MAX_DETAILS_CHARS: usize = 2000;

/// Fields whose change is reported but not diffed on their own (derived from another field).
const DERIVED: &[&str] = &["status_name"];

/// Tracked fields of one ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snap {
    /// Halo's `last_update` when seen.
    pub last_update: Option<DateTime<Utc>>,
    /// Taken from a list row (no details / custom fields): fields it lacks are not diffed.
    #[serde(default)]
    pub partial: bool,
    /// Field → value (strings, numbers, booleans).
    pub fields: BTreeMap<String, Value>,
}

/// FNV-1a, stable across builds (std's hasher is not guaranteed to be).
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Snap {
    /// From a ticket read from Halo; `partial` for list rows.
    pub fn from_ticket(t: &Ticket, partial: bool) -> Self {
        let mut f = BTreeMap::new();
        let mut s = |k: &str, v: Option<Value>| {
            if let Some(v) = v.filter(|v| !v.is_null()) {
                f.insert(k.to_string(), v);
            }
        };
        s("summary", t.summary.clone().map(Value::from));
        if !partial {
            let details = t
                .details_html
                .as_deref()
                .or(t.details.as_deref())
                .unwrap_or_default();
            let details = if details.chars().count() > MAX_DETAILS_CHARS {
                format!("(long text, hash {:016x})", fnv(details))
            } else {
                details.to_string()
            };
            s("details", Some(details.into()));
        }
        s("tickettype_id", t.tickettype_id.map(|i| i.get().into()));
        s("status_id", t.status_id.map(|i| i.get().into()));
        s("status_name", t.status_name.clone().map(Value::from));
        s("priority_id", t.priority_id.map(|i| i.get().into()));
        s("agent_id", t.agent_id.map(|i| i.get().into()));
        s("team_name", t.team.clone().map(Value::from));
        s("client_id", t.client_id.map(|i| i.get().into()));
        s("site_id", t.site_id.map(|i| i.get().into()));
        s("user_id", t.user_id.map(|i| i.get().into()));
        s("category", t.category_1.clone().map(Value::from));
        s("impact", t.impact.map(Value::from));
        s("urgency", t.urgency.map(Value::from));
        s("closed", t.hasbeenclosed.map(Value::from));
        s("onhold", t.onhold.map(Value::from));
        s(
            "deadlinedate",
            t.deadlinedate.map(|d| d.to_rfc3339().into()),
        );
        for c in t.customfields.iter().flatten() {
            let name = c
                .name
                .clone()
                .or_else(|| c.id.map(|i| i.to_string()))
                .unwrap_or_default();
            if !name.is_empty() {
                s(
                    &format!("cf:{name}"),
                    Some(
                        c.display
                            .clone()
                            .filter(|d| !d.is_empty())
                            .or_else(|| c.value_text())
                            .unwrap_or_default()
                            .into(),
                    ),
                );
            }
        }
        Self {
            last_update: t.last_update,
            partial,
            fields: f,
        }
    }

    /// A field as text.
    pub fn text(&self, k: &str) -> Option<String> {
        match self.fields.get(k)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The status id.
    pub fn status_id(&self) -> Option<u64> {
        self.fields.get("status_id").and_then(Value::as_u64)
    }

    /// Changed fields from `self` (old) to `new`. Fields the old snapshot never had are skipped when it
    /// was partial; empty and absent count as equal.
    pub fn diff(&self, new: &Snap) -> Vec<FieldChange> {
        let norm = |s: Option<String>| s.filter(|x| !x.is_empty());
        let mut keys: Vec<&String> = self.fields.keys().chain(new.fields.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| !DERIVED.contains(&k.as_str()))
            .filter(|k| !self.partial || self.fields.contains_key(*k))
            .filter_map(|k| {
                let (old, newv) = (norm(self.text(k)), norm(new.text(k)));
                (old != newv).then(|| FieldChange {
                    field: k.clone(),
                    old,
                    new: newv,
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    fn t(v: Value) -> Ticket {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn diff_reports_old_and_new() {
        let a = Snap::from_ticket(
            &t(
                json!({"id": 1, "summary": "a", "status_id": 1, "status_name": "New",
            "customfields": [{"id": 101, "name": "CFExternalKey", "value": "k"}]}),
            ),
            false,
        );
        let b = Snap::from_ticket(
            &t(
                json!({"id": 1, "summary": "b", "status_id": 2, "status_name": "In Progress", "agent_id": 4,
            "customfields": [{"id": 101, "name": "CFExternalKey", "value": "k2"}]}),
            ),
            false,
        );
        let d = a.diff(&b);
        let fields: Vec<&str> = d.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["agent_id", "cf:CFExternalKey", "status_id", "summary"]
        );
        assert_eq!(
            d[3],
            FieldChange {
                field: "summary".into(),
                old: Some("a".into()),
                new: Some("b".into())
            }
        );
        assert_eq!(d[0].old, None);
        assert!(a.diff(&a).is_empty());
    }

    #[test]
    fn partial_snapshots_skip_unknown_fields_and_long_details_hash() {
        let row = Snap::from_ticket(&t(json!({"id": 1, "summary": "a", "status_id": 1})), true);
        let full = Snap::from_ticket(
            &t(
                json!({"id": 1, "summary": "a", "status_id": 1, "details": "x".repeat(3000),
            "customfields": [{"id": 9, "name": "CFX", "value": "v"}]}),
            ),
            false,
        );
        assert!(row.diff(&full).is_empty());
        assert!(
            full.text("details")
                .unwrap()
                .starts_with("(long text, hash ")
        );
        let json = serde_json::to_string(&full).unwrap();
        assert!(json.len() < 400, "{json}");
    }
}
