//! Check policy: when Nectar collects, when it waits for the user, and when it never looks
//! again. The spec's "Check frequency" section as pure functions of a machine and `now`:
//! connections are checked weekly; the four credential errors halt collection until the end
//! user acts; the overlays stop it until they are lifted; terminal accounts are not
//! re-checked; everything else, provider errors included, is retried on the next weekly
//! cycle. Where the spec is silent (fresh cycles, `UNDER_INVESTIGATION`, the exact due
//! instant), see [the manual](crate::manual#check-policy).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::event::{AccountEvent, ConnectionEvent};
use crate::machine::{Account, Connection, Machine};
use crate::overlay::{AccountOverlay, ConnectionOverlay};
use crate::status::{AccountStatus, ConnectionStatus};
use crate::table::resuming_action;

/// The weekly check interval: seven days.
pub const CHECK_INTERVAL: SignedDuration = SignedDuration::from_hours(7 * 24);

/// What happens to collection for a machine in its current state.
///
/// `S` and `E` are the machine's status and event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "policy")]
pub enum Collection<S, E> {
    /// A fresh collection cycle is pending: the first check is due at once.
    DueAtOnce,
    /// Checked on the weekly cycle: due at the last check plus [`CHECK_INTERVAL`].
    Weekly,
    /// Halted until the end user acts; `resume` is the event of the user's action (for an
    /// account, the parent connection's recovery).
    HaltedUntilUserActs {
        /// The status that halts collection.
        status: S,
        /// The event that resumes collection.
        resume: E,
    },
    /// Stopped by the system until the overlay is lifted by `resume`.
    StoppedBySystem {
        /// `DEACTIVATED` or `COMPANY_INACTIVE`.
        status: S,
        /// The event that resumes collection (`Activate`: `PATCH isActive true`;
        /// `CompanyReactivated`: by Nectar support).
        resume: E,
    },
    /// Terminal (accounts only): not re-checked; for `CUSTOMER_NOT_TRACKED`, until `resume`.
    Terminal {
        /// `OLD_ACCOUNT`, `DUPLICATE` or `CUSTOMER_NOT_TRACKED`.
        status: S,
        /// The event that would make the account checked again, if any.
        resume: Option<E>,
    },
}

impl<S, E> Collection<S, E> {
    /// Whether checks run under this policy at all (now or on the weekly cycle).
    #[must_use]
    pub const fn is_collected(&self) -> bool {
        matches!(self, Self::DueAtOnce | Self::Weekly)
    }
}

/// When a machine's next check is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "due", content = "at")]
pub enum CheckDue {
    /// Due now (a fresh cycle, never checked, or the interval has passed).
    Now,
    /// Not yet: due at this instant.
    At(Timestamp),
    /// Not scheduled: halted, stopped or terminal (see the machine's [`Collection`]).
    NotScheduled,
}

impl CheckDue {
    /// Whether a check is due now.
    #[must_use]
    pub const fn is_now(&self) -> bool {
        matches!(self, Self::Now)
    }
}

/// A credential error that halts a connection's collection, with the user action that
/// resumes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CredentialHalt {
    /// One of the four credential errors.
    pub status: ConnectionStatus,
    /// The end user's action that resumes collection, as drawn in the published diagram.
    pub resume: ConnectionEvent,
}

/// Whether a connection status is retried on the next weekly cycle, and when that is.
///
/// `Some(last_check + 7 days)` for every status Nectar checks (`PENDING`'s first check
/// included, though a new connection is due at once: see [`next_check_due`]); `None` for the
/// credential errors and the overlays.
///
/// ```
/// use jiff::Timestamp;
/// use nectar_lifecycle_core::{ConnectionStatus as S, policy::weekly_retry};
///
/// let last: Timestamp = "2026-11-02T09:00:00Z".parse()?;
/// let next: Timestamp = "2026-11-09T09:00:00Z".parse()?;
/// assert_eq!(weekly_retry(S::WebsiteDown, last), Some(next));
/// assert_eq!(weekly_retry(S::UnderInvestigation, last), Some(next));
/// assert_eq!(weekly_retry(S::PasswordIncorrect, last), None);
/// # Ok::<(), jiff::Error>(())
/// ```
#[must_use]
#[inline]
pub fn weekly_retry(status: ConnectionStatus, last_check: Timestamp) -> Option<Timestamp> {
    status.is_checked().then(|| after_interval(last_check))
}

