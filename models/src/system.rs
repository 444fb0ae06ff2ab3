//! Model 3: a company with connections, each with accounts, a weekly scheduler driven by
//! the core crate's policy functions, and everyone who can act on them.
//!
//! Time is abstracted to weeks. `Tick` starts a new week. Within a week the scheduler runs
//! exactly the checks [`next_check_due`] says are due (a connection checked this week is
//! due again only if a fresh cycle started), with every check outcome; after a check that
//! ends `CONNECTED`, the accounts the policy says are collected are pulled, with every pull
//! outcome. (Pulls are not counted within a week: an account may be pulled again while its
//! connection's check of the week stands. This over-approximates the real schedule, which
//! is sound for the invariants, and keeps the state space small.) End users, Nectar's team,
//! the integrator (activation, tracking) and the company act at any time. After every step
//! each account follows its parent ([`Account::follow_parent`]).
//!
//! Monitors record, in sticky ghost flags, anything the spec forbids that the scheduler
//! did; the invariants read them.
//!
//! The state is plain fixed-size data ([`SystemState`], [`ConnectionSlot`]: arrays sized by
//! [`MAX_CONNECTIONS`] and [`MAX_ACCOUNTS`]), so a successor is a copy. Each step is split
//! in what it does to one connection (`act_on_slot`), what follows on every connection
//! (`settle`: the accounts follow their parent, and, reduced, are sorted) and, reduced, the
//! sort of the connections; [`crate::packed`] memoises the first two per connection state.

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_core::policy::{CheckDue, Scheduled, next_check_due};
use nectar_lifecycle_core::{
    Account, AccountEvent, AccountStatus, Connection, ConnectionEvent, ConnectionStatus, EnumSet,
    Enumerated, EventOrigin, Rules, TrackingStatus,
};
use stateright::{Model, Property};

use crate::StepEdge;
use crate::connection::{derived_status, forget_held, monitor_restore, spec_forbids_check};

/// A deliberately broken, test-only variant, to show each invariant can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemBug {
    /// The scheduler pulls terminal accounts (`OLD_ACCOUNT`, `DUPLICATE`) too.
    RecheckTerminalAccounts,
    /// The scheduler pulls untracked accounts too.
    PullUntrackedAccounts,
    /// The scheduler checks connections in a credential error.
    CheckCredentialErrors,
    /// The scheduler reads the operational status and ignores the overlays.
    IgnoreOverlays,
    /// Accounts do not follow their parent connection.
    AccountsIgnoreParent,
    /// Activation comes back `CONNECTED` whatever was held.
    ActivateResets,
}

/// Whether the system model folds states that differ only in the order of their
/// connections or accounts into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symmetry {
    /// Each state is canonicalised: accounts sorted within a connection, connections sorted.
    Reduced,
    /// Every order is a state of its own.
    Unreduced,
}

/// The system model's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SystemModel {
    /// Connections in the company (at least 1).
    pub connections: usize,
    /// Accounts per connection.
    pub accounts: usize,
    /// Whether states are reduced by symmetry.
    pub symmetry: Symmetry,
    /// A broken variant (tests only); `None` is the real lifecycle.
    pub bug: Option<SystemBug>,
}

impl Default for SystemModel {
    /// One connection with three accounts, symmetry reduced.
    fn default() -> Self {
        Self {
            connections: 1,
            accounts: 3,
            symmetry: Symmetry::Reduced,
            bug: None,
        }
    }
}

/// The most connections a [`SystemModel`] can have: the state is fixed-size, so the bound is
/// a constant. (2 connections x 2 accounts is already beyond what fits in memory; see the
/// README's scale table.)
pub const MAX_CONNECTIONS: usize = 4;

/// The most accounts per connection a [`SystemModel`] can have.
pub const MAX_ACCOUNTS: usize = 5;

