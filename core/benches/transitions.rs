//! Transition speed: the crate's table lookup and `Connection::apply` against a hand-written
//! `match` of the same published diagram (the floor) and the same diagram encoded with the
//! peer FSM crate `rust-fsm`, all in one run; then policy queries and remediation lookups
//! for every status against a hand-written match. The baselines, the inputs and the loops
//! live in `baseline/`, shared with the `instructions` bench, which counts the instructions
//! of the same loops under callgrind.
//!
//! `cargo bench -p nectar-lifecycle-core --bench transitions`, then
//! `python3 scripts/bench-ratios.py GROUP hand_written_match`

mod baseline;

use std::hint::black_box;

use baseline::{
    all_machines, all_statuses, check_due_loop, collection_loop, diagram_machines, diagram_pairs,
    halt_and_retry_loop, hand_policy_loop, hand_written, policy_connections, policy_instants,
    sum_reached,
};
use criterion::{Criterion, criterion_group, criterion_main};
use nectar_lifecycle_core::remediation::remediation;
use nectar_lifecycle_core::{
    ConnectionEvent as E, ConnectionStatus as S, DIAGRAM, Enumerated, Rules, connection_rule,
};

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
    let machines = diagram_machines();

    let mut group = c.benchmark_group("diagram_190_pairs");
    group.bench_function("hand_written_match", |b| {
        b.iter(|| sum_reached(black_box(&pairs), |(s, e)| hand_written(s, e)));
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
            sum_reached(black_box(&machines), |(mut m, e)| {
                m.apply(e).ok().map(|t| t.to)
            })
        });
    });
    group.finish();

    // Every (status, event) pair of both rule sets: 2 x 13 x 27.
    let all = all_machines();
    let all_statuses = all_statuses();
    let mut group = c.benchmark_group("all_702_pairs");
    group.bench_function("hand_written_match", |b| {
        b.iter(|| sum_reached(black_box(&all_statuses), |(s, e)| hand_written(s, e)));
    });
    group.bench_function("connection_apply", |b| {
        b.iter(|| sum_reached(black_box(&all), |(mut m, e)| m.apply(e).ok().map(|t| t.to)));
    });
    group.finish();
}

fn policies(c: &mut Criterion) {
    let (now, lasts) = policy_instants();
    let conns = policy_connections();
    let mut group = c.benchmark_group("policy_13_statuses");
    group.bench_function("hand_written_match", |b| b.iter(hand_policy_loop));
    group.bench_function("credential_halt_and_weekly_retry", |b| {
        b.iter(|| halt_and_retry_loop(&lasts));
    });
    group.bench_function("collection", |b| b.iter(|| collection_loop(&conns)));
    group.bench_function("next_check_due", |b| {
        b.iter(|| check_due_loop(&conns, &lasts, now));
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
