//! The long fault-injection soak (a bench binary, not a test): the same workload and audit as `tests/soak.rs`
//! (see `tests/soak_support`) for SOAK_CASES cases (default 300, env `SOAK_CASES`), printing the figures table.
//!
//! `cargo bench -p haloitsm-plugin --bench soak`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/soak_support/mod.rs"]
mod soak_support;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let cases = std::env::var("SOAK_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let mut cfg = soak_support::SoakConfig::new(cases);
    if let Some(c) = std::env::var("SOAK_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        cfg.concurrency = c;
    }
    println!(
        "BENCH soak: {cases} cases x (create by key, update, {} notes, search, close), {} workers",
        cfg.comments, cfg.concurrency
    );
    let report = soak_support::run(cfg).await;
    println!("{}", report.table());
    let clean = report.ticket_duplicates == 0
        && report.tickets_missing == 0
        && report.comments_lost == 0
        && report.comment_duplicates == 0
        && report.updates_missing == 0
        && report.not_closed == 0;
    println!(
        "BENCH soak: integrity {}",
        if clean {
            "OK (0 duplicates, 0 lost)"
        } else {
            "FAILED"
        }
    );
}
