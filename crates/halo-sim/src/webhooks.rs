//! Outbound webhooks: on ticket created / updated / status changed / action added the sim POSTs Halo's
//! payload (halo-api.md §9.2) to the configured URL, optionally with Basic auth, and records each delivery.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::config::WebhookConfig;
use crate::dates::format_halo;
use crate::lock;

/// Event kinds the sim emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    TicketCreated,
    TicketUpdated,
    StatusChanged,
    ActionAdded,
}

impl Event {
    /// Halo's human-readable event name and a notification row id (only "ticket status changed"/41 is
    /// confirmed; the others are UNCERTAIN).
    fn name_and_notification(self) -> (&'static str, u32) {
        match self {
            Event::TicketCreated => ("new ticket logged", 1),
            Event::TicketUpdated => ("ticket updated", 61),
            Event::StatusChanged => ("ticket status changed", 41),
            Event::ActionAdded => ("action added", 3),
        }
    }

    fn message(self, id: u64) -> String {
        match self {
            Event::TicketCreated => format!("A new Ticket has been logged. Ticket ID: {id:07}."),
            Event::TicketUpdated => format!("Ticket ID: {id:07} has been updated."),
            Event::StatusChanged => format!("The status has been changed for Ticket ID: {id:07}."),
            Event::ActionAdded => format!("A new Action has been added to Ticket ID: {id:07}."),
        }
    }
}

/// One attempted delivery.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// Event name, e.g. `"ticket status changed"`.
    pub event: String,
    /// Ticket id.
    pub object_id: u64,
    /// Receiver's status; `None` when the POST failed.
    pub status: Option<u16>,
    /// Transport error, if any.
    pub error: Option<String>,
    /// The JSON body sent.
    pub body: Value,
    /// When it was sent (sim time).
    pub time: DateTime<Utc>,
}

/// Target, body, event name, ticket id.
type Job = (WebhookConfig, Value, String, u64);

#[derive(Debug)]
pub(crate) struct Webhooks {
    config: Mutex<Option<WebhookConfig>>,
    webhook_id: String,
    tx: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    deliveries: Arc<Mutex<Vec<WebhookDelivery>>>,
}

impl Webhooks {
    pub(crate) fn new(config: Option<WebhookConfig>) -> Self {
        Self {
            config: Mutex::new(config),
            webhook_id: uuid::Uuid::new_v4().to_string(),
            tx: Mutex::new(None),
            deliveries: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Start the delivery worker (needs a Tokio runtime).
    pub(crate) fn start(&self, clock: crate::clock::Clock) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        *lock(&self.tx) = Some(tx);
        let deliveries = Arc::clone(&self.deliveries);
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default();
            while let Some((cfg, body, event, object_id)) = rx.recv().await {
                let mut req = http.post(cfg.url.clone()).json(&body);
                if let Some((u, p)) = &cfg.basic_auth {
                    req = req.basic_auth(u, Some(p));
                }
                let (status, error) = match req.send().await {
                    Ok(r) => (Some(r.status().as_u16()), None),
                    Err(e) => (None, Some(e.without_url().to_string())),
                };
                lock(&deliveries).push(WebhookDelivery {
                    event,
                    object_id,
                    status,
                    error,
                    body,
                    time: clock.now(),
                });
            }
        });
    }

    pub(crate) fn set(&self, config: Option<WebhookConfig>) {
        *lock(&self.config) = config;
    }

    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.deliveries).clone()
    }

    /// Queue a delivery if a target is configured.
    pub(crate) fn emit(
        &self,
        event: Event,
        now: DateTime<Utc>,
        agent_id: u64,
        ticket: Value,
        action: Option<Value>,
    ) {
        let Some(cfg) = lock(&self.config).clone() else {
            return;
        };
        let object_id = ticket.get("id").and_then(Value::as_u64).unwrap_or(0);
        let (name, notification_id) = event.name_and_notification();
        let mut body = json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "webhook_id": self.webhook_id,
            "notification_id": notification_id,
            "escmsg_id": uuid::Uuid::new_v4().to_string(),
            "event": name,
            "message": event.message(object_id),
            "object_id": object_id,
            "agent_id": agent_id,
            "timestamp": format_halo(&now),
            "ticket": ticket,
        });
        if let Some(a) = action {
            body["action"] = a;
        }
        if let Some(tx) = lock(&self.tx).as_ref() {
            let _ = tx.send((cfg, body, name.to_owned(), object_id));
        }
    }
}
