//! The actions worker: keeps one reconnect invitation active through each credential-error
//! episode and confirms detected accounts once per detection, by the webhook crate's pure
//! decisions ([`invitation_step_of`], [`decision_step`]): look first, then act; after an
//! answer that may have been lost, look again, never resend (receiver/README.md,
//! "Actions").

use jiff::Timestamp;
use nectar_lifecycle::webhook::{
    AccountDecision, CreateInvitation, DecisionOutcome, DecisionStep, Episode, InvitationPayload,
    InvitationStep, InvitationTarget, Recorded, decision_step, invitation_step_of,
};
use tokio::sync::watch;

use crate::config::Actions;
use crate::nectar::{FetchError, NectarClient};
use crate::store::{DecisionClaim, EpisodeClaim, Store, StoreError};
use crate::telemetry::{ActionKind, InvitationAction};
use crate::workers::later;

/// The most steps one claim runs before it is given up until its backoff: a look and an act
/// each, so a few rounds of lost answers.
const MAX_STEPS: usize = 16;

/// Claims due steps of episodes and detections and runs them against Nectar's API.
#[derive(Debug, Clone)]
pub struct ActionWorker {
    store: Store,
    client: NectarClient,
    actions: Actions,
}

/// Why a claim's run ended without recording its result: the failed call, retried after the
/// backoff.
type Failed = String;

impl ActionWorker {
    /// A worker on `store`, calling Nectar's API through `client`, for the `actions` on.
    #[must_use]
    pub fn new(actions: Actions, store: Store, client: NectarClient) -> Self {
        Self {
            store,
            client,
            actions,
        }
    }

