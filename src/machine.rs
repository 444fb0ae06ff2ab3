//! The two machines: a [`Connection`] and one of its [`Account`]s.
//!
//! Both are plain `Copy` data: no allocation, no interior mutability, `Send + Sync`, and
//! serde-serializable so a caller can persist one and resume it. Deserialization checks the
//! machine's invariants, so a stored machine can never resume in an impossible state.

use serde::{Deserialize, Serialize};

use crate::error::{InvalidState, TransitionRejected};
use crate::event::{AccountEvent, ConnectionEvent, ConnectionOverlay, EventOrigin, EventSet};
use crate::status::{AccountStatus, ConnectionStatus, Enumerated, TrackingStatus};
use crate::table::{Rule, Rules, Target, Transition, account_rule, connection_rule, edges_of};

/// The result of applying an event: the edge taken, or why it was rejected.
pub type Applied<S, E> = Result<Transition<S, E>, TransitionRejected<S, E>>;

/// What every lifecycle machine offers; generic code (renderers, the model checker) is
/// written against it.
///
/// The inherent methods of [`Connection`] and [`Account`] are the same functions, so most
/// callers never import this trait.
pub trait Machine: Copy + Eq + core::fmt::Debug {
    /// The visible status type.
    type Status: Enumerated + core::fmt::Display;
    /// The event type.
    type Event: Enumerated + core::fmt::Display;

    /// The status the API shows for this machine.
    fn status(&self) -> Self::Status;

    /// The table's answer for `event` in this machine's state.
    fn rule(&self, event: Self::Event) -> Option<Rule<Self::Status>>;

    /// Carries out an event the table allowed, with `target` its rule's target.
    ///
    /// Only called by [`apply`](Self::apply) after the table accepted the event.
    fn enter(&mut self, event: Self::Event, target: Target<Self::Status>);

    /// Applies `event`: on success the edge taken; on rejection a typed error naming the edge
    /// and what was allowed, with the machine left unchanged.
    ///
    /// # Errors
    /// [`TransitionRejected`] when the table does not allow `event` from the visible status.
    fn apply(&mut self, event: Self::Event) -> Applied<Self::Status, Self::Event> {
        let from = self.status();
        match self.rule(event) {
            Some(rule) => {
                self.enter(event, rule.target);
                Ok(Transition {
                    from,
                    event,
                    to: self.status(),
                    provenance: rule.provenance,
                })
            }
            None => Err(TransitionRejected {
                from,
                event,
                allowed: self.allowed_events(),
            }),
        }
    }

    /// Every event the machine accepts in its current state (a table lookup).
    fn allowed_events(&self) -> EventSet<Self::Event>;
}

/// A connection: its operational status, its `isActive` flag and its company's state.
///
/// The visible [`status`](Self::status) is derived, with `COMPANY_INACTIVE` shown over
/// `DEACTIVATED`, shown over the operational status. The overlays keep the operational
/// status underneath, so activation restores exactly what was there (as the spec says), and
/// reactivating the company restores `DEACTIVATED` if the connection was deactivated before.
/// While an overlay shows, no check, user or Nectar event is accepted.
///
/// ```
/// use nectar_lifecycle::{Connection, ConnectionEvent as E, ConnectionStatus as S, Rules};
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
/// # Ok::<(), nectar_lifecycle::ConnectionRejected>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "ConnectionParts", into = "ConnectionParts")]
pub struct Connection {
    rules: Rules,
    operational: ConnectionStatus,
    active: bool,
    company_active: bool,
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
    /// Absent in data written before the field existed: no fresh cycle pending.
    #[serde(default)]
    cycle_pending: bool,
}

impl TryFrom<ConnectionParts> for Connection {
    type Error = InvalidState;

    fn try_from(p: ConnectionParts) -> Result<Self, Self::Error> {
        Self::from_parts(p.rules, p.operational_status, p.is_active, p.company_active)
            .map(|c| c.with_cycle_pending(p.cycle_pending))
    }
}

impl From<Connection> for ConnectionParts {
    fn from(c: Connection) -> Self {
        Self {
            rules: c.rules,
            operational_status: c.operational,
            is_active: c.active,
            company_active: c.company_active,
            cycle_pending: c.cycle_pending,
        }
    }
}

