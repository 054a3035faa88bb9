//! The connection test: a token, the API agent (`GET /api/Agent/me`), and the connection's ticket
//! defaults resolved against the tenant. Each way it can fail gets its own cause and assistance.

use halo_api::ErrorKind;
use serde_json::{Value, json};

use crate::connection::Ctx;
use crate::errors::StepError;
use crate::halo_errors::{from_api, from_auth};

/// Runs the test; the output says which tenant and agent were reached.
pub async fn run(ctx: &Ctx) -> Result<Value, StepError> {
    ctx.tokens.token().await.map_err(|e| from_auth(&e))?;
    tracing::info!("Token obtained from the authorization server");
    let me = ctx
        .client
        .get_agent_me()
        .send()
        .await
        .map_err(|e| agent_me_error(&e))?;
    let defaults = ctx.defaults().await?;
    let tenant = ctx.config.tenant.clone().unwrap_or_else(|| {
        ctx.config
            .resource_server
            .host_str()
            .unwrap_or_default()
            .to_string()
    });
    let agent_name = me.name.clone().unwrap_or_default();
    tracing::info!(
        "Connected to tenant {tenant} as agent {agent_name} ({})",
        me.id
    );
    Ok(json!({
        "success": true,
        "message": format!("Connected to Halo tenant '{tenant}' as agent '{agent_name}' (ID {})", me.id),
        "tenant": tenant,
        "agent": {"id": me.id.get(), "name": agent_name, "email": me.email.clone().unwrap_or_default()},
        "defaults": crate::actions::output::Obj::default()
            .put("ticket_type_id", defaults.ticket_type.map(|i| i.get()))
            .put("priority_id", defaults.priority.map(|i| i.get()))
            .put("team_id", defaults.team.as_ref().map(|t| t.id.get()))
            .put("agent_id", defaults.agent.map(|i| i.get()))
            .put("category", defaults.category.clone())
            .done(),
    }))
}

fn agent_me_error(e: &halo_api::Error) -> StepError {
    let data = e
        .halo_message()
        .or(e.body_excerpt())
        .unwrap_or_default()
        .to_string();
    let (cause, assistance) = match e.kind() {
        ErrorKind::Forbidden => (
            "The token was accepted but the API application may not read its own agent (HTTP 403).",
            "In Halo, give the API application's agent permission to read agents, or use the 'all' scope.",
        ),
        ErrorKind::NotFound => (
            "The Resource Server URL does not serve the Halo API (GET /Agent/me returned 404).",
            "Set Resource Server to the URL in Halo's API settings, ending in /api.",
        ),
        ErrorKind::Auth => (
            "The resource server rejected the token (HTTP 401).",
            "Check that Authorization Server, Resource Server and Tenant belong to the same Halo instance.",
        ),
        ErrorKind::Transport => (
            "The resource server could not be reached (DNS, connection or TLS failure).",
            "Check the Resource Server URL, the network path from the orchestrator, and SSL Verify for private certificates.",
        ),
        ErrorKind::Decode => (
            "The Resource Server URL did not answer like the Halo API.",
            "Set Resource Server to the URL in Halo's API settings, for example https://example.haloitsm.com/api.",
        ),
        _ => return from_api(e, "getting the API agent"),
    };
    StepError::connection_test(cause, assistance)
        .with_data(data)
        .with_halo_kind(e.kind())
}
