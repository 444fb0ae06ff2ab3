//! `POST /webhooks/nectar`: a delivery from Nectar (through Svix), verified, parsed and
//! recorded in one transaction.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use jiff::Timestamp;
use nectar_lifecycle::webhook::{
    EventType, MAX_BODY_BYTES, Observation, Reported, parse_with_limit,
};
use serde::Deserialize;

use super::metrics::DeliveryTally;
use super::{AppState, Refusal, WEBHOOK_PATH};
use crate::telemetry::Delivery;

/// `POST /webhooks/nectar`.
pub(super) fn routes() -> Router<AppState> {
    Router::new().route(WEBHOOK_PATH, post(receive))
}

/// `POST /webhooks/nectar`, counted in the metrics by outcome.
#[utoipa::path(
    post,
    path = "/webhooks/nectar",
    tag = "nectar",
    summary = "A delivery from Nectar",
    description = "A connection webhook from Nectar, delivered by Svix and signed by it (Standard Webhooks). The size is checked, then the signature, then the body; the delivery is then recorded in one transaction. A 2xx means durably recorded; Svix retries any other answer.",
    params(
        ("svix-id" = String, Header, description = "The message's id: the same on each of Svix's retries (`webhook-id` is read too)"),
        ("svix-timestamp" = String, Header, description = "Unix seconds; more than 5 minutes off is refused (`webhook-timestamp` is read too)"),
        ("svix-signature" = String, Header, description = "`v1,<base64 HMAC-SHA256>`, space-separated when several (`webhook-signature` is read too)"),
    ),
    request_body(content = super::openapi::NectarWebhook, description = "Nectar's connection webhook (at most 1 MiB)", content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded (applied, duplicate, stale, or a gap whose poll was scheduled), or an authentic event of another type, acknowledged and not stored", body = super::openapi::DeliveryAnswer),
        (status = 400, description = "Verified, but not a connection webhook (malformed JSON, a missing `id` or `status`, a wrong type); Svix would get the same answer again", body = super::openapi::ErrorBody),
        (status = 401, description = "The signature is missing, forged, by an unknown secret or too old, or no secret is configured (`NECTAR_WEBHOOK_SECRETS`)", body = super::openapi::ErrorBody),
        (status = 413, description = "The body is over 1 MiB; it was not read", body = super::openapi::ErrorBody),
        (status = 500, description = "The database failed for another reason", body = super::openapi::ErrorBody),
        (status = 503, description = "The database is unavailable or busy, or the receiver is stopping; or the request took longer than `REQUEST_TIMEOUT`, answered with an empty body. Svix retries", body = super::openapi::ErrorBody),
    ),
    security(())
)]
async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let mut tally = DeliveryTally::new(&state.metrics);
    let answer = record(&state, &mut tally, headers, body).await;
    tally.answered(&answer);
    answer
}

/// Size, signature, body, then the one transaction.
async fn record(
    state: &AppState,
    tally: &mut DeliveryTally,
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
                Some(event_type) => Ok(ignored(tally, &verified.id, &event_type)),
                None => Err(err.into()),
            };
        }
    };
    if let Reported::Unknown(event_type) = &webhook.event_type {
        return Ok(ignored(tally, &verified.id, event_type));
    }
    let observation = Observation::Delivery {
        id: Some(&verified.id),
        webhook: &webhook,
    };
    let outcome = state.store.observe(observation, now).await?;
    tally.count(Delivery::of(&outcome.decision));
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
fn ignored(tally: &mut DeliveryTally, svix_id: &str, event_type: &str) -> Response {
    tally.count(Delivery::Ignored);
    tracing::info!(%svix_id, event_type, "event type not handled; acknowledged");
    (
        StatusCode::OK,
        Json(serde_json::json!({ "ignored": event_type })),
    )
        .into_response()
}
