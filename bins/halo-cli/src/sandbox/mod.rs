//! `halo-cli sandbox`: start halo-sim in-process, run the functional checklist through the plugin's real code
//! paths, print a table and a one-line summary; exit 0 only if every step passed. `--keep` leaves the tenant
//! running and prints the environment that points the other commands at it (the secret goes into a 0600 file,
//! never onto the terminal).

mod checklist;
mod plugin;

use std::path::PathBuf;

use halo_sim::{SimConfig, SimServer};
use haloitsm_plugin::triggers::workspace::WORKSPACE_ENV;
use serde_json::{Value, json};

use crate::cli::SandboxArgs;
use crate::commands::Ctx;
use crate::exit::{CliError, ExitKind};
use checklist::{Checklist, StepReport, Verdict};
use plugin::Plugin;

/// Run `sandbox`.
pub async fn run(ctx: &Ctx, args: SandboxArgs) -> anyhow::Result<ExitKind> {
    // The plugin's triggers keep their state under $HALO_PLUGIN_WORKSPACE (default /workspace, the orchestrator's
    // volume). The process environment cannot be changed safely once threads run, so the sandbox re-runs itself
    // with a private workspace when none is set.
    if std::env::var_os(WORKSPACE_ENV).is_none() {
        return rerun_with_workspace().await;
    }

    let sim = SimServer::start(SimConfig::default()).await.map_err(|e| {
        CliError::new(
            ExitKind::Failure,
            format!("The simulated tenant could not start: {e}."),
            "Check that this machine allows listening on 127.0.0.1.",
        )
    })?;
    let mut connection = json!({
        "client_id": sim.client_id(),
        "client_secret": {"secretKey": sim.client_secret()},
        "authorization_server": sim.authorization_server_url().as_str(),
        "resource_server": sim.resource_server_url().as_str(),
    });
    if let Some(t) = sim.tenant() {
        connection["tenant"] = json!(t);
    }
    let plugin = Plugin::new(connection);
    ctx.out.info(format!(
        "Simulated tenant at {} — running the checklist through the plugin's actions and triggers…",
        sim.base_url()
    ));
    let out = ctx.out;
    let progress = move |r: &StepReport| {
        if !out.quiet && !out.json() && out.stderr_tty {
            eprintln!("  {:<32} {}", r.name, out.verdict(r.verdict.as_str()));
        }
    };
    let reports = Checklist::new(&sim, &plugin, &progress).run().await;

    let passed = reports
        .iter()
        .filter(|r| r.verdict == Verdict::Pass)
        .count();
    let failed = reports
        .iter()
        .filter(|r| r.verdict == Verdict::Fail)
        .count();
    let unavailable = reports
        .iter()
        .filter(|r| r.verdict == Verdict::NotAvailable)
        .count();
    let all_ok = passed == reports.len();
    let total_ms: u128 = reports.iter().map(|r| r.elapsed.as_millis()).sum();
    let summary = format!(
        "{}: {passed}/{} steps passed, {failed} failed, {unavailable} not available ({total_ms} ms)",
        if all_ok { "PASS" } else { "FAIL" },
        reports.len()
    );

    let keep = if args.keep {
        Some(write_keep_env(&sim)?)
    } else {
        None
    };
    let steps: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "step": r.name,
                "result": r.verdict.as_str(),
                "ms": r.elapsed.as_millis() as u64,
                "detail": r.detail,
            })
        })
        .collect();
    let mut data = json!({
        "steps": steps,
        "passed": passed,
        "failed": failed,
        "not_available": unavailable,
        "summary": summary,
    });
    if let Some((env, _)) = &keep {
        data["keep"] = json!({ "env": env });
    }
    ctx.out.emit("sandbox", all_ok, data, || {
        let mut t = ctx.out.table(&["step", "result", "time", "detail"]);
        for r in &reports {
            t.add_row(vec![
                r.name.to_string(),
                r.verdict.as_str().to_string(),
                crate::output::ms(r.elapsed),
                r.detail.clone(),
            ]);
        }
        // Colour only outside the table: escape codes would skew its column widths.
        format!("{t}\n{}", ctx.out.verdict_line(&summary, all_ok))
    });

    if let Some((env, file)) = keep {
        let lines: Vec<String> = env
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("export {k}={}", v.as_str().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        eprintln!(
            "\nThe simulated tenant keeps running. In another shell:\n\n{}\n\n  halo-cli lookup statuses\n\n\
             (the client secret is in {}, mode 0600). Press Ctrl-C to stop.",
            lines.join("\n"),
            file.display()
        );
        let _ = tokio::signal::ctrl_c().await;
        let _ = std::fs::remove_file(&file);
        sim.shutdown().await;
    }
    Ok(if all_ok {
        ExitKind::Ok
    } else {
        ExitKind::Failure
    })
}

