//! Shared helpers for the halo-auth integration tests: a counting token endpoint on wiremock.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use halo_auth::{ClientCredentials, ClientCredentialsConfig};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const CLIENT_ID: &str = "test-client-id";
pub const SECRET: &str = "SeCrEt-9f8e7d+/=";
pub const TOKEN_PREFIX: &str = "ToKeN-5a4b3c-";

/// Answers every token request with a fresh token `ToKeN-5a4b3c-<n>`.
pub struct CountingTokens {
    pub issued: Arc<AtomicU64>,
    pub expires_in: Option<u64>,
    pub delay: Duration,
}

impl Respond for CountingTokens {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let mut body = serde_json::json!({
            "access_token": format!("{TOKEN_PREFIX}{n}"),
            "token_type": "Bearer",
            "scope": "all",
        });
        if let Some(e) = self.expires_in {
            body["expires_in"] = e.into();
        }
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(self.delay)
    }
}

/// A wiremock server with `POST /auth/token` issuing counted tokens.
pub async fn token_server(
    expires_in: Option<u64>,
    delay: Duration,
) -> (MockServer, Arc<AtomicU64>) {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicU64::new(0));
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(CountingTokens {
            issued: issued.clone(),
            expires_in,
            delay,
        })
        .mount(&server)
        .await;
    (server, issued)
}

pub fn config_for(server: &MockServer) -> ClientCredentialsConfig {
    ClientCredentialsConfig::new(
        CLIENT_ID,
        SECRET.into(),
        format!("{}/auth", server.uri()).parse().unwrap(),
    )
}

pub fn provider(config: ClientCredentialsConfig) -> Arc<ClientCredentials> {
    Arc::new(ClientCredentials::from_config(config).unwrap())
}

pub async fn token_requests(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/auth/token")
        .count()
}
