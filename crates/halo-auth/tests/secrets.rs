//! Neither the client secret nor an access token appears in logs (captured at TRACE), in any
//! error's Display/Debug/source chain, or in the Debug of the provider, config or token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use halo_auth::{AuthError, StaticToken, TokenProvider};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn everything_about(err: &AuthError) -> String {
    let mut out = format!("{err}\n{err:?}\n{err:#?}\n{}\n", err.assistance());
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        out.push_str(&format!("{s}\n{s:?}\n"));
        source = s.source();
    }
    out
}

fn assert_clean(what: &str, text: &str) {
    let encoded: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
    for needle in [SECRET, encoded.as_str(), TOKEN_PREFIX, "leaked-token-value"] {
        assert!(
            !text.contains(needle),
            "{what} contains `{needle}`:\n{text}"
        );
    }
}

async fn answer_once(server: &MockServer, response: ResponseTemplate) {
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(response)
        .mount(server)
        .await;
}

// current_thread runtime: every future runs on this thread, so the thread-local subscriber
// sees all of this crate's events.
#[tokio::test]
async fn no_secret_or_token_in_logs_errors_or_debug() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(buffer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (server, _) = token_server(Some(3600), Duration::ZERO).await;
    let p = provider(config_for(&server).with_tenant("acme"));

    // Success, rejection, refresh.
    let first = p.token().await.unwrap();
    assert!(first.expose_secret().starts_with(TOKEN_PREFIX));
    p.reject(&first);
    let second = p.token().await.unwrap();
    let mut shown = format!(
        "{first}\n{first:?}\n{second}\n{second:?}\n{p:?}\n{p:#?}\n{:?}\n{:?}\n",
        p.config(),
        second.authorization_header().unwrap()
    );

    // Failures whose bodies echo the secret or carry a token.
    let mut errors = Vec::new();
    let bodies = [
        ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": format!("client_secret {SECRET} is wrong")
        })),
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_scope",
            "error_description": format!("form was client_secret={}", url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect::<String>())
        })),
        ResponseTemplate::new(500).set_body_string(format!("crash dump: secret={SECRET}")),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "leaked-token-value", "token_type": 42
        })),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": 12345, "token_type": "leaked-token-value"
        })),
        ResponseTemplate::new(200).set_body_raw("leaked-token-value", "application/json"),
        ResponseTemplate::new(401).set_body_string(format!("{SECRET} leaked-token-value")),
    ];
    for body in bodies {
        answer_once(&server, body).await;
        let fresh = provider(config_for(&server).with_tenant("acme"));
        errors.push(fresh.token().await.unwrap_err());
        shown.push_str(&format!("{fresh:?}\n"));
    }
    // Transport failure and a config error.
    let dead = provider(
        halo_auth::ClientCredentialsConfig::new(
            CLIENT_ID,
            SECRET.into(),
            "http://127.0.0.1:9/auth".parse().unwrap(),
        )
        .with_timeout(Duration::from_secs(2)),
    );
    errors.push(dead.token().await.unwrap_err());
    errors.push(
        halo_auth::ClientCredentials::from_config(halo_auth::ClientCredentialsConfig::new(
            CLIENT_ID,
            SECRET.into(),
            "ftp://x/auth".parse().unwrap(),
        ))
        .unwrap_err(),
    );

    for err in &errors {
        assert_clean("error", &everything_about(err));
    }
    assert_clean("debug output", &shown);

    let static_token = StaticToken::new("leaked-token-value");
    let t = static_token.token().await.unwrap();
    static_token.reject(&t);
    assert_clean("static token", &format!("{static_token:?} {t} {t:?}"));

    drop(_guard);
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    // The capture works and saw this crate's events, so the absence check means something.
    assert!(logs.contains("obtained an access token"), "{logs}");
    assert!(logs.contains("token request failed"), "{logs}");
    assert!(logs.contains("static bearer token was rejected"), "{logs}");
    assert_clean("logs", &logs);
    // The sanitised description is still useful.
    assert!(
        errors[0]
            .error_description()
            .unwrap()
            .contains("[redacted] is wrong")
    );
}
