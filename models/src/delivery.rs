//! Model 4: the integration, under Svix's at-least-once, unordered delivery.
//!
//! * **Nectar** changes one connection, a bounded number of times: its status through the
//!   core crate's real table ([`Connection::apply`] under [`Rules::Operational`], the
//!   accounts following it with [`Account::follow_parent`]), or a field: `externalId`, an
//!   account found, an account closed by the utility ([`Account::apply`]). Each change moves
//!   `updated` forward (and `statusLastUpdateTime` with a status change) and sends the events
//!   the webhook crate's real [`nectar_events`] gives: `updated`, and `validated` when the
//!   status changed.
//! * **Svix** delivers each event at least once, in any order; it may deliver one again
//!   (the same `svix-id`, at most once per event) and may give up on one (a drop), within
//!   [`DeliveryBounds`].
//! * **The integrator** runs the webhook crate's real [`reconcile`] and [`Record::after`] on
//!   every delivery. A gap, or a drop, leaves a poll owed; the poll's snapshot (Nectar's
//!   state when the poll is answered) goes through the same two functions. A poll owed
//!   since a drop may run at any later point, the end included.
//!
//! Nothing here copies the decision: the broken variants ([`DeliveryBug`], test-only) wrap
//! it. Monitors inside `next_state` record in sticky ghost flags what the properties forbid;
//! convergence is read at quiescent states.

use core::cmp::Ordering;
use core::hash::{Hash, Hasher};

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_core::{
    Account, AccountEvent, Connection, ConnectionEvent, ConnectionStatus, EnumSet, Rules,
};
use nectar_lifecycle_webhook::{
    AccountPayload, Changes, ConnectionPayload, Decision, DuplicateReason, EventType, Field,
    Notification, Observation, Record, Reported, Version, Webhook, nectar_events, reconcile,
};
use stateright::{Model, Property};

/// A deliberately broken, test-only variant of the integrator, to show each property can
/// fail. Each wraps the real decision; none is a rule to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryBug {
    /// The duplicate rule before observations were versioned by `updated`: the same status
    /// and the same `statusLastUpdateTime` as stored is "already applied", whatever else
    /// changed (an `externalId` change is lost).
    SameStatusIsDuplicate,
    /// A stale observation is applied instead of refused.
    ApplyStale,
    /// The integrator never polls: not on a gap, not after a drop.
    NeverPolls,
    /// The integrator does not poll on a gap (it still polls after a drop). No property
    /// fails, a finding: the `updated` event of a status change is the one that can gap,
    /// and its `validated` sibling carries the same content with no `old.status`, so it
    /// applies; were it dropped, the final poll brings the content. The gap's poll is
    /// timeliness here, not correctness.
    IgnoreGaps,
    /// `EnteredCredentialError` is sent for every delivered status event that shows a
    /// credential error, instead of being derived from the stored change.
    NotifyPerEvent,
    /// An applied `connection.updated.v2` patches only the fields its `protectedChanges`
    /// names onto the stored connection, keeping the rest (`updated` included).
    PatchProtectedChanges,
}

/// How far a run goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeliveryBounds {
    /// Nectar's changes in a run: status changes and field changes together.
    pub changes: usize,
    /// Of those, status changes.
    pub status_changes: usize,
    /// Redeliveries in a run, at most one per event.
    pub redeliveries: usize,
    /// Events Svix gives up on in a run.
    pub drops: usize,
}

impl Default for DeliveryBounds {
    /// Three changes, each may change the status (so a recovery can be missed between two
    /// credential errors); one redelivery; one drop.
    fn default() -> Self {
        Self {
            changes: 3,
            status_changes: 3,
            redeliveries: 1,
            drops: 1,
        }
    }
}

/// The integration model's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DeliveryModel {
    /// How far a run goes.
    pub bounds: DeliveryBounds,
    /// A broken variant (tests only); `None` is the real decision.
    pub bug: Option<DeliveryBug>,
}

