//! Logging on stderr: human-readable text by default, or with `--log-format json` one JSON object per event for
//! log shippers, in the plugin's format.
//!
//! Each JSON line carries `timestamp`, `level`, `component` (from the tracing target: `halo-api`,
//! `halo-cli.bulk`, `plugin.actions`), `message`, the invocation's `request_id` (a random UUID, one per run) and
//! `command` (`tickets import`), plus the fields of the event and of every enclosing span flattened in —
//! halo-api's `route`, `method`, `attempt`, `status`, `latency_ms` (its own per-request id becomes
//! `halo_request_id`). Only fields that code chose to log are written: no library logs a secret or a token.

use std::fmt::Write as _;
use std::io::Write as _;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::cli::{GlobalArgs, LogFormat};

/// Set up tracing on stderr from `--quiet`/`--verbose`/`--log-format` (RUST_LOG, when set, wins). `command` is
/// the command path (`lookup`, `tickets get`) the JSON lines name.
pub fn init(g: &GlobalArgs, command: &str) {
    let level = if g.quiet {
        "error"
    } else {
        match g.verbose {
            // The command reports its own failure; the libraries' per-attempt warnings are for -v.
            0 => "warn,halo_api=error,halo_auth=error",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    match g.log_format {
        LogFormat::Json => {
            let layer = JsonLayer {
                command: command.to_string(),
                request_id: new_request_id(),
            };
            let _ = tracing_subscriber::registry()
                .with(layer.with_filter(filter))
                .try_init();
        }
        LogFormat::Text => {
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr())
                && crate::output::color_allowed();
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .with_target(g.verbose >= 2)
                .with_ansi(ansi)
                .try_init();
        }
    }
}

/// A random (version 4) UUID: 122 bits from the standard library's randomly keyed hasher, which is seeded from
/// the operating system's random source.
pub fn new_request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.write_usize(i);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The `component` of a tracing target: `halo_cli::commands::bulk` → `halo-cli.bulk`, `halo_cli::client` →
/// `halo-cli.client`; other crates as the plugin names them (`halo_api::send` → `halo-api`,
/// `haloitsm_plugin::actions::upsert` → `plugin.actions`).
pub fn component(target: &str) -> String {
    let mut parts = target.split("::");
    match parts.next() {
        Some("halo_cli") => match target.rsplit("::").next() {
            Some(m) if m != "halo_cli" => format!("halo-cli.{m}"),
            _ => "halo-cli".into(),
        },
        _ => haloitsm_plugin::observability::logging::component(target),
    }
}

/// Writes one JSON object per event to stderr.
struct JsonLayer {
    command: String,
    request_id: String,
}

/// Fields recorded on a span, kept in its extensions.
struct SpanFields(Map<String, Value>);

struct JsonVisitor<'a> {
    map: &'a mut Map<String, Value>,
    /// halo-api's `halo_request` span has its own `request_id` (sent to Halo as `X-Request-Id`); it is kept as
    /// `halo_request_id` so the invocation's id stays the top-level `request_id`.
    halo_span: bool,
}

impl JsonVisitor<'_> {
    fn put(&mut self, field: &Field, value: Value) {
        let key = match field.name() {
            "request_id" if self.halo_span => "halo_request_id".to_string(),
            n => n.to_string(),
        };
        self.map.insert(key, value);
    }
}

impl Visit for JsonVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        self.put(field, Value::String(s));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }
}

impl JsonLayer {
    /// The JSON object for one event, given the fields of its spans (outermost first).
    fn line(
        &self,
        meta: &tracing::Metadata<'_>,
        mut fields: Map<String, Value>,
    ) -> Map<String, Value> {
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            Value::from(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        );
        line.insert("level".into(), Value::from(meta.level().as_str()));
        line.insert("component".into(), Value::from(component(meta.target())));
        line.insert(
            "message".into(),
            fields.remove("message").unwrap_or(Value::from("")),
        );
        line.insert("request_id".into(), Value::from(self.request_id.as_str()));
        line.insert("command".into(), Value::from(self.command.as_str()));
        for (k, v) in fields {
            // The top-level keys above are never overwritten by a field of the same name.
            line.entry(k).or_insert(v);
        }
        line
    }
}

impl<S> Layer<S> for JsonLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
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
        let mut text = Value::Object(self.line(event.metadata(), fields)).to_string();
        text.push('\n');
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_distinct_version_4_uuids() {
        let a = new_request_id();
        let b = new_request_id();
        assert_ne!(a, b);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            vec![8, 4, 4, 4, 12],
            "{a}"
        );
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{a}");
        assert!(groups[2].starts_with('4'), "version nibble: {a}");
        assert!(
            matches!(groups[3].chars().next(), Some('8' | '9' | 'a' | 'b')),
            "variant bits: {a}"
        );
    }

    #[test]
    fn components_name_the_crate_and_module() {
        assert_eq!(component("halo_cli::commands::bulk"), "halo-cli.bulk");
        assert_eq!(component("halo_cli::client"), "halo-cli.client");
        assert_eq!(component("halo_cli"), "halo-cli");
        assert_eq!(component("halo_api::send"), "halo-api");
        assert_eq!(
            component("haloitsm_plugin::actions::upsert"),
            "plugin.actions"
        );
    }
}
