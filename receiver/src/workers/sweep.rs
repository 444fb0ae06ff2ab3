//! The sweeper: every connection of each configured company, listed page by page and
//! reconciled like a polled snapshot, so that the records are right without webhooks, and
//! right again after webhooks that were missed.

use std::collections::HashSet;

use jiff::Timestamp;
use nectar_lifecycle::webhook::{CompanyListQuery, Decision, Sweep, SweepEnd, SweepError};
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::Sweeping;
use crate::nectar::{FetchError, NectarClient};
use crate::store::{Store, StoreError, SweepClaim};
use crate::telemetry::SweepEnded;
use crate::workers::{Heartbeat, later};

/// The most sweeps an instance runs at once (of different companies): as many as the
/// requests Nectar allows in flight, so that the in-flight limit, not a queue of sweeps, is
/// what bounds the calls.
pub const MAX_CONCURRENT_SWEEPS: usize = crate::config::MAX_REQUESTS_IN_FLIGHT as usize;

/// Sweeps the configured companies: each once at start, then every
/// [`Sweeping::interval`]; one sweep per company at a time across instances (a lease in the
/// database), several companies at once, every call through the one [`NectarClient`].
#[derive(Debug, Clone)]
pub struct Sweeper {
    store: Store,
    client: NectarClient,
    sweeping: Sweeping,
    heartbeat: Heartbeat,
}

/// What one complete sweep of a company did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    /// The company.
    pub company_id: String,
    /// Pages read.
    pub pages: u32,
    /// Connections listed, each counted once.
    pub listed: usize,
    /// Listed connections whose record changed (applied).
    pub applied: usize,
    /// Outbox entries appended.
    pub appended: usize,
    /// Stored connections of the company that the sweep did not list: kept, and marked.
    pub not_listed: Vec<String>,
    /// Whether the list shrank while it was read (a page asked for was past the end).
    pub past_the_end: bool,
}

/// Why a sweep did not complete. It is tried again: after a backoff for a failure of
/// Nectar's API, once its lease ends for a failure of the database.
#[derive(Debug, thiserror::Error)]
pub enum SweepFailed {
    /// A page could not be read from Nectar's API.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// Nectar answered a page the sweep cannot take.
    #[error(transparent)]
    Page(#[from] SweepError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another instance took the sweep over (this one's lease had ended).
    #[error("the sweep's lease was taken over by another instance")]
    LeaseLost,
    /// The service is stopping.
    #[error("the service is stopping")]
    Stopped,
}

impl Sweeper {
    /// A sweeper of `sweeping.companies` on `store`, calling Nectar's API through `client`.
    #[must_use]
    pub fn new(sweeping: Sweeping, store: Store, client: NectarClient) -> Self {
        Self {
            store,
            client,
            sweeping,
            heartbeat: Heartbeat::default(),
        }
    }

    /// Its heartbeat: beats every time its loop looks for due sweeps (`GET /readyz` reads
    /// it).
    #[must_use]
    pub fn heartbeat(&self) -> Heartbeat {
        self.heartbeat.clone()
    }

