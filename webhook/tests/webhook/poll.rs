//! Polling: the bodies of `GET /connection/{id}/details` and `GET /connection/company/{id}`
//! (`support/fixtures/polls/`), the request paths, and the client-side status filter.

use nectar_lifecycle_core::{AccountStatus, ConnectionStatus as S, Enumerated, TrackingStatus};
use nectar_lifecycle_support::{poll_fixture as fixture, poll_fixtures, webhook_fixture};
use nectar_lifecycle_webhook::{
    self as webhook, COMPANY_LIST_KEYS, CompanyListPage, CompanyListQuery, ConnectionPayload,
    PageLimit, PageNumber, QueryError, Reported, WebhookError,
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

/// Page `n`, which must be valid.
fn page_number(n: u32) -> PageNumber {
    PageNumber::new(n).unwrap_or_else(|e| panic!("{e}"))
}

/// Nectar's envelope for page 2 of 3, two connections per page, as the docs list its fields.
const ENVELOPE: &str = r#"{"totalConnections":5,"perPage":2,"totalPages":3,"currentPage":2,
    "hasNext":true,"hasPrevious":true,"connections":[{"id":"c3","status":"CONNECTED"},
    {"id":"c4","status":"NEW_PASSWORD_NEEDED","someNewField":1}]}"#;

/// [`ENVELOPE`], read by hand.
fn envelope() -> CompanyListPage {
    CompanyListPage {
        total_connections: Some(5),
        per_page: Some(2),
        total_pages: Some(3),
        current_page: Some(page_number(2)),
        has_next: Some(true),
        has_previous: Some(true),
        connections: vec![
            ConnectionPayload::new("c3", S::Connected),
            ConnectionPayload::new("c4", S::NewPasswordNeeded),
        ],
    }
}

#[test]
fn the_page_envelope_reads_every_documented_field() {
    let page = webhook::parse_company_page(ENVELOPE.as_bytes());
    assert_eq!(page, Ok(envelope()));
    assert!(!envelope().is_last());
    // The list alone, as before the envelope was documented.
    assert_eq!(
        webhook::parse_company_list(ENVELOPE.as_bytes()),
        Ok(envelope().connections)
    );
}

#[test]
fn a_bare_array_is_one_complete_page() {
    for (body, count) in [
        (
            &br#"[{"id":"c1","status":"CONNECTED"},{"id":"c2","status":"PENDING"}]"#[..],
            2,
        ),
        (b"[]", 0),
    ] {
        let page = webhook::parse_company_page(body).expect("a bare array");
        assert_eq!(page.connections.len(), count);
        assert_eq!(page.total_connections, Some(count as u64));
        assert_eq!(
            (page.total_pages, page.current_page),
            (Some(1), Some(PageNumber::FIRST))
        );
        assert_eq!(
            (page.has_next, page.has_previous),
            (Some(false), Some(false))
        );
        assert!(page.is_last());
    }
    let fixture = webhook::parse_company_page(&fixture("company-list.json")).expect("fixture");
    assert_eq!(fixture, CompanyListPage::single(list("company-list.json")));
}

