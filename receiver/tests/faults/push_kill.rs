//! SIGKILL mid-push: the receiver binary pushing 200 entries to a double of the integrator's
//! app that answers each after 100 ms, killed once the app has seen 30 pushes, restarted on
//! the same database: every entry is taken by the app at least once, each `webhook-id`
//! always with the same entry, each connection's entries first taken in order, and every
//! entry ends delivered.

use core::time::Duration;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::Observation;
use nectar_receiver::{Engine, FeedCursor, Store};

use crate::sigkill::Receiver;
use crate::support::app::{AppDouble, AppFaults};
use crate::support::nectar_api::NectarApi;
use crate::support::{TestDb, history};

const APP_SECRET: &str = "whsec_dGhpcyBpcyB0aGUgYXBwJ3Mgc2VjcmV0IQ==";
const CONNECTIONS: usize = 40;
/// CONNECTED, then three credential errors with two recoveries between them: five entries
/// per connection.
const ENTRIES: usize = CONNECTIONS * 5;

async fn delivered(store: &Store) -> usize {
    let page = store.feed(FeedCursor::START, 1000).await.expect("the feed");
    page.entries
        .iter()
        .filter(|e| e.push.as_ref().is_some_and(|p| p.state == "delivered"))
        .count()
}

async fn killed_mid_push(engine: Engine) {
    let _shared = crate::POSTGRES.read().await;
    let Some(db) = TestDb::create(engine).await else {
        return;
    };
    // The entries, appended before the receiver starts.
    let store = db.open().await;
    for c in 0..CONNECTIONS {
        let states = history(
            &format!("conn-{c:02}"),
            [
                S::Connected,
                S::PasswordIncorrect,
                S::Connected,
                S::MfaTokenExpired,
                S::Connected,
                S::NewPasswordNeeded,
            ],
        );
        for state in &states {
            store
                .observe(Observation::Snapshot(state), Timestamp::now())
                .await
                .expect("recorded");
        }
    }
    let app = AppDouble::start(APP_SECRET).await;
    app.set_faults(AppFaults {
        slow_per_mille: 1000,
        slow_for: Duration::from_millis(100),
        ..AppFaults::default()
    });
    let nectar = NectarApi::start().await;
    let url = app.url();
    let env = [
        ("NOTIFY_URL", url.as_str()),
        ("NOTIFY_SECRET", APP_SECRET),
        (
            "NOTIFY_RETRY_SCHEDULE",
            "0s,100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s",
        ),
        ("NOTIFY_TIMEOUT", "1s"),
    ];
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut receiver = Receiver::start_with(db.url(), nectar.addr, any_port, &env).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app.stats().requests < 30 {
        assert!(tokio::time::Instant::now() < deadline, "pushes within 30 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    receiver.kill().await;
    let at_kill = delivered(&store).await;
    assert!(at_kill < ENTRIES, "killed mid-push: {at_kill} delivered");
    let mut receiver = Receiver::start_with(db.url(), nectar.addr, any_port, &env).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while delivered(&store).await < ENTRIES {
        assert!(
            tokio::time::Instant::now() < deadline,
            "every entry delivered within 40 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    receiver.kill().await;

    let received = app.received();
    assert!(
        received.iter().all(|r| r.verified),
        "every message verifies"
    );
    let mut entry_of: BTreeMap<String, (String, i64)> = BTreeMap::new();
    let mut first_taken: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for r in &received {
        let connection = r.connection_id.clone().expect("a connection");
        let sequence = r.sequence.expect("a sequence");
        let known = entry_of
            .entry(r.webhook_id.clone())
            .or_insert((connection.clone(), sequence));
        assert_eq!(*known, (connection.clone(), sequence), "{}", r.webhook_id);
        if r.status == 200 && taken.insert(r.webhook_id.clone()) {
            first_taken.entry(connection).or_default().push(sequence);
        }
    }
    assert_eq!(taken.len(), ENTRIES, "every entry taken");
    for (id, sequences) in &first_taken {
        assert_eq!(sequences, &[1, 2, 3, 4, 5], "{id}");
    }
    eprintln!(
        "{engine}: killed after {at_kill} of {ENTRIES} entries delivered; after the restart all \
         delivered, {} pushes for {ENTRIES} entries ({} repeated with the same webhook-id)",
        received.len(),
        received.len() - ENTRIES
    );
    store.close().await;
    app.stop();
    nectar.stop();
    db.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    killed_mid_push(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    killed_mid_push(Engine::Postgres).await;
}
