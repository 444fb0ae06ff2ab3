//! Observations: what an integrator sees of Nectar's machines, kept apart from the machines.
//!
//! A webhook body or a polled `GET /connection/{id}/details` shows a connection's visible
//! `status`, maybe `isActive`, and each account's `status` and `trackingStatus`. While an
//! overlay shows, what it covers is not reported. An [`ObservedConnection`] or
//! [`ObservedAccount`] holds exactly what the observations say, with what they cannot say
//! kept as unknown (`None`), never guessed: the status under an overlay is the one the
//! previous observation knew, or unknown. Both change only through the transition table, like
//! the machines they observe. See [the manual](crate::manual#observations).

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::enumeration::{EnumSet, Enumerated};
use crate::event::{AccountEvent, ConnectionEvent};
use crate::machine::{Account, Connection, InvalidState, Machine, Transition, TransitionRejected};
use crate::overlay::{AccountOverlay, ConnectionOverlay};
use crate::policy::{Collection, Scheduled};
use crate::status::{AccountStatus, ConnectionStatus, TrackingStatus};
use crate::table::{Provenance, Rules};

/// An edge taken by an observed machine: like a [`Transition`], but either end can be
/// unknown (`None`). `to` is unknown when lifting an overlay uncovers a status no
/// observation reported; `from` when the status was unknown already.
///
/// ```
/// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S, ObservedConnection, Rules};
///
/// // A connection first seen deactivated: what it covers is unknown.
/// let mut seen = ObservedConnection::observe(Rules::Operational, S::Deactivated, Some(false), None)?;
/// let t = seen.apply(E::Activate).unwrap();
/// assert_eq!((t.from, t.to), (Some(S::Deactivated), None));
/// assert_eq!(t.to_string(), "DEACTIVATED --Activated (isActive true)--> unknown (system)");
/// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ObservedTransition<S, E> {
    /// The visible status before the event, if known.
    pub from: Option<S>,
    /// The event.
    pub event: E,
    /// The visible status after the event, if known.
    pub to: Option<S>,
    /// Why the edge is allowed.
    pub provenance: Provenance,
}

impl<S, E> From<Transition<S, E>> for ObservedTransition<S, E> {
    fn from(t: Transition<S, E>) -> Self {
        Self {
            from: Some(t.from),
            event: t.event,
            to: Some(t.to),
            provenance: t.provenance,
        }
    }
}

impl<S: PartialEq, E: PartialEq + fmt::Debug> ObservedTransition<S, E> {
    /// What this possible edge and the edge `other` one more machine state took agree on;
    /// `None` if they disagree on the provenance (the edge itself would be unknown).
    fn join(self, other: Transition<S, E>) -> Option<Self> {
        // `apply_all` applies one event to every candidate: the events are the same.
        debug_assert_eq!(self.event, other.event, "one event for every candidate");
        (self.provenance == other.provenance).then(|| Self {
            from: agreed(self.from, Some(other.from)),
            event: self.event,
            to: agreed(self.to, Some(other.to)),
            provenance: self.provenance,
        })
    }
}

impl<S: fmt::Display, E: fmt::Display> fmt::Display for ObservedTransition<S, E> {
    /// `from --event--> to (provenance)`, an unknown end as `unknown`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = |status: &Option<S>, f: &mut fmt::Formatter<'_>| match status {
            Some(status) => write!(f, "{status}"),
            None => f.write_str("unknown"),
        };
        end(&self.from, f)?;
        write!(f, " --{}--> ", self.event)?;
        end(&self.to, f)?;
        write!(f, " ({})", self.provenance)
    }
}

/// Why an observed machine did not take an event: the table rejects it from the visible
/// status, or the visible status is unknown and the table's answer depends on it.
///
/// ```
/// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S, ObservedConnection};
/// use nectar_lifecycle_core::{ObservedRejected, Rules};
///
/// let mut seen = ObservedConnection::observe(Rules::Operational, S::Deactivated, Some(false), None)?;
/// // The table's own rejection: no check runs while deactivated.
/// let Err(ObservedRejected::Rejected(err)) = seen.apply(E::WeeklyCheckPassed) else { panic!() };
/// assert_eq!(err.from, S::Deactivated);
///
/// seen.apply(E::Activate).unwrap(); // uncovers an unknown status
/// let err = seen.apply(E::WeeklyCheckPassed).unwrap_err();
/// assert!(matches!(err, ObservedRejected::StatusUnknown { event: E::WeeklyCheckPassed, .. }));
/// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ObservedRejected<S, E: Enumerated> {
    /// The table does not allow the event from the visible status.
    #[error(transparent)]
    Rejected(#[from] TransitionRejected<S, E>),
    /// The visible status is unknown (a lifted overlay uncovered what no observation
    /// reported), and the event is not one the table allows from every status it could be.
    /// The next observation will tell.
    #[error(
        "\"{event}\" cannot be judged while the status is unknown: the next observation will tell"
    )]
    StatusUnknown {
        /// The event.
        event: E,
        /// The events allowed whatever the status is.
        allowed: EnumSet<E>,
    },
}

