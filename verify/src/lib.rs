//! Verifying Nectar's webhook signatures (Svix / Standard Webhooks).
//!
//! Nectar delivers webhooks through [Svix], and every incoming webhook must be verified
//! before its body is trusted: anyone who learns the endpoint's URL can post to it. This
//! crate does the verification as a pure function of the raw body bytes, the request's
//! headers, the endpoint's secret(s) and the time `now`. It reads no clock, does no I/O and
//! needs no HTTP stack: the headers are any iterator of name/value pairs, so `http`'s
//! `HeaderMap` (and therefore axum's and actix-web's), a `Vec<(String, String)>` or an array
//! of `&str` pairs all fit without this crate depending on them. It knows nothing of the
//! lifecycle: the `nectar-lifecycle` crate re-exports it as `nectar_lifecycle::verify`
//! behind its `verify` feature.
//!
//! # The scheme
//!
//! * Three headers: `svix-id`, `svix-timestamp` (integer Unix seconds) and
//!   `svix-signature`; the white-labelled Standard Webhooks names `webhook-id`,
//!   `webhook-timestamp` and `webhook-signature` are accepted too. Names are compared
//!   ASCII-case-insensitively.
//! * The secret is `whsec_` followed by standard, padded base64; the HMAC key is the decoded
//!   bytes (not the base64 text).
//! * The signed content is `{id}.{timestamp}.{body}`, with the timestamp exactly as sent and
//!   the body exactly as received (never re-serialized JSON); the signature is the base64 of
//!   its HMAC-SHA256.
//! * `svix-signature` holds one or more space-separated `v1,<base64>` entries (several while
//!   Nectar rotates its secret). One matching entry is enough; entries with another version
//!   prefix (such as the asymmetric `v1a,`) are skipped.
//!
//! # Why not the `svix` crate
//!
//! The official [`svix`](https://crates.io/crates/svix) crate verifies too, but it is an API
//! client first: it depends on hyper, hyper-util, tokio, two major versions of `http` and a
//! TLS stack (rustls by default), all for a computation that needs one hash function. Its
//! `Webhook::verify` also reads the system clock, so the replay check cannot be tested or
//! replayed deterministically, and it only accepts `http::HeaderMap`. This crate promises no
//! I/O and no clock, and depends on three small RustCrypto/base64 crates (`hmac`, `sha2`,
//! `base64`) besides `jiff` and `thiserror`.
//!
//! # A handler: verify first, then parse the same bytes
//!
//! Verification comes before anything reads the body. What it returns, [`Verified`], carries
//! the message id that Svix keeps across retries: hand [`Verified::id`] on with the body,
//! unchanged, to the parser. (With `nectar-lifecycle-webhook`, the body goes to its `parse`
//! and the id to its `reconcile`, which recognises redeliveries by it.)
//!
//! ```
//! use jiff::{SignedDuration, Timestamp};
//! use nectar_lifecycle_verify::{Verifier, VerifyError, WebhookSecret};
//!
//! /// Authenticates one delivery and returns the message id to hand on with `body`.
//! fn authenticate(
//!     verifier: &Verifier,
//!     headers: &[(String, String)],
//!     body: &[u8],
//!     now: Timestamp,
//! ) -> Result<String, VerifyError> {
//!     // Nothing in the body is trusted before this line.
//!     let verified = verifier.verify(body, headers.iter().map(|(k, v)| (k, v)), now)?;
//!     // Parse `body` (these bytes, never re-serialized) and pass the id on with it.
//!     Ok(verified.id)
//! }
//!
//! // Once, at start-up, from the endpoint's configuration.
//! let secret: WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?;
//! let verifier = Verifier::new(secret.clone());
//!
//! // What Nectar sends; here `WebhookSecret::sign` plays Nectar with the same secret.
//! let body = br#"{"eventType":"connection.updated.v2","id":"a6c70a54","status":"CONNECTED"}"#;
//! let sent_at: Timestamp = "2026-11-25T09:00:01Z".parse()?;
//! let headers: Vec<(String, String)> = secret
//!     .sign("msg_2pG3sx7Kq", sent_at, body)
//!     .iter()
//!     .map(|(name, value)| (name.to_owned(), value))
//!     .collect();
//!
//! let now = sent_at + SignedDuration::from_secs(30);
//! assert_eq!(authenticate(&verifier, &headers, body, now)?, "msg_2pG3sx7Kq");
//!
//! // A retry a minute later carries the same id: the receiver's duplicate detection keys on it.
//! let retry = now + SignedDuration::from_mins(1);
//! assert_eq!(authenticate(&verifier, &headers, body, retry)?, "msg_2pG3sx7Kq");
//!
//! // One changed byte, and the handler refuses the request before parsing it.
//! let mut forged = body.to_vec();
//! forged[40] ^= 1;
//! assert_eq!(
//!     authenticate(&verifier, &headers, &forged, now),
//!     Err(VerifyError::NoMatchingSignature { candidates: 1 })
//! );
//!
//! // Replayed an hour later, the same request is refused as too old.
//! let replay = now + SignedDuration::from_hours(1);
//! assert!(matches!(
//!     authenticate(&verifier, &headers, body, replay),
//!     Err(VerifyError::TimestampTooOld { .. })
//! ));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Decisions where Svix's documentation is silent
//!
//! * **Order of checks.** The three headers must be present and well-formed, then the
//!   timestamp must be within the tolerance, then a signature must match: the order of
//!   Svix's own libraries. A request failing several checks reports the first.
//! * **Tolerance boundary.** A timestamp exactly `tolerance` away from `now`, in either
//!   direction, is accepted; anything beyond it, even by a nanosecond of `now`'s fraction,
//!   is rejected. Svix's libraries accept `now - 300 s ..= now + 300 s` on whole seconds;
//!   this is the same range, compared without truncating `now`. The default tolerance is
//!   [`DEFAULT_TOLERANCE`] (5 minutes); a negative tolerance counts as zero.
//! * **Header precedence.** For each of the three headers, the `svix-` name is used when
//!   present, otherwise the `webhook-` name (as Svix's libraries do), so a request carrying
//!   both sets is judged on the `svix-` set.
//! * **Repeated headers.** A repeated id or timestamp header is ambiguous and rejected
//!   ([`VerifyError::DuplicateHeader`]), whatever its values. Repeated signature headers are
//!   one list: their entries are all candidates.
//! * **Malformed values.** A header value need not be UTF-8. An id must be non-empty UTF-8;
//!   a timestamp must be ASCII digits only (no sign, no spaces, no fraction) that fit an
//!   `i64` and jiff's range; a signature entry must be `v1,` plus standard, padded base64
//!   of exactly 32 bytes, and any other entry (unpadded, other alphabet, truncated, non-UTF-8)
//!   simply never matches. A malformed id or timestamp is refused with the header's name and
//!   its value as received (bytes outside printable ASCII escaped, at most
//!   [`SHOWN_VALUE_BYTES`] of them shown).
//! * **Secrets.** [`WebhookSecret::new`] (and `FromStr`) require the `whsec_` prefix, so a
//!   pasted public key (`whpk_`), an asymmetric secret (`whsk_`) or a random string is a
//!   clear error at start-up rather than every webhook failing later; the bare base64 form
//!   is accepted only through the explicit [`WebhookSecret::from_base64`]. Surrounding ASCII
//!   whitespace (a newline from a secrets file) is trimmed. The decoded key must be at least
//!   [`MIN_SECRET_BYTES`] (24) bytes, the minimum of the Standard Webhooks specification and
//!   of Svix's server; no maximum is imposed (Svix allows up to 75 bytes). A key longer than
//!   SHA-256's 64-byte block is hashed first, as HMAC (RFC 2104) prescribes.
//! * **Comparison** is constant-time (`hmac`'s `Mac::verify_slice`) against the decoded
//!   signature bytes; which entry or which secret matched may leak through timing, the
//!   expected MAC does not.
//! * **Errors** never contain the secret, the key or the expected signature, and a secret's
//!   `Debug` is `WebhookSecret(<redacted>)`. The key itself is held only as HMAC's
//!   pre-hashed pad state.
//!
//! [Svix]: https://docs.svix.com/receiving/verifying-payloads/how-manual

