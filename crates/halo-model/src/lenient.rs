//! serde helpers that read Halo's loosely typed scalars.
//!
//! Halo sends numbers as integers, doubles (`18.0`) or numeric strings (`"3"`), booleans occasionally as
//! `"true"`/`"True"`/`0`/`1`, and any scalar may be `null`. These functions are meant for
//! `#[serde(default, deserialize_with = "…")]` on `Option<…>` fields: `null` and `""` become `None`,
//! anything that cannot be read as the target type is an error naming what was expected.
//!
//! Ids in read types use [`opt_id`], which additionally maps negative numbers to `None`: Halo uses `-1`
//! (and sometimes other negatives) for "no user" / "no contract" and similar, and a typed id must not be
//! negative.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};

use crate::ids::{HaloId, id_from_f64, parse_id_str};

/// Largest double that still represents every integer exactly (2^53).
const MAX_EXACT_F64: f64 = 9_007_199_254_740_992.0;

fn f64_to_i64(v: f64) -> Option<i64> {
    if v.is_finite() && v.fract() == 0.0 && v.abs() <= MAX_EXACT_F64 {
        #[allow(clippy::cast_possible_truncation)]
        Some(v as i64)
    } else {
        None
    }
}

struct OptI64;

impl<'de> Visitor<'de> for OptI64 {
    type Value = Option<i64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number (3, \"3\" or 3.0) or null")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        i64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("number {v} is too large")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        f64_to_i64(v)
            .map(Some)
            .ok_or_else(|| E::custom(format!("expected a whole number, got {v}")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Some(i));
        }
        t.parse::<f64>()
            .ok()
            .and_then(f64_to_i64)
            .map(Some)
            .ok_or_else(|| E::custom(format!("expected a whole number, got {v:?}")))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(i64::from(v)))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(OptI64)
    }
}

/// `Option<i64>` from an integer, integral double, numeric string, bool (0/1), `""` or `null`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(OptI64)
}

struct OptF64;

impl<'de> Visitor<'de> for OptF64 {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number (0.25 or \"0.25\") or null")
    }
    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Some(f)),
            _ => Err(E::custom(format!("expected a number, got {v:?}"))),
        }
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(OptF64)
    }
}

/// `Option<f64>` from any JSON number, a numeric string, `""` or `null`.
pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    d.deserialize_any(OptF64)
}

struct OptBool;

impl<'de> Visitor<'de> for OptBool {
    type Value = Option<bool>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean (true, \"true\", \"True\", 0 or 1) or null")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match v {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::custom(format!("expected a boolean, got {v}"))),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        match v {
            0 => Ok(Some(false)),
            1 => Ok(Some(true)),
            _ => Err(E::custom(format!("expected a boolean, got {v}"))),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            Ok(None)
        } else if t.eq_ignore_ascii_case("true") || t == "1" {
            Ok(Some(true))
        } else if t.eq_ignore_ascii_case("false") || t == "0" {
            Ok(Some(false))
        } else {
            Err(E::custom(format!("expected a boolean, got {v:?}")))
        }
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(OptBool)
    }
}

/// `Option<bool>` from `true`, `"true"`/`"True"`, `0`/`1`, `""` or `null`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    d.deserialize_any(OptBool)
}

struct OptString;

impl<'de> Visitor<'de> for OptString {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or null")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(OptString)
    }
}

/// `Option<String>` from a string (kept as is, `""` included), a number or bool (stringified), or `null`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(OptString)
}

struct OptId<T>(PhantomData<T>);

impl<'de, T: HaloId> Visitor<'de> for OptId<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} (3, \"3\" or 3.0) or null", T::NAME)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(T::from_u64(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        // Negative ids are Halo's "none" markers (-1 = no user, no contract, …).
        Ok(u64::try_from(v).ok().map(T::from_u64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v < 0.0 && v.fract() == 0.0 {
            return Ok(None);
        }
        id_from_f64(T::NAME, v)
            .map(|raw| Some(T::from_u64(raw)))
            .map_err(|reason| E::custom(format!("invalid {} {v}: {reason}", T::NAME)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if t.starts_with('-') && t.parse::<i64>().is_ok() {
            return Ok(None);
        }
        parse_id_str(T::NAME, t)
            .map(|raw| Some(T::from_u64(raw)))
            .map_err(E::custom)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(OptId(PhantomData))
    }
}

/// `Option<Id>` for read types: like the id's own `Deserialize`, plus `null`/`""` and negative
/// numbers (Halo's "none" markers) read as `None`. Fractions and text are still errors.
pub fn opt_id<'de, D: Deserializer<'de>, T: HaloId>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_any(OptId(PhantomData))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::TicketId;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_i64")]
        i: Option<i64>,
        #[serde(default, deserialize_with = "opt_f64")]
        f: Option<f64>,
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "opt_id")]
        id: Option<TicketId>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn missing_and_null_are_none() {
        let p = probe("{}");
        assert!(p.i.is_none() && p.f.is_none() && p.b.is_none() && p.s.is_none() && p.id.is_none());
        let p = probe(r#"{"i":null,"f":null,"b":null,"s":null,"id":null}"#);
        assert!(p.i.is_none() && p.f.is_none() && p.b.is_none() && p.s.is_none() && p.id.is_none());
    }

    #[test]
    fn numbers_from_strings_and_doubles() {
        let p = probe(r#"{"i":"3","f":"0.25","b":"True","s":12,"id":"42"}"#);
        assert_eq!(
            (p.i, p.f, p.b, p.s.as_deref(), p.id),
            (
                Some(3),
                Some(0.25),
                Some(true),
                Some("12"),
                Some(TicketId::new(42))
            )
        );
        let p = probe(r#"{"i":3.0,"f":1,"b":0,"id":42.0}"#);
        assert_eq!(
            (p.i, p.f, p.b, p.id),
            (Some(3), Some(1.0), Some(false), Some(TicketId::new(42)))
        );
    }

    #[test]
    fn negative_ids_are_none_but_fractions_fail() {
        assert_eq!(probe(r#"{"id":-1}"#).id, None);
        assert_eq!(probe(r#"{"id":"-1"}"#).id, None);
        assert!(serde_json::from_str::<Probe>(r#"{"id":1.5}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"id":"x"}"#).is_err());
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(serde_json::from_str::<Probe>(r#"{"i":3.5}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"i":"three"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"b":"maybe"}"#).is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"f":[1]}"#).is_err());
    }
}