/// A rejected connection event.
pub type ConnectionRejected = TransitionRejected<ConnectionStatus, ConnectionEvent>;
/// A rejected account event.
pub type AccountRejected = TransitionRejected<AccountStatus, AccountEvent>;

impl Connection {
    /// A new connection: `[*] --> PENDING: Connection created`, active, in an active company,
    /// with its first collection cycle pending (its first check is due at once).
    #[must_use]
    pub const fn new(rules: Rules) -> Self {
        Self {
            rules,
            operational: ConnectionStatus::Pending,
            active: true,
            company_active: true,
            cycle_pending: true,
        }
    }

    /// Rebuilds a connection from its parts, for example from a polled
    /// `GET /connection/{id}/details` (its `isActive` and last operational status). No fresh
    /// collection cycle is pending unless the status is `PENDING`; see
    /// [`with_cycle_pending`](Self::with_cycle_pending).
    ///
    /// # Errors
    /// [`InvalidState::ConnectionOverlay`] when `operational` is `DEACTIVATED` or
    /// `COMPANY_INACTIVE`: those are derived from the flags, never held.
    pub const fn from_parts(
        rules: Rules,
        operational: ConnectionStatus,
        active: bool,
        company_active: bool,
    ) -> Result<Self, InvalidState> {
        if operational.is_operational() {
            Ok(Self {
                rules,
                operational,
                active,
                company_active,
                cycle_pending: matches!(operational, ConnectionStatus::Pending),
            })
        } else {
            Err(InvalidState::ConnectionOverlay(operational))
        }
    }

    /// A representative connection showing `status`: an operational status as itself (active,
    /// in an active company, a fresh cycle pending only for `PENDING`), `DEACTIVATED` as a
    /// deactivated `CONNECTED` connection, `COMPANY_INACTIVE` as an active `CONNECTED`
    /// connection of an inactive company. For documentation, tests and benches.
    ///
    /// ```
    /// use nectar_lifecycle::{Connection, ConnectionStatus as S, Rules};
    /// let conn = Connection::showing(Rules::Operational, S::Deactivated);
    /// assert_eq!((conn.status(), conn.operational_status()), (S::Deactivated, S::Connected));
    /// ```
    #[must_use]
    pub const fn showing(rules: Rules, status: ConnectionStatus) -> Self {
        let (operational, active, company_active) = match status.overlay_level() {
            0 => (status, true, true),
            1 => (ConnectionStatus::Connected, false, true),
            _ => (ConnectionStatus::Connected, true, false),
        };
        Self {
            rules,
            operational,
            active,
            company_active,
            cycle_pending: matches!(operational, ConnectionStatus::Pending),
        }
    }

    /// The status the API shows: `COMPANY_INACTIVE` if the company is inactive, else
    /// `DEACTIVATED` if `isActive` is false, else the operational status.
    #[must_use]
    pub const fn status(&self) -> ConnectionStatus {
        if !self.company_active {
            ConnectionStatus::CompanyInactive
        } else if !self.active {
            ConnectionStatus::Deactivated
        } else {
            self.operational
        }
    }

    /// The operational status held underneath the overlays (never an overlay itself).
    #[must_use]
    pub const fn operational_status(&self) -> ConnectionStatus {
        self.operational
    }

    /// The connection's `isActive` flag.
    #[must_use]
    pub const fn is_active(&self) -> bool {
        self.active
    }

    /// Whether the parent company is active.
    #[must_use]
    pub const fn is_company_active(&self) -> bool {
        self.company_active
    }

    /// Whether a fresh collection cycle has started and its first check has not run yet: set
    /// by [`new`](Self::new) and by activation (the spec: "a fresh data collection cycle
    /// begins") or company reactivation, cleared by any check outcome. While set, the
    /// connection's next check is due at once.
    #[must_use]
    pub const fn is_cycle_pending(&self) -> bool {
        self.cycle_pending
    }

