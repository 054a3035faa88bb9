//! The trigger's persistent state: watermark, events not yet accepted by the dispatcher, the bounded set
//! of recently processed (ticket id, last_update) pairs and the last-seen snapshot of each ticket.
//!
//! Written atomically (temp file in the same directory, fsync, rename) so a kill at any point leaves
//! either the old or the new file, never a torn one.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::snapshot::Snap;

/// State file format version.
pub const VERSION: u32 = 1;
/// Most (ticket id, last_update) pairs kept for de-duplication.
pub const MAX_RECENT: usize = 5000;
/// Most ticket snapshots kept (the least recently updated are dropped first).
pub const MAX_SNAPSHOTS: usize = 5000;

/// An event waiting for the dispatcher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// Stable event id.
    pub event_id: String,
    /// The trigger output to send.
    pub output: Value,
}

/// Everything a trigger needs to resume.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Format version.
    #[serde(default)]
    pub version: u32,
    /// The trigger this state belongs to.
    #[serde(default)]
    pub trigger: String,
    /// When the trigger first started (tickets created after it are "new").
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// Highest `last_update` processed.
    #[serde(default)]
    pub watermark: Option<DateTime<Utc>>,
    /// Events derived but not yet accepted by the dispatcher, oldest first.
    #[serde(default)]
    pub pending: VecDeque<Pending>,
    /// Recently processed (ticket id, last_update), oldest first.
    #[serde(default)]
    pub recent: VecDeque<(u64, Option<DateTime<Utc>>)>,
    /// Last-seen snapshot per ticket id.
    #[serde(default)]
    pub snapshots: BTreeMap<u64, Snap>,
    /// Events accepted by the dispatcher so far (for logs).
    #[serde(default)]
    pub delivered: u64,
    #[serde(skip)]
    recent_index: HashSet<(u64, Option<DateTime<Utc>>)>,
}

/// What loading found.
#[derive(Debug)]
pub enum Loaded {
    /// A usable state.
    State(Box<State>),
    /// No state yet (no file, or the runtime's empty `{}`).
    Fresh,
}

impl State {
    /// Loads `path`. An unreadable or corrupt file is moved aside to `<path>.corrupt` (kept for
    /// inspection, never deleted) and the trigger starts fresh.
    pub fn load(path: &Path) -> std::io::Result<Loaded> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::Fresh),
            Err(e) => return Err(e),
        };
        match serde_json::from_slice::<State>(&bytes) {
            Ok(s) if s.version == 0 && s.started_at.is_none() => Ok(Loaded::Fresh),
            Ok(mut s) => {
                s.recent_index = s.recent.iter().copied().collect();
                Ok(Loaded::State(Box::new(s)))
            }
            Err(e) => {
                let aside = path.with_extension("json.corrupt");
                tracing::error!(
                    "Trigger state {} is corrupt ({e}); moved to {} and starting fresh",
                    path.display(),
                    aside.display()
                );
                std::fs::rename(path, &aside)?;
                Ok(Loaded::Fresh)
            }
        }
    }

    /// Writes the state atomically; `durable` also fsyncs the data before the rename (a process kill
    /// never loses a completed write either way; fsync protects against power loss).
    pub fn save(&self, path: &Path, durable: bool) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp: PathBuf = path.with_extension(format!("json.tmp{}", std::process::id()));
        let body = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&body)?;
            if durable {
                f.sync_all()?;
            }
        }
        std::fs::rename(&tmp, path)
    }

    /// A fresh state for `trigger`, started (and watermarked) at `now`.
    pub fn new(trigger: &str, now: DateTime<Utc>) -> Self {
        Self {
            version: VERSION,
            trigger: trigger.into(),
            started_at: Some(now),
            watermark: Some(now),
            ..Self::default()
        }
    }

    /// Whether this (ticket, last_update) was processed already.
    pub fn seen(&self, id: u64, at: Option<DateTime<Utc>>) -> bool {
        self.recent_index.contains(&(id, at))
    }

    /// Records a processed (ticket, last_update), dropping the oldest beyond [`MAX_RECENT`].
    pub fn remember(&mut self, id: u64, at: Option<DateTime<Utc>>) {
        if self.recent_index.insert((id, at)) {
            self.recent.push_back((id, at));
        }
        while self.recent.len() > MAX_RECENT {
            if let Some(old) = self.recent.pop_front() {
                self.recent_index.remove(&old);
            }
        }
    }

    /// Drops recent pairs older than `before` (they can no longer be listed again).
    pub fn prune_recent(&mut self, before: DateTime<Utc>) {
        let index = &mut self.recent_index;
        self.recent.retain(|p| {
            let keep = p.1.is_none_or(|at| at >= before);
            if !keep {
                index.remove(p);
            }
            keep
        });
    }

    /// Stores a snapshot, dropping the least recently updated beyond [`MAX_SNAPSHOTS`].
    pub fn put_snapshot(&mut self, id: u64, snap: Snap) {
        self.snapshots.insert(id, snap);
        while self.snapshots.len() > MAX_SNAPSHOTS {
            let oldest = self
                .snapshots
                .iter()
                .min_by_key(|(_, s)| s.last_update)
                .map(|(id, _)| *id);
            match oldest {
                Some(id) => self.snapshots.remove(&id),
                None => break,
            };
        }
    }

    /// Advances the watermark (never backwards).
    pub fn advance(&mut self, at: Option<DateTime<Utc>>) {
        if let Some(at) = at
            && self.watermark.is_none_or(|w| at > w)
        {
            self.watermark = Some(at);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn save_load_roundtrip_and_fresh_cases() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cache").join("t.json");
        assert!(matches!(State::load(&p).unwrap(), Loaded::Fresh));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "{}").unwrap();
        assert!(matches!(State::load(&p).unwrap(), Loaded::Fresh));
        let mut s = State::new("ticket_created", Utc::now());
        s.remember(5, None);
        s.pending.push_back(Pending {
            event_id: "e".into(),
            output: serde_json::json!({"a": 1}),
        });
        s.save(&p, true).unwrap();
        let Loaded::State(back) = State::load(&p).unwrap() else {
            panic!("fresh")
        };
        assert!(back.seen(5, None));
        assert_eq!(back.pending.len(), 1);
        std::fs::write(&p, "{not json").unwrap();
        assert!(matches!(State::load(&p).unwrap(), Loaded::Fresh));
        assert!(p.with_extension("json.corrupt").exists());
    }

    #[test]
    fn bounded_sets() {
        let mut s = State::default();
        for i in 0..(MAX_RECENT as u64 + 10) {
            s.remember(i, None);
        }
        assert_eq!(s.recent.len(), MAX_RECENT);
        assert!(!s.seen(0, None));
        assert!(s.seen(MAX_RECENT as u64 + 9, None));
        let now = Utc::now();
        s.remember(1, Some(now - chrono::Duration::hours(1)));
        s.prune_recent(now - chrono::Duration::minutes(5));
        assert!(!s.seen(1, Some(now - chrono::Duration::hours(1))));
    }
}
