//! Sync settings from the connection: the external-key custom field and the three name maps
//! (InsightIDR statuses, InsightVM remediation states, InsightIDR priorities → Halo names), each with
//! defaults a stock Halo tenant has, overridable in the connection and again per action.

use serde_json::{Map, Value};

use crate::errors::StepError;

/// Default custom field holding the external key.
pub const DEFAULT_KEY_FIELD: &str = "CFExternalKey";

/// InsightIDR investigation statuses and their default Halo status names.
pub const IDR_STATUS_DEFAULTS: &[(&str, &str)] = &[
    ("OPEN", "New"),
    ("INVESTIGATING", "In Progress"),
    ("WAITING", "On Hold"),
    ("CLOSED", "Closed"),
];

/// InsightVM remediation states and their default Halo status names.
pub const IVM_STATUS_DEFAULTS: &[(&str, &str)] = &[
    ("OPEN", "New"),
    ("AWAITING_VERIFICATION", "Pending Closure"),
    ("CLOSED", "Closed"),
    ("RISK_ACCEPTED", "Cancelled"),
];

/// InsightIDR priorities and their default Halo priority names (empty = leave the ticket type's default).
pub const IDR_PRIORITY_DEFAULTS: &[(&str, &str)] = &[
    ("CRITICAL", "Critical"),
    ("HIGH", "High"),
    ("MEDIUM", "Medium"),
    ("LOW", "Low"),
    ("UNSPECIFIED", ""),
];

/// Normalises a source value: upper case, spaces and dashes as `_` ("Awaiting Verification" →
/// `AWAITING_VERIFICATION`).
///
/// ```
/// assert_eq!(haloitsm_plugin::sync::config::normalise("risk accepted"), "RISK_ACCEPTED");
/// ```
pub fn normalise(s: &str) -> String {
    s.trim().to_uppercase().replace([' ', '-'], "_")
}

/// Source value → Halo name, in a fixed order (the order decides the reverse lookup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMap {
    /// What the map is for, used in errors ("InsightIDR status").
    pub what: &'static str,
    entries: Vec<(String, String)>,
}

impl NameMap {
    /// A map with these defaults.
    pub fn with_defaults(what: &'static str, defaults: &[(&str, &str)]) -> Self {
        Self {
            what,
            entries: defaults
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        }
    }

    /// The source values this map knows.
    pub fn sources(&self) -> Vec<&str> {
        self.entries.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// Applies overrides from a JSON object (`{"CLOSED": "Resolved"}`); `field` names the input or
    /// connection field in errors.
    pub fn overlay(&mut self, v: Option<&Value>, field: &str) -> Result<(), StepError> {
        let Some(v) = v else { return Ok(()) };
        let obj: Map<String, Value> = match v {
            Value::Null => return Ok(()),
            Value::Object(m) => m.clone(),
            Value::String(s) if s.trim().is_empty() => return Ok(()),
            Value::String(s) => {
                serde_json::from_str(s).map_err(|_| self.bad(field, "is not a JSON object"))?
            }
            _ => return Err(self.bad(field, "is not a JSON object")),
        };
        for (k, val) in obj {
            let Some(name) = val.as_str() else {
                return Err(self.bad(field, &format!("maps '{k}' to a non-string value")));
            };
            let key = normalise(&k);
            match self.entries.iter_mut().find(|(s, _)| *s == key) {
                Some(e) => e.1 = name.trim().to_string(),
                None => {
                    return Err(StepError::plugin(
                        format!("'{field}' maps '{k}', which is not a known {}.", self.what),
                        format!("Use the keys {}.", self.sources().join(", ")),
                    ));
                }
            }
        }
        Ok(())
    }

    fn bad(&self, field: &str, why: &str) -> StepError {
        StepError::plugin(
            format!("'{field}' {why}."),
            format!(
                "Give '{field}' as a JSON object from {} to Halo names, for example {{\"{}\": \"Closed\"}}.",
                self.what,
                self.sources().last().copied().unwrap_or_default()
            ),
        )
    }

    /// The Halo name for a source value: `Ok(None)` when mapped to "" (leave unchanged); an error naming
    /// the known values when the source value is unknown.
    pub fn halo_name(&self, source: &str) -> Result<Option<&str>, StepError> {
        let key = normalise(source);
        match self.entries.iter().find(|(s, _)| *s == key) {
            Some((_, v)) if v.is_empty() => Ok(None),
            Some((_, v)) => Ok(Some(v.as_str())),
            None => Err(StepError::plugin(
                format!("'{source}' is not a known {}.", self.what),
                format!("Use one of {}.", self.sources().join(", ")),
            )),
        }
    }

    /// The first source value mapped to this Halo name (case-insensitive), for the reverse direction.
    pub fn source_for(&self, halo_name: &str) -> Option<&str> {
        let n = halo_name.trim();
        self.entries
            .iter()
            .find(|(_, v)| !v.is_empty() && v.eq_ignore_ascii_case(n))
            .map(|(k, _)| k.as_str())
    }

    /// As a JSON object (for outputs and docs).
    pub fn to_value(&self) -> Value {
        Value::Object(
            self.entries
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        )
    }
}

/// The connection's sync settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    /// API name of the ticket custom field holding the external key.
    pub key_field: String,
    /// InsightIDR status → Halo status name.
    pub idr_status: NameMap,
    /// InsightVM remediation state → Halo status name.
    pub ivm_status: NameMap,
    /// InsightIDR priority → Halo priority name.
    pub idr_priority: NameMap,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            key_field: DEFAULT_KEY_FIELD.into(),
            idr_status: NameMap::with_defaults(
                "InsightIDR investigation status",
                IDR_STATUS_DEFAULTS,
            ),
            ivm_status: NameMap::with_defaults("InsightVM remediation status", IVM_STATUS_DEFAULTS),
            idr_priority: NameMap::with_defaults("InsightIDR priority", IDR_PRIORITY_DEFAULTS),
        }
    }
}

