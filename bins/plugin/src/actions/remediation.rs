//! `create_ticket_from_remediation`: an InsightVM remediation / solution (as the Rapid7 InsightVM
//! plugin's Top Remediations outputs it) becomes one Halo ticket, upserted by the solution ID, with the
//! fix, assets and vulnerabilities as escaped HTML tables, the remediation status mapped, and the due
//! date as the ticket deadline.

use futures::FutureExt as _;
use futures::future::BoxFuture;
use halo_model::PriorityId;
use halo_model::ticket_write::TicketFields;
use serde_json::{Value, json};

use super::input::Input;
use super::investigation::{apply_team, placement_inputs, ticket_type_input};
use super::upsert::{upsert, upsert_output, upsert_outputs};
use super::{Action, StepResult, resolve};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::spec::sync::status_map_input;
use crate::spec::{ComponentSpec, Field};
use crate::sync::{mapping, render};

fn remediation_example() -> Value {
    json!({"solutionId": "ubuntu-upgrade-openssl", "summary": "Upgrade OpenSSL to 3.0.13", "fix": "Run apt-get upgrade openssl",
        "assetCount": 2, "vulnerabilityCount": 3, "riskScore": 2412.5,
        "assets": [{"id": 42, "hostName": "web-01", "ip": "10.0.0.5", "os": "Ubuntu Linux 22.04", "riskScore": 1206.2}],
        "vulnerabilities": [{"id": "ubuntu-cve-2024-0727", "title": "CVE-2024-0727", "severity": "Severe", "cvssScore": 5.5}]})
}

/// Creates or updates the ticket of an InsightVM remediation.
pub struct CreateTicketFromRemediation;

impl Action for CreateTicketFromRemediation {
    fn spec(&self) -> ComponentSpec {
        let mut input = vec![
            Field::new("remediation", "Remediation", "object", "The remediation (solution) as the InsightVM plugin outputs it")
                .required()
                .example(remediation_example()),
            Field::new("status", "Status", "string", "InsightVM remediation status: Open, Awaiting Verification, Closed or Risk Accepted")
                .default("Open")
                .example("Open"),
            Field::new("due_date", "Due Date", "date", "Remediation due date, set as the ticket's deadline").example("2026-12-31T17:00:00Z"),
            Field::new("priority", "Priority", "string", "Halo priority ID or name").example("High"),
        ];
        input.extend(placement_inputs());
        input.push(
            Field::new(
                "summary_prefix",
                "Summary Prefix",
                "string",
                "Text put before the solution summary",
            )
            .default("[IVM]")
            .example("[IVM]"),
        );
        input.push(status_map_input());
        ComponentSpec {
            name: "create_ticket_from_remediation",
            title: "Create Ticket from Remediation",
            description: "Create or update the ticket of an InsightVM remediation, keyed by its solution ID, with assets and vulnerabilities",
            input,
            output: upsert_outputs(),
        }
    }

    fn run<'a>(&'a self, ctx: &'a Ctx, input: Value) -> BoxFuture<'a, StepResult> {
        async move {
            let inp = Input::new(input);
            let rem = inp.object("remediation").cloned().unwrap_or_default();
            let key = render::text(render::pick(&rem, &["solutionId", "solution_id", "id"]));
            if key.trim().is_empty() {
                return Err(StepError::client(
                    "Input 'remediation' has no 'solutionId'",
                    "Pass a remediation object output by the InsightVM plugin (Top Remediations), which carries solutionId.",
                ));
            }
            let mut sync = ctx.config.sync.clone();
            sync.ivm_status.overlay(inp.raw("status_map"), "status_map")?;
            let status = inp.str("status").unwrap_or_else(|| "Open".into());
            let due = inp.date("due_date")?;
            let title = render::text(render::pick(&rem, &["summary", "title"]));
            let title = if title.trim().is_empty() { format!("InsightVM solution {key}") } else { title };
            let prefix = inp.str("summary_prefix").unwrap_or_else(|| "[IVM]".into());
            let shown_status = mapping::ivm_display(&crate::sync::config::normalise(&status)).to_string();
            let due_text = due.map(|d| d.to_rfc3339());
            let mut f = TicketFields::default();
            f.summary = Some(format!("{prefix} {title}").trim().to_string());
            f.details_html = Some(render::remediation_html(&rem, Some(&shown_status), due_text.as_deref()));
            f.tickettype_id = ticket_type_input(ctx, &inp).await?;
            f.deadlinedate = due;
            apply_team(ctx, &inp, &mut f).await?;
            f.status_id = mapping::halo_status(ctx, &sync.ivm_status, &status).await?.map(|s| s.id);
            if let Some(p) = inp.str("priority") {
                let id: PriorityId = resolve::priority(ctx, "priority", &p).await?;
                f.priority_id = Some(id);
            }
            let u = upsert(ctx, &key, f).await?;
            Ok(upsert_output(ctx, &u, &key))
        }
        .boxed()
    }
}
