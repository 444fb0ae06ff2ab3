//! Observations: every valid state, observed through what the API shows of it along a path
//! from creation, agrees with the real machine; what an observation cannot see stays
//! unknown and is never contradicted by the machine; contradictory observations are typed
//! errors; observations round-trip through serde.

use std::collections::BTreeMap;
use std::fmt::Debug;

use nectar_lifecycle_core::{
    Account, AccountEvent, AccountStatus as A, Applied, Connection, ConnectionEvent as E,
    ConnectionStatus as S, EnumSet, Enumerated, InvalidState, Machine, ObservedAccount,
    ObservedConnection, ObservedRejected, ObservedTransition, Rules, TrackingStatus as T,
    policy::{Collection, Scheduled},
};

const RULES: [Rules; 2] = [Rules::Documented, Rules::Operational];

/// Every state reachable from `start` through the table, with the path that reaches it
/// first (breadth first, events in declaration order), `start` included.
fn paths<M: Machine + Ord>(start: M) -> Vec<Vec<M>> {
    let mut parent = BTreeMap::from([(start, None)]);
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(state) = queue.pop_front() {
        for &event in M::Event::ALL {
            let mut next = state;
            if next.apply(event).is_ok() && !parent.contains_key(&next) {
                parent.insert(next, Some(state));
                queue.push_back(next);
            }
        }
    }
    parent
        .keys()
        .map(|&end| {
            let mut path = vec![end];
            while let Some(&Some(previous)) = parent.get(path.last().expect("non-empty")) {
                path.push(previous);
            }
            path.reverse();
            path
        })
        .collect()
}

/// What the API shows of `conn` (its `status` and `isActive`, or `isActive` left out),
/// observed after `before`.
fn observe(
    conn: &Connection,
    is_active_reported: bool,
    before: Option<&ObservedConnection>,
) -> ObservedConnection {
    let is_active = is_active_reported.then(|| conn.is_active());
    ObservedConnection::observe(conn.rules(), conn.status(), is_active, before)
        .unwrap_or_else(|e| panic!("{conn:?}: {e}"))
}

/// Whether what `seen` knows is true of `conn`: nothing known contradicts the machine. The
/// fresh-cycle flag is not reported by the API, so it is read, not known (the manual); it is
/// compared along paths from creation, not here.
fn consistent(seen: &ObservedConnection, conn: &Connection) -> bool {
    seen.status().is_none_or(|s| s == conn.status())
        && seen
            .operational_status()
            .is_none_or(|s| s == conn.operational_status())
        && seen.overlays().iter().all(|o| conn.overlays().contains(o))
        && seen.is_active().is_none_or(|a| a == conn.is_active())
        && seen
            .connection()
            .is_none_or(|c| c.with_cycle_pending(conn.is_cycle_pending()) == Ok(*conn))
}

fn consistent_account(seen: &ObservedAccount, account: &Account) -> bool {
    seen.status().is_none_or(|s| s == account.status())
        && seen.own_status().is_none_or(|s| s == account.own_status())
        && seen.tracking() == account.tracking()
        && seen
            .overlays()
            .iter()
            .all(|o| account.overlays().contains(o))
        && seen
            .is_parent_blocked()
            .is_none_or(|b| b == account.is_parent_blocked())
        && seen.account().is_none_or(|a| a == *account)
}

/// The outcomes of one event applied to an observation and to the machine.
type Outcomes<St, Ev> = (
    Result<ObservedTransition<St, Ev>, ObservedRejected<St, Ev>>,
    Applied<St, Ev>,
);

/// The observed and the real outcome of one event agree: the table's same rejection, or the
/// machine's edge wherever the observed one is known (all of it when `exact`), after which
/// the observation is `still` true of the machine; an event the observation cannot judge
/// leaves its status (`shown_after`) unknown.
fn assert_agree<St: Copy + PartialEq + Debug, Ev: Enumerated + Debug>(
    outcomes: Outcomes<St, Ev>,
    shown_after: Option<St>,
    still: bool,
    exact: bool,
    context: impl Debug,
) {
    match outcomes {
        (Ok(t), Ok(real)) => {
            assert!(!exact || t == real.into(), "{context:?}");
            assert_eq!((t.event, t.provenance), (real.event, real.provenance));
            assert!(t.from.is_none_or(|s| s == real.from), "{context:?}");
            assert!(t.to.is_none_or(|s| s == real.to), "{context:?}");
            assert!(still, "{context:?}");
        }
        (Err(ObservedRejected::Rejected(e)), Err(real)) => assert_eq!(e, real, "{context:?}"),
        (Err(ObservedRejected::StatusUnknown { .. }), _) if !exact => {
            assert_eq!(shown_after, None, "{context:?}");
        }
        (seen, real) => panic!("{context:?}: {seen:?} vs {real:?}"),
    }
}

