//! The receiver's metrics: their names, their labels, and a Prometheus registry per
//! receiver ([`Metrics`]), rendered as Prometheus text by `GET /metrics` on `METRICS_ADDR`.
//!
//! * **Names** follow Prometheus's conventions: the prefix `nectar_receiver_`, base units
//!   (`_seconds`), `_total` on every counter.
//! * **Labels** take values from bounded sets only: a decision, a refusal's reason, a route
//!   *template* (`/connections/{id}`, never the path requested), a method, a status code, an
//!   endpoint's name, a configured company. No connection id, invitation id, entry id or
//!   anything else a request or Nectar chooses is ever a label value: a label value is a
//!   time series kept forever, and an id per connection would be one per connection.
//! * **One registry per receiver**, not the `metrics` facade's process-wide recorder: a
//!   process may run several receivers (the test suites start one per test, in parallel),
//!   and each `GET /metrics` shows its own receiver's figures, exactly. The registry is the
//!   exporter's `PrometheusRecorder`, fed through the facade's types ([`Recorder`], [`Key`],
//!   [`Label`]) without being installed globally. A receiver without `METRICS_ADDR` records
//!   nothing ([`Metrics::off`]).
//! * **Scrape-time gauges** (poll jobs due, the outbox not yet pushed) are not recorded
//!   here: they are read from the database at each scrape ([`Store::stats`]) and written
//!   after the registry's text by [`render_stats`], so that a scrape whose query failed
//!   shows none of them rather than stale values.
//!
//! [`Store::stats`]: crate::Store::stats

use core::fmt::{self, Write as _};
use core::time::Duration;
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use metrics::{Key, KeyName, Label, Level, Metadata, Recorder, SharedString};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusRecorder};
use nectar_lifecycle::webhook::{Decision, DecisionOutcome};
use strum::IntoEnumIterator as _;

use crate::store::Stats;

/// Deliveries to `POST /webhooks/nectar`, by outcome, with the reason of a refusal.
pub(crate) const DELIVERIES: &str = "nectar_receiver_deliveries_total";
/// The time to answer a request, by route template, method and status.
pub(crate) const HTTP_REQUEST_DURATION: &str = "nectar_receiver_http_request_duration_seconds";
/// Requests sent to Nectar's API, by endpoint and status.
pub(crate) const NECTAR_API_REQUESTS: &str = "nectar_receiver_nectar_api_requests_total";
/// How long sweeps took, by company and result.
pub(crate) const SWEEP_DURATION: &str = "nectar_receiver_sweep_duration_seconds";
/// Connections listed by complete sweeps, by company.
pub(crate) const SWEEP_LISTED: &str = "nectar_receiver_sweep_connections_listed_total";
/// Stored connections that complete sweeps did not list, by company.
pub(crate) const SWEEP_NOT_LISTED: &str = "nectar_receiver_sweep_connections_not_listed_total";
/// Push attempts to the integrator's app, by result.
pub(crate) const PUSH_ATTEMPTS: &str = "nectar_receiver_push_attempts_total";
/// Reconnect invitations created, adopted and revoked.
pub(crate) const INVITATIONS: &str = "nectar_receiver_invitations_total";
/// Detected accounts decided, by outcome.
pub(crate) const ACCOUNT_CONFIRMATIONS: &str = "nectar_receiver_account_confirmations_total";
/// Action steps that ended on a failed call (tried again after a backoff), by action.
pub(crate) const ACTION_FAILURES: &str = "nectar_receiver_action_failures_total";

