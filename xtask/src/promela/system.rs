//! The Promela model of the system model for SPIN: a company, its connections (operational
//! rules) and their accounts, the weekly scheduler, as `SystemModel` in
//! `models/src/system.rs` with no symmetry reduction (SPIN has none).
//!
//! What comes from the core, as generated data: the two tables (each allowed cell is one
//! branch of an inline per event), which events a check, the user, Nectar's team or the
//! integrator cause, what each account event does to the tracking status and the own
//! status, the credential errors, the tracked tracking statuses, and the scheduler's policy:
//! which connection states are due this week ([`next_check_due`], the week abstracted as
//! "last check now" or "last check a week ago"), which connection states and account
//! statuses are collected ([`Scheduled::collection`]). What is written in Promela, once: the
//! overlays with history, the fresh-cycle flag, how an account follows its parent, the
//! scheduler's steps (a week passes, a check, a pull after a check that ended `CONNECTED`),
//! the company's step (every connection takes the company's event, or none does), the
//! monitors and the invariants.
//!
//! The state is the stateright `SystemState`, field for field: the company's status, and for
//! each connection (arrays indexed by connection) the operational status, the overlays, the
//! fresh-cycle flag, the week's `checked` and `logged_in`, the ghost `held`, and for each
//! account (arrays indexed by `c * accounts + i`) its own status, tracking and overlays; and
//! the five sticky violation flags. Each step is one `atomic` sequence of the only process
//! (the choice of action, the action, the accounts following their parent, the bookkeeping,
//! the invariants), so SPIN's "states, stored" counts valuations of those variables, and
//! every scratch variable is `hidden`.
//!
//! Coverage and reachability are read from pan's report of unreached statements, as for
//! the connection models: the edges a step took are noted and recorded at its end by
//! statements `connection_edge = K` and `account_edge = K` (`K` the edge's index in
//! [`Connection::edges`] under the operational rules and in [`Account::edges`]), each
//! written once in the model; the visible statuses after each step by `connection_shown = K`
//! and `account_shown = K` (`K` the status's index). A step that takes no edge of the table
//! fails an assertion.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use nectar_lifecycle_core::policy::{Scheduled, next_check_due};
use nectar_lifecycle_core::{
    Account, AccountEvent, AccountOverlay, AccountStatus, Connection, ConnectionEvent,
    ConnectionOverlay, ConnectionStatus, Enumerated, EventOrigin, OverlayChange, Rules, Target,
    TrackingStatus, account_rule, connection_rule,
};

use super::{
    Names, any_of, connection_definitions, connection_facts, connection_inlines,
    connection_visible, define_all, target_code,
};

/// The rule set of the system model's connections.
const RULES: Rules = Rules::Operational;

/// The configurations (connections, accounts per connection) whose models
/// `cargo xtask generate` writes to `docs/promela/`.
pub const GENERATED: [(usize, usize); 3] = [(1, 1), (1, 2), (2, 0)];

/// Where the Promela model of `connections` connections x `accounts` accounts is written,
/// from the workspace root.
///
/// ```
/// assert_eq!(xtask::promela::system::path(1, 2), "docs/promela/system-1x2.pml");
/// ```
#[must_use]
pub fn path(connections: usize, accounts: usize) -> String {
    format!("docs/promela/system-{connections}x{accounts}.pml")
}

/// The size of a system: `connections` connections, each with `accounts` accounts.
/// Account `i` of connection `c` is account `c * accounts + i` of the model's arrays.
#[derive(Clone, Copy)]
struct Shape {
    connections: usize,
    accounts: usize,
}

impl Shape {
    /// Every account in the company.
    const fn all_accounts(self) -> usize {
        self.connections * self.accounts
    }

    /// The size of an array of accounts: Promela has no empty arrays.
    fn account_array(self) -> usize {
        self.all_accounts().max(1)
    }

    /// The accounts of connection `c`, by their index in the arrays.
    fn accounts_of(self, c: usize) -> std::ops::Range<usize> {
        c * self.accounts..(c + 1) * self.accounts
    }
}

fn c_status(s: ConnectionStatus) -> String {
    format!("C_{}", s.as_str())
}

fn a_status(s: AccountStatus) -> String {
    format!("A_{}", s.as_str())
}

fn tracking(t: TrackingStatus) -> String {
    format!("T_{}", t.as_str())
}

fn c_event(e: ConnectionEvent) -> String {
    format!("CE_{e:?}")
}

fn a_event(e: AccountEvent) -> String {
    format!("AE_{e:?}")
}

fn c_overlay(o: ConnectionOverlay) -> String {
    format!("CO_{o}")
}

fn a_overlay(o: AccountOverlay) -> String {
    format!("AO_{o}")
}

