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

/// The field names a derived `Deserialize` struct knows (what serde passes to `deserialize_struct`).
///
/// Lets a read type take its typed fields from a parsed map and keep exactly the other keys as `extra`,
/// without `#[serde(flatten)]` (which buffers every unknown key a second time). Empty for a type that does
/// not deserialise as a struct.
pub(crate) fn struct_fields<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldProbe(&mut fields));
    fields
}

/// A deserializer that only records the field list it is asked for, then stops.
struct FieldProbe<'a>(&'a mut &'static [&'static str]);

/// The probe's only error: "stopped after seeing the fields".
#[derive(Debug)]
struct ProbeStop;

impl std::fmt::Display for ProbeStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field probe")
    }
}

impl std::error::Error for ProbeStop {}

impl serde::de::Error for ProbeStop {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        ProbeStop
    }
}

impl<'de> Deserializer<'de> for FieldProbe<'_> {
    type Error = ProbeStop;

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, ProbeStop> {
        *self.0 = fields;
        Err(ProbeStop)
    }

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, ProbeStop> {
        Err(ProbeStop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Two {
        a: u8,
        #[serde(rename = "B")]
        b: u8,
    }

    #[test]
    fn struct_fields_lists_the_serde_names_and_nothing_for_non_structs() {
        assert_eq!(struct_fields::<Two>(), ["a", "B"]);
        assert!(struct_fields::<u32>().is_empty());
        assert!(struct_fields::<std::collections::BTreeMap<String, u8>>().is_empty());
        assert_eq!(ProbeStop.to_string(), "field probe");
        assert_eq!(
            <ProbeStop as serde::de::Error>::custom("x").to_string(),
            "field probe"
        );
    }
}
