//! The fault-injection soak shared by the CI test (`tests/soak.rs`, a small fixed count) and the soak bench
//! (`benches/soak.rs`, a larger count): a mixed workload against halo-sim while it injects faults, the plugin's
//! three polling triggers running beside it (SIGKILLed and restarted, see [`triggers`]), then an audit of the
//! tenant's store and of the events the triggers delivered.
//!
//! Workload, per case `i` (cases run on `concurrency` workers), every step through the plugin's own code:
//! 1. create by external key (`actions::upsert::upsert`, which searches before re-sending a create whose
//!    outcome is unknown);
//! 2. update the ticket (priority and details, `update_ticket`: idempotent, retried by halo-api);
//! 3. `comments` notes through the `add_comment` action with a `note_key` each: the action first looks for
//!    the key, and looks for a note whose POST lost its response before sending it again (giving up with a
//!    clear error after 3 lost responses);
//! 4. a search by the ticket's key marker;
//! 5. a close (status change to the tenant's closed status), once the triggers have seen the ticket so the
//!    close is observable by a poller.
//!
//! Any step that fails with an error is re-run by the driver (at most [`STEP_TRIES`] times), as a workflow re-runs a
//! failed step; every error message is kept for the report. Each note has a `note_key`, so a re-run of
//! `add_comment` after the action gave up (its look-up after a lost response failed too) finds the note it
//! may already have written instead of adding it twice. Faults: probabilistic 500/502/503, added latency,
//! connections dropped before handling (all `/api` requests, the triggers' included) and after the write (`POST /api/**`); 429s come from the sim's real
//! sliding-window limiter (Halo's text, `Retry-After` on), shared with the triggers; all tokens are revoked at
//! 1/3 and 2/3 of the cases. The audit reads the sim's store directly, after the triggers have caught up and the
//! faults are cleared.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use halo_api::{PriorityId, StatusId, TicketId, TicketUpdate};
use halo_model::ticket_write::TicketFields;
use halo_sim::{Fault, RateLimitConfig, SimConfig, SimHandle, SimServer};
use haloitsm_plugin::actions::Action as _;
use haloitsm_plugin::actions::comments::AddComment;
use haloitsm_plugin::actions::upsert::upsert;
use haloitsm_plugin::connection::{ConnectionConfig, Ctx};
use serde_json::{Value, json};
use triggers::{Expect, Fleet, TriggerConfig, TriggerReport, Watch};

pub mod triggers;

/// Times the driver runs one step before giving up on it.
pub const STEP_TRIES: usize = 6;

/// What to run.
#[derive(Debug, Clone)]
pub struct SoakConfig {
    /// Cases (one ticket each).
    pub cases: usize,
    /// Notes per ticket.
    pub comments: usize,
    /// Concurrent workers.
    pub concurrency: usize,
    /// Probability of each injected fault kind (six kinds on every `/api` request, plus drop-after-write on POSTs).
    pub fault_p: f64,
    /// The sim's rate limit (requests per window), with `Retry-After`.
    pub sim_rate: (u32, Duration),
    /// The triggers beside the workload.
    pub triggers: TriggerConfig,
}

impl SoakConfig {
    /// A config with the documented defaults for `cases`.
    pub fn new(cases: usize) -> Self {
        Self {
            cases,
            comments: 3,
            concurrency: 8,
            fault_p: 0.035,
            sim_rate: (40, Duration::from_secs(1)),
            triggers: TriggerConfig::default(),
        }
    }
}

/// Operation counters of one kind.
#[derive(Debug, Default, Clone)]
pub struct OpStats {
    /// Step runs (first tries and re-runs).
    pub attempted: usize,
    /// Runs that succeeded.
    pub succeeded: usize,
    /// Runs that failed with an error (each re-run counts).
    pub failed: usize,
    /// Steps abandoned after [`STEP_TRIES`] runs.
    pub gave_up: usize,
}

