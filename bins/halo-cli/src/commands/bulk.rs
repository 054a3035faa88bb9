//! Bulk work: `tickets import FILE` and `tickets bulk-close --filter ...`, one request per row under halo-api's
//! rate limiter, with a progress bar, `--dry-run`, and a journal so an interrupted run resumes without doing a row
//! twice.
//!
//! Import: rows with an `external_key` go through the plugin's upsert-by-external-key (`[ext:<key>]` marker and
//! key custom field), so even a lost journal cannot duplicate them; rows without one are created plainly. Either
//! way the journal records "sending" before each request and the ticket id right after it, synced to disk. A
//! plain row left at "sending" by a crash is looked up by its exact summary before it is created again.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use halo_api::{ErrorKind, HaloClient};
use halo_model::{AgentId, ClientId, StatusId, TicketId, TicketTypeId, UserId};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use super::Ctx;
use super::tickets::{close_one, closed_status};
use crate::cli::{BulkCloseArgs, ImportArgs};
use crate::exit::{CliError, ExitKind, from_api};
use crate::journal::{Journal, RowState, fingerprint};
use crate::rows::{self, Row};

/// Ctrl-C sets this; the loops stop between rows (never between sending and journaling).
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            f.store(true, Ordering::SeqCst);
        }
    });
    flag
}

fn progress(ctx: &Ctx, total: u64, done: u64, client: Option<&HaloClient>) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if !ctx.out.stderr_tty || ctx.out.quiet || ctx.out.json() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {per_sec} ETA {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb.set_position(done);
    if let Some(c) = client {
        let rl = c.rate_limit();
        pb.set_message(format!(
            "(budget {}/{}s)",
            rl.requests(),
            rl.per().as_secs()
        ));
    }
    pb
}

/// How long `n` requests take at the client's sustained rate (the burst can make the start faster).
fn budget_eta(client: &HaloClient, n: usize) -> Duration {
    let rl = client.rate_limit();
    let per_request = rl.per().as_secs_f64() / f64::from(rl.requests().max(1));
    Duration::from_secs_f64(per_request * n as f64)
}

fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// Whether a per-row error lets the run continue with the next row.
fn row_level(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::Validation | ErrorKind::NotFound)
}

/// Whether a keyed row's upsert error is the row's own problem (bad input, or Halo rejecting the row's data or
/// an id in it), reported with the row while the run goes on — the same rule as [`row_level`] for plain rows.
/// Credential, permission, configuration, rate-limit and connection problems stop the run.
fn keyed_row_level(e: &haloitsm_plugin::errors::StepError) -> bool {
    (e.class == haloitsm_plugin::errors::ErrorClass::Client && e.halo_kind.is_none())
        || matches!(e.halo_kind, Some("validation" | "not_found"))
}

