//! Gaps: a poll job recorded with the delivery, the poller closing it against the double of
//! Nectar's API, retries with backoff, and the job's life in the store.

use core::time::Duration;

use axum::http::StatusCode;
use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::{Notification, Observation, Webhook};
use nectar_receiver::{Config, EntryKind, Outcome, PollJob};

use crate::support::{Harness, event, events, eventually, history};

on_both_engines!(
    a_gap_is_polled_and_closed_with_the_right_notifications,
    a_failed_poll_is_retried_with_backoff with |config: &mut Config| {
        config.polling.backoff = Duration::from_millis(300);
        // One attempt per poll: each 503 fails the poll, and the job's own backoff follows.
        config.etiquette.attempts = core::num::NonZeroU32::MIN;
    },
    a_gap_recorded_during_a_poll_keeps_the_job with idle_poller,
    a_claimed_job_is_leased with idle_poller,
);

/// A poller that looks once at start-up and then not for an hour: the scenario drives the
/// store's poll jobs itself.
fn idle_poller(config: &mut Config) {
    config.polling.interval = Duration::from_secs(3600);
}

/// Waits until `id`'s record is `status` and no poll job is pending.
async fn gap_closed(h: &Harness, id: &str, status: S) {
    eventually("the gap to close", || async {
        let record = h.record(id).await?;
        let jobs = h.store.poll_jobs().await.ok()?;
        (record.connection.status == status.into() && jobs.is_empty()).then_some(())
    })
    .await;
}

/// PENDING, then CONNECTED (its events lost), then PASSWORD_INCORRECT: the last event's
/// `old.status` says an event was missed, the poll brings the record to Nectar's state and
/// notifies the credential error once; the lost events, arriving late, change nothing.
async fn a_gap_is_polled_and_closed_with_the_right_notifications(h: &Harness) {
    let [pending, connected, broken] =
        history("conn-1", [S::Pending, S::Connected, S::PasswordIncorrect]);
    h.nectar.set(&broken);

    assert_eq!(
        h.deliver("msg_1", &event(None, &pending)).await.decision(),
        "apply"
    );
    let [updated, validated] =
        <[_; 2]>::try_from(events(Some(&connected), &broken)).expect("two events");
    let answer = h.deliver("msg_4", &updated).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.decision(), "gap");
    assert_eq!(answer.body["pollScheduled"], true);

    gap_closed(h, "conn-1", S::PasswordIncorrect).await;
    assert_eq!(h.record("conn-1").await.map(|r| r.connection), Some(broken));
    assert!(h.nectar.requests() >= 1);
    assert_eq!(h.nectar.unauthorized(), 0);

    // The lost events, late; the other event of the last change.
    for (id, webhook) in events(Some(&pending), &connected).iter().enumerate() {
        let answer = h.deliver(&format!("msg_late_{id}"), webhook).await;
        assert_eq!(answer.decision(), "stale", "{}", answer.body);
    }
    assert_eq!(h.deliver("msg_5", &validated).await.decision(), "duplicate");

    let outbox = h.notifications("conn-1").await;
    let notified: Vec<_> = outbox
        .iter()
        .map(|e| (e.notification, e.delivery_id.as_deref(), e.status.as_str()))
        .collect();
    assert_eq!(
        notified,
        [(
            EntryKind::from(Notification::EnteredCredentialError),
            None,
            "PASSWORD_INCORRECT"
        )]
    );
}

