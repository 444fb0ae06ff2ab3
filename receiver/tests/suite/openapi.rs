//! The OpenAPI description (`GET /openapi.json`): an OpenAPI 3.1 document, public, that
//! describes exactly the routes the source serves; every answer of a real request on both
//! engines (and every pushed message) validates against the schema it documents, closed to
//! undescribed fields; the library's enums are listed with exactly the library's values; and
//! the committed copy `receiver/openapi.json` is the served document.

use core::time::Duration;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use axum::http::StatusCode;
use jiff::Timestamp;
use nectar_lifecycle::remediation::{Actor, remediation};
use nectar_lifecycle::webhook::{
    AccountPayload, Company, ConnectionPayload, Episode, EventType, Notification, Observation,
    Record, Reported, Webhook, reconcile,
};
use nectar_lifecycle::{AccountStatus, ConnectionStatus as S, Enumerated, TrackingStatus};
use nectar_receiver::{
    ActionEntry, ActionWorker, ApiKey, Config, Engine, MAX_FEED_LIMIT, MAX_WORKLIST_LIMIT,
    NectarApi as ApiConfig, NectarClient, Needs, WorklistQuery,
};
use serde_json::{Value, json};

use crate::support::app::AppDouble;
use crate::support::nectar_api::{DOUBLE_API_KEY, NectarApi};
use crate::support::{
    API_TOKEN, FOREIGN_SECRET, Harness, bounded, changed_status, connection, events, eventually,
    test_config,
};

on_both_engines!(
    every_answer_matches_its_description,
    answers_with_invitations_match_their_description with invitations_on,
    pushed_messages_match_the_webhooks_description,
);

/// Every operation the receiver serves, as `METHOD path`: the description lists exactly
/// these, and the routes written in `receiver/src/http` are exactly these (a route added
/// without a description fails here).
const OPERATIONS: &[&str] = &[
    "GET /connections",
    "GET /connections/{id}",
    "GET /connections/{id}/notifications",
    "GET /notifications",
    "POST /notifications/{id}/redeliver",
    "POST /webhooks/nectar",
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "GET /openapi.json",
];

/// Routes of the source that are not API and so not in the description, each with why.
const NOT_API: &[(&str, &str)] = &[
    ("GET /", "the dashboard's worklist page (HTML)"),
    (
        "GET /connection/{id}",
        "the dashboard's connection page (HTML)",
    ),
    ("GET /login", "the dashboard's sign-in form (HTML)"),
    (
        "POST /login",
        "the dashboard's sign-in (a form, then a redirect)",
    ),
    ("POST /logout", "the dashboard's sign-out (a redirect)"),
    ("GET /assets/dashboard.css", "the dashboard's stylesheet"),
    ("GET /assets/favicon.svg", "the dashboard's icon"),
];

/// Served on `METRICS_ADDR` alone, not on the main listener.
const ON_THE_METRICS_LISTENER: &[&str] = &["GET /metrics"];

/// The variable that makes [`the_committed_copy_is_the_served_document`] write the copy.
const UPDATE: &str = "UPDATE_OPENAPI";

/// The command that regenerates `receiver/openapi.json`.
const REGENERATE: &str = "UPDATE_OPENAPI=1 cargo test -p nectar-receiver --test suite openapi";

/// The document as the receiver serves it, without a token.
async fn served(h: &Harness) -> Value {
    let answer = h.get_with("/openapi.json", None).await;
    assert_eq!(answer.status, StatusCode::OK, "public: no token needed");
    answer.body
}

