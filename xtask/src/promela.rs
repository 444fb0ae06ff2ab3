//! The Promela models of one connection, one per rule set, for SPIN: an independent
//! second checker of the single-connection stateright models. The system model's is
//! [`system`].
//!
//! The model is written from the transition table, not from an explored state graph: each
//! allowed cell `(visible status, event)` of [`connection_rule`] is one guarded command of
//! the process's loop, and what a rule does (set the operational status, raise or lift an
//! overlay with history, the fresh-cycle flag) is written in Promela once, in the inlines
//! `enter_status`, `raise_overlay` and `lift_overlay`. SPIN explores it on its own: nothing
//! of the core's `apply` runs. What the two checkers share is the table's cells (the single
//! source of truth) and the list of the table's edges that coverage is measured against
//! ([`Connection::edges`], the same list stateright's report uses).
//!
//! The state is the stateright model's `ConnectionState` field for field: the operational
//! status, the overlays raised, the fresh-cycle flag, the ghost `held` and the two sticky
//! ghost violation flags. Each step is one `atomic` sequence of the only process, and the
//! loop's head is its only location between steps (pan stores no state inside an atomic
//! sequence), so SPIN's "states, stored" is the number of valuations of those fields and
//! equals stateright's unique state count. Scratch variables are `hidden` (outside the
//! state vector). Every field is read somewhere (the fresh-cycle flag by an assertion): SPIN
//! leaves write-only variables out of the state unless run with `-o2`.
//!
//! Coverage is read from pan's report of unreached statements: after each step the model
//! records the edge it took with a statement `step_edge = K` of its own, `K` the edge's
//! index in [`connection_edges`], and asserts that the step was one of the table's edges.
//! An edge is taken exactly when its statement is not reported unreached
//! ([`PanReport::unreached_edges`]); SPIN must run with `-o3` (no statement merging, which
//! folds those statements into their guards). The statuses reached are `PENDING` (the
//! initial status) and the targets of the edges taken.
//!
//! The invariants are the stateright model's three, as assertions after every step, plus
//! one the core enforces by construction: a `PENDING` connection awaits its first check.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use nectar_lifecycle_core::{
    Connection, ConnectionCategory, ConnectionEvent, ConnectionOverlay, ConnectionStatus,
    Enumerated, EventOrigin, OverlayChange, Rules, Target, Transition, connection_rule,
};

pub mod system;

/// An edge between visible statuses, as [`Connection::edges`] lists it.
pub type Edge = Transition<ConnectionStatus, ConnectionEvent>;

/// Where the Promela model of one connection under `rules` is written, from the workspace
/// root.
///
/// ```
/// use nectar_lifecycle_core::Rules;
/// assert_eq!(xtask::promela::path(Rules::Documented), "docs/promela/connection-documented.pml");
/// ```
#[must_use]
pub fn path(rules: Rules) -> String {
    format!("docs/promela/connection-{rules}.pml")
}

/// The table's edges for `rules`, numbered: edge `K` of the Promela model is the `K`th.
///
/// ```
/// use nectar_lifecycle_core::{Connection, Rules};
/// assert_eq!(xtask::promela::connection_edges(Rules::Operational), Connection::edges(Rules::Operational));
/// ```
#[must_use]
pub fn connection_edges(rules: Rules) -> Vec<Edge> {
    Connection::edges(rules)
}

/// The statement that records edge `index` (what pan names in its unreached report).
fn edge_statement(index: usize) -> String {
    format!("step_edge = {index}")
}

/// A status's Promela name: its API string.
fn status_name(status: ConnectionStatus) -> String {
    status.as_str().to_owned()
}

/// An event's Promela name: its variant's name.
fn event_name(event: ConnectionEvent) -> String {
    format!("{event:?}")
}

/// An overlay's Promela name.
fn overlay_name(overlay: ConnectionOverlay) -> String {
    format!("OVERLAY_{overlay}")
}

/// How a model names the connection's values in Promela, and whether its connection
/// variables are arrays indexed by connection.
#[derive(Clone, Copy)]
struct Names {
    status: fn(ConnectionStatus) -> String,
    event: fn(ConnectionEvent) -> String,
    overlay: fn(ConnectionOverlay) -> String,
    /// The name of the connection index (the inlines' and macros' first parameter) when
    /// the variables are arrays; `None` for scalar variables (one connection).
    index: Option<&'static str>,
}

