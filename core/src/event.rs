//! Typed events: what can happen to a connection or an account.
//!
//! Connection events are named after the edge labels of Nectar's published diagram
//! ([`ConnectionEvent::label`] gives the label back), plus the events the diagram lacks but
//! the status tables describe, plus the system events that toggle the overlays.

use core::fmt;

use serde::{Deserialize, Serialize};
use strum::{FromRepr, IntoStaticStr};

use crate::closed_enum;
use crate::overlay::{AccountOverlay, ConnectionOverlay, OverlayChange};
use crate::status::{AccountStatus, ConnectionStatus};

closed_enum! {
    /// Who or what causes an event. The model checker and the policies read it: only
    /// [`Check`](Self::Check) events happen when a check runs.
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum EventOrigin {
        /// The outcome of an automated check (the first check, a weekly check, an account pull).
        Check,
        /// The end user, through a reconnect invitation or the connection edit flow.
        EndUser,
        /// Nectar's team (review, escalation, resolution).
        NectarTeam,
        /// The integrator, through Nectar's API (`isActive`, account confirmation).
        Integrator,
        /// A change of the parent connection, seen by one of its accounts.
        ParentConnection,
        /// The parent company being deactivated or reactivated.
        Company,
    }
}

closed_enum! {
    /// An event in the life of a connection.
    ///
    /// The first nineteen variants are the labels of the published diagram; their names come
    /// from the labels (see [`label`](Self::label)). `Connection created` is not an event: it is
    /// [`Connection::new`](crate::Connection::new).
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S, EventOrigin};
    /// assert_eq!(E::ProviderRequiresReset.label(), "Provider requires reset");
    /// assert_eq!(E::ProviderRequiresReset.check_outcome(), Some(S::NewPasswordNeeded));
    /// assert_eq!(E::CredentialsUpdated.origin(), EventOrigin::EndUser);
    /// assert_eq!(E::Escalated.to_string(), "Escalated"); // Display is the label
    /// ```
    #[derive(Serialize, Deserialize, IntoStaticStr, FromRepr)]
    #[repr(u8)]
    pub enum ConnectionEvent {
        /// "Authentication successful": the first check logged in and found accounts.
        AuthSucceeded,
        /// "Bad credentials": the first check's login was rejected.
        BadCredentials,
        /// "MFA required": the first check hit an MFA prompt it could not complete.
        MfaRequired,
        /// "Provider unavailable": a check found the provider's website down.
        ProviderUnavailable,
        /// "Unexpected failure": a check failed in a way no other status covers.
        UnexpectedFailure,
        /// "Weekly check passes": a weekly check logged in and collected.
        WeeklyCheckPassed,
        /// "Password changed": a weekly check's login was rejected.
        PasswordChanged,
        /// "MFA session expired": a weekly check could not complete MFA.
        MfaSessionExpired,
        /// "Provider requires reset": the portal forces a password reset.
        ProviderRequiresReset,
        /// "Accounts removed": a weekly check logged in but found no accounts.
        AccountsRemoved,
        /// "Nectar reviewing": Nectar's team flags the connection for review.
        NectarReviewing,
        /// "Credentials updated": the user supplied the new password.
        CredentialsUpdated,
        /// "MFA completed": the user completed the MFA setup flow.
        MfaCompleted,
        /// "Password reset": the user reset the password on the portal and supplied it.
        PasswordReset,
        /// "Info provided": the user supplied the extra verification the portal asked for.
        InfoProvided,
        /// "Provider back online": a check found the provider's website up again.
        ProviderBackOnline,
        /// "Accounts found": a check found accounts again.
        AccountsFound,
        /// "Issue resolved": Nectar's team resolved the issue.
        IssueResolved,
        /// "Escalated": the issue went to Nectar's team for investigation.
        Escalated,
        /// Not in the diagram: the first check logged in but found no accounts.
        NoAccountsFound,
        /// Not in the diagram: the portal asks for security questions, a PIN or identity
        /// confirmation (into `ADDITIONAL_CREDENTIALS_NEEDED`).
        AdditionalVerificationRequired,
        /// Not in the diagram: the provider URL cannot be reached (into `URL_INACCESSIBLE`).
        UrlUnreachable,
        /// Not in the diagram: a check reached the provider URL again.
        UrlReachable,
        /// `PATCH /connection/{id}/details` with `{"isActive": false}`.
        Deactivate,
        /// `PATCH /connection/{id}/details` with `{"isActive": true}`.
        Activate,
        /// The parent company was deactivated.
        CompanyDeactivated,
        /// The parent company was reactivated by Nectar support.
        CompanyReactivated,
    }
}

