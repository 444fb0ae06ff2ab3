//! What to do about each status: the "What to do", "Required action" and "Expected
//! resolution" columns of the spec's tables, and its "Recommended integration pattern", as
//! typed data.
//!
//! Each row of the spec's tables is followed as written: `WEBSITE_DOWN` resolves by itself
//! however long it lasts; a persistent `URL_INACCESSIBLE` or `OTHER_ERROR` goes to Nectar
//! support; a persistent `NO_ACCOUNTS_FOUND` asks the end user to check the login. When an
//! error is *persistent* is a decision of this crate ([`Persistence`], see
//! [the manual](crate::manual#persistence)).
//!
//! The account table has descriptions but no "what to do" column: [`account_remediation`]
//! follows each description (see [the manual](crate::manual#account-remediation)).

use serde::{Deserialize, Serialize};

use crate::closed_enum;
use crate::event::{ConnectionEvent, EventOrigin};
use crate::invitation::InvitationRequest;
use crate::machine::Transition;
use crate::status::{AccountStatus, ConnectionCategory, ConnectionStatus};

/// The sentence for a company to reactivate, connection or account.
const REACTIVATE_COMPANY: &str = "email support@nectarclimate.com to reactivate the company";

closed_enum! {
    /// Who must act for a connection to make progress (the "Action Required" column).
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Actor {
        /// Nobody: Nectar's schedule takes care of it.
        Nobody,
        /// The end user, through a reconnect invitation.
        EndUser,
        /// The integrator, through Nectar's API.
        Integrator,
        /// Nectar support.
        NectarSupport,
    }
}

closed_enum! {
    /// How long a wait the spec leads one to expect.
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Expectation {
        /// The first check "typically runs within a few days" (the lifecycle page; the
        /// troubleshooting page says hours, up to 48 hours).
        FirstCheckWithinDays,
        /// Investigations are "typically resolved within a few business days".
        InvestigationWithinBusinessDays,
        /// Retried automatically on the next weekly check.
        NextWeeklyCheck,
        /// `WEBSITE_DOWN` "resolves automatically when the provider comes back online.
        /// Usually within a few days."
        ProviderBackOnline,
    }
}

closed_enum! {
    /// The MFA recommendation ladder, in the order to offer it.
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum MfaOption {
        /// Upload documents (bills) instead of scraping: the recommended first option.
        UploadDocuments,
        /// Disable MFA on the utility portal.
        DisableMfa,
        /// Managed MFA forwarding to a Nectar-provided address.
        ManagedForwarding,
        /// Forwarding from the customer's own inbox (often blocked by corporate mail policy).
        OwnInboxForwarding,
        /// SMS relay (beta, on request).
        SmsRelay,
    }
}

impl MfaOption {
    /// The option in words.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Self::UploadDocuments => "upload documents (bills) instead of scraping",
            Self::DisableMfa => "disable MFA on the utility portal",
            Self::ManagedForwarding => "managed MFA forwarding",
            Self::OwnInboxForwarding => "forwarding from the customer's own inbox",
            Self::SmsRelay => "SMS relay (beta, on request)",
        }
    }
}

/// Nectar's MFA recommendation ladder, document upload first.
pub const MFA_LADDER: [MfaOption; 5] = [
    MfaOption::UploadDocuments,
    MfaOption::DisableMfa,
    MfaOption::ManagedForwarding,
    MfaOption::OwnInboxForwarding,
    MfaOption::SmsRelay,
];

/// Why to contact Nectar support (support@nectarclimate.com).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "topic", content = "status")]
pub enum SupportTopic {
    /// `URL_INACCESSIBLE` or `OTHER_ERROR` persisted; include the connection ID and company
    /// name. For `URL_INACCESSIBLE`, first verify the URL is still valid (the provider may
    /// have moved).
    PersistentProviderError(ConnectionStatus),
    /// Reactivate the company (`COMPANY_INACTIVE`).
    ReactivateCompany,
}

