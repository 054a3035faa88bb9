//! Shared state of one running sim, handed to every handler.

use std::sync::Mutex;

use crate::auth::TokenStore;
use crate::clock::Clock;
use crate::config::SimConfig;
use crate::faults::Faults;
use crate::journal::Journal;
use crate::ratelimit::RateLimiter;
use crate::store::Store;
use crate::webhooks::Webhooks;

#[derive(Debug)]
pub(crate) struct App {
    pub config: SimConfig,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    pub store: Mutex<Store>,
    pub tokens: Mutex<TokenStore>,
    pub faults: Faults,
    pub journal: Journal,
    pub clock: Clock,
    pub limiter: RateLimiter,
    pub webhooks: Webhooks,
}

impl App {
    pub(crate) fn auth_base(&self) -> String {
        format!("{}/auth", self.base)
    }
}
