//! Observability: structured JSON logs ([`logging`]), the metrics registry ([`metrics`]), and the hooks
//! the transports call — [`observe_step`] around every step, [`http_request_id`] on every HTTP request,
//! [`metrics_handler`] for `GET /metrics` (an extension; the Python runtime has no such route), and
//! [`trigger_round_done`], the running trigger's periodic metrics summary in `run` mode.
//!
//! Request ids: the orchestrator's (`X-REQUEST-ID` header in `http` mode, or `request_id` / `requestId` in
//! the message's `meta`) when given, otherwise one generated here. halo-api adds its own per-request id
//! (`halo_request_id` in the logs), which it sends to Halo as `X-Request-Id`.

pub mod logging;
pub mod metrics;

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tracing::Instrument as _;

use crate::actions::registry;
use crate::errors::{ErrorClass, StepError};
use crate::protocol::{Message, MessageType};
use crate::runner::Mode;

tokio::task_local! {
    static REQUEST_ID: String;
}

static SUMMARY_IN_LOG: AtomicBool = AtomicBool::new(false);

/// `run` / `test` mode: append the one-line metrics summary to each step's `body.log`.
pub fn set_summary_in_log(on: bool) {
    SUMMARY_IN_LOG.store(on, Ordering::Relaxed);
}

/// How often a running trigger (`run` mode) logs the metrics summary line; it is also logged when the
/// trigger's step ends.
pub const TRIGGER_SUMMARY_INTERVAL: Duration = Duration::from_secs(300);
/// Env var: overrides [`TRIGGER_SUMMARY_INTERVAL`], in whole seconds (at least 1).
pub const TRIGGER_SUMMARY_ENV: &str = "HALO_PLUGIN_SUMMARY_SECS";

fn trigger_summary_interval() -> Duration {
    std::env::var(TRIGGER_SUMMARY_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(TRIGGER_SUMMARY_INTERVAL, Duration::from_secs)
}

/// Whether a summary is due at `now`: the first call only starts the clock.
fn summary_due(last: &mut Option<Instant>, now: Instant, every: Duration) -> bool {
    match *last {
        None => {
            *last = Some(now);
            false
        }
        Some(t) if now.saturating_duration_since(t) >= every => {
            *last = Some(now);
            true
        }
        Some(_) => false,
    }
}

/// Called by the trigger loop after each round: in `run` mode, logs the one-line metrics summary once every
/// [`TRIGGER_SUMMARY_INTERVAL`] (or [`TRIGGER_SUMMARY_ENV`]). The line goes to stderr only, not into the
/// step's `body.log`, so a trigger that runs for months keeps its memory flat.
pub async fn trigger_round_done() {
    static LAST: Mutex<Option<Instant>> = Mutex::new(None);
    if !SUMMARY_IN_LOG.load(Ordering::Relaxed) {
        return;
    }
    let due = {
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        summary_due(&mut last, Instant::now(), trigger_summary_interval())
    };
    if due {
        let line = metrics::global().summary();
        crate::logcap::capture(async { tracing::info!("{line}") }).await;
    }
}

/// The error-kind label of a step error: the Halo error kind when Halo or the network failed
/// (`auth`, `forbidden`, `not_found`, `validation`, `rate_limited`, `server`, `timeout`, `transport`,
/// `decode`, `outcome_unknown`, `config`), else `input` (bad or missing input), `plugin` (a rule of the
/// plugin, e.g. a name the tenant lacks), `connection_test` or `internal`.
pub fn error_kind(e: &StepError) -> &'static str {
    if let Some(kind) = e.halo_kind {
        return kind;
    }
    match e.class {
        ErrorClass::Client => "input",
        ErrorClass::Plugin => "plugin",
        ErrorClass::ConnectionTest => "connection_test",
        ErrorClass::Unexpected => "internal",
    }
}

/// A new request id: 24 hex digits from the clock, the process id and a counter.
pub fn new_request_id() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let mix = std::process::id().wrapping_shl(16) ^ (seq as u32);
    format!("{nanos:016x}{mix:08x}")
}

/// An id from outside, if it is short printable ASCII (it goes into logs and a response header).
fn acceptable(id: &str) -> Option<String> {
    let id = id.trim();
    (!id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| id.to_string())
}

fn meta_request_id(meta: &Value) -> Option<String> {
    ["request_id", "requestId", "X-REQUEST-ID", "x-request-id"]
        .iter()
        .find_map(|k| meta.get(*k).and_then(Value::as_str).and_then(acceptable))
}

