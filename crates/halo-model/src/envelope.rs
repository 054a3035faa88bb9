//! Halo's list envelopes and POST reply shapes.
//!
//! `GET` collections come back in several shapes (halo-api.md §3.4): a bare array (`/Status`,
//! `/TicketType`, `/Team`, `/Priority`, `/SLA`, `/Outcome`, `/FieldInfo`, unpaged `/Agent`) or an object
//! with the items under a named key and `record_count` (`tickets`, `actions`, `clients`, `sites`, `users`,
//! `attachments`, `appointments`, paged `/Agent` → `results`, …), with `page_no`/`page_size` echoed when
//! paging. [`ListEnvelope`] reads all of them with one rule: an array is the items; otherwise the first
//! known key that holds an array; otherwise the first array-valued property.
//!
//! `POST` replies are one object (the last record processed) or, with `?returnall=true`, an array:
//! [`OneOrMany`].

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::Map;

/// Item keys, most specific first. Any other array-valued property is used as a fallback.
pub const ITEM_KEYS: &[&str] = &[
    "tickets",
    "actions",
    "clients",
    "sites",
    "users",
    "results",
    "attachments",
    "appointments",
    "categories",
    "agents",
    "teams",
    "statuses",
    "records",
    "items",
    "data",
];

/// One page (or the whole) of a Halo list, whatever its shape.
///
/// ```
/// use halo_model::{ListEnvelope, Status, Ticket};
/// let page: ListEnvelope<Ticket> = serde_json::from_str(
///     r#"{"page_no":1,"page_size":100,"record_count":717,"tickets":[{"id":1},{"id":"2"}]}"#).unwrap();
/// assert_eq!((page.items.len(), page.record_count, page.page_no), (2, Some(717), Some(1)));
/// assert_eq!(page.items_key.as_deref(), Some("tickets"));
///
/// let bare: ListEnvelope<Status> = serde_json::from_str(r#"[{"id":1,"name":"New"}]"#).unwrap();
/// assert_eq!(bare.items[0].name.as_deref(), Some("New"));
/// assert_eq!(bare.record_count, None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ListEnvelope<T> {
    /// The items.
    pub items: Vec<T>,
    /// Total number of matching records (not the page size), when Halo sent it.
    pub record_count: Option<u64>,
    /// Page number echoed by Halo (1-based), when paging.
    pub page_no: Option<u64>,
    /// Page size echoed by Halo, when paging (Halo caps it at 100 silently).
    pub page_size: Option<u64>,
    /// The key the items were found under; `None` for a bare array.
    pub items_key: Option<String>,
    /// Other top-level keys of an enveloped reply (e.g. `ticket_id` of `/Actions`).
    pub extra: Map,
}

impl<T> Default for ListEnvelope<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            record_count: None,
            page_no: None,
            page_size: None,
            items_key: None,
            extra: Map::new(),
        }
    }
}

impl<T> ListEnvelope<T> {
    /// Whether the page holds no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Number of items on this page.
    pub fn len(&self) -> usize {
        self.items.len()
    }
}

impl<T> IntoIterator for ListEnvelope<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

