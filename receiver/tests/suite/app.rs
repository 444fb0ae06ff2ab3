//! The double of the integrator's app (`support/app.rs`) checked on its own: messages signed
//! by the library are accepted and recorded verified, forged, tampered, stale and unsigned
//! ones are 401, faults come at their seeded rates, a slow answer outlasts a pusher's
//! timeout yet counts as received, going down refuses connections and coming back serves on
//! the same port, requests in flight are counted, and the record keeps arrival order. Each
//! expected value is computed here from what was sent and what the client saw, not read
//! from the double.

use core::time::Duration;
use std::collections::BTreeSet;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::verify::WebhookSecret;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::support::app::{AppDouble, AppFaults, AppStats, HOOK_PATH, MAX_BODY};
use crate::support::{FOREIGN_SECRET, SECRET, bounded, client};

/// How long a wait for the double's state may take in these tests.
const WAIT: Duration = Duration::from_secs(10);

/// The body of notification `n` of `connection`, as the receiver pushes it.
fn message(n: u64, connection: &str, sequence: i64) -> Vec<u8> {
    let body = json!({
        "type": "nectar.connection.PASSWORD_INCORRECT",
        "timestamp": "2026-11-25T09:10:00Z",
        "data": {
            "id": format!("ntf_{n}"),
            "connectionId": connection,
            "sequence": sequence,
            "status": "PASSWORD_INCORRECT",
        },
    });
    serde_json::to_vec(&body).expect("a JSON body")
}

