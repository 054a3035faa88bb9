//! Custom fields: definitions ([`FieldInfo`], `GET /api/FieldInfo`), values on records ([`CustomField`],
//! the `customfields` array) and values to write ([`CustomFieldValue`]).
//!
//! A value is polymorphic JSON whose shape depends on the field `type`: text and dates are strings,
//! single selections an option id (Halo sends it as `9` or `"9"`), multi selections `[{"id":3},…]`.
//! Writing sends only `id` (or `name`) and `value`. Whether Halo merges or replaces a ticket's custom
//! fields on update is unconfirmed — to be safe, send the full set you want to keep.

use chrono::{DateTime, Utc};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::error::{Rule, ValidationError};
use crate::ids::MAX_HALO_ID;
use crate::serde_util::keep_null;
use crate::{FieldId, Map, lenient};

/// A custom field value as it appears on a record (ticket, action, client, user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomField {
    /// Field definition id.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<FieldId>,
    /// API name, conventionally `CF…`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Label shown to agents.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub label: Option<String>,
    /// Field type code (0 text, 2 single selection, 4 date, …).
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub field_type: Option<i64>,
    /// The raw value (an explicit `null` is kept).
    #[serde(
        default,
        deserialize_with = "keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Value>,
    /// The rendered value (option label, locale-formatted date).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub display: Option<String>,
    /// Entity the field belongs to (1 = tickets).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub usage: Option<i64>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

impl CustomField {
    /// The value as text: strings as they are, numbers stringified; `None` for null, arrays, objects.
    pub fn value_text(&self) -> Option<String> {
        match self.value.as_ref()? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The value as an integer option id (single selections): `9`, `9.0` or `"9"`.
    pub fn value_i64(&self) -> Option<i64> {
        match self.value.as_ref()? {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| {
                        #[allow(clippy::cast_possible_truncation)]
                        let i = f as i64;
                        i
                    })
            }),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// One selectable option of a selection field (a `Lookup` row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldOption {
    /// Option id — the `value` to write for a selection.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<i64>,
    /// Option label.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

/// A custom field definition (`GET /api/FieldInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldInfo {
    /// Definition id.
    pub id: FieldId,
    /// API name (`CF…`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Label.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub label: Option<String>,
    /// Field type code.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub field_type: Option<i64>,
    /// Entity (1 = tickets).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub usage: Option<i64>,
    /// Input type code.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub inputtype: Option<i64>,
    /// Maximum length for text fields (0 = none).
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub characterlimit: Option<i64>,
    /// Read-only field.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub readonly: Option<bool>,
    /// Default value.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub defaultvalue: Option<String>,
    /// Options of a selection field (with `includevalues=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<FieldOption>>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

/// Which custom field to write: by definition id or by API name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldRef {
    /// By `FieldInfo.id` — serialised as `"id"`.
    Id(FieldId),
    /// By API name such as `"CFEmailToAddress"` — serialised as `"name"`.
    Name(String),
}

/// A custom field value to send on a ticket, action or other record.
///
/// ```
/// use halo_model::{CustomFieldValue, FieldId};
/// let by_id = CustomFieldValue::by_id(FieldId::new(165), 3);
/// assert_eq!(serde_json::to_string(&by_id).unwrap(), r#"{"id":165,"value":3}"#);
/// let by_name = CustomFieldValue::by_name("CFEmailToAddress", "x@example.com");
/// assert_eq!(serde_json::to_string(&by_name).unwrap(), r#"{"name":"CFEmailToAddress","value":"x@example.com"}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CustomFieldValue {
    /// The field.
    pub field: FieldRef,
    /// The value, in the shape the field type expects.
    pub value: Value,
}

impl CustomFieldValue {
    /// A value for the field with this definition id.
    pub fn by_id(id: FieldId, value: impl Into<Value>) -> Self {
        Self {
            field: FieldRef::Id(id),
            value: value.into(),
        }
    }

    /// A value for the field with this API name.
    pub fn by_name(name: impl Into<String>, value: impl Into<Value>) -> Self {
        Self {
            field: FieldRef::Name(name.into()),
            value: value.into(),
        }
    }

    /// A multi-selection: serialises the option ids as `[{"id":3},{"id":5}]`.
    pub fn multi_select(field: FieldRef, option_ids: impl IntoIterator<Item = i64>) -> Self {
        let value = option_ids
            .into_iter()
            .map(|id| serde_json::json!({ "id": id }))
            .collect();
        Self {
            field,
            value: Value::Array(value),
        }
    }

    /// A date field, written as [`crate::date::format_halo`].
    pub fn date(field: FieldRef, at: &DateTime<Utc>) -> Self {
        Self {
            field,
            value: Value::String(crate::date::format_halo(at)),
        }
    }

    /// Checks the field reference: id in Halo's range, name not blank.
    pub fn validate(&self, at: &str) -> Result<(), ValidationError> {
        match &self.field {
            FieldRef::Id(id) if id.get() == 0 || id.get() > MAX_HALO_ID => {
                Err(ValidationError::new(
                    format!("{at}.id"),
                    Rule::IdOutOfRange { value: id.get() },
                    format!("custom field id {id} is not a valid Halo id"),
                    "Use the field's id from GET /api/FieldInfo, or refer to it by name.",
                ))
            }
            FieldRef::Name(n) if n.trim().is_empty() => Err(ValidationError::new(
                format!("{at}.name"),
                Rule::Empty,
                "custom field name is empty",
                "Use the field's API name from GET /api/FieldInfo (usually starting with CF).",
            )),
            _ => Ok(()),
        }
    }
}

impl Serialize for CustomFieldValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        match &self.field {
            FieldRef::Id(id) => m.serialize_entry("id", id)?,
            FieldRef::Name(name) => m.serialize_entry("name", name)?,
        }
        m.serialize_entry("value", &self.value)?;
        m.end()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn read_value_shapes() {
        let f: CustomField =
            serde_json::from_str(r#"{"id":"113","type":2,"value":"9","display":"High","x":1}"#)
                .unwrap();
        assert_eq!(f.id, Some(FieldId::new(113)));
        assert_eq!(f.value_i64(), Some(9));
        assert_eq!(f.value_text().as_deref(), Some("9"));
        assert_eq!(f.extra.get("x"), Some(&Value::from(1)));
        let f: CustomField = serde_json::from_str(r#"{"id":1,"value":null}"#).unwrap();
        assert_eq!(f.value, Some(Value::Null));
        assert_eq!(
            serde_json::to_string(&f).unwrap(),
            r#"{"id":1,"value":null}"#
        );
    }

    #[test]
    fn multi_select_shape() {
        let v = CustomFieldValue::multi_select(FieldRef::Id(FieldId::new(140)), [3, 5]);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"id":140,"value":[{"id":3},{"id":5}]}"#
        );
    }

    #[test]
    fn validation() {
        assert!(
            CustomFieldValue::by_name(" ", 1)
                .validate("customfields[0]")
                .is_err()
        );
        let e = CustomFieldValue::by_id(FieldId::new(0), 1)
            .validate("customfields[1]")
            .unwrap_err();
        assert_eq!(e.field(), "customfields[1].id");
        assert!(
            CustomFieldValue::by_id(FieldId::new(5), 1)
                .validate("customfields[0]")
                .is_ok()
        );
    }
}
