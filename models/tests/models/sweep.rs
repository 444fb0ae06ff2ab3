//! The sweep model: the real `Sweep` and decision keep every property under both default
//! bounds, each broken variant fails the property it breaks with a shortest
//! counterexample, and the scenarios the issue names (a change between two pages, a
//! connection moved from page 2 to page 1, one listed twice, a page past the end) run as
//! Nectar documents them.

use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S};
use nectar_lifecycle_models::delivery::Change;
use nectar_lifecycle_models::sweep::ListChange;
use nectar_lifecycle_models::{
    Graph, ModelReport, Scope, SweepAction as A, SweepBug, SweepModel, SweepState, check_sweep,
    default_sweeps, graph::Plain,
};
use stateright::Model;

use crate::counterexample;

const NO_REGRESSION: &str = "no regression: no record's version ever goes backwards";
const NOT_TWICE: &str = "no notification twice: per connection, EnteredCredentialError never outnumbers Nectar's entries into a credential error up to the version stored";
const ENDS: &str = "every sweep ends: it asks for no more pages than the list ever had";
const CONVERGENCE: &str = "convergence: a sweep during which Nectar did not change leaves every record equal to Nectar's connection and lists exactly the connections Nectar holds";

fn broken(model: SweepModel, bug: SweepBug) -> ModelReport {
    check_sweep(SweepModel {
        bug: Some(bug),
        ..model
    })
}

#[test]
fn the_real_sweep_keeps_every_property() {
    let [webhooks, polling] = default_sweeps()
        .try_into()
        .unwrap_or_else(|m: Vec<SweepModel>| panic!("two default sweep models, got {m:?}"));
    assert_eq!(webhooks, SweepModel::default());
    assert_eq!(polling, SweepModel::polling_only());
    for (model, unique) in [(webhooks, 45_224), (polling, 80_786)] {
        assert_eq!(model.properties().len(), 5);
        let report = check_sweep(model);
        assert_eq!(report.scope, Scope::Integration);
        assert_eq!(report.unique_states, unique, "{report}");
        assert!(report.passes(), "{report}");
        assert!(report.to_string().contains("PASS  always: convergence"));
    }
}

