//! The fleet scheduler at 1k, 100k and 1M connections (three accounts each), in the same run
//! as two baselines: the floor (one pass reading every connection and account, deciding
//! nothing) and the loop a user would write by hand for the weekly rule alone.
//!
//! `cargo bench --bench scheduler`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_core::policy::{CHECK_INTERVAL, FleetEntry, schedule};
use nectar_lifecycle_core::{Account, Connection, Rules};

/// A fleet cycling through every connection state, last checks spread over two weeks, and
/// accounts cycling through every account state.
fn fleet_data(
    n: usize,
) -> (
    Vec<Connection>,
    Vec<Option<Timestamp>>,
    Vec<Account>,
    Timestamp,
) {
    let now: Timestamp = "2026-11-25T00:00:00Z".parse().expect("timestamp");
    let states: Vec<Connection> = Connection::all_states(Rules::Operational).collect();
    let account_states: Vec<Account> = Account::all_states().collect();
    let conns = (0..n).map(|i| states[i % states.len()]).collect();
    let lasts = (0..n)
        .map(|i| {
            let ago = SignedDuration::from_mins(i64::try_from(i % 20_160).expect("small"));
            (i % 97 != 0).then(|| now - ago)
        })
        .collect();
    let accounts = (0..n * 3)
        .map(|i| account_states[i % account_states.len()])
        .collect();
    (conns, lasts, accounts, now)
}

/// The baseline: what a user writes for "due a week after the last check", with no
/// lifecycle knowledge (every status checked, every account pulled).
fn naive(
    conns: &[Connection],
    lasts: &[Option<Timestamp>],
    now: Timestamp,
) -> (Vec<usize>, Vec<(usize, usize)>) {
    let mut due = Vec::new();
    let mut accounts = Vec::new();
    for (c, (_conn, last)) in conns.iter().zip(lasts).enumerate() {
        if last.is_none_or(|l| l + CHECK_INTERVAL <= now) {
            due.push(c);
            accounts.extend((0..3).map(|a| (c, a)));
        }
    }
    (due, accounts)
}

/// The floor: one pass that reads every input the scheduler reads and decides nothing.
fn read_floor(fleet: &[FleetEntry<'_>]) -> usize {
    fleet
        .iter()
        .map(|e| {
            e.connection.status() as usize
                + usize::from(e.last_check.is_some())
                + e.accounts
                    .iter()
                    .map(|a| a.status() as usize)
                    .sum::<usize>()
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("scheduler");
    group.sample_size(10);
    for n in [1_000usize, 100_000, 1_000_000] {
        let (conns, lasts, accounts, now) = fleet_data(n);
        let fleet: Vec<FleetEntry<'_>> = (0..n)
            .map(|i| FleetEntry {
                connection: conns[i],
                last_check: lasts[i],
                accounts: &accounts[i * 3..i * 3 + 3],
            })
            .collect();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("schedule", n), &fleet, |b, fleet| {
            b.iter(|| schedule(black_box(fleet), black_box(now)));
        });
        group.bench_with_input(
            BenchmarkId::new("floor_read_only", n),
            &fleet,
            |b, fleet| {
                b.iter(|| read_floor(black_box(fleet)));
            },
        );
        group.bench_with_input(BenchmarkId::new("naive_weekly_loop", n), &n, |b, _| {
            b.iter(|| naive(black_box(&conns), black_box(&lasts), black_box(now)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
