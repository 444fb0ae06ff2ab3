//! Model 6: the receiver's actions on Nectar's API: one reconnect invitation kept active
//! through each credential-error episode of a connection, and detected accounts confirmed
//! once, against Nectar's invitation store, with crashes and lost answers.
//!
//! * **Durable**: the receiver's database ([`EpisodeRow`]s, numbered 1, 2, ... in the
//!   order entered, and [`DetectionRow`]s) and Nectar's side: its invitation store
//!   ([`Held`]: the core crate's real [`Invitation`], whose status is derived from `now`)
//!   and the connection's accounts. **Volatile** ([`Worker`]): the worker's list of
//!   invitations, its read of the connection's details, and a create's answer in flight.
//! * **The connection's lifecycle** (the environment) enters a credential error and leaves
//!   it, up to [`ActionsBounds::episodes`] times. The transaction that records the entry
//!   records the intent with it, an episode row [`Episode::Wanted`]; the one that records the
//!   exit sets the open episode [`Episode::Closing`].
//! * **The worker** runs a connection's episodes in order (episode k+1 once episode k is
//!   [`Episode::Closed`]) with the webhook crate's real [`invitation_step_of`], the model's
//!   clock as `now`: [`InvitationStep::Look`] lists the company's invitations (a lost list
//!   answer is a retry, so not modelled); [`InvitationStep::Create`] makes Nectar create an
//!   `ACTIVE` reconnect invitation whose answer may be lost after Nectar acted (the worker
//!   then forgets its list); the answer, or [`InvitationStep::Adopt`], is recorded: a
//!   [`Episode::Wanted`] episode becomes [`Episode::Active`] with it, a
//!   [`Episode::Closing`] one stays closing (the closing pass revokes it);
//!   [`InvitationStep::Revoke`] makes Nectar revoke it, and the worker forgets its list
//!   whether the answer came or not; [`InvitationStep::Lapsed`] records
//!   [`Episode::Wanted`] (replace) or [`Episode::Settled`]; [`InvitationStep::Done`]
//!   closes a closing episode and ends the loop (the list is forgotten). A create or revoke
//!   forgets the list: `listed` is `None` after a call that changed the invitations.
//! * **Decisions**: a detection (environment) adds an account `DETECTED` with tracking
//!   `UNSET` and records its intent ([`DetectionRow`], not sent). The worker runs the real
//!   [`decision_step`]: [`DecisionStep::Look`] reads the details;
//!   [`DecisionStep::Confirm`] first records `sent` durably, then confirms (Nectar enables
//!   every account awaiting its decision): its answer is recorded as
//!   [`DecisionOutcome::Confirmed`], as the receiver does, or is lost after Nectar acted and
//!   the worker forgets its read; [`DecisionStep::Done`] records the outcome.
//! * **Faults**: the worker crashes at any point it holds something volatile (between a
//!   call and its recording included), up to [`ActionsBounds::crashes`] times, and loses
//!   up to [`ActionsBounds::losses`] answers. **Time**: the clock has two values; a tick
//!   (up to [`ActionsBounds::expiries`], taken once the connection has an invitation)
//!   moves `now` to the `expiresAt` of every invitation created before it, so Nectar
//!   derives them `EXPIRED` and the recorded one is due.
//!   Someone may fulfil or revoke an active invitation by hand (up to
//!   [`ActionsBounds::by_hand`]), or decide an account (up to
//!   [`ActionsBounds::decided_elsewhere`], 0 by default: see [`ActionsBounds`]).
//!
//! The properties are `always` invariants. The liveness ones are read when the worker
//! rests: it has nothing to do on that side (no step, no answer in flight), whatever the
//! environment may still do; the worker's steps are finite between two environment steps
//! (crashes and lost answers are bounded), so every run reaches such a state.
//!
//! The two sides share nothing but the worker's crashes and lost answers: checked together,
//! the model would explore every interleaving of two independent protocols, so the
//! defaults check them apart ([`ActionsModel::default`], the invitations, and
//! [`ActionsModel::decisions`]).
//!
//! Nothing here copies the decisions: the broken variants ([`ActionsBug`], test-only) wrap
//! them. A monitor in `next_state` records in a sticky ghost flag a confirm that reached
//! Nectar with nothing awaiting.

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_core::invitation::{
    Invitation, InvitationRequest, InvitationStatus, InvitationType,
};
use nectar_lifecycle_core::{AccountStatus, ConnectionStatus, TrackingStatus};
use nectar_lifecycle_webhook::{
    AccountPayload, ConnectionPayload, DecisionOutcome, DecisionStep, Episode, InvitationPayload,
    InvitationStep, Recorded, Reported, awaits_decision, decision_step, invitation_step_of,
};
use stateright::{Model, Property};

/// The connection whose episodes the model runs.
pub const CONNECTION: &str = "conn-1";
/// Another connection of the company, with an active reconnect invitation of its own.
pub const OTHER_CONNECTION: &str = "conn-2";
/// The company.
pub const COMPANY: &str = "co-1";