/// `Some` of the value both sides know, `None` if either does not know it or they disagree.
fn agreed<T: PartialEq>(a: Option<T>, b: Option<T>) -> Option<T> {
    if a == b { a } else { None }
}

/// What is known of a machine's overlays: those raised for certain, and those that cannot be
/// told (covered by a higher one that shows). The two sets are disjoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Layers<O: Enumerated> {
    raised: EnumSet<O>,
    unknown: EnumSet<O>,
}

impl<O: Enumerated> Layers<O> {
    /// Everything known: exactly `raised`.
    const fn exact(raised: EnumSet<O>) -> Self {
        Self {
            raised,
            unknown: EnumSet::empty(),
        }
    }

    /// Records one layer: raised (`Some(true)`), not raised, or unknown (`None`).
    fn set(&mut self, overlay: O, raised: Option<bool>) {
        self.raised.remove(overlay);
        self.unknown.remove(overlay);
        match raised {
            Some(true) => self.raised.insert(overlay),
            Some(false) => {}
            None => self.unknown.insert(overlay),
        }
    }

    /// Whether `overlay` is raised, if known.
    fn get(&self, overlay: O) -> Option<bool> {
        (!self.unknown.contains(overlay)).then(|| self.raised.contains(overlay))
    }

    /// The visible status: as [`ConnectionOverlay::visible`], the highest layer decides; a
    /// highest layer that cannot be told makes it unknown.
    fn shown<S>(&self, below: Option<S>, status: impl Fn(O) -> S) -> Option<S> {
        // The sets are disjoint (`set` and `join` keep them so), so `|` here is also `^`.
        debug_assert_eq!(
            self.raised.bits() & self.unknown.bits(),
            0,
            "disjoint layers"
        );
        match EnumSet::<O>::from_bits(self.raised.bits() | self.unknown.bits()).last() {
            Some(top) if self.raised.contains(top) => Some(status(top)),
            Some(_) => None,
            None => below,
        }
    }

    /// Whether a machine with `actual` raised is consistent with what is known.
    fn admits(&self, actual: EnumSet<O>) -> bool {
        actual.bits() & !self.unknown.bits() == self.raised.bits()
    }

    /// What this and one more machine state, with `raised` raised, both know: a layer this
    /// knows in the same state as the machine stays known. The other side is a machine
    /// state, known whole (`apply_all` joins the candidates one at a time), so it has no
    /// unknown layer of its own.
    fn join(self, raised: EnumSet<O>) -> Self {
        let agree = !(self.unknown.bits() | (self.raised.bits() ^ raised.bits()));
        Self {
            raised: EnumSet::from_bits(self.raised.bits() & agree),
            unknown: EnumSet::from_bits(!agree),
        }
    }

    /// Whether an overlay known raised in `self` is known not raised in `now`: it was lifted.
    fn lifted_in(&self, now: &Self) -> bool {
        // `now`'s sets are disjoint (`set` keeps them so), so `|` here is also `^`.
        debug_assert_eq!(now.raised.bits() & now.unknown.bits(), 0, "disjoint layers");
        self.raised.bits() & !(now.raised.bits() | now.unknown.bits()) != 0
    }
}

/// An observer's knowledge of a machine, read as the set of machine states consistent with
/// it: an event is applied to each of them through the table, and what the results agree on
/// is the new knowledge. Nothing is decided here that the table does not decide.
trait Knowledge: Copy {
    /// The machine observed.
    type Machine: Machine;
    /// Every machine state consistent with the knowledge.
    fn candidates(self) -> impl Iterator<Item = Self::Machine>;
    /// Everything known about one machine state.
    fn exact(machine: Self::Machine) -> Self;
    /// What this knowledge and one more machine state agree on, if it can be held.
    ///
    /// Only decisive when every candidate takes the event (`apply_all` answers unknown as
    /// soon as one does not), and then it never refuses: the candidates of an observation
    /// that all take an event agree on its provenance and on what an observation must know.
    /// `apply_all` checks that in debug builds; `every_event_an_observation_allows_is_taken`
    /// (tests/lifecycle/observed_knowledge.rs) checks it for every observation a dependent
    /// can build. So a refusal below that could not be reached is no bug.
    fn join(self, machine: Self::Machine) -> Option<Self>;
}

/// The events allowed from every machine state consistent with `knowledge`.
fn allowed_all<K: Knowledge<Machine = M>, M: Machine>(knowledge: K) -> EnumSet<M::Event> {
    let mut candidates = knowledge.candidates();
    let first = candidates.next().map_or(0, |m| m.allowed_events().bits());
    EnumSet::from_bits(candidates.fold(first, |bits, m| bits & m.allowed_events().bits()))
}

/// The edge taken and the knowledge after it, or why the event was not taken.
type Outcome<S, E, K> = Result<(ObservedTransition<S, E>, K), ObservedRejected<S, E>>;

