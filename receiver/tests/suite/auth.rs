//! The read API behind bearer tokens: without one, with a wrong one, with either of the
//! configured ones (as while rotating), and with none configured; the webhook and the health
//! probe need none.

use axum::http::StatusCode;
use nectar_lifecycle::ConnectionStatus as S;

use crate::support::{API_TOKEN, Harness, ROTATED_API_TOKEN, connection, event};

on_both_engines!(
    reads_need_a_configured_bearer_token,
    with_no_token_configured_the_read_api_is_off with |config: &mut Config| {
        config.api_tokens.clear();
    },
);

const READS: [&str; 2] = ["/connections/conn-1", "/connections/conn-1/notifications"];

/// 401 without a token and with a wrong one (saying the scheme), 200 with either of the
/// two configured; the webhook and `/healthz` answer without one.
async fn reads_need_a_configured_bearer_token(h: &Harness) {
    let created = connection("conn-1", S::Connected, 0);
    assert_eq!(
        h.deliver("msg_1", &event(None, &created)).await.status,
        StatusCode::OK,
        "the webhook needs no token"
    );
    assert_eq!(h.get_with("/healthz", None).await.status, StatusCode::OK);
    for path in READS {
        for token in [None, Some("test-read-token-0003"), Some("")] {
            let answer = h.get_with(path, token).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path} {token:?}");
            assert!(answer.body["error"].is_string(), "{}", answer.body);
        }
        for token in [API_TOKEN, ROTATED_API_TOKEN] {
            assert_eq!(
                h.get_with(path, Some(token)).await.status,
                StatusCode::OK,
                "{path}"
            );
        }
    }
    let refused = h
        .http
        .get(h.url(READS[0]))
        .basic_auth("user", Some(API_TOKEN))
        .send()
        .await
        .expect("answers");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "another scheme");
    assert_eq!(
        refused
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
}

/// No token configured: every read is refused, 403, naming the variable; the webhook still
/// records.
async fn with_no_token_configured_the_read_api_is_off(h: &Harness) {
    let created = connection("conn-1", S::Connected, 0);
    assert_eq!(
        h.deliver("msg_1", &event(None, &created)).await.status,
        StatusCode::OK
    );
    for path in READS {
        for token in [None, Some(API_TOKEN)] {
            let answer = h.get_with(path, token).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
            let error = answer.body["error"].as_str().unwrap_or_default();
            assert!(error.contains("RECEIVER_API_TOKENS"), "{error}");
        }
    }
    assert!(h.store.record("conn-1").await.expect("readable").is_some());
}
