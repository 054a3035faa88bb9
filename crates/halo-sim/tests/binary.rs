//! The `halo-sim` binary: flags and the `--json` start line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

/// A started `halo-sim --json …`: its start line, killed when dropped (also when an assertion fails).
struct Running {
    child: Child,
    info: Value,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_halo-sim"))
            .arg("--json")
            .args(args)
            .env_remove("HALO_SIM_CLIENT_ID")
            .env_remove("HALO_SIM_CLIENT_SECRET")
            .env_remove("HALO_SIM_WEBHOOK_PASSWORD")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.trim().is_empty() {
            let _ = child.wait();
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            panic!("halo-sim {args:?} did not start: {err}");
        }
        let info = serde_json::from_str(&line).unwrap();
        Running { child, info }
    }

    fn str(&self, key: &str) -> &str {
        self.info[key].as_str().unwrap()
    }

    async fn token(&self, http: &reqwest::Client) -> String {
        let r = http
            .post(self.str("token_url"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.str("client_id")),
                ("client_secret", self.str("client_secret")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }
}

/// A port that was free a moment ago (bound to 127.0.0.1:0, then released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The binary's stderr and success for `args` (for flags that must be refused).
fn refused(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_halo-sim"))
        .args(args)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{args:?} should be refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn prints_one_json_line_and_serves_what_it_prints() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_halo-sim"))
        .args([
            "--json",
            "--tenant",
            "acme",
            "--client-id",
            "cid",
            "--client-secret",
            "csecret",
            "--token-ttl",
            "120",
            "--rate-limit",
            "10/1",
            "--faults",
            "none",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(info["tenant"], "acme");
    assert_eq!(info["client_id"], "cid");
    let token_url = info["token_url"].as_str().unwrap();
    assert!(token_url.ends_with("/auth/token?tenant=acme"));
    let http = reqwest::Client::new();
    let r = http
        .post(token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "cid"),
            ("client_secret", "csecret"),
        ])
        .send()
        .await
        .unwrap();
    let tok: Value = r.json().await.unwrap();
    assert_eq!(tok["expires_in"], 120);
    let api = info["resource_server"].as_str().unwrap();
    let r = http
        .get(format!("{api}/Status"))
        .bearer_auth(tok["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Admin route: script a fault over HTTP.
    let base = info["base_url"].as_str().unwrap();
    let r = http
        .post(format!("{base}_sim/faults"))
        .json(&serde_json::json!({"rules": [{"match": "GET /api/Status", "fault": "503", "next": 1}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http
        .get(format!("{api}/Status"))
        .bearer_auth(tok["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let journal: Value = http
        .get(format!("{base}_sim/journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(journal.as_array().unwrap().len() >= 3);
    child.kill().unwrap();
    let _ = child.wait();
}

#[test]
fn bad_flags_fail_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_halo-sim"))
        .args(["--rate-limit", "lots"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("N/SECS"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_halo-sim"))
        .args(["--faults", "sometimes"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("flaky"));
}

#[tokio::test]
async fn tls_serves_https_with_the_certificate_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("sim.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_halo-sim"))
        .args(["--json", "--tls", "--cert-out"])
        .arg(&cert)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap();
    let api = info["resource_server"].as_str().unwrap().to_string();
    assert!(api.starts_with("https://"), "{api}");
    assert_eq!(info["tls_certificate_file"], cert.display().to_string());
    let pem = std::fs::read(&cert).unwrap();
    // Untrusted: refused. Trusted through the written PEM: served.
    let plain = reqwest::Client::new();
    assert!(plain.get(format!("{api}/authinfo")).send().await.is_err());
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let r = trusting
        .get(format!("{api}/authinfo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    child.kill().unwrap();
    let _ = child.wait();
}

#[test]
fn cert_out_without_tls_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_halo-sim"))
        .args(["--cert-out", "/tmp/x.pem"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls"));
}

#[tokio::test]
async fn seed_file_data_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.json");
    let seed = json!({
        "statuses": [{"id": 1, "name": "Triage Queue"}, {"id": 2, "name": "Working"},
                     {"id": 3, "name": "Waiting"}, {"id": 9, "name": "Done", "is_closed": true}],
        "tickets": [{"id": 77, "summary": "seeded from a file", "status_id": 2}]
    });
    std::fs::write(&path, seed.to_string()).unwrap();
    let sim = Running::start(&["--rate-limit", "off", "--seed", path.to_str().unwrap()]);
    let http = reqwest::Client::new();
    let token = sim.token(&http).await;
    let api = sim.str("resource_server");
    let statuses: Value = http
        .get(format!("{api}/Status"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = statuses
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Triage Queue", "Working", "Waiting", "Done"]);
    let t: Value = http
        .get(format!("{api}/Tickets/77"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (t["summary"].as_str(), t["status_name"].as_str()),
        (Some("seeded from a file"), Some("Working"))
    );
}

#[test]
fn seed_file_with_a_broken_reference_or_a_misspelt_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.json");
    std::fs::write(&path, r#"{"api_agent_id": 99}"#).unwrap();
    let err = refused(&["--seed", path.to_str().unwrap()]);
    assert!(
        err.contains("api_agent_id") && err.contains("existing ids: 1, 3, 4, 5, 6, 7"),
        "{err}"
    );
    std::fs::write(&path, r#"{"statusses": []}"#).unwrap();
    let err = refused(&["--seed", path.to_str().unwrap()]);
    assert!(
        err.contains("statusses") && err.contains("statuses"),
        "{err}"
    );
}

type Hooks = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// A local webhook receiver at `http://127.0.0.1:PORT/hook` recording the Authorization header and body.
async fn webhook_receiver() -> (String, Hooks) {
    use axum::http::HeaderMap;
    let seen: Hooks = Arc::default();
    let s = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::Json<Value>| {
            let s = Arc::clone(&s);
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                s.lock().unwrap().push((auth, body.0));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

#[tokio::test]
async fn webhook_url_gets_a_created_ticket_with_basic_auth() {
    let (url, seen) = webhook_receiver().await;
    let sim = Running::start(&[
        "--rate-limit",
        "off",
        "--webhook-url",
        url.as_str(),
        "--webhook-user",
        "hookuser",
        "--webhook-password",
        "hook-pw",
    ]);
    let http = reqwest::Client::new();
    let token = sim.token(&http).await;
    let r = http
        .post(format!("{}/Tickets", sim.str("resource_server")))
        .bearer_auth(&token)
        .json(&json!([{"summary": "webhook from the binary"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let mut got = Vec::new();
    for _ in 0..200 {
        got = seen.lock().unwrap().clone();
        if !got.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (auth, body) = got.first().expect("the receiver got a webhook within 5 s");
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("hookuser:hook-pw")
    );
    assert_eq!(auth.as_deref(), Some(expected.as_str()));
    assert_eq!(body["event"], "new ticket logged");
    assert_eq!(body["object_id"], created["id"]);
    assert_eq!(body["ticket"]["summary"], "webhook from the binary");
}

/// GET `/api/authinfo` at the URL the binary printed.
async fn authinfo(sim: &Running) -> u16 {
    reqwest::get(format!("{}/authinfo", sim.str("resource_server")))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn addr_with_an_ip_and_port_listens_there() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let sim = Running::start(&["--addr", addr.as_str()]);
    assert_eq!(sim.str("base_url"), format!("http://{addr}/"));
    assert_eq!(authinfo(&sim).await, 200);
}

#[tokio::test]
async fn addr_with_a_host_name_is_resolved() {
    let port = free_port();
    let addr = format!("localhost:{port}");
    let sim = Running::start(&["--addr", addr.as_str()]);
    let base = url::Url::parse(sim.str("base_url")).unwrap();
    let ip: IpAddr = match base.host() {
        Some(url::Host::Ipv4(ip)) => ip.into(),
        Some(url::Host::Ipv6(ip)) => ip.into(),
        other => panic!("the printed URL should carry the resolved address, got {other:?}"),
    };
    assert!(ip.is_loopback(), "localhost resolved to {ip}");
    assert_eq!(base.port(), Some(port));
    assert_eq!(authinfo(&sim).await, 200);
}

#[test]
fn addr_without_a_port_is_refused_with_the_expected_form() {
    let err = refused(&["--addr", "localhost"]);
    assert!(
        err.contains("HOST:PORT") && err.contains("localhost:8080"),
        "{err}"
    );
}
