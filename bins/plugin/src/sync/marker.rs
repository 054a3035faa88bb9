//! Markers the plugin writes into Halo so it can recognise its own data later.
//!
//! - The external-key marker `[ext:<key>]` at the end of a ticket summary: Halo's ticket list has no
//!   custom-field filter, so the summary marker is what `upsert_ticket` searches for (the custom field,
//!   when the tenant has it, holds the same key as the authoritative value).
//! - The origin marker on every note the plugin writes, so triggers and workflows can tell the plugin's
//!   own notes apart and never echo them back.
//! - The note-key marker `[note:<key>]` beside it when `add_comment` is given a `note_key`, so a re-run
//!   step finds its note instead of writing it again.

use halo_model::ticket_write::MAX_SUMMARY_CHARS;

/// Text every note written by the plugin carries (visible, because Halo may strip HTML comments).
pub const ORIGIN_MARKER: &str = "[InsightConnect]";

/// Longest external key accepted (the marker must fit in a 250 character summary with room for text).
pub const MAX_KEY_CHARS: usize = 180;

/// `[ext:<key>]`.
///
/// ```
/// assert_eq!(haloitsm_plugin::sync::marker::external_marker("rrn:idr:1"), "[ext:rrn:idr:1]");
/// ```
pub fn external_marker(key: &str) -> String {
    format!("[ext:{key}]")
}

/// The text searched for with `search_summary`: the marker without brackets, because Halo's SQL `LIKE`
/// treats `[...]` as a character class. Hits are then checked for the exact marker.
pub fn search_text(key: &str) -> String {
    format!("ext:{key}")
}

/// Checks an external key: not blank, not too long, no `]` or line breaks (they would break the marker).
pub fn check_key(key: &str) -> Result<&str, String> {
    let key = key.trim();
    if key.is_empty() {
        return Err("the external key is empty".into());
    }
    if key.chars().count() > MAX_KEY_CHARS {
        return Err(format!(
            "the external key is longer than {MAX_KEY_CHARS} characters"
        ));
    }
    if key.contains([']', '\n', '\r']) {
        return Err("the external key must not contain ']' or line breaks".into());
    }
    Ok(key)
}

/// `summary` with the marker appended, the text shortened (on a character boundary) so the whole
/// fits Halo's summary limit. An existing marker for the same key is not repeated.
///
/// ```
/// use haloitsm_plugin::sync::marker::summary_with_marker;
/// assert_eq!(summary_with_marker("Phish", "k1"), "Phish [ext:k1]");
/// assert_eq!(summary_with_marker("Phish [ext:k1]", "k1"), "Phish [ext:k1]");
/// assert!(summary_with_marker(&"x".repeat(400), "k1").chars().count() <= 250);
/// ```
pub fn summary_with_marker(summary: &str, key: &str) -> String {
    let marker = external_marker(key);
    let text = summary.replace(&marker, "");
    let text = text.trim();
    let room = MAX_SUMMARY_CHARS.saturating_sub(marker.chars().count() + 1);
    let mut short: String = text.chars().take(room).collect();
    if short.chars().count() < text.chars().count() {
        short = short
            .chars()
            .take(room.saturating_sub(1))
            .collect::<String>()
            + "…";
    }
    if short.is_empty() {
        marker
    } else {
        format!("{short} {marker}")
    }
}

/// Whether a summary carries the exact marker for `key`.
pub fn has_marker(summary: &str, key: &str) -> bool {
    summary.contains(&external_marker(key))
}

/// The paragraph appended to a note the plugin writes: the origin marker, and the note-key marker when
/// there is a key (checked with [`check_note_key`], so it needs no HTML escaping).
///
/// ```
/// use haloitsm_plugin::sync::marker::note_footer;
/// assert_eq!(note_footer(None), "<p>[InsightConnect]</p>");
/// assert_eq!(note_footer(Some("alert-7")), "<p>[InsightConnect] [note:alert-7]</p>");
/// ```
pub fn note_footer(key: Option<&str>) -> String {
    match key {
        Some(k) => format!("<p>{ORIGIN_MARKER} {}</p>", note_marker(k)),
        None => format!("<p>{ORIGIN_MARKER}</p>"),
    }
}

/// `[note:<key>]`.
pub fn note_marker(key: &str) -> String {
    format!("[note:{key}]")
}

/// Checks a note key: an external key (see [`check_key`]) that also has no HTML-special characters or
/// white space inside, so it reads back the same from `note` and `note_html`.
pub fn check_note_key(key: &str) -> Result<&str, String> {
    let key = check_key(key).map_err(|e| e.replace("external key", "note key"))?;
    if key.contains(['<', '>', '&', '"', '\'', ' ', '\t']) {
        return Err("the note key must not contain spaces, quotes or any of < > &".into());
    }
    Ok(key)
}

/// Whether a note was written by the plugin.
pub fn is_own_note(note: &str) -> bool {
    note.contains(ORIGIN_MARKER)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert!(check_key(" ").is_err());
        assert!(check_key("a]b").is_err());
        assert!(check_key(&"k".repeat(181)).is_err());
        assert_eq!(check_key(" rrn:x ").unwrap(), "rrn:x");
    }

    #[test]
    fn note_keys_are_checked() {
        assert_eq!(check_note_key(" rrn:idr:1 ").unwrap(), "rrn:idr:1");
        for bad in ["", "a b", "a]b", "<x>", "a&b", "a\"b", "a\nb"] {
            assert!(check_note_key(bad).is_err(), "{bad:?}");
        }
        assert!(check_note_key(" ").unwrap_err().contains("note key"));
        assert!(is_own_note(&note_footer(Some("k"))));
    }

    #[test]
    fn marker_survives_long_summaries() {
        let s = summary_with_marker(&"é".repeat(300), "rrn:idr:abc");
        assert!(s.ends_with("[ext:rrn:idr:abc]"));
        assert!(s.chars().count() <= MAX_SUMMARY_CHARS);
        assert!(has_marker(&s, "rrn:idr:abc"));
        assert!(!has_marker(&s, "rrn:idr:ab"));
    }
}
