//! What each write type sends to Halo, pinned with insta snapshots (review `tests/snapshots/*.snap`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use halo_model::{
    AgentId, AttachmentId, ClientId, CustomFieldValue, FieldId, FieldRef, NewAction, NewAttachment,
    NewTicket, OutcomeId, PriorityId, SiteId, SlaId, StatusId, TeamId, TicketId, TicketTypeId,
    TicketUpdate, UserId, body,
};
use insta::assert_json_snapshot;

#[test]
fn new_ticket_minimal() {
    let t = NewTicket::new("Printer jam");
    t.validate().unwrap();
    assert_json_snapshot!(body::one(&t));
}

#[test]
fn new_ticket_full() {
    let at = Utc.with_ymd_and_hms(2026, 12, 4, 17, 0, 0).unwrap();
    let t = NewTicket::new("VPN down for Finance")
        .details("Users in Finance cannot connect since 09:00.")
        .details_html("<p>Users in Finance cannot connect since 09:00.</p>")
        .ticket_type(TicketTypeId::new(1))
        .status(StatusId::new(1))
        .client(ClientId::new(12))
        .site(SiteId::new(18))
        .user(UserId::new(38))
        .sla(SlaId::new(1))
        .priority(PriorityId::new(2))
        .team("1st Line Support")
        .team_id(TeamId::new(26))
        .agent(AgentId::new(3))
        .category(1, "Network>VPN")
        .category(2, "Finance")
        .impact(2)
        .urgency(2)
        .source(0)
        .deadline(at)
        .tag("vpn")
        .tag("finance")
        .custom_field(CustomFieldValue::by_name(
            "CFEmailToAddress",
            "helpdesk@example.com",
        ))
        .custom_field(CustomFieldValue::by_id(FieldId::new(165), 3))
        .custom_field(CustomFieldValue::multi_select(
            FieldRef::Id(FieldId::new(140)),
            [3, 5],
        ))
        .attachment(AttachmentId::new(2967))
        .dont_do_rules(false)
        .raw_field("userdef1", "from-rapid7");
    t.validate().unwrap();
    assert_json_snapshot!(body::one(&t));
}

#[test]
fn ticket_update_status_only() {
    let u = TicketUpdate::new(TicketId::new(4242)).status(StatusId::new(9));
    u.validate().unwrap();
    assert_json_snapshot!(body::one(&u));
}

#[test]
fn ticket_update_assign_and_close() {
    let u = TicketUpdate::new(TicketId::new(4242))
        .agent(AgentId::new(3))
        .team("2nd Line")
        .status(StatusId::new(9))
        .closure_note("Replaced the toner.")
        .tags(Vec::<String>::new());
    u.validate().unwrap();
    assert_json_snapshot!(body::one(&u));
}

#[test]
fn ticket_update_restore() {
    let u = TicketUpdate::restore(TicketId::new(4242));
    u.validate().unwrap();
    assert_json_snapshot!(body::one(&u));
}

#[test]
fn new_action_private_note_by_name() {
    let a = NewAction::new(TicketId::new(4242), "Private Note")
        .note_html("<p>Checked logs; escalating.</p>")
        .hidden_from_user(true)
        .new_status(StatusId::new(2))
        .time_taken_hours(0.25)
        .send_email(false);
    a.validate().unwrap();
    assert_json_snapshot!(body::one(&a));
}

#[test]
fn new_action_by_outcome_id_with_reassignment() {
    let a = NewAction::new(TicketId::new(4242), OutcomeId::new(7))
        .note("Escalated to 2nd line")
        .hidden_from_user(false)
        .new_agent(AgentId::new(5))
        .new_team("2nd Line")
        .new_priority(PriorityId::new(2))
        .who("Rapid7 InsightConnect")
        .datetime(Utc.with_ymd_and_hms(2026, 12, 3, 16, 0, 0).unwrap())
        .attachment(AttachmentId::new(2967))
        .custom_field(CustomFieldValue::by_name("CFSource", "InsightIDR"));
    a.validate().unwrap();
    assert_json_snapshot!(body::one(&a));
}

#[test]
fn new_attachment_linked_to_ticket_and_action() {
    let a = NewAttachment::new(
        "short-text.txt",
        "text/plain",
        b"This is a short text".to_vec(),
    )
    .ticket(TicketId::new(4242))
    .action(3)
    .note("log excerpt");
    a.validate().unwrap();
    assert_json_snapshot!(body::one(&a));
}

#[test]
fn new_attachment_image_unlinked() {
    let png_header = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let a = NewAttachment::new("screen.png", "image/png", png_header);
    a.validate().unwrap();
    assert_json_snapshot!(body::one(&a));
}

#[test]
fn custom_field_values() {
    let values = [
        CustomFieldValue::by_id(FieldId::new(213), "x@y.com"),
        CustomFieldValue::by_name("CFEmailToAddress", "x@y.com"),
        CustomFieldValue::by_id(FieldId::new(113), 1),
        CustomFieldValue::multi_select(FieldRef::Name("CFProducts".into()), [3, 5]),
        CustomFieldValue::date(
            FieldRef::Id(FieldId::new(175)),
            &Utc.with_ymd_and_hms(2024, 6, 20, 14, 45, 16).unwrap(),
        ),
        CustomFieldValue::by_id(FieldId::new(9), serde_json::Value::Null),
    ];
    assert_json_snapshot!(values);
}
