//! `POST /Tickets` semantics: upsert by `id` (none/0 creates, existing id updates only the posted fields,
//! unknown id is a 400), server-maintained dates, derived names, closed-state bookkeeping, soft delete.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::customfields;
use crate::dates::{SENTINEL_0001, SENTINEL_1899, SENTINEL_1900, format_halo, parse_lenient};
use crate::errors::ApiError;
use crate::request::{coerce_bool, coerce_int, coerce_string, int_of, lenient_int, str_of};
use crate::store::{Obj, Store};

/// What a write did, for the response and webhooks.
#[derive(Debug)]
pub(crate) struct Change {
    pub id: u64,
    pub created: bool,
    pub status_changed: bool,
}

const INT_FIELDS: &[&str] = &[
    "id",
    "status_id",
    "tickettype_id",
    "sla_id",
    "priority_id",
    "agent_id",
    "client_id",
    "site_id",
    "user_id",
    "team_id",
    "impact",
    "urgency",
    "source",
    "categoryid_1",
    "categoryid_2",
    "categoryid_3",
    "categoryid_4",
    "parent_id",
    "organisation_id",
    "department_id",
    "workflow_id",
    "itil_requesttype_id",
];
const BOOL_FIELDS: &[&str] = &[
    "onhold",
    "excludefromsla",
    "flagged",
    "showforusers",
    "sendack",
    "is_vip",
    "inactive",
    "read",
    "_recover",
    "_validate_updates",
    "_novalidate",
    "dont_do_rules",
    "donotapplytemplateintheapi",
];
const STRING_FIELDS: &[&str] = &[
    "summary",
    "details",
    "details_html",
    "team",
    "category_1",
    "category_2",
    "category_3",
    "category_4",
    "reportedby",
    "user_email",
    "users_name",
    "emailtolist",
    "emailcclist",
    "closure_note",
    "closure_note_html",
    "userdef1",
    "userdef2",
    "userdef3",
    "userdef4",
    "userdef5",
];
const DATE_FIELDS: &[&str] = &[
    "dateoccurred",
    "targetdate",
    "deadlinedate",
    "fixbydate",
    "respondbydate",
    "followupdate",
    "startdate",
];
/// Written by the server only; ignored when posted.
const SERVER_OWNED: &[&str] = &[
    "hdid",
    "reference",
    "datecreated",
    "lastactiondate",
    "last_update",
    "flastupdate",
    "hasbeenclosed",
    "dateclosed",
    "deleted",
    "guid",
    "key",
    "status_name",
    "tickettype_name",
    "sla_name",
    "priority_name",
    "agent_name",
    "client_name",
    "site_name",
    "user_name",
    "attachment_count",
    "priority",
    "tickettype",
    "user",
    "ticket_tags",
    "use",
];

fn now_s(now: &DateTime<Utc>) -> Value {
    json!(format_halo(now))
}

/// Check and normalise the types of one posted ticket.
fn coerce(obj: &mut Obj, index: usize) -> Result<(), ApiError> {
    for k in INT_FIELDS {
        coerce_int(obj, k, index)?;
    }
    for k in BOOL_FIELDS {
        coerce_bool(obj, k, index)?;
    }
    for k in STRING_FIELDS {
        coerce_string(obj, k, index)?;
    }
    for k in DATE_FIELDS {
        match obj.get(*k) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() => {
                obj.insert((*k).into(), json!(SENTINEL_1900));
            }
            Some(Value::String(s)) => {
                let dt = parse_lenient(s).ok_or_else(|| {
                    ApiError::field(
                        format!("[{index}].{k}"),
                        format!("'{s}' is not a date; send ISO 8601 like 2024-06-20T14:45:15Z."),
                    )
                })?;
                obj.insert((*k).into(), json!(format_halo(&dt)));
            }
            Some(_) => {
                return Err(crate::request::conversion_error(
                    index,
                    k,
                    "System.DateTime",
                ));
            }
        }
    }
    for k in ["customfields", "tags", "attachments"] {
        if let Some(v) = obj.get(k)
            && !v.is_array()
            && !v.is_null()
        {
            return Err(ApiError::field(
                format!("[{index}].{k}"),
                format!("{k} must be a JSON array."),
            ));
        }
    }
    Ok(())
}

