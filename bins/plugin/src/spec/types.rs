//! Custom spec types (`types:` in plugin.spec.yaml): the typed shapes every action outputs.
//!
//! Field names of `ticket` keep the community plugin's output names so its workflows port over.

use serde_json::json;

use super::model::{Field, TypeSpec};

/// Every custom type, in spec order.
pub fn all() -> Vec<TypeSpec> {
    vec![
        custom_field(),
        ticket(),
        action(),
        status(),
        ticket_type(),
        priority(),
        team(),
        agent(),
        user(),
        outcome(),
        attachment(),
    ]
}

fn custom_field() -> TypeSpec {
    TypeSpec {
        name: "custom_field",
        fields: vec![
            Field::new("id", "ID", "integer", "Custom field ID").example(164),
            Field::new("name", "Name", "string", "Custom field name")
                .example("CFSecurityReference"),
            Field::new("label", "Label", "string", "Label shown in Halo")
                .example("Security Reference"),
            Field::new("value", "Value", "string", "Value as text")
                .example("rrn:idr:investigation:1"),
        ],
    }
}

fn ticket() -> TypeSpec {
    TypeSpec {
        name: "ticket",
        fields: vec![
            Field::new("id", "ID", "integer", "Ticket ID").required().example(1042),
            Field::new("summary", "Summary", "string", "Ticket summary").example("Phishing email reported"),
            Field::new("details", "Details", "string", "Ticket details (HTML as stored by Halo)")
                .example("<p>User reported a suspicious email</p>"),
            Field::new("tickettype_id", "Ticket Type ID", "integer", "Ticket type ID").example(1),
            Field::new("tickettype_name", "Ticket Type Name", "string", "Ticket type name").example("Incident"),
            Field::new("status_id", "Status ID", "integer", "Status ID").example(1),
            Field::new("status_name", "Status Name", "string", "Status name").example("New"),
            Field::new("priority_id", "Priority ID", "integer", "Priority ID").example(2),
            Field::new("priority_name", "Priority Name", "string", "Priority name").example("High"),
            Field::new("category", "Category", "string", "Category path").example("Security>Phishing"),
            Field::new("agent_id", "Agent ID", "integer", "Assigned agent ID").example(4),
            Field::new("agent_name", "Agent Name", "string", "Assigned agent name").example("Sam Analyst"),
            Field::new("team_id", "Team ID", "integer", "Assigned team ID").example(2),
            Field::new("team_name", "Team Name", "string", "Assigned team name").example("Security Operations"),
            Field::new("client_id", "Client ID", "integer", "Client ID").example(12),
            Field::new("client_name", "Client Name", "string", "Client name").example("Example Corp"),
            Field::new("site_id", "Site ID", "integer", "Site ID").example(18),
            Field::new("site_name", "Site Name", "string", "Site name").example("Head Office"),
            Field::new("user_id", "User ID", "integer", "End user ID").example(33),
            Field::new("user_name", "User Name", "string", "End user name").example("Alex User"),
            Field::new("closed", "Closed", "boolean", "Whether the ticket has been closed").example(false),
            Field::new("dateoccurred", "Date Occurred", "date", "When the issue occurred")
                .example("2026-12-01T09:30:00Z"),
            Field::new("datecreated", "Date Created", "date", "When the ticket was logged")
                .example("2026-12-01T09:31:12Z"),
            Field::new("datemodified", "Date Modified", "date", "When the ticket was last updated")
                .example("2026-12-01T10:02:45Z"),
            Field::new("dateclosed", "Date Closed", "date", "When the ticket was closed")
                .example("2026-12-02T16:00:00Z"),
            Field::new("customfields", "Custom Fields", "[]custom_field", "Custom fields with their values")
                .example(json!([{"id": 164, "name": "CFSecurityReference", "value": "rrn:idr:investigation:1"}])),
            Field::new("url", "URL", "string", "Link to the ticket in the Halo agent portal")
                .example("https://example.haloitsm.com/ticket?id=1042"),
        ],
    }
}

