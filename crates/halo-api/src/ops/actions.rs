//! Action operations (ticket notes and updates): list a ticket's actions, get one (action ids are per ticket, so the
//! ticket id always travels with it), add one.

use halo_model::{Action, ActionId, NewAction, TicketId};
use serde::Serialize;
use serde_json::Value;

use crate::client::HaloClient;
use crate::error::{Error, ErrorKind};
use crate::ops::into_future;
use crate::ops::list::List;
use crate::ops::query_setters;
use crate::query::to_pairs;
use crate::request::RequestParts;
use crate::route::Route;
use crate::send::{decode, decode_one};

impl HaloClient {
    /// `GET /api/Actions?ticket_id=…`: a ticket's actions.
    pub fn list_actions(&self, ticket: TicketId) -> ListActions {
        List::new(self, Route::ListActions, ActionFilters::default_for(ticket))
    }

    /// `GET /api/Actions/{id}?ticket_id=…`: one action.
    pub fn get_action(&self, id: ActionId) -> GetAction {
        GetAction {
            client: self.clone(),
            id,
            query: GetActionQuery {
                ticket_id: id.ticket(),
                ..Default::default()
            },
        }
    }

    /// `POST /api/Actions` with `[action]`: add a note (validated locally; never retried once sent).
    pub fn add_action(&self, action: NewAction) -> AddAction {
        AddAction {
            client: self.clone(),
            action,
        }
    }
}

/// Query of `GET /api/Actions`.
#[derive(Debug, Clone, Serialize)]
pub struct ActionFilters {
    ticket_id: TicketId,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    excludesys: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    excludeprivate: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agentonly: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversationonly: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includehtmlnote: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includeattachments: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includeagentdetails: Option<bool>,
}

impl ActionFilters {
    fn default_for(ticket_id: TicketId) -> Self {
        ActionFilters {
            ticket_id,
            count: None,
            excludesys: None,
            excludeprivate: None,
            agentonly: None,
            conversationonly: None,
            includehtmlnote: None,
            includeattachments: None,
            includeagentdetails: None,
        }
    }
}

/// Builder for [`HaloClient::list_actions`].
pub type ListActions = List<Action, ActionFilters>;

query_setters!(ListActions {
    /// `count`: at most this many actions.
    count => count: u32,
    /// `excludesys`: leave out system actions.
    exclude_system => excludesys: bool,
    /// `excludeprivate`: leave out private notes.
    exclude_private => excludeprivate: bool,
    /// `agentonly`.
    agent_only => agentonly: bool,
    /// `conversationonly`.
    conversation_only => conversationonly: bool,
    /// `includehtmlnote`: needed to get `note_html`.
    include_html_note => includehtmlnote: bool,
    /// `includeattachments`.
    include_attachments => includeattachments: bool,
    /// `includeagentdetails`.
    include_agent_details => includeagentdetails: bool,
});

/// Builder for [`HaloClient::get_action`].
#[must_use = "requests do nothing until sent"]
pub struct GetAction {
    client: HaloClient,
    id: ActionId,
    query: GetActionQuery,
}

#[derive(Debug, Clone, Serialize)]
struct GetActionQuery {
    ticket_id: TicketId,
    #[serde(skip_serializing_if = "Option::is_none")]
    includedetails: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    includeemail: Option<bool>,
}

impl Default for GetActionQuery {
    fn default() -> Self {
        GetActionQuery {
            ticket_id: TicketId::new(0),
            includedetails: None,
            includeemail: None,
        }
    }
}

query_setters!(GetAction {
    /// `includedetails`.
    include_details => includedetails: bool,
    /// `includeemail`.
    include_email => includeemail: bool,
});

impl GetAction {
    /// The request (pure).
    pub fn build(&self) -> RequestParts {
        RequestParts::new(Route::GetAction { id: self.id })
            .query(to_pairs(&self.query).unwrap_or_default())
    }

    /// Sends it.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] or any other [`Error`].
    pub async fn send(self) -> Result<Action, Error> {
        let parts = self.build();
        let resp = self.client.execute(&parts).await?;
        decode(&resp, &parts)
    }
}

/// Builder for [`HaloClient::add_action`].
#[must_use = "requests do nothing until sent"]
pub struct AddAction {
    client: HaloClient,
    action: NewAction,
}

impl AddAction {
    /// The request (pure): `POST /api/Actions` with a one-element array.
    pub fn build(&self) -> RequestParts {
        let body = serde_json::to_value(halo_model::body::one(&self.action)).unwrap_or(Value::Null);
        RequestParts::new(Route::AddAction).body(body)
    }

    /// Sends it. A timeout or dropped connection after sending returns [`ErrorKind::OutcomeUnknown`].
    ///
    /// # Errors
    /// [`ErrorKind::Validation`] (no outcome, no note, Halo's 400), [`ErrorKind::OutcomeUnknown`], or any other.
    pub async fn send(self) -> Result<Action, Error> {
        self.action.validate().map_err(|e| {
            Error::new(
                ErrorKind::Validation,
                format!("the new action is invalid: {e}"),
            )
            .with_source(e)
        })?;
        let parts = self.build();
        let resp = self.client.execute(&parts).await?;
        decode_one(&resp, &parts)
    }
}

into_future!(GetAction => Action);
into_future!(AddAction => Action);
