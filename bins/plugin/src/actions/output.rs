//! Turns halo-model read types into the plugin's output types (`ticket`, `action`, `status`, …).
//!
//! Only fields Halo actually returned are written (never `null`), so outputs always match the spec types.

use chrono::{DateTime, SecondsFormat, Utc};
use halo_model::{
    Action, Agent, Attachment, CustomField, Outcome, Priority, Status, Team, Ticket, TicketType,
    User,
};
use serde_json::{Map, Value};
use url::Url;

/// An ordered output object that skips absent values.
#[derive(Default)]
pub struct Obj(Map<String, Value>);

impl Obj {
    /// Sets `key` when `v` is present.
    pub fn put(mut self, key: &str, v: Option<impl Into<Value>>) -> Self {
        if let Some(v) = v {
            self.0.insert(key.into(), v.into());
        }
        self
    }

    /// Sets a non-empty string.
    pub fn text(self, key: &str, v: Option<&str>) -> Self {
        self.put(key, v.filter(|s| !s.is_empty()).map(str::to_string))
    }

    /// Sets a date as RFC 3339 UTC.
    pub fn date(self, key: &str, v: Option<DateTime<Utc>>) -> Self {
        self.put(key, v.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)))
    }

    /// The JSON object.
    pub fn done(self) -> Value {
        Value::Object(self.0)
    }
}

/// Link to a ticket in the agent web app: the resource server URL without `/api`, then `/ticket?id=N`.
pub fn ticket_url(resource_server: &Url, id: u64) -> String {
    let mut base = resource_server.as_str().trim_end_matches('/').to_string();
    if base.to_ascii_lowercase().ends_with("/api") {
        base.truncate(base.len() - 4);
    }
    format!("{base}/ticket?id={id}")
}

/// The `ticket` output type.
pub fn ticket(t: &Ticket, resource_server: &Url) -> Value {
    let category = [&t.category_1, &t.category_2, &t.category_3, &t.category_4]
        .into_iter()
        .flatten()
        .find(|c| !c.is_empty())
        .cloned();
    let custom: Vec<Value> = t.customfields.iter().flatten().map(custom_field).collect();
    Obj::default()
        .put("id", Some(t.id.get()))
        .text("summary", t.summary.as_deref())
        .text(
            "details",
            t.details_html.as_deref().or(t.details.as_deref()),
        )
        .put(
            "tickettype_id",
            t.tickettype_id.map(|i| i.get()).filter(|n| *n > 0),
        )
        .text(
            "tickettype_name",
            t.tickettype_name
                .as_deref()
                .or(t.tickettype.as_ref().and_then(|x| x.name.as_deref())),
        )
        .put("status_id", t.status_id.map(|i| i.get()).filter(|n| *n > 0))
        .text("status_name", t.status_name.as_deref())
        .put(
            "priority_id",
            t.priority_id.map(|i| i.get()).filter(|n| *n > 0),
        )
        .text(
            "priority_name",
            t.priority_name
                .as_deref()
                .or(t.priority.as_ref().and_then(|p| p.name.as_deref())),
        )
        .put("category", category)
        .put("agent_id", t.agent_id.map(|i| i.get()).filter(|n| *n > 0))
        .text("agent_name", t.agent_name.as_deref())
        .put("team_id", t.team_id.map(|i| i.get()).filter(|n| *n > 0))
        .text("team_name", t.team.as_deref())
        .put("client_id", t.client_id.map(|i| i.get()).filter(|n| *n > 0))
        .text("client_name", t.client_name.as_deref())
        .put("site_id", t.site_id.map(|i| i.get()).filter(|n| *n > 0))
        .text("site_name", t.site_name.as_deref())
        .put("user_id", t.user_id.map(|i| i.get()).filter(|n| *n > 0))
        .text("user_name", t.user_name.as_deref())
        .put("closed", t.hasbeenclosed)
        .date("dateoccurred", t.dateoccurred)
        .date("datecreated", t.datecreated)
        .date("datemodified", t.last_update.or(t.lastactiondate))
        .date("dateclosed", t.dateclosed)
        .put(
            "customfields",
            (!custom.is_empty()).then_some(Value::Array(custom)),
        )
        .put("url", Some(ticket_url(resource_server, t.id.get())))
        .done()
}

