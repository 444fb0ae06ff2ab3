//! Push: entries pushed per second to a loopback double of the integrator's app
//! (`tests/support/app.rs`, answering 200 at once), and the time from a delivery's 2xx to
//! its entry's push, on SQLite and on PostgreSQL, against the receiver's own ingest rate
//! measured in the same run:
//!
//! * **ingest** (the baseline): signed deliveries (`POST /webhooks/nectar`, Svix's headers),
//!   16 at once, each one change of a stored CONNECTED connection into a credential error
//!   (so each appends one outbox entry), to a receiver with push off: deliveries per second
//!   answered 200, as `throughput.rs` measures them, after a warm-up of 100;
//! * **push**: N entries (10 per connection: its credential errors and recoveries in turn)
//!   appended beforehand with `Store::observe` of snapshots, then a receiver started on them
//!   with push on (`nectar_receiver::start`; the default `Push`: 16 in flight, a schedule
//!   whose first wait is 0; `check_every` 250 ms unless asked): the time from the start until
//!   the double has taken every entry, and until the feed (`Store::feed`) shows every entry
//!   `delivered`;
//! * **the database alone**: the same entries on a fresh database, claimed one at a time by
//!   16 tasks and marked delivered through the store's calls the pusher makes
//!   (`Store::claim_pushes`, `Store::push_delivered`), no HTTP;
//! * **latency**: on the pushing receiver, once it is idle, deliveries at a steady rate, each
//!   turning a stored connection into a credential error: from each delivery's 2xx to the
//!   double receiving that connection's entry (matched by connection id), p50 and p99, with
//!   the deliveries' own round trip in the same phase.
//!
//! Each engine's measurements are made on fresh databases, `--runs` times, interleaved
//! (run 1 of every measurement, then run 2, ...): medians with the spread (min-max).
//!
//! ```sh
//! cargo bench -p nectar-receiver --bench push                          # SQLite
//! NECTAR_TEST_POSTGRES_URL=$(bash scripts/postgres.sh url) \
//!     cargo bench -p nectar-receiver --bench push                      # and PostgreSQL
//! cargo bench -p nectar-receiver --bench push -- --entries 5000 --runs 5 --check-every-ms 20
//! ```
//!
//! Loopback only. Prints Markdown tables of medians, their spread and ratios, this run.

#[path = "../tests/support/mod.rs"]
mod support;

use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus;
use nectar_lifecycle::verify::WebhookSecret;
use nectar_lifecycle::webhook::{
    Company, ConnectionPayload, Datasource, Observation, Webhook, nectar_events,
};
use nectar_receiver::{
    Config, Engine, FeedCursor, MAX_FEED_LIMIT, Store, StoreOptions, WEBHOOK_PATH,
};
use sqlx::{Connection as _, PgConnection, SqliteConnection};
use tokio::task::JoinSet;

use support::app::AppDouble;
use support::figures::{Rate, Ratio, Samples, Time};
use support::{POSTGRES_URL_VAR, TestDb, flags};