impl ConnectionEvent {
    /// The edge label this event carries in generated diagrams: the published label for the
    /// diagram's events, a label in the same style for the others.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::AuthSucceeded => "Authentication successful",
            Self::BadCredentials => "Bad credentials",
            Self::MfaRequired => "MFA required",
            Self::ProviderUnavailable => "Provider unavailable",
            Self::UnexpectedFailure => "Unexpected failure",
            Self::WeeklyCheckPassed => "Weekly check passes",
            Self::PasswordChanged => "Password changed",
            Self::MfaSessionExpired => "MFA session expired",
            Self::ProviderRequiresReset => "Provider requires reset",
            Self::AccountsRemoved => "Accounts removed",
            Self::NectarReviewing => "Nectar reviewing",
            Self::CredentialsUpdated => "Credentials updated",
            Self::MfaCompleted => "MFA completed",
            Self::PasswordReset => "Password reset",
            Self::InfoProvided => "Info provided",
            Self::ProviderBackOnline => "Provider back online",
            Self::AccountsFound => "Accounts found",
            Self::IssueResolved => "Issue resolved",
            Self::Escalated => "Escalated",
            Self::NoAccountsFound => "No accounts found",
            Self::AdditionalVerificationRequired => "Extra verification requested",
            Self::UrlUnreachable => "URL unreachable",
            Self::UrlReachable => "URL reachable again",
            Self::Deactivate => "Deactivated (isActive false)",
            Self::Activate => "Activated (isActive true)",
            Self::CompanyDeactivated => "Company deactivated",
            Self::CompanyReactivated => "Company reactivated",
        }
    }

    /// Who or what causes this event.
    #[must_use]
    pub const fn origin(self) -> EventOrigin {
        use EventOrigin as O;
        match self {
            Self::AuthSucceeded
            | Self::BadCredentials
            | Self::MfaRequired
            | Self::ProviderUnavailable
            | Self::UnexpectedFailure
            | Self::WeeklyCheckPassed
            | Self::PasswordChanged
            | Self::MfaSessionExpired
            | Self::ProviderRequiresReset
            | Self::AccountsRemoved
            | Self::ProviderBackOnline
            | Self::AccountsFound
            | Self::NoAccountsFound
            | Self::AdditionalVerificationRequired
            | Self::UrlUnreachable
            | Self::UrlReachable => O::Check,
            Self::CredentialsUpdated
            | Self::MfaCompleted
            | Self::PasswordReset
            | Self::InfoProvided => O::EndUser,
            Self::NectarReviewing | Self::IssueResolved | Self::Escalated => O::NectarTeam,
            Self::Deactivate | Self::Activate => O::Integrator,
            Self::CompanyDeactivated | Self::CompanyReactivated => O::Company,
        }
    }

    /// The overlay this event raises or lifts; `None` for the lifecycle's own events.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionOverlay as O, OverlayChange};
    /// assert_eq!(E::Activate.overlay_change(), Some(OverlayChange::Lift(O::Deactivated)));
    /// assert_eq!(E::Escalated.overlay_change(), None);
    /// ```
    #[must_use]
    pub const fn overlay_change(self) -> Option<OverlayChange<ConnectionOverlay>> {
        use ConnectionOverlay as O;
        use OverlayChange::{Lift, Raise};
        match self {
            Self::Deactivate => Some(Raise(O::Deactivated)),
            Self::Activate => Some(Lift(O::Deactivated)),
            Self::CompanyDeactivated => Some(Raise(O::CompanyInactive)),
            Self::CompanyReactivated => Some(Lift(O::CompanyInactive)),
            Self::AuthSucceeded
            | Self::BadCredentials
            | Self::MfaRequired
            | Self::ProviderUnavailable
            | Self::UnexpectedFailure
            | Self::WeeklyCheckPassed
            | Self::PasswordChanged
            | Self::MfaSessionExpired
            | Self::ProviderRequiresReset
            | Self::AccountsRemoved
            | Self::NectarReviewing
            | Self::CredentialsUpdated
            | Self::MfaCompleted
            | Self::PasswordReset
            | Self::InfoProvided
            | Self::ProviderBackOnline
            | Self::AccountsFound
            | Self::IssueResolved
            | Self::Escalated
            | Self::NoAccountsFound
            | Self::AdditionalVerificationRequired
            | Self::UrlUnreachable
            | Self::UrlReachable => None,
        }
    }

    /// The event that lifts `overlay` (the inverse of [`overlay_change`](Self::overlay_change)).
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionOverlay as O};
    /// assert_eq!(E::lifting(O::Deactivated), E::Activate);
    /// ```
    #[must_use]
    pub const fn lifting(overlay: ConnectionOverlay) -> Self {
        match overlay {
            ConnectionOverlay::Deactivated => Self::Activate,
            ConnectionOverlay::CompanyInactive => Self::CompanyReactivated,
        }
    }

    /// For a check event, the status the check ends in; `None` for every other event.
    ///
    /// Several events share an outcome (`AuthSucceeded`, `WeeklyCheckPassed`,
    /// `ProviderBackOnline`, ... all end in `CONNECTED`): they are the diagram's words for the
    /// same outcome reached from different places.
    #[must_use]
    pub const fn check_outcome(self) -> Option<ConnectionStatus> {
        use ConnectionStatus as S;
        match self {
            Self::AuthSucceeded
            | Self::WeeklyCheckPassed
            | Self::ProviderBackOnline
            | Self::AccountsFound
            | Self::UrlReachable => Some(S::Connected),
            Self::BadCredentials | Self::PasswordChanged => Some(S::PasswordIncorrect),
            Self::MfaRequired | Self::MfaSessionExpired => Some(S::MfaTokenExpired),
            Self::ProviderRequiresReset => Some(S::NewPasswordNeeded),
            Self::AdditionalVerificationRequired => Some(S::AdditionalCredentialsNeeded),
            Self::ProviderUnavailable => Some(S::WebsiteDown),
            Self::UrlUnreachable => Some(S::UrlInaccessible),
            Self::AccountsRemoved | Self::NoAccountsFound => Some(S::NoAccountsFound),
            Self::UnexpectedFailure => Some(S::OtherError),
            Self::NectarReviewing
            | Self::CredentialsUpdated
            | Self::MfaCompleted
            | Self::PasswordReset
            | Self::InfoProvided
            | Self::IssueResolved
            | Self::Escalated
            | Self::Deactivate
            | Self::Activate
            | Self::CompanyDeactivated
            | Self::CompanyReactivated => None,
        }
    }

    /// The event a check reports when it ends in `outcome`, starting from `from`.
    ///
    /// This is the naming principle behind the inferred edges: from `PENDING` the first
    /// check's words (`AuthSucceeded`, `BadCredentials`, ...), from anywhere else the weekly
    /// check's words (`PasswordChanged`, `MfaSessionExpired`, ...), and a successful check
    /// from a provider error is that error's recovery (`ProviderBackOnline`,
    /// `AccountsFound`, `UrlReachable`). `None` when no check runs from `from` (credential
    /// errors and overlays) or `outcome` is not a check outcome.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionStatus as S};
    /// assert_eq!(E::for_check(S::Pending, S::PasswordIncorrect), Some(E::BadCredentials));
    /// assert_eq!(E::for_check(S::Connected, S::PasswordIncorrect), Some(E::PasswordChanged));
    /// assert_eq!(E::for_check(S::WebsiteDown, S::Connected), Some(E::ProviderBackOnline));
    /// assert_eq!(E::for_check(S::MfaTokenExpired, S::Connected), None);
    /// ```
    #[must_use]
    pub const fn for_check(from: ConnectionStatus, outcome: ConnectionStatus) -> Option<Self> {
        use ConnectionStatus as S;
        let first = matches!(from, S::Pending);
        let event = match outcome {
            S::Connected => match from {
                S::Pending => Self::AuthSucceeded,
                S::Connected | S::UnderInvestigation | S::OtherError => Self::WeeklyCheckPassed,
                S::WebsiteDown => Self::ProviderBackOnline,
                S::UrlInaccessible => Self::UrlReachable,
                S::NoAccountsFound => Self::AccountsFound,
                S::PasswordIncorrect
                | S::MfaTokenExpired
                | S::NewPasswordNeeded
                | S::AdditionalCredentialsNeeded
                | S::CompanyInactive
                | S::Deactivated => return None,
            },
            S::PasswordIncorrect if first => Self::BadCredentials,
            S::PasswordIncorrect => Self::PasswordChanged,
            S::MfaTokenExpired if first => Self::MfaRequired,
            S::MfaTokenExpired => Self::MfaSessionExpired,
            S::NewPasswordNeeded => Self::ProviderRequiresReset,
            S::AdditionalCredentialsNeeded => Self::AdditionalVerificationRequired,
            S::WebsiteDown => Self::ProviderUnavailable,
            S::UrlInaccessible => Self::UrlUnreachable,
            S::NoAccountsFound if first => Self::NoAccountsFound,
            S::NoAccountsFound => Self::AccountsRemoved,
            S::OtherError => Self::UnexpectedFailure,
            S::Pending | S::UnderInvestigation | S::CompanyInactive | S::Deactivated => {
                return None;
            }
        };
        if from.is_checked() { Some(event) } else { None }
    }
}

