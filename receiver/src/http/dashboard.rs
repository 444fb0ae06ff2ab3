//! The dashboard: HTML pages served by the receiver itself, for a support person who has
//! not read the spec. Rendered on the server (no script at all), every asset embedded in
//! the binary (`receiver/assets/`), nothing fetched from elsewhere.
//!
//! * `GET /login`: the sign-in form; `POST /login` with `token=<an API token>` (a form's
//!   body, never a URL) sets the session cookie and redirects (303) to `/`; a wrong token
//!   is answered 401 with the form again. `POST /logout` clears the cookie and redirects
//!   to `/login`. The cookie is described in [`super::auth`].
//! * `GET /?needs=&status=&cursor=&limit=`: the worklist ([`Store::worklist`], the same as
//!   `GET /connections`): the counts per group and per status, and a page of connections,
//!   each with what to do in words, how long it has been in its status, its reconnect
//!   invitation and its last notification.
//! * `GET /connection/{id}`: one connection ([`Store::record_view`] and
//!   [`Store::notifications`]): its record, its reconnect invitation, the lifecycle diagram
//!   with its current status highlighted and the transitions its outbox recorded, its
//!   history and its accounts. (Not `/connections/{id}`: that is the JSON of the read API.)
//! * `GET /assets/dashboard.css`, `GET /assets/favicon.svg`: the embedded assets.
//!
//! The pages redirect (303) to `/login` without a valid session cookie, and answer 403
//! when no `RECEIVER_API_TOKENS` is configured. Every answer carries a strict
//! `Content-Security-Policy` (no script; styles from the stylesheet and, by their hashes,
//! the inline diagrams' own), `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer` (an
//! invitation link opened from a page does not learn the page's address) and
//! `Cache-Control: no-store` on pages (they show owners' emails and utility logins).

mod html;
mod pages;

use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus;
use nectar_lifecycle::render::Diagram;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use self::html::Frame;
use self::pages::{ConnectionPage, LoginPage, MessagePage, WorklistPage};
use super::auth::{Tokens, came_over_https, session_cookie};
use crate::config::Config;
use crate::store::{Store, StoreError, WorklistQuery};

/// The stylesheet, embedded.
const CSS: &str = include_str!("../../assets/dashboard.css");
/// The icon, embedded (so that no browser asks for `/favicon.ico`).
const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// The sign-in page's path.
const LOGIN_PATH: &str = "/login";

/// The Content-Security-Policy of every answer but a page with inline diagrams: nothing
/// runs, styles come from the stylesheet, forms post here only, no page frames these.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// What the dashboard's handlers share.
#[derive(Clone)]
struct Dashboard {
    store: Store,
    tokens: Tokens,
    invitations_on: bool,
}

/// The dashboard's routes (see the module), on `store`, signed in with `config`'s API
/// tokens; merged into the receiver's router.
pub(super) fn routes<S: Clone + Send + Sync + 'static>(config: &Config, store: Store) -> Router<S> {
    let state = Dashboard {
        store,
        tokens: Tokens::new(&config.api_tokens),
        invitations_on: config.actions.reconnect_invitations,
    };
    let pages = Router::new()
        .route("/", get(worklist))
        .route("/connection/{id}", get(connection))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_session,
        ));
    Router::new()
        .merge(pages)
        .route(LOGIN_PATH, get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/assets/dashboard.css", get(stylesheet))
        .route("/assets/favicon.svg", get(favicon))
        .layer(axum::middleware::map_response(protect))
        .with_state(state)
}

/// The headers every dashboard answer carries (a page's own policy kept).
async fn protect(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// An HTML page: `status`, the frame around `body`.
fn page(
    status: StatusCode,
    title: &str,
    signed_in: bool,
    body: impl core::fmt::Display,
) -> Response {
    let html = Frame {
        title,
        signed_in,
        body,
    }
    .to_string();
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// A page saying `message` under `title`.
fn message(status: StatusCode, title: &str, text: &str) -> Response {
    page(
        status,
        title,
        true,
        MessagePage {
            title,
            message: text,
        },
    )
}

/// 303 to `location`, with `headers`.
fn see_other(location: &'static str, headers: &[(HeaderName, String)]) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().append(name.clone(), value);
        }
    }
    response
}

