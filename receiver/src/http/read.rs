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

/// The query of `GET /connections`, as text: its errors name the parameter.
#[derive(Debug, Deserialize)]
struct WorklistParams {
    needs: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// `GET /connections?needs=&status=&cursor=&limit=`: the worklist.
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
