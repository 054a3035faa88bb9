//! Tenant data the sim starts with: lookups (statuses, ticket types, SLAs + priorities, teams, agents,
//! outcomes, categories, clients, sites, users, custom fields) and optional tickets. Loadable from JSON so a
//! test can model a tenant whose ids differ from the default one.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A tenant's data. Every record is kept as Halo JSON (`serde_json::Value` objects), so a record may carry
/// any extra fields; the sim echoes them. Top-level keys are fixed: a misspelt one (`"statuss"`) is an error,
/// not a silently ignored section.
///
/// Required shape: records are objects with an integer `id` (priorities: GUID `id` plus integer `slaid` and
/// `priorityid`). Statuses may carry `"is_closed": true` — the sim's way of knowing which statuses close a
/// ticket (real Halo has no such field; see the README).
///
/// References between records must resolve ([`Seed::validate`]): the default ticket types start tickets in
/// status 1 and reopen them in 2, and the default "Close" outcome moves them to 9, so statuses replacing the
/// default ones keep those ids (or the seed replaces `ticket_types` and `outcomes` too).
///
/// ```
/// let seed = halo_sim::Seed::from_json(r#"{"statuses":[{"id":1,"name":"Open"},{"id":2,"name":"Working"},
///     {"id":3,"name":"Waiting"},{"id":9,"name":"Done","is_closed":true}]}"#).unwrap();
/// assert_eq!(seed.statuses.len(), 4);
/// assert!(!seed.agents.is_empty(), "missing sections fall back to the default tenant");
///
/// let err = halo_sim::Seed::from_json(r#"{"statuses":[{"id":10,"name":"Open"}]}"#).unwrap_err();
/// assert!(err.to_string().contains("ticket_types[0].initial_status"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Seed {
    /// `GET /Status`.
    pub statuses: Vec<Value>,
    /// `GET /TicketType` (with `default_sla`, `default_priority`, `default_team`, `initial_status`).
    pub ticket_types: Vec<Value>,
    /// `GET /SLA`.
    pub slas: Vec<Value>,
    /// `GET /Priority` (GUID `id`, `slaid`, `priorityid`).
    pub priorities: Vec<Value>,
    /// `GET /Team`.
    pub teams: Vec<Value>,
    /// `GET /Agent`.
    pub agents: Vec<Value>,
    /// `GET /Outcome` (`outcome` is the name; `newstatus` applied when an action uses it).
    pub outcomes: Vec<Value>,
    /// `GET /Category`.
    pub categories: Vec<Value>,
    /// `GET /Client`.
    pub clients: Vec<Value>,
    /// `GET /Site`.
    pub sites: Vec<Value>,
    /// `GET /Users`.
    pub users: Vec<Value>,
    /// `GET /FieldInfo` (custom field definitions; `usage: 1` = ticket fields).
    pub field_info: Vec<Value>,
    /// Tickets present at start (created through the same code path as `POST /Tickets`).
    pub tickets: Vec<Value>,
    /// The agent the API application logs in as (`GET /Agent/me`).
    pub api_agent_id: u64,
    /// The system "Unassigned" agent.
    pub unassigned_agent_id: u64,
    /// Ticket type used when a ticket is created without `tickettype_id`.
    pub default_ticket_type_id: u64,
    /// Id of the first ticket created.
    pub first_ticket_id: u64,
    /// Prefix of ticket `reference` (`IN` → `IN-0001001`).
    pub reference_prefix: String,
    /// Name the API application is known by (`actionby_application_id` on actions).
    pub application_name: String,
}

