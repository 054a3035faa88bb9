//! Helpers shared by the integration tests (included with `mod common;`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use serde_json::Value;

/// `<workspace>/../shared/halo/fixtures/<name>`, or `None` (with a printed notice) when ../shared is absent.
pub fn shared_fixture(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/halo/fixtures")
        .join(name);
    if path.is_file() {
        Some(path)
    } else {
        println!(
            "SKIPPED: {} not found (../shared is absent); fixture test not run",
            path.display()
        );
        None
    }
}

/// Numeric equality that ignores integer/double representation (`18` == `18.0`).
fn same_number(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x == y,
        _ => a.as_f64() == b.as_f64(),
    }
}

/// Compares `before` (what Halo sent) with `after` (what we serialised back), recursively, and returns
/// the paths that differ. Numbers compare numerically (a numeric string may become a number); strings that both parse as Halo dates compare as
/// instants (we write 7 fraction digits and a `Z`).
pub fn differences(path: &str, before: &Value, after: &Value, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => differences(&format!("{path}.{k}"), va, vb, out),
                    None => out.push(format!("{path}.{k}: missing after round trip (was {va})")),
                }
            }
            for k in b.keys() {
                if !a.contains_key(k) {
                    out.push(format!("{path}.{k}: added by round trip"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{path}: length {} -> {}", a.len(), b.len()));
            }
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        (Value::Number(a), Value::Number(b)) if same_number(a, b) => {}
        // Intended normalisation: ids and numbers Halo sent as numeric strings are written as numbers.
        (Value::String(a), Value::Number(b)) if a.trim().parse::<f64>().ok() == b.as_f64() => {}
        (Value::String(a), Value::String(b)) if a == b => {}
        (Value::String(a), Value::String(b)) => {
            let da = halo_model::date::parse_halo(a).ok().flatten();
            let db = halo_model::date::parse_halo(b).ok().flatten();
            if da.is_none() || da != db {
                out.push(format!("{path}: {a:?} -> {b:?}"));
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} -> {b}")),
    }
}
