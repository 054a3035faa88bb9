//! `/_sim/*` control routes (enabled with `admin_routes`, on by default in the binary): journal, faults,
//! token revocation, clock, rate limit, ticket and webhook inspection.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::RateLimitConfig;
use crate::faults::{Fault, FaultProfile, FaultRule, RequestMatcher, Trigger};
use crate::lock;
use crate::state::App;
use crate::tickets::detail_view;

fn bad(msg: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": msg.into()}))).into_response()
}

pub(crate) async fn journal(State(app): State<Arc<App>>) -> Json<Value> {
    let rows: Vec<Value> = app
        .journal
        .entries()
        .iter()
        .map(|e| {
            json!({"seq": e.seq, "method": e.method, "path": e.path, "query": e.query, "status": e.status,
                   "fault": e.fault, "rate_limited": e.rate_limited, "time": crate::dates::format_halo(&e.time),
                   "duration_ms": e.duration.as_millis()})
        })
        .collect();
    Json(Value::Array(rows))
}

pub(crate) async fn clear_journal(State(app): State<Arc<App>>) -> StatusCode {
    app.journal.clear();
    StatusCode::NO_CONTENT
}

pub(crate) async fn faults(State(app): State<Arc<App>>) -> Json<Value> {
    let rules: Vec<Value> = app
        .faults
        .rules()
        .iter()
        .map(|r| json!({"match": r.matcher.to_string(), "fault": r.fault, "trigger": r.trigger}))
        .collect();
    Json(Value::Array(rules))
}

#[derive(Deserialize)]
struct RuleDto {
    #[serde(rename = "match")]
    matcher: String,
    fault: String,
    next: Option<u32>,
    probability: Option<f64>,
}

#[derive(Deserialize)]
struct FaultsDto {
    profile: Option<String>,
    #[serde(default)]
    rules: Vec<RuleDto>,
}

/// `{"profile": "flaky"}` replaces all rules; `{"rules": [{"match": "POST /api/Tickets", "fault": "drop_after_write", "next": 1}]}` adds rules.
pub(crate) async fn set_faults(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let dto: FaultsDto = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => {
            return bad(format!(
                "{e}; send {{\"profile\": \"flaky\"}} or {{\"rules\": [{{\"match\": \"POST /api/Tickets\", \"fault\": \"503\", \"next\": 3}}]}}"
            ));
        }
    };
    let mut new_rules = Vec::new();
    for r in dto.rules {
        let fault: Fault = match r.fault.parse() {
            Ok(f) => f,
            Err(e) => return bad(e),
        };
        let trigger = match (r.next, r.probability) {
            (Some(n), _) => Trigger::Next(n),
            (None, Some(p)) => Trigger::Probability(p.clamp(0.0, 1.0)),
            (None, None) => Trigger::Always,
        };
        new_rules.push(FaultRule {
            matcher: RequestMatcher::parse(&r.matcher),
            fault,
            trigger,
        });
    }
    if let Some(p) = dto.profile {
        match p.parse::<FaultProfile>() {
            Ok(p) => app.faults.set_profile(p),
            Err(e) => return bad(e),
        }
    }
    for r in new_rules {
        app.faults.add(r);
    }
    faults(State(app)).await.into_response()
}

pub(crate) async fn clear_faults(State(app): State<Arc<App>>) -> StatusCode {
    app.faults.clear();
    StatusCode::NO_CONTENT
}

pub(crate) async fn revoke(State(app): State<Arc<App>>) -> StatusCode {
    lock(&app.tokens).revoke_all();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct ClockDto {
    advance_secs: u64,
}

/// `{"advance_secs": 3600}`.
pub(crate) async fn clock(State(app): State<Arc<App>>, body: Bytes) -> Response {
    match serde_json::from_slice::<ClockDto>(&body) {
        Ok(c) => {
            app.clock.advance(Duration::from_secs(c.advance_secs));
            Json(json!({"offset_secs": app.clock.offset().num_seconds()})).into_response()
        }
        Err(e) => bad(format!("{e}; send {{\"advance_secs\": 3600}}")),
    }
}

#[derive(Deserialize)]
struct RateDto {
    #[serde(default)]
    off: bool,
    requests: Option<u32>,
    window_secs: Option<f64>,
    #[serde(default)]
    retry_after: bool,
}

/// `{"requests": 300, "window_secs": 300, "retry_after": false}` or `{"off": true}`.
pub(crate) async fn rate_limit(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let dto: RateDto = match serde_json::from_slice(&body) {
        Ok(d) => d,
        Err(e) => {
            return bad(format!(
                "{e}; send {{\"requests\": 300, \"window_secs\": 300}} or {{\"off\": true}}"
            ));
        }
    };
    let cfg = match (dto.off, dto.requests, dto.window_secs) {
        (true, _, _) => None,
        (false, Some(n), Some(w)) if w > 0.0 => match Duration::try_from_secs_f64(w) {
            Ok(d) => Some(RateLimitConfig::new(n, d).with_retry_after(dto.retry_after)),
            Err(_) => return bad("window_secs is out of range"),
        },
        _ => {
            return bad(
                "send {\"requests\": N, \"window_secs\": S} with S > 0, or {\"off\": true}",
            );
        }
    };
    app.limiter.set(cfg);
    StatusCode::NO_CONTENT.into_response()
}

pub(crate) async fn tickets(State(app): State<Arc<App>>) -> Json<Value> {
    let store = lock(&app.store);
    Json(Value::Array(
        store
            .tickets
            .values()
            .map(|t| detail_view(&store, t))
            .collect(),
    ))
}

pub(crate) async fn webhooks(State(app): State<Arc<App>>) -> Json<Value> {
    let rows: Vec<Value> = app
        .webhooks
        .deliveries()
        .into_iter()
        .map(|d| json!({"event": d.event, "object_id": d.object_id, "status": d.status, "error": d.error, "body": d.body}))
        .collect();
    Json(Value::Array(rows))
}
