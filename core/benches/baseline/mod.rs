//! What the benches measure against, shared by the wall-clock (`transitions`) and the
//! instruction-count (`instructions`) benches: the published diagram and the policy questions
//! as a user would write them by hand (the floor), and the inputs both benches run over.

// Each bench uses part of this module.
#![allow(dead_code)]

use std::hint::black_box;

use jiff::Timestamp;
use nectar_lifecycle_core::policy::{Scheduled, credential_halt, next_check_due, weekly_retry};
use nectar_lifecycle_core::{
    Connection, ConnectionEvent as E, ConnectionStatus as S, DIAGRAM, Enumerated, Rules,
};

/// The published diagram as a user would write it by hand.
#[inline]
pub(crate) fn hand_written(from: S, event: E) -> Option<S> {
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

/// What a user would write by hand for "is this status halted / checked", per status.
#[inline]
pub(crate) fn hand_policy(s: S) -> (bool, bool) {
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

/// Every (status, event) pair of the diagram's 10 statuses and 19 events (those the
/// published diagram names, in declaration order): 190 pairs.
pub(crate) fn diagram_pairs() -> Vec<(S, E)> {
    let statuses: Vec<S> = S::ALL
        .iter()
        .copied()
        .filter(|&s| DIAGRAM.iter().any(|&(f, _, t)| f == s || t == s))
        .collect();
    let events: Vec<E> = E::ALL
        .iter()
        .copied()
        .filter(|&e| DIAGRAM.iter().any(|&(_, d, _)| d == e))
        .collect();
    statuses
        .iter()
        .flat_map(|&s| events.iter().map(move |&e| (s, e)))
        .collect()
}

/// The 190 diagram pairs as connections under the documented rules, each with its event.
pub(crate) fn diagram_machines() -> Vec<(Connection, E)> {
    diagram_pairs()
        .into_iter()
        .map(|(s, e)| (Connection::showing(Rules::Documented, s), e))
        .collect()
}

/// Every (status, event) pair of both rule sets, as connections: 2 x 13 x 27.
pub(crate) fn all_machines() -> Vec<(Connection, E)> {
    [Rules::Documented, Rules::Operational]
        .into_iter()
        .flat_map(|r| S::ALL.iter().map(move |&s| Connection::showing(r, s)))
        .flat_map(|m| E::ALL.iter().map(move |&e| (m, e)))
        .collect()
}

/// The visible statuses of [`all_machines`], for the hand-written match.
pub(crate) fn all_statuses() -> Vec<(S, E)> {
    all_machines()
        .into_iter()
        .map(|(m, e)| (m.status(), e))
        .collect()
}

/// One connection showing each of the 13 statuses, under the operational rules.
pub(crate) fn policy_connections() -> Vec<Connection> {
    S::ALL
        .iter()
        .map(|&s| Connection::showing(Rules::Operational, s))
        .collect()
}

/// `now` and one last check per status (the order of `ConnectionStatus::ALL`), spread over
/// the two weeks before `now`: some weekly checks are due, some are not. Each query reads its
/// own instant, as a scheduler reads each connection's.
pub(crate) fn policy_instants() -> (Timestamp, Vec<Timestamp>) {
    let now: Timestamp = "2026-11-25T09:00:00Z".parse().expect("timestamp");
    let lasts = (0..S::ALL.len())
        .map(|i| {
            let hours = i64::try_from(i).expect("13 statuses") * 25;
            now - jiff::SignedDuration::from_hours(hours)
        })
        .collect();
    (now, lasts)
}

/// The loop every transition bench runs: apply `f` to each pair, sum the statuses reached.
#[inline]
pub(crate) fn sum_reached<T: Copy>(pairs: &[T], mut f: impl FnMut(T) -> Option<S>) -> usize {
    let mut reached = 0usize;
    for &pair in pairs {
        if let Some(to) = f(pair) {
            reached += to as usize;
        }
    }
    reached
}

/// The policy baseline: the hand-written "halted? checked?" for every status.
#[inline]
pub(crate) fn hand_policy_loop() -> usize {
    let mut n = 0usize;
    for &s in black_box(S::ALL) {
        let (halted, checked) = hand_policy(s);
        n += usize::from(halted) + usize::from(checked);
    }
    n
}

/// `credential_halt` and `weekly_retry` for every status, each with its own last check. The
/// retry instant is used, so its arithmetic is not dropped as unused.
#[inline]
pub(crate) fn halt_and_retry_loop(lasts: &[Timestamp]) -> usize {
    let mut n = 0usize;
    for (&s, &last) in black_box(S::ALL).iter().zip(black_box(lasts)) {
        n += usize::from(credential_halt(s).is_some())
            + weekly_retry(s, last).map_or(0, |t| t.as_second() as usize);
    }
    n
}

/// `Scheduled::collection` for every connection.
#[inline]
pub(crate) fn collection_loop(connections: &[Connection]) -> usize {
    let mut n = 0usize;
    for c in black_box(connections) {
        n += usize::from(c.collection().is_collected());
    }
    n
}

/// `next_check_due` for every connection, each with its own last check.
#[inline]
pub(crate) fn check_due_loop(
    connections: &[Connection],
    lasts: &[Timestamp],
    now: Timestamp,
) -> usize {
    let mut n = 0usize;
    for (c, &last) in black_box(connections).iter().zip(black_box(lasts)) {
        n += usize::from(next_check_due(c, Some(last), now).is_now());
    }
    n
}
