//! Ticket operations: get (with include flags), list/search (the filters of halo-api.md §4.1), create, update,
//! delete.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use halo_model::{
    AgentId, CategoryId, ClientId, FieldId, NewTicket, PriorityId, SiteId, SlaId, StatusId, TeamId,
    Ticket, TicketId, TicketTypeId, TicketUpdate, UserId,
};
use serde::Serialize;
use serde_json::Value;

use crate::client::HaloClient;
use crate::error::{Error, ErrorKind};
use crate::ops::into_future;
use crate::ops::list::PagedList;
use crate::ops::{query_date, query_setters};
use crate::query::to_pairs;
use crate::request::RequestParts;
use crate::retry::Idempotency;
use crate::route::Route;
use crate::send::{decode, decode_one};

impl HaloClient {
    /// `GET /api/Tickets/{id}`.
    ///
    /// ```no_run
    /// # async fn demo(client: halo_api::HaloClient) -> Result<(), halo_api::Error> {
    /// let t = client.get_ticket(halo_api::TicketId::new(42)).include_details(true).send().await?;
    /// # let _ = t; Ok(()) }
    /// ```
    pub fn get_ticket(&self, id: TicketId) -> GetTicket {
        GetTicket {
            client: self.clone(),
            id,
            query: GetTicketQuery::default(),
        }
    }

    /// `GET /api/Tickets` with filters, paged (`pageinate=true`, 100 per page).
    pub fn list_tickets(&self) -> ListTickets {
        PagedList::new(self, Route::ListTickets, TicketFilters::default())
    }

    /// `POST /api/Tickets` with `[ticket]` (no `id`): create. Validated locally first; never retried once sent.
    pub fn create_ticket(&self, ticket: NewTicket) -> CreateTicket {
        CreateTicket {
            client: self.clone(),
            ticket,
            return_all: false,
        }
    }

    /// `POST /api/Tickets` with `[update]` (always carries `id`): update only the fields set.
    pub fn update_ticket(&self, update: TicketUpdate) -> UpdateTicket {
        UpdateTicket {
            client: self.clone(),
            update,
        }
    }

    /// `DELETE /api/Tickets/{id}` (soft delete; optional reason).
    pub fn delete_ticket(&self, id: TicketId) -> DeleteTicket {
        DeleteTicket {
            client: self.clone(),
            id,
            query: DeleteQuery::default(),
        }
    }
}

/// Builder for [`HaloClient::get_ticket`].
#[must_use = "requests do nothing until sent"]
pub struct GetTicket {
    client: HaloClient,
    id: TicketId,
    query: GetTicketQuery,
}

/// Query of `GET /api/Tickets/{id}`.
#[derive(Debug, Clone, Default, Serialize)]
struct GetTicketQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    includedetails: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includelastaction: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includechildids: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includeagent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    include_auditing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includelinkedobjects: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includeparentsubject: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nocache: Option<bool>,
}

query_setters!(GetTicket {
    /// `includedetails`: embedded objects (priority, ticket type, user, …).
    include_details => includedetails: bool,
    /// `includelastaction`.
    include_last_action => includelastaction: bool,
    /// `includechildids`.
    include_child_ids => includechildids: bool,
    /// `includeagent`.
    include_agent => includeagent: bool,
    /// `include_auditing`.
    include_auditing => include_auditing: bool,
    /// `includelinkedobjects`.
    include_linked_objects => includelinkedobjects: bool,
    /// `includeparentsubject`.
    include_parent_subject => includeparentsubject: bool,
    /// `nocache`: bypass Halo's cache.
    no_cache => nocache: bool,
});

impl GetTicket {
    /// The request (pure).
    pub fn build(&self) -> RequestParts {
        RequestParts::new(Route::GetTicket { id: self.id })
            .query(to_pairs(&self.query).unwrap_or_default())
    }

    /// Sends it.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown id, or any other [`Error`].
    pub async fn send(self) -> Result<Ticket, Error> {
        let parts = self.build();
        let resp = self.client.execute(&parts).await?;
        decode(&resp, &parts)
    }
}

/// Which date `datesearch` filters on (Halo takes DB column names here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DateSearch {
    /// Date opened (`dateoccured`, sic).
    #[serde(rename = "dateoccured")]
    Opened,
    /// Date closed (`datecleared`).
    #[serde(rename = "datecleared")]
    Closed,
}

