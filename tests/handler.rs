//! The handler flow a dependent writes with the facade crate, on a real fixture: verify the
//! signature, parse the same bytes, reconcile against the stored record.

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::verify::{SignedHeaders, Verifier, WebhookSecret};
use nectar_lifecycle::webhook::{self, Decision, DuplicateReason, Observation, Record, reconcile};

/// Svix's own test secret (`svix/svix-webhooks`, `rust/src/webhooks.rs`).
const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

fn secret() -> WebhookSecret {
    SECRET.parse().expect("a valid secret")
}

#[test]
fn verify_then_parse_then_reconcile_a_fixture() {
    let body = nectar_lifecycle_support::webhook_fixture("updated-status.json");
    let sent_at: Timestamp = "2026-11-25T09:00:02Z".parse().expect("timestamp");
    let signed: SignedHeaders = secret().sign("msg_fixture_1", sent_at, &body);

    let v = Verifier::new(secret());
    let verified = v
        .verify(&body, signed.iter(), sent_at + SignedDuration::from_secs(3))
        .expect("verifies");
    let event = webhook::parse(&body).expect("parses");
    let delivery = Observation::Delivery {
        id: Some(&verified.id),
        webhook: &event,
    };
    let first = reconcile(None, delivery);
    assert!(matches!(first, Decision::Apply(_)), "{first}");
    let stored = Record::after(None, delivery, &first).expect("stored");
    // A retry of the same message (same id, re-signed later by Svix) is a duplicate.
    let retry = secret().sign(
        "msg_fixture_1",
        sent_at + SignedDuration::from_mins(10),
        &body,
    );
    let again = v
        .verify(&body, retry.iter(), sent_at + SignedDuration::from_mins(11))
        .expect("the retry verifies");
    assert!(matches!(
        reconcile(
            Some(&stored),
            Observation::Delivery {
                id: Some(&again.id),
                webhook: &event
            }
        ),
        Decision::Duplicate(DuplicateReason::SameDelivery)
    ));
}