#[test]
fn every_state_observed_along_a_path_is_known_and_agrees_with_the_machine() {
    for rules in RULES {
        let paths = paths(Connection::new(rules));
        if rules == Rules::Operational {
            assert_eq!(
                paths.len(),
                Connection::all_states(rules).count(),
                "every valid state is reached"
            );
        }
        for path in &paths {
            for is_active_reported in [true, false] {
                let mut before = None;
                for conn in path {
                    let seen = observe(conn, is_active_reported, before.as_ref());
                    assert_eq!(seen.status(), Some(conn.status()), "{conn:?}");
                    assert_eq!(seen.connection(), Some(*conn), "{path:?}");
                    assert_eq!(seen.collection(), Some(conn.collection()), "{conn:?}");
                    assert_eq!(seen.allowed_events(), conn.allowed_events(), "{conn:?}");
                    before = Some(seen);
                }
            }
        }
    }
}

#[test]
fn a_first_observation_knows_what_shows_and_nothing_under_an_overlay() {
    for rules in RULES {
        for conn in Connection::all_states(rules) {
            for is_active_reported in [true, false] {
                let seen = observe(&conn, is_active_reported, None);
                assert!(consistent(&seen, &conn), "{conn:?}");
                assert_eq!(seen.status(), Some(conn.status()));
                // The fresh-cycle flag is read, not reported: the policy agrees given it.
                let as_read = conn
                    .with_cycle_pending(seen.is_cycle_pending())
                    .unwrap_or(conn);
                assert_eq!(seen.collection(), Some(as_read.collection()), "{conn:?}");
                let overlaid = !conn.overlays().is_empty();
                assert_eq!(seen.operational_status().is_none(), overlaid, "{conn:?}");
                assert_eq!(seen.connection().is_none(), overlaid, "{conn:?}");
                let hidden = !is_active_reported && conn.status() == S::CompanyInactive;
                assert_eq!(seen.is_active().is_none(), hidden, "{conn:?}");
            }
        }
    }
}

/// What an observation says after an event is never contradicted by what the machine does:
/// the table's rejections are the machine's, and an unknown is never filled by a guess. An
/// observation known whole takes exactly the machine's edge.
#[test]
fn applying_an_event_to_an_observation_never_contradicts_the_machine() {
    for rules in RULES {
        for conn in Connection::all_states(rules) {
            for (start, exact) in [(observe(&conn, false, None), false), (conn.into(), true)] {
                for &event in E::ALL {
                    let (mut seen, mut real) = (start, conn);
                    let outcome = (seen.apply(event), real.apply(event));
                    let still =
                        consistent(&seen, &real) && (!exact || seen.connection() == Some(real));
                    assert_agree(outcome, seen.status(), still, exact, (conn, event));
                }
            }
        }
    }
}

#[test]
fn activation_after_an_observed_deactivation_restores_the_held_status() {
    for rules in RULES {
        for &held in S::ALL.iter().filter(|s| s.is_operational()) {
            let shown = ObservedConnection::observe(rules, held, Some(true), None).expect("shown");
            let mut off =
                ObservedConnection::observe(rules, S::Deactivated, Some(false), Some(&shown))
                    .expect("off");
            assert_eq!(off.operational_status(), Some(held));
            let t = off.apply(E::Activate).expect("activate");
            assert_eq!((t.from, t.to), (Some(S::Deactivated), Some(held)));

            let mut real = Connection::from_parts(rules, held, EnumSet::empty()).expect("valid");
            real.apply(E::Deactivate).expect("deactivate");
            real.apply(E::Activate).expect("activate");
            assert_eq!(off.connection(), Some(real), "a fresh cycle began");
            assert_eq!(off.collection(), Some(real.collection()));
        }
    }
}

