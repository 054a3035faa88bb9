//! halo-model read types: any bytes as a Halo response body (ticket, action, list envelope, webhook delivery,
//! lookups) parse or fail cleanly, and whatever parses re-serialises to JSON that reads back to the same value.
#![no_main]

use halo_model::{
    Action, Agent, ListEnvelope, OneOrMany, Status, Team, Ticket, TicketType, User, WebhookPayload,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Parse; on success serialise and parse again: the second read must equal the first (nothing lost or
/// changed by our own writer).
fn check<T>(data: &[u8])
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let Ok(first) = serde_json::from_slice::<T>(data) else {
        return;
    };
    let json = match serde_json::to_vec(&first) {
        Ok(j) => j,
        // Serialising what we read must never fail.
        Err(e) => panic!(
            "re-serialising a parsed {} failed: {e}",
            std::any::type_name::<T>()
        ),
    };
    match serde_json::from_slice::<T>(&json) {
        Ok(second) => assert_eq!(
            first,
            second,
            "round trip changed a {}",
            std::any::type_name::<T>()
        ),
        Err(e) => panic!(
            "our own JSON for a {} does not read back: {e}\n{}",
            std::any::type_name::<T>(),
            String::from_utf8_lossy(&json)
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    check::<Ticket>(data);
    check::<Action>(data);
    check::<WebhookPayload>(data);
    let _ = WebhookPayload::parse_batch(data);
    // Envelopes are read-only (no Serialize): parsing must not panic and items must be consistent.
    if let Ok(page) = serde_json::from_slice::<ListEnvelope<Ticket>>(data) {
        assert_eq!(page.len(), page.items.len());
    }
    let _ = serde_json::from_slice::<ListEnvelope<Action>>(data);
    let _ = serde_json::from_slice::<ListEnvelope<Status>>(data);
    let _ = serde_json::from_slice::<ListEnvelope<Agent>>(data);
    let _ = serde_json::from_slice::<ListEnvelope<Team>>(data);
    let _ = serde_json::from_slice::<ListEnvelope<TicketType>>(data);
    let _ = serde_json::from_slice::<ListEnvelope<User>>(data);
    let _ = serde_json::from_slice::<OneOrMany<Ticket>>(data).map(OneOrMany::into_vec);
});
