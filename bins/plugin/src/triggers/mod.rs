//! The three polling triggers — `ticket_created`, `ticket_updated` (changed fields with old and new
//! values) and `ticket_status_changed` (old and new status, mapped back to InsightIDR / InsightVM) —
//! with persistent state, de-duplication and at-least-once delivery that never loses an event.
//!
//! - [`engine`]: the poll/deliver loop and its request budget.
//! - [`state`] / [`workspace`]: the state file `/workspace/cache/<meta.triggerId>.json` (root
//!   overridable with `HALO_PLUGIN_WORKSPACE`) and the terminate flag.
//! - [`snapshot`]: last-seen ticket fields for diffs; [`event`]: the typed event; [`settings`]: inputs.

pub mod engine;
pub mod event;
pub mod settings;
pub mod snapshot;
pub mod state;
pub mod workspace;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use serde_json::Value;

use crate::actions::{EventSink, Trigger};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::spec::ComponentSpec;
use event::Kind;

async fn start(
    ctx: &Ctx,
    kind: Kind,
    input: Value,
    meta: &Value,
    sink: &dyn EventSink,
) -> Result<(), StepError> {
    let settings = settings::TriggerSettings::resolve(ctx, kind, input).await?;
    engine::run(ctx, settings, meta, sink).await
}

macro_rules! trigger {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl Trigger for $name {
            fn spec(&self) -> ComponentSpec {
                crate::spec::triggers::trigger_spec($kind)
            }

            fn run<'a>(&'a self, ctx: &'a Ctx, input: Value, meta: &'a Value, sink: &'a dyn EventSink)
                -> BoxFuture<'a, Result<(), StepError>> {
                start(ctx, $kind, input, meta, sink).boxed()
            }
        }
    };
}

trigger!(
    /// `ticket_created`.
    TicketCreated,
    Kind::Created
);
trigger!(
    /// `ticket_updated`.
    TicketUpdated,
    Kind::Updated
);
trigger!(
    /// `ticket_status_changed`.
    TicketStatusChanged,
    Kind::StatusChanged
);
