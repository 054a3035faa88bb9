//! Lookups and seeds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use halo_sim::{Seed, SimConfig};
use serde_json::{Value, json};

#[tokio::test]
async fn statuses_are_a_bare_array_with_closed_marked() {
    let sim = common::start().await;
    let v = sim.get_json("/api/Status").await;
    let rows = v.as_array().unwrap();
    let name = |id: i64| {
        rows.iter().find(|s| s["id"] == id).unwrap()["name"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(name(1), "New");
    assert_eq!(name(2), "In Progress");
    assert_eq!(name(3), "Action Required");
    assert_eq!(name(8), "Cancelled");
    assert_eq!(name(9), "Closed");
    let closed: Vec<i64> = rows
        .iter()
        .filter(|s| s["is_closed"] == true)
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(closed, vec![8, 9]);
    let open = sim.get_json("/api/Status?excludeclosed=true").await;
    assert_eq!(open.as_array().unwrap().len(), rows.len() - 2);
    assert_eq!(sim.get_json("/api/Status/9").await["name"], "Closed");
    assert_eq!(sim.get("/api/Status/99").await.status(), 404);
}

#[tokio::test]
async fn ticket_types_slas_priorities_teams() {
    let sim = common::start().await;
    let types = sim.get_json("/api/TicketType").await;
    let incident = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Incident")
        .unwrap();
    assert_eq!(
        (
            incident["default_sla"].as_i64(),
            incident["default_priority"].as_i64()
        ),
        (Some(1), Some(3))
    );
    assert!(incident["default_team"].is_string());
    let slas = sim.get_json("/api/SLA").await;
    assert_eq!(slas[0]["name"], "Incident SLA");
    let pri = sim.get_json("/api/Priority?slaid=1").await;
    let pri = pri.as_array().unwrap();
    assert_eq!(pri.len(), 4);
    let low = pri.iter().find(|p| p["priorityid"] == 4).unwrap();
    assert_eq!(low["name"], "Low");
    let guid = low["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(guid).is_ok(), "{guid}");
    assert_eq!(
        sim.get_json(&format!("/api/Priority/{guid}")).await["priorityid"],
        4
    );
    let teams = sim.get_json("/api/Team").await;
    assert!(teams.as_array().unwrap().len() >= 3);
}

#[tokio::test]
async fn agents_me_unassigned_and_paged_results_envelope() {
    let sim = common::start().await;
    let me = sim.get_json("/api/Agent/me").await;
    assert_eq!(
        (me["id"].as_i64(), me["name"].as_str()),
        (Some(3), Some("Admin"))
    );
    let all = sim.get_json("/api/Agent").await;
    let all = all.as_array().unwrap();
    assert!(
        all.iter().all(|a| a["name"] != "Unassigned"),
        "system agent hidden by default"
    );
    assert!(
        all.iter()
            .filter(|a| a["id"] != 3)
            .all(|a| a["email"].as_str().unwrap().contains('@'))
    );
    let with = sim.get_json("/api/Agent?includeunassigned=true").await;
    assert!(
        with.as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "Unassigned")
    );
    let paged = sim
        .get_json("/api/Agent?pageinate=true&page_size=2&page_no=1")
        .await;
    assert_eq!(paged["results"].as_array().unwrap().len(), 2);
    assert_eq!(paged["record_count"].as_u64().unwrap() as usize, all.len());
    assert_eq!(sim.get_json("/api/Agent/4").await["name"], "Alice Nguyen");
    assert_eq!(sim.get("/api/Agent/999").await.status(), 404);
}

#[tokio::test]
async fn outcomes_fieldinfo_categories() {
    let sim = common::start().await;
    let o = sim.get_json("/api/Outcome").await;
    let names: Vec<&str> = o
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["outcome"].as_str().unwrap())
        .collect();
    for n in ["Internal Note", "Private Note", "Public Note", "Close"] {
        assert!(names.contains(&n), "{n}");
    }
    assert_eq!(
        sim.get_json("/api/Outcome/7").await["outcome"],
        "Internal Note"
    );
    let f = sim.get_json("/api/FieldInfo").await;
    assert!(
        f.as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == "CFExternalKey" && x["type"] == 0)
    );
    let c = sim.get_json("/api/Category?type_id=1").await;
    assert!(
        c.as_array()
            .unwrap()
            .iter()
            .any(|x| x["value"] == "Network>VPN")
    );
}

