//! Status and priority mappings against halo-sim: create from an InsightIDR investigation or an InsightVM
//! remediation, sync_ticket_status, and parse_webhook — on the default tenant and on one seeded with
//! non-default status ids and names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;
mod triggers_support;

use std::time::Duration;

use halo_sim::{Seed, WebhookConfig};
use haloitsm_plugin::connection::Connections;
use serde_json::{Value, json};
use sync_support::{connection, custom_field, ok, run, sim, sim_with, tickets_with_key};

const RRN: &str = "rrn:investigation:us:44d8e5f0:investigation:1KJ2XSCV4HAK";

fn investigation(status: &str, priority: &str) -> Value {
    json!({"rrn": RRN, "title": "Suspicious login <from> new country", "status": status, "priority": priority,
        "disposition": "UNDECIDED", "source": "ALERT", "assignee": {"name": "Alice Nguyen", "email": "alice.nguyen@demo.example"},
        "created_time": "2026-12-01T09:30:00Z"})
}

/// A tenant whose statuses have other ids and names than the stock ones.
fn renamed_tenant() -> Seed {
    let mut seed = Seed::default();
    seed.statuses = serde_json::from_value(json!([
        {"id": 31, "name": "Triage"}, {"id": 32, "name": "Working"}, {"id": 33, "name": "Parked"},
        {"id": 34, "name": "Verify Fix"}, {"id": 40, "name": "Done", "is_closed": true},
        {"id": 41, "name": "Accepted Risk", "is_closed": true}
    ]))
    .unwrap();
    for tt in &mut seed.ticket_types {
        for k in ["initial_status", "reopenedstatus", "statusafteruserupdate"] {
            tt[k] = json!(31);
        }
    }
    for o in &mut seed.outcomes {
        if o["newstatus"] == 9 {
            o["newstatus"] = json!(40);
        }
    }
    seed
}

fn renamed_connection(sim: &halo_sim::SimHandle) -> Value {
    let mut c = connection(sim);
    c["insightidr_status_map"] = json!({"OPEN": "Triage", "INVESTIGATING": "Working", "WAITING": "Parked", "CLOSED": "Done"});
    c["insightvm_status_map"] = json!({"Open": "Triage", "Awaiting Verification": "Verify Fix", "Closed": "Done", "Risk Accepted": "Accepted Risk"});
    c
}

#[tokio::test]
async fn investigation_maps_status_priority_and_assignee_and_upserts_by_rrn() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let alerts = json!([{"id": "a1", "title": "Login <script>x</script>", "alert_type": "Ingress from new country", "alert_source": "UBA"}]);
    let out = ok(&conns, &conn, "create_ticket_from_investigation",
        json!({"investigation": investigation("OPEN", "HIGH"), "alerts": alerts, "ticket_type": "Security Alert"})).await;
    assert_eq!(out["created"], true);
    assert_eq!(out["external_key"], RRN);
    let t = &tickets_with_key(&sim, RRN)[0];
    assert_eq!(t["status_id"], 1, "OPEN -> New");
    assert_eq!(
        t["priority_id"], 2,
        "HIGH -> High within the Security Alert SLA"
    );
    assert_eq!(t["agent_id"], 4, "assignee by email");
    assert_eq!(t["tickettype_id"], 21);
    assert!(
        t["summary"]
            .as_str()
            .unwrap()
            .starts_with("[IDR] Suspicious login <from> new country [ext:")
    );
    assert_eq!(custom_field(t, "CFExternalKey"), Some(json!(RRN)));
    let html = t["details_html"].as_str().unwrap();
    assert!(
        html.contains("<td>Login &lt;script&gt;x&lt;/script&gt;</td>"),
        "{html}"
    );
    assert!(
        html.contains("<th>Investigation</th><td>rrn:investigation"),
        "{html}"
    );

    let again = ok(&conns, &conn, "create_ticket_from_investigation",
        json!({"investigation": investigation("INVESTIGATING", "CRITICAL"), "ticket_type": "Security Alert"})).await;
    assert_eq!(again["created"], false);
    assert_eq!(again["ticket"]["id"], out["ticket"]["id"]);
    let all = tickets_with_key(&sim, RRN);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["status_id"], 2, "INVESTIGATING -> In Progress");
    assert_eq!(all[0]["priority_id"], 1, "CRITICAL -> Critical");
}

