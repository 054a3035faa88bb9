//! Typed Halo ids, so a ticket id can never be passed where an agent id is expected.
//!
//! Halo is inconsistent about how it sends ids: mostly integers, sometimes numeric strings (`"3"`, seen in
//! UI payloads and custom-field values) and sometimes doubles (`Site.client_id`, `Users.site_id` come back
//! as `18.0`). Every id here reads all three and rejects fractions, negatives and non-numbers with an error
//! naming the id type. Ids are always written as JSON integers.
//!
//! Action ids are different: Halo numbers actions per ticket (1, 2, 3 … within each ticket), so an
//! [`ActionId`] is always the pair *(ticket, sequence)*.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::error::IdError;

/// Largest id Halo can store: its ids are 32-bit signed integers (swagger `int32`).
pub const MAX_HALO_ID: u64 = i32::MAX as u64;

/// Behaviour shared by every typed id (used by the lenient helpers; also handy in generic code).
pub trait HaloId: Copy + Eq + Ord + std::hash::Hash + fmt::Debug + fmt::Display + 'static {
    /// Type name used in error messages, e.g. `"TicketId"`.
    const NAME: &'static str;
    /// Wraps a raw number.
    fn from_u64(raw: u64) -> Self;
    /// The raw number.
    fn as_u64(self) -> u64;
}

/// Largest double that still represents every integer exactly (2^53).
const MAX_EXACT_F64: f64 = 9_007_199_254_740_992.0;

/// Parses `"3"`, `" 3 "` or `"3.0"` into a raw id.
pub(crate) fn parse_id_str(kind: &'static str, s: &str) -> Result<u64, IdError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(IdError::new(kind, s, "empty"));
    }
    if let Ok(v) = t.parse::<u64>() {
        return Ok(v);
    }
    if t.starts_with('-') && t[1..].bytes().all(|b| b.is_ascii_digit()) && t.len() > 1 {
        return Err(IdError::new(kind, s, "negative"));
    }
    match t.parse::<f64>() {
        Ok(f) => id_from_f64(kind, f).map_err(|reason| IdError::new(kind, s, reason)),
        Err(_) => {
            if t.bytes().all(|b| b.is_ascii_digit()) {
                Err(IdError::new(kind, s, "too large"))
            } else {
                Err(IdError::new(kind, s, "not a number"))
            }
        }
    }
}