/// `tickets import FILE`.
pub async fn import(ctx: &Ctx, a: ImportArgs) -> anyhow::Result<ExitKind> {
    let format = rows::detect(&a.file, a.format);
    let rows = rows::read(&a.file, format)?;
    let journal_path = a.bulk.journal.clone().unwrap_or_else(|| {
        let mut p = a.file.clone().into_os_string();
        p.push(".journal");
        PathBuf::from(p)
    });

    if a.bulk.dry_run {
        return import_dry_run(ctx, &a, &rows, &journal_path);
    }

    let conn = ctx.connection()?;
    let pctx = crate::client::plugin_ctx(&conn).await?;
    let client = pctx.client.clone();
    let mut journal = Journal::open(&journal_path)?;
    let already = rows
        .iter()
        .map(|r| journal.state(&r.key, &r.fingerprint))
        .collect::<Result<Vec<_>, _>>()?;
    let pending = already
        .iter()
        .filter(|s| !matches!(s, Some(RowState::Done(_))))
        .count();
    // An upsert costs about three requests (key field, search, create/update); a plain create one.
    let requests: usize = rows
        .iter()
        .zip(&already)
        .filter(|(_, s)| !matches!(s, Some(RowState::Done(_))))
        .map(|(r, _)| if r.external_key().is_some() { 3 } else { 1 })
        .sum();
    ctx.out.info(format!(
        "{} row(s), {} already done per {}; {} to go (~{requests} requests), about {} at the sustained rate budget.",
        rows.len(),
        rows.len() - pending,
        journal_path.display(),
        pending,
        fmt_duration(budget_eta(&client, requests))
    ));

    let stop = interrupt_flag();
    let pb = progress(
        ctx,
        rows.len() as u64,
        (rows.len() - pending) as u64,
        Some(&client),
    );
    let mut created = Vec::new();
    let mut recovered = Vec::new();
    let mut failed = Vec::new();
    let mut skipped = 0usize;
    let mut processed = 0usize;
    let mut stopped = None::<&str>;
    let mut fatal = None;

    for (row, state) in rows.iter().zip(already) {
        if let Some(RowState::Done(_)) = state {
            skipped += 1;
            continue;
        }
        if stop.load(Ordering::SeqCst) {
            stopped = Some("interrupted");
            break;
        }
        if a.bulk.stop_after.is_some_and(|n| processed >= n) {
            stopped = Some("stop-after");
            break;
        }
        if let Some(key) = row.external_key() {
            journal.sending(&row.key, &row.fingerprint)?;
            match haloitsm_plugin::actions::upsert::upsert(
                &pctx,
                key,
                row.new_ticket().fields().clone(),
            )
            .await
            {
                Ok(u) => {
                    let id = u.ticket.id.get();
                    journal.done(&row.key, &row.fingerprint, id)?;
                    let entry = json!({ "row": row.number, "key": row.key, "ticket_id": id });
                    if u.created {
                        created.push(entry)
                    } else {
                        recovered.push(entry)
                    }
                }
                Err(e) if keyed_row_level(&e) => {
                    let ce = crate::client::step_error(&e);
                    pb.suspend(|| tracing::warn!(row = row.number, "row failed: {}", ce.cause));
                    failed.push(json!({ "row": row.number, "key": row.key, "cause": ce.cause, "data": ce.data }));
                }
                Err(e) => {
                    fatal = Some(crate::client::step_error(&e));
                    break;
                }
            }
            processed += 1;
            pb.inc(1);
            continue;
        }
        if state == Some(RowState::Sending) {
            // The previous run died after sending this row: adopt the ticket if it arrived.
            match find_by_summary(&client, &row.data.summary).await {
                Ok(Some(id)) => {
                    journal.done(&row.key, &row.fingerprint, id)?;
                    recovered.push(json!({ "row": row.number, "key": row.key, "ticket_id": id }));
                    processed += 1;
                    pb.inc(1);
                    continue;
                }
                Ok(None) => {}
                Err(e) => {
                    fatal = Some(from_api(&e));
                    break;
                }
            }
        }
        let mut ticket = row.new_ticket();
        // Halo refuses a ticket for a user without a site: the plugin's rule fills in the user's own.
        if let Err(e) =
            haloitsm_plugin::actions::tickets::fill_user_site(&pctx, ticket.fields_mut()).await
        {
            let ce = crate::client::step_error(&e);
            if keyed_row_level(&e) {
                pb.suspend(|| tracing::warn!(row = row.number, "row failed: {}", ce.cause));
                failed.push(json!({ "row": row.number, "key": row.key, "cause": ce.cause, "data": ce.data }));
                processed += 1;
                pb.inc(1);
                continue;
            }
            fatal = Some(ce);
            break;
        }
        journal.sending(&row.key, &row.fingerprint)?;
        match client.create_ticket(ticket).send().await {
            Ok(t) => {
                journal.done(&row.key, &row.fingerprint, t.id.get())?;
                created.push(json!({ "row": row.number, "key": row.key, "ticket_id": t.id.get() }));
            }
            Err(e) if row_level(e.kind()) => {
                let ce = from_api(&e);
                pb.suspend(|| tracing::warn!(row = row.number, "row failed: {}", ce.cause));
                failed.push(json!({ "row": row.number, "key": row.key, "cause": ce.cause, "data": ce.data }));
            }
            Err(e) => {
                fatal = Some(from_api(&e));
                break;
            }
        }
        processed += 1;
        pb.inc(1);
    }
    pb.finish_and_clear();

    let remaining = rows.len() - skipped - created.len() - recovered.len() - failed.len();
    let data = json!({
        "file": a.file.display().to_string(),
        "journal": journal_path.display().to_string(),
        "total": rows.len(),
        "created": created.len(),
        "recovered": recovered.len(),
        "skipped": skipped,
        "failed": failed.len(),
        "remaining": remaining,
        "stopped": stopped,
        "tickets": created,
        "recovered_tickets": recovered,
        "failures": failed,
    });
    report(ctx, "tickets import", &data, fatal, &failed)
}

