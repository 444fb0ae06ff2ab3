//! The rendered documentation says exactly what the table says: every diagram, parsed back
//! and its pseudo-states and merged edges expanded, is the table's edges; every table cell
//! is the table's cell.

use std::collections::BTreeSet;

use nectar_lifecycle_core::render::{
    Diagram, Format, account_table, connection_table, inferred_edges, status_table,
};
use nectar_lifecycle_core::{
    Account, AccountCategory, AccountEvent, AccountOverlay, AccountStatus, Connection,
    ConnectionCategory, ConnectionEvent, ConnectionOverlay, ConnectionStatus, Enumerated,
    OverlayChange, Provenance, Rule, Rules, Target, Transition, account_rule, connection_rule,
};

/// `(from, label, to, inferred)`.
type Drawn = BTreeSet<(String, String, String, bool)>;

/// The statuses a pseudo-state's label names: `UNDER_INVESTIGATION or any provider error`.
fn named(label: &str, any: &dyn Fn(&str) -> Vec<String>) -> Vec<String> {
    label
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .flat_map(|word| {
            if word.starts_with("any ") {
                let all = any(word);
                assert!(!all.is_empty(), "unknown group {word:?}");
                all
            } else {
                vec![word.to_owned()]
            }
        })
        .collect()
}

/// An edge as a diagram draws it, with its events `(label, inferred)`.
struct Edge {
    from: String,
    to: String,
    labels: Vec<(String, bool)>,
}

/// A lifecycle diagram parsed back: its edges (the start edge left out) and its
/// pseudo-states `(id, label)`.
#[derive(Default)]
struct Parsed {
    edges: Vec<Edge>,
    pseudo: Vec<(String, String)>,
}

/// Every `(from, label, to, inferred)` a lifecycle diagram draws, its pseudo-states
/// expanded into their statuses and its merged edges into their events.
fn expand(parsed: &Parsed, any: &dyn Fn(&str) -> Vec<String>) -> Drawn {
    let members = |id: &str| {
        parsed
            .pseudo
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, label)| named(label, any))
    };
    let mut out = Drawn::new();
    for Edge { from, to, labels } in &parsed.edges {
        let pairs: Vec<(String, String)> = match (members(from), from == to) {
            (Some(all), true) => all.iter().map(|s| (s.clone(), s.clone())).collect(),
            (Some(all), false) => all.iter().map(|s| (s.clone(), to.clone())).collect(),
            (None, _) => vec![(from.clone(), to.clone())],
        };
        assert!(
            members(to).is_none() || from == to,
            "an edge into a pseudo-state"
        );
        for (f, t) in pairs {
            for (label, inferred) in labels {
                let fresh = out.insert((f.clone(), label.clone(), t.clone(), *inferred));
                assert!(fresh, "{f} --{label}--> {t} is drawn twice");
            }
        }
    }
    out
}

fn parse_mermaid(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("state \"") {
            let (label, id) = rest.split_once("\" as ").expect("state \"label\" as id");
            parsed.pseudo.push((id.to_owned(), label.to_owned()));
        } else if let Some((arrow, labels)) = line.split_once(": ") {
            let (from, to) = arrow.split_once(" --> ").expect("an arrow");
            let labels = labels
                .split(", ")
                .map(|l| match l.strip_suffix(" [inferred]") {
                    Some(l) => (l.to_owned(), true),
                    None => (l.to_owned(), false),
                })
                .collect();
            if from != "[*]" {
                parsed.edges.push(Edge {
                    from: from.to_owned(),
                    to: to.to_owned(),
                    labels,
                });
            }
        }
    }
    parsed
}

