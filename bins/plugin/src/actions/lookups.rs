//! Lookup actions workflow builders use to fill other inputs: statuses, ticket types, priorities,
//! teams, agents, outcomes. One macro-free struct each, sharing [`lookup_spec`].

use futures::FutureExt as _;
use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::{Action, StepResult, output};
use crate::connection::Ctx;
use crate::halo_errors::from_api;
use crate::spec::{ComponentSpec, Field};

fn lookup_spec(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    key: &'static str,
    key_title: &'static str,
    ty: &'static str,
    example: Value,
) -> ComponentSpec {
    ComponentSpec {
        name,
        title,
        description,
        input: vec![],
        output: vec![
            Field::new(key, key_title, ty, "Records of the tenant")
                .required()
                .example(json!([example])),
            Field::new("count", "Count", "integer", "Number of records")
                .required()
                .example(1),
        ],
    }
}

fn listed(key: &str, items: Vec<Value>) -> Value {
    let count = items.len();
    let mut m = serde_json::Map::new();
    m.insert(key.into(), Value::Array(items));
    m.insert("count".into(), count.into());
    Value::Object(m)
}

/// Lists statuses.
pub struct ListStatuses;

impl Action for ListStatuses {
    fn spec(&self) -> ComponentSpec {
        lookup_spec(
            "list_statuses",
            "List Statuses",
            "List the tenant's ticket statuses",
            "statuses",
            "Statuses",
            "[]status",
            json!({"id": 9, "name": "Closed", "is_closed": true}),
        )
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let l = ctx
                .client
                .list_statuses()
                .send()
                .await
                .map_err(|e| from_api(&e, "listing statuses"))?;
            Ok(listed("statuses", l.iter().map(output::status).collect()))
        }
        .boxed()
    }
}

/// Lists ticket types.
pub struct ListTicketTypes;

impl Action for ListTicketTypes {
    fn spec(&self) -> ComponentSpec {
        lookup_spec(
            "list_ticket_types",
            "List Ticket Types",
            "List the tenant's ticket types",
            "ticket_types",
            "Ticket Types",
            "[]ticket_type",
            json!({"id": 1, "name": "Incident"}),
        )
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let l = ctx
                .client
                .list_ticket_types()
                .send()
                .await
                .map_err(|e| from_api(&e, "listing ticket types"))?;
            Ok(listed(
                "ticket_types",
                l.iter().map(output::ticket_type).collect(),
            ))
        }
        .boxed()
    }
}

/// Lists priorities.
pub struct ListPriorities;

impl Action for ListPriorities {
    fn spec(&self) -> ComponentSpec {
        lookup_spec(
            "list_priorities",
            "List Priorities",
            "List the tenant's priorities with the SLA each belongs to",
            "priorities",
            "Priorities",
            "[]priority",
            json!({"id": 2, "name": "High", "sla_id": 1}),
        )
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let l = ctx
                .client
                .list_priorities()
                .send()
                .await
                .map_err(|e| from_api(&e, "listing priorities"))?;
            Ok(listed(
                "priorities",
                l.iter().filter_map(output::priority).collect(),
            ))
        }
        .boxed()
    }
}

/// Lists teams.
pub struct ListTeams;

impl Action for ListTeams {
    fn spec(&self) -> ComponentSpec {
        lookup_spec(
            "list_teams",
            "List Teams",
            "List the tenant's teams",
            "teams",
            "Teams",
            "[]team",
            json!({"id": 2, "name": "Security Operations"}),
        )
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let l = ctx
                .client
                .list_teams()
                .send()
                .await
                .map_err(|e| from_api(&e, "listing teams"))?;
            Ok(listed("teams", l.iter().map(output::team).collect()))
        }
        .boxed()
    }
}

/// Lists agents.
pub struct ListAgents;

impl Action for ListAgents {
    fn spec(&self) -> ComponentSpec {
        lookup_spec(
            "list_agents",
            "List Agents",
            "List the tenant's agents",
            "agents",
            "Agents",
            "[]agent",
            json!({"id": 4, "name": "Sam Analyst", "email": "user@example.com", "team": "Security Operations"}),
        )
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let l = ctx
                .client
                .list_agents()
                .send()
                .await
                .map_err(|e| from_api(&e, "listing agents"))?;
            Ok(listed("agents", l.iter().map(output::agent).collect()))
        }
        .boxed()
    }
}

/// Lists outcomes.
pub struct ListOutcomes;

impl Action for ListOutcomes {
    fn spec(&self) -> ComponentSpec {
        lookup_spec(
            "list_outcomes",
            "List Outcomes",
            "List the outcomes (action types) notes can be added with",
            "outcomes",
            "Outcomes",
            "[]outcome",
            json!({"id": 8, "name": "Private Note"}),
        )
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, _input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let l = ctx
                .client
                .list_outcomes()
                .send()
                .await
                .map_err(|e| from_api(&e, "listing outcomes"))?;
            Ok(listed("outcomes", l.iter().map(output::outcome).collect()))
        }
        .boxed()
    }
}
