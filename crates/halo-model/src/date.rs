//! Halo timestamps: lenient reading (sentinel "unset" dates, optional `Z`, 0–9 fraction digits) and
//! one canonical written form.
//!
//! Halo stores UTC and usually answers `2024-06-20T14:45:15.9746271Z` (7 fraction digits), sometimes
//! `2024-06-21T10:45:15.975Z`, and date-only fields without an offset (`2026-02-10T00:00:00`). A value
//! without an offset is read as UTC. Unset dates are not `null` but sentinels — `1900-01-01T00:00:00`,
//! `1899-12-30T00:00:00`, `0001-01-01T00:00:00` — so any year up to [`SENTINEL_MAX_YEAR`] reads as `None`,
//! as do `null` and the empty string.
//!
//! Written dates use [`format_halo`]: `YYYY-MM-DDTHH:MM:SS.fffffffZ`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::Serializer;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

use crate::error::DateError;

/// Dates in or before this year are Halo's "unset" sentinels (1900-01-01, 1899-12-30, 0001-01-01).
pub const SENTINEL_MAX_YEAR: i32 = 1901;

/// Parses one Halo date string. `Ok(None)` for sentinels and empty strings.
///
/// ```
/// use halo_model::date::parse_halo;
/// let d = parse_halo("2024-06-20T14:45:15.9746271Z").unwrap().unwrap();
/// assert_eq!(d.timestamp_subsec_nanos(), 974_627_100);
/// assert_eq!(parse_halo("1900-01-01T00:00:00").unwrap(), None);
/// assert_eq!(parse_halo("2026-02-10T00:00:00").unwrap().unwrap().to_rfc3339(), "2026-02-10T00:00:00+00:00");
/// assert!(parse_halo("yesterday").is_err());
/// ```
pub fn parse_halo(s: &str) -> Result<Option<DateTime<Utc>>, DateError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let parsed = to_ticks(parse_utc(t).ok_or_else(|| DateError::new(s))?);
    Ok(if is_sentinel(&parsed) {
        None
    } else {
        Some(parsed)
    })
}

/// Truncates to Halo's precision (100 ns .NET ticks, no leap seconds), so that what is read is exactly
/// what [`format_halo`] can write back: a read–write–read round trip never changes a value.
fn to_ticks(d: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = (d.nanosecond() % 1_000_000_000) / 100 * 100;
    d.with_nanosecond(nanos).unwrap_or(d)
}

fn parse_utc(t: &str) -> Option<DateTime<Utc>> {
    let naive_part = t.strip_suffix('Z').or_else(|| t.strip_suffix('z'));
    if let Some(naive) = naive_part {
        return parse_naive(naive).map(|n| n.and_utc());
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    // Offsets with more than nine fraction digits or a space separator: fall back to chrono's free form.
    if let Ok(dt) = DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%:z") {
        return Some(dt.with_timezone(&Utc));
    }
    parse_naive(t).map(|n| n.and_utc())
}

fn parse_naive(t: &str) -> Option<NaiveDateTime> {
    // `%.f` accepts 0–9 fraction digits; Halo sends 0, 3 or 7.
    NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// True for Halo's "unset" placeholder dates (any year up to [`SENTINEL_MAX_YEAR`]).
pub fn is_sentinel(d: &DateTime<Utc>) -> bool {
    d.year() <= SENTINEL_MAX_YEAR
}

/// Formats a timestamp the way this crate writes dates to Halo: `YYYY-MM-DDTHH:MM:SS.fffffffZ`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let d = Utc.with_ymd_and_hms(2024, 6, 20, 14, 45, 15).unwrap();
/// assert_eq!(halo_model::date::format_halo(&d), "2024-06-20T14:45:15.0000000Z");
/// ```
pub fn format_halo(d: &DateTime<Utc>) -> String {
    // chrono has %3f/%6f/%9f but no 7-digit fraction; Halo's own output uses 7 (100 ns ticks, .NET).
    let ticks = (d.nanosecond() % 1_000_000_000) / 100;
    format!("{}.{ticks:07}Z", d.format("%Y-%m-%dT%H:%M:%S"))
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Halo date string such as 2024-06-20T14:45:15.9746271Z, or null")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        parse_halo(v).map_err(E::custom)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(DateVisitor)
    }
}

