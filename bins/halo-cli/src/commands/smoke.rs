//! `halo-cli smoke`: read-only checks by default (token, agent, statuses, a page of tickets); with `--write` the
//! full lifecycle of one tagged test ticket (create, update, comment, assign, close, delete). For staging and
//! production checks in CI (`--json`); the exit code says pass (0) or fail (1).

use std::time::Instant;

use halo_api::HaloClient;
use halo_model::{NewAction, NewTicket, TicketId, TicketUpdate};
use serde_json::json;

use super::Ctx;
use super::checks::{Report, Result as R};
use super::tickets::{close_one, closed_status};
use crate::cli::SmokeArgs;
use crate::exit::ExitKind;

/// The tag every smoke ticket's summary starts with, so leftovers are easy to find.
pub const TAG: &str = "[halo-cli smoke]";

/// Run `smoke`.
pub async fn run(ctx: &Ctx, args: SmokeArgs) -> anyhow::Result<ExitKind> {
    let ctx = &if args.json {
        let mut out = ctx.out;
        out.format = crate::cli::OutputFormat::Json;
        Ctx::new(ctx.global.clone(), out)
    } else {
        Ctx::new(ctx.global.clone(), ctx.out)
    };
    let client = ctx.client().await?;
    let mut report = Report::default();

    let t = Instant::now();
    let me = match client.get_agent_me().send().await {
        Ok(a) => {
            report.add(
                "token + api agent",
                t,
                R::Ok,
                format!("agent {} ({})", a.id, a.name.as_deref().unwrap_or("?")),
                None,
            );
            Some(a)
        }
        Err(e) => {
            report.add(
                "token + api agent",
                t,
                R::Fail,
                e.to_string(),
                Some(e.kind().assistance().into()),
            );
            None
        }
    };
    let t = Instant::now();
    match client.list_statuses().send().await {
        Ok(v) => report.add(
            "read statuses",
            t,
            R::Ok,
            format!("{} statuses", v.len()),
            None,
        ),
        Err(e) => report.add(
            "read statuses",
            t,
            R::Fail,
            e.to_string(),
            Some(e.kind().assistance().into()),
        ),
    }
    let t = Instant::now();
    match client.list_tickets().max_results(5).send().await {
        Ok(v) => report.add(
            "read tickets",
            t,
            R::Ok,
            format!("{} ticket(s) read", v.len()),
            None,
        ),
        Err(e) => report.add(
            "read tickets",
            t,
            R::Fail,
            e.to_string(),
            Some(e.kind().assistance().into()),
        ),
    }

    if args.write {
        if report.ok() {
            lifecycle(&client, &mut report, me.map(|a| a.id)).await;
        } else {
            report.skip("write lifecycle", "skipped: the read checks failed");
        }
    } else {
        report.skip(
            "write lifecycle",
            "read-only run (pass --write for create/update/comment/assign/close/delete)",
        );
    }
    Ok(report.finish(ctx, "smoke", json!({ "write": args.write })))
}

async fn lifecycle(client: &HaloClient, report: &mut Report, me: Option<halo_model::AgentId>) {
    let t = Instant::now();
    let summary = format!("{TAG} {}", chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ"));
    let id: TicketId = match client
        .create_ticket(
            NewTicket::new(summary.clone())
                .details("Created by halo-cli smoke --write; safe to delete."),
        )
        .send()
        .await
    {
        Ok(tk) => {
            report.add("create", t, R::Ok, format!("ticket {}", tk.id), None);
            tk.id
        }
        Err(e) => {
            report.add(
                "create",
                t,
                R::Fail,
                e.to_string(),
                Some(e.kind().assistance().into()),
            );
            return;
        }
    };
    let t = Instant::now();
    match client
        .update_ticket(TicketUpdate::new(id).summary(format!("{summary} (updated)")))
        .send()
        .await
    {
        Ok(tk) if tk.summary.as_deref() == Some(&format!("{summary} (updated)")) => {
            report.add("update", t, R::Ok, "summary changed", None)
        }
        Ok(tk) => report.add(
            "update",
            t,
            R::Fail,
            format!("summary is {:?}", tk.summary),
            None,
        ),
        Err(e) => report.add(
            "update",
            t,
            R::Fail,
            e.to_string(),
            Some(e.kind().assistance().into()),
        ),
    }
    let t = Instant::now();
    match client
        .add_action(
            NewAction::new(id, "Private Note")
                .note("halo-cli smoke note")
                .hidden_from_user(true),
        )
        .send()
        .await
    {
        Ok(_) => report.add("comment", t, R::Ok, "private note added", None),
        Err(e) => report.add(
            "comment",
            t,
            R::Fail,
            e.to_string(),
            Some(e.kind().assistance().into()),
        ),
    }
    let t = Instant::now();
    match me {
        Some(agent) => match client
            .update_ticket(TicketUpdate::new(id).agent(agent))
            .send()
            .await
        {
            Ok(tk) if tk.agent_id == Some(agent) => report.add(
                "assign",
                t,
                R::Ok,
                format!("assigned to agent {agent}"),
                None,
            ),
            Ok(tk) => report.add(
                "assign",
                t,
                R::Fail,
                format!("agent is {:?}", tk.agent_id),
                None,
            ),
            Err(e) => report.add(
                "assign",
                t,
                R::Fail,
                e.to_string(),
                Some(e.kind().assistance().into()),
            ),
        },
        None => report.skip("assign", "no API agent known"),
    }
    let t = Instant::now();
    let closed = match closed_status(client).await {
        Ok(s) => s,
        Err(e) => {
            report.add("close", t, R::Fail, format!("{e:#}"), None);
            halo_model::StatusId::new(9)
        }
    };
    match close_one(client, id, closed, Some("Closed by halo-cli smoke")).await {
        Ok(tk) if tk.status_id == Some(closed) => {
            report.add("close", t, R::Ok, format!("status {closed}"), None)
        }
        Ok(tk) => report.add(
            "close",
            t,
            R::Fail,
            format!("status is {:?}", tk.status_id),
            None,
        ),
        Err(e) => report.add(
            "close",
            t,
            R::Fail,
            e.to_string(),
            Some(e.kind().assistance().into()),
        ),
    }
    let t = Instant::now();
    match client.delete_ticket(id).send().await {
        Ok(()) => report.add("delete", t, R::Ok, format!("ticket {id} removed"), None),
        Err(e) => report.add(
            "delete",
            t,
            R::Fail,
            e.to_string(),
            Some(format!(
                "Delete ticket {id} by hand; {}",
                e.kind().assistance()
            )),
        ),
    }
}
