//! The storage interface and its two engines, SQLite and PostgreSQL.
//!
//! Everything that changes a connection goes through one transaction, [`Store::observe`]:
//! it holds the connection's row for its whole length (SQLite: the write lock taken by
//! `BEGIN IMMEDIATE`; PostgreSQL: `SELECT ... FOR UPDATE` on the row, inserted first when
//! absent), runs the library's [`reconcile`] and [`Record::after`] against the stored record,
//! stores the new record, appends the notifications of an applied change to the outbox, and
//! records a poll job on a gap. Two observations of one connection therefore never
//! interleave, on one receiver or on several sharing a PostgreSQL database.

mod actions;
mod feed;
mod push;
mod sql;
mod stats;
mod worklist;

use core::time::Duration;
use std::str::FromStr;
use std::sync::Arc;

use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus;
use nectar_lifecycle::remediation::{Remediation, remediation};
use nectar_lifecycle::webhook::{
    ConnectionPayload, Decision, Notification, Observation, Record, reconcile,
};
use serde::{Deserialize, Serialize};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::config::{Actions, Config, DatabaseUrl, Engine};
use sql::{Access, Arg, Pool, Sql, Tx};

pub use actions::{DecisionClaim, EpisodeClaim, InvitationView, RecordedInvitation};
pub use feed::{FeedCursor, FeedEntry, FeedError, FeedPage, MAX_FEED_LIMIT, PushStatus};
pub use push::PushJob;
pub use stats::{OutboxStats, Stats};
pub(crate) use worklist::needs_of;
pub use worklist::{
    MAX_WORKLIST_LIMIT, Needs, SinceSource, WorkCounts, WorkItem, Worklist, WorklistError,
    WorklistQuery,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The connection's row, held for the rest of the transaction.
const LOCK_CONNECTION: Sql = Sql::each(
    "SELECT record, last_sequence, last_listed_at, not_listed_since FROM connections \
     WHERE id = $1",
    "SELECT record, last_sequence, last_listed_at, not_listed_since FROM connections \
     WHERE id = $1 FOR UPDATE",
);
const INSERT_CONNECTION: Sql = Sql::same(
    "INSERT INTO connections (id, first_seen_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
);
/// The record, the company when the observation names one, and the worklist's columns: the
/// status, who must act, and since when the receiver has seen that status.
const STORE_RECORD: Sql = Sql::each(
    "UPDATE connections SET record = $2, last_sequence = $3, updated_at = $4, \
     company_id = COALESCE($5, company_id), status = $6, needs = $7, \
     status_since = CASE WHEN status IS $6 THEN status_since ELSE $8 END WHERE id = $1",
    "UPDATE connections SET record = $2, last_sequence = $3, updated_at = $4, \
     company_id = COALESCE($5, company_id), status = $6, needs = $7, \
     status_since = CASE WHEN status IS NOT DISTINCT FROM $6 THEN status_since ELSE $8 END \
     WHERE id = $1",
);
/// A sweep listed the connection: no longer marked as not listed.
const LISTED: Sql = Sql::same(
    "UPDATE connections SET company_id = $2, last_listed_at = $3, not_listed_since = NULL \
     WHERE id = $1",
);
/// The stored connections of a company that the sweep started at `$2` did not list and that
/// were there when it started.
const NOT_LISTED: Sql = Sql::same(
    "SELECT id, record, last_listed_at, not_listed_since FROM connections \
     WHERE company_id = $1 AND record IS NOT NULL AND COALESCE(last_listed_at, 0) < $2 \
     AND COALESCE(first_seen_at, 0) < $2 ORDER BY id",
);
const MARK_NOT_LISTED: Sql =
    Sql::same("UPDATE connections SET record = $2, not_listed_since = $3 WHERE id = $1");
const SELECT_LISTING: Sql =
    Sql::same("SELECT record, last_listed_at, not_listed_since FROM connections WHERE id = $1");
/// At start-up: a sweep of the company is due now (sooner if it was due earlier).
const SCHEDULE_SWEEP: Sql = Sql::each(
    "INSERT INTO sweeps (company_id, due_at) VALUES ($1, $2) ON CONFLICT (company_id) \
     DO UPDATE SET due_at = MIN(sweeps.due_at, excluded.due_at)",
    "INSERT INTO sweeps (company_id, due_at) VALUES ($1, $2) ON CONFLICT (company_id) \
     DO UPDATE SET due_at = LEAST(sweeps.due_at, EXCLUDED.due_at)",
);
/// Claims the company's sweep when it is due and nobody holds it. One statement, so two
/// instances cannot both claim it: PostgreSQL re-checks the condition on the row once the
/// other's update commits; SQLite's write lock serializes them.
const CLAIM_SWEEP: Sql = Sql::same(
    "UPDATE sweeps SET leased_until = $3, claims = claims + 1, started_at = $2 \
     WHERE company_id = $1 AND due_at <= $2 AND leased_until <= $2 \
     RETURNING claims, failures",
);
const RENEW_SWEEP: Sql =
    Sql::same("UPDATE sweeps SET leased_until = $3 WHERE company_id = $1 AND claims = $2");
const FINISH_SWEEP: Sql = Sql::same(
    "UPDATE sweeps SET due_at = $3, leased_until = 0, failures = 0, last_error = NULL, \
     last_completed_at = $4, last_listed = $5, last_not_listed = $6 \
     WHERE company_id = $1 AND claims = $2",
);
const FAIL_SWEEP: Sql = Sql::same(
    "UPDATE sweeps SET due_at = $3, leased_until = 0, failures = failures + 1, \
     last_error = $4 WHERE company_id = $1 AND claims = $2",
);
/// The holder stops before the end (the service is stopping): due at `$3`, not a failure.
const RELEASE_SWEEP: Sql = Sql::same(
    "UPDATE sweeps SET due_at = $3, leased_until = 0 WHERE company_id = $1 AND claims = $2",
);
const SELECT_SWEEPS: Sql = Sql::same(
    "SELECT company_id, due_at, leased_until, claims, started_at, failures, last_error, \
     last_completed_at, last_listed, last_not_listed FROM sweeps ORDER BY company_id",
);
/// An entry, with what a worker needs to act on it; on SQLite its place in the feed (one
/// writer at a time: the next place is the commit order), on PostgreSQL a sequence and the
/// transaction (see `feed`).
const APPEND_OUTBOX: Sql = Sql::each(
    "INSERT INTO outbox (connection_id, sequence, notification, status, delivery_id, \
     created_at, external_id, company_id, provider, invitation, feed_id) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
     (SELECT COALESCE(MAX(feed_id), 0) + 1 FROM outbox)) \
     ON CONFLICT (connection_id, delivery_id, notification) DO NOTHING",
    "INSERT INTO outbox (connection_id, sequence, notification, status, delivery_id, \
     created_at, external_id, company_id, provider, invitation) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
     ON CONFLICT (connection_id, delivery_id, notification) DO NOTHING",
);
/// The connection's last outbox sequence, after entries an action appended.
const STORE_SEQUENCE: Sql = Sql::same("UPDATE connections SET last_sequence = $2 WHERE id = $1");
/// A new job is due at once; a gap recorded while one is pending bumps its generation, so
/// that a poll answered before this gap does not close it.
const SCHEDULE_POLL: Sql = Sql::same(
    "INSERT INTO poll_jobs (connection_id, generation, attempts, due_at, created_at) \
     VALUES ($1, 1, 0, $2, $3) \
     ON CONFLICT (connection_id) DO UPDATE SET generation = poll_jobs.generation + 1",
);
/// Claims the most overdue job by moving its due time to the end of the lease. PostgreSQL
/// skips jobs another poller is claiming; SQLite's write lock serializes claims.
const CLAIM_POLL: Sql = Sql::each(
    "UPDATE poll_jobs SET due_at = $2, attempts = attempts + 1 WHERE connection_id = \
     (SELECT connection_id FROM poll_jobs WHERE due_at <= $1 ORDER BY due_at LIMIT 1) \
     RETURNING connection_id, generation, attempts",
    "UPDATE poll_jobs SET due_at = $2, attempts = attempts + 1 WHERE connection_id = \
     (SELECT connection_id FROM poll_jobs WHERE due_at <= $1 ORDER BY due_at LIMIT 1 \
      FOR UPDATE SKIP LOCKED) \
     RETURNING connection_id, generation, attempts",
);
const CLOSE_POLL: Sql =
    Sql::same("DELETE FROM poll_jobs WHERE connection_id = $1 AND generation = $2");
