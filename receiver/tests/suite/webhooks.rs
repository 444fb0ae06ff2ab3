//! `POST /webhooks/nectar`: what is applied, what is refused and with which status, and
//! that a refused delivery changes nothing.

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::verify::WebhookSecret;
use nectar_lifecycle::webhook::{MAX_BODY_BYTES, Notification};
use nectar_receiver::EntryKind;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::{
    Answer, FOREIGN_SECRET, Harness, ROTATED_SECRET, changed_status, connected_then_broken,
    connection, event, events, history,
};

on_both_engines!(
    a_signed_delivery_is_applied_and_readable,
    a_signature_by_the_rotated_secret_is_accepted,
    a_forged_signature_is_refused_and_changes_nothing,
    a_replay_outside_the_window_is_refused_and_changes_nothing,
    a_tampered_body_is_refused_and_changes_nothing,
    a_body_over_the_limit_is_refused_unread,
    a_chunked_body_over_the_limit_is_refused,
    a_malformed_body_is_refused,
    other_event_types_are_acknowledged_not_applied,
    redelivery_and_the_updated_validated_pair_give_one_notification,
    an_older_delivery_is_stale,
);

/// Created, then a credential error: both applied, the error notified once, readable through
/// the read endpoints.
async fn a_signed_delivery_is_applied_and_readable(h: &Harness) {
    let created = connection("conn-1", S::Connected, 0);
    let answer = h.deliver("msg_1", &event(None, &created)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.decision(), "apply");
    assert_eq!(answer.body["appended"], serde_json::json!([]));

    let broken = changed_status(&created, S::PasswordIncorrect, 10);
    let [updated, validated] = <[_; 2]>::try_from(events(Some(&created), &broken))
        .expect("a status change sends two events");
    let answer = h.deliver("msg_2", &updated).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.decision(), "apply");
    assert_eq!(answer.body["pollScheduled"], false);
    let answer = h.deliver("msg_3", &validated).await;
    assert_eq!(answer.decision(), "duplicate");

    let record = h.record("conn-1").await.expect("a stored record");
    assert_eq!(record.connection, broken);
    assert_eq!(record.recent_event_ids, ["msg_1", "msg_2", "msg_3"]);

    let outbox = h.notifications("conn-1").await;
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let entry = &outbox[0];
    assert_eq!(entry.sequence, 1);
    assert_eq!(entry.notification, Notification::EnteredCredentialError);
    assert_eq!(entry.status, "PASSWORD_INCORRECT");
    assert_eq!(entry.delivery_id.as_deref(), Some("msg_2"));
    assert_eq!(entry.connection_id, "conn-1");

    let health = h.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(
        h.get("/connections/unknown").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(h.notifications("unknown").await.is_empty());
}

/// The body of `conn-1`'s `connection.created.v2`, in `status`.
fn created_body(status: S) -> Vec<u8> {
    serde_json::to_vec(&event(None, &connection("conn-1", status, 0))).expect("serializes")
}

async fn a_signature_by_the_rotated_secret_is_accepted(h: &Harness) {
    let body = created_body(S::Pending);
    let rotated: WebhookSecret = ROTATED_SECRET.parse().expect("a secret");
    let answer = h
        .sender()
        .deliver_signed("msg_1", &body, Timestamp::now(), &rotated)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(h.record("conn-1").await.is_some());
}

/// Nothing is stored for `id`: no record, no notification, no poll job.
async fn assert_nothing_stored(h: &Harness, id: &str) {
    assert_eq!(h.record(id).await, None);
    assert!(h.notifications(id).await.is_empty());
    assert!(h.store.poll_jobs().await.expect("readable").is_empty());
}

