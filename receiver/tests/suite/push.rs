//! Push: every outbox entry delivered to a double of the integrator's app
//! (`support::app`) that answers 500 at random, answers too late, and goes down for a while:
//! afterwards every entry was taken, every message verifies with the library's verifier,
//! each connection's entries were taken in order, and every duplicate carried the same
//! `webhook-id`. Then the dead letter and its redelivery.

use core::time::Duration;
use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::Observation;
use nectar_receiver::{Config, FeedCursor, FeedEntry, Store};

use crate::support::app::{AppDouble, AppFaults};
use crate::support::{Harness, eventually, history};

/// The app's signing secret.
const APP_SECRET: &str = "whsec_dGhpcyBpcyB0aGUgYXBwJ3Mgc2VjcmV0IQ==";

on_both_engines!(
    every_entry_reaches_a_flaky_app_in_order_once_taken,
    a_dead_letter_is_shown_and_redelivered,
);

/// Push to `app`, with waits and a timeout short enough for a test.
fn push_to(config: &mut Config, app: &AppDouble) {
    config.push.url = Some(app.url());
    config.push.secret = Some(APP_SECRET.parse().expect("a secret"));
    config.push.schedule = [0, 50, 100, 200, 400, 800, 800, 800, 800, 800]
        .map(Duration::from_millis)
        .to_vec();
    config.push.timeout = Duration::from_millis(500);
    config.push.check_every = Duration::from_millis(20);
}

/// Every entry in the feed, with its push state.
async fn all_entries(store: &Store) -> Vec<FeedEntry> {
    store
        .feed(FeedCursor::START, 1000)
        .await
        .expect("the feed")
        .entries
}

/// 30 connections, each through three credential errors and recoveries (six entries), while
/// the app answers 15% of pushes 500 and 5% too late, and is down for a while in the middle.
async fn every_entry_reaches_a_flaky_app_in_order_once_taken(h: &Harness) {
    let app = AppDouble::start(APP_SECRET).await;
    app.set_faults(AppFaults {
        error_per_mille: 150,
        slow_per_mille: 50,
        slow_for: Duration::from_millis(700),
        seed: 20,
    });
    let mut config = test_config_of(h);
    push_to(&mut config, &app);
    let store = h.store.clone();
    let running = nectar_receiver::start(&config, store.clone())
        .await
        .expect("a second receiver, pushing");

    for c in 0..30 {
        let id = format!("conn-{c:02}");
        let states = history(
            &id,
            [
                S::Connected,
                S::PasswordIncorrect,
                S::Connected,
                S::MfaTokenExpired,
                S::Connected,
                S::NewPasswordNeeded,
                S::Connected,
            ],
        );
        for state in &states {
            store
                .observe(Observation::Snapshot(state), Timestamp::now())
                .await
                .expect("recorded");
        }
        if c == 10 {
            app.go_down().await;
        }
        if c == 20 {
            app.come_back().await;
        }
    }
    let expected = 30 * 6;
    eventually("every entry delivered", || async {
        let entries = all_entries(&store).await;
        let delivered = entries
            .iter()
            .filter(|e| e.push.as_ref().is_some_and(|p| p.state == "delivered"))
            .count();
        (entries.len() == expected && delivered == expected).then_some(())
    })
    .await;
    running.stop().await.expect("stops");

    let received = app.received();
    assert!(
        received.iter().all(|r| r.verified),
        "every message verifies"
    );
    let accepted = app.accepted();
    // Every entry was taken at least once, and each id always carried the same entry.
    let mut by_id: BTreeMap<&str, (String, i64)> = BTreeMap::new();
    for r in &received {
        let key = (
            r.connection_id.clone().expect("a connection"),
            r.sequence.expect("a sequence"),
        );
        let known = by_id.entry(r.webhook_id.as_str()).or_insert(key.clone());
        assert_eq!(
            *known, key,
            "{} always carries the same entry",
            r.webhook_id
        );
        let data = &r.body["data"];
        assert_eq!(data["id"], r.webhook_id.as_str());
        assert!(
            r.body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("nectar.connection.")),
            "{}",
            r.body
        );
    }
    let taken: BTreeSet<&str> = accepted.iter().map(|r| r.webhook_id.as_str()).collect();
    assert_eq!(taken.len(), expected);
    // Each connection's entries were first taken in their order.
    let mut first_taken: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for r in &accepted {
        if seen.insert(r.webhook_id.clone()) {
            first_taken
                .entry(r.connection_id.clone().expect("a connection"))
                .or_default()
                .push(r.sequence.expect("a sequence"));
        }
    }
    for (id, sequences) in &first_taken {
        assert_eq!(sequences, &(1..=6).collect::<Vec<i64>>(), "{id}");
    }
    let stats = app.stats();
    assert!(
        stats.errors > 0 && stats.slow > 0,
        "faults happened: {stats:?}"
    );
    assert!(stats.max_in_flight <= 16, "bounded in flight: {stats:?}");
    app.stop();
}

/// An app that always answers 500: the entry is tried as often as the schedule says, then
/// marked failed in the feed; redelivered once the app is fixed, it is taken, with the same
/// `webhook-id`.
async fn a_dead_letter_is_shown_and_redelivered(h: &Harness) {
    let app = AppDouble::start(APP_SECRET).await;
    app.set_faults(AppFaults {
        error_per_mille: 1000,
        ..AppFaults::default()
    });
    let mut config = test_config_of(h);
    push_to(&mut config, &app);
    config.push.schedule = [0, 20, 20].map(Duration::from_millis).to_vec();
    let running = nectar_receiver::start(&config, h.store.clone())
        .await
        .expect("a receiver, pushing");
    let states = history("conn-1", [S::Connected, S::PasswordIncorrect]);
    for state in &states {
        h.store
            .observe(Observation::Snapshot(state), Timestamp::now())
            .await
            .expect("recorded");
    }
    let failed = eventually("the entry to be marked failed", || async {
        let entries = all_entries(&h.store).await;
        entries
            .into_iter()
            .find(|e| e.push.as_ref().is_some_and(|p| p.state == "failed"))
    })
    .await;
    let push = failed.push.clone().expect("a push state");
    assert_eq!(push.attempts, 3);
    assert!(push.last_error.is_some_and(|e| e.contains("500")));
    assert_eq!(app.stats().requests, 3);

    app.set_faults(AppFaults::default());
    let url = format!(
        "http://{}/notifications/{}/redeliver",
        running.addr(),
        failed.id
    );
    let answer = h
        .http
        .post(&url)
        .bearer_auth(crate::support::API_TOKEN)
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status(), StatusCode::ACCEPTED);
    eventually("the redelivered entry to be taken", || async {
        let entries = all_entries(&h.store).await;
        entries
            .iter()
            .any(|e| e.id == failed.id && e.push.as_ref().is_some_and(|p| p.state == "delivered"))
            .then_some(())
    })
    .await;
    let accepted = app.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].webhook_id, failed.id);
    let unknown = format!(
        "http://{}/notifications/ntf_999999/redeliver",
        running.addr()
    );
    let answer = h
        .http
        .post(&unknown)
        .bearer_auth(crate::support::API_TOKEN)
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    running.stop().await.expect("stops");
    app.stop();
}

/// The configuration of the harness's receiver, on its database, listening elsewhere.
fn test_config_of(h: &Harness) -> Config {
    crate::support::test_config(&h.db, h.nectar.addr)
}
