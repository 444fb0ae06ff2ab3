//! The decision per delivery, parse excluded: `reconcile` and `Record::after` on parsed
//! observations, against baselines in the same run: a handler that only orders by `updated`
//! (parse the stored and the incoming `updated` strings and compare them), and reading the
//! body into a `serde_json::Value`.
//!
//! `cargo bench -p nectar-lifecycle-webhook --bench decision`, then
//! `python3 scripts/bench-ratios.py decision updated_order` (or `serde_json_value`).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use nectar_lifecycle_webhook::{
    self as webhook, ConnectionPayload, Observation, RECENT_EVENT_IDS, Record, Webhook, reconcile,
};

/// One delivery against one stored record.
struct Case {
    name: &'static str,
    stored: Record,
    id: &'static str,
    event: Webhook,
    body: &'static [u8],
}

/// A record of `connection` that remembers a full window of delivery ids, `id` the last.
fn record(connection: ConnectionPayload, id: &str) -> Record {
    let mut record = Record::new(connection);
    for i in 0..RECENT_EVENT_IDS {
        record.remember(&format!("msg_old_{i}"));
    }
    record.remember(id);
    record
}

/// A record of `connection` that remembers only `id`.
fn record_one_id(connection: ConnectionPayload, id: &str) -> Record {
    let mut record = Record::new(connection);
    record.remember(id);
    record
}

fn parse(body: &[u8]) -> Webhook {
    webhook::parse(body).expect("fixture")
}

fn cases() -> Vec<Case> {
    const VALIDATED: &[u8] = include_bytes!("../../support/fixtures/webhooks/validated.json");
    const PAIR_UPDATED: &[u8] = include_bytes!("../../support/fixtures/webhooks/pair-updated.json");
    const PAIR_VALIDATED: &[u8] =
        include_bytes!("../../support/fixtures/webhooks/pair-validated.json");
    const EXTERNAL_ID: &[u8] =
        include_bytes!("../../support/fixtures/webhooks/updated-external-id.json");
    const NEWER: &[u8] = include_bytes!("../../support/fixtures/webhooks/order-newer.json");
    const OLDER: &[u8] = include_bytes!("../../support/fixtures/webhooks/order-older.json");
    let mut before_external_id = parse(VALIDATED).connection;
    before_external_id.external_id = Some("my-conn-000".into());
    vec![
        Case {
            name: "redelivery",
            stored: record(parse(VALIDATED).connection, "msg_1"),
            id: "msg_1",
            event: parse(VALIDATED),
            body: VALIDATED,
        },
        Case {
            name: "same_version",
            stored: record(parse(PAIR_UPDATED).connection, "msg_1"),
            id: "msg_2",
            event: parse(PAIR_VALIDATED),
            body: PAIR_VALIDATED,
        },
        Case {
            name: "newer_field_change",
            stored: record(before_external_id, "msg_1"),
            id: "msg_2",
            event: parse(EXTERNAL_ID),
            body: EXTERNAL_ID,
        },
        Case {
            name: "stale",
            stored: record(parse(NEWER).connection, "msg_2"),
            id: "msg_1",
            event: parse(OLDER),
            body: OLDER,
        },
        // What `Record::after` costs beyond the decision is mostly the clone of the id window.
        Case {
            name: "stale_one_id",
            stored: record_one_id(parse(NEWER).connection, "msg_2"),
            id: "msg_1",
            event: parse(OLDER),
            body: OLDER,
        },
    ]
}

/// The baseline: order by `updated` alone, parsing both strings.
fn updated_order(stored: &ConnectionPayload, incoming: &ConnectionPayload) -> bool {
    let at = |c: &ConnectionPayload| {
        c.updated
            .as_deref()
            .and_then(|u| u.parse::<Timestamp>().ok())
    };
    at(incoming) > at(stored)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("decision");
    for case in cases() {
        let delivery = Observation::Delivery {
            id: Some(case.id),
            webhook: &case.event,
        };
        let decision = reconcile(Some(&case.stored), delivery);
        // Each case is the decision it is named for.
        let expected = match case.name {
            "redelivery" => "duplicate: this delivery",
            "same_version" => "duplicate: the same version",
            "newer_field_change" => "apply",
            _ => "stale",
        };
        assert!(decision.to_string().starts_with(expected), "{decision}");

        group.bench_function(BenchmarkId::new("updated_order", case.name), |b| {
            b.iter(|| {
                updated_order(
                    black_box(&case.stored.connection),
                    black_box(&case.event.connection),
                )
            });
        });
        group.bench_function(BenchmarkId::new("serde_json_value", case.name), |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(case.body)));
        });
        group.bench_function(BenchmarkId::new("reconcile", case.name), |b| {
            b.iter(|| reconcile(Some(black_box(&case.stored)), black_box(delivery)));
        });
        group.bench_function(BenchmarkId::new("reconcile_and_after", case.name), |b| {
            b.iter(|| {
                let stored = Some(black_box(&case.stored));
                let delivery = black_box(delivery);
                let decision = reconcile(stored, delivery);
                let next = Record::after(stored, delivery, &decision);
                (decision, next)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