/// Starts a receiver on SQLite and returns its document.
async fn document() -> (Harness, Value) {
    let h = Harness::start(Engine::Sqlite)
        .await
        .expect("SQLite is always there");
    let doc = served(&h).await;
    (h, doc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_openapi_3_1_and_describes_every_route() {
    bounded(async {
        let (h, doc) = document().await;
        let version = doc["openapi"].as_str().unwrap_or_default();
        assert!(version.starts_with("3.1"), "openapi: {version}");
        assert_eq!(
            doc["jsonSchemaDialect"],
            Value::Null,
            "the default dialect of 3.1: JSON Schema 2020-12"
        );

        let described: BTreeSet<String> = operations(&doc);
        let listed: BTreeSet<String> = OPERATIONS.iter().map(|op| (*op).to_owned()).collect();
        assert_eq!(
            described, listed,
            "the description's operations are not the list in this test"
        );

        let routed = routes_in_source();
        let not_api: BTreeSet<String> = NOT_API.iter().map(|(op, _)| (*op).to_owned()).collect();
        let undescribed: Vec<&String> = routed
            .difference(&listed)
            .filter(|op| !not_api.contains(*op))
            .collect();
        assert!(
            undescribed.is_empty(),
            "routed in receiver/src/http but not described: {undescribed:?}; describe them \
             (#[utoipa::path] on the handler, or receiver/src/http/openapi.rs), list them in \
             OPERATIONS, then run `{REGENERATE}` (a page that is not API goes in NOT_API, \
             with why)"
        );
        let unrouted: Vec<&String> = listed.difference(&routed).collect();
        assert!(
            unrouted.is_empty(),
            "described but routed nowhere in receiver/src/http: {unrouted:?} (routes found: \
             {routed:?})"
        );

        // Each route is served where the description says: a method it does not take is
        // answered by the route (405, or 401 behind the token), never the router's 404.
        for op in OPERATIONS {
            let (_, path) = op.split_once(' ').expect("METHOD path");
            let url = h.url(&path.replace("{id}", "x-1"));
            let status = h
                .http
                .delete(url)
                .send()
                .await
                .expect("the receiver answers")
                .status();
            if ON_THE_METRICS_LISTENER.contains(op) {
                assert_eq!(
                    status,
                    StatusCode::NOT_FOUND,
                    "{op}: not on the main listener"
                );
                let servers = &doc["paths"][path]["servers"];
                assert!(
                    servers[0]["url"].as_str().is_some_and(|u| u.contains('{')),
                    "{op}: its own server: {servers}"
                );
            } else {
                assert_ne!(status, StatusCode::NOT_FOUND, "{op} is not routed");
            }
        }

        // Behind the token exactly where the router puts it.
        for op in OPERATIONS {
            let (method, path) = op.split_once(' ').expect("METHOD path");
            let operation = &doc["paths"][path][method.to_lowercase()];
            let security = operation["security"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let token = security.iter().any(|s| s.get("bearerToken").is_some());
            let read = operation["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t == "read"));
            assert_eq!(
                token, read,
                "{op}: the bearer token exactly on the read API"
            );
            if read {
                assert!(operation["responses"]["401"].is_object(), "{op}: 401");
                let answer = h.get_with(&path.replace("{id}", "x-1"), None).await;
                if method == "GET" {
                    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{op}");
                }
            }
        }
        assert_eq!(
            doc["components"]["securitySchemes"]["bearerToken"]["scheme"],
            "bearer"
        );
        h.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_committed_copy_is_the_served_document() {
    bounded(async {
        let (h, doc) = document().await;
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
        let text = h
            .http
            .get(h.url("/openapi.json"))
            .send()
            .await
            .expect("an answer")
            .text()
            .await
            .expect("the document");
        if std::env::var_os(UPDATE).is_some() {
            std::fs::write(&path, &text).expect("receiver/openapi.json written");
        }
        let committed: Value = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        assert!(
            committed == doc,
            "receiver/openapi.json is not the document the receiver serves: regenerate it \
             with `{REGENERATE}`"
        );
        h.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_enums_are_the_librarys() {
    bounded(async {
        let (h, doc) = document().await;
        let schemas = &doc["components"]["schemas"];
        let strings = |value: &Value| -> Vec<String> {
            value
                .as_array()
                .unwrap_or_else(|| panic!("a list of values: {value}"))
                .iter()
                .map(|v| v.as_str().expect("a string").to_owned())
                .collect()
        };
        let statuses: Vec<String> = S::ALL.iter().map(|s| s.as_str().to_owned()).collect();
        assert_eq!(
            strings(&schemas["ConnectionStatus"]["anyOf"][0]["enum"]),
            statuses
        );
        assert_eq!(
            schemas["ConnectionStatus"]["anyOf"][1]["type"], "string",
            "a status the library does not know is still a status"
        );
        let notifications: Vec<String> =
            Notification::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(strings(&schemas["Notification"]["enum"]), notifications);
        let actions: Vec<String> = <ActionEntry as strum::IntoEnumIterator>::iter()
            .map(|a| a.to_string())
            .collect();
        let kinds: Vec<String> = notifications.iter().chain(&actions).cloned().collect();
        assert_eq!(strings(&schemas["EntryKind"]["enum"]), kinds);
        let actors: Vec<String> = Actor::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(strings(&schemas["Actor"]["enum"]), actors);
        let needs: Vec<String> = <Needs as strum::IntoEnumIterator>::iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(strings(&schemas["Needs"]["enum"]), needs);
        let episodes: Vec<String> = <Episode as strum::IntoEnumIterator>::iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(strings(&schemas["Episode"]["enum"]), episodes);
        let types: Vec<String> = kinds
            .iter()
            .map(|kind| format!("nectar.connection.{kind}"))
            .collect();
        assert_eq!(
            strings(&schemas["PushMessage"]["properties"]["type"]["enum"]),
            types
        );

        // The limits are the receiver's.
        let limit = |path: &str| {
            doc["paths"][path]["get"]["parameters"]
                .as_array()
                .and_then(|ps| ps.iter().find(|p| p["name"] == "limit"))
                .map(|p| p["schema"].clone())
                .unwrap_or_else(|| panic!("{path}: a limit"))
        };
        assert_eq!(limit("/connections")["maximum"], json!(MAX_WORKLIST_LIMIT));
        assert_eq!(
            limit("/connections")["default"],
            json!(WorklistQuery::DEFAULT_LIMIT)
        );
        assert_eq!(limit("/notifications")["maximum"], json!(MAX_FEED_LIMIT));

        // Every remediation the library gives validates, and each of the description's
        // actions is one the library gives.
        let described = Described::new(doc.clone());
        let remediation_schema = json!({ "$ref": "#/components/schemas/Remediation" });
        let mut given = BTreeSet::new();
        for status in S::ALL {
            for step in 1..=6 {
                let value = serde_json::to_value(remediation(*status, step)).expect("JSON");
                described.validate(&remediation_schema, &value, &format!("{status} {step}"));
                given.insert(value["action"].as_str().expect("an action").to_owned());
            }
        }
        let actions: BTreeSet<String> = schemas["Remediation"]["oneOf"]
            .as_array()
            .expect("the variants")
            .iter()
            .map(|variant| {
                variant["properties"]["action"]["enum"][0]
                    .as_str()
                    .expect("an action")
                    .to_owned()
            })
            .collect();
        assert_eq!(actions, given, "the remediation's actions");
        h.stop().await;
    })
    .await;
}

/// Every kind of decision the library makes validates against `Decision`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_decision_matches_its_description() {
    bounded(async {
        let (h, doc) = document().await;
        let described = Described::new(doc);
        let schema = json!({ "$ref": "#/components/schemas/Decision" });
        let before = connection("c-1", S::Connected, 0);
        let after = changed_status(&before, S::PasswordIncorrect, 10);
        let mut stored = Record::new(after.clone());
        stored.remember("msg-1");
        let webhook = events(Some(&before), &after).remove(0);
        let missed = events(
            Some(&before),
            &changed_status(&before, S::MfaTokenExpired, 20),
        )
        .into_iter()
        .find(|w| w.previous_status().is_some())
        .expect("an event with old.status");
        let unordered = Webhook {
            event_type: Reported::Known(EventType::Updated),
            protected_changes: vec!["statusErrorDetail".to_owned()],
            old: None,
            connection: ConnectionPayload {
                status_error_detail: Some("other content, no version".to_owned()),
                updated: None,
                status_last_update_time: None,
                ..after.clone()
            },
        };
        let with_accounts = ConnectionPayload {
            accounts: vec![AccountPayload {
                id: Some("acc-1".to_owned()),
                status: Some(Reported::Known(AccountStatus::Detected)),
                tracking_status: Some(Reported::Known(TrackingStatus::Unset)),
                ..AccountPayload::default()
            }],
            company: Some(Company {
                id: Some("co-1".to_owned()),
                ..Company::default()
            }),
            ..changed_status(&after, S::Connected, 30)
        };
        let other = connection("c-2", S::Connected, 40);
        let cases = [
            ("apply", reconcile(None, Observation::Snapshot(&before))),
            (
                "apply",
                reconcile(Some(&stored), Observation::Snapshot(&with_accounts)),
            ),
            (
                "duplicate",
                reconcile(
                    Some(&stored),
                    Observation::Delivery {
                        id: Some("msg-1"),
                        webhook: &webhook,
                    },
                ),
            ),
            (
                "duplicate",
                reconcile(Some(&stored), Observation::Snapshot(&after)),
            ),
            (
                "stale",
                reconcile(Some(&stored), Observation::Snapshot(&before)),
            ),
            (
                "gap",
                reconcile(
                    Some(&stored),
                    Observation::Delivery {
                        id: Some("msg-2"),
                        webhook: &missed,
                    },
                ),
            ),
            (
                "gap",
                reconcile(
                    Some(&stored),
                    Observation::Delivery {
                        id: Some("msg-3"),
                        webhook: &unordered,
                    },
                ),
            ),
            (
                "other_connection",
                reconcile(Some(&stored), Observation::Snapshot(&other)),
            ),
        ];
        let mut seen = BTreeSet::new();
        for (kind, decision) in cases {
            let value = serde_json::to_value(&decision).expect("JSON");
            assert_eq!(value["decision"], kind, "{value}");
            described.validate(&schema, &value, kind);
            seen.insert(value.get("gap").unwrap_or(&value["decision"]).to_string());
        }
        assert_eq!(seen.len(), 6, "every kind of decision: {seen:?}");
        h.stop().await;
    })
    .await;
}

/// The check itself: a field served but not described fails, and so does a wrong type;
/// the fields of both halves of a flattened record pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undescribed_field_fails_the_check() {
    bounded(async {
        let (h, doc) = document().await;
        let described = Described::new(doc);
        let entry = json!({
            "connectionId": "c-1", "sequence": 1, "notification": "recovered",
            "status": "CONNECTED", "deliveryId": null, "createdAt": "2026-12-06T09:00:00.000Z",
        });
        let schema = json!({ "$ref": "#/components/schemas/OutboxEntry" });
        assert_eq!(described.errors(&schema, &entry), Vec::<String>::new());
        let mut extra = entry.clone();
        extra["surprise"] = json!(1);
        assert!(
            !described.errors(&schema, &extra).is_empty(),
            "an extra field"
        );
        let mut wrong = entry.clone();
        wrong["sequence"] = json!("1");
        assert!(
            !described.errors(&schema, &wrong).is_empty(),
            "a wrong type"
        );
        let mut unknown = entry;
        unknown["notification"] = json!("paused");
        assert!(
            !described.errors(&schema, &unknown).is_empty(),
            "an unknown kind"
        );

        let record =
            serde_json::to_value(Record::new(connection("c-1", S::Connected, 0))).expect("JSON");
        let schema = json!({ "$ref": "#/components/schemas/RecordView" });
        let mut view = record.clone();
        view["notListed"] = json!({ "lastListedAt": null, "since": "2026-12-06T09:00:00Z" });
        assert_eq!(described.errors(&schema, &view), Vec::<String>::new());
        view["surprise"] = json!(true);
        assert!(
            !described.errors(&schema, &view).is_empty(),
            "an extra field"
        );
        h.stop().await;
    })
    .await;
}

fn invitations_on(config: &mut Config) {
    config.actions.reconnect_invitations = true;
    config.actions.check_every = Duration::from_secs(3600);
}

/// Delivers the events of `before -> after` as `{prefix}.N`, each answer checked against the
/// description of `POST /webhooks/nectar`.
async fn change(
    h: &Harness,
    described: &Described,
    prefix: &str,
    before: Option<&ConnectionPayload>,
    after: &ConnectionPayload,
) {
    for (n, webhook) in events(before, after).iter().enumerate() {
        let answer = h.deliver(&format!("{prefix}.{n}"), webhook).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        described.check("POST", "/webhooks/nectar", answer.status, &answer.body);
    }
}

/// `GET path` with the token, checked against the description of `template`.
async fn read(h: &Harness, described: &Described, template: &str, path: &str) -> Value {
    let answer = h.get(path).await;
    described.check("GET", template, answer.status, &answer.body);
    answer.body
}

/// Connections in several statuses (a credential error, an unknown status, accounts awaiting
/// a decision), every read of the API, deliveries of every kind, the probes: each answer is
/// what the description says.
async fn every_answer_matches_its_description(h: &Harness) {
    let described = Described::new(served(h).await);
    let a = connection("a", S::Connected, 0);
    let a_broken = changed_status(&a, S::MfaTokenExpired, 10);
    change(h, &described, "a.1", None, &a).await;
    change(h, &described, "a.2", Some(&a), &a_broken).await;
    let b = ConnectionPayload {
        external_id: Some("site-7".to_owned()),
        company: Some(Company {
            id: Some("co-1".to_owned()),
            name: Some("Acme".to_owned()),
            external_id: None,
        }),
        accounts: vec![AccountPayload {
            id: Some("acc-1".to_owned()),
            account_number: Some("1234".to_owned()),
            status: Some(Reported::Known(AccountStatus::Detected)),
            tracking_status: Some(Reported::Known(TrackingStatus::Unset)),
            ..AccountPayload::default()
        }],
        ..connection("b", S::Connected, 0)
    };
    change(h, &described, "b.1", None, &b).await;
    let c = ConnectionPayload {
        status: Reported::Unknown("PAUSED_BY_PROVIDER".to_owned()),
        ..connection("c", S::Connected, 0)
    };
    change(h, &described, "c.1", None, &c).await;

    // A duplicate, an unknown event type, and refusals.
    let again = h.deliver("a.1.0", &events(None, &a)[0]).await;
    assert_eq!(again.decision(), "duplicate");
    described.check("POST", "/webhooks/nectar", again.status, &again.body);
    let sender = h.sender();
    let now = Timestamp::now();
    let body = br#"{"eventType":"document.created.v2","id":"doc-1"}"#;
    let ignored = sender.deliver_signed("doc.1", body, now, &h.secret).await;
    assert_eq!(ignored.status, StatusCode::OK, "{}", ignored.body);
    described.check("POST", "/webhooks/nectar", ignored.status, &ignored.body);
    let forged = FOREIGN_SECRET.parse().expect("a secret");
    let refused = sender.deliver_signed("doc.2", body, now, &forged).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    described.check("POST", "/webhooks/nectar", refused.status, &refused.body);
    let malformed = br#"{"eventType":"connection.created.v2","id":7}"#;
    let bad = sender
        .deliver_signed("bad.1", malformed, now, &h.secret)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    described.check("POST", "/webhooks/nectar", bad.status, &bad.body);

    // Every read.
    let all = read(h, &described, "/connections", "/connections").await;
    assert_eq!(
        all["connections"].as_array().map(Vec::len),
        Some(3),
        "{all}"
    );
    read(
        h,
        &described,
        "/connections",
        "/connections?needs=end_user&limit=1",
    )
    .await;
    let page = read(h, &described, "/connections", "/connections?limit=2").await;
    assert!(page["next"].is_string(), "{page}");
    read(
        h,
        &described,
        "/connections",
        "/connections?status=PAUSED_BY_PROVIDER",
    )
    .await;
    read(h, &described, "/connections", "/connections?needs=someone").await;
    for id in ["a", "b", "c", "nobody"] {
        read(
            h,
            &described,
            "/connections/{id}",
            &format!("/connections/{id}"),
        )
        .await;
        read(
            h,
            &described,
            "/connections/{id}/notifications",
            &format!("/connections/{id}/notifications"),
        )
        .await;
    }
    let feed = eventually("the feed to show the entries", || async {
        let page = h.get("/notifications").await.body;
        (page["entries"].as_array().map(Vec::len) >= Some(2)).then_some(page)
    })
    .await;
    described.check("GET", "/notifications", StatusCode::OK, &feed);
    let first = read(h, &described, "/notifications", "/notifications?limit=1").await;
    let next = first["next"].as_str().expect("a cursor");
    read(
        h,
        &described,
        "/notifications",
        &format!("/notifications?after={next}"),
    )
    .await;
    read(
        h,
        &described,
        "/notifications",
        "/notifications?after=nonsense",
    )
    .await;
    read(h, &described, "/notifications", "/notifications?limit=0").await;
    let without = h.get_with("/connections", None).await;
    described.check("GET", "/connections", without.status, &without.body);

    // Redelivery with push off.
    let id = feed["entries"][0]["id"].as_str().expect("an id");
    let answer = post(h, &format!("/notifications/{id}/redeliver")).await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    described.check(
        "POST",
        "/notifications/{id}/redeliver",
        answer.status,
        &answer.body,
    );

    // The probes and the document itself.
    let healthz = h
        .http
        .get(h.url("/healthz"))
        .send()
        .await
        .expect("an answer");
    let status = healthz.status();
    let text = healthz.text().await.expect("text");
    described.check_text("GET", "/healthz", status, &text);
    let readyz = h.get_with("/readyz", None).await;
    described.check("GET", "/readyz", readyz.status, &readyz.body);
    let doc = h.get_with("/openapi.json", None).await;
    described.check("GET", "/openapi.json", doc.status, &doc.body);
}

/// With reconnect invitations on: the episode in the record and the worklist, the link in
/// the entries.
async fn answers_with_invitations_match_their_description(h: &Harness) {
    let described = Described::new(served(h).await);
    let company = Some(Company {
        id: Some("co-1".to_owned()),
        ..Company::default()
    });
    let connected = ConnectionPayload {
        company: company.clone(),
        ..connection("c-1", S::Connected, 0)
    };
    let broken = changed_status(&connected, S::PasswordIncorrect, 1);
    let api = NectarApi::start().await;
    api.put("co-1", broken.clone());
    let mut config = test_config(&h.db, api.addr);
    invitations_on(&mut config);
    config.api = ApiConfig {
        base_url: api.base_url(),
        key: Some(ApiKey::new(DOUBLE_API_KEY)),
    };
    config.etiquette.attempts = core::num::NonZeroU32::MIN;
    let worker = ActionWorker::new(
        config.actions,
        h.store.clone(),
        NectarClient::new(&config).expect("a client"),
    );
    change(h, &described, "m.1", None, &connected).await;
    change(h, &described, "m.2", Some(&connected), &broken).await;
    let record = read(h, &described, "/connections/{id}", "/connections/c-1").await;
    assert_eq!(record["invitation"]["state"], "wanted", "{record}");
    worker.work_due().await.expect("the worker runs");
    let record = read(h, &described, "/connections/{id}", "/connections/c-1").await;
    assert!(record["invitation"]["url"].is_string(), "{record}");
    let outbox = read(
        h,
        &described,
        "/connections/{id}/notifications",
        "/connections/c-1/notifications",
    )
    .await;
    assert!(
        outbox
            .as_array()
            .is_some_and(|es| es.iter().any(|e| e["invitation"]["url"].is_string())),
        "{outbox}"
    );
    let worklist = read(h, &described, "/connections", "/connections").await;
    assert!(
        worklist["connections"][0]["invitation"].is_object(),
        "{worklist}"
    );
    let feed = eventually("the feed to show the entry", || async {
        let page = h.get("/notifications").await.body;
        (page["entries"].as_array().map(Vec::len) >= Some(1)).then_some(page)
    })
    .await;
    described.check("GET", "/notifications", StatusCode::OK, &feed);
    api.stop();
}

/// The app's signing secret.
const APP_SECRET: &str = "whsec_dGhpcyBpcyB0aGUgYXBwJ3Mgc2VjcmV0IQ==";

/// Every message pushed to the app validates against the `webhooks` description, its
/// headers are the described ones, and a redelivery is answered as described.
async fn pushed_messages_match_the_webhooks_description(h: &Harness) {
    let described = Described::new(served(h).await);
    let app = AppDouble::start(APP_SECRET).await;
    let mut config = test_config(&h.db, h.nectar.addr);
    config.push.url = Some(app.url());
    config.push.secret = Some(APP_SECRET.parse().expect("a secret"));
    config.push.check_every = Duration::from_millis(20);
    let running = nectar_receiver::start(&config, h.store.clone())
        .await
        .expect("a receiver that pushes");
    let a = connection("a", S::Connected, 0);
    for state in [
        a.clone(),
        changed_status(&a, S::PasswordIncorrect, 10),
        changed_status(&a, S::Connected, 20),
    ] {
        h.store
            .observe(Observation::Snapshot(&state), Timestamp::now())
            .await
            .expect("observed");
    }
    let received = eventually("the pushes", || async {
        let received = app.received();
        (received.iter().filter(|r| r.is_accepted()).count() >= 2).then_some(received)
    })
    .await;
    let webhook = &described.doc["webhooks"]["connectionEntry"]["post"];
    let schema = webhook["requestBody"]["content"]["application/json"]["schema"].clone();
    let headers: BTreeSet<&str> = webhook["parameters"]
        .as_array()
        .expect("the headers")
        .iter()
        .filter(|p| p["in"] == "header")
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        headers,
        BTreeSet::from(["webhook-id", "webhook-timestamp", "webhook-signature"])
    );
    for message in &received {
        assert!(message.verified, "signed as described");
        assert_eq!(
            Some(message.webhook_id.as_str()),
            message.body["data"]["id"].as_str()
        );
        described.validate(&schema, &message.body, "a pushed message");
        assert_eq!(
            message.body["type"],
            format!(
                "nectar.connection.{}",
                message.body["data"]["notification"]
                    .as_str()
                    .unwrap_or_default()
            )
        );
    }
    let id = received[0].webhook_id.clone();
    let answer = post_to(
        h,
        format!("http://{}/notifications/{id}/redeliver", running.addr()),
    )
    .await;
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{}", answer.body);
    described.check(
        "POST",
        "/notifications/{id}/redeliver",
        answer.status,
        &answer.body,
    );
    let missing = format!(
        "http://{}/notifications/ntf_999999/redeliver",
        running.addr()
    );
    let answer = post_to(h, missing).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    described.check(
        "POST",
        "/notifications/{id}/redeliver",
        answer.status,
        &answer.body,
    );
    crate::support::stop_receiver(running, &h.store).await;
    app.stop();
}

/// `POST path` with the token and no body.
async fn post(h: &Harness, path: &str) -> crate::support::Answer {
    post_to(h, h.url(path)).await
}

/// `POST url` with the token and no body.
async fn post_to(h: &Harness, url: String) -> crate::support::Answer {
    let response = h
        .http
        .post(url)
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    let bytes = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    crate::support::Answer { status, body }
}

// ---------------------------------------------------------------------------------------

/// The document's operations, as `METHOD path`.
fn operations(doc: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                found.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    found
}

/// The routes written in `receiver/src/http` (every `.route(PATH, METHOD(handler)...)`, the
/// path a literal or a `const` of those files), as `METHOD path`; a `route_service`,
/// `nest` or `nest_service` counts as `ANY path`.
fn routes_in_source() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut sources = Vec::new();
    collect_sources(&dir, &mut sources);
    let text: String = sources
        .iter()
        .flat_map(|source| source.lines())
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let consts = string_consts(&text);
    let mut routes = BTreeSet::new();
    for call in [".route(", ".route_service(", ".nest(", ".nest_service("] {
        let mut rest = text.as_str();
        while let Some(at) = rest.find(call) {
            rest = &rest[at + call.len()..];
            let args = balanced(rest);
            let (first, second) = args.split_once(',').unwrap_or((args, ""));
            let first = first.trim();
            let path = match first.strip_prefix('"') {
                Some(literal) => literal.trim_end_matches('"').to_owned(),
                None => {
                    let name = first.rsplit("::").next().unwrap_or(first);
                    consts.get(name).cloned().unwrap_or_else(|| {
                        panic!("the path `{first}` of a route is not a const of receiver/src/http")
                    })
                }
            };
            if call == ".route(" {
                for method in methods(second) {
                    routes.insert(format!("{method} {path}"));
                }
            } else {
                routes.insert(format!("ANY {path}"));
            }
        }
    }
    routes
}

fn collect_sources(dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("receiver/src/http")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).expect("a source file"));
        }
    }
}

/// `const NAME: &str = "value";` of `text`.
fn string_consts(text: &str) -> BTreeMap<String, String> {
    let mut consts = BTreeMap::new();
    for line in text.lines() {
        let Some((_, rest)) = line.split_once("const ") else {
            continue;
        };
        let Some((name, value)) = rest.split_once(": &str = \"") else {
            continue;
        };
        if let Some(value) = value.strip_suffix("\";") {
            consts.insert(name.trim().to_owned(), value.to_owned());
        }
    }
    consts
}

/// The text up to the `)` closing the call whose arguments start `text`.
fn balanced(text: &str) -> &str {
    let mut depth = 0_i32;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return &text[..i],
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    text
}

/// The HTTP methods of a method router written as `get(a).post(b)` (or `routing::get(a)`).
fn methods(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for (word, method) in [
        ("get", "GET"),
        ("post", "POST"),
        ("put", "PUT"),
        ("patch", "PATCH"),
        ("delete", "DELETE"),
        ("head", "HEAD"),
        ("options", "OPTIONS"),
        ("trace", "TRACE"),
        ("any", "ANY"),
    ] {
        let mut rest = text;
        while let Some(at) = rest.find(word) {
            let before = text.len() - rest.len() + at;
            let after = &rest[at + word.len()..];
            let starts = before == 0
                || !text[..before]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
            if starts && after.trim_start().starts_with('(') {
                found.push(method);
                break;
            }
            rest = after;
        }
    }
    found
}

/// The document, and answers checked against it with a JSON Schema 2020-12 validator: each
/// object it describes closed to properties it does not describe (`unevaluatedProperties:
/// false`), so a field served and not described fails too.
struct Described {
    doc: Value,
    /// `components`, closed.
    components: Value,
}

impl Described {
    fn new(doc: Value) -> Self {
        let mut components = doc["components"].clone();
        let targets = all_of_targets(&components);
        if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
            for (name, schema) in schemas.iter_mut() {
                close(schema, !targets.contains(name));
            }
        }
        Self { doc, components }
    }

    /// Validates `instance` against `schema` (which may refer to the components).
    fn validate(&self, schema: &Value, instance: &Value, what: &str) {
        let errors = self.errors(schema, instance);
        assert!(
            errors.is_empty(),
            "{what}: {instance:#}\ndoes not match its description {schema:#}:\n{}",
            errors.join("\n")
        );
    }

    /// Why `instance` does not match `schema` (which may refer to the components).
    fn errors(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let what = "the schema";
        let mut schema = schema.clone();
        close(&mut schema, true);
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.components,
            "$ref": "#/$defs/answer",
            "$defs": { "answer": schema },
        });
        let validator = jsonschema::draft202012::new(&root)
            .unwrap_or_else(|err| panic!("a valid schema for {what}: {err}"));
        validator
            .iter_errors(instance)
            .map(|err| format!("{} at {}", err, err.instance_path()))
            .collect()
    }

    /// The schema documented for `status` of `METHOD template` in `content_type`.
    fn schema(
        &self,
        method: &str,
        template: &str,
        status: StatusCode,
        content_type: &str,
    ) -> Value {
        let operation = &self.doc["paths"][template][method.to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {template} is not described"
        );
        let response = &operation["responses"][status.as_str()];
        assert!(
            response.is_object(),
            "{method} {template} answered {status}, which is not described"
        );
        let content = &response["content"];
        content
            .as_object()
            .and_then(|content| {
                content
                    .iter()
                    .find(|(ct, _)| ct.starts_with(content_type))
                    .map(|(_, media)| media["schema"].clone())
            })
            .unwrap_or_else(|| {
                panic!("{method} {template} {status}: no {content_type} described: {content}")
            })
    }

    /// A JSON answer of `METHOD template` matches what is described for its status.
    fn check(&self, method: &str, template: &str, status: StatusCode, body: &Value) {
        let schema = self.schema(method, template, status, "application/json");
        self.validate(&schema, body, &format!("{method} {template} {status}"));
    }

    /// A text answer of `METHOD template` matches what is described for its status.
    fn check_text(&self, method: &str, template: &str, status: StatusCode, body: &str) {
        let schema = self.schema(method, template, status, "text/plain");
        self.validate(
            &schema,
            &Value::from(body),
            &format!("{method} {template} {status}"),
        );
    }
}

