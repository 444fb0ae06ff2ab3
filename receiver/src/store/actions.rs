//! The actions' durable state: a row per credential-error episode (its reconnect invitation)
//! and a row per detection of accounts (its confirmation). The transaction that records the
//! cause records the intent ([`on_change`], inside [`Store::observe`]); the actions worker
//! claims a row with a lease and records each step's result in a transaction that holds the
//! connection's row, as a delivery's does, so a change of the connection and a step of an
//! action never interleave. The decisions themselves are the webhook crate's
//! ([`invitation_step_of`](nectar_lifecycle::webhook::invitation_step_of),
//! [`decision_step`](nectar_lifecycle::webhook::decision_step)).

use core::time::Duration;

use jiff::Timestamp;
use nectar_lifecycle::webhook::{DecisionOutcome, Episode, InvitationPayload, Notification};
use serde::{Deserialize, Serialize};

use super::sql::{Access, Arg, Sql, Tx};
use super::{
    ActionEntry, EntryKind, InvitationLink, NewEntry, Store, StoreError, append, lock_connection,
    millis, millis_after, rfc3339, timestamp,
};
use crate::config::Actions;

/// The newest episode of the connection, if one is open (not closing or closed).
const OPEN_EPISODE: Sql = Sql::same(
    "SELECT episode, state, entry_appended, delivery_id, status FROM invitation_episodes \
     WHERE connection_id = $1 AND state IN ('wanted', 'active', 'settled') \
     ORDER BY episode DESC LIMIT 1",
);
const NEXT_EPISODE: Sql = Sql::same(
    "SELECT COALESCE(MAX(episode), 0) + 1 FROM invitation_episodes WHERE connection_id = $1",
);
const OPEN: Sql = Sql::same(
    "INSERT INTO invitation_episodes (connection_id, episode, state, started_at, hold_until, \
     delivery_id, status, due_at) VALUES ($1, $2, 'wanted', $3, $4, $5, $6, $3)",
);
/// The episode ended: its invitation is revoked by the next claim, which waits for the
/// current holder's lease (a create in flight is recorded, then revoked).
const CLOSE: Sql = Sql::same(
    "UPDATE invitation_episodes SET state = 'closing', ended_at = $3, due_at = $3, \
     entry_appended = 1, failures = 0 WHERE connection_id = $1 AND episode = $2",
);
const WANT_DECISION: Sql = Sql::same(
    "INSERT INTO account_decisions (connection_id, detection, state, due_at, created_at) \
     VALUES ($1, $2, 'wanted', $3, $4) ON CONFLICT (connection_id, detection) DO NOTHING",
);
/// Claims the most overdue episode step: an open or closing episode due and not held, whose
/// connection has no earlier episode still closing (a connection's episodes run in order).
const CLAIM_EPISODE: Sql = Sql::each(
    "UPDATE invitation_episodes SET leased_until = $2, claims = claims + 1 \
     WHERE (connection_id, episode) = (SELECT e.connection_id, e.episode \
       FROM invitation_episodes e WHERE e.state IN ('wanted', 'active', 'closing') \
       AND e.due_at <= $1 AND e.leased_until <= $1 AND NOT EXISTS (SELECT 1 \
       FROM invitation_episodes b WHERE b.connection_id = e.connection_id \
       AND b.episode < e.episode AND b.state = 'closing') ORDER BY e.due_at LIMIT 1) \
     RETURNING connection_id, episode, state, claims, invitation_id, invitation_expires_at, \
     failures",
    "UPDATE invitation_episodes SET leased_until = $2, claims = claims + 1 \
     WHERE (connection_id, episode) = (SELECT e.connection_id, e.episode \
       FROM invitation_episodes e WHERE e.state IN ('wanted', 'active', 'closing') \
       AND e.due_at <= $1 AND e.leased_until <= $1 AND NOT EXISTS (SELECT 1 \
       FROM invitation_episodes b WHERE b.connection_id = e.connection_id \
       AND b.episode < e.episode AND b.state = 'closing') ORDER BY e.due_at LIMIT 1 \
       FOR UPDATE SKIP LOCKED) \
     RETURNING connection_id, episode, state, claims, invitation_id, invitation_expires_at, \
     failures",
);
/// The claimed episode as it is now (inside a step's transaction, the connection held).
const HELD_EPISODE: Sql = Sql::same(
    "SELECT state, entry_appended, delivery_id, status, invitations, hold_until \
     FROM invitation_episodes WHERE connection_id = $1 AND episode = $2 AND claims = $3",
);
const RECORD_INVITATION: Sql = Sql::same(
    "UPDATE invitation_episodes SET state = 'active', invitation_id = $3, invitation_url = $4, \
     invitation_status = 'ACTIVE', invitation_expires_at = $5, invitations = invitations + 1, \
     entry_appended = 1, due_at = $6, leased_until = 0, failures = 0, last_error = NULL \
     WHERE connection_id = $1 AND episode = $2",
);
const LAPSE: Sql = Sql::same(
    "UPDATE invitation_episodes SET state = $3, invitation_status = $4, failures = 0, \
     last_error = NULL WHERE connection_id = $1 AND episode = $2 AND claims = $5",
);
const STILL_ACTIVE: Sql = Sql::same(
    "UPDATE invitation_episodes SET invitation_expires_at = $3, due_at = $4, leased_until = 0, \
     failures = 0, last_error = NULL WHERE connection_id = $1 AND episode = $2 AND claims = $5",
);
const CLOSED: Sql = Sql::same(
    "UPDATE invitation_episodes SET state = 'closed', leased_until = 0, failures = 0, \
     last_error = NULL WHERE connection_id = $1 AND episode = $2 AND claims = $3",
);
const RELEASE_EPISODE: Sql = Sql::same(
    "UPDATE invitation_episodes SET leased_until = 0 WHERE connection_id = $1 AND episode = $2 \
     AND claims = $3",
);
const FAIL_EPISODE: Sql = Sql::same(
    "UPDATE invitation_episodes SET due_at = $3, leased_until = 0, failures = failures + 1, \
     last_error = $4 WHERE connection_id = $1 AND episode = $2 AND claims = $5",
);
const HELD_ENTRY_APPENDED: Sql = Sql::same(
    "UPDATE invitation_episodes SET entry_appended = 1 WHERE connection_id = $1 AND episode = $2",
);
const CLAIM_DECISION: Sql = Sql::each(
    "UPDATE account_decisions SET leased_until = $2, claims = claims + 1 \
     WHERE (connection_id, detection) = (SELECT connection_id, detection \
       FROM account_decisions WHERE state = 'wanted' AND due_at <= $1 AND leased_until <= $1 \
       ORDER BY due_at LIMIT 1) \
     RETURNING connection_id, detection, sent, claims, failures",
    "UPDATE account_decisions SET leased_until = $2, claims = claims + 1 \
     WHERE (connection_id, detection) = (SELECT connection_id, detection \
       FROM account_decisions WHERE state = 'wanted' AND due_at <= $1 AND leased_until <= $1 \
       ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
     RETURNING connection_id, detection, sent, claims, failures",
);
const DECISION_SENT: Sql = Sql::same(
    "UPDATE account_decisions SET sent = 1 WHERE connection_id = $1 AND detection = $2 \
     AND claims = $3",
);
const DECISION_DONE: Sql = Sql::same(
    "UPDATE account_decisions SET state = 'done', outcome = $3, leased_until = 0, \
     last_error = NULL WHERE connection_id = $1 AND detection = $2 AND claims = $4 \
     AND state = 'wanted'",
);
const FAIL_DECISION: Sql = Sql::same(
    "UPDATE account_decisions SET due_at = $3, leased_until = 0, failures = failures + 1, \
     last_error = $4 WHERE connection_id = $1 AND detection = $2 AND claims = $5",
);
const SELECT_COMPANY: Sql = Sql::same("SELECT company_id FROM connections WHERE id = $1");
const SELECT_INVITATION: Sql = Sql::same(
    "SELECT episode, state, invitation_id, invitation_url, invitation_status, \
     invitation_expires_at, started_at, ended_at, invitations, failures, last_error \
     FROM invitation_episodes WHERE connection_id = $1 ORDER BY episode DESC LIMIT 1",
);

