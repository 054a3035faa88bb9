//! Attachment operations: upload (base64 JSON), list a ticket's attachments, download the bytes (filename from
//! `Content-Disposition`).

use bytes::Bytes;
use halo_model::{ActionId, Attachment, AttachmentId, NewAttachment, TicketId};
use serde::Serialize;
use serde_json::Value;

use crate::client::HaloClient;
use crate::error::Error;
use crate::ops::into_future;
use crate::ops::list::List;
use crate::query::to_pairs;
use crate::request::RequestParts;
use crate::route::Route;
use crate::send::decode_one;

impl HaloClient {
    /// `POST /api/Attachment` with `[attachment]` (never retried once sent).
    pub fn upload_attachment(&self, attachment: NewAttachment) -> UploadAttachment {
        UploadAttachment {
            client: self.clone(),
            attachment,
        }
    }

    /// `GET /api/Attachment?ticket_id=…`: metadata of a ticket's attachments.
    pub fn list_attachments(&self, ticket: TicketId) -> ListAttachments {
        List::new(
            self,
            Route::ListAttachments,
            AttachmentFilters {
                ticket_id: ticket,
                action_id: None,
            },
        )
    }

    /// `GET /api/Attachment/{id}`: the file.
    pub fn download_attachment(&self, id: AttachmentId) -> DownloadAttachment {
        DownloadAttachment {
            client: self.clone(),
            id,
        }
    }
}

/// Query of `GET /api/Attachment`.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentFilters {
    ticket_id: TicketId,
    #[serde(skip_serializing_if = "Option::is_none")]
    action_id: Option<u64>,
}

/// Builder for [`HaloClient::list_attachments`].
pub type ListAttachments = List<Attachment, AttachmentFilters>;

impl ListAttachments {
    /// `action_id`: only the attachments of this action (of the same ticket).
    pub fn action(mut self, action: ActionId) -> Self {
        self.query.ticket_id = action.ticket();
        self.query.action_id = Some(action.seq());
        self
    }
}

/// Builder for [`HaloClient::upload_attachment`].
#[must_use = "requests do nothing until sent"]
pub struct UploadAttachment {
    client: HaloClient,
    attachment: NewAttachment,
}

impl UploadAttachment {
    /// The request (pure).
    pub fn build(&self) -> RequestParts {
        let body =
            serde_json::to_value(halo_model::body::one(&self.attachment)).unwrap_or(Value::Null);
        RequestParts::new(Route::UploadAttachment).body(body)
    }

    /// Sends it; returns Halo's attachment record (with its new id).
    ///
    /// # Errors
    /// [`crate::ErrorKind::OutcomeUnknown`] when the answer was lost, or any other [`Error`].
    pub async fn send(self) -> Result<Attachment, Error> {
        self.attachment.validate().map_err(|e| {
            Error::new(
                crate::ErrorKind::Validation,
                format!("the attachment is invalid: {e}"),
            )
            .with_source(e)
        })?;
        let parts = self.build();
        let resp = self.client.execute(&parts).await?;
        decode_one(&resp, &parts)
    }
}

/// A downloaded attachment.
#[derive(Clone)]
pub struct Download {
    /// The file name from `Content-Disposition`, when Halo sent one.
    pub filename: Option<String>,
    /// The `Content-Type`, when sent.
    pub content_type: Option<String>,
    /// The file's bytes.
    pub bytes: Bytes,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Builder for [`HaloClient::download_attachment`].
#[must_use = "requests do nothing until sent"]
pub struct DownloadAttachment {
    client: HaloClient,
    id: AttachmentId,
}

#[derive(Serialize)]
struct NoQuery {}

impl DownloadAttachment {
    /// The request (pure).
    pub fn build(&self) -> RequestParts {
        RequestParts::new(Route::DownloadAttachment { id: self.id })
            .query(to_pairs(&NoQuery {}).unwrap_or_default())
    }

    /// Sends it.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] or any other [`Error`].
    pub async fn send(self) -> Result<Download, Error> {
        let parts = self.build();
        let resp = self.client.execute(&parts).await?;
        let header = |name: http::HeaderName| {
            resp.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Download {
            filename: header(http::header::CONTENT_DISPOSITION)
                .and_then(|v| filename_from_disposition(&v)),
            content_type: header(http::header::CONTENT_TYPE),
            bytes: resp.body,
        })
    }
}

/// The file name of a `Content-Disposition` header: `filename*=UTF-8''…` (RFC 5987) wins over `filename="…"`.
/// Path separators are removed so the name is safe to use as a file name.
pub fn filename_from_disposition(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for part in header.split(';').map(str::trim) {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "filename*" => {
                let value = value.trim().trim_matches('"');
                let encoded = value.split_once("''").map_or(value, |(_, v)| v);
                extended = Some(percent_decode(encoded));
            }
            "filename" => plain = Some(value.trim().trim_matches('"').replace("\\\"", "\"")),
            _ => {}
        }
    }
    let name = extended.or(plain)?;
    let safe: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let safe = safe.trim().to_owned();
    (!safe.is_empty() && safe != "." && safe != "..").then_some(safe)
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(hi << 4 | lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

into_future!(UploadAttachment => Attachment);
into_future!(DownloadAttachment => Download);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn disposition_forms() {
        assert_eq!(
            filename_from_disposition(r#"attachment; filename="log.txt""#).as_deref(),
            Some("log.txt")
        );
        assert_eq!(
            filename_from_disposition("attachment; filename=log.txt").as_deref(),
            Some("log.txt")
        );
        assert_eq!(
            filename_from_disposition(
                "attachment; filename=\"a.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"
            )
            .as_deref(),
            Some("résumé.pdf")
        );
        assert_eq!(
            filename_from_disposition(r#"attachment; filename="../../etc/passwd""#).as_deref(),
            Some("passwd")
        );
        assert_eq!(filename_from_disposition("inline"), None);
        assert_eq!(
            filename_from_disposition("attachment; filename*=UTF-8''%E2%82"),
            Some("\u{fffd}".into())
        );
        assert_eq!(
            filename_from_disposition("attachment; filename*=%"),
            Some("%".into())
        );
    }
}
