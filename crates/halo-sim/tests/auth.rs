//! Authorisation server and bearer/scope enforcement.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use halo_sim::{SimConfig, SimServer};
use serde_json::{Value, json};

async fn token_req(_sim: &halo_sim::SimHandle, url: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn client_credentials_returns_bearer_token_with_lifetime_and_scope() {
    let sim = SimServer::start(SimConfig::default().with_token_ttl(Duration::from_secs(1234)))
        .await
        .unwrap();
    let (status, body) = token_req(
        &sim,
        sim.token_url().as_str(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
            ("scope", "read:tickets edit:tickets"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 1234);
    assert_eq!(body["scope"], "read:tickets edit:tickets");
    assert!(body["access_token"].as_str().unwrap().len() > 20);
    assert!(
        body.get("refresh_token").is_none(),
        "client_credentials without offline_access gets no refresh token"
    );
}

#[tokio::test]
async fn wrong_secret_is_invalid_client_401() {
    let sim = SimServer::start(SimConfig::default()).await.unwrap();
    let (status, body) = token_req(
        &sim,
        sim.token_url().as_str(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", sim.client_id()),
            ("client_secret", "nope"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    assert!(body["error_description"].is_string());
}

#[tokio::test]
async fn unknown_scope_is_invalid_scope_400() {
    let sim = SimServer::start(SimConfig::default()).await.unwrap();
    let (status, body) = token_req(
        &sim,
        sim.token_url().as_str(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
            ("scope", "read:users"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_scope");
}

#[tokio::test]
async fn unsupported_grant_and_missing_grant_are_400() {
    let sim = SimServer::start(SimConfig::default()).await.unwrap();
    let (status, body) = token_req(
        &sim,
        sim.token_url().as_str(),
        &[("grant_type", "implicit"), ("client_id", sim.client_id())],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body) = token_req(
        &sim,
        sim.token_url().as_str(),
        &[("client_id", sim.client_id())],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[tokio::test]
async fn hosted_tenant_is_required_and_checked() {
    let sim = SimServer::start(SimConfig::default().with_tenant("acme"))
        .await
        .unwrap();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", sim.client_id()),
        ("client_secret", sim.client_secret()),
    ];
    let bare = format!("{}/token", sim.authorization_server_url());
    let (status, body) = token_req(&sim, &bare, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, _) = token_req(&sim, &format!("{bare}?tenant=other"), &form).await;
    assert_eq!(status, 400);
    let (status, _) = token_req(&sim, &format!("{bare}?tenant=acme"), &form).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn self_hosted_needs_no_tenant() {
    let sim = SimServer::start(SimConfig::default().self_hosted())
        .await
        .unwrap();
    assert_eq!(sim.tenant(), None);
    assert!(!sim.token_url().as_str().contains("tenant"));
    let (status, _) = token_req(
        &sim,
        sim.token_url().as_str(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
        ],
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn json_body_at_token_endpoint_is_rejected() {
    let sim = SimServer::start(SimConfig::default()).await.unwrap();
    let r = reqwest::Client::new()
        .post(sim.token_url())
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "invalid_request");
}

#[tokio::test]
async fn password_grant_and_rotating_refresh_token() {
    let sim = SimServer::start(SimConfig::default()).await.unwrap();
    let (status, body) = token_req(
        &sim,
        sim.token_url().as_str(),
        &[
            ("grant_type", "password"),
            ("client_id", sim.client_id()),
            ("username", sim.username()),
            ("password", sim.password()),
            ("scope", "all"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", sim.client_id()),
        ("refresh_token", refresh.as_str()),
    ];
    let (status, body) = token_req(&sim, sim.token_url().as_str(), &form).await;
    assert_eq!(status, 200);
    assert!(
        body["refresh_token"].as_str().unwrap() != refresh,
        "refresh tokens rotate"
    );
    let (status, body) = token_req(&sim, sim.token_url().as_str(), &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "a refresh token works once"
    );
    let (status, body) = token_req(
        &sim,
        sim.token_url().as_str(),
        &[
            ("grant_type", "password"),
            ("client_id", sim.client_id()),
            ("username", sim.username()),
            ("password", "wrong"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn missing_or_garbage_bearer_gets_401_with_empty_body() {
    let sim = common::start().await;
    let r = sim.http.get(sim.url("/api/Tickets")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.bytes().await.unwrap().is_empty());
    let r = sim
        .http
        .get(sim.url("/api/Tickets"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(sim.get("/api/Tickets").await.status(), 200);
}

#[tokio::test]
async fn expired_token_gets_401() {
    let sim = common::start_with(
        SimConfig::default()
            .with_rate_limit(None)
            .with_token_ttl(Duration::from_secs(60)),
    )
    .await;
    assert_eq!(sim.get("/api/Status").await.status(), 200);
    sim.handle.clock().advance(Duration::from_secs(61));
    assert_eq!(sim.get("/api/Status").await.status(), 401);
    let fresh = common::fetch_token(&sim.http, &sim.handle, "all").await;
    let r = sim
        .http
        .get(sim.url("/api/Status"))
        .bearer_auth(fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn revoked_token_gets_401_mid_run() {
    let sim = common::start().await;
    assert_eq!(sim.get("/api/Tickets").await.status(), 200);
    sim.handle.revoke_tokens();
    assert_eq!(sim.get("/api/Tickets").await.status(), 401);
    let one = sim.handle.issue_token("all");
    assert!(sim.handle.revoke_token(&one));
    let r = sim
        .http
        .get(sim.url("/api/Tickets"))
        .bearer_auth(&one)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn scopes_are_enforced_with_403() {
    let sim = common::start().await;
    let read = sim.handle.issue_token("read:tickets");
    let edit = sim.handle.issue_token("edit:tickets");
    let other = sim.handle.issue_token("read:assets");
    let get = |t: String| sim.http.get(sim.url("/api/Tickets")).bearer_auth(t).send();
    assert_eq!(get(read.clone()).await.unwrap().status(), 200);
    let r = get(other.clone()).await.unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("read:tickets")
    );
    let post = |t: String| {
        sim.http
            .post(sim.url("/api/Tickets"))
            .bearer_auth(t)
            .json(&json!([{"summary": "s"}]))
            .send()
    };
    assert_eq!(post(read).await.unwrap().status(), 403);
    assert_eq!(post(edit).await.unwrap().status(), 201);
    // Lookups need no dedicated scope; customers need read:customers.
    let r = sim
        .http
        .get(sim.url("/api/Status"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = sim
        .http
        .get(sim.url("/api/Client"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn authinfo_and_openid_configuration_need_no_auth() {
    let sim = SimServer::start(SimConfig::default()).await.unwrap();
    let http = reqwest::Client::new();
    let v: Value = http
        .get(format!("{}/authinfo", sim.resource_server_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["auth_url"], sim.authorization_server_url().as_str());
    assert_eq!(v["tenant_id"], "demo");
    let v: Value = http
        .get(format!(
            "{}/.well-known/openid-configuration",
            sim.authorization_server_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["token_endpoint"],
        format!("{}/token", sim.authorization_server_url())
    );
}

#[tokio::test]
async fn journal_redacts_token_request_secrets() {
    let sim = common::start().await;
    let entry = sim
        .handle
        .journal()
        .matching("POST /auth/token")
        .pop()
        .unwrap();
    let body = entry.body.unwrap();
    assert!(body.contains("client_secret=[redacted]"), "{body}");
    assert!(!body.contains(sim.handle.client_secret()));
    assert!(!format!("{:?}", sim.handle).contains(sim.handle.client_secret()));
}
