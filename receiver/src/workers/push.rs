//! The pusher: every outbox entry delivered to the integrator's app (`NOTIFY_URL`) as a
//! Standard Webhooks message, signed with the verify crate, at least once, in order per
//! connection.
//!
//! * **The message.** `POST NOTIFY_URL` with `Content-Type: application/json`, the headers
//!   `webhook-id` (the entry's stable id, `ntf_N`, the same on every attempt: the app
//!   deduplicates by it), `webhook-timestamp` (the attempt's time) and `webhook-signature`
//!   (`v1,<base64>`, HMAC-SHA256 of `{id}.{timestamp}.{body}` with `NOTIFY_SECRET`), and the
//!   body `{"type": "nectar.connection.<notification>", "timestamp": <the entry's
//!   createdAt>, "data": <the entry as the feed shows it, without its push state>}`.
//! * **Delivered** means a 2xx within [`Push::timeout`]. Anything else (another status, a
//!   timeout, a refused connection) is retried after the next wait of [`Push::schedule`];
//!   after the last attempt the entry is marked failed (the dead letter, shown in the feed)
//!   until `POST /notifications/{id}/redeliver`.
//! * **In order per connection**: only the earliest pending entry of a connection is
//!   claimed, so a later one waits for it (a failed one no longer holds the others).
//! * **Bounded**: at most [`Push::max_in_flight`] pushes at once; a slow app or a failing
//!   connection holds up no more than those.
//! * **Crash-safe**: a claim is a lease of twice the timeout in the database; a pusher killed
//!   mid-push leaves the entry due again when the lease ends, and it goes out again with the
//!   same `webhook-id`.
//!
//! [`Push::schedule`]: crate::Push::schedule
//! [`Push::timeout`]: crate::Push::timeout
//! [`Push::max_in_flight`]: crate::Push::max_in_flight

use jiff::Timestamp;
use nectar_lifecycle::verify::WebhookSecret;
use reqwest::header::CONTENT_TYPE;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::Push;
use crate::nectar::{FetchError, http_client};
use crate::store::{FeedEntry, PushJob, Store, StoreError};
use crate::telemetry::{Metrics, PushResult};
use crate::workers::later;

/// Pushes the outbox to the integrator's app. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Pusher {
    store: Store,
    http: reqwest::Client,
    url: String,
    secret: WebhookSecret,
    push: Push,
    metrics: Metrics,
}

/// A pushed message's body.
#[derive(Serialize)]
struct Message<'a> {
    #[serde(rename = "type")]
    kind: String,
    timestamp: &'a str,
    data: &'a FeedEntry,
}

impl Pusher {
    /// A pusher of `store`'s outbox as `push` says; `None` when push is off (no URL or no
    /// secret).
    ///
    /// # Errors
    /// [`FetchError::Request`] if the HTTP client cannot be built.
    pub fn new(push: &Push, store: Store) -> Result<Option<Self>, FetchError> {
        let (Some(url), Some(secret)) = (&push.url, &push.secret) else {
            return Ok(None);
        };
        let http = http_client(push.timeout)?;
        Ok(Some(Self {
            store,
            http,
            url: url.clone(),
            secret: secret.clone(),
            push: push.clone(),
            metrics: Metrics::off(),
        }))
    }

    /// The same pusher, counting its attempts in `metrics` (by result).
    #[must_use]
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Pushes until `shutdown` turns true (or its sender is dropped): keeps up to
    /// [`Push::max_in_flight`] pushes going, claiming due entries once half the room is
    /// free, and looks again when this instance appends entries or every
    /// [`Push::check_every`] (entries appended by other instances, retries coming due).
    /// Pushes in flight at shutdown are finished.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut running = JoinSet::new();
        loop {
            while running.try_join_next().is_some() {}
            // Claims in batches: once half the room is free (or all of it), not one push
            // at a time as each ends; each claim is a write transaction.
            let room = self.push.max_in_flight.saturating_sub(running.len());
            if room > 0 && (running.len() <= self.push.max_in_flight / 2) {
                match self.claim(room).await {
                    Ok(jobs) => {
                        for job in jobs {
                            let pusher = self.clone();
                            running.spawn(async move { pusher.send_and_record(job).await });
                        }
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "pusher: storage failed; trying again later");
                    }
                }
            }
            tokio::select! {
                Some(_) = running.join_next(), if !running.is_empty() => {}
                () = tokio::time::sleep(self.push.check_every) => {}
                () = self.store.entries_appended() => {}
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
            }
        }
        while running.join_next().await.is_some() {}
    }

    /// Pushes every entry due now, up to [`Push::max_in_flight`] at once, until none is due;
    /// returns how many attempts were made.
    ///
    /// # Errors
    /// [`StoreError`] when entries cannot be claimed.
    pub async fn push_due(&self) -> Result<usize, StoreError> {
        let mut attempted = 0;
        loop {
            let jobs = self.claim(self.push.max_in_flight).await?;
            if jobs.is_empty() {
                return Ok(attempted);
            }
            attempted += jobs.len();
            let mut running = JoinSet::new();
            for job in jobs {
                let pusher = self.clone();
                running.spawn(async move { pusher.send_and_record(job).await });
            }
            while running.join_next().await.is_some() {}
        }
    }

    async fn claim(&self, limit: usize) -> Result<Vec<PushJob>, StoreError> {
        let lease = self.push.timeout.saturating_mul(2);
        self.store
            .claim_pushes(Timestamp::now(), lease, limit)
            .await
    }

    /// Sends `job` and records how it went.
    async fn send_and_record(&self, job: PushJob) {
        let recorded = match self.send(&job.entry).await {
            Ok(()) => {
                self.metrics.push_attempt(PushResult::Delivered);
                self.store.push_delivered(&job, Timestamp::now()).await
            }
            Err(error) => {
                let attempts = usize::try_from(job.attempts).unwrap_or(usize::MAX);
                match self.push.schedule.get(attempts) {
                    Some(wait) => {
                        let due = later(Timestamp::now(), *wait);
                        tracing::debug!(entry = %job.entry.id, attempts, %error, retry_in = ?wait, "push failed");
                        self.metrics.push_attempt(PushResult::Failed);
                        self.store.push_failed(&job, due, &error).await
                    }
                    None => {
                        tracing::warn!(entry = %job.entry.id, attempts, %error, "push failed for the last time: marked failed");
                        self.metrics.push_attempt(PushResult::DeadLetter);
                        self.store.push_dead_letter(&job, &error).await
                    }
                }
            }
        };
        if let Err(err) = recorded {
            tracing::warn!(entry = %job.entry.id, error = %err, "pusher: storage failed; the entry is due again when its lease ends");
        }
    }

    /// One attempt: the signed message, and whether the app took it.
    async fn send(&self, entry: &FeedEntry) -> Result<(), String> {
        let message = Message {
            kind: format!("nectar.connection.{}", entry.notification),
            timestamp: &entry.created_at,
            data: entry,
        };
        let body = serde_json::to_vec(&message).map_err(|err| err.to_string())?;
        let signed = self.secret.sign(&entry.id, Timestamp::now(), &body);
        let mut request = self
            .http
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json");
        for (name, value) in signed.iter_webhook() {
            request = request.header(name, value);
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|err| format!("the app could not be reached: {err}"))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the app answered {status}"))
        }
    }
}
