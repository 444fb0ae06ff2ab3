//! Stateright models of the `nectar-lifecycle` crate, and the report `cargo lifecycle check`
//! prints.
//!
//! The models drive the core crate's real `apply`, `follow_parent` and policy functions;
//! nothing here copies the transition table. Six models:
//!
//! 1. [`ConnectionModel`] under [`Rules::Documented`]: one connection, every event.
//! 2. [`ConnectionModel`] under [`Rules::Operational`].
//! 3. [`SystemModel`]: a company, its connections and their accounts, a weekly scheduler.
//! 4. [`DeliveryModel`]: the integration. Nectar changes a connection through the table,
//!    Svix delivers its events at least once in any order, and the integrator keeps its
//!    record with the webhook crate's real `reconcile` and `Record::after`.
//! 5. [`SweepModel`]: sweeps. Nectar changes, reorders and deletes a company's connections
//!    while the integrator reads their pages with the webhook crate's real `Sweep` and
//!    keeps a record per connection with the same `reconcile` and `Record::after`, webhooks
//!    landing in between.
//! 6. [`ActionsModel`]: the receiver's actions on Nectar's API. Credential-error episodes
//!    keep one reconnect invitation active and leave none behind, and detected accounts
//!    are confirmed once, with the webhook crate's real `invitation_step_of` and
//!    `decision_step`, against Nectar's invitation store, crashes and lost answers.
//!
//! The lifecycle models (1 to 3) are checked by **one** breadth-first exploration
//! ([`graph::Graph`]) that answers everything: the `always` invariants with shortest
//! counterexamples, reachability with shortest witness paths, edge coverage, and
//! recoverability by reverse reachability on the recorded graph. The connection models are
//! explored with their stateright `actions` and `next_state` ([`graph::Plain`]); the system
//! model, whose state is plain fixed-size data ([`SystemState`]), is explored packed, one
//! `u64` per state, with the symmetry of accounts within a connection and of connections
//! within the company folded ([`packed::SystemExplorer`]), or, with one connection, one
//! 96-bit code per state and no table of connection states ([`packed::SingleExplorer`]).
//! The tests check the explorers
//! against stateright's own checker, state count by state count. stateright runs the
//! delivery, sweep and actions models, and serves every model in its Explorer.
//!
//! ```
//! use nectar_lifecycle_core::Rules;
//! use nectar_lifecycle_models::{ConnectionModel, check_connection};
//!
//! let report = check_connection(ConnectionModel::new(Rules::Operational));
//! assert!(report.passes());
//! assert!(report.unreachable().is_empty());
//! ```

pub mod actions;
pub mod connection;
pub mod delivery;
pub mod graph;
pub mod packed;
pub mod sweep;
pub mod system;

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};
use std::time::Instant;

use graph::{Explorable, Plain};
use nectar_lifecycle_core::{
    Account, AccountEvent, AccountStatus, Connection, ConnectionEvent, ConnectionStatus,
    Enumerated, Rules, Transition,
};
use stateright::{Checker, Model};

pub use actions::{ActionsAction, ActionsBounds, ActionsBug, ActionsModel, ActionsState};
pub use connection::{ConnectionBug, ConnectionModel, ConnectionState};
pub use delivery::{DeliveryAction, DeliveryBounds, DeliveryBug, DeliveryModel, DeliveryState};
pub use graph::{Graph, Observed};
pub use packed::{SingleExplorer, SystemExplorer};
pub use sweep::{SweepAction, SweepBounds, SweepBug, SweepModel, SweepState, Webhooks};
pub use system::{
    CompanyStatus, ConnectionSlot, MAX_ACCOUNTS, MAX_CONNECTIONS, Symmetry, SystemAction,
    SystemBug, SystemModel, SystemState,
};

/// An edge one model step took, in visible statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepEdge {
    /// A connection's edge.
    Connection(Transition<ConnectionStatus, ConnectionEvent>),
    /// An account's edge.
    Account(Transition<AccountStatus, AccountEvent>),
}

impl fmt::Display for StepEdge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connection(t) => write!(f, "connection {} --{}--> {}", t.from, t.event, t.to),
            Self::Account(t) => write!(f, "account {} --{}--> {}", t.from, t.event, t.to),
        }
    }
}

impl Observed for ConnectionModel {
    fn observe(
        &self,
        state: &ConnectionState,
        action: ConnectionEvent,
        log: &mut dyn FnMut(StepEdge),
    ) -> Option<ConnectionState> {
        self.step(state, action, log)
    }
}

