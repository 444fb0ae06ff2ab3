//! One record per connection under at-least-once, unordered delivery and polling: the
//! decision, what changed, the notifications, the stored record, and what a test double of
//! Nectar sends.

use crate::event;
use nectar_lifecycle_core::remediation::account_remediation;
use nectar_lifecycle_core::{AccountStatus as A, ConnectionStatus as S, TrackingStatus as T};
use nectar_lifecycle_webhook::{
    self as webhook, AccountChange, AccountPayload, ConnectionPayload, Decision, DuplicateReason,
    EventType, Field, Gap, Notification, Observation, Record, Webhook, nectar_events, reconcile,
};

fn delivery<'a>(id: &'a str, webhook: &'a Webhook) -> Observation<'a> {
    Observation::Delivery {
        id: Some(id),
        webhook,
    }
}

/// The record after one observation applied on top of `stored`.
fn store(stored: Option<&Record>, observation: Observation<'_>) -> Record {
    let decision = reconcile(stored, observation);
    assert!(matches!(decision, Decision::Apply(_)), "{decision}");
    Record::after(stored, observation, &decision).expect("applied")
}

fn changes(decision: Decision) -> webhook::Changes {
    match decision {
        Decision::Apply(changes) => changes,
        other => panic!("expected apply, got {other}"),
    }
}

#[test]
fn the_updated_and_validated_pair_of_one_change_applies_once_in_either_order() {
    let stored = store(None, delivery("msg_0", &event("validated.json")));
    for (first, second) in [
        ("pair-updated.json", "pair-validated.json"),
        ("pair-validated.json", "pair-updated.json"),
    ] {
        let first = event(first);
        let decision = reconcile(Some(&stored), delivery("msg_1", &first));
        let applied = changes(decision.clone());
        assert!(
            applied
                .notifications
                .contains(Notification::EnteredCredentialError)
        );
        let after =
            Record::after(Some(&stored), delivery("msg_1", &first), &decision).expect("stored");
        assert_eq!(
            reconcile(Some(&after), delivery("msg_2", &event(second))),
            Decision::Duplicate(DuplicateReason::SameVersion)
        );
    }
}

/// The defect: a `connection.updated.v2` that changes only `externalId` (same status, same
/// `statusLastUpdateTime`, a new `svix-id`) was classed "already applied", and an integrator
/// following the decision dropped the change.
#[test]
fn a_field_change_with_the_same_status_is_applied_not_a_duplicate() {
    let mut before = event("validated.json");
    before.connection.external_id = Some("my-conn-000".into());
    let stored = store(None, delivery("msg_0", &before));
    let changed = event("updated-external-id.json");
    assert_eq!(changed.connection.status, stored.connection.status);
    assert_eq!(
        changed.connection.status_last_update_time,
        stored.connection.status_last_update_time
    );
    let decision = reconcile(Some(&stored), delivery("msg_1", &changed));
    let applied = changes(decision.clone());
    assert!(applied.fields.contains(Field::ExternalId), "{applied}");
    assert!(!applied.fields.contains(Field::Status));
    assert!(applied.notifications.is_empty());
    let after =
        Record::after(Some(&stored), delivery("msg_1", &changed), &decision).expect("stored");
    assert_eq!(after.connection.external_id.as_deref(), Some("my-conn-001"));
}

#[test]
fn a_field_change_without_updated_is_a_gap_and_the_poll_applies_it() {
    // No `updated` anywhere: the content differs, nothing orders it, so poll.
    let mut before = event("validated.json");
    before.connection.external_id = Some("my-conn-000".into());
    before.connection.updated = None;
    let mut after = event("updated-external-id.json");
    after.connection.updated = None;
    let stored = store(None, delivery("msg_0", &before));
    let decision = reconcile(Some(&stored), delivery("msg_1", &after));
    assert!(
        matches!(decision, Decision::Gap(Gap::Unordered { .. })),
        "{decision}"
    );
    assert!(
        decision
            .to_string()
            .contains("poll GET /connection/{id}/details")
    );
    // The delivery id is remembered, so its redelivery is recognised.
    let remembered =
        Record::after(Some(&stored), delivery("msg_1", &after), &decision).expect("id kept");
    assert_eq!(remembered.connection, stored.connection);
    // The poll returns the same content, as a snapshot: applied.
    let polled = changes(reconcile(
        Some(&remembered),
        Observation::Snapshot(&after.connection),
    ));
    assert!(polled.fields.contains(Field::ExternalId));
}

