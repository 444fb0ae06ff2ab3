//! Model 5: sweeps of one company's connections, interleaved with Nectar's changes and
//! Svix's deliveries.
//!
//! * **Nectar** holds a list of connections (all `CONNECTED` at first, one tracked account
//!   each) and changes it a bounded number of times: a connection's content (its status
//!   through the core crate's real table, as the delivery model's [`Change`] does, or its
//!   `externalId`), its place (it moves to the front of the list: the others shift back a
//!   place), or its existence (it is deleted: the ones after it shift forward). A content
//!   change moves the connection's `updated` to the clock (one minute per change of
//!   Nectar's) and sends what the webhook crate's real [`nectar_events`] gives. Nectar
//!   serves a page of the list as documented (`api-facts`, "Listing a company's
//!   connections"): `totalConnections`, `perPage`, `totalPages`, `hasNext` and
//!   `hasPrevious` describe the list as it is when the page is asked for, and a page past
//!   the end answers the last page (its `currentPage` lower than the page asked for).
//! * **Svix** delivers each event once, in any order, and may give up on some
//!   ([`Webhooks`]); with [`Webhooks::Off`] the integrator runs on sweeps alone.
//! * **The integrator** runs the webhook crate's real [`Sweep`]: it asks for the page
//!   [`Sweep::request`] names, and takes Nectar's answer with [`Sweep::take`] later (a
//!   page is in flight while Nectar changes and webhooks land); every connection the sweep
//!   hands on goes through the real [`reconcile`] as an [`Observation::Snapshot`], then
//!   [`Record::after`]; every delivered event through the same two functions. It keeps a
//!   record per connection, deleted ones included (a sweep that does not list a connection
//!   only says it was not listed), and emits the notifications an applied decision
//!   carries. A gap a webhook reveals is left to the next sweep (the delivery model checks
//!   the details poll).
//!
//! Nothing here copies the sweep or the decision: the broken variants ([`SweepBug`],
//! test-only) wrap them. Monitors inside `next_state` record in sticky ghost flags what the
//! properties forbid.

use core::cmp::Ordering;
use core::hash::{Hash, Hasher};

use nectar_lifecycle_core::{ConnectionEvent, EnumSet};
use nectar_lifecycle_webhook::{
    CompanyListPage, CompanyListQuery, ConnectionPayload, Decision, Notification, Observation,
    PageLimit, PageNumber, Record, Sweep, nectar_events, reconcile,
};
use stateright::{Model, Property};

use crate::delivery::{
    Change, Fate, NectarState, Stored, applied_notifications, apply_regardless,
    credential_error_shown,
};

/// A deliberately broken, test-only variant of the integrator's sweep, to show each
/// property can fail. Each wraps the real [`Sweep`] or the real decision; none is a rule to
/// follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SweepBug {
    /// The integrator reads page 1 and stops, as an integrator who never learned of the
    /// envelope does.
    FirstPageOnly,
    /// The integrator asks for the next page until a page comes back empty, ignoring
    /// `hasNext` and `totalPages`. Past the end Nectar answers the last page, never an empty
    /// one, so it never stops on a list that is not empty.
    StopOnEmptyPage,
    /// A listed connection overwrites the record even when it is older than the record (a
    /// stale listing is applied instead of refused).
    ApplyUnordered,
    /// `EnteredCredentialError` is emitted for every listed connection that shows a
    /// credential error (a cron that alerts on the list), instead of being derived from the
    /// record's change.
    NotifyPerListing,
    /// Every connection of every page is reconciled, not only those the sweep hands on
    /// (its keying by id ignored). No property fails, a finding: [`reconcile`] orders a
    /// connection listed twice against the record, so the sweep's keying saves decisions,
    /// it is not what keeps the records right.
    EveryListing,
}

/// Whether Svix delivers webhooks beside the sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Webhooks {
    /// No webhooks: the integrator runs on sweeps alone.
    Off,
    /// Each event delivered once, in any order, unless Svix gives up on it.
    Delivered {
        /// Events Svix gives up on in a run.
        drops: usize,
    },
}

