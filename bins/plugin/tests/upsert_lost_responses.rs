//! `upsert_ticket` against halo-sim with responses lost after Halo applied the write: never a duplicate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;

use halo_sim::{Fault, Seed};
use haloitsm_plugin::connection::Connections;
use serde_json::json;
use sync_support::{connection, custom_field, ok, run, sim, sim_with, tickets_with_key};

/// What add_comment appends to every note by default (the origin marker).
const FOOTER: &str = "<p>[InsightConnect]</p>";

#[tokio::test]
async fn creates_under_dropped_responses_make_no_duplicates() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    sim.faults()
        .with_probability(0.7, "POST /api/Tickets", Fault::DropAfterWrite);
    let mut created = 0;
    for i in 0..20 {
        let key = format!("rrn:investigation:us:1:investigation:K{i}");
        let out = ok(
            &conns,
            &conn,
            "upsert_ticket",
            json!({"external_key": key, "summary": format!("Alert {i}")}),
        )
        .await;
        assert_eq!(out["created"], true);
        created += 1;
        let found = tickets_with_key(&sim, &key);
        assert_eq!(found.len(), 1, "key {key}: {found:#?}");
        assert_eq!(custom_field(&found[0], "CFExternalKey"), Some(json!(key)));
        assert_eq!(out["ticket"]["id"], found[0]["id"]);
    }
    let posts = sim.journal().count("POST /api/Tickets");
    let dropped = sim
        .journal()
        .matching("POST /api/Tickets")
        .iter()
        .filter(|e| e.fault.as_deref() == Some("drop_after_write"))
        .count();
    assert!(
        dropped >= 5,
        "the fault must actually fire ({dropped} drops)"
    );
    assert_eq!(created, 20);
    assert_eq!(sim.tickets().len(), 20, "one ticket per key");
    // Every POST created a ticket (none was repeated blindly after a lost response).
    assert_eq!(posts, 20, "creates sent");
    sim.faults().clear();
}

#[tokio::test]
async fn second_upsert_updates_even_when_the_update_response_is_lost() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let key = "ubuntu-upgrade-openssl";
    let first = ok(
        &conns,
        &conn,
        "upsert_ticket",
        json!({"external_key": key, "summary": "Upgrade OpenSSL",
        "custom_fields": {"CFSourceSystem": "InsightVM"}}),
    )
    .await;
    let id = first["ticket"]["id"].clone();
    for round in 0..5 {
        sim.faults()
            .next(1, "POST /api/Tickets", Fault::DropAfterWrite);
        let out = ok(
            &conns,
            &conn,
            "upsert_ticket",
            json!({"external_key": key, "summary": format!("Upgrade OpenSSL r{round}"),
            "priority": "High"}),
        )
        .await;
        assert_eq!(out["created"], false);
        assert_eq!(out["ticket"]["id"], id);
    }
    let found = tickets_with_key(&sim, key);
    assert_eq!(found.len(), 1);
    let t = &found[0];
    assert_eq!(t["summary"], format!("Upgrade OpenSSL r4 [ext:{key}]"));
    // The other custom field survived the updates (values are merged, not replaced).
    assert_eq!(custom_field(t, "CFSourceSystem"), Some(json!("InsightVM")));
    assert_eq!(custom_field(t, "CFExternalKey"), Some(json!(key)));
}

#[tokio::test]
async fn create_dropped_before_handling_is_sent_again_once() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    sim.faults()
        .next(2, "POST /api/Tickets", Fault::DropBeforeHandling);
    let out = ok(
        &conns,
        &conn,
        "upsert_ticket",
        json!({"external_key": "k-before", "summary": "x"}),
    )
    .await;
    assert_eq!(out["created"], true);
    assert_eq!(tickets_with_key(&sim, "k-before").len(), 1);
    assert_eq!(sim.tickets().len(), 1);
}

