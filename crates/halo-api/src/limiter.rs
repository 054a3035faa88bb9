//! Client-side request budget: a governor rate limiter every request (first tries, retries and pages alike) waits
//! on, plus a shared pause that one 429 sets for every caller of the client.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Jitter, Quota, RateLimiter};
use tokio::time::Instant;

/// The request budget of one client (all its clones share it).
///
/// Default: Halo's hosted budget, 300 requests per rolling 5 minutes, with a burst of 10. The limiter guarantees
/// at most `requests` in any `per` window: `burst` requests may go at once, the rest are spread evenly, so the
/// sustained rate is `(requests - burst) / per`. The default burst is about 3 % of the budget, which keeps the
/// sustained rate at ~97 % of it (a 10 % burst capped it at 90 %; see docs/benchmarks.md).
///
/// ```
/// use std::time::Duration;
/// use halo_api::RateLimit;
/// let self_hosted = RateLimit::new(1_000, Duration::from_secs(60)).burst(100);
/// assert_eq!(self_hosted.requests(), 1_000);
/// assert_eq!(RateLimit::default().requests(), 300);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimit {
    requests: u32,
    per: Duration,
    burst: u32,
    cool_down: Duration,
    max_pause: Duration,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            requests: 300,
            per: Duration::from_secs(300),
            burst: 10,
            cool_down: Duration::from_secs(30),
            max_pause: Duration::from_secs(300),
        }
    }
}

impl RateLimit {
    /// `requests` per `per` (both clamped to at least 1 / 1 ms), burst about 3 % of `requests` (at least 1).
    pub fn new(requests: u32, per: Duration) -> Self {
        let requests = requests.max(1);
        RateLimit {
            requests,
            per: per.max(Duration::from_millis(1)),
            burst: (requests / 30).max(1),
            ..RateLimit::default()
        }
    }

    /// How many requests may go at once (clamped to 1..=requests).
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst.clamp(1, self.requests);
        self
    }

    /// The pause after a 429 without `Retry-After` (default 30 s).
    pub fn cool_down(mut self, wait: Duration) -> Self {
        self.cool_down = wait;
        self
    }

    /// The longest pause a 429 can impose, whatever `Retry-After` says (default 5 min, Halo's window).
    pub fn max_pause(mut self, wait: Duration) -> Self {
        self.max_pause = wait;
        self
    }

    /// Requests per window.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// The window.
    pub fn per(&self) -> Duration {
        self.per
    }

    fn quota(&self) -> Quota {
        let burst = self.burst.clamp(1, self.requests);
        let spread = (self.requests - burst).max(1);
        let period = (self.per / spread).max(Duration::from_nanos(1));
        let burst_nz = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        match Quota::with_period(period) {
            Some(q) => q.allow_burst(burst_nz),
            None => Quota::per_second(NonZeroU32::MIN).allow_burst(burst_nz),
        }
    }

    /// The pause to apply for a 429 that carried `retry_after` (or none).
    pub(crate) fn pause_for(&self, retry_after: Option<Duration>) -> Duration {
        retry_after.unwrap_or(self.cool_down).min(self.max_pause)
    }
}

/// The shared limiter state of one client.
pub(crate) struct Limiter {
    governor: DefaultDirectRateLimiter,
    config: RateLimit,
    not_before: Mutex<Option<Instant>>,
}

impl Limiter {
    pub(crate) fn new(config: RateLimit) -> Self {
        Limiter {
            governor: RateLimiter::direct(config.quota()),
            config,
            not_before: Mutex::new(None),
        }
    }

    pub(crate) fn config(&self) -> &RateLimit {
        &self.config
    }

    /// Waits for a slot of the rate limiter; returns the time waited.
    pub(crate) async fn acquire(&self) -> Duration {
        let start = Instant::now();
        if self.governor.check().is_err() {
            self.governor
                .until_ready_with_jitter(Jitter::up_to(Duration::from_millis(50)))
                .await;
        }
        start.elapsed()
    }

    /// Remaining time of the shared 429 pause, if one is in force.
    pub(crate) fn pause_remaining(&self) -> Option<Duration> {
        let guard = self.not_before.lock().unwrap_or_else(|p| p.into_inner());
        let until = (*guard)?;
        let now = Instant::now();
        (until > now).then(|| until - now)
    }

    /// Pauses every caller for the 429's Retry-After (bounded) or the cool-down; returns the pause set.
    pub(crate) fn pause(&self, retry_after: Option<Duration>) -> Duration {
        let wait = self.config.pause_for(retry_after);
        let until = Instant::now() + wait;
        let mut guard = self.not_before.lock().unwrap_or_else(|p| p.into_inner());
        // Another caller's longer pause wins; a pause is never shortened.
        if guard.is_none_or(|current| current < until) {
            *guard = Some(until);
        }
        wait
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn pause_honours_retry_after_within_bounds() {
        let rl = RateLimit::default();
        assert_eq!(
            rl.pause_for(Some(Duration::from_secs(5))),
            Duration::from_secs(5)
        );
        assert_eq!(rl.pause_for(None), Duration::from_secs(30));
        assert_eq!(
            rl.pause_for(Some(Duration::from_secs(86_400))),
            Duration::from_secs(300)
        );
    }

    #[tokio::test]
    async fn burst_passes_without_waiting_and_pause_is_shared() {
        let limiter = Limiter::new(RateLimit::new(100, Duration::from_secs(60)).burst(10));
        for _ in 0..10 {
            assert!(limiter.acquire().await < Duration::from_millis(40));
        }
        assert!(
            limiter.governor.check().is_err(),
            "the 11th request must wait"
        );
        assert!(limiter.pause_remaining().is_none());
        limiter.pause(Some(Duration::from_secs(2)));
        limiter.pause(Some(Duration::from_secs(1)));
        let left = limiter.pause_remaining().unwrap();
        assert!(left > Duration::from_millis(1500), "{left:?}");
    }
}
