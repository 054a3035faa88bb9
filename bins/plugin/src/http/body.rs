//! The checks the runtime's HTTP server makes on a step's request body before it becomes a message: the body
//! is JSON, a non-empty object, and the step name inside it matches the route's. Pure, so it is fuzzed with
//! the `run`-mode message parser (`fuzz/fuzz_targets/plugin_message.rs`).

use serde_json::Value;

/// Why a step's request body was refused (every case is HTTP 400 in the runtime's Flask wording).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// Not JSON: the decoder's message.
    NotJson(String),
    /// JSON, but not an object with at least one key.
    Empty,
    /// The route names one step and the body another (or none).
    NameMismatch {
        /// `action`, `trigger` or `task`.
        kind: String,
        /// The name in the body, if there was one.
        given: Option<String>,
        /// The name in the route.
        route: String,
    },
}

impl BodyError {
    /// The runtime's message for this refusal.
    ///
    /// ```
    /// use haloitsm_plugin::http::body::{check, BodyError};
    /// let e = check(br#"{"body": {"action": "b"}}"#, Some(("action", "a"))).unwrap_err();
    /// assert_eq!(e.message(), "Action name (b) in input body is not matching with name (a) in route");
    /// assert_eq!(check(b"{}", None).unwrap_err(), BodyError::Empty);
    /// ```
    pub fn message(&self) -> String {
        match self {
            BodyError::NotJson(e) => format!("Failed to decode JSON object: {e}"),
            BodyError::Empty => "Empty input provided".to_string(),
            BodyError::NameMismatch { kind, given, route } => {
                let mut chars = kind.chars();
                let cap: String = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
                format!(
                    "{cap} name ({}) in input body is not matching with name ({route}) in route",
                    given.as_deref().unwrap_or("None")
                )
            }
        }
    }
}

/// Checks a step's body; `route` is `(kind, name)` for the routes that name a step.
pub fn check(body: &[u8], route: Option<(&str, &str)>) -> Result<Value, BodyError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| BodyError::NotJson(e.to_string()))?;
    if value.as_object().is_none_or(|o| o.is_empty()) {
        return Err(BodyError::Empty);
    }
    if let Some((kind, name)) = route {
        let given = value
            .get("body")
            .and_then(|b| b.get(kind))
            .and_then(Value::as_str);
        if given != Some(name) {
            return Err(BodyError::NameMismatch {
                kind: kind.to_string(),
                given: given.map(str::to_string),
                route: name.to_string(),
            });
        }
    }
    Ok(value)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn refusals_in_the_runtimes_words() {
        assert!(matches!(check(b"nope", None), Err(BodyError::NotJson(_))));
        assert!(
            check(b"nope", None)
                .unwrap_err()
                .message()
                .starts_with("Failed to decode JSON object: ")
        );
        assert_eq!(check(b"[1]", None), Err(BodyError::Empty));
        let e = check(br#"{"body": {}}"#, Some(("trigger", "t"))).unwrap_err();
        assert_eq!(
            e.message(),
            "Trigger name (None) in input body is not matching with name (t) in route"
        );
        let ok = check(br#"{"body": {"task": "x"}}"#, Some(("task", "x"))).unwrap();
        assert_eq!(ok["body"]["task"], "x");
        // An empty kind cannot come from a route, but must not panic either.
        assert!(check(br#"{"a": 1}"#, Some(("", "x"))).is_err());
    }
}
