//! The plugin's in-process metrics registry and its Prometheus text rendering.
//!
//! One process-wide registry ([`global`]) of counters, gauges and histograms keyed by metric name and
//! label values. Halo API figures arrive through halo-api's [`Observer`] ([`observer`]), token figures are
//! read from each connection's [`TokenProvider::stats`] at render time ([`track_tokens`]), and the
//! runner, the webhook action and the trigger engine call the `record_*` / `trigger_*` functions.
//! A `Mutex<BTreeMap>` is plenty here: a few updates per Halo request, and scrapes are rare.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use halo_api::{AttemptEvent, Observer};
use halo_auth::TokenProvider;

/// Prefix of every metric name.
pub const PREFIX: &str = "haloitsm_plugin_";

/// Histogram bucket upper bounds, in seconds (Halo calls take tens of ms to tens of seconds).
pub const BUCKETS: &[f64] = &[
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Counter,
    Gauge,
    Histogram,
}

struct Def {
    name: &'static str,
    ty: Type,
    help: &'static str,
    /// Unlabelled series are always rendered (0 until something happens), so alerts never see "no data".
    unlabelled: bool,
}

/// Every metric the plugin exports (names without [`PREFIX`]).
const DEFS: &[Def] = &[
    Def {
        name: "actions_total",
        ty: Type::Counter,
        help: "Action runs by action and result (ok or error).",
        unlabelled: false,
    },
    Def {
        name: "action_errors_total",
        ty: Type::Counter,
        help: "Failed action runs by action and error kind (a Halo error kind such as rate_limited or not_found, or input, plugin, connection_test, internal).",
        unlabelled: false,
    },
    Def {
        name: "action_duration_seconds",
        ty: Type::Histogram,
        help: "Action execution time, from validated message to output, by action.",
        unlabelled: false,
    },
    Def {
        name: "connection_tests_total",
        ty: Type::Counter,
        help: "Connection tests by result.",
        unlabelled: false,
    },
    Def {
        name: "halo_requests_total",
        ty: Type::Counter,
        help: "HTTP attempts to the Halo API by route template and status (\"none\" when no response arrived).",
        unlabelled: false,
    },
    Def {
        name: "halo_request_duration_seconds",
        ty: Type::Histogram,
        help: "Latency of one HTTP attempt to the Halo API, by route template.",
        unlabelled: false,
    },
    Def {
        name: "halo_rate_limited_total",
        ty: Type::Counter,
        help: "429 answers from Halo by route template.",
        unlabelled: true,
    },
    Def {
        name: "halo_retries_total",
        ty: Type::Counter,
        help: "Retries scheduled by halo-api's retry policy, by route template.",
        unlabelled: true,
    },
    Def {
        name: "rate_limiter_wait_seconds_total",
        ty: Type::Counter,
        help: "Time requests spent waiting on the shared rate limiter or a 429 pause, by route template.",
        unlabelled: true,
    },
    Def {
        name: "token_fetches_total",
        ty: Type::Counter,
        help: "Access tokens obtained from Halo's authorization server (all connections).",
        unlabelled: true,
    },
    Def {
        name: "token_refresh_failures_total",
        ty: Type::Counter,
        help: "Failed token requests to Halo's authorization server (all connections).",
        unlabelled: true,
    },
    Def {
        name: "token_rejections_total",
        ty: Type::Counter,
        help: "Cached tokens dropped after Halo answered 401 (all connections).",
        unlabelled: true,
    },
    Def {
        name: "trigger_events_delivered_total",
        ty: Type::Counter,
        help: "Trigger events the orchestrator's dispatcher accepted, by trigger.",
        unlabelled: false,
    },
    Def {
        name: "trigger_events_pending",
        ty: Type::Gauge,
        help: "Trigger events saved and waiting for delivery, by trigger.",
        unlabelled: false,
    },
    Def {
        name: "trigger_dispatch_failures_total",
        ty: Type::Counter,
        help: "Delivery attempts the dispatcher rejected or did not answer in time, by trigger.",
        unlabelled: false,
    },
    Def {
        name: "webhooks_total",
        ty: Type::Counter,
        help: "Halo webhook bodies given to parse_webhook.",
        unlabelled: true,
    },
    Def {
        name: "webhook_parse_failures_total",
        ty: Type::Counter,
        help: "parse_webhook runs that failed (bad body, or the ticket could not be read).",
        unlabelled: true,
    },
];