#[test]
fn activation_after_a_first_observed_deactivation_is_unknown_until_the_next_observation() {
    let rules = Rules::Operational;
    let first = ObservedConnection::observe(rules, S::Deactivated, None, None).expect("off");
    let mut on = first;
    let t = on.apply(E::Activate).expect("activate");
    assert_eq!((t.from, t.to), (Some(S::Deactivated), None));
    assert_eq!(
        t.to_string(),
        "DEACTIVATED --Activated (isActive true)--> unknown (system)"
    );
    assert_eq!((on.status(), on.operational_status()), (None, None));
    assert_eq!(
        (on.is_active(), on.connection(), on.collection()),
        (Some(true), None, None)
    );

    // Whatever the status is, it can be deactivated again; nothing else can be judged.
    assert_eq!(
        on.allowed_events(),
        EnumSet::from([E::Deactivate, E::CompanyDeactivated])
    );
    let err = on.clone().apply(E::WeeklyCheckPassed).expect_err("unknown");
    assert_eq!(
        err,
        ObservedRejected::StatusUnknown {
            event: E::WeeklyCheckPassed,
            allowed: on.allowed_events()
        }
    );
    assert!(err.to_string().contains("the next observation will tell"));
    let mut again = on;
    assert_eq!(
        again.apply(E::Deactivate).expect("off").to,
        Some(S::Deactivated)
    );
    assert_eq!(
        (again.status(), again.operational_status(), again.overlays()),
        (first.status(), first.operational_status(), first.overlays()),
        "back to knowing only that it is deactivated"
    );
    assert!(
        again.is_cycle_pending(),
        "the activation began a fresh cycle"
    );

    // The next observation tells, and the fresh cycle the activation began is still pending.
    for &status in S::ALL.iter().filter(|s| s.is_operational()) {
        let next = ObservedConnection::observe(rules, status, None, Some(&on)).expect("seen");
        let real = Connection::from_parts(rules, status, EnumSet::empty())
            .and_then(|c| c.with_cycle_pending(true))
            .expect("valid");
        assert_eq!(next.connection(), Some(real), "{status}");
    }
}

#[test]
fn company_reactivation_over_an_unreported_is_active_is_unknown() {
    let rules = Rules::Operational;
    let mut seen =
        ObservedConnection::observe(rules, S::CompanyInactive, None, None).expect("seen");
    assert_eq!(seen.is_active(), None);
    assert_eq!(
        seen.collection(),
        Some(Collection::StoppedBySystem {
            status: S::CompanyInactive,
            resume: E::CompanyReactivated
        })
    );
    let t = seen.apply(E::CompanyReactivated).expect("reactivated");
    assert_eq!(t.to, None, "DEACTIVATED or the operational status: unknown");
    assert_eq!(seen.is_active(), None);
    // Deactivating needs an active connection, activating a deactivated one: unknown.
    assert_eq!(
        seen.allowed_events(),
        EnumSet::from([E::CompanyDeactivated])
    );
    assert!(matches!(
        seen.apply(E::Activate),
        Err(ObservedRejected::StatusUnknown { .. })
    ));
    // Reported in the payload, `isActive` is known under the company's overlay.
    let reported =
        ObservedConnection::observe(rules, S::CompanyInactive, Some(false), None).expect("seen");
    let mut lifted = reported;
    assert_eq!(
        lifted.apply(E::CompanyReactivated).expect("lift").to,
        Some(S::Deactivated)
    );
}

#[test]
fn contradictory_connection_observations_are_typed_errors() {
    for rules in RULES {
        for &status in S::ALL {
            let result = ObservedConnection::observe(rules, status, Some(false), None);
            if status.is_operational() {
                let err = result.expect_err("isActive false shows DEACTIVATED");
                assert_eq!(
                    err,
                    InvalidState::ActiveFlagDisagrees {
                        status,
                        is_active: false
                    }
                );
                assert!(
                    err.to_string()
                        .starts_with("isActive false contradicts the status")
                );
            } else {
                assert!(result.is_ok(), "{status}");
            }
        }
        assert_eq!(
            ObservedConnection::observe(rules, S::Deactivated, Some(true), None),
            Err(InvalidState::ActiveFlagDisagrees {
                status: S::Deactivated,
                is_active: true
            })
        );
        assert!(ObservedConnection::observe(rules, S::CompanyInactive, Some(true), None).is_ok());
    }
}

