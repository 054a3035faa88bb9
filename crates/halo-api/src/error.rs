//! The one error type of halo-api: opaque, with a [`ErrorKind`] to branch on, the HTTP status, the route template,
//! Halo's own message and a short sanitised body excerpt. Nothing in it (Display, Debug, source chain) ever holds the
//! client secret or an access token.

use std::fmt;
use std::time::Duration;

use crate::error_body;

/// What went wrong, coarsely; match on this to decide what to do.
///
/// ```
/// use halo_api::ErrorKind;
/// fn should_page_someone(kind: ErrorKind) -> bool {
///     matches!(kind, ErrorKind::Auth | ErrorKind::Forbidden | ErrorKind::OutcomeUnknown)
/// }
/// assert!(should_page_someone(ErrorKind::OutcomeUnknown));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Credentials or token were rejected (token endpoint error, or a 401 that survived one fresh token).
    Auth,
    /// HTTP 403: the API application or the agent it logs in as lacks a permission or scope.
    Forbidden,
    /// HTTP 404: no such record.
    NotFound,
    /// HTTP 400 (and other 4xx): Halo refused the data; [`Error::halo_message`] says why. Also local validation.
    Validation,
    /// HTTP 429 and the retry budget did not allow waiting it out.
    RateLimited,
    /// HTTP 5xx after retries (where retries apply).
    Server,
    /// A read, update or delete timed out after retries.
    Timeout,
    /// Connection or protocol failure (DNS, TLS, reset) after retries.
    Transport,
    /// Halo answered with a body this client could not understand.
    Decode,
    /// A create may or may not have happened: the request was sent but no answer arrived (timeout, dropped
    /// connection, gateway error). It was deliberately not retried, to avoid duplicates; look the record up before
    /// trying again.
    OutcomeUnknown,
    /// The client was configured wrongly (bad URL, invalid settings).
    Config,
}

