//! The authorisation server (`POST /auth/token`: client_credentials, password, refresh_token; RFC 6749 error
//! bodies), `GET /api/authinfo`, OIDC discovery, and bearer/scope checks for the resource server.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::errors::ApiError;
use crate::lock;
use crate::state::App;

/// Scopes Halo knows (halo-api.md §2.3); anything else is `invalid_scope`.
pub(crate) const KNOWN_SCOPES: &[&str] = &[
    "all",
    "all:standard",
    "admin",
    "read:tickets",
    "edit:tickets",
    "read:calendar",
    "edit:calendar",
    "read:customers",
    "edit:customers",
    "read:crm",
    "edit:crm",
    "editMine:timesheets",
    "read:timesheets",
    "edit:timesheets",
    "read:contracts",
    "edit:contracts",
    "read:suppliers",
    "edit:suppliers",
    "read:items",
    "edit:items",
    "read:projects",
    "edit:projects",
    "read:sales",
    "edit:sales",
    "read:quotes",
    "edit:quotes",
    "read:sos",
    "edit:sos",
    "read:pos",
    "edit:pos",
    "read:invoices",
    "edit:invoices",
    "read:reporting",
    "edit:reporting",
    "read:software",
    "edit:software",
    "read:softwarelicensing",
    "edit:softwarelicensing",
    "read:kb",
    "edit:kb",
    "read:assets",
    "edit:assets",
    "access:chat",
    "access:adpasswordreset",
    "offline_access",
];

#[derive(Debug, Clone)]
struct TokenInfo {
    scopes: Vec<String>,
    expires_at: DateTime<Utc>,
    revoked: bool,
}

#[derive(Debug, Clone)]
struct RefreshInfo {
    scopes: Vec<String>,
}

/// Issued tokens.
#[derive(Debug)]
pub(crate) struct TokenStore {
    access: HashMap<String, TokenInfo>,
    refresh: HashMap<String, RefreshInfo>,
    pub ttl: Duration,
    pub issued: u64,
}

impl TokenStore {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            access: HashMap::new(),
            refresh: HashMap::new(),
            ttl,
            issued: 0,
        }
    }

    /// Mint an access token (JWT-shaped, unsigned; the sim looks it up, it does not verify it).
    pub(crate) fn issue(
        &mut self,
        issuer: &str,
        subject: &str,
        scopes: &[String],
        now: DateTime<Utc>,
    ) -> String {
        self.issued += 1;
        let exp = chrono::Duration::from_std(self.ttl)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
        let claims = json!({"iss": issuer, "sub": subject, "client_id": subject, "scope": scopes.join(" "),
                            "iat": now.timestamp(), "exp": exp.timestamp(), "jti": uuid::Uuid::new_v4().to_string()});
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let token = format!("{header}.{claims}.{}", crate::config::random_secret());
        self.access.insert(
            token.clone(),
            TokenInfo {
                scopes: scopes.to_vec(),
                expires_at: exp,
                revoked: false,
            },
        );
        token
    }

    fn issue_refresh(&mut self, scopes: &[String]) -> String {
        let token = crate::config::random_secret();
        self.refresh.insert(
            token.clone(),
            RefreshInfo {
                scopes: scopes.to_vec(),
            },
        );
        token
    }

    pub(crate) fn revoke_all(&mut self) {
        for t in self.access.values_mut() {
            t.revoked = true;
        }
        self.refresh.clear();
    }

    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        self.access
            .get_mut(token)
            .map(|t| t.revoked = true)
            .is_some()
    }

    pub(crate) fn expire_all(&mut self, now: DateTime<Utc>) {
        for t in self.access.values_mut() {
            t.expires_at = now;
        }
    }

    /// Scopes of a valid token.
    fn check(&self, token: &str, now: DateTime<Utc>) -> Option<&[String]> {
        let info = self.access.get(token)?;
        (!info.revoked && info.expires_at > now).then_some(info.scopes.as_slice())
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `POST /auth/token`.
pub(crate) async fn token(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_type {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The mandatory 'Content-Type' header must be 'application/x-www-form-urlencoded'.",
        );
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let qs: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
    if let Some(tenant) = app.config.tenant() {
        match qs.get("tenant").or(form.get("tenant")) {
            None => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The 'tenant' parameter is required for a Halo-hosted instance; add ?tenant=<tenant> to the token URL.",
                );
            }
            Some(t) if !t.eq_ignore_ascii_case(tenant) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The specified tenant is unknown.",
                );
            }
            Some(_) => {}
        }
    }
    let (basic_id, basic_secret) = basic_credentials(&headers);
    let client_id = form.get("client_id").cloned().or(basic_id);
    let client_secret = form.get("client_secret").cloned().or(basic_secret);
    let Some(grant) = form.get("grant_type") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The mandatory 'grant_type' parameter is missing.",
        );
    };
    let cfg = &app.config;
    let id_ok = client_id.as_deref() == Some(cfg.client_id.as_str());
    let secret_ok = client_secret.as_deref().map(|s| s == cfg.client_secret);
    let bad_client = || {
        oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The client application is unknown or the credentials are invalid.",
        )
    };
    let requested = form.get("scope").map(String::as_str).unwrap_or("all");
    let mut scopes: Vec<String> = requested.split_whitespace().map(str::to_owned).collect();
    if scopes.is_empty() {
        scopes.push("all".into());
    }
    if let Some(bad) = scopes.iter().find(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("The specified scope '{bad}' is not allowed."),
        );
    }
    let now = app.clock.now();
    let mut tokens = lock(&app.tokens);
    let with_refresh;
    match grant.as_str() {
        "client_credentials" => {
            if !id_ok || secret_ok != Some(true) {
                return bad_client();
            }
            with_refresh = scopes.iter().any(|s| s == "offline_access");
        }
        "password" => {
            if !id_ok || secret_ok == Some(false) {
                return bad_client();
            }
            let user_ok = form.get("username") == Some(&cfg.username)
                && form.get("password") == Some(&cfg.password);
            if !user_ok {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The username/password couple is invalid.",
                );
            }
            with_refresh = true;
        }
        "refresh_token" => {
            if !id_ok || secret_ok == Some(false) {
                return bad_client();
            }
            // Refresh tokens rotate: each one works once.
            let old = form
                .get("refresh_token")
                .and_then(|r| tokens.refresh.remove(r));
            let Some(old) = old else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token is invalid.",
                );
            };
            if !form.contains_key("scope") {
                scopes = old.scopes;
            }
            with_refresh = true;
        }
        other => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("The grant type '{other}' is not supported; use client_credentials."),
            );
        }
    }
    let access = tokens.issue(&app.auth_base(), &cfg.client_id, &scopes, now);
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": tokens.ttl.as_secs(),
        "scope": scopes.join(" "),
    });
    if with_refresh {
        body["refresh_token"] = json!(tokens.issue_refresh(&scopes));
    }
    drop(tokens);
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response()
}

