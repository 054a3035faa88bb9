//! Resolving mapped names against the tenant: Halo status names → statuses, Halo priority names →
//! priority ids within the ticket type's SLA, and the reverse direction (a Halo status → the
//! InsightIDR / InsightVM status a workflow should set).
//!
//! A name the tenant lacks is an error that names what the tenant has, never a silent default.

use halo_model::{Priority, PriorityId, SlaId, Status, TicketType, TicketTypeId};

use super::config::{NameMap, SyncSettings};
use crate::connection::Ctx;
use crate::errors::StepError;
use crate::halo_errors::from_api;

/// Which Rapid7 product a status comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// InsightIDR investigations.
    InsightIdr,
    /// InsightVM remediations.
    InsightVm,
}

impl Source {
    /// Parses `insightidr` / `idr` / `insightvm` / `ivm` (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '_', '-'], "")
            .as_str()
        {
            "insightidr" | "idr" | "rapid7insightidr" => Some(Self::InsightIdr),
            "insightvm" | "ivm" | "rapid7insightvm" => Some(Self::InsightVm),
            _ => None,
        }
    }

    /// Product name for notes and errors.
    pub fn label(self) -> &'static str {
        match self {
            Self::InsightIdr => "InsightIDR",
            Self::InsightVm => "InsightVM",
        }
    }

    /// The status map for this source.
    pub fn status_map(self, s: &SyncSettings) -> &NameMap {
        match self {
            Self::InsightIdr => &s.idr_status,
            Self::InsightVm => &s.ivm_status,
        }
    }
}

/// Finds a status by name (case-insensitive) in the tenant's list; the error lists the statuses it has.
pub fn status_by_name<'a>(
    statuses: &'a [Status],
    name: &str,
    why: &str,
) -> Result<&'a Status, StepError> {
    let n = name.trim();
    statuses.iter().find(|s| s.name.as_deref().is_some_and(|x| x.trim().eq_ignore_ascii_case(n))).ok_or_else(|| {
        let have: Vec<String> =
            statuses.iter().map(|s| format!("{} ({})", s.name.as_deref().unwrap_or_default(), s.id)).collect();
        StepError::plugin(
            format!("The Halo status '{n}' ({why}) does not exist in this tenant."),
            format!(
                "Change the status map in the connection or the action's 'status_map' to one of this tenant's statuses: {}.",
                have.join(", ")
            ),
        )
    })
}

/// The tenant's statuses.
pub async fn statuses(ctx: &Ctx) -> Result<Vec<Status>, StepError> {
    ctx.client
        .list_statuses()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing statuses"))
}

/// The Halo status a source status maps to (`Ok(None)` when the map says "leave unchanged").
pub async fn halo_status(
    ctx: &Ctx,
    map: &NameMap,
    source_status: &str,
) -> Result<Option<Status>, StepError> {
    let Some(name) = map.halo_name(source_status)? else {
        return Ok(None);
    };
    let list = statuses(ctx).await?;
    let why = format!("mapped from {} {}", map.what, source_status.trim());
    status_by_name(&list, name, &why).cloned().map(Some)
}

/// The SLA whose priorities apply to a ticket type (its default SLA).
pub fn sla_of(types: &[TicketType], tt: Option<TicketTypeId>) -> Option<SlaId> {
    let tt = tt?;
    types
        .iter()
        .find(|t| t.id == tt)
        .and_then(|t| t.default_sla)
}

/// Finds a priority by name within an SLA (any SLA when `sla` is `None`); the error lists the
/// priorities that SLA has.
pub fn priority_by_name(
    list: &[Priority],
    sla: Option<SlaId>,
    name: &str,
    why: &str,
) -> Result<PriorityId, StepError> {
    let n = name.trim();
    let in_sla: Vec<&Priority> = list
        .iter()
        .filter(|p| sla.is_none() || p.slaid == sla)
        .collect();
    in_sla
        .iter()
        .find(|p| p.name.as_deref().is_some_and(|x| x.trim().eq_ignore_ascii_case(n)))
        .and_then(|p| p.priorityid)
        .ok_or_else(|| {
            let have: Vec<String> = in_sla
                .iter()
                .filter_map(|p| Some(format!("{} ({})", p.name.as_deref()?, p.priorityid?)))
                .collect();
            let scope = sla.map_or_else(|| "this tenant".to_string(), |s| format!("SLA {s} of the ticket type"));
            StepError::plugin(
                format!("The Halo priority '{n}' ({why}) does not exist in {scope}."),
                format!(
                    "Halo priorities belong to an SLA; change the priority map in the connection or the action's \
                     'priority_map' to one of: {}.",
                    have.join(", ")
                ),
            )
        })
}

