//! Query strings from builders: a builder's filter struct derives `Serialize` and is flattened here into ordered
//! `(key, value)` pairs, the form [`RequestParts`](crate::RequestParts) keeps and reqwest sends.
//!
//! Booleans become `true`/`false`, numbers their decimal form, `None` is skipped, and sequences repeat the key
//! (`team=1&team=2`), which is how production clients send Halo's list filters (halo-api.md §4.1).

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind};

/// Flattens a serialisable struct (or map) into query pairs, in field order.
pub(crate) fn to_pairs<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, String)>, Error> {
    let json = serde_json::to_value(value).map_err(|e| {
        Error::new(
            ErrorKind::Config,
            "query parameters could not be serialised",
        )
        .with_source(e)
    })?;
    let mut out = Vec::new();
    match json {
        Value::Object(map) => {
            for (key, v) in map {
                push(&mut out, &key, v);
            }
        }
        Value::Null => {}
        _ => {
            return Err(Error::new(
                ErrorKind::Config,
                "query parameters must be a struct or map",
            ));
        }
    }
    Ok(out)
}

fn push(out: &mut Vec<(String, String)>, key: &str, v: Value) {
    match v {
        Value::Null => {}
        Value::Bool(b) => out.push((key.to_owned(), b.to_string())),
        Value::Number(n) => out.push((key.to_owned(), n.to_string())),
        Value::String(s) => out.push((key.to_owned(), s)),
        Value::Array(items) => {
            for item in items {
                // Nested arrays are flattened; objects have no query form and are sent as JSON text.
                match item {
                    Value::Array(_) => push(out, key, item),
                    Value::Object(_) => out.push((key.to_owned(), item.to_string())),
                    other => push(out, key, other),
                }
            }
        }
        Value::Object(_) => out.push((key.to_owned(), v.to_string())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    struct Q {
        pageinate: Option<bool>,
        page_size: Option<u32>,
        search: Option<String>,
        team: Vec<u64>,
    }

    #[test]
    fn flattens_in_field_order() {
        let q = Q {
            pageinate: Some(true),
            page_size: Some(100),
            search: None,
            team: vec![1, 2],
        };
        let pairs = to_pairs(&q).unwrap();
        let expected: Vec<(String, String)> = [
            ("pageinate", "true"),
            ("page_size", "100"),
            ("team", "1"),
            ("team", "2"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(pairs, expected);
    }

    proptest! {
        #[test]
        fn never_panics_on_any_strings(map in proptest::collection::btree_map(".*", proptest::option::of(".*"), 0..8)) {
            let m: BTreeMap<String, Option<String>> = map;
            let pairs = to_pairs(&m).unwrap();
            prop_assert_eq!(pairs.len(), m.values().filter(|v| v.is_some()).count());
        }

        #[test]
        fn never_panics_on_any_json(v in any_json()) {
            let _ = to_pairs(&v);
        }
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(".*", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
