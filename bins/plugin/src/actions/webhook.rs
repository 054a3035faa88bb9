//! `parse_webhook`: turns the body Halo POSTs to an InsightConnect API trigger into the same typed
//! event the polling triggers emit, so one workflow can be fed by either.
//!
//! Halo's webhook carries only the new state (no old values), so `changes` is empty and the old status
//! is absent; an "event information only" payload is completed with `GET /api/Tickets/{object_id}`.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::{Ticket, TicketId, WebhookPayload};
use serde_json::{Value, json};

use super::input::Input;
use super::tickets::{ticket_error, ticket_example};
use super::{Action, StepResult, output};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::spec::triggers::event_example;
use crate::spec::{ComponentSpec, Field};
use crate::sync::mapping;
use crate::sync::marker::is_own_note;
use crate::triggers::event::{Kind, StatusRef, TicketEvent, event_id};

/// The event kind for Halo's human-readable event name.
///
/// ```
/// use haloitsm_plugin::actions::webhook::kind_of;
/// use haloitsm_plugin::triggers::event::Kind;
/// assert_eq!(kind_of("New Ticket Logged"), Kind::Created);
/// assert_eq!(kind_of("ticket status changed"), Kind::StatusChanged);
/// assert_eq!(kind_of("Ticket Reassigned"), Kind::Updated);
/// ```
pub fn kind_of(event: &str) -> Kind {
    let e = event.to_lowercase();
    if e.contains("status") {
        Kind::StatusChanged
    } else if e.contains("new ticket") || e.contains("logged") || e.contains("created") {
        Kind::Created
    } else {
        Kind::Updated
    }
}

fn parse_body(v: Option<&Value>) -> Result<WebhookPayload, StepError> {
    let bad = |why: String| {
        StepError::client(
            format!("Input 'body' is not a Halo webhook payload: {why}"),
            "Map the API trigger's body (the JSON Halo posted) to 'body'.",
        )
    };
    let value = match v {
        Some(Value::String(s)) => serde_json::from_str(s).map_err(|e| bad(e.to_string()))?,
        Some(v @ Value::Object(_)) => v.clone(),
        _ => return Err(bad("it must be a JSON object".into())),
    };
    serde_json::from_value(value).map_err(|e| bad(e.to_string()))
}

/// Builds the event for a parsed payload and its ticket.
pub fn event_for(
    ctx_sync: &crate::sync::config::SyncSettings,
    p: &WebhookPayload,
    t: &Ticket,
    status_name: Option<String>,
) -> TicketEvent {
    let kind = kind_of(p.event.as_deref().unwrap_or_default());
    let new_status = t.status_id.map(|id| StatusRef {
        id: id.get(),
        name: status_name.clone().unwrap_or_default(),
    });
    let (idr, ivm) = status_name
        .as_deref()
        .map_or((None, None), |n| mapping::reverse(ctx_sync, n));
    TicketEvent {
        event_id: event_id(kind, t.id.get(), t.last_update.or(p.timestamp)),
        kind,
        ticket_id: t.id.get(),
        occurred_at: t.last_update.or(p.timestamp),
        changes: Vec::new(),
        old_status: None,
        new_status,
        insightidr_status: idr,
        insightvm_status: ivm,
        source: "webhook",
    }
}

/// Parses a Halo webhook body.
pub struct ParseWebhook;

impl Action for ParseWebhook {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "parse_webhook",
            title: "Parse Webhook",
            description: "Turn the body of a Halo webhook received by an API trigger into the same ticket event the polling triggers emit. \
                Halo webhooks offer Basic authentication while API triggers expect an X-API-Key header, so put the key in the webhook's custom headers or URL",
            input: vec![
                Field::new("body", "Body", "object", "The JSON body Halo posted to the API trigger")
                    .required()
                    .example(json!({"id": "8e25bc7b-e07e-4102-9398-5d6647e1e79d", "event": "ticket status changed", "object_id": 1042,
                        "timestamp": "2026-12-01T10:02:45Z", "ticket": {"id": 1042, "status_id": 2}})),
            ],
            output: vec![
                Field::new("ticket", "Ticket", "ticket", "The ticket as the webhook (or Halo) gives it").required().example(ticket_example()),
                Field::new("event", "Event", "ticket_event", "The event, as the triggers emit it").required().example(event_example(Kind::StatusChanged)),
                Field::new("trigger", "Trigger", "string", "The trigger that reports this kind of event").required().example("ticket_status_changed"),
                Field::new("is_own_note", "Is Own Note", "boolean", "Whether the webhook is about a note this plugin wrote (do not echo it)")
                    .required()
                    .example(false),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let p = parse_body(inp.raw("body"))?;
            let ticket = match (&p.ticket, p.object_id.and_then(|i| u64::try_from(i).ok()).filter(|i| *i > 0)) {
                (Some(t), _) if t.id.get() > 0 => t.clone(),
                (_, Some(id)) => {
                    let id = TicketId::new(id);
                    ctx.client.get_ticket(id).send().await.map_err(|e| ticket_error(&e, id, &format!("reading ticket {id}")))?
                }
                _ => {
                    return Err(StepError::client(
                        "Input 'body' has neither a 'ticket' nor an 'object_id'",
                        "Use a Halo webhook payload type that includes the ticket or at least the object ID.",
                    ));
                }
            };
            let status_name = match (ticket.status_name.clone(), ticket.status_id) {
                (Some(n), _) if !n.is_empty() => Some(n),
                (_, Some(id)) => mapping::statuses(ctx).await?.into_iter().find(|s| s.id == id).and_then(|s| s.name),
                _ => None,
            };
            let ev = event_for(&ctx.config.sync, &p, &ticket, status_name);
            let own = p.action.as_ref().and_then(|a| a.note_html.as_deref().or(a.note.as_deref())).is_some_and(is_own_note);
            Ok(json!({"ticket": output::ticket(&ticket, &ctx.config.resource_server), "event": ev.to_value(),
                "trigger": ev.kind.name(), "is_own_note": own}))
        }
        .boxed()
    }
}
