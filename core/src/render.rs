//! The allowed transitions drawn for people: state diagrams (Mermaid `stateDiagram-v2`,
//! Graphviz DOT and a self-contained SVG) and Markdown tables, generated from the transition
//! table the machines run on, so they cannot drift from it.
//!
//! # Diagrams
//!
//! A [`Diagram`] is one picture, rendered in a [`Format`]:
//!
//! * The **lifecycles** draw the edges between the statuses a machine holds itself
//!   (operational connection statuses, an account's own statuses), from the start edge
//!   (`[*] --> PENDING: Connection created`), labelled with the events'
//!   [labels](crate::ConnectionEvent::label).
//!   [`ConnectionDocumented`](Diagram::ConnectionDocumented) in Mermaid is exactly Nectar's
//!   published diagram, flat and in its style. The others are drawn to be read:
//!   - statuses are grouped by category: clusters in DOT, fill colours in Mermaid (whose
//!     layout routes edges through composite states badly);
//!   - where several statuses leave the same way (the same event, to the same status, from
//!     each of them), the edges are drawn once, from a dashed pseudo-state named after
//!     what it stands for, such as `UNDER_INVESTIGATION or any provider error`; a loop on
//!     a pseudo-state keeps each of its statuses where it is. Nothing is lost: expanding
//!     the pseudo-states gives back every edge, and a pseudo-state is drawn only where it
//!     saves several edges;
//!   - parallel edges are merged into one, listing their events;
//!   - inferred events are marked: dashed edges in DOT, `[inferred]` after the label in
//!     Mermaid (whose state diagrams cannot style a transition), and in DOT too on an edge
//!     that also carries a drawn event.
//! * The **overlays** draw the layers of the hierarchical machine with history: each layer
//!   is a composite state (a DOT cluster) holding what its overlay covers; raising the
//!   overlay leaves the layer, lifting it returns into the layer where it was left, so the
//!   covered status shows again. The statuses below every layer are drawn as one
//!   pseudo-state, since they all behave the same; a note tells where the lifting event
//!   also moves what it uncovers.
//!
//! [`Format::Svg`] is laid out here, in pure Rust, for a page that shows a diagram inline
//! with no Graphviz and no script: stable ids and classes on every status and edge, and
//! [`Diagram::svg_highlighted`] marks a connection's current status and the transitions it
//! took. See [`Format::Svg`] for the layout, the ids and the classes.
//!
//! # Tables
//!
//! [`connection_table`] and [`account_table`] are the exhaustive reference: a Markdown table
//! with a row per status and a column per event, each allowed cell naming where the event
//! leads and why the edge exists ([`TABLE_LEGEND`]). [`inferred_edges`] lists the edges the
//! operational rules add to the published diagram, with their [`Inference`];
//! [`status_table`] gives each status's check policy and remediation.
//!
//! Output is sorted (the declaration order of statuses, events and categories) and
//! byte-for-byte stable, so generated files can be committed and compared.
//!
//! ```
//! use nectar_lifecycle_core::render::{Diagram, Format};
//!
//! let published = Diagram::ConnectionDocumented.render(Format::Mermaid);
//! assert!(published.starts_with("stateDiagram-v2\n  [*] --> PENDING: Connection created\n"));
//! assert!(published.contains("\n  OTHER_ERROR --> UNDER_INVESTIGATION: Escalated\n"));
//!
//! let operational = Diagram::ConnectionOperational.render(Format::Dot);
//! assert!(operational.contains("subgraph cluster_provider_error {"));
//! // From each of the statuses it names, dashed: inferred.
//! assert!(operational.contains(
//!     "  UNDER_INVESTIGATION_or_any_provider_error -> PASSWORD_INCORRECT \
//!      [label=\"Password changed\", style=dashed];\n"
//! ));
//! ```

use core::fmt::{self, Write as _};

mod svg;

use crate::closed_enum;
use crate::policy::{Collection, Scheduled};
use crate::remediation::remediation;
use crate::{
    Account, AccountCategory, AccountEvent, AccountOverlay, AccountStatus, Connection,
    ConnectionCategory, ConnectionEvent, ConnectionOverlay, ConnectionStatus, Enumerated,
    Inference, OverlayChange, Provenance, Rule, Rules, Target, Transition, account_rule,
    connection_rule,
};

closed_enum! {
    /// A diagram format.
    ///
    /// ```
    /// use nectar_lifecycle_core::render::Format;
    /// assert_eq!("dot".parse::<Format>(), Ok(Format::Dot));
    /// assert_eq!("svg".parse::<Format>(), Ok(Format::Svg));
    /// assert_eq!(Format::Mermaid.extension(), "mmd");
    /// ```
    #[derive(strum::Display, strum::EnumString)]
    #[strum(serialize_all = "lowercase")]
    pub enum Format {
        /// Mermaid `stateDiagram-v2`.
        Mermaid,
        /// Graphviz DOT.
        Dot,
        #[doc = include_str!("render/svg.md")]
        Svg,
    }
}

impl Format {
    /// The usual file extension of the format, without the dot.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Mermaid => "mmd",
            Self::Dot => "dot",
            Self::Svg => "svg",
        }
    }

    /// `text` as one comment line of the format, newline included; each line break in
    /// `text` starts another comment line. In SVG (XML), where a comment cannot hold `--`,
    /// a space separates consecutive hyphens.
    ///
    /// ```
    /// use nectar_lifecycle_core::render::Format;
    /// assert_eq!(Format::Mermaid.comment("generated"), "%% generated\n");
    /// assert_eq!(Format::Dot.comment("a\nb"), "// a\n// b\n");
    /// assert_eq!(Format::Svg.comment("a -- b"), "<!-- a - - b -->\n");
    /// ```
    #[must_use]
    pub fn comment(self, text: &str) -> String {
        text.lines()
            .map(|line| match self {
                Self::Mermaid => format!("%% {line}\n"),
                Self::Dot => format!("// {line}\n"),
                Self::Svg => format!("<!-- {} -->\n", svg::comment_safe(line)),
            })
            .collect()
    }
}

