//! Route-level error bodies in the runtime's (Flask) shape:
//! `{"code", "description", "name", "response": null, "url", "method"}`.

use axum::Json;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A Flask-style error response.
pub fn error(
    status: StatusCode,
    description: impl Into<String>,
    method: &Method,
    uri: &Uri,
) -> Response {
    let name = status.canonical_reason().unwrap_or("Error");
    let body = json!({
        "code": status.as_u16(),
        "description": description.into(),
        "name": name,
        "response": null,
        "url": uri.to_string(),
        "method": method.as_str(),
    });
    (status, Json(body)).into_response()
}

/// The 404 for unknown paths.
pub fn not_found(method: &Method, uri: &Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
        method,
        uri,
    )
}

/// `{"error": ..}` with a status (the runtime's `make_response(jsonify({"error": ..}))`).
pub fn simple(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}