#[test]
fn a_redelivery_is_a_duplicate_and_changes_nothing() {
    let e = event("order-older.json");
    let stored = store(None, delivery("msg_9", &e));
    let decision = reconcile(Some(&stored), delivery("msg_9", &e));
    assert_eq!(decision, Decision::Duplicate(DuplicateReason::SameDelivery));
    assert_eq!(
        Record::after(Some(&stored), delivery("msg_9", &e), &decision),
        None
    );
}

#[test]
fn an_out_of_order_delivery_never_regresses_and_a_poll_closes_the_gap() {
    let stored = store(None, delivery("m1", &event("validated.json")));
    let older = event("order-older.json"); // CONNECTED -> WEBSITE_DOWN
    let newer = event("order-newer.json"); // WEBSITE_DOWN -> CONNECTED
    // The newer change arrives first: its old.status is not what is stored, so the older
    // one was missed: a gap.
    let decision = reconcile(Some(&stored), delivery("m3", &newer));
    assert_eq!(
        decision,
        Decision::Gap(Gap::Missed {
            stored: S::Connected.into(),
            event_old: S::WebsiteDown.into(),
            incoming: S::Connected.into(),
        })
    );
    let stored = Record::after(Some(&stored), delivery("m3", &newer), &decision).expect("id");
    // The poll answers Nectar's current state (the newer one): applied, with nothing to
    // notify (CONNECTED, down, and back again nets out).
    let polled = reconcile(Some(&stored), Observation::Snapshot(&newer.connection));
    let applied = changes(polled.clone());
    assert!(applied.notifications.is_empty(), "{applied}");
    let stored = Record::after(
        Some(&stored),
        Observation::Snapshot(&newer.connection),
        &polled,
    )
    .expect("stored");
    // The older one then arrives: stale, never applied.
    match reconcile(Some(&stored), delivery("m2", &older)) {
        Decision::Stale { stored, incoming } => {
            assert!(incoming.updated < stored.updated);
        }
        other => panic!("{other}"),
    }
    // And its redelivery after being remembered is the same delivery.
    let stale = reconcile(Some(&stored), delivery("m2", &older));
    let kept = Record::after(Some(&stored), delivery("m2", &older), &stale).expect("id kept");
    assert_eq!(kept.connection, stored.connection);
    assert_eq!(
        reconcile(Some(&kept), delivery("m2", &older)),
        Decision::Duplicate(DuplicateReason::SameDelivery)
    );
}

#[test]
fn a_poll_gives_the_notifications_of_the_missed_change() {
    let stored = store(None, delivery("m1", &event("validated.json")));
    // Missed: CONNECTED -> PASSWORD_INCORRECT. The poll finds it.
    let polled = event("pair-validated.json").connection;
    let applied = changes(reconcile(Some(&stored), Observation::Snapshot(&polled)));
    assert_eq!(applied.from, Some(S::Connected.into()));
    assert_eq!(applied.to, S::PasswordIncorrect.into());
    assert!(
        applied
            .notifications
            .contains(Notification::EnteredCredentialError)
    );
}

#[test]
fn a_gap_advises_polling() {
    let stored = store(None, delivery("m1", &event("validated.json")));
    let decision = reconcile(Some(&stored), delivery("m2", &event("gap.json")));
    assert_eq!(
        decision,
        Decision::Gap(Gap::Missed {
            stored: S::Connected.into(),
            event_old: S::WebsiteDown.into(),
            incoming: S::NoAccountsFound.into(),
        })
    );
    assert!(
        decision
            .to_string()
            .contains("poll GET /connection/{id}/details")
    );
}

