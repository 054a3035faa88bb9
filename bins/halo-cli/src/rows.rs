//! Input rows for `tickets import`: CSV (header row) or JSON lines, parsed strictly (unknown columns are an error,
//! so a typo in a header cannot silently drop data) and turned into `NewTicket`s.

use std::path::Path;

use halo_model::{AgentId, ClientId, NewTicket, PriorityId, SiteId, TicketTypeId, UserId};
use serde::{Deserialize, Serialize};

use crate::cli::ImportFormat;
use crate::exit::CliError;
use crate::journal::fingerprint;

/// One row of an import file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImportRow {
    /// Ticket summary (required).
    pub summary: String,
    /// Details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Ticket type id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tickettype_id: Option<u64>,
    /// Priority id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_id: Option<u64>,
    /// Team name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Agent id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<u64>,
    /// Client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<u64>,
    /// Site id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<u64>,
    /// End-user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
    /// The caller's own key for the row (journal key; unique within a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_key: Option<String>,
}

/// A parsed row with its position, journal key and fingerprint.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based data row number.
    pub number: usize,
    /// Journal key: `key:<external_key>` or `row:<number>`.
    pub key: String,
    /// Fingerprint of the row's content.
    pub fingerprint: String,
    /// The row.
    pub data: ImportRow,
}

impl Row {
    /// The row's external key, when it has one.
    pub fn external_key(&self) -> Option<&str> {
        self.key.strip_prefix("key:")
    }

    /// The ticket to create.
    pub fn new_ticket(&self) -> NewTicket {
        let d = &self.data;
        let mut t = NewTicket::new(d.summary.clone());
        if let Some(v) = &d.details {
            t = t.details(v.clone());
        }
        if let Some(v) = d.tickettype_id {
            t = t.ticket_type(TicketTypeId::new(v));
        }
        if let Some(v) = d.priority_id {
            t = t.priority(PriorityId::new(v));
        }
        if let Some(v) = &d.team {
            t = t.team(v.clone());
        }
        if let Some(v) = d.agent_id {
            t = t.agent(AgentId::new(v));
        }
        if let Some(v) = d.client_id {
            t = t.client(ClientId::new(v));
        }
        if let Some(v) = d.site_id {
            t = t.site(SiteId::new(v));
        }
        if let Some(v) = d.user_id {
            t = t.user(UserId::new(v));
        }
        t
    }
}

/// The format of a file: the flag, else `.csv` → CSV, anything else JSON lines.
pub fn detect(path: &Path, flag: Option<ImportFormat>) -> ImportFormat {
    flag.unwrap_or_else(|| {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
        {
            Some(e) if e == "csv" => ImportFormat::Csv,
            _ => ImportFormat::Jsonl,
        }
    })
}

/// Read and validate every row of the file; any bad row fails the whole read before anything is sent.
pub fn read(path: &Path, format: ImportFormat) -> Result<Vec<Row>, CliError> {
    let bytes = std::fs::read(path).map_err(|e| {
        CliError::usage(
            format!("The import file {} cannot be read: {e}.", path.display()),
            "Check the path and its permissions.",
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::usage(
            format!(
                "The import file {} is not UTF-8 (first bad byte at offset {}).",
                path.display(),
                e.utf8_error().valid_up_to()
            ),
            "Save it as UTF-8 (e.g. \"CSV UTF-8\" in Excel).",
        )
    })?;
    let parsed = match format {
        ImportFormat::Csv => parse_csv(&text)?,
        ImportFormat::Jsonl => parse_jsonl(&text)?,
    };
    finish(parsed)
}

fn row_error(where_: String, what: impl std::fmt::Display) -> CliError {
    CliError::usage(
        format!("{where_} is invalid: {what}."),
        "Fix that row; columns are summary, details, tickettype_id, priority_id, team, agent_id, client_id, \
         site_id, user_id, external_key (only summary is required). Nothing was sent.",
    )
}

fn parse_csv(text: &str) -> Result<Vec<(usize, ImportRow)>, CliError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in reader.deserialize::<ImportRow>().enumerate() {
        let n = i + 1;
        let row = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            // csv's messages can quote the whole record; keep only the reason.
            let reason = match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!("{len} fields where the header has {expected_len}"),
                _ => e.to_string(),
            };
            row_error(format!("Row {n} (line {line})"), reason)
        })?;
        out.push((n, row));
    }
    Ok(out)
}

fn parse_jsonl(text: &str) -> Result<Vec<(usize, ImportRow)>, CliError> {
    let mut out = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        n += 1;
        let row: ImportRow = serde_json::from_str(line)
            .map_err(|e| row_error(format!("Row {n} (line {})", i + 1), e))?;
        out.push((n, row));
    }
    Ok(out)
}

fn finish(parsed: Vec<(usize, ImportRow)>) -> Result<Vec<Row>, CliError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut rows = Vec::with_capacity(parsed.len());
    for (n, data) in parsed {
        let key = match data.external_key.as_deref().map(str::trim) {
            Some(k) if !k.is_empty() => format!("key:{k}"),
            _ => format!("row:{n}"),
        };
        if !seen.insert(key.clone()) {
            return Err(row_error(
                format!("Row {n}"),
                format!(
                    "external_key \"{}\" is used twice",
                    key.trim_start_matches("key:")
                ),
            ));
        }
        let fp = fingerprint(&serde_json::to_string(&data).unwrap_or_default());
        let row = Row {
            number: n,
            key,
            fingerprint: fp,
            data,
        };
        row.new_ticket()
            .validate()
            .map_err(|e| row_error(format!("Row {n}"), e))?;
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(CliError::usage(
            "The import file has no rows.",
            "Add at least one row (CSV needs a header row first).",
        ));
    }
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_empty_cells_reads_as_absent() {
        let rows =
            finish(parse_csv("summary,priority_id,team\nDisk full,2,\nVPN,,Network\n").unwrap())
                .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].data.priority_id, Some(2));
        assert_eq!(rows[0].data.team, None);
        assert_eq!(rows[1].data.team.as_deref(), Some("Network"));
        assert_eq!(rows[1].key, "row:2");
    }

    #[test]
    fn unknown_column_and_bad_number_are_errors_naming_the_row() {
        let e = parse_csv("summary,sumary\nx,y\n").unwrap_err();
        assert!(e.cause.contains("Row 1"), "{}", e.cause);
        let e = parse_csv("summary,priority_id\nx,high\n").unwrap_err();
        assert!(e.cause.contains("Row 1 (line 2)"), "{}", e.cause);
        let e = parse_jsonl("{\"summary\":\"a\"}\n\n{\"summary\":3}\n").unwrap_err();
        assert!(e.cause.contains("Row 2 (line 3)"), "{}", e.cause);
    }

    #[test]
    fn duplicate_external_keys_and_empty_summaries_are_refused() {
        let e = finish(
            parse_jsonl("{\"summary\":\"a\",\"external_key\":\"k\"}\n{\"summary\":\"b\",\"external_key\":\"k\"}")
                .unwrap(),
        )
        .unwrap_err();
        assert!(e.cause.contains("used twice"), "{}", e.cause);
        assert!(finish(parse_jsonl("{\"summary\":\"\"}").unwrap()).is_err());
        assert!(finish(Vec::new()).is_err());
    }
}
