//! Random histories of one connection, delivered on random schedules: every event at least
//! once, in any order, redelivered with the same `svix-id`, or dropped. The integrator runs
//! `reconcile` and `Record::after` on each delivery, polls when a decision is a gap, and
//! polls once more at the end when something was dropped. The properties are the delivery
//! model's (`cargo lifecycle check`), here on longer histories, overlays included, than the
//! model explores exhaustively:
//!
//! 1. the stored version never goes backwards;
//! 2. at the end the record is Nectar's latest state, fields and accounts included;
//! 3. the stored contents are Nectar's states, in Nectar's order;
//! 4. `EnteredCredentialError` is derived exactly when the stored status enters a
//!    credential error it was not in, at most once per change of Nectar's;
//! 5. nothing Nectar changed is classed as already applied: a duplicate is a redelivery or
//!    the stored content.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_core::strategies::valid_path;
use nectar_lifecycle_core::{
    AccountStatus, Connection, ConnectionEvent, ConnectionStatus, Rules, TrackingStatus,
};
use nectar_lifecycle_support::proptest_cases;
use nectar_lifecycle_webhook::{
    AccountPayload, ConnectionPayload, Decision, Notification, Observation, Record, Webhook,
    nectar_events, reconcile,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError};

/// A change of a field that Nectar sends `connection.updated.v2` for.
#[derive(Debug, Clone, Copy)]
enum FieldChange {
    ExternalId,
    ErrorDetail,
    AccountFound,
    AccountClosed,
}

#[derive(Debug, Clone, Copy)]
enum Change {
    Status(ConnectionEvent),
    Field(FieldChange),
}

/// A valid path of status events, with field changes inserted anywhere.
fn changes() -> impl Strategy<Value = Vec<Change>> {
    let field = prop_oneof![
        Just(FieldChange::ExternalId),
        Just(FieldChange::ErrorDetail),
        Just(FieldChange::AccountFound),
        Just(FieldChange::AccountClosed),
    ];
    (
        valid_path(Rules::Operational, 0..8),
        vec((field, any::<Index>()), 0..5),
    )
        .prop_map(|(path, fields)| {
            let mut changes: Vec<Change> = path.into_iter().map(Change::Status).collect();
            for (field, at) in fields {
                changes.insert(at.index(changes.len() + 1), Change::Field(field));
            }
            changes
        })
}

/// `2026-11-25T09:00:00Z` plus `version` minutes.
fn at(version: usize) -> Timestamp {
    let minutes = i64::try_from(version).expect("a small version");
    "2026-11-25T09:00:00Z"
        .parse::<Timestamp>()
        .expect("a timestamp")
        + SignedDuration::from_mins(minutes)
}

/// Nectar's connection at each version, from its creation. A status event that leaves the
/// status as it was changes timestamps only, fires nothing, and is left out.
fn history(changes: &[Change]) -> Vec<ConnectionPayload> {
    let mut machine = Connection::new(Rules::Operational);
    let created = ConnectionPayload {
        created: Some(at(0).to_string()),
        updated: Some(at(0).to_string()),
        status_last_update_time: Some(at(0)),
        ..ConnectionPayload::new("conn-1", machine.status())
    };
    let mut history = vec![created];
    for &change in changes {
        let version = history.len();
        let mut next = history[version - 1].clone();
        match change {
            Change::Status(event) => {
                let t = machine.apply(event).expect("a valid path");
                if t.from == t.to {
                    continue;
                }
                next.status = t.to.into();
                next.status_last_update_time = Some(at(version));
            }
            Change::Field(FieldChange::ExternalId) => {
                next.external_id = Some(format!("ext-{version}"));
            }
            Change::Field(FieldChange::ErrorDetail) => {
                next.status_error_detail = Some(format!("detail {version}"));
            }
            Change::Field(FieldChange::AccountFound) => next.accounts.push(AccountPayload {
                id: Some(format!("acc-{version}")),
                status: Some(AccountStatus::Detected.into()),
                tracking_status: Some(TrackingStatus::Unset.into()),
                ..AccountPayload::default()
            }),
            Change::Field(FieldChange::AccountClosed) => {
                let closed = Some(AccountStatus::OldAccount.into());
                let Some(open) = next.accounts.iter_mut().find(|a| a.status != closed) else {
                    continue;
                };
                open.status = closed;
            }
        }
        next.updated = Some(at(version).to_string());
        history.push(next);
    }
    history
}

/// One event Nectar sent: the version whose change sent it, and its body.
struct Message {
    version: usize,
    webhook: Webhook,
    /// Deliveries left: 0 once delivered as often as Svix will; `None` when dropped.
    copies: Option<u8>,
    delivered: bool,
}

/// How Svix treats each message, by its index (wrapping): 0 drops it, 1 and 2 deliver it
/// twice, 3 three times, the rest once.
fn messages(history: &[ConnectionPayload], fates: &[u8]) -> Vec<Message> {
    let sent = history.iter().enumerate().flat_map(|(version, now)| {
        let before = version.checked_sub(1).map(|v| &history[v]);
        nectar_events(before, now)
            .into_iter()
            .map(move |webhook| (version, webhook))
    });
    sent.enumerate()
        .map(|(i, (version, webhook))| Message {
            version,
            webhook,
            copies: match fates[i % fates.len()] {
                0 => None,
                1 | 2 => Some(2),
                3 => Some(3),
                _ => Some(1),
            },
            delivered: false,
        })
        .collect()
}

