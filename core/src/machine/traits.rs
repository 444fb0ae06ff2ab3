//! The [`Machine`] trait, sealed: its hooks are crate-private.

use core::fmt;

use super::transition::{Applied, Transition, TransitionRejected};
use crate::enumeration::{EnumSet, Enumerated};
use crate::table::{Rule, Target};

/// The sealed hooks of a machine. The trait is public in a crate-private module, so no
/// dependent can name it, implement [`Machine`] or call [`enter`](Hooks::enter); and
/// `enter` takes a [`Token`] only this crate can make, so it cannot be reached through a
/// generic bound either.
pub(crate) mod sealed {
    use super::{Enumerated, Target, fmt};

    /// Proof that the caller is this crate.
    #[derive(Debug, Clone, Copy)]
    pub struct Token(pub(in crate::machine) ());

    /// The types and the state change of a machine.
    pub trait Hooks {
        /// The visible status type.
        type Status: Enumerated + fmt::Display;
        /// The event type.
        type Event: Enumerated + fmt::Display;
        /// The overlay type: the layers over the machine's own status.
        type Overlay: Enumerated + fmt::Display;

        /// Carries out an event the table allowed, with `target` its rule's target. Called
        /// only by [`Machine::apply`](super::Machine::apply).
        fn enter(
            &mut self,
            event: Self::Event,
            target: Target<Self::Status, Self::Overlay>,
            token: Token,
        );
    }
}

/// What every lifecycle machine offers; generic code (renderers, the model checker) is
/// written against it. Its associated types are `Status`, `Event` and `Overlay`.
///
/// The trait is sealed: only [`Connection`](crate::Connection) and
/// [`Account`](crate::Account) implement it, and the only ways to change a machine are the
/// table's. The hook that carries out an allowed event is not callable from outside:
///
/// ```compile_fail
/// use nectar_lifecycle_core::{Connection, ConnectionEvent, ConnectionStatus, Machine, Rules, Target};
/// let mut c = Connection::new(Rules::Operational);
/// // error: `enter` is not a method a dependent can call
/// Machine::enter(&mut c, ConnectionEvent::AuthSucceeded, Target::Status(ConnectionStatus::Deactivated));
/// ```
///
/// Nor through a generic bound: the hook takes a token only this crate can make.
///
/// ```compile_fail
/// use nectar_lifecycle_core::{Machine, Target};
/// fn force<M: Machine>(m: &mut M, event: M::Event, target: Target<M::Status, M::Overlay>) {
///     m.enter(event, target); // error: the crate-private token is missing
/// }
/// ```
///
/// The same calls through the table compile and are checked:
///
/// ```
/// use nectar_lifecycle_core::{Connection, ConnectionEvent, Machine, Rules};
/// let mut c = Connection::new(Rules::Operational);
/// assert!(Machine::apply(&mut c, ConnectionEvent::AuthSucceeded).is_ok());
/// assert!(c.is_active());
/// ```
///
/// The inherent methods of the two machines are the same functions, so most callers never
/// import this trait.
pub trait Machine: sealed::Hooks + Copy + Eq + fmt::Debug {
    /// The status the API shows for this machine.
    fn status(&self) -> Self::Status;

    /// The table's answer for `event` in this machine's state.
    fn rule(&self, event: Self::Event) -> Option<Rule<Self::Status, Self::Overlay>>;

    /// Every event the machine accepts in its current state (a table lookup).
    fn allowed_events(&self) -> EnumSet<Self::Event>;

    /// Applies `event`: on success the edge taken; on rejection a typed error naming the edge
    /// and what was allowed, with the machine left unchanged.
    ///
    /// # Errors
    /// [`TransitionRejected`] when the table does not allow `event` from the visible status.
    fn apply(&mut self, event: Self::Event) -> Applied<Self::Status, Self::Event> {
        let from = self.status();
        match self.rule(event) {
            Some(rule) => {
                self.enter(event, rule.target, sealed::Token(()));
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
}

/// Every edge a machine allows, found by applying every event to every valid state of the
/// machine, deduplicated and sorted. A lifted overlay's edges appear once per status it can
/// uncover.
pub(super) fn edges_of<M: Machine>(
    states: impl IntoIterator<Item = M>,
) -> Vec<Transition<M::Status, M::Event>> {
    let mut edges: Vec<_> = states
        .into_iter()
        .flat_map(|state| {
            M::Event::ALL.iter().filter_map(move |&event| {
                let mut next = state;
                next.apply(event).ok()
            })
        })
        .collect();
    edges.sort_unstable();
    edges.dedup();
    edges
}