/// A claimed step of an episode: run [`invitation_step_of`](
/// nectar_lifecycle::webhook::invitation_step_of) and record what it led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeClaim {
    /// The connection.
    pub connection_id: String,
    /// The episode's number (1, 2, ... per connection).
    pub episode: i64,
    /// Its state when claimed.
    pub state: Episode,
    /// The invitation recorded with it, if any.
    pub invitation: Option<RecordedInvitation>,
    /// Failed attempts in a row before this one.
    pub failures: i64,
    claims: i64,
}

/// The invitation recorded with an episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedInvitation {
    /// Nectar's id.
    pub id: String,
    /// Its `expiresAt`; `None`: never.
    pub expires_at: Option<Timestamp>,
}

/// A claimed detection of accounts: run [`decision_step`](
/// nectar_lifecycle::webhook::decision_step) and record its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionClaim {
    /// The connection.
    pub connection_id: String,
    /// The `accounts_detected` entry's sequence.
    pub detection: i64,
    /// Whether a confirm may have been sent (recorded before sending).
    pub sent: bool,
    /// Failed attempts in a row before this one.
    pub failures: i64,
    claims: i64,
}

/// A connection's newest episode as the read API shows it (`invitation` in
/// `GET /connections/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    /// The episode's number.
    pub episode: i64,
    /// `wanted`, `active`, `settled`, `closing` or `closed`.
    #[schema(value_type = crate::schema::Episode)]
    pub state: String,
    /// The invitation recorded, if any.
    pub id: Option<String>,
    /// Its link.
    pub url: Option<String>,
    /// Nectar's status of it when last seen (`ACTIVE`, `EXPIRED`, `FULFILLED`, `REVOKED`).
    pub status: Option<String>,
    /// When it expires.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
    /// When the episode began.
    #[schema(value_type = String, format = DateTime)]
    pub started_at: Timestamp,
    /// When it ended, if it did.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<Timestamp>,
    /// Invitations recorded in the episode (replacements included).
    pub invitations: i64,
    /// Failed attempts in a row, and the last error.
    pub failures: i64,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}

