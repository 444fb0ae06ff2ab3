//! Deliveries per second and p50/p99 latency of the receiver on SQLite and on PostgreSQL,
//! against a no-op axum handler measured in the same run (same framing, same bodies), and
//! the share of a delivery's time spent in the library (verify, parse, decide), timed
//! in-process on the same bodies.
//!
//! ```sh
//! cargo bench -p nectar-receiver --bench throughput                    # SQLite
//! NECTAR_TEST_POSTGRES_URL=$(bash scripts/postgres.sh url) \
//!     cargo bench -p nectar-receiver --bench throughput                # and PostgreSQL
//! cargo bench -p nectar-receiver --bench throughput -- --deliveries 6000 --concurrency 32
//! ```
//!
//! Flags: `--deliveries N` (the concurrent phase, default 3000), `--concurrency C` (16),
//! `--sequential N` (the one-at-a-time phase, 400), `--seed S`. Bounded by those counts;
//! loopback only. Prints Markdown tables of ratios to the no-op handler, from this one run.

#[path = "../tests/support/mod.rs"]
mod support;

use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use jiff::Timestamp;
use nectar_lifecycle::verify::{Verifier, WebhookSecret};
use nectar_lifecycle::webhook::{MAX_BODY_BYTES, Observation, Record, parse_with_limit, reconcile};
use nectar_receiver::{Engine, WEBHOOK_PATH};
use tokio::net::TcpListener;

use support::load::History;
use support::{Harness, SECRET, client};

const USAGE: &str = "\
cargo bench -p nectar-receiver --bench throughput -- [FLAGS]

  --deliveries N   the concurrent phase's deliveries        [3000]
  --concurrency N  deliveries in flight in that phase       [16]
  --sequential N   the one-at-a-time phase's deliveries     [400]
  --seed N         the histories' seed                      [14]
";

/// What the run is asked to do.
#[derive(Debug, Clone, Copy)]
struct Flags {
    deliveries: usize,
    concurrency: usize,
    sequential: usize,
    seed: u64,
}

impl Flags {
    fn from_args() -> Result<Self, String> {
        let given = support::flags::Flags::from_args(
            &["--deliveries", "--concurrency", "--sequential", "--seed"],
            USAGE,
        )?;
        Ok(Self {
            deliveries: given.value("--deliveries", 3000)?,
            concurrency: given.value("--concurrency", 16_usize)?.max(1),
            sequential: given.value("--sequential", 400)?,
            seed: given.value("--seed", 14)?,
        })
    }
}

/// Nectar's deliveries of the histories of connections `{prefix}-{n}`, in the order Nectar
/// sends them (each connection's changes in order, the connections interleaved), until
/// there are `count`.
fn workload(prefix: &str, count: usize, seed: u64) -> Vec<(String, Bytes)> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut histories: Vec<History> = Vec::new();
    let mut events = 0;
    while events < count {
        let id = format!("{prefix}-{}", histories.len());
        let history = History::simulate(&id, rng.usize(3..=8), &mut rng);
        events += history.events.iter().map(Vec::len).sum::<usize>();
        histories.push(history);
    }
    let changes = histories.iter().map(|h| h.events.len()).max().unwrap_or(0);
    let mut deliveries = Vec::with_capacity(count);
    for change in 0..changes {
        for history in &histories {
            for (svix_id, webhook) in history.events.get(change).into_iter().flatten() {
                let body = serde_json::to_vec(webhook).expect("a webhook serializes");
                deliveries.push((svix_id.clone(), Bytes::from(body)));
            }
        }
    }
    deliveries.truncate(count);
    deliveries
}

/// A delivery signed as Svix signs it.
#[derive(Clone)]
struct Signed {
    body: Bytes,
    headers: Vec<(&'static str, String)>,
}

fn sign(deliveries: &[(String, Bytes)], secret: &WebhookSecret) -> Vec<Signed> {
    let now = Timestamp::now();
    deliveries
        .iter()
        .map(|(svix_id, body)| Signed {
            body: body.clone(),
            headers: secret.sign(svix_id, now, body).iter().collect(),
        })
        .collect()
}

/// The latencies of one phase and how long it took.
struct Measured {
    latencies: Vec<Duration>,
    wall: Duration,
    failed: usize,
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }
}

