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

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_core::policy::{CheckDue, Scheduled, next_check_due};
use nectar_lifecycle_core::{
    Account, AccountEvent, AccountStatus, Connection, ConnectionEvent, ConnectionStatus,
    Enumerated, EventOrigin, Rules,
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

/// One connection, its accounts, and its scheduling and ghost state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionSlot {
    /// The machine (always under `Operational` rules).
    pub connection: Connection,
    /// Checked this week.
    pub checked: bool,
    /// The last check this week ended `CONNECTED`, so the accounts can be pulled.
    pub logged_in: bool,
    /// Ghost: the operational status held at the last deactivation.
    pub held: Option<ConnectionStatus>,
    /// The accounts.
    pub accounts: Vec<Account>,
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
}

/// A state of the system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SystemState {
    /// The company's status.
    pub company: CompanyStatus,
    /// The connections.
    pub connections: Vec<ConnectionSlot>,
    /// The monitors' findings.
    pub violations: Violations,
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
    } else if account.tracking() == nectar_lifecycle_core::TrackingStatus::Disabled {
        AccountStatus::CustomerNotTracked
    } else if parent.operational_status().is_credential_error() {
        AccountStatus::WorkflowNotAccessible
    } else {
        account.own_status()
    }
}

impl SystemModel {
    /// The initial state: an active company, new connections, newly discovered accounts.
    #[must_use]
    pub fn initial(&self) -> SystemState {
        let slot = ConnectionSlot {
            connection: Connection::new(Rules::Operational),
            checked: false,
            logged_in: false,
            held: None,
            accounts: vec![Account::new(); self.accounts],
        };
        SystemState {
            company: CompanyStatus::Active,
            connections: vec![slot; self.connections.max(1)],
            violations: Violations::default(),
        }
    }

    /// Whether the scheduler checks `slot` now: the real policy, unless a bug overrides it.
    fn connection_due(&self, slot: &ConnectionSlot) -> bool {
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

    /// One step, reporting the edges it took to `log`; `None` when the action is not
    /// possible in `state`.
    pub fn step(
        &self,
        state: &SystemState,
        action: SystemAction,
        log: &mut dyn FnMut(StepEdge),
    ) -> Option<SystemState> {
        let mut next = state.clone();
        match action {
            SystemAction::Tick => {
                for slot in &mut next.connections {
                    slot.checked = false;
                    slot.logged_in = false;
                }
            }
            SystemAction::Check { connection, event } => {
                let slot = next.connections.get_mut(connection)?;
                if event.origin() != EventOrigin::Check || !self.connection_due(slot) {
                    return None;
                }
                let shown = derived_status(&slot.connection);
                if spec_forbids_check(shown) {
                    // The scheduler ran a check the spec forbids: record it, apply nothing.
                    if shown.is_credential_error() {
                        next.violations.checked_halted = true;
                    } else {
                        next.violations.checked_stopped = true;
                    }
                    slot.checked = true;
                } else {
                    let t = slot.connection.apply(event).ok()?;
                    log(StepEdge::Connection(t));
                    slot.checked = true;
                    slot.logged_in = t.to == ConnectionStatus::Connected;
                }
            }
            SystemAction::Pull {
                connection,
                account,
                event,
            } => {
                let slot = next.connections.get_mut(connection)?;
                // Pulls follow a successful check this week, while the connection is
                // collected (the real policy), unless a bug ignores the overlays.
                let logged_in = slot.logged_in
                    && (self.bug == Some(SystemBug::IgnoreOverlays)
                        || slot.connection.collection().is_collected());
                let parent_shown = derived_status(&slot.connection);
                let acc = slot.accounts.get_mut(account)?;
                if event.origin() != EventOrigin::Check || !logged_in || !self.account_due(acc) {
                    return None;
                }
                let shown = acc.status();
                if closed_by_its_lifecycle(shown) {
                    next.violations.pulled_terminal = true;
                } else if shown == AccountStatus::CustomerNotTracked {
                    next.violations.pulled_untracked = true;
                } else if spec_forbids_check(parent_shown)
                    || shown == AccountStatus::CompanyInactive
                {
                    next.violations.checked_stopped = true;
                } else {
                    log(StepEdge::Account(acc.apply(event).ok()?));
                }
            }
            SystemAction::Act { connection, event } => {
                if !matches!(
                    event.origin(),
                    EventOrigin::EndUser | EventOrigin::NectarTeam | EventOrigin::Integrator
                ) {
                    return None;
                }
                let slot = next.connections.get_mut(connection)?;
                let before = slot.connection;
                let t = slot.connection.apply(event).ok()?;
                if self.bug == Some(SystemBug::ActivateResets) && event == ConnectionEvent::Activate
                {
                    forget_held(&mut slot.connection);
                }
                if monitor_restore(&mut slot.held, event, &before, &slot.connection) {
                    next.violations.restore = true;
                }
                log(StepEdge::Connection(t));
            }
            SystemAction::Track {
                connection,
                account,
                event,
            } => {
                if event.origin() != EventOrigin::Integrator {
                    return None;
                }
                let acc = next
                    .connections
                    .get_mut(connection)?
                    .accounts
                    .get_mut(account)?;
                log(StepEdge::Account(acc.apply(event).ok()?));
            }
            SystemAction::Company(status) => {
                if next.company == status {
                    return None;
                }
                next.company = status;
                let event = status.event();
                for slot in &mut next.connections {
                    log(StepEdge::Connection(slot.connection.apply(event).ok()?));
                }
            }
        }
        if self.bug != Some(SystemBug::AccountsIgnoreParent) {
            for slot in &mut next.connections {
                let parent = slot.connection;
                for acc in &mut slot.accounts {
                    for t in acc.follow_parent(&parent).into_iter().flatten() {
                        log(StepEdge::Account(t));
                    }
                }
            }
        }
        if self.symmetry == Symmetry::Reduced {
            for slot in &mut next.connections {
                slot.accounts.sort_unstable();
            }
            next.connections.sort_unstable();
        }
        Some(next)
    }
}

impl Model for SystemModel {
    type State = SystemState;
    type Action = SystemAction;

