//! `halo-cli raw METHOD PATH`: one request to any Halo path through halo-api's raw escape hatch (same token
//! manager, rate limiter and retry policy as every other command). Prints the JSON response.

use std::io::Read;

use serde_json::{Value, json};

use super::Ctx;
use crate::cli::{RawArgs, RawMethod};
use crate::exit::{CliError, ExitKind, from_api};

/// Run `raw`.
pub async fn run(ctx: &Ctx, a: RawArgs) -> anyhow::Result<ExitKind> {
    let method = match a.method {
        RawMethod::Get => http::Method::GET,
        RawMethod::Post => http::Method::POST,
        RawMethod::Delete => http::Method::DELETE,
    };
    let path = a.path.trim().to_string();
    if !path.starts_with('/') {
        return Err(CliError::usage(
            format!("The path \"{path}\" does not start with '/'."),
            "Give a path such as /api/Status (or /Status).",
        )
        .into());
    }
    let mut query = Vec::new();
    for q in &a.query {
        let Some((k, v)) = q.split_once('=') else {
            return Err(CliError::usage(
                format!("The query parameter \"{q}\" is not KEY=VALUE."),
                "Write it as --query key=value.",
            )
            .into());
        };
        query.push((k.to_string(), v.to_string()));
    }
    let body_text = match (&a.body, &a.body_file) {
        (Some(b), _) => Some(b.clone()),
        (None, Some(f)) if f.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                CliError::usage(
                    format!("stdin could not be read: {e}."),
                    "Pipe a JSON body in.",
                )
            })?;
            Some(s)
        }
        (None, Some(f)) => Some(std::fs::read_to_string(f).map_err(|e| {
            CliError::usage(
                format!("The body file {} cannot be read: {e}.", f.display()),
                "Check the path.",
            )
        })?),
        (None, None) => None,
    };
    let body: Option<Value> = body_text
        .map(|t| {
            serde_json::from_str(&t).map_err(|e| {
                CliError::usage(
                    format!("The request body is not valid JSON: {e}."),
                    "Halo expects JSON; POST bodies are arrays, e.g. '[{\"id\": 12, \"summary\": \"x\"}]'.",
                )
            })
        })
        .transpose()?;
    if method == http::Method::POST && body.is_none() {
        return Err(CliError::usage(
            "POST needs a body.",
            "Give --body JSON or --body-file PATH.",
        )
        .into());
    }
    let client = ctx.client().await?;
    let resp = client
        .raw(method.clone(), &path, query, body)
        .send_json()
        .await
        .map_err(|e| from_api(&e))?;
    let data = json!({ "method": method.as_str(), "path": path, "response": resp });
    ctx.out.emit("raw", true, data, || {
        serde_json::to_string_pretty(&resp).unwrap_or_default()
    });
    Ok(ExitKind::Ok)
}