/// What the API shows of `account`, observed after `before`.
fn observe_account(account: &Account, before: Option<&ObservedAccount>) -> ObservedAccount {
    ObservedAccount::observe(account.status(), account.tracking(), before)
        .unwrap_or_else(|e| panic!("{account:?}: {e}"))
}

#[test]
fn every_account_state_observed_along_a_path_is_known_and_agrees_with_the_machine() {
    let paths = paths(Account::new());
    assert!(paths.len() > 1);
    for path in &paths {
        let mut before = None;
        for account in path {
            let seen = observe_account(account, before.as_ref());
            assert_eq!(seen.status(), Some(account.status()), "{account:?}");
            assert_eq!(seen.account(), Some(*account), "{path:?}");
            assert_eq!(seen.collection(), Some(account.collection()));
            assert_eq!(seen.allowed_events(), account.allowed_events());
            before = Some(seen);
        }
    }
}

#[test]
fn a_first_account_observation_knows_what_shows_and_nothing_under_an_overlay() {
    for account in Account::all_states() {
        let seen = observe_account(&account, None);
        assert!(consistent_account(&seen, &account), "{account:?}");
        assert_eq!(seen.collection(), Some(account.collection()), "{account:?}");
        let overlaid = !account.overlays().is_empty();
        assert_eq!(seen.own_status().is_none(), overlaid, "{account:?}");
        assert_eq!(seen.account().is_none(), overlaid, "{account:?}");
    }
}

#[test]
fn applying_an_event_to_an_account_observation_never_contradicts_the_machine() {
    for account in Account::all_states() {
        for (start, exact) in [
            (observe_account(&account, None), false),
            (account.into(), true),
        ] {
            for &event in AccountEvent::ALL {
                let (mut seen, mut real) = (start, account);
                let outcome = (seen.apply(event), real.apply(event));
                let still =
                    consistent_account(&seen, &real) && (!exact || seen.account() == Some(real));
                assert_agree(outcome, seen.status(), still, exact, (account, event));
            }
        }
    }
}

#[test]
fn lifting_an_account_overlay_restores_what_was_known_or_says_unknown() {
    let pulled = ObservedAccount::observe(A::PullCompleted, T::Enabled, None).expect("seen");
    let mut blocked = ObservedAccount::observe(A::WorkflowNotAccessible, T::Enabled, Some(&pulled))
        .expect("seen");
    assert_eq!(
        blocked
            .apply(AccountEvent::ParentRecovered)
            .expect("lift")
            .to,
        Some(A::PullCompleted)
    );

    let mut first =
        ObservedAccount::observe(A::WorkflowNotAccessible, T::Enabled, None).expect("seen");
    assert_eq!(
        first.apply(AccountEvent::ParentRecovered).expect("lift").to,
        None
    );
    assert_eq!((first.status(), first.account()), (None, None));

    // Confirming an untracked account first seen untracked: own status and parent unknown.
    let mut untracked =
        ObservedAccount::observe(A::CustomerNotTracked, T::Disabled, None).expect("seen");
    assert_eq!(untracked.is_parent_blocked(), None);
    let t = untracked.apply(AccountEvent::Confirmed).expect("confirm");
    assert_eq!((t.from, t.to), (Some(A::CustomerNotTracked), None));
    assert_eq!(untracked.tracking(), T::Enabled);
}

#[test]
fn a_confirmation_seen_under_an_overlay_onboards_the_held_detected_account() {
    let detected = ObservedAccount::observe(A::Detected, T::Unset, None).expect("seen");
    let blocked = ObservedAccount::observe(A::WorkflowNotAccessible, T::Unset, Some(&detected))
        .expect("seen");
    let confirmed = ObservedAccount::observe(A::WorkflowNotAccessible, T::Enabled, Some(&blocked))
        .expect("seen");
    assert_eq!(confirmed.own_status(), Some(A::Onboarded));
    let mut real = Account::new();
    real.apply(AccountEvent::ParentBlocked).expect("blocked");
    real.apply(AccountEvent::Confirmed).expect("confirmed");
    assert_eq!(confirmed.account(), Some(real));
}

