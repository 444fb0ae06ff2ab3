//! Polling: the bodies of `GET /connection/{id}/details` and `GET /connection/company/{id}`
//! (`support/fixtures/polls/`), the request paths, and the client-side status filter.

use nectar_lifecycle_core::{AccountStatus, ConnectionStatus as S, Enumerated, TrackingStatus};
use nectar_lifecycle_support::{poll_fixture as fixture, poll_fixtures, webhook_fixture};
use nectar_lifecycle_webhook::{
    self as webhook, COMPANY_LIST_KEYS, CompanyListQuery, ConnectionPayload, Reported, WebhookError,
};

fn details(name: &str) -> ConnectionPayload {
    webhook::parse_details(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn list(name: &str) -> Vec<ConnectionPayload> {
    webhook::parse_company_list(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The fields and messages of an [`WebhookError::Invalid`] rejection, anything else a failure.
fn invalid(parsed: Result<impl std::fmt::Debug, WebhookError>) -> (String, String) {
    match parsed {
        Err(WebhookError::Invalid { field, message }) => (field, message),
        other => panic!("expected an invalid field: {other:?}"),
    }
}

fn ids(connections: &[ConnectionPayload]) -> Vec<&str> {
    connections.iter().map(|c| c.id.as_str()).collect()
}

#[test]
fn every_good_fixture_parses_and_round_trips() {
    let mut names: Vec<String> = std::fs::read_dir(poll_fixtures())
        .expect("fixtures")
        .map(|entry| {
            let name = entry.expect("entry").file_name();
            name.into_string().expect("utf-8")
        })
        .filter(|name| !name.starts_with("bad-"))
        .collect();
    names.sort();
    for name in &names {
        if name.starts_with("details") {
            let parsed = details(name);
            let json = serde_json::to_vec(&parsed).expect("serializes");
            assert_eq!(webhook::parse_details(&json), Ok(parsed), "{name}");
        } else {
            let parsed = list(name);
            let json = serde_json::to_vec(&parsed).expect("serializes");
            assert_eq!(webhook::parse_company_list(&json), Ok(parsed), "{name}");
        }
    }
    assert_eq!(
        names,
        [
            "company-list-wrapped.json",
            "company-list.json",
            "details-company-inactive.json",
            "details-unknown-status.json",
            "details.json",
        ]
    );
}

#[test]
fn a_details_body_has_every_documented_field() {
    let c = details("details.json");
    assert_eq!(c.id, "a6c70a54-34e7-4277-80b0-412869ce087c");
    assert_eq!(c.status, S::PasswordIncorrect.into());
    assert_eq!(
        c.status_last_update_time.map(|t| t.to_string()).as_deref(),
        Some("2026-12-02T07:30:00Z")
    );
    assert!(
        c.status_error_detail
            .is_some_and(|d| d.contains("rejected"))
    );
    assert_eq!(c.external_id.as_deref(), Some("my-conn-001"));
    assert_eq!(c.is_active, Some(true));
    assert_eq!(
        c.datasource.and_then(|d| d.name).as_deref(),
        Some("Pacific Gas & Electric")
    );
    assert_eq!(c.company.and_then(|co| co.id).as_deref(), Some("c-42"));
    assert_eq!(c.workflow_owner_email.as_deref(), Some("ops@acme.example"));
    let [string_flag, bool_flag] = c.accounts.as_slice() else {
        panic!("two accounts: {:?}", c.accounts);
    };
    assert_eq!(
        string_flag.status,
        Some(AccountStatus::WorkflowNotAccessible.into())
    );
    assert_eq!(
        string_flag.tracking_status,
        Some(TrackingStatus::Enabled.into())
    );
    assert_eq!(
        string_flag.is_duplicated,
        Some(webhook::Duplicated::Text("false".to_owned()))
    );
    assert_eq!(
        bool_flag.tracking_status,
        Some(TrackingStatus::Disabled.into())
    );
    assert_eq!(
        bool_flag.is_duplicated,
        Some(webhook::Duplicated::Bool(false))
    );
    assert_eq!(bool_flag.last_service_date.as_deref(), Some("2025-06-30"));
}

#[test]
fn unknown_statuses_are_kept_and_unknown_fields_ignored() {
    let c = details("details-unknown-status.json");
    assert_eq!(c.status, Reported::Unknown("PAUSED_BY_PROVIDER".to_owned()));
    assert_eq!(
        c.accounts[0].status,
        Some(Reported::Unknown("ARCHIVED_BY_UTILITY".to_owned()))
    );
    assert_eq!(
        c.accounts[0].tracking_status,
        Some(Reported::Unknown("PAUSED".to_owned()))
    );
}

#[test]
fn a_company_inactive_connection_without_is_active_or_external_id() {
    let c = details("details-company-inactive.json");
    assert_eq!(c.status, S::CompanyInactive.into());
    assert_eq!((c.is_active, c.external_id), (None, None));
    assert_eq!(c.status_error_detail, None);
    assert_eq!(
        c.accounts[0].status,
        Some(AccountStatus::CompanyInactive.into())
    );
}

#[test]
fn details_read_a_webhooks_connection_as_the_webhook_parser_does() {
    // A webhook body is a details body with an envelope beside it: the same fields, the
    // same tolerance, the same errors.
    for name in [
        "created.json",
        "validated.json",
        "minimal.json",
        "unknown-status.json",
    ] {
        let body = webhook_fixture(name);
        let event = webhook::parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            webhook::parse_details(&body),
            Ok(event.connection),
            "{name}"
        );
    }
    for name in [
        "bad-wrong-type.json",
        "bad-account-type.json",
        "bad-timestamp.json",
        "bad-missing-id.json",
        "bad-truncated.json.txt",
    ] {
        let body = webhook_fixture(name);
        let details = webhook::parse_details(&body).map(drop);
        assert_eq!(details, webhook::parse(&body).map(drop), "{name}");
        assert!(details.is_err(), "{name}");
    }
}

#[test]
fn a_bare_list_and_a_wrapped_one() {
    let bare = list("company-list.json");
    assert_eq!(ids(&bare), ["c-101", "c-102", "c-103"]);
    let statuses: Vec<_> = bare.iter().map(|c| c.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            S::Connected.into(),
            S::PasswordIncorrect.into(),
            S::Pending.into()
        ]
    );
    // Nulls read as absent: `accounts: null` is no accounts.
    assert!(bare[2].accounts.is_empty() && bare[2].status_last_update_time.is_none());

    let wrapped = list("company-list-wrapped.json");
    assert_eq!(ids(&wrapped), ["c-201", "c-202", "c-203", "c-204"]);
    assert_eq!(
        wrapped[1].status,
        Reported::Unknown("PAUSED_BY_PROVIDER".to_owned())
    );
    assert_eq!(
        wrapped[2].status,
        S::PasswordIncorrect.into(),
        "the sandbox alias"
    );
}

#[test]
fn every_documented_key_holds_the_list_and_null_is_empty() {
    let bare = String::from_utf8(fixture("company-list.json")).expect("utf-8");
    for key in COMPANY_LIST_KEYS {
        let body = format!(r#"{{"total":3,"{key}":{bare},"next":"cursor-2"}}"#);
        assert_eq!(
            webhook::parse_company_list(body.as_bytes()),
            Ok(list("company-list.json")),
            "{key}"
        );
        let body = format!(r#"{{"{key}":null}}"#);
        assert_eq!(webhook::parse_company_list(body.as_bytes()), Ok(vec![]));
    }
    assert_eq!(webhook::parse_company_list(b"[]"), Ok(vec![]));
}

#[test]
fn bad_bodies_are_typed_errors_naming_the_field_or_index() {
    assert!(matches!(
        webhook::parse_details(&fixture("bad-truncated.json.txt")),
        Err(WebhookError::Malformed { line: 8, .. })
    ));
    assert_eq!(
        invalid(webhook::parse_details(&fixture("bad-status-type.json"))),
        (
            "status".to_owned(),
            "invalid type: map, expected a string".to_owned()
        )
    );
    assert_eq!(
        invalid(webhook::parse_company_list(&fixture(
            "bad-list-element.json"
        ))),
        (
            "[3].status".to_owned(),
            "invalid type: null, expected a string".to_owned()
        )
    );
    let wrapped = br#"{"data":[{"id":"c1","status":"CONNECTED"},
        {"id":"c2","status":"CONNECTED","accounts":[{"isTracked":"no"}]}]}"#;
    assert_eq!(
        invalid(webhook::parse_company_list(wrapped)).0,
        "data[1].accounts[0].isTracked"
    );
    assert_eq!(
        invalid(webhook::parse_company_list(
            br#"[{"id":"c1","status":"CONNECTED"},{}]"#
        )),
        ("[1]".to_owned(), "missing field `id`".to_owned())
    );
}

#[test]
fn a_body_of_another_shape_says_what_was_expected() {
    const LIST: &str = "an array of connection objects, or an object holding one under \
                        `connections`, `data`, `results` or `items`";
    assert_eq!(
        invalid(webhook::parse_company_list(&fixture(
            "bad-list-envelope.json"
        ))),
        (
            ".".to_owned(),
            format!("invalid value: map, expected {LIST}")
        )
    );
    // A details body where a list should be.
    assert_eq!(
        invalid(webhook::parse_company_list(&fixture("details.json"))).1,
        format!("invalid value: map, expected {LIST}")
    );
    assert_eq!(
        invalid(webhook::parse_company_list(b"\"c-42\"")).1,
        format!("invalid type: string \"c-42\", expected {LIST}")
    );
    assert_eq!(
        invalid(webhook::parse_company_list(br#"{"data":[],"items":[]}"#)),
        (
            ".".to_owned(),
            "a second list of connections, under `items` (the first was under `data`)".to_owned()
        )
    );
    assert_eq!(
        invalid(webhook::parse_company_list(
            br#"{"connections":{"id":"c1"}}"#
        )),
        (
            "connections".to_owned(),
            "invalid type: map, expected a sequence".to_owned()
        )
    );
    // A connection is an object, not an array of its field values.
    let expected_object =
        |found: &str| format!("invalid type: {found}, expected a connection object");
    assert_eq!(
        invalid(webhook::parse_details(br#"["c1","CONNECTED"]"#)),
        (".".to_owned(), expected_object("sequence"))
    );
    assert_eq!(
        invalid(webhook::parse_company_list(br#"[["c1","CONNECTED"]]"#)),
        ("[0]".to_owned(), expected_object("sequence"))
    );
    assert_eq!(
        invalid(webhook::parse_details(b"null")),
        (".".to_owned(), expected_object("null"))
    );
    let malformed = |column, message: &str| WebhookError::Malformed {
        line: 1,
        column,
        message: message.to_owned(),
    };
    assert_eq!(
        webhook::parse_details(br#"{"id":"c1","status":"CONNECTED"} {}"#),
        Err(malformed(34, "trailing characters"))
    );
    assert_eq!(
        webhook::parse_company_list(b""),
        Err(malformed(0, "EOF while parsing a value"))
    );
}

#[test]
fn no_prefix_of_a_body_panics() {
    for name in [
        "details.json",
        "company-list.json",
        "company-list-wrapped.json",
    ] {
        let body = fixture(name);
        // Every prefix short of the closing bracket (the body ends in a newline).
        for end in 0..body.trim_ascii_end().len() {
            let prefix = &body[..end];
            assert!(webhook::parse_details(prefix).is_err(), "{name}[..{end}]");
            assert!(
                webhook::parse_company_list(prefix).is_err(),
                "{name}[..{end}]"
            );
        }
    }
}

#[test]
fn bodies_over_the_limit_are_refused_before_parsing() {
    type Parser = fn(&[u8]) -> Result<(), WebhookError>;
    let details: Parser = |body| webhook::parse_details(body).map(drop);
    let list: Parser = |body| webhook::parse_company_list(body).map(drop);
    for (parse, max) in [
        (details, webhook::MAX_BODY_BYTES),
        (list, webhook::MAX_LIST_BODY_BYTES),
    ] {
        let body = vec![b' '; max + 1];
        assert_eq!(
            parse(&body),
            Err(WebhookError::TooLarge { len: max + 1, max })
        );
    }
    let body = fixture("details.json");
    assert!(matches!(
        webhook::parse_details_with_limit(&body, body.len() - 1),
        Err(WebhookError::TooLarge { .. })
    ));
    assert!(webhook::parse_details_with_limit(&body, body.len()).is_ok());
    assert!(matches!(
        webhook::parse_company_list_with_limit(&fixture("company-list.json"), 100),
        Err(WebhookError::TooLarge { max: 100, .. })
    ));

    // A list holds many connections: past a webhook's limit, within its own.
    let one = String::from_utf8(body).expect("utf-8");
    let count = webhook::MAX_BODY_BYTES / one.len() + 1;
    let many = format!("[{}]", vec![one.as_str(); count].join(","));
    assert!(many.len() > webhook::MAX_BODY_BYTES);
    assert_eq!(
        webhook::parse_company_list(many.as_bytes()).map(|l| l.len()),
        Ok(count)
    );
}

#[test]
fn the_query_paths() {
    assert_eq!(
        webhook::details_path("a6c70a54-34e7-4277-80b0-412869ce087c"),
        "/connection/a6c70a54-34e7-4277-80b0-412869ce087c/details"
    );
    assert_eq!(
        webhook::details_path("a b/c?d#e%"),
        "/connection/a%20b%2Fc%3Fd%23e%25/details"
    );
    assert_eq!(
        CompanyListQuery::new("c-42").path(),
        "/connection/company/c-42"
    );
    assert_eq!(
        CompanyListQuery::new("c-42")
            .with_status(S::PasswordIncorrect)
            .path(),
        "/connection/company/c-42?status=PASSWORD_INCORRECT"
    );
    assert_eq!(
        CompanyListQuery::new("Société Générale").path(),
        "/connection/company/Soci%C3%A9t%C3%A9%20G%C3%A9n%C3%A9rale"
    );
    // Every status goes as its API value, which needs no encoding.
    for &status in S::ALL {
        let path = CompanyListQuery::new("c").with_status(status).path();
        assert_eq!(path, format!("/connection/company/c?status={status}"));
        assert!(
            status
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_'),
            "{status}"
        );
    }
}

#[test]
fn the_status_filter_client_side() {
    let wrapped = list("company-list-wrapped.json");
    let query = CompanyListQuery::new("c-42");
    // The alias INCORRECT_PASSWORD is the status PASSWORD_INCORRECT.
    assert_eq!(
        ids(&query
            .clone()
            .with_status(S::PasswordIncorrect)
            .filter(wrapped.clone())),
        ["c-201", "c-203"]
    );
    assert_eq!(
        ids(&query
            .clone()
            .with_status(S::Deactivated)
            .filter(wrapped.clone())),
        ["c-204"]
    );
    // No filter keeps all, the unknown status too.
    assert_eq!(query.filter(wrapped.clone()), wrapped);
    // An unknown status passes no known-status filter.
    for &status in S::ALL {
        let filtered = query.clone().with_status(status).filter(wrapped.clone());
        assert!(!ids(&filtered).contains(&"c-202"), "{status}");
        assert!(
            filtered.iter().all(|c| c.status == status.into()),
            "{status}"
        );
    }
    let bare = list("company-list.json");
    assert_eq!(ids(&query.with_status(S::Pending).filter(bare)), ["c-103"]);
}
