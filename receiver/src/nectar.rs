//! The one client of Nectar's API: every call the receiver makes (gap polls and sweeps)
//! goes through it, and so keeps Nectar's etiquette.
//!
//! * **At most [`Etiquette::max_in_flight`] requests in flight** per client (and so per
//!   instance: the poller and the sweeper share one), 10 at most, as Nectar's docs ask. A
//!   request holds its permit only while it is on the wire, never while it waits to retry.
//! * **Reads retried with exponential backoff** on 429 and 5xx, and on a request that failed
//!   to connect or timed out: [`Etiquette::backoff`] doubled per attempt up to
//!   [`Etiquette::max_backoff`], and never sooner than a `Retry-After` asks (seconds or an
//!   HTTP date). A `Retry-After` longer than `max_backoff` is not waited for in the call: the
//!   call fails with it ([`FetchError::retry_after`]), and its caller schedules the next
//!   attempt no sooner. After [`Etiquette::attempts`] attempts the last failure is returned.
//! * **A timeout per call** (each attempt: connecting included, [`Timeouts::api_request`]).
//! * **A key missing or refused** (401, 403) is never retried here:
//!   [`FetchError::is_key_problem`] tells the poller and the sweeper to stop and say so once.
//!
//! [`Timeouts::api_request`]: crate::Timeouts::api_request

use core::time::Duration;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use jiff::Timestamp;
use nectar_lifecycle::webhook::{
    AccountDecision, CompanyListPage, CompanyListQuery, ConnectionPayload, CreateInvitation,
    InvitationPayload, InvitationTarget, MAX_BODY_BYTES, MAX_LIST_BODY_BYTES, WebhookError,
    company_invitations_path, details_path, parse_company_page_with_limit, parse_details,
    parse_invitation, parse_invitation_list, revoke_invitation_path,
};
use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use tokio::sync::Semaphore;

use crate::config::{ApiKey, Config, Etiquette};
use crate::telemetry::{Endpoint, Metrics};

/// A client of Nectar's API. Cheap to clone: clones share the HTTP connections and the
/// in-flight limit.
#[derive(Debug, Clone)]
pub struct NectarClient {
    http: reqwest::Client,
    base_url: String,
    key: Option<HeaderValue>,
    permits: Arc<Semaphore>,
    etiquette: Etiquette,
    metrics: Metrics,
    /// How the last call went for the key: 0 accepted (or none yet), 1 no key to send, else
    /// the status that refused it (401, 403). Readiness reads it.
    key_state: Arc<AtomicU16>,
}

/// Why the last call to Nectar's API failed for its key ([`NectarClient::key_refusal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefusal {
    /// No `NECTAR_API_KEY` is configured.
    #[error("no NECTAR_API_KEY is configured")]
    Missing,
    /// Nectar refused it.
    #[error("Nectar's API refused NECTAR_API_KEY ({status})")]
    Refused {
        /// 401 or 403.
        status: u16,
    },
}

