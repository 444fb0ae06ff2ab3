//! The wire enums and their categories against the spec's own tables, read from a verbatim
//! copy of the page (not retyped into the test).

use nectar_lifecycle_support as common;

use common::{SPEC, api_values};
use nectar_lifecycle_core::{
    AccountStatus, ConnectionCategory, ConnectionStatus, Enumerated, TrackingStatus,
};

#[test]
fn each_connection_table_row_has_its_category() {
    let tables = [
        ("### Healthy statuses", ConnectionCategory::Healthy),
        ("### Credential errors", ConnectionCategory::CredentialError),
        ("### Provider errors", ConnectionCategory::ProviderError),
        ("### System statuses", ConnectionCategory::System),
    ];
    let mut seen = 0;
    for (heading, category) in tables {
        let values = api_values(heading);
        assert!(!values.is_empty(), "{heading}");
        for value in values {
            let status: ConnectionStatus = value.parse().expect("every API value parses");
            assert_eq!(status.category(), category, "{value}");
            assert_eq!(status.as_str(), value, "written back exactly");
            seen += 1;
        }
    }
    assert_eq!(
        seen,
        ConnectionStatus::ALL.len(),
        "the spec's tables list every status once"
    );
}

#[test]
fn every_account_status_of_the_spec_parses_and_no_more() {
    let values = api_values("### Account statuses");
    assert_eq!(values.len(), AccountStatus::ALL.len());
    for value in values {
        let status: AccountStatus = value.parse().expect("parses");
        assert_eq!(status.as_str(), value);
    }
}

#[test]
fn every_tracking_status_of_the_spec_parses_and_no_more() {
    let values: Vec<String> = common::spec_table("Each account also has a `trackingStatus` field")
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    assert_eq!(values.len(), TrackingStatus::ALL.len());
    for value in values {
        assert_eq!(
            value.parse::<TrackingStatus>().expect("parses").as_str(),
            value
        );
    }
}

#[test]
fn the_four_credential_errors_of_the_integration_pattern() {
    // "check if the new status is one of the four credential errors: ..."
    let sentence = SPEC
        .split_once("one of the four credential errors:")
        .expect("sentence in spec")
        .1
        .split_once('.')
        .expect("ends")
        .0;
    let named: Vec<ConnectionStatus> = common::code_spans(sentence)
        .map(|v| v.parse().expect("parses"))
        .collect();
    assert_eq!(named.len(), 4);
    let ours: Vec<_> = ConnectionStatus::ALL
        .iter()
        .copied()
        .filter(|s| s.is_credential_error())
        .collect();
    assert_eq!(named, ours);
}

#[test]
fn terminal_account_statuses_of_the_check_rules() {
    let rule = SPEC
        .lines()
        .find(|l| l.contains("**Terminal account statuses**"))
        .expect("rule in spec");
    let named: Vec<AccountStatus> = common::code_spans(rule)
        .map(|v| v.parse().expect("parses"))
        .collect();
    assert_eq!(named.len(), 3);
    for status in named {
        assert_eq!(
            status.category(),
            nectar_lifecycle_core::AccountCategory::Terminal
        );
    }
}
