//! Load and disorder: the simulated histories of many connections, delivered as Nectar
//! sends them through Svix, with Svix's disorder, against one or several receivers; then the
//! end state checked against what the library derives from each history.
//!
//! * A [`History`] is one connection's life at Nectar: its statuses walk the real
//!   transition table ([`Connection::apply`] on an allowed event), its fields and accounts
//!   change (account statuses through [`Account::apply`]), and each change's webhooks are
//!   the library's [`nectar_events`].
//! * A [`LoadPlan`] turns each history into steps. A step delivers the events of one change,
//!   every event sent 1 to [`Disorder::copies`] times at once with the same `svix-id`
//!   (re-signed at each attempt, as Svix redelivers), the updated and validated events in
//!   any order, with late redeliveries of the connection's earlier events, and now and then
//!   a forged, replayed or tampered delivery. Adjacent changes are swapped (the newer one
//!   arrives first) and changes are dropped (never delivered): the receiver then meets a gap
//!   and polls the [`NectarDouble`], and a change dropped at the end is made up by a final
//!   poll. Connections run at once; the deliveries of one step race each other, over every
//!   target in turn.
//! * The end state is exact by construction: within a step, every order of arrival leaves
//!   the record at the newest of the step's state and the stored one, so the record goes
//!   through the states of [`ConnectionPlan::path`], and the expected record and outbox are
//!   those of replaying that path through [`reconcile`] and [`Record::after`]. Without swaps
//!   and drops, the path is the whole history in order.

use core::ops::RangeInclusive;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::verify::WebhookSecret;
use nectar_lifecycle::webhook::{
    AccountPayload, ConnectionPayload, Decision, Notification, Observation, Record, Webhook,
    nectar_events, reconcile,
};
use nectar_lifecycle::{
    Account, AccountEvent, Connection, ConnectionEvent, ConnectionStatus, EventOrigin, Rules,
};
use nectar_receiver::{Config, EntryKind, Running, Store, StoreOptions, WEBHOOK_PATH};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::{
    DoubleState, FOREIGN_SECRET, Harness, NectarDouble, SECRET, at, changed_status, client,
    connection, stop_receiver, test_config,
};

