//! Test support for the workspace: the fixtures copied from Nectar's spec and readers for
//! them. Test code only: it panics on a malformed fixture, which is a test failure.

use std::path::PathBuf;

use nectar_lifecycle_core::{
    AccountEvent, ConnectionEvent, Enumerated, Inference, OverlayChange, Provenance, Rule, Target,
};

/// Nectar's "Connection lifecycle" page, copied verbatim.
pub const SPEC: &str = include_str!("../fixtures/connection-lifecycle.md");

/// The hand-written expectation of every connection cell (`FROM EVENT TARGET PROVENANCE`).
pub const CONNECTION_CELLS: &str = include_str!("../fixtures/connection-cells.txt");

/// The hand-written expectation of every account cell.
pub const ACCOUNT_CELLS: &str = include_str!("../fixtures/account-cells.txt");

/// The directory of the webhook body fixtures (`bad-*` are malformed on purpose).
#[must_use]
pub fn webhook_fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/webhooks")
}

/// The bytes of one webhook body fixture.
///
/// # Panics
/// When the fixture does not exist (a test failure).
#[must_use]
pub fn webhook_fixture(name: &str) -> Vec<u8> {
    read_fixture(webhook_fixtures(), name)
}

/// The bytes of fixture `name` in `dir`; a missing fixture fails the test.
fn read_fixture(dir: PathBuf, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// The `A --> B: label` edges of the page's Mermaid diagram, `[*]` excluded.
pub fn diagram_edges() -> Vec<(String, String, String)> {
    let block = SPEC
        .split("```mermaid")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the spec has a mermaid block");
    block
        .lines()
        .map(str::trim)
        .filter(|l| l.contains("-->") && !l.starts_with("[*]"))
        .map(|l| {
            let (arrow, label) = l.split_once(':').expect("every edge has a label");
            let (from, to) = arrow.split_once("-->").expect("an arrow");
            (
                from.trim().to_owned(),
                label.trim().to_owned(),
                to.trim().to_owned(),
            )
        })
        .collect()
}

/// The rows of the first Markdown table after the heading `heading`, as cells (header and
/// separator rows excluded).
pub fn spec_table(heading: &str) -> Vec<Vec<String>> {
    let after = SPEC
        .split_once(heading)
        .unwrap_or_else(|| panic!("heading {heading:?} in the spec"))
        .1;
    after
        .lines()
        .skip_while(|l| !l.trim_start().starts_with('|'))
        .take_while(|l| l.trim_start().starts_with('|'))
        .skip(2)
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect()
}

/// The "API value" column (the second) of the table after `heading`.
pub fn api_values(heading: &str) -> Vec<String> {
    spec_table(heading)
        .into_iter()
        .map(|row| row[1].clone())
        .collect()
}

/// One expected cell of a hand-written table fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The visible status the event is applied to.
    pub from: String,
    /// The event's Rust name.
    pub event: String,
    /// The status reached, `RESTORE` for a lifted overlay, `-` when not allowed.
    pub target: String,
    /// The provenance name, `-` when not allowed.
    pub provenance: String,
}

/// Parses a `FROM EVENT TARGET PROVENANCE` fixture.
pub fn cells(text: &str) -> Vec<Cell> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<_> = l.split_whitespace().collect();
            assert_eq!(f.len(), 4, "malformed cell line {l:?}");
            Cell {
                from: f[0].to_owned(),
                event: f[1].to_owned(),
                target: f[2].to_owned(),
                provenance: f[3].to_owned(),
            }
        })
        .collect()
}

/// The name a fixture uses for a provenance.
pub fn provenance_name(p: Provenance) -> String {
    match p {
        Provenance::Diagram => "diagram".to_owned(),
        Provenance::System => "system".to_owned(),
        Provenance::Inferred(i) => i.to_string(),
    }
}

/// The name a fixture uses for a rule: `(TARGET, PROVENANCE)`; a raised overlay is named
/// by the status it shows, a lifted one `RESTORE`.
pub fn rule_names<S, O>(rule: Rule<S, O>, overlay_status: impl Fn(O) -> S) -> (String, String)
where
    S: std::fmt::Display,
{
    let target = match rule.target {
        Target::Status(s) => s.to_string(),
        Target::Overlay(OverlayChange::Raise(o)) => overlay_status(o).to_string(),
        Target::Overlay(OverlayChange::Lift(_)) => "RESTORE".to_owned(),
    };
    (target, provenance_name(rule.provenance))
}

/// Every inference name, so fixtures cannot name an unknown one.
pub fn inference_names() -> Vec<String> {
    <Inference as strum::VariantArray>::VARIANTS
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// Looks an event up by its Rust name.
pub fn connection_event(name: &str) -> ConnectionEvent {
    *ConnectionEvent::ALL
        .iter()
        .find(|e| format!("{e:?}") == name)
        .unwrap_or_else(|| panic!("no connection event {name}"))
}

/// Looks an account event up by its Rust name.
pub fn account_event(name: &str) -> AccountEvent {
    *AccountEvent::ALL
        .iter()
        .find(|e| format!("{e:?}") == name)
        .unwrap_or_else(|| panic!("no account event {name}"))
}

/// The `code spans` of a line of Markdown, in order.
pub fn code_spans(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

/// The proptest case count: `default` in CI, `PROPTEST_CASES` when set (for long runs).
pub fn proptest_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The directory of the polled body fixtures: `GET /connection/{id}/details` (`details*`)
/// and `GET /connection/company/{id}` (`company-list*`); `bad-*` are malformed on purpose.
#[must_use]
pub fn poll_fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/polls")
}

/// The bytes of one polled body fixture.
///
/// # Panics
/// When the fixture does not exist (a test failure).
#[must_use]
pub fn poll_fixture(name: &str) -> Vec<u8> {
    read_fixture(poll_fixtures(), name)
}
