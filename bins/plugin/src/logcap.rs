//! Log capture: every log line of a step goes to stderr and into that step's `body.log`.
//!
//! A step runs inside [`capture`]; a tracing layer appends each event to the task-local buffer, so
//! concurrent HTTP requests each get their own log.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

tokio::task_local! {
    static BUFFER: Arc<Mutex<String>>;
}

/// Runs `fut` with a fresh log buffer; returns its output and the captured log text.
pub async fn capture<F: std::future::Future>(fut: F) -> (F::Output, String) {
    let buf = Arc::new(Mutex::new(String::new()));
    let out = BUFFER.scope(buf.clone(), fut).await;
    let log = buf.lock().map(|s| s.clone()).unwrap_or_default();
    (out, log)
}

/// Installs the global subscriber: stderr plus capture. `debug` lowers the level to DEBUG.
pub fn init(debug: bool) {
    let level = if debug { Level::DEBUG } else { Level::INFO };
    let _ = tracing_subscriber::registry()
        .with(CaptureLayer { level })
        .with(crate::observability::logging::JsonLayer::new(level))
        .try_init();
}

struct CaptureLayer {
    level: Level,
}

impl<S: Subscriber> Layer<S> for CaptureLayer {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        meta.level() <= &self.level
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        if meta.level() > &self.level {
            return;
        }
        let mut v = LineVisitor::default();
        event.record(&mut v);
        let line = format!("{} {}{}\n", meta.level(), v.message, v.fields);
        let _ = BUFFER.try_with(|b| {
            if let Ok(mut b) = b.lock() {
                b.push_str(&line);
            }
        });
    }
}

#[derive(Default)]
struct LineVisitor {
    message: String,
    fields: String,
}

impl Visit for LineVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}
