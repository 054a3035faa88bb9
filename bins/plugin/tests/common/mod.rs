//! Test harness: a halo-sim tenant in-process, the built plugin binary in `run`/`test`/`http` mode,
//! secret checks on everything the binary prints, and redaction for snapshots.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Stdio;
use std::time::Duration;

use halo_sim::{SimConfig, SimHandle, SimServer};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_haloitsm-plugin");

pub struct Env {
    pub sim: SimHandle,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub envelope: Value,
}

impl Run {
    pub fn body(&self) -> &Value {
        &self.envelope["body"]
    }

    pub fn output(&self) -> &Value {
        &self.envelope["body"]["output"]
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(
            self.code, 0,
            "expected success, got {}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        assert_eq!(self.body()["status"], "ok", "{}", self.stdout);
        self.output()
    }

    #[track_caller]
    pub fn err(&self) -> &Value {
        assert_eq!(self.code, 1, "expected failure, got {}", self.stdout);
        assert_eq!(self.body()["status"], "error", "{}", self.stdout);
        assert!(self.body()["error"].is_string());
        &self.body()["exception"]
    }

    pub fn error_text(&self) -> String {
        self.body()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl Env {
    pub async fn start() -> Self {
        Self::with(SimConfig::default().with_rate_limit(None)).await
    }

    pub async fn with(config: SimConfig) -> Self {
        Self {
            sim: SimServer::start(config).await.expect("sim starts"),
        }
    }

    pub fn connection(&self) -> Value {
        let mut c = json!({
            "client_id": self.sim.client_id(),
            "client_secret": {"secretKey": self.sim.client_secret()},
            "authorization_server": self.sim.authorization_server_url().as_str(),
            "resource_server": self.sim.resource_server_url().as_str(),
        });
        if let Some(t) = self.sim.tenant() {
            c["tenant"] = json!(t);
        }
        c
    }

    pub fn action_with(&self, name: &str, input: Value, connection: Value) -> Value {
        json!({"version": "v1", "type": "action_start",
            "body": {"action": name, "meta": {"jobId": "job-1"}, "input": input, "connection": connection}})
    }

    pub fn action(&self, name: &str, input: Value) -> Value {
        self.action_with(name, input, self.connection())
    }

    pub fn connection_test(&self, connection: Value) -> Value {
        json!({"version": "v1", "type": "connection_test", "body": {"connection": connection, "meta": {"jobId": "t"}}})
    }

    /// Runs the binary with `args`, feeding `stdin`; checks that no secret leaked.
    pub async fn exec(&self, args: &[&str], stdin: &[u8]) -> Run {
        self.exec_env(args, stdin, &[]).await
    }

    /// [`Env::exec`] with extra environment variables for the child.
    pub async fn exec_env(&self, args: &[&str], stdin: &[u8], envs: &[(&str, &str)]) -> Run {
        let mut child = Command::new(BIN)
            .args(args)
            .envs(envs.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn plugin");
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin).await.unwrap();
        drop(input);
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("plugin finished")
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        self.assert_no_secrets(&stdout);
        self.assert_no_secrets(&stderr);
        let envelope = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout,
            stderr,
            envelope,
        }
    }

    pub async fn run(&self, msg: &Value) -> Run {
        let run = self.exec(&["run"], msg.to_string().as_bytes()).await;
        assert!(
            run.envelope.is_object(),
            "stdout must be exactly one JSON envelope: {:?}",
            run.stdout
        );
        run
    }

    pub async fn test(&self, msg: &Value) -> Run {
        self.exec(&["test"], msg.to_string().as_bytes()).await
    }

    /// Runs an action and expects success.
    pub async fn ok(&self, name: &str, input: Value) -> Value {
        self.run(&self.action(name, input)).await.ok().clone()
    }

    #[track_caller]
    pub fn assert_no_secrets(&self, text: &str) {
        assert!(
            !text.contains(self.sim.client_secret()),
            "client secret leaked: {text}"
        );
        // halo-sim issues JWT-shaped tokens; their header always starts with eyJ.
        assert!(!text.contains("eyJ"), "access token leaked: {text}");
        assert!(
            !text.contains("Bearer "),
            "authorization header leaked: {text}"
        );
    }

    /// Creates a ticket through the plugin; returns its id.
    pub async fn create(&self, summary: &str) -> u64 {
        let out = self
            .ok(
                "create_ticket",
                json!({"summary": summary, "details": "<p>original details</p>"}),
            )
            .await;
        out["ticket"]["id"].as_u64().unwrap()
    }
}

/// Redacts what varies between runs for snapshots: dates, ports in URLs, log text, and the ids Halo
/// generates (a ticket's or note's own `id`, `ticket_id`, `comment_id`). Ids the tenant is configured with
/// (ticket types, statuses, agents, custom fields) stay, since resolving them is what a snapshot shows.
pub fn redact(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let generated = m.contains_key("summary") || m.contains_key("note");
                    let r = match k.as_str() {
                        "id" if generated && v.is_number() => json!("[id]"),
                        "ticket_id" | "comment_id" if v.is_number() => json!("[id]"),
                        "dateoccurred" | "datecreated" | "datemodified" | "dateclosed"
                        | "datetime" | "date_created"
                            if v.is_string() =>
                        {
                            json!("[date]")
                        }
                        "url" if v.is_string() => json!("[url]"),
                        "log" if v.is_string() => json!("[log]"),
                        _ => redact(v),
                    };
                    (k.clone(), r)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(redact).collect()),
        Value::String(s) if s.contains("http://127.0.0.1:") => json!("[local url]"),
        other => other.clone(),
    }
}

/// The plugin in `http` mode on 127.0.0.1:<free port>.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub http: reqwest::Client,
}

impl Server {
    pub async fn start(dir: &tempfile::TempDir) -> Self {
        let cfg = dir.path().join("gunicorn.json");
        std::fs::write(&cfg, r#"{"bind": "127.0.0.1:0"}"#).unwrap();
        let mut child = Command::new(BIN)
            .args(["http", "--port", "1", "--graceful_timeout", "10"])
            .env("GUNICORN_CONFIG_FILE", &cfg)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn plugin http");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let addr = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(a) = line.strip_prefix("Listening on ") {
                    return a.to_string();
                }
            }
            panic!("server exited before listening");
        })
        .await
        .expect("server listens");
        // Keep draining stderr so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child,
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    /// POSTs a raw body without a Content-Type header.
    pub async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}