/// The same from DOT, where a dashed edge's events are all inferred, and a solid edge
/// marks its inferred events.
fn parse_dot(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for line in text.lines().map(str::trim) {
        let Some((head, attributes)) = line.split_once(" [") else {
            continue;
        };
        let label = attributes
            .split_once("label=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(label, _)| label);
        if let Some((from, to)) = head.split_once(" -> ") {
            if from == "start" {
                continue;
            }
            let dashed = attributes.contains("style=dashed");
            let labels = label
                .expect("every edge has a label")
                .split("\\n")
                .map(|l| match l.strip_suffix(" [inferred]") {
                    Some(l) => (l.to_owned(), true),
                    None => (l.to_owned(), dashed),
                })
                .collect();
            parsed.edges.push(Edge {
                from: from.to_owned(),
                to: to.to_owned(),
                labels,
            });
        } else if attributes.contains("style=\"rounded,dashed\"") {
            parsed.pseudo.push((
                head.to_owned(),
                label.expect("a labelled pseudo-state").to_owned(),
            ));
        }
    }
    parsed
}

/// The table's edges between own statuses, as a diagram draws them.
fn own_edges<S: ToString + Copy, E: ToString>(
    edges: &[Transition<S, E>],
    own: impl Fn(S) -> bool,
) -> Drawn {
    edges
        .iter()
        .filter(|t| own(t.from) && own(t.to))
        .map(|t| {
            assert_ne!(t.provenance, Provenance::System, "{}", t.event.to_string());
            (
                t.from.to_string(),
                t.event.to_string(),
                t.to.to_string(),
                matches!(t.provenance, Provenance::Inferred(_)),
            )
        })
        .collect()
}

/// The own statuses of the category `word` names, among `words`.
fn group<S, C>(
    word: &str,
    words: &[(&str, C)],
    category: fn(S) -> C,
    own: fn(S) -> bool,
) -> Vec<String>
where
    S: Enumerated + ToString,
    C: PartialEq,
{
    let Some((_, c)) = words.iter().find(|(w, _)| *w == word) else {
        return Vec::new();
    };
    S::ALL
        .iter()
        .filter(|&&s| own(s) && category(s) == *c)
        .map(ToString::to_string)
        .collect()
}

fn connection_group(word: &str) -> Vec<String> {
    use ConnectionCategory as C;
    let words = [
        ("any healthy status", C::Healthy),
        ("any credential error", C::CredentialError),
        ("any provider error", C::ProviderError),
    ];
    group(
        word,
        &words,
        ConnectionStatus::category,
        ConnectionStatus::is_operational,
    )
}

fn account_group(word: &str) -> Vec<String> {
    use AccountCategory as C;
    let words = [
        ("any healthy status", C::Healthy),
        ("any collection error", C::CollectionError),
        ("any terminal status", C::Terminal),
    ];
    group(word, &words, AccountStatus::category, |s| {
        AccountOverlay::of(s).is_none()
    })
}

/// A group word of a machine (`any provider error`) as its statuses.
type Groups = fn(&str) -> Vec<String>;

#[test]
fn every_lifecycle_diagram_draws_exactly_the_tables_edges() {
    let own = |s: AccountStatus| AccountOverlay::of(s).is_none();
    let operational =
        |rules| own_edges(&Connection::edges(rules), ConnectionStatus::is_operational);
    let cases: [(Diagram, Drawn, Groups); 3] = [
        (
            Diagram::ConnectionDocumented,
            operational(Rules::Documented),
            connection_group,
        ),
        (
            Diagram::ConnectionOperational,
            operational(Rules::Operational),
            connection_group,
        ),
        (
            Diagram::AccountLifecycle,
            own_edges(&Account::edges(), own),
            account_group,
        ),
    ];
    for (diagram, want, any) in cases {
        for format in [Format::Mermaid, Format::Dot] {
            let text = diagram.render(format);
            let parsed = match format {
                Format::Mermaid => parse_mermaid(&text),
                Format::Dot => parse_dot(&text),
            };
            assert_eq!(expand(&parsed, &any), want, "{diagram:?} in {format}");
        }
    }
}

#[test]
fn the_diagrams_are_drawn_to_be_read() {
    // Parallel edges merged and shared fans drawn once: far fewer edges than the table has.
    let count = |d: Diagram| parse_dot(&d.render(Format::Dot)).edges.len();
    assert_eq!(
        count(Diagram::ConnectionDocumented),
        22,
        "the published diagram as it is"
    );
    assert!(
        count(Diagram::ConnectionOperational) <= 40,
        "74 edges in the table"
    );
    assert!(
        count(Diagram::AccountLifecycle) <= 12,
        "58 edges in the table"
    );
    let operational = Diagram::ConnectionOperational.render(Format::Mermaid);
    assert!(operational.contains(
        "  UNDER_INVESTIGATION --> CONNECTED: Weekly check passes [inferred], Issue resolved\n"
    ));
    assert!(operational.contains(
        "  state \"UNDER_INVESTIGATION or any provider error\" as UNDER_INVESTIGATION_or_any_provider_error\n"
    ));
}

#[test]
fn dot_groups_every_status_in_its_categorys_cluster() {
    let dot = Diagram::ConnectionOperational.render(Format::Dot);
    for &status in ConnectionStatus::ALL.iter().filter(|s| s.is_operational()) {
        let cluster = format!("subgraph cluster_{} {{", status.category());
        let block = dot
            .split_once(&cluster)
            .and_then(|(_, rest)| rest.split_once("\n  }"))
            .unwrap_or_else(|| panic!("no {cluster}"))
            .0;
        assert!(
            block.contains(&format!("\n    {status};")),
            "{status} in {cluster}"
        );
    }
}

/// Every edge into or out of `shown` by one of `events`, as `(from, event, to)`.
fn overlay_edges<S: ToString + PartialEq + Copy, E: ToString + PartialEq>(
    edges: &[Transition<S, E>],
    shown: S,
    events: [E; 2],
) -> BTreeSet<(String, String, String)> {
    edges
        .iter()
        .filter(|t| (t.to == shown || t.from == shown) && events.contains(&t.event))
        .map(|t| (t.from.to_string(), t.event.to_string(), t.to.to_string()))
        .collect()
}

/// A layer holds the statuses below its overlay: raising leaves it from each of them,
/// lifting returns to each of them, moved as the lifting event moves it uncovered
/// (`moved`, which the diagram notes). `layers` are `(shown, raise, lift)`, lowest first.
fn check_layers<S, E>(
    edges: &[Transition<S, E>],
    mut below: Vec<S>,
    layers: &[(S, E, E)],
    moved: impl Fn(S, E) -> Option<S>,
    text: &str,
) where
    S: ToString + PartialEq + Copy,
    E: ToString + PartialEq + Copy,
{
    for &(shown, raise, lift) in layers {
        let want: BTreeSet<_> = below
            .iter()
            .flat_map(|&s| {
                let back = moved(s, lift).unwrap_or(s);
                if back != s {
                    let note = format!("but {} comes back {}", s.to_string(), back.to_string());
                    assert!(text.contains(&note), "{note}");
                }
                [
                    (s.to_string(), raise.to_string(), shown.to_string()),
                    (shown.to_string(), lift.to_string(), back.to_string()),
                ]
            })
            .collect();
        let shown_name = shown.to_string();
        assert_eq!(
            overlay_edges(edges, shown, [raise, lift]),
            want,
            "{shown_name}"
        );
        let (raise, lift) = (raise.to_string(), lift.to_string());
        assert!(
            text.contains(&format!(" --> {shown_name}: {raise}")),
            "{shown_name}"
        );
        assert!(
            text.contains(&format!("  {shown_name} --> ")),
            "{shown_name}"
        );
        assert!(text.contains(&format!(": {lift}")), "{shown_name}");
        below.push(shown);
    }
}

/// Each overlay's `(shown, raise, lift)`, lowest first.
fn layers<O, S, E>(
    overlays: &[O],
    events: &[E],
    status: fn(O) -> S,
    change: fn(E) -> Option<OverlayChange<O>>,
    lifting: fn(O) -> E,
) -> Vec<(S, E, E)>
where
    O: Copy + PartialEq,
    E: Copy,
{
    overlays
        .iter()
        .map(|&o| {
            let raise = events
                .iter()
                .find(|&&e| change(e) == Some(OverlayChange::Raise(o)))
                .expect("a raising event");
            (status(o), *raise, lifting(o))
        })
        .collect()
}

/// Where a rule moves the status, if it does.
fn moved<S, O>(rule: Option<Rule<S, O>>) -> Option<S> {
    match rule?.target {
        Target::Status(to) => Some(to),
        Target::Overlay(_) => None,
    }
}

#[test]
fn the_overlay_layers_are_the_tables_overlay_edges() {
    check_layers(
        &Connection::edges(Rules::Operational),
        ConnectionStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_operational())
            .collect(),
        &layers(
            ConnectionOverlay::ALL,
            ConnectionEvent::ALL,
            ConnectionOverlay::status,
            ConnectionEvent::overlay_change,
            ConnectionEvent::lifting,
        ),
        |s, e| moved(connection_rule(Rules::Operational, s, e)),
        &Diagram::ConnectionOverlays.render(Format::Mermaid),
    );
    check_layers(
        &Account::edges(),
        AccountStatus::ALL
            .iter()
            .copied()
            .filter(|&s| AccountOverlay::of(s).is_none())
            .collect(),
        &layers(
            AccountOverlay::ALL,
            AccountEvent::ALL,
            AccountOverlay::status,
            AccountEvent::overlay_change,
            AccountEvent::lifting,
        ),
        |s, e| moved(account_rule(s, e)),
        &Diagram::AccountOverlays.render(Format::Mermaid),
    );
}

