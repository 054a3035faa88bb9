//! Small serde helpers shared by the read types (not public API).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Keeps an explicit JSON `null` as `Some(Value::Null)` so it survives a round trip; a missing key
/// (with `#[serde(default)]`) stays `None`.
pub(crate) fn keep_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Renames alternative key spellings to the primary one before typed deserialisation.
///
/// When only the alternative is present it is renamed (so the typed field sees it); when both are
/// present the alternative stays as it is and therefore lands in `extra` — nothing is lost and
/// the duplicate does not make the record unreadable.
pub(crate) fn normalise_aliases(
    map: &mut serde_json::Map<String, Value>,
    aliases: &[(&str, &str)],
) {
    for (alt, primary) in aliases {
        if !map.contains_key(*primary)
            && let Some(v) = map.shift_remove(*alt)
        {
            map.insert((*primary).to_owned(), v);
        }
    }
}

/// Lower-cases top-level keys that match one of `known` case-insensitively (`Ticket` → `ticket`),
/// unless the exact spelling is already present.
pub(crate) fn normalise_case(map: &mut serde_json::Map<String, Value>, known: &[&str]) {
    let renames: Vec<(String, &str)> = map
        .keys()
        .filter_map(|k| {
            known
                .iter()
                .find(|want| k.as_str() != **want && k.eq_ignore_ascii_case(want))
                .map(|want| (k.clone(), *want))
        })
        .collect();
    for (from, to) in renames {
        if !map.contains_key(to)
            && let Some(v) = map.shift_remove(&from)
        {
            map.insert(to.to_owned(), v);
        }
    }
}