async fn a_forged_signature_is_refused_and_changes_nothing(h: &Harness) {
    let body = created_body(S::PasswordIncorrect);
    let foreign: WebhookSecret = FOREIGN_SECRET.parse().expect("a secret");
    let answer = h
        .sender()
        .deliver_signed("msg_1", &body, Timestamp::now(), &foreign)
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        answer.body["error"]
            .as_str()
            .is_some_and(|e| e.contains("no signature matched")),
        "{}",
        answer.body
    );
    // No signature headers at all.
    let answer = h.sender().post(body, &[]).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_nothing_stored(h, "conn-1").await;
}

async fn a_replay_outside_the_window_is_refused_and_changes_nothing(h: &Harness) {
    let body = created_body(S::PasswordIncorrect);
    let six_minutes_ago = Timestamp::now() - SignedDuration::from_mins(6);
    let answer = h
        .sender()
        .deliver_signed("msg_1", &body, six_minutes_ago, &h.secret)
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
    assert_nothing_stored(h, "conn-1").await;
}

async fn a_tampered_body_is_refused_and_changes_nothing(h: &Harness) {
    let (created, _, updated) = connected_then_broken(h).await;
    let body = serde_json::to_vec(&updated).expect("serializes");
    let headers: Vec<(&str, String)> = h
        .secret
        .sign("msg_2", Timestamp::now(), &body)
        .iter()
        .collect();
    let tampered = String::from_utf8(body)
        .expect("JSON is UTF-8")
        .replace("PASSWORD_INCORRECT", "NEW_PASSWORD_NEEDED")
        .into_bytes();
    let answer = h.sender().post(tampered, &headers).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);

    let record = h
        .record("conn-1")
        .await
        .expect("the first delivery's record");
    assert_eq!(record.connection, created);
    assert_eq!(record.recent_event_ids, ["msg_1"]);
    assert!(h.notifications("conn-1").await.is_empty());
}

async fn a_body_over_the_limit_is_refused_unread(h: &Harness) {
    let mut body = created_body(S::Connected);
    // Valid JSON, signed, one byte over the limit.
    body.pop();
    body.extend(std::iter::repeat_n(
        b' ',
        MAX_BODY_BYTES + 1 - body.len() - 1,
    ));
    body.push(b'}');
    assert_eq!(body.len(), MAX_BODY_BYTES + 1);
    // The receiver answers without reading the body, then closes the connection: the
    // request says so, so that the client does not reuse it for the next request.
    let mut headers: Vec<(&str, String)> = h
        .secret
        .sign("msg_1", Timestamp::now(), &body)
        .iter()
        .collect();
    headers.push(("connection", "close".to_owned()));
    let answer = h.sender().post(body, &headers).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_nothing_stored(h, "conn-1").await;
}

/// Without a `Content-Length`, the body is read up to the limit and refused there.
async fn a_chunked_body_over_the_limit_is_refused(h: &Harness) {
    let mut stream = TcpStream::connect(h.running.addr())
        .await
        .expect("the receiver accepts");
    let head = "POST /webhooks/nectar HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
                Connection: close\r\n\r\n";
    let chunk = vec![b' '; 64 * 1024];
    let mut request = head.as_bytes().to_vec();
    for _ in 0..=(MAX_BODY_BYTES / chunk.len()) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(&chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The receiver may answer and close before it has everything: a failed write is fine.
    let _refused_early = stream.write_all(&request).await;
    let mut response = Vec::new();
    let _closed = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
}

/// Delivers each of `bodies`, signed now, as `msg_0`, `msg_1`, ...
async fn deliver_each(h: &Harness, bodies: &[&[u8]]) -> Vec<Answer> {
    let mut answers = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let sender = h.sender();
        let id = format!("msg_{i}");
        answers.push(
            sender
                .deliver_signed(&id, body, Timestamp::now(), &h.secret)
                .await,
        );
    }
    answers
}

