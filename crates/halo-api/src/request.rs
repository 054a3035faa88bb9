//! [`RequestParts`]: what one operation sends, built without any network so request building can be tested (and
//! snapshotted) on its own.

use http::Method;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::retry::Idempotency;
use crate::route::Route;

/// A fully built request: route, method, path, query pairs (in order) and JSON body.
///
/// Every operation builder has a pure `build()` returning this; `send()` runs it through the client's limiter,
/// retry policy and token provider.
///
/// ```
/// # fn demo(client: &halo_api::HaloClient) {
/// use halo_api::TicketId;
/// let parts = client.get_ticket(TicketId::new(7)).include_details(true).build();
/// assert_eq!(parts.path, "/api/Tickets/7");
/// assert_eq!(parts.query, vec![("includedetails".to_string(), "true".to_string())]);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestParts {
    /// The endpoint (serialised as its template).
    #[serde(serialize_with = "route_template")]
    pub route: Route,
    /// The HTTP method.
    #[serde(serialize_with = "method_str")]
    pub method: Method,
    /// The filled path below the resource server's origin, starting with `/api`.
    pub path: String,
    /// Query pairs, in the order they are sent.
    pub query: Vec<(String, String)>,
    /// The JSON body (Halo POST bodies are always arrays).
    pub body: Option<Value>,
    /// Whether the request may be repeated safely.
    pub idempotency: Idempotency,
}

impl RequestParts {
    pub(crate) fn new(route: Route) -> Self {
        let idempotency = match route {
            Route::CreateTicket | Route::AddAction | Route::UploadAttachment => Idempotency::Create,
            _ => Idempotency::Idempotent,
        };
        RequestParts {
            method: route.method(),
            path: route.path(),
            route,
            query: Vec::new(),
            body: None,
            idempotency,
        }
    }

    pub(crate) fn query(mut self, pairs: Vec<(String, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    pub(crate) fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The value of the first query parameter `key`, if present.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn route_template<S: Serializer>(route: &Route, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(route.template())
}

fn method_str<S: Serializer>(method: &Method, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(method.as_str())
}

/// Decides create vs update for a POST body: a create is any element without a non-zero `id`.
pub(crate) fn post_idempotency(body: &Value) -> Idempotency {
    let has_id = |v: &Value| {
        v.get("id").is_some_and(|id| match id {
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Value::String(s) => !s.is_empty() && s != "0",
            _ => false,
        })
    };
    let all_have_ids = match body {
        Value::Array(items) => !items.is_empty() && items.iter().all(has_id),
        other => has_id(other),
    };
    if all_have_ids {
        Idempotency::Idempotent
    } else {
        Idempotency::Create
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn posts_without_ids_are_creates() {
        assert_eq!(
            post_idempotency(&json!([{"summary": "x"}])),
            Idempotency::Create
        );
        assert_eq!(post_idempotency(&json!([{"id": 0}])), Idempotency::Create);
        assert_eq!(
            post_idempotency(&json!([{"id": 3}, {"summary": "x"}])),
            Idempotency::Create
        );
        assert_eq!(
            post_idempotency(&json!([{"id": 3}])),
            Idempotency::Idempotent
        );
        assert_eq!(
            post_idempotency(&json!([{"id": "guid-1"}])),
            Idempotency::Idempotent
        );
        assert_eq!(post_idempotency(&json!([])), Idempotency::Create);
    }
}
