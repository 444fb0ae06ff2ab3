//! Test support for the receiver's suites, on loopback only: a database per test (a SQLite
//! file in a temporary directory, or a fresh database on the PostgreSQL server named by
//! `NECTAR_TEST_POSTGRES_URL`), a receiver started on an ephemeral port, a double of
//! Nectar's API, and deliveries signed as Svix signs them.
//!
//! Include it with `#[path = "../support/mod.rs"] mod support;` from a test binary.

// Each test binary that includes this module uses part of it, and `pub` marks what its
// suites may use (the module is private to each binary).
#![allow(dead_code, unreachable_pub)]

use core::future::Future;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use core::time::Duration;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::ConnectionStatus;
use nectar_lifecycle::verify::WebhookSecret;
use nectar_lifecycle::webhook::{ConnectionPayload, Datasource, Record, Webhook, nectar_events};
use nectar_receiver::{
    ApiKey, ApiToken, Config, DatabaseUrl, Engine, NectarApi, OutboxEntry, Polling, Running, Store,
    StoreOptions, WEBHOOK_PATH,
};
use sqlx::{AssertSqlSafe, Connection as _, PgConnection};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub mod app;
pub mod figures;
pub mod flags;
pub mod load;
pub mod nectar_api;

/// `mutex` locked, even if a panicking holder poisoned it (the state stays usable): the
/// doubles' state.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Adds one to `counter`.
pub fn bump(counter: &core::sync::atomic::AtomicU64) {
    counter.fetch_add(1, Ordering::SeqCst);
}

/// One request in flight at a double, until dropped (answered, or abandoned by its client):
/// counted in `now`, and the most at once kept in `max`.
pub struct InFlight<'a>(&'a core::sync::atomic::AtomicU64);

