//! `close_ticket`: moves a ticket to the tenant's closed status (found by its closed flag or name
//! unless given) with the resolution as the closure note. The ticket's details are never touched.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::{StatusId, TicketUpdate};
use serde_json::{Value, json};

use super::{invalid, ticket_id, ticket_id_field, ticket_outputs, ticket_write_error};
use crate::actions::input::Input;
use crate::actions::{Action, StepResult, output, resolve};
use crate::connection::Ctx;
use crate::spec::{ComponentSpec, Field};

/// Closes a ticket.
pub struct CloseTicket;

impl Action for CloseTicket {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "close_ticket",
            title: "Close Ticket",
            description: "Close a ticket, recording the resolution as its closure note",
            input: vec![
                ticket_id_field(),
                Field::new("resolution", "Resolution", "string", "Resolution recorded as the closure note")
                    .example("False positive: sender verified"),
                Field::new(
                    "closed_status_id",
                    "Closed Status ID",
                    "integer",
                    "ID of the status to close with; by default the tenant's closed status is found by its closed flag or name",
                )
                .example(9),
                Field::new("status", "Status", "string", "Closed status ID or name, used when Closed Status ID is not set")
                    .example("Resolved"),
            ],
            output: ticket_outputs(),
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let id = ticket_id(&inp)?;
            let status = match (inp.id("closed_status_id"), inp.str("status")) {
                (Some(s), _) => StatusId::new(s),
                (None, Some(name)) => resolve::status(ctx, "status", &name).await?,
                (None, None) => resolve::closed_status(ctx).await?,
            };
            let mut u = TicketUpdate::new(id).status(status);
            if let Some(r) = inp.str("resolution") {
                u = u.closure_note(r);
            }
            u.validate().map_err(|e| invalid(&e))?;
            let t = match ctx.client.update_ticket(u).send().await {
                Ok(t) => t,
                Err(e) => {
                    return Err(
                        ticket_write_error(ctx, &e, id, &format!("closing ticket {id}")).await,
                    );
                }
            };
            tracing::info!("Closed ticket {id} with status {status}");
            Ok(json!({"ticket": output::ticket(&t, &ctx.config.resource_server), "success": true}))
        }
        .boxed()
    }
}
