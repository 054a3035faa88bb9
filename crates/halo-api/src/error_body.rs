//! Reading Halo's error bodies: Halo has no standard error format (halo-api.md §10.2), so the message is dug out
//! of whichever shape arrived, and everything kept for diagnostics is bounded and sanitised first.

use serde_json::Value;

/// Longest body excerpt kept on an error, in characters.
pub(crate) const EXCERPT_MAX_CHARS: usize = 512;
/// Longest Halo message kept on an error, in characters.
const MESSAGE_MAX_CHARS: usize = 512;

/// Extracts the human message from any of Halo's error body shapes:
/// a JSON string, `{"error": ".."}`, `{"error": {"error_description": ".."}}`, `{"ClassName", "Message"}`,
/// `{"Message": ".."}`, `{"resultCode", "errorMessage"}`, a one-key field map (`{"[0].id": ".."}`), plain text,
/// or nothing. The result is sanitised (see [`sanitize`]); `None` for an empty or useless body.
pub(crate) fn halo_message(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return None;
    }
    let raw = match serde_json::from_str::<Value>(trimmed) {
        Ok(value) => message_from_json(&value)?,
        // Not JSON: plain text (or HTML from a proxy). Keep it; the sanitiser bounds it.
        Err(_) => trimmed.to_owned(),
    };
    let clean = sanitize(&raw, MESSAGE_MAX_CHARS);
    if clean.is_empty() { None } else { Some(clean) }
}

fn message_from_json(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => non_empty(s),
        Value::Object(map) => {
            // Ordered by how specific the key is to Halo's shapes.
            for key in [
                "error_description",
                "errorMessage",
                "Message",
                "message",
                "error_message",
            ] {
                if let Some(s) = map.get(key).and_then(Value::as_str).and_then(non_empty) {
                    return Some(s);
                }
            }
            if let Some(err) = map.get("error") {
                match err {
                    Value::String(s) => {
                        if let Some(s) = non_empty(s) {
                            return Some(s);
                        }
                    }
                    Value::Object(inner) => {
                        if let Some(found) = message_from_json(&Value::Object(inner.clone())) {
                            return Some(found);
                        }
                    }
                    _ => {}
                }
            }
            // ASP.NET model-state: {"[0].ticket_id": "The ticket_id field is required."} or {"id": ["..."]}.
            if map.len() <= 3 {
                let parts: Vec<String> = map
                    .iter()
                    .filter_map(|(k, v)| field_message(v).map(|m| format!("{k}: {m}")))
                    .collect();
                if !parts.is_empty() {
                    return Some(parts.join("; "));
                }
            }
            None
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(message_from_json).take(3).collect();
            if parts.is_empty() {
                None
            } else {
                Some(parts.join("; "))
            }
        }
        _ => None,
    }
}

fn field_message(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => non_empty(s),
        Value::Array(items) => {
            let parts: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            if parts.is_empty() {
                None
            } else {
                Some(parts.join(", "))
            }
        }
        _ => None,
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.to_owned())
    }
}

