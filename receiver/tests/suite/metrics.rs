//! Metrics: `GET /metrics` on `METRICS_ADDR` answers Prometheus text that a strict reader
//! (below, and `promtool check metrics` where it is installed) accepts; deliveries move the
//! counter of their outcome by exactly one, a refusal with its reason; no label value is a
//! connection id; the scrape-time gauges are the store's figures; the metrics are served on
//! their own address only; the workers count what they do.
//!
//! Each receiver has a registry of its own ([`Metrics`]), so the figures of one test are
//! not moved by the tests running beside it: counts are asserted exactly.

use core::time::Duration;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use axum::http::StatusCode;
use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::verify::WebhookSecret;
use nectar_lifecycle::webhook::{
    AccountPayload, Company, ConnectionPayload, MAX_BODY_BYTES, Reported, Webhook,
};
use nectar_lifecycle::{AccountStatus, TrackingStatus};
use nectar_receiver::{
    ActionWorker, ApiKey, Config, ConfigError, FeedCursor, Metrics, NectarApi as ApiConfig,
    NectarClient, Pusher, Sweeper,
};

use crate::support::app::{AppDouble, AppFaults};
use crate::support::nectar_api::{DOUBLE_API_KEY, NectarApi};
use crate::support::{
    API_TOKEN, FOREIGN_SECRET, Harness, changed_status, connection, event, events, eventually,
    history, test_config,
};

on_both_engines!(
    the_endpoint_answers_strict_prometheus_text with metrics_on,
    deliveries_move_their_counters_by_exactly_one with metrics_on,
    no_label_value_is_a_connection_id with metrics_on,
    the_scrape_time_gauges_are_the_stores_figures with gauges_setting,
    nectar_calls_failing_on_the_wire_are_counted_as_error with api_unreachable,
    metrics_are_served_on_their_own_address_only with metrics_on,
    without_metrics_addr_nothing_is_served,
    the_workers_count_what_they_do with actions_on,
);

fn metrics_on(config: &mut Config) {
    config.metrics_addr = Some(SocketAddr::from(([127, 0, 0, 1], 0)));
}

/// Metrics on, a poller that looks at start-up, when woken by a gap, and then not for an
/// hour; push on towards a port nobody listens on, retried after an hour.
fn gauges_setting(config: &mut Config) {
    metrics_on(config);
    config.polling.interval = Duration::from_secs(3600);
    config.push.url = Some("http://127.0.0.1:1/hook".to_owned());
    config.push.secret = Some(APP_SECRET.parse().expect("a secret"));
    config.push.schedule = vec![Duration::ZERO, Duration::from_secs(3600)];
    config.push.timeout = Duration::from_millis(500);
    config.push.check_every = Duration::from_millis(20);
}

fn api_unreachable(config: &mut Config) {
    metrics_on(config);
    config.api.base_url = "http://127.0.0.1:1".to_owned();
    config.etiquette.attempts = core::num::NonZeroU32::MIN;
}

/// The actions record their intent with the deliveries; the receiver's own worker looks
/// once at start-up, the scenario runs one of its own.
fn actions_on(config: &mut Config) {
    config.actions.reconnect_invitations = true;
    config.actions.confirm_accounts = true;
    config.actions.check_every = Duration::from_secs(3600);
}

/// The app's signing secret.
const APP_SECRET: &str = "whsec_dGhpcyBpcyB0aGUgYXBwJ3Mgc2VjcmV0IQ==";

/// The metric families this receiver always shows, with their types.
const ALWAYS: [(&str, &str); 8] = [
    ("nectar_receiver_deliveries_total", "counter"),
    ("nectar_receiver_push_attempts_total", "counter"),
    ("nectar_receiver_invitations_total", "counter"),
    ("nectar_receiver_account_confirmations_total", "counter"),
    ("nectar_receiver_action_failures_total", "counter"),
    ("nectar_receiver_poll_jobs_pending", "gauge"),
    ("nectar_receiver_poll_jobs_due", "gauge"),
    ("nectar_receiver_poll_job_oldest_due_age_seconds", "gauge"),
];

/// The outbox's gauges, shown when push is on.
const OUTBOX_GAUGES: [&str; 3] = [
    "nectar_receiver_outbox_pending_entries",
    "nectar_receiver_outbox_oldest_pending_age_seconds",
    "nectar_receiver_outbox_failed_entries",
];

/// The label names any metric of the receiver may carry.
const LABEL_NAMES: [&str; 10] = [
    "outcome", "reason", "route", "method", "status", "endpoint", "company", "result", "action",
    "le",
];

/// A sample's labels.
type Labels = BTreeMap<String, String>;

/// A scrape, read strictly: each family's type, and every sample by name and labels.
#[derive(Debug, Default)]
struct Scrape {
    types: BTreeMap<String, String>,
    samples: BTreeMap<(String, Labels), f64>,
}

