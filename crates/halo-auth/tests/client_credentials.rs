//! ClientCredentials against a wiremock token endpoint: request shape, caching, single flight,
//! rejection by generation, expiry skew, and the typed failures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use halo_auth::{AuthErrorKind, ClientCredentials, TokenProvider};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[tokio::test]
async fn hosted_token_request_carries_form_fields_and_tenant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(query_param("tenant", "acme"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "tok-hosted", "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    let p = provider(
        config_for(&server)
            .with_tenant("acme")
            .with_scope("read:tickets edit:tickets"),
    );

    let token = p.token().await.unwrap();
    assert_eq!(token.expose_secret(), "tok-hosted");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.url.query(), Some("tenant=acme"));
    let content_type = request
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert_eq!(content_type, "application/x-www-form-urlencoded");
    let fields = form(&request.body);
    assert_eq!(fields["grant_type"], "client_credentials");
    assert_eq!(fields["client_id"], CLIENT_ID);
    assert_eq!(fields["client_secret"], SECRET);
    assert_eq!(fields["scope"], "read:tickets edit:tickets");
    assert!(
        request.headers.get("authorization").is_none(),
        "credentials go in the body, not Basic auth"
    );
}

#[tokio::test]
async fn on_prem_token_request_has_no_tenant_and_default_scope_all() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(query_param_is_missing("tenant"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "tok-onprem", "token_type": "bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    let p = provider(config_for(&server));

    assert_eq!(p.token().await.unwrap().expose_secret(), "tok-onprem");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.query(), None);
    let fields = form(&requests[0].body);
    assert_eq!(fields["scope"], "all");
    assert!(!fields.contains_key("tenant"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_callers_on_empty_cache_cause_one_request() {
    let (server, _) = token_server(Some(3600), Duration::from_millis(200)).await;
    let p = provider(config_for(&server));

    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.token().await })
        })
        .collect();
    let mut generations = Vec::new();
    for task in tasks {
        generations.push(task.await.unwrap().unwrap().generation());
    }

    assert_eq!(token_requests(&server).await, 1);
    assert!(generations.iter().all(|g| *g == generations[0]));
    assert_eq!(p.stats().tokens_fetched, 1);
    assert_eq!(p.stats().refresh_failures, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burst_of_rejections_causes_one_refresh() {
    let (server, _) = token_server(Some(3600), Duration::from_millis(100)).await;
    let p = provider(config_for(&server));
    let first = p.token().await.unwrap();

    // 50 requests all got 401 with the first token: each rejects it and asks again.
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let p = p.clone();
            let rejected = first.clone();
            tokio::spawn(async move {
                p.reject(&rejected);
                p.token().await
            })
        })
        .collect();
    let mut fresh = Vec::new();
    for task in tasks {
        fresh.push(task.await.unwrap().unwrap());
    }

    assert_eq!(
        token_requests(&server).await,
        2,
        "initial fetch + one refresh"
    );
    assert!(
        fresh
            .iter()
            .all(|t| t.generation() == fresh[0].generation())
    );
    assert_ne!(fresh[0].generation(), first.generation());
    assert_eq!(fresh[0].expose_secret(), format!("{TOKEN_PREFIX}2"));
    assert_eq!(p.stats().rejections, 1);
    assert_eq!(p.stats().tokens_fetched, 2);
}

#[tokio::test]
async fn rejecting_an_old_generation_keeps_the_new_token() {
    let (server, _) = token_server(Some(3600), Duration::ZERO).await;
    let p = provider(config_for(&server));

    let old = p.token().await.unwrap();
    p.reject(&old);
    let new = p.token().await.unwrap();
    assert_ne!(old.generation(), new.generation());

    p.reject(&old); // a late 401 for a request that used the old token
    let again = p.token().await.unwrap();
    assert_eq!(again.generation(), new.generation());
    assert_eq!(token_requests(&server).await, 2);
    assert_eq!(p.stats().rejections, 1);
}

#[tokio::test]
async fn token_is_reused_until_expiry_minus_skew() {
    // expires_in 61 with the default 60 s skew: usable for 1 s.
    let (server, _) = token_server(Some(61), Duration::ZERO).await;
    let p = provider(config_for(&server));

    let a = p.token().await.unwrap();
    let b = p.token().await.unwrap();
    assert_eq!(a.generation(), b.generation());
    assert_eq!(token_requests(&server).await, 1);
    assert!(a.remaining().unwrap() <= Duration::from_secs(1));

    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(a.is_expired());
    let c = p.token().await.unwrap();
    assert_ne!(c.generation(), a.generation());
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn missing_expires_in_assumes_one_hour() {
    let (server, _) = token_server(None, Duration::ZERO).await;
    let p = provider(config_for(&server));

    let token = p.token().await.unwrap();
    let remaining = token.remaining().unwrap();
    assert!(remaining <= Duration::from_secs(3540), "{remaining:?}");
    assert!(remaining > Duration::from_secs(3530), "{remaining:?}");
    p.token().await.unwrap();
    assert_eq!(token_requests(&server).await, 1);
}

async fn failing_provider(response: ResponseTemplate) -> (MockServer, Arc<ClientCredentials>) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(response)
        .mount(&server)
        .await;
    let p = provider(config_for(&server).with_tenant("acme"));
    (server, p)
}

#[tokio::test]
async fn invalid_client_401_is_credentials_rejected() {
    let (_server, p) = failing_provider(ResponseTemplate::new(401).set_body_json(
        serde_json::json!({"error": "invalid_client", "error_description": "The client application is unknown or the credentials are invalid."}),
    ))
    .await;
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::CredentialsRejected);
    assert!(!err.is_retryable());
    assert_eq!(err.oauth_error(), Some("invalid_client"));
    assert_eq!(err.status(), Some(401));
    assert!(err.error_description().unwrap().contains("unknown"));
    assert!(err.to_string().contains("invalid_client"), "{err}");
    assert_eq!(p.stats().refresh_failures, 1);
    assert_eq!(p.stats().tokens_fetched, 0);
}

