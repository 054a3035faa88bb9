//! The command-line interface: every command, flag and its help text, as clap derive types.
//!
//! Nothing here talks to Halo; `commands::*` turn these values into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub(crate) const TOP_EXAMPLES: &str = "\
Examples:
  # Try everything against a local simulated tenant (no Halo needed)
  halo-cli sandbox

  # Write a profile, then check the connection before pasting it into InsightConnect
  halo-cli config init --profile staging --resource-server https://acme.haloitsm.com/api \\
      --client-id 0f1e... --client-secret-file ~/.secrets/halo-staging
  halo-cli --profile staging doctor

  # Find the ids a workflow needs
  halo-cli --profile staging lookup statuses --output json

Exit codes:
  0  success
  1  failure (a check or step failed, server error, anything else)
  2  usage (bad arguments or input file, missing or invalid configuration)
  3  authentication or permission (credentials rejected, token refused, forbidden)
  4  not found (ticket, agent, route)
  5  rate limited (Halo kept answering 429 after the retries)
  6  connection (unreachable, timeout, TLS)
  130  interrupted (Ctrl-C during a bulk run; the same command resumes it)

Environment:
  HALO_CLIENT_ID, HALO_CLIENT_SECRET, HALO_AUTH_SERVER, HALO_RESOURCE_SERVER, HALO_TENANT
      override the selected profile, field by field
  HALO_PROFILE     profile to use when --profile is not given
  HALO_CLI_CONFIG  path of the configuration file
  NO_COLOR         disables colour (colour is also off when stdout is not a terminal)";

/// `halo-cli`: set up, check and operate a HaloITSM connection.
#[derive(Debug, Parser)]
#[command(
    name = "halo-cli",
    version,
    about = "Admin CLI for HaloITSM: sandbox, doctor, smoke tests, tickets, lookups, bulk work",
    long_about = "Admin CLI for HaloITSM.\n\nUse it to try the integration against a local simulated tenant \
                  (`sandbox`), to set up and check a connection before pasting it into InsightConnect \
                  (`config`, `doctor`, `smoke`), to find the ids and names a workflow needs (`lookup`), and to \
                  do bulk work without tripping Halo's rate limit (`tickets import`, `tickets bulk-close`). \
                  Every request goes through the same rate limiter and retry policy as the plugin.",
    after_long_help = TOP_EXAMPLES,
    propagate_version = true
)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after any command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Profile from the configuration file to use.
    #[arg(long, global = true, env = "HALO_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

    /// Configuration file (default: <config dir>/halo-cli/config.toml).
    #[arg(long, global = true, env = "HALO_CLI_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Output format: a table for people, or JSON (stable, documented in the README) for scripts.
    #[arg(short, long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Print only errors (and the data asked for).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable table.
    Table,
    /// One JSON document (see the README for the shape).
    Json,
}

