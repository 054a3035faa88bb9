//! HaloITSM / HaloPSA / Halo Service Desk domain types — no HTTP, no async.
//!
//! What is here:
//! - [`ids`]: typed ids ([`TicketId`], [`AgentId`], … and the per-ticket [`ActionId`]), read leniently
//!   (`3`, `"3"`, `3.0`) and written as integers.
//! - [`date`]: Halo timestamps (sentinel "unset" dates read as `None`; written as `…fffffffZ`).
//! - Read types ([`Ticket`], [`Action`], the lookups in [`lookups`], [`CustomField`], [`Attachment`],
//!   [`WebhookPayload`]) that type the fields integrations use and keep every other key in `extra`, so a
//!   deserialise → serialise round trip loses nothing.
//! - Write types with builders and `validate()` ([`NewTicket`], [`TicketUpdate`], [`NewAction`],
//!   [`NewAttachment`], [`CustomFieldValue`]) that serialise exactly the JSON Halo expects and only the
//!   fields that were set.
//! - [`envelope`]: every list shape Halo answers with, and the single-object-or-array POST reply.
//!
//! # Sending write types
//! Halo's POST bodies are always JSON **arrays**, even for one record (`POST /api/Tickets` with
//! `[{…}]`). The write types serialise as one object; the caller (halo-api) wraps them, e.g. with
//! [`body::one`]:
//!
//! ```
//! use halo_model::{NewTicket, TicketTypeId, body};
//! let t = NewTicket::new("VPN down").ticket_type(TicketTypeId::new(1));
//! t.validate().unwrap();
//! let json = serde_json::to_string(&body::one(&t)).unwrap();
//! assert_eq!(json, r#"[{"summary":"VPN down","tickettype_id":1}]"#);
//! ```
#![warn(missing_docs)]

pub mod action;
pub mod attachment;
mod base64;
pub mod body;
pub mod custom_field;
pub mod date;
pub mod envelope;
pub mod error;
pub mod ids;
pub mod lenient;
pub mod lookups;
mod serde_util;
pub mod ticket;
pub mod ticket_write;
pub mod webhook;

pub use action::{Action, NewAction, OutcomeRef};
pub use attachment::{Attachment, NewAttachment};
pub use custom_field::{CustomField, CustomFieldValue, FieldInfo, FieldOption, FieldRef};
pub use envelope::{ListEnvelope, OneOrMany};
pub use error::{DateError, IdError, Rule, ValidationError};
pub use ids::{
    ActionId, AgentId, AttachmentId, CategoryId, ClientId, FieldId, OutcomeId, PriorityId, SiteId,
    SlaId, StatusId, TeamId, TicketId, TicketTypeId, UserId,
};
pub use lookups::{
    Agent, Category, Client, Outcome, Priority, Site, Sla, Status, Team, TicketType, User,
};
pub use ticket::{Tag, Ticket};
pub use ticket_write::{NewTicket, TicketFields, TicketUpdate};
pub use webhook::WebhookPayload;

/// A JSON object, as kept in every read type's `extra` field.
pub type Map = serde_json::Map<String, serde_json::Value>;