#[test]
fn a_change_without_a_version_or_old_status_cannot_be_ordered() {
    let stored = store(None, delivery("m1", &event("validated.json")));
    assert!(matches!(
        reconcile(
            Some(&stored),
            delivery("m2", &event("null-timestamps.json"))
        ),
        Decision::Gap(Gap::Unordered { .. })
    ));
}

#[test]
fn another_connections_record_is_refused() {
    let stored = store(
        None,
        Observation::Snapshot(&event("minimal.json").connection),
    );
    let other = event("validated.json");
    let decision = reconcile(Some(&stored), delivery("m", &other));
    assert!(matches!(decision, Decision::OtherConnection { .. }));
    assert_eq!(
        Record::after(Some(&stored), delivery("m", &other), &decision),
        None
    );
}

#[test]
fn the_stored_record_round_trips_and_keeps_a_bounded_id_window() {
    let mut stored = store(None, delivery("first", &event("validated.json")));
    for i in 0..100 {
        stored.remember(&format!("m{i}"));
    }
    assert_eq!(stored.recent_event_ids.len(), webhook::RECENT_EVENT_IDS);
    assert_eq!(
        stored.recent_event_ids.last().map(String::as_str),
        Some("m99")
    );
    let json = serde_json::to_string(&stored).expect("ser");
    assert_eq!(serde_json::from_str::<Record>(&json).expect("de"), stored);
}

#[test]
fn a_record_stored_in_the_earlier_form_still_reads_and_decides() {
    let old = r#"{"connectionId":"a6c70a54-34e7-4277-80b0-412869ce087c","status":"CONNECTED",
        "statusLastUpdateTime":"2026-11-25T09:00:00Z","recentEventIds":["msg_0"]}"#;
    let record: Record = serde_json::from_str(old).expect("the earlier form reads");
    assert_eq!(record.connection.status, S::Connected.into());
    assert_eq!(record.operational_status(), Some(S::Connected));
    // The redelivery it remembers is still recognised, and a newer change applies.
    let pair = event("pair-updated.json");
    assert_eq!(
        reconcile(Some(&record), delivery("msg_0", &pair)),
        Decision::Duplicate(DuplicateReason::SameDelivery)
    );
    assert!(matches!(
        reconcile(Some(&record), delivery("msg_1", &pair)),
        Decision::Apply(_)
    ));
    let neither = serde_json::from_str::<Record>(r#"{"recentEventIds":[]}"#).unwrap_err();
    assert!(neither.to_string().contains("connectionId"), "{neither}");
}

#[test]
fn the_operational_status_under_an_overlay_is_kept_when_known() {
    let mut down = ConnectionPayload::new("c", S::WebsiteDown);
    down.updated = Some("2026-11-25T09:00:00Z".into());
    let stored = store(None, Observation::Snapshot(&down));
    assert_eq!(stored.operational_status(), Some(S::WebsiteDown));
    let mut off = ConnectionPayload::new("c", S::Deactivated);
    off.updated = Some("2026-11-25T10:00:00Z".into());
    let stored = store(Some(&stored), Observation::Snapshot(&off));
    assert_eq!(stored.operational_status(), Some(S::WebsiteDown));
    // First seen under an overlay: not known, not guessed.
    assert_eq!(
        store(None, Observation::Snapshot(&off)).operational_status(),
        None
    );
}

/// The notifications of a status change, from a stored record to a newer snapshot.
fn notified(from: S, to: S) -> Vec<Notification> {
    let mut before = ConnectionPayload::new("c", from);
    before.updated = Some("2026-11-25T09:00:00Z".into());
    let mut after = ConnectionPayload::new("c", to);
    after.updated = Some("2026-11-25T10:00:00Z".into());
    let stored = Record::new(before);
    changes(reconcile(Some(&stored), Observation::Snapshot(&after)))
        .notifications
        .iter()
        .collect()
}

