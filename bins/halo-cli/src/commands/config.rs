//! `halo-cli config init|show|path`: write a profile (prompting on a terminal) and show the effective settings
//! with secrets redacted.

use std::io::{IsTerminal, Read};

use secrecy::SecretString;
use serde_json::{Value, json};

use super::Ctx;
use crate::cli::{ConfigCommand, ConfigInitArgs};
use crate::config::{self as cfg, Profile, REDACTED, Source, StoredSecret, env};
use crate::exit::{CliError, ExitKind};

/// Run a `config` subcommand.
pub async fn run(ctx: &Ctx, cmd: ConfigCommand) -> anyhow::Result<ExitKind> {
    match cmd {
        ConfigCommand::Init(a) => init(ctx, a),
        ConfigCommand::Show => show(ctx),
        ConfigCommand::Path => {
            let path = ctx.config_path()?;
            ctx.out.emit(
                "config path",
                true,
                json!({ "path": path.display().to_string(), "exists": path.exists() }),
                || path.display().to_string(),
            );
            Ok(ExitKind::Ok)
        }
    }
}

fn init(ctx: &Ctx, mut a: ConfigInitArgs) -> anyhow::Result<ExitKind> {
    let path = ctx.config_path()?;
    let mut file = cfg::load(&path)?;
    let name = ctx
        .global
        .profile
        .clone()
        .unwrap_or_else(|| "default".into());
    if file.profiles.contains_key(&name) && !a.force {
        return Err(CliError::usage(
            format!(
                "The profile \"{name}\" already exists in {}.",
                path.display()
            ),
            "Pass --force to replace it, or choose another name with --profile.",
        )
        .into());
    }
    let interactive =
        !a.non_interactive && std::io::stdin().is_terminal() && !a.client_secret_stdin;
    let mut secret: Option<SecretString> = None;
    if a.client_secret_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| {
            CliError::usage(
                format!("The client secret could not be read from stdin: {e}."),
                "Pipe the secret in, e.g. `printf %s \"$SECRET\" | halo-cli config init ... --client-secret-stdin`.",
            )
        })?;
        let s = s.trim_end_matches(['\r', '\n']).to_string();
        if s.is_empty() {
            return Err(CliError::usage(
                "stdin was empty: no client secret was given.",
                "Pipe the secret in, e.g. `printf %s \"$SECRET\" | halo-cli config init ... --client-secret-stdin`.",
            )
            .into());
        }
        secret = Some(SecretString::from(s));
    }
    if interactive {
        prompt_missing(&mut a, &mut secret)?;
    }

    let mut missing = Vec::new();
    if a.resource_server.is_none() {
        missing.push("--resource-server URL");
    }
    if a.client_id.is_none() {
        missing.push("--client-id ID");
    }
    if secret.is_none() && a.client_secret_file.is_none() {
        missing.push("--client-secret-file PATH or --client-secret-stdin");
    }
    if !missing.is_empty() {
        return Err(CliError::usage(
            format!("Not enough to write a profile: missing {}.", missing.join(", ")),
            "Give the missing flags, or run `halo-cli config init` on a terminal to be asked for them.",
        )
        .into());
    }
    // Validate now rather than at first use.
    let resource = cfg::resource_url(a.resource_server.as_deref().unwrap_or_default())?;
    let auth = a
        .auth_server
        .as_deref()
        .map(|u| cfg::parse_url(u, "authorisation server"))
        .transpose()?;
    if let Some(f) = &a.client_secret_file {
        cfg::read_secret_file(f)?;
    }

    let profile = Profile {
        resource_server: Some(resource.to_string()),
        auth_server: auth.map(|u| u.to_string()),
        tenant: a.tenant.filter(|t| !t.trim().is_empty()),
        client_id: a.client_id,
        client_secret_file: a.client_secret_file,
        client_secret: secret.map(StoredSecret),
        scope: (a.scope != "all").then_some(a.scope),
    };
    file.profiles.insert(name.clone(), profile);
    let make_default = a.default || file.default_profile.is_none();
    if make_default {
        file.default_profile = Some(name.clone());
    }
    cfg::save(&path, &file)?;
    ctx.out.emit(
        "config init",
        true,
        json!({ "path": path.display().to_string(), "profile": name, "default": make_default }),
        || {
            format!(
                "Wrote profile \"{name}\" to {}{}.\nCheck it with: halo-cli --profile {name} doctor",
                path.display(),
                if make_default { " (default)" } else { "" }
            )
        },
    );
    Ok(ExitKind::Ok)
}

