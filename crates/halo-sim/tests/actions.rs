//! Actions: per-ticket ids, outcome required, ticket changes, envelope, note_html gating.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{Value, json};

#[tokio::test]
async fn outcome_is_required_with_halos_message() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    let r = sim
        .post(
            "/api/Actions",
            json!([{"ticket_id": id, "note": "no outcome"}]),
        )
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["Message"], "An Outcome must be entered for this Action");
    let r = sim
        .post(
            "/api/Actions",
            json!([{"outcome": "Private Note", "note": "no ticket"}]),
        )
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(v.get("[0].ticket_id").is_some(), "{v}");
    let r = sim
        .post(
            "/api/Actions",
            json!([{"ticket_id": id, "outcome": "No Such Outcome"}]),
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = sim
        .post(
            "/api/Actions",
            json!([{"ticket_id": 999_999, "outcome": "Private Note"}]),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(sim.handle.actions(id).is_empty());
}

#[tokio::test]
async fn action_ids_are_per_ticket() {
    let sim = common::start().await;
    let a = sim.create_ticket(json!({"summary": "a"})).await;
    let b = sim.create_ticket(json!({"summary": "b"})).await;
    let ids: Vec<u64> = futures_ids(&sim, &[a, a, b, a]).await;
    assert_eq!(ids, vec![1, 2, 1, 3]);
}

async fn futures_ids(sim: &common::Sim, tickets: &[u64]) -> Vec<u64> {
    let mut out = Vec::new();
    for t in tickets {
        let v = sim
            .post_json(
                "/api/Actions",
                json!([{"ticket_id": t, "outcome_id": 7, "note": "n"}]),
            )
            .await;
        assert_eq!(v["ticket_id"], *t);
        out.push(v["id"].as_u64().unwrap());
    }
    out
}

#[tokio::test]
async fn outcome_by_name_or_id_and_numeric_strings() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    let v = sim
        .post_json(
            "/api/Actions",
            json!([{"ticket_id": id.to_string(), "outcome": "internal note", "note": "n"}]),
        )
        .await;
    assert_eq!(
        (v["outcome"].as_str(), v["outcome_id"].as_i64()),
        (Some("Internal Note"), Some(7))
    );
    assert_eq!(
        v["hiddenfromuser"], true,
        "Internal Note is private by default"
    );
    let v = sim
        .post_json(
            "/api/Actions",
            json!([{"ticket_id": id, "outcome_id": "3", "note": "n"}]),
        )
        .await;
    assert_eq!(v["outcome"], "Public Note");
    assert!(common::is_halo_date(v["datetime"].as_str().unwrap()));
}

#[tokio::test]
async fn new_fields_change_the_ticket() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    let v = sim
        .post_json(
            "/api/Actions",
            json!([{"ticket_id": id, "outcome": "Private Note", "note_html": "<p>hi</p>",
            "new_status": "2", "new_agent": 4, "new_team": "2nd Line Support", "new_priority": 2}]),
        )
        .await;
    assert_eq!(
        (v["old_status"].as_i64(), v["new_status"].as_i64()),
        (Some(1), Some(2))
    );
    assert_eq!(v["new_status_name"], "In Progress");
    assert_eq!(v["note"], "hi");
    let t = sim.get_json(&format!("/api/Tickets/{id}")).await;
    assert_eq!(t["status_id"], 2);
    assert_eq!(t["agent_id"], 4);
    assert_eq!(t["team"], "2nd Line Support");
    assert_eq!(t["priority_id"], 2);
    // Closing through an action sets the closed bookkeeping; the Close outcome carries newstatus 9.
    sim.post_json(
        "/api/Actions",
        json!([{"ticket_id": id, "outcome": "Close", "note": "done"}]),
    )
    .await;
    let t = sim.get_json(&format!("/api/Tickets/{id}")).await;
    assert_eq!(
        (t["status_id"].as_i64(), t["hasbeenclosed"].as_bool()),
        (Some(9), Some(true))
    );
    let r = sim
        .post(
            "/api/Actions",
            json!([{"ticket_id": id, "outcome": "Private Note", "new_status": 4242}]),
        )
        .await;
    assert_eq!(
        r.status(),
        400,
        "unknown status is rejected and nothing is added"
    );
    assert_eq!(sim.handle.actions(id).len(), 2);
}

#[tokio::test]
async fn list_envelope_newest_first_and_note_html_only_when_asked() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    sim.post_json(
        "/api/Actions",
        json!([{"ticket_id": id, "outcome": "Public Note", "note_html": "<b>one</b>"}]),
    )
    .await;
    sim.post_json(
        "/api/Actions",
        json!([{"ticket_id": id, "outcome": "Private Note", "note": "two"}]),
    )
    .await;
    let v = sim.get_json(&format!("/api/Actions?ticket_id={id}")).await;
    assert_eq!(v["ticket_id"], id);
    assert_eq!(v["record_count"], 2);
    let actions = v["actions"].as_array().unwrap();
    assert_eq!(actions[0]["id"], 2, "newest first");
    assert!(actions.iter().all(|a| a.get("note_html").is_none()));
    let v = sim
        .get_json(&format!("/api/Actions?ticket_id={id}&includehtmlnote=true"))
        .await;
    assert_eq!(v["actions"][1]["note_html"], "<b>one</b>");
    let v = sim
        .get_json(&format!("/api/Actions?ticket_id={id}&excludeprivate=true"))
        .await;
    assert_eq!(v["record_count"], 1);
    assert_eq!(
        sim.get("/api/Actions").await.status(),
        400,
        "ticket_id required"
    );
}

#[tokio::test]
async fn returnall_on_actions() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    let v = sim
        .post_json(
            "/api/Actions?returnall=true",
            json!([{"ticket_id": id, "outcome_id": 7}, {"ticket_id": id, "outcome_id": 7}]),
        )
        .await;
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn get_and_delete_by_id_need_ticket_id() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    sim.post_json(
        "/api/Actions",
        json!([{"ticket_id": id, "outcome_id": 7, "note": "n"}]),
    )
    .await;
    assert_eq!(sim.get("/api/Actions/1").await.status(), 400);
    let a = sim
        .get_json(&format!("/api/Actions/1?ticket_id={id}"))
        .await;
    assert_eq!(a["note"], "n");
    assert_eq!(
        sim.get(&format!("/api/Actions/9?ticket_id={id}"))
            .await
            .status(),
        404
    );
    let recent = sim
        .get_json(&format!("/api/Actions/0?ticket_id={id}&mostrecent=true"))
        .await;
    assert_eq!(recent["id"], 1);
    assert_eq!(sim.delete("/api/Actions/1").await.status(), 400);
    let r = sim.delete(&format!("/api/Actions/1?ticket_id={id}")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["id"], 1);
    assert!(sim.handle.actions(id).is_empty());
}

#[tokio::test]
async fn adding_an_action_updates_lastactiondate() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    let before = sim.handle.ticket(id).unwrap()["lastactiondate"].clone();
    sim.handle
        .clock()
        .advance(std::time::Duration::from_secs(120));
    sim.post_json("/api/Actions", json!([{"ticket_id": id, "outcome_id": 7}]))
        .await;
    let after = sim.handle.ticket(id).unwrap()["lastactiondate"].clone();
    assert!(after.as_str().unwrap() > before.as_str().unwrap());
}
