//! The plugin's input: any bytes as a `run`-mode stdin message or an `http`-mode request body go through the
//! `http` mode's body checks (JSON object, step name matching the route), the runtime's message checks, then
//! the spec's connection and input validation for the named step, the typed input readers and output masking,
//! as `runner::execute` does before it talks to Halo. Nothing may panic.
#![no_main]

use haloitsm_plugin::actions::input::Input;
use haloitsm_plugin::http::body;
use haloitsm_plugin::protocol;
use haloitsm_plugin::spec::{plugin_spec, schema};
use haloitsm_plugin::{envelope, mask, runner};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The `http` mode's own checks of a step body, for each kind of route and none.
    for route in [
        None,
        Some(("action", "get_ticket")),
        Some(("trigger", "ticket_created")),
        Some(("task", "")),
    ] {
        match body::check(data, route) {
            Ok(v) => assert!(v.as_object().is_some_and(|o| !o.is_empty())),
            Err(e) => assert!(!e.message().is_empty()),
        }
    }
    let msg = match protocol::parse(data) {
        Ok(msg) => msg,
        Err(rejected) => {
            // The error envelope is still built and masked.
            let outcome = runner::rejected(&rejected);
            assert!(
                outcome.status >= 400,
                "rejected message answered {}",
                outcome.status
            );
            return;
        }
    };
    let spec = plugin_spec();
    let _ = schema::validate_object(spec, &msg.connection, &spec.connection, "");
    let component = match msg.kind {
        protocol::MessageType::ActionStart => msg.step.as_deref().and_then(|n| spec.action(n)),
        protocol::MessageType::TriggerStart => msg.step.as_deref().and_then(|n| spec.trigger(n)),
        _ => None,
    };
    // Unknown (or no) step: validate against every action, as wide coverage of the validator.
    let components: Vec<_> = match component {
        Some(c) => vec![c],
        None => spec.actions.iter().collect(),
    };
    for c in components {
        if schema::validate_object(spec, &msg.input, &c.input, "").is_ok() {
            let _ = schema::null_or_empty_required(&msg.input, &c.input);
        }
        let input = Input::new(msg.input.clone());
        for f in &c.input {
            let _ = input.str(f.name);
            let _ = input.id(f.name);
            let _ = input.date(f.name);
            let _ = input.bool_or(f.name, false);
            let _ = input.array(f.name);
            let _ = input.object(f.name);
        }
    }
    // Masking the echoed input with the message's own connection secrets never panics and removes them.
    let secrets = mask::connection_secrets(&msg.connection);
    let mut env = envelope::ok(
        msg.kind.response_type(),
        &msg.meta,
        String::new(),
        msg.input.clone(),
    );
    mask::mask(&mut env, &secrets);
    for secret in secrets.iter().filter(|s| !s.contains('*')) {
        assert!(
            !any_string_contains(&env, secret),
            "secret survived masking"
        );
    }
});

fn any_string_contains(v: &serde_json::Value, needle: &str) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains(needle),
        serde_json::Value::Array(a) => a.iter().any(|x| any_string_contains(x, needle)),
        serde_json::Value::Object(m) => m.values().any(|x| any_string_contains(x, needle)),
        _ => false,
    }
}
