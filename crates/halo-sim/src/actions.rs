//! `/api/Actions`: per-ticket action ids, outcome required, `new_*` fields change the ticket, list envelope
//! `{ticket_id, record_count, actions}`, `note_html` only with `includehtmlnote`, GET/DELETE by id need `ticket_id`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::dates::format_halo;
use crate::errors::ApiError;
use crate::lock;
use crate::request::{
    Query, body_objects, coerce_bool, coerce_int, coerce_string, int_of, lenient_int, str_of,
};
use crate::state::App;
use crate::store::{Obj, Store};
use crate::ticket_write::{strip_html, upsert};
use crate::tickets::webhook_view;
use crate::webhooks::Event;

/// Halo's answer to an action without an outcome (S6).
pub(crate) const OUTCOME_REQUIRED: &str = "An Outcome must be entered for this Action";
/// Halo's answer for an outcome the API agent may not use (S6); the sim also uses it for unknown outcomes.
pub(crate) const OUTCOME_NO_ACCESS: &str = "You do not have access to this Action at the moment";

const INTS: &[&str] = &[
    "ticket_id",
    "id",
    "outcome_id",
    "new_status",
    "new_agent",
    "new_priority",
    "new_tickettype",
    "new_sla_id",
    "new_impact",
    "new_urgency",
    "who_agentid",
    "who_type",
];
const BOOLS: &[&str] = &["hiddenfromuser", "important", "sendemail", "dont_do_rules"];
const STRINGS: &[&str] = &[
    "outcome",
    "note",
    "note_html",
    "who",
    "new_category1",
    "new_category2",
    "new_category3",
    "new_category4",
    "emailto",
    "emailcc",
    "emailsubject",
];

/// Map of `new_*` action fields to the ticket fields they set.
const TICKET_CHANGES: &[(&str, &str)] = &[
    ("new_status", "status_id"),
    ("new_agent", "agent_id"),
    ("new_priority", "priority_id"),
    ("new_tickettype", "tickettype_id"),
    ("new_sla_id", "sla_id"),
    ("new_impact", "impact"),
    ("new_urgency", "urgency"),
    ("new_category1", "category_1"),
    ("new_category2", "category_2"),
    ("new_category3", "category_3"),
    ("new_category4", "category_4"),
    ("new_fixbydate", "fixbydate"),
    ("new_deadlinedate", "deadlinedate"),
    ("new_followupdate", "followupdate"),
];

fn coerce(a: &mut Obj, i: usize) -> Result<(), ApiError> {
    for k in INTS {
        coerce_int(a, k, i)?;
    }
    for k in BOOLS {
        coerce_bool(a, k, i)?;
    }
    for k in STRINGS {
        coerce_string(a, k, i)?;
    }
    if let Some(v) = a.get("timetaken")
        && !v.is_null()
    {
        let f = v
            .as_f64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
        let f =
            f.ok_or_else(|| crate::request::conversion_error(i, "timetaken", "System.Double"))?;
        a.insert("timetaken".into(), json!(f));
    }
    Ok(())
}

struct Added {
    ticket: u64,
    action: Value,
    status_changed: bool,
}

