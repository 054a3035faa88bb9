//! `update_ticket`: changes only the fields given; everything else on the ticket stays as it is.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::TicketUpdate;
use serde_json::{Value, json};

use super::{
    Fallback, apply_fields, field_inputs, invalid, ticket_id, ticket_id_field, ticket_outputs,
    ticket_write_error,
};
use crate::actions::input::Input;
use crate::actions::{Action, StepResult, output};
use crate::connection::Ctx;
use crate::spec::{ComponentSpec, Field};

/// Updates a ticket.
pub struct UpdateTicket;

impl Action for UpdateTicket {
    fn spec(&self) -> ComponentSpec {
        let mut input = vec![
            ticket_id_field(),
            Field::new("summary", "Summary", "string", "New summary")
                .example("Phishing email reported - contained"),
            Field::new(
                "details",
                "Details",
                "string",
                "New details; HTML is allowed; replaces the current details",
            )
            .example("<p>Mailbox purged</p>"),
        ];
        input.extend(field_inputs());
        ComponentSpec {
            name: "update_ticket",
            title: "Update Ticket",
            description: "Update fields of an existing ticket; fields not given are left unchanged",
            input,
            output: ticket_outputs(),
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let id = ticket_id(&inp)?;
            let mut u = TicketUpdate::new(id);
            apply_fields(ctx, &inp, u.fields_mut(), Fallback::None).await?;
            u.validate().map_err(|e| invalid(&e))?;
            let t = match ctx.client.update_ticket(u).send().await {
                Ok(t) => t,
                Err(e) => {
                    return Err(
                        ticket_write_error(ctx, &e, id, &format!("updating ticket {id}")).await,
                    );
                }
            };
            Ok(json!({"ticket": output::ticket(&t, &ctx.config.resource_server), "success": true}))
        }
        .boxed()
    }
}