closed_enum! {
    /// A diagram of the allowed transitions.
    ///
    /// ```
    /// use nectar_lifecycle_core::render::{Diagram, Format};
    /// use nectar_lifecycle_core::Enumerated;
    ///
    /// for &diagram in Diagram::ALL {
    ///     assert!(diagram.render(Format::Mermaid).starts_with("stateDiagram-v2\n"));
    ///     assert!(diagram.render(Format::Dot).starts_with("digraph "));
    ///     assert!(diagram.render(Format::Svg).starts_with("<svg "));
    /// }
    /// assert_eq!(Diagram::AccountOverlays.name(), "account-overlays");
    /// ```
    pub enum Diagram {
        /// The connection lifecycle under [`Rules::Documented`]: the published diagram.
        ConnectionDocumented,
        /// The connection lifecycle under [`Rules::Operational`]: the published diagram and
        /// the edges the status tables and check rules imply.
        ConnectionOperational,
        /// The connection overlays (`DEACTIVATED`, `COMPANY_INACTIVE`), the same under both
        /// rule sets.
        ConnectionOverlays,
        /// The account lifecycle between the account's own statuses.
        AccountLifecycle,
        /// The account overlays (`WORKFLOW_NOT_ACCESSIBLE`, `CUSTOMER_NOT_TRACKED`,
        /// `COMPANY_INACTIVE`).
        AccountOverlays,
    }
}

impl Diagram {
    /// A short kebab-case name, fit for a file name: `connection-documented`, ...
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::ConnectionDocumented => "connection-documented",
            Self::ConnectionOperational => "connection-operational",
            Self::ConnectionOverlays => "connection-overlays",
            Self::AccountLifecycle => "account-lifecycle",
            Self::AccountOverlays => "account-overlays",
        }
    }

    /// A title in words: `Connection lifecycle, documented rules`, ...
    #[must_use]
    pub const fn title(self) -> &'static str {
        match self {
            Self::ConnectionDocumented => "Connection lifecycle, documented rules",
            Self::ConnectionOperational => "Connection lifecycle, operational rules",
            Self::ConnectionOverlays => "Connection overlays",
            Self::AccountLifecycle => "Account lifecycle",
            Self::AccountOverlays => "Account overlays",
        }
    }

    /// The diagram in `format`.
    #[must_use]
    pub fn render(self, format: Format) -> String {
        let picture = self.picture();
        match (&picture, format) {
            // The published diagram's own shape: no groups, no pseudo-states.
            (Picture::Lifecycle(graph), Format::Mermaid) if self == Self::ConnectionDocumented => {
                graph.flat_mermaid()
            }
            (Picture::Lifecycle(graph), Format::Mermaid) => graph.mermaid(),
            (Picture::Lifecycle(graph), Format::Dot) => graph.dot(),
            (Picture::Layers(layers), Format::Mermaid) => layers.mermaid(),
            (Picture::Layers(layers), Format::Dot) => layers.dot(),
            (_, Format::Svg) => svg::render(&picture, self, &svg::Marks::default()).text,
        }
    }

    /// The diagram as SVG ([`Format::Svg`]) with `current` marked as the current status and
    /// each edge of `taken` as a transition taken, for a page that shows where a connection
    /// (or an account) is and how it got there, with no script.
    ///
    /// Marking adds a class and changes nothing else, byte for byte:
    ///
    /// * `current` adds the class `current` to the node `status-<current>`; where the
    ///   diagram has no node of its own for the status (the overlay diagrams draw the
    ///   statuses below every layer as one pseudo-state), to the pseudo-state that stands
    ///   for it;
    /// * each `(from, to)` of `taken` adds the class `taken` to every edge that stands for
    ///   it: the edge `edge-<from>-<to>`, or the edge drawn once from a pseudo-state for
    ///   each status it names (its `data-pairs` list `from-to`), or an overlay's edge out
    ///   of or back into its layer. A pair the diagram does not draw marks nothing.
    ///
    /// The SVG's own style draws the current status in a heavy blue border on yellow and
    /// the taken edges in heavy blue, and fades the other edges while any is taken; a page
    /// restyles `.status.current` and `.edge.taken` as it likes. Statuses of the other
    /// machine (an [`AccountStatus`] on a connection diagram) mark nothing.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_core::render::{Diagram, Format};
    ///
    /// let diagram = Diagram::ConnectionOperational;
    /// let path = [
    ///     (S::Pending, S::Connected),
    ///     (S::Connected, S::WebsiteDown),
    ///     (S::WebsiteDown, S::PasswordIncorrect),
    /// ];
    /// let svg = diagram.svg_highlighted(Some(S::PasswordIncorrect), &path);
    /// assert!(svg.contains(
    ///     r#"<g id="status-PASSWORD_INCORRECT" class="status current" data-status="PASSWORD_INCORRECT""#
    /// ));
    /// assert!(svg.contains(r#"<g id="edge-PENDING-CONNECTED" class="edge taken""#));
    /// // WEBSITE_DOWN -> PASSWORD_INCORRECT is drawn once for every provider error:
    /// assert!(svg.contains(
    ///     r#"<g id="edge-UNDER_INVESTIGATION_or_any_provider_error-PASSWORD_INCORRECT" class="edge taken""#
    /// ));
    /// // Nothing else changes:
    /// let plain = svg.replace(" current\"", "\"").replace(" taken\"", "\"");
    /// assert_eq!(plain, diagram.render(Format::Svg));
    /// ```
    #[must_use]
    pub fn svg_highlighted<S: DiagramStatus>(self, current: Option<S>, taken: &[(S, S)]) -> String {
        let marks = if S::CONNECTION == self.draws_connections() {
            svg::Marks {
                current: current.map(|s| s.to_string()),
                taken: taken
                    .iter()
                    .map(|(from, to)| (from.to_string(), to.to_string()))
                    .collect(),
            }
        } else {
            svg::Marks::default()
        };
        svg::render(&self.picture(), self, &marks).text
    }

    /// Whether the diagram draws connection statuses (else account statuses).
    const fn draws_connections(self) -> bool {
        match self {
            Self::ConnectionDocumented | Self::ConnectionOperational | Self::ConnectionOverlays => {
                true
            }
            Self::AccountLifecycle | Self::AccountOverlays => false,
        }
    }

    /// What the diagram draws, laid out for every format.
    fn picture(self) -> Picture {
        match self {
            Self::ConnectionDocumented => Picture::Lifecycle(self.connection(Rules::Documented)),
            Self::ConnectionOperational => Picture::Lifecycle(self.connection(Rules::Operational)),
            Self::AccountLifecycle => Picture::Lifecycle(lifecycle(
                self,
                &Account::edges(),
                is_own,
                AccountStatus::category,
                (AccountStatus::Detected, "Account discovered"),
            )),
            Self::ConnectionOverlays => Picture::Layers(layers(
                self,
                &Connection::edges(Rules::Operational),
                ConnectionStatus::is_operational,
                ConnectionEvent::overlay_change,
                ConnectionOverlay::status,
                ConnectionStatus::category,
                ("OPERATIONAL", "any operational status"),
            )),
            Self::AccountOverlays => Picture::Layers(layers(
                self,
                &Account::edges(),
                is_own,
                AccountEvent::overlay_change,
                AccountOverlay::status,
                AccountStatus::category,
                ("OWN", "the account's own status"),
            )),
        }
    }

    fn connection(self, rules: Rules) -> Lifecycle {
        lifecycle(
            self,
            &Connection::edges(rules),
            ConnectionStatus::is_operational,
            ConnectionStatus::category,
            (ConnectionStatus::Pending, "Connection created"),
        )
    }

    /// The graph name in DOT: the name in snake case.
    fn graph_name(self) -> String {
        self.name().replace('-', "_")
    }
}

