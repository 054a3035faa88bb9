//! Halo's date conventions: 7 fractional digits + `Z` for server-written dates, sentinels for unset ones,
//! lenient parsing of what clients send.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Unset date for most fields (targetdate, deadlinedate, dateclosed…).
pub(crate) const SENTINEL_1900: &str = "1900-01-01T00:00:00";
/// Unset date for audit-style fields.
pub(crate) const SENTINEL_1899: &str = "1899-12-30T00:00:00";
/// Unset date for `lastincomingemail`.
pub(crate) const SENTINEL_0001: &str = "0001-01-01T00:00:00";

/// `2024-06-20T14:45:15.9746271Z`.
pub(crate) fn format_halo(dt: &DateTime<Utc>) -> String {
    format!(
        "{}.{:07}Z",
        dt.format("%Y-%m-%dT%H:%M:%S"),
        dt.timestamp_subsec_nanos() / 100
    )
}

/// RFC 3339, naive date-time (taken as UTC) or a bare date.
pub(crate) fn parse_lenient(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    let naive = s.trim_end_matches('Z');
    if let Ok(n) = NaiveDateTime::parse_from_str(naive, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(n.and_utc());
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(naive, "%Y-%m-%d %H:%M:%S%.f") {
        return Some(n.and_utc());
    }
    NaiveDate::parse_from_str(naive, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}

/// A stored date value, `None` for sentinels (year <= 1901) or garbage.
pub(crate) fn stored_date(v: Option<&serde_json::Value>) -> Option<DateTime<Utc>> {
    let dt = parse_lenient(v?.as_str()?)?;
    (chrono::Datelike::year(&dt) > 1901).then_some(dt)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn formats_seven_digits_and_z() {
        let dt = parse_lenient("2024-06-20T14:45:15.9746271Z").unwrap();
        assert_eq!(format_halo(&dt), "2024-06-20T14:45:15.9746271Z");
        let dt = parse_lenient("2024-06-20T14:45:15").unwrap();
        assert_eq!(format_halo(&dt), "2024-06-20T14:45:15.0000000Z");
    }

    #[test]
    fn sentinels_read_as_unset() {
        for s in [SENTINEL_1900, SENTINEL_1899, SENTINEL_0001] {
            assert_eq!(stored_date(Some(&serde_json::json!(s))), None, "{s}");
        }
        assert!(stored_date(Some(&serde_json::json!("2024-01-01"))).is_some());
    }
}
