//! `get_ticket`: one ticket by id; `found` is false (not an error) when it does not exist.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{ticket_error, ticket_example, ticket_id, ticket_id_field};
use crate::actions::input::Input;
use crate::actions::{Action, StepResult, output};
use crate::connection::Ctx;
use crate::spec::{ComponentSpec, Field};

/// Gets a ticket.
pub struct GetTicket;

impl Action for GetTicket {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "get_ticket",
            title: "Get Ticket",
            description: "Get a ticket by its ID",
            input: vec![
                ticket_id_field(),
                Field::new(
                    "include_details",
                    "Include Details",
                    "boolean",
                    "Include the ticket's details and extra fields",
                )
                .default(true)
                .example(true),
            ],
            output: vec![
                Field::new("ticket", "Ticket", "ticket", "The ticket, when found")
                    .example(ticket_example()),
                Field::new("found", "Found", "boolean", "Whether the ticket exists")
                    .required()
                    .example(true),
                Field::new(
                    "success",
                    "Success",
                    "boolean",
                    "Whether the lookup succeeded",
                )
                .required()
                .example(true),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let id = ticket_id(&inp)?;
            let req = ctx.client.get_ticket(id).include_details(inp.bool_or("include_details", true));
            match req.send().await {
                Ok(t) => Ok(json!({"ticket": output::ticket(&t, &ctx.config.resource_server), "found": true, "success": true})),
                Err(e) if e.kind() == halo_api::ErrorKind::NotFound => {
                    tracing::info!("Ticket {id} not found");
                    Ok(json!({"found": false, "success": true}))
                }
                Err(e) => Err(ticket_error(&e, id, &format!("getting ticket {id}"))),
            }
        }
        .boxed()
    }
}
