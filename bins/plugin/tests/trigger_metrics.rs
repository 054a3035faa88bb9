//! Trigger metrics from a real trigger process (`run` mode) with `HALO_PLUGIN_METRICS_ADDR`: a dispatcher that
//! rejects shows up as dispatch failures and a pending event; once it accepts, the event counts as delivered and
//! nothing is pending.
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
