//! A double of the integrator's app on loopback: it receives the receiver's signed push
//! (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`, and a JSON body
//! `{"type": "nectar.connection.<notification>", "timestamp": "...", "data": {...}}`),
//! verifies each message with the library's [`Verifier`], records it, and answers as an app
//! that fails at random ([`AppFaults`]), is slow, or goes down for a while and comes back
//! on the same port ([`AppDouble::go_down`], [`AppDouble::come_back`]).
//!
//! Part of the test support (`support::app`); a bench reaches it by including
//! `tests/support/mod.rs`.
//!
//! What it answers, in order, for every request:
//!
//! 1. It is in flight (for [`AppStats::max_in_flight`]) from its arrival until its response
//!    is ready, or until its client gives up on it.
//! 2. While the double is down, a request that still reaches it (on a connection accepted
//!    before [`AppDouble::go_down`]) is answered 503 with `Connection: close`, counted in
//!    [`AppStats::refused_while_down`] and not recorded. New connections are refused by the
//!    operating system: nothing listens on the port.
//! 3. Any path but [`HOOK_PATH`]: 404; another method than `POST` on it: 405; a body larger
//!    than [`MAX_BODY`] (or one that cannot be read): 413. These are counted in
//!    [`AppStats::other`] and not recorded.
//! 4. A `POST` [`HOOK_PATH`] is recorded ([`AppDouble::received`]) and counted in
//!    [`AppStats::requests`], then answered:
//!    * 401 if the library's [`Verifier`] (the double's secret, [`DEFAULT_TOLERANCE`], the
//!      raw body and headers, the time of arrival) refuses it: counted in
//!      [`AppStats::unverified`], with the verifier's reason as the body;
//!    * else, if a fault is drawn (below), 500 ([`AppStats::errors`]), or 200 after
//!      [`AppFaults::slow_for`] ([`AppStats::slow`]);
//!    * else 200 at once ([`AppStats::accepted`]).
//!
//! So `requests == accepted + errors + slow + unverified` at all times.
//!
//! Faults: while [`AppFaults::error_per_mille`] or [`AppFaults::slow_per_mille`] is not
//! zero, each verified request draws one number from 0 to 999 from a generator seeded by
//! [`AppFaults::seed`] ([`AppDouble::set_faults`] restarts it): below `error_per_mille` it
//! is answered 500, below `error_per_mille + slow_per_mille` slowly. A slow answer that
//! outlasts its client's timeout is never seen by the client, but the message was received
//! (it is in [`AppDouble::received`], not in [`AppDouble::accepted`]). A slow wait ends early
//! when the double goes down: it is then answered 503 with `Connection: close`.
//!
//! Nothing on the server's path unwraps: odd input is a 4xx, never a panic.

// A bench including this module uses part of it, and `pub` marks what a test may use.
#![allow(dead_code, unreachable_pub)]

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use core::time::Duration;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::{InFlight, bump, lock};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::verify::{DEFAULT_TOLERANCE, Verifier, WebhookSecret};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// The path the double receives pushes on.
pub const HOOK_PATH: &str = "/hooks/nectar";

/// The largest body read; a larger one is answered 413.
pub const MAX_BODY: usize = 1024 * 1024;

/// The longest [`AppFaults::slow_for`] is taken to be: a longer one is cut to this, so that
/// a slow answer never holds a test longer than its budget.
pub const MAX_SLOW: Duration = Duration::from_secs(30);

/// The tolerance the double verifies timestamps with (the library's default).
pub const TOLERANCE: SignedDuration = DEFAULT_TOLERANCE;

/// How long [`AppDouble::go_down`] and [`AppDouble::come_back`] may take before they give
/// up (go down) or panic (come back: the port could not be bound again).
pub const TRANSITION_BUDGET: Duration = Duration::from_secs(5);

