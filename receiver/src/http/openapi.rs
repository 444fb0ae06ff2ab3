//! The OpenAPI 3.1 description of the receiver's HTTP API, served at `GET /openapi.json`, and
//! of the messages it pushes to the integrator's app (the document's `webhooks`).
//!
//! Generated from the code, so that it cannot drift: the handlers carry `#[utoipa::path]`,
//! the receiver's own types derive `utoipa::ToSchema` (their doc comments are the
//! descriptions), and the library's types, which live in crates that do not depend on
//! utoipa, are described here from their real values: every enum's list is read from the
//! library at run time (`Enumerated::ALL`, written as serde writes it), so a status, a
//! notification or an actor added to the library is in the document without an edit here.
//! `tests/suite/openapi.rs` checks the document against the routes in the source and
//! against real answers on both engines, and `receiver/openapi.json` is a copy for
//! generating clients without running the service.
//!
//! **Public.** `GET /openapi.json` needs no token: a description holds no data, and tools
//! (client generators, API explorers) fetch it without credentials. What it describes stays
//! behind the token.

use std::borrow::Cow;

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use nectar_lifecycle::Enumerated;
use nectar_lifecycle::webhook::Notification as LibraryNotification;
use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterBuilder};
use utoipa::openapi::path::{ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{Response as ApiResponse, ResponseBuilder};
use utoipa::openapi::schema::{OneOfBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::server::{ServerBuilder, ServerVariableBuilder};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, PathsBuilder, Required};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use super::AppState;
pub(crate) use crate::schema::*;
use crate::store::{ActionEntry, EntryKind, Outcome};

/// Where the document is served.
pub(crate) const OPENAPI_PATH: &str = "/openapi.json";

/// The security scheme of the read API, by name.
const BEARER: &str = "bearerToken";
/// The dashboard's session cookie as a security scheme, by name: it also reads the read
/// API's `GET`s.
const SESSION: &str = "dashboardSession";

/// The description, as utoipa assembles it from the paths below and [`Library`],
/// [`BehindToken`], [`Unannotated`] and [`Push`].
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Nectar receiver",
        description = "The reference receiver of Nectar's connection webhooks: the delivery endpoint Svix posts to, the read API over what it stored (the worklist, each connection's record and outbox entries, the feed of every entry in commit order), its health probes and metrics, and (under `webhooks`) the signed messages it pushes to the integrator's app at `NOTIFY_URL`.\n\nThe read API needs `Authorization: Bearer <token>` with one of `RECEIVER_API_TOKENS`; the delivery endpoint is authenticated by Svix's signature instead, and the probes and this description are public."
    ),
    paths(
        super::read::worklist,
        super::read::connection,
        super::read::notifications,
        super::read::feed,
        super::read::redeliver,
        super::webhooks::receive,
        openapi_json,
    ),
    components(schemas(EntryKind, Notification, PushMessage)),
    modifiers(&Library, &Listener, &BehindToken, &Unannotated, &Push),
    tags(
        (name = "read", description = "The read API: behind the bearer token (`RECEIVER_API_TOKENS`)"),
        (name = "nectar", description = "Nectar's webhooks, delivered by Svix"),
        (name = "operations", description = "Health probes, metrics and this description: no token"),
    )
)]
struct ApiDoc;