const REOPEN_POLL: Sql = Sql::same(
    "UPDATE poll_jobs SET due_at = $2, attempts = 0, last_error = NULL WHERE connection_id = $1",
);
const RETRY_POLL: Sql =
    Sql::same("UPDATE poll_jobs SET due_at = $2, last_error = $3 WHERE connection_id = $1");
const SELECT_RECORD: Sql = Sql::same("SELECT record FROM connections WHERE id = $1");
const SELECT_OUTBOX: Sql = Sql::same(
    "SELECT connection_id, sequence, notification, status, delivery_id, created_at, \
     invitation FROM outbox WHERE connection_id = $1 ORDER BY sequence",
);
const SELECT_POLL_JOBS: Sql = Sql::same(
    "SELECT connection_id, generation, attempts, due_at, last_error \
     FROM poll_jobs ORDER BY due_at, connection_id",
);
const PING: Sql = Sql::same("SELECT 1");

/// How the store connects: `StoreOptions::from(&config)` takes the configured timeouts and
/// pool size; the default is the default configuration's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// The most connections open at once; `None`: 4 on SQLite (one writes at a time
    /// anyway), 10 on PostgreSQL.
    pub max_connections: Option<u32>,
    /// Waiting for a connection from the pool.
    pub acquire_timeout: Duration,
    /// Waiting for a lock (SQLite's busy timeout, PostgreSQL's `lock_timeout`).
    pub lock_timeout: Duration,
    /// One statement (PostgreSQL's `statement_timeout`).
    pub statement_timeout: Duration,
    /// Which actions record their intent with the changes that call for them.
    pub actions: Actions,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self::from(&Config::new(DatabaseUrl::default()))
    }
}

impl From<&Config> for StoreOptions {
    fn from(config: &Config) -> Self {
        Self {
            max_connections: config.max_connections,
            acquire_timeout: config.timeouts.acquire,
            lock_timeout: config.timeouts.lock,
            statement_timeout: config.timeouts.statement,
            actions: config.actions,
        }
    }
}

/// The receiver's storage: one interface, on SQLite or PostgreSQL. Cheap to clone (the
/// clones share one pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// Notified after a commit that appended outbox entries: wakes this instance's pusher.
    appended: Arc<tokio::sync::Notify>,
    /// Which actions record their intent with the changes that call for them.
    actions: Actions,
}

/// What [`Store::observe`] did with an observation: durably recorded once it returns.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The library's decision on the observation.
    #[schema(value_type = crate::schema::Decision)]
    pub decision: Decision,
    /// The outbox entries appended (only for an applied change).
    pub appended: Vec<OutboxEntry>,
    /// Whether a poll of the connection was scheduled (a gap).
    pub poll_scheduled: bool,
}

impl Outcome {
    /// The decision's name, for logs: `apply`, `duplicate`, `stale`, `gap` or
    /// `other_connection`.
    #[must_use]
    pub fn decision_name(&self) -> &'static str {
        match self.decision {
            Decision::Apply(_) => "apply",
            Decision::Duplicate(_) => "duplicate",
            Decision::Stale { .. } => "stale",
            Decision::Gap(_) => "gap",
            Decision::OtherConnection { .. } => "other_connection",
        }
    }
}