    /// Works until `shutdown` turns true (or its sender is dropped): every due step, then
    /// waits `check_every`. Idle when no action is on.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        if !self.actions.any() {
            return;
        }
        loop {
            let stopping = || *shutdown.borrow();
            if let Err(err) = self.work_due_unless(stopping, Timestamp::now).await {
                tracing::warn!(error = %err, "actions: storage failed; trying again later");
            }
            tokio::select! {
                () = tokio::time::sleep(self.actions.check_every) => {}
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        return;
                    }
                }
            }
        }
    }

    /// Runs every step due now, one claim at a time; returns how many claims ran.
    ///
    /// # Errors
    /// [`StoreError`] when a step cannot be claimed or recorded; a failed call is not an
    /// error (the step is tried again after its backoff).
    pub async fn work_due(&self) -> Result<usize, StoreError> {
        self.work_due_unless(|| false, Timestamp::now).await
    }

    /// [`ActionWorker::work_due`] as if the time were `now` throughout: which steps are due,
    /// which invitations have expired. For tests that cannot wait days.
    ///
    /// # Errors
    /// As [`ActionWorker::work_due`].
    pub async fn work_due_at(&self, now: Timestamp) -> Result<usize, StoreError> {
        self.work_due_unless(|| false, || now).await
    }

    async fn work_due_unless(
        &self,
        stopping: impl Fn() -> bool,
        clock: impl Fn() -> Timestamp,
    ) -> Result<usize, StoreError> {
        let mut ran = 0;
        // An episode is worked on at most once per round: one whose result is due again at
        // once (an invitation already past its expiry by this clock) waits for the next.
        let mut worked = std::collections::HashSet::new();
        let mut episodes = true;
        while !stopping() {
            let now = clock();
            if episodes
                && let Some(claim) = self.store.claim_episode(now, self.actions.lease).await?
            {
                if worked.insert((claim.connection_id.clone(), claim.episode)) {
                    ran += 1;
                    self.episode(claim, &clock).await?;
                } else {
                    self.store.release_episode(&claim).await?;
                    episodes = false;
                }
                continue;
            }
            if let Some(claim) = self.store.claim_decision(now, self.actions.lease).await? {
                ran += 1;
                self.decision(claim, &clock).await?;
                continue;
            }
            break;
        }
        Ok(ran)
    }

    /// Runs one claimed episode until it records a result or a call fails.
    async fn episode(
        &self,
        claim: EpisodeClaim,
        clock: &impl Fn() -> Timestamp,
    ) -> Result<(), StoreError> {
        let mut claim = claim;
        match self.episode_steps(&mut claim, clock).await? {
            None => Ok(()),
            Some(error) => {
                let now = clock();
                let due = self.retry_at(claim.failures, now);
                tracing::warn!(
                    connection = claim.connection_id,
                    episode = claim.episode,
                    error,
                    "actions: reconnect invitation step failed; trying again later"
                );
                self.client.metrics().action_failed(ActionKind::Invitation);
                self.store.episode_failed(&claim, &error, due, now).await
            }
        }
    }

    async fn episode_steps(
        &self,
        claim: &mut EpisodeClaim,
        clock: &impl Fn() -> Timestamp,
    ) -> Result<Option<Failed>, StoreError> {
        let id = claim.connection_id.clone();
        let mut state = claim.state;
        let mut listed: Option<Vec<InvitationPayload>> = None;
        for _ in 0..MAX_STEPS {
            let now = clock();
            let recorded = claim.invitation.as_ref().map(|i| Recorded {
                id: &i.id,
                expires_at: i.expires_at,
            });
            let step = invitation_step_of(&id, state, recorded, listed.as_deref(), now);
            match step {
                InvitationStep::Look => {
                    let Some(company) = self.store.company_of(&id).await? else {
                        return Ok(Some(
                            "the connection's company is not known yet (no observation named it)"
                                .to_owned(),
                        ));
                    };
                    match self.client.company_invitations(&company).await {
                        Ok(list) => listed = Some(list),
                        Err(err) => return Ok(Some(failed(&err))),
                    }
                }
                InvitationStep::Create => {
                    let request = self.request();
                    let target = InvitationTarget::Connection(&id);
                    match self.client.create_invitation(target, &request).await {
                        Ok(invitation) => {
                            self.client.metrics().invitation(InvitationAction::Created);
                            self.store
                                .record_invitation(claim, &invitation, clock())
                                .await?;
                            tracing::info!(
                                connection = id,
                                invitation = invitation.id,
                                "actions: reconnect invitation created"
                            );
                            return Ok(None);
                        }
                        // It may have been done: look again, never resend.
                        Err(FetchError::Uncertain { .. }) => listed = None,
                        Err(err) => return Ok(Some(failed(&err))),
                    }
                }
                InvitationStep::Adopt(invitation) => {
                    self.store.record_invitation(claim, invitation, now).await?;
                    self.client.metrics().invitation(InvitationAction::Adopted);
                    tracing::info!(
                        connection = id,
                        invitation = invitation.id,
                        "actions: reconnect invitation adopted"
                    );
                    return Ok(None);
                }
                InvitationStep::Revoke(invitation) => {
                    let invitation = invitation.id.clone();
                    let revoked = self.client.revoke_invitation(&invitation).await;
                    if revoked.is_ok() {
                        self.client.metrics().invitation(InvitationAction::Revoked);
                    }
                    match revoked {
                        Ok(()) | Err(FetchError::Uncertain { .. }) => listed = None,
                        Err(err) => return Ok(Some(failed(&err))),
                    }
                    tracing::info!(
                        connection = id,
                        invitation,
                        "actions: reconnect invitation revoked"
                    );
                }
                InvitationStep::Lapsed { status, replace } => {
                    let status = status.as_ref().map(|s| s.as_str().to_owned());
                    match self
                        .store
                        .invitation_lapsed(claim, status.as_deref(), replace)
                        .await?
                    {
                        Some(Episode::Wanted) => {
                            state = Episode::Wanted;
                            claim.invitation = None;
                        }
                        _ => return Ok(None),
                    }
                }
                InvitationStep::Done => {
                    match state {
                        Episode::Closing => self.store.episode_closed(claim).await?,
                        Episode::Active => {
                            let current = claim.invitation.as_ref().map(|i| i.id.as_str());
                            let expires_at = listed
                                .iter()
                                .flatten()
                                .find(|i| Some(i.id.as_str()) == current)
                                .map_or_else(
                                    || claim.invitation.as_ref().and_then(|i| i.expires_at),
                                    |i| i.expires_at,
                                );
                            self.store
                                .invitation_still_active(claim, expires_at)
                                .await?;
                        }
                        Episode::Wanted | Episode::Settled | Episode::Closed => {
                            self.store.release_episode(claim).await?;
                        }
                    }
                    return Ok(None);
                }
            }
        }
        Ok(Some(too_many_steps()))
    }

    /// When a step that failed after `failures` failures in a row is due again: the backoff
    /// of its next attempt after `now`.
    fn retry_at(&self, failures: i64, now: Timestamp) -> Timestamp {
        let attempt = u32::try_from(failures.saturating_add(1)).unwrap_or(u32::MAX);
        later(now, self.actions.backoff(attempt))
    }

    /// The body of a create: `expiresInSeconds` from `NECTAR_INVITATION_TTL`, one use.
    fn request(&self) -> CreateInvitation {
        CreateInvitation {
            expires_in_seconds: Some(self.actions.invitation_ttl.as_secs()),
            max_uses: Some(1),
            allowed_emails: Vec::new(),
            send_email: Some(self.actions.send_email),
        }
    }

    /// Runs one claimed detection until it records its outcome or a call fails.
    async fn decision(
        &self,
        claim: DecisionClaim,
        clock: &impl Fn() -> Timestamp,
    ) -> Result<(), StoreError> {
        let mut claim = claim;
        let error = match self.decision_steps(&mut claim, clock).await? {
            None => return Ok(()),
            Some(error) => error,
        };
        let due = self.retry_at(claim.failures, clock());
        tracing::warn!(
            connection = claim.connection_id,
            error,
            "actions: account confirmation failed; trying again later"
        );
        self.client
            .metrics()
            .action_failed(ActionKind::Confirmation);
        self.store.decision_failed(&claim, &error, due).await
    }

    async fn decision_steps(
        &self,
        claim: &mut DecisionClaim,
        clock: &impl Fn() -> Timestamp,
    ) -> Result<Option<Failed>, StoreError> {
        let id = claim.connection_id.clone();
        let mut details = None;
        for _ in 0..MAX_STEPS {
            match decision_step(details.as_ref(), claim.sent) {
                DecisionStep::Look => match self.client.details(&id).await {
                    Ok(connection) => details = Some(connection),
                    Err(err) => return Ok(Some(failed(&err))),
                },
                DecisionStep::Confirm => {
                    if !self.store.decision_sent(claim).await? {
                        // Another worker took the claim over.
                        return Ok(None);
                    }
                    match self
                        .client
                        .decide_accounts(&id, AccountDecision::Confirm)
                        .await
                    {
                        Ok(()) => {
                            self.done(claim, DecisionOutcome::Confirmed, clock())
                                .await?;
                            return Ok(None);
                        }
                        Err(FetchError::Uncertain { .. }) => details = None,
                        Err(err) => return Ok(Some(failed(&err))),
                    }
                }
                DecisionStep::Done(outcome) => {
                    self.done(claim, outcome, clock()).await?;
                    return Ok(None);
                }
            }
        }
        Ok(Some(too_many_steps()))
    }

    async fn done(
        &self,
        claim: &DecisionClaim,
        outcome: DecisionOutcome,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.store.decision_done(claim, outcome, now).await?;
        self.client.metrics().confirmation(outcome);
        tracing::info!(connection = claim.connection_id, %outcome, "actions: accounts decided");
        Ok(())
    }
}

/// A failed call, as the step's `last_error`.
fn failed(err: &FetchError) -> Failed {
    err.to_string()
}

/// A claim that ran [`MAX_STEPS`] steps without a result.
fn too_many_steps() -> Failed {
    format!("no result after {MAX_STEPS} steps (answers lost again and again)")
}
