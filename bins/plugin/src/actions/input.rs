//! Reading validated action input: lenient numbers (3, 3.0), blank strings treated as absent for
//! optional inputs, and clear errors naming the input.

use serde_json::{Map, Value};

use crate::errors::StepError;

/// The `input` object of a step.
pub struct Input(Map<String, Value>);

impl Input {
    /// Wraps the (schema-validated) input.
    pub fn new(v: Value) -> Self {
        match v {
            Value::Object(m) => Self(m),
            _ => Self(Map::new()),
        }
    }

    /// A non-blank string.
    pub fn str(&self, key: &str) -> Option<String> {
        match self.0.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A positive integer id; Halo ids start at 1, so 0 means "not set".
    pub fn id(&self, key: &str) -> Option<u64> {
        self.u64(key).filter(|n| *n > 0)
    }

    /// A non-negative integer.
    pub fn u64(&self, key: &str) -> Option<u64> {
        let v = self.0.get(key)?;
        v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        })
    }

    /// A required id.
    pub fn required_id(&self, key: &str) -> Result<u64, StepError> {
        self.id(key).ok_or_else(|| {
            StepError::client(
                format!("Input '{key}' must be a positive integer"),
                format!("Set '{key}' to the ID shown in Halo."),
            )
        })
    }

    /// A boolean with a default.
    pub fn bool_or(&self, key: &str, default: bool) -> bool {
        self.0.get(key).and_then(Value::as_bool).unwrap_or(default)
    }

    /// A date-time input (RFC 3339, or a date `YYYY-MM-DD` meaning midnight UTC).
    pub fn date(&self, key: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, StepError> {
        let Some(s) = self.str(key) else {
            return Ok(None);
        };
        if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
            return Ok(Some(d.with_timezone(&chrono::Utc)));
        }
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            return Ok(d.and_hms_opt(0, 0, 0).map(|n| n.and_utc()));
        }
        Err(StepError::client(
            format!("Input '{key}' is not a date-time"),
            format!(
                "Give '{key}' as an ISO 8601 date-time such as 2026-12-01T09:30:00Z, or a date such as 2026-12-01."
            ),
        ))
    }

    /// An array input.
    pub fn array(&self, key: &str) -> Option<&Vec<Value>> {
        self.0.get(key).and_then(Value::as_array)
    }

    /// An object input.
    pub fn object(&self, key: &str) -> Option<&Map<String, Value>> {
        self.0.get(key).and_then(Value::as_object)
    }

    /// The raw value.
    pub fn raw(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }
}
