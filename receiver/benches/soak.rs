//! The load test (`tests/load/`) for as long as asked: rounds of the simulated histories of
//! many connections, delivered with Svix's disorder and forgeries mixed in, against one
//! receiver on SQLite or several sharing PostgreSQL, each round's end state checked before
//! the next; all rounds on one database, so it grows. Stops after `--seconds`; loopback
//! only.
//!
//! ```sh
//! cargo bench -p nectar-receiver --bench soak -- --seconds 600 --connections 500
//! NECTAR_TEST_POSTGRES_URL=$(bash scripts/postgres.sh url) \
//!     cargo bench -p nectar-receiver --bench soak -- --engine postgres --instances 3 --seconds 600
//! ```

#[path = "../tests/support/mod.rs"]
mod support;

use core::time::Duration;
use std::process::ExitCode;
use std::time::Instant;

use nectar_receiver::Engine;

use support::Harness;
use support::load::{Disorder, LoadPlan, run, verify};

const USAGE: &str = "\
cargo bench -p nectar-receiver --bench soak -- [FLAGS]

  --engine sqlite|postgres  the database (postgres: the server NECTAR_TEST_POSTGRES_URL names,
                            a fresh database on it)                       [sqlite]
  --instances N             receivers sharing the database (PostgreSQL)  [1; 2 on postgres]
  --connections N           connections per round                        [200]
  --changes N               the most changes per connection (at least 3) [8]
  --concurrency N           requests in flight at most                   [32]
  --seconds N               no round starts after this                   [20]
  --seed N                  the first round's seed (round r: seed + r)   [14]
";

#[derive(Debug)]
struct Flags {
    engine: Engine,
    instances: usize,
    connections: usize,
    changes: usize,
    concurrency: usize,
    seconds: u64,
    seed: u64,
}

fn flags() -> Result<Flags, String> {
    let given = support::flags::Flags::from_args(
        &[
            "--engine",
            "--instances",
            "--connections",
            "--changes",
            "--concurrency",
            "--seconds",
            "--seed",
        ],
        USAGE,
    )?;
    let engine = match given.text("--engine") {
        None | Some("sqlite") => Engine::Sqlite,
        Some("postgres") => Engine::Postgres,
        Some(other) => return Err(format!("--engine sqlite|postgres, not `{other}`")),
    };
    let instances = match engine {
        Engine::Sqlite => 1,
        Engine::Postgres => 2,
    };
    Ok(Flags {
        engine,
        instances: given.value("--instances", instances)?.max(1),
        connections: given.value("--connections", 200)?,
        changes: given.value("--changes", 8_usize)?.max(3),
        concurrency: given.value("--concurrency", 32_usize)?.max(1),
        seconds: given.value("--seconds", 20)?,
        seed: given.value("--seed", 14)?,
    })
}

fn main() -> ExitCode {
    support::flags::main(flags(), soak)
}

async fn soak(flags: Flags) {
    let Some(h) = Harness::start(flags.engine).await else {
        return;
    };
    let (mut load, others) = h.load_on(flags.instances, |_| {}).await;
    load.concurrency = flags.concurrency;
    println!("soak: {flags:?}");

    let started = Instant::now();
    let (mut requests, mut changes, mut notifications) = (0, 0, 0);
    let mut round = 0;
    while started.elapsed() < Duration::from_secs(flags.seconds) {
        let plan = LoadPlan::new(
            &format!("r{round}"),
            flags.connections,
            3..=flags.changes,
            Disorder::SVIX,
            flags.seed + round,
        );
        let report = run(&plan, &load, Duration::from_secs(600)).await;
        assert!(
            report.failures.is_empty(),
            "round {round}: {:#?}",
            report.failures
        );
        assert_eq!(report.server_errors(), 0, "round {round}: {report:?}");
        notifications += verify(&plan, &h.store).await;
        requests += report.attempts;
        changes += plan.changes();
        println!("round {round}: exact; {}", report.summary());
        round += 1;
    }
    println!(
        "soak: {round} rounds in {:.0?}, {requests} requests, {changes} changes, \
         {notifications} notifications, every round's end state exact",
        started.elapsed()
    );
    for other in others {
        other.stop().await;
    }
    h.stop().await;
}