fn report(
    ctx: &Ctx,
    command: &str,
    data: &Value,
    fatal: Option<CliError>,
    failed: &[Value],
) -> anyhow::Result<ExitKind> {
    let ok = fatal.is_none() && failed.is_empty() && data["stopped"] != "interrupted";
    ctx.out.emit(command, ok, data.clone(), || {
        let mut t = ctx.out.table(&["row", "key", "failure"]);
        for f in failed {
            t.add_row(vec![
                f["row"].to_string(),
                f["key"].as_str().unwrap_or_default().to_string(),
                f["cause"].as_str().unwrap_or_default().to_string(),
            ]);
        }
        let counts: Vec<String> = [
            "total",
            "created",
            "closed",
            "recovered",
            "skipped",
            "failed",
            "remaining",
        ]
        .iter()
        .filter_map(|k| data.get(*k).map(|v| format!("{k} {v}")))
        .collect();
        let mut s = String::new();
        if !failed.is_empty() {
            s.push_str(&format!("{t}\n"));
        }
        s.push_str(&counts.join(", "));
        if let Some(why) = data["stopped"].as_str() {
            s.push_str(&format!(
                "\nstopped early ({why}); run the same command again to resume from {}",
                data["journal"].as_str().unwrap_or_default()
            ));
        }
        s
    });
    if let Some(e) = fatal {
        return Err(e.into());
    }
    Ok(outcome(data, ok))
}

/// The exit code of a finished bulk run: an interrupted one (Ctrl-C) is never a success, even when every row
/// it got to went through; `--stop-after` is a planned stop and exits 0.
fn outcome(data: &Value, ok: bool) -> ExitKind {
    if data["stopped"] == "interrupted" {
        ExitKind::Interrupted
    } else if ok {
        ExitKind::Ok
    } else {
        ExitKind::Failure
    }
}

fn import_dry_run(
    ctx: &Ctx,
    a: &ImportArgs,
    rows: &[Row],
    journal_path: &std::path::Path,
) -> anyhow::Result<ExitKind> {
    // Read an existing journal without creating one.
    let journal = if journal_path.exists() {
        Some(Journal::open(journal_path)?)
    } else {
        None
    };
    let mut plan = Vec::new();
    for r in rows {
        let state = match &journal {
            Some(j) => j.state(&r.key, &r.fingerprint)?,
            None => None,
        };
        let (action, ticket) = match state {
            Some(RowState::Done(id)) => ("skip", Some(id)),
            Some(RowState::Sending) => ("check-then-create", None),
            None => ("create", None),
        };
        plan.push(json!({ "row": r.number, "key": r.key, "summary": r.data.summary, "action": action, "ticket_id": ticket }));
    }
    let creates = plan.iter().filter(|p| p["action"] != "skip").count();
    let data = json!({
        "file": a.file.display().to_string(),
        "journal": journal_path.display().to_string(),
        "dry_run": true,
        "total": rows.len(),
        "to_create": creates,
        "rows": plan,
    });
    ctx.out.emit("tickets import", true, data.clone(), || {
        let mut t = ctx.out.table(&["row", "key", "summary", "action"]);
        for p in &plan {
            t.add_row(vec![
                p["row"].to_string(),
                p["key"].as_str().unwrap_or_default().to_string(),
                p["summary"].as_str().unwrap_or_default().to_string(),
                match p["ticket_id"].as_u64() {
                    Some(id) => format!("skip (ticket {id})"),
                    None => p["action"].as_str().unwrap_or_default().to_string(),
                },
            ]);
        }
        format!(
            "{t}\ndry run: {creates} of {} row(s) would be created; nothing was sent",
            rows.len()
        )
    });
    Ok(ExitKind::Ok)
}

/// An open ticket whose summary is exactly `summary` (newest first), if any.
async fn find_by_summary(
    client: &HaloClient,
    summary: &str,
) -> Result<Option<u64>, halo_api::Error> {
    let found = client
        .list_tickets()
        .search_summary(summary.to_string())
        .max_results(50)
        .send()
        .await?;
    Ok(found
        .iter()
        .filter(|t| t.summary.as_deref() == Some(summary))
        .map(|t| t.id.get())
        .max())
}

/// The filters `bulk-close` understands.
#[derive(Debug, Default)]
struct CloseFilter {
    status: Option<u64>,
    agent: Option<u64>,
    team: Option<String>,
    search: Option<String>,
    ticket_type: Option<u64>,
    client: Option<u64>,
    user: Option<u64>,
}

