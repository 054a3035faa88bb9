//! Resolving "an ID or a name" inputs against the tenant (ticket types, priorities, teams, agents,
//! categories, statuses, outcomes), and the connection's ticket defaults.
//!
//! Names match case-insensitively; a miss is an error that names the input and lists what exists.

use halo_model::{AgentId, PriorityId, StatusId, Team, TeamId, TicketTypeId};

use crate::connection::{Ctx, DefaultRef, DefaultRefs};
use crate::errors::StepError;
use crate::halo_errors::from_api;

/// Typed ids as plain numbers, for matching an input like "3".
trait RawId: Copy {
    fn raw(self) -> u64;
}

macro_rules! raw_id {
    ($($t:ty),*) => { $(impl RawId for $t { fn raw(self) -> u64 { self.get() } })* };
}
raw_id!(
    AgentId,
    PriorityId,
    StatusId,
    TeamId,
    TicketTypeId,
    halo_model::OutcomeId
);

impl RawId for u64 {
    fn raw(self) -> u64 {
        self
    }
}

/// One candidate: its id and the names it may be called by.
struct Candidate<I> {
    id: I,
    names: Vec<String>,
}

fn pick<I: RawId>(
    what: &str,
    input: &str,
    given: &str,
    items: Vec<Candidate<I>>,
) -> Result<I, StepError> {
    let given = given.trim();
    if let Ok(n) = given.parse::<u64>() {
        return items
            .iter()
            .find(|c| c.id.raw() == n)
            .map(|c| c.id)
            .ok_or_else(|| miss(what, input, &format!("ID {n}"), &items));
    }
    let lower = given.to_lowercase();
    items
        .iter()
        .find(|c| c.names.iter().any(|n| n.to_lowercase() == lower))
        .map(|c| c.id)
        .ok_or_else(|| miss(what, input, &format!("'{given}'"), &items))
}

fn miss<I: RawId>(what: &str, input: &str, shown: &str, items: &[Candidate<I>]) -> StepError {
    let mut known: Vec<String> = items
        .iter()
        .take(25)
        .map(|c| {
            format!(
                "{} ({})",
                c.names.first().cloned().unwrap_or_default(),
                c.id.raw()
            )
        })
        .collect();
    if items.len() > 25 {
        known.push("...".into());
    }
    StepError::plugin(
        format!("No {what} {shown} exists in Halo (input '{input}')."),
        format!(
            "Use an existing {what} ID or name; this tenant has: {}.",
            known.join(", ")
        ),
    )
}

/// A ticket type by id or name.
pub async fn ticket_type(ctx: &Ctx, input: &str, given: &str) -> Result<TicketTypeId, StepError> {
    let list = ctx
        .client
        .list_ticket_types()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing ticket types"))?;
    let items = list
        .into_iter()
        .map(|t| Candidate {
            id: t.id,
            names: t.name.into_iter().collect(),
        })
        .collect();
    pick("ticket type", input, given, items)
}

/// A priority by id or name (the first SLA's row wins when several SLAs share a name).
pub async fn priority(ctx: &Ctx, input: &str, given: &str) -> Result<PriorityId, StepError> {
    let list = ctx
        .client
        .list_priorities()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing priorities"))?;
    let mut items: Vec<Candidate<PriorityId>> = Vec::new();
    for p in list {
        if let Some(id) = p.priorityid
            && !items.iter().any(|c| c.id == id)
        {
            items.push(Candidate {
                id,
                names: p.name.into_iter().collect(),
            });
        }
    }
    pick("priority", input, given, items)
}

/// A team by id or name; returns the team (Halo wants its name on tickets too).
pub async fn team(ctx: &Ctx, input: &str, given: &str) -> Result<Team, StepError> {
    let list = ctx
        .client
        .list_teams()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing teams"))?;
    let items = list
        .iter()
        .map(|t| Candidate {
            id: t.id,
            names: t.name.clone().into_iter().collect(),
        })
        .collect();
    let id: TeamId = pick("team", input, given, items)?;
    list.into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| StepError::unexpected("Team vanished.", "Try again."))
}

