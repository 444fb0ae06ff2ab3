//! Remediation for every status against the "What to do" / "Required action" / "Expected
//! resolution" columns of the spec's tables, read row by row from the page.

use nectar_lifecycle_support as common;

use common::spec_table;
use nectar_lifecycle_core::ConnectionStatus as S;
use nectar_lifecycle_core::invitation::{InvitationRequest, InvitationType};
use nectar_lifecycle_core::remediation::{
    Actor, Expectation, MFA_LADDER, MfaOption, Persistence, Remediation, Streak, SupportTopic,
    integration_advice, remediation,
};
use nectar_lifecycle_core::{Connection, ConnectionEvent as E, Rules};

/// `(status, the row's advice column)` for every row of the table after `heading`.
fn rows(heading: &str, column: usize) -> Vec<(S, String)> {
    spec_table(heading)
        .into_iter()
        .map(|row| (row[1].parse().expect("status"), row[column].clone()))
        .collect()
}

#[test]
fn healthy_rows_what_to_do() {
    for (status, what) in rows("### Healthy statuses", 3) {
        let r = remediation(status, 0);
        if what.starts_with("Nothing") {
            assert_eq!(r, Remediation::Nothing, "{status}");
        } else if what.contains("first check") {
            assert_eq!(
                r,
                Remediation::Wait {
                    expectation: Expectation::FirstCheckWithinDays
                }
            );
        } else {
            assert!(what.starts_with("Wait for resolution"), "{what}");
            assert_eq!(
                r,
                Remediation::Wait {
                    expectation: Expectation::InvestigationWithinBusinessDays
                }
            );
        }
        assert_eq!(r.actor(), Actor::Nobody, "{status}");
    }
}

#[test]
fn credential_error_rows_required_action() {
    let reconnect = InvitationRequest::reconnect();
    assert_eq!(reconnect.kind(), InvitationType::EditConnection);
    assert_eq!(reconnect.max_uses(), Some(1));
    for (status, action) in rows("### Credential errors", 3) {
        let r = remediation(status, 0);
        assert_eq!(r.actor(), Actor::EndUser, "{status}");
        assert_eq!(
            r.invitation(),
            Some(reconnect),
            "{status}: every row names an invitation"
        );
        assert!(action.contains("invitation"), "{action}");
        if action.contains("MFA recommendation ladder") {
            let Remediation::MfaLadder { ladder, .. } = r else {
                panic!("{status}: {r:?}")
            };
            assert_eq!(ladder, MFA_LADDER);
            assert_eq!(
                ladder[0],
                MfaOption::UploadDocuments,
                "document upload first"
            );
        } else if action.contains("first reset their password") {
            assert_eq!(
                r,
                Remediation::ResetPasswordThenReconnect {
                    invitation: reconnect
                }
            );
        } else {
            assert_eq!(
                r,
                Remediation::Reconnect {
                    invitation: reconnect
                },
                "{status}"
            );
        }
    }
}

/// Each provider-error row, followed as written: the "Expected resolution" column says
/// what happens, and what to do "if persistent" (or that nothing needs doing).
#[test]
fn provider_error_rows_are_followed_as_written() {
    let persistent_checks = Persistence::DEFAULT.threshold();
    let mut seen = 0;
    for (status, resolution) in rows("### Provider errors", 3) {
        seen += 1;
        let first = remediation(status, 1);
        let persistent = remediation(status, persistent_checks);
        if resolution.starts_with("Resolves automatically") {
            // WEBSITE_DOWN: nothing to do, however long it lasts.
            assert!(!resolution.contains("If persistent"), "{resolution}");
            for r in [first, persistent, remediation(status, 100)] {
                assert_eq!(
                    r,
                    Remediation::Wait {
                        expectation: Expectation::ProviderBackOnline
                    },
                    "{status}"
                );
                assert_eq!(r.actor(), Actor::Nobody);
            }
            continue;
        }
        // "May resolve on next check / retry" or "If persistent, ..." only when it persists.
        assert_eq!(
            first,
            Remediation::Wait {
                expectation: Expectation::NextWeeklyCheck
            },
            "{status}: {resolution}"
        );
        assert!(resolution.contains("If persistent"), "{resolution}");
        if resolution.contains("support@nectarclimate.com") {
            // URL_INACCESSIBLE and OTHER_ERROR: email support when it persists.
            assert_eq!(
                persistent,
                Remediation::ContactSupport {
                    topic: SupportTopic::PersistentProviderError(status)
                },
                "{status}"
            );
            assert_eq!(persistent.actor(), Actor::NectarSupport);
        } else {
            // NO_ACCOUNTS_FOUND: the login may be for a payment-only portal, or the accounts
            // closed; the end user checks it.
            assert!(resolution.contains("the login may be"), "{resolution}");
            assert_eq!(persistent, Remediation::CheckLogin, "{status}");
            assert_eq!(persistent.actor(), Actor::EndUser);
        }
    }
    assert_eq!(seen, 4);
}

