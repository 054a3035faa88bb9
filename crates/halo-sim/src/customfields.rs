//! Custom fields on records (halo-api.md §8): stored as Halo's `{id,name,label,type,value,display,…}` objects,
//! written by `id` or `name`, with `display` rendered from the field definition.

use serde_json::{Value, json};

use crate::dates::{format_halo, parse_lenient};
use crate::errors::ApiError;
use crate::request::lenient_int;
use crate::store::{Obj, Store};

/// The record-side object for a definition with a value.
fn field_object(def: &Value, value: Value, display: String) -> Value {
    json!({
        "id": def.get("id").cloned().unwrap_or(Value::Null),
        "name": def.get("name").cloned().unwrap_or(json!("")),
        "label": def.get("label").cloned().unwrap_or(json!("")),
        "summary": def.get("summary").cloned().unwrap_or(json!("")),
        "type": def.get("type").cloned().unwrap_or(json!(0)),
        "value": value,
        "display": display,
        "characterlimit": def.get("characterlimit").cloned().unwrap_or(json!(0)),
        "inputtype": def.get("inputtype").cloned().unwrap_or(json!(0)),
        "copytochild": def.get("copytochild").cloned().unwrap_or(json!(false)),
        "searchable": def.get("searchable").cloned().unwrap_or(json!(false)),
        "usage": def.get("usage").cloned().unwrap_or(json!(1)),
    })
}

/// Every ticket custom field, empty.
pub(crate) fn empty_ticket_fields(store: &Store) -> Vec<Value> {
    store
        .ticket_fields()
        .map(|d| field_object(d, json!(""), String::new()))
        .collect()
}

/// Render `value` for a definition, or explain why it does not fit.
fn render(def: &Value, value: &Value, path: &str) -> Result<(Value, String), ApiError> {
    let ty = def.get("type").and_then(lenient_int).unwrap_or(0);
    match (ty, value) {
        (_, Value::Null) => Ok((json!(""), String::new())),
        (_, Value::String(s)) if s.is_empty() => Ok((json!(""), String::new())),
        (2, v) => {
            let id = lenient_int(v).ok_or_else(|| {
                ApiError::field(
                    path,
                    format!(
                        "Custom field '{}' is a selection: send the option id, e.g. 1.",
                        name(def)
                    ),
                )
            })?;
            let label = def
                .get("values")
                .and_then(Value::as_array)
                .and_then(|vals| {
                    vals.iter()
                        .find(|o| o.get("id").and_then(lenient_int) == Some(id))
                })
                .and_then(|o| o.get("name"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::field(
                        path,
                        format!("Custom field '{}' has no option with id {id}.", name(def)),
                    )
                })?;
            Ok((v.clone(), label.to_owned()))
        }
        (4, Value::String(s)) => {
            let dt = parse_lenient(s).ok_or_else(|| {
                ApiError::field(
                    path,
                    format!(
                        "Custom field '{}' is a date: send an ISO 8601 date-time.",
                        name(def)
                    ),
                )
            })?;
            Ok((json!(format_halo(&dt)), dt.format("%d/%m/%Y").to_string()))
        }
        (_, Value::String(s)) => Ok((value.clone(), s.clone())),
        (_, Value::Number(n)) => Ok((value.clone(), n.to_string())),
        (_, Value::Bool(b)) => Ok((value.clone(), b.to_string())),
        (_, Value::Array(_)) => Ok((value.clone(), String::new())),
        (_, Value::Object(_)) => Err(ApiError::field(
            path,
            format!(
                "Custom field '{}' got an object; send a plain value.",
                name(def)
            ),
        )),
    }
}

fn name(def: &Value) -> &str {
    def.get("name").and_then(Value::as_str).unwrap_or("?")
}

/// Apply posted `customfields` to a record's array. With `replace`, fields that are not posted are emptied.
pub(crate) fn apply(
    store: &Store,
    current: &mut Vec<Value>,
    posted: &Value,
    index: usize,
    replace: bool,
) -> Result<(), ApiError> {
    let Some(items) = posted.as_array() else {
        return Err(ApiError::field(
            format!("[{index}].customfields"),
            "customfields must be an array like [{\"id\": 101, \"value\": \"x\"}] or [{\"name\": \"CFExternalKey\", \"value\": \"x\"}].",
        ));
    };
    let mut posted_ids = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("[{index}].customfields[{i}]");
        let obj = item.as_object().ok_or_else(|| {
            ApiError::field(
                &path,
                "Each custom field must be an object with id or name and value.",
            )
        })?;
        let def = match (
            obj.get("id").and_then(lenient_int),
            obj.get("name").and_then(Value::as_str),
        ) {
            (Some(id), _) if id > 0 => store.field(id),
            (_, Some(n)) => store.field_by_name(n),
            _ => None,
        }
        .ok_or_else(|| {
            ApiError::field(
                &path,
                format!(
                    "Unknown custom field {}; use an id or name from GET /api/FieldInfo.",
                    obj.get("id")
                        .or(obj.get("name"))
                        .map(Value::to_string)
                        .unwrap_or_default()
                ),
            )
        })?;
        let (value, display) = render(
            def,
            obj.get("value").unwrap_or(&Value::Null),
            &format!("{path}.value"),
        )?;
        let id = def.get("id").and_then(lenient_int);
        posted_ids.push(id);
        let new = field_object(def, value, display);
        match current
            .iter_mut()
            .find(|c| c.get("id").and_then(lenient_int) == id)
        {
            Some(slot) => *slot = new,
            None => current.push(new),
        }
    }
    if replace {
        for c in current.iter_mut() {
            let id = c.get("id").and_then(lenient_int);
            if !posted_ids.contains(&id)
                && let Some(o) = c.as_object_mut()
            {
                o.insert("value".into(), json!(""));
                o.insert("display".into(), json!(""));
            }
        }
    }
    Ok(())
}

/// `customfields` of a record as a vector (missing → empty).
pub(crate) fn take(obj: &mut Obj) -> Vec<Value> {
    match obj.remove("customfields") {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}
