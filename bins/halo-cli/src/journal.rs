//! The bulk-run journal: an append-only JSON-lines file that records, per input row, that a request is about to be
//! sent and then what it produced, so an interrupted run resumes without doing any row twice.
//!
//! Each line is flushed and synced before the next request is sent. A row whose last entry is `sending` (the
//! process died between sending and recording) is *uncertain*: the caller must look for the ticket before creating
//! it again. A row's fingerprint (FNV-1a of its content) is stored, so a journal is never replayed against an input
//! file that changed under it.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exit::CliError;

/// What the journal says about one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowState {
    /// The request was about to be sent; whether it arrived is unknown.
    Sending,
    /// Done; the ticket it created or changed.
    Done(u64),
}

/// One journal line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// The row's key (`external_key`, or `row:<n>`; for bulk-close `ticket:<id>`).
    pub key: String,
    /// FNV-1a of the row's content.
    pub fingerprint: String,
    /// `sending` or `done`.
    pub state: String,
    /// The ticket created or changed (with `done`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<u64>,
    /// When (RFC 3339).
    pub at: String,
}

/// An open journal.
pub struct Journal {
    path: PathBuf,
    file: File,
    rows: BTreeMap<String, (String, RowState)>,
}

impl Journal {
    /// Open (or create) the journal at `path` and read what earlier runs recorded.
    pub fn open(path: &Path) -> Result<Self, CliError> {
        let err = |what: &str, e: std::io::Error| {
            CliError::usage(
                format!("The journal {} cannot be {what}: {e}.", path.display()),
                "Check the directory's permissions, or give another path with --journal.",
            )
        };
        let mut rows = BTreeMap::new();
        match File::open(path) {
            Ok(f) => {
                for (n, line) in BufReader::new(f).lines().enumerate() {
                    let line = line.map_err(|e| err("read", e))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    // A torn last line (killed mid-write) is ignored: its row was never sent after it.
                    let Ok(entry) = serde_json::from_str::<Entry>(&line) else {
                        tracing::warn!(line = n + 1, journal = %path.display(), "skipping unreadable journal line");
                        continue;
                    };
                    let state = match (entry.state.as_str(), entry.ticket_id) {
                        ("done", Some(id)) => RowState::Done(id),
                        _ => RowState::Sending,
                    };
                    rows.insert(entry.key, (entry.fingerprint, state));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(err("read", e)),
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| err("created", e))?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| err("opened for writing", e))?;
        // After a torn last line, start on a fresh line so the next entry stays readable.
        let torn = std::fs::read(path)
            .map(|b| b.last().is_some_and(|c| *c != b'\n'))
            .unwrap_or(false);
        if torn {
            file.write_all(b"\n").map_err(|e| err("written", e))?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
            rows,
        })
    }

    /// What is known about a row. Fails if the row's content changed since it was journaled.
    pub fn state(&self, key: &str, fingerprint: &str) -> Result<Option<RowState>, CliError> {
        match self.rows.get(key) {
            None => Ok(None),
            Some((fp, state)) if fp == fingerprint => Ok(Some(state.clone())),
            Some(_) => Err(CliError::usage(
                format!(
                    "Row \"{key}\" differs from the row recorded in the journal {}.",
                    self.path.display()
                ),
                "The input changed since the interrupted run: restore it, or start over with a new --journal \
                 (after checking which tickets the earlier run created).",
            )),
        }
    }

    /// Number of rows recorded as done.
    #[cfg(test)]
    pub fn done_count(&self) -> usize {
        self.rows
            .values()
            .filter(|(_, s)| matches!(s, RowState::Done(_)))
            .count()
    }

    /// Record that the request for a row is about to be sent.
    pub fn sending(&mut self, key: &str, fingerprint: &str) -> Result<(), CliError> {
        self.append(key, fingerprint, RowState::Sending)
    }

    /// Record that a row is done.
    pub fn done(&mut self, key: &str, fingerprint: &str, ticket_id: u64) -> Result<(), CliError> {
        self.append(key, fingerprint, RowState::Done(ticket_id))
    }

    fn append(&mut self, key: &str, fingerprint: &str, state: RowState) -> Result<(), CliError> {
        let entry = Entry {
            key: key.to_string(),
            fingerprint: fingerprint.to_string(),
            state: match state {
                RowState::Sending => "sending".into(),
                RowState::Done(_) => "done".into(),
            },
            ticket_id: match state {
                RowState::Done(id) => Some(id),
                RowState::Sending => None,
            },
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        };
        let mut line = serde_json::to_string(&entry).map_err(|e| {
            CliError::new(
                crate::exit::ExitKind::Failure,
                format!("A journal entry could not be encoded: {e}."),
                "Report this as a bug.",
            )
        })?;
        line.push('\n');
        // Synced before the next request goes out: this is what makes resuming safe.
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| {
                CliError::new(
                    crate::exit::ExitKind::Failure,
                    format!("The journal {} could not be written: {e}.", self.path.display()),
                    "Stopped so that no row is done twice; free disk space or fix permissions, then run the same \
                     command again to resume.",
                )
            })?;
        self.rows
            .insert(key.to_string(), (fingerprint.to_string(), state));
        Ok(())
    }
}

/// FNV-1a 64-bit of a string, as hex: a stable fingerprint that needs no extra dependency.
pub fn fingerprint(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_reopened_journal_remembers_done_and_uncertain_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        {
            let mut j = Journal::open(&path).unwrap();
            j.sending("row:1", "aa").unwrap();
            j.done("row:1", "aa", 17).unwrap();
            j.sending("row:2", "bb").unwrap();
        }
        // A torn line from a kill mid-write.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"key\":\"row:3\",\"fing")
            .unwrap();
        let mut j = Journal::open(&path).unwrap();
        j.done("row:4", "dd", 40).unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert_eq!(
            j.state("row:4", "dd").unwrap(),
            Some(RowState::Done(40)),
            "entry after a torn line"
        );
        assert_eq!(j.state("row:1", "aa").unwrap(), Some(RowState::Done(17)));
        assert_eq!(j.state("row:2", "bb").unwrap(), Some(RowState::Sending));
        assert_eq!(j.state("row:3", "cc").unwrap(), None);
        assert_eq!(j.done_count(), 2);
    }

    #[test]
    fn a_changed_row_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut j = Journal::open(&path).unwrap();
        j.done("row:1", "aa", 1).unwrap();
        let err = j.state("row:1", "ab").unwrap_err();
        assert_eq!(err.kind, crate::exit::ExitKind::Usage);
    }

    #[test]
    fn fingerprint_is_stable_and_content_sensitive() {
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_ne!(fingerprint("a"), fingerprint("b"));
    }
}
