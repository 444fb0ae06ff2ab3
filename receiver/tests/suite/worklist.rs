//! The worklist (`GET /connections`): connections grouped by who must act, with counts per
//! group and per status, paged by cursor, behind the token.

use axum::http::StatusCode;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::{ConnectionPayload, Datasource};
use nectar_receiver::{StoreOptions, Worklist};

use crate::support::{Harness, connection, events};

on_both_engines!(
    connections_are_grouped_by_who_must_act,
    the_worklist_pages_by_cursor,
    bad_queries_name_the_parameter,
    rows_of_an_older_schema_are_filled_at_start,
);

/// Delivers the events of `id` going from nothing to `status` (with a PENDING creation
/// first), as messages `{id}.N`.
async fn store_in(h: &Harness, id: &str, status: S) {
    let created = connection(id, S::Pending, 0);
    let after = ConnectionPayload {
        datasource: Some(Datasource {
            name: Some(format!("Utility of {id}")),
            url: None,
        }),
        ..connection(id, status, 1)
    };
    let mut n = 0;
    for (before, next) in [(None, &created), (Some(&created), &after)] {
        for webhook in events(before, next) {
            n += 1;
            let answer = h.deliver(&format!("{id}.{n}"), &webhook).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        }
    }
}

async fn worklist(h: &Harness, query: &str) -> Worklist {
    let answer = h.get(&format!("/connections{query}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    serde_json::from_value(answer.body).expect("a worklist")
}

/// Five connections in four statuses: each group lists its own, the counts add up, and an
/// entry says since when, what to do, and the last outbox entry.
async fn connections_are_grouped_by_who_must_act(h: &Harness) {
    store_in(h, "a", S::PasswordIncorrect).await;
    store_in(h, "b", S::MfaTokenExpired).await;
    store_in(h, "c", S::Connected).await;
    store_in(h, "d", S::CompanyInactive).await;
    store_in(h, "e", S::Connected).await;

    let all = worklist(h, "").await;
    assert_eq!(all.counts.total, 5);
    let ids: Vec<&str> = all.connections.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    assert_eq!(all.counts.by_status["CONNECTED"], 2, "{:?}", all.counts);
    assert_eq!(all.counts.by_status["PASSWORD_INCORRECT"], 1);
    assert_eq!(all.counts.by_needs["end_user"], 2, "{:?}", all.counts);
    assert_eq!(
        all.counts.by_needs["nobody"],
        2,
        "{:?} {:?}",
        all.counts,
        all.connections
            .iter()
            .map(|c| (&c.id, &c.status))
            .collect::<Vec<_>>()
    );
    assert_eq!(all.counts.by_needs["nectar"], 1);
    assert_eq!(all.counts.by_needs["integrator"], 0);
    assert_eq!(all.next, None);

    let end_user = worklist(h, "?needs=end_user").await;
    let ids: Vec<&str> = end_user.connections.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(end_user.counts, all.counts, "the counts are of everything");
    let a = &end_user.connections[0];
    assert_eq!(a.status, "PASSWORD_INCORRECT");
    assert_eq!(a.provider.as_deref(), Some("Utility of a"));
    assert_eq!(
        a.since,
        connection("a", S::PasswordIncorrect, 1).status_first_seen_time
    );
    assert!(a.action.as_deref().is_some_and(|s| !s.is_empty()));
    let last = a.last_entry.as_ref().expect("an entry");
    assert_eq!(last.notification.to_string(), "entered_credential_error");
    assert!(a.invitation.is_none(), "reconnect invitations are off");

    let in_status = worklist(h, "?needs=nobody&status=CONNECTED").await;
    assert_eq!(in_status.connections.len(), 2);
    let none = worklist(h, "?needs=integrator").await;
    assert!(none.connections.is_empty());

    let answer = h.get_with("/connections", None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

/// Seven connections read three at a time: every one once, in order, and the last page
/// says there is no next.
async fn the_worklist_pages_by_cursor(h: &Harness) {
    for i in 0..7 {
        store_in(h, &format!("c{i}"), S::Connected).await;
    }
    let mut seen = Vec::new();
    let mut query = "?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let page = worklist(h, &query).await;
        pages += 1;
        assert!(page.connections.len() <= 3);
        seen.extend(page.connections.into_iter().map(|c| c.id));
        match page.next {
            Some(next) => query = format!("?limit=3&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["c0", "c1", "c2", "c3", "c4", "c5", "c6"]);
}

async fn bad_queries_name_the_parameter(h: &Harness) {
    for (query, named) in [
        ("?needs=someone", "needs"),
        ("?limit=0", "limit"),
        ("?limit=201", "limit"),
        ("?limit=ten", "limit"),
    ] {
        let answer = h.get(&format!("/connections{query}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        let error = answer.body["error"].as_str().unwrap_or_default();
        assert!(error.starts_with(named), "{query}: {error}");
    }
}

/// Rows stored before the worklist's columns existed get them when a store opens.
async fn rows_of_an_older_schema_are_filled_at_start(h: &Harness) {
    store_in(h, "old", S::NewPasswordNeeded).await;
    h.db.execute("UPDATE connections SET status = NULL, needs = NULL, status_since = NULL")
        .await;
    assert_eq!(worklist(h, "?needs=end_user").await.connections.len(), 0);
    let reopened = h.db.open_with(StoreOptions::default()).await;
    let page = reopened
        .worklist(
            &nectar_receiver::WorklistQuery::parse(Some("end_user"), None, None, None)
                .expect("a query"),
        )
        .await
        .expect("the worklist");
    let ids: Vec<&str> = page.connections.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["old"]);
    reopened.close().await;
}