use core::fmt;
use core::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::digest::Key;
use hmac::{Hmac, KeyInit, Mac};
use jiff::fmt::StdFmtWrite;
use jiff::fmt::friendly::{FractionalUnit, SpanPrinter};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest as _, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// How far a webhook's timestamp may be from `now`, in either direction, by default: 5
/// minutes, as in Svix's libraries.
pub const DEFAULT_TOLERANCE: SignedDuration = SignedDuration::from_mins(5);

/// The prefix of a webhook signing secret: `whsec_`.
pub const SECRET_PREFIX: &str = "whsec_";

/// The shortest key (decoded bytes) a [`WebhookSecret`] accepts: 24.
pub const MIN_SECRET_BYTES: usize = 24;

/// The most bytes of a malformed header value a [`VerifyError`] shows: 64. A value is sent by
/// whoever posts to the endpoint, so an error (and the log line it ends up in) stays short.
pub const SHOWN_VALUE_BYTES: usize = 64;

/// The signature version this crate produces and checks.
const VERSION_PREFIX: &[u8] = b"v1,";

/// An HMAC-SHA256 tag is 32 bytes, 44 characters of padded base64.
const SIGNATURE_BYTES: usize = 32;
const SIGNATURE_BASE64_LEN: usize = 44;

/// One of the three signature headers, each under two names.
///
/// ```
/// use nectar_lifecycle_verify::Header;
///
/// let names: Vec<_> = Header::ALL.iter().map(|h| (h.svix_name(), h.webhook_name())).collect();
/// assert_eq!(names[1], ("svix-timestamp", "webhook-timestamp"));
/// assert_eq!(Header::Signature.to_string(), "svix-signature");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Header {
    /// The message id: `svix-id` or `webhook-id`.
    Id,
    /// The Unix timestamp in seconds: `svix-timestamp` or `webhook-timestamp`.
    Timestamp,
    /// The signatures: `svix-signature` or `webhook-signature`.
    Signature,
}