/// The first `count` places of a fixed array: the ones in use.
fn used<T>(places: &[T], count: u8) -> &[T] {
    places.get(..usize::from(count)).unwrap_or_default()
}

/// [`used`], mutably.
fn used_mut<T>(places: &mut [T], count: u8) -> &mut [T] {
    places.get_mut(..usize::from(count)).unwrap_or_default()
}

/// One connection, its accounts, and its scheduling and ghost state: plain `Copy` data, the
/// accounts in a fixed array (the positions past [`accounts`](Self::accounts) hold a new
/// account and never change).
///
/// Ordered by its [`code`](Self::code), so that the packed explorer sorts connections by
/// their codes alone and in the same order as [`SystemModel::step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectionSlot {
    /// The machine (always under `Operational` rules).
    pub connection: Connection,
    /// Checked this week.
    pub checked: bool,
    /// The last check this week ended `CONNECTED`, so the accounts can be pulled.
    pub logged_in: bool,
    /// Ghost: the operational status held at the last deactivation.
    pub held: Option<ConnectionStatus>,
    accounts: [Account; MAX_ACCOUNTS],
    account_count: u8,
}

impl ConnectionSlot {
    /// A new connection with `accounts` newly discovered accounts (at most
    /// [`MAX_ACCOUNTS`]; more are dropped).
    #[must_use]
    pub fn new(accounts: usize) -> Self {
        Self {
            connection: Connection::new(Rules::Operational),
            checked: false,
            logged_in: false,
            held: None,
            accounts: [Account::new(); MAX_ACCOUNTS],
            account_count: u8::try_from(accounts.min(MAX_ACCOUNTS)).unwrap_or(0),
        }
    }

    /// The accounts.
    #[must_use]
    pub fn accounts(&self) -> &[Account] {
        used(&self.accounts, self.account_count)
    }

    fn accounts_mut(&mut self) -> &mut [Account] {
        used_mut(&mut self.accounts, self.account_count)
    }

    /// The slot as one integer, 76 bits, one to one (the account count aside, which is the
    /// model's):
    ///
    /// ```text
    /// bits 0..4    the operational status       bit 4      the rule set
    /// bits 5..8    the connection's overlays    bit 8      a check cycle is pending
    /// bit  9       checked                      bit 10     logged in
    /// bits 11..15  held (0: none, else 1 + the status's index)
    /// bits 16..76  each account in 12 bits: own status (4), tracking (2), overlays (4)
    /// ```
    ///
    /// ```
    /// use nectar_lifecycle_models::ConnectionSlot;
    ///
    /// let slot = ConnectionSlot::new(2);
    /// assert_eq!(ConnectionSlot::from_code(slot.code(), 2), Some(slot));
    /// ```
    #[must_use]
    pub fn code(&self) -> u128 {
        let c = &self.connection;
        let head = c.operational_status().index() as u128
            | (c.rules().index() as u128) << 4
            | u128::from(c.overlays().bits() & 0x7) << 5
            | u128::from(c.is_cycle_pending()) << 8
            | u128::from(self.checked) << 9
            | u128::from(self.logged_in) << 10
            | (self.held.map_or(0, |h| h.index() + 1) as u128) << 11;
        self.accounts.iter().enumerate().fold(head, |code, (i, a)| {
            let account = a.own_status().index() as u128
                | (a.tracking().index() as u128) << 4
                | u128::from(a.overlays().bits() & 0xf) << 6;
            code | account << (16 + 12 * i)
        })
    }

