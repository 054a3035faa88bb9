//! Exit codes and the user-facing error (cause + assistance), and how library errors map onto them.
//!
//! The codes are part of the CLI's interface (documented in `--help` and the README); scripts branch on them.

use std::fmt;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// 0: success.
    Ok,
    /// 1: a check or step failed, a server error, anything not listed below.
    Failure,
    /// 2: bad arguments or input, missing or invalid configuration.
    Usage,
    /// 3: credentials rejected, token refused, permission missing.
    Auth,
    /// 4: the ticket, record or route does not exist.
    NotFound,
    /// 5: Halo kept answering 429 after the retries.
    RateLimited,
    /// 6: unreachable, timed out, TLS failure.
    Connection,
    /// 130: a bulk run was interrupted (Ctrl-C / SIGINT) between rows; running it again resumes it.
    Interrupted,
}

impl ExitKind {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitKind::Ok => 0,
            ExitKind::Failure => 1,
            ExitKind::Usage => 2,
            ExitKind::Auth => 3,
            ExitKind::NotFound => 4,
            ExitKind::RateLimited => 5,
            ExitKind::Connection => 6,
            ExitKind::Interrupted => 130,
        }
    }

    /// Stable machine name used in JSON error output.
    pub fn name(self) -> &'static str {
        match self {
            ExitKind::Ok => "ok",
            ExitKind::Failure => "failure",
            ExitKind::Usage => "usage",
            ExitKind::Auth => "auth",
            ExitKind::NotFound => "not_found",
            ExitKind::RateLimited => "rate_limited",
            ExitKind::Connection => "connection",
            ExitKind::Interrupted => "interrupted",
        }
    }
}

/// An error as the user sees it: what went wrong (cause) and what to do about it (assistance),
/// in the same wording style as the InsightConnect plugin's exceptions.
#[derive(Debug)]
pub struct CliError {
    /// Which exit code this error ends the process with.
    pub kind: ExitKind,
    /// What went wrong.
    pub cause: String,
    /// What to do about it.
    pub assistance: String,
    /// Extra detail (already sanitised: never a secret or token).
    pub data: Option<String>,
}

impl CliError {
    /// A new error.
    pub fn new(kind: ExitKind, cause: impl Into<String>, assistance: impl Into<String>) -> Self {
        Self {
            kind,
            cause: cause.into(),
            assistance: assistance.into(),
            data: None,
        }
    }

    /// A usage error (exit 2).
    pub fn usage(cause: impl Into<String>, assistance: impl Into<String>) -> Self {
        Self::new(ExitKind::Usage, cause, assistance)
    }

