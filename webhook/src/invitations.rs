//! Nectar's invitation endpoints and the account decision, as pure serde types: the paths,
//! the request bodies, and readers of the answers (usable without the receiver).
//!
//! * `POST /invitation/connection/{connectionId}` (a reconnect invitation) and
//!   `POST /invitation/company/{companyId}` (a contributor invitation) take a
//!   [`CreateInvitation`] and answer an [`InvitationPayload`].
//! * `POST /invitation/{invitationId}/revoke` revokes one.
//! * `GET /invitation/company/{companyId}` lists a company's invitations
//!   ([`parse_invitation_list`]).
//! * `PATCH /connection/{connectionId}/status` confirms or rejects the accounts Nectar
//!   detected ([`AccountDecision`]).
//!
//! None of these endpoints takes an idempotency key: a create whose answer was lost may have
//! been done, so it is never resent blindly (see the receiver's protocol).

use jiff::Timestamp;
use nectar_lifecycle_core::invitation::{InvitationRequest, InvitationStatus, InvitationType};
use serde::{Deserialize, Serialize};

use crate::payload::Reported;
use crate::poll::push_segment;

#[cfg(feature = "json")]
use crate::payload::{MAX_BODY_BYTES, WebhookError, read};

/// Whom an invitation is for: the path of the request that creates it.
///
/// ```
/// use nectar_lifecycle_webhook::InvitationTarget;
///
/// assert_eq!(InvitationTarget::Connection("c-1").path(), "/invitation/connection/c-1");
/// assert_eq!(InvitationTarget::Company("co/1").path(), "/invitation/company/co%2F1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvitationTarget<'a> {
    /// A reconnect invitation (`EDIT_CONNECTION`) for this connection.
    Connection(&'a str),
    /// A contributor invitation (`CREATE_CONNECTION`) for a new connection of this company.
    Company(&'a str),
}

impl InvitationTarget<'_> {
    /// `POST` this path (relative to the API base URL) with a [`CreateInvitation`].
    #[must_use]
    pub fn path(&self) -> String {
        let (prefix, id) = match self {
            Self::Connection(id) => ("/invitation/connection/", id),
            Self::Company(id) => ("/invitation/company/", id),
        };
        let mut path = String::from(prefix);
        push_segment(&mut path, id);
        path
    }
}

/// The path of `POST /invitation/{invitationId}/revoke`.
///
/// ```
/// use nectar_lifecycle_webhook::revoke_invitation_path;
///
/// assert_eq!(revoke_invitation_path("inv 1"), "/invitation/inv%201/revoke");
/// ```
#[must_use]
pub fn revoke_invitation_path(invitation_id: &str) -> String {
    let mut path = String::from("/invitation/");
    push_segment(&mut path, invitation_id);
    path.push_str("/revoke");
    path
}

/// The path of `GET /invitation/company/{companyId}`: a company's invitations.
///
/// ```
/// use nectar_lifecycle_webhook::company_invitations_path;
///
/// assert_eq!(company_invitations_path("co-1"), "/invitation/company/co-1");
/// ```
#[must_use]
pub fn company_invitations_path(company_id: &str) -> String {
    InvitationTarget::Company(company_id).path()
}

/// The body of a request creating an invitation. Fields left out are left to Nectar's
/// defaults: no `expiresInSeconds` never expires, no `maxUses` is unlimited.
///
/// ```
/// use nectar_lifecycle_core::invitation::InvitationRequest;
/// use nectar_lifecycle_webhook::CreateInvitation;
///
/// let body = CreateInvitation::from(InvitationRequest::reconnect());
/// assert_eq!(serde_json::to_string(&body)?, r#"{"maxUses":1}"#);
/// let week = CreateInvitation { expires_in_seconds: Some(604_800), send_email: Some(false), ..body };
/// assert_eq!(
///     serde_json::to_string(&week)?,
///     r#"{"expiresInSeconds":604800,"maxUses":1,"sendEmail":false}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateInvitation {
    /// Seconds until it expires (at least 60, as the core's [`InvitationRequest`] checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<u64>,
    /// How many times it can be used (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_uses: Option<u32>,
    /// Only these emails may use it; empty: anyone with the link.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_emails: Vec<String>,
    /// Whether Nectar emails the link to the allowed emails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_email: Option<bool>,
}

