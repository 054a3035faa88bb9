//! Command dispatch and the context every command gets (flags, output, configuration, client).

pub mod bulk;
pub mod checks;
pub mod completions;
pub mod config;
pub mod doctor;
pub mod lookup;
pub mod raw;
pub mod smoke;
pub mod tickets;

use std::path::PathBuf;

use crate::cli::{Command, GlobalArgs};
use crate::config as cfg;
use crate::exit::{CliError, ExitKind};
use crate::output::Out;

/// What every command gets.
pub struct Ctx {
    /// Global flags.
    pub global: GlobalArgs,
    /// Output settings.
    pub out: Out,
}

impl Ctx {
    /// A new context.
    pub fn new(global: GlobalArgs, out: Out) -> Self {
        Self { global, out }
    }

    /// The configuration file path in use.
    pub fn config_path(&self) -> Result<PathBuf, CliError> {
        cfg::path(self.global.config.as_deref())
    }

    /// The connection for commands that talk to Halo: selected profile merged with the environment.
    pub fn connection(&self) -> Result<cfg::Connection, CliError> {
        let path = self.config_path()?;
        let file = cfg::load(&path)?;
        let profile = cfg::select_profile(&file, self.global.profile.as_deref(), &path)?;
        cfg::resolve(profile, &|k| std::env::var(k).ok())
    }

    /// A client for the selected connection.
    pub async fn client(&self) -> anyhow::Result<halo_api::HaloClient> {
        let conn = self.connection()?;
        crate::client::build(&conn).await
    }
}

/// Run one command.
pub async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<ExitKind> {
    match command {
        Command::Config(c) => config::run(ctx, c).await,
        Command::Completions(a) => completions::run(&a),
        Command::Tickets(c) => tickets::run(ctx, c).await,
        Command::Lookup(a) => lookup::run(ctx, a).await,
        Command::Raw(a) => raw::run(ctx, a).await,
        Command::Sandbox(a) => crate::sandbox::run(ctx, a).await,
        Command::Doctor(a) => doctor::run(ctx, a).await,
        Command::Smoke(a) => smoke::run(ctx, a).await,
    }
}
