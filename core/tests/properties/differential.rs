//! Differential tests: the real machines against a reference written independently from
//! the spec (a plain `match` over the diagram and the status tables, sharing no code with
//! the crate's table), driven with long random sequences of any event, allowed or not.
//! On every step both must agree on acceptance and on the visible status; the invariants
//! of the check rules are checked through the policy functions after every step.
//!
//! Case counts are fixed for CI; `PROPTEST_CASES=100000 cargo test --test differential`
//! runs longer.

use nectar_lifecycle_support as common;

use common::proptest_cases;
use jiff::Timestamp;
use nectar_lifecycle_core::policy::{CheckDue, Scheduled, next_check_due};
use nectar_lifecycle_core::{
    Account, AccountEvent, AccountStatus, Connection, ConnectionEvent, ConnectionStatus,
    Enumerated, Rules, TrackingStatus,
};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};

/// The case count CI runs (`PROPTEST_CASES` overrides it).
fn ci_config() -> Config {
    Config {
        cases: proptest_cases(512),
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------
// The reference, from the spec.

/// The reference connection: the spec's three facts, and whether the last event was
/// accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RefConnection {
    rules: Rules,
    operational: ConnectionStatus,
    active: bool,
    company_active: bool,
    accepted: bool,
}

impl RefConnection {
    fn visible(&self) -> ConnectionStatus {
        if !self.company_active {
            ConnectionStatus::CompanyInactive
        } else if !self.active {
            ConnectionStatus::Deactivated
        } else {
            self.operational
        }
    }
}

/// Where the published diagram, then the status tables, take `from` on `event`. `MUTANT`
/// changes one cell, to show the differential test can fail.
fn reference_lifecycle<const MUTANT: bool>(
    rules: Rules,
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<ConnectionStatus> {
    use ConnectionEvent as E;
    use ConnectionStatus as S;
    let drawn = match (from, event) {
        (S::Pending, E::AuthSucceeded) => Some(S::Connected),
        (S::Pending, E::BadCredentials) => Some(S::PasswordIncorrect),
        (S::Pending, E::MfaRequired) => Some(S::MfaTokenExpired),
        (S::Pending, E::ProviderUnavailable) => Some(S::WebsiteDown),
        (S::Pending, E::UnexpectedFailure) => Some(S::OtherError),
        (S::Connected, E::WeeklyCheckPassed) => Some(S::Connected),
        (S::Connected, E::PasswordChanged) => Some(S::PasswordIncorrect),
        (S::Connected, E::MfaSessionExpired) => Some(S::MfaTokenExpired),
        (S::Connected, E::ProviderRequiresReset) => Some(S::NewPasswordNeeded),
        (S::Connected, E::ProviderUnavailable) => Some(S::WebsiteDown),
        (S::Connected, E::AccountsRemoved) => Some(S::NoAccountsFound),
        (S::Connected, E::NectarReviewing) => Some(S::UnderInvestigation),
        (S::Connected, E::UnexpectedFailure) => Some(S::OtherError),
        (S::PasswordIncorrect, E::CredentialsUpdated) => Some(S::Connected),
        (S::MfaTokenExpired, E::MfaCompleted) => Some(S::Connected),
        (S::NewPasswordNeeded, E::PasswordReset) => Some(S::Connected),
        (S::AdditionalCredentialsNeeded, E::InfoProvided) => Some(S::Connected),
        (S::WebsiteDown, E::ProviderBackOnline) => Some(S::Connected),
        (S::NoAccountsFound, E::AccountsFound) => Some(S::Connected),
        (S::UnderInvestigation, E::IssueResolved) => Some(S::Connected),
        (S::OtherError, E::IssueResolved) => Some(S::Connected),
        (S::OtherError, E::Escalated) if MUTANT => Some(S::Connected),
        (S::OtherError, E::Escalated) => Some(S::UnderInvestigation),
        _ => None,
    };
    if drawn.is_some() || rules == Rules::Documented {
        return drawn;
    }
    // The check rules retry everything but the credential errors and the overlays.
    let retried = matches!(
        from,
        S::Pending
            | S::Connected
            | S::UnderInvestigation
            | S::WebsiteDown
            | S::UrlInaccessible
            | S::NoAccountsFound
            | S::OtherError
    );
    if !retried {
        return None;
    }
    match (from, event) {
        // The first check's other outcomes.
        (S::Pending, E::ProviderRequiresReset) => Some(S::NewPasswordNeeded),
        (S::Pending, E::AdditionalVerificationRequired) => Some(S::AdditionalCredentialsNeeded),
        (S::Pending, E::UrlUnreachable) => Some(S::UrlInaccessible),
        (S::Pending, E::NoAccountsFound) => Some(S::NoAccountsFound),
        (S::Pending, _) => None,
        // A weekly check's failures, from any retried status.
        (_, E::PasswordChanged) => Some(S::PasswordIncorrect),
        (_, E::MfaSessionExpired) => Some(S::MfaTokenExpired),
        (_, E::ProviderRequiresReset) => Some(S::NewPasswordNeeded),
        (_, E::AdditionalVerificationRequired) => Some(S::AdditionalCredentialsNeeded),
        (_, E::ProviderUnavailable) => Some(S::WebsiteDown),
        (_, E::UrlUnreachable) => Some(S::UrlInaccessible),
        (_, E::AccountsRemoved) => Some(S::NoAccountsFound),
        (_, E::UnexpectedFailure) => Some(S::OtherError),
        // A weekly check's success.
        (S::UrlInaccessible, E::UrlReachable) => Some(S::Connected),
        (S::UnderInvestigation | S::OtherError, E::WeeklyCheckPassed) => Some(S::Connected),
        // Persistent provider errors go to support.
        (S::WebsiteDown | S::UrlInaccessible | S::NoAccountsFound, E::Escalated) => {
            Some(S::UnderInvestigation)
        }
        _ => None,
    }
}

fn reference_connection<const MUTANT: bool>(
    mut s: RefConnection,
    event: ConnectionEvent,
) -> RefConnection {
    use ConnectionEvent as E;
    let before = s;
    let ok = match event {
        // isActive is toggled only when it shows; the company hides it.
        E::Deactivate if s.company_active && s.active => {
            s.active = false;
            true
        }
        E::Activate if s.company_active && !s.active => {
            s.active = true;
            true
        }
        E::CompanyDeactivated if s.company_active => {
            s.company_active = false;
            true
        }
        E::CompanyReactivated if !s.company_active => {
            s.company_active = true;
            true
        }
        E::Deactivate | E::Activate | E::CompanyDeactivated | E::CompanyReactivated => false,
        // Nothing moves the lifecycle under an overlay.
        _ if s.visible() != s.operational => false,
        _ => match reference_lifecycle::<MUTANT>(s.rules, s.operational, event) {
            Some(to) => {
                s.operational = to;
                true
            }
            None => false,
        },
    };
    if ok {
        RefConnection {
            accepted: true,
            ..s
        }
    } else {
        RefConnection {
            accepted: false,
            ..before
        }
    }
}

struct ConnectionReference<const MUTANT: bool>;

impl<const MUTANT: bool> ReferenceStateMachine for ConnectionReference<MUTANT> {
    type State = RefConnection;
    type Transition = ConnectionEvent;

    fn init_state() -> BoxedStrategy<RefConnection> {
        select(&[Rules::Documented, Rules::Operational][..])
            .prop_map(|rules| RefConnection {
                rules,
                operational: ConnectionStatus::Pending,
                active: true,
                company_active: true,
                accepted: true,
            })
            .boxed()
    }

    fn transitions(_state: &RefConnection) -> BoxedStrategy<ConnectionEvent> {
        select(ConnectionEvent::ALL).boxed()
    }

    fn apply(state: RefConnection, event: &ConnectionEvent) -> RefConnection {
        reference_connection::<MUTANT>(state, *event)
    }
}

// ---------------------------------------------------------------------------------------
// The system under test, and the invariants.

fn t0() -> Timestamp {
    "2026-11-02T09:00:00Z".parse().expect("timestamp")
}

/// The check rules, through the policy functions: nothing halted or stopped is ever due.
fn assert_check_rules(conn: &Connection) {
    let status = conn.status();
    let never_due = status.is_credential_error() || !status.is_operational();
    for last in [None, Some(t0())] {
        for now in [t0(), Timestamp::MAX] {
            let due = next_check_due(conn, last, now);
            assert_eq!(
                due == CheckDue::NotScheduled,
                never_due,
                "{conn:?} at {now}"
            );
        }
    }
}

/// The real connection, with the ghost the restore invariant needs.
#[derive(Debug)]
struct Sut {
    conn: Connection,
    held: Option<ConnectionStatus>,
}

struct ConnectionDifferential<const MUTANT: bool>;

impl<const MUTANT: bool> StateMachineTest for ConnectionDifferential<MUTANT> {
    type SystemUnderTest = Sut;
    type Reference = ConnectionReference<MUTANT>;

    fn init_test(r: &RefConnection) -> Sut {
        Sut {
            conn: Connection::new(r.rules),
            held: None,
        }
    }

    fn apply(mut sut: Sut, r: &RefConnection, event: ConnectionEvent) -> Sut {
        let before = sut.conn;
        let result = sut.conn.apply(event);
        assert_eq!(
            result.is_ok(),
            r.accepted,
            "{event} from {}",
            before.status()
        );
        assert_eq!(
            sut.conn.status(),
            r.visible(),
            "{event} from {}",
            before.status()
        );
        match result {
            Err(err) => {
                assert_eq!(sut.conn, before, "a rejected event changes nothing");
                assert_eq!((err.from, err.event), (before.status(), event));
            }
            Ok(t) => {
                assert_eq!((t.from, t.to), (before.status(), sut.conn.status()));
                match event {
                    ConnectionEvent::Deactivate => sut.held = Some(before.operational_status()),
                    ConnectionEvent::Activate => {
                        assert_eq!(Some(sut.conn.operational_status()), sut.held, "restored");
                        sut.held = None;
                    }
                    _ => {}
                }
            }
        }
        sut
    }

    fn check_invariants(sut: &Sut, r: &RefConnection) {
        assert_eq!(sut.conn.operational_status(), r.operational);
        assert_eq!(
            (sut.conn.is_active(), sut.conn.is_company_active()),
            (r.active, r.company_active)
        );
        assert_check_rules(&sut.conn);
    }
}

prop_state_machine! {
    #![proptest_config(ci_config())]
    #[test]
    fn connections_agree_with_the_reference(sequential 1..200 => ConnectionDifferential<false>);
}

#[test]
fn a_one_cell_mutant_of_the_reference_is_caught() {
    // The same differential test against a reference with OTHER_ERROR --Escalated-->
    // CONNECTED instead of UNDER_INVESTIGATION must fail.
    let config = Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config.clone());
    let result = runner.run(
        &ConnectionReference::<true>::sequential_strategy(1..200),
        |(init, transitions, seen)| {
            ConnectionDifferential::<true>::test_sequential(
                config.clone(),
                init,
                transitions,
                seen,
            );
            Ok(())
        },
    );
    let failure = result.expect_err("the mutant must be caught");
    // It shrinks to a short sequence ending in the mutated cell.
    let text = failure.to_string();
    assert!(text.contains("Escalated"), "{text}");
}

// ---------------------------------------------------------------------------------------
// Accounts.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RefAccount {
    own: AccountStatus,
    tracking: TrackingStatus,
    blocked: bool,
    company_active: bool,
    accepted: bool,
}

