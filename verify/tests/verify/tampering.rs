//! Tampered bodies and ids, and wrong secrets.

use crate::{OTHER_SECRET, svix_headers, ts, vector_a, vector_a_headers, vector_b, verifier};
use nectar_lifecycle_verify::{Verifier, VerifyError, WebhookSecret};

#[test]
fn a_tampered_body_fails() {
    let v = verifier(vector_a::SECRET);
    let now = ts(vector_a::TIMESTAMP);
    for body in [
        &br#"{"test": 2432232315}"#[..],
        br#"{"test":2432232314}"#, // re-serialized without the space
        br#"{"test": 2432232314} "#,
        br#"{"test": 2432232314"#,
        b"",
    ] {
        assert_eq!(
            v.verify(body, vector_a_headers(), now),
            Err(VerifyError::NoMatchingSignature { candidates: 1 }),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn a_tampered_id_fails() {
    let headers = svix_headers(
        "msg_p5jXN8AQM9LWM0D4loKWxJeK",
        "1614265330",
        vector_a::SIGNATURE,
    );
    assert!(matches!(
        verifier(vector_a::SECRET).verify(vector_a::BODY, headers, ts(vector_a::TIMESTAMP)),
        Err(VerifyError::NoMatchingSignature { .. })
    ));
}

#[test]
fn a_wrong_secret_fails() {
    for wrong in [vector_b::SECRET, OTHER_SECRET] {
        assert_eq!(
            verifier(wrong).verify(vector_a::BODY, vector_a_headers(), ts(vector_a::TIMESTAMP)),
            Err(VerifyError::NoMatchingSignature { candidates: 1 })
        );
    }
}

#[test]
fn a_bare_base64_key_used_as_ascii_would_be_wrong() {
    // A common mistake: the key is the decoded bytes, not the base64 text.
    let ascii_key =
        WebhookSecret::from_bytes(b"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("32 bytes");
    assert!(
        Verifier::new(ascii_key)
            .verify(vector_a::BODY, vector_a_headers(), ts(vector_a::TIMESTAMP))
            .is_err()
    );
    let decoded = WebhookSecret::from_base64("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("valid");
    assert!(
        Verifier::new(decoded)
            .verify(vector_a::BODY, vector_a_headers(), ts(vector_a::TIMESTAMP))
            .is_ok()
    );
}
