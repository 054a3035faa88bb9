//! Lookup operations: statuses, ticket types, priorities, SLAs, teams, agents (incl. `Agent/me`), outcomes,
//! categories, clients, sites, users, custom field definitions. Clients, sites and users page; the rest are one
//! request each.

use halo_model::{
    Agent, AgentId, Category, Client, ClientId, FieldInfo, Outcome, Priority, Site, SiteId, Sla,
    SlaId, Status, Team, TeamId, TicketType, TicketTypeId, User, UserId,
};
use serde::Serialize;

use crate::client::HaloClient;
use crate::error::Error;
use crate::ops::list::{List, PagedList};
use crate::ops::query_setters;
use crate::query::to_pairs;
use crate::request::RequestParts;
use crate::route::Route;
use crate::send::decode;

macro_rules! query_struct {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, Serialize)]
        pub struct $name {
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                $field: Option<$ty>,
            )*
        }
    };
}

query_struct!(
    /// Query of `GET /api/Status`.
    StatusFilters { tickettype_id: TicketTypeId, excludepending: bool, excludeclosed: bool, showall: bool, domain: String }
);
query_struct!(
    /// Query of `GET /api/TicketType`.
    TicketTypeFilters { showinactive: bool, can_create_only: bool, client_id: ClientId, showall: bool, domain: String }
);
query_struct!(
    /// Query of `GET /api/Priority`.
    PriorityFilters { slaid: SlaId }
);
query_struct!(
    /// Query of `GET /api/SLA`.
    SlaFilters { showpriorities: bool }
);
query_struct!(
    /// Query of `GET /api/Team`.
    TeamFilters { includedisabled: bool, includeenabled: bool, showall: bool, domain: String }
);
query_struct!(
    /// Query of `GET /api/Agent`.
    AgentFilters {
        search: String, team_id: TeamId, client_id: ClientId, includedisabled: bool, includeenabled: bool,
        includeunassigned: bool, includeapiagents: bool, showall: bool
    }
);
query_struct!(
    /// Query of `GET /api/Outcome`.
    OutcomeFilters { tickettype_id: TicketTypeId, showhidden: bool, excludesystemactions: bool }
);
query_struct!(
    /// Query of `GET /api/Category`.
    CategoryFilters { type_id: u8, tickettype_id: TicketTypeId, team_id: TeamId, client_id: ClientId }
);
query_struct!(
    /// Query of `GET /api/Client`.
    ClientFilters { search: String, includeactive: bool, includeinactive: bool, toplevel_id: u64 }
);
query_struct!(
    /// Query of `GET /api/Site`.
    SiteFilters { search: String, client_id: ClientId, includeactive: bool, includeinactive: bool }
);
query_struct!(
    /// Query of `GET /api/Users`.
    UserFilters {
        search: String, client_id: ClientId, site_id: SiteId, includeactive: bool, includeinactive: bool,
        exclude_agents: bool
    }
);
query_struct!(
    /// Query of `GET /api/FieldInfo`.
    FieldInfoFilters { typeid: u32, includevalues: bool, domain: String }
);
query_struct!(
    /// Query of `GET /api/Agent/{id}` and `GET /api/Users/{id}`.
    DetailQuery { includedetails: bool }
);

/// Builder for [`HaloClient::list_statuses`].
pub type ListStatuses = List<Status, StatusFilters>;
/// Builder for [`HaloClient::list_ticket_types`].
pub type ListTicketTypes = List<TicketType, TicketTypeFilters>;
/// Builder for [`HaloClient::list_priorities`].
pub type ListPriorities = List<Priority, PriorityFilters>;
/// Builder for [`HaloClient::list_slas`].
pub type ListSlas = List<Sla, SlaFilters>;
/// Builder for [`HaloClient::list_teams`].
pub type ListTeams = List<Team, TeamFilters>;
/// Builder for [`HaloClient::list_agents`].
pub type ListAgents = List<Agent, AgentFilters>;
/// Builder for [`HaloClient::list_outcomes`].
pub type ListOutcomes = List<Outcome, OutcomeFilters>;
/// Builder for [`HaloClient::list_categories`].
pub type ListCategories = List<Category, CategoryFilters>;
/// Builder for [`HaloClient::list_clients`].
pub type ListClients = PagedList<Client, ClientFilters>;
/// Builder for [`HaloClient::list_sites`].
pub type ListSites = PagedList<Site, SiteFilters>;
/// Builder for [`HaloClient::list_users`].
pub type ListUsers = PagedList<User, UserFilters>;
/// Builder for [`HaloClient::list_field_info`].
pub type ListFieldInfo = List<FieldInfo, FieldInfoFilters>;

