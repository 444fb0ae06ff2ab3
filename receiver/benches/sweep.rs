//! A full sweep of one company's connections (10,000 by default) against a loopback double
//! of Nectar's API (`tests/support/nectar_api.rs`, pages of 500, the receiver's default
//! limit), on SQLite and on PostgreSQL: the requests it makes, its wall time, and where the
//! time goes, against three baselines measured in the same run on the same snapshots:
//!
//! * the decision alone: the library's `reconcile` + `Record::after` in a loop, no I/O;
//! * the double alone: plain `GET`s of each page with reqwest, no database (and, apart, the
//!   library's parse of those page bodies);
//! * the database alone: `Store::observe_listed` (the sweep's own call: `Store::observe`'s
//!   transaction plus the "listed" mark) of each snapshot, no HTTP.
//!
//! Each is measured for a first sweep (every connection new) and a second sweep of the
//! unchanged list (every connection a duplicate). Peak memory is measured in a child process
//! per sweep (this binary again, `--probe-memory ENGINE`), at a quarter of the connections and
//! at all of them: the growth of `VmHWM` (`/proc/self/status`) during the sweep, over the
//! resident set at its start, so that a fresh process shows whether the sweep holds the list
//! (growth with the count) or each page as it arrives (growth flat).
//!
//! ```sh
//! cargo bench -p nectar-receiver --bench sweep                         # SQLite
//! NECTAR_TEST_POSTGRES_URL=$(bash scripts/postgres.sh url) \
//!     cargo bench -p nectar-receiver --bench sweep                     # and PostgreSQL
//! cargo bench -p nectar-receiver --bench sweep -- --connections 2000 --runs 5
//! ```
//!
//! Flags: `--connections N` (10000), `--runs N` (3). Loopback only. Prints Markdown tables
//! of medians with their spread (min-max over the runs) and ratios from this one run.

#[path = "../tests/support/mod.rs"]
mod support;

use core::time::Duration;
use std::collections::HashMap;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use jiff::Timestamp;
use nectar_lifecycle::webhook::{
    AccountPayload, Company, CompanyListQuery, ConnectionPayload, Datasource, MAX_LIST_BODY_BYTES,
    Observation, PageLimit, PageNumber, Record, parse_company_page_with_limit, reconcile,
};
use nectar_lifecycle::{AccountStatus, ConnectionStatus};
use nectar_receiver::{
    ApiKey, Config, Engine, NectarClient, Store, StoreOptions, SweepReport, Sweeper,
};

use support::figures::{Samples, Time};
use support::nectar_api::{DOUBLE_API_KEY, NectarApi};
use support::{POSTGRES_URL_VAR, TestDb, flags};

const USAGE: &str = "\
cargo bench -p nectar-receiver --bench sweep -- [FLAGS]

  --connections N  connections of the one company swept    [10000]
  --runs N         repetitions of each measurement          [3]

PostgreSQL too when NECTAR_TEST_POSTGRES_URL names a server (a database is created on it
for each sweep and dropped after).
";

/// The one company swept.
const COMPANY: &str = "bench-company";

/// The page limit the receiver asks for by default (`Sweeping::page_limit`).
const PAGE: PageLimit = PageLimit::MAX;

/// What the run is asked to do.
#[derive(Debug, Clone)]
struct Flags {
    connections: usize,
    runs: usize,
    /// Set in a child process: one sweep of this engine, its memory printed.
    probe: Option<String>,
}

impl Flags {
    fn from_args() -> Result<Self, String> {
        let given = flags::Flags::from_args(&["--connections", "--runs", "--probe-memory"], USAGE)?;
        Ok(Self {
            connections: given.value("--connections", 10_000_usize)?.max(1),
            runs: given.value("--runs", 3_usize)?.max(1),
            probe: given.text("--probe-memory").map(str::to_owned),
        })
    }
}

