//! Referential checks of a seed: every id or name one record uses to point at another (the API agent, the
//! default ticket type, a ticket type's statuses, SLA, priority, team and agent, an outcome's new status, a
//! priority's SLA, a site's client, a user's site and client) must exist in the seed, so a tenant that cannot
//! work is refused at load time with the key at fault and the ids that do exist.

use serde_json::Value;

use crate::request::lenient_int;
use crate::seed::{Seed, SeedError};

/// Check every reference of `seed`; the first broken one is the error.
pub(crate) fn check_references(seed: &Seed) -> Result<(), SeedError> {
    let statuses = ids(&seed.statuses, "id");
    let agents = ids(&seed.agents, "id");
    let ticket_types = ids(&seed.ticket_types, "id");
    let slas = ids(&seed.slas, "id");
    let clients = ids(&seed.clients, "id");
    let sites = ids(&seed.sites, "id");

    for (key, id) in [
        ("api_agent_id", seed.api_agent_id),
        ("unassigned_agent_id", seed.unassigned_agent_id),
    ] {
        let id = i64::try_from(id).unwrap_or(i64::MAX);
        must_exist(key.into(), id, "agent", "'agents'", &agents)?;
    }
    let default_type = i64::try_from(seed.default_ticket_type_id).unwrap_or(i64::MAX);
    must_exist(
        "default_ticket_type_id".into(),
        default_type,
        "ticket type",
        "'ticket_types'",
        &ticket_types,
    )?;

    for (i, tt) in seed.ticket_types.iter().enumerate() {
        for field in ["initial_status", "reopenedstatus", "statusafteruserupdate"] {
            if let Some(id) = set_id(tt, field) {
                let key = format!("ticket_types[{i}].{field}");
                must_exist(key, id, "status", "'statuses'", &statuses)?;
            }
        }
        let sla = set_id(tt, "default_sla");
        if let Some(id) = sla {
            let key = format!("ticket_types[{i}].default_sla");
            must_exist(key, id, "SLA", "'slas'", &slas)?;
        }
        if let (Some(sla), Some(pri)) = (sla, set_id(tt, "default_priority")) {
            let of_sla: Vec<i64> = seed
                .priorities
                .iter()
                .filter(|p| p.get("slaid").and_then(lenient_int) == Some(sla))
                .filter_map(|p| p.get("priorityid").and_then(lenient_int))
                .collect();
            let key = format!("ticket_types[{i}].default_priority");
            must_exist(
                key,
                pri,
                "priority",
                &format!("'priorities' (as priorityid with slaid {sla})"),
                &of_sla,
            )?;
        }
        if let Some(id) = set_id(tt, "default_agent") {
            let key = format!("ticket_types[{i}].default_agent");
            must_exist(key, id, "agent", "'agents'", &agents)?;
        }
        check_team(seed, i, tt)?;
    }

    for (i, o) in seed.outcomes.iter().enumerate() {
        if let Some(id) = set_id(o, "newstatus") {
            let key = format!("outcomes[{i}].newstatus");
            must_exist(key, id, "status", "'statuses'", &statuses)?;
        }
    }
    for (i, p) in seed.priorities.iter().enumerate() {
        if let Some(id) = set_id(p, "slaid") {
            must_exist(format!("priorities[{i}].slaid"), id, "SLA", "'slas'", &slas)?;
        }
    }
    for (i, s) in seed.sites.iter().enumerate() {
        if let Some(id) = set_id(s, "client_id") {
            let key = format!("sites[{i}].client_id");
            must_exist(key, id, "client", "'clients'", &clients)?;
        }
    }
    for (i, u) in seed.users.iter().enumerate() {
        if let Some(id) = set_id(u, "client_id") {
            let key = format!("users[{i}].client_id");
            must_exist(key, id, "client", "'clients'", &clients)?;
        }
        for field in ["site_id", "site_id_int"] {
            if let Some(id) = set_id(u, field) {
                let key = format!("users[{i}].{field}");
                must_exist(key, id, "site", "'sites'", &sites)?;
            }
        }
    }
    Ok(())
}

/// `default_team` is a team name (Halo writes teams by name).
fn check_team(seed: &Seed, i: usize, tt: &Value) -> Result<(), SeedError> {
    let Some(team) = tt
        .get("default_team")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Ok(());
    };
    let names: Vec<&str> = seed
        .teams
        .iter()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
        .collect();
    if names.iter().any(|n| n.eq_ignore_ascii_case(team)) {
        return Ok(());
    }
    let existing = if names.is_empty() {
        "none".to_owned()
    } else {
        names
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(SeedError::Reference {
        key: format!("ticket_types[{i}].default_team"),
        problem: format!(
            "names team '{team}', which is not in 'teams'; existing team names: {existing}. \
             Add the team to 'teams' or use one of those names."
        ),
    })
}

/// The integer values of `field` in `items`.
fn ids(items: &[Value], field: &str) -> Vec<i64> {
    items
        .iter()
        .filter_map(|v| v.get(field).and_then(lenient_int))
        .collect()
}

/// A reference that is set: present, an integer, and not 0 (Halo's "none").
fn set_id(v: &Value, field: &str) -> Option<i64> {
    v.get(field).and_then(lenient_int).filter(|id| *id != 0)
}