impl From<InvitationRequest> for CreateInvitation {
    fn from(request: InvitationRequest) -> Self {
        Self {
            expires_in_seconds: request.expires_in_seconds(),
            max_uses: request.max_uses(),
            allowed_emails: Vec::new(),
            send_email: None,
        }
    }
}

/// An invitation as Nectar answers it (creating, or listing). Read as tolerantly as a
/// webhook: unknown fields ignored, unknown types and statuses kept as
/// [`Reported::Unknown`], every field but `id` and `status` optional.
///
/// ```
/// use nectar_lifecycle_core::invitation::{InvitationStatus, InvitationType};
/// use nectar_lifecycle_webhook::{self as webhook, Reported};
///
/// let body = br#"{"id":"inv_1","token":"t","invitationType":"EDIT_CONNECTION",
///   "status":"ACTIVE","invitationUrl":"https://app.nectarclimate.com/i/t",
///   "connectionId":"c-1","companyId":"co-1","allowedEmails":null,
///   "expiresAt":"2026-12-13T09:00:00Z","maxUses":1,"useCount":0,
///   "createdAt":"2026-12-06T09:00:00Z","somethingNew":true}"#;
/// let invitation = webhook::parse_invitation(body)?;
/// assert_eq!(invitation.status, Reported::Known(InvitationStatus::Active));
/// assert_eq!(invitation.invitation_type, Some(Reported::Known(InvitationType::EditConnection)));
/// assert_eq!(invitation.expires_at, Some("2026-12-13T09:00:00Z".parse()?));
/// assert!(invitation.allowed_emails.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationPayload {
    /// The invitation's id (for revoking it).
    pub id: String,
    /// Its token, if given.
    #[serde(default)]
    pub token: Option<String>,
    /// `CREATE_CONNECTION` or `EDIT_CONNECTION`.
    #[serde(default)]
    pub invitation_type: Option<Reported<InvitationType>>,
    /// `ACTIVE`, `EXPIRED`, `REVOKED` or `FULFILLED`.
    pub status: Reported<InvitationStatus>,
    /// The link for the end user.
    #[serde(default)]
    pub invitation_url: Option<String>,
    /// The connection, for a reconnect invitation.
    #[serde(default)]
    pub connection_id: Option<String>,
    /// The company.
    #[serde(default)]
    pub company_id: Option<String>,
    /// The emails allowed to use it (`null` reads as none).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub allowed_emails: Vec<String>,
    /// When it expires; `None`: never.
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// How many uses it allows; `None`: unlimited.
    #[serde(default)]
    pub max_uses: Option<u32>,
    /// How many times it was used.
    #[serde(default)]
    pub use_count: Option<u32>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

impl InvitationPayload {
    /// Whether it is a reconnect invitation of `connection_id`, active at `now` as Nectar
    /// reported it (`ACTIVE`, and not past its `expiresAt`).
    ///
    /// ```
    /// use nectar_lifecycle_core::invitation::InvitationStatus;
    /// use nectar_lifecycle_webhook::{InvitationPayload, Reported};
    ///
    /// let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    /// let invitation = InvitationPayload {
    ///     connection_id: Some("c-1".into()),
    ///     expires_at: Some(at("2026-12-13T09:00:00Z")),
    ///     ..InvitationPayload::new("inv_1", InvitationStatus::Active)
    /// };
    /// assert!(invitation.is_active_reconnect_of("c-1", at("2026-12-06T09:00:00Z")));
    /// assert!(!invitation.is_active_reconnect_of("c-2", at("2026-12-06T09:00:00Z")));
    /// assert!(!invitation.is_active_reconnect_of("c-1", at("2026-12-13T09:00:00Z")));
    /// ```
    #[must_use]
    pub fn is_active_reconnect_of(&self, connection_id: &str, now: Timestamp) -> bool {
        let reconnect = self
            .invitation_type
            .as_ref()
            .is_none_or(|t| *t == Reported::Known(InvitationType::EditConnection));
        reconnect
            && self.connection_id.as_deref() == Some(connection_id)
            && self.status == Reported::Known(InvitationStatus::Active)
            && self.expires_at.is_none_or(|at| now < at)
    }

