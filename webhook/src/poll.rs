//! Polling, the spec's alternative to webhooks: the paths of
//! `GET /connection/{connectionId}/details` and `GET /connection/company/{companyId}`, and
//! readers of their bodies.
//!
//! A polled connection is the connection object itself: the fields a webhook body carries
//! beside `eventType`, with no `eventType`, `protectedChanges` or `old`. It is read into the
//! same [`ConnectionPayload`] as a webhook's connection, with the same tolerance: unknown
//! fields ignored, unknown statuses kept as [`Reported::Unknown`](crate::Reported), optional
//! fields optional, nulls accepted, and a typed [`WebhookError`] naming the field for the rest.
//! Where Nectar's documentation is silent, see the crate docs ("Polling").

use nectar_lifecycle_core::ConnectionStatus;

use crate::payload::{ConnectionPayload, Reported};

#[cfg(feature = "json")]
use {
    crate::payload::{MAX_BODY_BYTES, WebhookError, read},
    core::fmt,
    serde::Deserialize,
    serde::de::{
        self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor,
        value::MapAccessDeserializer,
    },
};

/// The path of `GET /connection/{connectionId}/details`, relative to the API base URL
/// (`https://external.nectarclimate.com/v2.2`), the id percent-encoded.
///
/// ```
/// use nectar_lifecycle_webhook::details_path;
///
/// assert_eq!(
///     details_path("a6c70a54-34e7-4277-80b0-412869ce087c"),
///     "/connection/a6c70a54-34e7-4277-80b0-412869ce087c/details"
/// );
/// assert_eq!(details_path("north/1"), "/connection/north%2F1/details");
/// ```
#[must_use]
pub fn details_path(connection_id: &str) -> String {
    let mut path = String::from("/connection/");
    push_segment(&mut path, connection_id);
    path.push_str("/details");
    path
}

/// `GET /connection/company/{companyId}`, optionally filtered by status: the request's path,
/// and the same filter applied to connections already fetched.
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus;
/// use nectar_lifecycle_webhook::CompanyListQuery;
///
/// let query = CompanyListQuery::new("c-42").with_status(ConnectionStatus::PasswordIncorrect);
/// assert_eq!(query.path(), "/connection/company/c-42?status=PASSWORD_INCORRECT");
/// assert_eq!(CompanyListQuery::new("c-42").path(), "/connection/company/c-42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompanyListQuery {
    /// The company whose connections are listed (Nectar's id, not yet encoded).
    pub company_id: String,
    /// Only connections with this status; `None` for all of them.
    pub status: Option<ConnectionStatus>,
}

impl CompanyListQuery {
    /// All the connections of the company `company_id`.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::CompanyListQuery;
    ///
    /// let query = CompanyListQuery::new("c-42");
    /// assert_eq!((query.company_id.as_str(), query.status), ("c-42", None));
    /// ```
    #[must_use]
    pub fn new(company_id: impl Into<String>) -> Self {
        Self {
            company_id: company_id.into(),
            status: None,
        }
    }

    /// Only the connections whose status is `status`.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus;
    /// use nectar_lifecycle_webhook::CompanyListQuery;
    ///
    /// let query = CompanyListQuery::new("c-42").with_status(ConnectionStatus::MfaTokenExpired);
    /// assert_eq!(query.status, Some(ConnectionStatus::MfaTokenExpired));
    /// ```
    #[must_use]
    pub fn with_status(self, status: ConnectionStatus) -> Self {
        Self {
            status: Some(status),
            ..self
        }
    }

    /// The request's path, relative to the API base URL
    /// (`https://external.nectarclimate.com/v2.2`): `/connection/company/{companyId}`, the id
    /// percent-encoded, and `?status=...` with a status.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus;
    /// use nectar_lifecycle_webhook::CompanyListQuery;
    ///
    /// let query = CompanyListQuery::new("Acme EU/1").with_status(ConnectionStatus::WebsiteDown);
    /// assert_eq!(query.path(), "/connection/company/Acme%20EU%2F1?status=WEBSITE_DOWN");
    /// ```
    #[must_use]
    pub fn path(&self) -> String {
        let mut path = String::from("/connection/company/");
        push_segment(&mut path, &self.company_id);
        if let Some(status) = self.status {
            path.push_str("?status=");
            path.push_str(status.as_str());
        }
        path
    }