#[tokio::test]
async fn priorities_resolve_within_the_ticket_types_sla() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    // Service Request uses SLA 2 (Urgent, High, Normal, Low): there is no "Critical" there.
    let (status, body) = run(&conns, &conn, "create_ticket_from_investigation",
        json!({"investigation": investigation("OPEN", "CRITICAL"), "ticket_type": "Service Request"})).await;
    assert_eq!(status, 400);
    let assistance = body["exception"]["assistance"].as_str().unwrap();
    assert!(
        assistance.contains("Urgent (1), High (2), Normal (3), Low (4)"),
        "{assistance}"
    );
    assert!(sim.tickets().is_empty());
    let out = ok(&conns, &conn, "create_ticket_from_investigation",
        json!({"investigation": investigation("OPEN", "CRITICAL"), "ticket_type": "Service Request", "priority_map": {"CRITICAL": "Urgent"}})).await;
    let t = sim.ticket(out["ticket"]["id"].as_u64().unwrap()).unwrap();
    assert_eq!(
        (t["sla_id"].clone(), t["priority_id"].clone()),
        (json!(2), json!(1))
    );
}

#[tokio::test]
async fn renamed_tenant_uses_its_own_names_and_ids() {
    let sim = sim_with(renamed_tenant()).await;
    let conns = Connections::default();
    // The stock defaults name statuses this tenant lacks: a clear error with what it has.
    let (status, body) = run(
        &conns,
        &connection(&sim),
        "create_ticket_from_investigation",
        json!({"investigation": investigation("OPEN", "LOW")}),
    )
    .await;
    assert_eq!(status, 400);
    let a = body["exception"]["assistance"].as_str().unwrap();
    assert!(
        a.contains(
            "Triage (31), Working (32), Parked (33), Verify Fix (34), Done (40), Accepted Risk (41)"
        ),
        "{a}"
    );
    assert!(
        body["exception"]["cause"]
            .as_str()
            .unwrap()
            .contains("'New'"),
        "{body:#}"
    );

    let conn = renamed_connection(&sim);
    let out = ok(
        &conns,
        &conn,
        "create_ticket_from_investigation",
        json!({"investigation": investigation("WAITING", "LOW")}),
    )
    .await;
    let id = out["ticket"]["id"].as_u64().unwrap();
    assert_eq!(sim.ticket(id).unwrap()["status_id"], 33);
    let s = ok(&conns, &conn, "sync_ticket_status", json!({"external_key": RRN, "source": "InsightIDR", "status": "CLOSED", "disposition": "BENIGN"})).await;
    assert_eq!(s["changed"], true);
    assert_eq!(s["halo_status"], "Done");
    let t = sim.ticket(id).unwrap();
    assert_eq!(t["status_id"], 40);
    assert_eq!(t["hasbeenclosed"], true);
    let rem = ok(&conns, &conn, "create_ticket_from_remediation",
        json!({"remediation": {"solutionId": "sol-1", "summary": "Patch"}, "status": "Risk Accepted"})).await;
    assert_eq!(
        sim.ticket(rem["ticket"]["id"].as_u64().unwrap()).unwrap()["status_id"],
        41
    );
}

#[tokio::test]
async fn remediation_maps_status_due_date_and_renders_assets() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let rem = json!({"solutionId": "ubuntu-upgrade-openssl", "summary": "Upgrade OpenSSL", "fix": "<p>apt-get upgrade</p>",
        "riskScore": 812.5, "assetCount": 1, "vulnerabilityCount": 1,
        "assets": [{"id": 42, "hostName": "web<01>", "ip": "10.0.0.5"}],
        "vulnerabilities": [{"id": "cve-1", "title": "CVE-2024-0727", "severity": "Severe", "cvssScore": 5.5}]});
    let out = ok(&conns, &conn, "create_ticket_from_remediation",
        json!({"remediation": rem, "status": "Awaiting Verification", "due_date": "2026-12-31T17:00:00Z"})).await;
    assert_eq!(out["created"], true);
    let t = sim.ticket(out["ticket"]["id"].as_u64().unwrap()).unwrap();
    assert_eq!(
        t["status_id"], 7,
        "Awaiting Verification -> Pending Closure"
    );
    assert!(
        t["deadlinedate"]
            .as_str()
            .unwrap()
            .starts_with("2026-12-31T17:00:00"),
        "{}",
        t["deadlinedate"]
    );
    let html = t["details_html"].as_str().unwrap();
    assert!(
        html.contains("<td>web&lt;01&gt;</td>") && html.contains("<h4>Vulnerabilities (1)</h4>"),
        "{html}"
    );
    assert!(
        t["summary"]
            .as_str()
            .unwrap()
            .starts_with("[IVM] Upgrade OpenSSL")
    );
    let again = ok(&conns, &conn, "create_ticket_from_remediation", json!({"remediation": {"solutionId": "ubuntu-upgrade-openssl", "summary": "Upgrade OpenSSL"}, "status": "Risk Accepted"})).await;
    assert_eq!(again["created"], false);
    assert_eq!(
        sim.ticket(out["ticket"]["id"].as_u64().unwrap()).unwrap()["status_id"],
        8,
        "Risk Accepted -> Cancelled"
    );
    let (status, body) = run(
        &conns,
        &conn,
        "create_ticket_from_remediation",
        json!({"remediation": {"summary": "no id"}}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("solutionId"),
        "{body:#}"
    );
}

