//! Tickets: upsert semantics, server-maintained dates, paging clamp, filters, soft delete, errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::is_halo_date;
use serde_json::{Value, json};

#[tokio::test]
async fn create_fills_defaults_dates_and_sentinels() {
    let sim = common::start().await;
    let t = sim
        .post_json(
            "/api/Tickets",
            json!([{"summary": "Printer jam", "user_id": 11, "x_custom_thing": {"a": 1}}]),
        )
        .await;
    assert_eq!(t["id"], 1001);
    assert_eq!(t["reference"], "IN-0001001");
    assert_eq!(t["status_id"], 1);
    assert_eq!(t["tickettype_id"], 1);
    assert_eq!(
        (t["sla_id"].as_i64(), t["priority_id"].as_i64()),
        (Some(1), Some(3)),
        "type defaults"
    );
    assert_eq!(t["team"], "1st Line Support");
    assert_eq!(t["agent_id"], 1, "Unassigned");
    assert_eq!(
        (t["site_id"].as_i64(), t["client_id"].as_i64()),
        (Some(1), Some(1)),
        "from the user"
    );
    assert_eq!(
        t["x_custom_thing"],
        json!({"a": 1}),
        "unknown fields are kept"
    );
    for k in [
        "dateoccurred",
        "datecreated",
        "lastactiondate",
        "last_update",
        "respondbydate",
        "fixbydate",
    ] {
        assert!(is_halo_date(t[k].as_str().unwrap()), "{k} = {}", t[k]);
    }
    for k in ["targetdate", "deadlinedate", "dateclosed"] {
        assert_eq!(t[k], "1900-01-01T00:00:00", "{k} unset sentinel");
    }
    assert_eq!(t["lastincomingemail"], "0001-01-01T00:00:00");
    assert_eq!(t["auditdate"], "1899-12-30T00:00:00");
    assert_eq!(t["hasbeenclosed"], false);
    assert_eq!(
        t["priority"]["priorityid"], 3,
        "embedded priority on detail"
    );
    assert!(
        t["priority"]["id"].as_str().unwrap().len() == 36,
        "priority ids are GUIDs"
    );
}

#[tokio::test]
async fn source_defaults_to_manual_not_email_and_a_posted_source_is_kept() {
    let sim = common::start().await;
    let t = sim
        .post_json("/api/Tickets", json!([{"summary": "from the API"}]))
        .await;
    // halo-api.md §4.4: API-created tickets are "Manual" unless a source is sent; 0 is Email.
    assert_eq!(t["source"], 3, "the sim's id for Manual");
    let t = sim
        .post_json("/api/Tickets", json!([{"summary": "by mail", "source": 0}]))
        .await;
    assert_eq!(t["source"], 0);
}

#[tokio::test]
async fn post_array_returns_last_object_or_all_with_returnall() {
    let sim = common::start().await;
    let r = sim
        .post("/api/Tickets", json!([{"summary": "a"}, {"summary": "b"}]))
        .await;
    assert_eq!(r.status(), 201);
    let last: Value = r.json().await.unwrap();
    assert_eq!(last["summary"], "b");
    let all = sim
        .post_json(
            "/api/Tickets?returnall=true",
            json!([{"summary": "c"}, {"summary": "d"}]),
        )
        .await;
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["summary"], "c");
    assert_eq!(sim.handle.tickets().len(), 4);
}

#[tokio::test]
async fn update_changes_only_posted_fields() {
    let sim = common::start().await;
    let id = sim
        .create_ticket(
            json!({"summary": "orig", "details": "keep me", "category_1": "Network>VPN"}),
        )
        .await;
    let before = sim.handle.ticket(id).unwrap();
    let after = sim
        .post_json("/api/Tickets", json!([{"id": id, "summary": "changed"}]))
        .await;
    assert_eq!(after["id"], id);
    assert_eq!(after["summary"], "changed");
    assert_eq!(after["details"], "keep me");
    assert_eq!(after["category_1"], "Network>VPN");
    assert_eq!(after["datecreated"], before["datecreated"]);
    assert_eq!(sim.handle.tickets().len(), 1, "no duplicate");
    // id 0 creates.
    sim.post_json("/api/Tickets", json!([{"id": 0, "summary": "new"}]))
        .await;
    assert_eq!(sim.handle.tickets().len(), 2);
}

