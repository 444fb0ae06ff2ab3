//! SIGKILL during actions: 100 credential-error episodes (and 20 detections of accounts)
//! driven by signed deliveries and sweeps through the receiver binary, with reconnect
//! invitations and account confirmation on, while the binary is SIGKILLed at random moments
//! and restarted, and the double of Nectar's API loses a share of the answers to writes it
//! has done. Once Nectar is quiet: exactly one active reconnect invitation per open
//! episode, and it is the one recorded and linked from the last entry that carried a link;
//! none after a closed episode; every link an entry carried was an invitation of its
//! connection; no account confirmed twice.

use core::time::Duration;
use std::collections::BTreeMap;
use std::net::SocketAddr;

use nectar_lifecycle::webhook::{
    AccountPayload, Company, ConnectionPayload, Notification, Reported, nectar_events,
};
use nectar_lifecycle::{AccountStatus, ConnectionStatus as S, TrackingStatus};
use nectar_receiver::{ActionEntry, Engine, EntryKind, Store};

use crate::sigkill::Receiver;
use crate::support::load::seed;
use crate::support::nectar_api::{LostAnswers, NectarApi, Step};
use crate::support::{SECRET, TestDb, client, connection};

const COMPANY: &str = "co";
const EPISODES: usize = 100;
const DETECTIONS: usize = 20;

/// Both actions on, with a lease and a backoff short enough for a test.
const ACTIONS_ON: [(&str, &str); 4] = [
    ("NECTAR_RECONNECT_INVITATIONS", "on"),
    ("NECTAR_CONFIRM_ACCOUNTS", "on"),
    ("NECTAR_ACTION_LEASE", "2s"),
    ("NECTAR_ACTION_RETRY", "200ms"),
];

fn of_company(id: &str, status: S, minute: i64, detected: bool) -> ConnectionPayload {
    let accounts = if detected {
        vec![AccountPayload {
            status: Some(Reported::Known(AccountStatus::Detected)),
            tracking_status: Some(Reported::Known(TrackingStatus::Unset)),
            ..serde_json::from_value(serde_json::json!({ "id": format!("{id}-a") }))
                .expect("an account")
        }]
    } else {
        Vec::new()
    };
    ConnectionPayload {
        company: Some(Company {
            id: Some(COMPANY.to_owned()),
            ..Company::default()
        }),
        accounts,
        ..connection(id, status, minute)
    }
}

/// One connection's plan: it enters a credential error at minute 1 (told by webhook, or
/// only seen by a sweep), and recovers at minute 2 or stays broken.
struct Plan {
    id: String,
    by_webhook: bool,
    recovers: bool,
}

