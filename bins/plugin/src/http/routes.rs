//! Route table and handlers, mirroring `insightconnect_plugin_runtime/api/endpoints.py`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppState, WorkGuard, flask};
use crate::protocol;
use crate::runner::{self, Mode};
use crate::spec::{plugin, plugin_spec, schema};

type St = State<Arc<AppState>>;

/// Builds the router with both the legacy (`/`) and `/api/v1` blueprints.
pub fn router(state: Arc<AppState>) -> Router {
    let steps = || {
        Router::new()
            .route("/actions/{name}", post(action_run))
            .route("/actions/{name}/test", post(action_test))
            .route("/triggers/{name}/test", post(trigger_test))
            .route("/tasks/{name}", post(task))
            .route("/tasks/{name}/test", post(task))
    };
    let v1 = steps()
        .route("/connection/{kind}", post(connection_test))
        .route(
            "/status",
            get(|| async { Json(json!({"status": "Ready"})) }),
        )
        .route("/info", get(info))
        .route("/spec", get(spec))
        .route("/api", get(swagger))
        .route(
            "/actions",
            get(|| async { Json(names(&plugin_spec().actions)) }),
        )
        .route(
            "/triggers",
            get(|| async { Json(names(&plugin_spec().triggers)) }),
        )
        .route("/tasks", get(|| async { Json(json!([])) }))
        .route("/actions/{name}", get(action_details))
        .route("/triggers/{name}", get(trigger_details))
        .route("/tasks/{name}", get(task_details))
        .route("/definitions/actions", get(definitions))
        .route("/connection", get(connection_schema))
        .route("/workers", get(workers))
        .route("/workers/add", post(workers))
        .route("/workers/remove", post(workers))
        .route("/admin/shutdown", post(admin_shutdown))
        .route("/admin/status", get(admin_status));
    Router::new()
        .merge(steps())
        .route("/metrics", get(crate::observability::metrics_handler))
        .nest("/api/v1", v1)
        .fallback(|method: Method, uri: Uri| async move { flask::not_found(&method, &uri) })
        .with_state(state)
        .layer(axum::middleware::from_fn(
            crate::observability::http_request_id,
        ))
}

async fn action_run(s: St, Path(name): Path<String>, m: Method, u: Uri, body: Bytes) -> Response {
    step(&s, Some(("action", name)), Mode::Run, &m, &u, &body).await
}

async fn action_test(s: St, Path(name): Path<String>, m: Method, u: Uri, body: Bytes) -> Response {
    step(&s, Some(("action", name)), Mode::Test, &m, &u, &body).await
}

async fn trigger_test(s: St, Path(name): Path<String>, m: Method, u: Uri, body: Bytes) -> Response {
    step(&s, Some(("trigger", name)), Mode::Test, &m, &u, &body).await
}

async fn task(s: St, Path(name): Path<String>, m: Method, u: Uri, body: Bytes) -> Response {
    step(&s, Some(("task", name)), Mode::Run, &m, &u, &body).await
}

async fn connection_test(
    s: St,
    Path(kind): Path<String>,
    m: Method,
    u: Uri,
    body: Bytes,
) -> Response {
    if kind != "test" && kind != "test_task" {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "The requested endpoint is not available, only ['test', 'test_task'] are supported.",
                "code": 404, "method": "POST", "name": "Not Found"})),
        )
            .into_response();
    }
    step(&s, None, Mode::Test, &m, &u, &body).await
}

async fn step(
    state: &AppState,
    route: Option<(&str, String)>,
    mode: Mode,
    m: &Method,
    u: &Uri,
    body: &[u8],
) -> Response {
    if state.shutting_down.load(Ordering::SeqCst) {
        return flask::simple(
            StatusCode::SERVICE_UNAVAILABLE,
            "Shutdown in progress. No new work can be accepted.",
        );
    }
    let _guard = WorkGuard::new(state);
    let route = route.as_ref().map(|(kind, name)| (*kind, name.as_str()));
    let value = match super::body::check(body, route) {
        Ok(v) => v,
        Err(e @ super::body::BodyError::Empty) => {
            return flask::simple(StatusCode::BAD_REQUEST, &e.message());
        }
        Err(e) => return flask::error(StatusCode::BAD_REQUEST, e.message(), m, u),
    };
    let outcome = match protocol::from_value(value) {
        Ok(msg) => runner::execute(&state.connections, msg, mode).await,
        Err(rejected) => runner::rejected(&rejected),
    };
    let status = StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(outcome.envelope)).into_response()
}