/// Create or update one ticket.
pub(crate) fn upsert(
    store: &mut Store,
    now: DateTime<Utc>,
    index: usize,
    mut input: Obj,
) -> Result<Change, ApiError> {
    coerce(&mut input, index)?;
    let id = int_of(&input, "id").unwrap_or(0);
    if id < 0 {
        return Err(ApiError::field(
            format!("[{index}].id"),
            format!("id {id} is not valid; omit it (or send 0) to create a ticket."),
        ));
    }
    if id == 0 {
        create(store, now, index, input)
    } else {
        let id = id.unsigned_abs();
        if !store.tickets.contains_key(&id) {
            return Err(ApiError::rule(format!(
                "Ticket {id} does not exist. Omit id (or send 0) to create a ticket, or use an existing ticket id to update it."
            )));
        }
        update(store, now, index, id, input)
    }
}

fn create(
    store: &mut Store,
    now: DateTime<Utc>,
    index: usize,
    mut input: Obj,
) -> Result<Change, ApiError> {
    if str_of(&input, "summary").trim().is_empty() {
        return Err(ApiError::field(
            format!("[{index}].summary"),
            "The summary field is required.",
        ));
    }
    let type_id = int_of(&input, "tickettype_id")
        .unwrap_or(i64::try_from(store.seed.default_ticket_type_id).unwrap_or(1));
    let tt = store.ticket_type(type_id).cloned().ok_or_else(|| {
        ApiError::rule(format!(
            "Ticket type {type_id} does not exist; use an id from GET /api/TicketType."
        ))
    })?;
    let id = store.next_ticket_id;
    let mut t = template(store, &now, id);
    t.insert("tickettype_id".into(), json!(type_id));
    let def = |k: &str| tt.get(k).and_then(lenient_int);
    let set_default = |t: &mut Obj, key: &str, v: Option<i64>| {
        if let Some(v) = v.filter(|v| *v > 0) {
            t.insert(key.into(), json!(v));
        }
    };
    set_default(&mut t, "sla_id", def("default_sla"));
    set_default(&mut t, "priority_id", def("default_priority"));
    set_default(&mut t, "status_id", def("initial_status"));
    set_default(&mut t, "agent_id", def("default_agent"));
    if let Some(team) = tt
        .get("default_team")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        t.insert("team".into(), json!(team));
    }
    // Users decide site and client unless those are posted too. Real Halo requires a site_id whenever a user
    // is set (halo-api.md §4.4, §11.17); the sim fills it from the user instead — see the README's deviations.
    resolve_user_lookup(store, &mut input);
    if let Some(uid) = int_of(&input, "user_id").filter(|u| *u > 0)
        && let Some(u) = store.user(uid)
    {
        if !input.contains_key("site_id") {
            t.insert(
                "site_id".into(),
                json!(u.get("site_id_int").and_then(lenient_int).unwrap_or(0)),
            );
        }
        if !input.contains_key("client_id") {
            t.insert(
                "client_id".into(),
                json!(u.get("client_id").and_then(lenient_int).unwrap_or(0)),
            );
        }
    }
    let cfs = input.remove("customfields");
    let tags = input.remove("tags");
    let atts = input.remove("attachments");
    if !input.contains_key("details_html") && input.contains_key("details") {
        t.insert("details_html".into(), input["details"].clone());
    }
    if !input.contains_key("details") && input.contains_key("details_html") {
        t.insert(
            "details".into(),
            json!(strip_html(str_of(&input, "details_html"))),
        );
    }
    if input.contains_key("team_id") && !input.contains_key("team") {
        t.remove("team");
    }
    merge_posted(&mut t, input);
    if let Some(cfs) = cfs {
        let mut current = customfields::take(&mut t);
        customfields::apply(store, &mut current, &cfs, index, false)?;
        t.insert("customfields".into(), Value::Array(current));
    }
    if let Some(tags) = tags {
        set_tags(&mut t, &tags);
    }
    if !t.contains_key("team_id") || int_of(&t, "team_id") == Some(0) {
        t.remove("team_id");
    }
    derive(store, &mut t, index, true)?;
    let closed = store.is_closed_status(int_of(&t, "status_id").unwrap_or(1));
    if closed {
        t.insert("hasbeenclosed".into(), json!(true));
        t.insert("dateclosed".into(), now_s(&now));
    }
    sla_targets(store, &mut t);
    store.next_ticket_id = store.next_ticket_id.saturating_add(1);
    store.tickets.insert(id, t);
    if let Some(atts) = atts {
        link_attachments(store, id, &atts, index)?;
    }
    Ok(Change {
        id,
        created: true,
        status_changed: false,
    })
}

