//! Ticket actions: create, update, get, search, close, assign, delete.
//!
//! Create and update share the ticket-field inputs (ids as the community plugin named them, plus
//! id-or-name inputs resolved against the tenant, plus custom fields by name or id).

mod assign;
mod close;
mod create;
mod delete;
mod get;
mod search;
mod update;

pub use assign::AssignTicket;
pub use close::CloseTicket;
pub use create::CreateTicket;
pub use delete::DeleteTicket;
pub use get::GetTicket;
pub use search::SearchTickets;
pub use update::UpdateTicket;

use halo_model::ticket_write::TicketFields;
use halo_model::{
    AgentId, ClientId, CustomFieldValue, FieldId, PriorityId, SiteId, StatusId, TicketTypeId,
    UserId,
};
use serde_json::{Value, json};

use super::input::Input;
use super::resolve;
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::spec::Field;

/// The `ticket_id` input.
pub fn ticket_id_field() -> Field {
    Field::new("ticket_id", "Ticket ID", "integer", "ID of the ticket")
        .required()
        .example(1042)
}

/// The `ticket` + `success` outputs.
pub fn ticket_outputs() -> Vec<Field> {
    vec![
        Field::new("ticket", "Ticket", "ticket", "The ticket as Halo stored it")
            .required()
            .example(ticket_example()),
        Field::new(
            "success",
            "Success",
            "boolean",
            "Whether the operation succeeded",
        )
        .required()
        .example(true),
    ]
}

/// Example `ticket` output.
pub fn ticket_example() -> Value {
    json!({"id": 1042, "summary": "Phishing email reported", "details": "<p>User reported a suspicious email</p>",
        "tickettype_id": 1, "tickettype_name": "Incident", "status_id": 1, "status_name": "New", "priority_id": 2,
        "priority_name": "High", "agent_id": 4, "agent_name": "Sam Analyst", "team_id": 2,
        "team_name": "Security Operations", "closed": false, "datecreated": "2026-12-01T09:31:12Z",
        "url": "https://example.haloitsm.com/ticket?id=1042"})
}

/// Inputs setting ticket fields, shared by create and update (`summary` and `details` excluded).
pub fn field_inputs() -> Vec<Field> {
    vec![
        Field::new(
            "tickettype_id",
            "Ticket Type ID",
            "integer",
            "Ticket type ID",
        )
        .example(1),
        Field::new(
            "ticket_type",
            "Ticket Type",
            "string",
            "Ticket type ID or name, used when Ticket Type ID is not set",
        )
        .example("Incident"),
        Field::new("status_id", "Status ID", "integer", "Status ID").example(1),
        Field::new(
            "status",
            "Status",
            "string",
            "Status ID or name, used when Status ID is not set",
        )
        .example("In Progress"),
        Field::new("priority_id", "Priority ID", "integer", "Priority ID").example(2),
        Field::new(
            "priority",
            "Priority",
            "string",
            "Priority ID or name, used when Priority ID is not set",
        )
        .example("High"),
        Field::new(
            "agent_id",
            "Agent ID",
            "integer",
            "ID of the agent to assign",
        )
        .example(4),
        Field::new(
            "agent",
            "Agent",
            "string",
            "Agent ID, name or email, used when Agent ID is not set",
        )
        .example("user@example.com"),
        Field::new("team_id", "Team ID", "integer", "ID of the team to assign").example(2),
        Field::new(
            "team",
            "Team",
            "string",
            "Team ID or name, used when Team ID is not set",
        )
        .example("Security Operations"),
        Field::new("category_id", "Category ID", "integer", "Category ID").example(5),
        Field::new(
            "category",
            "Category",
            "string",
            "Category ID or name, used when Category ID is not set",
        )
        .example("Security"),
        Field::new("client_id", "Client ID", "integer", "Client ID").example(12),
        Field::new("site_id", "Site ID", "integer", "Site ID").example(18),
        Field::new("user_id", "User ID", "integer", "End user ID").example(33),
        Field::new(
            "customfields",
            "Custom Fields List",
            "[]object",
            "Custom field values as objects with an ID or name and a value",
        )
        .example(json!([{"name": "CFSecurityReference", "value": "rrn:idr:investigation:1"}])),
        Field::new(
            "custom_fields",
            "Custom Fields",
            "object",
            "Custom field values keyed by field name or ID",
        )
        .example(json!({"CFSecurityReference": "rrn:idr:investigation:1"})),
    ]
}

