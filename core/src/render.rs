//! Documentation of the allowed transitions, generated from the same table the machines
//! run on, so it cannot drift: Mermaid `stateDiagram-v2`, Graphviz DOT and Markdown.
//!
//! Each lifecycle is rendered as two diagrams:
//!
//! * the **lifecycle**: the edges between operational statuses (for accounts, between the
//!   account's own statuses), in the published diagram's style (`[*] --> PENDING:
//!   Connection created`, edge labels from [`ConnectionEvent::label`](crate::ConnectionEvent::label)). For
//!   [`Rules::Documented`] this is exactly the published diagram.
//! * the **overlays**: the edges into and out of the overlay statuses, with every base
//!   status collapsed into one pseudo-state ("any operational status"), since every one of
//!   them behaves the same.
//!
//! The Markdown tables list every edge, uncollapsed. Output is sorted (declaration order of
//! statuses and events) and byte-for-byte stable.
//!
//! Inferred and system edges are told apart: in DOT they are dashed (system edges grey); in
//! Mermaid, whose state diagrams cannot style a transition, their labels carry
//! `[inferred]`, and overlay states are drawn dashed through a `classDef`.
//!
//! ```
//! use nectar_lifecycle_core::render::{connection_diagram, Format};
//! use nectar_lifecycle_core::Rules;
//!
//! let mermaid = connection_diagram(Rules::Documented, Format::Mermaid);
//! assert!(mermaid.starts_with("stateDiagram-v2\n  [*] --> PENDING: Connection created\n"));
//! assert!(mermaid.contains("  OTHER_ERROR --> UNDER_INVESTIGATION: Escalated\n"));
//! ```

use core::fmt::{self, Write as _};

use crate::closed_enum;
use crate::policy::{Collection, Scheduled};
use crate::remediation::remediation;
use crate::{
    Account, AccountEvent, AccountOverlay, AccountStatus, Connection, ConnectionEvent,
    ConnectionStatus, Enumerated, Provenance, Rules, Transition,
};

closed_enum! {
    /// An output format.
    #[derive(strum::Display, strum::EnumString)]
    #[strum(serialize_all = "lowercase")]
    pub enum Format {
        /// Mermaid `stateDiagram-v2`.
        Mermaid,
        /// Graphviz DOT.
        Dot,
        /// A Markdown table of every edge.
        Markdown,
    }
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Style {
    Drawn,
    Inferred,
    System,
}

/// One edge to draw, between two named nodes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    label: &'static str,
    style: Style,
}

/// A diagram: its name, its start edge, pseudo-states and edges, in order.
struct Diagram {
    name: &'static str,
    start: Option<(&'static str, &'static str)>,
    pseudo: Option<(&'static str, &'static str)>,
    overlays: Vec<String>,
    edges: Vec<Edge>,
}

/// Which half of a lifecycle a diagram draws: the lifecycle between base statuses, from its
/// start edge `(first status, label)`; or the overlays, with every base status collapsed into
/// the pseudo-state `(name, description)`.
#[derive(Clone, Copy)]
enum Half {
    Lifecycle {
        start: (&'static str, &'static str),
    },
    Overlays {
        collapsed: (&'static str, &'static str),
    },
}

const OPERATIONAL: (&str, &str) = ("OPERATIONAL", "any operational status");
const OWN: (&str, &str) = ("OWN", "the account's own status");

fn style(provenance: Provenance) -> Style {
    match provenance {
        Provenance::Diagram => Style::Drawn,
        Provenance::Inferred(_) => Style::Inferred,
        Provenance::System => Style::System,
    }
}

