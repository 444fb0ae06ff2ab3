//! The two machines, a [`Connection`] and one of its [`Account`]s, the [`Machine`] trait
//! they share, and the result of applying an event ([`Transition`] or
//! [`TransitionRejected`]).
//!
//! Both machines are plain `Copy` data: no allocation, no interior mutability, `Send +
//! Sync`, and serde-serializable so a caller can persist one and resume it. The only ways to
//! change one from outside are the table's: `apply` and, for an account,
//! [`follow_parent`](Account::follow_parent). Every constructor and the deserializer check
//! the machine's invariants ([`InvalidState`]), so a stored machine can never resume in a
//! state the table could not reach.
//!
//! A [`Connection`] is the index of its state in a table of every valid connection state,
//! computed at compile time (the private `state_table` module documents its design: where
//! it is computed, how states are indexed, the `const` assertions that guard it). Its
//! `apply` is one lookup there: the next state, the edge to return or the rejection's
//! allowed set, all precomputed per `(state, event)`.

mod account;
mod connection;
mod invalid;
mod state_table;
mod traits;
mod transition;

pub use account::Account;
pub use connection::Connection;
pub use invalid::InvalidState;
pub use traits::Machine;
pub use transition::{
    AccountRejected, Applied, ConnectionRejected, Transition, TransitionRejected,
};
