//! Fault injection, rate limiting and the request journal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use halo_sim::{Fault, FaultProfile, RateLimitConfig, SimConfig};
use serde_json::{Value, json};

#[tokio::test]
async fn scripted_status_faults_hit_only_matching_requests_n_times() {
    let sim = common::start().await;
    sim.handle
        .faults()
        .next(1, "POST /api/Tickets", Fault::status(500));
    sim.handle
        .faults()
        .next(1, "POST /api/Tickets", Fault::status(502));
    sim.handle
        .faults()
        .next(1, "POST /api/Tickets", Fault::status(503));
    assert_eq!(
        sim.get("/api/Tickets").await.status(),
        200,
        "GET does not match"
    );
    let body = json!([{"summary": "x"}]);
    let r = sim.post("/api/Tickets", body.clone()).await;
    assert_eq!(r.status(), 500);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ClassName"], "System.Exception", ".NET exception body");
    assert_eq!(sim.post("/api/Tickets", body.clone()).await.status(), 502);
    assert_eq!(sim.post("/api/Tickets", body.clone()).await.status(), 503);
    assert!(
        sim.handle.tickets().is_empty(),
        "failed requests were not applied"
    );
    assert_eq!(sim.post("/api/Tickets", body).await.status(), 201);
    assert!(sim.handle.faults().rules().is_empty());
    let statuses: Vec<Option<u16>> = sim
        .handle
        .journal()
        .matching("POST /api/Tickets")
        .iter()
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, vec![Some(500), Some(502), Some(503), Some(201)]);
    assert_eq!(
        sim.handle.journal().matching("POST /api/Tickets")[0]
            .fault
            .as_deref(),
        Some("status_500")
    );
}

