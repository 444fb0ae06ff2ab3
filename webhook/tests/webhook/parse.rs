//! Parsing: every documented shape, event types, optional and nullable fields.

use crate::event;
use nectar_lifecycle_core::{AccountStatus, ConnectionStatus as S};
use nectar_lifecycle_support::webhook_fixtures;
use nectar_lifecycle_webhook::{self as webhook, EventType, Reported, Webhook};

#[test]
fn every_good_fixture_parses_and_round_trips() {
    let dir = webhook_fixtures();
    let mut good = 0;
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf-8");
        if name.starts_with("bad-") {
            continue;
        }
        let parsed = event(&name);
        let json = serde_json::to_vec(&parsed).expect("serializes");
        assert_eq!(webhook::parse(&json).expect("re-parses"), parsed, "{name}");
        good += 1;
    }
    assert_eq!(good, 15);
}

#[test]
fn each_event_type() {
    assert_eq!(event("created.json").event_type, EventType::Created.into());
    let updated = event("updated-status.json");
    assert_eq!(updated.event_type, EventType::Updated.into());
    assert_eq!(updated.protected_changes, vec!["status"]);
    assert_eq!(updated.previous_status(), Some(&S::Pending.into()));
    assert_eq!(updated.connection.status, S::Connected.into());
    let validated = event("validated.json");
    assert_eq!(validated.event_type, EventType::Validated.into());
    assert_eq!(validated.previous_status(), None);
    // Unknown fields (meters, multiplyByOccupancy, initialSites) are ignored.
    assert_eq!(
        validated.connection.accounts[0].status,
        Some(AccountStatus::PullCompleted.into())
    );
    assert_eq!(
        validated
            .connection
            .datasource
            .as_ref()
            .and_then(|d| d.name.as_deref()),
        Some("Pacific Gas & Electric")
    );
}

#[test]
fn other_event_types_are_kept_as_data() {
    let body = br#"{"eventType":"connection.updated","id":"c1","status":"CONNECTED"}"#;
    let parsed = webhook::parse(body).expect("parses");
    assert_eq!(
        parsed.event_type,
        Reported::Unknown("connection.updated".to_owned())
    );
}

#[test]
fn null_timestamps_and_a_minimal_body() {
    let e = event("null-timestamps.json");
    assert_eq!(e.connection.status_last_update_time, None);
    assert_eq!(e.connection.status_first_seen_time, None);
    let m = event("minimal.json");
    assert_eq!(m.connection.status, S::NewPasswordNeeded.into());
    assert!(m.connection.accounts.is_empty() && m.connection.is_active.is_none());
}

#[test]
fn is_duplicated_both_ways() {
    let b = event("is-duplicated-bool.json");
    let s = event("is-duplicated-string.json");
    let flag = |e: &Webhook| {
        e.connection.accounts[0]
            .is_duplicated
            .as_ref()
            .and_then(|d| d.as_bool())
    };
    assert_eq!(flag(&b), Some(true));
    assert_eq!(flag(&s), Some(true));
    assert_eq!(
        flag(&event("validated.json")),
        Some(false),
        "the string \"false\""
    );
}