/// What the soak found.
#[derive(Debug, Default)]
pub struct SoakReport {
    /// Counters per operation kind.
    pub ops: BTreeMap<&'static str, OpStats>,
    /// Error messages seen (message → count), to show that each failure is clear.
    pub errors: BTreeMap<String, usize>,
    /// Errors whose message was empty (must be 0).
    pub unclear_errors: usize,
    /// Tickets intended (one per case).
    pub tickets_intended: usize,
    /// Distinct keys with at least one ticket.
    pub tickets_created: usize,
    /// Extra tickets for a key (must be 0).
    pub ticket_duplicates: usize,
    /// Keys without a ticket.
    pub tickets_missing: usize,
    /// Notes intended.
    pub comments_intended: usize,
    /// Intended notes present exactly once or more.
    pub comments_written: usize,
    /// Intended notes absent (must be 0).
    pub comments_lost: usize,
    /// Extra copies of a note (must be 0).
    pub comment_duplicates: usize,
    /// `add_comment` failures because a note look-up failed (the one for the note key before writing, or
    /// the one after a lost response, when the note may already be written); the driver's re-run looks for
    /// the key again, so none of them may become a duplicate.
    pub comment_unverified: usize,
    /// `POST /api/Actions` the sim received (sim journal).
    pub note_posts: usize,
    /// …of which the sim applied and then dropped the connection (`drop_after_write`): the action had to
    /// look for the note before sending it again.
    pub note_posts_dropped: usize,
    /// `GET /api/Actions`: `add_comment`'s look-ups (one for the note key before each note is written, one
    /// after each lost response).
    pub note_lookups: usize,
    /// Tickets whose final priority/details are not the update's (must be 0).
    pub updates_missing: usize,
    /// Tickets not closed at the end (must be 0).
    pub not_closed: usize,
    /// Searches that did not find their ticket.
    pub search_misses: usize,
    /// Requests the sim received on `/api`, and how many of them got each injected fault or a real 429.
    pub api_requests: usize,
    /// Fault label → count (sim journal), plus `rate_limited_429`.
    pub faults: BTreeMap<String, usize>,
    /// `/api` requests that got an injected fault, a real 429, or both.
    pub faulted_requests: usize,
    /// 401s after the revocations (sim journal).
    pub unauthorized: usize,
    /// Token requests (sim journal).
    pub token_requests: usize,
    /// Token revocations performed.
    pub revocations: usize,
    /// Wall time of the workload.
    pub elapsed: Duration,
    /// Waits before a close for the triggers to have seen the ticket: total, longest.
    pub close_waits: (Duration, Duration),
    /// The trigger audit.
    pub triggers: TriggerReport,
}

impl SoakReport {
    /// Share of `/api` requests that got an injected fault or a real 429.
    pub fn fault_share(&self) -> f64 {
        self.faulted_requests as f64 / self.api_requests.max(1) as f64
    }

    /// A plain-text table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "| operation | attempted | succeeded | failed (clear error, re-run) | gave up |"
        );
        let _ = writeln!(s, "| --- | --- | --- | --- | --- |");
        for (k, o) in &self.ops {
            let _ = writeln!(
                s,
                "| {k} | {} | {} | {} | {} |",
                o.attempted, o.succeeded, o.failed, o.gave_up
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "| figure | target | result |");
        let _ = writeln!(s, "| --- | --- | --- |");
        let rows = [
            (
                "tickets created / intended",
                "= intended".to_string(),
                format!("{} / {}", self.tickets_created, self.tickets_intended),
            ),
            (
                "duplicate tickets",
                "0".into(),
                self.ticket_duplicates.to_string(),
            ),
            (
                "missing tickets",
                "0".into(),
                self.tickets_missing.to_string(),
            ),
            (
                "comments written / intended",
                "= intended".into(),
                format!("{} / {}", self.comments_written, self.comments_intended),
            ),
            ("lost comments", "0".into(), self.comments_lost.to_string()),
            (
                "duplicate comments",
                "0".into(),
                self.comment_duplicates.to_string(),
            ),
            (
                "add_comment errors from a failed note look-up (re-run, found by note key)",
                "-".into(),
                self.comment_unverified.to_string(),
            ),
            (
                "note POSTs; dropped after the write; note look-ups by add_comment",
                "-".into(),
                format!(
                    "{}; {}; {}",
                    self.note_posts, self.note_posts_dropped, self.note_lookups
                ),
            ),
            (
                "updates not applied",
                "0".into(),
                self.updates_missing.to_string(),
            ),
            (
                "tickets not closed",
                "0".into(),
                self.not_closed.to_string(),
            ),
            (
                "searches that missed their ticket",
                "0".into(),
                self.search_misses.to_string(),
            ),
            (
                "errors without a message",
                "0".into(),
                self.unclear_errors.to_string(),
            ),
            (
                "/api requests; share faulted (injected + real 429)",
                "~20 %".into(),
                format!("{}; {:.1} %", self.api_requests, self.fault_share() * 100.0),
            ),
            (
                "token revocations; 401s; token requests",
                "-".into(),
                format!(
                    "{}; {}; {}",
                    self.revocations, self.unauthorized, self.token_requests
                ),
            ),
            (
                "wall time of the workload",
                "-".into(),
                format!("{:.1} s", self.elapsed.as_secs_f64()),
            ),
            (
                "wait before a close for the triggers to see the ticket: mean; longest",
                "-".into(),
                format!(
                    "{:.2} s; {:.2} s",
                    self.close_waits.0.as_secs_f64() / self.tickets_created.max(1) as f64,
                    self.close_waits.1.as_secs_f64()
                ),
            ),
        ];
        for (a, b, c) in rows {
            let _ = writeln!(s, "| {a} | {b} | {c} |");
        }
        let faults: Vec<String> = self
            .faults
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(s, "\nfaults seen by the sim: {}", faults.join(", "));
        let _ = writeln!(s, "distinct error messages ({}):", self.errors.len());
        for (m, n) in self.errors.iter().take(12) {
            let short: String = m.chars().take(200).collect();
            let _ = writeln!(s, "  {n} x {short}");
        }
        let _ = writeln!(s);
        s.push_str(&self.triggers.table());
        s
    }
}

