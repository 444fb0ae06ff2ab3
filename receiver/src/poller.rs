//! The poller: closes gaps by polling `GET /connection/{id}/details`.

use core::time::Duration;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::webhook::{
    ConnectionPayload, MAX_BODY_BYTES, WebhookError, details_path, parse_details,
};
use reqwest::header::HeaderValue;
use tokio::sync::{Notify, watch};

use crate::config::{ApiKey, Config, NectarApi, Polling};
use crate::store::{PollJob, Store, StoreError};

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

/// A client of Nectar's API, for `GET /connection/{id}/details`.
#[derive(Debug, Clone)]
pub struct NectarClient {
    http: reqwest::Client,
    base_url: String,
    key: Option<HeaderValue>,
}

/// Why a poll failed. No message contains the API key.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No API key is configured.
    #[error("no NECTAR_API_KEY is configured")]
    NoApiKey,
    /// The API key cannot be sent as a header value.
    #[error("NECTAR_API_KEY is not a valid header value")]
    BadApiKey,
    /// The request failed: connecting, a timeout, a broken response.
    #[error("calling Nectar's API failed: {0}")]
    Request(#[from] reqwest::Error),
    /// The API answered with a status other than 2xx.
    #[error("Nectar's API answered {status}")]
    Status {
        /// The status code.
        status: u16,
    },
    /// The answer was over [`MAX_BODY_BYTES`].
    #[error("Nectar's API answered with a body over {MAX_BODY_BYTES} bytes")]
    TooLarge,
    /// The answer is not a connection.
    #[error("Nectar's API answered with an unreadable connection: {0}")]
    Unreadable(#[from] WebhookError),
    /// The answer is another connection.
    #[error("Nectar's API answered with connection {answered} for {asked}")]
    OtherConnection {
        /// The connection asked for.
        asked: String,
        /// The one in the answer.
        answered: String,
    },
}

impl NectarClient {
    /// A client of `api`, each call bounded by `timeout`.
    ///
    /// # Errors
    /// [`FetchError::Request`] if the HTTP client cannot be built (no TLS roots).
    pub fn new(api: &NectarApi, timeout: Duration) -> Result<Self, FetchError> {
        // One crypto provider for the process (ring, shared with the database driver's TLS);
        // an error only says one is installed already.
        let _already_installed = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        Ok(Self {
            http,
            base_url: api.base_url.trim_end_matches('/').to_owned(),
            key: api.key.as_ref().map(header_value).transpose()?,
        })
    }

    /// `GET {base}/connection/{id}/details`, read no further than [`MAX_BODY_BYTES`].
    ///
    /// # Errors
    /// [`FetchError`].
    pub async fn details(&self, connection_id: &str) -> Result<ConnectionPayload, FetchError> {
        let key = self.key.clone().ok_or(FetchError::NoApiKey)?;
        let url = format!("{}{}", self.base_url, details_path(connection_id));
        let mut response = self.http.get(url).header("X-API-Key", key).send().await?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
            });
        }
        if response
            .content_length()
            .is_some_and(|len| len > MAX_BODY_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let connection = parse_details(&body)?;
        if connection.id != connection_id {
            return Err(FetchError::OtherConnection {
                asked: connection_id.to_owned(),
                answered: connection.id,
            });
        }
        Ok(connection)
    }
}

/// The key as a header value marked sensitive (left out of `Debug`).
fn header_value(key: &ApiKey) -> Result<HeaderValue, FetchError> {
    let mut value = HeaderValue::from_str(key.expose()).map_err(|_| FetchError::BadApiKey)?;
    value.set_sensitive(true);
    Ok(value)
}

/// Claims due poll jobs, polls each connection, and reconciles the snapshot through the
/// same transaction as a delivery; a failed poll is retried with exponential backoff.
#[derive(Debug, Clone)]
pub struct Poller {
    store: Store,
    client: NectarClient,
    polling: Polling,
    wake: PollerWake,
}

impl Poller {
    /// A poller on `store`, calling the API of `config`, woken by `wake`.
    ///
    /// # Errors
    /// As [`NectarClient::new`].
    pub fn new(config: &Config, store: Store, wake: PollerWake) -> Result<Self, FetchError> {
        Ok(Self {
            store,
            client: NectarClient::new(&config.api, config.timeouts.api_request)?,
            polling: config.polling,
            wake,
        })
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
            let claimed = self
                .store
                .claim_poll(Timestamp::now(), self.polling.lease)
                .await?;
            let Some(job) = claimed else {
                break;
            };
            attempted += 1;
            self.poll(&job).await?;
        }
        Ok(attempted)
    }

    async fn poll(&self, job: &PollJob) -> Result<(), StoreError> {
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
            }
            Err(err) => {
                let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
                let delay = self.polling.backoff_after(attempts);
                let due = Timestamp::now()
                    .saturating_add(SignedDuration::try_from(delay).unwrap_or(SignedDuration::MAX))
                    .unwrap_or(Timestamp::MAX);
                tracing::warn!(
                    connection = id,
                    attempts = job.attempts,
                    retry_in = ?delay,
                    error = %err,
                    "poll failed; retrying with backoff"
                );
                self.store.retry_poll(job, due, &err.to_string()).await?;
            }
        }
        Ok(())
    }
}
