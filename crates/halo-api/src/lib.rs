//! # halo-api — the typed HaloITSM / HaloPSA REST client
//!
//! Every request of a [`HaloClient`] (and its clones) goes through one [`RateLimit`] (governor; Halo's hosted
//! budget of 300 requests per rolling 5 minutes by default), one shared 429 pause, one token provider
//! ([`halo_auth::TokenProvider`]) and one [`RetryPolicy`] (backon, exponential with jitter, bounded in attempts and
//! time). Creates are never retried once Halo may have received them: a lost answer is
//! [`ErrorKind::OutcomeUnknown`].
//!
//! - [`Route`]: every endpoint (method + path template) the client speaks.
//! - One builder per operation (`client.get_ticket(id)`, `client.list_tickets()…`, `client.create_ticket(new)`,
//!   …), each with a pure `build()` → [`RequestParts`] and an async `send()`.
//! - Paged lists ([`PagedList`]) give a [`Stream`](futures::Stream) of items (`.stream()`) or pages (`.pages()`)
//!   with one page in memory.
//! - [`Error`] is opaque: [`Error::kind`], status, route template, Halo's message, a sanitised excerpt.
//! - [`Observer`]: hooks for metrics (requests by route/status, 429s, retries, limiter waits).
//!
//! ```no_run
//! use std::sync::Arc;
//! use futures::TryStreamExt;
//! use halo_api::{HaloClient, NewAction, OutcomeRef, TicketUpdate, StatusId};
//! use halo_auth::StaticToken;
//!
//! # async fn demo() -> Result<(), halo_api::Error> {
//! let client = HaloClient::builder()
//!     .resource_server("https://acme.haloitsm.com/api".parse().unwrap())
//!     .token_provider(Arc::new(StaticToken::new("…")))
//!     .build()?;
//!
//! let mut open = client.list_tickets().open_only(true).stream();
//! while let Some(ticket) = open.try_next().await? {
//!     client.update_ticket(TicketUpdate::new(ticket.id).status(StatusId::new(2))).send().await?;
//!     client
//!         .add_action(NewAction::new(ticket.id, OutcomeRef::Name("Private Note".into())).note("Triaged"))
//!         .send()
//!         .await?;
//! }
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod client;
mod error;
mod error_body;
mod limiter;
mod observer;
pub mod ops;
mod pagination;
mod query;
mod request;
mod retry;
mod route;
mod send;

pub use client::{HaloClient, HaloClientBuilder};
pub use error::{Error, ErrorKind, Result};
pub use limiter::RateLimit;
pub use observer::{AttemptEvent, CountingObserver, NoopObserver, Observer};
pub use ops::attachments::{Download, filename_from_disposition};
pub use ops::list::{List, Page, PagedList};
pub use ops::tickets::{DateSearch, ListTickets};
pub use pagination::MAX_PAGE_SIZE;
pub use request::RequestParts;
pub use retry::{Idempotency, RetryPolicy};
pub use route::Route;
pub use send::RawResponse;

pub use halo_model;
pub use halo_model::{
    Action, ActionId, Agent, AgentId, Attachment, AttachmentId, Category, CategoryId, Client,
    ClientId, FieldId, FieldInfo, NewAction, NewAttachment, NewTicket, Outcome, OutcomeId,
    OutcomeRef, Priority, PriorityId, Site, SiteId, Sla, SlaId, Status, StatusId, Team, TeamId,
    Ticket, TicketId, TicketType, TicketTypeId, TicketUpdate, User, UserId,
};

/// Fuzzing hook (`fuzz/fuzz_targets/error_body.rs`): the error a Halo response with this status and body gives,
/// through the same message extraction, excerpt and sanitising as `send()`. Not part of the API.
#[doc(hidden)]
pub fn __fuzz_error_from_response(status: u16, body: &[u8]) -> Error {
    Error::from_response(error::kind_for_status(status), status, body)
}
