//! Ticket operations: get (with include flags), list/search (the filters of halo-api.md §4.1), create, update,
//! delete.

use chrono::{DateTime, Utc};
use halo_model::{
    AgentId, ClientId, FieldId, NewTicket, SiteId, StatusId, TeamId, Ticket, TicketId,
    TicketTypeId, TicketUpdate, UserId,
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
});

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
