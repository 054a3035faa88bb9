//! The deployment guide's functional checklist, step by step, run through the plugin against the simulated tenant.
//! Every verdict is checked against the simulator's own state (its store and request journal), not only against
//! what the plugin says it did.

use std::time::{Duration, Instant};

use halo_sim::{RateLimitConfig, SimHandle};
use serde_json::{Value, json};

use super::plugin::{Answer, Plugin};

/// A step's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It did what it should.
    Pass,
    /// It did not.
    Fail,
    /// The plugin has no code for it in this build.
    NotAvailable,
}

impl Verdict {
    /// Machine name (JSON, table).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::NotAvailable => "not available",
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone)]
pub struct StepReport {
    /// Step name.
    pub name: &'static str,
    /// Verdict.
    pub verdict: Verdict,
    /// Wall time.
    pub elapsed: Duration,
    /// What was seen (or what went wrong).
    pub detail: String,
}

type Outcome = Result<String, StepFail>;

/// Why a step did not pass.
pub enum StepFail {
    /// It ran and was wrong.
    Fail(String),
    /// No code for it.
    NotAvailable(String),
}

fn fail<T>(msg: impl Into<String>) -> Result<T, StepFail> {
    Err(StepFail::Fail(msg.into()))
}

/// Longest a single step may take.
const STEP_LIMIT: Duration = Duration::from_secs(90);

/// Runs the checklist.
pub struct Checklist<'a> {
    sim: &'a SimHandle,
    plugin: &'a Plugin,
    ticket: Option<u64>,
    reports: Vec<StepReport>,
    progress: &'a dyn Fn(&StepReport),
}

fn ok_output(a: Answer, what: &str) -> Result<Value, StepFail> {
    match a {
        Answer::Ok(v) => Ok(v),
        Answer::Error(status, exc) => fail(format!(
            "{what} failed (HTTP {status}): {}",
            exc.get("cause")
                .and_then(Value::as_str)
                .unwrap_or("no cause")
        )),
    }
}

fn ticket_id_of(out: &Value) -> Option<u64> {
    out.pointer("/ticket/id").and_then(Value::as_u64)
}

impl<'a> Checklist<'a> {
    /// A checklist against `sim` through `plugin`; `progress` sees each step as it finishes.
    pub fn new(sim: &'a SimHandle, plugin: &'a Plugin, progress: &'a dyn Fn(&StepReport)) -> Self {
        Self {
            sim,
            plugin,
            ticket: None,
            reports: Vec::new(),
            progress,
        }
    }

