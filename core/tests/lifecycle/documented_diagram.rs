//! The `Documented` rule set is the published diagram: its 22 edges, read from a verbatim
//! copy of Nectar's page, are exactly the non-system edges the crate allows, and the
//! generated Mermaid, parsed back, is that diagram.

use nectar_lifecycle_support as common;

use std::collections::BTreeSet;

use nectar_lifecycle_core::render::{Diagram, Format};
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

/// `(from, label, to)` of every `A --> B: label` line of a Mermaid state diagram, the start
/// edge `[*] --> ...` included.
fn parse_mermaid(text: &str) -> BTreeSet<(String, String, String)> {
    text.lines()
        .filter_map(|l| {
            let (arrow, label) = l.trim().split_once(": ")?;
            let (from, to) = arrow.split_once(" --> ")?;
            Some((from.to_owned(), label.to_owned(), to.to_owned()))
        })
        .collect()
}

#[test]
fn the_documented_mermaid_parsed_back_is_exactly_the_published_diagram() {
    let spec = common::SPEC
        .split("```mermaid")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the spec's diagram");
    let published = parse_mermaid(spec);
    assert_eq!(published.len(), 23, "22 edges and the start");
    let ours = parse_mermaid(&Diagram::ConnectionDocumented.render(Format::Mermaid));
    assert_eq!(ours, published);
}

#[test]
fn the_documented_mermaid_is_in_the_published_style() {
    // Flat, like the page: the header, then one `A --> B: label` line per edge; no
    // groups, pseudo-states, styling or merged labels.
    let ours = Diagram::ConnectionDocumented.render(Format::Mermaid);
    let mut lines = ours.lines();
    assert_eq!(lines.next(), Some("stateDiagram-v2"));
    for line in lines {
        assert!(
            line.starts_with("  ") && line.contains(" --> ") && line.contains(": "),
            "{line:?}"
        );
        assert!(
            !line.contains(", ") && !line.contains("[inferred]"),
            "{line:?}"
        );
    }
    assert_eq!(ours.lines().count(), 1 + 23);
}