    /// The slot with `code` ([`code`](Self::code)) and `accounts` accounts, if `code`
    /// encodes a valid one.
    #[must_use]
    pub fn from_code(code: u128, accounts: usize) -> Option<Self> {
        let field = |at: u32, bits: u32| (code >> at) as usize & ((1 << bits) - 1);
        let connection = Connection::from_parts(
            *Rules::ALL.get(field(4, 1))?,
            *ConnectionStatus::ALL.get(field(0, 4))?,
            EnumSet::from_bits(field(5, 3) as u64),
        )
        .ok()?
        .with_cycle_pending(field(8, 1) == 1)
        .ok()?;
        let held = match field(11, 4) {
            0 => None,
            h => Some(*ConnectionStatus::ALL.get(h - 1)?),
        };
        let mut slot = Self::new(accounts);
        slot.connection = connection;
        slot.checked = field(9, 1) == 1;
        slot.logged_in = field(10, 1) == 1;
        slot.held = held;
        for (i, account) in slot.accounts.iter_mut().enumerate() {
            let at = 16 + 12 * u32::try_from(i).ok()?;
            *account = Account::from_parts(
                *AccountStatus::ALL.get(field(at, 4))?,
                *TrackingStatus::ALL.get(field(at + 4, 2))?,
                EnumSet::from_bits(field(at + 6, 4) as u64),
            )
            .ok()?;
        }
        (slot.code() == code).then_some(slot)
    }
}

impl PartialOrd for ConnectionSlot {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ConnectionSlot {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code()
            .cmp(&other.code())
            .then(self.account_count.cmp(&other.account_count))
    }
}

/// Sticky ghost flags: what the monitors saw the scheduler or the machines do wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Violations {
    /// A terminal account was pulled.
    pub pulled_terminal: bool,
    /// An untracked account was pulled.
    pub pulled_untracked: bool,
    /// A connection in a credential error was checked.
    pub checked_halted: bool,
    /// A check or pull ran while the connection was deactivated or the company inactive.
    pub checked_stopped: bool,
    /// Activation restored something else than the held status.
    pub restore: bool,
}

impl Violations {
    /// The flags as bits, in field order (bit 0: `pulled_terminal`).
    #[must_use]
    pub const fn bits(self) -> u8 {
        (self.pulled_terminal as u8)
            | (self.pulled_untracked as u8) << 1
            | (self.checked_halted as u8) << 2
            | (self.checked_stopped as u8) << 3
            | (self.restore as u8) << 4
    }

    /// The flags from [`bits`](Self::bits) (higher bits are ignored).
    #[must_use]
    pub const fn from_bits(bits: u8) -> Self {
        Self {
            pulled_terminal: bits & 1 != 0,
            pulled_untracked: bits & 1 << 1 != 0,
            checked_halted: bits & 1 << 2 != 0,
            checked_stopped: bits & 1 << 3 != 0,
            restore: bits & 1 << 4 != 0,
        }
    }
}

/// Whether the company is active, as the system model records it (each machine carries its
/// own copy, which an invariant compares with this one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CompanyStatus {
    /// The company is active.
    Active,
    /// The company is deactivated: `COMPANY_INACTIVE` covers its connections and accounts.
    Inactive,
}

impl CompanyStatus {
    /// The event every connection receives when the company becomes `self`.
    #[must_use]
    pub const fn event(self) -> ConnectionEvent {
        match self {
            Self::Active => ConnectionEvent::CompanyReactivated,
            Self::Inactive => ConnectionEvent::CompanyDeactivated,
        }
    }

    /// The other status: the only change the company can make from `self`.
    pub(crate) const fn toggled(self) -> Self {
        match self {
            Self::Active => Self::Inactive,
            Self::Inactive => Self::Active,
        }
    }
}

/// A state of the system: plain `Copy` data, the connections in a fixed array (the positions
/// past [`connections`](Self::connections) hold a new connection and never change), so a
/// successor is a copy, never an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SystemState {
    /// The company's status.
    pub company: CompanyStatus,
    connections: [ConnectionSlot; MAX_CONNECTIONS],
    connection_count: u8,
    /// The monitors' findings.
    pub violations: Violations,
}