#[tokio::test]
async fn unknown_id_is_400() {
    let sim = common::start().await;
    let r = sim
        .post("/api/Tickets", json!([{"id": 9999, "summary": "x"}]))
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(v["Message"].as_str().unwrap().contains("9999"), "{v}");
    assert!(sim.handle.tickets().is_empty());
}

#[tokio::test]
async fn numbers_as_strings_are_accepted_wrong_types_are_400() {
    let sim = common::start().await;
    let t = sim
        .post_json(
            "/api/Tickets",
            json!([{"summary": "s", "status_id": "2", "tickettype_id": 1.0}]),
        )
        .await;
    assert_eq!(t["status_id"], 2);
    let r = sim
        .post(
            "/api/Tickets",
            json!([{"summary": "s", "status_id": "two"}]),
        )
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert!(v.get("[0].status_id").is_some(), "{v}");
    let r = sim
        .post("/api/Tickets", json!([{"summary": {"nested": true}}]))
        .await;
    assert_eq!(r.status(), 400);
    let r = sim
        .post("/api/Tickets", json!([{"summary": "s", "status_id": 4242}]))
        .await;
    assert_eq!(r.status(), 400, "unknown status");
    let r = sim
        .post("/api/Tickets", json!([{"details": "no summary"}]))
        .await;
    assert_eq!(r.status(), 400);
    let r = sim.post("/api/Tickets", json!([5])).await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn malformed_json_is_400_not_a_hang() {
    let sim = common::start().await;
    for body in ["[{\"summary\":", "not json", "", "\"string\""] {
        let r = sim
            .http
            .post(sim.url("/api/Tickets"))
            .bearer_auth(&sim.token)
            .header("content-type", "application/json")
            .body(body)
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "body {body:?}");
        let v: Value = r.json().await.unwrap();
        assert!(v.as_object().unwrap().len() == 1, "{v}");
    }
}

#[tokio::test]
async fn get_by_id_and_404() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    let t = sim.get_json(&format!("/api/Tickets/{id}")).await;
    assert_eq!(t["summary"], "x");
    let r = sim.get("/api/Tickets/424242").await;
    assert_eq!(r.status(), 404);
    assert_eq!(sim.get("/api/Tickets/abc").await.status(), 404);
}

