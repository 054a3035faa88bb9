//! The one path every request takes: shared 429 pause → rate limiter → token → HTTP attempt → classify →
//! retry decision. Nothing else in the workspace retries or sleeps for Halo.

use std::time::Duration;

use bytes::Bytes;
use halo_auth::{AuthError, AuthErrorKind, BearerToken};
use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;
use tracing::Instrument;
use uuid::Uuid;

use crate::client::HaloClient;
use crate::error::{Error, ErrorKind, kind_for_status};
use crate::observer::AttemptEvent;
use crate::request::RequestParts;
use crate::retry::{Decision, Failure, Idempotency, is_retryable, leaves_outcome_unknown};

/// A successful (2xx) response, body fully read.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

/// Why one attempt failed: the error to return if we stop, what the retry decision needs, and an imposed wait.
struct AttemptFailure {
    error: Error,
    failure: Failure,
    at_least: Option<Duration>,
}

impl HaloClient {
    /// Runs a built request through the limiter, token provider and retry policy; returns the 2xx response.
    pub(crate) async fn execute(&self, parts: &RequestParts) -> Result<RawResponse, Error> {
        let request_id = Uuid::new_v4();
        let route = parts.route.template();
        let span = tracing::info_span!(
            "halo_request",
            route,
            method = parts.method.as_str(),
            request_id = %request_id,
        );
        self.execute_inner(parts, request_id).instrument(span).await
    }