/// The receiver's OpenAPI 3.1 document.
pub(crate) fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /openapi.json`, public.
pub(super) fn routes() -> Router<AppState> {
    let body = document()
        .to_pretty_json()
        .map(|mut json| {
            json.push('\n');
            Bytes::from(json)
        })
        .map_err(|err| err.to_string());
    Router::new().route(
        OPENAPI_PATH,
        get(move || {
            let body = body.clone();
            async move { openapi_json(body) }
        }),
    )
}

/// `GET /openapi.json`: the document, written once when the router is built.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    summary = "This description",
    description = "The OpenAPI 3.1 description of this API and of the pushed messages. Public: it holds no data.",
    responses((status = 200, description = "The document", content_type = "application/json", body = Object)),
    security(())
)]
fn openapi_json(body: Result<Bytes, String>) -> Response {
    match body {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "the OpenAPI document could not be written");
            let error = serde_json::json!({ "error": "the OpenAPI document could not be written" });
            (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(error)).into_response()
        }
    }
}

described!(
    /// `DeliveryAnswer`: the answer to a delivery taken.
    DeliveryAnswer,
    OneOfBuilder::new()
        .description(Some("The outcome of a delivery recorded, or the event type acknowledged"))
        .item(to("Outcome"))
        .item(to("Ignored")),
    refers: [Outcome, Ignored]
);

/// Every kind of entry: the library's notifications, then the receiver's actions.
pub(crate) fn entry_kinds() -> Vec<EntryKind> {
    LibraryNotification::ALL
        .iter()
        .map(|notification| EntryKind::Change(*notification))
        .chain(<ActionEntry as strum::IntoEnumIterator>::iter().map(EntryKind::Action))
        .collect()
}

impl PartialSchema for EntryKind {
    fn schema() -> Either {
        one_of_strings(
            entry_kinds()
                .iter()
                .filter_map(|kind| serde_json::to_value(kind).ok())
                .collect(),
        )
        .description(Some(
            "What an entry says: what a change means (the library's `Notification`), or what one of the receiver's actions did",
        ))
        .into()
    }
}

impl ToSchema for EntryKind {}

described!(
    /// `PushMessage`: the body of a message pushed to `NOTIFY_URL`.
    PushMessage,
    object(
        "A message pushed to the integrator's app (Standard Webhooks)",
        vec![
            (
                "type",
                one_of_strings(
                    entry_kinds()
                        .iter()
                        .map(|kind| Value::from(format!("nectar.connection.{kind}")))
                        .collect(),
                )
                .description(Some("`nectar.connection.` and the entry's `notification`"))
                .into(),
            ),
            ("timestamp", time(false).description(Some("The entry's `createdAt`")).into()),
            (
                "data",
                utoipa::openapi::schema::AllOfBuilder::new()
                    .description(Some("The entry as the feed shows it, without `push`"))
                    .item(to("FeedEntry"))
                    .into(),
            ),
        ],
        &["type", "timestamp", "data"],
    ),
    refers: [crate::store::FeedEntry]
);

// ---------------------------------------------------------------------------------------
// What the paths cannot say themselves.

/// The library's enums that the paths do not reach on their own, so that each has its
/// component.
struct Library;

impl Modify for Library {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut named = Named::new();
        add::<Actor>(&mut named);
        add::<Remediation>(&mut named);
        add::<ErrorBody>(&mut named);
        for (name, schema) in named {
            components.schemas.entry(name).or_insert(schema);
        }
    }
}

/// The receiver's main listener (`LISTEN_ADDR`), as the document's server.
struct Listener;

impl Modify for Listener {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.servers = Some(vec![
            ServerBuilder::new()
                .url("http://{listenAddr}")
                .description(Some(
                    "The receiver's listener, `LISTEN_ADDR` (behind a TLS-terminating proxy in production: use its URL)",
                ))
                .parameter(
                    "listenAddr",
                    ServerVariableBuilder::new()
                        .default_value(crate::config::DEFAULT_LISTEN_ADDR.to_string())
                        .description(Some("`LISTEN_ADDR`")),
                )
                .build(),
        ]);
    }
}

/// A JSON response of [`ErrorBody`].
fn refusal(description: &str) -> ApiResponse {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(to("ErrorBody"))).build(),
        )
        .build()
}

/// The read API is behind the bearer token, as the router puts `read::routes()` behind
/// `auth::require_token`: each of its operations (tag `read`) gets the security
/// requirement and the token's answers, and every one can fail on the database.
struct BehindToken;

impl Modify for BehindToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "One of `RECEIVER_API_TOKENS` (comma-separated, several while rotating), as `Authorization: Bearer <token>`; compared in constant time. The dashboard's pages (HTML, not described here) sign in with the same tokens.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                super::auth::SESSION_COOKIE,
                "The dashboard's session cookie, set by `POST /login` with one of `RECEIVER_API_TOKENS` (12 hours); it reads the read API's `GET`s, and never writes",
            ))),
        );
        for item in openapi.paths.paths.values_mut() {
            for operation in operations(item) {
                let read = operation
                    .tags
                    .as_ref()
                    .is_some_and(|tags| tags.iter().any(|tag| tag == "read"));
                if !read {
                    continue;
                }
                operation.security =
                    Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
                let unauthorized = ResponseBuilder::from(refusal(
                    "No `Authorization: Bearer` header, or a token that is not one of `RECEIVER_API_TOKENS`",
                ))
                .header(
                    "WWW-Authenticate",
                    HeaderBuilder::new()
                        .schema(Some(string().enum_values(Some(["Bearer"]))))
                        .build(),
                )
                .build();
                let responses = &mut operation.responses.responses;
                for (status, response) in [
                    ("401", unauthorized),
                    (
                        "403",
                        refusal("The read API is off: no `RECEIVER_API_TOKENS` is configured"),
                    ),
                    ("500", refusal("The database failed for another reason")),
                    (
                        "503",
                        refusal(
                            "The database is unavailable or busy; or the request took longer than `REQUEST_TIMEOUT`, answered with an empty body",
                        ),
                    ),
                ] {
                    responses
                        .entry(status.to_owned())
                        .or_insert(response.into());
                }
            }
            // The dashboard's cookie reads, never writes: the `GET`s take it too.
            if let Some(get) = item.get.as_mut()
                && let Some(security) = get.security.as_mut()
                && security
                    .iter()
                    .any(|requirement| *requirement != SecurityRequirement::default())
            {
                security.push(SecurityRequirement::new(SESSION, Vec::<String>::new()));
            }
        }
    }
}

/// The operations of `item`.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// A public operation (no token) of the tag `operations`.
fn public(summary: &str, description: &str) -> OperationBuilder {
    OperationBuilder::new()
        .tag("operations")
        .summary(Some(summary))
        .description(Some(description))
        .security(SecurityRequirement::default())
}

/// The routes whose handlers are written without `#[utoipa::path]`: the probes (`health.rs`)
/// and `GET /metrics`, on its own listener (`METRICS_ADDR`).
struct Unannotated;

