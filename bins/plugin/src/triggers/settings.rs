//! A trigger's inputs: poll interval, look-back window, filters (ticket, ticket type, team, agent, client,
//! status, priority, new status) resolved against the tenant once at start, and whether to skip changes
//! made by the plugin's own API agent.

use std::time::Duration;

use halo_model::{AgentId, ClientId, PriorityId, StatusId, Team, Ticket, TicketId, TicketTypeId};
use serde_json::Value;

use super::event::Kind;
use crate::actions::input::Input;
use crate::actions::resolve;
use crate::connection::Ctx;
use crate::errors::StepError;

/// Default seconds between polls.
pub const DEFAULT_INTERVAL_SECS: u64 = 60;
/// Default look-back in seconds (re-read window for late indexing).
pub const DEFAULT_LOOKBACK_SECS: u64 = 120;
/// Longest accepted interval / look-back (one day).
pub const MAX_SECS: u64 = 86_400;

/// What a trigger reports.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only this ticket.
    pub ticket: Option<TicketId>,
    /// Ticket type.
    pub ticket_type: Option<TicketTypeId>,
    /// Team.
    pub team: Option<Team>,
    /// Assigned agent.
    pub agent: Option<AgentId>,
    /// Client.
    pub client: Option<ClientId>,
    /// Current status.
    pub status: Option<StatusId>,
    /// Priority.
    pub priority: Option<PriorityId>,
    /// New status (status changes only).
    pub new_status: Option<StatusId>,
}

impl Filters {
    /// Whether a ticket (its state after the change) passes every filter.
    pub fn matches(&self, t: &Ticket) -> bool {
        let team_ok = self
            .team
            .as_ref()
            .is_none_or(|want| match (t.team_id, t.team.as_deref()) {
                (Some(id), _) => id == want.id,
                (None, Some(name)) => want
                    .name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name)),
                (None, None) => false,
            });
        team_ok
            && self.ticket.is_none_or(|x| x == t.id)
            && self.ticket_type.is_none_or(|x| t.tickettype_id == Some(x))
            && self.agent.is_none_or(|x| t.agent_id == Some(x))
            && self.client.is_none_or(|x| t.client_id == Some(x))
            && self.status.is_none_or(|x| t.status_id == Some(x))
            && self.priority.is_none_or(|x| t.priority_id == Some(x))
            && self.new_status.is_none_or(|x| t.status_id == Some(x))
    }
}

/// Everything a running trigger needs from its input.
#[derive(Debug, Clone)]
pub struct TriggerSettings {
    /// Which trigger.
    pub kind: Kind,
    /// Time between polls.
    pub interval: Duration,
    /// How far before the watermark each poll re-reads.
    pub lookback: Duration,
    /// Filters.
    pub filters: Filters,
    /// Skip changes attributed to the plugin's own API agent.
    pub exclude_own_changes: bool,
}

fn secs(inp: &Input, key: &str, default: u64) -> Result<Duration, StepError> {
    let n = match inp.raw(key) {
        None | Some(Value::Null) => default,
        Some(_) => inp.u64(key).ok_or_else(|| {
            StepError::client(
                format!("Input '{key}' must be a whole number of seconds"),
                format!("Set '{key}' to e.g. {default}."),
            )
        })?,
    };
    if (n == 0 && key == "interval") || n > MAX_SECS {
        return Err(StepError::client(
            format!(
                "Input '{key}' must be between {} and {MAX_SECS} seconds",
                u64::from(key == "interval")
            ),
            format!("Set '{key}' to e.g. {default}."),
        ));
    }
    Ok(Duration::from_secs(n))
}

impl TriggerSettings {
    /// Reads and resolves the input (names looked up in the tenant; an unknown name fails the start).
    pub async fn resolve(ctx: &Ctx, kind: Kind, input: Value) -> Result<Self, StepError> {
        let inp = Input::new(input);
        let mut f = Filters {
            ticket: inp.id("ticket_id").map(TicketId::new),
            ..Filters::default()
        };
        f.ticket_type = match (inp.id("tickettype_id"), inp.str("ticket_type")) {
            (Some(id), _) => Some(TicketTypeId::new(id)),
            (None, Some(n)) => Some(resolve::ticket_type(ctx, "ticket_type", &n).await?),
            (None, None) => None,
        };
        if let Some(n) = inp.str("team") {
            f.team = Some(resolve::team(ctx, "team", &n).await?);
        }
        f.agent = match (inp.id("agent_id"), inp.str("agent")) {
            (Some(id), _) => Some(AgentId::new(id)),
            (None, Some(n)) => Some(resolve::agent(ctx, "agent", &n).await?),
            (None, None) => None,
        };
        f.client = inp.id("client_id").map(ClientId::new);
        f.priority = match (inp.id("priority_id"), inp.str("priority")) {
            (Some(id), _) => Some(PriorityId::new(id)),
            (None, Some(n)) => Some(resolve::priority(ctx, "priority", &n).await?),
            (None, None) => None,
        };
        if let Some(n) = inp.str("status") {
            f.status = Some(resolve::status(ctx, "status", &n).await?);
        }
        if kind == Kind::StatusChanged {
            f.new_status = match (inp.id("new_status_id"), inp.str("new_status")) {
                (Some(id), _) => Some(StatusId::new(id)),
                (None, Some(n)) => Some(resolve::status(ctx, "new_status", &n).await?),
                (None, None) => None,
            };
        }
        Ok(Self {
            kind,
            interval: secs(&inp, "interval", DEFAULT_INTERVAL_SECS)?,
            lookback: secs(&inp, "lookback", DEFAULT_LOOKBACK_SECS)?,
            filters: f,
            exclude_own_changes: inp.bool_or("exclude_own_changes", false),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn filters_match_the_new_state() {
        let t: Ticket = serde_json::from_value(
            json!({"id": 7, "status_id": 2, "team": "SOC", "tickettype_id": 21}),
        )
        .unwrap();
        assert!(Filters::default().matches(&t));
        let team: Team = serde_json::from_value(json!({"id": 4, "name": "soc"})).unwrap();
        assert!(
            Filters {
                team: Some(team.clone()),
                ..Filters::default()
            }
            .matches(&t)
        );
        assert!(
            Filters {
                new_status: Some(StatusId::new(2)),
                ticket_type: Some(TicketTypeId::new(21)),
                ..Filters::default()
            }
            .matches(&t)
        );
        assert!(
            !Filters {
                new_status: Some(StatusId::new(9)),
                ..Filters::default()
            }
            .matches(&t)
        );
        assert!(
            !Filters {
                ticket: Some(TicketId::new(8)),
                ..Filters::default()
            }
            .matches(&t)
        );
        let t2: Ticket =
            serde_json::from_value(json!({"id": 7, "team_id": 3, "team": "SOC"})).unwrap();
        assert!(
            !Filters {
                team: Some(team),
                ..Filters::default()
            }
            .matches(&t2)
        );
    }

    #[test]
    fn interval_bounds() {
        let inp = Input::new(json!({"interval": 0}));
        assert!(secs(&inp, "interval", 60).is_err());
        let inp = Input::new(json!({"interval": 5, "lookback": 0}));
        assert_eq!(secs(&inp, "interval", 60).unwrap(), Duration::from_secs(5));
        assert_eq!(secs(&inp, "lookback", 120).unwrap(), Duration::ZERO);
        let inp = Input::new(json!({"interval": "x"}));
        assert!(secs(&inp, "interval", 60).is_err());
    }
}
