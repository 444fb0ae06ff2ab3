//! A connection: its operational status under its overlays.

use core::fmt;

use serde::{Deserialize, Serialize};
use strum::{EnumCount, VariantArray};

use super::invalid::InvalidState;
use super::state_table::{FACTS, Facts, Parts, STATE_COUNT, STEPS, advance, index_of};
use super::traits::{Machine, edges_of, sealed};
use super::transition::{Applied, ConnectionRejected, Transition, TransitionRejected};
use crate::enumeration::EnumSet;
use crate::event::ConnectionEvent;
use crate::overlay::ConnectionOverlay;
use crate::status::ConnectionStatus;
use crate::table::{ConnectionRule, Rules, Target, connection_rule};

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
///
/// A connection is one byte: the index of its state in a table of every valid state computed
/// at compile time, so [`apply`](Self::apply) is one lookup. Connections compare and order
/// as the tuple `(rules, operational status, overlays, fresh-cycle flag)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "ConnectionParts", into = "ConnectionParts")]
pub struct Connection {
    /// The dense index of the state (see the state table's module documentation).
    state: u8,
}

/// The facts, as the struct the connection used to be.
impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("rules", &self.rules())
            .field("operational", &self.operational_status())
            .field("overlays", &self.overlays())
            .field("cycle_pending", &self.is_cycle_pending())
            .finish()
    }
}