#[test]
fn derived_notifications() {
    use Notification as N;
    assert_eq!(
        notified(S::Connected, S::MfaTokenExpired),
        vec![N::EnteredCredentialError]
    );
    assert_eq!(
        notified(S::MfaTokenExpired, S::Connected),
        vec![N::Recovered]
    );
    assert_eq!(notified(S::Connected, S::Deactivated), vec![N::Deactivated]);
    assert_eq!(notified(S::Deactivated, S::Connected), vec![N::Activated]);
    assert_eq!(
        notified(S::Deactivated, S::PasswordIncorrect),
        vec![N::EnteredCredentialError, N::Activated]
    );
    assert_eq!(
        notified(S::Connected, S::CompanyInactive),
        vec![N::CompanyDeactivated]
    );
    // The company covering a deactivated connection is no activation.
    assert_eq!(
        notified(S::Deactivated, S::CompanyInactive),
        vec![N::CompanyDeactivated]
    );
    assert_eq!(
        notified(S::CompanyInactive, S::Deactivated),
        vec![N::Deactivated, N::CompanyReactivated]
    );
    assert_eq!(notified(S::Pending, S::Connected), Vec::<N>::new());
    assert_eq!(notified(S::Connected, S::Connected), Vec::<N>::new());
}

fn account(id: &str, status: A, tracking: T) -> AccountPayload {
    AccountPayload {
        id: Some(id.into()),
        status: Some(status.into()),
        tracking_status: Some(tracking.into()),
        ..AccountPayload::default()
    }
}

#[test]
fn account_changes_are_typed_with_their_notifications() {
    let mut before = ConnectionPayload::new("c", S::Connected);
    before.updated = Some("2026-11-25T09:00:00Z".into());
    before.accounts = vec![
        account("a", A::PullCompleted, T::Enabled),
        account("b", A::PullCompleted, T::Enabled),
        account("c", A::Onboarded, T::Enabled),
    ];
    let mut after = before.clone();
    after.updated = Some("2026-11-25T10:00:00Z".into());
    after.accounts = vec![
        account("a", A::OldAccount, T::Enabled),
        account("b", A::PullCompleted, T::Disabled),
        account("d", A::Detected, T::Unset),
    ];
    let applied = changes(reconcile(
        Some(&Record::new(before)),
        Observation::Snapshot(&after),
    ));
    assert_eq!(
        applied.fields.iter().collect::<Vec<_>>(),
        [Field::Updated, Field::Accounts]
    );
    assert_eq!(
        applied.accounts,
        vec![
            AccountChange::StatusChanged {
                account: "a".into(),
                from: Some(A::PullCompleted.into()),
                to: Some(A::OldAccount.into()),
                remediation: Some(account_remediation(A::OldAccount)),
            },
            AccountChange::TrackingChanged {
                account: "b".into(),
                from: Some(T::Enabled.into()),
                to: Some(T::Disabled.into()),
            },
            AccountChange::Added {
                account: "d".into(),
                status: Some(A::Detected.into()),
                tracking: Some(T::Unset.into()),
                remediation: Some(account_remediation(A::Detected)),
            },
            AccountChange::Removed {
                account: "c".into(),
                last_status: Some(A::Onboarded.into()),
            },
        ]
    );
    assert!(applied.accounts[2].awaits_tracking_decision());
    assert_eq!(
        applied.notifications.iter().collect::<Vec<_>>(),
        [Notification::AccountsDetected, Notification::AccountClosed]
    );
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
    // What the double sends, the handler reads and applies exactly once, in either order.
    for order in [[0, 1], [1, 0]] {
        let mut stored = Some(Record::new(created.clone()));
        let mut applied = 0;
        for i in order {
            let bytes = serde_json::to_vec(&events[i]).expect("ser");
            let parsed = webhook::parse(&bytes).expect("parse");
            let id = format!("m{i}");
            let seen = delivery(&id, &parsed);
            let decision = reconcile(stored.as_ref(), seen);
            applied += usize::from(matches!(decision, Decision::Apply(_)));
            if let Some(next) = Record::after(stored.as_ref(), seen, &decision) {
                stored = Some(next);
            }
        }
        assert_eq!(applied, 1);
        assert_eq!(
            stored.map(|s| s.connection.status),
            Some(S::Connected.into())
        );
    }
}