/// A bounded, sanitised excerpt of a response body for diagnostics.
pub(crate) fn excerpt(body: &[u8]) -> Option<String> {
    // Look at a little more than we keep, so redaction sees whole tokens near the cut.
    let head = &body[..body.len().min(EXCERPT_MAX_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let clean = sanitize(text.trim(), EXCERPT_MAX_CHARS);
    if clean.is_empty() { None } else { Some(clean) }
}

/// Strips control characters, redacts anything that looks like a credential, and bounds the length.
///
/// Redacted: `Bearer <token>`, JWT-shaped strings (`eyJ….….…`), and the values of `access_token`,
/// `refresh_token`, `id_token`, `client_secret`, `password` keys (JSON or form style).
pub(crate) fn sanitize(input: &str, max_chars: usize) -> String {
    let no_ctrl: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let redacted = redact_secrets(&no_ctrl);
    let collapsed = collapse_spaces(&redacted);
    truncate_chars(&collapsed, max_chars)
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_space = false;
    for c in s.chars() {
        if c == ' ' {
            if !prev_space {
                out.push(c);
            }
            prev_space = true;
        } else {
            out.push(c);
            prev_space = false;
        }
    }
    out.trim().to_owned()
}

fn truncate_chars(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((idx, _)) => format!("{}…", &s[..idx]),
        None => s.to_owned(),
    }
}

const REDACTED: &str = "[REDACTED]";
const SECRET_KEYS: [&str; 6] = [
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "secret",
];

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

fn redact_secrets(s: &str) -> String {
    let s = redact_after_marker(s, "bearer ");
    let s = redact_jwts(&s);
    let mut s = s;
    for key in SECRET_KEYS {
        s = redact_key_values(&s, key);
    }
    s
}

/// Replaces the token following `marker` (case-insensitive), e.g. `Bearer abc.def` → `Bearer [REDACTED]`.
fn redact_after_marker(s: &str, marker: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(marker) {
        let start = pos + found + marker.len();
        out.push_str(&s[pos..start]);
        let mut end = s[start..]
            .char_indices()
            .find(|&(_, c)| !is_token_char(c))
            .map_or(s.len(), |(i, _)| start + i);
        // A marker glued to the token (`abcBearer xyz`) starts the next token; found by fuzzing.
        if let Some(next) = lower[start..]
            .find(marker)
            .map(|i| start + i)
            .filter(|n| *n < end)
        {
            end = next;
        }
        if end > start {
            out.push_str(REDACTED);
        }
        pos = end;
    }
    out.push_str(&s[pos..]);
    out
}

/// Replaces JWT-shaped runs (`eyJ` + base64url, at least two dots).
fn redact_jwts(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while let Some(found) = s[pos..].find("eyJ") {
        let start = pos + found;
        let end = s[start..]
            .char_indices()
            .find(|&(_, c)| !is_token_char(c))
            .map_or(s.len(), |(i, _)| start + i);
        let candidate = &s[start..end];
        out.push_str(&s[pos..start]);
        if candidate.matches('.').count() >= 2 || candidate.len() >= 24 {
            out.push_str(REDACTED);
        } else {
            out.push_str(candidate);
        }
        pos = end;
    }
    out.push_str(&s[pos..]);
    out
}

/// Redacts the value after `key` in `"key": "value"`, `key=value` and `key: value` styles.
fn redact_key_values(s: &str, key: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(key) {
        let key_end = pos + found + key.len();
        out.push_str(&s[pos..key_end]);
        // Skip closing quote, separators and opening quote.
        let rest = &s[key_end..];
        let skip = rest
            .char_indices()
            .find(|&(_, c)| !matches!(c, '"' | '\'' | ':' | '=' | ' '))
            .map_or(rest.len(), |(i, _)| i);
        let had_separator = rest[..skip].contains(':') || rest[..skip].contains('=');
        out.push_str(&rest[..skip]);
        let value_start = key_end + skip;
        if !had_separator {
            pos = value_start;
            continue;
        }
        let value_end = s[value_start..]
            .char_indices()
            .find(|&(_, c)| matches!(c, '"' | '\'' | '&' | ',' | '}' | ' '))
            .map_or(s.len(), |(i, _)| value_start + i);
        if value_end > value_start {
            out.push_str(REDACTED);
        }
        pos = value_end;
    }
    out.push_str(&s[pos..]);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn msg(body: &str) -> Option<String> {
        halo_message(body.as_bytes())
    }

    #[test]
    fn every_documented_shape_yields_its_message() {
        assert_eq!(msg(r#""Some message""#).as_deref(), Some("Some message"));
        assert_eq!(msg(r#"{"error":"text"}"#).as_deref(), Some("text"));
        assert_eq!(
            msg(r#"{"error":{"error_description":"bad thing"}}"#).as_deref(),
            Some("bad thing")
        );
        assert_eq!(
            msg(r#"{"ClassName":"System.Exception","Message":"An Outcome must be entered for this Action","StackTraceString":null}"#)
                .as_deref(),
            Some("An Outcome must be entered for this Action")
        );
        assert_eq!(
            msg(r#"{"Message":"Authorization has been denied"}"#).as_deref(),
            Some("Authorization has been denied")
        );
        assert_eq!(
            msg(r#"{"resultCode":1,"errorMessage":"Details and Category were required"}"#)
                .as_deref(),
            Some("Details and Category were required")
        );
        assert_eq!(
            msg(r#"{"[0].ticket_id":"The ticket_id field is required."}"#).as_deref(),
            Some("[0].ticket_id: The ticket_id field is required.")
        );
        assert_eq!(
            msg("Rate Limit Reached - 300 Requests per rolling 5 minute window").as_deref(),
            Some("Rate Limit Reached - 300 Requests per rolling 5 minute window")
        );
        assert_eq!(msg(""), None);
        assert_eq!(msg("   \n"), None);
        assert_eq!(msg("{}"), None);
    }

    #[test]
    fn secrets_are_redacted_and_controls_stripped() {
        let s = sanitize(
            "Bearer abc.DEF-123\n\u{1b}[31m token eyJhbGciOi.eyJzdWIi.sig",
            512,
        );
        assert!(!s.contains("abc.DEF-123"), "{s}");
        assert!(!s.contains("eyJhbGciOi"), "{s}");
        assert!(!s.contains('\u{1b}'), "{s}");
        let s = sanitize(r#"{"access_token":"tok-123","client_secret":"sek"}"#, 512);
        assert!(!s.contains("tok-123") && !s.contains("sek\""), "{s}");
        let s = sanitize("client_secret=hunter2&scope=all", 512);
        assert!(!s.contains("hunter2"), "{s}");
    }

    #[test]
    fn excerpt_is_bounded() {
        let long = "x".repeat(10_000);
        let e = excerpt(long.as_bytes()).unwrap();
        assert!(e.chars().count() <= EXCERPT_MAX_CHARS + 1);
    }
}
