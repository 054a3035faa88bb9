//! Reading what clients send, the way ASP.NET binds it: case-insensitive query keys, repeated or
//! comma-separated list parameters, numbers given as `3`, `"3"` or `3.0`, JSON bodies as arrays or a bare object.

use serde_json::{Map, Value};

use crate::errors::ApiError;

/// Parsed query string with lower-cased keys.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        Self { pairs }
    }

    /// First non-empty value.
    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// All values of a list parameter, repeated keys and comma-separated values alike.
    pub(crate) fn list(&self, key: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }

    pub(crate) fn bool(&self, key: &str) -> Result<bool, ApiError> {
        match self.str(key) {
            None => Ok(false),
            Some(v) => parse_bool(v)
                .ok_or_else(|| ApiError::field(key, format!("The value '{v}' is not valid."))),
        }
    }

    pub(crate) fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.str(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ApiError::field(key, format!("The value '{v}' is not valid."))),
        }
    }

    pub(crate) fn int_list(&self, key: &str) -> Result<Vec<i64>, ApiError> {
        self.list(key)
            .into_iter()
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::field(key, format!("The value '{v}' is not valid.")))
            })
            .collect()
    }
}

pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// A lenient integer: 3, "3", 3.0 (not 3.5, not "abc").
pub(crate) fn lenient_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
        }
        _ => None,
    }
}

/// A lenient boolean: true, "true", 1.
pub(crate) fn lenient_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        Value::String(s) => parse_bool(s),
        _ => None,
    }
}

/// The body of a POST: Halo takes an array of objects; a bare object is tolerated (S7).
pub(crate) fn body_objects(
    body: &[u8],
    type_name: &str,
) -> Result<Vec<Map<String, Value>>, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::field(
            "$",
            format!(
                "The request body is not valid JSON: {e}. Send a JSON array of {type_name} objects."
            ),
        )
    })?;
    let items = match value {
        Value::Array(items) => items,
        obj @ Value::Object(_) => vec![obj],
        _ => {
            return Err(ApiError::field(
                "$",
                format!(
                    "The JSON value could not be converted to List<{type_name}>. Send a JSON array of objects."
                ),
            ));
        }
    };
    if items.is_empty() {
        return Err(ApiError::field(
            "$",
            "The request body is an empty array; send at least one object.",
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Object(m) => Ok(m),
            _ => Err(ApiError::field(
                format!("[{i}]"),
                format!("The JSON value could not be converted to {type_name}."),
            )),
        })
        .collect()
}

/// Convert `obj[key]` in place to an integer, or fail with the ASP.NET conversion message.
pub(crate) fn coerce_int(
    obj: &mut Map<String, Value>,
    key: &str,
    index: usize,
) -> Result<Option<i64>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match lenient_int(v) {
            Some(i) => {
                obj.insert(key.to_owned(), Value::from(i));
                Ok(Some(i))
            }
            None => Err(conversion_error(index, key, "System.Int32")),
        },
    }
}

pub(crate) fn coerce_bool(
    obj: &mut Map<String, Value>,
    key: &str,
    index: usize,
) -> Result<Option<bool>, ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match lenient_bool(v) {
            Some(b) => {
                obj.insert(key.to_owned(), Value::Bool(b));
                Ok(Some(b))
            }
            None => Err(conversion_error(index, key, "System.Boolean")),
        },
    }
}

/// Strings must be strings (numbers are turned into strings as System.Text.Json would not, but Halo's
/// Newtonsoft binder does).
pub(crate) fn coerce_string(
    obj: &mut Map<String, Value>,
    key: &str,
    index: usize,
) -> Result<(), ApiError> {
    match obj.get(key) {
        None | Some(Value::Null) | Some(Value::String(_)) => Ok(()),
        Some(Value::Number(n)) => {
            let s = n.to_string();
            obj.insert(key.to_owned(), Value::String(s));
            Ok(())
        }
        Some(Value::Bool(b)) => {
            let s = b.to_string();
            obj.insert(key.to_owned(), Value::String(s));
            Ok(())
        }
        Some(_) => Err(conversion_error(index, key, "System.String")),
    }
}

pub(crate) fn conversion_error(index: usize, key: &str, ty: &str) -> ApiError {
    ApiError::field(
        format!("[{index}].{key}"),
        format!("The JSON value could not be converted to {ty}. Path: $[{index}].{key}"),
    )
}

pub(crate) fn int_of(obj: &Map<String, Value>, key: &str) -> Option<i64> {
    obj.get(key).and_then(lenient_int)
}

pub(crate) fn str_of<'a>(obj: &'a Map<String, Value>, key: &str) -> &'a str {
    obj.get(key).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_ints() {
        assert_eq!(lenient_int(&json!(3)), Some(3));
        assert_eq!(lenient_int(&json!("3")), Some(3));
        assert_eq!(lenient_int(&json!(3.0)), Some(3));
        assert_eq!(lenient_int(&json!(3.5)), None);
        assert_eq!(lenient_int(&json!("x")), None);
    }

    #[test]
    fn query_lists_accept_repeats_and_commas() {
        let q = Query::parse(Some("Team=1&team=2,3&PAGE_SIZE=5"));
        assert_eq!(q.int_list("team").unwrap(), vec![1, 2, 3]);
        assert_eq!(q.int("page_size").unwrap(), Some(5));
    }
}