/// Property 1: never two active reconnect invitations of the connection.
pub const AT_MOST_ONE: &str =
    "at most one active: never two reconnect invitations of the connection active at once";
/// Property 2: while an episode lasts, its invitation is active once the worker rests.
pub const ONE_ACTIVE: &str = "one active while an episode lasts: when the worker rests in a credential error, the open episode is Active with the one active invitation recorded (or ended by hand and not yet due), or Settled with none active";
/// Property 3: nothing active is left once the episodes ended.
pub const NONE_LEFT: &str = "none left active: when the worker rests out of a credential error, no reconnect invitation of the connection is active and every episode is Closed";
/// Property 4: the intent survives, and every episode ends recorded.
pub const RECORDED: &str = "every episode entered is recorded: when the worker rests, each has its row, Active with its invitation recorded, Settled or Closed";
/// Property 5: no confirm reaches Nectar with nothing awaiting.
pub const NOT_TWICE: &str =
    "no account confirmed twice: no confirm reaches Nectar while no account awaits its decision";
/// Property 6: every detection is decided.
pub const DECIDED: &str = "every detection decided: when the worker rests on decisions, each detection has its outcome and no account awaits";

/// A deliberately broken, test-only variant of the receiver, to show each property can
/// fail. Each wraps the real [`invitation_step_of`] or [`decision_step`], or the place its
/// intent or its read is kept; none is a rule to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionsBug {
    /// A wanted episode creates without looking: [`InvitationStep::Look`] and
    /// [`InvitationStep::Adopt`] become [`InvitationStep::Create`]. After a lost answer it
    /// creates a second invitation.
    CreateWithoutAdopting,
    /// A closing episode is [`InvitationStep::Done`] at once: nothing is revoked.
    NoRevoke,
    /// The intent is not recorded with the credential error: the episode is kept in the
    /// worker's memory and written only with its invitation (or its closing), so a crash
    /// after the create and before the record loses it.
    IntentAfterCall,
    /// A confirm whose answer was lost is sent again on the details read before it, without
    /// reading them again.
    ConfirmWithoutLooking,
}

/// How far a run goes. The two sides, invitations and decisions, share nothing but the
/// worker's crashes and lost answers, so a run of both explores every interleaving of two
/// independent protocols: the defaults run them apart, [`ActionsBounds::default`] the
/// invitations and [`ActionsBounds::decisions`] the decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionsBounds {
    /// Credential-error episodes the connection enters (each may end).
    pub episodes: usize,
    /// Ticks of the clock (0 or 1): each expires the invitations created before it.
    pub expiries: usize,
    /// Invitations of the connection someone fulfils or revokes by hand.
    pub by_hand: usize,
    /// Detections of accounts.
    pub detections: usize,
    /// Accounts someone decides by hand (rejects) while they await. 0 by default: a
    /// decision by hand between the worker's read and its confirm makes the confirm reach
    /// Nectar with nothing awaiting, whatever the worker does (Nectar's confirm is not
    /// conditional), a finding the tests show.
    pub decided_elsewhere: usize,
    /// Worker crashes.
    pub crashes: usize,
    /// Answers lost after Nectar acted (creates and confirms together).
    pub losses: usize,
}

impl Default for ActionsBounds {
    /// The invitations: two episodes, one expiry, one invitation ended by hand; two
    /// crashes and two lost answers; no detection.
    fn default() -> Self {
        Self {
            episodes: 2,
            expiries: 1,
            by_hand: 1,
            detections: 0,
            decided_elsewhere: 0,
            crashes: 2,
            losses: 2,
        }
    }
}

impl ActionsBounds {
    /// The decisions: three detections, none decided elsewhere; two crashes and two lost
    /// answers; no credential error.
    ///
    /// ```
    /// use nectar_lifecycle_models::ActionsBounds;
    ///
    /// let bounds = ActionsBounds::decisions();
    /// assert_eq!((bounds.episodes, bounds.detections, bounds.crashes), (0, 3, 2));
    /// ```
    #[must_use]
    pub fn decisions() -> Self {
        Self {
            episodes: 0,
            expiries: 0,
            by_hand: 0,
            detections: 3,
            ..Self::default()
        }
    }
}

/// The actions model's parameters.
///
/// ```
/// use nectar_lifecycle_models::ActionsModel;
/// use stateright::Model;
///
/// let model = ActionsModel::default();
/// assert_eq!((model.bounds.episodes, model.bounds.detections), (2, 0));
/// assert_eq!(model.properties().len(), 4); // the invitations' (1 to 4)
/// assert_eq!(ActionsModel::decisions().properties().len(), 2); // the decisions' (5, 6)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ActionsModel {
    /// How far a run goes.
    pub bounds: ActionsBounds,
    /// A broken variant (tests only); `None` is the real decisions.
    pub bug: Option<ActionsBug>,
}

/// Whose an invitation of the company's list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Whose {
    /// A reconnect invitation of [`CONNECTION`].
    Connection,
    /// A reconnect invitation of [`OTHER_CONNECTION`].
    OtherConnection,
    /// A contributor invitation of the company (`CREATE_CONNECTION`).
    Contributor,
}

