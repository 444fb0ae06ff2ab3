//! Bearer tokens for every endpoint but Nectar's webhook and the health probe: the read API
//! holds utility logins' usernames and owners' emails. The dashboard's session cookie is
//! minted from the same tokens.
//!
//! A request carries `Authorization: Bearer <token>`; the token is compared with each of
//! `RECEIVER_API_TOKENS` (several while rotating) in constant time: both sides are hashed
//! with SHA-256 and the digests compared without an early exit, and every configured token
//! is compared, so neither the length nor the place of a mismatch shows in the time taken.
//! Without a token configured the read API is off: it answers 403 naming the variable
//! (no token is made up and logged, so none is ever in a log).
//!
//! # The dashboard's session cookie
//!
//! `POST /login` with a token (in the form's body, never in a URL, so never in a log) sets
//! the cookie [`SESSION_COOKIE`], `HttpOnly; SameSite=Strict; Path=/`, for
//! [`SESSION_LIFETIME`], with `Secure` when the request came over HTTPS (see
//! [`came_over_https`]). Its value is **not the token**, nor a fixed digest of it, but
//! `EXPIRES.MAC`: `EXPIRES` the Unix second it stops being valid, and `MAC` the hex
//! HMAC-SHA-256 of `EXPIRES` keyed with a key derived from the token (the SHA-256 of a
//! domain-separating prefix and the token, distinct from the digest the bearer comparison
//! uses). So:
//!
//! * a cookie that leaks (a browser profile copied, a proxy's log) is not the token: it
//!   cannot be used as a bearer token, nor against the webhook, and stops being valid at
//!   `EXPIRES` (a digest of the token would be valid as long as the token);
//! * nothing is stored on the server, and every instance behind a load balancer accepts the
//!   cookies of the others (they share `RECEIVER_API_TOKENS`);
//! * removing a token from `RECEIVER_API_TOKENS` ends every session opened with it at the
//!   next restart;
//! * a cookie is checked against every configured token's key with `hmac`'s constant-time
//!   comparison, without an early exit, as the bearer token is.
//!
//! `POST /logout` clears the browser's cookie; a copy taken before stays valid until its
//! `EXPIRES` (there is no server-side list of sessions to revoke it from; rotate the token
//! to end every session at once).
//!
//! The cookie admits only the read API's `GET` and `HEAD` (and the dashboard's pages); a
//! request that changes something (`POST /notifications/{id}/redeliver`) still needs the
//! bearer header, and the webhook never looks at either: it is admitted by Svix's signature
//! alone.

use core::time::Duration;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::digest::Key;
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::config::ApiToken;

type HmacSha256 = Hmac<Sha256>;

/// The name of the dashboard's session cookie.
pub(crate) const SESSION_COOKIE: &str = "nectar_session";

/// How long a session cookie is valid after the login that set it: 12 hours.
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// What a session's MAC is computed over, before its expiry: a cookie is nothing else.
const SESSION_CONTEXT: &[u8] = b"nectar-receiver dashboard session v1\n";

/// The prefix of the session key derived from a token.
const SESSION_KEY_CONTEXT: &[u8] = b"nectar-receiver dashboard session key v1\n";

/// The digests of the configured tokens, and the keys their sessions are signed with.
#[derive(Clone)]
pub(crate) struct Tokens(Arc<Keys>);

struct Keys {
    /// SHA-256 of each token: what a bearer token is compared with.
    digests: Vec<[u8; 32]>,
    /// The session key of each token.
    sessions: Vec<Key<HmacSha256>>,
}

impl Tokens {
    pub(crate) fn new(tokens: &[ApiToken]) -> Self {
        Self(Arc::new(Keys {
            digests: tokens.iter().map(|t| digest(t.expose())).collect(),
            sessions: tokens.iter().map(|t| session_key(t.expose())).collect(),
        }))
    }

