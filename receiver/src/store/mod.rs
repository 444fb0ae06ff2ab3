//! The storage interface and its two engines, SQLite and PostgreSQL.
//!
//! Everything that changes a connection goes through one transaction, [`Store::observe`]:
//! it holds the connection's row for its whole length (SQLite: the write lock taken by
//! `BEGIN IMMEDIATE`; PostgreSQL: `SELECT ... FOR UPDATE` on the row, inserted first when
//! absent), runs the library's [`reconcile`] and [`Record::after`] against the stored record,
//! stores the new record, appends the notifications of an applied change to the outbox, and
//! records a poll job on a gap. Two observations of one connection therefore never
//! interleave, on one receiver or on several sharing a PostgreSQL database.

mod sql;

use core::time::Duration;
use std::str::FromStr;

use jiff::Timestamp;
use nectar_lifecycle::webhook::{
    ConnectionPayload, Decision, Notification, Observation, Record, reconcile,
};
use serde::{Deserialize, Serialize};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::config::{Config, DatabaseUrl, Engine};
use sql::{Access, Arg, Pool, Sql, Tx};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The connection's row, held for the rest of the transaction.
const LOCK_CONNECTION: Sql = Sql::each(
    "SELECT record, last_sequence FROM connections WHERE id = $1",
    "SELECT record, last_sequence FROM connections WHERE id = $1 FOR UPDATE",
);
const INSERT_CONNECTION: Sql =
    Sql::same("INSERT INTO connections (id) VALUES ($1) ON CONFLICT (id) DO NOTHING");
const STORE_RECORD: Sql = Sql::same(
    "UPDATE connections SET record = $2, last_sequence = $3, updated_at = $4 WHERE id = $1",
);
const APPEND_OUTBOX: Sql = Sql::same(
    "INSERT INTO outbox (connection_id, sequence, notification, status, delivery_id, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (connection_id, delivery_id, notification) DO NOTHING",
);
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
    "SELECT connection_id, sequence, notification, status, delivery_id, created_at \
     FROM outbox WHERE connection_id = $1 ORDER BY sequence",
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
        }
    }
}

/// The receiver's storage: one interface, on SQLite or PostgreSQL. Cheap to clone (the
/// clones share one pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
}

/// What [`Store::observe`] did with an observation: durably recorded once it returns.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The library's decision on the observation.
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    /// The connection.
    pub connection_id: String,
    /// 1, 2, 3, ... per connection, without gaps.
    pub sequence: i64,
    /// What the change means.
    pub notification: Notification,
    /// The connection's status after the change, as Nectar spells it.
    pub status: String,
    /// The delivery (`svix-id`) that applied the change; `None` for a polled snapshot.
    pub delivery_id: Option<String>,
    /// When it was appended (RFC 3339, UTC, milliseconds).
    pub created_at: String,
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
                Pool::Sqlite(pool)
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
        Ok(Self { pool })
    }

    /// The engine in use.
    #[must_use]
    pub fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
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
        let outcome = observe_in(&mut tx, observation, now).await?;
        tx.commit().await?;
        Ok(outcome)
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
                    due_at: Timestamp::from_millisecond(due_at).unwrap_or(Timestamp::MAX),
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
        let outcome = observe_in(&mut tx, Observation::Snapshot(snapshot), now).await?;
        let id = Arg::Text(&job.connection_id);
        let closed = tx
            .execute(CLOSE_POLL, &[id, Arg::Int(job.generation)])
            .await?;
        if closed == 0 {
            tx.execute(REOPEN_POLL, &[id, Arg::Int(millis(now))])
                .await?;
        }
        tx.commit().await?;
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

