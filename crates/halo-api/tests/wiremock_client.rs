//! The client against a local mock server (wiremock): auth, concurrency, 401/429/5xx handling, lost creates,
//! pagination, error bodies and secret hygiene.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use futures::{StreamExt, TryStreamExt};
use halo_api::{
    CountingObserver, ErrorKind, NewTicket, RetryPolicy, StatusId, TicketId, TicketUpdate,
};
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[tokio::test]
async fn token_is_requested_with_the_tenant_and_used_as_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(query_param("tenant", "acme"))
        .and(body_string_contains("grant_type=client_credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-tenant-1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Agent/me"))
        .and(header("authorization", "Bearer tok-tenant-1"))
        .and(wiremock::matchers::header_exists("x-request-id"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": 3, "name": "API Agent"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server, credentials(&server, Some("acme"), SECRET))
        .build()
        .unwrap();
    let me = client.get_agent_me().send().await.unwrap();
    assert_eq!(me.id.get(), 3);
}

#[tokio::test]
async fn hundred_concurrent_calls_on_an_empty_cache_make_one_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_body("tok-one"))
                .set_delay(Duration::from_millis(200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Status"))
        .and(header("authorization", "Bearer tok-one"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1, "name": "New"}])))
        .expect(100)
        .mount(&server)
        .await;
    let tokens = credentials(&server, None, SECRET);
    let client = builder(&server, tokens.clone()).build().unwrap();
    let calls = (0..100).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.list_statuses().send().await })
    });
    for r in futures::future::join_all(calls).await {
        assert_eq!(r.unwrap().unwrap().len(), 1);
    }
    assert_eq!(
        halo_auth::TokenProvider::stats(tokens.as_ref()).tokens_fetched,
        1
    );
}

#[tokio::test]
async fn a_burst_of_401s_causes_one_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_body("tok-old")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_body("tok-new"))
                .set_delay(Duration::from_millis(100)),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Team"))
        .and(header("authorization", "Bearer tok-old"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Team"))
        .and(header("authorization", "Bearer tok-new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let tokens = credentials(&server, None, SECRET);
    let client = builder(&server, tokens.clone()).build().unwrap();
    let calls = (0..30).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.list_teams().send().await })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    let token_requests = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/auth/token")
        .count();
    assert_eq!(
        token_requests, 2,
        "one initial token and exactly one refresh"
    );
}

#[tokio::test]
async fn a_401_that_persists_is_an_auth_error_after_one_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/Tickets/5"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let client = static_client(&server);
    let err = client
        .get_ticket(TicketId::new(5))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.status(), Some(401));
}

#[tokio::test]
async fn a_429_with_retry_after_waits_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/Tickets/1"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"error": "Rate Limit Reached - 300 Requests per rolling 5 minute window"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Tickets/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 1, "summary": "ok"})))
        .mount(&server)
        .await;
    let counters = Arc::new(CountingObserver::default());
    let client = builder(&server, Arc::new(halo_auth::StaticToken::new("t-429")))
        .observer(counters.clone())
        .build()
        .unwrap();
    let started = Instant::now();
    let ticket = client.get_ticket(TicketId::new(1)).send().await.unwrap();
    assert_eq!(ticket.summary.as_deref(), Some("ok"));
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After was honoured: {:?}",
        started.elapsed()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    assert_eq!(counters.rate_limited(), 1);
    assert_eq!(counters.retries(), 1);
}

/// Answers the first request with 429 (Retry-After: 1) and records when every request arrived.
struct FirstIs429 {
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for FirstIs429 {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut a = self.arrivals.lock().unwrap();
        a.push(Instant::now());
        if a.len() == 1 {
            ResponseTemplate::new(429).insert_header("Retry-After", "1")
        } else {
            ResponseTemplate::new(200).set_body_json(json!([]))
        }
    }
}

#[tokio::test]
async fn a_429_pauses_every_caller_of_the_client() {
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/api/Outcome"))
        .respond_with(FirstIs429 {
            arrivals: arrivals.clone(),
        })
        .mount(&server)
        .await;
    let client = static_client(&server);
    let first = {
        let c = client.clone();
        tokio::spawn(async move { c.list_outcomes().send().await })
    };
    // Let the first call collect its 429, then start others: they must wait for the shared pause too.
    while arrivals.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        client.rate_limit_pause().is_some(),
        "the 429 set a shared pause"
    );
    let others: Vec<_> = (0..5)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.list_outcomes().send().await })
        })
        .collect();
    first.await.unwrap().unwrap();
    for o in others {
        o.await.unwrap().unwrap();
    }
    let a = arrivals.lock().unwrap();
    assert_eq!(a.len(), 7, "one 429, the retry, five others");
    for t in &a[1..] {
        assert!(
            t.duration_since(a[0]) >= Duration::from_millis(950),
            "a request went out during the pause"
        );
    }
}

