//! Golden tests: the generated documentation is committed, and must equal what the table
//! renders now. Conformance: the documented Mermaid output, parsed back, is the published
//! diagram.

mod common;

use std::collections::BTreeSet;

use nectar_lifecycle::render::{
    self, Format, account_diagram, connection_diagram, overlay_diagram, transitions_document,
};
use nectar_lifecycle::{Connection, Provenance, Rules};

fn golden(path: &str, want: &str, regenerate: &str) {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let got = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(
        got == want,
        "{path} is stale; regenerate it with `{regenerate}`"
    );
}

#[test]
fn docs_transitions_md_is_up_to_date() {
    golden(
        "docs/transitions.md",
        &transitions_document(),
        render::REGENERATE,
    );
}

#[test]
fn the_rustdoc_diagram_is_up_to_date() {
    golden(
        "docs/connection-documented.mmd",
        &connection_diagram(Rules::Documented, Format::Mermaid),
        "cargo lifecycle diagram --rules documented > docs/connection-documented.mmd",
    );
}

#[test]
fn the_readme_diagram_is_up_to_date() {
    let readme = include_str!("../README.md");
    let block = readme
        .split_once("<!-- documented-diagram:start -->\n```mermaid\n")
        .and_then(|(_, rest)| rest.split_once("```\n<!-- documented-diagram:end -->"))
        .expect("markers in README")
        .0;
    assert!(
        block == connection_diagram(Rules::Documented, Format::Mermaid),
        "the README's diagram is stale; paste the output of `cargo lifecycle diagram --rules documented` between its markers"
    );
}

/// `(from, label, to)` of every `A --> B: label` line.
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
fn documented_mermaid_is_exactly_the_published_diagram() {
    let ours = parse_mermaid(&connection_diagram(Rules::Documented, Format::Mermaid));
    let spec = common::SPEC
        .split("```mermaid")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the spec's diagram");
    let published = parse_mermaid(spec);
    assert_eq!(published.len(), 23, "22 edges and the start");
    assert_eq!(ours, published);
}

#[test]
fn operational_mermaid_marks_exactly_the_inferred_edges() {
    let ours = parse_mermaid(&connection_diagram(Rules::Operational, Format::Mermaid));
    let want: BTreeSet<_> = Connection::edges(Rules::Operational)
        .into_iter()
        .filter(|t| t.provenance != Provenance::System)
        .map(|t| {
            let mark = if matches!(t.provenance, Provenance::Inferred(_)) {
                " [inferred]"
            } else {
                ""
            };
            (
                t.from.to_string(),
                format!("{}{mark}", t.event.label()),
                t.to.to_string(),
            )
        })
        .chain([(
            "[*]".to_owned(),
            "Connection created".to_owned(),
            "PENDING".to_owned(),
        )])
        .collect();
    assert_eq!(ours, want);
}

#[test]
fn dot_draws_inferred_and_system_edges_dashed() {
    let dot = connection_diagram(Rules::Operational, Format::Dot);
    assert!(dot.starts_with("digraph connection_operational {\n"));
    assert!(dot.contains("  PENDING -> CONNECTED [label=\"Authentication successful\"];\n"));
    assert!(
        dot.contains("  PENDING -> URL_INACCESSIBLE [label=\"URL unreachable\", style=dashed];\n")
    );
    let overlays = overlay_diagram(Format::Dot);
    assert!(overlays.contains(
        "  OPERATIONAL -> DEACTIVATED [label=\"Deactivated (isActive false)\", style=dashed, color=gray40, fontcolor=gray40];\n"
    ));
    // Every lifecycle edge is drawn once.
    let edges = Connection::edges(Rules::Operational)
        .into_iter()
        .filter(|t| t.provenance != Provenance::System)
        .count();
    assert_eq!(
        dot.matches(" -> ").count(),
        edges + 1,
        "the edges and the start"
    );
}

#[test]
fn overlays_are_collapsed_into_one_pseudo_state() {
    let ours = parse_mermaid(&overlay_diagram(Format::Mermaid));
    let labels: BTreeSet<_> = ours
        .iter()
        .map(|(f, _, t)| (f.as_str(), t.as_str()))
        .collect();
    let want: BTreeSet<_> = [
        ("OPERATIONAL", "DEACTIVATED"),
        ("OPERATIONAL", "COMPANY_INACTIVE"),
        ("DEACTIVATED", "OPERATIONAL"),
        ("DEACTIVATED", "COMPANY_INACTIVE"),
        ("COMPANY_INACTIVE", "OPERATIONAL"),
        ("COMPANY_INACTIVE", "DEACTIVATED"),
    ]
    .into_iter()
    .collect();
    assert_eq!(labels, want);
}

#[test]
fn markdown_tables_list_every_edge_in_table_order() {
    for rules in [Rules::Documented, Rules::Operational] {
        let md = connection_diagram(rules, Format::Markdown);
        let rows: Vec<&str> = md.lines().skip(2).collect();
        let edges = Connection::edges(rules);
        assert_eq!(rows.len(), edges.len());
        for (row, t) in rows.iter().zip(&edges) {
            assert!(
                row.starts_with(&format!("| `{}` | `{}` | `{}` |", t.from, t.event, t.to)),
                "{row}"
            );
        }
    }
    let accounts = account_diagram(Format::Markdown);
    assert_eq!(
        accounts.lines().count() - 2,
        nectar_lifecycle::Account::edges().len()
    );
}

#[test]
fn the_status_table_has_a_row_per_status() {
    let table = render::status_table();
    let (connections, accounts) = table.split_once("| Account status").expect("two tables");
    for s in <nectar_lifecycle::ConnectionStatus as nectar_lifecycle::Enumerated>::ALL {
        assert_eq!(connections.matches(&format!("| `{s}` |")).count(), 1, "{s}");
    }
    for s in <nectar_lifecycle::AccountStatus as nectar_lifecycle::Enumerated>::ALL {
        assert_eq!(accounts.matches(&format!("| `{s}` |")).count(), 1, "{s}");
    }
    assert!(table.contains("| `DEACTIVATED` | system | stopped until `Activate` |"));
    assert!(table.contains("| `OLD_ACCOUNT` | terminal | never re-checked |"));
}
