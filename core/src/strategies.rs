//! proptest strategies for dependents' own tests (the `proptest` cargo feature).
//!
//! Statuses and events of any kind, and realistic lifecycles: valid event paths from a new
//! connection or account, and the machine states they reach. Paths are generated as
//! choices among the events the machine allows at each step, so every path is valid and
//! shrinks towards shorter paths of earlier-listed events.
//!
//! ```
//! use nectar_lifecycle_core::strategies::{reachable_connection, valid_path};
//! use nectar_lifecycle_core::{Connection, Rules};
//! use proptest::prelude::*;
//!
//! proptest!(|(path in valid_path(Rules::Operational, 0..50))| {
//!     let mut conn = Connection::new(Rules::Operational);
//!     for event in path {
//!         prop_assert!(conn.apply(event).is_ok());
//!     }
//! });
//!
//! proptest!(|(conn in reachable_connection(Rules::Documented, 0..30))| {
//!     // Your own handler, fed a connection in any reachable state:
//!     prop_assert!(!conn.allowed_events().is_empty());
//! });
//! ```

use proptest::collection::{SizeRange, vec};
use proptest::prelude::*;
use proptest::sample::select;

use crate::{
    Account, AccountEvent, AccountStatus, Connection, ConnectionEvent, ConnectionStatus,
    Enumerated, Machine, Rules, TrackingStatus,
};

/// Any connection status.
pub fn any_connection_status() -> impl Strategy<Value = ConnectionStatus> + Clone {
    select(ConnectionStatus::ALL)
}

/// Any account status.
pub fn any_account_status() -> impl Strategy<Value = AccountStatus> + Clone {
    select(AccountStatus::ALL)
}

/// Any tracking status.
pub fn any_tracking_status() -> impl Strategy<Value = TrackingStatus> + Clone {
    select(TrackingStatus::ALL)
}

/// Any connection event, allowed or not.
pub fn any_connection_event() -> impl Strategy<Value = ConnectionEvent> + Clone {
    select(ConnectionEvent::ALL)
}

/// Any account event, allowed or not.
pub fn any_account_event() -> impl Strategy<Value = AccountEvent> + Clone {
    select(AccountEvent::ALL)
}

/// Walks `start` through `choices`, each picking one of the events allowed at that step.
fn walk<M: Machine>(mut machine: M, choices: &[prop::sample::Index]) -> (M, Vec<M::Event>) {
    let mut path = Vec::with_capacity(choices.len());
    for choice in choices {
        let allowed: Vec<M::Event> = machine.allowed_events().iter().collect();
        if allowed.is_empty() {
            break;
        }
        let event = *choice.get(&allowed);
        if machine.apply(event).is_ok() {
            path.push(event);
        }
    }
    (machine, path)
}

/// A valid event path from a new connection under `rules`, of a length in `len`.
pub fn valid_path(
    rules: Rules,
    len: impl Into<SizeRange>,
) -> impl Strategy<Value = Vec<ConnectionEvent>> {
    vec(any::<prop::sample::Index>(), len)
        .prop_map(move |choices| walk(Connection::new(rules), &choices).1)
}

/// A connection in a state reachable from a new one under `rules` by a valid path of a
/// length in `len`.
pub fn reachable_connection(
    rules: Rules,
    len: impl Into<SizeRange>,
) -> impl Strategy<Value = Connection> {
    vec(any::<prop::sample::Index>(), len)
        .prop_map(move |choices| walk(Connection::new(rules), &choices).0)
}

/// A valid event path from a newly discovered account.
pub fn valid_account_path(len: impl Into<SizeRange>) -> impl Strategy<Value = Vec<AccountEvent>> {
    vec(any::<prop::sample::Index>(), len).prop_map(|choices| walk(Account::new(), &choices).1)
}

/// An account in a state reachable from a newly discovered one.
pub fn reachable_account(len: impl Into<SizeRange>) -> impl Strategy<Value = Account> {
    vec(any::<prop::sample::Index>(), len).prop_map(|choices| walk(Account::new(), &choices).0)
}