/// The seed of the plans: `NECTAR_LOAD_SEED` if set (to replay a failed run), else fixed.
pub fn seed() -> u64 {
    std::env::var("NECTAR_LOAD_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(14)
}

/// One connection's life at Nectar: its states, and what Nectar sends for each change.
#[derive(Debug, Clone)]
pub struct History {
    /// Nectar's states of the connection, the first as created.
    pub states: Vec<ConnectionPayload>,
    /// `events[k]`: the webhooks of change `k` (`k = 0`: the creation), each with its
    /// `svix-id`.
    pub events: Vec<Vec<(String, Webhook)>>,
}

impl History {
    /// Connection `id`, created `PENDING`, then `changes` changes: status changes through the
    /// table, field changes, account changes; ten minutes apart.
    pub fn simulate(id: &str, changes: usize, rng: &mut fastrand::Rng) -> Self {
        let mut machine = Connection::new(Rules::Operational);
        let mut accounts: Vec<Account> = Vec::new();
        let mut states = vec![connection(id, machine.status(), 0)];
        for change in 1..=changes {
            let before = states
                .last()
                .unwrap_or_else(|| unreachable!("created first"));
            let minute = 10 * i64::try_from(change).expect("a few changes");
            let next = match rng.u8(0..10) {
                0..=5 => status_change(&mut machine, before, minute, rng),
                6..=7 => None,
                _ => account_change(&mut accounts, before, minute, rng),
            }
            .unwrap_or_else(|| field_change(before, change, minute));
            states.push(next);
        }
        let events = states
            .iter()
            .enumerate()
            .map(|(change, state)| {
                let before = change.checked_sub(1).map(|previous| &states[previous]);
                let events = nectar_events(before, state);
                assert!(!events.is_empty(), "change {change} of {id} sends an event");
                events
                    .into_iter()
                    .enumerate()
                    .map(|(i, webhook)| (format!("msg_{id}_{change}_{i}"), webhook))
                    .collect()
            })
            .collect();
        Self { states, events }
    }

    /// Nectar's last state of the connection.
    pub fn last(&self) -> usize {
        self.states.len() - 1
    }
}

/// A change of the connection's status through the table: an allowed event, picked at
/// random, that changes the status shown; `None` if there is none.
fn status_change(
    machine: &mut Connection,
    before: &ConnectionPayload,
    minute: i64,
    rng: &mut fastrand::Rng,
) -> Option<ConnectionPayload> {
    let shown = machine.status();
    let mut events: Vec<ConnectionEvent> = machine.allowed_events().iter().collect();
    rng.shuffle(&mut events);
    events.into_iter().find_map(|event| {
        let mut next = *machine;
        next.apply(event).ok()?;
        let status = next.status();
        (status != shown).then(|| {
            *machine = next;
            ConnectionPayload {
                is_active: Some(next.is_active()),
                status_error_detail: status
                    .is_credential_error()
                    .then(|| format!("{event} at minute {minute}")),
                ..changed_status(before, status, minute)
            }
        })
    })
}

/// A new account (`DETECTED`, tracking `UNSET`: a tracking decision awaited), or an event of
/// the integrator or of a check on one of the accounts, through the table; `None` if that
/// changes nothing Nectar would send.
fn account_change(
    accounts: &mut Vec<Account>,
    before: &ConnectionPayload,
    minute: i64,
    rng: &mut fastrand::Rng,
) -> Option<ConnectionPayload> {
    if accounts.is_empty() || rng.u8(0..3) == 0 {
        accounts.push(Account::new());
    } else {
        let index = rng.usize(..accounts.len());
        let account = &mut accounts[index];
        let events: Vec<AccountEvent> = account
            .allowed_events()
            .iter()
            .filter(|event| matches!(event.origin(), EventOrigin::Integrator | EventOrigin::Check))
            .collect();
        let event = *events.get(rng.usize(..events.len().max(1)))?;
        account.apply(event).ok()?;
    }
    let next = ConnectionPayload {
        accounts: accounts.iter().enumerate().map(account_payload).collect(),
        updated: Some(at(minute).to_string()),
        ..before.clone()
    };
    (!nectar_events(Some(before), &next).is_empty()).then_some(next)
}

fn account_payload((index, account): (usize, &Account)) -> AccountPayload {
    AccountPayload {
        id: Some(format!("acct-{index}")),
        account_number: Some(format!("{:08}", 4_200 + index)),
        status: Some(account.status().into()),
        tracking_status: Some(account.tracking().into()),
        ..AccountPayload::default()
    }
}

/// A change of the integrator's `externalId`.
fn field_change(before: &ConnectionPayload, change: usize, minute: i64) -> ConnectionPayload {
    ConnectionPayload {
        external_id: Some(format!("crm-{change}")),
        updated: Some(at(minute).to_string()),
        ..before.clone()
    }
}

/// How Svix's deliveries are disordered.
#[derive(Debug, Clone, Copy)]
pub struct Disorder {
    /// Each delivery is sent 1 to `copies` times at once, with the same `svix-id`.
    pub copies: usize,
    /// Up to this many late redeliveries of the connection's earlier events per step.
    pub late: usize,
    /// The chance, in percent, that a change arrives after the next one.
    pub swap_percent: u8,
    /// The chance, in percent, that a change is never delivered (a gap, polled; at the end,
    /// made up by a final poll). The creation is always delivered.
    pub drop_percent: u8,
    /// The chance, in percent, that a step carries a forged, replayed or tampered delivery.
    pub forgery_percent: u8,
}

impl Disorder {
    /// Duplicates, races, late redeliveries, forgeries, swaps and drops.
    pub const SVIX: Self = Self {
        copies: 3,
        late: 2,
        swap_percent: 15,
        drop_percent: 10,
        forgery_percent: 15,
    };

    /// As [`Disorder::SVIX`], without swaps and drops: no gap, nothing to poll.
    pub const NO_GAPS: Self = Self {
        swap_percent: 0,
        drop_percent: 0,
        ..Self::SVIX
    };
}

/// A delivery that must be refused (401) and change nothing.
#[derive(Debug, Clone)]
pub enum Forgery {
    /// Signed with a secret the receiver does not know.
    UnknownSecret,
    /// Signed with Nectar's secret, six minutes ago (outside the five-minute window), with
    /// the `svix-id` of one of Nectar's deliveries.
    Replayed,
    /// Nectar's signature of one of its deliveries (`signed`, with its `svix-id`), on
    /// another body.
    Tampered {
        /// The body the signature is of.
        signed: Arc<[u8]>,
    },
}

/// One request Svix makes, perhaps several times.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// `svix-id`.
    pub svix_id: String,
    /// The body.
    pub body: Arc<[u8]>,
    /// `None` for Nectar's own deliveries.
    pub forgery: Option<Forgery>,
}

