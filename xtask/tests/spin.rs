//! SPIN against stateright: the generated Promela model of one connection (both rule sets)
//! is checked with SPIN and must agree with `check_connection` on the same model; the
//! generated system model (1 connection x 2 accounts, 2 connections x 0) must agree with
//! `check_system` on the unreduced system model (module `system`: the same comparisons, with
//! the edges of both tables and the statuses of connections and accounts).
//!
//! What is compared, for each rule set:
//! * the number of states: SPIN's "states, stored" equals stateright's unique states. The
//!   encodings match: the Promela state is the stateright `ConnectionState` field for field,
//!   every step is one `atomic` sequence of the only process, so the one control location
//!   between steps adds nothing and intermediate states are not stored; the step's scratch
//!   variables are `hidden`. SPIN runs with `-o3` (no statement merging, so the unreached
//!   report names each edge's statement) and pan is built with `-DSAFETY -DNOREDUCE`.
//! * the number of steps: SPIN's "transitions" equals stateright's generated states (both
//!   count the initial state and one per allowed event in each state);
//! * the visible statuses reached, and so the unreachable findings (under the documented
//!   rules, the spec's two: `ADDITIONAL_CREDENTIALS_NEEDED` and `URL_INACCESSIBLE`);
//! * edge coverage: the table edges SPIN never took are stateright's `edges_missing`, and
//!   both exercise as many;
//! * the invariants: no assertion fails in SPIN, every property holds in stateright. SPIN
//!   also finds no invalid end state (no state without an allowed event).
//!
//! SPIN must be installed (Debian package `spin`, and `gcc`): the test fails, it does not
//! skip, when it is missing.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use nectar_lifecycle_core::{
    ConnectionEvent, ConnectionStatus, Enumerated, Rules, connection_rule,
};
use nectar_lifecycle_models::{ConnectionModel, ModelReport, StepEdge, check_connection};
use xtask::promela::{PanReport, connection_edges, connection_model, reached_statuses};

const NOTICE: &str = "Generated for xtask/tests/spin.rs.";