    /// The same connection with the fresh-cycle flag set to `pending`, for rebuilding one
    /// from stored data.
    #[must_use]
    pub const fn with_cycle_pending(mut self, pending: bool) -> Self {
        self.cycle_pending = pending;
        self
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
    pub fn allowed_events(&self) -> EventSet<ConnectionEvent> {
        Machine::allowed_events(self)
    }

    /// Every valid connection state under `rules`: each operational status with each
    /// combination of the three flags. Deterministic order.
    pub fn all_states(rules: Rules) -> impl Iterator<Item = Self> + Clone {
        ConnectionStatus::ALL.iter().flat_map(move |&operational| {
            (0..8u8).filter_map(move |flags| {
                Self::from_parts(rules, operational, flags & 1 == 0, flags & 2 == 0)
                    .ok()
                    .map(|c| c.with_cycle_pending(flags & 4 != 0))
            })
        })
    }

    /// Every edge `rules` allow between visible statuses, with its provenance, sorted by
    /// (from, event, to). `Restore` edges appear once per status they can restore.
    ///
    /// ```
    /// use nectar_lifecycle::{Connection, Provenance, Rules};
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

impl Machine for Connection {
    type Status = ConnectionStatus;
    type Event = ConnectionEvent;

    fn status(&self) -> ConnectionStatus {
        Connection::status(self)
    }

    fn rule(&self, event: ConnectionEvent) -> Option<Rule<ConnectionStatus>> {
        connection_rule(self.rules, self.status(), event)
    }

    fn allowed_events(&self) -> EventSet<ConnectionEvent> {
        crate::table::connection_allowed(self.rules, self.status())
    }

    fn enter(&mut self, event: ConnectionEvent, target: Target<ConnectionStatus>) {
        match (event.overlay(), target) {
            (Some((ConnectionOverlay::Deactivated, raise)), _) => self.active = !raise,
            (Some((ConnectionOverlay::CompanyInactive, raise)), _) => self.company_active = !raise,
            (None, Target::Status(to)) => self.operational = to,
            // The table restores only for overlay events, handled above.
            (None, Target::Restore) => {}
        }
        match event.origin() {
            // A check ran: the cycle's first check is done.
            EventOrigin::Check => self.cycle_pending = false,
            // Lifting an overlay resumes collection with a fresh cycle.
            EventOrigin::Integrator | EventOrigin::Company => {
                if matches!(target, Target::Restore) {
                    self.cycle_pending = true;
                }
            }
            EventOrigin::EndUser | EventOrigin::NectarTeam | EventOrigin::ParentConnection => {}
        }
    }
}

/// One utility account: its own status, its `trackingStatus`, and what it knows of its
/// parent connection and company.
///
/// The visible status is derived with this precedence: `COMPANY_INACTIVE`, then
/// `CUSTOMER_NOT_TRACKED` (tracking `DISABLED`), then `WORKFLOW_NOT_ACCESSIBLE` (the parent
/// connection is in a credential error), then the account's own status. `OLD_ACCOUNT` and
/// `DUPLICATE` are absorbing: no pull moves them, only the overlays cover them.
///
/// An overlay event is accepted only when it changes the visible status (see
/// [the table](crate::table)), so a parent change that happens while a higher overlay shows
/// is not recorded; after lifting the higher overlay, apply the parent's current state again
/// (the system model does this after every step).
///
/// ```
/// use nectar_lifecycle::{Account, AccountEvent as E, AccountStatus as S, TrackingStatus};
///
/// let mut account = Account::new();
/// account.apply(E::Confirmed)?;
/// account.apply(E::PullCompleted)?;
/// account.apply(E::Rejected)?;
/// assert_eq!(account.status(), S::CustomerNotTracked);
/// assert_eq!(account.tracking(), TrackingStatus::Disabled);
/// account.apply(E::Confirmed)?; // re-enabling tracking leaves CUSTOMER_NOT_TRACKED
/// assert_eq!(account.status(), S::PullCompleted);
/// # Ok::<(), nectar_lifecycle::AccountRejected>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "AccountParts", into = "AccountParts")]
pub struct Account {
    own: AccountStatus,
    tracking: TrackingStatus,
    parent_blocked: bool,
    company_active: bool,
}

/// The serialized form of an [`Account`], checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountParts {
    own_status: AccountStatus,
    tracking_status: TrackingStatus,
    parent_blocked: bool,
    company_active: bool,
}

impl TryFrom<AccountParts> for Account {
    type Error = InvalidState;

