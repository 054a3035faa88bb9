//! The polling engine shared by the three triggers.
//!
//! Each interval: deliver pending events, then one `GET /api/Tickets?lastupdatefromdate=<watermark −
//! look-back>&order=last_update` (more pages only when over 100 tickets changed in the window), then
//! `GET /api/Tickets/{id}` for each listed ticket whose (id, last_update) is not in the recent set
//! (plus `GET /api/Actions?ticket_id=` when `exclude_own_changes` is on and an event would fire).
//! Events are derived by diffing against the last-seen snapshot, appended to the pending queue, and the
//! state file is written atomically before anything is sent. An event leaves the queue only when the
//! dispatcher answered 2xx (state written again right after), so a crash can at worst re-send the one
//! event whose acceptance was not yet recorded — with the same `event_id`.
//!
//! Start: statuses (and `/Agent/me`), then the state file or a baseline of the open tickets; a transient
//! Halo failure there is waited out one interval at a time (halo-api has already retried), other errors end
//! the trigger.
//!
//! Request share: 1 list request per interval + 1 detail request per changed ticket (×2 with
//! `exclude_own_changes`). At the default 60 s interval that is 5 list requests per 5 minutes, 1.7 % of
//! Halo's 300-per-5-minutes budget, plus one request per ticket change.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt as _;
use halo_model::{AgentId, Status, Ticket, TicketId};
use serde_json::Value;

use super::event::{Kind, StatusRef, TicketEvent, event_id};
use super::settings::TriggerSettings;
use super::snapshot::Snap;
use super::state::{Loaded, Pending, State};
use super::workspace::Workspace;
use crate::actions::{EventSink, output};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::halo_errors::from_api;
use crate::sync::mapping;

/// Most open tickets read into the baseline snapshot on a trigger's first start.
pub const MAX_BASELINE: u64 = 2000;
/// How long one dispatcher POST may take.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
/// First and longest wait between delivery attempts.
pub const BACKOFF: (Duration, Duration) = (Duration::from_millis(250), Duration::from_secs(30));

enum Flow {
    Go,
    Stop,
}

/// A running trigger.
pub struct Engine<'a> {
    ctx: &'a Ctx,
    settings: TriggerSettings,
    sink: &'a dyn EventSink,
    path: PathBuf,
    flag: PathBuf,
    state: State,
    me: Option<AgentId>,
    statuses: Vec<Status>,
}

fn io_err(what: &str, path: &std::path::Path, e: &std::io::Error) -> StepError {
    StepError::unexpected(
        format!(
            "Could not {what} the trigger state file {}.",
            path.display()
        ),
        format!(
            "Check that the orchestrator's cache volume is mounted and writable, or set {}.",
            super::workspace::WORKSPACE_ENV
        ),
    )
    .with_data(e.to_string())
}

/// Runs a trigger until the terminate flag appears.
pub async fn run(
    ctx: &Ctx,
    settings: TriggerSettings,
    meta: &Value,
    sink: &dyn EventSink,
) -> Result<(), StepError> {
    let ws = Workspace::from_env();
    let name = settings.kind.name();
    let trigger_id = meta
        .get("triggerId")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(name);
    let path = ws.state_file(trigger_id);
    let loaded = State::load(&path).map_err(|e| io_err("read", &path, &e))?;
    let mut engine = Engine {
        ctx,
        sink,
        flag: ws.terminate_flag(),
        path,
        state: State::default(),
        me: None,
        statuses: Vec::new(),
        settings,
    };
    let mut loaded = Some(loaded);
    loop {
        match engine.start(&mut loaded).await {
            Ok(()) => break,
            Err(e) if e.is_transient() => {
                tracing::warn!(
                    "Starting {name} failed: {e}; trying again in {} s",
                    engine.settings.interval.as_secs()
                );
                if let Flow::Stop = engine.sleep(engine.settings.interval).await {
                    // Nothing was built or resumed yet: the state file on disk (if any) stays as it is.
                    return match loaded {
                        Some(_) => engine.remove_flag(),
                        None => engine.terminate(),
                    };
                }
            }
            Err(e) => return Err(e),
        }
    }
    engine.run_loop().await
}

