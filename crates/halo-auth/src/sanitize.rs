//! Text hygiene for anything that came from a server or a transport error before it goes into
//! an [`AuthError`](crate::AuthError): bounded, single-line, and with known secrets removed.

use std::error::Error as StdError;

/// Longest server-provided text kept in an error.
pub(crate) const MAX_EXCERPT: usize = 300;

/// Remove every occurrence of each secret (raw and form-url-encoded, since a server echoing the
/// request would echo the encoded form), drop control characters, and bound the length.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret, "[redacted]");
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        if encoded != *secret {
            out = out.replace(&encoded, "[redacted]");
        }
    }
    bounded(&out, MAX_EXCERPT)
}

/// Single line, at most `max` characters (an ellipsis marks a cut).
pub(crate) fn bounded(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// A URL for messages: scheme, host, port and path, without query or credentials.
pub(crate) fn url_without_query(url: &url::Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    // Cannot fail for http(s) URLs; for others the original is still free of userinfo below.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// The error and its sources joined with ": " (transport errors only; they hold no secrets).
pub(crate) fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_raw_and_encoded_secret() {
        let s = scrub("bad secret s3cr+t/x and s3cr%2Bt%2Fx", &["s3cr+t/x"]);
        assert!(!s.contains("s3cr"), "{s}");
        assert_eq!(s, "bad secret [redacted] and [redacted]");
    }

    #[test]
    fn scrub_ignores_empty_secret_and_bounds_length() {
        let long = "x".repeat(1000);
        let s = scrub(&long, &[""]);
        assert_eq!(s.chars().count(), MAX_EXCERPT + 1);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn bounded_flattens_control_characters() {
        assert_eq!(bounded("a\nb\r\tc", 10), "a b  c");
    }

    #[test]
    fn url_without_query_drops_query_and_userinfo() {
        let url = url::Url::parse("https://u:p@h.example/auth/token?tenant=x#f").unwrap();
        assert_eq!(url_without_query(&url), "https://h.example/auth/token");
    }
}
