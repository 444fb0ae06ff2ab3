//! The integration model: the real decision keeps every property under the default bounds,
//! and each broken variant fails the property it breaks, with a shortest counterexample.

use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S};
use nectar_lifecycle_models::delivery::Change;
use nectar_lifecycle_models::{
    DeliveryAction as A, DeliveryBounds, DeliveryBug, DeliveryModel, DeliveryState, ModelReport,
    Scope, check_delivery,
};
use stateright::Model;

use crate::counterexample;

const NO_REGRESSION: &str = "no regression: the stored version never goes backwards";
const CONVERGENCE: &str = "convergence: once every event is delivered or dropped and every poll answered, the record is Nectar's latest state";
const IN_ORDER: &str = "the stored contents are Nectar's states, in Nectar's order";
const CREDENTIAL: &str = "EnteredCredentialError is derived exactly when the stored status enters a credential error, once per change";
const NOT_DUPLICATE: &str = "nothing Nectar changed is classed as already applied";

/// Bounds small enough for a test per variant: every variant fails within them.
const SMALL: DeliveryBounds = DeliveryBounds {
    changes: 2,
    status_changes: 2,
    redeliveries: 1,
    drops: 1,
};

fn broken(bug: DeliveryBug) -> ModelReport {
    check_delivery(DeliveryModel {
        bounds: SMALL,
        bug: Some(bug),
    })
}

#[test]
fn the_real_decision_keeps_every_property() {
    let model = DeliveryModel::default();
    assert_eq!(model.properties().len(), 5);
    let report = check_delivery(model);
    assert_eq!(report.scope, Scope::Integration);
    assert_eq!(report.unique_states, 389_485, "{report}");
    assert!(report.passes(), "{report}");
    assert!(report.failing().is_empty());
    let shown = report.to_string();
    assert!(shown.contains("PASS  always: convergence"), "{shown}");
    assert!(!shown.contains("edge coverage"), "{shown}");
}

#[test]
fn smaller_bounds_pass_too() {
    let report = check_delivery(DeliveryModel {
        bounds: SMALL,
        bug: None,
    });
    assert_eq!(report.unique_states, 4_838);
    assert!(report.passes(), "{report}");
}

/// Each broken variant: the properties it fails, and a shortest counterexample for one.
const BROKEN: [(DeliveryBug, &[&str], &str, &str); 5] = [
    // The rule before observations were versioned by `updated`: an `externalId` change
    // keeps the status and `statusLastUpdateTime`, so it read as already applied, and was
    // lost.
    (
        DeliveryBug::SameStatusIsDuplicate,
        &[CONVERGENCE, NOT_DUPLICATE],
        NOT_DUPLICATE,
        "Change(ExternalId) -> Deliver(0)",
    ),
    // The recovery's `validated` arrives first; the credential error's `updated` after it.
    (
        DeliveryBug::ApplyStale,
        &[NO_REGRESSION, CONVERGENCE, IN_ORDER, CREDENTIAL],
        NO_REGRESSION,
        "Change(Status(PasswordChanged)) -> Change(Status(CredentialsUpdated)) -> \
         Deliver(3) -> Deliver(0)",
    ),
    (
        DeliveryBug::NeverPolls,
        &[CONVERGENCE],
        CONVERGENCE,
        "Change(ExternalId) -> Drop(0)",
    ),
    // The `externalId` event after the credential error carries it and arrives first: the
    // stored status enters the error, but that event is no status event.
    (
        DeliveryBug::NotifyPerEvent,
        &[CREDENTIAL],
        CREDENTIAL,
        "Change(Status(PasswordChanged)) -> Change(ExternalId) -> Deliver(2)",
    ),
    // The status is patched in, `updated` and `statusLastUpdateTime` are not: a state
    // Nectar never had.
    (
        DeliveryBug::PatchProtectedChanges,
        &[CONVERGENCE, IN_ORDER, CREDENTIAL],
        IN_ORDER,
        "Change(Status(PasswordChanged)) -> Deliver(0)",
    ),
];