impl<'a> InFlight<'a> {
    /// A request arrives.
    pub fn arrive(
        now: &'a core::sync::atomic::AtomicU64,
        max: &core::sync::atomic::AtomicU64,
    ) -> Self {
        let count = now.fetch_add(1, Ordering::SeqCst) + 1;
        max.fetch_max(count, Ordering::SeqCst);
        Self(now)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The variable naming the PostgreSQL server the suite also runs on (`bash
/// scripts/postgres.sh url`); unset, the PostgreSQL tests pass without running.
pub const POSTGRES_URL_VAR: &str = "NECTAR_TEST_POSTGRES_URL";

/// The secret Nectar signs with in these tests, and the one it rotates to.
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// The second secret the receiver accepts (a rotation in progress).
pub const ROTATED_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
/// A secret the receiver does not know.
pub const FOREIGN_SECRET: &str = "whsec_dGhpcyBpcyBub3QgdGhlIHJpZ2h0IGtleSEh";
/// The read API's token in a test receiver, and the one it rotates to.
pub const API_TOKEN: &str = "test-read-token-0001";
/// The second token of a test receiver (as while rotating).
pub const ROTATED_API_TOKEN: &str = "test-read-token-0002";

/// The API key the double of Nectar's API expects.
pub const API_KEY: &str = "test-api-key";

/// How long any one test may run before it fails.
pub const TEST_BUDGET: Duration = Duration::from_secs(60);

/// Runs `test` for at most [`TEST_BUDGET`].
pub async fn bounded<T>(test: impl Future<Output = T>) -> T {
    match tokio::time::timeout(TEST_BUDGET, test).await {
        Ok(value) => value,
        Err(_) => panic!("the test did not finish within {TEST_BUDGET:?}"),
    }
}

/// Starts a receiver on a fresh database of `engine` ([`Harness::start_with`]), runs
/// `scenario` on it within [`TEST_BUDGET`], and stops it; passes without running when the
/// engine is not available here.
pub async fn on_engine(
    engine: Engine,
    configure: impl FnOnce(&mut Config),
    scenario: impl AsyncFnOnce(&Harness),
) {
    let Some(harness) = Harness::start_with(engine, configure).await else {
        return;
    };
    bounded(scenario(&harness)).await;
    harness.stop().await;
}

/// Waits until `check` returns `Some`, polling every 20 ms, for at most 10 s.
pub async fn eventually<T, F: Future<Output = Option<T>>>(
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A database of its own for one test.
pub enum TestDb {
    /// A SQLite file in a temporary directory, removed with it.
    Sqlite {
        /// The directory.
        dir: tempfile::TempDir,
        /// `sqlite://DIR/receiver.db`.
        url: DatabaseUrl,
    },
    /// A database created on the test server, dropped by [`TestDb::remove`].
    Postgres {
        /// The server's URL, on its maintenance database.
        server: String,
        /// The database's name.
        name: String,
        /// Its URL.
        url: DatabaseUrl,
    },
}

static DATABASES: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A fresh database on `engine`; `None` for PostgreSQL when `NECTAR_TEST_POSTGRES_URL`
    /// is not set.
    pub async fn create(engine: Engine) -> Option<Self> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let path = dir.path().join("receiver.db");
                let url = DatabaseUrl::new(&format!("sqlite://{}", path.display()))
                    .expect("a sqlite URL");
                Some(Self::Sqlite { dir, url })
            }
            Engine::Postgres => {
                let Ok(server) = std::env::var(POSTGRES_URL_VAR) else {
                    eprintln!("{POSTGRES_URL_VAR} is not set: not run on PostgreSQL");
                    return None;
                };
                let name = format!(
                    "nectar_test_{}_{}",
                    std::process::id(),
                    DATABASES.fetch_add(1, Ordering::Relaxed)
                );
                let mut admin = PgConnection::connect(&server)
                    .await
                    .expect("the test PostgreSQL server answers");
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .expect("a test database");
                let url = DatabaseUrl::new(&with_database(&server, &name)).expect("a URL");
                Some(Self::Postgres { server, name, url })
            }
        }
    }

    /// Its URL.
    pub fn url(&self) -> &DatabaseUrl {
        match self {
            Self::Sqlite { url, .. } | Self::Postgres { url, .. } => url,
        }
    }

    /// The engine.
    pub fn engine(&self) -> Engine {
        self.url().engine()
    }

    /// Opens a store on it (migrating it), with the default options.
    pub async fn open(&self) -> Store {
        self.open_with(StoreOptions::default()).await
    }

    /// Opens a store on it (migrating it).
    pub async fn open_with(&self, options: StoreOptions) -> Store {
        Store::open(self.url(), options)
            .await
            .expect("the test database opens")
    }

    /// Removes it (the SQLite directory goes when dropped).
    pub async fn remove(self) {
        if let Self::Postgres { server, name, .. } = self {
            let mut admin = PgConnection::connect(&server)
                .await
                .expect("the test PostgreSQL server answers");
            sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await
            .expect("the test database is dropped");
        }
    }
}

/// A transaction of another client holding a connection's record, as a slow or stuck
/// receiver instance would.
pub enum Held {
    /// `BEGIN IMMEDIATE` on the SQLite file: its write lock.
    Sqlite(sqlx::SqliteConnection),
    /// `SELECT ... FOR UPDATE` on the connection's row.
    Postgres(PgConnection),
}

impl TestDb {
    /// Runs `statement` on the database, outside the store (to set up what the store would
    /// not write itself, such as rows of an older schema).
    pub async fn execute(&self, statement: &str) {
        let statement = AssertSqlSafe(statement.to_owned());
        match self {
            Self::Sqlite { url, .. } => {
                let mut conn = sqlx::SqliteConnection::connect(url.expose())
                    .await
                    .expect("the test database opens");
                sqlx::query(statement)
                    .execute(&mut conn)
                    .await
                    .expect("the statement runs");
            }
            Self::Postgres { url, .. } => {
                let mut conn = PgConnection::connect(url.expose())
                    .await
                    .expect("the test database opens");
                sqlx::query(statement)
                    .execute(&mut conn)
                    .await
                    .expect("the statement runs");
            }
        }
    }