closed_enum! {
    /// An event in the life of one utility account.
    ///
    /// `DETECTED` (discovery) is not an event: it is [`Account::new`](crate::Account::new).
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountEvent as E, AccountStatus as S, EventOrigin};
    /// assert_eq!(E::ClosedByUtility.outcome(), Some(S::OldAccount));
    /// assert_eq!(E::Rejected.origin(), EventOrigin::Integrator);
    /// assert_eq!(E::ClosedByUtility.to_string(), "Closed by utility"); // Display is the label
    /// ```
    #[derive(Serialize, Deserialize, IntoStaticStr, FromRepr)]
    #[repr(u8)]
    pub enum AccountEvent {
        /// Tracking confirmed (`trackingStatus` `ENABLED`, `PATCH .../status {"confirm": true}`);
        /// a `DETECTED` account becomes `ONBOARDED`.
        Confirmed,
        /// Tracking turned off (`trackingStatus` `DISABLED`); the account reads
        /// `CUSTOMER_NOT_TRACKED`.
        Rejected,
        /// A pull collected and processed the account's data.
        PullCompleted,
        /// A pull found no bills.
        NoDocumentsFound,
        /// A pull found bills it could not download.
        PdfDownloadFailed,
        /// A pull no longer saw the account on the provider's website.
        AccountNotFound,
        /// A pull failed unexpectedly (into `OTHER_ERROR`).
        CollectionFailed,
        /// The utility closed the account (into the terminal `OLD_ACCOUNT`).
        ClosedByUtility,
        /// The account was found to duplicate another tracked account (terminal `DUPLICATE`).
        MarkedDuplicate,
        /// The parent connection entered a credential error (`WORKFLOW_NOT_ACCESSIBLE`).
        ParentBlocked,
        /// The parent connection left its credential error.
        ParentRecovered,
        /// The parent company was deactivated.
        CompanyDeactivated,
        /// The parent company was reactivated.
        CompanyReactivated,
    }
}

