//! TLS against halo-sim serving HTTPS with a generated self-signed certificate: with certificate verification on
//! (the default, the plugin's `ssl_verify: true`) the client refuses the server with a Transport error that names
//! the certificate problem, before any request reaches it; with verification off the same calls succeed and one
//! warning is logged for the whole process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use halo_api::{ErrorKind, HaloClient, RetryPolicy};
use halo_auth::StaticToken;
use halo_sim::{SimConfig, SimHandle, SimServer};

async fn tls_sim() -> SimHandle {
    let sim = SimServer::start(SimConfig::default().with_rate_limit(None).with_tls(true))
        .await
        .unwrap();
    assert_eq!(sim.resource_server_url().scheme(), "https");
    sim
}

fn client(sim: &SimHandle, ssl_verify: bool) -> HaloClient {
    HaloClient::builder()
        .resource_server(sim.resource_server_url())
        .token_provider(Arc::new(StaticToken::new(sim.issue_token("all"))))
        .retry(RetryPolicy::none())
        .timeouts(Duration::from_secs(2), Duration::from_secs(5))
        .ssl_verify(ssl_verify)
        .build()
        .unwrap()
}

/// The error and its whole source chain, as one string.
fn chain(e: &halo_api::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(" <- ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

#[tokio::test]
async fn ssl_verify_on_refuses_a_self_signed_server_with_a_clear_error() {
    let sim = tls_sim().await;
    let c = client(&sim, true);
    let err = c.get_agent_me().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{}", chain(&err));
    let text = chain(&err).to_lowercase();
    assert!(
        text.contains("certificate"),
        "the error names the certificate problem: {text}"
    );
    assert!(
        err.kind().assistance().contains("TLS"),
        "{}",
        err.kind().assistance()
    );
    // The handshake failed: no request reached the tenant.
    assert_eq!(sim.journal().count("GET /api/Agent/me"), 0);
}

#[tokio::test]
async fn a_trusted_certificate_is_accepted_with_verification_on() {
    let sim = tls_sim().await;
    let pem = sim
        .tls_certificate_pem()
        .expect("a TLS sim exposes its certificate");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    // Verification on, the sim's certificate trusted as a private root: the same request goes through.
    let tls = halo_auth::TlsConfig::default()
        .with_root_pem(pem.as_bytes())
        .unwrap();
    let c = HaloClient::builder()
        .resource_server(sim.resource_server_url())
        .token_provider(Arc::new(StaticToken::new(sim.issue_token("all"))))
        .retry(RetryPolicy::none())
        .timeouts(Duration::from_secs(2), Duration::from_secs(5))
        .tls(tls)
        .build()
        .unwrap();
    let me = c.get_agent_me().send().await.unwrap();
    assert!(me.name.is_some());
    assert_eq!(sim.journal().count("GET /api/Agent/me"), 1);
}

#[tokio::test]
async fn a_private_root_for_another_server_does_not_trust_this_one() {
    let sim = tls_sim().await;
    let other = tls_sim().await;
    let pem = other.tls_certificate_pem().unwrap();
    let c = HaloClient::builder()
        .resource_server(sim.resource_server_url())
        .token_provider(Arc::new(StaticToken::new(sim.issue_token("all"))))
        .retry(RetryPolicy::none())
        .tls(
            halo_auth::TlsConfig::default()
                .with_root_pem(pem.as_bytes())
                .unwrap(),
        )
        .build()
        .unwrap();
    let err = c.get_agent_me().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{}", chain(&err));
    assert_eq!(sim.journal().count("GET /api/Agent/me"), 0);
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

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

// The only test in this binary that turns verification off: the warning is once per process.
#[test]
fn ssl_verify_off_succeeds_and_warns_once() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = tls_sim().await;
        for _ in 0..3 {
            let c = client(&sim, false);
            let me = c.get_agent_me().send().await.unwrap();
            assert!(me.id.get() > 0);
        }
        assert_eq!(sim.journal().count("GET /api/Agent/me"), 3);
    });
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    let warnings = text
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("TLS certificate verification is disabled"))
        .count();
    assert_eq!(
        warnings, 1,
        "one warning for three insecure clients:\n{text}"
    );
}