fn parse_filters(raw: &[String]) -> Result<CloseFilter, CliError> {
    let mut f = CloseFilter::default();
    let num = |k: &str, v: &str| {
        v.trim().parse::<u64>().map_err(|_| {
            CliError::usage(
                format!("The filter {k}={v} needs a numeric id."),
                format!("Find the id with `halo-cli lookup ...` and pass --filter {k}=ID."),
            )
        })
    };
    for item in raw {
        let Some((k, v)) = item.split_once('=') else {
            return Err(CliError::usage(
                format!("The filter \"{item}\" is not KEY=VALUE."),
                "Use e.g. --filter status=1 --filter team=Spam.",
            ));
        };
        match k.trim() {
            "status" => f.status = Some(num(k, v)?),
            "agent" => f.agent = Some(num(k, v)?),
            "type" => f.ticket_type = Some(num(k, v)?),
            "client" => f.client = Some(num(k, v)?),
            "user" => f.user = Some(num(k, v)?),
            "team" => f.team = Some(v.to_string()),
            "search" => f.search = Some(v.to_string()),
            other => {
                return Err(CliError::usage(
                    format!("Unknown filter \"{other}\"."),
                    "Filters are status, agent, team, search, type, client, user.",
                ));
            }
        }
    }
    Ok(f)
}