/// The body of [`Store::observe`], inside its transaction.
async fn observe_in(
    tx: &mut Tx,
    observation: Observation<'_>,
    now: Timestamp,
) -> Result<Outcome, StoreError> {
    let id = observation.connection().id.as_str();
    let (stored, last_sequence) = lock_connection(tx, id).await?;
    let decision = reconcile(stored.as_ref(), observation);
    if let Decision::OtherConnection { stored, incoming } = decision {
        return Err(StoreError::WrongRecord { stored, incoming });
    }
    let created_at = rfc3339(now);
    let mut appended = Vec::new();
    if let Decision::Apply(changes) = &decision {
        let status = observation.connection().status.as_str();
        let delivery_id = observation.delivery_id();
        for notification in changes.notifications.iter() {
            let entry = OutboxEntry {
                connection_id: id.to_owned(),
                sequence: last_sequence + 1 + i64::try_from(appended.len()).unwrap_or(i64::MAX),
                notification,
                status: status.to_owned(),
                delivery_id: delivery_id.map(str::to_owned),
                created_at: created_at.clone(),
            };
            let name = notification.to_string();
            let inserted = tx
                .execute(
                    APPEND_OUTBOX,
                    &[
                        Arg::Text(id),
                        Arg::Int(entry.sequence),
                        Arg::Text(&name),
                        Arg::Text(status),
                        Arg::MaybeText(delivery_id),
                        Arg::Text(&created_at),
                    ],
                )
                .await?;
            if inserted == 1 {
                appended.push(entry);
            }
        }
    }
    if let Some(next) = Record::after(stored.as_ref(), observation, &decision) {
        let json = serde_json::to_string(&next).map_err(|err| StoreError::Corrupt {
            what: "record",
            connection: id.to_owned(),
            message: err.to_string(),
        })?;
        let sequence = appended
            .last()
            .map_or(last_sequence, |entry| entry.sequence);
        tx.execute(
            STORE_RECORD,
            &[
                Arg::Text(id),
                Arg::Text(&json),
                Arg::Int(sequence),
                Arg::Text(&created_at),
            ],
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

/// The stored record of connection `id` and its last outbox sequence, the row held until
/// the transaction ends; the row is inserted first when absent, so that two first
/// observations of a connection queue on it too.
async fn lock_connection(tx: &mut Tx, id: &str) -> Result<(Option<Record>, i64), StoreError> {
    let args = [Arg::Text(id)];
    let row = match tx.fetch_optional(LOCK_CONNECTION, &args).await? {
        Some(row) => row,
        None => {
            tx.execute(INSERT_CONNECTION, &args).await?;
            tx.fetch_optional(LOCK_CONNECTION, &args)
                .await?
                .unwrap_or((None, 0))
        }
    };
    let (record, last_sequence): (Option<String>, i64) = row;
    let record = record.map(|json| read_record(id, &json)).transpose()?;
    Ok((record, last_sequence))
}

fn read_record(connection: &str, json: &str) -> Result<Record, StoreError> {
    serde_json::from_str(json).map_err(|err| StoreError::Corrupt {
        what: "record",
        connection: connection.to_owned(),
        message: err.to_string(),
    })
}

/// An outbox row as stored.
type OutboxRow = (String, i64, String, String, Option<String>, String);

fn outbox_entry(row: OutboxRow) -> Result<OutboxEntry, StoreError> {
    let (connection_id, sequence, notification, status, delivery_id, created_at) = row;
    let notification =
        parse_notification(&notification).map_err(|message| StoreError::Corrupt {
            what: "outbox entry",
            connection: connection_id.clone(),
            message,
        })?;
    Ok(OutboxEntry {
        connection_id,
        sequence,
        notification,
        status,
        delivery_id,
        created_at,
    })
}

/// A notification from its stored (serde) name.
fn parse_notification(name: &str) -> Result<Notification, String> {
    use serde::de::IntoDeserializer;
    Notification::deserialize(name.into_deserializer())
        .map_err(|err: serde::de::value::Error| err.to_string())
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

    use super::{parse_notification, rfc3339};

    #[test]
    fn notifications_read_back_by_their_stored_names() {
        for notification in [
            Notification::EnteredCredentialError,
            Notification::Recovered,
            Notification::AccountsDetected,
        ] {
            assert_eq!(
                parse_notification(&notification.to_string()),
                Ok(notification)
            );
        }
        assert!(parse_notification("paused").is_err());
    }

    #[test]
    fn timestamps_have_a_fixed_width() {
        let at = Timestamp::from_millisecond(1_764_000_000_000).expect("in range");
        assert_eq!(rfc3339(at), "2025-11-24T16:00:00.000Z");
    }
}
