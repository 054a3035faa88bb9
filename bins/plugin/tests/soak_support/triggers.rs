//! The plugin's three polling triggers run beside the soak workload as the built binary in `run` mode, each
//! SIGKILLed after a random life and restarted (as an orchestrator restarts a dead trigger), delivering to a
//! local dispatcher that rejects a seeded share of deliveries; then an audit of events delivered against the
//! changes the workload made.
//!
//! What a poller can observe: it diffs the ticket it reads now against its last snapshot, so it only ever
//! sees the latest state. A ticket created and closed between two polls of `ticket_status_changed` is first
//! seen closed, and the trigger emits nothing for it ("previous values unknown"). The driver therefore waits,
//! before closing a ticket, until the `ticket_updated` and `ticket_status_changed` triggers have a snapshot of
//! it ([`Watch::seen`]); a close made without that (the wait timed out) is counted as unobservable, not as a
//! miss. Hence the rules:
//! - `ticket_created`: every ticket the workload created has exactly one distinct event (by `event_id`).
//! - `ticket_status_changed`: every observable close has exactly one distinct event whose new status is the
//!   closed one; events to other statuses are reported (the workload makes none).
//! - `ticket_updated`: events and tickets covered are reported; no change (ticket, field, old, new) may
//!   arrive under two `event_id`s, and no `event_id` may arrive with two different bodies (any trigger).
//!
//! Re-sends of the same `event_id` are possible when a kill lands between the dispatcher's 2xx and the
//! state-file write; they are folded and reported, bounded by the kills.

#[path = "../triggers_support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use halo_sim::SimHandle;
use serde_json::{Value, json};
use support::{Dispatcher, spawn, start_message, terminate, workspace};
use tokio::task::JoinHandle;

/// The three triggers: (trigger, triggerId).
pub const TRIGGERS: [(&str, &str); 3] = [
    ("ticket_created", "soak-created"),
    ("ticket_updated", "soak-updated"),
    ("ticket_status_changed", "soak-status"),
];

/// How the triggers run.
#[derive(Debug, Clone)]
pub struct TriggerConfig {
    /// Poll interval (whole seconds, the trigger's input).
    pub interval_secs: u64,
    /// Look-back window (seconds).
    pub lookback_secs: u64,
    /// Life of one instance before its SIGKILL, random in this range (ms).
    pub life_ms: (u64, u64),
    /// Kills (each followed by a restart) every trigger gets at least, even if the workload ends first.
    pub min_restarts: usize,
    /// Share of deliveries the dispatcher rejects with 503.
    pub dispatcher_fail: f64,
    /// Longest wait before a close for the triggers to have seen the ticket.
    pub close_wait: Duration,
    /// Longest wait after the workload for the final instances to deliver everything.
    pub catch_up: Duration,
    /// Seed of the kill schedule and the dispatcher's failures.
    pub seed: u64,
}

impl Default for TriggerConfig {
    fn default() -> Self {
        Self {
            // Each poll is 1 list request plus one detail read per changed ticket, so the triggers' share of
            // the sim's 40 requests/s grows with the workload, not the interval: 1 s keeps the pre-close
            // wait short (the workload is paced by it) at about 3 list requests/s.
            interval_secs: 1,
            lookback_secs: 10,
            life_ms: (1500, 5000),
            min_restarts: 2,
            dispatcher_fail: 0.1,
            close_wait: Duration::from_secs(30),
            catch_up: Duration::from_secs(60),
            seed: 0x50a6_2026,
        }
    }
}

/// Per-trigger counters.
#[derive(Debug, Default, Clone)]
pub struct TriggerStats {
    /// Processes started.
    pub starts: usize,
    /// SIGKILLs (each followed by a restart).
    pub kills: usize,
    /// Instances that exited on their own (restarted like a killed one).
    pub exited: usize,
    /// Envelopes the dispatcher accepted (re-sends included).
    pub accepted: usize,
    /// Distinct `event_id`s among them.
    pub distinct: usize,
    /// Exit code of the final instance after the terminate flag.
    pub exit_code: Option<i32>,
}

impl TriggerStats {
    /// Accepted envelopes whose `event_id` had been accepted before.
    pub fn resends(&self) -> usize {
        self.accepted - self.distinct
    }
}

