//! Model 1 and 2: one connection under the `Documented` or the `Operational` rules.
//!
//! Every event is tried from every state; the core crate's real [`Connection::apply`]
//! decides. Ghost fields record what the invariants need to see about the history.

use nectar_lifecycle_core::{
    Connection, ConnectionCategory, ConnectionEvent, ConnectionOverlay, ConnectionStatus,
    Enumerated, Rules,
};
use stateright::{Model, Property};

use crate::StepEdge;

/// A deliberately broken, test-only variant, to show each invariant can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionBug {
    /// Activation forgets the held status and comes back `CONNECTED`.
    ActivateResets,
    /// A check outcome is forced through under an overlay or a credential error.
    ChecksIgnoreHalts,
    /// `OTHER_ERROR` accepts nothing but the overlays: a trap.
    StuckInOtherError,
    /// The `Escalated` edges are deleted (every status stays reachable another way).
    NeverEscalates,
}

/// One connection, every event tried from every state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectionModel {
    /// The rule set.
    pub rules: Rules,
    /// A broken variant (tests only); `None` is the real lifecycle.
    pub bug: Option<ConnectionBug>,
}

impl ConnectionModel {
    /// The real lifecycle under `rules`.
    #[must_use]
    pub const fn new(rules: Rules) -> Self {
        Self { rules, bug: None }
    }
}

/// A connection and the ghost state the invariants read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionState {
    /// The machine.
    pub connection: Connection,
    /// Ghost: the operational status held when the connection was last deactivated.
    pub held: Option<ConnectionStatus>,
    /// Ghost, sticky: an activation restored something else than `held`.
    pub restore_violated: bool,
    /// Ghost, sticky: a check ran while halted (credential error) or stopped (overlay).
    pub check_violated: bool,
}

/// The visible status as the spec derives it, written independently of the core crate:
/// the company over `isActive` over the operational status.
#[must_use]
pub fn derived_status(connection: &Connection) -> ConnectionStatus {
    if !connection.is_company_active() {
        ConnectionStatus::CompanyInactive
    } else if !connection.is_active() {
        ConnectionStatus::Deactivated
    } else {
        connection.operational_status()
    }
}

/// Whether the spec forbids running a check on a connection showing `status`: collection
/// is halted (credential errors) or stopped (the system statuses).
#[must_use]
pub const fn spec_forbids_check(status: ConnectionStatus) -> bool {
    matches!(
        status.category(),
        ConnectionCategory::CredentialError | ConnectionCategory::System
    )
}

/// The restore monitor both models share: it remembers the operational status held at a
/// deactivation, and on activation reports whether something else came back (`true`: a
/// violation).
pub(crate) fn monitor_restore(
    held: &mut Option<ConnectionStatus>,
    event: ConnectionEvent,
    before: &Connection,
    after: &Connection,
) -> bool {
    match event {
        ConnectionEvent::Deactivate => {
            *held = Some(before.operational_status());
            false
        }
        ConnectionEvent::Activate => held.take() != Some(after.operational_status()),
        _ => false,
    }
}

/// Plays the `ActivateResets` bug of both models on a connection just activated: it comes
/// back `CONNECTED`, whatever it held.
pub(crate) fn forget_held(connection: &mut Connection) {
    let mut overlays = connection.overlays();
    overlays.remove(ConnectionOverlay::Deactivated);
    let connected = ConnectionStatus::Connected;
    if let Ok(c) = Connection::from_parts(connection.rules(), connected, overlays) {
        *connection = c;
    }
}

impl ConnectionModel {
    /// One step, reporting the edge it took to `log`; `None` when the event is rejected.
    pub fn step(
        &self,
        state: &ConnectionState,
        event: ConnectionEvent,
        log: &mut dyn FnMut(StepEdge),
    ) -> Option<ConnectionState> {
        let mut next = *state;
        let before = state.connection;
        match self.bug {
            Some(ConnectionBug::StuckInOtherError)
                if before.status() == ConnectionStatus::OtherError
                    && !matches!(
                        event,
                        ConnectionEvent::Deactivate | ConnectionEvent::CompanyDeactivated
                    ) =>
            {
                return None;
            }
            Some(ConnectionBug::NeverEscalates) if event == ConnectionEvent::Escalated => {
                return None;
            }
            _ => {}
        }
        match next.connection.apply(event) {
            Ok(t) => log(StepEdge::Connection(t)),
            Err(_) => match self.bug {
                Some(ConnectionBug::ChecksIgnoreHalts) => {
                    // Forces the outcome in, as a scheduler that ignores halts would.
                    let outcome = event.check_outcome()?;
                    next.connection =
                        Connection::from_parts(self.rules, outcome, before.overlays()).ok()?;
                }
                Some(
                    ConnectionBug::ActivateResets
                    | ConnectionBug::StuckInOtherError
                    | ConnectionBug::NeverEscalates,
                )
                | None => return None,
            },
        }
        if event.check_outcome().is_some() && spec_forbids_check(derived_status(&before)) {
            next.check_violated = true;
        }
        if self.bug == Some(ConnectionBug::ActivateResets) && event == ConnectionEvent::Activate {
            forget_held(&mut next.connection);
        }
        if monitor_restore(&mut next.held, event, &before, &next.connection) {
            next.restore_violated = true;
        }
        Some(next)
    }
}

impl Model for ConnectionModel {
    type State = ConnectionState;
    type Action = ConnectionEvent;

    fn init_states(&self) -> Vec<ConnectionState> {
        vec![ConnectionState {
            connection: Connection::new(self.rules),
            held: None,
            restore_violated: false,
            check_violated: false,
        }]
    }

    fn actions(&self, _state: &ConnectionState, actions: &mut Vec<ConnectionEvent>) {
        actions.extend_from_slice(ConnectionEvent::ALL);
    }

    fn next_state(
        &self,
        state: &ConnectionState,
        event: ConnectionEvent,
    ) -> Option<ConnectionState> {
        self.step(state, event, &mut |_| {})
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always(
                "visible status is derived from the flags",
                |_, s: &ConnectionState| s.connection.status() == derived_status(&s.connection),
            ),
            Property::always(
                "activation restores the status held before deactivation",
                |_, s: &ConnectionState| !s.restore_violated,
            ),
            Property::always(
                "no check runs while halted or stopped",
                |_, s: &ConnectionState| !s.check_violated,
            ),
        ]
    }
}