#[test]
fn the_envelope_holds_its_list_under_any_documented_key() {
    for key in COMPANY_LIST_KEYS {
        let body = ENVELOPE.replace(r#""connections":"#, &format!(r#""{key}":"#));
        assert_eq!(
            webhook::parse_company_page(body.as_bytes()),
            Ok(envelope()),
            "{key}"
        );
        // The list first, the page fields after it, unknown members between.
        let body = format!(
            r#"{{"{key}":[],"next":"cursor","currentPage":3,"totalPages":3,"hasNext":false}}"#
        );
        let page = webhook::parse_company_page(body.as_bytes()).expect("an envelope");
        assert_eq!(
            (page.current_page, page.total_pages, page.has_next),
            (Some(page_number(3)), Some(3), Some(false)),
            "{key}"
        );
        assert!(page.connections.is_empty() && page.is_last(), "{key}");
    }
}

#[test]
fn a_missing_or_null_page_field_reads_as_absent() {
    /// Each page field, and the envelope without it.
    type Without = fn(CompanyListPage) -> CompanyListPage;
    let fields: [(&str, &str, Without); 6] = [
        ("totalConnections", "5", |p| CompanyListPage {
            total_connections: None,
            ..p
        }),
        ("perPage", "2", |p| CompanyListPage {
            per_page: None,
            ..p
        }),
        ("totalPages", "3", |p| CompanyListPage {
            total_pages: None,
            ..p
        }),
        ("currentPage", "2", |p| CompanyListPage {
            current_page: None,
            ..p
        }),
        ("hasNext", "true", |p| CompanyListPage {
            has_next: None,
            ..p
        }),
        ("hasPrevious", "true", |p| CompanyListPage {
            has_previous: None,
            ..p
        }),
    ];
    for (field, value, without) in fields {
        let member = format!(r#""{field}":{value},"#);
        assert!(ENVELOPE.contains(&member), "{field}");
        let missing = ENVELOPE.replace(&member, "");
        let null = ENVELOPE.replace(&member, &format!(r#""{field}":null,"#));
        for body in [missing, null] {
            assert_eq!(
                webhook::parse_company_page(body.as_bytes()),
                Ok(without(envelope())),
                "{body}"
            );
        }
    }
    // All of them missing, or null: a list that cannot say that more follow.
    for body in [
        r#"{"connections":[]}"#,
        r#"{"totalConnections":null,"perPage":null,"totalPages":null,"currentPage":null,
            "hasNext":null,"hasPrevious":null,"connections":null}"#,
    ] {
        let page = webhook::parse_company_page(body.as_bytes());
        assert_eq!(page, Ok(CompanyListPage::default()), "{body}");
        assert!(CompanyListPage::default().is_last());
    }
}

#[test]
fn a_page_field_of_the_wrong_type_is_named() {
    let cases = [
        (
            r#""hasNext":"yes""#,
            "hasNext",
            r#"invalid type: string "yes", expected a boolean"#,
        ),
        (
            r#""hasPrevious":1"#,
            "hasPrevious",
            "invalid type: integer `1`, expected a boolean",
        ),
        (
            r#""totalPages":"3""#,
            "totalPages",
            r#"invalid type: string "3", expected u32"#,
        ),
        (
            r#""perPage":-1"#,
            "perPage",
            "invalid value: integer `-1`, expected u32",
        ),
        (
            r#""totalConnections":1.5"#,
            "totalConnections",
            "invalid type: floating point `1.5`, expected u64",
        ),
        (
            r#""currentPage":0"#,
            "currentPage",
            "invalid value: integer `0`, expected a page from 1",
        ),
        (
            r#""currentPage":4294967296"#,
            "currentPage",
            "invalid value: integer `4294967296`, expected u32",
        ),
        (
            r#""currentPage":[2]"#,
            "currentPage",
            "invalid type: sequence, expected u32",
        ),
    ];
    for (member, field, message) in cases {
        // Before the list and after it.
        for body in [
            format!(r#"{{{member},"connections":[]}}"#),
            format!(r#"{{"connections":[],{member}}}"#),
        ] {
            assert_eq!(
                invalid(webhook::parse_company_page(body.as_bytes())),
                (field.to_owned(), message.to_owned()),
                "{body}"
            );
        }
    }
    // An element of the list, by its index under the key.
    let body = br#"{"currentPage":1,"connections":[{"id":"c1","status":"CONNECTED"},
        {"id":"c2","status":"CONNECTED"},{"id":"c3","status":7}],"hasNext":false}"#;
    assert_eq!(
        invalid(webhook::parse_company_page(body)),
        (
            "connections[2].status".to_owned(),
            "invalid type: integer `7`, expected a string".to_owned()
        )
    );
}

#[test]
fn a_page_field_given_twice_is_refused() {
    for field in [
        "totalConnections",
        "perPage",
        "totalPages",
        "currentPage",
        "hasNext",
        "hasPrevious",
    ] {
        let value = if field.starts_with("has") {
            "true"
        } else {
            "1"
        };
        // Even with the same value, or null the first time.
        for first in [value, "null"] {
            let body = format!(r#"{{"{field}":{first},"connections":[],"{field}":{value}}}"#);
            assert_eq!(
                invalid(webhook::parse_company_page(body.as_bytes())),
                (".".to_owned(), format!("duplicate field `{field}`")),
                "{body}"
            );
        }
    }
}

#[test]
fn which_page_is_the_last() {
    let page = |current: Option<u32>, total: Option<u32>, has_next: Option<bool>| CompanyListPage {
        current_page: current.map(page_number),
        total_pages: total,
        has_next,
        ..CompanyListPage::default()
    };
    let cases = [
        // `hasNext` decides when it says no more.
        ((Some(1), Some(3), Some(false)), true),
        ((None, None, Some(false)), true),
        // `currentPage` reaching `totalPages` ends, whatever `hasNext` claims.
        ((Some(3), Some(3), Some(true)), true),
        ((Some(4), Some(3), None), true),
        ((Some(1), Some(0), Some(true)), true),
        ((Some(2), Some(3), Some(true)), false),
        ((Some(2), Some(3), None), false),
        // Without `currentPage`, `totalPages` alone says more may follow.
        ((None, Some(3), None), false),
        ((None, Some(1), Some(true)), false),
        // `hasNext: true` alone says more follow.
        ((Some(7), None, Some(true)), false),
        // Neither `hasNext` nor `totalPages`: nothing says more follow.
        ((Some(7), None, None), true),
        ((None, None, None), true),
    ];
    for ((current, total, has_next), last) in cases {
        assert_eq!(
            page(current, total, has_next).is_last(),
            last,
            "currentPage {current:?}, totalPages {total:?}, hasNext {has_next:?}"
        );
    }
}

#[test]
fn the_envelope_serializes_as_documented_and_round_trips() {
    let json = serde_json::to_value(envelope()).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({
            "totalConnections": 5, "perPage": 2, "totalPages": 3, "currentPage": 2,
            "hasNext": true, "hasPrevious": true,
            "connections": serde_json::to_value(envelope().connections).expect("serializes"),
        })
    );
    let bytes = serde_json::to_vec(&envelope()).expect("serializes");
    assert_eq!(webhook::parse_company_page(&bytes), Ok(envelope()));
    // Absent fields are left out; the list is always there.
    let bare = CompanyListPage::default();
    assert_eq!(
        serde_json::to_value(&bare).expect("serializes"),
        serde_json::json!({"connections": []})
    );
    let bytes = serde_json::to_vec(&bare).expect("serializes");
    assert_eq!(webhook::parse_company_page(&bytes), Ok(bare));
}

#[test]
fn page_and_limit_go_in_the_path_after_the_status() {
    let query = CompanyListQuery::new("c-42");
    let paged = |page: u32, limit: u32| {
        query
            .clone()
            .with_page(page)
            .and_then(|q| q.with_limit(limit))
            .map(|q| q.path())
    };
    assert_eq!(
        paged(1, 1).as_deref(),
        Ok("/connection/company/c-42?page=1&limit=1")
    );
    assert_eq!(
        paged(u32::MAX, 500).as_deref(),
        Ok("/connection/company/c-42?page=4294967295&limit=500")
    );
    // The order is status, page, limit, whatever order they were set in.
    let all = query
        .clone()
        .with_limit(25)
        .and_then(|q| q.with_page(3))
        .map(|q| q.with_status(S::MfaTokenExpired).path());
    assert_eq!(
        all.as_deref(),
        Ok("/connection/company/c-42?status=MFA_TOKEN_EXPIRED&page=3&limit=25")
    );
    assert_eq!(
        query.clone().per_page(PageLimit::DEFAULT).path(),
        "/connection/company/c-42?limit=100"
    );
    assert_eq!(
        query
            .clone()
            .at_page(page_number(9))
            .per_page(PageLimit::MIN)
            .path(),
        "/connection/company/c-42?page=9&limit=1"
    );
    // A page set twice: the last one.
    let again = query.clone().with_page(2).and_then(|q| q.with_page(5));
    assert_eq!(
        again.map(|q| q.path()).as_deref(),
        Ok("/connection/company/c-42?page=5")
    );
}

#[test]
fn a_page_or_limit_out_of_range_is_a_typed_error_and_never_sent() {
    let query = CompanyListQuery::new("c-42");
    assert_eq!(
        query.clone().with_page(0),
        Err(QueryError::Page { page: 0 })
    );
    for limit in [0, 501, 1000, u32::MAX] {
        assert_eq!(
            query.clone().with_limit(limit),
            Err(QueryError::Limit { limit })
        );
        assert_eq!(PageLimit::new(limit), Err(QueryError::Limit { limit }));
    }
    for limit in [1, 2, 100, 499, 500] {
        assert_eq!(PageLimit::new(limit).map(PageLimit::get), Ok(limit));
    }
    assert_eq!(
        (
            PageLimit::MIN.get(),
            PageLimit::DEFAULT.get(),
            PageLimit::MAX.get()
        ),
        (1, 100, 500)
    );
    assert_eq!(
        QueryError::Page { page: 0 }.to_string(),
        "page 0 is out of range: pages are numbered from 1"
    );
    assert_eq!(
        QueryError::Limit { limit: 501 }.to_string(),
        "limit 501 is out of range: Nectar lists 1 to 500 connections per page"
    );
    assert_eq!(PageNumber::new(1), Ok(PageNumber::FIRST));
    assert_eq!(page_number(41).next(), Some(page_number(42)));
    assert_eq!(page_number(u32::MAX).next(), None);
}