/// Whether collection is halted pending the end user's action, by which status, and which
/// action resumes it.
///
/// ```
/// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S, policy::credential_halt};
///
/// let halt = credential_halt(S::NewPasswordNeeded).unwrap();
/// assert_eq!(halt.resume, E::PasswordReset);
/// assert!(credential_halt(S::WebsiteDown).is_none());
/// ```
#[must_use]
#[inline]
pub const fn credential_halt(status: ConnectionStatus) -> Option<CredentialHalt> {
    // The user's edge the diagram draws out of the error: `Some` exactly for the four
    // credential errors, which the table checks at compile time.
    match resuming_action(status) {
        Some(resume) => Some(CredentialHalt { status, resume }),
        None => None,
    }
}

/// A machine whose collection the check rules govern.
pub trait Scheduled: Machine {
    /// What happens to this machine's collection now.
    fn collection(&self) -> Collection<Self::Status, Self::Event>;
}

impl Scheduled for Connection {
    /// Stopped while an overlay shows, halted in a credential error, else checked: at once
    /// while a fresh cycle is pending, then weekly.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Connection, ConnectionEvent as E, ConnectionStatus as S, Rules};
    /// use nectar_lifecycle_core::policy::{Collection, Scheduled};
    /// let conn = Connection::showing(Rules::Operational, S::Deactivated);
    /// assert_eq!(conn.collection(), Collection::StoppedBySystem { status: S::Deactivated, resume: E::Activate });
    /// ```
    #[inline]
    fn collection(&self) -> Collection<ConnectionStatus, ConnectionEvent> {
        // Read off the table computed at compile time by `connection_collection`.
        CONNECTION_COLLECTION[self.state_index() as usize]
    }
}

/// The collection policy of a connection: stopped while an overlay shows, halted in a
/// credential error, else checked, at once while a fresh cycle is pending, then weekly.
const fn connection_collection(
    connection: Connection,
) -> Collection<ConnectionStatus, ConnectionEvent> {
    let status = connection.status();
    if let Some(overlay) = ConnectionOverlay::of(status) {
        return Collection::StoppedBySystem {
            status,
            resume: ConnectionEvent::lifting(overlay),
        };
    }
    if let Some(halt) = credential_halt(status) {
        return Collection::HaltedUntilUserActs {
            status,
            resume: halt.resume,
        };
    }
    if connection.is_cycle_pending() {
        Collection::DueAtOnce
    } else {
        Collection::Weekly
    }
}

/// [`connection_collection`] of every connection state, by the state's index, computed at
/// compile time: `collection` and `next_check_due` on a connection read one entry. A row per
/// value of the `u8` index, so no index is out of bounds; rows past the valid states are
/// never read.
static CONNECTION_COLLECTION: [Collection<ConnectionStatus, ConnectionEvent>; 256] = {
    let mut table = [Collection::Weekly; 256];
    let mut index = 0;
    while index < Connection::STATE_COUNT {
        table[index] = connection_collection(Connection::at_state_index(index as u8));
        index += 1;
    }
    table
};

impl Scheduled for Account {
    /// An account is pulled with its connection's checks while no overlay shows and its own
    /// status is not terminal.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Account, AccountEvent as E, AccountStatus as S};
    /// use nectar_lifecycle_core::policy::{Collection, Scheduled};
    /// let untracked = Account::showing(S::CustomerNotTracked);
    /// assert_eq!(untracked.collection(), Collection::Terminal { status: S::CustomerNotTracked, resume: Some(E::Confirmed) });
    /// ```
    fn collection(&self) -> Collection<AccountStatus, AccountEvent> {
        let status = self.status();
        match AccountOverlay::of(status) {
            Some(AccountOverlay::CompanyInactive) => Collection::StoppedBySystem {
                status,
                resume: AccountEvent::lifting(AccountOverlay::CompanyInactive),
            },
            Some(AccountOverlay::CustomerNotTracked) => Collection::Terminal {
                status,
                resume: Some(AccountEvent::lifting(AccountOverlay::CustomerNotTracked)),
            },
            Some(AccountOverlay::WorkflowNotAccessible) => Collection::HaltedUntilUserActs {
                status,
                resume: AccountEvent::lifting(AccountOverlay::WorkflowNotAccessible),
            },
            None if status.is_terminal() => Collection::Terminal {
                status,
                resume: None,
            },
            None => Collection::Weekly,
        }
    }
}