fn basic_credentials(headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let decoded = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    match decoded.as_deref().and_then(|d| d.split_once(':')) {
        Some((id, secret)) => (Some(id.to_owned()), Some(secret.to_owned())),
        None => (None, None),
    }
}

/// `GET /api/authinfo` (no auth).
pub(crate) async fn authinfo(State(app): State<Arc<App>>) -> Json<Value> {
    let mut body = json!({"auth_url": app.auth_base()});
    if let Some(t) = app.config.tenant() {
        body["tenant_id"] = json!(t);
    }
    Json(body)
}

/// `GET /auth/.well-known/openid-configuration`.
pub(crate) async fn openid_configuration(State(app): State<Arc<App>>) -> Json<Value> {
    let auth = app.auth_base();
    Json(json!({
        "issuer": format!("{auth}/"),
        "authorization_endpoint": format!("{auth}/authorize"),
        "token_endpoint": format!("{auth}/token"),
        "grant_types_supported": ["client_credentials", "password", "refresh_token"],
        "response_types_supported": ["code"],
        "scopes_supported": KNOWN_SCOPES,
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_parameter_supported": false,
    }))
}

/// The scope a resource-server request needs (halo-api.md §13): tickets/actions/attachments need
/// `read:tickets` / `edit:tickets`, clients/sites/users `read:customers` / `edit:customers`; lookups none.
pub(crate) fn required_scope(method: &str, lower_path: &str) -> Option<&'static str> {
    let first = lower_path
        .trim_start_matches("/api/")
        .split('/')
        .next()
        .unwrap_or("");
    let read = method.eq_ignore_ascii_case("GET");
    match first {
        "tickets" | "actions" | "attachment" => {
            Some(if read { "read:tickets" } else { "edit:tickets" })
        }
        "client" | "site" | "users" => Some(if read {
            "read:customers"
        } else {
            "edit:customers"
        }),
        _ => None,
    }
}

/// Bearer check for `/api` requests: 401 for a missing/unknown/expired/revoked token, 403 for a missing scope.
pub(crate) fn authorize(
    app: &App,
    headers: &HeaderMap,
    method: &str,
    lower_path: &str,
) -> Result<(), ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .ok_or(ApiError::Unauthorized)?;
    let tokens = lock(&app.tokens);
    let scopes = tokens
        .check(token, app.clock.now())
        .ok_or(ApiError::Unauthorized)?;
    if let Some(needed) = required_scope(method, lower_path)
        && !scopes.iter().any(|s| s == "all" || s == needed)
    {
        return Err(ApiError::Forbidden { scope: needed });
    }
    Ok(())
}
