//! The two engines behind one small surface: a transaction that runs a statement with
//! arguments. The statements are the same text on both engines except where marked: sqlx's
//! SQLite driver reads `$1`-style parameters as PostgreSQL does, and both engines have
//! `INSERT ... ON CONFLICT` and `UPDATE ... RETURNING`.

use std::sync::Arc;

use sqlx::error::BoxDynError;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Arguments, Encode, FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction, Type};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// One statement, as each engine spells it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sql {
    sqlite: &'static str,
    postgres: &'static str,
}

impl Sql {
    /// A statement spelt the same on both engines.
    pub(super) const fn same(text: &'static str) -> Self {
        Self {
            sqlite: text,
            postgres: text,
        }
    }

    /// A statement spelt differently.
    pub(super) const fn each(sqlite: &'static str, postgres: &'static str) -> Self {
        Self { sqlite, postgres }
    }
}

/// An argument of a statement.
#[derive(Debug, Clone, Copy)]
pub(super) enum Arg<'a> {
    /// `TEXT`.
    Text(&'a str),
    /// `TEXT`, or `NULL`.
    MaybeText(Option<&'a str>),
    /// `BIGINT`.
    Int(i64),
    /// `BIGINT`, or `NULL`.
    MaybeInt(Option<i64>),
}

/// `args` as the arguments of a statement on the engine `DB`.
fn arguments<DB: sqlx::Database>(args: &[Arg<'_>]) -> Result<DB::Arguments, sqlx::Error>
where
    for<'a> &'a str: Encode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB> + Type<DB>,
    for<'a> i64: Encode<'a, DB> + Type<DB>,
    for<'a> Option<i64>: Encode<'a, DB> + Type<DB>,
{
    let mut arguments = DB::Arguments::default();
    for arg in args {
        let added: Result<(), BoxDynError> = match *arg {
            Arg::Text(text) => arguments.add(text),
            Arg::MaybeText(text) => arguments.add(text),
            Arg::Int(int) => arguments.add(int),
            Arg::MaybeInt(int) => arguments.add(int),
        };
        added.map_err(sqlx::Error::Encode)?;
    }
    Ok(arguments)
}

/// A row type both engines decode.
pub(super) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// A pool of either engine. On SQLite, writers of this process queue on a gate before they
/// take a connection: SQLite has one writer at a time, and a writer that waits inside
/// `BEGIN IMMEDIATE` sleeps in SQLite's busy handler (in steps of up to 100 ms) while holding
/// a pooled connection, so that many writers at once (sweeps of several companies) would
/// starve the pool. Other processes on the same file still wait through the busy timeout.
#[derive(Debug, Clone)]
pub(super) enum Pool {
    Sqlite(SqlitePool, Arc<Mutex<()>>),
    Postgres(PgPool),
}

/// What a transaction will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// Only read: a consistent snapshot, taking no lock.
    Read,
    /// Read and write. On SQLite the transaction takes the database's write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue instead of deadlocking on a lock upgrade; on
    /// PostgreSQL, rows are locked as they are selected `FOR UPDATE`.
    Write,
}

impl Pool {
    pub(super) async fn begin(&self, access: Access) -> Result<Tx, sqlx::Error> {
        Ok(match (self, access) {
            (Self::Sqlite(pool, gate), Access::Write) => {
                let writing = gate.clone().lock_owned().await;
                let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                Tx::Sqlite(tx, Some(writing))
            }
            (Self::Sqlite(pool, _), Access::Read) => Tx::Sqlite(pool.begin().await?, None),
            (Self::Postgres(pool), _) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub(super) async fn close(&self) {
        match self {
            Self::Sqlite(pool, _) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// A transaction on either engine. Dropped without [`Tx::commit`], it rolls back. A SQLite
/// writer holds the process's write gate until then.
pub(super) enum Tx {
    Sqlite(Transaction<'static, Sqlite>, Option<OwnedMutexGuard<()>>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// Runs `sql`; returns the number of rows it changed.
    pub(super) async fn execute(&mut self, sql: Sql, args: &[Arg<'_>]) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(tx, _) => sqlx::query_with(sql.sqlite, arguments::<Sqlite>(args)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Self::Postgres(tx) => sqlx::query_with(sql.postgres, arguments::<Postgres>(args)?)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Runs `sql`, a statement of one row at most; returns it, if any.
    pub(super) async fn fetch_optional<T: Row>(
        &mut self,
        sql: Sql,
        args: &[Arg<'_>],
    ) -> Result<Option<T>, sqlx::Error> {
        Ok(self.fetch_all(sql, args).await?.into_iter().next())
    }

    /// Runs `sql`; returns all its rows.
    pub(super) async fn fetch_all<T: Row>(
        &mut self,
        sql: Sql,
        args: &[Arg<'_>],
    ) -> Result<Vec<T>, sqlx::Error> {
        match self {
            Self::Sqlite(tx, _) => {
                sqlx::query_as_with(sql.sqlite, arguments::<Sqlite>(args)?)
                    .fetch_all(&mut **tx)
                    .await
            }
            Self::Postgres(tx) => {
                sqlx::query_as_with(sql.postgres, arguments::<Postgres>(args)?)
                    .fetch_all(&mut **tx)
                    .await
            }
        }
    }

    pub(super) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            // The gate is released once the commit returned.
            Self::Sqlite(tx, _writing) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }
}