const USAGE: &str = "\
cargo bench -p nectar-receiver --bench push -- [FLAGS]

  --entries N         entries pushed (10 per connection), and deliveries ingested  [2000]
  --runs N            repetitions of each measurement                               [3]
  --latency N         deliveries timed from their 2xx to their entry's push         [150]
  --rate N            those deliveries per second                                   [50]
  --check-every-ms N  how often the pusher looks for due entries (Push::check_every) [250]
  --analyze           ANALYZE the outbox once the entries are appended, before they are
                      pushed (the planner's statistics; without, as a fresh database has them)

PostgreSQL too when NECTAR_TEST_POSTGRES_URL names a server (a database is created on it
for each measurement and dropped after).
";

/// Nectar's signing secret (the receiver's `webhook_secrets`).
const NECTAR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The app's secret (`NOTIFY_SECRET`), which the double verifies with.
const APP_SECRET: &str = "whsec_dGhpcyBpcyB0aGUgYXBwJ3Mgc2VjcmV0IQ==";

/// The company of every connection.
const COMPANY: &str = "bench-company";

/// Entries per connection in the push phase.
const PER_CONNECTION: usize = 10;

/// Deliveries in flight in the ingest phase (`throughput.rs`'s default).
const INGEST_CONCURRENCY: usize = 16;

/// Deliveries of the ingest phase's warm-up, not timed.
const WARM_UP: usize = 100;

/// Tasks appending the entries beforehand, and claiming in the database-alone phase (the
/// pusher's default `max_in_flight`).
const TASKS: usize = 16;

/// The longest any one phase may take before the run gives up on it.
const PHASE_BUDGET: Duration = Duration::from_secs(120);

/// The credential errors a connection goes through in turn, recovering in between.
const CREDENTIAL_ERRORS: [ConnectionStatus; 3] = [
    ConnectionStatus::PasswordIncorrect,
    ConnectionStatus::MfaTokenExpired,
    ConnectionStatus::NewPasswordNeeded,
];

/// What the run is asked to do.
#[derive(Debug, Clone, Copy)]
struct Flags {
    entries: usize,
    runs: usize,
    latency: usize,
    rate: f64,
    check_every: Duration,
    analyze: bool,
}

impl Flags {
    fn from_args() -> Result<Self, String> {
        let given = flags::Flags::from_args(
            &[
                "--entries",
                "--runs",
                "--latency",
                "--rate",
                "--check-every-ms",
            ],
            USAGE,
        )?;
        let rate: f64 = given.value("--rate", 50.0)?;
        if !(rate.is_finite() && rate > 0.0) {
            return Err(format!(
                "--rate: `{rate}` is not a positive rate\n\n{USAGE}"
            ));
        }
        Ok(Self {
            entries: given.value("--entries", 2000_usize)?.max(1),
            runs: given.value("--runs", 3_usize)?.max(1),
            latency: given.value("--latency", 150_usize)?.max(1),
            rate,
            check_every: Duration::from_millis(given.value("--check-every-ms", 250_u64)?.max(1)),
            analyze: std::env::args().any(|arg| arg == "--analyze"),
        })
    }

    fn connections(&self) -> usize {
        self.entries.div_ceil(PER_CONNECTION)
    }
}

/// Minute `minute` of the bench's day, as Nectar stamps it.
fn at(minute: i64) -> Timestamp {
    let start: Timestamp = "2026-11-25T09:00:00Z".parse().expect("a timestamp");
    start + jiff::SignedDuration::from_mins(minute)
}

/// Connection `id` as Nectar holds it at `minute`, in `status`.
fn snapshot(id: &str, status: ConnectionStatus, minute: i64) -> ConnectionPayload {
    ConnectionPayload {
        updated: Some(at(minute).to_string()),
        created: Some(at(0).to_string()),
        status_last_update_time: Some(at(minute)),
        status_first_seen_time: Some(at(minute)),
        is_active: Some(true),
        external_id: Some(format!("site-{id}")),
        datasource: Some(Datasource {
            name: Some("Pacific Gas & Electric".to_owned()),
            url: Some("https://www.pge.com".to_owned()),
        }),
        company: Some(Company {
            id: Some(COMPANY.to_owned()),
            name: Some("Bench Company".to_owned()),
            external_id: Some("bench".to_owned()),
        }),
        ..ConnectionPayload::new(id, status)
    }
}

/// Connection `id` first seen CONNECTED, then `changes` times changed: into a credential
/// error, back to CONNECTED, and so on; each change appends one entry.
fn history(id: &str, changes: usize) -> Vec<ConnectionPayload> {
    (0..=changes)
        .map(|k| {
            let status = if k % 2 == 1 {
                CREDENTIAL_ERRORS[(k / 2) % CREDENTIAL_ERRORS.len()]
            } else {
                ConnectionStatus::Connected
            };
            let minute = i64::try_from(10 * k).expect("a bounded minute");
            snapshot(id, status, minute)
        })
        .collect()
}

/// The histories of the push phase: `entries` changes over `entries / 10` connections.
fn push_histories(entries: usize) -> Vec<Vec<ConnectionPayload>> {
    let connections = entries.div_ceil(PER_CONNECTION);
    (0..connections)
        .map(|c| {
            let changes = PER_CONNECTION.min(entries - c * PER_CONNECTION);
            history(&format!("push-{c:05}"), changes)
        })
        .collect()
}

/// Connection `id` stored as CONNECTED, and the delivery Nectar sends when it changes into a
/// credential error (`connection.updated.v2`).
fn broken_delivery(id: &str) -> (ConnectionPayload, Bytes) {
    let connected = snapshot(id, ConnectionStatus::Connected, 0);
    let broken = snapshot(id, ConnectionStatus::PasswordIncorrect, 10);
    let webhook: Webhook = nectar_events(Some(&connected), &broken)
        .into_iter()
        .next()
        .expect("a status change sends an event");
    let body = serde_json::to_vec(&webhook).expect("a webhook serializes");
    (connected, Bytes::from(body))
}

/// A fresh database of `engine` for one measurement (the suites' own, `support::TestDb`),
/// or why there is none.
async fn fresh_db(engine: Engine) -> Result<TestDb, String> {
    TestDb::create(engine)
        .await
        .ok_or_else(|| format!("{POSTGRES_URL_VAR} is not set"))
}

/// `ANALYZE outbox` on `db`, from a connection of its own: the planner's statistics of the
/// entries just appended.
async fn analyze(db: &TestDb) -> Result<(), String> {
    let analyzed = match db {
        TestDb::Sqlite { url, .. } => match SqliteConnection::connect(url.expose()).await {
            Ok(mut conn) => sqlx::query("ANALYZE outbox")
                .execute(&mut conn)
                .await
                .map(drop),
            Err(e) => Err(e),
        },
        TestDb::Postgres { url, .. } => match PgConnection::connect(url.expose()).await {
            Ok(mut conn) => sqlx::query("ANALYZE outbox")
                .execute(&mut conn)
                .await
                .map(drop),
            Err(e) => Err(e),
        },
    };
    analyzed.map_err(|e| format!("ANALYZE outbox failed: {e}"))
}

/// The receiver's configuration on `db`: loopback, an ephemeral port, Nectar's secret, no
/// API to poll or sweep (an unreachable loopback port, never called), and push to `app`
/// when given (otherwise off), looking for due entries every `check_every`; the rest the
/// defaults.
fn config(db: &TestDb, app: Option<&AppDouble>, check_every: Duration) -> Config {
    let mut config = Config::new(db.url().clone());
    config.listen_addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.webhook_secrets = vec![NECTAR_SECRET.parse().expect("a webhook secret")];
    config.api.base_url = "http://127.0.0.1:9".to_owned();
    if let Some(app) = app {
        config.push.url = Some(app.url());
        config.push.secret = Some(APP_SECRET.parse().expect("the app's secret"));
        config.push.check_every = check_every;
    }
    config
}

async fn open(db: &TestDb, config: &Config) -> Result<Store, String> {
    Store::open(db.url(), StoreOptions::from(config))
        .await
        .map_err(|e| format!("the bench database does not open: {e}"))
}

/// Records every snapshot of `histories` with `Store::observe`, each history in order, from
/// [`TASKS`] tasks; returns the entries appended.
async fn observe_all(
    store: &Store,
    histories: Vec<Vec<ConnectionPayload>>,
) -> Result<usize, String> {
    let histories = Arc::new(histories);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..TASKS {
        let (store, histories, next) = (store.clone(), histories.clone(), next.clone());
        tasks.spawn(async move {
            let mut appended = 0;
            while let Some(history) = histories.get(next.fetch_add(1, Ordering::Relaxed)) {
                for state in history {
                    let outcome = store
                        .observe(Observation::Snapshot(state), Timestamp::now())
                        .await
                        .map_err(|e| format!("a snapshot not recorded: {e}"))?;
                    appended += outcome.appended.len();
                }
            }
            Ok::<_, String>(appended)
        });
    }
    let mut appended = 0;
    for result in tasks.join_all().await {
        appended += result?;
    }
    Ok(appended)
}

/// Every entry of the feed, and how many of them are delivered.
async fn feed_counts(store: &Store) -> Result<(usize, usize), String> {
    let (mut total, mut delivered) = (0, 0);
    let mut after = FeedCursor::START;
    loop {
        let page = store
            .feed(after, MAX_FEED_LIMIT)
            .await
            .map_err(|e| format!("the feed: {e}"))?;
        if page.entries.is_empty() {
            return Ok((total, delivered));
        }
        total += page.entries.len();
        delivered += page
            .entries
            .iter()
            .filter(|e| e.push.as_ref().is_some_and(|p| p.state == "delivered"))
            .count();
        after = page
            .next
            .parse()
            .map_err(|e| format!("the feed's cursor: {e}"))?;
    }
}

/// An HTTP client for loopback.
fn client() -> reqwest::Client {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .no_proxy()
        .build()
        .expect("an HTTP client")
}

/// Posts `body` to `url` as Nectar's delivery `svix_id`, signed now; the status, if the
/// receiver answered.
async fn deliver(
    http: &reqwest::Client,
    url: &str,
    secret: &WebhookSecret,
    svix_id: &str,
    body: Bytes,
) -> Option<reqwest::StatusCode> {
    let mut post = http.post(url).header("content-type", "application/json");
    for (name, value) in secret.sign(svix_id, Timestamp::now(), &body).iter() {
        post = post.header(name, value);
    }
    let response = post.body(body).send().await.ok()?;
    let status = response.status();
    response.bytes().await.ok()?;
    Some(status)
}

/// Posts every delivery to `url`, `concurrency` at a time; the deliveries answered 200 per
/// second over the whole phase, and how many were not.
async fn drive(
    http: &reqwest::Client,
    url: &str,
    deliveries: Vec<(String, Bytes)>,
    concurrency: usize,
) -> (f64, usize) {
    let secret: WebhookSecret = NECTAR_SECRET.parse().expect("a webhook secret");
    let deliveries = Arc::new(deliveries);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let (http, url, secret, deliveries, next) = (
            http.clone(),
            url.to_owned(),
            secret.clone(),
            deliveries.clone(),
            next.clone(),
        );
        workers.spawn(async move {
            let (mut ok, mut failed) = (0_usize, 0_usize);
            while let Some((svix_id, body)) = deliveries.get(next.fetch_add(1, Ordering::Relaxed)) {
                let status = deliver(&http, &url, &secret, svix_id, body.clone()).await;
                if status == Some(reqwest::StatusCode::OK) {
                    ok += 1;
                } else {
                    failed += 1;
                }
            }
            (ok, failed)
        });
    }
    let (mut ok, mut failed) = (0, 0);
    for (o, f) in workers.join_all().await {
        ok += o;
        failed += f;
    }
    (ok as f64 / started.elapsed().as_secs_f64(), failed)
}

