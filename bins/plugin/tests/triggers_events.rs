//! Each trigger against halo-sim, run as the built binary with a local dispatcher: what it reports, its
//! filters, the terminate flag, resuming from the state file, dispatcher outages, `--debug` and
//! excluding the plugin's own changes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;
mod triggers_support;

use std::time::Duration;

use haloitsm_plugin::connection::Connections;
use serde_json::{Value, json};
use sync_support::{connection, ok, sim};
use tokio::io::AsyncReadExt as _;
use triggers_support::{
    Dispatcher, snapshot_has, spawn, start_message, state, stderr, terminate, wait_for, workspace,
};

const WAIT: Duration = Duration::from_secs(20);

fn fast(extra: Value) -> Value {
    let mut v = json!({"interval": 1, "lookback": 5});
    if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    v
}

fn new_ticket(sim: &halo_sim::SimHandle, summary: &str) -> u64 {
    sim.upsert_ticket(json!({"summary": summary, "tickettype_id": 1}))
        .unwrap()["id"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn ticket_created_reports_each_new_ticket_once_and_honours_filters() {
    let sim = sim().await;
    let old = new_ticket(&sim, "before the trigger");
    let disp = Dispatcher::start(0.0, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "created");
    let msg = start_message(
        "ticket_created",
        "tc",
        fast(json!({"team": "Security Operations"})),
        &connection(&sim),
        &disp.url,
    );
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    wait_for(WAIT, "state file", || state(&ws, "tc").is_some()).await;
    let soc = sim
        .upsert_ticket(
            json!({"summary": "SOC one", "tickettype_id": 21, "team": "Security Operations"}),
        )
        .unwrap();
    let _other = sim
        .upsert_ticket(
            json!({"summary": "not SOC", "tickettype_id": 1, "team": "1st Line Support"}),
        )
        .unwrap();
    let soc2 = sim
        .upsert_ticket(
            json!({"summary": "SOC two", "tickettype_id": 21, "team": "Security Operations"}),
        )
        .unwrap();
    wait_for(WAIT, "two events", || disp.outputs("tc").len() >= 2).await;
    // Updates of already reported tickets are not creations.
    sim.upsert_ticket(json!({"id": soc["id"], "summary": "SOC one edited"}))
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(terminate(&ws, &mut child).await, Some(0), "{}", stderr(&ws));
    let outs = disp.outputs("tc");
    let ids: Vec<&Value> = outs.iter().map(|o| &o["ticket"]["id"]).collect();
    assert_eq!(ids, vec![&soc["id"], &soc2["id"]], "{outs:#?}");
    assert!(!ids.contains(&&json!(old)));
    let ev = &outs[0]["event"];
    assert_eq!(ev["event"], "ticket_created");
    assert_eq!(ev["new_status_name"], "New");
    assert_eq!(ev["insightidr_status"], "OPEN");
    assert_eq!(ev["source"], "poll");
    let env = &disp.accepted()[0];
    assert_eq!(env["type"], "trigger_event");
    assert_eq!(env["body"]["meta"], json!({"triggerId": "tc"}));
    assert!(
        env["body"].get("status").is_none(),
        "trigger events carry no status"
    );
    // The flag was removed and the state kept.
    assert!(!ws.join("tmp/terminate_trigger.flag").exists());
    assert!(
        state(&ws, "tc").unwrap()["pending"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn ticket_updated_lists_changed_fields_with_old_and_new_values() {
    let sim = sim().await;
    let id = new_ticket(&sim, "Printer jam");
    let disp = Dispatcher::start(0.0, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "updated");
    let msg = start_message(
        "ticket_updated",
        "tu",
        fast(json!({})),
        &connection(&sim),
        &disp.url,
    );
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    wait_for(WAIT, "baseline", || state(&ws, "tu").is_some()).await;
    sim.upsert_ticket(json!({"id": id, "summary": "Printer on fire", "agent_id": 4}))
        .unwrap();
    wait_for(WAIT, "update event", || !disp.outputs("tu").is_empty()).await;
    // The ticket predates the trigger, so its baseline came from a list row (no custom fields); from
    // its first full read on, custom fields are diffed too.
    sim.upsert_ticket(json!({"id": id, "status_id": 2, "customfields": [{"name": "CFSourceSystem", "value": "IDR"}]})).unwrap();
    wait_for(WAIT, "status update event", || {
        disp.outputs("tu").len() >= 2
    })
    .await;
    assert_eq!(terminate(&ws, &mut child).await, Some(0));
    let outs = disp.outputs("tu");
    assert_eq!(outs.len(), 2, "{outs:#?}");
    let changes = outs[0]["event"]["changes"].as_array().unwrap().clone();
    let find = |f: &str| changes.iter().find(|c| c["field"] == f).cloned();
    assert_eq!(
        find("summary"),
        Some(json!({"field": "summary", "old": "Printer jam", "new": "Printer on fire"}))
    );
    assert_eq!(find("agent_id").unwrap()["new"], "4");
    assert_eq!(outs[0]["previous_status_id"], 1);
    let second = outs[1]["event"]["changes"].as_array().unwrap();
    assert_eq!(
        second,
        &vec![
            json!({"field": "cf:CFSourceSystem", "new": "IDR"}),
            json!({"field": "status_id", "old": "1", "new": "2"})
        ]
    );
    assert_eq!(outs[1]["event"]["new_status_name"], "In Progress");
    assert_eq!(outs[1]["event"]["insightidr_status"], "INVESTIGATING");
}

#[tokio::test]
async fn ticket_status_changed_filters_on_the_new_status_and_maps_back() {
    let sim = sim().await;
    let id = new_ticket(&sim, "Phish");
    let disp = Dispatcher::start(0.0, 3).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "status");
    let msg = start_message(
        "ticket_status_changed",
        "ts",
        fast(json!({"new_status": "Closed"})),
        &connection(&sim),
        &disp.url,
    );
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    wait_for(WAIT, "baseline", || state(&ws, "ts").is_some()).await;
    sim.upsert_ticket(json!({"id": id, "status_id": 2}))
        .unwrap();
    wait_for(WAIT, "seen In Progress", || {
        snapshot_has(&ws, "ts", id, "status_id", &json!(2))
    })
    .await;
    sim.upsert_ticket(json!({"id": id, "status_id": 9}))
        .unwrap();
    wait_for(WAIT, "closed event", || !disp.outputs("ts").is_empty()).await;
    assert_eq!(terminate(&ws, &mut child).await, Some(0));
    let outs = disp.outputs("ts");
    assert_eq!(outs.len(), 1, "only the change to Closed: {outs:#?}");
    let o = &outs[0];
    assert_eq!(
        (o["old_status_id"].clone(), o["new_status_id"].clone()),
        (json!(2), json!(9))
    );
    assert_eq!(o["event"]["old_status_name"], "In Progress");
    assert_eq!(o["event"]["new_status_name"], "Closed");
    assert_eq!(o["event"]["insightidr_status"], "CLOSED");
    assert_eq!(o["event"]["insightvm_status"], "Closed");
    assert_eq!(o["ticket"]["closed"], true);
}

#[tokio::test]
async fn resumes_from_state_after_terminate_and_survives_a_dispatcher_outage() {
    let sim = sim().await;
    let disp = Dispatcher::start(1.0, 4).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "resume");
    let msg = start_message(
        "ticket_created",
        "tr",
        fast(json!({})),
        &connection(&sim),
        &disp.url,
    );
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    wait_for(WAIT, "state file", || state(&ws, "tr").is_some()).await;
    let a = new_ticket(&sim, "during outage");
    wait_for(WAIT, "queued while the dispatcher is down", || {
        state(&ws, "tr").is_some_and(|s| s["pending"].as_array().is_some_and(|p| !p.is_empty()))
    })
    .await;
    wait_for(WAIT, "retries", || disp.rejected() >= 2).await;
    assert_eq!(terminate(&ws, &mut child).await, Some(0));
    let b = new_ticket(&sim, "while stopped");
    disp.set_fail(0.0);
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    wait_for(WAIT, "both delivered", || disp.outputs("tr").len() >= 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(terminate(&ws, &mut child).await, Some(0));
    let ids: Vec<u64> = disp
        .outputs("tr")
        .iter()
        .map(|o| o["ticket"]["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![a, b], "{}", stderr(&ws));
    assert!(stderr(&ws).contains("Resuming ticket_created"));
}

#[tokio::test]
async fn debug_prints_events_to_stdout() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "debug");
    let msg = start_message(
        "ticket_created",
        "td",
        fast(json!({})),
        &connection(&sim),
        "",
    );
    let mut child = spawn(&["--debug", "run"], &ws, &msg, true).await;
    wait_for(WAIT, "state file", || state(&ws, "td").is_some()).await;
    let id = new_ticket(&sim, "debug me");
    wait_for(WAIT, "delivered", || {
        state(&ws, "td").is_some_and(|s| s["delivered"] == 1)
    })
    .await;
    assert_eq!(terminate(&ws, &mut child).await, Some(0));
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    let first: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["type"], "trigger_event");
    assert_eq!(first["body"]["output"]["ticket"]["id"], id);
}

#[tokio::test]
async fn own_changes_are_excluded_when_asked() {
    let sim = sim().await;
    let id = new_ticket(&sim, "loop guard");
    let conn = connection(&sim);
    let disp = Dispatcher::start(0.0, 5).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "own");
    let msg = start_message(
        "ticket_status_changed",
        "to",
        fast(json!({"exclude_own_changes": true})),
        &conn,
        &disp.url,
    );
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    wait_for(WAIT, "baseline", || state(&ws, "to").is_some()).await;
    // The plugin's own status sync (a note by the API agent) is not reported...
    let conns = Connections::default();
    let out = ok(
        &conns,
        &conn,
        "sync_ticket_status",
        json!({"ticket_id": id, "source": "InsightIDR", "status": "INVESTIGATING"}),
    )
    .await;
    assert_eq!(out["changed"], true);
    wait_for(WAIT, "own change seen", || {
        snapshot_has(&ws, "to", id, "status_id", &json!(2))
    })
    .await;
    // ...a change without the plugin's action is.
    sim.upsert_ticket(json!({"id": id, "status_id": 4}))
        .unwrap();
    wait_for(WAIT, "other change", || !disp.outputs("to").is_empty()).await;
    assert_eq!(terminate(&ws, &mut child).await, Some(0));
    let outs = disp.outputs("to");
    assert_eq!(outs.len(), 1, "{outs:#?}");
    assert_eq!(
        (
            outs[0]["old_status_id"].clone(),
            outs[0]["new_status_id"].clone()
        ),
        (json!(2), json!(4))
    );
    assert!(stderr(&ws).contains("changed by the plugin's own API agent"));
}

#[tokio::test]
async fn unknown_filter_names_fail_the_start_with_the_tenants_values() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "bad");
    let msg = start_message(
        "ticket_status_changed",
        "tb",
        fast(json!({"new_status": "Finished"})),
        &connection(&sim),
        "http://127.0.0.1:9/",
    );
    let mut child = spawn(&["run"], &ws, &msg, true).await;
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    let env: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(env["body"]["status"], "error");
    let assistance = env["body"]["exception"]["assistance"].as_str().unwrap();
    assert!(assistance.contains("In Progress (2)"), "{assistance}");
}

