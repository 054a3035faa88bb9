//! Bad input never gets a 5xx, a panic or a hang: random JSON at every writable endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use serde_json::{Map, Value, json};

fn random_value(rng: &mut fastrand::Rng, depth: u32) -> Value {
    match rng.u8(0..if depth > 2 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(rng.bool()),
        2 => json!(rng.i64(-5..20_000)),
        3 => json!(rng.f64() * 1e6 - 5e5),
        4 => {
            let pool = [
                "",
                "1",
                "9",
                "abc",
                "2024-06-20T14:45:15Z",
                "data:text/plain;base64,SGk=",
                "Private Note",
                "é\u{0}",
            ];
            json!(pool[rng.usize(..pool.len())])
        }
        5 => Value::Array(
            (0..rng.usize(0..4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => Value::Object(random_object(rng, depth + 1)),
    }
}

fn random_object(rng: &mut fastrand::Rng, depth: u32) -> Map<String, Value> {
    let keys = [
        "id",
        "summary",
        "status_id",
        "tickettype_id",
        "agent_id",
        "team",
        "team_id",
        "customfields",
        "tags",
        "attachments",
        "ticket_id",
        "outcome",
        "outcome_id",
        "note",
        "new_status",
        "new_team",
        "filename",
        "data_base64",
        "dateoccurred",
        "_recover",
        "user_id",
        "site_id",
        "client_id",
        "userlookup",
        "timetaken",
    ];
    (0..rng.usize(0..8))
        .map(|_| {
            (
                keys[rng.usize(..keys.len())].to_owned(),
                random_value(rng, depth),
            )
        })
        .collect()
}

#[tokio::test]
async fn random_bodies_get_2xx_or_4xx_never_5xx() {
    let sim = common::start().await;
    let mut rng = fastrand::Rng::with_seed(7);
    for i in 0..300 {
        let path = ["/api/Tickets", "/api/Actions", "/api/Attachment"][i % 3];
        let body = if rng.u8(0..5) == 0 {
            random_value(&mut rng, 0)
        } else {
            Value::Array(
                (0..rng.usize(1..3))
                    .map(|_| Value::Object(random_object(&mut rng, 0)))
                    .collect(),
            )
        };
        let r = sim
            .http
            .post(sim.url(path))
            .bearer_auth(&sim.token)
            .json(&body)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path} {body}: {e}"));
        let status = r.status().as_u16();
        assert!(
            status == 201 || (400..500).contains(&status),
            "{path} {body} -> {status}"
        );
    }
    // Still healthy afterwards.
    assert_eq!(sim.get("/api/Tickets").await.status(), 200);
}

#[tokio::test]
async fn random_query_strings_never_5xx() {
    let sim = common::start().await;
    sim.create_ticket(json!({"summary": "x"})).await;
    let mut rng = fastrand::Rng::with_seed(11);
    let keys = [
        "pageinate",
        "page_size",
        "page_no",
        "count",
        "status_id",
        "team",
        "order",
        "orderdesc",
        "datesearch",
        "startdate",
        "lastupdatefromdate",
        "ticket_id",
        "search",
        "deleted",
        "includehtmlnote",
        "slaid",
    ];
    let vals = [
        "",
        "true",
        "0",
        "-1",
        "99999999999999999999",
        "abc",
        "2024-01-01",
        "dateoccured",
        "id",
        "1,2",
        "%ZZ",
    ];
    for i in 0..300 {
        let path = [
            "/api/Tickets",
            "/api/Actions",
            "/api/Agent",
            "/api/Users",
            "/api/Priority",
            "/api/Tickets/1001",
            "/api/Attachment",
        ][i % 7];
        let q: Vec<String> = (0..rng.usize(0..4))
            .map(|_| {
                format!(
                    "{}={}",
                    keys[rng.usize(..keys.len())],
                    vals[rng.usize(..vals.len())]
                )
            })
            .collect();
        let r = sim.get(&format!("{path}?{}", q.join("&"))).await;
        assert!(
            r.status().as_u16() < 500,
            "{path}?{} -> {}",
            q.join("&"),
            r.status()
        );
    }
}
