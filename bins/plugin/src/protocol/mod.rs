//! Input messages `{"version": "v1", "type": .., "body": {..}}`, checked with the runtime's rules
//! (`Plugin.validate_input_message`) and its exact ClientException messages.

use serde_json::{Map, Value};

use crate::errors::StepError;

/// The message types the runtime accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    /// Run an action.
    ActionStart,
    /// Start a (long-running) trigger.
    TriggerStart,
    /// Run a task (accepted for parity; this plugin has none).
    TaskStart,
    /// Test the connection.
    ConnectionTest,
}

impl MessageType {
    /// The response envelope type.
    pub fn response_type(self) -> &'static str {
        match self {
            MessageType::ActionStart => "action_event",
            MessageType::TriggerStart => "trigger_event",
            MessageType::TaskStart => "task_event",
            MessageType::ConnectionTest => "connection_test",
        }
    }

    /// Key in the body naming the step (`action`, `trigger`, `task`).
    pub fn step_key(self) -> Option<&'static str> {
        match self {
            MessageType::ActionStart => Some("action"),
            MessageType::TriggerStart => Some("trigger"),
            MessageType::TaskStart => Some("task"),
            MessageType::ConnectionTest => None,
        }
    }
}

/// A validated input message.
#[derive(Debug, Clone)]
pub struct Message {
    /// Message type.
    pub kind: MessageType,
    /// Step name (action/trigger/task); `None` for connection tests.
    pub step: Option<String>,
    /// `body.meta`, echoed verbatim (`{}` when absent, `null` stays `null`).
    pub meta: Value,
    /// `body.input` (`{}` when absent).
    pub input: Value,
    /// `body.connection` (`{}` when absent).
    pub connection: Value,
    /// `body.dispatcher` (`{}` when absent).
    pub dispatcher: Value,
}

/// What is known about a message that failed to parse, so the error envelope can still be shaped.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// Best guess of the response type.
    pub response_type: &'static str,
    /// `body.meta` if it could be read.
    pub meta: Value,
    /// Why it was rejected.
    pub error: StepError,
    /// The connection, if readable (for output masking).
    pub connection: Value,
}

const ASSIST: &str = "Send one JSON object {\"version\": \"v1\", \"type\": ..., \"body\": {...}} as the InsightConnect orchestrator does.";

/// Parses raw bytes into a message.
pub fn parse(bytes: &[u8]) -> Result<Message, Box<Rejected>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        reject(
            "action_event",
            Value::Object(Map::new()),
            Value::Null,
            format!("Input message is not valid JSON: {e}"),
        )
    })?;
    from_value(value)
}

