//! Sweeps: every connection of a company listed page by page from the double of Nectar's API
//! (`support::nectar_api`), which serves the documented envelope, answers a page past the
//! end with the last page, changes connections between page requests, and answers some
//! requests 429 (with `Retry-After`) or 503.
//!
//! Each scenario runs on SQLite and PostgreSQL (see `on_engine` below: PostgreSQL passes
//! without running only where `NECTAR_TEST_POSTGRES_URL` is unset, never in CI).

use core::num::NonZeroU32;
use core::time::Duration;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::{
    Company, ConnectionPayload, Notification, Observation, PageLimit, nectar_events,
};
use nectar_receiver::{
    Config, Engine, FetchError, NectarClient, Poller, PollerWake, Store, StoreOptions, SweepFailed,
    SweepReport, Sweeper,
};

use crate::support::nectar_api::{Faults, NectarApi};
use crate::support::{TestDb, connection, history, test_config};

/// Connection `id` of `company`, as Nectar holds it with `status` since `minute`.
fn listed(company: &str, id: &str, status: S, minute: i64) -> ConnectionPayload {
    ConnectionPayload {
        company: Some(Company {
            id: Some(company.to_owned()),
            ..Company::default()
        }),
        ..connection(id, status, minute)
    }
}

/// Nectar holds `n` connections of `company`, `{company}-{i}`, CONNECTED since minute 0.
fn seed(api: &NectarApi, company: &str, n: usize) {
    for i in 0..n {
        api.put(
            company,
            listed(company, &format!("{company}-{i}"), S::Connected, 0),
        );
    }
}

/// A database of `engine`, the double, and a configuration sweeping `companies` through it,
/// on polling alone (no webhook secret); `None` where the engine is not available.
async fn setup(engine: Engine, companies: &[&str]) -> Option<(TestDb, NectarApi, Config)> {
    let db = TestDb::create(engine).await?;
    let api = NectarApi::start().await;
    let mut config = test_config(&db, api.addr);
    config.webhook_secrets.clear();
    config.sweeping.companies = companies.iter().map(|c| (*c).to_owned()).collect();
    config.sweeping.check_every = Duration::from_millis(50);
    config.sweeping.lease = Duration::from_secs(5);
    config.sweeping.retry = Duration::from_millis(100);
    Some((db, api, config))
}

/// A sweeper on `store` for `config`, not running: the scenario calls
/// [`Sweeper::sweep_due`] itself.
fn sweeper(config: &Config, store: &Store) -> Sweeper {
    let client = NectarClient::new(config).expect("a client");
    Sweeper::new(config.sweeping.clone(), store.clone(), client)
}

/// Makes every company due now and sweeps them all once; the reports by company.
async fn sweep_now(
    sweeper: &Sweeper,
    store: &Store,
    config: &Config,
) -> BTreeMap<String, Result<SweepReport, SweepFailed>> {
    store
        .schedule_sweeps(&config.sweeping.companies, Timestamp::now())
        .await
        .expect("scheduled");
    sweeper
        .sweep_due()
        .await
        .expect("claimed")
        .into_iter()
        .collect()
}

/// The report of `company`'s sweep, which must have completed.
fn completed<'a>(
    reports: &'a BTreeMap<String, Result<SweepReport, SweepFailed>>,
    company: &str,
) -> &'a SweepReport {
    match reports.get(company) {
        Some(Ok(report)) => report,
        other => panic!("the sweep of {company} did not complete: {other:?}"),
    }
}

/// The notifications `id`'s outbox holds of `kind`.
async fn count(store: &Store, id: &str, kind: Notification) -> usize {
    store
        .notifications(id)
        .await
        .expect("the outbox")
        .iter()
        .filter(|e| e.notification == kind)
        .count()
}