/// Applies `event` to every machine state consistent with `knowledge`: all must accept it
/// (the edge and the new knowledge are what they agree on) or all must reject it from the
/// same visible status.
fn apply_all<K: Knowledge<Machine = M>, M: Machine>(
    knowledge: K,
    event: M::Event,
) -> Outcome<M::Status, M::Event, K> {
    let unknown = || {
        let allowed = allowed_all(knowledge);
        // The candidates that all take an event agree on it (see `Knowledge::join`).
        debug_assert!(!allowed.contains(event), "an allowed event is taken");
        ObservedRejected::StatusUnknown { event, allowed }
    };
    let mut outcome: Option<Result<(ObservedTransition<_, _>, K), TransitionRejected<_, _>>> = None;
    for candidate in knowledge.candidates() {
        let mut next = candidate;
        let result = next.apply(event);
        outcome = Some(match (outcome, result) {
            (None, result) => result.map(|t| (t.into(), K::exact(next))),
            (Some(Ok((t0, k0))), Ok(t)) => match (t0.join(t), k0.join(next)) {
                (Some(t), Some(k)) => Ok((t, k)),
                _ => return Err(unknown()),
            },
            (Some(Err(e0)), Err(e)) if e0 == e => Err(e0),
            _ => return Err(unknown()),
        });
    }
    match outcome {
        Some(Ok(taken)) => Ok(taken),
        Some(Err(rejected)) => Err(ObservedRejected::Rejected(rejected)),
        None => Err(unknown()),
    }
}

/// A connection as its observations show it: the visible status, the overlays known to be
/// raised, and the operational status underneath when known.
///
/// Built by [`observe`](Self::observe) from what the API shows (`status`, `isActive`) and the
/// previous observation, or from a [`Connection`] known exactly. While an overlay shows, the
/// operational status underneath is not reported: it is the one the previous observation
/// knew, else unknown, and [`connection`](Self::connection) gives the full machine only when
/// nothing is unknown. It changes, like the machine, only through the table.
///
/// ```
/// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S, ObservedConnection, Rules};
///
/// let rules = Rules::Operational;
/// let down = ObservedConnection::observe(rules, S::WebsiteDown, None, None)?;
/// let off = ObservedConnection::observe(rules, S::Deactivated, Some(false), Some(&down))?;
/// assert_eq!(off.operational_status(), Some(S::WebsiteDown)); // held from before
///
/// let mut first_seen_off = ObservedConnection::observe(rules, S::Deactivated, None, None)?;
/// assert_eq!(first_seen_off.operational_status(), None); // never guessed
/// assert_eq!(first_seen_off.apply(E::Activate).unwrap().to, None);
/// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ObservedConnectionParts", into = "ObservedConnectionParts")]
pub struct ObservedConnection {
    rules: Rules,
    operational: Option<ConnectionStatus>,
    layers: Layers<ConnectionOverlay>,
    cycle_pending: bool,
}

/// The serialized form of an [`ObservedConnection`]: a [`Connection`]'s, with `null` for
/// what is not known. Checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ObservedConnectionParts {
    rules: Rules,
    operational_status: Option<ConnectionStatus>,
    is_active: Option<bool>,
    company_active: bool,
    cycle_pending: bool,
}

impl TryFrom<ObservedConnectionParts> for ObservedConnection {
    type Error = InvalidState;

    fn try_from(p: ObservedConnectionParts) -> Result<Self, Self::Error> {
        let mut layers = Layers::exact(EnumSet::empty());
        layers.set(
            ConnectionOverlay::Deactivated,
            p.is_active.map(|active| !active),
        );
        layers.set(ConnectionOverlay::CompanyInactive, Some(!p.company_active));
        Self::checked(p.rules, p.operational_status, layers, p.cycle_pending)
    }
}

impl From<ObservedConnection> for ObservedConnectionParts {
    fn from(c: ObservedConnection) -> Self {
        Self {
            rules: c.rules,
            operational_status: c.operational,
            is_active: c.is_active(),
            company_active: !c.layers.raised.contains(ConnectionOverlay::CompanyInactive),
            cycle_pending: c.cycle_pending,
        }
    }
}

/// Everything known: the observation of a machine seen whole.
///
/// ```
/// use nectar_lifecycle_core::{Connection, ConnectionStatus as S, ObservedConnection, Rules};
/// let conn = Connection::showing(Rules::Operational, S::Deactivated);
/// assert_eq!(ObservedConnection::from(conn).connection(), Some(conn));
/// ```
impl From<Connection> for ObservedConnection {
    fn from(c: Connection) -> Self {
        Self {
            rules: c.rules(),
            operational: Some(c.operational_status()),
            layers: Layers::exact(c.overlays()),
            cycle_pending: c.is_cycle_pending(),
        }
    }
}

