//! Connection settings (parsed from `body.connection`), the per-configuration [`Ctx`] holding one shared
//! Halo client, and the cache that hands the same `Ctx` to every request with the same connection.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use halo_api::{HaloClient, RateLimit};
use halo_auth::{ClientCredentials, ClientCredentialsConfig, SecretString, TokenProvider};
use serde_json::Value;
use tokio::sync::OnceCell;
use url::Url;

use crate::actions::resolve::Defaults;
use crate::errors::StepError;
use crate::spec::connection::{DEFAULT_RATE_LIMIT, DEFAULT_TIMEOUT_SECS};

/// Parsed connection settings. `Debug` never shows the secret.
#[derive(Clone)]
pub struct ConnectionConfig {
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: SecretString,
    /// Authorisation server base URL.
    pub authorization_server: Url,
    /// Resource server (`https://x.haloitsm.com/api`).
    pub resource_server: Url,
    /// Hosted tenant name.
    pub tenant: Option<String>,
    /// Verify TLS certificates.
    pub ssl_verify: bool,
    /// OAuth scope.
    pub scope: String,
    /// Requests per five minutes.
    pub rate_limit: u32,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Defaults for new tickets, as given (id or name).
    pub defaults: DefaultRefs,
    /// Status/priority maps and the external-key field (issue 5's sync settings).
    pub sync: crate::sync::config::SyncSettings,
}

impl std::fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("authorization_server", &self.authorization_server.as_str())
            .field("resource_server", &self.resource_server.as_str())
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

/// One organisation default as the connection gives it: the name field (`default_team`: an id or a name)
/// and the integer `*_id` field the community plugin used (`default_team_id`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultRef {
    /// The name field, trimmed; `None` when empty.
    pub name: Option<String>,
    /// The `*_id` field; `None` when absent, null or 0 (the community plugin's "no default").
    pub id: Option<u64>,
}

/// Organisation defaults for new tickets as the connection gives them.
#[derive(Debug, Clone, Default)]
pub struct DefaultRefs {
    /// Ticket type.
    pub ticket_type: DefaultRef,
    /// Priority.
    pub priority: DefaultRef,
    /// Team.
    pub team: DefaultRef,
    /// Agent (id, name or email).
    pub agent: DefaultRef,
    /// Category.
    pub category: DefaultRef,
}

/// The `*_id` connection field `key`: absent, null and 0 mean none; a negative number is an error.
fn default_id(v: &Value, key: &str) -> Result<Option<u64>, StepError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(n) => match n.as_u64() {
            Some(0) => Ok(None),
            Some(id) => Ok(Some(id)),
            None => Err(StepError::plugin(
                format!("The connection's {key} is not a Halo ID."),
                format!("Set {key} to a positive integer ID, or leave it empty."),
            )
            .with_data(format!("{key} = {n}"))),
        },
    }
}

