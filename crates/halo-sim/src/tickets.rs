//! `/api/Tickets`: list (filters, paging with the silent 100 clamp, envelope), get by id, POST upsert,
//! DELETE soft delete.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use crate::dates::{parse_lenient, stored_date};
use crate::errors::ApiError;
use crate::lock;
use crate::request::{Query, body_objects, int_of, lenient_int, str_of};
use crate::state::App;
use crate::store::{Obj, Store};
use crate::ticket_write::{Change, upsert};
use crate::webhooks::Event;

/// Halo's hard page-size cap (swagger: "Maximum size: 100").
pub(crate) const MAX_PAGE_SIZE: u32 = 100;

/// Fields of a list row (Halo's smaller `Faults_List` schema).
const LIST_KEYS: &[&str] = &[
    "id",
    "reference",
    "summary",
    "details",
    "status_id",
    "status_name",
    "tickettype_id",
    "tickettype_name",
    "sla_id",
    "sla_name",
    "priority_id",
    "priority_name",
    "client_id",
    "client_name",
    "site_id",
    "site_name",
    "user_id",
    "user_name",
    "user_email",
    "team",
    "team_id",
    "agent_id",
    "agent_name",
    "category_1",
    "category_2",
    "category_3",
    "category_4",
    "impact",
    "urgency",
    "source",
    "dateoccurred",
    "datecreated",
    "respondbydate",
    "fixbydate",
    "lastactiondate",
    "last_update",
    "dateclosed",
    "targetdate",
    "deadlinedate",
    "onhold",
    "inactive",
    "excludefromsla",
    "hasbeenclosed",
    "deleted",
    "attachment_count",
    "child_count",
    "parent_id",
    "ticket_tags",
    "use",
];

pub(crate) fn list_view(t: &Obj, custom_field_ids: Option<&[i64]>) -> Value {
    let mut row = serde_json::Map::new();
    for k in LIST_KEYS {
        if let Some(v) = t.get(*k) {
            row.insert((*k).into(), v.clone());
        }
    }
    if let Some(ids) = custom_field_ids {
        let cfs: Vec<Value> = t
            .get("customfields")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|c| {
                        c.get("id")
                            .and_then(lenient_int)
                            .is_some_and(|id| ids.contains(&id))
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        row.insert("customfields".into(), Value::Array(cfs));
    }
    Value::Object(row)
}

/// The full record with the embedded objects Halo returns on detail (`priority`, `tickettype`, `user`).
pub(crate) fn detail_view(store: &Store, t: &Obj) -> Value {
    let mut v = t.clone();
    let sla = int_of(t, "sla_id").unwrap_or(0);
    let pri = int_of(t, "priority_id").unwrap_or(0);
    if let Some(p) = store.priority(sla, pri) {
        v.insert("priority".into(), p.clone());
    }
    if let Some(tt) = store.ticket_type(int_of(t, "tickettype_id").unwrap_or(0)) {
        v.insert("tickettype".into(), tt.clone());
    }
    if let Some(u) = store.user(int_of(t, "user_id").unwrap_or(0)) {
        v.insert("user".into(), u.clone());
    }
    Value::Object(v)
}

/// [`detail_view`] without cloning: serialises the stored record and the embedded objects straight from the
/// store (the `GET /Tickets/{id}` hot path).
pub(crate) struct DetailRef<'a> {
    t: &'a Obj,
    embedded: [(&'static str, Option<&'a Value>); 3],
}

impl<'a> DetailRef<'a> {
    pub(crate) fn new(store: &'a Store, t: &'a Obj) -> Self {
        let sla = int_of(t, "sla_id").unwrap_or(0);
        let pri = int_of(t, "priority_id").unwrap_or(0);
        Self {
            t,
            embedded: [
                ("priority", store.priority(sla, pri)),
                (
                    "tickettype",
                    store.ticket_type(int_of(t, "tickettype_id").unwrap_or(0)),
                ),
                ("user", store.user(int_of(t, "user_id").unwrap_or(0))),
            ],
        }
    }
}

impl Serialize for DetailRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.t {
            let replaced = self
                .embedded
                .iter()
                .any(|(name, e)| e.is_some() && name == k);
            if !replaced {
                m.serialize_entry(k, v)?;
            }
        }
        for (name, e) in &self.embedded {
            if let Some(v) = e {
                m.serialize_entry(name, v)?;
            }
        }
        m.end()
    }
}

