//! `search_tickets`: filters, date ranges, open/closed and free text; follows Halo's pagination
//! (100 per page) until `max_results` tickets are collected; returns them and their count.

use futures::future::BoxFuture;
use futures::{FutureExt as _, StreamExt as _};
use halo_api::DateSearch;
use halo_model::{AgentId, ClientId, PriorityId, StatusId, TicketTypeId, UserId};
use serde_json::{Value, json};

use super::ticket_example;
use crate::actions::input::Input;
use crate::actions::{Action, StepResult, output, resolve};
use crate::connection::Ctx;
use crate::halo_errors::from_api;
use crate::spec::{ComponentSpec, Field};

/// Default and upper bound of `max_results`.
const DEFAULT_MAX: u64 = 50;
const LIMIT_MAX: u64 = 10_000;

/// Searches tickets.
pub struct SearchTickets;

impl Action for SearchTickets {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "search_tickets",
            title: "Search Tickets",
            description: "Search tickets by text, status, assignment, type and date ranges",
            input: vec![
                Field::new(
                    "search",
                    "Search",
                    "string",
                    "Free text searched in ticket summaries, details and IDs",
                )
                .example("phishing"),
                Field::new(
                    "summary_contains",
                    "Summary Contains",
                    "string",
                    "Text the summary must contain",
                )
                .example("VPN"),
                Field::new(
                    "state",
                    "State",
                    "string",
                    "Open tickets, closed tickets, or both",
                )
                .default("any")
                .enumeration(["any", "open", "closed"])
                .example("open"),
                Field::new(
                    "status_id",
                    "Status ID",
                    "integer",
                    "Only tickets with this status ID",
                )
                .example(1),
                Field::new(
                    "status",
                    "Status",
                    "string",
                    "Only tickets with this status ID or name",
                )
                .example("New"),
                Field::new(
                    "agent_id",
                    "Agent ID",
                    "integer",
                    "Only tickets assigned to this agent ID",
                )
                .example(4),
                Field::new(
                    "agent",
                    "Agent",
                    "string",
                    "Only tickets assigned to this agent ID, name or email",
                )
                .example("user@example.com"),
                Field::new(
                    "team_id",
                    "Team ID",
                    "integer",
                    "Only tickets of this team ID",
                )
                .example(2),
                Field::new(
                    "team",
                    "Team",
                    "string",
                    "Only tickets of this team ID or name",
                )
                .example("Security Operations"),
                Field::new(
                    "priority_id",
                    "Priority ID",
                    "integer",
                    "Only tickets with this priority ID",
                )
                .example(2),
                Field::new(
                    "tickettype_id",
                    "Ticket Type ID",
                    "integer",
                    "Only tickets of this ticket type ID",
                )
                .example(1),
                Field::new(
                    "ticket_type",
                    "Ticket Type",
                    "string",
                    "Only tickets of this ticket type ID or name",
                )
                .example("Incident"),
                Field::new(
                    "client_id",
                    "Client ID",
                    "integer",
                    "Only tickets of this client ID",
                )
                .example(12),
                Field::new(
                    "user_id",
                    "User ID",
                    "integer",
                    "Only tickets of this end user ID",
                )
                .example(33),
                Field::new(
                    "created_after",
                    "Created After",
                    "date",
                    "Only tickets opened at or after this time",
                )
                .example("2026-12-01T00:00:00Z"),
                Field::new(
                    "created_before",
                    "Created Before",
                    "date",
                    "Only tickets opened before this time",
                )
                .example("2026-12-02T00:00:00Z"),
                Field::new(
                    "updated_after",
                    "Updated After",
                    "date",
                    "Only tickets updated at or after this time",
                )
                .example("2026-12-01T00:00:00Z"),
                Field::new(
                    "updated_before",
                    "Updated Before",
                    "date",
                    "Only tickets updated before this time",
                )
                .example("2026-12-02T00:00:00Z"),
                Field::new(
                    "max_results",
                    "Max Results",
                    "integer",
                    "Maximum number of tickets to return (1 to 10000)",
                )
                .default(DEFAULT_MAX)
                .example(50),
            ],
            output: vec![
                Field::new("tickets", "Tickets", "[]ticket", "Matching tickets")
                    .required()
                    .example(json!([ticket_example()])),
                Field::new("count", "Count", "integer", "Number of tickets returned")
                    .required()
                    .example(1),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let max = inp
                .u64("max_results")
                .unwrap_or(DEFAULT_MAX)
                .clamp(1, LIMIT_MAX);
            let mut q = ctx.client.list_tickets();
            if let Some(s) = inp.str("search") {
                q = q.search(s);
            }
            if let Some(s) = inp.str("summary_contains") {
                q = q.search_summary(s);
            }
            match inp.str("state").as_deref().unwrap_or("any") {
                "open" => q = q.open_only(true),
                "closed" => q = q.closed_only(true),
                _ => {}
            }
            let status = match (inp.id("status_id"), inp.str("status")) {
                (Some(s), _) => Some(StatusId::new(s)),
                (None, Some(n)) => Some(resolve::status(ctx, "status", &n).await?),
                _ => None,
            };
            if let Some(s) = status {
                q = q.status(s);
            }
            let agent = match (inp.id("agent_id"), inp.str("agent")) {
                (Some(a), _) => Some(AgentId::new(a)),
                (None, Some(n)) => Some(resolve::agent(ctx, "agent", &n).await?),
                _ => None,
            };
            if let Some(a) = agent {
                q = q.agent(a);
            }
            let team = match (inp.id("team_id"), inp.str("team")) {
                (Some(t), _) => Some(halo_model::TeamId::new(t)),
                (None, Some(n)) => Some(resolve::team(ctx, "team", &n).await?.id),
                _ => None,
            };
            if let Some(t) = team {
                q = q.team(t);
            }
            let ttype = match (inp.id("tickettype_id"), inp.str("ticket_type")) {
                (Some(t), _) => Some(TicketTypeId::new(t)),
                (None, Some(n)) => Some(resolve::ticket_type(ctx, "ticket_type", &n).await?),
                _ => None,
            };
            if let Some(t) = ttype {
                q = q.ticket_type(t);
            }
            if let Some(c) = inp.id("client_id") {
                q = q.client(ClientId::new(c));
            }
            if let Some(u) = inp.id("user_id") {
                q = q.user(UserId::new(u));
            }
            let (after, before) = (inp.date("created_after")?, inp.date("created_before")?);
            if after.is_some() || before.is_some() {
                q = q.date_range(DateSearch::Opened, after, before);
            }
            if let Some(d) = inp.date("updated_after")? {
                q = q.updated_since(d);
            }
            if let Some(d) = inp.date("updated_before")? {
                q = q.updated_until(d);
            }
            // Halo filters on `priority` itself; each row is still checked, so a tenant that ignored the
            // parameter would return fewer rows, never wrong ones.
            let priority = inp.id("priority_id").map(PriorityId::new);
            if let Some(p) = priority {
                q = q.priorities([p]);
            }
            q = q.max_results(max);
            let mut stream = Box::pin(q.stream());
            let mut tickets = Vec::new();
            while let Some(item) = stream.next().await {
                let t = item.map_err(|e| from_api(&e, "searching tickets"))?;
                if priority.is_some_and(|p| t.priority_id != Some(p)) {
                    continue;
                }
                tickets.push(output::ticket(&t, &ctx.config.resource_server));
                if tickets.len() as u64 >= max {
                    break;
                }
            }
            let count = tickets.len();
            tracing::info!("Search returned {count} tickets");
            Ok(json!({"tickets": tickets, "count": count}))
        }
        .boxed()
    }
}