/// An invitation Nectar holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Held {
    /// The invitation, its status derived from `now` by the core crate.
    pub invitation: Invitation,
    /// Whose it is.
    pub whose: Whose,
    /// Ghost: someone fulfilled or revoked it by hand.
    pub by_hand: bool,
}

/// The `now` of clock tick `tick`: `2026-12-06T09:00:00Z` plus that many hours. An
/// invitation created at a tick expires at the next one.
///
/// ```
/// use nectar_lifecycle_models::actions::now;
///
/// assert_eq!(now(1).to_string(), "2026-12-06T10:00:00Z");
/// ```
#[must_use]
pub fn now(tick: u8) -> Timestamp {
    Timestamp::from_second(1_796_547_600).unwrap_or(Timestamp::UNIX_EPOCH)
        + SignedDuration::from_hours(i64::from(tick))
}

/// Seconds from one tick to the next: an invitation's `expiresInSeconds`.
const TICK_SECONDS: u64 = 3_600;

/// The id of invitation `index`: `inv_0` for 0.
fn invitation_id(index: usize) -> String {
    format!("inv_{index}")
}

impl Held {
    /// The reconnect invitation the worker creates at `at`: one use, expiring at the next
    /// tick.
    fn created(at: Timestamp) -> Self {
        let request =
            InvitationRequest::new(InvitationType::EditConnection, Some(TICK_SECONDS), Some(1))
                .unwrap_or_else(|_| InvitationRequest::reconnect());
        Self {
            invitation: Invitation::new(request, at),
            whose: Whose::Connection,
            by_hand: false,
        }
    }

    /// An invitation of someone else's, never expiring: the company's list holds one of
    /// each kind from the start.
    fn other(whose: Whose) -> Self {
        let kind = match whose {
            Whose::Contributor => InvitationType::CreateConnection,
            Whose::Connection | Whose::OtherConnection => InvitationType::EditConnection,
        };
        let request = InvitationRequest::new(kind, None, Some(1))
            .unwrap_or_else(|_| InvitationRequest::reconnect());
        Self {
            invitation: Invitation::new(request, now(0)),
            whose,
            by_hand: false,
        }
    }

    /// Whether it is a reconnect invitation of [`CONNECTION`] active at `at`.
    #[must_use]
    pub fn is_active_of_connection(&self, at: Timestamp) -> bool {
        self.whose == Whose::Connection && self.invitation.status(at) == InvitationStatus::Active
    }

    /// As `GET /invitation/company/{companyId}` lists it at `at`, as invitation `index`.
    ///
    /// ```
    /// use nectar_lifecycle_models::ActionsModel;
    /// use nectar_lifecycle_models::actions::now;
    ///
    /// let state = ActionsModel::default().initial();
    /// let listed = state.store[0].payload(0, now(0));
    /// assert_eq!(listed.connection_id.as_deref(), Some("conn-2"));
    /// assert!(listed.is_active_reconnect_of("conn-2", now(0)));
    /// assert!(!listed.is_active_reconnect_of("conn-1", now(0)));
    /// ```
    #[must_use]
    pub fn payload(&self, index: usize, at: Timestamp) -> InvitationPayload {
        let request = self.invitation.request();
        let connection_id = match self.whose {
            Whose::Connection => Some(CONNECTION.to_owned()),
            Whose::OtherConnection => Some(OTHER_CONNECTION.to_owned()),
            Whose::Contributor => None,
        };
        InvitationPayload {
            invitation_type: Some(Reported::Known(request.kind())),
            connection_id,
            company_id: Some(COMPANY.to_owned()),
            expires_at: self.invitation.expires_at(),
            max_uses: request.max_uses(),
            use_count: Some(self.invitation.use_count()),
            created_at: self.created_at(),
            ..InvitationPayload::new(invitation_id(index), self.invitation.status(at))
        }
    }

    /// When it was created: its `expiresAt` less its `expiresInSeconds`, or the first tick.
    fn created_at(&self) -> Option<Timestamp> {
        let request = self.invitation.request();
        match (self.invitation.expires_at(), request.expires_in_seconds()) {
            (Some(at), Some(secs)) => {
                let secs = i64::try_from(secs).unwrap_or(i64::MAX);
                at.checked_sub(SignedDuration::from_secs(secs)).ok()
            }
            _ => Some(now(0)),
        }
    }
}

/// The company's invitations as the worker listed them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Listed {
    /// Nectar's store when listed, in index order.
    pub invitations: Vec<Held>,
    /// The clock tick when listed: the statuses are Nectar's at that `now`.
    pub at: u8,
}

impl Listed {
    /// The list as Nectar answered it, invitation `i` at index `i`.
    #[must_use]
    pub fn payloads(&self) -> Vec<InvitationPayload> {
        self.invitations
            .iter()
            .enumerate()
            .map(|(i, held)| held.payload(i, now(self.at)))
            .collect()
    }
}