/// Webhook form: list fields plus custom fields.
pub(crate) fn webhook_view(t: &Obj) -> Value {
    let mut v = list_view(t, None);
    if let (Some(o), Some(cf)) = (v.as_object_mut(), t.get("customfields")) {
        o.insert("customfields".into(), cf.clone());
    }
    v
}

struct Filter {
    status: Vec<i64>,
    tickettype: Vec<i64>,
    agent: Vec<i64>,
    team: Vec<i64>,
    client: Vec<i64>,
    priority: Vec<i64>,
    sla: Vec<i64>,
    exclude: Vec<i64>,
    include_closed: Option<bool>,
    site: Option<i64>,
    user: Option<i64>,
    ids: Vec<i64>,
    open_only: bool,
    closed_only: bool,
    deleted: bool,
    search: Option<String>,
    field_search: Vec<(&'static str, String)>,
    date_field: Option<&'static str>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    updated_from: Option<DateTime<Utc>>,
    updated_to: Option<DateTime<Utc>>,
}

fn date_param(q: &Query, key: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match q.str(key) {
        None => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => Ok(None),
        Some(s) => parse_lenient(s).map(Some).ok_or_else(|| {
            ApiError::field(
                key,
                format!(
                    "The value '{s}' is not a valid date; use ISO 8601 like 2024-06-20T14:45:15Z."
                ),
            )
        }),
    }
}

impl Filter {
    fn from_query(q: &Query) -> Result<Self, ApiError> {
        let one_or_list = |single: &str, list: &str| -> Result<Vec<i64>, ApiError> {
            let mut v = q.int_list(list)?;
            if let Some(s) = q.int(single)? {
                v.push(s);
            }
            Ok(v)
        };
        let date_field = match q.str("datesearch").map(str::to_ascii_lowercase).as_deref() {
            None => None,
            Some("dateoccured" | "dateoccurred") => Some("dateoccurred"),
            Some("datecleared" | "dateclosed") => Some("dateclosed"),
            Some("datecreated") => Some("datecreated"),
            Some("lastactiondate") => Some("lastactiondate"),
            Some("fixbydate") => Some("fixbydate"),
            Some("respondbydate") => Some("respondbydate"),
            Some(other) => {
                return Err(ApiError::field(
                    "datesearch",
                    format!(
                        "'{other}' is not a searchable date column; use dateoccured (opened) or datecleared (closed)."
                    ),
                ));
            }
        };
        let mut field_search = Vec::new();
        for (param, field) in [
            ("search_summary", "summary"),
            ("search_details", "details"),
            ("search_user_name", "user_name"),
            ("search_reportedby", "reportedby"),
            ("search_id", "id"),
        ] {
            if let Some(s) = q.str(param) {
                field_search.push((field, s.to_lowercase()));
            }
        }
        let mut ids = q.int_list("ticketids")?;
        if let Some(one) = q.int("searchthisticketid")? {
            ids.push(one);
        }
        Ok(Self {
            status: one_or_list("status_id", "status")?,
            tickettype: one_or_list("requesttype_id", "requesttype")?,
            agent: one_or_list("agent_id", "agent")?,
            team: q.int_list("team")?,
            client: one_or_list("client_id", "client_ids")?,
            priority: q.int_list("priority")?,
            sla: q.int_list("sla")?,
            exclude: q.int_list("excludethese")?,
            include_closed: match q.int_list("includeclosed")?.as_slice() {
                [] => None,
                // 1 = the closed ones, 0 = the open ones; both given = no filter.
                [one] => Some(*one == 1),
                _ => None,
            },
            site: q.int("site_id")?,
            user: q.int("user_id")?,
            ids,
            open_only: q.bool("open_only")?,
            closed_only: q.bool("closed_only")?,
            deleted: q.bool("deleted")?,
            search: q.str("search").map(str::to_lowercase),
            field_search,
            date_field,
            start: date_param(q, "startdate")?,
            end: date_param(q, "enddate")?,
            updated_from: date_param(q, "lastupdatefromdate")?,
            updated_to: date_param(q, "lastupdatetodate")?,
        })
    }