    /// Whether no token is configured (the read API and the dashboard are off).
    pub(crate) fn is_empty(&self) -> bool {
        self.0.digests.is_empty()
    }

    /// Whether `presented` is one of the tokens, in time that does not depend on where it
    /// differs.
    pub(crate) fn admit(&self, presented: &str) -> bool {
        let presented = digest(presented);
        self.0.digests.iter().fold(false, |found, token| {
            let differs = token
                .iter()
                .zip(presented.iter())
                .fold(0_u8, |acc, (a, b)| acc | (a ^ b));
            found | (differs == 0)
        })
    }

    /// The value of a session cookie for `token`, valid until `now` +
    /// [`SESSION_LIFETIME`]; `None` unless `token` is one of the tokens.
    pub(crate) fn open_session(&self, token: &str, now: Timestamp) -> Option<String> {
        if !self.admit(token) {
            return None;
        }
        let expires = now.as_second().saturating_add(lifetime_seconds());
        let tag = session_mac(&session_key(token), expires)
            .finalize()
            .into_bytes();
        Some(format!("{expires}.{}", hex(&tag)))
    }

    /// Whether `value` is a session cookie of one of the tokens, not expired at `now`.
    pub(crate) fn admit_session(&self, value: &str, now: Timestamp) -> bool {
        let Some((expires, tag)) = value.split_once('.') else {
            return false;
        };
        let Ok(expires) = expires.parse::<i64>() else {
            return false;
        };
        let Some(tag) = unhex(tag) else {
            return false;
        };
        let now = now.as_second();
        // Expired, or further ahead than a login gives (a minute of clock skew between
        // instances allowed).
        if expires <= now || expires > now.saturating_add(lifetime_seconds() + 60) {
            return false;
        }
        self.0.sessions.iter().fold(false, |found, key| {
            found | session_mac(key, expires).verify_slice(&tag).is_ok()
        })
    }

    /// Whether `headers` carry a session cookie of one of the tokens, valid at `now`.
    pub(crate) fn admit_session_in(&self, headers: &HeaderMap, now: Timestamp) -> bool {
        cookies(headers, SESSION_COOKIE)
            .fold(false, |found, value| found | self.admit_session(value, now))
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The key the sessions of `token` are signed with: one HMAC block, the SHA-256 of
/// [`SESSION_KEY_CONTEXT`] and the token, zero-padded (as HMAC pads a short key).
fn session_key(token: &str) -> Key<HmacSha256> {
    let derived = Sha256::new()
        .chain_update(SESSION_KEY_CONTEXT)
        .chain_update(token.as_bytes())
        .finalize();
    let mut key = Key::<HmacSha256>::default();
    for (byte, &d) in key.iter_mut().zip(derived.iter()) {
        *byte = d;
    }
    key
}

/// The MAC of a session expiring at `expires`, under `key`, ready to finalize or verify.
fn session_mac(key: &Key<HmacSha256>, expires: i64) -> HmacSha256 {
    let mut mac = HmacSha256::new(key);
    mac.update(SESSION_CONTEXT);
    mac.update(expires.to_string().as_bytes());
    mac
}

fn lifetime_seconds() -> i64 {
    i64::try_from(SESSION_LIFETIME.as_secs()).unwrap_or(i64::MAX)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]])
        .map(char::from)
        .collect()
}

/// The 32 bytes of 64 lowercase hex digits; `None` for anything else.
fn unhex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let value = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    let mut out = [0_u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (value(pair[0])? << 4) | value(pair[1])?;
    }
    Some(out)
}

/// The values of the cookies named `name` in every `Cookie` header of `headers`.
fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(move |pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key.trim() == name).then(|| value.trim().trim_matches('"'))
        })
}