impl Delivery {
    fn genuine(svix_id: &str, webhook: &Webhook) -> Self {
        Self {
            svix_id: svix_id.to_owned(),
            body: body(webhook),
            forgery: None,
        }
    }

    /// The headers to send it with at `now`.
    fn headers(&self, now: Timestamp, secrets: &Secrets) -> Vec<(&'static str, String)> {
        let (secret, at, body) = match &self.forgery {
            None => (&secrets.nectar, now, &self.body),
            Some(Forgery::UnknownSecret) => (&secrets.foreign, now, &self.body),
            Some(Forgery::Replayed) => (
                &secrets.nectar,
                now - SignedDuration::from_mins(6),
                &self.body,
            ),
            Some(Forgery::Tampered { signed }) => (&secrets.nectar, now, signed),
        };
        secret.sign(&self.svix_id, at, body).iter().collect()
    }
}

fn body(webhook: &Webhook) -> Arc<[u8]> {
    serde_json::to_vec(webhook)
        .expect("a webhook serializes")
        .into()
}

/// The events of one change, delivered at once (with copies, late redeliveries and
/// forgeries), shuffled.
#[derive(Debug, Clone)]
pub struct Step {
    /// The change whose events it delivers.
    pub change: usize,
    /// The requests.
    pub deliveries: Vec<Delivery>,
}

/// One connection's history and how Svix delivers it.
#[derive(Debug, Clone)]
pub struct ConnectionPlan {
    /// The connection id.
    pub id: String,
    /// Its life at Nectar.
    pub history: History,
    /// Its deliveries, step by step.
    pub steps: Vec<Step>,
    /// Connections only forgeries name: nothing may be stored for them.
    pub forged_ids: Vec<String>,
}

impl ConnectionPlan {
    fn new(id: String, changes: usize, disorder: Disorder, rng: &mut fastrand::Rng) -> Self {
        let history = History::simulate(&id, changes, rng);
        let last = history.last();
        let mut order = vec![0];
        let mut change = 1;
        while change <= last {
            if change < last && rng.u8(0..100) < disorder.swap_percent {
                order.extend([change + 1, change]);
                change += 2;
            } else {
                order.push(change);
                change += 1;
            }
        }
        order.retain(|&change| change == 0 || rng.u8(0..100) >= disorder.drop_percent);

        let mut delivered: Vec<Delivery> = Vec::new();
        let mut forged_ids = Vec::new();
        let steps = order
            .into_iter()
            .map(|change| {
                let genuine: Vec<Delivery> = history.events[change]
                    .iter()
                    .map(|(svix_id, webhook)| Delivery::genuine(svix_id, webhook))
                    .collect();
                let mut deliveries = Vec::new();
                for delivery in &genuine {
                    for _ in 0..rng.usize(1..=disorder.copies.max(1)) {
                        deliveries.push(delivery.clone());
                    }
                }
                for _ in 0..rng.usize(0..=disorder.late) {
                    if !delivered.is_empty() {
                        deliveries.push(delivered[rng.usize(..delivered.len())].clone());
                    }
                }
                if rng.u8(0..100) < disorder.forgery_percent {
                    let forgery = forgery(&id, &history, change, &genuine, &mut forged_ids, rng);
                    deliveries.push(forgery);
                }
                rng.shuffle(&mut deliveries);
                delivered.extend(genuine);
                Step { change, deliveries }
            })
            .collect();
        Self {
            id,
            history,
            steps,
            forged_ids,
        }
    }

    /// The changes the stored record goes through, in order: each step's change when newer
    /// than the record's, and the last change, made up by a final poll, when it was never
    /// delivered or arrived before an older one.
    pub fn path(&self) -> Vec<usize> {
        let mut path: Vec<usize> = Vec::new();
        for step in &self.steps {
            if path.last().is_none_or(|&newest| step.change > newest) {
                path.push(step.change);
            }
        }
        if path.last() != Some(&self.history.last()) {
            path.push(self.history.last());
        }
        path
    }