#[tokio::test]
async fn every_create_lost_and_never_written_is_a_clear_error() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    sim.faults()
        .always("POST /api/Tickets", Fault::DropBeforeHandling);
    let (status, body) = run(
        &conns,
        &conn,
        "upsert_ticket",
        json!({"external_key": "k-gone", "summary": "x"}),
    )
    .await;
    assert_eq!(status, 400, "{body:#}");
    assert!(
        body["exception"]["cause"]
            .as_str()
            .unwrap()
            .contains("lost its response 3 times"),
        "{body:#}"
    );
    assert!(
        body["exception"]["assistance"]
            .as_str()
            .unwrap()
            .contains("will not create a duplicate"),
        "{body:#}"
    );
    assert!(sim.tickets().is_empty());
}

#[tokio::test]
async fn tenant_without_the_key_field_uses_the_summary_marker() {
    let mut seed = Seed::default();
    seed.field_info.clear();
    let sim = sim_with(seed).await;
    let conn = connection(&sim);
    let conns = Connections::default();
    sim.faults()
        .with_probability(0.7, "POST /api/Tickets", Fault::DropAfterWrite);
    for _ in 0..3 {
        let _ = run(
            &conns,
            &conn,
            "upsert_ticket",
            json!({"external_key": "rrn:x:1", "summary": "Marker only"}),
        )
        .await;
    }
    sim.faults().clear();
    let out = ok(
        &conns,
        &conn,
        "upsert_ticket",
        json!({"external_key": "rrn:x:1", "summary": "Marker only"}),
    )
    .await;
    assert_eq!(out["created"], false);
    let found = tickets_with_key(&sim, "rrn:x:1");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["summary"], "Marker only [ext:rrn:x:1]");
    assert_eq!(custom_field(&found[0], "CFExternalKey"), None);
}