    fn try_from(p: AccountParts) -> Result<Self, Self::Error> {
        Self::from_parts(
            p.own_status,
            p.tracking_status,
            p.parent_blocked,
            p.company_active,
        )
    }
}

impl From<Account> for AccountParts {
    fn from(a: Account) -> Self {
        Self {
            own_status: a.own,
            tracking_status: a.tracking,
            parent_blocked: a.parent_blocked,
            company_active: a.company_active,
        }
    }
}

impl Default for Account {
    fn default() -> Self {
        Self::new()
    }
}

impl Account {
    /// A newly discovered account: `DETECTED`, tracking `UNSET`, parent accessible, company
    /// active.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            own: AccountStatus::Detected,
            tracking: TrackingStatus::Unset,
            parent_blocked: false,
            company_active: true,
        }
    }

    /// Rebuilds an account from its parts.
    ///
    /// # Errors
    /// [`InvalidState::AccountOverlay`] when `own` is an overlay status, and
    /// [`InvalidState::EnabledButDetected`] for `DETECTED` with tracking `ENABLED` (confirming
    /// tracking onboards the account).
    pub const fn from_parts(
        own: AccountStatus,
        tracking: TrackingStatus,
        parent_blocked: bool,
        company_active: bool,
    ) -> Result<Self, InvalidState> {
        if !own.is_own() {
            return Err(InvalidState::AccountOverlay(own));
        }
        if matches!(own, AccountStatus::Detected) && matches!(tracking, TrackingStatus::Enabled) {
            return Err(InvalidState::EnabledButDetected);
        }
        Ok(Self {
            own,
            tracking,
            parent_blocked,
            company_active,
        })
    }

    /// A representative account showing `status`: an own status as itself (tracking `UNSET`),
    /// each overlay over an `ONBOARDED` account with tracking `ENABLED` (`DISABLED` for
    /// `CUSTOMER_NOT_TRACKED`). For documentation, tests and benches.
    ///
    /// ```
    /// use nectar_lifecycle::{Account, AccountStatus as S};
    /// assert_eq!(Account::showing(S::WorkflowNotAccessible).status(), S::WorkflowNotAccessible);
    /// ```
    #[must_use]
    pub const fn showing(status: AccountStatus) -> Self {
        let (own, tracking, parent_blocked, company_active) = match status.overlay_level() {
            0 => (status, TrackingStatus::Unset, false, true),
            1 => (
                AccountStatus::Onboarded,
                TrackingStatus::Enabled,
                true,
                true,
            ),
            2 => (
                AccountStatus::Onboarded,
                TrackingStatus::Disabled,
                false,
                true,
            ),
            _ => (
                AccountStatus::Onboarded,
                TrackingStatus::Enabled,
                false,
                false,
            ),
        };
        Self {
            own,
            tracking,
            parent_blocked,
            company_active,
        }
    }

    /// The status the API shows (see the precedence above).
    #[must_use]
    pub const fn status(&self) -> AccountStatus {
        if !self.company_active {
            AccountStatus::CompanyInactive
        } else if !self.tracking.is_tracked() {
            AccountStatus::CustomerNotTracked
        } else if self.parent_blocked {
            AccountStatus::WorkflowNotAccessible
        } else {
            self.own
        }
    }

    /// The account's own status, underneath the overlays.
    #[must_use]
    pub const fn own_status(&self) -> AccountStatus {
        self.own
    }

    /// The account's `trackingStatus`.
    #[must_use]
    pub const fn tracking(&self) -> TrackingStatus {
        self.tracking
    }

    /// Whether the account believes its parent connection is in a credential error.
    #[must_use]
    pub const fn is_parent_blocked(&self) -> bool {
        self.parent_blocked
    }

    /// Whether the parent company is active.
    #[must_use]
    pub const fn is_company_active(&self) -> bool {
        self.company_active
    }

    /// Applies `event`. See [`Machine::apply`].
    ///
    /// # Errors
    /// [`AccountRejected`] when the table does not allow `event` from the visible status; the
    /// account is unchanged.
    pub fn apply(
        &mut self,
        event: AccountEvent,
    ) -> Result<Transition<AccountStatus, AccountEvent>, AccountRejected> {
        Machine::apply(self, event)
    }

    /// Every event the account accepts now.
    #[must_use]
    pub fn allowed_events(&self) -> EventSet<AccountEvent> {
        Machine::allowed_events(self)
    }

    /// Brings the account's view of its parent in line with `parent`: the company's state,
    /// and whether the parent's operational status is a credential error (the account then
    /// reads `WORKFLOW_NOT_ACCESSIBLE`). Returns the edges taken, at most two.
    ///
    /// Changes that cannot show because a higher overlay covers them are not recorded (see
    /// [the table](crate::table)); calling this after every change of the parent or of the
    /// account's tracking keeps the account exact.
    ///
    /// ```
    /// use nectar_lifecycle::{Account, AccountStatus as S, Connection, ConnectionEvent as E, Rules};
    ///
    /// let mut conn = Connection::new(Rules::Documented);
    /// let mut account = Account::new();
    /// conn.apply(E::BadCredentials).unwrap();
    /// let [first, _] = account.follow_parent(&conn);
    /// assert_eq!(first.map(|t| t.to), Some(S::WorkflowNotAccessible));
    /// conn.apply(E::CredentialsUpdated).unwrap();
    /// account.follow_parent(&conn);
    /// assert_eq!(account.status(), S::Detected);
    /// ```
    pub fn follow_parent(
        &mut self,
        parent: &Connection,
    ) -> [Option<Transition<AccountStatus, AccountEvent>>; 2] {
        let blocked = parent.operational_status().is_credential_error();
        let mut taken = [None, None];
        let mut slot = 0;
        let mut record = |t: Option<Transition<AccountStatus, AccountEvent>>| {
            if let (Some(t), Some(cell)) = (t, taken.get_mut(slot)) {
                *cell = Some(t);
                slot += 1;
            }
        };
        // Lift the company overlay first, so that the parent's state can show beneath it;
        // raise it last, after recording the parent's state.
        if parent.is_company_active() && !self.company_active {
            record(self.apply(AccountEvent::CompanyReactivated).ok());
        }
        if blocked != self.parent_blocked {
            let event = if blocked {
                AccountEvent::ParentBlocked
            } else {
                AccountEvent::ParentRecovered
            };
            record(self.apply(event).ok());
        }
        if !parent.is_company_active() && self.company_active {
            record(self.apply(AccountEvent::CompanyDeactivated).ok());
        }
        taken
    }

    /// Every valid account state, in a deterministic order.
    pub fn all_states() -> impl Iterator<Item = Self> + Clone {
        AccountStatus::ALL.iter().flat_map(|&own| {
            TrackingStatus::ALL.iter().flat_map(move |&tracking| {
                [(false, true), (true, true), (false, false), (true, false)]
                    .into_iter()
                    .filter_map(move |(blocked, company)| {
                        Self::from_parts(own, tracking, blocked, company).ok()
                    })
            })
        })
    }

    /// Every edge of the account lifecycle between visible statuses, with its provenance,
    /// sorted by (from, event, to).
    #[must_use]
    pub fn edges() -> Vec<Transition<AccountStatus, AccountEvent>> {
        edges_of(Self::all_states())
    }
}

