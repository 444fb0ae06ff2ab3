//! Malformed timestamps, ids and signature entries.

use crate::{reference_sign, secret, svix_headers, ts, vector_a, verifier};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_verify::VerifyError;

#[test]
fn malformed_timestamps_are_rejected() {
    let v = verifier(vector_a::SECRET).with_tolerance(SignedDuration::MAX);
    for raw in [
        "",
        "-1",
        "-1614265330",
        "+1614265330",
        " 1614265330",
        "1614265330 ",
        "1614265330.0",
        "1.6e9",
        "0x60374BF2",
        "１６１４２６５３３０", // full-width digits
        "2021-02-25T15:02:10Z",
        "9223372036854775807", // i64::MAX, beyond jiff's range
        "9223372036854775808", // overflows i64
        "99999999999999999999999999999999",
        "NaN",
    ] {
        let headers = svix_headers(vector_a::ID, raw, vector_a::SIGNATURE);
        match v.verify(vector_a::BODY, headers, ts(vector_a::TIMESTAMP)) {
            Err(VerifyError::MalformedTimestamp { name, value }) => {
                assert_eq!(name, "svix-timestamp");
                // Printable ASCII is shown as sent (escaping: see the next test).
                if raw.is_ascii() {
                    assert_eq!(value, raw);
                }
            }
            other => panic!("{raw:?}: {other:?}"),
        }
    }
}

#[test]
fn a_malformed_value_is_named_escaped_and_cut() {
    let v = verifier(vector_a::SECRET);
    let now = ts(vector_a::TIMESTAMP);
    // Under the white-labelled names, the error names the header as it was sent; a long
    // value is cut after 64 bytes.
    let long = "9".repeat(100);
    let headers = [
        ("webhook-id", vector_a::ID),
        ("webhook-timestamp", long.as_str()),
        ("webhook-signature", vector_a::SIGNATURE),
    ];
    assert_eq!(
        v.verify(vector_a::BODY, headers, now),
        Err(VerifyError::MalformedTimestamp {
            name: "webhook-timestamp",
            value: format!("{}...", "9".repeat(64)),
        })
    );
    // Exactly 64 bytes are shown whole.
    let sixty_four = "1".repeat(64);
    assert_eq!(
        v.verify(
            vector_a::BODY,
            svix_headers(vector_a::ID, &sixty_four, vector_a::SIGNATURE),
            now
        ),
        Err(VerifyError::MalformedTimestamp {
            name: "svix-timestamp",
            value: sixty_four,
        })
    );
    // Quotes, control characters and non-ASCII bytes are escaped: the message stays one
    // line, and the quoted value cannot be confused with the text around it.
    let headers: [(&str, &[u8]); 3] = [
        ("svix-id", vector_a::ID.as_bytes()),
        ("svix-timestamp", b"\"16\"\n\xe2\x80\x8b"),
        ("svix-signature", vector_a::SIGNATURE.as_bytes()),
    ];
    let err = v.verify(vector_a::BODY, headers, now).unwrap_err();
    assert_eq!(
        err.to_string(),
        concat!(
            r#"the `svix-timestamp` header "\"16\"\n\xe2\x80\x8b" "#,
            "is not a non-negative integer number of Unix seconds"
        )
    );
}

#[test]
fn the_timestamp_is_signed_exactly_as_sent() {
    // Leading zeros are digits: accepted, and the signature covers them as sent.
    let raw = "01614265330";
    let signature = reference_sign(vector_a::SECRET, vector_a::ID, raw, vector_a::BODY);
    assert_ne!(signature, vector_a::SIGNATURE);
    let v = verifier(vector_a::SECRET);
    let now = ts(vector_a::TIMESTAMP);
    let verified = v
        .verify(
            vector_a::BODY,
            svix_headers(vector_a::ID, raw, &signature),
            now,
        )
        .expect("leading zeros, signed as sent");
    assert_eq!(verified.timestamp, now);
    // The canonical signature does not verify the zero-padded header, nor the reverse.
    assert!(
        v.verify(
            vector_a::BODY,
            svix_headers(vector_a::ID, raw, vector_a::SIGNATURE),
            now
        )
        .is_err()
    );
    assert!(
        v.verify(
            vector_a::BODY,
            svix_headers(vector_a::ID, "1614265330", &signature),
            now
        )
        .is_err()
    );
}

#[test]
fn zero_is_a_valid_timestamp() {
    let signed = secret(vector_a::SECRET).sign("msg_epoch", Timestamp::UNIX_EPOCH, b"{}");
    assert_eq!(signed.timestamp_header(), "0");
    assert!(
        verifier(vector_a::SECRET)
            .verify(b"{}", signed.iter(), Timestamp::UNIX_EPOCH)
            .is_ok()
    );
}