/// How logs are printed on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Plain text lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the functional checklist against a local simulated tenant (no Halo needed).
    #[command(
        long_about = "Start the Halo simulator in-process, then run the deployment guide's functional checklist \
                      against it through the plugin's real action code: create, update, get, search, assign, \
                      comment, close, a trigger firing, status sync from an investigation, and error handling \
                      (a bad credential, a bad id, a 429 storm survived).\n\nPrints one row per step (step, \
                      result, time) and a one-line summary. Exits 0 only if every step passed.",
        after_long_help = "Examples:\n  halo-cli sandbox\n  halo-cli sandbox --output json\n  \
                           # keep the simulator running and point other commands at it\n  \
                           halo-cli sandbox --keep"
    )]
    Sandbox(SandboxArgs),

    /// Diagnose a connection to a real tenant, check by check, with what to fix.
    #[command(
        long_about = "Check a connection to a real Halo tenant: the authorisation server (both token URL forms \
                      and /api/authinfo), TLS, the token (tenant, scope), the API agent (/Agent/me) and its \
                      permissions (read tickets, statuses, agents; write only with --write), clock skew from \
                      the server's Date header, and how much of the rate budget is left.\n\nEach failed check \
                      says what to change in Halo's API application settings or in the connection.",
        after_long_help = "Examples:\n  halo-cli --profile staging doctor\n  \
                           halo-cli --profile staging doctor --write --output json"
    )]
    Doctor(DoctorArgs),

    /// Smoke-test a tenant: read-only by default, a full ticket lifecycle with --write.
    #[command(
        long_about = "Smoke-test a tenant. Read-only by default (token, agent, statuses, a page of tickets). \
                      With --write it also creates a tagged test ticket, updates it, comments, assigns, closes \
                      it and deletes it, reporting each step. The exit code says pass (0) or fail.",
        after_long_help = "Examples:\n  halo-cli smoke --profile staging\n  \
                           halo-cli smoke --profile production --write --json"
    )]
    Smoke(SmokeArgs),

    /// List, read, create, change and bulk-process tickets.
    #[command(subcommand)]
    Tickets(TicketsCommand),

    /// Look up the ids and names a workflow needs.
    #[command(
        long_about = "List Halo's lookup records (statuses, ticket types, priorities, teams, agents, outcomes, \
                      custom fields, clients, sites, users) with their ids, so a workflow can use them.",
        after_long_help = "Examples:\n  halo-cli lookup statuses\n  halo-cli lookup agents --output json"
    )]
    Lookup(LookupArgs),

    /// Send one request to any Halo API path (escape hatch; still rate-limited and retried).
    #[command(
        long_about = "Send one request to a Halo API path and print the JSON response. It goes through the same \
                      token manager, rate limiter and retry policy as every other command.",
        after_long_help = "Examples:\n  halo-cli raw GET /api/Status\n  \
                           halo-cli raw GET /api/Tickets --query pageinate=true --query page_size=5\n  \
                           halo-cli raw POST /api/Actions --body '[{\"ticket_id\": 12, \"note\": \"hi\"}]'\n  \
                           halo-cli raw DELETE /api/Tickets/12"
    )]
    Raw(RawArgs),

    /// Write or show connection profiles.
    #[command(subcommand)]
    Config(ConfigCommand),

    /// Print a shell completion script.
    #[command(
        after_long_help = "Examples:\n  halo-cli completions bash > ~/.local/share/bash-completion/completions/halo-cli\n  \
                                 halo-cli completions zsh > ~/.zfunc/_halo-cli\n  \
                                 halo-cli completions fish > ~/.config/fish/completions/halo-cli.fish"
    )]
    Completions(CompletionsArgs),
}

/// `sandbox` options.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Leave the simulator running after the checklist and print the variables that point other commands at it.
    #[arg(long)]
    pub keep: bool,
}

/// `doctor` options.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Also check write permission (creates and deletes one tagged test ticket).
    #[arg(long)]
    pub write: bool,
}

/// `smoke` options.
#[derive(Debug, Args)]
pub struct SmokeArgs {
    /// Also run the write lifecycle: create, update, comment, assign, close and delete a tagged test ticket.
    #[arg(long)]
    pub write: bool,
    /// Print the report as JSON (same as --output json).
    #[arg(long)]
    pub json: bool,
}