#[tokio::test]
async fn one_list_request_per_interval_and_details_only_for_changed_tickets() {
    let sim = sim().await;
    for i in 0..5 {
        new_ticket(&sim, &format!("quiet {i}"));
    }
    let disp = Dispatcher::start(0.0, 6).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "budget");
    let msg = start_message(
        "ticket_updated",
        "tb2",
        fast(json!({})),
        &connection(&sim),
        &disp.url,
    );
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    wait_for(WAIT, "baseline", || state(&ws, "tb2").is_some()).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let lists = |s: &halo_sim::SimHandle| s.journal().count("GET /api/Tickets");
    let details = |s: &halo_sim::SimHandle| s.journal().count("GET /api/Tickets/{id}");
    let (l0, d0) = (lists(&sim), details(&sim));
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (l1, d1) = (lists(&sim), details(&sim));
    // Interval 1 s: about one list request per second, no detail request while nothing changes
    // (the five pre-existing tickets are in the baseline and the recent set).
    assert!(
        (3..=7).contains(&(l1 - l0)),
        "{} list requests in 5 s",
        l1 - l0
    );
    assert_eq!(d1 - d0, 0, "no detail requests without changes");
    sim.upsert_ticket(json!({"id": 1001, "summary": "changed a"}))
        .unwrap();
    sim.upsert_ticket(json!({"id": 1003, "summary": "changed b"}))
        .unwrap();
    wait_for(WAIT, "two events", || disp.outputs("tb2").len() >= 2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        details(&sim) - d1,
        2,
        "one detail request per changed ticket"
    );
    assert_eq!(terminate(&ws, &mut child).await, Some(0));
}

