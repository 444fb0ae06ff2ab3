//! The pure core of `nectar-lifecycle`: Nectar Climate's utility-connection lifecycle as
//! data and functions.
//!
//! # Contract
//!
//! Everything here is pure and deterministic: no I/O, no clock, no threads, no global mutable
//! state, and no allocation on the hot paths. Functions that need the time take it as an
//! argument. Machines change only through the transition table, and every constructor and
//! deserializer validates, so no public path leads to a state the table could not reach.
//!
//! # Errors and bugs
//!
//! Every input has an answer: a bad value is a typed error that names it, never a panic. A
//! panic in this crate is a bug, never a reaction to input. Facts the code relies on (every
//! credential error has a drawn exit, no lifecycle move targets an overlay) are made
//! impossible to break by their types, or checked at compile time, and are backed by
//! exhaustive tests over every state and event.
//!
//! # Where to start
//!
//! * [`Connection`] and [`Account`]: `new`, then `apply(event)`, which returns the
//!   [`Transition`] taken or a [`TransitionRejected`] naming what was allowed.
//! * [`ConnectionStatus`], [`AccountStatus`], [`TrackingStatus`]: the API's values.
//! * [`ConnectionOverlay`], [`AccountOverlay`]: the layers that cover a status and restore it.
//! * [`table`]: the one transition table, with the provenance of every edge.
//! * [`policy`], [`remediation`], [`invitation`]: what each status asks of an integrator.
//! * [`render`]: the allowed transitions as Mermaid, DOT, SVG and Markdown.
//! * [`manual`]: the design decisions, each once, where the spec is silent.
//!
//! ```
//! use nectar_lifecycle_core::{Connection, ConnectionEvent as E, ConnectionStatus as S, Rules};
//!
//! let mut conn = Connection::new(Rules::Operational);
//! conn.apply(E::AuthSucceeded)?;
//! let t = conn.apply(E::PasswordChanged)?;
//! assert_eq!((t.from, t.to), (S::Connected, S::PasswordIncorrect));
//! assert!(t.to.is_credential_error());
//!
//! // A weekly check does not run while the user must act:
//! let err = conn.apply(E::WeeklyCheckPassed).unwrap_err();
//! assert_eq!(err.allowed.iter().next(), Some(E::CredentialsUpdated));
//! # Ok::<(), nectar_lifecycle_core::ConnectionRejected>(())
//! ```

// Library code never panics on input; tests may.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod enumeration;
mod event;
pub mod invitation;
mod machine;
pub mod manual;
mod observed;
mod overlay;
pub mod policy;
pub mod remediation;
pub mod render;
mod status;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod table;

pub use enumeration::{EnumSet, Enumerated};
pub use event::{AccountEvent, ConnectionEvent, EventOrigin};
pub use machine::{
    Account, AccountRejected, Applied, Connection, ConnectionRejected, InvalidState, Machine,
    Transition, TransitionRejected,
};
pub use observed::{ObservedAccount, ObservedConnection, ObservedRejected, ObservedTransition};
pub use overlay::{AccountOverlay, ConnectionOverlay, OverlayChange};
pub use status::{
    AccountCategory, AccountStatus, ConnectionCategory, ConnectionStatus, ParseStatusError,
    TrackingStatus, WireKind,
};
pub use table::{
    AccountRule, ConnectionRule, DIAGRAM, Inference, Provenance, Rule, Rules, Target, account_rule,
    connection_rule,
};