/// The system model's names of the connection's values: prefixed, since the account's
/// statuses share some of them.
const NAMES: Names = Names {
    status: c_status,
    event: c_event,
    overlay: c_overlay,
    index: Some("c"),
};

/// The connection event that raises `overlay`.
fn raising_connection(overlay: ConnectionOverlay) -> Option<ConnectionEvent> {
    ConnectionEvent::ALL
        .iter()
        .copied()
        .find(|e| e.overlay_change() == Some(OverlayChange::Raise(overlay)))
}

/// The account event that raises `overlay`.
fn raising_account(overlay: AccountOverlay) -> Option<AccountEvent> {
    AccountEvent::ALL
        .iter()
        .copied()
        .find(|e| e.overlay_change() == Some(OverlayChange::Raise(overlay)))
}

/// Whether the scheduler checks `connection` this week, by the core's [`next_check_due`]:
/// the week is abstracted as "now", with the last check now (`checked` this week) or exactly
/// a week ago.
fn due_this_week(connection: &Connection, checked: bool) -> bool {
    // The timestamps' type is the policy's (`jiff::Timestamp`), inferred from the call.
    let (Ok(week_ago), Ok(now)) = (
        "2026-11-19T09:00:00Z".parse(),
        "2026-11-26T09:00:00Z".parse(),
    ) else {
        return false;
    };
    let last = if checked { now } else { week_ago };
    next_check_due(connection, Some(last), now).is_now()
}

/// A predicate over connection `c`'s variables (and `checked`), true exactly for the
/// connection states (under the operational rules) and values of `checked` where `holds`
/// does. Grouped by overlays, fresh-cycle flag and `checked`; `0` when it never holds.
fn connection_predicate(holds: impl Fn(&Connection, bool) -> bool) -> String {
    let mut groups: BTreeMap<(u64, bool, bool), Vec<ConnectionStatus>> = BTreeMap::new();
    for connection in Connection::all_states(RULES) {
        for checked in [false, true] {
            if holds(&connection, checked) {
                groups
                    .entry((
                        connection.overlays().bits(),
                        connection.is_cycle_pending(),
                        checked,
                    ))
                    .or_default()
                    .push(connection.operational_status());
            }
        }
    }
    let terms: Vec<String> = groups
        .into_iter()
        .map(|((overlays, pending, checked), statuses)| {
            format!(
                "(overlays[c] == {overlays} && cycle_pending[c] == {} && checked[c] == {} && {})",
                u8::from(pending),
                u8::from(checked),
                any_of("operational[c]", statuses, c_status)
            )
        })
        .collect();
    if terms.is_empty() {
        "0".to_owned()
    } else {
        format!("({})", terms.join(" \\\n  || "))
    }
}

/// What carries out an account rule's target on account `i`: only an overlay change; the
/// own status and the tracking follow the event ([`account_event_effect`]).
fn account_target(target: Target<AccountStatus, AccountOverlay>) -> String {
    match target {
        Target::Status(_) => "skip".to_owned(),
        Target::Overlay(OverlayChange::Raise(o)) => {
            format!(
                "account_overlays[i] = account_overlays[i] | (1 << {})",
                a_overlay(o)
            )
        }
        Target::Overlay(OverlayChange::Lift(o)) => {
            format!(
                "account_overlays[i] = account_overlays[i] & ~(1 << {})",
                a_overlay(o)
            )
        }
    }
}

/// What an account event does besides its rule's overlay: the tracking overlay and the
/// tracking status move together (confirming onboards a detected account), and a pull
/// outcome sets the own status.
fn account_event_effect(event: AccountEvent) -> String {
    let mut out = String::new();
    match event.overlay_change() {
        Some(OverlayChange::Raise(AccountOverlay::CustomerNotTracked)) => {
            let _ = write!(
                out,
                "tracking[i] = {};\n  ",
                tracking(TrackingStatus::Disabled)
            );
        }
        Some(OverlayChange::Lift(AccountOverlay::CustomerNotTracked)) => {
            let _ = write!(
                out,
                "tracking[i] = {};\n  \
                 if\n  :: account_own[i] == {} -> account_own[i] = {}\n  :: else -> skip\n  fi;\n  ",
                tracking(TrackingStatus::Enabled),
                a_status(AccountStatus::Detected),
                a_status(AccountStatus::Onboarded),
            );
        }
        Some(_) | None => {}
    }
    if let Some(outcome) = event.outcome() {
        let _ = write!(out, "account_own[i] = {};\n  ", a_status(outcome));
    }
    out
}