fn is_own(status: AccountStatus) -> bool {
    AccountOverlay::of(status).is_none()
}

/// What a diagram draws, before it is printed in a format.
enum Picture {
    Lifecycle(Lifecycle),
    Layers(Layers),
}

mod sealed {
    /// Which machine's statuses a type holds.
    pub trait Machine {
        /// Whether they are a connection's (else an account's).
        const CONNECTION: bool;
    }
}

/// A status [`Diagram::svg_highlighted`] can mark: [`ConnectionStatus`] or
/// [`AccountStatus`]. The trait is sealed.
///
/// ```
/// use nectar_lifecycle_core::render::DiagramStatus;
/// use nectar_lifecycle_core::{AccountStatus, ConnectionStatus};
///
/// fn wire<S: DiagramStatus>(status: S) -> String {
///     status.to_string()
/// }
/// assert_eq!(wire(ConnectionStatus::PasswordIncorrect), "PASSWORD_INCORRECT");
/// assert_eq!(wire(AccountStatus::Onboarded), "ONBOARDED");
/// ```
pub trait DiagramStatus: Copy + fmt::Display + sealed::Machine {}

impl sealed::Machine for ConnectionStatus {
    const CONNECTION: bool = true;
}
impl DiagramStatus for ConnectionStatus {}

impl sealed::Machine for AccountStatus {
    const CONNECTION: bool = false;
}
impl DiagramStatus for AccountStatus {}

/// How an event is drawn on an edge, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Style {
    Drawn,
    Inferred,
    System,
}

impl From<Provenance> for Style {
    fn from(provenance: Provenance) -> Self {
        match provenance {
            Provenance::Diagram => Self::Drawn,
            Provenance::Inferred(_) => Self::Inferred,
            Provenance::System => Self::System,
        }
    }
}

/// What Mermaid appends to an inferred event's label.
const INFERRED: &str = " [inferred]";

/// One event on an edge.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Label {
    text: String,
    style: Style,
}

/// One edge as drawn: between two node ids, with its events.
#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    labels: Vec<Label>,
    /// The `(from, to)` statuses of the table's edges it stands for, in order.
    pairs: Vec<(String, String)>,
}

impl Edge {
    /// The edge's line: that of its strongest event.
    fn style(&self) -> Style {
        self.labels
            .iter()
            .map(|l| l.style)
            .min()
            .unwrap_or(Style::Drawn)
    }

    /// The label in Mermaid: every inferred event marked, events joined by commas.
    fn mermaid_label(&self) -> String {
        let texts: Vec<String> = self
            .labels
            .iter()
            .map(|l| match l.style {
                Style::Inferred => format!("{}{INFERRED}", l.text),
                Style::Drawn | Style::System => l.text.clone(),
            })
            .collect();
        texts.join(", ")
    }

    /// The label's lines in DOT and SVG: one event a line; the line's style tells an
    /// inferred edge, so an inferred event is marked only on an edge that also carries a
    /// drawn one.
    fn label_lines(&self) -> Vec<String> {
        let line = self.style();
        self.labels
            .iter()
            .map(|l| match (l.style, line) {
                (Style::Inferred, Style::Drawn) => format!("{}{INFERRED}", l.text),
                _ => l.text.clone(),
            })
            .collect()
    }

    /// The label in DOT.
    fn dot_label(&self) -> String {
        dot_escape(&self.label_lines().join("\n"))
    }

    fn dot_attributes(&self) -> String {
        let mut out = format!("label=\"{}\"", self.dot_label());
        out.push_str(dot_line(self.style()));
        out
    }
}