/// What the trigger audit found.
#[derive(Debug, Default, Clone)]
pub struct TriggerReport {
    /// Poll interval used.
    pub interval_secs: u64,
    /// Counters by trigger name.
    pub per_trigger: BTreeMap<&'static str, TriggerStats>,
    /// Deliveries the dispatcher rejected (all triggers).
    pub dispatcher_rejected: usize,
    /// Tickets the workload created (the store's non-seeded tickets).
    pub created_expected: usize,
    /// …with exactly one distinct `ticket_created` event.
    pub created_once: usize,
    /// …with none (must be 0).
    pub created_missed: usize,
    /// Extra distinct `ticket_created` events for one ticket (must be 0).
    pub created_duplicated: usize,
    /// `ticket_created` events for tickets the workload did not create (must be 0).
    pub created_unexpected: usize,
    /// Tickets the workload closed (closed in the store).
    pub closes_expected: usize,
    /// …closed before the triggers had seen the ticket (the wait timed out; must be 0).
    pub closes_unobservable: usize,
    /// …with exactly one distinct `ticket_status_changed` event to the closed status.
    pub closes_once: usize,
    /// Observable closes without such an event (must be 0).
    pub closes_missed: usize,
    /// Extra distinct close events for one ticket (must be 0).
    pub closes_duplicated: usize,
    /// `ticket_status_changed` events to a status other than the closed one.
    pub status_other: usize,
    /// Distinct `ticket_updated` events.
    pub updated_events: usize,
    /// Tickets with at least one.
    pub updated_tickets: usize,
    /// Closed tickets whose close (`status_id` → closed) `ticket_updated` reported.
    pub updated_closes: usize,
    /// Observable closes `ticket_updated` did not report (must be 0: the driver waited for its snapshot too).
    pub updated_closes_missed: usize,
    /// Changes (ticket, field, old, new) delivered under two or more `event_id`s (extra ids; must be 0).
    pub updated_double: usize,
    /// `event_id`s accepted with two different bodies, any trigger (must be 0).
    pub conflicts: usize,
    /// Whether every expected event arrived before the catch-up timeout.
    pub caught_up: bool,
    /// Time from the workload's end until the last expected event arrived (or the timeout).
    pub catch_up: Duration,
    /// The triggers' list polls (`GET /api/Tickets?lastupdatefromdate=`) the sim received.
    pub polls: usize,
    /// …of which got an injected fault or a real 429.
    pub polls_faulted: usize,
    /// The last lines of the triggers' logs (for failure messages).
    pub log_tail: String,
}

/// Lets the driver check, before a close, that the close will be observable.
#[derive(Clone)]
pub struct Watch {
    states: Vec<(PathBuf, &'static str)>,
}

impl Watch {
    /// Whether `ticket_updated` and `ticket_status_changed` have both stored a snapshot of ticket `id`.
    pub fn seen(&self, id: u64) -> bool {
        self.states.iter().all(|(ws, tid)| {
            support::state(ws, tid).is_some_and(|s| !s["snapshots"][id.to_string()].is_null())
        })
    }

