//! Transition speed: the crate's table lookup and `Connection::apply` against a hand-written
//! `match` of the same published diagram (the floor) and the same diagram encoded with the
//! peer FSM crate `rust-fsm`, all in one run; then policy queries and remediation lookups
//! for every status against a hand-written match.
//!
//! `cargo bench --bench transitions`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use nectar_lifecycle_core::policy::{Scheduled, credential_halt, next_check_due, weekly_retry};
use nectar_lifecycle_core::remediation::remediation;
use nectar_lifecycle_core::{
    Connection, ConnectionEvent as E, ConnectionStatus as S, DIAGRAM, Enumerated, Rules,
    connection_rule,
};

/// The published diagram as a user would write it by hand.
fn hand_written(from: S, event: E) -> Option<S> {
    match (from, event) {
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
        (S::OtherError, E::Escalated) => Some(S::UnderInvestigation),
        _ => None,
    }
}

/// The same diagram with rust-fsm's DSL.
mod peer {
    use rust_fsm::state_machine;

    state_machine! {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub diagram(Pending)

        Pending => {
            AuthSucceeded => Connected,
            BadCredentials => PasswordIncorrect,
            MfaRequired => MfaTokenExpired,
            ProviderUnavailable => WebsiteDown,
            UnexpectedFailure => OtherError
        },
        Connected => {
            WeeklyCheckPassed => Connected,
            PasswordChanged => PasswordIncorrect,
            MfaSessionExpired => MfaTokenExpired,
            ProviderRequiresReset => NewPasswordNeeded,
            ProviderUnavailable => WebsiteDown,
            AccountsRemoved => NoAccountsFound,
            NectarReviewing => UnderInvestigation,
            UnexpectedFailure => OtherError
        },
        PasswordIncorrect(CredentialsUpdated) => Connected,
        MfaTokenExpired(MfaCompleted) => Connected,
        NewPasswordNeeded(PasswordReset) => Connected,
        AdditionalCredentialsNeeded(InfoProvided) => Connected,
        WebsiteDown(ProviderBackOnline) => Connected,
        NoAccountsFound(AccountsFound) => Connected,
        UnderInvestigation(IssueResolved) => Connected,
        OtherError => {
            IssueResolved => Connected,
            Escalated => UnderInvestigation
        },
    }
}

/// Our statuses and events as the peer's, by name (the 10 statuses and 19 events of the
/// diagram).
fn peer_state(s: S) -> Option<peer::diagram::State> {
    use peer::diagram::State as P;
    Some(match s {
        S::Pending => P::Pending,
        S::Connected => P::Connected,
        S::UnderInvestigation => P::UnderInvestigation,
        S::PasswordIncorrect => P::PasswordIncorrect,
        S::MfaTokenExpired => P::MfaTokenExpired,
        S::NewPasswordNeeded => P::NewPasswordNeeded,
        S::AdditionalCredentialsNeeded => P::AdditionalCredentialsNeeded,
        S::WebsiteDown => P::WebsiteDown,
        S::NoAccountsFound => P::NoAccountsFound,
        S::OtherError => P::OtherError,
        S::UrlInaccessible | S::CompanyInactive | S::Deactivated => return None,
    })
}

fn peer_input(e: E) -> Option<peer::diagram::Input> {
    use peer::diagram::Input as P;
    Some(match e {
        E::AuthSucceeded => P::AuthSucceeded,
        E::BadCredentials => P::BadCredentials,
        E::MfaRequired => P::MfaRequired,
        E::ProviderUnavailable => P::ProviderUnavailable,
        E::UnexpectedFailure => P::UnexpectedFailure,
        E::WeeklyCheckPassed => P::WeeklyCheckPassed,
        E::PasswordChanged => P::PasswordChanged,
        E::MfaSessionExpired => P::MfaSessionExpired,
        E::ProviderRequiresReset => P::ProviderRequiresReset,
        E::AccountsRemoved => P::AccountsRemoved,
        E::NectarReviewing => P::NectarReviewing,
        E::CredentialsUpdated => P::CredentialsUpdated,
        E::MfaCompleted => P::MfaCompleted,
        E::PasswordReset => P::PasswordReset,
        E::InfoProvided => P::InfoProvided,
        E::ProviderBackOnline => P::ProviderBackOnline,
        E::AccountsFound => P::AccountsFound,
        E::IssueResolved => P::IssueResolved,
        E::Escalated => P::Escalated,
        _ => return None,
    })
}

/// Every (status, event) pair of the diagram's 10 statuses and 19 events: 190 pairs.
fn diagram_pairs() -> Vec<(S, E)> {
    let statuses: Vec<S> = S::ALL
        .iter()
        .copied()
        .filter(|s| peer_state(*s).is_some())
        .collect();
    let events: Vec<E> = E::ALL
        .iter()
        .copied()
        .filter(|e| peer_input(*e).is_some())
        .collect();
    statuses
        .iter()
        .flat_map(|&s| events.iter().map(move |&e| (s, e)))
        .collect()
}

