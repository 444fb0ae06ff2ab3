//! Behaviours no other test pinned, found by mutation testing (`cargo mutants -p
//! nectar-lifecycle-webhook -f webhook/src/record.rs -f webhook/src/changes.rs -f
//! webhook/src/poll.rs --all-features`): each test names the behaviour, and would fail with
//! the mutant it was written for (noted beside it).

use crate::event;
use nectar_lifecycle_core::{
    AccountCategory, AccountStatus as A, ConnectionStatus as S, ObservedAccount,
    TrackingStatus as T,
};
use nectar_lifecycle_webhook::{
    AccountChange, AccountPayload, Changes, ConnectionPayload, Decision, Gap, Notification,
    Observation, Record, Reported, Version, reconcile,
};

fn at(timestamp: &str) -> Option<jiff::Timestamp> {
    Some(timestamp.parse().expect("timestamp"))
}

/// Connection `c` showing `status`, last updated at `updated`, with `accounts` (id, status,
/// tracking).
fn connection(status: S, updated: &str, accounts: &[(&str, A, T)]) -> ConnectionPayload {
    let accounts = accounts
        .iter()
        .map(|&(id, status, tracking)| AccountPayload {
            id: Some(id.into()),
            status: Some(status.into()),
            tracking_status: Some(tracking.into()),
            ..AccountPayload::default()
        });
    ConnectionPayload {
        updated: Some(updated.into()),
        accounts: accounts.collect(),
        ..ConnectionPayload::new("c", status)
    }
}

/// The changes from `before` to the newer snapshot `after`, which must be applied.
fn applied(before: &ConnectionPayload, after: &ConnectionPayload) -> Changes {
    match reconcile(
        Some(&Record::new(before.clone())),
        Observation::Snapshot(after),
    ) {
        Decision::Apply(changes) => changes,
        other => panic!("expected apply, got {other}"),
    }
}