/// What an applied change did to the connection's actions, inside its transaction.
pub(super) struct Change<'a> {
    /// The connection.
    pub id: &'a str,
    /// The change enters a credential error.
    pub enters: bool,
    /// The connection's status after it is known and not a credential error.
    pub leaves: bool,
    /// The change's delivery and status, kept for the held entry.
    pub delivery_id: Option<&'a str>,
    pub status: &'a str,
}

/// The entered_credential_error entry an ended episode still held: to append before the
/// change's own entries.
pub(super) struct Held {
    pub delivery_id: Option<String>,
    pub status: String,
}

/// Records what `change` does to the connection's episodes: a change that leaves the
/// credential errors ends the open episode (returning its entry if it was still held); one
/// that enters a credential error opens an episode (ending one left open: its leaving was
/// missed).
pub(super) async fn on_change(
    tx: &mut Tx,
    actions: &Actions,
    change: &Change<'_>,
    now: Timestamp,
) -> Result<Option<Held>, StoreError> {
    if !actions.reconnect_invitations || !(change.enters || change.leaves) {
        return Ok(None);
    }
    type Row = (i64, String, i64, Option<String>, String);
    let open: Option<Row> = tx
        .fetch_optional(OPEN_EPISODE, &[Arg::Text(change.id)])
        .await?;
    let mut held = None;
    if let Some((episode, _, entry_appended, delivery_id, status)) = open {
        tx.execute(
            CLOSE,
            &[
                Arg::Text(change.id),
                Arg::Int(episode),
                Arg::Int(millis(now)),
            ],
        )
        .await?;
        if entry_appended == 0 {
            held = Some(Held {
                delivery_id,
                status,
            });
        }
    }
    if change.enters {
        let (next,): (i64,) = tx
            .fetch_optional(NEXT_EPISODE, &[Arg::Text(change.id)])
            .await?
            .unwrap_or((1,));
        tx.execute(
            OPEN,
            &[
                Arg::Text(change.id),
                Arg::Int(next),
                Arg::Int(millis(now)),
                Arg::Int(millis_after(now, actions.hold)),
                Arg::MaybeText(change.delivery_id),
                Arg::Text(change.status),
            ],
        )
        .await?;
    }
    Ok(held)
}