/// Filters of `GET /api/Tickets` (halo-api.md §4.1). Set through [`ListTickets`]' methods.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketFilters {
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    search_summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    search_details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    searchactions: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    open_only: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed_only: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agent_id: Option<AgentId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_id: Option<StatusId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requesttype_id: Option<TicketTypeId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    team: Vec<TeamId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    team_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<ClientId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    site_id: Option<SiteId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    datesearch: Option<DateSearch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    startdate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enddate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lastupdatefromdate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lastupdatetodate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    orderdesc: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    include_custom_fields: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includelastaction: Option<bool>,
    // List filters: swagger types them "(array of int)"; sent as repeated keys (`agent=1&agent=2`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    agent: Vec<AgentId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    status: Vec<StatusId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    requesttype: Vec<TicketTypeId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    priority: Vec<PriorityId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sla: Vec<SlaId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    category_1: Vec<CategoryId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    category_2: Vec<CategoryId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    category_3: Vec<CategoryId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    category_4: Vec<CategoryId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    client_ids: Vec<ClientId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    includeclosed: Vec<u8>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    excludethese: Vec<TicketId>,
    // `ticketids` is a plain string in swagger: one comma-separated value.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "comma_separated"
    )]
    ticketids: Vec<TicketId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    search_user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    search_reportedby: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    view_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    columns_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticketidonly: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    withattachments: Option<bool>,
    /// Parameters set with [`ListTickets::param`]; a key the typed setters also use replaces their value.
    #[serde(flatten)]
    extra: BTreeMap<String, Vec<String>>,
}

/// Serialises ids as one comma-separated string (`1,2,3`).
fn comma_separated<S: serde::Serializer>(ids: &[TicketId], s: S) -> Result<S::Ok, S::Error> {
    let text: Vec<String> = ids.iter().map(ToString::to_string).collect();
    s.serialize_str(&text.join(","))
}

/// Builder for [`HaloClient::list_tickets`]: filters, then `.stream()`, `.pages()` or `.send()`.
pub type ListTickets = PagedList<Ticket, TicketFilters>;

query_setters!(ListTickets {
    /// `search`: Halo's broad LIKE search.
    search => search: impl Into<String>,
    /// `search_summary`: search in the summary only.
    search_summary => search_summary: impl Into<String>,
    /// `search_details`: search in the details only.
    search_details => search_details: impl Into<String>,
    /// `searchactions`: also search action notes.
    search_actions => searchactions: bool,
    /// `open_only`.
    open_only => open_only: bool,
    /// `closed_only`.
    closed_only => closed_only: bool,
    /// `agent_id`: assigned agent.
    agent => agent_id: AgentId,
    /// `status_id`.
    status => status_id: StatusId,
    /// `requesttype_id`: the ticket type.
    ticket_type => requesttype_id: TicketTypeId,
    /// `team_name`.
    team_name => team_name: impl Into<String>,
    /// `client_id`.
    client => client_id: ClientId,
    /// `site_id`.
    site => site_id: SiteId,
    /// `user_id`: end user.
    user => user_id: UserId,
    /// `deleted`: list deleted tickets.
    deleted => deleted: bool,
    /// `order`: field to sort by.
    order_by => order: impl Into<String>,
    /// `orderdesc`: sort descending.
    order_desc => orderdesc: bool,
    /// `count`: row limit (only meaningful with `.paginate(false)`).
    count => count: u32,
    /// `includelastaction`.
    include_last_action => includelastaction: bool,
    /// `username`: tickets of the end user with this user name.
    username => username: impl Into<String>,
    /// `search_user_name`: search in the end user's name only.
    search_user_name => search_user_name: impl Into<String>,
    /// `search_reportedby`: search in the "reported by" field only.
    search_reported_by => search_reportedby: impl Into<String>,
    /// `view_id`: apply this filter profile (a Halo view) on top of the other filters.
    view => view_id: u32,
    /// `columns_id`: shape the returned fields with this column profile.
    column_profile => columns_id: u32,
    /// `ticketidonly`: return only the id fields (ticket, SLA, status, client id and name, last incoming
    /// email date). Halo documents it as not for paged lists: combine with `.paginate(false)`.
    ticket_id_only => ticketidonly: bool,
    /// `withattachments`: only tickets with one or more attachments.
    with_attachments => withattachments: bool,
});

