//! The inference principles, as the functions that decide the inferred cells.

use super::provenance::{Inference, Provenance};
use super::rule::{AccountRule, ConnectionRule, Rule, Target};
use crate::event::{AccountEvent, ConnectionEvent, EventOrigin};
use crate::overlay::{AccountOverlay, OverlayChange};
use crate::status::{AccountStatus, ConnectionCategory, ConnectionStatus};

const fn inferred<S, O>(target: Target<S, O>, inference: Inference) -> Option<Rule<S, O>> {
    Some(Rule {
        target,
        provenance: Provenance::Inferred(inference),
    })
}

/// The edges the [`Operational`](super::Rules::Operational) rules add to the diagram, for a
/// lifecycle event (not an overlay change).
pub(super) const fn connection_cell(
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<ConnectionRule> {
    use ConnectionEvent as E;
    use ConnectionStatus as S;
    match event.origin() {
        EventOrigin::Check => {
            // A check runs from `from` and ends in the event's outcome, and the event is the
            // word the naming principle gives that (from, outcome) pair.
            let Some(outcome) = event.check_outcome() else {
                return None;
            };
            let Some(named) = E::for_check(from, outcome) else {
                return None;
            };
            if named as u8 != event as u8 {
                return None;
            }
            let inference = if matches!(from, S::Pending) {
                Inference::FirstCheckOutcome
            } else {
                Inference::WeeklyCheckOutcome
            };
            inferred(Target::Status(outcome), inference)
        }
        EventOrigin::NectarTeam => {
            // The diagram escalates OTHER_ERROR; every provider error goes to support when
            // it persists, and support investigates.
            if matches!(event, E::Escalated)
                && matches!(from.category(), ConnectionCategory::ProviderError)
            {
                inferred(
                    Target::Status(S::UnderInvestigation),
                    Inference::SupportEscalation,
                )
            } else {
                None
            }
        }
        // The user's actions resume exactly the credential error they fix, as drawn.
        EventOrigin::EndUser
        | EventOrigin::Integrator
        | EventOrigin::ParentConnection
        | EventOrigin::Company => None,
    }
}

/// A pull outcome: collected from an own status that is not terminal (an overlay means the
/// account is not pulled; `OLD_ACCOUNT` and `DUPLICATE` are never re-checked).
pub(super) const fn collection_cell(
    from: AccountStatus,
    event: AccountEvent,
) -> Option<AccountRule> {
    match event.outcome() {
        Some(outcome) if AccountOverlay::of(from).is_none() && !from.is_terminal() => {
            inferred(Target::Status(outcome), Inference::AccountCollection)
        }
        Some(_) | None => None,
    }
}

/// Confirming tracking on an account that shows `from` and is not untracked: it records the
/// decision (`UNSET` becomes `ENABLED`) and onboards a detected account. (On an untracked
/// account, confirming lifts `CUSTOMER_NOT_TRACKED`: an overlay change.)
pub(super) const fn confirm_tracked(from: AccountStatus) -> Option<AccountRule> {
    let to = match from {
        AccountStatus::Detected => AccountStatus::Onboarded,
        other => other,
    };
    inferred(Target::Status(to), Inference::TrackingIntent)
}

/// The tracking overlay's changes carry the tracking-intent provenance.
pub(super) const fn tracking_change(change: OverlayChange<AccountOverlay>) -> Option<AccountRule> {
    inferred(Target::Overlay(change), Inference::TrackingIntent)
}
