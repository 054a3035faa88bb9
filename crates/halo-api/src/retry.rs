//! The retry policy: which failures are retried for which kind of request, and the pure decision code that keeps
//! every request within its attempt and time budget. Sleeping happens in the client; delays come from backon's
//! exponential backoff with jitter.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// How failed requests are retried.
///
/// Defaults: 4 attempts in total, at most 60 s from the first attempt to the last retry's start, exponential
/// delays from 500 ms up to 20 s with jitter.
///
/// ```
/// use std::time::Duration;
/// use halo_api::RetryPolicy;
/// let policy = RetryPolicy::default().max_attempts(6).max_elapsed(Duration::from_secs(120));
/// assert_eq!(policy.attempts(), 6);
/// let none = RetryPolicy::none();
/// assert_eq!(none.attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    max_elapsed: Duration,
    min_delay: Duration,
    max_delay: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(60),
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (one attempt). A 401 still gets its one fresh-token retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Total attempts including the first (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Upper bound on the time from the first attempt to the start of the last one, waits included.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// First backoff delay.
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// Largest backoff delay (after jitter).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay.max(self.min_delay);
        self
    }

    /// Randomise delays (on by default, so that many clients do not retry in lock-step).
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// Total attempts allowed.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Time budget.
    pub fn elapsed_budget(&self) -> Duration {
        self.max_elapsed
    }

    /// The backoff schedule (backon): one delay per retry, `None` once retries are used up.
    pub(crate) fn backoff(&self) -> impl Iterator<Item = Duration> + Send + use<> {
        let mut builder = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .with_total_delay(Some(self.max_elapsed));
        if self.jitter {
            builder = builder.with_jitter();
        }
        builder.build()
    }

    /// Decides whether to retry after a failed attempt. Pure: no clock, no sleep.
    ///
    /// `attempts_made` counts attempts so far (≥ 1), `elapsed` is the time since the first attempt started,
    /// `next_backoff` is the backoff schedule's next delay (`None` once it is exhausted), and `at_least` is a wait
    /// imposed from outside (Retry-After or the shared 429 pause).
    pub(crate) fn decide(
        &self,
        attempts_made: u32,
        elapsed: Duration,
        retryable: bool,
        next_backoff: Option<Duration>,
        at_least: Option<Duration>,
    ) -> Decision {
        if !retryable {
            return Decision::GiveUp(GiveUpReason::NotRetryable);
        }
        if attempts_made >= self.max_attempts {
            return Decision::GiveUp(GiveUpReason::Attempts);
        }
        // The backon `adjust` gotcha, avoided: an exhausted schedule (None) must stop retries even when Halo sent a
        // Retry-After, or the loop would never end. So the imposed wait only ever *replaces* an existing delay.
        let Some(backoff) = next_backoff else {
            return Decision::GiveUp(GiveUpReason::Attempts);
        };
        let delay = backoff
            .min(self.max_delay)
            .max(at_least.unwrap_or(Duration::ZERO));
        match elapsed.checked_add(delay) {
            Some(end) if end <= self.max_elapsed => Decision::Retry(delay),
            _ => Decision::GiveUp(GiveUpReason::Time),
        }
    }
}

/// The outcome of [`RetryPolicy::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Retry(Duration),
    GiveUp(GiveUpReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GiveUpReason {
    NotRetryable,
    Attempts,
    Time,
}

/// Whether a request may be repeated without risk of a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Idempotency {
    /// Reads, updates (POST with `id`) and deletes: safe to repeat.
    Idempotent,
    /// Creates (POST without `id`): never repeated once Halo may have received them.
    Create,
}

/// What happened on one attempt, reduced to what the retry decision needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Halo answered with this status.
    Status(u16),
    /// The connection could not be made; nothing was sent.
    Connect,
    /// The request was (possibly) sent, then it timed out.
    Timeout,
    /// The request was (possibly) sent, then the connection failed.
    Dropped,
    /// No token could be had; nothing was sent to the resource server.
    Token { retryable: bool },
}