/// What to do about a connection's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Remediation {
    /// Nothing: data is flowing.
    Nothing,
    /// Wait; Nectar acts on its own.
    Wait {
        /// How long the spec leads one to expect.
        expectation: Expectation,
    },
    /// Ask the end user to reconnect through this invitation.
    Reconnect {
        /// `EDIT_CONNECTION`, `maxUses` 1.
        invitation: InvitationRequest,
    },
    /// The end user must first reset the password on the utility's website, then reconnect.
    ResetPasswordThenReconnect {
        /// `EDIT_CONNECTION`, `maxUses` 1.
        invitation: InvitationRequest,
    },
    /// Walk the end customer through the MFA ladder, in order; the invitation opens the MFA
    /// forwarding setup for the forwarding options.
    MfaLadder {
        /// [`MFA_LADDER`].
        ladder: [MfaOption; 5],
        /// `EDIT_CONNECTION`, `maxUses` 1.
        invitation: InvitationRequest,
    },
    /// `NO_ACCOUNTS_FOUND` persisted: the end user checks the login, which may be for a
    /// different service (a payment-only portal), or whose accounts may have been closed.
    CheckLogin,
    /// Email Nectar support.
    ContactSupport {
        /// What about.
        topic: SupportTopic,
    },
    /// Activate the connection: `PATCH /connection/{id}/details` with `{"isActive": true}`.
    Activate,
}

impl core::fmt::Display for Remediation {
    /// One sentence, for documentation and logs.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Nothing => f.write_str("nothing: data is flowing"),
            Self::Wait {
                expectation: Expectation::FirstCheckWithinDays,
            } => f.write_str("wait: the first check typically runs within a few days"),
            Self::Wait {
                expectation: Expectation::InvestigationWithinBusinessDays,
            } => f.write_str(
                "wait: investigations are typically resolved within a few business days",
            ),
            Self::Wait {
                expectation: Expectation::NextWeeklyCheck,
            } => f.write_str("wait: retried automatically on the next weekly check"),
            Self::Wait {
                expectation: Expectation::ProviderBackOnline,
            } => f.write_str(
                "wait: resolves automatically when the provider comes back online, usually within a few days",
            ),
            Self::CheckLogin => f.write_str(
                "the end user checks the login: it may be for a different service (a payment-only \
                 portal), or its accounts may have been closed",
            ),
            Self::Reconnect { .. } => f.write_str(
                "create a reconnect invitation (EDIT_CONNECTION, maxUses 1) for the end user",
            ),
            Self::ResetPasswordThenReconnect { .. } => f.write_str(
                "the end user resets the password on the utility's website, then reconnects \
                 through a reconnect invitation (EDIT_CONNECTION, maxUses 1)",
            ),
            Self::MfaLadder { ladder, .. } => {
                f.write_str("walk the MFA ladder in order: ")?;
                for (i, option) in ladder.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(option.description())?;
                }
                f.write_str(" (a reconnect invitation opens the forwarding setup)")
            }
            Self::ContactSupport {
                topic: SupportTopic::PersistentProviderError(ConnectionStatus::UrlInaccessible),
            } => f.write_str(
                "verify the provider URL is still valid, then email support@nectarclimate.com \
                 with the connection ID and company name",
            ),
            Self::ContactSupport {
                topic: SupportTopic::PersistentProviderError(_),
            } => f.write_str(
                "email support@nectarclimate.com with the connection ID and company name",
            ),
            Self::ContactSupport {
                topic: SupportTopic::ReactivateCompany,
            } => f.write_str(REACTIVATE_COMPANY),
            Self::Activate => {
                f.write_str("activate: PATCH /connection/{id}/details with {\"isActive\": true}")
            }
        }
    }
}

impl Remediation {
    /// Who must act.
    #[must_use]
    pub const fn actor(&self) -> Actor {
        match self {
            Self::Nothing | Self::Wait { .. } => Actor::Nobody,
            Self::Reconnect { .. }
            | Self::ResetPasswordThenReconnect { .. }
            | Self::MfaLadder { .. }
            | Self::CheckLogin => Actor::EndUser,
            Self::ContactSupport { .. } => Actor::NectarSupport,
            Self::Activate => Actor::Integrator,
        }
    }

    /// The invitation to create, if the remediation involves one.
    #[must_use]
    pub const fn invitation(&self) -> Option<InvitationRequest> {
        match self {
            Self::Reconnect { invitation }
            | Self::ResetPasswordThenReconnect { invitation }
            | Self::MfaLadder { invitation, .. } => Some(*invitation),
            Self::Nothing
            | Self::Wait { .. }
            | Self::CheckLogin
            | Self::ContactSupport { .. }
            | Self::Activate => None,
        }
    }
}