#[tokio::test]
async fn paths_are_case_insensitive() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    for p in [
        format!("/api/tickets/{id}"),
        format!("/API/TICKETS/{id}"),
        format!("/Api/Tickets/{id}"),
    ] {
        assert_eq!(sim.get(&p).await.status(), 200, "{p}");
    }
    assert_eq!(sim.get("/api/agent/ME").await.status(), 200);
    assert_eq!(sim.get("/api/tickettype").await.status(), 200);
    assert_eq!(
        sim.get("/api/Tickets?PAGEINATE=true&Page_Size=1")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn page_size_is_clamped_to_100_silently() {
    let sim = common::start().await;
    let many: Vec<Value> = (0..150)
        .map(|i| json!({"summary": format!("t{i}")}))
        .collect();
    sim.post_json("/api/Tickets", Value::Array(many)).await;
    let v = sim
        .get_json("/api/Tickets?pageinate=true&page_size=1000&page_no=1")
        .await;
    assert_eq!(v["record_count"], 150);
    assert_eq!(v["page_size"], 100);
    assert_eq!(v["page_no"], 1);
    assert_eq!(v["tickets"].as_array().unwrap().len(), 100);
    let v = sim
        .get_json("/api/Tickets?pageinate=true&page_size=1000&page_no=2")
        .await;
    assert_eq!(v["tickets"].as_array().unwrap().len(), 50);
    let v = sim
        .get_json("/api/Tickets?pageinate=true&page_size=100&page_no=3")
        .await;
    assert_eq!(v["tickets"].as_array().unwrap().len(), 0);
    let v = sim.get_json("/api/Tickets?count=7").await;
    assert_eq!(v["tickets"].as_array().unwrap().len(), 7);
    assert!(v.get("page_no").is_none());
    let v = sim.get_json("/api/Tickets").await;
    assert_eq!(v["tickets"].as_array().unwrap().len(), 150);
}

#[tokio::test]
async fn list_filters() {
    let sim = common::start().await;
    let a = sim
        .create_ticket(json!({"summary": "VPN broken", "user_id": 21, "tickettype_id": 21}))
        .await;
    let b = sim.create_ticket(json!({"summary": "Printer", "agent_id": 4, "status_id": 2, "team": "2nd Line Support"})).await;
    let c = sim
        .create_ticket(
            json!({"summary": "Old", "status_id": 9, "dateoccurred": "2020-01-01T10:00:00"}),
        )
        .await;
    let ids = |v: &Value| -> Vec<u64> {
        v["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?status_id=2").await),
        vec![b]
    );
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?requesttype_id=21").await),
        vec![a]
    );
    assert_eq!(ids(&sim.get_json("/api/Tickets?agent_id=4").await), vec![b]);
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?client_id=2").await),
        vec![a]
    );
    assert_eq!(ids(&sim.get_json("/api/Tickets?user_id=21").await), vec![a]);
    assert_eq!(ids(&sim.get_json("/api/Tickets?site_id=3").await), vec![a]);
    assert_eq!(ids(&sim.get_json("/api/Tickets?team=2").await), vec![b]);
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?team=2&team=1").await),
        vec![b, c]
    );
    assert_eq!(ids(&sim.get_json("/api/Tickets?team=1,2,4").await).len(), 3);
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?open_only=true").await),
        vec![a, b]
    );
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?closed_only=true").await),
        vec![c]
    );
    assert_eq!(ids(&sim.get_json("/api/Tickets?search=vpn").await), vec![a]);
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?search_summary=print").await),
        vec![b]
    );
    assert_eq!(
        ids(&sim
            .get_json("/api/Tickets?datesearch=dateoccured&startdate=2019-12-31&enddate=2020-01-02")
            .await),
        vec![c]
    );
    let closed = sim
        .get_json("/api/Tickets?datesearch=datecleared&startdate=2000-01-01")
        .await;
    assert_eq!(
        ids(&closed),
        vec![c],
        "closed date is set; others hold sentinels"
    );
    assert_eq!(
        sim.get("/api/Tickets?datesearch=nonsense&startdate=2020-01-01")
            .await
            .status(),
        400
    );
    let desc = sim
        .get_json("/api/Tickets?order=summary&orderdesc=true")
        .await;
    assert_eq!(ids(&desc), vec![a, b, c]);
    let asc = sim.get_json("/api/Tickets?order=summary").await;
    assert_eq!(ids(&asc), vec![c, b, a]);
    let only = sim.get_json("/api/Tickets?ticketidonly=true").await;
    let row = only["tickets"][0].as_object().unwrap();
    assert!(row.contains_key("id") && !row.contains_key("summary"));
    assert_eq!(sim.get("/api/Tickets?status_id=abc").await.status(), 400);
}

