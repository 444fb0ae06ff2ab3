//! The integrator's two actions on Nectar's API, decided without I/O: keeping one reconnect
//! invitation active through a credential-error episode, and confirming detected accounts
//! once per detection.
//!
//! Nectar's API takes no idempotency key: a create, revoke or confirm whose answer was lost
//! (a 5xx, a timeout, a dropped connection after the request was sent) may have been done.
//! So these functions never answer "do it again"; after an uncertain answer the caller
//! forgets what it was told and asks again, and the first step is always to look:
//!
//! * [`invitation_step`] for an [`Episode`]: list the company's invitations
//!   ([`InvitationStep::Look`]), then adopt the active reconnect invitation found, create one
//!   only when none is active, revoke extras, and, once the episode ends, revoke whatever
//!   reconnect invitation of the connection is still active.
//! * [`decision_step`] for a detection of accounts: read the connection's details
//!   ([`DecisionStep::Look`]), confirm only while an account still awaits its tracking
//!   decision.
//!
//! A caller records its intent (the episode, the detection) in the same transaction that
//! records what caused it, before any call, so that a restart finds the work. The receiver
//! (`nectar-receiver`) runs these steps, and the `nectar-lifecycle-models` crate checks them
//! against a model of Nectar's invitation store with crashes and lost answers.
//!
//! ```
//! use nectar_lifecycle_core::invitation::InvitationStatus;
//! use nectar_lifecycle_webhook::{Episode, InvitationPayload, InvitationStep, invitation_step};
//!
//! let now: jiff::Timestamp = "2026-12-06T09:00:00Z".parse()?;
//! let episode = Episode::Wanted;
//! // First look: list the company's invitations.
//! assert_eq!(invitation_step("c-1", episode, None, now), InvitationStep::Look);
//! // None is active: create one.
//! assert_eq!(invitation_step("c-1", episode, Some(&[]), now), InvitationStep::Create);
//! // One is active (a create whose answer was lost did it): adopt it, do not create.
//! let found = [InvitationPayload {
//!     connection_id: Some("c-1".into()),
//!     ..InvitationPayload::new("inv_1", InvitationStatus::Active)
//! }];
//! assert_eq!(invitation_step("c-1", episode, Some(&found), now), InvitationStep::Adopt(&found[0]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use jiff::Timestamp;
use nectar_lifecycle_core::invitation::InvitationStatus;
use nectar_lifecycle_core::{AccountStatus, TrackingStatus};
use serde::{Deserialize, Serialize};

use crate::invitations::InvitationPayload;
use crate::payload::{AccountPayload, ConnectionPayload, Reported};

/// Where a credential-error episode's reconnect invitation stands, as the caller stores it.
/// An episode lasts from entering a credential error until leaving the credential errors.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Episode {
    /// The episode is open and has no active invitation: it just began, or its invitation
    /// expired. Look, then adopt or create.
    Wanted,
    /// The episode is open and its invitation (recorded with it: [`Recorded`]) was active
    /// when last seen. Look again once its `expiresAt` has passed.
    Active,
    /// The invitation was used up (`FULFILLED`) or revoked by someone other than this
    /// caller: not replaced while the episode lasts (someone acted on it on purpose).
    Settled,
    /// The episode ended: revoke every reconnect invitation of the connection still active.
    Closing,
    /// Nothing left to do.
    Closed,
}

/// The invitation recorded with an [`Episode::Active`] episode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its `expiresAt`; `None`: never.
    pub expires_at: Option<Timestamp>,
}