/// When `machine`'s next check is due, given its last check (if any) and `now`.
///
/// Due exactly at `last_check + 7 days`, not one second before. A machine that was never
/// checked, or whose fresh cycle is pending, is due now. Halted, stopped and terminal
/// machines are never due, whatever `now` is.
///
/// ```
/// use jiff::{SignedDuration, Timestamp};
/// use nectar_lifecycle_core::{Connection, ConnectionEvent as E, Rules};
/// use nectar_lifecycle_core::policy::{next_check_due, CheckDue};
///
/// let last: Timestamp = "2026-11-02T09:00:00Z".parse()?;
/// let mut conn = Connection::new(Rules::Operational);
/// assert_eq!(next_check_due(&conn, None, last), CheckDue::Now); // new: at once
///
/// conn.apply(E::AuthSucceeded).unwrap();
/// let week = last + SignedDuration::from_hours(168);
/// assert_eq!(next_check_due(&conn, Some(last), last), CheckDue::At(week));
/// assert_eq!(next_check_due(&conn, Some(last), week), CheckDue::Now);
///
/// conn.apply(E::PasswordChanged).unwrap();
/// assert_eq!(next_check_due(&conn, Some(last), week), CheckDue::NotScheduled);
/// # Ok::<(), jiff::Error>(())
/// ```
#[must_use]
#[inline]
pub fn next_check_due<M: Scheduled>(
    machine: &M,
    last_check: Option<Timestamp>,
    now: Timestamp,
) -> CheckDue {
    match machine.collection() {
        Collection::DueAtOnce => CheckDue::Now,
        Collection::Weekly => match last_check {
            None => CheckDue::Now,
            Some(last) if interval_passed(last, now) => CheckDue::Now,
            Some(last) => CheckDue::At(after_interval(last)),
        },
        Collection::HaltedUntilUserActs { .. }
        | Collection::StoppedBySystem { .. }
        | Collection::Terminal { .. } => CheckDue::NotScheduled,
    }
}

/// [`CHECK_INTERVAL`] in whole seconds, computed once at compile time.
const INTERVAL_SECONDS: i64 = CHECK_INTERVAL.as_secs();

// The interval is whole seconds, so adding it leaves the sub-second part of a timestamp as
// it is, and `after_interval` may add seconds only.
const _: () = assert!(CHECK_INTERVAL.subsec_nanos() == 0 && INTERVAL_SECONDS > 0);

/// `last + CHECK_INTERVAL`, saturating at the end of time instead of failing.
///
/// Plain second arithmetic instead of jiff's checked duration arithmetic on every call: the
/// seconds are added as plain `i64`s (far from overflowing), and a sum past
/// [`Timestamp::MAX`]'s second saturates. Below it the sum is a valid timestamp (it is above `last`, which is valid), so
/// the result is jiff's `last.checked_add(CHECK_INTERVAL)` exactly, which tests compare at
/// the edges of jiff's range and across it. A whole-second `last` (what the API sends) takes
/// the shortest path, as jiff's own span arithmetic does: a range check and nothing else.
#[inline]
fn after_interval(last: Timestamp) -> Timestamp {
    // Cannot overflow: jiff's seconds are within about ±2.6e11 (a test checks the margin).
    let second = last.as_second() + INTERVAL_SECONDS;
    // Both bounds in one check, the form the optimizer gives jiff's own range check, which
    // it then finds already done. The sum is never below the start of time (`last` is not).
    if !(Timestamp::MIN.as_second()..=Timestamp::MAX.as_second()).contains(&second) {
        return Timestamp::MAX;
    }
    let valid = match last.subsec_nanosecond() {
        0 => Timestamp::from_second(second),
        nanosecond => Timestamp::new(second, nanosecond),
    };
    valid.unwrap_or(Timestamp::MAX)
}

