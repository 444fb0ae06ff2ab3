//! The HTTP surface, a module per concern: the webhook endpoint, the read API (behind a
//! bearer token), health.

mod auth;
mod dashboard;
mod health;
pub(crate) mod metrics;
pub(crate) mod openapi;
mod read;
mod webhooks;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use nectar_lifecycle::verify::{Verifier, VerifyError};
use nectar_lifecycle::webhook::{MAX_BODY_BYTES, WebhookError};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::store::{FeedError, Store, StoreError, WorklistError};
use crate::telemetry::Metrics;
use crate::workers::poll::PollerWake;

/// The path Nectar's webhooks are posted to.
pub const WEBHOOK_PATH: &str = "/webhooks/nectar";

#[derive(Clone)]
struct AppState {
    store: Store,
    push_on: bool,
    verifier: Option<Arc<Verifier>>,
    wake: PollerWake,
    metrics: Metrics,
}

/// The receiver's routes, on `store`, with `config`'s secrets and request timeout; a gap
/// wakes the poller through `wake`; each request's latency and each delivery's outcome are
/// recorded in `metrics`.
///
/// * `POST /webhooks/nectar`: a delivery from Nectar (through Svix).
/// * `GET /connections?needs=&status=&cursor=&limit=`: the worklist, who must act on which
///   connection, with counts per group and per status.
/// * `GET /connections/{id}`: the stored record of a connection (with `notListed` when
///   complete sweeps have not listed it), 404 if none.
/// * `GET /connections/{id}/notifications`: its outbox entries, in order.
/// * `GET /notifications?after=CURSOR&limit=N`: the feed, every connection's entries in
///   commit order (`limit` 1 to 1000, 100 by default), and the cursor to read on from.
/// * `POST /notifications/{id}/redeliver`: push the entry again (202; 404 if none; 409 when
///   push is off).
/// * `GET /healthz`: 200 when the database answers, else 503.
/// * `GET /`, `GET /connection/{id}`, `GET|POST /login`, `POST /logout`, `GET /assets/...`:
///   the dashboard, HTML pages behind a session cookie (see `http/dashboard.rs`).
///
/// Every endpoint but the webhook and `/healthz` needs `Authorization: Bearer <token>`, a
/// token of `config.api_tokens` (401 without it; 403 when none is configured); the read
/// API's `GET`s also take the dashboard's session cookie (`http/auth.rs`).
pub fn router(config: &Config, store: Store, wake: PollerWake, metrics: Metrics) -> Router {
    let state = AppState {
        store,
        push_on: config.push.url.is_some() && config.push.secret.is_some(),
        verifier: config.verifier().map(Arc::new),
        wake,
        metrics: metrics.clone(),
    };
    let reads = read::routes().route_layer(axum::middleware::from_fn_with_state(
        auth::Tokens::new(&config.api_tokens),
        auth::require_token,
    ));
    Router::new()
        .merge(webhooks::routes())
        .merge(health::routes())
        .merge(openapi::routes())
        .merge(reads)
        .merge(dashboard::routes(config, state.store.clone()))
        .with_state(state)
        // Svix waits 15 s: past the request timeout the answer is 503, and Svix retries.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.timeouts.request,
        ))
        .layer(TraceLayer::new_for_http())
        // Outside the timeout, so that a request answered 503 by it is measured too.
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            self::metrics::track,
        ))
}

/// Why a request was refused, as the status Svix acts on and a JSON `{"error": ...}`.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("the body is over the limit of {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("the body could not be read")]
    Unreadable,
    #[error("no webhook secret is configured (NECTAR_WEBHOOK_SECRETS)")]
    NoSecret,
    #[error("signature verification failed: {0}")]
    Unverified(#[from] VerifyError),
    #[error("malformed webhook body: {0}")]
    Malformed(#[from] WebhookError),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Query(#[from] FeedError),
    #[error(transparent)]
    Worklist(#[from] WorklistError),
    #[error("push is off: set NOTIFY_URL and NOTIFY_SECRET")]
    PushOff,
    #[error(transparent)]
    Storage(#[from] StoreError),
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unreadable | Self::Malformed(_) | Self::Query(_) | Self::Worklist(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::NoSecret | Self::Unverified(_) => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::PushOff => StatusCode::CONFLICT,
            Self::Storage(err) if err.is_transient() => StatusCode::SERVICE_UNAVAILABLE,
            Self::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Self::Storage(err) if err.is_transient() => {
                tracing::warn!(error = %err, "storage unavailable; answering 503");
            }
            Self::Storage(err) => tracing::error!(error = %err, "storage failed"),
            Self::NotFound | Self::Query(_) | Self::Worklist(_) | Self::PushOff => {}
            other => tracing::warn!(%status, error = %other, "delivery refused"),
        }
        let error = match self {
            // The driver's message is for the log, not for whoever posted.
            Self::Storage(_) => status
                .canonical_reason()
                .unwrap_or("storage failure")
                .to_owned(),
            other => other.to_string(),
        };
        (status, Json(serde_json::json!({ "error": error }))).into_response()
    }
}
