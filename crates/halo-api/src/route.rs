//! Every Halo endpoint this client speaks, as one enum: method + path template (as in Halo's swagger, under the
//! `/api` server). Logs and metrics use [`Route::template`], never the filled path or the query string.

use halo_model::{ActionId, AgentId, AttachmentId, TicketId, UserId};
use http::Method;

/// One Halo endpoint, with the ids that fill its path.
///
/// ```
/// use halo_api::{Route, TicketId};
/// let r = Route::GetTicket { id: TicketId::new(42) };
/// assert_eq!(r.method(), http::Method::GET);
/// assert_eq!(r.template(), "/api/Tickets/{id}");
/// assert_eq!(r.path(), "/api/Tickets/42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Route {
    /// `GET /api/Tickets` — list or search tickets.
    ListTickets,
    /// `GET /api/Tickets/{id}` — one ticket.
    GetTicket {
        /// The ticket.
        id: TicketId,
    },
    /// `POST /api/Tickets` without `id` — create.
    CreateTicket,
    /// `POST /api/Tickets` with `id` — update.
    UpdateTicket,
    /// `DELETE /api/Tickets/{id}` — soft delete.
    DeleteTicket {
        /// The ticket.
        id: TicketId,
    },
    /// `GET /api/Actions?ticket_id=` — a ticket's actions.
    ListActions,
    /// `GET /api/Actions/{id}?ticket_id=` — one action (ids are per ticket).
    GetAction {
        /// The action (carries its ticket).
        id: ActionId,
    },
    /// `POST /api/Actions` — add an action (note) to a ticket.
    AddAction,
    /// `GET /api/Status`.
    ListStatuses,
    /// `GET /api/TicketType`.
    ListTicketTypes,
    /// `GET /api/Priority`.
    ListPriorities,
    /// `GET /api/SLA`.
    ListSlas,
    /// `GET /api/Team`.
    ListTeams,
    /// `GET /api/Agent`.
    ListAgents,
    /// `GET /api/Agent/me` — the agent the token acts as.
    GetAgentMe,
    /// `GET /api/Agent/{id}`.
    GetAgent {
        /// The agent.
        id: AgentId,
    },
    /// `GET /api/Outcome`.
    ListOutcomes,
    /// `GET /api/Category`.
    ListCategories,
    /// `GET /api/Client`.
    ListClients,
    /// `GET /api/Site`.
    ListSites,
    /// `GET /api/Users`.
    ListUsers,
    /// `GET /api/Users/{id}`.
    GetUser {
        /// The user.
        id: UserId,
    },
    /// `GET /api/FieldInfo` — custom field definitions.
    ListFieldInfo,
    /// `POST /api/Attachment` — upload (base64 JSON).
    UploadAttachment,
    /// `GET /api/Attachment?ticket_id=` — attachment metadata of a ticket.
    ListAttachments,
    /// `GET /api/Attachment/{id}` — the file's bytes.
    DownloadAttachment {
        /// The attachment.
        id: AttachmentId,
    },
    /// Anything else, through [`HaloClient::raw`](crate::HaloClient::raw). `path` is relative to the resource
    /// server (e.g. `/Webhook`).
    Raw {
        /// The HTTP method.
        method: Method,
        /// Path below the resource server, starting with `/`.
        path: String,
    },
}

impl Route {
    /// The HTTP method.
    pub fn method(&self) -> Method {
        match self {
            Route::CreateTicket
            | Route::UpdateTicket
            | Route::AddAction
            | Route::UploadAttachment => Method::POST,
            Route::DeleteTicket { .. } => Method::DELETE,
            Route::Raw { method, .. } => method.clone(),
            _ => Method::GET,
        }
    }