impl Names {
    /// The connection variable `name`: `name[c]`, or `name`.
    fn var(self, name: &str) -> String {
        self.index
            .map_or_else(|| name.to_owned(), |c| format!("{name}[{c}]"))
    }

    /// The connection index as a leading argument: `c, `, or nothing.
    fn arg(self) -> String {
        self.index.map_or_else(String::new, |c| format!("{c}, "))
    }
}

/// The names of the connection models: the API's strings, the variants' names, `OVERLAY_`,
/// scalar variables.
const NAMES: Names = Names {
    status: status_name,
    event: event_name,
    overlay: overlay_name,
    index: None,
};

/// A `#define` per value of `T`, in declaration order, under the comment `heading`: its
/// `name`, its index, and `label`'s text as a comment when there is one.
fn define_all<T: Enumerated>(
    out: &mut String,
    heading: &str,
    name: impl Fn(T) -> String,
    label: impl Fn(T) -> Option<&'static str>,
) {
    let _ = writeln!(out, "\n/* {heading} */");
    for &value in T::ALL {
        let _ = write!(out, "#define {} {}", name(value), value.index());
        match label(value) {
            Some(text) => {
                let _ = writeln!(out, " /* {text} */");
            }
            None => out.push('\n'),
        }
    }
}

/// The `#define`s of the connection's statuses (and `NO_STATUS`), events and overlays.
fn connection_definitions(names: Names, out: &mut String) {
    define_all(
        out,
        "ConnectionStatus, in declaration order.",
        names.status,
        |_| None,
    );
    out.push_str("#define NO_STATUS 255 /* `held` when nothing is held */\n");
    define_all(
        out,
        "ConnectionEvent, in declaration order, with its label.",
        names.event,
        |e: ConnectionEvent| Some(e.label()),
    );
    define_all(
        out,
        "ConnectionOverlay, lowest first: a higher overlay covers a lower one.",
        names.overlay,
        |_| None,
    );
}

/// The `#define`s of the event and status facts the semantics and the monitors read:
/// `IS_CHECK(e)`, `HAS_OUTCOME(e)`, `FORBIDS_CHECK(s)`.
fn connection_facts(names: Names, out: &mut String) {
    let checks = ConnectionEvent::ALL
        .iter()
        .copied()
        .filter(|e| e.origin() == EventOrigin::Check);
    let outcomes = ConnectionEvent::ALL
        .iter()
        .copied()
        .filter(|e| e.check_outcome().is_some());
    let forbidding = ConnectionStatus::ALL.iter().copied().filter(|s| {
        matches!(
            s.category(),
            ConnectionCategory::CredentialError | ConnectionCategory::System
        )
    });
    let _ = write!(
        out,
        "\n/* Events caused by a check (EventOrigin::Check): they end a fresh cycle. */\n\
         #define IS_CHECK(e) {}\n\
         \n/* Events with a check outcome: the monitor's \"a check ran\". */\n\
         #define HAS_OUTCOME(e) {}\n\
         \n/* Statuses under which the spec forbids a check: collection is halted (credential\n \
         * errors) or stopped (the system statuses). */\n\
         #define FORBIDS_CHECK(s) {}\n",
        any_of("e", checks, names.event),
        any_of("e", outcomes, names.event),
        any_of("s", forbidding, names.status),
    );
}

/// The connection's visible status as a Promela expression: the highest overlay raised
/// (`RAISED(o)`), else `operational`.
fn connection_visible(names: Names) -> String {
    let mut visible = names.var("operational");
    for &overlay in ConnectionOverlay::ALL {
        visible = format!(
            "(RAISED({}{}) -> {} : {visible})",
            names.arg(),
            (names.overlay)(overlay),
            (names.status)(overlay.status())
        );
    }
    visible
}

/// The inlines that carry out a connection rule's target ([`target_code`] calls them): the
/// semantics of the operational status, the overlays with history and the fresh cycle.
fn connection_inlines(names: Names) -> String {
    let c = names.arg();
    let operational = names.var("operational");
    let overlays = names.var("overlays");
    let cycle_pending = names.var("cycle_pending");
    format!(
        "\n/* Target::Status(s): the lifecycle moves; a check ends the fresh cycle. */\n\
         inline enter_status({c}e, s) {{\n  \
           {operational} = s;\n  \
           if\n  \
           :: IS_CHECK(e) -> {cycle_pending} = 0\n  \
           :: else -> skip\n  \
           fi\n\
         }}\n\
         \n/* Target::Overlay(Raise(o)): the overlay covers what is below; it stays underneath. */\n\
         inline raise_overlay({c}o) {{\n  \
           {overlays} = {overlays} | (1 << (o))\n\
         }}\n\
         \n/* Target::Overlay(Lift(o)): what the overlay covered shows again (history), and\n \
         * collection resumes with a fresh cycle. */\n\
         inline lift_overlay({c}o) {{\n  \
           {overlays} = {overlays} & ~(1 << (o));\n  \
           {cycle_pending} = 1\n\
         }}\n"
    )
}

