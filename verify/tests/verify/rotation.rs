//! Rotation: several secrets on the receiver's side, several signatures from the sender.

use crate::{OTHER_SECRET, secret, ts, vector_a, vector_b, vector_b_headers, verifier};
use nectar_lifecycle_verify::{SignedHeaders, Verifier, VerifyError};

#[test]
fn a_verifier_with_several_secrets_accepts_any_of_them() {
    let now = ts(vector_b::TIMESTAMP);
    let v = Verifier::new(secret(vector_a::SECRET)).with_secret(secret(vector_b::SECRET));
    assert_eq!(v.secret_count(), 2);
    // Signed by the second secret only.
    let verified = v
        .verify(vector_b::BODY, vector_b_headers(vector_b::SIGNATURE), now)
        .expect("second secret");
    assert_eq!(verified.secret_index, 1);
    // Signed by the first.
    let by_first = secret(vector_a::SECRET).sign("msg_r", now, vector_b::BODY);
    assert_eq!(
        v.verify(vector_b::BODY, by_first.iter(), now)
            .map(|v| v.secret_index),
        Ok(0)
    );
    // Signed by neither.
    let by_other = secret(OTHER_SECRET).sign("msg_r", now, vector_b::BODY);
    assert_eq!(
        v.verify(vector_b::BODY, by_other.iter(), now),
        Err(VerifyError::NoMatchingSignature { candidates: 1 })
    );
}

#[test]
fn a_sender_rotating_its_secret_sends_two_signatures() {
    let now = ts(vector_b::TIMESTAMP);
    let signed: SignedHeaders = secret(OTHER_SECRET)
        .sign(vector_b::ID, now, vector_b::BODY)
        .and_signed_with(&secret(vector_b::SECRET), vector_b::BODY);
    let entries: Vec<&str> = signed.signature.split(' ').collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1], vector_b::SIGNATURE);
    // A receiver that knows either secret accepts it.
    for known in [OTHER_SECRET, vector_b::SECRET] {
        assert!(
            verifier(known)
                .verify(vector_b::BODY, signed.iter(), now)
                .is_ok()
        );
    }
    assert!(
        verifier(vector_a::SECRET)
            .verify(vector_b::BODY, signed.iter(), now)
            .is_err()
    );
}