/// `tickets bulk-close --filter ...`.
pub async fn bulk_close(ctx: &Ctx, a: BulkCloseArgs) -> anyhow::Result<ExitKind> {
    let filter = parse_filters(&a.filters)?;
    let client = ctx.client().await?;
    let mut q = client
        .list_tickets()
        .open_only(true)
        .max_results(a.limit as u64);
    if let Some(v) = filter.status {
        q = q.status(StatusId::new(v));
    }
    if let Some(v) = filter.agent {
        q = q.agent(AgentId::new(v));
    }
    if let Some(v) = &filter.team {
        q = q.team_name(v.clone());
    }
    if let Some(v) = &filter.search {
        q = q.search(v.clone());
    }
    if let Some(v) = filter.ticket_type {
        q = q.ticket_type(TicketTypeId::new(v));
    }
    if let Some(v) = filter.client {
        q = q.client(ClientId::new(v));
    }
    if let Some(v) = filter.user {
        q = q.user(UserId::new(v));
    }
    let tickets = q.send().await.map_err(|e| from_api(&e))?;
    let status = match a.status {
        Some(s) => StatusId::new(s),
        None => closed_status(&client).await?,
    };
    let mut sorted_filters = a.filters.clone();
    sorted_filters.sort();
    let run_fp = fingerprint(&format!(
        "{}|{}|{:?}",
        sorted_filters.join("&"),
        status,
        a.note
    ));
    let journal_path = a
        .bulk
        .journal
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("halo-cli-bulk-close-{run_fp}.journal")));

    if a.bulk.dry_run {
        let list: Vec<Value> = tickets
            .iter()
            .map(|t| json!({ "id": t.id.get(), "summary": t.summary }))
            .collect();
        let data = json!({ "dry_run": true, "status_id": status.get(), "to_close": list.len(), "tickets": list });
        ctx.out.emit("tickets bulk-close", true, data, || {
            let mut t = ctx.out.table(&["id", "summary"]);
            for k in &tickets {
                t.add_row(vec![k.id.to_string(), k.summary.clone().unwrap_or_default()]);
            }
            format!(
                "{t}\ndry run: {} ticket(s) would be closed with status {status}; nothing was changed",
                tickets.len()
            )
        });
        return Ok(ExitKind::Ok);
    }
    if !a.yes && !tickets.is_empty() {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::usage(
                format!(
                    "Refusing to close {} ticket(s) without confirmation.",
                    tickets.len()
                ),
                "Check the list with --dry-run, then pass --yes.",
            )
            .into());
        }
        let term = console::Term::stderr();
        let _ = term.write_str(&format!("Close {} ticket(s)? [y/N] ", tickets.len()));
        let answer = term.read_line().unwrap_or_default();
        if !answer.trim().eq_ignore_ascii_case("y") {
            return Err(CliError::usage(
                "Not confirmed; nothing was changed.",
                "Answer y to go ahead.",
            )
            .into());
        }
    }

    let mut journal = Journal::open(&journal_path)?;
    ctx.out.info(format!(
        "{} ticket(s) match; about {} at the sustained rate budget (journal {}).",
        tickets.len(),
        fmt_duration(budget_eta(&client, tickets.len())),
        journal_path.display()
    ));
    let stop = interrupt_flag();
    let pb = progress(ctx, tickets.len() as u64, 0, Some(&client));
    let started = Instant::now();
    let (mut closed, mut skipped, mut processed) = (Vec::new(), 0usize, 0usize);
    let mut failed = Vec::new();
    let mut stopped = None::<&str>;
    let mut fatal = None;
    for t in &tickets {
        let key = format!("ticket:{}", t.id);
        if let Some(RowState::Done(_)) = journal.state(&key, &run_fp)? {
            skipped += 1;
            pb.inc(1);
            continue;
        }
        if stop.load(Ordering::SeqCst) {
            stopped = Some("interrupted");
            break;
        }
        if a.bulk.stop_after.is_some_and(|n| processed >= n) {
            stopped = Some("stop-after");
            break;
        }
        journal.sending(&key, &run_fp)?;
        match close_one(
            &client,
            TicketId::new(t.id.get()),
            status,
            a.note.as_deref(),
        )
        .await
        {
            Ok(_) => {
                journal.done(&key, &run_fp, t.id.get())?;
                closed.push(t.id.get());
            }
            Err(e) if row_level(e.kind()) => {
                let ce = from_api(&e);
                failed.push(
                    json!({ "row": t.id.get(), "key": key, "cause": ce.cause, "data": ce.data }),
                );
            }
            Err(e) => {
                fatal = Some(from_api(&e));
                break;
            }
        }
        processed += 1;
        pb.inc(1);
    }
    pb.finish_and_clear();
    let remaining = tickets.len() - closed.len() - skipped - failed.len();
    let data = json!({
        "journal": journal_path.display().to_string(),
        "status_id": status.get(),
        "total": tickets.len(),
        "closed": closed.len(),
        "skipped": skipped,
        "failed": failed.len(),
        "remaining": remaining,
        "stopped": stopped,
        "elapsed_ms": started.elapsed().as_millis() as u64,
        "tickets": closed,
        "failures": failed,
    });
    report(ctx, "tickets bulk-close", &data, fatal, &failed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_reject_unknown_keys() {
        let f = parse_filters(&["status=1".into(), "team=Spam Team".into()]).unwrap();
        assert_eq!(f.status, Some(1));
        assert_eq!(f.team.as_deref(), Some("Spam Team"));
        assert!(parse_filters(&["colour=red".into()]).is_err());
        assert!(parse_filters(&["status=open".into()]).is_err());
        assert!(parse_filters(&["status".into()]).is_err());
    }

    #[test]
    fn an_interrupted_run_is_not_a_success_but_a_planned_stop_is() {
        let stopped = |why: Option<&str>| json!({ "stopped": why });
        assert_eq!(
            outcome(&stopped(Some("interrupted")), true),
            ExitKind::Interrupted
        );
        assert_eq!(
            outcome(&stopped(Some("interrupted")), false),
            ExitKind::Interrupted
        );
        assert_eq!(outcome(&stopped(Some("stop-after")), true), ExitKind::Ok);
        assert_eq!(outcome(&stopped(None), true), ExitKind::Ok);
        assert_eq!(outcome(&stopped(None), false), ExitKind::Failure);
    }

    #[test]
    fn keyed_rows_fail_alone_on_their_own_data_only() {
        use haloitsm_plugin::errors::StepError;
        let halo = |k| StepError::plugin("Creating the ticket failed.", "Fix.").with_halo_kind(k);
        assert!(keyed_row_level(&halo(ErrorKind::Validation)));
        assert!(keyed_row_level(&halo(ErrorKind::NotFound)));
        assert!(keyed_row_level(&StepError::client(
            "Input 'summary' is required",
            "Give one."
        )));
        for k in [
            ErrorKind::Auth,
            ErrorKind::Forbidden,
            ErrorKind::Config,
            ErrorKind::RateLimited,
            ErrorKind::Transport,
            ErrorKind::Server,
        ] {
            assert!(!keyed_row_level(&halo(k)), "{k:?} must stop the run");
        }
        assert!(!keyed_row_level(&StepError::plugin("Defaults.", "Fix.")));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(fmt_duration(Duration::from_secs(5)), "5s");
        assert_eq!(fmt_duration(Duration::from_secs(125)), "2m05s");
        assert_eq!(fmt_duration(Duration::from_secs(3700)), "1h01m");
    }
}