/// Which defaults apply: creates fall back to the connection's defaults, updates never do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Use the connection's defaults for unset fields.
    Defaults,
    /// Only what the input says.
    None,
}

/// Applies the shared field inputs to a ticket write. Returns whether anything was set.
pub async fn apply_fields(
    ctx: &Ctx,
    inp: &Input,
    f: &mut TicketFields,
    fallback: Fallback,
) -> Result<(), StepError> {
    let defaults = if fallback == Fallback::Defaults {
        Some(ctx.defaults().await?)
    } else {
        None
    };
    if let Some(s) = inp.str("summary") {
        f.summary = Some(s);
    }
    if let Some(d) = inp.str("details") {
        f.details_html = Some(d);
    }
    f.tickettype_id = match (inp.id("tickettype_id"), inp.str("ticket_type")) {
        (Some(id), _) => Some(TicketTypeId::new(id)),
        (None, Some(name)) => Some(resolve::ticket_type(ctx, "ticket_type", &name).await?),
        (None, None) => defaults.and_then(|d| d.ticket_type),
    };
    f.status_id = match (inp.id("status_id"), inp.str("status")) {
        (Some(id), _) => Some(StatusId::new(id)),
        (None, Some(name)) => Some(resolve::status(ctx, "status", &name).await?),
        (None, None) => None,
    };
    f.priority_id = match (inp.id("priority_id"), inp.str("priority")) {
        (Some(id), _) => Some(PriorityId::new(id)),
        (None, Some(name)) => Some(resolve::priority(ctx, "priority", &name).await?),
        (None, None) => defaults.and_then(|d| d.priority),
    };
    f.agent_id = match (inp.id("agent_id"), inp.str("agent")) {
        (Some(id), _) => Some(AgentId::new(id)),
        (None, Some(name)) => Some(resolve::agent(ctx, "agent", &name).await?),
        (None, None) => defaults.and_then(|d| d.agent),
    };
    let team = match (inp.id("team_id"), inp.str("team")) {
        (Some(id), _) => Some(resolve::team(ctx, "team_id", &id.to_string()).await?),
        (None, Some(name)) => Some(resolve::team(ctx, "team", &name).await?),
        (None, None) => defaults.and_then(|d| d.team.clone()),
    };
    if let Some(t) = team {
        f.team_id = Some(t.id);
        f.team = t.name;
    }
    f.category_1 = match (inp.id("category_id"), inp.str("category")) {
        (Some(id), _) => Some(resolve::category(ctx, "category_id", &id.to_string()).await?),
        (None, Some(name)) => Some(resolve::category(ctx, "category", &name).await?),
        (None, None) => defaults.and_then(|d| d.category.clone()),
    };
    f.client_id = inp.id("client_id").map(ClientId::new);
    f.site_id = inp.id("site_id").map(SiteId::new);
    f.user_id = inp.id("user_id").map(UserId::new);
    fill_user_site(ctx, f).await?;
    let custom = custom_fields(inp)?;
    if !custom.is_empty() {
        f.customfields = Some(custom);
    }
    Ok(())
}

/// Halo refuses a ticket that names a user without a site: when a write names only the user, the user's
/// own site (and client, unless given) are filled in. A no-op otherwise.
pub async fn fill_user_site(ctx: &Ctx, f: &mut TicketFields) -> Result<(), StepError> {
    if let (Some(user), None) = (f.user_id, f.site_id) {
        let (site, client) = user_site(ctx, user).await?;
        f.site_id = site;
        f.client_id = f.client_id.or(client);
    }
    Ok(())
}

