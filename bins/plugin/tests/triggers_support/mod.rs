//! Helpers for the trigger tests: a local dispatcher (axum on 127.0.0.1:0) that records the events it
//! accepts and fails a seeded share of requests, and the built plugin binary started as a trigger.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;
use tokio::process::{Child, Command};

/// What the dispatcher saw.
#[derive(Default)]
pub struct Seen {
    /// Accepted event envelopes, in order.
    pub accepted: Vec<Value>,
    /// Requests answered with 503.
    pub rejected: usize,
}

struct Inner {
    seen: Mutex<Seen>,
    fail: Mutex<f64>,
    rng: Mutex<fastrand::Rng>,
}

/// A local dispatcher.
#[derive(Clone)]
pub struct Dispatcher {
    /// `http://127.0.0.1:PORT/`.
    pub url: String,
    inner: Arc<Inner>,
}

async fn accept(State(inner): State<Arc<Inner>>, body: Bytes) -> StatusCode {
    let fail = *inner.fail.lock().unwrap();
    if inner.rng.lock().unwrap().f64() < fail {
        inner.seen.lock().unwrap().rejected += 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) => {
            inner.seen.lock().unwrap().accepted.push(v);
            StatusCode::OK
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

impl Dispatcher {
    /// Starts one failing `fail` of requests (seeded).
    pub async fn start(fail: f64, seed: u64) -> Self {
        let inner = Arc::new(Inner {
            seen: Mutex::default(),
            fail: Mutex::new(fail),
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
        });
        let app = Router::new()
            .route("/", post(accept))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, inner }
    }

    /// Changes the failure share.
    pub fn set_fail(&self, fail: f64) {
        *self.inner.fail.lock().unwrap() = fail;
    }

    /// Accepted envelopes so far.
    pub fn accepted(&self) -> Vec<Value> {
        self.inner.seen.lock().unwrap().accepted.clone()
    }

    /// Rejected requests so far.
    pub fn rejected(&self) -> usize {
        self.inner.seen.lock().unwrap().rejected
    }

    /// Accepted event outputs of one trigger id.
    pub fn outputs(&self, trigger_id: &str) -> Vec<Value> {
        self.accepted()
            .into_iter()
            .filter(|e| e["body"]["meta"]["triggerId"] == trigger_id)
            .map(|e| e["body"]["output"].clone())
            .collect()
    }
}

/// Polls `cond` every 100 ms until it holds or `timeout` passes.
pub async fn wait_for(timeout: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A workspace dir with `cache/` and `tmp/`.
pub fn workspace(root: &Path, name: &str) -> PathBuf {
    let ws = root.join(name);
    std::fs::create_dir_all(ws.join("cache")).unwrap();
    std::fs::create_dir_all(ws.join("tmp")).unwrap();
    ws
}

/// The trigger_start message.
pub fn start_message(
    trigger: &str,
    trigger_id: &str,
    input: Value,
    conn: &Value,
    dispatcher: &str,
) -> Value {
    json!({"version": "v1", "type": "trigger_start", "body": {"trigger": trigger, "meta": {"triggerId": trigger_id},
        "input": input, "connection": conn, "dispatcher": {"url": dispatcher, "webhook_url": ""}}})
}

/// Starts the built binary with `args` (e.g. `["run"]` or `["--debug", "run"]`) in workspace `ws`,
/// feeding `msg` on stdin. Stderr goes to `<ws>/stderr.log` (appended).
pub async fn spawn(args: &[&str], ws: &Path, msg: &Value, stdout: bool) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(ws.join("stderr.log"))
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_haloitsm-plugin"))
        .args(args)
        .env("HALO_PLUGIN_WORKSPACE", ws)
        .stdin(Stdio::piped())
        .stdout(if stdout {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(msg.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    child
}

/// The trigger's state file, if written.
pub fn state(ws: &Path, trigger_id: &str) -> Option<Value> {
    let text = std::fs::read_to_string(ws.join("cache").join(format!("{trigger_id}.json"))).ok()?;
    serde_json::from_str(&text).ok()
}

/// Whether the state's snapshot of ticket `id` has `field` = `value`.
pub fn snapshot_has(ws: &Path, trigger_id: &str, id: u64, field: &str, value: &Value) -> bool {
    state(ws, trigger_id).is_some_and(|s| &s["snapshots"][id.to_string()]["fields"][field] == value)
}

/// Asks the trigger to stop through the terminate flag and waits for its exit code.
pub async fn terminate(ws: &Path, child: &mut Child) -> Option<i32> {
    std::fs::write(ws.join("tmp").join("terminate_trigger.flag"), b"").unwrap();
    let status = tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .expect("trigger stops")
        .unwrap();
    status.code()
}

/// The stderr log of a workspace (for assertion messages).
pub fn stderr(ws: &Path) -> String {
    std::fs::read_to_string(ws.join("stderr.log")).unwrap_or_default()
}