impl RefAccount {
    fn visible(&self) -> AccountStatus {
        if !self.company_active {
            AccountStatus::CompanyInactive
        } else if self.tracking == TrackingStatus::Disabled {
            AccountStatus::CustomerNotTracked
        } else if self.blocked {
            AccountStatus::WorkflowNotAccessible
        } else {
            self.own
        }
    }
}

fn reference_account(mut s: RefAccount, event: AccountEvent) -> RefAccount {
    use AccountEvent as E;
    use AccountStatus as S;
    let before = s;
    let tracked = s.tracking != TrackingStatus::Disabled;
    let ok = match event {
        E::CompanyDeactivated => std::mem::replace(&mut s.company_active, false),
        E::CompanyReactivated => !std::mem::replace(&mut s.company_active, true),
        // Frozen while the company is inactive.
        _ if !s.company_active => false,
        E::Rejected => {
            tracked && {
                s.tracking = TrackingStatus::Disabled;
                true
            }
        }
        E::Confirmed => {
            s.tracking = TrackingStatus::Enabled;
            if s.own == S::Detected {
                s.own = S::Onboarded;
            }
            true
        }
        E::ParentBlocked => tracked && !std::mem::replace(&mut s.blocked, true),
        E::ParentRecovered => tracked && std::mem::replace(&mut s.blocked, false),
        pull => {
            let outcome = match pull {
                E::PullCompleted => S::PullCompleted,
                E::NoDocumentsFound => S::NoDocumentsFound,
                E::PdfDownloadFailed => S::PdfDownloadFailed,
                E::AccountNotFound => S::AccountNotFound,
                E::CollectionFailed => S::OtherError,
                E::ClosedByUtility => S::OldAccount,
                _ => S::Duplicate,
            };
            let pulled = tracked && !s.blocked && !matches!(s.own, S::OldAccount | S::Duplicate);
            if pulled {
                s.own = outcome;
            }
            pulled
        }
    };
    if ok {
        RefAccount {
            accepted: true,
            ..s
        }
    } else {
        RefAccount {
            accepted: false,
            ..before
        }
    }
}

