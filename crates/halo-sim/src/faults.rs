//! Fault injection: scripted ("the next N requests matching METHOD PATH") or probabilistic failures —
//! HTTP 500/502/503, added latency, connections dropped before handling or after a write was applied.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::lock;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// Answer with this status instead of handling the request (500 gets a .NET exception body, 502/503 a
    /// gateway page).
    Status {
        /// HTTP status code.
        code: u16,
    },
    /// Wait this long before handling (combines with other faults).
    Latency {
        /// Added delay in milliseconds.
        ms: u64,
    },
    /// Close the connection without handling the request or answering.
    DropBeforeHandling,
    /// Handle the request (so a POST is applied), then close the connection without sending the response.
    DropAfterWrite,
}

impl Fault {
    /// `Fault::Status { code }`.
    pub fn status(code: u16) -> Self {
        Fault::Status { code }
    }

    /// `Fault::Latency` of `d`.
    pub fn latency(d: Duration) -> Self {
        Fault::Latency {
            ms: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
        }
    }

    pub(crate) fn label(&self) -> String {
        match self {
            Fault::Status { code } => format!("status_{code}"),
            Fault::Latency { .. } => "latency".into(),
            Fault::DropBeforeHandling => "drop_before".into(),
            Fault::DropAfterWrite => "drop_after_write".into(),
        }
    }
}

/// When a rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The next `n` matching requests, then the rule is spent.
    Next(u32),
    /// Each matching request with this probability (0.0–1.0).
    Probability(f64),
    /// Every matching request until cleared.
    Always,
}

/// Which requests a rule applies to: an optional method and a path pattern, compared case-insensitively.
/// `*` matches one path segment, a trailing `/**` (or a bare `*` pattern) any rest; `{id}`-style segments
/// match any segment.
///
/// ```
/// use halo_sim::RequestMatcher;
/// let m = RequestMatcher::parse("POST /api/Tickets");
/// assert!(m.matches("POST", "/api/tickets"));
/// assert!(!m.matches("GET", "/api/Tickets"));
/// assert!(RequestMatcher::parse("GET /api/Tickets/{id}").matches("GET", "/API/TICKETS/7"));
/// assert!(RequestMatcher::parse("*").matches("DELETE", "/anything/at/all"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestMatcher {
    /// Upper-case method, `None` = any.
    pub method: Option<String>,
    /// Lower-case segments; empty = any path.
    pub segments: Vec<String>,
}

impl RequestMatcher {
    /// `"METHOD /path"`, `"/path"`, `"METHOD"`, `"METHOD *"` or `"*"`. Never fails: anything unrecognised
    /// is treated as a path.
    pub fn parse(spec: &str) -> Self {
        let spec = spec.trim();
        let (method, path) = match spec.split_once(char::is_whitespace) {
            Some((m, p)) => (Some(m), p.trim()),
            None if !spec.starts_with('/') && spec != "*" => (Some(spec), "*"),
            None => (None, spec),
        };
        let method = method.filter(|m| *m != "*").map(|m| m.to_ascii_uppercase());
        let segments = if path == "*" || path == "/**" || path.is_empty() {
            Vec::new()
        } else {
            split_path(path)
        };
        Self { method, segments }
    }

    /// Whether a request with this method and path matches.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(method)
        {
            return false;
        }
        if self.segments.is_empty() {
            return true;
        }
        let actual = split_path(path);
        let mut i = 0;
        for (j, pat) in self.segments.iter().enumerate() {
            if pat == "**" && j + 1 == self.segments.len() {
                return true;
            }
            let Some(seg) = actual.get(i) else {
                return false;
            };
            let wildcard = pat == "*" || (pat.starts_with('{') && pat.ends_with('}'));
            if !wildcard && pat != seg {
                return false;
            }
            i += 1;
        }
        i == actual.len()
    }
}

impl fmt::Display for RequestMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.segments.is_empty() {
            "*".to_owned()
        } else {
            format!("/{}", self.segments.join("/"))
        };
        write!(f, "{} {}", self.method.as_deref().unwrap_or("*"), path)
    }
}

fn split_path(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// One fault rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Requests it applies to.
    pub matcher: RequestMatcher,
    /// What happens.
    pub fault: Fault,
    /// When.
    pub trigger: Trigger,
}

