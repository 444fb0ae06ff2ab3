//! A webhook handler's decision logic, as a command: reads a `connection.*.v2` body (or,
//! with `--snapshot`, a polled `GET /connection/{id}/details` body) from a file or stdin,
//! verifies a delivery's Svix signature when given a secret, reconciles it against an
//! optional stored record, and prints the verdict, the remediation, the decision, the derived
//! notifications and the record to store.
//!
//! ```sh
//! cargo run --example webhook_handler -- support/fixtures/webhooks/updated-status.json
//! cargo run --example webhook_handler -- --stored record.json --svix-id msg_1 body.json
//! cat body.json | cargo run --example webhook_handler
//!
//! # A polled snapshot takes the same path (no delivery id, no signature).
//! cargo run --example webhook_handler -- --snapshot --stored record.json details.json
//!
//! # Verify first (needs the `verify` feature), then parse. `--secret` may be repeated while
//! # rotating; `--now` is Unix seconds and defaults to the clock.
//! cargo run --features verify --example webhook_handler -- \
//!     --secret whsec_... --svix-id msg_... --svix-timestamp 1795597202 \
//!     --svix-signature 'v1,...' [--now 1795597205] body.json
//! ```
//!
//! `--stored FILE` reads a [`Record`] as stored (the earlier `LastSeen` form too); a file
//! holding `null` is no record yet.
//!
//! # `--json`: one object on stdout, for a pipeline or a test in any language
//!
//! ```json
//! {"observation": "delivery",             // or "snapshot"
//!  "connection": "a6c70a54-...",          // the observed connection's id
//!  "delivery": "msg_2",                   // --svix-id, or null
//!  "verified": null,                      // or {"id", "timestamp", "secret_index", "secret_count"}
//!  "assessment": {"verdict": {...}, ...}, // the event's change (old.status -> status); null for a snapshot
//!  "decision": "apply",                   // apply | duplicate | stale | gap | other_connection
//!  "detail": null,                        // why, for any other decision (see below)
//!  "summary": "apply: PENDING -> CONNECTED; ...",
//!  "changes": {"from": "PENDING", "to": "CONNECTED", "fields": [...], ...},  // null unless applied
//!  "notifications": [],                   // the notifications to send ([] unless applied)
//!  "record": {"connection": {...}, "recentEventIds": ["msg_1", "msg_2"], ...}}
//! ```
//!
//! `assessment`, `changes` and `record` are the library's serde forms of [`Assessment`],
//! [`Changes`](webhook::Changes) and [`Record`]. `record` is what to store before the next
//! call, `null` when the stored record stays as it is (a redelivery, the same snapshot again,
//! another connection's record). `detail` is `{"reason": "same_delivery" | "same_version"}`
//! for a duplicate, `{"stored", "incoming"}` (versions) for a stale observation,
//! `{"stored", "incoming"}` (ids) for another connection's record, and the gap (`{"gap":
//! "missed", "stored", "event_old", "incoming"}` or `{"gap": "unordered", "stored",
//! "incoming"}`). So a sequence of deliveries and polls runs as:
//!
//! ```sh
//! echo null > record.json
//! for step in "--svix-id msg_1 created.json" "--svix-id msg_2 updated.json" "--snapshot details.json"; do
//!     out=$(cargo run -q --example webhook_handler -- --json --stored record.json $step)
//!     echo "$out" | jq -r .decision
//!     echo "$out" | jq -e '.record != null' >/dev/null && echo "$out" | jq .record > record.json
//! done
//! ```
//!
//! Exits 0 after printing (whatever the decision), 1 on a body or stored record it cannot
//! read or a body that fails verification (the reason on stderr, nothing on stdout), 2 on bad
//! arguments (including a malformed secret, `--secret` in a build without the `verify`
//! feature, or `--secret` or `--svix-id` with `--snapshot`: a polled body has neither).

use std::io::Read;
use std::process::ExitCode;

use nectar_lifecycle::webhook::{
    self, Assessment, ConnectionPayload, Decision, Observation, Record, Webhook, reconcile,
};
use serde_json::{Value, json};

/// A parsed `--secret`. Without the `verify` feature there is none: `--secret` is refused.
#[cfg(feature = "verify")]
type Secret = nectar_lifecycle::verify::WebhookSecret;
#[cfg(not(feature = "verify"))]
type Secret = std::convert::Infallible;

/// What the body is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// A webhook delivery (`connection.*.v2`).
    Delivery,
    /// A polled `GET /connection/{id}/details` response.
    Snapshot,
}

/// How the outcome is printed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    /// Aligned lines, for a person.
    Text,
    /// One JSON object, for a program.
    Json,
}

