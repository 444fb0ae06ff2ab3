//! Model checking speed against a reference: Gray and Lamport's two-phase commit (TwoPhase,
//! from "Consensus on Transaction Commit") with 8 resource managers, written the way
//! stateright's own `examples/2pc.rs` writes it (state in `Vec`s and a `BTreeSet`, BFS, one
//! thread, no symmetry reduction), against the system model's one exploration (invariants,
//! reachability, coverage and recoverability together), in the same run.
//!
//! ```text
//! cargo bench -p nectar-lifecycle-models --bench two_phase [-- ROUNDS]
//! ```
//!
//! Each round runs every checker once, in turn; the report is each one's unique states per
//! second, median over the rounds, and its ratio to the reference's median. Only the ratios
//! mean anything across machines.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::ops::Range;
use std::time::Instant;

use nectar_lifecycle_models::{SystemModel, check_system};
use stateright::{Checker, Model, Property};

/// A resource manager's number.
type R = usize;

/// The two-phase commit system: resource managers `rms` and one transaction manager.
#[derive(Clone)]
struct TwoPhaseSys {
    rms: Range<R>,
}

#[derive(Clone, Debug, Eq, Hash, PartialEq)]
struct TwoPhaseState {
    rm_state: Vec<RmState>,
    tm_state: TmState,
    tm_prepared: Vec<bool>,
    msgs: BTreeSet<Message>,
}

#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
enum Message {
    Prepared { rm: R },
    Commit,
    Abort,
}

#[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
enum RmState {
    Working,
    Prepared,
    Committed,
    Aborted,
}

#[derive(Clone, Debug, Eq, Hash, PartialEq)]
enum TmState {
    Init,
    Committed,
    Aborted,
}

#[derive(Clone, Debug, PartialEq)]
enum Action {
    TmRcvPrepared(R),
    TmCommit,
    TmAbort,
    RmPrepare(R),
    RmChooseToAbort(R),
    RmRcvCommitMsg(R),
    RmRcvAbortMsg(R),
}

impl Model for TwoPhaseSys {
    type State = TwoPhaseState;
    type Action = Action;

    fn init_states(&self) -> Vec<Self::State> {
        vec![TwoPhaseState {
            rm_state: self.rms.clone().map(|_| RmState::Working).collect(),
            tm_state: TmState::Init,
            tm_prepared: self.rms.clone().map(|_| false).collect(),
            msgs: BTreeSet::new(),
        }]
    }

    fn actions(&self, state: &Self::State, actions: &mut Vec<Self::Action>) {
        if state.tm_state == TmState::Init && state.tm_prepared.iter().all(|p| *p) {
            actions.push(Action::TmCommit);
        }
        if state.tm_state == TmState::Init {
            actions.push(Action::TmAbort);
        }
        for rm in self.rms.clone() {
            if state.tm_state == TmState::Init && state.msgs.contains(&Message::Prepared { rm }) {
                actions.push(Action::TmRcvPrepared(rm));
            }
            if state.rm_state.get(rm) == Some(&RmState::Working) {
                actions.push(Action::RmPrepare(rm));
            }
            if state.rm_state.get(rm) == Some(&RmState::Working) {
                actions.push(Action::RmChooseToAbort(rm));
            }
            if state.msgs.contains(&Message::Commit) {
                actions.push(Action::RmRcvCommitMsg(rm));
            }
            if state.msgs.contains(&Message::Abort) {
                actions.push(Action::RmRcvAbortMsg(rm));
            }
        }
    }