fn add_one(store: &mut Store, now: DateTime<Utc>, i: usize, mut a: Obj) -> Result<Added, ApiError> {
    coerce(&mut a, i)?;
    let ticket = int_of(&a, "ticket_id")
        .filter(|t| *t > 0)
        .ok_or_else(|| {
            ApiError::field(
                format!("[{i}].ticket_id"),
                "The ticket_id field is required.",
            )
        })?
        .unsigned_abs();
    if store.live_ticket(ticket).is_none() {
        return Err(ApiError::rule(format!(
            "Ticket {ticket} does not exist; actions need the id of an existing ticket."
        )));
    }
    if let Some(id) = int_of(&a, "id").filter(|id| *id > 0) {
        return update_one(store, now, ticket, id, a);
    }
    let outcome = match (
        int_of(&a, "outcome_id").filter(|o| *o > 0),
        str_of(&a, "outcome").trim(),
    ) {
        (Some(id), _) => store
            .outcome(id)
            .cloned()
            .ok_or_else(|| ApiError::rule(OUTCOME_NO_ACCESS))?,
        (None, name) if !name.is_empty() => store
            .outcome_by_name(name)
            .cloned()
            .ok_or_else(|| ApiError::rule(OUTCOME_NO_ACCESS))?,
        _ => return Err(ApiError::rule(OUTCOME_REQUIRED)),
    };
    // Ticket changes first, through the ticket write path (validation, closed bookkeeping).
    let mut change = Obj::new();
    change.insert("id".into(), json!(ticket));
    for (from, to) in TICKET_CHANGES {
        if let Some(v) = a
            .get(*from)
            .filter(|v| !v.is_null() && **v != json!(0) && **v != json!(""))
        {
            change.insert((*to).into(), v.clone());
        }
    }
    if let Some(team) = a
        .get("new_team")
        .filter(|v| !v.is_null() && **v != json!(""))
    {
        match lenient_int(team) {
            Some(id) => change.insert("team_id".into(), json!(id)),
            None => change.insert("team".into(), team.clone()),
        };
    }
    if !change.contains_key("status_id")
        && let Some(s) = outcome
            .get("newstatus")
            .and_then(lenient_int)
            .filter(|s| *s > 0)
    {
        change.insert("status_id".into(), json!(s));
    }
    let old_status = store
        .tickets
        .get(&ticket)
        .and_then(|t| int_of(t, "status_id"))
        .unwrap_or(1);
    let status_changed = upsert(store, now, i, change)?.status_changed;
    let n = json!(format_halo(&now));
    let t = store.tickets.get_mut(&ticket).ok_or(ApiError::NotFound)?;
    t.insert("lastactiondate".into(), n.clone());
    let new_status = int_of(t, "status_id").unwrap_or(1);
    let new_status_name = t.get("status_name").cloned().unwrap_or(json!(""));
    let seq = store
        .actions
        .get(&ticket)
        .and_then(|v| v.iter().filter_map(|x| int_of(x, "id")).max())
        .unwrap_or(0)
        + 1;
    let agent = store.api_agent_name();
    let note_html = match (
        a.get("note_html").and_then(Value::as_str),
        a.get("note").and_then(Value::as_str),
    ) {
        (Some(h), _) => h.to_owned(),
        (None, Some(n)) => html_escape(n),
        (None, None) => String::new(),
    };
    let note = match a.get("note").and_then(Value::as_str) {
        Some(n) => n.to_owned(),
        None => strip_html(&note_html),
    };
    let hidden = a
        .get("hiddenfromuser")
        .and_then(Value::as_bool)
        .unwrap_or_else(|| {
            outcome
                .get("hidefromuser")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        });
    let mut action = json!({
        "ticket_id": ticket, "id": seq, "outcome": outcome["outcome"], "outcome_id": outcome["id"],
        "who": agent, "who_type": 1, "who_agentid": store.seed.api_agent_id, "who_imgpath": "",
        "datetime": n, "actiondatecreated": n, "note": note, "note_html": note_html,
        "hiddenfromuser": hidden, "important": false, "old_status": old_status, "new_status": new_status,
        "new_status_name": new_status_name, "timetaken": 0.0, "actionby_agent_id": store.seed.api_agent_id,
        "actionby_user_id": 0, "actionby_application_id": store.seed.application_name, "attachment_count": 0,
        "colour": outcome.get("colour").cloned().unwrap_or(json!("")), "guid": uuid::Uuid::new_v4().to_string(),
        "personal_unread": false, "sendemail": false,
    });
    if let Some(obj) = action.as_object_mut() {
        for (k, v) in a {
            let skip = k.starts_with('_')
                || k.starts_with("new_")
                || matches!(
                    k.as_str(),
                    "ticket_id"
                        | "id"
                        | "outcome"
                        | "outcome_id"
                        | "note"
                        | "note_html"
                        | "dont_do_rules"
                        | "utcoffset"
                );
            if !skip {
                obj.insert(k, v);
            }
        }
    }
    let stored = match &action {
        Value::Object(m) => m.clone(),
        _ => Obj::new(),
    };
    store.actions.entry(ticket).or_default().push(stored);
    Ok(Added {
        ticket,
        action,
        status_changed,
    })
}

