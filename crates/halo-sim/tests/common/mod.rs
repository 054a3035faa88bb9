//! Helpers shared by the integration tests: start a sim, get a token, call it with reqwest.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use halo_sim::{SimConfig, SimHandle, SimServer};
use reqwest::{Client, Response};
use serde_json::Value;

pub struct Sim {
    pub handle: SimHandle,
    pub http: Client,
    pub token: String,
}

pub async fn start() -> Sim {
    start_with(SimConfig::default().with_rate_limit(None)).await
}

pub async fn start_with(cfg: SimConfig) -> Sim {
    let handle = SimServer::start(cfg).await.expect("sim starts");
    let http = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let token = fetch_token(&http, &handle, "all").await;
    Sim {
        handle,
        http,
        token,
    }
}

pub async fn fetch_token(http: &Client, sim: &SimHandle, scope: &str) -> String {
    let r = http
        .post(sim.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "token request failed");
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

impl Sim {
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.handle.base_url().as_str().trim_end_matches('/'),
            path
        )
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Value {
        let r = self.post(path, body).await;
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, 201, "POST {path}: {v}");
        v
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.http
            .delete(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    /// Create a ticket and return its id.
    pub async fn create_ticket(&self, body: Value) -> u64 {
        let v = self
            .post_json("/api/Tickets", Value::Array(vec![body]))
            .await;
        v["id"].as_u64().unwrap()
    }
}

/// Seven fractional digits and Z.
pub fn is_halo_date(s: &str) -> bool {
    let Some(frac) = s.strip_suffix('Z').and_then(|x| x.split('.').nth(1)) else {
        return false;
    };
    frac.len() == 7 && frac.chars().all(|c| c.is_ascii_digit()) && s.len() == 28
}