impl Scrape {
    /// Reads Prometheus text (format 0.0.4), panicking at the first line that breaks it or
    /// the naming conventions: `# HELP` and `# TYPE` once per family and before its
    /// samples, a family's samples together, names and label names of the allowed
    /// characters, label values quoted and escaped, values that are numbers, no sample
    /// twice, every name prefixed `nectar_receiver_`, counters ending `_total`, no
    /// millisecond units, histograms with cumulative buckets ending at `+Inf` = `_count`.
    fn parse(text: &str) -> Self {
        let mut scrape = Self::default();
        let mut helped = BTreeSet::new();
        let mut closed = BTreeSet::new();
        let mut current: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            let at = || format!("line {}: {line:?}", n + 1);
            if line.trim().is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix("# ") {
                let mut words = comment.splitn(3, ' ');
                let (kind, name, rest) = (words.next(), words.next(), words.next());
                let name = name.unwrap_or_else(|| panic!("{}: a comment names a metric", at()));
                assert!(valid_name(name), "{}: the name", at());
                if current.as_deref() != Some(name) {
                    if let Some(previous) = current.take() {
                        closed.insert(previous);
                    }
                    assert!(!closed.contains(name), "{}: {name} split in two", at());
                    current = Some(name.to_owned());
                }
                match kind {
                    Some("HELP") => {
                        assert!(rest.is_some_and(|h| !h.is_empty()), "{}: empty help", at());
                        assert!(helped.insert(name.to_owned()), "{}: HELP twice", at());
                    }
                    Some("TYPE") => {
                        let kind = rest.unwrap_or_default();
                        assert!(
                            ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                            "{}: type",
                            at()
                        );
                        let earlier = scrape.types.insert(name.to_owned(), kind.to_owned());
                        assert!(earlier.is_none(), "{}: TYPE twice", at());
                    }
                    _ => panic!("{}: a comment other than HELP or TYPE", at()),
                }
                continue;
            }
            let (name, labels, value) = sample(line).unwrap_or_else(|| panic!("{}", at()));
            let family = family_of(&name, &scrape.types)
                .unwrap_or_else(|| panic!("{}: a sample before its TYPE", at()));
            assert_eq!(current.as_deref(), Some(family.as_str()), "{}", at());
            let earlier = scrape.samples.insert((name, labels), value);
            assert!(earlier.is_none(), "{}: the same sample twice", at());
        }
        for (name, kind) in &scrape.types {
            assert!(name.starts_with("nectar_receiver_"), "{name}: the prefix");
            assert!(helped.contains(name), "{name}: no HELP");
            for unit in ["_ms", "_milliseconds", "_millis"] {
                assert!(!name.contains(unit), "{name}: not a base unit");
            }
            match kind.as_str() {
                "counter" => assert!(name.ends_with("_total"), "{name}: a counter's suffix"),
                "gauge" | "histogram" => {
                    assert!(
                        !name.ends_with("_total"),
                        "{name}: only counters end _total"
                    );
                }
                other => panic!("{name}: {other}: the receiver has none"),
            }
        }
        for ((name, labels), value) in &scrape.samples {
            assert!(
                value.is_finite() && *value >= 0.0,
                "{name}{labels:?} = {value}"
            );
            for key in labels.keys() {
                assert!(LABEL_NAMES.contains(&key.as_str()), "{name}: label {key}");
            }
        }
        scrape.check_histograms();
        scrape
    }

    /// Each histogram series: cumulative buckets, `+Inf` equal to `_count`.
    fn check_histograms(&self) {
        for (family, _) in self.types.iter().filter(|(_, kind)| *kind == "histogram") {
            let bucket = format!("{family}_bucket");
            let mut series: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
            for ((name, labels), value) in &self.samples {
                if *name == bucket {
                    let mut labels = labels.clone();
                    let le = labels.remove("le").expect("a bucket has le");
                    let le = if le == "+Inf" {
                        f64::INFINITY
                    } else {
                        le.parse().expect("le is a number")
                    };
                    series.entry(labels).or_default().push((le, *value));
                }
            }
            for (labels, mut buckets) in series {
                buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
                assert!(
                    buckets.windows(2).all(|w| w[0].1 <= w[1].1),
                    "{family}{labels:?}: buckets are cumulative: {buckets:?}"
                );
                let (last_le, last) = buckets.last().copied().expect("buckets");
                assert!(last_le.is_infinite(), "{family}{labels:?}: ends at +Inf");
                let count = self.samples[&(format!("{family}_count"), labels.clone())];
                assert_eq!(last, count, "{family}{labels:?}: +Inf = _count");
                assert!(
                    self.samples
                        .contains_key(&(format!("{family}_sum"), labels.clone())),
                    "{family}{labels:?}: _sum"
                );
            }
        }
    }

    /// The sample `name{labels}` (exactly those labels), if shown.
    fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let labels: Labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.samples.get(&(name.to_owned(), labels)).copied()
    }

    /// The sum of the samples `name` whose labels include `labels`.
    fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|((n, l), _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, value)| value)
            .sum()
    }

    /// A delivery counter (`reason` only for a refusal).
    fn deliveries(&self, outcome: &str, reason: Option<&str>) -> f64 {
        let mut labels = vec![("outcome", outcome)];
        labels.extend(reason.map(|r| ("reason", r)));
        self.get("nectar_receiver_deliveries_total", &labels)
            .unwrap_or_else(|| panic!("deliveries {outcome} {reason:?} shown from the start"))
    }

    /// Every label value shown.
    fn label_values(&self) -> BTreeSet<(String, String)> {
        self.samples
            .keys()
            .flat_map(|(_, labels)| labels.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect()
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn valid_label_name(name: &str) -> bool {
    valid_name(name) && !name.contains(':') && !name.starts_with("__")
}

/// The family a sample belongs to: its name, or a histogram's or summary's base name.
fn family_of(name: &str, types: &BTreeMap<String, String>) -> Option<String> {
    if types.contains_key(name) {
        return Some(name.to_owned());
    }
    ["_bucket", "_sum", "_count"].iter().find_map(|suffix| {
        let base = name.strip_suffix(suffix)?;
        matches!(
            types.get(base).map(String::as_str),
            Some("histogram" | "summary")
        )
        .then(|| base.to_owned())
    })
}

/// `name{label="value",...} value [timestamp]`.
fn sample(line: &str) -> Option<(String, Labels, f64)> {
    let end = line.find(['{', ' '])?;
    let name = &line[..end];
    if !valid_name(name) {
        return None;
    }
    let mut rest = &line[end..];
    let mut labels = Labels::new();
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        loop {
            let (start, c) = chars.next()?;
            if c == '}' {
                rest = &inner[start + 1..];
                break;
            }
            let eq = inner[start..].find('=')? + start;
            let key = &inner[start..eq];
            if !valid_label_name(key) {
                return None;
            }
            while chars.peek()?.0 <= eq {
                chars.next();
            }
            if chars.next()?.1 != '"' {
                return None;
            }
            let mut value = String::new();
            loop {
                match chars.next()?.1 {
                    '"' => break,
                    '\\' => match chars.next()?.1 {
                        'n' => value.push('\n'),
                        '\\' => value.push('\\'),
                        '"' => value.push('"'),
                        _ => return None,
                    },
                    '\n' => return None,
                    c => value.push(c),
                }
            }
            if labels.insert(key.to_owned(), value).is_some() {
                return None;
            }
            match chars.peek()?.1 {
                ',' => {
                    chars.next();
                }
                '}' => {}
                _ => return None,
            }
        }
    }
    let mut fields = rest.strip_prefix(' ')?.split(' ');
    let value = match fields.next()? {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        number => number.parse().ok()?,
    };
    if let Some(timestamp) = fields.next() {
        timestamp.parse::<i64>().ok()?;
    }
    fields
        .next()
        .is_none()
        .then(|| (name.to_owned(), labels, value))
}

/// `GET {path}` on `addr`, with `token` as the bearer token: the status, the content type
/// and the body.
async fn get(
    h: &Harness,
    addr: SocketAddr,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, String, String) {
    let mut request = h.http.get(format!("http://{addr}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the receiver answers");
    let status = StatusCode::from_u16(response.status().as_u16()).expect("a status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.expect("a body"))
}

fn metrics_addr(h: &Harness) -> SocketAddr {
    h.running.metrics_addr().expect("METRICS_ADDR is set")
}

/// `GET /metrics`, read strictly.
async fn scrape(h: &Harness) -> Scrape {
    Scrape::parse(&scrape_text(h).await)
}

/// `GET /metrics`, read strictly and checked by `promtool` where it is installed.
async fn scrape_checked(h: &Harness) -> Scrape {
    let text = scrape_text(h).await;
    promtool_check(&text).await;
    Scrape::parse(&text)
}

async fn scrape_text(h: &Harness) -> String {
    let (status, content_type, text) = get(h, metrics_addr(h), "/metrics", None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    text
}

/// `promtool check metrics` on `text`, when `promtool` is installed (Debian's `prometheus`
/// package); a note otherwise, and a failure when `NECTAR_PROMTOOL=required` (CI).
async fn promtool_check(text: &str) {
    use tokio::io::AsyncWriteExt as _;
    let child = tokio::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let Ok(mut child) = child else {
        // CI installs it and sets this: there, a missing promtool fails rather than skips.
        assert!(
            std::env::var("NECTAR_PROMTOOL").as_deref() != Ok("required"),
            "NECTAR_PROMTOOL=required, but promtool is not installed"
        );
        eprintln!("promtool is not installed: the scrape is checked by the suite's reader only");
        return;
    };
    let mut stdin = child.stdin.take().expect("a pipe");
    stdin
        .write_all(text.as_bytes())
        .await
        .expect("promtool reads");
    drop(stdin);
    let output = child.wait_with_output().await.expect("promtool ends");
    assert!(
        output.status.success(),
        "promtool check metrics: {}{}\n{text}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The families, their types and the counters at 0; the outbox's gauges only with push on;
/// a request to the main listener shows its latency by route.
async fn the_endpoint_answers_strict_prometheus_text(h: &Harness) {
    let first = scrape_checked(h).await;
    for (name, kind) in ALWAYS {
        assert_eq!(
            first.types.get(name).map(String::as_str),
            Some(kind),
            "{name}"
        );
    }
    for name in OUTBOX_GAUGES {
        assert!(!first.types.contains_key(name), "{name}: push is off");
    }
    let deliveries = first
        .samples
        .iter()
        .filter(|((name, _), _)| name == "nectar_receiver_deliveries_total")
        .collect::<Vec<_>>();
    assert_eq!(deliveries.len(), 5 + 8, "{deliveries:?}");
    assert!(deliveries.iter().all(|(_, value)| **value == 0.0));
    assert_eq!(first.deliveries("refused", Some("too_large")), 0.0);
    assert_eq!(
        first.get("nectar_receiver_poll_jobs_due", &[]),
        Some(0.0),
        "no job"
    );
    assert!(
        !first
            .types
            .contains_key("nectar_receiver_http_request_duration_seconds"),
        "the scrape is not measured: it is not on the main listener"
    );

    assert_eq!(h.get("/healthz").await.status, StatusCode::OK);
    let second = scrape_checked(h).await;
    assert_eq!(
        second.types["nectar_receiver_http_request_duration_seconds"],
        "histogram"
    );
    let labels = [("route", "/healthz"), ("method", "GET"), ("status", "200")];
    assert_eq!(
        second.get(
            "nectar_receiver_http_request_duration_seconds_count",
            &labels
        ),
        Some(1.0)
    );
    let seconds = second
        .get("nectar_receiver_http_request_duration_seconds_sum", &labels)
        .expect("a sum");
    assert!(seconds > 0.0 && seconds < 10.0, "{seconds} s: in seconds");
}

/// The webhook's answers tallied by decision, refusals by status.
#[derive(Debug, Default)]
struct Tally(BTreeMap<String, f64>);

impl Tally {
    fn add(&mut self, what: &str) {
        *self.0.entry(what.to_owned()).or_default() += 1.0;
    }

    fn of(&self, what: &str) -> f64 {
        self.0.get(what).copied().unwrap_or_default()
    }
}

/// Applied, duplicate, stale, gap, ignored and refused deliveries, each counter moved by
/// exactly the deliveries the receiver answered so; a refusal under its reason; the
/// webhook's latency by status.
async fn deliveries_move_their_counters_by_exactly_one(h: &Harness) {
    let before = scrape(h).await;
    let mut answered = Tally::default();
    let mut deliver = async |id: &str, webhook: &Webhook| {
        let answer = h.deliver(id, webhook).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answered.add(answer.decision());
    };
    let [v1, v2, _] = history("conn-1", [S::Connected, S::WebsiteDown, S::Connected]);
    deliver("msg_1", &event(None, &v1)).await;
    deliver("msg_1", &event(None, &v1)).await;
    deliver("msg_2", &events(Some(&v1), &v2)[0]).await;
    deliver("msg_1b", &event(None, &v1)).await;
    // conn-2: stored at v1, then v2 -> v3 arrives: a gap (Nectar answers the poll).
    let [w1, w2, w3] = history("conn-2", [S::Connected, S::WebsiteDown, S::Connected]);
    h.nectar.set(&w3);
    deliver("msg_w1", &event(None, &w1)).await;
    deliver("msg_w3", &events(Some(&w2), &w3)[0]).await;
    assert_eq!(answered.of("apply"), 3.0, "{answered:?}");
    assert_eq!(answered.of("gap"), 1.0, "{answered:?}");
    // The second msg_1 is a duplicate; msg_1b, older than the record, is stale (or a
    // duplicate): the counters must say what the answers said.
    assert_eq!(
        answered.of("stale") + answered.of("duplicate"),
        2.0,
        "{answered:?}"
    );

    // Ignored: an authentic event of another type.
    let document = br#"{"eventType":"document.created.v2","id":"doc-1","connectionId":"conn-1"}"#;
    let sender = h.sender();
    let answer = sender
        .deliver_signed("msg_doc", document, Timestamp::now(), &h.secret)
        .await;
    assert!(answer.body["ignored"].is_string(), "{}", answer.body);
    // Refused: a forged signature and none at all, a body over the limit, a signed body
    // that is not a webhook.
    let body = serde_json::to_vec(&event(None, &connection("conn-3", S::Connected, 0)))
        .expect("serializes");
    let foreign: WebhookSecret = FOREIGN_SECRET.parse().expect("a secret");
    let answer = sender
        .deliver_signed("msg_f", &body, Timestamp::now(), &foreign)
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let answer = sender.post(body.clone(), &[]).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let mut large = body;
    large.pop();
    large.resize(MAX_BODY_BYTES, b' ');
    large.push(b'}');
    // Answered unread, the connection then closed: the request says so, so that the client
    // does not reuse it for the next request.
    let mut headers: Vec<(&str, String)> = h
        .secret
        .sign("msg_l", Timestamp::now(), &large)
        .iter()
        .collect();
    headers.push(("connection", "close".to_owned()));
    let answer = sender.post(large, &headers).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    let answer = sender
        .deliver_signed("msg_m", b"[1,2,3]", Timestamp::now(), &h.secret)
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);

    let after = scrape_checked(h).await;
    let moved = |outcome: &str, reason: Option<&str>| {
        after.deliveries(outcome, reason) - before.deliveries(outcome, reason)
    };
    assert_eq!(moved("applied", None), answered.of("apply"));
    assert_eq!(moved("duplicate", None), answered.of("duplicate"));
    assert_eq!(moved("stale", None), answered.of("stale"));
    assert_eq!(moved("gap", None), 1.0);
    assert_eq!(moved("ignored", None), 1.0);
    assert_eq!(moved("refused", Some("unverified")), 2.0);
    assert_eq!(moved("refused", Some("too_large")), 1.0);
    assert_eq!(moved("refused", Some("malformed")), 1.0);
    for reason in [
        "unreadable",
        "no_secret",
        "unavailable",
        "storage_error",
        "timeout",
    ] {
        assert_eq!(moved("refused", Some(reason)), 0.0, "{reason}");
    }
    let total = after.sum("nectar_receiver_deliveries_total", &[])
        - before.sum("nectar_receiver_deliveries_total", &[]);
    assert_eq!(total, 11.0, "one count per delivery");

    let webhook = |status: &str| {
        after.sum(
            "nectar_receiver_http_request_duration_seconds_count",
            &[
                ("route", "/webhooks/nectar"),
                ("method", "POST"),
                ("status", status),
            ],
        )
    };
    assert_eq!(webhook("200"), 7.0);
    assert_eq!(webhook("401"), 2.0);
    assert_eq!(webhook("413"), 1.0);
    assert_eq!(webhook("400"), 1.0);

    // The gap's poll: Nectar's API called for details, answered 200.
    eventually("the gap's poll counted", || async {
        let scraped = scrape(h).await;
        let details = scraped.sum(
            "nectar_receiver_nectar_api_requests_total",
            &[("endpoint", "details"), ("status", "200")],
        );
        (details >= 1.0).then_some(())
    })
    .await;
}

/// Connection ids in deliveries, polls, the read API's paths and unknown paths: none shows
/// as a label value; routes show as their templates.
async fn no_label_value_is_a_connection_id(h: &Harness) {
    let ids = ["conn-7f3a91", "conn-b0c2d4"];
    for id in ids {
        let [v1, v2, v3] = history(id, [S::Connected, S::WebsiteDown, S::PasswordIncorrect]);
        let answer = h.deliver(&format!("{id}-1"), &event(None, &v1)).await;
        assert_eq!(answer.status, StatusCode::OK);
        // A gap: polled, and the double does not know the connection (404).
        let answer = h
            .deliver(&format!("{id}-3"), &events(Some(&v2), &v3)[0])
            .await;
        assert_eq!(answer.decision(), "gap");
        assert_eq!(
            h.get(&format!("/connections/{id}")).await.status,
            StatusCode::OK
        );
        h.get(&format!("/connections/{id}/notifications")).await;
        h.get_with(&format!("/connections/{id}"), None).await;
        let (status, _, _) = get(h, h.running.addr(), &format!("/nothing/{id}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let scraped = eventually("the polls counted", || async {
        let scraped = scrape(h).await;
        let polled = scraped.sum(
            "nectar_receiver_nectar_api_requests_total",
            &[("endpoint", "details"), ("status", "404")],
        );
        (polled >= 2.0).then_some(scraped)
    })
    .await;
    let values = scraped.label_values();
    for (key, value) in &values {
        for id in ids {
            assert!(!value.contains(id), "{key}={value:?} holds a connection id");
        }
        assert!(!value.contains("msg"), "{key}={value:?} holds a message id");
    }
    let routes: BTreeSet<&str> = values
        .iter()
        .filter(|(key, _)| key == "route")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(
        routes,
        BTreeSet::from([
            "/webhooks/nectar",
            "/connections/{id}",
            "/connections/{id}/notifications",
            "unmatched",
        ])
    );
    let read = |status: &str| {
        scraped.sum(
            "nectar_receiver_http_request_duration_seconds_count",
            &[("route", "/connections/{id}"), ("status", status)],
        )
    };
    assert_eq!((read("200"), read("401")), (2.0, 2.0));
}

/// A poll job due (its poll failed, its retry came due, and the poller sleeps for an hour)
/// and an entry not yet pushed (its first attempt failed, the next in an hour): the gauges
/// show the store's figures, read just before and after the scrape.
async fn the_scrape_time_gauges_are_the_stores_figures(h: &Harness) {
    // An entry: CONNECTED, then PASSWORD_INCORRECT.
    let [c1, c2] = history("conn-1", [S::Connected, S::PasswordIncorrect]);
    h.deliver("msg_1", &event(None, &c1)).await;
    for (n, webhook) in events(Some(&c1), &c2).iter().enumerate() {
        h.deliver(&format!("msg_2.{n}"), webhook).await;
    }
    // A gap of a connection the double does not know: polled once (404), due again soon.
    let [g1, g2, g3] = history("conn-2", [S::Connected, S::WebsiteDown, S::Connected]);
    h.deliver("msg_g1", &event(None, &g1)).await;
    let answer = h.deliver("msg_g3", &events(Some(&g2), &g3)[0]).await;
    assert_eq!(answer.decision(), "gap");

    let settled = eventually("the job due again and the entry tried once", || async {
        let jobs = h.store.poll_jobs().await.ok()?;
        // Polled once (404), and due again: the poller sleeps now.
        if !jobs
            .iter()
            .all(|job| job.attempts >= 1 && job.due_at <= Timestamp::now())
        {
            return None;
        }
        let stats = h.store.stats(Timestamp::now(), true).await.ok()?;
        let outbox = stats.outbox.clone()?;
        let scraped = scrape(h).await;
        let tried = scraped.get(
            "nectar_receiver_push_attempts_total",
            &[("result", "failed")],
        )?;
        (stats.poll_jobs_due == 1 && outbox.pending == 1 && tried == 1.0).then_some(stats)
    })
    .await;
    assert_eq!(settled.poll_jobs, 1);

    let before = h.store.stats(Timestamp::now(), true).await.expect("stats");
    let scraped = scrape_checked(h).await;
    let after = h.store.stats(Timestamp::now(), true).await.expect("stats");
    let gauge = |name: &str| scraped.get(name, &[]).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(before.poll_jobs_due, after.poll_jobs_due, "stable");
    assert_eq!(gauge("nectar_receiver_poll_jobs_due"), 1.0);
    assert_eq!(
        gauge("nectar_receiver_poll_jobs_pending"),
        after.poll_jobs as f64
    );
    let age_of = |stats: &nectar_receiver::Stats, at: Option<Timestamp>| {
        stats.at.duration_since(at.expect("one")).as_secs_f64()
    };
    let due_age = gauge("nectar_receiver_poll_job_oldest_due_age_seconds");
    let (low, high) = (
        age_of(&before, before.oldest_due_poll),
        age_of(&after, after.oldest_due_poll),
    );
    assert!(
        low - 0.001 <= due_age && due_age <= high + 0.001,
        "{low} <= {due_age} <= {high}"
    );
    let (outbox_before, outbox) = (
        before.outbox.clone().expect("push is on"),
        after.outbox.clone().expect("push is on"),
    );
    assert_eq!(gauge("nectar_receiver_outbox_pending_entries"), 1.0);
    assert_eq!(outbox.pending, 1);
    assert_eq!(gauge("nectar_receiver_outbox_failed_entries"), 0.0);
    let pending_age = gauge("nectar_receiver_outbox_oldest_pending_age_seconds");
    let (low, high) = (
        age_of(&before, outbox_before.oldest_pending),
        age_of(&after, outbox.oldest_pending),
    );
    assert!(
        low - 0.001 <= pending_age && pending_age <= high + 0.001,
        "{low} <= {pending_age} <= {high}"
    );
    // The poll that failed: Nectar's API answered 404.
    assert!(
        scraped.sum(
            "nectar_receiver_nectar_api_requests_total",
            &[("endpoint", "details"), ("status", "404")]
        ) >= 1.0
    );
}

/// Nectar's API out of reach: the poll's request counted with status `error`.
async fn nectar_calls_failing_on_the_wire_are_counted_as_error(h: &Harness) {
    let [v1, v2, v3] = history("conn-1", [S::Connected, S::WebsiteDown, S::Connected]);
    h.deliver("msg_1", &event(None, &v1)).await;
    let answer = h.deliver("msg_3", &events(Some(&v2), &v3)[0]).await;
    assert_eq!(answer.decision(), "gap");
    eventually("the failed request counted", || async {
        let scraped = scrape(h).await;
        let failed = scraped.get(
            "nectar_receiver_nectar_api_requests_total",
            &[("endpoint", "details"), ("status", "error")],
        )?;
        (failed >= 1.0).then_some(())
    })
    .await;
}

/// `/metrics` is on the metrics address, without a token; the main listener does not serve
/// it, with a token or without; the metrics address serves nothing else (not the read
/// API, whatever the token).
async fn metrics_are_served_on_their_own_address_only(h: &Harness) {
    let main = h.running.addr();
    let metrics = metrics_addr(h);
    assert_ne!(main, metrics);
    for token in [None, Some(API_TOKEN)] {
        let (status, _, _) = get(h, main, "/metrics", token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{token:?}");
        let (status, _, text) = get(h, metrics, "/metrics", token).await;
        assert_eq!(status, StatusCode::OK, "{token:?}");
        Scrape::parse(&text);
        for path in ["/connections/conn-1", "/notifications", "/healthz", "/"] {
            let (status, _, _) = get(h, metrics, path, token).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path} {token:?}");
        }
    }
    let posted = h
        .http
        .post(format!("http://{metrics}/metrics"))
        .send()
        .await
        .expect("answers");
    assert_eq!(posted.status().as_u16(), 405);
}

/// Without `METRICS_ADDR`: no metrics listener, and the main listener has no `/metrics`.
async fn without_metrics_addr_nothing_is_served(h: &Harness) {
    assert_eq!(h.running.metrics_addr(), None);
    let (status, _, _) = get(h, h.running.addr(), "/metrics", Some(API_TOKEN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn metrics_addr_is_read_from_the_environment() {
    let read = |value: &str| {
        Config::from_lookup(|name| (name == "METRICS_ADDR").then(|| value.to_owned()))
            .map(|config| config.metrics_addr)
    };
    assert_eq!(read(""), Ok(None));
    assert_eq!(
        read(" 10.0.0.5:9464 "),
        Ok(Some(SocketAddr::from(([10, 0, 0, 5], 9464))))
    );
    assert_eq!(
        read("localhost:9464"),
        Err(ConfigError::MetricsAddr {
            value: "localhost:9464".to_owned()
        })
    );
    assert!(
        nectar_receiver::VARIABLES
            .iter()
            .any(|(name, _)| *name == "METRICS_ADDR")
    );
}

/// A registry off records and renders nothing.
#[test]
fn metrics_off_render_nothing() {
    let off = Metrics::off();
    assert!(!off.is_on());
    assert_eq!(off.render(), "");
    assert!(Metrics::new().is_on());
    assert!(!Metrics::default().is_on());
}

const COMPANY: &str = "co-1";

/// Connection `id` of [`COMPANY`] with `status` since `minute`.
fn of_company(id: &str, status: S, minute: i64) -> ConnectionPayload {
    ConnectionPayload {
        company: Some(Company {
            id: Some(COMPANY.to_owned()),
            ..Company::default()
        }),
        ..connection(id, status, minute)
    }
}

/// The actions worker, a sweeper and pushers, each counting in one registry: an invitation
/// created, accounts confirmed, a company swept, entries dead-lettered then delivered, and
/// every call to Nectar's API by endpoint.
async fn the_workers_count_what_they_do(h: &Harness) {
    let broken_before = of_company("conn-x1", S::Connected, 0);
    let broken = changed_status(&broken_before, S::PasswordIncorrect, 1);
    let detected_before = of_company("conn-x2", S::Connected, 0);
    let detected = ConnectionPayload {
        accounts: vec![AccountPayload {
            status: Some(Reported::Known(AccountStatus::Detected)),
            tracking_status: Some(Reported::Known(TrackingStatus::Unset)),
            ..serde_json::from_value(serde_json::json!({ "id": "acct-1" })).expect("an account")
        }],
        ..of_company("conn-x2", S::Connected, 1)
    };
    let api = NectarApi::start().await;
    for connection in [&broken, &detected, &of_company("conn-x3", S::Connected, 0)] {
        api.put(COMPANY, connection.clone());
    }
    let mut config = test_config(&h.db, api.addr);
    actions_on(&mut config);
    config.api = ApiConfig {
        base_url: api.base_url(),
        key: Some(ApiKey::new(DOUBLE_API_KEY)),
    };
    config.etiquette.attempts = core::num::NonZeroU32::MIN;
    config.sweeping.companies = vec![COMPANY.to_owned()];
    let metrics = Metrics::new();
    let client = NectarClient::new(&config)
        .expect("a client")
        .with_metrics(metrics.clone());

    for (before, after, id) in [
        (&broken_before, &broken, "x1"),
        (&detected_before, &detected, "x2"),
    ] {
        for (n, webhook) in events(None, before)
            .iter()
            .chain(&events(Some(before), after))
            .enumerate()
        {
            let answer = h.deliver(&format!("msg_{id}.{n}"), webhook).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        }
    }
    let worker = ActionWorker::new(config.actions, h.store.clone(), client.clone());
    worker.work_due().await.expect("the worker runs");
    assert_eq!(api.active_reconnects("conn-x1").len(), 1);
    assert_eq!(api.decisions(), [("conn-x2".to_owned(), true)]);

    h.store
        .schedule_sweeps(&config.sweeping.companies, Timestamp::now())
        .await
        .expect("scheduled");
    let sweeper = Sweeper::new(config.sweeping.clone(), h.store.clone(), client);
    let swept = sweeper.sweep_due().await.expect("swept");
    assert_eq!(swept.len(), 1);
    let listed = swept[0].1.as_ref().expect("complete").listed;
    assert_eq!(listed, 3);

    // Push: every attempt refused once (the schedule has one attempt: dead letters), then
    // redelivered to an app that takes them.
    let app = AppDouble::start(APP_SECRET).await;
    app.set_faults(AppFaults {
        error_per_mille: 1000,
        ..AppFaults::default()
    });
    config.push.url = Some(app.url());
    config.push.secret = Some(APP_SECRET.parse().expect("a secret"));
    config.push.schedule = vec![Duration::ZERO];
    config.push.timeout = Duration::from_millis(500);
    let pusher = Pusher::new(&config.push, h.store.clone())
        .expect("a pusher")
        .expect("push is on")
        .with_metrics(metrics.clone());
    let entries = pusher.push_due().await.expect("pushed");
    assert!(entries >= 3, "{entries} entries");
    app.set_faults(AppFaults::default());
    // On PostgreSQL the feed shows entries once every transaction older than theirs ended
    // (other tests' included): wait for all of them.
    let feed = eventually("every entry in the feed", || async {
        let feed = h.store.feed(FeedCursor::START, 100).await.ok()?;
        (feed.entries.len() >= entries).then_some(feed)
    })
    .await;
    for entry in &feed.entries {
        assert!(
            h.store
                .redeliver(&entry.id, Timestamp::now())
                .await
                .expect("redelivered")
        );
    }
    assert_eq!(pusher.push_due().await.expect("pushed"), entries);

    let scraped = Scrape::parse(&metrics.render());
    let counter = |name: &str, labels: &[(&str, &str)]| {
        scraped
            .get(name, labels)
            .unwrap_or_else(|| panic!("{name}{labels:?}"))
    };
    let invitations = |action| counter("nectar_receiver_invitations_total", &[("action", action)]);
    assert_eq!(
        (
            invitations("created"),
            invitations("adopted"),
            invitations("revoked")
        ),
        (1.0, 0.0, 0.0)
    );
    let decided = |outcome| {
        counter(
            "nectar_receiver_account_confirmations_total",
            &[("outcome", outcome)],
        )
    };
    assert_eq!(
        (decided("confirmed"), decided("decided_elsewhere")),
        (1.0, 0.0)
    );
    assert_eq!(
        scraped.sum("nectar_receiver_action_failures_total", &[]),
        0.0
    );
    let company = [("company", COMPANY)];
    assert_eq!(
        counter("nectar_receiver_sweep_connections_listed_total", &company),
        3.0
    );
    assert_eq!(
        counter(
            "nectar_receiver_sweep_connections_not_listed_total",
            &company
        ),
        0.0
    );
    assert_eq!(
        counter(
            "nectar_receiver_sweep_duration_seconds_count",
            &[("company", COMPANY), ("result", "complete")]
        ),
        1.0
    );
    let pushed = |result| counter("nectar_receiver_push_attempts_total", &[("result", result)]);
    let entries = entries as f64;
    assert_eq!(
        (pushed("dead_letter"), pushed("failed"), pushed("delivered")),
        (entries, 0.0, entries)
    );
    let calls = |endpoint| {
        scraped.sum(
            "nectar_receiver_nectar_api_requests_total",
            &[("endpoint", endpoint)],
        )
    };
    assert!(calls("invitation_list") >= 1.0);
    assert_eq!(calls("invitation_create"), 1.0);
    assert!(calls("details") >= 1.0);
    assert_eq!(calls("account_decision"), 1.0);
    assert_eq!(calls("company_list"), 1.0);
    assert_eq!(calls("invitation_revoke"), 0.0);
    let total = scraped.sum("nectar_receiver_nectar_api_requests_total", &[]);
    assert_eq!(
        total,
        api.stats().requests as f64,
        "every request counted once"
    );
    for (key, value) in scraped.label_values() {
        assert!(!value.starts_with("conn-"), "{key}={value}");
        assert!(!value.starts_with("acct-"), "{key}={value}");
    }
    api.stop();
}
