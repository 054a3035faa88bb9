//! `halo-cli completions SHELL`: shell completion scripts from the clap command tree.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::ExitKind;

/// Print the completion script for the shell on stdout.
pub fn run(args: &CompletionsArgs) -> anyhow::Result<ExitKind> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "halo-cli", &mut std::io::stdout());
    Ok(ExitKind::Ok)
}
