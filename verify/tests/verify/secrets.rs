//! Parsing secrets, and keys of every length.

use crate::{reference_sign_key, ts, vector_a, vector_a_headers, verifier};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use nectar_lifecycle_verify::{
    self as verify, MIN_SECRET_BYTES, SecretError, VerifyError, WebhookSecret,
};
use sha2::{Digest as _, Sha256};

#[test]
fn malformed_secrets_are_typed_errors() {
    let cases: [(&str, SecretError); 9] = [
        (
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            SecretError::MissingPrefix,
        ), // bare base64
        (
            "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            SecretError::MissingPrefix,
        ),
        (
            "whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            SecretError::MissingPrefix,
        ),
        ("", SecretError::MissingPrefix),
        (
            "whsec_KioqKioqKioqKioqKioqKioqKioqKioqKioqKio",
            SecretError::NotBase64,
        ), // unpadded
        (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!",
            SecretError::NotBase64,
        ),
        (
            "whsec_MfKQ9r8G KYqrTwjUPD8ILPZIo2LaLaSw",
            SecretError::NotBase64,
        ),
        ("whsec_", SecretError::TooShort { len: 0 }),
        ("whsec_bm90LXZhbGlkCg==", SecretError::TooShort { len: 10 }), // Svix's too-short case
    ];
    for (input, expected) in cases {
        assert_eq!(
            WebhookSecret::new(input).unwrap_err(),
            expected,
            "{input:?}"
        );
        assert_eq!(
            input.parse::<WebhookSecret>().unwrap_err(),
            expected,
            "{input:?}"
        );
        // And through the one-shot function, before any header is looked at.
        assert_eq!(
            verify::verify(
                input,
                b"",
                Vec::<(&str, &str)>::new(),
                Timestamp::UNIX_EPOCH
            ),
            Err(VerifyError::MalformedSecret(expected))
        );
    }
    assert_eq!(
        WebhookSecret::from_bytes(&[7; MIN_SECRET_BYTES - 1]).unwrap_err(),
        SecretError::TooShort { len: 23 }
    );
    assert!(WebhookSecret::from_bytes(&[7; MIN_SECRET_BYTES]).is_ok());
    assert!(WebhookSecret::from_bytes(&[7; 200]).is_ok());
    assert_eq!(
        WebhookSecret::from_base64("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err(),
        SecretError::NotBase64
    );
}

#[test]
fn surrounding_whitespace_in_a_secret_is_trimmed() {
    for input in [
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
        "  whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\r\n",
    ] {
        assert!(
            verifier(input)
                .verify(vector_a::BODY, vector_a_headers(), ts(vector_a::TIMESTAMP))
                .is_ok()
        );
    }
}

/// Keys up to and beyond SHA-256's 64-byte block: HMAC pads a key of up to 64 bytes with
/// zeros and hashes a longer one first (RFC 2104, section 2). The expected signatures were
/// computed with Python's standard library, over vector A's id, timestamp and body:
/// `hmac.new(bytes(range(n)), b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330." + body,
/// hashlib.sha256)`.
#[test]
fn keys_longer_than_a_block_are_hashed_first() {
    let at = ts(vector_a::TIMESTAMP);
    for (len, expected) in [
        (64, "v1,LZ5zuwHTqQH3VM8ERUusjzVQq1FXzemvpR8Mk7Ivp5c="),
        (65, "v1,eg6VwaYKnFRfdhEvkdzN3ViQ9COUbSjWEL9PkYr+P4k="),
        (100, "v1,JV8wMFmHcmxOCRwP3/cAkJqCrbqjmdHRJRhvbbQN5rM="),
    ] {
        let key: Vec<u8> = (0..len).collect();
        assert_eq!(
            reference_sign_key(&key, vector_a::ID, "1614265330", vector_a::BODY),
            expected,
            "the reference, {len} bytes"
        );
        let signed = WebhookSecret::from_bytes(&key)
            .expect("any length from 24 bytes")
            .sign(vector_a::ID, at, vector_a::BODY);
        assert_eq!(signed.signature, expected, "{len} bytes");
        // The same key in its `whsec_` form, as a receiver is configured.
        let configured = format!("whsec_{}", STANDARD.encode(&key));
        assert!(
            verifier(&configured)
                .verify(vector_a::BODY, signed.iter(), at)
                .is_ok(),
            "{len} bytes"
        );
    }
    // A key longer than a block and its SHA-256 hash are the same HMAC key.
    let long: Vec<u8> = (0..100).collect();
    let hashed = Sha256::digest(&long);
    let sign = |key: &[u8]| {
        WebhookSecret::from_bytes(key)
            .expect("long enough")
            .sign(vector_a::ID, at, vector_a::BODY)
    };
    assert_eq!(sign(&long), sign(&hashed));
    // Not so for a key of exactly one block: it is used as it is.
    let block: Vec<u8> = (0..64).collect();
    assert_ne!(sign(&block), sign(&Sha256::digest(&block)));
}
