//! The actions model: the real `invitation_step_of` and `decision_step` keep every
//! property under both default bounds, each broken variant fails the property it breaks
//! with a shortest counterexample, every branch the protocol needs is taken (and the
//! branch that revokes an extra never is), the worker comes to rest on its own, and the
//! scenarios the protocol is for (a lost create adopted, a create answered after the
//! episode ended revoked, an expired invitation replaced) run as the receiver runs them.

use std::collections::BTreeSet;

use nectar_lifecycle_core::invitation::InvitationStatus;
use nectar_lifecycle_models::actions::{
    AT_MOST_ONE, DECIDED, NONE_LEFT, NOT_TWICE, ONE_ACTIVE, RECORDED,
};
use nectar_lifecycle_models::{
    ActionsAction as A, ActionsBounds, ActionsBug, ActionsModel, ActionsState, Graph, ModelReport,
    Scope, check_actions, default_actions, graph::Plain,
};
use nectar_lifecycle_webhook::{DecisionOutcome, Episode};
use stateright::Model;

use crate::counterexample;

fn broken(model: ActionsModel, bug: ActionsBug) -> ModelReport {
    check_actions(ActionsModel {
        bug: Some(bug),
        ..model
    })
}

#[test]
fn the_real_decisions_keep_every_property() {
    let [invitations, decisions] = default_actions()
        .try_into()
        .unwrap_or_else(|m: Vec<ActionsModel>| panic!("two default actions models, got {m:?}"));
    assert_eq!(invitations, ActionsModel::default());
    assert_eq!(decisions, ActionsModel::decisions());
    for (model, properties, unique) in [
        (
            invitations,
            vec![AT_MOST_ONE, ONE_ACTIVE, NONE_LEFT, RECORDED],
            22_552,
        ),
        (decisions, vec![NOT_TWICE, DECIDED], 473),
    ] {
        let report = check_actions(model);
        assert_eq!(report.scope, Scope::Integration);
        let names: Vec<&str> = report.properties.iter().map(|p| p.name).collect();
        assert_eq!(names, properties);
        assert_eq!(report.unique_states, unique, "{report}");
        assert!(report.passes(), "{report}");
    }
}