/// Connection `i` of [`COMPANY`] as Nectar lists it: connected, with one account and the
/// usual fields filled in.
fn snapshot(i: usize) -> ConnectionPayload {
    let at: Timestamp = "2026-11-25T09:00:00Z".parse().expect("a timestamp");
    ConnectionPayload {
        updated: Some(at.to_string()),
        created: Some(at.to_string()),
        status_last_update_time: Some(at),
        status_first_seen_time: Some(at),
        is_active: Some(true),
        external_id: Some(format!("site-{i}")),
        datasource: Some(Datasource {
            name: Some("Pacific Gas & Electric".to_owned()),
            url: Some("https://www.pge.com".to_owned()),
        }),
        accounts: vec![AccountPayload {
            id: Some(format!("acct-{i}")),
            account_number: Some(format!("{:010}", i * 7919)),
            status: Some(AccountStatus::Onboarded.into()),
            is_tracked: Some(true),
            ..AccountPayload::default()
        }],
        company: Some(Company {
            id: Some(COMPANY.to_owned()),
            name: Some("Bench Company".to_owned()),
            external_id: Some("bench".to_owned()),
        }),
        url: Some("https://www.pge.com/login".to_owned()),
        country: Some("US".to_owned()),
        username: Some(format!("user-{i}@example.com")),
        ..ConnectionPayload::new(format!("{COMPANY}-{i}"), ConnectionStatus::Connected)
    }
}

fn snapshots(n: usize) -> Vec<ConnectionPayload> {
    (0..n).map(snapshot).collect()
}

/// The double of Nectar's API, listing `n` connections of [`COMPANY`].
async fn seeded_double(n: usize) -> NectarApi {
    let api = NectarApi::start().await;
    for i in 0..n {
        api.put(COMPANY, snapshot(i));
    }
    api
}

/// A fresh database of `engine` for one measurement (the suites' own, `support::TestDb`),
/// or why there is none.
async fn fresh_db(engine: Engine) -> Result<TestDb, String> {
    TestDb::create(engine)
        .await
        .ok_or_else(|| format!("{POSTGRES_URL_VAR} is not set"))
}

/// The receiver's configuration for `db`, sweeping [`COMPANY`] through `api`, otherwise the
/// defaults (10 requests in flight, pages of 500).
fn config(db: &TestDb, api: &NectarApi) -> Config {
    let mut config = Config::new(db.url().clone());
    config.api = nectar_receiver::NectarApi {
        base_url: api.base_url(),
        key: Some(ApiKey::new(DOUBLE_API_KEY)),
    };
    config.sweeping.companies = vec![COMPANY.to_owned()];
    config
}

/// A store on `db` and a sweeper of [`COMPANY`] on it, not running.
async fn open_sweeper(db: &TestDb, api: &NectarApi) -> (Store, Sweeper) {
    let config = config(db, api);
    let store = Store::open(db.url(), StoreOptions::from(&config))
        .await
        .expect("the bench database opens");
    let client = NectarClient::new(&config).expect("a client of the double");
    let sweeper = Sweeper::new(config.sweeping.clone(), store.clone(), client);
    (store, sweeper)
}

/// One sweep as measured: its report, its wall time, the list requests it made.
struct Swept {
    report: SweepReport,
    wall: Duration,
    requests: u64,
}

/// Makes [`COMPANY`]'s sweep due and runs it to the end.
async fn sweep_once(store: &Store, sweeper: &Sweeper, api: &NectarApi) -> Swept {
    store
        .schedule_sweeps(&[COMPANY.to_owned()], Timestamp::now())
        .await
        .expect("the sweep is scheduled");
    let before = api.stats().list_requests;
    let started = Instant::now();
    let mut reports = sweeper.sweep_due().await.expect("the sweep is claimed");
    let wall = started.elapsed();
    let requests = api.stats().list_requests - before;
    let report = match reports.pop() {
        Some((_, Ok(report))) => report,
        Some((_, Err(err))) => panic!("the sweep failed: {err}"),
        None => panic!("no sweep was due"),
    };
    Swept {
        report,
        wall,
        requests,
    }
}

/// Each phase's samples: per connection unless named otherwise.
#[derive(Debug, Default)]
struct EngineSamples {
    sweep_new: Samples,
    sweep_dup: Samples,
    store_new: Samples,
    store_dup: Samples,
    /// Wall times of whole sweeps.
    wall_new: Samples,
    wall_dup: Samples,
    /// The last run's reports and request counts (the same every run).
    first: Option<(SweepReport, u64)>,
    second: Option<(SweepReport, u64)>,
}

#[derive(Debug, Default)]
struct Baselines {
    decide_new: Samples,
    decide_dup: Samples,
    /// Per page.
    get_page: Samples,
    /// Per connection.
    parse: Samples,
}