/// How far a run goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SweepBounds {
    /// Connections Nectar lists at first (1 to 9).
    pub connections: usize,
    /// The `limit` the sweeps ask for: connections per page.
    pub per_page: PageLimit,
    /// Nectar's changes in a run: content, moves and deletions together.
    pub changes: usize,
    /// Sweeps the integrator starts in a run.
    pub sweeps: usize,
    /// The webhooks beside the sweeps.
    pub webhooks: Webhooks,
}

/// Two connections per page.
const TWO_PER_PAGE: PageLimit = match PageLimit::new(2) {
    Ok(limit) => limit,
    Err(_) => PageLimit::MIN,
};

impl Default for SweepBounds {
    /// Three connections, two a page (so two pages, and a page past the end once one is
    /// deleted), two changes, two sweeps, webhooks with one drop.
    fn default() -> Self {
        Self {
            connections: 3,
            per_page: TWO_PER_PAGE,
            changes: 2,
            sweeps: 2,
            webhooks: Webhooks::Delivered { drops: 1 },
        }
    }
}

impl SweepBounds {
    /// Sweeps alone, no webhooks: three connections, one a page (three pages), three
    /// changes, two sweeps.
    ///
    /// ```
    /// use nectar_lifecycle_models::{SweepBounds, Webhooks};
    ///
    /// let bounds = SweepBounds::polling_only();
    /// assert_eq!((bounds.per_page.get(), bounds.changes, bounds.webhooks), (1, 3, Webhooks::Off));
    /// ```
    #[must_use]
    pub fn polling_only() -> Self {
        Self {
            per_page: PageLimit::MIN,
            changes: 3,
            webhooks: Webhooks::Off,
            ..Self::default()
        }
    }
}

/// The sweep model's parameters.
///
/// ```
/// use nectar_lifecycle_models::{SweepModel, Webhooks};
/// use stateright::Model;
///
/// let model = SweepModel::default();
/// assert_eq!(model.bounds.webhooks, Webhooks::Delivered { drops: 1 });
/// assert_eq!(model.max_pages(), 2); // 3 connections, 2 a page
/// assert_eq!(model.properties().len(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SweepModel {
    /// How far a run goes.
    pub bounds: SweepBounds,
    /// A broken variant (tests only); `None` is the real sweep and decision.
    pub bug: Option<SweepBug>,
}

/// The content changes Nectar makes: into a credential error, out of it, and a field.
pub const CONTENT_CHANGES: [Change; 3] = [
    Change::Status(ConnectionEvent::PasswordChanged),
    Change::Status(ConnectionEvent::CredentialsUpdated),
    Change::ExternalId,
];

/// A change Nectar makes to its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListChange {
    /// The connection's content changes.
    Content {
        /// The connection (its index: `conn-1` is 0).
        connection: usize,
        /// What changes.
        change: Change,
    },
    /// The connection moves to the front of the list, its content unchanged (the list is
    /// reordered): those before it shift back a place, onto later pages.
    Move {
        /// The connection.
        connection: usize,
    },
    /// The connection is deleted (Nectar sends no event): those after it shift forward a
    /// place, onto earlier pages. Nectar never deletes its last connection.
    Delete {
        /// The connection.
        connection: usize,
    },
}

/// One version of a connection in Nectar's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Held {
    /// The connection's state.
    pub state: NectarState,
    /// Its `updated`: the clock of the change that made it.
    pub updated: usize,
}

/// One event Nectar sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sent {
    /// The connection.
    pub connection: usize,
    /// The version (index in the connection's history) whose change sent it.
    pub version: usize,
    /// Its place among that change's events, as [`nectar_events`] lists them.
    pub event: usize,
    /// What Svix has done with it.
    pub fate: Fate,
}

/// A page Nectar served, by reference to its history.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Served {
    /// The page asked for.
    pub asked: PageNumber,
    /// The page answered (`currentPage`): the last one when `asked` is past the end.
    pub answered: PageNumber,
    /// `totalConnections` when it was served.
    pub total: usize,
    /// Its connections, each as `(connection, version)`.
    pub listing: Vec<(usize, usize)>,
}

