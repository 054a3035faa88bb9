//! The short fault-injection soak (CI): a small fixed number of cases — create by external key, update, notes
//! through `add_comment`, search, close — while halo-sim injects faults and revokes tokens and the three polling
//! triggers run beside it as the built binary, SIGKILLed and restarted; then the tenant's store must show every
//! ticket exactly once, every note exactly once, every update and close applied, every failure must have carried
//! a message, and the dispatcher must have received exactly one `ticket_created` per ticket and exactly one
//! `ticket_status_changed` to the closed status per close (re-sends folded by `event_id`, bounded by the kills).
//! Behaviour only: no timing is asserted (the long run and its figures are `benches/soak.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod soak_support;

use soak_support::{SoakConfig, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_kills_and_revocations_lose_and_duplicate_nothing() {
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
    assert!(
        report.note_posts_dropped >= 1,
        "add_comment must have met at least one lost response"
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
    // add_comment looks for a note whose response was lost before sending it again, and the driver's
    // re-run of a failed add_comment finds the note by its note_key: no note may be stored twice.
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

    let t = &report.triggers;
    let logs = &t.log_tail;
    assert!(t.caught_up, "the triggers did not catch up:\n{logs}");
    for (name, s) in &t.per_trigger {
        assert!(s.kills >= 1, "{name} was never killed");
        assert_eq!(
            s.exited, 0,
            "{name} exited on its own: a fault must not end a trigger\n{logs}"
        );
        assert!(
            s.resends() <= s.kills,
            "{name}: re-sends ({}) can only come from kills ({})",
            s.resends(),
            s.kills
        );
        assert_eq!(s.exit_code, Some(0), "{name} did not stop cleanly:\n{logs}");
    }
    assert!(
        t.dispatcher_rejected > 0,
        "the dispatcher must actually fail sometimes"
    );
    assert_eq!(t.created_expected, report.tickets_intended);
    assert_eq!(t.created_once, t.created_expected, "{logs}");
    assert_eq!(t.created_missed, 0);
    assert_eq!(t.created_duplicated, 0);
    assert_eq!(t.created_unexpected, 0);
    assert_eq!(t.closes_expected, report.tickets_intended);
    assert_eq!(
        t.closes_unobservable, 0,
        "a close happened before the triggers had seen the ticket"
    );
    assert_eq!(t.closes_once, t.closes_expected, "{logs}");
    assert_eq!(t.closes_missed, 0);
    assert_eq!(t.closes_duplicated, 0);
    assert_eq!(t.updated_closes_missed, 0, "{logs}");
    assert_eq!(t.updated_double, 0);
    assert_eq!(t.conflicts, 0);
}