/// Generates list-filter setters that add ids to a repeated query key.
macro_rules! list_setters {
    ($( $(#[$doc:meta])* $name:ident => $field:ident : $ty:ty ),* $(,)?) => {
        impl ListTickets {
            $(
                $(#[$doc])*
                ///
                /// Adds to the list (calling it again adds more); each id is sent as its own key (`key=1&key=2`).
                pub fn $name(mut self, ids: impl IntoIterator<Item = $ty>) -> Self {
                    self.query.$field.extend(ids);
                    self
                }
            )*
        }
    };
}

list_setters!(
    /// `agent`: tickets assigned to any of these agents (the list form of [`agent`](Self::agent)).
    agents => agent: AgentId,
    /// `status`: tickets in any of these statuses (the list form of [`status`](Self::status)).
    statuses => status: StatusId,
    /// `requesttype`: tickets of any of these ticket types (the list form of [`ticket_type`](Self::ticket_type)).
    ticket_types => requesttype: TicketTypeId,
    /// `priority`: tickets with any of these priorities.
    priorities => priority: PriorityId,
    /// `sla`: tickets under any of these SLAs.
    slas => sla: SlaId,
    /// `category_1`: tickets whose first category is any of these ([`Category::category_id`](halo_model::Category::category_id)).
    category_1 => category_1: CategoryId,
    /// `category_2`: tickets whose second category is any of these.
    category_2 => category_2: CategoryId,
    /// `category_3`: tickets whose third category is any of these.
    category_3 => category_3: CategoryId,
    /// `category_4`: tickets whose fourth category is any of these.
    category_4 => category_4: CategoryId,
    /// `client_ids`: tickets of any of these clients (the list form of [`client`](Self::client)).
    clients => client_ids: ClientId,
    /// `excludethese`: leave these tickets out.
    exclude_tickets => excludethese: TicketId,
);

impl ListTickets {
    /// `team`: tickets of this team id (repeatable).
    pub fn team(mut self, team: TeamId) -> Self {
        self.query.team.push(team);
        self
    }

    /// `datesearch` + `startdate`/`enddate`: tickets opened or closed in a range (either bound optional).
    pub fn date_range(
        mut self,
        field: DateSearch,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
    ) -> Self {
        self.query.datesearch = Some(field);
        self.query.startdate = start.as_ref().map(query_date);
        self.query.enddate = end.as_ref().map(query_date);
        self
    }

    /// `lastupdatefromdate`: tickets updated at or after `since` (incremental sync).
    pub fn updated_since(mut self, since: DateTime<Utc>) -> Self {
        self.query.lastupdatefromdate = Some(query_date(&since));
        self
    }

    /// `lastupdatetodate`: tickets updated at or before `until`.
    pub fn updated_until(mut self, until: DateTime<Utc>) -> Self {
        self.query.lastupdatetodate = Some(query_date(&until));
        self
    }

    /// `includeclosed`: which closed states to list — `true` sends `1` (closed), `false` sends `0` (not closed);
    /// `[true, false]` lists both. Adds to the list like the other list filters.
    pub fn include_closed(mut self, closed: impl IntoIterator<Item = bool>) -> Self {
        self.query
            .includeclosed
            .extend(closed.into_iter().map(u8::from));
        self
    }

    /// `ticketids`: only these tickets, sent as one comma-separated value (`ticketids=1,2,3`). Adds to the ids
    /// already set.
    pub fn ticket_ids(mut self, ids: impl IntoIterator<Item = TicketId>) -> Self {
        self.query.ticketids.extend(ids);
        self
    }

    /// Any other query parameter of `GET /api/Tickets`, for the filters this builder has no method for (Halo's
    /// swagger lists over a hundred, e.g. `param("supplier_id", 4)` or `param("includeslatimer", true)`).
    ///
    /// The value is sent as its `Display` text. Calling it again with the same key repeats the key
    /// (`key=a&key=b`, the form of Halo's list filters). A key that a typed method also sets replaces that
    /// method's value. The paging keys (`pageinate`, `page_size`, `page_no`) belong to the list: while paging is
    /// on, its own values are sent instead. An empty key is ignored. Nothing is checked against Halo's swagger,
    /// so prefer the typed methods where there is one.
    ///
    /// ```
    /// # fn demo(client: &halo_api::HaloClient) {
    /// let parts = client.list_tickets().open_only(true).param("supplier_id", 4).build();
    /// assert_eq!(parts.query_value("supplier_id"), Some("4"));
    /// # }
    /// ```
    pub fn param(mut self, key: impl Into<String>, value: impl std::fmt::Display) -> Self {
        let key = key.into();
        if !key.trim().is_empty() {
            self.query
                .extra
                .entry(key)
                .or_default()
                .push(value.to_string());
        }
        self
    }

    /// `include_custom_fields`: include these custom fields' values in list rows.
    pub fn include_custom_fields(mut self, fields: &[FieldId]) -> Self {
        let ids: Vec<String> = fields.iter().map(ToString::to_string).collect();
        self.query.include_custom_fields = Some(ids.join(","));
        self
    }
}

#[derive(Serialize)]
struct ReturnAll {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    returnall: bool,
}

/// Builder for [`HaloClient::create_ticket`].
#[must_use = "requests do nothing until sent"]
pub struct CreateTicket {
    client: HaloClient,
    ticket: NewTicket,
    return_all: bool,
}

impl CreateTicket {
    /// The request (pure): `POST /api/Tickets` with a one-element array.
    pub fn build(&self) -> RequestParts {
        let body = serde_json::to_value(halo_model::body::one(&self.ticket)).unwrap_or(Value::Null);
        RequestParts::new(Route::CreateTicket)
            .query(
                to_pairs(&ReturnAll {
                    returnall: self.return_all,
                })
                .unwrap_or_default(),
            )
            .body(body)
    }

    /// Sends it. A timeout or dropped connection after sending returns [`ErrorKind::OutcomeUnknown`].
    ///
    /// # Errors
    /// [`ErrorKind::Validation`] (local validation or Halo's 400), [`ErrorKind::OutcomeUnknown`], or any other.
    pub async fn send(self) -> Result<Ticket, Error> {
        self.ticket.validate().map_err(|e| {
            Error::new(
                ErrorKind::Validation,
                format!("the new ticket is invalid: {e}"),
            )
            .with_source(e)
        })?;
        let parts = self.build();
        debug_assert_eq!(parts.idempotency, Idempotency::Create);
        let resp = self.client.execute(&parts).await?;
        decode_one(&resp, &parts)
    }
}

/// Builder for [`HaloClient::update_ticket`].
#[must_use = "requests do nothing until sent"]
pub struct UpdateTicket {
    client: HaloClient,
    update: TicketUpdate,
}

impl UpdateTicket {
    /// The request (pure): `POST /api/Tickets` with `[{"id": …, <fields set>}]`.
    pub fn build(&self) -> RequestParts {
        let body = serde_json::to_value(halo_model::body::one(&self.update)).unwrap_or(Value::Null);
        RequestParts::new(Route::UpdateTicket).body(body)
    }

    /// Sends it (retried like a read: an update with `id` is idempotent).
    ///
    /// # Errors
    /// Any [`Error`].
    pub async fn send(self) -> Result<Ticket, Error> {
        self.update.validate().map_err(|e| {
            Error::new(
                ErrorKind::Validation,
                format!("the ticket update is invalid: {e}"),
            )
            .with_source(e)
        })?;
        let parts = self.build();
        let resp = self.client.execute(&parts).await?;
        decode_one(&resp, &parts)
    }
}

/// Builder for [`HaloClient::delete_ticket`].
#[must_use = "requests do nothing until sent"]
pub struct DeleteTicket {
    client: HaloClient,
    id: TicketId,
    query: DeleteQuery,
}

#[derive(Debug, Clone, Default, Serialize)]
struct DeleteQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

query_setters!(DeleteTicket {
    /// `reason`: why the ticket is deleted (kept in Halo's audit).
    reason => reason: impl Into<String>,
});

impl DeleteTicket {
    /// The request (pure).
    pub fn build(&self) -> RequestParts {
        RequestParts::new(Route::DeleteTicket { id: self.id })
            .query(to_pairs(&self.query).unwrap_or_default())
    }

    /// Sends it.
    ///
    /// # Errors
    /// Any [`Error`].
    pub async fn send(self) -> Result<(), Error> {
        let parts = self.build();
        self.client.execute(&parts).await?;
        Ok(())
    }
}

impl CreateTicket {
    /// Adds `returnall=true` (Halo then answers with an array; the last record is returned).
    pub fn return_all(mut self, on: bool) -> Self {
        self.return_all = on;
        self
    }
}

into_future!(GetTicket => Ticket);
into_future!(CreateTicket => Ticket);
into_future!(UpdateTicket => Ticket);
into_future!(DeleteTicket => ());
