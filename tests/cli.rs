//! The example handler's command line (`examples/webhook_handler.rs`) driven as a program in
//! any language would: one `--json` object per call, the record kept in a file between calls
//! with `--stored`. The example is built once through cargo (`env!("CARGO_BIN_EXE_…")` exists
//! only for binaries), offline, with this test's features and profile so the build `cargo
//! test` already made is reused.
// The example needs the `json` feature; without it there is nothing to drive.
#![cfg(feature = "json")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use nectar_lifecycle::webhook::{self, Record};
use serde_json::Value;

/// The example's executable, built on first use.
fn handler() -> &'static Path {
    static EXECUTABLE: OnceLock<PathBuf> = OnceLock::new();
    EXECUTABLE.get_or_init(|| {
        let features: Vec<&str> = [
            ("json", cfg!(feature = "json")),
            ("verify", cfg!(feature = "verify")),
            ("proptest", cfg!(feature = "proptest")),
        ]
        .into_iter()
        .filter_map(|(name, on)| on.then_some(name))
        .collect();
        let mut build = Command::new(env!("CARGO"));
        build
            .args(["build", "--offline", "--example", "webhook_handler"])
            .args(["--message-format", "json-render-diagnostics"])
            .args(["--no-default-features", "--features", &features.join(",")])
            .arg("--manifest-path")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
        if !cfg!(debug_assertions) {
            build.arg("--release");
        }
        let built = build.output().expect("cargo runs");
        assert!(
            built.status.success(),
            "cargo build --example webhook_handler: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        String::from_utf8_lossy(&built.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|message| message["target"]["name"] == "webhook_handler")
            .and_then(|artifact| artifact["executable"].as_str().map(PathBuf::from))
            .expect("cargo reports the example's executable")
    })
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("support/fixtures")
        .join(path)
}

/// Runs the example with `args`, then `paths` (stdin empty).
fn run(args: &[&str], paths: &[&Path]) -> Output {
    Command::new(handler())
        .args(args)
        .args(paths)
        .output()
        .expect("the example runs")
}

/// A directory of its own for `test`, holding the stored record (`null`: none yet).
fn workdir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(test);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("record.json"), "null").expect("write");
    dir
}

/// One call with `--json --stored DIR/record.json`: exits 0 and prints exactly one JSON
/// object, whose `record` (when not `null`) is stored for the next call, as a caller would.
fn step(dir: &Path, args: &[&str], body: &Path) -> Value {
    let stored = dir.join("record.json");
    let stored_arg = stored.to_str().expect("a UTF-8 path");
    let output = run(
        &[&["--json", "--stored", stored_arg], args].concat(),
        &[body],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{args:?} {body:?}: {stderr}");
    let printed: Value = serde_json::from_slice(&output.stdout).expect("exactly one JSON value");
    assert!(printed.is_object(), "{printed}");
    if !printed["record"].is_null() {
        std::fs::write(&stored, printed["record"].to_string()).expect("store");
    }
    printed
}

fn stored(dir: &Path) -> Record {
    let json = std::fs::read(dir.join("record.json")).expect("read");
    serde_json::from_slice(&json).expect("a record")
}

#[test]
fn a_sequence_of_deliveries_and_a_poll_keeps_one_record() {
    let dir = workdir("sequence");
    let delivery = |id: &str, name: &str| {
        step(
            &dir,
            &["--svix-id", id],
            &fixture(&format!("webhooks/{name}")),
        )
    };

    let created = delivery("msg_1", "created.json");
    assert_eq!(created["observation"], "delivery");
    assert_eq!(created["decision"], "apply");
    assert_eq!(created["changes"]["to"], "PENDING");
    assert_eq!(
        created["assessment"]["verdict"]["verdict"],
        "no_status_change"
    );

    // The status change, as its `updated` event and then its `validated` one.
    let updated = delivery("msg_2", "updated-status.json");
    assert_eq!(updated["decision"], "apply");
    assert_eq!(updated["changes"]["from"], "PENDING");
    assert_eq!(updated["changes"]["to"], "CONNECTED");
    assert_eq!(updated["notifications"], serde_json::json!([]));
    let validated = delivery("msg_3", "validated.json");
    assert_eq!(validated["decision"], "duplicate");
    assert_eq!(validated["detail"]["reason"], "same_version");
    assert!(validated["changes"].is_null());
    // Its id is remembered, so the record changed; Svix's retry of it changes nothing.
    assert!(!validated["record"].is_null());
    let retried = delivery("msg_3", "validated.json");
    assert_eq!(retried["detail"]["reason"], "same_delivery");
    assert!(retried["record"].is_null());

    // An event was missed (WEBSITE_DOWN -> NO_ACCOUNTS_FOUND while CONNECTED is stored).
    let gap = delivery("msg_4", "gap.json");
    assert_eq!(gap["decision"], "gap");
    assert_eq!(gap["detail"]["gap"], "missed");
    assert_eq!(gap["detail"]["stored"], "CONNECTED");
    assert_eq!(gap["detail"]["event_old"], "WEBSITE_DOWN");
    assert!(gap["summary"].as_str().is_some_and(|s| s.contains("poll")));

    // So poll: the snapshot is applied, and becomes the record.
    let details = fixture("polls/details.json");
    let polled = step(&dir, &["--snapshot"], &details);
    assert_eq!(polled["observation"], "snapshot");
    assert!(polled["delivery"].is_null() && polled["assessment"].is_null());
    assert_eq!(polled["decision"], "apply");
    assert_eq!(polled["changes"]["from"], "CONNECTED");
    assert_eq!(polled["changes"]["to"], "PASSWORD_INCORRECT");
    assert_eq!(
        polled["notifications"],
        serde_json::json!(["entered_credential_error"])
    );
    let snapshot = webhook::parse_details(&std::fs::read(&details).expect("read")).expect("parse");
    let record = stored(&dir);
    assert_eq!(record.connection, snapshot);
    assert_eq!(
        record.recent_event_ids,
        ["msg_1", "msg_2", "msg_3", "msg_4"]
    );

    // The same poll again finds nothing new.
    let again = step(&dir, &["--snapshot"], &details);
    assert_eq!(again["detail"]["reason"], "same_version");
    assert!(again["record"].is_null());
    assert_eq!(stored(&dir), record);
}

#[test]
fn a_record_stored_in_the_earlier_form_is_read() {
    let dir = workdir("earlier-form");
    std::fs::write(
        dir.join("record.json"),
        r#"{"connectionId":"a6c70a54-34e7-4277-80b0-412869ce087c","status":"CONNECTED",
            "statusLastUpdateTime":"2026-11-25T09:00:00Z","recentEventIds":["msg_0"]}"#,
    )
    .expect("write");
    let pair = fixture("webhooks/pair-updated.json");
    let redelivered = step(&dir, &["--svix-id", "msg_0"], &pair);
    assert_eq!(redelivered["detail"]["reason"], "same_delivery");
    let applied = step(&dir, &["--svix-id", "msg_1"], &pair);
    assert_eq!(applied["changes"]["from"], "CONNECTED");
    assert_eq!(applied["changes"]["to"], "PASSWORD_INCORRECT");
    assert_eq!(stored(&dir).recent_event_ids, ["msg_0", "msg_1"]);
}

