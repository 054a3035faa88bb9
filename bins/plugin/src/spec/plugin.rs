//! Plugin-level metadata of plugin.spec.yaml: identity, hub tags, help.md sections.
//!
//! Names chosen for Rapid7's validators: `name` is lowercase `[a-z0-9_]` (NameValidator), `vendor` starts
//! lowercase without spaces or periods and is not `komand` (VendorValidator). The Docker image is
//! `<vendor>/<name>:<version>` and the export `<vendor>_<name>_<version>.plg`.

/// Spec `name`.
pub const NAME: &str = "haloitsm";
/// Spec `vendor`.
pub const VENDOR: &str = "haloitsm_rs";
/// Spec `title`.
pub const TITLE: &str = "HaloITSM";
/// Spec `version` (plugin version, independent of the crate version).
pub const VERSION: &str = "1.0.0";
/// Spec `connection_version` (must equal the major version at first release).
pub const CONNECTION_VERSION: u64 = 1;
/// Spec `description`.
pub const DESCRIPTION: &str = "Create, update, search, assign, comment on and close HaloITSM tickets, manage \
attachments and look up the statuses, priorities, teams and agents a workflow needs";

/// `key_features` (help.md).
pub const KEY_FEATURES: &[&str] = &[
    "Create, update, close, assign and delete tickets, with organisation defaults resolved by name",
    "Search tickets with filters, date ranges and free text, following pagination up to a limit",
    "Add public or private notes, list a ticket's notes, upload and list attachments",
    "Look up statuses, ticket types, priorities, teams, agents, outcomes and users so workflows never hard-code IDs",
    "Shares one rate limiter and token per connection, and retries rate-limited requests safely",
    "Triggers for new tickets, updated tickets and status changes that keep their place across restarts",
    "Create or update one ticket per InsightIDR investigation or InsightVM remediation, and keep its status in step",
];

/// `requirements` (help.md).
pub const REQUIREMENTS: &[&str] = &[
    "A HaloITSM API application using Client Credentials (Client ID and Client Secret) with the permissions your workflows need",
    "The Authorization Server and Resource Server URLs from Halo's Configuration > Integrations > HaloITSM API page",
    "The tenant name when the instance is hosted by Halo",
];

/// `supported_versions`.
pub const SUPPORTED_VERSIONS: &[&str] = &["HaloITSM hosted", "HaloITSM on-premise", "HaloPSA"];

/// `troubleshooting` (help.md).
pub const TROUBLESHOOTING: &[&str] = &[
    "If the connection test reports invalid_client, check the Client ID and Client Secret and that the API application is active",
    "If the connection test reports invalid_scope, set Scope to a scope the API application allows, usually all",
    "If an action reports a permission error (403), grant the API application's agent the permission named in the error",
    "If actions are rate-limited, lower the Rate Limit of the connection below the tenant's limit shared with other integrations",
    "Names given for defaults, statuses, teams or agents are matched case-insensitively; use the List actions to see valid values",
    "To receive Halo webhooks instead of polling, create a workflow with an InsightConnect API trigger, add a Halo webhook (Configuration > Integrations > Webhooks) whose Payload URL is the API trigger's URL, and pass the trigger's body to the Parse Webhook action",
    "Halo webhooks authenticate with no authentication or Basic authentication, while an API trigger expects its key in an X-API-Key header: add that header to the webhook where your Halo version offers custom headers, or send the webhook through a relay that adds it; Basic credentials alone are not accepted by the API trigger",
    "If a trigger fires nothing, check its filters and that the API agent can read the tickets; enable Exclude Own Changes when a workflow reacting to ticket updates should not see the plugin's own writes",
];

/// `version_history` (VersionBumpValidator requires exactly this entry for a first release outside Rapid7's repo).
pub const VERSION_HISTORY: &[&str] = &["1.0.0 - Initial plugin"];

/// `links` (help.md needs an http link).
pub const LINKS: &[&str] = &["[HaloITSM](https://haloitsm.com)"];

/// `references`.
pub const REFERENCES: &[&str] = &["[HaloITSM API](https://haloitsm.com/apidoc/)"];

/// `tags`.
pub const TAGS: &[&str] = &["haloitsm", "ticketing", "itsm", "helpdesk"];

/// `hub_tags.use_cases`.
pub const USE_CASES: &[&str] = &[
    "alerting_and_notifications",
    "remediation_management",
    "threat_detection_and_response",
];

/// `hub_tags.keywords`.
pub const KEYWORDS: &[&str] = &["haloitsm", "ticketing", "itsm", "incident"];
