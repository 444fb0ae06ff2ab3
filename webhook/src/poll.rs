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

use core::num::NonZeroU32;

use crate::payload::{ConnectionPayload, Reported};
use nectar_lifecycle_core::ConnectionStatus;

use core::fmt;
use serde::de::{
    self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Unexpected, Visitor,
    value::MapAccessDeserializer,
};
use serde::{Deserialize, Serialize};

#[cfg(feature = "json")]
use crate::payload::{MAX_BODY_BYTES, WebhookError, read};

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

/// `GET /connection/company/{companyId}`, optionally filtered by status and paged: the
/// request's path, and the same filter applied to connections already fetched.
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus;
/// use nectar_lifecycle_webhook::{CompanyListQuery, QueryError};
///
/// let query = CompanyListQuery::new("c-42").with_status(ConnectionStatus::PasswordIncorrect);
/// assert_eq!(query.path(), "/connection/company/c-42?status=PASSWORD_INCORRECT");
/// assert_eq!(CompanyListQuery::new("c-42").path(), "/connection/company/c-42");
/// let paged = CompanyListQuery::new("c-42").with_page(3)?.with_limit(500)?;
/// assert_eq!(paged.path(), "/connection/company/c-42?page=3&limit=500");
/// # Ok::<(), QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompanyListQuery {
    /// The company whose connections are listed (Nectar's id, not yet encoded).
    pub company_id: String,
    /// Only connections with this status; `None` for all of them.
    pub status: Option<ConnectionStatus>,
    /// The page asked for; `None` sends no `page`, and Nectar answers page 1.
    pub page: Option<PageNumber>,
    /// Connections per page; `None` sends no `limit`, and Nectar answers
    /// [`PageLimit::DEFAULT`] (100).
    pub limit: Option<PageLimit>,
}

/// A page number of the company list: from 1. Nectar answers a number past the end with
/// the last page (see [`Sweep`](crate::Sweep)).
///
/// ```
/// use nectar_lifecycle_webhook::{PageNumber, QueryError};
///
/// assert_eq!(PageNumber::new(2)?.get(), 2);
/// assert_eq!(PageNumber::FIRST.get(), 1);
/// assert_eq!(PageNumber::new(0), Err(QueryError::Page { page: 0 }));
/// # Ok::<(), QueryError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PageNumber(NonZeroU32);

impl PageNumber {
    /// Page 1, the first.
    pub const FIRST: Self = Self(NonZeroU32::MIN);

    /// Page `page`.
    ///
    /// # Errors
    /// [`QueryError::Page`] for 0: pages are numbered from 1.
    pub const fn new(page: u32) -> Result<Self, QueryError> {
        match NonZeroU32::new(page) {
            Some(page) => Ok(Self(page)),
            None => Err(QueryError::Page { page }),
        }
    }

    /// The number.
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// The page after this one; `None` after page `u32::MAX`.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::PageNumber;
    ///
    /// assert_eq!(PageNumber::FIRST.next().map(PageNumber::get), Some(2));
    /// ```
    #[must_use]
    pub const fn next(self) -> Option<Self> {
        match self.0.checked_add(1) {
            Some(next) => Some(Self(next)),
            None => None,
        }
    }
}

/// How many connections a page of the company list holds: 1 to 500, 100 when not sent.
///
/// ```
/// use nectar_lifecycle_webhook::{PageLimit, QueryError};
///
/// assert_eq!(PageLimit::new(500)?, PageLimit::MAX);
/// assert_eq!(PageLimit::DEFAULT.get(), 100);
/// assert_eq!(PageLimit::new(501), Err(QueryError::Limit { limit: 501 }));
/// assert_eq!(PageLimit::new(0), Err(QueryError::Limit { limit: 0 }));
/// # Ok::<(), QueryError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct PageLimit(u16);

impl PageLimit {
    /// The smallest limit Nectar takes: 1.
    pub const MIN: Self = Self(1);
    /// The limit Nectar applies when none is sent: 100.
    pub const DEFAULT: Self = Self(100);
    /// The largest limit Nectar takes: 500.
    pub const MAX: Self = Self(500);