async fn a_malformed_body_is_refused(h: &Harness) {
    let bodies: [&[u8]; 4] = [
        br#"{"eventType":"connection.updated.v2","id":"#,
        br#"{"eventType":"connection.updated.v2","id":"conn-1","status":7}"#,
        br#"{"eventType":"connection.updated.v2","status":"CONNECTED"}"#,
        br#"[1,2,3]"#,
    ];
    for answer in deliver_each(h, &bodies).await {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    }
    assert_nothing_stored(h, "conn-1").await;
}

/// Nectar posts its document events to the same endpoint: acknowledged, not refused (Svix
/// would retry a refusal) and not applied.
async fn other_event_types_are_acknowledged_not_applied(h: &Harness) {
    let bodies: [&[u8]; 3] = [
        br#"{"eventType":"document.created.v2","id":"doc-1","connectionId":"conn-1"}"#,
        br#"{"eventType":"document.updated.v2","id":"conn-1","status":"PASSWORD_INCORRECT"}"#,
        br#"{"eventType":"connection.updated","id":"conn-1"}"#,
    ];
    for answer in deliver_each(h, &bodies).await {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert!(answer.body["ignored"].is_string(), "{}", answer.body);
    }
    assert_nothing_stored(h, "conn-1").await;
    assert_nothing_stored(h, "doc-1").await;
}

/// One status change sends `updated` and `validated`, Svix retries each: whatever the order,
/// one notification.
async fn redelivery_and_the_updated_validated_pair_give_one_notification(h: &Harness) {
    let created = connection("conn-1", S::Connected, 0);
    h.deliver("msg_0", &event(None, &created)).await;
    let broken = changed_status(&created, S::MfaTokenExpired, 10);
    let [updated, validated] =
        <[_; 2]>::try_from(events(Some(&created), &broken)).expect("two events");

    let mut decisions = Vec::new();
    for (id, webhook) in [
        ("msg_v", &validated),
        ("msg_u", &updated),
        ("msg_v", &validated),
        ("msg_u", &updated),
        ("msg_u", &updated),
    ] {
        let answer = h.deliver(id, webhook).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        decisions.push(answer.decision().to_owned());
    }
    assert_eq!(
        decisions,
        ["apply", "duplicate", "duplicate", "duplicate", "duplicate"]
    );
    let outbox = h.notifications("conn-1").await;
    let notified: Vec<_> = outbox
        .iter()
        .map(|e| (e.notification, e.sequence))
        .collect();
    assert_eq!(
        notified,
        [(EntryKind::from(Notification::EnteredCredentialError), 1)]
    );
    let record = h.record("conn-1").await.expect("stored");
    assert_eq!(record.recent_event_ids, ["msg_0", "msg_v", "msg_u"]);
}

/// A delivery older than the stored record never regresses it.
async fn an_older_delivery_is_stale(h: &Harness) {
    let [v1, v2, v3] = history("conn-1", [S::Connected, S::WebsiteDown, S::Connected]);
    h.deliver("msg_1", &event(None, &v1)).await;
    let to_v3 = &events(Some(&v2), &v3)[0];
    let to_v2 = &events(Some(&v1), &v2)[0];

    // v3 arrives before v2: its `old.status` (WEBSITE_DOWN) is not the stored CONNECTED,
    // so it is a gap, polled; Nectar answers v3.
    h.nectar.set(&v3);
    let answer = h.deliver("msg_3", to_v3).await;
    assert_eq!(answer.decision(), "gap");
    crate::support::eventually("the gap closed", || async {
        (h.record("conn-1").await?.connection == v3 && h.store.poll_jobs().await.ok()?.is_empty())
            .then_some(())
    })
    .await;

    let answer = h.deliver("msg_2", to_v2).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.decision(), "stale", "{}", answer.body);
    let record = h.record("conn-1").await.expect("stored");
    assert_eq!(record.connection, v3);
    // CONNECTED -> (WEBSITE_DOWN, missed) -> CONNECTED: nothing to notify, net.
    assert!(h.notifications("conn-1").await.is_empty());
}
