//! `halo-cli doctor`: check a connection step by step (authorisation server, TLS, token, API agent, permissions,
//! clock skew, rate budget) and say for each failure what to change in Halo's API application or the connection.

use std::sync::Arc;
use std::time::Instant;

use halo_api::{CountingObserver, ErrorKind, HaloClient};
use halo_auth::{
    AuthErrorKind, ClientCredentials, ClientCredentialsConfig, DiscoverySource, TokenProvider,
};
use halo_model::NewTicket;
use serde_json::json;
use url::Url;

use super::Ctx;
use super::checks::{Report, Result as R};
use crate::cli::DoctorArgs;
use crate::exit::ExitKind;

const APP_SETTINGS: &str = "Halo > Configuration > Integrations > Halo API > View Applications";

fn api_fix(kind: ErrorKind, what: &str) -> String {
    match kind {
        ErrorKind::Forbidden => format!(
            "In {APP_SETTINGS} > (your application) > Permissions, allow {what} (or set the permissions to \"all\"), \
             and check the agent the application logs in as may {what}."
        ),
        ErrorKind::Auth => format!(
            "The token was refused by the resource server: check the application is active in {APP_SETTINGS} and \
             that the resource server URL belongs to the same tenant as the authorisation server."
        ),
        ErrorKind::NotFound => {
            "The resource server URL looks wrong: it should be https://<instance>/api.".to_string()
        }
        ErrorKind::Timeout | ErrorKind::Transport => {
            "Check the resource server URL, DNS, proxy and firewall (outbound HTTPS to the instance).".to_string()
        }
        _ => kind.assistance().to_string(),
    }
}

fn auth_fix(kind: AuthErrorKind) -> String {
    match kind {
        AuthErrorKind::CredentialsRejected => format!(
            "In {APP_SETTINGS}, check the application is active, its Authentication Method is \"Client ID and \
             Secret (Services)\", and copy its Client ID and a fresh Client Secret into the profile; hosted Halo \
             also needs the right tenant."
        ),
        AuthErrorKind::InvalidScope => format!(
            "Request a scope the application allows (\"all\" by default), or widen its permissions in {APP_SETTINGS}."
        ),
        AuthErrorKind::Unreachable | AuthErrorKind::Timeout => {
            "Check the authorisation server URL (usually https://<instance>/auth), DNS, proxy and firewall.".to_string()
        }
        AuthErrorKind::MalformedResponse => {
            "The URL answered but not like an OAuth2 token endpoint: point the authorisation server at \
             https://<instance>/auth (as /api/authinfo reports)."
                .to_string()
        }
        _ => "Fix the connection settings (`halo-cli config show`).".to_string(),
    }
}

fn instance_of(resource: &Url) -> Url {
    let mut u = resource.clone();
    let path = u
        .path()
        .trim_end_matches('/')
        .trim_end_matches("/api")
        .to_string();
    u.set_path(&path);
    u
}