    /// An invitation `id` with `status` and nothing else known: for tests and doubles.
    ///
    /// ```
    /// use nectar_lifecycle_core::invitation::InvitationStatus;
    /// use nectar_lifecycle_webhook::InvitationPayload;
    ///
    /// let invitation = InvitationPayload::new("inv_1", InvitationStatus::Revoked);
    /// assert_eq!((invitation.id.as_str(), invitation.max_uses), ("inv_1", None));
    /// ```
    #[must_use]
    pub fn new(id: impl Into<String>, status: InvitationStatus) -> Self {
        Self {
            id: id.into(),
            token: None,
            invitation_type: None,
            status: Reported::Known(status),
            invitation_url: None,
            connection_id: None,
            company_id: None,
            allowed_emails: Vec::new(),
            expires_at: None,
            max_uses: None,
            use_count: None,
            created_at: None,
        }
    }
}

/// The keys under which a list of invitations may sit when the body is an object (the
/// stored docs do not show the list's body).
///
/// ```
/// use nectar_lifecycle_webhook::INVITATION_LIST_KEYS;
///
/// assert_eq!(INVITATION_LIST_KEYS[0], "invitations");
/// ```
pub const INVITATION_LIST_KEYS: [&str; 4] = ["invitations", "data", "results", "items"];

/// A list of invitations: a bare array, or an object holding one under one of
/// [`INVITATION_LIST_KEYS`] (other members ignored).
#[cfg(feature = "json")]
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "an array of invitations, or an object holding one"
)]
enum InvitationList {
    Bare(Vec<InvitationPayload>),
    Wrapped {
        #[serde(alias = "data", alias = "results", alias = "items")]
        invitations: Vec<InvitationPayload>,
    },
}

/// Parses the answer of `POST /invitation/...`: one invitation.
///
/// # Errors
/// [`WebhookError`] for a body over [`MAX_BODY_BYTES`], malformed JSON, or a missing or
/// mistyped field, named by its path.
#[cfg(feature = "json")]
pub fn parse_invitation(body: &[u8]) -> Result<InvitationPayload, WebhookError> {
    read::<InvitationPayload>(body, MAX_BODY_BYTES)
}

/// Parses the answer of `GET /invitation/company/{companyId}`: the invitations, in order.
///
/// ```
/// use nectar_lifecycle_webhook as webhook;
///
/// let bare = br#"[{"id":"inv_1","status":"ACTIVE"},{"id":"inv_2","status":"PAUSED"}]"#;
/// assert_eq!(webhook::parse_invitation_list(bare)?.len(), 2);
/// let wrapped = br#"{"invitations":[{"id":"inv_1","status":"EXPIRED"}],"total":1}"#;
/// assert_eq!(webhook::parse_invitation_list(wrapped)?[0].id, "inv_1");
/// assert!(webhook::parse_invitation_list(br#"{"other":[]}"#).is_err());
/// # Ok::<(), webhook::WebhookError>(())
/// ```
///
/// # Errors
/// [`WebhookError`] for a body over 16 times [`MAX_BODY_BYTES`], malformed JSON, or a body
/// of another shape.
#[cfg(feature = "json")]
pub fn parse_invitation_list(body: &[u8]) -> Result<Vec<InvitationPayload>, WebhookError> {
    read::<InvitationList>(body, 16 * MAX_BODY_BYTES).map(|list| match list {
        InvitationList::Bare(list) | InvitationList::Wrapped { invitations: list } => list,
    })
}

/// The body of `PATCH /connection/{connectionId}/status`: confirm the accounts Nectar
/// detected (`{"confirm": true}`, as the spec shows), or reject them (`{"confirm": false}`,
/// the spec's "confirm or reject" with the same field).
///
/// ```
/// use nectar_lifecycle_webhook::AccountDecision;
///
/// assert_eq!(AccountDecision::Confirm.path("c-1"), "/connection/c-1/status");
/// assert_eq!(serde_json::to_string(&AccountDecision::Confirm.body())?, r#"{"confirm":true}"#);
/// assert_eq!(serde_json::to_string(&AccountDecision::Reject.body())?, r#"{"confirm":false}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountDecision {
    /// Track the detected accounts.
    Confirm,
    /// Do not track them.
    Reject,
}

/// The JSON body of an [`AccountDecision`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDecisionBody {
    /// `true` to confirm, `false` to reject.
    pub confirm: bool,
}

impl AccountDecision {
    /// The path to `PATCH`, relative to the API base URL.
    #[must_use]
    pub fn path(self, connection_id: &str) -> String {
        let mut path = String::from("/connection/");
        push_segment(&mut path, connection_id);
        path.push_str("/status");
        path
    }

    /// The body to send.
    #[must_use]
    pub fn body(self) -> AccountDecisionBody {
        AccountDecisionBody {
            confirm: self == Self::Confirm,
        }
    }
}
