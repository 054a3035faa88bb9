//! Every action in `http` mode: ONE `haloitsm-plugin http` process (the built binary) against an in-process
//! halo-sim serves each action the plugin lists on `GET /api/v1/actions` with valid input (HTTP 200, the
//! runtime's `status: ok` envelope, output valid against the spec, Halo changed as asked), then the failure
//! paths with their status codes: wrong type, missing / empty / null required input, enum, wrong version,
//! unknown action, malformed JSON, unknown ticket, a Halo 400, a 429 then success, and bad credentials.
//!
//! The steps share the process (one shared client per connection, as the orchestrator uses it), so they run in
//! one test, in order; each step is a function named for what it checks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use base64::Engine as _;
use common::{Env, Server};
use halo_sim::{Fault, SimHandle};
use haloitsm_plugin::spec::{plugin_spec, schema};
use serde_json::{Value, json};

/// A client secret that is not the sim's.
const WRONG_SECRET: &str = "wrong-secret-for-http-actions";
const RRN: &str = "rrn:investigation:us:44d8e5f0:investigation:HTTPACTIONS1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_and_its_failure_paths_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let h = Http::start(&dir).await;
    let f = Fixtures::create(&h.env.sim);
    connection_test_succeeds(&h).await;
    every_listed_action_succeeds(&h, f).await;
    bad_input_is_400_and_never_reaches_halo(&h).await;
    protocol_errors_are_400_or_404(&h).await;
    halo_errors_are_400_and_a_429_is_retried(&h, f).await;
    bad_credentials_are_400_with_cause_and_assistance(&h, f).await;
}

/// The plugin's `http` process, the sim it talks to and the connection every request carries.
struct Http {
    env: Env,
    srv: Server,
    connection: Value,
}

impl Http {
    async fn start(dir: &tempfile::TempDir) -> Self {
        let env = Env::start().await;
        let srv = Server::start(dir).await;
        let mut connection = env.connection();
        // One process, one client for the whole suite: lift its request budget (300 per 5 minutes with a
        // burst of 10 by default) so the steps are not paced at a request a second.
        connection["rate_limit"] = json!(100_000);
        Self {
            env,
            srv,
            connection,
        }
    }

    fn message(action: &str, input: Value, connection: &Value) -> Value {
        json!({"version": "v1", "type": "action_start", "body": {"action": action,
            "meta": {"jobId": format!("http-{action}")}, "input": input, "connection": connection}})
    }

    /// POSTs `body` to `path` (no Content-Type, as the orchestrator may); checks the answer holds no secret.
    async fn post_raw(&self, path: &str, body: String) -> (u16, Value) {
        let (status, resp) = self.srv.post(path, body).await;
        self.env.assert_no_secrets(&resp.to_string());
        (status, resp)
    }

    async fn post_with(&self, action: &str, input: Value, connection: &Value) -> (u16, Value) {
        let msg = Self::message(action, input, connection);
        self.post_raw(&format!("/api/v1/actions/{action}"), msg.to_string())
            .await
    }

    /// Runs an action expecting success: 200, the runtime's ok envelope, output valid against the spec.
    async fn ok(&self, action: &str, input: Value) -> Value {
        let (status, resp) = self.post_with(action, input, &self.connection).await;
        assert_eq!(status, 200, "{action}: {resp:#}");
        assert_ok_envelope(action, &resp);
        resp["body"]["output"].clone()
    }

    /// Runs an action expecting an error envelope with HTTP `status`; returns the envelope's body.
    async fn err(&self, action: &str, input: Value, status: u16) -> Value {
        let (got, resp) = self.post_with(action, input, &self.connection).await;
        assert_eq!(got, status, "{action}: {resp:#}");
        assert_error_envelope(
            &resp,
            "action_event",
            &json!({"jobId": format!("http-{action}")}),
        );
        resp["body"].clone()
    }

    /// Requests to Halo's API (token requests excluded) the sim has received so far.
    fn halo_calls(&self) -> usize {
        self.env
            .sim
            .journal()
            .entries()
            .iter()
            .filter(|e| e.path.starts_with("/api/"))
            .count()
    }
}