/// The status events Nectar's side draws from: into and out of a credential error, into
/// another one, and a provider error (from which a credential error is entered too).
pub const STATUS_EVENTS: [ConnectionEvent; 4] = [
    ConnectionEvent::PasswordChanged,
    ConnectionEvent::CredentialsUpdated,
    ConnectionEvent::MfaSessionExpired,
    ConnectionEvent::ProviderUnavailable,
];

/// A change Nectar makes to the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// The status changes by `event`, through the table (an event that leaves the status
    /// as it is would change timestamps only, and send nothing: not taken).
    Status(ConnectionEvent),
    /// `externalId` gets a new value.
    ExternalId,
    /// A second account is found: `DETECTED`, tracking `UNSET`.
    AccountFound,
    /// The utility closes the first account: `OLD_ACCOUNT`.
    AccountClosed,
}

/// Every change, in the order actions are tried.
const CHANGES: [Change; 7] = [
    Change::Status(STATUS_EVENTS[0]),
    Change::Status(STATUS_EVENTS[1]),
    Change::Status(STATUS_EVENTS[2]),
    Change::Status(STATUS_EVENTS[3]),
    Change::ExternalId,
    Change::AccountFound,
    Change::AccountClosed,
];

/// Nectar's connection at one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NectarState {
    /// The connection, changed only through the table.
    pub connection: Connection,
    /// The generation of `externalId` (`ext-0`, `ext-1`, ...).
    pub external_id: u8,
    /// The first account (`acc-1`), tracked from the start.
    pub first: Account,
    /// The second account (`acc-2`), once found.
    pub found: Option<Account>,
    /// The version of the last status change: its `statusLastUpdateTime`.
    pub status_changed: usize,
}

/// When version `version` was recorded: `2026-11-25T09:00:00Z` plus that many minutes.
fn at(version: usize) -> Timestamp {
    let minutes = i64::try_from(version).unwrap_or(i64::MAX);
    Timestamp::from_second(1_795_597_200).unwrap_or(Timestamp::UNIX_EPOCH)
        + SignedDuration::from_mins(minutes)
}

impl NectarState {
    /// A connected connection with one tracked account whose pull completed.
    #[must_use]
    pub fn initial() -> Self {
        let mut connection = Connection::new(Rules::Operational);
        let mut first = Account::new();
        // The table allows these from a new connection and account.
        let _ = connection.apply(ConnectionEvent::AuthSucceeded);
        let _ = first.apply(AccountEvent::Confirmed);
        let _ = first.apply(AccountEvent::PullCompleted);
        Self {
            connection,
            external_id: 0,
            first,
            found: None,
            status_changed: 0,
        }
    }

    /// The state after `change` at version `version`, or `None` when the table refuses it
    /// or it would change nothing Nectar sends an event for.
    #[must_use]
    pub fn after(&self, change: Change, version: usize) -> Option<Self> {
        let mut next = *self;
        match change {
            Change::Status(event) => {
                let t = next.connection.apply(event).ok()?;
                if t.from == t.to {
                    return None;
                }
                next.status_changed = version;
                next.first.follow_parent(&next.connection);
                if let Some(found) = &mut next.found {
                    found.follow_parent(&next.connection);
                }
            }
            Change::ExternalId => next.external_id += 1,
            Change::AccountFound => {
                if next.found.is_some() {
                    return None;
                }
                let mut found = Account::new();
                found.follow_parent(&next.connection);
                next.found = Some(found);
            }
            Change::AccountClosed => {
                next.first.apply(AccountEvent::ClosedByUtility).ok()?;
            }
        }
        Some(next)
    }

    /// The connection as Nectar's API shows it at `version`.
    #[must_use]
    pub fn payload(&self, version: usize) -> ConnectionPayload {
        let account = |id: &str, a: &Account| AccountPayload {
            id: Some(id.to_owned()),
            status: Some(a.status().into()),
            tracking_status: Some(a.tracking().into()),
            ..AccountPayload::default()
        };
        let found = self.found.as_ref().map(|a| account("acc-2", a));
        ConnectionPayload {
            updated: Some(at(version).to_string()),
            status_last_update_time: Some(at(self.status_changed)),
            external_id: Some(format!("ext-{}", self.external_id)),
            accounts: core::iter::once(account("acc-1", &self.first))
                .chain(found)
                .collect(),
            ..ConnectionPayload::new("conn-1", self.connection.status())
        }
    }
}

