//! `sync_ticket_status`: moves a ticket to the Halo status an InsightIDR investigation status (with its
//! disposition when closing) or an InsightVM remediation status maps to, with a private note carrying
//! the origin marker that says why. A no-op when the ticket is already in that status.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::{NewAction, Ticket, TicketId};
use serde_json::{Value, json};

use super::comments::default_outcome;
use super::input::Input;
use super::tickets::{invalid, ticket_error, ticket_example};
use super::upsert::{find_by_key, key_field};
use super::{Action, StepResult, output};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::halo_errors::from_api;
use crate::spec::sync::status_map_input;
use crate::spec::{ComponentSpec, Field};
use crate::sync::mapping::{self, Source};
use crate::sync::marker::ORIGIN_MARKER;
use crate::sync::render::escape;

async fn target_ticket(ctx: &Ctx, inp: &Input) -> Result<Ticket, StepError> {
    if let Some(id) = inp.id("ticket_id").map(TicketId::new) {
        return ctx
            .client
            .get_ticket(id)
            .send()
            .await
            .map_err(|e| ticket_error(&e, id, &format!("reading ticket {id}")));
    }
    let Some(key) = inp.str("external_key") else {
        return Err(StepError::client(
            "Give 'ticket_id' or 'external_key'",
            "Set the ticket ID, or the external key the ticket was created with.",
        ));
    };
    let field = key_field(ctx).await?;
    match find_by_key(ctx, key.trim(), field).await? {
        Some(t) => ctx
            .client
            .get_ticket(t.id)
            .send()
            .await
            .map_err(|e| ticket_error(&e, t.id, &format!("reading ticket {}", t.id))),
        None => Err(StepError::plugin(
            format!("No ticket carries the external key '{}'.", key.trim()),
            "Create it first with Create or Update Ticket, Create Ticket from Investigation or Create Ticket from Remediation.",
        )),
    }
}

/// The note explaining a status change.
pub fn reason_note(
    source: Source,
    status: &str,
    disposition: Option<&str>,
    halo_status: &str,
    comment: Option<&str>,
) -> String {
    let what = match source {
        Source::InsightIdr => "investigation",
        Source::InsightVm => "remediation",
    };
    let mut h = format!(
        "<p>{} Status set to {} because the {} {what} is {}",
        escape(ORIGIN_MARKER),
        escape(halo_status),
        source.label(),
        escape(status.trim())
    );
    if let Some(d) = disposition.filter(|d| !d.trim().is_empty()) {
        h.push_str(&format!(" (disposition: {})", escape(d.trim())));
    }
    h.push_str(".</p>");
    if let Some(c) = comment.filter(|c| !c.trim().is_empty()) {
        h.push_str(&format!("<p>{}</p>", escape(c)));
    }
    h
}

/// Syncs a ticket's status from InsightIDR / InsightVM.
pub struct SyncTicketStatus;

impl Action for SyncTicketStatus {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "sync_ticket_status",
            title: "Sync Ticket Status",
            description: "Move a ticket to the Halo status mapped from an InsightIDR investigation or InsightVM remediation status, with a note saying why",
            input: vec![
                Field::new("ticket_id", "Ticket ID", "integer", "ID of the ticket; or give External Key").example(1042),
                Field::new("external_key", "External Key", "string", "External key (investigation RRN, solution ID) of the ticket, used when Ticket ID is not set")
                    .example("rrn:investigation:us:44d8e5f0:investigation:1KJ2XSCV4HAK"),
                Field::new("source", "Source", "string", "Where the status comes from")
                    .required()
                    .enumeration(["InsightIDR", "InsightVM"])
                    .example("InsightIDR"),
                Field::new("status", "Status", "string", "The investigation or remediation status, for example CLOSED or Awaiting Verification")
                    .required()
                    .example("CLOSED"),
                Field::new("disposition", "Disposition", "string", "Disposition of a closing investigation, written into the note").example("MALICIOUS"),
                Field::new("comment", "Comment", "string", "Extra text for the note").example("Closed by the phishing workflow"),
                status_map_input(),
            ],
            output: vec![
                Field::new("ticket", "Ticket", "ticket", "The ticket after the sync").required().example(ticket_example()),
                Field::new("changed", "Changed", "boolean", "Whether the status was changed (false: it was already there)").required().example(true),
                Field::new("halo_status", "Halo Status", "string", "The Halo status name the source status maps to").example("Closed"),
                Field::new("success", "Success", "boolean", "Whether the operation succeeded").required().example(true),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let source_name = inp.str("source").unwrap_or_default();
            let source = Source::parse(&source_name).ok_or_else(|| {
                StepError::client(format!("Input 'source' is '{source_name}'"), "Set 'source' to InsightIDR or InsightVM.")
            })?;
            let status = inp.str("status").unwrap_or_default();
            let mut sync = ctx.config.sync.clone();
            match source {
                Source::InsightIdr => sync.idr_status.overlay(inp.raw("status_map"), "status_map")?,
                Source::InsightVm => sync.ivm_status.overlay(inp.raw("status_map"), "status_map")?,
            }
            let ticket = target_ticket(ctx, &inp).await?;
            let rs = &ctx.config.resource_server;
            let Some(target) = mapping::halo_status(ctx, source.status_map(&sync), &status).await? else {
                tracing::info!("{} status {status} maps to no Halo status; ticket {} left as it is", source.label(), ticket.id);
                return Ok(json!({"ticket": output::ticket(&ticket, rs), "changed": false, "success": true}));
            };
            let target_name = target.name.clone().unwrap_or_default();
            if ticket.status_id == Some(target.id) {
                tracing::info!("Ticket {} is already in status {target_name}", ticket.id);
                return Ok(json!({"ticket": output::ticket(&ticket, rs), "changed": false, "halo_status": target_name, "success": true}));
            }
            let note = reason_note(source, &status, inp.str("disposition").as_deref(), &target_name, inp.str("comment").as_deref());
            let a = NewAction::new(ticket.id, default_outcome(ctx, true).await?).note_html(note).hidden_from_user(true).new_status(target.id);
            a.validate().map_err(|e| invalid(&e))?;
            ctx.client.add_action(a).send().await.map_err(|e| ticket_error(&e, ticket.id, &format!("changing the status of ticket {}", ticket.id)))?;
            let after = ctx.client.get_ticket(ticket.id).send().await.map_err(|e| from_api(&e, &format!("reading ticket {}", ticket.id)))?;
            tracing::info!("Ticket {} moved to {target_name} ({} {status})", ticket.id, source.label());
            Ok(json!({"ticket": output::ticket(&after, rs), "changed": true, "halo_status": target_name, "success": true}))
        }
        .boxed()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn note_says_why_and_is_escaped() {
        let n = reason_note(
            Source::InsightIdr,
            "CLOSED",
            Some("MALICIOUS"),
            "Closed",
            Some("<b>x</b>"),
        );
        assert_eq!(
            n,
            "<p>[InsightConnect] Status set to Closed because the InsightIDR investigation is CLOSED (disposition: MALICIOUS).</p><p>&lt;b&gt;x&lt;/b&gt;</p>"
        );
    }
}
