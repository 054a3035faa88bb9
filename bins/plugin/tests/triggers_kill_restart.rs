//! The delivery guarantee: tickets are created, updated and moved to another status while the three
//! trigger processes (the built binary) are SIGKILLed at random points and restarted, and the
//! dispatcher fails a share of deliveries. Every create, update and status change must arrive —
//! exactly once per change (counted by (trigger, ticket id, change) after folding re-sends of the same
//! `event_id`), with re-sends bounded by the number of kills.
//!
//! Changes to one ticket are spaced so each is observable: a poller only ever sees the latest state, so
//! the test waits until the triggers have observed one change before making the next to that ticket.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;
mod triggers_support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sync_support::{connection, sim};
use triggers_support::{
    Dispatcher, snapshot_has, spawn, start_message, stderr, wait_for, workspace,
};

const TICKETS: u64 = 8;
const SEED: u64 = 0x5eed_2026;
const PHASE: Duration = Duration::from_secs(25);

struct Runner {
    trigger: &'static str,
    id: &'static str,
    ws: PathBuf,
}

/// Keeps one trigger running, killing it with SIGKILL after a random 0.3–2.5 s and restarting it,
/// until `stop`; then leaves a final instance running until `done`.
async fn supervise(
    r: Arc<Runner>,
    msg: Value,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    kills: Arc<AtomicUsize>,
    seed: u64,
) {
    let mut rng = fastrand::Rng::with_seed(seed);
    while !stop.load(Ordering::SeqCst) {
        let mut child = spawn(&["run"], &r.ws, &msg, false).await;
        let life = Duration::from_millis(rng.u64(300..2500));
        let start = Instant::now();
        while start.elapsed() < life && !stop.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if stop.load(Ordering::SeqCst) {
            let _ = child.start_kill();
            let _ = child.wait().await;
            break;
        }
        child.start_kill().unwrap();
        let _ = child.wait().await;
        kills.fetch_add(1, Ordering::SeqCst);
    }
    let mut child = spawn(&["run"], &r.ws, &msg, false).await;
    while !done.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.start_kill();
    let _ = child.wait().await;
}