impl ObservedConnection {
    /// The observation of a connection showing `status`, with `isActive` as the payload
    /// carries it (`None` when missing), given the previous observation `before` (`None` for
    /// the first).
    ///
    /// An operational status is known as shown. `DEACTIVATED` raises the deactivation;
    /// `COMPANY_INACTIVE` raises the company's overlay, over a deactivation when `isActive` is
    /// false (or, when it is missing, as `before` knew it). Under an overlay the operational
    /// status is the one `before` knew, else unknown. The fresh-cycle flag, which the API does
    /// not report, is read as [the manual](crate::manual#observations) says.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionStatus as S, InvalidState, ObservedConnection, Rules};
    ///
    /// let rules = Rules::Operational;
    /// let off = ObservedConnection::observe(rules, S::Deactivated, None, None)?;
    /// let company = ObservedConnection::observe(rules, S::CompanyInactive, None, Some(&off))?;
    /// assert_eq!(company.is_active(), Some(false)); // frozen under the company's overlay
    ///
    /// // The API never shows an operational status with `isActive: false`.
    /// assert_eq!(ObservedConnection::observe(rules, S::Connected, Some(false), None),
    ///            Err(InvalidState::ActiveFlagDisagrees { status: S::Connected, is_active: false }));
    /// # Ok::<(), InvalidState>(())
    /// ```
    ///
    /// # Errors
    /// [`InvalidState::ActiveFlagDisagrees`] when `isActive` is false while an operational
    /// status shows, or true while `DEACTIVATED` shows.
    pub fn observe(
        rules: Rules,
        status: ConnectionStatus,
        is_active: Option<bool>,
        before: Option<&Self>,
    ) -> Result<Self, InvalidState> {
        use ConnectionOverlay as O;
        let shown = ConnectionOverlay::of(status);
        let deactivated = match (shown, is_active) {
            (None, Some(is_active @ false)) | (Some(O::Deactivated), Some(is_active @ true)) => {
                return Err(InvalidState::ActiveFlagDisagrees { status, is_active });
            }
            (_, Some(active)) => Some(!active),
            (None, None) => Some(false),
            (Some(O::Deactivated), None) => Some(true),
            (Some(O::CompanyInactive), None) => before.and_then(|b| b.layers.get(O::Deactivated)),
        };
        let mut layers = Layers::exact(EnumSet::empty());
        layers.set(O::Deactivated, deactivated);
        layers.set(O::CompanyInactive, Some(shown == Some(O::CompanyInactive)));
        let operational = match shown {
            None => Some(status),
            Some(_) => before.and_then(|b| b.operational),
        };
        // A lift seen starts a fresh cycle; a change of the operational status seen ends it.
        let cycle_pending = before.is_some_and(|b| {
            let changed =
                matches!((b.operational, operational), (Some(held), Some(now)) if held != now);
            (b.cycle_pending || b.layers.lifted_in(&layers)) && !changed
        });
        Self::checked(
            rules,
            operational,
            layers,
            cycle_pending || operational == Some(ConnectionStatus::Pending),
        )
    }

    /// The knowledge, checked against the connection's invariants where it is known.
    fn checked(
        rules: Rules,
        operational: Option<ConnectionStatus>,
        layers: Layers<ConnectionOverlay>,
        cycle_pending: bool,
    ) -> Result<Self, InvalidState> {
        if let Some(operational) = operational {
            Connection::from_parts(rules, operational, layers.raised)?
                .with_cycle_pending(cycle_pending)?;
        }
        Ok(Self {
            rules,
            operational,
            layers,
            cycle_pending,
        })
    }

    /// The rule set the connection is judged by.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionStatus as S, ObservedConnection, Rules};
    /// let seen = ObservedConnection::observe(Rules::Documented, S::Pending, None, None)?;
    /// assert_eq!(seen.rules(), Rules::Documented);
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub const fn rules(&self) -> Rules {
        self.rules
    }

    /// The status the API shows; `None` only after [`apply`](Self::apply) lifted an overlay
    /// over a status no observation reported, until the next observation.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S, ObservedConnection, Rules};
    /// let mut seen = ObservedConnection::observe(Rules::Operational, S::Deactivated, None, None)?;
    /// assert_eq!(seen.status(), Some(S::Deactivated));
    /// seen.apply(E::Activate).unwrap();
    /// assert_eq!(seen.status(), None);
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn status(&self) -> Option<ConnectionStatus> {
        self.layers
            .shown(self.operational, ConnectionOverlay::status)
    }

    /// The operational status under the overlays, if known.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionStatus as S, ObservedConnection, Rules};
    /// let seen = ObservedConnection::observe(Rules::Operational, S::CompanyInactive, None, None)?;
    /// assert_eq!(seen.operational_status(), None);
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub const fn operational_status(&self) -> Option<ConnectionStatus> {
        self.operational
    }

