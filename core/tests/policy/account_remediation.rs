//! Remediation for every account status, read row by row from the spec's account table:
//! the table gives descriptions only, and each answer follows its description and agrees
//! with the check policy and with the parent connection's remediation.

use nectar_lifecycle_support as common;

use common::spec_table;
use nectar_lifecycle_core::policy::{Collection, Scheduled};
use nectar_lifecycle_core::remediation::{
    AccountRemediation as R, Actor, account_remediation, remediation,
};
use nectar_lifecycle_core::{
    Account, AccountEvent as E, AccountStatus as S, ConnectionStatus, EnumSet, Enumerated,
};

/// `(status, description)` for every row of the account table.
fn rows() -> Vec<(S, String)> {
    spec_table("### Account statuses")
        .into_iter()
        .map(|row| (row[1].parse().expect("status"), row[2].clone()))
        .collect()
}

#[test]
fn the_table_lists_every_account_status_once() {
    let rows = rows();
    let listed: EnumSet<S> = rows.iter().map(|(status, _)| *status).collect();
    assert_eq!(rows.len(), S::ALL.len());
    assert_eq!(listed.len(), S::ALL.len());
}

/// Each row's description, and what follows from it.
#[test]
fn every_row_is_followed_as_described() {
    for (status, description) in rows() {
        let r = account_remediation(status);
        let collection = Account::showing(status).collection();
        let expected = if description.contains("not yet confirmed") {
            R::ConfirmTracking
        } else if description.contains("actively tracked")
            || description.contains("successfully collected")
        {
            R::Nothing
        } else if description.contains("parent connection has an issue") {
            R::FixConnection
        } else if description.contains("closed") {
            R::Closed
        } else if description.contains("duplicates another") {
            R::Duplicate
        } else if description.contains("chose not to track") {
            R::NotTracked
        } else if description.contains("company is deactivated") {
            R::ReactivateCompany
        } else {
            // No bills found, bills not downloadable, no longer visible, unexpected error:
            // nothing asks anyone to act, and the check rules retry the account weekly.
            R::RetriedWeekly
        };
        assert_eq!(r, expected, "{status}: {description}");
        match r {
            R::Nothing | R::RetriedWeekly | R::ConfirmTracking => {
                assert_eq!(collection, Collection::Weekly, "{status}");
            }
            R::FixConnection => assert_eq!(
                collection,
                Collection::HaltedUntilUserActs {
                    status,
                    resume: E::ParentRecovered
                }
            ),
            R::Closed | R::Duplicate => assert_eq!(
                collection,
                Collection::Terminal {
                    status,
                    resume: None
                }
            ),
            R::NotTracked => assert_eq!(
                collection,
                Collection::Terminal {
                    status,
                    resume: Some(E::Confirmed)
                }
            ),
            R::ReactivateCompany => assert_eq!(
                collection,
                Collection::StoppedBySystem {
                    status,
                    resume: E::CompanyReactivated
                }
            ),
        }
    }
}

#[test]
fn who_acts_for_each_row() {
    for (status, _) in rows() {
        let want = match status {
            S::Detected => Actor::Integrator,
            S::WorkflowNotAccessible => Actor::EndUser,
            S::CompanyInactive => Actor::NectarSupport,
            S::Onboarded
            | S::PullCompleted
            | S::NoDocumentsFound
            | S::PdfDownloadFailed
            | S::AccountNotFound
            | S::OtherError
            | S::OldAccount
            | S::Duplicate
            | S::CustomerNotTracked => Actor::Nobody,
        };
        assert_eq!(account_remediation(status).actor(), want, "{status}");
    }
}

/// An account blocked by its connection is fixed through the connection: by the end user,
/// whatever credential error the connection is in.
#[test]
fn fixing_the_connection_is_the_connections_remediation() {
    let credential_errors = ConnectionStatus::ALL
        .iter()
        .filter(|s| s.is_credential_error());
    for &status in credential_errors {
        let fix = remediation(status, 1);
        assert_eq!(fix.actor(), R::FixConnection.actor(), "{status}");
        assert!(fix.invitation().is_some(), "{status}");
    }
    // The company is reactivated the same way for a connection and its accounts.
    assert_eq!(
        R::ReactivateCompany.to_string(),
        remediation(ConnectionStatus::CompanyInactive, 1).to_string()
    );
}

#[test]
fn each_remediation_is_one_sentence() {
    for &r in R::ALL {
        let sentence = r.to_string();
        assert!(
            !sentence.is_empty() && !sentence.contains(". "),
            "{r:?}: {sentence}"
        );
        assert!(!sentence.ends_with('.'), "{sentence}");
    }
    assert!(
        R::ConfirmTracking
            .to_string()
            .contains(r#"{"confirm": true}"#)
    );
}

#[test]
fn remediations_round_trip_through_serde() {
    for &r in R::ALL {
        let json = serde_json::to_string(&r).expect("serialize");
        assert_eq!(serde_json::from_str::<R>(&json).expect("deserialize"), r);
    }
    assert_eq!(
        serde_json::to_string(&R::FixConnection).expect("serialize"),
        r#""fix_connection""#
    );
}