#[test]
fn failures_print_nothing_on_stdout_and_exit_1_or_2() {
    let body = fixture("webhooks/created.json");
    let details = fixture("polls/details.json");
    let bad_body = fixture("webhooks/bad-missing-id.json");
    let bad_details = fixture("polls/bad-status-type.json");
    let cases: [(&[&str], &[&Path], i32); 5] = [
        (&["--json", "--snapshot", "--svix-id", "m"], &[&details], 2),
        (&["--json", "--no-such-flag"], &[&body], 2),
        (&["--json", "--stored"], &[], 2),
        (&["--json"], &[&bad_body], 1),
        (&["--json", "--snapshot"], &[&bad_details], 1),
    ];
    for (args, paths, code) in cases {
        let output = run(args, paths);
        assert_eq!(output.status.code(), Some(code), "{args:?} {paths:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}: says why");
    }
    // A stored record that is neither form is unreadable input.
    let dir = workdir("bad-record");
    std::fs::write(dir.join("record.json"), r#"{"recentEventIds":[]}"#).expect("write");
    let output = run(&["--stored"], &[&dir.join("record.json"), &body]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("connectionId"));
}

#[test]
fn without_json_a_snapshot_prints_lines() {
    let output = run(&["--snapshot"], &[&fixture("polls/details.json")]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("snapshot:     GET /connection/"), "{text}");
    assert!(text.contains("reconcile:    apply: first seen as PASSWORD_INCORRECT"));
}

#[cfg(feature = "verify")]
#[test]
fn a_delivery_is_verified_before_it_is_decided() {
    use nectar_lifecycle::verify::WebhookSecret;

    // Svix's own test secret (`svix/svix-webhooks`, `rust/src/webhooks.rs`).
    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let path = fixture("webhooks/updated-status.json");
    let body = std::fs::read(&path).expect("read");
    let secret: WebhookSecret = SECRET.parse().expect("a valid secret");
    let sent_at: jiff::Timestamp = "2026-11-25T09:00:02Z".parse().expect("timestamp");
    let signed = secret.sign("msg_signed", sent_at, &body);
    let now = (sent_at.as_second() + 3).to_string();
    let verify = |signature: &str| {
        let args = [
            "--json",
            "--secret",
            SECRET,
            "--svix-id",
            &signed.id,
            "--svix-timestamp",
            &signed.timestamp_header(),
            "--svix-signature",
            signature,
            "--now",
            &now,
        ];
        run(&args, &[&path])
    };
    let output = verify(&signed.signature);
    assert_eq!(output.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("one JSON value");
    assert_eq!(printed["verified"]["id"], "msg_signed");
    assert_eq!(printed["verified"]["secret_index"], 0);
    assert_eq!(printed["delivery"], "msg_signed");
    assert_eq!(printed["decision"], "apply");
    // Another signature: refused before anything is decided.
    let output = verify("v1,R3PTzyfHASBKHH98a7yexTwaJ4yNIcGhFQc1yuN+BPU=");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    // A polled body is not signed: --secret with --snapshot is a bad argument.
    let details = fixture("polls/details.json");
    let output = run(&["--snapshot", "--secret", SECRET], &[&details]);
    assert_eq!(output.status.code(), Some(2));
}