    fn init_states(&self) -> Vec<SystemState> {
        vec![self.initial()]
    }

    fn actions(&self, state: &SystemState, actions: &mut Vec<SystemAction>) {
        actions.push(SystemAction::Tick);
        for (connection, slot) in state.connections.iter().enumerate() {
            for &event in ConnectionEvent::ALL {
                match event.origin() {
                    EventOrigin::Check => actions.push(SystemAction::Check { connection, event }),
                    EventOrigin::EndUser | EventOrigin::NectarTeam | EventOrigin::Integrator => {
                        actions.push(SystemAction::Act { connection, event });
                    }
                    EventOrigin::ParentConnection | EventOrigin::Company => {}
                }
            }
            for account in 0..slot.accounts.len() {
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
        }
        // Only the change the company can make from here.
        actions.push(SystemAction::Company(match state.company {
            CompanyStatus::Active => CompanyStatus::Inactive,
            CompanyStatus::Inactive => CompanyStatus::Active,
        }));
    }

    fn next_state(&self, state: &SystemState, action: SystemAction) -> Option<SystemState> {
        self.step(state, action, &mut |_| {})
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always(
                "a terminal account is never re-checked",
                |_, s: &SystemState| !s.violations.pulled_terminal,
            ),
            Property::always(
                "an untracked account is never checked",
                |_, s: &SystemState| !s.violations.pulled_untracked,
            ),
            Property::always(
                "a credential error is not checked until the user acts",
                |_, s: &SystemState| !s.violations.checked_halted,
            ),
            Property::always(
                "no check while deactivated or the company is inactive",
                |_, s: &SystemState| !s.violations.checked_stopped,
            ),
            Property::always(
                "activation restores the status held before deactivation",
                |_, s: &SystemState| !s.violations.restore,
            ),
            Property::always(
                "visible statuses are derived from the flags",
                |_, s: &SystemState| {
                    s.connections.iter().all(|slot| {
                        slot.connection.status() == derived_status(&slot.connection)
                            && slot.connection.is_company_active()
                                == (s.company == CompanyStatus::Active)
                            && slot.accounts.iter().all(|a| {
                                a.status() == derived_account_status(s.company, &slot.connection, a)
                            })
                    })
                },
            ),
            Property::always(
                "an account reads WORKFLOW_NOT_ACCESSIBLE exactly when its parent is in a credential error",
                |_, s: &SystemState| {
                    s.connections.iter().all(|slot| {
                        slot.accounts.iter().all(|a| {
                            let tracked_and_active =
                                s.company == CompanyStatus::Active && a.tracking().is_tracked();
                            (a.status() == AccountStatus::WorkflowNotAccessible)
                                == (tracked_and_active
                                    && slot.connection.operational_status().is_credential_error())
                        })
                    })
                },
            ),
        ]
    }
}
