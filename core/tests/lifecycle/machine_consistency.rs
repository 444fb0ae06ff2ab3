//! The machines carry out exactly what the table says, from every valid state: the visible
//! status after an event is the rule's target (or, for a restore, what the overlay
//! covered), and a rejected event changes nothing.

use nectar_lifecycle_core::{
    Account, AccountStatus, Connection, ConnectionStatus, Enumerated, Machine, OverlayChange,
    Rules, Target,
};

fn check<M: Machine>(states: impl Iterator<Item = M>, covered: impl Fn(&M) -> M::Status) {
    let mut applied = 0;
    for state in states {
        for &event in M::Event::ALL {
            let mut machine = state;
            let rule = state.rule(event);
            assert_eq!(
                state.allowed_events().contains(event),
                rule.is_some(),
                "{state:?} {event}"
            );
            match machine.apply(event) {
                Ok(t) => {
                    let rule = rule.expect("accepted only with a rule");
                    assert_eq!(t.from, state.status());
                    assert_eq!(t.to, machine.status());
                    assert_eq!(t.provenance, rule.provenance);
                    match rule.target {
                        Target::Status(to) => assert_eq!(t.to, to, "{state:?} {event}"),
                        // A raised overlay shows its own status (same API string).
                        Target::Overlay(OverlayChange::Raise(overlay)) => {
                            assert_eq!(t.to.to_string(), overlay.to_string(), "{state:?} {event}");
                        }
                        Target::Overlay(OverlayChange::Lift(_)) => {
                            assert_eq!(t.to, covered(&state), "{state:?} {event}");
                        }
                    }
                    applied += 1;
                }
                Err(err) => {
                    assert!(rule.is_none());
                    assert_eq!(
                        machine, state,
                        "a rejected event leaves the machine unchanged"
                    );
                    assert_eq!((err.from, err.event), (state.status(), event));
                    assert_eq!(err.allowed, state.allowed_events());
                    assert!(!err.allowed.contains(event));
                }
            }
        }
    }
    assert!(applied > 0);
}

#[test]
fn connections_follow_the_table_from_every_state() {
    for rules in [Rules::Documented, Rules::Operational] {
        check(Connection::all_states(rules), |c| {
            // What the shown overlay covers: DEACTIVATED under the company, else the
            // operational status.
            if c.status() == ConnectionStatus::CompanyInactive && !c.is_active() {
                ConnectionStatus::Deactivated
            } else {
                c.operational_status()
            }
        });
    }
}

#[test]
fn accounts_follow_the_table_from_every_state() {
    check(Account::all_states(), |a| match a.status() {
        AccountStatus::CompanyInactive if !a.tracking().is_tracked() => {
            AccountStatus::CustomerNotTracked
        }
        AccountStatus::CompanyInactive | AccountStatus::CustomerNotTracked
            if a.is_parent_blocked() =>
        {
            AccountStatus::WorkflowNotAccessible
        }
        // Confirming onboards a detected account as it lifts CUSTOMER_NOT_TRACKED.
        AccountStatus::CustomerNotTracked if a.own_status() == AccountStatus::Detected => {
            AccountStatus::Onboarded
        }
        _ => a.own_status(),
    });
}

#[test]
fn edge_lists_are_sorted_unique_and_sized() {
    let documented = Connection::edges(Rules::Documented);
    let operational = Connection::edges(Rules::Operational);
    // 22 drawn + 46 system (11 + 11 raising, 11 + 12 restoring, 1 company over deactivated).
    assert_eq!(documented.len(), 22 + 46);
    // ... plus the 52 inferred edges listed in the README.
    assert_eq!(operational.len(), 22 + 46 + 52);
    for list in [&documented, &operational] {
        assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    }
    assert!(documented.iter().all(|t| operational.contains(t)));
    let accounts = Account::edges();
    assert!(accounts.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn connection_edge_agrees_with_the_edge_list_for_every_pair() {
    use nectar_lifecycle_core::table::connection_edge;
    for rules in [Rules::Documented, Rules::Operational] {
        let edges = Connection::edges(rules);
        for &from in ConnectionStatus::ALL {
            for &to in ConnectionStatus::ALL {
                let listed: Vec<_> = edges
                    .iter()
                    .filter(|t| t.from == from && t.to == to)
                    .collect();
                match connection_edge(rules, from, to) {
                    None => assert!(listed.is_empty(), "{rules} {from}->{to}"),
                    Some((event, provenance)) => {
                        assert!(
                            listed
                                .iter()
                                .any(|t| t.event == event && t.provenance == provenance),
                            "{rules} {from}->{to}"
                        );
                        // A drawn edge is preferred when there is one.
                        let drawn = listed
                            .iter()
                            .any(|t| t.provenance == nectar_lifecycle_core::Provenance::Diagram);
                        assert_eq!(
                            drawn,
                            provenance == nectar_lifecycle_core::Provenance::Diagram
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn transitions_and_provenances_display_for_logs() {
    use nectar_lifecycle_core::{ConnectionEvent as E, Inference, Provenance};
    let mut conn = Connection::new(Rules::Operational);
    let t = conn.apply(E::UrlUnreachable).expect("allowed");
    assert_eq!(
        t.to_string(),
        "PENDING --URL unreachable--> URL_INACCESSIBLE (inferred)"
    );
    assert_eq!(Provenance::Diagram.to_string(), "diagram");
    assert_eq!(Provenance::System.to_string(), "system");
    assert_eq!(
        Provenance::Inferred(Inference::SupportEscalation).to_string(),
        "inferred"
    );
}

#[test]
fn representative_machines_show_their_status() {
    for rules in [Rules::Documented, Rules::Operational] {
        for &status in ConnectionStatus::ALL {
            let conn = Connection::showing(rules, status);
            assert_eq!(conn.status(), status);
            assert!(
                Connection::all_states(rules).any(|c| c == conn),
                "a valid state"
            );
        }
    }
    for &status in AccountStatus::ALL {
        let account = Account::showing(status);
        assert_eq!(account.status(), status);
        assert!(Account::all_states().any(|a| a == account), "a valid state");
    }
}

/// Every state the table reaches from `start`, by trying every event from every state found.
fn reachable<M: Machine + Ord>(start: M) -> std::collections::BTreeSet<M> {
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![start];
    while let Some(state) = stack.pop() {
        if seen.insert(state) {
            stack.extend(M::Event::ALL.iter().filter_map(|&event| {
                let mut next = state;
                next.apply(event).ok().map(|_| next)
            }));
        }
    }
    seen
}

/// Every constructor validates: the valid states are exactly the states a new machine can
/// reach through the table (under the operational rules; the documented diagram never
/// reaches ADDITIONAL_CREDENTIALS_NEEDED or URL_INACCESSIBLE, which the model checker reports).
#[test]
fn the_valid_states_are_exactly_the_reachable_ones() {
    let valid: std::collections::BTreeSet<_> = Connection::all_states(Rules::Operational).collect();
    assert_eq!(reachable(Connection::new(Rules::Operational)), valid);
    let documented = reachable(Connection::new(Rules::Documented));
    let unreached: std::collections::BTreeSet<_> = Connection::all_states(Rules::Documented)
        .filter(|c| !documented.contains(c))
        .map(|c| c.operational_status())
        .collect();
    assert_eq!(
        unreached,
        [
            ConnectionStatus::AdditionalCredentialsNeeded,
            ConnectionStatus::UrlInaccessible
        ]
        .into()
    );
    let valid: std::collections::BTreeSet<_> = Account::all_states().collect();
    assert_eq!(reachable(Account::new()), valid);
}
