//! Actions: a reconnect invitation kept active through each credential-error episode and
//! revoked when it ends, and detected accounts confirmed once, against the double of
//! Nectar's API (`support::nectar_api`), which keeps invitations and account decisions and
//! can lose a write's answer after doing it. Deliveries come through the receiver's webhook
//! endpoint; the scenario runs the actions worker itself ([`ActionWorker::work_due_at`]), so
//! it can step past an invitation's expiry without waiting days.

use core::time::Duration;

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::webhook::{
    AccountPayload, Company, ConnectionPayload, Notification, Reported,
};
use nectar_lifecycle::{AccountStatus, ConnectionStatus as S, TrackingStatus};
use nectar_receiver::{
    ActionEntry, ActionWorker, ApiKey, Config, EntryKind, NectarApi as ApiConfig, NectarClient,
    OutboxEntry,
};

use crate::support::nectar_api::{DOUBLE_API_KEY, Faults, NectarApi};
use crate::support::{Harness, connection, events, eventually, test_config};

on_both_engines!(
    an_episode_gets_one_link_and_loses_it_when_it_ends with invitations_on,
    a_lost_create_is_adopted_not_repeated with invitations_on,
    an_expired_link_is_replaced_and_a_used_one_is_not with invitations_on,
    an_episode_that_ends_before_its_link_is_told_without_one with invitations_on,
    the_entry_waits_for_its_link_no_longer_than_the_hold with short_hold,
    detected_accounts_are_confirmed_once with confirmations_on,
);

fn invitations_on(config: &mut Config) {
    config.actions.reconnect_invitations = true;
    // The scenario runs the worker; the receiver's own looks once at start, then idles.
    config.actions.check_every = Duration::from_secs(3600);
}

fn short_hold(config: &mut Config) {
    invitations_on(config);
    config.actions.hold = Duration::ZERO;
}

fn confirmations_on(config: &mut Config) {
    config.actions.confirm_accounts = true;
    config.actions.check_every = Duration::from_secs(3600);
}

const COMPANY: &str = "co-1";

/// Connection `id` of [`COMPANY`] with `status` since `minute`.
fn of_company(id: &str, status: S, minute: i64) -> ConnectionPayload {
    ConnectionPayload {
        company: Some(Company {
            id: Some(COMPANY.to_owned()),
            ..Company::default()
        }),
        ..connection(id, status, minute)
    }
}

/// The double of Nectar's API holding `connections`, and an actions worker on the
/// harness's store calling it, with the harness's actions configuration.
async fn nectar_and_worker(
    h: &Harness,
    configure: fn(&mut Config),
    connections: &[&ConnectionPayload],
) -> (NectarApi, ActionWorker) {
    let api = NectarApi::start().await;
    for connection in connections {
        api.put(COMPANY, (*connection).clone());
    }
    let mut config = test_config(&h.db, api.addr);
    configure(&mut config);
    config.api = ApiConfig {
        base_url: api.base_url(),
        key: Some(ApiKey::new(DOUBLE_API_KEY)),
    };
    config.etiquette.attempts = core::num::NonZeroU32::MIN;
    let client = NectarClient::new(&config).expect("a client");
    (
        api,
        ActionWorker::new(config.actions, h.store.clone(), client),
    )
}

/// Delivers the events Nectar sends for the change `before` to `after`, as messages
/// `{prefix}.1`, `{prefix}.2`, ...
async fn change(
    h: &Harness,
    prefix: &str,
    before: Option<&ConnectionPayload>,
    after: &ConnectionPayload,
) {
    for (n, webhook) in events(before, after).iter().enumerate() {
        let answer = h.deliver(&format!("{prefix}.{n}"), webhook).await;
        assert_eq!(answer.status, axum::http::StatusCode::OK, "{}", answer.body);
    }
}

/// The outbox of `id` as `(kind, invitation url)`.
fn kinds(outbox: &[OutboxEntry]) -> Vec<(EntryKind, Option<String>)> {
    outbox
        .iter()
        .map(|e| (e.notification, e.invitation.as_ref().map(|i| i.url.clone())))
        .collect()
}