#[tokio::test]
async fn lastupdatefromdate_filters_on_last_update() {
    let sim = common::start().await;
    let old = sim.create_ticket(json!({"summary": "old"})).await;
    sim.handle
        .clock()
        .advance(std::time::Duration::from_secs(600));
    let cutoff = sim.handle.clock().now() - chrono::Duration::seconds(1);
    let new = sim.create_ticket(json!({"summary": "new"})).await;
    let q = format!(
        "/api/Tickets?lastupdatefromdate={}",
        cutoff.format("%Y-%m-%dT%H:%M:%S%.6fZ")
    );
    let v = sim.get_json(&q).await;
    let ids: Vec<u64> = v["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![new]);
    sim.post_json("/api/Tickets", json!([{"id": old, "summary": "touched"}]))
        .await;
    assert_eq!(sim.get_json(&q).await["record_count"], 2);
}

#[tokio::test]
async fn closing_sets_hasbeenclosed_and_dateclosed_reopening_clears() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    let t = sim
        .post_json("/api/Tickets", json!([{"id": id, "status_id": 9}]))
        .await;
    assert_eq!(t["hasbeenclosed"], true);
    assert!(is_halo_date(t["dateclosed"].as_str().unwrap()));
    let t = sim
        .post_json("/api/Tickets", json!([{"id": id, "status_id": 2}]))
        .await;
    assert_eq!(t["hasbeenclosed"], false);
    assert_eq!(t["dateclosed"], "1900-01-01T00:00:00");
    let t = sim
        .post_json("/api/Tickets", json!([{"id": id, "status_id": 8}]))
        .await;
    assert_eq!(t["hasbeenclosed"], true, "Cancelled is a closed status too");
}

#[tokio::test]
async fn delete_is_soft_and_recover_restores() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    let r = sim.delete(&format!("/api/Tickets/{id}")).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["id"].as_u64(), v["deleted"].as_bool()),
        (Some(id), Some(true))
    );
    assert_eq!(sim.get(&format!("/api/Tickets/{id}")).await.status(), 404);
    assert_eq!(sim.get_json("/api/Tickets").await["record_count"], 0);
    assert_eq!(
        sim.get_json("/api/Tickets?deleted=true").await["record_count"],
        1
    );
    assert_eq!(
        sim.delete(&format!("/api/Tickets/{id}")).await.status(),
        404
    );
    assert_eq!(
        sim.post("/api/Tickets", json!([{"id": id, "summary": "y"}]))
            .await
            .status(),
        400
    );
    let t = sim
        .post_json(
            "/api/Tickets",
            json!([{"id": id, "_recover": true, "_validate_updates": true}]),
        )
        .await;
    assert_eq!(t["deleted"], false);
    assert!(t.get("_recover").is_none(), "control flags are not stored");
    assert_eq!(sim.get(&format!("/api/Tickets/{id}")).await.status(), 200);
}

