//! Speed benchmark of the plugin binary against halo-sim on loopback (not a test: figures are printed).
//!
//! 1. Cold `run` of get_ticket: one process per call (stdin message -> envelope), median and p90 wall
//!    time over RUNS calls; peak RSS from `/usr/bin/time -f %M` when that tool exists.
//! 2. `http` mode: CLIENTS concurrent clients posting get_ticket for REQUESTS requests in total;
//!    throughput and p50/p99 latency. The connection's rate limit is lifted, as is the sim's.
//!
//! Run: `cargo bench -p haloitsm-plugin --bench speed` (targets: <= 20 ms, <= 15 MiB, >= 1,000/s).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use halo_sim::{SimConfig, SimServer};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_haloitsm-plugin");
const RUNS: usize = 40;
const CLIENTS: usize = 64;
const REQUESTS: usize = 20_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn run_once(msg: &[u8], wrapper: Option<&str>) -> (Duration, String, String) {
    let mut cmd = match wrapper {
        Some(w) => {
            let mut c = Command::new(w);
            c.args(["-f", "%M", BIN, "run"]);
            c
        }
        None => {
            let mut c = Command::new(BIN);
            c.arg("run");
            c
        }
    };
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(msg).unwrap();
    let out = child.wait_with_output().unwrap();
    let wall = start.elapsed();
    assert!(
        out.status.success(),
        "run failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    (
        wall,
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sim = SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap();
    let ticket = sim
        .upsert_ticket(json!({"summary": "Benchmark ticket", "tickettype_id": 1}))
        .unwrap();
    let id = ticket["id"].as_u64().unwrap();
    let connection = json!({
        "client_id": sim.client_id(),
        "client_secret": {"secretKey": sim.client_secret()},
        "authorization_server": sim.authorization_server_url().as_str(),
        "resource_server": sim.resource_server_url().as_str(),
        "tenant": sim.tenant(),
        "rate_limit": 100_000_000,
    });
    let msg = json!({"version": "v1", "type": "action_start",
        "body": {"action": "get_ticket", "meta": {}, "input": {"ticket_id": id}, "connection": connection}});
    let bytes = msg.to_string().into_bytes();

    // 1. Cold runs (blocking spawns off the async workers so the in-process sim keeps serving).
    let b = bytes.clone();
    let (walls, rss) = tokio::task::spawn_blocking(move || {
        run_once(&b, None); // warm the page cache
        let mut walls: Vec<Duration> = (0..RUNS).map(|_| run_once(&b, None).0).collect();
        walls.sort();
        let time = std::path::Path::new("/usr/bin/time")
            .exists()
            .then_some("/usr/bin/time");
        let rss: Vec<u64> = time
            .map(|t| {
                (0..10)
                    .filter_map(|_| run_once(&b, Some(t)).2.lines().last()?.trim().parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        (walls, rss)
    })
    .await
    .unwrap();
    println!(
        "cold run get_ticket ({RUNS} runs): median {:.1} ms, p90 {:.1} ms, min {:.1} ms",
        ms(percentile(&walls, 0.5)),
        ms(percentile(&walls, 0.9)),
        ms(walls[0])
    );
    match rss.iter().max() {
        Some(kb) => println!(
            "cold run peak RSS (max of {} runs, /usr/bin/time %M): {:.1} MiB",
            rss.len(),
            *kb as f64 / 1024.0
        ),
        None => println!("cold run peak RSS: /usr/bin/time not available"),
    }

    // 2. HTTP throughput.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("gunicorn.json");
    std::fs::write(&cfg, r#"{"bind": "127.0.0.1:0"}"#).unwrap();
    let mut child = tokio::process::Command::new(BIN)
        .arg("http")
        .env("GUNICORN_CONFIG_FILE", &cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut addr = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(a) = line.strip_prefix("Listening on ") {
            addr = a.to_string();
            break;
        }
    }
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let url = format!("http://{addr}/api/v1/actions/get_ticket");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let warm: Value = http
        .post(&url)
        .body(bytes.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(warm["body"]["status"], "ok", "{warm}");
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (http, url, body) = (http.clone(), url.clone(), bytes.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(REQUESTS / CLIENTS);
            for _ in 0..REQUESTS / CLIENTS {
                let t = Instant::now();
                let r = http.post(&url).body(body.clone()).send().await.unwrap();
                assert_eq!(r.status().as_u16(), 200);
                let _ = r.bytes().await.unwrap();
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    lat.sort();
    println!(
        "http get_ticket ({} requests, {CLIENTS} clients): {:.0} actions/s, p50 {:.2} ms, p99 {:.2} ms",
        lat.len(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99))
    );
    let _ = child.kill().await;
}