/// Why a call to Nectar's API failed. No message contains the API key.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No API key is configured.
    #[error("no NECTAR_API_KEY is configured")]
    NoApiKey,
    /// The API key cannot be sent as a header value.
    #[error("NECTAR_API_KEY is not a valid header value")]
    BadApiKey,
    /// Nectar refused the API key (401 or 403).
    #[error("Nectar's API refused the API key ({status}): check NECTAR_API_KEY")]
    Refused {
        /// 401 or 403.
        status: u16,
    },
    /// The request failed: connecting, a timeout, a broken response.
    #[error("calling Nectar's API failed: {0}")]
    Request(#[from] reqwest::Error),
    /// The API answered with a status other than 2xx (after the retries, if retried).
    #[error("Nectar's API answered {status}")]
    Status {
        /// The status code.
        status: u16,
        /// How long its `Retry-After` asked to wait, if it did.
        retry_after: Option<Duration>,
    },
    /// The answer was over the body limit.
    #[error("Nectar's API answered with a body over {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// The answer is not what was asked for (a connection, a page of the list).
    #[error("Nectar's API answered with an unreadable body: {0}")]
    Unreadable(#[from] WebhookError),
    /// A write (create, revoke, confirm) whose outcome is unknown: it was sent, and the
    /// answer was a 5xx, or none came (a timeout, a dropped connection). Nectar takes no
    /// idempotency key, so it may have been done: it is never resent blindly; look first.
    #[error("Nectar's API may or may not have done it: {reason}")]
    Uncertain {
        /// The status answered, if one was.
        status: Option<u16>,
        /// What happened.
        reason: String,
    },
    /// The client's in-flight limit was closed: the service is stopping.
    #[error("the client of Nectar's API is closed")]
    Closed,
    /// The answer is another connection.
    #[error("Nectar's API answered with connection {answered} for {asked}")]
    OtherConnection {
        /// The connection asked for.
        asked: String,
        /// The one in the answer.
        answered: String,
    },
}

impl FetchError {
    /// Whether the API key is missing, cannot be sent, or was refused: retrying will not
    /// help until the configuration changes.
    #[must_use]
    pub fn is_key_problem(&self) -> bool {
        matches!(
            self,
            Self::NoApiKey | Self::BadApiKey | Self::Refused { .. }
        )
    }

    /// How long the API asked to wait before the next attempt (`Retry-After`), if it did.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A request to make: its method, path and JSON body. Only a read (`GET`) is retried
/// blindly; a write is retried only when it surely was not done (see [`FetchError::Uncertain`]).
#[derive(Debug, Clone)]
struct Call<'a> {
    /// Which endpoint, for the metrics.
    endpoint: Endpoint,
    method: Method,
    path: &'a str,
    body: Option<&'a [u8]>,
}

impl Call<'_> {
    fn is_read(&self) -> bool {
        self.method == Method::GET
    }
}

/// One attempt's failure, and whether a read may be retried after it.
struct Failed {
    error: FetchError,
    retry: bool,
}

impl NectarClient {
    /// A client of the API `config` names, keeping `config.etiquette`, each attempt bounded
    /// by `config.timeouts.api_request`.
    ///
    /// # Errors
    /// [`FetchError::Request`] if the HTTP client cannot be built (no TLS roots).
    pub fn new(config: &Config) -> Result<Self, FetchError> {
        let http = http_client(config.timeouts.api_request)?;
        let etiquette = config.etiquette;
        Ok(Self {
            http,
            base_url: config.api.base_url.trim_end_matches('/').to_owned(),
            key: config.api.key.as_ref().map(header_value).transpose()?,
            permits: Arc::new(Semaphore::new(
                usize::try_from(etiquette.max_in_flight.get()).unwrap_or(1),
            )),
            etiquette,
            metrics: Metrics::off(),
            key_state: Arc::default(),
        })
    }

    /// Whether the last call failed for its key (none configured, or refused); `None` once
    /// a call got any other answer, or before any call.
    ///
    /// ```
    /// use nectar_receiver::{Config, DatabaseUrl, NectarClient};
    ///
    /// let client = NectarClient::new(&Config::new(DatabaseUrl::default()))?;
    /// assert_eq!(client.key_refusal(), None);
    /// # Ok::<(), nectar_receiver::FetchError>(())
    /// ```
    #[must_use]
    pub fn key_refusal(&self) -> Option<KeyRefusal> {
        match self.key_state.load(Ordering::Relaxed) {
            0 => None,
            1 => Some(KeyRefusal::Missing),
            status => Some(KeyRefusal::Refused { status }),
        }
    }

    /// The same client, counting its requests in `metrics` (by endpoint and status).
    #[must_use]
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    /// Where its requests are counted: the workers that call through it record theirs there
    /// too.
    pub(crate) fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// `GET {base}/connection/{id}/details`, read no further than [`MAX_BODY_BYTES`].
    ///
    /// # Errors
    /// [`FetchError`].
    pub async fn details(&self, connection_id: &str) -> Result<ConnectionPayload, FetchError> {
        let body = self
            .read(
                Endpoint::Details,
                &details_path(connection_id),
                MAX_BODY_BYTES,
            )
            .await?;
        let connection = parse_details(&body)?;
        if connection.id != connection_id {
            return Err(FetchError::OtherConnection {
                asked: connection_id.to_owned(),
                answered: connection.id,
            });
        }
        Ok(connection)
    }

