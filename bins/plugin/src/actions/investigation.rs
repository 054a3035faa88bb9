//! `create_ticket_from_investigation`: an InsightIDR investigation (as the Rapid7 InsightIDR plugin
//! outputs it, optionally with its alerts) becomes one Halo ticket, upserted by the investigation RRN:
//! `[IDR] <title>`, details as an escaped HTML table, status and priority through the mappings,
//! assignee by email when that person is a Halo agent.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::ticket_write::TicketFields;
use halo_model::{AgentId, TicketTypeId};
use serde_json::{Value, json};

use super::input::Input;
use super::upsert::{upsert, upsert_output, upsert_outputs};
use super::{Action, StepResult, resolve};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::spec::sync::{priority_map_input, status_map_input};
use crate::spec::{ComponentSpec, Field};
use crate::sync::{mapping, render};

fn investigation_example() -> Value {
    json!({"rrn": "rrn:investigation:us:44d8e5f0:investigation:1KJ2XSCV4HAK", "title": "Suspicious login from new country",
        "status": "OPEN", "priority": "HIGH", "disposition": "UNDECIDED", "source": "ALERT",
        "assignee": {"name": "Sam Analyst", "email": "user@example.com"}, "created_time": "2026-12-01T09:30:00Z",
        "first_alert_time": "2026-12-01T09:29:00Z", "latest_alert_time": "2026-12-01T09:29:00Z"})
}

/// The ticket type from `tickettype_id` / `ticket_type`, else the connection default.
pub async fn ticket_type_input(ctx: &Ctx, inp: &Input) -> Result<Option<TicketTypeId>, StepError> {
    Ok(match (inp.id("tickettype_id"), inp.str("ticket_type")) {
        (Some(id), _) => Some(TicketTypeId::new(id)),
        (None, Some(n)) => Some(resolve::ticket_type(ctx, "ticket_type", &n).await?),
        (None, None) => ctx.defaults().await?.ticket_type,
    })
}

/// Shared inputs of the create-from actions: ticket type and team.
pub fn placement_inputs() -> Vec<Field> {
    vec![
        Field::new(
            "tickettype_id",
            "Ticket Type ID",
            "integer",
            "Ticket type ID; the connection's default when not set",
        )
        .example(21),
        Field::new(
            "ticket_type",
            "Ticket Type",
            "string",
            "Ticket type ID or name, used when Ticket Type ID is not set",
        )
        .example("Security Alert"),
        Field::new("team", "Team", "string", "Team ID or name to assign")
            .example("Security Operations"),
    ]
}

/// Sets the team from the `team` input.
pub async fn apply_team(ctx: &Ctx, inp: &Input, f: &mut TicketFields) -> Result<(), StepError> {
    if let Some(t) = inp.str("team") {
        let team = resolve::team(ctx, "team", &t).await?;
        f.team_id = Some(team.id);
        f.team = team.name;
    }
    Ok(())
}

/// Creates or updates the ticket of an InsightIDR investigation.
pub struct CreateTicketFromInvestigation;

impl Action for CreateTicketFromInvestigation {
    fn spec(&self) -> ComponentSpec {
        let mut input = vec![
            Field::new("investigation", "Investigation", "object", "The investigation as the InsightIDR plugin outputs it")
                .required()
                .example(investigation_example()),
            Field::new("alerts", "Alerts", "[]object", "The investigation's alerts (from List Alerts for Investigation), shown as a table")
                .example(json!([{"id": "a1", "title": "Suspicious login", "alert_type": "Account Authenticated to Critical Asset",
                    "alert_source": "UBA", "created_time": "2026-12-01T09:29:00Z"}])),
        ];
        input.extend(placement_inputs());
        input.push(
            Field::new(
                "summary_prefix",
                "Summary Prefix",
                "string",
                "Text put before the investigation title",
            )
            .default("[IDR]")
            .example("[IDR]"),
        );
        input.push(
            Field::new(
                "assign_by_email",
                "Assign by Email",
                "boolean",
                "Assign the ticket to the Halo agent with the investigation assignee's email",
            )
            .default(true)
            .example(true),
        );
        input.push(status_map_input());
        input.push(priority_map_input());
        ComponentSpec {
            name: "create_ticket_from_investigation",
            title: "Create Ticket from Investigation",
            description: "Create or update the ticket of an InsightIDR investigation, keyed by its RRN, with mapped status and priority",
            input,
            output: upsert_outputs(),
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let inv = inp.object("investigation").cloned().unwrap_or_default();
            let key = render::text(render::pick(&inv, &["rrn", "id"]));
            if key.trim().is_empty() {
                return Err(StepError::client(
                    "Input 'investigation' has neither an 'rrn' nor an 'id'",
                    "Pass the investigation object output by the InsightIDR plugin (it carries the rrn).",
                ));
            }
            let mut sync = ctx.config.sync.clone();
            sync.idr_status.overlay(inp.raw("status_map"), "status_map")?;
            sync.idr_priority.overlay(inp.raw("priority_map"), "priority_map")?;
            let title = render::text(inv.get("title"));
            let title = if title.trim().is_empty() { format!("InsightIDR investigation {key}") } else { title };
            let prefix = inp.str("summary_prefix").unwrap_or_else(|| "[IDR]".into());
            let alerts = inp.array("alerts").cloned().unwrap_or_default();
            let tt = ticket_type_input(ctx, &inp).await?;
            let mut f = TicketFields::default();
            f.summary = Some(format!("{prefix} {title}").trim().to_string());
            f.details_html = Some(render::investigation_html(&inv, &alerts));
            f.tickettype_id = tt;
            apply_team(ctx, &inp, &mut f).await?;
            if let Some(s) = inv.get("status").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) {
                f.status_id = mapping::halo_status(ctx, &sync.idr_status, s).await?.map(|s| s.id);
            }
            if let Some(p) = inv.get("priority").and_then(Value::as_str).filter(|s| !s.trim().is_empty()) {
                f.priority_id = mapping::halo_priority(ctx, &sync.idr_priority, p, tt).await?;
            }
            if inp.bool_or("assign_by_email", true) {
                f.agent_id = assignee(ctx, &inv).await;
            }
            let u = upsert(ctx, &key, f).await?;
            Ok(upsert_output(ctx, &u, &key))
        }
        .boxed()
    }
}

async fn assignee(ctx: &Ctx, inv: &serde_json::Map<String, Value>) -> Option<AgentId> {
    let email = inv.get("assignee")?.get("email")?.as_str()?.trim();
    if email.is_empty() {
        return None;
    }
    match resolve::agent(ctx, "investigation.assignee.email", email).await {
        Ok(id) => Some(id),
        Err(e) => {
            // Analysts are not always Halo agents: leave the ticket to the type's default assignment.
            tracing::warn!(
                "Investigation assignee {email} is not a Halo agent; ticket left unassigned ({})",
                e.cause
            );
            None
        }
    }
}
