//! docs/ops/alerts.yml names only metrics the plugin exports: a few actions run against halo-sim through the
//! `http` server, then `GET /metrics` is scraped and every metric in every rule expression must be among the
//! sample names. Also checks the scrape counts what happened and the four thresholds of the guide.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use common::{Env, Server};
use serde_json::{Value, json};

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `name{labels} value` lines → (name, labels text) → value.
fn parse_scrape(text: &str) -> BTreeMap<(String, String), f64> {
    let mut out = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line.rsplit_once(' ').unwrap();
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => (n, l.trim_end_matches('}')),
            None => (series, ""),
        };
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "bad metric name in {line}"
        );
        out.insert((name.to_string(), labels.to_string()), value);
    }
    out
}

fn metric_names_in(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = expr;
    while let Some(i) = rest.find("haloitsm_plugin_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.insert(tail[..end].to_string());
        rest = &tail[end..];
    }
    names
}

fn get(samples: &BTreeMap<(String, String), f64>, name: &str, labels: &str) -> f64 {
    samples
        .get(&(name.to_string(), labels.to_string()))
        .copied()
        .unwrap_or_else(|| panic!("no sample {name}{{{labels}}}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_in_the_alert_rules_is_exported() {
    let rules_path = workspace_root().join("docs/ops/alerts.yml");
    let rules: Value =
        yaml_serde::from_str(&std::fs::read_to_string(&rules_path).unwrap()).unwrap();
    let rules: Vec<&Value> = rules["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
        .collect();
    let expr_of = |alert: &str| -> String {
        rules
            .iter()
            .find(|r| r["alert"] == alert)
            .unwrap_or_else(|| panic!("rule {alert} missing"))["expr"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // The guide's four thresholds.
    for (alert, window, threshold) in [
        ("HaloPluginActionErrorRate", "[5m]", "> 0.05"),
        ("HaloPluginHaloLatencyHigh", "[10m]", "> 5"),
        ("HaloPluginWebhookFailureRate", "[15m]", "> 0.10"),
        ("HaloPluginAuthFailures", "[5m]", "> 3"),
    ] {
        let e = expr_of(alert);
        assert!(e.contains(window) && e.contains(threshold), "{alert}: {e}");
    }

    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    let srv = Server::start(&dir).await;
    let post = |name: &str, input: Value| {
        let msg = env.action(name, input);
        let srv = &srv;
        let name = name.to_string();
        async move {
            srv.post(&format!("/api/v1/actions/{name}"), msg.to_string())
                .await
        }
    };
    let (status, body) = post(
        "create_ticket",
        json!({"summary": "metrics", "details": "d"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = body["body"]["output"]["ticket"]["id"].as_u64().unwrap();
    assert_eq!(post("get_ticket", json!({"ticket_id": id})).await.0, 200);
    // A missing ticket: get_ticket answers found=false, update_ticket fails with a plugin error.
    let missing = json!({"ticket_id": 987_654});
    assert_eq!(post("get_ticket", missing.clone()).await.0, 200);
    let (status, body) = post(
        "update_ticket",
        json!({"ticket_id": 987_654, "summary": "x"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let hook = json!({"body": {"event": "ticket status changed", "object_id": id, "ticket": {"id": id, "status_id": 1}}});
    let (status, body) = post("parse_webhook", hook).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        post("parse_webhook", json!({"body": {"event": "x"}}))
            .await
            .0,
        400
    );

    let resp = srv
        .http
        .get(format!("{}/metrics", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ctype.starts_with("text/plain; version=0.0.4"), "{ctype}");
    let text = resp.text().await.unwrap();
    env.assert_no_secrets(&text);
    let samples = parse_scrape(&text);
    let exported: BTreeSet<String> = samples.keys().map(|(n, _)| n.clone()).collect();

    for rule in &rules {
        let expr = rule["expr"].as_str().unwrap();
        let named = metric_names_in(expr);
        assert!(!named.is_empty(), "rule names no plugin metric: {expr}");
        for name in named {
            // Trigger series exist once a trigger ran; their families are always declared.
            if name.contains("trigger_") {
                assert!(
                    text.contains(&format!("# TYPE {name} ")),
                    "{name} not declared"
                );
                continue;
            }
            assert!(
                exported.contains(&name),
                "{name} (alert {}) is not exported:\n{text}",
                rule["alert"]
            );
        }
    }

    // The scrape counts what happened (this server process ran only the steps above).
    let expected: &[(&str, &str, f64)] = &[
        ("actions_total", r#"action="get_ticket",result="ok""#, 2.0),
        (
            "actions_total",
            r#"action="update_ticket",result="error""#,
            1.0,
        ),
        (
            "action_errors_total",
            r#"action="update_ticket",kind="not_found""#,
            1.0,
        ),
        (
            "action_errors_total",
            r#"action="parse_webhook",kind="input""#,
            1.0,
        ),
        (
            "action_duration_seconds_count",
            r#"action="create_ticket""#,
            1.0,
        ),
        ("webhooks_total", "", 2.0),
        ("webhook_parse_failures_total", "", 1.0),
        ("token_fetches_total", "", 1.0),
        ("token_refresh_failures_total", "", 0.0),
    ];
    for (name, labels, want) in expected {
        let name = format!("haloitsm_plugin_{name}");
        assert_eq!(get(&samples, &name, labels), *want, "{name}{{{labels}}}");
    }
    let not_found = r#"route="/api/Tickets/{id}",status="404""#;
    assert!(get(&samples, "haloitsm_plugin_halo_requests_total", not_found) >= 1.0);
    let route = r#"route="/api/Tickets/{id}""#;
    assert!(
        get(
            &samples,
            "haloitsm_plugin_halo_request_duration_seconds_count",
            route
        ) >= 2.0
    );
}