impl SystemState {
    /// A state from its parts: at most [`MAX_CONNECTIONS`] connections are kept, each
    /// with the accounts it has.
    #[must_use]
    pub fn from_parts(
        company: CompanyStatus,
        connections: &[ConnectionSlot],
        violations: Violations,
    ) -> Self {
        let accounts = connections.first().map_or(0, |c| c.accounts().len());
        let mut all = [ConnectionSlot::new(accounts); MAX_CONNECTIONS];
        let count = connections.len().min(MAX_CONNECTIONS);
        for (to, from) in all.iter_mut().zip(connections) {
            *to = *from;
        }
        Self {
            company,
            connections: all,
            connection_count: u8::try_from(count).unwrap_or(0),
            violations,
        }
    }

    /// The connections.
    #[must_use]
    pub fn connections(&self) -> &[ConnectionSlot] {
        used(&self.connections, self.connection_count)
    }

    fn connections_mut(&mut self) -> &mut [ConnectionSlot] {
        used_mut(&mut self.connections, self.connection_count)
    }
}

/// An action of the system model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SystemAction {
    /// A week passes.
    Tick,
    /// The scheduler checks a connection, and the check ends with `event`.
    Check {
        /// The connection's index.
        connection: usize,
        /// The check's outcome.
        event: ConnectionEvent,
    },
    /// The scheduler pulls an account, and the pull ends with `event`.
    Pull {
        /// The parent connection's index.
        connection: usize,
        /// The account's index within its connection.
        account: usize,
        /// The pull's outcome.
        event: AccountEvent,
    },
    /// The end user, Nectar's team or the integrator acts on a connection.
    Act {
        /// The connection's index.
        connection: usize,
        /// What they do.
        event: ConnectionEvent,
    },
    /// The integrator confirms or rejects an account.
    Track {
        /// The parent connection's index.
        connection: usize,
        /// The account's index within its connection.
        account: usize,
        /// `Confirmed` or `Rejected`.
        event: AccountEvent,
    },
    /// The company becomes active (reactivated by Nectar support) or inactive.
    Company(CompanyStatus),
}

impl SystemAction {
    /// The same action on connection `connection` (`Tick` and `Company` are unchanged).
    #[must_use]
    pub const fn on(self, connection: usize) -> Self {
        match self {
            Self::Check { event, .. } => Self::Check { connection, event },
            Self::Pull { account, event, .. } => Self::Pull {
                connection,
                account,
                event,
            },
            Self::Act { event, .. } => Self::Act { connection, event },
            Self::Track { account, event, .. } => Self::Track {
                connection,
                account,
                event,
            },
            Self::Tick | Self::Company(_) => self,
        }
    }
}

/// The fixed "now" of the abstract week, and the last check a week ago.
fn now() -> Timestamp {
    Timestamp::UNIX_EPOCH + SignedDuration::from_hours(24 * 7 * 2900)
}

/// Whether an account showing `status` was closed by its own lifecycle, so the spec never
/// checks it again: `OLD_ACCOUNT` or `DUPLICATE`. (`CUSTOMER_NOT_TRACKED`, the spec's other
/// terminal status, is the integrator's choice and has an invariant of its own.) Written
/// from the spec, independently of the policy code.
const fn closed_by_its_lifecycle(status: AccountStatus) -> bool {
    matches!(status, AccountStatus::OldAccount | AccountStatus::Duplicate)
}

/// The visible account status as the spec and the core crate's docs derive it, written
/// independently: company, then tracking, then the parent's credential error, then own.
#[must_use]
pub fn derived_account_status(
    company: CompanyStatus,
    parent: &Connection,
    account: &Account,
) -> AccountStatus {
    if company == CompanyStatus::Inactive {
        AccountStatus::CompanyInactive
    } else if account.tracking() == TrackingStatus::Disabled {
        AccountStatus::CustomerNotTracked
    } else if parent.operational_status().is_credential_error() {
        AccountStatus::WorkflowNotAccessible
    } else {
        account.own_status()
    }
}