/// Named fault mixes for `--faults PROFILE` and `POST /_sim/faults {"profile": …}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FaultProfile {
    /// No faults.
    #[default]
    None,
    /// 5 % of `/api` requests get 503, 2 % get 502, 1 % get 500.
    Flaky,
    /// Every request waits 200 ms; the token endpoint 1 s.
    Slow,
    /// 10 % of `POST /api/**` are applied and then lose their response; 5 % of requests are dropped before
    /// handling.
    Lossy,
    /// Flaky + lossy + 20 % of requests 100 ms slower.
    Chaos,
}

impl FaultProfile {
    /// All profiles with their names.
    pub const ALL: [(&'static str, FaultProfile); 5] = [
        ("none", FaultProfile::None),
        ("flaky", FaultProfile::Flaky),
        ("slow", FaultProfile::Slow),
        ("lossy", FaultProfile::Lossy),
        ("chaos", FaultProfile::Chaos),
    ];

    /// The rules this profile installs.
    pub fn rules(self) -> Vec<FaultRule> {
        let r = |spec: &str, fault, trigger| FaultRule {
            matcher: RequestMatcher::parse(spec),
            fault,
            trigger,
        };
        let flaky = || {
            vec![
                r("* /api/**", Fault::status(503), Trigger::Probability(0.05)),
                r("* /api/**", Fault::status(502), Trigger::Probability(0.02)),
                r("* /api/**", Fault::status(500), Trigger::Probability(0.01)),
            ]
        };
        let lossy = || {
            vec![
                r(
                    "POST /api/**",
                    Fault::DropAfterWrite,
                    Trigger::Probability(0.10),
                ),
                r(
                    "* /api/**",
                    Fault::DropBeforeHandling,
                    Trigger::Probability(0.05),
                ),
            ]
        };
        match self {
            FaultProfile::None => Vec::new(),
            FaultProfile::Flaky => flaky(),
            FaultProfile::Slow => vec![
                r("*", Fault::Latency { ms: 200 }, Trigger::Always),
                r(
                    "POST /auth/token",
                    Fault::Latency { ms: 800 },
                    Trigger::Always,
                ),
            ],
            FaultProfile::Lossy => lossy(),
            FaultProfile::Chaos => {
                let mut v = flaky();
                v.extend(lossy());
                v.push(r(
                    "*",
                    Fault::Latency { ms: 100 },
                    Trigger::Probability(0.2),
                ));
                v
            }
        }
    }
}

impl FromStr for FaultProfile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
            .map(|(_, p)| *p)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|(n, _)| *n).collect();
                format!(
                    "unknown fault profile '{s}'; use one of: {}",
                    names.join(", ")
                )
            })
    }
}

/// The faults of one sim; cloning shares them.
///
/// ```
/// # use halo_sim::{Faults, Fault};
/// let faults = Faults::default();
/// faults.next(3, "POST /api/Tickets", Fault::status(503));
/// faults.next(1, "POST /api/Tickets", Fault::DropAfterWrite);
/// faults.clear();
/// assert!(faults.rules().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<FaultRule>>>,
}

/// What the dispatcher must do for one request.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub latency: Duration,
    pub terminal: Option<Fault>,
    pub labels: Vec<String>,
}

impl Faults {
    /// Add a rule.
    pub fn add(&self, rule: FaultRule) {
        lock(&self.rules).push(rule);
    }

    /// The next `n` requests matching `spec` get `fault`.
    pub fn next(&self, n: u32, spec: &str, fault: Fault) {
        self.add(FaultRule {
            matcher: RequestMatcher::parse(spec),
            fault,
            trigger: Trigger::Next(n),
        });
    }

    /// Each request matching `spec` gets `fault` with probability `p`.
    pub fn with_probability(&self, p: f64, spec: &str, fault: Fault) {
        self.add(FaultRule {
            matcher: RequestMatcher::parse(spec),
            fault,
            trigger: Trigger::Probability(p.clamp(0.0, 1.0)),
        });
    }

    /// Every request matching `spec` gets `fault` until [`Faults::clear`].
    pub fn always(&self, spec: &str, fault: Fault) {
        self.add(FaultRule {
            matcher: RequestMatcher::parse(spec),
            fault,
            trigger: Trigger::Always,
        });
    }

