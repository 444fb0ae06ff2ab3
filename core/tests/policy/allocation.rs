//! `apply`, the policy functions and the remediation lookups allocate nothing, counted by a
//! test-only global allocator (per thread, so parallel tests do not disturb the count).

use jiff::Timestamp;
use nectar_lifecycle_core::policy::{Scheduled, credential_halt, next_check_due, weekly_retry};
use nectar_lifecycle_core::remediation::{Streak, integration_advice, remediation};
use nectar_lifecycle_core::table::connection_edge;
use nectar_lifecycle_core::{
    Account, AccountEvent, Connection, ConnectionEvent, ConnectionStatus, Enumerated, Rules,
    account_rule, connection_rule,
};

/// The allocations `f` makes on this thread, counted by allocation-counter's global
/// allocator (the crate forbids `unsafe`, so the counting allocator comes from a crate).
fn allocations(f: impl FnOnce()) -> u64 {
    allocation_counter::measure(f).count_total
}

#[test]
fn the_counter_counts() {
    assert!(allocations(|| drop(std::hint::black_box(vec![1u8; 16]))) >= 1);
}

#[test]
fn apply_allocates_nothing_accepted_or_rejected() {
    let states: Vec<Connection> = Connection::all_states(Rules::Documented)
        .chain(Connection::all_states(Rules::Operational))
        .collect();
    let accounts: Vec<Account> = Account::all_states().collect();
    let n = allocations(|| {
        for &state in &states {
            for &event in ConnectionEvent::ALL {
                let mut m = state;
                let _ = std::hint::black_box(m.apply(event));
                let _ = std::hint::black_box(connection_rule(state.rules(), state.status(), event));
            }
        }
        for &state in &accounts {
            for &event in AccountEvent::ALL {
                let mut m = state;
                let _ = std::hint::black_box(m.apply(event));
                let _ = std::hint::black_box(account_rule(state.status(), event));
            }
        }
    });
    assert_eq!(n, 0);
}

#[test]
fn policies_and_remediation_allocate_nothing() {
    let now: Timestamp = "2026-11-25T09:00:00Z".parse().expect("timestamp");
    let states: Vec<Connection> = Connection::all_states(Rules::Operational).collect();
    let accounts: Vec<Account> = Account::all_states().collect();
    let n = allocations(|| {
        for c in &states {
            let s = c.status();
            std::hint::black_box((
                c.collection(),
                next_check_due(c, Some(now), now),
                next_check_due(c, None, now),
                credential_halt(s),
                weekly_retry(s, now),
                remediation(s, 3),
                remediation(s, 3).actor(),
                integration_advice(Some(ConnectionStatus::Connected), s),
            ));
            for &to in ConnectionStatus::ALL {
                std::hint::black_box(connection_edge(Rules::Operational, s, to));
            }
        }
        for a in &accounts {
            std::hint::black_box((a.collection(), next_check_due(a, Some(now), now)));
        }
        let mut conn = Connection::new(Rules::Operational);
        let mut streak = Streak::default();
        for e in [
            ConnectionEvent::ProviderUnavailable,
            ConnectionEvent::ProviderUnavailable,
        ] {
            if let Ok(t) = conn.apply(e) {
                streak.observe(&t);
            }
        }
        std::hint::black_box(streak);
    });
    assert_eq!(n, 0);
}

#[test]
fn the_weekly_arithmetic_allocates_nothing_at_the_edges_of_time() {
    let conn = Connection::showing(Rules::Operational, ConnectionStatus::Connected);
    let edges = [Timestamp::MIN, Timestamp::UNIX_EPOCH, Timestamp::MAX];
    let n = allocations(|| {
        for last in edges {
            std::hint::black_box(weekly_retry(ConnectionStatus::Connected, last));
            for now in edges {
                std::hint::black_box(next_check_due(&conn, Some(last), now));
            }
        }
    });
    assert_eq!(n, 0);
    // The end of time saturates rather than failing.
    assert_eq!(
        weekly_retry(ConnectionStatus::Connected, Timestamp::MAX),
        Some(Timestamp::MAX)
    );
}
