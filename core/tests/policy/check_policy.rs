//! The spec's "Check frequency" rules, per status read from the spec's own tables, and the
//! time boundaries of the weekly cycle.

use nectar_lifecycle_support as common;

use common::{SPEC, api_values, code_spans};
use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle_core::policy::{
    CHECK_INTERVAL, CheckDue, Collection, FleetEntry, Scheduled, credential_halt, next_check_due,
    schedule, weekly_retry,
};
use nectar_lifecycle_core::{
    Account, AccountEvent, AccountOverlay, AccountStatus, Connection, ConnectionEvent as E,
    ConnectionStatus as S, EnumSet, Enumerated, Rules, TrackingStatus,
};

fn t0() -> Timestamp {
    "2026-11-02T09:00:00Z".parse().expect("timestamp")
}

/// A connection showing `status`, past its first check (but for `PENDING`, which has had
/// none).
fn showing(status: S) -> Connection {
    let conn = Connection::showing(Rules::Operational, status);
    if status == S::Pending {
        conn
    } else {
        conn.with_cycle_pending(false).expect("not PENDING")
    }
}

fn statuses(heading: &str) -> Vec<S> {
    api_values(heading)
        .iter()
        .map(|v| v.parse().expect("status"))
        .collect()
}

#[test]
fn credential_error_rows_halt_collection_until_their_user_action() {
    let rows = statuses("### Credential errors");
    assert_eq!(rows.len(), 4);
    for status in rows {
        let conn = showing(status);
        let halt = credential_halt(status).expect("halts");
        assert_eq!(
            conn.collection(),
            Collection::HaltedUntilUserActs {
                status,
                resume: halt.resume
            }
        );
        // The resuming action is an edge the user takes out of the error.
        let mut resumed = conn;
        assert_eq!(
            resumed.apply(halt.resume).expect("resumes").to,
            S::Connected
        );
        assert_eq!(weekly_retry(status, t0()), None);
    }
}

#[test]
fn provider_error_rows_are_retried_on_the_next_weekly_check() {
    // "Nectar retries automatically on the next weekly check."
    let rows = statuses("### Provider errors");
    assert_eq!(rows.len(), 4);
    for status in rows {
        assert_eq!(showing(status).collection(), Collection::Weekly, "{status}");
        assert_eq!(weekly_retry(status, t0()), Some(t0() + CHECK_INTERVAL));
        assert_eq!(credential_halt(status), None);
    }
}

#[test]
fn healthy_rows_are_checked_weekly_including_under_investigation() {
    // "All other statuses ... are retried on the next weekly cycle": UNDER_INVESTIGATION too.
    for status in statuses("### Healthy statuses") {
        // PENDING's first check is due at once, then weekly like the others.
        let want = if status == S::Pending {
            Collection::DueAtOnce
        } else {
            Collection::Weekly
        };
        assert_eq!(showing(status).collection(), want, "{status}");
        assert!(weekly_retry(status, t0()).is_some());
    }
}

#[test]
fn system_rows_stop_collection_until_the_overlay_is_lifted() {
    let rows = statuses("### System statuses");
    assert_eq!(rows, vec![S::CompanyInactive, S::Deactivated]);
    for status in rows {
        let conn = showing(status);
        let Collection::StoppedBySystem {
            status: shown,
            resume,
        } = conn.collection()
        else {
            panic!("{status} is not stopped");
        };
        assert_eq!(shown, status);
        let mut lifted = conn;
        assert_eq!(lifted.apply(resume).expect("lifts").to, S::Connected);
        assert_eq!(
            next_check_due(&conn, Some(t0()), Timestamp::MAX),
            CheckDue::NotScheduled
        );
    }
}

#[test]
fn terminal_account_statuses_of_the_check_rules_are_never_rechecked() {
    let rule = SPEC
        .lines()
        .find(|l| l.contains("**Terminal account statuses**"))
        .expect("rule");
    for value in code_spans(rule) {
        let status: AccountStatus = value.parse().expect("status");
        let account = match status {
            AccountStatus::CustomerNotTracked => Account::from_parts(
                AccountStatus::Onboarded,
                TrackingStatus::Disabled,
                EnumSet::from([AccountOverlay::CustomerNotTracked]),
            ),
            own => Account::from_parts(own, TrackingStatus::Enabled, EnumSet::empty()),
        }
        .expect("valid");
        assert!(
            matches!(account.collection(), Collection::Terminal { status: s, .. } if s == status),
            "{status}"
        );
        for now in [
            Timestamp::MIN,
            t0(),
            t0() + CHECK_INTERVAL * 100,
            Timestamp::MAX,
        ] {
            assert_eq!(
                next_check_due(&account, Some(t0()), now),
                CheckDue::NotScheduled
            );
            assert_eq!(next_check_due(&account, None, now), CheckDue::NotScheduled);
        }
    }
}