    /// `GET {base}/connection/company/{companyId}?...`: the page `query` asks for, read no
    /// further than [`MAX_LIST_BODY_BYTES`].
    ///
    /// # Errors
    /// [`FetchError`].
    pub async fn company_page(
        &self,
        query: &CompanyListQuery,
    ) -> Result<CompanyListPage, FetchError> {
        let body = self
            .read(Endpoint::CompanyList, &query.path(), MAX_LIST_BODY_BYTES)
            .await?;
        Ok(parse_company_page_with_limit(&body, MAX_LIST_BODY_BYTES)?)
    }

    /// `POST {base}/invitation/...`: creates an invitation for `target`; a write, never
    /// resent after it may have been done.
    ///
    /// # Errors
    /// [`FetchError`]; [`FetchError::Uncertain`] when it may have been done.
    pub async fn create_invitation(
        &self,
        target: InvitationTarget<'_>,
        request: &CreateInvitation,
    ) -> Result<InvitationPayload, FetchError> {
        let body = json(request)?;
        let path = target.path();
        let call = Call {
            endpoint: Endpoint::InvitationCreate,
            method: Method::POST,
            path: &path,
            body: Some(&body),
        };
        Ok(parse_invitation(&self.call(call, MAX_BODY_BYTES).await?)?)
    }

    /// `POST {base}/invitation/{invitationId}/revoke`; a write, never resent after it may
    /// have been done.
    ///
    /// # Errors
    /// [`FetchError`]; [`FetchError::Uncertain`] when it may have been done.
    pub async fn revoke_invitation(&self, invitation_id: &str) -> Result<(), FetchError> {
        let path = revoke_invitation_path(invitation_id);
        let call = Call {
            endpoint: Endpoint::InvitationRevoke,
            method: Method::POST,
            path: &path,
            body: None,
        };
        self.call(call, MAX_BODY_BYTES).await.map(drop)
    }

    /// `GET {base}/invitation/company/{companyId}`: the company's invitations; a read.
    ///
    /// # Errors
    /// [`FetchError`].
    pub async fn company_invitations(
        &self,
        company_id: &str,
    ) -> Result<Vec<InvitationPayload>, FetchError> {
        let body = self
            .read(
                Endpoint::InvitationList,
                &company_invitations_path(company_id),
                MAX_LIST_BODY_BYTES,
            )
            .await?;
        Ok(parse_invitation_list(&body)?)
    }

    /// `PATCH {base}/connection/{connectionId}/status` with `decision`; a write, never resent
    /// after it may have been done.
    ///
    /// # Errors
    /// [`FetchError`]; [`FetchError::Uncertain`] when it may have been done.
    pub async fn decide_accounts(
        &self,
        connection_id: &str,
        decision: AccountDecision,
    ) -> Result<(), FetchError> {
        let body = json(&decision.body())?;
        let path = decision.path(connection_id);
        let call = Call {
            endpoint: Endpoint::AccountDecision,
            method: Method::PATCH,
            path: &path,
            body: Some(&body),
        };
        self.call(call, MAX_BODY_BYTES).await.map(drop)
    }

    /// The body of `GET {base}{path}`, retried as the module documentation says.
    async fn read(
        &self,
        endpoint: Endpoint,
        path: &str,
        max: usize,
    ) -> Result<Vec<u8>, FetchError> {
        let call = Call {
            endpoint,
            method: Method::GET,
            path,
            body: None,
        };
        self.call(call, max).await
    }

