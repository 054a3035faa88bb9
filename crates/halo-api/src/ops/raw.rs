//! The escape hatch: any Halo endpoint, through the same limiter, token provider and retry policy. A POST whose body
//! has no `id` counts as a create (never retried once sent).

use http::Method;
use serde_json::Value;

use crate::client::HaloClient;
use crate::error::{Error, ErrorKind};
use crate::ops::into_future;
use crate::request::RequestParts;
use crate::route::Route;
use crate::send::{RawResponse, idempotency_for};

impl HaloClient {
    /// A request to any path below the resource server (e.g. `/Webhook`), for endpoints without a typed builder.
    ///
    /// ```no_run
    /// # async fn demo(client: halo_api::HaloClient) -> Result<(), halo_api::Error> {
    /// let hooks: serde_json::Value = client
    ///     .raw(http::Method::GET, "/Webhook", vec![], None)
    ///     .send_json()
    ///     .await?;
    /// # let _ = hooks; Ok(()) }
    /// ```
    pub fn raw(
        &self,
        method: Method,
        path: &str,
        query: Vec<(String, String)>,
        body: Option<Value>,
    ) -> Raw {
        Raw {
            client: self.clone(),
            method,
            path: path.to_owned(),
            query,
            body,
        }
    }
}

/// Builder for [`HaloClient::raw`].
#[must_use = "requests do nothing until sent"]
pub struct Raw {
    client: HaloClient,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

impl Raw {
    /// The request (pure).
    pub fn build(&self) -> RequestParts {
        let path = self.path.split(['?', '#']).next().unwrap_or_default();
        let path = path.trim_start_matches('/');
        let path = path.strip_prefix("api/").unwrap_or(path);
        let route = Route::Raw {
            method: self.method.clone(),
            path: format!("/{path}"),
        };
        let mut parts = RequestParts::new(route).query(self.query.clone());
        parts.idempotency = idempotency_for(&self.method, self.body.as_ref());
        if let Some(body) = &self.body {
            parts = parts.body(body.clone());
        }
        parts
    }

    /// Sends it; returns the raw 2xx response.
    ///
    /// # Errors
    /// Any [`Error`].
    pub async fn send(self) -> Result<RawResponse, Error> {
        if self.path.contains("..") {
            return Err(Error::new(
                ErrorKind::Validation,
                "a raw path must not contain '..'",
            ));
        }
        let parts = self.build();
        self.client.execute(&parts).await
    }

    /// Sends it and parses the body as JSON (`null` for an empty body).
    ///
    /// # Errors
    /// Any [`Error`]; [`ErrorKind::Decode`] for a non-JSON body.
    pub async fn send_json(self) -> Result<Value, Error> {
        let parts = self.build();
        let resp = self.send().await?;
        if resp.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        crate::send::decode(&resp, &parts)
    }
}

into_future!(Raw => RawResponse);