/// The library's decision on every snapshot, no I/O: first against no record, then against
/// the record it made (a duplicate). Per connection.
fn time_decision(snapshots: &[ConnectionPayload]) -> (f64, f64) {
    let mut records: HashMap<&str, Record> = HashMap::with_capacity(snapshots.len());
    let mut pass = || {
        let started = Instant::now();
        for snapshot in snapshots {
            let seen = Observation::Snapshot(snapshot);
            let stored = records.get(snapshot.id.as_str());
            let decision = reconcile(stored, seen);
            if let Some(next) = Record::after(stored, seen, &decision) {
                records.insert(&snapshot.id, next);
            }
            black_box(&decision);
        }
        started.elapsed().as_secs_f64() / snapshots.len() as f64
    };
    let new = pass();
    let dup = pass();
    (new, dup)
}

/// Plain `GET`s of every page from the double, one after the other on one client (as a
/// sweep reads them); per page, and the bodies.
async fn time_pages(http: &reqwest::Client, api: &NectarApi, pages: u32) -> (f64, Vec<Vec<u8>>) {
    let urls: Vec<String> = (1..=pages)
        .map(|page| {
            let page = PageNumber::new(page).expect("a page from 1");
            let query = CompanyListQuery::new(COMPANY).per_page(PAGE).at_page(page);
            format!("{}{}", api.base_url(), query.path())
        })
        .collect();
    let mut bodies = Vec::with_capacity(urls.len());
    let started = Instant::now();
    for url in &urls {
        let response = http
            .get(url)
            .header("x-api-key", DOUBLE_API_KEY)
            .send()
            .await
            .expect("the double answers");
        assert!(response.status().is_success(), "{}", response.status());
        bodies.push(response.bytes().await.expect("a page").to_vec());
    }
    let per_page = started.elapsed().as_secs_f64() / f64::from(pages.max(1));
    (per_page, bodies)
}

/// The library's parse of the page bodies; per connection.
fn time_parse(bodies: &[Vec<u8>], connections: usize) -> f64 {
    let started = Instant::now();
    for body in bodies {
        let page = parse_company_page_with_limit(body, MAX_LIST_BODY_BYTES).expect("a page");
        black_box(page);
    }
    started.elapsed().as_secs_f64() / connections as f64
}

/// `Store::observe_listed` of every snapshot on a fresh database, then again (each a
/// duplicate); per connection.
async fn time_store(store: &Store, snapshots: &[ConnectionPayload]) -> (f64, f64) {
    let pass = async || {
        let started = Instant::now();
        for snapshot in snapshots {
            let outcome = store
                .observe_listed(snapshot, COMPANY, Timestamp::now())
                .await
                .expect("recorded");
            black_box(outcome);
        }
        started.elapsed().as_secs_f64() / snapshots.len() as f64
    };
    let new = pass().await;
    let dup = pass().await;
    (new, dup)
}

/// One run on `engine`: a first and a second sweep on a fresh database, then the store alone
/// on another; `Err` when the engine is not available.
async fn run_engine(
    engine: Engine,
    api: &NectarApi,
    snapshots: &[ConnectionPayload],
    samples: &mut EngineSamples,
) -> Result<(), String> {
    let n = snapshots.len() as f64;
    let db = fresh_db(engine).await?;
    let (store, sweeper) = open_sweeper(&db, api).await;
    let first = sweep_once(&store, &sweeper, api).await;
    let second = sweep_once(&store, &sweeper, api).await;
    store.close().await;
    db.remove().await;
    samples.wall_new.push(first.wall.as_secs_f64());
    samples.sweep_new.push(first.wall.as_secs_f64() / n);
    samples.wall_dup.push(second.wall.as_secs_f64());
    samples.sweep_dup.push(second.wall.as_secs_f64() / n);
    samples.first = Some((first.report, first.requests));
    samples.second = Some((second.report, second.requests));

    let db = fresh_db(engine).await?;
    let (store, _) = open_sweeper(&db, api).await;
    let (new, dup) = time_store(&store, snapshots).await;
    store.close().await;
    db.remove().await;
    samples.store_new.push(new);
    samples.store_dup.push(dup);
    Ok(())
}

