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

/// `check_all` gives its reports in the same order, with the same results, whether the
/// models share two workers or run in turn: the connection models, each system model as
/// given, then the delivery model.
#[test]
fn check_all_reports_in_order_whatever_the_threads() {
    use nectar_lifecycle_models::{DeliveryModel, Threads, check_all};
    let systems = [
        SystemModel {
            accounts: 1,
            ..SystemModel::default()
        },
        SystemModel {
            connections: 2,
            accounts: 0,
            ..SystemModel::default()
        },
    ];
    let summary = |reports: &[ModelReport]| -> Vec<(String, usize, bool)> {
        reports
            .iter()
            .map(|r| (r.name.clone(), r.unique_states, r.passes()))
            .collect()
    };
    let one = summary(&check_all(&systems, DeliveryModel::default(), Threads::One));
    let two = summary(&check_all(&systems, DeliveryModel::default(), Threads::Two));
    assert_eq!(one, two);
    let counts: Vec<usize> = one.iter().map(|r| r.1).collect();
    // 68 and 84 (one connection), 6,000 (1 x 1), 8,190 (2 x 0, reduced), 389,485 (delivery).
    assert_eq!(counts, [68, 84, 6_000, 8_190, 389_485]);
    assert!(one[4].0.starts_with("delivery"), "{:?}", one[4]);
    assert!(one.iter().all(|r| r.2), "{one:?}");
}