/// The components that are a branch of an `allOf` (through `$ref`): left open, since the
/// properties of the other branches are theirs to evaluate; the holder is closed instead.
fn all_of_targets(value: &Value) -> BTreeSet<String> {
    let mut targets = BTreeSet::new();
    fn walk(value: &Value, targets: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                if let Some(branches) = map.get("allOf").and_then(Value::as_array) {
                    for branch in branches {
                        if let Some(name) = branch["$ref"]
                            .as_str()
                            .and_then(|r| r.strip_prefix("#/components/schemas/"))
                        {
                            targets.insert(name.to_owned());
                        }
                    }
                }
                map.values().for_each(|v| walk(v, targets));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, targets)),
            _ => {}
        }
    }
    walk(value, &mut targets);
    targets
}

/// Closes `schema` and every object schema in it to undescribed properties, but for
/// branches of an `allOf` (their holder is closed) and, when `!this`, `schema` itself.
fn close(schema: &mut Value, this: bool) {
    let Value::Object(map) = schema else {
        return;
    };
    let describes_object = map.contains_key("properties") || map.contains_key("allOf");
    if this
        && describes_object
        && !map.contains_key("additionalProperties")
        && !map.contains_key("unevaluatedProperties")
    {
        map.insert("unevaluatedProperties".to_owned(), Value::Bool(false));
    }
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "properties" => {
                if let Some(properties) = value.as_object_mut() {
                    properties.values_mut().for_each(|p| close(p, true));
                }
            }
            "allOf" => {
                if let Some(branches) = value.as_array_mut() {
                    branches.iter_mut().for_each(|b| close(b, false));
                }
            }
            "oneOf" | "anyOf" => {
                if let Some(branches) = value.as_array_mut() {
                    branches.iter_mut().for_each(|b| close(b, true));
                }
            }
            "items" | "additionalProperties" => close(value, true),
            _ => {}
        }
    }
}
