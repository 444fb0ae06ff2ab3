//! `GET /metrics` on its own listener (`METRICS_ADDR`), and what the main router records
//! for it: each request's latency by route template, each delivery's outcome.
//!
//! The metrics are served on a separate address rather than behind the read API's bearer
//! token: a scraper is given no token that also reads owners' emails and utility logins,
//! most scrapers are set up to reach a port rather than to send a header, and the address
//! can be bound to an interface only the monitoring network reaches. The main listener
//! (public: Svix must reach the webhook) does not serve `/metrics`, and the metrics
//! listener serves nothing else.

use core::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use tokio::time::Instant;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::Refusal;
use crate::store::{Store, StoreError};
use crate::telemetry::{Delivery, Metrics, RefusalReason, render_stats};

/// The path of the metrics.
pub(crate) const METRICS_PATH: &str = "/metrics";

/// The content type of Prometheus's text format.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// What the metrics listener serves.
#[derive(Clone)]
struct Scrape {
    store: Store,
    metrics: Metrics,
    push_on: bool,
}

/// `GET /metrics` alone: the receiver's metrics, with the scrape-time figures read from
/// `store` (the outbox's when `push_on`), each scrape answered within `timeout`.
pub(crate) fn router(store: Store, metrics: Metrics, push_on: bool, timeout: Duration) -> Router {
    Router::new()
        .route(METRICS_PATH, get(scrape))
        .with_state(Scrape {
            store,
            metrics,
            push_on,
        })
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(TraceLayer::new_for_http())
}

/// `GET /metrics`: the registry's text, then the figures read from the database now. When
/// the database cannot be read the counters are still answered (they tell what happened
/// meanwhile: deliveries refused as `unavailable`), without the figures of the database.
async fn scrape(State(scrape): State<Scrape>) -> Response {
    let mut text = scrape.metrics.render();
    match scrape.store.stats(Timestamp::now(), scrape.push_on).await {
        Ok(stats) => render_stats(&mut text, &stats),
        Err(err) => log_failed_stats(&err),
    }
    ([(header::CONTENT_TYPE, TEXT_FORMAT)], text).into_response()
}

fn log_failed_stats(err: &StoreError) {
    tracing::warn!(error = %err, "metrics: the database's figures cannot be read; answered without them");
}

/// The middleware of the main router: each request's latency, labelled with the template
/// of the route it matched (`/connections/{id}`, never the path requested: a label value is
/// a time series kept forever), its method and its status.
pub(super) async fn track(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    if !metrics.is_on() {
        return next.run(request).await;
    }
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().clone();
    let response = next.run(request).await;
    metrics.request(&route, &method, response.status(), started.elapsed());
    response
}

/// Counts one delivery once: as what [`DeliveryTally::count`] says, or, dropped before, as
/// refused for `timeout` (the request timeout passed, or the client hung up, while it was
/// being recorded).
pub(super) struct DeliveryTally {
    metrics: Metrics,
    counted: bool,
}

impl DeliveryTally {
    pub(super) fn new(metrics: &Metrics) -> Self {
        Self {
            metrics: metrics.clone(),
            counted: false,
        }
    }

    /// The delivery ended so (the first call counts).
    pub(super) fn count(&mut self, delivery: Delivery) {
        if !self.counted {
            self.counted = true;
            self.metrics.delivery(delivery);
        }
    }

    /// The delivery was answered with `answer`.
    pub(super) fn answered<T>(&mut self, answer: &Result<T, Refusal>) {
        if let Err(refusal) = answer {
            self.count(Delivery::Refused(reason(refusal)));
        }
    }
}

impl Drop for DeliveryTally {
    fn drop(&mut self) {
        self.count(Delivery::Refused(RefusalReason::Timeout));
    }
}

/// The reason label of a refused delivery.
fn reason(refusal: &Refusal) -> RefusalReason {
    match refusal {
        Refusal::TooLarge => RefusalReason::TooLarge,
        Refusal::Unreadable => RefusalReason::Unreadable,
        Refusal::NoSecret => RefusalReason::NoSecret,
        Refusal::Unverified(_) => RefusalReason::Unverified,
        Refusal::Malformed(_) => RefusalReason::Malformed,
        Refusal::Storage(err) if err.is_transient() => RefusalReason::Unavailable,
        // The read API's refusals never answer a delivery.
        _ => RefusalReason::StorageError,
    }
}