    /// The token endpoint answers 503 until cleared.
    pub fn token_endpoint_down(&self) {
        self.always("POST /auth/token", Fault::status(503));
    }

    /// The token endpoint answers after `delay`.
    pub fn token_endpoint_slow(&self, delay: Duration) {
        self.always("POST /auth/token", Fault::latency(delay));
    }

    /// Replace all rules by a profile's.
    pub fn set_profile(&self, profile: FaultProfile) {
        *lock(&self.rules) = profile.rules();
    }

    /// Remove all rules.
    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    /// Rules still active (spent `Next` rules are removed).
    pub fn rules(&self) -> Vec<FaultRule> {
        lock(&self.rules).clone()
    }

    /// Evaluate the rules for one request: latencies add up, the first firing status/drop wins.
    pub(crate) fn decide(&self, method: &str, path: &str) -> Decision {
        let mut d = Decision::default();
        let mut rules = lock(&self.rules);
        if rules.is_empty() {
            return d;
        }
        for rule in rules.iter_mut() {
            let is_latency = matches!(rule.fault, Fault::Latency { .. });
            if !is_latency && d.terminal.is_some() {
                continue;
            }
            if !rule.matcher.matches(method, path) {
                continue;
            }
            let fire = match &mut rule.trigger {
                Trigger::Always => true,
                Trigger::Probability(p) => fastrand::f64() < *p,
                Trigger::Next(0) => false,
                Trigger::Next(n) => {
                    *n -= 1;
                    true
                }
            };
            if !fire {
                continue;
            }
            d.labels.push(rule.fault.label());
            match rule.fault {
                Fault::Latency { ms } => d.latency += Duration::from_millis(ms),
                other => d.terminal = Some(other),
            }
        }
        rules.retain(|r| r.trigger != Trigger::Next(0));
        d
    }
}

impl FromStr for Fault {
    type Err = String;

    /// `500` / `status_503`, `latency_200` (ms), `drop_before`, `drop_after_write`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        let code = s.strip_prefix("status_").unwrap_or(&s);
        if let Ok(code) = code.parse::<u16>()
            && (100..=599).contains(&code)
        {
            return Ok(Fault::status(code));
        }
        if let Some(ms) = s
            .strip_prefix("latency_")
            .or_else(|| s.strip_prefix("latency:"))
        {
            let ms = ms.trim_end_matches("ms");
            return ms
                .parse::<u64>()
                .map(|ms| Fault::Latency { ms })
                .map_err(|_| format!("latency needs milliseconds, e.g. latency_200; got '{s}'"));
        }
        match s.as_str() {
            "drop_before" | "drop_before_handling" | "drop" => Ok(Fault::DropBeforeHandling),
            "drop_after_write" | "drop_after" => Ok(Fault::DropAfterWrite),
            _ => Err(format!(
                "unknown fault '{s}'; use 500/502/503 (or status_NNN), latency_MS, drop_before or drop_after_write"
            )),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn scripted_rules_fire_n_times_then_vanish() {
        let f = Faults::default();
        f.next(2, "POST /api/Tickets", Fault::status(503));
        assert!(f.decide("GET", "/api/Tickets").terminal.is_none());
        assert_eq!(
            f.decide("POST", "/API/tickets").terminal,
            Some(Fault::status(503))
        );
        assert!(f.decide("POST", "/api/Tickets").terminal.is_some());
        assert!(f.decide("POST", "/api/Tickets").terminal.is_none());
        assert!(f.rules().is_empty());
    }

    #[test]
    fn latency_adds_up_and_does_not_block_terminal() {
        let f = Faults::default();
        f.always("*", Fault::Latency { ms: 5 });
        f.always("GET *", Fault::Latency { ms: 7 });
        f.always("GET /api/**", Fault::DropBeforeHandling);
        let d = f.decide("GET", "/api/x/y");
        assert_eq!(d.latency, Duration::from_millis(12));
        assert_eq!(d.terminal, Some(Fault::DropBeforeHandling));
    }

    #[test]
    fn profiles_parse_by_name() {
        assert_eq!(
            "Lossy".parse::<FaultProfile>().unwrap(),
            FaultProfile::Lossy
        );
        assert!(
            "nope"
                .parse::<FaultProfile>()
                .unwrap_err()
                .contains("flaky")
        );
    }
}