/// Delivers the events of `before` to `after` to `url` as Svix would, retrying until a 2xx
/// (the receiver may be dead for a while).
async fn deliver(
    http: &reqwest::Client,
    url: &str,
    prefix: &str,
    before: Option<&ConnectionPayload>,
    after: &ConnectionPayload,
) {
    let secret: nectar_lifecycle::verify::WebhookSecret = SECRET.parse().expect("a secret");
    for (n, webhook) in nectar_events(before, after).iter().enumerate() {
        let body = serde_json::to_vec(webhook).expect("serializes");
        let svix_id = format!("{prefix}.{n}");
        for _ in 0..200 {
            let headers = secret.sign(&svix_id, jiff::Timestamp::now(), &body);
            let mut request = http
                .post(url)
                .header("content-type", "application/json")
                .body(body.clone());
            for (name, value) in headers.iter() {
                request = request.header(name, value);
            }
            if let Ok(answer) = request.send().await
                && answer.status().is_success()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn killed_while_acting(engine: Engine) {
    let _shared = crate::POSTGRES.read().await;
    let Some(db) = TestDb::create(engine).await else {
        return;
    };
    let mut rng = fastrand::Rng::with_seed(seed());
    let api = NectarApi::start().await;
    let plans: Vec<Plan> = (0..EPISODES)
        .map(|i| Plan {
            id: format!("c-{i:03}"),
            by_webhook: rng.bool(),
            recovers: rng.bool(),
        })
        .collect();
    for plan in &plans {
        api.put(COMPANY, of_company(&plan.id, S::Connected, 0, false));
    }
    let detected: Vec<String> = (0..DETECTIONS).map(|i| format!("d-{i:03}")).collect();
    for id in &detected {
        api.put(COMPANY, of_company(id, S::Connected, 0, false));
    }
    api.set_lost_answers(LostAnswers {
        write_answers_lost_per_mille: 200,
        seed: seed(),
    });
    let sweeps = [
        ("NECTAR_COMPANY_IDS", COMPANY),
        ("NECTAR_SWEEP_INTERVAL", "2s"),
        ("NECTAR_SWEEP_LEASE", "2s"),
    ];
    let env = [&sweeps[..], &ACTIONS_ON[..]].concat();
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    let http = client();
    let mut receiver = Receiver::start_with(db.url(), api.addr, any_port, &env).await;
    let listen = receiver.addr();
    // Everything starts CONNECTED, as the first sweep records it.
    let store = db.open().await;
    let mut kills = 0;

    // Phase 1: the connections enter a credential error, the detections happen; the
    // receiver is killed at random moments meanwhile.
    for (round, phase) in ["enter", "leave"].into_iter().enumerate() {
        let minute = i64::try_from(round).expect("small") + 1;
        for (n, plan) in plans.iter().enumerate() {
            let (status, before_status) = match phase {
                "enter" => (S::PasswordIncorrect, S::Connected),
                _ if plan.recovers => (S::Connected, S::PasswordIncorrect),
                _ => continue,
            };
            let before = of_company(&plan.id, before_status, minute - 1, false);
            let after = of_company(&plan.id, status, minute, false);
            api.put(COMPANY, after.clone());
            if plan.by_webhook {
                deliver(
                    &http,
                    &receiver.webhook_url(),
                    &format!("{}-{phase}", plan.id),
                    Some(&before),
                    &after,
                )
                .await;
            }
            if n % 10 == 9 {
                tokio::time::sleep(Duration::from_millis(rng.u64(50..400))).await;
            }
            if rng.u32(0..25) == 0 {
                receiver.kill().await;
                kills += 1;
                receiver = Receiver::start_with(db.url(), api.addr, listen, &env).await;
            }
        }
        if phase == "enter" {
            for (n, id) in detected.iter().enumerate() {
                let before = of_company(id, S::Connected, 0, false);
                let after = of_company(id, S::Connected, 1, true);
                api.put(COMPANY, after.clone());
                if n % 2 == 0 {
                    deliver(
                        &http,
                        &receiver.webhook_url(),
                        &format!("{id}-d"),
                        Some(&before),
                        &after,
                    )
                    .await;
                }
            }
        }
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(rng.u64(200..1500))).await;
            receiver.kill().await;
            kills += 1;
            receiver = Receiver::start_with(db.url(), api.addr, listen, &env).await;
        }
    }

    // Nectar is quiet and keeps every answer: wait for the receiver to converge.
    api.set_lost_answers(LostAnswers::default());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let pending = unsettled(&store, &api, &plans, &detected).await;
        if pending.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not converged within 60 s: {pending:#?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    receiver.kill().await;

    // Every link an entry carried was an invitation of its connection.
    let invitations: BTreeMap<String, String> = api
        .invitations()
        .into_iter()
        .map(|i| (i.id, i.connection_id.unwrap_or_default()))
        .collect();
    let mut linked = 0;
    let mut unlinked = 0;
    for plan in &plans {
        let outbox = store.notifications(&plan.id).await.expect("outbox");
        for entry in &outbox {
            match &entry.invitation {
                Some(link) => {
                    linked += 1;
                    assert_eq!(invitations.get(&link.id), Some(&plan.id), "{entry:?}");
                }
                None if entry.notification == Notification::EnteredCredentialError => {
                    unlinked += 1;
                    assert!(
                        plan.recovers,
                        "an open episode's entry waits for its link: {outbox:?}"
                    );
                }
                None => {}
            }
        }
        let told = outbox
            .iter()
            .filter(|e| e.notification == Notification::EnteredCredentialError)
            .count();
        assert_eq!(told, 1, "{}: told once: {outbox:?}", plan.id);
    }
    assert!(
        api.confirmed_twice().is_empty(),
        "{:?}",
        api.confirmed_twice()
    );
    let stats = api.stats();
    assert_eq!(stats.redundant_decisions, 0);
    eprintln!(
        "{engine}: {EPISODES} episodes ({} closed), {DETECTIONS} detections, {kills} SIGKILLs; \
         {} invitations created, {} revoked, {} write answers lost; entries with a link \
         {linked}, entered_credential_error without one {unlinked} (episodes that ended first)",
        plans.iter().filter(|p| p.recovers).count(),
        stats.invitations_created,
        stats.invitations_revoked,
        stats.answers_lost,
    );
    store.close().await;
    api.stop();
    db.remove().await;
}

/// What is not yet as it must end, by connection: `[]` once every open episode has its one
/// active invitation (recorded, and linked from the last entry with a link), every closed
/// one none, and every detection its outcome entry.
async fn unsettled(
    store: &Store,
    api: &NectarApi,
    plans: &[Plan],
    detected: &[String],
) -> Vec<String> {
    let mut pending = Vec::new();
    for plan in plans {
        let active = api.active_reconnects(&plan.id);
        let view = store.record_view(&plan.id).await.ok().flatten();
        let episode = view.as_ref().and_then(|v| v.invitation.clone());
        let outbox = store.notifications(&plan.id).await.unwrap_or_default();
        let last_link = outbox.iter().rev().find_map(|e| e.invitation.clone());
        let ok = if plan.recovers {
            active.is_empty() && episode.as_ref().is_some_and(|e| e.state == "closed")
        } else {
            active.len() == 1
                && episode.as_ref().is_some_and(|e| {
                    e.state == "active" && e.id.as_deref() == Some(active[0].id.as_str())
                })
                && last_link.is_some_and(|l| l.id == active[0].id)
        };
        if !ok {
            pending.push(format!(
                "{}: {} active, episode {episode:?}",
                plan.id,
                active.len()
            ));
        }
    }
    for id in detected {
        let outbox = store.notifications(id).await.unwrap_or_default();
        let decided = outbox
            .iter()
            .any(|e| e.notification == EntryKind::Action(ActionEntry::AccountsConfirmed));
        if !decided {
            pending.push(format!("{id}: not confirmed: {outbox:?}"));
        }
    }
    pending
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    killed_while_acting(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    killed_while_acting(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_crash_point_sqlite() {
    each_crash_point(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_crash_point_postgres() {
    each_crash_point(Engine::Postgres).await;
}

/// Waits up to 30 s for `check` to hold.
async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The newest episode's state of `id`, and its recorded invitation.
async fn episode_of(store: &Store, id: &str) -> Option<(String, Option<String>)> {
    let view = store.record_view(id).await.ok().flatten()?;
    view.invitation.map(|e| (e.state, e.id))
}

/// The receiver killed at each point of the protocol where a call was done (or read) and
/// its result not yet recorded, then restarted: each time it ends as if it had not been
/// killed (one invitation per open episode, none after, each account confirmed once).
async fn each_crash_point(engine: Engine) {
    let _shared = crate::POSTGRES.read().await;
    let Some(db) = TestDb::create(engine).await else {
        return;
    };
    let api = NectarApi::start().await;
    let env = ACTIONS_ON;
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    let http = client();
    let mut receiver = Receiver::start_with(db.url(), api.addr, any_port, &env).await;
    let listen = receiver.addr();
    let store = db.open().await;
    let mut report = Vec::new();

    // Kills the receiver once `step` of the next request is done, then restarts it.
    macro_rules! kill_at {
        ($step:expr, $during:block) => {{
            let pause = api.pause_after($step);
            $during
            tokio::time::timeout(Duration::from_secs(30), pause.reached.notified())
                .await
                .expect("the step is reached");
            receiver.kill().await;
            pause.release.notify_one();
            receiver = Receiver::start_with(db.url(), api.addr, listen, &env).await;
        }};
    }
    let broken = |id: &str| of_company(id, S::PasswordIncorrect, 1, false);
    let fixed = |id: &str| of_company(id, S::Connected, 2, false);
    let enter = async |id: &str, url: &str| {
        api.put(COMPANY, broken(id));
        let before = of_company(id, S::Connected, 0, false);
        deliver(&http, url, &format!("{id}-0"), None, &before).await;
        deliver(&http, url, &format!("{id}-1"), Some(&before), &broken(id)).await;
    };
    let leave = async |id: &str, url: &str| {
        api.put(COMPANY, fixed(id));
        deliver(
            &http,
            url,
            &format!("{id}-2"),
            Some(&broken(id)),
            &fixed(id),
        )
        .await;
    };
    let active_recorded = async |store: &Store, api: &NectarApi, id: &str| {
        let active = api.active_reconnects(id);
        let episode = episode_of(store, id).await;
        active.len() == 1 && episode == Some(("active".to_owned(), Some(active[0].id.clone())))
    };
    let closed = async |store: &Store, api: &NectarApi, id: &str| {
        api.active_reconnects(id).is_empty()
            && episode_of(store, id)
                .await
                .is_some_and(|(state, _)| state == "closed")
    };

    // 1. The intent is recorded; killed while the first look's answer is on its way.
    let url = receiver.webhook_url();
    kill_at!(Step::List, {
        enter("k-1", &url).await;
    });
    until("k-1 active", async || {
        active_recorded(&store, &api, "k-1").await
    })
    .await;
    assert_eq!(api.invitations_of("k-1").len(), 1);
    report.push("after the intent, during the look: looked again, created one");

    // 2. The create is done at Nectar; killed before its answer is recorded.
    let url = receiver.webhook_url();
    kill_at!(Step::Create, {
        enter("k-2", &url).await;
    });
    until("k-2 active", async || {
        active_recorded(&store, &api, "k-2").await
    })
    .await;
    assert_eq!(
        api.invitations_of("k-2").len(),
        1,
        "adopted, not created again"
    );
    report.push("create done, answer not recorded: adopted after the restart, none created again");

    // 3. The revoke is done at Nectar; killed before the episode is recorded closed.
    let url = receiver.webhook_url();
    kill_at!(Step::Revoke, {
        leave("k-2", &url).await;
    });
    until("k-2 closed", async || closed(&store, &api, "k-2").await).await;
    report.push("revoke done, not recorded: looked again, nothing active, closed");

    // 4. The episode ends while its create is in flight, and the receiver dies then.
    let url = receiver.webhook_url();
    kill_at!(Step::Create, {
        enter("k-3", &url).await;
        // The create is held while the recovery is delivered.
        let pause_seen = api.stats().invitations_created;
        until("k-3's create", async || {
            api.stats().invitations_created > pause_seen
        })
        .await;
        leave("k-3", &url).await;
    });
    until("k-3 closed", async || closed(&store, &api, "k-3").await).await;
    assert_eq!(api.invitations_of("k-3").len(), 1);
    report.push("episode ended during its create, then killed: the closing look revoked it");

    // 5. The closing look is answered; killed before the revoke.
    let url = receiver.webhook_url();
    enter("k-4", &url).await;
    until("k-4 active", async || {
        active_recorded(&store, &api, "k-4").await
    })
    .await;
    kill_at!(Step::List, {
        leave("k-4", &url).await;
    });
    until("k-4 closed", async || closed(&store, &api, "k-4").await).await;
    report.push("closing look answered, not acted on: looked again, revoked, closed");

    // 6. The confirm is done at Nectar; killed before its outcome is recorded.
    let url = receiver.webhook_url();
    kill_at!(Step::Decide, {
        let before = of_company("k-5", S::Connected, 0, false);
        let after = of_company("k-5", S::Connected, 1, true);
        api.put(COMPANY, after.clone());
        deliver(&http, &url, "k-5-0", None, &before).await;
        deliver(&http, &url, "k-5-1", Some(&before), &after).await;
    });
    until("k-5 confirmed", async || {
        store
            .notifications("k-5")
            .await
            .unwrap_or_default()
            .iter()
            .any(|e| e.notification == EntryKind::Action(ActionEntry::AccountsConfirmed))
    })
    .await;
    assert_eq!(api.decisions().len(), 1, "confirmed once");
    assert!(api.confirmed_twice().is_empty());
    report.push("confirm done, outcome not recorded: looked, nothing awaits, recorded confirmed");

    receiver.kill().await;
    for line in &report {
        eprintln!("{engine}: {line}");
    }
    store.close().await;
    api.stop();
    db.remove().await;
}
