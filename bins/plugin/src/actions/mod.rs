//! The action (and trigger) registry: every step the plugin offers, with its spec and its code.
//!
//! Adding an action = one file with a type implementing [`Action`] plus one line in [`registry`].
//! Triggers implement [`Trigger`] and are listed the same way; the spec, the validator and the HTTP
//! listings pick both up automatically.

use std::sync::OnceLock;

use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::connection::Ctx;
use crate::errors::StepError;
use crate::spec::ComponentSpec;

pub mod attachments;
pub mod comments;
pub mod input;
pub mod investigation;
pub mod lookups;
pub mod output;
pub mod people;
pub mod remediation;
pub mod resolve;
pub mod sync_status;
pub mod tickets;
pub mod upsert;
pub mod webhook;

/// Result of a step.
pub type StepResult = Result<Value, StepError>;

/// One action.
pub trait Action: Send + Sync + 'static {
    /// Its spec (name, title, description, inputs, outputs).
    fn spec(&self) -> ComponentSpec;
    /// Runs it with validated input.
    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult>;
}

/// Where a running trigger sends its events (the dispatcher, or stdout with `--debug`).
pub trait EventSink: Send + Sync {
    /// Delivers one event (the trigger's output object); returns once it was accepted.
    fn send<'a>(&'a self, output: Value) -> BoxFuture<'a, Result<(), StepError>>;
}

/// One trigger: a long-running poller started by `trigger_start` in `run` mode.
pub trait Trigger: Send + Sync + 'static {
    /// Its spec.
    fn spec(&self) -> ComponentSpec;
    /// Runs until terminated, sending events through `sink`. `meta` is the start message's meta
    /// (its `triggerId` names the state file).
    fn run<'a>(
        &'a self,
        ctx: &'a Ctx,
        input: Value,
        meta: &'a Value,
        sink: &'a dyn EventSink,
    ) -> BoxFuture<'a, Result<(), StepError>>;
}

/// All steps of the plugin.
pub struct Registry {
    actions: Vec<Box<dyn Action>>,
    triggers: Vec<Box<dyn Trigger>>,
}

impl Registry {
    /// Actions in spec order.
    pub fn actions(&self) -> impl Iterator<Item = &dyn Action> {
        self.actions.iter().map(|a| a.as_ref())
    }

    /// Triggers in spec order.
    pub fn triggers(&self) -> impl Iterator<Item = &dyn Trigger> {
        self.triggers.iter().map(|t| t.as_ref())
    }

    /// Finds an action by name.
    pub fn action(&self, name: &str) -> Option<&dyn Action> {
        self.actions().find(|a| a.spec().name == name)
    }

    /// Finds a trigger by name.
    pub fn trigger(&self, name: &str) -> Option<&dyn Trigger> {
        self.triggers().find(|t| t.spec().name == name)
    }
}

/// The registry.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry {
        actions: vec![
            Box::new(tickets::CreateTicket),
            Box::new(tickets::UpdateTicket),
            Box::new(tickets::GetTicket),
            Box::new(tickets::SearchTickets),
            Box::new(tickets::CloseTicket),
            Box::new(tickets::AssignTicket),
            Box::new(tickets::DeleteTicket),
            Box::new(comments::AddComment),
            Box::new(comments::ListComments),
            Box::new(attachments::UploadAttachment),
            Box::new(attachments::ListAttachments),
            Box::new(people::GetUser),
            Box::new(people::GetAgent),
            Box::new(lookups::ListStatuses),
            Box::new(lookups::ListTicketTypes),
            Box::new(lookups::ListPriorities),
            Box::new(lookups::ListTeams),
            Box::new(lookups::ListAgents),
            Box::new(lookups::ListOutcomes),
            Box::new(upsert::UpsertTicket),
            Box::new(investigation::CreateTicketFromInvestigation),
            Box::new(remediation::CreateTicketFromRemediation),
            Box::new(sync_status::SyncTicketStatus),
            Box::new(webhook::ParseWebhook),
        ],
        triggers: vec![
            Box::new(crate::triggers::TicketCreated),
            Box::new(crate::triggers::TicketUpdated),
            Box::new(crate::triggers::TicketStatusChanged),
        ],
    })
}

/// Deserialises validated input into the action's typed input struct.
pub fn parse_input<T: DeserializeOwned>(input: Value) -> Result<T, StepError> {
    serde_json::from_value(input).map_err(|e| {
        StepError::client(
            "action input JSON was invalid",
            "Check the action's inputs against its help.",
        )
        .with_data(e.to_string())
    })
}
