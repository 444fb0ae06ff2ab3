//! Typed events: what can happen to a connection or an account.
//!
//! Connection events are named after the edge labels of Nectar's published diagram
//! ([`ConnectionEvent::label`] gives the label back), plus the events the diagram lacks but
//! the status tables describe, plus the system events that toggle the overlays.

use core::fmt;
use core::marker::PhantomData;

use serde::{Deserialize, Serialize};
use strum::{EnumCount, FromRepr, IntoStaticStr};

use crate::status::{AccountStatus, ConnectionStatus, Enumerated, enumerated};

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

impl EventOrigin {
    /// Whether events of this origin toggle an overlay rather than move the lifecycle.
    #[must_use]
    pub const fn is_overlay(self) -> bool {
        matches!(self, Self::ParentConnection | Self::Company)
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
    /// use nectar_lifecycle::{ConnectionEvent as E, ConnectionStatus as S, EventOrigin};
    /// assert_eq!(E::ProviderRequiresReset.label(), "Provider requires reset");
    /// assert_eq!(E::ProviderRequiresReset.check_outcome(), Some(S::NewPasswordNeeded));
    /// assert_eq!(E::CredentialsUpdated.origin(), EventOrigin::EndUser);
    /// ```
    #[derive(Serialize, Deserialize, IntoStaticStr, FromRepr, strum::Display)]
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

    /// For an overlay event, the overlay it raises (`true`) or lifts (`false`).
    pub(crate) const fn overlay(self) -> Option<(ConnectionOverlay, bool)> {
        match self.origin() {
            EventOrigin::Integrator => Some((
                ConnectionOverlay::Deactivated,
                matches!(self, Self::Deactivate),
            )),
            EventOrigin::Company => Some((
                ConnectionOverlay::CompanyInactive,
                matches!(self, Self::CompanyDeactivated),
            )),
            EventOrigin::Check
            | EventOrigin::EndUser
            | EventOrigin::NectarTeam
            | EventOrigin::ParentConnection => None,
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
    /// use nectar_lifecycle::{ConnectionEvent as E, ConnectionStatus as S};
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

/// One of the two overlays of a connection's visible status, in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnectionOverlay {
    /// `DEACTIVATED`, toggled by `isActive`.
    Deactivated,
    /// `COMPANY_INACTIVE`, shown over `DEACTIVATED`.
    CompanyInactive,
}

impl ConnectionOverlay {
    /// The visible status of the overlay.
    pub(crate) const fn status(self) -> ConnectionStatus {
        match self {
            Self::Deactivated => ConnectionStatus::Deactivated,
            Self::CompanyInactive => ConnectionStatus::CompanyInactive,
        }
    }
}

closed_enum! {
    /// An event in the life of one utility account.
    ///
    /// `DETECTED` (discovery) is not an event: it is [`Account::new`](crate::Account::new).
    ///
    /// ```
    /// use nectar_lifecycle::{AccountEvent as E, AccountStatus as S, EventOrigin};
    /// assert_eq!(E::ClosedByUtility.outcome(), Some(S::OldAccount));
    /// assert_eq!(E::Rejected.origin(), EventOrigin::Integrator);
    /// ```
    #[derive(Serialize, Deserialize, IntoStaticStr, FromRepr, strum::Display)]
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

enumerated!(ConnectionEvent, AccountEvent);

// Every event type must fit the 64-bit `EventSet`.
const _: () = assert!(ConnectionEvent::COUNT <= 64 && AccountEvent::COUNT <= 64);

/// A set of events, as a bit set: `Copy`, no allocation, iterated in declaration order.
///
/// ```
/// use nectar_lifecycle::{Connection, ConnectionEvent as E, Rules};
/// let allowed = Connection::new(Rules::Documented).allowed_events();
/// assert!(allowed.contains(E::MfaRequired));
/// assert!(!allowed.contains(E::WeeklyCheckPassed));
/// assert_eq!(allowed.iter().next(), Some(E::AuthSucceeded));
/// ```
pub struct EventSet<E> {
    bits: u64,
    _event: PhantomData<fn() -> E>,
}

impl<E: Enumerated> EventSet<E> {
    /// The empty set.
    #[must_use]
    pub const fn empty() -> Self {
        Self {
            bits: 0,
            _event: PhantomData,
        }
    }

    /// The set of the events whose bits are set in `bits` (bit `i` is `E::ALL[i]`).
    pub(crate) const fn from_bits(bits: u64) -> Self {
        Self {
            bits,
            _event: PhantomData,
        }
    }

    /// Adds `event` to the set.
    pub fn insert(&mut self, event: E) {
        self.bits |= 1 << event.index();
    }

    /// Whether `event` is in the set.
    #[must_use]
    pub fn contains(&self, event: E) -> bool {
        self.bits & (1 << event.index()) != 0
    }

    /// The number of events in the set.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The events in the set, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = E> + '_ {
        E::ALL.iter().copied().filter(|e| self.contains(*e))
    }
}

// Manual impls: derives would demand the bounds of `E` itself.
impl<E> Clone for EventSet<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for EventSet<E> {}
impl<E> PartialEq for EventSet<E> {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits
    }
}
impl<E> Eq for EventSet<E> {}
impl<E> core::hash::Hash for EventSet<E> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.bits.hash(state);
    }
}

impl<E: Enumerated> Default for EventSet<E> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<E: Enumerated> FromIterator<E> for EventSet<E> {
    fn from_iter<I: IntoIterator<Item = E>>(iter: I) -> Self {
        let mut set = Self::empty();
        for e in iter {
            set.insert(e);
        }
        set
    }
}

/// Serialized as the list of its members, in declaration order.
impl<E: Enumerated + Serialize> Serialize for EventSet<E> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<E: Enumerated> fmt::Debug for EventSet<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<E: Enumerated + fmt::Display> fmt::Display for EventSet<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, e) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn event_set_round_trips_every_event() {
        let all: EventSet<ConnectionEvent> = ConnectionEvent::iter().collect();
        assert_eq!(all.len(), ConnectionEvent::COUNT);
        assert_eq!(
            all.iter().collect::<Vec<_>>(),
            ConnectionEvent::ALL.to_vec()
        );
        let one: EventSet<ConnectionEvent> = [ConnectionEvent::Escalated].into_iter().collect();
        assert_eq!(one.to_string(), "Escalated");
        assert_eq!(EventSet::<AccountEvent>::empty().to_string(), "none");
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
