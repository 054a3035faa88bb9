//! Actions — notes and updates on a ticket (`/api/Actions`): the read type [`Action`] and the write type
//! [`NewAction`].
//!
//! Halo numbers actions per ticket, so an action is identified by [`ActionId`] (ticket + sequence). A new
//! action needs its ticket and an outcome (the action type, by name or by id); without an outcome Halo
//! answers 400 "An Outcome must be entered for this Action".

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};

use crate::custom_field::{CustomField, CustomFieldValue};
use crate::error::{Rule, ValidationError};
use crate::ticket_write::{check_id, check_nonblank};
use crate::{ActionId, AgentId, AttachmentId, Map, OutcomeId, PriorityId, StatusId, TicketId};
use crate::{date, lenient};

/// An action as Halo returns it (`GET /api/Actions?ticket_id=…`, POST replies, `extra_actions` on a new
/// ticket, webhook payloads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// The ticket the action belongs to.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub ticket_id: Option<TicketId>,
    /// Per-ticket action number.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<i64>,
    /// Action type name, e.g. `"Private Note"`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub outcome: Option<String>,
    /// Action type id.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub outcome_id: Option<OutcomeId>,
    /// Author display name.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub who: Option<String>,
    /// Author kind code.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub who_type: Option<i64>,
    /// Author agent.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub who_agentid: Option<AgentId>,
    /// When the action happened.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub datetime: Option<DateTime<Utc>>,
    /// When the action record was created.
    #[serde(
        default,
        with = "date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub actiondatecreated: Option<DateTime<Utc>>,
    /// Plain-text note.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub note: Option<String>,
    /// HTML note (list calls need `includehtmlnote=true`).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub note_html: Option<String>,
    /// Private (agent-only) note.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub hiddenfromuser: Option<bool>,
    /// Flagged important.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub important: Option<bool>,
    /// Ticket status before the action.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub old_status: Option<StatusId>,
    /// Ticket status after the action.
    #[serde(
        default,
        deserialize_with = "lenient::opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_status: Option<StatusId>,
    /// Name of `new_status`.
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub new_status_name: Option<String>,
    /// Time taken, in hours.
    #[serde(
        default,
        deserialize_with = "lenient::opt_f64",
        skip_serializing_if = "Option::is_none"
    )]
    pub timetaken: Option<f64>,
    /// Number of attachments.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub attachment_count: Option<i64>,
    /// API application that created the action (its name).
    #[serde(
        default,
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub actionby_application_id: Option<String>,
    /// Action-level custom fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customfields: Option<Vec<CustomField>>,
    /// Every other key Halo sent.
    #[serde(flatten)]
    pub extra: Map,
}

impl Action {
    /// The action's id when both the ticket and the sequence are known and valid.
    pub fn action_id(&self) -> Option<ActionId> {
        let seq = u64::try_from(self.id?).ok()?;
        Some(ActionId::new(self.ticket_id?, seq))
    }

    /// The action's id, taking the ticket from context (list replies name it once in the envelope).
    pub fn action_id_in(&self, ticket: TicketId) -> Option<ActionId> {
        let seq = u64::try_from(self.id?).ok()?;
        Some(ActionId::new(self.ticket_id.unwrap_or(ticket), seq))
    }
}

/// The action type of a new action: by name (`outcome`) or by id (`outcome_id`). Names and ids are
/// tenant configuration — resolve them with `GET /api/Outcome` ([`crate::Outcome`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OutcomeRef {
    /// By action name, e.g. `"Private Note"` — serialised as `"outcome"`.
    Name(String),
    /// By id, e.g. 7 ("Internal Note" on stock tenants) — serialised as `"outcome_id"`.
    Id(OutcomeId),
}

impl From<OutcomeId> for OutcomeRef {
    fn from(id: OutcomeId) -> Self {
        OutcomeRef::Id(id)
    }
}

impl From<&str> for OutcomeRef {
    fn from(name: &str) -> Self {
        OutcomeRef::Name(name.to_owned())
    }
}