impl Header {
    /// The three headers, in the order they are checked.
    pub const ALL: [Header; 3] = [Header::Id, Header::Timestamp, Header::Signature];

    /// The Svix name: `svix-id`, `svix-timestamp` or `svix-signature`.
    #[must_use]
    pub const fn svix_name(self) -> &'static str {
        match self {
            Header::Id => "svix-id",
            Header::Timestamp => "svix-timestamp",
            Header::Signature => "svix-signature",
        }
    }

    /// The white-labelled (Standard Webhooks) name: `webhook-id`, `webhook-timestamp` or
    /// `webhook-signature`.
    #[must_use]
    pub const fn webhook_name(self) -> &'static str {
        match self {
            Header::Id => "webhook-id",
            Header::Timestamp => "webhook-timestamp",
            Header::Signature => "webhook-signature",
        }
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.svix_name())
    }
}

/// Why a string is not a webhook signing secret. The message never contains the secret, so
/// it names the key's length at most.
///
/// ```
/// use nectar_lifecycle_verify::{SecretError, WebhookSecret};
///
/// let err = WebhookSecret::new("whsec_bm90LXZhbGlkCg==").err();
/// assert_eq!(err, Some(SecretError::TooShort { len: 10 }));
/// assert_eq!(
///     err.map(|e| e.to_string()).as_deref(),
///     Some("the webhook secret's key is 10 bytes; at least 24 are required")
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum SecretError {
    /// The secret does not start with `whsec_`.
    #[error(
        "a webhook secret starts with `whsec_` (use WebhookSecret::from_base64 for a bare key)"
    )]
    MissingPrefix,
    /// The key part is not standard, padded base64.
    #[error("the webhook secret's key is not standard, padded base64")]
    NotBase64,
    /// The decoded key is shorter than [`MIN_SECRET_BYTES`].
    #[error("the webhook secret's key is {len} bytes; at least {MIN_SECRET_BYTES} are required")]
    TooShort {
        /// The decoded key's length in bytes.
        len: usize,
    },
}

/// An endpoint's signing secret, parsed and ready to verify or sign.
///
/// Parse it once at start-up, with [`WebhookSecret::new`] or `str::parse`. It keeps only
/// HMAC's keyed state, and its `Debug` never shows the key.
///
/// ```
/// use nectar_lifecycle_verify::{SecretError, WebhookSecret};
///
/// let secret: WebhookSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".parse()?;
/// assert_eq!(format!("{secret:?}"), "WebhookSecret(<redacted>)");
///
/// // The bare base64 form only through the explicit constructor:
/// let bare = "C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
/// assert_eq!(WebhookSecret::new(bare).err(), Some(SecretError::MissingPrefix));
/// assert!(WebhookSecret::from_base64(bare).is_ok());
/// # Ok::<(), SecretError>(())
/// ```
#[derive(Clone)]
pub struct WebhookSecret {
    mac: HmacSha256,
}