/// Faults injected into verified requests, by seeded randomness: one draw from 0 to 999 per
/// verified request while either share is not zero.
#[derive(Clone, Debug, Default)]
pub struct AppFaults {
    /// Answer 500 to this share of verified requests, per thousand.
    pub error_per_mille: u32,
    /// Answer 200 only after [`AppFaults::slow_for`] to this share, per thousand (after the
    /// 500s: the two shares add up, capped at all requests).
    pub slow_per_mille: u32,
    /// How long a slow answer waits (at most [`MAX_SLOW`]); meant to be longer than the
    /// pusher's timeout, so that the pusher gives up while the app counts it as received.
    pub slow_for: Duration,
    /// The seed of the draws; [`AppDouble::set_faults`] restarts the sequence from it.
    pub seed: u64,
}

/// One request to `POST` [`HOOK_PATH`], as the double received it.
#[derive(Clone, Debug)]
pub struct Received {
    /// The `webhook-id` header (or `svix-id`), lossily decoded; empty when absent.
    pub webhook_id: String,
    /// The `webhook-timestamp` header (or `svix-timestamp`), lossily decoded; empty when
    /// absent.
    pub timestamp: String,
    /// The body as JSON (`null` if it is not JSON).
    pub body: Value,
    /// Whether the library's [`Verifier`] accepted the raw body and headers at arrival.
    pub verified: bool,
    /// What the double answered: 401, 500, or 200 (at once, or after a slow wait).
    pub status: u16,
    /// Whether the answer was slow (a 200 after [`AppFaults::slow_for`], which the pusher
    /// may never have seen).
    pub slow: bool,
    /// `body.data.connectionId`, if it is a string.
    pub connection_id: Option<String>,
    /// `body.data.sequence`, if it is an integer.
    pub sequence: Option<i64>,
    /// When it arrived (its body read).
    pub arrived: Instant,
}

impl Received {
    /// Whether it was answered 200 at once: delivered, as the pusher sees it.
    pub fn is_accepted(&self) -> bool {
        self.status == 200 && !self.slow
    }
}

/// The double's counters, read by [`AppDouble::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AppStats {
    /// Requests to `POST` [`HOOK_PATH`] recorded (all of [`AppDouble::received`]).
    pub requests: u64,
    /// Of those, answered 200 at once.
    pub accepted: u64,
    /// Of those, answered 500 by a fault.
    pub errors: u64,
    /// Of those, answered slowly by a fault.
    pub slow: u64,
    /// Of those, refused by the verifier (401).
    pub unverified: u64,
    /// The most requests being answered at once, ever (any path, from arrival to response).
    pub max_in_flight: u64,
    /// Requests that reached the double while it was down (on connections accepted before),
    /// answered 503 and not recorded. Connections refused while down are not seen.
    pub refused_while_down: u64,
    /// Requests answered 404, 405 or 413, not recorded.
    pub other: u64,
    /// Requests being answered now.
    pub in_flight: u64,
}

/// A double of the integrator's app on 127.0.0.1 (see the module's docs for what it
/// answers). Dropping it stops it.
pub struct AppDouble {
    /// Where it listens (the same port after [`AppDouble::come_back`]).
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    /// The listener while up; `None` while down.
    up: Mutex<Option<Epoch>>,
    /// Serializes [`AppDouble::go_down`] and [`AppDouble::come_back`].
    transition: tokio::sync::Mutex<()>,
    stopped: AtomicBool,
}

/// One period of listening: the task accepting connections (it owns the listener) and the
/// server serving them.
struct Epoch {
    accept: JoinHandle<()>,
    /// Ends once the server has stopped and every connection it served is closed.
    server: JoinHandle<()>,
    /// Dropped (or sent), the server stops: idle connections close, answers in progress
    /// finish.
    shutdown: oneshot::Sender<()>,
}

struct Shared {
    verifier: Verifier,
    log: Mutex<Log>,
    /// `true` while down: requests still reaching the double are refused, slow waits end.
    down: watch::Sender<bool>,
    counters: Counters,
}

