//! Connection invitations: the remedy for credential errors.
//!
//! An invitation is a hosted URL where the end user creates a connection
//! (`CREATE_CONNECTION`) or fixes one (`EDIT_CONNECTION`, a *reconnect* invitation). Its
//! status is derived from its request, its creation time, its uses, whether it was revoked,
//! and `now`; nothing here reads a clock.
//!
//! Where Nectar's docs are silent (expiry at the instant itself, final statuses, precedence)
//! see [the manual](crate::manual#invitations).

use crate::closed_enum;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

closed_enum! {
    /// The kind of an invitation.
    #[derive(Serialize, Deserialize, strum::Display, strum::EnumString, strum::IntoStaticStr)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum InvitationType {
        /// A contributor invitation for a new connection
        /// (`POST /invitation/company/{companyId}`).
        CreateConnection,
        /// A reconnect invitation for an existing connection
        /// (`POST /invitation/connection/{connectionId}`).
        EditConnection,
    }
}

closed_enum! {
    /// The status of an invitation, derived by [`Invitation::status`].
    #[derive(Serialize, Deserialize, strum::Display, strum::EnumString, strum::IntoStaticStr)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum InvitationStatus {
        /// Usable.
        Active,
        /// Past its `expiresAt`.
        Expired,
        /// Invalidated by hand.
        Revoked,
        /// `useCount` reached `maxUses`.
        Fulfilled,
    }
}

/// A request Nectar's invitation endpoints would reject, or an action on an invitation that
/// is not active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum InvitationError {
    /// `expiresInSeconds` must be at least 60.
    #[error("expiresInSeconds must be at least 60, got {0}")]
    ExpiresTooSoon(u64),
    /// `expiresInSeconds` beyond what a timestamp can represent.
    #[error("expiresInSeconds {0} is out of range")]
    ExpiresOutOfRange(u64),
    /// `maxUses` must be at least 1.
    #[error("maxUses must be at least 1")]
    NoUses,
    /// The invitation cannot be used or revoked in its current status.
    #[error("the invitation is {0}, not ACTIVE")]
    NotActive(InvitationStatus),
}

/// A validated invitation request: the body of `POST /invitation/...`.
///
/// ```
/// use nectar_lifecycle_core::invitation::{InvitationError, InvitationRequest, InvitationType};
///
/// let reconnect = InvitationRequest::reconnect();
/// assert_eq!(reconnect.kind(), InvitationType::EditConnection);
/// assert_eq!(reconnect.max_uses(), Some(1));
///
/// assert_eq!(
///     InvitationRequest::new(InvitationType::EditConnection, Some(59), None),
///     Err(InvitationError::ExpiresTooSoon(59))
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RequestBody", into = "RequestBody")]
pub struct InvitationRequest {
    kind: InvitationType,
    expires_in_seconds: Option<u64>,
    max_uses: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestBody {
    #[serde(rename = "type")]
    kind: InvitationType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_in_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_uses: Option<u32>,
}

impl TryFrom<RequestBody> for InvitationRequest {
    type Error = InvitationError;
    fn try_from(b: RequestBody) -> Result<Self, Self::Error> {
        Self::new(b.kind, b.expires_in_seconds, b.max_uses)
    }
}

impl From<InvitationRequest> for RequestBody {
    fn from(r: InvitationRequest) -> Self {
        Self {
            kind: r.kind,
            expires_in_seconds: r.expires_in_seconds,
            max_uses: r.max_uses,
        }
    }
}

/// The largest `expiresInSeconds` accepted: far beyond any real use, small enough that
/// adding it to any timestamp the crate meets cannot overflow `i64` seconds.
const MAX_EXPIRES_IN_SECONDS: u64 = 1 << 40;

impl InvitationRequest {
    /// A validated request. `None` means never expires / unlimited uses, as in the API.
    ///
    /// # Errors
    /// [`InvitationError::ExpiresTooSoon`] below 60 seconds,
    /// [`InvitationError::ExpiresOutOfRange`] beyond 2^40 seconds,
    /// [`InvitationError::NoUses`] for `maxUses` 0.
    pub const fn new(
        kind: InvitationType,
        expires_in_seconds: Option<u64>,
        max_uses: Option<u32>,
    ) -> Result<Self, InvitationError> {
        if let Some(secs) = expires_in_seconds {
            if secs < 60 {
                return Err(InvitationError::ExpiresTooSoon(secs));
            }
            if secs > MAX_EXPIRES_IN_SECONDS {
                return Err(InvitationError::ExpiresOutOfRange(secs));
            }
        }
        if let Some(0) = max_uses {
            return Err(InvitationError::NoUses);
        }
        Ok(Self {
            kind,
            expires_in_seconds,
            max_uses,
        })
    }

