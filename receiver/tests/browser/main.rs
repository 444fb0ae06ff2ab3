//! The dashboard in a real headless Chromium: a receiver on SQLite, seeded through its
//! webhook (and reconnect invitations through the actions worker and a double of Nectar's
//! API), driven by `scripts/dashboard-check.mjs` (playwright-core and Debian's chromium):
//! the pages load with no console error and fetch nothing but the receiver, the counts in
//! the DOM are the database's, the connection page's diagram highlights its status, and a
//! full-page screenshot of each page is kept in `<target dir>/dashboard-check/`.
//!
//! Needs `node`, `chromium` (or `CHROMIUM`) and the npm package playwright-core in
//! `<target dir>/dashboard-check/node_modules` (`bash scripts/dashboard-check.sh` installs
//! them and runs this test). Without them the test passes without running, saying so,
//! unless `NECTAR_BROWSER_TEST=required` (as in CI), when it fails.

#[path = "../support/mod.rs"]
mod support;

use core::time::Duration;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::{AccountPayload, Company, ConnectionPayload, Datasource, Reported};
use nectar_lifecycle::{AccountStatus, TrackingStatus};
use nectar_receiver::{
    ActionWorker, ApiKey, Config, Engine, NectarApi as ApiConfig, NectarClient, WorklistQuery,
};
use serde_json::Value;

use support::nectar_api::{DOUBLE_API_KEY, NectarApi};
use support::{API_TOKEN, Harness, events, test_config};

/// The variable that makes a missing browser a failure (`required`), as in CI.
const REQUIRED_VAR: &str = "NECTAR_BROWSER_TEST";

/// How long the browser may take for all the pages.
const BROWSER_BUDGET: Duration = Duration::from_secs(120);

const COMPANY: &str = "co-1";

/// The connection whose page is checked: PASSWORD_INCORRECT, CONNECTED, MFA_TOKEN_EXPIRED.
const CHECKED: &str = "conn-mfa";

/// Connections whose pages are visited too (for their console and screenshot): one under
/// an overlay (two diagrams), one whose provider's name is markup.
const ALSO_SHOWN: [&str; 2] = ["conn-off", "conn-xss"];

/// A provider's name that would run if it were not escaped (and the CSP would report it).
const HOSTILE_PROVIDER: &str = "<script>window.__pwned = true</script> Power & Light";

/// `<target dir>/NAME`.
fn target_dir(name: &str) -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join(name)
}

/// What the browser check needs, or why it cannot run here.
struct Tools {
    node: String,
    work: PathBuf,
}