#[tokio::test]
async fn custom_fields_by_id_or_name_with_display() {
    let sim = common::start().await;
    let t = sim
        .post_json(
            "/api/Tickets",
            json!([{"summary": "x", "customfields": [
            {"name": "CFExternalKey", "value": "ALERT-1"}, {"id": 102, "value": "3"},
            {"id": 103, "value": "2024-06-20T14:45:16Z"}]}]),
        )
        .await;
    let cf = |t: &Value, name: &str| {
        t["customfields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(cf(&t, "CFExternalKey")["value"], "ALERT-1");
    assert_eq!(cf(&t, "CFSeverity")["display"], "High");
    assert_eq!(cf(&t, "CFDetectedAt")["display"], "20/06/2024");
    assert!(is_halo_date(
        cf(&t, "CFDetectedAt")["value"].as_str().unwrap()
    ));
    let id = t["id"].as_u64().unwrap();
    // Default update mode replaces the array: fields not re-posted are emptied.
    let t = sim
        .post_json(
            "/api/Tickets",
            json!([{"id": id, "customfields": [{"id": 104, "value": "siem"}]}]),
        )
        .await;
    assert_eq!(cf(&t, "CFSourceSystem")["value"], "siem");
    assert_eq!(cf(&t, "CFExternalKey")["value"], "");
    let r = sim
        .post(
            "/api/Tickets",
            json!([{"id": id, "customfields": [{"name": "CFNope", "value": 1}]}]),
        )
        .await;
    assert_eq!(r.status(), 400);
    let r = sim
        .post(
            "/api/Tickets",
            json!([{"id": id, "customfields": [{"id": 102, "value": 77}]}]),
        )
        .await;
    assert_eq!(r.status(), 400, "no such option");
    // Listing with include_custom_fields.
    let v = sim.get_json("/api/Tickets?include_custom_fields=104").await;
    assert_eq!(v["tickets"][0]["customfields"].as_array().unwrap().len(), 1);
    assert!(
        sim.get_json("/api/Tickets").await["tickets"][0]
            .get("customfields")
            .is_none()
    );
}

#[tokio::test]
async fn merge_mode_keeps_other_custom_fields() {
    let sim = common::start_with(
        halo_sim::SimConfig::default()
            .with_rate_limit(None)
            .with_custom_field_update(halo_sim::CustomFieldUpdate::Merge),
    )
    .await;
    let id = sim
        .create_ticket(
            json!({"summary": "x", "customfields": [{"name": "CFExternalKey", "value": "K"}]}),
        )
        .await;
    let t = sim
        .post_json(
            "/api/Tickets",
            json!([{"id": id, "customfields": [{"id": 104, "value": "siem"}]}]),
        )
        .await;
    let key = t["customfields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == 101)
        .unwrap();
    assert_eq!(key["value"], "K");
}

#[tokio::test]
async fn team_by_name_or_id_and_general_user_lookup() {
    let sim = common::start().await;
    let t = sim
        .post_json(
            "/api/Tickets",
            json!([{"summary": "x", "team": "security operations"}]),
        )
        .await;
    assert_eq!(
        (t["team"].as_str(), t["team_id"].as_i64()),
        (Some("Security Operations"), Some(4))
    );
    let t = sim
        .post_json("/api/Tickets", json!([{"summary": "x", "team_id": 3}]))
        .await;
    assert_eq!(t["team"], "Infrastructure");
    assert_eq!(
        sim.post(
            "/api/Tickets",
            json!([{"summary": "x", "team": "No Such Team"}])
        )
        .await
        .status(),
        400
    );
    let t = sim
        .post_json("/api/Tickets", json!([{"summary": "x", "client_id": 2, "site_id": 3, "userlookup": {"id": -1, "lookupdisplay": "Enter Details Manually"}}]))
        .await;
    assert_eq!(t["user_id"], 20, "the client's General User");
    let t = sim
        .post_json(
            "/api/Tickets",
            json!([{"summary": "x", "tags": [{"text": "vpn"}, {"text": "urgent"}]}]),
        )
        .await;
    assert_eq!(t["ticket_tags"], "vpn,urgent");
    assert_eq!(t["tags"][0], json!({"id": 0, "text": "vpn"}));
}

#[tokio::test]
async fn bare_object_body_is_tolerated() {
    let sim = common::start().await;
    let t = sim
        .post_json("/api/Tickets", json!({"summary": "bare"}))
        .await;
    assert_eq!(t["summary"], "bare");
}

#[tokio::test]
async fn list_filters_priority_sla_excluded_and_closed_states() {
    let sim = common::start().await;
    let a = sim
        .create_ticket(json!({"summary": "Urgent", "priority_id": 1}))
        .await;
    let b = sim
        .create_ticket(json!({"summary": "Low", "priority_id": 4}))
        .await;
    let c = sim
        .create_ticket(json!({"summary": "Done", "priority_id": 4, "status_id": 9}))
        .await;
    let ids = |v: &Value| -> Vec<u64> {
        v["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ids(&sim.get_json("/api/Tickets?priority=1").await), vec![a]);
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?priority=1&priority=4").await),
        vec![a, b, c]
    );
    assert_eq!(
        ids(&sim
            .get_json(&format!("/api/Tickets?excludethese={a}"))
            .await),
        vec![b, c]
    );
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?includeclosed=1").await),
        vec![c]
    );
    assert_eq!(
        ids(&sim.get_json("/api/Tickets?includeclosed=0").await),
        vec![a, b]
    );
    assert_eq!(
        ids(&sim
            .get_json("/api/Tickets?includeclosed=0&includeclosed=1")
            .await),
        vec![a, b, c]
    );
    let sla = sim.get_json(&format!("/api/Tickets/{a}")).await["sla_id"]
        .as_u64()
        .unwrap();
    assert!(ids(&sim.get_json(&format!("/api/Tickets?sla={sla}")).await).contains(&a));
    assert!(ids(&sim.get_json("/api/Tickets?sla=999").await).is_empty());
}
