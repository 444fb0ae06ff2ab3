//! The storage under the service: unavailable (503, and Svix retries), reopened (the schema
//! migrated once, the data kept), refusing (a fast, typed error).

use core::time::Duration;
use std::time::Instant;

use axum::http::StatusCode;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_receiver::{DatabaseUrl, Store, StoreError, StoreOptions};

use crate::support::{Harness, connected_then_broken, connection, event};

on_both_engines!(
    an_unavailable_database_is_answered_503,
    a_reopened_database_keeps_its_records,
    a_record_locked_past_the_lock_timeout_is_answered_503 with |config: &mut Config| {
        config.timeouts.lock = Duration::from_millis(300);
    },
    a_request_past_the_request_timeout_is_answered_503 with |config: &mut Config| {
        config.timeouts.request = Duration::from_millis(300);
    },
);

/// With the pool closed, every storage call fails as unavailable: deliveries and reads are
/// answered 503, which Svix retries.
async fn an_unavailable_database_is_answered_503(h: &Harness) {
    let created = connection("conn-1", S::Connected, 0);
    assert_eq!(
        h.deliver("msg_1", &event(None, &created)).await.status,
        StatusCode::OK
    );
    h.store.close().await;

    let answer = h.deliver("msg_2", &event(None, &created)).await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    // The driver's message stays in the log.
    assert_eq!(answer.body["error"], "Service Unavailable");
    // Not ready, but alive: an orchestrator stops routing to it and does not restart it.
    assert_eq!(h.get("/healthz").await.status, StatusCode::OK);
    for path in [
        "/readyz",
        "/connections/conn-1",
        "/connections/conn-1/notifications",
    ] {
        assert_eq!(
            h.get(path).await.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{path}"
        );
    }
}

/// Opening the database again (a restart) migrates nothing and finds what was stored.
async fn a_reopened_database_keeps_its_records(h: &Harness) {
    let created = connection("conn-1", S::Connected, 0);
    h.deliver("msg_1", &event(None, &created)).await;
    let reopened = h.db.open().await;
    let record = reopened
        .record("conn-1")
        .await
        .expect("readable")
        .expect("stored");
    assert_eq!(record.connection, created);
    reopened.close().await;
}

/// Another transaction holds the record (a stuck instance): the delivery waits no longer
/// than the lock timeout, is answered 503, and succeeds once the record is free.
async fn a_record_locked_past_the_lock_timeout_is_answered_503(h: &Harness) {
    held_record_is_answered_503(h).await;
}

/// The same, past the whole request's timeout (the lock timeout being longer).
async fn a_request_past_the_request_timeout_is_answered_503(h: &Harness) {
    held_record_is_answered_503(h).await;
}

async fn held_record_is_answered_503(h: &Harness) {
    let (_, _, update) = connected_then_broken(h).await;
    let update = &update;

    let held = h.db.hold("conn-1").await;
    let started = Instant::now();
    let answer = h.deliver("msg_2", update).await;
    let waited = started.elapsed();
    held.release().await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.body
    );
    assert!(waited < Duration::from_secs(3), "answered after {waited:?}");

    // Svix retries: now it is recorded, once.
    let answer = h.deliver("msg_2", update).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.decision(), "apply");
    assert_eq!(h.notifications("conn-1").await.len(), 1);
}

/// A database that refuses connections is a transient error, reported within the acquire
/// timeout rather than hanging.
#[tokio::test]
async fn a_refusing_database_fails_fast_as_unavailable() {
    let url = DatabaseUrl::new("postgres://postgres@127.0.0.1:1/nectar").expect("a URL");
    let options = StoreOptions {
        acquire_timeout: Duration::from_secs(2),
        ..StoreOptions::default()
    };
    let started = Instant::now();
    let result = crate::support::bounded(Store::open(&url, options)).await;
    let err: StoreError = result.expect_err("nothing listens on port 1");
    assert!(err.is_transient(), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