    /// Whether `connection` passes the status filter: any connection without one, else only
    /// a connection whose status is that known status (never an unknown one).
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{CompanyListQuery, ConnectionPayload, Reported};
    ///
    /// let query = CompanyListQuery::new("c-42").with_status(S::PasswordIncorrect);
    /// assert!(query.matches(&ConnectionPayload::new("c1", S::PasswordIncorrect)));
    /// assert!(!query.matches(&ConnectionPayload::new("c2", S::Connected)));
    /// let unknown = ConnectionPayload::new("c3", Reported::Unknown("PAUSED".into()));
    /// assert!(!query.matches(&unknown));
    /// assert!(CompanyListQuery::new("c-42").matches(&unknown));
    /// ```
    #[must_use]
    pub fn matches(&self, connection: &ConnectionPayload) -> bool {
        self.status
            .is_none_or(|status| connection.status == Reported::Known(status))
    }

    /// The connections that pass the status filter, in their order: the filter applied
    /// client-side, for a server that ignored it or a list fetched unfiltered.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{CompanyListQuery, ConnectionPayload};
    ///
    /// let list = vec![
    ///     ConnectionPayload::new("c1", S::Connected),
    ///     ConnectionPayload::new("c2", S::MfaTokenExpired),
    /// ];
    /// let expired = CompanyListQuery::new("c-42").with_status(S::MfaTokenExpired).filter(list);
    /// assert_eq!(expired, [ConnectionPayload::new("c2", S::MfaTokenExpired)]);
    /// ```
    #[must_use]
    pub fn filter(
        &self,
        connections: impl IntoIterator<Item = ConnectionPayload>,
    ) -> Vec<ConnectionPayload> {
        connections
            .into_iter()
            .filter(|connection| self.matches(connection))
            .collect()
    }
}

/// Appends `segment` percent-encoded as one path segment: every byte but RFC 3986's
/// unreserved characters (`A-Z a-z 0-9 - . _ ~`) as `%XX`.
fn push_segment(path: &mut String, segment: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            path.push(char::from(byte));
        } else {
            path.push('%');
            path.push(char::from(HEX[usize::from(byte >> 4)]));
            path.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
}

/// The largest body [`parse_company_list`] accepts by default: 16 MiB, a few thousand
/// connections (a webhook or details body is limited to [`MAX_BODY_BYTES`], one connection).
///
/// ```
/// use nectar_lifecycle_webhook::{MAX_BODY_BYTES, MAX_LIST_BODY_BYTES};
///
/// assert_eq!(MAX_LIST_BODY_BYTES, 16 * MAX_BODY_BYTES);
/// ```
///
/// [`MAX_BODY_BYTES`]: crate::MAX_BODY_BYTES
#[cfg(feature = "json")]
pub const MAX_LIST_BODY_BYTES: usize = 16 << 20;

/// The keys under which a company list body may hold its array of connections, when it is
/// an object rather than a bare array (see the [`parse_company_list`] envelope).
///
/// ```
/// use nectar_lifecycle_webhook::{self as webhook, COMPANY_LIST_KEYS};
///
/// assert_eq!(COMPANY_LIST_KEYS, ["connections", "data", "results", "items"]);
/// for key in COMPANY_LIST_KEYS {
///     let body = format!(r#"{{"{key}":[{{"id":"c1","status":"CONNECTED"}}],"next":null}}"#);
///     assert_eq!(webhook::parse_company_list(body.as_bytes())?.len(), 1);
/// }
/// # Ok::<(), webhook::WebhookError>(())
/// ```
#[cfg(feature = "json")]
pub const COMPANY_LIST_KEYS: [&str; 4] = ["connections", "data", "results", "items"];