/// `(x == A || x == B ...)` over `values`; `0` when empty.
fn any_of<T>(x: &str, values: impl IntoIterator<Item = T>, name: impl Fn(T) -> String) -> String {
    let terms: Vec<String> = values
        .into_iter()
        .map(|v| format!("({x}) == {}", name(v)))
        .collect();
    if terms.is_empty() {
        "0".to_owned()
    } else {
        format!("({})", terms.join(" || "))
    }
}

/// What carries out a rule's target for `event`: a call of one of the
/// [inlines](connection_inlines).
fn target_code(
    names: Names,
    event: ConnectionEvent,
    target: Target<ConnectionStatus, ConnectionOverlay>,
) -> String {
    let c = names.arg();
    match target {
        Target::Status(to) => format!(
            "enter_status({c}{}, {})",
            (names.event)(event),
            (names.status)(to)
        ),
        Target::Overlay(OverlayChange::Raise(o)) => {
            format!("raise_overlay({c}{})", (names.overlay)(o))
        }
        Target::Overlay(OverlayChange::Lift(o)) => {
            format!("lift_overlay({c}{})", (names.overlay)(o))
        }
    }
}

/// The Promela model of one connection under `rules`, with the notice `notice` (a line of
/// text) in a comment at its head.
///
/// ```
/// use nectar_lifecycle_core::Rules;
/// let model = xtask::promela::connection_model(Rules::Documented, "Generated.");
/// assert!(model.starts_with("/* Generated. */\n"));
/// assert!(model.contains("active proctype connection()"));
/// ```
#[must_use]
pub fn connection_model(rules: Rules, notice: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "/* {notice} */\n\n\
         /*\n \
         * One connection under `Rules::{rules:?}`, for SPIN: the Promela twin of the stateright\n \
         * model `ConnectionModel::new(Rules::{rules:?})` (models/src/connection.rs).\n \
         *\n \
         * Each allowed cell (visible status, event) of the transition table is one guarded\n \
         * command of the loop below; the inlines carry a rule out. The state is the\n \
         * stateright model's: the operational status, the overlays, the fresh-cycle flag,\n \
         * the ghost `held` and two sticky ghost violation flags. Each step is atomic, so\n \
         * \"states, stored\" counts valuations of those variables.\n \
         *\n \
         * Check it (xtask/tests/spin.rs does, and compares with stateright):\n \
         *   spin -o3 -a connection-{rules}.pml\n \
         *   gcc -O0 -DSAFETY -DNOREDUCE -o pan pan.c\n \
         *   ./pan -m100000 -w16\n \
         * pan's \"unreached in proctype connection\" report lists each `step_edge = K`\n \
         * statement whose edge no step took (-o3: no statement merging, which would hide\n \
         * them), and every cell's `assert(0)`. `cycle_pending` is read by an assertion,\n \
         * so SPIN keeps it in the state vector without -o2.\n \
         */\n"
    );

    connection_definitions(NAMES, &mut out);
    connection_facts(NAMES, &mut out);
    let visible = connection_visible(NAMES);

    let _ = write!(
        out,
        "\n/* The state: the stateright model's ConnectionState, field for field. */\n\
         byte operational = {pending};\n\
         byte overlays = 0; /* bit o: overlay o is raised */\n\
         bit cycle_pending = 1;\n\
         byte held = NO_STATUS; /* ghost: the operational status held at the last deactivation */\n\
         bit restore_violated = 0; /* ghost, sticky */\n\
         bit check_violated = 0; /* ghost, sticky */\n\
         \n/* Scratch of one step, outside the state vector. */\n\
         hidden byte step_shown;\n\
         hidden byte step_before;\n\
         hidden short step_edge;\n\
         \n#define RAISED(o) ((overlays >> (o)) & 1)\n\
         \n/* The visible status: the highest overlay raised, else the operational status. */\n\
         #define VISIBLE {visible}\n\
         \n/* The visible status as the spec derives it from the API's flags: the company over\n \
         * isActive over the operational status. */\n\
         #define IS_ACTIVE (RAISED({deactivated}) == 0)\n\
         #define COMPANY_ACTIVE (RAISED({company}) == 0)\n\
         #define DERIVED (!COMPANY_ACTIVE -> {company_status} : (!IS_ACTIVE -> {deactivated_status} : operational))\n\
         \n/* A step begins: what the monitors compare with. */\n\
         inline begin_step() {{\n  \
           step_shown = DERIVED;\n  \
           step_before = operational\n\
         }}\n\
         {inlines}\
         \n/* A step ends: the ghost monitors, then the invariants. */\n\
         inline end_step(e) {{\n  \
           if\n  \
           :: HAS_OUTCOME(e) && FORBIDS_CHECK(step_shown) -> check_violated = 1\n  \
           :: else -> skip\n  \
           fi;\n  \
           if\n  \
           :: (e) == Deactivate -> held = step_before\n  \
           :: (e) == Activate ->\n       \
                if\n       \
                :: held != operational -> restore_violated = 1\n       \
                :: else -> skip\n       \
                fi;\n       \
                held = NO_STATUS\n  \
           :: else -> skip\n  \
           fi;\n  \
           assert(VISIBLE == DERIVED); /* visible status is derived from the flags */\n  \
           assert(!restore_violated); /* activation restores the status held before deactivation */\n  \
           assert(!check_violated); /* no check runs while halted or stopped */\n  \
           assert(operational != {pending} || cycle_pending) /* a PENDING connection awaits its first check (the core's InvalidState::PendingWithoutFreshCycle) */\n\
         }}\n",
        inlines = connection_inlines(NAMES),
        pending = status_name(ConnectionStatus::Pending),
        deactivated = overlay_name(ConnectionOverlay::Deactivated),
        company = overlay_name(ConnectionOverlay::CompanyInactive),
        company_status = status_name(ConnectionStatus::CompanyInactive),
        deactivated_status = status_name(ConnectionStatus::Deactivated),
    );

    let edges = connection_edges(rules);
    out.push_str(
        "\n/* One guarded command per allowed cell of the table: from the visible status, the\n \
         * event and its target; then the edge taken is recorded (`step_edge = K`, K its\n \
         * index in the table's edges), and a step that is no edge of the table fails. */\n\
         active proctype connection() {\n  \
         do\n",
    );
    for &from in ConnectionStatus::ALL {
        for &event in ConnectionEvent::ALL {
            let Some(rule) = connection_rule(rules, from, event) else {
                continue;
            };
            let _ = write!(
                out,
                "  :: atomic {{ /* {from} x {label} ({provenance}) */\n       \
                   VISIBLE == {from_name} -> begin_step(); {target}; end_step({event_name});\n       \
                   if\n",
                label = event.label(),
                provenance = rule.provenance,
                from_name = status_name(from),
                event_name = event_name(event),
                target = target_code(NAMES, event, rule.target),
            );
            for (index, edge) in edges.iter().enumerate() {
                if edge.from == from && edge.event == event {
                    let _ = writeln!(
                        out,
                        "       :: VISIBLE == {} -> {}",
                        status_name(edge.to),
                        edge_statement(index)
                    );
                }
            }
            out.push_str("       :: else -> assert(false) /* not an edge of the table */\n       fi\n     }\n");
        }
    }
    out.push_str("  od\n}\n");
    out
}