/// Answers the first request with a 429 (Retry-After: 1) sent after `delay`, every later one with `[]`, and records
/// when each request reached the server.
struct Delayed429 {
    arrivals: Arc<Mutex<Vec<Instant>>>,
    delay: Duration,
}

impl Respond for Delayed429 {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut a = self.arrivals.lock().unwrap();
        a.push(Instant::now());
        if a.len() == 1 {
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_delay(self.delay)
        } else {
            ResponseTemplate::new(200).set_body_json(json!([]))
        }
    }
}

#[tokio::test]
async fn a_429_pauses_callers_already_queued_in_the_rate_limiter() {
    let server = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    // The 429 leaves the server 50 ms after the first request arrived, so the other callers are all queued in the
    // limiter by then; its pause lasts until at least 1 050 ms after that arrival.
    let answer_delay = Duration::from_millis(50);
    Mock::given(method("GET"))
        .and(path("/api/Outcome"))
        .respond_with(Delayed429 {
            arrivals: arrivals.clone(),
            delay: answer_delay,
        })
        .mount(&server)
        .await;
    // Burst 1 and one slot every 200 ms: of five callers started together, one sends at once and four queue in the
    // limiter for slots at about 200, 400, 600 and 800 ms, all inside the pause.
    let budget = halo_api::RateLimit::new(6, Duration::from_secs(1)).burst(1);
    let client = builder(&server, Arc::new(halo_auth::StaticToken::new("t-queued")))
        .rate_limit(budget)
        .build()
        .unwrap();
    let started = Instant::now();
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.list_outcomes().send().await })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 6, "one 429, its retry, four queued callers");
    let a = arrivals.lock().unwrap();
    assert_eq!(a.len(), received.len());
    assert!(
        a[0].duration_since(started) < Duration::from_millis(150),
        "the first request went out before the queued callers' slots came up"
    );
    // The pause began when the 429 reached the client (≥ 50 ms after the first arrival) and lasted Retry-After.
    let pause_end = a[0] + answer_delay + Duration::from_secs(1);
    for (i, t) in a.iter().enumerate().skip(1) {
        assert!(
            *t + Duration::from_millis(20) >= pause_end,
            "request {i} reached the server {:?} after the 429's request, inside the pause",
            t.duration_since(a[0])
        );
    }
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/SLA"))
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/Priority"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"ClassName": "System.Exception", "Message": "boom"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server, Arc::new(halo_auth::StaticToken::new("t-5xx")))
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let err = client.list_slas().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), 3);
    let err = client.list_priorities().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.halo_message(), Some("boom"));
    assert_eq!(err.attempts(), 1, "500 is not retried");
}

#[tokio::test]
async fn retries_stop_at_the_time_budget() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/Team"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let policy = RetryPolicy::default()
        .max_attempts(100)
        .min_delay(Duration::from_millis(100))
        .max_delay(Duration::from_millis(200))
        .max_elapsed(Duration::from_millis(700));
    let client = builder(&server, Arc::new(halo_auth::StaticToken::new("t-budget")))
        .retry(policy)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.list_teams().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.attempts() >= 2 && err.attempts() < 10,
        "{}",
        err.attempts()
    );
}