    /// The overlays known to be raised.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionOverlay as O, ConnectionStatus as S, EnumSet, ObservedConnection, Rules};
    /// let seen = ObservedConnection::observe(Rules::Operational, S::CompanyInactive, Some(false), None)?;
    /// assert_eq!(seen.overlays(), EnumSet::from([O::Deactivated, O::CompanyInactive]));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub const fn overlays(&self) -> EnumSet<ConnectionOverlay> {
        self.layers.raised
    }

    /// The connection's `isActive` flag, if known: unknown only while `COMPANY_INACTIVE`
    /// covers it and no observation reported it (or after the company was reactivated over
    /// it, until the next observation).
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionStatus as S, ObservedConnection, Rules};
    /// let rules = Rules::Operational;
    /// assert_eq!(ObservedConnection::observe(rules, S::CompanyInactive, None, None)?.is_active(), None);
    /// assert_eq!(ObservedConnection::observe(rules, S::Connected, None, None)?.is_active(), Some(true));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn is_active(&self) -> Option<bool> {
        self.layers
            .get(ConnectionOverlay::Deactivated)
            .map(|deactivated| !deactivated)
    }

    /// Whether a fresh collection cycle is pending, as far as the observations show (see
    /// [`Connection::is_cycle_pending`] and [the manual](crate::manual#observations)).
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionStatus as S, ObservedConnection, Rules};
    /// let rules = Rules::Operational;
    /// let off = ObservedConnection::observe(rules, S::Deactivated, None, None)?;
    /// assert!(ObservedConnection::observe(rules, S::Connected, None, Some(&off))?.is_cycle_pending());
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub const fn is_cycle_pending(&self) -> bool {
        self.cycle_pending
    }

    /// The full machine, when nothing about it is unknown.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionStatus as S, ObservedConnection, Rules};
    /// let rules = Rules::Operational;
    /// let down = ObservedConnection::observe(rules, S::WebsiteDown, None, None)?;
    /// assert_eq!(down.connection().map(|c| c.status()), Some(S::WebsiteDown));
    /// assert_eq!(ObservedConnection::observe(rules, S::Deactivated, None, None)?.connection(), None);
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn connection(&self) -> Option<Connection> {
        if !self.layers.unknown.is_empty() {
            return None;
        }
        Connection::from_parts(self.rules, self.operational?, self.layers.raised)
            .and_then(|c| c.with_cycle_pending(self.cycle_pending))
            .ok()
    }

    /// What happens to collection: the machine's [`Scheduled::collection`] when it is known,
    /// else the answer of the visible status alone (an overlay stops collection until it is
    /// lifted); `None` while the visible status is unknown.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S, ObservedConnection, Rules};
    /// use nectar_lifecycle_core::policy::Collection;
    /// let seen = ObservedConnection::observe(Rules::Operational, S::Deactivated, None, None)?;
    /// assert_eq!(seen.collection(),
    ///            Some(Collection::StoppedBySystem { status: S::Deactivated, resume: E::Activate }));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn collection(&self) -> Option<Collection<ConnectionStatus, ConnectionEvent>> {
        match self.connection() {
            Some(connection) => Some(connection.collection()),
            // The connection policy reads only the visible status of an overlay.
            None => self
                .status()
                .map(|status| Connection::showing(self.rules, status).collection()),
        }
    }

    /// The events the table allows whatever is unknown.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S, EnumSet, ObservedConnection, Rules};
    /// let seen = ObservedConnection::observe(Rules::Operational, S::Deactivated, None, None)?;
    /// assert_eq!(seen.allowed_events(), EnumSet::from([E::Activate, E::CompanyDeactivated]));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn allowed_events(&self) -> EnumSet<ConnectionEvent> {
        allowed_all(*self)
    }

    /// Applies `event` through the table. Lifting an overlay restores the operational status
    /// when it is known, and leaves the visible status unknown (`to` is `None`) until the
    /// next observation when it is not.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S, ObservedConnection, Rules};
    /// let rules = Rules::Operational;
    /// let down = ObservedConnection::observe(rules, S::WebsiteDown, None, None)?;
    /// let mut off = ObservedConnection::observe(rules, S::Deactivated, Some(false), Some(&down))?;
    /// assert_eq!(off.apply(E::Activate).unwrap().to, Some(S::WebsiteDown));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    ///
    /// # Errors
    /// [`ObservedRejected::Rejected`], the table's [`ConnectionRejected`](crate::ConnectionRejected),
    /// when the event is not allowed from the visible status;
    /// [`ObservedRejected::StatusUnknown`] when the visible status is unknown and the answer
    /// depends on it. The observation is unchanged.
    pub fn apply(
        &mut self,
        event: ConnectionEvent,
    ) -> Result<
        ObservedTransition<ConnectionStatus, ConnectionEvent>,
        ObservedRejected<ConnectionStatus, ConnectionEvent>,
    > {
        let (transition, after) = apply_all(*self, event)?;
        *self = after;
        Ok(transition)
    }

    /// Whether `connection` is consistent with what is known.
    fn admits(&self, c: &Connection) -> bool {
        self.operational
            .is_none_or(|operational| operational == c.operational_status())
            && self.layers.admits(c.overlays())
            // A `PENDING` connection's fresh cycle is always pending.
            && c.is_cycle_pending()
                == (self.cycle_pending || c.operational_status() == ConnectionStatus::Pending)
    }
}

