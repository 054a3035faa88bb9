//! Runs one message end to end: validate connection and input against the spec, connect (cached),
//! run the step, validate the output, build the envelope and mask secrets in it.

use serde_json::{Value, json};

use crate::actions::registry;
use crate::connection::{Connections, Ctx};
use crate::envelope;
use crate::errors::StepError;
use crate::logcap;
use crate::mask;
use crate::protocol::{Message, MessageType, Rejected};
use crate::spec::{plugin_spec, schema};

/// The result of a step: the envelope to write and the HTTP status it maps to.
#[derive(Debug)]
pub struct Outcome {
    /// The response envelope (already masked).
    pub envelope: Value,
    /// 200 on success, 400/500 on error (see [`StepError::http_status`]).
    pub status: u16,
}

impl Outcome {
    /// Whether the step succeeded.
    pub fn is_ok(&self) -> bool {
        self.status < 300
    }
}

/// How the step is invoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `run` / `POST /actions/<name>`.
    Run,
    /// `test` / `POST /actions/<name>/test`: the connection test, answered in the step's envelope type.
    Test,
}

/// Builds the error outcome for a message that could not be parsed.
pub fn rejected(r: &Rejected) -> Outcome {
    let mut env = envelope::error(r.response_type, &r.meta, String::new(), &r.error);
    mask::mask(&mut env, &mask::connection_secrets(&r.connection));
    Outcome {
        status: r.error.http_status(),
        envelope: env,
    }
}

/// Runs a parsed message.
pub async fn execute(connections: &Connections, msg: Message, mode: Mode) -> Outcome {
    let secrets = mask::connection_secrets(&msg.connection);
    let response_type = msg.kind.response_type();
    let meta = msg.meta.clone();
    let observed = crate::observability::observe_step(&msg, mode, step(connections, &msg, mode));
    let (result, log) = logcap::capture(observed).await;
    let (mut env, status) = match result {
        Ok(output) => (envelope::ok(response_type, &meta, log, output), 200),
        Err(e) => {
            let status = e.http_status();
            (envelope::error(response_type, &meta, log, &e), status)
        }
    };
    mask::mask(&mut env, &secrets);
    Outcome {
        envelope: env,
        status,
    }
}

async fn step(connections: &Connections, msg: &Message, mode: Mode) -> Result<Value, StepError> {
    let spec = plugin_spec();
    schema::validate_object(spec, &msg.connection, &spec.connection, "").map_err(|v| {
        StepError::client(
            "connection input JSON was invalid",
            "Check the connection's fields: every required field set and each of the right type.",
        )
        .with_data(v.to_string())
    })?;
    let is_test = mode == Mode::Test || msg.kind == MessageType::ConnectionTest;
    if is_test {
        // The runtime checks the step exists before preferring the connection's own test.
        check_step_exists(msg)?;
        // A connection that cannot even be built (bad URL, empty credentials) is a failed connection test.
        let ctx = connections
            .get(&msg.connection)
            .await
            .map_err(StepError::into_connection_test)?;
        return crate::connection_test::run(&ctx)
            .await
            .map_err(StepError::into_connection_test);
    }
    match msg.kind {
        MessageType::ActionStart => {
            let name = msg.step.as_deref().unwrap_or_default();
            let action = registry()
                .action(name)
                .ok_or_else(|| unknown("action", name))?;
            let aspec = action.spec();
            validate_input(spec, &msg.input, &aspec)?;
            let ctx = connections.get(&msg.connection).await?;
            tracing::info!(
                "{}/{}:{}. Step name: {name}",
                crate::spec::plugin::VENDOR,
                crate::spec::plugin::NAME,
                crate::spec::plugin::VERSION
            );
            let output = action.run(&ctx, msg.input.clone()).await?;
            validate_output(spec, &output, &aspec)?;
            Ok(output)
        }
        MessageType::TriggerStart => {
            let name = msg.step.as_deref().unwrap_or_default();
            let trigger = registry()
                .trigger(name)
                .ok_or_else(|| unknown("trigger", name))?;
            let tspec = trigger.spec();
            validate_input(spec, &msg.input, &tspec)?;
            let ctx = connections.get(&msg.connection).await?;
            run_trigger(&ctx, trigger, msg).await
        }
        MessageType::TaskStart => Err(unknown("task", msg.step.as_deref().unwrap_or_default())),
        MessageType::ConnectionTest => Ok(json!({})),
    }
}

