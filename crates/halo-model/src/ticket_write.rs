//! Write types for tickets: [`NewTicket`] (create) and [`TicketUpdate`] (partial update).
//!
//! Halo creates a ticket when a posted object has no `id` and updates the ticket when it has one, so
//! the two are distinct types: a `NewTicket` can never carry an `id`, a `TicketUpdate` always does.
//! Both serialise only the fields that were set — an unset field is never sent as `null` or a default,
//! because Halo would store it. Bodies must be wrapped in an array by the caller ([`crate::body::one`]).
//!
//! Validation rules (checked by `validate()`):
//! - `summary`: not blank, at most [`MAX_SUMMARY_CHARS`] characters (Halo's summary column holds 250;
//!   longer text belongs in `details`).
//! - every id: `1..=2147483647` (Halo ids are positive 32-bit integers).
//! - names (team, tags, custom field names): not blank.
//! - raw extra fields: not blank, not a key this type already sets, never `id` on a create.
//! - an update must change something.

use chrono::{DateTime, Utc};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::custom_field::CustomFieldValue;
use crate::error::{Rule, ValidationError};
use crate::ids::MAX_HALO_ID;
use crate::{
    AgentId, AttachmentId, ClientId, Map, PriorityId, SiteId, SlaId, StatusId, TeamId, TicketId,
    TicketTypeId, UserId, date,
};

/// Longest summary accepted by [`NewTicket::validate`] / [`TicketUpdate::validate`], in characters.
pub const MAX_SUMMARY_CHARS: usize = 250;

pub(crate) fn check_id(field: &str, raw: u64) -> Result<(), ValidationError> {
    if raw == 0 || raw > MAX_HALO_ID {
        return Err(ValidationError::new(
            field,
            Rule::IdOutOfRange { value: raw },
            format!("{raw} is not a valid Halo id"),
            "Halo ids are whole numbers from 1 to 2147483647; look the id up in Halo.",
        ));
    }
    Ok(())
}

pub(crate) fn check_nonblank(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(
            field,
            Rule::Empty,
            "the value is empty",
            format!("Give `{field}` a value, or leave it unset."),
        ));
    }
    Ok(())
}

pub(crate) fn check_text(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    check_nonblank(field, value)?;
    let actual = value.chars().count();
    if actual > max {
        return Err(ValidationError::new(
            field,
            Rule::TooLong { max, actual },
            format!("the value is {actual} characters long; Halo accepts at most {max}"),
            format!("Shorten `{field}` to {max} characters (put long text in `details`)."),
        ));
    }
    Ok(())
}

/// Serialises attachment ids as Halo's link objects: `[{"id":2967}]`.
pub(crate) fn ser_attachment_links<S: Serializer>(
    ids: &[AttachmentId],
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Link {
        id: AttachmentId,
    }
    let mut seq = s.serialize_seq(Some(ids.len()))?;
    for id in ids {
        seq.serialize_element(&Link { id: *id })?;
    }
    seq.end()
}

/// Serialises tag texts as Halo's tag objects: `[{"text":"bug"}]`.
fn ser_tags<S: Serializer>(tags: &Option<Vec<String>>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct TagText<'a> {
        text: &'a str,
    }
    let tags = tags.as_deref().unwrap_or_default();
    let mut seq = s.serialize_seq(Some(tags.len()))?;
    for t in tags {
        seq.serialize_element(&TagText { text: t })?;
    }
    seq.end()
}

/// The writable ticket fields shared by [`NewTicket`] and [`TicketUpdate`], in Halo's JSON spelling.
/// Every field is optional and skipped when unset.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct TicketFields {
    /// Subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Plain-text body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// HTML body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details_html: Option<String>,
    /// Ticket type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tickettype_id: Option<TicketTypeId>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_id: Option<StatusId>,
    /// Client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// Site (Halo requires one whenever a user is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<SiteId>,
    /// End user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// SLA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sla_id: Option<SlaId>,
    /// Priority — must be one of the priorities of the ticket's SLA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_id: Option<PriorityId>,
    /// Team **name** (Halo's writable team field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Team id (sent in addition to the name; whether Halo honours it alone is unconfirmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<TeamId>,
    /// Assigned agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// Category 1 display value (hierarchies use `>`, e.g. `"Network>VPN"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_1: Option<String>,
    /// Category 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_2: Option<String>,
    /// Category 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_3: Option<String>,
    /// Category 4.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_4: Option<String>,
    /// Impact (lookup 12 value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<i64>,
    /// Urgency (lookup 27 value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency: Option<i64>,
    /// Request source (lookup 22 value); Halo records "Manual" when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<i64>,
    /// Deadline.
    #[serde(with = "date::option", skip_serializing_if = "Option::is_none")]
    pub deadlinedate: Option<DateTime<Utc>>,
    /// Fix-by date.
    #[serde(with = "date::option", skip_serializing_if = "Option::is_none")]
    pub fixbydate: Option<DateTime<Utc>>,
    /// Follow-up date.
    #[serde(with = "date::option", skip_serializing_if = "Option::is_none")]
    pub followupdate: Option<DateTime<Utc>>,
    /// Resolution text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closure_note: Option<String>,
    /// Resolution HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closure_note_html: Option<String>,
    /// Tag texts, sent as `[{"text":…}]`. `Some(vec![])` sends an empty list (clears tags).
    #[serde(serialize_with = "ser_tags", skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Custom field values. Collections are replaced by Halo: send every value you want to keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customfields: Option<Vec<CustomFieldValue>>,
    /// Uploaded attachments to link, sent as `[{"id":N}]`.
    #[serde(
        serialize_with = "ser_attachment_links",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachments: Vec<AttachmentId>,
    /// Skip ticket rules (`dont_do_rules`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dont_do_rules: Option<bool>,
    /// Any other Halo field, sent as is (escape hatch; checked by `validate()` against collisions).
    #[serde(flatten)]
    pub extra: Map,
}