fn dot_line(style: Style) -> &'static str {
    match style {
        Style::Drawn => "",
        Style::Inferred => ", style=dashed",
        Style::System => ", color=\"#3b5b92\", fontcolor=\"#3b5b92\"",
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

const DOT_DEFAULTS: &str = "  node [shape=box, style=\"rounded,filled\", fillcolor=white, \
     fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n";

/// How a category is drawn.
struct Look {
    /// The group's title.
    title: &'static str,
    /// A pseudo-state's words for every status of the group.
    any: &'static str,
    /// The fill and border colours.
    colours: (&'static str, &'static str),
}

impl Look {
    const fn new(
        title: &'static str,
        any: &'static str,
        colours: (&'static str, &'static str),
    ) -> Self {
        Self {
            title,
            any,
            colours,
        }
    }
}

/// A category of statuses, as diagrams draw it.
trait Grouping: Enumerated + fmt::Display {
    fn look(self) -> Look;
}

impl Grouping for ConnectionCategory {
    fn look(self) -> Look {
        match self {
            Self::Healthy => Look::new("Healthy: no action needed", "any healthy status", GREEN),
            Self::CredentialError => Look::new(
                "Credential errors: user action required",
                "any credential error",
                RED,
            ),
            Self::ProviderError => Look::new(
                "Provider errors: automatic retry",
                "any provider error",
                AMBER,
            ),
            Self::System => Look::new("System statuses", "any system status", GREY),
        }
    }
}

impl Grouping for AccountCategory {
    fn look(self) -> Look {
        match self {
            Self::Healthy => Look::new("Healthy", "any healthy status", GREEN),
            Self::CollectionError => Look::new(
                "Collection errors: retried weekly",
                "any collection error",
                AMBER,
            ),
            Self::ParentError => Look::new(
                "Parent connection error",
                "any parent connection error",
                RED,
            ),
            Self::Terminal => Look::new("Terminal: not re-checked", "any terminal status", GREY),
            Self::System => Look::new("System statuses", "any system status", GREY),
        }
    }
}

/// Dark text, readable on every fill below in light and dark themes.
const TEXT: &str = "#1a1a1a";
/// `(fill, border)` colours.
const GREEN: (&str, &str) = ("#edf7ed", "#7cb87e");
const RED: (&str, &str) = ("#fdeeee", "#d98080");
const AMBER: (&str, &str) = ("#fdf5e6", "#d9a441");
const GREY: (&str, &str) = ("#f2f2f2", "#a0a0a0");

/// A node of a lifecycle diagram: a status, or a pseudo-state (by its index) that stands
/// for each of several statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node<S> {
    Status(S),
    Sources(usize),
}

/// Where the edges of one kind go: to a status, or each back to where it left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Head<S> {
    Status(S),
    Back,
}

/// The edges that share an event, a head and a style, by the statuses they leave.
struct Fan<S, E> {
    event: E,
    head: Head<S>,
    style: Style,
    sources: Vec<S>,
}

/// A pseudo-state is drawn only where it saves at least this many edges (net of its own
/// box): enough to lift a fan out of a dense picture, too many for two statuses that
/// happen to share two edges, as the published diagram's `PENDING` and `CONNECTED` do.
const WORTH_A_PSEUDO_STATE: usize = 5;

/// Replaces, in `fans`, the sources that several statuses share by pseudo-states (indices
/// into `sets`, which it may extend), greedily, the most saving first: first the fans
/// that leave exactly one set, then the fans that leave a known set and some more. Returns
/// the edges `(from, fan)`, in the order of `fans`.
fn factor<S: Enumerated>(
    fans: &[Fan<S, impl Copy>],
    sets: &mut Vec<Vec<S>>,
) -> Vec<(Node<S>, usize)> {
    let mut covered: Vec<Option<usize>> = vec![None; fans.len()];
    loop {
        let uncovered = || fans.iter().zip(&covered).filter(|(_, c)| c.is_none());
        let mut best: Option<(usize, &Vec<S>)> = None;
        for (fan, _) in uncovered() {
            let set = &fan.sources;
            if set.len() < 2 {
                continue;
            }
            let uses = uncovered().filter(|(f, _)| f.sources == *set).count();
            let new = usize::from(!sets.contains(set));
            let saving = (uses * (set.len() - 1)).saturating_sub(new);
            if saving >= WORTH_A_PSEUDO_STATE && best.is_none_or(|(b, _)| saving > b) {
                best = Some((saving, set));
            }
        }
        let Some((_, set)) = best else { break };
        let index = match sets.iter().position(|s| s == set) {
            Some(index) => index,
            None => {
                sets.push(set.clone());
                sets.len() - 1
            }
        };
        for (fan, c) in fans.iter().zip(covered.iter_mut()) {
            if c.is_none() && fan.sources == sets[index] {
                *c = Some(index);
            }
        }
    }
    let mut edges = Vec::new();
    for (i, (fan, c)) in fans.iter().zip(&covered).enumerate() {
        // A fan no set covers exactly may still leave the largest known set, and more.
        let set = c.or_else(|| {
            (0..sets.len())
                .filter(|&s| sets[s].len() < fan.sources.len())
                .filter(|&s| sets[s].iter().all(|m| fan.sources.contains(m)))
                .max_by_key(|&s| sets[s].len())
        });
        if let Some(s) = set {
            edges.push((Node::Sources(s), i));
        }
        for &from in &fan.sources {
            if set.is_none_or(|s| !sets[s].contains(&from)) {
                edges.push((Node::Status(from), i));
            }
        }
    }
    edges
}

/// A group of a lifecycle diagram: the statuses of one category, with the pseudo-states
/// that stand for some of them only.
struct Group {
    id: String,
    title: &'static str,
    colours: (&'static str, &'static str),
    members: Vec<String>,
    pseudo: Vec<Pseudo>,
}

/// A pseudo-state as drawn.
struct Pseudo {
    id: String,
    label: String,
    /// The statuses it stands for.
    members: Vec<String>,
}

