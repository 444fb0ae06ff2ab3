//! The webhook layer against a corpus of payloads built from the documented shapes
//! (`support/fixtures/webhooks/`): one test binary, a module per topic.

mod actions;
mod allocation;
mod bad_input;
mod invitations;
mod mutants;
mod parse;
mod poll;
mod reconcile;
mod schedules;
mod sweep;
mod verdicts;

use nectar_lifecycle_support::webhook_fixture;
use nectar_lifecycle_webhook::{self as webhook, Webhook};

/// The fixture `name`, parsed; a fixture that does not parse fails the test.
fn event(name: &str) -> Webhook {
    webhook::parse(&webhook_fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}
