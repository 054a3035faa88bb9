//! The sim's route table, kept as data so tests can check every served route against Halo's swagger.

use std::sync::Arc;

use axum::Router;
use axum::routing::{MethodRouter, delete, get, post};

use crate::state::App;
use crate::{actions, admin, attachments, auth, lookups, tickets};

/// Which server a route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteArea {
    /// Halo's resource server (`/api`, in swagger.json without the `/api` prefix).
    Resource,
    /// Halo's authorisation server (`/auth`).
    Auth,
    /// The sim's own control routes (`/_sim`, only with `admin_routes`).
    Admin,
}

/// One served route: method and path template in Halo's casing (matching is case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    /// `GET`, `POST` or `DELETE`.
    pub method: &'static str,
    /// Template, e.g. `/api/Tickets/{id}`.
    pub path: &'static str,
    /// Server.
    pub area: RouteArea,
}

const fn r(method: &'static str, path: &'static str, area: RouteArea) -> RouteSpec {
    RouteSpec { method, path, area }
}

use RouteArea::{Admin, Auth, Resource};

/// Every route the sim serves.
pub const ROUTES: &[RouteSpec] = &[
    r("GET", "/api/AuthInfo", Resource),
    r("GET", "/api/Tickets", Resource),
    r("POST", "/api/Tickets", Resource),
    r("GET", "/api/Tickets/{id}", Resource),
    r("DELETE", "/api/Tickets/{id}", Resource),
    r("GET", "/api/Actions", Resource),
    r("POST", "/api/Actions", Resource),
    r("GET", "/api/Actions/{id}", Resource),
    r("DELETE", "/api/Actions/{id}", Resource),
    r("GET", "/api/Status", Resource),
    r("GET", "/api/Status/{id}", Resource),
    r("GET", "/api/TicketType", Resource),
    r("GET", "/api/TicketType/{id}", Resource),
    r("GET", "/api/Team", Resource),
    r("GET", "/api/Team/{id}", Resource),
    r("GET", "/api/Priority", Resource),
    r("GET", "/api/Priority/{id}", Resource),
    r("GET", "/api/SLA", Resource),
    r("GET", "/api/SLA/{id}", Resource),
    r("GET", "/api/Agent", Resource),
    r("GET", "/api/Agent/me", Resource),
    r("GET", "/api/Agent/{id}", Resource),
    r("GET", "/api/Outcome", Resource),
    r("GET", "/api/Outcome/{id}", Resource),
    r("GET", "/api/FieldInfo", Resource),
    r("GET", "/api/FieldInfo/{id}", Resource),
    r("GET", "/api/Category", Resource),
    r("GET", "/api/Category/{id}", Resource),
    r("GET", "/api/Client", Resource),
    r("GET", "/api/Client/{id}", Resource),
    r("GET", "/api/Site", Resource),
    r("GET", "/api/Site/{id}", Resource),
    r("GET", "/api/Users", Resource),
    r("GET", "/api/Users/{id}", Resource),
    r("GET", "/api/Attachment", Resource),
    r("POST", "/api/Attachment", Resource),
    r("GET", "/api/Attachment/{id}", Resource),
    r("DELETE", "/api/Attachment/{id}", Resource),
    r("POST", "/auth/token", Auth),
    r("GET", "/auth/.well-known/openid-configuration", Auth),
    r("GET", "/_sim/journal", Admin),
    r("DELETE", "/_sim/journal", Admin),
    r("GET", "/_sim/faults", Admin),
    r("POST", "/_sim/faults", Admin),
    r("DELETE", "/_sim/faults", Admin),
    r("POST", "/_sim/revoke", Admin),
    r("POST", "/_sim/clock", Admin),
    r("POST", "/_sim/ratelimit", Admin),
    r("GET", "/_sim/tickets", Admin),
    r("GET", "/_sim/webhooks", Admin),
];

type S = Arc<App>;