/// Which failures are retried: 429, 502, 503, 504, timeouts and connection errors for idempotent requests; for
/// creates only failures where nothing reached Halo (connect errors, 429 refusals, token fetch failures).
pub(crate) fn is_retryable(failure: Failure, idempotency: Idempotency) -> bool {
    match (failure, idempotency) {
        (Failure::Status(429), _) => true,
        (Failure::Status(502..=504), Idempotency::Idempotent) => true,
        (Failure::Status(_), _) => false,
        (Failure::Connect, _) => true,
        (Failure::Token { retryable }, _) => retryable,
        (Failure::Timeout | Failure::Dropped, Idempotency::Idempotent) => true,
        (Failure::Timeout | Failure::Dropped, Idempotency::Create) => false,
    }
}

/// Whether a create's failure leaves its outcome unknown (sent, no definite answer).
pub(crate) fn leaves_outcome_unknown(failure: Failure, idempotency: Idempotency) -> bool {
    idempotency == Idempotency::Create
        && matches!(
            failure,
            Failure::Timeout | Failure::Dropped | Failure::Status(502..=504)
        )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn creates_are_not_retried_once_sent() {
        assert!(!is_retryable(Failure::Timeout, Idempotency::Create));
        assert!(!is_retryable(Failure::Dropped, Idempotency::Create));
        assert!(!is_retryable(Failure::Status(503), Idempotency::Create));
        assert!(is_retryable(Failure::Connect, Idempotency::Create));
        assert!(is_retryable(Failure::Status(429), Idempotency::Create));
        assert!(leaves_outcome_unknown(
            Failure::Timeout,
            Idempotency::Create
        ));
        assert!(!leaves_outcome_unknown(
            Failure::Timeout,
            Idempotency::Idempotent
        ));
    }

    #[test]
    fn reads_retry_the_documented_statuses_only() {
        for s in [429, 502, 503, 504] {
            assert!(
                is_retryable(Failure::Status(s), Idempotency::Idempotent),
                "{s}"
            );
        }
        for s in [400, 401, 403, 404, 500, 501] {
            assert!(
                !is_retryable(Failure::Status(s), Idempotency::Idempotent),
                "{s}"
            );
        }
    }

    #[test]
    fn exhausted_backoff_stops_even_with_retry_after() {
        let p = RetryPolicy::default();
        let d = p.decide(1, Duration::ZERO, true, None, Some(Duration::from_secs(1)));
        assert_eq!(d, Decision::GiveUp(GiveUpReason::Attempts));
    }

    #[test]
    fn retry_after_beyond_budget_gives_up() {
        let p = RetryPolicy::default().max_elapsed(Duration::from_secs(10));
        let d = p.decide(
            1,
            Duration::ZERO,
            true,
            Some(Duration::from_secs(1)),
            Some(Duration::from_secs(30)),
        );
        assert_eq!(d, Decision::GiveUp(GiveUpReason::Time));
    }

    proptest! {
        /// Driving the decision loop with arbitrary attempt durations and imposed waits never exceeds the attempt
        /// or time bounds.
        #[test]
        fn never_exceeds_bounds(
            max_attempts in 1u32..10,
            budget_ms in 0u64..120_000,
            min_ms in 0u64..5_000,
            max_ms in 0u64..60_000,
            jitter in any::<bool>(),
            durations in proptest::collection::vec(0u64..20_000, 1..12),
            imposed in proptest::collection::vec(proptest::option::of(0u64..90_000), 12),
        ) {
            let p = RetryPolicy::default()
                .max_attempts(max_attempts)
                .max_elapsed(Duration::from_millis(budget_ms))
                .min_delay(Duration::from_millis(min_ms))
                .max_delay(Duration::from_millis(max_ms))
                .jitter(jitter);
            let mut backoff = p.backoff();
            let mut attempts = 0u32;
            let mut elapsed = Duration::ZERO;
            let mut last_start = Duration::ZERO;
            for (i, d) in durations.iter().cycle().take(50).enumerate() {
                attempts += 1;
                last_start = elapsed;
                elapsed += Duration::from_millis(*d);
                let wait = imposed[i % imposed.len()].map(Duration::from_millis);
                match p.decide(attempts, elapsed, true, backoff.next(), wait) {
                    Decision::Retry(delay) => {
                        if let Some(w) = wait { prop_assert!(delay >= w); }
                        elapsed += delay;
                        prop_assert!(elapsed <= p.elapsed_budget());
                    }
                    Decision::GiveUp(_) => break,
                }
            }
            prop_assert!(attempts <= max_attempts);
            prop_assert!(last_start <= p.elapsed_budget());
        }
    }
}
