//! Instruction counts, under valgrind's callgrind through `gungraun`: `Connection::apply` and
//! the policy queries against the same hand-written baselines as the `transitions` bench,
//! over the same inputs. Wall-clock ratios swing on a shared machine; instruction counts do
//! not, so the targets are judged on both.
//!
//! Needs valgrind and the runner of the same version as the library:
//! `cargo install gungraun-runner --version 0.20.0`, then
//! `cargo bench -p nectar-lifecycle-core --bench instructions`.
//!
//! Each benchmark takes its input from a setup function (not counted) and hands it back, so
//! neither building nor dropping it is counted: only the loop over the pairs or statuses.

// gungraun's macros generate undocumented modules for the benchmarks and groups.
#![allow(missing_docs)]

mod baseline;

use std::hint::black_box;

use baseline::{
    all_machines, all_statuses, check_due_loop, collection_loop, diagram_machines, diagram_pairs,
    halt_and_retry_loop, hand_policy_loop, hand_written, policy_connections, policy_instants,
    sum_reached,
};
use gungraun::{library_benchmark, library_benchmark_group, main};
use jiff::Timestamp;
use nectar_lifecycle_core::{Connection, ConnectionEvent as E, ConnectionStatus as S};

/// Statuses and events, for the hand-written match.
type Pairs = Vec<(S, E)>;
/// Connections and events, for `apply`.
type Machines = Vec<(Connection, E)>;

#[library_benchmark]
#[bench::diagram_190_pairs(setup = diagram_pairs)]
#[bench::all_702_pairs(setup = all_statuses)]
fn hand_written_match(pairs: Pairs) -> (usize, Pairs) {
    let reached = sum_reached(black_box(&pairs), |(s, e)| hand_written(s, e));
    (black_box(reached), pairs)
}

#[library_benchmark]
#[bench::diagram_190_pairs(setup = diagram_machines)]
#[bench::all_702_pairs(setup = all_machines)]
fn connection_apply(machines: Machines) -> (usize, Machines) {
    let reached = sum_reached(black_box(&machines), |(mut m, e)| {
        m.apply(e).ok().map(|t| t.to)
    });
    (black_box(reached), machines)
}

library_benchmark_group!(
    name = transitions,
    benchmarks = [hand_written_match, connection_apply]
);

/// The policy benches' inputs: one connection per status, `now` and their last checks.
type Policy = (Vec<Connection>, Timestamp, Vec<Timestamp>);

fn policy_inputs() -> Policy {
    let (now, lasts) = policy_instants();
    (policy_connections(), now, lasts)
}

// The fixed cost of a policy bench: taking the input and handing it back, nothing else.
#[library_benchmark]
#[bench::statuses_13(setup = policy_inputs)]
fn policy_overhead(input: Policy) -> (usize, Policy) {
    (black_box(0), input)
}

#[library_benchmark]
#[bench::statuses_13(setup = policy_inputs)]
fn policy_hand_written_match(input: Policy) -> (usize, Policy) {
    (black_box(hand_policy_loop()), input)
}

#[library_benchmark]
#[bench::statuses_13(setup = policy_inputs)]
fn credential_halt_and_weekly_retry(input: Policy) -> (usize, Policy) {
    (black_box(halt_and_retry_loop(&input.2)), input)
}

#[library_benchmark]
#[bench::statuses_13(setup = policy_inputs)]
fn collection(input: Policy) -> (usize, Policy) {
    (black_box(collection_loop(&input.0)), input)
}

#[library_benchmark]
#[bench::statuses_13(setup = policy_inputs)]
fn check_due(input: Policy) -> (usize, Policy) {
    (
        black_box(check_due_loop(&input.0, &input.2, input.1)),
        input,
    )
}

library_benchmark_group!(
    name = policy,
    benchmarks = [
        policy_overhead,
        policy_hand_written_match,
        credential_halt_and_weekly_retry,
        collection,
        check_due
    ]
);

main!(library_benchmark_groups = transitions, policy);