/// Nectar's API fails twice: the job stays, with the reason, and the third attempt closes
/// the gap.
async fn a_failed_poll_is_retried_with_backoff(h: &Harness) {
    let [connected, down, broken] = history(
        "conn-1",
        [S::Connected, S::WebsiteDown, S::NewPasswordNeeded],
    );
    h.nectar.set(&broken);
    h.nectar.fail_next(2);

    h.deliver("msg_1", &event(None, &connected)).await;
    let answer = h.deliver("msg_3", &events(Some(&down), &broken)[0]).await;
    assert_eq!(answer.decision(), "gap");

    let failed = eventually("a failed attempt to be noted", || async {
        let jobs = h.store.poll_jobs().await.ok()?;
        jobs.into_iter().find(|job| job.last_error.is_some())
    })
    .await;
    assert_eq!(failed.connection_id, "conn-1");
    assert!(
        failed
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("503")),
        "{failed:?}"
    );
    assert!(failed.due_at > Timestamp::now() - jiff::SignedDuration::from_secs(1));

    gap_closed(h, "conn-1", S::NewPasswordNeeded).await;
    assert_eq!(h.nectar.requests(), 3);
    let outbox = h.notifications("conn-1").await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].notification, Notification::EnteredCredentialError);
}

/// Records `webhook`, delivered as `id`, straight through the store.
async fn record_delivery(h: &Harness, id: &str, webhook: &Webhook, now: Timestamp) -> Outcome {
    h.store
        .observe(
            Observation::Delivery {
                id: Some(id),
                webhook,
            },
            now,
        )
        .await
        .expect("recorded")
}

/// Claims the job due at `now`, which there must be.
async fn claim(h: &Harness, now: Timestamp) -> PollJob {
    h.store
        .claim_poll(now, Duration::from_secs(60))
        .await
        .expect("claimed")
        .expect("a job is due")
}

/// A gap recorded while a poll is in flight is not closed by that poll's (older) answer.
async fn a_gap_recorded_during_a_poll_keeps_the_job(h: &Harness) {
    let [v1, v2, v3, v4, v5] = history(
        "conn-1",
        [
            S::Connected,
            S::WebsiteDown,
            S::Connected,
            S::OtherError,
            S::Connected,
        ],
    );
    let now = Timestamp::now();

    record_delivery(h, "msg_1", &event(None, &v1), now).await;
    let to_v3 = &events(Some(&v2), &v3)[0];
    assert!(record_delivery(h, "msg_3", to_v3, now).await.poll_scheduled);
    let job = claim(h, now).await;
    assert_eq!((job.generation, job.attempts), (1, 1));

    // Meanwhile another gap, and the poll answers Nectar's state from before it.
    let to_v5 = &events(Some(&v4), &v5)[0];
    assert!(record_delivery(h, "msg_5", to_v5, now).await.poll_scheduled);
    let outcome = h
        .store
        .complete_poll(&job, &v3, now)
        .await
        .expect("recorded");
    assert_eq!(outcome.decision_name(), "apply");

    let jobs = h.store.poll_jobs().await.expect("readable");
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].generation, 2);
    assert_eq!(jobs[0].attempts, 0);
    assert!(jobs[0].due_at <= now);

    // The next poll, answered after the second gap, closes it.
    let job = claim(h, now).await;
    h.store
        .complete_poll(&job, &v5, now)
        .await
        .expect("recorded");
    assert!(h.store.poll_jobs().await.expect("readable").is_empty());
    assert_eq!(h.record("conn-1").await.map(|r| r.connection), Some(v5));
}

/// A claimed job is not claimed again until its lease ends (a poller that died holding it).
async fn a_claimed_job_is_leased(h: &Harness) {
    let [v1, v2, v3] = history("conn-1", [S::Connected, S::WebsiteDown, S::Connected]);
    let now = Timestamp::now();
    record_delivery(h, "msg_1", &event(None, &v1), now).await;
    let gap = &events(Some(&v2), &v3)[0];
    assert!(record_delivery(h, "msg_3", gap, now).await.poll_scheduled);

    let lease = Duration::from_secs(30);
    let claimed = h.store.claim_poll(now, lease).await.expect("claimed");
    assert!(claimed.is_some());
    assert_eq!(h.store.claim_poll(now, lease).await.expect("claimed"), None);
    let after_lease = now + jiff::SignedDuration::from_secs(31);
    let again = h
        .store
        .claim_poll(after_lease, lease)
        .await
        .expect("claimed")
        .expect("due after the lease");
    assert_eq!(again.attempts, 2);
}
