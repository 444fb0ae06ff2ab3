//! The one exploration against stateright's checker: the same unique states on every small
//! configuration, the same verdicts on the broken variants, the packed system explorer
//! against the plain one, reduced against unreduced, and witness paths that replay.

use std::collections::BTreeSet;

use nectar_lifecycle_core::Rules;
use nectar_lifecycle_models::{
    ConnectionBug, ConnectionModel, ModelReport, Symmetry, SystemBug, SystemModel, SystemState,
    check, check_connection, check_system,
};
use stateright::{Checker, Model};

/// stateright's unique state count and the names of the properties it finds broken.
fn stateright<M>(model: M) -> (usize, Vec<&'static str>)
where
    M: Model + Send + Sync + 'static,
    M::State: Clone + std::fmt::Debug + std::hash::Hash + Send + Sync + PartialEq + 'static,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static,
{
    let names: Vec<&'static str> = model.properties().iter().map(|p| p.name).collect();
    let checker = model.checker().threads(1).spawn_bfs().join();
    let failing = names
        .into_iter()
        .filter(|n| checker.discovery(n).is_some())
        .collect();
    (checker.unique_state_count(), failing)
}

fn system(connections: usize, accounts: usize, symmetry: Symmetry) -> SystemModel {
    SystemModel {
        connections,
        accounts,
        symmetry,
        bug: None,
    }
}

/// Small configurations: every shape the default check and the scale table use, small.
fn small_systems() -> Vec<SystemModel> {
    let mut models = Vec::new();
    for symmetry in [Symmetry::Reduced, Symmetry::Unreduced] {
        for (c, k) in [(1, 0), (1, 1), (1, 2), (2, 0), (3, 0)] {
            models.push(system(c, k, symmetry));
        }
    }
    models
}

#[test]
fn connection_models_count_what_stateright_counts() {
    for rules in [Rules::Documented, Rules::Operational] {
        let model = ConnectionModel::new(rules);
        let report = check_connection(model);
        assert_eq!(stateright(model), (report.unique_states, report.failing()));
    }
    for bug in [
        ConnectionBug::ActivateResets,
        ConnectionBug::ChecksIgnoreHalts,
        ConnectionBug::StuckInOtherError,
        ConnectionBug::NeverEscalates,
    ] {
        let model = ConnectionModel {
            rules: Rules::Operational,
            bug: Some(bug),
        };
        let report = check_connection(model);
        assert_eq!(stateright(model), (report.unique_states, report.failing()));
    }
}

#[test]
fn the_packed_system_explorer_counts_what_stateright_counts() {
    for model in small_systems() {
        let report = check_system(model);
        assert!(report.incomplete.is_none(), "{report}");
        assert_eq!(
            stateright(model),
            (report.unique_states, report.failing()),
            "{model:?}"
        );
    }
}

#[test]
fn broken_system_variants_fail_the_same_invariants_as_under_stateright() {
    for bug in [
        SystemBug::RecheckTerminalAccounts,
        SystemBug::PullUntrackedAccounts,
        SystemBug::CheckCredentialErrors,
        SystemBug::IgnoreOverlays,
        SystemBug::AccountsIgnoreParent,
        SystemBug::ActivateResets,
    ] {
        for (connections, accounts) in [(1, 1), (2, 0)] {
            let model = SystemModel {
                bug: Some(bug),
                ..system(connections, accounts, Symmetry::Reduced)
            };
            let report = check_system(model);
            assert_eq!(
                stateright(model),
                (report.unique_states, report.failing()),
                "{model:?}"
            );
        }
    }
}

/// Everything a report says, paths reduced to their lengths (equal-length shortest paths
/// may differ).
fn summary(report: &ModelReport) -> impl PartialEq + std::fmt::Debug + use<> {
    let paths: Vec<(String, Option<usize>)> = report
        .reachability
        .iter()
        .map(|r| (r.status.clone(), r.witness.as_ref().map(Vec::len)))
        .collect();
    let counterexamples: Vec<(String, Option<usize>)> = report
        .properties
        .iter()
        .map(|p| {
            (
                p.name.to_owned(),
                p.counterexample.as_ref().map(|c| c.split(" -> ").count()),
            )
        })
        .collect();
    (
        report.unique_states,
        report.states,
        paths,
        counterexamples,
        report.edges_missing.clone(),
        report.edges_extra.clone(),
        report.edges_exercised,
        report.unrecoverable,
    )
}

#[test]
fn the_packed_system_explorer_reports_what_the_plain_one_reports() {
    let mut models = small_systems();
    models.push(SystemModel {
        bug: Some(SystemBug::ActivateResets),
        ..system(2, 0, Symmetry::Reduced)
    });
    models.push(SystemModel {
        bug: Some(SystemBug::AccountsIgnoreParent),
        ..system(1, 2, Symmetry::Unreduced)
    });
    for model in models {
        assert_eq!(
            summary(&check_system(model)),
            summary(&check(model)),
            "{model:?}"
        );
    }
}

fn unreachable(report: &ModelReport) -> BTreeSet<&str> {
    report.unreachable().into_iter().collect()
}

#[test]
fn reduced_and_unreduced_models_agree_on_small_configurations() {
    for (connections, accounts) in [(1, 2), (2, 0), (3, 0)] {
        let reduced = check_system(system(connections, accounts, Symmetry::Reduced));
        let full = check_system(system(connections, accounts, Symmetry::Unreduced));
        let shape = (connections, accounts);
        assert!(reduced.unique_states <= full.unique_states, "{shape:?}");
        assert_eq!(reduced.properties.len(), 7);
        assert_eq!(reduced.failing(), full.failing(), "{shape:?}");
        assert_eq!(unreachable(&reduced), unreachable(&full), "{shape:?}");
        assert_eq!(reduced.edges_missing, full.edges_missing, "{shape:?}");
        assert_eq!(reduced.edges_exercised, full.edges_exercised, "{shape:?}");
        assert_eq!(reduced.edges_extra, full.edges_extra, "{shape:?}");
        assert_eq!((reduced.unrecoverable, full.unrecoverable), (0, 0));
        assert!(reduced.passes() && full.passes(), "{reduced}\n{full}");
    }
    // With connections to permute, the reduction reduces.
    let reduced = check_system(system(3, 0, Symmetry::Reduced));
    let full = check_system(system(3, 0, Symmetry::Unreduced));
    assert!(reduced.unique_states < full.unique_states);
}

#[test]
fn broken_variants_fail_the_same_way_reduced_and_unreduced() {
    for bug in [SystemBug::ActivateResets, SystemBug::CheckCredentialErrors] {
        let reports: Vec<ModelReport> = [Symmetry::Reduced, Symmetry::Unreduced]
            .into_iter()
            .map(|symmetry| {
                check_system(SystemModel {
                    bug: Some(bug),
                    ..system(3, 0, symmetry)
                })
            })
            .collect();
        assert_eq!(reports[0].failing(), reports[1].failing(), "{bug:?}");
        assert!(!reports[0].failing().is_empty());
    }
}

/// Replays `path` (actions as the report shows them) with `SystemModel::step`.
fn replay(model: &SystemModel, path: &[String]) -> SystemState {
    let mut actions = Vec::new();
    let mut state = model.initial();
    for shown in path {
        actions.clear();
        model.actions(&state, &mut actions);
        let action = actions
            .iter()
            .copied()
            .find(|a| format!("{a:?}") == *shown)
            .unwrap_or_else(|| panic!("{shown} is not an action here"));
        state = model
            .step(&state, action, &mut |_| {})
            .unwrap_or_else(|| panic!("{shown} is not possible here"));
    }
    state
}

#[test]
fn system_witness_paths_replay_to_their_status() {
    for model in [
        system(3, 0, Symmetry::Reduced),
        system(1, 2, Symmetry::Unreduced),
    ] {
        let report = check_system(model);
        let statuses = nectar_lifecycle_models::Analysed::statuses(&model);
        for (status, reach) in statuses.iter().zip(&report.reachability) {
            assert_eq!(status.to_string(), reach.status);
            let path = reach.witness.as_ref().expect("every status is reachable");
            let end = replay(&model, path);
            assert!(
                <SystemModel as nectar_lifecycle_models::Analysed>::shows(&end, *status),
                "{status}: {path:?}"
            );
        }
    }
    // A counterexample replays to a state that breaks its invariant.
    let model = SystemModel {
        bug: Some(SystemBug::ActivateResets),
        ..system(3, 0, Symmetry::Reduced)
    };
    let report = check_system(model);
    let broken = &report.properties[4];
    let path: Vec<String> = broken
        .counterexample
        .as_deref()
        .expect("a counterexample")
        .split(" -> ")
        .map(str::to_owned)
        .collect();
    assert!(replay(&model, &path).violations.restore);
}

/// `n` choose `k`.
fn choose(n: usize, k: usize) -> usize {
    (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1))
}

#[test]
fn the_reduced_state_space_is_the_company_times_multisets_of_connection_states() {
    // Connections interact only through the week and the company, so every multiset of
    // connection states reachable alone (under one company status) is reachable together.
    for accounts in [0, 1] {
        let one = check_system(system(1, accounts, Symmetry::Reduced)).unique_states;
        let per_company = one / 2;
        for connections in [2, 3] {
            if accounts == 1 && connections == 3 {
                continue; // 9 billion states.
            }
            let many = check_system(system(connections, accounts, Symmetry::Reduced));
            assert_eq!(
                many.unique_states,
                2 * choose(per_company + connections - 1, connections),
                "{connections} x {accounts}"
            );
        }
    }
}
