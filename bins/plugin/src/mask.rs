//! Output masking exactly as the runtime's `OutputMasker`: string values of the connection keys
//! `secretKey`, `password`, `key`, `token` are searched in every string of the response and replaced
//! by `********` when more than 80 % of the secret appears (in order) in it.

use serde_json::Value;

const KEYS: [&str; 4] = ["secretKey", "password", "key", "token"];
const THRESHOLD: f64 = 0.8;
const ITERATIONS: usize = 50;

/// The secret values of a connection (sorted, unique), found at any depth.
pub fn connection_secrets(connection: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(connection, &mut out);
    out.sort();
    out.dedup();
    out
}

fn collect(v: &Value, out: &mut Vec<String>) {
    if let Value::Object(m) = v {
        for (k, v) in m {
            match v {
                Value::Object(_) => collect(v, out),
                Value::String(s) if !s.is_empty() && KEYS.contains(&k.as_str()) => {
                    out.push(s.clone())
                }
                _ => {}
            }
        }
    }
}

/// Masks every secret in every string of `value`, in place.
pub fn mask(value: &mut Value, secrets: &[String]) {
    for s in secrets {
        mask_one(value, s);
    }
}

fn mask_one(value: &mut Value, secret: &str) {
    match value {
        Value::Object(m) => m.values_mut().for_each(|v| mask_one(v, secret)),
        Value::Array(a) => a.iter_mut().for_each(|v| mask_one(v, secret)),
        Value::String(s) => {
            for _ in 0..ITERATIONS {
                let (prefix, share) = leak(secret, s);
                if share > THRESHOLD && !prefix.is_empty() && s.contains(prefix) {
                    *s = s.replace(prefix, "********");
                } else {
                    break;
                }
            }
        }
        _ => {}
    }
}

/// `count_percentage_leak`: how much of `text` appears in `body` as an ordered subsequence.
fn leak<'a>(text: &'a str, body: &str) -> (&'a str, f64) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    if chars.is_empty() {
        return ("", 0.0);
    }
    let mut count = 0;
    for c in body.chars() {
        if c == chars[count].1 {
            count += 1;
        }
        if count == chars.len() {
            break;
        }
    }
    let end = chars.get(count).map_or(text.len(), |(i, _)| *i);
    (&text[..end], count as f64 / chars.len() as f64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_secret_anywhere_in_strings() {
        let secrets = connection_secrets(
            &json!({"client_secret": {"secretKey": "s3cr3t-value"}, "client_id": "abc"}),
        );
        assert_eq!(secrets, vec!["s3cr3t-value".to_string()]);
        let mut out = json!({"a": "s3cr3t-value", "b": ["x s3cr3t-value y"], "c": "abc", "d": 5});
        mask(&mut out, &secrets);
        assert_eq!(
            out,
            json!({"a": "********", "b": ["x ******** y"], "c": "abc", "d": 5})
        );
    }

    #[test]
    fn keeps_unrelated_strings() {
        let mut out = json!({"a": "completely different"});
        mask(&mut out, &["s3cr3t-value".to_string()]);
        assert_eq!(out, json!({"a": "completely different"}));
    }
}