impl Observed for DeliveryModel {
    /// The integration takes no table edge of its own to report.
    fn observe(
        &self,
        state: &DeliveryState,
        action: DeliveryAction,
        _log: &mut dyn FnMut(StepEdge),
    ) -> Option<DeliveryState> {
        self.step(state, action)
    }
}

impl Observed for SweepModel {
    /// The integration takes no table edge of its own to report.
    fn observe(
        &self,
        state: &SweepState,
        action: SweepAction,
        _log: &mut dyn FnMut(StepEdge),
    ) -> Option<SweepState> {
        self.step(state, action)
    }
}

impl Observed for ActionsModel {
    /// The actions take no table edge of their own to report.
    fn observe(
        &self,
        state: &ActionsState,
        action: ActionsAction,
        _log: &mut dyn FnMut(StepEdge),
    ) -> Option<ActionsState> {
        self.step(state, action)
    }
}

impl Observed for SystemModel {
    fn observe(
        &self,
        state: &SystemState,
        action: SystemAction,
        log: &mut dyn FnMut(StepEdge),
    ) -> Option<SystemState> {
        self.step(state, action, log)
    }
}

/// The verdict on one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyVerdict {
    /// The property's name.
    pub name: &'static str,
    /// Whether it holds.
    pub holds: bool,
    /// The counterexample path, if it fails.
    pub counterexample: Option<String>,
}

/// A status and a shortest path of actions reaching it, or `None` if unreachable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// `"connection PENDING"`, `"account OLD_ACCOUNT"`, ...
    pub status: String,
    /// The shortest path's actions, if reachable.
    pub witness: Option<Vec<String>>,
}

/// What a report covers besides the invariants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// A lifecycle model: also reachability, edge coverage and recoverability, answered on
    /// the explored graph.
    Lifecycle,
    /// The integration model: the invariants alone. Its Nectar side takes a few chosen
    /// events, so reachability, coverage and recoverability would say nothing of the table;
    /// those fields are empty (and `graph_states` is 0: no graph is explored).
    Integration,
}

/// Everything `cargo lifecycle check` reports about one model.
#[derive(Debug, Clone)]
pub struct ModelReport {
    /// The model's name.
    pub name: String,
    /// What the report covers besides the invariants.
    pub scope: Scope,
    /// States generated (repeats included).
    pub states: usize,
    /// Unique states.
    pub unique_states: usize,
    /// Unique states of the explored graph: equal to `unique_states` for a lifecycle
    /// model, whose one exploration is the graph; 0 for the integration model.
    pub graph_states: usize,
    /// Seconds for the exploration: for a lifecycle model the one exploration that records
    /// the graph, checks the invariants and answers recoverability; for the integration
    /// model stateright's run.
    pub checker_seconds: f64,
    /// Seconds to read the paths and the coverage off the explored graph.
    pub graph_seconds: f64,
    /// The `always` invariants.
    pub properties: Vec<PropertyVerdict>,
    /// Every status and how to reach it.
    pub reachability: Vec<Reach>,
    /// Table edges the model never exercised.
    pub edges_missing: Vec<StepEdge>,
    /// Edges the model exercised that the table does not have (always a failure).
    pub edges_extra: Vec<StepEdge>,
    /// The number of table edges exercised.
    pub edges_exercised: usize,
    /// Reachable states from which `CONNECTED` can never be reached again.
    pub unrecoverable: usize,
    /// Why the exploration stopped before the end, if it did (the report then fails).
    pub incomplete: Option<String>,
}

impl ModelReport {
    /// A report of a complete run that found nothing: no states, no verdicts.
    fn empty(name: String, scope: Scope) -> Self {
        Self {
            name,
            scope,
            states: 0,
            unique_states: 0,
            graph_states: 0,
            checker_seconds: 0.0,
            graph_seconds: 0.0,
            properties: Vec::new(),
            reachability: Vec::new(),
            edges_missing: Vec::new(),
            edges_extra: Vec::new(),
            edges_exercised: 0,
            unrecoverable: 0,
            incomplete: None,
        }
    }

    /// A report of a run that stopped before the end, for `why`: it fails.
    fn stopped(name: String, scope: Scope, why: String) -> Self {
        Self {
            incomplete: Some(why),
            ..Self::empty(name, scope)
        }
    }

