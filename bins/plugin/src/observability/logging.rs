//! Structured logs: a tracing layer writing one JSON object per event to stderr, flattening the fields of
//! every enclosing span (the plugin's `http_request` / `plugin_step` spans, halo-api's `halo_request` /
//! `halo_attempt` spans) into it, so each line carries the request id, the action or trigger, the Halo route
//! template, attempt, status and latency.
//!
//! Only fields that code chose to log are written; nothing here reads request or ticket bodies, and the
//! plugin and halo-api log no secret, token or ticket body at INFO.

use std::fmt::Write as _;
use std::io::Write as _;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Writes JSON lines to stderr for events at `level` or more severe.
#[derive(Debug, Clone, Copy)]
pub struct JsonLayer {
    level: Level,
}

impl JsonLayer {
    /// A layer logging at `level` (INFO, or DEBUG with `--debug`).
    pub fn new(level: Level) -> Self {
        Self { level }
    }
}

/// Fields recorded on a span, kept in its extensions.
struct SpanFields(Map<String, Value>);

struct JsonVisitor<'a> {
    map: &'a mut Map<String, Value>,
    /// halo-api's `request_id` is its own per-request id (sent to Halo as `X-Request-Id`); the plugin's
    /// `request_id` is the orchestrator's. Both are kept under different keys.
    halo_span: bool,
}

impl JsonVisitor<'_> {
    fn key(&self, field: &Field) -> String {
        match field.name() {
            "request_id" if self.halo_span => "halo_request_id".into(),
            n => n.to_string(),
        }
    }
}

impl Visit for JsonVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        self.map.insert(self.key(field), Value::String(s));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.map.insert(self.key(field), Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.map.insert(self.key(field), Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.map.insert(self.key(field), Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.map.insert(self.key(field), Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.map.insert(self.key(field), Value::from(value));
    }
}

/// `halo_api::send` → `halo-api`, `haloitsm_plugin::triggers::engine` → `plugin.triggers`.
pub fn component(target: &str) -> String {
    let mut parts = target.split("::");
    match (parts.next(), parts.next()) {
        (Some("haloitsm_plugin"), Some(m)) => format!("plugin.{m}"),
        (Some("haloitsm_plugin"), None) => "plugin".into(),
        (Some(c), _) => c.replace('_', "-"),
        (None, _) => String::new(),
    }
}

impl<S> Layer<S> for JsonLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        meta.level() <= &self.level
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut map = Map::new();
        attrs.record(&mut JsonVisitor {
            map: &mut map,
            halo_span: span.name() == "halo_request",
        });
        span.extensions_mut().insert(SpanFields(map));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let halo_span = span.name() == "halo_request";
        let mut ext = span.extensions_mut();
        if let Some(SpanFields(map)) = ext.get_mut::<SpanFields>() {
            values.record(&mut JsonVisitor { map, halo_span });
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        if meta.level() > &self.level {
            return;
        }
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            Value::from(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        );
        line.insert("level".into(), Value::from(meta.level().as_str()));
        line.insert("component".into(), Value::from(component(meta.target())));
        let mut fields = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(m)) = span.extensions().get::<SpanFields>() {
                    fields.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        event.record(&mut JsonVisitor {
            map: &mut fields,
            halo_span: false,
        });
        let message = fields.remove("message").unwrap_or(Value::from(""));
        line.insert("message".into(), message);
        line.extend(fields);
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn components_name_the_crate_and_plugin_module() {
        assert_eq!(component("halo_api::send"), "halo-api");
        assert_eq!(
            component("haloitsm_plugin::triggers::engine"),
            "plugin.triggers"
        );
        assert_eq!(component("haloitsm_plugin"), "plugin");
    }
}
