//! Lenient reading and lossless round trips of the read types.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use halo_model::{
    Action, ActionId, Agent, AgentId, Category, Client, FieldInfo, ListEnvelope, OutcomeId,
    Priority, Site, Sla, Status, StatusId, Team, Ticket, TicketId, TicketType, User,
    WebhookPayload,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Every typed key of `Ticket`, in Halo's spelling.
const TICKET_TYPED_KEYS: &[&str] = &[
    "reference",
    "summary",
    "details",
    "details_html",
    "tickettype_id",
    "tickettype_name",
    "tickettype",
    "status_id",
    "status_name",
    "priority_id",
    "priority_name",
    "priority",
    "sla_id",
    "sla_name",
    "team",
    "team_id",
    "agent_id",
    "agent_name",
    "client_id",
    "client_name",
    "site_id",
    "site_name",
    "user_id",
    "user_name",
    "user_email",
    "user",
    "reportedby",
    "category_1",
    "category_2",
    "category_3",
    "category_4",
    "impact",
    "urgency",
    "source",
    "dateoccurred",
    "datecreated",
    "dateclosed",
    "lastactiondate",
    "last_update",
    "respondbydate",
    "fixbydate",
    "deadlinedate",
    "targetdate",
    "followupdate",
    "onhold",
    "hasbeenclosed",
    "deleted",
    "excludefromsla",
    "closure_note",
    "closure_note_html",
    "attachment_count",
    "parent_id",
    "customfields",
    "tags",
];

fn assert_round_trip<T: Serialize + DeserializeOwned>(input: Value) -> T {
    let parsed: T = serde_json::from_value(input.clone()).unwrap();
    let back = serde_json::to_value(&parsed).unwrap();
    let mut diffs = Vec::new();
    common::differences("", &input, &back, &mut diffs);
    assert!(
        diffs.is_empty(),
        "round trip changed:\n{}",
        diffs.join("\n")
    );
    parsed
}

