//! Health as Kubernetes probes it: `/healthz` (liveness) touches nothing; `/readyz`
//! (readiness) checks the database, the workers' heartbeats and Nectar's answer to the key.

use core::time::Duration;

use axum::http::StatusCode;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_receiver::ApiKey;

use crate::support::{Harness, event, events, eventually, history};

on_both_engines!(
    a_running_receiver_is_alive_and_ready,
    a_poller_that_has_not_gone_round_lately_is_not_ready with |config: &mut Config| {
        // One round at start, then none for an hour.
        config.polling.interval = Duration::from_secs(3600);
        config.ready_stale_after = Duration::from_millis(300);
    },
    a_key_refused_by_nectar_is_not_ready with |config: &mut Config| {
        config.api.key = Some(ApiKey::new("not-the-key"));
    },
);

async fn a_running_receiver_is_alive_and_ready(h: &Harness) {
    let alive = h.get_with("/healthz", None).await;
    assert_eq!(alive.status, StatusCode::OK);
    let ready = eventually("ready", || async {
        let answer = h.get_with("/readyz", None).await;
        (answer.status == StatusCode::OK).then_some(answer)
    })
    .await;
    assert_eq!(ready.body["ready"], true, "{}", ready.body);
    assert_eq!(ready.body["database"]["ok"], true);
    assert_eq!(ready.body["poller"]["ok"], true);
    assert_eq!(
        ready.body["sweeper"]["ok"], true,
        "sweeps are off: nothing to watch"
    );
    assert_eq!(ready.body["nectarApiKey"]["ok"], true);
}

async fn a_poller_that_has_not_gone_round_lately_is_not_ready(h: &Harness) {
    let stale = eventually("not ready", || async {
        let answer = h.get_with("/readyz", None).await;
        (answer.status == StatusCode::SERVICE_UNAVAILABLE).then_some(answer)
    })
    .await;
    assert_eq!(stale.body["poller"]["ok"], false, "{}", stale.body);
    assert_eq!(stale.body["database"]["ok"], true);
    assert_eq!(h.get_with("/healthz", None).await.status, StatusCode::OK);
}

/// A gap makes the poller call Nectar's API with a key Nectar refuses (401): not ready,
/// and the body says why.
async fn a_key_refused_by_nectar_is_not_ready(h: &Harness) {
    let [pending, connected, broken] =
        history("conn-1", [S::Pending, S::Connected, S::PasswordIncorrect]);
    h.nectar.set(&broken);
    h.deliver("msg_1", &event(None, &pending)).await;
    let last = events(Some(&connected), &broken);
    h.deliver("msg_3", &last[0]).await;
    let refused = eventually("not ready", || async {
        let answer = h.get_with("/readyz", None).await;
        (answer.status == StatusCode::SERVICE_UNAVAILABLE).then_some(answer)
    })
    .await;
    assert_eq!(
        refused.body["nectarApiKey"]["ok"], false,
        "{}",
        refused.body
    );
    let detail = refused.body["nectarApiKey"]["detail"]
        .as_str()
        .unwrap_or_default();
    assert!(detail.contains("401"), "{detail}");
    assert!(h.nectar.unauthorized() >= 1);
}
