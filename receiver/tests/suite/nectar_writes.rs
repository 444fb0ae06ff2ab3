//! The client's calls to Nectar's invitation endpoints and the account decision, against
//! the double: reads are retried, writes are never resent once they may have been done
//! (Nectar takes no idempotency key), and a write that surely was not done (429) is.

use core::time::Duration;

use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::invitation::{InvitationRequest, InvitationStatus};
use nectar_lifecycle::webhook::{
    AccountDecision, Company, ConnectionPayload, CreateInvitation, InvitationTarget, Reported,
};
use nectar_receiver::{ApiKey, Config, DatabaseUrl, FetchError, NectarApi, NectarClient};

use crate::support::nectar_api::{DOUBLE_API_KEY, Faults, NectarApi as Double};
use crate::support::{bounded, connection};

/// The double with connection `c-1` of company `co-1`, and a client of it with short waits.
async fn setup() -> (Double, NectarClient) {
    let double = Double::start().await;
    double.put(
        "co-1",
        ConnectionPayload {
            company: Some(Company {
                id: Some("co-1".to_owned()),
                ..Company::default()
            }),
            ..connection("c-1", S::PasswordIncorrect, 0)
        },
    );
    let mut config = Config::new(DatabaseUrl::default());
    config.api = NectarApi {
        base_url: double.base_url(),
        key: Some(ApiKey::new(DOUBLE_API_KEY)),
    };
    config.etiquette.backoff = Duration::from_millis(5);
    config.etiquette.max_backoff = Duration::from_millis(50);
    let client = NectarClient::new(&config).expect("a client");
    (double, client)
}

fn reconnect() -> CreateInvitation {
    CreateInvitation {
        expires_in_seconds: Some(604_800),
        ..CreateInvitation::from(InvitationRequest::reconnect())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_list_revoke_and_decide() {
    bounded(async {
        let (double, client) = setup().await;
        let created = client
            .create_invitation(InvitationTarget::Connection("c-1"), &reconnect())
            .await
            .expect("created");
        assert_eq!(created.status, Reported::Known(InvitationStatus::Active));
        assert_eq!(created.max_uses, Some(1));
        assert!(created.invitation_url.is_some());
        let listed = client.company_invitations("co-1").await.expect("listed");
        assert_eq!(listed, std::slice::from_ref(&created));
        let now = jiff::Timestamp::now();
        assert!(listed[0].is_active_reconnect_of("c-1", now));

        client
            .revoke_invitation(&created.id)
            .await
            .expect("revoked");
        let after = double.invitations();
        assert_eq!(after[0].status, Reported::Known(InvitationStatus::Revoked));

        client
            .decide_accounts("c-1", AccountDecision::Confirm)
            .await
            .expect("confirmed");
        assert_eq!(double.decisions(), [("c-1".to_owned(), true)]);
        double.stop();
    })
    .await;
}

/// Done, then answered 503: uncertain, sent once, and the invitation is there to adopt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_answer_was_lost_is_not_resent() {
    bounded(async {
        let (double, client) = setup().await;
        double.fail_after_next_writes(1);
        let before = double.stats().requests;
        let answer = client
            .create_invitation(InvitationTarget::Connection("c-1"), &reconnect())
            .await;
        assert!(
            matches!(
                answer,
                Err(FetchError::Uncertain {
                    status: Some(503),
                    ..
                })
            ),
            "{answer:?}"
        );
        assert_eq!(double.stats().requests - before, 1, "sent once");
        assert_eq!(double.invitations().len(), 1, "and it was done");
        let listed = client
            .company_invitations("co-1")
            .await
            .expect("look first");
        assert_eq!(listed.len(), 1);

        double.fail_after_next_writes(1);
        let decided = client.decide_accounts("c-1", AccountDecision::Reject).await;
        assert!(
            matches!(decided, Err(FetchError::Uncertain { .. })),
            "{decided:?}"
        );
        assert_eq!(double.decisions(), [("c-1".to_owned(), false)]);
        double.stop();
    })
    .await;
}

/// A 503 before the work is still uncertain to the client (it cannot tell): not resent. A
/// 429 surely was not done: retried up to the etiquette's attempts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_write_is_retried_and_an_outage_is_not() {
    bounded(async {
        let (double, client) = setup().await;
        double.set_faults(Faults {
            unavailable_per_mille: 1000,
            ..Faults::default()
        });
        let before = double.stats().requests;
        let answer = client
            .create_invitation(InvitationTarget::Connection("c-1"), &reconnect())
            .await;
        assert!(
            matches!(answer, Err(FetchError::Uncertain { .. })),
            "{answer:?}"
        );
        assert_eq!(double.stats().requests - before, 1);

        double.set_faults(Faults {
            rate_limited_per_mille: 1000,
            retry_after_secs: 0,
            ..Faults::default()
        });
        let before = double.stats().requests;
        let answer = client
            .create_invitation(InvitationTarget::Connection("c-1"), &reconnect())
            .await;
        assert!(
            matches!(answer, Err(FetchError::Status { status: 429, .. })),
            "{answer:?}"
        );
        assert_eq!(
            double.stats().requests - before,
            4,
            "the etiquette's 4 attempts"
        );

        // A read answered 503 is retried as often.
        double.set_faults(Faults {
            unavailable_per_mille: 1000,
            ..Faults::default()
        });
        let before = double.stats().requests;
        assert!(client.company_invitations("co-1").await.is_err());
        assert_eq!(double.stats().requests - before, 4);
        assert!(double.invitations().is_empty(), "nothing was created");
        double.stop();
    })
    .await;
}