    /// Attach sanitised detail.
    pub fn with_data(mut self, data: impl Into<String>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// The JSON form printed on stderr with `--output json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "ok": false,
            "error": {
                "kind": self.kind.name(),
                "exit_code": self.kind.code(),
                "cause": self.cause,
                "assistance": self.assistance,
                "data": self.data,
            }
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.cause, self.assistance)?;
        if let Some(data) = &self.data {
            write!(f, " Response was: {data}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}

/// Turn any error from a command into the user-facing error, keeping the most specific kind found in the chain.
pub fn classify(err: &anyhow::Error) -> CliError {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return CliError {
                kind: e.kind,
                cause: e.cause.clone(),
                assistance: e.assistance.clone(),
                data: e.data.clone(),
            };
        }
        if let Some(e) = cause.downcast_ref::<halo_api::Error>() {
            return from_api(e);
        }
        if let Some(e) = cause.downcast_ref::<haloitsm_plugin::errors::StepError>() {
            return crate::client::step_error(e);
        }
        if let Some(e) = cause.downcast_ref::<halo_auth::AuthError>() {
            return from_auth(e);
        }
    }
    CliError::new(
        ExitKind::Failure,
        format!("{err:#}."),
        "Run again with -v for details; if it persists, report it with that output.",
    )
}

/// Map a halo-api error onto an exit code with cause/assistance.
pub fn from_api(e: &halo_api::Error) -> CliError {
    use halo_api::ErrorKind as K;
    // A failed token request keeps the token error's own classification (a refused request is an auth
    // problem, a 429 from the token endpoint is rate limiting), which halo-api folds into Auth/Server.
    if let Some(auth) =
        std::error::Error::source(e).and_then(|s| s.downcast_ref::<halo_auth::AuthError>())
    {
        let mut out = from_auth(auth);
        out.cause = sentence(&e.to_string());
        return out;
    }
    let (kind, assistance) = match e.kind() {
        K::Auth => (
            ExitKind::Auth,
            "Check the client id and secret, the tenant and the authorisation server of the profile \
             (`halo-cli config show`), and that the API application in Halo (Configuration > Integrations > \
             Halo API > Applications) is active and uses Client ID and Secret (Services).",
        ),
        K::Forbidden => (
            ExitKind::Auth,
            "Give the API application's agent the permission this needs (Halo > Configuration > Integrations > \
             Halo API > Applications > Permissions), or use a scope that includes it.",
        ),
        K::NotFound => (
            ExitKind::NotFound,
            "Check the id (see `halo-cli tickets list` or `halo-cli lookup ...`) and the resource server URL \
             (it should end in /api).",
        ),
        K::Validation => (
            ExitKind::Usage,
            "Halo rejected the request as invalid: correct the value named in the message and try again.",
        ),
        K::RateLimited => (
            ExitKind::RateLimited,
            "Halo's rate limit was hit and did not recover within the retries; wait a few minutes or lower \
             the request rate.",
        ),
        K::Timeout | K::Transport => (
            ExitKind::Connection,
            "Check the resource server URL, DNS, proxy and firewall, and that the tenant is up \
             (`halo-cli doctor` checks each step).",
        ),
        K::OutcomeUnknown => (
            ExitKind::Failure,
            "The request may or may not have been applied in Halo: check the ticket before retrying.",
        ),
        K::Server | K::Decode => (
            ExitKind::Failure,
            "Halo answered with an error or something unexpected; try again later, and report it with -v \
             output if it persists.",
        ),
        K::Config => (
            ExitKind::Usage,
            "Fix the connection settings of the profile (`halo-cli config show`): the resource server must be \
             the instance's https://<instance>/api URL.",
        ),
        _ => (ExitKind::Failure, "Run again with -v for details."),
    };
    let mut out = CliError::new(kind, sentence(&e.to_string()), assistance);
    if let Some(msg) = e.halo_message() {
        out = out.with_data(msg.to_string());
    }
    out
}

/// Map a halo-auth error onto an exit code with cause/assistance.
pub fn from_auth(e: &halo_auth::AuthError) -> CliError {
    use halo_auth::AuthErrorKind as K;
    let (kind, assistance) = match e.kind() {
        K::CredentialsRejected => (
            ExitKind::Auth,
            "Check the client id and secret (and the tenant for hosted Halo); in Halo, the API application \
             must be active with authentication method Client ID and Secret (Services).",
        ),
        K::InvalidScope => (
            ExitKind::Auth,
            "Use a scope the API application allows (usually \"all\"), or widen its permissions in Halo.",
        ),
        K::Refused => (
            ExitKind::Auth,
            "The authorisation server refused the token request: check that the API application uses \
             Client ID and Secret (Services), that it may use the client credentials grant, and the tenant.",
        ),
        K::ServerError if e.status() == Some(429) => (
            ExitKind::RateLimited,
            "The authorisation server is rate limiting token requests; wait a few minutes and try again \
             (several tools sharing one API application share its limit).",
        ),
        K::ServerError => (
            ExitKind::Failure,
            "The authorisation server answered with a server error; try again later, and contact Halo \
             support if it persists.",
        ),
        K::Unreachable | K::Timeout => (
            ExitKind::Connection,
            "Check the authorisation server URL (usually https://<instance>/auth), DNS, proxy and firewall.",
        ),
        K::MalformedResponse => (
            ExitKind::Failure,
            "The authorisation server answered something that is not an OAuth2 token response: check that the \
             URL points at Halo's /auth (not the web UI).",
        ),
        K::Config => (
            ExitKind::Usage,
            "Fix the connection settings of the profile (`halo-cli config show`).",
        ),
        _ => (ExitKind::Failure, "Run again with -v for details."),
    };
    CliError::new(kind, sentence(&e.to_string()), assistance)
}

fn sentence(s: &str) -> String {
    let t = s.trim();
    if t.ends_with('.') {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_documented() {
        let all = [
            ExitKind::Ok,
            ExitKind::Failure,
            ExitKind::Usage,
            ExitKind::Auth,
            ExitKind::NotFound,
            ExitKind::RateLimited,
            ExitKind::Connection,
            ExitKind::Interrupted,
        ];
        let mut codes: Vec<u8> = all.iter().map(|k| k.code()).collect();
        codes.dedup();
        assert_eq!(codes, vec![0, 1, 2, 3, 4, 5, 6, 130]);
        let help = crate::cli::TOP_EXAMPLES;
        for k in all {
            assert!(
                help.contains(&format!("  {}  ", k.code())),
                "exit code {} missing from --help",
                k.code()
            );
        }
    }

    #[test]
    fn plugin_step_errors_exit_with_the_code_of_their_halo_kind() {
        use haloitsm_plugin::errors::StepError;
        let with = |k: halo_api::ErrorKind| {
            crate::client::step_error(&StepError::plugin("Failed.", "Fix.").with_halo_kind(k)).kind
        };
        assert_eq!(with(halo_api::ErrorKind::Auth), ExitKind::Auth);
        assert_eq!(with(halo_api::ErrorKind::Forbidden), ExitKind::Auth);
        assert_eq!(with(halo_api::ErrorKind::NotFound), ExitKind::NotFound);
        assert_eq!(
            with(halo_api::ErrorKind::RateLimited),
            ExitKind::RateLimited
        );
        assert_eq!(with(halo_api::ErrorKind::Transport), ExitKind::Connection);
        assert_eq!(with(halo_api::ErrorKind::Timeout), ExitKind::Connection);
        assert_eq!(with(halo_api::ErrorKind::Validation), ExitKind::Usage);
        assert_eq!(with(halo_api::ErrorKind::Config), ExitKind::Usage);
        assert_eq!(with(halo_api::ErrorKind::Server), ExitKind::Failure);
        let plain = StepError::plugin("Failed.", "Fix.");
        assert_eq!(crate::client::step_error(&plain).kind, ExitKind::Failure);
        let client = StepError::client("Input 'x' is missing", "Give x.");
        assert_eq!(crate::client::step_error(&client).kind, ExitKind::Usage);
        // Through anyhow, as commands return it.
        let err = anyhow::Error::new(
            StepError::plugin("Failed.", "Fix.").with_halo_kind(halo_api::ErrorKind::RateLimited),
        );
        assert_eq!(classify(&err).kind, ExitKind::RateLimited);
    }

    #[test]
    fn a_client_configuration_error_is_a_usage_error() {
        let Err(e) = halo_api::HaloClient::builder().build() else {
            panic!("a client without a resource server must not build")
        };
        assert_eq!(e.kind(), halo_api::ErrorKind::Config);
        let ce = from_api(&e);
        assert_eq!(ce.kind, ExitKind::Usage);
        assert_eq!(ce.kind.code(), 2);
        assert!(ce.cause.contains("resource server"), "{}", ce.cause);
    }

    #[test]
    fn cli_error_keeps_its_kind_through_anyhow_context() {
        let err = anyhow::Error::new(CliError::usage("Bad.", "Fix it.")).context("while doing x");
        let e = classify(&err);
        assert_eq!(e.kind, ExitKind::Usage);
        assert_eq!(e.to_string(), "Bad. Fix it.");
    }
}
