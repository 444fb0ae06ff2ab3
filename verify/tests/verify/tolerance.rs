//! The tolerance boundary: exactly at the tolerance passes, anything beyond fails.

use crate::{secret, ts, vector_b, vector_b_headers, verifier};
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_verify::{DEFAULT_TOLERANCE, VerifyError};

fn signed_at(seconds: i64) -> (Vec<(String, String)>, &'static [u8]) {
    let body = vector_b::BODY;
    let signed = secret(vector_b::SECRET).sign(vector_b::ID, ts(seconds), body);
    (
        signed.iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        body,
    )
}

#[test]
fn exactly_at_the_tolerance_passes_in_both_directions() {
    let t = vector_b::TIMESTAMP;
    let v = verifier(vector_b::SECRET);
    assert_eq!(v.tolerance(), DEFAULT_TOLERANCE);
    assert_eq!(DEFAULT_TOLERANCE, SignedDuration::from_secs(300));
    let (headers, body) = signed_at(t);
    for now in [t - 300, t - 1, t, t + 1, t + 300] {
        assert!(
            v.verify(body, headers.clone(), ts(now)).is_ok(),
            "now = t{:+}",
            now - t
        );
    }
}

/// Verifies the message signed at `t` at each of `nows`, under the default tolerance,
/// expecting the refusal `refused(now)`.
fn assert_refused(t: i64, nows: [Timestamp; 3], refused: impl Fn(Timestamp) -> VerifyError) {
    let (headers, body) = signed_at(t);
    let v = verifier(vector_b::SECRET);
    for now in nows {
        assert_eq!(v.verify(body, headers.clone(), now), Err(refused(now)));
    }
}

#[test]
fn an_old_timestamp_fails() {
    let t = vector_b::TIMESTAMP;
    let beyond = ts(t + 300) + SignedDuration::from_nanos(1);
    assert_refused(t, [ts(t + 301), ts(t + 86_400), beyond], |now| {
        VerifyError::TimestampTooOld {
            timestamp: ts(t),
            now,
            tolerance: DEFAULT_TOLERANCE,
        }
    });
}

#[test]
fn a_future_timestamp_fails() {
    let t = vector_b::TIMESTAMP;
    let beyond = ts(t - 300) - SignedDuration::from_nanos(1);
    assert_refused(t, [ts(t - 301), ts(t - 86_400), beyond], |now| {
        VerifyError::TimestampInFuture {
            timestamp: ts(t),
            now,
            tolerance: DEFAULT_TOLERANCE,
        }
    });
}

#[test]
fn the_tolerance_is_configurable() {
    let t = vector_b::TIMESTAMP;
    let (headers, body) = signed_at(t);
    let v = verifier(vector_b::SECRET).with_tolerance(SignedDuration::from_secs(10));
    assert!(v.verify(body, headers.clone(), ts(t + 10)).is_ok());
    assert!(v.verify(body, headers.clone(), ts(t - 10)).is_ok());
    assert!(matches!(
        v.verify(body, headers.clone(), ts(t + 11)),
        Err(VerifyError::TimestampTooOld { .. })
    ));
    assert!(matches!(
        v.verify(body, headers.clone(), ts(t - 11)),
        Err(VerifyError::TimestampInFuture { .. })
    ));

    // Zero: only `now` itself. Negative counts as zero.
    for tolerance in [
        SignedDuration::ZERO,
        SignedDuration::from_secs(-60),
        SignedDuration::MIN,
    ] {
        let v = verifier(vector_b::SECRET).with_tolerance(tolerance);
        assert_eq!(v.tolerance(), SignedDuration::ZERO);
        assert!(v.verify(body, headers.clone(), ts(t)).is_ok());
        assert!(v.verify(body, headers.clone(), ts(t + 1)).is_err());
        assert!(v.verify(body, headers.clone(), ts(t - 1)).is_err());
    }

    // The largest tolerance switches the check off without overflowing.
    let v = verifier(vector_b::SECRET).with_tolerance(SignedDuration::MAX);
    for now in [Timestamp::MIN, Timestamp::MAX, Timestamp::UNIX_EPOCH] {
        assert!(v.verify(body, headers.clone(), now).is_ok());
    }
}

#[test]
fn the_tolerance_is_checked_before_the_signature() {
    // A stale request with a forged signature is reported as stale (Svix's order).
    let headers = vector_b_headers(vector_b::WRONG);
    assert!(matches!(
        verifier(vector_b::SECRET).verify(vector_b::BODY, headers, ts(vector_b::TIMESTAMP + 3600)),
        Err(VerifyError::TimestampTooOld { .. })
    ));
}