    /// Waits (polling the state files) until [`Watch::seen`], at most `timeout`.
    pub async fn wait_seen(&self, id: u64, timeout: Duration) -> bool {
        let start = Instant::now();
        loop {
            if self.seen(id) {
                return true;
            }
            if start.elapsed() >= timeout {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[derive(Default)]
struct Counters {
    starts: AtomicUsize,
    kills: AtomicUsize,
    exited: AtomicUsize,
}

/// The three running triggers.
pub struct Fleet {
    cfg: TriggerConfig,
    disp: Dispatcher,
    _dir: tempfile::TempDir,
    ws: Vec<PathBuf>,
    counters: Vec<Arc<Counters>>,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<Option<i32>>>,
}

/// Keeps one trigger running: SIGKILL after a random life, restart, until `stop` and at least
/// `min_restarts` kills; the instance running then is the final one, stopped with the terminate flag once
/// `done`. An instance that exits by itself is restarted as a killed one would be.
async fn supervise(
    ws: PathBuf,
    msg: Value,
    cfg: TriggerConfig,
    c: Arc<Counters>,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    seed: u64,
) -> Option<i32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let finished = |c: &Counters| {
        stop.load(Ordering::SeqCst) && c.kills.load(Ordering::SeqCst) >= cfg.min_restarts
    };
    c.starts.fetch_add(1, Ordering::SeqCst);
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    loop {
        let life = Duration::from_millis(rng.u64(cfg.life_ms.0..cfg.life_ms.1));
        let born = Instant::now();
        let mut exited = false;
        while born.elapsed() < life && !finished(&c) {
            if child.try_wait().ok().flatten().is_some() {
                exited = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if !exited && finished(&c) {
            break;
        }
        if exited {
            c.exited.fetch_add(1, Ordering::SeqCst);
        } else {
            child.start_kill().unwrap();
            let _ = child.wait().await;
            c.kills.fetch_add(1, Ordering::SeqCst);
        }
        c.starts.fetch_add(1, Ordering::SeqCst);
        child = spawn(&["run"], &ws, &msg, false).await;
    }
    while !done.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    terminate(&ws, &mut child).await
}

/// What the workload left in the store, for the audit.
pub struct Expect {
    /// Tickets the workload created.
    pub created: BTreeSet<u64>,
    /// Of those, the ones closed at the end.
    pub closed: BTreeSet<u64>,
    /// Closes made only after [`Watch::seen`].
    pub observable: BTreeSet<u64>,
    /// The closed status.
    pub closed_status: u64,
}

/// Accepted outputs folded by `event_id`: the distinct events, and how many ids came with two bodies.
fn fold(outputs: Vec<Value>) -> (BTreeMap<String, Value>, usize) {
    let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
    let mut conflicting = BTreeSet::new();
    for out in outputs {
        let id = out["event"]["event_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match by_id.get(&id) {
            Some(first) if *first != out => {
                conflicting.insert(id);
            }
            Some(_) => {}
            None => {
                by_id.insert(id, out);
            }
        }
    }
    (by_id, conflicting.len())
}

fn ticket_of(out: &Value) -> u64 {
    out["event"]["ticket_id"].as_u64().unwrap_or_default()
}

impl Fleet {
    /// Starts the dispatcher and the three triggers against the connection `conn`; returns once each has
    /// written its first state, so every ticket created afterwards is new to `ticket_created`.
    pub async fn start(conn: &Value, cfg: TriggerConfig) -> Self {
        let disp = Dispatcher::start(cfg.dispatcher_fail, cfg.seed).await;
        let dir = tempfile::tempdir().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicBool::new(false));
        let (mut ws, mut counters, mut tasks) = (Vec::new(), Vec::new(), Vec::new());
        for (i, (trigger, id)) in TRIGGERS.into_iter().enumerate() {
            let w = workspace(dir.path(), id);
            let input = json!({"interval": cfg.interval_secs, "lookback": cfg.lookback_secs});
            let msg = start_message(trigger, id, input, conn, &disp.url);
            let c = Arc::new(Counters::default());
            tasks.push(tokio::spawn(supervise(
                w.clone(),
                msg,
                cfg.clone(),
                c.clone(),
                stop.clone(),
                done.clone(),
                cfg.seed + 1 + i as u64,
            )));
            ws.push(w);
            counters.push(c);
        }
        for (w, (_, id)) in ws.iter().zip(TRIGGERS) {
            support::wait_for(Duration::from_secs(30), "the trigger's first state", || {
                support::state(w, id).is_some()
            })
            .await;
        }
        Self {
            cfg,
            disp,
            _dir: dir,
            ws,
            counters,
            stop,
            done,
            tasks,
        }
    }

    /// The pre-close check for the driver.
    pub fn watch(&self) -> Watch {
        Watch {
            states: self.ws[1..]
                .iter()
                .cloned()
                .zip(TRIGGERS[1..].iter().map(|t| t.1))
                .collect(),
        }
    }

    /// Longest pre-close wait.
    pub fn close_wait(&self) -> Duration {
        self.cfg.close_wait
    }

    fn outputs(&self, i: usize) -> Vec<Value> {
        self.disp.outputs(TRIGGERS[i].1)
    }

    /// The audit of what was delivered so far.
    fn audit(&self, exp: &Expect) -> TriggerReport {
        let mut r = TriggerReport {
            interval_secs: self.cfg.interval_secs,
            dispatcher_rejected: self.disp.rejected(),
            created_expected: exp.created.len(),
            closes_expected: exp.closed.len(),
            ..TriggerReport::default()
        };
        let mut folded = Vec::new();
        for (i, (name, _)) in TRIGGERS.into_iter().enumerate() {
            let outputs = self.outputs(i);
            let accepted = outputs.len();
            let (events, conflicts) = fold(outputs);
            r.conflicts += conflicts;
            let c = &self.counters[i];
            r.per_trigger.insert(
                name,
                TriggerStats {
                    starts: c.starts.load(Ordering::SeqCst),
                    kills: c.kills.load(Ordering::SeqCst),
                    exited: c.exited.load(Ordering::SeqCst),
                    accepted,
                    distinct: events.len(),
                    exit_code: None,
                },
            );
            folded.push(events);
        }

        let mut created: BTreeMap<u64, usize> = BTreeMap::new();
        for out in folded[0].values() {
            *created.entry(ticket_of(out)).or_default() += 1;
        }
        for (t, n) in &created {
            if exp.created.contains(t) {
                r.created_duplicated += n - 1;
            } else {
                r.created_unexpected += n;
            }
        }
        r.created_once = exp
            .created
            .iter()
            .filter(|t| created.get(t) == Some(&1))
            .count();
        r.created_missed = exp
            .created
            .iter()
            .filter(|t| !created.contains_key(t))
            .count();

        let mut closes: BTreeMap<u64, usize> = BTreeMap::new();
        for out in folded[2].values() {
            if out["event"]["new_status_id"].as_u64() == Some(exp.closed_status) {
                *closes.entry(ticket_of(out)).or_default() += 1;
            } else {
                r.status_other += 1;
            }
        }
        r.closes_unobservable = exp.closed.difference(&exp.observable).count();
        r.closes_once = exp
            .closed
            .iter()
            .filter(|t| closes.get(t) == Some(&1))
            .count();
        r.closes_missed = exp
            .closed
            .intersection(&exp.observable)
            .filter(|t| !closes.contains_key(t))
            .count();
        r.closes_duplicated = closes.values().map(|n| n - 1).sum();

        let mut by_change: BTreeMap<(u64, String, String, String), usize> = BTreeMap::new();
        let mut tickets = BTreeSet::new();
        let mut closed_seen = BTreeSet::new();
        let closed_text = exp.closed_status.to_string();
        for out in folded[1].values() {
            let t = ticket_of(out);
            tickets.insert(t);
            for c in out["event"]["changes"].as_array().into_iter().flatten() {
                let field = c["field"].as_str().unwrap_or_default().to_string();
                if field == "status_id" && c["new"].as_str() == Some(closed_text.as_str()) {
                    closed_seen.insert(t);
                }
                *by_change
                    .entry((t, field, c["old"].to_string(), c["new"].to_string()))
                    .or_default() += 1;
            }
        }
        r.updated_events = folded[1].len();
        r.updated_tickets = tickets.len();
        r.updated_closes = exp.closed.intersection(&closed_seen).count();
        r.updated_closes_missed = exp
            .closed
            .intersection(&exp.observable)
            .filter(|t| !closed_seen.contains(t))
            .count();
        r.updated_double = by_change.values().map(|n| n - 1).sum();
        r
    }

    /// After the workload: waits (at most the catch-up timeout) until every expected event arrived and no
    /// trigger has events pending, lets the final instances run two more intervals (anything they send then
    /// is counted), stops them with the terminate flag and audits. The sim keeps its faults meanwhile.
    pub async fn finish(mut self, exp: &Expect, sim: &SimHandle) -> TriggerReport {
        self.stop.store(true, Ordering::SeqCst);
        let start = Instant::now();
        let mut caught_up = false;
        while start.elapsed() < self.cfg.catch_up {
            if self.complete(exp) {
                caught_up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let catch_up = start.elapsed();
        tokio::time::sleep(Duration::from_secs(2 * self.cfg.interval_secs)).await;
        self.done.store(true, Ordering::SeqCst);
        let mut codes = Vec::new();
        for t in std::mem::take(&mut self.tasks) {
            codes.push(t.await.unwrap());
        }
        let mut r = self.audit(exp);
        for ((name, _), code) in TRIGGERS.into_iter().zip(codes) {
            if let Some(s) = r.per_trigger.get_mut(name) {
                s.exit_code = code;
            }
        }
        r.caught_up = caught_up;
        r.catch_up = catch_up;
        for e in sim.journal().matching("GET /api/Tickets") {
            if e.query_param("lastupdatefromdate").is_some() {
                r.polls += 1;
                r.polls_faulted += usize::from(e.rate_limited || e.fault.is_some());
            }
        }
        let logs: Vec<String> = self.ws.iter().map(|w| support::stderr(w)).collect();
        let lines: Vec<&str> = logs.iter().flat_map(|l| l.lines()).collect();
        r.log_tail = lines[lines.len().saturating_sub(30)..].join("\n");
        r
    }

    /// Every expected event delivered, nothing pending, and every trigger killed often enough.
    fn complete(&self, exp: &Expect) -> bool {
        let r = self.audit(exp);
        r.created_missed == 0
            && r.closes_missed == 0
            && r.updated_closes_missed == 0
            && self.ws.iter().zip(TRIGGERS).all(|(w, (_, id))| {
                support::state(w, id)
                    .is_some_and(|s| s["pending"].as_array().is_none_or(Vec::is_empty))
            })
            && self
                .counters
                .iter()
                .all(|c| c.kills.load(Ordering::SeqCst) >= self.cfg.min_restarts)
    }
}

impl TriggerReport {
    /// Plain-text tables: per trigger, then the audit figures.
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "triggers (poll interval {} s), SIGKILLed and restarted beside the workload:\n",
            self.interval_secs
        );
        let _ = writeln!(
            s,
            "| trigger | processes started | SIGKILL + restart | exited on their own | events accepted | distinct event_ids | re-sent after a kill | exit code on terminate |"
        );
        let _ = writeln!(s, "| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (name, t) in &self.per_trigger {
            let code = t.exit_code.map_or("none".to_string(), |c| c.to_string());
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {} | {} | {} | {} | {code} |",
                t.starts,
                t.kills,
                t.exited,
                t.accepted,
                t.distinct,
                t.resends()
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "| trigger figure | target | result |");
        let _ = writeln!(s, "| --- | --- | --- |");
        let rows = [
            (
                "tickets created → exactly one ticket_created event",
                "= created".to_string(),
                format!("{} / {}", self.created_once, self.created_expected),
            ),
            (
                "ticket_created: missed; duplicated; for other tickets",
                "0; 0; 0".into(),
                format!(
                    "{}; {}; {}",
                    self.created_missed, self.created_duplicated, self.created_unexpected
                ),
            ),
            (
                "tickets closed → exactly one ticket_status_changed to the closed status",
                "= closed".into(),
                format!("{} / {}", self.closes_once, self.closes_expected),
            ),
            (
                "ticket_status_changed: missed; duplicated; closes not observable",
                "0; 0; 0".into(),
                format!(
                    "{}; {}; {}",
                    self.closes_missed, self.closes_duplicated, self.closes_unobservable
                ),
            ),
            (
                "ticket_status_changed to another status",
                "-".into(),
                self.status_other.to_string(),
            ),
            (
                "ticket_updated: distinct events; tickets covered; closes reported",
                "-".into(),
                format!(
                    "{}; {}; {} / {}",
                    self.updated_events,
                    self.updated_tickets,
                    self.updated_closes,
                    self.closes_expected
                ),
            ),
            (
                "ticket_updated: observable closes not reported",
                "0".into(),
                self.updated_closes_missed.to_string(),
            ),
            (
                "ticket_updated: one change under two event_ids",
                "0".into(),
                self.updated_double.to_string(),
            ),
            (
                "event_ids accepted with two different bodies",
                "0".into(),
                self.conflicts.to_string(),
            ),
            (
                "dispatcher deliveries rejected (503)",
                "-".into(),
                self.dispatcher_rejected.to_string(),
            ),
            (
                "trigger list polls; faulted (injected + real 429)",
                "-".into(),
                format!("{}; {}", self.polls, self.polls_faulted),
            ),
            (
                "catch-up after the workload",
                "caught up".into(),
                format!(
                    "{} in {:.1} s",
                    if self.caught_up {
                        "caught up"
                    } else {
                        "TIMED OUT"
                    },
                    self.catch_up.as_secs_f64()
                ),
            ),
        ];
        for (a, b, c) in rows {
            let _ = writeln!(s, "| {a} | {b} | {c} |");
        }
        s
    }
}
