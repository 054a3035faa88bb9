//! `halo-cli tickets list|get|create|update|close|assign|note|delete` (bulk work is in `commands::bulk`).
//!
//! JSON shape of a ticket (`data` of get/create/update/close/assign, items of list): the stable projection in
//! [`ticket_view`], not Halo's ~300 raw keys (use `halo-cli raw GET /api/Tickets/ID` for those).

use std::io::IsTerminal;

use halo_api::HaloClient;
use halo_model::{
    AgentId, ClientId, NewAction, NewTicket, PriorityId, SiteId, StatusId, Ticket, TicketId,
    TicketTypeId, TicketUpdate, UserId,
};
use serde_json::{Value, json};

use super::Ctx;
use crate::cli::{
    TicketAssignArgs, TicketCloseArgs, TicketCreateArgs, TicketDeleteArgs, TicketListArgs,
    TicketNoteArgs, TicketUpdateArgs, TicketsCommand,
};
use crate::exit::{CliError, ExitKind, from_api};

/// Run a `tickets` subcommand.
pub async fn run(ctx: &Ctx, cmd: TicketsCommand) -> anyhow::Result<ExitKind> {
    match cmd {
        TicketsCommand::Import(a) => return super::bulk::import(ctx, a).await,
        TicketsCommand::BulkClose(a) => return super::bulk::bulk_close(ctx, a).await,
        _ => {}
    }
    let client = ctx.client().await?;
    match cmd {
        TicketsCommand::List(a) => list(ctx, &client, a).await,
        TicketsCommand::Get(a) => {
            let t = client
                .get_ticket(TicketId::new(a.id))
                .send()
                .await
                .map_err(|e| from_api(&e))?;
            show(ctx, "tickets get", &t);
            Ok(ExitKind::Ok)
        }
        TicketsCommand::Create(a) => create(ctx, &client, a).await,
        TicketsCommand::Update(a) => update(ctx, &client, a).await,
        TicketsCommand::Close(a) => close(ctx, &client, a).await,
        TicketsCommand::Assign(a) => assign(ctx, &client, a).await,
        TicketsCommand::Note(a) => note(ctx, &client, a).await,
        TicketsCommand::Delete(a) => delete(ctx, &client, a).await,
        TicketsCommand::Import(_) | TicketsCommand::BulkClose(_) => Ok(ExitKind::Ok),
    }
}

