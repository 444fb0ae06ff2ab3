//! Webhook parse + verdict + reconcile against plain `serde_json::from_slice` into a
//! `serde_json::Value` of the same body, in the same run.
//!
//! `cargo bench --bench webhook`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use nectar_lifecycle_webhook::{self as webhook, Observation, Record, reconcile};

const BODY: &[u8] = include_bytes!("../../support/fixtures/webhooks/pair-updated.json");
const STORED: &[u8] = include_bytes!("../../support/fixtures/webhooks/validated.json");

fn bench(c: &mut Criterion) {
    let stored = Record::new(webhook::parse(STORED).expect("fixture").connection);
    let mut group = c.benchmark_group("webhook");
    group.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(BODY)).expect("json"));
    });
    group.bench_function("parse", |b| {
        b.iter(|| webhook::parse(black_box(BODY)).expect("parses"));
    });
    group.bench_function("parse_assess_reconcile", |b| {
        b.iter(|| {
            let event = webhook::parse(black_box(BODY)).expect("parses");
            let assessment = event.assess();
            let delivery = Observation::Delivery {
                id: Some("msg_1"),
                webhook: &event,
            };
            let decision = reconcile(Some(black_box(&stored)), delivery);
            (assessment, decision)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