/// Draws one half of a list of edges. `base` tells the base statuses (operational, own)
/// from the overlays.
fn diagram<S, E>(
    name: &'static str,
    edges: &[Transition<S, E>],
    base: impl Fn(S) -> bool,
    label: impl Fn(E) -> &'static str,
    half: Half,
) -> Diagram
where
    S: Copy + fmt::Display,
    E: Copy,
{
    let (start, collapsed) = match half {
        Half::Lifecycle { start } => (Some(start), None),
        Half::Overlays { collapsed } => (None, Some(collapsed)),
    };
    let mut out: Vec<Edge> = Vec::new();
    let mut overlay_states: Vec<String> = Vec::new();
    for t in edges {
        let lifecycle = base(t.from) && base(t.to);
        if lifecycle == collapsed.is_some() {
            continue;
        }
        let name = |s: S| match collapsed {
            Some((pseudo, _)) if base(s) => pseudo.to_owned(),
            Some(_) | None => s.to_string(),
        };
        for s in [t.from, t.to] {
            if !base(s) && !overlay_states.contains(&s.to_string()) {
                overlay_states.push(s.to_string());
            }
        }
        let edge = Edge {
            from: name(t.from),
            to: name(t.to),
            label: label(t.event),
            style: style(t.provenance),
        };
        // Collapsing makes duplicates; keep the first, in table order.
        if !out.contains(&edge) {
            out.push(edge);
        }
    }
    Diagram {
        name,
        start,
        pseudo: collapsed,
        overlays: overlay_states,
        edges: out,
    }
}

fn connection_lifecycle(rules: Rules) -> Diagram {
    let name = match rules {
        Rules::Documented => "connection_documented",
        Rules::Operational => "connection_operational",
    };
    let start = ("PENDING", "Connection created");
    diagram(
        name,
        &Connection::edges(rules),
        ConnectionStatus::is_operational,
        ConnectionEvent::label,
        Half::Lifecycle { start },
    )
}

fn connection_overlays() -> Diagram {
    // The overlays are the same under both rule sets.
    diagram(
        "connection_overlays",
        &Connection::edges(Rules::Documented),
        ConnectionStatus::is_operational,
        ConnectionEvent::label,
        Half::Overlays {
            collapsed: OPERATIONAL,
        },
    )
}

fn account_lifecycle() -> Diagram {
    let start = ("DETECTED", "Account discovered");
    let half = Half::Lifecycle { start };
    diagram(
        "account_lifecycle",
        &Account::edges(),
        |s| AccountOverlay::of(s).is_none(),
        AccountEvent::label,
        half,
    )
}

fn account_overlays() -> Diagram {
    let half = Half::Overlays { collapsed: OWN };
    diagram(
        "account_overlays",
        &Account::edges(),
        |s| AccountOverlay::of(s).is_none(),
        AccountEvent::label,
        half,
    )
}

fn mermaid(d: &Diagram) -> String {
    let mut out = String::from("stateDiagram-v2\n");
    if let Some((pseudo, description)) = d.pseudo {
        out.push_str(&format!("  state \"{description}\" as {pseudo}\n"));
    }
    if let Some((first, label)) = d.start {
        out.push_str(&format!("  [*] --> {first}: {label}\n"));
    }
    for e in &d.edges {
        let mark = match e.style {
            Style::Drawn | Style::System => "",
            Style::Inferred => " [inferred]",
        };
        out.push_str(&format!("  {} --> {}: {}{mark}\n", e.from, e.to, e.label));
    }
    if !d.overlays.is_empty() {
        out.push_str("  classDef overlay stroke-dasharray: 5 5\n");
        out.push_str(&format!("  class {} overlay\n", d.overlays.join(", ")));
    }
    out
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn dot(d: &Diagram) -> String {
    let mut out = format!("digraph {} {{\n", d.name);
    out.push_str("  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    if let Some((pseudo, description)) = d.pseudo {
        out.push_str(&format!(
            "  {pseudo} [label=\"{}\", style=\"rounded,dashed\"];\n",
            dot_escape(description)
        ));
    }
    for overlay in &d.overlays {
        out.push_str(&format!("  {overlay} [style=\"rounded,bold\"];\n"));
    }
    if let Some((first, label)) = d.start {
        out.push_str("  start [shape=point, label=\"\"];\n");
        out.push_str(&format!(
            "  start -> {first} [label=\"{}\"];\n",
            dot_escape(label)
        ));
    }
    for e in &d.edges {
        let attrs = match e.style {
            Style::Drawn => String::new(),
            Style::Inferred => ", style=dashed".to_owned(),
            Style::System => ", style=dashed, color=gray40, fontcolor=gray40".to_owned(),
        };
        out.push_str(&format!(
            "  {} -> {} [label=\"{}\"{attrs}];\n",
            e.from,
            e.to,
            dot_escape(e.label)
        ));
    }
    out.push_str("}\n");
    out
}

fn reason(provenance: Provenance) -> &'static str {
    match provenance {
        Provenance::Diagram => "drawn in the published diagram",
        Provenance::Inferred(inference) => inference.reason(),
        Provenance::System => "system overlay",
    }
}

