//! SIGKILL mid-sweep: the receiver binary, on polling alone, killed while it sweeps a
//! company of 1,200 connections (three pages) that Nectar changes between pages; restarted
//! on the same database, it picks the sweep up again once the dead holder's lease ends, and
//! the records end exact with every credential error notified once.

use core::time::Duration;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::{Company, ConnectionPayload, Notification};
use nectar_receiver::{Engine, Store};
use tokio::sync::Notify;

use crate::sigkill::Receiver;
use crate::support::nectar_api::NectarApi;
use crate::support::{TestDb, connection};

const COMPANY: &str = "co";
const CONNECTIONS: usize = 1200;

fn listed(id: &str, status: S, minute: i64) -> ConnectionPayload {
    ConnectionPayload {
        company: Some(Company {
            id: Some(COMPANY.to_owned()),
            ..Company::default()
        }),
        ..connection(id, status, minute)
    }
}

/// Waits, up to `budget`, for a complete sweep of the company that started after `after`.
async fn swept_after(store: &Store, after: Timestamp, budget: Duration) {
    let deadline = tokio::time::Instant::now() + budget;
    loop {
        let sweeps = store.sweeps().await.unwrap_or_default();
        let done = sweeps.iter().any(|s| {
            s.company_id == COMPANY
                && s.leased_until.is_none()
                && s.last_completed_at.is_some()
                && s.started_at.is_some_and(|at| at > after)
        });
        if done {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no sweep completed after the restart: {sweeps:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn killed_mid_sweep(engine: Engine) {
    let _shared = crate::POSTGRES.read().await;
    let Some(db) = TestDb::create(engine).await else {
        return;
    };
    let api = NectarApi::start().await;
    for i in 0..CONNECTIONS {
        api.put(COMPANY, listed(&format!("c-{i:04}"), S::Connected, 0));
    }
    api.set_delay(Duration::from_millis(20));
    // While page 1 is read, 40 connections enter a credential error; once page 2 is asked
    // for, the test is told, and kills the receiver.
    let page_two = Arc::new(Notify::new());
    let told = Arc::new(AtomicBool::new(false));
    let broken: Arc<Mutex<Vec<String>>> = Arc::default();
    let (tell, changed) = (page_two.clone(), broken.clone());
    api.on_list_request(move |api, request| {
        if request.page == 1 && request.index == 0 {
            for i in (0..CONNECTIONS).step_by(30) {
                let id = format!("c-{i:04}");
                api.put(COMPANY, listed(&id, S::PasswordIncorrect, 5));
                changed
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(id);
            }
        }
        if request.page == 2 && !told.swap(true, Ordering::SeqCst) {
            tell.notify_one();
        }
    });
    let env = [
        ("NECTAR_WEBHOOK_SECRETS", ""),
        ("NECTAR_COMPANY_IDS", COMPANY),
        ("NECTAR_SWEEP_LEASE", "2s"),
    ];
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut receiver = Receiver::start_with(db.url(), api.addr, any_port, &env).await;
    tokio::time::timeout(Duration::from_secs(30), page_two.notified())
        .await
        .expect("the sweep reaches page 2 within 30 s");
    receiver.kill().await;
    let store = db.open().await;
    let killed = store.sweeps().await.expect("sweeps");
    assert!(
        killed
            .iter()
            .all(|s| s.leased_until.is_some() && s.last_completed_at.is_none()),
        "killed mid-sweep, holding its lease: {killed:#?}"
    );
    let restarted_at = Timestamp::now();
    let mut receiver = Receiver::start_with(db.url(), api.addr, any_port, &env).await;
    swept_after(&store, restarted_at, Duration::from_secs(45)).await;
    receiver.kill().await;

    for connection in api.connections(COMPANY) {
        let record = store.record(&connection.id).await.expect("readable");
        assert_eq!(record.map(|r| r.connection).as_ref(), Some(&connection));
        let outbox = store.notifications(&connection.id).await.expect("outbox");
        let sequences: Vec<i64> = outbox.iter().map(|e| e.sequence).collect();
        let expected: Vec<i64> = (1..=i64::try_from(outbox.len()).expect("small")).collect();
        assert_eq!(sequences, expected, "{}", connection.id);
        let errors = outbox
            .iter()
            .filter(|e| e.notification == Notification::EnteredCredentialError)
            .count();
        let is_broken = connection.status == S::PasswordIncorrect.into();
        assert_eq!(
            errors,
            usize::from(is_broken),
            "{}: {outbox:?}",
            connection.id
        );
    }
    let broken = broken.lock().unwrap_or_else(PoisonError::into_inner).len();
    eprintln!(
        "{engine}: killed at page 2 of the first sweep; after the restart {CONNECTIONS} records exact, {broken} credential errors notified once each; {:?}",
        api.stats()
    );
    store.close().await;
    api.stop();
    db.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    killed_mid_sweep(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    killed_mid_sweep(Engine::Postgres).await;
}
