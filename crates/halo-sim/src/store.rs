//! The tenant's data in memory: lookups from the seed and tickets, actions and attachments as Halo JSON
//! objects (`serde_json::Map`), so unknown fields survive a round trip.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::config::CustomFieldUpdate;
use crate::request::lenient_int;
use crate::seed::Seed;

pub(crate) type Obj = Map<String, Value>;

/// A stored attachment: Halo metadata plus the bytes.
#[derive(Debug, Clone)]
pub(crate) struct StoredAttachment {
    pub meta: Obj,
    pub data: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct Store {
    pub seed: Seed,
    pub tickets: BTreeMap<u64, Obj>,
    /// Per ticket, ascending by per-ticket action id.
    pub actions: BTreeMap<u64, Vec<Obj>>,
    pub next_ticket_id: u64,
    pub attachments: BTreeMap<u64, StoredAttachment>,
    pub next_attachment_id: u64,
    pub cf_mode: CustomFieldUpdate,
}

fn id_of(v: &Value) -> Option<i64> {
    v.get("id").and_then(lenient_int)
}

impl Store {
    pub(crate) fn new(seed: Seed, cf_mode: CustomFieldUpdate) -> Self {
        let next_ticket_id = seed.first_ticket_id.max(1);
        Self {
            seed,
            tickets: BTreeMap::new(),
            actions: BTreeMap::new(),
            next_ticket_id,
            attachments: BTreeMap::new(),
            next_attachment_id: 1,
            cf_mode,
        }
    }

    fn find(list: &[Value], id: i64) -> Option<&Value> {
        list.iter().find(|v| id_of(v) == Some(id))
    }

    pub(crate) fn status(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.statuses, id)
    }

    pub(crate) fn is_closed_status(&self, id: i64) -> bool {
        self.status(id)
            .and_then(|s| s.get("is_closed"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    pub(crate) fn ticket_type(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.ticket_types, id)
    }

    pub(crate) fn sla(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.slas, id)
    }

    pub(crate) fn priority(&self, sla: i64, priority: i64) -> Option<&Value> {
        self.seed.priorities.iter().find(|p| {
            p.get("slaid").and_then(lenient_int) == Some(sla)
                && p.get("priorityid").and_then(lenient_int) == Some(priority)
        })
    }

    pub(crate) fn agent(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.agents, id)
    }

    pub(crate) fn team(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.teams, id)
    }

    pub(crate) fn team_by_name(&self, name: &str) -> Option<&Value> {
        self.seed.teams.iter().find(|t| {
            t.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    pub(crate) fn client(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.clients, id)
    }

    pub(crate) fn site(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.sites, id)
    }

    pub(crate) fn user(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.users, id)
    }

    pub(crate) fn outcome(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.outcomes, id)
    }

    pub(crate) fn outcome_by_name(&self, name: &str) -> Option<&Value> {
        self.seed.outcomes.iter().find(|o| {
            o.get("outcome")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name.trim()))
        })
    }

    /// Ticket custom field definitions (`usage` 1).
    pub(crate) fn ticket_fields(&self) -> impl Iterator<Item = &Value> {
        self.seed
            .field_info
            .iter()
            .filter(|f| f.get("usage").and_then(lenient_int).unwrap_or(1) == 1)
    }

    pub(crate) fn field(&self, id: i64) -> Option<&Value> {
        Self::find(&self.seed.field_info, id)
    }

    pub(crate) fn field_by_name(&self, name: &str) -> Option<&Value> {
        self.seed.field_info.iter().find(|f| {
            f.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    pub(crate) fn api_agent(&self) -> Option<&Value> {
        self.agent(i64::try_from(self.seed.api_agent_id).unwrap_or(0))
    }

    pub(crate) fn api_agent_name(&self) -> String {
        self.api_agent()
            .and_then(|a| a.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("API")
            .to_owned()
    }

    /// Live (not deleted) ticket.
    pub(crate) fn live_ticket(&self, id: u64) -> Option<&Obj> {
        self.tickets
            .get(&id)
            .filter(|t| !t.get("deleted").and_then(Value::as_bool).unwrap_or(false))
    }
}