/// `{"body": {log, status: "ok", meta, output}, "version": "v1", "type": "action_event"}` with the request's meta
/// echoed and an output that validates against the action's output spec.
#[track_caller]
fn assert_ok_envelope(action: &str, resp: &Value) {
    assert_eq!(resp["type"], "action_event", "{resp:#}");
    assert_eq!(resp["version"], "v1", "{resp:#}");
    let body = &resp["body"];
    assert_eq!(
        keys(body),
        ["log", "meta", "output", "status"],
        "{action}: {resp:#}"
    );
    assert_eq!(body["status"], "ok");
    assert!(body["log"].is_string(), "{action}: log is a string");
    assert_eq!(body["meta"], json!({"jobId": format!("http-{action}")}));
    let spec = plugin_spec();
    let c = spec
        .action(action)
        .unwrap_or_else(|| panic!("{action} is not in the spec"));
    if let Err(v) = schema::validate_object(spec, &body["output"], &c.output, "") {
        panic!(
            "{action}: output does not match its spec: {v}\n{:#}",
            body["output"]
        );
    }
}

/// The runtime's error envelope: `status: error`, a non-empty `error` and `exception {cause, assistance, data}`.
#[track_caller]
fn assert_error_envelope(resp: &Value, kind: &str, meta: &Value) {
    assert_eq!(resp["type"], kind, "{resp:#}");
    assert_eq!(resp["version"], "v1", "{resp:#}");
    let body = &resp["body"];
    assert_eq!(
        keys(body),
        ["error", "exception", "log", "meta", "status"],
        "{resp:#}"
    );
    assert_eq!(body["status"], "error");
    assert_eq!(&body["meta"], meta, "meta is echoed");
    assert!(!text(&body["error"]).is_empty(), "{resp:#}");
    let exc = &body["exception"];
    assert_eq!(keys(exc), ["assistance", "cause", "data"], "{resp:#}");
    assert!(!text(&exc["cause"]).is_empty(), "a cause: {resp:#}");
    assert!(
        !text(&exc["assistance"]).is_empty(),
        "an assistance: {resp:#}"
    );
    assert!(exc["data"].is_string(), "{resp:#}");
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    k.sort_unstable();
    k
}

#[track_caller]
fn text(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

/// Tickets put straight into the sim, one per action that needs its own.
#[derive(Clone, Copy)]
struct Fixtures {
    get: u64,
    update: u64,
    close: u64,
    assign: u64,
    notes: u64,
    files: u64,
    sync: u64,
    delete: u64,
    user: u64,
}

impl Fixtures {
    fn create(sim: &SimHandle) -> Self {
        let ticket = |summary: &str| {
            sim.upsert_ticket(json!({"summary": summary, "details": "<p>original details</p>", "tickettype_id": 1}))
                .unwrap()["id"]
                .as_u64()
                .unwrap()
        };
        Self {
            // The only ticket with "zebrafish" in it: search_tickets finds exactly this one.
            get: ticket("Get the zebrafish over HTTP"),
            update: ticket("Update over HTTP"),
            close: ticket("Close over HTTP"),
            assign: ticket("Assign over HTTP"),
            notes: ticket("Notes over HTTP"),
            files: ticket("Files over HTTP"),
            sync: ticket("Sync over HTTP"),
            delete: ticket("Delete over HTTP"),
            user: sim.seed().users[0]["id"].as_u64().unwrap(),
        }
    }
}

/// One action with valid input and what its output (and Halo) must show afterwards.
struct Case<'a> {
    action: &'static str,
    input: Value,
    check: Box<dyn Fn(&Value) + 'a>,
}

fn case<'a>(action: &'static str, input: Value, check: impl Fn(&Value) + 'a) -> Case<'a> {
    Case {
        action,
        input,
        check: Box::new(check),
    }
}