async fn run_trigger(
    ctx: &Ctx,
    trigger: &dyn crate::actions::Trigger,
    msg: &Message,
) -> Result<Value, StepError> {
    let sink = crate::dispatch::sink_for(&msg.dispatcher, &msg.meta)?;
    trigger
        .run(ctx, msg.input.clone(), &msg.meta, sink.as_ref())
        .await?;
    Ok(json!({}))
}

fn check_step_exists(msg: &Message) -> Result<(), StepError> {
    match (msg.kind, msg.step.as_deref()) {
        (MessageType::ActionStart, Some(n)) if registry().action(n).is_none() => {
            Err(unknown("action", n))
        }
        (MessageType::TriggerStart, Some(n)) if registry().trigger(n).is_none() => {
            Err(unknown("trigger", n))
        }
        (MessageType::TaskStart, Some(n)) => Err(unknown("task", n)),
        _ => Ok(()),
    }
}

fn unknown(kind: &str, name: &str) -> StepError {
    StepError::client(
        format!("Unknown {kind} \"{name}\""),
        format!("Use one of the {kind}s listed by `haloitsm-plugin info` or GET /api/v1/{kind}s."),
    )
}

fn validate_input(
    spec: &crate::spec::PluginSpec,
    input: &Value,
    c: &crate::spec::ComponentSpec,
) -> Result<(), StepError> {
    schema::validate_object(spec, input, &c.input, "").map_err(|v| {
        let field = v
            .path
            .split('.')
            .next()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| {
                v.message
                    .strip_prefix('\'')
                    .and_then(|m| m.split('\'').next())
                    .map(str::to_string)
            });
        let assistance = match field.as_deref().and_then(|f| c.input_field(f)) {
            Some(f) => format!(
                "Check the input '{}' ({}): it must be of type {}.",
                f.name, f.title, f.ty
            ),
            None => "Check the action's inputs against its help.".to_string(),
        };
        let cause = match &field {
            Some(f) => format!("The input '{f}' is invalid: {}.", v.message),
            None => format!("The input is invalid: {}.", v.message),
        };
        StepError::client(
            format!("{} input JSON was invalid", step_word(c)),
            assistance,
        )
        .with_cause(cause)
        .with_data(v.to_string())
    })?;
    if let Some(key) = schema::null_or_empty_required(input, &c.input) {
        return Err(StepError::client(
            format!(
                "Step error: Plugin step input contained a null value or empty string in a required input.\n\
                 If the input was given a variable in the Workflow Builder, please double-check that the variable \
                 contained a value at run-time. If the input had a valid value and the issue persists, \
                 please contact support for assistance.\nInvalid input was found in: {key}"
            ),
            format!("Give the required input '{key}' a value."),
        ));
    }
    Ok(())
}

fn step_word(c: &crate::spec::ComponentSpec) -> &'static str {
    if plugin_spec().trigger(c.name).is_some() {
        "trigger"
    } else {
        "action"
    }
}

fn validate_output(
    spec: &crate::spec::PluginSpec,
    output: &Value,
    c: &crate::spec::ComponentSpec,
) -> Result<(), StepError> {
    schema::validate_object(spec, output, &c.output, "").map_err(|v| {
        StepError::unexpected(
            "The action produced output that does not match its specification.",
            "This is a plugin defect; please report it with the job log.",
        )
        .with_data(v.to_string())
    })
}