/// A line of `/proc/self/status` (`VmRSS`, `VmHWM`), in kB.
fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The child's side: one first sweep of `connections` on `engine` in this fresh process;
/// prints `PROBE <VmRSS at start> <VmHWM at start> <VmHWM at end>` in kB.
async fn probe(engine: &str, connections: usize) {
    let engine = if engine == "postgres" {
        Engine::Postgres
    } else {
        Engine::Sqlite
    };
    let api = seeded_double(connections).await;
    let db = match fresh_db(engine).await {
        Ok(db) => db,
        Err(why) => {
            eprintln!("{engine}: {why}");
            return;
        }
    };
    let (store, sweeper) = open_sweeper(&db, &api).await;
    // The peak so far (the seeding) is forgotten: from here, VmHWM is the peak from now.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let (rss, hwm_before) = (status_kb("VmRSS"), status_kb("VmHWM"));
    let swept = sweep_once(&store, &sweeper, &api).await;
    let hwm_after = status_kb("VmHWM");
    store.close().await;
    db.remove().await;
    if let (Some(rss), Some(before), Some(after)) = (rss, hwm_before, hwm_after) {
        println!(
            "PROBE {rss} {before} {after} {} {}",
            u8::from(reset),
            swept.report.listed
        );
    }
}

/// A probe's figures.
#[derive(Debug, Clone, Copy)]
struct Memory {
    rss_kb: u64,
    hwm_after_kb: u64,
    reset: bool,
    listed: u64,
}

impl Memory {
    fn growth_kb(self) -> u64 {
        self.hwm_after_kb.saturating_sub(self.rss_kb)
    }
}