fn names(c: &[crate::spec::ComponentSpec]) -> Value {
    Value::Array(c.iter().map(|a| Value::from(a.name)).collect())
}

async fn info(s: St) -> Json<Value> {
    let spec = plugin_spec().to_value();
    let pick = |k: &str| spec.get(k).cloned().unwrap_or(Value::Null);
    Json(json!({
        "name": pick("name"), "description": pick("description"), "version": pick("version"),
        "vendor": pick("vendor"), "plugin_spec_version": pick("plugin_spec_version"), "title": pick("title"),
        "support": pick("support"), "tags": pick("tags"), "enable_cache": pick("enable_cache"),
        "number_of_workers": s.options.workers, "threads": s.options.threads,
        "sdk_version": format!("haloitsm-plugin {}", env!("CARGO_PKG_VERSION")),
    }))
}

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

async fn spec(Query(q): Query<FormatQuery>) -> Response {
    match q.format.as_deref().unwrap_or("json") {
        "json" => Json(plugin_spec().to_value()).into_response(),
        "yaml" => (
            [("content-type", "application/x-yaml")],
            plugin_spec().to_yaml(),
        )
            .into_response(),
        _ => flask::simple(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The specified format is not supported",
        ),
    }
}

async fn swagger(Query(q): Query<FormatQuery>) -> Response {
    let mut paths = serde_json::Map::new();
    for a in &plugin_spec().actions {
        paths.insert(
            format!("/api/v1/actions/{}", a.name),
            json!({"post": {"summary": a.title, "description": a.description}}),
        );
    }
    let doc = json!({"swagger": "2.0", "info": {"title": plugin::TITLE, "version": plugin::VERSION}, "paths": paths});
    match q.format.as_deref().unwrap_or("json") {
        "json" => Json(doc).into_response(),
        "yaml" => yaml_serde::to_string(&doc)
            .unwrap_or_default()
            .into_response(),
        _ => flask::simple(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The specified format is not supported",
        ),
    }
}

fn details(kind: &str, c: Option<&crate::spec::ComponentSpec>, name: &str) -> Response {
    match c {
        Some(c) => {
            let v = c.to_spec_value();
            Json(json!({"description": v.get("description"), "title": v.get("title"),
                "input": v.get("input").cloned().unwrap_or(json!({})), "output": v.get("output").cloned().unwrap_or(json!({}))}))
            .into_response()
        }
        None => flask::simple(
            StatusCode::BAD_REQUEST,
            &format!("{kind} {name} does not exist"),
        ),
    }
}

async fn action_details(Path(name): Path<String>) -> Response {
    details("Action", plugin_spec().action(&name), &name)
}

async fn trigger_details(Path(name): Path<String>) -> Response {
    details("Trigger", plugin_spec().trigger(&name), &name)
}

async fn task_details(Path(name): Path<String>) -> Response {
    details("Task", None, &name)
}

async fn definitions() -> Json<Value> {
    let spec = plugin_spec();
    let defs: Vec<Value> = spec
        .actions
        .iter()
        .map(|a| json!({"identifier": a.name, "inputJsonSchema": schema::object_schema(spec, &a.input)}))
        .collect();
    Json(json!({"actionsDefinitions": defs}))
}

async fn connection_schema() -> Json<Value> {
    let spec = plugin_spec();
    let mut s = schema::object_schema(spec, &spec.connection);
    if let Value::Object(m) = &mut s {
        m.remove("definitions");
    }
    Json(s)
}

async fn workers(s: St) -> Json<Value> {
    Json(json!({"num_workers": s.options.workers}))
}

async fn admin_shutdown(s: St) -> Response {
    s.begin_shutdown();
    (
        StatusCode::OK,
        Json(json!({"message": "Shutdown request accepted."})),
    )
        .into_response()
}

async fn admin_status(s: St) -> Json<Value> {
    let active = s.active.load(Ordering::SeqCst);
    let down = s.shutting_down.load(Ordering::SeqCst);
    Json(
        json!({"active_work": active, "shutdown_initiated": down, "shutdown_safe": down && active == 0}),
    )
}