    /// Whether every invariant holds and, for a lifecycle model, no unknown edge was taken
    /// and every state can recover.
    #[must_use]
    pub fn passes(&self) -> bool {
        self.incomplete.is_none()
            && self.properties.iter().all(|p| p.holds)
            && match self.scope {
                Scope::Lifecycle => {
                    self.edges_extra.is_empty()
                        && self.unrecoverable == 0
                        && self.graph_states == self.unique_states
                }
                Scope::Integration => true,
            }
    }

    /// The names of the properties that fail, in the model's order.
    #[must_use]
    pub fn failing(&self) -> Vec<&'static str> {
        self.properties
            .iter()
            .filter(|p| !p.holds)
            .map(|p| p.name)
            .collect()
    }

    /// The counterexample found for the property named `property`, if it fails: the path
    /// of actions, `A -> B -> C`.
    #[must_use]
    pub fn counterexample(&self, property: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.name == property)
            .and_then(|p| p.counterexample.as_deref())
    }

    /// The statuses no path reaches.
    #[must_use]
    pub fn unreachable(&self) -> Vec<&str> {
        self.reachability
            .iter()
            .filter(|r| r.witness.is_none())
            .map(|r| r.status.as_str())
            .collect()
    }
}

fn run_checker<M>(model: M, threads: usize) -> (usize, usize, f64, Vec<PropertyVerdict>)
where
    M: Model + Send + Sync + 'static,
    M::State: Clone + fmt::Debug + std::hash::Hash + Send + Sync + PartialEq + 'static,
    M::Action: Clone + fmt::Debug + PartialEq + Send + Sync + 'static,
{
    let names: Vec<&'static str> = model.properties().iter().map(|p| p.name).collect();
    let start = Instant::now();
    let checker = model.checker().threads(threads.max(1)).spawn_bfs().join();
    let seconds = start.elapsed().as_secs_f64();
    let verdicts = names
        .into_iter()
        .map(|name| {
            let path = checker.discovery(name);
            PropertyVerdict {
                name,
                holds: path.is_none(),
                counterexample: path.map(|p| actions_shown(&p.into_actions())),
            }
        })
        .collect();
    (
        checker.state_count(),
        checker.unique_state_count(),
        seconds,
        verdicts,
    )
}

/// A path of actions as the report shows it: `A -> B -> C`.
fn actions_shown<A: fmt::Debug>(actions: &[A]) -> String {
    actions
        .iter()
        .map(|a| format!("{a:?}"))
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// `verdicts` with each counterexample replaced by a shortest one, found by one
/// breadth-first exploration. stateright 0.31 records an `always` discovery again at every
/// violating state it visits, so with sticky ghost flags its path is the last violating
/// state's, not the first's.
fn shortest_counterexamples<M>(model: &M, verdicts: Vec<PropertyVerdict>) -> Vec<PropertyVerdict>
where
    M: Observed,
    M::State: Clone + Eq + std::hash::Hash,
    M::Action: Clone + fmt::Debug,
{
    if verdicts.iter().all(|v| v.holds) {
        return verdicts;
    }
    let mut plain = Plain::new(model);
    let Ok(graph) = Graph::explore(&mut plain) else {
        return verdicts;
    };
    verdicts
        .into_iter()
        .enumerate()
        .map(|(bit, verdict)| PropertyVerdict {
            counterexample: verdict.counterexample.map(|found| {
                graph
                    .first_fault(bit)
                    .map_or(found, |t| actions_shown(&graph.path_to(&plain, t)))
            }),
            ..verdict
        })
        .collect()
}

fn coverage(
    exercised: &[StepEdge],
    table: impl IntoIterator<Item = StepEdge>,
) -> (Vec<StepEdge>, Vec<StepEdge>, usize) {
    let table: BTreeSet<StepEdge> = table.into_iter().collect();
    let seen: BTreeSet<StepEdge> = exercised.iter().copied().collect();
    let missing = table.difference(&seen).copied().collect();
    let extra = seen.difference(&table).copied().collect();
    (missing, extra, table.intersection(&seen).count())
}

/// A status a model can show, for the reachability report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shown {
    /// A connection's visible status.
    Connection(ConnectionStatus),
    /// An account's visible status.
    Account(AccountStatus),
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connection(s) => write!(f, "connection {s}"),
            Self::Account(s) => write!(f, "account {s}"),
        }
    }
}