impl WebhookSecret {
    /// Parses `whsec_<base64>`, trimming surrounding ASCII whitespace.
    ///
    /// # Errors
    /// [`SecretError`] if the prefix is missing, the rest is not standard padded base64, or
    /// the key is shorter than [`MIN_SECRET_BYTES`].
    pub fn new(secret: &str) -> Result<Self, SecretError> {
        let key = secret
            .trim_ascii()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SecretError::MissingPrefix)?;
        Self::from_base64(key)
    }

    /// Parses the bare base64 key, without the `whsec_` prefix (trimming surrounding ASCII
    /// whitespace).
    ///
    /// ```
    /// use nectar_lifecycle_verify::{SecretError, WebhookSecret};
    ///
    /// assert!(WebhookSecret::from_base64("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n").is_ok());
    /// // Unpadded base64 is not what Svix issues.
    /// assert_eq!(
    ///     WebhookSecret::from_base64("KioqKioqKioqKioqKioqKioqKioqKioqKioqKio").err(),
    ///     Some(SecretError::NotBase64)
    /// );
    /// ```
    ///
    /// # Errors
    /// [`SecretError::NotBase64`] or [`SecretError::TooShort`].
    pub fn from_base64(key: &str) -> Result<Self, SecretError> {
        let key = STANDARD
            .decode(key.trim_ascii())
            .map_err(|_| SecretError::NotBase64)?;
        Self::from_bytes(&key)
    }

    /// Uses `key` as the HMAC key directly (the already-decoded bytes). Any length from
    /// [`MIN_SECRET_BYTES`] up is accepted; a key longer than SHA-256's 64-byte block is
    /// hashed first, as HMAC (RFC 2104) prescribes.
    ///
    /// ```
    /// use nectar_lifecycle_verify::{SecretError, WebhookSecret};
    ///
    /// assert!(WebhookSecret::from_bytes(&[7; 24]).is_ok());
    /// assert!(WebhookSecret::from_bytes(&[7; 100]).is_ok());
    /// assert_eq!(
    ///     WebhookSecret::from_bytes(b"too short").err(),
    ///     Some(SecretError::TooShort { len: 9 })
    /// );
    /// ```
    ///
    /// # Errors
    /// [`SecretError::TooShort`] for a key shorter than [`MIN_SECRET_BYTES`].
    pub fn from_bytes(key: &[u8]) -> Result<Self, SecretError> {
        if key.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort { len: key.len() });
        }
        Ok(Self {
            mac: HmacSha256::new(&block_key(key)),
        })
    }

    /// Signs `body` as Nectar (through Svix) would, for test doubles of Nectar.
    ///
    /// The timestamp is sent in whole seconds, so a fractional `timestamp` is truncated
    /// (toward zero); the returned [`SignedHeaders::timestamp`] is the truncated value. A
    /// timestamp before 1970 is signed as sent (`-5`), and verification rejects it.
    ///
    /// ```
    /// use jiff::Timestamp;
    /// use nectar_lifecycle_verify::WebhookSecret;
    ///
    /// let secret: WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?;
    /// let headers = secret.sign(
    ///     "msg_p5jXN8AQM9LWM0D4loKWxJek",
    ///     Timestamp::from_second(1614265330)?,
    ///     br#"{"test": 2432232314}"#,
    /// );
    /// assert_eq!(headers.signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /// let sent: Vec<(&str, String)> = headers.iter().collect();
    /// assert_eq!(sent[1], ("svix-timestamp", "1614265330".to_owned()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn sign(&self, id: &str, timestamp: Timestamp, body: &[u8]) -> SignedHeaders {
        let seconds = timestamp.as_second();
        let signature = self.signature(id, &seconds.to_string(), body);
        SignedHeaders {
            id: id.to_owned(),
            timestamp: Timestamp::from_second(seconds).unwrap_or(timestamp),
            signature,
        }
    }

    /// `v1,<base64>` for the content `{id}.{timestamp}.{body}`.
    fn signature(&self, id: &str, timestamp: &str, body: &[u8]) -> String {
        let tag = self
            .keyed_content(id.as_bytes(), timestamp.as_bytes(), body)
            .finalize()
            .into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }

    /// The MAC state after absorbing `{id}.{timestamp}.{body}`, without building the string.
    fn keyed_content(&self, id: &[u8], timestamp: &[u8], body: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(id);
        mac.update(b".");
        mac.update(timestamp);
        mac.update(b".");
        mac.update(body);
        mac
    }
}

impl FromStr for WebhookSecret {
    type Err = SecretError;

    /// As [`WebhookSecret::new`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// The headers of a signed webhook, as [`WebhookSecret::sign`] produces them.
///
/// ```
/// use jiff::Timestamp;
/// use nectar_lifecycle_verify::WebhookSecret;
///
/// let secret: WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?;
/// let signed = secret.sign("msg_1", Timestamp::from_second(1614265330)?, b"{}");
/// assert_eq!(signed.timestamp_header(), "1614265330");
///
/// let svix: Vec<&str> = signed.iter().map(|(name, _)| name).collect();
/// assert_eq!(svix, ["svix-id", "svix-timestamp", "svix-signature"]);
/// let white_labelled: Vec<&str> = signed.iter_webhook().map(|(name, _)| name).collect();
/// assert_eq!(white_labelled, ["webhook-id", "webhook-timestamp", "webhook-signature"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// The message id (`svix-id`).
    pub id: String,
    /// The timestamp, in whole seconds (`svix-timestamp`).
    pub timestamp: Timestamp,
    /// The space-separated `v1,<base64>` entries (`svix-signature`).
    pub signature: String,
}

