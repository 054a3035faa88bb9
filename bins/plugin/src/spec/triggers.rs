//! Spec of the triggers and of the event types they (and `parse_webhook`) output.

use serde_json::{Value, json};

use super::model::{ComponentSpec, Field, TypeSpec};
use crate::actions::tickets::ticket_example;
use crate::triggers::event::Kind;
use crate::triggers::settings::{DEFAULT_INTERVAL_SECS, DEFAULT_LOOKBACK_SECS};

/// `field_change` and `ticket_event`.
pub fn types() -> Vec<TypeSpec> {
    vec![
        TypeSpec {
            name: "field_change",
            fields: vec![
                Field::new(
                    "field",
                    "Field",
                    "string",
                    "Changed field (custom fields as cf:<name>)",
                )
                .required()
                .example("status_id"),
                Field::new("old", "Old", "string", "Value before the change").example("1"),
                Field::new("new", "New", "string", "Value after the change").example("2"),
            ],
        },
        TypeSpec {
            name: "ticket_event",
            fields: vec![
                Field::new(
                    "event_id",
                    "Event ID",
                    "string",
                    "Stable ID of this change; the same change always has the same ID",
                )
                .required()
                .example("ticket_status_changed:1042:2026-12-01T10:02:45.123456700Z"),
                Field::new(
                    "event",
                    "Event",
                    "string",
                    "ticket_created, ticket_updated or ticket_status_changed",
                )
                .required()
                .example("ticket_status_changed"),
                Field::new("ticket_id", "Ticket ID", "integer", "ID of the ticket")
                    .required()
                    .example(1042),
                Field::new(
                    "occurred_at",
                    "Occurred At",
                    "date",
                    "When Halo recorded the change",
                )
                .example("2026-12-01T10:02:45Z"),
                Field::new(
                    "changes",
                    "Changes",
                    "[]field_change",
                    "Changed fields with old and new values",
                )
                .example(json!([{"field": "status_id", "old": "1", "new": "2"}])),
                Field::new(
                    "old_status_id",
                    "Old Status ID",
                    "integer",
                    "Status before the change",
                )
                .example(1),
                Field::new(
                    "old_status_name",
                    "Old Status Name",
                    "string",
                    "Status name before the change",
                )
                .example("New"),
                Field::new(
                    "new_status_id",
                    "New Status ID",
                    "integer",
                    "Status after the change",
                )
                .example(2),
                Field::new(
                    "new_status_name",
                    "New Status Name",
                    "string",
                    "Status name after the change",
                )
                .example("In Progress"),
                Field::new(
                    "insightidr_status",
                    "InsightIDR Status",
                    "string",
                    "InsightIDR investigation status the Halo status maps to",
                )
                .example("INVESTIGATING"),
                Field::new(
                    "insightvm_status",
                    "InsightVM Status",
                    "string",
                    "InsightVM remediation status the Halo status maps to",
                )
                .example("Open"),
                Field::new(
                    "source",
                    "Source",
                    "string",
                    "poll for trigger events, webhook for parsed webhooks",
                )
                .example("poll"),
            ],
        },
    ]
}

/// Example `ticket_event`.
pub fn event_example(kind: Kind) -> Value {
    json!({"event_id": format!("{}:1042:2026-12-01T10:02:45.123456700Z", kind.name()), "event": kind.name(),
        "ticket_id": 1042, "occurred_at": "2026-12-01T10:02:45Z",
        "changes": [{"field": "status_id", "old": "1", "new": "2"}], "old_status_id": 1, "old_status_name": "New",
        "new_status_id": 2, "new_status_name": "In Progress", "insightidr_status": "INVESTIGATING",
        "insightvm_status": "Open", "source": "poll"})
}

fn common_inputs() -> Vec<Field> {
    vec![
        Field::new("interval", "Interval", "integer", "Seconds between polls of Halo")
            .default(DEFAULT_INTERVAL_SECS)
            .example(60),
        Field::new("lookback", "Look-back", "integer", "Seconds before the last seen change that each poll reads again, for late indexing")
            .default(DEFAULT_LOOKBACK_SECS)
            .example(120),
        Field::new("ticket_id", "Ticket ID", "integer", "Only report this ticket").example(1042),
        Field::new("tickettype_id", "Ticket Type ID", "integer", "Only report tickets of this ticket type").example(1),
        Field::new("ticket_type", "Ticket Type", "string", "Ticket type ID or name, used when Ticket Type ID is not set").example("Incident"),
        Field::new("team", "Team", "string", "Only report tickets of this team (ID or name)").example("Security Operations"),
        Field::new("agent_id", "Agent ID", "integer", "Only report tickets assigned to this agent").example(4),
        Field::new("agent", "Agent", "string", "Agent ID, name or email, used when Agent ID is not set").example("user@example.com"),
        Field::new("client_id", "Client ID", "integer", "Only report tickets of this client").example(12),
        Field::new("status", "Status", "string", "Only report tickets currently in this status (ID or name)").example("In Progress"),
        Field::new("priority_id", "Priority ID", "integer", "Only report tickets with this priority").example(2),
        Field::new(
            "exclude_own_changes",
            "Exclude Own Changes",
            "boolean",
            "Skip changes whose latest action was made by the plugin's own API agent, so workflows do not loop on their own writes",
        )
        .default(false)
        .example(false),
    ]
}

/// The spec of one trigger.
pub fn trigger_spec(kind: Kind) -> ComponentSpec {
    let mut input = common_inputs();
    let ticket = Field::new("ticket", "Ticket", "ticket", "The ticket after the change")
        .required()
        .example(ticket_example());
    let event = Field::new("event", "Event", "ticket_event", "What changed")
        .required()
        .example(event_example(kind));
    let (title, description, mut output) = match kind {
        Kind::Created => (
            "Ticket Created",
            "Trigger when a ticket is created in HaloITSM",
            vec![ticket, event],
        ),
        Kind::Updated => (
            "Ticket Updated",
            "Trigger when a ticket's fields change in HaloITSM, with the changed fields' old and new values",
            vec![
                ticket,
                event,
                Field::new(
                    "previous_status_id",
                    "Previous Status ID",
                    "integer",
                    "Status before the update",
                )
                .example(1),
            ],
        ),
        Kind::StatusChanged => {
            input.push(
                Field::new(
                    "new_status_id",
                    "New Status ID",
                    "integer",
                    "Only report changes to this status",
                )
                .example(9),
            );
            input.push(
                Field::new(
                    "new_status",
                    "New Status",
                    "string",
                    "Status ID or name, used when New Status ID is not set",
                )
                .example("Closed"),
            );
            (
                "Ticket Status Changed",
                "Trigger when a ticket's status changes in HaloITSM, with the old and new status and the mapped InsightIDR and InsightVM status",
                vec![
                    ticket,
                    event,
                    Field::new(
                        "old_status_id",
                        "Old Status ID",
                        "integer",
                        "Status before the change",
                    )
                    .example(1),
                    Field::new(
                        "new_status_id",
                        "New Status ID",
                        "integer",
                        "Status after the change",
                    )
                    .example(2),
                ],
            )
        }
    };
    output.shrink_to_fit();
    ComponentSpec {
        name: kind.name(),
        title,
        description,
        input,
        output,
    }
}