/// Poll jobs pending, due or not (scrape time).
pub(crate) const POLL_JOBS_PENDING: &str = "nectar_receiver_poll_jobs_pending";
/// Poll jobs due now (scrape time).
pub(crate) const POLL_JOBS_DUE: &str = "nectar_receiver_poll_jobs_due";
/// How long the most overdue poll job has been due (scrape time).
pub(crate) const POLL_JOB_OLDEST_DUE_AGE: &str = "nectar_receiver_poll_job_oldest_due_age_seconds";
/// Outbox entries not yet pushed (scrape time, push on).
pub(crate) const OUTBOX_PENDING: &str = "nectar_receiver_outbox_pending_entries";
/// The age of the oldest entry not yet pushed (scrape time, push on).
pub(crate) const OUTBOX_OLDEST_PENDING_AGE: &str =
    "nectar_receiver_outbox_oldest_pending_age_seconds";
/// Outbox entries whose every attempt failed: the dead letters (scrape time, push on).
pub(crate) const OUTBOX_FAILED: &str = "nectar_receiver_outbox_failed_entries";

/// The buckets of the request latency (seconds): Svix gives 15 s, the request timeout is
/// 10 s by default.
const HTTP_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0,
];
/// The buckets of a sweep's duration (seconds): a page a second for small companies, many
/// minutes for large ones.
const SWEEP_BUCKETS: [f64; 11] = [
    0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0,
];

/// What every metric is registered with (the exporter does not read it).
const METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// What became of a delivery to `POST /webhooks/nectar`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Recorded and applied: the record changed.
    Applied,
    /// Recorded: already seen.
    Duplicate,
    /// Recorded: older than the stored record.
    Stale,
    /// Recorded: a gap, a poll job scheduled.
    Gap,
    /// Authentic, of an event type the receiver does not act on: acknowledged.
    Ignored,
    /// Not recorded: answered 4xx or 5xx, for this reason.
    Refused(RefusalReason),
}

impl Delivery {
    /// The outcome of a recorded delivery.
    pub(crate) fn of(decision: &Decision) -> Self {
        match decision {
            Decision::Apply(_) => Self::Applied,
            Decision::Duplicate(_) => Self::Duplicate,
            Decision::Stale { .. } => Self::Stale,
            Decision::Gap(_) => Self::Gap,
            // The store refuses it (`StoreError::WrongRecord`) before answering.
            Decision::OtherConnection { .. } => Self::Refused(RefusalReason::StorageError),
        }
    }

    fn labels(self) -> Vec<Label> {
        let outcome = match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Stale => "stale",
            Self::Gap => "gap",
            Self::Ignored => "ignored",
            Self::Refused(reason) => {
                return vec![
                    Label::from_static_parts("outcome", "refused"),
                    Label::new("reason", <&'static str>::from(reason)),
                ];
            }
        };
        vec![Label::from_static_parts("outcome", outcome)]
    }
}

/// Why a delivery was refused: a bounded set, the `reason` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub(crate) enum RefusalReason {
    /// Over the body limit (413).
    TooLarge,
    /// The body could not be read (400).
    Unreadable,
    /// No webhook secret is configured (401).
    NoSecret,
    /// The signature did not verify (401).
    Unverified,
    /// Verified, but not a webhook body (400).
    Malformed,
    /// The database is out of reach or busy (503: Svix retries).
    Unavailable,
    /// The database failed otherwise (500).
    StorageError,
    /// The request timeout passed, or the client hung up, before the delivery was recorded
    /// (503 when answered).
    Timeout,
}

/// An endpoint of Nectar's API: the `endpoint` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub(crate) enum Endpoint {
    /// `GET /connection/{id}/details`.
    Details,
    /// `GET /connection/company/{companyId}`.
    CompanyList,
    /// `POST /invitation/...`.
    InvitationCreate,
    /// `POST /invitation/{invitationId}/revoke`.
    InvitationRevoke,
    /// `GET /invitation/company/{companyId}`.
    InvitationList,
    /// `PATCH /connection/{connectionId}/status`.
    AccountDecision,
}

/// How a push attempt ended: the `result` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub(crate) enum PushResult {
    /// The app answered 2xx.
    Delivered,
    /// It failed; another attempt is scheduled.
    Failed,
    /// The last attempt of the schedule failed: the entry is marked failed.
    DeadLetter,
}