/// Posts every request to `url`, `concurrency` at a time.
async fn drive(url: &str, requests: &[Signed], concurrency: usize) -> Measured {
    let http = client();
    let requests = Arc::new(requests.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (http, url, requests, next) =
            (http.clone(), url.to_owned(), requests.clone(), next.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut failed = 0;
            while let Some(request) = requests.get(next.fetch_add(1, Ordering::Relaxed)) {
                let mut post = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(request.body.clone());
                for (name, value) in &request.headers {
                    post = post.header(*name, value);
                }
                let sent = Instant::now();
                let ok = match post.send().await {
                    Ok(response) => {
                        let status = response.status();
                        response.bytes().await.is_ok() && status == reqwest::StatusCode::OK
                    }
                    Err(_) => false,
                };
                latencies.push(sent.elapsed());
                failed += usize::from(!ok);
            }
            (latencies, failed)
        });
    }
    let mut measured = Measured {
        latencies: Vec::with_capacity(requests.len()),
        wall: Duration::ZERO,
        failed: 0,
    };
    for (latencies, failed) in workers.join_all().await {
        measured.latencies.extend(latencies);
        measured.failed += failed;
    }
    measured.wall = started.elapsed();
    measured
}

/// Serves `app` on a loopback port; returns its webhook URL.
async fn serve(app: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serves") });
    format!("http://{addr}{WEBHOOK_PATH}")
}

/// The baseline: reads the body and answers a small JSON, as the receiver does.
async fn no_op(_headers: HeaderMap, body: Bytes) -> Response {
    let answer = serde_json::json!({ "decision": { "decision": "none" }, "bytes": body.len() });
    (StatusCode::OK, axum::Json(answer)).into_response()
}

/// The library behind axum, without a database: records in a map.
#[derive(Clone)]
struct InMemory {
    verifier: Arc<Verifier>,
    records: Arc<Mutex<HashMap<String, Record>>>,
}

async fn in_memory(State(state): State<InMemory>, headers: HeaderMap, body: Bytes) -> Response {
    let headers = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()));
    let Ok(verified) = state.verifier.verify(&body, headers, Timestamp::now()) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Ok(webhook) = parse_with_limit(&body, MAX_BODY_BYTES) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let seen = Observation::Delivery {
        id: Some(&verified.id),
        webhook: &webhook,
    };
    let mut records = state.records.lock().unwrap_or_else(PoisonError::into_inner);
    let stored = records.get(&webhook.connection.id);
    let decision = reconcile(stored, seen);
    if let Some(next) = Record::after(stored, seen, &decision) {
        records.insert(webhook.connection.id.clone(), next);
    }
    drop(records);
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({ "decision": decision })),
    )
        .into_response()
}

/// The library's time per delivery on `requests`, by stage, in-process: the median of
/// `rounds` passes.
#[derive(Debug, Clone, Copy)]
struct LibraryTime {
    verify: Duration,
    parse: Duration,
    decide: Duration,
}

impl LibraryTime {
    fn total(&self) -> Duration {
        self.verify + self.parse + self.decide
    }
}

fn time_library(requests: &[Signed], verifier: &Verifier, rounds: usize) -> LibraryTime {
    let per_delivery = |mut passes: Vec<Duration>| {
        passes.sort();
        passes[passes.len() / 2] / u32::try_from(requests.len()).expect("a bounded count")
    };
    let now = Timestamp::now();
    let (mut verify, mut parse, mut decide) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let started = Instant::now();
        let ids: Vec<String> = requests
            .iter()
            .map(|r| {
                let headers = r
                    .headers
                    .iter()
                    .map(|(name, value)| (*name, value.as_bytes()));
                verifier
                    .verify(&r.body, headers, now)
                    .expect("authentic")
                    .id
            })
            .collect();
        verify.push(started.elapsed());

        let started = Instant::now();
        let webhooks: Vec<_> = requests
            .iter()
            .map(|r| parse_with_limit(&r.body, MAX_BODY_BYTES).expect("a webhook"))
            .collect();
        parse.push(started.elapsed());

        let mut records: HashMap<&str, Record> = HashMap::new();
        let started = Instant::now();
        for (id, webhook) in ids.iter().zip(&webhooks) {
            let seen = Observation::Delivery {
                id: Some(id),
                webhook,
            };
            let stored = records.get(webhook.connection.id.as_str());
            let decision = reconcile(stored, seen);
            if let Some(next) = Record::after(stored, seen, &decision) {
                records.insert(&webhook.connection.id, next);
            }
        }
        decide.push(started.elapsed());
    }
    LibraryTime {
        verify: per_delivery(verify),
        parse: per_delivery(parse),
        decide: per_delivery(decide),
    }
}

/// One target's figures.
struct Row {
    name: String,
    sequential: Measured,
    concurrent: Measured,
}