    /// The record and the outbox (notification, status) the library derives from the path.
    pub fn expected(&self) -> (Record, Vec<(Notification, String)>) {
        let mut record: Option<Record> = None;
        let mut outbox = Vec::new();
        for change in self.path() {
            let state = &self.history.states[change];
            let seen = Observation::Snapshot(state);
            let decision = reconcile(record.as_ref(), seen);
            if let Decision::Apply(changes) = &decision {
                let status = state.status.as_str();
                outbox.extend(changes.notifications.iter().map(|n| (n, status.to_owned())));
            }
            if let Some(next) = Record::after(record.as_ref(), seen, &decision) {
                record = Some(next);
            }
        }
        (record.expect("the path is not empty"), outbox)
    }

    /// The requests of its steps.
    pub fn deliveries(&self) -> usize {
        self.steps.iter().map(|step| step.deliveries.len()).sum()
    }
}

/// A delivery that would change the connection if it were accepted: a credential error
/// dated years ahead (every later delivery would be stale), or the creation of a connection
/// that does not exist; forged, replayed, or tampered with.
fn forgery(
    id: &str,
    history: &History,
    change: usize,
    genuine: &[Delivery],
    forged_ids: &mut Vec<String>,
    rng: &mut fastrand::Rng,
) -> Delivery {
    let current = &history.states[change];
    let webhook = if rng.bool() {
        let evil = ConnectionPayload {
            external_id: Some("forged".to_owned()),
            updated: Some("2031-01-01T00:00:00Z".to_owned()),
            ..changed_status(current, ConnectionStatus::AdditionalCredentialsNeeded, 0)
        };
        nectar_events(Some(current), &evil).remove(0)
    } else {
        let stranger = format!("{id}-forged-{}", forged_ids.len());
        forged_ids.push(stranger.clone());
        nectar_events(
            None,
            &connection(&stranger, ConnectionStatus::PasswordIncorrect, 0),
        )
        .remove(0)
    };
    // A replay or a tampered body carries the `svix-id` of one of Nectar's deliveries, so
    // that remembering a refused delivery's id would lose the genuine one.
    let captured = &genuine[rng.usize(..genuine.len())];
    let (svix_id, forgery) = match rng.u8(0..3) {
        0 => (format!("msg_{id}_forged_{change}"), Forgery::UnknownSecret),
        1 => (captured.svix_id.clone(), Forgery::Replayed),
        _ => (
            captured.svix_id.clone(),
            Forgery::Tampered {
                signed: captured.body.clone(),
            },
        ),
    };
    Delivery {
        svix_id,
        body: body(&webhook),
        forgery: Some(forgery),
    }
}

/// The deliveries of many connections.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// One plan per connection.
    pub connections: Vec<ConnectionPlan>,
    /// The seed it was drawn with.
    pub seed: u64,
}

impl LoadPlan {
    /// `connections` connections named `{prefix}-{n}`, each with a number of changes in
    /// `changes`, delivered with `disorder`; drawn from `seed`.
    pub fn new(
        prefix: &str,
        connections: usize,
        changes: RangeInclusive<usize>,
        disorder: Disorder,
        seed: u64,
    ) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let connections = (0..connections)
            .map(|n| {
                let count = rng.usize(changes.clone());
                ConnectionPlan::new(format!("{prefix}-{n}"), count, disorder, &mut rng)
            })
            .collect();
        Self { connections, seed }
    }

    /// The requests of the plan (each attempt of a retried one counts once).
    pub fn deliveries(&self) -> usize {
        self.connections
            .iter()
            .map(ConnectionPlan::deliveries)
            .sum()
    }

    /// The changes of all histories (creations included).
    pub fn changes(&self) -> usize {
        self.connections
            .iter()
            .map(|plan| plan.history.states.len())
            .sum()
    }

    /// The forged, replayed and tampered requests.
    pub fn forgeries(&self) -> usize {
        self.connections
            .iter()
            .flat_map(|plan| &plan.steps)
            .flat_map(|step| &step.deliveries)
            .filter(|delivery| delivery.forgery.is_some())
            .count()
    }
}

