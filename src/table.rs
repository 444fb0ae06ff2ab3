//! The transition table: the single source of truth for what may happen next.
//!
//! Every `(visible status, event)` pair has an answer, a [`Rule`] or `None` ("not allowed"),
//! for connections under each [`Rules`] set and for accounts. The answers are computed at
//! compile time into a flat array, so a lookup is two array indexations.
//!
//! # Where the edges come from
//!
//! * **Diagram** edges are the 22 edges of Nectar's published diagram, kept as data in
//!   [`DIAGRAM`].
//! * **System** edges toggle the overlays, under one principle for both machines: *an overlay
//!   event is accepted only when it changes the visible status*. Raising an overlay is allowed
//!   from any status shown below it (`DEACTIVATED` over the operational statuses,
//!   `COMPANY_INACTIVE` over everything); lifting is allowed only while that overlay is the
//!   one shown, and [restores](Target::Restore) what it covered. So while the company is
//!   inactive a connection's `isActive` flag cannot be toggled, and re-deactivating a
//!   deactivated connection is rejected rather than silently accepted.
//! * **Inferred** edges (the [`Operational`](Rules::Operational) rule set only, and every
//!   account edge) follow from the status tables and the check-frequency rules; each carries
//!   its [`Inference`], whose [`reason`](Inference::reason) is the one-line justification.
//!
//! No function that decides a cell has a wildcard arm over statuses or events: adding a
//! status or an event fails to compile until each of them decides about it.

use core::fmt;

use serde::{Deserialize, Serialize};
use strum::{EnumCount, VariantArray};

use crate::event::{AccountEvent, ConnectionEvent, EventOrigin, EventSet};
use crate::status::{AccountStatus, ConnectionCategory, ConnectionStatus, Enumerated};

closed_enum! {
    /// Which connection edges are allowed.
    ///
    /// ```
    /// use nectar_lifecycle::{Connection, ConnectionEvent as E, Rules};
    /// // The published diagram never enters ADDITIONAL_CREDENTIALS_NEEDED ...
    /// assert!(Connection::new(Rules::Documented).apply(E::AdditionalVerificationRequired).is_err());
    /// // ... but the status tables describe it, so the operational rules do.
    /// assert!(Connection::new(Rules::Operational).apply(E::AdditionalVerificationRequired).is_ok());
    /// ```
    #[derive(Default, Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Rules {
        /// Exactly the published diagram's 22 edges, plus the system overlays.
        Documented,
        /// Everything Nectar's connections can do: the diagram, the overlays and the edges the
        /// status tables and check rules imply. The default.
        #[default]
        Operational,
    }
}

/// Why an edge is in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "inference")]
pub enum Provenance {
    /// Drawn in the published diagram.
    Diagram,
    /// Implied by the status tables or the check rules, for the stated reason.
    Inferred(Inference),
    /// An overlay toggled by the integrator, the parent connection or the company.
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
    /// The principle an inferred edge follows. Each principle generates a family of edges; the
    /// crate docs list them all.
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

/// Where an allowed event leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target<S> {
    /// This visible status.
    Status(S),
    /// Lift the overlay shown now and show what it covered, which depends on the machine's
    /// state (the operational status held underneath, or a lower overlay).
    Restore,
}

/// The answer of the table for an allowed `(status, event)` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rule<S> {
    /// Where the event leads.
    pub target: Target<S>,
    /// Why the edge exists.
    pub provenance: Provenance,
}

/// One edge taken (or allowed): `from --event--> to`, with its provenance.
///
/// Returned by `apply`, and listed by [`Connection::edges`](crate::Connection::edges) and
/// [`Account::edges`](crate::Account::edges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Transition<S, E> {
    /// The visible status before the event.
    pub from: S,
    /// The event.
    pub event: E,
    /// The visible status after the event.
    pub to: S,
    /// Why the edge is allowed.
    pub provenance: Provenance,
}

impl<S: fmt::Display, E: fmt::Display> fmt::Display for Transition<S, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} --{}--> {} ({})",
            self.from, self.event, self.to, self.provenance
        )
    }
}