/// The ingest phase on `db`: deliveries answered 200 per second, 16 at once, push off.
async fn ingest(db: &TestDb, flags: Flags, http: &reqwest::Client) -> Result<f64, String> {
    let config = config(db, None, flags.check_every);
    let store = open(db, &config).await?;
    let (stored, deliveries): (Vec<_>, Vec<_>) = (0..WARM_UP + flags.entries)
        .map(|i| {
            let id = format!("in-{i:05}");
            let (connected, body) = broken_delivery(&id);
            (vec![connected], (format!("msg_{id}"), body))
        })
        .unzip();
    observe_all(&store, stored).await?;
    let running = nectar_receiver::start(&config, store.clone())
        .await
        .map_err(|e| format!("the receiver does not start: {e}"))?;
    let url = format!("http://{}{WEBHOOK_PATH}", running.addr());
    let mut deliveries = deliveries;
    let timed = deliveries.split_off(WARM_UP);
    let (_, warm_failed) = drive(http, &url, deliveries, INGEST_CONCURRENCY).await;
    let (per_second, failed) = drive(http, &url, timed, INGEST_CONCURRENCY).await;
    running
        .stop()
        .await
        .map_err(|e| format!("the receiver failed: {e}"))?;
    let (entries, _) = feed_counts(&store).await?;
    store.close().await;
    if warm_failed + failed > 0 {
        return Err(format!(
            "{} deliveries not answered 200",
            warm_failed + failed
        ));
    }
    if entries != WARM_UP + flags.entries {
        return Err(format!(
            "{entries} entries appended by {} deliveries",
            WARM_UP + flags.entries
        ));
    }
    Ok(per_second)
}

