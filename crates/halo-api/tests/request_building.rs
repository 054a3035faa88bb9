//! Request building without network: every operation's method, path, query and body, as reviewed insta snapshots.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use halo_api::{
    ActionId, AgentId, AttachmentId, CategoryId, ClientId, DateSearch, FieldId, HaloClient,
    Idempotency, NewAction, NewAttachment, NewTicket, OutcomeId, OutcomeRef, PriorityId,
    RequestParts, SiteId, SlaId, StatusId, TeamId, TicketId, TicketTypeId, TicketUpdate, UserId,
};
use halo_auth::StaticToken;
use serde_json::json;

fn client() -> HaloClient {
    HaloClient::builder()
        .resource_server("http://127.0.0.1:9/api".parse().unwrap())
        .token_provider(Arc::new(StaticToken::new("unused")))
        .build()
        .unwrap()
}

fn snap(name: &str, parts: &RequestParts) {
    insta::assert_json_snapshot!(name, parts);
}

#[test]
fn tickets() {
    let c = client();
    snap("get_ticket", &c.get_ticket(TicketId::new(42)).build());
    snap(
        "get_ticket_includes",
        &c.get_ticket(TicketId::new(42))
            .include_details(true)
            .include_last_action(false)
            .no_cache(true)
            .build(),
    );
    snap("list_tickets_default", &c.list_tickets().build());
    let since = Utc.with_ymd_and_hms(2026, 12, 1, 8, 30, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap();
    let filtered = c
        .list_tickets()
        .search("vpn down")
        .open_only(true)
        .agent(AgentId::new(3))
        .status(StatusId::new(2))
        .ticket_type(TicketTypeId::new(1))
        .team(TeamId::new(5))
        .team(TeamId::new(6))
        .client(ClientId::new(12))
        .site(SiteId::new(18))
        .user(UserId::new(38))
        .date_range(DateSearch::Opened, Some(since), Some(until))
        .updated_since(since)
        .order_by("dateoccurred")
        .order_desc(true)
        .include_custom_fields(&[FieldId::new(165), FieldId::new(213)])
        .page_size(500);
    snap("list_tickets_filtered", &filtered.build());
    snap("list_tickets_filtered_page3", &filtered.build_page(3));
    snap(
        "list_tickets_closed_deleted_unpaged",
        &c.list_tickets()
            .closed_only(true)
            .deleted(true)
            .count(10)
            .paginate(false)
            .build(),
    );
    let new = NewTicket::new("VPN down for Finance")
        .details_html("<p>since 09:00</p>")
        .ticket_type(TicketTypeId::new(1));
    let create = c.create_ticket(new).build();
    assert_eq!(create.idempotency, Idempotency::Create);
    assert!(
        create.body.as_ref().unwrap().is_array(),
        "POST bodies are arrays"
    );
    snap("create_ticket", &create);
    let update = c
        .update_ticket(TicketUpdate::new(TicketId::new(4242)).status(StatusId::new(9)))
        .build();
    assert_eq!(update.idempotency, Idempotency::Idempotent);
    assert_eq!(
        update.body.as_ref().unwrap()[0]["id"],
        json!(4242),
        "updates always carry id"
    );
    snap("update_ticket", &update);
    snap(
        "delete_ticket",
        &c.delete_ticket(TicketId::new(7))
            .reason("duplicate of 6")
            .build(),
    );
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn ticket_list_filters_send_halo_spellings_in_order() {
    let parts = client()
        .list_tickets()
        .agents([AgentId::new(3), AgentId::new(4)])
        .statuses([StatusId::new(1)])
        .statuses([StatusId::new(2)])
        .ticket_types([TicketTypeId::new(21)])
        .priorities([PriorityId::new(1), PriorityId::new(2)])
        .slas([SlaId::new(1)])
        .category_1([CategoryId::new(11)])
        .category_2([CategoryId::new(12)])
        .category_3([CategoryId::new(13)])
        .category_4([CategoryId::new(14), CategoryId::new(15)])
        .clients([ClientId::new(12), ClientId::new(13)])
        .include_closed([true, false])
        .exclude_tickets([TicketId::new(99)])
        .ticket_ids([TicketId::new(5), TicketId::new(6)])
        .ticket_ids([TicketId::new(7)])
        .username("jdoe")
        .search_user_name("Doe")
        .search_reported_by("soc@example.com")
        .view(3)
        .column_profile(4)
        .ticket_id_only(true)
        .with_attachments(true)
        .paginate(false)
        .build();
    assert_eq!(parts.path, "/api/Tickets");
    assert_eq!(
        parts.query,
        pairs(&[
            ("agent", "3"),
            ("agent", "4"),
            ("status", "1"),
            ("status", "2"),
            ("requesttype", "21"),
            ("priority", "1"),
            ("priority", "2"),
            ("sla", "1"),
            ("category_1", "11"),
            ("category_2", "12"),
            ("category_3", "13"),
            ("category_4", "14"),
            ("category_4", "15"),
            ("client_ids", "12"),
            ("client_ids", "13"),
            ("includeclosed", "1"),
            ("includeclosed", "0"),
            ("excludethese", "99"),
            ("ticketids", "5,6,7"),
            ("username", "jdoe"),
            ("search_user_name", "Doe"),
            ("search_reportedby", "soc@example.com"),
            ("view_id", "3"),
            ("columns_id", "4"),
            ("ticketidonly", "true"),
            ("withattachments", "true"),
        ])
    );
}

#[test]
fn ticket_list_filters_and_paging_combine() {
    let parts = client()
        .list_tickets()
        .open_only(true)
        .agent(AgentId::new(3))
        .agents([AgentId::new(4)])
        .page_size(50)
        .build_page(2);
    assert_eq!(
        parts.query,
        pairs(&[
            ("open_only", "true"),
            ("agent_id", "3"),
            ("agent", "4"),
            ("pageinate", "true"),
            ("page_size", "50"),
            ("page_no", "2"),
        ])
    );
}

#[test]
fn ticket_list_param_sends_unknown_filters() {
    let parts = client()
        .list_tickets()
        .open_only(true)
        .param("supplier_id", 4)
        .param("flagged", 1)
        .param("flagged", 2)
        .param("includeslatimer", true)
        .param("", "ignored")
        .paginate(false)
        .build();
    assert_eq!(
        parts.query,
        pairs(&[
            ("open_only", "true"),
            ("flagged", "1"),
            ("flagged", "2"),
            ("includeslatimer", "true"),
            ("supplier_id", "4"),
        ])
    );
}

#[test]
fn ticket_list_param_replaces_a_typed_filter_of_the_same_key() {
    let parts = client()
        .list_tickets()
        .agents([AgentId::new(3)])
        .param("agent", 9)
        .status(StatusId::new(1))
        .param("status_id", 2)
        .paginate(false)
        .build();
    assert_eq!(
        parts.query,
        pairs(&[("status_id", "2"), ("agent", "9")]),
        "one value per key, the escape hatch's, at the typed field's place"
    );
}

#[test]
fn ticket_list_param_cannot_override_paging() {
    let paged = client()
        .list_tickets()
        .param("page_size", 500)
        .param("pageinate", false)
        .param("page_no", 9)
        .build_page(3);
    assert_eq!(
        paged.query,
        pairs(&[
            ("pageinate", "true"),
            ("page_size", "100"),
            ("page_no", "3")
        ])
    );
    let unpaged = client()
        .list_tickets()
        .param("count", 5)
        .paginate(false)
        .build();
    assert_eq!(unpaged.query, pairs(&[("count", "5")]));
}

#[test]
fn actions() {
    let c = client();
    let t = TicketId::new(4242);
    snap(
        "list_actions",
        &c.list_actions(t)
            .exclude_system(true)
            .include_html_note(true)
            .build(),
    );
    snap(
        "get_action",
        &c.get_action(ActionId::new(t, 3))
            .include_details(true)
            .build(),
    );
    let note = NewAction::new(t, OutcomeRef::Name("Private Note".into()))
        .note_html("<p>Checked logs</p>")
        .hidden_from_user(true)
        .new_status(StatusId::new(2));
    let add = c.add_action(note).build();
    assert_eq!(add.idempotency, Idempotency::Create);
    snap("add_action", &add);
    snap(
        "add_action_outcome_id",
        &c.add_action(NewAction::new(t, OutcomeId::new(7)).note("plain"))
            .build(),
    );
}

#[test]
fn lookups() {
    let c = client();
    snap(
        "list_statuses",
        &c.list_statuses().exclude_pending(true).build(),
    );
    snap(
        "list_ticket_types",
        &c.list_ticket_types().can_create_only(true).build(),
    );
    snap(
        "list_priorities",
        &c.list_priorities().sla(SlaId::new(1)).build(),
    );
    snap("list_slas", &c.list_slas().build());
    snap("list_teams", &c.list_teams().build());
    snap(
        "list_agents",
        &c.list_agents()
            .search("ann")
            .include_unassigned(true)
            .build(),
    );
    snap(
        "get_agent",
        &c.get_agent(AgentId::new(3)).include_details(true).build(),
    );
    snap(
        "get_agent_me",
        &c.get_agent_me().include_details(true).build(),
    );
    snap(
        "list_outcomes",
        &c.list_outcomes().ticket_type(TicketTypeId::new(1)).build(),
    );
    snap("list_categories", &c.list_categories().slot(1).build());
    snap("list_clients", &c.list_clients().search("contoso").build());
    snap(
        "list_sites",
        &c.list_sites().client(ClientId::new(12)).build(),
    );
    snap(
        "list_users",
        &c.list_users().search("a@b.example").page_size(50).build(),
    );
    snap("get_user", &c.get_user(UserId::new(38)).build());
    snap(
        "list_field_info",
        &c.list_field_info().type_id(1).include_values(true).build(),
    );
}

#[test]
fn attachments_and_raw() {
    let c = client();
    let up =
        NewAttachment::new("log.txt", "text/plain", b"Hello".to_vec()).ticket(TicketId::new(4242));
    let upload = c.upload_attachment(up).build();
    assert_eq!(upload.idempotency, Idempotency::Create);
    snap("upload_attachment", &upload);
    snap(
        "list_attachments",
        &c.list_attachments(TicketId::new(4242)).build(),
    );
    snap(
        "list_attachments_of_action",
        &c.list_attachments(TicketId::new(1))
            .action(ActionId::new(TicketId::new(4242), 2))
            .build(),
    );
    snap(
        "download_attachment",
        &c.download_attachment(AttachmentId::new(2967)).build(),
    );
    let raw = c.raw(
        http::Method::POST,
        "/api/Webhook?x=1",
        vec![("returnall".into(), "true".into())],
        Some(json!([{"id": "abc"}])),
    );
    let parts = raw.build();
    assert_eq!(parts.path, "/api/Webhook");
    assert_eq!(parts.idempotency, Idempotency::Idempotent);
    snap("raw_post_update", &parts);
    let raw_create = c
        .raw(
            http::Method::POST,
            "Webhook",
            vec![],
            Some(json!([{"name": "x"}])),
        )
        .build();
    assert_eq!(raw_create.idempotency, Idempotency::Create);
}
