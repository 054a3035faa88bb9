//! Starting and stopping a sim: one Tokio task accepts connections and serves each with hyper, so a fault
//! can close a connection without a response; the dispatcher in front of the router does journal, faults,
//! rate limit and bearer checks.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Uri};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::auth::{self, TokenStore};
use crate::clock::Clock;
use crate::config::{RateLimitConfig, SimConfig, WebhookConfig};
use crate::errors::ApiError;
use crate::faults::{Fault, Faults};
use crate::journal::{Journal, JournalEntry, excerpt, redact_form};
use crate::ratelimit::RateLimiter;
use crate::seed::SeedError;
use crate::state::App;
use crate::store::Store;
use crate::webhooks::{WebhookDelivery, Webhooks};
use crate::{lock, routes};

/// Largest request body accepted (attachments are base64 in JSON).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Why a sim could not start or a seeding call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The listen address could not be bound.
    #[error(
        "cannot listen on {addr}: {source}; choose another --addr (127.0.0.1:0 picks a free port)"
    )]
    Bind {
        /// Requested address.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
    /// The seed is unusable.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// A ticket given to the store was rejected (same rules as `POST /api/Tickets`).
    #[error("ticket rejected: {0}")]
    Ticket(String),
    /// TLS was asked for ([`SimConfig::with_tls`]) but could not be set up.
    #[error("cannot serve TLS: {0}")]
    Tls(String),
}

/// Entry point: `SimServer::start(config).await`.
#[derive(Debug)]
pub struct SimServer;

impl SimServer {
    /// Bind, seed and serve a simulated tenant in the background of the current Tokio runtime.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), halo_sim::SimError> {
    /// let sim = halo_sim::SimServer::start(halo_sim::SimConfig::default()).await?;
    /// println!("{} {}", sim.resource_server_url(), sim.client_id());
    /// sim.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        config.seed.validate()?;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| SimError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: config.addr,
            source,
        })?;
        let clock = Clock::default();
        let faults = Faults::default();
        faults.set_profile(config.faults);
        let webhooks = Webhooks::new(config.webhook.clone());
        webhooks.start(clock.clone());
        let tls = if config.tls {
            Some(crate::tls::SimTls::generate().map_err(SimError::Tls)?)
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let app = Arc::new(App {
            base: format!("{scheme}://{addr}"),
            store: Mutex::new(Store::new(config.seed.clone(), config.custom_field_update)),
            tokens: Mutex::new(TokenStore::new(config.token_ttl)),
            faults,
            journal: Journal::new(config.journal_capacity),
            limiter: RateLimiter::new(config.rate_limit),
            webhooks,
            clock,
            config,
        });
        seed_tickets(&app)?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let router = routes::router(Arc::clone(&app));
        let tls_cert_pem = tls.as_ref().map(|t| t.cert_pem.clone());
        let acceptor = tls.map(|t| t.acceptor);
        let task = tokio::spawn(accept_loop(
            listener,
            Arc::clone(&app),
            router,
            shutdown_rx,
            acceptor,
        ));
        Ok(SimHandle {
            app,
            addr,
            tls_cert_pem,
            shutdown: shutdown_tx,
            task: Some(task),
        })
    }
}

fn seed_tickets(app: &App) -> Result<(), SimError> {
    let seeds = app.config.seed.tickets.clone();
    let now = app.clock.now();
    let mut store = lock(&app.store);
    for (i, t) in seeds.into_iter().enumerate() {
        let Value::Object(mut obj) = t else {
            return Err(SimError::Ticket(format!(
                "seed ticket {i} is not an object"
            )));
        };
        // A seeded id is kept: create with that id.
        let wanted = obj
            .remove("id")
            .and_then(|v| crate::request::lenient_int(&v))
            .filter(|i| *i > 0);
        let saved_next = store.next_ticket_id;
        if let Some(id) = wanted {
            store.next_ticket_id = id.unsigned_abs();
        }
        crate::ticket_write::upsert(&mut store, now, i, obj)
            .map_err(|e| SimError::Ticket(format!("{e:?}")))?;
        store.next_ticket_id = store.next_ticket_id.max(saved_next);
    }
    Ok(())
}

async fn accept_loop(
    listener: TcpListener,
    app: Arc<App>,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let (app, router, shutdown) = (Arc::clone(&app), router.clone(), shutdown.clone());
                match tls.clone() {
                    // A client that refuses the certificate ends the handshake; nothing is served or journalled.
                    Some(acceptor) => {
                        tokio::spawn(async move {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve_connection(stream, app, router, shutdown).await;
                            }
                        });
                    }
                    None => {
                        tokio::spawn(serve_connection(stream, app, router, shutdown));
                    }
                }
            }
        }
    }
}

