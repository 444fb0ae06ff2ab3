//! serde round trips of every status and of every machine state; persisted machines are
//! validated on the way back in.

use nectar_lifecycle_core::{
    Account, AccountStatus, Connection, ConnectionStatus, Enumerated, Rules, TrackingStatus,
};
use serde::{Serialize, de::DeserializeOwned};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).expect("serializes");
    let back: T = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(&back, value, "{json}");
}

#[test]
fn every_status_serializes_to_its_api_string_and_back() {
    for &s in ConnectionStatus::ALL {
        assert_eq!(
            serde_json::to_string(&s).expect("ser"),
            format!("\"{}\"", s.as_str())
        );
        round_trip(&s);
        assert_eq!(s.as_str().parse::<ConnectionStatus>(), Ok(s));
    }
    for &s in AccountStatus::ALL {
        round_trip(&s);
        assert_eq!(s.to_string().parse::<AccountStatus>(), Ok(s));
    }
    for &s in TrackingStatus::ALL {
        round_trip(&s);
        assert_eq!(s.to_string().parse::<TrackingStatus>(), Ok(s));
    }
}

#[test]
fn every_machine_state_round_trips() {
    for rules in [Rules::Documented, Rules::Operational] {
        let states: Vec<_> = Connection::all_states(rules).collect();
        // 11 operational statuses x 4 overlay sets x the fresh-cycle flag, which is always
        // set on PENDING.
        assert_eq!(states.len(), 11 * 8 - 4);
        let unique: std::collections::HashSet<_> = states.iter().collect();
        assert_eq!(unique.len(), states.len(), "every state once");
        states.iter().for_each(round_trip);
    }
    let accounts: Vec<_> = Account::all_states().collect();
    // 9 own statuses x 3 tracking x 4 sets of the parent and company overlays, minus
    // DETECTED with ENABLED and ONBOARDED with UNSET (4 states each).
    assert_eq!(accounts.len(), 9 * 3 * 4 - 8);
    let unique: std::collections::HashSet<_> = accounts.iter().collect();
    assert_eq!(unique.len(), accounts.len(), "every state once");
    accounts.iter().for_each(round_trip);
}

#[test]
fn the_persisted_form_is_readable() {
    let json = serde_json::to_value(Connection::new(Rules::Documented)).expect("ser");
    assert_eq!(
        json,
        serde_json::json!({
            "rules": "documented",
            "operationalStatus": "PENDING",
            "isActive": true,
            "companyActive": true,
            "cyclePending": true
        })
    );
}

#[test]
fn a_persisted_overlay_as_operational_status_is_rejected() {
    let bad = r#"{"rules":"operational","operationalStatus":"DEACTIVATED","isActive":false,"companyActive":true}"#;
    let err = serde_json::from_str::<Connection>(bad).expect_err("invalid");
    assert!(
        err.to_string().contains("DEACTIVATED is an overlay"),
        "{err}"
    );
    let bad = r#"{"ownStatus":"DETECTED","trackingStatus":"ENABLED","parentBlocked":false,"companyActive":true}"#;
    assert!(serde_json::from_str::<Account>(bad).is_err());
}

#[test]
fn unknown_status_strings_are_typed_errors_carrying_the_value() {
    for junk in [
        "",
        "pending",
        "PENDING ",
        "CONNECTED\0",
        "🔥",
        "COMPANY_INACTIVE_V2",
    ] {
        let err = junk.parse::<ConnectionStatus>().expect_err("unknown");
        assert_eq!(err.value(), junk);
        assert!(err.to_string().contains("connection status"), "{err}");
        assert_eq!(
            junk.parse::<AccountStatus>().expect_err("unknown").value(),
            junk
        );
    }
    let err = serde_json::from_str::<ConnectionStatus>(r#""SLEEPING""#).expect_err("unknown");
    assert!(err.to_string().contains("SLEEPING"), "{err}");
}
