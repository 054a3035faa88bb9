//! Connection fields of the plugin (`connection:` in plugin.spec.yaml).
//!
//! The `default_*_id` integer fields carry the community plugin's organisation defaults over unchanged; the
//! name fields beside them (an ID or a name) take precedence, and the two must agree when both are set.

use serde_json::json;

use super::model::Field;

/// Default requests per five minutes (Halo's hosted limit).
pub const DEFAULT_RATE_LIMIT: u64 = 300;
/// Default request timeout in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// The connection fields, in UI order.
pub fn fields() -> Vec<Field> {
    vec![
        Field::new("client_id", "Client ID", "string", "Client ID of the Halo API application (Client Credentials)")
            .required()
            .example("8f1c2b9e-1d52-4d7a-9a3e-2f6f3f1a9b10"),
        Field::new("client_secret", "Client Secret", "credential_secret_key", "Client secret of the Halo API application")
            .required()
            .example(json!({"secretKey": "9de5069c5afe602b2ea0a04b66beb2c0"})),
        Field::new(
            "authorization_server",
            "Authorization Server",
            "string",
            "Authorization server URL from Halo's API settings, for example https://example.haloitsm.com/auth",
        )
        .required()
        .example("https://example.haloitsm.com/auth"),
        Field::new(
            "resource_server",
            "Resource Server",
            "string",
            "Resource server URL from Halo's API settings, for example https://example.haloitsm.com/api",
        )
        .required()
        .example("https://example.haloitsm.com/api"),
        Field::new("tenant", "Tenant", "string", "Tenant name for hosted Halo; leave empty for on-premise installations")
            .example("example"),
        Field::new("ssl_verify", "SSL Verify", "boolean", "Verify the Halo server's TLS certificate")
            .default(true)
            .example(true),
        Field::new("scope", "Scope", "string", "OAuth scope requested for the token")
            .default("all")
            .example("all"),
        Field::new(
            "rate_limit",
            "Rate Limit",
            "integer",
            "Maximum Halo API requests per five minutes shared by all actions of this connection",
        )
        .default(DEFAULT_RATE_LIMIT)
        .example(300),
        Field::new("timeout", "Timeout", "integer", "Timeout in seconds for one Halo API request")
            .default(DEFAULT_TIMEOUT_SECS)
            .example(30),
        Field::new(
            "default_ticket_type",
            "Default Ticket Type",
            "string",
            "Ticket type ID or name used when an action does not give one",
        )
        .example("Incident"),
        Field::new(
            "default_ticket_type_id",
            "Default Ticket Type ID",
            "integer",
            "Ticket type ID used when Default Ticket Type is empty (the community plugin's field); 0 means none",
        )
        .example(1),
        Field::new("default_priority", "Default Priority", "string", "Priority ID or name used when an action does not give one")
            .example("Medium"),
        Field::new(
            "default_priority_id",
            "Default Priority ID",
            "integer",
            "Priority ID used when Default Priority is empty (the community plugin's field); 0 means none",
        )
        .example(3),
        Field::new("default_team", "Default Team", "string", "Team ID or name used when an action does not give one")
            .example("Security Operations"),
        Field::new(
            "default_team_id",
            "Default Team ID",
            "integer",
            "Team ID used when Default Team is empty (the community plugin's field); 0 means none",
        )
        .example(4),
        Field::new(
            "default_agent",
            "Default Agent",
            "string",
            "Agent ID, name or email used when an action does not give one",
        )
        .example("user@example.com"),
        Field::new(
            "default_agent_id",
            "Default Agent ID",
            "integer",
            "Agent ID used when Default Agent is empty (the community plugin's field); 0 means none",
        )
        .example(4),
        Field::new(
            "default_category",
            "Default Category",
            "string",
            "Category ID or name used when an action does not give one",
        )
        .example("Security"),
        Field::new(
            "default_category_id",
            "Default Category ID",
            "integer",
            "Category ID used when Default Category is empty (the community plugin's field); 0 means none",
        )
        .example(8),
    ]
}
