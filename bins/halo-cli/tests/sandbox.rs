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
    let run = sim.run_cmd(sim.bare(), &["sandbox"]);
    run.expect_code(0);
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
