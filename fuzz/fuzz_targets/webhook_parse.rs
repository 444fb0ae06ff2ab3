//! Fuzzes the webhook parser and everything downstream of it: assessment, reconciliation
//! against a stored record, the stored record's round trip, and the test double's events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nectar_lifecycle::webhook::{self, Decision, LastSeen, nectar_events, reconcile};

fuzz_target!(|data: &[u8]| {
    let Ok(event) = webhook::parse(data) else {
        return;
    };
    let _ = event.assess();
    // Against nothing, against itself, and against a record built from itself.
    let first = reconcile(None, Some("fuzz"), &event);
    assert!(matches!(first, Decision::Apply { .. }), "nothing stored: always apply");
    let stored = LastSeen::after(None, Some("fuzz"), &event);
    assert!(matches!(
        reconcile(Some(&stored), Some("fuzz"), &event),
        Decision::Duplicate(_)
    ));
    let json = serde_json::to_vec(&stored).expect("a record serializes");
    let back: LastSeen = serde_json::from_slice(&json).expect("and reads back");
    assert_eq!(back, stored);
    // What the test double would send for this connection parses back to the same fields.
    for sent in nectar_events(None, &event.connection) {
        let bytes = serde_json::to_vec(&sent).expect("serializes");
        let parsed = webhook::parse(&bytes).expect("the double's events parse");
        assert_eq!(parsed.connection, event.connection);
    }
});
