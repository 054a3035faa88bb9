//! The operations docs stay true to the code: every connection field of the spec is in
//! docs/configuration.md, every exported metric in the runbook, every Halo error kind's wording and every step
//! error class in docs/troubleshooting.md, and CHANGELOG.md names the current crate and plugin versions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use halo_api::ErrorKind;
use haloitsm_plugin::errors::{ErrorClass, StepError};
use haloitsm_plugin::observability::{METRICS_ADDR_ENV, metrics};
use haloitsm_plugin::spec::{plugin, plugin_spec};
use haloitsm_plugin::triggers::workspace::WORKSPACE_ENV;

fn doc(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn configuration_lists_every_connection_field_and_plugin_env_var() {
    let text = doc("docs/configuration.md");
    for f in &plugin_spec().connection {
        assert!(
            text.contains(&format!("| `{}` |", f.name)),
            "{} missing",
            f.name
        );
    }
    for var in [
        WORKSPACE_ENV,
        METRICS_ADDR_ENV,
        "GUNICORN_CONFIG_FILE",
        "SSL_CERT_FILE",
    ] {
        assert!(text.contains(&format!("`{var}`")), "{var} missing");
    }
}

#[test]
fn runbook_lists_every_metric() {
    let text = doc("docs/operations/runbook.md");
    for name in metrics::names() {
        let short = name.trim_start_matches("haloitsm_plugin");
        assert!(
            text.contains(&format!("`{name}`")) || text.contains(&format!("`{short}`")),
            "{name} missing from the runbook"
        );
    }
}

#[test]
fn troubleshooting_covers_every_help_md_item() {
    let text = doc("docs/troubleshooting.md");
    // One phrase per help.md item, in order, that its section in troubleshooting.md must contain. A new help.md
    // item fails this test until it gets a phrase here and a section there.
    let phrases = [
        "invalid_client",
        "invalid_scope",
        "HTTP 403",
        "Rate Limit",
        "case-insensitively",
        "Payload URL is the API trigger's URL",
        "Basic credentials alone are not accepted by the API trigger",
        "Exclude Own Changes",
    ];
    assert_eq!(
        phrases.len(),
        plugin::TROUBLESHOOTING.len(),
        "help.md's troubleshooting items changed: give each a phrase here and a section in docs/troubleshooting.md"
    );
    for (item, phrase) in plugin::TROUBLESHOOTING.iter().zip(phrases) {
        assert!(
            item.contains(phrase.trim_start_matches("HTTP ")),
            "the phrase {phrase:?} does not belong to the help.md item {item:?}"
        );
        assert!(
            text.contains(phrase),
            "docs/troubleshooting.md lacks the help.md item {item:?} (phrase {phrase:?})"
        );
    }
}

#[test]
fn troubleshooting_covers_every_error_kind() {
    let text = doc("docs/troubleshooting.md");
    let kinds = [
        ErrorKind::Auth,
        ErrorKind::Forbidden,
        ErrorKind::NotFound,
        ErrorKind::Validation,
        ErrorKind::RateLimited,
        ErrorKind::Server,
        ErrorKind::Timeout,
        ErrorKind::Transport,
        ErrorKind::Decode,
        ErrorKind::OutcomeUnknown,
        ErrorKind::Config,
    ];
    for k in kinds {
        assert!(
            text.contains(&format!("| {} | `{}` |", k.describe(), k.as_str())),
            "{k:?} missing"
        );
    }
    for class in ["client", "plugin", "connection_test", "unexpected"] {
        assert!(text.contains(&format!("| `{class}` |")), "{class} missing");
    }
    // The metric kinds that are not Halo kinds, one per class.
    for (class, kind) in [
        (ErrorClass::Client, "input"),
        (ErrorClass::Plugin, "plugin"),
        (ErrorClass::ConnectionTest, "connection_test"),
        (ErrorClass::Unexpected, "internal"),
    ] {
        let e = match class {
            ErrorClass::Client => StepError::client("m", "a"),
            ErrorClass::Plugin => StepError::plugin("c", "a"),
            ErrorClass::ConnectionTest => StepError::connection_test("c", "a"),
            ErrorClass::Unexpected => StepError::unexpected("c", "a"),
        };
        assert_eq!(haloitsm_plugin::observability::error_kind(&e), kind);
        assert!(text.contains(&format!("`{kind}`")), "{kind} missing");
    }
    let halo = StepError::plugin("c", "a").with_halo_kind(ErrorKind::RateLimited);
    assert_eq!(
        haloitsm_plugin::observability::error_kind(&halo),
        "rate_limited"
    );
    for heading in [
        "### Authentication",
        "### Rate limiting",
        "### Webhook delivery",
        "### Performance",
    ] {
        assert!(text.contains(heading), "{heading} missing");
    }
}

#[test]
fn changelog_names_the_current_versions() {
    let text = doc("CHANGELOG.md");
    let heading = format!(
        "## {} — plugin {}",
        env!("CARGO_PKG_VERSION"),
        plugin::VERSION
    );
    assert!(text.contains(&heading), "{heading} missing");
    for line in plugin::VERSION_HISTORY {
        assert!(text.contains(line), "version history entry {line} missing");
    }
}