/// Runs `program` in `dir`, panicking with a clear message when it cannot start or fails.
fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{program}`: {e}. The SPIN comparison needs SPIN and a C compiler: \
                 `apt-get install -y spin gcc` (Debian packages)"
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "`{program} {}` failed ({}):\n{stdout}\n{stderr}",
        args.join(" "),
        output.status
    );
    stdout
}

/// Checks `model` with SPIN in a fresh directory: `spin -o3 -a`, pan built by gcc with
/// `-DSAFETY -DNOREDUCE`, an exhaustive run. Returns pan's output.
fn spin(model: &str) -> String {
    spin_with(model, &["-m100000", "-w16"])
}

/// [`spin`] with pan's arguments `pan_args` (the search depth and the hash table's size).
fn spin_with(model: &str, pan_args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = "model.pml";
    std::fs::write(dir.path().join(file), model).expect("the model is written");
    run(dir.path(), "spin", &["-o3", "-a", file]);
    // -O0: compiling pan.c costs more than -O2 saves on these state spaces; -w: pan's own
    // code warns.
    run(
        dir.path(),
        "gcc",
        &["-O0", "-w", "-DSAFETY", "-DNOREDUCE", "-o", "pan", "pan.c"],
    );
    // pan exits 0 even when it finds an error; the report says how many.
    run(dir.path(), "./pan", pan_args)
}

fn allowed_cells(rules: Rules) -> usize {
    ConnectionStatus::ALL
        .iter()
        .flat_map(|&s| {
            ConnectionEvent::ALL
                .iter()
                .filter(move |&&e| connection_rule(rules, s, e).is_some())
        })
        .count()
}

/// Both checkers explored everything and found no error (the invariants: no assertion
/// failing in SPIN, every property holding in stateright), and counted the same: SPIN's
/// states stored are stateright's unique states, and pan's "transitions" (stored + matched:
/// the initial state and one per step, that is per possible action in each state) are
/// stateright's generated states (the initial state and every successor, repeats included).
fn assert_same_exploration(output: &str, pan: &PanReport, report: &ModelReport) {
    assert_eq!(pan.errors, 0, "SPIN found an error:\n{output}");
    assert!(
        !output.contains("max search depth too small"),
        "the search was cut short:\n{output}"
    );
    assert!(report.passes(), "stateright: {:?}", report.failing());
    assert_eq!(
        pan.states_stored, report.unique_states,
        "SPIN and stateright count different states:\n{output}"
    );
    assert_eq!(
        pan.transitions, report.states,
        "SPIN and stateright take different numbers of steps:\n{output}"
    );
}

/// The statuses stateright's report reached, as it names them (`connection PENDING`).
fn reached(report: &ModelReport) -> BTreeSet<String> {
    report
        .reachability
        .iter()
        .filter(|r| r.witness.is_some())
        .map(|r| r.status.clone())
        .collect()
}

/// SPIN and stateright agree on one connection under `rules`, and SPIN finds exactly
/// `unreachable` never shown.
fn agrees_with_stateright(rules: Rules, unreachable: &[ConnectionStatus]) {
    let start = Instant::now();
    let output = spin(&connection_model(rules, NOTICE));
    let spin_seconds = start.elapsed().as_secs_f64();
    let pan = PanReport::parse(&output).unwrap_or_else(|e| panic!("{e}:\n{output}"));
    let report = check_connection(ConnectionModel::new(rules));
    println!(
        "{rules} rules: SPIN {} states in {spin_seconds:.2} s (spin, gcc and pan); \
         stateright {} unique states, {} generated",
        pan.states_stored, report.unique_states, report.states
    );

    assert_same_exploration(&output, &pan, &report);

    // The report is complete: every cell's "not an edge of the table" branch is listed.
    assert!(
        output.contains("unreached in proctype connection"),
        "{output}"
    );
    assert_eq!(
        pan.unreached_failures,
        allowed_cells(rules),
        "pan's unreached report is incomplete:\n{output}"
    );

    // Edge coverage.
    let edges = connection_edges(rules);
    let taken = pan.taken(&edges);
    let spin_missing: BTreeSet<StepEdge> = edges
        .iter()
        .filter(|e| !taken.contains(e))
        .map(|&e| StepEdge::Connection(e))
        .collect();
    let stateright_missing: BTreeSet<StepEdge> = report.edges_missing.iter().copied().collect();
    assert_eq!(spin_missing, stateright_missing, "edges never taken");
    assert_eq!(taken.len(), report.edges_exercised, "edges exercised");
    assert!(report.edges_extra.is_empty());

    // Reachability, and the unreachable findings.
    let spin_reached = reached_statuses(&taken);
    let spin_never: Vec<ConnectionStatus> = ConnectionStatus::ALL
        .iter()
        .copied()
        .filter(|s| !spin_reached.contains(s))
        .collect();
    assert_eq!(spin_never, unreachable, "SPIN's unreachable statuses");
    let shown = |s: &ConnectionStatus| format!("connection {s}");
    let stateright_reached = reached(&report);
    assert_eq!(
        spin_reached.iter().map(shown).collect::<BTreeSet<_>>(),
        stateright_reached,
        "statuses reached"
    );
    assert_eq!(
        spin_never.iter().map(shown).collect::<Vec<_>>(),
        report.unreachable(),
        "unreachable findings"
    );
}

/// Under the documented rules, SPIN alone also finds the spec's finding: the published
/// diagram never enters the two statuses its status tables describe.
#[test]
fn spin_agrees_with_stateright_under_the_documented_rules() {
    agrees_with_stateright(
        Rules::Documented,
        &[
            ConnectionStatus::AdditionalCredentialsNeeded,
            ConnectionStatus::UrlInaccessible,
        ],
    );
}

/// The operational rules reach every status.
#[test]
fn spin_agrees_with_stateright_under_the_operational_rules() {
    agrees_with_stateright(Rules::Operational, &[]);
}

/// `model` with `from` replaced by `to`, which must occur.
fn mutated(model: &str, from: &str, to: &str) -> String {
    assert!(model.contains(from), "the model has no `{from}`");
    model.replacen(from, to, 1)
}

/// Each assertion can fail: a broken variant of the model makes SPIN report it.
#[test]
fn each_spin_assertion_can_fail() {
    let model = connection_model(Rules::Operational, NOTICE);
    let broken = [
        (
            // Activation forgets the held status and comes back CONNECTED.
            mutated(
                &model,
                "  cycle_pending = 1\n}",
                "  cycle_pending = 1;\n  operational = CONNECTED\n}",
            ),
            "!(restore_violated)",
        ),
        (
            // A check outcome forced through while deactivated.
            mutated(
                &model,
                "  do\n",
                "  do\n  :: atomic { VISIBLE == DEACTIVATED -> begin_step(); \
                 enter_status(WeeklyCheckPassed, CONNECTED); end_step(WeeklyCheckPassed) }\n",
            ),
            "!(check_violated)",
        ),
        (
            // The visible status reads the overlays in the wrong order.
            mutated(
                &model,
                "#define VISIBLE (RAISED(OVERLAY_COMPANY_INACTIVE) -> COMPANY_INACTIVE : \
                 (RAISED(OVERLAY_DEACTIVATED) -> DEACTIVATED : operational))",
                "#define VISIBLE (RAISED(OVERLAY_DEACTIVATED) -> DEACTIVATED : \
                 (RAISED(OVERLAY_COMPANY_INACTIVE) -> COMPANY_INACTIVE : operational))",
            ),
            // assert(VISIBLE == DERIVED), as pan prints it expanded: DEACTIVATED (12)
            // read first.
            "(((overlays>>0)&1)) ? (12) : (( (((overlays>>1)&1)) ? (11)",
        ),
    ];
    for (model, expected) in broken {
        let output = spin(&model);
        assert_violated(&output, expected);
    }
}

/// pan's `output` reports one error, an assertion whose text (as pan prints it, macros
/// expanded) contains `expected`.
fn assert_violated(output: &str, expected: &str) {
    let pan = PanReport::parse(output).unwrap_or_else(|e| panic!("{e}:\n{output}"));
    assert_eq!(pan.errors, 1, "{expected}:\n{output}");
    let violated = output
        .lines()
        .find(|l| l.starts_with("pan:1: assertion violated"))
        .unwrap_or_else(|| panic!("no assertion violated:\n{output}"));
    assert!(violated.contains(expected), "{expected}: {violated}");
}

/// The comparison has teeth where no assertion looks: lifting an overlay that forgets to
/// start a fresh cycle breaks no invariant, but SPIN then counts other states than
/// stateright.
#[test]
fn the_state_count_tells_a_semantic_difference() {
    let rules = Rules::Documented;
    let model = mutated(
        &connection_model(rules, NOTICE),
        "  cycle_pending = 1\n}",
        "  skip\n}",
    );
    let output = spin(&model);
    let pan = PanReport::parse(&output).unwrap_or_else(|e| panic!("{e}:\n{output}"));
    assert_eq!(pan.errors, 0, "{output}");
    let report = check_connection(ConnectionModel::new(rules));
    assert_ne!(pan.states_stored, report.unique_states, "{output}");
}

/// The system model, no symmetry reduction.
mod system {
    use std::collections::BTreeSet;
    use std::time::Instant;

    use nectar_lifecycle_core::{
        Account, AccountStatus, Connection, ConnectionStatus, Enumerated, Rules,
    };
    use nectar_lifecycle_models::{StepEdge, Symmetry, SystemModel, check_system};
    use xtask::promela::PanReport;
    use xtask::promela::system::model;

    use super::{NOTICE, assert_same_exploration, assert_violated, mutated, reached, spin_with};

    /// pan's arguments: a search depth above the deepest path of 1 x 2 (577,387 steps of
    /// the process, each statement of an atomic step counting), a hash table of 2^22 slots.
    const PAN: [&str; 2] = ["-m1000000", "-w22"];

    /// Checks a system model with SPIN; pan's output and report.
    fn spin_system(model: &str) -> (String, PanReport) {
        let output = spin_with(model, &PAN);
        let pan = PanReport::parse(&output).unwrap_or_else(|e| panic!("{e}:\n{output}"));
        (output, pan)
    }

    /// The values of `variable` SPIN recorded: those of `all` whose statement was reached.
    fn recorded(pan: &PanReport, variable: &str, all: usize) -> BTreeSet<usize> {
        let unreached = pan.unreached_values(variable);
        (0..all).filter(|k| !unreached.contains(k)).collect()
    }

    /// SPIN and stateright's unreduced system model agree on `connections` connections x
    /// `accounts` accounts.
    fn agrees_with_stateright(connections: usize, accounts: usize) {
        let start = Instant::now();
        let (output, pan) = spin_system(&model(connections, accounts, NOTICE));
        let spin_seconds = start.elapsed().as_secs_f64();
        let report = check_system(SystemModel {
            connections,
            accounts,
            symmetry: Symmetry::Unreduced,
            bug: None,
        });
        println!(
            "{connections} x {accounts}: SPIN {} states, {} transitions in {spin_seconds:.2} s (spin, gcc \
             and pan); stateright {} unique states, {} generated in {:.2} s",
            pan.states_stored,
            pan.transitions,
            report.unique_states,
            report.states,
            report.checker_seconds + report.graph_seconds
        );

        assert_same_exploration(&output, &pan, &report);
        assert!(output.contains("unreached in proctype system"), "{output}");

        // Edge coverage, of both tables (the account table only with accounts, as
        // stateright's report).
        let connection_edges = Connection::edges(Rules::Operational);
        let account_edges = if accounts > 0 {
            Account::edges()
        } else {
            Vec::new()
        };
        let taken_connection = recorded(&pan, "connection_edge", connection_edges.len());
        let taken_account = recorded(&pan, "account_edge", account_edges.len());
        let spin_missing: BTreeSet<StepEdge> = connection_edges
            .iter()
            .enumerate()
            .filter(|(k, _)| !taken_connection.contains(k))
            .map(|(_, &e)| StepEdge::Connection(e))
            .chain(
                account_edges
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| !taken_account.contains(k))
                    .map(|(_, &e)| StepEdge::Account(e)),
            )
            .collect();
        let stateright_missing: BTreeSet<StepEdge> = report.edges_missing.iter().copied().collect();
        assert_eq!(spin_missing, stateright_missing, "edges never taken");
        assert_eq!(
            taken_connection.len() + taken_account.len(),
            report.edges_exercised,
            "edges exercised"
        );
        assert!(report.edges_extra.is_empty());

        // Reachability: the initial statuses and those shown after a step.
        let connection_shown = recorded(&pan, "connection_shown", ConnectionStatus::ALL.len());
        let account_shown = recorded(&pan, "account_shown", AccountStatus::ALL.len());
        let spin_reached: BTreeSet<String> = ConnectionStatus::ALL
            .iter()
            .filter(|s| {
                **s == Connection::new(Rules::Operational).status()
                    || connection_shown.contains(&s.index())
            })
            .map(|s| format!("connection {s}"))
            .chain(
                AccountStatus::ALL
                    .iter()
                    .filter(|s| {
                        accounts > 0
                            && (**s == Account::new().status()
                                || account_shown.contains(&s.index()))
                    })
                    .map(|s| format!("account {s}")),
            )
            .collect();
        assert_eq!(spin_reached, reached(&report), "statuses reached");
        assert_eq!(
            report.reachability.len(),
            ConnectionStatus::ALL.len()
                + if accounts > 0 {
                    AccountStatus::ALL.len()
                } else {
                    0
                },
            "stateright reports every status"
        );
    }

    // 1 x 1 is left out to keep the test binary within its budget: 1 x 2 has every
    // branch 1 x 1 has (and the variants below run 1 x 1). `bash scripts/spin-check.sh`
    // prints its figures: 6,000 states and 27,537 transitions, as stateright counts.

    /// 1 connection x 2 accounts.
    #[test]
    fn spin_agrees_with_stateright_on_two_accounts() {
        agrees_with_stateright(1, 2);
    }

    /// 2 connections without accounts: the company's overlay over several connections.
    #[test]
    fn spin_agrees_with_stateright_on_two_connections() {
        agrees_with_stateright(2, 0);
    }

    /// The system model's own assertions can fail: a broken variant of 1 x 1 makes SPIN report
    /// each of three. (Activation's restore and the overlays' order are shown able to fail on
    /// the connection models, whose inlines are the same.)
    #[test]
    fn each_kind_of_system_assertion_can_fail() {
        let model = model(1, 1, NOTICE);
        let broken = [
            (
                // Accounts do not follow their parent.
                mutated(&model, "    follow_parent(0, 0);\n", ""),
                // assert(ACCOUNT_VISIBLE(0) == ACCOUNT_DERIVED(0)), as pan prints it
                // expanded.
                ")==( (company_inactive) ? (",
            ),
            (
                // The scheduler checks connections in a credential error.
                mutated(
                    &model,
                    "CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->",
                    "(CONNECTION_DUE(0) || CREDENTIAL_ERROR(step_shown[0])) && FORBIDS_CHECK(step_shown[0]) ->",
                ),
                "!(checked_halted)",
            ),
            (
                // The scheduler pulls closed accounts too.
                mutated(
                    &model,
                    "#define ACCOUNT_COLLECTED(s) (",
                    "#define ACCOUNT_COLLECTED(s) ((s) == A_OLD_ACCOUNT || ",
                ),
                "!(pulled_terminal)",
            ),
        ];
        for (model, expected) in broken {
            assert_violated(&spin_with(&model, &PAN), expected);
        }
    }

    /// The comparison has teeth where no assertion looks: pulling after any check of the
    /// week, not only one that ended `CONNECTED`, breaks no invariant (the pulls stay
    /// within the policy), but SPIN then counts other states than stateright.
    #[test]
    fn the_system_state_count_tells_a_semantic_difference() {
        let model = model(1, 1, NOTICE);
        let logged_in = "logged_in[0] = (c_to[0] == C_CONNECTED)";
        assert!(model.contains(logged_in));
        let broken = model.replace(logged_in, "logged_in[0] = 1");
        let (output, pan) = spin_system(&broken);
        assert_eq!(pan.errors, 0, "{output}");
        let report = check_system(SystemModel {
            connections: 1,
            accounts: 1,
            symmetry: Symmetry::Unreduced,
            bug: None,
        });
        assert_ne!(pan.states_stored, report.unique_states, "{output}");
    }
}