/// One entry of the outbox: a notification of an applied change, for the integrator's own
/// worker to act on, in `sequence` order per connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    /// The connection.
    pub connection_id: String,
    /// 1, 2, 3, ... per connection, without gaps.
    pub sequence: i64,
    /// What the change means, or what an action did.
    pub notification: EntryKind,
    /// The connection's status after the change, as Nectar spells it.
    #[schema(value_type = crate::schema::ConnectionStatus)]
    pub status: String,
    /// The delivery (`svix-id`) that applied the change; `None` for a polled snapshot.
    pub delivery_id: Option<String>,
    /// When it was appended (RFC 3339, UTC, milliseconds).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The reconnect invitation it carries (`entered_credential_error` and
    /// `reconnect_invitation`, with reconnect invitations on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationLink>,
}

/// What an outbox entry says: what a change means (the library's [`Notification`]), or
/// what one of the receiver's actions did ([`ActionEntry`]). Both serialize as their
/// snake_case name (`entered_credential_error`, `accounts_confirmed`).
///
/// ```
/// use nectar_lifecycle::webhook::Notification;
/// use nectar_receiver::{ActionEntry, EntryKind};
///
/// let kind: EntryKind = serde_json::from_str(r#""accounts_confirmed""#)?;
/// assert_eq!(kind, EntryKind::Action(ActionEntry::AccountsConfirmed));
/// let kind = EntryKind::Change(Notification::EnteredCredentialError);
/// assert_eq!(kind.to_string(), "entered_credential_error");
/// assert_eq!(serde_json::to_string(&kind)?, r#""entered_credential_error""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EntryKind {
    /// What a change of the connection means.
    Change(Notification),
    /// What an action did.
    Action(ActionEntry),
}

impl core::fmt::Display for EntryKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Change(notification) => notification.fmt(f),
            Self::Action(action) => action.fmt(f),
        }
    }
}

impl PartialEq<Notification> for EntryKind {
    fn eq(&self, other: &Notification) -> bool {
        *self == Self::Change(*other)
    }
}

impl From<Notification> for EntryKind {
    fn from(notification: Notification) -> Self {
        Self::Change(notification)
    }
}

/// What one of the receiver's actions did (receiver/README.md, "Actions").
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ActionEntry {
    /// A new reconnect link for a credential-error episode the end user was already told
    /// of: the last one expired, or the link came after the `entered_credential_error`
    /// entry (Nectar's API did not answer within `NECTAR_INVITATION_HOLD`).
    ReconnectInvitation,
    /// The receiver confirmed the detected accounts (`PATCH /connection/{id}/status`).
    AccountsConfirmed,
    /// Before the receiver sent anything, no account awaited a decision any more: someone
    /// else decided.
    AccountsDecidedElsewhere,
}

/// A reconnect invitation as an entry carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationLink {
    /// Nectar's id of the invitation.
    pub id: String,
    /// The link for the end user (`invitationUrl`).
    pub url: String,
    /// When it expires (RFC 3339); `None`: never.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
}

/// A stored connection that complete sweeps of its company have not listed: kept (never
/// deleted), and marked in its record's JSON under `notListed`. A sweep that lists it again
/// clears the mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotListed {
    /// When a sweep last listed it; `None` if no sweep ever did.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_listed_at: Option<Timestamp>,
    /// When the first complete sweep that did not list it ended.
    #[schema(value_type = String, format = DateTime)]
    pub since: Timestamp,
}

impl NotListed {
    fn new(last_listed_at: Option<i64>, since: i64) -> Self {
        Self {
            last_listed_at: last_listed_at.map(timestamp),
            since: timestamp(since),
        }
    }
}

/// A stored record as the read API shows it (`GET /connections/{id}`): the library's
/// [`Record`], `notListed` when complete sweeps have not listed the connection, and
/// `invitation` when it had a credential-error episode with reconnect invitations on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordView {
    /// The record.
    #[serde(flatten)]
    #[schema(value_type = crate::schema::Record)]
    pub record: Record,
    /// The mark, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_listed: Option<NotListed>,
    /// The newest credential-error episode and its reconnect invitation, with reconnect
    /// invitations on (`NECTAR_RECONNECT_INVITATIONS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationView>,
}

/// A claimed sweep of one company: list its connections, renew the claim after each page
/// ([`Store::renew_sweep`]), then [`Store::finish_sweep`] or [`Store::fail_sweep`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepClaim {
    /// The company.
    pub company_id: String,
    /// The claim's number: a later claim of the same company supersedes this one.
    pub claim: i64,
    /// Failed sweeps of the company in a row before this one.
    pub failures: i64,
    /// When the sweep started.
    pub started_at: Timestamp,
}

/// A company's sweeps, as [`Store::sweeps`] lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepState {
    /// The company.
    pub company_id: String,
    /// When the next sweep may start.
    pub due_at: Timestamp,
    /// Until when an instance holds the current sweep; `None` when none does.
    pub leased_until: Option<Timestamp>,
    /// Claims so far (sweeps started, the current one included).
    pub claims: i64,
    /// When the current or last sweep started.
    pub started_at: Option<Timestamp>,
    /// Failed sweeps in a row.
    pub failures: i64,
    /// Why the last one failed, if it did.
    pub last_error: Option<String>,
    /// When the last complete sweep ended (RFC 3339).
    pub last_completed_at: Option<String>,
    /// Connections the last complete sweep listed.
    pub last_listed: Option<i64>,
    /// Stored connections it did not list.
    pub last_not_listed: Option<i64>,
}

/// A claimed poll job: poll the connection, then [`Store::complete_poll`] or
/// [`Store::retry_poll`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollJob {
    /// The connection to poll.
    pub connection_id: String,
    /// The job's generation when claimed.
    pub generation: i64,
    /// How many times the job has been claimed, this time included.
    pub attempts: i64,
}