/// Connection field names.
pub mod fields {
    /// Custom field for the external key.
    pub const KEY_FIELD: &str = "external_key_field";
    /// InsightIDR status map.
    pub const IDR_STATUS: &str = "insightidr_status_map";
    /// InsightVM status map.
    pub const IVM_STATUS: &str = "insightvm_status_map";
    /// InsightIDR priority map.
    pub const IDR_PRIORITY: &str = "insightidr_priority_map";
}

impl SyncSettings {
    /// Reads the settings from `body.connection` (missing fields keep the defaults).
    pub fn from_connection(v: &Value) -> Result<Self, StepError> {
        let mut s = Self::default();
        if let Some(f) = v
            .get(fields::KEY_FIELD)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            s.key_field = f.to_string();
        }
        s.idr_status
            .overlay(v.get(fields::IDR_STATUS), fields::IDR_STATUS)?;
        s.ivm_status
            .overlay(v.get(fields::IVM_STATUS), fields::IVM_STATUS)?;
        s.idr_priority
            .overlay(v.get(fields::IDR_PRIORITY), fields::IDR_PRIORITY)?;
        Ok(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let s = SyncSettings::from_connection(&json!({
            "insightidr_status_map": {"closed": "Resolved"},
            "insightvm_status_map": "{\"Risk Accepted\": \"Closed\"}",
            "external_key_field": "CFInsightIDRRRN"
        }))
        .unwrap();
        assert_eq!(s.key_field, "CFInsightIDRRRN");
        assert_eq!(s.idr_status.halo_name("CLOSED").unwrap(), Some("Resolved"));
        assert_eq!(s.idr_status.halo_name("open").unwrap(), Some("New"));
        assert_eq!(
            s.ivm_status.halo_name("Risk Accepted").unwrap(),
            Some("Closed")
        );
        assert_eq!(
            s.ivm_status.halo_name("Awaiting Verification").unwrap(),
            Some("Pending Closure")
        );
        assert_eq!(s.idr_priority.halo_name("UNSPECIFIED").unwrap(), None);
        assert_eq!(s.idr_status.source_for("resolved"), Some("CLOSED"));
        // Reverse: CLOSED and RISK_ACCEPTED both map to Closed; the first in order wins.
        assert_eq!(s.ivm_status.source_for("Closed"), Some("CLOSED"));
    }

    #[test]
    fn bad_maps_say_what_is_wrong() {
        let e =
            SyncSettings::from_connection(&json!({"insightidr_status_map": {"DONE": "Closed"}}))
                .unwrap_err();
        assert!(e.cause.contains("DONE"), "{e}");
        assert!(e.assistance.contains("INVESTIGATING"), "{e}");
        let e = SyncSettings::from_connection(&json!({"insightidr_status_map": [1]})).unwrap_err();
        assert!(e.cause.contains("not a JSON object"), "{e}");
        let e = SyncSettings::from_connection(&json!({"insightidr_priority_map": {"HIGH": 2}}))
            .unwrap_err();
        assert!(e.cause.contains("non-string"), "{e}");
        let e = SyncSettings::default()
            .idr_status
            .halo_name("DONE")
            .unwrap_err();
        assert!(
            e.assistance
                .contains("OPEN, INVESTIGATING, WAITING, CLOSED"),
            "{e}"
        );
    }
}
