//! Every `(status, event)` cell of both tables, forbidden cells included, against a
//! hand-written expectation (`support/fixtures/*-cells.txt`) derived from the spec.

use nectar_lifecycle_support as common;

use std::collections::BTreeMap;

use common::{Cell, cells, inference_names, rule_names};
use nectar_lifecycle_core::{
    AccountEvent, AccountOverlay, AccountStatus, ConnectionEvent, ConnectionOverlay,
    ConnectionStatus, Enumerated, Rules, account_rule, connection_rule,
};

type Expected = BTreeMap<(String, String), (String, String)>;

fn expected(cells: Vec<Cell>) -> Expected {
    let known = inference_names();
    let mut map = BTreeMap::new();
    for c in cells {
        assert!(
            ["diagram", "system"].contains(&c.provenance.as_str()) || known.contains(&c.provenance),
            "unknown provenance {}",
            c.provenance
        );
        let old = map.insert((c.from.clone(), c.event.clone()), (c.target, c.provenance));
        assert!(old.is_none(), "cell {} {} listed twice", c.from, c.event);
    }
    map
}

fn connection_expected(rules: Rules) -> Expected {
    let all = cells(common::CONNECTION_CELLS);
    expected(match rules {
        Rules::Operational => all,
        Rules::Documented => all
            .into_iter()
            .filter(|c| c.provenance == "diagram" || c.provenance == "system")
            .collect(),
    })
}

#[test]
fn every_connection_cell_under_both_rule_sets() {
    for rules in [Rules::Documented, Rules::Operational] {
        let want = connection_expected(rules);
        let mut allowed = 0;
        for &from in ConnectionStatus::ALL {
            for &event in ConnectionEvent::ALL {
                let got = connection_rule(rules, from, event)
                    .map(|r| rule_names(r, ConnectionOverlay::status));
                let key = (from.to_string(), format!("{event:?}"));
                assert_eq!(got.as_ref(), want.get(&key), "{rules}: {from} {event}");
                allowed += usize::from(got.is_some());
            }
        }
        // Every fixture line was matched by a real cell (no misspelled status or event).
        assert_eq!(allowed, want.len(), "{rules}");
    }
}

#[test]
fn every_account_cell() {
    let want = expected(cells(common::ACCOUNT_CELLS));
    let mut allowed = 0;
    for &from in AccountStatus::ALL {
        for &event in AccountEvent::ALL {
            let got = account_rule(from, event).map(|r| rule_names(r, AccountOverlay::status));
            let key = (from.to_string(), format!("{event:?}"));
            assert_eq!(got.as_ref(), want.get(&key), "{from} {event}");
            allowed += usize::from(got.is_some());
        }
    }
    assert_eq!(allowed, want.len());
}

#[test]
fn the_account_edge_list_is_the_table_with_restores_expanded() {
    use nectar_lifecycle_core::Account;
    let want = expected(cells(common::ACCOUNT_CELLS));
    let edges = Account::edges();
    // Every listed edge is an allowed cell with its provenance; a restore lands lower.
    for t in &edges {
        let (target, provenance) = want
            .get(&(t.from.to_string(), format!("{:?}", t.event)))
            .unwrap_or_else(|| panic!("{t} is not a cell"));
        assert_eq!(common::provenance_name(t.provenance), *provenance);
        if target != "RESTORE" {
            assert_eq!(t.to.to_string(), *target, "{t}");
        }
    }
    // Every allowed cell appears at least once.
    for (from, event) in want.keys() {
        assert!(
            edges
                .iter()
                .any(|t| t.from.to_string() == *from && format!("{:?}", t.event) == *event),
            "{from} {event} never listed"
        );
    }
}