fn markdown<S: fmt::Display, E: fmt::Display>(edges: &[Transition<S, E>]) -> String {
    let mut out = String::from(
        "| From | Event | To | Provenance | Reason |\n| --- | --- | --- | --- | --- |\n",
    );
    for t in edges {
        let provenance = match t.provenance {
            Provenance::Inferred(inference) => format!("inferred: {inference}"),
            Provenance::Diagram | Provenance::System => t.provenance.to_string(),
        };
        out.push_str(&format!(
            "| `{}` | `{}` | `{}` | {provenance} | {} |\n",
            t.from,
            t.event,
            t.to,
            reason(t.provenance)
        ));
    }
    out
}

/// The connection lifecycle under `rules`. Mermaid and DOT draw the lifecycle between
/// operational statuses (the overlays are [`overlay_diagram`]); Markdown lists every edge,
/// overlays included.
#[must_use]
pub fn connection_diagram(rules: Rules, format: Format) -> String {
    match format {
        Format::Mermaid => mermaid(&connection_lifecycle(rules)),
        Format::Dot => dot(&connection_lifecycle(rules)),
        Format::Markdown => markdown(&Connection::edges(rules)),
    }
}

/// The connection overlays (`DEACTIVATED`, `COMPANY_INACTIVE`), with the operational
/// statuses collapsed into one pseudo-state. The same under both rule sets. Markdown lists
/// the system edges uncollapsed.
#[must_use]
pub fn overlay_diagram(format: Format) -> String {
    match format {
        Format::Mermaid => mermaid(&connection_overlays()),
        Format::Dot => dot(&connection_overlays()),
        Format::Markdown => {
            let system: Vec<_> = Connection::edges(Rules::Documented)
                .into_iter()
                .filter(|t| t.provenance == Provenance::System)
                .collect();
            markdown(&system)
        }
    }
}

/// The account lifecycle between the account's own statuses (Mermaid, DOT), or every account
/// edge (Markdown).
#[must_use]
pub fn account_diagram(format: Format) -> String {
    match format {
        Format::Mermaid => mermaid(&account_lifecycle()),
        Format::Dot => dot(&account_lifecycle()),
        Format::Markdown => markdown(&Account::edges()),
    }
}

/// The account overlays (`WORKFLOW_NOT_ACCESSIBLE`, `CUSTOMER_NOT_TRACKED`,
/// `COMPANY_INACTIVE`), with the own statuses collapsed (Mermaid, DOT); Markdown lists the
/// edges that touch an overlay.
#[must_use]
pub fn account_overlay_diagram(format: Format) -> String {
    match format {
        Format::Mermaid => mermaid(&account_overlays()),
        Format::Dot => dot(&account_overlays()),
        Format::Markdown => {
            let touching: Vec<_> = Account::edges()
                .into_iter()
                .filter(|t| {
                    AccountOverlay::of(t.from).is_some() || AccountOverlay::of(t.to).is_some()
                })
                .collect();
            markdown(&touching)
        }
    }
}