/// The system model's invariants, in the order [`Model::properties`] lists them. Bits
/// `0..5` read the monitors' flags ([`Violations::bits`]); the last two are checked on each
/// connection with the company's status ([`slot_faults`]).
pub const PROPERTIES: [&str; 7] = [
    "a terminal account is never re-checked",
    "an untracked account is never checked",
    "a credential error is not checked until the user acts",
    "no check while deactivated or the company is inactive",
    "activation restores the status held before deactivation",
    "visible statuses are derived from the flags",
    "an account reads WORKFLOW_NOT_ACCESSIBLE exactly when its parent is in a credential error",
];

/// The invariants one connection breaks in a company showing `company`, as bits of
/// [`PROPERTIES`] (5 and 6).
#[must_use]
pub fn slot_faults(company: CompanyStatus, slot: &ConnectionSlot) -> u64 {
    let derived = slot.connection.status() == derived_status(&slot.connection)
        && slot.connection.is_company_active() == (company == CompanyStatus::Active)
        && slot
            .accounts()
            .iter()
            .all(|a| a.status() == derived_account_status(company, &slot.connection, a));
    let parent_blocked = slot.accounts().iter().all(|a| {
        let tracked_and_active = company == CompanyStatus::Active && a.tracking().is_tracked();
        (a.status() == AccountStatus::WorkflowNotAccessible)
            == (tracked_and_active && slot.connection.operational_status().is_credential_error())
    });
    u64::from(!derived) << 5 | u64::from(!parent_blocked) << 6
}

/// The invariants `state` breaks, as bits of [`PROPERTIES`].
#[must_use]
pub fn faults(state: &SystemState) -> u64 {
    state
        .connections()
        .iter()
        .fold(u64::from(state.violations.bits()), |bits, slot| {
            bits | slot_faults(state.company, slot)
        })
}

impl SystemModel {
    /// The initial state: an active company, new connections, newly discovered accounts
    /// (`connections` is taken in `1..=MAX_CONNECTIONS`, `accounts` at most
    /// [`MAX_ACCOUNTS`]).
    #[must_use]
    pub fn initial(&self) -> SystemState {
        let slots = [ConnectionSlot::new(self.accounts); MAX_CONNECTIONS];
        let count = self.connections.clamp(1, MAX_CONNECTIONS);
        SystemState::from_parts(
            CompanyStatus::Active,
            slots.get(..count).unwrap_or_default(),
            Violations::default(),
        )
    }

    /// Whether the scheduler checks `slot` now: the real policy, unless a bug overrides it.
    pub(crate) fn connection_due(&self, slot: &ConnectionSlot) -> bool {
        let conn = slot.connection;
        let last = Some(if slot.checked {
            now()
        } else {
            now() - SignedDuration::from_hours(168)
        });
        match self.bug {
            Some(SystemBug::CheckCredentialErrors) if conn.status().is_credential_error() => {
                !slot.checked
            }
            Some(SystemBug::IgnoreOverlays) if !conn.status().is_operational() => !slot.checked,
            _ => next_check_due(&conn, last, now()) == CheckDue::Now,
        }
    }

    /// Whether the scheduler pulls `account` after its connection's successful check.
    fn account_due(&self, account: &Account) -> bool {
        let status = account.status();
        match self.bug {
            Some(SystemBug::RecheckTerminalAccounts) if closed_by_its_lifecycle(status) => true,
            Some(SystemBug::PullUntrackedAccounts)
                if status == AccountStatus::CustomerNotTracked =>
            {
                true
            }
            _ => account.collection().is_collected(),
        }
    }

