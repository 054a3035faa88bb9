//! Attachments (`/api/Attachment`): the metadata Halo returns ([`Attachment`]) and an upload
//! ([`NewAttachment`]).
//!
//! Uploads are JSON: `[{"filename":"log.txt","data_base64":"data:text/plain;base64,SGVsbG8=",…}]`. The
//! data is sent as a data URI (the form production clients use; whether bare base64 is accepted is
//! unconfirmed). Either link the attachment directly with `ticket_id` (and optionally `action_id`), or
//! upload it alone and put the returned id in a ticket's `attachments`.
//! `GET /api/Attachment/{id}` returns the raw bytes, not JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Rule, ValidationError};
use crate::ticket_write::{check_id, check_text};
use crate::{AgentId, AttachmentId, Map, TicketId};
use crate::{base64, date, lenient};

/// Longest file name accepted by [`NewAttachment::validate`].
pub const MAX_FILENAME_CHARS: usize = 255;

/// Attachment metadata (list `{"attachments":[…]}`, upload replies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Attachment id.
    pub id: AttachmentId,
    /// File name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub filename: Option<String>,
    /// MIME type.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub content_type: Option<String>,
    /// Size in bytes.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub filesize: Option<i64>,
    /// Upload time.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub datecreated: Option<DateTime<Utc>>,
    /// Linked ticket (`0`/absent when not linked yet — read as `Some(TicketId(0))` or `None`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub ticket_id: Option<TicketId>,
    /// Linked action number within the ticket.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub action_id: Option<i64>,
    /// Uploading agent.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub agent_id: Option<AgentId>,
    /// Whether Halo treats it as an image.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub isimage: Option<bool>,
    /// Description.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub desc: Option<String>,
    /// Note.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub note: Option<String>,
    /// File content as base64 (upload replies echo it).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub data: Option<String>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

impl Attachment {
    /// Decodes `data` (plain base64 or a `data:…;base64,` URI). `None` when absent or not base64.
    pub fn decoded_data(&self) -> Option<Vec<u8>> {
        let text = self.data.as_deref()?;
        let payload = match text.strip_prefix("data:") {
            Some(rest) => rest.split_once(";base64,")?.1,
            None => text,
        };
        base64::decode(payload)
    }
}

/// A file to upload with `POST /api/Attachment` (wrap in an array).
///
/// ```
/// use halo_model::{NewAttachment, TicketId};
/// let a = NewAttachment::new("hello.txt", "text/plain", b"Hello".to_vec()).ticket(TicketId::new(4242));
/// a.validate().unwrap();
/// assert_eq!(
///     serde_json::to_string(&a).unwrap(),
///     r#"{"filename":"hello.txt","data_base64":"data:text/plain;base64,SGVsbG8=","isimage":false,"ticket_id":4242}"#
/// );
/// ```
#[derive(Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NewAttachment {
    /// File name shown in Halo.
    pub filename: String,
    /// The file's MIME type and bytes, sent as `data_base64: "data:<mime>;base64,<…>"`.
    #[serde(rename = "data_base64", serialize_with = "ser_data_uri")]
    pub data: DataUri,
    /// Whether Halo should treat it as an image (derived from the MIME type).
    pub isimage: bool,
    /// Link to this ticket directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<TicketId>,
    /// Link to this action number of the ticket (requires `ticket_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_id: Option<u64>,
    /// Note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The bytes of a [`NewAttachment`] with its MIME type, serialised as `data:<mime>;base64,<…>`.
#[derive(Clone, PartialEq, Eq)]
pub struct DataUri {
    mime: String,
    bytes: Vec<u8>,
}

impl DataUri {
    /// The MIME type.
    pub fn mime(&self) -> &str {
        &self.mime
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The data URI text.
    pub fn to_uri(&self) -> String {
        format!("data:{};base64,{}", self.mime, base64::encode(&self.bytes))
    }
}

fn ser_data_uri<S: Serializer>(d: &DataUri, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.to_uri())
}

// Attachment bytes can be large and sensitive: Debug shows the size only.
impl std::fmt::Debug for DataUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataUri({}, {} bytes)", self.mime, self.bytes.len())
    }
}

