//! The compile-time build of the table: every cell decided once, the lookups, and the
//! facts read off the cells (allowed sets, resuming actions).

use strum::{EnumCount, VariantArray};

use super::diagram::diagram_target;
use super::inference;
use super::provenance::Provenance;
use super::rule::{AccountRule, ConnectionRule, Rule, Rules, Target};
use crate::enumeration::EnumSet;
use crate::event::{AccountEvent, ConnectionEvent, EventOrigin};
use crate::overlay::{AccountOverlay, ConnectionOverlay, OverlayChange};
use crate::status::{AccountStatus, ConnectionStatus};

/// The table's answer for a connection showing `from` when `event` happens.
///
/// A constant-time lookup into a table computed at compile time.
///
/// ```
/// use nectar_lifecycle_core::{connection_rule, ConnectionEvent as E, ConnectionStatus as S};
/// use nectar_lifecycle_core::{ConnectionOverlay as O, Inference, OverlayChange, Provenance, Rules, Target};
///
/// let rule = connection_rule(Rules::Documented, S::Connected, E::PasswordChanged).unwrap();
/// assert_eq!(rule.target, Target::Status(S::PasswordIncorrect));
/// assert_eq!(rule.provenance, Provenance::Diagram);
///
/// let rule = connection_rule(Rules::Operational, S::WebsiteDown, E::ProviderUnavailable).unwrap();
/// assert_eq!(rule.provenance, Provenance::Inferred(Inference::WeeklyCheckOutcome));
///
/// assert_eq!(connection_rule(Rules::Operational, S::Deactivated, E::Activate).unwrap().target,
///            Target::Overlay(OverlayChange::Lift(O::Deactivated)));
/// assert!(connection_rule(Rules::Operational, S::PasswordIncorrect, E::WeeklyCheckPassed).is_none());
/// ```
#[must_use]
#[inline]
pub fn connection_rule(
    rules: Rules,
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<ConnectionRule> {
    CONNECTION_TABLE[rules as usize][from as usize][event as usize]
}

/// The table's answer for an account showing `from` when `event` happens.
///
/// Nectar publishes no account diagram, so accounts have one rule set: every edge is
/// inferred from the account status table and Nectar's account docs, or is an overlay change.
///
/// ```
/// use nectar_lifecycle_core::{account_rule, AccountEvent as E, AccountStatus as S, Target};
/// assert_eq!(account_rule(S::Detected, E::Confirmed).unwrap().target, Target::Status(S::Onboarded));
/// assert!(account_rule(S::OldAccount, E::PullCompleted).is_none()); // terminal
/// ```
#[must_use]
#[inline]
pub fn account_rule(from: AccountStatus, event: AccountEvent) -> Option<AccountRule> {
    ACCOUNT_TABLE[from as usize][event as usize]
}

/// Whether `rules` allow a connection to go from visible status `from` to `to`, and by
/// which event: the drawn edge if there is one, else the first allowed event in declaration
/// order. Lifting an overlay counts for every status it can uncover (anything shown below
/// it). This is how an observed change, which carries no event, is judged.
///
/// ```
/// use nectar_lifecycle_core::{table::connection_edge, ConnectionEvent as E, ConnectionStatus as S};
/// use nectar_lifecycle_core::{Provenance, Rules};
///
/// assert_eq!(connection_edge(Rules::Documented, S::Pending, S::Connected),
///            Some((E::AuthSucceeded, Provenance::Diagram)));
/// assert_eq!(connection_edge(Rules::Documented, S::Deactivated, S::WebsiteDown),
///            Some((E::Activate, Provenance::System)));
/// assert_eq!(connection_edge(Rules::Documented, S::Pending, S::NoAccountsFound), None);
/// assert!(connection_edge(Rules::Operational, S::Pending, S::NoAccountsFound).is_some());
/// ```
#[must_use]
pub fn connection_edge(
    rules: Rules,
    from: ConnectionStatus,
    to: ConnectionStatus,
) -> Option<(ConnectionEvent, Provenance)> {
    let mut found = None;
    for &event in <ConnectionEvent as VariantArray>::VARIANTS {
        let Some(rule) = connection_rule(rules, from, event) else {
            continue;
        };
        let reaches = match rule.target {
            Target::Status(target) => target == to,
            Target::Overlay(OverlayChange::Raise(overlay)) => overlay.status() == to,
            Target::Overlay(OverlayChange::Lift(overlay)) => {
                ConnectionOverlay::of(to) < Some(overlay)
            }
        };
        if reaches {
            if rule.provenance == Provenance::Diagram {
                return Some((event, rule.provenance));
            }
            found = found.or(Some((event, rule.provenance)));
        }
    }
    found
}

type ConnectionRow = [Option<ConnectionRule>; ConnectionEvent::COUNT];
type AccountRow = [Option<AccountRule>; AccountEvent::COUNT];

/// Every cell of the connection table, decided once at compile time; the lookup table, the
/// allowed sets and the resuming and lifting events are all read off it.
const CONNECTION_CELLS: [[ConnectionRow; ConnectionStatus::COUNT]; Rules::COUNT] = {
    let mut table = [[[None; ConnectionEvent::COUNT]; ConnectionStatus::COUNT]; Rules::COUNT];
    let mut r = 0;
    while r < Rules::COUNT {
        let mut s = 0;
        while s < ConnectionStatus::COUNT {
            let mut e = 0;
            while e < ConnectionEvent::COUNT {
                table[r][s][e] = connection_cell(
                    Rules::VARIANTS[r],
                    ConnectionStatus::VARIANTS[s],
                    ConnectionEvent::VARIANTS[e],
                );
                e += 1;
            }
            s += 1;
        }
        r += 1;
    }
    table
};

/// Every cell of the account table, decided once at compile time.
const ACCOUNT_CELLS: [AccountRow; AccountStatus::COUNT] = {
    let mut table = [[None; AccountEvent::COUNT]; AccountStatus::COUNT];
    let mut s = 0;
    while s < AccountStatus::COUNT {
        let mut e = 0;
        while e < AccountEvent::COUNT {
            table[s][e] = account_cell(AccountStatus::VARIANTS[s], AccountEvent::VARIANTS[e]);
            e += 1;
        }
        s += 1;
    }
    table
};

static CONNECTION_TABLE: [[ConnectionRow; ConnectionStatus::COUNT]; Rules::COUNT] =
    CONNECTION_CELLS;
static ACCOUNT_TABLE: [AccountRow; AccountStatus::COUNT] = ACCOUNT_CELLS;

/// The allowed events of one row, as the bits of an [`EnumSet`].
const fn row_bits<S: Copy, O: Copy, const N: usize>(row: &[Option<Rule<S, O>>; N]) -> u64 {
    let mut bits = 0;
    let mut e = 0;
    while e < N {
        if row[e].is_some() {
            bits |= 1 << e;
        }
        e += 1;
    }
    bits
}

/// The bit set of events allowed from each account status: `allowed_events` and the
/// `allowed` field of a rejection are one lookup, not a scan of the row. (A connection's are
/// in its state table, `machine::state_table`.)
static ACCOUNT_ALLOWED: [u64; AccountStatus::COUNT] = {
    let mut bits = [0u64; AccountStatus::COUNT];
    let mut s = 0;
    while s < AccountStatus::COUNT {
        bits[s] = row_bits(&ACCOUNT_CELLS[s]);
        s += 1;
    }
    bits
};

/// The table's answer for a connection showing `from` when `event` happens, in a `const`
/// context: the machine's state table is built from it at compile time.
pub(crate) const fn connection_cell_at(
    rules: Rules,
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<ConnectionRule> {
    CONNECTION_CELLS[rules as usize][from as usize][event as usize]
}

/// The bits of the events allowed from `from` under `rules`, in a `const` context.
pub(crate) const fn connection_allowed_bits(rules: Rules, from: ConnectionStatus) -> u64 {
    row_bits(&CONNECTION_CELLS[rules as usize][from as usize])
}

/// The events allowed from account status `from`.
pub(crate) fn account_allowed(from: AccountStatus) -> EnumSet<AccountEvent> {
    EnumSet::from_bits(ACCOUNT_ALLOWED[from as usize])
}

/// For each connection status, the first documented edge out of it that is an end user's
/// action: the action that resumes a credential error, read off the documented cells.
const RESUMING_ACTION: [Option<ConnectionEvent>; ConnectionStatus::COUNT] = {
    let cells = &CONNECTION_CELLS[Rules::Documented as usize];
    let mut out = [None; ConnectionStatus::COUNT];
    let mut s = 0;
    while s < ConnectionStatus::COUNT {
        let mut e = 0;
        while e < ConnectionEvent::COUNT && out[s].is_none() {
            let event = ConnectionEvent::VARIANTS[e];
            if cells[s][e].is_some() && matches!(event.origin(), EventOrigin::EndUser) {
                out[s] = Some(event);
            }
            e += 1;
        }
        s += 1;
    }
    out
};

// Checked at compile time: exactly the credential errors have a resuming action, so
// `resuming_action` is `Some` exactly for them.
const _: () = {
    let mut s = 0;
    while s < ConnectionStatus::COUNT {
        let status = ConnectionStatus::VARIANTS[s];
        assert!(
            RESUMING_ACTION[s].is_some() == status.is_credential_error(),
            "the documented diagram draws one user action out of each credential error, and only there"
        );
        s += 1;
    }
};

/// The end user's action the diagram draws out of `status`: `Some` exactly for the four
/// credential errors (checked at compile time).
pub(crate) const fn resuming_action(status: ConnectionStatus) -> Option<ConnectionEvent> {
    RESUMING_ACTION[status as usize]
}

// Checked at compile time: a lifecycle move never targets an overlay status; overlays are
// reached only by raising them.
const _: () = {
    let mut r = 0;
    while r < Rules::COUNT {
        let mut s = 0;
        while s < ConnectionStatus::COUNT {
            let mut e = 0;
            while e < ConnectionEvent::COUNT {
                if let Some(Rule {
                    target: Target::Status(to),
                    ..
                }) = CONNECTION_CELLS[r][s][e]
                {
                    assert!(
                        to.is_operational(),
                        "a lifecycle move into an overlay status"
                    );
                }
                e += 1;
            }
            s += 1;
        }
        r += 1;
    }
};

/// The overlay principle shared by both machines: raise an overlay only above what shows,
/// lift only the overlay that shows. Positions are declaration order (the precedence).
const fn overlay_allowed(shown: Option<usize>, change: OverlayChange<usize>) -> bool {
    match (change, shown) {
        (OverlayChange::Raise(overlay), Some(shown)) => shown < overlay,
        (OverlayChange::Raise(_), None) => true,
        (OverlayChange::Lift(overlay), Some(shown)) => shown == overlay,
        (OverlayChange::Lift(_), None) => false,
    }
}

const fn connection_positions(change: OverlayChange<ConnectionOverlay>) -> OverlayChange<usize> {
    match change {
        OverlayChange::Raise(o) => OverlayChange::Raise(o as usize),
        OverlayChange::Lift(o) => OverlayChange::Lift(o as usize),
    }
}

const fn account_positions(change: OverlayChange<AccountOverlay>) -> OverlayChange<usize> {
    match change {
        OverlayChange::Raise(o) => OverlayChange::Raise(o as usize),
        OverlayChange::Lift(o) => OverlayChange::Lift(o as usize),
    }
}

const fn system<S, O>(change: OverlayChange<O>) -> Option<Rule<S, O>> {
    Some(Rule {
        target: Target::Overlay(change),
        provenance: Provenance::System,
    })
}

const fn connection_cell(
    rules: Rules,
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<ConnectionRule> {
    if let Some(change) = event.overlay_change() {
        let shown = match ConnectionOverlay::of(from) {
            Some(o) => Some(o as usize),
            None => None,
        };
        return if overlay_allowed(shown, connection_positions(change)) {
            system(change)
        } else {
            None
        };
    }
    // A lifecycle event: drawn, inferred, or not allowed.
    if let Some(to) = diagram_target(from, event) {
        return Some(Rule {
            target: Target::Status(to),
            provenance: Provenance::Diagram,
        });
    }
    match rules {
        Rules::Documented => None,
        Rules::Operational => inference::connection_cell(from, event),
    }
}

const fn account_cell(from: AccountStatus, event: AccountEvent) -> Option<AccountRule> {
    let shown = match AccountOverlay::of(from) {
        Some(o) => Some(o as usize),
        None => None,
    };
    let Some(change) = event.overlay_change() else {
        return inference::collection_cell(from, event);
    };
    let tracking = matches!(change.overlay(), AccountOverlay::CustomerNotTracked);
    if overlay_allowed(shown, account_positions(change)) {
        return if tracking {
            inference::tracking_change(change)
        } else {
            system(change)
        };
    }
    // Confirming an account that is tracked already records the decision; it is refused
    // only while a higher overlay (the company) shows.
    match change {
        OverlayChange::Lift(AccountOverlay::CustomerNotTracked) => match shown {
            Some(s) if s >= AccountOverlay::CustomerNotTracked as usize => None,
            Some(_) | None => inference::confirm_tracked(from),
        },
        OverlayChange::Raise(_)
        | OverlayChange::Lift(AccountOverlay::WorkflowNotAccessible)
        | OverlayChange::Lift(AccountOverlay::CompanyInactive) => None,
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Inference;
    use strum::IntoEnumIterator;

    #[test]
    fn documented_is_a_subset_of_operational_with_the_same_answers() {
        for s in ConnectionStatus::iter() {
            for e in ConnectionEvent::iter() {
                if let Some(rule) = connection_rule(Rules::Documented, s, e) {
                    assert_eq!(connection_rule(Rules::Operational, s, e), Some(rule));
                }
            }
        }
    }

    #[test]
    fn the_principles_regenerate_every_drawn_check_edge() {
        // The naming principle is faithful to the diagram: every drawn check edge is the one
        // `for_check` names for its (from, outcome) pair.
        for (from, event, to) in super::super::DIAGRAM {
            if event.origin() == EventOrigin::Check {
                assert_eq!(
                    ConnectionEvent::for_check(from, to),
                    Some(event),
                    "{from} {event}"
                );
            }
        }
    }

    #[test]
    fn overlay_targets_are_the_events_overlay_changes() {
        for r in Rules::iter() {
            for s in ConnectionStatus::iter() {
                for e in ConnectionEvent::iter() {
                    if let Some(Rule {
                        target: Target::Overlay(change),
                        provenance,
                    }) = connection_rule(r, s, e)
                    {
                        assert_eq!(e.overlay_change(), Some(change));
                        assert_eq!(provenance, Provenance::System);
                    }
                }
            }
        }
        for s in AccountStatus::iter() {
            for e in AccountEvent::iter() {
                if let Some(Rule {
                    target: Target::Overlay(change),
                    ..
                }) = account_rule(s, e)
                {
                    assert_eq!(e.overlay_change(), Some(change));
                }
            }
        }
    }

    #[test]
    fn every_credential_error_has_one_resuming_action() {
        for s in ConnectionStatus::iter() {
            assert_eq!(resuming_action(s).is_some(), s.is_credential_error(), "{s}");
        }
    }

    #[test]
    fn inference_reasons_are_distinct_sentences() {
        let reasons: Vec<_> = Inference::iter().map(Inference::reason).collect();
        for (i, r) in reasons.iter().enumerate() {
            assert!(!r.is_empty());
            assert!(!reasons[i + 1..].contains(r));
        }
    }
}