struct Args {
    body: Option<String>,
    kind: BodyKind,
    output: Output,
    stored: Option<String>,
    svix_id: Option<String>,
    svix_timestamp: Option<String>,
    svix_signature: Option<String>,
    secrets: Vec<Secret>,
    now: Option<jiff::Timestamp>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        body: None,
        kind: BodyKind::Delivery,
        output: Output::Text,
        stored: None,
        svix_id: None,
        svix_timestamp: None,
        svix_signature: None,
        secrets: Vec::new(),
        now: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--snapshot" => args.kind = BodyKind::Snapshot,
            "--json" => args.output = Output::Json,
            "--stored" => args.stored = Some(it.next().ok_or("--stored needs a file")?),
            "--svix-id" => args.svix_id = Some(it.next().ok_or("--svix-id needs a value")?),
            "--svix-timestamp" => {
                args.svix_timestamp = Some(it.next().ok_or("--svix-timestamp needs a value")?);
            }
            "--svix-signature" => {
                args.svix_signature = Some(it.next().ok_or("--svix-signature needs a value")?);
            }
            "--secret" => args
                .secrets
                .push(parse_secret(&it.next().ok_or("--secret needs a value")?)?),
            "--now" => {
                let now = it.next().ok_or("--now needs Unix seconds")?;
                args.now = Some(
                    now.parse()
                        .ok()
                        .and_then(|seconds| jiff::Timestamp::from_second(seconds).ok())
                        .ok_or_else(|| format!("--now {now}: not Unix seconds"))?,
                );
            }
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}")),
            file => args.body = Some(file.to_owned()),
        }
    }
    if args.kind == BodyKind::Snapshot {
        // A polled body is fetched with the API key over TLS: Svix signs only deliveries.
        if !args.secrets.is_empty() || args.svix_signature.is_some() {
            return Err("--snapshot: a polled body is not signed; drop --secret".into());
        }
        if args.svix_id.is_some() {
            return Err("--snapshot: a polled body has no delivery id; drop --svix-id".into());
        }
    }
    Ok(args)
}

#[cfg(feature = "verify")]
fn parse_secret(secret: &str) -> Result<Secret, String> {
    // The message names what is wrong, never the secret.
    secret.parse().map_err(|e| format!("--secret: {e}"))
}

#[cfg(not(feature = "verify"))]
fn parse_secret(_: &str) -> Result<Secret, String> {
    Err("--secret needs the `verify` feature: cargo run --features verify --example webhook_handler".into())
}

/// A delivery whose signature verified.
struct Authenticated {
    id: String,
    timestamp: jiff::Timestamp,
    secret_index: usize,
    secret_count: usize,
}

/// Verifies the body against `--secret`s and the three headers, before anything parses it.
/// `Ok(None)` when no secret was given.
#[cfg(feature = "verify")]
fn authenticate(args: &Args, body: &[u8]) -> Result<Option<Authenticated>, String> {
    use nectar_lifecycle::verify::Verifier;

    let mut secrets = args.secrets.iter().cloned();
    let Some(first) = secrets.next() else {
        return Ok(None);
    };
    let verifier = secrets.fold(Verifier::new(first), Verifier::with_secret);
    // The example may read the clock; the library never does.
    let now = args.now.unwrap_or_else(jiff::Timestamp::now);
    // Only the headers given are sent, so a missing one is reported as missing.
    let headers = [
        ("svix-id", &args.svix_id),
        ("svix-timestamp", &args.svix_timestamp),
        ("svix-signature", &args.svix_signature),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_deref().map(|value| (name, value)));
    let verified = verifier
        .verify(body, headers, now)
        .map_err(|e| format!("webhook verification failed: {e}"))?;
    Ok(Some(Authenticated {
        id: verified.id,
        timestamp: verified.timestamp,
        secret_index: verified.secret_index,
        secret_count: verifier.secret_count(),
    }))
}

#[cfg(not(feature = "verify"))]
fn authenticate(args: &Args, _: &[u8]) -> Result<Option<Authenticated>, String> {
    match args.secrets.first() {
        Some(never) => match *never {},
        None => Ok(None),
    }
}

fn read(path: Option<&str>) -> Result<Vec<u8>, String> {
    match path {
        Some(path) => std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}")),
        None => {
            let mut body = Vec::new();
            std::io::stdin()
                .read_to_end(&mut body)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            Ok(body)
        }
    }
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!(
                "{message}\nusage: webhook_handler [--json] [--stored RECORD.json] \
                 [--snapshot | [--svix-id ID] [--secret whsec_... ... --svix-timestamp SECONDS \
                 --svix-signature 'v1,...' [--now SECONDS]]] [BODY.json]"
            );
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A parsed body.
enum Body {
    Delivery(Webhook),
    Snapshot(ConnectionPayload),
}

/// Everything decided about one body, ready to print.
struct Outcome<'a> {
    observation: Observation<'a>,
    verified: Option<Authenticated>,
    /// The event's change, for a delivery.
    assessment: Option<Assessment>,
    decision: Decision,
    /// The record to store, `None` when the stored one stays.
    next: Option<Record>,
}

