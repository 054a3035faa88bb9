//! The `halo-sim` binary: flags and the `--json` start line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

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