#[derive(Default)]
struct Shared {
    ops: BTreeMap<&'static str, OpStats>,
    errors: BTreeMap<String, usize>,
    unclear: usize,
    search_misses: usize,
    /// Tickets closed only after the triggers had seen them.
    observable: BTreeSet<u64>,
    comment_unverified: usize,
    /// Time spent waiting for that: total, longest.
    close_waits: (Duration, Duration),
}

struct Driver {
    ctx: Ctx,
    shared: Mutex<Shared>,
    closed: StatusId,
    watch: Watch,
    close_wait: Duration,
}

impl Driver {
    fn note(&self, op: &'static str, f: impl FnOnce(&mut OpStats)) {
        let mut s = self.shared.lock().unwrap();
        f(s.ops.entry(op).or_default());
    }

    fn error(&self, op: &'static str, msg: String) {
        let mut s = self.shared.lock().unwrap();
        s.ops.entry(op).or_default().failed += 1;
        if msg.trim().is_empty() {
            s.unclear += 1;
        } else {
            *s.errors.entry(format!("{op}: {msg}")).or_default() += 1;
        }
    }

    /// Runs a step until it succeeds, at most [`STEP_TRIES`] times.
    async fn step<T, E: std::fmt::Display, F: Future<Output = Result<T, E>>>(
        &self,
        op: &'static str,
        mut f: impl FnMut() -> F,
    ) -> Option<T> {
        for _ in 0..STEP_TRIES {
            self.note(op, |o| o.attempted += 1);
            match f().await {
                Ok(v) => {
                    self.note(op, |o| o.succeeded += 1);
                    return Some(v);
                }
                Err(e) => self.error(op, e.to_string()),
            }
        }
        self.note(op, |o| o.gave_up += 1);
        None
    }

    /// One note through the product's `add_comment` (re-run on an error like any step).
    async fn comment(&self, id: TicketId, marker: &str) {
        // The note key (one per note) is what a workflow gives so that its re-run finds the note.
        let input = json!({"ticket_id": id.get(), "comment": format!("Soak note {marker}"), "is_private": true,
            "note_key": marker.trim_matches(['[', ']']).replace(':', "-")});
        self.step("add_comment", || async {
            let r = AddComment.run(&self.ctx, input.clone()).await;
            // A note look-up failed (before writing, or after a lost response when the note may be written
            // already); the re-run that follows looks for the note key before writing.
            if r.as_ref()
                .is_err_and(|e| e.to_string().contains("Looking for the note"))
            {
                self.shared.lock().unwrap().comment_unverified += 1;
            }
            r
        })
        .await;
    }