/// A lifecycle diagram, ready to print.
struct Lifecycle {
    /// The graph name in DOT.
    name: String,
    start: (String, &'static str),
    groups: Vec<Group>,
    /// The pseudo-states whose statuses span categories.
    pseudo: Vec<Pseudo>,
    edges: Vec<Edge>,
}

/// Lays out the edges between `own` statuses: grouped by category, with pseudo-states where
/// several statuses leave alike, and parallel edges merged.
fn lifecycle<S, E, C>(
    diagram: Diagram,
    edges: &[Transition<S, E>],
    own: fn(S) -> bool,
    category: fn(S) -> C,
    start: (S, &'static str),
) -> Lifecycle
where
    S: Enumerated + fmt::Display,
    E: Enumerated + fmt::Display,
    C: Grouping,
{
    // Each edge into a status, then each loop that no set covered, by fans.
    let mut fans: Vec<Fan<S, E>> = Vec::new();
    for t in edges.iter().filter(|t| own(t.from) && own(t.to)) {
        let (event, head, style) = (t.event, Head::Status(t.to), Style::from(t.provenance));
        match fans
            .iter_mut()
            .find(|f| (f.event, f.head, f.style) == (event, head, style))
        {
            Some(fan) => fan.sources.push(t.from),
            None => fans.push(Fan {
                event,
                head,
                style,
                sources: vec![t.from],
            }),
        }
    }
    let mut sets = Vec::new();
    let mut steps: Vec<(Node<S>, E, Node<S>, Style)> = Vec::new();
    let mut loops: Vec<Fan<S, E>> = Vec::new();
    for (from, i) in factor(&fans, &mut sets) {
        let fan = &fans[i];
        let Head::Status(to) = fan.head else { continue };
        if from == Node::Status(to) {
            match loops
                .iter_mut()
                .find(|l| (l.event, l.style) == (fan.event, fan.style))
            {
                Some(l) => l.sources.push(to),
                None => loops.push(Fan {
                    event: fan.event,
                    head: Head::Back,
                    style: fan.style,
                    sources: vec![to],
                }),
            }
        } else {
            steps.push((from, fan.event, Node::Status(to), fan.style));
        }
    }
    for (from, i) in factor(&loops, &mut sets) {
        steps.push((from, loops[i].event, from, loops[i].style));
    }
    let members = |c: C| -> Vec<S> {
        S::ALL
            .iter()
            .copied()
            .filter(|&s| own(s) && category(s) == c)
            .collect()
    };
    // Edges leave in status order; a pseudo-state sorts just before its first status.
    let order = |n: Node<S>| match n {
        Node::Status(s) => (s.index(), 1),
        Node::Sources(i) => (sets[i].first().map_or(0, |s| s.index()), 0),
    };
    steps.sort_by_key(|&(from, event, to, _)| (order(from), event.index(), order(to)));
    let mut merged: Vec<(Node<S>, Node<S>, Vec<Label>)> = Vec::new();
    for (from, event, to, style) in steps {
        let label = Label {
            text: event.to_string(),
            style,
        };
        match merged.iter_mut().find(|(f, t, _)| *f == from && *t == to) {
            Some((_, _, labels)) => labels.push(label),
            None => merged.push((from, to, vec![label])),
        }
    }
    // A pseudo-state is named after what it stands for: whole categories as `any ...`,
    // other statuses by name.
    let pseudo = |set: &[S]| -> Pseudo {
        let mut words: Vec<String> = Vec::new();
        for &c in C::ALL {
            let all = members(c);
            let inside: Vec<S> = all.iter().copied().filter(|s| set.contains(s)).collect();
            if all.len() > 1 && inside.len() == all.len() {
                words.push(c.look().any.to_owned());
            } else {
                words.extend(inside.iter().map(ToString::to_string));
            }
        }
        let label = match words.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => words.concat(),
        };
        let id = label
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
            .collect::<String>()
            .replace("__", "_");
        Pseudo {
            id,
            label,
            members: set.iter().map(ToString::to_string).collect(),
        }
    };
    let single = |set: &[S]| -> Option<C> {
        let c = category(*set.first()?);
        set.iter().all(|&s| category(s) == c).then_some(c)
    };
    let groups = C::ALL
        .iter()
        .filter_map(|&c| {
            let group = members(c);
            (!group.is_empty()).then(|| Group {
                id: c.to_string(),
                title: c.look().title,
                colours: c.look().colours,
                members: group.iter().map(ToString::to_string).collect(),
                pseudo: sets
                    .iter()
                    .filter(|set| single(set) == Some(c))
                    .map(|set| pseudo(set))
                    .collect(),
            })
        })
        .collect();
    Lifecycle {
        name: diagram.graph_name(),
        start: (start.0.to_string(), start.1),
        groups,
        pseudo: sets
            .iter()
            .filter(|set| single(set).is_none())
            .map(|set| pseudo(set))
            .collect(),
        edges: merged
            .into_iter()
            .map(|(from, to, labels)| {
                let id = |n: Node<S>| match n {
                    Node::Status(s) => s.to_string(),
                    Node::Sources(i) => pseudo(&sets[i]).id,
                };
                let statuses = |n: Node<S>| match n {
                    Node::Status(s) => vec![s],
                    Node::Sources(i) => sets[i].clone(),
                };
                // A loop on a pseudo-state keeps each of its statuses where it is.
                let pairs = if from == to {
                    statuses(from)
                        .iter()
                        .map(|s| (s.to_string(), s.to_string()))
                        .collect()
                } else {
                    let heads = statuses(to);
                    statuses(from)
                        .iter()
                        .flat_map(|f| heads.iter().map(move |t| (f.to_string(), t.to_string())))
                        .collect()
                };
                Edge {
                    from: id(from),
                    to: id(to),
                    labels,
                    pairs,
                }
            })
            .collect(),
    }
}

impl Lifecycle {
    fn mermaid_edges(&self, out: &mut String) {
        let (first, label) = &self.start;
        let _ = writeln!(out, "  [*] --> {first}: {label}");
        for e in &self.edges {
            let _ = writeln!(out, "  {} --> {}: {}", e.from, e.to, e.mermaid_label());
        }
    }

    /// In the published diagram's style: the start edge, then one line per edge.
    fn flat_mermaid(&self) -> String {
        let mut out = String::from("stateDiagram-v2\n");
        self.mermaid_edges(&mut out);
        out
    }

