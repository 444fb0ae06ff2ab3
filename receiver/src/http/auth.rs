//! Bearer tokens for every endpoint but Nectar's webhook and the health probe: the read API
//! holds utility logins' usernames and owners' emails.
//!
//! A request carries `Authorization: Bearer <token>`; the token is compared with each of
//! `RECEIVER_API_TOKENS` (several while rotating) in constant time: both sides are hashed
//! with SHA-256 and the digests compared without an early exit, and every configured token
//! is compared, so neither the length nor the place of a mismatch shows in the time taken.
//! Without a token configured the read API is off: it answers 403 naming the variable
//! (no token is made up and logged, so none is ever in a log).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::config::ApiToken;

/// The digests of the configured tokens.
#[derive(Clone)]
pub(crate) struct Tokens(Arc<Vec<[u8; 32]>>);

impl Tokens {
    pub(crate) fn new(tokens: &[ApiToken]) -> Self {
        Self(Arc::new(
            tokens.iter().map(|t| digest(t.expose())).collect(),
        ))
    }

    /// Whether `presented` is one of the tokens, in time that does not depend on where it
    /// differs.
    fn admit(&self, presented: &str) -> bool {
        let presented = digest(presented);
        self.0.iter().fold(false, |found, token| {
            let differs = token
                .iter()
                .zip(presented.iter())
                .fold(0_u8, |acc, (a, b)| acc | (a ^ b));
            found | (differs == 0)
        })
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
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

/// The middleware: the request goes on with a token admitted, else 401 (with
/// `WWW-Authenticate: Bearer`), or 403 when no token is configured.
pub(crate) async fn require_token(
    State(tokens): State<Tokens>,
    request: Request,
    next: Next,
) -> Response {
    if tokens.0.is_empty() {
        let error = "the read API is off: no RECEIVER_API_TOKENS is configured";
        return (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({ "error": error })),
        )
            .into_response();
    }
    match bearer(request.headers()) {
        Some(token) if tokens.admit(token) => next.run(request).await,
        presented => {
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
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue, header};

    use super::{Tokens, bearer};
    use crate::config::ApiToken;

    #[test]
    fn each_configured_token_is_admitted_and_nothing_else() {
        let tokens = Tokens::new(&[
            ApiToken::new("old-token-0123456789").expect("valid"),
            ApiToken::new("new-token-0123456789").expect("valid"),
        ]);
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
        assert!(!Tokens::new(&[]).admit("anything"));
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
