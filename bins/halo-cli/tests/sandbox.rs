//! `halo-cli sandbox`: the README's first command. Runs the whole checklist through the plugin on the embedded
//! simulator; every step must pass and the exit code must say so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Sim;

const STEPS: [&str; 13] = [
    "connection test",
    "create",
    "update",
    "get",
    "search",
    "assign",
    "comment",
    "close",
    "trigger fires",
    "status sync from investigation",
    "error: bad credential",
    "error: bad id",
    "error: 429 storm survived",
];

#[test]
fn sandbox_passes_every_step_and_exits_0() {
    // The sim here only provides a scratch dir; the sandbox starts its own tenant.
    let sim = Sim::start();
    let run = sim.run_cmd(sim.bare(), &["sandbox", "--output", "json"]);
    let v = run.json();
    let steps = v["data"]["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(names, STEPS);
    for s in steps {
        assert_eq!(
            s["result"], "pass",
            "step {} did not pass: {}\nstderr:\n{}",
            s["step"], s["detail"], run.stderr
        );
    }
    run.expect_code(0);
    assert_eq!(v["ok"], true);
    assert_eq!(v["data"]["passed"], 13);
    // The shape, with timings and run-specific ids redacted.
    insta::assert_json_snapshot!("sandbox_json", v, {
        ".data.steps[].ms" => "[ms]",
        ".data.steps[].detail" => "[detail]",
        ".data.summary" => "[summary]",
    });
}

#[test]
fn sandbox_table_has_a_row_per_step_and_a_summary() {
    let sim = Sim::start();
    // At the most verbose log level: the tenant's access tokens (JWT-shaped, `eyJ…`) and the Authorization
    // header never show, on stdout or stderr.
    let run = sim.run_cmd(sim.bare(), &["-vvv", "sandbox"]);
    run.expect_code(0);
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains("eyJ"),
            "an access token leaked on {stream}:\n{text}"
        );
        assert!(
            !text.contains("Bearer "),
            "an Authorization header leaked on {stream}"
        );
    }
    assert!(
        run.stderr.lines().count() > 50,
        "-vvv logged the run ({} lines)",
        run.stderr.lines().count()
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].contains("step") && lines[0].contains("result") && lines[0].contains("time"),
        "{}",
        run.stdout
    );
    for step in STEPS {
        let row = lines
            .iter()
            .find(|l| l.starts_with(&format!("| {step} ")))
            .unwrap_or_else(|| panic!("no row for {step}:\n{}", run.stdout));
        assert!(row.contains("| pass "), "{row}");
        assert!(row.contains(" ms "), "{row}");
    }
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("PASS: 13/13 steps passed, 0 failed, 0 not available"),
        "{last}"
    );
}

/// `--keep`: the JSON names the variables, they work for another command, the secret is only in a 0600 file,
/// and Ctrl-C (SIGINT to the process group, as a terminal sends it) stops the tenant and removes that file.
#[cfg(unix)]
#[test]
fn sandbox_keep_points_other_commands_at_the_running_tenant() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;

    let sim = Sim::start();
    let mut cmd = sim.bare();
    cmd.args(["sandbox", "--keep", "--output", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    let mut child = cmd.spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    let doc: serde_json::Value = loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "sandbox ended before printing its report: {text}"
        );
        text.push_str(&line);
        if let Ok(v) = serde_json::from_str(&text) {
            break v;
        }
    };
    let env = doc["data"]["keep"]["env"].as_object().unwrap().clone();
    assert!(
        !env.contains_key("HALO_CLIENT_SECRET"),
        "the secret itself is never printed"
    );
    let secret_file = std::path::PathBuf::from(env["HALO_CLIENT_SECRET_FILE"].as_str().unwrap());
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0);
    }
    let mut other = sim.bare();
    for (k, v) in &env {
        other.env(k, v.as_str().unwrap());
    }
    let run = sim.run_cmd(other, &["lookup", "statuses", "-o", "json"]);
    run.expect_code(0);
    assert_eq!(run.json()["data"].as_array().unwrap().len(), 9);

    // `--` so that `-PGID` is read as a process group, not as an option.
    let pgid = format!("-{}", child.id());
    let status = std::process::Command::new("kill")
        .args(["-INT", "--", &pgid])
        .status()
        .unwrap();
    assert!(status.success());
    // Bounded wait: never hang the suite if the signal is not handled.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let code = loop {
        if let Some(code) = child.try_wait().unwrap() {
            break code;
        }
        if std::time::Instant::now() > deadline {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &pgid])
                .status();
            panic!("sandbox --keep did not stop within 30 s of SIGINT");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(
        code.code(),
        Some(0),
        "the checklist passed, so Ctrl-C after it exits 0"
    );
    assert!(
        !secret_file.exists(),
        "the secret file is removed on Ctrl-C"
    );
}