/// The next step of an [`Episode`]'s protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationStep<'a> {
    /// List the company's invitations (`GET /invitation/company/{companyId}`), then ask
    /// again with the list.
    Look,
    /// None is active: create one (`POST /invitation/connection/{connectionId}`). Record
    /// the answer as the episode's invitation, with the link; after an uncertain answer,
    /// look again.
    Create,
    /// Record this active reconnect invitation as the episode's (no call): an earlier create
    /// whose answer was lost made it, or it is the one already recorded.
    Adopt(&'a InvitationPayload),
    /// Revoke this one (`POST /invitation/{invitationId}/revoke`), then look again: it is an
    /// extra (two active at once), or the episode ended.
    Revoke(&'a InvitationPayload),
    /// The episode's invitation is no longer active. Record its status; when `replace`
    /// (it expired, or Nectar no longer lists it) the episode wants a new one
    /// ([`Episode::Wanted`]), otherwise it is [`Episode::Settled`].
    Lapsed {
        /// Its status as listed; `None` when Nectar no longer lists it.
        status: Option<Reported<InvitationStatus>>,
        /// Whether to create a replacement.
        replace: bool,
    },
    /// Nothing to do now: a closing episode has nothing active left (it is closed), an
    /// active invitation is still active, a settled or closed episode waits.
    Done,
}

/// The next step of `episode`, of connection `connection_id`, given the invitation recorded
/// with it (`current`) and the company's invitations as just listed (`None`: not listed
/// since the last call that changed them, or since a restart). `now` decides which
/// invitations are past their `expiresAt`.
///
/// * [`Episode::Wanted`]: with the list, the active reconnect invitations of the connection
///   are adopted (one), reduced to one by revoking the oldest (two or more), or created
///   (none). Active invitations of earlier episodes were revoked before this one began (the
///   caller runs a connection's episodes in order), so any found now was created since the
///   episode began: no clock of Nectar's is compared with the caller's.
/// * [`Episode::Active`], once `current`'s `expiresAt` has passed (or with a list): it is
///   looked up; another active one is revoked; the recorded one is kept while active, and
///   lapses otherwise ([`InvitationStep::Lapsed`]).
/// * [`Episode::Closing`]: every active reconnect invitation of the connection is revoked,
///   one at a time, then [`InvitationStep::Done`].
/// * [`Episode::Settled`], [`Episode::Closed`]: [`InvitationStep::Done`].
///
/// ```
/// use nectar_lifecycle_core::invitation::InvitationStatus;
/// use nectar_lifecycle_webhook::{Episode, InvitationPayload, InvitationStep, Recorded, Reported};
/// use nectar_lifecycle_webhook::invitation_step_of;
///
/// let now: jiff::Timestamp = "2026-12-06T09:00:00Z".parse()?;
/// let of = |id: &str, status| InvitationPayload {
///     connection_id: Some("c-1".into()),
///     ..InvitationPayload::new(id, status)
/// };
/// let recorded = Recorded { id: "inv_1", expires_at: Some("2026-12-06T08:00:00Z".parse()?) };
/// // Not yet expired by the caller's clock: nothing to do, no call.
/// let later = Recorded { expires_at: Some("2026-12-07T08:00:00Z".parse()?), ..recorded };
/// assert_eq!(invitation_step_of("c-1", Episode::Active, Some(later), None, now), InvitationStep::Done);
/// // Past its `expiresAt`: look, and Nectar lists it as expired: replace it.
/// assert_eq!(invitation_step_of("c-1", Episode::Active, Some(recorded), None, now), InvitationStep::Look);
/// let listed = [of("inv_1", InvitationStatus::Expired)];
/// let step = invitation_step_of("c-1", Episode::Active, Some(recorded), Some(&listed), now);
/// assert_eq!(
///     step,
///     InvitationStep::Lapsed { status: Some(Reported::Known(InvitationStatus::Expired)), replace: true },
/// );
/// // The episode ended and one is still active: revoke it.
/// let listed = [of("inv_2", InvitationStatus::Active)];
/// let step = invitation_step_of("c-1", Episode::Closing, None, Some(&listed), now);
/// assert_eq!(step, InvitationStep::Revoke(&listed[0]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn invitation_step_of<'a>(
    connection_id: &str,
    episode: Episode,
    current: Option<Recorded<'_>>,
    listed: Option<&'a [InvitationPayload]>,
    now: Timestamp,
) -> InvitationStep<'a> {
    let due = current.is_none_or(|c| c.expires_at.is_some_and(|at| at <= now));
    if matches!(episode, Episode::Settled | Episode::Closed)
        || (episode == Episode::Active && !due && listed.is_none())
    {
        return InvitationStep::Done;
    }
    let current = current.map(|c| c.id);
    let Some(listed) = listed else {
        return InvitationStep::Look;
    };
    let mut active = listed
        .iter()
        .filter(|invitation| invitation.is_active_reconnect_of(connection_id, now));
    match episode {
        Episode::Wanted => {
            let mut oldest: Option<&InvitationPayload> = None;
            let mut count = 0_usize;
            for invitation in active {
                count += 1;
                if oldest.is_none_or(|o| older(invitation, o)) {
                    oldest = Some(invitation);
                }
            }
            match (count, oldest) {
                (0, _) | (_, None) => InvitationStep::Create,
                (1, Some(only)) => InvitationStep::Adopt(only),
                (_, Some(oldest)) => InvitationStep::Revoke(oldest),
            }
        }
        Episode::Active => {
            if let Some(extra) = active
                .clone()
                .find(|invitation| Some(invitation.id.as_str()) != current)
            {
                return InvitationStep::Revoke(extra);
            }
            if active.any(|invitation| Some(invitation.id.as_str()) == current) {
                return InvitationStep::Done;
            }
            let status = listed
                .iter()
                .find(|invitation| Some(invitation.id.as_str()) == current)
                .map(|invitation| invitation.status.clone());
            let replace = match &status {
                None => true,
                // Still `ACTIVE` but past its `expiresAt`: expired, Nectar has not caught up.
                Some(Reported::Known(InvitationStatus::Expired | InvitationStatus::Active)) => true,
                Some(Reported::Known(InvitationStatus::Fulfilled | InvitationStatus::Revoked))
                | Some(Reported::Unknown(_)) => false,
            };
            InvitationStep::Lapsed { status, replace }
        }
        Episode::Closing => active
            .next()
            .map_or(InvitationStep::Done, InvitationStep::Revoke),
        Episode::Settled | Episode::Closed => InvitationStep::Done,
    }
}

