//! Figures read at each scrape of `GET /metrics`: the poll jobs due and the outbox not yet
//! pushed, in one read transaction (a consistent snapshot, no lock taken).

use jiff::Timestamp;

use super::sql::{Access, Arg, Sql};
use super::{Store, StoreError, millis};

/// Every poll job, those due at `$1`, and the earliest due time among those.
const POLL_STATS: Sql = Sql::same(
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at <= $1 THEN 1 ELSE 0 END), 0), \
     MIN(CASE WHEN due_at <= $1 THEN due_at END) FROM poll_jobs",
);
/// The entries not yet pushed (in flight included), the oldest one's `created_at` (fixed
/// width RFC 3339: text order is time order), and the failed ones (the dead letters).
const OUTBOX_STATS: Sql = Sql::same(
    "SELECT COALESCE(SUM(CASE WHEN push_state = 'pending' THEN 1 ELSE 0 END), 0), \
     MIN(CASE WHEN push_state = 'pending' THEN created_at END), \
     COALESCE(SUM(CASE WHEN push_state = 'failed' THEN 1 ELSE 0 END), 0) \
     FROM outbox WHERE push_state IN ('pending', 'failed')",
);

/// What [`Store::stats`] read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// The time the figures are for.
    pub at: Timestamp,
    /// Poll jobs pending (gaps not closed yet), due or not.
    pub poll_jobs: u64,
    /// Poll jobs due at [`Stats::at`] (a job being polled is not: it is due at the end of
    /// its lease).
    pub poll_jobs_due: u64,
    /// When the most overdue of those became due.
    pub oldest_due_poll: Option<Timestamp>,
    /// The outbox's figures, when asked for.
    pub outbox: Option<OutboxStats>,
}

/// The outbox's push figures, in [`Stats`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxStats {
    /// Entries not yet pushed (pending, in flight included).
    pub pending: u64,
    /// When the oldest of those was appended.
    pub oldest_pending: Option<Timestamp>,
    /// Entries whose every attempt failed (the dead letters), until redelivered.
    pub failed: u64,
}

impl Store {
    /// The poll jobs due at `now`, and the outbox's push figures if `outbox` (only when
    /// push is on: with push off every entry stays pending, and counting them would read
    /// the whole outbox at every scrape).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn stats(&self, now: Timestamp, outbox: bool) -> Result<Stats, StoreError> {
        let mut tx = self.pool.begin(Access::Read).await?;
        let (poll_jobs, poll_jobs_due, oldest_due): (i64, i64, Option<i64>) = tx
            .fetch_optional(POLL_STATS, &[Arg::Int(millis(now))])
            .await?
            .unwrap_or_default();
        let outbox = if outbox {
            let (pending, oldest, failed): (i64, Option<String>, i64) = tx
                .fetch_optional(OUTBOX_STATS, &[])
                .await?
                .unwrap_or_default();
            Some(OutboxStats {
                pending: count(pending),
                oldest_pending: oldest.and_then(|at| at.parse().ok()),
                failed: count(failed),
            })
        } else {
            None
        };
        tx.commit().await?;
        Ok(Stats {
            at: now,
            poll_jobs: count(poll_jobs),
            poll_jobs_due: count(poll_jobs_due),
            oldest_due_poll: oldest_due.and_then(|ms| Timestamp::from_millisecond(ms).ok()),
            outbox,
        })
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}
