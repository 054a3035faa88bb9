//! Output conventions: tables for people, one stable JSON document for scripts, and colour rules.
//!
//! JSON shape (stdout, one document per command):
//! `{"command": "<command path>", "ok": <bool>, "data": <command-specific value>}`.
//! Errors with `--output json` go to stderr as `{"ok": false, "error": {"kind", "exit_code", "cause",
//! "assistance", "data"}}`. Field names only ever get added, never renamed or removed.

use std::io::{IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::Value;

use crate::cli::{GlobalArgs, OutputFormat};
use crate::exit::CliError;

/// How a command prints.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// Table or JSON.
    pub format: OutputFormat,
    /// Suppress progress and informational lines.
    pub quiet: bool,
    /// Colour on stdout.
    pub color: bool,
    /// Whether stdout is a terminal.
    pub stdout_tty: bool,
    /// Whether stderr is a terminal (progress bars only draw there).
    pub stderr_tty: bool,
}

/// NO_COLOR (any non-empty value) disables colour, as does `TERM=dumb`.
pub fn color_allowed() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    !no_color && !dumb
}

impl Out {
    /// Decide from the flags and the environment.
    pub fn from_global(g: &GlobalArgs) -> Self {
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let color = stdout_tty && color_allowed();
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(stderr_tty && color_allowed());
        Out {
            format: g.output,
            quiet: g.quiet,
            color,
            stdout_tty,
            stderr_tty,
        }
    }

    /// Whether JSON was asked for.
    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// Print the result of a command: `table` in table mode, the JSON envelope in JSON mode.
    pub fn emit(&self, command: &str, ok: bool, data: Value, table: impl FnOnce() -> String) {
        let text = match self.format {
            OutputFormat::Json => {
                let doc = serde_json::json!({ "command": command, "ok": ok, "data": data });
                serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into())
            }
            OutputFormat::Table => table(),
        };
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting.
        let _ = writeln!(stdout, "{}", text.trim_end_matches('\n'));
    }

    /// An informational line on stderr (not in quiet mode).
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// A new table in the house style.
    pub fn table(&self, headers: &[&str]) -> Table {
        let mut t = Table::new();
        if self.stdout_tty {
            t.load_style(presets::UTF8_FULL_CONDENSED);
            if let Some((_, w)) = console::Term::stdout().size_checked() {
                t.set_width(w);
            }
            t.set_content_arrangement(ContentArrangement::Dynamic);
        } else {
            // Pipes and files get plain ASCII that pastes into tickets and Markdown.
            t.load_style(presets::ASCII_MARKDOWN);
        }
        t.set_header(headers.iter().copied());
        t
    }

    /// Colour a PASS/FAIL/SKIP word for a terminal.
    pub fn verdict(&self, word: &str) -> String {
        let style = match word {
            "pass" | "ok" => console::Style::new().green(),
            "fail" => console::Style::new().red().bold(),
            _ => console::Style::new().yellow(),
        };
        if self.color {
            style.apply_to(word).to_string()
        } else {
            word.to_string()
        }
    }

    /// A summary line, green when it passed and red when not (terminals only).
    pub fn verdict_line(&self, line: &str, ok: bool) -> String {
        if !self.color {
            return line.to_string();
        }
        let style = if ok {
            console::Style::new().green().bold()
        } else {
            console::Style::new().red().bold()
        };
        style.apply_to(line).to_string()
    }

    /// Print an error on stderr: JSON in JSON mode, `error: cause` + `hint: assistance` otherwise.
    pub fn error(&self, e: &CliError) {
        if self.json() {
            eprintln!(
                "{}",
                serde_json::to_string(&e.to_json()).unwrap_or_else(|_| "{}".into())
            );
            return;
        }
        let (err, hint) = if console::colors_enabled_stderr() {
            (
                console::style("error:").red().bold().to_string(),
                console::style("assistance:").cyan().to_string(),
            )
        } else {
            ("error:".to_string(), "assistance:".to_string())
        };
        eprintln!("{err} {}", e.cause);
        eprintln!("{hint} {}", e.assistance);
        if let Some(d) = &e.data {
            eprintln!("response: {d}");
        }
    }
}

/// Render a milliseconds figure for tables.
pub fn ms(d: std::time::Duration) -> String {
    format!("{} ms", d.as_millis())
}
