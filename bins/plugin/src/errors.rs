//! Step errors with InsightConnect's cause / assistance / data, their wording and HTTP status.

use std::fmt;

/// How the runtime classifies an error; decides the wording and the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Bad message or input from the caller (the runtime's ClientException): HTTP 400.
    Client,
    /// An action failed for a reason the workflow author can act on (PluginException): HTTP 400.
    Plugin,
    /// The connection test failed (ConnectionTestException): HTTP 400.
    ConnectionTest,
    /// Anything else (a bug, an output that does not match the spec): HTTP 500.
    Unexpected,
}

/// An error ending a step. Never carries a secret: causes name inputs and Halo's own message only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepError {
    /// Classification.
    pub class: ErrorClass,
    /// What went wrong, one sentence ending with a period.
    pub cause: String,
    /// What to do about it.
    pub assistance: String,
    /// Supporting data (Halo's message or a sanitised excerpt); may be empty.
    pub data: String,
    /// For client errors: the runtime's literal message (`Unknown action "x"`).
    pub message: Option<String>,
    /// The Halo error kind behind this error (`halo_api::ErrorKind::as_str`), when Halo or the network failed.
    pub halo_kind: Option<&'static str>,
}

impl StepError {
    /// A PluginException-style error.
    pub fn plugin(cause: impl Into<String>, assistance: impl Into<String>) -> Self {
        Self::new(ErrorClass::Plugin, cause, assistance)
    }

    /// A ConnectionTestException-style error.
    pub fn connection_test(cause: impl Into<String>, assistance: impl Into<String>) -> Self {
        Self::new(ErrorClass::ConnectionTest, cause, assistance)
    }

    /// A ClientException with the runtime's message, plus cause and assistance for the exception block.
    pub fn client(message: impl Into<String>, assistance: impl Into<String>) -> Self {
        let message = message.into();
        let mut cause = message.clone();
        if !cause.ends_with('.') {
            cause.push('.');
        }
        let mut e = Self::new(ErrorClass::Client, cause, assistance);
        e.message = Some(message);
        e
    }

    /// An unexpected error (HTTP 500).
    pub fn unexpected(cause: impl Into<String>, assistance: impl Into<String>) -> Self {
        Self::new(ErrorClass::Unexpected, cause, assistance)
    }

    fn new(class: ErrorClass, cause: impl Into<String>, assistance: impl Into<String>) -> Self {
        Self {
            class,
            cause: cause.into(),
            assistance: assistance.into(),
            data: String::new(),
            message: None,
            halo_kind: None,
        }
    }

    /// Records the Halo error kind behind this error (the `kind` label of the action-error metric).
    pub fn with_halo_kind(mut self, kind: halo_api::ErrorKind) -> Self {
        self.halo_kind = Some(kind.as_str());
        self
    }

    /// Whether Halo or the network failed in a way that trying again later could fix (rate limited, server
    /// error, timeout, transport), as opposed to a credential, permission or input problem.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.halo_kind,
            Some("rate_limited" | "server" | "timeout" | "transport")
        )
    }

    /// Attaches data (Halo's message, the offending input name).
    pub fn with_data(mut self, data: impl Into<String>) -> Self {
        self.data = data.into();
        self
    }

    /// Replaces the cause (keeps the runtime's message for `error`).
    pub fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.cause = cause.into();
        self
    }

    /// Reclassifies as a connection-test failure (same cause and assistance).
    pub fn into_connection_test(mut self) -> Self {
        if self.class != ErrorClass::Client {
            self.class = ErrorClass::ConnectionTest;
        }
        self
    }

    /// The `error` string of the envelope, in the runtime's wording.
    pub fn error_string(&self) -> String {
        match self.class {
            ErrorClass::Plugin => {
                let mut s = format!(
                    "An error occurred during plugin execution! {} {}",
                    self.cause, self.assistance
                );
                if !self.data.is_empty() {
                    s.push_str(&format!(" Response was {}", self.data));
                }
                s
            }
            ErrorClass::ConnectionTest => {
                let mut s = format!("Connection test failed! {} {}", self.cause, self.assistance);
                if !self.data.is_empty() {
                    s.push_str(&format!(" Response was: {}", self.data));
                }
                s
            }
            ErrorClass::Client | ErrorClass::Unexpected => match &self.message {
                Some(m) if self.data.is_empty() => m.clone(),
                Some(m) => format!("{m}: {}", self.data),
                None if self.data.is_empty() => self.cause.clone(),
                None => format!("{} {}", self.cause, self.data),
            },
        }
    }

    /// HTTP status for this error in `http` mode.
    pub fn http_status(&self) -> u16 {
        match self.class {
            ErrorClass::Client | ErrorClass::Plugin | ErrorClass::ConnectionTest => 400,
            ErrorClass::Unexpected => 500,
        }
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error_string())
    }
}

impl std::error::Error for StepError {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn transient_means_halo_or_the_network_may_recover() {
        use halo_api::ErrorKind as K;
        let kind = |k| {
            StepError::plugin("c.", "a.")
                .with_halo_kind(k)
                .is_transient()
        };
        for k in [K::RateLimited, K::Server, K::Timeout, K::Transport] {
            assert!(kind(k), "{k:?}");
        }
        for k in [
            K::Auth,
            K::Forbidden,
            K::NotFound,
            K::Validation,
            K::Decode,
            K::OutcomeUnknown,
            K::Config,
        ] {
            assert!(!kind(k), "{k:?}");
        }
        assert!(!StepError::plugin("c.", "a.").is_transient());
    }

    #[test]
    fn runtime_wording() {
        let e = StepError::plugin(
            "Ticket 4 was not found in Halo.",
            "Check the input 'ticket_id'.",
        );
        assert_eq!(
            e.error_string(),
            "An error occurred during plugin execution! Ticket 4 was not found in Halo. Check the input 'ticket_id'."
        );
        assert!(
            e.clone()
                .with_data("x")
                .error_string()
                .ends_with(" Response was x")
        );
        let c = StepError::connection_test("Bad.", "Fix it.").with_data("y");
        assert_eq!(
            c.error_string(),
            "Connection test failed! Bad. Fix it. Response was: y"
        );
        let u = StepError::client("Unknown action \"x\"", "Use another.");
        assert_eq!(u.error_string(), "Unknown action \"x\"");
        assert_eq!(u.cause, "Unknown action \"x\".");
        assert_eq!(
            (e.http_status(), c.http_status(), u.http_status()),
            (400, 400, 400)
        );
        assert_eq!(StepError::unexpected("Bug.", "Report.").http_status(), 500);
    }
}