/// An instant as whole seconds and a nanosecond part in `0..1_000_000_000`, so that
/// instants order as these pairs do (jiff gives the two parts the same sign instead). Plain
/// arithmetic cannot overflow: jiff's seconds are within about ±2.6e11.
#[inline]
fn floor_parts(t: Timestamp) -> (i64, i32) {
    let (second, nanosecond) = (t.as_second(), t.subsec_nanosecond());
    if nanosecond < 0 {
        (second - 1, nanosecond + 1_000_000_000)
    } else {
        (second, nanosecond)
    }
}

/// Whether the interval after `last` has passed at `now`, that is `after_interval(last) <=
/// now`, decided on plain integers without building the due instant. Below the end of time
/// it is `last + interval <= now`; at the end of time everything is due, saturated instants
/// included. The part that depends on `now` alone is the same for a whole fleet, so a loop
/// over connections at one `now` computes it once.
#[inline]
fn interval_passed(last: Timestamp, now: Timestamp) -> bool {
    if now == Timestamp::MAX {
        return true;
    }
    let until = floor_parts(now);
    match last.subsec_nanosecond() {
        // A whole-second `last` (what the API sends): `(second, 0) <= until` compares the
        // seconds only, since `until`'s nanosecond part is never negative.
        0 => last.as_second() + INTERVAL_SECONDS <= until.0,
        _ => {
            let (second, nanosecond) = floor_parts(last);
            (second + INTERVAL_SECONDS, nanosecond) <= until
        }
    }
}

/// One connection of a fleet, as the scheduler sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FleetEntry<'a> {
    /// The connection.
    pub connection: Connection,
    /// Its last check, `None` if never checked.
    pub last_check: Option<Timestamp>,
    /// Its accounts (pulled with the connection's checks).
    pub accounts: &'a [Account],
}

/// The checks due in a fleet at one instant, as indices into the fleet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Indices of the connections due, in fleet order.
    pub connections: Vec<usize>,
    /// `(connection index, account index)` of the accounts pulled by those checks, in
    /// fleet order.
    pub accounts: Vec<(usize, usize)>,
}