/// What the report needs to know about a model besides its steps.
pub trait Analysed: Observed {
    /// The report's name for the model.
    fn name(&self) -> String;
    /// The statuses whose reachability is reported.
    fn statuses(&self) -> Vec<Shown>;
    /// Whether `state` shows `status` somewhere.
    fn shows(state: &Self::State, status: Shown) -> bool;
    /// The table's edges the model should exercise.
    fn table_edges(&self) -> Vec<StepEdge>;
    /// Whether `state` is recovered: every connection shows `CONNECTED`.
    fn recovered(state: &Self::State) -> bool;
}

impl Analysed for ConnectionModel {
    fn name(&self) -> String {
        format!("one connection, {} rules", self.rules)
    }
    fn statuses(&self) -> Vec<Shown> {
        ConnectionStatus::ALL
            .iter()
            .map(|&s| Shown::Connection(s))
            .collect()
    }
    fn shows(state: &ConnectionState, status: Shown) -> bool {
        Shown::Connection(state.connection.status()) == status
    }
    fn table_edges(&self) -> Vec<StepEdge> {
        Connection::edges(self.rules)
            .into_iter()
            .map(StepEdge::Connection)
            .collect()
    }
    fn recovered(state: &ConnectionState) -> bool {
        state.connection.status() == ConnectionStatus::Connected
    }
}

impl Analysed for SystemModel {
    fn name(&self) -> String {
        let reduced = match self.symmetry {
            Symmetry::Reduced => ", symmetry reduced",
            Symmetry::Unreduced => "",
        };
        format!(
            "system: {} connection(s) x {} account(s){reduced}",
            self.connections, self.accounts
        )
    }
    fn statuses(&self) -> Vec<Shown> {
        let accounts = AccountStatus::ALL.iter().map(|&s| Shown::Account(s));
        ConnectionStatus::ALL
            .iter()
            .map(|&s| Shown::Connection(s))
            .chain(accounts.take(if self.accounts > 0 { usize::MAX } else { 0 }))
            .collect()
    }
    fn shows(state: &SystemState, status: Shown) -> bool {
        state.connections().iter().any(|c| {
            Shown::Connection(c.connection.status()) == status
                || c.accounts()
                    .iter()
                    .any(|a| Shown::Account(a.status()) == status)
        })
    }
    fn table_edges(&self) -> Vec<StepEdge> {
        let accounts = if self.accounts > 0 {
            Account::edges()
        } else {
            Vec::new()
        };
        Connection::edges(Rules::Operational)
            .into_iter()
            .map(StepEdge::Connection)
            .chain(accounts.into_iter().map(StepEdge::Account))
            .collect()
    }
    fn recovered(state: &SystemState) -> bool {
        state
            .connections()
            .iter()
            .all(|c| c.connection.status() == ConnectionStatus::Connected)
    }
}