impl SignedHeaders {
    /// The `svix-timestamp` value: the timestamp's Unix seconds.
    #[must_use]
    pub fn timestamp_header(&self) -> String {
        self.timestamp.as_second().to_string()
    }

    /// The three headers under their Svix names, as `(name, value)` pairs, in the order
    /// id, timestamp, signature.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, String)> + use<> {
        self.named(Header::svix_name)
    }

    /// The three headers under their white-labelled names (`webhook-id`, ...).
    pub fn iter_webhook(&self) -> impl Iterator<Item = (&'static str, String)> + use<> {
        self.named(Header::webhook_name)
    }

    fn named(
        &self,
        name: fn(Header) -> &'static str,
    ) -> impl Iterator<Item = (&'static str, String)> + use<> {
        [
            (name(Header::Id), self.id.clone()),
            (name(Header::Timestamp), self.timestamp_header()),
            (name(Header::Signature), self.signature.clone()),
        ]
        .into_iter()
    }

    /// Adds a signature by `secret` over the same id, timestamp and `body`, as Svix does
    /// while an endpoint's secret is being rotated.
    ///
    /// ```
    /// use jiff::Timestamp;
    /// use nectar_lifecycle_verify::{Verifier, WebhookSecret};
    ///
    /// let old: WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?;
    /// let new: WebhookSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".parse()?;
    /// let at = Timestamp::from_second(1649367553)?;
    /// let signed = old.sign("msg_1", at, b"{}").and_signed_with(&new, b"{}");
    /// assert_eq!(signed.signature.split(' ').count(), 2);
    ///
    /// // A receiver that already knows only the new secret accepts it.
    /// assert!(Verifier::new(new).verify(b"{}", signed.iter(), at).is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn and_signed_with(mut self, secret: &WebhookSecret, body: &[u8]) -> Self {
        let signature = secret.signature(&self.id, &self.timestamp_header(), body);
        if !self.signature.is_empty() {
            self.signature.push(' ');
        }
        self.signature.push_str(&signature);
        self
    }
}

/// What a successful verification establishes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Verified {
    /// The message id (`svix-id`). Retries of one message keep its id, so it is the key for
    /// duplicate detection: `nectar-lifecycle-webhook`'s `reconcile` takes it as the event
    /// id.
    pub id: String,
    /// When the message was signed (whole seconds).
    pub timestamp: Timestamp,
    /// Which of the [`Verifier`]'s secrets matched, in the order they were added (0 for the
    /// first). While rotating, this tells when the old secret stops being used.
    pub secret_index: usize,
}