    /// Left to right, each status filled with its category's colour. Mermaid's layout
    /// routes edges across composite states badly, so the groups are colours here, not
    /// boxes; the pseudo-states are dashed, in their group's colour if they have one.
    fn mermaid(&self) -> String {
        let mut out = String::from("stateDiagram-v2\n  direction LR\n");
        let pseudo = self
            .groups
            .iter()
            .flat_map(|g| &g.pseudo)
            .chain(&self.pseudo);
        for p in pseudo.clone() {
            let _ = writeln!(out, "  state \"{}\" as {}", p.label, p.id);
        }
        self.mermaid_edges(&mut out);
        let dashed = "stroke-dasharray:4 4,font-style:italic";
        for g in &self.groups {
            let (fill, border) = g.colours;
            let style = format!("fill:{fill},stroke:{border},color:{TEXT}");
            let _ = writeln!(out, "  classDef {} {style}", g.id);
            let _ = writeln!(out, "  class {} {}", g.members.join(","), g.id);
            if !g.pseudo.is_empty() {
                let _ = writeln!(out, "  classDef {}_pseudo {style},{dashed}", g.id);
                let ids: Vec<&str> = g.pseudo.iter().map(|p| p.id.as_str()).collect();
                let _ = writeln!(out, "  class {} {}_pseudo", ids.join(","), g.id);
            }
        }
        if !self.pseudo.is_empty() {
            let _ = writeln!(
                out,
                "  classDef pseudo fill:white,stroke:{},color:{TEXT},{dashed}",
                GREY.1
            );
            let ids: Vec<&str> = self.pseudo.iter().map(|p| p.id.as_str()).collect();
            let _ = writeln!(out, "  class {} pseudo", ids.join(","));
        }
        out
    }

