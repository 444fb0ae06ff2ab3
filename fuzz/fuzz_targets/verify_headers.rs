//! Fuzzes webhook signature verification: header lookup (names, case, duplicates, the
//! `svix-` / `webhook-` sets), id and timestamp parsing, signature-list parsing and base64,
//! and the tolerance check. It must never panic; a verified message must re-verify, and
//! must stop verifying when one byte of its body changes.
//!
//! Input: a flags byte, 8 bytes of time, then `id \0 timestamp \0 signature \0 body`.
//! In signing mode the id, a timestamp from the time bytes and the body are really signed
//! (the fuzzed signature segment is added as extra entries), so the success path is
//! exercised too, and a well-formed signed message *must* verify.
#![no_main]

use jiff::{SignedDuration, Timestamp};
use libfuzzer_sys::fuzz_target;
use nectar_lifecycle::verify::{Verifier, VerifyError, WebhookSecret};

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const SECRET_KEY: &str = "C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const OTHER: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const SIGN: u8 = 1;
const WEBHOOK_NAMES: u8 = 1 << 1;
const UPPERCASE: u8 = 1 << 2;
const DUPLICATE_ID: u8 = 1 << 3;
const SPLIT_SIGNATURES: u8 = 1 << 4;
const REVERSED: u8 = 1 << 5;
const ROTATING: u8 = 1 << 6;
const SIGNATURE_FIRST: u8 = 1 << 7;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Some((time, rest)) = rest.split_first_chunk::<8>() else {
        return;
    };
    let mut segments = rest.splitn(4, |&b| b == 0);
    let id = segments.next().unwrap_or_default();
    let raw_timestamp = segments.next().unwrap_or_default();
    let fuzzed_signature = segments.next().unwrap_or_default();
    let body = segments.next().unwrap_or_default();

    let secret: WebhookSecret = SECRET.parse().expect("valid secret");
    let other: WebhookSecret = OTHER.parse().expect("valid secret");
    let verifier = if flags & ROTATING != 0 {
        Verifier::new(other).with_secret(secret.clone())
    } else {
        Verifier::new(secret.clone())
    };

    // In signing mode, sign for real; otherwise take the fuzzed values as they are.
    let (timestamp_value, mut signatures, now, must_verify) = if flags & SIGN != 0 {
        let [a, b, c, d, skew, ..] = *time;
        let seconds = i64::from(u32::from_le_bytes([a, b, c, d]));
        let sent_at = Timestamp::from_second(seconds).expect("u32 seconds are in range");
        let id_str = core::str::from_utf8(id).unwrap_or("msg_fuzz");
        let signed = secret.sign(id_str, sent_at, body);
        // -300 ..= 300 seconds (a byte spread over the tolerance), always within it.
        let skew = (i64::from(skew) - 128) * 300 / 128;
        let now = sent_at + SignedDuration::from_secs(skew);
        let id_ok = !id.is_empty() && core::str::from_utf8(id).is_ok();
        (
            signed.timestamp_header().into_bytes(),
            vec![signed.signature.into_bytes()],
            now,
            id_ok && flags & DUPLICATE_ID == 0,
        )
    } else {
        let now = Timestamp::from_second(i64::from_le_bytes(*time) % 400_000_000_000)
            .unwrap_or(Timestamp::UNIX_EPOCH);
        (raw_timestamp.to_vec(), Vec::new(), now, false)
    };
    if flags & SPLIT_SIGNATURES != 0 {
        signatures.push(fuzzed_signature.to_vec());
    } else if let Some(first) = signatures.first_mut() {
        first.push(b' ');
        first.extend_from_slice(fuzzed_signature);
    } else {
        signatures.push(fuzzed_signature.to_vec());
    }
    if flags & SIGNATURE_FIRST != 0 {
        signatures.reverse();
    }

    let name = |svix: &str, webhook: &str| {
        let name = if flags & WEBHOOK_NAMES != 0 {
            webhook
        } else {
            svix
        };
        if flags & UPPERCASE != 0 {
            name.to_ascii_uppercase()
        } else {
            name.to_owned()
        }
    };
    let mut headers: Vec<(String, Vec<u8>)> = vec![
        (name("svix-id", "webhook-id"), id.to_vec()),
        (name("svix-timestamp", "webhook-timestamp"), timestamp_value),
        ("content-type".to_owned(), b"application/json".to_vec()),
    ];
    for signature in signatures {
        headers.push((name("svix-signature", "webhook-signature"), signature));
    }
    if flags & DUPLICATE_ID != 0 {
        headers.push((name("svix-id", "webhook-id"), id.to_vec()));
    }
    if flags & REVERSED != 0 {
        headers.reverse();
    }

    let result = verifier.verify(body, headers.iter().map(|(k, v)| (k, v)), now);
    match &result {
        Ok(verified) => {
            // Deterministic, and the same at the signing instant itself.
            let again = verifier.verify(body, headers.iter().map(|(k, v)| (k, v)), now);
            assert_eq!(again.as_ref(), Ok(verified));
            let at_sending = verifier.verify(
                body,
                headers.iter().map(|(k, v)| (k, v)),
                verified.timestamp,
            );
            assert_eq!(at_sending.as_ref(), Ok(verified));
            assert_eq!(verified.id.as_bytes(), id);
            assert!(verified.secret_index < verifier.secret_count());
            // One changed byte of the body and it no longer verifies.
            if let Some(&first) = body.first() {
                let mut tampered = body.to_vec();
                tampered[0] = first ^ 0x01;
                let forged = verifier.verify(&tampered, headers.iter().map(|(k, v)| (k, v)), now);
                assert!(
                    matches!(forged, Err(VerifyError::NoMatchingSignature { .. })),
                    "{forged:?}"
                );
            }
        }
        Err(err) => {
            assert!(!must_verify, "a correctly signed message failed: {err}");
            // Messages never carry the secret.
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(SECRET_KEY), "{shown}");
        }
    }
});