/// `tickets` subcommands.
#[derive(Debug, Subcommand)]
pub enum TicketsCommand {
    /// List tickets (newest first), with filters.
    #[command(after_long_help = "Examples:\n  halo-cli tickets list --limit 20\n  \
                                 halo-cli tickets list --status 1 --agent 4 --output json\n  \
                                 halo-cli tickets list --search \"printer\"")]
    List(TicketListArgs),
    /// Show one ticket.
    #[command(
        after_long_help = "Examples:\n  halo-cli tickets get 1234\n  halo-cli tickets get 1234 --output json"
    )]
    Get(TicketIdArg),
    /// Create a ticket.
    #[command(
        after_long_help = "Examples:\n  halo-cli tickets create --summary \"Phishing report\" --details \"From InsightIDR\"\n  \
                                 halo-cli tickets create --summary \"Disk full\" --type 1 --priority 2 --team \"Service Desk\""
    )]
    Create(TicketCreateArgs),
    /// Change fields of a ticket.
    #[command(
        after_long_help = "Examples:\n  halo-cli tickets update 1234 --summary \"New title\"\n  \
                                 halo-cli tickets update 1234 --status 2 --priority 1"
    )]
    Update(TicketUpdateArgs),
    /// Close a ticket (sets the closed status, with an optional closing note).
    #[command(after_long_help = "Examples:\n  halo-cli tickets close 1234\n  \
                                 halo-cli tickets close 1234 --note \"Resolved by InsightConnect\"")]
    Close(TicketCloseArgs),
    /// Assign a ticket to an agent and/or a team.
    #[command(
        after_long_help = "Examples:\n  halo-cli tickets assign 1234 --agent 5\n  \
                                 halo-cli tickets assign 1234 --team \"Security\""
    )]
    Assign(TicketAssignArgs),
    /// Add a note (action) to a ticket.
    #[command(
        after_long_help = "Examples:\n  halo-cli tickets note 1234 --text \"Investigating\"\n  \
                                 halo-cli tickets note 1234 --text \"Internal only\" --private"
    )]
    Note(TicketNoteArgs),
    /// Delete a ticket.
    #[command(after_long_help = "Examples:\n  halo-cli tickets delete 1234 --yes")]
    Delete(TicketDeleteArgs),
    /// Create tickets from a CSV or JSON-lines file, resumable through a journal.
    #[command(
        long_about = "Create one ticket per row of a CSV file (header row: summary, details, tickettype_id, \
                      priority_id, team, agent_id, client_id, site_id, user_id, external_key) or a JSON-lines file \
                      (one object per line with the same keys).\n\nA journal file (default FILE.journal) records \
                      each row's created ticket id before the next row is sent, so a run that is interrupted \
                      resumes where it stopped and never creates a row twice. Ctrl-C stops between rows and exits \
                      130; --stop-after N stops after N rows and exits 0. A row Halo rejects (invalid value, \
                      unknown id) is reported and the run goes on; a credential, permission or connection \
                      problem stops it. A progress bar shows the rate and the ETA under the rate budget.",
        after_long_help = "Examples:\n  halo-cli tickets import new.csv --dry-run\n  \
                           halo-cli tickets import new.csv\n  \
                           halo-cli tickets import new.jsonl --journal /tmp/new.journal"
    )]
    Import(ImportArgs),
    /// Close every ticket matching a filter, resumable through a journal.
    #[command(
        long_about = "Close every ticket that matches the filters, one request per ticket under the rate \
                      budget, with a progress bar. A journal file records each closed ticket so an interrupted \
                      run resumes without redoing work.",
        after_long_help = "Examples:\n  halo-cli tickets bulk-close --filter status=1 --filter team=Spam --dry-run\n  \
                           halo-cli tickets bulk-close --filter search=\"test ticket\" --note \"cleanup\" --yes"
    )]
    BulkClose(BulkCloseArgs),
}

/// A ticket id argument.
#[derive(Debug, Args)]
pub struct TicketIdArg {
    /// Ticket id.
    pub id: u64,
}

/// `tickets list` filters.
#[derive(Debug, Args, Clone, Default)]
pub struct TicketListArgs {
    /// Only tickets with this status id.
    #[arg(long, value_name = "ID")]
    pub status: Option<u64>,
    /// Only tickets assigned to this agent id.
    #[arg(long, value_name = "ID")]
    pub agent: Option<u64>,
    /// Only tickets of this team (name).
    #[arg(long, value_name = "NAME")]
    pub team: Option<String>,
    /// Free-text search.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only open tickets.
    #[arg(long)]
    pub open_only: bool,
    /// At most this many tickets.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub limit: usize,
}