async fn serve_connection<S>(
    stream: S,
    app: Arc<App>,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    // A handler that must lose its response notifies this; dropping the connection future closes the socket.
    let kill = Arc::new(Notify::new());
    let k = Arc::clone(&kill);
    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
        dispatch(Arc::clone(&app), router.clone(), Arc::clone(&k), req)
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), svc);
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
        _ = shutdown.changed() => {}
    }
}

/// Lower-case, no duplicate or trailing slashes.
fn normalize(path: &str) -> String {
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("/{}", segs.join("/"))
}

async fn dispatch(
    app: Arc<App>,
    router: Router,
    kill: Arc<Notify>,
    req: Request<Incoming>,
) -> Result<Response, Infallible> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let lower = normalize(&path);
    if lower.starts_with("/_sim") {
        if !app.config.admin_routes {
            return Ok(ApiError::NotFound.into_response());
        }
        return Ok(route(router, req.map(Body::new), &lower, &query).await);
    }
    let mut entry = JournalEntry {
        seq: 0,
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        status: None,
        fault: None,
        rate_limited: false,
        time: app.clock.now(),
        duration: Duration::ZERO,
        body: None,
    };
    let decision = app.faults.decide(&method, &path);
    if !decision.labels.is_empty() {
        entry.fault = Some(decision.labels.join(","));
    }
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let record = |mut entry: JournalEntry, status: Option<u16>| {
        entry.status = status;
        entry.duration = started.elapsed();
        app.journal.push(entry);
    };
    match decision.terminal {
        Some(Fault::DropBeforeHandling) => {
            record(entry, None);
            kill.notify_one();
            return Ok(std::future::pending::<Response>().await);
        }
        Some(Fault::Status { code }) => {
            let resp = ApiError::Injected(code).into_response();
            record(entry, Some(resp.status().as_u16()));
            return Ok(resp);
        }
        _ => {}
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(Body::new(body), BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            let resp = ApiError::field(
                "$",
                "The request body could not be read or is larger than 64 MiB.",
            )
            .into_response();
            record(entry, Some(resp.status().as_u16()));
            return Ok(resp);
        }
    };
    entry.body = if lower == "/auth/token" {
        Some(redact_form(&String::from_utf8_lossy(&bytes)))
    } else {
        excerpt(&bytes)
    };
    let is_api = lower == "/api" || lower.starts_with("/api/");
    if is_api {
        if let Err(rej) = app.limiter.check(app.clock.now()) {
            entry.rate_limited = true;
            let resp = ApiError::RateLimited {
                message: rej.message,
                retry_after: rej.retry_after,
            }
            .into_response();
            record(entry, Some(429));
            return Ok(resp);
        }
        if lower != "/api/authinfo"
            && let Err(e) = auth::authorize(&app, &parts.headers, &method, &lower)
        {
            let resp = e.into_response();
            record(entry, Some(resp.status().as_u16()));
            return Ok(resp);
        }
    }
    let resp = route(
        router,
        Request::from_parts(parts, Body::from(bytes)),
        &lower,
        &query,
    )
    .await;
    if decision.terminal == Some(Fault::DropAfterWrite) {
        record(entry, None);
        kill.notify_one();
        return Ok(std::future::pending::<Response>().await);
    }
    record(entry, Some(resp.status().as_u16()));
    Ok(resp)
}

async fn route(router: Router, mut req: Request<Body>, lower: &str, query: &str) -> Response {
    let pq = if query.is_empty() {
        lower.to_owned()
    } else {
        format!("{lower}?{query}")
    };
    if let Ok(uri) = pq.parse::<Uri>() {
        *req.uri_mut() = uri;
    }
    match router.oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    }
}

