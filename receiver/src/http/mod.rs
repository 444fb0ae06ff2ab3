//! The HTTP surface: the webhook endpoint and the read endpoints (behind a bearer token).

mod auth;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use jiff::Timestamp;
use nectar_lifecycle::verify::{Verifier, VerifyError};
use nectar_lifecycle::webhook::{
    EventType, MAX_BODY_BYTES, Observation, Reported, WebhookError, parse_with_limit,
};
use serde::Deserialize;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::store::{FeedCursor, FeedError, MAX_FEED_LIMIT, Store, StoreError};
use crate::workers::poll::PollerWake;

/// The path Nectar's webhooks are posted to.
pub const WEBHOOK_PATH: &str = "/webhooks/nectar";

#[derive(Clone)]
struct AppState {
    store: Store,
    push_on: bool,
    verifier: Option<Arc<Verifier>>,
    wake: PollerWake,
}

/// The receiver's routes, on `store`, with `config`'s secrets and request timeout; a gap
/// wakes the poller through `wake`.
///
/// * `POST /webhooks/nectar`: a delivery from Nectar (through Svix).
/// * `GET /connections/{id}`: the stored record of a connection (with `notListed` when
///   complete sweeps have not listed it), 404 if none.
/// * `GET /connections/{id}/notifications`: its outbox entries, in order.
/// * `GET /notifications?after=CURSOR&limit=N`: the feed, every connection's entries in
///   commit order (`limit` 1 to 1000, 100 by default), and the cursor to read on from.
/// * `POST /notifications/{id}/redeliver`: push the entry again (202; 404 if none; 409 when
///   push is off).
/// * `GET /healthz`: 200 when the database answers, else 503.
///
/// Every endpoint but the webhook and `/healthz` needs `Authorization: Bearer <token>`, a
/// token of `config.api_tokens` (401 without it; 403 when none is configured).
pub fn router(config: &Config, store: Store, wake: PollerWake) -> Router {
    let state = AppState {
        store,
        push_on: config.push.url.is_some() && config.push.secret.is_some(),
        verifier: config.verifier().map(Arc::new),
        wake,
    };
    let reads = Router::new()
        .route("/connections/{id}", get(connection))
        .route("/connections/{id}/notifications", get(notifications))
        .route("/notifications", get(feed))
        .route("/notifications/{id}/redeliver", post(redeliver))
        .route_layer(axum::middleware::from_fn_with_state(
            auth::Tokens::new(&config.api_tokens),
            auth::require_token,
        ));
    Router::new()
        .route(WEBHOOK_PATH, post(receive))
        .route("/healthz", get(health))
        .merge(reads)
        .with_state(state)
        // Svix waits 15 s: past the request timeout the answer is 503, and Svix retries.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            config.timeouts.request,
        ))
        .layer(TraceLayer::new_for_http())
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
    #[error("push is off: set NOTIFY_URL and NOTIFY_SECRET")]
    PushOff,
    #[error(transparent)]
    Storage(#[from] StoreError),
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unreadable | Self::Malformed(_) | Self::Query(_) => StatusCode::BAD_REQUEST,
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
            Self::NotFound | Self::Query(_) | Self::PushOff => {}
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

/// `POST /webhooks/nectar`: size, signature, body, then the one transaction.
async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let body = read_body(&headers, body).await?;
    let verifier = state.verifier.as_deref().ok_or(Refusal::NoSecret)?;
    let now = Timestamp::now();
    let headers = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()));
    let verified = verifier.verify(&body, headers, now)?;
    let webhook = match parse_with_limit(&body, MAX_BODY_BYTES) {
        Ok(webhook) => webhook,
        Err(err) => {
            return match other_event_type(&body) {
                Some(event_type) => Ok(ignored(&verified.id, &event_type)),
                None => Err(err.into()),
            };
        }
    };
    if let Reported::Unknown(event_type) = &webhook.event_type {
        return Ok(ignored(&verified.id, event_type));
    }
    let observation = Observation::Delivery {
        id: Some(&verified.id),
        webhook: &webhook,
    };
    let outcome = state.store.observe(observation, now).await?;
    if outcome.poll_scheduled {
        state.wake.wake();
    }
    tracing::info!(
        svix_id = %verified.id,
        connection = %webhook.connection.id,
        decision = outcome.decision_name(),
        appended = outcome.appended.len(),
        "delivery recorded"
    );
    Ok((StatusCode::OK, Json(outcome)).into_response())
}

/// The body, refused unread when its `Content-Length` is over the limit, and read no
/// further than the limit otherwise.
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, Refusal> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return Err(Refusal::TooLarge);
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => Err(Refusal::TooLarge),
        Err(_) => Err(Refusal::Unreadable),
    }
}

/// The `eventType` of a body whose event is not one of the `connection.*.v2` events, if it
/// is one: Nectar sends others to the same endpoint (`document.created.v2`, the legacy
/// `connection.updated`), and they are acknowledged, not refused: a refusal would only make
/// Svix retry them.
fn other_event_type(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Envelope {
        event_type: String,
    }
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    envelope
        .event_type
        .parse::<EventType>()
        .is_err()
        .then_some(envelope.event_type)
}

/// 200 for an authentic event of a type this receiver does not act on.
fn ignored(svix_id: &str, event_type: &str) -> Response {
    tracing::info!(%svix_id, event_type, "event type not handled; acknowledged");
    (
        StatusCode::OK,
        Json(serde_json::json!({ "ignored": event_type })),
    )
        .into_response()
}

/// `GET /connections/{id}`.
async fn connection(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Refusal> {
    let record = state
        .store
        .record_view(&id)
        .await?
        .ok_or(Refusal::NotFound)?;
    Ok(Json(record).into_response())
}

/// `GET /connections/{id}/notifications`.
async fn notifications(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Refusal> {
    Ok(Json(state.store.notifications(&id).await?).into_response())
}

/// The query of `GET /notifications`, as text: its errors name the parameter.
#[derive(Debug, Deserialize)]
struct FeedQuery {
    after: Option<String>,
    limit: Option<String>,
}

/// The entries read from the feed when `limit` is not given.
const DEFAULT_FEED_LIMIT: u32 = 100;

/// `GET /notifications`.
async fn feed(
    State(state): State<AppState>,
    Query(query): Query<FeedQuery>,
) -> Result<Response, Refusal> {
    let after = match query.after.as_deref() {
        None | Some("") => FeedCursor::START,
        Some(cursor) => cursor.parse()?,
    };
    let limit = match query.limit.as_deref() {
        None | Some("") => DEFAULT_FEED_LIMIT,
        Some(limit) => {
            let value = limit.parse::<u32>().unwrap_or(0);
            if !(1..=MAX_FEED_LIMIT).contains(&value) {
                let value = limit.chars().take(64).collect();
                return Err(FeedError::Limit { value }.into());
            }
            value
        }
    };
    Ok(Json(state.store.feed(after, limit).await?).into_response())
}

/// `POST /notifications/{id}/redeliver`: the entry is pushed again, from its first attempt.
async fn redeliver(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Refusal> {
    if !state.push_on {
        return Err(Refusal::PushOff);
    }
    if !state.store.redeliver(&id, Timestamp::now()).await? {
        return Err(Refusal::NotFound);
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "redelivering": id })),
    )
        .into_response())
}

/// `GET /healthz`.
async fn health(State(state): State<AppState>) -> Result<&'static str, Refusal> {
    state.store.ping().await?;
    Ok("ok")
}
