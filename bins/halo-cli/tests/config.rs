//! `config init|show|path`, `completions`, usage errors: the spawned binary, no network needed beyond the sim URL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{SECRET, Sim};

fn init_profile(sim: &Sim, name: &str) {
    let secret_file = sim.dir.path().join("secret.txt");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let rs = sim.handle.resource_server_url().to_string();
    let auth = sim.handle.authorization_server_url().to_string();
    sim.run_cmd(
        sim.bare(),
        &[
            "--profile",
            name,
            "config",
            "init",
            "--resource-server",
            &rs,
            "--auth-server",
            &auth,
            "--tenant",
            sim.handle.tenant().unwrap_or_default(),
            "--client-id",
            common::CLIENT_ID,
            "--client-secret-file",
            secret_file.to_str().unwrap(),
            "--non-interactive",
        ],
    )
    .expect_code(0);
}

#[test]
fn init_from_flags_then_show_redacts_and_names_sources() {
    let sim = Sim::start();
    init_profile(&sim, "staging");
    let text = std::fs::read_to_string(sim.config_path()).unwrap();
    assert!(
        !text.contains(SECRET),
        "a secret file's content is not copied into the config"
    );
    assert!(text.contains("client_secret_file"));

    let run = sim.run_cmd(sim.bare(), &["config", "show"]);
    run.expect_code(0);
    insta::assert_snapshot!("config_show_table", common::squash(&sim.scrub(&run.stdout)));

    let mut cmd = sim.bare();
    cmd.env("HALO_TENANT", "other-tenant");
    let run = sim.run_cmd(
        cmd,
        &["--profile", "staging", "config", "show", "--output", "json"],
    );
    run.expect_code(0);
    let v = run.json();
    assert_eq!(v["data"]["effective"]["tenant"]["value"], "other-tenant");
    assert_eq!(
        v["data"]["effective"]["tenant"]["source"],
        "env HALO_TENANT"
    );
    assert_eq!(
        v["data"]["effective"]["client_secret"]["value"],
        "[redacted]"
    );
    assert_eq!(v["data"]["complete"], true);
    let scrubbed: serde_json::Value = serde_json::from_str(&sim.scrub(&run.stdout)).unwrap();
    insta::assert_json_snapshot!("config_show_json", scrubbed);
}

#[test]
fn secret_from_stdin_is_stored_privately_and_never_shown() {
    let sim = Sim::start();
    let rs = sim.handle.resource_server_url().to_string();
    let mut cmd = sim.bare();
    cmd.args([
        "--profile",
        "ci",
        "config",
        "init",
        "--resource-server",
        &rs,
        "--client-id",
        "abc",
        "--client-secret-stdin",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{SECRET}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sim.config_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "config holding a secret must be private");
    }
    let run = sim.run_cmd(sim.bare(), &["config", "show", "--output", "json"]);
    run.expect_code(0);
    assert_eq!(
        run.json()["data"]["profiles"]["ci"]["client_secret"],
        "[redacted]"
    );
}

#[test]
fn init_without_a_secret_source_is_a_usage_error() {
    let sim = Sim::start();
    let run = sim.run_cmd(
        sim.bare(),
        &[
            "config",
            "init",
            "--resource-server",
            "https://x.example",
            "--client-id",
            "a",
            "--non-interactive",
        ],
    );
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("--client-secret-file PATH or --client-secret-stdin"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("assistance:"), "{}", run.stderr);
    assert!(!sim.config_path().exists());
}

#[test]
fn there_is_no_secret_flag() {
    let sim = Sim::start();
    let run = sim.run_cmd(sim.bare(), &["config", "init", "--client-secret", SECRET]);
    // clap refuses the unknown flag; the value is not echoed back either (checked by run_cmd).
    run.expect_code(2);
}

#[test]
fn unknown_profile_and_missing_connection_are_usage_errors() {
    let sim = Sim::start();
    let run = sim.run_cmd(sim.bare(), &["--profile", "nope", "tickets", "list"]);
    run.expect_code(2);
    assert!(run.stderr.contains("\"nope\""), "{}", run.stderr);

    let run = sim.run_cmd(sim.bare(), &["lookup", "statuses", "--output", "json"]);
    run.expect_code(2);
    let err: serde_json::Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(err["error"]["kind"], "usage");
    assert_eq!(err["error"]["exit_code"], 2);
    assert!(
        err["error"]["cause"]
            .as_str()
            .unwrap()
            .contains("resource server")
    );
}

#[test]
fn completions_are_generated_for_each_shell() {
    let sim = Sim::start();
    for (shell, marker) in [
        ("bash", "complete -F _halo__cli"),
        ("zsh", "#compdef halo-cli"),
        ("fish", "complete -c halo-cli"),
    ] {
        let run = sim.run_cmd(sim.bare(), &["completions", shell]);
        run.expect_code(0);
        assert!(
            run.stdout.contains(marker),
            "{shell}: {}",
            &run.stdout[..run.stdout.len().min(300)]
        );
        assert!(
            run.stdout.contains("bulk-close"),
            "{shell} completes subcommands"
        );
    }
}

#[test]
fn help_documents_exit_codes_and_examples() {
    let sim = Sim::start();
    let run = sim.run_cmd(sim.bare(), &["--help"]);
    run.expect_code(0);
    for needle in [
        "Exit codes:",
        "3  authentication",
        "4  not found",
        "5  rate limited",
        "HALO_CLIENT_SECRET",
    ] {
        assert!(run.stdout.contains(needle), "--help lacks {needle:?}");
    }
    for sub in [
        vec!["sandbox", "--help"],
        vec!["doctor", "--help"],
        vec!["smoke", "--help"],
        vec!["tickets", "import", "--help"],
        vec!["tickets", "bulk-close", "--help"],
        vec!["lookup", "--help"],
        vec!["raw", "--help"],
        vec!["config", "init", "--help"],
        vec!["completions", "--help"],
    ] {
        let run = sim.run_cmd(sim.bare(), &sub);
        run.expect_code(0);
        assert!(
            run.stdout.contains("Examples:"),
            "{sub:?} --help has no examples"
        );
    }
}