#[test]
fn each_broken_variant_fails_its_properties_with_a_shortest_counterexample() {
    for (bug, fails, property, shortest) in BROKEN {
        let report = broken(bug);
        assert_eq!(report.failing(), fails, "{bug:?}");
        assert!(!report.passes());
        assert_eq!(counterexample(&report, property), shortest, "{bug:?}");
    }
}

#[test]
fn applying_stale_observations_notifies_a_credential_error_twice() {
    // The credential error's stale `validated` enters it again.
    assert_eq!(
        counterexample(&broken(DeliveryBug::ApplyStale), CREDENTIAL),
        "Change(Status(PasswordChanged)) -> Change(Status(CredentialsUpdated)) -> \
         Deliver(0) -> Deliver(2) -> Deliver(1)"
    );
}

/// A finding rather than a failure: without the gap's poll the record still converges, as
/// the gapped `updated` event's `validated` sibling applies the same content, and a dropped
/// sibling brings the final poll. The gap's poll is for timeliness.
#[test]
fn ignoring_gaps_alone_is_covered_by_the_validated_event_and_the_final_poll() {
    for bounds in [SMALL, DeliveryBounds::default()] {
        let report = check_delivery(DeliveryModel {
            bounds,
            bug: Some(DeliveryBug::IgnoreGaps),
        });
        assert!(report.passes(), "{report}");
    }
}

#[test]
fn notifying_per_event_notifies_both_events_of_one_change() {
    let model = DeliveryModel {
        bounds: SMALL,
        bug: Some(DeliveryBug::NotifyPerEvent),
    };
    let updated = run(
        &model,
        &[A::Change(Change::Status(E::PasswordChanged)), A::Deliver(0)],
    );
    assert!(!updated.violations.credential_notification);
    let validated = run_from(&model, updated, &[A::Deliver(1)]);
    assert!(validated.violations.credential_notification);
}

fn run(model: &DeliveryModel, actions: &[A]) -> DeliveryState {
    run_from(model, model.initial(), actions)
}

fn run_from(model: &DeliveryModel, mut state: DeliveryState, actions: &[A]) -> DeliveryState {
    for &action in actions {
        state = model
            .next_state(&state, action)
            .unwrap_or_else(|| panic!("{action:?} is not possible in {state:?}"));
    }
    state
}

/// `PASSWORD_INCORRECT`, then a recovery the integrator misses, then `MFA_TOKEN_EXPIRED`:
/// the poll that closes the gap moves the stored status from one credential error to
/// another, and derives `EnteredCredentialError` for the second (its remedy differs). The
/// property reads "enters a credential error it was not in", not "from outside every
/// credential error", for this case.
#[test]
fn a_missed_recovery_between_two_credential_errors_notifies_the_second() {
    let model = DeliveryModel::default();
    let state = run(
        &model,
        &[
            A::Change(Change::Status(E::PasswordChanged)),
            A::Change(Change::Status(E::CredentialsUpdated)),
            A::Change(Change::Status(E::MfaSessionExpired)),
            A::Deliver(0),
        ],
    );
    assert_eq!(
        state.record.0.connection.status,
        S::PasswordIncorrect.into()
    );
    // The MFA error's `updated` says it came from CONNECTED: a gap.
    let state = run_from(&model, state, &[A::Deliver(4)]);
    assert!(state.poll_owed);
    let state = run_from(&model, state, &[A::Poll]);
    assert_eq!(state.record.0.connection.status, S::MfaTokenExpired.into());
    assert_eq!(state.credential_notified, 0b1010, "versions 1 and 3");
    let state = run_from(
        &model,
        state,
        &[
            A::Deliver(1),
            A::Deliver(2),
            A::Deliver(3),
            A::Deliver(5),
            A::Redeliver(4),
        ],
    );
    assert!(state.quiescent());
    assert_eq!(Some(state.record.0.connection.clone()), state.latest());
    assert_eq!(state.violations, Default::default());
}