/// What pan printed after an exhaustive run, read from its standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanReport {
    /// `errors: N`: assertion violations and invalid end states found.
    pub errors: usize,
    /// `N states, stored`.
    pub states_stored: usize,
    /// `N transitions (= stored+matched)`: the initial state and one per step taken.
    pub transitions: usize,
    /// The indices `K` of the `step_edge = K` statements reported unreached.
    pub unreached_edges: BTreeSet<usize>,
    /// How many `assert(false)` statements were reported unreached: one per allowed cell
    /// (its "not an edge of the table" branch) when the report is complete.
    pub unreached_failures: usize,
    /// Every statement `NAME = K` (`K` a number) reported unreached, as `(NAME, K)`: the
    /// records of the system model ([`system`]).
    pub unreached_records: BTreeSet<(String, usize)>,
}

impl PanReport {
    /// Reads pan's output.
    ///
    /// ```
    /// let out = "State-vector 20 byte, depth reached 9, errors: 0\n       \
    ///            68 states, stored\n      \
    ///            140 transitions (= stored+matched)\n\
    ///            unreached in proctype connection\n\
    ///            \tconnection-documented.pml:301, state 12, \"step_edge = 7\"\n\
    ///            \tconnection-documented.pml:302, state 14, \"assert(0)\"\n";
    /// let report = xtask::promela::PanReport::parse(out).unwrap();
    /// assert_eq!((report.errors, report.states_stored, report.transitions), (0, 68, 140));
    /// assert_eq!(report.unreached_edges.into_iter().collect::<Vec<_>>(), vec![7]);
    /// assert_eq!(report.unreached_failures, 1);
    /// ```
    ///
    /// # Errors
    /// The output lacks the error count, the stored state count or the transition count (pan
    /// did not finish).
    pub fn parse(output: &str) -> Result<Self, String> {
        let mut errors = None;
        let mut states_stored = None;
        let mut transitions = None;
        let mut unreached_edges = BTreeSet::new();
        let mut unreached_failures = 0;
        let mut unreached_records = BTreeSet::new();
        for line in output.lines() {
            if let Some(record) = record(line) {
                unreached_records.insert(record);
            }
            if line.trim_end().ends_with("\"assert(0)\"") {
                unreached_failures += 1;
            }
            if let Some((_, n)) = line.split_once("errors: ") {
                errors = n.trim().parse().ok();
            } else if let Some(n) = line.trim().strip_suffix("states, stored") {
                states_stored = n.trim().parse().ok();
            } else if let Some((n, _)) = line.trim().split_once(" transitions (= stored+matched)") {
                transitions = n.trim().parse().ok();
            } else if let Some(k) = line
                .trim_end()
                .strip_suffix('"')
                .and_then(|l| l.rsplit_once("\"step_edge = "))
                .and_then(|(_, k)| k.parse().ok())
            {
                unreached_edges.insert(k);
            }
        }
        Ok(Self {
            errors: errors.ok_or("pan printed no error count")?,
            states_stored: states_stored.ok_or("pan printed no stored state count")?,
            transitions: transitions.ok_or("pan printed no transition count")?,
            unreached_edges,
            unreached_failures,
            unreached_records,
        })
    }

