//! The feed: every outbox entry of every connection, in the order the entries were
//! committed, resumable from an opaque cursor.
//!
//! The classic outbox-feed bug: an id assigned when a row is inserted is not the order in
//! which transactions commit, so a reader that has passed id 7 never comes back for id 6
//! committed a moment later. Here nothing can commit behind a cursor:
//!
//! * **SQLite** has one writer at a time, and an entry's place (`feed_id`) is assigned inside
//!   the write transaction that appends it (the largest so far, plus one): places are
//!   handed out in commit order.
//! * **PostgreSQL** writers commit concurrently. Each entry keeps the transaction that
//!   appended it (`feed_tx`, `pg_current_xact_id()`) and a sequence; the feed is ordered by
//!   both, and a read returns only entries of transactions older than every transaction
//!   still running (`pg_snapshot_xmin(pg_current_snapshot())`). Those have all ended, so any
//!   entry committed later belongs to a transaction at or past that horizon, which sorts
//!   after every cursor handed out. A long transaction holds the feed back (it lags, it
//!   never skips).

use core::fmt;
use core::str::FromStr;

use nectar_lifecycle::remediation::{Actor, Remediation};
use serde::{Deserialize, Serialize};

use super::sql::{Access, Arg, Sql};
use super::{EntryKind, InvitationLink, Store, StoreError, remedy, stored_invitation, stored_kind};

/// The most entries one read of the feed returns.
pub const MAX_FEED_LIMIT: u32 = 1000;

/// The columns of a feed entry, after its place.
macro_rules! entry_columns {
    () => {
        "feed_id, connection_id, sequence, notification, status, delivery_id, created_at, \
         external_id, company_id, provider, push_state, push_attempts, push_last_error, \
         pushed_at, invitation"
    };
}
pub(super) use entry_columns;

const SELECT_FEED: Sql = Sql::each(
    concat!(
        "SELECT 0, ",
        entry_columns!(),
        " FROM outbox WHERE $1 >= 0 AND feed_id > $2 ORDER BY feed_id LIMIT $3"
    ),
    concat!(
        "SELECT CAST(CAST(feed_tx AS TEXT) AS BIGINT), ",
        entry_columns!(),
        " FROM outbox \
     WHERE (feed_tx, feed_id) > (CAST(CAST($1 AS TEXT) AS xid8), $2) \
     AND feed_tx < pg_snapshot_xmin(pg_current_snapshot()) \
     ORDER BY feed_tx, feed_id LIMIT $3"
    ),
);

/// Where a reader of the feed is: after the entry it read last. Opaque to readers: its text
/// form (`Display`, `FromStr`) is what `GET /notifications` hands out as `next` and takes
/// as `after`.
///
/// ```
/// use nectar_receiver::FeedCursor;
///
/// let start = FeedCursor::START;
/// assert_eq!(start.to_string().parse::<FeedCursor>(), Ok(start));
/// assert!("not-a-cursor".parse::<FeedCursor>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FeedCursor {
    tx: i64,
    id: i64,
}

impl FeedCursor {
    /// Before the first entry.
    pub const START: Self = Self { tx: 0, id: 0 };
}

impl fmt::Display for FeedCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c1.{}.{}", self.tx, self.id)
    }
}

/// A cursor or limit `GET /notifications` cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// `after` is not a cursor this feed handed out.
    #[error("`after`: `{value}` is not a cursor of this feed (use `next` from an earlier page)")]
    Cursor {
        /// The value given (at most 64 characters of it).
        value: String,
    },
    /// `limit` is out of range.
    #[error("`limit`: `{value}` is not a number from 1 to {MAX_FEED_LIMIT}")]
    Limit {
        /// The value given (at most 64 characters of it).
        value: String,
    },
}

impl FromStr for FeedCursor {
    type Err = FeedError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let bad = || FeedError::Cursor {
            value: value.chars().take(64).collect(),
        };
        let mut parts = value.strip_prefix("c1.").ok_or_else(bad)?.split('.');
        let mut number = || {
            parts
                .next()
                .and_then(|p| p.parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(bad)
        };
        let cursor = Self {
            tx: number()?,
            id: number()?,
        };
        match parts.next() {
            None => Ok(cursor),
            Some(_) => Err(bad()),
        }
    }
}