fn action() -> TypeSpec {
    TypeSpec {
        name: "action",
        fields: vec![
            Field::new("id", "ID", "integer", "Action ID, unique within the ticket")
                .required()
                .example(3),
            Field::new(
                "ticket_id",
                "Ticket ID",
                "integer",
                "Ticket the action belongs to",
            )
            .example(1042),
            Field::new("outcome", "Outcome", "string", "Outcome name").example("Private Note"),
            Field::new(
                "note",
                "Note",
                "string",
                "Note text (HTML as stored by Halo)",
            )
            .example("<p>Containment started</p>"),
            Field::new("who", "Who", "string", "Agent or user who added the action")
                .example("Sam Analyst"),
            Field::new(
                "is_private",
                "Is Private",
                "boolean",
                "Whether the note is hidden from the end user",
            )
            .example(true),
            Field::new("datetime", "Date Time", "date", "When the action was added")
                .example("2026-12-01T10:02:45Z"),
            Field::new(
                "new_status_id",
                "New Status ID",
                "integer",
                "Status the action moved the ticket to",
            )
            .example(2),
        ],
    }
}

fn id_name(name: &'static str, id_example: u64, name_example: &'static str) -> TypeSpec {
    TypeSpec {
        name,
        fields: vec![
            Field::new("id", "ID", "integer", "ID")
                .required()
                .example(id_example),
            Field::new("name", "Name", "string", "Name")
                .required()
                .example(name_example),
        ],
    }
}

fn status() -> TypeSpec {
    let mut t = id_name("status", 9, "Closed");
    t.fields.push(
        Field::new(
            "is_closed",
            "Is Closed",
            "boolean",
            "Whether this status closes a ticket",
        )
        .example(true),
    );
    t
}

fn ticket_type() -> TypeSpec {
    id_name("ticket_type", 1, "Incident")
}

fn priority() -> TypeSpec {
    let mut t = id_name("priority", 2, "High");
    t.fields
        .push(Field::new("sla_id", "SLA ID", "integer", "SLA the priority belongs to").example(1));
    t
}

fn team() -> TypeSpec {
    id_name("team", 2, "Security Operations")
}

fn agent() -> TypeSpec {
    let mut t = id_name("agent", 4, "Sam Analyst");
    t.fields
        .push(Field::new("email", "Email", "string", "Email address").example("user@example.com"));
    t.fields
        .push(Field::new("team", "Team", "string", "Default team").example("Security Operations"));
    t
}

fn user() -> TypeSpec {
    let mut t = id_name("user", 33, "Alex User");
    t.fields
        .push(Field::new("email", "Email", "string", "Email address").example("user@example.com"));
    t.fields
        .push(Field::new("client_id", "Client ID", "integer", "Client ID").example(12));
    t.fields.push(
        Field::new("client_name", "Client Name", "string", "Client name").example("Example Corp"),
    );
    t.fields
        .push(Field::new("site_id", "Site ID", "integer", "Site ID").example(18));
    t.fields
        .push(Field::new("site_name", "Site Name", "string", "Site name").example("Head Office"));
    t
}

fn outcome() -> TypeSpec {
    id_name("outcome", 8, "Private Note")
}

fn attachment() -> TypeSpec {
    TypeSpec {
        name: "attachment",
        fields: vec![
            Field::new("id", "ID", "integer", "Attachment ID")
                .required()
                .example(77),
            Field::new("filename", "Filename", "string", "File name").example("headers.txt"),
            Field::new("ticket_id", "Ticket ID", "integer", "Ticket ID").example(1042),
            Field::new("size", "Size", "integer", "Size in bytes").example(2048),
            Field::new(
                "date_created",
                "Date Created",
                "date",
                "When the file was attached",
            )
            .example("2026-12-01T10:02:45Z"),
        ],
    }
}
