//! `GET /notifications`: every entry of every connection, in commit order, exactly once,
//! while writers commit concurrently and a reader tails the feed; what each entry carries;
//! its cursor and limit.

use core::time::Duration;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::StatusCode;
use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::remediation::Actor;
use nectar_lifecycle::webhook::{Company, ConnectionPayload, Notification, Observation};
use nectar_receiver::{Engine, EntryKind, FeedCursor, FeedEntry, FeedPage, Store};

use crate::support::{Harness, eventually, history};

on_both_engines!(
    a_reader_tailing_the_feed_sees_every_entry_once_while_writers_commit,
    an_entry_carries_what_a_worker_needs,
    the_cursor_and_the_limit_are_checked,
);

/// Waits until the feed holds `n` entries. On PostgreSQL the feed is read only below the
/// oldest transaction still running in the whole cluster (other tests' included), so what
/// was just committed may show a moment later: it lags, it never skips.
async fn settled(store: &Store, n: usize) {
    eventually("the feed to settle", || async {
        let (entries, _) = drain(store, FeedCursor::START, 1000).await;
        (entries.len() >= n).then_some(())
    })
    .await;
}

/// Reads the whole feed after `after`, `limit` at a time.
async fn drain(store: &Store, mut after: FeedCursor, limit: u32) -> (Vec<FeedEntry>, FeedCursor) {
    let mut entries = Vec::new();
    loop {
        let FeedPage {
            entries: page,
            next,
        } = store.feed(after, limit).await.expect("a page");
        after = next.parse().expect("a cursor");
        if page.is_empty() {
            return (entries, after);
        }
        entries.extend(page);
    }
}

/// The entries the writers below append: 8 writers, 25 connections each, 2 entries each.
const ENTRIES: usize = 8 * 25 * 2;

