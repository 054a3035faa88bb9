//! `doctor` and `smoke` against halo-sim through the spawned binary: what passes, and that failures name a fix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Sim;

fn check<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["data"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {v}"))
}

#[test]
fn doctor_passes_on_a_healthy_tenant() {
    let sim = Sim::start();
    let run = sim.run(&["doctor", "-o", "json"]);
    run.expect_code(0);
    let v = run.json();
    for name in [
        "authorisation server",
        "tls",
        "token",
        "api agent",
        "read tickets",
        "read statuses",
        "read agents",
        "clock skew",
        "rate budget",
    ] {
        assert_eq!(
            check(&v, name)["result"],
            "ok",
            "{name}: {}",
            check(&v, name)
        );
    }
    assert_eq!(check(&v, "write tickets")["result"], "skip");
    let names: Vec<&str> = v["data"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    insta::assert_json_snapshot!("doctor_check_names", names);
}

#[test]
fn doctor_write_creates_and_removes_its_probe() {
    let sim = Sim::start();
    let run = sim.run(&["doctor", "--write", "-o", "json"]);
    run.expect_code(0);
    assert_eq!(check(&run.json(), "write tickets")["result"], "ok");
    assert_eq!(
        sim.count_tickets("[halo-cli doctor]"),
        0,
        "the probe ticket is deleted"
    );
}

#[test]
fn doctor_says_what_to_fix_for_a_rejected_secret() {
    let sim = Sim::start();
    let mut cmd = sim.cmd();
    cmd.env("HALO_CLIENT_SECRET", "wrong-secret-value");
    let run = sim.run_cmd(cmd, &["doctor"]);
    run.expect_code(1);
    assert!(run.stdout.contains("| token "), "{}", run.stdout);
    assert!(
        run.stdout.contains("Client ID and Secret (Services)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("wrong-secret-value"));
}

#[test]
fn smoke_read_only_and_write() {
    let sim = Sim::start();
    let before = sim.handle.tickets().len();
    let run = sim.run(&["smoke", "--json"]);
    run.expect_code(0);
    let v = run.json();
    assert_eq!(v["command"], "smoke");
    assert_eq!(check(&v, "write lifecycle")["result"], "skip");
    assert_eq!(
        sim.handle.tickets().len(),
        before,
        "read-only smoke writes nothing"
    );

    let run = sim.run(&["smoke", "--write", "--json"]);
    run.expect_code(0);
    let v = run.json();
    for name in ["create", "update", "comment", "assign", "close", "delete"] {
        assert_eq!(
            check(&v, name)["result"],
            "ok",
            "{name}: {}",
            check(&v, name)
        );
    }
    assert_eq!(
        sim.count_tickets("[halo-cli smoke]"),
        0,
        "the smoke ticket is removed"
    );
}

#[test]
fn smoke_fails_with_exit_1_on_a_bad_credential() {
    let sim = Sim::start();
    let mut cmd = sim.cmd();
    cmd.env("HALO_CLIENT_SECRET", "wrong");
    let run = sim.run_cmd(cmd, &["smoke", "--json"]);
    run.expect_code(1);
    assert_eq!(run.json()["ok"], false);
}

#[test]
fn doctor_warns_when_authinfo_is_unreachable_and_the_fallback_is_used() {
    let sim = Sim::start();
    sim.handle
        .faults()
        .always("GET /api/authinfo", halo_sim::Fault::status(503));
    let mut cmd = sim.cmd();
    // No configured authorisation server: discovery has to fall back to <instance>/auth.
    cmd.env_remove("HALO_AUTH_SERVER");
    let run = sim.run_cmd(cmd, &["doctor", "-o", "json"]);
    // The fallback works on this tenant, so nothing failed; but the guess is flagged.
    run.expect_code(0);
    let v = run.json();
    let auth = check(&v, "authorisation server");
    assert_eq!(auth["result"], "warn", "{auth}");
    assert!(
        auth["detail"].as_str().unwrap().contains("/api/authinfo"),
        "{auth}"
    );
    assert!(
        auth["fix"].as_str().is_some(),
        "a warning says what to do: {auth}"
    );
    assert_eq!(check(&v, "token")["result"], "ok");
    assert!(sim.handle.journal().count("GET /api/authinfo") >= 1);
}

/// `ticket 123` → `ticket [id]`: the smoke ticket's id depends on what the tenant already holds.
fn redact_ticket_ids(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("ticket ") {
        out.push_str(&rest[..i + 7]);
        rest = &rest[i + 7..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.push_str("[id]");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn smoke_write_json_snapshot() {
    let sim = Sim::start();
    let run = sim.run(&["smoke", "--write", "--json"]);
    run.expect_code(0);
    let mut v: serde_json::Value = serde_json::from_str(&sim.scrub(&run.stdout)).unwrap();
    for c in v["data"]["checks"].as_array_mut().unwrap() {
        assert!(c["ms"].is_u64(), "{c}");
        c["ms"] = serde_json::json!("[ms]");
        if let Some(d) = c["detail"].as_str() {
            c["detail"] = serde_json::json!(redact_ticket_ids(d));
        }
    }
    insta::assert_json_snapshot!("smoke_write_json", v);
}

#[test]
fn ticket_ids_are_redacted_in_smoke_details() {
    assert_eq!(
        redact_ticket_ids("ticket 42 removed"),
        "ticket [id] removed"
    );
    assert_eq!(redact_ticket_ids("ticket 7"), "ticket [id]");
    assert_eq!(redact_ticket_ids("2 ticket(s) read"), "2 ticket(s) read");
}
