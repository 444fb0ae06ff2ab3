//! Verdicts on observed changes: documented, operational only, unlisted, unknown.

use crate::event;
use nectar_lifecycle_core::ConnectionStatus as S;
use nectar_lifecycle_core::remediation::Remediation;
use nectar_lifecycle_webhook::{Assessment, Reported, Verdict};

#[test]
fn verdicts() {
    let documented = event("updated-status.json").assess();
    assert!(matches!(documented.verdict, Verdict::Documented { .. }));
    assert_eq!(documented.remediation, Some(Remediation::Nothing));
    let operational = Assessment::of(Some(&S::WebsiteDown.into()), &S::PasswordIncorrect.into());
    match operational.verdict {
        Verdict::OperationalOnly { reason, .. } => assert!(reason.contains("weekly")),
        other => panic!("{other:?}"),
    }
    let unlisted = Assessment::of(Some(&S::PasswordIncorrect.into()), &S::WebsiteDown.into());
    assert_eq!(
        unlisted.verdict,
        Verdict::Unlisted {
            from: S::PasswordIncorrect,
            to: S::WebsiteDown
        }
    );
    assert_eq!(
        event("updated-external-id.json").assess().verdict,
        Verdict::NoStatusChange
    );
}

#[test]
fn an_unknown_status_is_kept_and_judged_as_unknown() {
    let e = event("unknown-status.json");
    assert_eq!(
        e.connection.status,
        Reported::Unknown("PAUSED_BY_PROVIDER".to_owned())
    );
    let a = e.assess();
    assert_eq!(
        a.verdict,
        Verdict::UnknownStatus {
            from: "CONNECTED".to_owned(),
            to: "PAUSED_BY_PROVIDER".to_owned()
        }
    );
    assert_eq!((a.category, a.remediation, a.advice), (None, None, None));
}

#[test]
fn the_sandbox_alias_is_a_known_status() {
    let e = event("incorrect-password-alias.json");
    assert_eq!(e.connection.status, S::PasswordIncorrect.into());
    let a = e.assess();
    assert!(
        matches!(a.verdict, Verdict::Documented { .. }),
        "{}",
        a.verdict
    );
    assert!(a.collection_halted);
    assert!(matches!(a.remediation, Some(Remediation::Reconnect { .. })));
}
