//! The error of a machine built from parts that break its invariants.

use crate::status::{AccountStatus, ConnectionStatus, TrackingStatus};

/// A machine state that breaks one of the machine's invariants, for example a connection
/// whose operational status is an overlay such as `DEACTIVATED`.
///
/// Returned when building a machine from parts or deserializing one, so that a persisted
/// machine can never resume in a state the lifecycle cannot reach.
///
/// ```
/// use nectar_lifecycle_core::{Connection, ConnectionStatus as S, EnumSet, InvalidState, Rules};
/// let err = Connection::from_parts(Rules::Operational, S::Deactivated, EnumSet::empty()).unwrap_err();
/// assert_eq!(err, InvalidState::ConnectionOverlay(S::Deactivated));
/// assert_eq!(err.to_string(), "DEACTIVATED is an overlay, not an operational connection status");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum InvalidState {
    /// A connection's operational status must be one of the eleven operational statuses.
    #[error("{0} is an overlay, not an operational connection status")]
    ConnectionOverlay(ConnectionStatus),
    /// An account's own status cannot be an overlay (tracking, parent or company).
    #[error("{0} is an overlay, not an account's own status")]
    AccountOverlay(AccountStatus),
    /// A `PENDING` connection's first check has not run, so its fresh cycle is pending.
    #[error("a PENDING connection has not had its first check, so its fresh cycle is pending")]
    PendingWithoutFreshCycle,
    /// Confirming tracking onboards a detected account, so `ENABLED` never sits on `DETECTED`.
    #[error("an account with tracking ENABLED has been confirmed and cannot be DETECTED")]
    EnabledButDetected,
    /// `ONBOARDED` means confirmed, so a tracking decision was made: never `UNSET`.
    #[error("an ONBOARDED account has been confirmed, so its tracking cannot be UNSET")]
    OnboardedButUnset,
    /// `CUSTOMER_NOT_TRACKED` is raised exactly when tracking is `DISABLED`.
    #[error(
        "tracking {tracking} disagrees with the overlays: CUSTOMER_NOT_TRACKED is raised exactly when tracking is DISABLED"
    )]
    TrackingDisagrees {
        /// The tracking status given.
        tracking: TrackingStatus,
    },
    /// An observed `isActive` contradicts the status shown: `DEACTIVATED` shows exactly when
    /// `isActive` is false, unless `COMPANY_INACTIVE` covers both.
    #[error(
        "isActive {is_active} contradicts the status {status}: DEACTIVATED shows exactly when isActive is false, unless COMPANY_INACTIVE covers it"
    )]
    ActiveFlagDisagrees {
        /// The status shown.
        status: ConnectionStatus,
        /// The `isActive` flag shown.
        is_active: bool,
    },
}
