//! The actions protocol's pure decisions, branch by branch: `invitation_step_of` for each
//! state of an episode (what counts as the connection's active reconnect invitation, when
//! to look, adopt, create, revoke, replace or settle) and `decision_step` for a detection;
//! then, for any list, a wanted episode never creates beside an active invitation and a
//! closing one is done only when none is left.

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_core::invitation::{InvitationStatus as S, InvitationType};
use nectar_lifecycle_core::{AccountStatus, ConnectionStatus, TrackingStatus};
use nectar_lifecycle_support::proptest_cases;
use nectar_lifecycle_webhook::{
    AccountPayload, ConnectionPayload, DecisionOutcome, DecisionStep, Episode, InvitationPayload,
    InvitationStep, Recorded, Reported, decision_step, invitation_step, invitation_step_of,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::Config;

const CONNECTION: &str = "c-1";

fn now() -> Timestamp {
    "2026-12-06T09:00:00Z".parse().expect("a timestamp")
}

/// `now` moved by `hours`.
fn at(hours: i64) -> Timestamp {
    now() + SignedDuration::from_hours(hours)
}

/// A reconnect invitation of `c-1` with `status`, created an hour ago, expiring in a day.
fn of(id: &str, status: S) -> InvitationPayload {
    InvitationPayload {
        invitation_type: Some(Reported::Known(InvitationType::EditConnection)),
        connection_id: Some(CONNECTION.to_owned()),
        company_id: Some("co-1".to_owned()),
        created_at: Some(at(-1)),
        expires_at: Some(at(24)),
        ..InvitationPayload::new(id, status)
    }
}

fn active(id: &str) -> InvitationPayload {
    of(id, S::Active)
}

fn step<'a>(episode: Episode, listed: Option<&'a [InvitationPayload]>) -> InvitationStep<'a> {
    invitation_step(CONNECTION, episode, listed, now())
}

/// Episode `Active` with `inv_1` recorded, expiring at `expires_at`.
fn recorded(expires_at: Option<Timestamp>) -> Recorded<'static> {
    Recorded {
        id: "inv_1",
        expires_at,
    }
}

fn active_step<'a>(
    current: Recorded<'_>,
    listed: Option<&'a [InvitationPayload]>,
) -> InvitationStep<'a> {
    invitation_step_of(CONNECTION, Episode::Active, Some(current), listed, now())
}

// --- Wanted -----------------------------------------------------------------------------

#[test]
fn a_wanted_episode_looks_first() {
    assert_eq!(step(Episode::Wanted, None), InvitationStep::Look);
}

#[test]
fn a_wanted_episode_with_none_active_creates() {
    assert_eq!(step(Episode::Wanted, Some(&[])), InvitationStep::Create);
    let lapsed = [
        of("inv_1", S::Expired),
        of("inv_2", S::Revoked),
        of("inv_3", S::Fulfilled),
    ];
    assert_eq!(step(Episode::Wanted, Some(&lapsed)), InvitationStep::Create);
}

#[test]
fn a_wanted_episode_with_one_active_adopts_it() {
    let listed = [of("inv_1", S::Expired), active("inv_2")];
    assert_eq!(
        step(Episode::Wanted, Some(&listed)),
        InvitationStep::Adopt(&listed[1])
    );
}

#[test]
fn a_wanted_episode_with_two_active_revokes_the_oldest() {
    let newer = InvitationPayload {
        created_at: Some(at(0)),
        ..active("inv_1")
    };
    let older = InvitationPayload {
        created_at: Some(at(-2)),
        ..active("inv_2")
    };
    let listed = [newer.clone(), older];
    assert_eq!(
        step(Episode::Wanted, Some(&listed)),
        InvitationStep::Revoke(&listed[1])
    );
    // A tie in time goes by id; an unknown time is the oldest.
    let tied = [active("inv_b"), active("inv_a")];
    assert_eq!(
        step(Episode::Wanted, Some(&tied)),
        InvitationStep::Revoke(&tied[1])
    );
    let unknown = InvitationPayload {
        created_at: None,
        ..active("inv_z")
    };
    let listed = [newer, unknown];
    assert_eq!(
        step(Episode::Wanted, Some(&listed)),
        InvitationStep::Revoke(&listed[1])
    );
}