/// An episode as the receiver's database holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EpisodeRow {
    /// Where it stands.
    pub state: Episode,
    /// The invitation recorded with it (its index in Nectar's store).
    pub recorded: Option<usize>,
    /// Written to the database; only [`ActionsBug::IntentAfterCall`] keeps a row in memory
    /// first (a crash loses it).
    pub durable: bool,
}

/// A detection of accounts as the receiver's database holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DetectionRow {
    /// A confirm was (about to be) sent: recorded before sending.
    pub sent: bool,
    /// How it ended, once it did.
    pub outcome: Option<DecisionOutcome>,
}

/// What the worker holds in memory: lost in a crash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Worker {
    /// The company's invitations as last listed, if listed since the last call that changed
    /// them.
    pub list: Option<Listed>,
    /// A create Nectar did whose answer is on its way: the invitation's index.
    pub in_flight: Option<usize>,
    /// The accounts' tracking as last read, if read since the last confirm.
    pub details: Option<Vec<TrackingStatus>>,
}

impl Worker {
    fn holds_anything(&self) -> bool {
        self.list.is_some() || self.in_flight.is_some() || self.details.is_some()
    }
}

/// Sticky ghost flags: what the monitor saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ActionsViolations {
    /// A confirm reached Nectar while no account awaited its decision.
    pub confirmed_twice: bool,
}

/// A state of the actions model.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionsState {
    /// The connection is in a credential error (Nectar's truth).
    pub in_error: bool,
    /// Credential errors entered so far.
    pub entered: usize,
    /// The clock tick: `now` is [`now`] of it.
    pub clock: u8,
    /// Nectar's invitations of the company, by index (the id of index `i` is `inv_i`).
    pub store: Vec<Held>,
    /// Nectar's accounts of the connection (all `DETECTED`): their tracking.
    pub accounts: Vec<TrackingStatus>,
    /// The receiver's episodes of the connection, in the order entered.
    pub episodes: Vec<EpisodeRow>,
    /// The receiver's detections, in the order detected.
    pub detections: Vec<DetectionRow>,
    /// The worker's memory.
    pub worker: Worker,
    /// Crashes so far.
    pub crashes: usize,
    /// Answers lost so far.
    pub losses: usize,
    /// Ghost, sticky: the monitor's findings.
    pub violations: ActionsViolations,
}

/// An action of the actions model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionsAction {
    /// The connection enters a credential error; the receiver records it (and the intent).
    Enter,
    /// The connection leaves the credential error; the receiver records it (the open
    /// episode closing).
    Leave,
    /// The clock ticks: the invitations created before expire.
    Tick,
    /// Someone fulfils (uses) or revokes this invitation of the connection by hand.
    ByHand {
        /// The invitation's index.
        invitation: usize,
        /// `FULFILLED` or `REVOKED`.
        status: InvitationStatus,
    },
    /// Nectar detects an account; the receiver records the detection.
    Detect,
    /// Someone rejects this awaiting account by hand.
    DecideByHand {
        /// The account's index.
        account: usize,
    },
    /// The worker lists the company's invitations.
    List,
    /// The worker asks Nectar to create a reconnect invitation; Nectar does.
    Create,
    /// The create's answer arrives and the worker records it.
    Answer,
    /// The create's answer is lost.
    LoseAnswer,
    /// The worker records this listed invitation as the episode's.
    Adopt(usize),
    /// The worker asks Nectar to revoke this invitation; Nectar does if it is active.
    Revoke(usize),
    /// The worker records that the episode's invitation lapsed.
    Lapse {
        /// A replacement is wanted ([`Episode::Wanted`]), else [`Episode::Settled`].
        replace: bool,
    },
    /// The worker records the closing episode [`Episode::Closed`].
    Close,
    /// The worker's loop ends for now ([`InvitationStep::Done`]): it forgets its list.
    Rest,
    /// The worker reads the connection's details.
    Read,
    /// The worker records that the confirm is sent (before sending it).
    RecordSent,
    /// The worker confirms; Nectar enables every awaiting account. The worker records the
    /// answer as [`DecisionOutcome::Confirmed`].
    Confirm {
        /// The answer is lost: nothing is recorded, the worker forgets its read.
        lost: bool,
    },
    /// The worker records the detection's outcome.
    Decide(DecisionOutcome),
    /// The worker crashes: its memory is lost.
    Crash,
}

impl ActionsModel {
    /// The real decisions under [`ActionsBounds::decisions`].
    #[must_use]
    pub fn decisions() -> Self {
        Self {
            bounds: ActionsBounds::decisions(),
            bug: None,
        }
    }