/// Records a detection of accounts (the `accounts_detected` entry `sequence`), to confirm.
pub(super) async fn on_detection(
    tx: &mut Tx,
    actions: &Actions,
    id: &str,
    sequence: i64,
    now: Timestamp,
) -> Result<(), StoreError> {
    if actions.confirm_accounts {
        tx.execute(
            WANT_DECISION,
            &[
                Arg::Text(id),
                Arg::Int(sequence),
                Arg::Int(millis(now)),
                Arg::Text(&rfc3339(now)),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Whether the entered_credential_error entry is held for its link: with reconnect
/// invitations on, it is appended when the episode's invitation is recorded.
pub(super) fn holds(actions: &Actions, notification: Notification) -> bool {
    actions.reconnect_invitations && notification == Notification::EnteredCredentialError
}

/// The claimed episode's state inside a step's transaction.
type HeldRow = (String, i64, Option<String>, String, i64, i64);

/// An invitation's link as entries carry it.
fn link(invitation: &InvitationPayload) -> InvitationLink {
    InvitationLink {
        id: invitation.id.clone(),
        url: invitation.invitation_url.clone().unwrap_or_default(),
        expires_at: invitation.expires_at,
    }
}

fn parse_episode(connection: &str, state: &str) -> Result<Episode, StoreError> {
    state.parse().map_err(|_| StoreError::Corrupt {
        what: "invitation episode",
        connection: connection.to_owned(),
        message: format!("unknown state {state:?}"),
    })
}

impl Store {
    /// Claims the most overdue step of an episode at `now`, keeping it from other workers
    /// for `lease`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn claim_episode(
        &self,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Option<EpisodeClaim>, StoreError> {
        type Row = (String, i64, String, i64, Option<String>, Option<i64>, i64);
        let mut tx = self.pool.begin(Access::Write).await?;
        let row: Option<Row> = tx
            .fetch_optional(
                CLAIM_EPISODE,
                &[Arg::Int(millis(now)), Arg::Int(millis_after(now, lease))],
            )
            .await?;
        tx.commit().await?;
        let Some((connection_id, episode, state, claims, id, expires_at, failures)) = row else {
            return Ok(None);
        };
        let state = parse_episode(&connection_id, &state)?;
        Ok(Some(EpisodeClaim {
            connection_id,
            episode,
            state,
            invitation: id.map(|id| RecordedInvitation {
                id,
                expires_at: expires_at.map(timestamp),
            }),
            failures,
            claims,
        }))
    }

    /// Records `invitation` (created, or adopted) as the episode's, with the entry that
    /// carries its link: the held `entered_credential_error`, or a `reconnect_invitation`
    /// after a replacement or a late link. An episode that ended meanwhile records nothing:
    /// its closing step revokes the invitation. Returns whether it was recorded.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn record_invitation(
        &self,
        claim: &EpisodeClaim,
        invitation: &InvitationPayload,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let locked = lock_connection(&mut tx, &claim.connection_id, now).await?;
        let Some(held) = held_episode(&mut tx, claim).await? else {
            return Ok(false);
        };
        let (state, entry_appended, delivery_id, status, _, _) = held;
        if parse_episode(&claim.connection_id, &state)? != Episode::Wanted {
            release(&mut tx, claim).await?;
            tx.commit().await?;
            return Ok(false);
        }
        let carried = link(invitation);
        let expires_at = invitation.expires_at.map(|at| at.as_millisecond());
        tx.execute(
            RECORD_INVITATION,
            &[
                Arg::Text(&claim.connection_id),
                Arg::Int(claim.episode),
                Arg::Text(&carried.id),
                Arg::Text(&carried.url),
                Arg::MaybeInt(expires_at),
                Arg::Int(expires_at.unwrap_or(i64::MAX)),
            ],
        )
        .await?;
        let entry = if entry_appended == 0 {
            NewEntry::held(&status, delivery_id.as_deref(), Some(&carried))
        } else {
            NewEntry {
                kind: EntryKind::Action(ActionEntry::ReconnectInvitation),
                status: &status,
                delivery_id: None,
                invitation: Some(&carried),
            }
        };
        append(&mut tx, &claim.connection_id, &locked, [entry], now).await?;
        tx.commit().await?;
        self.appended.notify_one();
        Ok(true)
    }

    /// The episode's invitation is no longer active (Nectar lists it with `status`, or not
    /// at all): the episode wants a replacement (`replace`) or is settled. Returns the new
    /// state, or `None` when the claim was superseded.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn invitation_lapsed(
        &self,
        claim: &EpisodeClaim,
        status: Option<&str>,
        replace: bool,
    ) -> Result<Option<Episode>, StoreError> {
        let state = if replace {
            Episode::Wanted
        } else {
            Episode::Settled
        };
        let name: &'static str = state.into();
        let changed = self
            .episode_update(
                LAPSE,
                &[
                    Arg::Text(&claim.connection_id),
                    Arg::Int(claim.episode),
                    Arg::Text(name),
                    Arg::MaybeText(status),
                    Arg::Int(claim.claims),
                ],
            )
            .await?;
        Ok(changed.then_some(state))
    }

    /// The episode's invitation is still active, now expiring at `expires_at`: due again
    /// then.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn invitation_still_active(
        &self,
        claim: &EpisodeClaim,
        expires_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let expires_at = expires_at.map(|at| at.as_millisecond());
        self.episode_update(
            STILL_ACTIVE,
            &[
                Arg::Text(&claim.connection_id),
                Arg::Int(claim.episode),
                Arg::MaybeInt(expires_at),
                Arg::Int(expires_at.unwrap_or(i64::MAX)),
                Arg::Int(claim.claims),
            ],
        )
        .await
        .map(drop)
    }

    /// A closing episode has no active invitation left: closed.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn episode_closed(&self, claim: &EpisodeClaim) -> Result<(), StoreError> {
        self.episode_update(
            CLOSED,
            &[
                Arg::Text(&claim.connection_id),
                Arg::Int(claim.episode),
                Arg::Int(claim.claims),
            ],
        )
        .await
        .map(drop)
    }

    /// The step failed with `error`: due again at `due`. An open episode whose held entry
    /// has waited past `NECTAR_INVITATION_HOLD` gets it appended now, without a link (the
    /// link follows in a `reconnect_invitation` entry).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn episode_failed(
        &self,
        claim: &EpisodeClaim,
        error: &str,
        due: Timestamp,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let locked = lock_connection(&mut tx, &claim.connection_id, now).await?;
        let Some((state, entry_appended, delivery_id, status, _, hold_until)) =
            held_episode(&mut tx, claim).await?
        else {
            return Ok(());
        };
        tx.execute(
            FAIL_EPISODE,
            &[
                Arg::Text(&claim.connection_id),
                Arg::Int(claim.episode),
                Arg::Int(due.as_millisecond()),
                Arg::Text(error),
                Arg::Int(claim.claims),
            ],
        )
        .await?;
        let waited = entry_appended == 0 && hold_until <= millis(now);
        let appended = waited && parse_episode(&claim.connection_id, &state)? == Episode::Wanted;
        if appended {
            let entry = NewEntry::held(&status, delivery_id.as_deref(), None);
            append(&mut tx, &claim.connection_id, &locked, [entry], now).await?;
            tx.execute(
                HELD_ENTRY_APPENDED,
                &[Arg::Text(&claim.connection_id), Arg::Int(claim.episode)],
            )
            .await?;
        }
        tx.commit().await?;
        if appended {
            self.appended.notify_one();
        }
        Ok(())
    }

    /// Gives the claim back without recording anything (the service is stopping).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn release_episode(&self, claim: &EpisodeClaim) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        release(&mut tx, claim).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Runs `sql` on a claimed episode; whether the claim still held it.
    async fn episode_update(&self, sql: Sql, args: &[Arg<'_>]) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let changed = tx.execute(sql, args).await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Claims the most overdue detection of accounts at `now`, keeping it from other
    /// workers for `lease`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn claim_decision(
        &self,
        now: Timestamp,
        lease: Duration,
    ) -> Result<Option<DecisionClaim>, StoreError> {
        type Row = (String, i64, i64, i64, i64);
        let mut tx = self.pool.begin(Access::Write).await?;
        let row: Option<Row> = tx
            .fetch_optional(
                CLAIM_DECISION,
                &[Arg::Int(millis(now)), Arg::Int(millis_after(now, lease))],
            )
            .await?;
        tx.commit().await?;
        Ok(row.map(
            |(connection_id, detection, sent, claims, failures)| DecisionClaim {
                connection_id,
                detection,
                sent: sent != 0,
                failures,
                claims,
            },
        ))
    }

    /// Records that a confirm of `claim` may be sent: before sending it.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn decision_sent(&self, claim: &mut DecisionClaim) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let changed = tx
            .execute(
                DECISION_SENT,
                &[
                    Arg::Text(&claim.connection_id),
                    Arg::Int(claim.detection),
                    Arg::Int(claim.claims),
                ],
            )
            .await?;
        tx.commit().await?;
        claim.sent = true;
        Ok(changed == 1)
    }

    /// Records how the detection ended, with its outbox entry (`accounts_confirmed` or
    /// `accounts_decided_elsewhere`), in one transaction.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn decision_done(
        &self,
        claim: &DecisionClaim,
        outcome: DecisionOutcome,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        let locked = lock_connection(&mut tx, &claim.connection_id, now).await?;
        let name: &'static str = outcome.into();
        let changed = tx
            .execute(
                DECISION_DONE,
                &[
                    Arg::Text(&claim.connection_id),
                    Arg::Int(claim.detection),
                    Arg::Text(name),
                    Arg::Int(claim.claims),
                ],
            )
            .await?;
        if changed == 1 {
            let kind = match outcome {
                DecisionOutcome::Confirmed => ActionEntry::AccountsConfirmed,
                DecisionOutcome::DecidedElsewhere => ActionEntry::AccountsDecidedElsewhere,
            };
            let status = locked
                .record
                .as_ref()
                .map(|r| r.connection.status.as_str().to_owned())
                .unwrap_or_default();
            let entry = NewEntry {
                kind: EntryKind::Action(kind),
                status: &status,
                delivery_id: None,
                invitation: None,
            };
            append(&mut tx, &claim.connection_id, &locked, [entry], now).await?;
        }
        tx.commit().await?;
        if changed == 1 {
            self.appended.notify_one();
        }
        Ok(())
    }

    /// The detection's step failed with `error`: due again at `due`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn decision_failed(
        &self,
        claim: &DecisionClaim,
        error: &str,
        due: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin(Access::Write).await?;
        tx.execute(
            FAIL_DECISION,
            &[
                Arg::Text(&claim.connection_id),
                Arg::Int(claim.detection),
                Arg::Int(due.as_millisecond()),
                Arg::Text(error),
                Arg::Int(claim.claims),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The company of `connection_id`, as the last observation that named one said.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn company_of(&self, connection_id: &str) -> Result<Option<String>, StoreError> {
        let mut tx = self.pool.begin(Access::Read).await?;
        let row: Option<(Option<String>,)> = tx
            .fetch_optional(SELECT_COMPANY, &[Arg::Text(connection_id)])
            .await?;
        tx.commit().await?;
        Ok(row.and_then(|(company,)| company))
    }

    /// The connection's newest episode, for the read API.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn invitation(
        &self,
        connection_id: &str,
    ) -> Result<Option<InvitationView>, StoreError> {
        let mut tx = self.pool.begin(Access::Read).await?;
        let view = invitation_in(&mut tx, connection_id).await?;
        tx.commit().await?;
        Ok(view)
    }
}

