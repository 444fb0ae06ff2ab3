//! The serde types of the webhook bodies.

use core::fmt;
use core::marker::PhantomData;
use core::str::FromStr;

use jiff::Timestamp;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use nectar_lifecycle_core::{AccountStatus, ConnectionStatus, TrackingStatus, closed_enum};

/// A status as reported on the wire: a value this crate knows, or one it does not (kept as
/// data, so that a new Nectar status never fails the whole payload).
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus;
/// use nectar_lifecycle_webhook::Reported;
///
/// let known: Reported<ConnectionStatus> = serde_json::from_str(r#""CONNECTED""#)?;
/// assert_eq!(known.known(), Some(ConnectionStatus::Connected));
/// let new: Reported<ConnectionStatus> = serde_json::from_str(r#""PAUSED_BY_PROVIDER""#)?;
/// assert_eq!(new, Reported::Unknown("PAUSED_BY_PROVIDER".into()));
/// assert_eq!(new.as_str(), "PAUSED_BY_PROVIDER");
/// assert_eq!(new.to_string(), "PAUSED_BY_PROVIDER (unknown)");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Reported<S> {
    /// A value of the API this crate knows.
    Known(S),
    /// A value this crate does not know, exactly as received.
    Unknown(String),
}

impl<S: Copy + Into<&'static str>> Reported<S> {
    /// The known value, if it is one.
    #[must_use]
    pub fn known(&self) -> Option<S> {
        match self {
            Self::Known(s) => Some(*s),
            Self::Unknown(_) => None,
        }
    }

    /// The wire string, known or not.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(s) => (*s).into(),
            Self::Unknown(raw) => raw,
        }
    }
}

impl<S> From<S> for Reported<S> {
    fn from(s: S) -> Self {
        Self::Known(s)
    }
}

impl<S: Copy + Into<&'static str>> fmt::Display for Reported<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Known(_) => f.write_str(self.as_str()),
            Self::Unknown(raw) => write!(f, "{raw} (unknown)"),
        }
    }
}

impl<S: Copy + Into<&'static str>> Serialize for Reported<S> {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de, S: FromStr> Deserialize<'de> for Reported<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ReportedVisitor<S>(PhantomData<S>);
        impl<S: FromStr> Visitor<'_> for ReportedVisitor<S> {
            type Value = Reported<S>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Also the event type's: the field's path says which.
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Reported<S>, E> {
                Ok(v.parse()
                    .map_or_else(|_| Reported::Unknown(v.to_owned()), Reported::Known))
            }
        }
        deserializer.deserialize_str(ReportedVisitor(PhantomData))
    }
}

closed_enum! {
    /// The connection webhook event types this crate handles.
    #[derive(strum::IntoStaticStr, strum::EnumString)]
    pub enum EventType {
        /// `connection.created.v2`: a connection was created.
        #[strum(serialize = "connection.created.v2")]
        Created,
        /// `connection.updated.v2`: any field changed; carries `protectedChanges` and `old`.
        #[strum(serialize = "connection.updated.v2")]
        Updated,
        /// `connection.validated.v2`: the status changed.
        #[strum(serialize = "connection.validated.v2")]
        Validated,
    }
}

/// `isDuplicated`: a boolean in older payloads, a string in newer ones.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Duplicated {
    /// The boolean form.
    Bool(bool),
    /// The string form, as received.
    Text(String),
}

impl Duplicated {
    /// The flag as a boolean: the boolean form, or the strings `"true"`/`"false"` (any
    /// case); `None` for other strings.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::Duplicated;
    ///
    /// assert_eq!(Duplicated::Bool(true).as_bool(), Some(true));
    /// assert_eq!(Duplicated::Text("FALSE".into()).as_bool(), Some(false));
    /// assert_eq!(Duplicated::Text("maybe".into()).as_bool(), None);
    /// ```
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            Self::Text(t) if t.eq_ignore_ascii_case("true") => Some(true),
            Self::Text(t) if t.eq_ignore_ascii_case("false") => Some(false),
            Self::Text(_) => None,
        }
    }
}

impl Serialize for Duplicated {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        match self {
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Text(t) => serializer.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Duplicated {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DuplicatedVisitor;
        impl Visitor<'_> for DuplicatedVisitor {
            type Value = Duplicated;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean or a string")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Duplicated, E> {
                Ok(Duplicated::Bool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duplicated, E> {
                Ok(Duplicated::Text(v.to_owned()))
            }
        }
        deserializer.deserialize_any(DuplicatedVisitor)
    }
}

/// A JSON `null` or a missing field reads as the default (an empty list).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// `datasource`: the utility provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Datasource {
    /// The provider's name, to show the user.
    #[serde(default)]
    pub name: Option<String>,
    /// The provider's URL.
    #[serde(default)]
    pub url: Option<String>,
}

