//! Status and priority sync between HaloITSM and Rapid7 InsightIDR / InsightVM: the configurable
//! mappings ([`config`], [`mapping`]), the origin and external-key markers the plugin writes
//! ([`marker`]), and the HTML rendering of investigations and remediations ([`render`]).
//!
//! No Halo status or priority id is known here: every mapping is by name and resolved against the
//! tenant at run time, so tenants with renamed or renumbered statuses work unchanged.

pub mod config;
pub mod mapping;
pub mod marker;
pub mod render;