fn tools() -> Result<Tools, String> {
    let node = std::env::var("NODE").unwrap_or_else(|_| "node".to_owned());
    let runs = std::process::Command::new(&node)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !runs {
        return Err(format!(
            "`{node}` does not run (set NODE, or install Node.js)"
        ));
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !Path::new(&chromium).exists() {
        return Err(format!(
            "no Chromium at {chromium} (apt-get install chromium, or set CHROMIUM)"
        ));
    }
    let work = target_dir("dashboard-check");
    if !work
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        return Err(format!(
            "no playwright-core in {} (bash scripts/dashboard-check.sh installs it)",
            work.join("node_modules").display()
        ));
    }
    Ok(Tools { node, work })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_headless_chromium() {
    let tools = match tools() {
        Ok(tools) => tools,
        Err(missing) => {
            let required = std::env::var(REQUIRED_VAR).is_ok_and(|v| v == "required");
            assert!(!required, "{REQUIRED_VAR}=required, but {missing}");
            eprintln!("skipped: the browser test cannot run here: {missing}");
            return;
        }
    };
    let harness = Harness::start_with(Engine::Sqlite, invitations_on)
        .await
        .expect("SQLite is always there");
    let api = NectarApi::start().await;
    let worker = action_worker(&harness, &api);
    seed(&harness, &api, &worker).await;
    check_in_browser(&harness, &api, &tools).await;
    api.stop();
    harness.stop().await;
}

fn invitations_on(config: &mut Config) {
    config.actions.reconnect_invitations = true;
    // The test runs the worker; the receiver's own looks once at start, then idles.
    config.actions.check_every = Duration::from_secs(3600);
}

/// An actions worker on the harness's store, calling the double `api`.
fn action_worker(h: &Harness, api: &NectarApi) -> ActionWorker {
    let mut config = test_config(&h.db, api.addr);
    invitations_on(&mut config);
    config.api = ApiConfig {
        base_url: api.base_url(),
        key: Some(ApiKey::new(DOUBLE_API_KEY)),
    };
    config.etiquette.attempts = core::num::NonZeroU32::MIN;
    let client = NectarClient::new(&config).expect("a client");
    ActionWorker::new(config.actions, h.store.clone(), client)
}

/// Connection `id` of [`COMPANY`] at `provider`, in `status` since `hours_ago`.
fn payload(id: &str, provider: &str, status: S, hours_ago: i64) -> ConnectionPayload {
    let at = Timestamp::now() - SignedDuration::from_hours(hours_ago);
    ConnectionPayload {
        updated: Some(at.to_string()),
        status_last_update_time: Some(at),
        status_first_seen_time: Some(at),
        is_active: Some(status != S::Deactivated),
        datasource: Some(Datasource {
            name: Some(provider.to_owned()),
            url: None,
        }),
        company: Some(Company {
            id: Some(COMPANY.to_owned()),
            name: Some("Acme Property Management".to_owned()),
            external_id: None,
        }),
        external_id: Some(format!("site-{}", id.trim_start_matches("conn-"))),
        ..ConnectionPayload::new(id, status)
    }
}

/// Delivers the history of `id`: each `(status, hours_ago)` in turn, through the webhook,
/// with the double of Nectar's API holding each state and the actions worker run after each
/// change (so a credential error gets its reconnect link).
async fn deliver_history(
    h: &Harness,
    api: &NectarApi,
    worker: &ActionWorker,
    id: &str,
    provider: &str,
    steps: &[(S, i64)],
    accounts: &[AccountPayload],
) {
    let mut before: Option<ConnectionPayload> = None;
    for (n, &(status, hours_ago)) in steps.iter().enumerate() {
        let next = ConnectionPayload {
            accounts: accounts.to_vec(),
            ..payload(id, provider, status, hours_ago)
        };
        api.put(COMPANY, next.clone());
        for (m, webhook) in events(before.as_ref(), &next).iter().enumerate() {
            let answer = h.deliver(&format!("{id}.{n}.{m}"), webhook).await;
            assert_eq!(answer.status, StatusCode::OK, "{id}: {}", answer.body);
        }
        worker.work_due().await.expect("the actions worker runs");
        before = Some(next);
    }
}

fn account(id: &str, number: &str, status: AccountStatus) -> AccountPayload {
    AccountPayload {
        id: Some(id.to_owned()),
        account_number: Some(number.to_owned()),
        status: Some(Reported::Known(status)),
        tracking_status: Some(Reported::Known(TrackingStatus::Enabled)),
        ..AccountPayload::default()
    }
}

/// Ten connections in every group: credential errors with reconnect links, a provider
/// error, the overlays, a new one, and one whose provider's name is markup.
async fn seed(h: &Harness, api: &NectarApi, worker: &ActionWorker) {
    let accounts = [
        account("acc-1", "4401-2231-09", AccountStatus::PullCompleted),
        account("acc-2", "4401-2231-10", AccountStatus::Onboarded),
    ];
    // Each connection: its id, its provider, its statuses with how many hours ago, its
    // accounts.
    type History<'a> = (&'a str, &'a str, &'a [(S, i64)], &'a [AccountPayload]);
    let histories: [History<'_>; 10] = [
        (
            CHECKED,
            "Pacific Gas & Electric",
            &[
                (S::Pending, 24 * 40),
                (S::Connected, 24 * 38),
                (S::PasswordIncorrect, 24 * 20),
                (S::Connected, 24 * 12),
                (S::MfaTokenExpired, 24 * 3),
            ],
            &accounts,
        ),
        (
            "conn-pw",
            "Con Edison",
            &[(S::Connected, 24 * 60), (S::PasswordIncorrect, 26)],
            &[],
        ),
        (
            "conn-ok",
            "Duke Energy",
            &[(S::Pending, 24 * 9), (S::Connected, 24 * 7)],
            &[],
        ),
        (
            "conn-down",
            "Southern California Edison",
            &[(S::Connected, 24 * 30), (S::WebsiteDown, 5)],
            &[],
        ),
        (
            "conn-company",
            "Georgia Power",
            &[(S::Connected, 24 * 90), (S::CompanyInactive, 24 * 15)],
            &[],
        ),
        (
            "conn-off",
            "National Grid",
            &[(S::Connected, 24 * 90), (S::Deactivated, 24 * 45)],
            &[],
        ),
        ("conn-new", "Xcel Energy", &[(S::Pending, 3)], &[]),
        (
            "conn-other",
            "Dominion Energy",
            &[(S::Connected, 24 * 50), (S::OtherError, 24 * 2)],
            &[],
        ),
        (
            "conn-reset",
            "Florida Power & Light",
            &[(S::Connected, 24 * 70), (S::NewPasswordNeeded, 40)],
            &[],
        ),
        // Out of the end user's tab, so that its screenshot can illustrate the README.
        (
            "conn-xss",
            HOSTILE_PROVIDER,
            &[(S::Connected, 24 * 10), (S::WebsiteDown, 30)],
            &[],
        ),
    ];
    for (id, provider, steps, accounts) in histories {
        deliver_history(h, api, worker, id, provider, steps, accounts).await;
    }
}

async fn check_in_browser(h: &Harness, api: &NectarApi, tools: &Tools) {
    let script = tools.work.join("dashboard-check.mjs");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/dashboard-check.mjs");
    std::fs::copy(&source, &script).expect("the script copied next to its node_modules");
    let shots = tools.work.join("screenshots");
    let base = h.url("");
    let run = tokio::process::Command::new(&tools.node)
        .arg(&script)
        .args([base.as_str(), API_TOKEN])
        .arg(&shots)
        .arg(CHECKED)
        .args(ALSO_SHOWN)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(BROWSER_BUDGET, run)
        .await
        .unwrap_or_else(|_| panic!("the browser did not finish within {BROWSER_BUDGET:?}"))
        .expect("node runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "dashboard-check.mjs failed: {stderr}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "no JSON report ({err}): {}\n{stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    eprintln!("the browser's report: {report:#}");
    assert!(
        report["fatal"].is_null(),
        "the browser check stopped: {}",
        report["fatal"]
    );

    // Nothing went wrong in the browser, nothing was fetched from elsewhere.
    for list in [
        "console",
        "pageErrors",
        "failedRequests",
        "refusedRequests",
        "dialogs",
    ] {
        assert_eq!(
            report[list],
            Value::Array(Vec::new()),
            "{list}: {:#}",
            report[list]
        );
    }
    assert_eq!(report["tokenInUrl"], false, "the token was in an address");

    // Signed in through the form; the cookie as documented.
    assert_eq!(report["signIn"]["redirectedTo"], "/login");
    assert_eq!(report["signIn"]["landedOn"], "/");
    let cookie = &report["cookie"];
    assert_eq!(cookie["httpOnly"], true, "{cookie}");
    assert_eq!(cookie["sameSite"], "Strict", "{cookie}");
    assert_eq!(cookie["path"], "/", "{cookie}");
    assert_eq!(cookie["holdsToken"], false, "{cookie}");
    assert_eq!(cookie["readableByScript"], false, "{cookie}");

    // The counts in the DOM are the database's.
    let counts = h
        .store
        .worklist(&WorklistQuery::default())
        .await
        .expect("the worklist")
        .counts;
    let shown = &report["counts"];
    assert_eq!(shown["total"], counts.total, "{shown}");
    let mut by_needs = counts.by_needs.clone();
    by_needs.entry("unknown".to_owned()).or_insert(0);
    let shown_needs: BTreeMap<String, i64> =
        serde_json::from_value(shown["byNeeds"].clone()).expect("counts by group");
    assert_eq!(shown_needs, by_needs);
    let shown_status: BTreeMap<String, i64> =
        serde_json::from_value(shown["byStatus"].clone()).expect("counts by status");
    assert_eq!(shown_status, counts.by_status);
    assert_eq!(
        shown["rows"], counts.total,
        "every connection on the first page"
    );
    assert_eq!(shown["pwned"], false, "the provider's name ran as a script");
    assert_eq!(
        shown["providerShownAsText"], true,
        "the provider's name is shown as text"
    );

    // The end user's tab lists theirs, with their reconnect links.
    let end_user = h
        .store
        .worklist(&WorklistQuery::parse(Some("end_user"), None, None, None).expect("a query"))
        .await
        .expect("the worklist");
    let ids: Vec<&str> = end_user.connections.iter().map(|c| c.id.as_str()).collect();
    let group = &report["group"];
    assert_eq!(group["current"], "/?needs=end_user", "{group}");
    let shown_ids: Vec<&str> = group["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(shown_ids, ids);
    let mut links: Vec<String> = group["invitationLinks"]
        .as_array()
        .expect("links")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let mut active: Vec<String> = ids
        .iter()
        .flat_map(|id| api.active_reconnects(id))
        .filter_map(|i| i.invitation_url)
        .collect();
    links.sort();
    active.sort();
    assert!(!active.is_empty(), "reconnect links were created");
    assert_eq!(links, active, "each active reconnect link, clickable");

    // The connection's page: its status highlighted, the path it took marked.
    let page = &report["connection"];
    assert_eq!(page["diagram"], true, "{page}");
    assert_eq!(page["currentStatus"], "MFA_TOKEN_EXPIRED", "{page}");
    assert!(
        page["currentClasses"]
            .as_array()
            .is_some_and(|c| c.contains(&Value::from("current"))),
        "{page}"
    );
    assert_eq!(
        page["currentStroke"], "rgb(31, 79, 209)",
        "drawn highlighted: {page}"
    );
    let taken: Vec<&str> = page["takenEdges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for edge in [
        "edge-PASSWORD_INCORRECT-CONNECTED",
        "edge-CONNECTED-MFA_TOKEN_EXPIRED",
    ] {
        assert!(taken.contains(&edge), "{edge} in {taken:?}");
    }
    let history = h.store.notifications(CHECKED).await.expect("the outbox");
    assert_eq!(page["historyRows"], history.len(), "{page}");

    // Signed out: closed again.
    assert_eq!(report["signOut"]["redirectedTo"], "/login");
    assert_eq!(report["signOut"]["cookieLeft"], false);

    let pages = report["pages"].as_array().expect("pages");
    assert_eq!(
        pages.len(),
        4 + ALSO_SHOWN.len(),
        "login, worklist, group, the connections"
    );
    for shot in pages {
        let file = shot["screenshot"].as_str().expect("a path");
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{file}: {size} bytes");
    }
    eprintln!("screenshots (the CI artefact): {}", shots.display());
}
