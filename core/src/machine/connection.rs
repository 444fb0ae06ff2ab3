//! A connection: its operational status under its overlays.

use serde::{Deserialize, Serialize};

use super::invalid::InvalidState;
use super::traits::{Machine, edges_of, sealed};
use super::transition::{ConnectionRejected, Transition};
use crate::enumeration::{EnumSet, Enumerated};
use crate::event::{ConnectionEvent, EventOrigin};
use crate::overlay::{ConnectionOverlay, OverlayChange};
use crate::status::ConnectionStatus;
use crate::table::{ConnectionRule, Rules, Target, connection_allowed, connection_rule};

/// A connection: its operational status, the [overlays](ConnectionOverlay) raised over it,
/// and whether a fresh collection cycle is pending.
///
/// The visible [`status`](Self::status) is the highest overlay raised, else the operational
/// status. The overlays keep the operational status underneath, so activation restores
/// exactly what was there, and reactivating the company restores `DEACTIVATED` if the
/// connection was deactivated before. While an overlay shows, no check, user or Nectar event
/// is accepted.
///
/// ```
/// use nectar_lifecycle_core::{Connection, ConnectionEvent as E, ConnectionStatus as S, Rules};
///
/// let mut conn = Connection::new(Rules::Documented);
/// conn.apply(E::AuthSucceeded)?;
/// conn.apply(E::ProviderUnavailable)?;
/// conn.apply(E::Deactivate)?;
/// assert_eq!(conn.status(), S::Deactivated);
/// assert_eq!(conn.operational_status(), S::WebsiteDown);
/// assert!(conn.apply(E::ProviderBackOnline).is_err()); // no checks while deactivated
///
/// let t = conn.apply(E::Activate)?;
/// assert_eq!((t.from, t.to), (S::Deactivated, S::WebsiteDown));
/// # Ok::<(), nectar_lifecycle_core::ConnectionRejected>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "ConnectionParts", into = "ConnectionParts")]
pub struct Connection {
    rules: Rules,
    operational: ConnectionStatus,
    overlays: EnumSet<ConnectionOverlay>,
    cycle_pending: bool,
}

/// The serialized form of a [`Connection`], checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConnectionParts {
    rules: Rules,
    operational_status: ConnectionStatus,
    is_active: bool,
    company_active: bool,
    /// Absent in data written before the field existed: pending only for `PENDING`, whose
    /// first check has not run.
    #[serde(default)]
    cycle_pending: Option<bool>,
}

impl TryFrom<ConnectionParts> for Connection {
    type Error = InvalidState;

    fn try_from(p: ConnectionParts) -> Result<Self, Self::Error> {
        let mut overlays = EnumSet::empty();
        if !p.is_active {
            overlays.insert(ConnectionOverlay::Deactivated);
        }
        if !p.company_active {
            overlays.insert(ConnectionOverlay::CompanyInactive);
        }
        let connection = Self::from_parts(p.rules, p.operational_status, overlays)?;
        match p.cycle_pending {
            Some(pending) => connection.with_cycle_pending(pending),
            None => Ok(connection),
        }
    }
}

impl From<Connection> for ConnectionParts {
    fn from(c: Connection) -> Self {
        Self {
            rules: c.rules,
            operational_status: c.operational,
            is_active: c.is_active(),
            company_active: c.is_company_active(),
            cycle_pending: Some(c.cycle_pending),
        }
    }
}

impl Connection {
    /// A new connection: `[*] --> PENDING: Connection created`, no overlay raised, with its
    /// first collection cycle pending (its first check is due at once).
    ///
    /// ```
    /// use nectar_lifecycle_core::{Connection, ConnectionStatus as S, Rules};
    /// let conn = Connection::new(Rules::Operational);
    /// assert_eq!(conn.status(), S::Pending);
    /// assert!(conn.is_cycle_pending());
    /// ```
    #[must_use]
    pub const fn new(rules: Rules) -> Self {
        Self {
            rules,
            operational: ConnectionStatus::Pending,
            overlays: EnumSet::empty(),
            cycle_pending: true,
        }
    }

