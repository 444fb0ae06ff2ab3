//! The connection machine's state table: every valid machine state indexed densely, and the
//! outcome of every event in every state, computed at compile time. It is what makes
//! [`Connection::apply`](super::Connection::apply) one lookup.
//!
//! # Design
//!
//! A [`Connection`](super::Connection) is a handful of small facts (the [`Rules`], the
//! operational status, the set of overlays raised, the fresh-cycle flag), and few of their
//! combinations are valid: 84 under each rule set, 168 in all (an operational status is
//! never an overlay, and a `PENDING` connection always has its fresh cycle pending).
//!
//! * **Indexing.** The valid states are numbered densely, `0..STATE_COUNT`, in the
//!   lexicographic order of `(rules, operational status, overlay bits, fresh-cycle flag)`,
//!   which is the field order the machine was once a plain struct of. A connection holds
//!   only its index (one byte), so comparing and ordering connections by index is the same
//!   as comparing and ordering those facts. [`index_of`] maps facts to an index (one lookup
//!   in a table over every combination, valid or not, built by the same enumeration).
//! * **Facts.** [`FACTS`] gives, per index, the facts and what is derived from them: the
//!   visible status and the set of events allowed from it (the `allowed` of a rejection).
//! * **Steps.** [`STEPS`] gives, per `(index, event)`, the outcome: the next index, the
//!   visible status reached and the provenance of the edge, or no provenance for a
//!   rejection. The cells come from the transition table ([`crate::table`]); the state
//!   change is [`advance`], the one definition of what an allowed event does to the facts.
//! * **No bounds checks.** Both tables have 256 rows, one per value of the `u8` index, so
//!   indexing with any index is in bounds: the rows past `STATE_COUNT` repeat row 0 and are
//!   never reached, since only this module makes indices.
//!
//! Everything is evaluated by the compiler (`const` items, `while` loops), and `const`
//! assertions guard the table: the number of valid states, that the dense order is the
//! facts' order, that every index maps back to its facts, and that every allowed event
//! leads to a valid state (a target into an invalid combination fails the build).

use strum::{EnumCount, VariantArray};

use super::invalid::InvalidState;
use crate::enumeration::EnumSet;
use crate::event::{ConnectionEvent, EventOrigin};
use crate::overlay::{ConnectionOverlay, OverlayChange};
use crate::status::ConnectionStatus;
use crate::table::{
    ConnectionRule, Provenance, Rule, Rules, Target, connection_allowed_bits, connection_cell_at,
};

/// The facts of one connection state: what a connection is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Parts {
    /// The rule set.
    pub(super) rules: Rules,
    /// The operational status held underneath the overlays.
    pub(super) operational: ConnectionStatus,
    /// The overlays raised, as the bits of an `EnumSet<ConnectionOverlay>` (a byte: there
    /// are two overlays, checked at compile time).
    pub(super) overlays: u8,
    /// Whether a fresh collection cycle is pending.
    pub(super) cycle_pending: bool,
}

/// One row of [`FACTS`]: a state's facts and what they imply.
#[derive(Debug, Clone, Copy)]
pub(super) struct Facts {
    /// The facts themselves.
    pub(super) parts: Parts,
    /// The visible status: the highest overlay raised, else the operational status.
    pub(super) status: ConnectionStatus,
    /// The events allowed from the visible status under the rule set.
    pub(super) allowed: EnumSet<ConnectionEvent>,
}

/// One cell of [`STEPS`]: the outcome of an event in a state.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    /// The state after the event (the same state on a rejection).
    pub(super) next: u8,
    /// The visible status after the event.
    pub(super) to: ConnectionStatus,
    /// The provenance of the edge taken; `None` when the event is rejected.
    pub(super) provenance: Option<Provenance>,
}

/// The number of overlay sets: every subset of the overlays.
const OVERLAY_SETS: usize = 1 << ConnectionOverlay::COUNT;

