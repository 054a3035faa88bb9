//! Outbound webhooks in Halo's payload shape, with Basic auth.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use halo_sim::{SimConfig, WebhookConfig};
use serde_json::{Value, json};

type Seen = Arc<Mutex<Vec<(Option<String>, Value)>>>;

async fn receiver() -> (url::Url, Seen) {
    let seen: Seen = Arc::default();
    let s = Arc::clone(&seen);
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::Json<Value>| {
            let s = Arc::clone(&s);
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                s.lock().unwrap().push((auth, body.0));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (
        url::Url::parse(&format!("http://{addr}/hook")).unwrap(),
        seen,
    )
}

async fn wait_for(seen: &Seen, n: usize) -> Vec<(Option<String>, Value)> {
    for _ in 0..100 {
        if seen.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen.lock().unwrap().clone()
}

#[tokio::test]
async fn ticket_and_action_events_are_delivered_in_halos_shape() {
    let (url, seen) = receiver().await;
    let cfg = SimConfig::default()
        .with_rate_limit(None)
        .with_webhook(WebhookConfig::new(url).with_basic_auth("hook", "pw"));
    let sim = common::start_with(cfg).await;
    let id = sim
        .create_ticket(
            json!({"summary": "x", "customfields": [{"name": "CFExternalKey", "value": "K1"}]}),
        )
        .await;
    sim.post_json("/api/Tickets", json!([{"id": id, "summary": "y"}]))
        .await;
    sim.post_json("/api/Tickets", json!([{"id": id, "status_id": 9}]))
        .await;
    sim.post_json(
        "/api/Actions",
        json!([{"ticket_id": id, "outcome": "Private Note", "note": "n"}]),
    )
    .await;
    let got = wait_for(&seen, 4).await;
    let events: Vec<&str> = got
        .iter()
        .map(|(_, b)| b["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        vec![
            "new ticket logged",
            "ticket updated",
            "ticket status changed",
            "action added"
        ]
    );
    // "hook:pw" in Basic auth.
    assert!(
        got.iter()
            .all(|(a, _)| a.as_deref() == Some("Basic aG9vazpwdw=="))
    );
    let status = &got[2].1;
    for k in ["id", "webhook_id", "escmsg_id"] {
        assert!(
            uuid::Uuid::parse_str(status[k].as_str().unwrap()).is_ok(),
            "{k} is a GUID"
        );
    }
    assert_eq!(status["notification_id"], 41);
    assert_eq!(status["object_id"], id);
    assert_eq!(status["agent_id"], 3);
    assert_eq!(
        status["message"],
        format!("The status has been changed for Ticket ID: {id:07}.")
    );
    assert!(common::is_halo_date(status["timestamp"].as_str().unwrap()));
    assert_eq!(status["ticket"]["status_id"], 9);
    assert_eq!(status["ticket"]["hasbeenclosed"], true);
    assert!(status["ticket"]["customfields"].is_array());
    assert_eq!(got[3].1["action"]["outcome"], "Private Note");
    for _ in 0..100 {
        if sim.handle.webhook_deliveries().len() >= 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deliveries = sim.handle.webhook_deliveries();
    assert_eq!(deliveries.len(), 4);
    assert!(deliveries.iter().all(|d| d.status == Some(200)));
}

#[tokio::test]
async fn no_target_means_no_deliveries_and_failures_are_recorded() {
    let sim = common::start().await;
    sim.create_ticket(json!({"summary": "x"})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sim.handle.webhook_deliveries().is_empty());
    // A closed port: the delivery fails and is recorded with an error.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = url::Url::parse(&format!("http://{}/hook", dead.local_addr().unwrap())).unwrap();
    drop(dead);
    sim.handle.set_webhook(Some(WebhookConfig::new(url)));
    sim.create_ticket(json!({"summary": "y"})).await;
    for _ in 0..100 {
        if !sim.handle.webhook_deliveries().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let d = sim.handle.webhook_deliveries();
    assert_eq!(d.len(), 1);
    assert!(d[0].status.is_none() && d[0].error.is_some());
}