    /// The actions on one connection, in the order [`Model::actions`] lists them for each
    /// connection, with connection index 0.
    #[must_use]
    pub fn connection_actions(&self) -> Vec<SystemAction> {
        let mut actions = Vec::new();
        let connection = 0;
        for &event in ConnectionEvent::ALL {
            match event.origin() {
                EventOrigin::Check => actions.push(SystemAction::Check { connection, event }),
                EventOrigin::EndUser | EventOrigin::NectarTeam | EventOrigin::Integrator => {
                    actions.push(SystemAction::Act { connection, event });
                }
                EventOrigin::ParentConnection | EventOrigin::Company => {}
            }
        }
        for account in 0..self.accounts.min(MAX_ACCOUNTS) {
            for &event in AccountEvent::ALL {
                let action = match event.origin() {
                    EventOrigin::Check => SystemAction::Pull {
                        connection,
                        account,
                        event,
                    },
                    EventOrigin::Integrator => SystemAction::Track {
                        connection,
                        account,
                        event,
                    },
                    EventOrigin::EndUser
                    | EventOrigin::NectarTeam
                    | EventOrigin::ParentConnection
                    | EventOrigin::Company => continue,
                };
                actions.push(action);
            }
        }
        actions
    }

    /// `action` on `slot` (its connection index is not read), the monitors' findings added
    /// to `violations`; `None` when it is not possible. `due` is
    /// [`connection_due`](Self::connection_due) for `slot` if the caller knows it. The
    /// accounts do not follow their parent yet ([`settle`](Self::settle)).
    pub(crate) fn act_on_slot(
        &self,
        slot: &mut ConnectionSlot,
        violations: &mut Violations,
        action: SystemAction,
        due: Option<bool>,
        log: &mut dyn FnMut(StepEdge),
    ) -> Option<()> {
        match action {
            SystemAction::Check { event, .. } => {
                if event.origin() != EventOrigin::Check
                    || !due.unwrap_or_else(|| self.connection_due(slot))
                {
                    return None;
                }
                let shown = derived_status(&slot.connection);
                if spec_forbids_check(shown) {
                    // The scheduler ran a check the spec forbids: record it, apply nothing.
                    if shown.is_credential_error() {
                        violations.checked_halted = true;
                    } else {
                        violations.checked_stopped = true;
                    }
                    slot.checked = true;
                } else {
                    let t = slot.connection.apply(event).ok()?;
                    log(StepEdge::Connection(t));
                    slot.checked = true;
                    slot.logged_in = t.to == ConnectionStatus::Connected;
                }
            }
            SystemAction::Pull { account, event, .. } => {
                // Pulls follow a successful check this week, while the connection is
                // collected (the real policy), unless a bug ignores the overlays.
                let logged_in = slot.logged_in
                    && (self.bug == Some(SystemBug::IgnoreOverlays)
                        || slot.connection.collection().is_collected());
                let parent_shown = derived_status(&slot.connection);
                let acc = slot.accounts_mut().get_mut(account)?;
                if event.origin() != EventOrigin::Check || !logged_in || !self.account_due(acc) {
                    return None;
                }
                let shown = acc.status();
                if closed_by_its_lifecycle(shown) {
                    violations.pulled_terminal = true;
                } else if shown == AccountStatus::CustomerNotTracked {
                    violations.pulled_untracked = true;
                } else if spec_forbids_check(parent_shown)
                    || shown == AccountStatus::CompanyInactive
                {
                    violations.checked_stopped = true;
                } else {
                    log(StepEdge::Account(acc.apply(event).ok()?));
                }
            }
            SystemAction::Act { event, .. } => {
                if !matches!(
                    event.origin(),
                    EventOrigin::EndUser | EventOrigin::NectarTeam | EventOrigin::Integrator
                ) {
                    return None;
                }
                let before = slot.connection;
                let t = slot.connection.apply(event).ok()?;
                if self.bug == Some(SystemBug::ActivateResets) && event == ConnectionEvent::Activate
                {
                    forget_held(&mut slot.connection);
                }
                if monitor_restore(&mut slot.held, event, &before, &slot.connection) {
                    violations.restore = true;
                }
                log(StepEdge::Connection(t));
            }
            SystemAction::Track { account, event, .. } => {
                if event.origin() != EventOrigin::Integrator {
                    return None;
                }
                let acc = slot.accounts_mut().get_mut(account)?;
                log(StepEdge::Account(acc.apply(event).ok()?));
            }
            SystemAction::Tick => tick(slot),
            SystemAction::Company(status) => {
                log(StepEdge::Connection(
                    slot.connection.apply(status.event()).ok()?,
                ));
            }
        }
        Some(())
    }