/// stateright tells states apart by their hash; the graph explorer by `Eq`: the same
/// counts.
#[test]
fn the_hash_merges_no_distinct_states() {
    for model in default_actions() {
        let report = check_actions(model);
        let graph = Graph::explore(&mut Plain::new(&model)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(graph.states.len(), report.unique_states);
        assert_eq!(usize::try_from(graph.generated).ok(), Some(report.states));
    }
}

/// Each broken variant: the model, the properties it fails, and a shortest
/// counterexample for the one it is shown with.
const BROKEN: [(Side, ActionsBug, &[&str], &str, &str); 5] = [
    // A create whose answer is lost, then a second create: two active.
    (
        Side::Invitations,
        ActionsBug::CreateWithoutAdopting,
        &[AT_MOST_ONE, ONE_ACTIVE],
        AT_MOST_ONE,
        "Enter -> Create -> LoseAnswer -> Create",
    ),
    // The invitation created for the episode outlives it.
    (
        Side::Invitations,
        ActionsBug::NoRevoke,
        &[NONE_LEFT],
        NONE_LEFT,
        "Enter -> List -> Create -> Leave -> Answer -> Close",
    ),
    // The episode lived in memory: the crash after the create loses it, and nothing
    // revokes the invitation.
    (
        Side::Invitations,
        ActionsBug::IntentAfterCall,
        &[ONE_ACTIVE, NONE_LEFT, RECORDED],
        NONE_LEFT,
        "Enter -> List -> Create -> Leave -> Crash",
    ),
    // The same variant: a crash before anything was created loses the episode.
    (
        Side::Invitations,
        ActionsBug::IntentAfterCall,
        &[ONE_ACTIVE, NONE_LEFT, RECORDED],
        RECORDED,
        "Enter -> Crash",
    ),
    // The confirm was done, its answer lost; sent again on the old read.
    (
        Side::Decisions,
        ActionsBug::ConfirmWithoutLooking,
        &[NOT_TWICE],
        NOT_TWICE,
        "Detect -> Read -> RecordSent -> Confirm { lost: true } -> Confirm { lost: false }",
    ),
];

/// The two default bounds, by name.
#[derive(Debug, Clone, Copy)]
enum Side {
    /// [`ActionsModel::default`].
    Invitations,
    /// [`ActionsModel::decisions`].
    Decisions,
}

impl Side {
    fn model(self) -> ActionsModel {
        match self {
            Self::Invitations => ActionsModel::default(),
            Self::Decisions => ActionsModel::decisions(),
        }
    }
}

#[test]
fn each_broken_variant_fails_its_properties_with_a_shortest_counterexample() {
    for (side, bug, fails, property, shortest) in BROKEN {
        let report = broken(side.model(), bug);
        assert_eq!(report.failing(), fails, "{side:?} {bug:?}\n{report}");
        assert!(!report.passes());
        assert_eq!(
            counterexample(&report, property),
            shortest,
            "{side:?} {bug:?}"
        );
    }
}

/// A finding: someone deciding an account by hand between the worker's read and its
/// confirm makes the confirm reach Nectar with nothing awaiting. No order of the worker's
/// steps avoids it: the read is older than the confirm whatever, and Nectar's confirm is
/// not conditional on what the worker read.
#[test]
fn a_decision_by_hand_races_the_confirm() {
    let model = ActionsModel {
        bounds: ActionsBounds {
            decided_elsewhere: 1,
            ..ActionsBounds::decisions()
        },
        bug: None,
    };
    let report = check_actions(model);
    assert_eq!(report.failing(), [NOT_TWICE], "{report}");
    assert_eq!(
        counterexample(&report, NOT_TWICE),
        "Detect -> Read -> DecideByHand { account: 0 } -> RecordSent -> Confirm { lost: false }"
    );
}

/// What a move is, for coverage: the action, its invitation index or outcome kept only
/// where it tells branches apart, and the episode it is taken in.
fn moves(model: &ActionsModel) -> BTreeSet<String> {
    let graph = Graph::explore(&mut Plain::new(model)).unwrap_or_else(|e| panic!("{e}"));
    let mut seen = BTreeSet::new();
    for state in &graph.states {
        let episode = state.current_episode().map(|(_, r)| r.state);
        if let Some(action) = model.invitation_move(state) {
            let action = match action {
                A::Adopt(_) => "Adopt".to_owned(),
                A::Revoke(_) => "Revoke".to_owned(),
                other => format!("{other:?}"),
            };
            seen.insert(format!("{action} in {episode:?}"));
        }
        if let Some(action) = model.decision_move(state) {
            seen.insert(format!("{action:?}"));
        }
    }
    seen
}

/// Every branch of the real functions the protocol needs is taken under the default
/// bounds; the branches that revoke an extra active invitation (two or more in a wanted
/// episode, another beside the recorded one) never are: at most one is ever active.
#[test]
fn every_branch_the_protocol_needs_is_taken_and_no_extra_is_ever_revoked() {
    let seen = moves(&ActionsModel::default());
    let expected = [
        "List in Some(Wanted)",
        "Create in Some(Wanted)",
        "Answer in Some(Wanted)",
        "Answer in Some(Closing)",
        "Adopt in Some(Wanted)",
        "List in Some(Active)",
        "Lapse { replace: true } in Some(Active)",
        "Lapse { replace: false } in Some(Active)",
        "Rest in Some(Active)",
        "Rest in Some(Settled)",
        "List in Some(Closing)",
        "Revoke in Some(Closing)",
        "Close in Some(Closing)",
    ];
    let expected: BTreeSet<String> = expected.iter().map(|&s| s.to_owned()).collect();
    assert_eq!(seen, expected);
    let seen = moves(&ActionsModel::decisions());
    let expected = [
        "Read".to_owned(),
        "RecordSent".to_owned(),
        "Confirm { lost: false }".to_owned(),
        format!("Decide({:?})", DecisionOutcome::Confirmed),
        format!("Decide({:?})", DecisionOutcome::DecidedElsewhere),
    ];
    assert_eq!(seen, expected.into_iter().collect());
}

/// The worker's steps, faults aside, end: from every reachable state it comes to rest
/// within a few steps of its own, so the properties read at rest are read on every run.
#[test]
fn the_worker_comes_to_rest_on_its_own() {
    for model in default_actions() {
        let graph = Graph::explore(&mut Plain::new(&model)).unwrap_or_else(|e| panic!("{e}"));
        for start in &graph.states {
            let mut state = start.clone();
            let mut steps = 0;
            while let Some(action) = model
                .invitation_move(&state)
                .or_else(|| model.decision_move(&state))
            {
                state = model
                    .next_state(&state, action)
                    .unwrap_or_else(|| panic!("{action:?} refused in {state:?}"));
                steps += 1;
                assert!(steps <= 12, "no rest from {start:?}");
            }
        }
    }
}

fn run(model: &ActionsModel, actions: &[A]) -> ActionsState {
    let mut state = model.initial();
    for &action in actions {
        state = model
            .next_state(&state, action)
            .unwrap_or_else(|| panic!("{action:?} is not possible in {state:?}"));
    }
    state
}

/// The worker's own steps from `state` until it rests.
fn rest(model: &ActionsModel, mut state: ActionsState) -> (ActionsState, Vec<A>) {
    let mut taken = Vec::new();
    while let Some(action) = model.invitation_move(&state) {
        state = model
            .next_state(&state, action)
            .unwrap_or_else(|| panic!("{action:?} refused"));
        taken.push(action);
    }
    (state, taken)
}

/// A create whose answer is lost and a crash after the next list: the worker looks again
/// and adopts the invitation the lost create made, creating no second one.
#[test]
fn a_lost_create_is_adopted_after_a_crash() {
    let model = ActionsModel::default();
    let state = run(
        &model,
        &[
            A::Enter,
            A::List,
            A::Create,
            A::LoseAnswer,
            A::List,
            A::Crash,
        ],
    );
    let (state, taken) = rest(&model, state);
    assert_eq!(taken, [A::List, A::Adopt(2), A::Rest]);
    assert_eq!(state.episodes[0].state, Episode::Active);
    assert_eq!(state.episodes[0].recorded, Some(2));
    assert_eq!((state.store.len(), state.active_of_connection()), (3, 1));
}

/// The episode ends while the create's answer is on its way: the answer is recorded as
/// nothing (the episode stays closing), and the closing pass revokes the invitation before
/// the next episode creates its own.
#[test]
fn a_create_answered_after_the_episode_ended_is_revoked_before_the_next_episode() {
    let model = ActionsModel::default();
    let state = run(&model, &[A::Enter, A::List, A::Create, A::Leave, A::Enter]);
    let (state, taken) = rest(&model, state);
    assert_eq!(
        taken,
        [
            A::Answer,
            A::List,
            A::Revoke(2),
            A::List,
            A::Close,
            A::List,
            A::Create,
            A::Answer,
        ]
    );
    let shown: Vec<Episode> = state.episodes.iter().map(|r| r.state).collect();
    assert_eq!(shown, [Episode::Closed, Episode::Active]);
    assert_eq!(state.episodes[1].recorded, Some(3));
    assert_eq!(state.active_of_connection(), 1);
}

/// The recorded invitation expires: once due the worker looks, finds it `EXPIRED` and
/// replaces it.
#[test]
fn an_expired_invitation_is_replaced() {
    let model = ActionsModel::default();
    let state = run(&model, &[A::Enter, A::List, A::Create, A::Answer, A::Tick]);
    assert_eq!(state.active_of_connection(), 0);
    let (state, taken) = rest(&model, state);
    assert_eq!(
        taken,
        [A::List, A::Lapse { replace: true }, A::Create, A::Answer]
    );
    assert_eq!(state.episodes[0].recorded, Some(3));
    assert_eq!(state.active_of_connection(), 1);
}

/// Someone uses the invitation: the worker learns it once due, and does not replace it.
#[test]
fn an_invitation_fulfilled_by_hand_settles_the_episode_once_due() {
    let model = ActionsModel::default();
    let fulfilled = A::ByHand {
        invitation: 2,
        status: InvitationStatus::Fulfilled,
    };
    let state = run(
        &model,
        &[A::Enter, A::List, A::Create, A::Answer, fulfilled],
    );
    assert_eq!(model.invitation_move(&state), None, "not due yet: no call");
    let state = run(
        &model,
        &[A::Enter, A::List, A::Create, A::Answer, fulfilled, A::Tick],
    );
    let (state, taken) = rest(&model, state);
    assert_eq!(taken, [A::List, A::Lapse { replace: false }, A::Rest]);
    assert_eq!(state.episodes[0].state, Episode::Settled);
}
