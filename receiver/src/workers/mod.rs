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