/// The newest episode of `id` as `GET /connections/{id}` shows it.
async fn episode(h: &Harness, id: &str) -> serde_json::Value {
    let answer = h.get(&format!("/connections/{id}")).await;
    answer.body["invitation"].clone()
}

/// CONNECTED, then PASSWORD_INCORRECT: the entered_credential_error entry waits for the
/// link, then carries it (feed and read API alike); the invitation asks for one use and the
/// configured TTL. A second look changes nothing. Recovery revokes it.
async fn an_episode_gets_one_link_and_loses_it_when_it_ends(h: &Harness) {
    let connected = of_company("c-1", S::Connected, 0);
    let broken = of_company("c-1", S::PasswordIncorrect, 1);
    let (api, worker) = nectar_and_worker(h, invitations_on, &[&broken]).await;
    change(h, "msg_1", None, &connected).await;
    change(h, "msg_2", Some(&connected), &broken).await;
    assert!(
        h.notifications("c-1").await.is_empty(),
        "the entry waits for its link"
    );
    assert_eq!(episode(h, "c-1").await["state"], "wanted");

    worker.work_due().await.expect("the worker runs");
    let active = api.active_reconnects("c-1");
    assert_eq!(active.len(), 1, "one active invitation");
    assert_eq!(active[0].max_uses, Some(1));
    let created = active[0].created_at.expect("created at");
    let expires = active[0].expires_at.expect("expires");
    assert_eq!(
        expires.duration_since(created),
        SignedDuration::from_hours(7 * 24),
        "NECTAR_INVITATION_TTL's default, 7 days"
    );
    let url = active[0].invitation_url.clone();
    assert_eq!(
        kinds(&h.notifications("c-1").await),
        [(Notification::EnteredCredentialError.into(), url.clone())]
    );
    // The feed shows the entry once every transaction older than its own has ended
    // (PostgreSQL), with the link.
    let fed = eventually("the entry in the feed", || async {
        let feed = h.get("/notifications").await;
        let entry = feed.body["entries"][0].clone();
        (!entry.is_null()).then_some(entry)
    })
    .await;
    assert_eq!(fed["invitation"]["url"].as_str(), url.as_deref());
    let shown = episode(h, "c-1").await;
    assert_eq!(
        (shown["state"].as_str(), shown["status"].as_str()),
        (Some("active"), Some("ACTIVE"))
    );
    assert_eq!(shown["url"].as_str(), url.as_deref());

    // Nothing due: no call.
    let requests = api.stats().requests;
    worker.work_due().await.expect("the worker runs");
    assert_eq!(
        api.stats().requests,
        requests,
        "nothing to do, nothing asked"
    );

    let recovered = of_company("c-1", S::Connected, 2);
    api.put(COMPANY, recovered.clone());
    change(h, "msg_3", Some(&broken), &recovered).await;
    worker.work_due().await.expect("the worker runs");
    assert!(
        api.active_reconnects("c-1").is_empty(),
        "revoked at the episode's end"
    );
    assert_eq!(api.invitations().len(), 1, "and no other was ever created");
    assert_eq!(episode(h, "c-1").await["state"], "closed");
    assert_eq!(
        kinds(&h.notifications("c-1").await),
        [
            (Notification::EnteredCredentialError.into(), url),
            (Notification::Recovered.into(), None)
        ]
    );

    // A second episode gets a new link.
    let again = of_company("c-1", S::MfaTokenExpired, 3);
    api.put(COMPANY, again.clone());
    change(h, "msg_4", Some(&recovered), &again).await;
    worker.work_due().await.expect("the worker runs");
    let active = api.active_reconnects("c-1");
    assert_eq!(active.len(), 1);
    assert_ne!(active[0].id, api.invitations()[0].id, "a new invitation");
    assert_eq!(episode(h, "c-1").await["episode"], 2);
    api.stop();
}