type Labels = Vec<(&'static str, String)>;

#[derive(Debug, Clone, Default)]
struct Hist {
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Hist {
    fn observe(&mut self, secs: f64) {
        if self.buckets.len() != BUCKETS.len() {
            self.buckets = vec![0; BUCKETS.len()];
        }
        for (b, le) in self.buckets.iter_mut().zip(BUCKETS) {
            if secs <= *le {
                *b += 1;
            }
        }
        self.sum += secs;
        self.count += 1;
    }
}

#[derive(Default)]
struct Inner {
    values: BTreeMap<(&'static str, Labels), f64>,
    hists: BTreeMap<(&'static str, Labels), Hist>,
    tokens: Vec<Arc<dyn TokenProvider>>,
}

/// The registry. Use [`global`]; a separate instance is only useful in tests.
#[derive(Default)]
pub struct Registry {
    inner: Mutex<Inner>,
}

fn labels(pairs: &[(&'static str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (*k, (*v).to_string())).collect()
}

impl Registry {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        // A panic elsewhere while holding the lock leaves plain numbers behind: still usable.
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut g)
    }

    /// Adds `by` to a counter.
    fn add(&self, name: &'static str, pairs: &[(&'static str, &str)], by: f64) {
        self.with(|i| *i.values.entry((name, labels(pairs))).or_default() += by);
    }

    fn set(&self, name: &'static str, pairs: &[(&'static str, &str)], to: f64) {
        self.with(|i| {
            i.values.insert((name, labels(pairs)), to);
        });
    }

    fn observe(&self, name: &'static str, pairs: &[(&'static str, &str)], d: Duration) {
        self.with(|i| {
            i.hists
                .entry((name, labels(pairs)))
                .or_default()
                .observe(d.as_secs_f64())
        });
    }

    /// Current value of a counter or gauge series (0 when absent); for summaries and tests.
    pub fn value(&self, name: &str, pairs: &[(&str, &str)]) -> f64 {
        self.with(|i| {
            i.values
                .iter()
                .filter(|((n, l), _)| *n == name && same_labels(l, pairs))
                .map(|(_, v)| *v)
                .sum::<f64>()
                + 0.0 // an empty f64 sum is -0.0
        })
    }

    /// Sum of a counter over all its series.
    pub fn total(&self, name: &str) -> f64 {
        self.with(|i| {
            i.values
                .iter()
                .filter(|((n, _), _)| *n == name)
                .map(|(_, v)| *v)
                .sum::<f64>()
                + 0.0 // an empty f64 sum is -0.0
        })
    }

    fn hist_totals(&self, name: &str) -> (u64, f64) {
        self.with(|i| {
            i.hists
                .iter()
                .filter(|((n, _), _)| *n == name)
                .fold((0, 0.0), |(c, s), (_, h)| (c + h.count, s + h.sum))
        })
    }

    fn token_totals(&self) -> (u64, u64, u64) {
        let providers = self.with(|i| i.tokens.clone());
        providers.iter().fold((0, 0, 0), |(f, r, j), p| {
            let s = p.stats();
            (
                f + s.tokens_fetched,
                r + s.refresh_failures,
                j + s.rejections,
            )
        })
    }

    /// The registry in Prometheus text exposition format 0.0.4.
    pub fn render(&self) -> String {
        let (fetched, failed, rejected) = self.token_totals();
        let mut out = String::new();
        self.with(|i| {
            for d in DEFS {
                let full = format!("{PREFIX}{}", d.name);
                let ty = match d.ty {
                    Type::Counter => "counter",
                    Type::Gauge => "gauge",
                    Type::Histogram => "histogram",
                };
                let _ = writeln!(out, "# HELP {full} {}\n# TYPE {full} {ty}", d.help);
                let token = match d.name {
                    "token_fetches_total" => Some(fetched),
                    "token_refresh_failures_total" => Some(failed),
                    "token_rejections_total" => Some(rejected),
                    _ => None,
                };
                if let Some(v) = token {
                    let _ = writeln!(out, "{full} {v}");
                    continue;
                }
                if d.ty == Type::Histogram {
                    for ((_, l), h) in i.hists.iter().filter(|((n, _), _)| *n == d.name) {
                        render_hist(&mut out, &full, l, h);
                    }
                    continue;
                }
                let mut any = false;
                for ((_, l), v) in i.values.iter().filter(|((n, _), _)| *n == d.name) {
                    any = true;
                    let _ = writeln!(out, "{full}{} {}", fmt_labels(l, None), fmt_num(*v));
                }
                if d.unlabelled && !any {
                    // So `sum(rate(x[5m]))` has data before the first event.
                    let _ = writeln!(out, "{full} 0");
                }
            }
        });
        out
    }

    /// One line for `body.log` in `run` mode (and a running trigger's periodic log line): what this process
    /// did, in `key=value` pairs.
    pub fn summary(&self) -> String {
        let (fetched, failed, rejected) = self.token_totals();
        let (halo_count, halo_sum) = self.hist_totals("halo_request_duration_seconds");
        let avg_ms = if halo_count == 0 {
            0.0
        } else {
            halo_sum * 1000.0 / halo_count as f64
        };
        format!(
            "metrics: actions={} action_errors={} halo_requests={} halo_avg_latency_ms={:.0} halo_429={} \
             halo_retries={} limiter_wait_ms={:.0} token_fetches={fetched} token_failures={failed} \
             token_rejections={rejected} webhook_parse_failures={} trigger_events_delivered={} \
             trigger_events_pending={} trigger_dispatch_failures={}",
            fmt_num(self.total("actions_total")),
            fmt_num(self.total("action_errors_total")),
            halo_count,
            avg_ms,
            fmt_num(self.total("halo_rate_limited_total")),
            fmt_num(self.total("halo_retries_total")),
            self.total("rate_limiter_wait_seconds_total") * 1000.0,
            fmt_num(self.total("webhook_parse_failures_total")),
            fmt_num(self.total("trigger_events_delivered_total")),
            fmt_num(self.total("trigger_events_pending")),
            fmt_num(self.total("trigger_dispatch_failures_total")),
        )
    }
}

