//! The request journal: every request the sim received (method, path, query, status, time, body excerpt),
//! for tests that count requests or assert what a client sent.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::faults::RequestMatcher;
use crate::lock;

/// Largest request body kept per entry.
const BODY_EXCERPT_LIMIT: usize = 1024 * 1024;

/// One received request.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct JournalEntry {
    /// Sequence number, starting at 1.
    pub seq: u64,
    /// HTTP method, upper case.
    pub method: String,
    /// Path exactly as sent (case preserved), without query.
    pub path: String,
    /// Raw query string without `?` (empty when none).
    pub query: String,
    /// Response status; `None` when the connection was dropped without a response.
    pub status: Option<u16>,
    /// Name of the injected fault, if any (`"status_503"`, `"latency"`, `"drop_before"`, `"drop_after_write"`).
    pub fault: Option<String>,
    /// Whether the rate limiter rejected it.
    pub rate_limited: bool,
    /// Sim time the request arrived.
    pub time: DateTime<Utc>,
    /// Time spent handling it (including injected latency).
    pub duration: Duration,
    /// Request body (UTF-8, up to 1 MiB); token requests have secrets replaced by `[redacted]`.
    pub body: Option<String>,
}

impl JournalEntry {
    /// First value of a query parameter (key compared case-insensitively, value percent-decoded).
    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.into_owned())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.body.as_deref()?).ok()
    }

    /// Whether this entry matches `"METHOD /path"` (same syntax as faults: `*` wildcards, case-insensitive).
    pub fn matches(&self, pattern: &str) -> bool {
        RequestMatcher::parse(pattern).matches(&self.method, &self.path)
    }
}

/// Shared journal; cloning shares it.
#[derive(Debug, Clone)]
pub struct Journal {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug)]
struct Inner {
    entries: VecDeque<JournalEntry>,
    capacity: usize,
    next_seq: u64,
}

impl Journal {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                entries: VecDeque::new(),
                capacity: capacity.max(1),
                next_seq: 1,
            })),
        }
    }

    pub(crate) fn push(&self, mut entry: JournalEntry) {
        let mut inner = lock(&self.inner);
        entry.seq = inner.next_seq;
        inner.next_seq += 1;
        if inner.entries.len() >= inner.capacity {
            inner.entries.pop_front();
        }
        inner.entries.push_back(entry);
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        lock(&self.inner).entries.iter().cloned().collect()
    }

    /// Entries matching `"METHOD /path"` (e.g. `"POST /api/Tickets"`, `"GET /api/Tickets/*"`, `"*"`).
    pub fn matching(&self, pattern: &str) -> Vec<JournalEntry> {
        let m = RequestMatcher::parse(pattern);
        lock(&self.inner)
            .entries
            .iter()
            .filter(|e| m.matches(&e.method, &e.path))
            .cloned()
            .collect()
    }

    /// Number of entries matching the pattern.
    pub fn count(&self, pattern: &str) -> usize {
        let m = RequestMatcher::parse(pattern);
        lock(&self.inner)
            .entries
            .iter()
            .filter(|e| m.matches(&e.method, &e.path))
            .count()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        lock(&self.inner).entries.len()
    }

    /// Whether the journal is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forget all entries.
    pub fn clear(&self) {
        lock(&self.inner).entries.clear();
    }
}

/// Token requests carry secrets; keep their shape for assertions but not the values.
pub(crate) fn redact_form(body: &str) -> String {
    url::form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| {
            let secret = matches!(
                k.as_ref(),
                "client_secret" | "password" | "refresh_token" | "code" | "code_verifier"
            );
            let v = if secret { "[redacted]".into() } else { v };
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn excerpt(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let cut = &bytes[..bytes.len().min(BODY_EXCERPT_LIMIT)];
    Some(String::from_utf8_lossy(cut).into_owned())
}