#[tokio::test]
async fn clients_sites_users_envelopes_and_double_ids() {
    let sim = common::start().await;
    let c = sim.get_json("/api/Client").await;
    assert_eq!(
        c["record_count"].as_u64(),
        Some(c["clients"].as_array().unwrap().len() as u64)
    );
    let s = sim.get_json("/api/Site?client_id=1").await;
    assert_eq!(s["record_count"], 2);
    assert!(
        s["sites"][0]["client_id"].is_f64(),
        "Halo sends Site.client_id as a double"
    );
    let u = sim.get_json("/api/Users?search=jane").await;
    assert_eq!(u["record_count"], 1);
    assert_eq!(u["users"][0]["site_id"], json!(1.0));
    assert_eq!(u["users"][0]["site_id_int"], 1);
    let paged = sim
        .get_json("/api/Users?pageinate=true&page_size=2&page_no=2")
        .await;
    assert_eq!(
        (
            paged["page_no"].as_u64(),
            paged["users"].as_array().unwrap().len()
        ),
        (Some(2), 2)
    );
    assert_eq!(sim.get_json("/api/Users/11").await["name"], "Jane Doe");
}

#[tokio::test]
async fn another_seed_models_a_tenant_with_different_ids() {
    let seed = Seed::from_json(
        &json!({
            "statuses": [{"id": 10, "name": "Open"}, {"id": 28, "name": "Resolved", "is_closed": true}],
            "ticket_types": [{"id": 36, "name": "General Purpose", "default_sla": 1, "default_priority": 4,
                              "default_team": "1st Line Support", "initial_status": 10, "tenant_flag": "kept"}],
            "outcomes": [{"id": 7, "outcome": "Internal Note"}, {"id": 6, "outcome": "Close", "newstatus": 28}],
            "default_ticket_type_id": 36,
            "first_ticket_id": 9499,
            "tickets": [{"id": 500, "summary": "seeded", "status_id": 10}]
        })
        .to_string(),
    )
    .unwrap();
    let sim = common::start_with(SimConfig::default().with_rate_limit(None).with_seed(seed)).await;
    let seeded = sim.get_json("/api/Tickets/500").await;
    assert_eq!(seeded["summary"], "seeded");
    let t = sim
        .post_json("/api/Tickets", json!([{"summary": "x"}]))
        .await;
    assert_eq!(
        (
            t["id"].as_i64(),
            t["tickettype_id"].as_i64(),
            t["status_id"].as_i64()
        ),
        (Some(9499), Some(36), Some(10))
    );
    let types = sim.get_json("/api/TicketType").await;
    assert_eq!(
        types[0]["tenant_flag"], "kept",
        "extra seed fields are served"
    );
    let t = sim
        .post_json("/api/Tickets", json!([{"id": 9499, "status_id": 28}]))
        .await;
    assert_eq!(
        t["hasbeenclosed"], true,
        "closed statuses come from the seed"
    );
    assert_eq!(
        sim.post("/api/Tickets", json!([{"id": 9499, "status_id": 9}]))
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn start_refuses_a_seed_whose_references_do_not_resolve() {
    let mut seed = Seed::default();
    seed.api_agent_id = 42;
    let err = halo_sim::SimServer::start(SimConfig::default().with_seed(seed))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("api_agent_id")
            && err.contains("agent 42")
            && err.contains("existing ids: 1, 3"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_seed_file_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("halo-sim-seed-{}", std::process::id()));
    std::fs::write(&dir, "{\"agents\": [{\"name\": \"no id\"}]}").unwrap();
    let err = Seed::from_file(&dir).unwrap_err().to_string();
    assert!(err.contains("agents") && err.contains("id"), "{err}");
    let _ = std::fs::remove_file(&dir);
    assert!(
        Seed::from_file("/nonexistent/seed.json")
            .unwrap_err()
            .to_string()
            .contains("/nonexistent/seed.json")
    );
    let _: Value = serde_json::to_value(Seed::default()).unwrap();
}