/// The `#define`s of the enumerations.
fn definitions(out: &mut String) {
    connection_definitions(NAMES, out);
    define_all(
        out,
        "AccountStatus, in declaration order.",
        a_status,
        |_| None,
    );
    define_all(
        out,
        "TrackingStatus, in declaration order.",
        tracking,
        |_| None,
    );
    define_all(
        out,
        "AccountEvent, in declaration order, with its label.",
        a_event,
        |e: AccountEvent| Some(e.label()),
    );
    define_all(
        out,
        "AccountOverlay, lowest first: a higher overlay covers a lower one.",
        a_overlay,
        |_| None,
    );
}

/// The predicates and views read off the core.
fn policy(out: &mut String) {
    connection_facts(NAMES, out);
    let credential = ConnectionStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_credential_error());
    let tracked = TrackingStatus::ALL
        .iter()
        .copied()
        .filter(|t| t.is_tracked());
    let collected_accounts = AccountStatus::ALL
        .iter()
        .copied()
        .filter(|&s| Account::showing(s).collection().is_collected());
    let _ = write!(
        out,
        "\n/* The credential errors (ConnectionStatus::is_credential_error). */\n\
         #define CREDENTIAL_ERROR(s) {}\n\
         \n/* Tracking statuses under which an account is collected (TrackingStatus::is_tracked). */\n\
         #define TRACKED(t) {}\n\
         \n/* The scheduler's policy, from the core: the connection states whose check is due\n \
         * this week (next_check_due, with the last check now when `checked`, else a week\n \
         * ago)... */\n\
         #define CONNECTION_DUE(c) \\\n  {}\n\
         \n/* ... the connection states that are collected (Scheduled::collection)... */\n\
         #define CONNECTION_COLLECTED(c) \\\n  {}\n\
         \n/* ... and the visible account statuses that are collected. */\n\
         #define ACCOUNT_COLLECTED(s) {}\n",
        any_of("s", credential, c_status),
        any_of("t", tracked, tracking),
        connection_predicate(due_this_week),
        connection_predicate(|c, _| c.collection().is_collected()),
        any_of("s", collected_accounts, a_status),
    );
}

/// The global state, the scratch variables and the views of the state.
fn state(out: &mut String, shape: Shape) {
    let visible = connection_visible(NAMES);
    let mut account_visible = "account_own[i]".to_owned();
    for &overlay in AccountOverlay::ALL {
        account_visible = format!(
            "(ACCOUNT_RAISED(i, {}) -> {} : {account_visible})",
            a_overlay(overlay),
            a_status(overlay.status())
        );
    }
    let c = shape.connections;
    let n = shape.account_array();
    let queue = 1 + 3 * shape.all_accounts();
    let _ = write!(
        out,
        "\n/* The state: the stateright model's SystemState, field for field; connection c's\n \
         * variables at [c], its account i at [c * {k} + i]. */\n\
         bit company_inactive = 0; /* SystemState::company */\n\
         byte operational[{c}] = {pending};\n\
         byte overlays[{c}] = 0; /* bit o: connection overlay o is raised */\n\
         bit cycle_pending[{c}] = 1;\n\
         bit checked[{c}] = 0; /* checked this week */\n\
         bit logged_in[{c}] = 0; /* the last check this week ended CONNECTED */\n\
         byte held[{c}] = NO_STATUS; /* ghost: the operational status held at the last deactivation */\n\
         byte account_own[{n}] = {detected};\n\
         byte tracking[{n}] = {unset};\n\
         byte account_overlays[{n}] = 0; /* bit o: account overlay o is raised */\n\
         /* Ghost, sticky: what the monitors saw. */\n\
         bit pulled_terminal = 0;\n\
         bit pulled_untracked = 0;\n\
         bit checked_halted = 0;\n\
         bit checked_stopped = 0;\n\
         bit restore_violated = 0;\n\
         \n/* Scratch of one step, outside the state vector. */\n\
         hidden byte step_shown[{c}]; /* each connection's derived status before the step */\n\
         hidden byte step_visible[{c}]; /* its visible status before the step */\n\
         hidden byte step_before[{c}]; /* its operational status before the step */\n\
         hidden byte step_account[{n}]; /* each account's visible status before the step */\n\
         hidden byte c_moved[{c}]; /* the connection took an edge: */\n\
         hidden byte c_from[{c}];\n\
         hidden byte c_event[{c}];\n\
         hidden byte c_to[{c}];\n\
         hidden byte a_from;\n\
         hidden byte q_from[{queue}]; /* the account edges taken, queued */\n\
         hidden byte q_event[{queue}];\n\
         hidden byte q_to[{queue}];\n\
         hidden byte q_n;\n\
         hidden byte scan;\n\
         hidden byte scan_status;\n\
         hidden short connection_edge;\n\
         hidden short account_edge;\n\
         hidden byte connection_shown;\n\
         hidden byte account_shown;\n\
         \n#define RAISED(c, o) ((overlays[c] >> (o)) & 1)\n\
         #define ACCOUNT_RAISED(i, o) ((account_overlays[i] >> (o)) & 1)\n\
         \n/* The visible statuses: the highest overlay raised, else the status below. */\n\
         #define VISIBLE(c) {visible}\n\
         #define ACCOUNT_VISIBLE(i) {account_visible}\n\
         \n/* The visible statuses as the spec derives them from the API's flags: for a\n \
         * connection the company over isActive over the operational status; for account i\n \
         * of connection c the company, then tracking, then the parent's credential error,\n \
         * then its own. */\n\
         #define DERIVED(c) (RAISED(c, {company}) -> {company_status} : (RAISED(c, {deactivated}) -> {deactivated_status} : operational[c]))\n\
         #define ACCOUNT_DERIVED(c, i) (company_inactive -> {a_company} : (tracking[i] == {disabled} -> {a_untracked} : \
         (CREDENTIAL_ERROR(operational[c]) -> {a_blocked} : account_own[i])))\n\
         \n/* A pull of account i of connection c the spec forbids, before the step: a terminal\n \
         * or untracked account, or a stopped parent. */\n\
         #define PULL_FORBIDDEN(c, i) (step_account[i] == {old} || step_account[i] == {duplicate} \
         || step_account[i] == {a_untracked} || FORBIDS_CHECK(step_shown[c]) || step_account[i] == {a_company})\n\
         \n/* The scheduler pulls account i of connection c: after this week's check ended\n \
         * CONNECTED, while the connection and the account are collected (before the step). */\n\
         #define PULL_DUE(c, i) (logged_in[c] && CONNECTION_COLLECTED(c) && ACCOUNT_COLLECTED(step_account[i]))\n",
        k = shape.accounts,
        pending = c_status(ConnectionStatus::Pending),
        detected = a_status(AccountStatus::Detected),
        unset = tracking(TrackingStatus::Unset),
        company = c_overlay(ConnectionOverlay::CompanyInactive),
        deactivated = c_overlay(ConnectionOverlay::Deactivated),
        company_status = c_status(ConnectionStatus::CompanyInactive),
        deactivated_status = c_status(ConnectionStatus::Deactivated),
        a_company = a_status(AccountStatus::CompanyInactive),
        a_untracked = a_status(AccountStatus::CustomerNotTracked),
        a_blocked = a_status(AccountStatus::WorkflowNotAccessible),
        disabled = tracking(TrackingStatus::Disabled),
        old = a_status(AccountStatus::OldAccount),
        duplicate = a_status(AccountStatus::Duplicate),
    );
}