fn must_exist(
    key: String,
    id: i64,
    what: &str,
    section: &str,
    existing: &[i64],
) -> Result<(), SeedError> {
    if existing.contains(&id) {
        return Ok(());
    }
    let list = if existing.is_empty() {
        "none".to_owned()
    } else {
        let mut sorted = existing.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        sorted
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(SeedError::Reference {
        key,
        problem: format!(
            "refers to {what} {id}, which is not in {section}; existing ids: {list}. \
             Add it to {section} or use one of those ids."
        ),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    fn err_of(seed: &Seed) -> String {
        check_references(seed)
            .expect_err("the seed should be refused")
            .to_string()
    }

    #[test]
    fn the_default_tenant_has_no_broken_reference() {
        check_references(&Seed::default()).unwrap();
    }

    #[test]
    fn unknown_api_agent_names_the_key_and_the_agents() {
        let mut seed = Seed::default_tenant();
        seed.api_agent_id = 99;
        let err = err_of(&seed);
        assert!(err.contains("api_agent_id"), "{err}");
        assert!(err.contains("agent 99"), "{err}");
        assert!(err.contains("existing ids: 1, 3, 4, 5, 6, 7"), "{err}");
    }

    #[test]
    fn unknown_unassigned_agent_is_refused() {
        let mut seed = Seed::default_tenant();
        seed.unassigned_agent_id = 2;
        let err = err_of(&seed);
        assert!(
            err.contains("unassigned_agent_id") && err.contains("agent 2"),
            "{err}"
        );
    }

    #[test]
    fn unknown_default_ticket_type_names_the_types() {
        let mut seed = Seed::default_tenant();
        seed.default_ticket_type_id = 5;
        let err = err_of(&seed);
        assert!(err.contains("default_ticket_type_id"), "{err}");
        assert!(err.contains("existing ids: 1, 2, 3, 4, 21"), "{err}");
    }

    #[test]
    fn ticket_type_initial_status_must_be_a_status() {
        let mut seed = Seed::default_tenant();
        seed.ticket_types[1]["initial_status"] = json!(42);
        let err = err_of(&seed);
        assert!(err.contains("ticket_types[1].initial_status"), "{err}");
        assert!(err.contains("status 42"), "{err}");
        assert!(
            err.contains("existing ids: 1, 2, 3, 4, 5, 6, 7, 8, 9"),
            "{err}"
        );
    }

    #[test]
    fn ticket_type_sla_priority_team_and_agent_must_exist() {
        let mut seed = Seed::default_tenant();
        seed.ticket_types[0]["default_sla"] = json!(7);
        assert!(err_of(&seed).contains("ticket_types[0].default_sla"));

        let mut seed = Seed::default_tenant();
        seed.ticket_types[0]["default_priority"] = json!(5);
        let err = err_of(&seed);
        assert!(err.contains("ticket_types[0].default_priority"), "{err}");
        assert!(
            err.contains("priority 5") && err.contains("slaid 1"),
            "{err}"
        );
        assert!(err.contains("existing ids: 1, 2, 3, 4"), "{err}");

        let mut seed = Seed::default_tenant();
        seed.ticket_types[2]["default_team"] = json!("Night Shift");
        let err = err_of(&seed);
        assert!(err.contains("ticket_types[2].default_team"), "{err}");
        assert!(
            err.contains("'Night Shift'") && err.contains("'Infrastructure'"),
            "{err}"
        );

        let mut seed = Seed::default_tenant();
        seed.ticket_types[0]["default_agent"] = json!(2);
        assert!(err_of(&seed).contains("ticket_types[0].default_agent"));
    }

    #[test]
    fn zero_means_unset_and_is_not_a_reference() {
        let mut seed = Seed::default_tenant();
        seed.ticket_types[0]["default_agent"] = json!(0);
        seed.ticket_types[0]["default_sla"] = json!(0);
        seed.ticket_types[0]["default_team"] = json!("");
        check_references(&seed).unwrap();
    }

    #[test]
    fn replaced_statuses_must_cover_the_outcomes_new_status() {
        let mut seed = Seed::default_tenant();
        seed.statuses = vec![
            json!({"id": 1, "name": "New"}),
            json!({"id": 2, "name": "Working"}),
            json!({"id": 3, "name": "Waiting"}),
            json!({"id": 40, "name": "Done", "is_closed": true}),
        ];
        let err = err_of(&seed);
        assert!(
            err.contains("outcomes[5].newstatus"),
            "the Close outcome: {err}"
        );
        assert!(
            err.contains("status 9") && err.contains("existing ids: 1, 2, 3, 40"),
            "{err}"
        );
        for o in &mut seed.outcomes {
            if o["newstatus"] == 9 {
                o["newstatus"] = json!(40);
            }
        }
        check_references(&seed).unwrap();
    }

    #[test]
    fn priorities_sites_and_users_point_at_existing_records() {
        let mut seed = Seed::default_tenant();
        seed.priorities[0]["slaid"] = json!(3);
        assert!(err_of(&seed).contains("priorities[0].slaid"));

        let mut seed = Seed::default_tenant();
        seed.sites[2]["client_id"] = json!(9.0);
        let err = err_of(&seed);
        assert!(
            err.contains("sites[2].client_id") && err.contains("client 9"),
            "{err}"
        );

        let mut seed = Seed::default_tenant();
        seed.users[1]["site_id"] = json!(8.0);
        seed.users[1]["site_id_int"] = json!(8);
        let err = err_of(&seed);
        assert!(
            err.contains("users[1].site_id") && err.contains("existing ids: 1, 2, 3, 4"),
            "{err}"
        );

        let mut seed = Seed::default_tenant();
        seed.users[0]["client_id"] = json!(4);
        assert!(err_of(&seed).contains("users[0].client_id"));
    }

    #[test]
    fn an_empty_section_lists_none() {
        let mut seed = Seed::default_tenant();
        seed.agents.clear();
        let err = err_of(&seed);
        assert!(
            err.contains("api_agent_id") && err.contains("existing ids: none"),
            "{err}"
        );
    }
}