    /// The reconnect invitation the crate recommends for credential errors:
    /// `EDIT_CONNECTION`, `maxUses` 1, no expiry.
    #[must_use]
    pub const fn reconnect() -> Self {
        Self {
            kind: InvitationType::EditConnection,
            expires_in_seconds: None,
            max_uses: Some(1),
        }
    }

    /// The invitation type.
    #[must_use]
    pub const fn kind(&self) -> InvitationType {
        self.kind
    }

    /// `expiresInSeconds`; `None` never expires.
    #[must_use]
    pub const fn expires_in_seconds(&self) -> Option<u64> {
        self.expires_in_seconds
    }

    /// `maxUses`; `None` is unlimited.
    #[must_use]
    pub const fn max_uses(&self) -> Option<u32> {
        self.max_uses
    }
}

/// An invitation created from a request at `created_at`.
///
/// ```
/// use jiff::{SignedDuration, Timestamp};
/// use nectar_lifecycle_core::invitation::*;
///
/// let t0: Timestamp = "2026-11-25T12:00:00Z".parse()?;
/// let request = InvitationRequest::new(InvitationType::EditConnection, Some(3600), Some(1)).unwrap();
/// let mut inv = Invitation::new(request, t0);
/// assert_eq!(inv.status(t0), InvitationStatus::Active);
/// assert_eq!(inv.status(t0 + SignedDuration::from_hours(1)), InvitationStatus::Expired);
///
/// inv.use_once(t0).unwrap();
/// assert_eq!(inv.status(t0), InvitationStatus::Fulfilled);
/// assert_eq!(inv.use_once(t0), Err(InvitationError::NotActive(InvitationStatus::Fulfilled)));
/// # Ok::<(), jiff::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    request: InvitationRequest,
    created_at: Timestamp,
    use_count: u32,
    revoked: bool,
}

impl Invitation {
    /// An invitation created at `created_at`, unused and not revoked.
    #[must_use]
    pub const fn new(request: InvitationRequest, created_at: Timestamp) -> Self {
        Self {
            request,
            created_at,
            use_count: 0,
            revoked: false,
        }
    }

    /// The request it was created from.
    #[must_use]
    pub const fn request(&self) -> InvitationRequest {
        self.request
    }

    /// `useCount`.
    #[must_use]
    pub const fn use_count(&self) -> u32 {
        self.use_count
    }

    /// `expiresAt`, if it expires.
    #[must_use]
    pub fn expires_at(&self) -> Option<Timestamp> {
        self.request.expires_in_seconds.map(|secs| {
            // `secs` is at most 2^40 (validated), so it fits an i64.
            let secs = i64::try_from(secs).unwrap_or(i64::MAX);
            self.created_at
                .checked_add(SignedDuration::from_secs(secs))
                .unwrap_or(Timestamp::MAX)
        })
    }

    /// The status at `now`: `REVOKED`, else `FULFILLED`, else `EXPIRED` (at and after
    /// `expiresAt`), else `ACTIVE`.
    #[must_use]
    pub fn status(&self, now: Timestamp) -> InvitationStatus {
        if self.revoked {
            InvitationStatus::Revoked
        } else if self
            .request
            .max_uses
            .is_some_and(|max| self.use_count >= max)
        {
            InvitationStatus::Fulfilled
        } else if self.expires_at().is_some_and(|at| now >= at) {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Active
        }
    }

    /// Records one use at `now`.
    ///
    /// # Errors
    /// [`InvitationError::NotActive`] when the invitation is not `ACTIVE` at `now`; it is
    /// left unchanged.
    pub fn use_once(&mut self, now: Timestamp) -> Result<(), InvitationError> {
        self.require_active(now)?;
        self.use_count = self.use_count.saturating_add(1);
        Ok(())
    }

    /// Revokes the invitation at `now`.
    ///
    /// # Errors
    /// [`InvitationError::NotActive`] when it is already revoked, fulfilled or expired.
    pub fn revoke(&mut self, now: Timestamp) -> Result<(), InvitationError> {
        self.require_active(now)?;
        self.revoked = true;
        Ok(())
    }

    fn require_active(&self, now: Timestamp) -> Result<(), InvitationError> {
        match self.status(now) {
            InvitationStatus::Active => Ok(()),
            other @ (InvitationStatus::Expired
            | InvitationStatus::Revoked
            | InvitationStatus::Fulfilled) => Err(InvitationError::NotActive(other)),
        }
    }
}