/// The integrator's [`Sweep`], with the pages it took. The sweep is a function of them (its
/// fields are private), so they stand for it in the hash, stateright's identity of states:
/// equal values hash equal, and two sweeps that differ took different pages, so they hash
/// apart (two page sequences that lead to the same sweep only make more states, never
/// merge distinct ones).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swept {
    /// The real sweep.
    pub sweep: Sweep,
    /// The pages it took, in order.
    pub taken: Vec<Served>,
}

impl Hash for Swept {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.taken.hash(state);
    }
}

/// A sweep under way.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Run {
    /// The sweep.
    pub swept: Swept,
    /// The page the integrator asks for next; `None` once it has stopped asking.
    pub next: Option<PageNumber>,
    /// The page Nectar answered and the integrator has not taken yet.
    pub in_flight: Option<Served>,
    /// Requests made in this sweep.
    pub requests: usize,
    /// Nectar's clock when the sweep started.
    pub started_at: usize,
}

/// Sticky ghost flags: what the monitors saw the integrator do wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SweepViolations {
    /// A record's version went backwards.
    pub regressed: bool,
    /// A connection's `EnteredCredentialError` notifications outnumbered Nectar's entries
    /// into a credential error up to the version stored.
    pub notified_twice: bool,
    /// A sweep asked for more pages than the list ever had.
    pub unbounded: bool,
    /// A sweep during which Nectar did not change ended with a record unlike Nectar's
    /// connection, or without listing every connection Nectar holds.
    pub not_converged: bool,
    /// The sweep refused a page Nectar served as documented.
    pub refused: bool,
}

/// A state of the sweep model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SweepState {
    /// Each connection's history, oldest first; the last is its state now.
    pub history: Vec<Vec<Held>>,
    /// Nectar's list: the connections it holds, in the order it lists them.
    pub list: Vec<usize>,
    /// Nectar's changes so far (its clock).
    pub clock: usize,
    /// Every event Nectar sent, in the order sent; the index `i` is its `svix-id`
    /// (`msg_i`).
    pub messages: Vec<Sent>,
    /// The integrator's record of each connection, deleted ones included.
    pub records: Vec<Stored>,
    /// The sweep under way, if one is.
    pub run: Option<Run>,
    /// Sweeps started.
    pub sweeps: usize,
    /// Ghost: `EnteredCredentialError` notifications emitted, per connection.
    pub notified: Vec<usize>,
    /// Ghost, sticky: the monitors' findings.
    pub violations: SweepViolations,
}

/// The id of connection `index`: `conn-1` for 0.
fn id(index: usize) -> String {
    format!("conn-{}", index + 1)
}

impl SweepState {
    /// Connection `connection` at version `version`, as Nectar's API shows it.
    ///
    /// ```
    /// use nectar_lifecycle_models::SweepModel;
    ///
    /// let state = SweepModel::default().initial();
    /// assert_eq!(state.payload(1, 0).map(|c| c.id).as_deref(), Some("conn-2"));
    /// assert_eq!(state.payload(1, 1), None); // no second version yet
    /// ```
    #[must_use]
    pub fn payload(&self, connection: usize, version: usize) -> Option<ConnectionPayload> {
        let held = self.history.get(connection)?.get(version)?;
        Some(ConnectionPayload {
            id: id(connection),
            ..held.state.payload(held.updated)
        })
    }

    /// Connection `connection` as Nectar holds it now (deleted: as it was last).
    #[must_use]
    pub fn latest(&self, connection: usize) -> Option<ConnectionPayload> {
        let versions = self.history.get(connection)?.len();
        self.payload(connection, versions.checked_sub(1)?)
    }

    /// The times Nectar's connection entered a credential error (from another status) in
    /// its history up to the version `stored` is; the whole history if `stored` is none of
    /// its versions.
    fn entries(&self, connection: usize, stored: &ConnectionPayload) -> usize {
        let Some(history) = self.history.get(connection) else {
            return 0;
        };
        let upto = (0..history.len())
            .rev()
            .find(|&v| self.payload(connection, v).as_ref() == Some(stored))
            .unwrap_or(history.len().saturating_sub(1));
        history
            .windows(2)
            .take(upto)
            .filter(|w| {
                let (before, after) = (
                    w[0].state.connection.status(),
                    w[1].state.connection.status(),
                );
                after.is_credential_error() && before != after
            })
            .count()
    }