fn default_ref(v: &Value, name_key: &str) -> Result<DefaultRef, StepError> {
    Ok(DefaultRef {
        name: text(v, name_key),
        id: default_id(v, &format!("{name_key}_id"))?,
    })
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn url_field(v: &Value, key: &str, title: &str) -> Result<Url, StepError> {
    let raw = text(v, key).unwrap_or_default();
    let parsed = Url::parse(&raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    parsed.ok_or_else(|| {
        StepError::plugin(
            format!("The connection's {title} is not a valid http(s) URL."),
            format!(
                "Set {title} ({key}) to the URL shown in Halo under Configuration > Integrations > HaloITSM API, \
                 for example https://example.haloitsm.com/{}.",
                if key == "resource_server" { "api" } else { "auth" }
            ),
        )
        .with_data(format!("{key} = '{raw}'"))
    })
}

impl ConnectionConfig {
    /// Parses `body.connection` (already validated against the connection schema).
    pub fn from_value(v: &Value) -> Result<Self, StepError> {
        let secret = v
            .get("client_secret")
            .and_then(|s| s.get("secretKey"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let client_id = text(v, "client_id").unwrap_or_default();
        if client_id.is_empty() || secret.is_empty() {
            return Err(StepError::plugin(
                "The connection's Client ID or Client Secret is empty.",
                "Copy the Client ID and Client Secret of the Halo API application into the connection.",
            ));
        }
        let int = |key: &str, default: u64| {
            v.get(key)
                .and_then(Value::as_u64)
                .filter(|n| *n > 0)
                .unwrap_or(default)
        };
        Ok(Self {
            client_id,
            client_secret: SecretString::from(secret),
            authorization_server: url_field(v, "authorization_server", "Authorization Server")?,
            resource_server: url_field(v, "resource_server", "Resource Server")?,
            tenant: text(v, "tenant"),
            ssl_verify: v.get("ssl_verify").and_then(Value::as_bool).unwrap_or(true),
            scope: text(v, "scope").unwrap_or_else(|| "all".into()),
            rate_limit: u32::try_from(int("rate_limit", DEFAULT_RATE_LIMIT)).unwrap_or(u32::MAX),
            timeout: Duration::from_secs(int("timeout", DEFAULT_TIMEOUT_SECS)),
            sync: crate::sync::config::SyncSettings::from_connection(v)?,
            defaults: DefaultRefs {
                ticket_type: default_ref(v, "default_ticket_type")?,
                priority: default_ref(v, "default_priority")?,
                team: default_ref(v, "default_team")?,
                agent: default_ref(v, "default_agent")?,
                category: default_ref(v, "default_category")?,
            },
        })
    }
}

/// Everything an action needs: the shared client for this connection and its resolved defaults.
pub struct Ctx {
    /// The typed Halo client (shared limiter, retry policy and token).
    pub client: HaloClient,
    /// The token provider (the connection test asks it directly to tell auth failures apart).
    pub tokens: Arc<dyn TokenProvider>,
    /// The settings.
    pub config: ConnectionConfig,
    defaults: OnceCell<Defaults>,
}

impl Ctx {
    /// Builds the client for a configuration. Makes no request.
    pub fn connect(config: ConnectionConfig) -> Result<Self, StepError> {
        let mut cc = ClientCredentialsConfig::new(
            config.client_id.clone(),
            config.client_secret.clone(),
            config.authorization_server.clone(),
        )
        .with_scope(config.scope.clone())
        .with_timeout(config.timeout);
        if let Some(t) = &config.tenant {
            cc = cc.with_tenant(t.clone());
        }
        let http = token_http(&config).map_err(|e| {
            StepError::plugin(
                "The HTTP client for Halo's authorization server could not be built.",
                "Check the connection settings.",
            )
            .with_data(e)
        })?;
        let tokens: Arc<dyn TokenProvider> =
            Arc::new(ClientCredentials::new(cc, http).map_err(|e| {
                StepError::plugin(
                    format!("The connection settings cannot work: {e}."),
                    e.assistance(),
                )
            })?);
        let client = HaloClient::builder()
            .resource_server(config.resource_server.clone())
            .token_provider(tokens.clone())
            .observer(crate::observability::metrics::observer())
            .rate_limit(RateLimit::new(config.rate_limit, Duration::from_secs(300)))
            .timeouts(Duration::from_secs(10).min(config.timeout), config.timeout)
            .tls(tls(&config))
            .user_agent(format!("haloitsm-plugin/{}", crate::spec::plugin::VERSION))
            .build()
            .map_err(|e| crate::halo_errors::from_api(&e, "building the Halo client"))?;
        crate::observability::metrics::track_tokens(tokens.clone());
        Ok(Self {
            client,
            tokens,
            config,
            defaults: OnceCell::new(),
        })
    }

    /// The connection's ticket defaults resolved against the tenant (once per `Ctx`).
    pub async fn defaults(&self) -> Result<&Defaults, StepError> {
        self.defaults
            .get_or_try_init(|| Defaults::resolve(self, &self.config.defaults))
            .await
    }
}

fn tls(config: &ConnectionConfig) -> halo_auth::TlsConfig {
    if config.ssl_verify {
        halo_auth::TlsConfig::default()
    } else {
        halo_auth::TlsConfig::insecure()
    }
}

fn token_http(config: &ConnectionConfig) -> Result<reqwest::Client, String> {
    halo_auth::token_http_client_with(&tls(config), config.timeout).map_err(|e| e.to_string())
}

/// One [`Ctx`] per connection configuration, keyed like the runtime: `connection_cache_key` when given,
/// else a hash of the connection JSON. Concurrent first uses build it once.
#[derive(Default)]
pub struct Connections {
    cache: Mutex<HashMap<String, Arc<OnceCell<Arc<Ctx>>>>>,
}

impl Connections {
    /// The cache key for a connection.
    pub fn key(connection: &Value) -> String {
        if let Some(k) = connection
            .get("connection_cache_key")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
        {
            return format!("key:{k}");
        }
        let mut h = DefaultHasher::new();
        connection.to_string().hash(&mut h);
        format!("hash:{:016x}", h.finish())
    }

    /// The shared context for this connection, connecting on first use.
    pub async fn get(&self, connection: &Value) -> Result<Arc<Ctx>, StepError> {
        let cell = {
            let mut cache = self.cache.lock().map_err(|_| {
                StepError::unexpected("Connection cache poisoned.", "Restart the plugin.")
            })?;
            cache.entry(Self::key(connection)).or_default().clone()
        };
        cell.get_or_try_init(|| async {
            ConnectionConfig::from_value(connection)
                .and_then(Ctx::connect)
                .map(Arc::new)
        })
        .await
        .cloned()
    }
}