    /// What follows every step on each connection: its accounts follow it (unless a bug
    /// says otherwise), and, reduced, they are sorted.
    pub(crate) fn settle(&self, slot: &mut ConnectionSlot, log: &mut dyn FnMut(StepEdge)) {
        if self.bug != Some(SystemBug::AccountsIgnoreParent) {
            let parent = slot.connection;
            for acc in slot.accounts_mut() {
                for t in acc.follow_parent(&parent).into_iter().flatten() {
                    log(StepEdge::Account(t));
                }
            }
        }
        if self.symmetry == Symmetry::Reduced {
            slot.accounts_mut().sort_unstable();
        }
    }

    /// One step, reporting the edges it took to `log`; `None` when the action is not
    /// possible in `state`.
    pub fn step(
        &self,
        state: &SystemState,
        action: SystemAction,
        log: &mut dyn FnMut(StepEdge),
    ) -> Option<SystemState> {
        let mut next = *state;
        match action {
            SystemAction::Tick => next.connections_mut().iter_mut().for_each(tick),
            SystemAction::Check { connection, .. }
            | SystemAction::Pull { connection, .. }
            | SystemAction::Act { connection, .. }
            | SystemAction::Track { connection, .. } => {
                let slot =
                    used_mut(&mut next.connections, next.connection_count).get_mut(connection)?;
                self.act_on_slot(slot, &mut next.violations, action, None, log)?;
            }
            SystemAction::Company(status) => {
                if next.company == status {
                    return None;
                }
                next.company = status;
                for slot in next.connections_mut() {
                    self.act_on_slot(slot, &mut Violations::default(), action, None, log)?;
                }
            }
        }
        for slot in next.connections_mut() {
            self.settle(slot, log);
        }
        if self.symmetry == Symmetry::Reduced {
            next.connections_mut().sort_unstable();
        }
        Some(next)
    }
}

/// A week passes for one connection: it is due again.
const fn tick(slot: &mut ConnectionSlot) {
    slot.checked = false;
    slot.logged_in = false;
}

impl Model for SystemModel {
    type State = SystemState;
    type Action = SystemAction;

    fn init_states(&self) -> Vec<SystemState> {
        vec![self.initial()]
    }

    fn actions(&self, state: &SystemState, actions: &mut Vec<SystemAction>) {
        actions.push(SystemAction::Tick);
        let per_connection = self.connection_actions();
        for connection in 0..state.connections().len() {
            actions.extend(per_connection.iter().map(|&a| a.on(connection)));
        }
        // Only the change the company can make from here.
        actions.push(SystemAction::Company(state.company.toggled()));
    }

    fn next_state(&self, state: &SystemState, action: SystemAction) -> Option<SystemState> {
        self.step(state, action, &mut |_| {})
    }

    fn properties(&self) -> Vec<Property<Self>> {
        // One non-capturing closure per bit of `faults`, named from `PROPERTIES`.
        let conditions: [fn(&Self, &SystemState) -> bool; 7] = [
            |_, s| faults(s) & 1 == 0,
            |_, s| faults(s) & 1 << 1 == 0,
            |_, s| faults(s) & 1 << 2 == 0,
            |_, s| faults(s) & 1 << 3 == 0,
            |_, s| faults(s) & 1 << 4 == 0,
            |_, s| faults(s) & 1 << 5 == 0,
            |_, s| faults(s) & 1 << 6 == 0,
        ];
        PROPERTIES
            .iter()
            .zip(conditions)
            .map(|(&name, condition)| Property::always(name, condition))
            .collect()
    }
}