    fn dropped(&self) -> usize {
        self.messages
            .iter()
            .filter(|m| m.fate == Fate::Dropped)
            .count()
    }

    /// Page `asked` of the list as it is now, as Nectar serves it.
    fn serve(&self, asked: PageNumber, per_page: PageLimit) -> Served {
        let limit = usize::try_from(per_page.get()).unwrap_or(usize::MAX).max(1);
        let pages = self.list.len().div_ceil(limit).max(1);
        let page = usize::try_from(asked.get())
            .unwrap_or(usize::MAX)
            .min(pages);
        let listing = self
            .list
            .iter()
            .skip((page - 1) * limit)
            .take(limit)
            .map(|&c| (c, self.history.get(c).map_or(0, |h| h.len() - 1)))
            .collect();
        Served {
            asked,
            answered: u32::try_from(page)
                .ok()
                .and_then(|p| PageNumber::new(p).ok())
                .unwrap_or(asked),
            total: self.list.len(),
            listing,
        }
    }

    /// The envelope of `served`, with its connections.
    fn envelope(&self, served: &Served, per_page: PageLimit) -> CompanyListPage {
        let limit = usize::try_from(per_page.get()).unwrap_or(usize::MAX).max(1);
        let pages = u32::try_from(served.total.div_ceil(limit).max(1)).unwrap_or(u32::MAX);
        let current = served.answered.get();
        CompanyListPage {
            total_connections: u64::try_from(served.total).ok(),
            per_page: Some(per_page.get()),
            total_pages: Some(pages),
            current_page: Some(served.answered),
            has_next: Some(current < pages),
            has_previous: Some(current > 1),
            connections: served
                .listing
                .iter()
                .filter_map(|&(c, v)| self.payload(c, v))
                .collect(),
        }
    }
}

/// An action of the sweep model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SweepAction {
    /// Nectar changes its list and sends the events of a content change.
    Change(ListChange),
    /// Svix delivers event `i` (`msg_i`).
    Deliver(usize),
    /// Svix gives up on event `i`.
    Drop(usize),
    /// The integrator asks for the next page (starting a sweep if none is under way), and
    /// Nectar answers.
    Request,
    /// The integrator takes the page Nectar answered.
    Take,
}

impl SweepModel {
    /// The real sweep and decision under [`SweepBounds::polling_only`].
    ///
    /// ```
    /// use nectar_lifecycle_models::SweepModel;
    ///
    /// assert_eq!(SweepModel::polling_only().name(), "sweep: 3 connection(s), 1 per page, up to 3 change(s), 2 sweep(s), no webhooks");
    /// ```
    #[must_use]
    pub fn polling_only() -> Self {
        Self {
            bounds: SweepBounds::polling_only(),
            bug: None,
        }
    }

    /// The report's name for the model.
    ///
    /// ```
    /// use nectar_lifecycle_models::SweepModel;
    ///
    /// assert_eq!(SweepModel::default().name(), "sweep: 3 connection(s), 2 per page, up to 2 change(s), 2 sweep(s), webhooks with 1 drop(s)");
    /// ```
    #[must_use]
    pub fn name(&self) -> String {
        let b = self.bounds;
        let webhooks = match b.webhooks {
            Webhooks::Off => "no webhooks".to_owned(),
            Webhooks::Delivered { drops } => format!("webhooks with {drops} drop(s)"),
        };
        format!(
            "sweep: {} connection(s), {} per page, up to {} change(s), {} sweep(s), {webhooks}",
            b.connections,
            b.per_page.get(),
            b.changes,
            b.sweeps,
        )
    }

    /// The most pages the list ever has (it only shrinks): a sweep asks for no more.
    ///
    /// ```
    /// use nectar_lifecycle_models::SweepModel;
    ///
    /// assert_eq!(SweepModel::polling_only().max_pages(), 3);
    /// ```
    #[must_use]
    pub fn max_pages(&self) -> usize {
        let limit = usize::try_from(self.bounds.per_page.get()).unwrap_or(usize::MAX);
        self.bounds.connections.div_ceil(limit.max(1)).max(1)
    }

