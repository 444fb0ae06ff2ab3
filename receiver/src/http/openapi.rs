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
use nectar_lifecycle::remediation::{
    AccountRemediation, Actor as LibraryActor, Expectation, MfaOption,
};
use nectar_lifecycle::webhook::{
    Episode as LibraryEpisode, EventType, Field, Notification as LibraryNotification,
};
use nectar_lifecycle::{AccountStatus, ConnectionStatus as LibraryStatus, Enumerated, Rules};
use nectar_lifecycle::{TrackingStatus, invitation::InvitationType};
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterBuilder};
use utoipa::openapi::path::{ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{Response as ApiResponse, ResponseBuilder};
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Ref, Schema,
    SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::server::{ServerBuilder, ServerVariableBuilder};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, PathsBuilder, Required};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

use super::AppState;
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

// ---------------------------------------------------------------------------------------
// Building blocks.

/// Named schemas a schema refers to, as utoipa collects them.
type Named = Vec<(String, utoipa::openapi::RefOr<Schema>)>;
/// A schema or a reference to one.
type Either = utoipa::openapi::RefOr<Schema>;

/// Adds `T` and what it refers to.
fn add<T: ToSchema>(out: &mut Named) {
    out.push((T::name().into_owned(), T::schema()));
    T::schemas(out);
}

/// The values of one of the library's closed enums, as serde writes them, in the library's
/// order.
pub(crate) fn wire<T: Enumerated + Serialize>() -> Vec<Value> {
    T::ALL
        .iter()
        .filter_map(|value| serde_json::to_value(value).ok())
        .collect()
}

/// A string, one of `values`.
fn one_of_strings(values: Vec<Value>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
}

/// The string `value` exactly (a tag).
fn tag(value: &str) -> ObjectBuilder {
    one_of_strings(vec![Value::from(value)])
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn of_type(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(kind)
}

/// `kind` or `null`.
fn nullable(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([kind, Type::Null]))
}

/// An RFC 3339 time, or `null` when `nullable`.
fn time(nullable_: bool) -> ObjectBuilder {
    let builder = if nullable_ {
        nullable(Type::String)
    } else {
        string()
    };
    builder.format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
}

/// A reference to the component `name`.
fn to(name: &str) -> Either {
    Ref::from_schema_name(name).into()
}

/// `schema`, or `null`.
fn or_null(schema: impl Into<Either>) -> Either {
    OneOfBuilder::new()
        .item(schema)
        .item(of_type(Type::Null))
        .into()
}

fn array(items: impl Into<Either>) -> ArrayBuilder {
    ArrayBuilder::new().items(items.into())
}

/// An array of `items`, or `null`.
fn nullable_array(items: impl Into<Either>) -> ArrayBuilder {
    array(items).schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
}

/// An object of `properties`, every one of them `required` when listed there.
fn object(description: &str, properties: Vec<(&str, Either)>, required: &[&str]) -> ObjectBuilder {
    let mut builder = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description));
    for (name, schema) in properties {
        builder = builder.property(name, schema);
    }
    for name in required {
        builder = builder.required(*name);
    }
    builder
}

/// A value the library reads as `Reported<T>`: one it knows (listed), or any other string,
/// kept as received (a value Nectar adds never fails a payload).
fn reported(known: Vec<Value>, what: &str) -> AnyOfBuilder {
    AnyOfBuilder::new()
        .description(Some(format!(
            "{what}: one the library knows (listed), or another one, kept as received"
        )))
        .item(one_of_strings(known).title(Some("known")))
        .item(string().title(Some("other")))
}