/// A seed file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// Not readable.
    #[error("cannot read seed file {path}: {source}")]
    Read {
        /// File path.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Not valid JSON for a seed, or a top-level key that is not a seed key.
    #[error(
        "seed is not usable: {0}. It must be a JSON object like {{\"statuses\": [...], \"agents\": [...]}} \
         whose keys are seed keys (see the halo-sim README, \"Seed files\")"
    )]
    Json(#[from] serde_json::Error),
    /// Structurally wrong record.
    #[error("seed section '{section}' entry {index}: {problem}")]
    Invalid {
        /// Section name, e.g. `statuses`.
        section: &'static str,
        /// Index in the section.
        index: usize,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// A key refers to a record the seed does not have (an agent, status, ticket type, SLA, priority, team,
    /// client or site).
    #[error("seed key '{key}' {problem}")]
    Reference {
        /// The key at fault, e.g. `api_agent_id` or `ticket_types[0].initial_status`.
        key: String,
        /// What it refers to, the ids (or names) that exist, and how to fix it.
        problem: String,
    },
}

impl Seed {
    /// Parse a JSON seed; sections left out come from the default tenant.
    pub fn from_json(text: &str) -> Result<Seed, SeedError> {
        let seed: Seed = serde_json::from_str(text)?;
        seed.validate()?;
        Ok(seed)
    }

    /// Read a JSON seed file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Seed, SeedError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Check every record has the id shape the sim relies on, and every reference between records (the API
    /// and unassigned agents, the default ticket type, each ticket type's statuses, SLA, priority, team and
    /// agent, each outcome's new status, each priority's SLA, each site's client, each user's site and client)
    /// points at a record that exists.
    pub fn validate(&self) -> Result<(), SeedError> {
        let sections: [(&'static str, &Vec<Value>); 12] = [
            ("statuses", &self.statuses),
            ("ticket_types", &self.ticket_types),
            ("slas", &self.slas),
            ("teams", &self.teams),
            ("agents", &self.agents),
            ("outcomes", &self.outcomes),
            ("categories", &self.categories),
            ("clients", &self.clients),
            ("sites", &self.sites),
            ("users", &self.users),
            ("field_info", &self.field_info),
            ("tickets", &self.tickets),
        ];
        for (section, items) in sections {
            for (index, item) in items.iter().enumerate() {
                let Some(obj) = item.as_object() else {
                    return Err(SeedError::Invalid {
                        section,
                        index,
                        problem: "must be a JSON object".into(),
                    });
                };
                let id_ok = obj
                    .get("id")
                    .and_then(crate::request::lenient_int)
                    .is_some();
                if !id_ok && section != "tickets" {
                    return Err(SeedError::Invalid {
                        section,
                        index,
                        problem: "needs an integer \"id\"".into(),
                    });
                }
            }
        }
        for (index, p) in self.priorities.iter().enumerate() {
            let ok = p
                .get("slaid")
                .and_then(crate::request::lenient_int)
                .is_some()
                && p.get("priorityid")
                    .and_then(crate::request::lenient_int)
                    .is_some();
            if !ok {
                return Err(SeedError::Invalid {
                    section: "priorities",
                    index,
                    problem: "needs integer \"slaid\" and \"priorityid\" (and a GUID \"id\")"
                        .into(),
                });
            }
        }
        crate::seed_check::check_references(self)
    }

    /// The default tenant (what [`Seed::default`] returns).
    pub fn default_tenant() -> Seed {
        Seed {
            statuses: statuses(),
            ticket_types: ticket_types(),
            slas: slas(),
            priorities: priorities(),
            teams: teams(),
            agents: agents(),
            outcomes: outcomes(),
            categories: categories(),
            clients: clients(),
            sites: sites(),
            users: users(),
            field_info: field_info(),
            tickets: Vec::new(),
            api_agent_id: 3,
            unassigned_agent_id: 1,
            default_ticket_type_id: 1,
            first_ticket_id: 1001,
            reference_prefix: "IN".into(),
            application_name: "HaloSim API Application".into(),
        }
    }
}

impl Default for Seed {
    fn default() -> Self {
        Self::default_tenant()
    }
}

fn guid(n: u32) -> String {
    format!("5a1f0000-0000-4000-8000-{n:012x}")
}

fn statuses() -> Vec<Value> {
    // (id, name, shortname, closed, slaaction, colour). Ids 4–7 are plausible stock names; their ids in a
    // real stock tenant are UNCERTAIN (halo-api.md §6.1).
    let rows = [
        (1, "New", "N", false, "", "#3eb1c8"),
        (2, "In Progress", "IP", false, "", "#5aa02c"),
        (3, "Action Required", "AR", false, "", "#e07b00"),
        (4, "With User", "WU", false, "Hold", "#9c27b0"),
        (5, "With Supplier", "WS", false, "Hold", "#795548"),
        (6, "On Hold", "OH", false, "Hold", "#607d8b"),
        (7, "Pending Closure", "PC", false, "", "#8bc34a"),
        (8, "Cancelled", "CA", true, "", "#9e9e9e"),
        (9, "Closed", "CL", true, "", "#212121"),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (id, name, short, closed, sla, colour))| {
            json!({"id": id, "guid": guid(100 + *id), "name": name, "shortname": short, "type": 0,
                   "sequence": i + 1, "colour": colour, "slaaction": sla, "is_closed": closed,
                   "showonquickchange": true, "ticket_count": 0})
        })
        .collect()
}

fn ticket_types() -> Vec<Value> {
    // (id, name, itil type, sla, priority, team)
    let rows = [
        (1, "Incident", 1, 1, 3, "1st Line Support"),
        (2, "Service Request", 3, 2, 3, "1st Line Support"),
        (3, "Problem", 4, 1, 2, "2nd Line Support"),
        (4, "Change Request", 2, 2, 3, "Infrastructure"),
        (21, "Security Alert", 1, 1, 2, "Security Operations"),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (id, name, itil, sla, pri, team))| {
            json!({"id": id, "guid": guid(200 + *id), "name": name, "use": "tickets", "sequence": i + 1,
                   "group_id": 0, "group_name": "", "itilrequesttype": itil, "visible": true,
                   "agentscanselect": true, "enduserscanselect": *id != 21, "anonymouscanselect": false,
                   "workflow_id": 0, "initial_status": 1, "reopenedstatus": 2, "statusafteruserupdate": 3,
                   "default_sla": sla, "default_priority": pri, "default_team": team, "default_agent": 0,
                   "default_category_1": "", "default_category_2": "", "default_category_3": "",
                   "default_category_4": "", "allowall_status": true, "allowattachments": true})
        })
        .collect()
}

