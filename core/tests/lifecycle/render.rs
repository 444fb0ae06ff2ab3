//! The rendered documentation says exactly what the table says: every diagram, parsed back
//! and its pseudo-states and merged edges expanded, is the table's edges; every table cell
//! is the table's cell. The SVG is well-formed XML, names every status and edge once by a
//! stable id, and a highlight adds exactly the classes asked for.

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
        for &format in Format::ALL {
            let text = diagram.render(format);
            let parsed = match format {
                Format::Mermaid => parse_mermaid(&text),
                Format::Dot => parse_dot(&text),
                Format::Svg => parse_svg(&text),
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

// The SVG format.

/// An XML element, as read by [`parse_xml`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Content>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    Element(Element),
    Text(String),
}

/// A checker of well-formed XML, small but strict enough for the SVG: one root element,
/// matching tags, quoted attributes once each, no `<` in a value, only the five predefined
/// and numeric entities, no `--` in a comment; text and values unescaped.
fn parse_xml(text: &str) -> Result<Element, String> {
    let mut reader = Reader { text, at: 0 };
    reader.misc()?;
    let root = reader.element()?;
    reader.misc()?;
    if reader.at == text.len() {
        Ok(root)
    } else {
        Err(format!("content after the root at {}", reader.at))
    }
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn fail<T>(&self, what: &str) -> Result<T, String> {
        let near: String = self.rest().chars().take(40).collect();
        Err(format!("{what} at {}: {near:?}", self.at))
    }

    fn eat(&mut self, token: &str) -> bool {
        let found = self.rest().starts_with(token);
        if found {
            self.at += token.len();
        }
        found
    }

    fn spaces(&mut self) -> bool {
        let before = self.at;
        let skipped = self.rest().len()
            - self
                .rest()
                .trim_start_matches([' ', '\t', '\r', '\n'])
                .len();
        self.at += skipped;
        self.at > before
    }

    /// White space and comments.
    fn misc(&mut self) -> Result<(), String> {
        loop {
            self.spaces();
            if !self.comment()? {
                return Ok(());
            }
        }
    }

    fn comment(&mut self) -> Result<bool, String> {
        if !self.eat("<!--") {
            return Ok(false);
        }
        let Some(end) = self.rest().find("-->") else {
            return self.fail("an unclosed comment");
        };
        let body = &self.rest()[..end];
        if body.contains("--") || body.ends_with('-') {
            return self.fail("`--` in a comment");
        }
        self.at += end + 3;
        Ok(true)
    }

    fn name(&mut self) -> Result<String, String> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphabetic()
                    || c == '_'
                    || c == ':'
                    || (i > 0 && (c.is_ascii_digit() || c == '-' || c == '.')))
            })
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            return self.fail("a name expected");
        }
        let name = rest[..len].to_owned();
        self.at += len;
        Ok(name)
    }

    fn unescape(&self, raw: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let Some(semi) = rest[amp..].find(';') else {
                return self.fail("a bare `&`");
            };
            let entity = &rest[amp + 1..amp + semi];
            let ch = match entity {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let code = if let Some(hex) = entity.strip_prefix("#x") {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        entity.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    match code.and_then(char::from_u32) {
                        Some(ch) => ch,
                        None => return self.fail(&format!("an unknown entity &{entity};")),
                    }
                }
            };
            out.push(ch);
            rest = &rest[amp + semi + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn element(&mut self) -> Result<Element, String> {
        if !self.eat("<") {
            return self.fail("an element expected");
        }
        let name = self.name()?;
        let mut attributes: Vec<(String, String)> = Vec::new();
        loop {
            let spaced = self.spaces();
            if self.eat("/>") {
                return Ok(Element {
                    name,
                    attributes,
                    children: Vec::new(),
                });
            }
            if self.eat(">") {
                break;
            }
            if !spaced {
                return self.fail("a space expected before an attribute");
            }
            let key = self.name()?;
            self.spaces();
            if !self.eat("=") {
                return self.fail("`=` expected");
            }
            self.spaces();
            let quote = if self.eat("\"") {
                '"'
            } else if self.eat("'") {
                '\''
            } else {
                return self.fail("a quoted value expected");
            };
            let Some(end) = self.rest().find(quote) else {
                return self.fail("an unclosed value");
            };
            let raw = &self.rest()[..end];
            if raw.contains('<') {
                return self.fail("`<` in a value");
            }
            let value = self.unescape(raw)?;
            self.at += end + 1;
            if attributes.iter().any(|(k, _)| *k == key) {
                return self.fail(&format!("the attribute {key} twice"));
            }
            attributes.push((key, value));
        }
        let mut children = Vec::new();
        loop {
            if self.eat("</") {
                let closing = self.name()?;
                self.spaces();
                if closing != name || !self.eat(">") {
                    return self.fail(&format!("`</{name}>` expected"));
                }
                return Ok(Element {
                    name,
                    attributes,
                    children,
                });
            }
            if self.comment()? {
                continue;
            }
            if self.rest().starts_with('<') {
                children.push(Content::Element(self.element()?));
                continue;
            }
            let Some(end) = self.rest().find('<') else {
                return self.fail(&format!("<{name}> is not closed"));
            };
            let raw = &self.rest()[..end];
            let text = self.unescape(raw)?;
            self.at += end;
            children.push(Content::Text(text));
        }
    }
}

impl Element {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn classes(&self) -> Vec<&str> {
        self.attr("class")
            .unwrap_or("")
            .split_whitespace()
            .collect()
    }

    /// Whether the element's first class is `class`: `edge` for `class="edge taken"`.
    fn is(&self, name: &str, class: &str) -> bool {
        self.name == name && self.classes().first() == Some(&class)
    }

    fn elements(&self) -> impl Iterator<Item = &Self> {
        self.children.iter().filter_map(|c| match c {
            Content::Element(e) => Some(e),
            Content::Text(_) => None,
        })
    }

    /// This element and every element inside it, depth first.
    fn all(&self) -> Vec<&Self> {
        let mut out = vec![self];
        for child in self.elements() {
            out.extend(child.all());
        }
        out
    }

    fn text(&self) -> String {
        self.children
            .iter()
            .map(|c| match c {
                Content::Element(e) => e.text(),
                Content::Text(t) => t.clone(),
            })
            .collect()
    }

    /// A `<text>`'s lines: its `<tspan>`s, or its text.
    fn lines(&self) -> Vec<String> {
        let spans: Vec<String> = self
            .elements()
            .filter(|e| e.name == "tspan")
            .map(Self::text)
            .collect();
        if spans.is_empty() {
            vec![self.text()]
        } else {
            spans
        }
    }

    fn number(&self, key: &str) -> i64 {
        self.attr(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("<{}> has no integer {key}", self.name))
    }
}

fn svg_root(text: &str) -> Element {
    let root = parse_xml(text).unwrap_or_else(|e| panic!("not well-formed: {e}"));
    assert_eq!(root.name, "svg");
    root
}

/// A lifecycle diagram in SVG parsed back, like [`parse_dot`]: a dashed edge's events are
/// all inferred, a solid edge marks its inferred events.
fn parse_svg(text: &str) -> Parsed {
    let root = svg_root(text);
    let mut parsed = Parsed::default();
    for e in root.all() {
        if e.is("g", "edge") {
            let from = e.attr("data-from").expect("data-from");
            let to = e.attr("data-to").expect("data-to");
            assert_eq!(e.attr("id"), Some(format!("edge-{from}-{to}").as_str()));
            if from == "start" {
                continue;
            }
            let dashed = e.elements().any(|c| c.is("path", "inferred"));
            let label = e
                .elements()
                .find(|c| c.is("text", "label"))
                .expect("every edge has a label");
            let labels = label
                .lines()
                .into_iter()
                .map(|l| match l.strip_suffix(" [inferred]") {
                    Some(l) => (l.to_owned(), true),
                    None => (l, dashed),
                })
                .collect();
            parsed.edges.push(Edge {
                from: from.to_owned(),
                to: to.to_owned(),
                labels,
            });
        } else if e.is("g", "pseudo") {
            let id = e.attr("id").and_then(|id| id.strip_prefix("pseudo-"));
            let name = e
                .elements()
                .find(|c| c.is("text", "name"))
                .expect("a pseudo-state's name");
            parsed
                .pseudo
                .push((id.expect("pseudo-<id>").to_owned(), name.lines().join(" ")));
        }
    }
    parsed
}

#[test]
fn the_xml_checker_rejects_what_is_not_well_formed() {
    for bad in [
        "<svg>",
        "<svg></g>",
        "<svg a=\"1\" a=\"2\"/>",
        "<svg a=1/>",
        "<svg>a & b</svg>",
        "<svg>a &nbsp; b</svg>",
        "<svg a=\"<\"/>",
        "<!-- a -- b --><svg/>",
        "<svg/><svg/>",
        "text<svg/>",
    ] {
        assert!(parse_xml(bad).is_err(), "{bad}");
    }
    let good = parse_xml("<!-- x - y --><svg a='1'>&lt;&amp;&#65;<g/></svg>\n").expect("good");
    assert_eq!(good.text(), "<&A");
    assert_eq!(good.attr("a"), Some("1"));
}

#[test]
fn every_svg_is_well_formed_stable_and_titled() {
    for &diagram in Diagram::ALL {
        let text = diagram.render(Format::Svg);
        assert_eq!(text, diagram.render(Format::Svg), "{diagram:?} is stable");
        // As a generated file writes it: a comment, then the document.
        let file = format!(
            "{}{text}",
            Format::Svg.comment("Generated by `cargo xtask generate` -- do not edit.")
        );
        parse_xml(&file).unwrap_or_else(|e| panic!("{diagram:?}: {e}"));
        let root = svg_root(&text);
        assert_eq!(
            root.attr("id"),
            Some(format!("diagram-{}", diagram.name()).as_str())
        );
        assert_eq!(root.classes(), ["lifecycle-diagram"]);
        let view: Vec<i64> = root
            .attr("viewBox")
            .expect("a viewBox")
            .split(' ')
            .map(|n| n.parse().expect("a number"))
            .collect();
        assert_eq!(view[..2], [0, 0]);
        assert_eq!(root.number("width"), view[2]);
        let title = root.elements().next().expect("a first child");
        assert_eq!(title.name, "title", "{diagram:?}");
        assert_eq!(title.text(), diagram.title());
        // Every id once.
        let mut ids = BTreeSet::new();
        for e in root.all() {
            if let Some(id) = e.attr("id") {
                assert!(ids.insert(id.to_owned()), "{diagram:?}: the id {id} twice");
            }
        }
    }
    // Text is escaped: the apostrophe of the account's pseudo-state, and back.
    let overlays = Diagram::AccountOverlays.render(Format::Svg);
    assert!(overlays.contains(">the account&apos;s own status</text>"));
    let root = svg_root(&overlays);
    assert!(
        root.all()
            .iter()
            .any(|e| e.is("text", "name") && e.text() == "the account's own status")
    );
}

/// The `data-status` of every status node, checking its id.
fn status_nodes(root: &Element) -> Vec<String> {
    root.all()
        .into_iter()
        .filter(|e| e.is("g", "status"))
        .map(|e| {
            let status = e.attr("data-status").expect("data-status").to_owned();
            assert_eq!(e.attr("id"), Some(format!("status-{status}").as_str()));
            assert!(e.attr("data-category").is_some(), "{status}");
            status
        })
        .collect()
}

fn names<S: ToString>(statuses: impl IntoIterator<Item = S>) -> Vec<String> {
    statuses.into_iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_status_is_one_node_of_the_svg() {
    let operational = || names(ConnectionStatus::ALL.iter().filter(|s| s.is_operational()));
    let own = || {
        names(
            AccountStatus::ALL
                .iter()
                .filter(|&&s| AccountOverlay::of(s).is_none()),
        )
    };
    let cases: [(Diagram, Vec<String>); 5] = [
        (Diagram::ConnectionDocumented, operational()),
        (Diagram::ConnectionOperational, operational()),
        (
            Diagram::ConnectionOverlays,
            names(
                ConnectionOverlay::ALL
                    .iter()
                    .map(|&o| ConnectionOverlay::status(o)),
            ),
        ),
        (Diagram::AccountLifecycle, own()),
        (
            Diagram::AccountOverlays,
            names(
                AccountOverlay::ALL
                    .iter()
                    .map(|&o| AccountOverlay::status(o)),
            ),
        ),
    ];
    for (diagram, want) in cases {
        let root = svg_root(&diagram.render(Format::Svg));
        assert_eq!(status_nodes(&root), want, "{diagram:?}");
    }
    // The overlay diagrams draw the statuses below every layer as one pseudo-state.
    for (diagram, base, members) in [
        (
            Diagram::ConnectionOverlays,
            "pseudo-OPERATIONAL",
            operational(),
        ),
        (Diagram::AccountOverlays, "pseudo-OWN", own()),
    ] {
        let root = svg_root(&diagram.render(Format::Svg));
        let node = root
            .all()
            .into_iter()
            .find(|e| e.attr("id") == Some(base))
            .unwrap_or_else(|| panic!("{base}"));
        assert_eq!(node.attr("data-statuses"), Some(members.join(" ").as_str()));
    }
}

/// `(from, to)` statuses.
type Pairs = Vec<(String, String)>;

/// Every edge group's `(data-from, data-to, pairs)`.
fn edge_groups(root: &Element) -> Vec<(String, String, Pairs)> {
    root.all()
        .into_iter()
        .filter(|e| e.is("g", "edge"))
        .map(|e| {
            let pairs = e
                .attr("data-pairs")
                .expect("data-pairs")
                .split_whitespace()
                .map(|p| {
                    let (f, t) = p.split_once('-').expect("FROM-TO");
                    (f.to_owned(), t.to_owned())
                })
                .collect();
            (
                e.attr("data-from").unwrap_or_default().to_owned(),
                e.attr("data-to").unwrap_or_default().to_owned(),
                pairs,
            )
        })
        .collect()
}

#[test]
fn each_svg_edge_lists_the_transitions_it_stands_for() {
    let own = |s: AccountStatus| AccountOverlay::of(s).is_none();
    let cases: [(Diagram, Drawn, Groups); 3] = [
        (
            Diagram::ConnectionDocumented,
            own_edges(
                &Connection::edges(Rules::Documented),
                ConnectionStatus::is_operational,
            ),
            connection_group,
        ),
        (
            Diagram::ConnectionOperational,
            own_edges(
                &Connection::edges(Rules::Operational),
                ConnectionStatus::is_operational,
            ),
            connection_group,
        ),
        (
            Diagram::AccountLifecycle,
            own_edges(&Account::edges(), own),
            account_group,
        ),
    ];
    for (diagram, want, any) in cases {
        let text = diagram.render(Format::Svg);
        let parsed = parse_svg(&text);
        let groups = edge_groups(&svg_root(&text));
        for (edge, (from, to, pairs)) in parsed
            .edges
            .iter()
            .zip(groups.iter().filter(|(f, _, _)| f != "start"))
        {
            assert_eq!((&edge.from, &edge.to), (from, to));
            // The pairs are the edge's expansion, pseudo-state and all.
            let one = Parsed {
                edges: vec![Edge {
                    from: from.clone(),
                    to: to.clone(),
                    labels: vec![(String::new(), false)],
                }],
                pseudo: parsed.pseudo.clone(),
            };
            let expanded: BTreeSet<(String, String)> = expand(&one, &any)
                .into_iter()
                .map(|(f, _, t, _)| (f, t))
                .collect();
            let listed: BTreeSet<(String, String)> = pairs.iter().cloned().collect();
            assert_eq!(listed, expanded, "{diagram:?}: {from} -> {to}");
        }
        // And together, every transition of the table between the statuses drawn.
        let listed: BTreeSet<(String, String)> =
            groups.into_iter().flat_map(|(_, _, pairs)| pairs).collect();
        let table: BTreeSet<(String, String)> =
            want.into_iter().map(|(f, _, t, _)| (f, t)).collect();
        assert_eq!(listed, table, "{diagram:?}");
    }
}

#[test]
fn the_overlay_svgs_draw_every_overlay_edge() {
    fn check<S, E>(diagram: Diagram, edges: &[Transition<S, E>], layers: &[(S, E, E)])
    where
        S: ToString + PartialEq + Copy,
        E: ToString + PartialEq + Copy,
    {
        let root = svg_root(&diagram.render(Format::Svg));
        let mut drawn = BTreeSet::new();
        for e in root.all().into_iter().filter(|e| e.is("g", "edge")) {
            let label = e
                .elements()
                .find(|c| c.is("text", "label"))
                .expect("a label")
                .text();
            let pairs = e.attr("data-pairs").expect("data-pairs");
            for pair in pairs.split_whitespace() {
                let (f, t) = pair.split_once('-').expect("FROM-TO");
                drawn.insert((f.to_owned(), label.clone(), t.to_owned()));
            }
        }
        let mut want = BTreeSet::new();
        for &(shown, raise, lift) in layers {
            want.extend(overlay_edges(edges, shown, [raise, lift]));
        }
        assert_eq!(drawn, want, "{diagram:?}");
    }
    check(
        Diagram::ConnectionOverlays,
        &Connection::edges(Rules::Operational),
        &layers(
            ConnectionOverlay::ALL,
            ConnectionEvent::ALL,
            ConnectionOverlay::status,
            ConnectionEvent::overlay_change,
            ConnectionEvent::lifting,
        ),
    );
    check(
        Diagram::AccountOverlays,
        &Account::edges(),
        &layers(
            AccountOverlay::ALL,
            AccountEvent::ALL,
            AccountOverlay::status,
            AccountEvent::overlay_change,
            AccountEvent::lifting,
        ),
    );
}

/// The tree with the marks taken out, and the marks: `(id, class)`.
fn unmarked(e: &Element) -> (Element, Vec<(String, String)>) {
    let mut marks = Vec::new();
    let mut out = e.clone();
    let classes = e.classes();
    let kept: Vec<&str> = classes
        .iter()
        .copied()
        .filter(|c| *c != "current" && *c != "taken")
        .collect();
    for mark in classes
        .iter()
        .filter(|c| **c == "current" || **c == "taken")
    {
        marks.push((
            e.attr("id").unwrap_or_default().to_owned(),
            (*mark).to_owned(),
        ));
    }
    if kept.len() != classes.len() {
        for (k, v) in &mut out.attributes {
            if k == "class" {
                *v = kept.join(" ");
            }
        }
    }
    out.children = e
        .children
        .iter()
        .map(|c| match c {
            Content::Element(child) => {
                let (child, inner) = unmarked(child);
                marks.extend(inner);
                Content::Element(child)
            }
            Content::Text(t) => Content::Text(t.clone()),
        })
        .collect();
    (out, marks)
}

/// The marks a highlight made, checking that it changed nothing else.
fn marks_of(diagram: Diagram, highlighted: &str) -> BTreeSet<(String, String)> {
    let plain = svg_root(&diagram.render(Format::Svg));
    let (rest, marks) = unmarked(&svg_root(highlighted));
    assert!(rest == plain, "{diagram:?}: only classes change");
    let count = marks.len();
    let marks: BTreeSet<_> = marks.into_iter().collect();
    assert_eq!(marks.len(), count, "a mark once per element");
    marks
}

fn mark(id: &str, class: &str) -> (String, String) {
    (id.to_owned(), class.to_owned())
}

#[test]
fn a_highlight_adds_exactly_the_classes_asked() {
    type S = ConnectionStatus;
    for diagram in [
        Diagram::ConnectionDocumented,
        Diagram::ConnectionOperational,
    ] {
        // The current status, alone.
        for &status in S::ALL.iter().filter(|s| s.is_operational()) {
            let svg = diagram.svg_highlighted(Some(status), &[]);
            assert_eq!(
                marks_of(diagram, &svg),
                BTreeSet::from([mark(&format!("status-{status}"), "current")]),
                "{diagram:?}"
            );
        }
        // Each transition of the table, alone: the edges that list it.
        let rules = if diagram == Diagram::ConnectionDocumented {
            Rules::Documented
        } else {
            Rules::Operational
        };
        let plain = svg_root(&diagram.render(Format::Svg));
        let groups: Vec<(String, Vec<String>)> = plain
            .all()
            .into_iter()
            .filter(|e| e.is("g", "edge"))
            .map(|e| {
                (
                    e.attr("id").unwrap_or_default().to_owned(),
                    names(e.attr("data-pairs").unwrap_or_default().split_whitespace()),
                )
            })
            .collect();
        for t in Connection::edges(rules)
            .into_iter()
            .filter(|t| t.from.is_operational() && t.to.is_operational())
        {
            let svg = diagram.svg_highlighted(None, &[(t.from, t.to)]);
            let pair = format!("{}-{}", t.from, t.to);
            let want: BTreeSet<_> = groups
                .iter()
                .filter(|(_, pairs)| pairs.contains(&pair))
                .map(|(id, _)| mark(id, "taken"))
                .collect();
            assert!(!want.is_empty(), "{diagram:?}: {pair} is drawn");
            assert_eq!(marks_of(diagram, &svg), want, "{diagram:?}: {pair}");
        }
        // A status the diagram does not draw, a pair it does not draw: nothing.
        let svg = diagram.svg_highlighted(Some(S::Deactivated), &[(S::Connected, S::Deactivated)]);
        assert!(marks_of(diagram, &svg).is_empty());
    }
    // A path: its edges and the current status.
    let diagram = Diagram::ConnectionOperational;
    let path = [
        (S::Pending, S::Connected),
        (S::Connected, S::WebsiteDown),
        (S::WebsiteDown, S::PasswordIncorrect),
    ];
    let svg = diagram.svg_highlighted(Some(S::PasswordIncorrect), &path);
    assert_eq!(
        marks_of(diagram, &svg),
        BTreeSet::from([
            mark("status-PASSWORD_INCORRECT", "current"),
            mark("edge-PENDING-CONNECTED", "taken"),
            mark("edge-CONNECTED-WEBSITE_DOWN", "taken"),
            mark(
                "edge-UNDER_INVESTIGATION_or_any_provider_error-PASSWORD_INCORRECT",
                "taken"
            ),
        ])
    );
    // The overlays: an overlay status is its node; a status below every layer, the
    // pseudo-state that stands for it; raising and lifting, the layer's edges.
    let diagram = Diagram::ConnectionOverlays;
    let svg = diagram.svg_highlighted(
        Some(S::Connected),
        &[
            (S::Connected, S::Deactivated),
            (S::Deactivated, S::Connected),
        ],
    );
    assert_eq!(
        marks_of(diagram, &svg),
        BTreeSet::from([
            mark("pseudo-OPERATIONAL", "current"),
            mark("edge-active-DEACTIVATED", "taken"),
            mark("edge-DEACTIVATED-active", "taken"),
        ])
    );
    let svg = diagram.svg_highlighted(Some(S::CompanyInactive), &[]);
    assert_eq!(
        marks_of(diagram, &svg),
        BTreeSet::from([mark("status-COMPANY_INACTIVE", "current")])
    );
    // Accounts on their diagrams; an account's status marks nothing on a connection's.
    let svg = Diagram::AccountLifecycle.svg_highlighted(
        Some(AccountStatus::Onboarded),
        &[(AccountStatus::Detected, AccountStatus::Onboarded)],
    );
    assert_eq!(
        marks_of(Diagram::AccountLifecycle, &svg),
        BTreeSet::from([
            mark("status-ONBOARDED", "current"),
            mark("edge-DETECTED-ONBOARDED", "taken"),
        ])
    );
    let svg = Diagram::ConnectionOperational.svg_highlighted(
        Some(AccountStatus::OtherError),
        &[(AccountStatus::Onboarded, AccountStatus::OtherError)],
    );
    assert_eq!(svg, Diagram::ConnectionOperational.render(Format::Svg));
}

#[test]
fn no_two_boxes_of_an_svg_overlap() {
    for &diagram in Diagram::ALL {
        let root = svg_root(&diagram.render(Format::Svg));
        let width = root.number("width");
        let height = root.number("height");
        let boxes: Vec<(String, [i64; 4])> = root
            .all()
            .into_iter()
            .filter(|g| g.is("g", "status") || g.is("g", "pseudo") || g.is("g", "note"))
            .flat_map(|g| {
                g.elements()
                    .filter(|r| r.name == "rect")
                    .map(|r| {
                        (
                            g.attr("id").unwrap_or("note").to_owned(),
                            [
                                r.number("x"),
                                r.number("y"),
                                r.number("width"),
                                r.number("height"),
                            ],
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(boxes.len() >= 3, "{diagram:?}");
        for (i, (a, [ax, ay, aw, ah])) in boxes.iter().enumerate() {
            assert!(
                *ax >= 0 && *ay >= 0 && ax + aw <= width && ay + ah <= height,
                "{diagram:?}: {a} inside the view box"
            );
            for (b, [bx, by, bw, bh]) in &boxes[i + 1..] {
                let apart = ax + aw <= *bx || bx + bw <= *ax || ay + ah <= *by || by + bh <= *ay;
                assert!(apart, "{diagram:?}: {a} and {b} overlap");
            }
        }
    }
}