impl HaloClient {
    /// `GET /api/Status` (bare array).
    pub fn list_statuses(&self) -> ListStatuses {
        List::new(self, Route::ListStatuses, StatusFilters::default())
    }
    /// `GET /api/TicketType`.
    pub fn list_ticket_types(&self) -> ListTicketTypes {
        List::new(self, Route::ListTicketTypes, TicketTypeFilters::default())
    }
    /// `GET /api/Priority` (SLA-scoped rows).
    pub fn list_priorities(&self) -> ListPriorities {
        List::new(self, Route::ListPriorities, PriorityFilters::default())
    }
    /// `GET /api/SLA`.
    pub fn list_slas(&self) -> ListSlas {
        List::new(self, Route::ListSlas, SlaFilters::default())
    }
    /// `GET /api/Team`.
    pub fn list_teams(&self) -> ListTeams {
        List::new(self, Route::ListTeams, TeamFilters::default())
    }
    /// `GET /api/Agent`.
    pub fn list_agents(&self) -> ListAgents {
        List::new(self, Route::ListAgents, AgentFilters::default())
    }
    /// `GET /api/Agent/{id}`.
    pub fn get_agent(&self, id: AgentId) -> GetOne<Agent> {
        GetOne::new(self, Route::GetAgent { id })
    }
    /// `GET /api/Agent/me`: the agent the token acts as (a cheap connection test).
    pub fn get_agent_me(&self) -> GetOne<Agent> {
        GetOne::new(self, Route::GetAgentMe)
    }
    /// `GET /api/Outcome` (action types).
    pub fn list_outcomes(&self) -> ListOutcomes {
        List::new(self, Route::ListOutcomes, OutcomeFilters::default())
    }
    /// `GET /api/Category`.
    pub fn list_categories(&self) -> ListCategories {
        List::new(self, Route::ListCategories, CategoryFilters::default())
    }
    /// `GET /api/Client` (paged).
    pub fn list_clients(&self) -> ListClients {
        PagedList::new(self, Route::ListClients, ClientFilters::default())
    }
    /// `GET /api/Site` (paged).
    pub fn list_sites(&self) -> ListSites {
        PagedList::new(self, Route::ListSites, SiteFilters::default())
    }
    /// `GET /api/Users` (paged).
    pub fn list_users(&self) -> ListUsers {
        PagedList::new(self, Route::ListUsers, UserFilters::default())
    }
    /// `GET /api/Users/{id}`.
    pub fn get_user(&self, id: UserId) -> GetOne<User> {
        GetOne::new(self, Route::GetUser { id })
    }
    /// `GET /api/FieldInfo`: custom field definitions.
    pub fn list_field_info(&self) -> ListFieldInfo {
        List::new(self, Route::ListFieldInfo, FieldInfoFilters::default())
    }
}

