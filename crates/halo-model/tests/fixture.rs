//! The real ticket Halo returned for `POST /api/Tickets` (captured by uktrade/help-desk-service) reads
//! with the documented values, keeps every other key in `extra`, and survives a round trip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{TimeZone, Timelike, Utc};
use halo_model::{
    AgentId, ClientId, PriorityId, SiteId, SlaId, StatusId, TeamId, Ticket, TicketId, TicketTypeId,
    UserId,
};
use serde_json::Value;

fn load() -> Option<(Value, Ticket)> {
    let path = common::shared_fixture("create-ticket-response.json")?;
    let text = std::fs::read_to_string(&path).unwrap();
    let raw: Value = serde_json::from_str(&text).unwrap();
    let ticket: Ticket = serde_json::from_str(&text).unwrap();
    Some((raw, ticket))
}

#[test]
fn captured_ticket_has_documented_values() {
    let Some((_, t)) = load() else { return };
    assert_eq!(t.id, TicketId::new(9499));
    assert_eq!(t.reference.as_deref(), Some("IN-0009499"));
    assert_eq!(
        t.summary.as_deref(),
        Some("Halo via API at 2024-06-20T14:45:15.788760")
    );
    assert_eq!(t.details.as_deref(), Some("Blah"));
    assert_eq!(t.details_html.as_deref(), Some("Blah"));
    assert_eq!(t.status_id, Some(StatusId::new(1)));
    assert_eq!(t.tickettype_id, Some(TicketTypeId::new(36)));
    assert_eq!(t.sla_id, Some(SlaId::new(1)));
    assert_eq!(t.sla_name.as_deref(), Some("Incident SLA"));
    assert_eq!(t.priority_id, Some(PriorityId::new(4)));
    assert_eq!(t.team.as_deref(), Some("1st Line Support"));
    assert_eq!(t.team_id, Some(TeamId::new(26)));
    assert_eq!(t.agent_id, Some(AgentId::new(1)));
    assert_eq!(t.client_id, Some(ClientId::new(12)));
    assert_eq!(
        t.client_name.as_deref(),
        Some("Department for Business and Trade")
    );
    assert_eq!(t.site_id, Some(SiteId::new(18)));
    assert_eq!(t.user_id, Some(UserId::new(38)));
    assert_eq!(t.user_name.as_deref(), Some("Some Body"));
    assert_eq!(t.user_email.as_deref(), Some("some.body@example.com"));
    assert_eq!(t.category_1.as_deref(), Some(""));
    assert_eq!((t.impact, t.urgency, t.source), (Some(0), Some(0), Some(3)));
    assert_eq!(
        (t.onhold, t.deleted, t.excludefromsla),
        (Some(false), Some(false), Some(false))
    );
    assert_eq!(t.attachment_count, Some(0));
    assert_eq!(t.tag_texts(), vec!["bug"]);

    // Embedded priority: GUID id, SLA-scoped priorityid.
    let p = t.priority.as_ref().expect("embedded priority");
    assert_eq!(
        p.id.as_deref(),
        Some("aeb80996-724c-e811-892e-b01041c8667a")
    );
    assert_eq!(
        (p.slaid, p.priorityid),
        (Some(SlaId::new(1)), Some(PriorityId::new(4)))
    );
    assert_eq!(p.name.as_deref(), Some("Low"));
    assert_eq!((p.fixtime, p.fixunits.as_deref()), (Some(5.0), Some("D")));

    // Embedded user: site_id arrives as the double 18.0.
    let u = t.user.as_ref().expect("embedded user");
    assert_eq!(
        (u.id, u.site_id, u.site_id_int),
        (
            UserId::new(38),
            Some(SiteId::new(18)),
            Some(SiteId::new(18))
        )
    );
    assert_eq!(
        t.tickettype.as_ref().and_then(|tt| tt.name.as_deref()),
        Some("General Purpose")
    );

    // Custom fields, including a selection value and a date value.
    let cfs = t.customfields.as_ref().expect("customfields");
    assert_eq!(cfs.len(), 4);
    let impact = t.custom_field("CFimpact").expect("CFimpact");
    assert_eq!(
        (impact.value_i64(), impact.display.as_deref()),
        (Some(3), Some("Single User Affected"))
    );
    assert_eq!(
        t.custom_field("CFChangeActualEndDateTime")
            .and_then(|c| c.field_type),
        Some(4)
    );

    // Dates: 7-digit fraction with Z, 3-digit fraction, sentinels → None.
    let occurred = t.dateoccurred.expect("dateoccurred");
    assert_eq!(
        occurred,
        Utc.with_ymd_and_hms(2024, 6, 20, 14, 45, 15)
            .unwrap()
            .with_nanosecond(974_627_100)
            .unwrap()
    );
    let respond = t.respondbydate.expect("respondbydate");
    assert_eq!(
        respond,
        Utc.with_ymd_and_hms(2024, 6, 21, 10, 45, 15)
            .unwrap()
            .with_nanosecond(975_000_000)
            .unwrap()
    );
    assert!(t.fixbydate.is_some() && t.lastactiondate.is_some() && t.datecreated.is_some());
    assert_eq!(
        t.targetdate, None,
        "1900-01-01T00:00:00 is Halo's unset sentinel"
    );
    assert_eq!(
        t.deadlinedate, None,
        "1900-01-01T00:00:00 is Halo's unset sentinel"
    );
    assert_eq!(t.dateclosed, None, "absent");
    // Sentinels in untyped keys stay untouched in extra.
    assert_eq!(t.extra["lastincomingemail"], "0001-01-01T00:00:00");
    assert_eq!(t.extra["auditdate"], "1899-12-30T00:00:00");
    // The POST reply spells last update `flastupdate`; it is not `last_update` and stays in extra.
    assert_eq!(t.last_update, None);
    assert_eq!(t.extra["flastupdate"], "2024-06-20T14:45:17.1521033Z");
    // Rule-created actions are kept (untyped) in extra.
    assert_eq!(t.extra["extra_actions"][0]["outcome"], "Rule Applied");
}