    /// Holds the record of connection `id` (which must be stored) until released.
    pub async fn hold(&self, id: &str) -> Held {
        match self {
            Self::Sqlite { url, .. } => {
                let mut conn = sqlx::SqliteConnection::connect(url.expose())
                    .await
                    .expect("the test database opens");
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .expect("the write lock");
                Held::Sqlite(conn)
            }
            Self::Postgres { url, .. } => {
                let mut conn = PgConnection::connect(url.expose())
                    .await
                    .expect("the test database opens");
                sqlx::query("BEGIN")
                    .execute(&mut conn)
                    .await
                    .expect("a transaction");
                let locked = sqlx::query("SELECT id FROM connections WHERE id = $1 FOR UPDATE")
                    .bind(id)
                    .fetch_all(&mut conn)
                    .await
                    .expect("the row lock");
                assert_eq!(locked.len(), 1, "{id} is stored");
                Held::Postgres(conn)
            }
        }
    }
}

impl Held {
    /// Ends the holding transaction.
    pub async fn release(self) {
        match self {
            Self::Sqlite(mut conn) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut conn)
                    .await
                    .expect("released");
            }
            Self::Postgres(mut conn) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut conn)
                    .await
                    .expect("released");
            }
        }
    }
}

/// `url` with its database (path) replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_end = base.find("://").map_or(0, |i| {
        i + 3 + base[i + 3..].find('/').unwrap_or(base.len() - i - 3)
    });
    format!("{}/{name}{query}", &base[..authority_end])
}

/// The configuration of a test receiver: loopback, an ephemeral port, both test secrets,
/// the double of Nectar's API at `api`, and a poller that runs often and backs off briefly.
pub fn test_config(db: &TestDb, api: SocketAddr) -> Config {
    let mut config = Config::new(db.url().clone());
    config.listen_addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.webhook_secrets = [SECRET, ROTATED_SECRET]
        .iter()
        .map(|s| s.parse().expect("a test secret"))
        .collect();
    config.api = NectarApi {
        base_url: format!("http://{api}"),
        key: Some(ApiKey::new(API_KEY)),
    };
    config.polling = Polling {
        interval: Duration::from_millis(50),
        lease: Duration::from_secs(5),
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
    };
    config.api_tokens = [API_TOKEN, ROTATED_API_TOKEN]
        .iter()
        .map(|t| ApiToken::new(t).expect("a test token"))
        .collect();
    // Nectar's etiquette with waits short enough for a test.
    config.etiquette.backoff = Duration::from_millis(10);
    config.etiquette.max_backoff = Duration::from_millis(200);
    config
}

/// A receiver on its own database, with a double of Nectar's API.
pub struct Harness {
    /// Its database.
    pub db: TestDb,
    /// The receiver's store (the same pool the receiver uses).
    pub store: Store,
    /// The running receiver.
    pub running: Running,
    /// The double of Nectar's API it polls.
    pub nectar: NectarDouble,
    /// An HTTP client for it.
    pub http: reqwest::Client,
    /// Nectar's signing secret.
    pub secret: WebhookSecret,
}

/// What the receiver answered a delivery.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The JSON body (`null` if it was not JSON).
    pub body: serde_json::Value,
}

impl Answer {
    /// The decision's name (`apply`, `duplicate`, `stale`, `gap`) of a 200.
    pub fn decision(&self) -> &str {
        self.body["decision"]["decision"].as_str().unwrap_or("")
    }
}

impl Harness {
    /// A receiver on a fresh database of `engine` with [`test_config`]; `None` when the
    /// engine is not available here (PostgreSQL without `NECTAR_TEST_POSTGRES_URL`).
    pub async fn start(engine: Engine) -> Option<Self> {
        Self::start_with(engine, |_| {}).await
    }

    /// As [`Harness::start`], with `configure` applied to the configuration.
    pub async fn start_with(engine: Engine, configure: impl FnOnce(&mut Config)) -> Option<Self> {
        let db = TestDb::create(engine).await?;
        let nectar = NectarDouble::start().await;
        let mut config = test_config(&db, nectar.addr);
        configure(&mut config);
        let store = db.open_with(StoreOptions::from(&config)).await;
        let running = nectar_receiver::start(&config, store.clone())
            .await
            .expect("the receiver starts");
        Some(Self {
            db,
            store,
            running,
            nectar,
            http: client(),
            secret: SECRET.parse().expect("a test secret"),
        })
    }

    /// Stops the receiver and the double, and removes the database.
    pub async fn stop(self) {
        stop_receiver(self.running, &self.store).await;
        self.nectar.stop();
        self.db.remove().await;
    }

