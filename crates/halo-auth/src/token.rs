//! [`BearerToken`]: an access token as handed to callers, plus [`TokenStats`].
//!
//! The token string lives in a [`SecretString`]; `Debug` and `Display` print only the
//! generation number, so a token can be logged by accident without leaking.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

/// A bearer access token, cheap to clone.
///
/// The `generation` identifies which fetch produced it, so that
/// [`TokenProvider::reject`](crate::TokenProvider::reject) drops the cached token only when the
/// rejected one *is* the cached one.
///
/// ```
/// use halo_auth::BearerToken;
///
/// let token = BearerToken::new("abc.def.ghi".into(), 7);
/// assert_eq!(token.expose_secret(), "abc.def.ghi");
/// assert_eq!(format!("{token}"), "[redacted bearer token #7]");
/// assert!(!format!("{token:?}").contains("abc"));
/// ```
#[derive(Clone)]
pub struct BearerToken {
    inner: Arc<Inner>,
}

struct Inner {
    secret: SecretString,
    generation: u64,
    /// When callers should stop using it (already reduced by the provider's skew).
    valid_until: Option<Instant>,
}

impl BearerToken {
    /// A token with no known expiry. `generation` must differ between tokens of one provider.
    pub fn new(secret: SecretString, generation: u64) -> Self {
        Self {
            inner: Arc::new(Inner {
                secret,
                generation,
                valid_until: None,
            }),
        }
    }

    /// A token that callers should stop using at `valid_until`.
    pub(crate) fn with_valid_until(
        secret: SecretString,
        generation: u64,
        valid_until: Instant,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                secret,
                generation,
                valid_until: Some(valid_until),
            }),
        }
    }

    /// The token string, for building the `Authorization` header and nothing else.
    pub fn expose_secret(&self) -> &str {
        self.inner.secret.expose_secret()
    }

    /// `Bearer <token>` as a header value marked sensitive (so `http`'s and reqwest's Debug
    /// output of headers hides it).
    ///
    /// Returns `None` if the token contains bytes a header cannot carry.
    pub fn authorization_header(&self) -> Option<http::HeaderValue> {
        let mut value =
            http::HeaderValue::try_from(format!("Bearer {}", self.expose_secret())).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// Which fetch produced this token (increasing per provider).
    pub fn generation(&self) -> u64 {
        self.inner.generation
    }

    /// Time left until the provider will stop handing this token out (`None`: no expiry known).
    pub fn remaining(&self) -> Option<Duration> {
        self.inner
            .valid_until
            .map(|until| until.saturating_duration_since(Instant::now()))
    }

    /// Whether the provider considers the token used up (expiry minus skew has passed).
    pub fn is_expired(&self) -> bool {
        self.inner
            .valid_until
            .is_some_and(|until| Instant::now() >= until)
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &"[redacted]")
            .field("generation", &self.inner.generation)
            .field("remaining", &self.remaining())
            .finish()
    }
}

impl fmt::Display for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[redacted bearer token #{}]", self.inner.generation)
    }
}

/// Counters of a [`TokenProvider`](crate::TokenProvider), for logs and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenStats {
    /// Tokens successfully obtained from the authorisation server.
    pub tokens_fetched: u64,
    /// Token requests that failed (each failed request counts once, however many callers
    /// were waiting for it).
    pub refresh_failures: u64,
    /// Calls to `reject` that dropped the cached token (stale rejections are not counted).
    pub rejections: u64,
}
