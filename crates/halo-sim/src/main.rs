//! `halo-sim`: run a simulated HaloITSM tenant on a local port and print its URLs and credentials.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;
use halo_sim::{FaultProfile, RateLimitConfig, Seed, SimConfig, SimServer, WebhookConfig};

/// A faithful local HaloITSM tenant (authorisation + resource server) with fault injection.
#[derive(Debug, Parser)]
#[command(name = "halo-sim", version)]
struct Args {
    /// Listen address as IP:PORT or HOST:PORT (a host name is resolved and its first address used; port 0
    /// picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_parser = parse_addr)]
    addr: SocketAddr,
    /// Hosted tenant name (required as ?tenant= on the token URL). Use --self-hosted for none.
    #[arg(long, default_value = "demo")]
    tenant: String,
    /// Self-hosted mode: the token endpoint takes no tenant.
    #[arg(long)]
    self_hosted: bool,
    /// Client id of the API application (default: generated).
    #[arg(long, env = "HALO_SIM_CLIENT_ID")]
    client_id: Option<String>,
    /// Client secret of the API application (default: generated).
    #[arg(long, env = "HALO_SIM_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
    /// Rate limit as N/SECS (e.g. 300/300, Halo's default) or `off`.
    #[arg(long, default_value = "300/300")]
    rate_limit: String,
    /// Add Retry-After to 429 responses.
    #[arg(long)]
    retry_after: bool,
    /// JSON seed file replacing the default tenant's data.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Fault profile: none, flaky, slow, lossy, chaos.
    #[arg(long, default_value = "none")]
    faults: String,
    /// POST webhook deliveries to this URL.
    #[arg(long)]
    webhook_url: Option<url::Url>,
    /// Basic-auth user for webhook deliveries.
    #[arg(long, requires = "webhook_url")]
    webhook_user: Option<String>,
    /// Basic-auth password for webhook deliveries.
    #[arg(
        long,
        requires = "webhook_user",
        env = "HALO_SIM_WEBHOOK_PASSWORD",
        hide_env_values = true
    )]
    webhook_password: Option<String>,
    /// Do not serve the /_sim admin routes.
    #[arg(long)]
    no_admin: bool,
    /// Print the connection details as one JSON line.
    #[arg(long)]
    json: bool,
    /// Serve HTTPS with a self-signed certificate generated at start; with `--cert-out FILE` its PEM is written
    /// there (point `SSL_CERT_FILE` at it to trust it, or test that clients refuse it)
    #[arg(long)]
    tls: bool,
    /// Where to write the generated certificate (PEM) with `--tls`
    #[arg(long, requires = "tls")]
    cert_out: Option<std::path::PathBuf>,
}

/// `--addr`: an `IP:PORT` as is, else `HOST:PORT` resolved (the first address wins).
fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let usage = "use HOST:PORT, e.g. 127.0.0.1:8080 or localhost:8080 (port 0 picks a free port)";
    let Some((host, port)) = s.rsplit_once(':') else {
        return Err(format!("'{s}' has no port; {usage}"));
    };
    if host.is_empty() {
        return Err(format!("'{s}' has no host; {usage}"));
    }
    if port.parse::<u16>().is_err() {
        return Err(format!("'{port}' is not a port number (0-65535); {usage}"));
    }
    let mut addrs = s
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve '{host}': {e}; {usage}"))?;
    addrs
        .next()
        .ok_or_else(|| format!("'{host}' resolves to no address; {usage}"))
}

