//! Nothing shows the secret: not `Debug`, not an error message.

use crate::{secret, svix_headers, ts, vector_a, vector_a_headers, verifier};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::SignedDuration;
use nectar_lifecycle_verify::{self as verify, Verifier, VerifyError};

#[test]
fn debug_of_a_secret_never_shows_it() {
    let s = secret(vector_a::SECRET);
    let key_b64 = vector_a::SECRET.trim_start_matches("whsec_");
    let key = STANDARD.decode(key_b64).expect("base64");
    for shown in [
        format!("{s:?}"),
        format!("{s:#?}"),
        format!("{:?}", Verifier::new(s.clone()).with_secret(s.clone())),
        format!("{:#?}", Verifier::new(s.clone())),
    ] {
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(!shown.contains(key_b64), "{shown}");
        assert!(!shown.contains("whsec"), "{shown}");
        assert!(!shown.contains(&format!("{key:?}")), "{shown}");
    }
    assert_eq!(format!("{s:?}"), "WebhookSecret(<redacted>)");
}

#[test]
fn error_messages_never_contain_the_secret_or_the_expected_signature() {
    let now = ts(vector_a::TIMESTAMP);
    let key_b64 = vector_a::SECRET.trim_start_matches("whsec_");
    let expected = vector_a::SIGNATURE.trim_start_matches("v1,");
    let v = verifier(vector_a::SECRET);
    let headers = |id: &str, t: &str, sig: &str| svix_headers(id, t, sig);

    let mut errors: Vec<VerifyError> = vec![
        v.verify(b"tampered", vector_a_headers(), now).unwrap_err(),
        v.verify(
            vector_a::BODY,
            headers(vector_a::ID, "1614265330", "v1,AAAA"),
            now,
        )
        .unwrap_err(),
        v.verify(
            vector_a::BODY,
            headers(vector_a::ID, "x", vector_a::SIGNATURE),
            now,
        )
        .unwrap_err(),
        v.verify(
            vector_a::BODY,
            headers("", "1614265330", vector_a::SIGNATURE),
            now,
        )
        .unwrap_err(),
        v.verify(
            vector_a::BODY,
            vector_a_headers(),
            ts(vector_a::TIMESTAMP + 400),
        )
        .unwrap_err(),
        v.verify(
            vector_a::BODY,
            vector_a_headers(),
            ts(vector_a::TIMESTAMP - 400),
        )
        .unwrap_err(),
        v.verify(vector_a::BODY, Vec::<(&str, &str)>::new(), now)
            .unwrap_err(),
    ];
    let mut duplicated = vector_a_headers();
    duplicated.push(("svix-id".into(), "msg_2".into()));
    errors.push(v.verify(vector_a::BODY, duplicated, now).unwrap_err());
    for bad in [
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!",
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "whsec_MfKQ9r8GKYqrTwjUPD8I",
    ] {
        errors.push(verify::verify(bad, vector_a::BODY, vector_a_headers(), now).unwrap_err());
    }
    assert_eq!(errors.len(), 11);
    for err in &errors {
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(key_b64), "{shown}");
            assert!(!shown.contains(&key_b64[..12]), "{shown}");
            assert!(!shown.contains("MfKQ9r8G"), "{shown}");
            assert!(!shown.contains(expected), "{shown}");
            assert!(!shown.contains(&expected[..12]), "{shown}");
        }
    }
    // The messages say what is wrong, naming what arrived.
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    for (i, message) in [
        (
            2,
            "the `svix-timestamp` header \"x\" is not a non-negative integer number of Unix \
             seconds",
        ),
        (
            3,
            "the `svix-id` header \"\" is not a message id: it must be non-empty UTF-8",
        ),
        (
            4,
            "webhook timestamp 2021-02-25T15:02:10Z is 6m 40s before now \
             (2021-02-25T15:08:50Z), beyond the tolerance of 5m",
        ),
        (
            5,
            "webhook timestamp 2021-02-25T15:02:10Z is 6m 40s after now \
             (2021-02-25T14:55:30Z), beyond the tolerance of 5m",
        ),
        (6, "missing the `svix-id` header (or `webhook-id`)"),
        (7, "the `svix-id` header appears more than once"),
    ] {
        assert_eq!(shown[i], message, "error {i}");
    }
    // Where a message goes on to explain, its start or its figure is enough here.
    for (i, part) in [
        (0, "no signature matched: 1 well-formed"),
        (1, "no signature matched: 0 well-formed"),
        (8, "malformed webhook secret: "),
        (9, "whsec_"),
        (10, "15 bytes"),
    ] {
        assert!(shown[i].contains(part), "error {i}: {}", shown[i]);
    }
    // Sub-second `now`s are shown as they are, never rounded into the tolerance.
    let late = ts(vector_a::TIMESTAMP + 300) + SignedDuration::from_millis(500);
    assert_eq!(
        v.verify(vector_a::BODY, vector_a_headers(), late)
            .unwrap_err()
            .to_string(),
        "webhook timestamp 2021-02-25T15:02:10Z is 5m 0.5s before now \
         (2021-02-25T15:07:10.5Z), beyond the tolerance of 5m"
    );
}
