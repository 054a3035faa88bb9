//! Building a `HaloClient` from a resolved connection: the only way the CLI talks to Halo. Rate limiting, retries
//! and token refresh all live in halo-api / halo-auth; nothing here sleeps or retries.

use std::sync::Arc;

use halo_api::HaloClient;
use halo_auth::{ClientCredentials, ClientCredentialsConfig, TokenProvider};
use url::Url;

use crate::config::Connection;
use crate::exit::from_auth;

/// The user agent the CLI sends.
pub const USER_AGENT: &str = concat!("halo-cli/", env!("CARGO_PKG_VERSION"));

/// The authorisation server: the configured one, or discovered from `/api/authinfo` (fallback `<instance>/auth`).
pub async fn auth_server(conn: &Connection) -> anyhow::Result<(Url, Option<String>)> {
    if let Some(u) = &conn.auth_server {
        return Ok((u.clone(), conn.tenant.clone()));
    }
    let http =
        halo_auth::token_http_client(halo_auth::DISCOVERY_TIMEOUT).map_err(|e| from_auth(&e))?;
    let found = halo_auth::discover(&http, &conn.resource_server)
        .await
        .map_err(|e| from_auth(&e))?;
    Ok((
        found.authorization_server,
        conn.tenant.clone().or(found.tenant),
    ))
}

/// The token provider for a connection.
pub async fn token_provider(conn: &Connection) -> anyhow::Result<Arc<ClientCredentials>> {
    let (auth, tenant) = auth_server(conn).await?;
    let mut cfg =
        ClientCredentialsConfig::new(conn.client_id.clone(), conn.client_secret.clone(), auth)
            .with_scope(conn.scope.clone());
    if let Some(t) = tenant {
        cfg = cfg.with_tenant(t);
    }
    Ok(Arc::new(
        ClientCredentials::from_config(cfg).map_err(|e| from_auth(&e))?,
    ))
}

/// A client for a connection, with halo-api's default rate limit and retry policy.
pub async fn build(conn: &Connection) -> anyhow::Result<HaloClient> {
    let tokens: Arc<dyn TokenProvider> = token_provider(conn).await?;
    with_tokens(conn, tokens)
}

/// A client for a connection with a given token provider.
pub fn with_tokens(
    conn: &Connection,
    tokens: Arc<dyn TokenProvider>,
) -> anyhow::Result<HaloClient> {
    let client = HaloClient::builder()
        .resource_server(conn.resource_server.clone())
        .token_provider(tokens)
        .user_agent(USER_AGENT)
        .build()
        .map_err(|e| crate::exit::from_api(&e))?;
    Ok(client)
}

/// The plugin's connection context for a connection, for the plugin helpers the CLI reuses (upsert by external
/// key). It carries its own `HaloClient`; callers use `ctx.client` so one limiter covers all their requests.
pub async fn plugin_ctx(conn: &Connection) -> anyhow::Result<haloitsm_plugin::connection::Ctx> {
    use secrecy::ExposeSecret;
    let (auth, tenant) = auth_server(conn).await?;
    let mut v = serde_json::json!({
        "client_id": conn.client_id,
        "client_secret": {"secretKey": conn.client_secret.expose_secret()},
        "authorization_server": auth.as_str(),
        "resource_server": conn.resource_server.as_str(),
        "scope": conn.scope,
    });
    if let Some(t) = tenant {
        v["tenant"] = serde_json::json!(t);
    }
    let cfg = haloitsm_plugin::connection::ConnectionConfig::from_value(&v)
        .map_err(|e| step_error(&e))?;
    Ok(haloitsm_plugin::connection::Ctx::connect(cfg).map_err(|e| step_error(&e))?)
}

/// A plugin step error as a CLI error (its cause and assistance kept). The exit code follows the Halo error
/// kind behind it when there is one (`halo_kind`, named as `halo_api::ErrorKind::as_str`), so a keyed import row
/// that fails on a rejected token exits 3 like any other command; client errors without one are usage errors.
pub fn step_error(e: &haloitsm_plugin::errors::StepError) -> crate::exit::CliError {
    let mut out =
        crate::exit::CliError::new(step_exit_kind(e), e.cause.clone(), e.assistance.clone());
    if !e.data.is_empty() {
        out = out.with_data(e.data.clone());
    }
    out
}

/// The exit code for a plugin step error.
pub fn step_exit_kind(e: &haloitsm_plugin::errors::StepError) -> crate::exit::ExitKind {
    use crate::exit::ExitKind as X;
    use haloitsm_plugin::errors::ErrorClass;
    match e.halo_kind {
        Some("auth" | "forbidden") => X::Auth,
        Some("not_found") => X::NotFound,
        Some("validation" | "config") => X::Usage,
        Some("rate_limited") => X::RateLimited,
        Some("timeout" | "transport") => X::Connection,
        Some(_) => X::Failure,
        None if e.class == ErrorClass::Client => X::Usage,
        None => X::Failure,
    }
}