/// How many consecutive checks ending in the same provider error make it persistent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Persistence {
    /// Consecutive checks; at least 1.
    threshold: u32,
}

impl Default for Persistence {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl Persistence {
    /// Two consecutive checks: the error survived one weekly retry.
    pub const DEFAULT: Self = Self { threshold: 2 };

    /// A threshold of `checks` consecutive checks (0 is read as 1: the first failing check
    /// is already persistent).
    #[must_use]
    pub const fn after(checks: u32) -> Self {
        Self {
            threshold: if checks == 0 { 1 } else { checks },
        }
    }

    /// The threshold in consecutive checks.
    #[must_use]
    pub const fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The remediation for `status`, given `consecutive_checks`: how many consecutive checks
    /// ended in it, counting the check that entered it. Right after the first failing check
    /// it is 1; [`Streak::checks`] counts it. (0, before any check ended in the status, reads
    /// like 1.) Only the provider errors depend on it.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_core::remediation::*;
    ///
    /// let p = Persistence::DEFAULT;
    /// let wait = Remediation::Wait { expectation: Expectation::NextWeeklyCheck };
    /// assert_eq!(p.remediation(S::OtherError, 1), wait);
    /// assert_eq!(p.remediation(S::OtherError, 2),
    ///            Remediation::ContactSupport { topic: SupportTopic::PersistentProviderError(S::OtherError) });
    /// // WEBSITE_DOWN resolves by itself, however long it lasts.
    /// assert_eq!(p.remediation(S::WebsiteDown, 9).actor(), Actor::Nobody);
    /// assert_eq!(p.remediation(S::NoAccountsFound, 2), Remediation::CheckLogin);
    /// assert_eq!(p.remediation(S::MfaTokenExpired, 1).actor(), Actor::EndUser);
    /// ```
    #[must_use]
    pub const fn remediation(
        &self,
        status: ConnectionStatus,
        consecutive_checks: u32,
    ) -> Remediation {
        use ConnectionStatus as S;
        let invitation = InvitationRequest::reconnect();
        match status {
            S::Pending => Remediation::Wait {
                expectation: Expectation::FirstCheckWithinDays,
            },
            S::Connected => Remediation::Nothing,
            S::UnderInvestigation => Remediation::Wait {
                expectation: Expectation::InvestigationWithinBusinessDays,
            },
            S::PasswordIncorrect | S::AdditionalCredentialsNeeded => {
                Remediation::Reconnect { invitation }
            }
            S::NewPasswordNeeded => Remediation::ResetPasswordThenReconnect { invitation },
            S::MfaTokenExpired => Remediation::MfaLadder {
                ladder: MFA_LADDER,
                invitation,
            },
            S::WebsiteDown => Remediation::Wait {
                expectation: Expectation::ProviderBackOnline,
            },
            S::UrlInaccessible | S::NoAccountsFound | S::OtherError
                if consecutive_checks < self.threshold =>
            {
                Remediation::Wait {
                    expectation: Expectation::NextWeeklyCheck,
                }
            }
            S::NoAccountsFound => Remediation::CheckLogin,
            S::UrlInaccessible | S::OtherError => Remediation::ContactSupport {
                topic: SupportTopic::PersistentProviderError(status),
            },
            S::Deactivated => Remediation::Activate,
            S::CompanyInactive => Remediation::ContactSupport {
                topic: SupportTopic::ReactivateCompany,
            },
        }
    }
}

/// The remediation for `status` under the default persistence threshold.
///
/// ```
/// use nectar_lifecycle_core::{ConnectionStatus as S, remediation::{remediation, Remediation}};
/// assert_eq!(remediation(S::Deactivated, 1), Remediation::Activate);
/// assert_eq!(remediation(S::Connected, 1), Remediation::Nothing);
/// ```
#[must_use]
pub const fn remediation(status: ConnectionStatus, consecutive_checks: u32) -> Remediation {
    Persistence::DEFAULT.remediation(status, consecutive_checks)
}

/// Counts consecutive checks that ended in the same status, to tell a transient provider
/// error from a persistent one. Feed it every transition; only checks count.
///
/// ```
/// use nectar_lifecycle_core::{Connection, ConnectionEvent as E, Rules};
/// use nectar_lifecycle_core::remediation::Streak;
///
/// let mut conn = Connection::new(Rules::Operational);
/// let mut streak = Streak::default();
/// for e in [E::ProviderUnavailable, E::ProviderUnavailable, E::ProviderUnavailable] {
///     streak.observe(&conn.apply(e).unwrap());
/// }
/// assert_eq!(streak.checks(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Streak {
    status: Option<ConnectionStatus>,
    checks: u32,
}