    async fn step<F>(&mut self, name: &'static str, f: F)
    where
        F: std::future::Future<Output = Outcome>,
    {
        let started = Instant::now();
        let result = tokio::time::timeout(STEP_LIMIT, f).await;
        let (verdict, detail) = match result {
            Ok(Ok(d)) => (Verdict::Pass, d),
            Ok(Err(StepFail::Fail(d))) => (Verdict::Fail, d),
            Ok(Err(StepFail::NotAvailable(d))) => (Verdict::NotAvailable, d),
            Err(_) => (
                Verdict::Fail,
                format!("did not finish within {} s", STEP_LIMIT.as_secs()),
            ),
        };
        let r = StepReport {
            name,
            verdict,
            elapsed: started.elapsed(),
            detail,
        };
        (self.progress)(&r);
        self.reports.push(r);
    }

    /// Run every step in order and return the reports.
    pub async fn run(mut self) -> Vec<StepReport> {
        let (sim, plugin) = (self.sim, self.plugin);

        self.step("connection test", async {
            let ids = sim.tokens_issued();
            // list_statuses is the cheapest authenticated call the plugin makes through its real client.
            let out = ok_output(
                plugin.action("list_statuses", json!({})).await,
                "list_statuses",
            )?;
            let n = out
                .get("statuses")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if n == 0 {
                return fail("no statuses came back");
            }
            Ok(format!(
                "token issued ({} new), {n} statuses read",
                sim.tokens_issued() - ids
            ))
        })
        .await;

        let created = async {
            let out = ok_output(
                plugin
                    .action(
                        "create_ticket",
                        json!({"summary": "Sandbox: phishing email reported", "details": "<p>Reported by the sandbox</p>"}),
                    )
                    .await,
                "create_ticket",
            )?;
            let id = ticket_id_of(&out)
                .ok_or_else(|| StepFail::Fail(format!("no ticket id in {out}")))?;
            match sim.ticket(id) {
                Some(t) if t["summary"] == "Sandbox: phishing email reported" => {
                    Ok((id, format!("ticket {id} created")))
                }
                Some(t) => fail(format!("ticket {id} has summary {}", t["summary"])),
                None => fail(format!(
                    "the plugin reported ticket {id} but the tenant has none"
                )),
            }
        };
        let started = Instant::now();
        let res = tokio::time::timeout(STEP_LIMIT, created).await;
        let (verdict, detail) = match res {
            Ok(Ok((id, d))) => {
                self.ticket = Some(id);
                (Verdict::Pass, d)
            }
            Ok(Err(StepFail::Fail(d))) => (Verdict::Fail, d),
            Ok(Err(StepFail::NotAvailable(d))) => (Verdict::NotAvailable, d),
            Err(_) => (Verdict::Fail, "timed out".into()),
        };
        let r = StepReport {
            name: "create",
            verdict,
            elapsed: started.elapsed(),
            detail,
        };
        (self.progress)(&r);
        self.reports.push(r);

        let ticket = self.ticket;
        self.step("update", async move {
            let id = need(ticket)?;
            ok_output(
                plugin
                    .action("update_ticket", json!({"ticket_id": id, "summary": "Sandbox: phishing email reported (triaged)"}))
                    .await,
                "update_ticket",
            )?;
            match sim.ticket(id) {
                Some(t) if t["summary"] == "Sandbox: phishing email reported (triaged)" => Ok(format!("ticket {id} summary changed")),
                other => fail(format!("summary in the tenant is {}", other.map(|t| t["summary"].clone()).unwrap_or_default())),
            }
        })
        .await;

        self.step("get", async move {
            let id = need(ticket)?;
            let out = ok_output(
                plugin.action("get_ticket", json!({"ticket_id": id})).await,
                "get_ticket",
            )?;
            if out["found"] != true || ticket_id_of(&out) != Some(id) {
                return fail(format!("get_ticket answered {out}"));
            }
            Ok(format!("ticket {id} read back"))
        })
        .await;

        self.step("search", async move {
            let id = need(ticket)?;
            let out = ok_output(
                plugin
                    .action("search_tickets", json!({"search": "phishing email"}))
                    .await,
                "search_tickets",
            )?;
            let hit = out["tickets"]
                .as_array()
                .is_some_and(|a| a.iter().any(|t| t["id"].as_u64() == Some(id)));
            if !hit {
                return fail(format!("ticket {id} not among {} result(s)", out["count"]));
            }
            Ok(format!("found among {} result(s)", out["count"]))
        })
        .await;

        self.step("assign", async move {
            let id = need(ticket)?;
            let agent = sim
                .seed()
                .agents
                .iter()
                .filter(|a| !a["isapiagent"].as_bool().unwrap_or(false))
                .filter_map(|a| a["id"].as_u64())
                .find(|a| *a > 1)
                .ok_or_else(|| StepFail::Fail("the tenant has no agent to assign".into()))?;
            ok_output(
                plugin
                    .action("assign_ticket", json!({"ticket_id": id, "agent_id": agent}))
                    .await,
                "assign_ticket",
            )?;
            match sim.ticket(id).and_then(|t| t["agent_id"].as_u64()) {
                Some(a) if a == agent => Ok(format!("ticket {id} assigned to agent {agent}")),
                other => fail(format!("agent in the tenant is {other:?}, wanted {agent}")),
            }
        })
        .await;

        self.step("comment", async move {
            let id = need(ticket)?;
            let out = ok_output(
                plugin
                    .action("add_comment", json!({"ticket_id": id, "comment": "Containment started by the sandbox", "is_private": true}))
                    .await,
                "add_comment",
            )?;
            let stored = sim
                .actions(id)
                .iter()
                .any(|a| a["note"].as_str().is_some_and(|n| n.contains("Containment started by the sandbox")));
            if !stored {
                return fail("the note is not in the ticket's actions");
            }
            Ok(format!("note {} added", out["comment_id"]))
        })
        .await;

        self.step("close", async move {
            let id = need(ticket)?;
            ok_output(
                plugin
                    .action(
                        "close_ticket",
                        json!({"ticket_id": id, "resolution": "False positive"}),
                    )
                    .await,
                "close_ticket",
            )?;
            let t = sim.ticket(id).unwrap_or_default();
            if closed_in_sim(sim, &t) {
                Ok(format!("ticket {id} closed (status {})", t["status_id"]))
            } else {
                fail(format!("status in the tenant is {}", t["status_id"]))
            }
        })
        .await;

        self.step("trigger fires", trigger_step(sim, plugin)).await;
        self.step(
            "status sync from investigation",
            status_sync_step(sim, plugin),
        )
        .await;

        self.step("error: bad credential", async {
            let mut conn = plugin.connection().clone();
            conn["client_secret"] = json!({"secretKey": "not-the-secret"});
            match plugin
                .action_with("get_ticket", json!({"ticket_id": 1}), conn)
                .await
            {
                Answer::Ok(v) => fail(format!("a wrong secret was accepted: {v}")),
                Answer::Error(status, exc) => {
                    let cause = exc["cause"].as_str().unwrap_or_default().to_string();
                    let assistance = exc["assistance"].as_str().unwrap_or_default();
                    if cause.is_empty() || assistance.is_empty() {
                        return fail(format!("error without cause/assistance: {exc}"));
                    }
                    if exc.to_string().contains("not-the-secret") {
                        return fail("the error shows the secret");
                    }
                    Ok(format!("refused (HTTP {status}): {cause}"))
                }
            }
        })
        .await;

        self.step("error: bad id", async {
            match plugin
                .action("get_ticket", json!({"ticket_id": 987_654_321u64}))
                .await
            {
                Answer::Ok(v) if v["found"] == false => {
                    Ok("ticket 987654321: found = false".into())
                }
                Answer::Ok(v) => fail(format!("a missing ticket was found: {v}")),
                Answer::Error(status, exc) if status < 500 => Ok(format!(
                    "refused (HTTP {status}): {}",
                    exc["cause"].as_str().unwrap_or_default()
                )),
                Answer::Error(status, exc) => fail(format!("HTTP {status}: {exc}")),
            }
        })
        .await;

        self.step("error: 429 storm survived", storm_step(sim, plugin, ticket))
            .await;

        self.reports
    }
}

fn need(ticket: Option<u64>) -> Result<u64, StepFail> {
    ticket.ok_or_else(|| StepFail::Fail("skipped: no ticket was created in the create step".into()))
}

fn closed_in_sim(sim: &SimHandle, t: &Value) -> bool {
    let status = t["status_id"].as_u64();
    let closed_ids: Vec<u64> = sim
        .seed()
        .statuses
        .iter()
        .filter(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("closed"))
        })
        .filter_map(|s| s["id"].as_u64())
        .collect();
    status.is_some_and(|s| closed_ids.contains(&s)) || t["hasbeenclosed"] == true
}