/// The fault draws and the record, under one lock so that the order of the draws is the
/// order of arrival.
struct Log {
    faults: AppFaults,
    rng: fastrand::Rng,
    received: Vec<Received>,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    accepted: AtomicU64,
    errors: AtomicU64,
    slow: AtomicU64,
    unverified: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    refused_while_down: AtomicU64,
    other: AtomicU64,
}

impl AppDouble {
    /// Starts it on 127.0.0.1, on an ephemeral port, verifying with `secret` (a `whsec_`
    /// secret): no faults.
    ///
    /// # Panics
    /// On a secret the library refuses, or without a loopback port: this is test setup.
    pub async fn start(secret: &str) -> Self {
        let secret = WebhookSecret::new(secret).expect("a webhook secret the library accepts");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("the listener's address");
        let (down, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            verifier: Verifier::new(secret),
            log: Mutex::new(Log {
                faults: AppFaults::default(),
                rng: fastrand::Rng::with_seed(0),
                received: Vec::new(),
            }),
            down,
            counters: Counters::default(),
        });
        let epoch = Epoch::serve(listener, &shared);
        Self {
            addr,
            shared,
            up: Mutex::new(Some(epoch)),
            transition: tokio::sync::Mutex::new(()),
            stopped: AtomicBool::new(false),
        }
    }

    /// `http://127.0.0.1:PORT/hooks/nectar`, the URL to push to.
    pub fn url(&self) -> String {
        format!("http://{}{HOOK_PATH}", self.addr)
    }

    /// Injects `faults` from now on, restarting the draws from its seed.
    pub fn set_faults(&self, faults: AppFaults) {
        let mut log = lock(&self.shared.log);
        log.rng = fastrand::Rng::with_seed(faults.seed);
        log.faults = faults;
    }

    /// Goes down: once this returns, nothing listens on the port (new connections are
    /// refused) and the connections it had are closed: idle ones at once, ones with an
    /// answer in progress once it is sent (a slow wait ends with a 503, a request arriving
    /// meanwhile is answered 503). The wait for the connections to close is bounded by
    /// [`TRANSITION_BUDGET`]. Does nothing while down or stopped.
    pub async fn go_down(&self) {
        let _transition = self.transition.lock().await;
        self.shared.down.send_replace(true);
        let epoch = lock(&self.up).take();
        if let Some(epoch) = epoch {
            epoch.end().await;
        }
    }

    /// Comes back: listens again on the same port and answers as before. Does nothing while
    /// up or once stopped.
    ///
    /// # Panics
    /// If the port cannot be bound again within [`TRANSITION_BUDGET`] (another socket took
    /// it): this is test setup.
    pub async fn come_back(&self) {
        let _transition = self.transition.lock().await;
        if self.stopped.load(Ordering::SeqCst) || lock(&self.up).is_some() {
            return;
        }
        let listener = bind_again(self.addr).await;
        let epoch = Epoch::serve(listener, &self.shared);
        let mut up = lock(&self.up);
        if self.stopped.load(Ordering::SeqCst) {
            epoch.abort();
            return;
        }
        *up = Some(epoch);
        self.shared.down.send_replace(false);
    }

    /// Whether it is down (after [`AppDouble::go_down`] or [`AppDouble::stop`]).
    pub fn is_down(&self) -> bool {
        *self.shared.down.borrow()
    }

    /// Every request to `POST` [`HOOK_PATH`] recorded, in the order of arrival.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.log).received.clone()
    }

    /// Those of [`AppDouble::received`] answered 200 at once (not slowly), in the order of
    /// arrival: the deliveries the pusher saw succeed.
    pub fn accepted(&self) -> Vec<Received> {
        lock(&self.shared.log)
            .received
            .iter()
            .filter(|received| received.is_accepted())
            .cloned()
            .collect()
    }

    /// The counters now.
    pub fn stats(&self) -> AppStats {
        let c = &self.shared.counters;
        let read = |counter: &AtomicU64| counter.load(Ordering::SeqCst);
        AppStats {
            requests: read(&c.requests),
            accepted: read(&c.accepted),
            errors: read(&c.errors),
            slow: read(&c.slow),
            unverified: read(&c.unverified),
            max_in_flight: read(&c.max_in_flight),
            refused_while_down: read(&c.refused_while_down),
            other: read(&c.other),
            in_flight: read(&c.in_flight),
        }
    }

    /// Waits until `done(self)` holds, checking every 5 ms, for at most `within`; whether it
    /// held.
    pub async fn wait_until(&self, within: Duration, done: impl Fn(&Self) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if done(self) {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Stops it for good: as [`AppDouble::go_down`], without waiting (the listener closes
    /// a moment later); [`AppDouble::come_back`] does nothing afterwards. Idempotent.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.shared.down.send_replace(true);
        if let Some(epoch) = lock(&self.up).take() {
            epoch.abort();
        }
    }
}

impl Drop for AppDouble {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Epoch {
    /// Serves `listener` until ended: a task accepts connections (and owns the listener) and
    /// hands them to the server.
    fn serve(listener: TcpListener, shared: &Arc<Shared>) -> Self {
        let addr = listener.local_addr().ok();
        let (connections, incoming) = mpsc::channel(64);
        let accept = tokio::spawn(accept_loop(listener, connections));
        let (shutdown, stopping) = oneshot::channel::<()>();
        let router = router(shared);
        let server = tokio::spawn(async move {
            let served = axum::serve(Incoming { incoming, addr }, router)
                .with_graceful_shutdown(async move {
                    // Sent or dropped, either way: stop.
                    let _ = stopping.await;
                })
                .await;
            if let Err(err) = served {
                eprintln!("the double of the app stopped: {err}");
            }
        });
        Self {
            accept,
            server,
            shutdown,
        }
    }

    /// Closes the listener, then stops the server gracefully (idle connections close,
    /// answers in progress finish), waiting for both, at most [`TRANSITION_BUDGET`] each.
    async fn end(self) {
        self.accept.abort();
        // An aborted task is dropped at its next await: the listener with it.
        let _ = tokio::time::timeout(TRANSITION_BUDGET, self.accept).await;
        drop(self.shutdown);
        let mut server = self.server;
        if tokio::time::timeout(TRANSITION_BUDGET, &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
    }

    /// As [`Epoch::end`], without waiting.
    fn abort(self) {
        self.accept.abort();
        drop(self.shutdown);
    }
}

/// Binds `addr` again (the port of a listener just closed), retrying for at most
/// [`TRANSITION_BUDGET`].
async fn bind_again(addr: SocketAddr) -> TcpListener {
    let deadline = tokio::time::Instant::now() + TRANSITION_BUDGET;
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => return listener,
            Err(err) if tokio::time::Instant::now() >= deadline => {
                panic!("the app's double could not listen on {addr} again: {err}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Accepts connections on `listener` and hands them on, until aborted or the server is gone.
async fn accept_loop(listener: TcpListener, connections: mpsc::Sender<(TcpStream, SocketAddr)>) {
    loop {
        match listener.accept().await {
            Ok(connection) => {
                if connections.send(connection).await.is_err() {
                    return;
                }
            }
            // Too many open files and the like: wait, as axum does.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// The connections accepted by [`accept_loop`], as a listener for `axum::serve`.
struct Incoming {
    incoming: mpsc::Receiver<(TcpStream, SocketAddr)>,
    addr: Option<SocketAddr>,
}

impl axum::serve::Listener for Incoming {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.incoming.recv().await {
            Some(connection) => connection,
            // The accepting task is gone: no more connections, until the server stops.
            None => core::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.addr
            .ok_or_else(|| std::io::Error::other("the listener's address is unknown"))
    }
}

fn router(shared: &Arc<Shared>) -> Router {
    Router::new()
        .route(HOOK_PATH, any(hook))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(shared), arrival))
        .with_state(Arc::clone(shared))
}

/// 503 with `Connection: close`: the double is down.
fn down_answer() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONNECTION, "close")],
        "the app is down",
    )
        .into_response()
}

/// Every request: in flight, and refused while down.
async fn arrival(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let _in_flight = InFlight::arrive(&shared.counters.in_flight, &shared.counters.max_in_flight);
    if *shared.down.borrow() {
        bump(&shared.counters.refused_while_down);
        return down_answer();
    }
    next.run(request).await
}

async fn not_found(State(shared): State<Arc<Shared>>) -> Response {
    bump(&shared.counters.other);
    StatusCode::NOT_FOUND.into_response()
}

/// What the double does with a recorded request.
enum Answer {
    Unverified(String),
    Error,
    Slow(Duration),
    Accept,
}

/// `POST /hooks/nectar`.
async fn hook(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if method != Method::POST {
        bump(&shared.counters.other);
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        bump(&shared.counters.other);
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    match record(&shared, &headers, &bytes) {
        Answer::Unverified(reason) => (StatusCode::UNAUTHORIZED, reason).into_response(),
        Answer::Error => (StatusCode::INTERNAL_SERVER_ERROR, "a fault").into_response(),
        Answer::Accept => StatusCode::OK.into_response(),
        Answer::Slow(wait) => {
            let mut down = shared.down.subscribe();
            tokio::select! {
                () = tokio::time::sleep(wait) => StatusCode::OK.into_response(),
                // Ends at once if already down; an error means the double is gone.
                _ = down.wait_for(|down| *down) => down_answer(),
            }
        }
    }
}

/// Verifies the request, draws its fault, records and counts it; what to answer.
fn record(shared: &Shared, headers: &HeaderMap, bytes: &[u8]) -> Answer {
    let pairs = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()));
    let verified = shared.verifier.verify(bytes, pairs, Timestamp::now());
    let body: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let data = &body["data"];
    let connection_id = data["connectionId"].as_str().map(str::to_owned);
    let sequence = data["sequence"].as_i64();
    let header = |names: [&str; 2]| {
        names
            .iter()
            .find_map(|name| headers.get(*name))
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .unwrap_or_default()
    };
    let webhook_id = header(["webhook-id", "svix-id"]);
    let timestamp = header(["webhook-timestamp", "svix-timestamp"]);

    let counters = &shared.counters;
    let mut log = lock(&shared.log);
    let answer = match verified {
        Err(err) => Answer::Unverified(err.to_string()),
        Ok(_) => draw(&mut log),
    };
    let (status, slow, counter) = match &answer {
        Answer::Unverified(_) => (401, false, &counters.unverified),
        Answer::Error => (500, false, &counters.errors),
        Answer::Slow(_) => (200, true, &counters.slow),
        Answer::Accept => (200, false, &counters.accepted),
    };
    log.received.push(Received {
        webhook_id,
        timestamp,
        verified: !matches!(answer, Answer::Unverified(_)),
        status,
        slow,
        connection_id,
        sequence,
        body,
        arrived: Instant::now(),
    });
    bump(&counters.requests);
    bump(counter);
    answer
}

/// The fault drawn for a verified request, if any.
fn draw(log: &mut Log) -> Answer {
    let Log { faults, rng, .. } = log;
    if faults.error_per_mille == 0 && faults.slow_per_mille == 0 {
        return Answer::Accept;
    }
    let draw = rng.u32(0..1000);
    if draw < faults.error_per_mille {
        Answer::Error
    } else if draw < faults.error_per_mille.saturating_add(faults.slow_per_mille) {
        Answer::Slow(faults.slow_for.min(MAX_SLOW))
    } else {
        Answer::Accept
    }
}
