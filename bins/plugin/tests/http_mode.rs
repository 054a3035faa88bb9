//! `http` mode: the runtime's routes under `/` and `/api/v1`, status codes, bodies without a
//! Content-Type, one shared client per connection under concurrency, graceful shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Env, Server};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_on_both_prefixes_and_status_codes() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir).await;
    let id = env.create("Over HTTP").await;
    let msg = env.action("get_ticket", json!({"ticket_id": id}));
    for prefix in ["", "/api/v1"] {
        let (status, body) = srv
            .post(&format!("{prefix}/actions/get_ticket"), msg.to_string())
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["body"]["output"]["ticket"]["id"], id);
        assert_eq!(body["body"]["meta"], json!({"jobId": "job-1"}));
        env.assert_no_secrets(&body.to_string());
    }
    // Route name must match body.action.
    let (status, body) = srv.post("/api/v1/actions/get_agent", msg.to_string()).await;
    assert_eq!(status, 400);
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .contains("is not matching with name (get_agent)"),
        "{body}"
    );
    // Bad input: 400 with the error envelope.
    let (status, body) = srv
        .post(
            "/api/v1/actions/get_ticket",
            env.action("get_ticket", json!({})).to_string(),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["body"]["status"], "error");
    // Plugin error (unknown ticket on update): 400.
    let bad = env.action(
        "update_ticket",
        json!({"ticket_id": 999_999, "summary": "x"}),
    );
    let (status, body) = srv
        .post("/api/v1/actions/update_ticket", bad.to_string())
        .await;
    assert_eq!(status, 400, "{body}");
    // Malformed JSON: 400 Flask-style body.
    let (status, body) = srv.post("/api/v1/actions/get_ticket", "{oops").await;
    assert_eq!(status, 400);
    assert_eq!(body["name"], "Bad Request");
    // Unknown path: 404.
    let (status, body) = srv.get("/api/v1/nothing/here").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], 404);
    let (status, _) = srv.post("/api/v1/connection/other", "{}").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_test_and_step_tests() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir).await;
    let (status, body) = srv
        .post(
            "/api/v1/connection/test",
            env.connection_test(env.connection()).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["type"], "connection_test");
    assert_eq!(body["body"]["output"]["success"], true);
    let mut conn = env.connection();
    conn["client_secret"] = json!({"secretKey": "nope-nope"});
    let (status, body) = srv
        .post(
            "/api/v1/connection/test",
            env.connection_test(conn).to_string(),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(!body.to_string().contains("nope-nope"));
    let (status, body) = srv
        .post(
            "/actions/get_ticket/test",
            env.action("get_ticket", json!({})).to_string(),
        )
        .await;
    assert_eq!(
        status, 200,
        "the action test runs the connection test: {body}"
    );
    assert_eq!(body["type"], "action_event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_spec_listings_and_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir).await;
    let (s, info) = srv.get("/api/v1/info").await;
    assert_eq!(s, 200);
    assert_eq!(info["name"], "haloitsm");
    assert_eq!(info["vendor"], "haloitsm_rs");
    assert_eq!(
        srv.get("/api/v1/status").await.1,
        json!({"status": "Ready"})
    );
    let (_, actions) = srv.get("/api/v1/actions").await;
    assert!(
        actions
            .as_array()
            .unwrap()
            .contains(&json!("search_tickets"))
    );
    let (s, details) = srv.get("/api/v1/actions/get_ticket").await;
    assert_eq!(s, 200);
    assert_eq!(details["title"], "Get Ticket");
    let (s, _) = srv.get("/api/v1/actions/nope").await;
    assert_eq!(s, 400);
    let (_, spec) = srv.get("/api/v1/spec").await;
    assert_eq!(spec["name"], "haloitsm");
    let (s, _) = srv.get("/api/v1/spec?format=xml").await;
    assert_eq!(s, 422);
    let (_, conn) = srv.get("/api/v1/connection").await;
    assert!(
        conn["required"]
            .as_array()
            .unwrap()
            .contains(&json!("client_secret"))
    );
    let (_, defs) = srv.get("/api/v1/definitions/actions").await;
    let get = defs["actionsDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["identifier"] == "get_ticket")
        .unwrap();
    assert_eq!(
        get["inputJsonSchema"]["properties"]["ticket_id"]["type"],
        "integer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_share_one_client_per_connection() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir).await;
    let id = env.create("Shared").await;
    let before = env.sim.tokens_issued();
    let msg = env
        .action("get_ticket", json!({"ticket_id": id}))
        .to_string();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (http, url, body) = (
            srv.http.clone(),
            format!("{}/api/v1/actions/get_ticket", srv.base),
            msg.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).body(body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }));
    }
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["body"]["output"]["ticket"]["id"], id);
    }
    assert_eq!(
        env.sim.tokens_issued() - before,
        1,
        "32 concurrent requests, one connection: one token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_refuses_new_work_then_exits() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut srv = Server::start(&dir).await;
    let (s, _) = srv.post("/api/v1/admin/shutdown", "").await;
    assert_eq!(s, 200);
    let exit = tokio::time::timeout(Duration::from_secs(15), srv.child.wait())
        .await
        .expect("exits after shutdown")
        .unwrap();
    assert!(exit.success());
    // SIGTERM: a second server stops cleanly too.
    let srv2 = Server::start(&dir).await;
    let (s, _) = srv2
        .post(
            "/api/v1/actions/get_ticket",
            env.action("get_ticket", json!({"ticket_id": 1}))
                .to_string(),
        )
        .await;
    assert_eq!(s, 200);
    let pid = srv2.child.id().unwrap();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut child = srv2.child;
    let exit = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("exits on SIGTERM")
        .unwrap();
    assert!(exit.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_during_shutdown_get_503() {
    let env = Env::start().await;
    // Slow Halo so one request is in flight while shutdown starts.
    env.sim.faults().always(
        "GET /api/Tickets/*",
        halo_sim::Fault::latency(Duration::from_millis(1500)),
    );
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir).await;
    let msg = env
        .action("get_ticket", json!({"ticket_id": 1}))
        .to_string();
    let (http, url) = (
        srv.http.clone(),
        format!("{}/api/v1/actions/get_ticket", srv.base),
    );
    let inflight = tokio::spawn({
        let (http, url, msg) = (http.clone(), url.clone(), msg.clone());
        async move {
            http.post(url)
                .body(msg)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    srv.post("/api/v1/admin/shutdown", "").await;
    let (s, body) = srv.post("/api/v1/actions/get_ticket", msg).await;
    assert_eq!(s, 503, "{body}");
    assert_eq!(
        body["error"],
        "Shutdown in progress. No new work can be accepted."
    );
    assert_eq!(inflight.await.unwrap(), 200, "in-flight work finishes");
}