#[tokio::test]
async fn bad_keys_are_input_errors() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let (status, body) = run(
        &conns,
        &conn,
        "upsert_ticket",
        json!({"external_key": "a]b", "summary": "x"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("external_key"),
        "{body:#}"
    );
    let (status, _) = run(
        &conns,
        &conn,
        "upsert_ticket",
        json!({"external_key": "", "summary": "x"}),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn keys_that_prefix_other_keys_find_their_own_ticket() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    for i in 10..70 {
        sim.upsert_ticket(json!({"summary": format!("other [ext:k1{i}]")}))
            .unwrap();
    }
    let first = ok(
        &conns,
        &conn,
        "upsert_ticket",
        json!({"external_key": "k1", "summary": "mine"}),
    )
    .await;
    assert_eq!(first["created"], true);
    let again = ok(
        &conns,
        &conn,
        "upsert_ticket",
        json!({"external_key": "k1", "summary": "mine again"}),
    )
    .await;
    assert_eq!(
        (again["created"].clone(), again["ticket"]["id"].clone()),
        (json!(false), first["ticket"]["id"].clone())
    );
    assert_eq!(tickets_with_key(&sim, "k1").len(), 1);
}

#[tokio::test]
async fn notes_under_dropped_responses_are_added_once_each() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let id = sim
        .upsert_ticket(json!({"summary": "Notes under faults"}))
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let before = sim.actions(id).len();
    sim.faults()
        .with_probability(0.7, "POST /api/Actions", Fault::DropAfterWrite);
    for i in 0..15 {
        let text = format!("Containment step {i}");
        let out = ok(
            &conns,
            &conn,
            "add_comment",
            json!({"ticket_id": id, "comment": text}),
        )
        .await;
        assert_eq!(out["success"], true);
        let same: Vec<_> = sim
            .actions(id)
            .into_iter()
            .filter(|a| a["note_html"] == json!(format!("{text}{FOOTER}")))
            .collect();
        assert_eq!(same.len(), 1, "note {i} stored once: {same:#?}");
        assert_eq!(
            out["comment_id"], same[0]["id"],
            "the stored note is the one returned"
        );
    }
    let dropped = sim
        .journal()
        .matching("POST /api/Actions")
        .iter()
        .filter(|e| e.fault.as_deref() == Some("drop_after_write"))
        .count();
    assert!(
        dropped >= 5,
        "the fault must actually fire ({dropped} drops)"
    );
    assert_eq!(sim.actions(id).len(), before + 15, "one action per note");
    assert_eq!(
        sim.journal().count("POST /api/Actions"),
        15,
        "a note whose response was lost is found, not sent again"
    );
    sim.faults().clear();
}

#[tokio::test]
async fn a_note_lost_before_halo_saw_it_is_sent_again_and_stored_once() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let id = sim
        .upsert_ticket(json!({"summary": "Note lost early"}))
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    sim.faults()
        .next(2, "POST /api/Actions", Fault::DropBeforeHandling);
    let out = ok(
        &conns,
        &conn,
        "add_comment",
        json!({"ticket_id": id, "comment": "Isolated host"}),
    )
    .await;
    assert_eq!(out["success"], true);
    let stored = sim
        .actions(id)
        .into_iter()
        .filter(|a| a["note_html"] == json!(format!("Isolated host{FOOTER}")))
        .count();
    assert_eq!(stored, 1);
    sim.faults()
        .always("POST /api/Actions", Fault::DropBeforeHandling);
    let (status, body) = run(
        &conns,
        &conn,
        "add_comment",
        json!({"ticket_id": id, "comment": "Never arrives"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let text = body.to_string();
    assert!(text.contains("lost its response"), "{text}");
    assert!(text.contains("the note was not added"), "{text}");
    sim.faults().clear();
}

#[tokio::test]
async fn a_rerun_with_the_same_note_key_returns_the_note_instead_of_adding_it() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let id = sim
        .upsert_ticket(json!({"summary": "Keyed notes"}))
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let input = json!({"ticket_id": id, "comment": "Alert 7 contained", "note_key": "alert-7"});
    let first = ok(&conns, &conn, "add_comment", input.clone()).await;
    assert_eq!(first["added"], true);
    // Whatever the first run reported (here success; under faults possibly an error after the write), the
    // re-run looks for the key before writing.
    let again = ok(&conns, &conn, "add_comment", input).await;
    assert_eq!(again["added"], false);
    assert_eq!(again["comment_id"], first["comment_id"]);
    let keyed: Vec<_> = sim
        .actions(id)
        .into_iter()
        .filter(|a| {
            a["note_html"]
                .as_str()
                .is_some_and(|n| n.contains("[note:alert-7]"))
        })
        .collect();
    assert_eq!(keyed.len(), 1, "{keyed:#?}");
    assert_eq!(sim.journal().count("POST /api/Actions"), 1);
    // Another key on the same ticket is another note.
    let other = ok(
        &conns,
        &conn,
        "add_comment",
        json!({"ticket_id": id, "comment": "Alert 7 contained", "note_key": "alert-8"}),
    )
    .await;
    assert_eq!(other["added"], true);
    assert_eq!(sim.journal().count("POST /api/Actions"), 2);
}

#[tokio::test]
async fn bad_note_keys_and_an_unmarked_keyed_note_are_input_errors() {
    let sim = sim().await;
    let conn = connection(&sim);
    let conns = Connections::default();
    let id = sim.upsert_ticket(json!({"summary": "Bad keys"})).unwrap()["id"]
        .as_u64()
        .unwrap();
    for input in [
        json!({"ticket_id": id, "comment": "x", "note_key": "two words"}),
        json!({"ticket_id": id, "comment": "x", "note_key": "a]b"}),
        json!({"ticket_id": id, "comment": "x", "note_key": "k", "origin_marker": false}),
    ] {
        let (status, body) = run(&conns, &conn, "add_comment", input.clone()).await;
        assert_eq!(status, 400, "{input} -> {body}");
        assert!(body.to_string().contains("note_key"), "{body}");
    }
    assert_eq!(sim.journal().count("POST /api/Actions"), 0);
    // Without a key the marker can be turned off: the note is stored as given.
    let out = ok(
        &conns,
        &conn,
        "add_comment",
        json!({"ticket_id": id, "comment": "To the end user", "is_private": false, "origin_marker": false}),
    )
    .await;
    assert_eq!(out["added"], true);
    assert!(
        sim.actions(id)
            .iter()
            .any(|a| a["note_html"] == json!("To the end user"))
    );
}
