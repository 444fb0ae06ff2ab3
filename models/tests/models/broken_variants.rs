//! Every property can fail: deliberately broken, test-only variants of the models must
//! produce a counterexample for the property they break.

use nectar_lifecycle_core::Rules;
use nectar_lifecycle_models::{
    ConnectionBug, ConnectionModel, ModelReport, SystemBug, SystemModel, check_connection,
    check_system,
};

fn failing(report: &ModelReport) -> Vec<&'static str> {
    report
        .properties
        .iter()
        .filter(|p| !p.holds)
        .map(|p| p.name)
        .collect()
}

fn connection(bug: ConnectionBug) -> ModelReport {
    check_connection(ConnectionModel {
        rules: Rules::Operational,
        bug: Some(bug),
    })
}

fn system(bug: SystemBug) -> ModelReport {
    check_system(SystemModel {
        accounts: 1,
        bug: Some(bug),
        ..SystemModel::default()
    })
}

#[test]
fn activation_that_forgets_the_held_status_is_caught() {
    let report = connection(ConnectionBug::ActivateResets);
    assert_eq!(
        failing(&report),
        vec!["activation restores the status held before deactivation"]
    );
    let cex = report.properties[1]
        .counterexample
        .as_deref()
        .expect("a path");
    // stateright's counterexample is not always the shortest; it goes through an activation.
    assert!(
        cex.starts_with("Deactivate") && cex.contains("-> Activate"),
        "{cex}"
    );
    assert!(!report.passes());
    assert_eq!(
        failing(&system(SystemBug::ActivateResets)),
        vec!["activation restores the status held before deactivation"]
    );
}

#[test]
fn checks_that_ignore_halts_are_caught() {
    // A check forced through while deactivated also changes the held status, so the restore
    // invariant fails with it.
    assert_eq!(
        failing(&connection(ConnectionBug::ChecksIgnoreHalts)),
        vec![
            "activation restores the status held before deactivation",
            "no check runs while halted or stopped",
        ]
    );
}

#[test]
fn a_scheduler_that_rechecks_terminal_accounts_is_caught() {
    assert_eq!(
        failing(&system(SystemBug::RecheckTerminalAccounts)),
        vec!["a terminal account is never re-checked"]
    );
}

#[test]
fn a_scheduler_that_pulls_untracked_accounts_is_caught() {
    assert_eq!(
        failing(&system(SystemBug::PullUntrackedAccounts)),
        vec!["an untracked account is never checked"]
    );
}

#[test]
fn a_scheduler_that_checks_credential_errors_is_caught() {
    assert_eq!(
        failing(&system(SystemBug::CheckCredentialErrors)),
        vec!["a credential error is not checked until the user acts"]
    );
}

#[test]
fn a_scheduler_that_ignores_the_overlays_is_caught() {
    assert_eq!(
        failing(&system(SystemBug::IgnoreOverlays)),
        vec!["no check while deactivated or the company is inactive"]
    );
}

#[test]
fn accounts_that_ignore_their_parent_are_caught() {
    let report = system(SystemBug::AccountsIgnoreParent);
    assert_eq!(
        failing(&report),
        vec![
            "visible statuses are derived from the flags",
            "an account reads WORKFLOW_NOT_ACCESSIBLE exactly when its parent is in a credential error",
        ]
    );
}

#[test]
fn a_trap_state_fails_recoverability() {
    let report = connection(ConnectionBug::StuckInOtherError);
    assert!(failing(&report).is_empty(), "no invariant sees a trap");
    assert!(report.unrecoverable > 0);
    assert!(!report.passes());
}

#[test]
fn a_deleted_edge_fails_edge_coverage_though_every_status_stays_reachable() {
    let report = connection(ConnectionBug::NeverEscalates);
    assert!(
        report.unreachable().is_empty(),
        "reachability alone misses it"
    );
    let missing: Vec<String> = report
        .edges_missing
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(missing.len(), 4, "{missing:?}");
    assert!(
        missing.iter().all(|e| e.contains("--Escalated-->")),
        "{missing:?}"
    );
}