async fn user_site(
    ctx: &Ctx,
    user: UserId,
) -> Result<(Option<SiteId>, Option<ClientId>), StepError> {
    match ctx.client.get_user(user).send().await {
        Ok(u) => {
            let site = u.home_site();
            if site.is_none() {
                return Err(StepError::client(
                    format!("User {user} has no site in Halo, and a ticket for a user needs one"),
                    "Give 'site_id' as well, or set the user's site in Halo.",
                ));
            }
            Ok((site, u.home_client()))
        }
        Err(e) if e.kind() == halo_api::ErrorKind::NotFound => Err(StepError::client(
            format!("No user {user} exists in Halo (input 'user_id')"),
            "Use Search Users or halo-cli lookup users to find the user's ID.",
        )),
        Err(e) => Err(crate::halo_errors::from_api(
            &e,
            &format!("reading user {user}"),
        )),
    }
}

/// Custom field values from `customfields` (`[{"id"|"name", "value"}]`) and `custom_fields` (`{name|id: value}`).
fn custom_fields(inp: &Input) -> Result<Vec<CustomFieldValue>, StepError> {
    let mut out = Vec::new();
    let by_key = |key: &str, value: Value| match key.trim().parse::<u64>() {
        Ok(id) => CustomFieldValue::by_id(FieldId::new(id), value),
        Err(_) => CustomFieldValue::by_name(key.trim(), value),
    };
    for (i, item) in inp.array("customfields").into_iter().flatten().enumerate() {
        let value = item.get("value").cloned().unwrap_or(Value::Null);
        let key = match (item.get("id"), item.get("name").and_then(Value::as_str)) {
            (Some(id), _) if id.as_u64().is_some() => id.to_string(),
            (_, Some(name)) if !name.trim().is_empty() => name.to_string(),
            _ => {
                return Err(StepError::client(
                    format!("Input 'customfields' item {i} has neither an 'id' nor a 'name'"),
                    "Give each custom field as {\"id\": 164, \"value\": ...} or {\"name\": \"CFField\", \"value\": ...}.",
                ));
            }
        };
        out.push(by_key(&key, value));
    }
    for (k, v) in inp.object("custom_fields").into_iter().flatten() {
        out.push(by_key(k, v.clone()));
    }
    for (i, cf) in out.iter().enumerate() {
        cf.validate(&format!("customfields[{i}]")).map_err(|e| {
            StepError::client(format!("Input custom field {i} is invalid"), e.to_string())
        })?;
    }
    Ok(out)
}

/// Maps a halo-model validation error to an input error.
pub fn invalid(e: &halo_model::ValidationError) -> StepError {
    StepError::client(
        "action input JSON was invalid",
        "Correct the input named in the message.",
    )
    .with_data(e.to_string())
}

/// The ticket id input as a typed id.
pub fn ticket_id(inp: &Input) -> Result<halo_model::TicketId, StepError> {
    inp.required_id("ticket_id").map(halo_model::TicketId::new)
}

/// Error of a write to an existing ticket. Halo answers a write to a missing ticket with a 400, so on a
/// rejection the ticket is looked up once (error path only) to tell "no such ticket" apart.
pub async fn ticket_write_error(
    ctx: &Ctx,
    e: &halo_api::Error,
    id: halo_model::TicketId,
    doing: &str,
) -> StepError {
    if e.kind() == halo_api::ErrorKind::Validation
        && let Err(probe) = ctx.client.get_ticket(id).send().await
        && probe.kind() == halo_api::ErrorKind::NotFound
    {
        return ticket_error(&probe, id, doing)
            .with_data(e.halo_message().unwrap_or_default().to_string());
    }
    ticket_error(e, id, doing)
}

/// Not-found wording for a ticket.
pub fn ticket_error(e: &halo_api::Error, id: halo_model::TicketId, doing: &str) -> StepError {
    if e.kind() == halo_api::ErrorKind::NotFound {
        return StepError::plugin(
            format!("Ticket {id} was not found in Halo."),
            "Check the input 'ticket_id'; the ticket may have been deleted or belong to another tenant.",
        )
        .with_data(e.halo_message().unwrap_or_default().to_string())
        .with_halo_kind(e.kind());
    }
    crate::halo_errors::from_api(e, doing)
}