#[test]
fn the_overlay_diagrams_nest_the_layers_by_precedence() {
    // The lowest overlay's status is the most indented: each higher layer wraps it.
    let indent = |text: &str, status: &str| {
        text.lines()
            .find(|l| l.trim() == status)
            .map(|l| l.len() - l.trim_start().len())
            .unwrap_or_else(|| panic!("{status} is drawn"))
    };
    // An overlay displays as its status.
    let nested = |diagram: Diagram, shown: Vec<String>| {
        let text = diagram.render(Format::Mermaid);
        let depths: Vec<_> = shown.iter().map(|s| indent(&text, s)).collect();
        assert!(
            depths.windows(2).all(|w| w[0] > w[1]),
            "{diagram:?}: {depths:?}"
        );
        text
    };
    nested(
        Diagram::ConnectionOverlays,
        ConnectionOverlay::ALL
            .iter()
            .map(ToString::to_string)
            .collect(),
    );
    let account = nested(
        Diagram::AccountOverlays,
        AccountOverlay::ALL
            .iter()
            .map(ToString::to_string)
            .collect(),
    );
    assert!(account.contains("tracked --> CUSTOMER_NOT_TRACKED: Tracking disabled [inferred]\n"));
}

/// The cells of a status x event table, by row, header and separator left out.
fn cells(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .skip(2)
        .map(|row| {
            row.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

fn cell<S: ToString, O>(rule: Option<Rule<S, O>>, status: impl Fn(O) -> S) -> String {
    let Some(rule) = rule else {
        return String::new();
    };
    let to = match rule.target {
        Target::Status(s) => format!("`{}`", s.to_string()),
        Target::Overlay(OverlayChange::Raise(o)) => format!("`{}`", status(o).to_string()),
        Target::Overlay(OverlayChange::Lift(_)) => "*restore*".to_owned(),
    };
    let mark = match rule.provenance {
        Provenance::Diagram => "D",
        Provenance::Inferred(_) => "I",
        Provenance::System => "S",
    };
    format!("{to} {mark}")
}

#[test]
fn the_connection_tables_have_every_cell() {
    for rules in [Rules::Documented, Rules::Operational] {
        let table = connection_table(rules);
        let header: Vec<&str> = table
            .lines()
            .next()
            .unwrap()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let events = ConnectionEvent::ALL;
        assert_eq!(header.len(), 2 + events.len());
        for (h, e) in header[2..].iter().zip(events) {
            assert_eq!(*h, e.label());
        }
        let rows = cells(&table);
        assert_eq!(rows.len(), ConnectionStatus::ALL.len());
        for (row, &status) in rows.iter().zip(ConnectionStatus::ALL) {
            assert_eq!(row[0], format!("`{status}`"));
            assert_eq!(row[1], status.category().to_string());
            for (got, &event) in row[2..].iter().zip(events) {
                let want = cell(
                    connection_rule(rules, status, event),
                    ConnectionOverlay::status,
                );
                assert_eq!(*got, want, "{rules}: {status} x {event}");
            }
        }
    }
}

#[test]
fn the_account_table_has_every_cell() {
    let rows = cells(&account_table());
    assert_eq!(rows.len(), AccountStatus::ALL.len());
    for (row, &status) in rows.iter().zip(AccountStatus::ALL) {
        assert_eq!(row[0], format!("`{status}`"));
        for (got, &event) in row[2..].iter().zip(AccountEvent::ALL) {
            assert_eq!(
                *got,
                cell(account_rule(status, event), AccountOverlay::status),
                "{status} x {event}"
            );
        }
    }
}

#[test]
fn the_inferred_edges_are_exactly_the_operational_additions() {
    let md = inferred_edges();
    let (reasons, list) = md.split_once("\n\n").expect("two tables");
    let listed: BTreeSet<(String, String, String, String)> = cells(list)
        .into_iter()
        .map(|c| {
            let bare = |i: usize| c[i].trim_matches('`').to_owned();
            (bare(0), bare(1), bare(2), bare(3))
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
    let counted: usize = cells(reasons)
        .iter()
        .map(|c| c[2].parse::<usize>().unwrap())
        .sum();
    assert_eq!(counted, 52);
}

#[test]
fn the_status_table_has_a_row_per_status() {
    let table = status_table();
    let (connections, accounts) = table.split_once("| Account status").expect("two tables");
    for s in ConnectionStatus::ALL {
        assert_eq!(connections.matches(&format!("| `{s}` |")).count(), 1, "{s}");
    }
    for s in AccountStatus::ALL {
        assert_eq!(accounts.matches(&format!("| `{s}` |")).count(), 1, "{s}");
    }
    assert!(
        table.contains("| `DEACTIVATED` | system | stopped until \"Activated (isActive true)\" |")
    );
    assert!(table.contains("| `OLD_ACCOUNT` | terminal | terminal: not re-checked |"));
}