/// What Svix has done with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fate {
    /// Not delivered yet.
    Queued,
    /// Delivered once; Svix may deliver it again (the acknowledgement was lost).
    Delivered,
    /// Delivered twice.
    Redelivered,
    /// Svix gave up on it: the integrator never receives it.
    Dropped,
}

/// One event Nectar sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Message {
    /// The version whose change sent it (its index in Nectar's history).
    pub version: usize,
    /// Its place among that change's events, as [`nectar_events`] lists them.
    pub event: usize,
    /// What Svix has done with it.
    pub fate: Fate,
}

/// The integrator's [`Record`], hashable for the checker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored(pub Record);

impl Hash for Stored {
    /// Hashes every field the model varies, so that stateright's fingerprints (its identity
    /// of states) tell apart records that differ; equal records hash equal. The fields left
    /// out are constant in the model.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let record = &self.0;
        let c = &record.connection;
        c.updated.hash(state);
        c.status.hash(state);
        c.status_last_update_time.hash(state);
        c.external_id.hash(state);
        for a in &c.accounts {
            (&a.id, &a.status, &a.tracking_status).hash(state);
        }
        record.observed.hash(state);
        record.observed_accounts.hash(state);
        record.recent_event_ids.hash(state);
    }
}

/// Sticky ghost flags: what the monitors saw the integrator do wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DeliveryViolations {
    /// The stored version went backwards.
    pub regressed: bool,
    /// The record took content that is not one of Nectar's states, or not a later one.
    pub out_of_history: bool,
    /// `EnteredCredentialError` was derived when the stored status did not enter a
    /// credential error, or not when it did, or twice for one of Nectar's changes.
    pub credential_notification: bool,
    /// An observation seen for the first time, whose content differs from the stored
    /// content, was classed as already applied.
    pub change_taken_as_duplicate: bool,
}

/// A state of the integration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryState {
    /// Nectar's connection at each version, oldest first; the last is its state now.
    pub history: Vec<NectarState>,
    /// Every event Nectar sent, in the order sent; the index `i` is its `svix-id`
    /// (`msg_i`).
    pub messages: Vec<Message>,
    /// The integrator's record.
    pub record: Stored,
    /// A gap or a drop left a poll to do.
    pub poll_owed: bool,
    /// Ghost: the version of Nectar's history the record holds.
    pub stored_version: usize,
    /// Ghost: the versions for which `EnteredCredentialError` was derived, as bits.
    pub credential_notified: u32,
    /// Ghost, sticky: the monitors' findings.
    pub violations: DeliveryViolations,
}

impl DeliveryState {
    /// Nectar's connection now, as a poll returns it; `None` only for a state with no
    /// history (the model's states always have one: the initial version).
    #[must_use]
    pub fn latest(&self) -> Option<ConnectionPayload> {
        let version = self.history.len().checked_sub(1)?;
        self.history
            .get(version)
            .map(|state| state.payload(version))
    }

    /// The webhook of `message`, rebuilt with [`nectar_events`].
    fn webhook(&self, message: Message) -> Option<Webhook> {
        let before = self.history.get(message.version.checked_sub(1)?)?;
        let after = self.history.get(message.version)?;
        let old = before.payload(message.version - 1);
        nectar_events(Some(&old), &after.payload(message.version))
            .into_iter()
            .nth(message.event)
    }

    /// The version of Nectar's history `connection` is, if it is one.
    fn version_of(&self, connection: &ConnectionPayload) -> Option<usize> {
        let updated = Version::of(connection).updated?;
        let minutes = updated.duration_since(at(0)).as_mins();
        let version = usize::try_from(minutes).ok()?;
        let state = self.history.get(version)?;
        (state.payload(version) == *connection).then_some(version)
    }