impl ErrorKind {
    /// A short, stable, snake_case name for logs and metric labels.
    ///
    /// ```
    /// assert_eq!(halo_api::ErrorKind::RateLimited.as_str(), "rate_limited");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Auth => "auth",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Validation => "validation",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::Decode => "decode",
            ErrorKind::OutcomeUnknown => "outcome_unknown",
            ErrorKind::Config => "config",
        }
    }

    /// A short lower-case description used in Display.
    pub fn describe(self) -> &'static str {
        match self {
            ErrorKind::Auth => "authentication failed",
            ErrorKind::Forbidden => "permission denied",
            ErrorKind::NotFound => "not found",
            ErrorKind::Validation => "request rejected",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Server => "server error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Transport => "connection failed",
            ErrorKind::Decode => "unreadable response",
            ErrorKind::OutcomeUnknown => "outcome unknown",
            ErrorKind::Config => "invalid configuration",
        }
    }

    /// What a user can do about it (InsightConnect's "assistance").
    pub fn assistance(self) -> &'static str {
        match self {
            ErrorKind::Auth => {
                "Check the client ID, client secret, tenant and authorisation server in the connection settings."
            }
            ErrorKind::Forbidden => {
                "Give the Halo API application (and the agent it logs in as) permission for this resource."
            }
            ErrorKind::NotFound => "Check the ID; the record may have been deleted.",
            ErrorKind::Validation => "Correct the input named in Halo's message and try again.",
            ErrorKind::RateLimited => {
                "Halo's request budget is used up; wait a few minutes or lower the request rate."
            }
            ErrorKind::Server => {
                "Halo had an internal error; try again later or contact Halo support."
            }
            ErrorKind::Timeout => {
                "Halo did not answer in time; check connectivity or raise the request timeout."
            }
            ErrorKind::Transport => "Check the Halo URL, DNS, proxy and TLS settings.",
            ErrorKind::Decode => {
                "Halo answered with something unexpected; check the URL points at the Halo API."
            }
            ErrorKind::OutcomeUnknown => {
                "The record may have been created; search for it in Halo before trying again."
            }
            ErrorKind::Config => "Correct the client configuration.",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// An error from halo-api.
///
/// ```
/// # async fn demo(client: halo_api::HaloClient) {
/// use halo_api::{ErrorKind, TicketId};
/// match client.get_ticket(TicketId::new(42)).send().await {
///     Ok(ticket) => println!("{}", ticket.summary.unwrap_or_default()),
///     Err(e) if e.kind() == ErrorKind::NotFound => println!("no ticket 42"),
///     Err(e) => eprintln!("{e} ({})", e.kind().assistance()),
/// }
/// # }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    context: String,
    route: Option<&'static str>,
    method: Option<&'static str>,
    status: Option<u16>,
    message: Option<String>,
    excerpt: Option<String>,
    retry_after: Option<Duration>,
    attempts: u32,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, context: impl Into<String>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                context: error_body::sanitize(&context.into(), 512),
                route: None,
                method: None,
                status: None,
                message: None,
                excerpt: None,
                retry_after: None,
                attempts: 0,
                source: None,
            }),
        }
    }

    /// An error built from an HTTP response status and body.
    pub(crate) fn from_response(kind: ErrorKind, status: u16, body: &[u8]) -> Self {
        let mut e = Error::new(kind, format!("Halo answered HTTP {status}"));
        e.inner.status = Some(status);
        e.inner.message = error_body::halo_message(body);
        e.inner.excerpt = error_body::excerpt(body);
        e
    }

    pub(crate) fn with_route(mut self, method: &'static str, template: &'static str) -> Self {
        self.inner.method = Some(method);
        self.inner.route = Some(template);
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_retry_after(mut self, wait: Option<Duration>) -> Self {
        self.inner.retry_after = wait;
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }

    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = Some(error_body::sanitize(&message.into(), 512));
        self
    }

    /// Replaces every occurrence of `secret` (e.g. the access token the request carried) in the kept texts.
    pub(crate) fn redact_literal(mut self, secret: &str) -> Self {
        if secret.len() < 4 {
            return self;
        }
        let scrub = |s: &mut String| {
            if s.contains(secret) {
                *s = s.replace(secret, "[REDACTED]");
            }
        };
        scrub(&mut self.inner.context);
        if let Some(m) = self.inner.message.as_mut() {
            scrub(m);
        }
        if let Some(e) = self.inner.excerpt.as_mut() {
            scrub(e);
        }
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status Halo answered with, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// Halo's own message, parsed from whichever error body shape it sent (sanitised, ≤ 512 chars).
    pub fn halo_message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }

    /// A sanitised excerpt (≤ 512 chars, control characters removed, credentials redacted) of the response body.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.inner.excerpt.as_deref()
    }

    /// The route template of the request, e.g. `/api/Tickets/{id}` (never the filled URL).
    pub fn route_template(&self) -> Option<&'static str> {
        self.inner.route
    }

    /// The HTTP method of the request, e.g. `POST`.
    pub fn method(&self) -> Option<&'static str> {
        self.inner.method
    }

    /// For [`ErrorKind::RateLimited`]: how long Halo (or the cool-down) asked to wait.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// How many HTTP attempts were made before giving up (0 when none was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether trying the same call again later could succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Timeout | ErrorKind::Transport
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        write!(f, "{}", i.kind.describe())?;
        match (i.method, i.route) {
            (Some(m), Some(r)) => write!(f, " on {m} {r}")?,
            (None, Some(r)) => write!(f, " on {r}")?,
            _ => {}
        }
        write!(f, ": {}", i.context)?;
        if let Some(msg) = &i.message {
            write!(f, ": {msg}")?;
        }
        if let Some(wait) = i.retry_after {
            write!(f, " (retry after {} s)", wait.as_secs())?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Error")
            .field("kind", &i.kind)
            .field("method", &i.method)
            .field("route", &i.route)
            .field("status", &i.status)
            .field("context", &i.context)
            .field("halo_message", &i.message)
            .field("body_excerpt", &i.excerpt)
            .field("retry_after", &i.retry_after)
            .field("attempts", &i.attempts)
            .field("source", &i.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Result alias for halo-api.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maps an HTTP error status to a kind (401 is handled by the caller: it triggers one token refresh first).
pub(crate) fn kind_for_status(status: u16) -> ErrorKind {
    match status {
        401 => ErrorKind::Auth,
        403 => ErrorKind::Forbidden,
        404 | 410 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::Validation,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn display_names_route_and_message_but_not_the_body() {
        let e = Error::from_response(
            ErrorKind::Validation,
            400,
            br#"{"ClassName":"System.Exception","Message":"An Outcome must be entered for this Action"}"#,
        )
        .with_route("POST", "/api/Actions");
        let s = e.to_string();
        assert_eq!(
            s,
            "request rejected on POST /api/Actions: Halo answered HTTP 400: An Outcome must be entered for this Action"
        );
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.route_template(), Some("/api/Actions"));
    }

    #[test]
    fn statuses_map_to_kinds() {
        assert_eq!(kind_for_status(403), ErrorKind::Forbidden);
        assert_eq!(kind_for_status(404), ErrorKind::NotFound);
        assert_eq!(kind_for_status(400), ErrorKind::Validation);
        assert_eq!(kind_for_status(429), ErrorKind::RateLimited);
        assert_eq!(kind_for_status(503), ErrorKind::Server);
    }
}