/// stateright tells states apart by their hash; the graph explorer by `Eq`. The same count
/// shows that the hash of a state (the sweep's by the pages it took, the records' by their
/// fields) merges no two distinct states.
#[test]
fn the_hash_merges_no_distinct_states() {
    for model in default_sweeps() {
        let report = check_sweep(model);
        let graph = Graph::explore(&mut Plain::new(&model)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(graph.states.len(), report.unique_states);
        assert_eq!(usize::try_from(graph.generated).ok(), Some(report.states));
    }
}

/// Each broken variant: the model, the properties it fails, and a shortest
/// counterexample for the one it is shown with.
const BROKEN: [(Bounds, SweepBug, &[&str], &str, &str); 7] = [
    // Page 1 of 2 is all it reads: the third connection is never listed.
    (
        Bounds::Webhooks,
        SweepBug::FirstPageOnly,
        &[CONVERGENCE],
        CONVERGENCE,
        "Request -> Take",
    ),
    (
        Bounds::Polling,
        SweepBug::FirstPageOnly,
        &[CONVERGENCE],
        CONVERGENCE,
        "Request -> Take",
    ),
    // Page 3 of 2 answers page 2 again, never an empty page.
    (
        Bounds::Webhooks,
        SweepBug::StopOnEmptyPage,
        &[ENDS],
        ENDS,
        "Request -> Take -> Request -> Take -> Request",
    ),
    (
        Bounds::Polling,
        SweepBug::StopOnEmptyPage,
        &[ENDS],
        ENDS,
        "Request -> Take -> Request -> Take -> Request -> Take -> Request",
    ),
    // Page 1 is served at version 0; the credential error's `updated` event lands while it
    // is in flight; the stale listing then overwrites it.
    (
        Bounds::Webhooks,
        SweepBug::ApplyUnordered,
        &[NO_REGRESSION, NOT_TWICE],
        NO_REGRESSION,
        "Request -> Change(Content { connection: 0, change: Status(PasswordChanged) }) -> \
         Deliver(0) -> Take",
    ),
    // The webhook notified the credential error; the sweep lists it and notifies again.
    (
        Bounds::Webhooks,
        SweepBug::NotifyPerListing,
        &[NOT_TWICE],
        NOT_TWICE,
        "Change(Content { connection: 0, change: Status(PasswordChanged) }) -> Deliver(0) -> \
         Request -> Take",
    ),
    // Polling alone: two sweeps list the one credential error. (The shortest path deletes
    // the others, so that each sweep is one page.)
    (
        Bounds::Polling,
        SweepBug::NotifyPerListing,
        &[NOT_TWICE],
        NOT_TWICE,
        "Change(Content { connection: 0, change: Status(PasswordChanged) }) -> \
         Change(Delete { connection: 1 }) -> Change(Delete { connection: 2 }) -> \
         Request -> Take -> Request -> Take",
    ),
];

/// The two default bounds, by name.
#[derive(Debug, Clone, Copy)]
enum Bounds {
    /// [`SweepModel::default`]: webhooks beside the sweeps.
    Webhooks,
    /// [`SweepModel::polling_only`].
    Polling,
}

impl Bounds {
    fn model(self) -> SweepModel {
        match self {
            Self::Webhooks => SweepModel::default(),
            Self::Polling => SweepModel::polling_only(),
        }
    }
}

#[test]
fn each_broken_variant_fails_its_properties_with_a_shortest_counterexample() {
    for (bounds, bug, fails, property, shortest) in BROKEN {
        let report = broken(bounds.model(), bug);
        assert_eq!(report.failing(), fails, "{bounds:?} {bug:?}\n{report}");
        assert!(!report.passes());
        assert_eq!(
            counterexample(&report, property),
            shortest,
            "{bounds:?} {bug:?}"
        );
    }
}

/// A finding: on sweeps alone no listing is ever older than the record (each sweep's
/// pages are served after the records it left were written), so applying listings
/// unordered breaks nothing; a stale listing takes a second writer, a webhook landing
/// while the page is in flight.
#[test]
fn unordered_listings_regress_only_beside_another_writer() {
    let report = broken(SweepModel::polling_only(), SweepBug::ApplyUnordered);
    assert!(report.passes(), "{report}");
}

/// A finding: reconciling every listing, not only those the sweep hands on, keeps every
/// property. The sweep's keying by id saves decisions; `reconcile` keeps the records right.
#[test]
fn reconciling_every_listing_is_covered_by_reconcile() {
    for model in default_sweeps() {
        let report = broken(model, SweepBug::EveryListing);
        assert!(report.passes(), "{report}");
    }
}

fn run(model: &SweepModel, actions: &[A]) -> SweepState {
    run_from(model, model.initial(), actions)
}

fn run_from(model: &SweepModel, mut state: SweepState, actions: &[A]) -> SweepState {
    for &action in actions {
        state = model
            .next_state(&state, action)
            .unwrap_or_else(|| panic!("{action:?} is not possible in {state:?}"));
    }
    state
}

fn status(change: E, connection: usize) -> A {
    A::Change(ListChange::Content {
        connection,
        change: Change::Status(change),
    })
}

fn is_latest(state: &SweepState, connection: usize) -> bool {
    Some(&state.records[connection].0.connection) == state.latest(connection).as_ref()
}

/// One a page: page 1 is read, then connection `changed` enters a credential error and
/// connection `moved` moves to the front, then page 2 is read.
fn change_and_move_between_pages(changed: usize, moved: usize) -> (SweepModel, SweepState) {
    let model = SweepModel::polling_only();
    let state = run(
        &model,
        &[
            A::Request,
            A::Take,
            status(E::PasswordChanged, changed),
            A::Change(ListChange::Move { connection: moved }),
            A::Request,
            A::Take,
        ],
    );
    (model, state)
}

/// One a page. `conn-3` enters a credential error and moves to the front after page 1 was
/// read: page 2 lists `conn-1` again (unchanged, not handed on), page 3 `conn-2`, and
/// `conn-3` is missed. The next sweep, Nectar quiet, lists it and notifies once.
#[test]
fn a_connection_moved_to_an_earlier_page_is_missed_then_listed_by_the_next_sweep() {
    let (model, state) = change_and_move_between_pages(2, 2);
    let listed: Vec<&str> = state
        .run
        .as_ref()
        .map_or(Vec::new(), |r| r.swept.sweep.listed().collect());
    assert_eq!(listed, ["conn-1"], "conn-1 listed twice, kept once");
    let state = run_from(&model, state, &[A::Request, A::Take]);
    assert!(state.run.is_none(), "the sweep ended on page 3 of 3");
    assert!(!is_latest(&state, 2), "conn-3 was missed");
    assert_eq!(state.records[2].0.connection.status, S::Connected.into());
    let next_sweep = [
        A::Request,
        A::Take,
        A::Request,
        A::Take,
        A::Request,
        A::Take,
    ];
    let state = run_from(&model, state, &next_sweep);
    assert!(state.run.is_none());
    assert!((0..3).all(|c| is_latest(&state, c)));
    assert_eq!(state.notified, [0, 0, 1]);
    assert_eq!(state.violations, Default::default());
}

/// One a page. `conn-1` is read on page 1, then changes and another connection moves
/// ahead of it: page 2 lists it again, newer, and the newer listing is applied.
#[test]
fn a_connection_changed_between_pages_and_listed_twice_is_applied_at_its_newer_version() {
    let (model, state) = change_and_move_between_pages(0, 1);
    assert!(
        is_latest(&state, 0),
        "the newer listing of conn-1 was applied"
    );
    assert_eq!(state.notified, [1, 0, 0]);
    let state = run_from(&model, state, &[A::Request, A::Take]);
    assert!(state.run.is_none());
    assert_eq!(state.violations, Default::default());
}

/// Two a page. `conn-1` is deleted while page 1 is in flight: the list has one page left,
/// so page 2 is past the end and Nectar answers page 1 again (`conn-2`, `conn-3`). The
/// sweep takes what it had not seen (`conn-3`) and ends; the record of `conn-1` is kept.
#[test]
fn a_page_past_the_end_answers_the_last_page_and_ends_the_sweep() {
    let model = SweepModel::default();
    let state = run(
        &model,
        &[
            A::Request,
            A::Change(ListChange::Delete { connection: 0 }),
            A::Take,
            A::Request,
        ],
    );
    let in_flight = state.run.as_ref().and_then(|r| r.in_flight.clone());
    let in_flight = in_flight.unwrap_or_else(|| panic!("page 2 in flight: {state:?}"));
    assert_eq!((in_flight.asked.get(), in_flight.answered.get()), (2, 1));
    assert_eq!(in_flight.listing, [(1, 0), (2, 0)]);
    let state = run_from(&model, state, &[A::Take]);
    assert!(state.run.is_none(), "past the end is the end");
    assert_eq!(state.records.len(), 3);
    assert!(model.next_state(&state, A::Take).is_none());
    assert_eq!(state.violations, Default::default());
}
