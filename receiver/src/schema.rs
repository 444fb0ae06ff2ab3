//! The OpenAPI schemas of the library's types, built from their real values (every enum
//! listed from the library at run time, so the description cannot drift), and the building
//! blocks the API description (`http/openapi.rs`) assembles. A leaf module: the store's
//! types name these schemas (`#[schema(value_type = ...)]`) without depending on the HTTP
//! layer.

use std::borrow::Cow;

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
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Ref, Schema,
    SchemaFormat, SchemaType, Type,
};
use utoipa::{PartialSchema, ToSchema};

// ---------------------------------------------------------------------------------------
// Building blocks.

/// Named schemas a schema refers to, as utoipa collects them.
pub(crate) type Named = Vec<(String, utoipa::openapi::RefOr<Schema>)>;
/// A schema or a reference to one.
pub(crate) type Either = utoipa::openapi::RefOr<Schema>;

/// Adds `T` and what it refers to.
pub(crate) fn add<T: ToSchema>(out: &mut Named) {
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
pub(crate) fn one_of_strings(values: Vec<Value>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
}

/// The string `value` exactly (a tag).
pub(crate) fn tag(value: &str) -> ObjectBuilder {
    one_of_strings(vec![Value::from(value)])
}

pub(crate) fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

pub(crate) fn of_type(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(kind)
}

/// `kind` or `null`.
pub(crate) fn nullable(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([kind, Type::Null]))
}

/// An RFC 3339 time, or `null` when `nullable`.
pub(crate) fn time(nullable_: bool) -> ObjectBuilder {
    let builder = if nullable_ {
        nullable(Type::String)
    } else {
        string()
    };
    builder.format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
}

/// A reference to the component `name`.
pub(crate) fn to(name: &str) -> Either {
    Ref::from_schema_name(name).into()
}

/// `schema`, or `null`.
pub(crate) fn or_null(schema: impl Into<Either>) -> Either {
    OneOfBuilder::new()
        .item(schema)
        .item(of_type(Type::Null))
        .into()
}

pub(crate) fn array(items: impl Into<Either>) -> ArrayBuilder {
    ArrayBuilder::new().items(items.into())
}

/// An array of `items`, or `null`.
pub(crate) fn nullable_array(items: impl Into<Either>) -> ArrayBuilder {
    array(items).schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
}

/// An object of `properties`, every one of them `required` when listed there.
pub(crate) fn object(
    description: &str,
    properties: Vec<(&str, Either)>,
    required: &[&str],
) -> ObjectBuilder {
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
pub(crate) fn reported(known: Vec<Value>, what: &str) -> AnyOfBuilder {
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
            fn schema() -> $crate::schema::Either {
                $schema.into()
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn schemas(_out: &mut $crate::schema::Named) {
                $($($crate::schema::add::<$other>(_out);)*)?
            }
        }
    };
}
pub(crate) use described;

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
pub(crate) fn invitation_request() -> ObjectBuilder {
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
pub(crate) fn remedy(
    action: &str,
    description: &str,
    fields: Vec<(&str, Either)>,
) -> ObjectBuilder {
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
pub(crate) fn account_status() -> AnyOfBuilder {
    reported(wire::<AccountStatus>(), "An account's status")
}

/// An account's `trackingStatus`, known or not.
pub(crate) fn tracking_status() -> AnyOfBuilder {
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
pub(crate) fn version() -> ObjectBuilder {
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
pub(crate) fn decided(
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
pub(crate) fn account_change() -> OneOfBuilder {
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
