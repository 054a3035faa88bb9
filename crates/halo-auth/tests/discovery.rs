//! Discovery of the authorisation server via `GET /api/authinfo`, with the `<instance>/auth`
//! fallback, end to end with a token request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use halo_auth::{
    ClientCredentials, ClientCredentialsConfig, DiscoverySource, TokenProvider, discover,
    discover_authorization_server,
};
use url::Url;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn instance(server: &MockServer) -> Url {
    server.uri().parse().unwrap()
}

#[tokio::test]
async fn authinfo_gives_auth_server_and_tenant_used_for_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/authinfo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "auth_url": format!("{}/idp", server.uri()),
            "tenant_id": "acme",
            "something_else": true
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/idp/token"))
        .and(query_param("tenant", "acme"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "tok-discovered", "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;

    let http = reqwest::Client::new();
    let found = discover(&http, &instance(&server)).await.unwrap();
    assert_eq!(found.source, DiscoverySource::AuthInfo);
    assert_eq!(
        found.authorization_server.as_str(),
        format!("{}/idp", server.uri())
    );
    assert_eq!(found.tenant.as_deref(), Some("acme"));

    let config = ClientCredentialsConfig::from_discovery(CLIENT_ID, SECRET.into(), &found);
    let p = ClientCredentials::from_config(config).unwrap();
    assert_eq!(p.token().await.unwrap().expose_secret(), "tok-discovered");
}

#[tokio::test]
async fn resource_server_url_is_accepted_as_instance() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/authinfo"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"auth_url": "/auth"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let api: Url = format!("{}/api/", server.uri()).parse().unwrap();
    let url = discover_authorization_server(&reqwest::Client::new(), &api)
        .await
        .unwrap();
    assert_eq!(url.as_str(), format!("{}/auth", server.uri()));
}

#[tokio::test]
async fn authinfo_404_falls_back_to_instance_auth() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/authinfo"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let found = discover(&reqwest::Client::new(), &instance(&server))
        .await
        .unwrap();
    assert_eq!(found.source, DiscoverySource::Fallback);
    assert_eq!(
        found.authorization_server.as_str(),
        format!("{}/auth", server.uri())
    );
    assert_eq!(found.tenant, None);
}

#[tokio::test]
async fn authinfo_without_auth_url_falls_back() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/authinfo"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>sign in</html>"))
        .mount(&server)
        .await;
    let found = discover(&reqwest::Client::new(), &instance(&server))
        .await
        .unwrap();
    assert_eq!(found.source, DiscoverySource::Fallback);
}

#[tokio::test]
async fn unreachable_instance_falls_back_and_bad_scheme_fails() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let dead: Url = format!("http://127.0.0.1:{port}/").parse().unwrap();
    let found = discover(&reqwest::Client::new(), &dead).await.unwrap();
    assert_eq!(found.source, DiscoverySource::Fallback);
    assert_eq!(
        found.authorization_server.as_str(),
        format!("http://127.0.0.1:{port}/auth")
    );

    let err = discover(
        &reqwest::Client::new(),
        &"ftp://x.example/".parse().unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), halo_auth::AuthErrorKind::Config);
}