/// Runs this binary again as a probe of `connections` on `engine`.
async fn spawn_probe(engine: Engine, connections: usize) -> Option<Memory> {
    let exe = std::env::current_exe().ok()?;
    let name = match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    };
    let output = tokio::process::Command::new(exe)
        .args(["--probe-memory", name, "--connections"])
        .arg(connections.to_string())
        .output()
        .await
        .ok()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().find_map(|l| l.strip_prefix("PROBE "));
    let Some(line) = line else {
        eprintln!(
            "{engine}: the memory probe of {connections} printed nothing: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    };
    let fields: Vec<u64> = line
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match fields[..] {
        [rss_kb, _, hwm_after_kb, reset, listed] => Some(Memory {
            rss_kb,
            hwm_after_kb,
            reset: reset == 1,
            listed,
        }),
        _ => None,
    }
}

fn main() -> ExitCode {
    flags::main(Flags::from_args(), bench)
}

async fn bench(flags: Flags) {
    if let Some(engine) = &flags.probe {
        probe(engine, flags.connections).await;
        return;
    }
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    let n = flags.connections;
    let pages = u32::try_from(n.div_ceil(PAGE.get() as usize)).expect("a bounded count");
    let snapshots = snapshots(n);
    let api = seeded_double(n).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTP client");

    let engines = [Engine::Sqlite, Engine::Postgres];
    let mut available = vec![true; engines.len()];
    let mut baselines = Baselines::default();
    let mut by_engine: Vec<EngineSamples> =
        engines.iter().map(|_| EngineSamples::default()).collect();
    // Warm-up: the double's connections and the page path.
    time_pages(&http, &api, pages).await;
    for run in 0..flags.runs {
        eprintln!("run {} of {}", run + 1, flags.runs);
        let (new, dup) = time_decision(&snapshots);
        baselines.decide_new.push(new);
        baselines.decide_dup.push(dup);
        let (per_page, bodies) = time_pages(&http, &api, pages).await;
        baselines.get_page.push(per_page);
        baselines.parse.push(time_parse(&bodies, n));
        drop(bodies);
        for (i, engine) in engines.into_iter().enumerate() {
            if !available[i] {
                continue;
            }
            if let Err(why) = run_engine(engine, &api, &snapshots, &mut by_engine[i]).await {
                eprintln!("{engine}: {why}; not measured on {engine}");
                available[i] = false;
            }
        }
    }
    api.stop();
    drop(snapshots);

    let mut memory = Vec::new();
    for (i, engine) in engines.into_iter().enumerate() {
        if !available[i] {
            continue;
        }
        for connections in [n.div_ceil(4), n] {
            eprintln!("{engine}: memory of a sweep of {connections}");
            if let Some(probe) = spawn_probe(engine, connections).await {
                memory.push((engine, connections, probe));
            }
        }
    }

    let measured: Vec<(Engine, &EngineSamples)> = engines
        .into_iter()
        .zip(&by_engine)
        .zip(&available)
        .filter(|(_, ok)| **ok)
        .map(|(pair, _)| pair)
        .collect();
    print_tables(&flags, pages, &baselines, &measured, &memory);
}

fn print_tables(
    flags: &Flags,
    pages: u32,
    baselines: &Baselines,
    measured: &[(Engine, &EngineSamples)],
    memory: &[(Engine, usize, Memory)],
) {
    let n = flags.connections;
    let per_page = f64::from(PAGE.get());
    let get_per_connection = baselines.get_page.median() / per_page.min(n as f64);
    println!(
        "\nOne company of {n} connections, pages of {}; medians (min-max) of {} runs, this run.\n",
        PAGE.get(),
        flags.runs
    );
    println!("The sweeps:\n");
    println!(
        "| engine | sweep | list requests | pages | listed | applied | outbox entries | wall time | per connection | ratio to the first sweep |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (engine, s) in measured {
        let base = s.sweep_new.median();
        for (name, wall, per, report) in [
            ("first (all new)", &s.wall_new, &s.sweep_new, &s.first),
            (
                "second (all duplicates)",
                &s.wall_dup,
                &s.sweep_dup,
                &s.second,
            ),
        ] {
            let (r, requests) = match report {
                Some((r, q)) => (r, *q),
                None => continue,
            };
            println!(
                "| {engine} | {name} | {requests} | {} | {} | {} | {} | {} | {} | {:.2}x |",
                r.pages,
                r.listed,
                r.applied,
                r.appended,
                wall.spread(Time),
                per.spread(Time),
                per.median() / base,
            );
        }
    }

    println!("\nThe baselines, per connection (the same snapshots, this run):\n");
    println!("| baseline | first (new) | second (duplicate) |");
    println!("| --- | --- | --- |");
    println!(
        "| (a) decision: `reconcile` + `Record::after`, in memory | {} | {} |",
        baselines.decide_new.spread(Time),
        baselines.decide_dup.spread(Time)
    );
    println!(
        "| (b) the double: a plain `GET` of a page of {} ({} per page) | {} | same |",
        PAGE.get(),
        baselines.get_page.spread(Time),
        Time(get_per_connection)
    );
    println!(
        "| (b') the library's parse of those pages (`parse_company_page_with_limit`) | {} | same |",
        baselines.parse.spread(Time)
    );
    for (engine, s) in measured {
        println!(
            "| (c) {engine}: `Store::observe_listed`, no HTTP | {} | {} |",
            s.store_new.spread(Time),
            s.store_dup.spread(Time)
        );
    }

    println!("\nWhere a sweep's time per connection goes (medians, this run):\n");
    println!(
        "| engine | sweep | per connection | sweep / decision (a) | GET (b) share | parse (b') share | store (c) share | (b) + (b') + (c) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let parse = baselines.parse.median();
    for (engine, s) in measured {
        for (name, sweep, decide, store) in [
            (
                "first",
                s.sweep_new.median(),
                baselines.decide_new.median(),
                s.store_new.median(),
            ),
            (
                "second",
                s.sweep_dup.median(),
                baselines.decide_dup.median(),
                s.store_dup.median(),
            ),
        ] {
            let share = |part: f64| format!("{:.1}%", 100.0 * part / sweep);
            println!(
                "| {engine} | {name} | {} | {:.0}x | {} | {} | {} | {} |",
                Time(sweep),
                sweep / decide,
                share(get_per_connection),
                share(parse),
                share(store),
                share(get_per_connection + parse + store),
            );
        }
    }

    println!(
        "\nPeak memory of a first sweep, each in a fresh process (VmHWM during the sweep over VmRSS at its start):\n"
    );
    println!("| engine | connections | listed | VmRSS at start | VmHWM at end | growth |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (engine, connections, m) in memory {
        println!(
            "| {engine} | {connections} | {} | {:.1} MB | {:.1} MB | {:.1} MB{} |",
            m.listed,
            m.rss_kb as f64 / 1024.0,
            m.hwm_after_kb as f64 / 1024.0,
            m.growth_kb() as f64 / 1024.0,
            if m.reset {
                ""
            } else {
                " (VmHWM not reset: a lower bound)"
            },
        );
    }
    println!("\n{pages} pages expected per sweep.");
}
