//! The published Svix and Standard Webhooks vectors, and Svix's own negative cases.

use crate::{
    reference_sign, secret, svix_headers, ts, vector_a, vector_a_headers, vector_b,
    vector_b_headers, verifier,
};
use nectar_lifecycle_verify::{self as verify, Verified, VerifyError};

#[test]
fn vector_a_signs_and_verifies() {
    let signed =
        secret(vector_a::SECRET).sign(vector_a::ID, ts(vector_a::TIMESTAMP), vector_a::BODY);
    assert_eq!(signed.signature, vector_a::SIGNATURE);
    assert_eq!(signed.id, vector_a::ID);
    assert_eq!(signed.timestamp_header(), "1614265330");

    let verified = verifier(vector_a::SECRET)
        .verify(vector_a::BODY, vector_a_headers(), ts(vector_a::TIMESTAMP))
        .expect("the published vector verifies");
    assert_eq!(
        verified,
        Verified {
            id: vector_a::ID.to_owned(),
            timestamp: ts(vector_a::TIMESTAMP),
            secret_index: 0,
        }
    );
    // The one-shot function, with the string secret.
    assert_eq!(
        verify::verify(
            vector_a::SECRET,
            vector_a::BODY,
            vector_a_headers(),
            ts(vector_a::TIMESTAMP)
        ),
        Ok(verified)
    );
}

#[test]
fn vector_b_signs_and_verifies() {
    let signed =
        secret(vector_b::SECRET).sign(vector_b::ID, ts(vector_b::TIMESTAMP), vector_b::BODY);
    assert_eq!(signed.signature, vector_b::SIGNATURE);
    let verified = verifier(vector_b::SECRET)
        .verify(
            vector_b::BODY,
            vector_b_headers(vector_b::SIGNATURE),
            ts(vector_b::TIMESTAMP + 10),
        )
        .expect("the published vector verifies");
    assert_eq!(verified.id, vector_b::ID);
}

#[test]
fn the_reference_implementation_agrees_on_both_vectors() {
    assert_eq!(
        reference_sign(vector_a::SECRET, vector_a::ID, "1614265330", vector_a::BODY),
        vector_a::SIGNATURE
    );
    assert_eq!(
        reference_sign(vector_b::SECRET, vector_b::ID, "1649367553", vector_b::BODY),
        vector_b::SIGNATURE
    );
}

#[test]
fn svix_negative_cases_fail() {
    let v = verifier(vector_b::SECRET);
    let now = ts(vector_b::TIMESTAMP);
    // test_no_verify
    assert_eq!(
        v.verify(vector_b::BODY, vector_b_headers(vector_b::WRONG), now),
        Err(VerifyError::NoMatchingSignature { candidates: 1 })
    );
    // test_no_verify_with_multiple_signatures
    let decoys = vector_b::DECOYS.join(" ");
    assert_eq!(
        v.verify(vector_b::BODY, vector_b_headers(&decoys), now),
        Err(VerifyError::NoMatchingSignature { candidates: 3 })
    );
    // test_verify_partial_signature: only `v1,`, and the first 8 characters.
    for partial in ["v1,", &vector_b::SIGNATURE[..8]] {
        assert_eq!(
            v.verify(vector_b::BODY, vector_b_headers(partial), now),
            Err(VerifyError::NoMatchingSignature { candidates: 0 }),
            "{partial}"
        );
    }
    // test_verify_incorrect_timestamp: the timestamp off by one second.
    let off_by_one = svix_headers(
        vector_b::ID,
        &(vector_b::TIMESTAMP + 1).to_string(),
        vector_b::SIGNATURE,
    );
    assert!(matches!(
        v.verify(vector_b::BODY, off_by_one, now),
        Err(VerifyError::NoMatchingSignature { .. })
    ));
}

#[test]
fn several_signatures_with_one_valid_pass_wherever_it_is() {
    let v = verifier(vector_b::SECRET);
    let now = ts(vector_b::TIMESTAMP);
    let [a, b, c] = vector_b::DECOYS;
    for header in [
        format!("{a} {b} {} {c}", vector_b::SIGNATURE), // test_verify_with_multiple_signatures
        format!("{} {a}", vector_b::SIGNATURE),
        format!("{a} {b} {c} {}", vector_b::SIGNATURE),
        format!("v2,abc  v1a,xyz {}  ", vector_b::SIGNATURE), // other versions, extra spaces
    ] {
        assert!(
            v.verify(vector_b::BODY, vector_b_headers(&header), now)
                .is_ok(),
            "{header}"
        );
    }
}
