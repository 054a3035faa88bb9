//! Halo's per-tenant sliding-window rate limit ("300 Requests per rolling 5 minute window").

use std::collections::VecDeque;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::config::RateLimitConfig;
use crate::lock;

/// A rejected request: Halo's message and the seconds until a slot frees up.
#[derive(Debug)]
pub(crate) struct Rejection {
    pub message: String,
    pub retry_after: Option<u64>,
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Option<RateLimitConfig>,
    /// Times of accepted requests still inside the window; rejected ones do not count.
    hits: VecDeque<DateTime<Utc>>,
}

impl RateLimiter {
    pub(crate) fn new(config: Option<RateLimitConfig>) -> Self {
        Self {
            inner: Mutex::new(Inner {
                config,
                hits: VecDeque::new(),
            }),
        }
    }

    pub(crate) fn set(&self, config: Option<RateLimitConfig>) {
        let mut inner = lock(&self.inner);
        inner.config = config;
        inner.hits.clear();
    }

    pub(crate) fn config(&self) -> Option<RateLimitConfig> {
        lock(&self.inner).config
    }

    pub(crate) fn check(&self, now: DateTime<Utc>) -> Result<(), Rejection> {
        let mut inner = lock(&self.inner);
        let Some(cfg) = inner.config else {
            return Ok(());
        };
        let window = chrono::Duration::from_std(cfg.window).unwrap_or(chrono::Duration::MAX);
        while inner
            .hits
            .front()
            .is_some_and(|t| now.signed_duration_since(*t) >= window)
        {
            inner.hits.pop_front();
        }
        if inner.hits.len() < cfg.requests as usize {
            inner.hits.push_back(now);
            return Ok(());
        }
        let retry_after = inner.hits.front().map(|oldest| {
            let until = oldest
                .checked_add_signed(window)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            let wait = (until - now).num_milliseconds().max(0);
            u64::try_from((wait + 999) / 1000).unwrap_or(1).max(1)
        });
        Err(Rejection {
            message: message(&cfg),
            retry_after: if cfg.retry_after { retry_after } else { None },
        })
    }
}

/// `Rate Limit Reached - 300 Requests per rolling 5 minute window`, numbers from the config.
pub(crate) fn message(cfg: &RateLimitConfig) -> String {
    let secs = cfg.window.as_secs();
    let window = if secs >= 60 && secs.is_multiple_of(60) {
        format!("{} minute", secs / 60)
    } else if secs >= 1 {
        format!("{secs} second")
    } else {
        format!("{} millisecond", cfg.window.as_millis())
    };
    format!(
        "Rate Limit Reached - {} Requests per rolling {window} window",
        cfg.requests
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn halo_text() {
        assert_eq!(
            message(&RateLimitConfig::HALO_DEFAULT),
            "Rate Limit Reached - 300 Requests per rolling 5 minute window"
        );
        assert_eq!(
            message(&RateLimitConfig::new(5, Duration::from_secs(1))),
            "Rate Limit Reached - 5 Requests per rolling 1 second window"
        );
    }

    #[test]
    fn window_slides() {
        let rl = RateLimiter::new(Some(
            RateLimitConfig::new(2, Duration::from_secs(10)).with_retry_after(true),
        ));
        let t0 = Utc::now();
        assert!(rl.check(t0).is_ok());
        assert!(rl.check(t0 + chrono::Duration::seconds(5)).is_ok());
        let rej = rl.check(t0 + chrono::Duration::seconds(6)).unwrap_err();
        assert_eq!(rej.retry_after, Some(4));
        assert!(rl.check(t0 + chrono::Duration::seconds(10)).is_ok());
        assert!(rl.check(t0 + chrono::Duration::seconds(11)).is_err());
    }
}