impl Machine for Account {
    type Status = AccountStatus;
    type Event = AccountEvent;

    fn status(&self) -> AccountStatus {
        Account::status(self)
    }

    fn rule(&self, event: AccountEvent) -> Option<Rule<AccountStatus>> {
        account_rule(self.status(), event)
    }

    fn allowed_events(&self) -> EventSet<AccountEvent> {
        crate::table::account_allowed(self.status())
    }

    fn enter(&mut self, event: AccountEvent, _target: Target<AccountStatus>) {
        match event {
            AccountEvent::Confirmed => {
                self.tracking = TrackingStatus::Enabled;
                if matches!(self.own, AccountStatus::Detected) {
                    self.own = AccountStatus::Onboarded;
                }
            }
            AccountEvent::Rejected => self.tracking = TrackingStatus::Disabled,
            AccountEvent::ParentBlocked => self.parent_blocked = true,
            AccountEvent::ParentRecovered => self.parent_blocked = false,
            AccountEvent::CompanyDeactivated => self.company_active = false,
            AccountEvent::CompanyReactivated => self.company_active = true,
            AccountEvent::PullCompleted
            | AccountEvent::NoDocumentsFound
            | AccountEvent::PdfDownloadFailed
            | AccountEvent::AccountNotFound
            | AccountEvent::CollectionFailed
            | AccountEvent::ClosedByUtility
            | AccountEvent::MarkedDuplicate => {
                if let Some(outcome) = event.outcome() {
                    self.own = outcome;
                }
            }
        }
    }
}

// Compile-time proof of the thread-safety promise.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Connection>();
    assert_send_sync::<Account>();
};