/// `tickets create` fields.
#[derive(Debug, Args)]
pub struct TicketCreateArgs {
    /// Summary (title).
    #[arg(long)]
    pub summary: String,
    /// Details (body).
    #[arg(long)]
    pub details: Option<String>,
    /// Ticket type id.
    #[arg(long = "type", value_name = "ID")]
    pub ticket_type: Option<u64>,
    /// Priority id.
    #[arg(long, value_name = "ID")]
    pub priority: Option<u64>,
    /// Team name.
    #[arg(long, value_name = "NAME")]
    pub team: Option<String>,
    /// Agent id.
    #[arg(long, value_name = "ID")]
    pub agent: Option<u64>,
    /// Client id.
    #[arg(long, value_name = "ID")]
    pub client: Option<u64>,
    /// End-user id (without --site, the user's own site is used: Halo needs one with a user).
    #[arg(long, value_name = "ID")]
    pub user: Option<u64>,
    /// Site id.
    #[arg(long, value_name = "ID")]
    pub site: Option<u64>,
}

/// `tickets update` fields (only what is given is sent).
#[derive(Debug, Args)]
pub struct TicketUpdateArgs {
    /// Ticket id.
    pub id: u64,
    /// New summary.
    #[arg(long)]
    pub summary: Option<String>,
    /// New details.
    #[arg(long)]
    pub details: Option<String>,
    /// New status id.
    #[arg(long, value_name = "ID")]
    pub status: Option<u64>,
    /// New priority id.
    #[arg(long, value_name = "ID")]
    pub priority: Option<u64>,
    /// New ticket type id.
    #[arg(long = "type", value_name = "ID")]
    pub ticket_type: Option<u64>,
}

/// `tickets close` options.
#[derive(Debug, Args)]
pub struct TicketCloseArgs {
    /// Ticket id.
    pub id: u64,
    /// Closing note.
    #[arg(long)]
    pub note: Option<String>,
    /// Status id to close with (default: the tenant's "Closed" status).
    #[arg(long, value_name = "ID")]
    pub status: Option<u64>,
}

/// `tickets assign` options.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("target").required(true).multiple(true).args(["agent", "team"]))]
pub struct TicketAssignArgs {
    /// Ticket id.
    pub id: u64,
    /// Agent id.
    #[arg(long, value_name = "ID")]
    pub agent: Option<u64>,
    /// Team name.
    #[arg(long, value_name = "NAME")]
    pub team: Option<String>,
}

/// `tickets note` options.
#[derive(Debug, Args)]
pub struct TicketNoteArgs {
    /// Ticket id.
    pub id: u64,
    /// Note text.
    #[arg(long)]
    pub text: String,
    /// Outcome (action type) name.
    #[arg(long, default_value = "Private Note")]
    pub outcome: String,
    /// Hide the note from the end user.
    #[arg(long)]
    pub private: bool,
}

/// `tickets delete` options.
#[derive(Debug, Args)]
pub struct TicketDeleteArgs {
    /// Ticket id.
    pub id: u64,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
}

/// Options shared by the bulk commands.
#[derive(Debug, Args, Clone)]
pub struct BulkArgs {
    /// Show what would be done; send nothing that changes data.
    #[arg(long)]
    pub dry_run: bool,
    /// Journal file (default: next to the input, or in the current directory for bulk-close).
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
    /// Stop after this many rows were processed in this run (the journal keeps the place for the next run).
    #[arg(long, value_name = "N")]
    pub stop_after: Option<usize>,
}

/// `tickets import` options.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV or JSON-lines file.
    pub file: PathBuf,
    /// File format (default: from the extension; .csv is CSV, anything else JSON lines).
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,
    /// Bulk options.
    #[command(flatten)]
    pub bulk: BulkArgs,
}

/// Input formats for `tickets import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// `tickets bulk-close` options.
#[derive(Debug, Args)]
pub struct BulkCloseArgs {
    /// Filter KEY=VALUE (status, agent, team, search); repeat to combine.
    #[arg(long = "filter", value_name = "KEY=VALUE", required = true)]
    pub filters: Vec<String>,
    /// Closing note added to each ticket.
    #[arg(long)]
    pub note: Option<String>,
    /// Status id to close with (default: the tenant's "Closed" status).
    #[arg(long, value_name = "ID")]
    pub status: Option<u64>,
    /// At most this many tickets.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub limit: usize,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Bulk options.
    #[command(flatten)]
    pub bulk: BulkArgs,
}