fn prompt_missing(
    a: &mut ConfigInitArgs,
    secret: &mut Option<SecretString>,
) -> Result<(), CliError> {
    let term = console::Term::stderr();
    let io = |e: std::io::Error| {
        CliError::usage(
            format!("The prompt could not read from the terminal: {e}."),
            "Give the values as flags with --non-interactive.",
        )
    };
    let ask = |label: &str| -> Result<Option<String>, CliError> {
        term.write_str(label).map_err(io)?;
        let v = term.read_line().map_err(io)?;
        Ok(Some(v.trim().to_string()).filter(|v| !v.is_empty()))
    };
    if a.resource_server.is_none() {
        a.resource_server = ask("Resource server URL (e.g. https://acme.haloitsm.com/api): ")?;
    }
    if a.auth_server.is_none() {
        a.auth_server = ask("Authorisation server URL (empty: discover): ")?;
    }
    if a.tenant.is_none() {
        a.tenant = ask("Tenant (hosted Halo; empty if none): ")?;
    }
    if a.client_id.is_none() {
        a.client_id = ask("Client id: ")?;
    }
    if secret.is_none() && a.client_secret_file.is_none() {
        term.write_str("Client secret (hidden; stored in the 0600 config file): ")
            .map_err(io)?;
        let s = term.read_secure_line().map_err(io)?;
        if !s.is_empty() {
            *secret = Some(SecretString::from(s));
        }
    }
    Ok(())
}

fn redacted_profile(p: &Profile) -> Value {
    json!({
        "resource_server": p.resource_server,
        "auth_server": p.auth_server,
        "tenant": p.tenant,
        "client_id": p.client_id,
        "client_secret_file": p.client_secret_file.as_ref().map(|f| f.display().to_string()),
        "client_secret": p.client_secret.as_ref().map(|_| REDACTED),
        "scope": p.scope,
    })
}

fn show(ctx: &Ctx) -> anyhow::Result<ExitKind> {
    let path = ctx.config_path()?;
    let file = cfg::load(&path)?;
    let selected = cfg::select_profile(&file, ctx.global.profile.as_deref(), &path)?;
    let getenv = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let pname = selected.map(|(n, _)| n.to_string());
    let p = selected.map(|(_, p)| p.clone()).unwrap_or_default();
    let from_profile = || Source::Profile(pname.clone().unwrap_or_default());

    // (field, shown value, source): the secret is only ever shown as present or absent.
    let mut rows: Vec<(&str, Option<String>, Option<Source>)> = Vec::new();
    for (field, var, val) in [
        ("resource_server", env::RESOURCE_SERVER, &p.resource_server),
        ("auth_server", env::AUTH_SERVER, &p.auth_server),
        ("tenant", env::TENANT, &p.tenant),
        ("client_id", env::CLIENT_ID, &p.client_id),
    ] {
        let row = match (getenv(var), val) {
            (Some(v), _) => (field, Some(v), Some(Source::Env(var.into()))),
            (None, Some(v)) => (field, Some(v.clone()), Some(from_profile())),
            (None, None) => (field, None, None),
        };
        rows.push(row);
    }
    let secret_source = if getenv(env::CLIENT_SECRET).is_some() {
        Some(Source::Env(env::CLIENT_SECRET.into()))
    } else if getenv(env::CLIENT_SECRET_FILE).is_some() {
        Some(Source::Env(env::CLIENT_SECRET_FILE.into()))
    } else if let Some(f) = &p.client_secret_file {
        Some(Source::File(f.display().to_string()))
    } else if p.client_secret.is_some() {
        Some(from_profile())
    } else {
        None
    };
    rows.push((
        "client_secret",
        secret_source.as_ref().map(|_| REDACTED.to_string()),
        secret_source,
    ));
    rows.push((
        "scope",
        Some(p.scope.clone().unwrap_or_else(|| "all".into())),
        Some(if p.scope.is_some() {
            from_profile()
        } else {
            Source::Default
        }),
    ));
    let problem = cfg::resolve(selected, &|k| std::env::var(k).ok())
        .err()
        .map(|e| e.to_string());

    let effective: serde_json::Map<String, Value> = rows
        .iter()
        .map(|(f, v, s)| {
            (
                f.to_string(),
                json!({ "value": v, "source": s.as_ref().map(|s| s.to_string()) }),
            )
        })
        .collect();
    let profiles: serde_json::Map<String, Value> = file
        .profiles
        .iter()
        .map(|(n, p)| (n.clone(), redacted_profile(p)))
        .collect();
    let data = json!({
        "path": path.display().to_string(),
        "exists": path.exists(),
        "default_profile": file.default_profile,
        "selected_profile": pname,
        "profiles": profiles,
        "effective": effective,
        "complete": problem.is_none(),
        "problem": problem,
    });
    ctx.out.emit("config show", true, data, || {
        let mut t = ctx.out.table(&["field", "value", "source"]);
        for (f, v, s) in &rows {
            t.add_row(vec![
                f.to_string(),
                v.clone().unwrap_or_else(|| "(not set)".into()),
                s.as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
        let names: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
        format!(
            "config file: {}{}\nprofile: {}   profiles: {}\n{t}\n{}",
            path.display(),
            if path.exists() {
                ""
            } else {
                " (not written yet)"
            },
            pname.as_deref().unwrap_or("(none)"),
            if names.is_empty() {
                "(none)".into()
            } else {
                names.join(", ")
            },
            match &problem {
                None => "connection: complete".to_string(),
                Some(p) => format!("connection: incomplete: {p}"),
            }
        )
    });
    Ok(ExitKind::Ok)
}
