//! Nectar Climate's utility-connection lifecycle as a pure, formally checked state machine.
//!
//! # Contract
//!
//! Everything here is pure and deterministic: no I/O, no clock, no threads, no global
//! mutable state, no allocation on the hot paths, and no panic on any input. Functions that
//! need the time take it as an argument.
//!
//! # The API in families
//!
//! * **Wire types**: [`ConnectionStatus`] (13 values), [`AccountStatus`] (12),
//!   [`TrackingStatus`] (3), each parsed from and written as the exact API string, each with
//!   a category ([`ConnectionCategory`], [`AccountCategory`]).
//! * **Events**: [`ConnectionEvent`], named after the published diagram's labels, and
//!   [`AccountEvent`]; each knows its [`EventOrigin`].
//! * **The table**: [`connection_rule`] and [`account_rule`] answer every
//!   `(status, event)` pair under a rule set ([`Rules::Documented`] or
//!   [`Rules::Operational`]); each allowed edge carries its [`Provenance`]. See
//!   [`table`] for how the edges are derived.
//! * **Machines**: [`Connection`] and [`Account`], built with `new`, moved with
//!   `apply(event)`, which returns the [`Transition`] taken or a [`TransitionRejected`] naming
//!   the rejected edge and what was allowed.
//! * **Policy queries** (pure functions of a machine and `now`, a [`jiff::Timestamp`]):
//!   [`policy`] (weekly checks, credential halts, [`policy::next_check_due`], the fleet
//!   [`policy::schedule`]r), [`remediation`] (what to do about each status, and who must
//!   act) and [`invitation`] (reconnect invitations and their status).
//! * **Renderers**: [`render`] draws the allowed transitions as Mermaid, DOT or Markdown,
//!   from the table itself.
//! * **Webhooks**: [`webhook`] parses `connection.*.v2` bodies with forward-compatible
//!   statuses, judges observed changes, and reconciles at-least-once, unordered delivery.
//! * **Verification**: [`verify`] (the `verify` feature) checks Svix / Standard Webhooks
//!   signatures from the raw body, any header pairs, the secret(s) and `now`, with a replay
//!   window, and signs for test doubles.
//! * **Strategies** for dependents' property tests, behind the `proptest` cargo feature:
//!   `strategies` (any status or event, valid paths, reachable machine states).
//!
//! ```
//! use nectar_lifecycle::{Connection, ConnectionEvent as E, ConnectionStatus as S, Rules};
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
//! # Ok::<(), nectar_lifecycle::ConnectionRejected>(())
//! ```
//!
//! # Why the status enums are exhaustive
//!
//! The status enums are not `#[non_exhaustive]`, on purpose. When Nectar adds a status, a
//! new major version of this crate adds the variant, and every dependent's `match` fails to
//! compile exactly where the new status must be handled: the lifecycle is the kind of code
//! where a silent `_ => {}` is a bug. Forward compatibility *at run time* belongs to the
//! webhook layer, which keeps unknown values as data instead of failing the payload.
//!
//! # Decisions where the spec is silent
//!
//! * **Overlays.** `DEACTIVATED` and `COMPANY_INACTIVE` are not places in the graph: a
//!   [`Connection`] keeps its operational status underneath, and the visible status is
//!   derived with `COMPANY_INACTIVE` over `DEACTIVATED` over the operational status.
//!   Activation restores exactly the status held before. An overlay event is accepted only
//!   when it changes the visible status, so `isActive` cannot be toggled while the company
//!   is inactive, and deactivating twice is rejected.
//! * **Accounts.** `CUSTOMER_NOT_TRACKED`, `WORKFLOW_NOT_ACCESSIBLE` and `COMPANY_INACTIVE`
//!   are overlays too, with precedence `COMPANY_INACTIVE` > `CUSTOMER_NOT_TRACKED` >
//!   `WORKFLOW_NOT_ACCESSIBLE` > own status. `OLD_ACCOUNT` and `DUPLICATE` are absorbing.
//!   `UNSET` tracking counts as tracked, so a `DETECTED` account is pulled.
//! * **Alias.** `INCORRECT_PASSWORD` (Nectar's sandbox pages) parses as
//!   [`ConnectionStatus::PasswordIncorrect`]; the crate always writes `PASSWORD_INCORRECT`.
//! * **Inferred edges** follow from written principles, listed with their edges in the
//!   README and in [`Inference`].

// Library code never panics on input; tests may.
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

/// Declares a closed, fieldless enum with the derives every enum of the crate shares:
/// value semantics, a total order (declaration order, the crate's sort order for generated
/// output), and strum's iteration, count and variant array.
macro_rules! closed_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::strum::EnumIter, ::strum::EnumCount, ::strum::VariantArray,
        )]
        $vis enum $name { $($body)* }
    };
}

mod error;
mod event;
pub mod invitation;
mod machine;
pub mod policy;
pub mod remediation;
pub mod render;
mod status;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod table;
#[cfg(feature = "verify")]
pub mod verify;
pub mod webhook;

pub use error::{InvalidState, ParseStatusError, TransitionRejected, WireKind};
pub use event::{AccountEvent, ConnectionEvent, EventOrigin, EventSet};
pub use machine::{Account, AccountRejected, Applied, Connection, ConnectionRejected, Machine};
pub use status::{
    AccountCategory, AccountStatus, ConnectionCategory, ConnectionStatus, Enumerated,
    TrackingStatus,
};
pub use table::{
    DIAGRAM, Inference, Provenance, Rule, Rules, Target, Transition, account_rule, connection_rule,
};

// The README's examples are compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
