//! Remediation for every status against the "What to do" / "Required action" / "Expected
//! resolution" columns of the spec's tables, read row by row from the page.

mod common;

use common::spec_table;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::invitation::{InvitationRequest, InvitationType};
use nectar_lifecycle::remediation::{
    Actor, Expectation, MFA_LADDER, MfaOption, Persistence, Remediation, Streak, SupportTopic,
    integration_advice, remediation,
};
use nectar_lifecycle::{Connection, ConnectionEvent as E, Rules};

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

#[test]
fn provider_error_rows_wait_then_contact_support_when_persistent() {
    for (status, resolution) in rows("### Provider errors", 3) {
        // "Resolves automatically" / "May resolve on next check" / "May resolve on retry"...
        assert_eq!(
            remediation(status, 1),
            Remediation::Wait {
                expectation: Expectation::NextWeeklyCheck
            },
            "{status}: {resolution}"
        );
        // ... "If persistent, ..." email support.
        let persistent = remediation(status, Persistence::DEFAULT.threshold());
        assert_eq!(
            persistent,
            Remediation::ContactSupport {
                topic: SupportTopic::PersistentProviderError(status)
            }
        );
        assert_eq!(persistent.actor(), Actor::NectarSupport);
    }
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