/// The `custom_field` output type.
pub fn custom_field(c: &CustomField) -> Value {
    Obj::default()
        .put("id", c.id.map(|i| i.get()).filter(|n| *n > 0))
        .text("name", c.name.as_deref())
        .text("label", c.label.as_deref())
        .put(
            "value",
            c.display
                .clone()
                .filter(|d| !d.is_empty())
                .or_else(|| c.value_text()),
        )
        .done()
}

/// The `action` output type (a note or other action on a ticket).
pub fn action(a: &Action, ticket: u64) -> Value {
    Obj::default()
        .put(
            "id",
            Some(a.id.and_then(|i| u64::try_from(i).ok()).unwrap_or_default()),
        )
        .put("ticket_id", Some(a.ticket_id.map_or(ticket, |t| t.get())))
        .text("outcome", a.outcome.as_deref())
        .text("note", a.note_html.as_deref().or(a.note.as_deref()))
        .text("who", a.who.as_deref())
        .put("is_private", a.hiddenfromuser)
        .date("datetime", a.datetime.or(a.actiondatecreated))
        .put("new_status_id", a.new_status.map(|s| s.get()))
        .done()
}

fn id_name(id: u64, name: Option<&str>) -> Obj {
    Obj::default()
        .put("id", Some(id))
        .put("name", Some(name.unwrap_or_default().to_string()))
}

/// The `status` output type.
pub fn status(s: &Status) -> Value {
    id_name(s.id.get(), s.name.as_deref())
        .put("is_closed", Some(s.is_closed()))
        .done()
}

/// The `ticket_type` output type.
pub fn ticket_type(t: &TicketType) -> Value {
    id_name(t.id.get(), t.name.as_deref()).done()
}

/// The `priority` output type (`None` for rows without a priority id).
pub fn priority(p: &Priority) -> Option<Value> {
    let id = p.priorityid?.get();
    Some(
        id_name(id, p.name.as_deref())
            .put("sla_id", p.slaid.map(|s| s.get()))
            .done(),
    )
}

/// The `team` output type.
pub fn team(t: &Team) -> Value {
    id_name(t.id.get(), t.name.as_deref()).done()
}

/// The `agent` output type.
pub fn agent(a: &Agent) -> Value {
    id_name(a.id.get(), a.name.as_deref())
        .text("email", a.email.as_deref())
        .text("team", a.team.as_deref())
        .done()
}

/// The `user` output type.
pub fn user(u: &User) -> Value {
    id_name(u.id.get(), u.name.as_deref())
        .text("email", u.emailaddress.as_deref())
        .put("client_id", u.client_id.map(|i| i.get()).filter(|n| *n > 0))
        .text("client_name", u.client_name.as_deref())
        .put(
            "site_id",
            u.site_id
                .or(u.site_id_int)
                .map(|i| i.get())
                .filter(|n| *n > 0),
        )
        .text("site_name", u.site_name.as_deref())
        .done()
}

/// The `outcome` output type.
pub fn outcome(o: &Outcome) -> Value {
    id_name(o.id.get(), o.name()).done()
}

/// The `attachment` output type.
pub fn attachment(a: &Attachment) -> Value {
    Obj::default()
        .put("id", Some(a.id.get()))
        .text("filename", a.filename.as_deref())
        .put("ticket_id", a.ticket_id.map(|t| t.get()))
        .put("size", a.filesize.and_then(|s| u64::try_from(s).ok()))
        .date("date_created", a.datecreated)
        .done()
}