/// Headers as `(name, value)` pairs.
type Headers = Vec<(&'static str, String)>;

/// The Standard Webhooks headers of `body` as message `id`, signed by `secret` at `at`.
fn signed(secret: &str, id: &str, at: Timestamp, body: &[u8]) -> Headers {
    let secret: WebhookSecret = secret.parse().expect("a test secret");
    secret.sign(id, at, body).iter_webhook().collect()
}

/// Posts `body` with `headers` to `url`, giving up after `timeout`; the status.
async fn post_within(
    http: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    headers: &[(&str, String)],
    timeout: Duration,
) -> Result<u16, reqwest::Error> {
    let mut request = http
        .post(url)
        .timeout(timeout)
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    response.bytes().await?;
    Ok(status)
}

/// Posts `body` with `headers` to `url`; the status.
async fn post(http: &reqwest::Client, url: &str, body: Vec<u8>, headers: &[(&str, String)]) -> u16 {
    post_within(http, url, body, headers, Duration::from_secs(20))
        .await
        .expect("the app's double answers")
}

/// Pushes notification `n` of `connection` (message `ntf_{n}`), signed now with the app's
/// secret; the status.
async fn push(http: &reqwest::Client, app: &AppDouble, n: u64, connection: &str) -> u16 {
    let body = message(n, connection, i64::try_from(n).expect("a small n"));
    let headers = signed(SECRET, &format!("ntf_{n}"), Timestamp::now(), &body);
    post(http, &app.url(), body, &headers).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_signed_by_the_library_is_accepted_and_recorded_verified() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        assert_eq!(
            app.url(),
            format!("http://127.0.0.1:{}/hooks/nectar", app.addr.port())
        );
        let body = message(7, "conn-1", 3);
        let at = Timestamp::now();
        let headers = signed(SECRET, "ntf_7", at, &body);
        assert_eq!(post(&http, &app.url(), body.clone(), &headers).await, 200);

        let received = app.received();
        assert_eq!(received.len(), 1);
        let r = &received[0];
        assert!(r.verified);
        assert_eq!((r.status, r.slow), (200, false));
        assert_eq!(r.webhook_id, "ntf_7");
        assert_eq!(r.timestamp, at.as_second().to_string());
        let sent: Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(r.body, sent);
        assert_eq!(r.connection_id.as_deref(), Some("conn-1"));
        assert_eq!(r.sequence, Some(3));
        assert_eq!(app.accepted().len(), 1);
        assert_eq!(
            app.stats(),
            AppStats {
                requests: 1,
                accepted: 1,
                max_in_flight: 1,
                ..AppStats::default()
            }
        );

        // Under Svix's names too (the verifier reads both), and within the tolerance.
        let body = message(8, "conn-1", 4);
        let at = Timestamp::now() - SignedDuration::from_mins(4);
        let secret: WebhookSecret = SECRET.parse().expect("a test secret");
        let svix: Vec<_> = secret.sign("ntf_8", at, &body).iter().collect();
        assert_eq!(post(&http, &app.url(), body, &svix).await, 200);
        let last = app.received().pop().expect("a second message");
        assert!(last.verified);
        assert_eq!(last.webhook_id, "ntf_8");
        app.stop();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_tampered_stale_and_unsigned_messages_are_401_and_unverified() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        let body = message(1, "conn-1", 1);
        let now = Timestamp::now();

        let forged = signed(FOREIGN_SECRET, "ntf_1", now, &body);
        let mut tampered_body = body.clone();
        let at = tampered_body
            .iter()
            .position(|&b| b == b'1')
            .expect("a digit");
        tampered_body[at] = b'2';
        let genuine = signed(SECRET, "ntf_1", now, &body);
        let stale_at = now - SignedDuration::from_mins(6);
        let stale = signed(SECRET, "ntf_1", stale_at, &body);
        let future = signed(SECRET, "ntf_1", now + SignedDuration::from_mins(6), &body);
        let other_id: Vec<_> = genuine
            .iter()
            .map(|(name, value)| {
                let value = if *name == "webhook-id" {
                    "ntf_2".to_owned()
                } else {
                    value.clone()
                };
                (*name, value)
            })
            .collect();
        let cases: Vec<(&str, Vec<u8>, Headers)> = vec![
            ("signed with another secret", body.clone(), forged),
            ("body changed after signing", tampered_body, genuine.clone()),
            ("id changed after signing", body.clone(), other_id),
            ("six minutes old", body.clone(), stale),
            ("six minutes ahead", body.clone(), future),
            ("no signature", body.clone(), genuine[..2].to_vec()),
            ("no headers", body.clone(), Vec::new()),
        ];
        for (what, body, headers) in &cases {
            let status = post(&http, &app.url(), body.clone(), headers).await;
            assert_eq!(status, 401, "{what}");
        }
        let received = app.received();
        assert_eq!(received.len(), cases.len());
        for (r, (what, _, _)) in received.iter().zip(&cases) {
            assert!(!r.verified, "{what}");
            assert_eq!(r.status, 401, "{what}");
        }
        assert_eq!(received[1].webhook_id, "ntf_1");
        assert_eq!(received[2].webhook_id, "ntf_2");
        assert_eq!(received[3].timestamp, stale_at.as_second().to_string());
        assert_eq!(received[6].webhook_id, "");
        assert!(app.accepted().is_empty());
        let n = cases.len() as u64;
        assert_eq!(
            app.stats(),
            AppStats {
                requests: n,
                unverified: n,
                max_in_flight: 1,
                ..AppStats::default()
            }
        );
        app.stop();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_paths_methods_and_bodies_over_the_bound_are_refused_unrecorded() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        let base = format!("http://{}", app.addr);
        let body = message(1, "conn-1", 1);
        let headers = signed(SECRET, "ntf_1", Timestamp::now(), &body);

        let other_path = format!("{base}/hooks/other");
        assert_eq!(post(&http, &other_path, body.clone(), &headers).await, 404);
        let get = http
            .get(app.url())
            .send()
            .await
            .expect("the app's double answers");
        assert_eq!(get.status().as_u16(), 405);
        let large = vec![b' '; MAX_BODY + 1];
        let headers_large = signed(SECRET, "ntf_2", Timestamp::now(), &large);
        assert_eq!(post(&http, &app.url(), large, &headers_large).await, 413);
        // At the bound itself, the body is read (and, not being JSON, recorded as null).
        let at_bound = vec![b' '; MAX_BODY];
        let headers_bound = signed(SECRET, "ntf_3", Timestamp::now(), &at_bound);
        assert_eq!(post(&http, &app.url(), at_bound, &headers_bound).await, 200);

        let received = app.received();
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].webhook_id, "ntf_3");
        assert_eq!(received[0].body, Value::Null);
        assert_eq!(
            (received[0].connection_id.clone(), received[0].sequence),
            (None, None)
        );
        let stats = app.stats();
        assert_eq!((stats.requests, stats.accepted, stats.other), (1, 1, 3));
        assert_eq!(HOOK_PATH, "/hooks/nectar");
        app.stop();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_come_at_their_seeded_rates() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        let slow_for = Duration::from_millis(20);
        app.set_faults(AppFaults {
            error_per_mille: 200,
            slow_per_mille: 100,
            slow_for,
            seed: 42,
        });
        let total: u64 = 600;
        let mut seen = Vec::new();
        for n in 0..total {
            let started = Instant::now();
            let status = push(&http, &app, n, "conn-1").await;
            seen.push((status, started.elapsed()));
        }
        let errors = seen.iter().filter(|(status, _)| *status == 500).count() as u64;
        let oks = seen.iter().filter(|(status, _)| *status == 200).count() as u64;
        assert_eq!(errors + oks, total, "only 200 and 500: {seen:?}");
        // 20% and 10% of 600: a binomial's standard deviation is 9.8 and 7.3.
        assert!((90..=150).contains(&errors), "500s: {errors}");

        let received = app.received();
        assert_eq!(received.len() as u64, total);
        let mut slow = 0;
        for (r, (status, elapsed)) in received.iter().zip(&seen) {
            assert!(r.verified);
            assert_eq!(r.status, *status, "{}", r.webhook_id);
            if r.slow {
                slow += 1;
                assert_eq!(r.status, 200);
                assert!(*elapsed >= slow_for, "{}: {elapsed:?}", r.webhook_id);
            }
        }
        assert!((35..=85).contains(&slow), "slow answers: {slow}");
        let accepted: Vec<String> = app.accepted().into_iter().map(|r| r.webhook_id).collect();
        let expected: Vec<String> = received
            .iter()
            .filter(|r| r.status == 200 && !r.slow)
            .map(|r| r.webhook_id.clone())
            .collect();
        assert_eq!(accepted, expected);
        assert_eq!(accepted.len() as u64, oks - slow);
        let stats = app.stats();
        assert_eq!(
            (stats.requests, stats.accepted, stats.errors, stats.slow),
            (total, oks - slow, errors, slow)
        );
        assert_eq!(stats.unverified, 0);

        // All errors; then none, and no draw is taken from an unverified message.
        app.set_faults(AppFaults {
            error_per_mille: 1000,
            ..AppFaults::default()
        });
        for n in 0..10 {
            assert_eq!(push(&http, &app, 1000 + n, "conn-1").await, 500);
        }
        let body = message(2000, "conn-1", 1);
        let forged = signed(FOREIGN_SECRET, "ntf_2000", Timestamp::now(), &body);
        assert_eq!(post(&http, &app.url(), body, &forged).await, 401);
        app.set_faults(AppFaults::default());
        for n in 0..10 {
            assert_eq!(push(&http, &app, 3000 + n, "conn-1").await, 200);
        }
        app.stop();
    })
    .await;
}

