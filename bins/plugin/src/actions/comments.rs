//! `add_comment` (a note through `/api/Actions`: public or private, outcome by name or id, optional
//! status change, the origin marker, an optional note key that makes a re-run find its note) and
//! `list_comments`.

use chrono::{DateTime, Utc};
use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::{NewAction, OutcomeRef, StatusId, TicketId};
use serde_json::{Value, json};

use super::input::Input;
use super::tickets::{invalid, ticket_error, ticket_id, ticket_id_field, ticket_write_error};
use super::{Action, StepResult, output, resolve};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::spec::{ComponentSpec, Field};
use crate::sync::marker;

fn action_example() -> Value {
    json!({"id": 3, "ticket_id": 1042, "outcome": "Private Note", "note": "<p>Containment started</p>",
        "who": "API User", "is_private": true, "datetime": "2026-12-01T10:02:45Z"})
}

/// Adds a note.
pub struct AddComment;

impl Action for AddComment {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "add_comment",
            title: "Add Comment",
            description: "Add a public or private note to a ticket, optionally changing its status",
            input: vec![
                ticket_id_field(),
                Field::new("comment", "Comment", "string", "Note text; HTML is allowed").required().example("Containment started"),
                Field::new("is_private", "Is Private", "boolean", "Hide the note from the end user")
                    .default(true)
                    .example(true),
                Field::new(
                    "outcome",
                    "Outcome",
                    "string",
                    "Outcome (action type) ID or name; by default the tenant's private or public note outcome",
                )
                .example("Private Note"),
                Field::new("status", "Status", "string", "Status ID or name to move the ticket to with this note")
                    .example("In Progress"),
                Field::new(
                    "note_key",
                    "Note Key",
                    "string",
                    "A stable key for this note, such as the alert ID; when a note with this key is already on the ticket it is returned and no second note is added, so a re-run step never duplicates its note",
                )
                .example("rrn:alerts:us:1a2b:alert:1:7f3c"),
                Field::new(
                    "origin_marker",
                    "Origin Marker",
                    "boolean",
                    "Append [InsightConnect] to the note so triggers and Parse Webhook recognise it as the plugin's own and workflows do not echo it; required for Note Key",
                )
                .default(true)
                .example(true),
            ],
            output: vec![
                Field::new("success", "Success", "boolean", "Whether the note was added").required().example(true),
                Field::new("comment_id", "Comment ID", "integer", "ID of the new note within the ticket").example(3),
                Field::new("added", "Added", "boolean", "False when a note with the same Note Key was already on the ticket and was returned instead")
                    .required()
                    .example(true),
                Field::new("comment", "Comment", "action", "The note as Halo stored it").example(action_example()),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let id = ticket_id(&inp)?;
            let private = inp.bool_or("is_private", true);
            let outcome = match inp.str("outcome") {
                Some(o) => OutcomeRef::Id(resolve::outcome(ctx, "outcome", &o).await?),
                None => default_outcome(ctx, private).await?,
            };
            let key = note_key(&inp)?;
            let mark = inp.bool_or("origin_marker", true);
            if key.is_some() && !mark {
                return Err(StepError::client(
                    "Input 'note_key' needs 'origin_marker'",
                    "Leave Origin Marker on when you give a Note Key: the key is written beside the marker.",
                ));
            }
            if let Some(k) = &key
                && let Some(found) = find_keyed(ctx, id, k).await?
            {
                tracing::info!(
                    "Note {} with key {k} is already on ticket {id}; not adding it again",
                    found.id.unwrap_or_default()
                );
                return Ok(comment_output(&found, id, false));
            }
            let mut text = inp.str("comment").unwrap_or_default();
            if mark {
                text.push_str(&marker::note_footer(key.as_deref()));
            }
            let mut a = NewAction::new(id, outcome).note_html(text).hidden_from_user(private);
            if let Some(s) = inp.str("status") {
                let sid: StatusId = resolve::status(ctx, "status", &s).await?;
                a = a.new_status(sid);
            }
            a.validate().map_err(|e| invalid(&e))?;
            let added = add_note(ctx, a, id).await?;
            Ok(comment_output(&added, id, true))
        }
        .boxed()
    }
}

fn comment_output(a: &halo_model::Action, ticket: TicketId, added: bool) -> Value {
    let out = output::action(a, ticket.get());
    json!({"success": true, "added": added, "comment_id": out.get("id").cloned().unwrap_or(json!(0)), "comment": out})
}

fn note_key(inp: &Input) -> Result<Option<String>, StepError> {
    let Some(k) = inp.str("note_key") else {
        return Ok(None);
    };
    marker::check_note_key(&k)
        .map(|k| Some(k.to_string()))
        .map_err(|why| {
            StepError::client(
                format!("Input 'note_key' is invalid: {why}"),
                "Give a short, stable key such as the alert ID.",
            )
        })
}

/// The note on the ticket that carries the key's marker, if any (any age: the key, not the time, says it
/// is this step's note).
async fn find_keyed(
    ctx: &Ctx,
    id: TicketId,
    key: &str,
) -> Result<Option<halo_model::Action>, StepError> {
    let wanted = marker::note_marker(key);
    let doing = format!("looking for the note with key {key} on ticket {id}");
    let found = notes_where(ctx, id, &doing, |_, n| n.contains(&wanted)).await?;
    Ok(found.into_iter().min_by_key(|a| a.id.unwrap_or_default()))
}

/// The note's text as Halo returns it (HTML and plain).
fn note_texts(a: &halo_model::Action) -> impl Iterator<Item = &str> {
    [a.note_html.as_deref(), a.note.as_deref()]
        .into_iter()
        .flatten()
}

