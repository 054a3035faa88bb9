//! Configuration of a simulated tenant: hosting mode, credentials, token lifetime, rate limit, seed, webhooks.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::faults::FaultProfile;
use crate::seed::Seed;

/// How the tenant is hosted, which decides whether the token endpoint needs `?tenant=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hosting {
    /// Halo-hosted cloud: the token endpoint requires `?tenant=<name>` (halo-api.md §1).
    Hosted {
        /// The tenant name, e.g. `"demo"`.
        tenant: String,
    },
    /// Self-hosted / on-prem: no tenant parameter.
    SelfHosted,
}

/// Sliding-window rate limit applied to every `/api` request of the tenant (halo-api.md §10.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Requests allowed per window (Halo: 300).
    pub requests: u32,
    /// Window length (Halo: 5 minutes, rolling).
    pub window: Duration,
    /// Send a `Retry-After` header with the 429 (real Halo is not known to send one).
    pub retry_after: bool,
}

impl RateLimitConfig {
    /// Halo's hosted limit: 300 requests per rolling 5 minute window, no `Retry-After`.
    pub const HALO_DEFAULT: RateLimitConfig = RateLimitConfig {
        requests: 300,
        window: Duration::from_secs(300),
        retry_after: false,
    };

    /// `requests` per `window`, no `Retry-After`.
    ///
    /// ```
    /// let rl = halo_sim::RateLimitConfig::new(5, std::time::Duration::from_secs(1));
    /// assert_eq!(rl.requests, 5);
    /// ```
    pub fn new(requests: u32, window: Duration) -> Self {
        Self {
            requests,
            window,
            retry_after: false,
        }
    }

    /// Also send `Retry-After` (seconds until the oldest request leaves the window).
    pub fn with_retry_after(mut self, on: bool) -> Self {
        self.retry_after = on;
        self
    }
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self::HALO_DEFAULT
    }
}

/// Where the sim POSTs webhook deliveries (halo-api.md §9.2).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// Payload URL.
    pub url: url::Url,
    /// Optional Basic authentication (username, password).
    pub basic_auth: Option<(String, String)>,
}

impl WebhookConfig {
    /// Deliveries to `url` without authentication.
    pub fn new(url: url::Url) -> Self {
        Self {
            url,
            basic_auth: None,
        }
    }

    /// Deliveries with Basic authentication.
    pub fn with_basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url.as_str())
            .field(
                "basic_auth",
                &self.basic_auth.as_ref().map(|(u, _)| (u, "[redacted]")),
            )
            .finish()
    }
}

/// How `customfields` posted on a ticket update combine with the stored ones (halo-api.md §8: UNCERTAIN).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomFieldUpdate {
    /// Posted array replaces the stored one: fields not re-posted are emptied (the conservative reading).
    #[default]
    Replace,
    /// Posted fields are merged by id; others keep their values.
    Merge,
}

/// Everything a simulated tenant needs. Start from [`SimConfig::default`] and adjust.
///
/// ```
/// use halo_sim::{SimConfig, RateLimitConfig};
/// let cfg = SimConfig::default()
///     .with_tenant("acme")
///     .with_rate_limit(Some(RateLimitConfig::new(10, std::time::Duration::from_secs(1))));
/// assert_eq!(cfg.tenant(), Some("acme"));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct SimConfig {
    /// Listen address; default `127.0.0.1:0` (an ephemeral port).
    pub addr: SocketAddr,
    /// Hosted (tenant required on the token URL) or self-hosted.
    pub hosting: Hosting,
    /// The API application's client id.
    pub client_id: String,
    /// The API application's client secret (never printed by Debug).
    pub client_secret: String,
    /// Username for the `password` grant.
    pub username: String,
    /// Password for the `password` grant (never printed by Debug).
    pub password: String,
    /// Access-token lifetime (`expires_in`); Halo: 3600 s.
    pub token_ttl: Duration,
    /// Rate limit; `None` = off.
    pub rate_limit: Option<RateLimitConfig>,
    /// Tenant data.
    pub seed: Seed,
    /// Outbound webhook target; `None` = no deliveries.
    pub webhook: Option<WebhookConfig>,
    /// Faults active from the start.
    pub faults: FaultProfile,
    /// Serve the `/_sim/*` admin routes (the binary turns this on).
    pub admin_routes: bool,
    /// Maximum journal entries kept (oldest dropped first).
    pub journal_capacity: usize,
    /// Ticket `customfields` update semantics.
    pub custom_field_update: CustomFieldUpdate,
    /// Paging past the last page returns the last page again (a quirk S8 observed) instead of an empty page.
    pub repeat_last_page: bool,
    /// Page size used when `pageinate=true` comes without `page_size` (UNCERTAIN in Halo).
    pub default_page_size: u32,
    /// Serve HTTPS with a self-signed certificate generated at start (see [`SimConfig::with_tls`]).
    pub tls: bool,
}