/// The semantics: the connection's moves, one inline per event from the table's cells, and
/// the account's, one inline per event.
fn machines(out: &mut String) {
    out.push_str(&connection_inlines(NAMES));
    out.push_str(
        "\n/* One inline per connection event: its allowed cells (CONNECTION_ALLOWS_e guards\n \
         * the call), then the edge taken is noted for the end of the step. */\n",
    );
    for &event in ConnectionEvent::ALL {
        let name = format!("{event:?}");
        EventInline {
            allows: format!("CONNECTION_ALLOWS_{name}"),
            signature: format!("connection_{name}(c)"),
            from: "c_from[c]",
            visible: "VISIBLE(c)",
            cells: ConnectionStatus::ALL
                .iter()
                .filter_map(|&from| {
                    connection_rule(RULES, from, event)
                        .map(|r| (c_status(from), target_code(NAMES, event, r.target)))
                })
                .collect(),
            tail: format!(
                "c_event[c] = {};\n  c_to[c] = VISIBLE(c);\n  c_moved[c] = 1\n",
                c_event(event)
            ),
        }
        .write(out);
    }
    out.push_str(
        "\n/* One inline per account event, on account i: the rule's overlay change from its\n \
         * allowed cells (ACCOUNT_ALLOWS_e guards the call), what the event does to the\n \
         * tracking and the own status, then the edge taken is queued. */\n",
    );
    for &event in AccountEvent::ALL {
        let name = format!("{event:?}");
        EventInline {
            allows: format!("ACCOUNT_ALLOWS_{name}"),
            signature: format!("account_{name}(i)"),
            from: "a_from",
            visible: "ACCOUNT_VISIBLE(i)",
            cells: AccountStatus::ALL
                .iter()
                .filter_map(|&from| {
                    account_rule(from, event).map(|r| (a_status(from), account_target(r.target)))
                })
                .collect(),
            tail: format!(
                "{}q_from[q_n] = a_from;\n  \
                 q_event[q_n] = {};\n  \
                 q_to[q_n] = ACCOUNT_VISIBLE(i);\n  \
                 q_n++\n",
                account_event_effect(event),
                a_event(event)
            ),
        }
        .write(out);
    }
}

