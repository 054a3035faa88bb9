//! `get_user` and `get_agent`.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::{AgentId, UserId};
use serde_json::{Value, json};

use super::input::Input;
use super::{Action, StepResult, output};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::halo_errors::from_api;
use crate::spec::{ComponentSpec, Field};

fn not_found(e: &halo_api::Error, what: &str, input: &str, id: u64) -> StepError {
    if e.kind() == halo_api::ErrorKind::NotFound {
        return StepError::plugin(
            format!("{what} {id} was not found in Halo."),
            format!("Check the input '{input}'."),
        )
        .with_halo_kind(e.kind());
    }
    from_api(e, &format!("getting {} {id}", what.to_lowercase()))
}

/// Gets an end user.
pub struct GetUser;

impl Action for GetUser {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "get_user",
            title: "Get User",
            description: "Get an end user by ID",
            input: vec![
                Field::new("user_id", "User ID", "integer", "ID of the user")
                    .required()
                    .example(33),
            ],
            output: vec![
                Field::new("user", "User", "user", "The user")
                    .required()
                    .example(json!({"id": 33, "name": "Alex User",
                    "email": "user@example.com", "client_id": 12, "client_name": "Example Corp"})),
                Field::new(
                    "success",
                    "Success",
                    "boolean",
                    "Whether the user was found",
                )
                .required()
                .example(true),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let id = Input::new(input).required_id("user_id")?;
            let u = ctx
                .client
                .get_user(UserId::new(id))
                .send()
                .await
                .map_err(|e| not_found(&e, "User", "user_id", id))?;
            Ok(json!({"user": output::user(&u), "success": true}))
        }
        .boxed()
    }
}

/// Gets an agent.
pub struct GetAgent;

impl Action for GetAgent {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "get_agent",
            title: "Get Agent",
            description: "Get an agent by ID",
            input: vec![
                Field::new("agent_id", "Agent ID", "integer", "ID of the agent")
                    .required()
                    .example(4),
            ],
            output: vec![
                Field::new("agent", "Agent", "agent", "The agent")
                    .required()
                    .example(json!({"id": 4, "name": "Sam Analyst",
                    "email": "user@example.com", "team": "Security Operations"})),
                Field::new(
                    "success",
                    "Success",
                    "boolean",
                    "Whether the agent was found",
                )
                .required()
                .example(true),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let id = Input::new(input).required_id("agent_id")?;
            let a = ctx
                .client
                .get_agent(AgentId::new(id))
                .send()
                .await
                .map_err(|e| not_found(&e, "Agent", "agent_id", id))?;
            Ok(json!({"agent": output::agent(&a), "success": true}))
        }
        .boxed()
    }
}