    /// Every event delivered or dropped, and no poll owed: nothing will move the record
    /// until Nectar changes again.
    #[must_use]
    pub fn quiescent(&self) -> bool {
        !self.poll_owed && self.messages.iter().all(|m| m.fate != Fate::Queued)
    }

    fn count(&self, fate: Fate) -> usize {
        self.messages.iter().filter(|m| m.fate == fate).count()
    }

    fn status_changes(&self) -> usize {
        self.history
            .windows(2)
            .filter(|w| w[0].connection.status() != w[1].connection.status())
            .count()
    }
}

/// An action of the integration model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryAction {
    /// Nectar changes the connection and sends its events.
    Change(Change),
    /// Svix delivers event `i` (`msg_i`) for the first time.
    Deliver(usize),
    /// Svix delivers event `i` again, with the same `svix-id`.
    Redeliver(usize),
    /// Svix gives up on event `i`.
    Drop(usize),
    /// The integrator polls `GET /connection/{id}/details`.
    Poll,
}

/// Whether an observation was seen before: a redelivery is a duplicate whatever it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// The first delivery, or a snapshot.
    First,
    /// A redelivery.
    Again,
}

/// Whether the stored status enters a credential error: it shows one now and showed
/// another status before (outside one, or another one across a missed recovery, whose
/// remedy differs). Written from the spec, independently of the notification code.
fn enters_credential_error(
    before: &Reported<ConnectionStatus>,
    after: &Reported<ConnectionStatus>,
) -> bool {
    after
        .known()
        .is_some_and(ConnectionStatus::is_credential_error)
        && before != after
}