/// A running sim. Dropping it stops the server; [`SimHandle::shutdown`] also waits for the accept loop.
pub struct SimHandle {
    app: Arc<App>,
    addr: SocketAddr,
    tls_cert_pem: Option<String>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

fn url(s: &str) -> url::Url {
    // The strings are built from a bound socket address, so they always parse.
    url::Url::parse(s).unwrap_or_else(|_| {
        url::Url::from_directory_path("/").unwrap_or_else(|_| unreachable_url())
    })
}

#[allow(clippy::expect_used)]
fn unreachable_url() -> url::Url {
    url::Url::parse("http://127.0.0.1/").expect("static URL parses")
}

impl SimHandle {
    /// Listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The generated self-signed certificate (PEM) when serving TLS ([`SimConfig::with_tls`]), so a client
    /// can be told to trust it.
    pub fn tls_certificate_pem(&self) -> Option<&str> {
        self.tls_cert_pem.as_deref()
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn base_url(&self) -> url::Url {
        url(&format!("{}/", self.app.base))
    }

    /// Resource server, `http://127.0.0.1:PORT/api`.
    pub fn resource_server_url(&self) -> url::Url {
        url(&format!("{}/api", self.app.base))
    }

    /// Authorisation server, `http://127.0.0.1:PORT/auth`.
    pub fn authorization_server_url(&self) -> url::Url {
        url(&self.app.auth_base())
    }

    /// Token endpoint including `?tenant=` when hosted.
    pub fn token_url(&self) -> url::Url {
        match self.tenant() {
            Some(t) => url(&format!("{}/token?tenant={t}", self.app.auth_base())),
            None => url(&format!("{}/token", self.app.auth_base())),
        }
    }

    /// Tenant name when hosted.
    pub fn tenant(&self) -> Option<&str> {
        self.app.config.tenant()
    }

    /// A valid client id.
    pub fn client_id(&self) -> &str {
        &self.app.config.client_id
    }

    /// Its client secret.
    pub fn client_secret(&self) -> &str {
        &self.app.config.client_secret
    }

    /// Username for the password grant.
    pub fn username(&self) -> &str {
        &self.app.config.username
    }

    /// Password for the password grant.
    pub fn password(&self) -> &str {
        &self.app.config.password
    }

    /// Request journal.
    pub fn journal(&self) -> &Journal {
        &self.app.journal
    }

    /// Fault control.
    pub fn faults(&self) -> &Faults {
        &self.app.faults
    }

    /// Sim clock (advance it to expire tokens or slide the rate-limit window).
    pub fn clock(&self) -> &Clock {
        &self.app.clock
    }

    /// Revoke every issued access and refresh token (next API call with one gets 401).
    pub fn revoke_tokens(&self) {
        lock(&self.app.tokens).revoke_all();
    }

    /// Revoke one access token; `false` if unknown.
    pub fn revoke_token(&self, token: &str) -> bool {
        lock(&self.app.tokens).revoke(token)
    }

    /// Make every issued access token expire now.
    pub fn expire_tokens(&self) {
        let now = self.app.clock.now();
        lock(&self.app.tokens).expire_all(now);
    }

    /// Mint an access token with these space-separated scopes without calling the token endpoint.
    pub fn issue_token(&self, scope: &str) -> String {
        let scopes: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
        let now = self.app.clock.now();
        lock(&self.app.tokens).issue(
            &self.app.auth_base(),
            &self.app.config.client_id,
            &scopes,
            now,
        )
    }

    /// Access tokens issued so far (token endpoint and [`SimHandle::issue_token`]).
    pub fn tokens_issued(&self) -> u64 {
        lock(&self.app.tokens).issued
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        lock(&self.app.tokens).ttl = ttl;
    }

    /// Change or lift (`None`) the rate limit; the window restarts empty.
    pub fn set_rate_limit(&self, rl: Option<RateLimitConfig>) {
        self.app.limiter.set(rl);
    }

    /// Current rate limit.
    pub fn rate_limit(&self) -> Option<RateLimitConfig> {
        self.app.limiter.config()
    }

    /// All tickets, deleted ones included, as `GET /Tickets/{id}` would show them.
    pub fn tickets(&self) -> Vec<Value> {
        let store = lock(&self.app.store);
        store
            .tickets
            .values()
            .map(|t| crate::tickets::detail_view(&store, t))
            .collect()
    }

    /// One ticket (deleted ones included).
    pub fn ticket(&self, id: u64) -> Option<Value> {
        let store = lock(&self.app.store);
        store
            .tickets
            .get(&id)
            .map(|t| crate::tickets::detail_view(&store, t))
    }

    /// A ticket's actions, oldest first, with `note_html`.
    pub fn actions(&self, ticket_id: u64) -> Vec<Value> {
        let store = lock(&self.app.store);
        store
            .actions
            .get(&ticket_id)
            .map(|v| v.iter().cloned().map(Value::Object).collect())
            .unwrap_or_default()
    }

    /// Create or update a ticket directly, with the rules of `POST /api/Tickets`; returns the saved ticket.
    pub fn upsert_ticket(&self, ticket: Value) -> Result<Value, SimError> {
        let Value::Object(obj) = ticket else {
            return Err(SimError::Ticket("a ticket must be a JSON object".into()));
        };
        let now = self.app.clock.now();
        let mut store = lock(&self.app.store);
        let change = crate::ticket_write::upsert(&mut store, now, 0, obj)
            .map_err(|e| SimError::Ticket(format!("{e:?}")))?;
        let t = store
            .tickets
            .get(&change.id)
            .ok_or_else(|| SimError::Ticket("ticket vanished".into()))?;
        Ok(crate::tickets::detail_view(&store, t))
    }

    /// The seed data in use.
    pub fn seed(&self) -> crate::seed::Seed {
        lock(&self.app.store).seed.clone()
    }

    /// Change (or remove) the webhook target.
    pub fn set_webhook(&self, webhook: Option<WebhookConfig>) {
        self.app.webhooks.set(webhook);
    }

    /// Webhook deliveries attempted so far.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.app.webhooks.deliveries()
    }

    /// Stop accepting and close open connections; waits for the accept loop to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

impl fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .field("tenant", &self.tenant())
            .field("client_id", &self.client_id())
            .field("client_secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}