/// The published diagram's 22 edges, as data, in the order the page draws them.
///
/// `[*] --> PENDING: Connection created` is not an edge here: it is
/// [`Connection::new`](crate::Connection::new).
pub const DIAGRAM: [(ConnectionStatus, ConnectionEvent, ConnectionStatus); 22] = {
    use ConnectionEvent as E;
    use ConnectionStatus as S;
    [
        (S::Pending, E::AuthSucceeded, S::Connected),
        (S::Pending, E::BadCredentials, S::PasswordIncorrect),
        (S::Pending, E::MfaRequired, S::MfaTokenExpired),
        (S::Pending, E::ProviderUnavailable, S::WebsiteDown),
        (S::Pending, E::UnexpectedFailure, S::OtherError),
        (S::Connected, E::WeeklyCheckPassed, S::Connected),
        (S::Connected, E::PasswordChanged, S::PasswordIncorrect),
        (S::Connected, E::MfaSessionExpired, S::MfaTokenExpired),
        (S::Connected, E::ProviderRequiresReset, S::NewPasswordNeeded),
        (S::Connected, E::ProviderUnavailable, S::WebsiteDown),
        (S::Connected, E::AccountsRemoved, S::NoAccountsFound),
        (S::Connected, E::NectarReviewing, S::UnderInvestigation),
        (S::Connected, E::UnexpectedFailure, S::OtherError),
        (S::PasswordIncorrect, E::CredentialsUpdated, S::Connected),
        (S::MfaTokenExpired, E::MfaCompleted, S::Connected),
        (S::NewPasswordNeeded, E::PasswordReset, S::Connected),
        (
            S::AdditionalCredentialsNeeded,
            E::InfoProvided,
            S::Connected,
        ),
        (S::WebsiteDown, E::ProviderBackOnline, S::Connected),
        (S::NoAccountsFound, E::AccountsFound, S::Connected),
        (S::UnderInvestigation, E::IssueResolved, S::Connected),
        (S::OtherError, E::IssueResolved, S::Connected),
        (S::OtherError, E::Escalated, S::UnderInvestigation),
    ]
};