    async fn case(&self, i: usize, comments: usize) {
        let key = format!("soak-key-{i:05}");
        let created = self
            .step("create_by_key", || {
                let mut f = TicketFields::default();
                f.summary = Some(format!("Soak case {i}: disk almost full on srv-{i}"));
                f.details = Some("created by the soak".into());
                let key = key.clone();
                async move { upsert(&self.ctx, &key, f).await }
            })
            .await;
        let Some(created) = created else { return };
        let id = created.ticket.id;
        let c = &self.ctx.client;
        self.step("update", || {
            c.update_ticket(
                TicketUpdate::new(id)
                    .priority(PriorityId::new(2))
                    .details(format!("updated {key}")),
            )
            .send()
        })
        .await;
        for j in 0..comments {
            self.comment(id, &format!("[soak-note:{i}:{j}]")).await;
        }
        let found = self
            .step("search", || async {
                let rows = c
                    .list_tickets()
                    .search_summary(format!("[ext:{key}]"))
                    .max_results(10)
                    .send()
                    .await?;
                Ok::<_, halo_api::Error>(rows.iter().any(|t| t.id == id))
            })
            .await;
        if found == Some(false) {
            self.shared.lock().unwrap().search_misses += 1;
        }
        let waited = Instant::now();
        let seen = self.watch.wait_seen(id.get(), self.close_wait).await;
        {
            let mut s = self.shared.lock().unwrap();
            let w = waited.elapsed();
            s.close_waits = (s.close_waits.0 + w, s.close_waits.1.max(w));
            if seen {
                s.observable.insert(id.get());
            }
        }
        self.step("close", || {
            c.update_ticket(TicketUpdate::new(id).status(self.closed))
                .send()
        })
        .await;
    }
}

fn install_faults(sim: &SimHandle, p: f64) {
    let f = sim.faults();
    // Scripted first, so each lost-response path is exercised whatever the dice say.
    f.next(1, "POST /api/Tickets", Fault::DropAfterWrite);
    f.next(1, "POST /api/Actions", Fault::DropAfterWrite);
    for code in [500, 502, 503] {
        f.with_probability(p, "* /api/**", Fault::status(code));
    }
    f.with_probability(p, "* /api/**", Fault::DropBeforeHandling);
    f.with_probability(p, "* /api/**", Fault::latency(Duration::from_millis(150)));
    f.with_probability(p, "POST /api/**", Fault::DropAfterWrite);
}

