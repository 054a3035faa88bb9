//! [`HaloClient`] and its builder: the configuration every request shares (resource server, token provider, rate
//! limit, retry policy, timeouts, TLS, observer). Clones are cheap and share one limiter and one token provider.

use std::sync::{Arc, Once};
use std::time::Duration;

use halo_auth::{TlsConfig, TokenProvider};
use url::Url;

use crate::error::{Error, ErrorKind};
use crate::limiter::{Limiter, RateLimit};
use crate::observer::{NoopObserver, Observer};
use crate::retry::RetryPolicy;

/// The typed HaloITSM client.
///
/// ```no_run
/// use std::sync::Arc;
/// use halo_api::{HaloClient, TicketId};
/// use halo_auth::StaticToken;
/// # async fn demo() -> Result<(), halo_api::Error> {
/// let client = HaloClient::builder()
///     .resource_server("https://acme.haloitsm.com/api".parse().unwrap())
///     .token_provider(Arc::new(StaticToken::new("token-from-elsewhere")))
///     .build()?;
/// let ticket = client.get_ticket(TicketId::new(42)).send().await?;
/// # let _ = ticket; Ok(()) }
/// ```
#[derive(Clone)]
pub struct HaloClient {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    /// Everything before `/api`, without a trailing slash, e.g. `https://acme.haloitsm.com`.
    pub(crate) origin: String,
    pub(crate) tokens: Arc<dyn TokenProvider>,
    pub(crate) limiter: Limiter,
    pub(crate) retry: RetryPolicy,
    pub(crate) observer: Arc<dyn Observer>,
}

impl std::fmt::Debug for HaloClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HaloClient")
            .field("resource_server", &format!("{}/api", self.inner.origin))
            .field("rate_limit", self.inner.limiter.config())
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl HaloClient {
    /// Starts a builder.
    pub fn builder() -> HaloClientBuilder {
        HaloClientBuilder::default()
    }

    /// The resource server URL, e.g. `https://acme.haloitsm.com/api`.
    pub fn resource_server(&self) -> String {
        format!("{}/api", self.inner.origin)
    }

    /// The token provider shared by every clone.
    pub fn token_provider(&self) -> &Arc<dyn TokenProvider> {
        &self.inner.tokens
    }

    /// The rate limit in force.
    pub fn rate_limit(&self) -> &RateLimit {
        self.inner.limiter.config()
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Time left on a 429 pause, if one is in force (every caller of this client waits for it).
    pub fn rate_limit_pause(&self) -> Option<Duration> {
        self.inner.limiter.pause_remaining()
    }
}

/// Builds a [`HaloClient`]. Required: [`resource_server`](Self::resource_server) and
/// [`token_provider`](Self::token_provider).
///
/// Defaults: connect timeout 10 s, request timeout 30 s, TLS verification on, user agent `halo-api/<version>`,
/// [`RateLimit::default`] (300 / 5 min), [`RetryPolicy::default`] (4 attempts / 60 s), no observer.
pub struct HaloClientBuilder {
    resource_server: Option<Url>,
    tokens: Option<Arc<dyn TokenProvider>>,
    rate_limit: RateLimit,
    retry: RetryPolicy,
    connect_timeout: Duration,
    request_timeout: Duration,
    tls: TlsConfig,
    user_agent: String,
    observer: Arc<dyn Observer>,
}

impl Default for HaloClientBuilder {
    fn default() -> Self {
        HaloClientBuilder {
            resource_server: None,
            tokens: None,
            rate_limit: RateLimit::default(),
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            tls: TlsConfig::default(),
            user_agent: concat!("halo-api/", env!("CARGO_PKG_VERSION")).to_owned(),
            observer: Arc::new(NoopObserver),
        }
    }
}

impl std::fmt::Debug for HaloClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HaloClientBuilder")
            .field(
                "resource_server",
                &self.resource_server.as_ref().map(Url::as_str),
            )
            .field("rate_limit", &self.rate_limit)
            .field("retry", &self.retry)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

static INSECURE_TLS_WARNING: Once = Once::new();

impl HaloClientBuilder {
    /// The resource server, e.g. `https://acme.haloitsm.com/api` (an instance URL without `/api` also works).
    pub fn resource_server(mut self, url: Url) -> Self {
        self.resource_server = Some(url);
        self
    }

    /// The token provider (e.g. `halo_auth::ClientCredentials`), shared by every clone of the client.
    pub fn token_provider(mut self, tokens: Arc<dyn TokenProvider>) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// The request budget (default 300 per rolling 5 minutes).
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// The retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Connect and whole-request timeouts.
    pub fn timeouts(mut self, connect: Duration, request: Duration) -> Self {
        self.connect_timeout = connect;
        self.request_timeout = request;
        self
    }

    /// Skip TLS certificate verification (self-signed on-prem servers). Logs a warning once per process.
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        if accept {
            self.tls = TlsConfig::insecure();
        } else if !self.tls.verifies() {
            self.tls = TlsConfig::default();
        }
        self
    }

    /// The TLS set-up: platform roots by default (loaded on the first handshake, once per process), extra
    /// private roots with [`TlsConfig::with_root_pem`], or verification off with [`TlsConfig::insecure`].
    ///
    /// ```
    /// # fn demo(pem: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    /// let tls = halo_auth::TlsConfig::default().with_root_pem(pem)?; // e.g. an internal CA
    /// let builder = halo_api::HaloClient::builder().tls(tls);
    /// # drop(builder); Ok(()) }
    /// ```
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = tls;
        self
    }

    /// Same as `danger_accept_invalid_certs(!verify)`, named like the plugin's `ssl_verify` setting.
    pub fn ssl_verify(self, verify: bool) -> Self {
        self.danger_accept_invalid_certs(!verify)
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Installs a metrics [`Observer`].
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = observer;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`ErrorKind::Config`] when the URL or token provider is missing, the URL is not http(s), or the HTTP client
    /// cannot be built.
    pub fn build(self) -> Result<HaloClient, Error> {
        let url = self
            .resource_server
            .ok_or_else(|| Error::new(ErrorKind::Config, "the resource server URL is missing"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::new(
                ErrorKind::Config,
                "the resource server URL must be http(s)://host[/api], e.g. https://acme.haloitsm.com/api",
            ));
        }
        let tokens = self
            .tokens
            .ok_or_else(|| Error::new(ErrorKind::Config, "no token provider was configured"))?;
        if !self.tls.verifies() {
            INSECURE_TLS_WARNING.call_once(|| {
                tracing::warn!(
                    "TLS certificate verification is disabled for the Halo API (ssl_verify = false)"
                );
            });
        }
        let http = self
            .tls
            .client_builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(self.user_agent)
            // A redirect from the API is a wrong URL (http→https, moved tenant); following it could carry the
            // bearer token elsewhere, so it is reported instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::Config, "the HTTP client could not be built")
                    .with_source(e.without_url())
            })?;
        Ok(HaloClient {
            inner: Arc::new(ClientInner {
                http,
                origin: origin_of(&url),
                tokens,
                limiter: Limiter::new(self.rate_limit),
                retry: self.retry,
                observer: self.observer,
            }),
        })
    }
}