impl From<String> for OutcomeRef {
    fn from(name: String) -> Self {
        OutcomeRef::Name(name)
    }
}

/// A new action (note) to `POST /api/Actions` (wrapped in an array by the caller).
///
/// Only what is set is sent. [`NewAction::validate`] requires a valid ticket id, a non-blank outcome, and
/// something to record: a note (`note` or `note_html`) or at least one change (`new_status`, `new_agent`, …).
///
/// ```
/// use halo_model::{NewAction, StatusId, TicketId};
/// let a = NewAction::new(TicketId::new(4242), "Private Note")
///     .note_html("<p>Checked logs; escalating.</p>")
///     .hidden_from_user(true)
///     .new_status(StatusId::new(2));
/// a.validate().unwrap();
/// assert_eq!(
///     serde_json::to_string(&a).unwrap(),
///     r#"{"ticket_id":4242,"outcome":"Private Note","note_html":"<p>Checked logs; escalating.</p>","hiddenfromuser":true,"new_status":2}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NewAction {
    /// Target ticket.
    pub ticket_id: TicketId,
    /// Action type (serialised as `outcome` or `outcome_id`).
    #[serde(flatten)]
    pub outcome: OutcomeRef,
    /// Plain-text note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// HTML note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_html: Option<String>,
    /// Private (agent-only) when `true`.
    #[serde(rename = "hiddenfromuser", skip_serializing_if = "Option::is_none")]
    pub hidden_from_user: Option<bool>,
    /// Move the ticket to this status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_status: Option<StatusId>,
    /// Reassign to this agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_agent: Option<AgentId>,
    /// Reassign to this team (by **name**, like a ticket's `team`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_team: Option<String>,
    /// Change the priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_priority: Option<PriorityId>,
    /// Time taken, in hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timetaken: Option<f64>,
    /// Email the end user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sendemail: Option<bool>,
    /// Flag important.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub important: Option<bool>,
    /// Author display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub who: Option<String>,
    /// When the action happened (defaults to now on Halo's side).
    #[serde(with = "date::option", skip_serializing_if = "Option::is_none")]
    pub datetime: Option<DateTime<Utc>>,
    /// Uploaded attachments to link, sent as `[{"id":N}]`.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "crate::ticket_write::ser_attachment_links"
    )]
    pub attachments: Vec<AttachmentId>,
    /// Action-level custom fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub customfields: Vec<CustomFieldValue>,
}

/// Serialises as a one-key object — `{"outcome":"Private Note"}` or `{"outcome_id":7}` — so that it
/// flattens into [`NewAction`].
impl Serialize for OutcomeRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        match self {
            OutcomeRef::Name(n) => m.serialize_entry("outcome", n)?,
            OutcomeRef::Id(id) => m.serialize_entry("outcome_id", id)?,
        }
        m.end()
    }
}

impl NewAction {
    /// A new action of type `outcome` on `ticket`.
    pub fn new(ticket: TicketId, outcome: impl Into<OutcomeRef>) -> Self {
        Self {
            ticket_id: ticket,
            outcome: outcome.into(),
            note: None,
            note_html: None,
            hidden_from_user: None,
            new_status: None,
            new_agent: None,
            new_team: None,
            new_priority: None,
            timetaken: None,
            sendemail: None,
            important: None,
            who: None,
            datetime: None,
            attachments: Vec::new(),
            customfields: Vec::new(),
        }
    }

    /// The action's ticket.
    pub fn ticket(&self) -> TicketId {
        self.ticket_id
    }

    /// Sets the plain-text note.
    pub fn note(mut self, text: impl Into<String>) -> Self {
        self.note = Some(text.into());
        self
    }

    /// Sets the HTML note.
    pub fn note_html(mut self, html: impl Into<String>) -> Self {
        self.note_html = Some(html.into());
        self
    }