fn slas() -> Vec<Value> {
    vec![
        json!({"id": 1, "guid": guid(301), "name": "Incident SLA", "workday_id": 1,
               "trackslafixbytime": true, "trackslaresponsetime": true, "autorelease": false}),
        json!({"id": 2, "guid": guid(302), "name": "Service Request SLA", "workday_id": 1,
               "trackslafixbytime": true, "trackslaresponsetime": true, "autorelease": false}),
    ]
}

fn priorities() -> Vec<Value> {
    // (sla, priority, name, response, units, fix, units, colour)
    let rows = [
        (1, 1, "Critical", 1.0, "H", 4.0, "H", "#d0021b"),
        (1, 2, "High", 2.0, "H", 8.0, "H", "#f5a623"),
        (1, 3, "Medium", 4.0, "H", 2.0, "D", "#f8e71c"),
        (1, 4, "Low", 4.0, "H", 5.0, "D", "#68bc00"),
        (2, 1, "Urgent", 2.0, "H", 1.0, "D", "#d0021b"),
        (2, 2, "High", 4.0, "H", 2.0, "D", "#f5a623"),
        (2, 3, "Normal", 1.0, "D", 5.0, "D", "#f8e71c"),
        (2, 4, "Low", 2.0, "D", 10.0, "D", "#68bc00"),
    ];
    rows.iter()
        .map(|(sla, pri, name, rt, ru, ft, fu, colour)| {
            json!({"id": format!("aeb80996-724c-e811-892e-b01041c86{sla}{pri:02}"), "slaid": sla,
                   "priorityid": pri, "name": name, "fixtime": ft, "fixunits": fu, "responsetime": rt,
                   "responseunits": ru, "ishidden": false, "colour": colour, "fixendofday": false,
                   "responseendofday": false, "startofday": false, "workdaysoverride": -1,
                   "enterslaexcuse": false})
        })
        .collect()
}

fn teams() -> Vec<Value> {
    let rows = [
        (1, "1st Line Support", "servicedesk@demo.example"),
        (2, "2nd Line Support", "support2@demo.example"),
        (3, "Infrastructure", "infra@demo.example"),
        (4, "Security Operations", "soc@demo.example"),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (id, name, email))| {
            json!({"id": id, "guid": guid(400 + *id), "name": name, "sequence": i + 1, "forrequests": true,
                   "foropps": false, "forprojects": false, "ticket_count": 0, "department_id": 1,
                   "department_name": "IT", "inactive": false, "emailaddress": email, "allowlivechat": false})
        })
        .collect()
}

