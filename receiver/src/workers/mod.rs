//! The loops that claim work from the store and call a pure decision of the library: the
//! poller (gaps, `GET /connection/{id}/details`) and the sweeper (every connection of the
//! configured companies, `GET /connection/company/{companyId}`, page by page), and the
//! pusher (every outbox entry to the integrator's app), and the actions worker (reconnect
//! invitations and account confirmations on Nectar's API).

pub(crate) mod act;
pub(crate) mod poll;
pub(crate) mod push;
pub(crate) mod sweep;

use core::time::Duration;

use jiff::{SignedDuration, Timestamp};

/// `now + delay`, saturating at the end of time.
pub(crate) fn later(now: Timestamp, delay: Duration) -> Timestamp {
    now.saturating_add(SignedDuration::try_from(delay).unwrap_or(SignedDuration::MAX))
        .unwrap_or(Timestamp::MAX)
}

/// When a worker's loop last went round: readiness (`GET /readyz`) reads it. Cheap to
/// clone (the clones share it).
#[derive(Debug, Clone, Default)]
pub struct Heartbeat(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl Heartbeat {
    /// The loop went round at `now`.
    pub(crate) fn beat(&self, now: Timestamp) {
        self.0
            .store(now.as_millisecond(), std::sync::atomic::Ordering::Relaxed);
    }

    /// When it last went round; `None` if it never did.
    #[must_use]
    pub fn last(&self) -> Option<Timestamp> {
        let millis = self.0.load(std::sync::atomic::Ordering::Relaxed);
        (millis != 0)
            .then(|| Timestamp::from_millisecond(millis).ok())
            .flatten()
    }
}

/// What `GET /readyz` watches: the poller's and the sweeper's heartbeats, and the client of
/// Nectar's API (whether the last call was refused for its key).
#[derive(Debug, Clone)]
pub(crate) struct Probes {
    /// The poller's.
    pub(crate) poller: Heartbeat,
    /// The sweeper's; `None` when sweeps are off.
    pub(crate) sweeper: Option<Heartbeat>,
    /// The client every worker shares.
    pub(crate) client: crate::nectar::NectarClient,
    /// How long a loop may go without a round before the instance is not ready.
    pub(crate) stale_after: Duration,
}