    /// The path template, e.g. `/api/Tickets/{id}`; `/api/{raw}` for [`Route::Raw`].
    pub fn template(&self) -> &'static str {
        match self {
            Route::ListTickets | Route::CreateTicket | Route::UpdateTicket => "/api/Tickets",
            Route::GetTicket { .. } | Route::DeleteTicket { .. } => "/api/Tickets/{id}",
            Route::ListActions | Route::AddAction => "/api/Actions",
            Route::GetAction { .. } => "/api/Actions/{id}",
            Route::ListStatuses => "/api/Status",
            Route::ListTicketTypes => "/api/TicketType",
            Route::ListPriorities => "/api/Priority",
            Route::ListSlas => "/api/SLA",
            Route::ListTeams => "/api/Team",
            Route::ListAgents => "/api/Agent",
            Route::GetAgentMe => "/api/Agent/me",
            Route::GetAgent { .. } => "/api/Agent/{id}",
            Route::ListOutcomes => "/api/Outcome",
            Route::ListCategories => "/api/Category",
            Route::ListClients => "/api/Client",
            Route::ListSites => "/api/Site",
            Route::ListUsers => "/api/Users",
            Route::GetUser { .. } => "/api/Users/{id}",
            Route::ListFieldInfo => "/api/FieldInfo",
            Route::UploadAttachment | Route::ListAttachments => "/api/Attachment",
            Route::DownloadAttachment { .. } => "/api/Attachment/{id}",
            Route::Raw { .. } => "/api/{raw}",
        }
    }

    /// A stable short name for metrics, e.g. `get_ticket`.
    pub fn name(&self) -> &'static str {
        match self {
            Route::ListTickets => "list_tickets",
            Route::GetTicket { .. } => "get_ticket",
            Route::CreateTicket => "create_ticket",
            Route::UpdateTicket => "update_ticket",
            Route::DeleteTicket { .. } => "delete_ticket",
            Route::ListActions => "list_actions",
            Route::GetAction { .. } => "get_action",
            Route::AddAction => "add_action",
            Route::ListStatuses => "list_statuses",
            Route::ListTicketTypes => "list_ticket_types",
            Route::ListPriorities => "list_priorities",
            Route::ListSlas => "list_slas",
            Route::ListTeams => "list_teams",
            Route::ListAgents => "list_agents",
            Route::GetAgentMe => "get_agent_me",
            Route::GetAgent { .. } => "get_agent",
            Route::ListOutcomes => "list_outcomes",
            Route::ListCategories => "list_categories",
            Route::ListClients => "list_clients",
            Route::ListSites => "list_sites",
            Route::ListUsers => "list_users",
            Route::GetUser { .. } => "get_user",
            Route::ListFieldInfo => "list_field_info",
            Route::UploadAttachment => "upload_attachment",
            Route::ListAttachments => "list_attachments",
            Route::DownloadAttachment { .. } => "download_attachment",
            Route::Raw { .. } => "raw",
        }
    }

    /// The filled path, e.g. `/api/Tickets/42`.
    pub fn path(&self) -> String {
        let id = match self {
            Route::GetTicket { id } | Route::DeleteTicket { id } => id.get(),
            Route::GetAction { id } => id.seq(),
            Route::GetAgent { id } => id.get(),
            Route::GetUser { id } => id.get(),
            Route::DownloadAttachment { id } => id.get(),
            Route::Raw { path, .. } => {
                let p = path.trim_start_matches('/');
                return format!("/api/{p}");
            }
            _ => return self.template().to_owned(),
        };
        self.template().replace("{id}", &id.to_string())
    }

    /// One instance of every route the typed operations produce (ids filled with 1), for conformance tests.
    pub fn all() -> Vec<Route> {
        let t = TicketId::new(1);
        vec![
            Route::ListTickets,
            Route::GetTicket { id: t },
            Route::CreateTicket,
            Route::UpdateTicket,
            Route::DeleteTicket { id: t },
            Route::ListActions,
            Route::GetAction {
                id: ActionId::new(t, 1),
            },
            Route::AddAction,
            Route::ListStatuses,
            Route::ListTicketTypes,
            Route::ListPriorities,
            Route::ListSlas,
            Route::ListTeams,
            Route::ListAgents,
            Route::GetAgentMe,
            Route::GetAgent {
                id: AgentId::new(1),
            },
            Route::ListOutcomes,
            Route::ListCategories,
            Route::ListClients,
            Route::ListSites,
            Route::ListUsers,
            Route::GetUser { id: UserId::new(1) },
            Route::ListFieldInfo,
            Route::UploadAttachment,
            Route::ListAttachments,
            Route::DownloadAttachment {
                id: AttachmentId::new(1),
            },
        ]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn all_lists_every_typed_route_once() {
        let names: BTreeSet<&str> = Route::all().iter().map(Route::name).collect();
        assert_eq!(names.len(), Route::all().len());
        // 27 variants, minus Raw.
        assert_eq!(names.len(), 26);
    }

    #[test]
    fn paths_fill_ids() {
        let a = Route::GetAction {
            id: ActionId::new(TicketId::new(9), 3),
        };
        assert_eq!(a.path(), "/api/Actions/3");
        let raw = Route::Raw {
            method: Method::GET,
            path: "Webhook".into(),
        };
        assert_eq!(raw.path(), "/api/Webhook");
        assert_eq!(raw.template(), "/api/{raw}");
    }
}