/// One entry of the feed: what a worker needs to act without a second call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedEntry {
    /// The entry's stable id (`ntf_...`), the same wherever it is read or sent.
    pub id: String,
    /// The connection.
    pub connection_id: String,
    /// Its place among the connection's entries: 1, 2, 3, ...
    pub sequence: i64,
    /// The connection's `externalId` when the entry was appended.
    pub external_id: Option<String>,
    /// Its company's id.
    pub company_id: Option<String>,
    /// The provider's name (`datasource.name`).
    pub provider: Option<String>,
    /// What the change means, or what an action did.
    pub notification: EntryKind,
    /// The connection's status after the change, as Nectar spells it.
    #[schema(value_type = crate::schema::ConnectionStatus)]
    pub status: String,
    /// Who must act: the library's remediation's actor for the status; `None` for a status
    /// this library does not know.
    #[schema(value_type = Option<crate::schema::Actor>)]
    pub actor: Option<Actor>,
    /// What to do, in words.
    pub action: Option<String>,
    /// The library's remediation for the status: the invitation to create and, for
    /// `MFA_TOKEN_EXPIRED`, the MFA ladder in order.
    #[schema(value_type = Option<crate::schema::Remediation>)]
    pub remediation: Option<Remediation>,
    /// The delivery (`svix-id`) that applied the change; `None` for a poll or a sweep.
    pub delivery_id: Option<String>,
    /// When it was appended (RFC 3339, UTC, milliseconds).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The reconnect invitation it carries: on `entered_credential_error` (unless Nectar's
    /// API did not answer within `NECTAR_INVITATION_HOLD`) and `reconnect_invitation`, with
    /// reconnect invitations on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationLink>,
    /// How its push to the integrator's app stands (in the feed; not in the pushed
    /// message itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<PushStatus>,
}

/// How an entry's push to the integrator's app stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PushStatus {
    /// `pending` (to push, or being pushed), `delivered` (the app answered 2xx), or
    /// `failed` (every attempt failed: the dead letter; redeliver it with
    /// `POST /notifications/{id}/redeliver`).
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When the app took it (RFC 3339).
    #[schema(format = DateTime)]
    pub pushed_at: Option<String>,
}

/// One read of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedPage {
    /// The entries after the cursor, in commit order.
    pub entries: Vec<FeedEntry>,
    /// The cursor to read on from (the last entry's, or the one given when there is none).
    pub next: String,
}

/// A feed row as stored: the transaction (0 on SQLite), then [`entry_columns`].
pub(super) type FeedRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The cursor after `row`, and its entry.
pub(super) fn feed_entry(row: FeedRow) -> Result<(FeedCursor, FeedEntry), StoreError> {
    let (
        tx,
        id,
        connection_id,
        sequence,
        notification,
        status,
        delivery_id,
        created_at,
        external_id,
        company_id,
        provider,
        push_state,
        push_attempts,
        push_last_error,
        pushed_at,
        invitation,
    ) = row;
    let notification = stored_kind(&connection_id, &notification)?;
    let invitation = stored_invitation(&connection_id, invitation.as_deref())?;
    let remedy = remedy(&status);
    let entry = FeedEntry {
        id: format!("ntf_{id}"),
        connection_id,
        sequence,
        external_id,
        company_id,
        provider,
        notification,
        actor: remedy.map(|r| r.actor()),
        action: remedy.map(|r| r.to_string()),
        remediation: remedy,
        status,
        delivery_id,
        created_at,
        invitation,
        push: Some(PushStatus {
            state: push_state,
            attempts: push_attempts,
            last_error: push_last_error,
            pushed_at,
        }),
    };
    Ok((FeedCursor { tx, id }, entry))
}

impl Store {
    /// Up to `limit` entries of the feed after `after`, in commit order; the cursor to read
    /// on from.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn feed(&self, after: FeedCursor, limit: u32) -> Result<FeedPage, StoreError> {
        let limit = i64::from(limit.min(MAX_FEED_LIMIT));
        let mut tx = self.pool.begin(Access::Read).await?;
        let rows: Vec<FeedRow> = tx
            .fetch_all(
                SELECT_FEED,
                &[Arg::Int(after.tx), Arg::Int(after.id), Arg::Int(limit)],
            )
            .await?;
        tx.commit().await?;
        let mut next = after;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let (cursor, entry) = feed_entry(row)?;
            next = cursor;
            entries.push(entry);
        }
        Ok(FeedPage {
            entries,
            next: next.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{FeedCursor, FeedError};

    #[test]
    fn a_cursor_reads_back_and_nothing_else_reads() {
        let cursor = FeedCursor { tx: 7, id: 42 };
        assert_eq!(cursor.to_string(), "c1.7.42");
        assert_eq!("c1.7.42".parse(), Ok(cursor));
        for bad in [
            "",
            "c1.",
            "c1.7",
            "c1.7.42.1",
            "c2.7.42",
            "c1.-1.3",
            "c1.a.3",
            "7.42",
        ] {
            assert_eq!(
                bad.parse::<FeedCursor>(),
                Err(FeedError::Cursor {
                    value: bad.to_owned()
                }),
                "{bad}"
            );
        }
    }
}
