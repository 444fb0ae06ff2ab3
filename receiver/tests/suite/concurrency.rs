//! Concurrent deliveries of one connection: the transaction that holds the connection's
//! record serializes them, so no update is lost and nothing is notified twice.

use axum::http::StatusCode;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::{ConnectionPayload, Notification, Webhook};
use nectar_receiver::EntryKind;
use tokio::task::JoinSet;

use crate::support::{Answer, Harness, at, changed_status, connection, event, events};

on_both_engines!(
    concurrent_deliveries_of_one_connection_lose_no_update,
    concurrent_redeliveries_of_a_new_connection_notify_once,
);

/// Delivers every `(svix-id, webhook)` at once, each from its own task; returns the
/// answers.
async fn deliver_all_at_once(h: &Harness, deliveries: Vec<(String, Webhook)>) -> Vec<Answer> {
    let mut tasks = JoinSet::new();
    for (id, webhook) in deliveries {
        let sender = h.sender();
        tasks.spawn(async move { sender.deliver(&id, &webhook).await });
    }
    tasks.join_all().await
}

/// Sixteen field changes of one connection, delivered at once: each newer one applies, each
/// older one is stale, and the record ends as Nectar's last state, remembering every
/// delivery. A lost update would leave an older state or forget a delivery id.
async fn concurrent_deliveries_of_one_connection_lose_no_update(h: &Harness) {
    let first = connection("conn-1", S::Connected, 0);
    assert_eq!(
        h.deliver("msg_0", &event(None, &first)).await.status,
        StatusCode::OK
    );
    let mut states = vec![first];
    for minute in 1..=16 {
        let before = states.last().cloned().unwrap_or_else(|| unreachable!());
        states.push(ConnectionPayload {
            external_id: Some(format!("crm-{minute}")),
            updated: Some(at(minute).to_string()),
            ..before
        });
    }
    let deliveries: Vec<_> = states
        .windows(2)
        .enumerate()
        .map(|(i, pair)| (format!("msg_{}", i + 1), event(Some(&pair[0]), &pair[1])))
        .collect();

    let answers = deliver_all_at_once(h, deliveries).await;
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert!(
            matches!(answer.decision(), "apply" | "stale"),
            "{}",
            answer.body
        );
    }
    let record = h.record("conn-1").await.expect("stored");
    assert_eq!(Some(&record.connection), states.last());
    let mut remembered = record.recent_event_ids.clone();
    remembered.sort();
    let mut sent: Vec<_> = (0..=16).map(|i| format!("msg_{i}")).collect();
    sent.sort();
    assert_eq!(remembered, sent);
    assert!(h.notifications("conn-1").await.is_empty());
}

/// A connection's first two events (updated and validated of one status change), each
/// retried six times, all at once: one record, one notification.
async fn concurrent_redeliveries_of_a_new_connection_notify_once(h: &Harness) {
    let connected = connection("conn-1", S::Connected, 0);
    let broken = changed_status(&connected, S::PasswordIncorrect, 10);
    let pair = events(Some(&connected), &broken);
    let deliveries: Vec<_> = (0..6)
        .flat_map(|_| {
            pair.iter()
                .enumerate()
                .map(|(i, webhook)| (format!("msg_{i}"), webhook.clone()))
        })
        .collect();

    let answers = deliver_all_at_once(h, deliveries).await;
    let applied = answers.iter().filter(|a| a.decision() == "apply").count();
    assert!(answers.iter().all(|a| a.status == StatusCode::OK));
    assert_eq!(applied, 1, "{answers:?}");

    let outbox = h.notifications("conn-1").await;
    let notified: Vec<_> = outbox
        .iter()
        .map(|e| (e.sequence, e.notification))
        .collect();
    assert_eq!(
        notified,
        [(1, EntryKind::from(Notification::EnteredCredentialError))]
    );
    let record = h.record("conn-1").await.expect("stored");
    assert_eq!(record.connection, broken);
    let mut remembered = record.recent_event_ids;
    remembered.sort();
    assert_eq!(remembered, ["msg_0", "msg_1"]);
}
