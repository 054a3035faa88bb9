//! `tickets import` (CSV and JSON lines, dry run, resume after an interruption without duplicates) and
//! `tickets bulk-close`, against halo-sim through the spawned binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Sim;

fn write_csv(sim: &Sim, rows: usize) -> std::path::PathBuf {
    let path = sim.dir.path().join("new.csv");
    let mut text = String::from("summary,details,priority_id,external_key\n");
    for i in 1..=rows {
        text.push_str(&format!(
            "Import row {i:02},\"details, with a comma {i}\",2,ext-{i}\n"
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn an_interrupted_import_resumes_without_duplicates() {
    let sim = Sim::start();
    let file = write_csv(&sim, 7);
    let file_s = file.to_str().unwrap();

    // Interrupted after 3 rows.
    let run = sim.run(&[
        "tickets",
        "import",
        file_s,
        "--stop-after",
        "3",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    let v = run.json();
    assert_eq!(v["data"]["created"], 3);
    assert_eq!(v["data"]["remaining"], 4);
    assert_eq!(v["data"]["stopped"], "stop-after");
    assert_eq!(sim.count_tickets("Import row"), 3);

    // A dry run now plans only the 4 missing rows and sends nothing.
    let posts = sim.handle.journal().count("POST /api/Tickets");
    let run = sim.run(&["tickets", "import", file_s, "--dry-run", "-o", "json"]);
    run.expect_code(0);
    assert_eq!(run.json()["data"]["to_create"], 4);
    assert_eq!(sim.handle.journal().count("POST /api/Tickets"), posts);

    // Resumed: the rest, and nothing twice.
    let run = sim.run(&["tickets", "import", file_s, "-o", "json"]);
    run.expect_code(0);
    let v = run.json();
    assert_eq!(v["data"]["skipped"], 3);
    assert_eq!(v["data"]["created"], 4);
    assert_eq!(v["data"]["remaining"], 0);
    assert_eq!(sim.count_tickets("Import row"), 7);
    for i in 1..=7 {
        let s = format!("Import row {i:02}");
        assert_eq!(sim.count_tickets(&s), 1, "{s} exists exactly once");
    }

    // A third run is a no-op.
    let run = sim.run(&["tickets", "import", file_s, "-o", "json"]);
    run.expect_code(0);
    assert_eq!(run.json()["data"]["created"], 0);
    assert_eq!(sim.count_tickets("Import row"), 7);
    let t = sim
        .handle
        .tickets()
        .into_iter()
        .find(|t| {
            t["summary"]
                .as_str()
                .is_some_and(|s| s.starts_with("Import row 01"))
        })
        .unwrap();
    assert_eq!(t["details"], "details, with a comma 1");
    // Keyed rows went through the plugin's upsert: the summary carries its external-key marker.
    assert!(
        t["summary"].as_str().unwrap().ends_with("[ext:ext-1]"),
        "{}",
        t["summary"]
    );
}

#[test]
fn keyed_rows_are_not_duplicated_even_when_the_journal_is_lost() {
    let sim = Sim::start();
    let file = write_csv(&sim, 3);
    let file_s = file.to_str().unwrap();
    sim.run(&["tickets", "import", file_s]).expect_code(0);
    assert_eq!(sim.count_tickets("Import row"), 3);
    std::fs::remove_file(format!("{file_s}.journal")).unwrap();
    let run = sim.run(&["tickets", "import", file_s, "-o", "json"]);
    run.expect_code(0);
    let v = run.json();
    assert_eq!(v["data"]["created"], 0, "{v}");
    assert_eq!(v["data"]["recovered"], 3, "{v}");
    assert_eq!(sim.count_tickets("Import row"), 3);
}

#[test]
fn a_row_left_sending_by_a_crash_is_adopted_not_duplicated() {
    let sim = Sim::start();
    let file = sim.dir.path().join("one.jsonl");
    std::fs::write(
        &file,
        "{\"summary\": \"Crash row\"}\n{\"summary\": \"Second row\"}\n",
    )
    .unwrap();
    // The previous run sent row 1 (it exists in Halo) and died before journaling the id.
    let run = sim.run(&["tickets", "create", "--summary", "Crash row"]);
    run.expect_code(0);
    let journal = sim.dir.path().join("one.jsonl.journal");
    // Write the "sending" entry the crashed run would have left (fingerprint of row 1 as the binary computes it).
    let row = serde_json::json!({"summary": "Crash row"});
    let fingerprint = fnv(&serde_json::to_string(&row).unwrap());
    std::fs::write(
        &journal,
        format!("{{\"key\":\"row:1\",\"fingerprint\":\"{fingerprint}\",\"state\":\"sending\",\"at\":\"2026-01-01T00:00:00Z\"}}\n"),
    )
    .unwrap();
    let run = sim.run(&["tickets", "import", file.to_str().unwrap(), "-o", "json"]);
    run.expect_code(0);
    let v = run.json();
    assert_eq!(v["data"]["recovered"], 1, "{v}");
    assert_eq!(v["data"]["created"], 1);
    assert_eq!(sim.count_tickets("Crash row"), 1);
    assert_eq!(sim.count_tickets("Second row"), 1);
}

fn fnv(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[test]
fn a_bad_file_is_refused_before_anything_is_sent() {
    let sim = Sim::start();
    let file = sim.dir.path().join("bad.csv");
    std::fs::write(&file, "summary,priority_id\nok row,1\nbad row,high\n").unwrap();
    let before = sim.handle.journal().count("POST /api/Tickets");
    let run = sim.run(&["tickets", "import", file.to_str().unwrap()]);
    run.expect_code(2);
    assert!(run.stderr.contains("Row 2 (line 3)"), "{}", run.stderr);
    assert_eq!(sim.handle.journal().count("POST /api/Tickets"), before);
}

#[test]
fn bulk_close_closes_matches_and_resumes() {
    let sim = Sim::start();
    for i in 0..4 {
        sim.run(&["tickets", "create", "--summary", &format!("Spam {i}")])
            .expect_code(0);
    }
    sim.run(&["tickets", "create", "--summary", "Keep me"])
        .expect_code(0);

    let run = sim.run(&[
        "tickets",
        "bulk-close",
        "--filter",
        "search=Spam",
        "--dry-run",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    assert_eq!(run.json()["data"]["to_close"], 4);

    sim.run(&["tickets", "bulk-close", "--filter", "search=Spam"])
        .expect_code(2);

    let run = sim.run(&[
        "tickets",
        "bulk-close",
        "--filter",
        "search=Spam",
        "--yes",
        "--stop-after",
        "1",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    assert_eq!(run.json()["data"]["closed"], 1);
    let run = sim.run(&[
        "tickets",
        "bulk-close",
        "--filter",
        "search=Spam",
        "--yes",
        "-o",
        "json",
    ]);
    run.expect_code(0);
    assert_eq!(run.json()["data"]["closed"], 3);
    let closed = |prefix: &str| {
        sim.handle
            .tickets()
            .iter()
            .filter(|t| t["summary"].as_str().is_some_and(|s| s.starts_with(prefix)))
            .filter(|t| t["status_id"].as_u64() == Some(9))
            .count()
    };
    assert_eq!(closed("Spam"), 4);
    assert_eq!(closed("Keep me"), 0);
    sim.run(&["tickets", "bulk-close", "--filter", "colour=red", "--yes"])
        .expect_code(2);
}

#[test]
fn a_keyed_row_halo_rejects_fails_alone_like_a_plain_row() {
    let sim = Sim::start();
    let file = sim.dir.path().join("mixed.jsonl");
    std::fs::write(
        &file,
        concat!(
            "{\"summary\": \"Keyed ok 1\", \"external_key\": \"k-1\"}\n",
            "{\"summary\": \"Keyed bad\", \"tickettype_id\": 999, \"external_key\": \"k-2\"}\n",
            "{\"summary\": \"Plain bad\", \"tickettype_id\": 999}\n",
            "{\"summary\": \"Keyed ok 2\", \"external_key\": \"k-3\"}\n",
        ),
    )
    .unwrap();
    let run = sim.run(&["tickets", "import", file.to_str().unwrap(), "-o", "json"]);
    run.expect_code(1);
    let v = run.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["data"]["created"], 2, "{v}");
    assert_eq!(v["data"]["failed"], 2, "{v}");
    assert_eq!(v["data"]["remaining"], 0, "{v}");
    let failures = v["data"]["failures"].as_array().unwrap();
    let rows: Vec<u64> = failures
        .iter()
        .map(|f| f["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, vec![2, 3], "{v}");
    assert_eq!(failures[0]["key"], "key:k-2");
    for f in failures {
        assert!(
            f["data"].as_str().unwrap().contains("Ticket type 999"),
            "Halo's own message is reported: {f}"
        );
    }
    // The rows after the rejected one were still sent.
    assert_eq!(sim.count_tickets("Keyed ok 1"), 1);
    assert_eq!(sim.count_tickets("Keyed ok 2"), 1);
    assert_eq!(sim.count_tickets("Keyed bad"), 0);
    // The journal holds the rejected rows as sent but not done, so a fixed file resumes them.
    let journal = std::fs::read_to_string(format!("{}.journal", file.display())).unwrap();
    let states = |key: &str| -> Vec<String> {
        journal
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|e| e["key"] == key)
            .map(|e| e["state"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(states("key:k-2"), vec!["sending"]);
    assert_eq!(states("row:3"), vec!["sending"]);
    assert_eq!(states("key:k-3"), vec!["sending", "done"]);
}

#[test]
fn a_keyed_import_stops_with_exit_3_when_the_token_is_refused() {
    let sim = Sim::start();
    let file = write_csv(&sim, 2);
    sim.handle
        .faults()
        .always("POST /auth/token", halo_sim::Fault::status(400));
    let run = sim.run(&["tickets", "import", file.to_str().unwrap(), "-o", "json"]);
    run.expect_code(3);
    let err: serde_json::Value = serde_json::from_str(run.stderr.lines().last().unwrap()).unwrap();
    assert_eq!(err["error"]["kind"], "auth", "{err}");
    assert_eq!(sim.count_tickets("Import row"), 0);
}

#[test]
fn an_interrupted_import_exits_130_and_resumes() {
    let sim = Sim::start();
    let file = write_csv(&sim, 10);
    // Slow creates, so the run is still going when it is interrupted.
    sim.handle.faults().always(
        "POST /api/Tickets",
        halo_sim::Fault::latency(std::time::Duration::from_millis(300)),
    );
    let journal = format!("{}.journal", file.display());
    let child = sim
        .cmd()
        .args(["tickets", "import", file.to_str().unwrap(), "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first row to be done (the Ctrl-C handler is installed before the first row is sent).
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&journal).is_ok_and(|j| j.contains("\"done\"")) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no row was done within 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains(common::SECRET) && !stderr.contains(common::SECRET));
    assert_eq!(
        out.status.code(),
        Some(130),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["data"]["stopped"], "interrupted");
    let done = v["data"]["created"].as_u64().unwrap();
    assert!((1..10).contains(&done), "{v}");
    assert_eq!(v["data"]["remaining"].as_u64().unwrap(), 10 - done);

    sim.handle.faults().clear();
    let run = sim.run(&["tickets", "import", file.to_str().unwrap(), "-o", "json"]);
    run.expect_code(0);
    assert_eq!(run.json()["data"]["created"].as_u64().unwrap(), 10 - done);
    for i in 1..=10 {
        assert_eq!(sim.count_tickets(&format!("Import row {i:02}")), 1);
    }
}

#[test]
fn imported_rows_for_a_user_get_the_users_site_and_an_unknown_user_fails_alone() {
    let sim = Sim::start();
    let file = sim.dir.path().join("users.jsonl");
    std::fs::write(
        &file,
        concat!(
            "{\"summary\": \"Plain for Mark\", \"user_id\": 12}\n",
            "{\"summary\": \"Keyed for Mark\", \"user_id\": 12, \"external_key\": \"u-1\"}\n",
            "{\"summary\": \"For nobody\", \"user_id\": 999}\n",
        ),
    )
    .unwrap();
    let run = sim.run(&["tickets", "import", file.to_str().unwrap(), "-o", "json"]);
    run.expect_code(1);
    let v = run.json();
    assert_eq!(v["data"]["created"], 2, "{v}");
    assert_eq!(v["data"]["failed"], 1, "{v}");
    assert_eq!(v["data"]["failures"][0]["row"], 3, "{v}");
    for post in sim.handle.journal().matching("POST /api/Tickets") {
        let sent = post.body_json().unwrap();
        assert_eq!(
            sent[0]["site_id"], 2,
            "every create carries the user's site: {sent}"
        );
    }
}