/// What one run of the push phase measured.
#[derive(Debug, Clone)]
struct Pushed {
    /// From the receiver's start until the double had taken every entry.
    app_took_all: Duration,
    /// From the start until the feed showed every entry delivered.
    feed_delivered: Duration,
    /// Requests the double received for those entries (the entries, when none was sent
    /// twice).
    requests: u64,
    /// The most pushes the double had in flight at once.
    max_in_flight: u64,
    /// From each latency delivery's 2xx to the double receiving its entry.
    latencies: Vec<Duration>,
    /// The latency deliveries' own round trips (sent to 2xx).
    round_trips: Vec<Duration>,
    /// Entries that reached the double before their delivery's 2xx reached the client.
    before_answer: usize,
}

/// The push phase, then the latency phase, on `db`.
async fn push(db: &TestDb, flags: Flags, http: &reqwest::Client) -> Result<Pushed, String> {
    let app = AppDouble::start(APP_SECRET).await;
    let config = config(db, Some(&app), flags.check_every);
    let store = open(db, &config).await?;
    let appended = observe_all(&store, push_histories(flags.entries)).await?;
    if appended != flags.entries {
        return Err(format!(
            "{appended} entries appended, not {}",
            flags.entries
        ));
    }
    if flags.analyze {
        analyze(db).await?;
    }

    let started = Instant::now();
    let running = nectar_receiver::start(&config, store.clone())
        .await
        .map_err(|e| format!("the receiver does not start: {e}"))?;
    let n = flags.entries as u64;
    let took_all = app
        .wait_until(PHASE_BUDGET, |app| app.stats().accepted >= n)
        .await;
    let app_took_all = started.elapsed();
    let mut feed_delivered = None;
    while took_all && started.elapsed() < PHASE_BUDGET {
        if feed_counts(&store).await?.1 >= flags.entries {
            feed_delivered = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let stats = app.stats();
    let checked = check_pushes(&app, flags.entries);

    let latency = if feed_delivered.is_some() && checked.is_ok() {
        Some(latency(&store, &app, running.addr(), flags, http).await)
    } else {
        None
    };
    running
        .stop()
        .await
        .map_err(|e| format!("the receiver failed: {e}"))?;
    store.close().await;
    app.stop();

    let Some(feed_delivered) = feed_delivered else {
        return Err(format!(
            "not every entry pushed within {PHASE_BUDGET:?}: {stats:?}"
        ));
    };
    checked?;
    let (latencies, round_trips, before_answer) = latency.expect("measured once pushed")?;
    Ok(Pushed {
        app_took_all,
        feed_delivered,
        requests: stats.requests,
        max_in_flight: stats.max_in_flight,
        latencies,
        round_trips,
        before_answer,
    })
}

/// Every entry taken, each verified, and each connection's entries first taken in order.
fn check_pushes(app: &AppDouble, entries: usize) -> Result<(), String> {
    let received = app.received();
    if let Some(bad) = received.iter().find(|r| !r.verified) {
        return Err(format!("a push did not verify: {}", bad.webhook_id));
    }
    let mut taken = BTreeSet::new();
    let mut order: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in received.iter().filter(|r| r.is_accepted()) {
        if taken.insert(r.webhook_id.clone()) {
            order
                .entry(r.connection_id.clone().unwrap_or_default())
                .or_default()
                .push(r.sequence.unwrap_or_default());
        }
    }
    if taken.len() != entries {
        return Err(format!("{} entries taken, not {entries}", taken.len()));
    }
    match order
        .iter()
        .find(|(_, seqs)| seqs.windows(2).any(|w| w[0] >= w[1]))
    {
        Some((id, seqs)) => Err(format!("{id}'s entries taken out of order: {seqs:?}")),
        None => Ok(()),
    }
}

type Latencies = (Vec<Duration>, Vec<Duration>, usize);

/// Deliveries at `flags.rate` a second to the receiver at `addr`, each turning a stored
/// connection (`lat-N`) into a credential error: from each 2xx to the double receiving that
/// connection's entry, and each delivery's own round trip.
async fn latency(
    store: &Store,
    app: &AppDouble,
    addr: SocketAddr,
    flags: Flags,
    http: &reqwest::Client,
) -> Result<Latencies, String> {
    let (stored, deliveries): (Vec<_>, Vec<_>) = (0..flags.latency)
        .map(|i| {
            let id = format!("lat-{i:05}");
            let (connected, body) = broken_delivery(&id);
            (vec![connected], (id, body))
        })
        .unzip();
    // First seen CONNECTED: no entry, nothing pushed.
    observe_all(store, stored).await?;
    let before = app.stats().accepted;
    let url = format!("http://{addr}{WEBHOOK_PATH}");
    let secret: WebhookSecret = NECTAR_SECRET.parse().expect("a webhook secret");
    let every = Duration::from_secs_f64(1.0 / flags.rate);
    let start = tokio::time::Instant::now();
    let mut sent = JoinSet::new();
    for (i, (id, body)) in deliveries.into_iter().enumerate() {
        tokio::time::sleep_until(start + every.mul_f64(i as f64)).await;
        let (http, url, secret) = (http.clone(), url.clone(), secret.clone());
        sent.spawn(async move {
            let mut post = http.post(&url).header("content-type", "application/json");
            for (name, value) in secret
                .sign(&format!("msg_{id}"), Timestamp::now(), &body)
                .iter()
            {
                post = post.header(name, value);
            }
            let posted = Instant::now();
            let response = post.body(body).send().await.ok()?;
            let answered = Instant::now();
            let status = response.status();
            response.bytes().await.ok()?;
            (status == reqwest::StatusCode::OK).then_some((id, posted, answered))
        });
    }
    let answered: Vec<_> = sent.join_all().await;
    let answered: Vec<(String, Instant, Instant)> = answered.into_iter().flatten().collect();
    if answered.len() != flags.latency {
        return Err(format!(
            "{} of {} latency deliveries not answered 200",
            flags.latency - answered.len(),
            flags.latency
        ));
    }
    let expected = before + flags.latency as u64;
    if !app
        .wait_until(PHASE_BUDGET, |app| app.stats().accepted >= expected)
        .await
    {
        return Err(format!(
            "the latency deliveries' entries not all pushed: {:?}",
            app.stats()
        ));
    }
    let mut arrived: HashMap<String, Instant> = HashMap::new();
    for r in app.accepted() {
        if let Some(id) = r.connection_id {
            arrived.entry(id).or_insert(r.arrived);
        }
    }
    let (mut latencies, mut round_trips, mut before_answer) = (Vec::new(), Vec::new(), 0);
    for (id, posted, answered) in answered {
        let pushed = arrived
            .get(&id)
            .ok_or_else(|| format!("{id}'s entry never reached the app"))?;
        if *pushed < answered {
            before_answer += 1;
        }
        latencies.push(pushed.saturating_duration_since(answered));
        round_trips.push(answered - posted);
    }
    Ok((latencies, round_trips, before_answer))
}

/// The database alone on `db`: the push phase's entries claimed and marked delivered as
/// `Pusher::push_due` does it, without HTTP: up to [`TASKS`] claimed at once, each marked
/// delivered from a task of its own, again until none is due; entries per second.
async fn database_alone(db: &TestDb, flags: Flags) -> Result<f64, String> {
    let config = config(db, None, flags.check_every);
    let store = open(db, &config).await?;
    let appended = observe_all(&store, push_histories(flags.entries)).await?;
    if flags.analyze {
        analyze(db).await?;
    }
    let lease = config.push.timeout.saturating_mul(2);
    let started = Instant::now();
    let mut delivered = 0;
    loop {
        let jobs = store
            .claim_pushes(Timestamp::now(), lease, config.push.max_in_flight)
            .await
            .map_err(|e| format!("a claim failed: {e}"))?;
        if jobs.is_empty() {
            break;
        }
        let mut marks = JoinSet::new();
        for job in jobs {
            let store = store.clone();
            marks.spawn(async move { store.push_delivered(&job, Timestamp::now()).await });
        }
        for marked in marks.join_all().await {
            marked.map_err(|e| format!("a delivered mark failed: {e}"))?;
            delivered += 1;
        }
    }
    let per_second = delivered as f64 / started.elapsed().as_secs_f64();
    let (entries, marked) = feed_counts(&store).await?;
    store.close().await;
    if delivered != appended || marked != entries {
        return Err(format!(
            "{delivered} claimed and {marked} marked delivered of {appended}"
        ));
    }
    Ok(per_second)
}

/// The `p`-th quantile of `values` (nearest rank).
fn percentile(values: &[Duration], p: f64) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// One engine's samples over the runs.
#[derive(Debug, Default)]
struct EngineSamples {
    ingest: Samples,
    pushed: Samples,
    feed: Samples,
    alone: Samples,
    pushed_to_ingest: Samples,
    feed_to_ingest: Samples,
    alone_to_ingest: Samples,
    pushed_to_alone: Samples,
    p50: Samples,
    p99: Samples,
    round_trip_p50: Samples,
    p50_to_round_trip: Samples,
    p50_to_check_every: Samples,
    p99_to_check_every: Samples,
    requests: Vec<u64>,
    max_in_flight: Vec<u64>,
    before_answer: Vec<usize>,
}

/// One run of every measurement on `engine`.
async fn run_engine(
    engine: Engine,
    flags: Flags,
    http: &reqwest::Client,
    samples: &mut EngineSamples,
) -> Result<(), String> {
    let phase = Instant::now();
    let db = fresh_db(engine).await?;
    let ingested = ingest(&db, flags, http).await;
    db.remove().await;
    let ingested = ingested?;

    let ingest_took = phase.elapsed();
    let db = fresh_db(engine).await?;
    let pushed = push(&db, flags, http).await;
    db.remove().await;
    let pushed = pushed?;

    let push_took = phase.elapsed() - ingest_took;
    let db = fresh_db(engine).await?;
    let alone = database_alone(&db, flags).await;
    db.remove().await;
    let alone = alone?;
    eprintln!(
        "  {engine}: phases took {} (ingest), {} (push and latency), {} (database alone)",
        Time(ingest_took.as_secs_f64()),
        Time(push_took.as_secs_f64()),
        Time((phase.elapsed() - ingest_took - push_took).as_secs_f64())
    );

    let n = flags.entries as f64;
    let pushed_rate = n / pushed.app_took_all.as_secs_f64();
    let feed_rate = n / pushed.feed_delivered.as_secs_f64();
    let (p50, p99) = (
        percentile(&pushed.latencies, 0.5).as_secs_f64(),
        percentile(&pushed.latencies, 0.99).as_secs_f64(),
    );
    let round_trip = percentile(&pushed.round_trips, 0.5).as_secs_f64();
    let check_every = flags.check_every.as_secs_f64();
    eprintln!(
        "  {engine}: ingest {ingested:.0}/s, pushed {pushed_rate:.0}/s (feed {feed_rate:.0}/s), database alone {alone:.0}/s, 2xx to push p50 {} p99 {}",
        Time(p50),
        Time(p99)
    );
    samples.ingest.push(ingested);
    samples.pushed.push(pushed_rate);
    samples.feed.push(feed_rate);
    samples.alone.push(alone);
    samples.pushed_to_ingest.push(pushed_rate / ingested);
    samples.feed_to_ingest.push(feed_rate / ingested);
    samples.alone_to_ingest.push(alone / ingested);
    samples.pushed_to_alone.push(pushed_rate / alone);
    samples.p50.push(p50);
    samples.p99.push(p99);
    samples.round_trip_p50.push(round_trip);
    samples.p50_to_round_trip.push(p50 / round_trip);
    samples.p50_to_check_every.push(p50 / check_every);
    samples.p99_to_check_every.push(p99 / check_every);
    samples.requests.push(pushed.requests);
    samples.max_in_flight.push(pushed.max_in_flight);
    samples.before_answer.push(pushed.before_answer);
    Ok(())
}

fn main() -> ExitCode {
    flags::main(Flags::from_args(), bench)
}

async fn bench(flags: Flags) {
    let http = client();
    let engines = [Engine::Sqlite, Engine::Postgres];
    let mut available = vec![true; engines.len()];
    if std::env::var(POSTGRES_URL_VAR).is_err() {
        eprintln!("{POSTGRES_URL_VAR} is not set: not measured on PostgreSQL");
        available[1] = false;
    }
    let mut by_engine: Vec<EngineSamples> =
        engines.iter().map(|_| EngineSamples::default()).collect();
    let started = Instant::now();
    for run in 0..flags.runs {
        eprintln!("run {} of {}", run + 1, flags.runs);
        for (i, engine) in engines.into_iter().enumerate() {
            if !available[i] {
                continue;
            }
            if let Err(why) = run_engine(engine, flags, &http, &mut by_engine[i]).await {
                eprintln!("{engine}: {why}; not measured on {engine}");
                available[i] = false;
            }
        }
    }
    eprintln!("took {}", Time(started.elapsed().as_secs_f64()));
    let measured: Vec<(Engine, &EngineSamples)> = engines
        .into_iter()
        .zip(&by_engine)
        .zip(&available)
        .filter(|(_, ok)| **ok)
        .map(|(pair, _)| pair)
        .collect();
    print_tables(flags, &measured);
}

fn print_tables(flags: Flags, measured: &[(Engine, &EngineSamples)]) {
    println!(
        "\n{} entries over {} connections ({PER_CONNECTION} each), {} deliveries ingested {INGEST_CONCURRENCY} at once, {} timed from 2xx to push at {}/s, check_every {}{}; medians (min-max) of {} runs, ratios per run, this run.\n",
        flags.entries,
        flags.connections(),
        flags.entries,
        flags.latency,
        flags.rate,
        Time(flags.check_every.as_secs_f64()),
        if flags.analyze {
            ", the outbox analyzed before pushing"
        } else {
            ""
        },
        flags.runs
    );
    println!(
        "| engine | ingest, deliveries/s (the baseline) | pushed/s, app took all | ratio to ingest | pushed/s, feed shows all delivered | ratio to ingest | database alone, claims + marks/s | ratio to ingest | pushed / database alone |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (engine, s) in measured {
        println!(
            "| {engine} | {} | {} | **{}** | {} | {} | {} | {} | {} |",
            s.ingest.spread(Rate),
            s.pushed.spread(Rate),
            s.pushed_to_ingest.spread(Ratio),
            s.feed.spread(Rate),
            s.feed_to_ingest.spread(Ratio),
            s.alone.spread(Rate),
            s.alone_to_ingest.spread(Ratio),
            s.pushed_to_alone.spread(Ratio),
        );
    }
    println!("\nFrom a delivery's 2xx to the app receiving its entry:\n");
    println!(
        "| engine | p50 | p99 | p50 / check_every | p99 / check_every | the delivery's own round trip, p50 | p50 / round trip |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (engine, s) in measured {
        println!(
            "| {engine} | {} | {} | {} | {} | {} | {} |",
            s.p50.spread(Time),
            s.p99.spread(Time),
            s.p50_to_check_every.spread(Ratio),
            s.p99_to_check_every.spread(Ratio),
            s.round_trip_p50.spread(Time),
            s.p50_to_round_trip.spread(Ratio),
        );
    }
    println!();
    for (engine, s) in measured {
        println!(
            "{engine}: requests to the app per run {:?} for {} entries; most in flight {:?}; entries at the app before their delivery's 2xx reached the client {:?}",
            s.requests, flags.entries, s.max_in_flight, s.before_answer
        );
    }
}
