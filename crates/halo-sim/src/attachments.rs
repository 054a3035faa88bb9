//! `/api/Attachment`: JSON upload with `data_base64` (data URI or plain base64), per-ticket listing
//! `{attachments, record_count}`, download of the raw bytes with `Content-Disposition`, delete.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::dates::format_halo;
use crate::errors::ApiError;
use crate::lock;
use crate::request::{Query, body_objects, coerce_bool, coerce_int, coerce_string, int_of, str_of};
use crate::state::App;
use crate::store::{Obj, StoredAttachment};

/// Split `data:<type>;base64,<b64>` (or plain base64) into content type and bytes.
fn decode(data: &str, path: &str) -> Result<(Option<String>, Vec<u8>), ApiError> {
    let (ctype, b64) = match data.strip_prefix("data:") {
        Some(rest) => {
            let (meta, payload) = rest.split_once(',').ok_or_else(|| {
                ApiError::field(
                    path,
                    "data_base64 is a data URI without ','; use data:<type>;base64,<data>.",
                )
            })?;
            let ctype = meta.trim_end_matches(";base64");
            (Some(ctype.to_owned()).filter(|c| !c.is_empty()), payload)
        }
        None => (None, data),
    };
    let cleaned: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = STANDARD
        .decode(cleaned)
        .map_err(|e| ApiError::field(path, format!("data_base64 is not valid base64 ({e}).")))?;
    Ok((ctype, bytes))
}

fn guess_type(filename: &str) -> &'static str {
    let ext = filename
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// `POST /api/Attachment`.
pub(crate) async fn post(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let return_all = q.bool("returnall")?;
    let items = body_objects(&body, "Attachment")?;
    let now = format_halo(&app.clock.now());
    let mut store = lock(&app.store);
    let mut saved = Vec::new();
    for (i, mut a) in items.into_iter().enumerate() {
        for k in ["ticket_id", "action_id", "id"] {
            coerce_int(&mut a, k, i)?;
        }
        coerce_bool(&mut a, "isimage", i)?;
        for k in ["filename", "note", "data_base64"] {
            coerce_string(&mut a, k, i)?;
        }
        let filename = str_of(&a, "filename").trim().to_owned();
        if filename.is_empty() {
            return Err(ApiError::field(
                format!("[{i}].filename"),
                "The filename field is required.",
            ));
        }
        let data = str_of(&a, "data_base64");
        if data.is_empty() {
            return Err(ApiError::field(
                format!("[{i}].data_base64"),
                "data_base64 is required: send the file as data:<type>;base64,<data>.",
            ));
        }
        let (ctype, bytes) = decode(data, &format!("[{i}].data_base64"))?;
        let ticket = int_of(&a, "ticket_id").unwrap_or(0);
        if ticket > 0 && store.live_ticket(ticket.unsigned_abs()).is_none() {
            return Err(ApiError::rule(format!(
                "Ticket {ticket} does not exist; attach files to an existing ticket or omit ticket_id."
            )));
        }
        let ctype = ctype.unwrap_or_else(|| guess_type(&filename).to_owned());
        let id = store.next_attachment_id;
        store.next_attachment_id = store.next_attachment_id.saturating_add(1);
        let meta = json!({
            "third_party_id": "", "content_type": ctype, "id": id, "filename": filename,
            "datecreated": now, "note": str_of(&a, "note"), "filesize": bytes.len(), "type": 0, "unique_id": 0,
            "desc": filename, "isimage": a.get("isimage").and_then(Value::as_bool).unwrap_or(ctype.starts_with("image/")),
            "ticket_id": ticket, "action_id": int_of(&a, "action_id").unwrap_or(0), "user_id": -1,
            "agent_id": store.seed.api_agent_id, "guid": uuid::Uuid::new_v4().to_string(),
            "showforusers": false, "showonchild": false, "showonrelated": false,
        });
        let Value::Object(meta) = meta else { continue };
        let mut response = meta.clone();
        response.insert("data".into(), json!(STANDARD.encode(&bytes)));
        store
            .attachments
            .insert(id, StoredAttachment { meta, data: bytes });
        if ticket > 0 {
            let count = store
                .attachments
                .values()
                .filter(|x| int_of(&x.meta, "ticket_id") == Some(ticket))
                .count();
            if let Some(t) = store.tickets.get_mut(&ticket.unsigned_abs()) {
                t.insert("attachment_count".into(), json!(count));
            }
        }
        saved.push(Value::Object(response));
    }
    let body = if return_all {
        Value::Array(saved)
    } else {
        saved.pop().unwrap_or(Value::Null)
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /api/Attachment?ticket_id=T` → `{attachments, record_count}` (metadata only).
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let ticket = q.int("ticket_id")?.filter(|t| *t > 0).ok_or_else(|| {
        ApiError::field(
            "ticket_id",
            "The ticket_id parameter is required to list attachments.",
        )
    })?;
    let action = q.int("action_id")?;
    let store = lock(&app.store);
    let rows: Vec<Value> = store
        .attachments
        .values()
        .filter(|a| int_of(&a.meta, "ticket_id") == Some(ticket))
        .filter(|a| action.is_none_or(|x| int_of(&a.meta, "action_id") == Some(x)))
        .map(|a| Value::Object(a.meta.clone()))
        .collect();
    Ok(Json(json!({"record_count": rows.len(), "attachments": rows})).into_response())
}

fn attachment_id(raw: &str) -> Result<u64, ApiError> {
    raw.trim().parse().map_err(|_| ApiError::NotFound)
}

/// `GET /api/Attachment/{id}` → the bytes, filename in `Content-Disposition`.
pub(crate) async fn download(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = attachment_id(&id)?;
    let store = lock(&app.store);
    let a = store.attachments.get(&id).ok_or(ApiError::NotFound)?;
    let filename = str_of(&a.meta, "filename").replace(['"', '\\', '\r', '\n'], "_");
    let ctype = HeaderValue::from_str(str_of(&a.meta, "content_type"))
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, ctype),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        a.data.clone(),
    )
        .into_response())
}

/// `DELETE /api/Attachment/{id}`.
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = attachment_id(&id)?;
    let mut store = lock(&app.store);
    let a = store.attachments.remove(&id).ok_or(ApiError::NotFound)?;
    let meta: Obj = a.meta;
    Ok(Json(Value::Object(meta)).into_response())
}
