//! The bridge between `oauth2` 5 and the workspace's reqwest 0.13 client.
//!
//! oauth2 5's own `reqwest` feature is tied to reqwest 0.12; enabling it would put a second
//! reqwest and a second TLS stack in the tree. This adapter implements
//! [`oauth2::AsyncHttpClient`] over reqwest 0.13 instead and remembers what oauth2's error type
//! forgets: the HTTP status (a 401 without a JSON body is still "credentials rejected") and
//! whether the server tried to redirect.

use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;
use oauth2::{HttpRequest, HttpResponse};

/// Build the reqwest client the token endpoint should be called with: no redirects (a
/// redirect-following client would re-send the form, client secret included, to wherever a
/// 307/308 points), and the given request timeout.
///
/// ```
/// let http = halo_auth::token_http_client(std::time::Duration::from_secs(30))?;
/// # Ok::<(), halo_auth::AuthError>(())
/// ```
pub fn token_http_client(timeout: Duration) -> Result<reqwest::Client, crate::AuthError> {
    token_http_client_with(&crate::TlsConfig::default(), timeout)
}

/// [`token_http_client`] with a given TLS set-up (private roots, or verification off for `ssl_verify: false`).
///
/// ```
/// let http = halo_auth::token_http_client_with(&halo_auth::TlsConfig::insecure(), std::time::Duration::from_secs(5))?;
/// # Ok::<(), halo_auth::AuthError>(())
/// ```
pub fn token_http_client_with(
    tls: &crate::TlsConfig,
    timeout: Duration,
) -> Result<reqwest::Client, crate::AuthError> {
    tls.client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .map_err(|e| {
            crate::AuthError::config(format!("could not build the token HTTP client: {e}"))
                .with_source(e)
        })
}

/// What the adapter saw of the last response (oauth2's errors do not carry it).
#[derive(Clone, Debug, Default)]
pub(crate) struct ResponseMeta {
    pub(crate) status: Option<u16>,
    /// `Location` of a 3xx answer (redirects are not followed).
    pub(crate) location: Option<String>,
    /// Set when the caller's reqwest client followed a redirect on its own.
    pub(crate) followed_redirect_to: Option<String>,
}

/// One adapter per token request, so the recorded metadata belongs to that request.
pub(crate) struct OAuthHttp<'a> {
    client: &'a reqwest::Client,
    timeout: Duration,
    meta: Mutex<ResponseMeta>,
}

impl<'a> OAuthHttp<'a> {
    pub(crate) fn new(client: &'a reqwest::Client, timeout: Duration) -> Self {
        Self {
            client,
            timeout,
            meta: Mutex::new(ResponseMeta::default()),
        }
    }

    pub(crate) fn meta(&self) -> ResponseMeta {
        self.meta
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn record(&self, meta: ResponseMeta) {
        *self
            .meta
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = meta;
    }

    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let requested = request.uri().to_string();
        let mut request = reqwest::Request::try_from(request).map_err(HttpError::Build)?;
        *request.timeout_mut() = Some(self.timeout);
        let response = self
            .client
            .execute(request)
            .await
            .map_err(HttpError::Send)?;

        let status = response.status();
        let final_url = response.url().as_str().to_owned();
        let location = status
            .is_redirection()
            .then(|| response.headers().get(http::header::LOCATION))
            .flatten()
            .and_then(|v| v.to_str().ok())
            .map(|s| crate::sanitize::bounded(s, 200));
        self.record(ResponseMeta {
            status: Some(status.as_u16()),
            location,
            followed_redirect_to: (final_url != requested)
                .then(|| crate::sanitize::url_without_query(response.url())),
        });

        let mut builder = http::Response::builder()
            .status(status)
            .version(response.version());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let body = response.bytes().await.map_err(HttpError::Body)?;
        builder.body(body.to_vec()).map_err(HttpError::Http)
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp<'_> {
    type Error = HttpError;
    type Future = BoxFuture<'c, Result<HttpResponse, HttpError>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.execute(request))
    }
}

/// Transport failures of the adapter. None of them carries a request body.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    /// oauth2 produced a request reqwest cannot send (bad URL).
    #[error("invalid token request")]
    Build(#[source] reqwest::Error),
    /// Connecting, sending or waiting for the response failed.
    #[error("token request failed")]
    Send(#[source] reqwest::Error),
    /// Reading the response body failed.
    #[error("reading the token response failed")]
    Body(#[source] reqwest::Error),
    /// The response could not be rebuilt as an `http::Response`.
    #[error("invalid token response")]
    Http(#[source] http::Error),
}

impl HttpError {
    pub(crate) fn reqwest(&self) -> Option<&reqwest::Error> {
        match self {
            Self::Build(e) | Self::Send(e) | Self::Body(e) => Some(e),
            Self::Http(_) => None,
        }
    }
}
