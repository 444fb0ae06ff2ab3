//! The table's answer for one cell: a [`Rule`], under a [`Rules`] set.

use serde::{Deserialize, Serialize};

use super::provenance::Provenance;
use crate::closed_enum;
use crate::overlay::{AccountOverlay, ConnectionOverlay, OverlayChange};
use crate::status::{AccountStatus, ConnectionStatus};

closed_enum! {
    /// Which connection edges are allowed.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Connection, ConnectionEvent as E, Rules};
    /// // The published diagram never enters ADDITIONAL_CREDENTIALS_NEEDED ...
    /// assert!(Connection::new(Rules::Documented).apply(E::AdditionalVerificationRequired).is_err());
    /// // ... but the status tables describe it, so the operational rules do.
    /// assert!(Connection::new(Rules::Operational).apply(E::AdditionalVerificationRequired).is_ok());
    /// ```
    #[derive(Default, Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Rules {
        /// Exactly the published diagram's 22 edges, plus the overlays.
        Documented,
        /// Everything Nectar's connections can do: the diagram, the overlays and the edges the
        /// status tables and check rules imply. The default.
        #[default]
        Operational,
    }
}

/// Where an allowed event leads.
///
/// `S` is the machine's status type, `O` its overlay type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target<S, O> {
    /// The lifecycle moves: this visible status.
    Status(S),
    /// An overlay is raised (its status shows) or lifted (what it covered shows again, which
    /// depends on the machine's state).
    Overlay(OverlayChange<O>),
}

/// The answer of the table for an allowed `(status, event)` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rule<S, O> {
    /// Where the event leads.
    pub target: Target<S, O>,
    /// Why the edge exists.
    pub provenance: Provenance,
}

/// A connection's rule.
pub type ConnectionRule = Rule<ConnectionStatus, ConnectionOverlay>;
/// An account's rule.
pub type AccountRule = Rule<AccountStatus, AccountOverlay>;