/// Runs both phases against `url`: a warm-up, the one-at-a-time phase, then the
/// concurrent one.
async fn measure(name: &str, url: &str, loads: &Loads, flags: Flags) -> Row {
    let secret: WebhookSecret = SECRET.parse().expect("a test secret");
    drive(url, &sign(&loads.warm_up, &secret), flags.concurrency).await;
    let sequential = drive(url, &sign(&loads.sequential, &secret), 1).await;
    let concurrent = drive(url, &sign(&loads.concurrent, &secret), flags.concurrency).await;
    let failed = sequential.failed + concurrent.failed;
    if failed > 0 {
        eprintln!("{name}: {failed} deliveries not answered 200");
    }
    Row {
        name: name.to_owned(),
        sequential,
        concurrent,
    }
}

struct Loads {
    warm_up: Vec<(String, Bytes)>,
    sequential: Vec<(String, Bytes)>,
    concurrent: Vec<(String, Bytes)>,
}

fn micros(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 10.0 {
        format!("{micros:.2} µs")
    } else {
        format!("{micros:.0} µs")
    }
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}x", a / b)
}

fn main() -> ExitCode {
    support::flags::main(Flags::from_args(), bench)
}

async fn bench(flags: Flags) {
    let loads = Loads {
        warm_up: workload("warm", 200, flags.seed + 1),
        sequential: workload("one", flags.sequential, flags.seed + 2),
        concurrent: workload("many", flags.deliveries, flags.seed + 3),
    };
    let secret: WebhookSecret = SECRET.parse().expect("a test secret");
    let verifier = Verifier::new(secret.clone());
    let mut rows = Vec::new();

    let url = serve(Router::new().route(WEBHOOK_PATH, post(no_op))).await;
    rows.push(measure("no-op axum handler", &url, &loads, flags).await);

    let state = InMemory {
        verifier: Arc::new(verifier.clone()),
        records: Arc::default(),
    };
    let app = Router::new()
        .route(WEBHOOK_PATH, post(in_memory))
        .with_state(state);
    let url = serve(app).await;
    rows.push(measure("axum + library, records in memory", &url, &loads, flags).await);

    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(h) = Harness::start(engine).await else {
            continue;
        };
        let name = format!("nectar-receiver on {engine}");
        rows.push(measure(&name, &h.webhook_url(), &loads, flags).await);
        h.stop().await;
    }

    let library = time_library(&sign(&loads.concurrent, &secret), &verifier, 7);
    print_tables(&rows, library, flags);
}

fn print_tables(rows: &[Row], library: LibraryTime, flags: Flags) {
    let base = &rows[0];
    let base_p50 = base.sequential.percentile(0.5);
    let base_p99 = base.sequential.percentile(0.99);
    println!(
        "\n{} deliveries {} at a time, {} one at a time; ratios to the first row, this run.\n",
        flags.deliveries, flags.concurrency, flags.sequential
    );
    println!(
        "| target | deliveries/s ({c} at once) | ratio | p50, 1 at a time | ratio | p99, 1 at a time | ratio | p50, {c} at once | p99, {c} at once |",
        c = flags.concurrency
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for row in rows {
        let (p50, p99) = (
            row.sequential.percentile(0.5),
            row.sequential.percentile(0.99),
        );
        println!(
            "| {} | {:.0} | {} | {} | {} | {} | {} | {} | {} |",
            row.name,
            row.concurrent.per_second(),
            ratio(row.concurrent.per_second(), base.concurrent.per_second()),
            micros(p50),
            ratio(p50.as_secs_f64(), base_p50.as_secs_f64()),
            micros(p99),
            ratio(p99.as_secs_f64(), base_p99.as_secs_f64()),
            micros(row.concurrent.percentile(0.5)),
            micros(row.concurrent.percentile(0.99)),
        );
    }
    println!(
        "\nThe library's share of a delivery (in-process on the same bodies, median of 7 passes), against each target's p50 one at a time:\n"
    );
    print!("| library call | per delivery |");
    for row in rows {
        print!(" share of {} |", row.name);
    }
    println!("\n| --- | --- |{}", " --- |".repeat(rows.len()));
    for (stage, time) in [
        ("verify (`Verifier::verify`)", library.verify),
        ("parse (`parse_with_limit`)", library.parse),
        ("decide (`reconcile` + `Record::after`)", library.decide),
        ("all three", library.total()),
    ] {
        print!("| {stage} | {} |", micros(time));
        for row in rows {
            let p50 = row.sequential.percentile(0.5);
            print!(" {:.2}% |", 100.0 * time.as_secs_f64() / p50.as_secs_f64());
        }
        println!();
    }
}