impl Engine<'_> {
    /// Reads what the loop needs (statuses, the API agent) and resumes or builds the state. `loaded` is taken
    /// only once the state is in place, so a start that failed on a transient Halo error can simply be
    /// called again.
    async fn start(&mut self, loaded: &mut Option<Loaded>) -> Result<(), StepError> {
        let name = self.settings.kind.name();
        if self.statuses.is_empty() {
            self.statuses = mapping::statuses(self.ctx).await?;
        }
        if self.settings.exclude_own_changes && self.me.is_none() {
            let me = self
                .ctx
                .client
                .get_agent_me()
                .send()
                .await
                .map_err(|e| from_api(&e, "reading the API agent (/Agent/me)"))?;
            tracing::info!(
                "Changes attributed to the plugin's API agent {} ({}) are not reported",
                me.id,
                me.name.as_deref().unwrap_or_default()
            );
            self.me = Some(me.id);
        }
        match loaded.take() {
            Some(Loaded::State(s)) => {
                tracing::info!(
                    "Resuming {name} from {}: watermark {:?}, {} pending, {} delivered so far",
                    self.path.display(),
                    s.watermark,
                    s.pending.len(),
                    s.delivered
                );
                self.state = *s;
            }
            Some(Loaded::Fresh) => {
                if let Err(e) = self.init().await {
                    *loaded = Some(Loaded::Fresh);
                    return Err(e);
                }
            }
            None => {}
        }
        Ok(())
    }
    async fn init(&mut self) -> Result<(), StepError> {
        let now = Utc::now();
        self.state = State::new(self.settings.kind.name(), now);
        // Old values are only known for tickets seen before they change: read the open ones once.
        let rows: Vec<Ticket> = self
            .list()
            .open_only(true)
            .max_results(MAX_BASELINE)
            .stream()
            .try_collect()
            .await
            .map_err(|e| from_api(&e, "reading the open tickets for the trigger's baseline"))?;
        for t in &rows {
            self.state
                .put_snapshot(t.id.get(), Snap::from_ticket(t, true));
            self.state.remember(t.id.get(), t.last_update);
        }
        tracing::info!(
            "Started {} with a baseline of {} open tickets",
            self.settings.kind.name(),
            rows.len()
        );
        self.save()
    }

    fn list(&self) -> halo_api::ListTickets {
        let mut l = self.ctx.client.list_tickets();
        if let Some(tt) = self.settings.filters.ticket_type {
            l = l.ticket_type(tt);
        }
        if let Some(c) = self.settings.filters.client {
            l = l.client(c);
        }
        l
    }

    fn save(&self) -> Result<(), StepError> {
        self.state
            .save(&self.path, true)
            .map_err(|e| io_err("write", &self.path, &e))
    }

    /// After an accepted event: no fsync, to keep the window between the dispatcher's 2xx and the
    /// recorded acceptance short. Losing this write (power loss only) re-sends the same `event_id`.
    fn save_delivered(&self) -> Result<(), StepError> {
        self.state
            .save(&self.path, false)
            .map_err(|e| io_err("write", &self.path, &e))
    }

    fn stop_requested(&self) -> bool {
        self.flag.exists()
    }

    fn remove_flag(&self) -> Result<(), StepError> {
        if let Err(e) = std::fs::remove_file(&self.flag) {
            tracing::warn!("Could not remove {}: {e}", self.flag.display());
        }
        tracing::info!("Terminate flag found before the trigger had started; stopping");
        Ok(())
    }

    fn terminate(&self) -> Result<(), StepError> {
        self.save()?;
        if let Err(e) = std::fs::remove_file(&self.flag) {
            tracing::warn!("Could not remove {}: {e}", self.flag.display());
        }
        tracing::info!(
            "Terminate flag found: state saved ({} pending), stopping",
            self.state.pending.len()
        );
        Ok(())
    }

    async fn sleep(&self, d: Duration) -> Flow {
        let step = Duration::from_millis(100);
        let mut left = d;
        while !left.is_zero() {
            if self.stop_requested() {
                return Flow::Stop;
            }
            let s = step.min(left);
            tokio::time::sleep(s).await;
            left = left.saturating_sub(s);
        }
        if self.stop_requested() {
            Flow::Stop
        } else {
            Flow::Go
        }
    }

    async fn run_loop(&mut self) -> Result<(), StepError> {
        loop {
            // A fresh log buffer per round keeps a long-running trigger's memory flat.
            let (round, _log) = crate::logcap::capture(self.round()).await;
            crate::observability::trigger_round_done().await;
            match round? {
                Flow::Stop => return self.terminate(),
                Flow::Go if !self.state.pending.is_empty() => continue,
                Flow::Go => {}
            }
            if let Flow::Stop = self.sleep(self.settings.interval).await {
                return self.terminate();
            }
        }
    }

    async fn round(&mut self) -> Result<Flow, StepError> {
        if let Flow::Stop = self.deliver().await? {
            return Ok(Flow::Stop);
        }
        if self.stop_requested() {
            return Ok(Flow::Stop);
        }
        if let Err(e) = self.poll().await {
            tracing::warn!(
                "Polling Halo failed: {e}; trying again in {} s",
                self.settings.interval.as_secs()
            );
        }
        self.deliver().await
    }

    async fn deliver(&mut self) -> Result<Flow, StepError> {
        let mut wait = BACKOFF.0;
        crate::observability::metrics::trigger_pending(
            self.settings.kind.name(),
            self.state.pending.len(),
        );
        while let Some(p) = self.state.pending.front().cloned() {
            if self.stop_requested() {
                return Ok(Flow::Stop);
            }
            let sent = tokio::time::timeout(DELIVERY_TIMEOUT, self.sink.send(p.output)).await;
            match sent {
                Ok(Ok(())) => {
                    self.state.pending.pop_front();
                    self.state.delivered += 1;
                    self.save_delivered()?;
                    crate::observability::metrics::trigger_delivered(self.settings.kind.name());
                    crate::observability::metrics::trigger_pending(
                        self.settings.kind.name(),
                        self.state.pending.len(),
                    );
                    tracing::info!("Delivered event {}", p.event_id);
                    wait = BACKOFF.0;
                }
                Ok(Err(e)) => {
                    crate::observability::metrics::trigger_dispatch_failure(
                        self.settings.kind.name(),
                    );
                    tracing::warn!(
                        "Dispatcher did not accept event {}: {}; retrying in {} ms",
                        p.event_id,
                        e.cause,
                        wait.as_millis()
                    );
                    if let Flow::Stop = self.sleep(wait).await {
                        return Ok(Flow::Stop);
                    }
                    wait = (wait * 2).min(BACKOFF.1);
                }
                Err(_) => {
                    crate::observability::metrics::trigger_dispatch_failure(
                        self.settings.kind.name(),
                    );
                    tracing::warn!(
                        "Dispatcher did not answer within {} s for event {}; retrying",
                        DELIVERY_TIMEOUT.as_secs(),
                        p.event_id
                    );
                    wait = (wait * 2).min(BACKOFF.1);
                }
            }
        }
        Ok(Flow::Go)
    }

    async fn poll(&mut self) -> Result<(), StepError> {
        let lookback = chrono::Duration::from_std(self.settings.lookback).unwrap_or_default();
        let since = self.state.watermark.unwrap_or_else(Utc::now) - lookback;
        let mut rows: Vec<Ticket> = self
            .list()
            .updated_since(since)
            .order_by("last_update")
            .stream()
            .try_collect()
            .await
            .map_err(|e| from_api(&e, "listing changed tickets"))?;
        rows.sort_by_key(|t| (t.last_update, t.id));
        let mut changed = false;
        let mut result = Ok(());
        for row in rows {
            if self.state.seen(row.id.get(), row.last_update) {
                continue;
            }
            if let Err(e) = self.process(&row).await {
                result = Err(e);
                break;
            }
            changed = true;
        }
        if changed {
            if let Some(w) = self.state.watermark {
                self.state
                    .prune_recent(w - lookback - chrono::Duration::minutes(1));
            }
            self.save()?;
        }
        result
    }

    async fn process(&mut self, row: &Ticket) -> Result<(), StepError> {
        let id = row.id;
        let detail = match self.ctx.client.get_ticket(id).send().await {
            Ok(t) => t,
            Err(e) if e.kind() == halo_api::ErrorKind::NotFound => {
                self.state.snapshots.remove(&id.get());
                self.state.remember(id.get(), row.last_update);
                self.state.advance(row.last_update);
                return Ok(());
            }
            Err(e) => return Err(from_api(&e, &format!("reading ticket {id}"))),
        };
        let new = Snap::from_ticket(&detail, false);
        let old = self.state.snapshots.get(&id.get()).cloned();
        let mut events = self.derive(old.as_ref(), &new, &detail);
        if !events.is_empty() && self.own_change(id, old.as_ref(), &new).await? {
            tracing::info!("Ticket {id} was changed by the plugin's own API agent; not reported");
            events.clear();
        }
        let ticket_out = output::ticket(&detail, &self.ctx.config.resource_server);
        for ev in events {
            if !self.state.pending.iter().any(|p| p.event_id == ev.event_id) {
                self.state.pending.push_back(Pending {
                    event_id: ev.event_id.clone(),
                    output: ev.trigger_output(ticket_out.clone()),
                });
            }
        }
        self.state.put_snapshot(id.get(), new);
        self.state.remember(id.get(), row.last_update);
        self.state.remember(id.get(), detail.last_update);
        self.state.advance(row.last_update);
        Ok(())
    }

    fn status_ref(&self, id: Option<u64>, name: Option<String>) -> Option<StatusRef> {
        let id = id?;
        let name = name.filter(|n| !n.is_empty()).or_else(|| {
            self.statuses
                .iter()
                .find(|s| s.id.get() == id)
                .and_then(|s| s.name.clone())
        });
        Some(StatusRef {
            id,
            name: name.unwrap_or_default(),
        })
    }

    fn derive(&self, old: Option<&Snap>, new: &Snap, t: &Ticket) -> Vec<TicketEvent> {
        let kind = self.settings.kind;
        let new_status = self.status_ref(new.status_id(), new.text("status_name"));
        let (idr, ivm) = new_status.as_ref().map_or((None, None), |s| {
            mapping::reverse(&self.ctx.config.sync, &s.name)
        });
        let mut ev = TicketEvent {
            event_id: event_id(kind, t.id.get(), t.last_update),
            kind,
            ticket_id: t.id.get(),
            occurred_at: t.last_update,
            changes: Vec::new(),
            old_status: old.and_then(|o| self.status_ref(o.status_id(), o.text("status_name"))),
            new_status,
            insightidr_status: idr,
            insightvm_status: ivm,
            source: "poll",
        };
        if !self.settings.filters.matches(t) {
            return Vec::new();
        }
        match (kind, old) {
            (Kind::Created, None) => {
                let created = t.datecreated.or(t.dateoccurred);
                let after_start = match (created, self.state.started_at) {
                    (Some(c), Some(s)) => c >= s - chrono::Duration::seconds(1),
                    _ => true,
                };
                if !after_start {
                    tracing::debug!(
                        "Ticket {} is older than the trigger; not a new ticket",
                        t.id
                    );
                    return Vec::new();
                }
                ev.old_status = None;
                vec![ev]
            }
            (Kind::Updated, Some(old)) => {
                ev.changes = old.diff(new);
                if ev.changes.is_empty() {
                    Vec::new()
                } else {
                    vec![ev]
                }
            }
            (Kind::StatusChanged, Some(old))
                if old.status_id() != new.status_id() && new.status_id().is_some() =>
            {
                ev.changes = old
                    .diff(new)
                    .into_iter()
                    .filter(|c| c.field == "status_id")
                    .collect();
                vec![ev]
            }
            (Kind::Updated | Kind::StatusChanged, None) => {
                tracing::debug!(
                    "Ticket {} first seen now; its previous values are unknown",
                    t.id
                );
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Whether the ticket's latest action was made by the plugin's own API agent since the last snapshot.
    async fn own_change(
        &self,
        id: TicketId,
        old: Option<&Snap>,
        new: &Snap,
    ) -> Result<bool, StepError> {
        let Some(me) = self.me else { return Ok(false) };
        let actions = self
            .ctx
            .client
            .list_actions(id)
            .send()
            .await
            .map_err(|e| from_api(&e, &format!("listing actions of ticket {id}")))?;
        let since: Option<DateTime<Utc>> = old.and_then(|o| o.last_update);
        let until = new.last_update.map(|u| u + chrono::Duration::seconds(2));
        let latest = actions
            .iter()
            .filter(|a| a.datetime.is_some())
            .max_by_key(|a| (a.datetime, a.id));
        // The action must belong to this change: after the previous snapshot, not after the new state.
        Ok(latest.is_some_and(|a| {
            a.who_agentid == Some(me)
                && a.datetime
                    .is_some_and(|d| since.is_none_or(|s| d > s) && until.is_none_or(|u| d <= u))
        }))
    }
}