impl SimConfig {
    /// Hosted tenant `name`.
    pub fn with_tenant(mut self, name: impl Into<String>) -> Self {
        self.hosting = Hosting::Hosted {
            tenant: name.into(),
        };
        self
    }

    /// Self-hosted: no `?tenant=` on the token URL.
    pub fn self_hosted(mut self) -> Self {
        self.hosting = Hosting::SelfHosted;
        self
    }

    /// Fixed client credentials instead of generated ones.
    pub fn with_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = id.into();
        self.client_secret = secret.into();
        self
    }

    /// Access-token lifetime.
    pub fn with_token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Rate limit (`None` = off).
    pub fn with_rate_limit(mut self, rl: Option<RateLimitConfig>) -> Self {
        self.rate_limit = rl;
        self
    }

    /// Another tenant's data.
    pub fn with_seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Outbound webhooks.
    pub fn with_webhook(mut self, webhook: WebhookConfig) -> Self {
        self.webhook = Some(webhook);
        self
    }

    /// Faults active from the start.
    pub fn with_faults(mut self, profile: FaultProfile) -> Self {
        self.faults = profile;
        self
    }

    /// Listen address.
    pub fn with_addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Serve `/_sim/*` admin routes.
    pub fn with_admin_routes(mut self, on: bool) -> Self {
        self.admin_routes = on;
        self
    }

    /// Ticket custom-field update semantics.
    pub fn with_custom_field_update(mut self, mode: CustomFieldUpdate) -> Self {
        self.custom_field_update = mode;
        self
    }

    /// Serve HTTPS (`https://127.0.0.1:PORT`) with a self-signed certificate for `localhost` and `127.0.0.1`
    /// generated at start, to test clients' certificate checks; [`SimHandle::tls_certificate_pem`] gives it.
    ///
    /// [`SimHandle::tls_certificate_pem`]: crate::SimHandle::tls_certificate_pem
    pub fn with_tls(mut self, on: bool) -> Self {
        self.tls = on;
        self
    }

    /// The tenant name when hosted.
    pub fn tenant(&self) -> Option<&str> {
        match &self.hosting {
            Hosting::Hosted { tenant } => Some(tenant),
            Hosting::SelfHosted => None,
        }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            hosting: Hosting::Hosted {
                tenant: "demo".to_owned(),
            },
            client_id: uuid::Uuid::new_v4().to_string(),
            client_secret: random_secret(),
            username: "admin".to_owned(),
            password: random_secret(),
            token_ttl: Duration::from_secs(3600),
            rate_limit: Some(RateLimitConfig::HALO_DEFAULT),
            seed: Seed::default(),
            webhook: None,
            faults: FaultProfile::None,
            admin_routes: false,
            journal_capacity: 100_000,
            custom_field_update: CustomFieldUpdate::default(),
            repeat_last_page: false,
            default_page_size: 50,
            tls: false,
        }
    }
}

impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("addr", &self.addr)
            .field("hosting", &self.hosting)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("token_ttl", &self.token_ttl)
            .field("rate_limit", &self.rate_limit)
            .field("webhook", &self.webhook)
            .field("faults", &self.faults)
            .field("admin_routes", &self.admin_routes)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

/// 64 hex characters of randomness.
pub(crate) fn random_secret() -> String {
    let mut s = String::with_capacity(64);
    for _ in 0..4 {
        s.push_str(&format!("{:016x}", fastrand::u64(..)));
    }
    s
}