/// One event's inline and the macro that guards its calls.
struct EventInline<'a> {
    /// The macro's name: `NAME(s)` holds for the statuses with an allowed cell.
    allows: String,
    /// The inline's name and parameters.
    signature: String,
    /// The scratch variable that keeps the visible status before the event.
    from: &'a str,
    /// The visible status, as an expression.
    visible: &'a str,
    /// Each allowed cell: the status's name and the code that carries out its rule.
    cells: Vec<(String, String)>,
    /// What follows the rule: the event's own effects and the edge's record.
    tail: String,
}

impl EventInline<'_> {
    /// Writes the macro and the inline.
    fn write(&self, out: &mut String) {
        let Self {
            allows,
            signature,
            from,
            visible,
            cells,
            tail,
        } = self;
        let _ = write!(
            out,
            "#define {allows}(s) {}\n\
             inline {signature} {{\n  \
               {from} = {visible};\n  \
               if\n",
            any_of("s", cells.iter().map(|(s, _)| s.clone()), |s| s),
        );
        for (status, code) in cells {
            let _ = writeln!(out, "  :: {from} == {status} -> {code}");
        }
        let _ = write!(out, "  fi;\n  {tail}}}\n");
    }
}

/// A lookup of the edge `(from, event, to)` in the variables `vars` among `edges` (sorted by
/// their origin), recording edge `K` with the statement `record = K`, at `indent`: by the
/// status left, then by the event and the status entered. No match fails an assertion.
fn edge_lookup(edges: &[[String; 3]], vars: [&str; 3], record: &str, indent: &str) -> String {
    let [from, event, to] = vars;
    let mut out = format!("{indent}if\n");
    let mut open: Option<&str> = None;
    for (k, [edge_from, edge_event, edge_to]) in edges.iter().enumerate() {
        if open != Some(edge_from.as_str()) {
            if open.is_some() {
                let _ = write!(out, "{indent}   :: else -> assert(false)\n{indent}   fi\n");
            }
            let _ = write!(out, "{indent}:: {from} == {edge_from} ->\n{indent}   if\n");
            open = Some(edge_from);
        }
        let _ = writeln!(
            out,
            "{indent}   :: {event} == {edge_event} && {to} == {edge_to} -> {record} = {k}"
        );
    }
    if open.is_some() {
        let _ = write!(out, "{indent}   :: else -> assert(false)\n{indent}   fi\n");
    }
    let _ = write!(
        out,
        "{indent}:: else -> assert(false) /* not an edge of the table */\n{indent}fi;\n"
    );
    out
}

