//! The one error type of this crate: [`AuthError`], opaque, with a [`AuthErrorKind`] to match on.
//!
//! Every message in here was built by this crate from sanitised pieces: the RFC 6749 `error`
//! code, a bounded `error_description` with the client secret stripped out, an HTTP status and
//! transport error text. No constructor takes a raw response body, so neither the client
//! secret nor an access token can reach `Display`, `Debug` or a log line through an error.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// What went wrong while getting a token. Match on it with a wildcard arm: more kinds may come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// The authorisation server does not accept the client id / secret (`invalid_client`, or a
    /// 401 from the token endpoint). Retrying will not help.
    CredentialsRejected,
    /// The requested scope is unknown or not granted to this application (`invalid_scope`).
    InvalidScope,
    /// The server refused the token request for another RFC 6749 reason (`invalid_request`,
    /// `unauthorized_client`, `unsupported_grant_type`, `invalid_grant`, an extension code, or a
    /// 4xx without an RFC 6749 body). Not retryable.
    Refused,
    /// The token endpoint could not be reached (DNS, connection refused, TLS, connection reset).
    /// Retryable.
    Unreachable,
    /// The token request did not complete within the configured timeout. Retryable.
    Timeout,
    /// The token endpoint answered with a server error (5xx) or asked us to slow down (429).
    /// Retryable.
    ServerError,
    /// The token endpoint answered 200 but the body is not a usable token response (not JSON,
    /// wrong content type, no `access_token`, no `token_type`).
    MalformedResponse,
    /// The configuration cannot work (empty client id or secret, an URL that is not http(s),
    /// an empty scope, or a token endpoint that redirects).
    Config,
}

impl AuthErrorKind {
    /// Whether trying again later can succeed without a configuration change.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Unreachable | Self::Timeout | Self::ServerError)
    }

    /// A short, stable, snake_case name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CredentialsRejected => "credentials_rejected",
            Self::InvalidScope => "invalid_scope",
            Self::Refused => "refused",
            Self::Unreachable => "unreachable",
            Self::Timeout => "timeout",
            Self::ServerError => "server_error",
            Self::MalformedResponse => "malformed_response",
            Self::Config => "config",
        }
    }
}

impl fmt::Display for AuthErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from getting or discovering an OAuth2 token.
///
/// Opaque on purpose: read it through [`kind`](Self::kind), [`is_retryable`](Self::is_retryable),
/// [`oauth_error`](Self::oauth_error), [`error_description`](Self::error_description),
/// [`status`](Self::status) and [`assistance`](Self::assistance). It is `Clone` so one failed
/// fetch can be handed to every caller that waited for it.
///
/// ```
/// use halo_auth::{AuthError, AuthErrorKind};
///
/// fn advice(err: &AuthError) -> &'static str {
///     match err.kind() {
///         AuthErrorKind::CredentialsRejected => "check the client id and secret",
///         _ if err.is_retryable() => "try again later",
///         _ => err.assistance(),
///     }
/// }
/// # let _ = advice;
/// ```
#[derive(Clone)]
pub struct AuthError {
    kind: AuthErrorKind,
    message: String,
    oauth_error: Option<String>,
    error_description: Option<String>,
    status: Option<u16>,
    source: Option<Arc<dyn StdError + Send + Sync + 'static>>,
}

impl AuthError {
    /// An error of `kind` with a message. The message must already be free of secrets; this
    /// crate only passes text it built itself or ran through its sanitiser.
    pub(crate) fn new(kind: AuthErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            oauth_error: None,
            error_description: None,
            status: None,
            source: None,
        }
    }

    /// A configuration error (what is wrong and what to set instead).
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::new(AuthErrorKind::Config, message)
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_oauth(mut self, error: String, description: Option<String>) -> Self {
        self.oauth_error = Some(error);
        self.error_description = description;
        self
    }

    /// Attach a transport error as the source. Only for errors that cannot carry a secret
    /// (reqwest/hyper/io errors describe the connection, never the request body).
    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> AuthErrorKind {
        self.kind
    }

    /// Whether trying again later can succeed (unreachable, timeout, 5xx/429).
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }

    /// The RFC 6749 `error` code the authorisation server sent, e.g. `invalid_client`.
    pub fn oauth_error(&self) -> Option<&str> {
        self.oauth_error.as_deref()
    }

    /// The server's `error_description`, bounded in length and with the client secret removed.
    pub fn error_description(&self) -> Option<&str> {
        self.error_description.as_deref()
    }

    /// The HTTP status of the token endpoint's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// What to do about it, in one sentence (InsightConnect's "assistance").
    pub fn assistance(&self) -> &'static str {
        match self.kind {
            AuthErrorKind::CredentialsRejected => {
                "Check the client ID and client secret of the Halo API application \
                 (Configuration > Integrations > Halo API > View Applications) and the tenant."
            }
            AuthErrorKind::InvalidScope => {
                "Request only scopes the Halo API application has (default `all`); \
                 `read:users` and `read:agents` do not exist."
            }
            AuthErrorKind::Refused => {
                "Check that the Halo API application uses 'Client ID and Secret (Services)' \
                 and that the tenant is right."
            }
            AuthErrorKind::Unreachable => {
                "Check the authorisation server URL, DNS, proxy and firewall; then try again."
            }
            AuthErrorKind::Timeout => {
                "The authorisation server is slow or unreachable; try again or raise the timeout."
            }
            AuthErrorKind::ServerError => {
                "The authorisation server has a problem or is rate limiting; try again later."
            }
            AuthErrorKind::MalformedResponse => {
                "The URL answers but is not a Halo token endpoint; check the authorisation \
                 server URL (Configuration > Integrations > Halo API > API Details)."
            }
            AuthErrorKind::Config => "Fix the connection settings named in the error message.",
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(code) = &self.oauth_error {
            write!(f, " (error `{code}`")?;
            if let Some(desc) = &self.error_description {
                write!(f, ": {desc}")?;
            }
            f.write_str(")")?;
        }
        if let Some(status) = self.status {
            write!(f, " [HTTP {status}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("oauth_error", &self.oauth_error)
            .field("error_description", &self.error_description)
            .field("status", &self.status)
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl StdError for AuthError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn StdError + 'static))
    }
}
