//! Attachments: upload as data URI or plain base64, list per ticket, download bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{Value, json};

#[tokio::test]
async fn upload_list_download_delete() {
    let sim = common::start().await;
    let id = sim.create_ticket(json!({"summary": "x"})).await;
    // "Hello, Halo!" as a data URI, linked directly.
    let a = sim
        .post_json("/api/Attachment", json!([{"filename": "log.txt", "data_base64": "data:text/plain;base64,SGVsbG8sIEhhbG8h", "ticket_id": id}]))
        .await;
    assert_eq!(a["filesize"], 12);
    assert_eq!(a["content_type"], "text/plain");
    assert_eq!(a["ticket_id"], id);
    let att_id = a["id"].as_u64().unwrap();
    // Plain base64, unlinked, then linked through the ticket.
    let b = sim
        .post_json(
            "/api/Attachment",
            json!([{"filename": "img.png", "data_base64": "iVBORw0KGgo="}]),
        )
        .await;
    assert_eq!(b["ticket_id"], 0);
    assert_eq!(b["isimage"], true);
    sim.post_json(
        "/api/Tickets",
        json!([{"id": id, "attachments": [{"id": b["id"]}]}]),
    )
    .await;
    let list = sim
        .get_json(&format!("/api/Attachment?ticket_id={id}"))
        .await;
    assert_eq!(list["record_count"], 2);
    assert!(
        list["attachments"][0].get("data").is_none(),
        "metadata only"
    );
    assert_eq!(sim.handle.ticket(id).unwrap()["attachment_count"], 2);
    let r = sim.get(&format!("/api/Attachment/{att_id}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"log.txt\""
    );
    assert_eq!(r.headers()["content-type"], "text/plain");
    assert_eq!(&r.bytes().await.unwrap()[..], b"Hello, Halo!");
    assert_eq!(sim.get("/api/Attachment/999").await.status(), 404);
    assert_eq!(
        sim.delete(&format!("/api/Attachment/{att_id}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        sim.get(&format!("/api/Attachment/{att_id}")).await.status(),
        404
    );
}

#[tokio::test]
async fn bad_uploads_are_400() {
    let sim = common::start().await;
    for body in [
        json!([{"filename": "a.txt", "data_base64": "data:text/plain;base64,@@@"}]),
        json!([{"filename": "a.txt"}]),
        json!([{"data_base64": "SGk="}]),
        json!([{"filename": "a.txt", "data_base64": "SGk=", "ticket_id": 424242}]),
    ] {
        let r = sim.post("/api/Attachment", body.clone()).await;
        assert_eq!(r.status(), 400, "{body}");
        let _: Value = r.json().await.unwrap();
    }
    assert_eq!(
        sim.get("/api/Attachment").await.status(),
        400,
        "ticket_id required"
    );
    let r = sim
        .post(
            "/api/Tickets",
            json!([{"summary": "x", "attachments": [{"id": 77}]}]),
        )
        .await;
    assert_eq!(r.status(), 400);
}