#[tokio::test]
async fn sync_ticket_status_moves_with_a_marked_note_and_is_a_no_op_when_there() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let created = ok(
        &conns,
        &conn,
        "create_ticket_from_investigation",
        json!({"investigation": investigation("OPEN", "LOW")}),
    )
    .await;
    let id = created["ticket"]["id"].as_u64().unwrap();
    let before = sim.actions(id).len();
    let out = ok(&conns, &conn, "sync_ticket_status",
        json!({"ticket_id": id, "source": "InsightIDR", "status": "CLOSED", "disposition": "MALICIOUS"})).await;
    assert_eq!(
        (out["changed"].clone(), out["ticket"]["status_id"].clone()),
        (json!(true), json!(9))
    );
    let notes = sim.actions(id);
    assert_eq!(notes.len(), before + 1);
    let note = notes[before]["note_html"].as_str().unwrap();
    assert!(note.starts_with("<p>[InsightConnect] Status set to Closed because the InsightIDR investigation is CLOSED (disposition: MALICIOUS)."), "{note}");
    assert_eq!(notes[before]["hiddenfromuser"], true);
    let again = ok(
        &conns,
        &conn,
        "sync_ticket_status",
        json!({"ticket_id": id, "source": "InsightIDR", "status": "CLOSED"}),
    )
    .await;
    assert_eq!(again["changed"], false);
    assert_eq!(
        sim.actions(id).len(),
        before + 1,
        "no note when nothing changes"
    );
    let ivm = ok(
        &conns,
        &conn,
        "sync_ticket_status",
        json!({"external_key": RRN, "source": "InsightVM", "status": "Awaiting Verification"}),
    )
    .await;
    assert_eq!(ivm["ticket"]["status_id"], 7);
    let (status, body) = run(
        &conns,
        &conn,
        "sync_ticket_status",
        json!({"ticket_id": id, "source": "InsightIDR", "status": "DONE"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["exception"]["assistance"]
            .as_str()
            .unwrap()
            .contains("OPEN, INVESTIGATING, WAITING, CLOSED"),
        "{body:#}"
    );
    let (status, _) = run(
        &conns,
        &conn,
        "sync_ticket_status",
        json!({"external_key": "nope", "source": "InsightIDR", "status": "OPEN"}),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn parse_webhook_turns_halo_deliveries_into_trigger_events() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let receiver = triggers_support::Dispatcher::start(0.0, 9).await;
    sim.set_webhook(Some(WebhookConfig::new(receiver.url.parse().unwrap())));
    let t = sim
        .upsert_ticket(json!({"summary": "hooked", "tickettype_id": 1}))
        .unwrap();
    let id = t["id"].as_u64().unwrap();
    // Through the API, so the sim emits webhooks.
    ok(
        &conns,
        &conn,
        "sync_ticket_status",
        json!({"ticket_id": id, "source": "InsightIDR", "status": "CLOSED"}),
    )
    .await;
    triggers_support::wait_for(Duration::from_secs(10), "webhook deliveries", || {
        !receiver.accepted().is_empty()
    })
    .await;
    let bodies = receiver.accepted();
    let status_body = bodies
        .iter()
        .find(|b| b["event"] == "ticket status changed")
        .expect("status webhook")
        .clone();
    let out = ok(&conns, &conn, "parse_webhook", json!({"body": status_body})).await;
    assert_eq!(out["trigger"], "ticket_status_changed");
    assert_eq!(out["event"]["ticket_id"], id);
    assert_eq!(out["event"]["new_status_id"], 9);
    assert_eq!(out["event"]["insightidr_status"], "CLOSED");
    assert_eq!(out["event"]["source"], "webhook");
    // "Event information only": the ticket is read from Halo.
    let slim = ok(
        &conns,
        &conn,
        "parse_webhook",
        json!({"body": {"event": "New Ticket Logged", "object_id": id}}),
    )
    .await;
    assert_eq!(slim["trigger"], "ticket_created");
    assert_eq!(slim["ticket"]["id"], id);
    assert_eq!(slim["is_own_note"], false);
    // A note the plugin wrote is flagged.
    let own = ok(&conns, &conn, "parse_webhook", json!({"body": {"event": "action added", "object_id": id,
        "ticket": {"id": id, "status_id": 9}, "action": {"ticket_id": id, "id": 1, "note_html": "<p>[InsightConnect] x</p>"}}})).await;
    assert_eq!(own["is_own_note"], true);
    let (status, _) = run(
        &conns,
        &conn,
        "parse_webhook",
        json!({"body": {"event": "x"}}),
    )
    .await;
    assert_eq!(status, 400);
}