/// The create is done but its answer lost (503): the worker looks, finds it, adopts it.
async fn a_lost_create_is_adopted_not_repeated(h: &Harness) {
    let connected = of_company("c-1", S::Connected, 0);
    let broken = of_company("c-1", S::PasswordIncorrect, 1);
    let (api, worker) = nectar_and_worker(h, invitations_on, &[&broken]).await;
    change(h, "msg_1", None, &connected).await;
    change(h, "msg_2", Some(&connected), &broken).await;
    api.fail_after_next_writes(1);
    worker.work_due().await.expect("the worker runs");
    assert_eq!(api.invitations().len(), 1, "created once, never resent");
    let outbox = h.notifications("c-1").await;
    assert_eq!(
        kinds(&outbox),
        [(
            Notification::EnteredCredentialError.into(),
            api.invitations()[0].invitation_url.clone()
        )]
    );
    // The revoke's answer is lost too: looked again, nothing left active, closed.
    let recovered = of_company("c-1", S::Connected, 2);
    change(h, "msg_3", Some(&broken), &recovered).await;
    api.fail_after_next_writes(1);
    worker.work_due().await.expect("the worker runs");
    assert!(api.active_reconnects("c-1").is_empty());
    assert_eq!(episode(h, "c-1").await["state"], "closed");
    api.stop();
}

/// Past its `expiresAt` the link is replaced, with a reconnect_invitation entry; a link the
/// end user used (FULFILLED) is not.
async fn an_expired_link_is_replaced_and_a_used_one_is_not(h: &Harness) {
    let connected = of_company("c-1", S::Connected, 0);
    let broken = of_company("c-1", S::PasswordIncorrect, 1);
    let (api, worker) = nectar_and_worker(h, invitations_on, &[&broken]).await;
    change(h, "msg_1", None, &connected).await;
    change(h, "msg_2", Some(&connected), &broken).await;
    worker.work_due().await.expect("the worker runs");
    let first = api.invitations()[0].clone();
    assert!(api.expire(&first.id));

    let after_expiry = Timestamp::now() + SignedDuration::from_hours(7 * 24 + 1);
    worker
        .work_due_at(after_expiry)
        .await
        .expect("the worker runs");
    let invitations = api.invitations();
    assert_eq!(invitations.len(), 2, "one replacement");
    let second = invitations[1].clone();
    assert_eq!(
        kinds(&h.notifications("c-1").await),
        [
            (
                Notification::EnteredCredentialError.into(),
                first.invitation_url.clone()
            ),
            (
                EntryKind::Action(ActionEntry::ReconnectInvitation),
                second.invitation_url.clone()
            ),
        ]
    );
    let shown = episode(h, "c-1").await;
    assert_eq!(shown["invitations"], 2);

    assert!(api.fulfil(&second.id));
    let later = after_expiry + SignedDuration::from_hours(7 * 24 + 1);
    worker.work_due_at(later).await.expect("the worker runs");
    assert_eq!(api.invitations().len(), 2, "a used link is not replaced");
    let shown = episode(h, "c-1").await;
    assert_eq!(
        (shown["state"].as_str(), shown["status"].as_str()),
        (Some("settled"), Some("FULFILLED"))
    );
    api.stop();
}

/// Nectar's API answers 503 to everything while `c-1` enters a credential error, and the
/// worker has tried once; the double, the worker, and the broken connection.
async fn broken_while_nectar_is_down(
    h: &Harness,
    configure: fn(&mut Config),
) -> (NectarApi, ActionWorker, ConnectionPayload) {
    let connected = of_company("c-1", S::Connected, 0);
    let broken = of_company("c-1", S::PasswordIncorrect, 1);
    let (api, worker) = nectar_and_worker(h, configure, &[&broken]).await;
    api.set_faults(Faults {
        unavailable_per_mille: 1000,
        ..Faults::default()
    });
    change(h, "msg_1", None, &connected).await;
    change(h, "msg_2", Some(&connected), &broken).await;
    worker.work_due().await.expect("the worker runs");
    (api, worker, broken)
}

