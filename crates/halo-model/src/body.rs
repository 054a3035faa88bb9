//! Helpers for Halo's request-body convention: every POST body is a JSON array.
//!
//! Halo accepts an array of records on every POST (create and update alike) and answers with the last
//! record processed (or all of them with `?returnall=true`, see [`crate::OneOrMany`]).

use serde::Serialize;

/// Wraps one record as a one-element array body: serialises as `[record]`.
///
/// ```
/// use halo_model::{TicketUpdate, TicketId, StatusId, body};
/// let u = TicketUpdate::new(TicketId::new(4242)).status(StatusId::new(9));
/// assert_eq!(serde_json::to_string(&body::one(&u)).unwrap(), r#"[{"id":4242,"status_id":9}]"#);
/// ```
pub fn one<T: Serialize>(record: &T) -> [&T; 1] {
    [record]
}

/// Wraps several records as one array body (Halo processes them in order).
pub fn many<T: Serialize>(records: &[T]) -> &[T] {
    records
}
