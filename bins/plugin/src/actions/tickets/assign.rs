//! `assign_ticket`: sets the agent and/or team of a ticket, each by id, name or (agents) email.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::{AgentId, TicketUpdate};
use serde_json::{Value, json};

use super::{invalid, ticket_id, ticket_id_field, ticket_outputs, ticket_write_error};
use crate::actions::input::Input;
use crate::actions::{Action, StepResult, output, resolve};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::spec::{ComponentSpec, Field};

/// Assigns a ticket.
pub struct AssignTicket;

impl Action for AssignTicket {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "assign_ticket",
            title: "Assign Ticket",
            description: "Assign a ticket to an agent, a team, or both",
            input: vec![
                ticket_id_field(),
                Field::new("agent_id", "Agent ID", "integer", "ID of the agent to assign").example(4),
                Field::new("agent", "Agent", "string", "Agent ID, name or email, used when Agent ID is not set")
                    .example("user@example.com"),
                Field::new("team_id", "Team ID", "integer", "ID of the team to assign").example(2),
                Field::new("team", "Team", "string", "Team ID or name, used when Team ID is not set").example("Security Operations"),
                Field::new(
                    "notify",
                    "Notify",
                    "boolean",
                    "Accepted for compatibility with the community plugin; Halo notifies assignees according to its own rules",
                )
                .default(false)
                .example(false),
            ],
            output: ticket_outputs(),
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let id = ticket_id(&inp)?;
            let agent = match (inp.id("agent_id"), inp.str("agent")) {
                (Some(a), _) => Some(AgentId::new(a)),
                (None, Some(name)) => Some(resolve::agent(ctx, "agent", &name).await?),
                (None, None) => None,
            };
            let team = match (inp.id("team_id"), inp.str("team")) {
                (Some(t), _) => Some(resolve::team(ctx, "team_id", &t.to_string()).await?),
                (None, Some(name)) => Some(resolve::team(ctx, "team", &name).await?),
                (None, None) => None,
            };
            if agent.is_none() && team.is_none() {
                return Err(StepError::client(
                    "Nothing to assign: no agent or team given",
                    "Set at least one of the inputs 'agent_id', 'agent', 'team_id' or 'team'.",
                ));
            }
            let mut u = TicketUpdate::new(id);
            if let Some(a) = agent {
                u = u.agent(a);
            }
            if let Some(t) = team {
                u = u.team_id(t.id);
                if let Some(n) = t.name {
                    u = u.team(n);
                }
            }
            u.validate().map_err(|e| invalid(&e))?;
            let t = match ctx.client.update_ticket(u).send().await {
                Ok(t) => t,
                Err(e) => {
                    return Err(
                        ticket_write_error(ctx, &e, id, &format!("assigning ticket {id}")).await,
                    );
                }
            };
            Ok(json!({"ticket": output::ticket(&t, &ctx.config.resource_server), "success": true}))
        }
        .boxed()
    }
}