/// Accepts integral, non-negative doubles that are exactly representable.
pub(crate) fn id_from_f64(_kind: &'static str, f: f64) -> Result<u64, &'static str> {
    if !f.is_finite() {
        Err("not a finite number")
    } else if f.fract() != 0.0 {
        Err("has a fractional part")
    } else if f < 0.0 {
        Err("negative")
    } else if f > MAX_EXACT_F64 {
        Err("too large")
    } else {
        // Exact: integral, non-negative and below 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(f as u64)
    }
}

/// serde visitor shared by all id types.
pub(crate) struct IdVisitor(pub(crate) &'static str);

impl<'de> Visitor<'de> for IdVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a {} (a non-negative whole number such as 3, \"3\" or 3.0)",
            self.0
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| E::custom(IdError::new(self.0, v.to_string(), "negative")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        id_from_f64(self.0, v)
            .map_err(|reason| E::custom(IdError::new(self.0, v.to_string(), reason)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        parse_id_str(self.0, v).map_err(E::custom)
    }
}

macro_rules! halo_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Reads `3`, `"3"` and `3.0`; writes `3`. `Display` prints the plain number.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u64);

        impl $name {
            /// Wraps a raw Halo id.
            pub const fn new(raw: u64) -> Self {
                Self(raw)
            }

            /// The raw number.
            pub const fn get(self) -> u64 {
                self.0
            }
        }

        impl HaloId for $name {
            const NAME: &'static str = stringify!($name);
            fn from_u64(raw: u64) -> Self {
                Self(raw)
            }
            fn as_u64(self) -> u64 {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                parse_id_str(stringify!($name), s).map(Self)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }

        impl From<u64> for $name {
            fn from(raw: u64) -> Self {
                Self(raw)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u64(self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(IdVisitor(stringify!($name))).map(Self)
            }
        }
    };
}

halo_id!(
    /// A ticket number (`Faults.id`, also `hdid`; shown as `reference` e.g. `IN-0009499`).
    TicketId
);
halo_id!(
    /// A ticket status (`TStatus.id`; `status_id` on tickets, `new_status` on actions).
    StatusId
);
halo_id!(
    /// A ticket type (`RequestType.id`; `tickettype_id` on tickets, `requesttype_id` in list filters).
    TicketTypeId
);
halo_id!(
    /// A priority *within an SLA* (`Policy.priorityid`; `priority_id` on tickets). Not the Policy GUID.
    PriorityId
);
halo_id!(
    /// A service-level agreement (`sla_id`, `Policy.slaid`).
    SlaId
);
halo_id!(
    /// A team (`SectionDetail.id`; `team_id` on tickets — note tickets are *written* with the team name).
    TeamId
);
halo_id!(
    /// An agent (`Uname.id`; `agent_id` on tickets, `new_agent` on actions).
    AgentId
);
halo_id!(
    /// An end user / contact (`Users.id`; `user_id` on tickets).
    UserId
);
halo_id!(
    /// A client / customer (`Area.id`; `client_id`).
    ClientId
);
halo_id!(
    /// A client site (`Site.id`; `site_id`).
    SiteId
);
halo_id!(
    /// An action type (`TOutcome.id`; `outcome_id` on actions). Stock tenants use 7 for "Internal Note".
    OutcomeId
);
halo_id!(
    /// A custom-field definition (`FieldInfo.id`; `customfields[].id`).
    FieldId
);
halo_id!(
    /// An uploaded attachment (`Attachment.id`).
    AttachmentId
);
halo_id!(
    /// A category value (`CategoryDetail.id`; the ids the `category_1`..`category_4` ticket list filters take —
    /// tickets themselves store the category's text).
    CategoryId
);

/// An action (note) on a ticket. Halo numbers actions per ticket, so the id is the pair
/// *(ticket, sequence)* and every action call must carry both (`GET /Actions/{seq}?ticket_id={ticket}`).
///
/// `Display` and `FromStr` use `ticket/seq`:
///
/// ```
/// use halo_model::{ActionId, TicketId};
/// let id = ActionId::new(TicketId::new(4242), 3);
/// assert_eq!(id.to_string(), "4242/3");
/// assert_eq!("4242/3".parse::<ActionId>().unwrap(), id);
/// assert_eq!(id.ticket(), TicketId::new(4242));
/// assert_eq!(id.seq(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionId {
    ticket: TicketId,
    seq: u64,
}

impl ActionId {
    /// Action number `seq` of `ticket`.
    pub const fn new(ticket: TicketId, seq: u64) -> Self {
        Self { ticket, seq }
    }

    /// The ticket the action belongs to.
    pub const fn ticket(self) -> TicketId {
        self.ticket
    }

    /// The per-ticket action number (Halo's action `id`).
    pub const fn seq(self) -> u64 {
        self.seq
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ticket, self.seq)
    }
}

impl FromStr for ActionId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        let (t, n) = s
            .split_once('/')
            .ok_or_else(|| IdError::new("ActionId", s, "expected ticket/seq such as 4242/3"))?;
        let ticket = parse_id_str("ActionId", t)?;
        let seq = parse_id_str("ActionId", n)?;
        Ok(Self::new(TicketId::new(ticket), seq))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn reads_int_string_and_double() {
        for raw in ["3", "\"3\"", "3.0", "\" 3 \"", "\"3.0\""] {
            let id: TicketId = serde_json::from_str(raw).unwrap();
            assert_eq!(id.get(), 3, "input {raw}");
        }
    }

    #[test]
    fn writes_integer() {
        assert_eq!(serde_json::to_string(&AgentId::new(7)).unwrap(), "7");
    }

    #[test]
    fn rejects_fraction_negative_and_text_with_type_name() {
        for (raw, reason) in [
            ("3.5", "fractional"),
            ("-1", "negative"),
            ("\"-1\"", "negative"),
            ("\"abc\"", "not a number"),
            ("\"\"", "empty"),
            ("true", "StatusId"),
            ("1e300", "too large"),
        ] {
            let err = serde_json::from_str::<StatusId>(raw)
                .unwrap_err()
                .to_string();
            assert!(err.contains(reason), "{raw}: {err}");
        }
    }

    #[test]
    fn display_and_debug() {
        assert_eq!(TeamId::new(26).to_string(), "26");
        assert_eq!(format!("{:?}", TeamId::new(26)), "TeamId(26)");
    }

    #[test]
    fn action_id_parse_errors() {
        assert!("4242".parse::<ActionId>().is_err());
        assert!("4242/x".parse::<ActionId>().is_err());
        assert!("-1/2".parse::<ActionId>().is_err());
    }
}