/// Waits, within the test's budget, until each of the `companies` swept has completed a
/// sweep that started after `since`, and none is running (the sweep interval is an hour).
async fn swept_since(store: &Store, since: Timestamp, companies: usize) {
    loop {
        let sweeps = store.sweeps().await.expect("sweeps");
        let done = sweeps.len() == companies
            && sweeps.iter().all(|s| {
                s.leased_until.is_none()
                    && s.failures == 0
                    && s.last_completed_at.is_some()
                    && s.started_at.is_some_and(|at| at >= since)
            });
        if done {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every connection Nectar holds for `company` is stored exactly as Nectar holds it.
async fn assert_exact(store: &Store, api: &NectarApi, company: &str) -> usize {
    let truth = api.connections(company);
    for connection in &truth {
        let record = store.record(&connection.id).await.expect("readable");
        assert_eq!(
            record.map(|r| r.connection).as_ref(),
            Some(connection),
            "{}",
            connection.id
        );
    }
    truth.len()
}

macro_rules! on_both_engines {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::support::bounded(super::$scenario(nectar_receiver::Engine::Sqlite)).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::support::bounded(super::$scenario(nectar_receiver::Engine::Postgres)).await;
            }
        }
    )*};
}

on_both_engines!(
    a_polling_only_receiver_converges_over_pages_under_faults,
    the_in_flight_limit_holds_when_more_is_asked,
    unlisted_connections_are_kept_marked_and_cleared,
    a_credential_error_is_notified_once_whoever_sees_it_first,
    a_refused_key_stops_the_sweep_after_one_request,
    one_sweep_per_company_at_a_time,
    a_list_that_shrinks_ends_the_sweep_past_the_end,
    a_refused_key_stops_the_poll_round_after_one_request,
    rate_limits_and_outages_are_retried_no_sooner_than_asked,
);

/// The scenario: a receiver with no webhook secret, 1,220 connections of 12
/// companies over pages of 100, while Nectar changes connections between page requests
/// (credential errors, moves to the front, removals) and answers some requests 429 or 503.
/// Once Nectar is quiet, the sweep of the restarted receiver brings every record to
/// Nectar's state exactly (the one at start, under changes, is not required to); each
/// credential error is notified once; the removed connections are kept and marked; never
/// more than 10 requests were in flight.
async fn a_polling_only_receiver_converges_over_pages_under_faults(engine: Engine) {
    let small: Vec<String> = (0..11).map(|i| format!("small-{i:02}")).collect();
    let mut companies = vec!["big"];
    companies.extend(small.iter().map(String::as_str));
    let Some((db, api, mut config)) = setup(engine, &companies).await else {
        return;
    };
    config.sweeping.page_limit = PageLimit::new(100).expect("in range");
    seed(&api, "big", 1000);
    for company in &small {
        seed(&api, company, 20);
    }
    api.set_delay(Duration::from_millis(2));
    api.set_faults(Faults {
        rate_limited_per_mille: 50,
        retry_after_secs: 0,
        unavailable_per_mille: 50,
        seed: 19,
    });
    // Every request for a page of the big company changes it first: a credential error,
    // every third a move to the front, every fifth a removal (the pages shift).
    let removed: Arc<Mutex<Vec<String>>> = Arc::default();
    let gone = removed.clone();
    let changed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    api.on_list_request(move |api, request| {
        if request.company_id != "big" {
            return;
        }
        let n = changed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let minute = i64::try_from(n).expect("small") + 1;
        let broken = (n * 37) % 1000;
        api.put(
            "big",
            listed(
                "big",
                &format!("big-{broken}"),
                S::PasswordIncorrect,
                minute,
            ),
        );
        if n.is_multiple_of(3) {
            api.move_to_front(&format!("big-{}", (n * 101 + 500) % 1000));
        }
        if n.is_multiple_of(5) {
            let id = format!("big-{}", (n * 53 + 7) % 1000);
            api.remove(&id);
            gone.lock().unwrap_or_else(PoisonError::into_inner).push(id);
        }
    });

    // The sweep at start, while Nectar changes; then, Nectar quiet, a restart's sweep.
    let store = db.open_with(StoreOptions::from(&config)).await;
    let started = Timestamp::now();
    let running = nectar_receiver::start(&config, store.clone())
        .await
        .expect("the receiver starts");
    swept_since(&store, started, companies.len()).await;
    running.stop().await.expect("stops cleanly");
    api.clear_list_hook();
    let quiet = Timestamp::now();
    let running = nectar_receiver::start(&config, store.clone())
        .await
        .expect("the receiver restarts");
    swept_since(&store, quiet, companies.len()).await;
    running.stop().await.expect("stops cleanly");

    let mut total = 0;
    for company in &companies {
        total += assert_exact(&store, &api, company).await;
    }
    assert_eq!(
        total,
        1220 - removed.lock().unwrap_or_else(PoisonError::into_inner).len()
    );
    for connection in api.connections("big") {
        let errors = count(&store, &connection.id, Notification::EnteredCredentialError).await;
        let expected = usize::from(connection.status == S::PasswordIncorrect.into());
        assert_eq!(errors, expected, "{}", connection.id);
    }
    let removed = removed
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    assert!(removed.len() >= 2, "{removed:?}");
    // A connection removed before its page was first read was never stored; every one
    // that was is kept, and marked.
    let mut kept = 0;
    for id in &removed {
        if let Some(view) = store.record_view(id).await.expect("readable") {
            assert!(view.not_listed.is_some(), "{id} is kept and marked");
            kept += 1;
        }
    }
    assert!(
        kept > 0,
        "some removed connections were stored first: {removed:?}"
    );
    let stats = api.stats();
    assert!(stats.max_in_flight <= 10, "{stats:?}");
    assert!(stats.rate_limited > 0 && stats.unavailable > 0, "{stats:?}");
    store.close().await;
    api.stop();
    db.remove().await;
}