    /// The report's name for the model: the sides it runs, then the faults.
    ///
    /// ```
    /// use nectar_lifecycle_models::ActionsModel;
    ///
    /// assert_eq!(
    ///     ActionsModel::default().name(),
    ///     "actions, invitations: up to 2 episode(s), 1 expiry, 1 ended by hand; 2 crash(es), 2 lost answer(s)"
    /// );
    /// assert_eq!(
    ///     ActionsModel::decisions().name(),
    ///     "actions, decisions: up to 3 detection(s), 0 decided elsewhere; 2 crash(es), 2 lost answer(s)"
    /// );
    /// ```
    #[must_use]
    pub fn name(&self) -> String {
        let b = self.bounds;
        let mut sides = Vec::new();
        if b.episodes > 0 {
            let expiry = if b.expiries == 1 {
                "expiry"
            } else {
                "expiries"
            };
            sides.push(format!(
                "invitations: up to {} episode(s), {} {expiry}, {} ended by hand",
                b.episodes, b.expiries, b.by_hand
            ));
        }
        if b.detections > 0 {
            sides.push(format!(
                "decisions: up to {} detection(s), {} decided elsewhere",
                b.detections, b.decided_elsewhere
            ));
        }
        if sides.is_empty() {
            sides.push("nothing to do".to_owned());
        }
        format!(
            "actions, {}; {} crash(es), {} lost answer(s)",
            sides.join("; "),
            b.crashes,
            b.losses
        )
    }

    /// The initial state: no credential error, no account, the company's list holding an
    /// active reconnect invitation of another connection and a contributor invitation.
    ///
    /// ```
    /// use nectar_lifecycle_models::ActionsModel;
    ///
    /// let state = ActionsModel::default().initial();
    /// assert_eq!(state.store.len(), 2);
    /// assert_eq!(state.active_of_connection(), 0);
    /// ```
    #[must_use]
    pub fn initial(&self) -> ActionsState {
        ActionsState {
            in_error: false,
            entered: 0,
            clock: 0,
            store: vec![
                Held::other(Whose::OtherConnection),
                Held::other(Whose::Contributor),
            ],
            accounts: Vec::new(),
            episodes: Vec::new(),
            detections: Vec::new(),
            worker: Worker::default(),
            crashes: 0,
            losses: 0,
            violations: ActionsViolations::default(),
        }
    }