/// The answers (status, slow) of `n` pushes recorded after `faults` are set.
async fn answers(
    http: &reqwest::Client,
    app: &AppDouble,
    faults: AppFaults,
    n: u64,
) -> Vec<(u16, bool)> {
    app.set_faults(faults);
    let before = app.received().len();
    for i in 0..n {
        push(http, app, i, "conn-1").await;
    }
    app.received()[before..]
        .iter()
        .map(|r| (r.status, r.slow))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_draws_the_same_faults() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        let faults = |seed| AppFaults {
            error_per_mille: 300,
            slow_per_mille: 300,
            slow_for: Duration::from_millis(1),
            seed,
        };
        let first = answers(&http, &app, faults(7), 150).await;
        let again = answers(&http, &app, faults(7), 150).await;
        let other = answers(&http, &app, faults(8), 150).await;
        assert_eq!(first, again);
        assert_ne!(first, other);
        for answer in [(200, false), (200, true), (500, false)] {
            assert!(first.contains(&answer), "{answer:?} in {first:?}");
        }
        app.stop();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_outlasts_the_pushers_timeout_and_still_counts_as_received() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        app.set_faults(AppFaults {
            slow_per_mille: 1000,
            slow_for: Duration::from_secs(10),
            ..AppFaults::default()
        });
        let body = message(1, "conn-1", 1);
        let headers = signed(SECRET, "ntf_1", Timestamp::now(), &body);
        let started = Instant::now();
        let timeout = Duration::from_millis(300);
        let outcome = post_within(&http, &app.url(), body, &headers, timeout).await;
        let err = outcome.expect_err("the pusher gives up first");
        assert!(err.is_timeout(), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));

        let received = app.received();
        assert_eq!(received.len(), 1);
        assert!(received[0].verified);
        assert_eq!((received[0].status, received[0].slow), (200, true));
        assert!(app.accepted().is_empty());
        // The client gone, the answer is no longer in flight.
        assert!(app.wait_until(WAIT, |app| app.stats().in_flight == 0).await);
        let stats = app.stats();
        assert_eq!((stats.requests, stats.slow, stats.accepted), (1, 1, 0));
        app.stop();
    })
    .await;
}