/// A pending poll job, as [`Store::poll_jobs`] lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingPoll {
    /// The connection to poll.
    pub connection_id: String,
    /// Gaps recorded for it since the job was created, the first included.
    pub generation: i64,
    /// Attempts so far.
    pub attempts: i64,
    /// When it may be claimed next.
    pub due_at: Timestamp,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or is busy: worth retrying (a delivery is answered
    /// 503, and Svix retries).
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// The database refused a statement for another reason.
    #[error("the database failed: {0}")]
    Database(#[source] sqlx::Error),
    /// The schema could not be brought up to date at start-up.
    #[error("migrating the database failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value this receiver cannot read (written by hand, or by a newer version).
    #[error("the stored {what} of connection {connection} cannot be read: {message}")]
    Corrupt {
        /// What: `record` or `outbox entry`.
        what: &'static str,
        /// The connection.
        connection: String,
        /// Why.
        message: String,
    },
    /// The library refused to decide: the stored record is another connection's.
    #[error("the record stored under {stored} is connection {incoming}'s")]
    WrongRecord {
        /// The row's id.
        stored: String,
        /// The observation's connection.
        incoming: String,
    },
}

impl StoreError {
    /// Whether retrying later may succeed: the database was unreachable, busy, or shutting
    /// down, or a lock or statement timed out.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if is_transient(&err) {
            Self::Unavailable(err)
        } else {
            Self::Database(err)
        }
    }
}

/// Whether `err` says the database is (perhaps briefly) out of reach rather than that the
/// statement is wrong.
fn is_transient(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or_default();
            match db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                // Primary result codes: BUSY, LOCKED, IOERR, FULL, CANTOPEN, PROTOCOL.
                Some(_) => code
                    .parse::<i32>()
                    .is_ok_and(|code| matches!(code & 0xff, 5 | 6 | 10 | 13 | 14 | 15)),
                // SQLSTATE: connection exceptions, serialization failures and deadlocks,
                // insufficient resources, a lock or statement timeout, shutdowns, system
                // errors.
                None => {
                    code.starts_with("08")
                        || code.starts_with("40")
                        || code.starts_with("53")
                        || code.starts_with("57")
                        || code.starts_with("58")
                        || code == "55P03"
                }
            }
        }
        _ => false,
    }
}

