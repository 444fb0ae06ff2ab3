//! Fuzzes the webhook parser and everything downstream of it: assessment, reconciliation
//! against a stored record, the stored record's round trip, and the test double's events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nectar_lifecycle::webhook::{
    self, Decision, DuplicateReason, Observation, Record, nectar_events, reconcile,
};

fuzz_target!(|data: &[u8]| {
    let Ok(event) = webhook::parse(data) else {
        return;
    };
    let _ = event.assess();
    // Against nothing, against itself, and against a record built from itself.
    let delivery = Observation::Delivery {
        id: Some("fuzz"),
        webhook: &event,
    };
    let first = reconcile(None, delivery);
    assert!(matches!(first, Decision::Apply(_)), "nothing stored: always apply");
    let stored = Record::after(None, delivery, &first).expect("applied");
    assert_eq!(
        reconcile(Some(&stored), delivery),
        Decision::Duplicate(DuplicateReason::SameDelivery)
    );
    // The same content as a snapshot is the same version.
    assert_eq!(
        reconcile(Some(&stored), Observation::Snapshot(&event.connection)),
        Decision::Duplicate(DuplicateReason::SameVersion)
    );
    let json = serde_json::to_vec(&stored).expect("a record serializes");
    let back: Record = serde_json::from_slice(&json).expect("and reads back");
    assert_eq!(back, stored);
    // What the test double would send for this connection parses back to the same fields.
    for sent in nectar_events(None, &event.connection) {
        let bytes = serde_json::to_vec(&sent).expect("serializes");
        let parsed = webhook::parse(&bytes).expect("the double's events parse");
        assert_eq!(parsed.connection, event.connection);
    }
});
