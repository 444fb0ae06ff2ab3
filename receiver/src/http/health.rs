//! Health probes, as Kubernetes expects them: liveness touches nothing, readiness checks
//! what serving needs.
//!
//! * `GET /healthz` (liveness): 200 `ok` whenever the process answers. It touches nothing,
//!   so a database outage never makes an orchestrator restart every instance.
//! * `GET /readyz` (readiness): 200 when the database answers, the poller and the sweeper
//!   (when sweeps are on) went round within `READY_STALE_AFTER`, and the last call to
//!   Nectar's API was not refused for its key; else 503. Either way the body says which
//!   check failed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::AppState;
use crate::workers::Probes;

/// `GET /healthz`, `GET /readyz`.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(alive))
        .route("/readyz", get(ready))
}

/// `GET /healthz`: the process answers.
async fn alive() -> &'static str {
    "ok"
}

/// One check of `GET /readyz`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Check {
    ok: bool,
    /// What it found, in words.
    detail: String,
}

/// The body of `GET /readyz`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Readiness {
    ready: bool,
    database: Check,
    poller: Check,
    sweeper: Check,
    nectar_api_key: Check,
}

/// `GET /readyz`: the database, the workers' heartbeats, Nectar's answer to the key.
async fn ready(State(state): State<AppState>, probes: Option<Extension<Probes>>) -> Response {
    let now = Timestamp::now();
    let database = match state.store.ping().await {
        Ok(()) => Check {
            ok: true,
            detail: "answers".to_owned(),
        },
        Err(err) => Check {
            ok: false,
            detail: err.to_string(),
        },
    };
    let (poller, sweeper, nectar_api_key) = match probes {
        Some(Extension(probes)) => (
            recent(probes.poller.last(), probes.stale_after, now),
            match &probes.sweeper {
                Some(sweeper) => recent(sweeper.last(), probes.stale_after, now),
                None => Check {
                    ok: true,
                    detail: "sweeps are off (no NECTAR_COMPANY_IDS)".to_owned(),
                },
            },
            match probes.client.key_refusal() {
                None => Check {
                    ok: true,
                    detail: "not refused".to_owned(),
                },
                Some(refusal) => Check {
                    ok: false,
                    detail: format!("the last call failed for its key: {refusal}"),
                },
            },
        ),
        None => {
            let unwatched = || Check {
                ok: true,
                detail: "not watched by this router".to_owned(),
            };
            (unwatched(), unwatched(), unwatched())
        }
    };
    let ready = database.ok && poller.ok && sweeper.ok && nectar_api_key.ok;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        ready,
        database,
        poller,
        sweeper,
        nectar_api_key,
    };
    (status, Json(body)).into_response()
}

/// Whether a loop last seen at `last` went round within `stale_after` of `now`.
fn recent(last: Option<Timestamp>, stale_after: core::time::Duration, now: Timestamp) -> Check {
    let limit = SignedDuration::try_from(stale_after).unwrap_or(SignedDuration::MAX);
    match last {
        None => Check {
            ok: false,
            detail: "has not run yet".to_owned(),
        },
        Some(at) => {
            let ago = now.duration_since(at);
            Check {
                ok: ago <= limit,
                detail: format!("went round {:.1} s ago", ago.as_secs_f64()),
            }
        }
    }
}