fn update(
    store: &mut Store,
    now: DateTime<Utc>,
    index: usize,
    id: u64,
    mut input: Obj,
) -> Result<Change, ApiError> {
    let Some(mut t) = store.tickets.get(&id).cloned() else {
        return Err(ApiError::rule(format!("Ticket {id} does not exist.")));
    };
    let recover = input
        .get("_recover")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let deleted = t.get("deleted").and_then(Value::as_bool).unwrap_or(false);
    if deleted && !recover {
        return Err(ApiError::rule(format!(
            "Ticket {id} has been deleted. Restore it first with [{{\"id\": {id}, \"_recover\": true}}]."
        )));
    }
    if recover {
        t.insert("deleted".into(), json!(false));
    }
    let old_status = int_of(&t, "status_id").unwrap_or(1);
    if let Some(tt) = int_of(&input, "tickettype_id")
        && store.ticket_type(tt).is_none()
    {
        return Err(ApiError::rule(format!(
            "Ticket type {tt} does not exist; use an id from GET /api/TicketType."
        )));
    }
    resolve_user_lookup(store, &mut input);
    // A team name is the classic writable field; a bare team_id changes the team too.
    if input.contains_key("team") {
        t.remove("team_id");
    } else if let Some(team_id) = int_of(&input, "team_id") {
        t.remove("team");
        if let Some(name) = store.team(team_id).and_then(|tm| tm.get("name")).cloned() {
            t.insert("team".into(), name);
        }
    }
    let cfs = input.remove("customfields");
    let tags = input.remove("tags");
    let atts = input.remove("attachments");
    merge_posted(&mut t, input);
    if let Some(cfs) = cfs {
        let mut current = customfields::take(&mut t);
        let replace = store.cf_mode == crate::config::CustomFieldUpdate::Replace;
        customfields::apply(store, &mut current, &cfs, index, replace)?;
        t.insert("customfields".into(), Value::Array(current));
    }
    if let Some(tags) = tags {
        set_tags(&mut t, &tags);
    }
    derive(store, &mut t, index, false)?;
    let new_status = int_of(&t, "status_id").unwrap_or(1);
    let status_changed = new_status != old_status;
    if status_changed {
        let was = store.is_closed_status(old_status);
        let is = store.is_closed_status(new_status);
        if is && !was {
            t.insert("hasbeenclosed".into(), json!(true));
            t.insert("dateclosed".into(), now_s(&now));
        } else if was && !is {
            t.insert("hasbeenclosed".into(), json!(false));
            t.insert("dateclosed".into(), json!(SENTINEL_1900));
        }
    }
    t.insert("last_update".into(), now_s(&now));
    t.insert("flastupdate".into(), now_s(&now));
    store.tickets.insert(id, t);
    if let Some(atts) = atts {
        link_attachments(store, id, &atts, index)?;
    }
    Ok(Change {
        id,
        created: false,
        status_changed,
    })
}