#[test]
fn every_key_is_typed_or_in_extra() {
    let Some((raw, t)) = load() else { return };
    let raw = raw.as_object().unwrap();
    // Typed keys = what the typed fields serialise to, plus typed fields that read as None (sentinels).
    let mut typed_only = t.clone();
    typed_only.extra.clear();
    let typed = serde_json::to_value(&typed_only).unwrap();
    let mut typed_keys: Vec<&str> = typed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    typed_keys.extend(["targetdate", "deadlinedate"]);

    for key in raw.keys() {
        let in_typed = typed_keys.contains(&key.as_str());
        let in_extra = t.extra.contains_key(key);
        assert!(
            in_typed != in_extra,
            "{key}: typed={in_typed} extra={in_extra}"
        );
    }
    assert_eq!(
        typed_keys.len() + t.extra.len(),
        raw.len(),
        "typed + extra must cover the original exactly"
    );
    for (k, v) in &t.extra {
        assert_eq!(
            raw.get(k),
            Some(v),
            "extra[{k}] must be the original value, untouched"
        );
    }
}

#[test]
fn round_trip_keeps_every_key_and_value() {
    let Some((raw, t)) = load() else { return };
    let back = serde_json::to_value(&t).unwrap();
    let mut diffs = Vec::new();
    common::differences("", &raw, &back, &mut diffs);
    // The only permitted losses: typed dates that held Halo's "unset" sentinel are not written back.
    let expected = [
        ".targetdate: missing after round trip (was \"1900-01-01T00:00:00\")",
        ".deadlinedate: missing after round trip (was \"1900-01-01T00:00:00\")",
    ];
    diffs.retain(|d| !expected.contains(&d.as_str()));
    assert!(
        diffs.is_empty(),
        "round trip changed:\n{}",
        diffs.join("\n")
    );

    // And a second trip is exact.
    let again: Ticket = serde_json::from_value(back.clone()).unwrap();
    assert_eq!(again, t);
    assert_eq!(serde_json::to_value(&again).unwrap(), back);
}
