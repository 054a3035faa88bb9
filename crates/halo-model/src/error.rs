//! Errors produced by halo-model: invalid ids, invalid dates and write types that fail validation.
//!
//! Every error says what was wrong and what to do about it, so callers (the plugin, the CLI) can surface
//! the message as InsightConnect's *cause* and *assistance* without re-wording it.

use std::fmt;

/// A string or JSON value could not be read as a Halo id.
///
/// ```
/// use halo_model::TicketId;
/// let err = "3.5".parse::<TicketId>().unwrap_err();
/// assert!(err.to_string().contains("3.5"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {input:?}: {reason}; use a whole, non-negative number such as 42")]
pub struct IdError {
    kind: &'static str,
    input: String,
    reason: &'static str,
}

impl IdError {
    pub(crate) fn new(kind: &'static str, input: impl Into<String>, reason: &'static str) -> Self {
        let mut input = input.into();
        // Keep errors bounded: a hostile or corrupt value must not blow up log lines.
        if input.chars().count() > 64 {
            input = input.chars().take(64).collect::<String>() + "…";
        }
        Self {
            kind,
            input,
            reason,
        }
    }

    /// The id type that was being parsed, e.g. `"TicketId"`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Why the input was rejected (negative, fractional, not a number, out of range).
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// A string could not be read as a Halo date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid date {input:?}: expected an ISO-8601 timestamp such as 2024-06-20T14:45:15.9746271Z \
     (the `Z` and the fraction are optional)"
)]
pub struct DateError {
    input: String,
}

impl DateError {
    pub(crate) fn new(input: &str) -> Self {
        let input = if input.chars().count() > 64 {
            input.chars().take(64).collect::<String>() + "…"
        } else {
            input.to_owned()
        };
        Self { input }
    }
}

/// The rule a write type broke; see [`ValidationError::rule`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// A required value is empty or only whitespace.
    Empty,
    /// A text value is longer than Halo accepts.
    TooLong {
        /// Maximum number of characters (Unicode scalar values).
        max: usize,
        /// Number of characters given.
        actual: usize,
    },
    /// An id is outside `1..=2147483647` (Halo ids are positive 32-bit integers).
    IdOutOfRange {
        /// The id given.
        value: u64,
    },
    /// A value that must be present is missing.
    Missing,
    /// Two settings contradict each other.
    Conflict,
    /// The value has the wrong form (see the message).
    Invalid,
    /// The request would change nothing.
    NothingToDo,
}

/// A write type ([`crate::NewTicket`], [`crate::TicketUpdate`], [`crate::NewAction`], …) failed validation.
///
/// Names the field in Halo's JSON spelling and the rule, and says how to fix it.
///
/// ```
/// use halo_model::{NewTicket, error::Rule};
/// let err = NewTicket::new("   ").validate().unwrap_err();
/// assert_eq!(err.field(), "summary");
/// assert_eq!(err.rule(), &Rule::Empty);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {problem}. {assistance}")]
pub struct ValidationError {
    field: String,
    rule: Rule,
    problem: String,
    assistance: String,
}

impl ValidationError {
    pub(crate) fn new(
        field: impl Into<String>,
        rule: Rule,
        problem: impl Into<String>,
        assistance: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            rule,
            problem: problem.into(),
            assistance: assistance.into(),
        }
    }

    /// The offending field, in Halo's JSON spelling (e.g. `summary`, `tickettype_id`, `customfields[2].name`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The rule that was broken.
    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// What was wrong (InsightConnect's *cause*).
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// What to do about it (InsightConnect's *assistance*).
    pub fn assistance(&self) -> &str {
        &self.assistance
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Empty => f.write_str("empty"),
            Rule::TooLong { max, actual } => write!(f, "too long ({actual} > {max} characters)"),
            Rule::IdOutOfRange { value } => write!(f, "id {value} out of range 1..=2147483647"),
            Rule::Missing => f.write_str("missing"),
            Rule::Conflict => f.write_str("conflict"),
            Rule::Invalid => f.write_str("invalid"),
            Rule::NothingToDo => f.write_str("nothing to do"),
        }
    }
}