/// JSON keys [`TicketFields`] owns (used to reject colliding raw fields).
const TYPED_KEYS: &[&str] = &[
    "id",
    "summary",
    "details",
    "details_html",
    "tickettype_id",
    "status_id",
    "client_id",
    "site_id",
    "user_id",
    "sla_id",
    "priority_id",
    "team",
    "team_id",
    "agent_id",
    "category_1",
    "category_2",
    "category_3",
    "category_4",
    "impact",
    "urgency",
    "source",
    "deadlinedate",
    "fixbydate",
    "followupdate",
    "closure_note",
    "closure_note_html",
    "tags",
    "customfields",
    "attachments",
    "dont_do_rules",
    "_recover",
    "_validate_updates",
];

impl TicketFields {
    fn validate(&self) -> Result<(), ValidationError> {
        if let Some(s) = &self.summary {
            check_text("summary", s, MAX_SUMMARY_CHARS)?;
        }
        let ids: [(&str, Option<u64>); 9] = [
            ("tickettype_id", self.tickettype_id.map(TicketTypeId::get)),
            ("status_id", self.status_id.map(StatusId::get)),
            ("client_id", self.client_id.map(ClientId::get)),
            ("site_id", self.site_id.map(SiteId::get)),
            ("user_id", self.user_id.map(UserId::get)),
            ("sla_id", self.sla_id.map(SlaId::get)),
            ("priority_id", self.priority_id.map(PriorityId::get)),
            ("team_id", self.team_id.map(TeamId::get)),
            ("agent_id", self.agent_id.map(AgentId::get)),
        ];
        for (field, raw) in ids {
            if let Some(raw) = raw {
                check_id(field, raw)?;
            }
        }
        if let Some(t) = &self.team {
            check_nonblank("team", t)?;
        }
        for (i, t) in self.tags.iter().flatten().enumerate() {
            check_nonblank(&format!("tags[{i}].text"), t)?;
        }
        for (i, cf) in self.customfields.iter().flatten().enumerate() {
            cf.validate(&format!("customfields[{i}]"))?;
        }
        for (i, a) in self.attachments.iter().enumerate() {
            check_id(&format!("attachments[{i}].id"), a.get())?;
        }
        for key in self.extra.keys() {
            if key.trim().is_empty() {
                return Err(ValidationError::new(
                    "extra",
                    Rule::Empty,
                    "a raw field has an empty name",
                    "Use Halo's JSON field name, e.g. `userdef1`.",
                ));
            }
            if TYPED_KEYS.contains(&key.as_str()) {
                return Err(ValidationError::new(
                    key.clone(),
                    Rule::Conflict,
                    format!("`{key}` was set as a raw field but has its own setter"),
                    format!("Use the typed setter for `{key}` instead of a raw field."),
                ));
            }
        }
        Ok(())
    }

    fn is_empty(&self) -> bool {
        *self == TicketFields::default()
    }
}