/// serde `with` module for `Option<DateTime<Utc>>` fields holding Halo dates.
///
/// Use with `#[serde(default, with = "halo_model::date::option", skip_serializing_if = "Option::is_none")]`.
pub mod option {
    use super::*;

    /// Reads a Halo date leniently (see the module docs); sentinels, `""` and `null` become `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        d.deserialize_any(DateVisitor)
    }

    /// Writes [`format_halo`], or `null` for `None` (normally skipped by `skip_serializing_if`).
    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&format_halo(d)),
            None => s.serialize_none(),
        }
    }
}

/// serde `with` module for required `DateTime<Utc>` fields (write types).
pub mod required {
    use super::*;

    /// Writes [`format_halo`].
    pub fn serialize<S: Serializer>(v: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_halo(v))
    }

    /// Reads a Halo date; a sentinel or empty value is an error here because the field is required.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        d.deserialize_any(DateVisitor)?.ok_or_else(|| {
            de::Error::custom("missing date: got Halo's \"unset\" sentinel or an empty value")
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(s: &str) -> DateTime<Utc> {
        parse_halo(s).unwrap().unwrap()
    }

    #[test]
    fn sentinels_are_none() {
        for s in [
            "1900-01-01T00:00:00",
            "1899-12-30T00:00:00",
            "0001-01-01T00:00:00",
            "1901-06-01T00:00:00Z",
            "",
            "  ",
        ] {
            assert_eq!(parse_halo(s).unwrap(), None, "{s:?}");
        }
        assert!(parse_halo("1902-01-01T00:00:00").unwrap().is_some());
    }

    #[test]
    fn seven_and_three_fraction_digits_with_and_without_z() {
        let seven = at("2024-06-20T14:45:15.9746271Z");
        assert_eq!(
            seven,
            Utc.with_ymd_and_hms(2024, 6, 20, 14, 45, 15).unwrap()
                + chrono::Duration::nanoseconds(974_627_100)
        );
        assert_eq!(at("2024-06-20T14:45:15.9746271"), seven);
        let three = at("2024-06-21T10:45:15.975Z");
        assert_eq!(three.timestamp_subsec_millis(), 975);
        assert_eq!(at("2024-06-21T10:45:15.975"), three);
        assert_eq!(
            at("2026-02-10T00:00:00"),
            Utc.with_ymd_and_hms(2026, 2, 10, 0, 0, 0).unwrap()
        );
        assert_eq!(
            at("2026-02-10"),
            Utc.with_ymd_and_hms(2026, 2, 10, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        assert_eq!(at("2024-06-20T16:45:15+02:00"), at("2024-06-20T14:45:15Z"));
        assert_eq!(
            at("2024-06-20T16:45:15.1234567+02:00"),
            at("2024-06-20T14:45:15.1234567Z")
        );
    }

    #[test]
    fn garbage_is_an_error_not_none() {
        for s in [
            "yesterday",
            "2024-13-01T00:00:00Z",
            "20240620",
            "2024-06-20T25:00:00",
        ] {
            assert!(parse_halo(s).is_err(), "{s}");
        }
    }

    #[test]
    fn format_uses_seven_digits_and_z() {
        assert_eq!(
            format_halo(&at("2024-06-20T14:45:15.9746271Z")),
            "2024-06-20T14:45:15.9746271Z"
        );
        assert_eq!(
            format_halo(&at("2024-06-21T10:45:15.975Z")),
            "2024-06-21T10:45:15.9750000Z"
        );
    }

    #[test]
    fn finer_than_100ns_is_truncated_on_read_so_round_trips_are_exact() {
        // Found by the model_read_types fuzz target: 9 fraction digits read, 7 written.
        let d = at("2026-09-25T06:41:08.780959150Z");
        assert_eq!(d.timestamp_subsec_nanos(), 780_959_100);
        assert_eq!(at(&format_halo(&d)), d);
        let leap = at("2016-12-31T23:59:60.123456789Z");
        assert_eq!(at(&format_halo(&leap)), leap);
    }

    #[test]
    fn format_then_parse_round_trips_at_100ns_precision() {
        let d = at("2031-01-02T03:04:05.1234567Z");
        assert_eq!(at(&format_halo(&d)), d);
    }
}
