//! JSON schemas built from the spec the way Rapid7's tooling builds them, and a small validator over the
//! spec model that enforces the same rules (required, types, enums) without a JSON-schema engine.

use serde_json::{Map, Value, json};

use super::{Field, PluginSpec};

/// A validation failure: a JSON-schema style message and the dotted path of the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// What is wrong, in jsonschema's wording (`'x' is a required property`).
    pub message: String,
    /// Where (`customfields.0.id`); empty for the top level.
    pub path: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} (at {})", self.message, self.path)
        }
    }
}

/// The runtime's JSON schema for a set of fields (`{"type":"object","title":"Variables",...}`).
pub fn object_schema(spec: &PluginSpec, fields: &[Field]) -> Value {
    let mut definitions = Map::new();
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let mut p = type_schema(spec, f.ty, &mut definitions);
        if let Value::Object(m) = &mut p {
            m.insert("title".into(), f.title.into());
            m.insert("description".into(), f.description.into());
            if let Some(d) = &f.default {
                m.insert("default".into(), d.clone());
            }
            if let Some(e) = &f.enumeration {
                m.insert("enum".into(), Value::Array(e.clone()));
            }
            m.insert("order".into(), (i + 1).into());
        }
        properties.insert(f.name.into(), p);
        if f.required {
            required.push(Value::from(f.name));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("title".into(), "Variables".into());
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    if !definitions.is_empty() {
        schema.insert("definitions".into(), Value::Object(definitions));
    }
    Value::Object(schema)
}

fn type_schema(spec: &PluginSpec, ty: &str, defs: &mut Map<String, Value>) -> Value {
    if let Some(inner) = ty.strip_prefix("[]") {
        return json!({"type": "array", "items": type_schema(spec, inner, defs)});
    }
    match ty {
        "boolean" | "bool" => json!({"type": "boolean"}),
        "integer" | "int" => json!({"type": "integer"}),
        "number" | "float" => json!({"type": "number"}),
        "string" => json!({"type": "string"}),
        "object" => json!({"type": "object"}),
        "date" => json!({"type": "string", "format": "date-time", "displayType": "date"}),
        "bytes" => json!({"type": "string", "format": "bytes", "displayType": "bytes"}),
        "credential_secret_key" => {
            defs.entry(ty).or_insert_with(|| {
                json!({"id": "credential_secret_key", "type": "object", "title": "Credential: Secret Key",
                    "properties": {"secretKey": {"type": "string", "title": "Secret Key", "displayType": "password",
                        "format": "password", "description": "The shared secret key", "order": 1}},
                    "required": ["secretKey"]})
            });
            json!({"$ref": format!("#/definitions/{ty}")})
        }
        "file" => {
            defs.entry(ty).or_insert_with(|| {
                json!({"id": "file", "type": "object", "title": "File", "description": "File Object",
                    "properties": {
                        "filename": {"type": "string", "title": "Filename", "description": "Name of file"},
                        "content": {"type": "string", "title": "Content", "description": "File contents",
                            "format": "bytes"}}})
            });
            json!({"$ref": "#/definitions/file"})
        }
        custom => {
            if !defs.contains_key(custom)
                && let Some(t) = spec.type_spec(custom)
            {
                // Insert a placeholder first so recursive types terminate.
                defs.insert(custom.into(), Value::Null);
                let mut def = object_schema(spec, &t.fields);
                if let Value::Object(m) = &mut def {
                    m.insert("title".into(), custom.into());
                    if let Some(Value::Object(inner)) = m.remove("definitions") {
                        for (k, v) in inner {
                            defs.entry(k).or_insert(v);
                        }
                    }
                }
                defs.insert(custom.into(), def);
            }
            json!({"$ref": format!("#/definitions/{custom}")})
        }
    }
}

/// Validates an object against fields: required keys present, types and enums as the schema says.
///
/// `null` for an optional field is treated as absent (the UI sends it for unset optional inputs).
pub fn validate_object(
    spec: &PluginSpec,
    value: &Value,
    fields: &[Field],
    path: &str,
) -> Result<(), Violation> {
    let Value::Object(obj) = value else {
        return Err(violation(
            format!("{} is not of type 'object'", show(value)),
            path,
        ));
    };
    for f in fields {
        match obj.get(f.name) {
            None if f.required => {
                return Err(violation(
                    format!("'{}' is a required property", f.name),
                    path,
                ));
            }
            None => {}
            Some(Value::Null) if !f.required => {}
            Some(v) => {
                let p = join(path, f.name);
                validate_type(spec, v, f.ty, &p)?;
                if let Some(allowed) = &f.enumeration
                    && !allowed.contains(v)
                {
                    let list = allowed.iter().map(show).collect::<Vec<_>>().join(", ");
                    return Err(violation(format!("{} is not one of [{list}]", show(v)), &p));
                }
            }
        }
    }
    Ok(())
}

fn validate_type(spec: &PluginSpec, v: &Value, ty: &str, path: &str) -> Result<(), Violation> {
    if let Some(inner) = ty.strip_prefix("[]") {
        let Value::Array(items) = v else {
            return Err(violation(
                format!("{} is not of type 'array'", show(v)),
                path,
            ));
        };
        for (i, item) in items.iter().enumerate() {
            validate_type(spec, item, inner, &join(path, &i.to_string()))?;
        }
        return Ok(());
    }
    let (ok, expected) = match ty {
        "boolean" | "bool" => (v.is_boolean(), "boolean"),
        "integer" | "int" => (is_integer(v), "integer"),
        "number" | "float" => (v.is_number(), "number"),
        "string" | "date" | "bytes" => (v.is_string(), "string"),
        "object" => (v.is_object(), "object"),
        "credential_secret_key" => {
            let secret = [
                Field::new("secretKey", "Secret Key", "string", "The shared secret key").required(),
            ];
            return validate_object(spec, v, &secret, path);
        }
        "file" => {
            let file = [
                Field::new("filename", "Filename", "string", "Name of file"),
                Field::new("content", "Content", "bytes", "File contents"),
            ];
            return validate_object(spec, v, &file, path);
        }
        custom => match spec.type_spec(custom) {
            Some(t) => return validate_object(spec, v, &t.fields, path),
            None => (true, "any"),
        },
    };
    if ok {
        Ok(())
    } else {
        Err(violation(
            format!("{} is not of type '{expected}'", show(v)),
            path,
        ))
    }
}

/// The runtime's extra rule: a required input present with `null` or `""` is rejected.
/// Returns the name of the first offending field.
pub fn null_or_empty_required<'a>(value: &Value, fields: &'a [Field]) -> Option<&'a str> {
    let obj = value.as_object()?;
    fields
        .iter()
        .filter(|f| f.required)
        .find(|f| {
            matches!(obj.get(f.name), Some(Value::Null))
                || obj.get(f.name).and_then(Value::as_str) == Some("")
        })
        .map(|f| f.name)
}