/// Twelve companies swept at once ask for twelve pages at once; a limit of 3 holds.
async fn the_in_flight_limit_holds_when_more_is_asked(engine: Engine) {
    let companies: Vec<String> = (0..12).map(|i| format!("co-{i:02}")).collect();
    let names: Vec<&str> = companies.iter().map(String::as_str).collect();
    let Some((db, api, mut config)) = setup(engine, &names).await else {
        return;
    };
    config.etiquette.max_in_flight = NonZeroU32::new(3).expect("non-zero");
    config.sweeping.page_limit = PageLimit::new(5).expect("in range");
    for company in &companies {
        seed(&api, company, 12);
    }
    api.set_delay(Duration::from_millis(20));
    let store = db.open_with(StoreOptions::from(&config)).await;
    let reports = sweep_now(&sweeper(&config, &store), &store, &config).await;
    for company in &companies {
        assert_eq!(completed(&reports, company).listed, 12);
        assert_exact(&store, &api, company).await;
    }
    let stats = api.stats();
    assert!(stats.max_in_flight <= 3, "{stats:?}");
    assert_eq!(stats.list_requests, 12 * 3, "{stats:?}");
    store.close().await;
    api.stop();
    db.remove().await;
}

/// A connection a complete sweep did not list is kept, marked with when it was last listed;
/// listed again, it loses the mark.
async fn unlisted_connections_are_kept_marked_and_cleared(engine: Engine) {
    let Some((db, api, config)) = setup(engine, &["co"]).await else {
        return;
    };
    seed(&api, "co", 3);
    let store = db.open_with(StoreOptions::from(&config)).await;
    let sweeper = sweeper(&config, &store);
    let first = sweep_now(&sweeper, &store, &config).await;
    assert_eq!(completed(&first, "co").not_listed, Vec::<String>::new());
    let gone = api.connections("co").remove(1);
    api.remove(&gone.id);

    let second = sweep_now(&sweeper, &store, &config).await;
    assert_eq!(completed(&second, "co").not_listed, [gone.id.as_str()]);
    let view = store
        .record_view(&gone.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(view.record.connection, gone);
    let mark = view.not_listed.expect("marked");
    assert!(mark.last_listed_at.is_some_and(|at| at <= mark.since));
    let json = serde_json::to_value(&view).expect("serializable");
    assert!(json["notListed"]["lastListedAt"].is_string(), "{json}");
    assert_eq!(json["connection"]["id"], gone.id.as_str());

    // A third sweep keeps the first time it was not listed.
    sweep_now(&sweeper, &store, &config).await;
    let again = store
        .record_view(&gone.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(again.not_listed.map(|m| m.since), Some(mark.since));

    api.put("co", ConnectionPayload { ..gone.clone() });
    let back = sweep_now(&sweeper, &store, &config).await;
    assert!(completed(&back, "co").not_listed.is_empty());
    let view = store
        .record_view(&gone.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(view.not_listed, None);
    let json = serde_json::to_value(&view).expect("serializable");
    assert!(json.get("notListed").is_none(), "{json}");
    store.close().await;
    api.stop();
    db.remove().await;
}

/// CONNECTED, then PASSWORD_INCORRECT: whether the webhook, a gap poll or a sweep sees the
/// change first, `entered_credential_error` is appended once.
async fn a_credential_error_is_notified_once_whoever_sees_it_first(engine: Engine) {
    let Some((db, api, config)) = setup(engine, &["co"]).await else {
        return;
    };
    let store = db.open_with(StoreOptions::from(&config)).await;
    let sweeper = sweeper(&config, &store);
    let errors = |id: &'static str| count(&store, id, Notification::EnteredCredentialError);
    for (id, webhook_first) in [("first-webhook", true), ("first-sweep", false)] {
        let connected = listed("co", id, S::Connected, 0);
        let broken = listed("co", id, S::PasswordIncorrect, 5);
        store
            .observe(Observation::Snapshot(&connected), Timestamp::now())
            .await
            .expect("stored");
        api.put("co", broken.clone());
        let deliveries = nectar_events(Some(&connected), &broken);
        let deliver = async |round: usize| {
            for (i, webhook) in deliveries.iter().enumerate() {
                let svix_id = format!("msg_{id}_{round}_{i}");
                let delivery = Observation::Delivery {
                    id: Some(&svix_id),
                    webhook,
                };
                store
                    .observe(delivery, Timestamp::now())
                    .await
                    .expect("recorded");
            }
        };
        if webhook_first {
            deliver(0).await;
            sweep_now(&sweeper, &store, &config).await;
        } else {
            sweep_now(&sweeper, &store, &config).await;
            deliver(0).await;
        }
        // And again: a redelivery, another sweep, a poll of the same state.
        deliver(1).await;
        sweep_now(&sweeper, &store, &config).await;
        store
            .observe(Observation::Snapshot(&broken), Timestamp::now())
            .await
            .expect("recorded");
        assert_eq!(errors(id).await, 1, "{id}");
        assert_eq!(
            store.record(id).await.expect("read").map(|r| r.connection),
            Some(broken)
        );
    }
    store.close().await;
    api.stop();
    db.remove().await;
}

/// A key Nectar refuses stops the sweep at its first request: not retried, recorded as
/// the sweep's failure, and tried again only after a backoff.
async fn a_refused_key_stops_the_sweep_after_one_request(engine: Engine) {
    let Some((db, api, mut config)) = setup(engine, &["co"]).await else {
        return;
    };
    config.sweeping.retry = Duration::from_secs(60);
    seed(&api, "co", 3);
    let store = db.open_with(StoreOptions::from(&config)).await;
    let sweeper = sweeper(&config, &store);
    for (round, status) in [401_u16, 403].into_iter().enumerate() {
        api.refuse_key(Some(status));
        let before = api.stats().requests;
        let reports = sweep_now(&sweeper, &store, &config).await;
        match reports.get("co") {
            Some(Err(SweepFailed::Fetch(FetchError::Refused { status: got }))) => {
                assert_eq!(*got, status);
            }
            other => panic!("{status}: {other:?}"),
        }
        assert_eq!(api.stats().requests - before, 1, "{status}: not retried");
        let state = store.sweeps().await.expect("sweeps").remove(0);
        assert_eq!(state.failures, i64::try_from(round).expect("small") + 1);
        assert!(
            state
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("refused")),
            "{state:?}"
        );
        assert!(state.due_at > Timestamp::now(), "backs off: {state:?}");
        // Not due: nothing more is asked for.
        let again = sweeper.sweep_due().await.expect("claims");
        assert!(again.is_empty(), "{again:?}");
    }
    api.refuse_key(None);
    let reports = sweep_now(&sweeper, &store, &config).await;
    assert_eq!(completed(&reports, "co").listed, 3);
    assert_eq!(store.sweeps().await.expect("sweeps")[0].failures, 0);
    store.close().await;
    api.stop();
    db.remove().await;
}

/// Two instances on one database: the sweep of a company is claimed by one at a time; once
/// the holder's lease ends, another takes it over and the old holder can neither renew nor
/// finish it.
async fn one_sweep_per_company_at_a_time(engine: Engine) {
    let Some((db, api, config)) = setup(engine, &["co"]).await else {
        return;
    };
    let one = db.open_with(StoreOptions::from(&config)).await;
    let two = db.open_with(StoreOptions::from(&config)).await;
    let now = Timestamp::now();
    one.schedule_sweeps(&config.sweeping.companies, now)
        .await
        .expect("scheduled");
    let lease = Duration::from_secs(30);
    let held = one
        .claim_sweep("co", now, lease)
        .await
        .expect("claims")
        .expect("due");
    assert_eq!(
        two.claim_sweep("co", now, lease).await.expect("claims"),
        None
    );
    // A restart makes the sweep due, but does not take it from its holder.
    two.schedule_sweeps(&config.sweeping.companies, now)
        .await
        .expect("scheduled");
    assert_eq!(
        two.claim_sweep("co", now, lease).await.expect("claims"),
        None
    );
    assert!(one.renew_sweep(&held, now, lease).await.expect("renews"));

    // The holder dies: past its lease, the other instance takes the sweep over.
    let later = now + jiff::SignedDuration::from_secs(31);
    let taken = two
        .claim_sweep("co", later, lease)
        .await
        .expect("claims")
        .expect("free");
    assert!(taken.claim > held.claim);
    assert!(!one.renew_sweep(&held, later, lease).await.expect("answers"));
    assert_eq!(
        one.finish_sweep(&held, 0, later, later)
            .await
            .expect("answers"),
        None
    );
    assert!(two.renew_sweep(&taken, later, lease).await.expect("renews"));
    assert_eq!(
        two.finish_sweep(&taken, 0, later, later)
            .await
            .expect("finishes"),
        Some(Vec::new())
    );
    one.close().await;
    two.close().await;
    api.stop();
    db.remove().await;
}

/// Five connections, two per page: while page 3 is asked for, two are removed, so page 3 is
/// past the end and Nectar answers page 2. The sweep takes it and ends: three requests, no
/// loop, every remaining connection listed.
async fn a_list_that_shrinks_ends_the_sweep_past_the_end(engine: Engine) {
    let Some((db, api, mut config)) = setup(engine, &["co"]).await else {
        return;
    };
    config.sweeping.page_limit = PageLimit::new(2).expect("in range");
    seed(&api, "co", 5);
    api.on_list_request(|api, request| {
        if request.page == 3 {
            api.remove("co-0");
            api.remove("co-1");
        }
    });
    let store = db.open_with(StoreOptions::from(&config)).await;
    let reports = sweep_now(&sweeper(&config, &store), &store, &config).await;
    let report = completed(&reports, "co");
    assert!(report.past_the_end, "{report:?}");
    assert_eq!((report.pages, report.listed), (3, 5), "{report:?}");
    assert_eq!(api.stats().list_requests, 3);
    assert_eq!(assert_exact(&store, &api, "co").await, 3);
    store.close().await;
    api.stop();
    db.remove().await;
}

/// Three gaps to poll and a key Nectar refuses: the poller's round stops at the first
/// refusal (one request, not three), the job notes why, and the others wait for the next
/// round; with the key accepted again, the next round closes all three.
async fn a_refused_key_stops_the_poll_round_after_one_request(engine: Engine) {
    let Some((db, api, config)) = setup(engine, &[]).await else {
        return;
    };
    let store = db.open_with(StoreOptions::from(&config)).await;
    for id in ["c1", "c2", "c3"] {
        let [pending, connected, broken] =
            history(id, [S::Pending, S::Connected, S::PasswordIncorrect]);
        api.put("co", broken.clone());
        store
            .observe(Observation::Snapshot(&pending), Timestamp::now())
            .await
            .expect("stored");
        let updated = nectar_events(Some(&connected), &broken).remove(0);
        let svix_id = format!("msg_{id}");
        let delivery = Observation::Delivery {
            id: Some(&svix_id),
            webhook: &updated,
        };
        let outcome = store
            .observe(delivery, Timestamp::now())
            .await
            .expect("recorded");
        assert!(outcome.poll_scheduled, "{id}: a gap");
    }
    let client = NectarClient::new(&config).expect("a client");
    let poller = Poller::new(config.polling, store.clone(), client, PollerWake::default());
    api.refuse_key(Some(401));
    assert_eq!(poller.poll_due().await.expect("polled"), 1);
    assert_eq!(api.stats().requests, 1);
    let jobs = store.poll_jobs().await.expect("jobs");
    assert_eq!(jobs.len(), 3);
    let noted: Vec<_> = jobs
        .iter()
        .filter_map(|j| j.last_error.as_deref())
        .collect();
    assert_eq!(noted.len(), 1, "{jobs:?}");
    assert!(noted[0].contains("refused"), "{noted:?}");

    api.refuse_key(None);
    tokio::time::sleep(Duration::from_millis(250)).await; // past the first backoff
    assert_eq!(poller.poll_due().await.expect("polled"), 3);
    assert!(store.poll_jobs().await.expect("jobs").is_empty());
    for id in ["c1", "c2", "c3"] {
        let status = store
            .record(id)
            .await
            .expect("read")
            .map(|r| r.connection.status);
        assert_eq!(status, Some(S::PasswordIncorrect.into()), "{id}");
    }
    store.close().await;
    api.stop();
    db.remove().await;
}

/// The first page is answered 429 with `Retry-After: 1`, the next attempt 503, the third
/// served: the sweep completes, and the second request came no sooner than the second the
/// 429 asked for (a lower bound the client's wait guarantees, whatever the machine's load).
async fn rate_limits_and_outages_are_retried_no_sooner_than_asked(engine: Engine) {
    let Some((db, api, mut config)) = setup(engine, &["co"]).await else {
        return;
    };
    // Wait as long as a Retry-After of 1 s asks.
    config.etiquette.max_backoff = Duration::from_secs(5);
    seed(&api, "co", 3);
    let arrivals: Arc<Mutex<Vec<tokio::time::Instant>>> = Arc::default();
    let seen = arrivals.clone();
    api.on_list_request(move |api, request| {
        seen.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tokio::time::Instant::now());
        // The fault is drawn after the hook: set the one this request gets.
        let (rate_limited, unavailable) = match request.index {
            0 => (1000, 0),
            1 => (0, 1000),
            _ => (0, 0),
        };
        api.set_faults(Faults {
            rate_limited_per_mille: rate_limited,
            retry_after_secs: 1,
            unavailable_per_mille: unavailable,
            seed: 1,
        });
    });
    let store = db.open_with(StoreOptions::from(&config)).await;
    let reports = sweep_now(&sweeper(&config, &store), &store, &config).await;
    assert_eq!(completed(&reports, "co").listed, 3);
    let stats = api.stats();
    assert_eq!(
        (stats.list_requests, stats.rate_limited, stats.unavailable),
        (3, 1, 1),
        "{stats:?}"
    );
    let arrivals = arrivals
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    assert!(
        arrivals[1].duration_since(arrivals[0]) >= Duration::from_secs(1),
        "the retry waited for Retry-After"
    );
    assert_exact(&store, &api, "co").await;
    store.close().await;
    api.stop();
    db.remove().await;
}
