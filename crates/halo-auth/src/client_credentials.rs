//! [`ClientCredentials`]: the OAuth2 client-credentials grant against Halo's authorisation
//! server, with a cache, single-flight fetching and generation-checked rejection.
//!
//! Concurrency design: the cached token sits behind a short `std::sync::Mutex` (never held
//! across an await) so the common path is a lock and a clone. A `tokio::sync::Mutex` is held
//! across the token request itself; whoever gets it re-checks the cache first, so N callers
//! arriving on an empty cache cause one request and N-1 cache hits. Callers that queued behind a
//! request that *failed* get that same error instead of each sending their own request.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use oauth2::basic::{BasicClient, BasicErrorResponse, BasicTokenType};
use oauth2::{AuthType, ClientId, ClientSecret, RequestTokenError, Scope, TokenResponse, TokenUrl};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use url::Url;

use crate::http_adapter::{HttpError, OAuthHttp, ResponseMeta, token_http_client};
use crate::sanitize::{bounded, error_chain, scrub, url_without_query};
use crate::{AuthError, AuthErrorKind, BearerToken, Discovery, TokenProvider, TokenStats};

/// Settings for [`ClientCredentials`], as shown in Halo under Configuration > Integrations >
/// Halo API > API Details, plus the application's client id and secret.
///
/// ```
/// use halo_auth::ClientCredentialsConfig;
///
/// let config = ClientCredentialsConfig::new(
///     "my-client-id",
///     "my-secret".into(),
///     "https://acme.haloitsm.com/auth".parse().unwrap(),
/// )
/// .with_tenant("acme")
/// .with_scope("read:tickets edit:tickets");
/// assert_eq!(
///     config.token_url().unwrap().as_str(),
///     "https://acme.haloitsm.com/auth/token?tenant=acme"
/// );
/// assert!(!format!("{config:?}").contains("my-secret"));
/// ```
#[derive(Clone)]
pub struct ClientCredentialsConfig {
    /// The Halo API application's client id.
    pub client_id: String,
    /// The application's client secret; only exposed while building the token request.
    pub client_secret: SecretString,
    /// The authorisation server base, e.g. `https://acme.haloitsm.com/auth` (the token endpoint
    /// is `<this>/token`; a URL that already ends in `/token` is used as it is).
    pub authorization_server: Url,
    /// Halo's tenant name, sent as `?tenant=` on the token URL. Hosted Halo needs it; on-prem
    /// installations have none. An empty string counts as none.
    pub tenant: Option<String>,
    /// Space-separated scopes; default `all`.
    pub scope: String,
    /// How long before `expires_in` runs out a token stops being handed out (default 60 s).
    pub expiry_skew: Duration,
    /// Timeout of one token request, connect to last byte (default 30 s).
    pub timeout: Duration,
}

impl ClientCredentialsConfig {
    /// Scope requested when none is configured.
    pub const DEFAULT_SCOPE: &'static str = "all";
    /// Default [`expiry_skew`](Self::expiry_skew).
    pub const DEFAULT_EXPIRY_SKEW: Duration = Duration::from_secs(60);
    /// Default [`timeout`](Self::timeout).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// Lifetime assumed when the token response has no `expires_in` (Halo issues 1-hour
    /// tokens; the skew is still subtracted).
    pub const ASSUMED_LIFETIME: Duration = Duration::from_secs(3600);
    /// Longest a token is reused, whatever `expires_in` claims (a bogus huge value must not
    /// pin a token forever or overflow the clock).
    pub const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