/// Starts a sim, runs the soak, audits the store.
pub async fn run(cfg: SoakConfig) -> SoakReport {
    let sim = SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap();
    let conn = json!({
        "client_id": sim.client_id(),
        "client_secret": {"secretKey": sim.client_secret()},
        "authorization_server": sim.authorization_server_url().as_str(),
        "resource_server": sim.resource_server_url().as_str(),
        "tenant": sim.tenant().unwrap_or_default(),
        "rate_limit": 100_000,
        "timeout": 10
    });
    let ctx = Ctx::connect(ConnectionConfig::from_value(&conn).unwrap()).unwrap();
    let statuses = ctx.client.list_statuses().send().await.unwrap();
    let closed = statuses
        .iter()
        .find(|s| {
            s.is_closed()
                && s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case("closed"))
        })
        .or_else(|| statuses.iter().find(|s| s.is_closed()))
        .map(|s| s.id)
        .expect("the tenant has a closed status");
    let seeded: BTreeSet<u64> = sim
        .tickets()
        .iter()
        .filter_map(|t| t["id"].as_u64())
        .collect();
    let fleet = Fleet::start(&conn, cfg.triggers.clone()).await;
    let driver = Arc::new(Driver {
        ctx,
        shared: Mutex::default(),
        closed,
        watch: fleet.watch(),
        close_wait: fleet.close_wait(),
    });

    sim.journal().clear();
    sim.set_rate_limit(Some(
        RateLimitConfig::new(cfg.sim_rate.0, cfg.sim_rate.1).with_retry_after(true),
    ));
    install_faults(&sim, cfg.fault_p);
    let start = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..cfg.concurrency)
        .map(|_| {
            let (d, next, done) = (driver.clone(), next.clone(), done.clone());
            let comments = cfg.comments;
            let cases = cfg.cases;
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= cases {
                        break;
                    }
                    d.case(i, comments).await;
                    done.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    let mut revocations = 0;
    for mark in [cfg.cases / 3, 2 * cfg.cases / 3] {
        while done.load(Ordering::SeqCst) < mark.max(1)
            && !workers.iter().all(tokio::task::JoinHandle::is_finished)
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        sim.revoke_tokens();
        revocations += 1;
    }
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = start.elapsed();
    let shared = std::mem::take(&mut *driver.shared.lock().unwrap());
    let created: BTreeSet<u64> = sim
        .tickets()
        .iter()
        .filter_map(|t| t["id"].as_u64())
        .filter(|id| !seeded.contains(id))
        .collect();
    let expect = Expect {
        closed: created
            .iter()
            .copied()
            .filter(|id| sim.ticket(*id).unwrap()["status_id"].as_u64() == Some(closed.get()))
            .collect(),
        created,
        observable: shared.observable.clone(),
        closed_status: closed.get(),
    };
    let trigger_report = fleet.finish(&expect, &sim).await;
    sim.faults().clear();
    sim.set_rate_limit(None);

    // The audit, from the store.
    let journal = sim.journal().entries();
    let mut report = SoakReport {
        elapsed,
        revocations,
        triggers: trigger_report,
        ..SoakReport::default()
    };
    for e in &journal {
        if e.path.to_ascii_lowercase().starts_with("/auth/token") {
            report.token_requests += 1;
            continue;
        }
        if !e.path.to_ascii_lowercase().starts_with("/api") {
            continue;
        }
        report.api_requests += 1;
        report.faulted_requests += usize::from(e.rate_limited || e.fault.is_some());
        if e.rate_limited {
            *report.faults.entry("rate_limited_429".into()).or_default() += 1;
        }
        if let Some(f) = &e.fault {
            *report.faults.entry(f.clone()).or_default() += 1;
        }
        if e.status == Some(401) {
            report.unauthorized += 1;
        }
        if e.matches("POST /api/Actions") {
            report.note_posts += 1;
            report.note_posts_dropped += usize::from(
                e.fault
                    .as_deref()
                    .is_some_and(|f| f.contains("drop_after_write")),
            );
        }
        report.note_lookups += usize::from(e.matches("GET /api/Actions"));
    }
    let tickets: Vec<Value> = sim
        .tickets()
        .into_iter()
        .filter(|t| t["id"].as_u64().is_some_and(|id| !seeded.contains(&id)))
        .collect();
    report.tickets_intended = cfg.cases;
    report.comments_intended = cfg.cases * cfg.comments;
    for i in 0..cfg.cases {
        let marker = format!("[ext:soak-key-{i:05}]");
        let mine: Vec<&Value> = tickets
            .iter()
            .filter(|t| t["summary"].as_str().is_some_and(|s| s.contains(&marker)))
            .collect();
        match mine.len() {
            0 => report.tickets_missing += 1,
            n => {
                report.tickets_created += 1;
                report.ticket_duplicates += n - 1;
            }
        }
        let Some(t) = mine.first() else { continue };
        let id = t["id"].as_u64().unwrap();
        let notes: Vec<String> = sim
            .actions(id)
            .iter()
            .filter_map(|a| a["note"].as_str().map(str::to_owned))
            .collect();
        for j in 0..cfg.comments {
            let m = format!("[soak-note:{i}:{j}]");
            match notes.iter().filter(|n| n.contains(&m)).count() {
                0 => report.comments_lost += 1,
                n => {
                    report.comments_written += 1;
                    report.comment_duplicates += n - 1;
                }
            }
        }
        let full = sim.ticket(id).unwrap();
        if full["priority_id"].as_u64() != Some(2)
            || full["details"].as_str() != Some(&format!("updated soak-key-{i:05}"))
        {
            report.updates_missing += 1;
        }
        if full["status_id"].as_u64() != Some(closed.get()) {
            report.not_closed += 1;
        }
    }
    report.ops = shared.ops;
    report.errors = shared.errors;
    report.unclear_errors = shared.unclear;
    report.close_waits = shared.close_waits;
    report.comment_unverified = shared.comment_unverified;
    report.search_misses = shared.search_misses;
    sim.shutdown().await;
    report
}