/// The ticket's actions (with their HTML notes) that `keep` accepts, given each action and one of its texts.
async fn notes_where(
    ctx: &Ctx,
    id: TicketId,
    doing: &str,
    keep: impl Fn(&halo_model::Action, &str) -> bool,
) -> Result<Vec<halo_model::Action>, StepError> {
    let list = ctx
        .client
        .list_actions(id)
        .include_html_note(true)
        .send()
        .await
        .map_err(|e| ticket_error(&e, id, doing))?;
    Ok(list
        .into_iter()
        .filter(|a| note_texts(a).any(|n| keep(a, n)))
        .collect())
}

/// Sends a note at most once per attempt; when a response is lost after the request left (`OutcomeUnknown`),
/// the ticket's notes are searched for it before it is sent again, so a dropped connection never leaves the
/// same note twice.
async fn add_note(ctx: &Ctx, a: NewAction, id: TicketId) -> Result<halo_model::Action, StepError> {
    let started = Utc::now() - LOST_NOTE_WINDOW;
    let text = a
        .note_html
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_string();
    for attempt in 1..=MAX_NOTE_ATTEMPTS {
        match ctx.client.add_action(a.clone()).send().await {
            Ok(added) => return Ok(added),
            Err(e) if e.kind() == halo_api::ErrorKind::OutcomeUnknown => {
                tracing::warn!(
                    "Note attempt {attempt} on ticket {id} lost its response; looking for it before trying again"
                );
                if let Some(found) = find_note(ctx, id, &text, started).await? {
                    tracing::info!(
                        "Note {} on ticket {id} was added despite the lost response",
                        found.id.unwrap_or_default()
                    );
                    return Ok(found);
                }
            }
            Err(e) => {
                return Err(ticket_write_error(
                    ctx,
                    &e,
                    id,
                    &format!("adding a note to ticket {id}"),
                )
                .await);
            }
        }
    }
    Err(StepError::plugin(
        format!(
            "Adding the note to ticket {id} lost its response {MAX_NOTE_ATTEMPTS} times and the ticket does not show it."
        ),
        "Check the network path to Halo and run the action again; the note was not added.",
    ))
}

/// Attempts of [`add_note`] (each one looked for before the next is sent).
const MAX_NOTE_ATTEMPTS: u32 = 3;

/// How far before the first attempt a matching note still counts as this action's (clock skew between the
/// plugin and Halo).
const LOST_NOTE_WINDOW: chrono::Duration = chrono::Duration::minutes(10);

/// The newest note on the ticket with exactly this text, written since `since`.
async fn find_note(
    ctx: &Ctx,
    id: TicketId,
    text: &str,
    since: DateTime<Utc>,
) -> Result<Option<halo_model::Action>, StepError> {
    let doing = format!("looking for the note on ticket {id}");
    let found = notes_where(ctx, id, &doing, |a, n| {
        a.datetime.is_none_or(|d| d >= since) && n.trim() == text
    })
    .await?;
    Ok(found.into_iter().max_by_key(|a| a.id.unwrap_or_default()))
}

/// The tenant's note outcome: "Private Note" / "Public Note" by name, else any outcome named like a note.
pub async fn default_outcome(
    ctx: &Ctx,
    private: bool,
) -> Result<OutcomeRef, crate::errors::StepError> {
    let list = ctx
        .client
        .list_outcomes()
        .send()
        .await
        .map_err(|e| crate::halo_errors::from_api(&e, "listing outcomes"))?;
    let wanted = if private {
        "private note"
    } else {
        "public note"
    };
    let lower = |o: &halo_model::Outcome| o.name().unwrap_or_default().to_lowercase();
    let found = list
        .iter()
        .find(|o| lower(o) == wanted)
        .or_else(|| {
            list.iter()
                .find(|o| lower(o).contains(if private { "private" } else { "public" }))
        })
        .or_else(|| list.iter().find(|o| lower(o).contains("note")));
    Ok(match found {
        Some(o) => OutcomeRef::Id(o.id),
        None => OutcomeRef::Name(
            if private {
                "Private Note"
            } else {
                "Public Note"
            }
            .to_string(),
        ),
    })
}

/// Lists notes.
pub struct ListComments;

impl Action for ListComments {
    fn spec(&self) -> ComponentSpec {
        ComponentSpec {
            name: "list_comments",
            title: "List Comments",
            description: "List the notes and other actions of a ticket",
            input: vec![
                ticket_id_field(),
                Field::new(
                    "include_private",
                    "Include Private",
                    "boolean",
                    "Include notes hidden from the end user",
                )
                .default(true)
                .example(true),
                Field::new(
                    "exclude_system",
                    "Exclude System",
                    "boolean",
                    "Leave out actions Halo added automatically",
                )
                .default(true)
                .example(true),
            ],
            output: vec![
                Field::new(
                    "comments",
                    "Comments",
                    "[]action",
                    "Notes and actions, oldest first",
                )
                .required()
                .example(json!([action_example()])),
                Field::new("count", "Count", "integer", "Number of notes returned")
                    .required()
                    .example(1),
            ],
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let id = ticket_id(&inp)?;
            let mut q = ctx.client.list_actions(id).include_html_note(true);
            if !inp.bool_or("include_private", true) {
                q = q.exclude_private(true);
            }
            if inp.bool_or("exclude_system", true) {
                q = q.exclude_system(true);
            }
            let list = q
                .send()
                .await
                .map_err(|e| ticket_error(&e, id, &format!("listing notes of ticket {id}")))?;
            let comments: Vec<Value> = list.iter().map(|a| output::action(a, id.get())).collect();
            let count = comments.len();
            Ok(json!({"comments": comments, "count": count}))
        }
        .boxed()
    }
}