impl Streak {
    /// Records a transition: a check ending where the last one did extends the streak; any
    /// other check starts a new one; other events end it only if they change the status.
    pub fn observe(&mut self, t: &Transition<ConnectionStatus, ConnectionEvent>) {
        if t.event.origin() == EventOrigin::Check {
            if self.status == Some(t.to) {
                self.checks = self.checks.saturating_add(1);
            } else {
                *self = Self {
                    status: Some(t.to),
                    checks: 1,
                };
            }
        } else if t.from != t.to {
            *self = Self::default();
        }
    }

    /// The consecutive checks that ended in the current status (0 if none).
    #[must_use]
    pub const fn checks(&self) -> u32 {
        self.checks
    }

    /// The status of the streak, if any.
    #[must_use]
    pub const fn status(&self) -> Option<ConnectionStatus> {
        self.status
    }
}

/// What the spec's "Recommended integration pattern" says to do about a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationAdvice {
    /// Surface the change to the end user (a credential error was entered).
    pub notify_end_user: bool,
    /// The reconnect invitation to create for them, if any.
    pub invitation: Option<InvitationRequest>,
    /// Point the customer to document upload first (for `MFA_TOKEN_EXPIRED`).
    pub recommend_document_upload: bool,
    /// The change is a recovery: an error or investigation was left for `CONNECTED`.
    pub recovery: bool,
}

/// The integration pattern as a function of one observed change `old -> new` (`old` is
/// `None` for a new connection).
///
/// ```
/// use nectar_lifecycle_core::{ConnectionStatus as S, remediation::integration_advice};
///
/// let advice = integration_advice(Some(S::Connected), S::MfaTokenExpired);
/// assert!(advice.notify_end_user && advice.recommend_document_upload);
/// assert!(advice.invitation.is_some());
///
/// assert!(integration_advice(Some(S::MfaTokenExpired), S::Connected).recovery);
/// assert!(!integration_advice(Some(S::Pending), S::Connected).recovery);
/// ```
#[must_use]
pub const fn integration_advice(
    old: Option<ConnectionStatus>,
    new: ConnectionStatus,
) -> IntegrationAdvice {
    let entered_credential_error = new.is_credential_error()
        && match old {
            Some(old) => old as u8 != new as u8,
            None => true,
        };
    let recovery = matches!(new, ConnectionStatus::Connected)
        && match old {
            Some(old) => {
                matches!(
                    old.category(),
                    ConnectionCategory::CredentialError | ConnectionCategory::ProviderError
                ) || matches!(old, ConnectionStatus::UnderInvestigation)
            }
            None => false,
        };
    IntegrationAdvice {
        notify_end_user: entered_credential_error,
        invitation: if entered_credential_error {
            // The check that entered the error is its first.
            remediation(new, 1).invitation()
        } else {
            None
        },
        recommend_document_upload: entered_credential_error
            && matches!(new, ConnectionStatus::MfaTokenExpired),
        recovery,
    }
}

