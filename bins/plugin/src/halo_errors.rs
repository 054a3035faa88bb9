//! Maps `halo_api::Error` and `halo_auth::AuthError` to step errors a workflow author can act on:
//! what was being done, Halo's own message, and what to change. Never a secret (neither error type
//! carries one).

use halo_api::{Error, ErrorKind};
use halo_auth::{AuthError, AuthErrorKind};

use crate::errors::StepError;

/// `doing` says what the action was doing, e.g. "getting ticket 42" or "creating the ticket".
pub fn from_api(e: &Error, doing: &str) -> StepError {
    let status = e
        .status()
        .map(|s| format!(" (HTTP {s})"))
        .unwrap_or_default();
    let mut doing_cap = doing.to_string();
    if let Some(first) = doing_cap.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let cause = format!("{doing_cap} failed: {}{status}.", e.kind().describe());
    let data = e
        .halo_message()
        .or(e.body_excerpt())
        .unwrap_or_default()
        .to_string();
    let assistance = match e.kind() {
        ErrorKind::Validation if !data.is_empty() => {
            "Halo rejected the request; correct the input Halo's message names and try again."
                .to_string()
        }
        kind => kind.assistance().to_string(),
    };
    StepError::plugin(cause, assistance)
        .with_data(data)
        .with_halo_kind(e.kind())
}

/// Connection-test wording for a token failure, one case per way it fails.
pub fn from_auth(e: &AuthError) -> StepError {
    let detail = e
        .error_description()
        .or(e.oauth_error())
        .unwrap_or_default()
        .to_string();
    let (cause, assistance) = match e.kind() {
        AuthErrorKind::CredentialsRejected => (
            "Halo's authorization server rejected the client credentials (invalid_client).",
            "Check the Client ID and Client Secret of the Halo API application, that it uses Client Credentials \
             and is active, and the Tenant for hosted Halo.",
        ),
        AuthErrorKind::InvalidScope => (
            "Halo's authorization server rejected the requested scope (invalid_scope).",
            "Set the connection's Scope to one the API application allows (usually all).",
        ),
        AuthErrorKind::Refused => (
            "Halo's authorization server refused the token request.",
            "Check the Authorization Server URL, the Tenant and the API application's authentication method.",
        ),
        AuthErrorKind::Unreachable => (
            "Halo's authorization server could not be reached (DNS, connection or TLS failure).",
            "Check the Authorization Server URL, the network path from the orchestrator, and SSL Verify for \
             servers with private certificates.",
        ),
        AuthErrorKind::Timeout => (
            "Halo's authorization server did not answer in time.",
            "Check the network path from the orchestrator or raise the connection's Timeout.",
        ),
        AuthErrorKind::ServerError => (
            "Halo's authorization server had an error or is rate limiting.",
            "Try again later; if it persists, contact Halo support.",
        ),
        AuthErrorKind::MalformedResponse => (
            "The Authorization Server URL did not answer like a Halo authorization server.",
            "Set Authorization Server to the URL in Halo's API settings, for example https://example.haloitsm.com/auth.",
        ),
        _ => ("The connection settings cannot work.", e.assistance()),
    };
    let data = if detail.is_empty() {
        e.to_string()
    } else {
        detail
    };
    StepError::connection_test(cause, assistance)
        .with_data(data)
        .with_halo_kind(auth_kind(e.kind(), e.status()))
}

/// A token failure in the API client's vocabulary, so metrics (and halo-cli's exit codes) count both under
/// one set of kinds; a 429 from the token endpoint is rate limiting, not a server error.
fn auth_kind(kind: AuthErrorKind, status: Option<u16>) -> ErrorKind {
    match kind {
        AuthErrorKind::ServerError if status == Some(429) => ErrorKind::RateLimited,
        AuthErrorKind::Unreachable => ErrorKind::Transport,
        AuthErrorKind::Timeout => ErrorKind::Timeout,
        AuthErrorKind::ServerError => ErrorKind::Server,
        AuthErrorKind::MalformedResponse => ErrorKind::Decode,
        AuthErrorKind::Config => ErrorKind::Config,
        _ => ErrorKind::Auth,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn token_failures_map_to_the_api_kinds() {
        assert_eq!(
            auth_kind(AuthErrorKind::ServerError, Some(429)),
            ErrorKind::RateLimited
        );
        assert_eq!(
            auth_kind(AuthErrorKind::ServerError, Some(503)),
            ErrorKind::Server
        );
        assert_eq!(
            auth_kind(AuthErrorKind::CredentialsRejected, Some(401)),
            ErrorKind::Auth
        );
        assert_eq!(
            auth_kind(AuthErrorKind::Unreachable, None),
            ErrorKind::Transport
        );
        assert_eq!(auth_kind(AuthErrorKind::Config, None), ErrorKind::Config);
    }
}
