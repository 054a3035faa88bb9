//! Test harness: a halo-sim tenant on 127.0.0.1:0 in a background runtime, and the real `halo-cli` binary spawned
//! against it with a private config file. Every run asserts that the known client secret and any token the sim
//! issued never appear in stdout or stderr.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Stdio};

use halo_sim::{SimConfig, SimHandle, SimServer};

/// The client id the test tenant accepts.
pub const CLIENT_ID: &str = "cli-test-client";
/// A secret that must never be printed.
pub const SECRET: &str = "S3cr3t-never-print-4f9a1c";

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Panic with both streams unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code {} (wanted {code})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// A running simulated tenant plus a scratch directory for config files and journals.
pub struct Sim {
    pub handle: SimHandle,
    pub dir: tempfile::TempDir,
    // Dropped last: it serves the sim.
    rt: tokio::runtime::Runtime,
}

impl Sim {
    /// Default tenant, known credentials.
    pub fn start() -> Self {
        Self::start_with(|c| c)
    }

    /// Default tenant, known credentials, adjusted by `f`.
    pub fn start_with(f: impl FnOnce(SimConfig) -> SimConfig) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let cfg = f(SimConfig::default().with_credentials(CLIENT_ID, SECRET));
        let handle = rt.block_on(SimServer::start(cfg)).unwrap();
        Sim {
            handle,
            dir: tempfile::tempdir().unwrap(),
            rt,
        }
    }

    /// The config file path the spawned binary uses.
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    /// A command with no connection at all (only a private config path).
    pub fn bare(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_halo-cli"));
        for (k, _) in std::env::vars() {
            if k.starts_with("HALO_") || k == "RUST_LOG" {
                c.env_remove(k);
            }
        }
        c.env("HALO_CLI_CONFIG", self.config_path())
            .env("NO_COLOR", "1")
            .env("HOME", self.dir.path())
            .current_dir(self.dir.path())
            .stdin(Stdio::null());
        c
    }

    /// A command pointed at the sim through the HALO_* environment variables.
    pub fn cmd(&self) -> Command {
        let mut c = self.bare();
        c.env(
            "HALO_RESOURCE_SERVER",
            self.handle.resource_server_url().as_str(),
        )
        .env(
            "HALO_AUTH_SERVER",
            self.handle.authorization_server_url().as_str(),
        )
        .env("HALO_CLIENT_ID", CLIENT_ID)
        .env("HALO_CLIENT_SECRET", SECRET);
        if let Some(t) = self.handle.tenant() {
            c.env("HALO_TENANT", t);
        }
        c
    }

    /// Run `halo-cli ARGS` against the sim.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_cmd(self.cmd(), args)
    }

    /// Run a prepared command with ARGS, checking no secret leaks.
    pub fn run_cmd(&self, mut cmd: Command, args: &[&str]) -> Run {
        let out = cmd.args(args).output().unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert_no_secret(&run);
        run
    }

    /// Port-independent text: the sim's URLs and the scratch dir replaced by placeholders.
    pub fn scrub(&self, s: &str) -> String {
        let base = self
            .handle
            .base_url()
            .as_str()
            .trim_end_matches('/')
            .to_string();
        s.replace(&base, "http://[sim]")
            .replace(&self.dir.path().display().to_string(), "[dir]")
    }

    /// Number of tickets in the sim whose summary starts with `prefix`.
    pub fn count_tickets(&self, prefix: &str) -> usize {
        self.handle
            .tickets()
            .iter()
            .filter(|t| t["summary"].as_str().is_some_and(|s| s.starts_with(prefix)))
            .filter(|t| !t["deleted"].as_bool().unwrap_or(false))
            .count()
    }
}

/// The secret must never show up in any output.
pub fn assert_no_secret(run: &Run) {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(SECRET),
            "the client secret leaked on {name}:\n{text}"
        );
    }
}

/// Replace every `<digits> ms` with `[ms]` (timings vary run to run).
pub fn scrub_ms(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if chars[j..].starts_with(&[' ', 'm', 's']) {
                out.push_str("[ms]");
                i = j + 3;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Column widths depend on values that vary (ports, paths): squash runs of spaces and dashes for table snapshots.
pub fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = '\0';
    for c in s.chars() {
        if (c == ' ' || c == '-') && c == prev {
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}
