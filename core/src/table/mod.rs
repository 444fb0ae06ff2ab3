//! The transition table: the single source of truth for what may happen next.
//!
//! Every `(visible status, event)` pair has an answer, a [`Rule`] or `None` ("not allowed"),
//! for connections under each [`Rules`] set and for accounts. The answers are computed at
//! compile time into flat arrays, so a lookup is two array indexations.
//!
//! # Where the edges come from
//!
//! * **Diagram** edges are the 22 edges of Nectar's published diagram, kept as data in
//!   [`DIAGRAM`].
//! * **System** edges raise and lift the overlays ([`ConnectionOverlay`](crate::ConnectionOverlay), [`AccountOverlay`](crate::AccountOverlay)), under one principle for
//!   both machines: an overlay change is accepted only when it changes the visible status
//!   (see [the manual](crate::manual#overlays)).
//! * **Inferred** edges (the [`Operational`](Rules::Operational) rule set only, and every
//!   account edge) follow from the status tables and the check-frequency rules; each carries
//!   its [`Inference`], whose [`reason`](Inference::reason) is the one-line justification.
//!   The principles are listed in [the manual](crate::manual#inferred-edges).
//!
//! No function that decides a cell has a wildcard arm over statuses or events: adding a
//! status or an event fails to compile until each of them decides about it.

mod build;
mod diagram;
mod inference;
mod provenance;
mod rule;

pub(crate) use build::{
    account_allowed, connection_allowed_bits, connection_cell_at, resuming_action,
};
pub use build::{account_rule, connection_edge, connection_rule};
pub use diagram::DIAGRAM;
pub use provenance::{Inference, Provenance};
pub use rule::{AccountRule, ConnectionRule, Rule, Rules, Target};