/// `Account::follow_parent` and the end of a step: the edges and statuses recorded, the
/// invariants asserted.
fn follow_and_end(out: &mut String, shape: Shape) {
    let name = |e: Option<AccountEvent>| e.map_or_else(|| "None".to_owned(), |e| format!("{e:?}"));
    let reactivated = format!(
        "{:?}",
        AccountEvent::lifting(AccountOverlay::CompanyInactive)
    );
    let deactivated = name(raising_account(AccountOverlay::CompanyInactive));
    let recovered = format!(
        "{:?}",
        AccountEvent::lifting(AccountOverlay::WorkflowNotAccessible)
    );
    let blocked = name(raising_account(AccountOverlay::WorkflowNotAccessible));
    let company = c_overlay(ConnectionOverlay::CompanyInactive);
    let ci = a_overlay(AccountOverlay::CompanyInactive);
    let wna = a_overlay(AccountOverlay::WorkflowNotAccessible);
    let _ = write!(
        out,
        "\n/* Account i follows its parent c (Account::follow_parent): lift the company overlay\n \
         * first, so that the parent's state shows beneath it; then the parent's credential\n \
         * error; raise the company overlay last. A change the table does not allow from the\n \
         * visible status (a higher overlay covers it) is not made. */\n\
         inline follow_parent(c, i) {{\n  \
           if\n  \
           :: !RAISED(c, {company}) && ACCOUNT_RAISED(i, {ci}) && ACCOUNT_ALLOWS_{reactivated}(ACCOUNT_VISIBLE(i)) -> account_{reactivated}(i)\n  \
           :: else -> skip\n  \
           fi;\n  \
           if\n  \
           :: CREDENTIAL_ERROR(operational[c]) && !ACCOUNT_RAISED(i, {wna}) && ACCOUNT_ALLOWS_{blocked}(ACCOUNT_VISIBLE(i)) -> account_{blocked}(i)\n  \
           :: !CREDENTIAL_ERROR(operational[c]) && ACCOUNT_RAISED(i, {wna}) && ACCOUNT_ALLOWS_{recovered}(ACCOUNT_VISIBLE(i)) -> account_{recovered}(i)\n  \
           :: else -> skip\n  \
           fi;\n  \
           if\n  \
           :: RAISED(c, {company}) && !ACCOUNT_RAISED(i, {ci}) && ACCOUNT_ALLOWS_{deactivated}(ACCOUNT_VISIBLE(i)) -> account_{deactivated}(i)\n  \
           :: else -> skip\n  \
           fi\n\
         }}\n",
    );

    // The edge records: one statement per edge of the tables.
    let connection_edges: Vec<[String; 3]> = Connection::edges(RULES)
        .iter()
        .map(|e| [c_status(e.from), c_event(e.event), c_status(e.to)])
        .collect();
    let account_edges: Vec<[String; 3]> = Account::edges()
        .iter()
        .map(|e| [a_status(e.from), a_event(e.event), a_status(e.to)])
        .collect();
    let _ = write!(
        out,
        "\n/* The edges the step took, each recorded by a statement of its own\n \
         * (`connection_edge = K`, `account_edge = K`, K its index in the table's edges),\n \
         * looked up by the status it left, then by the event and the status entered; a step\n \
         * that took no edge of the table fails. */\n\
         inline record_edges() {{\n  \
           scan = 0;\n  \
           do\n  \
           :: scan < {connections} ->\n    \
           if\n    \
           :: !c_moved[scan] -> skip\n    \
           :: else ->\n{}    \
           fi;\n    \
           scan++\n  \
           :: else -> break\n  \
           od;\n  \
           scan = 0;\n  \
           do\n  \
           :: scan < q_n ->\n{}    \
           scan++\n  \
           :: else -> break\n  \
           od\n\
         }}\n",
        edge_lookup(
            &connection_edges,
            ["c_from[scan]", "c_event[scan]", "c_to[scan]"],
            "connection_edge",
            "      "
        ),
        edge_lookup(
            &account_edges,
            ["q_from[scan]", "q_event[scan]", "q_to[scan]"],
            "account_edge",
            "    "
        ),
        connections = shape.connections,
    );

    // The statuses shown after the step.
    let _ = write!(
        out,
        "\n/* The visible statuses after the step, each recorded by a statement of its own\n \
         * (`connection_shown = K`, `account_shown = K`, K the status's index). */\n\
         inline record_statuses() {{\n  \
           scan = 0;\n  \
           do\n  \
           :: scan < {} ->\n    \
           scan_status = VISIBLE(scan);\n    \
           if\n",
        shape.connections
    );
    for &s in ConnectionStatus::ALL {
        let _ = writeln!(
            out,
            "    :: scan_status == {} -> connection_shown = {}",
            c_status(s),
            s.index()
        );
    }
    let _ = write!(
        out,
        "    fi;\n    \
         scan++\n  \
         :: else -> break\n  \
         od;\n  \
         scan = 0;\n  \
         do\n  \
         :: scan < {} ->\n    \
           scan_status = ACCOUNT_VISIBLE(scan);\n    \
           if\n",
        shape.all_accounts()
    );
    for &s in AccountStatus::ALL {
        let _ = writeln!(
            out,
            "    :: scan_status == {} -> account_shown = {}",
            a_status(s),
            s.index()
        );
    }
    out.push_str(
        "    fi;\n    \
         scan++\n  \
         :: else -> break\n  \
         od\n\
         }\n",
    );

    // The invariants.
    out.push_str(
        "\n/* The invariants, after every step: the stateright model's seven (models/src/system.rs,\n \
         * PROPERTIES), one the core enforces by construction, and one of the scheduler's\n \
         * bookkeeping (which also keeps `logged_in` in the state vector when no pull reads\n \
         * it: SPIN leaves write-only variables out). */\n\
         inline invariants() {\n  \
           assert(!pulled_terminal); /* a terminal account is never re-checked */\n  \
           assert(!pulled_untracked); /* an untracked account is never checked */\n  \
           assert(!checked_halted); /* a credential error is not checked until the user acts */\n  \
           assert(!checked_stopped); /* no check while deactivated or the company is inactive */\n  \
           assert(!restore_violated) /* activation restores the status held before deactivation */\n",
    );
    for c in 0..shape.connections {
        let _ = write!(
            out,
            "  ;assert(VISIBLE({c}) == DERIVED({c}) && RAISED({c}, {company}) == company_inactive) /* visible statuses are derived from the flags */\n  \
             ;assert(operational[{c}] != {pending} || cycle_pending[{c}]) /* a PENDING connection awaits its first check */\n  \
             ;assert(!logged_in[{c}] || checked[{c}]) /* the scheduler's bookkeeping: logged in after this week's check only */\n",
            pending = c_status(ConnectionStatus::Pending),
        );
        for i in shape.accounts_of(c) {
            let _ = write!(
                out,
                "  ;assert(ACCOUNT_VISIBLE({i}) == ACCOUNT_DERIVED({c}, {i})) /* visible statuses are derived from the flags */\n  \
                 ;assert((ACCOUNT_VISIBLE({i}) == {blocked}) == (!company_inactive && TRACKED(tracking[{i}]) && CREDENTIAL_ERROR(operational[{c}]))) \
                 /* an account reads WORKFLOW_NOT_ACCESSIBLE exactly when its parent is in a credential error */\n",
                blocked = a_status(AccountStatus::WorkflowNotAccessible),
            );
        }
    }
    out.push_str("}\n");
}

