//! Bad input: a typed error naming the field, never a panic.

use nectar_lifecycle_support::webhook_fixture as fixture;
use nectar_lifecycle_webhook::{self as webhook, WebhookError};

#[test]
fn bad_input_is_a_typed_error_naming_the_field() {
    match webhook::parse(&fixture("bad-truncated.json.txt")) {
        Err(WebhookError::Malformed { line: 1, .. }) => {}
        other => panic!("{other:?}"),
    }
    let field = |name: &str| match webhook::parse(&fixture(name)) {
        Err(WebhookError::Invalid { field, message }) => (field, message),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(field("bad-wrong-type.json").0, "isActive");
    assert!(
        field("bad-missing-id.json")
            .1
            .contains("missing field `id`")
    );
    assert_eq!(field("bad-account-type.json").0, "accounts[0].isTracked");
    assert_eq!(field("bad-timestamp.json").0, "statusLastUpdateTime");
    assert!(matches!(
        webhook::parse(b"[]"),
        Err(WebhookError::Invalid { .. })
    ));
    let trailing = br#"{"eventType":"x","id":"c","status":"CONNECTED"} {"#;
    assert!(matches!(
        webhook::parse(trailing),
        Err(WebhookError::Malformed { .. })
    ));
    assert!(matches!(
        webhook::parse(b""),
        Err(WebhookError::Malformed { .. })
    ));
}

#[test]
fn oversized_bodies_are_refused_before_parsing() {
    let body = vec![b' '; webhook::MAX_BODY_BYTES + 1];
    assert_eq!(
        webhook::parse(&body),
        Err(WebhookError::TooLarge {
            len: webhook::MAX_BODY_BYTES + 1,
            max: webhook::MAX_BODY_BYTES
        })
    );
    assert!(matches!(
        webhook::parse_with_limit(&fixture("minimal.json"), 10),
        Err(WebhookError::TooLarge { .. })
    ));
}

#[test]
fn each_error_is_serde_jsons_own_with_the_field_named() {
    let invalid = |field: &str, message: &str| {
        Err(WebhookError::Invalid {
            field: field.to_owned(),
            message: message.to_owned(),
        })
    };
    // A missing field is missing from the body itself.
    assert_eq!(
        webhook::parse(&fixture("bad-missing-id.json")),
        invalid(".", "missing field `id`")
    );
    assert_eq!(
        webhook::parse(br#""connection.created.v2""#),
        invalid(
            ".",
            r#"invalid type: string "connection.created.v2", expected a connection webhook object"#
        )
    );
    // A mistyped field is named by its path, the event type's too.
    assert_eq!(
        webhook::parse(br#"{"eventType":2,"id":"c1","status":"PENDING"}"#),
        invalid("eventType", "invalid type: integer `2`, expected a string")
    );
    assert_eq!(
        webhook::parse(
            br#"{"eventType":"x","id":"c1","status":"PENDING","accounts":[{},{"status":3}]}"#
        ),
        invalid(
            "accounts[1].status",
            "invalid type: integer `3`, expected a string"
        )
    );
    // Syntax errors are where serde_json stopped: something after the body, or a truncated one.
    assert_eq!(
        webhook::parse(br#"{"eventType":"x","id":"c1","status":"PENDING"} {"#),
        Err(WebhookError::Malformed {
            line: 1,
            column: 48,
            message: "trailing characters".to_owned(),
        })
    );
    assert_eq!(
        webhook::parse(b"{\n\"eventType\":"),
        Err(WebhookError::Malformed {
            line: 2,
            column: 12,
            message: "EOF while parsing a value".to_owned(),
        })
    );
}
