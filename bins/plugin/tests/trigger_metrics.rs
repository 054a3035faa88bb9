//! Trigger metrics from a real trigger process (`run` mode) with `HALO_PLUGIN_METRICS_ADDR`: a dispatcher that
//! rejects shows up as dispatch failures and a pending event; once it accepts, the event counts as delivered and
//! nothing is pending. A running trigger also logs the one-line metrics summary every
//! `HALO_PLUGIN_SUMMARY_SECS` (5 minutes by default) and once more when it stops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod sync_support;
mod triggers_support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;
use sync_support::{connection, sim};
use tokio::io::AsyncWriteExt as _;
use triggers_support::{Dispatcher, start_message, state, stderr, terminate, wait_for, workspace};

const WAIT: Duration = Duration::from_secs(20);

async fn sample(http: &reqwest::Client, url: &str, series: &str) -> Option<f64> {
    let text = http.get(url).send().await.ok()?.text().await.ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn wait_sample(http: &reqwest::Client, url: &str, series: &str, ok: impl Fn(f64) -> bool) {
    let start = Instant::now();
    loop {
        let v = sample(http, url, series).await;
        if v.is_some_and(&ok) {
            return;
        }
        assert!(start.elapsed() < WAIT, "{series} is {v:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn trigger_process_exports_delivery_metrics() {
    let sim = sim().await;
    let disp = Dispatcher::start(1.0, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "metrics");
    let msg = start_message(
        "ticket_created",
        "tm",
        json!({"interval": 1, "lookback": 5}),
        &connection(&sim),
        &disp.url,
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::fs::File::create(ws.join("stderr.log")).unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_haloitsm-plugin"))
        .arg("run")
        .env("HALO_PLUGIN_WORKSPACE", &ws)
        .env("HALO_PLUGIN_METRICS_ADDR", format!("127.0.0.1:{port}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(msg.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    wait_for(WAIT, "state file", || state(&ws, "tm").is_some()).await;

    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/metrics");
    let label = r#"{trigger="ticket_created"}"#;
    sim.upsert_ticket(json!({"summary": "new while the dispatcher rejects", "tickettype_id": 1}))
        .unwrap();
    let failures = format!("haloitsm_plugin_trigger_dispatch_failures_total{label}");
    let pending = format!("haloitsm_plugin_trigger_events_pending{label}");
    let delivered = format!("haloitsm_plugin_trigger_events_delivered_total{label}");
    wait_sample(&http, &url, &failures, |v| v >= 1.0).await;
    assert_eq!(sample(&http, &url, &pending).await, Some(1.0));
    assert_eq!(sample(&http, &url, &delivered).await, None);

    disp.set_fail(0.0);
    wait_sample(&http, &url, &delivered, |v| v == 1.0).await;
    assert_eq!(sample(&http, &url, &pending).await, Some(0.0));
    assert_eq!(disp.outputs("tm").len(), 1);
    assert!(
        sample(&http, &url, "haloitsm_plugin_token_fetches_total").await >= Some(1.0),
        "{}",
        stderr(&ws)
    );
    assert_eq!(terminate(&ws, &mut child).await, Some(0), "{}", stderr(&ws));
}

/// The `metrics: ...` summary lines of the trigger's stderr (JSON logs), oldest first.
fn summary_lines(ws: &std::path::Path) -> Vec<serde_json::Value> {
    stderr(ws)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("metrics: "))
        })
        .collect()
}

#[tokio::test]
async fn running_trigger_logs_the_summary_periodically_and_on_terminate() {
    let sim = sim().await;
    let disp = Dispatcher::start(0.0, 7).await;
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), "summary");
    let msg = start_message(
        "ticket_created",
        "ts",
        json!({"interval": 1, "lookback": 5}),
        &connection(&sim),
        &disp.url,
    );
    let log = std::fs::File::create(ws.join("stderr.log")).unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_haloitsm-plugin"))
        .arg("run")
        .env("HALO_PLUGIN_WORKSPACE", &ws)
        .env("HALO_PLUGIN_SUMMARY_SECS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(msg.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    wait_for(WAIT, "state file", || state(&ws, "ts").is_some()).await;
    sim.upsert_ticket(json!({"summary": "counted in the summary", "tickettype_id": 1}))
        .unwrap();
    let delivered =
        " trigger_events_delivered=1 trigger_events_pending=0 trigger_dispatch_failures=0";
    wait_for(
        WAIT,
        "a periodic summary counting the delivered event",
        || {
            summary_lines(&ws)
                .iter()
                .any(|l| l["message"].as_str().unwrap().ends_with(delivered))
        },
    )
    .await;
    let running = summary_lines(&ws);
    let periodic = running
        .iter()
        .find(|l| l["message"].as_str().unwrap().ends_with(delivered))
        .unwrap();
    assert_eq!(periodic["trigger"], "ticket_created", "{periodic}");
    assert!(
        periodic["message"]
            .as_str()
            .unwrap()
            .contains(" token_failures=0 token_rejections=0 "),
        "{periodic}"
    );
    assert!(
        !stderr(&ws).contains("Step finished"),
        "the periodic lines come while the trigger runs"
    );

    assert_eq!(terminate(&ws, &mut child).await, Some(0), "{}", stderr(&ws));
    let all = summary_lines(&ws);
    assert!(
        all.len() > running.len(),
        "one more summary when the trigger stops: {}",
        stderr(&ws)
    );
    assert!(
        all.last().unwrap()["message"]
            .as_str()
            .unwrap()
            .ends_with(delivered),
        "{}",
        stderr(&ws)
    );
    assert_eq!(disp.outputs("ts").len(), 1);
}
