//! halo-sim: a faithful local HaloITSM tenant — OAuth2 authorisation server plus the REST resource server —
//! with fault injection (rate limit, 5xx, latency, dropped connections before or after a write), a request
//! journal and a controllable clock, for tests, demos and users' own tests.
//!
//! Built from `../shared/reference/halo-api.md` (section 13 is the blueprint). Records are kept as Halo JSON,
//! so unknown fields round-trip.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use halo_sim::{Fault, SimConfig, SimServer};
//! let sim = SimServer::start(SimConfig::default()).await?;
//! sim.faults().next(1, "POST /api/Tickets", Fault::DropAfterWrite);
//! // point a client at sim.resource_server_url() / sim.token_url() with sim.client_id()/client_secret()
//! assert_eq!(sim.journal().count("POST /api/Tickets"), 0);
//! # Ok(()) }
//! ```

#![recursion_limit = "512"]
#![warn(missing_docs)]

mod actions;
mod admin;
mod attachments;
mod auth;
mod clock;
mod config;
mod customfields;
mod dates;
mod errors;
mod faults;
mod journal;
mod lookups;
mod ratelimit;
mod request;
mod routes;
mod seed;
mod seed_check;
mod server;
mod state;
mod store;
mod ticket_write;
mod tickets;
mod tls;
mod webhooks;

pub use clock::Clock;
pub use config::{CustomFieldUpdate, Hosting, RateLimitConfig, SimConfig, WebhookConfig};
pub use faults::{Fault, FaultProfile, FaultRule, Faults, RequestMatcher, Trigger};
pub use journal::{Journal, JournalEntry};
pub use routes::{ROUTES, RouteArea, RouteSpec};
pub use seed::{Seed, SeedError};
pub use server::{SimError, SimHandle, SimServer};
pub use webhooks::WebhookDelivery;

/// Halo's silent page-size cap.
pub const MAX_PAGE_SIZE: u32 = tickets::MAX_PAGE_SIZE;

/// Lock a mutex, recovering from poisoning (a panicked test thread must not wedge the sim).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