    fn next_state(&self, last_state: &Self::State, action: Self::Action) -> Option<Self::State> {
        let mut state = last_state.clone();
        match action {
            Action::TmRcvPrepared(rm) => *state.tm_prepared.get_mut(rm)? = true,
            Action::TmCommit => {
                state.tm_state = TmState::Committed;
                state.msgs.insert(Message::Commit);
            }
            Action::TmAbort => {
                state.tm_state = TmState::Aborted;
                state.msgs.insert(Message::Abort);
            }
            Action::RmPrepare(rm) => {
                *state.rm_state.get_mut(rm)? = RmState::Prepared;
                state.msgs.insert(Message::Prepared { rm });
            }
            Action::RmChooseToAbort(rm) | Action::RmRcvAbortMsg(rm) => {
                *state.rm_state.get_mut(rm)? = RmState::Aborted;
            }
            Action::RmRcvCommitMsg(rm) => *state.rm_state.get_mut(rm)? = RmState::Committed,
        }
        Some(state)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::<Self>::sometimes("abort agreement", |_, state| {
                state.rm_state.iter().all(|s| s == &RmState::Aborted)
            }),
            Property::<Self>::sometimes("commit agreement", |_, state| {
                state.rm_state.iter().all(|s| s == &RmState::Committed)
            }),
            Property::<Self>::always("consistent", |_, state| {
                !state.rm_state.iter().any(|s1| {
                    state
                        .rm_state
                        .iter()
                        .any(|s2| s1 == &RmState::Aborted && s2 == &RmState::Committed)
                })
            }),
        ]
    }
}

/// One run: unique states and seconds.
fn run(job: &Job) -> (usize, f64) {
    let start = Instant::now();
    let unique = match job {
        Job::Reference => {
            let checker = TwoPhaseSys { rms: 0..8 }
                .checker()
                .threads(1)
                .spawn_bfs()
                .join();
            assert!(checker.discovery("consistent").is_none());
            checker.unique_state_count()
        }
        Job::System(model) => {
            let report = check_system(*model);
            assert!(report.passes(), "{report}");
            report.unique_states
        }
        Job::SystemUnderStateright(model) => {
            let checker = model.checker().threads(1).spawn_bfs().join();
            checker.unique_state_count()
        }
    };
    (black_box(unique), start.elapsed().as_secs_f64())
}

enum Job {
    Reference,
    System(SystemModel),
    SystemUnderStateright(SystemModel),
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    // `cargo bench` passes `--bench`; a number is the rounds.
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(3)
        .max(1);
    let one_by_three = SystemModel::default();
    let two_by_one = SystemModel {
        connections: 2,
        accounts: 1,
        ..SystemModel::default()
    };
    let jobs = [
        (
            "two-phase commit, 8 RMs (reference, stateright)",
            Job::Reference,
        ),
        (
            "system 1x3 reduced, one exploration",
            Job::System(one_by_three),
        ),
        (
            "system 2x1 reduced, one exploration",
            Job::System(two_by_one),
        ),
        (
            "system 1x3 reduced, stateright BFS (invariants only)",
            Job::SystemUnderStateright(one_by_three),
        ),
    ];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); jobs.len()];
    let mut uniques = vec![0; jobs.len()];
    for round in 0..rounds {
        for (i, (name, job)) in jobs.iter().enumerate() {
            let (unique, seconds) = run(job);
            #[allow(clippy::cast_precision_loss, reason = "a rate")]
            let rate = unique as f64 / seconds.max(f64::EPSILON);
            eprintln!("round {round}: {name}: {unique} unique states in {seconds:.2} s");
            if let Some(r) = rates.get_mut(i) {
                r.push(rate);
            }
            if let Some(u) = uniques.get_mut(i) {
                *u = unique;
            }
        }
    }
    let medians: Vec<f64> = rates.into_iter().map(median).collect();
    let reference = medians.first().copied().unwrap_or(f64::NAN);
    println!(
        "| checker | unique states | unique states / s (median of {rounds}) | ratio to the reference |"
    );
    println!("| --- | --- | --- | --- |");
    for (((name, _), rate), unique) in jobs.iter().zip(&medians).zip(&uniques) {
        println!(
            "| {name} | {unique} | {rate:.0} | {:.2}x |",
            rate / reference
        );
    }
}