/// `lookup` options.
#[derive(Debug, Args)]
pub struct LookupArgs {
    /// What to look up.
    #[arg(value_enum)]
    pub what: LookupKind,
}

/// Lookup record kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LookupKind {
    /// Ticket statuses.
    Statuses,
    /// Ticket types.
    Types,
    /// Priorities.
    Priorities,
    /// Teams.
    Teams,
    /// Agents.
    Agents,
    /// Outcomes (action types).
    Outcomes,
    /// Custom fields.
    Fields,
    /// Clients (customers).
    Clients,
    /// Sites.
    Sites,
    /// End users.
    Users,
}

/// `raw` options.
#[derive(Debug, Args)]
pub struct RawArgs {
    /// HTTP method.
    #[arg(value_enum, ignore_case = true)]
    pub method: RawMethod,
    /// Path under the resource server, e.g. /api/Status.
    pub path: String,
    /// Query parameter KEY=VALUE; repeatable.
    #[arg(long = "query", value_name = "KEY=VALUE")]
    pub query: Vec<String>,
    /// JSON request body.
    #[arg(long, conflicts_with = "body_file")]
    pub body: Option<String>,
    /// File holding the JSON request body (`-` for stdin).
    #[arg(long, value_name = "PATH")]
    pub body_file: Option<PathBuf>,
}

/// Methods `raw` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum RawMethod {
    /// GET.
    Get,
    /// POST.
    Post,
    /// DELETE.
    Delete,
}

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a profile (interactive on a terminal, or from flags); --profile names it (default "default").
    #[command(
        long_about = "Write a connection profile to the configuration file. On a terminal, asks for anything not \
                      given as a flag. The client secret is never taken from a flag alone (it would stay in shell \
                      history): give --client-secret-file PATH (the path is stored, not the secret), \
                      --client-secret-stdin (stored in the file, which is written with mode 0600), or type it at \
                      the hidden prompt.",
        after_long_help = "Examples:\n  halo-cli config init\n  \
                           halo-cli config init --profile prod --resource-server https://acme.haloitsm.com/api \\\n      \
                           --client-id 0f1e... --client-secret-file ~/.secrets/halo-prod --default\n  \
                           printf %s \"$SECRET\" | halo-cli config init --profile ci --resource-server https://acme.haloitsm.com/api \\\n      \
                           --client-id 0f1e... --client-secret-stdin"
    )]
    Init(ConfigInitArgs),
    /// Print the configuration, secrets redacted, and where each effective value comes from.
    #[command(
        after_long_help = "Examples:\n  halo-cli config show\n  halo-cli --profile prod config show --output json"
    )]
    Show,
    /// Print the configuration file path.
    Path,
}

/// `config init` flags.
#[derive(Debug, Args)]
pub struct ConfigInitArgs {
    /// Resource server URL, e.g. https://acme.haloitsm.com/api.
    #[arg(long, value_name = "URL")]
    pub resource_server: Option<String>,
    /// Authorisation server URL (default: discovered from /api/authinfo, or <instance>/auth).
    #[arg(long, value_name = "URL")]
    pub auth_server: Option<String>,
    /// Tenant name (hosted Halo).
    #[arg(long)]
    pub tenant: Option<String>,
    /// Client id of the Halo API application.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Read the client secret from this file at run time (the path is stored, not the secret).
    #[arg(long, value_name = "PATH", conflicts_with = "client_secret_stdin")]
    pub client_secret_file: Option<PathBuf>,
    /// Read the client secret from stdin now and store it in the configuration file (mode 0600).
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// OAuth2 scope.
    #[arg(long, default_value = "all")]
    pub scope: String,
    /// Make this the default profile.
    #[arg(long)]
    pub default: bool,
    /// Replace an existing profile of the same name.
    #[arg(long)]
    pub force: bool,
    /// Never prompt, even on a terminal.
    #[arg(long)]
    pub non_interactive: bool,
}

/// `completions` options.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to generate for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_tree_is_consistent() {
        Cli::command().debug_assert();
    }
}
