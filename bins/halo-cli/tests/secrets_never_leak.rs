//! Security review as code: every `halo-cli` command (listed from the binary's own `--help`, arguments filled
//! from its usage line) in its failure paths, with a known client secret and a known access token, never prints
//! either — on stdout or stderr, in table or JSON output, at the most verbose log level, as text or JSON logs.
//!
//! Failure paths: the secret rejected by halo-sim; a hostile "Halo" whose token endpoint echoes the posted form
//! (which carries the secret) in its error; and one whose API answers every error status with a body echoing the
//! `Authorization` header and the token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use halo_sim::{SimConfig, SimServer};

const BIN: &str = env!("CARGO_BIN_EXE_halo-cli");
const SECRET: &str = "leak-canary-S3cr3t-cli-7f3a9c1e5b";
const TOKEN: &str = "leak-canary-T0ken-cli-0d9e8f7a6b";
/// Commands that need no Halo or run their own simulated tenant with its own credentials (`sandbox` is checked
/// for leaked tokens at `-vvv` in `tests/sandbox.rs`; `completions` prints a static script).
const NOT_CONNECTED: &[&str] = &["sandbox", "completions", "help"];

/// Subcommand names from a `--help` text's `Commands:` section.
fn commands(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if line.trim_end() == "Commands:" {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        if line.trim().is_empty() || !line.starts_with(' ') {
            break;
        }
        // `  name  description`; wrapped description lines are indented further.
        if line.starts_with("  ")
            && !line.starts_with("   ")
            && let Some(name) = line.split_whitespace().next().filter(|n| *n != "help")
        {
            out.push(name.to_owned());
        }
    }
    out
}