struct AccountReference;

impl ReferenceStateMachine for AccountReference {
    type State = RefAccount;
    type Transition = AccountEvent;

    fn init_state() -> BoxedStrategy<RefAccount> {
        Just(RefAccount {
            own: AccountStatus::Detected,
            tracking: TrackingStatus::Unset,
            blocked: false,
            company_active: true,
            accepted: true,
        })
        .boxed()
    }

    fn transitions(_state: &RefAccount) -> BoxedStrategy<AccountEvent> {
        select(AccountEvent::ALL).boxed()
    }

    fn apply(state: RefAccount, event: &AccountEvent) -> RefAccount {
        reference_account(state, *event)
    }
}

struct AccountDifferential;

impl StateMachineTest for AccountDifferential {
    type SystemUnderTest = Account;
    type Reference = AccountReference;

    fn init_test(_r: &RefAccount) -> Account {
        Account::new()
    }

    fn apply(mut account: Account, r: &RefAccount, event: AccountEvent) -> Account {
        let before = account;
        let result = account.apply(event);
        assert_eq!(
            result.is_ok(),
            r.accepted,
            "{event} from {}",
            before.status()
        );
        assert_eq!(
            account.status(),
            r.visible(),
            "{event} from {}",
            before.status()
        );
        if result.is_err() {
            assert_eq!(account, before, "a rejected event changes nothing");
        }
        account
    }

    fn check_invariants(account: &Account, r: &RefAccount) {
        assert_eq!(
            (account.own_status(), account.tracking()),
            (r.own, r.tracking)
        );
        // Terminal and untracked accounts are never due, whatever the time.
        if matches!(
            account.status(),
            AccountStatus::OldAccount
                | AccountStatus::Duplicate
                | AccountStatus::CustomerNotTracked
        ) {
            assert!(!account.collection().is_collected());
            assert_eq!(
                next_check_due(account, None, Timestamp::MAX),
                CheckDue::NotScheduled
            );
        }
    }
}

prop_state_machine! {
    #![proptest_config(ci_config())]
    #[test]
    fn accounts_agree_with_the_reference(sequential 1..200 => AccountDifferential);
}
