//! The account lifecycle: tracking intent, terminal statuses, and the overlays from the
//! parent connection and the company.

use nectar_lifecycle_core::{
    Account, AccountEvent as E, AccountOverlay, AccountStatus as S, EnumSet, Enumerated,
    InvalidState, TrackingStatus,
};

const PULLS: [E; 7] = [
    E::PullCompleted,
    E::NoDocumentsFound,
    E::PdfDownloadFailed,
    E::AccountNotFound,
    E::CollectionFailed,
    E::ClosedByUtility,
    E::MarkedDuplicate,
];

fn at(own: S, tracking: TrackingStatus) -> Account {
    let overlays = if tracking.is_tracked() {
        EnumSet::empty()
    } else {
        EnumSet::from([AccountOverlay::CustomerNotTracked])
    };
    Account::from_parts(own, tracking, overlays).expect("valid")
}

#[test]
fn a_new_account_is_detected_untouched_and_pulled() {
    let account = Account::new();
    assert_eq!(account.status(), S::Detected);
    assert_eq!(account.tracking(), TrackingStatus::Unset);
    // UNSET counts as tracked: every pull outcome is accepted.
    for pull in PULLS {
        assert!(account.allowed_events().contains(pull), "{pull}");
    }
}

#[test]
fn confirming_onboards_a_detected_account() {
    let mut account = Account::new();
    let t = account.apply(E::Confirmed).expect("confirm");
    assert_eq!((t.from, t.to), (S::Detected, S::Onboarded));
    assert_eq!(account.tracking(), TrackingStatus::Enabled);
}

#[test]
fn terminal_statuses_absorb_every_pull() {
    for terminal in [E::ClosedByUtility, E::MarkedDuplicate] {
        let mut account = Account::new();
        account.apply(terminal).expect("enter terminal");
        let held = account.status();
        assert!(held.is_terminal() && AccountOverlay::of(held).is_none());
        for pull in PULLS {
            let before = account;
            assert!(account.apply(pull).is_err(), "{pull} from {held}");
            assert_eq!(account, before);
        }
    }
}

#[test]
fn customer_not_tracked_is_derived_from_tracking_and_left_on_reenable() {
    for &own in S::ALL.iter().filter(|&&s| AccountOverlay::of(s).is_none()) {
        let tracking = if own == S::Detected {
            TrackingStatus::Unset
        } else {
            TrackingStatus::Enabled
        };
        let start = at(own, tracking);
        let mut account = start;
        assert_eq!(
            account.apply(E::Rejected).expect("reject").to,
            S::CustomerNotTracked
        );
        assert_eq!(account.tracking(), TrackingStatus::Disabled);
        assert_eq!(
            account.own_status(),
            own,
            "the own status is kept underneath"
        );
        for pull in PULLS {
            assert!(
                account.clone().apply(pull).is_err(),
                "untracked accounts are not pulled"
            );
        }
        let back = account.apply(E::Confirmed).expect("re-enable").to;
        // Confirming onboards a detected account; every other status comes back as it was.
        let want = if own == S::Detected {
            S::Onboarded
        } else {
            own
        };
        assert_eq!(back, want);
        assert_eq!(account.tracking(), TrackingStatus::Enabled);
    }
}

#[test]
fn workflow_not_accessible_follows_the_parent_and_restores() {
    let start = at(S::PullCompleted, TrackingStatus::Enabled);
    let mut account = start;
    assert_eq!(
        account.apply(E::ParentBlocked).expect("blocked").to,
        S::WorkflowNotAccessible
    );
    assert!(
        account.apply(E::PullCompleted).is_err(),
        "not pulled while blocked"
    );
    assert!(account.apply(E::ParentBlocked).is_err(), "already blocked");
    assert_eq!(
        account.apply(E::ParentRecovered).expect("recovered").to,
        S::PullCompleted
    );
    assert_eq!(account, start);
}

#[test]
fn overlay_precedence_company_over_tracking_over_parent() {
    let mut account = at(S::Onboarded, TrackingStatus::Enabled);
    account.apply(E::ParentBlocked).expect("blocked");
    assert_eq!(
        account.apply(E::Rejected).expect("untrack").to,
        S::CustomerNotTracked
    );
    assert_eq!(
        account.apply(E::CompanyDeactivated).expect("company").to,
        S::CompanyInactive
    );
    assert!(!account.is_company_active());
    assert!(account.is_parent_blocked(), "kept underneath");
    // Frozen while the company is inactive.
    assert!(account.apply(E::Confirmed).is_err());
    assert_eq!(
        account.apply(E::CompanyReactivated).expect("company").to,
        S::CustomerNotTracked
    );
    assert!(account.is_company_active());
    assert_eq!(
        account.apply(E::Confirmed).expect("track").to,
        S::WorkflowNotAccessible
    );
    assert_eq!(
        account.apply(E::ParentRecovered).expect("recovered").to,
        S::Onboarded
    );
}

#[test]
fn invalid_parts_are_typed_errors() {
    assert_eq!(
        Account::from_parts(
            S::CustomerNotTracked,
            TrackingStatus::Disabled,
            EnumSet::from([AccountOverlay::CustomerNotTracked])
        ),
        Err(InvalidState::AccountOverlay(S::CustomerNotTracked))
    );
    assert_eq!(
        Account::from_parts(S::Detected, TrackingStatus::Enabled, EnumSet::empty()),
        Err(InvalidState::EnabledButDetected)
    );
    for tracking in [TrackingStatus::Unset, TrackingStatus::Enabled] {
        assert_eq!(
            Account::from_parts(
                S::PullCompleted,
                tracking,
                EnumSet::from([AccountOverlay::CustomerNotTracked])
            ),
            Err(InvalidState::TrackingDisagrees { tracking })
        );
    }
    assert_eq!(
        Account::from_parts(S::PullCompleted, TrackingStatus::Disabled, EnumSet::empty()),
        Err(InvalidState::TrackingDisagrees {
            tracking: TrackingStatus::Disabled
        })
    );
    assert_eq!(
        Account::from_parts(S::Onboarded, TrackingStatus::Unset, EnumSet::empty()),
        Err(InvalidState::OnboardedButUnset)
    );
}

#[test]
fn following_the_parent_gives_the_documented_precedence_from_every_state_pair() {
    use nectar_lifecycle_core::{Connection, Rules};
    for account in Account::all_states() {
        for parent in Connection::all_states(Rules::Operational) {
            let mut followed = account;
            let taken = followed.follow_parent(&parent);
            let want = if !parent.is_company_active() {
                S::CompanyInactive
            } else if !followed.tracking().is_tracked() {
                S::CustomerNotTracked
            } else if parent.operational_status().is_credential_error() {
                S::WorkflowNotAccessible
            } else {
                followed.own_status()
            };
            assert_eq!(followed.status(), want, "{account:?} under {parent:?}");
            assert_eq!(
                followed.own_status(),
                account.own_status(),
                "own status untouched"
            );
            assert_eq!(followed.tracking(), account.tracking());
            // The reported edges chain from the old visible status to the new one.
            let mut at = account.status();
            for t in taken.into_iter().flatten() {
                assert_eq!(t.from, at);
                at = t.to;
            }
            assert_eq!(at, followed.status());
            // Following again changes nothing.
            let again = followed;
            assert_eq!(followed.follow_parent(&parent), [None, None]);
            assert_eq!(followed, again);
        }
    }
}