/// The page when the database fails: 503 for a transient failure (try again), else 500.
/// The driver's message goes to the log only.
fn storage_failed(err: &StoreError) -> Response {
    if err.is_transient() {
        tracing::warn!(error = %err, "dashboard: storage unavailable; answering 503");
        message(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database is not answering",
            "The receiver's database did not answer in time. Try again in a moment.",
        )
    } else {
        tracing::error!(error = %err, "dashboard: storage failed");
        message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The database failed",
            "The receiver could not read its database; its log says why.",
        )
    }
}

/// The dashboard off: no token to sign in with.
fn off() -> Response {
    page(
        StatusCode::FORBIDDEN,
        "Sign in",
        false,
        LoginPage {
            error: None,
            enabled: false,
        },
    )
}

/// The middleware of the pages: on with a valid session cookie, else 303 to `/login`
/// (403 when no token is configured).
async fn require_session(
    State(dashboard): State<Dashboard>,
    request: Request,
    next: Next,
) -> Response {
    if dashboard.tokens.is_empty() {
        return off();
    }
    if dashboard
        .tokens
        .admit_session_in(request.headers(), Timestamp::now())
    {
        next.run(request).await
    } else {
        see_other(LOGIN_PATH, &[])
    }
}

/// `GET /login`: the form (or straight to `/` when the session is valid).
async fn login_form(State(dashboard): State<Dashboard>, headers: HeaderMap) -> Response {
    if dashboard.tokens.is_empty() {
        return off();
    }
    if dashboard
        .tokens
        .admit_session_in(&headers, Timestamp::now())
    {
        return see_other("/", &[]);
    }
    page(
        StatusCode::OK,
        "Sign in",
        false,
        LoginPage {
            error: None,
            enabled: true,
        },
    )
}

/// The sign-in form's body.
#[derive(Deserialize)]
struct Credentials {
    #[serde(default)]
    token: String,
}

/// `POST /login`: a token of `RECEIVER_API_TOKENS` sets the session cookie (`Secure` over
/// HTTPS) and redirects to `/`; another is answered 401 with the form again.
async fn login(
    State(dashboard): State<Dashboard>,
    headers: HeaderMap,
    Form(credentials): Form<Credentials>,
) -> Response {
    if dashboard.tokens.is_empty() {
        return off();
    }
    let token = credentials.token.trim();
    match dashboard.tokens.open_session(token, Timestamp::now()) {
        Some(session) => {
            let cookie = session_cookie(Some(&session), came_over_https(&headers));
            see_other("/", &[(header::SET_COOKIE, cookie)])
        }
        None => {
            tracing::info!(
                "dashboard: a sign-in with a token that is not one of RECEIVER_API_TOKENS"
            );
            page(
                StatusCode::UNAUTHORIZED,
                "Sign in",
                false,
                LoginPage {
                    error: Some("That token is not one of this receiver's API tokens."),
                    enabled: true,
                },
            )
        }
    }
}

/// `POST /logout`: the cookie cleared, to `/login`.
async fn logout(headers: HeaderMap) -> Response {
    let cookie = session_cookie(None, came_over_https(&headers));
    see_other(LOGIN_PATH, &[(header::SET_COOKIE, cookie)])
}

/// `GET /assets/dashboard.css`.
async fn stylesheet() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