#[test]
fn contradictory_account_observations_are_typed_errors() {
    for &status in A::ALL {
        for &tracking in T::ALL {
            let result = ObservedAccount::observe(status, tracking, None);
            let untracked_shows = status == A::CustomerNotTracked;
            let tracking_hidden = status == A::CompanyInactive;
            if !tracking_hidden && untracked_shows == tracking.is_tracked() {
                assert_eq!(
                    result,
                    Err(InvalidState::TrackingDisagrees { tracking }),
                    "{status} {tracking}"
                );
            } else if (status, tracking) == (A::Detected, T::Enabled) {
                assert_eq!(result, Err(InvalidState::EnabledButDetected));
            } else if (status, tracking) == (A::Onboarded, T::Unset) {
                assert_eq!(result, Err(InvalidState::OnboardedButUnset));
            } else {
                assert!(result.is_ok(), "{status} {tracking}: {result:?}");
            }
        }
    }
}

#[test]
fn observations_round_trip_through_serde() {
    let mut observations = Vec::new();
    for rules in RULES {
        for conn in Connection::all_states(rules) {
            for is_active_reported in [true, false] {
                let seen = observe(&conn, is_active_reported, None);
                observations.push(seen);
                for &event in E::ALL {
                    let mut after = seen;
                    if after.apply(event).is_ok() {
                        observations.push(after);
                    }
                }
            }
        }
    }
    for seen in &observations {
        let json = serde_json::to_string(seen).expect("serialize");
        let back: ObservedConnection = serde_json::from_str(&json).expect(&json);
        assert_eq!(back, *seen, "{json}");
    }
    let mut accounts = Vec::new();
    for account in Account::all_states() {
        let seen = observe_account(&account, None);
        accounts.push(seen);
        for &event in AccountEvent::ALL {
            let mut after = seen;
            if after.apply(event).is_ok() {
                accounts.push(after);
            }
        }
    }
    for seen in &accounts {
        let json = serde_json::to_string(seen).expect("serialize");
        let back: ObservedAccount = serde_json::from_str(&json).expect(&json);
        assert_eq!(back, *seen, "{json}");
    }
}

#[test]
fn the_serialized_form_says_null_for_the_unknown_and_is_checked() {
    let seen = ObservedConnection::observe(Rules::Operational, S::CompanyInactive, None, None)
        .expect("seen");
    assert_eq!(
        serde_json::to_string(&seen).expect("serialize"),
        r#"{"rules":"operational","operationalStatus":null,"isActive":null,"companyActive":false,"cyclePending":false}"#
    );
    let bad = [
        r#"{"rules":"operational","operationalStatus":"DEACTIVATED","isActive":true,"companyActive":true,"cyclePending":false}"#,
        r#"{"rules":"operational","operationalStatus":"PENDING","isActive":true,"companyActive":true,"cyclePending":false}"#,
        r#"{"rules":"operational","operationalStatus":null,"isActive":null,"companyActive":true,"cyclePending":false,"extra":1}"#,
    ];
    for json in bad {
        assert!(
            serde_json::from_str::<ObservedConnection>(json).is_err(),
            "{json}"
        );
    }

    let account = ObservedAccount::observe(A::CompanyInactive, T::Enabled, None).expect("seen");
    assert_eq!(
        serde_json::to_string(&account).expect("serialize"),
        r#"{"ownStatus":null,"trackingStatus":"ENABLED","parentBlocked":null,"companyActive":false}"#
    );
    let bad = [
        r#"{"ownStatus":"CUSTOMER_NOT_TRACKED","trackingStatus":"DISABLED","parentBlocked":false,"companyActive":true}"#,
        r#"{"ownStatus":"DETECTED","trackingStatus":"ENABLED","parentBlocked":false,"companyActive":true}"#,
    ];
    for json in bad {
        assert!(
            serde_json::from_str::<ObservedAccount>(json).is_err(),
            "{json}"
        );
    }
}

#[test]
fn an_observed_credential_error_is_halted_like_the_machine() {
    let seen = ObservedConnection::observe(Rules::Operational, S::MfaTokenExpired, None, None)
        .expect("seen");
    assert_eq!(
        seen.collection(),
        Some(Collection::HaltedUntilUserActs {
            status: S::MfaTokenExpired,
            resume: E::MfaCompleted
        })
    );
}
