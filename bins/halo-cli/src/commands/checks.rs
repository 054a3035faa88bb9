//! Shared shape of `doctor` and `smoke` reports: one row per check (name, result, time, detail, what to fix),
//! rendered as a table or as `data.checks` in JSON.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::Ctx;
use crate::exit::ExitKind;

/// A check's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Result {
    /// Fine.
    Ok,
    /// Works, but worth a look.
    Warn,
    /// Broken.
    Fail,
    /// Not run (needs a flag, or an earlier check failed).
    Skip,
}

impl Result {
    fn as_str(self) -> &'static str {
        match self {
            Result::Ok => "ok",
            Result::Warn => "warn",
            Result::Fail => "fail",
            Result::Skip => "skip",
        }
    }
}

/// One check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Name.
    pub name: &'static str,
    /// Result.
    pub result: Result,
    /// Time taken.
    pub elapsed: Duration,
    /// What was found.
    pub detail: String,
    /// What to change (failures and warnings).
    pub fix: Option<String>,
}

/// Collects checks.
#[derive(Default)]
pub struct Report {
    /// The checks so far.
    pub checks: Vec<Check>,
}

impl Report {
    /// Record a check that took `since.elapsed()`.
    pub fn add(
        &mut self,
        name: &'static str,
        since: Instant,
        result: Result,
        detail: impl Into<String>,
        fix: Option<String>,
    ) {
        self.checks.push(Check {
            name,
            result,
            elapsed: since.elapsed(),
            detail: detail.into(),
            fix,
        });
    }

    /// Record a skipped check.
    pub fn skip(&mut self, name: &'static str, why: impl Into<String>) {
        self.add(name, Instant::now(), Result::Skip, why, None);
    }

    /// Whether no check failed.
    pub fn ok(&self) -> bool {
        !self.checks.iter().any(|c| c.result == Result::Fail)
    }

    /// Print the report and return the exit code (1 if any check failed).
    pub fn finish(&self, ctx: &Ctx, command: &str, extra: Value) -> ExitKind {
        let ok = self.ok();
        let count = |r: Result| self.checks.iter().filter(|c| c.result == r).count();
        let summary = format!(
            "{}: {} ok, {} warn, {} failed, {} skipped",
            if ok { "PASS" } else { "FAIL" },
            count(Result::Ok),
            count(Result::Warn),
            count(Result::Fail),
            count(Result::Skip)
        );
        let checks: Vec<Value> = self
            .checks
            .iter()
            .map(|c| {
                json!({
                    "check": c.name,
                    "result": c.result.as_str(),
                    "ms": c.elapsed.as_millis() as u64,
                    "detail": c.detail,
                    "fix": c.fix,
                })
            })
            .collect();
        let mut data = json!({ "checks": checks, "summary": summary });
        if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
            d.extend(e);
        }
        ctx.out.emit(command, ok, data, || {
            let mut t = ctx.out.table(&["check", "result", "time", "detail"]);
            for c in &self.checks {
                let detail = match &c.fix {
                    Some(f) => format!("{}\n→ {f}", c.detail),
                    None => c.detail.clone(),
                };
                t.add_row(vec![
                    c.name.to_string(),
                    c.result.as_str().to_string(),
                    crate::output::ms(c.elapsed),
                    detail,
                ]);
            }
            format!("{t}\n{}", ctx.out.verdict_line(&summary, ok))
        });
        if ok { ExitKind::Ok } else { ExitKind::Failure }
    }
}
