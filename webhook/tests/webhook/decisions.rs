//! The webhook layer against a corpus of payloads built from the documented shapes
//! (`support/fixtures/webhooks/`): parsing, verdicts, reconciliation, bad input.

use nectar_lifecycle_core::remediation::Remediation;
use nectar_lifecycle_core::{AccountStatus, ConnectionStatus as S};
use nectar_lifecycle_webhook::{
    self as webhook, Assessment, Decision, DuplicateReason, EventType, LastSeen, Notification,
    Reported, Verdict, Webhook, WebhookError, nectar_events, reconcile,
};

use nectar_lifecycle_support::{webhook_fixture as fixture, webhook_fixtures};

fn event(name: &str) -> Webhook {
    webhook::parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

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
fn an_unknown_status_is_kept_and_judged_as_unknown() {
    let e = event("unknown-status.json");
    assert_eq!(
        e.connection.status,
        Reported::Unknown("PAUSED_BY_PROVIDER".to_owned())
    );
    let a = e.assess();
    assert_eq!(
        a.verdict,
        Verdict::UnknownStatus {
            from: "CONNECTED".to_owned(),
            to: "PAUSED_BY_PROVIDER".to_owned()
        }
    );
    assert_eq!((a.category, a.remediation, a.advice), (None, None, None));
}

#[test]
fn the_sandbox_alias_is_a_known_status() {
    let e = event("incorrect-password-alias.json");
    assert_eq!(e.connection.status, S::PasswordIncorrect.into());
    let a = e.assess();
    assert!(
        matches!(a.verdict, Verdict::Documented { .. }),
        "{}",
        a.verdict
    );
    assert!(a.collection_halted);
    assert!(matches!(a.remediation, Some(Remediation::Reconnect { .. })));
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

#[test]
fn verdicts() {
    let documented = event("updated-status.json").assess();
    assert!(matches!(documented.verdict, Verdict::Documented { .. }));
    assert_eq!(documented.remediation, Some(Remediation::Nothing));
    let operational = Assessment::of(Some(&S::WebsiteDown.into()), &S::PasswordIncorrect.into());
    match operational.verdict {
        Verdict::OperationalOnly { reason, .. } => assert!(reason.contains("weekly")),
        other => panic!("{other:?}"),
    }
    let unlisted = Assessment::of(Some(&S::PasswordIncorrect.into()), &S::WebsiteDown.into());
    assert_eq!(
        unlisted.verdict,
        Verdict::Unlisted {
            from: S::PasswordIncorrect,
            to: S::WebsiteDown
        }
    );
    assert_eq!(
        event("updated-external-id.json").assess().verdict,
        Verdict::NoStatusChange
    );
}

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
fn bad_input_is_a_typed_error_naming_the_field() {
    match webhook::parse(&fixture("bad-truncated.json.txt")) {
        Err(WebhookError::Malformed { line: 1, .. }) => {}
        other => panic!("{other:?}"),
    }
    let field = |name: &str| match webhook::parse(&fixture(name)) {
        Err(WebhookError::Invalid { field, message }) => (field, message),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(field("bad-wrong-type.json").0, "isActive");
    assert!(
        field("bad-missing-id.json")
            .1
            .contains("missing field `id`")
    );
    assert_eq!(field("bad-account-type.json").0, "accounts[0].isTracked");
    assert_eq!(field("bad-timestamp.json").0, "statusLastUpdateTime");
    assert!(matches!(
        webhook::parse(b"[]"),
        Err(WebhookError::Invalid { .. })
    ));
    let trailing = br#"{"eventType":"x","id":"c","status":"CONNECTED"} {"#;
    assert!(matches!(
        webhook::parse(trailing),
        Err(WebhookError::Malformed { .. })
    ));
    assert!(matches!(
        webhook::parse(b""),
        Err(WebhookError::Malformed { .. })
    ));
}

#[test]
fn oversized_bodies_are_refused_before_parsing() {
    let body = vec![b' '; webhook::MAX_BODY_BYTES + 1];
    assert_eq!(
        webhook::parse(&body),
        Err(WebhookError::TooLarge {
            len: webhook::MAX_BODY_BYTES + 1,
            max: webhook::MAX_BODY_BYTES
        })
    );
    assert!(matches!(
        webhook::parse_with_limit(&fixture("minimal.json"), 10),
        Err(WebhookError::TooLarge { .. })
    ));
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