fn help(path: &[String]) -> String {
    let out = Command::new(BIN).args(path).arg("-h").output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every leaf command path (`["tickets", "create"]`, `["doctor"]`, …).
fn leaves(prefix: Vec<String>) -> Vec<Vec<String>> {
    let subs = commands(&help(&prefix));
    if subs.is_empty() {
        return vec![prefix];
    }
    subs.into_iter()
        .flat_map(|s| {
            let mut p = prefix.clone();
            p.push(s);
            leaves(p)
        })
        .collect()
}

/// One entry of a help text's `Arguments:` or `Options:` section.
struct Entry {
    /// `--summary` for options; empty for positionals.
    flag: String,
    /// `SUMMARY` in `<SUMMARY>`; `None` for a flag without a value.
    value: Option<String>,
    /// The description, continuation lines included.
    text: String,
}

/// Options every command has; they are set per scenario, not per command.
const GLOBAL: &[&str] = &[
    "--profile",
    "--config",
    "--output",
    "--quiet",
    "--verbose",
    "--log-format",
    "--help",
    "--version",
    "--dry-run",
    "--stop-after",
];

fn entries(help: &str, section: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if line.trim_end() == section {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        if !line.starts_with(' ') {
            if !line.trim().is_empty() {
                break;
            }
            continue;
        }
        let t = line.trim_start();
        if t.starts_with('-') || t.starts_with('<') {
            let head: Vec<&str> = t.split_whitespace().collect();
            let flag = head
                .iter()
                .find(|w| w.starts_with("--"))
                .map(|w| w.trim_end_matches(',').trim_end_matches("...").to_owned());
            let value = head
                .iter()
                .take(3)
                .find_map(|w| {
                    w.strip_prefix('<')
                        .and_then(|v| v.trim_end_matches("...").strip_suffix('>'))
                })
                .map(str::to_owned);
            out.push(Entry {
                flag: flag.unwrap_or_default(),
                value,
                text: t.to_owned(),
            });
        } else if let Some(last) = out.last_mut() {
            last.text.push(' ');
            last.text.push_str(t);
        }
    }
    out
}

/// Arguments for a command: its positionals, plus the options its usage line requires, or (with `all`) every
/// option of its own. Values: the first of `[possible values: …]`, else one that fits the value's name.
fn command_args(path: &[String], scratch: &Path, all: bool) -> Vec<String> {
    let text = help(path);
    let usage = text
        .lines()
        .find(|l| l.starts_with("Usage:"))
        .unwrap_or_default()
        .to_owned();
    let mut args = Vec::new();
    for e in entries(&text, "Options:") {
        if e.flag.is_empty() || GLOBAL.contains(&e.flag.as_str()) {
            continue;
        }
        let required = e
            .value
            .as_ref()
            .is_some_and(|v| usage.contains(&format!("{} <{v}>", e.flag)));
        // With `all`: every option that takes a value other than a file, and the confirmation flags (without
        // them a non-interactive run stops before it talks to Halo).
        let wide = match &e.value {
            Some(v) => !is_file(v),
            None => e.text.to_ascii_lowercase().contains("confirmation"),
        };
        if required || (all && wide) {
            args.push(e.flag.clone());
            if let Some(v) = &e.value {
                args.push(filler(v, &e.text, &usage, scratch));
            }
        }
    }
    for e in entries(&text, "Arguments:") {
        if let Some(v) = &e.value {
            args.push(filler(v, &e.text, &usage, scratch));
        }
    }
    args
}

fn is_file(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("FILE") || n.contains("PATH") || n.contains("CSV")
}

fn filler(name: &str, text: &str, usage: &str, scratch: &Path) -> String {
    if let Some(values) = text.split("[possible values: ").nth(1)
        && let Some(first) = values.split([',', ']']).next()
    {
        return first.trim().to_owned();
    }
    let n = name.to_ascii_uppercase();
    if n == "METHOD" {
        "GET".into()
    } else if n == "PATH" && usage.contains("<METHOD>") {
        "/Tickets".into()
    } else if n.contains('=') {
        "search=leak-test".into()
    } else if n.contains("JSON") {
        "{}".into()
    } else if is_file(&n) {
        let f = scratch.join("rows.csv");
        std::fs::write(&f, "summary,details\nleak test,row one\n").unwrap();
        f.display().to_string()
    } else if n.contains("ID") || n == "N" {
        "1".into()
    } else {
        "leak-test".into()
    }
}

struct Outcome {
    what: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

#[track_caller]
fn assert_clean(o: &Outcome) {
    for (stream, text) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        for (label, canary) in [("client secret", SECRET), ("access token", TOKEN)] {
            assert!(
                !text.contains(canary),
                "{} (exit {:?}): the {label} leaked on {stream}:\n{text}",
                o.what,
                o.code
            );
            let (head, tail) = (&canary[..canary.len() * 3 / 4], &canary[canary.len() / 4..]);
            assert!(
                !text.contains(head) && !text.contains(tail),
                "{}: part of the {label} leaked on {stream}:\n{text}",
                o.what
            );
        }
        // halo-sim's tokens are JWT-shaped.
        assert!(
            !text.contains("eyJ"),
            "{}: a halo-sim access token leaked on {stream}:\n{text}",
            o.what
        );
    }
}

/// Runs a command with the connection in the environment (the documented way to pass a secret), bounded in time.
fn run(what: String, args: &[String], env: &[(&str, String)], scratch: &Path) -> Outcome {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("HALO_PROFILE")
        .env("HALO_CLI_CONFIG", scratch.join("config.toml"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after 90 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Outcome {
        what,
        code,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

fn env_for(auth: &str, api: &str, tenant: Option<&str>) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("HALO_CLIENT_ID", "leak-test-client".to_owned()),
        ("HALO_CLIENT_SECRET", SECRET.to_owned()),
        ("HALO_AUTH_SERVER", auth.to_owned()),
        ("HALO_RESOURCE_SERVER", api.to_owned()),
    ];
    if let Some(t) = tenant {
        env.push(("HALO_TENANT", t.to_owned()));
    }
    env
}

/// Runs every connected command with `env`, in table and JSON output, with trace-level text and JSON logs.
fn run_all(scenario: &str, env: &[(&str, String)]) -> usize {
    let scratch = tempfile::tempdir().unwrap();
    let mut runs = 0;
    for path in leaves(Vec::new()) {
        if NOT_CONNECTED.contains(&path[0].as_str()) {
            continue;
        }
        // Only what the usage line requires, as text; then every option of the command, as JSON.
        let variants = [
            (command_args(&path, scratch.path(), false), &["-vvv"][..]),
            (
                command_args(&path, scratch.path(), true),
                &["-vvv", "--output", "json", "--log-format", "json"][..],
            ),
        ];
        let mut got_past_usage = false;
        for (args, extra) in variants {
            let mut all: Vec<String> = path.clone();
            all.extend(args.iter().cloned());
            all.extend(extra.iter().map(|s| (*s).to_owned()));
            let o = run(
                format!("{scenario}: halo-cli {}", all.join(" ")),
                &all,
                env,
                scratch.path(),
            );
            assert_clean(&o);
            if std::env::var_os("LEAK_TEST_VERBOSE").is_some() {
                eprintln!("{} -> exit {:?}", o.what, o.code);
            }
            got_past_usage |= o.code != Some(2);
            runs += 1;
        }
        // Each command must get past argument checking in one variant, or the test would prove nothing about
        // its failure paths. `config` commands work on the local file only; Halo's 400 is exit 2 as well.
        assert!(
            got_past_usage || path[0] == "config" || scenario.contains("400"),
            "{scenario}: halo-cli {} never got past its usage checks; teach command_args its arguments",
            path.join(" ")
        );
    }
    assert!(runs > 0, "no command found in `halo-cli --help`");
    runs
}

/// A minimal HTTP/1.1 server (one request per connection) that misbehaves as badly as possible: the token
/// endpoint echoes the posted form (with the secret) in a 401 when `token_ok` is false, else issues [`TOKEN`];
/// the API answers `status` with a body echoing the `Authorization` header and the token.
fn hostile(token_ok: bool, status: u16) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream, token_ok, status));
        }
    });
    addr
}