/// Another connection's reconnect invitation, a contributor invitation (even naming the
/// connection), one of a type this crate does not know, and one without a connection are
/// not the connection's: a wanted episode beside them creates.
#[test]
fn other_connections_and_contributor_invitations_are_ignored() {
    let listed = [
        InvitationPayload {
            connection_id: Some("c-2".to_owned()),
            ..active("inv_1")
        },
        InvitationPayload {
            invitation_type: Some(Reported::Known(InvitationType::CreateConnection)),
            connection_id: None,
            ..active("inv_2")
        },
        InvitationPayload {
            invitation_type: Some(Reported::Known(InvitationType::CreateConnection)),
            ..active("inv_3")
        },
        InvitationPayload {
            invitation_type: Some(Reported::Unknown("TRANSFER_CONNECTION".to_owned())),
            ..active("inv_4")
        },
        InvitationPayload {
            connection_id: None,
            ..active("inv_5")
        },
    ];
    assert_eq!(step(Episode::Wanted, Some(&listed)), InvitationStep::Create);
    // No type given reads as a reconnect invitation (the endpoint per connection made it).
    let untyped = [InvitationPayload {
        invitation_type: None,
        ..active("inv_6")
    }];
    assert_eq!(
        step(Episode::Wanted, Some(&untyped)),
        InvitationStep::Adopt(&untyped[0])
    );
}

/// `ACTIVE` as listed but past its `expiresAt` by the caller's clock (Nectar has not caught
/// up): not active. At the instant itself it has expired.
#[test]
fn an_active_invitation_past_its_expiry_is_ignored() {
    for expires_at in [at(-1), now()] {
        let listed = [InvitationPayload {
            expires_at: Some(expires_at),
            ..active("inv_1")
        }];
        assert_eq!(step(Episode::Wanted, Some(&listed)), InvitationStep::Create);
        assert_eq!(step(Episode::Closing, Some(&listed)), InvitationStep::Done);
    }
    // No `expiresAt`: never expires.
    let listed = [InvitationPayload {
        expires_at: None,
        ..active("inv_1")
    }];
    assert_eq!(
        step(Episode::Wanted, Some(&listed)),
        InvitationStep::Adopt(&listed[0])
    );
}

// --- Active -----------------------------------------------------------------------------

#[test]
fn an_active_episode_not_due_is_done_without_a_list() {
    assert_eq!(
        active_step(recorded(Some(at(1))), None),
        InvitationStep::Done
    );
    assert_eq!(active_step(recorded(None), None), InvitationStep::Done);
}

#[test]
fn an_active_episode_due_looks() {
    for expires_at in [at(-1), now()] {
        assert_eq!(
            active_step(recorded(Some(expires_at)), None),
            InvitationStep::Look
        );
    }
    // Nothing recorded: due.
    assert_eq!(
        invitation_step_of(CONNECTION, Episode::Active, None, None, now()),
        InvitationStep::Look
    );
}

#[test]
fn an_active_episode_whose_invitation_is_still_active_is_done() {
    let listed = [active("inv_1"), of("inv_0", S::Revoked)];
    assert_eq!(
        active_step(recorded(Some(at(-1))), Some(&listed)),
        InvitationStep::Done,
        "listed, the list decides (its expiresAt may have moved)"
    );
    assert_eq!(
        active_step(recorded(Some(at(1))), Some(&listed)),
        InvitationStep::Done
    );
}

#[test]
fn an_extra_active_invitation_is_revoked_and_the_recorded_one_kept() {
    let listed = [active("inv_1"), active("inv_2")];
    assert_eq!(
        active_step(recorded(Some(at(-1))), Some(&listed)),
        InvitationStep::Revoke(&listed[1])
    );
    // The recorded one gone and another active: the other is revoked (not adopted), then,
    // on a fresh list, the recorded one lapses (missing) and a new one is created.
    let listed = [active("inv_2")];
    assert_eq!(
        active_step(recorded(Some(at(-1))), Some(&listed)),
        InvitationStep::Revoke(&listed[0])
    );
}

#[test]
fn a_lapsed_invitation_expired_or_missing_is_replaced() {
    let expired = [of("inv_1", S::Expired)];
    assert_eq!(
        active_step(recorded(Some(at(-1))), Some(&expired)),
        InvitationStep::Lapsed {
            status: Some(Reported::Known(S::Expired)),
            replace: true
        }
    );
    let missing = [of("inv_9", S::Revoked)];
    assert_eq!(
        active_step(recorded(Some(at(-1))), Some(&missing)),
        InvitationStep::Lapsed {
            status: None,
            replace: true
        }
    );
    assert_eq!(
        active_step(recorded(Some(at(-1))), Some(&[])),
        InvitationStep::Lapsed {
            status: None,
            replace: true
        }
    );
    // Listed `ACTIVE` but past its `expiresAt`: expired, Nectar has not caught up.
    let late = [InvitationPayload {
        expires_at: Some(at(-1)),
        ..active("inv_1")
    }];
    assert_eq!(
        active_step(recorded(Some(at(-1))), Some(&late)),
        InvitationStep::Lapsed {
            status: Some(Reported::Known(S::Active)),
            replace: true
        }
    );
}

