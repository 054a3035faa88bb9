//! Security review as code: every plugin action and trigger (listed from the plugin's own spec, run through the
//! spawned binary in `run` and `test` mode) in its failure paths, with a known client secret and a known access
//! token, never shows either in stdout, stderr, the envelope or its log.
//!
//! Failure paths: the secret rejected by halo-sim; a hostile "Halo" whose token endpoint and API answer errors
//! that echo the secret and the bearer token back (as a misconfigured proxy or a verbose server might) with every
//! error status; an API that is unreachable; and input the spec rejects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, post};
use halo_sim::{SimConfig, SimHandle, SimServer};
use haloitsm_plugin::cli::sample;
use haloitsm_plugin::spec::plugin_spec;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_haloitsm-plugin");
/// The client secret every scenario configures.
const SECRET: &str = "leak-canary-S3cr3t-7f3a9c1e5b";
/// The access token the hostile server issues.
const TOKEN: &str = "leak-canary-T0ken-0d9e8f7a6b5c";

struct Output {
    what: String,
    stdout: String,
    stderr: String,
}

/// Everything a run printed, checked for the secret, the known token, and any token halo-sim issued (they are
/// JWT-shaped: the header `{"alg":"none",…}` always encodes to `eyJ…`).
#[track_caller]
fn assert_clean(o: &Output) {
    for (stream, text) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        assert!(
            !text.contains(SECRET),
            "{}: the client secret leaked on {stream}:\n{text}",
            o.what
        );
        assert!(
            !text.contains(TOKEN),
            "{}: the access token leaked on {stream}:\n{text}",
            o.what
        );
        assert!(
            !text.contains("eyJ"),
            "{}: a halo-sim access token leaked on {stream}:\n{text}",
            o.what
        );
        // Partial leaks: a long run of the secret or token (the masker's 80 % rule in reverse).
        for canary in [SECRET, TOKEN] {
            let head = &canary[..canary.len() * 3 / 4];
            assert!(
                !text.contains(&canary[canary.len() / 4..]) && !text.contains(head),
                "{}: part of a canary leaked on {stream}:\n{text}",
                o.what
            );
        }
    }
}

async fn exec(what: String, args: &[&str], stdin: &Value, limit: Duration) -> Output {
    // `--debug`: DEBUG logs on stderr and in the envelope's log, the widest surface for a leak.
    let mut child = Command::new(BIN)
        .arg("--debug")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.to_string().as_bytes()).await.unwrap();
    drop(input);
    let pid = child.id();
    let out = match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(out) => out.unwrap(),
        Err(_) => panic!("{what}: no answer within {limit:?} (pid {pid:?})"),
    };
    Output {
        what,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A start message for every action and trigger, from the spec's own examples (`haloitsm-plugin sample`), so
/// each step gets input it accepts and reaches Halo.
fn steps() -> Vec<(String, Value)> {
    let spec = plugin_spec();
    let names = spec
        .actions
        .iter()
        .chain(spec.triggers.iter())
        .map(|c| c.name.to_string());
    let all: Vec<(String, Value)> = names.map(|n| (n.clone(), sample(&n).unwrap())).collect();
    assert!(all.len() >= spec.actions.len() && !all.is_empty());
    all
}

fn with_connection(msg: &Value, connection: &Value) -> Value {
    let mut m = msg.clone();
    m["body"]["connection"] = connection.clone();
    m["body"]["meta"] = json!({"jobId": "secrets-never-leak", "triggerId": "secrets-never-leak"});
    m
}

fn connection(auth: &str, api: &str, tenant: Option<&str>) -> Value {
    let mut c = json!({
        "client_id": "leak-test-client",
        "client_secret": {"secretKey": SECRET},
        "authorization_server": auth,
        "resource_server": api,
        "timeout": 5,
    });
    if let Some(t) = tenant {
        c["tenant"] = json!(t);
    }
    c
}

/// A "Halo" that misbehaves as badly as possible: the token endpoint echoes the posted form (which carries the
/// client secret) in its error, or issues [`TOKEN`]; every API request is answered with `status` and a body
/// that echoes the `Authorization` header and the token.
async fn hostile(token_ok: bool, status: u16) -> SocketAddr {
    let api_status = StatusCode::from_u16(status).unwrap();
    let app = Router::new()
        .route(
            "/auth/token",
            post(move |body: Bytes| async move {
                let form = String::from_utf8_lossy(&body).into_owned();
                if token_ok {
                    (StatusCode::OK, axum::Json(json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600, "scope": "all"})))
                        .into_response()
                } else {
                    (StatusCode::UNAUTHORIZED, axum::Json(json!({"error": "invalid_client",
                        "error_description": format!("rejected {form} (client_secret={SECRET})")})))
                        .into_response()
                }
            }),
        )
        .route(
            "/api/{*rest}",
            any(move |headers: HeaderMap| async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                let body = json!({"ClassName": "System.Exception",
                    "Message": format!("denied for {auth} token {TOKEN}"), "access_token": TOKEN, "echo": auth});
                (api_status, [("retry-after", "0")], axum::Json(body)).into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    addr
}

fn is_trigger(msg: &Value) -> bool {
    msg["type"] == "trigger_start"
}

/// Runs every step with `connection` in `run` mode; the connection test (`test` mode, the same code for every
/// step) once for the first action and once for the first trigger. Triggers get a short run and are stopped.
async fn run_all(scenario: &str, connection: &Value, must_fail: bool) -> usize {
    let mut runs = 0;
    let mut tested = (false, false);
    for (name, msg) in steps() {
        let msg = with_connection(&msg, connection);
        let trigger = is_trigger(&msg);
        let what = format!("{scenario}: run {name}");
        let out = if trigger {
            run_trigger(what, &msg, Duration::from_secs(4)).await
        } else {
            exec(what, &["run"], &msg, Duration::from_secs(60)).await
        };
        assert_clean(&out);
        if !trigger {
            assert_envelope(&out, must_fail);
        }
        runs += 1;
        let first = if trigger {
            &mut tested.1
        } else {
            &mut tested.0
        };
        if !*first {
            *first = true;
            let out = exec(
                format!("{scenario}: test {name}"),
                &["test"],
                &msg,
                Duration::from_secs(60),
            )
            .await;
            assert_clean(&out);
            assert_envelope(&out, must_fail);
            runs += 1;
        }
    }
    runs
}

/// stdout is exactly one envelope; with `must_fail`, an error one (a 404 may be a valid "not found" answer).
#[track_caller]
fn assert_envelope(out: &Output, must_fail: bool) {
    let envelope: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|_| panic!("{}: stdout is one envelope: {}", out.what, out.stdout));
    let wanted = if must_fail {
        "error"
    } else {
        envelope["body"]["status"].as_str().unwrap_or("missing")
    };
    assert!(
        ["ok", "error"].contains(&wanted),
        "{}: no status: {}",
        out.what,
        out.stdout
    );
    assert_eq!(
        envelope["body"]["status"], wanted,
        "{}: expected a failure: {}",
        out.what, out.stdout
    );
}

