//! Typed errors. None of them is ever produced by a panic path: every input has an answer.

use core::fmt;

use crate::event::EventSet;
use crate::status::Enumerated;

/// Which wire enum a string failed to parse as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display)]
pub enum WireKind {
    /// [`ConnectionStatus`](crate::ConnectionStatus).
    #[strum(to_string = "connection status")]
    ConnectionStatus,
    /// [`AccountStatus`](crate::AccountStatus).
    #[strum(to_string = "account status")]
    AccountStatus,
    /// [`TrackingStatus`](crate::TrackingStatus).
    #[strum(to_string = "tracking status")]
    TrackingStatus,
}

/// A string that is not one of Nectar's API values for the expected enum.
///
/// It carries the rejected string so a caller can log or keep it. The webhook layer keeps
/// unknown values as data instead of failing; this error is for places where only a known
/// status makes sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct ParseStatusError {
    kind: WireKind,
    value: String,
}

impl ParseStatusError {
    pub(crate) fn new(kind: WireKind, value: &str) -> Self {
        Self {
            kind,
            value: value.to_owned(),
        }
    }

    /// The enum the string was parsed as.
    #[must_use]
    pub fn kind(&self) -> WireKind {
        self.kind
    }

    /// The rejected string, exactly as given.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The rejected string, by value.
    #[must_use]
    pub fn into_value(self) -> String {
        self.value
    }
}

/// An event that the lifecycle does not allow from the machine's current status.
///
/// Named after the rejected edge, with the events that *would* have been accepted there, in
/// the spirit of rustls's `InappropriateHandshakeMessage { expect_types, got_type }`. The
/// machine that returned it is unchanged.
///
/// ```
/// use nectar_lifecycle::{Connection, ConnectionEvent as E, ConnectionStatus as S, Rules};
///
/// let mut conn = Connection::new(Rules::Documented);
/// let err = conn.apply(E::CredentialsUpdated).unwrap_err();
/// assert_eq!((err.from, err.event), (S::Pending, E::CredentialsUpdated));
/// assert!(err.allowed.contains(E::AuthSucceeded));
/// assert_eq!(conn.status(), S::Pending);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub struct TransitionRejected<S, E: Enumerated> {
    /// The visible status the event was applied to.
    pub from: S,
    /// The rejected event.
    pub event: E,
    /// Every event the machine would have accepted in its state.
    pub allowed: EventSet<E>,
}

impl<S: fmt::Display, E: Enumerated + fmt::Display> fmt::Display for TransitionRejected<S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not allowed from {} (allowed: {})",
            self.event, self.from, self.allowed
        )
    }
}

/// A machine state that breaks one of the machine's invariants, for example a connection
/// whose operational status is an overlay such as `DEACTIVATED`.
///
/// Returned when building a machine from parts or deserializing one, so that a persisted
/// machine can never resume in a state the lifecycle cannot reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum InvalidState {
    /// A connection's operational status must be one of the eleven operational statuses.
    #[error("{0} is an overlay, not an operational connection status")]
    ConnectionOverlay(crate::ConnectionStatus),
    /// An account's own status cannot be an overlay (tracking, parent or company).
    #[error("{0} is an overlay, not an account's own status")]
    AccountOverlay(crate::AccountStatus),
    /// Confirming tracking onboards a detected account, so `ENABLED` never sits on `DETECTED`.
    #[error("an account with tracking ENABLED has been confirmed and cannot be DETECTED")]
    EnabledButDetected,
}