/// Builder setters shared by [`NewTicket`] and [`TicketUpdate`].
macro_rules! ticket_setters {
    () => {
        /// Sets the plain-text body.
        pub fn details(mut self, text: impl Into<String>) -> Self {
            self.fields.details = Some(text.into());
            self
        }
        /// Sets the HTML body.
        pub fn details_html(mut self, html: impl Into<String>) -> Self {
            self.fields.details_html = Some(html.into());
            self
        }
        /// Sets the ticket type.
        pub fn ticket_type(mut self, id: TicketTypeId) -> Self {
            self.fields.tickettype_id = Some(id);
            self
        }
        /// Sets the status.
        pub fn status(mut self, id: StatusId) -> Self {
            self.fields.status_id = Some(id);
            self
        }
        /// Sets the client.
        pub fn client(mut self, id: ClientId) -> Self {
            self.fields.client_id = Some(id);
            self
        }
        /// Sets the site (required by Halo whenever a user is set).
        pub fn site(mut self, id: SiteId) -> Self {
            self.fields.site_id = Some(id);
            self
        }
        /// Sets the end user.
        pub fn user(mut self, id: UserId) -> Self {
            self.fields.user_id = Some(id);
            self
        }
        /// Sets the SLA.
        pub fn sla(mut self, id: SlaId) -> Self {
            self.fields.sla_id = Some(id);
            self
        }
        /// Sets the priority (one of the SLA's `priorityid`s).
        pub fn priority(mut self, id: PriorityId) -> Self {
            self.fields.priority_id = Some(id);
            self
        }
        /// Sets the team by **name** (`team`) — what Halo honours on write.
        pub fn team(mut self, name: impl Into<String>) -> Self {
            self.fields.team = Some(name.into());
            self
        }
        /// Also sends `team_id` (use together with [`Self::team`]).
        pub fn team_id(mut self, id: TeamId) -> Self {
            self.fields.team_id = Some(id);
            self
        }
        /// Assigns an agent.
        pub fn agent(mut self, id: AgentId) -> Self {
            self.fields.agent_id = Some(id);
            self
        }
        /// Sets category `slot` (1–4; other slots are ignored) to `value` (hierarchies use `>`).
        pub fn category(mut self, slot: u8, value: impl Into<String>) -> Self {
            let value = Some(value.into());
            match slot {
                1 => self.fields.category_1 = value,
                2 => self.fields.category_2 = value,
                3 => self.fields.category_3 = value,
                4 => self.fields.category_4 = value,
                _ => {}
            }
            self
        }
        /// Sets impact (lookup 12 value).
        pub fn impact(mut self, value: i64) -> Self {
            self.fields.impact = Some(value);
            self
        }
        /// Sets urgency (lookup 27 value).
        pub fn urgency(mut self, value: i64) -> Self {
            self.fields.urgency = Some(value);
            self
        }
        /// Sets the request source (lookup 22 value).
        pub fn source(mut self, value: i64) -> Self {
            self.fields.source = Some(value);
            self
        }
        /// Sets the deadline.
        pub fn deadline(mut self, at: DateTime<Utc>) -> Self {
            self.fields.deadlinedate = Some(at);
            self
        }
        /// Sets the fix-by date.
        pub fn fix_by(mut self, at: DateTime<Utc>) -> Self {
            self.fields.fixbydate = Some(at);
            self
        }
        /// Sets the follow-up date.
        pub fn follow_up(mut self, at: DateTime<Utc>) -> Self {
            self.fields.followupdate = Some(at);
            self
        }
        /// Sets the resolution text.
        pub fn closure_note(mut self, text: impl Into<String>) -> Self {
            self.fields.closure_note = Some(text.into());
            self
        }
        /// Sets the resolution HTML.
        pub fn closure_note_html(mut self, html: impl Into<String>) -> Self {
            self.fields.closure_note_html = Some(html.into());
            self
        }
        /// Adds a tag.
        pub fn tag(mut self, text: impl Into<String>) -> Self {
            self.fields
                .tags
                .get_or_insert_with(Vec::new)
                .push(text.into());
            self
        }
        /// Replaces the tag list (an empty list clears the ticket's tags).
        pub fn tags(mut self, texts: impl IntoIterator<Item = impl Into<String>>) -> Self {
            self.fields.tags = Some(texts.into_iter().map(Into::into).collect());
            self
        }
        /// Adds a custom field value.
        pub fn custom_field(mut self, value: CustomFieldValue) -> Self {
            self.fields
                .customfields
                .get_or_insert_with(Vec::new)
                .push(value);
            self
        }
        /// Links an uploaded attachment (`POST /api/Attachment` first).
        pub fn attachment(mut self, id: AttachmentId) -> Self {
            self.fields.attachments.push(id);
            self
        }
        /// Skips Halo's ticket rules for this request.
        pub fn dont_do_rules(mut self, skip: bool) -> Self {
            self.fields.dont_do_rules = Some(skip);
            self
        }
        /// Sends any other Halo field as is (e.g. `userdef1`). `validate()` rejects keys that have a setter.
        pub fn raw_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
            self.fields.extra.insert(key.into(), value.into());
            self
        }
    };
}