    /// A configuration with the defaults: no tenant, scope `all`, skew 60 s, timeout 30 s.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: SecretString,
        authorization_server: Url,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            authorization_server,
            tenant: None,
            scope: Self::DEFAULT_SCOPE.to_owned(),
            expiry_skew: Self::DEFAULT_EXPIRY_SKEW,
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }

    /// A configuration for what [`discover`](crate::discover) found (authorisation server and
    /// tenant, if any).
    pub fn from_discovery(
        client_id: impl Into<String>,
        client_secret: SecretString,
        discovery: &Discovery,
    ) -> Self {
        let mut config = Self::new(
            client_id,
            client_secret,
            discovery.authorization_server.clone(),
        );
        config.tenant = discovery.tenant.clone();
        config
    }

    /// Set the tenant (hosted Halo).
    pub fn with_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Set the space-separated scopes.
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// Set the expiry skew.
    pub fn with_expiry_skew(mut self, skew: Duration) -> Self {
        self.expiry_skew = skew;
        self
    }

    /// Set the token request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn tenant_name(&self) -> Option<&str> {
        self.tenant
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// The token endpoint: `<authorization_server>/token`, plus `?tenant=<tenant>` when a
    /// tenant is set. Fails with [`AuthErrorKind::Config`] for a URL that is not http(s).
    pub fn token_url(&self) -> Result<Url, AuthError> {
        let base = &self.authorization_server;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(AuthError::config(format!(
                "authorization_server `{}` is not an http(s) URL; use e.g. \
                 https://<instance>/auth or the Authorisation Server shown in Halo's API Details",
                url_without_query(base)
            )));
        }
        let mut url = base.clone();
        url.set_fragment(None);
        let ends_in_token = url
            .path_segments()
            .and_then(|mut s| s.rfind(|seg| !seg.is_empty()))
            .is_some_and(|last| last.eq_ignore_ascii_case("token"));
        if !ends_in_token && let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push("token");
        }
        if let Some(tenant) = self.tenant_name() {
            let already = url.query_pairs().any(|(k, _)| k == "tenant");
            if !already {
                url.query_pairs_mut().append_pair("tenant", tenant);
            }
        }
        Ok(url)
    }

    fn scopes(&self) -> Vec<String> {
        self.scope.split_whitespace().map(str::to_owned).collect()
    }

    /// Check everything that can be checked without the network.
    pub fn validate(&self) -> Result<(), AuthError> {
        if self.client_id.trim().is_empty() {
            return Err(AuthError::config(
                "client_id is empty; copy the Client ID of the Halo API application",
            ));
        }
        if self.client_secret.expose_secret().is_empty() {
            return Err(AuthError::config(
                "client_secret is empty; copy the Client Secret of the Halo API application",
            ));
        }
        if self.scopes().is_empty() {
            return Err(AuthError::config(
                "scope is empty; use `all` or a space-separated list such as `read:tickets edit:tickets`",
            ));
        }
        if self.timeout.is_zero() {
            return Err(AuthError::config(
                "timeout is zero; use a few seconds (default 30 s)",
            ));
        }
        self.token_url().map(drop)
    }
}

impl fmt::Debug for ClientCredentialsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentialsConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("authorization_server", &self.authorization_server.as_str())
            .field("tenant", &self.tenant)
            .field("scope", &self.scope)
            .field("expiry_skew", &self.expiry_skew)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A [`TokenProvider`] using the client-credentials grant.
///
/// ```no_run
/// use std::sync::Arc;
/// use halo_auth::{ClientCredentials, ClientCredentialsConfig, TokenProvider};
///
/// # async fn demo() -> Result<(), halo_auth::AuthError> {
/// let config = ClientCredentialsConfig::new(
///     "id",
///     std::env::var("HALO_SECRET").unwrap_or_default().into(),
///     "https://acme.haloitsm.com/auth".parse().unwrap(),
/// )
/// .with_tenant("acme");
/// let provider: Arc<dyn TokenProvider> = Arc::new(ClientCredentials::from_config(config)?);
/// let token = provider.token().await?;
/// # let _ = token; Ok(()) }
/// ```
pub struct ClientCredentials {
    config: ClientCredentialsConfig,
    token_url: Url,
    scopes: Vec<String>,
    http: reqwest::Client,
    cache: Mutex<Option<BearerToken>>,
    fetch: tokio::sync::Mutex<FetchState>,
    /// Completed token requests (success or failure); lets a waiter see "a request finished
    /// while I queued".
    attempts: AtomicU64,
    generation: AtomicU64,
    fetched: AtomicU64,
    failures: AtomicU64,
    rejections: AtomicU64,
}