#[tokio::test]
async fn bare_401_is_credentials_rejected() {
    let (_server, p) = failing_provider(ResponseTemplate::new(401)).await;
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::CredentialsRejected);
    assert_eq!(err.status(), Some(401));
}

#[tokio::test]
async fn invalid_scope_400_is_invalid_scope() {
    let (_server, p) = failing_provider(ResponseTemplate::new(400).set_body_json(
        serde_json::json!({"error": "invalid_scope", "error_description": "The specified scope is not allowed."}),
    ))
    .await;
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::InvalidScope);
    assert_eq!(err.oauth_error(), Some("invalid_scope"));
    assert_eq!(err.status(), Some(400));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn other_oauth_errors_are_refused() {
    let (_server, p) = failing_provider(
        ResponseTemplate::new(400)
            .set_body_json(serde_json::json!({"error": "unauthorized_client"})),
    )
    .await;
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::Refused);
    assert_eq!(err.oauth_error(), Some("unauthorized_client"));
}

#[tokio::test]
async fn server_error_is_retryable() {
    let (_server, p) =
        failing_provider(ResponseTemplate::new(503).set_body_string("<html>down</html>")).await;
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::ServerError);
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn connection_refused_is_unreachable_and_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = halo_auth::ClientCredentialsConfig::new(
        CLIENT_ID,
        SECRET.into(),
        format!("http://127.0.0.1:{port}/auth").parse().unwrap(),
    );
    let p = provider(config);
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::Unreachable, "{err}");
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(p.stats().refresh_failures, 1);
}

#[tokio::test]
async fn slow_token_endpoint_times_out() {
    let (server, _) = token_server(Some(3600), Duration::from_secs(3)).await;
    let p = provider(config_for(&server).with_timeout(Duration::from_millis(200)));
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::Timeout, "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn non_json_200_is_malformed() {
    let (_server, p) = failing_provider(
        ResponseTemplate::new(200).set_body_raw("this is not json", "application/json"),
    )
    .await;
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::MalformedResponse);
    assert!(err.to_string().contains("not JSON"), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn html_200_is_malformed() {
    let (_server, p) = failing_provider(
        ResponseTemplate::new(200).set_body_raw("<html>login page</html>", "text/html"),
    )
    .await;
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::MalformedResponse, "{err}");
}

#[tokio::test]
async fn missing_access_token_is_malformed() {
    let (_server, p) = failing_provider(
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({"token_type": "Bearer", "expires_in": 3600})),
    )
    .await;
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::MalformedResponse);
    assert!(err.to_string().contains("access_token"), "{err}");
}

#[tokio::test]
async fn redirect_is_not_followed_and_is_a_config_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/elsewhere", server.uri())),
        )
        .mount(&server)
        .await;
    let p = provider(config_for(&server));
    let err = p.token().await.unwrap_err();
    assert_eq!(err.kind(), AuthErrorKind::Config, "{err}");
    assert_eq!(err.status(), Some(307));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        1,
        "the form with the secret was not re-sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_waiting_on_a_failed_request_share_its_error() {
    let (server, p) = failing_provider(
        ResponseTemplate::new(500)
            .set_body_string("boom")
            .set_delay(Duration::from_millis(200)),
    )
    .await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let p = p.clone();
            tokio::spawn(async move { p.token().await })
        })
        .collect();
    for task in tasks {
        assert_eq!(
            task.await.unwrap().unwrap_err().kind(),
            AuthErrorKind::ServerError
        );
    }
    assert_eq!(token_requests(&server).await, 1);
    assert_eq!(p.stats().refresh_failures, 1);

    // A caller arriving after the failure tries again.
    p.token().await.unwrap_err();
    assert_eq!(token_requests(&server).await, 2);
}

#[tokio::test]
async fn shared_reqwest_client_works_through_the_adapter() {
    let (server, _) = token_server(Some(3600), Duration::ZERO).await;
    let http = halo_auth::token_http_client(Duration::from_secs(5)).unwrap();
    let p: Arc<dyn TokenProvider> =
        Arc::new(ClientCredentials::new(config_for(&server), http).unwrap());
    let token = p.token().await.unwrap();
    assert_eq!(token.expose_secret(), format!("{TOKEN_PREFIX}1"));
    let header = token.authorization_header().unwrap();
    assert!(header.is_sensitive());
    assert_eq!(header.to_str().unwrap(), format!("Bearer {TOKEN_PREFIX}1"));
}

#[tokio::test]
async fn absurd_expires_in_does_not_panic_and_is_capped() {
    let (server, _) = token_server(Some(u64::MAX), Duration::ZERO).await;
    let p = provider(config_for(&server));
    let token = p.token().await.unwrap();
    let remaining = token.remaining().unwrap();
    assert!(
        remaining <= Duration::from_secs(24 * 3600 - 60),
        "{remaining:?}"
    );
    assert!(!token.is_expired());
}

#[tokio::test]
async fn a_caller_giving_up_mid_fetch_does_not_wedge_the_provider() {
    let (server, _) = token_server(Some(3600), Duration::from_millis(300)).await;
    let p = provider(config_for(&server));
    let gave_up = tokio::time::timeout(Duration::from_millis(50), p.token()).await;
    assert!(gave_up.is_err(), "the first caller should have timed out");
    let token = p.token().await.unwrap();
    assert!(token.expose_secret().starts_with(TOKEN_PREFIX));
    assert_eq!(p.stats().tokens_fetched, 1);
}
