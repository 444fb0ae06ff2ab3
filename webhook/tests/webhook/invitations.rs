//! Nectar's invitation endpoints and the account decision: paths, bodies, and the answers
//! read as tolerantly as webhooks (api-facts, "Invitations" and "Reconnect invitations").

use nectar_lifecycle_core::invitation::{InvitationRequest, InvitationStatus, InvitationType};
use nectar_lifecycle_webhook::{
    self as webhook, AccountDecision, CreateInvitation, InvitationTarget, Reported, WebhookError,
    company_invitations_path, revoke_invitation_path,
};

#[test]
fn every_path_is_the_documented_one_with_ids_encoded() {
    assert_eq!(
        InvitationTarget::Connection("a6c70a54").path(),
        "/invitation/connection/a6c70a54"
    );
    assert_eq!(
        InvitationTarget::Company("co 1").path(),
        "/invitation/company/co%201"
    );
    assert_eq!(
        revoke_invitation_path("inv/1"),
        "/invitation/inv%2F1/revoke"
    );
    assert_eq!(company_invitations_path("co-1"), "/invitation/company/co-1");
    assert_eq!(
        AccountDecision::Reject.path("c/1"),
        "/connection/c%2F1/status"
    );
}

#[test]
fn a_request_body_carries_only_what_was_set() {
    let week = InvitationRequest::new(InvitationType::EditConnection, Some(604_800), Some(1))
        .expect("a valid request");
    let body = CreateInvitation {
        allowed_emails: vec!["owner@example.com".to_owned()],
        send_email: Some(true),
        ..CreateInvitation::from(week)
    };
    let json = serde_json::to_value(&body).expect("serializable");
    assert_eq!(
        json,
        serde_json::json!({
            "expiresInSeconds": 604_800,
            "maxUses": 1,
            "allowedEmails": ["owner@example.com"],
            "sendEmail": true,
        })
    );
    assert_eq!(
        serde_json::to_value(CreateInvitation::default()).expect("serializable"),
        serde_json::json!({})
    );
}

#[test]
fn an_answer_reads_every_documented_field_and_keeps_unknown_values() {
    let body = br#"{"id":"inv_1","token":"tok","invitationType":"EDIT_CONNECTION",
      "status":"ACTIVE","invitationUrl":"https://example.com/i/tok","connectionId":"c-1",
      "companyId":"co-1","allowedEmails":["a@example.com"],"expiresAt":null,
      "maxUses":1,"useCount":0,"createdAt":"2026-12-06T09:00:00Z"}"#;
    let invitation = webhook::parse_invitation(body).expect("reads");
    assert_eq!(invitation.id, "inv_1");
    assert_eq!(invitation.token.as_deref(), Some("tok"));
    assert_eq!(
        invitation.invitation_type,
        Some(Reported::Known(InvitationType::EditConnection))
    );
    assert_eq!(invitation.status, Reported::Known(InvitationStatus::Active));
    assert_eq!(
        invitation.invitation_url.as_deref(),
        Some("https://example.com/i/tok")
    );
    assert_eq!(invitation.allowed_emails, ["a@example.com"]);
    assert_eq!(invitation.expires_at, None);
    assert_eq!(
        (invitation.max_uses, invitation.use_count),
        (Some(1), Some(0))
    );
    let round_trip: webhook::InvitationPayload =
        serde_json::from_str(&serde_json::to_string(&invitation).expect("serializable"))
            .expect("reads back");
    assert_eq!(round_trip, invitation);

    let unknown = webhook::parse_invitation(br#"{"id":"inv_2","status":"PAUSED"}"#)
        .expect("an unknown status is data");
    assert_eq!(unknown.status, Reported::Unknown("PAUSED".to_owned()));
    assert!(
        !unknown.is_active_reconnect_of("c-1", "2026-12-06T09:00:00Z".parse().expect("a time"))
    );
}

#[test]
fn a_bad_answer_is_a_typed_error_naming_the_field() {
    let cases: [(&[u8], &str); 3] = [
        (br#"{"id":"inv_1","status":7}"#, "status"),
        (
            br#"{"id":"inv_1","status":"ACTIVE","maxUses":-1}"#,
            "maxUses",
        ),
        (
            br#"{"id":"inv_1","status":"ACTIVE","expiresAt":"soon"}"#,
            "expiresAt",
        ),
    ];
    for (body, field) in cases {
        match webhook::parse_invitation(body) {
            Err(WebhookError::Invalid { field: named, .. }) => assert_eq!(named, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(matches!(
        webhook::parse_invitation(br#"{"status":"ACTIVE"}"#),
        Err(WebhookError::Invalid { .. })
    ));
}

#[test]
fn a_list_reads_bare_or_wrapped() {
    let one = r#"{"id":"inv_1","status":"REVOKED"}"#;
    for body in [
        format!("[{one}]"),
        format!(r#"{{"invitations":[{one}],"total":1}}"#),
        format!(r#"{{"data":[{one}]}}"#),
        format!(r#"{{"items":[{one}]}}"#),
    ] {
        let list = webhook::parse_invitation_list(body.as_bytes()).expect(&body);
        assert_eq!(list.len(), 1, "{body}");
        assert_eq!(list[0].status, Reported::Known(InvitationStatus::Revoked));
    }
    for bad in [
        r#"{"other":[]}"#,
        r#"{"id":"inv_1","status":"ACTIVE"}"#,
        "7",
    ] {
        assert!(
            webhook::parse_invitation_list(bad.as_bytes()).is_err(),
            "{bad}"
        );
    }
}
