//! Throughput of the sim: N concurrent reqwest clients doing `GET /api/Tickets/{id}` on loopback with the
//! rate limit off. Not a test: it prints requests/second (target ≥ 5,000 on a 2-core machine).
//!
//! `cargo bench -p halo-sim --bench throughput [-- CLIENTS TOTAL]` (defaults: 8 clients, 50,000 requests; on two
//! cores client and server share the CPU, so more clients mostly add contention).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use halo_sim::{SimConfig, SimServer};
use serde_json::json;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let clients = args.first().copied().unwrap_or(8);
    let total = args.get(1).copied().unwrap_or(50_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(clients, total));
}

async fn run(clients: usize, total: usize) {
    let sim = SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    let token = sim.issue_token("all");
    let created = sim
        .upsert_ticket(json!({"summary": "bench ticket", "details": "a ticket of ordinary size"}))
        .unwrap();
    let url = format!("{}/Tickets/{}", sim.resource_server_url(), created["id"]);
    // Warm up the connection pool.
    for _ in 0..clients {
        let r = http.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
    }
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, token, next, failures) = (
            http.clone(),
            url.clone(),
            token.clone(),
            Arc::clone(&next),
            Arc::clone(&failures),
        );
        tasks.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < total {
                match http.get(&url).bearer_auth(&token).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                    }
                    _ => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    let rps = total as f64 / elapsed.as_secs_f64();
    println!(
        "halo-sim throughput: {total} x GET /api/Tickets/{{id}} with {clients} concurrent clients in {:.2} s = {rps:.0} requests/s ({} failures)",
        elapsed.as_secs_f64(),
        failures.load(Ordering::Relaxed)
    );
    sim.shutdown().await;
}