/// `GET /assets/favicon.svg`.
async fn favicon() -> Response {
    asset("image/svg+xml", FAVICON)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The worklist's query, as text (its errors name the parameter).
#[derive(Debug, Deserialize)]
struct WorklistParams {
    needs: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

/// `GET /`: the worklist.
async fn worklist(
    State(dashboard): State<Dashboard>,
    Query(params): Query<WorklistParams>,
) -> Response {
    let query = match WorklistQuery::parse(
        params.needs.as_deref(),
        params.status.as_deref(),
        params.cursor.as_deref(),
        params.limit.as_deref(),
    ) {
        Ok(query) => query,
        Err(err) => {
            return message(StatusCode::BAD_REQUEST, "Not a worklist", &err.to_string());
        }
    };
    let list = match dashboard.store.worklist(&query).await {
        Ok(list) => list,
        Err(err) => return storage_failed(&err),
    };
    page(
        StatusCode::OK,
        "Worklist",
        true,
        WorklistPage {
            list: &list,
            query: &query,
            now: Timestamp::now(),
            invitations_on: dashboard.invitations_on,
        },
    )
}

/// The statuses an outbox recorded, in order, each once per stay, and `current` last.
fn path_taken<'a>(recorded: impl IntoIterator<Item = &'a str>, current: &'a str) -> Vec<String> {
    let mut path: Vec<String> = Vec::new();
    for status in recorded.into_iter().chain([current]) {
        if path.last().map(String::as_str) != Some(status) {
            path.push(status.to_owned());
        }
    }
    path
}

/// The lifecycle diagrams of a connection in `current` that went through `path`, with
/// `underneath` the operational status its record holds under an overlay: each with a
/// caption, the one showing the current status first.
///
/// In an operational status (or one the library does not know): the operational lifecycle
/// with it highlighted, then the overlays' diagram if the path went through one. Under an
/// overlay (`DEACTIVATED`, `COMPANY_INACTIVE`): the overlays' diagram with it highlighted,
/// then the operational lifecycle with the status underneath highlighted, when known.
fn diagrams(
    current: &str,
    underneath: Option<ConnectionStatus>,
    path: &[String],
) -> Vec<(String, String)> {
    let known: Vec<Option<ConnectionStatus>> = path.iter().map(|s| s.parse().ok()).collect();
    let taken: Vec<(ConnectionStatus, ConnectionStatus)> = known
        .windows(2)
        .filter_map(|pair| Some((pair[0]?, pair[1]?)))
        .collect();
    let current = current.parse::<ConnectionStatus>().ok();
    let operational = |marked: Option<ConnectionStatus>| {
        Diagram::ConnectionOperational.svg_highlighted(marked, &taken)
    };
    let overlays = || Diagram::ConnectionOverlays.svg_highlighted(current, &taken);
    match current {
        Some(overlay) if !overlay.is_operational() => {
            let below = match underneath {
                Some(status) => format!(
                    "Underneath the overlay: {status}, the status the connection returns to when {overlay} is lifted."
                ),
                None => format!(
                    "The status underneath {overlay} is not known: the receiver never saw the connection without it."
                ),
            };
            vec![
                (
                    format!("{overlay} is an overlay: collection stops until it is lifted."),
                    overlays(),
                ),
                (below, operational(underneath)),
            ]
        }
        _ => {
            let mut shown = vec![(
                "Where the connection is, and the transitions it took.".to_owned(),
                operational(current),
            )];
            if known.iter().flatten().any(|s| !s.is_operational()) {
                shown.push(("The overlays it went through.".to_owned(), overlays()));
            }
            shown
        }
    }
}

/// The CSP of a page showing `svgs`: [`CSP`] with the hash of each inline `<style>` of
/// theirs allowed.
fn policy_with_styles(svgs: &[(String, String)]) -> String {
    let mut hashes = String::new();
    for (_, svg) in svgs {
        let mut rest = svg.as_str();
        while let Some(open) = rest.find("<style>") {
            let body = &rest[open + "<style>".len()..];
            let Some(close) = body.find("</style>") else {
                break;
            };
            let digest = Sha256::digest(&body.as_bytes()[..close]);
            hashes.push_str(" 'sha256-");
            hashes.push_str(&STANDARD.encode(digest));
            hashes.push('\'');
            rest = &body[close..];
        }
    }
    CSP.replacen("style-src 'self'", &format!("style-src 'self'{hashes}"), 1)
}

/// `GET /connection/{id}`: a connection's page, 404 if none is stored.
async fn connection(State(dashboard): State<Dashboard>, Path(id): Path<String>) -> Response {
    let view = match dashboard.store.record_view(&id).await {
        Ok(Some(view)) => view,
        Ok(None) => {
            return message(
                StatusCode::NOT_FOUND,
                "No such connection",
                &format!("The receiver has stored no connection with the id {id}."),
            );
        }
        Err(err) => return storage_failed(&err),
    };
    let entries = match dashboard.store.notifications(&id).await {
        Ok(entries) => entries,
        Err(err) => return storage_failed(&err),
    };
    let current = view.record.connection.status.as_str();
    let path = path_taken(entries.iter().map(|e| e.status.as_str()), current);
    let underneath = view
        .record
        .observed
        .and_then(|observed| observed.operational_status());
    let svgs = diagrams(current, underneath, &path);
    let mut response = page(
        StatusCode::OK,
        &format!("Connection {id}"),
        true,
        ConnectionPage {
            view: &view,
            entries: &entries,
            now: Timestamp::now(),
            invitations_on: dashboard.invitations_on,
            diagrams: &svgs,
            path: &path,
        },
    );
    if let Ok(policy) = HeaderValue::from_str(&policy_with_styles(&svgs)) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

#[cfg(test)]
mod tests {
    use nectar_lifecycle::ConnectionStatus;

    use super::{CSP, diagrams, path_taken, policy_with_styles};

    #[test]
    fn the_path_is_each_stay_once_and_ends_at_the_current_status() {
        assert_eq!(
            path_taken(
                ["PASSWORD_INCORRECT", "PASSWORD_INCORRECT", "CONNECTED"],
                "CONNECTED"
            ),
            ["PASSWORD_INCORRECT", "CONNECTED"]
        );
        assert_eq!(path_taken([], "PENDING"), ["PENDING"]);
        assert_eq!(
            path_taken(["CONNECTED"], "WEBSITE_DOWN"),
            ["CONNECTED", "WEBSITE_DOWN"]
        );
    }

    #[test]
    fn the_diagram_marks_the_current_status_and_the_path() {
        let path = path_taken(["CONNECTED", "PASSWORD_INCORRECT"], "PASSWORD_INCORRECT");
        let svgs = diagrams("PASSWORD_INCORRECT", None, &path);
        assert_eq!(svgs.len(), 1, "no overlay on the path");
        let (_, svg) = &svgs[0];
        assert!(svg.contains(r#"id="status-PASSWORD_INCORRECT" class="status current""#));
        assert!(svg.contains(r#"id="edge-CONNECTED-PASSWORD_INCORRECT" class="edge taken""#));

        let path = path_taken(["CONNECTED", "DEACTIVATED", "CONNECTED"], "CONNECTED");
        let svgs = diagrams("CONNECTED", None, &path);
        assert_eq!(svgs.len(), 2, "the overlays it went through too");
        assert!(svgs[0].1.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"diagram-connection-operational\""
        ));

        let overlaid = diagrams(
            "DEACTIVATED",
            Some(ConnectionStatus::WebsiteDown),
            &path_taken(["WEBSITE_DOWN"], "DEACTIVATED"),
        );
        assert_eq!(overlaid.len(), 2);
        assert!(
            overlaid[0].1.contains("id=\"diagram-connection-overlays\""),
            "the overlay first"
        );
        assert!(
            overlaid[0]
                .1
                .contains(r#"id="status-DEACTIVATED" class="status current""#)
        );
        assert!(overlaid[1].0.contains("WEBSITE_DOWN"), "{}", overlaid[1].0);
        assert!(
            overlaid[1]
                .1
                .contains(r#"id="status-WEBSITE_DOWN" class="status current""#)
        );

        let unknown = diagrams("ON_FIRE", None, &path_taken(["CONNECTED"], "ON_FIRE"));
        assert!(!unknown[0].1.contains(" current\""), "nothing to mark");
    }

    #[test]
    fn the_policy_allows_the_diagrams_styles_by_hash_only() {
        let svgs = vec![(
            String::new(),
            "<svg><style>\na{}\n</style><g/></svg>".to_owned(),
        )];
        let policy = policy_with_styles(&svgs);
        assert!(
            policy.starts_with("default-src 'none'; style-src 'self' 'sha256-"),
            "{policy}"
        );
        assert!(!policy.contains("unsafe"), "{policy}");
        assert_eq!(policy_with_styles(&[]), CSP);
    }
}