/// A ticket to create (`POST /api/Tickets` — wrap in an array).
///
/// ```
/// use halo_model::{NewTicket, TicketTypeId, ClientId, SiteId, UserId, PriorityId, CustomFieldValue};
/// let t = NewTicket::new("VPN down for Finance")
///     .details_html("<p>Users in Finance cannot connect since 09:00.</p>")
///     .ticket_type(TicketTypeId::new(1))
///     .client(ClientId::new(12))
///     .site(SiteId::new(18))
///     .user(UserId::new(38))
///     .priority(PriorityId::new(2))
///     .team("1st Line Support")
///     .category(1, "Network>VPN")
///     .tag("vpn")
///     .custom_field(CustomFieldValue::by_name("CFEmailToAddress", "helpdesk@example.com"));
/// t.validate().unwrap();
/// let v = serde_json::to_value(&t).unwrap();
/// assert_eq!(v["team"], "1st Line Support");
/// assert_eq!(v["tags"], serde_json::json!([{"text": "vpn"}]));
/// assert!(v.get("id").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewTicket {
    #[serde(flatten)]
    fields: TicketFields,
}

impl NewTicket {
    /// A new ticket with this summary (validated by [`NewTicket::validate`]).
    pub fn new(summary: impl Into<String>) -> Self {
        Self {
            fields: TicketFields {
                summary: Some(summary.into()),
                ..TicketFields::default()
            },
        }
    }

    /// The fields set so far.
    pub fn fields(&self) -> &TicketFields {
        &self.fields
    }

    /// Mutable access to the fields (for callers mapping from their own structures).
    pub fn fields_mut(&mut self) -> &mut TicketFields {
        &mut self.fields
    }

    /// The summary.
    pub fn summary(&self) -> &str {
        self.fields.summary.as_deref().unwrap_or_default()
    }

    ticket_setters!();

    /// Checks the ticket before sending (rules in the module docs).
    pub fn validate(&self) -> Result<(), ValidationError> {
        match &self.fields.summary {
            Some(s) => check_text("summary", s, MAX_SUMMARY_CHARS)?,
            None => {
                return Err(ValidationError::new(
                    "summary",
                    Rule::Missing,
                    "a new ticket needs a summary",
                    "Set a short subject line for the ticket.",
                ));
            }
        }
        if self.fields.extra.contains_key("id") {
            return Err(ValidationError::new(
                "id",
                Rule::Conflict,
                "a new ticket must not carry an id (Halo would update that ticket instead)",
                "Use TicketUpdate to change an existing ticket.",
            ));
        }
        self.fields.validate()
    }
}

/// A partial update of an existing ticket (`POST /api/Tickets` with `id` — wrap in an array).
///
/// Always serialises `id`, then only the fields that were set.
///
/// ```
/// use halo_model::{TicketUpdate, TicketId, AgentId};
/// let u = TicketUpdate::new(TicketId::new(4242)).agent(AgentId::new(3)).team("2nd Line");
/// u.validate().unwrap();
/// assert_eq!(serde_json::to_string(&u).unwrap(), r#"{"id":4242,"team":"2nd Line","agent_id":3}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TicketUpdate {
    id: TicketId,
    #[serde(flatten)]
    fields: TicketFields,
    #[serde(rename = "_recover", skip_serializing_if = "Option::is_none")]
    recover: Option<bool>,
    #[serde(rename = "_validate_updates", skip_serializing_if = "Option::is_none")]
    validate_updates: Option<bool>,
}

impl TicketUpdate {
    /// An update of ticket `id` that changes nothing yet.
    pub fn new(id: TicketId) -> Self {
        Self {
            id,
            fields: TicketFields::default(),
            recover: None,
            validate_updates: None,
        }
    }

    /// Restores a soft-deleted ticket: sends `_recover: true, _validate_updates: true`.
    pub fn restore(id: TicketId) -> Self {
        Self {
            recover: Some(true),
            validate_updates: Some(true),
            ..Self::new(id)
        }
    }

    /// The ticket being updated.
    pub fn id(&self) -> TicketId {
        self.id
    }

    /// The fields set so far.
    pub fn fields(&self) -> &TicketFields {
        &self.fields
    }

    /// Mutable access to the fields.
    pub fn fields_mut(&mut self) -> &mut TicketFields {
        &mut self.fields
    }

    /// Changes the summary.
    pub fn summary(mut self, text: impl Into<String>) -> Self {
        self.fields.summary = Some(text.into());
        self
    }

    ticket_setters!();

    /// Checks the update before sending: a valid id, something to change, and the field rules.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_id("id", self.id.get())?;
        if self.fields.is_empty() && self.recover.is_none() {
            return Err(ValidationError::new(
                "id",
                Rule::NothingToDo,
                format!("the update of ticket {} sets no field", self.id),
                "Set at least one field (e.g. status, agent, team) before sending.",
            ));
        }
        self.fields.validate()
    }
}