async fn trigger_step(sim: &SimHandle, plugin: &Plugin) -> Outcome {
    const NAME: &str = "ticket_created";
    if !Plugin::has_trigger(NAME) {
        return Err(StepFail::NotAvailable(format!(
            "this plugin build has no {NAME} trigger"
        )));
    }
    let polls_before = sim.journal().count("GET /api/Tickets");
    let mut running = plugin
        .start_trigger(
            NAME,
            json!({"interval": 1}),
            &format!("halo-cli-sandbox-{}", std::process::id()),
        )
        .await
        .map_err(StepFail::Fail)?;
    // Wait for the trigger's baseline read and first poll, so the new ticket is a change it has not seen.
    let ready = tokio::time::Instant::now() + Duration::from_secs(20);
    while sim.journal().count("GET /api/Tickets") < polls_before + 2 {
        if tokio::time::Instant::now() > ready {
            return fail("the trigger never polled the tenant");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = ok_output(
        plugin
            .action(
                "create_ticket",
                json!({"summary": "Sandbox: trigger probe"}),
            )
            .await,
        "create_ticket",
    )?;
    let id = ticket_id_of(&out).ok_or_else(|| StepFail::Fail("no ticket id".into()))?;
    let ev = running
        .wait_for(Duration::from_secs(30), |ev| {
            ev.pointer("/event/ticket_id").and_then(Value::as_u64) == Some(id)
                || ev.pointer("/ticket/id").and_then(Value::as_u64) == Some(id)
        })
        .await
        .map_err(StepFail::Fail)?;
    Ok(format!(
        "{} event {} for ticket {id}",
        ev.pointer("/event/event")
            .and_then(Value::as_str)
            .unwrap_or(NAME),
        ev.pointer("/event/event_id")
            .and_then(Value::as_str)
            .unwrap_or("?")
    ))
}

async fn status_sync_step(sim: &SimHandle, plugin: &Plugin) -> Outcome {
    const CREATE: &str = "create_ticket_from_investigation";
    const SYNC: &str = "sync_ticket_status";
    for name in [CREATE, SYNC] {
        if haloitsm_plugin::actions::registry().action(name).is_none() {
            return Err(StepFail::NotAvailable(format!(
                "this plugin build has no {name} action"
            )));
        }
    }
    let rrn = format!(
        "rrn:investigation:us:sandbox:investigation:{}",
        std::process::id()
    );
    let out = ok_output(
        plugin
            .action(
                CREATE,
                json!({"investigation": {"rrn": rrn, "title": "Suspicious login from new country", "status": "OPEN",
                    "priority": "HIGH", "disposition": "UNDECIDED", "source": "ALERT"}}),
            )
            .await,
        CREATE,
    )?;
    let id = ticket_id_of(&out).ok_or_else(|| StepFail::Fail(format!("no ticket id in {out}")))?;
    let sync = ok_output(
        plugin
            .action(
                SYNC,
                json!({"external_key": rrn, "source": "InsightIDR", "status": "CLOSED", "disposition": "MALICIOUS"}),
            )
            .await,
        SYNC,
    )?;
    let t = sim.ticket(id).unwrap_or_default();
    if !closed_in_sim(sim, &t) {
        return fail(format!(
            "investigation CLOSED mapped to {} but the ticket's status is {}",
            sync["halo_status"], t["status_id"]
        ));
    }
    Ok(format!(
        "investigation CLOSED → ticket {id} {}",
        sync["halo_status"].as_str().unwrap_or("closed")
    ))
}

async fn storm_step(sim: &SimHandle, plugin: &Plugin, ticket: Option<u64>) -> Outcome {
    let id = ticket.ok_or_else(|| StepFail::Fail("skipped: no ticket was created".into()))?;
    let before = sim.rate_limit();
    // The tenant's budget is far below what this connection is told (3000 per 5 min): the tenant answers 429
    // with Retry-After until halo-api's shared limiter pauses every caller and retries.
    sim.set_rate_limit(Some(
        RateLimitConfig::new(4, Duration::from_secs(2)).with_retry_after(true),
    ));
    let mut conn = plugin.connection().clone();
    conn["rate_limit"] = json!(3000);
    let limited_before = count_429(sim);
    let calls =
        (0..8).map(|_| plugin.action_with("get_ticket", json!({"ticket_id": id}), conn.clone()));
    let answers = futures::future::join_all(calls).await;
    sim.set_rate_limit(before);
    let storm = count_429(sim) - limited_before;
    let failed: Vec<String> = answers
        .iter()
        .filter_map(|a| match a {
            Answer::Ok(v) if v["found"] == true => None,
            Answer::Ok(v) => Some(format!("{v}")),
            Answer::Error(s, e) => Some(format!(
                "HTTP {s}: {}",
                e["cause"].as_str().unwrap_or_default()
            )),
        })
        .collect();
    if !failed.is_empty() {
        return fail(format!(
            "{} of 8 calls failed after {storm} 429s: {}",
            failed.len(),
            failed[0]
        ));
    }
    if storm == 0 {
        return fail("the tenant never answered 429, so nothing was proven");
    }
    Ok(format!(
        "8 of 8 calls succeeded through {storm} 429 answers"
    ))
}

fn count_429(sim: &SimHandle) -> usize {
    sim.journal()
        .entries()
        .iter()
        .filter(|e| e.rate_limited || e.status == Some(429))
        .count()
}