/// Reads the report of a lifecycle model off one exploration of `explorer`.
fn report<E: Explorable>(
    name: String,
    explorer: &mut E,
    properties: &[&'static str],
    statuses: &[Shown],
    table: Vec<StepEdge>,
    progress: &mut dyn FnMut(usize),
) -> ModelReport {
    let start = Instant::now();
    let explored = Graph::explore_reporting(explorer, progress);
    let checker_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let graph = match explored {
        Ok(graph) => graph,
        Err(e) => return ModelReport::stopped(name, Scope::Lifecycle, e.to_string()),
    };
    let mut report = ModelReport::empty(name, Scope::Lifecycle);
    report.checker_seconds = checker_seconds;
    let path = |target: u32| graph.path_to(explorer, target);
    report.properties = properties
        .iter()
        .enumerate()
        .map(|(bit, &name)| {
            let first = graph.first_fault(bit);
            PropertyVerdict {
                name,
                holds: first.is_none(),
                counterexample: first.map(|t| actions_shown(&path(t))),
            }
        })
        .collect();
    report.reachability = statuses
        .iter()
        .enumerate()
        .map(|(bit, status)| Reach {
            status: status.to_string(),
            witness: graph
                .first_shown(bit)
                .map(|t| path(t).iter().map(|a| format!("{a:?}")).collect()),
        })
        .collect();
    let (missing, extra, exercised) = coverage(&explorer.exercised(), table);
    report.edges_missing = missing;
    report.edges_extra = extra;
    report.edges_exercised = exercised;
    report.unrecoverable = graph.unrecoverable;
    report.states = usize::try_from(graph.generated).unwrap_or(usize::MAX);
    report.unique_states = graph.states.len();
    report.graph_states = graph.states.len();
    report.graph_seconds = start.elapsed().as_secs_f64();
    report
}

/// Checks a lifecycle model with one exploration of its stateright `actions` and
/// `next_state` ([`graph::Plain`]): the invariants, reachability, edge coverage and
/// recoverability.
#[must_use]
pub fn check<M>(model: M) -> ModelReport
where
    M: Analysed,
    M::State: Clone + fmt::Debug + std::hash::Hash + Eq,
    M::Action: Clone + fmt::Debug,
{
    let names: Vec<&'static str> = model.properties().iter().map(|p| p.name).collect();
    let statuses = model.statuses();
    let mut plain = Plain::new(&model).with_statuses(statuses.clone(), M::shows, M::recovered);
    report(
        model.name(),
        &mut plain,
        &names,
        &statuses,
        model.table_edges(),
        &mut |_| {},
    )
}

/// Checks model 1 or 2: one connection.
#[must_use]
pub fn check_connection(model: ConnectionModel) -> ModelReport {
    check(model)
}

/// Checks model 3: the system, explored packed ([`SystemExplorer`], or [`SingleExplorer`]
/// with one connection).
///
/// ```
/// use nectar_lifecycle_models::{SystemModel, check_system};
///
/// let report = check_system(SystemModel { accounts: 1, ..SystemModel::default() });
/// assert_eq!(report.unique_states, 6_000);
/// assert!(report.passes());
/// assert!(report.unreachable().is_empty());
/// ```
#[must_use]
pub fn check_system(model: SystemModel) -> ModelReport {
    check_system_reporting(model, &mut |_| {})
}

/// [`check_system`], calling `progress` with the number of states found so far every 2^22
/// states explored (for long manual runs).
#[must_use]
pub fn check_system_reporting(model: SystemModel, progress: &mut dyn FnMut(usize)) -> ModelReport {
    if model.initial().connections().len() == 1 {
        return report(
            model.name(),
            &mut SingleExplorer::new(&model),
            &system::PROPERTIES,
            &model.statuses(),
            model.table_edges(),
            progress,
        );
    }
    report(
        model.name(),
        &mut SystemExplorer::new(&model),
        &system::PROPERTIES,
        &model.statuses(),
        model.table_edges(),
        progress,
    )
}

/// Checks model 4: the integration, its invariants alone ([`Scope::Integration`]), with
/// stateright's checker on one thread and a shortest counterexample for each property that
/// fails.
#[must_use]
pub fn check_delivery(model: DeliveryModel) -> ModelReport {
    check_delivery_on(model, 1)
}

/// [`check_delivery`] with stateright's checker on `threads` threads.
#[must_use]
pub fn check_delivery_on(model: DeliveryModel, threads: usize) -> ModelReport {
    check_integration(model, model.name(), threads)
}

/// Checks model 5: sweeps, their invariants alone ([`Scope::Integration`]), with
/// stateright's checker on one thread and a shortest counterexample for each property that
/// fails.
///
/// ```
/// use nectar_lifecycle_models::{SweepBounds, SweepModel, Webhooks, check_sweep};
///
/// let bounds = SweepBounds { changes: 1, sweeps: 1, webhooks: Webhooks::Off, ..SweepBounds::default() };
/// let report = check_sweep(SweepModel { bounds, bug: None });
/// assert!(report.passes(), "{report}");
/// ```
#[must_use]
pub fn check_sweep(model: SweepModel) -> ModelReport {
    check_integration(model, model.name(), 1)
}

/// Checks model 6: the receiver's actions on Nectar's API, their invariants alone
/// ([`Scope::Integration`]), with stateright's checker on one thread and a shortest
/// counterexample for each property that fails.
///
/// ```
/// use nectar_lifecycle_models::{ActionsBounds, ActionsModel, check_actions};
///
/// let bounds = ActionsBounds { episodes: 1, detections: 1, ..ActionsBounds::default() };
/// let report = check_actions(ActionsModel { bounds, bug: None });
/// assert!(report.passes(), "{report}");
/// ```
#[must_use]
pub fn check_actions(model: ActionsModel) -> ModelReport {
    check_integration(model, model.name(), 1)
}

/// Checks an integration model's invariants with stateright's checker on `threads`
/// threads, a shortest counterexample for each that fails.
fn check_integration<M>(model: M, name: String, threads: usize) -> ModelReport
where
    M: Observed + Clone + Send + Sync + 'static,
    M::State: Clone + fmt::Debug + std::hash::Hash + Eq + Send + Sync + 'static,
    M::Action: Clone + fmt::Debug + PartialEq + Send + Sync + 'static,
{
    let (states, unique_states, checker_seconds, verdicts) = run_checker(model.clone(), threads);
    let properties = shortest_counterexamples(&model, verdicts);
    ModelReport {
        states,
        unique_states,
        checker_seconds,
        properties,
        ..ModelReport::empty(name, Scope::Integration)
    }
}

/// How `cargo lifecycle check` spreads its models over threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Threads {
    /// Every model in turn, on the calling thread, stateright's checker on one thread.
    One,
    /// Two workers share the models, each exploration single-threaded: the delivery model
    /// first on one, the largest system model first on the other, then whatever is left,
    /// so the two finish close together. The default of `cargo lifecycle check`: measured
    /// faster than the others on the 2-core machine (see the README).
    Two,
    /// Every model in turn, stateright's checker for the delivery model on two threads.
    TwoForStateright,
}