fn agents() -> Vec<Value> {
    // (id, first, last, email, team id, team, disabled)
    let rows = [
        (1, "Unassigned", "", "", 0, "", false),
        (
            3,
            "Admin",
            "",
            "admin@demo.example",
            1,
            "1st Line Support",
            false,
        ),
        (
            4,
            "Alice",
            "Nguyen",
            "alice.nguyen@demo.example",
            1,
            "1st Line Support",
            false,
        ),
        (
            5,
            "Ben",
            "Carter",
            "ben.carter@demo.example",
            2,
            "2nd Line Support",
            false,
        ),
        (
            6,
            "Priya",
            "Shah",
            "priya.shah@demo.example",
            4,
            "Security Operations",
            false,
        ),
        (
            7,
            "Tom",
            "Okafor",
            "tom.okafor@demo.example",
            3,
            "Infrastructure",
            true,
        ),
    ];
    rows.iter()
        .map(|(id, first, last, email, team_id, team, disabled)| {
            let name = if last.is_empty() { first.to_string() } else { format!("{first} {last}") };
            let initials: String = name.split_whitespace().filter_map(|w| w.chars().next()).collect();
            let teams = if *team_id == 0 {
                json!([])
            } else {
                json!([{"team_id": team_id, "team_name": team}])
            };
            json!({"id": id, "name": name, "firstname": first, "surname": last, "initials": initials,
                   "email": email, "team": team, "teams": teams, "isdisabled": disabled, "is_agent": true,
                   "colour": "#2bd3c6", "jobtitle": if *id == 1 { "" } else { "Service Desk Analyst" },
                   "ticket_count": 0, "onlinestatus": 0, "is_online": false})
        })
        .collect()
}

fn outcomes() -> Vec<Value> {
    // (id, name, new status, send email, hidden from user)
    let rows = [
        (1, "Email User", 0, true, false),
        (2, "Phone Call", 0, false, false),
        (3, "Public Note", 0, false, false),
        (4, "Private Note", 0, false, true),
        (5, "Change Status", 0, false, false),
        (6, "Close", 9, false, false),
        (7, "Internal Note", 0, false, true),
        (8, "Supplier Update", 0, false, true),
        (9, "Email Update", 0, true, false),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (id, name, new_status, email, hidden))| {
            json!({"id": id, "guid": guid(500 + *id), "outcome": name, "buttonname": name,
                   "labellong": name, "sequence": i + 1, "hidden": false, "systemid": 0,
                   "newstatus": new_status, "sendemail": email, "hidefromuser": hidden,
                   "actionvisibility": 0, "colour": "#8c8c8c"})
        })
        .collect()
}

fn categories() -> Vec<Value> {
    let rows = [
        "Hardware",
        "Hardware>Laptop",
        "Hardware>Printer",
        "Software",
        "Software>Email",
        "Network",
        "Network>VPN",
        "Security",
        "Security>Phishing",
        "Security>Malware",
    ];
    rows.iter()
        .enumerate()
        .map(|(i, value)| {
            let name = value.rsplit('>').next().unwrap_or(value);
            json!({"id": i + 1, "value": value, "category_name": name, "type_id": 1, "sla_id": 0,
                   "priority_id": 0, "category_group_id": 0, "itilrequesttype": 0, "note": "", "user_note": ""})
        })
        .collect()
}

fn clients() -> Vec<Value> {
    let rows = [
        (1, "Demo Corp", "https://demo.example"),
        (2, "Contoso Ltd", "https://contoso.example"),
        (3, "Fabrikam Inc", "https://fabrikam.example"),
    ];
    rows.iter()
        .map(|(id, name, web)| {
            json!({"id": id, "name": name, "toplevel_id": 1, "toplevel_name": "Customers", "inactive": false,
                   "colour": "#2bd3c6", "website": web, "is_vip": false, "notes": "", "customfields": []})
        })
        .collect()
}

fn sites() -> Vec<Value> {
    // client_id as a double is a real Halo quirk (halo-api.md §6.8).
    let rows = [
        (1, "Head Office", 1, "Demo Corp"),
        (2, "Branch Office", 1, "Demo Corp"),
        (3, "Contoso HQ", 2, "Contoso Ltd"),
        (4, "Fabrikam Main", 3, "Fabrikam Inc"),
    ];
    rows.iter()
        .map(|(id, name, client, client_name)| {
            json!({"id": id, "name": name, "client_id": f64::from(*client), "client_name": client_name,
                   "clientsite_name": format!("{client_name} / {name}"), "inactive": false, "sla_id": 0,
                   "phonenumber": "", "timezone": "GMT Standard Time", "notes": ""})
        })
        .collect()
}