#[test]
fn difference_helper_detects_changes() {
    let mut d = Vec::new();
    common::differences(
        "",
        &json!({"a": 1, "b": "x", "c": [1]}),
        &json!({"a": 2, "c": [1, 2], "z": 0}),
        &mut d,
    );
    assert_eq!(d.len(), 4, "{d:?}");
    let mut d = Vec::new();
    common::differences(
        "",
        &json!({"d": "2024-06-21T10:45:15.975Z", "n": 18.0}),
        &json!({"d": "2024-06-21T10:45:15.9750000Z", "n": 18}),
        &mut d,
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn null_in_every_typed_ticket_field_reads_as_none() {
    let mut obj = serde_json::Map::new();
    obj.insert("id".into(), json!(1));
    for k in TICKET_TYPED_KEYS {
        obj.insert((*k).into(), Value::Null);
    }
    let t: Ticket = serde_json::from_value(Value::Object(obj)).unwrap();
    assert!(
        t.extra.is_empty(),
        "typed keys leaked into extra: {:?}",
        t.extra.keys().collect::<Vec<_>>()
    );
    assert_eq!(serde_json::to_value(&t).unwrap(), json!({"id": 1}));
}

#[test]
fn ticket_numbers_are_lenient() {
    let t: Ticket = serde_json::from_value(json!({
        "id": 4242.0, "status_id": "2", "agent_id": 3.0, "client_id": " 12 ", "impact": "2", "urgency": 3.0,
        "attachment_count": "0", "hasbeenclosed": "True", "onhold": 0, "user_id": -1, "summary": 42
    }))
    .unwrap();
    assert_eq!(t.id, TicketId::new(4242));
    assert_eq!(t.status_id, Some(StatusId::new(2)));
    assert_eq!(t.agent_id, Some(AgentId::new(3)));
    assert_eq!(t.client_id.map(|c| c.get()), Some(12));
    assert_eq!(
        (t.impact, t.urgency, t.attachment_count),
        (Some(2), Some(3), Some(0))
    );
    assert_eq!((t.hasbeenclosed, t.onhold), (Some(true), Some(false)));
    assert_eq!(t.user_id, None, "-1 is Halo's 'no user'");
    assert_eq!(t.summary.as_deref(), Some("42"));
}

#[test]
fn ticket_bad_values_are_clear_errors() {
    let err = serde_json::from_value::<Ticket>(json!({"id": 3.5}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("TicketId") && err.contains("fractional"),
        "{err}"
    );
    let err = serde_json::from_value::<Ticket>(json!({"id": 1, "status_id": "open"}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("StatusId"), "{err}");
    let err = serde_json::from_value::<Ticket>(json!({"id": 1, "dateoccurred": "yesterday"}))
        .unwrap_err()
        .to_string();
    assert!(err.contains("yesterday"), "{err}");
    assert!(serde_json::from_value::<Ticket>(json!({"summary": "no id"})).is_err());
}

#[test]
fn both_key_spellings_are_accepted() {
    let t: Ticket = serde_json::from_value(json!({
        "id": 1, "lastupdate": "2024-06-20T14:45:17.15Z", "category1": "Hardware>Laptop", "category4": "x"
    }))
    .unwrap();
    assert!(t.last_update.is_some());
    assert_eq!(t.category_1.as_deref(), Some("Hardware>Laptop"));
    assert_eq!(t.category_4.as_deref(), Some("x"));
    assert!(t.extra.is_empty());
    let t: Ticket = serde_json::from_value(
        json!({"id": 1, "last_update": "2024-06-20T14:45:17Z", "category_2": "y"}),
    )
    .unwrap();
    assert!(t.last_update.is_some());
    assert_eq!(t.category_2.as_deref(), Some("y"));
}

#[test]
fn both_spellings_at_once_keep_both_values() {
    let t: Ticket = serde_json::from_value(json!({
        "id": 1, "last_update": "2024-06-20T14:45:17Z", "lastupdate": "2024-06-19T00:00:00Z",
        "category_1": "A", "category1": "B"
    }))
    .unwrap();
    assert_eq!(
        t.last_update.unwrap().to_rfc3339(),
        "2024-06-20T14:45:17+00:00"
    );
    assert_eq!(t.category_1.as_deref(), Some("A"));
    assert_eq!(t.extra["lastupdate"], "2024-06-19T00:00:00Z");
    assert_eq!(t.extra["category1"], "B");
}

#[test]
fn ticket_unknown_keys_survive_in_order() {
    let input = json!({"id": 7, "zeta": {"nested": [1, 2]}, "summary": "s", "alpha": null, "opp_value": -0.0,
                       "_warning": "w", "ticket_tags": "a,b"});
    let t: Ticket = assert_round_trip(input);
    let keys: Vec<&str> = t.extra.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["zeta", "alpha", "opp_value", "_warning", "ticket_tags"]
    );
}

#[test]
fn action_reads_and_round_trips() {
    let a: Action = assert_round_trip(json!({
        "ticket_id": "4242", "id": 3, "outcome": "Private Note", "outcome_id": 7, "who": "Admin",
        "datetime": "2024-06-20T14:45:18.0782286Z", "note": "n", "note_html": "<p>n</p>", "hiddenfromuser": true,
        "old_status": 1, "new_status": 2, "timetaken": 0.25, "actionby_application_id": "Halo API Test",
        "unread": 1, "customfields": [{"id": 206, "name": "CFService", "value": 0}]
    }));
    assert_eq!(a.action_id(), Some(ActionId::new(TicketId::new(4242), 3)));
    assert_eq!(a.outcome_id, Some(OutcomeId::new(7)));
    assert_eq!(a.new_status, Some(StatusId::new(2)));
    assert_eq!(a.extra["unread"], 1);
    let b: Action = serde_json::from_value(json!({"id": 5})).unwrap();
    assert_eq!(b.action_id(), None);
    assert_eq!(
        b.action_id_in(TicketId::new(9)),
        Some(ActionId::new(TicketId::new(9), 5))
    );
}

#[test]
fn lookups_read_their_fields_and_keep_the_rest() {
    let s: Status = assert_round_trip(
        json!({"id": 9, "name": "Closed", "type": 1, "sequence": 9, "colour": "#000", "tickettypes": []}),
    );
    assert_eq!(s.status_type, Some(1));
    assert!(s.is_closed());
    let p: Priority = assert_round_trip(
        json!({"id": "aeb80996-724c-e811-892e-b01041c8667a", "slaid": 1, "priorityid": "4", "name": "Low", "fixtime": 5.0, "catprompt": -1}),
    );
    assert_eq!(p.priorityid.map(|x| x.get()), Some(4));
    let sla: Sla =
        assert_round_trip(json!({"id": 1, "name": "Incident SLA", "trackslafixbytime": true}));
    assert_eq!(sla.name.as_deref(), Some("Incident SLA"));
    let tt: TicketType = assert_round_trip(
        json!({"id": 36, "name": "General Purpose", "use": "tickets", "initial_status": 1, "fields": [{"id": 9450}]}),
    );
    assert_eq!(tt.usage.as_deref(), Some("tickets"));
    let team: Team = assert_round_trip(
        json!({"id": 26, "name": "1st Line Support", "inactive": false, "agents": [{"agent_id": 3}]}),
    );
    assert_eq!(team.name.as_deref(), Some("1st Line Support"));
    let ag: Agent = assert_round_trip(
        json!({"id": 3, "name": "Admin", "email": "a@example.com", "isdisabled": false, "roles": []}),
    );
    assert_eq!(ag.email.as_deref(), Some("a@example.com"));
    let o: halo_model::Outcome = assert_round_trip(
        json!({"id": 7, "outcome": "Internal Note", "newstatus": 0, "colour": "#fff"}),
    );
    assert_eq!(o.name(), Some("Internal Note"));
    let c: Category =
        assert_round_trip(json!({"id": 4, "value": "Hardware>Laptop", "type_id": 1, "note": ""}));
    assert_eq!(c.value.as_deref(), Some("Hardware>Laptop"));
    assert_eq!(c.category_id(), Some(halo_model::CategoryId::new(4)));
    let cl: Client = assert_round_trip(
        json!({"id": 12, "name": "Contoso", "inactive": false, "customfields": [], "website": "x"}),
    );
    assert_eq!(cl.name.as_deref(), Some("Contoso"));
    let si: Site = assert_round_trip(
        json!({"id": 18, "name": "HQ", "client_id": 12.0, "clientsite_name": "Contoso / HQ"}),
    );
    assert_eq!(si.client_id.map(|c| c.get()), Some(12));
    let u: User = assert_round_trip(
        json!({"id": 38, "name": "Some Body", "site_id": 18.0, "site_id_int": 18, "linked_agent_id": 0, "other5": ""}),
    );
    assert_eq!(u.site_id.map(|s| s.get()), Some(18));
    let f: FieldInfo = assert_round_trip(
        json!({"id": 165, "name": "CFimpact", "type": 2, "usage": 1, "values": [{"id": 3, "name": "Single User Affected", "seq": 1}]}),
    );
    assert_eq!(
        f.values.unwrap()[0].name.as_deref(),
        Some("Single User Affected")
    );
}

#[test]
fn status_closed_heuristic_and_override() {
    let st = |v: Value| serde_json::from_value::<Status>(v).unwrap();
    assert!(
        st(json!({"id": 9, "name": "Done"})).is_closed(),
        "stock id 9"
    );
    assert!(st(json!({"id": 30, "name": " cancelled "})).is_closed());
    assert!(!st(json!({"id": 1, "name": "New"})).is_closed());
    assert!(
        st(json!({"id": 1, "name": "New", "is_closed": true})).is_closed(),
        "explicit flag wins"
    );
    assert!(
        !st(json!({"id": 9, "name": "Closed", "is_closed": false})).is_closed(),
        "explicit flag wins"
    );
    let custom = [StatusId::new(28), StatusId::new(18)];
    assert!(st(json!({"id": 28, "name": "Done"})).is_closed_with(&custom));
    assert!(!st(json!({"id": 9, "name": "Closed"})).is_closed_with(&custom));
}

#[test]
fn webhook_payload_from_live_tenant_shape() {
    let p: WebhookPayload = assert_round_trip(json!({
        "id": "8e25bc7b-e07e-4102-9398-5d6647e1e79d",
        "webhook_id": "53232637-7724-4a19-b126-3c7267a292aa",
        "notification_id": 41,
        "escmsg_id": "a726ee11-acb8-f111-8260-02725cb0e102",
        "event": "ticket status changed",
        "message": "The status has been changed for Ticket ID: 0004242.",
        "object_id": 4242,
        "agent_id": 3,
        "timestamp": "2026-09-25T06:41:08.7895915Z",
        "ticket": { "id": 4242, "summary": "…", "status_id": 9, "tickettype_id": 25, "client_id": 1,
                    "team_id": 5, "agent_id": 3, "customfields": [], "hasbeenclosed": true }
    }));
    assert_eq!(p.event.as_deref(), Some("ticket status changed"));
    assert_eq!(p.notification_id, Some(41));
    assert_eq!(p.ticket_id(), Some(TicketId::new(4242)));
    let t = p.ticket.unwrap();
    assert_eq!(
        (t.status_id, t.hasbeenclosed),
        (Some(StatusId::new(9)), Some(true))
    );
}

#[test]
fn webhook_payload_is_lenient_about_case_and_id_types() {
    let p = WebhookPayload::parse(
        br#"{"ID":"g","Event":"new ticket logged","Object_ID":"77","Agent_Id":"3","notification_id":"41","Action":{"ticket_id":77,"id":1,"outcome":"New"},"Custom":1}"#,
    )
    .unwrap();
    assert_eq!(p.id.as_deref(), Some("g"));
    assert_eq!(p.event.as_deref(), Some("new ticket logged"));
    assert_eq!(p.object_id, Some(77));
    assert_eq!(p.agent_id, Some(AgentId::new(3)));
    assert_eq!(p.notification_id, Some(41));
    assert_eq!(
        p.action.as_ref().and_then(Action::action_id),
        Some(ActionId::new(TicketId::new(77), 1))
    );
    assert_eq!(p.ticket_id(), Some(TicketId::new(77)));
    assert_eq!(p.extra["Custom"], 1);
    let batch =
        WebhookPayload::parse_batch(br#"[{"event":"a","object_id":1},{"event":"b"}]"#).unwrap();
    assert_eq!(batch.len(), 2);
    assert!(WebhookPayload::parse(b"not json").is_err());
}

#[test]
fn list_envelope_of_tickets_with_paging_fields() {
    let page: ListEnvelope<Ticket> = serde_json::from_value(json!({
        "page_no": 2, "page_size": 100, "record_count": 717,
        "tickets": [{"id": 101, "summary": "a", "targetdate": "1900-01-01T00:00:00"}]
    }))
    .unwrap();
    assert_eq!(
        (page.page_no, page.page_size, page.record_count),
        (Some(2), Some(100), Some(717))
    );
    assert_eq!(page.items[0].targetdate, None);
    assert!(page.extra.is_empty());
}

#[test]
fn ticket_extra_holds_exactly_the_keys_no_typed_field_takes() {
    let t: halo_model::Ticket = serde_json::from_str(
        r#"{"id": 7, "summary": "Phish", "details": null, "status_id": "2", "lastupdate": "2026-01-02T03:04:05Z",
            "opp_custom": {"a": 1}, "Summary": "other case", "zzz": null}"#,
    )
    .unwrap();
    assert_eq!(t.summary.as_deref(), Some("Phish"));
    assert!(t.last_update.is_some(), "the alias fills the typed field");
    let mut keys: Vec<&str> = t.extra.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["Summary", "opp_custom", "zzz"]);
    assert_eq!(t.extra["opp_custom"]["a"], 1);
}

/// Regression (found by the `model_read_types` fuzz target): a timestamp with 9 fraction digits read, written
/// with Halo's 7 and read again changed the value.
#[test]
fn webhook_with_nanosecond_timestamp_round_trips_unchanged() {
    let raw = r#"{"id":"8e25bc3b-e05d6647e1e79d","event":"ticket status changed","object_id":2121,"agent_id":3,
        "timestamp":"2026-09-25T06:41:08.780959150Z","ticket":{"id":4242,"status_id":9,"hasbeenclosed":true}}"#;
    let first: halo_model::WebhookPayload = serde_json::from_str(raw).unwrap();
    let again: halo_model::WebhookPayload =
        serde_json::from_str(&serde_json::to_string(&first).unwrap()).unwrap();
    assert_eq!(first, again);
}