/// How a sweep ended: the `result` label, and what a complete one counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SweepEnded {
    /// Every page read: connections listed, and stored ones not listed.
    Complete {
        /// Connections listed.
        listed: usize,
        /// Stored connections not listed.
        not_listed: usize,
    },
    /// The service was stopping.
    Stopped,
    /// Another instance took the sweep over.
    LeaseLost,
    /// A call or the store failed.
    Failed,
}

/// What happened to a reconnect invitation: the `action` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub(crate) enum InvitationAction {
    /// Created by this receiver (Nectar answered it).
    Created,
    /// Found in Nectar's list and recorded (after a create whose answer was lost).
    Adopted,
    /// Revoked by this receiver (Nectar answered it).
    Revoked,
}

/// An action worked on by the actions worker: the `action` label of failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub(crate) enum ActionKind {
    /// A reconnect invitation's step.
    Invitation,
    /// An account confirmation's step.
    Confirmation,
}

/// The receiver's metrics: a registry of its own, or nothing at all ([`Metrics::off`], the
/// default). Cheap to clone: clones share the registry.
#[derive(Clone, Default)]
pub struct Metrics(Option<Arc<PrometheusRecorder>>);

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics")
            .field("on", &self.0.is_some())
            .finish()
    }
}

impl Metrics {
    /// A registry that records, every counter of a bounded label set at 0 from the start
    /// (so that `rate()` sees the first increment).
    #[must_use]
    pub fn new() -> Self {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_REQUEST_DURATION.into()), &HTTP_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full(SWEEP_DURATION.into()), &SWEEP_BUCKETS)
            });
        let builder = match builder {
            Ok(builder) => builder,
            // Only for an empty list of buckets, which the constants are not.
            Err(err) => {
                tracing::error!(error = %err, "metrics: the histogram buckets were refused");
                PrometheusBuilder::new()
            }
        };
        let metrics = Self(Some(Arc::new(builder.build_recorder())));
        metrics.describe();
        for outcome in [
            Delivery::Applied,
            Delivery::Duplicate,
            Delivery::Stale,
            Delivery::Gap,
            Delivery::Ignored,
        ]
        .into_iter()
        .chain(RefusalReason::iter().map(Delivery::Refused))
        {
            metrics.add(DELIVERIES, outcome.labels(), 0);
        }
        for result in PushResult::iter() {
            metrics.add(PUSH_ATTEMPTS, label("result", result.into()), 0);
        }
        for action in InvitationAction::iter() {
            metrics.add(INVITATIONS, label("action", action.into()), 0);
        }
        for outcome in DecisionOutcome::iter() {
            metrics.add(ACCOUNT_CONFIRMATIONS, label("outcome", outcome.into()), 0);
        }
        for action in ActionKind::iter() {
            metrics.add(ACTION_FAILURES, label("action", action.into()), 0);
        }
        metrics
    }

    /// Records nothing, renders nothing: for parts run outside a receiver with
    /// `METRICS_ADDR` (tests, benchmarks).
    #[must_use]
    pub fn off() -> Self {
        Self(None)
    }

    /// Whether it records.
    #[must_use]
    pub fn is_on(&self) -> bool {
        self.0.is_some()
    }

    /// Every recorded metric as Prometheus text (version 0.0.4); empty when off.
    #[must_use]
    pub fn render(&self) -> String {
        self.0
            .as_ref()
            .map_or_else(String::new, |recorder| recorder.handle().render())
    }

    /// Folds the latency samples recorded since the last call into their histograms: run
    /// every few seconds, so that memory stays bounded between scrapes (or without any).
    pub fn run_upkeep(&self) {
        if let Some(recorder) = &self.0 {
            recorder.handle().run_upkeep();
        }
    }

    /// The counters of `companies`' sweeps at 0 (the companies are bounded by the
    /// configuration).
    pub(crate) fn sweeping(&self, companies: &[String]) {
        for company in companies {
            let labels = || vec![Label::new("company", company.clone())];
            self.add(SWEEP_LISTED, labels(), 0);
            self.add(SWEEP_NOT_LISTED, labels(), 0);
        }
    }

    /// A delivery ended so.
    pub(crate) fn delivery(&self, delivery: Delivery) {
        self.add(DELIVERIES, delivery.labels(), 1);
    }

    /// A request to `route` (the matched route's template, `unmatched` for none) was
    /// answered `status` after `elapsed`.
    pub(crate) fn request(
        &self,
        route: &str,
        method: &Method,
        status: StatusCode,
        elapsed: Duration,
    ) {
        let Some(recorder) = &self.0 else {
            return;
        };
        let labels = vec![
            Label::new("route", route.to_owned()),
            Label::from_static_parts("method", method_name(method)),
            Label::new("status", status.as_u16().to_string()),
        ];
        recorder
            .register_histogram(&Key::from_parts(HTTP_REQUEST_DURATION, labels), &METADATA)
            .record(elapsed.as_secs_f64());
    }

    /// A request to Nectar's `endpoint` was answered `status` (`None`: it failed on the
    /// wire, `error`).
    pub(crate) fn nectar_call(&self, endpoint: Endpoint, status: Option<u16>) {
        let status = status.map_or(SharedString::const_str("error"), |status| {
            SharedString::from(status.to_string())
        });
        let labels = vec![
            Label::from_static_parts("endpoint", endpoint.into()),
            Label::new("status", status),
        ];
        self.add(NECTAR_API_REQUESTS, labels, 1);
    }

    /// The sweep of `company` ended so after `elapsed`.
    pub(crate) fn sweep(&self, company: &str, ended: SweepEnded, elapsed: Duration) {
        let Some(recorder) = &self.0 else {
            return;
        };
        let result = match ended {
            SweepEnded::Complete { .. } => "complete",
            SweepEnded::Stopped => "stopped",
            SweepEnded::LeaseLost => "lease_lost",
            SweepEnded::Failed => "failed",
        };
        let labels = vec![
            Label::new("company", company.to_owned()),
            Label::from_static_parts("result", result),
        ];
        recorder
            .register_histogram(&Key::from_parts(SWEEP_DURATION, labels), &METADATA)
            .record(elapsed.as_secs_f64());
        if let SweepEnded::Complete { listed, not_listed } = ended {
            let labels = || vec![Label::new("company", company.to_owned())];
            self.add(SWEEP_LISTED, labels(), as_u64(listed));
            self.add(SWEEP_NOT_LISTED, labels(), as_u64(not_listed));
        }
    }

    /// A push attempt ended so.
    pub(crate) fn push_attempt(&self, result: PushResult) {
        self.add(PUSH_ATTEMPTS, label("result", result.into()), 1);
    }

    /// A reconnect invitation was created, adopted or revoked.
    pub(crate) fn invitation(&self, action: InvitationAction) {
        self.add(INVITATIONS, label("action", action.into()), 1);
    }

    /// Detected accounts were decided so.
    pub(crate) fn confirmation(&self, outcome: DecisionOutcome) {
        self.add(ACCOUNT_CONFIRMATIONS, label("outcome", outcome.into()), 1);
    }

    /// A step of `action` ended on a failed call.
    pub(crate) fn action_failed(&self, action: ActionKind) {
        self.add(ACTION_FAILURES, label("action", action.into()), 1);
    }

    fn add(&self, name: &'static str, labels: Vec<Label>, by: u64) {
        if let Some(recorder) = &self.0 {
            recorder
                .register_counter(&Key::from_parts(name, labels), &METADATA)
                .increment(by);
        }
    }

    fn describe(&self) {
        let Some(recorder) = &self.0 else {
            return;
        };
        let counter = |name: &'static str, help: &'static str| {
            recorder.describe_counter(KeyName::from_const_str(name), None, help.into());
        };
        counter(
            DELIVERIES,
            "Deliveries to POST /webhooks/nectar by outcome (applied, duplicate, stale, gap, ignored, refused) and, for a refusal, its reason.",
        );
        counter(
            NECTAR_API_REQUESTS,
            "Requests sent to Nectar's API (each attempt) by endpoint and status code (error: failed on the wire).",
        );
        counter(
            SWEEP_LISTED,
            "Connections listed by complete sweeps, by company.",
        );
        counter(
            SWEEP_NOT_LISTED,
            "Stored connections that complete sweeps did not list, by company (each sweep counts its own).",
        );
        counter(
            PUSH_ATTEMPTS,
            "Push attempts to the integrator's app by result (delivered, failed and retried later, dead_letter).",
        );
        counter(
            INVITATIONS,
            "Reconnect invitations created, adopted (found after a lost answer) and revoked by this receiver.",
        );
        counter(
            ACCOUNT_CONFIRMATIONS,
            "Detected accounts decided, by outcome (confirmed by this receiver, decided_elsewhere).",
        );
        counter(
            ACTION_FAILURES,
            "Action steps that ended on a failed call and are tried again after a backoff, by action.",
        );
        recorder.describe_histogram(
            KeyName::from_const_str(HTTP_REQUEST_DURATION),
            None,
            "Time to answer a request, by route template, method and status code.".into(),
        );
        recorder.describe_histogram(
            KeyName::from_const_str(SWEEP_DURATION),
            None,
            "Duration of sweeps by company and result (complete, failed, lease_lost, stopped)."
                .into(),
        );
    }
}

