//! Output envelopes, exactly as the Python runtime writes them (`Plugin.envelope`, `Trigger.send`).

use serde_json::{Map, Value, json};

use crate::errors::StepError;

/// `{"body": {log, status: "ok", meta, output}, "version": "v1", "type": ..}`.
pub fn ok(message_type: &str, meta: &Value, log: String, output: Value) -> Value {
    let mut body = Map::new();
    body.insert("log".into(), log.into());
    body.insert("status".into(), "ok".into());
    body.insert("meta".into(), meta.clone());
    body.insert("output".into(), output);
    wrap(message_type, body)
}

/// `{"body": {log, status: "error", meta, error, exception {cause, assistance, data}}, ..}`.
pub fn error(message_type: &str, meta: &Value, log: String, err: &StepError) -> Value {
    let mut body = Map::new();
    body.insert("log".into(), log.into());
    body.insert("status".into(), "error".into());
    body.insert("meta".into(), meta.clone());
    body.insert("error".into(), err.error_string().into());
    body.insert(
        "exception".into(),
        json!({"cause": err.cause, "assistance": err.assistance, "data": err.data}),
    );
    wrap(message_type, body)
}

/// A trigger event: `{"body": {meta, output, log}, "type": "trigger_event", "version": "v1"}` (no status).
pub fn trigger_event(meta: &Value, log: String, output: Value) -> Value {
    let mut body = Map::new();
    body.insert("meta".into(), meta.clone());
    body.insert("output".into(), output);
    body.insert("log".into(), log.into());
    wrap("trigger_event", body)
}

fn wrap(message_type: &str, body: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert("body".into(), Value::Object(body));
    m.insert("version".into(), "v1".into());
    m.insert("type".into(), message_type.into());
    Value::Object(m)
}
