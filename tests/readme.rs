//! The README's list of inferred edges is the table's.

use std::collections::BTreeSet;

use nectar_lifecycle::{Connection, Provenance, Rules};

#[test]
fn the_readme_lists_exactly_the_inferred_edges() {
    let readme = include_str!("../README.md");
    let block = readme
        .split_once("<!-- inferred-edges:start -->")
        .and_then(|(_, rest)| rest.split_once("<!-- inferred-edges:end -->"))
        .expect("markers in README")
        .0;
    let listed: BTreeSet<(String, String, String, String)> = block
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let c: Vec<_> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`'))
                .collect();
            (
                c[0].to_owned(),
                c[1].to_owned(),
                c[2].to_owned(),
                c[3].to_owned(),
            )
        })
        .collect();
    let ours: BTreeSet<_> = Connection::edges(Rules::Operational)
        .into_iter()
        .filter_map(|t| match t.provenance {
            Provenance::Inferred(why) => Some((
                t.from.to_string(),
                t.event.to_string(),
                t.to.to_string(),
                why.to_string(),
            )),
            Provenance::Diagram | Provenance::System => None,
        })
        .collect();
    assert_eq!(listed.len(), 52);
    assert_eq!(listed, ours);
}