/// `company`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    /// The company id.
    #[serde(default)]
    pub id: Option<String>,
    /// The company name.
    #[serde(default)]
    pub name: Option<String>,
    /// The integrator's id for the company.
    #[serde(default)]
    pub external_id: Option<String>,
}

/// One account of a connection, as the API reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPayload {
    /// The account id.
    #[serde(default)]
    pub id: Option<String>,
    /// The utility account number.
    #[serde(default)]
    pub account_number: Option<String>,
    /// The account status.
    #[serde(default)]
    pub status: Option<Reported<AccountStatus>>,
    /// `trackingStatus`.
    #[serde(default)]
    pub tracking_status: Option<Reported<TrackingStatus>>,
    /// The deprecated boolean alias of tracking (`UNSET` counts as tracked).
    #[serde(default)]
    pub is_tracked: Option<bool>,
    /// `isDuplicated`, boolean or string.
    #[serde(default)]
    pub is_duplicated: Option<Duplicated>,
    /// `dataCollectionStartDate`, as received.
    #[serde(default)]
    pub data_collection_start_date: Option<String>,
    /// `lastServiceDate`: when the utility closed the account, as received.
    #[serde(default)]
    pub last_service_date: Option<String>,
}

/// Declares [`ConnectionPayload`] and the flat webhook body from one field list: Nectar puts
/// the connection's fields at the top level of the body, beside `eventType`. (A
/// `#[serde(flatten)]` would buffer the body and lose the field paths of errors.)
macro_rules! connection_fields {
    ($($(#[$meta:meta])* $field:ident: $ty:ty,)*) => {
        /// The connection fields of a webhook body (and of `GET /connection/{id}/details`).
        ///
        /// Only `id` and `status` are required. Fields whose type Nectar's docs do not pin
        /// (`multiplyByOccupancy`, `initialSites`, `initialDatasourceTypes`) are not
        /// modelled, and like every unknown field they are ignored.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct ConnectionPayload {
            $($(#[$meta])* pub $field: $ty,)*
        }

        /// The body as it is on the wire: the envelope and the connection, flat. (serde's
        /// messages would otherwise name this private type: "expected struct WebhookBody".)
        #[derive(Serialize, Deserialize)]
        #[serde(rename_all = "camelCase", expecting = "a connection webhook object")]
        struct WebhookBody {
            event_type: Reported<EventType>,
            #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
            protected_changes: Vec<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            old: Option<OldValues>,
            $($(#[$meta])* $field: $ty,)*
        }

        impl From<WebhookBody> for Webhook {
            fn from(body: WebhookBody) -> Self {
                Self {
                    event_type: body.event_type,
                    protected_changes: body.protected_changes,
                    old: body.old,
                    connection: ConnectionPayload { $($field: body.$field,)* },
                }
            }
        }

        impl From<Webhook> for WebhookBody {
            fn from(w: Webhook) -> Self {
                let ConnectionPayload { $($field,)* } = w.connection;
                Self {
                    event_type: w.event_type,
                    protected_changes: w.protected_changes,
                    old: w.old,
                    $($field,)*
                }
            }
        }
    };
}

connection_fields! {
    /// The connection id.
    id: String,
    /// The status, known or not.
    status: Reported<ConnectionStatus>,
    /// When Nectar first saw this status (RFC 3339, nullable).
    #[serde(default)]
    status_first_seen_time: Option<Timestamp>,
    /// When Nectar recorded this status (RFC 3339, nullable): the order of changes.
    #[serde(default)]
    status_last_update_time: Option<Timestamp>,
    /// Free-text detail of the status.
    #[serde(default)]
    status_error_detail: Option<String>,
    /// The integrator's id for the connection.
    #[serde(default)]
    external_id: Option<String>,
    /// `isActive` (missing from some payloads).
    #[serde(default)]
    is_active: Option<bool>,
    /// `created`, as received.
    #[serde(default)]
    created: Option<String>,
    /// `updated`, as received.
    #[serde(default)]
    updated: Option<String>,
    /// The utility provider.
    #[serde(default)]
    datasource: Option<Datasource>,
    /// The accounts found behind the connection.
    #[serde(default, deserialize_with = "null_as_default")]
    accounts: Vec<AccountPayload>,
    /// The company.
    #[serde(default)]
    company: Option<Company>,
    /// The provider URL.
    #[serde(default)]
    url: Option<String>,
    /// The country.
    #[serde(default)]
    country: Option<String>,
    /// The login user name.
    #[serde(default)]
    username: Option<String>,
    /// `workflowOwnerEmail`.
    #[serde(default)]
    workflow_owner_email: Option<String>,
    /// `dataCollectionStartDate`, as received.
    #[serde(default)]
    data_collection_start_date: Option<String>,
}

impl ConnectionPayload {
    /// A payload with only the required fields, for tests and test doubles.
    #[must_use]
    pub fn new(id: impl Into<String>, status: impl Into<Reported<ConnectionStatus>>) -> Self {
        Self {
            id: id.into(),
            status: status.into(),
            status_first_seen_time: None,
            status_last_update_time: None,
            status_error_detail: None,
            external_id: None,
            is_active: None,
            created: None,
            updated: None,
            datasource: None,
            accounts: Vec::new(),
            company: None,
            url: None,
            country: None,
            username: None,
            workflow_owner_email: None,
            data_collection_start_date: None,
        }
    }
}

/// `old`: the previous values of the fields listed in `protectedChanges`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OldValues {
    /// The previous status, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Reported<ConnectionStatus>>,
    /// The previous `isActive`, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    /// The previous `externalId`, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The previous `statusErrorDetail`, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_error_detail: Option<String>,
}

/// A connection webhook body: the event type, for `connection.updated.v2` the changed fields
/// and their old values, and the connection's fields at the top level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// `eventType`; other event types are kept as data.
    pub event_type: Reported<EventType>,
    /// `protectedChanges`: the names of the changed fields (updated events).
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub protected_changes: Vec<String>,
    /// `old`: the previous values of the changed fields (updated events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<OldValues>,
    /// The connection, as it is after the change.
    #[serde(flatten)]
    pub connection: ConnectionPayload,
}

impl Webhook {
    /// The status before the change, when the event says (an updated event whose `old`
    /// carries `status`).
    #[must_use]
    pub fn previous_status(&self) -> Option<&Reported<ConnectionStatus>> {
        self.old.as_ref().and_then(|old| old.status.as_ref())
    }
}

/// The largest body [`parse`] accepts by default: 1 MiB. Nectar's connection payloads are a
/// few kilobytes; anything far larger is not one.
#[cfg(feature = "json")]
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A webhook body that cannot be read: what was expected, and where it went wrong.
///
/// ```
/// use nectar_lifecycle_webhook::{self as webhook, WebhookError};
///
/// let body = br#"{"eventType":"connection.validated.v2","id":"c1","status":"CONNECTED",
///   "accounts":[{"isTracked":"yes"}]}"#;
/// assert_eq!(
///     webhook::parse(body),
///     Err(WebhookError::Invalid {
///         field: "accounts[0].isTracked".to_owned(),
///         message: "invalid type: string \"yes\", expected a boolean".to_owned(),
///     })
/// );
/// assert!(matches!(
///     webhook::parse(br#"{"eventType":"#),
///     Err(WebhookError::Malformed { line: 1, column: 13, .. })
/// ));
/// ```
#[cfg(feature = "json")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body is larger than the limit; it was not parsed.
    #[error("body of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The body is not JSON (or is truncated, or has something after the JSON value).
    #[error("body is not valid JSON at line {line}, column {column}: {message}")]
    Malformed {
        /// The line where reading stopped, from 1.
        line: usize,
        /// The column where reading stopped, from 1 (0 at the very start of a line).
        column: usize,
        /// serde_json's message, without its position.
        message: String,
    },
    /// The JSON does not have the shape of a connection webhook: a required field is
    /// missing or a field has the wrong type.
    #[error("field `{field}`: {message}")]
    Invalid {
        /// The path of the field, like `accounts[0].isTracked` (`.` for the body itself).
        field: String,
        /// What is wrong with it: serde_json's message, without its position.
        message: String,
    },
}

/// Parses a connection webhook body (the raw bytes, after verification).
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus;
/// use nectar_lifecycle_webhook::{self as webhook, EventType, Reported};
///
/// let body = br#"{"eventType":"connection.validated.v2","id":"c1","status":"CONNECTED",
///   "statusLastUpdateTime":null,"someNewField":[1,2,3]}"#;
/// let event = webhook::parse(body)?;
/// assert_eq!(event.event_type, Reported::Known(EventType::Validated));
/// assert_eq!(event.connection.status.known(), Some(ConnectionStatus::Connected));
/// assert_eq!(event.connection.status_last_update_time, None);
/// # Ok::<(), webhook::WebhookError>(())
/// ```
///
/// # Errors
/// [`WebhookError`] for a body over [`MAX_BODY_BYTES`], malformed JSON, or a missing or
/// mistyped field (named by its path). Unknown fields and unknown status values are not
/// errors.
#[cfg(feature = "json")]
pub fn parse(body: &[u8]) -> Result<Webhook, WebhookError> {
    parse_with_limit(body, MAX_BODY_BYTES)
}

/// [`parse`] with a body size limit of `max` bytes.
///
/// ```
/// use nectar_lifecycle_webhook::{self as webhook, WebhookError};
///
/// let body = br#"{"eventType":"connection.created.v2","id":"c1","status":"PENDING"}"#;
/// assert!(webhook::parse_with_limit(body, 1024).is_ok());
/// assert_eq!(
///     webhook::parse_with_limit(body, 16),
///     Err(WebhookError::TooLarge { len: body.len(), max: 16 })
/// );
/// ```
///
/// # Errors
/// As [`parse`].
#[cfg(feature = "json")]
pub fn parse_with_limit(body: &[u8], max: usize) -> Result<Webhook, WebhookError> {
    read::<WebhookBody>(body, max).map(Webhook::from)
}

/// Reads `body` as a `T`, refusing it unread when it is over `max` bytes: the one reader of
/// webhook and polled bodies.
#[cfg(feature = "json")]
pub(crate) fn read<T: de::DeserializeOwned>(body: &[u8], max: usize) -> Result<T, WebhookError> {
    if body.len() > max {
        return Err(WebhookError::TooLarge {
            len: body.len(),
            max,
        });
    }
    // The fast path: plain serde_json. Only a failure is looked at again, to name the field.
    serde_json::from_slice(body).map_err(|err| describe::<T>(body, &err))
}

/// serde_json's rejection `err` of `body` read as a `T`, as a [`WebhookError`]: its category
/// and message, and for a field of the wrong shape, the field's path.
#[cfg(feature = "json")]
#[cold]
fn describe<T: de::DeserializeOwned>(body: &[u8], err: &serde_json::Error) -> WebhookError {
    use serde_json::error::Category;
    match err.classify() {
        Category::Data => WebhookError::Invalid {
            field: field_path::<T>(body, err).unwrap_or_else(|| ".".to_owned()),
            message: strip_position(err),
        },
        Category::Io | Category::Syntax | Category::Eof => WebhookError::Malformed {
            line: err.line(),
            column: err.column(),
            message: strip_position(err),
        },
    }
}

/// The path of the field where `err` stopped serde_json reading `body` as a `T`, like
/// `accounts[0].isTracked` or `[3].status` (`.` for the body itself). serde_json's error does
/// not carry it, so `body` is read again with the path tracked (as the wire type itself:
/// through `#[serde(from)]` the paths are lost). Only a path found where `err` stopped is
/// taken; the error reported is always `err`.
#[cfg(feature = "json")]
fn field_path<T: de::DeserializeOwned>(body: &[u8], err: &serde_json::Error) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let tracked = serde_path_to_error::deserialize::<_, T>(&mut de).err()?;
    let again = tracked.inner();
    ((again.line(), again.column()) == (err.line(), err.column()))
        .then(|| tracked.path().to_string())
}

/// serde_json's message without its " at line L column C" suffix (kept as fields).
#[cfg(feature = "json")]
fn strip_position(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

#[cfg(all(test, feature = "json"))]
mod tests {
    use super::{WebhookBody, WebhookError};

    fn describe(body: &[u8], err: &serde_json::Error) -> WebhookError {
        super::describe::<WebhookBody>(body, err)
    }

    const VALID: &[u8] = br#"{"eventType":"connection.created.v2","id":"c1","status":"PENDING"}"#;

    /// An error of some other value than the body's, for `describe`'s fallback.
    fn unrelated_error() -> serde_json::Error {
        serde_json::from_str::<bool>("1").expect_err("1 is not a boolean")
    }

    #[test]
    fn the_error_reported_is_always_serde_jsons_own() {
        // Should the tracked reading not fail where serde_json did (here: not at all), the
        // field is the body itself, and the message is still serde_json's.
        assert_eq!(
            describe(VALID, &unrelated_error()),
            WebhookError::Invalid {
                field: ".".to_owned(),
                message: "invalid type: integer `1`, expected a boolean".to_owned(),
            }
        );
        // Nor is a path taken from a failure at another place than serde_json's.
        let elsewhere = br#"{"isActive":"no","id":"c1"}"#;
        assert_eq!(
            describe(elsewhere, &unrelated_error()),
            WebhookError::Invalid {
                field: ".".to_owned(),
                message: "invalid type: integer `1`, expected a boolean".to_owned(),
            }
        );
    }
}