/// The connection's newest episode, inside `tx`.
pub(super) async fn invitation_in(
    tx: &mut Tx,
    connection_id: &str,
) -> Result<Option<InvitationView>, StoreError> {
    type Row = (
        i64,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
        i64,
        Option<i64>,
        i64,
        i64,
        Option<String>,
    );
    let row: Option<Row> = tx
        .fetch_optional(SELECT_INVITATION, &[Arg::Text(connection_id)])
        .await?;
    Ok(row.map(
        |(
            episode,
            state,
            id,
            url,
            status,
            expires_at,
            started_at,
            ended_at,
            invitations,
            failures,
            last_error,
        )| {
            InvitationView {
                episode,
                state,
                id,
                url,
                status,
                expires_at: expires_at.map(timestamp),
                started_at: timestamp(started_at),
                ended_at: ended_at.map(timestamp),
                invitations,
                failures,
                last_error,
            }
        },
    ))
}

/// The claimed episode's row inside a step's transaction; `None` when the claim was
/// superseded (another worker took it over after the lease).
async fn held_episode(tx: &mut Tx, claim: &EpisodeClaim) -> Result<Option<HeldRow>, StoreError> {
    tx.fetch_optional(
        HELD_EPISODE,
        &[
            Arg::Text(&claim.connection_id),
            Arg::Int(claim.episode),
            Arg::Int(claim.claims),
        ],
    )
    .await
    .map_err(StoreError::from)
}

async fn release(tx: &mut Tx, claim: &EpisodeClaim) -> Result<(), StoreError> {
    tx.execute(
        RELEASE_EPISODE,
        &[
            Arg::Text(&claim.connection_id),
            Arg::Int(claim.episode),
            Arg::Int(claim.claims),
        ],
    )
    .await?;
    Ok(())
}