/// Parses the body of `GET /connection/{connectionId}/details`: the connection object, its
/// fields at the top level.
///
/// ```
/// use nectar_lifecycle_core::{ConnectionStatus, TrackingStatus};
/// use nectar_lifecycle_webhook::{self as webhook, Reported};
///
/// let body = br#"{"id":"c1","status":"PASSWORD_INCORRECT","statusLastUpdateTime":null,
///   "accounts":[{"id":"a1","trackingStatus":"ENABLED","isDuplicated":"false"}],
///   "someNewField":{"x":1}}"#;
/// let connection = webhook::parse_details(body)?;
/// assert_eq!(connection.status.known(), Some(ConnectionStatus::PasswordIncorrect));
/// assert_eq!(connection.accounts[0].tracking_status, Some(TrackingStatus::Enabled.into()));
///
/// let new = webhook::parse_details(br#"{"id":"c1","status":"PAUSED_BY_PROVIDER"}"#)?;
/// assert_eq!(new.status, Reported::Unknown("PAUSED_BY_PROVIDER".into()));
/// # Ok::<(), webhook::WebhookError>(())
/// ```
///
/// # Errors
/// [`WebhookError`] for a body over [`MAX_BODY_BYTES`], malformed JSON, a body that is not a
/// JSON object, or a missing or mistyped field (named by its path). Unknown fields and
/// unknown status values are not errors.
///
/// [`MAX_BODY_BYTES`]: crate::MAX_BODY_BYTES
#[cfg(feature = "json")]
pub fn parse_details(body: &[u8]) -> Result<ConnectionPayload, WebhookError> {
    parse_details_with_limit(body, MAX_BODY_BYTES)
}

/// [`parse_details`] with a body size limit of `max` bytes.
///
/// ```
/// use nectar_lifecycle_webhook::{self as webhook, WebhookError};
///
/// let body = br#"{"id":"c1","status":"CONNECTED"}"#;
/// assert!(webhook::parse_details_with_limit(body, 1024).is_ok());
/// assert_eq!(
///     webhook::parse_details_with_limit(body, 16),
///     Err(WebhookError::TooLarge { len: body.len(), max: 16 })
/// );
/// ```
///
/// # Errors
/// As [`parse_details`].
#[cfg(feature = "json")]
pub fn parse_details_with_limit(
    body: &[u8],
    max: usize,
) -> Result<ConnectionPayload, WebhookError> {
    read::<Connection>(body, max).map(|Connection(connection)| connection)
}

/// Parses the body of `GET /connection/company/{companyId}`: the company's connections, in
/// the body's order.
///
/// The envelope is not in Nectar's docs: a bare array of connection objects is accepted, or
/// an object holding it under one of [`COMPANY_LIST_KEYS`], other members ignored.
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus;
/// use nectar_lifecycle_webhook::{self as webhook, WebhookError};
///
/// let bare = br#"[{"id":"c1","status":"CONNECTED"},{"id":"c2","status":"PENDING"}]"#;
/// let list = webhook::parse_company_list(bare)?;
/// assert_eq!(list[1].status.known(), Some(ConnectionStatus::Pending));
/// let wrapped = br#"{"connections":[{"id":"c1","status":"CONNECTED"}],"count":1}"#;
/// assert_eq!(webhook::parse_company_list(wrapped)?.len(), 1);
///
/// // One bad element fails the list, and is named by its index.
/// let bad = br#"[{"id":"c1","status":"CONNECTED"},{"id":"c2","status":7}]"#;
/// assert_eq!(
///     webhook::parse_company_list(bad),
///     Err(WebhookError::Invalid {
///         field: "[1].status".to_owned(),
///         message: "invalid type: integer `7`, expected a string".to_owned(),
///     })
/// );
/// # Ok::<(), WebhookError>(())
/// ```
///
/// # Errors
/// [`WebhookError`] for a body over [`MAX_LIST_BODY_BYTES`], malformed JSON, a body of
/// another shape than those above, or any element that [`parse_details`] would refuse (its
/// index in the field's path). Unknown fields and unknown status values are not errors.
#[cfg(feature = "json")]
pub fn parse_company_list(body: &[u8]) -> Result<Vec<ConnectionPayload>, WebhookError> {
    parse_company_list_with_limit(body, MAX_LIST_BODY_BYTES)
}

