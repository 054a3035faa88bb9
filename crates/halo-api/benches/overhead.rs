//! Client overhead: one `get_ticket` round trip through halo-api (limiter, token provider, retry loop, typed
//! decode) versus a bare reqwest GET of the same URL with the same bearer token, on loopback against an
//! in-process halo-sim with the rate limit lifted in the sim and in the client.
//!
//! Criterion measures each arm; then an interleaved A/B run (alternating blocks, so drift on this shared machine
//! hits both arms alike) gives the ratio we quote. Target: ratio <= 1.15.
//!
//! `cargo bench -p halo-api --bench overhead`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use halo_api::{HaloClient, RateLimit, RetryPolicy, TicketId};
use halo_auth::{ClientCredentials, ClientCredentialsConfig, SecretString};
use halo_sim::{SimConfig, SimHandle, SimServer};
use serde_json::json;

/// Alternating blocks in the A/B run, and requests per block.
const ROUNDS: usize = 30;
const PER_BLOCK: usize = 200;

struct Setup {
    sim: SimHandle,
    client: HaloClient,
    http: reqwest::Client,
    token: String,
    url: String,
    id: TicketId,
}

async fn setup() -> Setup {
    let sim = SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap();
    let created = sim
        .upsert_ticket(json!({
            "summary": "Overhead benchmark: VPN gateway unreachable from the Leeds office",
            "details": "Users in Leeds cannot reach the VPN gateway since 09:00; other offices are fine.",
            "tickettype_id": 1, "priority_id": 3,
        }))
        .unwrap();
    let id = TicketId::new(created["id"].as_u64().unwrap());
    let mut cc = ClientCredentialsConfig::new(
        sim.client_id(),
        SecretString::from(sim.client_secret().to_owned()),
        sim.authorization_server_url(),
    );
    if let Some(t) = sim.tenant() {
        cc = cc.with_tenant(t);
    }
    let client = HaloClient::builder()
        .resource_server(sim.resource_server_url())
        .token_provider(Arc::new(ClientCredentials::from_config(cc).unwrap()))
        .rate_limit(RateLimit::new(u32::MAX, Duration::from_secs(1)).burst(u32::MAX))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    // Warm both: the client fetches and caches its token, both open a pooled connection.
    client.get_ticket(id).send().await.unwrap();
    let token = sim.issue_token("all");
    let url = format!(
        "{}/Tickets/{}",
        sim.resource_server_url().as_str().trim_end_matches('/'),
        id
    );
    let http = reqwest::Client::new();
    let r = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap();
    Setup {
        sim,
        client,
        http,
        token,
        url,
        id,
    }
}

async fn halo_api_get(s: &Setup) {
    let t = s.client.get_ticket(s.id).send().await.unwrap();
    assert_eq!(t.id, s.id);
}

async fn bare_get(s: &Setup) {
    let r = s
        .http
        .get(&s.url)
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    assert!(!body.is_empty());
}

async fn bare_get_json(s: &Setup) {
    let r = s
        .http
        .get(&s.url)
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v.get("id").is_some());
}

/// The bare GET plus the same typed decode halo-api does: what is left is the client's own plumbing.
async fn bare_get_ticket(s: &Setup) {
    let r = s
        .http
        .get(&s.url)
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body = r.bytes().await.unwrap();
    let t: halo_model::Ticket = serde_json::from_slice(&body).unwrap();
    assert_eq!(t.id, s.id);
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(setup());

    let mut c = Criterion::default()
        .sample_size(60)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let mut g = c.benchmark_group("client_overhead");
    g.bench_function("halo_api_get_ticket", |b| {
        b.to_async(&rt).iter(|| halo_api_get(&s))
    });
    g.bench_function("reqwest_get_bytes", |b| {
        b.to_async(&rt).iter(|| bare_get(&s))
    });
    g.bench_function("reqwest_get_json_value", |b| {
        b.to_async(&rt).iter(|| bare_get_json(&s))
    });
    g.bench_function("reqwest_get_typed_ticket", |b| {
        b.to_async(&rt).iter(|| bare_get_ticket(&s))
    });
    g.finish();
    c.final_summary();

    // Interleaved A/B/C: per-request mean of each block, arms rotated each round, median over the rounds.
    let mut times: [Vec<f64>; 3] = Default::default();
    rt.block_on(async {
        for round in 0..ROUNDS {
            for k in 0..3 {
                let arm = (round + k) % 3;
                let start = Instant::now();
                for _ in 0..PER_BLOCK {
                    match arm {
                        0 => halo_api_get(&s).await,
                        1 => bare_get(&s).await,
                        _ => bare_get_ticket(&s).await,
                    }
                }
                times[arm].push(start.elapsed().as_secs_f64() * 1e6 / PER_BLOCK as f64);
            }
        }
    });
    let [api, bare, typed] = &mut times;
    let (a, b, t) = (median(api), median(bare), median(typed));
    println!(
        "BENCH client_overhead: halo-api get_ticket {a:.1} us, bare reqwest GET + the same Ticket decode {t:.1} us, \
         ratio {:.3} (target <= 1.15); bare reqwest GET, body as bytes only {b:.1} us, ratio {:.3} \
         (median of {ROUNDS} rotated blocks of {PER_BLOCK} sequential requests per arm)",
        a / t,
        a / b
    );
    let journal = s.sim.journal().len();
    println!(
        "BENCH client_overhead: sim journal holds {journal} requests, 0 expected failures (all asserted 200)"
    );
    rt.block_on(s.sim.shutdown());
}