    /// Sweeps until `shutdown` turns true (or its sender is dropped): makes every company's
    /// sweep due at once, then every [`Sweeping::check_every`] starts those that are due
    /// and not running. A sweep notices a shutdown between pages, and is then due again at
    /// once. Without companies, returns at once.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        if self.sweeping.companies.is_empty() {
            return;
        }
        let mut scheduled = false;
        let mut running = JoinSet::new();
        let mut busy: HashSet<String> = HashSet::new();
        loop {
            self.heartbeat.beat(Timestamp::now());
            while let Some(done) = running.try_join_next() {
                if let Ok(company) = done {
                    busy.remove(&company);
                }
            }
            if !scheduled {
                match self
                    .store
                    .schedule_sweeps(&self.sweeping.companies, Timestamp::now())
                    .await
                {
                    Ok(()) => scheduled = true,
                    Err(err) => {
                        tracing::warn!(error = %err, "sweeper: storage failed; trying again later");
                    }
                }
            }
            if scheduled {
                for company in &self.sweeping.companies {
                    if busy.contains(company) {
                        continue;
                    }
                    if busy.len() >= MAX_CONCURRENT_SWEEPS {
                        break;
                    }
                    match self.claim(company).await {
                        Ok(Some(claim)) => {
                            busy.insert(company.clone());
                            let sweeper = self.clone();
                            let stop = shutdown.clone();
                            let company = company.clone();
                            running.spawn(async move {
                                let stopping = || *stop.borrow();
                                // How it ended is logged and recorded by `sweep_claimed`.
                                let _ended = sweeper.sweep_claimed(claim, stopping).await;
                                company
                            });
                        }
                        Ok(None) => {}
                        Err(err) => {
                            tracing::warn!(error = %err, "sweeper: storage failed; trying again later");
                        }
                    }
                }
            }
            tokio::select! {
                () = tokio::time::sleep(self.sweeping.check_every) => {}
                changed = shutdown.changed() => {
                    if changed.is_err() || *shutdown.borrow() {
                        break;
                    }
                }
            }
        }
        // Each running sweep stops between pages and releases its company.
        while running.join_next().await.is_some() {}
    }

    /// Claims and runs every sweep due now, concurrently, until each ends; returns what
    /// each did or why it failed, by company.
    ///
    /// # Errors
    /// [`StoreError`] when a sweep cannot be claimed.
    pub async fn sweep_due(
        &self,
    ) -> Result<Vec<(String, Result<SweepReport, SweepFailed>)>, StoreError> {
        let mut running = JoinSet::new();
        let mut reports = Vec::new();
        for company in &self.sweeping.companies {
            if running.len() >= MAX_CONCURRENT_SWEEPS {
                // The next sweep to end makes room.
                if let Some(Ok(report)) = running.join_next().await {
                    reports.push(report);
                }
            }
            if let Some(claim) = self.claim(company).await? {
                let sweeper = self.clone();
                running.spawn(async move {
                    let company = claim.company_id.clone();
                    (company, sweeper.sweep_claimed(claim, || false).await)
                });
            }
        }
        while let Some(done) = running.join_next().await {
            if let Ok(report) = done {
                reports.push(report);
            }
        }
        reports.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(reports)
    }

    async fn claim(&self, company: &str) -> Result<Option<SweepClaim>, StoreError> {
        self.store
            .claim_sweep(company, Timestamp::now(), self.sweeping.lease)
            .await
    }

    /// Runs the sweep of `claim` and records how it ended: the next sweep due an interval
    /// after this one started, or after a backoff if it failed.
    async fn sweep_claimed(
        &self,
        claim: SweepClaim,
        stopping: impl Fn() -> bool,
    ) -> Result<SweepReport, SweepFailed> {
        let company = claim.company_id.as_str();
        let started = tokio::time::Instant::now();
        let outcome = self.sweep(&claim, stopping).await;
        let ended = match &outcome {
            Ok(report) => SweepEnded::Complete {
                listed: report.listed,
                not_listed: report.not_listed.len(),
            },
            Err(SweepFailed::Stopped) => SweepEnded::Stopped,
            Err(SweepFailed::LeaseLost) => SweepEnded::LeaseLost,
            Err(SweepFailed::Fetch(_) | SweepFailed::Page(_) | SweepFailed::Store(_)) => {
                SweepEnded::Failed
            }
        };
        self.client
            .metrics()
            .sweep(company, ended, started.elapsed());
        let err = match &outcome {
            Ok(report) => {
                tracing::info!(
                    company,
                    pages = report.pages,
                    listed = report.listed,
                    applied = report.applied,
                    appended = report.appended,
                    not_listed = report.not_listed.len(),
                    "sweep complete"
                );
                return outcome;
            }
            Err(err) => err,
        };
        let now = Timestamp::now();
        let (due, error) = match err {
            SweepFailed::LeaseLost | SweepFailed::Store(_) => {
                tracing::warn!(company, error = %err, "sweep stopped; it is due again when its lease ends");
                return outcome;
            }
            // Not a failure: due again at once.
            SweepFailed::Stopped => (now, None),
            SweepFailed::Fetch(_) | SweepFailed::Page(_) => {
                let failures = u32::try_from(claim.failures)
                    .unwrap_or(u32::MAX)
                    .saturating_add(1);
                let asked = match err {
                    SweepFailed::Fetch(fetch) => fetch.retry_after(),
                    _ => None,
                };
                let delay = self
                    .sweeping
                    .retry_after(failures)
                    .max(asked.unwrap_or_default());
                if matches!(err, SweepFailed::Fetch(fetch) if fetch.is_key_problem()) {
                    // Once per sweep: the sweep stops at the first refusal.
                    tracing::error!(
                        company,
                        error = %err,
                        retry_in = ?delay,
                        "sweep stopped: Nectar's API cannot be called with this key; set NECTAR_API_KEY to a valid key"
                    );
                } else {
                    tracing::warn!(company, error = %err, retry_in = ?delay, "sweep failed; retrying with backoff");
                }
                (later(now, delay), Some(err.to_string()))
            }
        };
        if let Err(store) = self.store.fail_sweep(&claim, due, error.as_deref()).await {
            tracing::warn!(company, error = %store, "sweeper: storage failed; the sweep is due again when its lease ends");
        }
        outcome
    }

    /// Lists every page of the company of `claim` and records each connection listed.
    async fn sweep(
        &self,
        claim: &SweepClaim,
        stopping: impl Fn() -> bool,
    ) -> Result<SweepReport, SweepFailed> {
        let company = claim.company_id.as_str();
        let query = CompanyListQuery::new(company).per_page(self.sweeping.page_limit);
        let mut sweep = Sweep::new(query);
        let mut report = SweepReport {
            company_id: company.to_owned(),
            pages: 0,
            listed: 0,
            applied: 0,
            appended: 0,
            not_listed: Vec::new(),
            past_the_end: false,
        };
        while let Some(query) = sweep.request() {
            if stopping() {
                return Err(SweepFailed::Stopped);
            }
            let page = self.client.company_page(&query).await?;
            for connection in sweep.take(page)? {
                let outcome = self
                    .store
                    .observe_listed(&connection, company, Timestamp::now())
                    .await?;
                if matches!(outcome.decision, Decision::Apply(_)) {
                    report.applied += 1;
                }
                report.appended += outcome.appended.len();
            }
            let renewed = self
                .store
                .renew_sweep(claim, Timestamp::now(), self.sweeping.lease)
                .await?;
            if !renewed {
                return Err(SweepFailed::LeaseLost);
            }
        }
        report.pages = sweep.pages();
        report.listed = sweep.listed().len();
        report.past_the_end = matches!(sweep.end(), Some(SweepEnd::PastTheEnd { .. }));
        let now = Timestamp::now();
        let next = later(claim.started_at, self.sweeping.interval);
        report.not_listed = self
            .store
            .finish_sweep(claim, report.listed, now, next)
            .await?
            .ok_or(SweepFailed::LeaseLost)?;
        Ok(report)
    }
}