    fn matches(&self, store: &Store, t: &Obj) -> bool {
        let int = |k: &str| int_of(t, k).unwrap_or(0);
        let deleted = t.get("deleted").and_then(Value::as_bool).unwrap_or(false);
        if deleted != self.deleted {
            return false;
        }
        let in_list = |list: &[i64], k: &str| list.is_empty() || list.contains(&int(k));
        if !in_list(&self.status, "status_id")
            || !in_list(&self.tickettype, "tickettype_id")
            || !in_list(&self.agent, "agent_id")
            || !in_list(&self.team, "team_id")
            || !in_list(&self.client, "client_id")
            || !in_list(&self.ids, "id")
            || !in_list(&self.priority, "priority_id")
            || !in_list(&self.sla, "sla_id")
            || self.exclude.contains(&int("id"))
        {
            return false;
        }
        if self.site.is_some_and(|s| s != int("site_id"))
            || self.user.is_some_and(|u| u != int("user_id"))
        {
            return false;
        }
        let closed = store.is_closed_status(int("status_id"));
        if (self.open_only && closed) || (self.closed_only && !closed) {
            return false;
        }
        if self
            .include_closed
            .is_some_and(|want_closed| want_closed != closed)
        {
            return false;
        }
        if let Some(s) = &self.search {
            let hay = [
                "summary",
                "details",
                "reference",
                "user_name",
                "client_name",
            ]
            .iter()
            .any(|k| str_of(t, k).to_lowercase().contains(s.as_str()));
            if !hay && int("id").to_string() != *s {
                return false;
            }
        }
        for (field, needle) in &self.field_search {
            let value = match t.get(*field) {
                Some(Value::String(s)) => s.to_lowercase(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            if !value.contains(needle.as_str()) {
                return false;
            }
        }
        if self.start.is_some() || self.end.is_some() {
            let Some(d) = stored_date(t.get(self.date_field.unwrap_or("dateoccurred"))) else {
                return false;
            };
            if self.start.is_some_and(|s| d < s) || self.end.is_some_and(|e| d > e) {
                return false;
            }
        }
        if self.updated_from.is_some() || self.updated_to.is_some() {
            let Some(d) = stored_date(t.get("last_update")) else {
                return false;
            };
            if self.updated_from.is_some_and(|s| d < s) || self.updated_to.is_some_and(|e| d > e) {
                return false;
            }
        }
        true
    }
}

pub(crate) fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// Apply `pageinate`/`page_size`/`page_no` (page size silently clamped to 100) or `count`.
pub(crate) struct Paging {
    pub page: Option<(u32, u32)>,
    pub count: Option<usize>,
}

impl Paging {
    pub(crate) fn from_query(q: &Query, default_page_size: u32) -> Result<Self, ApiError> {
        let count = q
            .int("count")?
            .filter(|c| *c > 0)
            .map(|c| usize::try_from(c).unwrap_or(usize::MAX));
        if !q.bool("pageinate")? {
            return Ok(Self { page: None, count });
        }
        let size = q
            .int("page_size")?
            .filter(|s| *s > 0)
            .map_or(default_page_size, |s| u32::try_from(s).unwrap_or(u32::MAX));
        let size = size.clamp(1, MAX_PAGE_SIZE);
        let page_no = q
            .int("page_no")?
            .filter(|p| *p > 0)
            .map_or(1, |p| u32::try_from(p).unwrap_or(u32::MAX));
        Ok(Self {
            page: Some((page_no, size)),
            count,
        })
    }

    /// Slice `rows`; `repeat_last` returns the last page again when paging past the end.
    pub(crate) fn apply<T: Clone>(&self, rows: &[T], repeat_last: bool) -> Vec<T> {
        match self.page {
            Some((page_no, size)) => {
                let size = size as usize;
                let mut start = (page_no as usize - 1).saturating_mul(size);
                if start >= rows.len() && repeat_last && !rows.is_empty() {
                    start = (rows.len() - 1) / size * size;
                }
                rows.iter().skip(start).take(size).cloned().collect()
            }
            None => rows
                .iter()
                .take(self.count.unwrap_or(usize::MAX))
                .cloned()
                .collect(),
        }
    }
}

/// `GET /api/Tickets`.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let filter = Filter::from_query(&q)?;
    let paging = Paging::from_query(&q, app.config.default_page_size)?;
    let id_only = q.bool("ticketidonly")?;
    let order = q.str("order").map(str::to_ascii_lowercase);
    let desc = q.bool("orderdesc")?;
    let cf_ids: Option<Vec<i64>> = q.str("include_custom_fields").map(|_| {
        q.list("include_custom_fields")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect()
    });
    let store = lock(&app.store);
    let mut rows: Vec<&Obj> = store
        .tickets
        .values()
        .filter(|t| filter.matches(&store, t))
        .collect();
    if let Some(key) = &order {
        rows.sort_by(|a, b| {
            compare_values(a.get(key), b.get(key))
                .then_with(|| compare_values(a.get("id"), b.get("id")))
        });
    }
    if desc {
        rows.reverse();
    }
    let record_count = rows.len();
    if id_only {
        let items: Vec<Value> = rows
            .iter()
            .take(paging.count.unwrap_or(usize::MAX))
            .map(|t| {
                json!({"id": t.get("id"), "sla_id": t.get("sla_id"), "status_id": t.get("status_id"),
                       "client_id": t.get("client_id"), "client_name": t.get("client_name"),
                       "lastincomingemail": t.get("lastincomingemail")})
            })
            .collect();
        return Ok(Json(json!({"record_count": record_count, "tickets": items})).into_response());
    }
    let page = paging.apply(&rows, app.config.repeat_last_page);
    let items: Vec<Value> = page
        .iter()
        .map(|t| list_view(t, cf_ids.as_deref()))
        .collect();
    let body = match paging.page {
        Some((page_no, size)) => {
            json!({"page_no": page_no, "page_size": size, "record_count": record_count, "tickets": items})
        }
        None => json!({"record_count": record_count, "tickets": items}),
    };
    Ok(Json(body).into_response())
}

fn path_id(raw: &str) -> Result<u64, ApiError> {
    raw.trim().parse::<u64>().map_err(|_| ApiError::NotFound)
}

/// `GET /api/Tickets/{id}`; deleted tickets are 404.
pub(crate) async fn get(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let body = {
        let store = lock(&app.store);
        let t = store.live_ticket(id).ok_or(ApiError::NotFound)?;
        serde_json::to_vec(&DetailRef::new(&store, t)).unwrap_or_default()
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// `POST /api/Tickets`: array upsert, 201 with the last saved ticket (`returnall=true`: all of them).
pub(crate) async fn post(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let return_all = q.bool("returnall")?;
    let items = body_objects(&body, "Faults")?;
    let now = app.clock.now();
    let mut saved = Vec::new();
    let mut events = Vec::new();
    let mut failure = None;
    {
        let mut store = lock(&app.store);
        for (i, item) in items.into_iter().enumerate() {
            match upsert(&mut store, now, i, item) {
                Ok(Change {
                    id,
                    created,
                    status_changed,
                }) => {
                    let Some(t) = store.tickets.get(&id) else {
                        continue;
                    };
                    saved.push(detail_view(&store, t));
                    let event = if created {
                        Event::TicketCreated
                    } else if status_changed {
                        Event::StatusChanged
                    } else {
                        Event::TicketUpdated
                    };
                    events.push((event, webhook_view(t)));
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
    }
    let agent = lock(&app.store).seed.api_agent_id;
    for (event, ticket) in events {
        app.webhooks.emit(event, now, agent, ticket, None);
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

/// `DELETE /api/Tickets/{id}`: soft delete, returns the record.
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let q = Query::parse(raw.as_deref());
    let now = app.clock.now();
    let mut store = lock(&app.store);
    if store.live_ticket(id).is_none() {
        return Err(ApiError::NotFound);
    }
    let Some(t) = store.tickets.get_mut(&id) else {
        return Err(ApiError::NotFound);
    };
    t.insert("deleted".into(), json!(true));
    t.insert("last_update".into(), json!(crate::dates::format_halo(&now)));
    if let Some(reason) = q.str("reason") {
        t.insert("deletion_reason".into(), json!(reason));
    }
    let t = t.clone();
    Ok(Json(detail_view(&store, &t)).into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_detail_serialises_like_the_cloned_one() {
        let mut store = Store::new(
            crate::seed::Seed::default(),
            crate::config::CustomFieldUpdate::Replace,
        );
        let input = json!({"summary": "s", "user_id": 11, "extra": [1, 2]});
        let Value::Object(obj) = input else {
            unreachable!()
        };
        let change = crate::ticket_write::upsert(&mut store, Utc::now(), 0, obj).unwrap();
        let t = store.tickets.get(&change.id).unwrap();
        let a = serde_json::to_string(&DetailRef::new(&store, t)).unwrap();
        let b = serde_json::to_string(&detail_view(&store, t)).unwrap();
        assert_eq!(a, b);
    }
}
