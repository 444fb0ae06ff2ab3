//! Reconciliation under at-least-once, unordered delivery, and what a test double of Nectar sends.

use crate::event;
use nectar_lifecycle_core::ConnectionStatus as S;
use nectar_lifecycle_webhook::{
    self as webhook, Decision, DuplicateReason, EventType, LastSeen, Notification, Webhook,
    nectar_events, reconcile,
};

#[test]
fn the_updated_and_validated_pair_of_one_change_applies_once_in_either_order() {
    let stored = LastSeen::after(None, Some("msg_0"), &event("validated.json"));
    for (first, second) in [
        ("pair-updated.json", "pair-validated.json"),
        ("pair-validated.json", "pair-updated.json"),
    ] {
        let first = event(first);
        let decision = reconcile(Some(&stored), Some("msg_1"), &first);
        let Decision::Apply { notifications, .. } = &decision else {
            panic!("{decision}")
        };
        assert!(notifications.contains(Notification::EnteredCredentialError));
        let after = LastSeen::after(Some(&stored), Some("msg_1"), &first);
        assert_eq!(
            reconcile(Some(&after), Some("msg_2"), &event(second)),
            Decision::Duplicate(DuplicateReason::SameChange)
        );
    }
}

#[test]
fn a_redelivery_is_a_duplicate() {
    let e = event("order-older.json");
    let stored = LastSeen::after(None, Some("msg_9"), &e);
    assert_eq!(
        reconcile(Some(&stored), Some("msg_9"), &e),
        Decision::Duplicate(DuplicateReason::SameDelivery {
            event_id: "msg_9".to_owned()
        })
    );
}

#[test]
fn an_out_of_order_delivery_never_regresses_the_status() {
    let stored = LastSeen::after(None, Some("m1"), &event("validated.json"));
    let newer = event("order-newer.json");
    let older = event("order-older.json");
    // The newer change (WEBSITE_DOWN -> CONNECTED) arrives first: its old.status is not
    // what is stored (CONNECTED), so the older one was missed: a gap.
    assert!(matches!(
        reconcile(Some(&stored), Some("m3"), &newer),
        Decision::Gap { .. }
    ));
    // After polling, the integrator stores the newer state; the older one then arrives.
    let polled = LastSeen::after(Some(&stored), Some("m3"), &newer);
    match reconcile(Some(&polled), Some("m2"), &older) {
        Decision::Stale { stored, incoming } => assert!(incoming < stored),
        other => panic!("{other}"),
    }
}

#[test]
fn a_gap_advises_polling() {
    let stored = LastSeen::after(None, Some("m1"), &event("validated.json"));
    let decision = reconcile(Some(&stored), Some("m2"), &event("gap.json"));
    assert_eq!(
        decision,
        Decision::Gap {
            stored: S::Connected.into(),
            event_old: Some(S::WebsiteDown.into()),
            incoming: S::NoAccountsFound.into(),
        }
    );
    assert!(
        decision
            .to_string()
            .contains("poll GET /connection/{id}/details")
    );
}

#[test]
fn a_change_without_a_timestamp_or_old_status_cannot_be_ordered() {
    let stored = LastSeen::after(None, Some("m1"), &event("validated.json"));
    assert!(matches!(
        reconcile(Some(&stored), Some("m2"), &event("null-timestamps.json")),
        Decision::Gap {
            event_old: None,
            ..
        }
    ));
}

#[test]
fn another_connections_record_is_refused() {
    let stored = LastSeen::after(None, None, &event("minimal.json"));
    assert!(matches!(
        reconcile(Some(&stored), None, &event("validated.json")),
        Decision::OtherConnection { .. }
    ));
}

#[test]
fn the_stored_record_round_trips_and_keeps_a_bounded_id_window() {
    let e = event("validated.json");
    let mut stored = LastSeen::after(None, Some("first"), &e);
    for i in 0..100 {
        stored.remember(&format!("m{i}"));
    }
    assert_eq!(stored.recent_event_ids.len(), webhook::RECENT_EVENT_IDS);
    assert_eq!(
        stored.recent_event_ids.last().map(String::as_str),
        Some("m99")
    );
    let json = serde_json::to_string(&stored).expect("ser");
    assert_eq!(serde_json::from_str::<LastSeen>(&json).expect("de"), stored);
}

#[test]
fn derived_notifications() {
    let change = |from: S, to: S| match reconcile(
        Some(&LastSeen {
            connection_id: "c".into(),
            status: from.into(),
            status_last_update_time: None,
            recent_event_ids: vec![],
        }),
        None,
        &Webhook {
            event_type: EventType::Updated.into(),
            protected_changes: vec!["status".into()],
            old: Some(webhook::OldValues {
                status: Some(from.into()),
                ..Default::default()
            }),
            connection: webhook::ConnectionPayload::new("c", to),
        },
    ) {
        Decision::Apply { notifications, .. } => notifications.iter().collect::<Vec<_>>(),
        other => panic!("{other}"),
    };
    use Notification as N;
    assert_eq!(
        change(S::Connected, S::MfaTokenExpired),
        vec![N::EnteredCredentialError]
    );
    assert_eq!(change(S::MfaTokenExpired, S::Connected), vec![N::Recovered]);
    assert_eq!(change(S::Connected, S::Deactivated), vec![N::Deactivated]);
    assert_eq!(change(S::Deactivated, S::Connected), vec![N::Activated]);
    assert_eq!(
        change(S::Deactivated, S::PasswordIncorrect),
        vec![N::EnteredCredentialError, N::Activated]
    );
    assert_eq!(
        change(S::Connected, S::CompanyInactive),
        vec![N::CompanyDeactivated]
    );
    assert_eq!(
        change(S::CompanyInactive, S::Deactivated),
        vec![N::Deactivated, N::CompanyReactivated]
    );
    assert_eq!(change(S::Pending, S::Connected), Vec::<N>::new());
}

#[test]
fn nectar_events_for_a_test_double() {
    let created = event("created.json").connection;
    let connected = event("validated.json").connection;
    let events = nectar_events(None, &created);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, EventType::Created.into());
    let events = nectar_events(Some(&created), &connected);
    let kinds: Vec<_> = events.iter().map(|e| e.event_type.clone()).collect();
    assert_eq!(
        kinds,
        vec![EventType::Updated.into(), EventType::Validated.into()]
    );
    assert!(events[0].protected_changes.contains(&"status".to_owned()));
    assert_eq!(events[0].previous_status(), Some(&S::Pending.into()));
    // Timestamp-only changes fire nothing.
    let mut later = connected.clone();
    later.status_last_update_time = None;
    later.updated = Some("2027-01-01T00:00:00Z".into());
    assert!(nectar_events(Some(&connected), &later).is_empty());
    // What the double sends, the handler reads and applies exactly once.
    let mut stored = Some(LastSeen::after(None, Some("0"), &events[0]));
    stored = stored.map(|s| LastSeen {
        status: S::Pending.into(),
        ..s
    });
    let mut applied = 0;
    for (i, e) in events.iter().enumerate() {
        let bytes = serde_json::to_vec(e).expect("ser");
        let parsed = webhook::parse(&bytes).expect("parse");
        let id = format!("m{i}");
        if let Decision::Apply { .. } = reconcile(stored.as_ref(), Some(&id), &parsed) {
            stored = Some(LastSeen::after(stored.as_ref(), Some(&id), &parsed));
            applied += 1;
        }
    }
    assert_eq!(applied, 1);
    assert_eq!(stored.map(|s| s.status), Some(S::Connected.into()));
}