/// Why a webhook failed verification. No message contains the secret or the expected
/// signature; a malformed header is named with its value as received.
///
/// ```
/// use jiff::Timestamp;
/// use nectar_lifecycle_verify::{Verifier, VerifyError};
///
/// let verifier = Verifier::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?);
/// let headers = [
///     ("webhook-id", "msg_1"),
///     ("webhook-timestamp", "1.6e9"),
///     ("webhook-signature", "v1,AAAA"),
/// ];
/// let expected = VerifyError::MalformedTimestamp {
///     name: "webhook-timestamp",
///     value: "1.6e9".to_owned(),
/// };
/// assert_eq!(verifier.verify(b"{}", headers, Timestamp::UNIX_EPOCH), Err(expected.clone()));
/// assert!(expected.to_string().starts_with(r#"the `webhook-timestamp` header "1.6e9" is not"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A required header is absent (under both its names).
    #[error("missing the `{}` header (or `{}`)", .0.svix_name(), .0.webhook_name())]
    MissingHeader(Header),
    /// The id or the timestamp header appears more than once.
    #[error("the `{}` header appears more than once", .0.svix_name())]
    DuplicateHeader(Header),
    /// The id header is empty or not UTF-8.
    #[error("the `{name}` header \"{value}\" is not a message id: it must be non-empty UTF-8")]
    MalformedId {
        /// The header's name as matched: `svix-id` or `webhook-id`.
        name: &'static str,
        /// The value as received, bytes outside printable ASCII escaped (`\xff`), cut after
        /// [`SHOWN_VALUE_BYTES`] bytes (then ending in `...`).
        value: String,
    },
    /// The timestamp header is not integer Unix seconds (digits only, within range).
    #[error("the `{name}` header \"{value}\" is not a non-negative integer number of Unix seconds")]
    MalformedTimestamp {
        /// The header's name as matched: `svix-timestamp` or `webhook-timestamp`.
        name: &'static str,
        /// The value as received, bytes outside printable ASCII escaped (`\xff`), cut after
        /// [`SHOWN_VALUE_BYTES`] bytes (then ending in `...`).
        value: String,
    },
    /// The timestamp is more than the tolerance before `now`: a replay or a stale delivery.
    #[error(
        "webhook timestamp {timestamp} is {age} before now ({now}), beyond the tolerance of {limit}",
        age = Friendly(.now.duration_since(*.timestamp)),
        limit = Friendly(*.tolerance)
    )]
    TimestampTooOld {
        /// The message's timestamp.
        timestamp: Timestamp,
        /// The `now` given.
        now: Timestamp,
        /// The tolerance applied.
        tolerance: SignedDuration,
    },
    /// The timestamp is more than the tolerance after `now`.
    #[error(
        "webhook timestamp {timestamp} is {ahead} after now ({now}), beyond the tolerance of {limit}",
        ahead = Friendly(.timestamp.duration_since(*.now)),
        limit = Friendly(*.tolerance)
    )]
    TimestampInFuture {
        /// The message's timestamp.
        timestamp: Timestamp,
        /// The `now` given.
        now: Timestamp,
        /// The tolerance applied.
        tolerance: SignedDuration,
    },
    /// The secret given to [`verify`] could not be parsed.
    #[error("malformed webhook secret: {0}")]
    MalformedSecret(#[from] SecretError),
    /// No `v1` signature matches the body under any secret: a forged or altered body, the
    /// wrong secret, or a body that was changed (re-serialized, decoded) before verifying.
    #[error(
        "no signature matched: {candidates} well-formed v1 signature(s) in the `svix-signature` header, none valid for this body under the configured secret(s)"
    )]
    NoMatchingSignature {
        /// How many entries were well-formed `v1,<base64 of 32 bytes>` and were compared.
        candidates: usize,
    },
}

/// A duration in jiff's friendly format with fractional seconds: `6m 40s`, `1h 2.5s`.
struct Friendly(SignedDuration);

impl fmt::Display for Friendly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        static PRINTER: SpanPrinter = SpanPrinter::new().fractional(Some(FractionalUnit::Second));
        PRINTER
            .print_duration(&self.0, StdFmtWrite(f))
            .map_err(|_| fmt::Error)
    }
}

/// Verifies webhooks against one or more secrets, within a timestamp tolerance.
///
/// Several secrets let the receiver rotate without dropping deliveries: add the new secret,
/// deploy, switch the endpoint in Nectar's dashboard, then remove the old one once
/// [`Verified::secret_index`] no longer points at it.
///
/// ```
/// use jiff::{SignedDuration, Timestamp};
/// use nectar_lifecycle_verify::{Verifier, VerifyError};
///
/// let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?;
/// let new = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".parse()?;
/// let verifier = Verifier::new(old)
///     .with_secret(new)
///     .with_tolerance(SignedDuration::from_mins(2));
///
/// let body = br#"{"email":"test@example.com","username":"test_user"}"#;
/// let headers = [
///     ("Svix-Id", "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk"),
///     ("Svix-Timestamp", "1649367553"),
///     ("Svix-Signature", "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="),
/// ];
/// let now = Timestamp::from_second(1649367553 + 90)?;
/// let verified = verifier.verify(body, headers, now)?;
/// assert_eq!(verified.id, "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk");
/// assert_eq!(verified.secret_index, 1);
///
/// // Three minutes later, the same request is a replay.
/// let later = Timestamp::from_second(1649367553 + 180)?;
/// assert!(matches!(
///     verifier.verify(body, headers, later),
///     Err(VerifyError::TimestampTooOld { .. })
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    secrets: Vec<WebhookSecret>,
    tolerance: SignedDuration,
}

