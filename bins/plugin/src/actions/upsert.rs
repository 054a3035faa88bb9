//! `upsert_ticket` ("Create or Update Ticket"): exactly-once ticket creation keyed by an external key
//! (an InsightIDR investigation RRN, an InsightVM solution id, any caller key).
//!
//! The key is stored twice: in the ticket custom field named by the connection (`external_key_field`,
//! default `CFExternalKey`) when the tenant has it, and as the marker `[ext:<key>]` at the end of the
//! summary. Halo's ticket list cannot filter on a custom field, so the marker is what the lookup
//! searches (`search_summary`); hits are checked for the exact marker or the custom field value.
//!
//! A create whose response is lost (`OutcomeUnknown`: the connection dropped after Halo may have
//! written) is never blindly repeated: the key is searched first, and only when no ticket carries it is
//! the create sent again (at most [`MAX_CREATE_ATTEMPTS`] times).

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::ticket_write::TicketFields;
use halo_model::{CustomFieldValue, FieldId, FieldRef, NewTicket, Ticket, TicketUpdate};
use serde_json::{Value, json};

use super::input::Input;
use super::tickets::{Fallback, apply_fields, field_inputs, invalid, ticket_example};
use super::{Action, StepResult, output};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::halo_errors::from_api;
use crate::spec::{ComponentSpec, Field};
use crate::sync::marker;

/// Most search hits read for one key lookup. Keys that are prefixes of other keys (`k1`, `k10`, ...)
/// all match the search, so this is generous; the exact marker is checked on every hit.
pub const MAX_KEY_HITS: u64 = 2000;

/// Creates sent at most for one upsert when every response is lost.
pub const MAX_CREATE_ATTEMPTS: usize = 3;

/// The result of an upsert.
#[derive(Debug, Clone)]
pub struct Upserted {
    /// The ticket as Halo stored it.
    pub ticket: Ticket,
    /// Whether this call created it.
    pub created: bool,
}

/// The ticket custom field holding external keys, if the tenant has one with the configured name.
pub async fn key_field(ctx: &Ctx) -> Result<Option<FieldId>, StepError> {
    let name = ctx.config.sync.key_field.as_str();
    let list = ctx
        .client
        .list_field_info()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing custom fields"))?;
    let found = list.iter().find(|f| {
        f.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && f.usage.is_none_or(|u| u == 1)
    });
    if found.is_none() {
        tracing::info!(
            "The tenant has no ticket custom field {name}; the external key is kept in the summary marker only"
        );
    }
    Ok(found.map(|f| f.id))
}

fn carries_key(t: &Ticket, key: &str, field: Option<FieldId>) -> bool {
    if t.summary
        .as_deref()
        .is_some_and(|s| marker::has_marker(s, key))
    {
        return true;
    }
    let Some(fid) = field else { return false };
    t.customfields
        .iter()
        .flatten()
        .any(|c| c.id == Some(fid) && c.value_text().as_deref().map(str::trim) == Some(key))
}

/// Finds the ticket carrying `key` (the oldest when several do).
pub async fn find_by_key(
    ctx: &Ctx,
    key: &str,
    field: Option<FieldId>,
) -> Result<Option<Ticket>, StepError> {
    let mut list = ctx
        .client
        .list_tickets()
        .search_summary(marker::search_text(key))
        .max_results(MAX_KEY_HITS);
    if let Some(fid) = field {
        list = list.include_custom_fields(&[fid]);
    }
    let rows = list
        .send()
        .await
        .map_err(|e| from_api(&e, "searching for the ticket with this external key"))?;
    let mut hits: Vec<Ticket> = rows
        .into_iter()
        .filter(|t| carries_key(t, key, field))
        .collect();
    hits.sort_by_key(|t| t.id);
    if hits.len() > 1 {
        let ids: Vec<String> = hits.iter().map(|t| t.id.to_string()).collect();
        tracing::warn!(
            "Several tickets carry the external key {key}: {}; using the oldest",
            ids.join(", ")
        );
    }
    Ok(hits.into_iter().next())
}

/// Merges custom field writes over a ticket's current values (Halo may replace the whole array on update).
fn merged_custom_fields(current: &Ticket, wanted: Vec<CustomFieldValue>) -> Vec<CustomFieldValue> {
    let mut out: Vec<CustomFieldValue> = current
        .customfields
        .iter()
        .flatten()
        .filter_map(|c| {
            Some(CustomFieldValue::by_id(
                c.id?,
                c.value.clone().filter(|v| !v.is_null())?,
            ))
        })
        .collect();
    for w in wanted {
        let id = match &w.field {
            FieldRef::Id(id) => Some(*id),
            FieldRef::Name(n) => current
                .customfields
                .iter()
                .flatten()
                .find(|c| c.name.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(n)))
                .and_then(|c| c.id),
        };
        match id.and_then(|id| {
            out.iter()
                .position(|o| o.field == FieldRef::Id(id))
                .map(|i| (i, id))
        }) {
            Some((i, id)) => out[i] = CustomFieldValue::by_id(id, w.value),
            None => out.push(w),
        }
    }
    out
}

