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