/// Run `doctor`.
pub async fn run(ctx: &Ctx, args: DoctorArgs) -> anyhow::Result<ExitKind> {
    let conn = ctx.connection()?;
    let mut report = Report::default();
    let instance = instance_of(&conn.resource_server);

    // 1. Authorisation server: /api/authinfo, and the token URL forms (configured vs discovered).
    let t = Instant::now();
    let http = halo_auth::token_http_client(halo_auth::DISCOVERY_TIMEOUT)
        .map_err(|e| crate::exit::from_auth(&e))?;
    let discovered = halo_auth::discover(&http, &conn.resource_server).await;
    let (auth_server, tenant) = match (&discovered, &conn.auth_server) {
        (Ok(d), configured) => {
            let (src, fix) = match d.source {
                DiscoverySource::AuthInfo => ("/api/authinfo answered", None),
                _ => (
                    "/api/authinfo gave nothing usable; assuming <instance>/auth",
                    Some(format!(
                        "If tokens fail, set the authorisation server explicitly (see {APP_SETTINGS} > Authorisation Server)."
                    )),
                ),
            };
            let chosen = configured
                .clone()
                .unwrap_or_else(|| d.authorization_server.clone());
            let tok = |u: &Url| {
                ClientCredentialsConfig::new("x", halo_auth::SecretString::from("x"), u.clone())
                    .token_url()
                    .map(|u| u.to_string())
                    .unwrap_or_default()
            };
            let (result, detail, fix) = match configured {
                Some(c) if tok(c).split('?').next() != tok(&d.authorization_server).split('?').next() => (
                    R::Warn,
                    format!(
                        "{src}: {}; the profile uses {} (token URL {})",
                        d.authorization_server,
                        c,
                        tok(c)
                    ),
                    Some("The profile's authorisation server differs from what the instance reports; use the reported one unless you know better.".to_string()),
                ),
                // authinfo did not answer: the token URL is a guess, so the check is a warning even if it works.
                _ if d.source == DiscoverySource::Fallback => (
                    R::Warn,
                    format!("{src}: {} (token URL {})", chosen, tok(&chosen)),
                    fix,
                ),
                _ => (R::Ok, format!("{src}: {} (token URL {})", chosen, tok(&chosen)), fix),
            };
            report.add("authorisation server", t, result, detail, fix);
            (chosen, conn.tenant.clone().or(d.tenant.clone()))
        }
        (Err(e), Some(c)) => {
            report.add(
                "authorisation server",
                t,
                R::Warn,
                format!("discovery failed ({e}); using the profile's {c}"),
                None,
            );
            (c.clone(), conn.tenant.clone())
        }
        (Err(e), None) => {
            report.add(
                "authorisation server",
                t,
                R::Fail,
                e.to_string(),
                Some(auth_fix(e.kind())),
            );
            return Ok(report.finish(ctx, "doctor", json!({})));
        }
    };

    // 2. TLS.
    let t = Instant::now();
    if conn.resource_server.scheme() == "https" {
        report.add(
            "tls",
            t,
            R::Ok,
            "https; certificates are verified on every request (checked by the requests below)",
            None,
        );
    } else {
        let local = matches!(
            conn.resource_server.host_str(),
            Some("127.0.0.1" | "localhost" | "::1")
        );
        report.add(
            "tls",
            t,
            if local { R::Ok } else { R::Warn },
            format!("{} is plain http{}", conn.resource_server, if local { " (local)" } else { "" }),
            (!local).then(|| "Use the https:// URL of the instance: the token and data would cross the network in clear.".to_string()),
        );
    }

    // 3. Token (tenant, scope).
    let t = Instant::now();
    let mut cfg = ClientCredentialsConfig::new(
        conn.client_id.clone(),
        conn.client_secret.clone(),
        auth_server.clone(),
    )
    .with_scope(conn.scope.clone());
    if let Some(tn) = &tenant {
        cfg = cfg.with_tenant(tn.clone());
    }
    let tokens = match ClientCredentials::from_config(cfg) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            report.add("token", t, R::Fail, e.to_string(), Some(auth_fix(e.kind())));
            return Ok(report.finish(ctx, "doctor", json!({})));
        }
    };
    match tokens.token().await {
        Ok(tok) => report.add(
            "token",
            t,
            R::Ok,
            format!(
                "issued by {} (tenant {}, scope \"{}\", valid {} more)",
                tokens
                    .token_url()
                    .as_str()
                    .split('?')
                    .next()
                    .unwrap_or_default(),
                tenant.as_deref().unwrap_or("none"),
                conn.scope,
                tok.remaining()
                    .map(|d| format!("{} min", d.as_secs() / 60))
                    .unwrap_or_else(|| "unknown".into())
            ),
            None,
        ),
        Err(e) => {
            let mut fix = auth_fix(e.kind());
            if tenant.is_none() && e.kind() == AuthErrorKind::CredentialsRejected {
                fix.push_str(" No tenant is set: hosted (*.haloitsm.com) instances need HALO_TENANT / --tenant.");
            }
            report.add("token", t, R::Fail, e.to_string(), Some(fix));
            return Ok(report.finish(ctx, "doctor", json!({})));
        }
    }

    let observer = Arc::new(CountingObserver::default());
    let client = HaloClient::builder()
        .resource_server(conn.resource_server.clone())
        .token_provider(tokens.clone() as Arc<dyn TokenProvider>)
        .user_agent(crate::client::USER_AGENT)
        .observer(observer.clone())
        .build()
        .map_err(|e| crate::exit::from_api(&e))?;

    // 4. API agent.
    let t = Instant::now();
    match client.get_agent_me().send().await {
        Ok(a) => report.add(
            "api agent",
            t,
            R::Ok,
            format!(
                "logged in as {} (agent {})",
                a.name.as_deref().unwrap_or("?"),
                a.id
            ),
            None,
        ),
        Err(e) => report.add(
            "api agent",
            t,
            R::Fail,
            e.to_string(),
            Some(api_fix(e.kind(), "reading agents")),
        ),
    }

    // 5. Read permissions.
    let t = Instant::now();
    match client.list_tickets().max_results(1).send().await {
        Ok(v) => report.add(
            "read tickets",
            t,
            R::Ok,
            format!("{} ticket(s) on the first page", v.len()),
            None,
        ),
        Err(e) => report.add(
            "read tickets",
            t,
            R::Fail,
            e.to_string(),
            Some(api_fix(e.kind(), "reading tickets")),
        ),
    }
    let t = Instant::now();
    match client.list_statuses().send().await {
        Ok(v) => report.add(
            "read statuses",
            t,
            R::Ok,
            format!("{} statuses", v.len()),
            None,
        ),
        Err(e) => report.add(
            "read statuses",
            t,
            R::Fail,
            e.to_string(),
            Some(api_fix(e.kind(), "reading statuses (setup)")),
        ),
    }
    let t = Instant::now();
    match client.list_agents().send().await {
        Ok(v) => report.add("read agents", t, R::Ok, format!("{} agents", v.len()), None),
        Err(e) => report.add(
            "read agents",
            t,
            R::Fail,
            e.to_string(),
            Some(api_fix(e.kind(), "reading agents")),
        ),
    }

    // 6. Write permission, only when asked.
    if args.write {
        let t = Instant::now();
        let probe = NewTicket::new(format!(
            "[halo-cli doctor] write check {}",
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
        ));
        match client.create_ticket(probe).send().await {
            Ok(tk) => match client.delete_ticket(tk.id).send().await {
                Ok(()) => report.add(
                    "write tickets",
                    t,
                    R::Ok,
                    format!("created and deleted test ticket {}", tk.id),
                    None,
                ),
                Err(e) => report.add(
                    "write tickets",
                    t,
                    R::Warn,
                    format!("created test ticket {} but could not delete it: {e}", tk.id),
                    Some(api_fix(e.kind(), "deleting tickets")),
                ),
            },
            Err(e) => report.add(
                "write tickets",
                t,
                R::Fail,
                e.to_string(),
                Some(api_fix(e.kind(), "creating tickets")),
            ),
        }
    } else {
        report.skip(
            "write tickets",
            "not checked (pass --write to create and delete one test ticket)",
        );
    }

    // 7. Clock skew from the Date header.
    let t = Instant::now();
    match client
        .raw(http::Method::GET, "/Status", vec![], None)
        .send()
        .await
    {
        Ok(resp) => {
            let date = resp
                .headers
                .get(http::header::DATE)
                .and_then(|v| v.to_str().ok())
                .and_then(|s| chrono::DateTime::parse_from_rfc2822(s).ok());
            match date {
                Some(d) => {
                    let secs = (d.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
                    let (result, fix) = classify_skew(secs);
                    report.add(
                        "clock skew",
                        t,
                        result,
                        format!("server clock is {secs:+} s from this machine's"),
                        fix,
                    );
                }
                None => report.add(
                    "clock skew",
                    t,
                    R::Warn,
                    "the server sent no usable Date header",
                    None,
                ),
            }
            // Halo documents no rate-limit headers; report them if a proxy or a future version sends some.
            let header = [
                "x-ratelimit-remaining",
                "ratelimit-remaining",
                "x-rate-limit-remaining",
            ]
            .iter()
            .find_map(|h| {
                resp.headers
                    .get(*h)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| format!("{h}: {v}"))
            });
            let t = Instant::now();
            let rl = client.rate_limit();
            let used = observer.attempts();
            let limited = observer.rate_limited();
            let detail = format!(
                "{}; client budget {}/{} s, this run used {used} request(s), {limited} answered 429{}",
                header.unwrap_or_else(|| "Halo sent no rate-limit header".into()),
                rl.requests(),
                rl.per().as_secs(),
                client
                    .rate_limit_pause()
                    .map(|p| format!(", paused {} s", p.as_secs()))
                    .unwrap_or_default()
            );
            let (result, fix) = if limited > 0 {
                (R::Warn, Some("The tenant is already rate limiting: another integration may be using the budget; spread its polling or ask Halo to raise the limit.".to_string()))
            } else {
                (R::Ok, None)
            };
            report.add("rate budget", t, result, detail, fix);
        }
        Err(e) => {
            report.add(
                "clock skew",
                t,
                R::Fail,
                e.to_string(),
                Some(api_fix(e.kind(), "reading statuses")),
            );
            report.skip("rate budget", "no response to read");
        }
    }
    Ok(report.finish(
        ctx,
        "doctor",
        json!({
            "resource_server": conn.resource_server.as_str(),
            "instance": instance.as_str(),
            "profile": conn.profile,
            "sources": conn.sources.iter().map(|(k, v)| (k.to_string(), json!(v.to_string()))).collect::<serde_json::Map<_, _>>(),
        }),
    ))
}

/// Skew verdict: over 5 minutes breaks token expiry and incremental sync windows; over 30 s is worth fixing.
/// (The Date header has one-second resolution, so small values are noise.)
fn classify_skew(secs: i64) -> (R, Option<String>) {
    if secs.abs() > 300 {
        (
            R::Fail,
            Some("Synchronise this machine's clock (NTP): token expiry and incremental sync depend on it.".to_string()),
        )
    } else if secs.abs() > 30 {
        (
            R::Warn,
            Some("Synchronise this machine's clock (NTP).".to_string()),
        )
    } else {
        (R::Ok, None)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn skew_thresholds() {
        assert_eq!(classify_skew(2).0, R::Ok);
        assert_eq!(classify_skew(-31).0, R::Warn);
        let (r, fix) = classify_skew(600);
        assert_eq!(r, R::Fail);
        assert!(fix.unwrap().contains("NTP"));
    }

    #[test]
    fn instance_strips_the_api_suffix() {
        let u: Url = "https://acme.haloitsm.com/api".parse().unwrap();
        assert_eq!(instance_of(&u).as_str(), "https://acme.haloitsm.com/");
    }
}
