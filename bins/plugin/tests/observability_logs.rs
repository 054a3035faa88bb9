//! Structured logs and the run-mode metrics summary: every stderr line is a JSON object with the agreed
//! fields (request id from `meta`, action, Halo route, attempt, status, latency), no ticket body at INFO,
//! and `body.log` ends with the one-line metrics summary. In `http` mode the `X-REQUEST-ID` is echoed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, Server};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_mode_logs_json_with_request_id_and_summarises_metrics() {
    let env = Env::start().await;
    let id = env.create("Logged ticket").await;
    let mut msg = env.action("get_ticket", json!({"ticket_id": id}));
    msg["body"]["meta"]["request_id"] = json!("req-42");
    let run = env.run(&msg).await;
    run.ok();
    let lines: Vec<Value> = run
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty());
    for l in &lines {
        for key in ["timestamp", "level", "component", "message"] {
            assert!(l.get(key).is_some(), "{key} missing in {l}");
        }
        assert_eq!(l["request_id"], "req-42", "{l}");
        assert_eq!(l["action"], "get_ticket", "{l}");
        assert_eq!(l["job_id"], "job-1", "{l}");
    }
    let halo = lines
        .iter()
        .find(|l| l["message"] == "halo request succeeded")
        .unwrap_or_else(|| panic!("no halo request line: {}", run.stderr));
    assert_eq!(halo["component"], "halo-api");
    assert_eq!(halo["route"], "/api/Tickets/{id}");
    assert_eq!(halo["status"], 200);
    assert_eq!(halo["attempt"], 1);
    assert!(halo["latency_ms"].is_u64());
    assert!(halo["halo_request_id"].is_string());
    let done = lines
        .iter()
        .find(|l| l["message"] == "Step finished")
        .unwrap();
    assert_eq!(done["result"], "ok");
    // The ticket's details never reach the INFO log.
    assert!(!run.stderr.contains("original details"), "{}", run.stderr);

    let log = run.body()["log"].as_str().unwrap();
    let last = log.lines().last().unwrap();
    assert!(
        last.starts_with("INFO metrics: actions=1 action_errors=0 halo_requests="),
        "{log}"
    );
    assert!(
        last.contains(" token_fetches=1 token_failures=0 "),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_mode_echoes_the_request_id_and_omits_the_summary() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir).await;
    let id = env.create("Over HTTP").await;
    let msg = env.action("get_ticket", json!({"ticket_id": id}));
    let resp = srv
        .http
        .post(format!("{}/api/v1/actions/get_ticket", srv.base))
        .header("X-REQUEST-ID", "orch-7")
        .body(msg.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "orch-7");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["body"]["status"], "ok", "{body}");
    assert!(!body["body"]["log"].as_str().unwrap().contains("metrics:"));
    let resp = srv
        .http
        .get(format!("{}/api/v1/status", srv.base))
        .send()
        .await
        .unwrap();
    let generated = resp.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(generated.len(), 24, "{generated}");
}
