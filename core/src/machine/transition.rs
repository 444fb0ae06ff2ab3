//! The result of applying an event: the [`Transition`] taken, or why it was rejected.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::enumeration::{EnumSet, Enumerated};
use crate::event::{AccountEvent, ConnectionEvent};
use crate::status::{AccountStatus, ConnectionStatus};
use crate::table::Provenance;

/// One edge taken (or allowed): `from --event--> to`, with its provenance.
///
/// Returned by `apply`, and listed by [`Connection::edges`](crate::Connection::edges) and
/// [`Account::edges`](crate::Account::edges).
///
/// ```
/// use nectar_lifecycle_core::{Connection, ConnectionEvent as E, Rules};
/// let t = Connection::new(Rules::Documented).apply(E::AuthSucceeded)?;
/// assert_eq!(t.to_string(), "PENDING --Authentication successful--> CONNECTED (diagram)");
/// # Ok::<(), nectar_lifecycle_core::ConnectionRejected>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Transition<S, E> {
    /// The visible status before the event.
    pub from: S,
    /// The event.
    pub event: E,
    /// The visible status after the event.
    pub to: S,
    /// Why the edge is allowed.
    pub provenance: Provenance,
}

impl<S: fmt::Display, E: fmt::Display> fmt::Display for Transition<S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} --{}--> {} ({})",
            self.from, self.event, self.to, self.provenance
        )
    }
}

/// An event that the lifecycle does not allow from the machine's current status.
///
/// Named after the rejected edge, with the events that *would* have been accepted there
/// (what was expected and what arrived). The machine that returned it is unchanged. Its
/// message speaks the published diagram's vocabulary: statuses as API values, events as
/// diagram labels.
///
/// ```
/// use nectar_lifecycle_core::{Connection, ConnectionEvent as E, ConnectionStatus as S, Rules};
///
/// let mut conn = Connection::new(Rules::Documented);
/// let err = conn.apply(E::CredentialsUpdated).unwrap_err();
/// assert_eq!((err.from, err.event), (S::Pending, E::CredentialsUpdated));
/// assert!(err.allowed.contains(E::AuthSucceeded));
/// assert_eq!(conn.status(), S::Pending);
/// assert!(err.to_string().starts_with(
///     r#""Credentials updated" is not allowed from PENDING (allowed: "Authentication successful", "#));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub struct TransitionRejected<S, E: Enumerated> {
    /// The visible status the event was applied to.
    pub from: S,
    /// The rejected event.
    pub event: E,
    /// Every event the machine would have accepted in its state.
    pub allowed: EnumSet<E>,
}

impl<S: fmt::Display, E: Enumerated + fmt::Display> fmt::Display for TransitionRejected<S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" is not allowed from {} (allowed: ",
            self.event, self.from
        )?;
        if self.allowed.is_empty() {
            f.write_str("none")?;
        }
        for (i, event) in self.allowed.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "\"{event}\"")?;
        }
        f.write_str(")")
    }
}

/// The result of applying an event: the edge taken, or why it was rejected.
pub type Applied<S, E> = Result<Transition<S, E>, TransitionRejected<S, E>>;

/// A rejected connection event.
pub type ConnectionRejected = TransitionRejected<ConnectionStatus, ConnectionEvent>;
/// A rejected account event.
pub type AccountRejected = TransitionRejected<AccountStatus, AccountEvent>;