    /// The initial state: Nectar's connections as the integrator stored them.
    ///
    /// ```
    /// use nectar_lifecycle_models::SweepModel;
    ///
    /// let state = SweepModel::default().initial();
    /// assert_eq!(state.list, [0, 1, 2]);
    /// assert_eq!(Some(&state.records[2].0.connection), state.latest(2).as_ref());
    /// ```
    #[must_use]
    pub fn initial(&self) -> SweepState {
        let n = self.bounds.connections;
        let held = Held {
            state: NectarState::initial(),
            updated: 0,
        };
        let mut state = SweepState {
            history: vec![vec![held]; n],
            list: (0..n).collect(),
            clock: 0,
            messages: Vec::new(),
            records: Vec::new(),
            run: None,
            sweeps: 0,
            notified: vec![0; n],
            violations: SweepViolations::default(),
        };
        state.records = (0..n)
            .filter_map(|c| state.latest(c))
            .map(|c| Stored(Record::new(c)))
            .collect();
        state
    }

    /// The decision on `observation`: the real [`reconcile`], or a broken variant's.
    fn decide(&self, stored: &Record, observation: Observation<'_>) -> Decision {
        let decision = reconcile(Some(stored), observation);
        match (self.bug, observation, &decision) {
            (
                Some(SweepBug::ApplyUnordered),
                Observation::Snapshot(incoming),
                Decision::Stale { .. },
            ) => apply_regardless(stored, incoming),
            _ => decision,
        }
    }

    /// The notifications the integrator emits: the applied change's, or a broken
    /// variant's.
    fn notified(&self, observation: Observation<'_>, decision: &Decision) -> EnumSet<Notification> {
        match (self.bug, observation) {
            (Some(SweepBug::NotifyPerListing), Observation::Snapshot(listed)) => {
                credential_error_shown(listed)
            }
            _ => applied_notifications(decision),
        }
    }

    /// The integrator handles `observation` of `connection`; the monitors watch.
    fn integrate(&self, next: &mut SweepState, connection: usize, observation: Observation<'_>) {
        let Some(before) = next.records.get(connection).map(|s| &s.0) else {
            return;
        };
        let decision = self.decide(before, observation);
        let notified = self.notified(observation, &decision);
        let after = Record::after(Some(before), observation, &decision);
        let held = after.as_ref().unwrap_or(before);
        let regressed = held.version().order(&before.version()) == Some(Ordering::Less);
        let mut twice = false;
        if notified.contains(Notification::EnteredCredentialError) {
            let entries = next.entries(connection, &held.connection);
            if let Some(count) = next.notified.get_mut(connection) {
                *count += 1;
                twice = *count > entries;
            }
        }
        if let (Some(after), Some(slot)) = (after, next.records.get_mut(connection)) {
            *slot = Stored(after);
        }
        next.violations.regressed |= regressed;
        next.violations.notified_twice |= twice;
    }

    /// The page to ask for after `taken` (answered to a request for `asked`), for the
    /// integrator `self.bug` describes.
    fn next_page(&self, sweep: &Sweep, asked: PageNumber, taken: &Served) -> Option<PageNumber> {
        match self.bug {
            Some(SweepBug::FirstPageOnly) => None,
            Some(SweepBug::StopOnEmptyPage) if taken.listing.is_empty() => None,
            Some(SweepBug::StopOnEmptyPage) => asked.next(),
            _ => sweep.request().and_then(|q| q.page),
        }
    }

    /// Whether `run`, ended, left what a sweep during which Nectar did not change must: every
    /// record of a connection Nectar holds equal to it, every one of them listed, and only
    /// the deleted ones not listed.
    fn converged(state: &SweepState, run: &Run) -> bool {
        let sweep = &run.swept.sweep;
        let holds = |c: usize| state.list.contains(&c);
        let records_equal = state
            .list
            .iter()
            .all(|&c| state.records.get(c).map(|s| &s.0.connection) == state.latest(c).as_ref());
        let ids: Vec<String> = (0..state.records.len()).map(id).collect();
        let deleted: Vec<&str> = (0..ids.len())
            .filter(|&c| !holds(c))
            .filter_map(|c| ids.get(c).map(String::as_str))
            .collect();
        records_equal && sweep.not_listed(ids.iter().map(String::as_str)) == Some(deleted)
    }