/// Valid input for every action, in an order where each finds what it needs (comments before listing them).
fn cases(sim: &SimHandle, f: Fixtures) -> Vec<Case<'_>> {
    let content = base64::engine::general_purpose::STANDARD.encode(b"Received: from example\n");
    let investigation = json!({"rrn": RRN, "title": "Suspicious login over HTTP", "status": "OPEN",
        "priority": "HIGH", "disposition": "UNDECIDED", "source": "ALERT",
        "assignee": {"name": "Alice Nguyen", "email": "alice.nguyen@demo.example"},
        "created_time": "2026-12-01T09:30:00Z"});
    let mut all = vec![
        case(
            "create_ticket",
            json!({"summary": "Created over HTTP", "details": "<p>from http mode</p>", "team": "Security Operations"}),
            move |o| {
                assert_eq!(o["success"], true);
                assert_eq!(o["ticket"]["summary"], "Created over HTTP");
                let stored = sim.ticket(o["ticket"]["id"].as_u64().unwrap()).unwrap();
                assert_eq!(stored["team_id"], 4, "team by name");
            },
        ),
        case("get_ticket", json!({"ticket_id": f.get}), move |o| {
            assert_eq!(o["found"], true);
            assert_eq!(o["ticket"]["id"], f.get);
            assert_eq!(o["ticket"]["summary"], "Get the zebrafish over HTTP");
        }),
        case(
            "update_ticket",
            json!({"ticket_id": f.update, "summary": "Updated over HTTP", "status": "In Progress"}),
            move |o| {
                assert_eq!(o["ticket"]["summary"], "Updated over HTTP");
                assert_eq!(sim.ticket(f.update).unwrap()["status_id"], 2);
            },
        ),
        case("search_tickets", json!({"search": "zebrafish"}), move |o| {
            assert_eq!(o["count"], 1, "{o:#}");
            assert_eq!(o["tickets"][0]["id"], f.get);
        }),
        case(
            "close_ticket",
            json!({"ticket_id": f.close, "resolution": "False positive"}),
            move |o| {
                assert_eq!(o["ticket"]["status_id"], 9, "the tenant's closed status");
                let stored = sim.ticket(f.close).unwrap();
                assert_eq!(stored["status_id"], 9);
                let note = format!("{}{}", stored["closure_note"], stored["closure_note_html"]);
                assert!(note.contains("False positive"), "{stored:#}");
            },
        ),
        case(
            "assign_ticket",
            json!({"ticket_id": f.assign, "agent": "priya.shah@demo.example", "team": "Security Operations"}),
            move |o| {
                assert_eq!(o["ticket"]["agent_id"], 6);
                let stored = sim.ticket(f.assign).unwrap();
                assert_eq!(
                    (&stored["agent_id"], &stored["team_id"]),
                    (&json!(6), &json!(4))
                );
            },
        ),
        case(
            "add_comment",
            json!({"ticket_id": f.notes, "comment": "Containment started over HTTP"}),
            move |o| {
                assert_eq!(o["success"], true);
                assert_eq!(o["comment"]["is_private"], true, "private by default");
                assert!(
                    sim.actions(f.notes)
                        .iter()
                        .any(|a| a.to_string().contains("Containment started over HTTP")),
                    "the note is in Halo"
                );
            },
        ),
        case("list_comments", json!({"ticket_id": f.notes}), |o| {
            let comments = o["comments"].as_array().unwrap();
            assert!(
                comments.iter().any(|c| c["note"]
                    .to_string()
                    .contains("Containment started over HTTP")),
                "{o:#}"
            );
            assert_eq!(o["count"], comments.len());
        }),
        case(
            "upload_attachment",
            json!({"ticket_id": f.files, "file": {"filename": "headers.txt", "content": content}}),
            |o| assert_eq!(o["attachment"]["filename"], "headers.txt"),
        ),
        case("list_attachments", json!({"ticket_id": f.files}), |o| {
            assert_eq!(o["count"], 1, "{o:#}");
            assert_eq!(o["attachments"][0]["filename"], "headers.txt");
        }),
        case("get_user", json!({"user_id": f.user}), move |o| {
            assert_eq!(o["user"]["id"], f.user);
        }),
        case("get_agent", json!({"agent_id": 4}), |o| {
            assert_eq!(o["agent"]["email"], "alice.nguyen@demo.example");
        }),
        case(
            "upsert_ticket",
            json!({"external_key": "rrn:http-actions:upsert:1", "summary": "Upserted over HTTP"}),
            |o| {
                assert_eq!(o["created"], true);
                assert_eq!(o["external_key"], "rrn:http-actions:upsert:1");
            },
        ),
        case(
            "create_ticket_from_investigation",
            json!({"investigation": investigation, "ticket_type": "Security Alert"}),
            move |o| {
                assert_eq!(o["created"], true);
                assert_eq!(o["external_key"], RRN);
                let stored = sim.ticket(o["ticket"]["id"].as_u64().unwrap()).unwrap();
                assert_eq!(stored["tickettype_id"], 21);
                assert_eq!(stored["agent_id"], 4, "assignee by email");
            },
        ),
        case(
            "create_ticket_from_remediation",
            json!({"remediation": {"solutionId": "http-actions-sol-1", "summary": "Patch over HTTP"}}),
            move |o| {
                assert_eq!(o["created"], true);
                let stored = sim.ticket(o["ticket"]["id"].as_u64().unwrap()).unwrap();
                assert!(
                    text(&stored["summary"]).starts_with("[IVM] Patch over HTTP"),
                    "{stored:#}"
                );
            },
        ),
        case(
            "sync_ticket_status",
            json!({"ticket_id": f.sync, "source": "InsightIDR", "status": "CLOSED"}),
            move |o| {
                assert_eq!(o["changed"], true);
                assert_eq!(o["halo_status"], "Closed");
                assert_eq!(sim.ticket(f.sync).unwrap()["status_id"], 9);
            },
        ),
        case(
            "parse_webhook",
            json!({"body": {"event": "New Ticket Logged", "object_id": f.get}}),
            move |o| {
                assert_eq!(o["trigger"], "ticket_created");
                assert_eq!(o["ticket"]["id"], f.get, "the ticket is read from Halo");
                assert_eq!(o["is_own_note"], false);
            },
        ),
        case(
            "delete_ticket",
            json!({"ticket_id": f.delete, "reason": "duplicate"}),
            |o| assert_eq!(o, &json!({"success": true})),
        ),
    ];
    for (action, key) in [
        ("list_statuses", "statuses"),
        ("list_ticket_types", "ticket_types"),
        ("list_priorities", "priorities"),
        ("list_teams", "teams"),
        ("list_agents", "agents"),
        ("list_outcomes", "outcomes"),
    ] {
        all.push(case(action, json!({}), move |o| {
            let items = o[key].as_array().unwrap();
            assert!(!items.is_empty(), "{action} returned nothing");
            assert_eq!(o["count"], items.len());
        }));
    }
    all
}

