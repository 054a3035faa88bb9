//! Halo's error bodies (halo-api.md §10.2): empty 401/404, `{"error": …}` 403/429, .NET exception objects
//! for business rules and 500s, ASP.NET field maps (`{"[0].ticket_id": "…"}`) for schema validation.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error response of the resource server.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 401, empty body (missing, unknown, expired or revoked token).
    Unauthorized,
    /// 403 for a token whose scope lacks `scope`.
    Forbidden { scope: &'static str },
    /// 404, empty body.
    NotFound,
    /// 400 with an ASP.NET model-state style map: `{"<field>": "<message>"}`.
    Field { field: String, message: String },
    /// 400 with a .NET exception object (business rule).
    Rule(String),
    /// 429 with Halo's text.
    RateLimited {
        message: String,
        retry_after: Option<u64>,
    },
    /// Injected 5xx.
    Injected(u16),
}

impl ApiError {
    pub(crate) fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Field {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn rule(message: impl Into<String>) -> Self {
        ApiError::Rule(message.into())
    }
}

/// A .NET exception as Halo serialises it for unhandled errors.
pub(crate) fn dotnet_exception(message: &str) -> Value {
    json!({
        "ClassName": "System.Exception",
        "Message": message,
        "Data": null,
        "InnerException": null,
        "HelpURL": null,
        "StackTraceString": null,
        "RemoteStackTraceString": null,
        "RemoteStackIndex": 0,
        "ExceptionMethod": null,
        "HResult": -2146233088,
        "Source": "HaloSim",
        "WatsonBuckets": null
    })
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body.to_string(),
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED.into_response(),
            ApiError::NotFound => StatusCode::NOT_FOUND.into_response(),
            ApiError::Forbidden { scope } => json_response(
                StatusCode::FORBIDDEN,
                &json!({
                    "error": "Forbidden",
                    "error_description": format!("The access token does not have the required scope '{scope}'."),
                }),
            ),
            ApiError::Field { field, message } => {
                json_response(StatusCode::BAD_REQUEST, &json!({ field: message }))
            }
            ApiError::Rule(message) => {
                json_response(StatusCode::BAD_REQUEST, &dotnet_exception(&message))
            }
            ApiError::RateLimited {
                message,
                retry_after,
            } => {
                let mut r =
                    json_response(StatusCode::TOO_MANY_REQUESTS, &json!({ "error": message }));
                if let Some(secs) = retry_after
                    && let Ok(v) = HeaderValue::from_str(&secs.to_string())
                {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                r
            }
            ApiError::Injected(code) => injected(code),
        }
    }
}

fn injected(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        return json_response(
            status,
            &dotnet_exception(
                "Object reference not set to an instance of an object. (injected by halo-sim)",
            ),
        );
    }
    let reason = status.canonical_reason().unwrap_or("Error");
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
        format!(
            "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} {reason}</h1></center></body></html>"
        ),
    )
        .into_response()
}
