//! Property tests: serde round trips of reachable machine states, `FromStr(Display(x))`,
//! and parsing of arbitrary strings. Uses the crate's own `proptest` strategies.
//! Runs with the `proptest` feature (`cargo test --all-features`).

use nectar_lifecycle_support as common;

use common::proptest_cases;
use nectar_lifecycle_core::strategies::{
    any_account_status, any_connection_status, any_tracking_status, reachable_account,
    reachable_connection, valid_account_path, valid_path,
};
use nectar_lifecycle_core::{
    Account, AccountStatus, Connection, ConnectionStatus, Rules, TrackingStatus, WireKind,
};
use proptest::prelude::*;

fn rules() -> impl Strategy<Value = Rules> {
    prop_oneof![Just(Rules::Documented), Just(Rules::Operational)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: proptest_cases(256), ..ProptestConfig::default() })]

    #[test]
    fn reachable_connections_round_trip_through_json(conn in rules().prop_flat_map(|r| reachable_connection(r, 0..200))) {
        let json = serde_json::to_string(&conn).expect("serializes");
        prop_assert_eq!(serde_json::from_str::<Connection>(&json).expect("deserializes"), conn);
    }

    #[test]
    fn reachable_accounts_round_trip_through_json(account in reachable_account(0..200)) {
        let json = serde_json::to_string(&account).expect("serializes");
        prop_assert_eq!(serde_json::from_str::<Account>(&json).expect("deserializes"), account);
    }

    #[test]
    fn valid_paths_are_valid(
        (rules, path) in rules().prop_flat_map(|r| (Just(r), valid_path(r, 0..100)))
    ) {
        let mut conn = Connection::new(rules);
        for event in &path {
            prop_assert!(conn.apply(*event).is_ok(), "{} from {}", event, conn.status());
        }
    }

    #[test]
    fn valid_account_paths_are_valid(path in valid_account_path(0..100)) {
        let mut account = Account::new();
        for event in path {
            prop_assert!(account.apply(event).is_ok());
        }
    }

    #[test]
    fn statuses_parse_back_from_their_display(
        c in any_connection_status(), a in any_account_status(), t in any_tracking_status()
    ) {
        prop_assert_eq!(c.to_string().parse::<ConnectionStatus>(), Ok(c));
        prop_assert_eq!(a.to_string().parse::<AccountStatus>(), Ok(a));
        prop_assert_eq!(t.to_string().parse::<TrackingStatus>(), Ok(t));
    }

    #[test]
    fn any_string_parses_or_is_a_typed_error_carrying_it(s in "\\PC*|[A-Z_]{1,30}") {
        match s.parse::<ConnectionStatus>() {
            Ok(status) => prop_assert!(status.as_str() == s || s == "INCORRECT_PASSWORD"),
            Err(err) => {
                prop_assert_eq!(err.value(), s.as_str());
                prop_assert_eq!(err.kind(), WireKind::ConnectionStatus);
            }
        }
        match s.parse::<AccountStatus>() {
            Ok(status) => prop_assert_eq!(status.as_str(), s.as_str()),
            Err(err) => prop_assert_eq!(err.value(), s.as_str()),
        }
        // serde agrees with FromStr on every string.
        let json = serde_json::to_string(&s).expect("a JSON string");
        prop_assert_eq!(
            serde_json::from_str::<ConnectionStatus>(&json).ok(),
            s.parse::<ConnectionStatus>().ok()
        );
    }
}
