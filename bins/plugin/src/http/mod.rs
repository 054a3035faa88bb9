//! `http` mode: the runtime's REST API (legacy `/` and `/api/v1` routes) served by axum from one
//! process, with one shared Halo client per connection configuration and graceful shutdown.

pub mod body;
mod flask;
mod routes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use serde_json::Value;
use tokio::sync::Notify;

use crate::connection::Connections;

/// Options of `http` (the runtime's gunicorn options; only `bind`, port and graceful timeout matter here).
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Address to bind (`0.0.0.0:<port>` unless `GUNICORN_CONFIG_FILE` says otherwise).
    pub bind: String,
    /// Seconds to let in-flight work finish after SIGTERM.
    pub graceful_timeout: Duration,
    /// Reported by `/info` and `/workers`.
    pub workers: usize,
    /// Reported by `/info`.
    pub threads: usize,
}

/// Shared server state.
pub struct AppState {
    pub(crate) connections: Connections,
    pub(crate) shutting_down: AtomicBool,
    pub(crate) active: AtomicUsize,
    pub(crate) idle: Notify,
    pub(crate) shutdown_requested: Notify,
    pub(crate) options: HttpOptions,
}

impl AppState {
    /// Starts shutdown: new work gets 503, in-flight work finishes.
    pub(crate) fn begin_shutdown(&self) {
        if !self.shutting_down.swap(true, Ordering::SeqCst) {
            tracing::info!("Shutdown initiated; no new work is accepted");
            self.shutdown_requested.notify_waiters();
            self.shutdown_requested.notify_one();
        }
    }
}

/// Work guard: counts active steps so shutdown can wait for them.
pub(crate) struct WorkGuard<'a>(&'a AppState);

impl<'a> WorkGuard<'a> {
    pub(crate) fn new(state: &'a AppState) -> Self {
        state.active.fetch_add(1, Ordering::SeqCst);
        Self(state)
    }
}

impl Drop for WorkGuard<'_> {
    fn drop(&mut self) {
        if self.0.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// The bind address: `GUNICORN_CONFIG_FILE`'s `bind` (string or first of a list) wins over `--port`.
pub fn resolve_bind(port: u16) -> anyhow::Result<String> {
    if let Ok(path) = std::env::var("GUNICORN_CONFIG_FILE") {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading GUNICORN_CONFIG_FILE {path}"))?;
        let cfg: Value = serde_json::from_str(&text)
            .with_context(|| format!("GUNICORN_CONFIG_FILE {path} is not JSON"))?;
        let bind = match cfg.get("bind") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_string),
            _ => None,
        };
        if let Some(b) = bind {
            return Ok(b);
        }
    }
    Ok(format!("0.0.0.0:{port}"))
}

/// The socket address for a bind string: `ip:port`, or `host:port` with a host name (resolved; the first
/// address wins). gunicorn's `unix:PATH` and `fd://N` binds are refused with what to use instead.
pub async fn bind_addr(bind: &str) -> anyhow::Result<SocketAddr> {
    let bind = bind.trim();
    if bind.starts_with("unix:") || bind.starts_with("fd://") {
        anyhow::bail!(
            "bind address '{bind}' is not supported (the plugin listens on TCP only); use host:port, \
             for example 0.0.0.0:10001, in GUNICORN_CONFIG_FILE's bind"
        );
    }
    if let Ok(addr) = bind.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let has_port = bind
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if !has_port {
        anyhow::bail!(
            "bind address '{bind}' is not host:port; use for example 0.0.0.0:10001 or localhost:10001"
        );
    }
    let mut addrs = tokio::net::lookup_host(bind)
        .await
        .with_context(|| format!("could not resolve the host of bind address '{bind}'"))?;
    addrs.next().with_context(|| {
        format!(
            "the host of bind address '{bind}' resolved to no address; use an IP address and port"
        )
    })
}

/// Serves until SIGTERM/SIGINT (or `POST /api/v1/admin/shutdown`) and in-flight work is done.
pub async fn serve(options: HttpOptions) -> anyhow::Result<()> {
    let addr = bind_addr(&options.bind).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    // Tests and operators read this line to find the port when binding port 0.
    eprintln!("Listening on {local}");
    let graceful = options.graceful_timeout;
    let state = Arc::new(AppState {
        connections: Connections::default(),
        shutting_down: AtomicBool::new(false),
        active: AtomicUsize::new(0),
        idle: Notify::new(),
        shutdown_requested: Notify::new(),
        options,
    });
    let app = routes::router(state.clone());
    let signal_state = state.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        signal_state.begin_shutdown();
    });
    let drain_state = state.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            while !drain_state.shutting_down.load(Ordering::SeqCst) {
                drain_state.shutdown_requested.notified().await;
            }
            let wait_idle = async {
                loop {
                    let idle = drain_state.idle.notified();
                    if drain_state.active.load(Ordering::SeqCst) == 0 {
                        break;
                    }
                    idle.await;
                }
            };
            let _ = tokio::time::timeout(graceful, wait_idle).await;
        })
        .await?;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bind_accepts_ip_and_host_name_with_port() {
        assert_eq!(
            bind_addr("0.0.0.0:10001").await.unwrap(),
            "0.0.0.0:10001".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(
            bind_addr("[::1]:10001").await.unwrap(),
            "[::1]:10001".parse::<SocketAddr>().unwrap()
        );
        let local = bind_addr("localhost:10001").await.unwrap();
        assert!(local.ip().is_loopback(), "{local}");
        assert_eq!(local.port(), 10001);
    }

    #[tokio::test]
    async fn unix_and_portless_binds_are_clear_errors() {
        let e = format!(
            "{:#}",
            bind_addr("unix:/tmp/gunicorn.sock").await.unwrap_err()
        );
        assert!(
            e.contains("'unix:/tmp/gunicorn.sock' is not supported"),
            "{e}"
        );
        assert!(e.contains("use host:port"), "{e}");
        let e = format!("{:#}", bind_addr("fd://3").await.unwrap_err());
        assert!(e.contains("not supported"), "{e}");
        let e = format!("{:#}", bind_addr("localhost").await.unwrap_err());
        assert!(e.contains("is not host:port"), "{e}");
        let e = format!("{:#}", bind_addr("localhost:99999").await.unwrap_err());
        assert!(e.contains("is not host:port"), "{e}");
    }
}
