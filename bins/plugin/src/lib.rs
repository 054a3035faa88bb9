//! HaloITSM plugin for Rapid7 InsightConnect.
//!
//! - [`protocol`] / [`envelope`] / [`errors`]: the orchestrator's message protocol, as the Python runtime
//!   speaks it.
//! - [`spec`]: the single source of truth for `plugin.spec.yaml`, input validation and JSON schemas.
//! - [`actions`]: the action/trigger registry and every action, all talking to Halo through `halo-api`.
//! - [`connection`] / [`connection_test`]: connection settings, the shared client cache, the test.
//! - [`runner`]: one message end to end; [`cli`] and [`http`]: the two transports.
//!
//! The admin CLI reuses [`actions`] and [`connection`] to run the same code paths.

pub mod actions;
pub mod cli;
pub mod connection;
pub mod connection_test;
pub mod dispatch;
pub mod envelope;
pub mod errors;
pub mod halo_errors;
pub mod http;
pub mod logcap;
pub mod mask;
pub mod observability;
pub mod protocol;
pub mod runner;
pub mod spec;
pub mod sync;
pub mod triggers;