fn parse_rate_limit(s: &str, retry_after: bool) -> Result<Option<RateLimitConfig>> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let Some((n, secs)) = s.split_once('/') else {
        bail!("--rate-limit must be N/SECS (e.g. 300/300) or off; got '{s}'");
    };
    let n: u32 = n
        .trim()
        .parse()
        .with_context(|| format!("--rate-limit: '{n}' is not a request count"))?;
    let secs: f64 = secs
        .trim()
        .parse()
        .with_context(|| format!("--rate-limit: '{secs}' is not a number of seconds"))?;
    if !(secs > 0.0 && secs.is_finite()) {
        bail!("--rate-limit: the window must be more than 0 seconds");
    }
    let window = Duration::try_from_secs_f64(secs)
        .map_err(|_| anyhow::anyhow!("--rate-limit: window '{secs}' seconds is out of range"))?;
    Ok(Some(
        RateLimitConfig::new(n, window).with_retry_after(retry_after),
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let mut cfg = SimConfig::default()
        .with_addr(args.addr)
        .with_admin_routes(!args.no_admin);
    cfg = if args.self_hosted {
        cfg.self_hosted()
    } else {
        cfg.with_tenant(&args.tenant)
    };
    if let Some(id) = args.client_id {
        cfg.client_id = id;
    }
    if let Some(secret) = args.client_secret {
        cfg.client_secret = secret;
    }
    cfg = cfg
        .with_token_ttl(Duration::from_secs(args.token_ttl))
        .with_rate_limit(parse_rate_limit(&args.rate_limit, args.retry_after)?)
        .with_faults(
            args.faults
                .parse::<FaultProfile>()
                .map_err(anyhow::Error::msg)?,
        );
    if let Some(path) = &args.seed {
        cfg = cfg.with_seed(Seed::from_file(path)?);
    }
    if let Some(url) = args.webhook_url {
        let mut wh = WebhookConfig::new(url);
        if let Some(user) = args.webhook_user {
            wh = wh.with_basic_auth(user, args.webhook_password.unwrap_or_default());
        }
        cfg = cfg.with_webhook(wh);
    }
    cfg = cfg.with_tls(args.tls);
    let sim = SimServer::start(cfg).await?;
    if let (Some(path), Some(pem)) = (&args.cert_out, sim.tls_certificate_pem()) {
        std::fs::write(path, pem)
            .with_context(|| format!("writing the certificate to {}", path.display()))?;
    }
    if args.json {
        let line = serde_json::json!({
            "base_url": sim.base_url().as_str(),
            "resource_server": sim.resource_server_url().as_str(),
            "authorization_server": sim.authorization_server_url().as_str(),
            "token_url": sim.token_url().as_str(),
            "tenant": sim.tenant(),
            "client_id": sim.client_id(),
            "client_secret": sim.client_secret(),
            "username": sim.username(),
            "password": sim.password(),
            "tls_certificate_file": args.cert_out.as_ref().map(|p| p.display().to_string()),
        });
        println!("{line}");
    } else {
        println!("halo-sim listening on {}", sim.addr());
        println!("  resource server:      {}", sim.resource_server_url());
        println!("  authorisation server: {}", sim.authorization_server_url());
        println!("  token URL:            {}", sim.token_url());
        println!(
            "  tenant:               {}",
            sim.tenant().unwrap_or("(self-hosted)")
        );
        println!("  client id:            {}", sim.client_id());
        println!("  client secret:        {}", sim.client_secret());
        println!(
            "  password grant:       {} / {}",
            sim.username(),
            sim.password()
        );
        if !args.no_admin {
            println!(
                "  admin:                {}_sim/{{journal,faults,revoke,clock,ratelimit,tickets,webhooks}}",
                sim.base_url()
            );
        }
        if let Some(path) = &args.cert_out {
            println!("  TLS certificate:      {}", path.display());
        }
        println!("Ctrl-C to stop.");
    }
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    sim.shutdown().await;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::parse_addr;

    #[test]
    fn addr_takes_ip_and_port_as_is() {
        assert_eq!(
            parse_addr("127.0.0.1:8080").unwrap().to_string(),
            "127.0.0.1:8080"
        );
        assert_eq!(parse_addr("[::1]:0").unwrap().to_string(), "[::1]:0");
    }

    #[test]
    fn addr_resolves_a_host_name_to_a_loopback_address() {
        let addr = parse_addr("localhost:8080").unwrap();
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_eq!(addr.port(), 8080);
    }

    #[test]
    fn addr_without_a_port_or_with_a_bad_one_says_how_to_write_it() {
        for bad in ["localhost", "localhost:http", "localhost:70000", ":8080"] {
            let err = parse_addr(bad).unwrap_err();
            assert!(err.contains("HOST:PORT"), "{bad}: {err}");
        }
    }
}