/// Whether the run injects faults: then an unanswered delivery or a 5xx is retried as Svix
/// would, until the receiver answers; otherwise each is a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Faults {
    /// Every request must be answered, none with a 5xx.
    None,
    /// Requests may go unanswered or be answered 5xx: redeliver them, re-signed, with
    /// backoff, for at most `give_up_after` each.
    Injected {
        /// How long Svix keeps retrying one delivery here.
        give_up_after: Duration,
    },
}

/// Where and how a [`LoadPlan`] is delivered.
#[derive(Clone)]
pub struct Load {
    /// The receivers' webhook URLs; deliveries go to each in turn.
    pub urls: Vec<String>,
    /// A store on the receivers' database: the test waits on its poll jobs and makes the
    /// final polls through it.
    pub store: Store,
    /// The double of Nectar's API the receivers poll.
    nectar: Arc<DoubleState>,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Whether faults are injected.
    pub faults: Faults,
    /// Requests answered (or failed) so far: a fault is injected when it reaches a mark.
    pub progress: Arc<AtomicUsize>,
}

impl Load {
    /// A load on `urls`, with the receivers' `store` and `nectar`.
    pub fn new(urls: Vec<String>, store: Store, nectar: &NectarDouble) -> Self {
        Self {
            urls,
            store,
            nectar: nectar.state.clone(),
            concurrency: 24,
            faults: Faults::None,
            progress: Arc::default(),
        }
    }
}

/// What a load run saw.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Connections.
    pub connections: usize,
    /// Planned requests.
    pub deliveries: usize,
    /// Requests made, retries included.
    pub attempts: usize,
    /// Answers by status code.
    pub statuses: BTreeMap<u16, usize>,
    /// Requests that got no answer (the connection was refused or broken).
    pub unanswered: usize,
    /// Of those, the requests in flight when the connection broke (not refused).
    pub broken: usize,
    /// Deliveries that needed more than one attempt.
    pub redelivered: usize,
    /// Decisions of the 200s, by name (`duplicate` by its reason).
    pub decisions: BTreeMap<String, usize>,
    /// Steps that met a gap and waited for the poll to close it.
    pub polled_gaps: usize,
    /// Final polls, for connections whose last change was never delivered.
    pub final_polls: usize,
    /// Refused deliveries (forged, replayed, tampered).
    pub forgeries: usize,
    /// The slowest answer 5xx.
    pub slowest_5xx: Duration,
    /// The slowest answer.
    pub slowest: Duration,
    /// Answers that should not have been given, and deliveries given up.
    pub failures: Vec<String>,
    /// How long the run took.
    pub elapsed: Duration,
}

impl Report {
    /// Answers with a 5xx.
    pub fn server_errors(&self) -> usize {
        self.statuses
            .iter()
            .filter(|(status, _)| **status >= 500)
            .map(|(_, count)| count)
            .sum()
    }

    /// One line for the test's output.
    pub fn summary(&self) -> String {
        format!(
            "{} connections, {} planned requests ({} forged/replayed/tampered), {} attempts in \
             {:.1?} ({:.0}/s); statuses {:?}; unanswered {} (in flight {}); redelivered {}; \
             decisions {:?}; \
             gaps polled {}; final polls {}; slowest answer {:.0?}, slowest 5xx {:.0?}",
            self.connections,
            self.deliveries,
            self.forgeries,
            self.attempts,
            self.elapsed,
            self.attempts as f64 / self.elapsed.as_secs_f64().max(1e-9),
            self.statuses,
            self.unanswered,
            self.broken,
            self.redelivered,
            self.decisions,
            self.polled_gaps,
            self.final_polls,
            self.slowest,
            self.slowest_5xx,
        )
    }
}

struct Secrets {
    nectar: WebhookSecret,
    foreign: WebhookSecret,
}

/// What the connection tasks share.
struct Shared {
    load: Load,
    http: reqwest::Client,
    secrets: Secrets,
    permits: Semaphore,
    next_url: AtomicUsize,
    report: Mutex<Report>,
}

/// What one delivery came to.
struct Delivered {
    gap: bool,
}

/// A load run in the background, to inject a fault in the middle of it.
pub struct Background {
    run: tokio::task::JoinHandle<Report>,
    progress: Arc<AtomicUsize>,
    deliveries: usize,
}

impl Background {
    /// Starts [`run`] on `plan` and `load` in a task.
    pub fn start(plan: &Arc<LoadPlan>, load: Load, budget: Duration) -> Self {
        let progress = load.progress.clone();
        let deliveries = plan.deliveries();
        let plan = plan.clone();
        let run = tokio::spawn(async move { run(&plan, &load, budget).await });
        Self {
            run,
            progress,
            deliveries,
        }
    }