/// [`parse_company_list`] with a body size limit of `max` bytes.
///
/// ```
/// use nectar_lifecycle_webhook::{self as webhook, WebhookError};
///
/// let body = br#"[{"id":"c1","status":"CONNECTED"}]"#;
/// assert!(webhook::parse_company_list_with_limit(body, 1024).is_ok());
/// assert_eq!(
///     webhook::parse_company_list_with_limit(body, 16),
///     Err(WebhookError::TooLarge { len: body.len(), max: 16 })
/// );
/// ```
///
/// # Errors
/// As [`parse_company_list`].
#[cfg(feature = "json")]
pub fn parse_company_list_with_limit(
    body: &[u8],
    max: usize,
) -> Result<Vec<ConnectionPayload>, WebhookError> {
    read::<CompanyList>(body, max).map(|CompanyList(connections)| connections)
}

/// A connection object: a JSON object (not an array of field values) read as a
/// [`ConnectionPayload`], whose derived fields, paths and messages are kept.
#[cfg(feature = "json")]
struct Connection(ConnectionPayload);

#[cfg(feature = "json")]
impl<'de> Deserialize<'de> for Connection {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Connection;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a connection object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Connection, A::Error> {
                ConnectionPayload::deserialize(MapAccessDeserializer::new(map)).map(Connection)
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// A company list body: a bare array of connections, or an object holding one under one of
/// [`COMPANY_LIST_KEYS`].
#[cfg(feature = "json")]
struct CompanyList(Vec<ConnectionPayload>);

#[cfg(feature = "json")]
impl<'de> Deserialize<'de> for CompanyList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = CompanyList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of connection objects, or an object holding one under ")?;
                let last = COMPANY_LIST_KEYS.len() - 1;
                for (i, key) in COMPANY_LIST_KEYS.iter().enumerate() {
                    let separator = match i {
                        0 => "",
                        _ if i == last => " or ",
                        _ => ", ",
                    };
                    write!(f, "{separator}`{key}`")?;
                }
                Ok(())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CompanyList, A::Error> {
                let mut connections = Vec::new();
                while let Some(Connection(connection)) = seq.next_element()? {
                    connections.push(connection);
                }
                Ok(CompanyList(connections))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CompanyList, A::Error> {
                let mut found: Option<(&str, Vec<ConnectionPayload>)> = None;
                while let Some(key) = map.next_key::<String>()? {
                    let Some(listed) = COMPANY_LIST_KEYS.into_iter().find(|k| *k == key) else {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    if let Some((first, _)) = found {
                        return Err(de::Error::custom(format_args!(
                            "a second list of connections, under `{listed}` (the first was \
                             under `{first}`)"
                        )));
                    }
                    // `null` under the key reads as no connections, as `accounts: null` does.
                    let list = map
                        .next_value::<Option<Vec<Connection>>>()?
                        .unwrap_or_default();
                    let list = list.into_iter().map(|Connection(c)| c).collect();
                    found = Some((listed, list));
                }
                match found {
                    Some((_, list)) => Ok(CompanyList(list)),
                    None => Err(de::Error::invalid_value(Unexpected::Map, &self)),
                }
            }
        }
        deserializer.deserialize_any(ListVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::{details_path, push_segment};

    #[test]
    fn every_byte_outside_the_unreserved_set_is_encoded() {
        let mut path = String::new();
        push_segment(&mut path, "aZ09-._~ /?#%é");
        assert_eq!(path, "aZ09-._~%20%2F%3F%23%25%C3%A9");
        assert_eq!(details_path(""), "/connection//details");
    }
}