/// The actions on connection `c` and its accounts, one branch each, as
/// `SystemModel::connection_actions` lists them.
fn connection_actions(out: &mut String, shape: Shape, c: usize) {
    for &event in ConnectionEvent::ALL {
        let name = format!("{event:?}");
        match event.origin() {
            EventOrigin::Check => {
                let _ = write!(
                    out,
                    "    :: /* Check({c}, {name}) the spec forbids: recorded, nothing applied */ \
                     CONNECTION_DUE({c}) && FORBIDS_CHECK(step_shown[{c}]) ->\n         \
                     if\n         \
                     :: CREDENTIAL_ERROR(step_shown[{c}]) -> checked_halted = 1\n         \
                     :: else -> checked_stopped = 1\n         \
                     fi;\n         \
                     checked[{c}] = 1\n    \
                     :: /* Check({c}, {name}) */ CONNECTION_DUE({c}) && !FORBIDS_CHECK(step_shown[{c}]) && \
                     CONNECTION_ALLOWS_{name}(step_visible[{c}]) ->\n         \
                     connection_{name}({c}); checked[{c}] = 1; logged_in[{c}] = (c_to[{c}] == {connected})\n",
                    connected = c_status(ConnectionStatus::Connected),
                );
            }
            EventOrigin::EndUser | EventOrigin::NectarTeam | EventOrigin::Integrator => {
                let monitor = match event {
                    ConnectionEvent::Deactivate => format!("; held[{c}] = step_before[{c}]"),
                    ConnectionEvent::Activate => format!(
                        "\n         ; if\n           \
                         :: held[{c}] != operational[{c}] -> restore_violated = 1\n           \
                         :: else -> skip\n           \
                         fi;\n         \
                         held[{c}] = NO_STATUS"
                    ),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "    :: /* Act({c}, {name}) */ CONNECTION_ALLOWS_{name}(step_visible[{c}]) -> connection_{name}({c}){monitor}"
                );
            }
            EventOrigin::ParentConnection | EventOrigin::Company => {}
        }
    }
    for i in shape.accounts_of(c) {
        for &event in AccountEvent::ALL {
            let name = format!("{event:?}");
            match event.origin() {
                EventOrigin::Check => {
                    let _ = write!(
                        out,
                        "    :: /* Pull({c}, {i}, {name}) the spec forbids: recorded, nothing applied */ \
                         PULL_DUE({c}, {i}) && PULL_FORBIDDEN({c}, {i}) ->\n         \
                         if\n         \
                         :: step_account[{i}] == {old} || step_account[{i}] == {duplicate} -> pulled_terminal = 1\n         \
                         :: step_account[{i}] == {untracked} -> pulled_untracked = 1\n         \
                         :: else -> checked_stopped = 1\n         \
                         fi\n    \
                         :: /* Pull({c}, {i}, {name}) */ PULL_DUE({c}, {i}) && !PULL_FORBIDDEN({c}, {i}) && \
                         ACCOUNT_ALLOWS_{name}(step_account[{i}]) -> account_{name}({i})\n",
                        old = a_status(AccountStatus::OldAccount),
                        duplicate = a_status(AccountStatus::Duplicate),
                        untracked = a_status(AccountStatus::CustomerNotTracked),
                    );
                }
                EventOrigin::Integrator => {
                    let _ = writeln!(
                        out,
                        "    :: /* Track({c}, {i}, {name}) */ ACCOUNT_ALLOWS_{name}(step_account[{i}]) -> account_{name}({i})"
                    );
                }
                EventOrigin::EndUser
                | EventOrigin::NectarTeam
                | EventOrigin::ParentConnection
                | EventOrigin::Company => {}
            }
        }
    }
}

