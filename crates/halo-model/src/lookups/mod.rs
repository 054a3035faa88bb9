//! Lookup records: the reference data a ticket points at (statuses, types, priorities, teams, agents,
//! clients, sites, users, outcomes, categories).
//!
//! Each type has the fields integrations use, typed and read leniently; every other key Halo sends is
//! kept in `extra`. `GET` lists of these come back as bare arrays or named envelopes — read them with
//! [`crate::ListEnvelope`].

mod agent;
mod category;
mod client;
mod outcome;
mod priority;
mod status;
mod team;
mod ticket_type;
mod user;

pub use agent::Agent;
pub use category::Category;
pub use client::{Client, Site};
pub use outcome::Outcome;
pub use priority::{Priority, Sla};
pub use status::{CLOSED_STATUS_NAMES, STOCK_CLOSED_STATUS, Status};
pub use team::Team;
pub use ticket_type::TicketType;
pub use user::User;