#[tokio::test]
async fn a_create_whose_response_is_lost_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/Tickets"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 9500}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client = builder(&server, Arc::new(halo_auth::StaticToken::new("t-create")))
        .timeouts(Duration::from_secs(1), Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .create_ticket(NewTicket::new("printer on fire"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert!(err.to_string().contains("not retried"), "{err}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "a create is sent once"
    );
}

#[tokio::test]
async fn an_update_whose_response_is_lost_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/Tickets"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": 4242}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client = builder(&server, Arc::new(halo_auth::StaticToken::new("t-update")))
        .timeouts(Duration::from_secs(1), Duration::from_millis(200))
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let err = client
        .update_ticket(TicketUpdate::new(TicketId::new(4242)).status(StatusId::new(2)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_create_is_retried_when_the_connection_was_never_made() {
    // A port nobody listens on: connection refused, nothing sent.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = halo_api::HaloClient::builder()
        .resource_server(format!("http://127.0.0.1:{port}/api").parse().unwrap())
        .token_provider(Arc::new(halo_auth::StaticToken::new("t-refused")))
        .retry(fast_retry(3))
        .build()
        .unwrap();
    let err = client
        .create_ticket(NewTicket::new("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(
        err.attempts(),
        3,
        "connect failures are retried even for creates"
    );
}

/// Serves `total` tickets, capping pages at 100 whatever page_size asks, and counts page requests.
struct TicketPages {
    total: u64,
    requests: Arc<AtomicUsize>,
}

impl Respond for TicketPages {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let q = |k: &str| {
            req.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.parse::<u64>().unwrap())
        };
        assert_eq!(
            req.url
                .query_pairs()
                .find(|(k, _)| k == "pageinate")
                .unwrap()
                .1,
            "true"
        );
        let size = q("page_size").unwrap().min(100);
        let page = q("page_no").unwrap();
        let start = (page - 1) * size;
        let end = (start + size).min(self.total);
        let tickets: Vec<_> = (start..end)
            .map(|i| json!({"id": i + 1, "summary": format!("t{i}")}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "page_no": page, "page_size": size, "record_count": self.total, "tickets": tickets
        }))
    }
}

#[tokio::test]
async fn two_hundred_fifty_tickets_come_in_exactly_three_pages() {
    let server = MockServer::start().await;
    let requests = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path("/api/Tickets"))
        .respond_with(TicketPages {
            total: 250,
            requests: requests.clone(),
        })
        .mount(&server)
        .await;
    let client = static_client(&server);
    let ids: Vec<u64> = client
        .list_tickets()
        .open_only(true)
        .stream()
        .map_ok(|t| t.id.get())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 250);
    assert_eq!(
        ids,
        (1..=250).collect::<Vec<_>>(),
        "every ticket once, in order"
    );
    assert_eq!(requests.load(Ordering::SeqCst), 3);

    requests.store(0, Ordering::SeqCst);
    let pages: Vec<_> = client
        .list_tickets()
        .max_results(120)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        vec![100, 20]
    );
    assert_eq!(requests.load(Ordering::SeqCst), 2);

    // A stream is lazy: taking 5 items costs one page.
    requests.store(0, Ordering::SeqCst);
    let five: Vec<_> = client.list_tickets().stream().take(5).collect().await;
    assert_eq!(five.len(), 5);
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn each_error_body_shape_maps_to_a_useful_message() {
    let server = MockServer::start().await;
    let cases: Vec<(u16, ResponseTemplate, ErrorKind, Option<&str>)> = vec![
        (400, ResponseTemplate::new(400).set_body_json(json!("Some message")), ErrorKind::Validation, Some("Some message")),
        (400, ResponseTemplate::new(400).set_body_json(json!({"error": "text"})), ErrorKind::Validation, Some("text")),
        (
            400,
            ResponseTemplate::new(400).set_body_json(json!({"error": {"error_description": "described"}})),
            ErrorKind::Validation,
            Some("described"),
        ),
        (
            400,
            ResponseTemplate::new(400).set_body_json(
                json!({"ClassName": "System.Exception", "Message": "An Outcome must be entered for this Action"}),
            ),
            ErrorKind::Validation,
            Some("An Outcome must be entered for this Action"),
        ),
        (403, ResponseTemplate::new(403).set_body_json(json!({"Message": "No access"})), ErrorKind::Forbidden, Some("No access")),
        (
            400,
            ResponseTemplate::new(400).set_body_json(json!({"resultCode": 1, "errorMessage": "Details and Category were required"})),
            ErrorKind::Validation,
            Some("Details and Category were required"),
        ),
        (
            400,
            ResponseTemplate::new(400).set_body_json(json!({"[0].ticket_id": "The ticket_id field is required."})),
            ErrorKind::Validation,
            Some("[0].ticket_id: The ticket_id field is required."),
        ),
        (404, ResponseTemplate::new(404).set_body_string("Not Found"), ErrorKind::NotFound, Some("Not Found")),
        (404, ResponseTemplate::new(404), ErrorKind::NotFound, None),
    ];
    for (i, (_, template, _, _)) in cases.iter().enumerate() {
        Mock::given(method("GET"))
            .and(path(format!("/api/Tickets/{}", i + 1)))
            .respond_with(template.clone())
            .mount(&server)
            .await;
    }
    let client = static_client(&server);
    for (i, (status, _, kind, message)) in cases.into_iter().enumerate() {
        let err = client
            .get_ticket(TicketId::new(i as u64 + 1))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "case {i}: {err}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.halo_message(), message, "case {i}");
        assert_eq!(err.route_template(), Some("/api/Tickets/{id}"));
        if let Some(m) = message {
            assert!(
                err.to_string().contains(m),
                "Display carries Halo's message: {err}"
            );
        }
        assert!(
            !err.to_string().contains(&format!("/api/Tickets/{}", i + 1)),
            "Display uses the template"
        );
    }
}
