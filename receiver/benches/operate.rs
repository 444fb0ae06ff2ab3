//! Operating the receiver: what the worklist (`Store::worklist`, behind `GET /connections`
//! and the dashboard) and a metrics scrape's store reads (`Store::stats`) cost, against
//! reading one record (`Store::record_view`, behind `GET /connections/{id}`) in the same
//! run, on N stored connections (a quarter in a credential error, the rest spread over the
//! other statuses), on SQLite and on PostgreSQL.
//!
//! * **record** (the baseline): `record_view` of a random stored connection;
//! * **worklist page**: the first page of the end user's group (`needs=end_user`, 50 a
//!   page) with the counts of every group and status;
//! * **worklist, last page**: the page after the last-but-one cursor of everything, 200 a
//!   page;
//! * **stats**: the poll-job and outbox gauges a scrape reads.
//!
//! ```sh
//! cargo bench -p nectar-receiver --bench operate                          # SQLite
//! NECTAR_TEST_POSTGRES_URL=$(bash scripts/postgres.sh url) \
//!     cargo bench -p nectar-receiver --bench operate                      # and PostgreSQL
//! cargo bench -p nectar-receiver --bench operate -- --connections 20000 --runs 5
//! ```
//!
//! Loopback only. Prints a Markdown table of medians over the runs, their spread, and each
//! figure's ratio to the record read of the same run.

#[path = "../tests/support/mod.rs"]
mod support;

use std::future::Future;
use std::process::ExitCode;
use std::time::Instant;

use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::{Company, ConnectionPayload, Observation};
use nectar_receiver::{Engine, Needs, Store, WorklistQuery};

use support::figures::{Ratio, Samples, Time};
use support::{TestDb, connection};

/// The statuses the stored connections are in, in turn (a quarter in a credential error).
const STATUSES: [S; 8] = [
    S::PasswordIncorrect,
    S::Connected,
    S::Connected,
    S::MfaTokenExpired,
    S::Pending,
    S::WebsiteDown,
    S::Connected,
    S::UnderInvestigation,
];

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The mean time of `times` calls of `call`, in seconds.
async fn mean<F: Future<Output = ()>>(times: usize, mut call: impl FnMut(usize) -> F) -> f64 {
    let started = Instant::now();
    for i in 0..times {
        call(i).await;
    }
    started.elapsed().as_secs_f64() / times as f64
}

async fn seeded(engine: Engine, connections: usize) -> Option<(TestDb, Store)> {
    let db = TestDb::create(engine).await?;
    let store = db.open().await;
    let now = Timestamp::now();
    for i in 0..connections {
        let payload = ConnectionPayload {
            company: Some(Company {
                id: Some("co".to_owned()),
                ..Company::default()
            }),
            ..connection(&format!("c-{i:06}"), STATUSES[i % STATUSES.len()], 0)
        };
        store
            .observe(Observation::Snapshot(&payload), now)
            .await
            .expect("stored");
    }
    Some((db, store))
}

#[derive(Default)]
struct Figures {
    record: Samples,
    page: Samples,
    last_page: Samples,
    stats: Samples,
}

async fn run(engine: Engine, connections: usize, figures: &mut Figures) -> bool {
    let Some((db, store)) = seeded(engine, connections).await else {
        return false;
    };
    let mut rng = fastrand::Rng::with_seed(7);
    let ids: Vec<String> = (0..200)
        .map(|_| format!("c-{:06}", rng.usize(0..connections)))
        .collect();
    let record = mean(ids.len(), |i| {
        let store = &store;
        let id = &ids[i];
        async move {
            store.record_view(id).await.expect("read").expect("stored");
        }
    })
    .await;
    let group = WorklistQuery {
        needs: Some(Needs::EndUser),
        limit: 50,
        ..WorklistQuery::default()
    };
    let page = mean(50, |_| {
        let (store, group) = (&store, &group);
        async move {
            let page = store.worklist(group).await.expect("a page");
            assert_eq!(page.connections.len(), 50);
        }
    })
    .await;
    let cursor = format!("c-{:06}", connections.saturating_sub(201));
    let last = WorklistQuery {
        cursor: Some(cursor),
        limit: 200,
        ..WorklistQuery::default()
    };
    let last_page = mean(20, |_| {
        let (store, last) = (&store, &last);
        async move {
            let page = store.worklist(last).await.expect("a page");
            assert_eq!(page.connections.len(), 200);
        }
    })
    .await;
    let stats = mean(50, |_| {
        let store = &store;
        async move {
            store.stats(Timestamp::now(), true).await.expect("stats");
        }
    })
    .await;
    figures.record.push(record);
    figures.page.push(page);
    figures.last_page.push(last_page);
    figures.stats.push(stats);
    store.close().await;
    db.remove().await;
    true
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let connections = arg("--connections", 10_000);
    let runs = arg("--runs", 3);
    println!("{connections} connections stored, {runs} runs per engine\n");
    println!("| engine | figure | median (min-max) | ratio to a record read |");
    println!("| --- | --- | --- | --- |");
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let mut figures = Figures::default();
        let mut ran = false;
        for _ in 0..runs {
            ran = run(engine, connections, &mut figures).await;
            if !ran {
                break;
            }
        }
        if !ran {
            eprintln!("{engine}: not available here (set NECTAR_TEST_POSTGRES_URL)");
            continue;
        }
        let baseline = figures.record.median();
        for (name, samples) in [
            ("record read (`GET /connections/{id}`)", &figures.record),
            ("worklist page, end user, 50", &figures.page),
            ("worklist, last page of all, 200", &figures.last_page),
            ("a scrape's store reads (`stats`)", &figures.stats),
        ] {
            println!(
                "| {engine} | {name} | {} | {} |",
                samples.spread(|s| Time(s).to_string()),
                Ratio(samples.median() / baseline)
            );
        }
    }
    ExitCode::SUCCESS
}