fn count(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.0e15)
                .map(|f| {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let u = f as u64;
                    u
                })
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn items_from<T: DeserializeOwned, E: serde::de::Error>(
    key: Option<&str>,
    arr: Vec<Value>,
) -> Result<Vec<T>, E> {
    arr.into_iter()
        .enumerate()
        .map(|(i, v)| {
            T::deserialize(v).map_err(|e| match key {
                Some(k) => E::custom(format!("{k}[{i}]: {e}")),
                None => E::custom(format!("[{i}]: {e}")),
            })
        })
        .collect()
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for ListEnvelope<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Array(arr) => Ok(Self {
                items: items_from(None, arr)?,
                ..Self::default()
            }),
            Value::Object(mut map) => {
                let record_count = count(map.get("record_count"));
                let page_no = count(map.get("page_no"));
                let page_size = count(map.get("page_size"));
                let key = ITEM_KEYS
                    .iter()
                    .find(|k| map.get(**k).is_some_and(Value::is_array))
                    .map(|k| (*k).to_owned())
                    .or_else(|| {
                        map.iter()
                            .find(|(_, v)| v.is_array())
                            .map(|(k, _)| k.clone())
                    });
                let items = match &key {
                    Some(k) => match map.shift_remove(k) {
                        Some(Value::Array(arr)) => items_from(Some(k), arr)?,
                        _ => Vec::new(),
                    },
                    None if record_count.is_some() => Vec::new(),
                    None => {
                        let keys: Vec<&str> = map.keys().map(String::as_str).take(10).collect();
                        return Err(D::Error::custom(format!(
                            "expected a list (an array, or an object with record_count or an array property), \
                             got an object with keys {keys:?}"
                        )));
                    }
                };
                for k in ["record_count", "page_no", "page_size"] {
                    map.shift_remove(k);
                }
                Ok(Self {
                    items,
                    record_count,
                    page_no,
                    page_size,
                    items_key: key,
                    extra: map,
                })
            }
            other => Err(D::Error::custom(format!(
                "expected a list, got {}",
                kind(&other)
            ))),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A POST reply: one object (Halo's default — the last record processed) or an array
/// (`?returnall=true`).
///
/// ```
/// use halo_model::{OneOrMany, Ticket};
/// let one: OneOrMany<Ticket> = serde_json::from_str(r#"{"id": 9499}"#).unwrap();
/// assert_eq!(one.into_last().unwrap().id.get(), 9499);
/// let many: OneOrMany<Ticket> = serde_json::from_str(r#"[{"id": 1}, {"id": 2}]"#).unwrap();
/// assert_eq!(many.into_vec().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// An array of records.
    Many(Vec<T>),
    /// A single record.
    One(T),
}

impl<T> OneOrMany<T> {
    /// All records, in order.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }

    /// The last record (what Halo's single-object reply describes); `None` for an empty array.
    pub fn into_last(self) -> Option<T> {
        match self {
            OneOrMany::One(t) => Some(t),
            OneOrMany::Many(v) => v.into_iter().last(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::{Action, Agent, Attachment, Client, Site, Ticket, User};

    #[test]
    fn every_named_shape() {
        let a: ListEnvelope<Action> = serde_json::from_str(
            r#"{"ticket_id":4242,"record_count":2,"actions":[{"id":1},{"id":2}]}"#,
        )
        .unwrap();
        assert_eq!(
            (a.len(), a.record_count, a.extra["ticket_id"].as_u64()),
            (2, Some(2), Some(4242))
        );
        let c: ListEnvelope<Client> =
            serde_json::from_str(r#"{"record_count":1,"clients":[{"id":12,"name":"C"}]}"#).unwrap();
        assert_eq!(c.items[0].name.as_deref(), Some("C"));
        let s: ListEnvelope<Site> =
            serde_json::from_str(r#"{"record_count":1,"sites":[{"id":18,"client_id":12.0}]}"#)
                .unwrap();
        assert_eq!(s.items[0].client_id.map(|c| c.get()), Some(12));
        let u: ListEnvelope<User> =
            serde_json::from_str(r#"{"record_count":1,"users":[{"id":38,"site_id":18.0}]}"#)
                .unwrap();
        assert_eq!(u.items[0].site_id.map(|c| c.get()), Some(18));
        let r: ListEnvelope<Agent> =
            serde_json::from_str(r#"{"record_count":"1","results":[{"id":3}]}"#).unwrap();
        assert_eq!(
            (r.len(), r.record_count, r.items_key.as_deref()),
            (1, Some(1), Some("results"))
        );
        let at: ListEnvelope<Attachment> =
            serde_json::from_str(r#"{"attachments":[{"id":2967}]}"#).unwrap();
        assert_eq!((at.len(), at.record_count), (1, None));
    }

    #[test]
    fn unknown_key_falls_back_to_first_array() {
        let t: ListEnvelope<Ticket> =
            serde_json::from_str(r#"{"record_count":1,"whatever":[{"id":5}]}"#).unwrap();
        assert_eq!(t.items_key.as_deref(), Some("whatever"));
        assert_eq!(t.items[0].id.get(), 5);
    }

    #[test]
    fn known_key_beats_earlier_unknown_array() {
        let t: ListEnvelope<Ticket> =
            serde_json::from_str(r#"{"columns":[1,2],"record_count":1,"tickets":[{"id":5}]}"#)
                .unwrap();
        assert_eq!(t.items_key.as_deref(), Some("tickets"));
        assert_eq!(t.extra["columns"], serde_json::json!([1, 2]));
    }

    #[test]
    fn empty_and_invalid() {
        let e: ListEnvelope<Ticket> = serde_json::from_str(r#"{"record_count":0}"#).unwrap();
        assert!(e.is_empty());
        let err =
            serde_json::from_str::<ListEnvelope<Ticket>>(r#"{"error":"Forbidden"}"#).unwrap_err();
        assert!(err.to_string().contains("error"), "{err}");
        assert!(serde_json::from_str::<ListEnvelope<Ticket>>("\"Not Found\"").is_err());
        let err =
            serde_json::from_str::<ListEnvelope<Ticket>>(r#"{"tickets":[{"id":1},{"id":"x"}]}"#)
                .unwrap_err();
        assert!(err.to_string().contains("tickets[1]"), "{err}");
    }
}
