//! `upload_attachment` (base64 file content, as InsightConnect's `file` type carries it) and
//! `list_attachments`.

use base64::Engine as _;
use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::NewAttachment;
use serde_json::{Value, json};

use super::input::Input;
use super::tickets::{invalid, ticket_error, ticket_id, ticket_id_field, ticket_write_error};
use super::{Action, StepResult, output};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::spec::{ComponentSpec, Field};

fn attachment_example() -> Value {
    json!({"id": 77, "filename": "headers.txt", "ticket_id": 1042, "size": 2048, "date_created": "2026-12-01T10:02:45Z"})
}

/// Uploads a file to a ticket.
pub struct UploadAttachment;

impl Action for UploadAttachment {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "upload_attachment",
            title: "Upload Attachment",
            description: "Attach a file to a ticket",
            input: vec![
                ticket_id_field(),
                Field::new("file", "File", "file", "File to attach (name and base64 content)")
                    .required()
                    .example(json!({"filename": "headers.txt", "content": "UmVjZWl2ZWQ6IGZyb20gZXhhbXBsZQ=="})),
                Field::new("content_type", "Content Type", "string", "MIME type of the file; guessed from the name when empty")
                    .example("text/plain"),
                Field::new("note", "Note", "string", "Description stored with the attachment").example("Original message headers"),
            ],
            output: vec![
                Field::new("attachment", "Attachment", "attachment", "The stored attachment").required().example(attachment_example()),
                Field::new("success", "Success", "boolean", "Whether the file was attached").required().example(true),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let id = ticket_id(&inp)?;
            let file = inp.raw("file").cloned().unwrap_or(Value::Null);
            let filename = file.get("filename").and_then(Value::as_str).unwrap_or_default().trim().to_string();
            if filename.is_empty() {
                return Err(StepError::client("Input 'file' has no filename", "Give the file a name, e.g. headers.txt."));
            }
            let content = file.get("content").and_then(Value::as_str).unwrap_or_default();
            let bytes = base64::engine::general_purpose::STANDARD.decode(content.trim()).map_err(|e| {
                StepError::client(
                    "Unable to base64 decode content due to incorrect padding length.",
                    "Give the input 'file' content as standard base64, as InsightConnect's file type carries it.",
                )
                .with_data(e.to_string())
            })?;
            let ctype = inp.str("content_type").unwrap_or_else(|| guess_type(&filename).to_string());
            let mut a = NewAttachment::new(filename, ctype, bytes).ticket(id);
            if let Some(n) = inp.str("note") {
                a = a.note(n);
            }
            a.validate().map_err(|e| invalid(&e))?;
            let stored = match ctx.client.upload_attachment(a).send().await {
                Ok(x) => x,
                Err(e) => return Err(ticket_write_error(ctx, &e, id, &format!("attaching a file to ticket {id}")).await),
            };
            Ok(json!({"attachment": output::attachment(&stored), "success": true}))
        }
        .boxed()
    }
}

fn guess_type(name: &str) -> &'static str {
    let ext = name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "eml" => "message/rfc822",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Lists a ticket's attachments.
pub struct ListAttachments;

impl Action for ListAttachments {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "list_attachments",
            title: "List Attachments",
            description: "List the files attached to a ticket",
            input: vec![ticket_id_field()],
            output: vec![
                Field::new(
                    "attachments",
                    "Attachments",
                    "[]attachment",
                    "Attachments of the ticket",
                )
                .required()
                .example(json!([attachment_example()])),
                Field::new("count", "Count", "integer", "Number of attachments")
                    .required()
                    .example(1),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let id = ticket_id(&Input::new(input))?;
            let list = ctx.client.list_attachments(id).send().await.map_err(|e| {
                ticket_error(&e, id, &format!("listing attachments of ticket {id}"))
            })?;
            let items: Vec<Value> = list.iter().map(output::attachment).collect();
            let count = items.len();
            Ok(json!({"attachments": items, "count": count}))
        }
        .boxed()
    }
}