/// The process: each step one action, as `SystemModel::actions` lists them.
fn actions(out: &mut String, shape: Shape) {
    let connections = 0..shape.connections;
    out.push_str(
        "\n/* One step: the choice of an action (one branch per action of the stateright model\n \
         * that is possible), the accounts following their parent, the records, the\n \
         * invariants. Atomic: pan stores states only between steps. The statuses the\n \
         * guards read are those before the step. */\n\
         active proctype system() {\n  \
         do\n  \
         :: atomic {\n",
    );
    for c in connections.clone() {
        let _ = writeln!(
            out,
            "    step_shown[{c}] = DERIVED({c}); step_visible[{c}] = VISIBLE({c}); \
             step_before[{c}] = operational[{c}]; c_moved[{c}] = 0;"
        );
    }
    for i in 0..shape.all_accounts() {
        let _ = writeln!(out, "    step_account[{i}] = ACCOUNT_VISIBLE({i});");
    }
    let tick: Vec<String> = connections
        .clone()
        .map(|c| format!("checked[{c}] = 0; logged_in[{c}] = 0"))
        .collect();
    let _ = writeln!(
        out,
        "    q_n = 0;\n    \
         if\n    \
         :: /* Tick: a week passes */ true -> {}",
        tick.join("; ")
    );
    for c in connections.clone() {
        connection_actions(out, shape, c);
    }
    // The company: every connection takes the company's event, or none does.
    let company = |event: Option<ConnectionEvent>, inactive: u8| {
        let name = event.map_or_else(|| "None".to_owned(), |e| format!("{e:?}"));
        let allowed: Vec<String> = connections
            .clone()
            .map(|c| format!("CONNECTION_ALLOWS_{name}(step_visible[{c}])"))
            .collect();
        let applied: Vec<String> = connections
            .clone()
            .map(|c| format!("connection_{name}({c})"))
            .collect();
        format!(
            "{} && {} ->\n         company_inactive = {inactive}; {}",
            if inactive == 1 {
                "!company_inactive"
            } else {
                "company_inactive"
            },
            allowed.join(" && "),
            applied.join("; ")
        )
    };
    let _ = write!(
        out,
        "    :: /* Company(Inactive) */ {}\n    \
         :: /* Company(Active) */ {}\n    \
         fi;\n",
        company(raising_connection(ConnectionOverlay::CompanyInactive), 1),
        company(
            Some(ConnectionEvent::lifting(ConnectionOverlay::CompanyInactive)),
            0
        ),
    );
    for c in connections {
        for i in shape.accounts_of(c) {
            let _ = writeln!(out, "    follow_parent({c}, {i});");
        }
    }
    out.push_str(
        "    record_edges();\n    \
         record_statuses();\n    \
         invariants()\n  \
         }\n  \
         od\n\
         }\n",
    );
}

/// The Promela model of a company with `connections` connections (at least 1), each with
/// `accounts` accounts, with the notice `notice` (a line of text) in a comment at its head.
///
/// ```
/// let model = xtask::promela::system::model(1, 2, "Generated.");
/// assert!(model.starts_with("/* Generated. */\n"));
/// assert!(model.contains("active proctype system()"));
/// ```
#[must_use]
pub fn model(connections: usize, accounts: usize, notice: &str) -> String {
    let shape = Shape {
        connections: connections.max(1),
        accounts,
    };
    let (c, k) = (shape.connections, shape.accounts);
    let mut out = String::new();
    let _ = write!(
        out,
        "/* {notice} */\n\n\
         /*\n \
         * A company with {c} connection(s), each with {k} account(s), for SPIN: the Promela\n \
         * twin of the stateright model `SystemModel {{ connections: {c}, accounts: {k},\n \
         * symmetry: Symmetry::Unreduced, bug: None }}` (models/src/system.rs). The week is\n \
         * abstracted: `Tick` starts a new week; within a week the scheduler checks each\n \
         * connection when the core's policy says it is due, with every outcome, and after a\n \
         * check that ended CONNECTED pulls its collected accounts, with every outcome. End\n \
         * users, Nectar's team, the integrator and the company act at any time; after every\n \
         * step each account follows its parent.\n \
         *\n \
         * The tables' cells, the event facts and the policy are generated from the core; the\n \
         * inlines carry the semantics. Each step is atomic, so \"states, stored\" counts\n \
         * valuations of the state variables.\n \
         *\n \
         * Check it (xtask/tests/spin.rs does, and compares with stateright):\n \
         *   spin -o3 -a system-{c}x{k}.pml\n \
         *   gcc -O0 -DSAFETY -DNOREDUCE -o pan pan.c\n \
         *   ./pan -m1000000 -w22\n \
         * pan's \"unreached in proctype system\" report lists each record statement\n \
         * (`connection_edge = K`, `account_edge = K`, `connection_shown = K`,\n \
         * `account_shown = K`) that no step reached (-o3: no statement merging).\n \
         */\n"
    );
    definitions(&mut out);
    policy(&mut out);
    state(&mut out, shape);
    machines(&mut out);
    follow_and_end(&mut out, shape);
    actions(&mut out, shape);
    out
}
