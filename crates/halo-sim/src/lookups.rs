//! Lookup resources served from the seed: bare arrays for Status, TicketType, Team, Priority, SLA, Agent,
//! Outcome, FieldInfo, Category; `{record_count, clients|sites|users}` for Client, Site, Users;
//! `/Agent?pageinate=true` → `{record_count, results}`; `/Agent/me` = the API agent.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::errors::ApiError;
use crate::lock;
use crate::request::{Query, lenient_int};
use crate::state::App;
use crate::store::Store;
use crate::tickets::Paging;

type Section = fn(&Store) -> &Vec<Value>;

fn find_by_id(list: &[Value], raw: &str) -> Result<Value, ApiError> {
    let id: i64 = raw.trim().parse().map_err(|_| ApiError::NotFound)?;
    list.iter()
        .find(|v| v.get("id").and_then(lenient_int) == Some(id))
        .cloned()
        .ok_or(ApiError::NotFound)
}

fn text(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase()
}

fn flag(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn int(v: &Value, k: &str) -> Option<i64> {
    v.get(k).and_then(lenient_int)
}

/// One `GET /X/{id}` handler per seed section.
async fn get_in(app: Arc<App>, section: Section, id: String) -> Result<Response, ApiError> {
    let store = lock(&app.store);
    Ok(Json(find_by_id(section(&store), &id)?).into_response())
}

pub(crate) async fn statuses(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let exclude_closed = q.bool("excludeclosed")?;
    let exclude_pending = q.bool("excludepending")?;
    let store = lock(&app.store);
    let rows: Vec<Value> = store
        .seed
        .statuses
        .iter()
        .filter(|s| !(exclude_closed && flag(s, "is_closed")))
        .filter(|s| !(exclude_pending && text(s, "name") == "pending closure"))
        .cloned()
        .collect();
    Ok(Json(rows).into_response())
}

pub(crate) async fn status(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.statuses, id).await
}

pub(crate) async fn ticket_types(State(app): State<Arc<App>>) -> Response {
    Json(lock(&app.store).seed.ticket_types.clone()).into_response()
}

pub(crate) async fn ticket_type(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.ticket_types, id).await
}

pub(crate) async fn teams(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let ids = q.int_list("ids")?;
    let store = lock(&app.store);
    let rows: Vec<Value> = store
        .seed
        .teams
        .iter()
        .filter(|t| ids.is_empty() || int(t, "id").is_some_and(|i| ids.contains(&i)))
        .cloned()
        .collect();
    Ok(Json(rows).into_response())
}

pub(crate) async fn team(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.teams, id).await
}

pub(crate) async fn priorities(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let sla = q.int("slaid")?;
    let store = lock(&app.store);
    let rows: Vec<Value> = store
        .seed
        .priorities
        .iter()
        .filter(|p| sla.is_none_or(|s| int(p, "slaid") == Some(s)))
        .cloned()
        .collect();
    Ok(Json(rows).into_response())
}

/// Priority ids are GUID strings.
pub(crate) async fn priority(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let store = lock(&app.store);
    let p = store
        .seed
        .priorities
        .iter()
        .find(|p| {
            p.get("id")
                .and_then(Value::as_str)
                .is_some_and(|g| g.eq_ignore_ascii_case(id.trim()))
        })
        .cloned()
        .ok_or(ApiError::NotFound)?;
    Ok(Json(p).into_response())
}

pub(crate) async fn slas(State(app): State<Arc<App>>) -> Response {
    Json(lock(&app.store).seed.slas.clone()).into_response()
}

pub(crate) async fn sla(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.slas, id).await
}

pub(crate) async fn agents(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let include_unassigned = q.bool("includeunassigned")?;
    let include_disabled = q.bool("includedisabled")?;
    let search = q.str("search").map(str::to_lowercase);
    let team = q.str("team").map(str::to_lowercase);
    let team_id = q.int("team_id")?;
    let paging = Paging::from_query(&q, app.config.default_page_size)?;
    let store = lock(&app.store);
    let unassigned = i64::try_from(store.seed.unassigned_agent_id).unwrap_or(1);
    let in_team = |a: &Value, pred: &dyn Fn(&Value) -> bool| {
        a.get("teams")
            .and_then(Value::as_array)
            .is_some_and(|ts| ts.iter().any(pred))
    };
    let rows: Vec<Value> = store
        .seed
        .agents
        .iter()
        .filter(|a| include_unassigned || int(a, "id") != Some(unassigned))
        .filter(|a| include_disabled || !flag(a, "isdisabled"))
        .filter(|a| {
            search.as_ref().is_none_or(|s| {
                text(a, "name").contains(s.as_str()) || text(a, "email").contains(s.as_str())
            })
        })
        .filter(|a| {
            team.as_ref().is_none_or(|t| {
                text(a, "team") == *t || in_team(a, &|x| text(x, "team_name") == *t)
            })
        })
        .filter(|a| team_id.is_none_or(|t| in_team(a, &|x| int(x, "team_id") == Some(t))))
        .cloned()
        .collect();
    if paging.page.is_some() {
        let page = paging.apply(&rows, false);
        return Ok(Json(json!({"record_count": rows.len(), "results": page})).into_response());
    }
    Ok(Json(rows).into_response())
}

