//! Observations as knowledge: an observation stands for the set of machine states its public
//! facts admit, and whatever it answers is what all of them agree on. Checked against a
//! reference written here from the public API alone, for every observation a dependent can
//! build (observed, known whole, deserialized, then moved by events and later observations).

use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;

use nectar_lifecycle_core::{
    Account, AccountEvent, AccountOverlay as AO, AccountStatus as A, Connection,
    ConnectionEvent as E, ConnectionOverlay as CO, ConnectionStatus as S, EnumSet, Enumerated,
    Machine, ObservedAccount, ObservedConnection, ObservedRejected, ObservedTransition, Rules,
    TrackingStatus as T,
};

/// The outcome of `apply` on an observation.
type Outcome<St, Ev> = Result<ObservedTransition<St, Ev>, ObservedRejected<St, Ev>>;

/// `Some` of the value every item has, `None` if two differ (or there are none).
fn agreed<V: PartialEq + Copy>(values: impl IntoIterator<Item = V>) -> Option<V> {
    let mut values = values.into_iter();
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}

/// The values in every set.
fn common<T: Enumerated>(sets: impl IntoIterator<Item = EnumSet<T>>) -> EnumSet<T> {
    EnumSet::from_bits(
        sets.into_iter()
            .fold(u64::MAX, |bits, set| bits & set.bits()),
    )
}

/// Every value reachable from `starts` through `next`, `starts` included.
fn closure<K: Copy + Eq + Hash>(starts: Vec<K>, next: impl Fn(&K) -> Vec<K>) -> Vec<K> {
    let mut seen: HashSet<K> = starts.iter().copied().collect();
    let mut queue = starts;
    let mut all = Vec::new();
    while let Some(k) = queue.pop() {
        all.push(k);
        for n in next(&k) {
            if seen.insert(n) {
                queue.push(n);
            }
        }
    }
    all
}

/// The edge and the states reached, or the rejection, that `apply` should answer.
type Expected<St, Ev, M> = Result<(ObservedTransition<St, Ev>, Vec<M>), ObservedRejected<St, Ev>>;

/// What the machine states `admitted` agree on when `event` is applied to each: the edge
/// they all take and the states they reach, the one rejection they all give, or, when they
/// do not agree, that the status is unknown, with the events all of them allow.
fn expected<M: Machine>(admitted: &[M], event: M::Event) -> Expected<M::Status, M::Event, M>
where
    M::Status: Copy + PartialEq,
{
    let unknown = || ObservedRejected::StatusUnknown {
        event,
        allowed: common(admitted.iter().map(Machine::allowed_events)),
    };
    let mut taken = Vec::new();
    let mut rejected = Vec::new();
    let mut reached = Vec::new();
    for &state in admitted {
        let mut next = state;
        match next.apply(event) {
            Ok(t) => {
                taken.push(t);
                reached.push(next);
            }
            Err(e) => rejected.push(e),
        }
    }
    if rejected.is_empty() {
        let Some(provenance) = agreed(taken.iter().map(|t| t.provenance)) else {
            return Err(unknown());
        };
        let edge = ObservedTransition {
            from: agreed(taken.iter().map(|t| t.from)),
            event,
            to: agreed(taken.iter().map(|t| t.to)),
            provenance,
        };
        Ok((edge, reached))
    } else if taken.is_empty()
        && let Some(e) = agreed(rejected.iter().copied())
    {
        Err(ObservedRejected::Rejected(e))
    } else {
        Err(unknown())
    }
}

/// Every connection observation a dependent can build.
fn connection_observations() -> Vec<ObservedConnection> {
    let rules_sets = [Rules::Documented, Rules::Operational];
    let mut starts = Vec::new();
    for rules in rules_sets {
        for conn in Connection::all_states(rules) {
            starts.push(ObservedConnection::from(conn));
        }
        for &status in S::ALL {
            for is_active in [None, Some(true), Some(false)] {
                starts.extend(ObservedConnection::observe(rules, status, is_active, None));
            }
        }
        for operational in std::iter::once(None).chain(S::ALL.iter().copied().map(Some)) {
            for is_active in [None, Some(true), Some(false)] {
                for company_active in [true, false] {
                    for cycle_pending in [true, false] {
                        let json = serde_json::json!({
                            "rules": rules, "operationalStatus": operational,
                            "isActive": is_active, "companyActive": company_active,
                            "cyclePending": cycle_pending,
                        });
                        starts.extend(serde_json::from_value::<ObservedConnection>(json).ok());
                    }
                }
            }
        }
    }
    closure(starts, |seen| {
        let mut next = Vec::new();
        for &event in E::ALL {
            let mut after = *seen;
            if after.apply(event).is_ok() {
                next.push(after);
            }
        }
        for &status in S::ALL {
            for is_active in [None, Some(true), Some(false)] {
                next.extend(ObservedConnection::observe(
                    seen.rules(),
                    status,
                    is_active,
                    Some(seen),
                ));
            }
        }
        next
    })
}