#[test]
fn a_persistent_website_down_is_not_sent_to_support() {
    // The defect found by a dependent: WEBSITE_DOWN that persists went to Nectar support.
    let r = remediation(S::WebsiteDown, 2);
    assert_ne!(r.actor(), Actor::NectarSupport);
    assert_eq!(r.actor(), Actor::Nobody);
}

#[test]
fn system_rows() {
    for (status, meaning) in rows("### System statuses", 2) {
        let r = remediation(status, 0);
        if meaning.contains("\"isActive\": true") {
            assert_eq!(r, Remediation::Activate, "{status}");
            assert_eq!(r.actor(), Actor::Integrator);
        } else {
            assert!(meaning.contains("to reactivate"), "{meaning}");
            assert_eq!(
                r,
                Remediation::ContactSupport {
                    topic: SupportTopic::ReactivateCompany
                }
            );
        }
    }
}

#[test]
fn the_persistence_threshold_is_a_parameter() {
    let patient = Persistence::after(4);
    assert!(matches!(
        patient.remediation(S::OtherError, 3),
        Remediation::Wait { .. }
    ));
    assert!(matches!(
        patient.remediation(S::OtherError, 4),
        Remediation::ContactSupport { .. }
    ));
    assert_eq!(Persistence::after(0).threshold(), 1);
}

#[test]
fn streak_counts_consecutive_checks_ending_in_the_same_status() {
    let mut conn = Connection::new(Rules::Operational);
    let mut streak = Streak::default();
    for (event, checks) in [
        (E::ProviderUnavailable, 1),
        (E::ProviderUnavailable, 2),
        (E::UrlUnreachable, 1),
        (E::UrlUnreachable, 2),
        (E::Escalated, 0),
        (E::WeeklyCheckPassed, 1),
    ] {
        streak.observe(&conn.apply(event).expect("allowed"));
        assert_eq!(streak.checks(), checks, "after {event}");
    }
}

#[test]
fn integration_pattern() {
    // Step 1-3: entering a credential error notifies the user with a reconnect invitation.
    for status in [
        S::PasswordIncorrect,
        S::MfaTokenExpired,
        S::NewPasswordNeeded,
        S::AdditionalCredentialsNeeded,
    ] {
        let advice = integration_advice(Some(S::Connected), status);
        assert!(advice.notify_end_user, "{status}");
        assert_eq!(advice.invitation, Some(InvitationRequest::reconnect()));
        assert_eq!(
            advice.recommend_document_upload,
            status == S::MfaTokenExpired
        );
        assert!(!advice.recovery);
        // Seeing the same error again (a duplicate delivery) is not a new notification.
        assert!(!integration_advice(Some(status), status).notify_end_user);
        // Step 4: the user completes the flow; CONNECTED is a recovery.
        assert!(integration_advice(Some(status), S::Connected).recovery);
    }
    assert!(integration_advice(None, S::PasswordIncorrect).notify_end_user);
    let quiet = integration_advice(Some(S::Connected), S::WebsiteDown);
    assert!(!quiet.notify_end_user && quiet.invitation.is_none() && !quiet.recovery);
    assert!(integration_advice(Some(S::WebsiteDown), S::Connected).recovery);
    assert!(integration_advice(Some(S::UnderInvestigation), S::Connected).recovery);
    assert!(!integration_advice(Some(S::Pending), S::Connected).recovery);
    assert!(
        !integration_advice(Some(S::Deactivated), S::Connected).recovery,
        "activation"
    );
}