/// Which connections of `fleet`, and which of their accounts, are due at `now`.
///
/// One pass over the fleet and its accounts: linear in the input, and nothing is allocated
/// but the two output vectors. An account is due when its connection is due and the account
/// itself is collected (tracked, parent accessible, not terminal).
///
/// ```
/// use jiff::Timestamp;
/// use nectar_lifecycle_core::{Account, AccountEvent, Connection, Rules};
/// use nectar_lifecycle_core::policy::{schedule, FleetEntry};
///
/// let now: Timestamp = "2026-11-25T00:00:00Z".parse()?;
/// let mut closed = Account::new();
/// closed.apply(AccountEvent::ClosedByUtility).unwrap();
/// let accounts = [Account::new(), closed];
/// let fleet = [FleetEntry { connection: Connection::new(Rules::Operational), last_check: None, accounts: &accounts }];
///
/// let due = schedule(&fleet, now);
/// assert_eq!(due.connections, vec![0]);
/// assert_eq!(due.accounts, vec![(0, 0)]); // the closed account is never re-checked
/// # Ok::<(), jiff::Error>(())
/// ```
#[must_use]
pub fn schedule(fleet: &[FleetEntry<'_>], now: Timestamp) -> Schedule {
    let mut out = Schedule::default();
    for (c, entry) in fleet.iter().enumerate() {
        if !next_check_due(&entry.connection, entry.last_check, now).is_now() {
            continue;
        }
        out.connections.push(c);
        for (a, account) in entry.accounts.iter().enumerate() {
            if account.collection().is_collected() {
                out.accounts.push((c, a));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Enumerated;

    #[test]
    fn every_credential_error_halts_and_nothing_else_does() {
        for &s in ConnectionStatus::ALL {
            assert_eq!(credential_halt(s).is_some(), s.is_credential_error(), "{s}");
        }
    }

    #[test]
    fn plain_second_arithmetic_cannot_overflow() {
        // `after_interval` and `floor_parts` add and subtract without checks: jiff's range
        // leaves a wide margin on both sides.
        assert!(Timestamp::MAX.as_second() < i64::MAX / 2 - INTERVAL_SECONDS);
        assert!(Timestamp::MIN.as_second() > i64::MIN / 2 + INTERVAL_SECONDS);
    }

    #[test]
    fn the_interval_saturates() {
        assert_eq!(after_interval(Timestamp::MAX), Timestamp::MAX);
    }

    /// jiff's checked calendar arithmetic, the reference `after_interval` must agree with.
    fn checked(last: Timestamp) -> Timestamp {
        last.checked_add(CHECK_INTERVAL).unwrap_or(Timestamp::MAX)
    }

    /// Instants at and around the edges: the ends of jiff's range, the epoch and a week from
    /// each, one second and one nanosecond either side, with nanosecond parts of both signs.
    fn edges() -> Vec<Timestamp> {
        let week = 7 * 24 * 3600;
        let (min, max) = (Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
        let mut edges = vec![Timestamp::MIN, Timestamp::MAX, Timestamp::UNIX_EPOCH];
        for around in [min, min + week, -week, 0, max - week, max] {
            for second in around - 1..=around + 1 {
                for nanosecond in [-999_999_999, -1, 0, 1, 999_999_999] {
                    edges.extend(Timestamp::new(second, nanosecond));
                }
            }
        }
        edges
    }

    /// `n` instants spread deterministically over jiff's whole range, each paired with one
    /// within two weeks after it, nanosecond parts included, and whole-second ones.
    fn spread(n: usize) -> Vec<(Timestamp, Timestamp)> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let (min, max) = (Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
        let span = u64::try_from(max - min).expect("a positive span");
        let mut pairs = Vec::with_capacity(2 * n);
        while pairs.len() < 2 * n {
            let second = min + i64::try_from(next() % span).expect("within the span");
            let nanosecond = i32::try_from(next() % 1_000_000_000).expect("below a second");
            let nanosecond = if second < 0 { -nanosecond } else { nanosecond };
            let apart = SignedDuration::from_nanos(
                i64::try_from(next() % (14 * 86_400_000_000_000)).expect("two weeks"),
            );
            let lasts = [
                Timestamp::new(second, nanosecond),
                Timestamp::from_second(second),
            ];
            for last in lasts.into_iter().flatten() {
                pairs.push((last, last.checked_add(apart).unwrap_or(Timestamp::MAX)));
            }
        }
        pairs
    }

    #[test]
    fn second_arithmetic_agrees_with_checked_arithmetic_at_the_edges() {
        let edges = edges();
        assert!(edges.len() > 80);
        for &last in &edges {
            assert_eq!(after_interval(last), checked(last), "{last:?}");
            for &now in &edges {
                assert_eq!(
                    interval_passed(last, now),
                    checked(last) <= now,
                    "{last:?} {now:?}"
                );
            }
        }
        // The last instant that does not saturate, and the first that does.
        let exact = Timestamp::MAX - CHECK_INTERVAL;
        assert_eq!(after_interval(exact), Timestamp::MAX);
        let saturated = exact + SignedDuration::from_nanos(1);
        assert!(saturated.checked_add(CHECK_INTERVAL).is_err());
        assert_eq!(after_interval(saturated), Timestamp::MAX);
        assert!(after_interval(exact - SignedDuration::from_nanos(1)) < Timestamp::MAX);
    }

    #[test]
    fn second_arithmetic_agrees_with_checked_arithmetic_across_the_range() {
        let pairs = spread(10_000);
        let mirrored = |t: Timestamp| {
            Timestamp::new(-t.as_second(), -t.subsec_nanosecond()).unwrap_or(Timestamp::MAX)
        };
        for (last, near) in pairs {
            assert_eq!(after_interval(last), checked(last), "{last:?}");
            for now in [near, mirrored(last), last] {
                assert_eq!(
                    interval_passed(last, now),
                    checked(last) <= now,
                    "{last:?} {now:?}"
                );
            }
        }
    }
}