    fn dot(&self) -> String {
        let pseudo = |indent: &str, p: &Pseudo| {
            format!(
                "{indent}{} [label=\"{}\", style=\"rounded,dashed\", fillcolor=none, fontname=\"Helvetica-Oblique\"];\n",
                p.id,
                dot_escape(&p.label)
            )
        };
        let mut out = format!("digraph {} {{\n", self.name);
        out.push_str("  rankdir=LR;\n  newrank=true;\n  nodesep=0.4;\n");
        out.push_str(DOT_DEFAULTS);
        out.push_str("  start [shape=point, width=0.15, label=\"\"];\n");
        for p in &self.pseudo {
            out.push_str(&pseudo("  ", p));
        }
        for g in &self.groups {
            let (fill, border) = g.colours;
            let _ = writeln!(out, "  subgraph cluster_{} {{", g.id);
            let _ = writeln!(
                out,
                "    label=\"{}\"; style=\"rounded,filled\"; fillcolor=\"{fill}\"; color=\"{border}\"; fontname=\"Helvetica\";",
                dot_escape(g.title)
            );
            for p in &g.pseudo {
                out.push_str(&pseudo("    ", p));
            }
            for m in &g.members {
                let _ = writeln!(out, "    {m};");
            }
            out.push_str("  }\n");
        }
        // The statuses outside the start's category in one column: the lifecycle reads
        // from the start, through its category, to everything else.
        let (first, label) = &self.start;
        let others: Vec<&str> = self
            .groups
            .iter()
            .filter(|g| !g.members.contains(first))
            .flat_map(|g| g.members.iter().map(String::as_str))
            .collect();
        if !others.is_empty() {
            let _ = writeln!(out, "  {{ rank=same; {}; }}", others.join("; "));
        }
        let _ = writeln!(out, "  start -> {first} [label=\"{}\"];", dot_escape(label));
        for e in &self.edges {
            let _ = writeln!(out, "  {} -> {} [{}];", e.from, e.to, e.dot_attributes());
        }
        out.push_str("}\n");
        out
    }
}

/// The words for an overlay's layer: what holds while the overlay is not raised.
trait Layered: Enumerated {
    /// The layer's `(id, title)`.
    fn layer(self) -> (&'static str, &'static str);
}

impl Layered for ConnectionOverlay {
    fn layer(self) -> (&'static str, &'static str) {
        match self {
            Self::Deactivated => ("active", "active (isActive true)"),
            Self::CompanyInactive => ("company_active", "company active"),
        }
    }
}

impl Layered for AccountOverlay {
    fn layer(self) -> (&'static str, &'static str) {
        match self {
            Self::WorkflowNotAccessible => ("parent_accessible", "parent connection accessible"),
            Self::CustomerNotTracked => ("tracked", "tracked (trackingStatus not DISABLED)"),
            Self::CompanyInactive => ("company_active", "company active"),
        }
    }
}

/// One overlay: its layer, its status, and the events that raise and lift it.
struct Layer {
    id: &'static str,
    title: &'static str,
    status: String,
    /// The overlay status's category, and its colours.
    category: (String, (&'static str, &'static str)),
    /// The statuses the layer holds: those below it.
    below: Vec<String>,
    raise: Option<Label>,
    lift: Option<Label>,
    /// The `(from, to)` statuses of the table's edges that raise the overlay, and that lift
    /// it.
    raising: Vec<(String, String)>,
    lifting: Vec<(String, String)>,
    /// What lifting does besides restoring, when the lifting event also moves a status
    /// it uncovers (confirming tracking onboards a `DETECTED` account), in lines.
    note: Option<Vec<String>>,
}

/// How to read a layer, in a comment of the overlay diagrams.
const HISTORY: &str = "Each layer holds what its overlay covers. Raising the overlay leaves the layer\n\
and shows the overlay; lifting it returns into the layer where it was left\n\
(history), so the status it covered shows again.";

/// The overlays of a machine as nested layers, lowest first, around the statuses below
/// every layer.
struct Layers {
    name: String,
    base: (&'static str, &'static str),
    /// The statuses below every layer, which the base pseudo-state stands for.
    base_members: Vec<String>,
    layers: Vec<Layer>,
}

fn layers<S, E, O, C>(
    diagram: Diagram,
    edges: &[Transition<S, E>],
    own: fn(S) -> bool,
    overlay_change: fn(E) -> Option<OverlayChange<O>>,
    status: fn(O) -> S,
    category: fn(S) -> C,
    base: (&'static str, &'static str),
) -> Layers
where
    S: Enumerated + fmt::Display,
    E: Copy + fmt::Display,
    O: Layered,
    C: Grouping,
{
    // The edges that make `change`: into the overlay's status when raised, out of it when
    // lifted.
    let making = |change: OverlayChange<O>| {
        let shown = status(change.overlay());
        edges.iter().filter(move |t| {
            overlay_change(t.event) == Some(change)
                && match change {
                    OverlayChange::Raise(_) => t.to == shown,
                    OverlayChange::Lift(_) => t.from == shown,
                }
        })
    };
    let label = |change: OverlayChange<O>| {
        making(change).next().map(|t| Label {
            text: t.event.to_string(),
            style: t.provenance.into(),
        })
    };
    let pairs = |change: OverlayChange<O>| -> Vec<(String, String)> {
        making(change)
            .map(|t| (t.from.to_string(), t.to.to_string()))
            .collect()
    };
    let mut below: Vec<S> = S::ALL.iter().copied().filter(|&s| own(s)).collect();
    let base_members = below.iter().map(ToString::to_string).collect();
    let mut layers = Vec::new();
    for &o in O::ALL {
        let (id, title) = o.layer();
        let lift = OverlayChange::Lift(o);
        let restored: Vec<S> = making(lift).map(|t| t.to).collect();
        // A covered status that lifting does not restore: the lifting event moves it, as it
        // would move it uncovered.
        let moved: Vec<String> = below
            .iter()
            .filter(|s| !restored.contains(s))
            .filter_map(|&s| {
                let t = edges
                    .iter()
                    .find(|t| t.from == s && t.to != s && overlay_change(t.event) == Some(lift))?;
                Some(format!("{s} comes back {}", t.to))
            })
            .collect();
        let lifting = label(lift);
        let shown = category(status(o));
        layers.push(Layer {
            id,
            title,
            status: status(o).to_string(),
            category: (shown.to_string(), shown.look().colours),
            below: below.iter().map(ToString::to_string).collect(),
            raising: pairs(OverlayChange::Raise(o)),
            lifting: pairs(lift),
            raise: label(OverlayChange::Raise(o)),
            note: lifting.as_ref().filter(|_| !moved.is_empty()).map(|l| {
                vec![
                    format!("{} restores what {} covered,", l.text, status(o)),
                    format!("but {}", moved.join(", ")),
                ]
            }),
            lift: lifting,
        });
        below.push(status(o));
    }
    Layers {
        name: diagram.graph_name(),
        base,
        base_members,
        layers,
    }
}

impl Layers {
    /// The edges out of and back into `layer`, as drawn: raising, then lifting.
    fn edges(layer: &Layer, inside: &str) -> Vec<Edge> {
        let edge = |from: &str, to: &str, label: &Option<Label>, pairs: &[(String, String)]| {
            label.as_ref().map(|l| Edge {
                from: from.to_owned(),
                to: to.to_owned(),
                labels: vec![l.clone()],
                pairs: pairs.to_vec(),
            })
        };
        [
            edge(inside, &layer.status, &layer.raise, &layer.raising),
            edge(&layer.status, inside, &layer.lift, &layer.lifting),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn mermaid(&self) -> String {
        let (base, description) = self.base;
        // Built from the inside out: each layer wraps what it covers.
        let mut inner = vec![format!("state \"{description}\" as {base}")];
        for layer in &self.layers {
            let mut block = vec![format!("state \"{}\" as {} {{", layer.title, layer.id)];
            block.extend(inner.iter().map(|l| format!("  {l}")));
            block.push("}".to_owned());
            block.push(layer.status.clone());
            if let Some(note) = &layer.note {
                block.push(format!("note right of {}", layer.status));
                block.extend(note.iter().map(|line| format!("  {line}")));
                block.push("end note".to_owned());
            }
            for e in Self::edges(layer, layer.id) {
                block.push(format!("{} --> {}: {}", e.from, e.to, e.mermaid_label()));
            }
            inner = block;
        }
        let mut out = String::from("stateDiagram-v2\n");
        out.push_str(&Format::Mermaid.comment(HISTORY).replace("%%", "  %%"));
        for line in inner {
            let _ = writeln!(out, "  {line}");
        }
        out
    }

    fn dot(&self) -> String {
        let (base, description) = self.base;
        let mut out = format!("digraph {} {{\n", self.name);
        out.push_str("  rankdir=TB;\n  compound=true;\n");
        out.push_str(DOT_DEFAULTS);
        let mut inner = vec![format!(
            "{base} [label=\"{}\", style=\"rounded,dashed\", fontname=\"Helvetica-Oblique\"];",
            dot_escape(description)
        )];
        let mut edges = Vec::new();
        for (i, layer) in self.layers.iter().enumerate() {
            // Nested layers alternate their fill, the outermost tinted, so each border shows.
            let fill = if (self.layers.len() - i) % 2 == 1 {
                GREEN.0
            } else {
                "white"
            };
            let mut block = vec![
                format!("subgraph cluster_{} {{", layer.id),
                format!(
                    "  label=\"{}\"; style=\"rounded,filled\"; fillcolor=\"{fill}\"; color=\"{}\"; fontname=\"Helvetica\";",
                    dot_escape(layer.title),
                    GREEN.1
                ),
            ];
            block.extend(inner.iter().map(|l| format!("  {l}")));
            block.push("}".to_owned());
            block.push(format!(
                "{} [fillcolor=\"{}\", color=\"{}\"];",
                layer.status, GREY.0, GREY.1
            ));
            if let Some(note) = &layer.note {
                block.push(format!(
                    "note_{0} [shape=note, label=\"{1}\", style=filled, fillcolor=\"#fff8c4\", fontsize=9];",
                    layer.status,
                    dot_escape(&note.join("\n"))
                ));
                edges.push(format!(
                    "{0} -> note_{0} [style=dotted, arrowhead=none];",
                    layer.status
                ));
            }
            for e in Self::edges(layer, base) {
                // Clipped at the layer's border: the edge leaves or enters the whole layer.
                let clip = if e.from == base { "ltail" } else { "lhead" };
                edges.push(format!(
                    "{} -> {} [{}, {clip}=cluster_{}];",
                    e.from,
                    e.to,
                    e.dot_attributes(),
                    layer.id
                ));
            }
            inner = block;
        }
        for line in inner.iter().chain(&edges) {
            let _ = writeln!(out, "  {line}");
        }
        out.push_str("}\n");
        out
    }
}

/// The legend of the cells of [`connection_table`] and [`account_table`].
///
/// ```
/// use nectar_lifecycle_core::render::TABLE_LEGEND;
/// assert!(TABLE_LEGEND.contains("**I**"));
/// ```
pub const TABLE_LEGEND: &str = "A cell names the status the event leads to, and why the edge \
exists: **D** drawn in the published diagram, **I** inferred from the status tables and check \
rules, **S** system (an overlay raised or lifted). *restore*: the overlay is lifted and the \
status it covered shows again. An empty cell is not allowed: the machine rejects the event and \
stays where it is.";

fn mark(provenance: Provenance) -> &'static str {
    match provenance {
        Provenance::Diagram => "D",
        Provenance::Inferred(_) => "I",
        Provenance::System => "S",
    }
}

/// A status x event table: a row per status (with its category), a column per event.
fn table<S, E, O, C>(
    cell: impl Fn(S, E) -> Option<Rule<S, O>>,
    category: fn(S) -> C,
    status: fn(O) -> S,
) -> String
where
    S: Enumerated + fmt::Display,
    E: Enumerated + fmt::Display,
    O: Copy,
    C: fmt::Display,
{
    let mut out = String::from("| Status | Category |");
    for event in E::ALL {
        let _ = write!(out, " {event} |");
    }
    out.push_str("\n| --- | --- |");
    out.push_str(&" --- |".repeat(E::ALL.len()));
    out.push('\n');
    for &from in S::ALL {
        let _ = write!(out, "| `{from}` | {} |", category(from));
        for &event in E::ALL {
            match cell(from, event) {
                None => out.push_str(" |"),
                Some(rule) => {
                    let to = match rule.target {
                        Target::Status(to) => format!("`{to}`"),
                        Target::Overlay(OverlayChange::Raise(o)) => format!("`{}`", status(o)),
                        Target::Overlay(OverlayChange::Lift(_)) => "*restore*".to_owned(),
                    };
                    let _ = write!(out, " {to} {} |", mark(rule.provenance));
                }
            }
        }
        out.push('\n');
    }
    out
}

/// Every connection cell under `rules`, as a Markdown table: a row per status, a column per
/// event (headed by its label), each allowed cell naming the status the event leads to and
/// a provenance mark ([`TABLE_LEGEND`]).
///
/// ```
/// use nectar_lifecycle_core::render::connection_table;
/// use nectar_lifecycle_core::Rules;
///
/// let table = connection_table(Rules::Documented);
/// assert!(table.starts_with("| Status | Category | Authentication successful |"));
/// let pending = table.lines().nth(2).unwrap();
/// assert!(pending.starts_with("| `PENDING` | healthy | `CONNECTED` D | `PASSWORD_INCORRECT` D |"));
/// ```
#[must_use]
pub fn connection_table(rules: Rules) -> String {
    table(
        |from, event| connection_rule(rules, from, event),
        ConnectionStatus::category,
        ConnectionOverlay::status,
    )
}

/// Every account cell, as a Markdown table like [`connection_table`]'s.
///
/// ```
/// use nectar_lifecycle_core::render::account_table;
///
/// let table = account_table();
/// let detected = table.lines().nth(2).unwrap();
/// assert!(detected.starts_with("| `DETECTED` | healthy | `ONBOARDED` I | `CUSTOMER_NOT_TRACKED` I |"));
/// ```
#[must_use]
pub fn account_table() -> String {
    table(
        account_rule,
        AccountStatus::category,
        AccountOverlay::status,
    )
}

/// The edges [`Rules::Operational`] adds to the published diagram, in Markdown: first each
/// [`Inference`] with its reason and how many edges it adds, then every inferred edge with
/// the inference it follows.
///
/// ```
/// use nectar_lifecycle_core::render::inferred_edges;
///
/// let md = inferred_edges();
/// assert!(md.contains(
///     "| `PENDING` | Provider requires reset | `NEW_PASSWORD_NEEDED` | `first_check_outcome` |\n"
/// ));
/// ```
#[must_use]
pub fn inferred_edges() -> String {
    let inferred: Vec<_> = Connection::edges(Rules::Operational)
        .into_iter()
        .filter_map(|t| match t.provenance {
            Provenance::Inferred(inference) => Some((t, inference)),
            Provenance::Diagram | Provenance::System => None,
        })
        .collect();
    let mut out = String::from("| Inference | Reason | Edges |\n| --- | --- | --- |\n");
    for &inference in Inference::ALL {
        let count = inferred.iter().filter(|(_, i)| *i == inference).count();
        if count > 0 {
            let _ = writeln!(out, "| `{inference}` | {} | {count} |", inference.reason());
        }
    }
    out.push_str("\n| From | Event | To | Inference |\n| --- | --- | --- | --- |\n");
    for (t, inference) in &inferred {
        let _ = writeln!(
            out,
            "| `{}` | {} | `{}` | `{inference}` |",
            t.from, t.event, t.to
        );
    }
    out
}

fn describe_collection<S: fmt::Display, E: fmt::Display>(c: &Collection<S, E>) -> String {
    match c {
        Collection::DueAtOnce => "due at once (a fresh cycle), then weekly".to_owned(),
        Collection::Weekly => "checked weekly".to_owned(),
        Collection::HaltedUntilUserActs { resume, .. } => format!("halted until \"{resume}\""),
        Collection::StoppedBySystem { resume, .. } => format!("stopped until \"{resume}\""),
        Collection::Terminal {
            resume: Some(resume),
            ..
        } => {
            format!("terminal: not re-checked until \"{resume}\"")
        }
        Collection::Terminal { resume: None, .. } => "terminal: not re-checked".to_owned(),
    }
}

/// A Markdown table of every connection status with its category, check policy,
/// remediation (first occurrence; provider errors escalate when persistent) and who acts;
/// then every account status with its category and check policy.
///
/// ```
/// use nectar_lifecycle_core::render::status_table;
///
/// let table = status_table();
/// assert!(table.contains("| `DEACTIVATED` | system | stopped until \"Activated (isActive true)\" |"));
/// ```
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
        let _ = writeln!(
            out,
            "| `{status}` | {} | {policy} | {remedy} | {actor} |",
            status.category()
        );
    }
    out.push_str("\n| Account status | Category | Check policy |\n| --- | --- | --- |\n");
    for &status in AccountStatus::ALL {
        let policy = describe_collection(&Account::showing(status).collection());
        let _ = writeln!(out, "| `{status}` | {} | {policy} |", status.category());
    }
    out
}
