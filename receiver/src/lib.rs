//! `nectar-receiver`: a reference receiver of Nectar's connection webhooks, built on the
//! `nectar-lifecycle` library the way any dependent would, on SQLite (embedded, the default)
//! or PostgreSQL (several instances behind a load balancer).
//!
//! The contract, for Svix (which delivers at least once, in any order, and retries anything
//! but a 2xx answered within 15 s):
//!
//! * `POST /webhooks/nectar` refuses a body over the library's [`MAX_BODY_BYTES`] before
//!   reading it whole (413), verifies the Svix signature against the configured secrets
//!   before anything reads the body (401), parses it (400), then decides and records it in
//!   one database transaction that holds the connection's record ([`Store::observe`]). It
//!   answers 200 once the delivery is durably recorded, whatever the decision (applied,
//!   duplicate, stale, or a gap with a poll job recorded), 503 when the database is out of
//!   reach (Svix retries), and 503 past the request timeout (10 s by default).
//! * Events other than `connection.*.v2` (`document.*`, the legacy v1 events) are verified
//!   and acknowledged (200), not acted on.
//! * A [`Poller`] closes gaps: it polls `GET /connection/{id}/details` and reconciles the
//!   snapshot through the same transaction, retrying with exponential backoff.
//! * A [`Sweeper`] lists every connection of the companies in `NECTAR_COMPANY_IDS`, page
//!   by page (the library's `Sweep`), at start and every `NECTAR_SWEEP_INTERVAL`, and
//!   reconciles each as a polled snapshot in the same transaction: with no webhook secret
//!   the receiver runs on polling alone; with one, sweeps catch what webhooks missed.
//! * Every call to Nectar's API goes through one [`NectarClient`]: at most 10 requests in
//!   flight, reads retried with backoff on 429 and 5xx honouring `Retry-After`, a timeout
//!   per call, a refused key reported rather than retried.
//! * Each notification of an applied change is appended once to an outbox, for the
//!   integrator's own worker (see the README's "Recommended integration pattern").
//!
//! Errors versus bugs: nothing here panics on input, a configuration value, or a database
//! failure; those are typed errors ([`ConfigError`], [`StoreError`], [`FetchError`],
//! [`ServiceError`]). No error or log line contains a webhook secret, the API key, or the
//! database password.
//!
//! [`MAX_BODY_BYTES`]: nectar_lifecycle::webhook::MAX_BODY_BYTES

mod config;
mod http;
mod nectar;
mod schema;
mod store;
mod telemetry;
mod workers;

use std::io;
use std::net::SocketAddr;

use axum::Extension;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{
    Actions, ApiKey, ApiToken, Config, ConfigError, DEFAULT_API_BASE_URL, DEFAULT_DATABASE_URL,
    DEFAULT_LISTEN_ADDR, DatabaseUrl, Engine, Etiquette, MAX_API_ATTEMPTS, MAX_REQUESTS_IN_FLIGHT,
    MIN_INVITATION_TTL, NectarApi, Polling, Push, Sweeping, Timeouts, VARIABLES,
};
pub use http::{WEBHOOK_PATH, router};
pub use nectar::{FetchError, KeyRefusal, NectarClient};
pub use store::{
    ActionEntry, DecisionClaim, EntryKind, EpisodeClaim, FeedCursor, FeedEntry, FeedError,
    FeedPage, InvitationLink, InvitationView, MAX_FEED_LIMIT, NotListed, OutboxEntry, Outcome,
    PendingPoll, PollJob, PushJob, PushStatus, RecordView, RecordedInvitation, Store, StoreError,
    StoreOptions, SweepClaim, SweepState,
};
pub use store::{
    MAX_WORKLIST_LIMIT, Needs, SinceSource, WorkCounts, WorkItem, Worklist, WorklistError,
    WorklistQuery,
};
pub use store::{OutboxStats, Stats};
pub use telemetry::Metrics;
pub use workers::Heartbeat;
pub use workers::act::ActionWorker;
pub use workers::poll::{Poller, PollerWake};
pub use workers::push::Pusher;
pub use workers::sweep::{MAX_CONCURRENT_SWEEPS, SweepFailed, SweepReport, Sweeper};