    /// The answer's body to `call`, retried as the module documentation says.
    async fn call(&self, call: Call<'_>, max: usize) -> Result<Vec<u8>, FetchError> {
        let Some(key) = self.key.clone() else {
            self.key_state.store(1, Ordering::Relaxed);
            return Err(FetchError::NoApiKey);
        };
        let url = format!("{}{}", self.base_url, call.path);
        let mut attempt = 1;
        loop {
            let failed = match self.attempt(&call, &url, &key, max).await {
                Ok(body) => return Ok(body),
                Err(failed) => failed,
            };
            let wait = self
                .etiquette
                .backoff_after(attempt)
                .max(failed.error.retry_after().unwrap_or_default());
            if !failed.retry
                || attempt >= self.etiquette.attempts.get()
                || wait > self.etiquette.max_backoff
            {
                return Err(failed.error);
            }
            tracing::debug!(path = call.path, attempt, ?wait, error = %failed.error, "Nectar's API: retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt, holding an in-flight permit until the body is read. A read may be
    /// retried after any failure on the wire, a 429 or a 5xx; a write only after a 429 or a
    /// failure to connect (it surely was not done), and is [`FetchError::Uncertain`] after a
    /// 5xx or a failure once sent.
    async fn attempt(
        &self,
        call: &Call<'_>,
        url: &str,
        key: &HeaderValue,
        max: usize,
    ) -> Result<Vec<u8>, Failed> {
        let _permit = self.permits.acquire().await.map_err(|_| Failed {
            error: FetchError::Closed,
            retry: false,
        })?;
        let read = call.is_read();
        let on_the_wire = |error: reqwest::Error| {
            if read || error.is_connect() || error.is_builder() {
                Failed {
                    // A read, or a write that never left: retry anything on the wire.
                    retry: !error.is_builder(),
                    error: FetchError::Request(error),
                }
            } else {
                Failed {
                    retry: false,
                    error: FetchError::Uncertain {
                        status: None,
                        reason: error.to_string(),
                    },
                }
            }
        };
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .header("X-API-Key", key.clone());
        if let Some(body) = call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let sent = request.send().await;
        let answered = sent
            .as_ref()
            .ok()
            .map(|response| response.status().as_u16());
        self.metrics.nectar_call(call.endpoint, answered);
        let mut response = sent.map_err(on_the_wire)?;
        let status = response.status();
        let refused = matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
        self.key_state
            .store(if refused { status.as_u16() } else { 0 }, Ordering::Relaxed);
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            return Err(Failed {
                error: FetchError::Refused {
                    status: status.as_u16(),
                },
                retry: false,
            });
        }
        if status.is_server_error() && !read {
            return Err(Failed {
                error: FetchError::Uncertain {
                    status: Some(status.as_u16()),
                    reason: format!("Nectar's API answered {status}"),
                },
                retry: false,
            });
        }
        if !status.is_success() {
            return Err(Failed {
                error: FetchError::Status {
                    status: status.as_u16(),
                    retry_after: retry_after(response.headers().get(RETRY_AFTER), Timestamp::now()),
                },
                retry: status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error(),
            });
        }
        let too_large = || Failed {
            error: FetchError::TooLarge { max },
            retry: false,
        };
        if response
            .content_length()
            .is_some_and(|len| len > u64::try_from(max).unwrap_or(u64::MAX))
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(on_the_wire)? {
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// The wait a `Retry-After` header asks for at `now`: whole seconds, or an HTTP date (RFC
/// 9110: IMF-fixdate, read as RFC 2822); `None` for anything else. A date in the past asks
/// for no wait.
fn retry_after(value: Option<&HeaderValue>, now: Timestamp) -> Option<Duration> {
    let value = value?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = at.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// An HTTP client whose every request, connecting included, is bounded by `timeout`: for
/// Nectar's API and for the push to the integrator's app.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    // One crypto provider for the process (ring, shared with the database driver's TLS); an
    // error only says one is installed already.
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
}

/// `value` as a JSON body.
fn json(value: &impl serde::Serialize) -> Result<Vec<u8>, FetchError> {
    serde_json::to_vec(value).map_err(|err| FetchError::Uncertain {
        status: None,
        reason: format!("the request could not be written (nothing was sent): {err}"),
    })
}

/// The key as a header value marked sensitive (left out of `Debug`).
fn header_value(key: &ApiKey) -> Result<HeaderValue, FetchError> {
    let mut value = HeaderValue::from_str(key.expose()).map_err(|_| FetchError::BadApiKey)?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use jiff::Timestamp;
    use reqwest::header::HeaderValue;

    use super::retry_after;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now: Timestamp = "2026-12-06T09:00:00Z".parse().expect("a time");
        let read =
            |value: &str| retry_after(Some(&HeaderValue::from_str(value).expect("ascii")), now);
        assert_eq!(read("120"), Some(Duration::from_secs(120)));
        assert_eq!(read(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            read("Sun, 06 Dec 2026 09:00:30 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(read("Sun, 06 Dec 2026 08:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(read("soon"), None);
        assert_eq!(read("-5"), None);
        assert_eq!(retry_after(None, now), None);
    }
}