/// The connection a representative `(rules, status)` shows, for [`Connection::showing`] and
/// [`Connection::new`], built at compile time.
const SHOWING: [[Connection; ConnectionStatus::COUNT]; Rules::COUNT] = {
    let mut table = [[Connection { state: 0 }; ConnectionStatus::COUNT]; Rules::COUNT];
    let mut r = 0;
    while r < Rules::COUNT {
        let mut s = 0;
        while s < ConnectionStatus::COUNT {
            let status = ConnectionStatus::VARIANTS[s];
            let (operational, overlays) = match ConnectionOverlay::of(status) {
                None => (status, 0),
                Some(overlay) => (ConnectionStatus::Connected, 1 << overlay as u32),
            };
            let parts = Parts {
                rules: Rules::VARIANTS[r],
                operational,
                overlays,
                cycle_pending: matches!(operational, ConnectionStatus::Pending),
            };
            let Ok(state) = index_of(parts) else {
                panic!("a representative connection is a valid state");
            };
            table[r][s] = Connection { state };
            s += 1;
        }
        r += 1;
    }
    table
};

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
            rules: c.rules(),
            operational_status: c.operational_status(),
            is_active: c.is_active(),
            company_active: c.is_company_active(),
            cycle_pending: Some(c.is_cycle_pending()),
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
        SHOWING[rules as usize][ConnectionStatus::Pending as usize]
    }

    /// The facts of this connection's state.
    #[inline]
    const fn facts(&self) -> &'static Facts {
        &FACTS[self.state as usize]
    }

    /// The index of this connection's state in the state table, for tables kept per state
    /// elsewhere in the crate (the check policy's).
    #[inline]
    pub(crate) const fn state_index(&self) -> u8 {
        self.state
    }

    /// The connection in the state at `index`, for building tables kept per state: every
    /// valid state for an index below [`Self::STATE_COUNT`].
    pub(crate) const fn at_state_index(index: u8) -> Self {
        Self { state: index }
    }

    /// The number of valid connection states, under both rule sets.
    pub(crate) const STATE_COUNT: usize = STATE_COUNT;

    /// The connection with these facts, or why it cannot exist.
    const fn from_facts(parts: Parts) -> Result<Self, InvalidState> {
        match index_of(parts) {
            Ok(state) => Ok(Self { state }),
            Err(invalid) => Err(invalid),
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
        Self::from_facts(Parts {
            rules,
            operational,
            // The set's bits never exceed its two overlays (`EnumSet::from_bits` masks them).
            overlays: overlays.bits() as u8,
            cycle_pending: matches!(operational, ConnectionStatus::Pending),
        })
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
        SHOWING[rules as usize][status as usize]
    }

    /// The status the API shows: the highest overlay raised, else the operational status
    /// ([`ConnectionOverlay::visible`]).
    #[must_use]
    #[inline]
    pub const fn status(&self) -> ConnectionStatus {
        self.facts().status
    }

    /// The operational status held underneath the overlays (never an overlay itself).
    #[must_use]
    #[inline]
    pub const fn operational_status(&self) -> ConnectionStatus {
        self.facts().parts.operational
    }

    /// The overlays raised.
    #[must_use]
    #[inline]
    pub const fn overlays(&self) -> EnumSet<ConnectionOverlay> {
        EnumSet::from_bits(self.facts().parts.overlays as u64)
    }

    /// The connection's `isActive` flag: `DEACTIVATED` is not raised.
    #[must_use]
    pub fn is_active(&self) -> bool {
        !self.overlays().contains(ConnectionOverlay::Deactivated)
    }

    /// Whether the parent company is active: `COMPANY_INACTIVE` is not raised.
    #[must_use]
    pub fn is_company_active(&self) -> bool {
        !self.overlays().contains(ConnectionOverlay::CompanyInactive)
    }

    /// Whether a fresh collection cycle has started and its first check has not run yet: set
    /// by [`new`](Self::new) and by lifting an overlay (the spec: "a fresh data collection
    /// cycle begins"), cleared by any check outcome. While set, the connection's next check
    /// is due at once.
    #[must_use]
    #[inline]
    pub const fn is_cycle_pending(&self) -> bool {
        self.facts().parts.cycle_pending
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
    pub const fn with_cycle_pending(self, pending: bool) -> Result<Self, InvalidState> {
        let mut parts = self.facts().parts;
        parts.cycle_pending = pending;
        Self::from_facts(parts)
    }

    /// The rule set this connection follows.
    #[must_use]
    #[inline]
    pub const fn rules(&self) -> Rules {
        self.facts().parts.rules
    }

    /// Applies `event`. See [`Machine::apply`].
    ///
    /// One lookup in the state table computed at compile time: the outcome of `event` in
    /// this connection's state, precomputed for every valid state and event.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Connection, ConnectionEvent as E, ConnectionStatus as S, Rules};
    /// let mut conn = Connection::new(Rules::Operational);
    /// let t = conn.apply(E::ProviderUnavailable)?;
    /// assert_eq!((t.from, t.to), (S::Pending, S::WebsiteDown));
    /// let err = conn.apply(E::CredentialsUpdated).unwrap_err();
    /// assert_eq!(err.from, S::WebsiteDown);
    /// assert!(err.allowed.contains(E::ProviderBackOnline));
    /// # Ok::<(), nectar_lifecycle_core::ConnectionRejected>(())
    /// ```
    ///
    /// # Errors
    /// [`ConnectionRejected`] when the rule set does not allow `event` from the visible
    /// status; the connection is unchanged.
    #[inline]
    pub fn apply(
        &mut self,
        event: ConnectionEvent,
    ) -> Result<Transition<ConnectionStatus, ConnectionEvent>, ConnectionRejected> {
        let facts = self.facts();
        let step = STEPS[self.state as usize][event as usize];
        match step.provenance {
            Some(provenance) => {
                self.state = step.next;
                Ok(Transition {
                    from: facts.status,
                    event,
                    to: step.to,
                    provenance,
                })
            }
            None => Err(TransitionRejected {
                from: facts.status,
                event,
                allowed: facts.allowed,
            }),
        }
    }

    /// Every event the connection accepts now.
    #[must_use]
    #[inline]
    pub const fn allowed_events(&self) -> EnumSet<ConnectionEvent> {
        self.facts().allowed
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
        // The state indices follow the order of the facts, rules first.
        (0..STATE_COUNT)
            .filter_map(|state| u8::try_from(state).ok())
            .map(|state| Self { state })
            .filter(move |c| c.rules() == rules)
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

    /// The state change the state table was computed from ([`advance`]), for the trait;
    /// `apply` reads the table instead (a test checks that the two agree).
    fn enter(
        &mut self,
        event: ConnectionEvent,
        target: Target<ConnectionStatus, ConnectionOverlay>,
        _: sealed::Token,
    ) {
        // The table checks at compile time that every allowed event leads to a valid state.
        if let Ok(next) = Self::from_facts(advance(self.facts().parts, event, target)) {
            *self = next;
        }
    }
}

impl Machine for Connection {
    #[inline]
    fn status(&self) -> ConnectionStatus {
        Connection::status(self)
    }

    fn rule(&self, event: ConnectionEvent) -> Option<ConnectionRule> {
        connection_rule(self.rules(), self.status(), event)
    }

    #[inline]
    fn allowed_events(&self) -> EnumSet<ConnectionEvent> {
        Connection::allowed_events(self)
    }

    /// One lookup in the state table ([`Connection::apply`]).
    #[inline]
    fn apply(&mut self, event: ConnectionEvent) -> Applied<ConnectionStatus, ConnectionEvent> {
        Connection::apply(self, event)
    }
}
