//! The verdict on an observed status change, with what to do about the new status.

use core::fmt;

use serde::Serialize;

use crate::payload::{Reported, Webhook};
use nectar_lifecycle_core::remediation::{
    IntegrationAdvice, Remediation, integration_advice, remediation,
};
use nectar_lifecycle_core::table::connection_edge;
use nectar_lifecycle_core::{
    ConnectionCategory, ConnectionEvent, ConnectionStatus, Inference, Provenance, Rules,
};

/// How an observed change `old -> new` relates to the lifecycle.
///
/// Nectar calls its diagram a "general lifecycle", so a change neither rule set allows is
/// flagged ([`Unlisted`](Self::Unlisted)), never rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum Verdict {
    /// The event does not say the status changed (no `old.status`), or it did not.
    NoStatusChange,
    /// Allowed by the published diagram (or a system overlay), by this event.
    Documented {
        /// The event that explains the change.
        event: ConnectionEvent,
        /// `Diagram` or `System`.
        provenance: Provenance,
    },
    /// Allowed only by the operational rules, for the stored reason.
    OperationalOnly {
        /// The event that explains the change.
        event: ConnectionEvent,
        /// The principle behind the edge.
        inference: Inference,
        /// [`Inference::reason`].
        reason: &'static str,
    },
    /// Allowed by neither rule set: worth a look, but Nectar's diagram is not exhaustive.
    Unlisted {
        /// The status before.
        from: ConnectionStatus,
        /// The status after.
        to: ConnectionStatus,
    },
    /// One of the statuses is unknown to this crate (a newer Nectar status).
    UnknownStatus {
        /// The status before, as received.
        from: String,
        /// The status after, as received.
        to: String,
    },
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoStatusChange => f.write_str("no status change"),
            Self::Documented { event, provenance } => {
                write!(f, "documented ({provenance} edge, {})", event.label())
            }
            Self::OperationalOnly { event, reason, .. } => {
                write!(f, "operational only ({}): {reason}", event.label())
            }
            Self::Unlisted { from, to } => {
                write!(f, "unlisted: no rule takes {from} to {to}")
            }
            Self::UnknownStatus { from, to } => {
                write!(f, "unknown status involved: {from} -> {to}")
            }
        }
    }
}

/// The verdict on a change, and what the new status means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// How the change relates to the lifecycle.
    pub verdict: Verdict,
    /// The new status's category (`None` if unknown).
    pub category: Option<ConnectionCategory>,
    /// What to do about the new status (`None` if unknown), for its first occurrence.
    pub remediation: Option<Remediation>,
    /// Collection is halted until the end user acts (a credential error).
    pub collection_halted: bool,
    /// Collection is stopped by the system (`DEACTIVATED`, `COMPANY_INACTIVE`).
    pub collection_stopped: bool,
    /// The spec's integration pattern for this change (`None` if a status is unknown).
    pub advice: Option<IntegrationAdvice>,
}

/// Judges an observed change of connection status. `old` is `None` when the event does not
/// carry the previous status.
///
/// ```
/// use nectar_lifecycle_core::{ConnectionStatus as S, Inference};
/// use nectar_lifecycle_webhook::{Reported, Verdict};
/// use nectar_lifecycle_webhook::Assessment;
///
/// let a = Assessment::of(Some(&S::Connected.into()), &S::PasswordIncorrect.into());
/// assert!(matches!(a.verdict, Verdict::Documented { .. }));
/// assert!(a.collection_halted);
///
/// let a = Assessment::of(Some(&S::WebsiteDown.into()), &S::WebsiteDown.into());
/// assert_eq!(a.verdict, Verdict::NoStatusChange);
///
/// let a = Assessment::of(Some(&S::Connected.into()), &S::UrlInaccessible.into());
/// assert!(matches!(a.verdict, Verdict::OperationalOnly { inference: Inference::WeeklyCheckOutcome, .. }));
///
/// let a = Assessment::of(Some(&S::Connected.into()), &Reported::Unknown("PAUSED".into()));
/// assert!(matches!(a.verdict, Verdict::UnknownStatus { .. }));
/// ```
impl Assessment {
    /// See the type's docs.
    #[must_use]
    pub fn of(old: Option<&Reported<ConnectionStatus>>, new: &Reported<ConnectionStatus>) -> Self {
        let known_new = new.known();
        let verdict = match (old, known_new) {
            (None, _) => Verdict::NoStatusChange,
            (Some(old), _) if old == new => Verdict::NoStatusChange,
            (Some(Reported::Known(from)), Some(to)) => verdict(*from, to),
            (Some(old), _) => Verdict::UnknownStatus {
                from: old.as_str().to_owned(),
                to: new.as_str().to_owned(),
            },
        };
        let advice = match (old.map(Reported::known), known_new) {
            (None, Some(to)) => Some(integration_advice(None, to)),
            (Some(Some(from)), Some(to)) => Some(integration_advice(Some(from), to)),
            (Some(None), _) | (_, None) => None,
        };
        Self {
            verdict,
            category: known_new.map(ConnectionStatus::category),
            remediation: known_new.map(|s| remediation(s, 1)),
            collection_halted: known_new.is_some_and(ConnectionStatus::is_credential_error),
            collection_stopped: known_new.is_some_and(|s| !s.is_operational()),
            advice,
        }
    }
}

fn verdict(from: ConnectionStatus, to: ConnectionStatus) -> Verdict {
    if let Some((event, provenance)) = connection_edge(Rules::Documented, from, to) {
        return Verdict::Documented { event, provenance };
    }
    match connection_edge(Rules::Operational, from, to) {
        Some((event, Provenance::Inferred(inference))) => Verdict::OperationalOnly {
            event,
            inference,
            reason: inference.reason(),
        },
        // Documented is a subset of Operational, so only inferred edges are left here.
        Some((_, Provenance::Diagram | Provenance::System)) | None => {
            Verdict::Unlisted { from, to }
        }
    }
}

impl Webhook {
    /// The assessment of this event's change: `old.status -> status`.
    #[must_use]
    pub fn assess(&self) -> Assessment {
        Assessment::of(self.previous_status(), &self.connection.status)
    }
}