/// The number of combinations of facts, valid or not.
const COMBINATIONS: usize = Rules::COUNT * ConnectionStatus::COUNT * OVERLAY_SETS * 2;

/// A row per value of the `u8` index, so no index is ever out of bounds.
const ROWS: usize = 256;

/// The position of a combination of facts among all combinations, in lexicographic order.
const fn combination(parts: Parts) -> usize {
    (((parts.rules as usize * ConnectionStatus::COUNT + parts.operational as usize) * OVERLAY_SETS
        + parts.overlays as usize)
        * 2)
        + parts.cycle_pending as usize
}

/// The combination at `position`, the inverse of [`combination`].
const fn combination_at(position: usize) -> Parts {
    let cycle_pending = position % 2 == 1;
    let rest = position / 2;
    let overlays = (rest % OVERLAY_SETS) as u8;
    let rest = rest / OVERLAY_SETS;
    Parts {
        rules: Rules::VARIANTS[rest / ConnectionStatus::COUNT],
        operational: ConnectionStatus::VARIANTS[rest % ConnectionStatus::COUNT],
        overlays,
        cycle_pending,
    }
}

/// Whether a combination of facts is a state a connection can be in; the error says why not.
const fn validate(parts: Parts) -> Result<(), InvalidState> {
    if !parts.operational.is_operational() {
        return Err(InvalidState::ConnectionOverlay(parts.operational));
    }
    if !parts.cycle_pending && matches!(parts.operational, ConnectionStatus::Pending) {
        return Err(InvalidState::PendingWithoutFreshCycle);
    }
    Ok(())
}

/// The visible status: the highest overlay raised, else the operational status (the same
/// precedence as [`ConnectionOverlay::visible`], which a test compares it with).
const fn visible(operational: ConnectionStatus, overlays: u8) -> ConnectionStatus {
    if overlays == 0 {
        operational
    } else {
        ConnectionOverlay::VARIANTS[7 - overlays.leading_zeros() as usize].status()
    }
}

/// For each combination of facts, its dense index if it is valid.
const DENSE: [Option<u8>; COMBINATIONS] = {
    let mut dense = [None; COMBINATIONS];
    let mut next = 0usize;
    let mut position = 0;
    while position < COMBINATIONS {
        if validate(combination_at(position)).is_ok() {
            assert!(next < ROWS, "a connection state index fits in a byte");
            dense[position] = Some(next as u8);
            next += 1;
        }
        position += 1;
    }
    dense
};

/// The number of valid connection states, under both rule sets.
pub(super) const STATE_COUNT: usize = {
    let mut count = 0;
    let mut position = 0;
    while position < COMBINATIONS {
        if DENSE[position].is_some() {
            count += 1;
        }
        position += 1;
    }
    count
};

// 11 operational statuses x 4 overlay sets x the fresh-cycle flag, less the 4 PENDING
// states without a fresh cycle, per rule set.
const _: () = assert!(STATE_COUNT == Rules::COUNT * (11 * OVERLAY_SETS * 2 - OVERLAY_SETS));

/// The dense index of a combination of facts, or why it is not a valid state.
pub(super) const fn index_of(parts: Parts) -> Result<u8, InvalidState> {
    if let Err(invalid) = validate(parts) {
        return Err(invalid);
    }
    let position = combination(parts);
    // `overlays` comes from an `EnumSet`, whose bits never exceed the overlays: the position
    // is in range and valid. Reported as an invalid overlay state otherwise, never a panic.
    // So the range check never fails, and `<=` in it would answer the same (the position is
    // never `COMBINATIONS`): the invariant is asserted in debug builds.
    debug_assert!(
        (parts.overlays as usize) < OVERLAY_SETS && position < COMBINATIONS,
        "the overlay bits fit the overlays"
    );
    if position < COMBINATIONS
        && let Some(index) = DENSE[position]
    {
        Ok(index)
    } else {
        Err(InvalidState::ConnectionOverlay(parts.operational))
    }
}

