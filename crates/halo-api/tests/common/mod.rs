//! Shared helpers for the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use halo_api::{HaloClient, HaloClientBuilder, RateLimit, RetryPolicy};
use halo_auth::{
    ClientCredentials, ClientCredentialsConfig, SecretString, StaticToken, TokenProvider,
};
use wiremock::MockServer;

pub const SECRET: &str = "SECRET-client-9d8c7b6a";

/// A retry policy with short delays, so tests are quick but still exercise the real loop.
pub fn fast_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .min_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(50))
        .max_elapsed(Duration::from_secs(20))
}

/// A limiter that never gets in the way of a test (unless the test is about it).
pub fn roomy() -> RateLimit {
    RateLimit::new(10_000, Duration::from_secs(1)).burst(10_000)
}

pub fn builder(server: &MockServer, tokens: Arc<dyn TokenProvider>) -> HaloClientBuilder {
    HaloClient::builder()
        .resource_server(format!("{}/api", server.uri()).parse().unwrap())
        .token_provider(tokens)
        .rate_limit(roomy())
        .retry(fast_retry(4))
        .timeouts(Duration::from_secs(2), Duration::from_secs(5))
}

pub fn static_client(server: &MockServer) -> HaloClient {
    builder(server, Arc::new(StaticToken::new("static-token-1234")))
        .build()
        .unwrap()
}

pub fn credentials(
    server: &MockServer,
    tenant: Option<&str>,
    secret: &str,
) -> Arc<ClientCredentials> {
    let mut config = ClientCredentialsConfig::new(
        "client-id-1",
        SecretString::from(secret.to_owned()),
        format!("{}/auth", server.uri()).parse().unwrap(),
    )
    .with_timeout(Duration::from_secs(5));
    if let Some(t) = tenant {
        config = config.with_tenant(t);
    }
    Arc::new(ClientCredentials::from_config(config).unwrap())
}

pub fn token_body(token: &str) -> serde_json::Value {
    serde_json::json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": "all"})
}

/// A `MakeWriter` collecting everything a tracing subscriber writes.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