/// Nectar's API is down through a whole episode: when it ends, the held entry is appended
/// without a link, before the recovery; once the API answers, the episode is closed with
/// nothing to revoke.
async fn an_episode_that_ends_before_its_link_is_told_without_one(h: &Harness) {
    let (api, worker, broken) = broken_while_nectar_is_down(h, invitations_on).await;
    let shown = episode(h, "c-1").await;
    assert_eq!(
        (shown["state"].as_str(), shown["failures"].as_i64()),
        (Some("wanted"), Some(1))
    );
    assert!(
        shown["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("503")),
        "{shown}"
    );

    let recovered = of_company("c-1", S::Connected, 2);
    change(h, "msg_3", Some(&broken), &recovered).await;
    assert_eq!(
        kinds(&h.notifications("c-1").await),
        [
            (Notification::EnteredCredentialError.into(), None),
            (Notification::Recovered.into(), None)
        ]
    );
    api.set_faults(Faults::default());
    worker
        .work_due_at(Timestamp::now() + SignedDuration::from_mins(10))
        .await
        .expect("the worker runs");
    assert_eq!(episode(h, "c-1").await["state"], "closed");
    assert!(api.invitations().is_empty());
    api.stop();
}

/// With `NECTAR_INVITATION_HOLD=0`, a failed first attempt appends the entry without a link;
/// the link follows in a reconnect_invitation entry once the API answers.
async fn the_entry_waits_for_its_link_no_longer_than_the_hold(h: &Harness) {
    let (api, worker, _) = broken_while_nectar_is_down(h, short_hold).await;
    assert_eq!(
        kinds(&h.notifications("c-1").await),
        [(Notification::EnteredCredentialError.into(), None)]
    );
    api.set_faults(Faults::default());
    worker
        .work_due_at(Timestamp::now() + SignedDuration::from_mins(10))
        .await
        .expect("the worker runs");
    let url = api.invitations()[0].invitation_url.clone();
    assert!(url.is_some());
    assert_eq!(
        kinds(&h.notifications("c-1").await),
        [
            (Notification::EnteredCredentialError.into(), None),
            (EntryKind::Action(ActionEntry::ReconnectInvitation), url)
        ]
    );
    api.stop();
}

/// An account detected and awaiting its decision is confirmed once, even when the
/// confirm's answer is lost; one decided by someone else first is not confirmed.
async fn detected_accounts_are_confirmed_once(h: &Harness) {
    let detected = |id: &str| AccountPayload {
        status: Some(Reported::Known(AccountStatus::Detected)),
        tracking_status: Some(Reported::Known(TrackingStatus::Unset)),
        ..serde_json::from_value(serde_json::json!({ "id": id })).expect("an account")
    };
    let before = of_company("c-1", S::Connected, 0);
    let after = ConnectionPayload {
        accounts: vec![detected("a-1")],
        ..of_company("c-1", S::Connected, 1)
    };
    let other_before = of_company("c-2", S::Connected, 0);
    let other_after = ConnectionPayload {
        accounts: vec![detected("a-2")],
        ..of_company("c-2", S::Connected, 1)
    };
    let decided = ConnectionPayload {
        accounts: vec![AccountPayload {
            tracking_status: Some(Reported::Known(TrackingStatus::Enabled)),
            ..detected("a-2")
        }],
        ..other_after.clone()
    };
    let (api, worker) = nectar_and_worker(h, confirmations_on, &[&after, &decided]).await;
    for (n, (from, to)) in [(&before, &after), (&other_before, &other_after)]
        .into_iter()
        .enumerate()
    {
        change(h, &format!("msg_{n}a"), None, from).await;
        change(h, &format!("msg_{n}b"), Some(from), to).await;
    }
    api.fail_after_next_writes(1);
    worker.work_due().await.expect("the worker runs");
    assert_eq!(
        api.decisions(),
        [("c-1".to_owned(), true)],
        "confirmed once"
    );
    assert_eq!(api.stats().redundant_decisions, 0);
    assert_eq!(
        kinds(&h.notifications("c-1").await),
        [
            (Notification::AccountsDetected.into(), None),
            (EntryKind::Action(ActionEntry::AccountsConfirmed), None)
        ]
    );
    assert_eq!(
        kinds(&h.notifications("c-2").await),
        [
            (Notification::AccountsDetected.into(), None),
            (
                EntryKind::Action(ActionEntry::AccountsDecidedElsewhere),
                None
            )
        ]
    );
    // Done is done: a second round asks nothing.
    let requests = api.stats().requests;
    worker.work_due().await.expect("the worker runs");
    assert_eq!(api.stats().requests, requests);
    api.stop();
}