    /// The integrator takes the page in flight.
    fn take(&self, next: &mut SweepState) -> Option<()> {
        let mut run = next.run.take()?;
        let served = run.in_flight.take()?;
        let page = next.envelope(&served, self.bounds.per_page);
        // The sweep takes the pages it asked for; `StopOnEmptyPage` asks on after it ended.
        let asked_by_sweep = run.swept.sweep.request().and_then(|q| q.page) == Some(served.asked);
        let mut handed = if asked_by_sweep {
            match run.swept.sweep.take(page.clone()) {
                Ok(handed) => handed,
                Err(_) => {
                    next.violations.refused = true;
                    Vec::new()
                }
            }
        } else {
            page.connections.clone()
        };
        if self.bug == Some(SweepBug::EveryListing) {
            handed = page.connections;
        }
        for connection in &handed {
            let index = (0..next.records.len()).find(|&c| id(c) == connection.id);
            if let Some(c) = index {
                self.integrate(next, c, Observation::Snapshot(connection));
            }
        }
        run.next = self.next_page(&run.swept.sweep, served.asked, &served);
        if asked_by_sweep {
            run.swept.taken.push(served);
        }
        if run.next.is_none() {
            if next.clock == run.started_at && !Self::converged(next, &run) {
                next.violations.not_converged = true;
            }
        } else {
            next.run = Some(run);
        }
        Some(())
    }

    /// The integrator asks for the next page, starting a sweep if none is under way;
    /// Nectar answers.
    fn request(&self, state: &SweepState, next: &mut SweepState) -> Option<()> {
        let mut run = match next.run.take() {
            Some(run) => run,
            None if state.sweeps < self.bounds.sweeps => {
                next.sweeps += 1;
                let query = CompanyListQuery::new("co-1").per_page(self.bounds.per_page);
                let sweep = Sweep::new(query);
                Run {
                    next: sweep.request().and_then(|q| q.page),
                    swept: Swept {
                        sweep,
                        taken: Vec::new(),
                    },
                    in_flight: None,
                    requests: 0,
                    started_at: state.clock,
                }
            }
            None => return None,
        };
        if run.in_flight.is_some() {
            return None;
        }
        let asked = run.next?;
        if run.requests >= self.max_pages() {
            // It would never stop: the monitor ends the run here.
            next.violations.unbounded = true;
            return Some(());
        }
        run.requests += 1;
        run.in_flight = Some(state.serve(asked, self.bounds.per_page));
        next.run = Some(run);
        Some(())
    }

    /// Nectar makes `change`.
    fn change(&self, state: &SweepState, next: &mut SweepState, change: ListChange) -> Option<()> {
        if state.clock >= self.bounds.changes {
            return None;
        }
        next.clock += 1;
        match change {
            ListChange::Content { connection, change } => {
                if !state.list.contains(&connection) {
                    return None;
                }
                let history = next.history.get_mut(connection)?;
                let now = *history.last()?;
                let changed = now.state.after(change, next.clock)?;
                history.push(Held {
                    state: changed,
                    updated: next.clock,
                });
                let version = history.len() - 1;
                let old = next.payload(connection, version - 1)?;
                let new = next.payload(connection, version)?;
                if self.bounds.webhooks != Webhooks::Off {
                    let sent = nectar_events(Some(&old), &new).len();
                    next.messages.extend((0..sent).map(|event| Sent {
                        connection,
                        version,
                        event,
                        fate: Fate::Queued,
                    }));
                }
            }
            ListChange::Move { connection } => {
                let at = next.list.iter().position(|&c| c == connection)?;
                if at == 0 {
                    return None;
                }
                next.list.remove(at);
                next.list.insert(0, connection);
            }
            ListChange::Delete { connection } => {
                if next.list.len() <= 1 {
                    return None;
                }
                let at = next.list.iter().position(|&c| c == connection)?;
                next.list.remove(at);
            }
        }
        Some(())
    }

