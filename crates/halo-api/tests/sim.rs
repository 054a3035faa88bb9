//! The client against halo-sim, an in-process Halo tenant on 127.0.0.1:0: the real token flow, ticket and action
//! round trips, paging, a create whose response is lost after Halo applied it, Halo's 429 and token revocation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use halo_api::{
    CountingObserver, ErrorKind, HaloClient, NewAction, NewTicket, OutcomeRef, RateLimit,
    RetryPolicy, StatusId, TicketUpdate,
};
use halo_auth::{ClientCredentials, ClientCredentialsConfig, SecretString, TokenProvider};
use halo_sim::{Fault, RateLimitConfig, SimConfig, SimHandle, SimServer};
use serde_json::json;

async fn sim() -> SimHandle {
    SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap()
}

fn tokens(sim: &SimHandle) -> Arc<ClientCredentials> {
    let mut config = ClientCredentialsConfig::new(
        sim.client_id(),
        SecretString::from(sim.client_secret().to_owned()),
        sim.authorization_server_url(),
    );
    if let Some(t) = sim.tenant() {
        config = config.with_tenant(t);
    }
    Arc::new(ClientCredentials::from_config(config).unwrap())
}

fn client(sim: &SimHandle, tokens: Arc<dyn TokenProvider>) -> HaloClient {
    HaloClient::builder()
        .resource_server(sim.resource_server_url())
        .token_provider(tokens)
        .rate_limit(RateLimit::new(10_000, Duration::from_secs(1)).burst(10_000))
        .retry(
            RetryPolicy::default()
                .min_delay(Duration::from_millis(20))
                .max_delay(Duration::from_millis(100)),
        )
        .timeouts(Duration::from_secs(2), Duration::from_secs(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn ticket_and_action_round_trip() {
    let sim = sim().await;
    let c = client(&sim, tokens(&sim));
    let me = c.get_agent_me().send().await.unwrap();
    assert!(me.id.get() > 0);

    let created = c
        .create_ticket(NewTicket::new("sim: VPN down").details("since 09:00"))
        .send()
        .await
        .unwrap();
    let id = created.id;
    let fetched = c.get_ticket(id).include_details(true).await.unwrap();
    assert_eq!(fetched.summary.as_deref(), Some("sim: VPN down"));

    let statuses = c.list_statuses().await.unwrap(); // builders are IntoFuture too
    let in_progress = statuses
        .iter()
        .find(|s| s.id != StatusId::new(1))
        .map(|s| s.id)
        .unwrap();
    let updated = c
        .update_ticket(TicketUpdate::new(id).status(in_progress))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status_id, Some(in_progress));

    let action = c
        .add_action(
            NewAction::new(id, OutcomeRef::Name("Private Note".into())).note("checked the logs"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(action.ticket_id, Some(id));
    let actions = c.list_actions(id).send().await.unwrap();
    assert!(
        actions
            .iter()
            .any(|a| a.note.as_deref() == Some("checked the logs"))
    );

    let found: Vec<_> = c
        .list_tickets()
        .search("sim: VPN")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(found.iter().any(|t| t.id == id));

    c.delete_ticket(id)
        .reason("test done")
        .send()
        .await
        .unwrap();
    for lookup in [
        c.list_ticket_types().build(),
        c.list_priorities().build(),
        c.list_teams().build(),
        c.list_agents().build(),
        c.list_outcomes().build(),
    ] {
        c.raw(
            lookup.method.clone(),
            &lookup.path,
            lookup.query.clone(),
            None,
        )
        .send()
        .await
        .unwrap();
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn paging_through_250_matching_tickets_takes_three_requests() {
    let sim = sim().await;
    for i in 0..250 {
        sim.upsert_ticket(json!({"summary": format!("bulkpage ticket {i}"), "details": "x"}))
            .unwrap();
    }
    let c = client(&sim, tokens(&sim));
    sim.journal().clear();
    let all: Vec<_> = c
        .list_tickets()
        .search("bulkpage")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 250);
    let mut ids: Vec<_> = all.iter().map(|t| t.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 250, "no duplicates");
    assert_eq!(sim.journal().count("GET /api/Tickets"), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_create_applied_but_unanswered_is_outcome_unknown_and_sent_once() {
    let sim = sim().await;
    let c = client(&sim, tokens(&sim));
    c.get_agent_me().send().await.unwrap();
    let before = sim.tickets().len();
    sim.faults()
        .next(1, "POST /api/Tickets", Fault::DropAfterWrite);
    let err = c
        .create_ticket(NewTicket::new("lost answer"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutcomeUnknown, "{err}");
    assert_eq!(sim.journal().count("POST /api/Tickets"), 1, "never retried");
    assert_eq!(
        sim.tickets().len(),
        before + 1,
        "Halo did create it: exactly once"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn halo_rate_limit_is_waited_out_for_every_caller() {
    let limit = RateLimitConfig::new(4, Duration::from_secs(1)).with_retry_after(true);
    let sim = SimServer::start(SimConfig::default().with_rate_limit(Some(limit)))
        .await
        .unwrap();
    let counters = Arc::new(CountingObserver::default());
    let c = HaloClient::builder()
        .resource_server(sim.resource_server_url())
        .token_provider(tokens(&sim))
        .rate_limit(RateLimit::new(10_000, Duration::from_secs(1)).burst(10_000))
        .retry(
            RetryPolicy::default()
                .max_attempts(6)
                .min_delay(Duration::from_millis(50)),
        )
        .observer(counters.clone())
        .build()
        .unwrap();
    let calls = (0..10).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.list_statuses().send().await })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert!(counters.rate_limited() >= 1, "the sim's limit was hit");
    assert!(
        sim.journal()
            .entries()
            .iter()
            .filter(|e| e.rate_limited)
            .count()
            < 10,
        "no retry storm"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn revoked_tokens_are_replaced_once() {
    let sim = sim().await;
    let t = tokens(&sim);
    let c = client(&sim, t.clone());
    c.get_agent_me().send().await.unwrap();
    sim.revoke_tokens();
    let calls = (0..10).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.list_teams().send().await })
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap().unwrap();
    }
    assert_eq!(t.stats().tokens_fetched, 2, "one token, one refresh");
    sim.shutdown().await;
}