/// The system models `cargo lifecycle check` runs by default, both symmetry reduced:
/// 1 connection x 3 accounts ([`SystemModel::default`]: several accounts under one parent)
/// and 2 connections x 1 account (two connections under one company and one week).
///
/// ```
/// let systems = nectar_lifecycle_models::default_systems();
/// let shapes: Vec<_> = systems.iter().map(|m| (m.connections, m.accounts)).collect();
/// assert_eq!(shapes, [(1, 3), (2, 1)]);
/// ```
#[must_use]
pub fn default_systems() -> Vec<SystemModel> {
    vec![
        SystemModel::default(),
        SystemModel {
            connections: 2,
            accounts: 1,
            ..SystemModel::default()
        },
    ]
}

/// The sweep models `cargo lifecycle check` runs by default: [`SweepModel::default`]
/// (webhooks beside the sweeps, two connections a page, two changes) and
/// [`SweepModel::polling_only`] (sweeps alone, one connection a page, three changes).
///
/// ```
/// let sweeps = nectar_lifecycle_models::default_sweeps();
/// let changes: Vec<_> = sweeps.iter().map(|m| m.bounds.changes).collect();
/// assert_eq!(changes, [2, 3]);
/// ```
#[must_use]
pub fn default_sweeps() -> Vec<SweepModel> {
    vec![SweepModel::default(), SweepModel::polling_only()]
}

/// One model to check: its report's name and scope (for a report if it cannot finish) and
/// the check itself.
struct Job<'a> {
    name: String,
    scope: Scope,
    run: Box<dyn FnOnce() -> ModelReport + Send + 'a>,
}

impl Job<'_> {
    /// Runs the check; a panic (a bug) becomes a failed report rather than a lost one.
    fn report(self) -> ModelReport {
        let Self { name, scope, run } = self;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
            .unwrap_or_else(|_| ModelReport::stopped(name, scope, "the check panicked".to_owned()))
    }
}