/// [`invitation_step_of`] without a recorded invitation: for [`Episode::Wanted`] and
/// [`Episode::Closing`], which do not need one (see the module's example).
#[must_use]
pub fn invitation_step<'a>(
    connection_id: &str,
    episode: Episode,
    listed: Option<&'a [InvitationPayload]>,
    now: Timestamp,
) -> InvitationStep<'a> {
    invitation_step_of(connection_id, episode, None, listed, now)
}

/// Whether `a` was created before `b` (an unknown time first; ties by id), to choose which
/// of two active invitations to revoke.
fn older(a: &InvitationPayload, b: &InvitationPayload) -> bool {
    (a.created_at, a.id.as_str()) < (b.created_at, b.id.as_str())
}

/// The next step of confirming one detection of accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionStep {
    /// Read the connection's details (`GET /connection/{connectionId}/details`), then ask
    /// again with them.
    Look,
    /// An account still awaits its tracking decision: send
    /// [`AccountDecision::Confirm`](crate::AccountDecision::Confirm). Record that it was
    /// sent before sending; after an uncertain answer, look again.
    Confirm,
    /// Nothing awaits a decision any more: record the outcome.
    Done(DecisionOutcome),
}

/// How a detection of accounts ended.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DecisionOutcome {
    /// Confirmed by this caller (a confirm was sent, and nothing awaits any more).
    Confirmed,
    /// Nothing awaited a decision before this caller sent anything: decided by someone
    /// else (or the accounts are gone).
    DecidedElsewhere,
}

/// Whether `account` awaits its tracking decision: `DETECTED`, tracking `UNSET` or not
/// reported. A tracking value this crate does not know is not taken for "awaiting": a
/// confirm is not sent on a guess (and would be sent again at every look if the confirm did
/// not change that value).
///
/// ```
/// use nectar_lifecycle_core::{AccountStatus, TrackingStatus};
/// use nectar_lifecycle_webhook::{AccountPayload, Reported, awaits_decision};
///
/// let mut account: AccountPayload = serde_json::from_str(r#"{"status":"DETECTED"}"#)?;
/// assert!(awaits_decision(&account));
/// account.tracking_status = Some(Reported::Known(TrackingStatus::Enabled));
/// assert!(!awaits_decision(&account));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[must_use]
pub fn awaits_decision(account: &AccountPayload) -> bool {
    let undecided = match &account.tracking_status {
        None => true,
        Some(Reported::Known(tracking)) => *tracking == TrackingStatus::Unset,
        Some(Reported::Unknown(_)) => false,
    };
    account.status.as_ref().and_then(Reported::known) == Some(AccountStatus::Detected) && undecided
}

/// The next step of confirming a detection, given the connection's details as just read
/// (`None`: not read since the last confirm, or since a restart) and whether a confirm was
/// sent for it (`sent`, recorded before sending).
///
/// ```
/// use nectar_lifecycle_webhook::{ConnectionPayload, DecisionOutcome, DecisionStep, decision_step};
///
/// let detected: ConnectionPayload = serde_json::from_str(
///     r#"{"id":"c-1","status":"CONNECTED","accounts":[{"id":"a-1","status":"DETECTED","trackingStatus":"UNSET"}]}"#,
/// )?;
/// let tracked: ConnectionPayload = serde_json::from_str(
///     r#"{"id":"c-1","status":"CONNECTED","accounts":[{"id":"a-1","status":"DETECTED","trackingStatus":"ENABLED"}]}"#,
/// )?;
/// assert_eq!(decision_step(None, false), DecisionStep::Look);
/// assert_eq!(decision_step(Some(&detected), false), DecisionStep::Confirm);
/// // A confirm was sent and its answer lost; the details show it was done.
/// assert_eq!(decision_step(Some(&tracked), true), DecisionStep::Done(DecisionOutcome::Confirmed));
/// assert_eq!(decision_step(Some(&tracked), false), DecisionStep::Done(DecisionOutcome::DecidedElsewhere));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[must_use]
pub fn decision_step(details: Option<&ConnectionPayload>, sent: bool) -> DecisionStep {
    let Some(details) = details else {
        return DecisionStep::Look;
    };
    if details.accounts.iter().any(awaits_decision) {
        DecisionStep::Confirm
    } else if sent {
        DecisionStep::Done(DecisionOutcome::Confirmed)
    } else {
        DecisionStep::Done(DecisionOutcome::DecidedElsewhere)
    }
}