/// An agent by id, name or email.
pub async fn agent(ctx: &Ctx, input: &str, given: &str) -> Result<AgentId, StepError> {
    let list = ctx
        .client
        .list_agents()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing agents"))?;
    let items = list
        .into_iter()
        .map(|a| Candidate {
            id: a.id,
            names: a.name.into_iter().chain(a.email).collect(),
        })
        .collect();
    pick("agent", input, given, items)
}

/// A status by id or name.
pub async fn status(ctx: &Ctx, input: &str, given: &str) -> Result<StatusId, StepError> {
    let list = ctx
        .client
        .list_statuses()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing statuses"))?;
    let items = list
        .into_iter()
        .map(|s| Candidate {
            id: s.id,
            names: s.name.into_iter().collect(),
        })
        .collect();
    pick("status", input, given, items)
}

/// An outcome by id or name.
pub async fn outcome(
    ctx: &Ctx,
    input: &str,
    given: &str,
) -> Result<halo_model::OutcomeId, StepError> {
    let list = ctx
        .client
        .list_outcomes()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing outcomes"))?;
    let items = list
        .iter()
        .map(|o| Candidate {
            id: o.id,
            names: o.name().map(str::to_string).into_iter().collect(),
        })
        .collect();
    pick("outcome", input, given, items)
}

/// The tenant's closed status: one named "Closed" that closes tickets, else the first status that closes.
pub async fn closed_status(ctx: &Ctx) -> Result<StatusId, StepError> {
    let list = ctx
        .client
        .list_statuses()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing statuses"))?;
    let named = list.iter().find(|s| {
        s.is_closed()
            && s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case("closed"))
    });
    named
        .or_else(|| list.iter().find(|s| s.is_closed()))
        .map(|s| s.id)
        .ok_or_else(|| {
            StepError::plugin(
                "This Halo tenant has no status that closes a ticket.",
                "Give the closed status explicitly in the input 'status' or 'closed_status_id'.",
            )
        })
}

/// A category by id or name; returns the category text Halo stores on the ticket.
pub async fn category(ctx: &Ctx, input: &str, given: &str) -> Result<String, StepError> {
    category_entry(ctx, input, given)
        .await
        .map(|(_, text)| text)
}

/// A category by id or name: its id and the category text Halo stores on the ticket.
async fn category_entry(ctx: &Ctx, input: &str, given: &str) -> Result<(u64, String), StepError> {
    let list = ctx
        .client
        .list_categories()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing categories"))?;
    let text = |c: &halo_model::Category| {
        c.value
            .clone()
            .or_else(|| c.category_name.clone())
            .unwrap_or_default()
    };
    let items: Vec<Candidate<u64>> = list
        .iter()
        .filter_map(|c| {
            Some(Candidate {
                id: u64::try_from(c.id?).ok()?,
                names: vec![text(c)],
            })
        })
        .collect();
    let id = pick("category", input, given, items)?;
    let value = list
        .iter()
        .find(|c| c.id.and_then(|i| u64::try_from(i).ok()) == Some(id))
        .map(text)
        .unwrap_or_default();
    Ok((id, value))
}

/// The connection's defaults for new tickets, resolved to ids.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// Ticket type.
    pub ticket_type: Option<TicketTypeId>,
    /// Priority.
    pub priority: Option<PriorityId>,
    /// Team.
    pub team: Option<Team>,
    /// Agent.
    pub agent: Option<AgentId>,
    /// Category text.
    pub category: Option<String>,
}

/// Which connection field a default is taken from: the name field when set, else the `*_id` field.
struct Chosen {
    input: String,
    given: String,
}