/// Posted keys into the ticket, except server-owned ones and control flags (`_recover`, `dont_do_rules`…).
fn merge_posted(t: &mut Obj, input: Obj) {
    for (k, v) in input {
        let control = k.starts_with('_')
            || matches!(
                k.as_str(),
                "id" | "dont_do_rules"
                    | "donotapplytemplateintheapi"
                    | "return_this"
                    | "utcoffset"
                    | "userlookup"
            );
        if control || SERVER_OWNED.contains(&k.as_str()) {
            continue;
        }
        t.insert(k, v);
    }
}

/// `userlookup: {"id": -1}` means the client's General User (halo-api.md §4.4).
fn resolve_user_lookup(store: &Store, input: &mut Obj) {
    let lookup = input
        .get("userlookup")
        .and_then(|u| u.get("id"))
        .and_then(lenient_int);
    if lookup != Some(-1) || input.contains_key("user_id") {
        return;
    }
    let client = int_of(input, "client_id");
    let general = store.seed.users.iter().find(|u| {
        u.get("is_general_user")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            && (client.is_none() || u.get("client_id").and_then(lenient_int) == client)
    });
    if let Some(uid) = general.and_then(|u| u.get("id")).and_then(lenient_int) {
        input.insert("user_id".into(), json!(uid));
    }
}

/// Check references and fill the names Halo returns next to ids.
fn derive(store: &Store, t: &mut Obj, index: usize, creating: bool) -> Result<(), ApiError> {
    let bad = |field: &str, what: &str, id: i64, route: &str| {
        ApiError::rule(format!(
            "{what} {id} does not exist (field {field} of item {index}); use an id from GET /api/{route}."
        ))
    };
    let status = int_of(t, "status_id").unwrap_or(1);
    let status_name = store
        .status(status)
        .ok_or_else(|| bad("status_id", "Status", status, "Status"))?["name"]
        .clone();
    t.insert("status_name".into(), status_name);
    let tt = int_of(t, "tickettype_id").unwrap_or(0);
    if let Some(tt) = store.ticket_type(tt) {
        t.insert("tickettype_name".into(), tt["name"].clone());
        if let Some(itil) = tt.get("itilrequesttype").and_then(lenient_int) {
            t.insert("itil_requesttype_id".into(), json!(itil));
        }
    }
    let mut agent = int_of(t, "agent_id").unwrap_or(0);
    if agent == 0 {
        agent = i64::try_from(store.seed.unassigned_agent_id).unwrap_or(1);
        t.insert("agent_id".into(), json!(agent));
    }
    let agent_name = store
        .agent(agent)
        .ok_or_else(|| bad("agent_id", "Agent", agent, "Agent"))?["name"]
        .clone();
    t.insert("agent_name".into(), agent_name);
    let sla = int_of(t, "sla_id").unwrap_or(0);
    if sla != 0 {
        let s = store
            .sla(sla)
            .ok_or_else(|| bad("sla_id", "SLA", sla, "SLA"))?;
        t.insert("sla_name".into(), s["name"].clone());
    }
    let pri = int_of(t, "priority_id").unwrap_or(0);
    let pname = store
        .priority(sla, pri)
        .map_or(json!(""), |p| p["name"].clone());
    t.insert("priority_name".into(), pname);
    for (field, name_field, what, route) in [
        ("client_id", "client_name", "Client", "Client"),
        ("site_id", "site_name", "Site", "Site"),
        ("user_id", "user_name", "User", "Users"),
    ] {
        let id = int_of(t, field).unwrap_or(0);
        if id <= 0 {
            t.insert(name_field.into(), json!(""));
            continue;
        }
        let rec = match field {
            "client_id" => store.client(id),
            "site_id" => store.site(id),
            _ => store.user(id),
        }
        .ok_or_else(|| bad(field, what, id, route))?;
        t.insert(name_field.into(), rec["name"].clone());
        if field == "user_id" {
            if creating || !t.contains_key("user_email") || str_of(t, "user_email").is_empty() {
                t.insert(
                    "user_email".into(),
                    rec.get("emailaddress").cloned().unwrap_or(json!("")),
                );
            }
            t.insert("users_name".into(), rec["name"].clone());
        }
    }
    let team_name = t
        .get("team")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if !team_name.is_empty() {
        let team = store.team_by_name(&team_name).ok_or_else(|| {
            ApiError::rule(format!("Team '{team_name}' does not exist (item {index}); use a team name from GET /api/Team."))
        })?;
        t.insert("team".into(), team["name"].clone());
        t.insert("team_id".into(), team["id"].clone());
    } else if let Some(team_id) = int_of(t, "team_id").filter(|i| *i > 0) {
        let team = store
            .team(team_id)
            .ok_or_else(|| bad("team_id", "Team", team_id, "Team"))?;
        t.insert("team".into(), team["name"].clone());
    } else {
        t.insert("team_id".into(), json!(0));
    }
    let has_atts = store
        .attachments
        .values()
        .filter(|a| int_of(&a.meta, "ticket_id") == int_of(t, "id"))
        .count();
    t.insert("attachment_count".into(), json!(has_atts));
    Ok(())
}