#[tokio::test]
async fn latency_is_added() {
    let sim = common::start().await;
    sim.handle.faults().next(
        1,
        "GET /api/Status",
        Fault::latency(Duration::from_millis(300)),
    );
    let t = Instant::now();
    assert_eq!(sim.get("/api/Status").await.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let e = sim
        .handle
        .journal()
        .matching("GET /api/Status")
        .pop()
        .unwrap();
    assert!(e.duration >= Duration::from_millis(300));
}

#[tokio::test]
async fn dropped_before_handling_loses_request_and_response() {
    let sim = common::start().await;
    sim.handle
        .faults()
        .next(1, "POST /api/Tickets", Fault::DropBeforeHandling);
    let err = sim
        .http
        .post(sim.url("/api/Tickets"))
        .bearer_auth(&sim.token)
        .json(&json!([{"summary": "x"}]))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect_err("connection closed without response");
    assert!(!err.is_timeout(), "closed, not hung: {err}");
    assert!(sim.handle.tickets().is_empty(), "nothing applied");
    let e = sim
        .handle
        .journal()
        .matching("POST /api/Tickets")
        .pop()
        .unwrap();
    assert_eq!((e.status, e.fault.as_deref()), (None, Some("drop_before")));
}

#[tokio::test]
async fn dropped_after_write_applies_the_ticket_but_loses_the_response() {
    let sim = common::start().await;
    sim.handle
        .faults()
        .next(1, "POST /api/Tickets", Fault::DropAfterWrite);
    let err = sim
        .http
        .post(sim.url("/api/Tickets"))
        .bearer_auth(&sim.token)
        .json(&json!([{"summary": "lost response"}]))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect_err("response lost");
    assert!(!err.is_timeout(), "closed, not hung: {err}");
    let tickets = sim.handle.tickets();
    assert_eq!(tickets.len(), 1, "the write was applied");
    assert_eq!(tickets[0]["summary"], "lost response");
    let e = sim
        .handle
        .journal()
        .matching("POST /api/Tickets")
        .pop()
        .unwrap();
    assert_eq!(
        (e.status, e.fault.as_deref()),
        (None, Some("drop_after_write"))
    );
    assert_eq!(
        e.body_json().unwrap()[0]["summary"],
        "lost response",
        "journal keeps what was sent"
    );
    // The next request is served normally.
    assert_eq!(sim.get("/api/Tickets").await.status(), 200);
}

#[tokio::test]
async fn probability_one_always_fires_and_zero_never() {
    let sim = common::start().await;
    sim.handle
        .faults()
        .with_probability(0.0, "GET /api/Status", Fault::status(503));
    for _ in 0..5 {
        assert_eq!(sim.get("/api/Status").await.status(), 200);
    }
    sim.handle.faults().clear();
    sim.handle
        .faults()
        .with_probability(1.0, "GET /api/Status", Fault::status(503));
    for _ in 0..5 {
        assert_eq!(sim.get("/api/Status").await.status(), 503);
    }
}

#[tokio::test]
async fn fault_profiles_install_rules() {
    let sim = common::start_with(
        SimConfig::default()
            .with_rate_limit(None)
            .with_faults(FaultProfile::Flaky),
    )
    .await;
    assert!(!sim.handle.faults().rules().is_empty());
    sim.handle.faults().set_profile(FaultProfile::None);
    assert!(sim.handle.faults().rules().is_empty());
}

#[tokio::test]
async fn token_endpoint_down_then_slow() {
    let sim = common::start().await;
    sim.handle.faults().token_endpoint_down();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", sim.handle.client_id()),
        ("client_secret", sim.handle.client_secret()),
    ];
    let r = sim
        .http
        .post(sim.handle.token_url())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(
        sim.get("/api/Status").await.status(),
        200,
        "resource server unaffected"
    );
    sim.handle.faults().clear();
    sim.handle
        .faults()
        .token_endpoint_slow(Duration::from_millis(400));
    let t = Instant::now();
    let r = sim
        .http
        .post(sim.handle.token_url())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn rate_limit_429_after_budget_and_recovery_after_window() {
    let cfg = SimConfig::default().with_rate_limit(Some(
        RateLimitConfig::new(5, Duration::from_secs(1)).with_retry_after(true),
    ));
    let sim = common::start_with(cfg).await;
    for i in 0..5 {
        assert_eq!(
            sim.get("/api/Status").await.status(),
            200,
            "request {i} within budget"
        );
    }
    let r = sim.get("/api/Status").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "1");
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["error"],
        "Rate Limit Reached - 5 Requests per rolling 1 second window"
    );
    assert!(
        sim.handle
            .journal()
            .entries()
            .iter()
            .any(|e| e.rate_limited && e.status == Some(429))
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(sim.get("/api/Status").await.status(), 200, "window slid");
}

#[tokio::test]
async fn default_rate_limit_is_halos_300_per_5_minutes() {
    let sim = common::start_with(SimConfig::default()).await;
    assert_eq!(sim.handle.rate_limit(), Some(RateLimitConfig::HALO_DEFAULT));
    for _ in 0..300 {
        assert_eq!(sim.get("/api/Status").await.status(), 200);
    }
    let r = sim.get("/api/Status").await;
    assert_eq!(r.status(), 429);
    assert!(
        r.headers().get("retry-after").is_none(),
        "Halo is not known to send Retry-After"
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["error"],
        "Rate Limit Reached - 300 Requests per rolling 5 minute window"
    );
    // The clock slides the window too.
    sim.handle.clock().advance(Duration::from_secs(301));
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
async fn journal_records_method_path_query_status_and_time() {
    let sim = common::start().await;
    let before = sim.handle.clock().now();
    sim.get("/api/tickets?pageinate=true&page_size=5").await;
    let e = sim
        .handle
        .journal()
        .matching("GET /api/Tickets")
        .pop()
        .unwrap();
    assert_eq!(e.method, "GET");
    assert_eq!(e.path, "/api/tickets", "path as sent");
    assert_eq!(e.query, "pageinate=true&page_size=5");
    assert_eq!(e.query_param("PAGE_SIZE").as_deref(), Some("5"));
    assert_eq!(e.status, Some(200));
    assert!(e.time >= before);
    assert!(e.matches("GET /api/Tickets"));
    assert_eq!(sim.handle.journal().count("* /api/**"), 1);
    sim.handle.journal().clear();
    assert!(sim.handle.journal().is_empty());
}