fn change_key(trigger: &str, out: &Value) -> Vec<(String, u64, String)> {
    let id = out["ticket"]["id"].as_u64().unwrap();
    let ev = &out["event"];
    match trigger {
        "ticket_created" => vec![(trigger.into(), id, "created".into())],
        "ticket_updated" => ev["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    trigger.to_string(),
                    id,
                    c["field"].as_str().unwrap().to_string(),
                )
            })
            .collect(),
        _ => vec![(
            trigger.into(),
            id,
            format!("{}->{}", ev["old_status_id"], ev["new_status_id"]),
        )],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_is_delivered_once_despite_kills_and_dispatcher_failures() {
    let sim = sim().await;
    let conn = connection(&sim);
    let disp = Dispatcher::start(0.2, SEED).await;
    let dir = tempfile::tempdir().unwrap();
    let runners: Vec<Arc<Runner>> = [
        ("ticket_created", "k-created"),
        ("ticket_updated", "k-updated"),
        ("ticket_status_changed", "k-status"),
    ]
    .into_iter()
    .map(|(trigger, id)| {
        Arc::new(Runner {
            trigger,
            id,
            ws: workspace(dir.path(), id),
        })
    })
    .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicBool::new(false));
    let kills = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (i, r) in runners.iter().enumerate() {
        let msg = start_message(
            r.trigger,
            r.id,
            json!({"interval": 1, "lookback": 10}),
            &conn,
            &disp.url,
        );
        tasks.push(tokio::spawn(supervise(
            r.clone(),
            msg,
            stop.clone(),
            done.clone(),
            kills.clone(),
            SEED + i as u64,
        )));
    }
    // Let every trigger write its first state (its start time) before the first change.
    for r in &runners {
        wait_for(PHASE, "first state", || {
            triggers_support::state(&r.ws, r.id).is_some()
        })
        .await;
    }
    let mut rng = fastrand::Rng::with_seed(SEED);
    let observed = |field: &'static str, want: Box<dyn Fn(u64) -> Value>, ids: Vec<u64>| {
        let r = runners.clone();
        move || {
            ids.iter().all(|id| {
                r[1..]
                    .iter()
                    .all(|x| snapshot_has(&x.ws, x.id, *id, field, &want(*id)))
            })
        }
    };

    // Phase 1: creates.
    let mut ids = Vec::new();
    for i in 0..TICKETS {
        let t = sim
            .upsert_ticket(json!({"summary": format!("guarantee {i}"), "tickettype_id": 1}))
            .unwrap();
        ids.push(t["id"].as_u64().unwrap());
        tokio::time::sleep(Duration::from_millis(rng.u64(50..400))).await;
    }
    wait_for(
        PHASE,
        "creates observed",
        observed(
            "summary",
            Box::new(|id| json!(format!("guarantee {}", id - 1001))),
            ids.clone(),
        ),
    )
    .await;
    // Phase 2: updates of a field.
    for id in &ids {
        sim.upsert_ticket(json!({"id": id, "summary": format!("guarantee {id} edited")}))
            .unwrap();
        tokio::time::sleep(Duration::from_millis(rng.u64(50..400))).await;
    }
    wait_for(
        PHASE,
        "updates observed",
        observed(
            "summary",
            Box::new(|id| json!(format!("guarantee {id} edited"))),
            ids.clone(),
        ),
    )
    .await;
    // Phase 3: status changes.
    for id in &ids {
        sim.upsert_ticket(json!({"id": id, "status_id": 2}))
            .unwrap();
        tokio::time::sleep(Duration::from_millis(rng.u64(50..400))).await;
    }
    wait_for(
        PHASE,
        "status changes observed",
        observed("status_id", Box::new(|_| json!(2)), ids.clone()),
    )
    .await;

    let mut expected: BTreeSet<(String, u64, String)> = BTreeSet::new();
    for id in &ids {
        expected.insert(("ticket_created".into(), *id, "created".into()));
        expected.insert(("ticket_updated".into(), *id, "summary".into()));
        expected.insert(("ticket_updated".into(), *id, "status_id".into()));
        expected.insert(("ticket_status_changed".into(), *id, "1->2".into()));
    }
    stop.store(true, Ordering::SeqCst);
    let count_keys = |d: &Dispatcher| {
        let mut by_key: BTreeMap<(String, u64, String), BTreeSet<String>> = BTreeMap::new();
        for r in &runners {
            for out in d.outputs(r.id) {
                for k in change_key(r.trigger, &out) {
                    by_key
                        .entry(k)
                        .or_default()
                        .insert(out["event"]["event_id"].as_str().unwrap().to_string());
                }
            }
        }
        by_key
    };
    let all_in = || {
        count_keys(&disp)
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>()
            .is_superset(&expected)
    };
    let waited = tokio::time::timeout(PHASE, async {
        while !all_in() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    // Give the final instances a moment to send anything extra (which would be a duplicate).
    tokio::time::sleep(Duration::from_secs(3)).await;
    done.store(true, Ordering::SeqCst);
    for t in tasks {
        t.await.unwrap();
    }
    let by_key = count_keys(&disp);
    let logs: String = runners
        .iter()
        .map(|r| stderr(&r.ws))
        .collect::<Vec<_>>()
        .join("\n");
    let tail: String = logs.lines().rev().take(40).collect::<Vec<_>>().join("\n");
    assert!(
        waited.is_ok(),
        "not every change arrived: missing {:?}\nlog tail:\n{tail}",
        expected
            .difference(&by_key.keys().cloned().collect())
            .collect::<Vec<_>>()
    );
    let got: BTreeSet<_> = by_key.keys().cloned().collect();
    assert_eq!(got, expected, "unexpected events");
    for (k, event_ids) in &by_key {
        assert_eq!(
            event_ids.len(),
            1,
            "{k:?} reported as {} different events: {event_ids:?}",
            event_ids.len()
        );
    }
    let accepted = runners
        .iter()
        .map(|r| disp.outputs(r.id).len())
        .sum::<usize>();
    let distinct: usize = runners
        .iter()
        .map(|r| {
            disp.outputs(r.id)
                .iter()
                .map(|o| o["event"]["event_id"].as_str().unwrap().to_string())
                .collect::<BTreeSet<_>>()
                .len()
        })
        .sum();
    let resends = accepted - distinct;
    let kills = kills.load(Ordering::SeqCst);
    eprintln!(
        "guarantee: {} changes, {} events accepted ({distinct} distinct, {resends} re-sent after a kill), {kills} kills, {} dispatcher failures",
        expected.len(),
        accepted,
        disp.rejected()
    );
    assert!(
        kills >= 6,
        "the test must actually kill the triggers (only {kills})"
    );
    assert!(
        disp.rejected() > 0,
        "the dispatcher must actually fail sometimes"
    );
    assert!(
        resends <= kills,
        "re-sends ({resends}) can only come from kills ({kills})"
    );
}