/// Runs one step inside a `plugin_step` span (request id, action or trigger, job id) and records its
/// metrics: action count / error kind / duration, connection tests, webhook parses.
pub async fn observe_step<F>(msg: &Message, mode: Mode, fut: F) -> Result<Value, StepError>
where
    F: Future<Output = Result<Value, StepError>>,
{
    let request_id = meta_request_id(&msg.meta)
        .or_else(|| REQUEST_ID.try_with(Clone::clone).ok())
        .unwrap_or_else(new_request_id);
    let name = msg.step.as_deref().unwrap_or_default();
    let is_test = mode == Mode::Test || msg.kind == MessageType::ConnectionTest;
    let job_id = msg
        .meta
        .get("jobId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let span = tracing::info_span!(
        "plugin_step",
        request_id = %request_id,
        action = tracing::field::Empty,
        trigger = tracing::field::Empty,
        job_id = tracing::field::Empty,
    );
    // Label values come from the registry, never from arbitrary input, to keep series bounded.
    let known = match msg.kind {
        MessageType::ActionStart => registry().action(name).map(|a| a.spec().name),
        MessageType::TriggerStart => registry().trigger(name).map(|t| t.spec().name),
        _ => None,
    };
    if msg.kind == MessageType::ActionStart {
        span.record("action", known.unwrap_or("unknown"));
    } else if msg.kind == MessageType::TriggerStart {
        span.record("trigger", known.unwrap_or("unknown"));
    }
    if let Some(j) = acceptable(job_id) {
        span.record("job_id", j.as_str());
    }
    if msg.kind == MessageType::TriggerStart && !is_test {
        serve_metrics_from_env().await;
    }
    async move {
        let started = Instant::now();
        let result = fut.await;
        let elapsed = started.elapsed();
        let kind = result.as_ref().err().map(error_kind);
        if is_test {
            metrics::record_connection_test(result.is_ok());
        } else if msg.kind == MessageType::ActionStart {
            let action = known.unwrap_or("unknown");
            metrics::record_action(action, elapsed, kind);
            if action == "parse_webhook" {
                metrics::record_webhook(result.is_ok());
            }
        }
        let latency_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        match kind {
            None => tracing::info!(latency_ms, result = "ok", "Step finished"),
            Some(k) => tracing::warn!(latency_ms, result = "error", error_kind = k, "Step failed"),
        }
        if SUMMARY_IN_LOG.load(Ordering::Relaxed) {
            tracing::info!("{}", metrics::global().summary());
        }
        result
    }
    .instrument(span)
    .await
}

/// axum middleware: takes `X-REQUEST-ID` (or makes one), runs the request inside an `http_request` span
/// with it, and echoes it in the response's `X-REQUEST-ID`.
pub async fn http_request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .and_then(acceptable)
        .unwrap_or_else(new_request_id);
    let span = tracing::info_span!(
        "http_request",
        request_id = %id,
        method = %req.method(),
        path = req.uri().path(),
    );
    let mut resp = REQUEST_ID
        .scope(id.clone(), next.run(req).instrument(span))
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// Env var: address (`127.0.0.1:9464`) on which a trigger process (`run` mode) serves `GET /metrics`.
pub const METRICS_ADDR_ENV: &str = "HALO_PLUGIN_METRICS_ADDR";

/// A trigger runs in `run` mode, where there is no HTTP server: serve `/metrics` on
/// [`METRICS_ADDR_ENV`] when it is set. Failing to bind is logged and does not stop the trigger.
async fn serve_metrics_from_env() {
    let Ok(addr) = std::env::var(METRICS_ADDR_ENV) else {
        return;
    };
    match tokio::net::TcpListener::bind(addr.trim()).await {
        Ok(listener) => {
            let app = axum::Router::new().route("/metrics", axum::routing::get(metrics_handler));
            tracing::info!("Serving GET /metrics on {addr}");
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
        }
        Err(e) => tracing::warn!("Could not serve metrics on {METRICS_ADDR_ENV}={addr}: {e}"),
    }
}

/// `GET /metrics`: the registry in Prometheus text format.
pub async fn metrics_handler() -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics::global().render(),
    )
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn request_ids_from_meta_are_checked() {
        assert_eq!(
            meta_request_id(&json!({"request_id": "abc-1"})).as_deref(),
            Some("abc-1")
        );
        assert_eq!(meta_request_id(&json!({"requestId": "x y"})), None);
        assert_eq!(meta_request_id(&json!({"jobId": "j"})), None);
        let (a, b) = (new_request_id(), new_request_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 24);
    }

    #[test]
    fn trigger_summary_is_due_once_per_interval() {
        let every = Duration::from_secs(300);
        let t0 = Instant::now();
        let mut last = None;
        assert!(
            !summary_due(&mut last, t0, every),
            "the first round starts the clock"
        );
        assert!(!summary_due(
            &mut last,
            t0 + Duration::from_secs(299),
            every
        ));
        assert!(summary_due(&mut last, t0 + Duration::from_secs(300), every));
        assert!(!summary_due(
            &mut last,
            t0 + Duration::from_secs(301),
            every
        ));
        assert!(summary_due(&mut last, t0 + Duration::from_secs(650), every));
    }
}