impl Knowledge for ObservedConnection {
    type Machine = Connection;

    fn candidates(self) -> impl Iterator<Item = Connection> {
        Connection::all_states(self.rules).filter(move |c| self.admits(c))
    }

    fn exact(machine: Connection) -> Self {
        Self::from(machine)
    }

    fn join(self, machine: Connection) -> Option<Self> {
        use ConnectionStatus::Pending;
        // The candidates are states of the observation's rule set.
        debug_assert_eq!(self.rules, machine.rules(), "candidates share the rule set");
        let cycle_pending = match (self.operational, machine.operational_status()) {
            // `PENDING` forces the flag; the other side says what it is otherwise.
            (Some(Pending), _) => machine.is_cycle_pending(),
            // Never reached today: candidates come in state order, `PENDING` first, and an
            // event all take leaves all or none `PENDING`, so the machine side is `PENDING`
            // only when this side is. Kept so that the order is no part of the meaning.
            (_, Pending) => self.cycle_pending,
            _ if self.cycle_pending == machine.is_cycle_pending() => self.cycle_pending,
            _ => return None,
        };
        let layers = self.layers.join(machine.overlays());
        // Only the deactivation can be unknown: the company's overlay always shows.
        let holdable = layers.get(ConnectionOverlay::CompanyInactive).is_some();
        (self.rules == machine.rules() && holdable).then_some(Self {
            rules: self.rules,
            operational: agreed(self.operational, Some(machine.operational_status())),
            layers,
            cycle_pending,
        })
    }
}

/// An account as its observations show it: the visible status, the `trackingStatus` (always
/// reported), the overlays known to be raised, and the account's own status when known.
///
/// Under `WORKFLOW_NOT_ACCESSIBLE`, `CUSTOMER_NOT_TRACKED` or `COMPANY_INACTIVE` the own
/// status is not reported: it is the one the previous observation knew (followed through a
/// tracking change it shows), else unknown. `CUSTOMER_NOT_TRACKED` is raised exactly when
/// tracking is `DISABLED`, so that overlay is always known.
///
/// ```
/// use nectar_lifecycle_core::{AccountStatus as S, ObservedAccount, TrackingStatus as T};
///
/// let pulled = ObservedAccount::observe(S::PullCompleted, T::Enabled, None)?;
/// let blocked = ObservedAccount::observe(S::WorkflowNotAccessible, T::Enabled, Some(&pulled))?;
/// assert_eq!(blocked.own_status(), Some(S::PullCompleted));
/// assert_eq!(ObservedAccount::observe(S::WorkflowNotAccessible, T::Enabled, None)?.own_status(), None);
/// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ObservedAccountParts", into = "ObservedAccountParts")]
pub struct ObservedAccount {
    own: Option<AccountStatus>,
    tracking: TrackingStatus,
    layers: Layers<AccountOverlay>,
}

/// The serialized form of an [`ObservedAccount`]: an [`Account`]'s, with `null` for what is
/// not known. Checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ObservedAccountParts {
    own_status: Option<AccountStatus>,
    tracking_status: TrackingStatus,
    parent_blocked: Option<bool>,
    company_active: bool,
}

impl TryFrom<ObservedAccountParts> for ObservedAccount {
    type Error = InvalidState;

    fn try_from(p: ObservedAccountParts) -> Result<Self, Self::Error> {
        Self::checked(
            p.own_status,
            p.tracking_status,
            p.parent_blocked,
            !p.company_active,
        )
    }
}

impl From<ObservedAccount> for ObservedAccountParts {
    fn from(a: ObservedAccount) -> Self {
        Self {
            own_status: a.own,
            tracking_status: a.tracking,
            parent_blocked: a.is_parent_blocked(),
            company_active: !a.layers.raised.contains(AccountOverlay::CompanyInactive),
        }
    }
}

/// Everything known: the observation of an account seen whole.
///
/// ```
/// use nectar_lifecycle_core::{Account, AccountStatus as S, ObservedAccount};
/// let account = Account::showing(S::CompanyInactive);
/// assert_eq!(ObservedAccount::from(account).account(), Some(account));
/// ```
impl From<Account> for ObservedAccount {
    fn from(a: Account) -> Self {
        Self {
            own: Some(a.own_status()),
            tracking: a.tracking(),
            layers: Layers::exact(a.overlays()),
        }
    }
}