/// One account change of each kind, with the `Display` each should have.
fn one_of_each() -> [(AccountChange, &'static str); 5] {
    [
        (
            AccountChange::Added {
                account: "d".into(),
                status: Some(A::Detected.into()),
                tracking: Some(T::Unset.into()),
                remediation: None,
            },
            "account d added (DETECTED)",
        ),
        (
            AccountChange::Added {
                account: "e".into(),
                status: None,
                tracking: None,
                remediation: None,
            },
            "account e added (unreported)",
        ),
        (
            AccountChange::StatusChanged {
                account: "a".into(),
                from: Some(A::PullCompleted.into()),
                to: Some(A::OldAccount.into()),
                remediation: None,
            },
            "account a: PULL_COMPLETED -> OLD_ACCOUNT",
        ),
        (
            AccountChange::TrackingChanged {
                account: "b".into(),
                from: Some(T::Enabled.into()),
                to: None,
            },
            "account b: tracking ENABLED -> unreported",
        ),
        (
            AccountChange::Removed {
                account: "c".into(),
                last_status: Some(Reported::Unknown("ARCHIVED".into())),
            },
            "account c removed (was ARCHIVED (unknown))",
        ),
    ]
}

// `AccountChange::account` -> "" or "xyzzy".
#[test]
fn every_account_change_names_its_account() {
    let changes = one_of_each();
    let named: Vec<&str> = changes.iter().map(|(change, _)| change.account()).collect();
    assert_eq!(named, ["d", "e", "a", "b", "c"]);
}

// `<impl Display for AccountChange>::fmt` -> `Ok(())`.
#[test]
fn an_account_change_reads_as_what_happened_to_the_account() {
    for (change, shown) in one_of_each() {
        assert_eq!(change.to_string(), shown);
    }
}

// `AccountChange::category` -> `None`.
#[test]
fn an_account_change_has_the_category_of_the_status_it_leads_to() {
    let categories: Vec<Option<AccountCategory>> = one_of_each()
        .iter()
        .map(|(change, _)| change.category())
        .collect();
    assert_eq!(
        categories,
        [
            Some(AccountCategory::Healthy),  // added DETECTED
            None,                            // added, status unreported
            Some(AccountCategory::Terminal), // -> OLD_ACCOUNT
            None,                            // a tracking change
            None,                            // removed
        ]
    );
}

// `awaits_tracking_decision` -> `true`, and its `&&` -> `||`.
#[test]
fn only_a_new_detected_account_with_unset_tracking_awaits_a_decision() {
    let added = |status: A, tracking: Option<T>| AccountChange::Added {
        account: "n".into(),
        status: Some(status.into()),
        tracking: tracking.map(Reported::from),
        remediation: None,
    };
    assert!(added(A::Detected, Some(T::Unset)).awaits_tracking_decision());
    assert!(added(A::Detected, None).awaits_tracking_decision());
    assert!(!added(A::Detected, Some(T::Enabled)).awaits_tracking_decision());
    assert!(!added(A::PullCompleted, Some(T::Unset)).awaits_tracking_decision());
    for (change, _) in one_of_each().into_iter().skip(1) {
        assert!(!change.awaits_tracking_decision(), "{change}");
    }
    // So an account that arrives already tracked asks nothing of the integrator.
    let before = connection(S::Connected, "2026-11-25T09:00:00Z", &[]);
    let after = connection(
        S::Connected,
        "2026-11-25T10:00:00Z",
        &[("n", A::PullCompleted, T::Enabled)],
    );
    assert!(applied(&before, &after).notifications.is_empty());
}

// In `notifications`, `StatusChanged && -> OLD_ACCOUNT` with `||`.
#[test]
fn only_a_status_change_to_old_account_notifies_a_closed_account() {
    let followed = ("a", A::PullCompleted, T::Enabled);
    let before = connection(S::Connected, "2026-11-25T09:00:00Z", &[followed]);
    // Another status change of a followed account, and an account first seen closed.
    let after = connection(
        S::Connected,
        "2026-11-25T10:00:00Z",
        &[
            ("a", A::NoDocumentsFound, T::Enabled),
            ("z", A::OldAccount, T::Enabled),
        ],
    );
    let changes = applied(&before, &after);
    assert_eq!(changes.accounts.len(), 2, "{changes}");
    assert!(changes.notifications.is_empty(), "{changes}");
    // The followed account closing does.
    let closed = connection(
        S::Connected,
        "2026-11-25T10:00:00Z",
        &[("a", A::OldAccount, T::Enabled)],
    );
    assert_eq!(
        applied(&before, &closed)
            .notifications
            .iter()
            .collect::<Vec<_>>(),
        [Notification::AccountClosed]
    );
}

// `<impl Display for Changes>::fmt` -> `Ok(())`, and its guard `*from != self.to` -> `true`,
// `false`, or `==`.
#[test]
fn changes_read_as_the_status_change_then_what_else_changed() {
    let before = connection(S::Connected, "2026-11-25T09:00:00Z", &[]);
    let failed = connection(S::PasswordIncorrect, "2026-11-25T10:00:00Z", &[]);
    assert_eq!(
        applied(&before, &failed).to_string(),
        "CONNECTED -> PASSWORD_INCORRECT; fields: status, updated; \
         notifications: entered_credential_error"
    );
    let renamed = ConnectionPayload {
        external_id: Some("my-conn-001".into()),
        ..connection(
            S::Connected,
            "2026-11-25T10:00:00Z",
            &[("a", A::Detected, T::Unset)],
        )
    };
    assert_eq!(
        applied(&before, &renamed).to_string(),
        "CONNECTED (status unchanged); fields: externalId, updated, accounts; \
         account a added (DETECTED); notifications: accounts_detected"
    );
    let first = reconcile(None, Observation::Snapshot(&before));
    assert!(
        first
            .to_string()
            .starts_with("apply: first seen as CONNECTED; fields: status, "),
        "{first}"
    );
}

// `Version::order`: the guard `a != b` -> `false` or `==`.
#[test]
fn without_updated_the_status_time_orders_observations() {
    let timed = |status: S, time: &str| ConnectionPayload {
        status_last_update_time: at(time),
        ..ConnectionPayload::new("c", status)
    };
    let stored = Record::new(timed(S::Connected, "2026-12-09T09:00:00Z"));
    let older = timed(S::WebsiteDown, "2026-12-02T09:00:00Z");
    let decision = reconcile(Some(&stored), Observation::Snapshot(&older));
    assert!(matches!(decision, Decision::Stale { .. }), "{decision}");
    let newer = timed(S::WebsiteDown, "2026-12-16T09:00:00Z");
    let decision = reconcile(Some(&stored), Observation::Snapshot(&newer));
    assert!(matches!(decision, Decision::Apply(_)), "{decision}");
}

// `Version::order`: the guard `a != b` -> `true` (documented: `None` when nothing orders them;
// `reconcile` treats `Some(Equal)` and `None` alike, so only the function shows it).
#[test]
fn versions_with_the_same_status_time_and_no_updated_are_unordered() {
    let v = |updated: Option<&str>, status_time: &str| Version {
        updated: updated.and_then(at),
        status_last_update_time: at(status_time),
    };
    let same = v(None, "2026-12-02T09:00:00Z");
    assert_eq!(same.order(&same), None);
    assert_eq!(
        v(Some("2026-12-02T09:00:00Z"), "2026-12-02T09:00:00Z")
            .order(&v(Some("2026-12-02T09:00:00Z"), "2026-12-02T09:00:00Z")),
        Some(core::cmp::Ordering::Equal)
    );
}

// `<impl Display for Version>::fmt` -> `Ok(())`.
#[test]
fn a_stale_or_unordered_decision_names_both_versions() {
    let stored = Record::new(event("order-newer.json").connection);
    let older = event("order-older.json");
    let stale = reconcile(Some(&stored), Observation::Snapshot(&older.connection));
    assert_eq!(
        stale.to_string(),
        "stale: updated 2026-12-02T09:00:00Z is older than the stored updated 2026-12-09T09:00:00Z"
    );
    let unordered = Decision::Gap(Gap::Unordered {
        stored: Version {
            updated: None,
            status_last_update_time: at("2026-12-02T09:00:00Z"),
        },
        incoming: Version {
            updated: None,
            status_last_update_time: None,
        },
    });
    assert_eq!(
        unordered.to_string(),
        "gap: no version cannot be ordered against the stored statusLastUpdateTime \
         2026-12-02T09:00:00Z; poll GET /connection/{id}/details"
    );
}

// In the earlier form's conversion, `status_last_update_time` deleted.
#[test]
fn a_record_in_the_earlier_form_orders_by_its_status_time() {
    let record: Record = serde_json::from_str(
        r#"{"connectionId":"a6c70a54-34e7-4277-80b0-412869ce087c","status":"CONNECTED",
            "statusLastUpdateTime":"2026-12-09T09:00:00Z","recentEventIds":[]}"#,
    )
    .expect("the earlier form reads");
    assert_eq!(
        record.connection.status_last_update_time,
        at("2026-12-09T09:00:00Z")
    );
    // An older change that follows the stored status is stale, not applied over it.
    let older = event("order-older.json");
    let delivery = Observation::Delivery {
        id: Some("m"),
        webhook: &older,
    };
    let decision = reconcile(Some(&record), delivery);
    assert!(matches!(decision, Decision::Stale { .. }), "{decision}");
}

