//! Load and disorder: the simulated histories of many connections, delivered as Svix would
//! (duplicates, races, reordering, drops, forgeries mixed in), against two receivers sharing
//! one PostgreSQL database and against one receiver on SQLite; then every record, every
//! outbox and the poll jobs are checked against what the library derives from each history
//! (`tests/support/load.rs`). Bounded in count and time, loopback only. Replay a failed run
//! with `NECTAR_LOAD_SEED=<seed>`.

#[path = "../support/mod.rs"]
mod support;

use core::time::Duration;

use nectar_receiver::Engine;

use support::load::{Disorder, LoadPlan, run, seed, verify};
use support::{Harness, bounded};

/// Connections per run, and the changes of each (the creation not counted).
const CONNECTIONS: usize = 120;
const CHANGES: core::ops::RangeInclusive<usize> = 3..=8;

/// The whole run, deliveries and polls, within this.
const RUN_BUDGET: Duration = Duration::from_secs(45);

/// Runs the plan against the harness's receiver and, when `instances` is 2, a second one on
/// the same database; checks the end state; no request may get a 5xx or go unanswered.
async fn load_and_disorder(engine: Engine, instances: usize) {
    let Some(h) = Harness::start(engine).await else {
        return;
    };
    let (load, others) = h.load_on(instances, |_| {}).await;
    let plan = LoadPlan::new("conn", CONNECTIONS, CHANGES, Disorder::SVIX, seed());

    let report = bounded(run(&plan, &load, RUN_BUDGET)).await;
    eprintln!("{engine}, {instances} instance(s): {}", report.summary());
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    assert_eq!(report.server_errors(), 0, "{report:?}");
    assert_eq!(report.unanswered, 0, "{report:?}");
    assert!(
        report.polled_gaps > 0 && report.final_polls > 0,
        "{report:?}"
    );
    let notifications = verify(&plan, &h.store).await;
    eprintln!(
        "{engine}: {} records and {notifications} notifications exact ({} changes)",
        plan.connections.len(),
        plan.changes()
    );

    for other in others {
        other.stop().await;
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_one_instance() {
    load_and_disorder(Engine::Sqlite, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_instances() {
    load_and_disorder(Engine::Postgres, 2).await;
}