fn choose(name_key: &str, r: &DefaultRef) -> Option<Chosen> {
    match (&r.name, r.id) {
        (Some(name), _) => Some(Chosen {
            input: name_key.to_string(),
            given: name.clone(),
        }),
        (None, Some(id)) => Some(Chosen {
            input: format!("{name_key}_id"),
            given: id.to_string(),
        }),
        (None, None) => None,
    }
}

/// With both fields set, the name field resolved to `resolved`; the `*_id` field must name the same thing.
fn agree(what: &str, name_key: &str, r: &DefaultRef, resolved: u64) -> Result<(), StepError> {
    match (&r.name, r.id) {
        (Some(name), Some(id)) if id != resolved => Err(StepError::plugin(
            format!(
                "The connection's {name_key} '{name}' is {what} {resolved} but {name_key}_id is {id}: \
                 the two fields disagree."
            ),
            format!(
                "Clear {name_key} or {name_key}_id, or set both to the same {what} (ID {resolved} or ID {id})."
            ),
        )),
        _ => Ok(()),
    }
}

impl Defaults {
    /// Resolves every configured default; the first unknown one fails with its connection field named, and
    /// a name field and `*_id` field that name different things fail too.
    pub async fn resolve(ctx: &Ctx, refs: &DefaultRefs) -> Result<Self, StepError> {
        let mut d = Defaults::default();
        let key = "default_ticket_type";
        if let Some(c) = choose(key, &refs.ticket_type) {
            let id = ticket_type(ctx, &c.input, &c.given).await?;
            agree("ticket type", key, &refs.ticket_type, id.get())?;
            d.ticket_type = Some(id);
        }
        let key = "default_priority";
        if let Some(c) = choose(key, &refs.priority) {
            let id = priority(ctx, &c.input, &c.given).await?;
            agree("priority", key, &refs.priority, id.get())?;
            d.priority = Some(id);
        }
        let key = "default_team";
        if let Some(c) = choose(key, &refs.team) {
            let t = team(ctx, &c.input, &c.given).await?;
            agree("team", key, &refs.team, t.id.get())?;
            d.team = Some(t);
        }
        let key = "default_agent";
        if let Some(c) = choose(key, &refs.agent) {
            let id = agent(ctx, &c.input, &c.given).await?;
            agree("agent", key, &refs.agent, id.get())?;
            d.agent = Some(id);
        }
        let key = "default_category";
        if let Some(c) = choose(key, &refs.category) {
            let (id, text) = category_entry(ctx, &c.input, &c.given).await?;
            agree("category", key, &refs.category, id)?;
            d.category = Some(text);
        }
        Ok(d)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn r(name: Option<&str>, id: Option<u64>) -> DefaultRef {
        DefaultRef {
            name: name.map(str::to_string),
            id,
        }
    }

    #[test]
    fn the_name_field_wins_and_the_id_field_fills_in() {
        let c = choose("default_team", &r(Some("SOC"), Some(4))).unwrap();
        assert_eq!(
            (c.input.as_str(), c.given.as_str()),
            ("default_team", "SOC")
        );
        let c = choose("default_team", &r(None, Some(4))).unwrap();
        assert_eq!(
            (c.input.as_str(), c.given.as_str()),
            ("default_team_id", "4")
        );
        assert!(choose("default_team", &r(None, None)).is_none());
    }

    #[test]
    fn fields_that_disagree_are_an_error_naming_both() {
        assert!(agree("team", "default_team", &r(Some("SOC"), Some(4)), 4).is_ok());
        assert!(agree("team", "default_team", &r(Some("SOC"), None), 4).is_ok());
        assert!(agree("team", "default_team", &r(None, Some(2)), 4).is_ok());
        let e = agree("team", "default_team", &r(Some("SOC"), Some(2)), 4).unwrap_err();
        assert!(
            e.cause.contains("'SOC' is team 4 but default_team_id is 2"),
            "{}",
            e.cause
        );
        assert!(
            e.assistance
                .contains("Clear default_team or default_team_id"),
            "{}",
            e.assistance
        );
    }
}