// `observe_accounts` -> an empty map.
#[test]
fn the_record_observes_each_followed_account_and_holds_its_status_under_an_overlay() {
    let mut before = connection(
        S::Connected,
        "2026-11-25T09:00:00Z",
        &[
            ("a", A::PullCompleted, T::Enabled),
            ("u", A::PullCompleted, T::Enabled),
        ],
    );
    // An unknown status is not observed.
    before.accounts[1].status = Some(Reported::Unknown("ARCHIVED".into()));
    let record = Record::new(before);
    let seen = ObservedAccount::observe(A::PullCompleted, T::Enabled, None).expect("valid");
    assert_eq!(
        record.observed_accounts.iter().collect::<Vec<_>>(),
        [(&"a".to_owned(), &seen)]
    );
    let covered = connection(
        S::CompanyInactive,
        "2026-11-25T10:00:00Z",
        &[("a", A::CompanyInactive, T::Enabled)],
    );
    let snapshot = Observation::Snapshot(&covered);
    let decision = reconcile(Some(&record), snapshot);
    let after = Record::after(Some(&record), snapshot, &decision).expect("applied");
    let held = after.observed_accounts.get("a").expect("followed");
    assert_eq!(held.status(), Some(A::CompanyInactive));
    assert_eq!(held.own_status(), Some(A::PullCompleted));
}