impl Store {
    /// Connects to the database `url` names, creating a SQLite file if missing, and brings
    /// its schema up to date (the migrations in `receiver/migrations/`; on PostgreSQL, an
    /// advisory lock lets several receivers start at once).
    ///
    /// # Errors
    /// [`StoreError`] if the database cannot be reached or migrated.
    pub async fn open(url: &DatabaseUrl, options: StoreOptions) -> Result<Self, StoreError> {
        let pool = match url.engine() {
            Engine::Sqlite => {
                let connect = SqliteConnectOptions::from_str(url.expose())
                    .map_err(StoreError::Database)?
                    .create_if_missing(true)
                    // Readers do not wait for the writer; a commit is durable on return.
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(options.lock_timeout)
                    .foreign_keys(true);
                let pool = SqlitePoolOptions::new()
                    .max_connections(options.max_connections.unwrap_or(4))
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(connect)
                    .await?;
                SQLITE_MIGRATIONS.run(&pool).await?;
                Pool::Sqlite(pool, Arc::default())
            }
            Engine::Postgres => {
                let millis = |d: Duration| format!("{}ms", d.as_millis());
                let connect = PgConnectOptions::from_str(url.expose())
                    .map_err(StoreError::Database)?
                    .application_name("nectar-receiver")
                    .options([
                        ("lock_timeout", millis(options.lock_timeout)),
                        ("statement_timeout", millis(options.statement_timeout)),
                    ]);
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections.unwrap_or(10))
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(connect)
                    .await?;
                POSTGRES_MIGRATIONS.run(&pool).await?;
                Pool::Postgres(pool)
            }
        };
        let store = Self {
            pool,
            appended: Arc::default(),
            actions: options.actions,
        };
        store.fill_worklist().await?;
        Ok(store)
    }

    /// After the commit of `outcome`: wakes the pusher if it appended entries.
    fn committed(&self, outcome: &Outcome) {
        if !outcome.appended.is_empty() {
            self.appended.notify_one();
        }
    }

    /// Completes once a transaction committed by this store (or a clone) has appended
    /// outbox entries since the last time it completed (an observation, or an action's
    /// result): the pusher waits on it.
    pub async fn entries_appended(&self) {
        self.appended.notified().await;
    }

    /// The engine in use.
    #[must_use]
    pub fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(..) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Closes the pool: every later call fails as [`StoreError::Unavailable`].
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database answers.
    ///
    /// # Errors
    /// [`StoreError`] if it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _one: Vec<(i32,)> = self.read(PING, &[]).await?;
        Ok(())
    }

    /// Decides on `observation` against the stored record of its connection and records
    /// the result, all in one transaction that holds the connection's row: the new record,
    /// the notifications of an applied change (in the outbox), a poll job on a gap. Once it
    /// returns, the observation is durably recorded, whatever the decision.
    ///
    /// # Errors
    /// [`StoreError`]; then nothing was recorded.
    pub async fn observe(
        &self,
        observation: Observation<'_>,
        now: Timestamp,
    ) -> Result<Outcome, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let outcome = observe_in(&mut tx, &self.actions, observation, now, None).await?;
        tx.commit().await?;
        self.committed(&outcome);
        Ok(outcome)
    }

    /// Records `snapshot`, listed by a sweep of `company_id`, through the same transaction
    /// as a delivery ([`Store::observe`]), and notes in it that the connection was listed at
    /// `now` (clearing a [`NotListed`] mark).
    ///
    /// # Errors
    /// [`StoreError`]; then nothing was recorded.
    pub async fn observe_listed(
        &self,
        snapshot: &ConnectionPayload,
        company_id: &str,
        now: Timestamp,
    ) -> Result<Outcome, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let observation = Observation::Snapshot(snapshot);
        let outcome =
            observe_in(&mut tx, &self.actions, observation, now, Some(company_id)).await?;
        tx.commit().await?;
        self.committed(&outcome);
        Ok(outcome)
    }

    /// Makes a sweep of each of `companies` due at `now` (or keeps it due earlier): each
    /// instance sweeps every company once when it starts.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn schedule_sweeps(
        &self,
        companies: &[String],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        for company in companies {
            tx.execute(SCHEDULE_SWEEP, &[Arg::Text(company), Arg::Int(millis(now))])
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Claims the sweep of `company_id` if it is due at `now` and nobody holds it, keeping
    /// it from other instances for `lease` (renew it with [`Store::renew_sweep`]).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn claim_sweep(
        &self,
        company_id: &str,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Option<SweepClaim>, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let row: Option<(i64, i64)> = tx
            .fetch_optional(
                CLAIM_SWEEP,
                &[
                    Arg::Text(company_id),
                    Arg::Int(millis(now)),
                    Arg::Int(millis_after(now, lease)),
                ],
            )
            .await?;
        tx.commit().await?;
        Ok(row.map(|(claim, failures)| SweepClaim {
            company_id: company_id.to_owned(),
            claim,
            failures,
            started_at: now,
        }))
    }

    /// Extends the lease of `claim` to `now + lease`; `false` when the sweep is no longer
    /// this claim's (its lease ended and another instance took it over): stop it then.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn renew_sweep(
        &self,
        claim: &SweepClaim,
        now: Timestamp,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let renewed = tx
            .execute(
                RENEW_SWEEP,
                &[
                    Arg::Text(&claim.company_id),
                    Arg::Int(claim.claim),
                    Arg::Int(millis_after(now, lease)),
                ],
            )
            .await?;
        tx.commit().await?;
        Ok(renewed == 1)
    }

    /// Ends the complete sweep of `claim`, which listed `listed` connections, at `now`: in
    /// one transaction, marks every stored connection of the company that it did not list
    /// (and that was stored when it started) as [`NotListed`], and makes the next sweep due
    /// at `next`. Returns the ids marked, or `None` when the sweep was no longer this
    /// claim's (then nothing changed).
    ///
    /// # Errors
    /// [`StoreError`]; then nothing changed.
    pub async fn finish_sweep(
        &self,
        claim: &SweepClaim,
        listed: usize,
        now: Timestamp,
        next: Timestamp,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let company = Arg::Text(&claim.company_id);
        let rows: Vec<(String, String, Option<i64>, Option<i64>)> = tx
            .fetch_all(NOT_LISTED, &[company, Arg::Int(millis(claim.started_at))])
            .await?;
        let mut marked = Vec::with_capacity(rows.len());
        for (id, json, last_listed_at, not_listed_since) in rows {
            let record = read_record(&id, &json)?;
            let mark = NotListed::new(last_listed_at, not_listed_since.unwrap_or(millis(now)));
            let json = record_json(&id, &record, Some(&mark))?;
            tx.execute(
                MARK_NOT_LISTED,
                &[
                    Arg::Text(&id),
                    Arg::Text(&json),
                    Arg::Int(millis(mark.since)),
                ],
            )
            .await?;
            marked.push(id);
        }
        let count = |n: usize| Arg::Int(i64::try_from(n).unwrap_or(i64::MAX));
        let finished = tx
            .execute(
                FINISH_SWEEP,
                &[
                    company,
                    Arg::Int(claim.claim),
                    Arg::Int(millis(next)),
                    Arg::Text(&rfc3339(now)),
                    count(listed),
                    count(marked.len()),
                ],
            )
            .await?;
        if finished == 0 {
            // Dropped without a commit: rolled back.
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(marked))
    }

    /// Ends the failed sweep of `claim`: the next is due at `due`, and `error` says why;
    /// without an error, the sweep was stopped before the end (not a failure).
    ///
    /// # Errors
    /// [`StoreError`]; then the sweep becomes due again when its lease ends.
    pub async fn fail_sweep(
        &self,
        claim: &SweepClaim,
        due: Timestamp,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let mut args = vec![
            Arg::Text(&claim.company_id),
            Arg::Int(claim.claim),
            Arg::Int(millis(due)),
        ];
        let sql = match error {
            Some(error) => {
                args.push(Arg::Text(error));
                FAIL_SWEEP
            }
            None => RELEASE_SWEEP,
        };
        tx.execute(sql, &args).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every company's sweeps, by company id.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn sweeps(&self) -> Result<Vec<SweepState>, StoreError> {
        type Row = (
            String,
            i64,
            i64,
            i64,
            Option<i64>,
            i64,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = self.read(SELECT_SWEEPS, &[]).await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    company_id,
                    due_at,
                    leased_until,
                    claims,
                    started_at,
                    failures,
                    last_error,
                    last_completed_at,
                    last_listed,
                    last_not_listed,
                )| SweepState {
                    company_id,
                    due_at: timestamp(due_at),
                    leased_until: (leased_until > 0).then(|| timestamp(leased_until)),
                    claims,
                    started_at: started_at.map(timestamp),
                    failures,
                    last_error,
                    last_completed_at,
                    last_listed,
                    last_not_listed,
                },
            )
            .collect())
    }

    /// The stored record of `connection_id` as the read API shows it: the record, with its
    /// [`NotListed`] mark under `notListed` when complete sweeps have not listed it.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn record_view(&self, connection_id: &str) -> Result<Option<RecordView>, StoreError> {
        let mut tx = self.pool.begin(Access::Read).await?;
        let row: Option<(Option<String>, Option<i64>, Option<i64>)> = tx
            .fetch_optional(SELECT_LISTING, &[Arg::Text(connection_id)])
            .await?;
        let Some((Some(json), last_listed_at, not_listed_since)) = row else {
            return Ok(None);
        };
        let invitation = actions::invitation_in(&mut tx, connection_id).await?;
        tx.commit().await?;
        Ok(Some(RecordView {
            record: read_record(connection_id, &json)?,
            not_listed: not_listed_since.map(|since| NotListed::new(last_listed_at, since)),
            invitation,
        }))
    }

    /// The stored record of `connection_id`, if any.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn record(&self, connection_id: &str) -> Result<Option<Record>, StoreError> {
        let rows: Vec<(Option<String>,)> = self
            .read(SELECT_RECORD, &[Arg::Text(connection_id)])
            .await?;
        rows.into_iter()
            .next()
            .and_then(|(record,)| record)
            .map(|json| read_record(connection_id, &json))
            .transpose()
    }

    /// The outbox entries of `connection_id`, in order.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn notifications(&self, connection_id: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows: Vec<OutboxRow> = self
            .read(SELECT_OUTBOX, &[Arg::Text(connection_id)])
            .await?;
        rows.into_iter().map(outbox_entry).collect()
    }

    /// The pending poll jobs, the most overdue first.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn poll_jobs(&self) -> Result<Vec<PendingPoll>, StoreError> {
        let rows: Vec<(String, i64, i64, i64, Option<String>)> =
            self.read(SELECT_POLL_JOBS, &[]).await?;
        Ok(rows
            .into_iter()
            .map(
                |(connection_id, generation, attempts, due_at, last_error)| PendingPoll {
                    connection_id,
                    generation,
                    attempts,
                    due_at: timestamp(due_at),
                    last_error,
                },
            )
            .collect())
    }

    /// The rows of `sql`, in a read-only transaction.
    async fn read<T: sql::Row>(&self, sql: Sql, args: &[Arg<'_>]) -> Result<Vec<T>, StoreError> {
        let mut tx = self.pool.begin(Access::Read).await?;
        let rows = tx.fetch_all(sql, args).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Claims the most overdue poll job due at `now`, if any, keeping it from other pollers
    /// for `lease`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn claim_poll(
        &self,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Option<PollJob>, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let row: Option<(String, i64, i64)> = tx
            .fetch_optional(
                CLAIM_POLL,
                &[Arg::Int(millis(now)), Arg::Int(millis_after(now, lease))],
            )
            .await?;
        tx.commit().await?;
        Ok(row.map(|(connection_id, generation, attempts)| PollJob {
            connection_id,
            generation,
            attempts,
        }))
    }

    /// Records the `snapshot` polled for `job` through the same transaction as a delivery
    /// ([`Store::observe`]), and closes the job in it, unless a gap was recorded since it was
    /// claimed: then the job is due again at once.
    ///
    /// # Errors
    /// [`StoreError`]; then nothing was recorded and the job stays claimed until its lease
    /// ends.
    pub async fn complete_poll(
        &self,
        job: &PollJob,
        snapshot: &ConnectionPayload,
        now: Timestamp,
    ) -> Result<Outcome, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let outcome = observe_in(
            &mut tx,
            &self.actions,
            Observation::Snapshot(snapshot),
            now,
            None,
        )
        .await?;
        let id = Arg::Text(&job.connection_id);
        let closed = tx
            .execute(CLOSE_POLL, &[id, Arg::Int(job.generation)])
            .await?;
        if closed == 0 {
            tx.execute(REOPEN_POLL, &[id, Arg::Int(millis(now))])
                .await?;
        }
        tx.commit().await?;
        self.committed(&outcome);
        Ok(outcome)
    }

    /// Makes `job` due again at `due`, noting why this attempt failed.
    ///
    /// # Errors
    /// [`StoreError`]; then the job becomes due when its lease ends.
    pub async fn retry_poll(
        &self,
        job: &PollJob,
        due: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        tx.execute(
            RETRY_POLL,
            &[
                Arg::Text(&job.connection_id),
                Arg::Int(millis(due)),
                Arg::Text(error),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The body of [`Store::observe`], inside its transaction; `listed_by` is the company whose
/// sweep listed the connection, for [`Store::observe_listed`].
async fn observe_in(
    tx: &mut Tx,
    actions: &Actions,
    observation: Observation<'_>,
    now: Timestamp,
    listed_by: Option<&str>,
) -> Result<Outcome, StoreError> {
    let id = observation.connection().id.as_str();
    let Locked {
        record: stored,
        last_sequence,
        not_listed,
    } = lock_connection(tx, id, now).await?;
    let decision = reconcile(stored.as_ref(), observation);
    if let Decision::OtherConnection { stored, incoming } = decision {
        return Err(StoreError::WrongRecord { stored, incoming });
    }
    let created_at = rfc3339(now);
    let connection = observation.connection();
    let company_id = connection.company.as_ref().and_then(|c| c.id.as_deref());
    let mut appended = Vec::new();
    if let Decision::Apply(changes) = &decision {
        let status = connection.status.as_str();
        let delivery_id = observation.delivery_id();
        let change = actions::Change {
            id,
            enters: changes
                .notifications
                .iter()
                .any(|n| n == Notification::EnteredCredentialError),
            leaves: connection
                .status
                .known()
                .is_some_and(|s| !s.is_credential_error()),
            delivery_id,
            status,
        };
        let held = actions::on_change(tx, actions, &change, now).await?;
        let mut entries: Vec<NewEntry<'_>> = Vec::new();
        if let Some(held) = &held {
            entries.push(NewEntry::held(
                &held.status,
                held.delivery_id.as_deref(),
                None,
            ));
        }
        entries.extend(
            changes
                .notifications
                .iter()
                .filter(|n| !actions::holds(actions, *n))
                .map(|notification| NewEntry {
                    kind: notification.into(),
                    status,
                    delivery_id,
                    invitation: None,
                }),
        );
        let at = Appending::of(id, Some(connection), &created_at);
        appended = append_entries(tx, &at, last_sequence, entries).await?;
        for entry in &appended {
            if entry.notification == EntryKind::Change(Notification::AccountsDetected) {
                actions::on_detection(tx, actions, id, entry.sequence, now).await?;
            }
        }
    }
    // A listed connection loses its mark; any other keeps it in the JSON it is stored with.
    let mark = not_listed.filter(|_| listed_by.is_none());
    let next = Record::after(stored.as_ref(), observation, &decision);
    let unmarked = listed_by.is_some() && not_listed.is_some();
    if let Some(record) = next.as_ref().or(stored.as_ref().filter(|_| unmarked)) {
        let json = record_json(id, record, mark.as_ref())?;
        let sequence = appended
            .last()
            .map_or(last_sequence, |entry| entry.sequence);
        let status = record.connection.status.as_str();
        tx.execute(
            STORE_RECORD,
            &[
                Arg::Text(id),
                Arg::Text(&json),
                Arg::Int(sequence),
                Arg::Text(&created_at),
                Arg::MaybeText(company_id),
                Arg::Text(status),
                Arg::MaybeText(worklist::needs_of(status).map(<&str>::from)),
                Arg::Int(millis(now)),
            ],
        )
        .await?;
    }
    if let Some(company) = listed_by {
        tx.execute(
            LISTED,
            &[Arg::Text(id), Arg::Text(company), Arg::Int(millis(now))],
        )
        .await?;
    }
    let poll_scheduled = matches!(decision, Decision::Gap(_));
    if poll_scheduled {
        tx.execute(
            SCHEDULE_POLL,
            &[Arg::Text(id), Arg::Int(millis(now)), Arg::Text(&created_at)],
        )
        .await?;
    }
    Ok(Outcome {
        decision,
        appended,
        poll_scheduled,
    })
}

/// A connection's row, held for the rest of the transaction.
struct Locked {
    /// The stored record; `None` for a connection first observed now.
    record: Option<Record>,
    /// Its last outbox sequence.
    last_sequence: i64,
    /// Its mark, when complete sweeps have not listed it.
    not_listed: Option<NotListed>,
}

/// An entry to append: what it says, the status and delivery it is about, the invitation it
/// carries.
struct NewEntry<'a> {
    kind: EntryKind,
    status: &'a str,
    delivery_id: Option<&'a str>,
    invitation: Option<&'a InvitationLink>,
}

impl<'a> NewEntry<'a> {
    /// The `entered_credential_error` entry an episode held for its link: appended with the
    /// link, or without one (the hold passed, or the episode ended first).
    fn held(
        status: &'a str,
        delivery_id: Option<&'a str>,
        invitation: Option<&'a InvitationLink>,
    ) -> Self {
        Self {
            kind: Notification::EnteredCredentialError.into(),
            status,
            delivery_id,
            invitation,
        }
    }
}

/// What the entries of one connection appended in one transaction share: the connection as
/// it is then.
struct Appending<'a> {
    id: &'a str,
    external_id: Option<&'a str>,
    company_id: Option<&'a str>,
    provider: Option<&'a str>,
    created_at: &'a str,
}

impl<'a> Appending<'a> {
    fn of(id: &'a str, connection: Option<&'a ConnectionPayload>, created_at: &'a str) -> Self {
        Self {
            id,
            external_id: connection.and_then(|c| c.external_id.as_deref()),
            company_id: connection
                .and_then(|c| c.company.as_ref())
                .and_then(|c| c.id.as_deref()),
            provider: connection
                .and_then(|c| c.datasource.as_ref())
                .and_then(|d| d.name.as_deref()),
            created_at,
        }
    }
}

/// Appends `entries` after sequence `last_sequence`, in order; an entry its delivery
/// already appended is skipped. Returns those appended.
async fn append_entries(
    tx: &mut Tx,
    at: &Appending<'_>,
    last_sequence: i64,
    entries: impl IntoIterator<Item = NewEntry<'_>>,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let mut appended: Vec<OutboxEntry> = Vec::new();
    for new in entries {
        let entry = OutboxEntry {
            connection_id: at.id.to_owned(),
            sequence: appended
                .last()
                .map_or(last_sequence, |last| last.sequence)
                .saturating_add(1),
            notification: new.kind,
            status: new.status.to_owned(),
            delivery_id: new.delivery_id.map(str::to_owned),
            created_at: at.created_at.to_owned(),
            invitation: new.invitation.cloned(),
        };
        let name = entry.notification.to_string();
        let invitation = new
            .invitation
            .map(serde_json::to_string)
            .transpose()
            .map_err(|err| StoreError::Corrupt {
                what: "invitation",
                connection: at.id.to_owned(),
                message: err.to_string(),
            })?;
        let inserted = tx
            .execute(
                APPEND_OUTBOX,
                &[
                    Arg::Text(at.id),
                    Arg::Int(entry.sequence),
                    Arg::Text(&name),
                    Arg::Text(new.status),
                    Arg::MaybeText(new.delivery_id),
                    Arg::Text(at.created_at),
                    Arg::MaybeText(at.external_id),
                    Arg::MaybeText(at.company_id),
                    Arg::MaybeText(at.provider),
                    Arg::MaybeText(invitation.as_deref()),
                ],
            )
            .await?;
        if inserted == 1 {
            appended.push(entry);
        }
    }
    Ok(appended)
}

/// Appends `entries` for an action, outside a change: the connection as stored in `locked`
/// (held by the transaction), and its last sequence moved on.
async fn append<'a>(
    tx: &mut Tx,
    id: &str,
    locked: &Locked,
    entries: impl IntoIterator<Item = NewEntry<'a>>,
    now: Timestamp,
) -> Result<Vec<OutboxEntry>, StoreError> {
    let created_at = rfc3339(now);
    let connection = locked.record.as_ref().map(|r| &r.connection);
    let at = Appending::of(id, connection, &created_at);
    let appended = append_entries(tx, &at, locked.last_sequence, entries).await?;
    if let Some(last) = appended.last() {
        tx.execute(STORE_SEQUENCE, &[Arg::Text(id), Arg::Int(last.sequence)])
            .await?;
    }
    Ok(appended)
}