impl DeliveryModel {
    /// The report's name for the model.
    #[must_use]
    pub fn name(&self) -> String {
        let b = self.bounds;
        let counted =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "delivery: up to {} ({} of the status), {}, {}",
            counted(b.changes, "change", "changes"),
            b.status_changes,
            counted(b.redeliveries, "redelivery", "redeliveries"),
            counted(b.drops, "drop", "drops"),
        )
    }

    /// The initial state: Nectar's connection as the integrator stored it from a poll.
    #[must_use]
    pub fn initial(&self) -> DeliveryState {
        let nectar = NectarState::initial();
        DeliveryState {
            record: Stored(Record::new(nectar.payload(0))),
            history: vec![nectar],
            messages: Vec::new(),
            poll_owed: false,
            stored_version: 0,
            credential_notified: 0,
            violations: DeliveryViolations::default(),
        }
    }

    /// The decision on `observation`: the real [`reconcile`], or a broken variant's.
    fn decide(&self, stored: &Record, observation: Observation<'_>) -> Decision {
        let decision = reconcile(Some(stored), observation);
        let incoming = observation.connection();
        match (self.bug, &decision) {
            (Some(DeliveryBug::SameStatusIsDuplicate), d)
                if !matches!(d, Decision::Duplicate(DuplicateReason::SameDelivery))
                    && stored.connection.status == incoming.status
                    && stored.connection.status_last_update_time
                        == incoming.status_last_update_time =>
            {
                Decision::Duplicate(DuplicateReason::SameVersion)
            }
            (Some(DeliveryBug::ApplyStale), Decision::Stale { .. }) => {
                apply_regardless(stored, incoming)
            }
            _ => decision,
        }
    }

    /// The notifications the integrator acts on: the applied change's, or a broken
    /// variant's.
    fn notified(&self, observation: Observation<'_>, decision: &Decision) -> EnumSet<Notification> {
        match (self.bug, observation) {
            (Some(DeliveryBug::NotifyPerEvent), Observation::Delivery { webhook, .. }) => {
                let status_event = webhook.event_type.known() == Some(EventType::Validated)
                    || webhook.previous_status().is_some();
                if status_event {
                    credential_error_shown(&webhook.connection)
                } else {
                    EnumSet::empty()
                }
            }
            _ => applied_notifications(decision),
        }
    }

    /// The record to store: the real [`Record::after`], or a broken variant's.
    fn after(
        &self,
        stored: &Record,
        observation: Observation<'_>,
        decision: &Decision,
    ) -> Option<Record> {
        let mut after = Record::after(Some(stored), observation, decision)?;
        if self.bug == Some(DeliveryBug::PatchProtectedChanges)
            && matches!(decision, Decision::Apply(_))
            && let Observation::Delivery { webhook, .. } = observation
            && webhook.event_type.known() == Some(EventType::Updated)
        {
            let mut patched = stored.connection.clone();
            let incoming = &webhook.connection;
            for field in Field::changed(&patched, incoming).iter() {
                if !webhook.protected_changes.iter().any(|n| n == field.name()) {
                    continue;
                }
                // The fields this model changes.
                match field {
                    Field::Status => patched.status = incoming.status.clone(),
                    Field::ExternalId => patched.external_id.clone_from(&incoming.external_id),
                    Field::Accounts => patched.accounts.clone_from(&incoming.accounts),
                    _ => {}
                }
            }
            after.connection = patched;
        }
        Some(after)
    }

    /// The integrator handles `observation`; the monitors watch.
    fn integrate(&self, next: &mut DeliveryState, observation: Observation<'_>, seen: Seen) {
        let before = &next.record.0;
        let decision = self.decide(before, observation);
        let notified = self.notified(observation, &decision);
        let after = self.after(before, observation, &decision);
        let held = after.as_ref().unwrap_or(before);
        let mut found = DeliveryViolations {
            change_taken_as_duplicate: matches!(decision, Decision::Duplicate(_))
                && seen == Seen::First
                && before.connection != *observation.connection(),
            regressed: held.version().order(&before.version()) == Some(Ordering::Less),
            ..DeliveryViolations::default()
        };
        if held.connection != before.connection {
            match next.version_of(&held.connection) {
                Some(v) if v > next.stored_version => next.stored_version = v,
                _ => found.out_of_history = true,
            }
        }
        let entered = enters_credential_error(&before.connection.status, &held.connection.status);
        let credential = notified.contains(Notification::EnteredCredentialError);
        if credential != entered {
            found.credential_notification = true;
        }
        if credential {
            let bit = next
                .version_of(observation.connection())
                .map_or(0, |v| 1_u32 << v);
            if next.credential_notified & bit != 0 {
                found.credential_notification = true;
            }
            next.credential_notified |= bit;
        }
        let polls_on_gaps = !matches!(
            self.bug,
            Some(DeliveryBug::NeverPolls | DeliveryBug::IgnoreGaps)
        );
        if polls_on_gaps && matches!(decision, Decision::Gap(_)) {
            next.poll_owed = true;
        }
        if let Some(after) = after {
            next.record = Stored(after);
        }
        let v = &mut next.violations;
        v.regressed |= found.regressed;
        v.out_of_history |= found.out_of_history;
        v.credential_notification |= found.credential_notification;
        v.change_taken_as_duplicate |= found.change_taken_as_duplicate;
    }

    /// One step; `None` when the action is not possible in `state`.
    #[must_use]
    pub fn step(&self, state: &DeliveryState, action: DeliveryAction) -> Option<DeliveryState> {
        let mut next = state.clone();
        match action {
            DeliveryAction::Change(change) => {
                let version = state.history.len();
                let now = state.history.last()?;
                if version > self.bounds.changes {
                    return None;
                }
                let changed = now.after(change, version)?;
                next.history.push(changed);
                if next.status_changes() > self.bounds.status_changes {
                    return None;
                }
                let sent =
                    nectar_events(Some(&now.payload(version - 1)), &changed.payload(version));
                next.messages.extend((0..sent.len()).map(|event| Message {
                    version,
                    event,
                    fate: Fate::Queued,
                }));
            }
            DeliveryAction::Deliver(i) | DeliveryAction::Redeliver(i) => {
                let message = next.messages.get_mut(i)?;
                let (seen, fate) = match (action, message.fate) {
                    (DeliveryAction::Deliver(_), Fate::Queued) => (Seen::First, Fate::Delivered),
                    (DeliveryAction::Redeliver(_), Fate::Delivered)
                        if state.count(Fate::Redelivered) < self.bounds.redeliveries =>
                    {
                        (Seen::Again, Fate::Redelivered)
                    }
                    _ => return None,
                };
                message.fate = fate;
                let webhook = state.webhook(*message)?;
                let id = format!("msg_{i}");
                let delivery = Observation::Delivery {
                    id: Some(&id),
                    webhook: &webhook,
                };
                self.integrate(&mut next, delivery, seen);
            }
            DeliveryAction::Drop(i) => {
                if state.count(Fate::Dropped) >= self.bounds.drops {
                    return None;
                }
                let message = next.messages.get_mut(i)?;
                if message.fate != Fate::Queued {
                    return None;
                }
                message.fate = Fate::Dropped;
                // The final poll: Svix reports the failed message; Nectar's state then
                // holds what it carried.
                if self.bug != Some(DeliveryBug::NeverPolls) {
                    next.poll_owed = true;
                }
            }
            DeliveryAction::Poll => {
                if !state.poll_owed {
                    return None;
                }
                next.poll_owed = false;
                let snapshot = state.latest()?;
                self.integrate(&mut next, Observation::Snapshot(&snapshot), Seen::First);
            }
        }
        Some(next)
    }
}

