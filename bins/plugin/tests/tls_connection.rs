//! The plugin against a Halo tenant served over HTTPS (halo-sim with a generated self-signed certificate):
//! `ssl_verify: true` refuses an untrusted server with a TLS cause before any request reaches it, trusts it once
//! the orchestrator's CA bundle (`SSL_CERT_FILE`) holds its certificate, and `ssl_verify: false` connects anyway.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Env;
use halo_sim::SimConfig;
use serde_json::{Value, json};

async fn tls_env() -> Env {
    let env = Env::with(SimConfig::default().with_rate_limit(None).with_tls(true)).await;
    assert_eq!(env.sim.resource_server_url().scheme(), "https");
    env
}

fn with_verify(env: &Env, verify: bool) -> Value {
    let mut c = env.connection();
    c["ssl_verify"] = json!(verify);
    c
}

#[tokio::test]
async fn verification_on_refuses_an_untrusted_certificate_with_a_tls_cause() {
    let env = tls_env().await;
    // An empty CA bundle: nothing is trusted, whatever the machine's store holds.
    let dir = tempfile::tempdir().unwrap();
    let other = halo_sim::SimServer::start(SimConfig::default().with_tls(true))
        .await
        .unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, other.tls_certificate_pem().unwrap()).unwrap();
    let msg = env.connection_test(with_verify(&env, true));
    let run = env
        .exec_env(
            &["run"],
            msg.to_string().as_bytes(),
            &[("SSL_CERT_FILE", bundle.to_str().unwrap())],
        )
        .await;
    let ex = run.err();
    let text = format!("{} {}", ex["cause"], ex["assistance"]).to_lowercase();
    assert!(
        text.contains("tls") || text.contains("certificate"),
        "cause/assistance name the TLS problem: {}",
        run.stdout
    );
    assert_eq!(env.sim.journal().count("POST /auth/token"), 0);
    assert_eq!(env.sim.journal().count("GET /api/Agent/me"), 0);
}

#[tokio::test]
async fn verification_on_trusts_the_server_named_in_ssl_cert_file() {
    let env = tls_env().await;
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, env.sim.tls_certificate_pem().unwrap()).unwrap();
    let id = env
        .sim
        .upsert_ticket(json!({"summary": "over TLS"}))
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let msg = env.action_with(
        "get_ticket",
        json!({"ticket_id": id}),
        with_verify(&env, true),
    );
    let run = env
        .exec_env(
            &["run"],
            msg.to_string().as_bytes(),
            &[("SSL_CERT_FILE", bundle.to_str().unwrap())],
        )
        .await;
    assert_eq!(run.ok()["ticket"]["summary"], "over TLS");
    // The same journal patterns the refusal test expects zero of.
    assert_eq!(env.sim.journal().count("POST /auth/token"), 1);
    assert_eq!(env.sim.journal().count("GET /api/Tickets/*"), 1);
}

#[tokio::test]
async fn verification_off_connects_to_a_self_signed_server_and_warns() {
    let env = tls_env().await;
    let msg = env.connection_test(with_verify(&env, false));
    let run = env.run(&msg).await;
    run.ok();
    assert!(
        run.stderr
            .contains("TLS certificate verification is disabled"),
        "the insecure setting is logged: {}",
        run.stderr
    );
}
