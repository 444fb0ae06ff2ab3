//! Overlays: deactivation and company deactivation keep the operational status underneath
//! and restore it exactly; `COMPANY_INACTIVE` shows over `DEACTIVATED`.

use nectar_lifecycle_core::{
    Connection, ConnectionEvent as E, ConnectionStatus as S, EnumSet, Enumerated, Provenance, Rules,
};

const RULES: [Rules; 2] = [Rules::Documented, Rules::Operational];

/// A connection showing each operational status, under each rule set.
fn every_operational_connection() -> impl Iterator<Item = Connection> {
    RULES.into_iter().flat_map(|rules| {
        S::ALL
            .iter()
            .filter(|s| s.is_operational())
            .map(move |&s| Connection::from_parts(rules, s, EnumSet::empty()).expect("operational"))
    })
}

#[test]
fn deactivate_then_activate_returns_to_every_operational_status() {
    for start in every_operational_connection() {
        let held = start.status();
        let mut conn = start;
        let off = conn.apply(E::Deactivate).expect("deactivate");
        assert_eq!((off.from, off.to), (held, S::Deactivated));
        assert_eq!(off.provenance, Provenance::System);
        assert_eq!(conn.operational_status(), held);
        assert!(!conn.is_active());
        let on = conn.apply(E::Activate).expect("activate");
        assert_eq!((on.from, on.to), (S::Deactivated, held));
        assert_eq!(
            conn,
            start.with_cycle_pending(true).expect("valid"),
            "the state before, with a fresh collection cycle started"
        );
    }
}

#[test]
fn company_deactivation_and_reactivation_return_to_every_operational_status() {
    for start in every_operational_connection() {
        let held = start.status();
        let mut conn = start;
        assert_eq!(
            conn.apply(E::CompanyDeactivated).expect("off").to,
            S::CompanyInactive
        );
        assert_eq!(conn.apply(E::CompanyReactivated).expect("on").to, held);
        assert_eq!(conn, start.with_cycle_pending(true).expect("valid"));
    }
}

#[test]
fn company_inactive_shows_over_deactivated_and_restores_it() {
    for start in every_operational_connection() {
        let held = start.status();
        let mut conn = start;
        conn.apply(E::Deactivate).expect("deactivate");
        let t = conn.apply(E::CompanyDeactivated).expect("company off");
        assert_eq!((t.from, t.to), (S::Deactivated, S::CompanyInactive));
        // The connection's own flag is frozen while the company is inactive.
        let err = conn.apply(E::Activate).expect_err("frozen");
        assert_eq!(err.from, S::CompanyInactive);
        assert_eq!(
            err.allowed.iter().collect::<Vec<_>>(),
            vec![E::CompanyReactivated]
        );
        assert_eq!(
            conn.apply(E::CompanyReactivated).expect("company on").to,
            S::Deactivated
        );
        assert_eq!(conn.apply(E::Activate).expect("activate").to, held);
        assert_eq!(conn, start.with_cycle_pending(true).expect("valid"));
    }
}

#[test]
fn deactivated_connection_cannot_be_deactivated_again_while_the_company_is_inactive() {
    let mut conn = Connection::new(Rules::Operational);
    conn.apply(E::CompanyDeactivated).expect("company off");
    let before = conn;
    assert!(conn.apply(E::Deactivate).is_err());
    assert_eq!(conn, before);
    assert!(conn.is_active());
}

#[test]
fn no_lifecycle_event_is_accepted_under_an_overlay() {
    for start in every_operational_connection() {
        for overlay in [E::Deactivate, E::CompanyDeactivated] {
            let mut conn = start;
            conn.apply(overlay).expect("overlay");
            for &event in E::ALL {
                if event.overlay_change().is_some() {
                    continue;
                }
                let before = conn;
                assert!(
                    conn.apply(event).is_err(),
                    "{event} under {}",
                    conn.status()
                );
                assert_eq!(conn, before);
            }
        }
    }
}

#[test]
fn double_toggles_are_rejected_and_change_nothing() {
    let mut conn = Connection::new(Rules::Documented);
    assert!(conn.apply(E::Activate).is_err(), "already active");
    assert!(
        conn.apply(E::CompanyReactivated).is_err(),
        "company already active"
    );
    conn.apply(E::Deactivate).expect("deactivate");
    let before = conn;
    assert!(conn.apply(E::Deactivate).is_err());
    assert_eq!(conn, before);
}

#[test]
fn activation_starts_a_fresh_cycle_and_the_next_check_ends_it() {
    let mut conn = Connection::from_parts(Rules::Operational, S::WebsiteDown, EnumSet::empty())
        .expect("valid");
    assert!(!conn.is_cycle_pending());
    conn.apply(E::Deactivate).expect("off");
    assert!(
        !conn.is_cycle_pending(),
        "deactivating does not start a cycle"
    );
    conn.apply(E::Activate).expect("on");
    assert!(conn.is_cycle_pending());
    conn.apply(E::Escalated)
        .expect("a Nectar action is not a check");
    assert!(conn.is_cycle_pending());
    conn.apply(E::IssueResolved).expect("resolved");
    assert!(conn.is_cycle_pending());
    conn.apply(E::WeeklyCheckPassed).expect("check");
    assert!(!conn.is_cycle_pending());
}

#[test]
fn a_new_connection_awaits_its_first_check() {
    let mut conn = Connection::new(Rules::Documented);
    assert!(conn.is_cycle_pending());
    conn.apply(E::BadCredentials).expect("first check");
    assert!(!conn.is_cycle_pending());
    conn.apply(E::CredentialsUpdated).expect("user action");
    assert!(!conn.is_cycle_pending(), "a user action is not a new cycle");
}