/// Every account observation a dependent can build.
fn account_observations() -> Vec<ObservedAccount> {
    let mut starts: Vec<ObservedAccount> = Account::all_states().map(Into::into).collect();
    for &status in A::ALL {
        for &tracking in T::ALL {
            starts.extend(ObservedAccount::observe(status, tracking, None));
        }
    }
    for own in std::iter::once(None).chain(A::ALL.iter().copied().map(Some)) {
        for &tracking in T::ALL {
            for parent_blocked in [None, Some(true), Some(false)] {
                for company_active in [true, false] {
                    let json = serde_json::json!({
                        "ownStatus": own, "trackingStatus": tracking,
                        "parentBlocked": parent_blocked, "companyActive": company_active,
                    });
                    starts.extend(serde_json::from_value::<ObservedAccount>(json).ok());
                }
            }
        }
    }
    closure(starts, |seen| {
        let mut next = Vec::new();
        for &event in AccountEvent::ALL {
            let mut after = *seen;
            if after.apply(event).is_ok() {
                next.push(after);
            }
        }
        for &status in A::ALL {
            for &tracking in T::ALL {
                next.extend(ObservedAccount::observe(status, tracking, Some(seen)));
            }
        }
        next
    })
}

/// The connections `seen` admits, read from its public facts: the operational status and
/// `isActive` where known, the company's overlay (always known), and the fresh-cycle flag
/// (forced for `PENDING`).
fn admitted_connections(seen: &ObservedConnection) -> Vec<Connection> {
    Connection::all_states(seen.rules())
        .filter(|c| {
            seen.operational_status()
                .is_none_or(|s| s == c.operational_status())
                && seen.is_active().is_none_or(|a| a == c.is_active())
                && seen.overlays().contains(CO::CompanyInactive)
                    == c.overlays().contains(CO::CompanyInactive)
                && c.is_cycle_pending()
                    == (seen.is_cycle_pending() || c.operational_status() == S::Pending)
        })
        .collect()
}

/// The accounts `seen` admits, read from its public facts: the own status and the parent's
/// block where known, tracking and the company's overlay (always known).
fn admitted_accounts(seen: &ObservedAccount) -> Vec<Account> {
    Account::all_states()
        .filter(|a| {
            seen.own_status().is_none_or(|s| s == a.own_status())
                && seen.tracking() == a.tracking()
                && seen
                    .is_parent_blocked()
                    .is_none_or(|b| b == a.is_parent_blocked())
                && seen.overlays().contains(AO::CompanyInactive)
                    == a.overlays().contains(AO::CompanyInactive)
        })
        .collect()
}

/// What an observation knows of the states it admits is what they all agree on.
fn assert_knows_connections(seen: &ObservedConnection, states: &[Connection], context: impl Debug) {
    assert!(!states.is_empty(), "{context:?}: admits nothing");
    let non_pending = states
        .iter()
        .filter(|c| c.operational_status() != S::Pending);
    let facts = (
        seen.status(),
        seen.operational_status(),
        seen.is_active(),
        seen.overlays(),
        seen.is_cycle_pending(),
    );
    let agreed_facts = (
        agreed(states.iter().map(Connection::status)),
        agreed(states.iter().map(Connection::operational_status)),
        agreed(states.iter().map(Connection::is_active)),
        common(states.iter().map(Connection::overlays)),
        agreed(non_pending.clone().map(Connection::is_cycle_pending)).unwrap_or(true),
    );
    assert_eq!(facts, agreed_facts, "{context:?}");
    assert_eq!(
        seen.connection(),
        (states.len() == 1).then(|| states[0]),
        "{context:?}"
    );
}

fn assert_knows_accounts(seen: &ObservedAccount, states: &[Account], context: impl Debug) {
    assert!(!states.is_empty(), "{context:?}: admits nothing");
    let facts = (
        seen.status(),
        seen.own_status(),
        seen.is_parent_blocked(),
        seen.overlays(),
    );
    let agreed_facts = (
        agreed(states.iter().map(Account::status)),
        agreed(states.iter().map(Account::own_status)),
        agreed(states.iter().map(Account::is_parent_blocked)),
        common(states.iter().map(Account::overlays)),
    );
    assert_eq!(facts, agreed_facts, "{context:?}");
    assert_eq!(
        seen.account(),
        (states.len() == 1).then(|| states[0]),
        "{context:?}"
    );
}