/// The Halo priority an InsightIDR priority maps to, resolved within the ticket type's SLA.
pub async fn halo_priority(
    ctx: &Ctx,
    map: &NameMap,
    source_priority: &str,
    ticket_type: Option<TicketTypeId>,
) -> Result<Option<PriorityId>, StepError> {
    let Some(name) = map.halo_name(source_priority)? else {
        return Ok(None);
    };
    let types = ctx
        .client
        .list_ticket_types()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing ticket types"))?;
    let prios = ctx
        .client
        .list_priorities()
        .send()
        .await
        .map_err(|e| from_api(&e, "listing priorities"))?;
    let why = format!("mapped from {} {}", map.what, source_priority.trim());
    priority_by_name(&prios, sla_of(&types, ticket_type), name, &why).map(Some)
}

/// The reverse direction for a Halo status name: (InsightIDR status, InsightVM status), each `None`
/// when no source status maps to it.
pub fn reverse(
    settings: &SyncSettings,
    halo_status_name: &str,
) -> (Option<String>, Option<String>) {
    (
        settings
            .idr_status
            .source_for(halo_status_name)
            .map(str::to_string),
        settings
            .ivm_status
            .source_for(halo_status_name)
            .map(|s| ivm_display(s).to_string()),
    )
}

/// InsightVM's own spelling of a normalised remediation state.
pub fn ivm_display(normalised: &str) -> &str {
    match normalised {
        "OPEN" => "Open",
        "AWAITING_VERIFICATION" => "Awaiting Verification",
        "CLOSED" => "Closed",
        "RISK_ACCEPTED" => "Risk Accepted",
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    fn statuses() -> Vec<Status> {
        serde_json::from_value(json!([{"id": 31, "name": "Triage"}, {"id": 44, "name": "Done"}]))
            .unwrap()
    }

    #[test]
    fn unknown_status_names_the_tenants_statuses() {
        let e = status_by_name(&statuses(), "Closed", "mapped from X").unwrap_err();
        assert!(e.cause.contains("'Closed'"), "{e}");
        assert!(e.assistance.contains("Triage (31), Done (44)"), "{e}");
        assert_eq!(
            status_by_name(&statuses(), " done ", "x").unwrap().id.get(),
            44
        );
    }

    #[test]
    fn priorities_resolve_within_the_sla() {
        let prios: Vec<Priority> = serde_json::from_value(json!([
            {"id": "a", "slaid": 1, "priorityid": 1, "name": "Critical"},
            {"id": "b", "slaid": 2, "priorityid": 7, "name": "Urgent"},
            {"id": "c", "slaid": 2, "priorityid": 8, "name": "High"},
            {"id": "d", "slaid": 1, "priorityid": 2, "name": "High"}
        ]))
        .unwrap();
        assert_eq!(
            priority_by_name(&prios, Some(SlaId::new(2)), "high", "x")
                .unwrap()
                .get(),
            8
        );
        assert_eq!(
            priority_by_name(&prios, Some(SlaId::new(1)), "High", "x")
                .unwrap()
                .get(),
            2
        );
        let e = priority_by_name(&prios, Some(SlaId::new(2)), "Critical", "x").unwrap_err();
        assert!(e.assistance.contains("Urgent (7), High (8)"), "{e}");
        assert!(!e.assistance.contains("Critical"), "{e}");
    }

    #[test]
    fn sources_parse() {
        assert_eq!(Source::parse("InsightIDR"), Some(Source::InsightIdr));
        assert_eq!(Source::parse("insight_vm"), Some(Source::InsightVm));
        assert_eq!(Source::parse("jira"), None);
    }
}
