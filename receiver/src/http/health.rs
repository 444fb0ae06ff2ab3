//! Health probes.

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::{AppState, Refusal};

/// `GET /healthz`.
pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

/// `GET /healthz`.
async fn health(State(state): State<AppState>) -> Result<&'static str, Refusal> {
    state.store.ping().await?;
    Ok("ok")
}
