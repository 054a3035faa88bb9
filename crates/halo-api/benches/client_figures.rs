//! Whole-run figures of the client against halo-sim (a bench binary, not criterion: each figure is one run).
//!
//! - `pagination`: list 1,000 and 10,000 tickets with `.stream()` — requests made (client observer and sim
//!   journal; target exactly N/100), time, and the peak of live heap bytes while streaming (a counting global
//!   allocator, `peak_alloc`). The sim runs in a child process (this binary re-executed with `--serve-sim N`), so the
//!   allocator counts the client alone. Target: peak does not grow with N.
//! - `single_flight`: 1,000 concurrent `get_ticket`s on a cold client — token requests made (sim journal; target 1),
//!   once with a fast token endpoint and once with a 200 ms one.
//! - `rate_budget`: sim window 60 requests / 10 s, client configured to the same budget, CREATES creates (default
//!   600, env `BENCH_RATE_CREATES`) from 32 tasks (env `BENCH_RATE_TASKS`) — achieved rate as a share of the budget
//!   (target >= 0.95) and the server's 429s (sim journal; target 0). `BENCH_RATE_BURST` overrides the client's
//!   burst (default: halo-api's, 10 % of the budget).
//!
//! `cargo bench -p halo-api --bench client_figures [-- pagination|single_flight|rate_budget ...]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use halo_api::{CountingObserver, HaloClient, NewTicket, RateLimit, RetryPolicy, TicketId};
use halo_auth::{ClientCredentials, ClientCredentialsConfig, SecretString, TokenProvider as _};
use halo_sim::{RateLimitConfig, SimConfig, SimHandle, SimServer};
use peak_alloc::PeakAlloc;
use serde_json::{Value, json};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn credentials(auth: &str, tenant: Option<&str>, id: &str, secret: &str) -> Arc<ClientCredentials> {
    let mut cc = ClientCredentialsConfig::new(
        id,
        SecretString::from(secret.to_owned()),
        auth.parse().unwrap(),
    );
    if let Some(t) = tenant {
        cc = cc.with_tenant(t);
    }
    Arc::new(ClientCredentials::from_config(cc).unwrap())
}

fn sim_credentials(sim: &SimHandle) -> Arc<ClientCredentials> {
    credentials(
        sim.authorization_server_url().as_str(),
        sim.tenant(),
        sim.client_id(),
        sim.client_secret(),
    )
}

fn roomy() -> RateLimit {
    RateLimit::new(u32::MAX, Duration::from_secs(1)).burst(u32::MAX)
}

// ---------------------------------------------------------------------------------------------- pagination

/// Child mode: a sim with `n` tickets; prints its connection as one JSON line, serves until stdin closes, then
/// prints how many `GET /api/Tickets` it received.
async fn serve_sim(n: usize) {
    let sim = SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap();
    for i in 0..n {
        sim.upsert_ticket(json!({"summary": format!("Paged ticket {i}: printer on floor 3 jams"),
            "details": "The printer jams on every second page since the toner was replaced.", "tickettype_id": 1}))
            .unwrap();
    }
    let line = json!({"rs": sim.resource_server_url().as_str(), "auth": sim.authorization_server_url().as_str(),
        "tenant": sim.tenant(), "id": sim.client_id(), "secret": sim.client_secret()});
    println!("{line}");
    std::io::stdout().flush().unwrap();
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await
    .unwrap();
    println!(
        "{}",
        json!({"list_requests": sim.journal().count("GET /api/Tickets")})
    );
    sim.shutdown().await;
}

struct PageFigures {
    n: usize,
    items: usize,
    in_order: bool,
    client_requests: u64,
    sim_requests: u64,
    elapsed: Duration,
    peak_bytes: usize,
}

async fn paginate(n: usize) -> PageFigures {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--serve-sim", &n.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let conn: Value = serde_json::from_str(&line).unwrap();
    let s = |k: &str| conn[k].as_str().unwrap().to_owned();
    let observer = Arc::new(CountingObserver::default());
    let client = HaloClient::builder()
        .resource_server(s("rs").parse().unwrap())
        .token_provider(credentials(
            &s("auth"),
            conn["tenant"].as_str(),
            &s("id"),
            &s("secret"),
        ))
        .rate_limit(roomy())
        .retry(RetryPolicy::none())
        .observer(observer.clone())
        .build()
        .unwrap();
    // Token and connection first, so the measured part is the listing alone.
    client.list_statuses().send().await.unwrap();
    let before = observer.attempts();
    HEAP.reset_peak_usage();
    let base = HEAP.current_usage();
    let start = Instant::now();
    let mut stream = client.list_tickets().stream();
    let (mut items, mut last, mut in_order) = (0usize, 0u64, true);
    while let Some(t) = stream.try_next().await.unwrap() {
        items += 1;
        in_order &= t.id.get() > last;
        last = t.id.get();
    }
    drop(stream);
    let elapsed = start.elapsed();
    let peak_bytes = HEAP.peak_usage().saturating_sub(base);
    let client_requests = observer.attempts() - before;
    drop(child.stdin.take());
    line.clear();
    out.read_line(&mut line).unwrap();
    let sim_requests = serde_json::from_str::<Value>(&line).unwrap()["list_requests"]
        .as_u64()
        .unwrap();
    child.wait().unwrap();
    PageFigures {
        n,
        items,
        in_order,
        client_requests,
        sim_requests,
        elapsed,
        peak_bytes,
    }
}

