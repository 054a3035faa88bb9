//! Spec pieces of the InsightIDR / InsightVM sync: the connection fields for the external-key custom
//! field and the three name maps, and the per-action override inputs.

use serde_json::{Map, Value};

use super::model::Field;
use crate::sync::config::{
    self, IDR_PRIORITY_DEFAULTS, IDR_STATUS_DEFAULTS, IVM_STATUS_DEFAULTS, fields,
};

fn map_value(defaults: &[(&str, &str)]) -> Value {
    Value::Object(
        defaults
            .iter()
            .map(|(k, v)| ((*k).to_string(), Value::from(*v)))
            .collect::<Map<_, _>>(),
    )
}

/// Connection fields added for sync.
pub fn connection_fields() -> Vec<Field> {
    vec![
        Field::new(
            fields::KEY_FIELD,
            "External Key Field",
            "string",
            "Name of the ticket custom field that stores external keys (investigation RRN, solution ID) for Create or Update Ticket",
        )
        .default(config::DEFAULT_KEY_FIELD)
        .example(config::DEFAULT_KEY_FIELD),
        Field::new(
            fields::IDR_STATUS,
            "InsightIDR Status Map",
            "object",
            "Halo status name for each InsightIDR investigation status; keys not given keep their defaults",
        )
        .default(map_value(IDR_STATUS_DEFAULTS))
        .example(map_value(IDR_STATUS_DEFAULTS)),
        Field::new(
            fields::IVM_STATUS,
            "InsightVM Status Map",
            "object",
            "Halo status name for each InsightVM remediation status; keys not given keep their defaults",
        )
        .default(map_value(IVM_STATUS_DEFAULTS))
        .example(map_value(IVM_STATUS_DEFAULTS)),
        Field::new(
            fields::IDR_PRIORITY,
            "InsightIDR Priority Map",
            "object",
            "Halo priority name (within the ticket type's SLA) for each InsightIDR priority; an empty name keeps the ticket type's default",
        )
        .default(map_value(IDR_PRIORITY_DEFAULTS))
        .example(map_value(IDR_PRIORITY_DEFAULTS)),
    ]
}

/// The `status_map` override input.
pub fn status_map_input() -> Field {
    Field::new(
        "status_map",
        "Status Map",
        "object",
        "Overrides of the connection's status map for this step",
    )
    .example(serde_json::json!({"CLOSED": "Resolved"}))
}

/// The `priority_map` override input.
pub fn priority_map_input() -> Field {
    Field::new(
        "priority_map",
        "Priority Map",
        "object",
        "Overrides of the connection's InsightIDR priority map for this step",
    )
    .example(serde_json::json!({"UNSPECIFIED": "Low"}))
}