query_setters!(ListStatuses {
    /// `tickettype_id`: statuses allowed for this ticket type.
    ticket_type => tickettype_id: TicketTypeId,
    /// `excludepending`: leave out "pending closure".
    exclude_pending => excludepending: bool,
    /// `excludeclosed`.
    exclude_closed => excludeclosed: bool,
    /// `showall`.
    show_all => showall: bool,
    /// `domain`: `reqs`, `opps` or `prjs`.
    domain => domain: impl Into<String>,
});
query_setters!(ListTicketTypes {
    /// `showinactive`.
    show_inactive => showinactive: bool,
    /// `can_create_only`.
    can_create_only => can_create_only: bool,
    /// `client_id`.
    client => client_id: ClientId,
    /// `showall`.
    show_all => showall: bool,
    /// `domain`.
    domain => domain: impl Into<String>,
});
query_setters!(ListPriorities {
    /// `slaid`: priorities of this SLA.
    sla => slaid: SlaId,
});
query_setters!(ListSlas {
    /// `showpriorities`.
    show_priorities => showpriorities: bool,
});
query_setters!(ListTeams {
    /// `includedisabled`.
    include_disabled => includedisabled: bool,
    /// `includeenabled`.
    include_enabled => includeenabled: bool,
    /// `showall`.
    show_all => showall: bool,
    /// `domain`.
    domain => domain: impl Into<String>,
});
query_setters!(ListAgents {
    /// `search`: name, email or phone.
    search => search: impl Into<String>,
    /// `team_id`.
    team => team_id: TeamId,
    /// `client_id`.
    client => client_id: ClientId,
    /// `includedisabled`.
    include_disabled => includedisabled: bool,
    /// `includeenabled`.
    include_enabled => includeenabled: bool,
    /// `includeunassigned`: include the system "Unassigned" agent.
    include_unassigned => includeunassigned: bool,
    /// `includeapiagents`.
    include_api_agents => includeapiagents: bool,
    /// `showall`.
    show_all => showall: bool,
});
query_setters!(ListOutcomes {
    /// `tickettype_id`.
    ticket_type => tickettype_id: TicketTypeId,
    /// `showhidden`.
    show_hidden => showhidden: bool,
    /// `excludesystemactions`.
    exclude_system_actions => excludesystemactions: bool,
});
query_setters!(ListCategories {
    /// `type_id`: the category slot (1–4).
    slot => type_id: u8,
    /// `tickettype_id`.
    ticket_type => tickettype_id: TicketTypeId,
    /// `team_id`.
    team => team_id: TeamId,
    /// `client_id`.
    client => client_id: ClientId,
});
query_setters!(ListClients {
    /// `search`.
    search => search: impl Into<String>,
    /// `includeactive`.
    include_active => includeactive: bool,
    /// `includeinactive`.
    include_inactive => includeinactive: bool,
    /// `toplevel_id`.
    top_level => toplevel_id: u64,
});
query_setters!(ListSites {
    /// `search`.
    search => search: impl Into<String>,
    /// `client_id`.
    client => client_id: ClientId,
    /// `includeactive`.
    include_active => includeactive: bool,
    /// `includeinactive`.
    include_inactive => includeinactive: bool,
});
query_setters!(ListUsers {
    /// `search`: name or email.
    search => search: impl Into<String>,
    /// `client_id`.
    client => client_id: ClientId,
    /// `site_id`.
    site => site_id: SiteId,
    /// `includeactive`.
    include_active => includeactive: bool,
    /// `includeinactive`.
    include_inactive => includeinactive: bool,
    /// `exclude_agents`.
    exclude_agents => exclude_agents: bool,
});
query_setters!(ListFieldInfo {
    /// `typeid`: the entity the fields belong to.
    type_id => typeid: u32,
    /// `includevalues`: include selection options.
    include_values => includevalues: bool,
    /// `domain`.
    domain => domain: impl Into<String>,
});

/// Builder for single-record lookups (`get_agent`, `get_agent_me`, `get_user`).
#[must_use = "requests do nothing until sent"]
pub struct GetOne<T> {
    client: HaloClient,
    route: Route,
    query: DetailQuery,
    _item: std::marker::PhantomData<fn() -> T>,
}

impl<T: serde::de::DeserializeOwned> GetOne<T> {
    fn new(client: &HaloClient, route: Route) -> Self {
        GetOne {
            client: client.clone(),
            route,
            query: DetailQuery::default(),
            _item: std::marker::PhantomData,
        }
    }

    /// `includedetails` (not for `Agent/me`, which takes no parameters).
    pub fn include_details(mut self, on: bool) -> Self {
        if self.route != Route::GetAgentMe {
            self.query.includedetails = Some(on);
        }
        self
    }

    /// The request (pure).
    pub fn build(&self) -> RequestParts {
        RequestParts::new(self.route.clone()).query(to_pairs(&self.query).unwrap_or_default())
    }

    /// Sends it.
    ///
    /// # Errors
    /// [`crate::ErrorKind::NotFound`] or any other [`Error`].
    pub async fn send(self) -> Result<T, Error> {
        let parts = self.build();
        let resp = self.client.execute(&parts).await?;
        decode(&resp, &parts)
    }
}

impl<T> std::future::IntoFuture for GetOne<T>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    type Output = Result<T, Error>;
    type IntoFuture = futures::future::BoxFuture<'static, Self::Output>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
