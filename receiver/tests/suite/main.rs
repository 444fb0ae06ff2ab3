//! The receiver's suite, run on both engines: SQLite always (a file in a temporary
//! directory), PostgreSQL when `NECTAR_TEST_POSTGRES_URL` names a server (`.ci/run` starts
//! one with `scripts/postgres.sh`; without it the PostgreSQL tests pass without running).
//! One binary, a module per topic; every test talks only to 127.0.0.1 and is bounded.

#[path = "../support/mod.rs"]
mod support;

/// For each scenario `async fn NAME(h: &Harness)` of the module, a module `NAME` with the
/// tests `sqlite` and `postgres`: each starts a receiver on a fresh database of its engine
/// (its configuration changed by the function after `with`, if any), runs the scenario
/// within the test budget, and stops the receiver.
macro_rules! on_both_engines {
    ($($scenario:ident $(with $configure:expr)?),* $(,)?) => {$(
        mod $scenario {
            // For the configuring function, written in the topic's module.
            #[allow(unused_imports)]
            use super::*;
            use nectar_receiver::{Config, Engine};

            #[allow(unused_variables, reason = "without `with`, nothing changes")]
            fn configure(config: &mut Config) {
                $(
                    let change: fn(&mut Config) = $configure;
                    change(config);
                )?
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::support::on_engine(Engine::Sqlite, configure, super::$scenario).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                crate::support::on_engine(Engine::Postgres, configure, super::$scenario).await;
            }
        }
    )*};
}

mod actions;
mod app;
mod auth;
mod concurrency;
mod dashboard;
mod feed;
mod health;
mod metrics;
mod nectar_api;
mod nectar_writes;
mod openapi;
mod polling;
mod push;
mod storage;
mod sweeps;
mod webhooks;
mod worklist;