fn run(args: &Args) -> Result<(), String> {
    let bytes = read(args.body.as_deref())?;
    // Verify first: nothing in an unverified body is trusted, not even its JSON shape.
    let verified = authenticate(args, &bytes)?;
    if verified.is_none()
        && (args.svix_timestamp.is_some() || args.svix_signature.is_some() || args.now.is_some())
    {
        eprintln!("note: without --secret, the body is not verified");
    }
    let body = match args.kind {
        BodyKind::Delivery => Body::Delivery(webhook::parse(&bytes).map_err(|e| e.to_string())?),
        BodyKind::Snapshot => {
            Body::Snapshot(webhook::parse_details(&bytes).map_err(|e| e.to_string())?)
        }
    };
    // `null` in the file is no record yet.
    let stored: Option<Record> = match &args.stored {
        Some(path) => serde_json::from_slice(&read(Some(path))?)
            .map_err(|e| format!("stored record {path}: {e}"))?,
        None => None,
    };
    let (observation, assessment) = match &body {
        Body::Delivery(event) => (
            Observation::Delivery {
                id: args.svix_id.as_deref(),
                webhook: event,
            },
            Some(event.assess()),
        ),
        Body::Snapshot(connection) => (Observation::Snapshot(connection), None),
    };
    let decision = reconcile(stored.as_ref(), observation);
    let next = Record::after(stored.as_ref(), observation, &decision);
    let outcome = Outcome {
        observation,
        verified,
        assessment,
        decision,
        next,
    };
    match args.output {
        Output::Text => print_text(&outcome),
        Output::Json => print_json(&outcome),
    }
    .map_err(|e| e.to_string())
}

fn print_text(outcome: &Outcome<'_>) -> Result<(), serde_json::Error> {
    if let Some(v) = &outcome.verified {
        println!(
            "verified:     {} signed at {} (secret #{} of {})",
            v.id,
            v.timestamp,
            v.secret_index + 1,
            v.secret_count
        );
    }
    let connection = outcome.observation.connection();
    match outcome.observation {
        Observation::Delivery { webhook, .. } => println!(
            "event:        {} for connection {}",
            webhook.event_type.as_str(),
            connection.id
        ),
        Observation::Snapshot(_) => println!(
            "snapshot:     GET {} (polled)",
            webhook::details_path(&connection.id)
        ),
    }
    match outcome.observation.old_status() {
        Some(old) => println!("status:       {old} -> {}", connection.status),
        None => println!("status:       {}", connection.status),
    }
    if let Some(assessment) = &outcome.assessment {
        println!("verdict:      {}", assessment.verdict);
        if let Some(category) = assessment.category {
            println!("category:     {category}");
        }
        match &assessment.remediation {
            Some(remediation) => println!(
                "remediation:  {} (who acts: {})",
                serde_json::to_string(remediation)?,
                remediation.actor()
            ),
            None => println!("remediation:  unknown status, none known"),
        }
        println!(
            "collection:   {}",
            if assessment.collection_halted {
                "halted until the end user acts"
            } else if assessment.collection_stopped {
                "stopped by the system"
            } else {
                "running"
            }
        );
    }
    println!("reconcile:    {}", outcome.decision);
    if let Decision::Apply(changes) = &outcome.decision {
        println!("notify:       {}", changes.notifications);
    }
    if let Some(next) = &outcome.next {
        println!("store:        {}", serde_json::to_string(next)?);
    }
    Ok(())
}

fn print_json(outcome: &Outcome<'_>) -> Result<(), serde_json::Error> {
    let (observation, delivery) = match outcome.observation {
        Observation::Delivery { id, .. } => ("delivery", id),
        Observation::Snapshot(_) => ("snapshot", None),
    };
    // The decision's own serialization, its tag taken out as the decision's name.
    let mut detail = serde_json::to_value(&outcome.decision)?;
    let name = detail
        .as_object_mut()
        .and_then(|fields| fields.remove("decision"))
        .unwrap_or(Value::Null);
    let (detail, changes) = match &outcome.decision {
        Decision::Apply(changes) => (Value::Null, Some(changes)),
        // A tagged newtype of a unit variant serializes as `{"same_delivery": null}`.
        Decision::Duplicate(reason) => (json!({ "reason": reason }), None),
        Decision::Stale { .. } | Decision::Gap(_) | Decision::OtherConnection { .. } => {
            (detail, None)
        }
    };
    let verified = outcome.verified.as_ref().map(|v| {
        json!({
            "id": v.id,
            "timestamp": v.timestamp,
            "secret_index": v.secret_index,
            "secret_count": v.secret_count,
        })
    });
    let printed = json!({
        "observation": observation,
        "connection": outcome.observation.connection().id,
        "delivery": delivery,
        "verified": verified,
        "assessment": outcome.assessment,
        "decision": name,
        "detail": detail,
        "summary": outcome.decision.to_string(),
        "changes": changes,
        "notifications": changes.map(|c| c.notifications).unwrap_or_default(),
        "record": outcome.next,
    });
    println!("{printed}");
    Ok(())
}
