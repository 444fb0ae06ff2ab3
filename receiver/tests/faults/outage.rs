//! A database outage: the PostgreSQL server stopped in the middle of a load run on two
//! receivers, then started again. While it is down, every delivery and `/readyz` are
//! answered 503 within the pool's acquire timeout (Svix retries; nothing hangs, nothing is
//! a 500); once it is back, the same receivers recover by themselves, and Svix's retries
//! leave the end state exact.

use core::time::Duration;
use std::process::Command;
use std::sync::Arc;

use axum::http::StatusCode;
use nectar_receiver::{Config, Engine};
use tokio::time::Instant;

use crate::support::load::{Background, Disorder, Faults, LoadPlan, seed, verify};
use crate::support::{Harness, POSTGRES_URL_VAR, eventually};

/// `scripts/postgres.sh`, which started the test server.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/postgres.sh");

/// The outage starts once this share of the run's requests has been answered.
const DOWN_AT: f64 = 0.3;
/// How long the server stays down.
const DOWN_FOR: Duration = Duration::from_secs(2);
/// How long a request may wait for a database connection here (5 s by default).
const ACQUIRE: Duration = Duration::from_secs(1);
/// An answer while the database is down comes within this: the acquire timeout, and room
/// for a noisy machine; far below the request timeout (10 s) and Svix's 15 s.
const PROMPT: Duration = Duration::from_secs(4);

/// `bash scripts/postgres.sh ACTION`.
fn postgres_sh(action: &str) -> Result<String, String> {
    let output = Command::new("bash")
        .arg(SCRIPT)
        .arg(action)
        .output()
        .map_err(|err| err.to_string())?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Whether the test server is the one `scripts/postgres.sh` runs (so that it may be
/// stopped); says why not on stderr.
fn pausable() -> bool {
    let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
        eprintln!("{POSTGRES_URL_VAR} is not set: the outage is not run");
        return false;
    };
    match postgres_sh("url") {
        Ok(script_url) if script_url == url => true,
        _ => {
            eprintln!(
                "{POSTGRES_URL_VAR} is not the server of scripts/postgres.sh (same \
                 NECTAR_POSTGRES_DIR?): the outage is not run"
            );
            false
        }
    }
}

/// The server stopped; started again when ended, or dropped (a failing test leaves it up).
struct Outage {
    over: bool,
}

impl Outage {
    fn begin() -> Self {
        postgres_sh("pause").expect("the server stops");
        Self { over: false }
    }

    fn end(mut self) {
        self.over = true;
        postgres_sh("resume").expect("the server starts again");
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        if !self.over {
            let _best_effort = postgres_sh("resume");
        }
    }
}

fn short_acquire(config: &mut Config) {
    config.timeouts.acquire = ACQUIRE;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_stops_and_comes_back() {
    let _exclusive = crate::POSTGRES.write().await;
    if !pausable() {
        return;
    }
    let Some(h) = Harness::start_with(Engine::Postgres, short_acquire).await else {
        return;
    };
    let (mut load, others) = h.load_on(2, short_acquire).await;
    let plan = Arc::new(LoadPlan::new("conn", 80, 3..=6, Disorder::SVIX, seed()));
    load.faults = Faults::Injected {
        give_up_after: Duration::from_secs(30),
    };
    let run = Background::start(&plan, load, Duration::from_secs(45));

    run.until_answered(DOWN_AT).await;
    let outage = Outage::begin();
    let down_since = Instant::now();
    let answered_before = run.answered();
    let asked = Instant::now();
    let health = h.get("/readyz").await;
    let health_took = asked.elapsed();
    // Liveness touches nothing: the process answers, so nothing restarts it.
    let alive = h.get("/healthz").await;
    tokio::time::sleep(DOWN_FOR.saturating_sub(down_since.elapsed())).await;
    let answered_during = run.answered() - answered_before;
    outage.end();
    eventually("/readyz to answer 200 again", || async {
        (h.get("/readyz").await.status == StatusCode::OK).then_some(())
    })
    .await;
    let recovered_in = down_since.elapsed();

    let report = run.finish().await;
    eprintln!(
        "PostgreSQL down for {DOWN_FOR:?} after {answered_before} requests; {answered_during} \
         answered while down; /readyz answered {} in {health_took:.0?}; ready again \
         {recovered_in:.1?} after the stop; {}",
        health.status,
        report.summary()
    );
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.body["database"]["ok"], false, "{}", health.body);
    assert_eq!(alive.status, StatusCode::OK);
    assert!(health_took < PROMPT, "{health_took:?}");
    assert!(report.failures.is_empty(), "{:#?}", report.failures);
    let unavailable = report.statuses.get(&503).copied().unwrap_or(0);
    assert!(
        unavailable > 0,
        "no 503 while the database was down: {report:?}"
    );
    assert_eq!(
        report.server_errors(),
        unavailable,
        "a 5xx other than 503: {report:?}"
    );
    assert_eq!(report.unanswered, 0, "{report:?}");
    assert!(report.slowest_5xx < PROMPT, "{report:?}");
    let notifications = verify(&plan, &h.store).await;
    eprintln!(
        "PostgreSQL: after the outage, {} records and {notifications} notifications exact",
        plan.connections.len()
    );

    for other in others {
        other.stop().await;
    }
    h.stop().await;
}