    /// `http://ADDR{path}` of the receiver.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addr())
    }

    /// Something that delivers to this receiver, to move into a task.
    pub fn sender(&self) -> Sender {
        Sender {
            http: self.http.clone(),
            url: self.url(WEBHOOK_PATH),
            secret: self.secret.clone(),
        }
    }

    /// Delivers `webhook` as message `svix_id`, signed now with Nectar's secret.
    pub async fn deliver(&self, svix_id: &str, webhook: &Webhook) -> Answer {
        self.sender().deliver(svix_id, webhook).await
    }

    /// `GET {path}` on the receiver, with the read API's token.
    pub async fn get(&self, path: &str) -> Answer {
        self.get_with(path, Some(API_TOKEN)).await
    }

    /// `GET {path}` on the receiver, with `token` as the bearer token (none: no
    /// `Authorization` header).
    pub async fn get_with(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().await.expect("the receiver answers")).await
    }

    /// The stored record of `id`, through `GET /connections/{id}`; `None` on 404.
    pub async fn record(&self, id: &str) -> Option<Record> {
        let answer = self.get(&format!("/connections/{id}")).await;
        match answer.status {
            StatusCode::NOT_FOUND => None,
            StatusCode::OK => Some(serde_json::from_value(answer.body).expect("a record")),
            other => panic!("GET /connections/{id} answered {other}"),
        }
    }

    /// The outbox of `id`, through `GET /connections/{id}/notifications`.
    pub async fn notifications(&self, id: &str) -> Vec<OutboxEntry> {
        let answer = self.get(&format!("/connections/{id}/notifications")).await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        serde_json::from_value(answer.body).expect("outbox entries")
    }
}

/// Stops a receiver started on `store`, and closes the store.
pub async fn stop_receiver(running: Running, store: &Store) {
    running.stop().await.expect("the receiver stops cleanly");
    store.close().await;
}

/// Delivers to one receiver as Nectar (through Svix) would. Cheap to clone.
#[derive(Clone)]
pub struct Sender {
    http: reqwest::Client,
    url: String,
    secret: WebhookSecret,
}

impl Sender {
    /// Delivers `webhook` as message `svix_id`, signed now with Nectar's secret.
    pub async fn deliver(&self, svix_id: &str, webhook: &Webhook) -> Answer {
        let body = serde_json::to_vec(webhook).expect("a webhook serializes");
        self.deliver_signed(svix_id, &body, Timestamp::now(), &self.secret)
            .await
    }