#[derive(Default)]
struct FetchState {
    last_failure: Option<AuthError>,
}

impl ClientCredentials {
    /// A provider using `http` for token requests.
    ///
    /// `http` should not follow redirects (a client that does would re-send the form with the
    /// secret to wherever a 307/308 points); [`token_http_client`](crate::token_http_client)
    /// builds such a client, and [`from_config`](Self::from_config) uses it.
    pub fn new(config: ClientCredentialsConfig, http: reqwest::Client) -> Result<Self, AuthError> {
        config.validate()?;
        let token_url = config.token_url()?;
        let scopes = config.scopes();
        Ok(Self {
            config,
            token_url,
            scopes,
            http,
            cache: Mutex::new(None),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
            attempts: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            fetched: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            rejections: AtomicU64::new(0),
        })
    }

    /// A provider with its own non-redirecting HTTP client.
    pub fn from_config(config: ClientCredentialsConfig) -> Result<Self, AuthError> {
        let http = token_http_client(config.timeout)?;
        Self::new(config, http)
    }

    /// The token endpoint this provider calls (for logs; carries no secret).
    pub fn token_url(&self) -> &Url {
        &self.token_url
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientCredentialsConfig {
        &self.config
    }

    fn cached_valid(&self) -> Option<BearerToken> {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .filter(|t| !t.is_expired())
            .cloned()
    }

    async fn token_single_flight(&self) -> Result<BearerToken, AuthError> {
        if let Some(token) = self.cached_valid() {
            return Ok(token);
        }
        let seen = self.attempts.load(Ordering::Acquire);
        let mut state = self.fetch.lock().await;
        if let Some(token) = self.cached_valid() {
            return Ok(token);
        }
        if self.attempts.load(Ordering::Acquire) != seen
            && let Some(err) = &state.last_failure
        {
            return Err(err.clone());
        }
        let result = self.fetch_token().await;
        match &result {
            Ok(token) => {
                state.last_failure = None;
                self.fetched.fetch_add(1, Ordering::Relaxed);
                *self
                    .cache
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(token.clone());
            }
            Err(err) => {
                state.last_failure = Some(err.clone());
                self.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.attempts.fetch_add(1, Ordering::Release);
        result
    }

    async fn fetch_token(&self) -> Result<BearerToken, AuthError> {
        let secret = self.config.client_secret.expose_secret();
        let client = BasicClient::new(ClientId::new(self.config.client_id.clone()))
            .set_client_secret(ClientSecret::new(secret.to_owned()))
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(TokenUrl::from_url(self.token_url.clone()));
        let mut request = client.exchange_client_credentials();
        for scope in &self.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }

        let http = OAuthHttp::new(&self.http, self.config.timeout);
        let endpoint = url_without_query(&self.token_url);
        tracing::debug!(
            token_url = %endpoint,
            tenant = self.config.tenant_name(),
            scope = %self.scopes.join(" "),
            "requesting an access token"
        );
        let started = Instant::now();
        let outcome = tokio::time::timeout(self.config.timeout, request.request_async(&http)).await;
        let meta = http.meta();
        let response = match outcome {
            Err(_elapsed) => Err(AuthError::new(
                AuthErrorKind::Timeout,
                format!(
                    "token request to {endpoint} timed out after {:?}",
                    self.config.timeout
                ),
            )),
            Ok(Err(err)) => Err(self.classify(err, &meta, &endpoint)),
            Ok(Ok(response)) => Ok(response),
        };
        let response = match response {
            Ok(r) => r,
            Err(err) => {
                tracing::warn!(
                    kind = %err.kind(),
                    status = err.status(),
                    error = %err,
                    "token request failed"
                );
                return Err(err);
            }
        };

        if let Some(to) = &meta.followed_redirect_to {
            tracing::warn!(
                token_url = %endpoint,
                redirected_to = %to,
                "the token endpoint redirected and the HTTP client followed; \
                 configure the final URL and use a client that does not follow redirects"
            );
        }
        let access = response.access_token().secret();
        if access.is_empty() {
            let err = AuthError::new(
                AuthErrorKind::MalformedResponse,
                format!("token response from {endpoint} has an empty access_token"),
            );
            tracing::warn!(kind = %err.kind(), error = %err, "token request failed");
            return Err(err);
        }
        if !matches!(response.token_type(), BasicTokenType::Bearer) {
            tracing::warn!(
                token_type = %bounded(response.token_type().as_ref(), 40),
                "token_type is not Bearer; using the token as a bearer token anyway"
            );
        }
        let expires_in = response.expires_in();
        let lifetime = usable_lifetime(expires_in, self.config.expiry_skew);
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let token = BearerToken::with_valid_until(
            SecretString::from(access.to_owned()),
            generation,
            started + lifetime,
        );
        tracing::info!(
            generation,
            expires_in_secs = expires_in.map(|d| d.as_secs()),
            reuse_for_secs = lifetime.as_secs(),
            "obtained an access token"
        );
        Ok(token)
    }

    fn classify(
        &self,
        err: RequestTokenError<HttpError, BasicErrorResponse>,
        meta: &ResponseMeta,
        endpoint: &str,
    ) -> AuthError {
        let secret = self.config.client_secret.expose_secret();
        let clean = |s: &str| scrub(s, &[secret]);
        let status = meta.status;
        let with_status = |e: AuthError| match status {
            Some(s) => e.with_status(s),
            None => e,
        };
        match err {
            RequestTokenError::Request(http_err) => {
                let timed_out = http_err.reqwest().is_some_and(reqwest::Error::is_timeout);
                let kind = match (&http_err, timed_out) {
                    (_, true) => AuthErrorKind::Timeout,
                    (HttpError::Build(_), false) => AuthErrorKind::Config,
                    _ => AuthErrorKind::Unreachable,
                };
                let what = match kind {
                    AuthErrorKind::Timeout => "timed out",
                    AuthErrorKind::Config => "could not be built",
                    _ => "could not reach the authorisation server",
                };
                // The reqwest error alone: the adapter's wrapper would only repeat "failed".
                let chain = match http_err.reqwest() {
                    Some(r) => clean(&error_chain(r)),
                    None => clean(&error_chain(&http_err)),
                };
                let mut e =
                    AuthError::new(kind, format!("token request to {endpoint} {what}: {chain}"));
                e = with_status(e);
                match http_err {
                    HttpError::Build(r) | HttpError::Send(r) | HttpError::Body(r) => {
                        e.with_source(r)
                    }
                    HttpError::Http(h) => e.with_source(h),
                }
            }
            RequestTokenError::ServerResponse(body) => {
                let code = bounded(body.error().as_ref(), 80);
                let description = body.error_description().map(|d| clean(d));
                let kind = match code.as_str() {
                    "invalid_client" => AuthErrorKind::CredentialsRejected,
                    "invalid_scope" => AuthErrorKind::InvalidScope,
                    _ => kind_for_status(status),
                };
                let message = match kind {
                    AuthErrorKind::CredentialsRejected => format!(
                        "the authorisation server at {endpoint} rejected the client credentials"
                    ),
                    AuthErrorKind::InvalidScope => format!(
                        "the authorisation server at {endpoint} rejected the scope `{}`",
                        clean(&self.scopes.join(" "))
                    ),
                    _ => {
                        format!("the authorisation server at {endpoint} refused the token request")
                    }
                };
                with_status(AuthError::new(kind, message).with_oauth(code, description))
            }
            RequestTokenError::Parse(parse, _body_never_shown) => {
                // oauth2 names serde_path_to_error's type; reading it here keeps that crate
                // out of our dependency list.
                let detail = describe_parse_error(&parse.path().to_string(), parse.inner());
                self.unexpected_answer(status, meta, endpoint, &detail)
            }
            RequestTokenError::Other(text) => {
                self.unexpected_answer(status, meta, endpoint, &clean(&text))
            }
        }
    }

    /// A non-RFC-6749 answer: classify by status.
    fn unexpected_answer(
        &self,
        status: Option<u16>,
        meta: &ResponseMeta,
        endpoint: &str,
        detail: &str,
    ) -> AuthError {
        let e = match status {
            Some(200) | None => AuthError::new(
                AuthErrorKind::MalformedResponse,
                format!(
                    "token response from {endpoint} is not a usable OAuth2 token response: {detail}"
                ),
            ),
            Some(s) if (300..400).contains(&s) => AuthError::config(format!(
                "the token endpoint {endpoint} redirects (HTTP {s}{}); redirects are not followed \
                 so the client secret is never re-sent: configure the final authorisation server URL",
                meta.location
                    .as_deref()
                    .map(|l| format!(" to {l}"))
                    .unwrap_or_default()
            )),
            Some(401) => AuthError::new(
                AuthErrorKind::CredentialsRejected,
                format!(
                    "the authorisation server at {endpoint} rejected the client credentials ({detail})"
                ),
            ),
            Some(s) => AuthError::new(
                kind_for_status(Some(s)),
                format!(
                    "the token endpoint {endpoint} answered HTTP {s} without an OAuth2 error body ({detail})"
                ),
            ),
        };
        match status {
            Some(s) => e.with_status(s),
            None => e,
        }
    }
}

/// For an error answer whose `error` code says nothing more specific.
fn kind_for_status(status: Option<u16>) -> AuthErrorKind {
    match status {
        Some(401) => AuthErrorKind::CredentialsRejected,
        Some(429) => AuthErrorKind::ServerError,
        Some(s) if s >= 500 => AuthErrorKind::ServerError,
        _ => AuthErrorKind::Refused,
    }
}

/// Describe a JSON decoding failure without quoting the body: serde's "invalid type" messages
/// quote the offending value, which could be a token.
fn describe_parse_error(path: &str, inner: &serde_json::Error) -> String {
    let path = bounded(path, 80);
    match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!(
                "the body is not JSON (line {}, column {})",
                inner.line(),
                inner.column()
            )
        }
        serde_json::error::Category::Data => {
            let text = inner.to_string();
            if text.starts_with("missing field") {
                bounded(&text, 120)
            } else if path == "." {
                "the body is not a JSON object".to_owned()
            } else {
                format!("field `{path}` has an unexpected type or value")
            }
        }
        serde_json::error::Category::Io => "the body could not be read".to_owned(),
    }
}

