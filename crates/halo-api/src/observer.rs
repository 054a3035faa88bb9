//! Metrics hooks: a small trait the plugin (or any service) installs on a client to count requests by route and
//! status, 429s, retries and time spent waiting on the limiter. The default does nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What one HTTP attempt produced.
#[derive(Debug, Clone, Copy)]
pub struct AttemptEvent {
    /// Route template, e.g. `/api/Tickets/{id}`.
    pub route: &'static str,
    /// Route name, e.g. `get_ticket`.
    pub name: &'static str,
    /// 1-based attempt number within the request.
    pub attempt: u32,
    /// HTTP status, or `None` when no response arrived.
    pub status: Option<u16>,
    /// Time from sending to the response head (or failure).
    pub latency: Duration,
}

/// Receives client events. All methods have no-op defaults; implement what you need. Calls happen inline on the
/// request's task, so keep them cheap (increment a counter, record a histogram).
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use halo_api::{AttemptEvent, Observer};
/// #[derive(Default)]
/// struct Count429(AtomicU64);
/// impl Observer for Count429 {
///     fn on_attempt(&self, e: &AttemptEvent) {
///         if e.status == Some(429) { self.0.fetch_add(1, Ordering::Relaxed); }
///     }
/// }
/// ```
pub trait Observer: Send + Sync + 'static {
    /// After every HTTP attempt (including retries and pages).
    fn on_attempt(&self, _event: &AttemptEvent) {}
    /// When an attempt had to wait for the rate limiter or the shared 429 pause (only called when it waited).
    fn on_limiter_wait(&self, _route: &'static str, _waited: Duration) {}
    /// When a 429 paused the client for `pause`.
    fn on_rate_limited(&self, _route: &'static str, _pause: Duration) {}
    /// When a failed attempt is about to be retried after `delay`.
    fn on_retry(&self, _route: &'static str, _attempt: u32, _delay: Duration) {}
}

/// The default observer: does nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopObserver;

impl Observer for NoopObserver {}

/// A ready-made observer with plain counters, handy for tests and simple metrics endpoints.
///
/// ```
/// use std::sync::Arc;
/// use halo_api::CountingObserver;
/// let counters = Arc::new(CountingObserver::default());
/// // HaloClient::builder().observer(counters.clone()) ...
/// assert_eq!(counters.attempts(), 0);
/// ```
#[derive(Debug, Default)]
pub struct CountingObserver {
    attempts: AtomicU64,
    responses_2xx: AtomicU64,
    rate_limited: AtomicU64,
    retries: AtomicU64,
    limiter_wait_ms: AtomicU64,
}

impl CountingObserver {
    /// HTTP attempts made.
    pub fn attempts(&self) -> u64 {
        self.attempts.load(Ordering::Relaxed)
    }
    /// Attempts answered with 2xx.
    pub fn successes(&self) -> u64 {
        self.responses_2xx.load(Ordering::Relaxed)
    }
    /// 429 answers.
    pub fn rate_limited(&self) -> u64 {
        self.rate_limited.load(Ordering::Relaxed)
    }
    /// Retries scheduled.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }
    /// Total time waited on the limiter and 429 pauses, in milliseconds.
    pub fn limiter_wait_ms(&self) -> u64 {
        self.limiter_wait_ms.load(Ordering::Relaxed)
    }
}

impl Observer for CountingObserver {
    fn on_attempt(&self, e: &AttemptEvent) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
        if e.status.is_some_and(|s| (200..300).contains(&s)) {
            self.responses_2xx.fetch_add(1, Ordering::Relaxed);
        }
    }
    fn on_limiter_wait(&self, _route: &'static str, waited: Duration) {
        let ms = u64::try_from(waited.as_millis()).unwrap_or(u64::MAX);
        self.limiter_wait_ms.fetch_add(ms, Ordering::Relaxed);
    }
    fn on_rate_limited(&self, _route: &'static str, _pause: Duration) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }
    fn on_retry(&self, _route: &'static str, _attempt: u32, _delay: Duration) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }
}
