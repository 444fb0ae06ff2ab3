//! A webhook handler's decision logic, as a command: reads a `connection.*.v2` body from a
//! file (or stdin) and prints the verdict, the remediation, the reconcile decision against
//! an optional stored record, and the derived notifications.
//!
//! ```sh
//! cargo run --example webhook_handler -- tests/fixtures/webhooks/updated-status.json
//! cargo run --example webhook_handler -- --stored last-seen.json --svix-id msg_1 body.json
//! cat body.json | cargo run --example webhook_handler
//! ```
//!
//! Exits 0 after printing, 1 on a body it cannot read, 2 on bad arguments.

use std::io::Read;
use std::process::ExitCode;

use nectar_lifecycle::webhook::{self, Decision, LastSeen, reconcile};

struct Args {
    body: Option<String>,
    stored: Option<String>,
    svix_id: Option<String>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        body: None,
        stored: None,
        svix_id: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--stored" => args.stored = Some(it.next().ok_or("--stored needs a file")?),
            "--svix-id" => args.svix_id = Some(it.next().ok_or("--svix-id needs a value")?),
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown flag {flag}")),
            file => args.body = Some(file.to_owned()),
        }
    }
    Ok(args)
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
                "{message}\nusage: webhook_handler [--stored LAST_SEEN.json] [--svix-id ID] [BODY.json]"
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
    let event = webhook::parse(&body).map_err(|e| e.to_string())?;
    let stored: Option<LastSeen> = match &args.stored {
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
    let decision = reconcile(stored.as_ref(), args.svix_id.as_deref(), &event);
    println!("reconcile:    {decision}");
    if let Decision::Apply { notifications, .. } = &decision {
        println!("notify:       {notifications}");
        let next = LastSeen::after(stored.as_ref(), args.svix_id.as_deref(), &event);
        println!(
            "store:        {}",
            serde_json::to_string(&next).map_err(|e| e.to_string())?
        );
    }
    Ok(())
}
