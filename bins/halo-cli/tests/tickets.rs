//! `tickets`, `lookup`, `raw` and the error exit codes against halo-sim, through the spawned binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Sim;

#[test]
fn ticket_lifecycle_through_the_cli() {
    let sim = Sim::start();
    let run = sim.run(&[
        "tickets",
        "create",
        "--summary",
        "CLI lifecycle",
        "--details",
        "made by a test",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    let v = run.json();
    assert_eq!(v["command"], "tickets create");
    assert_eq!(v["ok"], true);
    let id = v["data"]["id"].as_u64().unwrap();
    assert_eq!(sim.handle.ticket(id).unwrap()["summary"], "CLI lifecycle");
    let id_s = id.to_string();

    let run = sim.run(&["tickets", "get", &id_s, "-o", "json"]);
    run.expect_code(0);
    assert_eq!(run.json()["data"]["details"], "made by a test");

    sim.run(&[
        "tickets",
        "update",
        &id_s,
        "--summary",
        "CLI lifecycle (renamed)",
    ])
    .expect_code(0);
    assert_eq!(
        sim.handle.ticket(id).unwrap()["summary"],
        "CLI lifecycle (renamed)"
    );

    let agent = sim
        .handle
        .seed()
        .agents
        .iter()
        .filter_map(|a| a["id"].as_u64())
        .find(|id| *id > 1)
        .unwrap();
    sim.run(&["tickets", "assign", &id_s, "--agent", &agent.to_string()])
        .expect_code(0);
    assert_eq!(
        sim.handle.ticket(id).unwrap()["agent_id"].as_u64(),
        Some(agent)
    );

    let run = sim.run(&[
        "tickets",
        "note",
        &id_s,
        "--text",
        "looking into it",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    assert!(sim.handle.actions(id).iter().any(|a| {
        a["note"]
            .as_str()
            .is_some_and(|n| n.contains("looking into it"))
    }));

    let run = sim.run(&["tickets", "list", "--search", "CLI lifecycle", "-o", "json"]);
    run.expect_code(0);
    assert!(
        run.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == id)
    );

    let run = sim.run(&["tickets", "close", &id_s, "--note", "done", "-o", "json"]);
    run.expect_code(0);
    let closed = sim.handle.ticket(id).unwrap();
    assert_eq!(
        closed["status_id"].as_u64(),
        Some(9),
        "closed status: {closed}"
    );

    let run = sim.run(&["tickets", "delete", &id_s]);
    run.expect_code(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    sim.run(&["tickets", "delete", &id_s, "--yes"])
        .expect_code(0);
    sim.run(&["tickets", "get", &id_s]).expect_code(4);
}

#[test]
fn a_bad_id_exits_4_with_cause_and_assistance() {
    let sim = Sim::start();
    let run = sim.run(&["tickets", "get", "987654"]);
    run.expect_code(4);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains("assistance: "), "{}", run.stderr);

    let run = sim.run(&["tickets", "get", "987654", "-o", "json"]);
    run.expect_code(4);
    let err: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(err["error"]["kind"], "not_found");
}

#[test]
fn a_bad_credential_exits_3() {
    let sim = Sim::start();
    let mut cmd = sim.cmd();
    cmd.env("HALO_CLIENT_SECRET", "wrong-secret");
    let run = sim.run_cmd(cmd, &["lookup", "statuses"]);
    run.expect_code(3);
    assert!(run.stderr.contains("assistance:"), "{}", run.stderr);
    assert!(!run.stderr.contains("wrong-secret"), "{}", run.stderr);
}

#[test]
fn an_unreachable_server_exits_6() {
    let sim = Sim::start();
    let mut cmd = sim.cmd();
    // Port 9 (discard) on loopback: nothing listens there.
    cmd.env("HALO_RESOURCE_SERVER", "http://127.0.0.1:9/api")
        .env("HALO_AUTH_SERVER", "http://127.0.0.1:9/auth");
    let run = sim.run_cmd(cmd, &["lookup", "statuses"]);
    run.expect_code(6);
}

#[test]
fn lookups_print_stable_tables_and_json() {
    let sim = Sim::start();
    let run = sim.run(&["lookup", "statuses"]);
    run.expect_code(0);
    insta::assert_snapshot!("lookup_statuses_table", run.stdout);
    let run = sim.run(&["lookup", "statuses", "-o", "json"]);
    run.expect_code(0);
    insta::assert_json_snapshot!("lookup_statuses_json", run.json());
    for kind in [
        "types",
        "priorities",
        "teams",
        "agents",
        "outcomes",
        "fields",
        "clients",
        "sites",
        "users",
    ] {
        let run = sim.run(&["lookup", kind, "-o", "json"]);
        run.expect_code(0);
        let v = run.json();
        assert_eq!(v["command"], format!("lookup {kind}"));
        assert!(v["data"].is_array(), "{kind}: {v}");
    }
}

#[test]
fn raw_goes_through_the_client() {
    let sim = Sim::start();
    let before = sim.handle.journal().count("GET /api/Status");
    let run = sim.run(&["raw", "GET", "/api/Status", "-o", "json"]);
    run.expect_code(0);
    let v = run.json();
    assert_eq!(v["data"]["method"], "GET");
    assert!(v["data"]["response"].is_array() || v["data"]["response"].is_object());
    assert_eq!(sim.handle.journal().count("GET /api/Status"), before + 1);

    let run = sim.run(&[
        "raw",
        "POST",
        "/api/Tickets",
        "--body",
        "[{\"summary\": \"raw made\"}]",
    ]);
    run.expect_code(0);
    assert_eq!(sim.count_tickets("raw made"), 1);

    sim.run(&["raw", "POST", "/api/Tickets", "--body", "{not json"])
        .expect_code(2);
    sim.run(&["raw", "GET", "Status"]).expect_code(2);
}

#[test]
fn a_refused_token_request_exits_3() {
    let sim = Sim::start();
    // A 4xx without an OAuth2 error body: halo-auth's "refused" (e.g. unauthorized_client).
    sim.handle
        .faults()
        .always("POST /auth/token", halo_sim::Fault::status(400));
    let run = sim.run(&["lookup", "statuses", "-o", "json"]);
    run.expect_code(3);
    let err: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(err["error"]["kind"], "auth", "{err}");
    assert_eq!(err["error"]["exit_code"], 3);
}

#[test]
fn a_429_from_the_token_endpoint_exits_5() {
    let sim = Sim::start();
    sim.handle
        .faults()
        .always("POST /auth/token", halo_sim::Fault::status(429));
    let run = sim.run(&["lookup", "statuses", "-o", "json"]);
    run.expect_code(5);
    let err: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(err["error"]["kind"], "rate_limited", "{err}");
    assert_eq!(sim.handle.journal().count("GET /api/Status"), 0);
}

#[test]
fn a_rate_limit_that_outlasts_the_retries_exits_5() {
    // One request per hour: the second command's request gets a 429 whose Retry-After is beyond the retry budget.
    let sim = Sim::start_with(|c| {
        c.with_rate_limit(Some(
            halo_sim::RateLimitConfig::new(1, std::time::Duration::from_secs(3600))
                .with_retry_after(true),
        ))
    });
    sim.run(&["raw", "GET", "/api/Status"]).expect_code(0);
    let run = sim.run(&["raw", "GET", "/api/Status", "-o", "json"]);
    run.expect_code(5);
    let err: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(err["error"]["kind"], "rate_limited", "{err}");
    assert!(
        err["error"]["assistance"]
            .as_str()
            .unwrap()
            .contains("rate limit"),
        "{err}"
    );
}

#[test]
fn missing_configuration_exits_2() {
    let sim = Sim::start();
    let run = sim.run_cmd(sim.bare(), &["lookup", "statuses"]);
    run.expect_code(2);
    assert!(run.stderr.contains("assistance: "), "{}", run.stderr);
}

#[test]
fn tickets_get_json_snapshot() {
    let sim = Sim::start();
    let run = sim.run(&[
        "tickets",
        "create",
        "--summary",
        "Snapshot ticket",
        "--details",
        "for the JSON shape",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    let id = run.json()["data"]["id"].as_u64().unwrap();
    let run = sim.run(&["tickets", "get", &id.to_string(), "-o", "json"]);
    run.expect_code(0);
    let mut v = run.json();
    assert_eq!(v["data"]["id"], id);
    v["data"]["id"] = serde_json::json!("[id]");
    // Server-maintained times vary run to run; a null (never closed) stays null.
    for k in ["datecreated", "last_update", "dateclosed"] {
        if v["data"][k].is_string() {
            v["data"][k] = serde_json::json!("[timestamp]");
        }
    }
    insta::assert_json_snapshot!("tickets_get_json", v);
}

#[test]
fn a_ticket_for_a_user_gets_the_users_site() {
    let sim = Sim::start();
    // User 12 belongs to site 2 of client 1 in the simulator's default tenant.
    let run = sim.run(&[
        "tickets",
        "create",
        "--summary",
        "For Mark",
        "--user",
        "12",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    let id = run.json()["data"]["id"].as_u64().unwrap();
    let posts = sim.handle.journal().matching("POST /api/Tickets");
    let sent = posts.last().unwrap().body_json().unwrap();
    assert_eq!(
        sent[0]["site_id"], 2,
        "the CLI sends the site itself: {sent}"
    );
    assert_eq!(sim.handle.ticket(id).unwrap()["site_id"], 2);
    let run = sim.run(&[
        "tickets",
        "create",
        "--summary",
        "For Mark at HQ",
        "--user",
        "12",
        "--site",
        "1",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    let id = run.json()["data"]["id"].as_u64().unwrap();
    assert_eq!(sim.handle.ticket(id).unwrap()["site_id"], 1);
    let run = sim.run(&["tickets", "create", "--summary", "Nobody", "--user", "999"]);
    run.expect_code(4);
}