/// Whether the request came over HTTPS: the receiver serves plain HTTP itself, so this is
/// what the TLS-terminating proxy in front of it says, `X-Forwarded-Proto: https` (its
/// first value) or `Forwarded: proto=https`. A client could send either header itself; all
/// it gets is a cookie its browser then sends over HTTPS only.
pub(crate) fn came_over_https(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
    let forwarded = headers
        .get(header::FORWARDED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| {
            first.split(';').any(|pair| {
                pair.trim().split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("proto")
                        && v.trim().trim_matches('"').eq_ignore_ascii_case("https")
                })
            })
        });
    forwarded_proto || forwarded
}

/// The `Set-Cookie` value of a session `value` (`None`: clear the cookie), `Secure` when
/// `secure`.
pub(crate) fn session_cookie(value: Option<&str>, secure: bool) -> String {
    let (value, max_age) = match value {
        Some(value) => (value, SESSION_LIFETIME.as_secs()),
        None => ("", 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    )
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// The middleware: the request goes on with a token admitted, or without an
/// `Authorization` header a valid session cookie on a `GET` or `HEAD`; else 401 (with
/// `WWW-Authenticate: Bearer`), or 403 when no token is configured.
pub(crate) async fn require_token(
    State(tokens): State<Tokens>,
    request: Request,
    next: Next,
) -> Response {
    if tokens.is_empty() {
        let error = "the read API is off: no RECEIVER_API_TOKENS is configured";
        return (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({ "error": error })),
        )
            .into_response();
    }
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    let presented = bearer(request.headers());
    let admitted = match presented {
        Some(token) => tokens.admit(token),
        None if request.headers().contains_key(header::AUTHORIZATION) => false,
        None => reads && tokens.admit_session_in(request.headers(), Timestamp::now()),
    };
    if admitted {
        return next.run(request).await;
    }
    let error = match presented {
        None => "this endpoint needs an Authorization: Bearer <token> header",
        Some(_) => "the bearer token is not one of RECEIVER_API_TOKENS",
    };
    let mut response = (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({ "error": error })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use jiff::{SignedDuration, Timestamp};

    use super::{SESSION_LIFETIME, Tokens, bearer, came_over_https, cookies, session_cookie};
    use crate::config::ApiToken;

    fn configured(list: &[&str]) -> Tokens {
        Tokens::new(
            &list
                .iter()
                .map(|t| ApiToken::new(t).expect("valid"))
                .collect::<Vec<_>>(),
        )
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_str(value).expect("ascii"));
        }
        headers
    }

    const OLD: &str = "old-token-0123456789";
    const NEW: &str = "new-token-0123456789";

    #[test]
    fn a_session_is_admitted_until_it_expires_and_is_not_the_token() {
        let tokens = configured(&[OLD, NEW]);
        let now: Timestamp = "2026-11-25T09:00:00Z".parse().expect("a time");
        let value = tokens.open_session(NEW, now).expect("a session");
        assert!(!value.contains(NEW), "{value}");
        assert!(tokens.admit_session(&value, now));
        let lifetime = SignedDuration::try_from(SESSION_LIFETIME).expect("fits");
        let almost = now + lifetime - SignedDuration::from_secs(1);
        assert!(tokens.admit_session(&value, almost));
        assert!(!tokens.admit_session(&value, now + lifetime), "expired");
        assert!(
            tokens.open_session("not-a-token-0123456", now).is_none(),
            "only for a configured token"
        );
        // Another instance with the same tokens admits it; one without NEW does not.
        assert!(configured(&[NEW]).admit_session(&value, now));
        assert!(
            !configured(&[OLD]).admit_session(&value, now),
            "rotated out"
        );
        assert!(!configured(&[]).admit_session(&value, now));
        // Neither the token nor its value as a bearer token.
        assert!(!tokens.admit(&value));
        assert!(!tokens.admit_session(NEW, now));
    }

    #[test]
    fn a_forged_or_mangled_session_is_refused() {
        let tokens = configured(&[OLD]);
        let now: Timestamp = "2026-11-25T09:00:00Z".parse().expect("a time");
        let value = tokens.open_session(OLD, now).expect("a session");
        let (expires, tag) = value.split_once('.').expect("EXPIRES.MAC");
        let later: i64 = expires.parse::<i64>().expect("a number") + 3600;
        let flipped: String = tag
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i == 10 {
                    if c == '0' { '1' } else { '0' }
                } else {
                    c
                }
            })
            .collect();
        for forged in [
            format!("{later}.{tag}"),
            format!("{expires}.{flipped}"),
            format!("{expires}.{}", tag.to_uppercase()),
            format!("{expires}.{}", &tag[..62]),
            format!("{expires}{tag}"),
            format!("{}.{tag}", i64::MAX),
            String::new(),
            ".".to_owned(),
        ] {
            assert!(!tokens.admit_session(&forged, now), "{forged}");
        }
        // Valid for at most the lifetime: a MAC over a far expiry (as a token holder could
        // compute) is refused too.
        let far = tokens
            .open_session(OLD, now + SignedDuration::from_hours(24 * 30))
            .expect("a session");
        assert!(!tokens.admit_session(&far, now));
    }

    #[test]
    fn the_session_cookie_is_read_among_others_and_set_with_its_attributes() {
        let tokens = configured(&[OLD]);
        let now = Timestamp::now();
        let value = tokens.open_session(OLD, now).expect("a session");
        let with = |cookie: String| headers(&[("cookie", &cookie)]);
        assert!(tokens.admit_session_in(&with(format!("a=b; nectar_session={value}; c=d")), now));
        assert!(tokens.admit_session_in(
            &with(format!("nectar_session=x; nectar_session={value}")),
            now
        ));
        assert!(!tokens.admit_session_in(&with(format!("other_session={value}")), now));
        assert!(!tokens.admit_session_in(&HeaderMap::new(), now));
        let two = headers(&[
            ("cookie", "a=b"),
            ("cookie", &format!("nectar_session={value}")),
        ]);
        assert_eq!(cookies(&two, "nectar_session").count(), 1);
        assert!(tokens.admit_session_in(&two, now));

        assert_eq!(
            session_cookie(Some("v"), false),
            "nectar_session=v; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict"
        );
        assert_eq!(
            session_cookie(None, true),
            "nectar_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure"
        );
    }

    #[test]
    fn https_is_what_the_proxy_says() {
        assert!(came_over_https(&headers(&[("x-forwarded-proto", "https")])));
        assert!(came_over_https(&headers(&[(
            "x-forwarded-proto",
            "HTTPS, http"
        )])));
        assert!(came_over_https(&headers(&[(
            "forwarded",
            "for=1.2.3.4;proto=https"
        )])));
        assert!(came_over_https(&headers(&[(
            "forwarded",
            "proto=\"https\", proto=http"
        )])));
        assert!(!came_over_https(&headers(&[("x-forwarded-proto", "http")])));
        assert!(!came_over_https(&headers(&[(
            "x-forwarded-proto",
            "http, https"
        )])));
        assert!(!came_over_https(&headers(&[("forwarded", "for=https")])));
        assert!(!came_over_https(&HeaderMap::new()));
    }

    #[test]
    fn each_configured_token_is_admitted_and_nothing_else() {
        let tokens = configured(&[OLD, NEW]);
        assert!(tokens.admit("old-token-0123456789"));
        assert!(tokens.admit("new-token-0123456789"));
        for other in [
            "",
            "old-token-012345678",
            "old-token-01234567890",
            "NEW-TOKEN-0123456789",
        ] {
            assert!(!tokens.admit(other), "{other}");
        }
        assert!(!configured(&[]).admit("anything"));
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_str(value).expect("ascii"),
            );
            bearer(&headers).map(str::to_owned)
        };
        assert_eq!(with("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(with("bearer  abc ").as_deref(), Some("abc"));
        assert_eq!(with("Basic abc"), None);
        assert_eq!(with("Bearer"), None);
        assert_eq!(with("Bearer "), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