/// Runs `jobs` on `workers` threads (at least one), each taking the next job of `order`
/// (indices into `jobs`) when it is free; the reports come back in the order of `jobs`.
fn run_jobs(jobs: Vec<Job<'_>>, order: &[usize], workers: usize) -> Vec<ModelReport> {
    let names: Vec<(String, Scope)> = jobs.iter().map(|j| (j.name.clone(), j.scope)).collect();
    let mut slots: Vec<Option<Job<'_>>> = jobs.into_iter().map(Some).collect();
    // The queue holds the jobs in `order`, then any `order` left out, last taken first.
    let mut queue: Vec<(usize, Job<'_>)> = Vec::new();
    let rest: Vec<usize> = (0..slots.len()).filter(|i| !order.contains(i)).collect();
    for &i in order.iter().chain(&rest) {
        if let Some(job) = slots.get_mut(i).and_then(Option::take) {
            queue.push((i, job));
        }
    }
    queue.reverse();
    let queue = std::sync::Mutex::new(queue);
    let done = std::sync::Mutex::new(Vec::new());
    let work = || {
        loop {
            let next = queue.lock().map_or(None, |mut q| q.pop());
            let Some((i, job)) = next else { break };
            let report = job.report();
            if let Ok(mut done) = done.lock() {
                done.push((i, report));
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..workers.max(1) {
            scope.spawn(work);
        }
        work();
    });
    let mut done = done.into_inner().unwrap_or_default();
    done.sort_by_key(|&(i, _)| i);
    let mut reports = done.into_iter().peekable();
    names
        .into_iter()
        .enumerate()
        .map(|(i, (name, scope))| {
            reports.next_if(|(j, _)| *j == i).map_or_else(
                || ModelReport::stopped(name, scope, "the check did not run".to_owned()),
                |(_, report)| report,
            )
        })
        .collect()
}

/// One connection under each rule set, each of `systems` (the default is
/// [`default_systems`]) and `delivery` (the default is [`DeliveryModel::default`]); the
/// reports come in that order, whatever `threads`. `cargo lifecycle check` runs these and
/// the sweep models: [`check_all_with_sweeps`].
///
/// ```
/// use nectar_lifecycle_models::{DeliveryModel, SystemModel, Threads, check_all};
///
/// let systems = [SystemModel { accounts: 1, ..SystemModel::default() }];
/// let reports = check_all(&systems, DeliveryModel::default(), Threads::Two);
/// assert_eq!(reports.len(), 4);
/// assert_eq!(reports[2].unique_states, 6_000);
/// assert!(reports.iter().all(|r| r.passes()));
/// ```
#[must_use]
pub fn check_all(
    systems: &[SystemModel],
    delivery: DeliveryModel,
    threads: Threads,
) -> Vec<ModelReport> {
    check_all_with_sweeps(systems, delivery, &[], threads)
}

/// The actions models `cargo lifecycle check` runs by default: [`ActionsModel::default`]
/// (the invitations: two episodes, an expiry, one ended by hand) and
/// [`ActionsModel::decisions`] (three detections), each with two crashes and two lost
/// answers.
///
/// ```
/// let actions = nectar_lifecycle_models::default_actions();
/// let shapes: Vec<_> = actions.iter().map(|m| (m.bounds.episodes, m.bounds.detections)).collect();
/// assert_eq!(shapes, [(2, 0), (0, 3)]);
/// ```
#[must_use]
pub fn default_actions() -> Vec<ActionsModel> {
    vec![ActionsModel::default(), ActionsModel::decisions()]
}

/// The models of [`check_all_with_actions`] without the actions models.
///
/// ```
/// use nectar_lifecycle_models::{
///     DeliveryModel, SweepBounds, SweepModel, SystemModel, Threads, check_all_with_sweeps,
/// };
///
/// let systems = [SystemModel { accounts: 1, ..SystemModel::default() }];
/// let sweep = SweepModel { bounds: SweepBounds { changes: 1, ..SweepBounds::default() }, bug: None };
/// let reports = check_all_with_sweeps(&systems, DeliveryModel::default(), &[sweep], Threads::Two);
/// assert_eq!(reports.len(), 5);
/// assert!(reports[4].name.starts_with("sweep"));
/// assert!(reports.iter().all(|r| r.passes()));
/// ```
#[must_use]
pub fn check_all_with_sweeps(
    systems: &[SystemModel],
    delivery: DeliveryModel,
    sweeps: &[SweepModel],
    threads: Threads,
) -> Vec<ModelReport> {
    check_all_with_actions(systems, delivery, sweeps, &[], threads)
}

/// The models `cargo lifecycle check` runs: those of [`check_all`], then each of `sweeps`
/// (the default is [`default_sweeps`]), then each of `actions` (the default is
/// [`default_actions`]), their reports last, in that order whatever `threads`. With two
/// workers they run after the system models.
///
/// ```
/// use nectar_lifecycle_models::{
///     ActionsModel, DeliveryModel, SystemModel, Threads, check_all_with_actions,
/// };
///
/// let systems = [SystemModel { accounts: 1, ..SystemModel::default() }];
/// let actions = [ActionsModel::decisions()];
/// let reports = check_all_with_actions(&systems, DeliveryModel::default(), &[], &actions, Threads::Two);
/// assert_eq!(reports.len(), 5);
/// assert!(reports[4].name.starts_with("actions, decisions"));
/// assert!(reports.iter().all(|r| r.passes()));
/// ```
#[must_use]
pub fn check_all_with_actions(
    systems: &[SystemModel],
    delivery: DeliveryModel,
    sweeps: &[SweepModel],
    actions: &[ActionsModel],
    threads: Threads,
) -> Vec<ModelReport> {
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for rules in [Rules::Documented, Rules::Operational] {
        let model = ConnectionModel::new(rules);
        jobs.push(Job {
            name: model.name(),
            scope: Scope::Lifecycle,
            run: Box::new(move || check(model)),
        });
    }
    for &model in systems {
        jobs.push(Job {
            name: model.name(),
            scope: Scope::Lifecycle,
            run: Box::new(move || check_system(model)),
        });
    }
    let stateright_threads = if threads == Threads::TwoForStateright {
        2
    } else {
        1
    };
    jobs.push(Job {
        name: delivery.name(),
        scope: Scope::Integration,
        run: Box::new(move || check_delivery_on(delivery, stateright_threads)),
    });
    let delivery_at = jobs.len() - 1;
    for &sweep in sweeps {
        jobs.push(Job {
            name: sweep.name(),
            scope: Scope::Integration,
            run: Box::new(move || check_integration(sweep, sweep.name(), stateright_threads)),
        });
    }
    for &model in actions {
        jobs.push(Job {
            name: model.name(),
            scope: Scope::Integration,
            run: Box::new(move || check_integration(model, model.name(), stateright_threads)),
        });
    }
    // The delivery model, then the system models by decreasing size (more connections,
    // then more accounts), then the sweep models, then the rest (the actions models).
    let mut by_size: Vec<usize> = (0..systems.len()).collect();
    by_size.sort_by_key(|&i| {
        systems
            .get(i)
            .map(|m| std::cmp::Reverse((m.connections, m.accounts)))
    });
    let order: Vec<usize> = std::iter::once(delivery_at)
        .chain(by_size.into_iter().map(|i| i + 2))
        .chain((1..=sweeps.len()).map(|i| delivery_at + i))
        .collect();
    let workers = if threads == Threads::Two { 2 } else { 1 };
    run_jobs(jobs, &order, workers)
}

impl ModelReport {
    fn fmt_properties(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.properties {
            match &p.counterexample {
                None => writeln!(f, "  PASS  always: {}", p.name)?,
                Some(path) => writeln!(
                    f,
                    "  FAIL  always: {}\n        counterexample: {path}",
                    p.name
                )?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for ModelReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "== {}", self.name)?;
        if let Some(why) = &self.incomplete {
            return writeln!(f, "  FAIL  the exploration stopped: {why}");
        }
        if self.scope == Scope::Integration {
            writeln!(
                f,
                "states {} | unique states {} | checker {:.2} s",
                self.states, self.unique_states, self.checker_seconds
            )?;
            return self.fmt_properties(f);
        }
        writeln!(
            f,
            "states {} | unique states {} (graph {}) | explored in {:.2} s | report {:.2} s",
            self.states,
            self.unique_states,
            self.graph_states,
            self.checker_seconds,
            self.graph_seconds
        )?;
        self.fmt_properties(f)?;
        let ok = |b: bool| if b { "PASS" } else { "FAIL" };
        writeln!(
            f,
            "  {}  recoverable: every reachable state can reach CONNECTED again ({} cannot)",
            ok(self.unrecoverable == 0),
            self.unrecoverable
        )?;
        writeln!(
            f,
            "  {}  edge coverage: {} table edges exercised, {} never, {} outside the table",
            ok(self.edges_extra.is_empty()),
            self.edges_exercised,
            self.edges_missing.len(),
            self.edges_extra.len()
        )?;
        for e in &self.edges_extra {
            writeln!(f, "        outside the table: {e}")?;
        }
        writeln!(f, "  reachability (shortest witness paths):")?;
        for r in &self.reachability {
            match &r.witness {
                Some(path) if path.is_empty() => writeln!(f, "    {:<40} initial state", r.status)?,
                Some(path) => writeln!(f, "    {:<40} {}", r.status, path.join(" -> "))?,
                None => writeln!(f, "    {:<40} UNREACHABLE", r.status)?,
            }
        }
        Ok(())
    }
}

/// The findings about the spec: what the published diagram cannot reach, and which of its
/// edges can never be taken.
#[must_use]
pub fn findings(reports: &[ModelReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let unreachable = r.unreachable();
        if !unreachable.is_empty() {
            let _ = writeln!(
                out,
                "FINDING ({}): never reachable from a new connection: {}",
                r.name,
                unreachable.join(", ")
            );
        }
        for e in &r.edges_missing {
            let _ = writeln!(out, "FINDING ({}): table edge never taken: {e}", r.name);
        }
    }
    if out.is_empty() {
        out.push_str("no findings\n");
    }
    out
}
