//! The long fault-injection soak (a bench binary, not a test): the same workload, triggers and audit as
//! `tests/soak.rs` (see `tests/soak_support`) for SOAK_CASES cases (default 300, env `SOAK_CASES`), printing the
//! figures tables. Each trigger is SIGKILLed and restarted at least `min_restarts` (2) times.
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
        "BENCH soak: {cases} cases x (create by key, update, {} notes, search, close), {} workers; 3 triggers polling every {} s",
        cfg.comments, cfg.concurrency, cfg.triggers.interval_secs
    );
    let report = soak_support::run(cfg).await;
    println!("{}", report.table());
    let clean = report.ticket_duplicates == 0
        && report.tickets_missing == 0
        && report.comments_lost == 0
        && report.comment_duplicates == 0
        && report.updates_missing == 0
        && report.not_closed == 0;
    let t = &report.triggers;
    let triggers_clean = t.caught_up
        && t.created_missed == 0
        && t.created_duplicated == 0
        && t.created_unexpected == 0
        && t.closes_unobservable == 0
        && t.closes_missed == 0
        && t.closes_duplicated == 0
        && t.updated_closes_missed == 0
        && t.updated_double == 0
        && t.conflicts == 0
        && t.per_trigger
            .values()
            .all(|s| s.kills >= 2 && s.resends() <= s.kills);
    println!(
        "BENCH soak: integrity {}",
        if clean {
            "OK (0 duplicates, 0 lost)"
        } else {
            "FAILED"
        }
    );
    println!(
        "BENCH soak: triggers {}",
        if triggers_clean {
            "OK (0 missed, 0 duplicated after folding by event_id)"
        } else {
            "FAILED"
        }
    );
    if !triggers_clean {
        println!("trigger log tail:\n{}", t.log_tail);
    }
}
