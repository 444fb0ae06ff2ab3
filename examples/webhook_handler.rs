//! A webhook handler's decision logic, as a command: reads a `connection.*.v2` body from a
//! file (or stdin), verifies its Svix signature when given a secret, and prints the verdict,
//! the remediation, the reconcile decision against an optional stored record, and the derived
//! notifications.
//!
//! ```sh
//! cargo run --example webhook_handler -- support/fixtures/webhooks/updated-status.json
//! cargo run --example webhook_handler -- --stored last-seen.json --svix-id msg_1 body.json
//! cat body.json | cargo run --example webhook_handler
//!
//! # Verify first (needs the `verify` feature), then parse. `--secret` may be repeated while
//! # rotating; `--now` is Unix seconds and defaults to the clock.
//! cargo run --features verify --example webhook_handler -- \
//!     --secret whsec_... --svix-id msg_... --svix-timestamp 1795597202 \
//!     --svix-signature 'v1,...' [--now 1795597205] body.json
//! ```
//!
//! Exits 0 after printing, 1 on a body it cannot read or that fails verification (the reason
//! is printed), 2 on bad arguments (including a malformed secret, or `--secret` in a build
//! without the `verify` feature).

use std::io::Read;
use std::process::ExitCode;

use nectar_lifecycle::webhook::{self, Decision, Observation, Record, reconcile};

/// A parsed `--secret`. Without the `verify` feature there is none: `--secret` is refused.
#[cfg(feature = "verify")]
type Secret = nectar_lifecycle::verify::WebhookSecret;
#[cfg(not(feature = "verify"))]
type Secret = std::convert::Infallible;

struct Args {
    body: Option<String>,
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

/// Verifies the body against `--secret`s and the three headers, before anything parses it.
/// `Ok(None)` when no secret was given.
#[cfg(feature = "verify")]
fn authenticate(args: &Args, body: &[u8]) -> Result<Option<String>, String> {
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
    Ok(Some(format!(
        "{} signed at {} (secret #{} of {})",
        verified.id,
        verified.timestamp,
        verified.secret_index + 1,
        verifier.secret_count()
    )))
}

#[cfg(not(feature = "verify"))]
fn authenticate(args: &Args, _: &[u8]) -> Result<Option<String>, String> {
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
                "{message}\nusage: webhook_handler [--stored LAST_SEEN.json] [--svix-id ID] \
                 [--secret whsec_... ... --svix-timestamp SECONDS --svix-signature 'v1,...' \
                 [--now SECONDS]] [BODY.json]"
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

fn run(args: &Args) -> Result<(), String> {
    let body = read(args.body.as_deref())?;
    // Verify first: nothing in an unverified body is trusted, not even its JSON shape.
    let verified = authenticate(args, &body)?;
    if verified.is_none()
        && (args.svix_timestamp.is_some() || args.svix_signature.is_some() || args.now.is_some())
    {
        eprintln!("note: without --secret, the body is not verified");
    }
    let event = webhook::parse(&body).map_err(|e| e.to_string())?;
    if let Some(verified) = &verified {
        println!("verified:     {verified}");
    }
    let stored: Option<Record> = match &args.stored {
        Some(path) => Some(
            serde_json::from_slice(&read(Some(path))?)
                .map_err(|e| format!("stored record {path}: {e}"))?,
        ),
        None => None,
    };

    let connection = &event.connection;
    println!(
        "event:        {} for connection {}",
        event.event_type.as_str(),
        connection.id
    );
    match event.previous_status() {
        Some(old) => println!("status:       {old} -> {}", connection.status),
        None => println!("status:       {}", connection.status),
    }
    let assessment = event.assess();
    println!("verdict:      {}", assessment.verdict);
    if let Some(category) = assessment.category {
        println!("category:     {category}");
    }
    match &assessment.remediation {
        Some(remediation) => println!(
            "remediation:  {} (who acts: {})",
            serde_json::to_string(remediation).map_err(|e| e.to_string())?,
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
    let observation = Observation::Delivery {
        id: args.svix_id.as_deref(),
        webhook: &event,
    };
    let decision = reconcile(stored.as_ref(), observation);
    println!("reconcile:    {decision}");
    if let Decision::Apply(changes) = &decision {
        println!("notify:       {}", changes.notifications);
    }
    if let Some(next) = Record::after(stored.as_ref(), observation, &decision) {
        println!(
            "store:        {}",
            serde_json::to_string(&next).map_err(|e| e.to_string())?
        );
    }
    Ok(())
}