#[test]
fn due_exactly_at_seven_days_not_one_second_before() {
    let conn = showing(S::Connected);
    let due = t0() + SignedDuration::from_hours(7 * 24);
    let second = SignedDuration::from_secs(1);
    assert_eq!(
        next_check_due(&conn, Some(t0()), due - second),
        CheckDue::At(due)
    );
    assert_eq!(next_check_due(&conn, Some(t0()), due), CheckDue::Now);
    assert_eq!(
        next_check_due(&conn, Some(t0()), due + second),
        CheckDue::Now
    );
    assert_eq!(
        next_check_due(&conn, None, t0()),
        CheckDue::Now,
        "never checked"
    );
}

#[test]
fn a_new_connection_is_due_at_once() {
    let conn = Connection::new(Rules::Documented);
    assert_eq!(conn.collection(), Collection::DueAtOnce);
    assert_eq!(next_check_due(&conn, Some(t0()), t0()), CheckDue::Now);
}

#[test]
fn activation_resets_the_cycle() {
    let mut conn = showing(S::WebsiteDown);
    let just_checked = t0();
    assert_eq!(
        next_check_due(&conn, Some(just_checked), just_checked),
        CheckDue::At(just_checked + CHECK_INTERVAL)
    );
    conn.apply(E::Deactivate).expect("off");
    assert_eq!(
        next_check_due(&conn, Some(just_checked), t0()),
        CheckDue::NotScheduled
    );
    conn.apply(E::Activate).expect("on");
    assert_eq!(
        next_check_due(&conn, Some(just_checked), just_checked),
        CheckDue::Now
    );
    conn.apply(E::ProviderBackOnline)
        .expect("the fresh cycle's check");
    assert_eq!(
        next_check_due(&conn, Some(just_checked), just_checked),
        CheckDue::At(just_checked + CHECK_INTERVAL)
    );
}

#[test]
fn a_credential_halted_connection_is_never_due_until_the_user_acts() {
    for &status in S::ALL.iter().filter(|s| s.is_credential_error()) {
        let mut conn = showing(status);
        for now in [
            t0(),
            t0() + CHECK_INTERVAL,
            t0() + CHECK_INTERVAL * 52,
            Timestamp::MAX,
        ] {
            assert_eq!(
                next_check_due(&conn, Some(t0()), now),
                CheckDue::NotScheduled
            );
        }
        // Nothing but the user's action (or an overlay) is accepted, so nothing else resumes it.
        let resume = credential_halt(status).expect("halt").resume;
        for &event in E::ALL {
            if event != resume && event.overlay_change().is_none() {
                assert!(conn.clone().apply(event).is_err(), "{event} from {status}");
            }
        }
        conn.apply(resume).expect("user acts");
        assert_eq!(
            next_check_due(&conn, Some(t0()), t0() + CHECK_INTERVAL),
            CheckDue::Now
        );
    }
}

#[test]
fn accounts_under_a_blocked_or_inactive_parent_are_not_pulled() {
    let mut account = Account::new();
    account.apply(AccountEvent::ParentBlocked).expect("blocked");
    assert!(matches!(
        account.collection(),
        Collection::HaltedUntilUserActs { .. }
    ));
    account
        .apply(AccountEvent::CompanyDeactivated)
        .expect("company");
    assert!(matches!(
        account.collection(),
        Collection::StoppedBySystem { .. }
    ));
    assert_eq!(next_check_due(&account, None, t0()), CheckDue::NotScheduled);
}

#[test]
fn the_scheduler_agrees_with_next_check_due_on_every_connection_and_account() {
    let accounts: Vec<Account> = Account::all_states().collect();
    let lasts = [
        None,
        Some(t0()),
        Some(t0() - CHECK_INTERVAL),
        Some(t0() - CHECK_INTERVAL * 2),
    ];
    let conns: Vec<Connection> = Connection::all_states(Rules::Operational).collect();
    let fleet: Vec<FleetEntry<'_>> = conns
        .iter()
        .enumerate()
        .map(|(i, &connection)| FleetEntry {
            connection,
            last_check: lasts[i % lasts.len()],
            accounts: &accounts[..(i % accounts.len())],
        })
        .collect();
    let now = t0();
    let due = schedule(&fleet, now);
    let mut want_conns = Vec::new();
    let mut want_accounts = Vec::new();
    for (c, entry) in fleet.iter().enumerate() {
        if next_check_due(&entry.connection, entry.last_check, now) == CheckDue::Now {
            want_conns.push(c);
            for (a, account) in entry.accounts.iter().enumerate() {
                if next_check_due(account, None, now) == CheckDue::Now {
                    want_accounts.push((c, a));
                }
            }
        }
    }
    assert!(!want_conns.is_empty() && want_conns.len() < fleet.len());
    assert_eq!(due.connections, want_conns);
    assert_eq!(due.accounts, want_accounts);
    // Never a terminal or untracked account.
    for (c, a) in due.accounts {
        let status = fleet[c].accounts[a].status();
        assert!(!matches!(
            status,
            AccountStatus::OldAccount
                | AccountStatus::Duplicate
                | AccountStatus::CustomerNotTracked
        ));
    }
}
