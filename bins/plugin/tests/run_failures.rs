//! Failure paths in `run`/`test` mode: each gives exit 1, one error envelope with the runtime's wording,
//! a cause and assistance a workflow author can act on, and never a secret.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Env, redact};
use halo_sim::Fault;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_is_invalid_client() {
    let env = Env::start().await;
    let mut conn = env.connection();
    conn["client_secret"] = json!({"secretKey": "definitely-not-the-secret"});
    let run = env.test(&env.connection_test(conn)).await;
    let exc = run.err();
    assert!(
        exc["cause"].as_str().unwrap().contains("invalid_client"),
        "{exc}"
    );
    assert!(
        run.error_text().starts_with("Connection test failed! "),
        "{}",
        run.error_text()
    );
    assert!(!run.stdout.contains("definitely-not-the-secret"));
    assert!(!run.stderr.contains("definitely-not-the-secret"));
    insta::assert_json_snapshot!("connection_test_invalid_client", redact(&run.envelope));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_fails_actions_too() {
    let env = Env::start().await;
    let mut conn = env.connection();
    conn["client_secret"] = json!({"secretKey": "wrong-secret-value"});
    let run = env
        .run(&env.action_with("get_ticket", json!({"ticket_id": 1}), conn))
        .await;
    let exc = run.err();
    assert!(
        run.error_text()
            .starts_with("An error occurred during plugin execution! "),
        "{}",
        run.error_text()
    );
    assert!(
        exc["assistance"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("client"),
        "{exc}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_default_ticket_type_fails_connection_test() {
    let env = Env::start().await;
    let mut conn = env.connection();
    conn["default_ticket_type"] = json!("Security Incident Typo");
    let run = env.test(&env.connection_test(conn.clone())).await;
    let exc = run.err();
    let cause = exc["cause"].as_str().unwrap();
    assert!(
        cause.contains("'Security Incident Typo'") && cause.contains("default_ticket_type"),
        "{cause}"
    );
    assert!(
        exc["assistance"]
            .as_str()
            .unwrap()
            .contains("Security Alert"),
        "lists the valid names: {exc}"
    );
    // A create relying on that default fails instead of creating a ticket of the wrong type.
    let run = env
        .run(&env.action_with("create_ticket", json!({"summary": "x"}), conn))
        .await;
    run.err();
    assert!(
        env.sim.tickets().is_empty(),
        "no ticket may be created with an unresolvable default"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_default_ids_fail_connection_test_listing_what_exists() {
    let env = Env::start().await;
    // (field, an id the default tenant lacks, a name the tenant has)
    let cases = [
        ("default_ticket_type_id", 36, "Security Alert (21)"),
        ("default_priority_id", 9, "Medium (3)"),
        ("default_team_id", 99, "Security Operations (4)"),
        ("default_agent_id", 77, "Alice Nguyen (4)"),
        ("default_category_id", 500, "Security>Phishing (9)"),
    ];
    for (key, id, known) in cases {
        let mut conn = env.connection();
        conn[key] = json!(id);
        let run = env.test(&env.connection_test(conn)).await;
        let exc = run.err();
        assert!(
            run.error_text().starts_with("Connection test failed! "),
            "{key}"
        );
        let cause = exc["cause"].as_str().unwrap();
        assert!(
            cause.contains(&format!("ID {id}")) && cause.contains(&format!("'{key}'")),
            "{cause}"
        );
        assert!(
            exc["assistance"].as_str().unwrap().contains(known),
            "{key} lists what exists: {exc}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_name_and_id_that_disagree_fail_connection_test() {
    let env = Env::start().await;
    let mut conn = env.connection();
    conn["default_team"] = json!("Security Operations");
    conn["default_team_id"] = json!(2);
    let run = env.test(&env.connection_test(conn.clone())).await;
    let exc = run.err();
    assert!(run.error_text().starts_with("Connection test failed! "));
    let cause = exc["cause"].as_str().unwrap();
    assert!(
        cause.contains("default_team 'Security Operations' is team 4 but default_team_id is 2"),
        "{cause}"
    );
    assert!(
        exc["assistance"]
            .as_str()
            .unwrap()
            .contains("Clear default_team or default_team_id"),
        "{exc}"
    );
    // No ticket is created with either of the two teams.
    let run = env
        .run(&env.action_with("create_ticket", json!({"summary": "x"}), conn.clone()))
        .await;
    run.err();
    assert!(env.sim.tickets().is_empty());
    // When they agree the test passes.
    conn["default_team_id"] = json!(4);
    let out = env.test(&env.connection_test(conn)).await.ok().clone();
    assert_eq!(out["defaults"]["team_id"], 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn negative_default_id_is_rejected() {
    let env = Env::start().await;
    let mut conn = env.connection();
    conn["default_priority_id"] = json!(-3);
    let run = env.test(&env.connection_test(conn)).await;
    let exc = run.err();
    assert!(
        exc["cause"]
            .as_str()
            .unwrap()
            .contains("default_priority_id is not a Halo ID"),
        "{exc}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_and_bad_urls() {
    let env = Env::start().await;
    let mut conn = env.connection();
    conn["authorization_server"] = json!("http://127.0.0.1:9/auth");
    let run = env.test(&env.connection_test(conn)).await;
    assert!(
        run.err()["cause"]
            .as_str()
            .unwrap()
            .contains("could not be reached"),
        "{}",
        run.stdout
    );
    let mut conn = env.connection();
    conn["resource_server"] = json!("not a url");
    let run = env.test(&env.connection_test(conn)).await;
    let exc = run.err();
    assert!(
        exc["cause"].as_str().unwrap().contains("Resource Server"),
        "{exc}"
    );
    let mut conn = env.connection();
    conn["scope"] = json!("nonsense-scope");
    let run = env.test(&env.connection_test(conn)).await;
    assert!(
        run.err()["cause"].as_str().unwrap().contains("scope"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbuildable_connection_fails_in_connection_test_wording() {
    let env = Env::start().await;
    let cases = [
        ("resource_server", json!("not a url"), "Resource Server"),
        (
            "authorization_server",
            json!("ftp://example.com/auth"),
            "Authorization Server",
        ),
        (
            "client_id",
            json!(""),
            "Client ID or Client Secret is empty",
        ),
        (
            "client_secret",
            json!({"secretKey": ""}),
            "Client ID or Client Secret is empty",
        ),
    ];
    for (key, value, cause) in cases {
        let mut conn = env.connection();
        conn[key] = value;
        let run = env.test(&env.connection_test(conn)).await;
        let exc = run.err();
        assert_eq!(run.envelope["type"], "connection_test", "{key}");
        assert!(
            run.error_text().starts_with("Connection test failed! "),
            "{key}: {}",
            run.error_text()
        );
        assert!(
            exc["cause"].as_str().unwrap().contains(cause),
            "{key}: {exc}"
        );
        assert!(
            !exc["assistance"].as_str().unwrap().is_empty(),
            "{key}: {exc}"
        );
    }
    // The same connection in an action keeps the plugin-execution wording.
    let mut conn = env.connection();
    conn["resource_server"] = json!("not a url");
    let run = env
        .run(&env.action_with("get_ticket", json!({"ticket_id": 1}), conn))
        .await;
    run.err();
    assert!(
        run.error_text()
            .starts_with("An error occurred during plugin execution! "),
        "{}",
        run.error_text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ticket_names_the_input() {
    let env = Env::start().await;
    let run = env
        .run(&env.action("update_ticket", json!({"ticket_id": 4242, "summary": "x"})))
        .await;
    let exc = run.err();
    assert!(
        exc["cause"]
            .as_str()
            .unwrap()
            .contains("Ticket 4242 was not found"),
        "{exc}"
    );
    assert!(exc["assistance"].as_str().unwrap().contains("ticket_id"));
    insta::assert_json_snapshot!("update_unknown_ticket", redact(&run.envelope));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_validation_like_the_runtime() {
    let env = Env::start().await;
    // Missing required input.
    let run = env.run(&env.action("get_ticket", json!({}))).await;
    run.err();
    assert!(
        run.error_text().contains("action input JSON was invalid"),
        "{}",
        run.error_text()
    );
    assert!(
        run.error_text()
            .contains("'ticket_id' is a required property")
    );
    // Wrong type.
    let run = env
        .run(&env.action("get_ticket", json!({"ticket_id": "abc"})))
        .await;
    let exc = run.err();
    assert!(
        run.error_text().contains("is not of type 'integer'"),
        "{}",
        run.error_text()
    );
    assert!(exc["assistance"].as_str().unwrap().contains("ticket_id"));
    // Empty string in a required input.
    let run = env
        .run(&env.action("create_ticket", json!({"summary": ""})))
        .await;
    run.err();
    assert!(
        run.error_text()
            .contains("null value or empty string in a required input")
    );
    assert!(
        run.error_text()
            .ends_with("Invalid input was found in: summary")
    );
    // Enum.
    let run = env
        .run(&env.action("search_tickets", json!({"state": "sideways"})))
        .await;
    run.err();
    assert!(
        run.error_text().contains("is not one of"),
        "{}",
        run.error_text()
    );
    // None of these reached Halo.
    assert!(
        env.sim
            .journal()
            .entries()
            .iter()
            .all(|e| !e.path.starts_with("/api/"))
    );
    insta::assert_json_snapshot!(
        "missing_required_input",
        redact(&env.run(&env.action("get_ticket", json!({}))).await.envelope)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_errors() {
    let env = Env::start().await;
    let run = env.exec(&["run"], b"{not json").await;
    run.err();
    assert!(
        run.error_text()
            .starts_with("Input message is not valid JSON")
    );
    let run = env.exec(&["run"], br#"{"version":"v2","type":"action_start","body":{"action":"get_ticket","meta":{"a":1}}}"#).await;
    run.err();
    assert_eq!(
        run.error_text(),
        "Unsupported version 'v2'. Only v1 is supported"
    );
    assert_eq!(run.body()["meta"], json!({"a": 1}));
    let mut msg = env.action("no_such_action", json!({}));
    let run = env.run(&msg).await;
    run.err();
    assert_eq!(run.error_text(), "Unknown action \"no_such_action\"");
    msg["type"] = json!("nonsense");
    let run = env.run(&msg).await;
    run.err();
    assert!(run.error_text().starts_with("Unsupported message type"));
    insta::assert_json_snapshot!(
        "unknown_action",
        redact(
            &env.run(&env.action("no_such_action", json!({})))
                .await
                .envelope
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn halo_400_message_is_reported() {
    let env = Env::start().await;
    env.sim
        .faults()
        .next(1, "POST /api/Tickets", Fault::status(400));
    let run = env
        .run(&env.action("create_ticket", json!({"summary": "Rejected"})))
        .await;
    let exc = run.err();
    assert!(
        exc["cause"]
            .as_str()
            .unwrap()
            .starts_with("Creating the ticket failed"),
        "{exc}"
    );
    assert!(exc["cause"].as_str().unwrap().contains("HTTP 400"), "{exc}");
    assert!(
        !exc["data"].as_str().unwrap_or_default().is_empty(),
        "Halo's message is carried in data: {exc}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_then_success() {
    let env = Env::start().await;
    let id = env.create("Retry me").await;
    env.sim
        .faults()
        .next(1, "GET /api/Tickets/*", Fault::status(429));
    let out = env.ok("get_ticket", json!({"ticket_id": id})).await;
    assert_eq!(out["found"], true);
    assert_eq!(
        env.sim.journal().count("GET /api/Tickets/*"),
        2,
        "one 429, then one retry by halo-api"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_in_output_is_masked() {
    let env = Env::start().await;
    // A ticket whose summary is the client secret (e.g. pasted by mistake) comes back masked.
    let secret = env.sim.client_secret().to_string();
    let created = env
        .sim
        .upsert_ticket(json!({"summary": secret, "tickettype_id": 1}))
        .unwrap();
    let id = created["id"].as_u64().unwrap();
    let out = env.ok("get_ticket", json!({"ticket_id": id})).await;
    assert_eq!(out["ticket"]["summary"], "********");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forbidden_agent_me_is_a_permission_failure() {
    let env = Env::start().await;
    env.sim
        .faults()
        .next(1, "GET /api/Agent/me", Fault::status(403));
    let run = env.test(&env.connection_test(env.connection())).await;
    let exc = run.err();
    assert!(exc["cause"].as_str().unwrap().contains("403"), "{exc}");
    assert!(
        exc["assistance"].as_str().unwrap().contains("permission"),
        "{exc}"
    );
}