/// The variables for `--keep`, and the secret file they name.
fn write_keep_env(sim: &halo_sim::SimHandle) -> Result<(Value, PathBuf), CliError> {
    let file = secret_path(std::process::id());
    write_private(&file, sim.client_secret()).map_err(|e| {
        CliError::new(
            ExitKind::Failure,
            format!(
                "The sandbox secret file {} could not be written: {e}.",
                file.display()
            ),
            "Check that the temporary directory is writable (TMPDIR).",
        )
    })?;
    let mut env = json!({
        "HALO_RESOURCE_SERVER": sim.resource_server_url().as_str(),
        "HALO_AUTH_SERVER": sim.authorization_server_url().as_str(),
        "HALO_CLIENT_ID": sim.client_id(),
        "HALO_CLIENT_SECRET_FILE": file.display().to_string(),
    });
    if let Some(t) = sim.tenant() {
        env["HALO_TENANT"] = json!(t);
    }
    Ok((env, file))
}

fn secret_path(pid: u32) -> PathBuf {
    std::env::temp_dir().join(format!("halo-cli-sandbox-{pid}.secret"))
}

fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}

async fn rerun_with_workspace() -> anyhow::Result<ExitKind> {
    let dir = tempfile::Builder::new()
        .prefix("halo-cli-sandbox-")
        .tempdir()
        .map_err(|e| {
            CliError::new(
                ExitKind::Failure,
                format!("No temporary directory for the plugin's trigger state: {e}."),
                format!("Set {WORKSPACE_ENV} to a writable directory, or fix TMPDIR."),
            )
        })?;
    let exe = std::env::current_exe().map_err(|e| {
        CliError::new(
            ExitKind::Failure,
            format!("The sandbox could not find its own executable: {e}."),
            format!("Set {WORKSPACE_ENV} to a writable directory and run it again."),
        )
    })?;
    let mut child = tokio::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(WORKSPACE_ENV, dir.path())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            CliError::new(
                ExitKind::Failure,
                format!("The sandbox could not start: {e}."),
                format!("Set {WORKSPACE_ENV} to a writable directory and run it again."),
            )
        })?;
    let child_pid = child.id();
    let status = tokio::select! {
        s = child.wait() => s,
        _ = tokio::signal::ctrl_c() => {
            // A terminal's Ctrl-C reaches the child too; give it time to stop its tenant and remove its secret file.
            match tokio::time::timeout(std::time::Duration::from_secs(5), child.wait()).await {
                Ok(s) => s,
                Err(_) => {
                    let _ = child.kill().await;
                    if let Some(pid) = child_pid {
                        let _ = std::fs::remove_file(secret_path(pid));
                    }
                    child.wait().await
                }
            }
        }
    }
    .map_err(|e| {
        CliError::new(
            ExitKind::Failure,
            format!("The sandbox process could not be waited for: {e}."),
            "Run it again.",
        )
    })?;
    Ok(match status.code() {
        Some(0) => ExitKind::Ok,
        Some(2) => ExitKind::Usage,
        _ => ExitKind::Failure,
    })
}