pub(crate) async fn agent_me(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let store = lock(&app.store);
    Ok(Json(store.api_agent().cloned().ok_or(ApiError::NotFound)?).into_response())
}

pub(crate) async fn agent(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.agents, id).await
}

pub(crate) async fn outcomes(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let show_hidden = q.bool("showhidden")?;
    let store = lock(&app.store);
    let rows: Vec<Value> = store
        .seed
        .outcomes
        .iter()
        .filter(|o| show_hidden || !flag(o, "hidden"))
        .cloned()
        .collect();
    Ok(Json(rows).into_response())
}

pub(crate) async fn outcome(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.outcomes, id).await
}

pub(crate) async fn field_infos(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let type_id = q.int("typeid")?;
    let store = lock(&app.store);
    let rows: Vec<Value> = store
        .seed
        .field_info
        .iter()
        .filter(|f| type_id.is_none_or(|t| int(f, "usage") == Some(t)))
        .cloned()
        .collect();
    Ok(Json(rows).into_response())
}

pub(crate) async fn field_info(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.field_info, id).await
}

/// Envelope UNCERTAIN in Halo; served as a bare array.
pub(crate) async fn categories(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let type_id = q.int("type_id")?;
    let store = lock(&app.store);
    let rows: Vec<Value> = store
        .seed
        .categories
        .iter()
        .filter(|c| type_id.is_none_or(|t| int(c, "type_id") == Some(t)))
        .cloned()
        .collect();
    Ok(Json(rows).into_response())
}

pub(crate) async fn category(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.categories, id).await
}

/// `{record_count, <key>: [...]}` with Halo paging (and page echo when paginated).
fn enveloped(app: &App, q: &Query, rows: Vec<Value>, key: &str) -> Result<Response, ApiError> {
    let paging = Paging::from_query(q, app.config.default_page_size)?;
    let id_only = q.bool("idonly")?;
    let page = paging.apply(&rows, app.config.repeat_last_page);
    let page: Vec<Value> = if id_only {
        page.iter()
            .map(|r| json!({"id": r.get("id"), "name": r.get("name")}))
            .collect()
    } else {
        page
    };
    let mut body = json!({"record_count": rows.len()});
    if let Some((no, size)) = paging.page {
        body["page_no"] = json!(no);
        body["page_size"] = json!(size);
    }
    body[key] = Value::Array(page);
    Ok(Json(body).into_response())
}

pub(crate) async fn clients(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let search = q.str("search").map(str::to_lowercase);
    let include_inactive = q.bool("includeinactive")?;
    let rows: Vec<Value> = {
        let store = lock(&app.store);
        store
            .seed
            .clients
            .iter()
            .filter(|c| include_inactive || !flag(c, "inactive"))
            .filter(|c| {
                search
                    .as_ref()
                    .is_none_or(|s| text(c, "name").contains(s.as_str()))
            })
            .cloned()
            .collect()
    };
    enveloped(&app, &q, rows, "clients")
}

pub(crate) async fn client(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.clients, id).await
}

pub(crate) async fn sites(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let search = q.str("search").map(str::to_lowercase);
    let client = q.int("client_id")?;
    let rows: Vec<Value> = {
        let store = lock(&app.store);
        store
            .seed
            .sites
            .iter()
            .filter(|s| client.is_none_or(|c| int(s, "client_id") == Some(c)))
            .filter(|s| {
                search
                    .as_ref()
                    .is_none_or(|x| text(s, "name").contains(x.as_str()))
            })
            .cloned()
            .collect()
    };
    enveloped(&app, &q, rows, "sites")
}

pub(crate) async fn site(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.sites, id).await
}

pub(crate) async fn users(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = Query::parse(raw.as_deref());
    let search = q.str("search").map(str::to_lowercase);
    let client = q.int("client_id")?;
    let site = q.int("site_id")?;
    let exclude_general = q.bool("exclude_generaluser")?;
    let rows: Vec<Value> = {
        let store = lock(&app.store);
        store
            .seed
            .users
            .iter()
            .filter(|u| client.is_none_or(|c| int(u, "client_id") == Some(c)))
            .filter(|u| site.is_none_or(|s| int(u, "site_id_int").or(int(u, "site_id")) == Some(s)))
            .filter(|u| !(exclude_general && flag(u, "is_general_user")))
            .filter(|u| {
                search.as_ref().is_none_or(|s| {
                    text(u, "name").contains(s.as_str())
                        || text(u, "emailaddress").contains(s.as_str())
                })
            })
            .cloned()
            .collect()
    };
    enveloped(&app, &q, rows, "users")
}

pub(crate) async fn user(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    get_in(app, |s| &s.seed.users, id).await
}