/// The facts of every state, by index (rows past [`STATE_COUNT`] repeat row 0).
pub(super) static FACTS: [Facts; ROWS] = FACTS_CONST;

const FACTS_CONST: [Facts; ROWS] = {
    let mut facts = [facts_of(combination_at(first_valid())); ROWS];
    let mut position = 0;
    let mut previous: Option<usize> = None;
    while position < COMBINATIONS {
        if let Some(index) = DENSE[position] {
            let index = index as usize;
            // Dense indices follow the order of the facts, with no gap.
            assert!(
                match previous {
                    Some(p) => index == p + 1,
                    None => index == 0,
                },
                "state indices are dense and in the order of the facts"
            );
            previous = Some(index);
            facts[index] = facts_of(combination_at(position));
        }
        position += 1;
    }
    facts
};

// The rows past `STATE_COUNT` are never read (indices come only from `DENSE`), and hold row 0,
// a state that can exist, as the module says. The last row checks the fill `first_valid`
// gives them all.
const _: () = assert!(
    combination(FACTS_CONST[ROWS - 1].parts) == combination(FACTS_CONST[0].parts),
    "the rows past the states repeat row 0"
);

/// The first valid combination (index 0). It is position 1 (position 0 is `PENDING` without
/// a fresh cycle), so the loop never reaches its bound: `<=` for `<` there, or answering 1
/// outright, gives the same value.
const fn first_valid() -> usize {
    let mut position = 0;
    while position < COMBINATIONS && DENSE[position].is_none() {
        position += 1;
    }
    position
}

const fn facts_of(parts: Parts) -> Facts {
    let status = visible(parts.operational, parts.overlays);
    Facts {
        parts,
        status,
        allowed: EnumSet::from_bits(connection_allowed_bits(parts.rules, status)),
    }
}

// The overlay bits fit the byte of `Parts::overlays`, and the rows stay small: a state's facts
// in 16 bytes, the outcome of an event in 4 at most.
const _: () = assert!(ConnectionOverlay::COUNT <= 8);
const _: () = assert!(size_of::<Facts>() <= 16 && size_of::<Step>() <= 4);

/// What an allowed event does to a connection's facts: the one definition of the state
/// change, which the table below is computed from.
pub(super) const fn advance(
    mut parts: Parts,
    event: ConnectionEvent,
    target: Target<ConnectionStatus, ConnectionOverlay>,
) -> Parts {
    match target {
        Target::Status(to) => {
            parts.operational = to;
            // A check ran: the cycle's first check is done.
            if matches!(event.origin(), EventOrigin::Check) {
                parts.cycle_pending = false;
            }
        }
        Target::Overlay(OverlayChange::Raise(overlay)) => {
            parts.overlays |= 1 << overlay as u32;
        }
        Target::Overlay(OverlayChange::Lift(overlay)) => {
            parts.overlays &= !(1 << overlay as u32);
            // Lifting an overlay resumes collection with a fresh cycle.
            parts.cycle_pending = true;
        }
    }
    parts
}

