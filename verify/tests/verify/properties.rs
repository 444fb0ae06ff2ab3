//! Sign-then-verify properties, with the reference implementation as the oracle.

use crate::{
    OTHER_SECRET, reference_sign, reference_sign_key, secret, ts, vector_a, vector_b, verifier,
};
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_support::proptest_cases;
use nectar_lifecycle_verify::{MIN_SECRET_BYTES, Verified, Verifier, VerifyError, WebhookSecret};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn arb_id() -> impl Strategy<Value = String> {
    prop_oneof![
        "msg_[0-9A-Za-z]{27}",
        // Any non-empty UTF-8, dots and spaces included: the signature covers it as is.
        any::<String>().prop_filter("non-empty", |s| !s.is_empty()),
    ]
}

/// 1970 to 2100, in seconds.
fn arb_seconds() -> impl Strategy<Value = i64> {
    0_i64..=4_102_444_800
}

proptest! {
    #![proptest_config(Config { cases: proptest_cases(256), ..Config::default() })]

    #[test]
    fn sign_then_verify_round_trips(
        body in proptest::collection::vec(any::<u8>(), 0..1024),
        id in arb_id(),
        seconds in arb_seconds(),
        skew in -300_i64..=300,
        which in 0_usize..3,
        webhook_names in any::<bool>(),
    ) {
        let secrets = [vector_a::SECRET, vector_b::SECRET, OTHER_SECRET];
        let sent_at = ts(seconds);
        let signer = secret(secrets[which]);
        let signed = signer.sign(&id, sent_at, &body);
        // The oracle agrees on the signature.
        prop_assert_eq!(
            &signed.signature,
            &reference_sign(secrets[which], &id, &seconds.to_string(), &body)
        );
        let v = Verifier::new(secret(secrets[0]))
            .with_secret(secret(secrets[1]))
            .with_secret(secret(secrets[2]));
        let headers: Vec<(&str, String)> = if webhook_names {
            signed.iter_webhook().collect()
        } else {
            signed.iter().collect()
        };
        let verified = v.verify(&body, headers, ts(seconds + skew));
        prop_assert_eq!(
            verified,
            Ok(Verified { id: id.clone(), timestamp: sent_at, secret_index: which })
        );
    }

    #[test]
    fn a_key_of_any_length_signs_as_the_reference_does(
        key in proptest::collection::vec(any::<u8>(), MIN_SECRET_BYTES..=200),
        body in proptest::collection::vec(any::<u8>(), 0..256),
        id in arb_id(),
        seconds in arb_seconds(),
    ) {
        let signed = WebhookSecret::from_bytes(&key)
            .expect("long enough")
            .sign(&id, ts(seconds), &body);
        prop_assert_eq!(
            signed.signature,
            reference_sign_key(&key, &id, &seconds.to_string(), &body)
        );
    }

    #[test]
    fn any_one_byte_change_to_the_body_fails(
        body in proptest::collection::vec(any::<u8>(), 1..1024),
        index in any::<prop::sample::Index>(),
        flip in 1_u8..=255,
        id in arb_id(),
        seconds in arb_seconds(),
    ) {
        let signed = secret(vector_b::SECRET).sign(&id, ts(seconds), &body);
        let mut tampered = body.clone();
        tampered[index.index(body.len())] ^= flip;
        prop_assert_eq!(
            verifier(vector_b::SECRET).verify(&tampered, signed.iter(), ts(seconds)),
            Err(VerifyError::NoMatchingSignature { candidates: 1 })
        );
    }

    #[test]
    fn any_one_byte_change_to_a_header_fails(
        body in proptest::collection::vec(any::<u8>(), 0..256),
        which in 0_usize..3,
        index in any::<prop::sample::Index>(),
        flip in 1_u8..=255,
        seconds in arb_seconds(),
    ) {
        let signed = secret(vector_b::SECRET).sign("msg_2pG3sx7Kq", ts(seconds), &body);
        let mut values: Vec<Vec<u8>> = signed.iter().map(|(_, v)| v.into_bytes()).collect();
        let value = &mut values[which];
        let at = index.index(value.len());
        value[at] ^= flip;
        let names = ["svix-id", "svix-timestamp", "svix-signature"];
        let headers = names.iter().zip(&values).map(|(n, v)| (*n, v.as_slice()));
        let result = verifier(vector_b::SECRET)
            .with_tolerance(SignedDuration::MAX)
            .verify(&body, headers, ts(seconds));
        prop_assert!(result.is_err(), "{:?}", values);
    }

    #[test]
    fn arbitrary_headers_never_panic(
        headers in proptest::collection::vec(
            (
                prop_oneof![
                    Just("svix-id".to_owned()),
                    Just("SVIX-TIMESTAMP".to_owned()),
                    Just("svix-signature".to_owned()),
                    Just("webhook-id".to_owned()),
                    Just("webhook-timestamp".to_owned()),
                    Just("Webhook-Signature".to_owned()),
                    ".*",
                ],
                proptest::collection::vec(any::<u8>(), 0..64),
            ),
            0..8,
        ),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        now in any::<i64>(),
    ) {
        let now = Timestamp::from_second(now).unwrap_or(Timestamp::UNIX_EPOCH);
        let result = verifier(vector_b::SECRET).verify(&body, headers, now);
        prop_assert!(result.is_err(), "a random header set verified");
    }
}
