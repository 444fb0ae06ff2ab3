//! The `Documented` rule set is the published diagram: its 22 edges, read from a verbatim
//! copy of Nectar's page, are exactly the non-system edges the crate allows.

use nectar_lifecycle_support as common;

use std::collections::BTreeSet;

use nectar_lifecycle_core::{Connection, DIAGRAM, Provenance, Rules};

fn published() -> BTreeSet<(String, String, String)> {
    common::diagram_edges().into_iter().collect()
}

#[test]
fn the_fixture_has_the_22_published_edges() {
    assert_eq!(common::diagram_edges().len(), 22);
    assert_eq!(published().len(), 22, "no edge is drawn twice");
}

#[test]
fn documented_non_system_edges_are_exactly_the_published_diagram() {
    let ours: BTreeSet<_> = Connection::edges(Rules::Documented)
        .into_iter()
        .filter(|t| t.provenance != Provenance::System)
        .map(|t| {
            (
                t.from.to_string(),
                t.event.label().to_owned(),
                t.to.to_string(),
            )
        })
        .collect();
    assert_eq!(ours, published());
}

#[test]
fn documented_allows_nothing_inferred() {
    assert!(
        Connection::edges(Rules::Documented)
            .iter()
            .all(|t| matches!(t.provenance, Provenance::Diagram | Provenance::System))
    );
}

#[test]
fn the_diagram_constant_matches_the_page() {
    let ours: BTreeSet<_> = DIAGRAM
        .iter()
        .map(|(f, e, t)| (f.to_string(), e.label().to_owned(), t.to_string()))
        .collect();
    assert_eq!(ours, published());
}

#[test]
fn every_drawn_edge_is_marked_diagram_under_both_rule_sets() {
    for rules in [Rules::Documented, Rules::Operational] {
        let drawn: BTreeSet<_> = Connection::edges(rules)
            .into_iter()
            .filter(|t| t.provenance == Provenance::Diagram)
            .map(|t| {
                (
                    t.from.to_string(),
                    t.event.label().to_owned(),
                    t.to.to_string(),
                )
            })
            .collect();
        assert_eq!(drawn, published(), "{rules}");
    }
}
