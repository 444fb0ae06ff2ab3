//! Headers: missing, repeated, case, white-labelled names, container types.

use crate::{secret, ts, vector_a, vector_a_headers, vector_b, vector_b_headers, verifier};
use nectar_lifecycle_verify::{Header, VerifyError};
use std::collections::{BTreeMap, HashMap};

#[test]
fn each_missing_header_is_named() {
    for (missing, header) in [
        ("svix-id", Header::Id),
        ("svix-timestamp", Header::Timestamp),
        ("svix-signature", Header::Signature),
    ] {
        let headers: Vec<_> = vector_a_headers()
            .into_iter()
            .filter(|(name, _)| name != missing)
            .collect();
        let err = verifier(vector_a::SECRET)
            .verify(vector_a::BODY, headers, ts(vector_a::TIMESTAMP))
            .unwrap_err();
        assert_eq!(err, VerifyError::MissingHeader(header));
        let message = err.to_string();
        assert!(message.contains(missing), "{message}");
        assert!(message.contains(header.webhook_name()), "{message}");
    }
    // No headers at all: the id is reported first.
    assert_eq!(
        verifier(vector_a::SECRET).verify(
            vector_a::BODY,
            Vec::<(&str, &str)>::new(),
            ts(vector_a::TIMESTAMP)
        ),
        Err(VerifyError::MissingHeader(Header::Id))
    );
}

#[test]
fn header_names_are_case_insensitive() {
    let v = verifier(vector_a::SECRET);
    let now = ts(vector_a::TIMESTAMP);
    for (id, timestamp, signature) in [
        ("Svix-Id", "Svix-Timestamp", "Svix-Signature"),
        ("SVIX-ID", "SVIX-TIMESTAMP", "SVIX-SIGNATURE"),
        ("sViX-iD", "svix-TIMESTAMP", "Svix-signaturE"),
        ("Webhook-Id", "WEBHOOK-TIMESTAMP", "webhook-Signature"),
    ] {
        let headers = [
            (id, vector_a::ID),
            (timestamp, "1614265330"),
            (signature, vector_a::SIGNATURE),
        ];
        assert!(v.verify(vector_a::BODY, headers, now).is_ok(), "{id}");
    }
    // Near misses are other headers.
    let headers = [
        ("svix_id", vector_a::ID),
        ("x-svix-id", vector_a::ID),
        ("svix-id ", vector_a::ID),
        ("svix-timestamp", "1614265330"),
        ("svix-signature", vector_a::SIGNATURE),
    ];
    assert_eq!(
        v.verify(vector_a::BODY, headers, now),
        Err(VerifyError::MissingHeader(Header::Id))
    );
}

#[test]
fn the_white_labelled_names_are_accepted() {
    let signed =
        secret(vector_b::SECRET).sign(vector_b::ID, ts(vector_b::TIMESTAMP), vector_b::BODY);
    let names: Vec<&str> = signed.iter_webhook().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
    );
    let verified = verifier(vector_b::SECRET)
        .verify(
            vector_b::BODY,
            signed.iter_webhook(),
            ts(vector_b::TIMESTAMP),
        )
        .expect("webhook-* headers");
    assert_eq!(verified.id, vector_b::ID);

    // Each header may come from either set.
    let mixed = [
        ("webhook-id", vector_b::ID),
        ("svix-timestamp", "1649367553"),
        ("webhook-signature", vector_b::SIGNATURE),
    ];
    assert!(
        verifier(vector_b::SECRET)
            .verify(vector_b::BODY, mixed, ts(vector_b::TIMESTAMP))
            .is_ok()
    );
    // A missing header is missing under both names.
    let missing = [
        ("webhook-id", vector_b::ID),
        ("webhook-timestamp", "1649367553"),
    ];
    assert_eq!(
        verifier(vector_b::SECRET).verify(vector_b::BODY, missing, ts(vector_b::TIMESTAMP)),
        Err(VerifyError::MissingHeader(Header::Signature))
    );
}

#[test]
fn the_svix_names_take_precedence_over_the_white_labelled_ones() {
    let v = verifier(vector_b::SECRET);
    let now = ts(vector_b::TIMESTAMP);
    // Garbage under webhook-* is ignored when svix-* is present.
    let mut headers = vector_b_headers(vector_b::SIGNATURE);
    headers.extend([
        ("webhook-id".to_owned(), "msg_other".to_owned()),
        ("webhook-timestamp".to_owned(), "not a number".to_owned()),
        ("webhook-signature".to_owned(), vector_b::WRONG.to_owned()),
    ]);
    assert_eq!(
        v.verify(vector_b::BODY, headers, now).map(|v| v.id),
        Ok(vector_b::ID.to_owned())
    );
    // And a valid webhook-signature does not rescue a wrong svix-signature.
    let mut headers = vector_b_headers(vector_b::WRONG);
    headers.push((
        "webhook-signature".to_owned(),
        vector_b::SIGNATURE.to_owned(),
    ));
    assert!(v.verify(vector_b::BODY, headers, now).is_err());
}

#[test]
fn a_repeated_id_or_timestamp_is_rejected_and_repeated_signatures_are_pooled() {
    let v = verifier(vector_b::SECRET);
    let now = ts(vector_b::TIMESTAMP);
    for (name, value, header) in [
        ("svix-id", vector_b::ID, Header::Id),
        ("SVIX-ID", "msg_other", Header::Id),
        ("svix-timestamp", "1649367553", Header::Timestamp),
    ] {
        let mut headers = vector_b_headers(vector_b::SIGNATURE);
        headers.push((name.to_owned(), value.to_owned()));
        assert_eq!(
            v.verify(vector_b::BODY, headers, now),
            Err(VerifyError::DuplicateHeader(header)),
            "{name}"
        );
    }
    let mut headers = vector_b_headers(vector_b::WRONG);
    headers.push(("svix-signature".to_owned(), vector_b::DECOYS.join(" ")));
    assert_eq!(
        v.verify(vector_b::BODY, headers.clone(), now),
        Err(VerifyError::NoMatchingSignature { candidates: 4 })
    );
    headers.push(("Svix-Signature".to_owned(), vector_b::SIGNATURE.to_owned()));
    assert!(v.verify(vector_b::BODY, headers, now).is_ok());
}

#[test]
fn any_header_container_fits() {
    let v = verifier(vector_a::SECRET);
    let now = ts(vector_a::TIMESTAMP);
    // Arrays of &str, owned pairs, maps by value and by reference, byte values.
    let array = [
        ("svix-id", vector_a::ID),
        ("svix-timestamp", "1614265330"),
        ("svix-signature", vector_a::SIGNATURE),
        ("content-type", "application/json"),
    ];
    assert!(v.verify(vector_a::BODY, array, now).is_ok());
    assert!(v.verify(vector_a::BODY, array.iter().copied(), now).is_ok());
    let hash: HashMap<String, String> = vector_a_headers().into_iter().collect();
    assert!(v.verify(vector_a::BODY, &hash, now).is_ok());
    assert!(v.verify(vector_a::BODY, hash, now).is_ok());
    let btree: BTreeMap<&str, &[u8]> = array.iter().map(|&(k, val)| (k, val.as_bytes())).collect();
    assert!(v.verify(vector_a::BODY, &btree, now).is_ok());
    // SignedHeaders' own pairs.
    let signed = secret(vector_a::SECRET).sign(vector_a::ID, now, vector_a::BODY);
    assert!(v.verify(vector_a::BODY, signed.iter(), now).is_ok());
}