/// A trigger runs until stopped; give it `limit`, then kill it and check what it printed.
async fn run_trigger(what: String, msg: &Value, limit: Duration) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["--debug", "run"])
        .env("HALO_PLUGIN_WORKSPACE", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(msg.to_string().as_bytes()).await.unwrap();
    drop(input);
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let read_out = tokio::spawn(async move {
        let mut s = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut stdout, &mut s).await;
        s
    });
    let read_err = tokio::spawn(async move {
        let mut s = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut stderr, &mut s).await;
        s
    });
    if tokio::time::timeout(limit, child.wait()).await.is_err() {
        child.kill().await.unwrap();
    }
    let stdout = String::from_utf8_lossy(&read_out.await.unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&read_err.await.unwrap()).into_owned();
    // The state file must not hold a secret either.
    let mut state = String::new();
    for entry in walk(dir.path()) {
        state.push_str(&std::fs::read_to_string(entry).unwrap_or_default());
    }
    Output {
        what,
        stdout,
        stderr: format!("{stderr}\n--- state files ---\n{state}"),
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_rejected_by_halo_never_leaks() {
    // halo-sim knows another secret, so ours is rejected at the token endpoint.
    let sim: SimHandle = SimServer::start(
        SimConfig::default()
            .with_credentials("leak-test-client", "the-real-secret")
            .with_rate_limit(None),
    )
    .await
    .unwrap();
    let c = connection(
        sim.authorization_server_url().as_str(),
        sim.resource_server_url().as_str(),
        sim.tenant(),
    );
    assert!(run_all("secret rejected", &c, true).await > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_endpoint_echoing_the_secret_never_leaks() {
    let addr = hostile(false, 500).await;
    let c = connection(
        &format!("http://{addr}/auth"),
        &format!("http://{addr}/api"),
        Some("t"),
    );
    run_all("token endpoint echoes the form", &c, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_echoing_the_token_never_leak() {
    for status in [400u16, 401, 403, 404, 500] {
        let addr = hostile(true, status).await;
        let c = connection(
            &format!("http://{addr}/auth"),
            &format!("http://{addr}/api"),
            Some("t"),
        );
        // A 404 can be a valid answer ("not found" is an output of get_ticket); every other status fails.
        run_all(
            &format!("API answers {status} echoing the token"),
            &c,
            status != 404,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn halo_unreachable_and_invalid_input_never_leak() {
    // A port nothing listens on (bound, then released): the connection test retries, then fails.
    let free = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let c = connection(
        &format!("http://{free}/auth"),
        &format!("http://{free}/api"),
        None,
    );
    let all = steps();
    let (first, msg) = all.iter().find(|(_, m)| !is_trigger(m)).unwrap();
    let out = exec(
        format!("unreachable: test {first}"),
        &["test"],
        &with_connection(msg, &c),
        Duration::from_secs(90),
    )
    .await;
    assert_clean(&out);
    assert_envelope(&out, true);
    for (name, msg) in all.iter().filter(|(_, m)| !is_trigger(m)) {
        // Input the spec rejects: every input replaced by a value of the wrong type, one holding the secret.
        let mut bad = with_connection(msg, &c);
        if let Some(input) = bad["body"]["input"].as_object_mut() {
            for v in input.values_mut() {
                *v = if v.is_string() {
                    json!({"not": SECRET})
                } else {
                    json!(format!("wrong type {SECRET}"))
                };
            }
        }
        let out = exec(
            format!("invalid input: run {name}"),
            &["run"],
            &bad,
            Duration::from_secs(60),
        )
        .await;
        assert_clean(&out);
        assert_envelope(&out, true);
    }
}

#[test]
#[should_panic(expected = "the access token leaked")]
fn the_checker_catches_a_leak() {
    assert_clean(&Output {
        what: "self-test".into(),
        stdout: format!("error: {TOKEN}"),
        stderr: String::new(),
    });
}

#[test]
#[should_panic(expected = "part of a canary leaked")]
fn the_checker_catches_a_partial_leak() {
    let partial = &SECRET[..SECRET.len() - 2];
    assert_clean(&Output {
        what: "self-test".into(),
        stdout: String::new(),
        stderr: format!("secret={partial}"),
    });
}

/// `http` mode (`--debug`): every action and its test route, the connection test and the metrics scrape,
/// against a tenant that rejects the secret and one that echoes the token in every error; then a graceful
/// stop. Response bodies and everything the server logged are checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_mode_never_leaks() {
    use tokio::io::{AsyncBufReadExt as _, BufReader};

    let sim: SimHandle = SimServer::start(
        SimConfig::default()
            .with_credentials("leak-test-client", "the-real-secret")
            .with_rate_limit(None),
    )
    .await
    .unwrap();
    let hostile_addr = hostile(true, 500).await;
    let mut connections = [
        connection(
            sim.authorization_server_url().as_str(),
            sim.resource_server_url().as_str(),
            sim.tenant(),
        ),
        connection(
            &format!("http://{hostile_addr}/auth"),
            &format!("http://{hostile_addr}/api"),
            Some("t"),
        ),
    ];
    // The budget is not under test here; at the default 300 per 5 minutes the posts would queue for a minute.
    for c in &mut connections {
        c["rate_limit"] = json!(1_000_000);
    }

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("gunicorn.json");
    std::fs::write(&cfg, r#"{"bind": "127.0.0.1:0"}"#).unwrap();
    let mut child = Command::new(BIN)
        .args(["--debug", "http"])
        .env("GUNICORN_CONFIG_FILE", &cfg)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut logged = String::new();
    let addr = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            logged.push_str(&line);
            logged.push('\n');
            if let Some(a) = line.strip_prefix("Listening on ") {
                return a.to_string();
            }
        }
        panic!("server exited before listening:\n{logged}");
    })
    .await
    .unwrap();
    let drain = tokio::spawn(async move {
        let mut rest = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            rest.push_str(&line);
            rest.push('\n');
        }
        rest
    });

    let http = reqwest::Client::new();
    let base = format!("http://{addr}");
    let mut bodies = String::new();
    let mut requests = 0usize;
    for c in &connections {
        // Concurrently, as the orchestrator does: the retries against the failing tenant overlap.
        let mut posts = tokio::task::JoinSet::new();
        for (name, msg) in steps().iter().filter(|(_, m)| !is_trigger(m)) {
            let msg = with_connection(msg, c);
            for path in [
                format!("/api/v1/actions/{name}"),
                format!("/actions/{name}/test"),
            ] {
                let (http, url, body) = (http.clone(), format!("{base}{path}"), msg.to_string());
                posts.spawn(async move {
                    let resp = http.post(url).body(body).send().await.unwrap();
                    format!("{path} {}\n{}\n", resp.status(), resp.text().await.unwrap())
                });
                requests += 1;
            }
        }
        while let Some(text) = posts.join_next().await {
            bodies.push_str(&text.unwrap());
        }
        let test = json!({"version": "v1", "type": "connection_test",
            "body": {"connection": c, "meta": {"jobId": "secrets-never-leak"}}});
        let resp = http
            .post(format!("{base}/api/v1/connection/test"))
            .body(test.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "the connection test fails");
        bodies.push_str(&resp.text().await.unwrap());
    }
    assert!(requests > 20, "every action was posted ({requests})");
    for path in ["/metrics", "/api/v1/info", "/api/v1/connection"] {
        let resp = http.get(format!("{base}{path}")).send().await.unwrap();
        bodies.push_str(&resp.text().await.unwrap());
    }

    let pid = child.id().unwrap();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "graceful stop: {status:?}");
    logged.push_str(&drain.await.unwrap());
    assert!(
        logged.lines().count() > requests,
        "the server logged the requests (--debug)"
    );
    assert_clean(&Output {
        what: "http mode".into(),
        stdout: bodies,
        stderr: logged,
    });
}