    /// Delivers `body` as message `svix_id`, signed by `secret` at `at`.
    pub async fn deliver_signed(
        &self,
        svix_id: &str,
        body: &[u8],
        at: Timestamp,
        secret: &WebhookSecret,
    ) -> Answer {
        let headers: Vec<(&'static str, String)> = secret.sign(svix_id, at, body).iter().collect();
        self.post(body.to_vec(), &headers).await
    }

    /// Posts `body` to the webhook endpoint with `headers`.
    pub async fn post(&self, body: Vec<u8>, headers: &[(&str, String)]) -> Answer {
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        answer(request.send().await.expect("the receiver answers")).await
    }
}

/// An HTTP client for loopback (no proxy, bounded).
pub fn client() -> reqwest::Client {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("an HTTP client")
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = StatusCode::from_u16(response.status().as_u16()).expect("a status");
    let bytes = response.bytes().await.expect("a body");
    Answer {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    }
}

/// The minute `minute` of the test day, as Nectar stamps it.
pub fn at(minute: i64) -> Timestamp {
    let start: Timestamp = "2026-11-25T09:00:00Z".parse().expect("a timestamp");
    start + SignedDuration::from_mins(minute)
}

/// Connection `id` as Nectar holds it after a status change to `status` at `minute`.
pub fn connection(id: &str, status: ConnectionStatus, minute: i64) -> ConnectionPayload {
    ConnectionPayload {
        updated: Some(at(minute).to_string()),
        status_last_update_time: Some(at(minute)),
        status_first_seen_time: Some(at(minute)),
        is_active: Some(true),
        datasource: Some(Datasource {
            name: Some("Pacific Gas & Electric".to_owned()),
            url: None,
        }),
        ..ConnectionPayload::new(id, status)
    }
}

/// `before`, changed at `minute` to `status`.
pub fn changed_status(
    before: &ConnectionPayload,
    status: ConnectionStatus,
    minute: i64,
) -> ConnectionPayload {
    ConnectionPayload {
        status: status.into(),
        updated: Some(at(minute).to_string()),
        status_last_update_time: Some(at(minute)),
        status_first_seen_time: Some(at(minute)),
        ..before.clone()
    }
}

/// Connection `id` going through `statuses`, one every ten minutes from minute 0.
pub fn history<const N: usize>(
    id: &str,
    statuses: [ConnectionStatus; N],
) -> [ConnectionPayload; N] {
    let mut previous: Option<ConnectionPayload> = None;
    let mut minute = 0;
    statuses.map(|status| {
        let next = match &previous {
            None => connection(id, status, minute),
            Some(before) => changed_status(before, status, minute),
        };
        minute += 10;
        previous = Some(next.clone());
        next
    })
}

/// Stores `conn-1` as CONNECTED at minute 0 (delivered as `msg_1`); returns it, Nectar's
/// next state (PASSWORD_INCORRECT at minute 10), and that change's `connection.updated.v2`,
/// not delivered.
pub async fn connected_then_broken(h: &Harness) -> (ConnectionPayload, ConnectionPayload, Webhook) {
    let connected = connection("conn-1", ConnectionStatus::Connected, 0);
    let answer = h.deliver("msg_1", &event(None, &connected)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let broken = changed_status(&connected, ConnectionStatus::PasswordIncorrect, 10);
    let updated = events(Some(&connected), &broken).remove(0);
    (connected, broken, updated)
}

/// The events Nectar sends for `before -> after`, updated first (the library's simulator).
pub fn events(before: Option<&ConnectionPayload>, after: &ConnectionPayload) -> Vec<Webhook> {
    nectar_events(before, after)
}

/// The one event Nectar sends for `before -> after`.
pub fn event(before: Option<&ConnectionPayload>, after: &ConnectionPayload) -> Webhook {
    let mut events = nectar_events(before, after);
    assert_eq!(events.len(), 1, "{before:?} -> {after:?} sends one event");
    events.remove(0)
}

/// A double of Nectar's API on loopback: `GET /connection/{id}/details` answers the
/// connection as set by [`NectarDouble::set`], 404 for others, 401 without the API key, and
/// 503 while failures are queued by [`NectarDouble::fail_next`].
pub struct NectarDouble {
    /// Where it listens.
    pub addr: SocketAddr,
    state: Arc<DoubleState>,
    server: JoinHandle<()>,
}

#[derive(Default)]
struct DoubleState {
    connections: Mutex<HashMap<String, ConnectionPayload>>,
    failures: AtomicUsize,
    requests: AtomicUsize,
    unauthorized: AtomicUsize,
}

impl NectarDouble {
    /// Starts it on 127.0.0.1, on an ephemeral port.
    pub async fn start() -> Self {
        let state = Arc::new(DoubleState::default());
        let app = Router::new()
            .route("/connection/{id}/details", get(details))
            .with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("an address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the double serves");
        });
        Self {
            addr,
            state,
            server,
        }
    }

    /// Nectar now holds `connection` as it is.
    pub fn set(&self, connection: &ConnectionPayload) {
        self.state
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(connection.id.clone(), connection.clone());
    }

    /// The next `n` requests are answered 503.
    pub fn fail_next(&self, n: usize) {
        self.state.failures.store(n, Ordering::SeqCst);
    }

    /// Requests answered so far with the right API key.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// Requests refused for a missing or wrong API key.
    pub fn unauthorized(&self) -> usize {
        self.state.unauthorized.load(Ordering::SeqCst)
    }

    /// Stops it.
    pub fn stop(&self) {
        self.server.abort();
    }
}

async fn details(
    State(state): State<Arc<DoubleState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(API_KEY) {
        state.unauthorized.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED.into_response();
    }
    state.requests.fetch_add(1, Ordering::SeqCst);
    let failing = state
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let connections = state
        .connections
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match connections.get(&id) {
        Some(connection) => axum::Json(connection.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
