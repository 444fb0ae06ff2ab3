//! The poller: closes gaps by polling `GET /connection/{id}/details`.

use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::{Notify, watch};

use crate::config::Polling;
use crate::nectar::{FetchError, NectarClient};
use crate::store::{PollJob, Store, StoreError};
use crate::workers::{Heartbeat, later};

/// Wakes the poller at once, rather than at its next interval: a delivery that records a
/// gap on this instance uses it. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct PollerWake(Arc<Notify>);

impl PollerWake {
    /// Wakes the poller (or makes its next wait return at once).
    pub fn wake(&self) {
        self.0.notify_one();
    }

    async fn woken(&self) {
        self.0.notified().await;
    }
}

/// Claims due poll jobs, polls each connection, and reconciles the snapshot through the
/// same transaction as a delivery; a failed poll is retried with exponential backoff.
#[derive(Debug, Clone)]
pub struct Poller {
    store: Store,
    client: NectarClient,
    polling: Polling,
    wake: PollerWake,
    heartbeat: Heartbeat,
}

impl Poller {
    /// A poller on `store`, calling Nectar's API through `client`, woken by `wake`.
    #[must_use]
    pub fn new(polling: Polling, store: Store, client: NectarClient, wake: PollerWake) -> Self {
        Self {
            store,
            client,
            polling,
            wake,
            heartbeat: Heartbeat::default(),
        }
    }

    /// Its heartbeat: beats at every round and every job (`GET /readyz` reads it).
    #[must_use]
    pub fn heartbeat(&self) -> Heartbeat {
        self.heartbeat.clone()
    }

    /// Polls until `shutdown` turns true (or its sender is dropped): every due job, then
    /// waits for the interval or a wake. A shutdown is noticed between jobs.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            let stopping = || *shutdown.borrow();
            if let Err(err) = self.poll_due_unless(stopping).await {
                tracing::warn!(error = %err, "poller: storage failed; trying again later");
            }
            tokio::select! {
                () = tokio::time::sleep(self.polling.interval) => {}
                () = self.wake.woken() => {}
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        return;
                    }
                }
            }
        }
    }

    /// Polls every job due now, one at a time; returns how many were attempted.
    ///
    /// # Errors
    /// [`StoreError`] when a job cannot be claimed or recorded; a failed poll is not an
    /// error (it is retried later).
    pub async fn poll_due(&self) -> Result<usize, StoreError> {
        self.poll_due_unless(|| false).await
    }

    /// [`Poller::poll_due`], stopping before the next job once `stopping` says so.
    async fn poll_due_unless(&self, stopping: impl Fn() -> bool) -> Result<usize, StoreError> {
        let mut attempted = 0;
        while !stopping() {
            self.heartbeat.beat(Timestamp::now());
            let claimed = self
                .store
                .claim_poll(Timestamp::now(), self.polling.lease)
                .await?;
            let Some(job) = claimed else {
                break;
            };
            attempted += 1;
            if let Some(refused) = self.poll(&job).await? {
                // Every other due job would be refused the same way: say so once, and leave
                // them for the next round rather than send a storm of refused requests.
                tracing::error!(
                    error = %refused,
                    "poller: Nectar's API cannot be called with this key; polls resume at the next round"
                );
                break;
            }
        }
        Ok(attempted)
    }

    /// Polls the connection of `job` and records the answer, or schedules the job's next
    /// attempt; returns the error when it was the API key's.
    async fn poll(&self, job: &PollJob) -> Result<Option<FetchError>, StoreError> {
        let id = job.connection_id.as_str();
        match self.client.details(id).await {
            Ok(snapshot) => {
                let outcome = self
                    .store
                    .complete_poll(job, &snapshot, Timestamp::now())
                    .await?;
                tracing::info!(
                    connection = id,
                    decision = outcome.decision_name(),
                    appended = outcome.appended.len(),
                    "poll recorded"
                );
                Ok(None)
            }
            Err(err) => {
                let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
                let delay = self
                    .polling
                    .backoff_after(attempts)
                    .max(err.retry_after().unwrap_or_default());
                let due = later(Timestamp::now(), delay);
                if !err.is_key_problem() {
                    tracing::warn!(
                        connection = id,
                        attempts = job.attempts,
                        retry_in = ?delay,
                        error = %err,
                        "poll failed; retrying with backoff"
                    );
                }
                self.store.retry_poll(job, due, &err.to_string()).await?;
                Ok(err.is_key_problem().then_some(err))
            }
        }
    }
}