/// The integrator's record, and what the checks remember of its past.
#[derive(Default)]
struct Integrator {
    stored: Option<Record>,
    poll_owed: bool,
    /// The version of Nectar's history the record holds.
    stored_version: Option<usize>,
    /// The versions for which `EnteredCredentialError` was derived.
    notified: BTreeSet<usize>,
}

fn version_of(history: &[ConnectionPayload], connection: &ConnectionPayload) -> Option<usize> {
    history.iter().position(|h| h == connection)
}

/// Whether a delivery was seen before: a redelivery may be a duplicate whatever it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    First,
    Again,
}

impl Integrator {
    /// Handles one observation.
    fn observe(
        &mut self,
        history: &[ConnectionPayload],
        observation: Observation<'_>,
        seen: Seen,
    ) -> Result<(), TestCaseError> {
        let before = self.stored.as_ref();
        let decision = reconcile(before, observation);
        let after = Record::after(before, observation, &decision);
        let incoming = observation.connection();
        let now = after
            .as_ref()
            .or(before)
            .expect("the first observation is applied");
        if let Decision::Duplicate(reason) = &decision {
            prop_assert!(
                seen == Seen::Again || before.is_some_and(|b| b.connection == *incoming),
                "{reason:?} for content the record does not hold: {decision}"
            );
        }
        if let Some(before) = before {
            prop_assert_ne!(
                now.version().order(&before.version()),
                Some(core::cmp::Ordering::Less),
                "regressed: {}",
                decision
            );
        }
        if before.is_none_or(|b| b.connection != now.connection) {
            let version = version_of(history, &now.connection);
            prop_assert!(
                version.is_some() && version > self.stored_version,
                "stored {version:?} after {:?}",
                self.stored_version
            );
            self.stored_version = version;
        }
        let status_before = before.map(|b| &b.connection.status);
        let entered = now
            .connection
            .status
            .known()
            .is_some_and(ConnectionStatus::is_credential_error)
            && status_before != Some(&now.connection.status);
        let notified = match &decision {
            Decision::Apply(changes) => changes
                .notifications
                .contains(Notification::EnteredCredentialError),
            _ => false,
        };
        prop_assert_eq!(notified, entered, "{}", decision);
        if notified {
            let version = version_of(history, incoming).expect("Nectar sent it");
            prop_assert!(
                self.notified.insert(version),
                "notified twice for {version}"
            );
        }
        self.poll_owed |= matches!(decision, Decision::Gap(_));
        if let Some(after) = after {
            self.stored = Some(after);
        }
        Ok(())
    }

    fn poll(&mut self, history: &[ConnectionPayload], version: usize) -> Result<(), TestCaseError> {
        self.poll_owed = false;
        self.observe(
            history,
            Observation::Snapshot(&history[version]),
            Seen::First,
        )
    }
}

/// What can happen next.
#[derive(Debug, Clone, Copy)]
enum Step {
    Change,
    Deliver(usize),
    Poll,
}

/// Runs the schedule: at each step, `choices` picks among what can happen (Nectar's next
/// change, a delivery of a message already sent, an owed poll); once they run out, the
/// first. Then the final poll if something was dropped.
fn run(
    history: &[ConnectionPayload],
    mut messages: Vec<Message>,
    choices: &[Index],
) -> Result<Integrator, TestCaseError> {
    let mut integrator = Integrator::default();
    let mut version = 0;
    let mut choices = choices.iter();
    loop {
        let mut steps = Vec::new();
        if version + 1 < history.len() {
            steps.push(Step::Change);
        }
        for (i, m) in messages.iter().enumerate() {
            if m.version <= version && m.copies.is_some_and(|c| c > 0) {
                steps.push(Step::Deliver(i));
            }
        }
        if integrator.poll_owed {
            steps.push(Step::Poll);
        }
        let picked = match choices.next() {
            Some(choice) if !steps.is_empty() => steps.get(choice.index(steps.len())),
            _ => steps.first(),
        };
        let Some(&step) = picked else {
            break;
        };
        match step {
            Step::Change => version += 1,
            Step::Deliver(i) => {
                let m = &mut messages[i];
                m.copies = m.copies.map(|c| c - 1);
                let seen = if std::mem::replace(&mut m.delivered, true) {
                    Seen::Again
                } else {
                    Seen::First
                };
                let id = format!("msg_{i}");
                let delivery = Observation::Delivery {
                    id: Some(&id),
                    webhook: &m.webhook,
                };
                integrator.observe(history, delivery, seen)?;
            }
            Step::Poll => integrator.poll(history, version)?,
        }
    }
    if messages.iter().any(|m| m.copies.is_none()) {
        integrator.poll(history, version)?;
    }
    Ok(integrator)
}

proptest! {
    #![proptest_config(Config { cases: proptest_cases(1024), ..Config::default() })]

    #[test]
    fn any_delivery_schedule_converges_in_order_without_regression(
        changes in changes(),
        fates in vec(0..8_u8, 1..24),
        choices in vec(any::<Index>(), 0..64),
    ) {
        let history = history(&changes);
        let messages = messages(&history, &fates);
        let integrator = run(&history, messages, &choices)?;
        let latest = history.last().expect("created");
        let stored = integrator.stored.as_ref().map(|r| &r.connection);
        prop_assert_eq!(stored, Some(latest), "not converged");
    }
}
