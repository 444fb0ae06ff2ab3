//! Faults injected into a load run (`tests/support/load.rs`), each followed by the end-state
//! check of the load test: every record is Nectar's last state, every notification is in the
//! outbox exactly once.
//!
//! * `sigkill`: the real `nectar-receiver` binary, killed with SIGKILL in the middle of the
//!   run and restarted on the same database and port; every request that got no 2xx is
//!   redelivered, as Svix would.
//! * `sweep_kill`: the binary on polling alone, killed with SIGKILL in the middle of a sweep
//!   and restarted on the same database: the sweep is picked up again once the dead
//!   holder's lease ends, and the records end exact, each credential error notified once.
//! * `push_kill`: the binary pushing the outbox to a double of the integrator's app, killed
//!   with SIGKILL mid-push and restarted: every entry taken at least once, in order per
//!   connection, each `webhook-id` always with the same entry.
//! * `action_kill`: the binary with reconnect invitations and account confirmation on,
//!   killed with SIGKILL at random moments of 100 credential-error episodes while the double
//!   of Nectar's API loses answers to writes it did: one active invitation per open episode,
//!   none after a closed one, no account confirmed twice.
//! * `outage`: the PostgreSQL server stopped for a while (`scripts/postgres.sh pause`, then
//!   `resume`): the receivers answer 503 promptly, recover by themselves, and Svix's retries
//!   leave the end state exact.
//!
//! Forged, replayed and tampered deliveries are mixed into every run. Loopback only, bounded
//! in count and time. The PostgreSQL tests pass without running when
//! `NECTAR_TEST_POSTGRES_URL` is unset.

#[path = "../support/mod.rs"]
mod support;

mod action_kill;
mod outage;
mod push_kill;
mod sigkill;
mod sweep_kill;

/// The PostgreSQL server is shared by the tests of this binary: the outage stops it, so it
/// holds this for writing while the others hold it for reading.
static POSTGRES: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());