impl Verifier {
    /// A verifier for one secret, with the [`DEFAULT_TOLERANCE`].
    #[must_use]
    pub fn new(secret: WebhookSecret) -> Self {
        Self {
            secrets: vec![secret],
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Also accepts signatures by `secret` (receiver-side rotation).
    #[must_use]
    pub fn with_secret(mut self, secret: WebhookSecret) -> Self {
        self.secrets.push(secret);
        self
    }

    /// Sets how far a timestamp may be from `now`, in either direction, to be accepted (the
    /// bound itself included). A negative tolerance counts as zero.
    ///
    /// ```
    /// use jiff::SignedDuration;
    /// use nectar_lifecycle_verify::{Verifier, DEFAULT_TOLERANCE};
    ///
    /// let verifier = Verifier::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?);
    /// assert_eq!(verifier.tolerance(), DEFAULT_TOLERANCE);
    /// let strict = verifier.with_tolerance(SignedDuration::from_secs(-1));
    /// assert_eq!(strict.tolerance(), SignedDuration::ZERO);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: SignedDuration) -> Self {
        self.tolerance = if tolerance.is_negative() {
            SignedDuration::ZERO
        } else {
            tolerance
        };
        self
    }

    /// The tolerance in force.
    #[must_use]
    pub fn tolerance(&self) -> SignedDuration {
        self.tolerance
    }

    /// How many secrets are accepted.
    #[must_use]
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    /// Verifies a webhook from its raw `body`, its `headers` (any name/value pairs; names
    /// are matched case-insensitively, other headers are ignored) and the time `now`.
    ///
    /// On success the body is authentic and fresh: parse these same bytes, and keep
    /// [`Verified::id`] for duplicate detection.
    ///
    /// # Errors
    /// [`VerifyError`], naming the first check that failed (see the [crate] docs for
    /// the order).
    pub fn verify<I, K, V>(
        &self,
        body: &[u8],
        headers: I,
        now: Timestamp,
    ) -> Result<Verified, VerifyError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let found = Found::collect(headers);
        let (id_name, raw_id) = found.id.single(Header::Id)?;
        let (timestamp_name, raw_timestamp) = found.timestamp.single(Header::Timestamp)?;
        let signatures = found.signature.all(Header::Signature)?;

        let id = core::str::from_utf8(raw_id)
            .ok()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| VerifyError::MalformedId {
                name: id_name,
                value: shown(raw_id),
            })?;
        let timestamp =
            parse_timestamp(raw_timestamp).ok_or_else(|| VerifyError::MalformedTimestamp {
                name: timestamp_name,
                value: shown(raw_timestamp),
            })?;
        self.check_freshness(timestamp, now)?;

        let candidates: Vec<Vec<u8>> = signatures
            .iter()
            .flat_map(|value| value.split(|&b| b == b' '))
            .filter_map(decode_entry)
            .collect();
        for (secret_index, secret) in self.secrets.iter().enumerate() {
            let mac = secret.keyed_content(id.as_bytes(), raw_timestamp, body);
            // `verify_slice` compares in constant time.
            if candidates
                .iter()
                .any(|candidate| mac.clone().verify_slice(candidate).is_ok())
            {
                return Ok(Verified {
                    id: id.to_owned(),
                    timestamp,
                    secret_index,
                });
            }
        }
        Err(VerifyError::NoMatchingSignature {
            candidates: candidates.len(),
        })
    }

    fn check_freshness(&self, timestamp: Timestamp, now: Timestamp) -> Result<(), VerifyError> {
        // Timestamps span about ±10,000 years, so these differences never overflow.
        if now.duration_since(timestamp) > self.tolerance {
            Err(VerifyError::TimestampTooOld {
                timestamp,
                now,
                tolerance: self.tolerance,
            })
        } else if timestamp.duration_since(now) > self.tolerance {
            Err(VerifyError::TimestampInFuture {
                timestamp,
                now,
                tolerance: self.tolerance,
            })
        } else {
            Ok(())
        }
    }
}

/// Verifies a webhook with one secret in its `whsec_` form and the [`DEFAULT_TOLERANCE`]:
/// [`Verifier::verify`] for a one-off. A long-running handler should parse the secret once
/// and keep a [`Verifier`].
///
/// ```
/// use jiff::Timestamp;
/// use nectar_lifecycle_verify::{self as verify, VerifyError};
///
/// let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// let body = br#"{"test": 2432232314}"#;
/// let headers = vec![
///     ("webhook-id".to_owned(), "msg_p5jXN8AQM9LWM0D4loKWxJek".to_owned()),
///     ("webhook-timestamp".to_owned(), "1614265330".to_owned()),
///     ("webhook-signature".to_owned(), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_owned()),
/// ];
/// let now = Timestamp::from_second(1614265330)?;
/// let verified = verify::verify(secret, body, headers.clone(), now)?;
/// assert_eq!(verified.timestamp, now);
///
/// assert_eq!(
///     verify::verify(secret, br#"{"test": 2432232315}"#, headers, now),
///     Err(VerifyError::NoMatchingSignature { candidates: 1 })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`VerifyError::MalformedSecret`] for a secret [`WebhookSecret::new`] rejects, otherwise
/// as [`Verifier::verify`].
pub fn verify<I, K, V>(
    secret: &str,
    body: &[u8],
    headers: I,
    now: Timestamp,
) -> Result<Verified, VerifyError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<[u8]>,
{
    Verifier::new(WebhookSecret::new(secret)?).verify(body, headers, now)
}