/// respondbydate / fixbydate from the priority's response and fix times (calendar time; no working hours).
fn sla_targets(store: &Store, t: &mut Obj) {
    let sla = int_of(t, "sla_id").unwrap_or(0);
    let pri = int_of(t, "priority_id").unwrap_or(0);
    let Some(p) = store.priority(sla, pri) else {
        return;
    };
    let Some(start) = crate::dates::stored_date(t.get("dateoccurred")) else {
        return;
    };
    let span = |amount: &str, unit: &str| {
        let n = p.get(amount).and_then(Value::as_f64).unwrap_or(0.0);
        let hours = match p.get(unit).and_then(Value::as_str).unwrap_or("H") {
            "D" | "d" => n * 24.0,
            "M" | "m" => n / 60.0,
            _ => n,
        };
        chrono::Duration::try_seconds((hours * 3600.0) as i64).unwrap_or(chrono::Duration::zero())
    };
    let respond = start
        .checked_add_signed(span("responsetime", "responseunits"))
        .unwrap_or(start);
    let fix = start
        .checked_add_signed(span("fixtime", "fixunits"))
        .unwrap_or(start);
    if !t.contains_key("respondbydate")
        || crate::dates::stored_date(t.get("respondbydate")).is_none()
    {
        t.insert("respondbydate".into(), json!(format_halo(&respond)));
        t.insert("slaactiondate".into(), json!(format_halo(&respond)));
    }
    if crate::dates::stored_date(t.get("fixbydate")).is_none() {
        t.insert("fixbydate".into(), json!(format_halo(&fix)));
    }
}

fn set_tags(t: &mut Obj, tags: &Value) {
    let texts: Vec<String> = tags
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| {
                    x.get("text")
                        .and_then(Value::as_str)
                        .or(x.as_str())
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    t.insert(
        "tags".into(),
        Value::Array(texts.iter().map(|s| json!({"id": 0, "text": s})).collect()),
    );
    t.insert("ticket_tags".into(), json!(texts.join(",")));
}

fn link_attachments(
    store: &mut Store,
    ticket: u64,
    atts: &Value,
    index: usize,
) -> Result<(), ApiError> {
    let ids: Vec<i64> = atts
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.get("id").and_then(lenient_int))
                .collect()
        })
        .unwrap_or_default();
    for (i, id) in ids.iter().enumerate() {
        let att = store
            .attachments
            .get_mut(&id.unsigned_abs())
            .ok_or_else(|| {
                ApiError::field(
                    format!("[{index}].attachments[{i}].id"),
                    format!(
                        "Attachment {id} does not exist; upload it first with POST /api/Attachment."
                    ),
                )
            })?;
        att.meta.insert("ticket_id".into(), json!(ticket));
    }
    let count = store
        .attachments
        .values()
        .filter(|a| int_of(&a.meta, "ticket_id") == i64::try_from(ticket).ok())
        .count();
    if let Some(t) = store.tickets.get_mut(&ticket) {
        t.insert("attachment_count".into(), json!(count));
    }
    Ok(())
}

