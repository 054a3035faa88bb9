//! `create_ticket`: a new ticket, with the connection's defaults for unset fields.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::NewTicket;
use serde_json::{Value, json};

use super::{Fallback, apply_fields, field_inputs, invalid, ticket_outputs};
use crate::actions::input::Input;
use crate::actions::{Action, StepResult, output};
use crate::connection::Ctx;
use crate::halo_errors::from_api;
use crate::spec::{ComponentSpec, Field};

/// Creates a ticket.
pub struct CreateTicket;

impl Action for CreateTicket {
    fn spec(&self) -> ComponentSpec {
        let mut input = vec![
            Field::new(
                "summary",
                "Summary",
                "string",
                "Ticket summary (subject line)",
            )
            .required()
            .example("Phishing email reported"),
            Field::new(
                "details",
                "Details",
                "string",
                "Ticket details; HTML is allowed",
            )
            .example("<p>User reported a suspicious email</p>"),
        ];
        input.extend(field_inputs());
        ComponentSpec {
            name: "create_ticket",
            title: "Create Ticket",
            description: "Create a new ticket in HaloITSM",
            input,
            output: ticket_outputs(),
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let mut t = NewTicket::new(inp.str("summary").unwrap_or_default());
            apply_fields(ctx, &inp, t.fields_mut(), Fallback::Defaults).await?;
            t.validate().map_err(|e| invalid(&e))?;
            let created = ctx.client.create_ticket(t).send().await.map_err(|e| from_api(&e, "creating the ticket"))?;
            tracing::info!("Created ticket {}", created.id);
            Ok(json!({"ticket": output::ticket(&created, &ctx.config.resource_server), "success": true}))
        }
        .boxed()
    }
}