    /// The real [`invitation_step_of`], or a broken variant's.
    fn invitation_step<'a>(
        &self,
        episode: Episode,
        current: Option<Recorded<'_>>,
        listed: Option<&'a [InvitationPayload]>,
        at: Timestamp,
    ) -> InvitationStep<'a> {
        let step = invitation_step_of(CONNECTION, episode, current, listed, at);
        match (self.bug, episode, step) {
            (
                Some(ActionsBug::CreateWithoutAdopting),
                Episode::Wanted,
                InvitationStep::Look | InvitationStep::Adopt(_),
            ) => InvitationStep::Create,
            (Some(ActionsBug::NoRevoke), Episode::Closing, _) => InvitationStep::Done,
            (_, _, step) => step,
        }
    }

    /// The worker's next step on invitations, as an action; `None` when it rests (nothing
    /// to do until the environment changes something).
    ///
    /// ```
    /// use nectar_lifecycle_models::{ActionsAction as A, ActionsModel};
    ///
    /// let model = ActionsModel::default();
    /// let state = model.initial();
    /// assert_eq!(model.invitation_move(&state), None);
    /// let entered = model.step(&state, A::Enter).expect("a credential error");
    /// assert_eq!(model.invitation_move(&entered), Some(A::List));
    /// let listed = model.step(&entered, A::List).expect("listed");
    /// assert_eq!(model.invitation_move(&listed), Some(A::Create));
    /// ```
    #[must_use]
    pub fn invitation_move(&self, state: &ActionsState) -> Option<ActionsAction> {
        if state.worker.in_flight.is_some() {
            return Some(ActionsAction::Answer);
        }
        let row = state.current_episode()?.1;
        let id = row.recorded.map(invitation_id);
        let recorded = match (row.recorded, id.as_deref()) {
            (Some(index), Some(id)) => Some(Recorded {
                id,
                expires_at: state.store.get(index)?.invitation.expires_at(),
            }),
            _ => None,
        };
        let listed = state.worker.list.as_ref().map(Listed::payloads);
        let listed = listed.as_deref();
        let index = |p: &InvitationPayload| listed?.iter().position(|q| core::ptr::eq(p, q));
        let step = self.invitation_step(row.state, recorded, listed, state.now());
        Some(match step {
            InvitationStep::Look => ActionsAction::List,
            InvitationStep::Create => ActionsAction::Create,
            InvitationStep::Adopt(p) => ActionsAction::Adopt(index(p)?),
            InvitationStep::Revoke(p) => ActionsAction::Revoke(index(p)?),
            InvitationStep::Lapsed { replace, .. } => ActionsAction::Lapse { replace },
            InvitationStep::Done if row.state == Episode::Closing => ActionsAction::Close,
            InvitationStep::Done if listed.is_some() => ActionsAction::Rest,
            InvitationStep::Done => return None,
        })
    }

    /// The worker's next step on decisions, as an action; `None` when it rests.
    ///
    /// ```
    /// use nectar_lifecycle_models::{ActionsAction as A, ActionsModel};
    ///
    /// let model = ActionsModel::decisions();
    /// let detected = model.step(&model.initial(), A::Detect).expect("an account detected");
    /// assert_eq!(model.decision_move(&detected), Some(A::Read));
    /// let read = model.step(&detected, A::Read).expect("read");
    /// assert_eq!(model.decision_move(&read), Some(A::RecordSent));
    /// ```
    #[must_use]
    pub fn decision_move(&self, state: &ActionsState) -> Option<ActionsAction> {
        let row = state.detections.iter().find(|d| d.outcome.is_none())?;
        let details = state.worker.details.as_deref().map(details);
        Some(match decision_step(details.as_ref(), row.sent) {
            DecisionStep::Look => ActionsAction::Read,
            DecisionStep::Confirm if row.sent => ActionsAction::Confirm { lost: false },
            DecisionStep::Confirm => ActionsAction::RecordSent,
            DecisionStep::Done(outcome) => ActionsAction::Decide(outcome),
        })
    }

    /// Records invitation `index` as the current episode's: a wanted episode becomes
    /// active with it, any other keeps its state (a closing one revokes it).
    fn record(next: &mut ActionsState, index: usize) -> Option<()> {
        let row = next.current_episode_mut()?;
        if row.state == Episode::Wanted {
            row.state = Episode::Active;
            row.recorded = Some(index);
            row.durable = true;
        }
        Some(())
    }

    /// The worker takes `action`, if it is its next step.
    fn work(
        &self,
        state: &ActionsState,
        next: &mut ActionsState,
        action: ActionsAction,
    ) -> Option<()> {
        use ActionsAction as A;
        let at = state.now();
        match action {
            A::Answer => {
                let index = next.worker.in_flight.take()?;
                Self::record(next, index)?;
            }
            A::LoseAnswer => {
                next.worker.in_flight.take()?;
                if state.losses >= self.bounds.losses {
                    return None;
                }
                next.losses += 1;
                next.worker.list = None;
            }
            A::Confirm { lost: true } => {
                if state.losses >= self.bounds.losses
                    || self.decision_move(state) != Some(A::Confirm { lost: false })
                {
                    return None;
                }
                next.losses += 1;
                Self::confirm(next);
                if self.bug != Some(ActionsBug::ConfirmWithoutLooking) {
                    next.worker.details = None;
                }
            }
            A::List
            | A::Create
            | A::Adopt(_)
            | A::Revoke(_)
            | A::Lapse { .. }
            | A::Close
            | A::Rest => {
                if self.invitation_move(state) != Some(action) {
                    return None;
                }
                match action {
                    A::List => {
                        next.worker.list = Some(Listed {
                            invitations: state.store.clone(),
                            at: state.clock,
                        });
                    }
                    A::Create => {
                        next.worker.in_flight = Some(next.store.len());
                        next.store.push(Held::created(at));
                        next.worker.list = None;
                    }
                    A::Adopt(index) => Self::record(next, index)?,
                    A::Revoke(index) => {
                        // Refused (not active any more) or done, the list is stale.
                        let _ = next.store.get_mut(index)?.invitation.revoke(at);
                        next.worker.list = None;
                    }
                    A::Lapse { replace } => {
                        let row = next.current_episode_mut()?;
                        if replace {
                            row.state = Episode::Wanted;
                            row.recorded = None;
                        } else {
                            row.state = Episode::Settled;
                        }
                    }
                    A::Close => {
                        let row = next.current_episode_mut()?;
                        row.state = Episode::Closed;
                        row.durable = true;
                        next.worker.list = None;
                    }
                    _ => next.worker.list = None,
                }
            }
            A::Read | A::RecordSent | A::Confirm { lost: false } | A::Decide(_) => {
                if self.decision_move(state) != Some(action) {
                    return None;
                }
                match action {
                    A::Read => next.worker.details = Some(state.accounts.clone()),
                    A::RecordSent => {
                        next.detections
                            .iter_mut()
                            .find(|d| d.outcome.is_none())?
                            .sent = true;
                    }
                    A::Decide(outcome) => {
                        let row = next.detections.iter_mut().find(|d| d.outcome.is_none())?;
                        row.outcome = Some(outcome);
                        next.worker.details = None;
                    }
                    _ => {
                        // The answer came: confirmed, as the receiver records it.
                        Self::confirm(next);
                        let row = next.detections.iter_mut().find(|d| d.outcome.is_none())?;
                        row.outcome = Some(DecisionOutcome::Confirmed);
                        next.worker.details = None;
                    }
                }
            }
            _ => return None,
        }
        Some(())
    }

    /// Nectar takes a confirm: every awaiting account is enabled; the monitor flags a
    /// confirm with nothing awaiting.
    fn confirm(next: &mut ActionsState) {
        let mut any = false;
        for tracking in &mut next.accounts {
            if *tracking == TrackingStatus::Unset {
                *tracking = TrackingStatus::Enabled;
                any = true;
            }
        }
        next.violations.confirmed_twice |= !any;
    }

    /// The environment takes `action`, if it may.
    fn environment(
        &self,
        state: &ActionsState,
        next: &mut ActionsState,
        action: ActionsAction,
    ) -> Option<()> {
        use ActionsAction as A;
        let at = state.now();
        match action {
            A::Enter => {
                if state.in_error || state.entered >= self.bounds.episodes {
                    return None;
                }
                next.in_error = true;
                next.entered += 1;
                next.episodes.push(EpisodeRow {
                    state: Episode::Wanted,
                    recorded: None,
                    durable: self.bug != Some(ActionsBug::IntentAfterCall),
                });
            }
            A::Leave => {
                if !state.in_error {
                    return None;
                }
                next.in_error = false;
                let open = next.episodes.iter_mut().rev().find(|r| {
                    matches!(
                        r.state,
                        Episode::Wanted | Episode::Active | Episode::Settled
                    )
                });
                if let Some(row) = open {
                    row.state = Episode::Closing;
                }
            }
            A::Tick => {
                // Time passes while it changes something: an invitation of the connection
                // reaches its `expiresAt` (an active one expires, a recorded one is due).
                let ticks = usize::from(state.clock);
                let expiring = state.store.iter().any(|h| {
                    h.whose == Whose::Connection
                        && h.invitation.expires_at().is_some_and(|e| at < e)
                });
                if ticks >= self.bounds.expiries || !expiring {
                    return None;
                }
                next.clock += 1;
            }
            A::ByHand { invitation, status } => {
                let used = state.store.iter().filter(|h| h.by_hand).count();
                if used >= self.bounds.by_hand {
                    return None;
                }
                let held = next.store.get_mut(invitation)?;
                if !held.is_active_of_connection(at) {
                    return None;
                }
                match status {
                    InvitationStatus::Fulfilled => held.invitation.use_once(at).ok()?,
                    InvitationStatus::Revoked => held.invitation.revoke(at).ok()?,
                    InvitationStatus::Active | InvitationStatus::Expired => return None,
                }
                held.by_hand = true;
            }
            A::Detect => {
                if state.detections.len() >= self.bounds.detections {
                    return None;
                }
                next.accounts.push(TrackingStatus::Unset);
                next.detections.push(DetectionRow::default());
            }
            A::DecideByHand { account } => {
                let decided = state
                    .accounts
                    .iter()
                    .filter(|&&t| t == TrackingStatus::Disabled)
                    .count();
                let tracking = next.accounts.get_mut(account)?;
                if decided >= self.bounds.decided_elsewhere || *tracking != TrackingStatus::Unset {
                    return None;
                }
                *tracking = TrackingStatus::Disabled;
            }
            _ => return None,
        }
        Some(())
    }

    /// One step; `None` when the action is not possible in `state`.
    ///
    /// ```
    /// use nectar_lifecycle_models::{ActionsAction as A, ActionsModel};
    /// use nectar_lifecycle_webhook::Episode;
    ///
    /// let model = ActionsModel::default();
    /// let mut state = model.initial();
    /// // A credential error; the worker lists, creates, and the answer is lost.
    /// for action in [A::Enter, A::List, A::Create, A::LoseAnswer] {
    ///     state = model.step(&state, action).expect("possible");
    /// }
    /// // It looks again and adopts the invitation its lost create made (index 2).
    /// assert_eq!(model.invitation_move(&state), Some(A::List));
    /// let state = model.step(&state, A::List).expect("listed");
    /// assert_eq!(model.invitation_move(&state), Some(A::Adopt(2)));
    /// let state = model.step(&state, A::Adopt(2)).expect("adopted");
    /// assert_eq!(state.episodes[0].state, Episode::Active);
    /// assert_eq!(state.active_of_connection(), 1);
    /// ```
    #[must_use]
    pub fn step(&self, state: &ActionsState, action: ActionsAction) -> Option<ActionsState> {
        let mut next = state.clone();
        if action == ActionsAction::Crash {
            let volatile = state.episodes.iter().any(|r| !r.durable);
            if state.crashes >= self.bounds.crashes || !(state.worker.holds_anything() || volatile)
            {
                return None;
            }
            next.crashes += 1;
            next.worker = Worker::default();
            next.episodes.retain(|r| r.durable);
        } else if self.environment(state, &mut next, action).is_none() {
            self.work(state, &mut next, action)?;
        }
        Some(next)
    }
}

