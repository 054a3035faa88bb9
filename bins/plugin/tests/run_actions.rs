//! Every action end to end in `run` mode: the built binary against halo-sim, checking both the
//! envelope and what Halo (the sim's store) ends up holding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine as _;
use common::{Env, redact};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_test_reports_tenant_and_agent() {
    let env = Env::start().await;
    let mut conn = env.connection();
    conn["default_ticket_type"] = json!("Security Alert");
    conn["default_team"] = json!("Security Operations");
    let run = env.test(&env.connection_test(conn)).await;
    let out = run.ok();
    assert_eq!(run.envelope["type"], "connection_test");
    assert_eq!(run.body()["meta"], json!({"jobId": "t"}));
    assert_eq!(out["tenant"], "demo");
    assert_eq!(out["defaults"]["ticket_type_id"], 21);
    assert_eq!(out["defaults"]["team_id"], 4);
    assert_eq!(env.sim.journal().count("GET /api/Agent/me"), 1);
    insta::assert_json_snapshot!("connection_test_ok", redact(&run.envelope));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_ticket_resolves_names_and_defaults() {
    let env = Env::start().await;
    let mut conn = env.connection();
    conn["default_ticket_type"] = json!("Security Alert");
    conn["default_priority"] = json!("3");
    let msg = env.action_with(
        "create_ticket",
        json!({"summary": "Phishing reported", "details": "<p>see headers</p>", "agent": "ALICE.NGUYEN@demo.example",
            "team": "security operations", "custom_fields": {"CFSourceSystem": "InsightIDR"}}),
        conn,
    );
    let run = env.run(&msg).await;
    let out = run.ok().clone();
    assert_eq!(out["success"], true);
    let id = out["ticket"]["id"].as_u64().unwrap();
    let stored = env.sim.ticket(id).unwrap();
    assert_eq!(stored["tickettype_id"], 21);
    assert_eq!(stored["priority_id"], 3);
    assert_eq!(stored["agent_id"], 4);
    assert_eq!(stored["team_id"], 4);
    insta::assert_json_snapshot!("create_ticket_ok", redact(&run.envelope));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn community_plugin_default_ids_are_used() {
    let env = Env::start().await;
    let mut conn = env.connection();
    // A connection ported from the community plugin: integer `*_id` defaults only.
    conn["default_ticket_type_id"] = json!(21);
    conn["default_priority_id"] = json!(2);
    conn["default_team_id"] = json!(4);
    conn["default_agent_id"] = json!(4);
    conn["default_category_id"] = json!(9);
    let out = env
        .test(&env.connection_test(conn.clone()))
        .await
        .ok()
        .clone();
    assert_eq!(
        out["defaults"],
        json!({"ticket_type_id": 21, "priority_id": 2, "team_id": 4, "agent_id": 4,
               "category": "Security>Phishing"})
    );
    let out = env
        .run(&env.action_with(
            "create_ticket",
            json!({"summary": "Ported defaults"}),
            conn.clone(),
        ))
        .await
        .ok()
        .clone();
    let stored = env
        .sim
        .ticket(out["ticket"]["id"].as_u64().unwrap())
        .unwrap();
    assert_eq!(stored["tickettype_id"], 21);
    assert_eq!(stored["priority_id"], 2);
    assert_eq!(stored["team_id"], 4);
    assert_eq!(stored["agent_id"], 4);
    assert_eq!(stored["category_1"], "Security>Phishing");
    // A name field, when set, is used instead; 0 in an `*_id` field means no default.
    conn["default_ticket_type"] = json!("Incident");
    conn["default_ticket_type_id"] = json!(0);
    let out = env.test(&env.connection_test(conn)).await.ok().clone();
    assert_eq!(out["defaults"]["ticket_type_id"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_ticket_found_and_not_found() {
    let env = Env::start().await;
    let id = env.create("Get me").await;
    let out = env.ok("get_ticket", json!({"ticket_id": id})).await;
    assert_eq!(out["found"], true);
    assert_eq!(out["ticket"]["summary"], "Get me");
    let out = env.ok("get_ticket", json!({"ticket_id": 999_999})).await;
    assert_eq!(out, json!({"found": false, "success": true}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_ticket_changes_only_given_fields() {
    let env = Env::start().await;
    let id = env.create("Before").await;
    let out = env
        .ok(
            "update_ticket",
            json!({"ticket_id": id, "summary": "After", "status": "In Progress"}),
        )
        .await;
    assert_eq!(out["ticket"]["summary"], "After");
    let stored = env.sim.ticket(id).unwrap();
    assert_eq!(stored["status_id"], 2);
    assert!(
        stored["details"]
            .as_str()
            .unwrap_or_default()
            .contains("original details")
            || stored["details_html"]
                .as_str()
                .unwrap_or_default()
                .contains("original details")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_ticket_finds_closed_status_and_keeps_details() {
    let env = Env::start().await;
    let id = env.create("Close me").await;
    let out = env
        .ok(
            "close_ticket",
            json!({"ticket_id": id, "resolution": "False positive"}),
        )
        .await;
    assert_eq!(out["ticket"]["status_id"], 9);
    let stored = env.sim.ticket(id).unwrap();
    assert_eq!(stored["status_id"], 9);
    let details = format!("{}{}", stored["details"], stored["details_html"]);
    assert!(
        details.contains("original details"),
        "details overwritten: {details}"
    );
    assert!(!details.contains("False positive"));
    let note = format!("{}{}", stored["closure_note"], stored["closure_note_html"]);
    assert!(
        note.contains("False positive"),
        "resolution not in closure note: {stored}"
    );
    // An explicit status by name wins over the closed flag.
    let id2 = env.create("Cancel me").await;
    let out = env
        .ok(
            "close_ticket",
            json!({"ticket_id": id2, "status": "cancelled"}),
        )
        .await;
    assert_eq!(out["ticket"]["status_id"], 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assign_ticket_by_email_and_team_name() {
    let env = Env::start().await;
    let id = env.create("Assign me").await;
    let out = env.ok("assign_ticket", json!({"ticket_id": id, "agent": "priya.shah@demo.example", "team": "Security Operations"})).await;
    assert_eq!(out["ticket"]["agent_id"], 6);
    let stored = env.sim.ticket(id).unwrap();
    assert_eq!(stored["agent_id"], 6);
    assert_eq!(stored["team_id"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_comment_and_list_comments() {
    let env = Env::start().await;
    let id = env.create("Notes").await;
    let out = env
        .ok(
            "add_comment",
            json!({"ticket_id": id, "comment": "Containment started", "status": "In Progress"}),
        )
        .await;
    assert_eq!(out["success"], true);
    assert_eq!(out["comment"]["is_private"], true);
    assert_eq!(env.sim.ticket(id).unwrap()["status_id"], 2);
    let posted = env.sim.journal().matching("POST /api/Actions");
    assert_eq!(posted.len(), 1);
    env.ok(
        "add_comment",
        json!({"ticket_id": id, "comment": "Public update", "is_private": false}),
    )
    .await;
    let list = env.ok("list_comments", json!({"ticket_id": id})).await;
    let notes: Vec<String> = list["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["note"].to_string())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("Containment started")),
        "{list}"
    );
    assert!(notes.iter().any(|n| n.contains("Public update")), "{list}");
    assert_eq!(list["count"].as_u64().unwrap() as usize, notes.len());
    let public_only = env
        .ok(
            "list_comments",
            json!({"ticket_id": id, "include_private": false}),
        )
        .await;
    assert!(
        !public_only.to_string().contains("Containment started"),
        "{public_only}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_tickets_follows_pagination_to_max_results() {
    let env = Env::start().await;
    for i in 0..120 {
        env.sim
            .upsert_ticket(json!({"summary": format!("Bulk {i}"), "tickettype_id": 1}))
            .unwrap();
    }
    env.create("Special phishing case").await;
    let out = env.ok("search_tickets", json!({"max_results": 110})).await;
    assert_eq!(out["count"], 110);
    assert_eq!(out["tickets"].as_array().unwrap().len(), 110);
    assert!(
        env.sim.journal().count("GET /api/Tickets") >= 2,
        "pagination must fetch more than one page"
    );
    let out = env
        .ok("search_tickets", json!({"search": "phishing"}))
        .await;
    assert_eq!(out["count"], 1, "{out}");
    let out = env.ok("search_tickets", json!({"state": "closed"})).await;
    assert_eq!(out["count"], 0);
    let out = env
        .ok(
            "search_tickets",
            json!({"created_after": "2000-01-01", "max_results": 5}),
        )
        .await;
    assert_eq!(out["count"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_ticket_removes_it() {
    let env = Env::start().await;
    let id = env.create("Delete me").await;
    let out = env
        .ok(
            "delete_ticket",
            json!({"ticket_id": id, "reason": "duplicate"}),
        )
        .await;
    assert_eq!(out, json!({"success": true}));
    let out = env.ok("get_ticket", json!({"ticket_id": id})).await;
    assert_eq!(out["found"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_and_list_attachments() {
    let env = Env::start().await;
    let id = env.create("Files").await;
    let content = base64::engine::general_purpose::STANDARD.encode(b"Received: from example\n");
    let out = env
        .ok(
            "upload_attachment",
            json!({"ticket_id": id, "file": {"filename": "headers.txt", "content": content}}),
        )
        .await;
    assert_eq!(out["attachment"]["filename"], "headers.txt");
    let list = env.ok("list_attachments", json!({"ticket_id": id})).await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["attachments"][0]["filename"], "headers.txt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_user_and_get_agent() {
    let env = Env::start().await;
    let user_id = env.sim.seed().users[0]["id"].as_u64().unwrap();
    let out = env.ok("get_user", json!({"user_id": user_id})).await;
    assert_eq!(out["user"]["id"], user_id);
    let out = env.ok("get_agent", json!({"agent_id": 4})).await;
    assert_eq!(out["agent"]["email"], "alice.nguyen@demo.example");
    let run = env
        .run(&env.action("get_agent", json!({"agent_id": 4242})))
        .await;
    assert!(
        run.err()["cause"]
            .as_str()
            .unwrap()
            .contains("Agent 4242 was not found")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_list_the_tenant() {
    let env = Env::start().await;
    for (action, key) in [
        ("list_statuses", "statuses"),
        ("list_ticket_types", "ticket_types"),
        ("list_priorities", "priorities"),
        ("list_teams", "teams"),
        ("list_agents", "agents"),
        ("list_outcomes", "outcomes"),
    ] {
        let out = env.ok(action, json!({})).await;
        let n = out[key].as_array().unwrap().len();
        assert!(n > 0, "{action} returned nothing");
        assert_eq!(out["count"], n);
    }
    let run = env.run(&env.action("list_statuses", json!({}))).await;
    let out = run.ok();
    assert!(
        out["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "Closed" && s["is_closed"] == true)
    );
    insta::assert_json_snapshot!("list_statuses_ok", redact(&run.envelope));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_for_a_user_gets_the_users_site_because_halo_requires_one() {
    let env = Env::start().await;
    // User 12 (Mark Lee) belongs to site 2 of client 1 in the simulator's default tenant.
    let out = env
        .ok(
            "create_ticket",
            json!({"summary": "Laptop stolen", "user_id": 12}),
        )
        .await;
    let id = out["ticket"]["id"].as_u64().unwrap();
    let posts = env.sim.journal().matching("POST /api/Tickets");
    let sent = posts.last().unwrap().body_json().unwrap();
    assert_eq!(sent[0]["user_id"], 12, "{sent}");
    assert_eq!(
        sent[0]["site_id"], 2,
        "the plugin sends the user's site itself: {sent}"
    );
    assert_eq!(sent[0]["client_id"], 1, "{sent}");
    assert_eq!(env.sim.ticket(id).unwrap()["site_id"], 2);
    // A site given with the user is kept as given.
    let out = env
        .ok(
            "create_ticket",
            json!({"summary": "Laptop stolen", "user_id": 12, "site_id": 1}),
        )
        .await;
    let id = out["ticket"]["id"].as_u64().unwrap();
    assert_eq!(env.sim.ticket(id).unwrap()["site_id"], 1);
    // An unknown user is a clear input error, and nothing is created.
    let before = env.sim.journal().count("POST /api/Tickets");
    let run = env
        .run(&env.action("create_ticket", json!({"summary": "x", "user_id": 999})))
        .await;
    let exc = run.err();
    assert!(
        exc["cause"].as_str().unwrap().contains("No user 999"),
        "{exc}"
    );
    assert_eq!(env.sim.journal().count("POST /api/Tickets"), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_by_priority_is_filtered_by_halo_and_stops_at_max_results() {
    let env = Env::start().await;
    for i in 0..30 {
        let p = if i % 3 == 0 { 1 } else { 4 };
        env.sim
            .upsert_ticket(
                json!({"summary": format!("P {i}"), "tickettype_id": 1, "priority_id": p}),
            )
            .unwrap();
    }
    let out = env
        .ok(
            "search_tickets",
            json!({"priority_id": 1, "max_results": 4}),
        )
        .await;
    assert_eq!(out["count"], 4, "{out}");
    for t in out["tickets"].as_array().unwrap() {
        assert_eq!(t["priority_id"], 1, "{t}");
    }
    let list = env.sim.journal().matching("GET /api/Tickets");
    let last = list.last().unwrap();
    assert_eq!(
        last.query_param("priority").as_deref(),
        Some("1"),
        "the filter goes to Halo: {}",
        last.query
    );
    let all = env.ok("search_tickets", json!({"priority_id": 1})).await;
    assert_eq!(all["count"], 10);
}