/// Used up, revoked by someone, or a status this crate does not know: someone acted on it
/// on purpose, so it is not replaced (the episode is settled).
#[test]
fn a_lapsed_invitation_fulfilled_revoked_or_unknown_is_not_replaced() {
    for status in [
        Reported::Known(S::Fulfilled),
        Reported::Known(S::Revoked),
        Reported::Unknown("SUSPENDED".to_owned()),
    ] {
        let listed = [InvitationPayload {
            status: status.clone(),
            ..active("inv_1")
        }];
        assert_eq!(
            active_step(recorded(Some(at(-1))), Some(&listed)),
            InvitationStep::Lapsed {
                status: Some(status),
                replace: false
            }
        );
    }
}

// --- Closing, Settled, Closed -----------------------------------------------------------

#[test]
fn a_closing_episode_revokes_every_active_invitation_then_is_done() {
    assert_eq!(step(Episode::Closing, None), InvitationStep::Look);
    let listed = [of("inv_1", S::Expired), active("inv_2"), active("inv_3")];
    assert_eq!(
        step(Episode::Closing, Some(&listed)),
        InvitationStep::Revoke(&listed[1])
    );
    let listed = [of("inv_2", S::Revoked), active("inv_3")];
    assert_eq!(
        step(Episode::Closing, Some(&listed)),
        InvitationStep::Revoke(&listed[1])
    );
    let listed = [of("inv_2", S::Revoked), of("inv_3", S::Revoked)];
    assert_eq!(step(Episode::Closing, Some(&listed)), InvitationStep::Done);
    // Another connection's active invitation is not this episode's to revoke.
    let listed = [InvitationPayload {
        connection_id: Some("c-2".to_owned()),
        ..active("inv_4")
    }];
    assert_eq!(step(Episode::Closing, Some(&listed)), InvitationStep::Done);
    // The recorded invitation plays no part.
    let listed = [active("inv_1")];
    assert_eq!(
        invitation_step_of(
            CONNECTION,
            Episode::Closing,
            Some(recorded(Some(at(1)))),
            Some(&listed),
            now()
        ),
        InvitationStep::Revoke(&listed[0])
    );
}

#[test]
fn settled_and_closed_episodes_are_done_without_a_call() {
    let listed = [active("inv_1"), active("inv_2")];
    for episode in [Episode::Settled, Episode::Closed] {
        assert_eq!(step(episode, None), InvitationStep::Done);
        assert_eq!(step(episode, Some(&listed)), InvitationStep::Done);
        assert_eq!(
            invitation_step_of(
                CONNECTION,
                episode,
                Some(recorded(Some(at(-1)))),
                None,
                now()
            ),
            InvitationStep::Done
        );
    }
}

#[test]
fn invitation_step_is_invitation_step_of_without_a_recorded_invitation() {
    let listed = [active("inv_1"), active("inv_2")];
    for episode in [
        Episode::Wanted,
        Episode::Active,
        Episode::Settled,
        Episode::Closing,
        Episode::Closed,
    ] {
        for list in [None, Some(&listed[..]), Some(&listed[..1]), Some(&[][..])] {
            assert_eq!(
                invitation_step(CONNECTION, episode, list, now()),
                invitation_step_of(CONNECTION, episode, None, list, now()),
                "{episode} {list:?}"
            );
        }
    }
}

// --- Decisions --------------------------------------------------------------------------

fn account(
    status: Option<Reported<AccountStatus>>,
    tracking: Option<Reported<TrackingStatus>>,
) -> AccountPayload {
    AccountPayload {
        id: Some("a-1".to_owned()),
        status,
        tracking_status: tracking,
        ..AccountPayload::default()
    }
}

fn details(accounts: Vec<AccountPayload>) -> ConnectionPayload {
    ConnectionPayload {
        accounts,
        ..ConnectionPayload::new(CONNECTION, ConnectionStatus::Connected)
    }
}

fn detected(tracking: Option<TrackingStatus>) -> AccountPayload {
    account(
        Some(Reported::Known(AccountStatus::Detected)),
        tracking.map(Reported::Known),
    )
}

#[test]
fn a_detection_reads_the_details_first() {
    assert_eq!(decision_step(None, false), DecisionStep::Look);
    assert_eq!(
        decision_step(None, true),
        DecisionStep::Look,
        "after a confirm whose answer was lost, read again: never resend blindly"
    );
}

#[test]
fn an_account_awaiting_its_decision_is_confirmed() {
    for tracking in [Some(TrackingStatus::Unset), None] {
        let awaiting = details(vec![
            detected(Some(TrackingStatus::Enabled)),
            detected(tracking),
        ]);
        for sent in [false, true] {
            assert_eq!(
                decision_step(Some(&awaiting), sent),
                DecisionStep::Confirm,
                "{tracking:?} sent {sent}"
            );
        }
    }
}