/// The table's answer for a connection showing `from` when `event` happens.
///
/// A constant-time lookup into a table computed at compile time.
///
/// ```
/// use nectar_lifecycle::{connection_rule, ConnectionEvent as E, ConnectionStatus as S};
/// use nectar_lifecycle::{Inference, Provenance, Rules, Target};
///
/// let rule = connection_rule(Rules::Documented, S::Connected, E::PasswordChanged).unwrap();
/// assert_eq!(rule.target, Target::Status(S::PasswordIncorrect));
/// assert_eq!(rule.provenance, Provenance::Diagram);
///
/// let rule = connection_rule(Rules::Operational, S::WebsiteDown, E::ProviderUnavailable).unwrap();
/// assert_eq!(rule.provenance, Provenance::Inferred(Inference::WeeklyCheckOutcome));
///
/// assert_eq!(connection_rule(Rules::Operational, S::Deactivated, E::Activate).unwrap().target,
///            Target::Restore);
/// assert!(connection_rule(Rules::Operational, S::PasswordIncorrect, E::WeeklyCheckPassed).is_none());
/// ```
#[must_use]
#[inline]
pub fn connection_rule(
    rules: Rules,
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<Rule<ConnectionStatus>> {
    CONNECTION_TABLE[rules as usize][from as usize][event as usize]
}

/// The table's answer for an account showing `from` when `event` happens.
///
/// Nectar publishes no account diagram, so accounts have one rule set: every edge is
/// inferred from the account status table and api-facts, or is a system overlay.
///
/// ```
/// use nectar_lifecycle::{account_rule, AccountEvent as E, AccountStatus as S, Target};
/// assert_eq!(account_rule(S::Detected, E::Confirmed).unwrap().target, Target::Status(S::Onboarded));
/// assert!(account_rule(S::OldAccount, E::PullCompleted).is_none()); // terminal
/// ```
#[must_use]
#[inline]
pub fn account_rule(from: AccountStatus, event: AccountEvent) -> Option<Rule<AccountStatus>> {
    ACCOUNT_TABLE[from as usize][event as usize]
}

/// Whether `rules` allow a connection to go from visible status `from` to `to`, and by
/// which event: the drawn edge if there is one, else the first allowed event in declaration
/// order. A restoring event counts for every status it can restore (the overlay's lower
/// levels). This is how an observed change, which carries no event, is judged.
///
/// ```
/// use nectar_lifecycle::{table::connection_edge, ConnectionEvent as E, ConnectionStatus as S};
/// use nectar_lifecycle::{Provenance, Rules};
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
    for &event in ConnectionEvent::ALL {
        let Some(rule) = connection_rule(rules, from, event) else {
            continue;
        };
        let reaches = match rule.target {
            Target::Status(target) => target == to,
            Target::Restore => to.overlay_level() < from.overlay_level(),
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

type ConnectionRow = [Option<Rule<ConnectionStatus>>; ConnectionEvent::COUNT];
type AccountRow = [Option<Rule<AccountStatus>>; AccountEvent::COUNT];

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

/// The allowed events of one row, as the bits of an [`EventSet`].
const fn row_bits<S: Copy, const N: usize>(row: &[Option<Rule<S>>; N]) -> u64 {
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

/// The bit set of events allowed from each visible status, per rule set: `allowed_events` and
/// the `allowed` field of a rejection are one lookup, not a scan of the row.
static CONNECTION_ALLOWED: [[u64; ConnectionStatus::COUNT]; Rules::COUNT] = {
    let mut bits = [[0u64; ConnectionStatus::COUNT]; Rules::COUNT];
    let mut r = 0;
    while r < Rules::COUNT {
        let mut s = 0;
        while s < ConnectionStatus::COUNT {
            bits[r][s] = row_bits(&CONNECTION_CELLS[r][s]);
            s += 1;
        }
        r += 1;
    }
    bits
};

static ACCOUNT_ALLOWED: [u64; AccountStatus::COUNT] = {
    let mut bits = [0u64; AccountStatus::COUNT];
    let mut s = 0;
    while s < AccountStatus::COUNT {
        bits[s] = row_bits(&ACCOUNT_CELLS[s]);
        s += 1;
    }
    bits
};

/// The events allowed from `from` under `rules`.
pub(crate) fn connection_allowed(
    rules: Rules,
    from: ConnectionStatus,
) -> EventSet<ConnectionEvent> {
    EventSet::from_bits(CONNECTION_ALLOWED[rules as usize][from as usize])
}

/// The events allowed from account status `from`.
pub(crate) fn account_allowed(from: AccountStatus) -> EventSet<AccountEvent> {
    EventSet::from_bits(ACCOUNT_ALLOWED[from as usize])
}

/// For each connection status, the first documented edge out of it that is an end user's
/// action (`user`: the action that resumes a credential error) or a restoring system event
/// (`!user`: the event that lifts an overlay), read off the documented cells.
const fn first_documented(user: bool) -> [Option<ConnectionEvent>; ConnectionStatus::COUNT] {
    let cells = &CONNECTION_CELLS[Rules::Documented as usize];
    let mut out = [None; ConnectionStatus::COUNT];
    let mut s = 0;
    while s < ConnectionStatus::COUNT {
        let mut e = 0;
        while e < ConnectionEvent::COUNT && out[s].is_none() {
            let event = ConnectionEvent::VARIANTS[e];
            let wanted = match cells[s][e] {
                Some(Rule {
                    target: Target::Restore,
                    provenance: Provenance::System,
                }) => !user,
                Some(_) => user && matches!(event.origin(), EventOrigin::EndUser),
                None => false,
            };
            if wanted {
                out[s] = Some(event);
            }
            e += 1;
        }
        s += 1;
    }
    out
}

static RESUMING_ACTION: [Option<ConnectionEvent>; ConnectionStatus::COUNT] = first_documented(true);
static LIFTING_EVENT: [Option<ConnectionEvent>; ConnectionStatus::COUNT] = first_documented(false);

/// The end user's action the diagram draws out of `status` (for a credential error).
pub(crate) fn resuming_action(status: ConnectionStatus) -> Option<ConnectionEvent> {
    RESUMING_ACTION[status as usize]
}

/// The event that lifts the overlay `status` shows, restoring what it covers.
pub(crate) fn lifting_event(status: ConnectionStatus) -> Option<ConnectionEvent> {
    LIFTING_EVENT[status as usize]
}

const fn allowed<S>(target: Target<S>, provenance: Provenance) -> Option<Rule<S>> {
    Some(Rule { target, provenance })
}

const fn same_connection_status(a: ConnectionStatus, b: ConnectionStatus) -> bool {
    a as u8 == b as u8
}

const fn same_connection_event(a: ConnectionEvent, b: ConnectionEvent) -> bool {
    a as u8 == b as u8
}

/// The target of `(from, event)` in [`DIAGRAM`], if drawn there.
const fn diagram_target(
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<ConnectionStatus> {
    let mut i = 0;
    while i < DIAGRAM.len() {
        let (f, e, to) = DIAGRAM[i];
        if same_connection_status(f, from) && same_connection_event(e, event) {
            return Some(to);
        }
        i += 1;
    }
    None
}

/// The overlay principle shared by both machines: raise an overlay only above the visible
/// level, lift only the overlay that is shown.
const fn overlay_target<S: Copy>(
    visible_level: u8,
    overlay_level: u8,
    overlay: S,
    raise: bool,
) -> Option<Target<S>> {
    if raise && visible_level < overlay_level {
        Some(Target::Status(overlay))
    } else if !raise && visible_level == overlay_level {
        Some(Target::Restore)
    } else {
        None
    }
}

const fn connection_cell(
    rules: Rules,
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<Rule<ConnectionStatus>> {
    if let Some((overlay, raise)) = event.overlay() {
        let overlay = overlay.status();
        return match overlay_target(
            from.overlay_level(),
            overlay.overlay_level(),
            overlay,
            raise,
        ) {
            Some(target) => allowed(target, Provenance::System),
            None => None,
        };
    }
    // A lifecycle event: drawn, inferred, or not allowed.
    if let Some(to) = diagram_target(from, event) {
        return allowed(Target::Status(to), Provenance::Diagram);
    }
    match rules {
        Rules::Documented => None,
        Rules::Operational => inferred_connection_cell(from, event),
    }
}

/// The edges the [`Operational`](Rules::Operational) rules add to the diagram.
const fn inferred_connection_cell(
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<Rule<ConnectionStatus>> {
    use ConnectionCategory as C;
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
            if !same_connection_event(named, event) {
                return None;
            }
            let inference = if same_connection_status(from, S::Pending) {
                Inference::FirstCheckOutcome
            } else {
                Inference::WeeklyCheckOutcome
            };
            allowed(Target::Status(outcome), Provenance::Inferred(inference))
        }
        EventOrigin::NectarTeam => {
            // The diagram escalates OTHER_ERROR; every provider error goes to support when
            // it persists, and support investigates.
            if same_connection_event(event, E::Escalated)
                && matches!(from.category(), C::ProviderError)
            {
                allowed(
                    Target::Status(S::UnderInvestigation),
                    Provenance::Inferred(Inference::SupportEscalation),
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

const fn account_cell(from: AccountStatus, event: AccountEvent) -> Option<Rule<AccountStatus>> {
    use AccountEvent as E;
    use AccountStatus as S;
    let level = from.overlay_level();
    let tracking = Provenance::Inferred(Inference::TrackingIntent);
    let overlay = match event {
        E::ParentBlocked => overlay_target(level, 1, S::WorkflowNotAccessible, true),
        E::ParentRecovered => overlay_target(level, 1, S::WorkflowNotAccessible, false),
        E::CompanyDeactivated => overlay_target(level, 3, S::CompanyInactive, true),
        E::CompanyReactivated => overlay_target(level, 3, S::CompanyInactive, false),
        E::Rejected => {
            return match overlay_target(level, 2, S::CustomerNotTracked, true) {
                Some(target) => allowed(target, tracking),
                None => None,
            };
        }
        E::Confirmed => {
            // Lifts CUSTOMER_NOT_TRACKED; on a tracked account it records the decision
            // (UNSET becomes ENABLED) and onboards a detected account.
            return match level {
                0 | 1 => match from {
                    S::Detected => allowed(Target::Status(S::Onboarded), tracking),
                    S::Onboarded
                    | S::PullCompleted
                    | S::NoDocumentsFound
                    | S::PdfDownloadFailed
                    | S::AccountNotFound
                    | S::WorkflowNotAccessible
                    | S::OtherError
                    | S::OldAccount
                    | S::Duplicate
                    | S::CustomerNotTracked
                    | S::CompanyInactive => allowed(Target::Status(from), tracking),
                },
                2 => allowed(Target::Restore, tracking),
                _ => None,
            };
        }
        E::PullCompleted
        | E::NoDocumentsFound
        | E::PdfDownloadFailed
        | E::AccountNotFound
        | E::CollectionFailed
        | E::ClosedByUtility
        | E::MarkedDuplicate => {
            // Collected: an own, non-absorbing status (an overlay means it is not pulled).
            return match event.outcome() {
                Some(outcome) if from.is_own() && !from.is_absorbing() => allowed(
                    Target::Status(outcome),
                    Provenance::Inferred(Inference::AccountCollection),
                ),
                Some(_) | None => None,
            };
        }
    };
    match overlay {
        Some(target) => allowed(target, Provenance::System),
        None => None,
    }
}

/// Every edge a machine allows, found by applying every event to every valid state of the
/// machine, deduplicated and sorted. `Restore` targets expand to each status they can
/// restore.
pub(crate) fn edges_of<M: crate::Machine>(
    states: impl IntoIterator<Item = M>,
) -> Vec<Transition<M::Status, M::Event>> {
    let mut edges: Vec<_> = states
        .into_iter()
        .flat_map(|state| {
            M::Event::ALL.iter().filter_map(move |&event| {
                let mut next = state;
                next.apply(event).ok()
            })
        })
        .collect();
    edges.sort_unstable();
    edges.dedup();
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn diagram_has_no_duplicate_cell() {
        for (i, (f, e, _)) in DIAGRAM.iter().enumerate() {
            for (g, d, _) in &DIAGRAM[i + 1..] {
                assert!((f, e) != (g, d), "{f} {e} drawn twice");
            }
        }
    }

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
        for (from, event, to) in DIAGRAM {
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
    fn only_overlay_events_restore() {
        for r in Rules::iter() {
            for s in ConnectionStatus::iter() {
                for e in ConnectionEvent::iter() {
                    if let Some(Rule {
                        target: Target::Restore,
                        provenance,
                    }) = connection_rule(r, s, e)
                    {
                        assert!(matches!(
                            e,
                            ConnectionEvent::Activate | ConnectionEvent::CompanyReactivated
                        ));
                        assert_eq!(provenance, Provenance::System);
                    }
                }
            }
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
