//! The short fault-injection soak (CI): a small fixed number of cases — create by external key, update, notes,
//! search, close — while halo-sim injects faults and revokes tokens; then the tenant's store must show every ticket
//! exactly once, every note exactly once, every update and close applied, and every failure must have carried a
//! message. Behaviour only: no timing is asserted (the long run and its figures are `benches/soak.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod soak_support;

use soak_support::{SoakConfig, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_and_revocations_lose_and_duplicate_nothing() {
    let report = run(SoakConfig::new(24)).await;
    println!("{}", report.table());
    // The faults must actually have fired, or the test proves nothing.
    assert!(
        report.fault_share() > 0.08,
        "fault share {:.3}",
        report.fault_share()
    );
    assert!(
        report.faults.contains_key("drop_after_write"),
        "{:?}",
        report.faults
    );
    assert_eq!(report.revocations, 2);
    assert!(
        report.unauthorized >= 1,
        "a revoked token must have been rejected at least once"
    );

    assert_eq!(report.tickets_created, report.tickets_intended);
    assert_eq!(report.ticket_duplicates, 0);
    assert_eq!(report.tickets_missing, 0);
    assert_eq!(report.comments_written, report.comments_intended);
    assert_eq!(report.comments_lost, 0);
    assert_eq!(report.comment_duplicates, 0);
    assert_eq!(report.updates_missing, 0);
    assert_eq!(report.not_closed, 0);
    assert_eq!(report.search_misses, 0);
    assert_eq!(report.unclear_errors, 0);
    assert!(
        report.ops.values().all(|o| o.gave_up == 0),
        "{:?}",
        report.ops
    );
}