/// The outcome of every event in every state, by index then event.
pub(super) static STEPS: [[Step; ConnectionEvent::COUNT]; ROWS] = {
    let mut steps = [[Step {
        next: 0,
        to: FACTS_CONST[0].status,
        provenance: None,
    }; ConnectionEvent::COUNT]; ROWS];
    let mut index = 0;
    while index < STATE_COUNT {
        let facts = FACTS_CONST[index];
        // Every index maps back to its facts.
        assert!(
            match index_of(facts.parts) {
                Ok(i) => i as usize == index,
                Err(_) => false,
            },
            "a state index maps back to its facts"
        );
        let mut e = 0;
        while e < ConnectionEvent::COUNT {
            let event = ConnectionEvent::VARIANTS[e];
            let cell: Option<ConnectionRule> =
                connection_cell_at(facts.parts.rules, facts.status, event);
            steps[index][e] = match cell {
                None => Step {
                    next: index as u8,
                    to: facts.status,
                    provenance: None,
                },
                Some(Rule { target, provenance }) => {
                    let parts = advance(facts.parts, event, target);
                    let Ok(next) = index_of(parts) else {
                        panic!("an allowed event leads to an invalid connection state");
                    };
                    Step {
                        next,
                        to: FACTS_CONST[next as usize].status,
                        provenance: Some(provenance),
                    }
                }
            };
            e += 1;
        }
        index += 1;
    }
    steps
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Enumerated;

    #[test]
    fn visible_agrees_with_the_overlay_precedence() {
        for &operational in ConnectionStatus::ALL {
            for bits in 0..OVERLAY_SETS as u8 {
                assert_eq!(
                    visible(operational, bits),
                    ConnectionOverlay::visible(operational, EnumSet::from_bits(u64::from(bits)))
                );
            }
        }
    }

    #[test]
    fn every_combination_is_indexed_exactly_when_valid() {
        let mut seen = vec![false; STATE_COUNT];
        for position in 0..COMBINATIONS {
            let parts = combination_at(position);
            assert_eq!(combination(parts), position);
            match index_of(parts) {
                Ok(index) => {
                    assert!(!std::mem::replace(&mut seen[index as usize], true));
                    assert_eq!(FACTS[index as usize].parts, parts);
                }
                Err(InvalidState::ConnectionOverlay(s)) => assert!(!s.is_operational()),
                Err(InvalidState::PendingWithoutFreshCycle) => {
                    assert_eq!(parts.operational, ConnectionStatus::Pending);
                    assert!(!parts.cycle_pending);
                }
                Err(other) => panic!("unexpected {other}"),
            }
        }
        assert!(seen.into_iter().all(|s| s));
    }

    #[test]
    fn the_table_agrees_with_the_rule_and_the_state_change() {
        use super::super::traits::sealed::{Hooks, Token};
        use super::super::{Connection, Machine, Transition};
        // The step-by-step path the table replaces: the rule of the visible status, then
        // the state change of the machine hook.
        let mut checked = 0;
        for rules in [Rules::Documented, Rules::Operational] {
            for state in Connection::all_states(rules) {
                for &event in <ConnectionEvent as crate::Enumerated>::ALL {
                    let mut by_table = state;
                    let applied = by_table.apply(event);
                    let mut by_hook = state;
                    match state.rule(event) {
                        Some(rule) => {
                            by_hook.enter(event, rule.target, Token(()));
                            let expected = Transition {
                                from: state.status(),
                                event,
                                to: by_hook.status(),
                                provenance: rule.provenance,
                            };
                            assert_eq!(applied, Ok(expected));
                            checked += 1;
                        }
                        None => {
                            let rejected = applied.expect_err("no rule");
                            assert_eq!(rejected.allowed, state.allowed_events());
                        }
                    }
                    assert_eq!(by_table, by_hook, "{state:?} {event}");
                }
            }
        }
        assert!(checked > 100);
    }

    #[test]
    fn connections_order_as_their_facts() {
        use super::super::Connection;
        let mut states: Vec<Connection> = Connection::all_states(Rules::Operational)
            .chain(Connection::all_states(Rules::Documented))
            .collect();
        assert_eq!(states.len(), STATE_COUNT);
        states.sort_unstable();
        let facts = |c: &Connection| {
            (
                c.rules(),
                c.operational_status(),
                c.overlays(),
                c.is_cycle_pending(),
            )
        };
        let mut by_facts = states.clone();
        by_facts.sort_unstable_by_key(facts);
        assert_eq!(states, by_facts);
        // And the order is strict: no two states share their facts.
        assert!(states.windows(2).all(|w| facts(&w[0]) < facts(&w[1])));
    }
}