    /// Rebuilds a connection from its parts: the operational status and the overlays raised
    /// over it. No fresh collection cycle is pending unless the status is `PENDING`; see
    /// [`with_cycle_pending`](Self::with_cycle_pending).
    ///
    /// ```
    /// use nectar_lifecycle_core::{Connection, ConnectionOverlay as O, ConnectionStatus as S, EnumSet, Rules};
    /// let conn = Connection::from_parts(Rules::Operational, S::WebsiteDown, EnumSet::from([O::Deactivated]))?;
    /// assert_eq!(conn.status(), S::Deactivated);
    /// assert!(!conn.is_active());
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    ///
    /// # Errors
    /// [`InvalidState::ConnectionOverlay`] when `operational` is `DEACTIVATED` or
    /// `COMPANY_INACTIVE`: those are overlays, never held underneath.
    pub const fn from_parts(
        rules: Rules,
        operational: ConnectionStatus,
        overlays: EnumSet<ConnectionOverlay>,
    ) -> Result<Self, InvalidState> {
        if operational.is_operational() {
            Ok(Self {
                rules,
                operational,
                overlays,
                cycle_pending: matches!(operational, ConnectionStatus::Pending),
            })
        } else {
            Err(InvalidState::ConnectionOverlay(operational))
        }
    }

    /// A representative connection showing `status`: an operational status as itself (no
    /// overlay, a fresh cycle pending only for `PENDING`), an overlay raised alone over
    /// `CONNECTED`. For documentation, tests and benches.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Connection, ConnectionStatus as S, Rules};
    /// let conn = Connection::showing(Rules::Operational, S::Deactivated);
    /// assert_eq!((conn.status(), conn.operational_status()), (S::Deactivated, S::Connected));
    /// ```
    #[must_use]
    pub const fn showing(rules: Rules, status: ConnectionStatus) -> Self {
        let (operational, overlays) = match ConnectionOverlay::of(status) {
            None => (status, EnumSet::empty()),
            Some(overlay) => (
                ConnectionStatus::Connected,
                EnumSet::from_bits(1 << overlay as u32),
            ),
        };
        Self {
            rules,
            operational,
            overlays,
            cycle_pending: matches!(operational, ConnectionStatus::Pending),
        }
    }

    /// The status the API shows: the highest overlay raised, else the operational status
    /// ([`ConnectionOverlay::visible`]).
    #[must_use]
    pub fn status(&self) -> ConnectionStatus {
        ConnectionOverlay::visible(self.operational, self.overlays)
    }

    /// The operational status held underneath the overlays (never an overlay itself).
    #[must_use]
    pub const fn operational_status(&self) -> ConnectionStatus {
        self.operational
    }

    /// The overlays raised.
    #[must_use]
    pub const fn overlays(&self) -> EnumSet<ConnectionOverlay> {
        self.overlays
    }

    /// The connection's `isActive` flag: `DEACTIVATED` is not raised.
    #[must_use]
    pub fn is_active(&self) -> bool {
        !self.overlays.contains(ConnectionOverlay::Deactivated)
    }

    /// Whether the parent company is active: `COMPANY_INACTIVE` is not raised.
    #[must_use]
    pub fn is_company_active(&self) -> bool {
        !self.overlays.contains(ConnectionOverlay::CompanyInactive)
    }

    /// Whether a fresh collection cycle has started and its first check has not run yet: set
    /// by [`new`](Self::new) and by lifting an overlay (the spec: "a fresh data collection
    /// cycle begins"), cleared by any check outcome. While set, the connection's next check
    /// is due at once.
    #[must_use]
    pub const fn is_cycle_pending(&self) -> bool {
        self.cycle_pending
    }

    /// The same connection with the fresh-cycle flag set to `pending`, for rebuilding one
    /// from stored data.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Connection, ConnectionStatus as S, EnumSet, InvalidState, Rules};
    /// let conn = Connection::from_parts(Rules::Operational, S::WebsiteDown, EnumSet::empty())?;
    /// assert!(conn.with_cycle_pending(true)?.is_cycle_pending());
    /// // A PENDING connection's first check has not run: its cycle is pending.
    /// assert_eq!(Connection::new(Rules::Operational).with_cycle_pending(false),
    ///            Err(InvalidState::PendingWithoutFreshCycle));
    /// # Ok::<(), InvalidState>(())
    /// ```
    ///
    /// # Errors
    /// [`InvalidState::PendingWithoutFreshCycle`] for `pending == false` on a `PENDING`
    /// connection.
    pub const fn with_cycle_pending(mut self, pending: bool) -> Result<Self, InvalidState> {
        if !pending && matches!(self.operational, ConnectionStatus::Pending) {
            return Err(InvalidState::PendingWithoutFreshCycle);
        }
        self.cycle_pending = pending;
        Ok(self)
    }