/// The notifications of an applied decision; none for any other.
pub(crate) fn applied_notifications(decision: &Decision) -> EnumSet<Notification> {
    match decision {
        Decision::Apply(changes) => changes.notifications,
        _ => EnumSet::empty(),
    }
}

/// A broken variant's notification: `EnteredCredentialError` whenever `connection` shows a
/// credential error, whatever was stored.
pub(crate) fn credential_error_shown(connection: &ConnectionPayload) -> EnumSet<Notification> {
    if connection
        .status
        .known()
        .is_some_and(ConnectionStatus::is_credential_error)
    {
        EnumSet::from([Notification::EnteredCredentialError])
    } else {
        EnumSet::empty()
    }
}

/// A broken variant's decision: `incoming` applied over `stored` whatever their order.
pub(crate) fn apply_regardless(stored: &Record, incoming: &ConnectionPayload) -> Decision {
    Decision::Apply(Changes::between(Some(&stored.connection), None, incoming))
}

impl Model for DeliveryModel {
    type State = DeliveryState;
    type Action = DeliveryAction;

    fn init_states(&self) -> Vec<DeliveryState> {
        vec![self.initial()]
    }

    fn actions(&self, state: &DeliveryState, actions: &mut Vec<DeliveryAction>) {
        if state.history.len() <= self.bounds.changes {
            actions.extend(CHANGES.map(DeliveryAction::Change));
        }
        for (i, message) in state.messages.iter().enumerate() {
            match message.fate {
                Fate::Queued => {
                    actions.push(DeliveryAction::Deliver(i));
                    actions.push(DeliveryAction::Drop(i));
                }
                Fate::Delivered => actions.push(DeliveryAction::Redeliver(i)),
                Fate::Redelivered | Fate::Dropped => {}
            }
        }
        if state.poll_owed {
            actions.push(DeliveryAction::Poll);
        }
    }

    fn next_state(&self, state: &DeliveryState, action: DeliveryAction) -> Option<DeliveryState> {
        self.step(state, action)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always(
                "no regression: the stored version never goes backwards",
                |_, s: &DeliveryState| !s.violations.regressed,
            ),
            Property::always(
                "convergence: once every event is delivered or dropped and every poll answered, the record is Nectar's latest state",
                |_, s: &DeliveryState| {
                    !s.quiescent() || s.latest().as_ref() == Some(&s.record.0.connection)
                },
            ),
            Property::always(
                "the stored contents are Nectar's states, in Nectar's order",
                |_, s: &DeliveryState| !s.violations.out_of_history,
            ),
            Property::always(
                "EnteredCredentialError is derived exactly when the stored status enters a credential error, once per change",
                |_, s: &DeliveryState| !s.violations.credential_notification,
            ),
            Property::always(
                "nothing Nectar changed is classed as already applied",
                |_, s: &DeliveryState| !s.violations.change_taken_as_duplicate,
            ),
        ]
    }
}