impl ObservedAccount {
    /// The observation of an account showing `status` with `tracking`, given the previous
    /// observation `before` (`None` for the first).
    ///
    /// An own status is known as shown. Under an overlay the own status, and whether the
    /// parent connection blocks the account, are what `before` knew, followed through the
    /// tracking change this observation shows (confirming onboards a `DETECTED` account);
    /// else unknown.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountStatus as S, InvalidState, ObservedAccount, TrackingStatus as T};
    ///
    /// let detected = ObservedAccount::observe(S::Detected, T::Unset, None)?;
    /// let untracked = ObservedAccount::observe(S::CustomerNotTracked, T::Disabled, Some(&detected))?;
    /// assert_eq!(untracked.own_status(), Some(S::Detected));
    ///
    /// // CUSTOMER_NOT_TRACKED shows exactly when tracking is DISABLED.
    /// assert_eq!(ObservedAccount::observe(S::CustomerNotTracked, T::Enabled, None),
    ///            Err(InvalidState::TrackingDisagrees { tracking: T::Enabled }));
    /// # Ok::<(), InvalidState>(())
    /// ```
    ///
    /// # Errors
    /// [`InvalidState::TrackingDisagrees`] when `CUSTOMER_NOT_TRACKED` shows without
    /// `DISABLED` tracking, or `DISABLED` tracking shows anything but `CUSTOMER_NOT_TRACKED` or
    /// `COMPANY_INACTIVE`; [`InvalidState::EnabledButDetected`] and
    /// [`InvalidState::OnboardedButUnset`] as for [`Account::from_parts`].
    pub fn observe(
        status: AccountStatus,
        tracking: TrackingStatus,
        before: Option<&Self>,
    ) -> Result<Self, InvalidState> {
        use AccountOverlay as O;
        let shown = AccountOverlay::of(status);
        if shown != Some(O::CompanyInactive)
            && (shown == Some(O::CustomerNotTracked)) == tracking.is_tracked()
        {
            return Err(InvalidState::TrackingDisagrees { tracking });
        }
        let (held_own, held_blocked) = before.map_or((None, None), |b| b.following(tracking));
        let (own, parent_blocked) = match shown {
            None => (Some(status), Some(false)),
            Some(O::WorkflowNotAccessible) => (held_own, Some(true)),
            Some(O::CustomerNotTracked | O::CompanyInactive) => (held_own, held_blocked),
        };
        Self::checked(
            own,
            tracking,
            parent_blocked,
            shown == Some(O::CompanyInactive),
        )
    }

    /// What this observation knows of the own status and the parent's block after the
    /// tracking changes to `tracking` (the integrator's confirmation or rejection, through
    /// the table); unknown if the table cannot take it.
    fn following(&self, tracking: TrackingStatus) -> (Option<AccountStatus>, Option<bool>) {
        let mut after = *self;
        if tracking != self.tracking {
            let event = match tracking {
                TrackingStatus::Enabled => AccountEvent::Confirmed,
                TrackingStatus::Disabled => AccountEvent::Rejected,
                TrackingStatus::Unset => return (None, None),
            };
            if after.apply(event).is_err() {
                return (None, None);
            }
        }
        (after.own, after.is_parent_blocked())
    }

    /// The knowledge, checked against the account's invariants where it is known.
    fn checked(
        own: Option<AccountStatus>,
        tracking: TrackingStatus,
        parent_blocked: Option<bool>,
        company_inactive: bool,
    ) -> Result<Self, InvalidState> {
        let mut layers = Layers::exact(EnumSet::empty());
        layers.set(AccountOverlay::WorkflowNotAccessible, parent_blocked);
        layers.set(
            AccountOverlay::CustomerNotTracked,
            Some(!tracking.is_tracked()),
        );
        layers.set(AccountOverlay::CompanyInactive, Some(company_inactive));
        if let Some(own) = own {
            Account::from_parts(own, tracking, layers.raised)?;
        }
        Ok(Self {
            own,
            tracking,
            layers,
        })
    }

    /// The status the API shows; `None` only after [`apply`](Self::apply) lifted an overlay
    /// over a status no observation reported, until the next observation.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountEvent as E, AccountStatus as S, ObservedAccount, TrackingStatus as T};
    /// let mut seen = ObservedAccount::observe(S::WorkflowNotAccessible, T::Enabled, None)?;
    /// assert_eq!(seen.status(), Some(S::WorkflowNotAccessible));
    /// seen.apply(E::ParentRecovered).unwrap();
    /// assert_eq!(seen.status(), None);
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn status(&self) -> Option<AccountStatus> {
        self.layers.shown(self.own, AccountOverlay::status)
    }