    /// A limit of `limit` connections per page.
    ///
    /// # Errors
    /// [`QueryError::Limit`] outside 1 to 500, the range Nectar documents.
    pub const fn new(limit: u32) -> Result<Self, QueryError> {
        if limit >= Self::MIN.0 as u32 && limit <= Self::MAX.0 as u32 {
            // In range, so it fits: 500 < u16::MAX.
            #[allow(clippy::cast_possible_truncation, reason = "checked against MAX above")]
            Ok(Self(limit as u16))
        } else {
            Err(QueryError::Limit { limit })
        }
    }

    /// The number of connections.
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0 as u32
    }
}

/// A page or limit outside the range Nectar documents for the company list.
///
/// ```
/// use nectar_lifecycle_webhook::{CompanyListQuery, QueryError};
///
/// let err = CompanyListQuery::new("c-42").with_limit(1000).unwrap_err();
/// assert_eq!(err, QueryError::Limit { limit: 1000 });
/// assert_eq!(err.to_string(), "limit 1000 is out of range: Nectar lists 1 to 500 connections per page");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum QueryError {
    /// A page number of 0.
    #[error("page {page} is out of range: pages are numbered from 1")]
    Page {
        /// The number given.
        page: u32,
    },
    /// A limit outside 1 to 500.
    #[error("limit {limit} is out of range: Nectar lists 1 to 500 connections per page")]
    Limit {
        /// The number given.
        limit: u32,
    },
}

impl CompanyListQuery {
    /// All the connections of the company `company_id`, at Nectar's default paging.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::CompanyListQuery;
    ///
    /// let query = CompanyListQuery::new("c-42");
    /// assert_eq!((query.company_id.as_str(), query.status), ("c-42", None));
    /// assert_eq!((query.page, query.limit), (None, None));
    /// ```
    #[must_use]
    pub fn new(company_id: impl Into<String>) -> Self {
        Self {
            company_id: company_id.into(),
            status: None,
            page: None,
            limit: None,
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

    /// Page `page` (from 1).
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListQuery, QueryError};
    ///
    /// assert_eq!(CompanyListQuery::new("c-42").with_page(2)?.path(), "/connection/company/c-42?page=2");
    /// assert_eq!(CompanyListQuery::new("c-42").with_page(0), Err(QueryError::Page { page: 0 }));
    /// # Ok::<(), QueryError>(())
    /// ```
    ///
    /// # Errors
    /// [`QueryError::Page`] for page 0.
    pub fn with_page(self, page: u32) -> Result<Self, QueryError> {
        Ok(self.at_page(PageNumber::new(page)?))
    }

    /// Page `page`, already validated.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListQuery, PageNumber};
    ///
    /// let query = CompanyListQuery::new("c-42").at_page(PageNumber::FIRST);
    /// assert_eq!(query.path(), "/connection/company/c-42?page=1");
    /// ```
    #[must_use]
    pub fn at_page(self, page: PageNumber) -> Self {
        Self {
            page: Some(page),
            ..self
        }
    }

    /// `limit` connections per page (1 to 500).
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListQuery, QueryError};
    ///
    /// assert_eq!(CompanyListQuery::new("c-42").with_limit(500)?.path(), "/connection/company/c-42?limit=500");
    /// assert_eq!(CompanyListQuery::new("c-42").with_limit(0), Err(QueryError::Limit { limit: 0 }));
    /// # Ok::<(), QueryError>(())
    /// ```
    ///
    /// # Errors
    /// [`QueryError::Limit`] outside 1 to 500.
    pub fn with_limit(self, limit: u32) -> Result<Self, QueryError> {
        Ok(self.per_page(PageLimit::new(limit)?))
    }

    /// `limit` connections per page, already validated.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListQuery, PageLimit};
    ///
    /// let query = CompanyListQuery::new("c-42").per_page(PageLimit::MAX);
    /// assert_eq!(query.path(), "/connection/company/c-42?limit=500");
    /// ```
    #[must_use]
    pub fn per_page(self, limit: PageLimit) -> Self {
        Self {
            limit: Some(limit),
            ..self
        }
    }