#[test]
fn signing_truncates_to_whole_seconds() {
    let at = ts(vector_a::TIMESTAMP) + SignedDuration::from_millis(999);
    let signed = secret(vector_a::SECRET).sign(vector_a::ID, at, vector_a::BODY);
    assert_eq!(signed.signature, vector_a::SIGNATURE);
    assert_eq!(signed.timestamp, ts(vector_a::TIMESTAMP));

    // Before 1970 the header is negative, and verification refuses it.
    let before = secret(vector_a::SECRET).sign(vector_a::ID, ts(-5), vector_a::BODY);
    assert_eq!(before.timestamp_header(), "-5");
    assert_eq!(
        verifier(vector_a::SECRET).verify(vector_a::BODY, before.iter(), ts(-5)),
        Err(VerifyError::MalformedTimestamp {
            name: "svix-timestamp",
            value: "-5".to_owned(),
        })
    );
}

#[test]
fn an_empty_or_non_utf8_id_is_malformed() {
    let v = verifier(vector_a::SECRET);
    let now = ts(vector_a::TIMESTAMP);
    let with_id = |id: &[u8]| -> Vec<(&str, Vec<u8>)> {
        vec![
            ("svix-id", id.to_vec()),
            ("svix-timestamp", b"1614265330".to_vec()),
            ("svix-signature", vector_a::SIGNATURE.as_bytes().to_vec()),
        ]
    };
    for (id, shown) in [
        (&b""[..], ""),
        (b"msg_\xff\xfe", r"msg_\xff\xfe"),
        (b"\xc3", r"\xc3"),
    ] {
        assert_eq!(
            v.verify(vector_a::BODY, with_id(id), now),
            Err(VerifyError::MalformedId {
                name: "svix-id",
                value: shown.to_owned(),
            }),
            "{id:?}"
        );
    }
}

#[test]
fn non_utf8_timestamp_and_signature_values_do_not_panic() {
    let v = verifier(vector_a::SECRET);
    let now = ts(vector_a::TIMESTAMP);
    let headers: Vec<(&str, &[u8])> = vec![
        ("svix-id", vector_a::ID.as_bytes()),
        ("svix-timestamp", b"16142\xff65330"),
        ("svix-signature", vector_a::SIGNATURE.as_bytes()),
    ];
    assert_eq!(
        v.verify(vector_a::BODY, headers, now),
        Err(VerifyError::MalformedTimestamp {
            name: "svix-timestamp",
            value: r"16142\xff65330".to_owned(),
        })
    );
    let headers: Vec<(&str, &[u8])> = vec![
        ("svix-id", vector_a::ID.as_bytes()),
        ("svix-timestamp", b"1614265330"),
        (
            "svix-signature",
            b"v1,\xff\xfe\x80 v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O\xc3=",
        ),
    ];
    assert_eq!(
        v.verify(vector_a::BODY, headers, now),
        Err(VerifyError::NoMatchingSignature { candidates: 0 })
    );
}

// Signature entries: versions and base64.

#[test]
fn a_v2_entry_alone_fails_even_with_the_right_bytes() {
    let v = verifier(vector_a::SECRET);
    let now = ts(vector_a::TIMESTAMP);
    let right_bytes = vector_a::SIGNATURE.trim_start_matches("v1,");
    for header in [
        format!("v2,{right_bytes}"),
        format!("v1a,{right_bytes}"),
        format!("V1,{right_bytes}"),
        format!("v1 {right_bytes}"),
        right_bytes.to_owned(),
        "v2,abc".to_owned(),
    ] {
        assert_eq!(
            v.verify(
                vector_a::BODY,
                svix_headers(vector_a::ID, "1614265330", &header),
                now
            ),
            Err(VerifyError::NoMatchingSignature { candidates: 0 }),
            "{header}"
        );
    }
}

#[test]
fn unpadded_or_invalid_base64_signatures_never_match() {
    let v = verifier(vector_a::SECRET);
    let now = ts(vector_a::TIMESTAMP);
    let sig = vector_a::SIGNATURE;
    for header in [
        sig.trim_end_matches('='),                         // unpadded
        "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=", // URL-safe alphabet
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=", // non-canonical trailing bits
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE==",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=,",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O!=",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ",
        "v1,AAAA",
        "v1,",
        "",
        " ",
    ] {
        assert_eq!(
            v.verify(
                vector_a::BODY,
                svix_headers(vector_a::ID, "1614265330", header),
                now
            ),
            Err(VerifyError::NoMatchingSignature { candidates: 0 }),
            "{header:?}"
        );
    }
    // A well-formed 32-byte signature that is simply wrong counts as a candidate.
    let wrong = format!("v1,{}", STANDARD.encode([0u8; 32]));
    assert_eq!(
        v.verify(
            vector_a::BODY,
            svix_headers(vector_a::ID, "1614265330", &wrong),
            now
        ),
        Err(VerifyError::NoMatchingSignature { candidates: 1 })
    );
}