/// Whether a TCP connection to `addr` is refused.
async fn refused(addr: std::net::SocketAddr) -> bool {
    match tokio::time::timeout(WAIT, tokio::net::TcpStream::connect(addr)).await {
        Ok(Err(err)) => err.kind() == std::io::ErrorKind::ConnectionRefused,
        Ok(Ok(_)) | Err(_) => false,
    }
}

/// Whether TCP connections to `addr` are refused within [`WAIT`].
async fn refused_soon(addr: std::net::SocketAddr) -> bool {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if refused(addr).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn going_down_refuses_connections_and_coming_back_serves_on_the_same_port() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        let addr = app.addr;
        assert_eq!(push(&http, &app, 1, "conn-1").await, 200);

        app.go_down().await;
        app.go_down().await;
        assert!(app.is_down());
        assert!(refused(addr).await, "nothing listens on {addr}");
        // A fresh client has no connection to reuse: it cannot connect.
        let fresh = client();
        let body = message(2, "conn-1", 2);
        let headers = signed(SECRET, "ntf_2", Timestamp::now(), &body);
        let err = post_within(&fresh, &app.url(), body.clone(), &headers, WAIT)
            .await
            .expect_err("refused");
        assert!(err.is_connect(), "{err}");
        // The first client's idle connection is closed or refused with a 503: either way,
        // not delivered.
        let mut refused_answers = 0;
        for _ in 0..3 {
            match post_within(&http, &app.url(), body.clone(), &headers, WAIT).await {
                Ok(503) => refused_answers += 1,
                Ok(other) => panic!("answered {other} while down"),
                Err(_) => {}
            }
        }
        assert_eq!(app.received().len(), 1, "nothing recorded while down");
        assert_eq!(app.stats().refused_while_down, refused_answers);

        app.come_back().await;
        app.come_back().await;
        assert!(!app.is_down());
        assert_eq!(app.addr, addr);
        assert_eq!(push(&http, &app, 2, "conn-1").await, 200);
        assert_eq!(push(&fresh, &app, 3, "conn-1").await, 200);
        let ids: Vec<String> = app.received().into_iter().map(|r| r.webhook_id).collect();
        assert_eq!(ids, ["ntf_1", "ntf_2", "ntf_3"]);

        // Down and back again, twice over.
        for round in 0..2 {
            app.go_down().await;
            assert!(refused(addr).await, "round {round}");
            app.come_back().await;
            assert_eq!(push(&fresh, &app, 10 + round, "conn-2").await, 200);
        }
        assert_eq!(app.accepted().len(), 5);

        // Stopped, it closes its listener a moment later and does not come back.
        app.stop();
        assert!(app.is_down());
        assert!(refused_soon(addr).await, "stopped");
        app.come_back().await;
        assert!(app.is_down());
        assert!(refused(addr).await, "a stopped double does not come back");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn going_down_ends_a_slow_answer_in_flight() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        app.set_faults(AppFaults {
            slow_per_mille: 1000,
            slow_for: Duration::from_secs(20),
            ..AppFaults::default()
        });
        let body = message(1, "conn-1", 1);
        let headers = signed(SECRET, "ntf_1", Timestamp::now(), &body);
        let url = app.url();
        let pending = {
            let http = http.clone();
            tokio::spawn(async move {
                post_within(&http, &url, body, &headers, Duration::from_secs(25)).await
            })
        };
        assert!(app.wait_until(WAIT, |app| app.stats().in_flight == 1).await);
        let started = Instant::now();
        app.go_down().await;
        let outcome = tokio::time::timeout(WAIT, pending)
            .await
            .expect("the answer in flight ends with the double")
            .expect("the request task");
        assert!(started.elapsed() < Duration::from_secs(5));
        match outcome {
            Ok(status) => assert_eq!(status, 503),
            Err(err) => assert!(!err.is_timeout(), "{err}"),
        }
        let received = app.received();
        assert_eq!((received.len(), received[0].slow), (1, true));
        assert!(app.accepted().is_empty());
        app.stop();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_in_flight_counts_overlapping_slow_answers() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        for n in 0..5 {
            assert_eq!(push(&http, &app, n, "conn-1").await, 200);
        }
        assert_eq!(app.stats().max_in_flight, 1, "one at a time");

        app.set_faults(AppFaults {
            slow_per_mille: 1000,
            slow_for: Duration::from_secs(30),
            ..AppFaults::default()
        });
        let overlapping: u64 = 6;
        let mut pushes = JoinSet::new();
        for n in 0..overlapping {
            let http = http.clone();
            let url = app.url();
            pushes.spawn(async move {
                let body = message(100 + n, &format!("conn-{n}"), 1);
                let headers = signed(SECRET, &format!("ntf_{}", 100 + n), Timestamp::now(), &body);
                post_within(&http, &url, body, &headers, Duration::from_secs(40)).await
            });
        }
        assert!(
            app.wait_until(WAIT, |app| app.stats().in_flight == overlapping)
                .await,
            "{:?}",
            app.stats()
        );
        assert_eq!(app.stats().max_in_flight, overlapping);
        // The pushers give up: nothing is in flight any more, and the most stays.
        pushes.abort_all();
        while pushes.join_next().await.is_some() {}
        assert!(
            app.wait_until(WAIT, |app| app.stats().in_flight == 0).await,
            "{:?}",
            app.stats()
        );
        app.set_faults(AppFaults::default());
        assert_eq!(push(&http, &app, 200, "conn-1").await, 200);
        let stats = app.stats();
        assert_eq!(stats.max_in_flight, overlapping);
        assert_eq!((stats.slow, stats.accepted), (overlapping, 5 + 1));
        app.stop();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn received_keeps_arrival_order_duplicates_included() {
    bounded(async {
        let http = client();
        let app = AppDouble::start(SECRET).await;
        // Three connections interleaved, each in its own sequence, one message sent twice.
        let mut sent = Vec::new();
        let mut sequences = [0_i64; 3];
        for n in 0..30_u64 {
            let c = usize::try_from(n * 7 % 3).expect("a small index");
            sequences[c] += 1;
            sent.push((format!("ntf_{n}"), format!("conn-{c}"), sequences[c]));
        }
        sent.insert(10, sent[9].clone());
        for (id, connection, sequence) in &sent {
            let body = message(0, connection, *sequence);
            let headers = signed(SECRET, id, Timestamp::now(), &body);
            assert_eq!(post(&http, &app.url(), body, &headers).await, 200);
        }
        let got: Vec<(String, String, i64)> = app
            .received()
            .into_iter()
            .map(|r| {
                (
                    r.webhook_id,
                    r.connection_id.expect("a connection id"),
                    r.sequence.expect("a sequence"),
                )
            })
            .collect();
        assert_eq!(got, sent);

        // At once: each recorded once, the record ordered by the time of arrival.
        let mut pushes = JoinSet::new();
        for n in 100..120_u64 {
            let http = http.clone();
            let url = app.url();
            pushes.spawn(async move {
                let body = message(n, "conn-9", 1);
                let headers = signed(SECRET, &format!("ntf_{n}"), Timestamp::now(), &body);
                post(&http, &url, body, &headers).await
            });
        }
        while let Some(status) = pushes.join_next().await {
            assert_eq!(status.expect("a push"), 200);
        }
        let received = app.received();
        let concurrent: BTreeSet<String> = received[sent.len()..]
            .iter()
            .map(|r| r.webhook_id.clone())
            .collect();
        let expected: BTreeSet<String> = (100..120).map(|n| format!("ntf_{n}")).collect();
        assert_eq!(concurrent, expected);
        assert_eq!(received.len(), sent.len() + 20);
        assert!(
            received.windows(2).all(|w| w[0].arrived <= w[1].arrived),
            "arrival order"
        );
        app.stop();
    })
    .await;
}