/// `apply` answers what the admitted states agree on, and the observation after it admits
/// every state they reached and knows exactly what those agree on.
fn assert_apply_agrees<M, K>(
    seen: &K,
    event: M::Event,
    admitted: impl Fn(&K) -> Vec<M>,
    apply: impl Fn(&mut K, M::Event) -> Outcome<M::Status, M::Event>,
    knows: impl Fn(&K, &[M], &dyn Debug),
) where
    M: Machine,
    M::Status: Copy + PartialEq,
    K: Copy + Debug,
{
    let states = admitted(seen);
    let mut after = *seen;
    let outcome = apply(&mut after, event);
    let context = (seen, event);
    match expected(&states, event) {
        Ok((edge, reached)) => {
            assert_eq!(outcome, Ok(edge), "{context:?}");
            let now = admitted(&after);
            assert!(reached.iter().all(|m| now.contains(m)), "{context:?}");
            knows(&after, &reached, &context);
        }
        Err(rejected) => assert_eq!(outcome, Err(rejected), "{context:?}"),
    }
}

#[test]
fn every_connection_observation_answers_what_the_connections_it_admits_agree_on() {
    let observations = connection_observations();
    assert!(observations.len() > 200, "{}", observations.len());
    for seen in &observations {
        assert_knows_connections(seen, &admitted_connections(seen), seen);
        for &event in E::ALL {
            assert_apply_agrees(
                seen,
                event,
                admitted_connections,
                ObservedConnection::apply,
                |k, states, context| assert_knows_connections(k, states, context),
            );
        }
    }
}

#[test]
fn every_account_observation_answers_what_the_accounts_it_admits_agree_on() {
    let observations = account_observations();
    assert!(observations.len() > 100, "{}", observations.len());
    for seen in &observations {
        assert_knows_accounts(seen, &admitted_accounts(seen), seen);
        for &event in AccountEvent::ALL {
            assert_apply_agrees(
                seen,
                event,
                admitted_accounts,
                ObservedAccount::apply,
                |k, states, context| assert_knows_accounts(k, states, context),
            );
        }
    }
}

/// The invariant that makes the refusals of the observed joins unreachable: the states an
/// observation admits that all take an event agree on the edge and on what an observation
/// must hold, so an event an observation allows is always taken.
#[test]
fn every_event_an_observation_allows_is_taken() {
    for seen in connection_observations() {
        for event in seen.allowed_events().iter() {
            assert!(seen.clone().apply(event).is_ok(), "{seen:?} {event}");
        }
    }
    for seen in account_observations() {
        for event in seen.allowed_events().iter() {
            assert!(seen.clone().apply(event).is_ok(), "{seen:?} {event}");
        }
    }
}

#[test]
fn an_event_every_unknown_status_rejects_is_still_unknown() {
    // First seen deactivated, then activated: the status under it was never reported.
    let first =
        ObservedConnection::observe(Rules::Operational, S::Deactivated, None, None).expect("seen");
    let mut on = first;
    on.apply(E::Activate).expect("activate");
    assert_eq!(on.status(), None);
    // Every operational status rejects activation, each naming itself: which one is unknown.
    assert_eq!(
        on.clone().apply(E::Activate),
        Err(ObservedRejected::StatusUnknown {
            event: E::Activate,
            allowed: EnumSet::from([E::Deactivate, E::CompanyDeactivated]),
        })
    );

    // The same for an account whose parent recovered over an own status never reported.
    let mut first =
        ObservedAccount::observe(A::WorkflowNotAccessible, T::Enabled, None).expect("seen");
    first
        .apply(AccountEvent::ParentRecovered)
        .expect("recovered");
    assert_eq!(first.status(), None);
    assert!(matches!(
        first.apply(AccountEvent::ParentRecovered),
        Err(ObservedRejected::StatusUnknown {
            event: AccountEvent::ParentRecovered,
            ..
        })
    ));
}

#[test]
fn a_deactivation_unknown_under_a_lifted_company_overlay_leaves_the_status_unknown() {
    let mut seen = ObservedConnection::observe(Rules::Operational, S::CompanyInactive, None, None)
        .expect("seen");
    seen.apply(E::CompanyReactivated).expect("reactivated");
    // DEACTIVATED or the operational status: the highest layer cannot be told.
    assert_eq!((seen.is_active(), seen.status()), (None, None));
    assert_eq!(seen.overlays(), EnumSet::empty());
}

#[test]
fn seeing_the_same_overlay_again_starts_no_fresh_cycle() {
    let rules = Rules::Operational;
    let off = ObservedConnection::observe(rules, S::Deactivated, Some(false), None).expect("off");
    assert!(!off.is_cycle_pending());
    for (status, is_active) in [
        (S::Deactivated, Some(false)),
        (S::Deactivated, None),
        (S::CompanyInactive, None),
        (S::CompanyInactive, Some(false)),
    ] {
        let again =
            ObservedConnection::observe(rules, status, is_active, Some(&off)).expect("seen");
        assert!(!again.is_cycle_pending(), "{status} {is_active:?}");
    }
    // Lifted, it does.
    let on = ObservedConnection::observe(rules, S::Connected, Some(true), Some(&off)).expect("on");
    assert!(on.is_cycle_pending());
}