fn describe_collection<S: fmt::Display, E: fmt::Display>(c: &Collection<S, E>) -> String {
    match c {
        Collection::DueAtOnce => "due at once (a fresh cycle), then weekly".to_owned(),
        Collection::Weekly => "checked weekly".to_owned(),
        Collection::HaltedUntilUserActs { resume, .. } => format!("halted until `{resume}`"),
        Collection::StoppedBySystem { resume, .. } => format!("stopped until `{resume}`"),
        Collection::Terminal {
            resume: Some(resume),
            ..
        } => {
            format!("terminal: not re-checked until `{resume}`")
        }
        Collection::Terminal { resume: None, .. } => "terminal: not re-checked".to_owned(),
    }
}

/// A Markdown table of every connection status with its category, check policy,
/// remediation (first occurrence; provider errors escalate when persistent) and who acts;
/// then every account status with its category and check policy.
#[must_use]
pub fn status_table() -> String {
    let mut out = String::from(
        "| Connection status | Category | Check policy | Remediation | Who acts |\n| --- | --- | --- | --- | --- |\n",
    );
    for &status in ConnectionStatus::ALL {
        let policy =
            describe_collection(&Connection::showing(Rules::Operational, status).collection());
        let first = remediation(status, 1);
        let persistent = remediation(status, u32::MAX);
        let (remedy, actor) = if first == persistent {
            (first.to_string(), first.actor().to_string())
        } else {
            (
                format!("{first}; if persistent: {persistent}"),
                format!("{}; if persistent: {}", first.actor(), persistent.actor()),
            )
        };
        out.push_str(&format!(
            "| `{status}` | {} | {policy} | {remedy} | {actor} |\n",
            status.category()
        ));
    }
    out.push_str("\n| Account status | Category | Check policy |\n| --- | --- | --- |\n");
    for &status in AccountStatus::ALL {
        let policy = describe_collection(&Account::showing(status).collection());
        out.push_str(&format!(
            "| `{status}` | {} | {policy} |\n",
            status.category()
        ));
    }
    out
}

/// The command that regenerates `docs/transitions.md`.
pub const REGENERATE: &str = "cargo lifecycle docs > docs/transitions.md";

/// The whole of `docs/transitions.md`: both rule sets' diagrams and tables, the overlays,
/// the account lifecycle, and the status tables.
#[must_use]
pub fn transitions_document() -> String {
    let mut out = String::new();
    let mut section = |title: &str, intro: &str, body: &[(&str, String)]| {
        let _ = write!(out, "\n## {title}\n");
        if !intro.is_empty() {
            let _ = write!(out, "\n{intro}\n");
        }
        for (lang, text) in body {
            if lang.is_empty() {
                let _ = write!(out, "\n{text}");
            } else {
                let _ = write!(out, "\n```{lang}\n{text}```\n");
            }
        }
    };
    section(
        "Documented rules",
        "Exactly the published diagram. The overlays below apply too.",
        &[
            (
                "mermaid",
                connection_diagram(Rules::Documented, Format::Mermaid),
            ),
            ("", connection_diagram(Rules::Documented, Format::Markdown)),
        ],
    );
    section(
        "Operational rules",
        "The published diagram plus the edges the status tables and check rules imply \
         (labelled `[inferred]`). The overlays below apply too.",
        &[
            (
                "mermaid",
                connection_diagram(Rules::Operational, Format::Mermaid),
            ),
            ("", connection_diagram(Rules::Operational, Format::Markdown)),
        ],
    );
    section(
        "Connection overlays",
        "`DEACTIVATED` and `COMPANY_INACTIVE` cover the operational status, which they keep \
         and restore. Every operational status behaves the same, so they are drawn as one.",
        &[("mermaid", overlay_diagram(Format::Mermaid))],
    );
    section(
        "Account lifecycle",
        "Between the account's own statuses; then the overlays (parent connection, tracking, \
         company) with the own statuses drawn as one. The table lists every account edge.",
        &[
            ("mermaid", account_diagram(Format::Mermaid)),
            ("mermaid", account_overlay_diagram(Format::Mermaid)),
            ("", account_diagram(Format::Markdown)),
        ],
    );
    section("Statuses", "", &[("", status_table())]);
    format!(
        "# Allowed transitions\n\n<!-- Generated from the transition table by `{REGENERATE}`. \
         Do not edit. -->\n{out}"
    )
}
