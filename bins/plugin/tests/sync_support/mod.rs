//! Shared helpers of the sync / upsert / trigger integration tests: a halo-sim tenant, the plugin
//! connection for it, and running one action through the real runner (input and output validated
//! against the spec, as in production).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use halo_sim::{Seed, SimConfig, SimHandle, SimServer};
use haloitsm_plugin::connection::Connections;
use haloitsm_plugin::protocol;
use haloitsm_plugin::runner::{self, Mode};
use serde_json::{Value, json};

/// A tenant without rate limiting (tests make many requests), seeded as given.
pub async fn sim_with(seed: Seed) -> SimHandle {
    SimServer::start(SimConfig::default().with_rate_limit(None).with_seed(seed))
        .await
        .expect("sim starts")
}

/// The default tenant.
pub async fn sim() -> SimHandle {
    sim_with(Seed::default()).await
}

/// The plugin connection for a sim tenant.
pub fn connection(sim: &SimHandle) -> Value {
    json!({
        "client_id": sim.client_id(),
        "client_secret": {"secretKey": sim.client_secret()},
        "authorization_server": sim.authorization_server_url().as_str(),
        "resource_server": sim.resource_server_url().as_str(),
        "tenant": sim.tenant().unwrap_or_default(),
        "rate_limit": 100000,
        "timeout": 10
    })
}

/// Runs an action; returns (status, body of the envelope).
pub async fn run(conns: &Connections, conn: &Value, action: &str, input: Value) -> (u16, Value) {
    let msg = protocol::from_value(json!({"version": "v1", "type": "action_start",
        "body": {"action": action, "meta": {}, "input": input, "connection": conn}}))
    .expect("valid message");
    let out = runner::execute(conns, msg, Mode::Run).await;
    (out.status, out.envelope["body"].clone())
}

/// Runs an action that must succeed; returns its output.
pub async fn ok(conns: &Connections, conn: &Value, action: &str, input: Value) -> Value {
    let (status, body) = run(conns, conn, action, input).await;
    assert_eq!(status, 200, "{action} failed: {body:#}");
    body["output"].clone()
}

/// Tickets of the tenant carrying the summary marker for `key` (deleted ones excluded).
pub fn tickets_with_key(sim: &SimHandle, key: &str) -> Vec<Value> {
    let marker = format!("[ext:{key}]");
    sim.tickets()
        .into_iter()
        .filter(|t| !t["deleted"].as_bool().unwrap_or(false))
        .filter(|t| t["summary"].as_str().is_some_and(|s| s.contains(&marker)))
        .collect()
}

/// A custom field's value on a sim ticket.
pub fn custom_field(t: &Value, name: &str) -> Option<Value> {
    t["customfields"]
        .as_array()?
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| c["value"].clone())
}