async fn connection_test_succeeds(h: &Http) {
    let (status, resp) = h
        .post_raw(
            "/api/v1/connection/test",
            h.env.connection_test(h.connection.clone()).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{resp:#}");
    assert_eq!(resp["type"], "connection_test");
    assert_eq!(resp["body"]["status"], "ok");
    assert_eq!(resp["body"]["output"]["success"], true);
    assert_eq!(resp["body"]["meta"], json!({"jobId": "t"}));
}

async fn every_listed_action_succeeds(h: &Http, f: Fixtures) {
    let (status, listed) = h.srv.get("/api/v1/actions").await;
    assert_eq!(status, 200, "{listed}");
    let listed: Vec<String> = serde_json::from_value(listed).unwrap();
    let spec: Vec<&str> = plugin_spec().actions.iter().map(|a| a.name).collect();
    assert_eq!(listed, spec, "GET /api/v1/actions lists the spec's actions");
    let cases = cases(&h.env.sim, f);
    let covered: BTreeSet<&str> = cases.iter().map(|c| c.action).collect();
    assert_eq!(covered.len(), cases.len(), "one case per action");
    let offered: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    let missing: Vec<_> = offered.difference(&covered).collect();
    let unknown: Vec<_> = covered.difference(&offered).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "actions the plugin offers without an http case here: {missing:?}; cases for actions it does not offer: {unknown:?}"
    );
    for c in &cases {
        let out = h.ok(c.action, c.input.clone()).await;
        (c.check)(&out);
    }
    // The deleted ticket is gone for Halo too.
    let out = h.ok("get_ticket", json!({"ticket_id": f.delete})).await;
    assert_eq!(out["found"], false, "{out:#}");
}

async fn bad_input_is_400_and_never_reaches_halo(h: &Http) {
    let before = h.halo_calls();
    // Wrong type.
    let body = h.err("get_ticket", json!({"ticket_id": "abc"}), 400).await;
    assert!(
        text(&body["error"]).contains("is not of type 'integer'"),
        "{body:#}"
    );
    assert!(
        text(&body["exception"]["assistance"]).contains("ticket_id"),
        "{body:#}"
    );
    // Required input missing.
    let body = h.err("get_ticket", json!({}), 400).await;
    assert!(
        text(&body["error"]).contains("'ticket_id' is a required property"),
        "{body:#}"
    );
    // Required input present as an empty string: the runtime's null-or-empty rule.
    let body = h.err("create_ticket", json!({"summary": ""}), 400).await;
    let error = text(&body["error"]);
    assert!(
        error.contains("null value or empty string in a required input")
            && error.ends_with("Invalid input was found in: summary"),
        "{body:#}"
    );
    // Required input present as null: the schema's type check rejects it first, as jsonschema does.
    let body = h.err("create_ticket", json!({"summary": null}), 400).await;
    assert!(
        text(&body["error"]).contains("None is not of type 'string'"),
        "{body:#}"
    );
    // A value outside the enum.
    let body = h
        .err("search_tickets", json!({"state": "sideways"}), 400)
        .await;
    assert!(text(&body["error"]).contains("is not one of"), "{body:#}");
    assert_eq!(h.halo_calls(), before, "rejected input never reaches Halo");
}

async fn protocol_errors_are_400_or_404(h: &Http) {
    // Wrong message version: rejected with the runtime's wording, meta still echoed.
    let mut msg = Http::message("get_ticket", json!({"ticket_id": 1}), &h.connection);
    msg["version"] = json!("v2");
    let (status, resp) = h
        .post_raw("/api/v1/actions/get_ticket", msg.to_string())
        .await;
    assert_eq!(status, 400, "{resp:#}");
    assert_error_envelope(&resp, "action_event", &json!({"jobId": "http-get_ticket"}));
    assert_eq!(
        resp["body"]["error"],
        "Unsupported version 'v2'. Only v1 is supported"
    );
    // An action the plugin does not have: the runtime's ClientException, 400.
    let body = h.err("no_such_action", json!({}), 400).await;
    assert_eq!(body["error"], "Unknown action \"no_such_action\"");
    assert!(
        text(&body["exception"]["assistance"]).contains("/api/v1/actions"),
        "says where the actions are listed: {body:#}"
    );
    // A path no route serves: Flask's 404 body.
    let (status, resp) = h
        .post_raw("/api/v1/actions/get_ticket/run/now", "{}".into())
        .await;
    assert_eq!(status, 404, "{resp:#}");
    assert_eq!(resp["code"], 404);
    assert_eq!(resp["name"], "Not Found");
    // Malformed JSON: Flask's 400 body.
    let (status, resp) = h
        .post_raw("/api/v1/actions/get_ticket", "{oops".into())
        .await;
    assert_eq!(status, 400, "{resp:#}");
    assert_eq!(resp["code"], 400);
    assert_eq!(resp["name"], "Bad Request");
}

async fn halo_errors_are_400_and_a_429_is_retried(h: &Http, f: Fixtures) {
    let sim = &h.env.sim;
    // An unknown ticket: the cause names it and the input.
    let body = h
        .err(
            "update_ticket",
            json!({"ticket_id": 4242, "summary": "x"}),
            400,
        )
        .await;
    assert!(
        text(&body["exception"]["cause"]).contains("Ticket 4242 was not found"),
        "{body:#}"
    );
    assert!(
        text(&body["exception"]["assistance"]).contains("ticket_id"),
        "{body:#}"
    );
    // Halo answers 400: a PluginException (400) carrying Halo's message.
    sim.faults()
        .next(1, "POST /api/Tickets", Fault::status(400));
    let body = h
        .err(
            "create_ticket",
            json!({"summary": "Rejected over HTTP"}),
            400,
        )
        .await;
    assert!(
        text(&body["error"]).starts_with("An error occurred during plugin execution! "),
        "{body:#}"
    );
    let cause = text(&body["exception"]["cause"]);
    assert!(
        cause.starts_with("Creating the ticket failed") && cause.contains("HTTP 400"),
        "{body:#}"
    );
    assert!(
        !text(&body["exception"]["data"]).is_empty(),
        "Halo's message is carried in data: {body:#}"
    );
    assert!(
        sim.tickets()
            .iter()
            .all(|t| t["summary"] != "Rejected over HTTP"),
        "no ticket was created"
    );
    // Halo answers 429 once: halo-api waits and retries, the action succeeds.
    let before = sim.journal().count("GET /api/Tickets/*");
    sim.faults()
        .next(1, "GET /api/Tickets/*", Fault::status(429));
    let out = h.ok("get_ticket", json!({"ticket_id": f.get})).await;
    assert_eq!(out["found"], true);
    assert_eq!(out["ticket"]["id"], f.get);
    let reads = sim.journal().matching("GET /api/Tickets/*");
    assert_eq!(reads.len() - before, 2, "one 429, then one retry");
    let statuses: Vec<Option<u16>> = reads[before..].iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(429), Some(200)]);
}