impl AccountEvent {
    /// Who or what causes this event.
    #[must_use]
    pub const fn origin(self) -> EventOrigin {
        use EventOrigin as O;
        match self {
            Self::Confirmed | Self::Rejected => O::Integrator,
            Self::PullCompleted
            | Self::NoDocumentsFound
            | Self::PdfDownloadFailed
            | Self::AccountNotFound
            | Self::CollectionFailed
            | Self::ClosedByUtility
            | Self::MarkedDuplicate => O::Check,
            Self::ParentBlocked | Self::ParentRecovered => O::ParentConnection,
            Self::CompanyDeactivated | Self::CompanyReactivated => O::Company,
        }
    }

    /// The overlay this event raises or lifts; `None` for the pull outcomes.
    ///
    /// [`Confirmed`](Self::Confirmed) lifts `CUSTOMER_NOT_TRACKED`; on an account that is
    /// tracked already it records the decision instead (see [`Account`](crate::Account)).
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountEvent as E, AccountOverlay as O, OverlayChange};
    /// assert_eq!(E::Rejected.overlay_change(), Some(OverlayChange::Raise(O::CustomerNotTracked)));
    /// assert_eq!(E::PullCompleted.overlay_change(), None);
    /// ```
    #[must_use]
    pub const fn overlay_change(self) -> Option<OverlayChange<AccountOverlay>> {
        use AccountOverlay as O;
        use OverlayChange::{Lift, Raise};
        match self {
            Self::Rejected => Some(Raise(O::CustomerNotTracked)),
            Self::Confirmed => Some(Lift(O::CustomerNotTracked)),
            Self::ParentBlocked => Some(Raise(O::WorkflowNotAccessible)),
            Self::ParentRecovered => Some(Lift(O::WorkflowNotAccessible)),
            Self::CompanyDeactivated => Some(Raise(O::CompanyInactive)),
            Self::CompanyReactivated => Some(Lift(O::CompanyInactive)),
            Self::PullCompleted
            | Self::NoDocumentsFound
            | Self::PdfDownloadFailed
            | Self::AccountNotFound
            | Self::CollectionFailed
            | Self::ClosedByUtility
            | Self::MarkedDuplicate => None,
        }
    }

    /// The event that lifts `overlay` (the inverse of [`overlay_change`](Self::overlay_change)).
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountEvent as E, AccountOverlay as O};
    /// assert_eq!(E::lifting(O::CustomerNotTracked), E::Confirmed);
    /// ```
    #[must_use]
    pub const fn lifting(overlay: AccountOverlay) -> Self {
        match overlay {
            AccountOverlay::WorkflowNotAccessible => Self::ParentRecovered,
            AccountOverlay::CustomerNotTracked => Self::Confirmed,
            AccountOverlay::CompanyInactive => Self::CompanyReactivated,
        }
    }

    /// For a collection outcome, the account status it ends in; `None` otherwise.
    #[must_use]
    pub const fn outcome(self) -> Option<AccountStatus> {
        use AccountStatus as S;
        match self {
            Self::PullCompleted => Some(S::PullCompleted),
            Self::NoDocumentsFound => Some(S::NoDocumentsFound),
            Self::PdfDownloadFailed => Some(S::PdfDownloadFailed),
            Self::AccountNotFound => Some(S::AccountNotFound),
            Self::CollectionFailed => Some(S::OtherError),
            Self::ClosedByUtility => Some(S::OldAccount),
            Self::MarkedDuplicate => Some(S::Duplicate),
            Self::Confirmed
            | Self::Rejected
            | Self::ParentBlocked
            | Self::ParentRecovered
            | Self::CompanyDeactivated
            | Self::CompanyReactivated => None,
        }
    }

    /// A label in the style of the published diagram, for generated documentation.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Confirmed => "Tracking confirmed",
            Self::Rejected => "Tracking disabled",
            Self::PullCompleted => "Pull completed",
            Self::NoDocumentsFound => "No documents found",
            Self::PdfDownloadFailed => "PDF download failed",
            Self::AccountNotFound => "Account not found",
            Self::CollectionFailed => "Unexpected failure",
            Self::ClosedByUtility => "Closed by utility",
            Self::MarkedDuplicate => "Marked duplicate",
            Self::ParentBlocked => "Connection credential error",
            Self::ParentRecovered => "Connection recovered",
            Self::CompanyDeactivated => "Company deactivated",
            Self::CompanyReactivated => "Company reactivated",
        }
    }
}