/// Declares a marker type standing for a schema built here: `$name` in the document.
macro_rules! described {
    ($(#[$meta:meta])* $name:ident, $schema:expr $(, refers: [$($other:ty),*])?) => {
        $(#[$meta])*
        pub(crate) enum $name {}

        impl PartialSchema for $name {
            fn schema() -> Either {
                $schema.into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn schemas(_out: &mut Named) {
                $($(add::<$other>(_out);)*)?
            }
        }
    };
}

// ---------------------------------------------------------------------------------------
// The library's types, from its values.

described!(
    /// `ConnectionStatus`: a connection's status as Nectar spells it.
    ConnectionStatus,
    reported(wire::<LibraryStatus>(), "A connection's status as Nectar spells it")
);

described!(
    /// `Notification`: what an applied change means.
    Notification,
    one_of_strings(wire::<LibraryNotification>())
        .description(Some("What an applied change means for the integrator's users (the library's `Notification`)"))
);

described!(
    /// `Actor`: who must act for a connection to make progress.
    Actor,
    one_of_strings(wire::<LibraryActor>()).description(Some(
        "Who must act for a connection to make progress (the library's remediation's actor)"
    ))
);

described!(
    /// `Episode`: where a credential-error episode's reconnect invitation stands.
    Episode,
    one_of_strings(
        <LibraryEpisode as strum::IntoEnumIterator>::iter()
            .filter_map(|episode| serde_json::to_value(episode).ok())
            .collect()
    )
    .description(Some(
        "Where a credential-error episode's reconnect invitation stands (the library's `Episode`)"
    ))
);

/// `invitation` of a remediation: the invitation to create (`POST /invitation`'s body).
fn invitation_request() -> ObjectBuilder {
    object(
        "The invitation to create, as `POST /invitation` takes it",
        vec![
            ("type", one_of_strings(wire::<InvitationType>()).into()),
            (
                "expiresInSeconds",
                of_type(Type::Integer).minimum(Some(0)).into(),
            ),
            ("maxUses", of_type(Type::Integer).minimum(Some(0)).into()),
        ],
        &["type"],
    )
}

/// One variant of the remediation: `action` and the fields it carries.
fn remedy(action: &str, description: &str, fields: Vec<(&str, Either)>) -> ObjectBuilder {
    let mut required = vec!["action"];
    required.extend(fields.iter().map(|(name, _)| *name));
    let mut properties = vec![("action", tag(action).into())];
    properties.extend(fields);
    object(description, properties, &required)
}

described!(
    /// `Remediation`: what to do about a connection's status.
    Remediation,
    OneOfBuilder::new()
        .description(Some("What to do about the connection's status (the library's `Remediation`), by `action`"))
        .item(remedy("nothing", "Nothing: data is flowing", vec![]))
        .item(remedy(
            "wait",
            "Wait; Nectar acts on its own",
            vec![("expectation", one_of_strings(wire::<Expectation>()).into())],
        ))
        .item(remedy(
            "reconnect",
            "Ask the end user to reconnect through this invitation",
            vec![("invitation", invitation_request().into())],
        ))
        .item(remedy(
            "reset_password_then_reconnect",
            "The end user resets the password on the utility's website, then reconnects",
            vec![("invitation", invitation_request().into())],
        ))
        .item(remedy(
            "mfa_ladder",
            "Walk the end user through the MFA options, in order",
            vec![
                (
                    "ladder",
                    array(one_of_strings(wire::<MfaOption>())).into(),
                ),
                ("invitation", invitation_request().into()),
            ],
        ))
        .item(remedy(
            "check_login",
            "The end user checks the login (it may be for another service)",
            vec![],
        ))
        .item(remedy(
            "contact_support",
            "Email Nectar support",
            vec![(
                "topic",
                OneOfBuilder::new()
                    .item(object(
                        "A provider error persisted",
                        vec![
                            ("topic", tag("persistent_provider_error").into()),
                            ("status", one_of_strings(wire::<LibraryStatus>()).into()),
                        ],
                        &["topic", "status"],
                    ))
                    .item(object(
                        "Reactivate the company",
                        vec![("topic", tag("reactivate_company").into())],
                        &["topic"],
                    ))
                    .into(),
            )],
        ))
        .item(remedy(
            "activate",
            "Activate the connection (`PATCH /connection/{id}/details` with `isActive: true`)",
            vec![],
        ))
);

/// An account's status, known or not.
fn account_status() -> AnyOfBuilder {
    reported(wire::<AccountStatus>(), "An account's status")
}

/// An account's `trackingStatus`, known or not.
fn tracking_status() -> AnyOfBuilder {
    reported(wire::<TrackingStatus>(), "An account's `trackingStatus`")
}

described!(
    /// `ConnectionPayload`: a connection's fields as Nectar sends them.
    ConnectionPayload,
    object(
        "A connection's fields as Nectar sends them (webhook bodies, `GET /connection/{id}/details`); only `id` and `status` are required, and unknown fields are ignored",
        vec![
            ("id", string().description(Some("The connection's id")).into()),
            ("status", to("ConnectionStatus")),
            ("statusFirstSeenTime", time(true).description(Some("When Nectar first saw this status")).into()),
            ("statusLastUpdateTime", time(true).description(Some("When Nectar recorded this status: the order of changes")).into()),
            ("statusErrorDetail", nullable(Type::String).into()),
            ("externalId", nullable(Type::String).description(Some("The integrator's id for the connection")).into()),
            ("isActive", nullable(Type::Boolean).into()),
            ("created", nullable(Type::String).description(Some("As received")).into()),
            ("updated", nullable(Type::String).description(Some("As received; changes on any change")).into()),
            (
                "datasource",
                or_null(object(
                    "The utility provider",
                    vec![
                        ("name", nullable(Type::String).into()),
                        ("url", nullable(Type::String).into()),
                    ],
                    &[],
                )),
            ),
            (
                "accounts",
                nullable_array(to("AccountPayload"))
                    .description(Some("The accounts found behind the connection (`null` reads as none)"))
                    .into(),
            ),
            (
                "company",
                or_null(object(
                    "The company",
                    vec![
                        ("id", nullable(Type::String).into()),
                        ("name", nullable(Type::String).into()),
                        ("externalId", nullable(Type::String).into()),
                    ],
                    &[],
                )),
            ),
            ("url", nullable(Type::String).into()),
            ("country", nullable(Type::String).into()),
            ("username", nullable(Type::String).description(Some("The utility login's user name")).into()),
            ("workflowOwnerEmail", nullable(Type::String).into()),
            ("dataCollectionStartDate", nullable(Type::String).description(Some("As received")).into()),
        ],
        &["id", "status"],
    ),
    refers: [ConnectionStatus, AccountPayload]
);

described!(
    /// `AccountPayload`: one account of a connection, as Nectar reports it.
    AccountPayload,
    object(
        "One account of a connection, as Nectar reports it",
        vec![
            ("id", nullable(Type::String).into()),
            ("accountNumber", nullable(Type::String).into()),
            ("status", or_null(account_status())),
            ("trackingStatus", or_null(tracking_status())),
            ("isTracked", nullable(Type::Boolean).description(Some("Deprecated alias of tracking")).into()),
            (
                "isDuplicated",
                OneOfBuilder::new()
                    .description(Some("A boolean in older payloads, a string in newer ones"))
                    .item(of_type(Type::Boolean))
                    .item(string())
                    .item(of_type(Type::Null))
                    .into(),
            ),
            ("dataCollectionStartDate", nullable(Type::String).into()),
            ("lastServiceDate", nullable(Type::String).description(Some("When the utility closed the account, as received")).into()),
        ],
        &[],
    )
);

described!(
    /// `Record`: what the receiver stores per connection (the library's `Record`).
    Record,
    object(
        "What the receiver stores per connection (the library's `Record`): the connection as last applied, the state machines its observations describe, and the recent delivery ids",
        vec![
            ("connection", to("ConnectionPayload")),
            (
                "observed",
                or_null(object(
                    "The connection's machine as the observations describe it; `null` for a status the library does not know",
                    vec![
                        ("rules", one_of_strings(wire::<Rules>()).into()),
                        ("operationalStatus", or_null(one_of_strings(wire::<LibraryStatus>()))),
                        ("isActive", nullable(Type::Boolean).into()),
                        ("companyActive", of_type(Type::Boolean).into()),
                        ("cyclePending", of_type(Type::Boolean).into()),
                    ],
                    &["rules", "operationalStatus", "isActive", "companyActive", "cyclePending"],
                )),
            ),
            (
                "observedAccounts",
                object(
                    "Each followed account's machine, by account key (`id`, else `accountNumber`)",
                    vec![],
                    &[],
                )
                .additional_properties(Some(object(
                    "An account's machine as the observations describe it",
                    vec![
                        ("ownStatus", or_null(one_of_strings(wire::<AccountStatus>()))),
                        ("trackingStatus", one_of_strings(wire::<TrackingStatus>()).into()),
                        ("parentBlocked", nullable(Type::Boolean).into()),
                        ("companyActive", of_type(Type::Boolean).into()),
                    ],
                    &["ownStatus", "trackingStatus", "parentBlocked", "companyActive"],
                )))
                .into(),
            ),
            (
                "recentEventIds",
                array(string())
                    .description(Some("The most recent delivery ids (`svix-id`), oldest first"))
                    .into(),
            ),
        ],
        &["connection", "observed", "observedAccounts", "recentEventIds"],
    ),
    refers: [ConnectionPayload]
);

described!(
    /// `NectarWebhook`: a connection webhook's body.
    NectarWebhook,
    utoipa::openapi::schema::AllOfBuilder::new()
        .description(Some("A connection webhook's body: the event, and the connection's fields at the top level"))
        .item(to("ConnectionPayload"))
        .item(object(
            "The envelope",
            vec![
                (
                    "eventType",
                    reported(
                        EventType::ALL
                            .iter()
                            .map(|event| Value::from(<&str>::from(*event)))
                            .collect(),
                        "The event type (another type is acknowledged with 200 and not stored)",
                    )
                    .into(),
                ),
                (
                    "protectedChanges",
                    nullable_array(string())
                        .description(Some("The names of the changed fields (updated events)"))
                        .into(),
                ),
                (
                    "old",
                    object(
                        "The previous values of the changed fields (updated events)",
                        vec![
                            ("status", to("ConnectionStatus")),
                            ("isActive", of_type(Type::Boolean).into()),
                            ("externalId", string().into()),
                            ("statusErrorDetail", string().into()),
                        ],
                        &[],
                    )
                    .into(),
                ),
            ],
            &["eventType"],
        )),
    refers: [ConnectionPayload, ConnectionStatus]
);

/// A version of an observation: the two times that order changes.
fn version() -> ObjectBuilder {
    object(
        "An observation's version: the two times Nectar keeps that order changes",
        vec![
            ("updated", time(true).into()),
            ("statusLastUpdateTime", time(true).into()),
        ],
        &["updated", "statusLastUpdateTime"],
    )
}

/// One variant of the decision: `decision` and the fields it carries.
fn decided(
    decision: &str,
    description: &str,
    fields: Vec<(&str, Either)>,
    required: &[&str],
) -> ObjectBuilder {
    let mut properties = vec![("decision", tag(decision).into())];
    properties.extend(fields);
    let mut all = vec!["decision"];
    all.extend_from_slice(required);
    object(description, properties, &all)
}

/// An account's change, by `change`.
fn account_change() -> OneOfBuilder {
    let account = || {
        (
            "account",
            string()
                .description(Some("The account's id (or number)"))
                .into(),
        )
    };
    let remediation = || {
        (
            "remediation",
            or_null(one_of_strings(wire::<AccountRemediation>())),
        )
    };
    OneOfBuilder::new()
        .description(Some(
            "A change of one account (the library's `AccountChange`), by `change`",
        ))
        .item(object(
            "A new account",
            vec![
                ("change", tag("added").into()),
                account(),
                ("status", or_null(account_status())),
                ("tracking", or_null(tracking_status())),
                remediation(),
            ],
            &["change", "account", "status", "tracking", "remediation"],
        ))
        .item(object(
            "The account's status changed",
            vec![
                ("change", tag("status_changed").into()),
                account(),
                ("from", or_null(account_status())),
                ("to", or_null(account_status())),
                remediation(),
            ],
            &["change", "account", "from", "to", "remediation"],
        ))
        .item(object(
            "The account's `trackingStatus` changed",
            vec![
                ("change", tag("tracking_changed").into()),
                account(),
                ("from", or_null(tracking_status())),
                ("to", or_null(tracking_status())),
            ],
            &["change", "account", "from", "to"],
        ))
        .item(object(
            "The account is no longer in the payload",
            vec![
                ("change", tag("removed").into()),
                account(),
                ("last_status", or_null(account_status())),
            ],
            &["change", "account", "last_status"],
        ))
}

described!(
    /// `Decision`: the library's decision on an observation.
    Decision,
    OneOfBuilder::new()
        .description(Some("The library's decision on the observation (`reconcile`), by `decision`"))
        .item(decided(
            "apply",
            "Applied: what changed",
            vec![
                ("from", or_null(to("ConnectionStatus"))),
                ("to", to("ConnectionStatus")),
                ("fields", array(one_of_strings(wire::<Field>())).description(Some("The fields that changed")).into()),
                ("remediation", or_null(to("Remediation"))),
                ("accounts", array(account_change()).into()),
                ("notifications", array(to("Notification")).into()),
            ],
            &["from", "to", "fields", "remediation", "accounts", "notifications"],
        ))
        .item(decided(
            "duplicate",
            "Already applied: the same delivery (`same_delivery`), or the same version of the same content (`same_version`)",
            vec![
                ("same_delivery", of_type(Type::Null).into()),
                ("same_version", of_type(Type::Null).into()),
            ],
            &[],
        ))
        .item(decided(
            "stale",
            "Older than what is stored: not applied",
            vec![("stored", version().into()), ("incoming", version().into())],
            &["stored", "incoming"],
        ))
        .item(decided(
            "gap",
            "An event was missed: a poll of the connection is scheduled",
            vec![
                ("gap", tag("missed").into()),
                ("stored", to("ConnectionStatus")),
                ("event_old", to("ConnectionStatus")),
                ("incoming", to("ConnectionStatus")),
            ],
            &["gap", "stored", "event_old", "incoming"],
        ))
        .item(decided(
            "gap",
            "The observation cannot be ordered against the record: a poll is scheduled",
            vec![
                ("gap", tag("unordered").into()),
                ("stored", version().into()),
                ("incoming", version().into()),
            ],
            &["gap", "stored", "incoming"],
        ))
        .item(decided(
            "other_connection",
            "The record is another connection's (a bug)",
            vec![("stored", string().into()), ("incoming", string().into())],
            &["stored", "incoming"],
        )),
    refers: [ConnectionStatus, Remediation, Notification]
);

// ---------------------------------------------------------------------------------------
// The receiver's own answers that have no type of their own.

described!(
    /// `ErrorBody`: why a request was refused.
    ErrorBody,
    object(
        "Why the request was refused",
        vec![("error", string().description(Some("In words")).into())],
        &["error"],
    )
);

described!(
    /// `Redelivering`: the entry that will be pushed again.
    Redelivering,
    object(
        "The entry that will be pushed again",
        vec![("redelivering", string().description(Some("Its id")).into())],
        &["redelivering"],
    )
);

described!(
    /// `Ignored`: an authentic event of a type the receiver does not act on.
    Ignored,
    object(
        "An authentic event of a type this receiver does not act on (`document.created.v2`, the legacy `connection.updated`): acknowledged, nothing stored",
        vec![("ignored", string().description(Some("Its event type")).into())],
        &["ignored"],
    )
);

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