fn transitions(c: &mut Criterion) {
    let pairs = diagram_pairs();
    assert_eq!(pairs.len(), 190);
    assert!(
        DIAGRAM
            .iter()
            .all(|&(f, e, t)| hand_written(f, e) == Some(t))
    );
    let peer_pairs: Vec<_> = pairs
        .iter()
        .map(|&(s, e)| {
            (
                peer_state(s).expect("mapped"),
                peer_input(e).expect("mapped"),
            )
        })
        .collect();
    let machines: Vec<(Connection, E)> = pairs
        .iter()
        .map(|&(s, e)| (Connection::showing(Rules::Documented, s), e))
        .collect();

    let mut group = c.benchmark_group("diagram_190_pairs");
    group.bench_function("hand_written_match", |b| {
        b.iter(|| {
            let mut reached = 0usize;
            for &(s, e) in black_box(&pairs) {
                if let Some(to) = hand_written(s, e) {
                    reached += to as usize;
                }
            }
            reached
        });
    });
    group.bench_function("rust_fsm", |b| {
        b.iter(|| {
            let mut reached = 0usize;
            for &(s, e) in black_box(&peer_pairs) {
                let mut m = peer::diagram::StateMachine::from_state(s);
                if m.consume(&e).is_ok() {
                    reached += *m.state() as usize;
                }
            }
            reached
        });
    });
    group.bench_function("table_lookup", |b| {
        b.iter(|| {
            let mut reached = 0usize;
            for &(s, e) in black_box(&pairs) {
                if connection_rule(Rules::Documented, s, e).is_some() {
                    reached += 1;
                }
            }
            reached
        });
    });
    group.bench_function("connection_apply", |b| {
        b.iter(|| {
            let mut reached = 0usize;
            for &(m, e) in black_box(&machines) {
                let mut m = m;
                if let Ok(t) = m.apply(e) {
                    reached += t.to as usize;
                }
            }
            reached
        });
    });
    group.finish();

    // Every (status, event) pair of both rule sets: 2 x 13 x 27.
    let all: Vec<(Connection, E)> = [Rules::Documented, Rules::Operational]
        .into_iter()
        .flat_map(|r| S::ALL.iter().map(move |&s| Connection::showing(r, s)))
        .flat_map(|m| E::ALL.iter().map(move |&e| (m, e)))
        .collect();
    let all_statuses: Vec<(S, E)> = all.iter().map(|&(m, e)| (m.status(), e)).collect();
    let mut group = c.benchmark_group("all_702_pairs");
    group.bench_function("hand_written_match", |b| {
        b.iter(|| {
            let mut reached = 0usize;
            for &(s, e) in black_box(&all_statuses) {
                if let Some(to) = hand_written(s, e) {
                    reached += to as usize;
                }
            }
            reached
        });
    });
    group.bench_function("connection_apply", |b| {
        b.iter(|| {
            let mut reached = 0usize;
            for &(m, e) in black_box(&all) {
                let mut m = m;
                if let Ok(t) = m.apply(e) {
                    reached += t.to as usize;
                }
            }
            reached
        });
    });
    group.finish();
}

/// What a user would write by hand for "is this status halted / checked", per status.
fn hand_policy(s: S) -> (bool, bool) {
    let halted = matches!(
        s,
        S::PasswordIncorrect
            | S::MfaTokenExpired
            | S::NewPasswordNeeded
            | S::AdditionalCredentialsNeeded
    );
    let checked = !halted && !matches!(s, S::Deactivated | S::CompanyInactive);
    (halted, checked)
}

fn policies(c: &mut Criterion) {
    let now: Timestamp = "2026-11-25T09:00:00Z".parse().expect("timestamp");
    let last: Timestamp = "2026-11-20T09:00:00Z".parse().expect("timestamp");
    let conns: Vec<Connection> = S::ALL
        .iter()
        .map(|&s| Connection::showing(Rules::Operational, s))
        .collect();
    let mut group = c.benchmark_group("policy_13_statuses");
    group.bench_function("hand_written_match", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for &s in black_box(S::ALL) {
                let (halted, checked) = hand_policy(s);
                n += usize::from(halted) + usize::from(checked);
            }
            n
        });
    });
    group.bench_function("credential_halt_and_weekly_retry", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for &s in black_box(S::ALL) {
                n += usize::from(credential_halt(s).is_some())
                    + usize::from(weekly_retry(s, last).is_some());
            }
            n
        });
    });
    group.bench_function("collection", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for c in black_box(&conns) {
                n += usize::from(c.collection().is_collected());
            }
            n
        });
    });
    group.bench_function("next_check_due", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for c in black_box(&conns) {
                n += usize::from(next_check_due(c, Some(last), now).is_now());
            }
            n
        });
    });
    group.bench_function("remediation", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for &s in black_box(S::ALL) {
                n += remediation(s, 2).actor() as usize;
            }
            n
        });
    });
    group.finish();
}

criterion_group!(benches, transitions, policies);
criterion_main!(benches);