    /// The request's path, relative to the API base URL
    /// (`https://external.nectarclimate.com/v2.2`): `/connection/company/{companyId}`, the id
    /// percent-encoded, then those of `status`, `page` and `limit` that are set, in that
    /// order, as query parameters.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus;
    /// use nectar_lifecycle_webhook::{CompanyListQuery, QueryError};
    ///
    /// let query = CompanyListQuery::new("Acme EU/1").with_status(ConnectionStatus::WebsiteDown);
    /// assert_eq!(query.path(), "/connection/company/Acme%20EU%2F1?status=WEBSITE_DOWN");
    /// let query = query.with_page(2)?.with_limit(50)?;
    /// assert_eq!(query.path(), "/connection/company/Acme%20EU%2F1?status=WEBSITE_DOWN&page=2&limit=50");
    /// # Ok::<(), QueryError>(())
    /// ```
    #[must_use]
    pub fn path(&self) -> String {
        use core::fmt::Write as _;
        let mut path = String::from("/connection/company/");
        push_segment(&mut path, &self.company_id);
        let mut separator = '?';
        let mut param = |path: &mut String, name: &str, value: &dyn core::fmt::Display| {
            // Writing to a String cannot fail.
            let _infallible = write!(path, "{separator}{name}={value}");
            separator = '&';
        };
        if let Some(status) = self.status {
            param(&mut path, "status", &status.as_str());
        }
        if let Some(page) = self.page {
            param(&mut path, "page", &page.get());
        }
        if let Some(limit) = self.limit {
            param(&mut path, "limit", &limit.get());
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
pub(crate) fn push_segment(path: &mut String, segment: &str) {
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

/// Parses the body of `GET /connection/company/{companyId}`: the connections of the page
/// it holds, in the body's order, without the page fields ([`parse_company_page`] keeps
/// them).
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus;
/// use nectar_lifecycle_webhook::{self as webhook, WebhookError};
///
/// let bare = br#"[{"id":"c1","status":"CONNECTED"},{"id":"c2","status":"PENDING"}]"#;
/// let list = webhook::parse_company_list(bare)?;
/// assert_eq!(list[1].status.known(), Some(ConnectionStatus::Pending));
/// let wrapped = br#"{"connections":[{"id":"c1","status":"CONNECTED"}],"totalConnections":1}"#;
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
/// As [`parse_company_page`].
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
    parse_company_page_with_limit(body, max).map(|page| page.connections)
}

/// Parses the body of `GET /connection/company/{companyId}`: one page of the company's
/// connections and the page fields of Nectar's envelope ([`CompanyListPage`]).
///
/// Read as tolerantly as a webhook: a bare array of connection objects is one complete page;
/// an object holds the array under one of [`COMPANY_LIST_KEYS`] (`connections` in Nectar's
/// envelope), any page field may be missing or `null`, and other members are ignored.
///
/// ```
/// use nectar_lifecycle_webhook::{self as webhook, PageNumber, WebhookError};
///
/// let body = br#"{"totalConnections":3,"perPage":2,"totalPages":2,"currentPage":1,
///   "hasNext":true,"hasPrevious":false,
///   "connections":[{"id":"c1","status":"CONNECTED"},{"id":"c2","status":"PENDING"}]}"#;
/// let page = webhook::parse_company_page(body)?;
/// assert_eq!((page.connections.len(), page.current_page, page.has_next), (2, PageNumber::new(1).ok(), Some(true)));
/// assert!(!page.is_last());
///
/// // A bare array is one complete page.
/// let bare = webhook::parse_company_page(br#"[{"id":"c1","status":"CONNECTED"}]"#)?;
/// assert!(bare.is_last());
/// assert_eq!(bare.total_connections, Some(1));
///
/// // A page field of the wrong type is named.
/// let bad = br#"{"connections":[],"hasNext":"yes"}"#;
/// assert_eq!(
///     webhook::parse_company_page(bad),
///     Err(WebhookError::Invalid {
///         field: "hasNext".to_owned(),
///         message: "invalid type: string \"yes\", expected a boolean".to_owned(),
///     })
/// );
/// # Ok::<(), WebhookError>(())
/// ```
///
/// # Errors
/// [`WebhookError`] for a body over [`MAX_LIST_BODY_BYTES`], malformed JSON, a body of
/// another shape than those above (another key, two of the keys, a lone connection object),
/// a page field of the wrong type (`currentPage: 0` included, pages being numbered from 1),
/// or any element that [`parse_details`] would refuse (its index in the field's path).
/// Unknown fields and unknown status values are not errors.
#[cfg(feature = "json")]
pub fn parse_company_page(body: &[u8]) -> Result<CompanyListPage, WebhookError> {
    parse_company_page_with_limit(body, MAX_LIST_BODY_BYTES)
}

/// [`parse_company_page`] with a body size limit of `max` bytes.
///
/// ```
/// use nectar_lifecycle_webhook::{self as webhook, WebhookError};
///
/// let body = br#"{"connections":[]}"#;
/// assert!(webhook::parse_company_page_with_limit(body, 1024).is_ok());
/// assert_eq!(
///     webhook::parse_company_page_with_limit(body, 8),
///     Err(WebhookError::TooLarge { len: body.len(), max: 8 })
/// );
/// ```
///
/// # Errors
/// As [`parse_company_page`].
#[cfg(feature = "json")]
pub fn parse_company_page_with_limit(
    body: &[u8],
    max: usize,
) -> Result<CompanyListPage, WebhookError> {
    read::<CompanyListPage>(body, max)
}

/// One page of `GET /connection/company/{companyId}`: Nectar's page envelope.
///
/// Serialized, it is the documented envelope (`totalConnections`, `perPage`, `totalPages`,
/// `currentPage`, `hasNext`, `hasPrevious`, `connections`, absent fields left out);
/// deserialized, it reads what [`parse_company_page`] reads. Every page field is optional,
/// because Nectar's examples leave fields out elsewhere and an older body had none; a body
/// without `hasNext` and without `totalPages` cannot say that more pages follow, so it
/// counts as the last ([`CompanyListPage::is_last`]).
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus as S;
/// use nectar_lifecycle_webhook::{CompanyListPage, ConnectionPayload};
///
/// let page = CompanyListPage::single(vec![ConnectionPayload::new("c1", S::Connected)]);
/// let json = serde_json::to_string(&page)?;
/// assert!(json.starts_with(r#"{"totalConnections":1,"perPage":1,"totalPages":1,"currentPage":1,"hasNext":false"#));
/// assert_eq!(serde_json::from_str::<CompanyListPage>(&json)?, page);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyListPage {
    /// `totalConnections`: connections in the whole list when the page was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_connections: Option<u64>,
    /// `perPage`: the limit the page was cut with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    /// `totalPages`: pages in the whole list when the page was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<u32>,
    /// `currentPage`: the page this is. Past the end, Nectar answers the last page, so this
    /// can be lower than the page asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_page: Option<PageNumber>,
    /// `hasNext`: whether a page follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_next: Option<bool>,
    /// `hasPrevious`: whether a page precedes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_previous: Option<bool>,
    /// `connections`: the connection objects of this page, in the body's order.
    pub connections: Vec<ConnectionPayload>,
}

impl CompanyListPage {
    /// `connections` as the one and complete page of a list: what a bare array reads as.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::CompanyListPage;
    ///
    /// let page = CompanyListPage::single(Vec::new());
    /// assert!(page.is_last());
    /// assert_eq!((page.total_connections, page.total_pages), (Some(0), Some(1)));
    /// ```
    #[must_use]
    pub fn single(connections: Vec<ConnectionPayload>) -> Self {
        let len = connections.len();
        Self {
            total_connections: u64::try_from(len).ok(),
            per_page: u32::try_from(len).ok(),
            total_pages: Some(1),
            current_page: Some(PageNumber::FIRST),
            has_next: Some(false),
            has_previous: Some(false),
            connections,
        }
    }

    /// Whether no page follows this one: `hasNext` is false, or `currentPage` has reached
    /// `totalPages`, or the body gives neither `hasNext` nor `totalPages`.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListPage, PageNumber};
    ///
    /// let page = |current: u32, total: u32, has_next: Option<bool>| CompanyListPage {
    ///     current_page: PageNumber::new(current).ok(),
    ///     total_pages: Some(total),
    ///     has_next,
    ///     ..CompanyListPage::default()
    /// };
    /// assert!(!page(1, 2, Some(true)).is_last());
    /// assert!(page(1, 2, Some(false)).is_last()); // hasNext decides first
    /// assert!(page(2, 2, Some(true)).is_last()); // a page claiming more past totalPages
    /// assert!(!page(1, 2, None).is_last());
    /// assert!(CompanyListPage::default().is_last()); // nothing says more follow
    /// ```
    #[must_use]
    pub fn is_last(&self) -> bool {
        let reached_total = match (self.current_page, self.total_pages) {
            (Some(current), Some(total)) => current.get() >= total,
            _ => false,
        };
        self.has_next == Some(false)
            || reached_total
            || (self.has_next.is_none() && self.total_pages.is_none())
    }
}

impl<'de> Deserialize<'de> for PageNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let page = u32::deserialize(deserializer)?;
        Self::new(page).map_err(|_| {
            de::Error::invalid_value(Unexpected::Unsigned(u64::from(page)), &"a page from 1")
        })
    }
}

