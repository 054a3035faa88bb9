//! Trigger event delivery: POST to `dispatcher.url` (CA bundle from `SSL_CERT_FILE`, read by the platform
//! verifier), or print to stdout with `--debug`, as the runtime's `Http` and `Stdout` dispatchers do.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::FutureExt as _;
use futures::future::BoxFuture;
use serde_json::Value;

use crate::actions::EventSink;
use crate::envelope;
use crate::errors::StepError;

static DEBUG: AtomicBool = AtomicBool::new(false);

/// Set by `--debug`: triggers print events to stdout instead of posting them.
pub fn set_debug(debug: bool) {
    DEBUG.store(debug, Ordering::Relaxed);
}

/// The sink for a trigger_start's `dispatcher`.
pub fn sink_for(dispatcher: &Value, meta: &Value) -> Result<Box<dyn EventSink>, StepError> {
    if DEBUG.load(Ordering::Relaxed) {
        return Ok(Box::new(Stdout { meta: meta.clone() }));
    }
    let url = dispatcher
        .get("url")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            StepError::client(
                "dispatcher.url missing from trigger_start body",
                "Start triggers from the orchestrator, or use --debug.",
            )
        })?;
    // The platform verifier reads the orchestrator's CA bundle from `SSL_CERT_FILE` (or `SSL_CERT_DIR`).
    let builder = halo_auth::TlsConfig::default().client_builder();
    let client = builder.build().map_err(|e| {
        StepError::unexpected(
            "Could not build the dispatcher client.",
            "Check SSL_CERT_FILE.",
        )
        .with_data(e.to_string())
    })?;
    Ok(Box::new(Http {
        client,
        url: url.to_string(),
        meta: meta.clone(),
    }))
}

struct Stdout {
    meta: Value,
}

impl EventSink for Stdout {
    fn send<'a>(&'a self, output: Value) -> BoxFuture<'a, Result<(), StepError>> {
        let event = envelope::trigger_event(&self.meta, String::new(), output);
        let mut out = std::io::stdout().lock();
        let res = writeln!(out, "{event}").and_then(|()| out.flush());
        async move {
            res.map_err(|e| {
                StepError::unexpected(
                    "Could not write the event to stdout.",
                    "Check the process's stdout.",
                )
                .with_data(e.to_string())
            })
        }
        .boxed()
    }
}

struct Http {
    client: reqwest::Client,
    url: String,
    meta: Value,
}

impl EventSink for Http {
    fn send<'a>(&'a self, output: Value) -> BoxFuture<'a, Result<(), StepError>> {
        async move {
            let event = envelope::trigger_event(&self.meta, String::new(), output);
            let resp = self
                .client
                .post(&self.url)
                .json(&event)
                .send()
                .await
                .map_err(|e| {
                    StepError::plugin(
                        "The orchestrator's dispatcher could not be reached.",
                        "The event will be retried.",
                    )
                    .with_data(e.to_string())
                })?;
            if resp.status().is_success() {
                Ok(())
            } else {
                Err(StepError::plugin(
                    "The orchestrator's dispatcher rejected the event.",
                    "The event will be retried.",
                )
                .with_data(resp.status().to_string()))
            }
        }
        .boxed()
    }
}