use workers::Probes;

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The configuration cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database cannot be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client for Nectar's API cannot be built.
    #[error(transparent)]
    Client(#[from] FetchError),
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The server failed while running.
    #[error("the HTTP server failed: {0}")]
    Serve(#[source] io::Error),
    /// A task of the service panicked (a bug).
    #[error("a task of the service failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// A running receiver: its HTTP server, its poller, its sweeper, and its pusher when push
/// is on.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<io::Result<()>>,
    poller: JoinHandle<()>,
    sweeper: JoinHandle<()>,
    pusher: Option<JoinHandle<()>>,
    actions: JoinHandle<()>,
    metrics_addr: Option<SocketAddr>,
    metrics_server: Option<JoinHandle<io::Result<()>>>,
    upkeep: Option<JoinHandle<()>>,
}

impl Running {
    /// The address it listens on (the port chosen, when the configuration said port 0).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address `GET /metrics` is served on (the port chosen, when `METRICS_ADDR` said
    /// port 0); `None` without `METRICS_ADDR`.
    #[must_use]
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// Stops it: no new connection is accepted, requests in flight are answered, the poller
    /// stops between jobs, a sweep between pages (due again at once).
    ///
    /// # Errors
    /// [`ServiceError::Serve`] or [`ServiceError::Task`] if it had failed.
    pub async fn stop(self) -> Result<(), ServiceError> {
        // Nobody listening means both tasks are gone already; their results say why.
        let _receivers_gone = self.shutdown.send(true);
        self.poller.await?;
        self.sweeper.await?;
        self.actions.await?;
        if let Some(pusher) = self.pusher {
            pusher.await?;
        }
        if let Some(upkeep) = self.upkeep {
            upkeep.await?;
        }
        if let Some(metrics_server) = self.metrics_server {
            metrics_server.await?.map_err(ServiceError::Serve)?;
        }
        self.server.await?.map_err(ServiceError::Serve)
    }
}

/// Starts the receiver on `store`: binds `config.listen_addr`, serves the [`router`], and
/// runs a [`Poller`], a [`Sweeper`] (idle without companies) and an [`ActionWorker`] (idle
/// without actions), sharing one [`NectarClient`], and a [`Pusher`] with `NOTIFY_URL`; with
/// `METRICS_ADDR`, binds it too and serves `GET /metrics` there alone, from [`Metrics`] of
/// this receiver's own.
///
/// # Errors
/// [`ServiceError::Bind`] or [`ServiceError::Client`].
pub async fn start(config: &Config, store: Store) -> Result<Running, ServiceError> {
    let addr = config.listen_addr;
    let bind = |source| ServiceError::Bind { addr, source };
    let listener = TcpListener::bind(addr).await.map_err(bind)?;
    let addr = listener.local_addr().map_err(bind)?;
    let metrics_listener = match config.metrics_addr {
        Some(addr) => {
            let bind = |source| ServiceError::Bind { addr, source };
            let listener = TcpListener::bind(addr).await.map_err(bind)?;
            let addr = listener.local_addr().map_err(bind)?;
            Some((listener, addr))
        }
        None => None,
    };
    let metrics = match metrics_listener {
        Some(_) => Metrics::new(),
        None => Metrics::off(),
    };
    metrics.sweeping(&config.sweeping.companies);
    let wake = PollerWake::default();
    let client = NectarClient::new(config)?.with_metrics(metrics.clone());
    let poller = Poller::new(config.polling, store.clone(), client.clone(), wake.clone());
    let sweeper = Sweeper::new(config.sweeping.clone(), store.clone(), client.clone());
    let probes = Probes {
        poller: poller.heartbeat(),
        sweeper: (!config.sweeping.companies.is_empty()).then(|| sweeper.heartbeat()),
        client: client.clone(),
        stale_after: config.ready_stale_after,
    };
    let actions = ActionWorker::new(config.actions, store.clone(), client);
    let pusher = Pusher::new(&config.push, store.clone())?
        .map(|pusher| pusher.with_metrics(metrics.clone()));
    let app = router(config, store.clone(), wake, metrics.clone()).layer(Extension(probes));
    let (shutdown, stopping) = watch::channel(false);
    let mut stop_serving = stopping.clone();
    let server = tokio::spawn(
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // Stop on `true`, or when the sender is gone.
                let _sender_gone = stop_serving.wait_for(|stop| *stop).await;
            })
            .into_future(),
    );
    let metrics_addr = metrics_listener.as_ref().map(|(_, addr)| *addr);
    let metrics_server = metrics_listener.map(|(listener, _)| {
        let push_on = config.push.url.is_some() && config.push.secret.is_some();
        let timeout = config.timeouts.request;
        let scrape = http::metrics::router(store, metrics.clone(), push_on, timeout);
        let mut stop_serving = stopping.clone();
        tokio::spawn(
            axum::serve(listener, scrape)
                .with_graceful_shutdown(async move {
                    let _sender_gone = stop_serving.wait_for(|stop| *stop).await;
                })
                .into_future(),
        )
    });
    let upkeep = metrics
        .is_on()
        .then(|| tokio::spawn(telemetry::upkeep(metrics, stopping.clone())));
    let poller = tokio::spawn(poller.run(stopping.clone()));
    let sweeper = tokio::spawn(sweeper.run(stopping.clone()));
    let actions = tokio::spawn(actions.run(stopping.clone()));
    let pusher = pusher.map(|pusher| tokio::spawn(pusher.run(stopping)));
    Ok(Running {
        addr,
        shutdown,
        server,
        poller,
        sweeper,
        pusher,
        actions,
        metrics_addr,
        metrics_server,
        upkeep,
    })
}

