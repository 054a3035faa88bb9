//! `--log-format json` through the spawned binary: every stderr line is one JSON object with the documented
//! top-level keys, halo-api's request fields flattened in, and no secret or token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Sim;
use serde_json::Value;

fn lines(stderr: &str) -> Vec<serde_json::Map<String, Value>> {
    stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(m)) => m,
            other => panic!("stderr line is not a JSON object ({other:?}): {l}"),
        })
        .collect()
}

#[test]
fn json_logs_carry_the_documented_keys_flattened() {
    let sim = Sim::start();
    let run = sim.run(&["tickets", "create", "--summary", "Logged", "-o", "json"]);
    run.expect_code(0);
    let id = run.json()["data"]["id"].as_u64().unwrap().to_string();

    let run = sim.run(&[
        "tickets",
        "get",
        &id,
        "-o",
        "json",
        "--log-format",
        "json",
        "-v",
    ]);
    run.expect_code(0);
    let logs = lines(&run.stderr);
    assert!(!logs.is_empty(), "no log lines at -v");
    let request_id = logs[0]["request_id"].as_str().unwrap().to_string();
    for l in &logs {
        for key in [
            "timestamp",
            "level",
            "component",
            "message",
            "request_id",
            "command",
        ] {
            assert!(l.contains_key(key), "{key} missing: {l:?}");
        }
        assert!(
            chrono::DateTime::parse_from_rfc3339(l["timestamp"].as_str().unwrap()).is_ok(),
            "{l:?}"
        );
        assert_eq!(l["command"], "tickets get", "{l:?}");
        assert_eq!(
            l["request_id"],
            request_id.as_str(),
            "one id per invocation"
        );
        for nested in ["fields", "spans", "span", "target"] {
            assert!(!l.contains_key(nested), "{nested} must be flattened: {l:?}");
        }
    }
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    assert_eq!(request_id.matches('-').count(), 4, "a UUID: {request_id}");

    let halo = logs
        .iter()
        .find(|l| l["component"] == "halo-api" && l.contains_key("status"))
        .unwrap_or_else(|| panic!("no halo-api request line in {logs:?}"));
    assert_eq!(halo["route"], "/api/Tickets/{id}", "{halo:?}");
    assert_eq!(halo["method"], "GET", "{halo:?}");
    assert_eq!(halo["status"], 200, "{halo:?}");
    assert!(halo["attempt"].as_u64().is_some(), "{halo:?}");
    assert!(halo["latency_ms"].as_u64().is_some(), "{halo:?}");
    assert_eq!(halo["level"], "INFO");
    assert!(
        halo.contains_key("halo_request_id"),
        "halo-api's own id is kept apart: {halo:?}"
    );

    for needle in [common::SECRET, "Bearer"] {
        assert!(
            !run.stderr.contains(needle),
            "{needle} in the logs:\n{}",
            run.stderr
        );
    }

    let again = sim.run(&["tickets", "get", &id, "--log-format", "json", "-v"]);
    again.expect_code(0);
    assert_ne!(
        lines(&again.stderr)[0]["request_id"],
        request_id.as_str(),
        "each invocation gets its own request id"
    );
}