/// The diagram's label ([`ConnectionEvent::label`]), the vocabulary of the published
/// diagram and of rejection messages.
impl fmt::Display for ConnectionEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The label ([`AccountEvent::label`]), in the style of the published diagram.
impl fmt::Display for AccountEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn lifting_inverts_overlay_change() {
        use crate::Enumerated;
        for &o in ConnectionOverlay::ALL {
            assert_eq!(
                ConnectionEvent::lifting(o).overlay_change(),
                Some(OverlayChange::Lift(o))
            );
        }
        for &o in AccountOverlay::ALL {
            assert_eq!(
                AccountEvent::lifting(o).overlay_change(),
                Some(OverlayChange::Lift(o))
            );
        }
    }

    #[test]
    fn every_overlay_is_raised_by_exactly_one_event() {
        use crate::Enumerated;
        for &o in ConnectionOverlay::ALL {
            let raising = ConnectionEvent::iter()
                .filter(|e| e.overlay_change() == Some(OverlayChange::Raise(o)))
                .count();
            assert_eq!(raising, 1, "{o}");
        }
        for &o in AccountOverlay::ALL {
            let raising = AccountEvent::iter()
                .filter(|e| e.overlay_change() == Some(OverlayChange::Raise(o)))
                .count();
            assert_eq!(raising, 1, "{o}");
        }
    }

    #[test]
    fn only_check_events_have_outcomes() {
        for e in ConnectionEvent::iter() {
            assert_eq!(
                e.check_outcome().is_some(),
                e.origin() == EventOrigin::Check,
                "{e}"
            );
        }
        for e in AccountEvent::iter() {
            assert_eq!(
                e.outcome().is_some(),
                e.origin() == EventOrigin::Check,
                "{e}"
            );
        }
    }

    #[test]
    fn for_check_names_an_event_with_that_outcome() {
        for from in ConnectionStatus::iter() {
            for outcome in ConnectionStatus::iter() {
                if let Some(e) = ConnectionEvent::for_check(from, outcome) {
                    assert_eq!(e.check_outcome(), Some(outcome), "{from} -> {outcome}");
                }
            }
        }
    }
}
