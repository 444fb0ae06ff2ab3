//! Why an edge is in the table.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::closed_enum;

/// Why an edge is in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "inference")]
pub enum Provenance {
    /// Drawn in the published diagram.
    Diagram,
    /// Implied by the status tables or the check rules, for the stated reason.
    Inferred(Inference),
    /// An overlay raised or lifted by the integrator, the parent connection or the company.
    System,
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Diagram => f.write_str("diagram"),
            Self::Inferred(_) => f.write_str("inferred"),
            Self::System => f.write_str("system"),
        }
    }
}

closed_enum! {
    /// The principle an inferred edge follows. Each principle generates a family of edges;
    /// [the manual](crate::manual#inferred-edges) lists them.
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Inference {
        /// The first check can end in any check outcome; the diagram draws five of the nine.
        FirstCheckOutcome,
        /// The check rules retry this status weekly, and a weekly check can end in any check
        /// outcome, including the same status again.
        WeeklyCheckOutcome,
        /// The tables send a persistent provider error to Nectar support, which investigates.
        SupportEscalation,
        /// A tracked account is pulled with its connection, and a pull can end in any outcome.
        AccountCollection,
        /// `trackingStatus` is user intent: confirming tracks the account, rejecting shows
        /// `CUSTOMER_NOT_TRACKED`, re-enabling restores what it covered.
        TrackingIntent,
    }
}

impl Inference {
    /// The one-line reason for every edge this principle generates.
    ///
    /// ```
    /// use nectar_lifecycle_core::Inference;
    /// assert!(Inference::SupportEscalation.reason().contains("support"));
    /// ```
    #[must_use]
    pub const fn reason(self) -> &'static str {
        match self {
            Self::FirstCheckOutcome => {
                "the first check can end in any check outcome; the diagram draws five of the nine"
            }
            Self::WeeklyCheckOutcome => {
                "the check rules retry this status weekly, and a weekly check can end in any check outcome"
            }
            Self::SupportEscalation => {
                "the tables send a persistent provider error to Nectar support, which investigates it"
            }
            Self::AccountCollection => {
                "a tracked account is pulled with its connection, and a pull can end in any account outcome"
            }
            Self::TrackingIntent => {
                "trackingStatus is user intent: DISABLED reads CUSTOMER_NOT_TRACKED, ENABLED tracks (and onboards) the account"
            }
        }
    }
}