    async fn execute_inner(
        &self,
        parts: &RequestParts,
        request_id: Uuid,
    ) -> Result<RawResponse, Error> {
        let inner = &self.inner;
        let route = parts.route.template();
        let method_str = static_method(&parts.method);
        let policy = &inner.retry;
        let start = Instant::now();
        let mut backoff = policy.backoff();
        let mut attempt = 0u32;
        // Attempts that count against the policy: the one fresh-token retry after a 401 does not.
        let mut counted = 0u32;
        let mut refreshed_after_401 = false;

        loop {
            self.wait_for_slot(route, start)
                .await
                .map_err(|e| e.with_route(method_str, route).with_attempts(attempt))?;
            attempt += 1;
            counted += 1;
            // One span per attempt (status and latency recorded once each), inside the request's span.
            let attempt_span = tracing::info_span!(
                "halo_attempt",
                attempt,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            let outcome = async {
                match inner.tokens.token().await {
                    Err(auth) => Err((None, token_failure(auth))),
                    Ok(token) => self
                        .attempt(parts, &token, request_id, attempt)
                        .await
                        .map_err(|f| (Some(token), f)),
                }
            }
            .instrument(attempt_span)
            .await;

            let failure = match outcome {
                Err((None, f)) => f,
                Err((Some(token), f))
                    if f.failure == Failure::Status(401) && !refreshed_after_401 =>
                {
                    // The token may have been revoked or expired early: drop exactly this one (the provider
                    // ignores stale rejections, so a burst of 401s costs one refresh) and try once more.
                    inner.tokens.reject(&token);
                    refreshed_after_401 = true;
                    counted -= 1;
                    tracing::debug!(attempt, "401 from Halo; retrying once with a fresh token");
                    continue;
                }
                Err((Some(_), f)) => f,
                Ok(resp) => {
                    tracing::info!(
                        attempt,
                        status = resp.status,
                        latency_ms = elapsed_ms(start),
                        "halo request succeeded"
                    );
                    return Ok(resp);
                }
            };

            let AttemptFailure {
                error,
                failure,
                at_least,
            } = failure;
            let error = error.with_route(method_str, route).with_attempts(attempt);
            if leaves_outcome_unknown(failure, parts.idempotency) {
                tracing::warn!(
                    attempt,
                    "create sent but no answer arrived; not retried (outcome unknown)"
                );
                return Err(outcome_unknown(error));
            }
            let retryable = is_retryable(failure, parts.idempotency);
            let next = if retryable { backoff.next() } else { None };
            match policy.decide(counted, start.elapsed(), retryable, next, at_least) {
                Decision::Retry(delay) => {
                    inner.observer.on_retry(route, attempt, delay);
                    tracing::warn!(
                        attempt,
                        kind = %error.kind(),
                        status = error.status(),
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "halo request failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                Decision::GiveUp(reason) => {
                    tracing::warn!(
                        attempt,
                        kind = %error.kind(),
                        status = error.status(),
                        latency_ms = elapsed_ms(start),
                        ?reason,
                        "halo request failed"
                    );
                    return Err(error);
                }
            }
        }
    }

    /// Waits for the shared 429 pause and a rate-limiter slot, within the retry policy's time budget.
    ///
    /// The pause is checked again once a slot is had: a caller that was queued in the limiter when a 429 arrived
    /// must not send during the pause. Such a caller waits the pause out and queues for a fresh slot (the one it
    /// held fell inside the pause), so the callers released by the pause's end are spread by the limiter instead
    /// of all sending at once. This repeats while a pause is in force, bounded by the time budget.
    async fn wait_for_slot(&self, route: &'static str, start: Instant) -> Result<(), Error> {
        let inner = &self.inner;
        let began = Instant::now();
        loop {
            self.wait_out_pause(start).await?;
            inner.limiter.acquire().await;
            if inner.limiter.pause_remaining().is_none() {
                break;
            }
            tracing::debug!("a 429 pause began while queued for the rate limiter; waiting it out");
        }
        let waited = began.elapsed();
        if waited >= Duration::from_millis(1) {
            inner.observer.on_limiter_wait(route, waited);
            tracing::debug!(waited_ms = elapsed_ms(began), "waited for the rate limiter");
        }
        Ok(())
    }

    /// Sleeps until the shared 429 pause (if any) is over; fails when it outlasts the retry time budget.
    async fn wait_out_pause(&self, start: Instant) -> Result<(), Error> {
        let inner = &self.inner;
        while let Some(pause) = inner.limiter.pause_remaining() {
            let budget_left = inner.retry.elapsed_budget().saturating_sub(start.elapsed());
            if pause > budget_left {
                return Err(Error::new(
                    ErrorKind::RateLimited,
                    "Halo's rate limit is in force and its pause outlasts the retry time budget; try again once it is over",
                )
                .with_retry_after(Some(pause)));
            }
            tokio::time::sleep(pause).await;
        }
        Ok(())
    }

    /// One HTTP attempt.
    async fn attempt(
        &self,
        parts: &RequestParts,
        token: &BearerToken,
        request_id: Uuid,
        attempt: u32,
    ) -> Result<RawResponse, AttemptFailure> {
        let inner = &self.inner;
        let route = parts.route.template();
        let url = format!("{}{}", inner.origin, parts.path);
        let auth = token.authorization_header().ok_or_else(|| AttemptFailure {
            error: Error::new(
                ErrorKind::Auth,
                "the access token contains characters a header cannot carry",
            ),
            failure: Failure::Token { retryable: false },
            at_least: None,
        })?;
        let mut req = inner
            .http
            .request(parts.method.clone(), url)
            .header(http::header::AUTHORIZATION, auth)
            .header(http::header::ACCEPT, "application/json")
            .header("X-Request-Id", request_id.to_string());
        if !parts.query.is_empty() {
            req = req.query(&parts.query);
        }
        if let Some(body) = &parts.body {
            req = req.json(body);
            tracing::debug!(attempt, body_bytes = body.to_string().len(), "sending body");
        }
        let sent = Instant::now();
        let result = req.send().await;
        let event = |status: Option<u16>| AttemptEvent {
            route,
            name: parts.route.name(),
            attempt,
            status,
            latency: sent.elapsed(),
        };
        let resp = match result {
            Ok(r) => r,
            Err(e) => {
                inner.observer.on_attempt(&event(None));
                return Err(transport_failure(e));
            }
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => {
                inner.observer.on_attempt(&event(Some(status)));
                // The head arrived, the body did not: for a create that means "probably done, id unknown".
                let mut f = transport_failure(e);
                if f.failure == Failure::Connect {
                    f.failure = Failure::Dropped;
                }
                return Err(f);
            }
        };
        let ev = event(Some(status));
        inner.observer.on_attempt(&ev);
        let span = tracing::Span::current();
        span.record("status", status);
        span.record(
            "latency_ms",
            u64::try_from(ev.latency.as_millis()).unwrap_or(u64::MAX),
        );
        tracing::debug!(
            attempt,
            status,
            latency_ms = elapsed_ms(sent),
            body_bytes = body.len(),
            "halo response"
        );

        if (200..300).contains(&status) {
            return Ok(RawResponse {
                status,
                headers,
                body,
            });
        }
        if (300..400).contains(&status) {
            let to = headers
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?");
            let to = to.split('?').next().unwrap_or("?").to_owned();
            return Err(AttemptFailure {
                error: Error::from_response(ErrorKind::Config, status, &body)
                    .redact_literal(token.expose_secret())
                    .with_message(format!(
                        "Halo redirected to {to}; configure that URL as the resource server"
                    )),
                failure: Failure::Status(status),
                at_least: None,
            });
        }
        // Redact the token this request carried, in case Halo (or a proxy) echoes it back.
        let mut error = Error::from_response(kind_for_status(status), status, &body)
            .redact_literal(token.expose_secret());
        let mut at_least = None;
        if status == 429 {
            let retry_after = parse_retry_after(&headers);
            let pause = inner.limiter.pause(retry_after);
            inner.observer.on_rate_limited(route, pause);
            tracing::warn!(
                attempt,
                pause_ms = pause.as_millis() as u64,
                "429 from Halo; pausing all callers"
            );
            at_least = inner.limiter.pause_remaining().or(Some(pause));
            error = error.with_retry_after(Some(pause));
        }
        Err(AttemptFailure {
            error,
            failure: Failure::Status(status),
            at_least,
        })
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn static_method(m: &http::Method) -> &'static str {
    match *m {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::DELETE => "DELETE",
        http::Method::PUT => "PUT",
        http::Method::PATCH => "PATCH",
        http::Method::HEAD => "HEAD",
        _ => "OTHER",
    }
}

fn outcome_unknown(error: Error) -> Error {
    let status = error.status();
    let why = match status {
        Some(s) => format!("the create reached a gateway that answered HTTP {s}"),
        None => "the create was sent but no answer arrived".to_owned(),
    };
    let kind_before = error.kind();
    error.with_kind(ErrorKind::OutcomeUnknown).with_message(format!(
        "{why} ({kind_before}); it was not retried so that no duplicate is created; look the record up before trying again"
    ))
}

fn transport_failure(e: reqwest::Error) -> AttemptFailure {
    let e = e.without_url();
    if e.is_builder() {
        return AttemptFailure {
            error: Error::new(ErrorKind::Config, "the request could not be built").with_source(e),
            failure: Failure::Token { retryable: false },
            at_least: None,
        };
    }
    // is_connect first: a connect timeout is both, and nothing was sent then.
    let (kind, failure, what) = if e.is_connect() {
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Transport
        };
        (kind, Failure::Connect, "could not connect to Halo")
    } else if e.is_timeout() {
        (
            ErrorKind::Timeout,
            Failure::Timeout,
            "Halo did not answer within the request timeout",
        )
    } else {
        (
            ErrorKind::Transport,
            Failure::Dropped,
            "the connection to Halo failed during the request",
        )
    };
    AttemptFailure {
        error: Error::new(kind, what).with_source(e),
        failure,
        at_least: None,
    }
}

fn token_failure(e: AuthError) -> AttemptFailure {
    let kind = match e.kind() {
        AuthErrorKind::Unreachable => ErrorKind::Transport,
        AuthErrorKind::Timeout => ErrorKind::Timeout,
        AuthErrorKind::ServerError => ErrorKind::Server,
        _ => ErrorKind::Auth,
    };
    let retryable = e.is_retryable();
    let status = e.status();
    let mut error = Error::new(kind, format!("no access token: {e}"));
    if let Some(s) = status {
        error = error.with_message(format!("the token endpoint answered HTTP {s}"));
    }
    AttemptFailure {
        error: error.with_source(e),
        failure: Failure::Token { retryable },
        at_least: None,
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// Decodes a JSON body into `T`.
pub(crate) fn decode<T: DeserializeOwned>(
    resp: &RawResponse,
    parts: &RequestParts,
) -> Result<T, Error> {
    serde_json::from_slice(&resp.body).map_err(|e| decode_error(resp, parts, e))
}

/// Decodes a POST answer: Halo returns the saved object, or an array (with `returnall`) of which the last is taken.
pub(crate) fn decode_one<T: DeserializeOwned>(
    resp: &RawResponse,
    parts: &RequestParts,
) -> Result<T, Error> {
    let value: Value = decode(resp, parts)?;
    let value = match value {
        Value::Array(mut items) => items.pop().ok_or_else(|| {
            Error::new(
                ErrorKind::Decode,
                "Halo answered with an empty array where a record was expected",
            )
            .with_route(static_method(&parts.method), parts.route.template())
        })?,
        other => other,
    };
    serde_json::from_value(value).map_err(|e| decode_error(resp, parts, e))
}

pub(crate) fn decode_error(
    resp: &RawResponse,
    parts: &RequestParts,
    e: serde_json::Error,
) -> Error {
    let mut err = Error::from_response(ErrorKind::Decode, resp.status, &resp.body)
        .with_message(format!("the response did not have the expected shape: {e}"))
        .with_route(static_method(&parts.method), parts.route.template());
    err = err.with_source(e);
    err
}

/// For `raw()`: a POST body decides create vs update.
pub(crate) fn idempotency_for(method: &http::Method, body: Option<&Value>) -> Idempotency {
    match (method, body) {
        (&http::Method::POST, Some(b)) => crate::request::post_idempotency(b),
        (&http::Method::POST, None) => Idempotency::Create,
        _ => Idempotency::Idempotent,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            http::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h), None);
    }
}
