//! The read API: a connection's record and outbox, the feed, redelivery.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use serde::Deserialize;

use super::{AppState, Refusal};

/// `GET /connections` (the worklist), `GET /connections/{id}`, `GET /connections/{id}/notifications`, `GET /notifications`,
/// `POST /notifications/{id}/redeliver` (the caller puts them behind the token).
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/connections", get(worklist))
        .route("/connections/{id}", get(connection))
        .route("/connections/{id}/notifications", get(notifications))
        .route("/notifications", get(feed))
        .route("/notifications/{id}/redeliver", post(redeliver))
}
use crate::store::{FeedCursor, FeedError, MAX_FEED_LIMIT, WorklistQuery};

/// `GET /connections/{id}`.
#[utoipa::path(
    get,
    path = "/connections/{id}",
    tag = "read",
    summary = "A connection's stored record",
    description = "The library's `Record` of the connection, with `notListed` when complete sweeps of its company have not listed it and `invitation` (its newest credential-error episode) with reconnect invitations on.",
    params(("id" = String, Path, description = "The connection's id (Nectar's)")),
    responses(
        (status = 200, description = "The record", body = crate::store::RecordView),
        (status = 404, description = "No record of this connection", body = super::openapi::ErrorBody),
    )
)]
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
#[utoipa::path(
    get,
    path = "/connections/{id}/notifications",
    tag = "read",
    summary = "A connection's outbox entries",
    description = "Every outbox entry of the connection, by `sequence` (`[]` when none).",
    params(("id" = String, Path, description = "The connection's id (Nectar's)")),
    responses((status = 200, description = "The entries, in order", body = Vec<crate::store::OutboxEntry>))
)]
async fn notifications(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Refusal> {
    Ok(Json(state.store.notifications(&id).await?).into_response())
}

/// The query of `GET /notifications`, as text: its errors name the parameter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FeedQuery {
    /// The cursor to read on from: `next` of an earlier page; the start when absent or empty.
    after: Option<String>,
    /// How many entries at most.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000, default = 100)]
    limit: Option<String>,
}

/// The entries read from the feed when `limit` is not given.
const DEFAULT_FEED_LIMIT: u32 = 100;

/// `GET /notifications`.
#[utoipa::path(
    get,
    path = "/notifications",
    tag = "read",
    summary = "The feed",
    description = "Every connection's outbox entries in the order they were committed, after the cursor `after`; `next` is the cursor to read on from (the same one when nothing new has come). Nothing is skipped and nothing is read twice.",
    params(FeedQuery),
    responses(
        (status = 200, description = "A page of the feed", body = crate::store::FeedPage),
        (status = 400, description = "`after` is not a cursor of this feed, or `limit` is out of range (the error names the parameter)", body = super::openapi::ErrorBody),
    )
)]
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
#[utoipa::path(
    post,
    path = "/notifications/{id}/redeliver",
    tag = "read",
    summary = "Push an entry again",
    description = "Pushes the entry to `NOTIFY_URL` again from its first attempt (a `failed` one included).",
    params(("id" = String, Path, description = "The entry's id (`ntf_...`)")),
    responses(
        (status = 202, description = "The entry will be pushed again", body = super::openapi::Redelivering),
        (status = 404, description = "No such entry", body = super::openapi::ErrorBody),
        (status = 409, description = "Push is off: `NOTIFY_URL` and `NOTIFY_SECRET` are not both set", body = super::openapi::ErrorBody),
    )
)]
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

/// The query of `GET /connections`, as text: its errors name the parameter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct WorklistParams {
    /// Only the connections this actor must act on.
    #[param(value_type = Option<crate::store::Needs>)]
    needs: Option<String>,
    /// Only the connections in this status, as Nectar spells it.
    #[param(value_type = Option<super::openapi::ConnectionStatus>)]
    status: Option<String>,
    /// Where to start: `next` of the page before.
    cursor: Option<String>,
    /// How many connections at most.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200, default = 50)]
    limit: Option<String>,
}

/// `GET /connections?needs=&status=&cursor=&limit=`: the worklist.
#[utoipa::path(
    get,
    path = "/connections",
    tag = "read",
    summary = "The worklist",
    description = "Who must act on which connection, since when, what to do, its invitation and its last entry; with the counts per group and per status (of every connection, whatever the query), paged by id.",
    params(WorklistParams),
    responses(
        (status = 200, description = "A page of the worklist", body = crate::store::Worklist),
        (status = 400, description = "A bad `needs` or `limit` (the error names the parameter)", body = super::openapi::ErrorBody),
    )
)]
async fn worklist(
    State(state): State<AppState>,
    Query(params): Query<WorklistParams>,
) -> Result<Response, Refusal> {
    let query = WorklistQuery::parse(
        params.needs.as_deref(),
        params.status.as_deref(),
        params.cursor.as_deref(),
        params.limit.as_deref(),
    )?;
    Ok(Json(state.store.worklist(&query).await?).into_response())
}
