//! Push state of the outbox entries: claimed in order per connection, leased while in
//! flight, then delivered, due again, or failed (the dead letter).

use core::time::Duration;

use jiff::Timestamp;

use super::feed::{FeedEntry, FeedRow, entry_columns, feed_entry};
use super::sql::{Access, Arg, Sql};
use super::{Store, StoreError, millis, millis_after, rfc3339};

/// The claim, the same on both engines but for how the candidates are locked (`$lock`).
macro_rules! claim_pushes {
    ($lock:literal) => {
        concat!(
            "UPDATE outbox SET push_due_at = $2, push_attempts = push_attempts + 1 \
             WHERE (connection_id, sequence) IN (SELECT o.connection_id, o.sequence \
             FROM outbox o WHERE o.push_state = 'pending' AND o.push_due_at <= $1 \
             AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.connection_id = o.connection_id \
             AND e.sequence < o.sequence AND e.push_state = 'pending') \
             ORDER BY o.push_due_at, o.feed_id LIMIT $3",
            $lock,
            ")"
        )
    };
}

/// Claims up to `$3` entries due at `$1` whose connection has no earlier entry still
/// pending (so each connection's entries go out one after another, in order), leasing them
/// until `$2`. A failed (dead-lettered) entry does not hold the later ones back.
/// PostgreSQL skips entries another pusher is claiming; SQLite's write lock serializes
/// claims.
const CLAIM_PUSHES: Sql = Sql::each(
    concat!(claim_pushes!(""), " RETURNING 0, ", entry_columns!()),
    concat!(
        claim_pushes!(" FOR UPDATE OF o SKIP LOCKED"),
        " RETURNING CAST(CAST(feed_tx AS TEXT) AS BIGINT), ",
        entry_columns!()
    ),
);
/// Each statement below applies only to the claim it was made for (`push_attempts`
/// unchanged since): a pusher whose lease ended and whose entry was claimed again, or
/// redelivered, changes nothing.
const DELIVERED: Sql = Sql::same(
    "UPDATE outbox SET push_state = 'delivered', pushed_at = $3, push_last_error = NULL \
     WHERE feed_id = $1 AND push_attempts = $2 AND push_state = 'pending'",
);
const RETRY_PUSH: Sql = Sql::same(
    "UPDATE outbox SET push_due_at = $3, push_last_error = $4 \
     WHERE feed_id = $1 AND push_attempts = $2 AND push_state = 'pending'",
);
const DEAD_LETTER: Sql = Sql::same(
    "UPDATE outbox SET push_state = 'failed', push_last_error = $3 \
     WHERE feed_id = $1 AND push_attempts = $2 AND push_state = 'pending'",
);
const REDELIVER: Sql = Sql::same(
    "UPDATE outbox SET push_state = 'pending', push_attempts = 0, push_due_at = $2, \
     push_last_error = NULL WHERE feed_id = $1",
);

/// A claimed push: send [`PushJob::entry`], then [`Store::push_delivered`],
/// [`Store::push_failed`] or [`Store::push_dead_letter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushJob {
    /// The entry (its `push` left out: the message does not carry it).
    pub entry: FeedEntry,
    /// Attempts, this one included.
    pub attempts: i64,
    /// Its place in the feed.
    feed_id: i64,
}

/// The place in the feed of the entry `id` (`ntf_N`), if it is one.
fn feed_id(id: &str) -> Option<i64> {
    id.strip_prefix("ntf_")?
        .parse()
        .ok()
        .filter(|n: &i64| *n > 0)
}

impl Store {
    /// Claims up to `limit` entries due to be pushed at `now`, the earliest pending one of
    /// each connection at most, keeping them from other pushers for `lease`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn claim_pushes(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<PushJob>, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let rows: Vec<FeedRow> = tx
            .fetch_all(
                CLAIM_PUSHES,
                &[
                    Arg::Int(millis(now)),
                    Arg::Int(millis_after(now, lease)),
                    Arg::Int(i64::try_from(limit).unwrap_or(i64::MAX)),
                ],
            )
            .await?;
        tx.commit().await?;
        let mut jobs = Vec::with_capacity(rows.len());
        for row in rows {
            let (_, mut entry) = feed_entry(row)?;
            let attempts = entry.push.take().map_or(1, |push| push.attempts);
            let feed_id = feed_id(&entry.id).unwrap_or_default();
            jobs.push(PushJob {
                entry,
                attempts,
                feed_id,
            });
        }
        Ok(jobs)
    }

    /// The app took `job` at `now`.
    ///
    /// # Errors
    /// [`StoreError`]; then the entry is pushed again once its lease ends (the app
    /// deduplicates by `webhook-id`).
    pub async fn push_delivered(&self, job: &PushJob, now: Timestamp) -> Result<(), StoreError> {
        self.push_update(DELIVERED, job, &[Arg::Text(&rfc3339(now))])
            .await
    }

    /// The attempt of `job` failed with `error`: the next is due at `due`.
    ///
    /// # Errors
    /// [`StoreError`]; then the entry is due again once its lease ends.
    pub async fn push_failed(
        &self,
        job: &PushJob,
        due: Timestamp,
        error: &str,
    ) -> Result<(), StoreError> {
        self.push_update(RETRY_PUSH, job, &[Arg::Int(millis(due)), Arg::Text(error)])
            .await
    }

    /// The last attempt of `job` failed with `error`: the entry is marked failed (the dead
    /// letter), and later entries of its connection go on.
    ///
    /// # Errors
    /// [`StoreError`]; then the entry is due again once its lease ends.
    pub async fn push_dead_letter(&self, job: &PushJob, error: &str) -> Result<(), StoreError> {
        self.push_update(DEAD_LETTER, job, &[Arg::Text(error)])
            .await
    }

    async fn push_update(
        &self,
        sql: Sql,
        job: &PushJob,
        more: &[Arg<'_>],
    ) -> Result<(), StoreError> {
        let mut args = vec![Arg::Int(job.feed_id), Arg::Int(job.attempts)];
        args.extend_from_slice(more);
        let mut tx = self.pool.begin(Access::Write).await?;
        tx.execute(sql, &args).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes the entry `id` (`ntf_N`) due to be pushed again at `now`, from its first
    /// attempt, whatever its state; `false` when there is no such entry.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn redeliver(&self, id: &str, now: Timestamp) -> Result<bool, StoreError> {
        let Some(feed_id) = feed_id(id) else {
            return Ok(false);
        };
        let mut tx = self.pool.begin(Access::Write).await?;
        let changed = tx
            .execute(REDELIVER, &[Arg::Int(feed_id), Arg::Int(millis(now))])
            .await?;
        tx.commit().await?;
        Ok(changed == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::feed_id;

    #[test]
    fn entry_ids_read_back_to_their_place() {
        assert_eq!(feed_id("ntf_42"), Some(42));
        for bad in ["42", "ntf_", "ntf_0", "ntf_-1", "ntf_x", "evt_42"] {
            assert_eq!(feed_id(bad), None, "{bad}");
        }
    }
}
