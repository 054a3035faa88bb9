//! Secret hygiene: with tracing captured at TRACE for every crate, a run through the real token flow, a 400 whose
//! body echoes the credentials, a persisting 401 and a rejected client secret leaves neither the client secret nor
//! the access token in the logs or in any error's Display, Debug or body excerpt.
//! (Kept alone in its own test binary because it installs a global subscriber.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use halo_api::{ErrorKind, TicketId};
use serde_json::json;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn neither_logs_nor_errors_contain_the_secret_or_the_token() {
    let token = "tok-SENSITIVE-5f4e3d2c1b";
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    // Global, and alone in this test binary: a thread-local subscriber races with other tests' callsite caching.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(body_string_contains("client_secret=SECRET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body(token)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(
                json!({"error": "invalid_client", "error_description": "bad client"}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Agent/me"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1, "name": "API"})))
        .mount(&server)
        .await;
    // Halo (or a proxy) echoing the credentials back in error bodies.
    Mock::given(method("GET"))
        .and(path("/api/Tickets/1"))
        .respond_with(ResponseTemplate::new(400).set_body_string(format!(
            "{{\"Message\":\"token {token} refused\",\"echo\":\"Authorization: Bearer {token}\",\"client_secret\":\"{SECRET}\"}}"
        )))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Tickets/2"))
        .respond_with(ResponseTemplate::new(401).set_body_string(format!("Bearer {token} expired")))
        .mount(&server)
        .await;

    let good = builder(&server, credentials(&server, Some("acme"), SECRET))
        .build()
        .unwrap();
    good.get_agent_me().send().await.unwrap();
    let mut errors = vec![
        good.get_ticket(TicketId::new(1)).send().await.unwrap_err(),
        good.get_ticket(TicketId::new(2)).send().await.unwrap_err(),
    ];
    let bad = builder(&server, credentials(&server, None, "wrong-secret-value"))
        .build()
        .unwrap();
    let auth_err = bad.get_agent_me().send().await.unwrap_err();
    assert_eq!(auth_err.kind(), ErrorKind::Auth, "{auth_err}");
    errors.push(auth_err);

    let logs = captured.text();
    if std::env::var("SHOW_LOGS").is_ok() {
        println!("{logs}");
    }
    assert!(logs.contains("halo_request"), "the capture works: {logs}");
    assert!(
        logs.contains("/api/Tickets/{id}"),
        "spans carry the route template"
    );
    for text in std::iter::once(logs.clone()).chain(errors.iter().flat_map(|e| {
        [
            e.to_string(),
            format!("{e:?}"),
            e.body_excerpt().unwrap_or_default().to_owned(),
        ]
    })) {
        assert!(!text.contains(token), "token leaked: {text}");
        assert!(!text.contains(SECRET), "secret leaked: {text}");
        assert!(
            !text.contains("wrong-secret-value"),
            "secret leaked: {text}"
        );
    }
    assert!(
        errors[0].halo_message().unwrap().contains("refused"),
        "{:?}",
        errors[0].halo_message()
    );
}