#[test]
fn nothing_awaiting_ends_the_detection_confirmed_if_sent_else_decided_elsewhere() {
    let not_awaiting = [
        Vec::new(),
        vec![detected(Some(TrackingStatus::Enabled))],
        vec![detected(Some(TrackingStatus::Disabled))],
        // Tracking `UNSET` on an account past detection, or of no known status.
        vec![account(
            Some(Reported::Known(AccountStatus::PullCompleted)),
            Some(Reported::Known(TrackingStatus::Unset)),
        )],
        vec![account(None, Some(Reported::Known(TrackingStatus::Unset)))],
        vec![account(
            Some(Reported::Unknown("QUARANTINED".to_owned())),
            None,
        )],
    ];
    for accounts in not_awaiting {
        let read = details(accounts);
        assert_eq!(
            decision_step(Some(&read), true),
            DecisionStep::Done(DecisionOutcome::Confirmed),
            "{read:?}"
        );
        assert_eq!(
            decision_step(Some(&read), false),
            DecisionStep::Done(DecisionOutcome::DecidedElsewhere),
            "{read:?}"
        );
    }
}

/// A tracking value this crate does not know is not taken for "awaiting": no confirm on a
/// guess, and none again at every look should a confirm not change that value.
#[test]
fn an_unknown_tracking_value_is_not_confirmed_on_a_guess() {
    let read = details(vec![account(
        Some(Reported::Known(AccountStatus::Detected)),
        Some(Reported::Unknown("PENDING_REVIEW".to_owned())),
    )]);
    assert_eq!(
        decision_step(Some(&read), false),
        DecisionStep::Done(DecisionOutcome::DecidedElsewhere)
    );
}

// --- Any list ---------------------------------------------------------------------------

/// An invitation of the company's list, drawn from the values that change the decision.
fn listed_invitation() -> impl Strategy<Value = InvitationPayload> {
    let connection = prop_oneof![
        Just(Some(CONNECTION.to_owned())),
        Just(Some("c-2".to_owned())),
        Just(None),
    ];
    let kind = prop_oneof![
        Just(None),
        Just(Some(Reported::Known(InvitationType::EditConnection))),
        Just(Some(Reported::Known(InvitationType::CreateConnection))),
        Just(Some(Reported::Unknown("OTHER".to_owned()))),
    ];
    let status = prop_oneof![
        Just(Reported::Known(S::Active)),
        Just(Reported::Known(S::Active)),
        Just(Reported::Known(S::Expired)),
        Just(Reported::Known(S::Revoked)),
        Just(Reported::Known(S::Fulfilled)),
        Just(Reported::Unknown("OTHER".to_owned())),
    ];
    let hours = prop_oneof![Just(None), (-2_i64..3).prop_map(Some)];
    (0_u8..6, connection, kind, status, hours.clone(), hours).prop_map(
        |(id, connection_id, invitation_type, status, expires, created)| InvitationPayload {
            invitation_type,
            connection_id,
            status,
            expires_at: expires.map(at),
            created_at: created.map(at),
            ..InvitationPayload::new(format!("inv_{id}"), S::Active)
        },
    )
}

proptest! {
    #![proptest_config(Config { cases: proptest_cases(512), ..Config::default() })]

    /// Wanted: create only when none of the connection's is active; adopt the only one;
    /// revoke one of two or more, an active one.
    #[test]
    fn a_wanted_episode_never_creates_beside_an_active_invitation(
        listed in vec(listed_invitation(), 0..6),
    ) {
        let active = listed
            .iter()
            .filter(|i| i.is_active_reconnect_of(CONNECTION, now()))
            .count();
        match step(Episode::Wanted, Some(&listed)) {
            InvitationStep::Create => prop_assert_eq!(active, 0),
            InvitationStep::Adopt(one) => {
                prop_assert_eq!(active, 1);
                prop_assert!(one.is_active_reconnect_of(CONNECTION, now()));
            }
            InvitationStep::Revoke(extra) => {
                prop_assert!(active >= 2);
                prop_assert!(extra.is_active_reconnect_of(CONNECTION, now()));
            }
            other => prop_assert!(false, "a wanted episode with a list: {other:?}"),
        }
    }

    /// Closing: done only when none of the connection's is active; otherwise revoke an
    /// active one of the connection.
    #[test]
    fn a_closing_episode_is_done_only_when_none_is_active(
        listed in vec(listed_invitation(), 0..6),
    ) {
        let active = listed
            .iter()
            .filter(|i| i.is_active_reconnect_of(CONNECTION, now()))
            .count();
        match step(Episode::Closing, Some(&listed)) {
            InvitationStep::Done => prop_assert_eq!(active, 0),
            InvitationStep::Revoke(one) => {
                prop_assert!(active >= 1);
                prop_assert!(one.is_active_reconnect_of(CONNECTION, now()));
            }
            other => prop_assert!(false, "a closing episode with a list: {other:?}"),
        }
    }
}