    /// The values `K` of the statements `variable = K` reported unreached.
    ///
    /// ```
    /// let out = "State-vector 28 byte, depth reached 9, errors: 0\n  6000 states, stored\n\
    ///            27537 transitions (= stored+matched)\n\
    ///            \tsystem-1x1.pml:1149, state 10, \"account_shown = 3\"\n";
    /// let report = xtask::promela::PanReport::parse(out).unwrap();
    /// assert_eq!(report.unreached_values("account_shown").into_iter().collect::<Vec<_>>(), vec![3]);
    /// assert!(report.unreached_values("connection_shown").is_empty());
    /// ```
    #[must_use]
    pub fn unreached_values(&self, variable: &str) -> BTreeSet<usize> {
        self.unreached_records
            .iter()
            .filter(|(name, _)| name == variable)
            .map(|&(_, k)| k)
            .collect()
    }

    /// The table's edges the run took: every edge of `edges` whose statement was reached.
    #[must_use]
    pub fn taken(&self, edges: &[Edge]) -> Vec<Edge> {
        edges
            .iter()
            .enumerate()
            .filter(|(k, _)| !self.unreached_edges.contains(k))
            .map(|(_, &e)| e)
            .collect()
    }
}

/// The statement `NAME = K` that an unreached line of pan's report names, if it is one.
fn record(line: &str) -> Option<(String, usize)> {
    let (_, statement) = line.trim_end().strip_suffix('"')?.rsplit_once('"')?;
    let (name, value) = statement.split_once(" = ")?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some((name.to_owned(), value.trim().parse().ok()?))
}

/// The visible statuses a run reached: the initial `PENDING` and the target of every edge
/// taken.
///
/// ```
/// use nectar_lifecycle_core::{Connection, ConnectionStatus as S, Rules};
/// let edges = Connection::edges(Rules::Documented);
/// let reached = xtask::promela::reached_statuses(&edges[..0]);
/// assert_eq!(reached.into_iter().collect::<Vec<_>>(), vec![S::Pending]);
/// ```
#[must_use]
pub fn reached_statuses(taken: &[Edge]) -> BTreeSet<ConnectionStatus> {
    std::iter::once(Connection::new(Rules::Documented).status())
        .chain(taken.iter().map(|e| e.to))
        .collect()
}
