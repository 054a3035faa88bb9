//! Injection: search strings and names full of query/URL/JSON/HTML metacharacters reach Halo only as one encoded
//! query value or one JSON string. Checked on the wire, through halo-sim's request journal: the raw query decodes
//! to exactly the parameters the builder set (nothing smuggled in with `&`, `=` or `#`), the path is the route's,
//! and request bodies are JSON whose strings equal the input byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use halo_api::{HaloClient, NewAction, NewTicket, OutcomeRef, RateLimit, TicketUpdate};
use halo_auth::{ClientCredentials, ClientCredentialsConfig, SecretString};
use halo_sim::{JournalEntry, SimConfig, SimHandle, SimServer};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Hand-picked hostile inputs; the property test below adds generated ones.
const HOSTILE: &[&str] = &[
    "a&b=c",
    "x&pageinate=false&page_size=100000",
    "100% #1 ?q=1",
    "name\"with'quotes`",
    "<script>alert(document.cookie)</script>",
    "'; DROP TABLE faults; --",
    "../../api/Agent/me",
    "back\\slash / and + plus",
    "line\nbreak\ttab",
    "üñí©ødé € 😀",
    "{\"json\": [1, 2]}",
    "%26%3D%23 already-encoded",
];

async fn sim() -> SimHandle {
    SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap()
}

fn client(sim: &SimHandle) -> HaloClient {
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
        .timeouts(Duration::from_secs(2), Duration::from_secs(10))
        .build()
        .unwrap()
}

/// The query of an entry as decoded (key, value) pairs.
fn pairs(e: &JournalEntry) -> Vec<(String, String)> {
    url::form_urlencoded::parse(e.query.as_bytes())
        .into_owned()
        .collect()
}

fn last(sim: &SimHandle, pattern: &str) -> JournalEntry {
    sim.journal()
        .matching(pattern)
        .pop()
        .unwrap_or_else(|| panic!("no {pattern} in the journal"))
}

/// The search parameter arrives as exactly one value equal to the input, next to the paging parameters only.
fn assert_single_value(e: &JournalEntry, key: &str, value: &str) {
    let got = pairs(e);
    let values: Vec<&str> = got
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(values, vec![value], "query {:?}", e.query);
    let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    for k in &keys {
        assert!(
            [key, "pageinate", "page_size", "page_no"].contains(k),
            "unexpected parameter {k:?} in {:?}",
            e.query
        );
    }
    assert!(
        !e.query.contains('#'),
        "raw '#' in the query: {:?}",
        e.query
    );
    assert_eq!(
        got.iter().filter(|(k, _)| k == "page_size").count(),
        1,
        "page_size overridden: {:?}",
        e.query
    );
}

#[tokio::test]
async fn search_strings_are_single_encoded_query_values() {
    let sim = sim().await;
    let c = client(&sim);
    for s in HOSTILE {
        let _ = c
            .list_tickets()
            .search(*s)
            .page_size(5)
            .first_page()
            .await
            .unwrap();
        let e = last(&sim, "GET /api/Tickets");
        assert_eq!(
            e.path.to_ascii_lowercase(),
            "/api/tickets",
            "path changed by {s:?}"
        );
        assert_single_value(&e, "search", s);

        let _ = c.list_users().search(*s).first_page().await.unwrap();
        assert_single_value(&last(&sim, "GET /api/Users"), "search", s);

        let _ = c
            .list_tickets()
            .team_name(*s)
            .page_size(5)
            .first_page()
            .await
            .unwrap();
        assert_single_value(&last(&sim, "GET /api/Tickets"), "team_name", s);
    }
}

#[tokio::test]
async fn names_and_texts_are_json_strings_in_bodies() {
    let sim = sim().await;
    let c = client(&sim);
    for s in HOSTILE {
        let t = c
            .create_ticket(NewTicket::new(*s).details(*s).tag(*s))
            .send()
            .await
            .unwrap();
        let e = last(&sim, "POST /api/Tickets");
        assert!(
            e.query.is_empty(),
            "a create carries no query: {:?}",
            e.query
        );
        let body = e.body_json().expect("the body is JSON");
        let item = &body.as_array().expect("POST bodies are arrays")[0];
        assert_eq!(item["summary"], *s);
        assert_eq!(item["details"], *s);
        assert_eq!(item["tags"][0]["text"], *s);
        // And Halo stored exactly that.
        let stored = sim.ticket(t.id.get()).unwrap();
        assert_eq!(stored["summary"], *s);

        c.update_ticket(TicketUpdate::new(t.id).summary(*s))
            .send()
            .await
            .unwrap();
        assert_eq!(
            last(&sim, "POST /api/Tickets").body_json().unwrap()[0]["summary"],
            *s
        );

        c.add_action(NewAction::new(t.id, OutcomeRef::Name("Private Note".into())).note(*s))
            .send()
            .await
            .unwrap();
        let action = last(&sim, "POST /api/Actions").body_json().unwrap();
        assert_eq!(action[0]["note"], *s);
    }
}

#[test]
fn generated_search_strings_are_single_encoded_query_values() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (sim, c) = rt.block_on(async {
        let sim = sim().await;
        let c = client(&sim);
        (sim, c)
    });
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&"[ -~éü€😀\t]{1,60}", |s| {
            rt.block_on(async {
                let _ = c
                    .list_tickets()
                    .search(s.clone())
                    .page_size(3)
                    .first_page()
                    .await
                    .unwrap();
                let e = last(&sim, "GET /api/Tickets");
                prop_assert_eq!(e.path.to_ascii_lowercase(), "/api/tickets");
                let got = pairs(&e);
                let values: Vec<&str> = got
                    .iter()
                    .filter(|(k, _)| k == "search")
                    .map(|(_, v)| v.as_str())
                    .collect();
                prop_assert_eq!(values, vec![s.as_str()]);
                prop_assert_eq!(
                    got.len(),
                    4,
                    "search + pageinate + page_size + page_no, got {:?}",
                    e.query
                );
                Ok(())
            })
        })
        .unwrap();
    drop(sim);
}
