//! Throughput of reading Halo tickets: the captured 247-key ticket, alone and as a 100-ticket page.
//!
//! Run: `cargo bench -p halo-model --bench parse`. Skips with a notice when ../shared is absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use halo_model::{ListEnvelope, Ticket};

fn main() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/halo/fixtures/create-ticket-response.json");
    let Ok(one) = std::fs::read_to_string(&path) else {
        println!(
            "SKIPPED: {} not found (../shared is absent)",
            path.display()
        );
        return;
    };
    let page = format!(
        r#"{{"page_no":1,"page_size":100,"record_count":100,"tickets":[{}]}}"#,
        vec![one.as_str(); 100].join(",")
    );

    let runs = 300;
    let start = Instant::now();
    for _ in 0..runs {
        black_box(serde_json::from_str::<serde_json::Value>(black_box(&one)).unwrap());
    }
    println!(
        "baseline serde_json::Value parse of the same ticket: {:?}",
        start.elapsed() / runs
    );

    let start = Instant::now();
    for _ in 0..runs {
        black_box(serde_json::from_str::<Ticket>(black_box(&one)).unwrap());
    }
    let per_ticket = start.elapsed() / runs;
    println!(
        "Ticket (captured, {} bytes): {per_ticket:?} per parse",
        one.len()
    );

    let runs = 5;
    let start = Instant::now();
    for _ in 0..runs {
        let env: ListEnvelope<Ticket> = serde_json::from_str(black_box(&page)).unwrap();
        assert_eq!(env.items.len(), 100);
        black_box(env);
    }
    let per_page = start.elapsed() / runs;
    println!(
        "ListEnvelope<Ticket> (100 tickets, {} KiB): {per_page:?} per page",
        page.len() / 1024
    );

    let t: Ticket = serde_json::from_str(&one).unwrap();
    let runs = 300;
    let start = Instant::now();
    for _ in 0..runs {
        black_box(serde_json::to_vec(black_box(&t)).unwrap());
    }
    println!("Ticket serialise: {:?} per ticket", start.elapsed() / runs);
}