/// The values seen for one header under its two names.
#[derive(Default)]
struct Seen {
    svix: Vec<Vec<u8>>,
    webhook: Vec<Vec<u8>>,
}

impl Seen {
    /// The name and values of `header` under its `svix-` name if any, else under its
    /// `webhook-` name.
    fn chosen(&self, header: Header) -> (&'static str, &[Vec<u8>]) {
        if self.svix.is_empty() {
            (header.webhook_name(), &self.webhook)
        } else {
            (header.svix_name(), &self.svix)
        }
    }

    /// The one value of `header`, with the name it came under.
    fn single(&self, header: Header) -> Result<(&'static str, &[u8]), VerifyError> {
        match self.chosen(header) {
            (_, []) => Err(VerifyError::MissingHeader(header)),
            (name, [value]) => Ok((name, value)),
            _ => Err(VerifyError::DuplicateHeader(header)),
        }
    }

    fn all(&self, header: Header) -> Result<&[Vec<u8>], VerifyError> {
        match self.chosen(header) {
            (_, []) => Err(VerifyError::MissingHeader(header)),
            (_, values) => Ok(values),
        }
    }
}

/// The three headers' values, copied out of the caller's iterator.
#[derive(Default)]
struct Found {
    id: Seen,
    timestamp: Seen,
    signature: Seen,
}

impl Found {
    fn collect<I, K, V>(headers: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let mut found = Self::default();
        for (name, value) in headers {
            let name = name.as_ref();
            for header in Header::ALL {
                let seen = match header {
                    Header::Id => &mut found.id,
                    Header::Timestamp => &mut found.timestamp,
                    Header::Signature => &mut found.signature,
                };
                if name.eq_ignore_ascii_case(header.svix_name()) {
                    seen.svix.push(value.as_ref().to_vec());
                } else if name.eq_ignore_ascii_case(header.webhook_name()) {
                    seen.webhook.push(value.as_ref().to_vec());
                }
            }
        }
        found
    }
}

/// The key as HMAC uses it, one SHA-256 block (64 bytes) long, as RFC 2104 defines it: a
/// longer key is replaced by its SHA-256 hash, and either is padded with zeros. Building the
/// block here lets HMAC's infallible constructor take it, so no length can be refused.
fn block_key(key: &[u8]) -> Key<HmacSha256> {
    let mut block = Key::<HmacSha256>::default();
    let hashed;
    let key = if key.len() > block.len() {
        hashed = Sha256::digest(key);
        hashed.as_slice()
    } else {
        key
    };
    // `key` is at most one block long here; the rest of the block stays zero.
    for (byte, &k) in block.iter_mut().zip(key) {
        *byte = k;
    }
    block
}

/// A header value for an error message: printable ASCII as is, other bytes escaped (`\xff`,
/// and `\"` for a quote), cut after [`SHOWN_VALUE_BYTES`] bytes with `...`.
fn shown(value: &[u8]) -> String {
    let head = value.get(..SHOWN_VALUE_BYTES).unwrap_or(value);
    let mut shown = head.escape_ascii().to_string();
    if head.len() < value.len() {
        shown.push_str("...");
    }
    shown
}

/// Integer Unix seconds: ASCII digits only, within `i64` and jiff's range.
fn parse_timestamp(raw: &[u8]) -> Option<Timestamp> {
    if raw.is_empty() {
        return None;
    }
    let seconds = raw.iter().try_fold(0_i64, |acc, &b| {
        let digit = b.is_ascii_digit().then(|| i64::from(b - b'0'))?;
        acc.checked_mul(10)?.checked_add(digit)
    })?;
    Timestamp::from_second(seconds).ok()
}

/// The 32 signature bytes of a well-formed `v1,<base64>` entry, or `None` for anything else.
fn decode_entry(entry: &[u8]) -> Option<Vec<u8>> {
    let encoded = entry.strip_prefix(VERSION_PREFIX)?;
    if encoded.len() != SIGNATURE_BASE64_LEN {
        return None;
    }
    STANDARD
        .decode(encoded)
        .ok()
        .filter(|bytes| bytes.len() == SIGNATURE_BYTES)
}