    /// The account's own status under the overlays, if known.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountStatus as S, ObservedAccount, TrackingStatus as T};
    /// let seen = ObservedAccount::observe(S::OldAccount, T::Enabled, None)?;
    /// assert_eq!(seen.own_status(), Some(S::OldAccount));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub const fn own_status(&self) -> Option<AccountStatus> {
        self.own
    }

    /// The account's `trackingStatus`, always reported.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountStatus as S, ObservedAccount, TrackingStatus as T};
    /// let seen = ObservedAccount::observe(S::CompanyInactive, T::Disabled, None)?;
    /// assert_eq!(seen.tracking(), T::Disabled);
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub const fn tracking(&self) -> TrackingStatus {
        self.tracking
    }

    /// The overlays known to be raised.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountOverlay as O, AccountStatus as S, EnumSet, ObservedAccount, TrackingStatus as T};
    /// let seen = ObservedAccount::observe(S::CompanyInactive, T::Disabled, None)?;
    /// assert_eq!(seen.overlays(), EnumSet::from([O::CustomerNotTracked, O::CompanyInactive]));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub const fn overlays(&self) -> EnumSet<AccountOverlay> {
        self.layers.raised
    }

    /// Whether the account reads its parent connection as blocked (`WORKFLOW_NOT_ACCESSIBLE`
    /// raised), if known: unknown while a higher overlay covers it and no observation told.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountStatus as S, ObservedAccount, TrackingStatus as T};
    /// assert_eq!(ObservedAccount::observe(S::CompanyInactive, T::Enabled, None)?.is_parent_blocked(), None);
    /// assert_eq!(ObservedAccount::observe(S::Onboarded, T::Enabled, None)?.is_parent_blocked(), Some(false));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn is_parent_blocked(&self) -> Option<bool> {
        self.layers.get(AccountOverlay::WorkflowNotAccessible)
    }

    /// The full machine, when nothing about it is unknown.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountStatus as S, ObservedAccount, TrackingStatus as T};
    /// let seen = ObservedAccount::observe(S::Detected, T::Unset, None)?;
    /// assert_eq!(seen.account().map(|a| a.status()), Some(S::Detected));
    /// assert_eq!(ObservedAccount::observe(S::CompanyInactive, T::Unset, None)?.account(), None);
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn account(&self) -> Option<Account> {
        if !self.layers.unknown.is_empty() {
            return None;
        }
        Account::from_parts(self.own?, self.tracking, self.layers.raised).ok()
    }

    /// What happens to collection: the machine's [`Scheduled::collection`] when it is known,
    /// else the answer of the visible status alone; `None` while the visible status is
    /// unknown.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountEvent as E, AccountStatus as S, ObservedAccount, TrackingStatus as T};
    /// use nectar_lifecycle_core::policy::Collection;
    /// let seen = ObservedAccount::observe(S::CustomerNotTracked, T::Disabled, None)?;
    /// assert_eq!(seen.collection(),
    ///            Some(Collection::Terminal { status: S::CustomerNotTracked, resume: Some(E::Confirmed) }));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn collection(&self) -> Option<Collection<AccountStatus, AccountEvent>> {
        match self.account() {
            Some(account) => Some(account.collection()),
            // The account policy reads only the visible status.
            None => self
                .status()
                .map(|status| Account::showing(status).collection()),
        }
    }

    /// The events the table allows whatever is unknown.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountEvent as E, AccountStatus as S, ObservedAccount, TrackingStatus as T};
    /// let seen = ObservedAccount::observe(S::CompanyInactive, T::Enabled, None)?;
    /// assert_eq!(seen.allowed_events().iter().collect::<Vec<_>>(), [E::CompanyReactivated]);
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    #[must_use]
    pub fn allowed_events(&self) -> EnumSet<AccountEvent> {
        allowed_all(*self)
    }

    /// Applies `event` through the table. Lifting an overlay restores what it covered when
    /// that is known, and leaves the visible status unknown (`to` is `None`) until the next
    /// observation when it is not.
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountEvent as E, AccountStatus as S, ObservedAccount, TrackingStatus as T};
    /// let pulled = ObservedAccount::observe(S::PullCompleted, T::Enabled, None)?;
    /// let mut off = ObservedAccount::observe(S::CompanyInactive, T::Enabled, Some(&pulled))?;
    /// assert_eq!(off.apply(E::CompanyReactivated).unwrap().to, Some(S::PullCompleted));
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    ///
    /// # Errors
    /// [`ObservedRejected::Rejected`], the table's [`AccountRejected`](crate::AccountRejected),
    /// when the event is not allowed from the visible status;
    /// [`ObservedRejected::StatusUnknown`] when the visible status is unknown and the answer
    /// depends on it. The observation is unchanged.
    pub fn apply(
        &mut self,
        event: AccountEvent,
    ) -> Result<
        ObservedTransition<AccountStatus, AccountEvent>,
        ObservedRejected<AccountStatus, AccountEvent>,
    > {
        let (transition, after) = apply_all(*self, event)?;
        *self = after;
        Ok(transition)
    }
}

impl Knowledge for ObservedAccount {
    type Machine = Account;

    fn candidates(self) -> impl Iterator<Item = Account> {
        Account::all_states().filter(move |a| {
            self.own.is_none_or(|own| own == a.own_status())
                && self.tracking == a.tracking()
                && self.layers.admits(a.overlays())
        })
    }

    fn exact(machine: Account) -> Self {
        Self::from(machine)
    }

    fn join(self, machine: Account) -> Option<Self> {
        let layers = self.layers.join(machine.overlays());
        // Only the parent's block can be unknown: tracking and the company always show.
        let holdable = layers.get(AccountOverlay::CustomerNotTracked).is_some()
            && layers.get(AccountOverlay::CompanyInactive).is_some();
        (self.tracking == machine.tracking() && holdable).then_some(Self {
            own: agreed(self.own, Some(machine.own_status())),
            tracking: self.tracking,
            layers,
        })
    }
}