/// Crude tag stripping, enough for `details` from `details_html`.
pub(crate) fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// `source` of a ticket created without one. halo-api.md §4.4 / §11.17: API-created tickets are recorded as
/// "Manual"; the reference gives no id for "Manual" but says 0 is Email, so 0 is wrong. 3 is the `source` of
/// the one captured real API create response (S5) — UNCERTAIN as the id of "Manual" (see the README).
const MANUAL_SOURCE: i64 = 3;

/// A new ticket with Halo's defaults and sentinels (shape from a captured create response).
fn template(store: &Store, now: &DateTime<Utc>, id: u64) -> Obj {
    let n = now_s(now);
    let reference = format!("{}-{id:07}", store.seed.reference_prefix);
    let v = json!({
        "id": id, "hdid": id, "reference": reference, "summary": "", "details": "", "details_html": "",
        "status_id": 1, "tickettype_id": 1, "sla_id": 0, "priority_id": 0, "client_id": 0, "client_name": "",
        "site_id": 0, "site_name": "", "user_id": 0, "user_name": "", "users_name": "", "user_email": "",
        "reportedby": "", "team": "", "team_id": 0, "agent_id": 0,
        "category_1": "", "category_2": "", "category_3": "", "category_4": "",
        "estimate": 0.0, "estimatedays": 0.0, "child_count": 0, "attachment_count": 0, "flagged": false,
        "read": false, "enduserstatus": 0, "onhold": false, "excludefromsla": false, "slaholdtime": 0.0,
        "slapercused": 0.0, "slatimeleft": 0.0, "currentelapsedhours": 0.0,
        "dateoccurred": n, "datecreated": n, "lastactiondate": n, "last_update": n, "flastupdate": n,
        "respondbydate": SENTINEL_1900, "fixbydate": SENTINEL_1900, "slaactiondate": SENTINEL_1900,
        "responsedate": SENTINEL_1900, "dateclosed": SENTINEL_1900, "targetdate": SENTINEL_1900,
        "deadlinedate": SENTINEL_1900, "startdate": SENTINEL_1900, "followupdate": SENTINEL_1900,
        "starttime": "00:00:00", "targettime": "00:00:00", "lastincomingemail": SENTINEL_0001,
        "auditdate": SENTINEL_1899, "reviewed_date": SENTINEL_1899, "laststatuschangestatusdate": SENTINEL_1899,
        "orionacknowledgedate": SENTINEL_1900, "organisation_id": 1, "department_id": 0, "emailtolist": "",
        "emailcclist": "", "workflow_id": 0, "workflow_step": 0, "is_vip": false, "isimportantcontact": false,
        "inactive": false, "impact": 0, "urgency": 0, "impactlevel": 0, "source": MANUAL_SOURCE, "userdef1": "",
        "userdef2": "", "userdef3": "", "userdef4": "", "userdef5": "", "parent_id": 0,
        "customfields": customfields::empty_ticket_fields(store), "tags": [], "ticket_tags": "",
        "guid": uuid::Uuid::new_v4().to_string(), "key": uuid::Uuid::new_v4().to_string(),
        "showforusers": true, "sendack": false, "deleted": false, "hasbeenclosed": false,
        "closure_note": "", "closure_note_html": "", "takenby": store.api_agent_name(),
        "who": store.api_agent_name(), "use": "ticket", "isnew": true, "itil_requesttype_id": 1,
        "top_level_id": 1, "_canupdate": true,
    });
    match v {
        Value::Object(m) => m,
        _ => Obj::new(),
    }
}