/// The connection's details as `GET /connection/{id}/details` answers them, with accounts
/// of this tracking.
fn details(tracking: &[TrackingStatus]) -> ConnectionPayload {
    ConnectionPayload {
        accounts: tracking
            .iter()
            .enumerate()
            .map(|(i, &t)| AccountPayload {
                id: Some(format!("acc-{}", i + 1)),
                status: Some(Reported::Known(AccountStatus::Detected)),
                tracking_status: Some(Reported::Known(t)),
                ..AccountPayload::default()
            })
            .collect(),
        ..ConnectionPayload::new(CONNECTION, ConnectionStatus::Connected)
    }
}

impl ActionsState {
    /// `now`, by the clock.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        now(self.clock)
    }

    /// The episode the worker works on: the first not closed, with its number's index.
    #[must_use]
    pub fn current_episode(&self) -> Option<(usize, &EpisodeRow)> {
        self.episodes
            .iter()
            .enumerate()
            .find(|(_, r)| r.state != Episode::Closed)
    }

    fn current_episode_mut(&mut self) -> Option<&mut EpisodeRow> {
        self.episodes
            .iter_mut()
            .find(|r| r.state != Episode::Closed)
    }

    /// How many reconnect invitations of the connection are active now.
    #[must_use]
    pub fn active_of_connection(&self) -> usize {
        let at = self.now();
        self.store
            .iter()
            .filter(|h| h.is_active_of_connection(at))
            .count()
    }

    /// Whether the open episode is served: Active with its recorded invitation the one
    /// active (or ended by hand, not yet due: the worker looks when it is due), or Settled
    /// with none active.
    fn served(&self) -> bool {
        let at = self.now();
        let active = self.active_of_connection();
        match self.current_episode() {
            Some((_, row)) if row.state == Episode::Active => {
                let Some(recorded) = row.recorded.and_then(|i| self.store.get(i)) else {
                    return false;
                };
                if recorded.is_active_of_connection(at) {
                    active == 1
                } else {
                    let due = recorded.invitation.expires_at().is_some_and(|e| e <= at);
                    recorded.by_hand && !due && active == 0
                }
            }
            Some((_, row)) if row.state == Episode::Settled => active == 0,
            _ => false,
        }
    }
}