/// How long a token may be handed out: `expires_in - skew`; `expires_in` missing means
/// [`ClientCredentialsConfig::ASSUMED_LIFETIME`]. When the token lives no longer than the skew,
/// half its lifetime is used instead, so a short-lived token is still reused a little rather
/// than fetched anew for every request. Capped at [`ClientCredentialsConfig::MAX_LIFETIME`].
fn usable_lifetime(expires_in: Option<Duration>, skew: Duration) -> Duration {
    let lifetime = expires_in
        .unwrap_or(ClientCredentialsConfig::ASSUMED_LIFETIME)
        .min(ClientCredentialsConfig::MAX_LIFETIME);
    if lifetime > skew {
        lifetime - skew
    } else {
        lifetime / 2
    }
}

impl TokenProvider for ClientCredentials {
    fn token(&self) -> BoxFuture<'_, Result<BearerToken, AuthError>> {
        Box::pin(self.token_single_flight())
    }

    fn reject(&self, token: &BearerToken) {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache
            .as_ref()
            .is_some_and(|c| c.generation() == token.generation())
        {
            *cache = None;
            self.rejections.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                generation = token.generation(),
                "cached token rejected by the resource server; the next call fetches a new one"
            );
        }
    }

    fn stats(&self) -> TokenStats {
        TokenStats {
            tokens_fetched: self.fetched.load(Ordering::Relaxed),
            refresh_failures: self.failures.load(Ordering::Relaxed),
            rejections: self.rejections.load(Ordering::Relaxed),
        }
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        f.debug_struct("ClientCredentials")
            .field("config", &self.config)
            .field("token_url", &self.token_url.as_str())
            .field("cached", &cached)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn config(server: &str) -> ClientCredentialsConfig {
        ClientCredentialsConfig::new("id", "s3cret".into(), server.parse().unwrap())
    }

    #[test]
    fn token_url_hosted_with_tenant() {
        let c = config("https://acme.haloitsm.com/auth").with_tenant("acme");
        assert_eq!(
            c.token_url().unwrap().as_str(),
            "https://acme.haloitsm.com/auth/token?tenant=acme"
        );
    }

    #[test]
    fn token_url_shared_auth_server_trailing_slash() {
        let c = config("https://auth.haloservicedesk.com/").with_tenant("my tenant");
        assert_eq!(
            c.token_url().unwrap().as_str(),
            "https://auth.haloservicedesk.com/token?tenant=my+tenant"
        );
    }

    #[test]
    fn token_url_on_prem_has_no_tenant() {
        let c = config("https://support.example.com/auth/");
        assert_eq!(
            c.token_url().unwrap().as_str(),
            "https://support.example.com/auth/token"
        );
        let c = config("https://support.example.com/auth").with_tenant("  ");
        assert_eq!(
            c.token_url().unwrap().as_str(),
            "https://support.example.com/auth/token"
        );
    }

    #[test]
    fn token_url_already_pointing_at_token_endpoint() {
        let c = config("https://x.example/auth/token?tenant=x").with_tenant("x");
        assert_eq!(
            c.token_url().unwrap().as_str(),
            "https://x.example/auth/token?tenant=x"
        );
    }

    #[test]
    fn config_rejects_bad_values() {
        let bad = [
            config("https://x.example/auth").with_scope("  "),
            config("ftp://x.example/auth"),
            config("mailto:a@b.c"),
            config("https://x.example/auth").with_timeout(Duration::ZERO),
            ClientCredentialsConfig::new(" ", "s".into(), "https://x/auth".parse().unwrap()),
            ClientCredentialsConfig::new("id", "".into(), "https://x/auth".parse().unwrap()),
        ];
        for c in bad {
            let err = c.validate().unwrap_err();
            assert_eq!(err.kind(), AuthErrorKind::Config, "{c:?}: {err}");
            assert!(!err.to_string().contains("s3cret"));
        }
        config("https://x.example/auth").validate().unwrap();
    }

    #[test]
    fn scopes_split_on_whitespace() {
        let c = config("https://x/auth").with_scope(" read:tickets  edit:tickets ");
        assert_eq!(c.scopes(), ["read:tickets", "edit:tickets"]);
    }

    #[test]
    fn lifetime_subtracts_skew_and_defaults_to_an_hour() {
        let skew = Duration::from_secs(60);
        assert_eq!(
            usable_lifetime(Some(Duration::from_secs(3600)), skew),
            Duration::from_secs(3540)
        );
        assert_eq!(usable_lifetime(None, skew), Duration::from_secs(3540));
        assert_eq!(
            usable_lifetime(Some(Duration::from_secs(61)), skew),
            Duration::from_secs(1)
        );
        assert_eq!(
            usable_lifetime(Some(Duration::from_secs(40)), skew),
            Duration::from_secs(20)
        );
        assert_eq!(usable_lifetime(Some(Duration::ZERO), skew), Duration::ZERO);
        assert_eq!(
            usable_lifetime(Some(Duration::from_secs(u64::MAX)), skew),
            ClientCredentialsConfig::MAX_LIFETIME - skew
        );
    }

    #[test]
    fn status_fallback_kinds() {
        assert_eq!(
            kind_for_status(Some(401)),
            AuthErrorKind::CredentialsRejected
        );
        assert_eq!(kind_for_status(Some(503)), AuthErrorKind::ServerError);
        assert_eq!(kind_for_status(Some(429)), AuthErrorKind::ServerError);
        assert_eq!(kind_for_status(Some(400)), AuthErrorKind::Refused);
        assert_eq!(kind_for_status(None), AuthErrorKind::Refused);
    }
}
