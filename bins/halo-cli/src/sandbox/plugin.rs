//! Driving the InsightConnect plugin's real code paths in-process: actions go through `runner::execute` (the same
//! function the orchestrator's messages reach: connection and input validated against the spec, output validated,
//! secrets masked), triggers through the registry's `Trigger::run` with an in-memory event sink.

use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use haloitsm_plugin::actions::{EventSink, registry};
use haloitsm_plugin::connection::Connections;
use haloitsm_plugin::errors::StepError;
use haloitsm_plugin::protocol::{Message, MessageType};
use haloitsm_plugin::runner::{Mode, execute};
use haloitsm_plugin::spec::{plugin_spec, schema};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// What an action answered with.
#[derive(Debug)]
pub enum Answer {
    /// `status: ok` with the output.
    Ok(Value),
    /// `status: error`: the HTTP status the plugin maps it to, and its exception (cause, assistance, data).
    Error(u16, Value),
}

/// The plugin, with one connection (as InsightConnect would send it).
pub struct Plugin {
    connections: Connections,
    connection: Value,
}

impl Plugin {
    /// A plugin bound to this connection JSON.
    pub fn new(connection: Value) -> Self {
        Self {
            connections: Connections::default(),
            connection,
        }
    }

    /// The connection as sent.
    pub fn connection(&self) -> &Value {
        &self.connection
    }

    /// Run an action with `input` exactly as an `action_start` message would.
    pub async fn action(&self, name: &str, input: Value) -> Answer {
        self.action_with(name, input, self.connection.clone()).await
    }

    /// Run an action against another connection (e.g. a wrong secret).
    pub async fn action_with(&self, name: &str, input: Value, connection: Value) -> Answer {
        let msg = Message {
            kind: MessageType::ActionStart,
            step: Some(name.to_string()),
            meta: json!({}),
            input,
            connection,
            dispatcher: json!({}),
        };
        let outcome = execute(&self.connections, msg, Mode::Run).await;
        let body = outcome.envelope.get("body").cloned().unwrap_or(Value::Null);
        if outcome.is_ok() {
            Answer::Ok(body.get("output").cloned().unwrap_or(Value::Null))
        } else {
            Answer::Error(
                outcome.status,
                body.get("exception").cloned().unwrap_or(Value::Null),
            )
        }
    }

    /// Whether the plugin has a trigger of this name.
    pub fn has_trigger(name: &str) -> bool {
        registry().trigger(name).is_some()
    }

    /// Start a trigger in the background; its events arrive on the returned channel. Dropping the handle stops it.
    pub async fn start_trigger(
        &self,
        name: &str,
        input: Value,
        trigger_id: &str,
    ) -> Result<RunningTrigger, String> {
        let trigger = registry()
            .trigger(name)
            .ok_or_else(|| format!("the plugin has no trigger {name}"))?;
        let spec = plugin_spec();
        schema::validate_object(spec, &input, &trigger.spec().input, "")
            .map_err(|v| format!("trigger input rejected: {v}"))?;
        let ctx = self
            .connections
            .get(&self.connection)
            .await
            .map_err(|e| e.error_string())?;
        let (tx, rx) = mpsc::unbounded_channel();
        let meta = json!({ "triggerId": trigger_id });
        let name = name.to_string();
        let task = tokio::spawn(async move {
            let sink = ChannelSink(tx);
            // `registry()` is 'static, so the trigger outlives the task.
            match registry().trigger(&name) {
                Some(t) => t
                    .run(&ctx, input, &meta, &sink)
                    .await
                    .map_err(|e| e.error_string()),
                None => Ok(()),
            }
        });
        Ok(RunningTrigger { rx, task })
    }
}

struct ChannelSink(mpsc::UnboundedSender<Value>);

impl EventSink for ChannelSink {
    fn send<'a>(&'a self, output: Value) -> BoxFuture<'a, Result<(), StepError>> {
        async move {
            self.0.send(output).map_err(|_| {
                StepError::unexpected(
                    "The sandbox stopped listening for trigger events.",
                    "Nothing to do.",
                )
            })
        }
        .boxed()
    }
}

/// A trigger running in the background.
pub struct RunningTrigger {
    rx: mpsc::UnboundedReceiver<Value>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

impl RunningTrigger {
    /// The first event matching `pred` within `within`; the trigger's own error if it stopped.
    pub async fn wait_for(
        &mut self,
        within: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            tokio::select! {
                ev = self.rx.recv() => match ev {
                    Some(ev) if pred(&ev) => return Ok(ev),
                    Some(_) => continue,
                    None => {
                        return Err(match (&mut self.task).await {
                            Ok(Err(e)) => format!("the trigger stopped: {e}"),
                            _ => "the trigger stopped without an event".to_string(),
                        });
                    }
                },
                () = tokio::time::sleep_until(deadline) => {
                    return Err(format!("no matching event within {} s", within.as_secs()));
                }
            }
        }
    }
}

impl Drop for RunningTrigger {
    fn drop(&mut self) {
        self.task.abort();
    }
}
