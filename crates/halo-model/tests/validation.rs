//! Write-type validation: each rule names the field, the rule, and what to do.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use halo_model::{
    AgentId, AttachmentId, CustomFieldValue, FieldId, NewAction, NewTicket, OutcomeId, Rule,
    StatusId, TicketId, TicketTypeId, TicketUpdate,
};

#[test]
fn summary_rules() {
    let e = NewTicket::new("").validate().unwrap_err();
    assert_eq!((e.field(), e.rule()), ("summary", &Rule::Empty));
    assert!(NewTicket::new(" \t\n").validate().is_err());
    assert!(NewTicket::new("x".repeat(250)).validate().is_ok());
    // 250 multi-byte characters are fine: the limit counts characters, not bytes.
    assert!(NewTicket::new("é".repeat(250)).validate().is_ok());
    let e = NewTicket::new("x".repeat(251)).validate().unwrap_err();
    assert_eq!(
        e.rule(),
        &Rule::TooLong {
            max: 250,
            actual: 251
        }
    );
    assert!(
        e.to_string().contains("details"),
        "assistance says where long text goes: {e}"
    );
    let e = TicketUpdate::new(TicketId::new(1))
        .summary("")
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "summary");
}

#[test]
fn ids_must_be_positive_int32() {
    let e = NewTicket::new("s")
        .ticket_type(TicketTypeId::new(0))
        .validate()
        .unwrap_err();
    assert_eq!(
        (e.field(), e.rule()),
        ("tickettype_id", &Rule::IdOutOfRange { value: 0 })
    );
    let e = NewTicket::new("s")
        .agent(AgentId::new(2_147_483_648))
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "agent_id");
    assert!(
        NewTicket::new("s")
            .agent(AgentId::new(2_147_483_647))
            .validate()
            .is_ok()
    );
    let e = NewTicket::new("s")
        .attachment(AttachmentId::new(0))
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "attachments[0].id");
    let e = TicketUpdate::new(TicketId::new(0))
        .status(StatusId::new(2))
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "id");
}

#[test]
fn names_and_raw_fields() {
    let e = NewTicket::new("s").team("  ").validate().unwrap_err();
    assert_eq!(e.field(), "team");
    let e = NewTicket::new("s")
        .tag("ok")
        .tag("")
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "tags[1].text");
    let e = NewTicket::new("s")
        .custom_field(CustomFieldValue::by_name("", 1))
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "customfields[0].name");
    let e = NewTicket::new("s")
        .raw_field("id", 5)
        .validate()
        .unwrap_err();
    assert_eq!((e.field(), e.rule()), ("id", &Rule::Conflict));
    let e = NewTicket::new("s")
        .raw_field("status_id", 5)
        .validate()
        .unwrap_err();
    assert_eq!((e.field(), e.rule()), ("status_id", &Rule::Conflict));
    assert!(
        NewTicket::new("s")
            .raw_field("userdef1", "x")
            .validate()
            .is_ok()
    );
}

#[test]
fn empty_update_is_rejected_and_says_so() {
    let e = TicketUpdate::new(TicketId::new(4242))
        .validate()
        .unwrap_err();
    assert_eq!(e.rule(), &Rule::NothingToDo);
    assert!(e.to_string().contains("4242"));
    assert!(
        TicketUpdate::restore(TicketId::new(4242))
            .validate()
            .is_ok()
    );
}

#[test]
fn new_action_rules() {
    let t = TicketId::new(4242);
    let e = NewAction::new(t, "Private Note").validate().unwrap_err();
    assert_eq!((e.field(), e.rule()), ("note", &Rule::NothingToDo));
    assert!(
        NewAction::new(t, "Private Note")
            .note("n")
            .validate()
            .is_ok()
    );
    assert!(
        NewAction::new(t, "Private Note")
            .note_html("<p>n</p>")
            .validate()
            .is_ok()
    );
    assert!(
        NewAction::new(t, OutcomeId::new(7))
            .new_status(StatusId::new(9))
            .validate()
            .is_ok(),
        "a status change is something to record"
    );
    let e = NewAction::new(t, "  ").note("n").validate().unwrap_err();
    assert_eq!(e.field(), "outcome");
    let e = NewAction::new(t, OutcomeId::new(0))
        .note("n")
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "outcome_id");
    let e = NewAction::new(TicketId::new(0), "x")
        .note("n")
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "ticket_id");
    let e = NewAction::new(t, "x")
        .note("n")
        .time_taken_hours(-1.0)
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "timetaken");
    let e = NewAction::new(t, "x")
        .note("n")
        .time_taken_hours(f64::NAN)
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "timetaken");
    let e = NewAction::new(t, "x")
        .note("n")
        .custom_field(CustomFieldValue::by_id(FieldId::new(0), 1))
        .validate()
        .unwrap_err();
    assert_eq!(e.field(), "customfields[0].id");
    let e = NewAction::new(t, "x").new_team("").validate().unwrap_err();
    assert_eq!(e.field(), "new_team");
}

#[test]
fn error_display_has_cause_and_assistance() {
    let e = NewTicket::new("").validate().unwrap_err();
    assert_eq!(e.problem(), "the value is empty");
    assert!(!e.assistance().is_empty());
    assert_eq!(
        e.to_string(),
        format!("invalid `summary`: {}. {}", e.problem(), e.assistance())
    );
}
