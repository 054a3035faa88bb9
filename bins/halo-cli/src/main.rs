//! `halo-cli`: the HaloITSM admin CLI. Parses arguments, sets up output and logging, runs one command and maps
//! its outcome onto the documented exit codes.

mod cli;
mod client;
mod commands;
mod config;
mod exit;
mod journal;
mod logging;
mod output;
mod rows;
mod sandbox;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    logging::init(&cli.global, &command_path(&matches));
    let out = output::Out::from_global(&cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            out.error(&exit::CliError::new(
                exit::ExitKind::Failure,
                format!("The async runtime could not start: {e}."),
                "Check the process limits (threads, file descriptors).",
            ));
            return ExitCode::from(exit::ExitKind::Failure.code());
        }
    };
    let ctx = commands::Ctx::new(cli.global, out);
    let result = runtime.block_on(commands::run(&ctx, cli.command));
    // The runtime may hold a kept-alive sandbox or idle connections; do not wait for them.
    runtime.shutdown_background();
    match result {
        Ok(kind) => ExitCode::from(kind.code()),
        Err(err) => {
            let e = exit::classify(&err);
            tracing::debug!(error = %format!("{err:#}"), "command failed");
            out.error(&e);
            ExitCode::from(e.kind.code())
        }
    }
}

/// The subcommand path that was run, e.g. `tickets import` (for the log lines).
fn command_path(matches: &clap::ArgMatches) -> String {
    let mut parts = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        parts.push(name);
        m = sub;
    }
    parts.join(" ")
}
