//! [`StaticToken`]: a [`TokenProvider`] for a token managed outside this process, and for tests.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::future::BoxFuture;
use secrecy::SecretString;

use crate::{AuthError, BearerToken, TokenProvider, TokenStats};

/// Hands out one fixed token until [`replace`](Self::replace) swaps it.
///
/// `reject` cannot get a new token (someone else manages it), so it only counts the rejection;
/// the caller sees the next 401 and reports it.
///
/// ```
/// use halo_auth::{StaticToken, TokenProvider};
///
/// # async fn demo() -> Result<(), halo_auth::AuthError> {
/// let provider = StaticToken::new("abc");
/// assert_eq!(provider.token().await?.expose_secret(), "abc");
/// provider.replace("def");
/// assert_eq!(provider.token().await?.expose_secret(), "def");
/// # Ok(()) }
/// ```
pub struct StaticToken {
    current: Mutex<BearerToken>,
    rejections: AtomicU64,
}

impl StaticToken {
    /// A provider that always returns `token` (generation 1).
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            current: Mutex::new(BearerToken::new(SecretString::from(token.into()), 1)),
            rejections: AtomicU64::new(0),
        }
    }

    /// Swap in a new token (e.g. after an external rotation); the generation goes up by one.
    pub fn replace(&self, token: impl Into<String>) {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let generation = current.generation() + 1;
        *current = BearerToken::new(SecretString::from(token.into()), generation);
    }

    fn current(&self) -> BearerToken {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl TokenProvider for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<BearerToken, AuthError>> {
        let token = self.current();
        Box::pin(async move { Ok(token) })
    }

    fn reject(&self, token: &BearerToken) {
        if token.generation() == self.current().generation() {
            self.rejections.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                generation = token.generation(),
                "static bearer token was rejected; it is managed outside this process"
            );
        }
    }

    fn stats(&self) -> TokenStats {
        TokenStats {
            tokens_fetched: 0,
            refresh_failures: 0,
            rejections: self.rejections.load(Ordering::Relaxed),
        }
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticToken")
            .field("token", &self.current())
            .field("rejections", &self.rejections.load(Ordering::Relaxed))
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reject_counts_only_the_current_generation() {
        let provider = StaticToken::new("one");
        let old = provider.token().await.unwrap();
        provider.replace("two");
        provider.reject(&old);
        assert_eq!(provider.stats().rejections, 0);
        let current = provider.token().await.unwrap();
        assert_eq!(current.expose_secret(), "two");
        assert_eq!(current.generation(), old.generation() + 1);
        provider.reject(&current);
        assert_eq!(provider.stats().rejections, 1);
        // Externally managed: the token stays.
        assert_eq!(provider.token().await.unwrap().expose_secret(), "two");
    }
}