    /// The rule set this connection follows.
    #[must_use]
    pub const fn rules(&self) -> Rules {
        self.rules
    }

    /// Applies `event`. See [`Machine::apply`].
    ///
    /// # Errors
    /// [`ConnectionRejected`] when the rule set does not allow `event` from the visible
    /// status; the connection is unchanged.
    pub fn apply(
        &mut self,
        event: ConnectionEvent,
    ) -> Result<Transition<ConnectionStatus, ConnectionEvent>, ConnectionRejected> {
        Machine::apply(self, event)
    }

    /// Every event the connection accepts now.
    #[must_use]
    pub fn allowed_events(&self) -> EnumSet<ConnectionEvent> {
        Machine::allowed_events(self)
    }

    /// Every valid connection state under `rules`: each operational status with each set of
    /// overlays and each value of the fresh-cycle flag. Deterministic order.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Connection, Rules};
    /// // 11 operational statuses, 4 sets of overlays, the fresh-cycle flag (always set on
    /// // PENDING): every state a new connection can reach under the operational rules.
    /// assert_eq!(Connection::all_states(Rules::Operational).count(), 11 * 4 * 2 - 4);
    /// ```
    pub fn all_states(rules: Rules) -> impl Iterator<Item = Self> + Clone {
        let overlay_sets = 1u64 << ConnectionOverlay::ALL.len();
        ConnectionStatus::ALL.iter().flat_map(move |&operational| {
            (0..overlay_sets).flat_map(move |bits| {
                [false, true].into_iter().filter_map(move |pending| {
                    Self::from_parts(rules, operational, EnumSet::from_bits(bits))
                        .and_then(|c| c.with_cycle_pending(pending))
                        .ok()
                })
            })
        })
    }

    /// Every edge `rules` allow between visible statuses, with its provenance, sorted by
    /// (from, event, to). Lifting an overlay appears once per status it can uncover.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Connection, Provenance, Rules};
    /// let drawn = Connection::edges(Rules::Documented)
    ///     .into_iter()
    ///     .filter(|t| t.provenance == Provenance::Diagram)
    ///     .count();
    /// assert_eq!(drawn, 22);
    /// ```
    #[must_use]
    pub fn edges(rules: Rules) -> Vec<Transition<ConnectionStatus, ConnectionEvent>> {
        edges_of(Self::all_states(rules))
    }
}

impl sealed::Hooks for Connection {
    type Status = ConnectionStatus;
    type Event = ConnectionEvent;
    type Overlay = ConnectionOverlay;

    fn enter(
        &mut self,
        event: ConnectionEvent,
        target: Target<ConnectionStatus, ConnectionOverlay>,
        _: sealed::Token,
    ) {
        match target {
            Target::Status(to) => {
                self.operational = to;
                // A check ran: the cycle's first check is done.
                if matches!(event.origin(), EventOrigin::Check) {
                    self.cycle_pending = false;
                }
            }
            Target::Overlay(OverlayChange::Raise(overlay)) => self.overlays.insert(overlay),
            Target::Overlay(OverlayChange::Lift(overlay)) => {
                self.overlays.remove(overlay);
                // Lifting an overlay resumes collection with a fresh cycle.
                self.cycle_pending = true;
            }
        }
    }
}

impl Machine for Connection {
    fn status(&self) -> ConnectionStatus {
        Connection::status(self)
    }

    fn rule(&self, event: ConnectionEvent) -> Option<ConnectionRule> {
        connection_rule(self.rules, self.status(), event)
    }

    fn allowed_events(&self) -> EnumSet<ConnectionEvent> {
        connection_allowed(self.rules, self.status())
    }
}