async fn bad_credentials_are_400_with_cause_and_assistance(h: &Http, f: Fixtures) {
    let mut wrong = h.connection.clone();
    wrong["client_secret"] = json!({"secretKey": WRONG_SECRET});
    // An action with the wrong secret.
    let (status, resp) = h
        .post_with("get_ticket", json!({"ticket_id": f.get}), &wrong)
        .await;
    assert_eq!(status, 400, "{resp:#}");
    assert_error_envelope(&resp, "action_event", &json!({"jobId": "http-get_ticket"}));
    let body = &resp["body"];
    assert!(
        text(&body["error"]).starts_with("An error occurred during plugin execution! "),
        "{body:#}"
    );
    assert!(
        text(&body["exception"]["assistance"])
            .to_lowercase()
            .contains("client"),
        "points at the client credentials: {body:#}"
    );
    assert!(!resp.to_string().contains(WRONG_SECRET));
    // The connection test with the wrong secret.
    let (status, resp) = h
        .post_raw(
            "/api/v1/connection/test",
            h.env.connection_test(wrong).to_string(),
        )
        .await;
    assert_eq!(status, 400, "{resp:#}");
    assert_error_envelope(&resp, "connection_test", &json!({"jobId": "t"}));
    let body = &resp["body"];
    assert!(
        text(&body["error"]).starts_with("Connection test failed! "),
        "{body:#}"
    );
    assert!(
        text(&body["exception"]["cause"]).contains("invalid_client"),
        "{body:#}"
    );
    assert!(!resp.to_string().contains(WRONG_SECRET));
    // A default ticket type the tenant does not have fails the connection test, naming field and value.
    let mut typo = h.connection.clone();
    typo["default_ticket_type"] = json!("Security Incident Typo");
    let (status, resp) = h
        .post_raw(
            "/api/v1/connection/test",
            h.env.connection_test(typo).to_string(),
        )
        .await;
    assert_eq!(status, 400, "{resp:#}");
    assert_error_envelope(&resp, "connection_test", &json!({"jobId": "t"}));
    let cause = text(&resp["body"]["exception"]["cause"]);
    assert!(
        cause.contains("'Security Incident Typo'") && cause.contains("default_ticket_type"),
        "{cause}"
    );
    // The right credentials still work afterwards: the failures did not poison the shared client.
    let out = h.ok("get_ticket", json!({"ticket_id": f.get})).await;
    assert_eq!(out["found"], true);
}