impl Model for ActionsModel {
    type State = ActionsState;
    type Action = ActionsAction;

    fn init_states(&self) -> Vec<ActionsState> {
        vec![self.initial()]
    }

    fn actions(&self, state: &ActionsState, actions: &mut Vec<ActionsAction>) {
        use ActionsAction as A;
        let at = state.now();
        if state.in_error {
            actions.push(A::Leave);
        } else if state.entered < self.bounds.episodes {
            actions.push(A::Enter);
        }
        if usize::from(state.clock) < self.bounds.expiries {
            actions.push(A::Tick);
        }
        if state.store.iter().filter(|h| h.by_hand).count() < self.bounds.by_hand {
            for (invitation, held) in state.store.iter().enumerate() {
                if held.is_active_of_connection(at) {
                    for status in [InvitationStatus::Fulfilled, InvitationStatus::Revoked] {
                        actions.push(A::ByHand { invitation, status });
                    }
                }
            }
        }
        if state.detections.len() < self.bounds.detections {
            actions.push(A::Detect);
        }
        if self.bounds.decided_elsewhere > 0 {
            for (account, &tracking) in state.accounts.iter().enumerate() {
                if tracking == TrackingStatus::Unset {
                    actions.push(A::DecideByHand { account });
                }
            }
        }
        actions.extend(self.invitation_move(state));
        if state.worker.in_flight.is_some() {
            actions.push(A::LoseAnswer);
        }
        if let Some(decision) = self.decision_move(state) {
            actions.push(decision);
            if decision == (A::Confirm { lost: false }) {
                actions.push(A::Confirm { lost: true });
            }
        }
        actions.push(A::Crash);
    }

    fn next_state(&self, state: &ActionsState, action: ActionsAction) -> Option<ActionsState> {
        self.step(state, action)
    }

    /// The invitations' properties when the model enters credential errors, the decisions'
    /// when it detects accounts (each is vacuous without its side).
    fn properties(&self) -> Vec<Property<Self>> {
        let mut properties = Vec::new();
        if self.bounds.episodes > 0 {
            properties.extend(invitation_properties());
        }
        if self.bounds.detections > 0 {
            properties.extend(decision_properties());
        }
        properties
    }
}

/// Properties 1 to 4.
fn invitation_properties() -> [Property<ActionsModel>; 4] {
    [
        Property::always(AT_MOST_ONE, |_, s: &ActionsState| {
            s.active_of_connection() <= 1
        }),
        Property::always(ONE_ACTIVE, |m: &ActionsModel, s: &ActionsState| {
            !s.in_error || m.invitation_move(s).is_some() || s.served()
        }),
        Property::always(NONE_LEFT, |m: &ActionsModel, s: &ActionsState| {
            s.in_error
                || m.invitation_move(s).is_some()
                || (s.active_of_connection() == 0
                    && s.episodes.iter().all(|r| r.state == Episode::Closed))
        }),
        Property::always(RECORDED, |m: &ActionsModel, s: &ActionsState| {
            m.invitation_move(s).is_some()
                || (s.episodes.len() == s.entered
                    && s.episodes.iter().all(|r| match r.state {
                        Episode::Active => r.recorded.is_some(),
                        Episode::Settled | Episode::Closed => true,
                        Episode::Wanted | Episode::Closing => false,
                    }))
        }),
    ]
}

/// Properties 5 and 6.
fn decision_properties() -> [Property<ActionsModel>; 2] {
    [
        Property::always(NOT_TWICE, |_, s: &ActionsState| {
            !s.violations.confirmed_twice
        }),
        Property::always(DECIDED, |m: &ActionsModel, s: &ActionsState| {
            m.decision_move(s).is_some()
                || (s.detections.iter().all(|d| d.outcome.is_some())
                    && !details(&s.accounts).accounts.iter().any(awaits_decision))
        }),
    ]
}
