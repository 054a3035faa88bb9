//! `halo-cli lookup KIND`: the ids and names a workflow needs. Each kind has fixed columns; JSON `data` is an array
//! of objects with exactly those keys (ids as numbers, absent values as null).

use halo_api::HaloClient;
use serde_json::{Value, json};

use super::Ctx;
use crate::cli::{LookupArgs, LookupKind};
use crate::exit::{ExitKind, from_api};

/// Run `lookup`.
pub async fn run(ctx: &Ctx, a: LookupArgs) -> anyhow::Result<ExitKind> {
    let client = ctx.client().await?;
    let (columns, rows) = fetch(&client, a.what).await?;
    let name = format!("lookup {}", kind_name(a.what));
    let data: Vec<Value> = rows
        .iter()
        .map(|r| {
            Value::Object(
                columns
                    .iter()
                    .zip(r)
                    .map(|(c, v)| (c.to_string(), v.clone()))
                    .collect(),
            )
        })
        .collect();
    ctx.out.emit(&name, true, Value::Array(data), || {
        let mut t = ctx.out.table(columns);
        for r in &rows {
            t.add_row(r.iter().map(cell).collect::<Vec<_>>());
        }
        format!("{t}\n{} record(s)", rows.len())
    });
    Ok(ExitKind::Ok)
}

fn kind_name(k: LookupKind) -> &'static str {
    match k {
        LookupKind::Statuses => "statuses",
        LookupKind::Types => "types",
        LookupKind::Priorities => "priorities",
        LookupKind::Teams => "teams",
        LookupKind::Agents => "agents",
        LookupKind::Outcomes => "outcomes",
        LookupKind::Fields => "fields",
        LookupKind::Clients => "clients",
        LookupKind::Sites => "sites",
        LookupKind::Users => "users",
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

type Rows = (&'static [&'static str], Vec<Vec<Value>>);

async fn fetch(client: &HaloClient, kind: LookupKind) -> anyhow::Result<Rows> {
    let e = |e: halo_api::Error| from_api(&e);
    Ok(match kind {
        LookupKind::Statuses => (
            &["id", "name", "type", "sequence"],
            client
                .list_statuses()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|s| {
                    vec![
                        json!(s.id.get()),
                        json!(s.name),
                        json!(s.status_type),
                        json!(s.sequence),
                    ]
                })
                .collect(),
        ),
        LookupKind::Types => (
            &["id", "name", "default_priority", "default_team"],
            client
                .list_ticket_types()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|t| {
                    vec![
                        json!(t.id.get()),
                        json!(t.name),
                        json!(t.default_priority.map(|p| p.get())),
                        json!(t.default_team),
                    ]
                })
                .collect(),
        ),
        LookupKind::Priorities => (
            &["id", "name", "sla_id", "fix_time", "fix_units"],
            client
                .list_priorities()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|p| {
                    vec![
                        json!(p.priorityid.map(|v| v.get())),
                        json!(p.name),
                        json!(p.slaid.map(|v| v.get())),
                        json!(p.fixtime),
                        json!(p.fixunits),
                    ]
                })
                .collect(),
        ),
        LookupKind::Teams => (
            &["id", "name", "department", "inactive"],
            client
                .list_teams()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|t| {
                    vec![
                        json!(t.id.get()),
                        json!(t.name),
                        json!(t.department_name),
                        json!(t.inactive),
                    ]
                })
                .collect(),
        ),
        LookupKind::Agents => (
            &["id", "name", "email", "team", "disabled"],
            client
                .list_agents()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|a| {
                    vec![
                        json!(a.id.get()),
                        json!(a.name),
                        json!(a.email),
                        json!(a.team),
                        json!(a.isdisabled),
                    ]
                })
                .collect(),
        ),
        LookupKind::Outcomes => (
            &["id", "outcome", "button", "new_status", "hidden_from_user"],
            client
                .list_outcomes()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|o| {
                    vec![
                        json!(o.id.get()),
                        json!(o.outcome),
                        json!(o.buttonname),
                        json!(o.newstatus.map(|s| s.get())),
                        json!(o.hidefromuser),
                    ]
                })
                .collect(),
        ),
        LookupKind::Fields => (
            &["id", "name", "label", "type", "usage"],
            client
                .list_field_info()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|f| {
                    vec![
                        json!(f.id.get()),
                        json!(f.name),
                        json!(f.label),
                        json!(f.field_type),
                        json!(f.usage),
                    ]
                })
                .collect(),
        ),
        LookupKind::Clients => (
            &["id", "name", "top_level", "inactive"],
            client
                .list_clients()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|c| {
                    vec![
                        json!(c.id.get()),
                        json!(c.name),
                        json!(c.toplevel_name),
                        json!(c.inactive),
                    ]
                })
                .collect(),
        ),
        LookupKind::Sites => (
            &["id", "name", "client_id", "client", "inactive"],
            client
                .list_sites()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|s| {
                    vec![
                        json!(s.id.get()),
                        json!(s.name),
                        json!(s.client_id.map(|c| c.get())),
                        json!(s.client_name),
                        json!(s.inactive),
                    ]
                })
                .collect(),
        ),
        LookupKind::Users => (
            &["id", "name", "email", "client", "site"],
            client
                .list_users()
                .send()
                .await
                .map_err(e)?
                .into_iter()
                .map(|u| {
                    vec![
                        json!(u.id.get()),
                        json!(u.name),
                        json!(u.emailaddress),
                        json!(u.client_name),
                        json!(u.site_name),
                    ]
                })
                .collect(),
        ),
    })
}