/// The handler of a route in [`ROUTES`].
fn handler(spec: &RouteSpec) -> Option<MethodRouter<S>> {
    let h = match (spec.method, spec.path) {
        ("GET", "/api/AuthInfo") => get(auth::authinfo),
        ("GET", "/api/Tickets") => get(tickets::list),
        ("POST", "/api/Tickets") => post(tickets::post),
        ("GET", "/api/Tickets/{id}") => get(tickets::get),
        ("DELETE", "/api/Tickets/{id}") => delete(tickets::delete),
        ("GET", "/api/Actions") => get(actions::list),
        ("POST", "/api/Actions") => post(actions::post),
        ("GET", "/api/Actions/{id}") => get(actions::get),
        ("DELETE", "/api/Actions/{id}") => delete(actions::delete),
        ("GET", "/api/Status") => get(lookups::statuses),
        ("GET", "/api/Status/{id}") => get(lookups::status),
        ("GET", "/api/TicketType") => get(lookups::ticket_types),
        ("GET", "/api/TicketType/{id}") => get(lookups::ticket_type),
        ("GET", "/api/Team") => get(lookups::teams),
        ("GET", "/api/Team/{id}") => get(lookups::team),
        ("GET", "/api/Priority") => get(lookups::priorities),
        ("GET", "/api/Priority/{id}") => get(lookups::priority),
        ("GET", "/api/SLA") => get(lookups::slas),
        ("GET", "/api/SLA/{id}") => get(lookups::sla),
        ("GET", "/api/Agent") => get(lookups::agents),
        ("GET", "/api/Agent/me") => get(lookups::agent_me),
        ("GET", "/api/Agent/{id}") => get(lookups::agent),
        ("GET", "/api/Outcome") => get(lookups::outcomes),
        ("GET", "/api/Outcome/{id}") => get(lookups::outcome),
        ("GET", "/api/FieldInfo") => get(lookups::field_infos),
        ("GET", "/api/FieldInfo/{id}") => get(lookups::field_info),
        ("GET", "/api/Category") => get(lookups::categories),
        ("GET", "/api/Category/{id}") => get(lookups::category),
        ("GET", "/api/Client") => get(lookups::clients),
        ("GET", "/api/Client/{id}") => get(lookups::client),
        ("GET", "/api/Site") => get(lookups::sites),
        ("GET", "/api/Site/{id}") => get(lookups::site),
        ("GET", "/api/Users") => get(lookups::users),
        ("GET", "/api/Users/{id}") => get(lookups::user),
        ("GET", "/api/Attachment") => get(attachments::list),
        ("POST", "/api/Attachment") => post(attachments::post),
        ("GET", "/api/Attachment/{id}") => get(attachments::download),
        ("DELETE", "/api/Attachment/{id}") => delete(attachments::delete),
        ("POST", "/auth/token") => post(auth::token),
        ("GET", "/auth/.well-known/openid-configuration") => get(auth::openid_configuration),
        ("GET", "/_sim/journal") => get(admin::journal),
        ("DELETE", "/_sim/journal") => delete(admin::clear_journal),
        ("GET", "/_sim/faults") => get(admin::faults),
        ("POST", "/_sim/faults") => post(admin::set_faults),
        ("DELETE", "/_sim/faults") => delete(admin::clear_faults),
        ("POST", "/_sim/revoke") => post(admin::revoke),
        ("POST", "/_sim/clock") => post(admin::clock),
        ("POST", "/_sim/ratelimit") => post(admin::rate_limit),
        ("GET", "/_sim/tickets") => get(admin::tickets),
        ("GET", "/_sim/webhooks") => get(admin::webhooks),
        _ => return None,
    };
    Some(h)
}

/// Build the router from [`ROUTES`]; paths are registered lower-case and requests are lower-cased before
/// routing, which makes matching case-insensitive like ASP.NET.
pub(crate) fn router(app: Arc<App>) -> Router {
    let mut router: Router<S> = Router::new();
    for spec in ROUTES {
        if let Some(h) = handler(spec) {
            router = router.route(&spec.path.to_ascii_lowercase(), h);
        }
    }
    router.with_state(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_route_has_a_handler() {
        for spec in ROUTES {
            assert!(
                handler(spec).is_some(),
                "no handler for {} {}",
                spec.method,
                spec.path
            );
        }
    }
}