/// Runs the receiver of `config` until `shutdown` completes: opens the database (migrating
/// it), starts, then stops gracefully.
///
/// # Errors
/// [`ServiceError`].
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> Result<(), ServiceError> {
    let sweeps = !config.sweeping.companies.is_empty();
    match (config.webhook_secrets.is_empty(), sweeps) {
        (true, true) => tracing::info!(
            "NECTAR_WEBHOOK_SECRETS is not set: running on polling alone (sweeps), every delivery refused (401)"
        ),
        (true, false) => tracing::warn!(
            "neither NECTAR_WEBHOOK_SECRETS nor NECTAR_COMPANY_IDS is set: every delivery will be refused (401) and nothing is swept"
        ),
        (false, _) => {}
    }
    if config.actions.any() && config.actions.lease <= config.timeouts.api_request {
        tracing::warn!(
            lease = ?config.actions.lease,
            api_request = ?config.timeouts.api_request,
            "NECTAR_ACTION_LEASE is not longer than a call to Nectar's API: another instance could take over a step whose call is still in flight"
        );
    }
    if config.api.key.is_none() {
        tracing::warn!("NECTAR_API_KEY is not set: nothing will be polled or swept until it is");
    }
    let store = Store::open(&config.database_url, StoreOptions::from(&config)).await?;
    let running = start(&config, store.clone()).await?;
    tracing::info!(
        addr = %running.addr(),
        metrics = ?running.metrics_addr(),
        engine = %store.engine(),
        database = %config.database_url,
        secrets = config.webhook_secrets.len(),
        companies = config.sweeping.companies.len(),
        sweep_interval = ?config.sweeping.interval,
        "nectar-receiver listening"
    );
    shutdown.await;
    tracing::info!("shutting down");
    let stopped = running.stop().await;
    store.close().await;
    stopped
}