fn same_labels(have: &Labels, want: &[(&str, &str)]) -> bool {
    want.iter()
        .all(|(k, v)| have.iter().any(|(hk, hv)| hk == k && hv == v))
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn fmt_labels(l: &Labels, le: Option<&str>) -> String {
    let mut parts: Vec<String> = l
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    if let Some(le) = le {
        parts.push(format!("le=\"{le}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn render_hist(out: &mut String, full: &str, l: &Labels, h: &Hist) {
    for (i, le) in BUCKETS.iter().enumerate() {
        let n = h.buckets.get(i).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "{full}_bucket{} {n}",
            fmt_labels(l, Some(&le.to_string()))
        );
    }
    let _ = writeln!(
        out,
        "{full}_bucket{} {}",
        fmt_labels(l, Some("+Inf")),
        h.count
    );
    let _ = writeln!(out, "{full}_sum{} {}", fmt_labels(l, None), h.sum);
    let _ = writeln!(out, "{full}_count{} {}", fmt_labels(l, None), h.count);
}

/// The process-wide registry.
pub fn global() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::default)
}

/// Every exported metric name (with [`PREFIX`]; histograms without their `_bucket`/`_sum`/`_count` suffix).
pub fn names() -> Vec<String> {
    DEFS.iter().map(|d| format!("{PREFIX}{}", d.name)).collect()
}

/// Registers a connection's token provider; its [`halo_auth::TokenStats`] are summed into the token metrics.
pub fn track_tokens(tokens: Arc<dyn TokenProvider>) {
    global().with(|i| i.tokens.push(tokens));
}

/// Records one finished action run. `error_kind` is `None` on success.
pub fn record_action(action: &str, elapsed: Duration, error_kind: Option<&str>) {
    let r = global();
    let result = if error_kind.is_some() { "error" } else { "ok" };
    r.add(
        "actions_total",
        &[("action", action), ("result", result)],
        1.0,
    );
    r.observe("action_duration_seconds", &[("action", action)], elapsed);
    if let Some(kind) = error_kind {
        r.add(
            "action_errors_total",
            &[("action", action), ("kind", kind)],
            1.0,
        );
    }
}

/// Records one connection test.
pub fn record_connection_test(ok: bool) {
    let result = if ok { "ok" } else { "error" };
    global().add("connection_tests_total", &[("result", result)], 1.0);
}

/// Records one `parse_webhook` run.
pub fn record_webhook(ok: bool) {
    global().add("webhooks_total", &[], 1.0);
    if !ok {
        global().add("webhook_parse_failures_total", &[], 1.0);
    }
}

/// A trigger event was accepted by the dispatcher (call after its removal from the queue was recorded).
pub fn trigger_delivered(trigger: &str) {
    global().add(
        "trigger_events_delivered_total",
        &[("trigger", trigger)],
        1.0,
    );
}

/// The trigger's pending queue now holds `pending` events (call after every change to the queue).
pub fn trigger_pending(trigger: &str, pending: usize) {
    global().set(
        "trigger_events_pending",
        &[("trigger", trigger)],
        pending as f64,
    );
}

/// The dispatcher rejected an event or did not answer in time.
pub fn trigger_dispatch_failure(trigger: &str) {
    global().add(
        "trigger_dispatch_failures_total",
        &[("trigger", trigger)],
        1.0,
    );
}

/// halo-api observer feeding the global registry.
#[derive(Debug, Default, Clone, Copy)]
pub struct MetricsObserver;

impl Observer for MetricsObserver {
    fn on_attempt(&self, e: &AttemptEvent) {
        let status = e
            .status
            .map_or_else(|| "none".to_string(), |s| s.to_string());
        let r = global();
        r.add(
            "halo_requests_total",
            &[("route", e.route), ("status", &status)],
            1.0,
        );
        r.observe(
            "halo_request_duration_seconds",
            &[("route", e.route)],
            e.latency,
        );
    }
    fn on_limiter_wait(&self, route: &'static str, waited: Duration) {
        global().add(
            "rate_limiter_wait_seconds_total",
            &[("route", route)],
            waited.as_secs_f64(),
        );
    }
    fn on_rate_limited(&self, route: &'static str, _pause: Duration) {
        global().add("halo_rate_limited_total", &[("route", route)], 1.0);
    }
    fn on_retry(&self, route: &'static str, _attempt: u32, _delay: Duration) {
        global().add("halo_retries_total", &[("route", route)], 1.0);
    }
}

/// The observer to install on every Halo client the plugin builds.
pub fn observer() -> Arc<dyn Observer> {
    Arc::new(MetricsObserver)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let mut h = Hist::default();
        h.observe(0.02);
        h.observe(3.0);
        h.observe(100.0);
        assert_eq!(h.count, 3);
        assert_eq!(h.buckets[0], 0); // le 0.01
        assert_eq!(h.buckets[1], 1); // le 0.025
        assert_eq!(h.buckets[8], 2); // le 5
        assert_eq!(*h.buckets.last().unwrap(), 2); // le 60: 100 s is only in +Inf
    }

    #[test]
    fn renders_prometheus_text_with_escaped_labels() {
        let r = Registry::default();
        r.add(
            "actions_total",
            &[("action", "get\"x"), ("result", "ok")],
            2.0,
        );
        r.observe(
            "halo_request_duration_seconds",
            &[("route", "/api/Tickets/{id}")],
            Duration::from_millis(30),
        );
        let text = r.render();
        assert!(text.contains("# TYPE haloitsm_plugin_actions_total counter"));
        assert!(
            text.contains("haloitsm_plugin_actions_total{action=\"get\\\"x\",result=\"ok\"} 2\n")
        );
        assert!(text.contains(
            "haloitsm_plugin_halo_request_duration_seconds_bucket{route=\"/api/Tickets/{id}\",le=\"0.05\"} 1\n"
        ));
        assert!(text.contains(
            "haloitsm_plugin_halo_request_duration_seconds_count{route=\"/api/Tickets/{id}\"} 1\n"
        ));
        // Unlabelled families are present before anything happened.
        assert!(text.contains("\nhaloitsm_plugin_webhook_parse_failures_total 0\n"));
        assert!(text.contains("\nhaloitsm_plugin_token_refresh_failures_total 0\n"));
        // Every sample line is `name[{labels}] value`.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
    }

    #[test]
    fn summary_counts_what_happened() {
        let r = Registry::default();
        r.add(
            "actions_total",
            &[("action", "a"), ("result", "error")],
            1.0,
        );
        r.add(
            "action_errors_total",
            &[("action", "a"), ("kind", "plugin")],
            1.0,
        );
        r.observe(
            "halo_request_duration_seconds",
            &[("route", "/x")],
            Duration::from_millis(40),
        );
        r.observe(
            "halo_request_duration_seconds",
            &[("route", "/y")],
            Duration::from_millis(60),
        );
        let s = r.summary();
        assert!(
            s.starts_with(
                "metrics: actions=1 action_errors=1 halo_requests=2 halo_avg_latency_ms=50 "
            ),
            "{s}"
        );
        assert!(!s.contains('\n'));
        assert!(s.contains(" token_rejections=0 "), "{s}");
        assert!(
            s.ends_with(
                " trigger_events_delivered=0 trigger_events_pending=0 trigger_dispatch_failures=0"
            ),
            "{s}"
        );
    }

    #[tokio::test]
    async fn summary_carries_token_rejections_and_the_trigger_figures() {
        let r = Registry::default();
        let static_token = Arc::new(halo_auth::StaticToken::new("t"));
        let rejected = static_token.token().await.unwrap();
        static_token.reject(&rejected);
        r.with(|i| i.tokens.push(static_token.clone()));
        r.add("trigger_events_delivered_total", &[("trigger", "a")], 2.0);
        r.add("trigger_events_delivered_total", &[("trigger", "b")], 1.0);
        r.set("trigger_events_pending", &[("trigger", "a")], 4.0);
        r.add("trigger_dispatch_failures_total", &[("trigger", "a")], 5.0);
        let s = r.summary();
        assert!(s.contains(" token_rejections=1 "), "{s}");
        assert!(
            s.ends_with(
                " trigger_events_delivered=3 trigger_events_pending=4 trigger_dispatch_failures=5"
            ),
            "{s}"
        );
    }
}