fn answer(stream: TcpStream, token_ok: bool, status: u16) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut auth = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("authorization:") {
            auth = line["authorization:".len()..].trim().to_owned();
        }
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    let form = String::from_utf8_lossy(&body);
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_ascii_lowercase();
    let (code, json) = if path.contains("/token") {
        if token_ok {
            (
                200,
                format!(
                    r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":3600,"scope":"all"}}"#
                ),
            )
        } else {
            (401, serde_json::json!({"error": "invalid_client", "error_description": format!("rejected {form} client_secret={SECRET}")}).to_string())
        }
    } else if path.contains("authinfo") {
        (404, "{}".to_owned())
    } else {
        let msg = format!("denied for {auth} token {TOKEN}");
        (status, serde_json::json!({"ClassName": "System.Exception", "Message": msg, "access_token": TOKEN, "echo": auth}).to_string())
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 0\r\nconnection: close\r\n\r\n{json}",
        json.len()
    );
}

#[test]
fn secret_rejected_by_halo_never_leaks() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt.block_on(SimServer::start(
        SimConfig::default()
            .with_credentials("leak-test-client", "the-real-secret")
            .with_rate_limit(None),
    ));
    let sim = sim.unwrap();
    let env = env_for(
        sim.authorization_server_url().as_str(),
        sim.resource_server_url().as_str(),
        sim.tenant(),
    );
    run_all("secret rejected", &env);
    drop(sim);
}

#[test]
fn token_endpoint_echoing_the_secret_never_leaks() {
    let addr = hostile(false, 500);
    run_all(
        "token endpoint echoes the form",
        &env_for(
            &format!("http://{addr}/auth"),
            &format!("http://{addr}/api"),
            Some("t"),
        ),
    );
}

#[test]
fn api_errors_echoing_the_token_never_leak() {
    for status in [400u16, 401, 403, 404, 500] {
        let addr = hostile(true, status);
        run_all(
            &format!("API answers {status} echoing the token"),
            &env_for(
                &format!("http://{addr}/auth"),
                &format!("http://{addr}/api"),
                Some("t"),
            ),
        );
    }
}

#[test]
#[should_panic(expected = "the client secret leaked")]
fn the_checker_catches_a_leak() {
    assert_clean(&Outcome {
        what: "self-test".into(),
        code: Some(1),
        stdout: format!("error: {SECRET}"),
        stderr: String::new(),
    });
}
