//! Property tests: lenient id parsing over the whole input space, date formatting, and write types that
//! read back (as the matching read type) with the same values (tickets, updates, actions, attachments).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use halo_model::{
    AgentId, Attachment, ClientId, NewAction, NewAttachment, NewTicket, OutcomeId, OutcomeRef,
    PriorityId, SiteId, StatusId, Ticket, TicketId, TicketTypeId, TicketUpdate, UserId, date,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn id() -> impl Strategy<Value = u64> {
    1u64..=2_147_483_647
}

fn text() -> impl Strategy<Value = String> {
    // Any printable text including quotes, backslashes, HTML and non-ASCII; never blank.
    "[a-zA-Z0-9 \"\\\\<>&é€😀]{0,40}[a-z]"
}

proptest! {
    #[test]
    fn ids_read_from_int_string_and_double(n in 0u64..=9_007_199_254_740_992) {
        for input in [json!(n), json!(n.to_string()), json!(format!(" {n} ")), json!(n as f64)] {
            let id: TicketId = serde_json::from_value(input.clone()).unwrap();
            prop_assert_eq!(id.get(), n, "input {}", input);
        }
        prop_assert_eq!(serde_json::to_value(TicketId::new(n)).unwrap(), json!(n));
        prop_assert_eq!(n.to_string().parse::<StatusId>().unwrap().get(), n);
    }

    #[test]
    fn ids_reject_negative_and_fractional(n in 1i64..i64::MAX / 2, frac in 0.01f64..0.99) {
        prop_assert!(serde_json::from_value::<AgentId>(json!(-n)).is_err());
        prop_assert!(serde_json::from_value::<AgentId>(json!((-n).to_string())).is_err());
        let x = (n % 1_000_000) as f64 + frac;
        let err = serde_json::from_value::<AgentId>(json!(x)).unwrap_err().to_string();
        prop_assert!(err.contains("AgentId"), "{}", err);
    }

    #[test]
    fn ids_reject_non_numeric_strings(s in "[a-zA-Z_ -]{1,12}") {
        prop_assume!(s.trim().parse::<u64>().is_err());
        prop_assert!(serde_json::from_value::<ClientId>(json!(s)).is_err());
    }

    #[test]
    fn dates_format_then_parse(secs in -2_000_000_000i64..=253_000_000_000, ticks in 0u32..10_000_000) {
        let d = DateTime::<Utc>::from_timestamp(secs, ticks * 100).unwrap();
        let parsed = date::parse_halo(&date::format_halo(&d)).unwrap();
        if date::is_sentinel(&d) {
            prop_assert_eq!(parsed, None);
        } else {
            prop_assert_eq!(parsed, Some(d));
        }
    }

    #[test]
    fn new_ticket_reads_back_as_ticket(
        summary in text(), details in proptest::option::of(text()), team in proptest::option::of(text()),
        tt in proptest::option::of(id()), client in proptest::option::of(id()), site in proptest::option::of(id()),
        user in proptest::option::of(id()), priority in proptest::option::of(id()), agent in proptest::option::of(id()),
        impact in proptest::option::of(0i64..5), tags in proptest::collection::vec(text(), 0..4),
    ) {
        let mut t = NewTicket::new(summary.clone());
        if let Some(v) = &details { t = t.details(v.clone()); }
        if let Some(v) = &team { t = t.team(v.clone()); }
        if let Some(v) = tt { t = t.ticket_type(TicketTypeId::new(v)); }
        if let Some(v) = client { t = t.client(ClientId::new(v)); }
        if let Some(v) = site { t = t.site(SiteId::new(v)); }
        if let Some(v) = user { t = t.user(UserId::new(v)); }
        if let Some(v) = priority { t = t.priority(PriorityId::new(v)); }
        if let Some(v) = agent { t = t.agent(AgentId::new(v)); }
        if let Some(v) = impact { t = t.impact(v); }
        for tag in &tags { t = t.tag(tag.clone()); }
        prop_assert!(t.validate().is_ok());

        let mut sent = serde_json::to_value(&t).unwrap();
        // Never null, never an id on a create, only what was set.
        prop_assert!(sent.as_object().unwrap().values().all(|v| !v.is_null()));
        prop_assert!(sent.get("id").is_none());
        let expected_keys = 1 + [details.is_some(), team.is_some(), tt.is_some(), client.is_some(), site.is_some(),
            user.is_some(), priority.is_some(), agent.is_some(), impact.is_some(), !tags.is_empty()]
            .iter().filter(|b| **b).count();
        prop_assert_eq!(sent.as_object().unwrap().len(), expected_keys);

        // What Halo stores reads back with the same values.
        sent.as_object_mut().unwrap().insert("id".into(), json!(1));
        let back: Ticket = serde_json::from_value(sent).unwrap();
        prop_assert_eq!(back.summary.as_deref(), Some(summary.as_str()));
        prop_assert_eq!(&back.details, &details);
        prop_assert_eq!(&back.team, &team);
        prop_assert_eq!(back.tickettype_id.map(|x| x.get()), tt);
        prop_assert_eq!(back.client_id.map(|x| x.get()), client);
        prop_assert_eq!(back.site_id.map(|x| x.get()), site);
        prop_assert_eq!(back.user_id.map(|x| x.get()), user);
        prop_assert_eq!(back.priority_id.map(|x| x.get()), priority);
        prop_assert_eq!(back.agent_id.map(|x| x.get()), agent);
        prop_assert_eq!(back.impact, impact);
        let back_tags: Vec<String> = back.tag_texts().into_iter().map(str::to_owned).collect();
        prop_assert_eq!(back_tags, tags);
        prop_assert!(back.extra.is_empty());
    }

    #[test]
    fn ticket_update_sends_id_and_only_what_is_set(
        tid in id(), status in proptest::option::of(id()), agent in proptest::option::of(id()),
        note in proptest::option::of(text()),
    ) {
        let mut u = TicketUpdate::new(TicketId::new(tid));
        if let Some(v) = status { u = u.status(StatusId::new(v)); }
        if let Some(v) = agent { u = u.agent(AgentId::new(v)); }
        if let Some(v) = &note { u = u.closure_note(v.clone()); }
        let sent = serde_json::to_value(&u).unwrap();
        let obj = sent.as_object().unwrap();
        prop_assert_eq!(obj.keys().next().map(String::as_str), Some("id"), "id comes first");
        prop_assert_eq!(&obj["id"], &json!(tid));
        let expected = 1 + usize::from(status.is_some()) + usize::from(agent.is_some()) + usize::from(note.is_some());
        prop_assert_eq!(obj.len(), expected);
        prop_assert_eq!(u.validate().is_ok(), expected > 1);
        let back: Ticket = serde_json::from_value(sent).unwrap();
        prop_assert_eq!(back.id.get(), tid);
        prop_assert_eq!(back.status_id.map(|x| x.get()), status);
        prop_assert_eq!(back.agent_id.map(|x| x.get()), agent);
        prop_assert_eq!(back.closure_note, note);
    }

    #[test]
    fn new_action_reads_back_as_action(
        tid in id(), by_name in any::<bool>(), name in text(), oid in id(), note in text(),
        hidden in proptest::option::of(any::<bool>()), new_status in proptest::option::of(id()),
    ) {
        let outcome = if by_name { OutcomeRef::Name(name.clone()) } else { OutcomeRef::Id(OutcomeId::new(oid)) };
        let mut a = NewAction::new(TicketId::new(tid), outcome).note(note.clone());
        if let Some(h) = hidden { a = a.hidden_from_user(h); }
        if let Some(s) = new_status { a = a.new_status(StatusId::new(s)); }
        prop_assert!(a.validate().is_ok());
        let sent = serde_json::to_value(&a).unwrap();
        prop_assert!(sent.as_object().unwrap().values().all(|v| !v.is_null()));
        prop_assert_eq!(sent.get("outcome").is_some(), by_name);
        prop_assert_eq!(sent.get("outcome_id").is_some(), !by_name);
        let back: halo_model::Action = serde_json::from_value(sent).unwrap();
        prop_assert_eq!(back.ticket_id.map(|x| x.get()), Some(tid));
        if by_name {
            prop_assert_eq!(back.outcome, Some(name));
        } else {
            prop_assert_eq!(back.outcome_id.map(|x| x.get()), Some(oid));
        }
        prop_assert_eq!(back.note, Some(note));
        prop_assert_eq!(back.hiddenfromuser, hidden);
        prop_assert_eq!(back.new_status.map(|x| x.get()), new_status);
    }

    #[test]
    fn new_attachment_reads_back_as_attachment(
        filename in "[a-zA-Z0-9 ._()\"<>&é€😀-]{0,40}[a-z]",
        mime in prop_oneof!["image/[a-z]{1,8}", "IMAGE/[A-Z]{1,8}", "[a-z]{1,12}/[a-z0-9.+-]{1,20}"],
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        ticket in proptest::option::of(id()), action in proptest::option::of(id()),
        note in proptest::option::of(text()),
    ) {
        // An action number only goes with its ticket.
        let action = action.filter(|_| ticket.is_some());
        let mut a = NewAttachment::new(filename.clone(), mime.clone(), bytes.clone());
        if let Some(t) = ticket { a = a.ticket(TicketId::new(t)); }
        if let Some(s) = action { a = a.action(s); }
        if let Some(n) = &note { a = a.note(n.clone()); }
        prop_assert!(a.validate().is_ok(), "{:?}", a.validate());
        let is_image = mime.to_ascii_lowercase().starts_with("image/");
        prop_assert_eq!(a.isimage, is_image);

        let sent = serde_json::to_value(&a).unwrap();
        let obj = sent.as_object().unwrap();
        // Never null, only what was set: filename, data_base64 and isimage always, the links and note when given.
        prop_assert!(obj.values().all(|v| !v.is_null()));
        let expected = 3 + usize::from(ticket.is_some()) + usize::from(action.is_some()) + usize::from(note.is_some());
        prop_assert_eq!(obj.len(), expected);
        let uri = obj["data_base64"].as_str().unwrap();
        let prefix = format!("data:{mime};base64,");
        prop_assert!(uri.starts_with(&prefix), "{}", uri);

        // Halo's metadata reads back with the same values; the upload field is kept in `extra`.
        let mut stored = sent.clone();
        stored.as_object_mut().unwrap().insert("id".into(), json!(2967));
        let back: Attachment = serde_json::from_value(stored.clone()).unwrap();
        prop_assert_eq!(back.id.get(), 2967);
        prop_assert_eq!(back.filename.as_deref(), Some(filename.as_str()));
        prop_assert_eq!(back.isimage, Some(is_image));
        prop_assert_eq!(back.ticket_id.map(|x| x.get()), ticket);
        prop_assert_eq!(back.action_id, action.map(|x| i64::try_from(x).unwrap()));
        prop_assert_eq!(&back.note, &note);
        prop_assert_eq!(back.extra.keys().collect::<Vec<_>>(), vec!["data_base64"]);
        prop_assert_eq!(serde_json::to_value(&back).unwrap(), stored.clone());

        // The file content comes back byte for byte, whether Halo echoes the data URI or plain base64.
        let mut echoed = stored;
        let data = echoed.as_object_mut().unwrap().remove("data_base64").unwrap();
        let plain = uri[prefix.len()..].to_owned();
        for form in [data, json!(plain)] {
            echoed.as_object_mut().unwrap().insert("data".into(), form);
            let reply: Attachment = serde_json::from_value(echoed.clone()).unwrap();
            prop_assert_eq!(reply.decoded_data(), Some(bytes.clone()));
        }
    }

    #[test]
    fn arbitrary_unknown_keys_survive_a_ticket_round_trip(
        extra in proptest::collection::btree_map("[a-z_]{1,12}", prop_oneof![
            any::<i64>().prop_map(Value::from), any::<bool>().prop_map(Value::from),
            "[ -~]{0,20}".prop_map(Value::from), Just(Value::Null)], 0..12)
    ) {
        let mut obj = serde_json::Map::new();
        obj.insert("id".into(), json!(1));
        for (k, v) in &extra {
            obj.insert(format!("x_{k}"), v.clone());
        }
        let t: Ticket = serde_json::from_value(Value::Object(obj.clone())).unwrap();
        prop_assert_eq!(t.extra.len(), extra.len());
        prop_assert_eq!(serde_json::to_value(&t).unwrap(), Value::Object(obj));
    }
}