    /// Requests answered (or failed) so far.
    pub fn answered(&self) -> usize {
        self.progress.load(Ordering::SeqCst)
    }

    /// Waits until `share` of the planned requests have been answered (or failed), within
    /// the test budget; returns how many.
    pub async fn until_answered(&self, share: f64) -> usize {
        let mark = (self.deliveries as f64 * share) as usize;
        super::bounded(async {
            while self.answered() < mark {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
        .await;
        self.answered()
    }

    /// Waits for the end of the run.
    pub async fn finish(self) -> Report {
        self.run.await.expect("the run completes")
    }
}

/// Runs `plan` on `load`: every connection at once, step by step, within `budget`.
pub async fn run(plan: &LoadPlan, load: &Load, budget: Duration) -> Report {
    let shared = Arc::new(Shared {
        load: load.clone(),
        http: client(),
        secrets: Secrets {
            nectar: SECRET.parse().expect("a test secret"),
            foreign: FOREIGN_SECRET.parse().expect("a test secret"),
        },
        permits: Semaphore::new(load.concurrency),
        next_url: AtomicUsize::new(0),
        report: Mutex::new(Report {
            connections: plan.connections.len(),
            deliveries: plan.deliveries(),
            forgeries: plan.forgeries(),
            ..Report::default()
        }),
    });
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for connection in &plan.connections {
        let (shared, connection) = (shared.clone(), connection.clone());
        tasks.spawn(async move { drive(&shared, &connection).await });
    }
    let all = tasks.join_all();
    if tokio::time::timeout(budget, all).await.is_err() {
        panic!(
            "the load run did not finish within {budget:?} (seed {})",
            plan.seed
        );
    }
    let mut report = shared
        .report
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    report.elapsed = started.elapsed();
    report
}

/// Delivers one connection's steps in order; each step's deliveries at once.
async fn drive(shared: &Arc<Shared>, plan: &ConnectionPlan) {
    let mut newest: Option<usize> = None;
    for step in &plan.steps {
        // Nectar is at the newest change delivered so far: a poll answers that.
        let nectar_at = newest.map_or(step.change, |newest| newest.max(step.change));
        set_nectar(&shared.load.nectar, &plan.history.states[nectar_at]);
        let mut deliveries = JoinSet::new();
        for delivery in &step.deliveries {
            let (shared, delivery) = (shared.clone(), delivery.clone());
            deliveries.spawn(async move { deliver(&shared, &delivery).await });
        }
        let gap = deliveries.join_all().await.iter().any(|d| d.gap);
        if gap {
            gap_closed(shared, &plan.id).await;
            shared.tally(|report| report.polled_gaps += 1);
        }
        newest = Some(nectar_at);
    }
    let last = &plan.history.states[plan.history.last()];
    if newest != Some(plan.history.last()) {
        set_nectar(&shared.load.nectar, last);
        final_poll(shared, last).await;
        shared.tally(|report| report.final_polls += 1);
    }
}

fn set_nectar(state: &DoubleState, connection: &ConnectionPayload) {
    state
        .connections
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(connection.id.clone(), connection.clone());
}

impl Shared {
    fn tally(&self, change: impl FnOnce(&mut Report)) {
        change(&mut self.report.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn next_url(&self) -> &str {
        let urls = &self.load.urls;
        &urls[self.next_url.fetch_add(1, Ordering::Relaxed) % urls.len()]
    }

    fn fail(&self, failure: String) {
        self.tally(|report| report.failures.push(failure));
    }
}

/// Makes `delivery` as Svix would: signed at each attempt and, when faults are injected,
/// redelivered with backoff until answered (a 2xx for Nectar's own, a 401 for a forgery).
async fn deliver(shared: &Shared, delivery: &Delivery) -> Delivered {
    let first = Instant::now();
    let mut backoff = Duration::from_millis(20);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let url = shared.next_url();
        let headers = delivery.headers(Timestamp::now(), &shared.secrets);
        let permit = shared.permits.acquire().await.expect("never closed");
        let sent = Instant::now();
        let answer = post(&shared.http, url, &delivery.body, &headers).await;
        let took = sent.elapsed();
        drop(permit);
        shared.load.progress.fetch_add(1, Ordering::SeqCst);
        shared.tally(|report| {
            report.attempts += 1;
            if attempt == 2 {
                report.redelivered += 1;
            }
            match &answer {
                Ok((status, _)) => {
                    *report.statuses.entry(status.as_u16()).or_default() += 1;
                    report.slowest = report.slowest.max(took);
                    if status.is_server_error() {
                        report.slowest_5xx = report.slowest_5xx.max(took);
                    }
                }
                Err(err) => {
                    report.unanswered += 1;
                    if !err.is_connect() {
                        report.broken += 1;
                    }
                }
            }
        });
        let retry = match &answer {
            Ok((StatusCode::OK, body)) if delivery.forgery.is_none() => {
                shared.tally(|report| {
                    *report.decisions.entry(decision(body)).or_default() += 1;
                });
                return Delivered {
                    gap: body["pollScheduled"] == true,
                };
            }
            Ok((StatusCode::UNAUTHORIZED, _)) if delivery.forgery.is_some() => {
                return Delivered { gap: false };
            }
            Ok((status, _)) if status.is_server_error() => format!("answered {status}"),
            Ok((status, body)) => {
                shared.fail(format!(
                    "{} ({:?}) answered {status}: {body}",
                    delivery.svix_id, delivery.forgery
                ));
                return Delivered { gap: false };
            }
            Err(err) => format!("no answer: {err}"),
        };
        match shared.load.faults {
            Faults::Injected { give_up_after } if first.elapsed() < give_up_after => {
                tokio::time::sleep(backoff + Duration::from_millis(fastrand::u64(0..20))).await;
                backoff = (backoff * 2).min(Duration::from_millis(400));
            }
            _ => {
                shared.fail(format!(
                    "{} ({:?}): {retry}",
                    delivery.svix_id, delivery.forgery
                ));
                return Delivered { gap: false };
            }
        }
    }
}

/// The decision's name, a duplicate's with its reason (`duplicate:same_delivery`).
fn decision(body: &serde_json::Value) -> String {
    let decision = &body["decision"];
    let name = decision["decision"].as_str().unwrap_or("?");
    let reason = decision
        .as_object()
        .filter(|_| name == "duplicate")
        .and_then(|fields| fields.keys().find(|key| *key != "decision"));
    match reason {
        Some(reason) => format!("{name}:{reason}"),
        None => name.to_owned(),
    }
}

/// Posts `body` with `headers`; the status and JSON body, or why there was no answer.
async fn post(
    http: &reqwest::Client,
    url: &str,
    body: &Arc<[u8]>,
    headers: &[(&'static str, String)],
) -> Result<(StatusCode, serde_json::Value), reqwest::Error> {
    let mut request = http
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await?;
    let status = StatusCode::from_u16(response.status().as_u16()).expect("a status");
    let bytes = response.bytes().await?;
    Ok((status, serde_json::from_slice(&bytes).unwrap_or_default()))
}

/// How long a gap, a final poll or the store may take to come right, faults included.
const SETTLE: Duration = Duration::from_secs(30);

/// Waits until connection `id` has no poll job (its gap was polled and closed); the store
/// failing (a fault) counts as not yet.
async fn gap_closed(shared: &Shared, id: &str) {
    let deadline = Instant::now() + SETTLE;
    loop {
        if let Ok(jobs) = shared.load.store.poll_jobs().await
            && !jobs.iter().any(|job| job.connection_id == id)
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the gap of {id} was not closed within {SETTLE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A poll of `last` for a connection whose last change was never delivered: what an
/// integrator's periodic reconciliation does, through the same transaction as the poller.
async fn final_poll(shared: &Shared, last: &ConnectionPayload) {
    let deadline = Instant::now() + SETTLE;
    loop {
        match shared
            .load
            .store
            .observe(Observation::Snapshot(last), Timestamp::now())
            .await
        {
            Ok(_) => return,
            Err(err) if err.is_transient() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(err) => panic!("the final poll of {} failed: {err}", last.id),
        }
    }
}

/// Checks the end state against `plan`: each record is Nectar's last state with the
/// machines the path derives, each outbox is the path's notifications exactly once (numbered
/// 1, 2, 3, ...), nothing is stored for a forged connection, and no poll job is left.
/// Returns the number of notifications; panics naming every difference.
pub async fn verify(plan: &LoadPlan, store: &Store) -> usize {
    let mut wrong = Vec::new();
    let mut notifications = 0;
    for connection in &plan.connections {
        let id = &connection.id;
        let (expected, expected_outbox) = connection.expected();
        notifications += expected_outbox.len();
        let stored = store.record(id).await.expect("the store answers");
        let without_ids = |record: &Record| Record {
            recent_event_ids: Vec::new(),
            ..record.clone()
        };
        match &stored {
            None => wrong.push(format!("{id}: no record")),
            Some(stored)
                if stored.connection != connection.history.states[connection.history.last()] =>
            {
                wrong.push(format!(
                    "{id}: stored {:?} at {:?}, Nectar's last is {:?} at {:?} (path {:?})",
                    stored.connection.status,
                    stored.connection.updated,
                    expected.connection.status,
                    expected.connection.updated,
                    connection.path()
                ));
            }
            Some(stored) if without_ids(stored) != without_ids(&expected) => {
                wrong.push(format!("{id}: stored {stored:?}, expected {expected:?}"));
            }
            Some(_) => {}
        }
        let outbox = store.notifications(id).await.expect("the store answers");
        let numbered = outbox
            .iter()
            .zip(1..)
            .all(|(entry, sequence)| entry.sequence == sequence);
        let got: Vec<(Notification, String)> = outbox
            .iter()
            .filter_map(|entry| match entry.notification {
                EntryKind::Change(notification) => Some((notification, entry.status.clone())),
                EntryKind::Action(_) => None,
            })
            .collect();
        let numbered = numbered && got.len() == outbox.len();
        if !numbered || got != expected_outbox {
            wrong.push(format!(
                "{id}: outbox {got:?} (numbered 1.. {numbered}), expected {expected_outbox:?} \
                 (path {:?})",
                connection.path()
            ));
        }
        for forged in &connection.forged_ids {
            if store
                .record(forged)
                .await
                .expect("the store answers")
                .is_some()
                || !store
                    .notifications(forged)
                    .await
                    .expect("the store answers")
                    .is_empty()
            {
                wrong.push(format!("{forged}: a forged connection was stored"));
            }
        }
    }
    let jobs = store.poll_jobs().await.expect("the store answers");
    if !jobs.is_empty() {
        wrong.push(format!("poll jobs left: {jobs:?}"));
    }
    assert!(
        wrong.is_empty(),
        "{} differences from the histories (seed {}):\n{}",
        wrong.len(),
        plan.seed,
        wrong
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    notifications
}

/// Another receiver instance on a harness's database and double, as a second instance
/// behind a load balancer.
pub struct Instance {
    /// The running receiver.
    pub running: Running,
    /// Its own pool on the shared database.
    pub store: Store,
}

impl Harness {
    /// Starts another receiver on this harness's database and double, with the test
    /// configuration changed by `configure`.
    pub async fn another_instance(&self, configure: impl FnOnce(&mut Config)) -> Instance {
        let mut config = test_config(&self.db, self.nectar.addr);
        configure(&mut config);
        let store = self.db.open_with(StoreOptions::from(&config)).await;
        let running = nectar_receiver::start(&config, store.clone())
            .await
            .expect("the receiver starts");
        Instance { running, store }
    }

    /// The webhook URL of this harness's receiver.
    pub fn webhook_url(&self) -> String {
        self.url(WEBHOOK_PATH)
    }

    /// A load on `instances` receivers sharing this harness's database: its own, and the
    /// others started with `configure` (returned, to stop after).
    pub async fn load_on(
        &self,
        instances: usize,
        configure: impl Fn(&mut Config),
    ) -> (Load, Vec<Instance>) {
        let mut others = Vec::new();
        for _ in 1..instances {
            others.push(self.another_instance(&configure).await);
        }
        let mut urls = vec![self.webhook_url()];
        urls.extend(others.iter().map(Instance::webhook_url));
        (Load::new(urls, self.store.clone(), &self.nectar), others)
    }
}

impl Instance {
    /// Its webhook URL.
    pub fn webhook_url(&self) -> String {
        format!("http://{}{WEBHOOK_PATH}", self.running.addr())
    }

    /// Stops it.
    pub async fn stop(self) {
        stop_receiver(self.running, &self.store).await;
    }
}
