//! The default models: pinned state counts and property counts (a bounded or early-stopped
//! run would otherwise pass silently), the findings on the published diagram, full edge
//! coverage under the operational rules, and symmetry reduction that changes no verdict.

use std::collections::BTreeSet;

use nectar_lifecycle_core::{Connection, ConnectionStatus as S, Rules};
use nectar_lifecycle_models::{
    ConnectionModel, ModelReport, StepEdge, Symmetry, SystemModel, check_connection, check_system,
};
use stateright::Model;

fn statuses(report: &ModelReport) -> BTreeSet<String> {
    report
        .unreachable()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[test]
fn documented_model_findings_are_exactly_the_two_statuses_the_diagram_never_enters() {
    let report = check_connection(ConnectionModel::new(Rules::Documented));
    assert_eq!(report.unique_states, 68);
    assert_eq!(report.properties.len(), 3);
    assert!(report.passes(), "{report}");
    let want: BTreeSet<String> = [S::AdditionalCredentialsNeeded, S::UrlInaccessible]
        .iter()
        .map(|s| format!("connection {s}"))
        .collect();
    assert_eq!(statuses(&report), want);
    // The edges never taken are exactly the table's edges touching those two statuses.
    let touching: Vec<StepEdge> = Connection::edges(Rules::Documented)
        .into_iter()
        .filter(|t| {
            [t.from, t.to]
                .iter()
                .any(|s| matches!(s, S::AdditionalCredentialsNeeded | S::UrlInaccessible))
        })
        .map(StepEdge::Connection)
        .collect();
    assert_eq!(report.edges_missing, touching);
    assert_eq!(touching.len(), 9);
}

#[test]
fn operational_model_reaches_everything_and_takes_every_edge() {
    let report = check_connection(ConnectionModel::new(Rules::Operational));
    assert_eq!(report.unique_states, 84);
    assert_eq!(report.properties.len(), 3);
    assert!(report.passes(), "{report}");
    assert!(report.unreachable().is_empty(), "{report}");
    assert!(report.edges_missing.is_empty(), "{report}");
    assert_eq!(
        report.edges_exercised,
        Connection::edges(Rules::Operational).len()
    );
}

#[test]
fn witnesses_are_shortest() {
    let report = check_connection(ConnectionModel::new(Rules::Operational));
    let len = |status: S| {
        report
            .reachability
            .iter()
            .find(|r| r.status == format!("connection {status}"))
            .and_then(|r| r.witness.as_ref())
            .map(Vec::len)
    };
    assert_eq!(len(S::Pending), Some(0));
    assert_eq!(
        len(S::PasswordIncorrect),
        Some(1),
        "the first check can fail that way"
    );
    assert_eq!(
        len(S::UnderInvestigation),
        Some(2),
        "AuthSucceeded -> NectarReviewing"
    );
}

#[test]
fn system_model_with_one_account() {
    let model = SystemModel {
        accounts: 1,
        ..SystemModel::default()
    };
    assert_eq!(model.properties().len(), 7);
    let report = check_system(model);
    assert_eq!(report.unique_states, 6_000);
    assert!(report.passes(), "{report}");
    assert!(report.unreachable().is_empty(), "{report}");
    assert!(
        report.edges_missing.is_empty(),
        "every connection and account edge: {report}"
    );
}

#[test]
fn symmetry_reduction_changes_no_verdict() {
    let reduced = check_system(SystemModel {
        accounts: 2,
        symmetry: Symmetry::Reduced,
        ..SystemModel::default()
    });
    let full = check_system(SystemModel {
        accounts: 2,
        symmetry: Symmetry::Unreduced,
        ..SystemModel::default()
    });
    assert_eq!(reduced.unique_states, 104_760);
    assert!(full.unique_states > reduced.unique_states);
    assert_eq!(reduced.properties, full.properties);
    assert_eq!(statuses(&reduced), statuses(&full));
    assert_eq!(reduced.edges_missing, full.edges_missing);
    assert_eq!(reduced.edges_exercised, full.edges_exercised);
    assert_eq!((reduced.unrecoverable, full.unrecoverable), (0, 0));
    assert!(reduced.passes() && full.passes());
}