fn is_integer(v: &Value) -> bool {
    v.is_i64()
        || v.is_u64()
        || v.as_f64()
            .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
}

fn show(v: &Value) -> String {
    match v {
        // String contents are never echoed: a misplaced secret must not end up in an error.
        Value::String(s) if s.is_empty() => "''".into(),
        Value::String(_) => "a string".into(),
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Array(_) => "[...]".into(),
        Value::Object(_) => "{...}".into(),
        Value::Number(n) => n.to_string(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn violation(message: String, path: &str) -> Violation {
    Violation {
        message,
        path: path.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::spec::plugin_spec;

    fn fields() -> Vec<Field> {
        vec![
            Field::new("ticket_id", "Ticket ID", "integer", "Id").required(),
            Field::new("state", "State", "string", "State").enumeration(["open", "closed"]),
            Field::new("when", "When", "date", "When"),
            Field::new("tickets", "Tickets", "[]ticket", "Tickets"),
            Field::new("secret", "Secret", "credential_secret_key", "Secret"),
        ]
    }

    #[test]
    fn builds_the_runtime_schema_shape() {
        let s = object_schema(plugin_spec(), &fields());
        assert_eq!(s["title"], "Variables");
        assert_eq!(s["required"], json!(["ticket_id"]));
        assert_eq!(s["properties"]["ticket_id"]["order"], 1);
        assert_eq!(s["properties"]["when"]["format"], "date-time");
        assert_eq!(
            s["properties"]["tickets"]["items"]["$ref"],
            "#/definitions/ticket"
        );
        assert_eq!(s["definitions"]["ticket"]["title"], "ticket");
        assert_eq!(
            s["definitions"]["credential_secret_key"]["required"],
            json!(["secretKey"])
        );
        assert!(
            s["definitions"]["custom_field"].is_object(),
            "nested custom types are hoisted"
        );
    }

    #[test]
    fn validates_required_types_enums_and_nested_types() {
        let spec = plugin_spec();
        let f = fields();
        assert!(validate_object(spec, &json!({"ticket_id": 3}), &f, "").is_ok());
        assert!(validate_object(spec, &json!({"ticket_id": 3.0}), &f, "").is_ok());
        let e = validate_object(spec, &json!({}), &f, "").unwrap_err();
        assert_eq!(e.message, "'ticket_id' is a required property");
        let e = validate_object(spec, &json!({"ticket_id": 3.5}), &f, "").unwrap_err();
        assert_eq!(e.path, "ticket_id");
        let e = validate_object(spec, &json!({"ticket_id": 1, "state": "x"}), &f, "").unwrap_err();
        assert!(e.message.contains("is not one of"));
        let e = validate_object(
            spec,
            &json!({"ticket_id": 1, "tickets": [{"summary": "no id"}]}),
            &f,
            "",
        )
        .unwrap_err();
        assert_eq!(e.path, "tickets.0");
        let e = validate_object(
            spec,
            &json!({"ticket_id": 1, "secret": "plain-secret"}),
            &f,
            "",
        )
        .unwrap_err();
        assert!(
            !e.to_string().contains("plain-secret"),
            "string values are never echoed"
        );
        assert!(validate_object(spec, &json!({"ticket_id": 1, "state": null}), &f, "").is_ok());
    }

    #[test]
    fn rejects_null_or_empty_required_inputs() {
        let f = fields();
        assert_eq!(
            null_or_empty_required(&json!({"ticket_id": ""}), &f),
            Some("ticket_id")
        );
        assert_eq!(
            null_or_empty_required(&json!({"ticket_id": null}), &f),
            Some("ticket_id")
        );
        assert_eq!(null_or_empty_required(&json!({"ticket_id": 2}), &f), None);
    }
}
