//! Invitation status at every boundary, and request validation.

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_core::invitation::{
    Invitation, InvitationError, InvitationRequest, InvitationStatus as St, InvitationType as T,
};

fn t0() -> Timestamp {
    "2026-11-25T12:00:00Z".parse().expect("timestamp")
}

const SECOND: SignedDuration = SignedDuration::from_secs(1);

#[test]
fn request_validation() {
    assert_eq!(
        InvitationRequest::new(T::EditConnection, Some(59), None),
        Err(InvitationError::ExpiresTooSoon(59))
    );
    assert!(InvitationRequest::new(T::EditConnection, Some(60), None).is_ok());
    assert_eq!(
        InvitationRequest::new(T::CreateConnection, None, Some(0)),
        Err(InvitationError::NoUses)
    );
    assert!(InvitationRequest::new(T::CreateConnection, None, Some(1)).is_ok());
    assert!(InvitationRequest::new(T::CreateConnection, Some(u64::MAX), None).is_err());
    // Omitted means never expires and unlimited.
    let open = InvitationRequest::new(T::CreateConnection, None, None).expect("valid");
    let mut inv = Invitation::new(open, t0());
    for _ in 0..1000 {
        inv.use_once(Timestamp::MAX)
            .expect("unlimited, never expires");
    }
    assert_eq!(inv.status(Timestamp::MAX), St::Active);
}

#[test]
fn request_json_matches_the_api_and_is_validated() {
    let json = serde_json::to_value(InvitationRequest::reconnect()).expect("ser");
    assert_eq!(
        json,
        serde_json::json!({"type": "EDIT_CONNECTION", "maxUses": 1})
    );
    let bad = r#"{"type":"EDIT_CONNECTION","expiresInSeconds":10}"#;
    assert!(serde_json::from_str::<InvitationRequest>(bad).is_err());
}

#[test]
fn expiry_instant_is_expired() {
    let req = InvitationRequest::new(T::EditConnection, Some(60), None).expect("valid");
    let mut inv = Invitation::new(req, t0());
    let at = t0() + SignedDuration::from_secs(60);
    assert_eq!(inv.expires_at(), Some(at));
    assert_eq!(inv.status(at - SECOND), St::Active);
    assert_eq!(inv.status(at), St::Expired);
    assert_eq!(
        inv.use_once(at),
        Err(InvitationError::NotActive(St::Expired))
    );
    assert_eq!(inv.use_count(), 0, "a refused use changes nothing");
    inv.use_once(at - SECOND).expect("one second before");
    assert_eq!(inv.revoke(at), Err(InvitationError::NotActive(St::Expired)));
}

#[test]
fn last_use_fulfils() {
    let req = InvitationRequest::new(T::EditConnection, None, Some(2)).expect("valid");
    let mut inv = Invitation::new(req, t0());
    inv.use_once(t0()).expect("first");
    assert_eq!(inv.status(t0()), St::Active);
    inv.use_once(t0()).expect("last");
    assert_eq!(inv.status(t0()), St::Fulfilled);
    assert_eq!(
        inv.use_once(t0()),
        Err(InvitationError::NotActive(St::Fulfilled))
    );
    assert_eq!(inv.use_count(), 2);
}

#[test]
fn revoke_after_fulfil_is_refused_and_revoke_before_blocks_use() {
    let mut inv = Invitation::new(InvitationRequest::reconnect(), t0());
    inv.use_once(t0()).expect("use");
    assert_eq!(
        inv.revoke(t0()),
        Err(InvitationError::NotActive(St::Fulfilled))
    );
    assert_eq!(inv.status(t0()), St::Fulfilled);

    let mut inv = Invitation::new(InvitationRequest::reconnect(), t0());
    inv.revoke(t0()).expect("revoke");
    assert_eq!(inv.status(t0()), St::Revoked);
    assert_eq!(
        inv.use_once(t0()),
        Err(InvitationError::NotActive(St::Revoked))
    );
    assert_eq!(
        inv.revoke(t0()),
        Err(InvitationError::NotActive(St::Revoked))
    );
}

#[test]
fn expiry_saturates_instead_of_overflowing() {
    let req = InvitationRequest::new(T::EditConnection, Some(1 << 40), None).expect("valid");
    let inv = Invitation::new(req, Timestamp::MAX);
    assert_eq!(inv.expires_at(), Some(Timestamp::MAX));
    assert_eq!(inv.status(Timestamp::MAX), St::Expired);
}