fn users() -> Vec<Value> {
    // (id, first, last, email, site, client)
    let rows = [
        (10, "General", "User", "", 1, 1),
        (11, "Jane", "Doe", "jane.doe@demo.example", 1, 1),
        (12, "Mark", "Lee", "mark.lee@demo.example", 2, 1),
        (20, "General", "User", "", 3, 2),
        (21, "Sam", "Patel", "sam.patel@contoso.example", 3, 2),
        (30, "General", "User", "", 4, 3),
        (31, "Olivia", "Brown", "olivia.brown@fabrikam.example", 4, 3),
    ];
    let sites = sites();
    rows.iter()
        .map(|(id, first, last, email, site, client)| {
            let site_obj = sites.iter().find(|s| s["id"] == json!(site));
            let site_name = site_obj.map_or(json!(""), |s| s["name"].clone());
            let client_name = site_obj.map_or(json!(""), |s| s["client_name"].clone());
            json!({"id": id, "name": format!("{first} {last}"), "firstname": first, "surname": last,
                   "initials": format!("{}{}", &first[..1], &last[..1]), "emailaddress": email,
                   "phonenumber": "", "mobilenumber": "", "login": email, "inactive": false,
                   "isimportantcontact": false, "site_id": f64::from(*site), "site_id_int": site,
                   "site_name": site_name, "client_id": client, "client_name": client_name,
                   "neversendemails": false, "linked_agent_id": 0, "customfields": [],
                   "is_general_user": *first == "General"})
        })
        .collect()
}

fn field_info() -> Vec<Value> {
    vec![
        json!({"id": 101, "name": "CFExternalKey", "label": "External Key", "summary": "Key of the record in an external system (e.g. an alert id)",
               "type": 0, "usage": 1, "inputtype": 0, "characterlimit": 255, "readonly": false,
               "searchable": true, "copytochild": false, "defaultvalue": "", "values": []}),
        json!({"id": 102, "name": "CFSeverity", "label": "Severity", "summary": "", "type": 2, "usage": 1,
               "inputtype": 0, "characterlimit": 0, "readonly": false, "searchable": false,
               "copytochild": false, "defaultvalue": "",
               "values": [{"id": 1, "name": "Low"}, {"id": 2, "name": "Medium"},
                          {"id": 3, "name": "High"}, {"id": 4, "name": "Critical"}]}),
        json!({"id": 103, "name": "CFDetectedAt", "label": "Detected At", "summary": "", "type": 4,
               "usage": 1, "inputtype": 1, "characterlimit": 0, "readonly": false, "searchable": false,
               "copytochild": false, "defaultvalue": "", "values": []}),
        json!({"id": 104, "name": "CFSourceSystem", "label": "Source System", "summary": "", "type": 0,
               "usage": 1, "inputtype": 0, "characterlimit": 100, "readonly": false, "searchable": false,
               "copytochild": false, "defaultvalue": "", "values": []}),
        json!({"id": 201, "name": "CFAccountNumber", "label": "Account Number", "summary": "", "type": 0,
               "usage": 2, "inputtype": 0, "characterlimit": 50, "readonly": false, "searchable": true,
               "copytochild": false, "defaultvalue": "", "values": []}),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn default_seed_is_valid_and_roundtrips() {
        let seed = Seed::default();
        seed.validate().unwrap();
        let text = serde_json::to_string(&seed).unwrap();
        assert_eq!(Seed::from_json(&text).unwrap(), seed);
    }

    #[test]
    fn bad_seed_says_what_is_wrong() {
        let err = Seed::from_json(r#"{"statuses":[{"name":"x"}]}"#).unwrap_err();
        assert!(err.to_string().contains("statuses"), "{err}");
        assert!(Seed::from_json("[1]").is_err());
    }

    #[test]
    fn misspelt_top_level_key_is_refused_with_the_valid_keys() {
        let err = Seed::from_json(r#"{"statuss": [{"id": 1, "name": "New"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `statuss`"), "{err}");
        assert!(err.contains("`statuses`"), "names the valid keys: {err}");
    }

    #[test]
    fn extra_fields_inside_records_are_still_kept() {
        let seed = Seed::from_json(
            r#"{"teams": [{"id": 1, "name": "1st Line Support", "x_flag": 1},
            {"id": 2, "name": "2nd Line Support"}, {"id": 3, "name": "Infrastructure"},
            {"id": 4, "name": "Security Operations"}]}"#,
        )
        .unwrap();
        assert_eq!(seed.teams[0]["x_flag"], 1);
    }

    #[test]
    fn from_json_checks_references() {
        let err = Seed::from_json(r#"{"default_ticket_type_id": 77}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("seed key 'default_ticket_type_id'"), "{err}");
        assert!(err.contains("existing ids: 1, 2, 3, 4, 21"), "{err}");
    }
}