/// Validates an already-parsed JSON value.
pub fn from_value(value: Value) -> Result<Message, Box<Rejected>> {
    let empty = || Value::Object(Map::new());
    let Value::Object(mut msg) = value else {
        let text = if value.is_null() {
            "Input message was None"
        } else {
            "Input message is not a dictionary"
        };
        return Err(reject("action_event", empty(), Value::Null, text.into()));
    };
    let type_name = msg
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let kind = match type_name.as_str() {
        "action_start" => Some(MessageType::ActionStart),
        "trigger_start" => Some(MessageType::TriggerStart),
        "task_start" => Some(MessageType::TaskStart),
        "connection_test" => Some(MessageType::ConnectionTest),
        _ => None,
    };
    let response_type = kind.map_or("action_event", MessageType::response_type);
    let mut body = match msg.remove("body") {
        Some(Value::Object(b)) => Some(b),
        _ => None,
    };
    let meta = body
        .as_mut()
        .map_or_else(empty, |b| b.remove("meta").unwrap_or_else(empty));
    let connection = body
        .as_ref()
        .and_then(|b| b.get("connection").cloned())
        .unwrap_or(Value::Null);
    let fail = |text: String| reject(response_type, meta.clone(), connection.clone(), text);

    if !msg.contains_key("type") {
        return Err(fail("\"type\" missing from input message".into()));
    }
    if !msg.contains_key("version") {
        return Err(fail("\"version\" missing from input message".into()));
    }
    let Some(mut body) = body else {
        return Err(fail("\"body\" missing from input message".into()));
    };
    match msg.get("version") {
        Some(Value::String(v)) if v == "v1" => {}
        other => {
            let shown = other
                .and_then(Value::as_str)
                .map_or_else(|| "non-string".to_string(), str::to_string);
            return Err(fail(format!(
                "Unsupported version '{shown}'. Only v1 is supported"
            )));
        }
    }
    let Some(kind) = kind else {
        return Err(fail(
            "Unsupported message type. Must be action_start, trigger_start, connection_test, or task_start".into(),
        ));
    };
    let step = match kind.step_key() {
        Some(key) => match body.get(key) {
            None => {
                return Err(fail(format!(
                    "Message is {type_name} but field \"{key}\" is missing from body"
                )));
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                let mut cap = key.to_string();
                cap[..1].make_ascii_uppercase();
                return Err(fail(format!("{cap} field must be a string")));
            }
        },
        None => None,
    };
    let input = body.remove("input").unwrap_or_else(empty);
    let connection = body.remove("connection").unwrap_or_else(empty);
    let dispatcher = body.remove("dispatcher").unwrap_or_else(empty);
    Ok(Message {
        kind,
        step,
        meta,
        input,
        connection,
        dispatcher,
    })
}

fn reject(
    response_type: &'static str,
    meta: Value,
    connection: Value,
    text: String,
) -> Box<Rejected> {
    Box::new(Rejected {
        response_type,
        meta,
        error: StepError::client(text, ASSIST),
        connection,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        parse(s.as_bytes()).unwrap_err().error.error_string()
    }

    #[test]
    fn runtime_messages() {
        assert_eq!(
            err(r#"{"version":"v1","body":{}}"#),
            "\"type\" missing from input message"
        );
        assert_eq!(
            err(r#"{"type":"action_start","body":{}}"#),
            "\"version\" missing from input message"
        );
        assert_eq!(
            err(r#"{"type":"action_start","version":"v1"}"#),
            "\"body\" missing from input message"
        );
        assert_eq!(
            err(r#"{"type":"action_start","version":"v2","body":{}}"#),
            "Unsupported version 'v2'. Only v1 is supported"
        );
        assert_eq!(
            err(r#"{"type":"action_start","version":"v1","body":{}}"#),
            "Message is action_start but field \"action\" is missing from body"
        );
        assert_eq!(
            err(r#"{"type":"action_start","version":"v1","body":{"action":1}}"#),
            "Action field must be a string"
        );
        assert!(
            err(r#"{"type":"nope","version":"v1","body":{}}"#)
                .starts_with("Unsupported message type")
        );
        assert!(err("{not json").starts_with("Input message is not valid JSON"));
        assert_eq!(err("[]"), "Input message is not a dictionary");
    }

    #[test]
    fn defaults_and_meta_echo() {
        let m =
            parse(br#"{"type":"action_start","version":"v1","body":{"action":"a","meta":null}}"#)
                .unwrap();
        assert_eq!(m.meta, Value::Null);
        assert_eq!(m.input, serde_json::json!({}));
        assert_eq!(m.connection, serde_json::json!({}));
        let m = parse(br#"{"type":"connection_test","version":"v1","body":{}}"#).unwrap();
        assert_eq!(m.meta, serde_json::json!({}));
        assert_eq!(m.kind.response_type(), "connection_test");
    }

    #[test]
    fn rejected_keeps_meta() {
        let r = parse(br#"{"type":"action_start","version":"v9","body":{"meta":{"jobId":"j"}}}"#)
            .unwrap_err();
        assert_eq!(r.meta, serde_json::json!({"jobId": "j"}));
    }
}