    /// Private (agent-only) when `true`; visible to the end user when `false`.
    pub fn hidden_from_user(mut self, hidden: bool) -> Self {
        self.hidden_from_user = Some(hidden);
        self
    }

    /// Moves the ticket to `status` (e.g. the tenant's closed status to close it).
    pub fn new_status(mut self, status: StatusId) -> Self {
        self.new_status = Some(status);
        self
    }

    /// Reassigns the ticket to `agent`.
    pub fn new_agent(mut self, agent: AgentId) -> Self {
        self.new_agent = Some(agent);
        self
    }

    /// Reassigns the ticket to the team named `team`.
    pub fn new_team(mut self, team: impl Into<String>) -> Self {
        self.new_team = Some(team.into());
        self
    }

    /// Changes the priority (must belong to the ticket's SLA).
    pub fn new_priority(mut self, priority: PriorityId) -> Self {
        self.new_priority = Some(priority);
        self
    }

    /// Records time taken, in hours.
    pub fn time_taken_hours(mut self, hours: f64) -> Self {
        self.timetaken = Some(hours);
        self
    }

    /// Emails the end user about the action.
    pub fn send_email(mut self, send: bool) -> Self {
        self.sendemail = Some(send);
        self
    }

    /// Flags the action important.
    pub fn important(mut self, important: bool) -> Self {
        self.important = Some(important);
        self
    }

    /// Sets the author display name.
    pub fn who(mut self, who: impl Into<String>) -> Self {
        self.who = Some(who.into());
        self
    }

    /// Sets when the action happened.
    pub fn datetime(mut self, at: DateTime<Utc>) -> Self {
        self.datetime = Some(at);
        self
    }

    /// Links an uploaded attachment.
    pub fn attachment(mut self, id: AttachmentId) -> Self {
        self.attachments.push(id);
        self
    }

    /// Adds an action-level custom field value.
    pub fn custom_field(mut self, value: CustomFieldValue) -> Self {
        self.customfields.push(value);
        self
    }

    /// Checks the action before sending; the error names the field and the rule.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_id("ticket_id", self.ticket_id.get())?;
        match &self.outcome {
            OutcomeRef::Name(n) => check_nonblank("outcome", n)?,
            OutcomeRef::Id(id) => check_id("outcome_id", id.get())?,
        }
        if let Some(s) = self.new_status {
            check_id("new_status", s.get())?;
        }
        if let Some(a) = self.new_agent {
            // Agent 0 is not a real agent; unassigning is done with the tenant's "Unassigned" agent id.
            check_id("new_agent", a.get())?;
        }
        if let Some(t) = &self.new_team {
            check_nonblank("new_team", t)?;
        }
        if let Some(p) = self.new_priority {
            check_id("new_priority", p.get())?;
        }
        if let Some(h) = self.timetaken
            && (!h.is_finite() || h < 0.0)
        {
            return Err(ValidationError::new(
                "timetaken",
                Rule::Invalid,
                format!("time taken {h} is not a non-negative number of hours"),
                "Give the time in hours, e.g. 0.25 for 15 minutes.",
            ));
        }
        for (i, a) in self.attachments.iter().enumerate() {
            check_id(&format!("attachments[{i}].id"), a.get())?;
        }
        for (i, cf) in self.customfields.iter().enumerate() {
            cf.validate(&format!("customfields[{i}]"))?;
        }
        let has_note = self.note.as_deref().is_some_and(|n| !n.trim().is_empty())
            || self
                .note_html
                .as_deref()
                .is_some_and(|n| !n.trim().is_empty());
        let has_change = self.new_status.is_some()
            || self.new_agent.is_some()
            || self.new_team.is_some()
            || self.new_priority.is_some()
            || self.timetaken.is_some()
            || !self.attachments.is_empty()
            || !self.customfields.is_empty();
        if !has_note && !has_change {
            return Err(ValidationError::new(
                "note",
                Rule::NothingToDo,
                "the action has no note and changes nothing",
                "Set note or note_html, or a change such as new_status or new_agent.",
            ));
        }
        Ok(())
    }
}