async fn fill_defaults(ctx: &Ctx, f: &mut TicketFields) -> Result<(), StepError> {
    let d = ctx.defaults().await?;
    if f.tickettype_id.is_none() {
        f.tickettype_id = d.ticket_type;
    }
    if f.priority_id.is_none() {
        f.priority_id = d.priority;
    }
    if f.agent_id.is_none() {
        f.agent_id = d.agent;
    }
    if f.team.is_none()
        && f.team_id.is_none()
        && let Some(t) = &d.team
    {
        f.team_id = Some(t.id);
        f.team.clone_from(&t.name);
    }
    if f.category_1.is_none() {
        f.category_1.clone_from(&d.category);
    }
    Ok(())
}

/// Updates the ticket carrying `key` with `fields`, or creates it (with the connection's defaults for
/// unset fields). `fields.summary` is required for a create; the marker is added to it.
pub async fn upsert(ctx: &Ctx, key: &str, mut fields: TicketFields) -> Result<Upserted, StepError> {
    let key = marker::check_key(key)
        .map_err(|why| {
            StepError::client(
                format!("Input 'external_key' is invalid: {why}"),
                "Give a short, stable key such as the investigation RRN.",
            )
        })?
        .to_string();
    super::tickets::fill_user_site(ctx, &mut fields).await?;
    let field = key_field(ctx).await?;
    if let Some(existing) = find_by_key(ctx, &key, field).await? {
        let id = existing.id;
        let mut u = TicketUpdate::new(id);
        let wanted = fields.customfields.take().unwrap_or_default();
        let key_missing = field.is_some_and(|fid| {
            !existing
                .customfields
                .iter()
                .flatten()
                .any(|c| c.id == Some(fid) && c.value_text().as_deref() == Some(key.as_str()))
        });
        if !wanted.is_empty() || key_missing {
            let current = ctx
                .client
                .get_ticket(id)
                .send()
                .await
                .map_err(|e| from_api(&e, &format!("reading ticket {id}")))?;
            let mut w = wanted;
            if let Some(fid) = field {
                w.push(CustomFieldValue::by_id(fid, key.clone()));
            }
            fields.customfields = Some(merged_custom_fields(&current, w));
        }
        let summary = fields
            .summary
            .take()
            .unwrap_or_else(|| existing.summary.clone().unwrap_or_default());
        fields.summary = Some(marker::summary_with_marker(&summary, &key));
        *u.fields_mut() = fields;
        u.validate().map_err(|e| invalid(&e))?;
        let ticket = ctx
            .client
            .update_ticket(u)
            .send()
            .await
            .map_err(|e| from_api(&e, &format!("updating ticket {id}")))?;
        tracing::info!("Updated ticket {id} for external key {key}");
        return Ok(Upserted {
            ticket,
            created: false,
        });
    }
    let summary = fields.summary.take().unwrap_or_default();
    if summary.trim().is_empty() {
        return Err(StepError::client(
            "Input 'summary' is required to create a ticket",
            "Give the ticket a summary.",
        ));
    }
    fill_defaults(ctx, &mut fields).await?;
    if let Some(fid) = field {
        let mut cfs = fields.customfields.take().unwrap_or_default();
        cfs.retain(|c| c.field != FieldRef::Id(fid));
        cfs.push(CustomFieldValue::by_id(fid, key.clone()));
        fields.customfields = Some(cfs);
    }
    let mut nt = NewTicket::new(marker::summary_with_marker(&summary, &key));
    fields.summary = Some(nt.summary().to_string());
    *nt.fields_mut() = fields;
    nt.validate().map_err(|e| invalid(&e))?;
    for attempt in 1..=MAX_CREATE_ATTEMPTS {
        match ctx.client.create_ticket(nt.clone()).send().await {
            Ok(ticket) => {
                tracing::info!("Created ticket {} for external key {key}", ticket.id);
                return Ok(Upserted {
                    ticket,
                    created: true,
                });
            }
            Err(e) if e.kind() == halo_api::ErrorKind::OutcomeUnknown => {
                tracing::warn!(
                    "Create attempt {attempt} for external key {key} lost its response; searching before trying again"
                );
                if let Some(ticket) = find_by_key(ctx, &key, field).await? {
                    tracing::info!(
                        "Ticket {} for external key {key} was created despite the lost response",
                        ticket.id
                    );
                    return Ok(Upserted {
                        ticket,
                        created: true,
                    });
                }
            }
            Err(e) => return Err(from_api(&e, "creating the ticket")),
        }
    }
    Err(StepError::plugin(
        format!(
            "Creating the ticket for external key {key} lost its response {MAX_CREATE_ATTEMPTS} times and no ticket carries the key."
        ),
        "Check the network path to Halo and run the action again; it will not create a duplicate.",
    ))
}