fn update_one(
    store: &mut Store,
    now: DateTime<Utc>,
    ticket: u64,
    id: i64,
    a: Obj,
) -> Result<Added, ApiError> {
    let list = store.actions.entry(ticket).or_default();
    let existing = list
        .iter_mut()
        .find(|x| int_of(x, "id") == Some(id))
        .ok_or_else(|| {
            ApiError::rule(format!(
                "Action {id} does not exist on ticket {ticket}. Omit id to add a new action."
            ))
        })?;
    for (k, v) in a {
        if !k.starts_with('_') && !matches!(k.as_str(), "ticket_id" | "id") {
            existing.insert(k, v);
        }
    }
    existing.insert("datetime".into(), json!(format_halo(&now)));
    Ok(Added {
        ticket,
        action: Value::Object(existing.clone()),
        status_changed: false,
    })
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `POST /api/Actions`.
pub(crate) async fn post(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let return_all = q.bool("returnall")?;
    let items = body_objects(&body, "Actions")?;
    let now = app.clock.now();
    let mut saved = Vec::new();
    let mut events = Vec::new();
    let mut failure = None;
    {
        let mut store = lock(&app.store);
        for (i, item) in items.into_iter().enumerate() {
            match add_one(&mut store, now, i, item) {
                Ok(added) => {
                    let ticket = store
                        .tickets
                        .get(&added.ticket)
                        .map(webhook_view)
                        .unwrap_or(Value::Null);
                    if added.status_changed {
                        events.push((Event::StatusChanged, ticket.clone(), None));
                    }
                    events.push((Event::ActionAdded, ticket, Some(added.action.clone())));
                    saved.push(added.action);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
    }
    let agent = lock(&app.store).seed.api_agent_id;
    for (event, ticket, action) in events {
        app.webhooks.emit(event, now, agent, ticket, action);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let body = if return_all {
        Value::Array(saved)
    } else {
        saved.pop().unwrap_or(Value::Null)
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn ticket_param(q: &Query) -> Result<u64, ApiError> {
    q.int("ticket_id")?
        .filter(|t| *t > 0)
        .map(i64::unsigned_abs)
        .ok_or_else(|| {
            ApiError::field(
                "ticket_id",
                "The ticket_id parameter is required: action ids are per ticket.",
            )
        })
}

fn view(a: &Obj, html: bool) -> Value {
    let mut v = a.clone();
    if !html {
        v.remove("note_html");
    }
    Value::Object(v)
}

/// `GET /api/Actions?ticket_id=T`, newest first.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let ticket = ticket_param(&q)?;
    let html = q.bool("includehtmlnote")?;
    let exclude_private = q.bool("excludeprivate")?;
    let exclude_sys = q.bool("excludesys")?;
    let agent_only = q.bool("agentonly")?;
    let important_only = q.bool("importantonly")?;
    let outcome = q.str("actoutcome").map(str::to_lowercase);
    let count = q
        .int("count")?
        .filter(|c| *c > 0)
        .map(|c| usize::try_from(c).unwrap_or(usize::MAX));
    let store = lock(&app.store);
    let all = store.actions.get(&ticket).map(Vec::as_slice).unwrap_or(&[]);
    let flag = |a: &Obj, k: &str| a.get(k).and_then(Value::as_bool).unwrap_or(false);
    let rows: Vec<Value> = all
        .iter()
        .rev()
        .filter(|a| !(exclude_private && flag(a, "hiddenfromuser")))
        .filter(|a| !(exclude_sys && int_of(a, "who_type") == Some(0)))
        .filter(|a| !(agent_only && int_of(a, "who_type") != Some(1)))
        .filter(|a| !important_only || flag(a, "important"))
        .filter(|a| {
            outcome
                .as_ref()
                .is_none_or(|o| str_of(a, "outcome").to_lowercase() == *o)
        })
        .take(count.unwrap_or(usize::MAX))
        .map(|a| view(a, html))
        .collect();
    Ok(
        Json(json!({"ticket_id": ticket, "record_count": rows.len(), "actions": rows}))
            .into_response(),
    )
}

/// `GET /api/Actions/{id}?ticket_id=T` (`mostrecent=true` ignores the id).
pub(crate) async fn get(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let ticket = ticket_param(&q)?;
    let store = lock(&app.store);
    let list = store.actions.get(&ticket).ok_or(ApiError::NotFound)?;
    let found = if q.bool("mostrecent")? {
        list.last()
    } else {
        let id: i64 = id.trim().parse().map_err(|_| ApiError::NotFound)?;
        list.iter().find(|a| int_of(a, "id") == Some(id))
    };
    Ok(Json(view(found.ok_or(ApiError::NotFound)?, true)).into_response())
}

/// `DELETE /api/Actions/{id}?ticket_id=T`.
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let ticket = ticket_param(&q)?;
    let id: i64 = id.trim().parse().map_err(|_| ApiError::NotFound)?;
    let mut store = lock(&app.store);
    let list = store.actions.get_mut(&ticket).ok_or(ApiError::NotFound)?;
    let pos = list
        .iter()
        .position(|a| int_of(a, "id") == Some(id))
        .ok_or(ApiError::NotFound)?;
    let removed = list.remove(pos);
    Ok(Json(Value::Object(removed)).into_response())
}
