//! `reconcile` allocates nothing when nothing is applied: a redelivery, the same version (the
//! other event of one change, or a poll that found nothing new), a stale observation (also
//! one carrying an unknown status), a gap between known statuses; nor does `Record::after` on
//! a redelivery. Counted by a test-only global allocator, per thread, so parallel tests do
//! not disturb the count.

use crate::event;
use nectar_lifecycle_webhook::{
    Decision, DuplicateReason, Observation, Record, Reported, Webhook, reconcile,
};

/// The allocations `f` makes on this thread, counted by allocation-counter's global
/// allocator (the workspace forbids `unsafe`, so the counting allocator comes from a crate).
fn allocations(f: impl FnOnce()) -> u64 {
    allocation_counter::measure(f).count_total
}

fn delivery<'a>(id: &'a str, webhook: &'a Webhook) -> Observation<'a> {
    Observation::Delivery {
        id: Some(id),
        webhook,
    }
}

/// The record after `webhook`, delivered as `id`, with a full window of other ids before it
/// (so a lookup walks every remembered id).
fn stored_after(id: &str, webhook: &Webhook) -> Record {
    let mut record = Record::new(webhook.connection.clone());
    for i in 0..nectar_lifecycle_webhook::RECENT_EVENT_IDS {
        record.remember(&format!("msg_old_{i}"));
    }
    record.remember(id);
    record
}

/// `reconcile(stored, observation)` is `expected`, and deciding it allocated nothing.
fn decides_without_allocating(stored: &Record, observation: Observation<'_>, expected: &Decision) {
    let mut decision = None;
    let n = allocations(|| decision = Some(reconcile(Some(stored), observation)));
    assert_eq!(decision.as_ref(), Some(expected));
    assert_eq!(n, 0, "{expected} allocated {n} times");
}

#[test]
fn the_counter_counts() {
    assert!(allocations(|| drop(std::hint::black_box(vec![1u8; 16]))) >= 1);
}

#[test]
fn a_redelivery_allocates_nothing() {
    let validated = event("validated.json");
    let stored = stored_after("msg_1", &validated);
    let redelivered = delivery("msg_1", &validated);
    let same = Decision::Duplicate(DuplicateReason::SameDelivery);
    decides_without_allocating(&stored, redelivered, &same);
    // Nor is there a record to store: nothing is cloned.
    let mut next = Some(stored.clone());
    let n = allocations(|| next = Record::after(Some(&stored), redelivered, &same));
    assert_eq!((next, n), (None, 0));
}

#[test]
fn the_same_version_allocates_nothing() {
    let updated = event("pair-updated.json");
    let stored = stored_after("msg_1", &updated);
    let same = Decision::Duplicate(DuplicateReason::SameVersion);
    // The other event of the same change, and a poll that found nothing new.
    decides_without_allocating(
        &stored,
        delivery("msg_2", &event("pair-validated.json")),
        &same,
    );
    decides_without_allocating(&stored, Observation::Snapshot(&updated.connection), &same);
}

#[test]
fn a_stale_observation_allocates_nothing() {
    let newer = event("order-newer.json");
    let stored = stored_after("msg_2", &newer);
    let older = event("order-older.json");
    let stale = reconcile(Some(&stored), delivery("msg_1", &older));
    assert!(matches!(stale, Decision::Stale { .. }), "{stale}");
    decides_without_allocating(&stored, delivery("msg_1", &older), &stale);
    decides_without_allocating(&stored, Observation::Snapshot(&older.connection), &stale);
}

#[test]
fn a_gap_between_known_statuses_allocates_nothing() {
    let stored = stored_after("msg_1", &event("validated.json"));
    let gap = event("gap.json");
    let decision = reconcile(Some(&stored), delivery("msg_2", &gap));
    assert!(matches!(decision, Decision::Gap(_)), "{decision}");
    decides_without_allocating(&stored, delivery("msg_2", &gap), &decision);
}

/// `reconcile` builds a gap only when it is the decision: a stale delivery whose unknown
/// `old.status` would be cloned into a `Gap::Missed` allocates nothing.
#[test]
fn a_stale_delivery_with_an_unknown_old_status_allocates_nothing() {
    let stored = stored_after("msg_2", &event("order-newer.json"));
    let mut older = event("order-older.json");
    if let Some(old) = older.old.as_mut() {
        old.status = Some(Reported::Unknown("PAUSED_BY_PROVIDER".into()));
    }
    let stale = reconcile(Some(&stored), delivery("msg_1", &older));
    assert!(matches!(stale, Decision::Stale { .. }), "{stale}");
    decides_without_allocating(&stored, delivery("msg_1", &older), &stale);
}