async fn pagination() {
    let mut figs = Vec::new();
    for n in [1_000, 10_000] {
        let f = paginate(n).await;
        println!(
            "BENCH pagination n={}: items {} (all distinct, ascending: {}), requests {} (client observer) / {} (sim \
             journal), target {}; {:.0} ms; peak live heap while streaming {:.1} KiB",
            f.n,
            f.items,
            f.in_order,
            f.client_requests,
            f.sim_requests,
            f.n.div_ceil(100),
            f.elapsed.as_secs_f64() * 1000.0,
            f.peak_bytes as f64 / 1024.0
        );
        figs.push(f);
    }
    let ratio = figs[1].peak_bytes as f64 / figs[0].peak_bytes.max(1) as f64;
    println!(
        "BENCH pagination: peak heap 10,000 / 1,000 = {ratio:.2} (target: does not grow with N, ~1.0)"
    );
}

// ------------------------------------------------------------------------------------------- single flight

async fn single_flight() {
    let sim = SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap();
    let created = sim
        .upsert_ticket(json!({"summary": "single flight", "tickettype_id": 1}))
        .unwrap();
    let id = TicketId::new(created["id"].as_u64().unwrap());
    for (label, slow) in [
        ("fast token endpoint", None),
        ("token endpoint +200 ms", Some(Duration::from_millis(200))),
    ] {
        sim.faults().clear();
        if let Some(d) = slow {
            sim.faults().token_endpoint_slow(d);
        }
        let tokens_before = sim.journal().count("POST /auth/token");
        let provider = sim_credentials(&sim);
        let client = HaloClient::builder()
            .resource_server(sim.resource_server_url())
            .token_provider(provider.clone())
            .rate_limit(roomy())
            .timeouts(Duration::from_secs(10), Duration::from_secs(60))
            .build()
            .unwrap();
        let barrier = Arc::new(tokio::sync::Barrier::new(1_000));
        let start = Instant::now();
        let tasks: Vec<_> = (0..1_000)
            .map(|_| {
                let (c, b) = (client.clone(), barrier.clone());
                tokio::spawn(async move {
                    b.wait().await;
                    c.get_ticket(id).send().await.is_ok()
                })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            ok += usize::from(t.await.unwrap());
        }
        let token_requests = sim.journal().count("POST /auth/token") - tokens_before;
        println!(
            "BENCH single_flight ({label}): 1000 concurrent get_ticket on a cold client: {ok} ok, token requests {} \
             (sim journal; provider fetched {}), target 1; {:.0} ms",
            token_requests,
            provider.stats().tokens_fetched,
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    sim.shutdown().await;
}

// --------------------------------------------------------------------------------------------- rate budget

async fn rate_budget() {
    let creates = env_usize("BENCH_RATE_CREATES", 600);
    let tasks_n = env_usize("BENCH_RATE_TASKS", 32);
    let (requests, per) = (60u32, Duration::from_secs(10));
    let sim = SimServer::start(
        SimConfig::default().with_rate_limit(Some(RateLimitConfig::new(requests, per))),
    )
    .await
    .unwrap();
    let mut limit = RateLimit::new(requests, per);
    if let Some(b) = std::env::var("BENCH_RATE_BURST")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        limit = limit.burst(b);
    }
    let observer = Arc::new(CountingObserver::default());
    let client = HaloClient::builder()
        .resource_server(sim.resource_server_url())
        .token_provider(sim_credentials(&sim))
        .rate_limit(limit)
        .observer(observer.clone())
        .build()
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..tasks_n)
        .map(|_| {
            let (c, next, failed) = (client.clone(), next.clone(), failed.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= creates {
                        break;
                    }
                    let t = NewTicket::new(format!("Budget ticket {i}"))
                        .details("rate budget benchmark");
                    if let Err(e) = c.create_ticket(t).send().await {
                        eprintln!("create {i} failed: {e}");
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let api = sim.journal().matching("* /api/**");
    let status_429 = api
        .iter()
        .filter(|e| e.status == Some(429) || e.rate_limited)
        .count();
    let accepted = api.len() - status_429;
    let budget_rate = f64::from(requests) / per.as_secs_f64();
    let achieved = accepted as f64 / elapsed;
    let created = sim
        .journal()
        .matching("POST /api/Tickets")
        .iter()
        .filter(|e| e.status == Some(201))
        .count();
    println!(
        "BENCH rate_budget: sim {requests}/{}s, client {:?} burst {}; {creates} creates from {tasks_n} tasks: {created} \
         created, {} failed, {accepted} API requests accepted in {elapsed:.1} s = {achieved:.2}/s = {:.3} of the budget \
         ({budget_rate:.1}/s; target >= 0.95); server 429s {status_429} (sim journal; target 0); client saw {} 429s",
        per.as_secs(),
        client.rate_limit().requests(),
        std::env::var("BENCH_RATE_BURST").unwrap_or_else(|_| "default (~3 %)".into()),
        failed.load(Ordering::Relaxed),
        achieved / budget_rate,
        observer.rate_limited()
    );
    sim.shutdown().await;
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Some(i) = args.iter().position(|a| a == "--serve-sim") {
        let n = args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000);
        rt.block_on(serve_sim(n));
        return;
    }
    let wanted: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let run = |name: &str| wanted.is_empty() || wanted.contains(&name);
    rt.block_on(async {
        if run("pagination") {
            pagination().await;
        }
        if run("single_flight") {
            single_flight().await;
        }
        if run("rate_budget") {
            rate_budget().await;
        }
    });
}