/// The stored row of connection `id`, held until the transaction ends; the row is inserted
/// first when absent (first seen `now`), so that two first observations of a connection
/// queue on it too.
async fn lock_connection(tx: &mut Tx, id: &str, now: Timestamp) -> Result<Locked, StoreError> {
    type Row = (Option<String>, i64, Option<i64>, Option<i64>);
    let args = [Arg::Text(id)];
    let row: Row = match tx.fetch_optional(LOCK_CONNECTION, &args).await? {
        Some(row) => row,
        None => {
            tx.execute(INSERT_CONNECTION, &[Arg::Text(id), Arg::Int(millis(now))])
                .await?;
            tx.fetch_optional(LOCK_CONNECTION, &args)
                .await?
                .unwrap_or((None, 0, None, None))
        }
    };
    let (record, last_sequence, last_listed_at, not_listed_since) = row;
    Ok(Locked {
        record: record.map(|json| read_record(id, &json)).transpose()?,
        last_sequence,
        not_listed: not_listed_since.map(|since| NotListed::new(last_listed_at, since)),
    })
}

/// `record` as stored: its JSON, with `mark` under `notListed` when there is one.
fn record_json(id: &str, record: &Record, mark: Option<&NotListed>) -> Result<String, StoreError> {
    let unwritable = |err: serde_json::Error| StoreError::Corrupt {
        what: "record",
        connection: id.to_owned(),
        message: err.to_string(),
    };
    /// The record's fields and `notListed`, without a copy of the record.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Marked<'a> {
        #[serde(flatten)]
        record: &'a Record,
        not_listed: &'a NotListed,
    }
    match mark {
        None => serde_json::to_string(record).map_err(unwritable),
        Some(not_listed) => {
            serde_json::to_string(&Marked { record, not_listed }).map_err(unwritable)
        }
    }
}

