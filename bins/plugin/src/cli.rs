//! The entrypoint CLI, argument-compatible with the runtime's:
//! `haloitsm-plugin [--debug] [--version] {run,test,info,sample <name>,http [...],spec}`.

use std::io::{Read as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use serde_json::{Map, Value, json};

use crate::connection::Connections;
use crate::runner::{self, Mode, Outcome};
use crate::spec::{ComponentSpec, plugin, plugin_spec};

/// HaloITSM plugin for Rapid7 InsightConnect.
#[derive(Debug, Parser)]
#[command(name = "haloitsm-plugin", version, about)]
pub struct Cli {
    /// DEBUG logging; triggers print events to stdout instead of posting them.
    #[arg(long, global = false)]
    pub debug: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read one message from stdin, run it, write one envelope to stdout.
    Run,
    /// Like `run`, but run the connection test for the step.
    Test,
    /// Print the plugin's name, vendor, version and steps.
    Info,
    /// Print a sample start message for an action or trigger.
    Sample {
        /// Action or trigger name.
        name: String,
    },
    /// Serve the runtime's REST API.
    Http(HttpArgs),
    /// Print plugin.spec.yaml (the committed file is this output).
    Spec,
}

/// Options of `http`, as the runtime's (gunicorn) ones.
#[derive(Debug, clap::Args)]
pub struct HttpArgs {
    /// Port (bind 0.0.0.0:<port>); GUNICORN_CONFIG_FILE's `bind` overrides it.
    #[arg(long, default_value_t = 10001)]
    pub port: u16,
    /// Accepted for compatibility; one process serves all requests concurrently.
    #[arg(
        long = "process_workers",
        alias = "process-workers",
        default_value_t = 1
    )]
    pub process_workers: usize,
    /// Accepted for compatibility; reported by /info.
    #[arg(
        long = "threads_per_worker",
        alias = "threads-per-worker",
        default_value_t = 4
    )]
    pub threads_per_worker: usize,
    /// Accepted for compatibility (sync or gevent).
    #[arg(long = "worker_class", alias = "worker-class", default_value = "sync")]
    pub worker_class: String,
    /// Accepted for compatibility.
    #[arg(
        long = "worker_connections",
        alias = "worker-connections",
        default_value_t = 200
    )]
    pub worker_connections: usize,
    /// Seconds to let in-flight work finish after SIGTERM.
    #[arg(
        long = "graceful_timeout",
        alias = "graceful-timeout",
        default_value_t = 30
    )]
    pub graceful_timeout: u64,
}

/// Parses the command line and runs; the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::logcap::init(cli.debug);
    crate::dispatch::set_debug(cli.debug);
    match cli.command {
        Command::Info => write_stdout(&info_text()),
        Command::Spec => write_stdout(&plugin_spec().to_yaml()),
        Command::Sample { name } => match sample(&name) {
            Some(v) => write_stdout(&format!("{v}\n")),
            None => {
                eprintln!("ValueError: {name} is not a valid action or trigger");
                ExitCode::FAILURE
            }
        },
        Command::Run => run_stdin(Mode::Run),
        Command::Test => run_stdin(Mode::Test),
        Command::Http(args) => serve(args),
    }
}

/// Writes to stdout without panicking when the reader has gone away (`haloitsm-plugin info | head`).
fn write_stdout(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn runtime(multi: bool) -> std::io::Result<tokio::runtime::Runtime> {
    if multi {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
}

fn run_stdin(mode: Mode) -> ExitCode {
    crate::observability::set_summary_in_log(true);
    let mut input = Vec::new();
    let outcome = match std::io::stdin().read_to_end(&mut input) {
        Err(e) => runner::rejected(&protocol_reject(format!("Could not read stdin: {e}"))),
        Ok(_) => match crate::protocol::parse(&input) {
            Err(r) => runner::rejected(&r),
            Ok(msg) => match runtime(false) {
                Ok(rt) => rt.block_on(async {
                    let connections = Connections::default();
                    runner::execute(&connections, msg, mode).await
                }),
                Err(e) => runner::rejected(&protocol_reject(format!(
                    "Could not start the async runtime: {e}"
                ))),
            },
        },
    };
    write_outcome(&outcome)
}

fn protocol_reject(text: String) -> crate::protocol::Rejected {
    crate::protocol::Rejected {
        response_type: "action_event",
        meta: json!({}),
        error: crate::errors::StepError::unexpected(text, "Check the plugin's environment."),
        connection: Value::Null,
    }
}

fn write_outcome(outcome: &Outcome) -> ExitCode {
    let mut out = std::io::stdout().lock();
    // Like json.dump: one document, no trailing newline.
    let ok = out
        .write_all(outcome.envelope.to_string().as_bytes())
        .and_then(|()| out.flush())
        .is_ok();
    if outcome.is_ok() && ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn serve(args: HttpArgs) -> ExitCode {
    let bind = match crate::http::resolve_bind(args.port) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ERROR {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let options = crate::http::HttpOptions {
        bind,
        graceful_timeout: Duration::from_secs(args.graceful_timeout),
        workers: args.process_workers,
        threads: args.threads_per_worker,
    };
    let result = runtime(true)
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(crate::http::serve(options)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ERROR {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The `info` text (Name/Vendor/Version/Description and the steps), as the runtime prints it.
pub fn info_text() -> String {
    let spec = plugin_spec();
    let mut s = format!(
        "Name:        {}\nVendor:      {}\nVersion:     {}\nDescription: {}\n",
        plugin::TITLE,
        plugin::VENDOR,
        plugin::VERSION,
        plugin::DESCRIPTION
    );
    for (label, list) in [("Triggers", &spec.triggers), ("Actions", &spec.actions)] {
        s.push_str(&format!("\n{label} ({})\n", list.len()));
        for c in list {
            s.push_str(&format!("└── {} ({})\n", c.name, c.description));
        }
    }
    s
}

/// A sample start message for a step (inputs and connection filled with their examples).
pub fn sample(name: &str) -> Option<Value> {
    let spec = plugin_spec();
    let examples = |fields: &[crate::spec::Field]| {
        let mut m = Map::new();
        for f in fields {
            m.insert(
                f.name.into(),
                f.example.clone().unwrap_or_else(|| json!("")),
            );
        }
        Value::Object(m)
    };
    let connection = examples(&spec.connection);
    let body = |c: &ComponentSpec, key: &str| {
        let mut b = Map::new();
        b.insert(key.into(), c.name.into());
        b.insert("meta".into(), json!({}));
        b.insert("input".into(), examples(&c.input));
        if key == "trigger" {
            b.insert(
                "dispatcher".into(),
                json!({"url": "http://localhost:8000", "webhook_url": ""}),
            );
        }
        b.insert("connection".into(), connection.clone());
        Value::Object(b)
    };
    if let Some(a) = spec.action(name) {
        return Some(json!({"body": body(a, "action"), "type": "action_start", "version": "v1"}));
    }
    spec.trigger(name)
        .map(|t| json!({"body": body(t, "trigger"), "type": "trigger_start", "version": "v1"}))
}
