//! Property tests through the real client against halo-sim (in-process, 127.0.0.1:0), filling the gaps the unit
//! properties leave (those cover the pure paging state machine, the retry decision and lenient ids):
//! - write types round trip: `NewTicket` / `TicketUpdate` / `NewAction` → Halo JSON → the sim stores it → read
//!   back equal in every field written, for arbitrary text (quotes, `&`, `<script>`, non-ASCII);
//! - paging terminates with every ticket exactly once for any page size, record count and `max_results`, in
//!   a bounded number of requests, whether or not the tenant re-sends the last page;
//! - the real retry loop never sends more than `max_attempts` requests and gives up within its time budget.
//!
//! Each case talks HTTP, so the case counts are small; `PROPTEST_CASES` raises them for a longer local run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use halo_api::{
    AgentId, ClientId, ErrorKind, HaloClient, NewAction, NewTicket, OutcomeRef, PriorityId,
    RateLimit, RetryPolicy, SiteId, StatusId, TicketTypeId, TicketUpdate, UserId,
};
use halo_auth::{ClientCredentials, ClientCredentialsConfig, SecretString};
use halo_sim::{Fault, SimConfig, SimHandle, SimServer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn cases(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

async fn start(config: SimConfig) -> SimHandle {
    SimServer::start(config.with_rate_limit(None))
        .await
        .unwrap()
}

fn client(sim: &SimHandle, retry: RetryPolicy) -> HaloClient {
    let mut config = ClientCredentialsConfig::new(
        sim.client_id(),
        SecretString::from(sim.client_secret().to_owned()),
        sim.authorization_server_url(),
    );
    if let Some(t) = sim.tenant() {
        config = config.with_tenant(t);
    }
    HaloClient::builder()
        .resource_server(sim.resource_server_url())
        .token_provider(Arc::new(ClientCredentials::from_config(config).unwrap()))
        .rate_limit(RateLimit::new(100_000, Duration::from_secs(1)).burst(100_000))
        .retry(retry)
        .timeouts(Duration::from_secs(2), Duration::from_secs(10))
        .build()
        .unwrap()
}

fn quick_retry() -> RetryPolicy {
    RetryPolicy::default()
        .min_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
}

/// Text a user or an alert might carry: quotes, backslashes, query/URL metacharacters, HTML, non-ASCII.
/// Never blank (Halo rejects a blank summary) and without surrounding whitespace.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9\"'\\\\&=#%?+/;<>(){}\\[\\]é€😀 -]{0,40}[a-z]"
        .prop_map(|s| s.trim_start().to_owned())
        .prop_filter("not blank", |s| !s.trim().is_empty())
}

/// Lookup ids of the seeded tenant, read through the client, so the cases only use records that exist.
struct Tenant {
    ticket_types: Vec<u64>,
    agents: Vec<u64>,
    teams: Vec<String>,
    clients: Vec<u64>,
    sites: Vec<u64>,
    users: Vec<u64>,
    statuses: Vec<u64>,
    outcomes: Vec<String>,
}

async fn tenant(c: &HaloClient) -> Tenant {
    Tenant {
        ticket_types: c
            .list_ticket_types()
            .send()
            .await
            .unwrap()
            .iter()
            .map(|t| t.id.get())
            .collect(),
        agents: c
            .list_agents()
            .send()
            .await
            .unwrap()
            .iter()
            .map(|a| a.id.get())
            .collect(),
        teams: c
            .list_teams()
            .send()
            .await
            .unwrap()
            .into_iter()
            .filter_map(|t| t.name)
            .collect(),
        clients: c
            .list_clients()
            .send()
            .await
            .unwrap()
            .iter()
            .map(|x| x.id.get())
            .collect(),
        sites: c
            .list_sites()
            .send()
            .await
            .unwrap()
            .iter()
            .map(|x| x.id.get())
            .collect(),
        users: c
            .list_users()
            .send()
            .await
            .unwrap()
            .iter()
            .map(|x| x.id.get())
            .collect(),
        statuses: c
            .list_statuses()
            .send()
            .await
            .unwrap()
            .iter()
            .map(|s| s.id.get())
            .collect(),
        outcomes: c
            .list_outcomes()
            .send()
            .await
            .unwrap()
            .into_iter()
            .filter_map(|o| o.outcome)
            .collect(),
    }
}

fn pick<T: Clone>(items: &[T], i: Option<prop::sample::Index>) -> Option<T> {
    match i {
        Some(i) if !items.is_empty() => Some(items[i.index(items.len())].clone()),
        _ => None,
    }
}

#[derive(Debug, Clone)]
struct TicketCase {
    summary: String,
    details: Option<String>,
    tags: Vec<String>,
    impact: Option<i64>,
    urgency: Option<i64>,
    category: Option<String>,
    ticket_type: Option<prop::sample::Index>,
    agent: Option<prop::sample::Index>,
    team: Option<prop::sample::Index>,
    client: Option<prop::sample::Index>,
    site: Option<prop::sample::Index>,
    user: Option<prop::sample::Index>,
    priority: Option<u64>,
}

fn ticket_case() -> impl Strategy<Value = TicketCase> {
    let idx = || proptest::option::of(any::<prop::sample::Index>());
    (
        (
            text(),
            proptest::option::of(text()),
            proptest::collection::vec(text(), 0..3),
        ),
        (
            proptest::option::of(1i64..=4),
            proptest::option::of(1i64..=4),
            proptest::option::of(text()),
        ),
        (
            idx(),
            idx(),
            idx(),
            idx(),
            idx(),
            idx(),
            proptest::option::of(1u64..=4),
        ),
    )
        .prop_map(
            |(
                (summary, details, tags),
                (impact, urgency, category),
                (tt, agent, team, client, site, user, priority),
            )| {
                TicketCase {
                    summary,
                    details,
                    tags,
                    impact,
                    urgency,
                    category,
                    ticket_type: tt,
                    agent,
                    team,
                    client,
                    site,
                    user,
                    priority,
                }
            },
        )
}

#[test]
fn new_ticket_stored_by_the_sim_reads_back_equal() {
    let rt = runtime();
    let (sim, c, lookups) = rt.block_on(async {
        let sim = start(SimConfig::default()).await;
        let c = client(&sim, quick_retry());
        let lookups = tenant(&c).await;
        (sim, c, lookups)
    });
    let mut runner = TestRunner::new(cases(24));
    runner
        .run(&ticket_case(), |case| {
            rt.block_on(async {
                let tt = pick(&lookups.ticket_types, case.ticket_type);
                let agent = pick(&lookups.agents, case.agent);
                let team = pick(&lookups.teams, case.team);
                let client_id = pick(&lookups.clients, case.client);
                let site = pick(&lookups.sites, case.site);
                let user = pick(&lookups.users, case.user);
                let mut t = NewTicket::new(case.summary.clone());
                if let Some(v) = &case.details {
                    t = t.details(v.clone());
                }
                if let Some(v) = tt {
                    t = t.ticket_type(TicketTypeId::new(v));
                }
                if let Some(v) = agent {
                    t = t.agent(AgentId::new(v));
                }
                if let Some(v) = &team {
                    t = t.team(v.clone());
                }
                if let Some(v) = client_id {
                    t = t.client(ClientId::new(v));
                }
                if let Some(v) = site {
                    t = t.site(SiteId::new(v));
                }
                if let Some(v) = user {
                    t = t.user(UserId::new(v));
                }
                if let Some(v) = case.priority {
                    t = t.priority(PriorityId::new(v));
                }
                if let Some(v) = case.impact {
                    t = t.impact(v);
                }
                if let Some(v) = case.urgency {
                    t = t.urgency(v);
                }
                if let Some(v) = &case.category {
                    t = t.category(1, v.clone());
                }
                for tag in &case.tags {
                    t = t.tag(tag.clone());
                }
                let created = c.create_ticket(t).send().await.unwrap();
                let back = c.get_ticket(created.id).send().await.unwrap();
                prop_assert_eq!(back.id, created.id);
                prop_assert_eq!(back.summary.as_deref(), Some(case.summary.as_str()));
                if let Some(d) = &case.details {
                    prop_assert_eq!(back.details.as_deref(), Some(d.as_str()));
                }
                if let Some(v) = tt {
                    prop_assert_eq!(back.tickettype_id.map(|x| x.get()), Some(v));
                }
                if let Some(v) = agent {
                    prop_assert_eq!(back.agent_id.map(|x| x.get()), Some(v));
                }
                if let Some(v) = &team {
                    prop_assert_eq!(back.team.as_deref(), Some(v.as_str()));
                }
                if let Some(v) = client_id {
                    prop_assert_eq!(back.client_id.map(|x| x.get()), Some(v));
                }
                if let Some(v) = site {
                    prop_assert_eq!(back.site_id.map(|x| x.get()), Some(v));
                }
                if let Some(v) = user {
                    prop_assert_eq!(back.user_id.map(|x| x.get()), Some(v));
                }
                if let Some(v) = case.priority {
                    prop_assert_eq!(back.priority_id.map(|x| x.get()), Some(v));
                }
                if let Some(v) = case.impact {
                    prop_assert_eq!(back.impact, Some(v));
                }
                if let Some(v) = case.urgency {
                    prop_assert_eq!(back.urgency, Some(v));
                }
                if let Some(v) = &case.category {
                    prop_assert_eq!(back.category_1.as_deref(), Some(v.as_str()));
                }
                let tags: Vec<&str> = back.tag_texts();
                let wanted: Vec<&str> = case.tags.iter().map(String::as_str).collect();
                prop_assert_eq!(tags, wanted);
                Ok(())
            })
        })
        .unwrap();
    drop(sim);
}

#[test]
fn ticket_update_and_action_stored_by_the_sim_read_back_equal() {
    let rt = runtime();
    let (sim, c, lookups, id) = rt.block_on(async {
        let sim = start(SimConfig::default()).await;
        let c = client(&sim, quick_retry());
        let lookups = tenant(&c).await;
        let id = c
            .create_ticket(NewTicket::new("prop: updates"))
            .send()
            .await
            .unwrap()
            .id;
        (sim, c, lookups, id)
    });
    let strategy = (
        text(),
        proptest::option::of(any::<prop::sample::Index>()),
        proptest::option::of(any::<prop::sample::Index>()),
        text(),
        any::<prop::sample::Index>(),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(cases(24));
    runner
        .run(
            &strategy,
            |(summary, status, agent, note, outcome, hidden)| {
                rt.block_on(async {
                    let status = pick(&lookups.statuses, status);
                    let agent = pick(&lookups.agents, agent);
                    let mut u = TicketUpdate::new(id).summary(summary.clone());
                    if let Some(s) = status {
                        u = u.status(StatusId::new(s));
                    }
                    if let Some(a) = agent {
                        u = u.agent(AgentId::new(a));
                    }
                    c.update_ticket(u).send().await.unwrap();
                    let back = c.get_ticket(id).send().await.unwrap();
                    prop_assert_eq!(back.summary.as_deref(), Some(summary.as_str()));
                    if let Some(s) = status {
                        prop_assert_eq!(back.status_id.map(|x| x.get()), Some(s));
                    }
                    if let Some(a) = agent {
                        prop_assert_eq!(back.agent_id.map(|x| x.get()), Some(a));
                    }

                    let outcome = outcome.get(&lookups.outcomes).clone();
                    let a = NewAction::new(id, OutcomeRef::Name(outcome.clone()))
                        .note(note.clone())
                        .hidden_from_user(hidden);
                    let created = c.add_action(a).send().await.unwrap();
                    let listed = c.list_actions(id).send().await.unwrap();
                    let stored = listed
                        .iter()
                        .find(|x| x.id.is_some() && x.id == created.id)
                        .unwrap();
                    prop_assert_eq!(stored.note.as_deref(), Some(note.as_str()));
                    prop_assert_eq!(stored.outcome.as_deref(), Some(outcome.as_str()));
                    prop_assert_eq!(stored.hiddenfromuser, Some(hidden));
                    prop_assert_eq!(stored.ticket_id, Some(id));
                    Ok(())
                })
            },
        )
        .unwrap();
    drop(sim);
}

#[test]
fn paging_terminates_with_every_ticket_exactly_once() {
    let rt = runtime();
    let strategy = (
        0usize..130,
        0u32..130,
        proptest::option::of(0u64..150),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(cases(16));
    runner
        .run(&strategy, |(total, page_size, max, repeat_last)| {
            rt.block_on(async {
                let mut config = SimConfig::default();
                config.repeat_last_page = repeat_last;
                config.seed.tickets = (0..total)
                    .map(|i| json!({"summary": format!("seeded {i}")}))
                    .collect();
                let sim = start(config).await;
                let c = client(&sim, quick_retry());
                let mut list = c.list_tickets().page_size(page_size);
                if let Some(m) = max {
                    list = list.max_results(m);
                }
                let items: Vec<_> = tokio::time::timeout(
                    Duration::from_secs(30),
                    list.stream().try_collect::<Vec<_>>(),
                )
                .await
                .expect("paging finished")
                .unwrap();
                let ids: BTreeSet<u64> = items.iter().map(|t| t.id.get()).collect();
                let expected = max.map_or(total as u64, |m| m.min(total as u64));
                prop_assert_eq!(ids.len(), items.len(), "a ticket was yielded twice");
                prop_assert_eq!(items.len() as u64, expected);
                let size = u64::from(page_size.clamp(1, halo_api::MAX_PAGE_SIZE));
                let requests = sim.journal().count("GET /api/Tickets") as u64;
                prop_assert!(
                    requests <= expected.div_ceil(size) + 1,
                    "{} requests for {} tickets at page size {}",
                    requests,
                    expected,
                    size
                );
                sim.shutdown().await;
                Ok(())
            })
        })
        .unwrap();
}

#[test]
fn the_retry_loop_stays_within_its_attempt_and_time_bounds() {
    let rt = runtime();
    let strategy = (
        1u32..6,
        0u32..8,
        0u64..40,
        100u64..1_500,
        prop::sample::select(vec![429u16, 502, 503, 504]),
    );
    let mut runner = TestRunner::new(cases(16));
    runner
        .run(
            &strategy,
            |(max_attempts, failures, max_delay_ms, budget_ms, status)| {
                rt.block_on(async {
                    let sim = start(SimConfig::default()).await;
                    let policy = RetryPolicy::default()
                        .max_attempts(max_attempts)
                        .min_delay(Duration::from_millis(1))
                        .max_delay(Duration::from_millis(max_delay_ms.max(1)))
                        .max_elapsed(Duration::from_millis(budget_ms));
                    let c = client(&sim, policy);
                    // Warm the token so only the ticket request is counted and timed.
                    c.get_agent_me().send().await.unwrap();
                    let id = c
                        .create_ticket(NewTicket::new("prop: retries"))
                        .send()
                        .await
                        .unwrap()
                        .id;
                    sim.faults()
                        .next(failures, "GET /api/Tickets/*", Fault::status(status));
                    let started = Instant::now();
                    let result = c.get_ticket(id).send().await;
                    let took = started.elapsed();
                    let sent = sim.journal().count("GET /api/Tickets/*") as u32;
                    prop_assert!(
                        sent <= max_attempts,
                        "{} requests with max_attempts {}",
                        sent,
                        max_attempts
                    );
                    prop_assert!(sent >= 1);
                    if failures == 0 {
                        prop_assert!(result.is_ok());
                        prop_assert_eq!(sent, 1);
                    }
                    if failures >= max_attempts {
                        prop_assert!(
                            result.is_err(),
                            "{} failures answered Ok with max_attempts {}",
                            failures,
                            max_attempts
                        );
                    }
                    if result.is_ok() {
                        prop_assert_eq!(sent, failures + 1);
                    }
                    if let Err(e) = &result {
                        let kind = e.kind();
                        prop_assert!(
                            matches!(kind, ErrorKind::RateLimited | ErrorKind::Server),
                            "{:?}",
                            kind
                        );
                        prop_assert!(e.attempts() <= max_attempts);
                    }
                    // The budget bounds the waits; each attempt itself is quick against the in-process sim.
                    prop_assert!(
                        took <= Duration::from_millis(budget_ms) + Duration::from_secs(2),
                        "took {:?} with a budget of {} ms",
                        took,
                        budget_ms
                    );
                    sim.shutdown().await;
                    Ok(())
                })
            },
        )
        .unwrap();
}