    /// One step; `None` when the action is not possible in `state`.
    ///
    /// ```
    /// use nectar_lifecycle_models::{SweepAction as A, SweepModel};
    ///
    /// let model = SweepModel::default();
    /// let asked = model.step(&model.initial(), A::Request).expect("a sweep starts");
    /// assert!(model.step(&asked, A::Request).is_none()); // page 1 is in flight
    /// let taken = model.step(&asked, A::Take).expect("page 1 taken");
    /// let last = model.step(&taken, A::Request).and_then(|s| model.step(&s, A::Take));
    /// let last = last.expect("page 2 asked for and taken");
    /// assert!(last.run.is_none()); // the sweep ended on page 2 of 2
    /// assert_eq!(last.violations, Default::default());
    /// ```
    #[must_use]
    pub fn step(&self, state: &SweepState, action: SweepAction) -> Option<SweepState> {
        let mut next = state.clone();
        match action {
            SweepAction::Change(change) => self.change(state, &mut next, change)?,
            SweepAction::Deliver(i) => {
                let message = next.messages.get_mut(i)?;
                if message.fate != Fate::Queued {
                    return None;
                }
                message.fate = Fate::Delivered;
                let sent = *message;
                let old = state.payload(sent.connection, sent.version.checked_sub(1)?)?;
                let new = state.payload(sent.connection, sent.version)?;
                let webhook = nectar_events(Some(&old), &new)
                    .into_iter()
                    .nth(sent.event)?;
                let id = format!("msg_{i}");
                let delivery = Observation::Delivery {
                    id: Some(&id),
                    webhook: &webhook,
                };
                self.integrate(&mut next, sent.connection, delivery);
            }
            SweepAction::Drop(i) => {
                let Webhooks::Delivered { drops } = self.bounds.webhooks else {
                    return None;
                };
                let message = next.messages.get_mut(i)?;
                if message.fate != Fate::Queued || state.dropped() >= drops {
                    return None;
                }
                message.fate = Fate::Dropped;
            }
            SweepAction::Request => self.request(state, &mut next)?,
            SweepAction::Take => self.take(&mut next)?,
        }
        Some(next)
    }
}

impl Model for SweepModel {
    type State = SweepState;
    type Action = SweepAction;

    fn init_states(&self) -> Vec<SweepState> {
        vec![self.initial()]
    }

    fn actions(&self, state: &SweepState, actions: &mut Vec<SweepAction>) {
        if state.clock < self.bounds.changes {
            for &connection in &state.list {
                for change in CONTENT_CHANGES {
                    actions.push(SweepAction::Change(ListChange::Content {
                        connection,
                        change,
                    }));
                }
                actions.push(SweepAction::Change(ListChange::Move { connection }));
                actions.push(SweepAction::Change(ListChange::Delete { connection }));
            }
        }
        for (i, message) in state.messages.iter().enumerate() {
            if message.fate == Fate::Queued {
                actions.push(SweepAction::Deliver(i));
                actions.push(SweepAction::Drop(i));
            }
        }
        match &state.run {
            Some(run) if run.in_flight.is_some() => actions.push(SweepAction::Take),
            Some(_) => actions.push(SweepAction::Request),
            None if state.sweeps < self.bounds.sweeps => actions.push(SweepAction::Request),
            None => {}
        }
    }

    fn next_state(&self, state: &SweepState, action: SweepAction) -> Option<SweepState> {
        self.step(state, action)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always(
                "no regression: no record's version ever goes backwards",
                |_, s: &SweepState| !s.violations.regressed,
            ),
            Property::always(
                "no notification twice: per connection, EnteredCredentialError never outnumbers Nectar's entries into a credential error up to the version stored",
                |_, s: &SweepState| !s.violations.notified_twice,
            ),
            Property::always(
                "every sweep ends: it asks for no more pages than the list ever had",
                |_, s: &SweepState| !s.violations.unbounded,
            ),
            Property::always(
                "convergence: a sweep during which Nectar did not change leaves every record equal to Nectar's connection and lists exactly the connections Nectar holds",
                |_, s: &SweepState| !s.violations.not_converged,
            ),
            Property::always(
                "the sweep takes every page Nectar serves as documented",
                |_, s: &SweepState| !s.violations.refused,
            ),
        ]
    }
}