fn read_record(connection: &str, json: &str) -> Result<Record, StoreError> {
    serde_json::from_str(json).map_err(|err| StoreError::Corrupt {
        what: "record",
        connection: connection.to_owned(),
        message: err.to_string(),
    })
}

/// An outbox row as stored.
pub(super) type OutboxRow = (
    String,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

fn outbox_entry(row: OutboxRow) -> Result<OutboxEntry, StoreError> {
    let (connection_id, sequence, notification, status, delivery_id, created_at, invitation) = row;
    let notification = stored_kind(&connection_id, &notification)?;
    let invitation = stored_invitation(&connection_id, invitation.as_deref())?;
    Ok(OutboxEntry {
        connection_id,
        sequence,
        notification,
        status,
        delivery_id,
        created_at,
        invitation,
    })
}

/// What an outbox entry of `connection` stored as `name` says.
fn stored_kind(connection: &str, name: &str) -> Result<EntryKind, StoreError> {
    parse_kind(name).map_err(|message| StoreError::Corrupt {
        what: "outbox entry",
        connection: connection.to_owned(),
        message,
    })
}

/// The invitation an outbox entry of `connection` carries, stored as JSON.
fn stored_invitation(
    connection: &str,
    json: Option<&str>,
) -> Result<Option<InvitationLink>, StoreError> {
    json.map(serde_json::from_str)
        .transpose()
        .map_err(|err| StoreError::Corrupt {
            what: "outbox entry's invitation",
            connection: connection.to_owned(),
            message: err.to_string(),
        })
}

/// An entry's kind from its stored (serde) name.
fn parse_kind(name: &str) -> Result<EntryKind, String> {
    use serde::de::IntoDeserializer;
    EntryKind::deserialize(name.into_deserializer())
        .map_err(|err: serde::de::value::Error| err.to_string())
}

/// The library's remediation for a connection in `status` (as Nectar spells it), as the
/// receiver shows it everywhere (feed, worklist, dashboard): the receiver does not count a
/// connection's consecutive checks, so it is the first check's. `None` for a status the
/// library does not know.
pub(crate) fn remedy(status: &str) -> Option<Remediation> {
    let status = status.parse::<ConnectionStatus>().ok()?;
    Some(remediation(status, 1))
}

/// Unix milliseconds as a time (saturating).
fn timestamp(millis: i64) -> Timestamp {
    Timestamp::from_millisecond(millis).unwrap_or(if millis < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// `at` as Unix milliseconds.
fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

/// `at + delay` as Unix milliseconds (saturating).
fn millis_after(at: Timestamp, delay: Duration) -> i64 {
    let delay = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    at.as_millisecond().saturating_add(delay)
}

/// `at` in RFC 3339, UTC, to the millisecond: a fixed width, so text order is time order.
fn rfc3339(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use nectar_lifecycle::webhook::Notification;

    use super::{ActionEntry, EntryKind, parse_kind, rfc3339};

    #[test]
    fn entry_kinds_read_back_by_their_stored_names() {
        for kind in [
            EntryKind::Change(Notification::EnteredCredentialError),
            EntryKind::Change(Notification::Recovered),
            EntryKind::Change(Notification::AccountsDetected),
            EntryKind::Action(ActionEntry::ReconnectInvitation),
            EntryKind::Action(ActionEntry::AccountsConfirmed),
            EntryKind::Action(ActionEntry::AccountsDecidedElsewhere),
        ] {
            assert_eq!(parse_kind(&kind.to_string()), Ok(kind));
        }
        assert!(parse_kind("paused").is_err());
    }

    #[test]
    fn timestamps_have_a_fixed_width() {
        let at = Timestamp::from_millisecond(1_764_000_000_000).expect("in range");
        assert_eq!(rfc3339(at), "2025-11-24T16:00:00.000Z");
    }
}