/// The stable JSON projection of a ticket.
pub fn ticket_view(t: &Ticket) -> Value {
    let date = |d: &Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    json!({
        "id": t.id.get(),
        "summary": t.summary,
        "details": t.details,
        "status_id": t.status_id.map(|v| v.get()),
        "status_name": t.status_name,
        "tickettype_id": t.tickettype_id.map(|v| v.get()),
        "priority_id": t.priority_id.map(|v| v.get()),
        "team": t.team,
        "agent_id": t.agent_id.map(|v| v.get()),
        "agent_name": t.agent_name,
        "client_id": t.client_id.map(|v| v.get()),
        "user_id": t.user_id.map(|v| v.get()),
        "datecreated": date(&t.datecreated),
        "last_update": date(&t.last_update),
        "dateclosed": date(&t.dateclosed),
        "closed": t.hasbeenclosed,
    })
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn show(ctx: &Ctx, command: &str, t: &Ticket) {
    let view = ticket_view(t);
    ctx.out.emit(command, true, view.clone(), || {
        let mut table = ctx.out.table(&["field", "value"]);
        if let Value::Object(m) = &view {
            for (k, v) in m {
                let v = match v {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                table.add_row(vec![k.clone(), v]);
            }
        }
        table.to_string()
    });
}

async fn list(ctx: &Ctx, client: &HaloClient, a: TicketListArgs) -> anyhow::Result<ExitKind> {
    let mut q = client.list_tickets().max_results(a.limit as u64);
    if let Some(s) = a.status {
        q = q.status(StatusId::new(s));
    }
    if let Some(s) = a.agent {
        q = q.agent(AgentId::new(s));
    }
    if let Some(s) = a.team {
        q = q.team_name(s);
    }
    if let Some(s) = a.search {
        q = q.search(s);
    }
    if a.open_only {
        q = q.open_only(true);
    }
    let tickets = q.send().await.map_err(|e| from_api(&e))?;
    let data: Vec<Value> = tickets.iter().map(ticket_view).collect();
    ctx.out.emit("tickets list", true, Value::Array(data), || {
        let mut t = ctx
            .out
            .table(&["id", "summary", "status", "agent", "team", "updated"]);
        for k in &tickets {
            t.add_row(vec![
                k.id.to_string(),
                truncate(k.summary.as_deref().unwrap_or_default(), 60),
                k.status_name
                    .clone()
                    .unwrap_or_else(|| opt(k.status_id.map(|s| s.get()))),
                k.agent_name
                    .clone()
                    .unwrap_or_else(|| opt(k.agent_id.map(|s| s.get()))),
                k.team.clone().unwrap_or_default(),
                k.last_update
                    .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
            ]);
        }
        format!("{t}\n{} ticket(s)", tickets.len())
    });
    Ok(ExitKind::Ok)
}

fn invalid(e: impl std::fmt::Display) -> CliError {
    CliError::usage(
        format!("The ticket is not valid: {e}."),
        "Correct the value named above and run the command again.",
    )
}

/// Halo refuses a ticket that names a user without a site: the user's own site (and client, unless given).
async fn fill_user_site(
    client: &HaloClient,
    t: &mut NewTicket,
    user: UserId,
) -> Result<(), CliError> {
    let u = client.get_user(user).send().await.map_err(|e| {
        if e.kind() == halo_api::ErrorKind::NotFound {
            CliError::new(
                ExitKind::NotFound,
                format!("No user {user} exists in Halo."),
                "Find the user's id with `halo-cli lookup users`.",
            )
        } else {
            from_api(&e)
        }
    })?;
    let f = t.fields_mut();
    f.site_id = Some(u.home_site().ok_or_else(|| {
        CliError::usage(
            format!("User {user} has no site in Halo, and a ticket for a user needs one."),
            "Give --site as well, or set the user's site in Halo.",
        )
    })?);
    f.client_id = f.client_id.or(u.home_client());
    Ok(())
}

async fn create(ctx: &Ctx, client: &HaloClient, a: TicketCreateArgs) -> anyhow::Result<ExitKind> {
    let mut t = NewTicket::new(a.summary);
    if let Some(v) = a.details {
        t = t.details(v);
    }
    if let Some(v) = a.ticket_type {
        t = t.ticket_type(TicketTypeId::new(v));
    }
    if let Some(v) = a.priority {
        t = t.priority(PriorityId::new(v));
    }
    if let Some(v) = a.team {
        t = t.team(v);
    }
    if let Some(v) = a.agent {
        t = t.agent(AgentId::new(v));
    }
    if let Some(v) = a.client {
        t = t.client(ClientId::new(v));
    }
    if let Some(v) = a.site {
        t = t.site(SiteId::new(v));
    }
    if let Some(v) = a.user {
        t = t.user(UserId::new(v));
        if a.site.is_none() {
            fill_user_site(client, &mut t, UserId::new(v)).await?;
        }
    }
    t.validate().map_err(invalid)?;
    let created = client
        .create_ticket(t)
        .send()
        .await
        .map_err(|e| from_api(&e))?;
    show(ctx, "tickets create", &created);
    Ok(ExitKind::Ok)
}

async fn update(ctx: &Ctx, client: &HaloClient, a: TicketUpdateArgs) -> anyhow::Result<ExitKind> {
    let mut u = TicketUpdate::new(TicketId::new(a.id));
    let mut any = false;
    if let Some(v) = a.summary {
        u = u.summary(v);
        any = true;
    }
    if let Some(v) = a.details {
        u = u.details(v);
        any = true;
    }
    if let Some(v) = a.status {
        u = u.status(StatusId::new(v));
        any = true;
    }
    if let Some(v) = a.priority {
        u = u.priority(PriorityId::new(v));
        any = true;
    }
    if let Some(v) = a.ticket_type {
        u = u.ticket_type(TicketTypeId::new(v));
        any = true;
    }
    if !any {
        return Err(CliError::usage(
            "Nothing to update: no field was given.",
            "Give at least one of --summary, --details, --status, --priority, --type.",
        )
        .into());
    }
    u.validate().map_err(invalid)?;
    let t = client
        .update_ticket(u)
        .send()
        .await
        .map_err(|e| from_api(&e))?;
    show(ctx, "tickets update", &t);
    Ok(ExitKind::Ok)
}

/// The tenant's closed status: one named "Closed", else Halo's default id 9.
pub async fn closed_status(client: &HaloClient) -> anyhow::Result<StatusId> {
    let statuses = client
        .list_statuses()
        .send()
        .await
        .map_err(|e| from_api(&e))?;
    Ok(statuses
        .iter()
        .find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case("closed"))
        })
        .map(|s| s.id)
        .unwrap_or_else(|| StatusId::new(9)))
}