/// One label.
fn label(key: &'static str, value: &'static str) -> Vec<Label> {
    vec![Label::from_static_parts(key, value)]
}

/// A method as a bounded label value: the standard ones, `other` for anything else.
fn method_name(method: &Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Writes the scrape-time gauges of `stats` (read at `stats.at`) after the registry's
/// text; the outbox's only when they were read (push on).
pub(crate) fn render_stats(out: &mut String, stats: &Stats) {
    let age = |since: Option<jiff::Timestamp>| {
        since.map_or(0.0, |since| {
            stats.at.duration_since(since).as_secs_f64().max(0.0)
        })
    };
    gauge(
        out,
        POLL_JOBS_PENDING,
        "Poll jobs pending (gaps not closed yet), due or not.",
        stats.poll_jobs as f64,
    );
    gauge(
        out,
        POLL_JOBS_DUE,
        "Poll jobs due now, not claimed by a poller.",
        stats.poll_jobs_due as f64,
    );
    gauge(
        out,
        POLL_JOB_OLDEST_DUE_AGE,
        "How long the most overdue poll job has been due, in seconds (0 with none due).",
        age(stats.oldest_due_poll),
    );
    if let Some(outbox) = &stats.outbox {
        gauge(
            out,
            OUTBOX_PENDING,
            "Outbox entries not yet pushed to the integrator's app (in flight included).",
            outbox.pending as f64,
        );
        gauge(
            out,
            OUTBOX_OLDEST_PENDING_AGE,
            "Age of the oldest outbox entry not yet pushed, in seconds (0 with none).",
            age(outbox.oldest_pending),
        );
        gauge(
            out,
            OUTBOX_FAILED,
            "Outbox entries whose every push attempt failed (the dead letters), until redelivered.",
            outbox.failed as f64,
        );
    }
}

fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    // Writing to a String cannot fail.
    let _infallible = write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n\n"
    );
}

/// How often [`Metrics::run_upkeep`] runs.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Runs [`Metrics::run_upkeep`] every few seconds until `shutdown` turns true (or its sender
/// is dropped).
pub(crate) async fn upkeep(metrics: Metrics, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(UPKEEP_EVERY) => metrics.run_upkeep(),
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    return;
                }
            }
        }
    }
}