closed_enum! {
    /// What to do about an account's status.
    ///
    /// The spec's account table describes each status but has no "what to do" column; each
    /// answer follows the description and the check rules, as
    /// [the manual](crate::manual#account-remediation) explains.
    ///
    /// ```
    /// use nectar_lifecycle_core::AccountStatus as S;
    /// use nectar_lifecycle_core::remediation::{account_remediation, AccountRemediation, Actor};
    ///
    /// let r = account_remediation(S::Detected);
    /// assert_eq!(r, AccountRemediation::ConfirmTracking);
    /// assert_eq!(r.actor(), Actor::Integrator);
    /// assert_eq!(account_remediation(S::AccountNotFound).actor(), Actor::Nobody);
    /// assert_eq!(serde_json::to_string(&r).unwrap(), r#""confirm_tracking""#);
    /// ```
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum AccountRemediation {
        /// `DETECTED`: the integrator confirms tracking (`PATCH /connection/{id}/status` with
        /// `{"confirm": true}`) or rejects it.
        ConfirmTracking,
        /// `ONBOARDED`, `PULL_COMPLETED`: nothing; data is collected with the connection's
        /// weekly checks.
        Nothing,
        /// `NO_DOCUMENTS_FOUND`, `PDF_DOWNLOAD_FAILED`, `ACCOUNT_NOT_FOUND`, `OTHER_ERROR`:
        /// nothing; the account is retried on the next weekly check.
        RetriedWeekly,
        /// `WORKFLOW_NOT_ACCESSIBLE`: fix the parent connection; the end user follows the
        /// [`remediation`] of its credential error.
        FixConnection,
        /// `OLD_ACCOUNT`: nothing; the account is closed and no new data is expected.
        Closed,
        /// `DUPLICATE`: nothing; the tracked account it duplicates carries its data.
        Duplicate,
        /// `CUSTOMER_NOT_TRACKED`: nothing; the integrator may re-enable tracking.
        NotTracked,
        /// `COMPANY_INACTIVE`: email Nectar support to reactivate the company.
        ReactivateCompany,
    }
}

impl core::fmt::Display for AccountRemediation {
    /// One sentence, for documentation and logs.
    ///
    /// ```
    /// use nectar_lifecycle_core::remediation::AccountRemediation;
    /// assert_eq!(AccountRemediation::Closed.to_string(),
    ///            "nothing: the account is closed and no new data is expected");
    /// ```
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::ConfirmTracking => {
                "the integrator confirms tracking with PATCH /connection/{id}/status and \
                 {\"confirm\": true}, or rejects it"
            }
            Self::Nothing => "nothing: data is collected with the connection's weekly checks",
            Self::RetriedWeekly => "nothing: the account is retried on the next weekly check",
            Self::FixConnection => {
                "fix the parent connection: the end user follows the remediation of its \
                 credential error"
            }
            Self::Closed => "nothing: the account is closed and no new data is expected",
            Self::Duplicate => "nothing: the tracked account it duplicates carries its data",
            Self::NotTracked => {
                "nothing: tracking is turned off, and the integrator may re-enable it with \
                 {\"confirm\": true}"
            }
            Self::ReactivateCompany => REACTIVATE_COMPANY,
        })
    }
}

impl AccountRemediation {
    /// Who must act.
    ///
    /// ```
    /// use nectar_lifecycle_core::remediation::{AccountRemediation, Actor};
    /// assert_eq!(AccountRemediation::FixConnection.actor(), Actor::EndUser);
    /// assert_eq!(AccountRemediation::ReactivateCompany.actor(), Actor::NectarSupport);
    /// ```
    #[must_use]
    pub const fn actor(self) -> Actor {
        match self {
            Self::ConfirmTracking => Actor::Integrator,
            Self::FixConnection => Actor::EndUser,
            Self::ReactivateCompany => Actor::NectarSupport,
            Self::Nothing
            | Self::RetriedWeekly
            | Self::Closed
            | Self::Duplicate
            | Self::NotTracked => Actor::Nobody,
        }
    }
}

/// What to do about an account showing `status`.
///
/// ```
/// use nectar_lifecycle_core::AccountStatus as S;
/// use nectar_lifecycle_core::remediation::{account_remediation, AccountRemediation as R};
///
/// assert_eq!(account_remediation(S::PdfDownloadFailed), R::RetriedWeekly);
/// assert_eq!(account_remediation(S::WorkflowNotAccessible), R::FixConnection);
/// assert_eq!(account_remediation(S::CustomerNotTracked), R::NotTracked);
/// ```
#[must_use]
pub const fn account_remediation(status: AccountStatus) -> AccountRemediation {
    use AccountRemediation as R;
    use AccountStatus as S;
    match status {
        S::Detected => R::ConfirmTracking,
        S::Onboarded | S::PullCompleted => R::Nothing,
        S::NoDocumentsFound | S::PdfDownloadFailed | S::AccountNotFound | S::OtherError => {
            R::RetriedWeekly
        }
        S::WorkflowNotAccessible => R::FixConnection,
        S::OldAccount => R::Closed,
        S::Duplicate => R::Duplicate,
        S::CustomerNotTracked => R::NotTracked,
        S::CompanyInactive => R::ReactivateCompany,
    }
}