/// `https://x/api/` → `https://x`; `https://x/prefix/api` → `https://x/prefix`; `https://x` → `https://x`.
fn origin_of(url: &Url) -> String {
    let mut s = url
        .as_str()
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned();
    if s.to_ascii_lowercase().ends_with("/api") {
        s.truncate(s.len() - 4);
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn origin_strips_api_suffix() {
        let o = |s: &str| origin_of(&s.parse().unwrap());
        assert_eq!(
            o("https://acme.haloitsm.com/api"),
            "https://acme.haloitsm.com"
        );
        assert_eq!(
            o("https://acme.haloitsm.com/api/"),
            "https://acme.haloitsm.com"
        );
        assert_eq!(o("https://acme.haloitsm.com"), "https://acme.haloitsm.com");
        assert_eq!(
            o("http://127.0.0.1:8080/halo/API"),
            "http://127.0.0.1:8080/halo"
        );
    }

    #[derive(Clone, Default)]
    struct Buf(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn disabling_tls_verification_warns_once() {
        let buf = Buf::default();
        let writer = buf.clone();
        let sub = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(sub, || {
            for _ in 0..3 {
                HaloClient::builder()
                    .resource_server("https://self-signed.example/api".parse().unwrap())
                    .token_provider(Arc::new(halo_auth::StaticToken::new("x")))
                    .ssl_verify(false)
                    .build()
                    .unwrap();
            }
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            text.matches("TLS certificate verification is disabled")
                .count(),
            1,
            "{text}"
        );
    }

    #[test]
    fn missing_parts_are_config_errors() {
        let e = HaloClient::builder().build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
        let e = HaloClient::builder()
            .resource_server("ftp://x/api".parse().unwrap())
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config);
    }
}
