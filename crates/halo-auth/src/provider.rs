//! The [`TokenProvider`] trait: what an API client needs from token management.

use futures::future::BoxFuture;

use crate::{AuthError, BearerToken, TokenStats};

/// A source of bearer tokens, shared by every request of a client as `Arc<dyn TokenProvider>`.
///
/// Implementations cache the token, fetch at most one at a time however many callers wait
/// (single flight), and forget a token only when it is the one that was rejected.
///
/// ```
/// use std::sync::Arc;
/// use halo_auth::{StaticToken, TokenProvider};
///
/// # async fn demo() -> Result<(), halo_auth::AuthError> {
/// let provider: Arc<dyn TokenProvider> = Arc::new(StaticToken::new("t0ken"));
/// let token = provider.token().await?;
/// // ... the resource server answers 401 ...
/// provider.reject(&token);
/// # Ok(()) }
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// A currently valid bearer token (cached; single flight when a fetch is needed).
    fn token(&self) -> BoxFuture<'_, Result<BearerToken, AuthError>>;

    /// The resource server rejected this token (401): drop it if it is still the cached one.
    fn reject(&self, token: &BearerToken);

    /// Counters: tokens fetched, refresh failures.
    fn stats(&self) -> TokenStats;
}
