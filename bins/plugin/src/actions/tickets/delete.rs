//! `delete_ticket`: deletes a ticket (Halo keeps it recoverable in its deleted-tickets view).

use futures::FutureExt as _;
use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{ticket_error, ticket_id, ticket_id_field};
use crate::actions::input::Input;
use crate::actions::{Action, StepResult};
use crate::connection::Ctx;
use crate::spec::{ComponentSpec, Field};

/// Deletes a ticket.
pub struct DeleteTicket;

impl Action for DeleteTicket {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "delete_ticket",
            title: "Delete Ticket",
            description: "Delete a ticket",
            input: vec![
                ticket_id_field(),
                Field::new(
                    "reason",
                    "Reason",
                    "string",
                    "Reason recorded with the deletion",
                )
                .example("Duplicate of 1041"),
            ],
            output: vec![
                Field::new(
                    "success",
                    "Success",
                    "boolean",
                    "Whether the ticket was deleted",
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
            let mut req = ctx.client.delete_ticket(id);
            if let Some(r) = inp.str("reason") {
                req = req.reason(r);
            }
            req.send()
                .await
                .map_err(|e| ticket_error(&e, id, &format!("deleting ticket {id}")))?;
            tracing::info!("Deleted ticket {id}");
            Ok(json!({"success": true}))
        }
        .boxed()
    }
}