/// The outputs of upsert-style actions.
pub fn upsert_outputs() -> Vec<Field> {
    vec![
        Field::new("ticket", "Ticket", "ticket", "The ticket as Halo stored it")
            .required()
            .example(ticket_example()),
        Field::new(
            "created",
            "Created",
            "boolean",
            "Whether a new ticket was created (false: an existing one was updated)",
        )
        .required()
        .example(true),
        Field::new(
            "external_key",
            "External Key",
            "string",
            "The external key the ticket carries",
        )
        .required()
        .example("rrn:investigation:us:44d8e5f0:investigation:1KJ2XSCV4HAK"),
        Field::new(
            "success",
            "Success",
            "boolean",
            "Whether the operation succeeded",
        )
        .required()
        .example(true),
    ]
}

/// The output object of an upsert.
pub fn upsert_output(ctx: &Ctx, u: &Upserted, key: &str) -> Value {
    json!({"ticket": output::ticket(&u.ticket, &ctx.config.resource_server), "created": u.created,
        "external_key": key.trim(), "success": true})
}

/// Creates or updates a ticket by external key.
pub struct UpsertTicket;

impl Action for UpsertTicket {
    fn spec(&self) -> ComponentSpec {
        let mut input = vec![
            Field::new(
                "external_key",
                "External Key",
                "string",
                "Key of the record in the other system (an investigation RRN, a solution ID); one ticket per key",
            )
            .required()
            .example("rrn:investigation:us:44d8e5f0:investigation:1KJ2XSCV4HAK"),
            Field::new("summary", "Summary", "string", "Ticket summary; the plugin appends the marker [ext:<key>]")
                .required()
                .example("Phishing email reported"),
            Field::new("details", "Details", "string", "Ticket details; HTML is allowed").example("<p>User reported a suspicious email</p>"),
        ];
        input.extend(field_inputs());
        ComponentSpec {
            name: "upsert_ticket",
            title: "Create or Update Ticket",
            description: "Update the ticket that carries an external key, or create it exactly once when none does",
            input,
            output: upsert_outputs(),
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let key = inp.str("external_key").unwrap_or_default();
            let mut f = TicketFields::default();
            apply_fields(ctx, &inp, &mut f, Fallback::None).await?;
            let u = upsert(ctx, &key, f).await?;
            Ok(upsert_output(ctx, &u, &key))
        }
        .boxed()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn custom_fields_merge_over_current_values() {
        let t: Ticket = serde_json::from_value(json!({"id": 5, "customfields": [
            {"id": 101, "name": "CFExternalKey", "value": "k"}, {"id": 102, "name": "CFSeverity", "value": 2},
            {"id": 103, "name": "CFEmpty", "value": null}]}))
        .unwrap();
        let out = merged_custom_fields(
            &t,
            vec![
                CustomFieldValue::by_name("cfseverity", 4),
                CustomFieldValue::by_name("CFNew", "x"),
            ],
        );
        let v: Vec<Value> = out
            .iter()
            .map(|c| serde_json::to_value(c).unwrap())
            .collect();
        assert_eq!(
            v,
            vec![
                json!({"id": 101, "value": "k"}),
                json!({"id": 102, "value": 4}),
                json!({"name": "CFNew", "value": "x"})
            ]
        );
    }

    #[test]
    fn key_is_recognised_by_marker_or_field() {
        let t: Ticket = serde_json::from_value(json!({"id": 5, "summary": "x [ext:abc]"})).unwrap();
        assert!(carries_key(&t, "abc", None));
        assert!(!carries_key(&t, "ab", None));
        let t: Ticket = serde_json::from_value(
            json!({"id": 5, "summary": "x", "customfields": [{"id": 101, "value": "abc"}]}),
        )
        .unwrap();
        assert!(carries_key(&t, "abc", Some(FieldId::new(101))));
        assert!(!carries_key(&t, "abc", Some(FieldId::new(102))));
    }
}