impl std::fmt::Debug for NewAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAttachment")
            .field("filename", &self.filename)
            .field("data", &self.data)
            .field("ticket_id", &self.ticket_id)
            .field("action_id", &self.action_id)
            .finish_non_exhaustive()
    }
}

impl NewAttachment {
    /// A file named `filename` of MIME type `content_type` (e.g. `application/pdf`) with these bytes.
    pub fn new(
        filename: impl Into<String>,
        content_type: impl Into<String>,
        bytes: Vec<u8>,
    ) -> Self {
        let content_type = content_type.into().trim().to_owned();
        let isimage = content_type.to_ascii_lowercase().starts_with("image/");
        Self {
            filename: filename.into(),
            data: DataUri {
                mime: content_type,
                bytes,
            },
            isimage,
            ticket_id: None,
            action_id: None,
            note: None,
        }
    }

    /// The MIME type given to [`NewAttachment::new`].
    pub fn content_type(&self) -> &str {
        self.data.mime()
    }

    /// Links the upload to a ticket.
    pub fn ticket(mut self, id: TicketId) -> Self {
        self.ticket_id = Some(id);
        self
    }

    /// Links the upload to action `seq` of the ticket set with [`Self::ticket`].
    pub fn action(mut self, seq: u64) -> Self {
        self.action_id = Some(seq);
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Checks the upload: a file name without path separators, a `type/subtype` MIME type, valid ids.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_text("filename", &self.filename, MAX_FILENAME_CHARS)?;
        if self.filename.contains(['/', '\\']) || self.filename.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "filename",
                Rule::Invalid,
                format!(
                    "file name {:?} contains a path separator or control character",
                    self.filename
                ),
                "Pass the bare file name, e.g. `report.pdf`.",
            ));
        }
        let ct = self.content_type();
        let valid_mime = ct.split_once('/').is_some_and(|(t, s)| {
            !t.is_empty()
                && !s.is_empty()
                && !ct.contains([';', ',', ' '])
                && ct.chars().all(|c| c.is_ascii_graphic())
        });
        if !valid_mime {
            return Err(ValidationError::new(
                "content_type",
                Rule::Invalid,
                format!("{ct:?} is not a MIME type"),
                "Use a MIME type such as text/plain or application/octet-stream.",
            ));
        }
        if let Some(t) = self.ticket_id {
            check_id("ticket_id", t.get())?;
        }
        if let Some(a) = self.action_id {
            if self.ticket_id.is_none() {
                return Err(ValidationError::new(
                    "action_id",
                    Rule::Missing,
                    "an action id was given without its ticket",
                    "Action ids are per ticket: set ticket_id as well.",
                ));
            }
            check_id("action_id", a)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn decodes_data_uri_and_plain_base64() {
        let a: Attachment = serde_json::from_str(
            r#"{"id":2967,"data":"data:text/plain;base64,SGVsbG8=","ticket_id":0,"user_id":-1}"#,
        )
        .unwrap();
        assert_eq!(a.decoded_data().unwrap(), b"Hello");
        assert_eq!(a.ticket_id, Some(TicketId::new(0)));
        assert_eq!(a.extra["user_id"], -1);
        let a: Attachment = serde_json::from_str(r#"{"id":1,"data":"SGVsbG8="}"#).unwrap();
        assert_eq!(a.decoded_data().unwrap(), b"Hello");
    }

    #[test]
    fn image_flag_and_validation() {
        assert!(NewAttachment::new("a.png", "image/png", vec![1]).isimage);
        assert!(
            NewAttachment::new("../a.png", "image/png", vec![1])
                .validate()
                .is_err()
        );
        assert!(
            NewAttachment::new("a.png", "png", vec![1])
                .validate()
                .is_err()
        );
        assert!(
            NewAttachment::new("a.png", "image/png", vec![1])
                .action(2)
                .validate()
                .is_err()
        );
        assert!(
            NewAttachment::new("", "image/png", vec![1])
                .validate()
                .is_err()
        );
    }

    #[test]
    fn debug_hides_bytes() {
        let a = NewAttachment::new("s.txt", "text/plain", b"secret-token-value".to_vec());
        let dbg = format!("{a:?}");
        assert!(
            !dbg.contains("secret") && !dbg.contains("c2VjcmV0"),
            "{dbg}"
        );
        assert!(dbg.contains("18 bytes"));
    }
}