/// Close one ticket: set the closed status (with a closure note if given).
pub async fn close_one(
    client: &HaloClient,
    id: TicketId,
    status: StatusId,
    note: Option<&str>,
) -> Result<Ticket, halo_api::Error> {
    let mut u = TicketUpdate::new(id).status(status);
    if let Some(n) = note {
        u = u.closure_note(n.to_string());
    }
    client.update_ticket(u).send().await
}

async fn close(ctx: &Ctx, client: &HaloClient, a: TicketCloseArgs) -> anyhow::Result<ExitKind> {
    let status = match a.status {
        Some(s) => StatusId::new(s),
        None => closed_status(client).await?,
    };
    let t = close_one(client, TicketId::new(a.id), status, a.note.as_deref())
        .await
        .map_err(|e| from_api(&e))?;
    show(ctx, "tickets close", &t);
    Ok(ExitKind::Ok)
}

async fn assign(ctx: &Ctx, client: &HaloClient, a: TicketAssignArgs) -> anyhow::Result<ExitKind> {
    let mut u = TicketUpdate::new(TicketId::new(a.id));
    if let Some(v) = a.agent {
        u = u.agent(AgentId::new(v));
    }
    if let Some(v) = a.team {
        u = u.team(v);
    }
    let t = client
        .update_ticket(u)
        .send()
        .await
        .map_err(|e| from_api(&e))?;
    show(ctx, "tickets assign", &t);
    Ok(ExitKind::Ok)
}

async fn note(ctx: &Ctx, client: &HaloClient, a: TicketNoteArgs) -> anyhow::Result<ExitKind> {
    let action = NewAction::new(TicketId::new(a.id), a.outcome.as_str())
        .note(a.text)
        .hidden_from_user(a.private);
    action.validate().map_err(invalid)?;
    let added = client
        .add_action(action)
        .send()
        .await
        .map_err(|e| from_api(&e))?;
    let data = json!({
        "ticket_id": a.id,
        "action_id": added.action_id_in(TicketId::new(a.id)).map(|x| x.seq()),
        "outcome": a.outcome,
        "hidden_from_user": a.private,
    });
    ctx.out.emit("tickets note", true, data.clone(), || {
        format!(
            "Added note {} to ticket {}.",
            opt(data["action_id"].as_u64()),
            a.id
        )
    });
    Ok(ExitKind::Ok)
}

async fn delete(ctx: &Ctx, client: &HaloClient, a: TicketDeleteArgs) -> anyhow::Result<ExitKind> {
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::usage(
                format!("Refusing to delete ticket {} without confirmation.", a.id),
                "Pass --yes (stdin is not a terminal, so there is nobody to ask).",
            )
            .into());
        }
        let term = console::Term::stderr();
        let _ = term.write_str(&format!("Delete ticket {}? Type the id to confirm: ", a.id));
        let answer = term.read_line().unwrap_or_default();
        if answer.trim() != a.id.to_string() {
            return Err(CliError::usage(
                "Not confirmed; nothing was deleted.",
                "Type the ticket id to confirm.",
            )
            .into());
        }
    }
    client
        .delete_ticket(TicketId::new(a.id))
        .send()
        .await
        .map_err(|e| from_api(&e))?;
    ctx.out.emit(
        "tickets delete",
        true,
        json!({ "id": a.id, "deleted": true }),
        || format!("Deleted ticket {}.", a.id),
    );
    Ok(ExitKind::Ok)
}