impl Modify for Unannotated {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.schemas.insert(
            "Readiness".to_owned(),
            object(
                "Whether this instance should take traffic, and each check: the database answers, the poller and the sweeper went round within `READY_STALE_AFTER`, the last call to Nectar's API was not refused for its key",
                vec![("ready", of_type(Type::Boolean).into())],
                &["ready"],
            )
            .additional_properties(Some(object(
                "One check",
                vec![
                    ("ok", of_type(Type::Boolean).into()),
                    ("detail", string().description(Some("What it found, in words")).into()),
                ],
                &["ok", "detail"],
            )))
            .into(),
        );
        let text = |description: &str, example: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "text/plain",
                    ContentBuilder::new()
                        .schema(Some(string()))
                        .example(Some(Value::from(example)))
                        .build(),
                )
                .build()
        };
        let readiness = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(to("Readiness"))).build(),
                )
                .build()
        };
        let paths = &mut openapi.paths.paths;
        paths.insert(
            "/healthz".to_owned(),
            PathItem::new(
                HttpMethod::Get,
                public(
                    "Liveness",
                    "`ok` whenever the process answers. It touches nothing, so a database outage never makes an orchestrator restart every instance.",
                )
                .operation_id(Some("alive"))
                .response("200", text("The process answers", "ok")),
            ),
        );
        paths.insert(
            "/readyz".to_owned(),
            PathItem::new(
                HttpMethod::Get,
                public(
                    "Readiness",
                    "Whether this instance should take traffic; the body says which check failed.",
                )
                .operation_id(Some("ready"))
                .response("200", readiness("Ready"))
                .response("503", readiness("Not ready: a check failed")),
            ),
        );
        let mut metrics = PathItem::new(
            HttpMethod::Get,
            public(
                "Prometheus metrics",
                "The receiver's metrics in Prometheus's text format. Served only on `METRICS_ADDR`, its own listener (off without it), and never on the main one: bind it to an interface only the monitoring network reaches.",
            )
            .operation_id(Some("metrics"))
            .response(
                "200",
                ResponseBuilder::new()
                    .description("The metrics")
                    .content(
                        "text/plain; version=0.0.4",
                        ContentBuilder::new().schema(Some(string())).build(),
                    )
                    .build(),
            ),
        );
        metrics.servers = Some(vec![
            ServerBuilder::new()
                .url("http://{metricsAddr}")
                .description(Some("The metrics listener, `METRICS_ADDR`"))
                .parameter(
                    "metricsAddr",
                    ServerVariableBuilder::new()
                        .default_value("127.0.0.1:9464")
                        .description(Some("`METRICS_ADDR`")),
                )
                .build(),
        ]);
        paths.insert("/metrics".to_owned(), metrics);
    }
}

/// The messages pushed to `NOTIFY_URL` (`workers/push.rs`), as the document's `webhooks`.
struct Push;

impl Modify for Push {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let header = |name: &str, description: &str| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(description))
                .schema(Some(string()))
                .build()
        };
        let operation = OperationBuilder::new()
            .operation_id(Some("pushEntry"))
            // Authenticated by its signature headers, described below.
            .security(SecurityRequirement::default())
            .summary(Some("An outbox entry, pushed to the integrator's app"))
            .description(Some(
                "With `NOTIFY_URL` and `NOTIFY_SECRET` set, every outbox entry is POSTed to `NOTIFY_URL` as a Standard Webhooks message, at least once and in order per connection: deduplicate by `webhook-id`. Anything but a 2xx within `NOTIFY_TIMEOUT` is retried on `NOTIFY_RETRY_SCHEDULE`; after the last attempt the entry is `failed` in the feed until `POST /notifications/{id}/redeliver`.",
            ))
            .parameter(header(
                "webhook-id",
                "The entry's id (`ntf_N`): the same on every attempt and in the feed",
            ))
            .parameter(header("webhook-timestamp", "The attempt's time, in Unix seconds"))
            .parameter(header(
                "webhook-signature",
                "`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` with the bytes of `NOTIFY_SECRET` (after `whsec_`)",
            ))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(to("PushMessage"))).build(),
                    )
                    .build(),
            ))
            .response(
                "2XX",
                ResponseBuilder::new().description("Taken: delivered").build(),
            )
            .response(
                "default",
                ResponseBuilder::new()
                    .description("Anything else (or no answer in time): retried")
                    .build(),
            );
        openapi.webhooks = Some(
            PathsBuilder::new()
                .path(
                    "connectionEntry",
                    PathItem::new(HttpMethod::Post, operation),
                )
                .build(),
        );
    }
}