#[tokio::test]
async fn a_halo_outage_at_start_is_waited_out() {
    let sim = sim().await;
    // More failures than halo-api's 4 attempts: the first start fails, the trigger waits an interval and
    // starts again instead of exiting.
    sim.faults()
        .next(5, "GET /api/Status", halo_sim::Fault::status(503));
    let disp = Dispatcher::start(0.0, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "outage");
    let msg = start_message(
        "ticket_created",
        "to",
        fast(json!({})),
        &connection(&sim),
        &disp.url,
    );
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    wait_for(Duration::from_secs(60), "state file", || {
        state(&ws, "to").is_some()
    })
    .await;
    assert!(
        stderr(&ws).contains("Starting ticket_created failed"),
        "{}",
        stderr(&ws)
    );
    let t = new_ticket(&sim, "after the outage");
    wait_for(WAIT, "the event", || !disp.outputs("to").is_empty()).await;
    assert_eq!(terminate(&ws, &mut child).await, Some(0), "{}", stderr(&ws));
    assert_eq!(disp.outputs("to")[0]["ticket"]["id"], json!(t));
}

#[tokio::test]
async fn terminate_during_a_start_outage_leaves_no_state_behind() {
    let sim = sim().await;
    sim.faults()
        .with_probability(1.0, "GET /api/Status", halo_sim::Fault::status(503));
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "outage-stop");
    let msg = start_message(
        "ticket_created",
        "ts",
        fast(json!({})),
        &connection(&sim),
        "http://127.0.0.1:9/",
    );
    let mut child = spawn(&["run"], &ws, &msg, false).await;
    wait_for(Duration::from_secs(60), "a failed start", || {
        stderr(&ws).contains("Starting ticket_created failed")
    })
    .await;
    assert_eq!(terminate(&ws, &mut child).await, Some(0), "{}", stderr(&ws));
    assert!(
        state(&ws, "ts").is_none(),
        "a trigger that never started must not write a state it would later resume from"
    );
    assert!(!ws.join("tmp").join("terminate_trigger.flag").exists());
}

#[tokio::test]
async fn a_permission_failure_at_start_ends_the_trigger() {
    let sim = sim().await;
    sim.faults()
        .next(1, "GET /api/Status", halo_sim::Fault::status(403));
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "forbidden");
    let msg = start_message(
        "ticket_created",
        "tf",
        fast(json!({})),
        &connection(&sim),
        "http://127.0.0.1:9/",
    );
    let mut child = spawn(&["run"], &ws, &msg, true).await;
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(1), "{}", stderr(&ws));
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    let env: Value = serde_json::from_str(&out).unwrap();
    assert!(
        env["body"]["exception"]["cause"]
            .as_str()
            .unwrap()
            .contains("403"),
        "{env}"
    );
}