/// A connection object: a JSON object (not an array of field values) read as a
/// [`ConnectionPayload`], whose derived fields, paths and messages are kept.
struct Connection(ConnectionPayload);

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

/// The page fields of the envelope, by their JSON names.
const PAGE_FIELDS: [&str; 6] = [
    "totalConnections",
    "perPage",
    "totalPages",
    "currentPage",
    "hasNext",
    "hasPrevious",
];

impl<'de> Deserialize<'de> for CompanyListPage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PageVisitor;
        impl<'de> Visitor<'de> for PageVisitor {
            type Value = CompanyListPage;
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
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CompanyListPage, A::Error> {
                let mut connections = Vec::new();
                while let Some(Connection(connection)) = seq.next_element()? {
                    connections.push(connection);
                }
                Ok(CompanyListPage::single(connections))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CompanyListPage, A::Error> {
                let mut page = CompanyListPage::default();
                let mut found: Option<&str> = None;
                let mut seen = [false; PAGE_FIELDS.len()];
                while let Some(key) = map.next_key::<String>()? {
                    if let Some(i) = PAGE_FIELDS.iter().position(|f| *f == key) {
                        if core::mem::replace(&mut seen[i], true) {
                            return Err(de::Error::custom(format_args!(
                                "duplicate field `{}`",
                                PAGE_FIELDS[i]
                            )));
                        }
                        match i {
                            0 => page.total_connections = map.next_value()?,
                            1 => page.per_page = map.next_value()?,
                            2 => page.total_pages = map.next_value()?,
                            3 => page.current_page = map.next_value()?,
                            4 => page.has_next = map.next_value()?,
                            _ => page.has_previous = map.next_value()?,
                        }
                        continue;
                    }
                    let Some(listed) = COMPANY_LIST_KEYS.into_iter().find(|k| *k == key) else {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    };
                    if let Some(first) = found {
                        return Err(de::Error::custom(format_args!(
                            "a second list of connections, under `{listed}` (the first was \
                             under `{first}`)"
                        )));
                    }
                    // `null` under the key reads as no connections, as `accounts: null` does.
                    let list = map
                        .next_value::<Option<Vec<Connection>>>()?
                        .unwrap_or_default();
                    page.connections = list.into_iter().map(|Connection(c)| c).collect();
                    found = Some(listed);
                }
                match found {
                    Some(_) => Ok(page),
                    None => Err(de::Error::invalid_value(Unexpected::Map, &self)),
                }
            }
        }
        deserializer.deserialize_any(PageVisitor)
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