/// Eight writers, each taking 25 connections through CONNECTED, PASSWORD_INCORRECT and back
/// (two entries each), in their own transactions and at once; a reader tails the feed 7
/// entries at a time the whole while. It must see each of the 400 entries exactly once, and
/// each connection's in its order.
async fn a_reader_tailing_the_feed_sees_every_entry_once_while_writers_commit(h: &Harness) {
    let writing = Arc::new(AtomicBool::new(true));
    let reader = {
        let (store, writing) = (h.store.clone(), writing.clone());
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut after = FeedCursor::START;
            // Until the writers are done and as many entries were seen as were written (a
            // transaction still open elsewhere may hold the last ones back a moment), or
            // 20 s.
            let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
            loop {
                let done = !writing.load(Ordering::SeqCst);
                let (page, next) = drain(&store, after, 7).await;
                after = next;
                seen.extend(page);
                if (done && seen.len() >= ENTRIES) || tokio::time::Instant::now() > deadline {
                    return seen;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let mut writers = Vec::new();
    for w in 0..8 {
        let store = h.store.clone();
        writers.push(tokio::spawn(async move {
            for c in 0..25 {
                let id = format!("w{w}-c{c}");
                let states = history(&id, [S::Connected, S::PasswordIncorrect, S::Connected]);
                for state in &states {
                    store
                        .observe(Observation::Snapshot(state), Timestamp::now())
                        .await
                        .expect("recorded");
                }
            }
        }));
    }
    for writer in writers {
        writer.await.expect("a writer");
    }
    writing.store(false, Ordering::SeqCst);
    let seen = reader.await.expect("the reader");

    let ids: HashSet<&str> = seen.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), seen.len(), "no entry twice");
    assert_eq!(seen.len(), ENTRIES, "every entry");
    let mut per_connection: BTreeMap<&str, Vec<(i64, EntryKind)>> = BTreeMap::new();
    for entry in &seen {
        per_connection
            .entry(&entry.connection_id)
            .or_default()
            .push((entry.sequence, entry.notification));
    }
    for (id, entries) in per_connection {
        assert_eq!(
            entries,
            [
                (1, Notification::EnteredCredentialError.into()),
                (2, Notification::Recovered.into())
            ],
            "{id}"
        );
    }
    // A fresh reader from the start reads the same entries in the same order.
    let (again, _) = drain(&h.store, FeedCursor::START, 1000).await;
    assert_eq!(again, seen);
}

/// An entry into MFA_TOKEN_EXPIRED carries the connection's externalId, company and
/// provider, who must act, and the MFA ladder in order with the invitation to create.
async fn an_entry_carries_what_a_worker_needs(h: &Harness) {
    let [connected, expired] = history("conn-1", [S::Connected, S::MfaTokenExpired]);
    let with_ids = |c: ConnectionPayload| ConnectionPayload {
        external_id: Some("acme-site-7".to_owned()),
        company: Some(Company {
            id: Some("co-1".to_owned()),
            ..Company::default()
        }),
        ..c
    };
    for state in [with_ids(connected), with_ids(expired)] {
        h.store
            .observe(Observation::Snapshot(&state), Timestamp::now())
            .await
            .expect("recorded");
    }
    settled(&h.store, 1).await;
    let answer = h.get("/notifications").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let entries: Vec<FeedEntry> =
        serde_json::from_value(answer.body["entries"].clone()).expect("entries");
    let [entry] = entries.as_slice() else {
        panic!("one entry: {entries:?}");
    };
    assert!(entry.id.starts_with("ntf_"), "{}", entry.id);
    assert_eq!(entry.notification, Notification::EnteredCredentialError);
    assert_eq!(entry.status, "MFA_TOKEN_EXPIRED");
    assert_eq!(entry.external_id.as_deref(), Some("acme-site-7"));
    assert_eq!(entry.company_id.as_deref(), Some("co-1"));
    assert_eq!(entry.provider.as_deref(), Some("Pacific Gas & Electric"));
    assert_eq!(entry.actor, Some(Actor::EndUser));
    let remediation = &answer.body["entries"][0]["remediation"];
    assert_eq!(remediation["action"], "mfa_ladder", "{remediation}");
    let ladder: Vec<&str> = remediation["ladder"]
        .as_array()
        .expect("the ladder")
        .iter()
        .filter_map(|o| o.as_str())
        .collect();
    // The spec's ladder, in its order (api-facts, "MFA recommendation ladder").
    assert_eq!(
        ladder,
        [
            "upload_documents",
            "disable_mfa",
            "managed_forwarding",
            "own_inbox_forwarding",
            "sms_relay"
        ],
        "{remediation}"
    );
    assert_eq!(
        remediation["invitation"]["type"], "EDIT_CONNECTION",
        "{remediation}"
    );
    assert_eq!(remediation["invitation"]["maxUses"], 1, "{remediation}");
    let action = entry.action.as_deref().unwrap_or_default();
    assert!(
        action.starts_with("walk the MFA ladder in order: upload"),
        "{action}"
    );
    // The next page is empty, and says where to read on from.
    let next = answer.body["next"].as_str().expect("a cursor").to_owned();
    let later = h.get(&format!("/notifications?after={next}")).await;
    assert_eq!(later.body["entries"], serde_json::json!([]));
    assert_eq!(later.body["next"], next.as_str());
}

/// A cursor the feed did not hand out, and a limit out of 1 to 1000: 400 naming the
/// parameter; a limit is honoured.
async fn the_cursor_and_the_limit_are_checked(h: &Harness) {
    for query in [
        "after=c9.1.1",
        "after=nonsense",
        "limit=0",
        "limit=1001",
        "limit=ten",
    ] {
        let answer = h.get(&format!("/notifications?{query}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        let error = answer.body["error"].as_str().unwrap_or_default();
        let parameter = query.split('=').next().unwrap_or_default();
        assert!(
            error.contains(&format!("`{parameter}`")),
            "{query}: {error}"
        );
    }
    for c in 0..3 {
        let states = history(&format!("c{c}"), [S::Connected, S::PasswordIncorrect]);
        for state in &states {
            h.store
                .observe(Observation::Snapshot(state), Timestamp::now())
                .await
                .expect("recorded");
        }
    }
    settled(&h.store, 3).await;
    let two = h.get("/notifications?limit=2").await;
    assert_eq!(two.body["entries"].as_array().map(Vec::len), Some(2));
    let next = two.body["next"].as_str().expect("a cursor");
    let rest = h
        .get(&format!("/notifications?after={next}&limit=1000"))
        .await;
    assert_eq!(rest.body["entries"].as_array().map(Vec::len), Some(1));
}

/// Only on PostgreSQL, where writers commit concurrently: an entry appended by a
/// transaction still open when a later one commits is read after it, not skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_committed_behind_a_later_one_is_not_skipped() {
    crate::support::bounded(async {
        let Some(h) = Harness::start(Engine::Postgres).await else {
            return;
        };
        let url = h.db.url().expose().to_owned();
        let early = ConnectionPayload::new("early", S::Connected);
        h.store
            .observe(Observation::Snapshot(&early), Timestamp::now())
            .await
            .expect("recorded");
        // A transaction appends an entry (its sequence taken now) and stays open ...
        let pool = sqlx::PgPool::connect(&url).await.expect("connects");
        let mut open = pool.begin().await.expect("begins");
        sqlx::query(
            "INSERT INTO outbox (connection_id, sequence, notification, status, created_at) \
             VALUES ('early', 1, 'entered_credential_error', 'PASSWORD_INCORRECT', 'now')",
        )
        .execute(&mut *open)
        .await
        .expect("appended");
        // ... while a later one commits.
        let [connected, broken] = history("late", [S::Connected, S::PasswordIncorrect]);
        for state in [&connected, &broken] {
            h.store
                .observe(Observation::Snapshot(state), Timestamp::now())
                .await
                .expect("recorded");
        }
        let (before, cursor) = drain(&h.store, FeedCursor::START, 10).await;
        assert!(
            before.is_empty(),
            "nothing past the open transaction: {before:?}"
        );
        open.commit().await.expect("commits");
        let after = eventually("both entries", || async {
            let (after, _) = drain(&h.store, cursor, 10).await;
            (after.len() == 2).then_some(after)
        })
        .await;
        let order: Vec<&str> = after.iter().map(|e| e.connection_id.as_str()).collect();
        assert_eq!(order, ["early", "late"]);
        pool.close().await;
        h.stop().await;
    })
    .await;
}
