//! Overlays: the layers of a hierarchical state machine with history.
//!
//! A connection's visible status is not always a place in its lifecycle. `DEACTIVATED` and
//! `COMPANY_INACTIVE` *cover* the operational status: while one is raised, the API shows
//! it, no lifecycle event is accepted, and the operational status waits underneath; lifting
//! it shows again exactly what it covered (its *history*). An account has three such
//! layers: `WORKFLOW_NOT_ACCESSIBLE` (its parent connection is in a credential error),
//! `CUSTOMER_NOT_TRACKED` (tracking is `DISABLED`) and `COMPANY_INACTIVE`.
//!
//! The layers of each machine are a closed enum whose declaration order is their
//! precedence: the visible status is the highest layer raised, else the status underneath
//! ([`ConnectionOverlay::visible`], [`AccountOverlay::visible`]). Events raise or lift one
//! layer ([`OverlayChange`]); the table accepts such a change only when it changes the visible
//! status (see [the manual](crate::manual#overlays)).

use serde::{Deserialize, Serialize};

use crate::closed_enum;
use crate::enumeration::EnumSet;
use crate::status::{AccountStatus, ConnectionStatus};

closed_enum! {
    /// The overlays of a connection, lowest first: `COMPANY_INACTIVE` shows over
    /// `DEACTIVATED`, which shows over the operational status.
    ///
    /// The connection lifecycle is a hierarchical state machine with history: an overlay
    /// covers the operational status (no lifecycle event is accepted beneath it), and
    /// lifting it shows again exactly the status it covered. Events raise or lift one layer
    /// ([`ConnectionEvent::overlay_change`](crate::ConnectionEvent::overlay_change)); the
    /// table accepts a change only when it changes the visible status (see
    /// [the manual](crate::manual#overlays)).
    ///
    /// ```text
    #[doc = include_str!("../doc/connection-overlays.mmd")]
    /// ```
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionOverlay as O, ConnectionStatus as S, EnumSet};
    ///
    /// assert!(O::Deactivated < O::CompanyInactive); // precedence is declaration order
    /// assert_eq!(O::of(S::Deactivated), Some(O::Deactivated));
    /// assert_eq!(O::of(S::WebsiteDown), None);
    ///
    /// let raised = EnumSet::from([O::Deactivated, O::CompanyInactive]);
    /// assert_eq!(O::visible(S::WebsiteDown, raised), S::CompanyInactive);
    /// assert_eq!(O::visible(S::WebsiteDown, EnumSet::empty()), S::WebsiteDown);
    /// ```
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum ConnectionOverlay {
        /// `DEACTIVATED`: the integrator set `isActive: false`.
        Deactivated,
        /// `COMPANY_INACTIVE`: the parent company is deactivated.
        CompanyInactive,
    }
}

impl ConnectionOverlay {
    /// The status the API shows while this overlay is the highest raised.
    #[must_use]
    pub const fn status(self) -> ConnectionStatus {
        match self {
            Self::Deactivated => ConnectionStatus::Deactivated,
            Self::CompanyInactive => ConnectionStatus::CompanyInactive,
        }
    }

    /// The overlay a visible status shows, or `None` for an operational status.
    #[must_use]
    pub const fn of(status: ConnectionStatus) -> Option<Self> {
        use ConnectionStatus as S;
        match status {
            S::Deactivated => Some(Self::Deactivated),
            S::CompanyInactive => Some(Self::CompanyInactive),
            S::Pending
            | S::Connected
            | S::UnderInvestigation
            | S::PasswordIncorrect
            | S::MfaTokenExpired
            | S::NewPasswordNeeded
            | S::AdditionalCredentialsNeeded
            | S::WebsiteDown
            | S::UrlInaccessible
            | S::NoAccountsFound
            | S::OtherError => None,
        }
    }

    /// The visible status of a connection: the highest overlay `raised`, else `operational`.
    /// The one place the precedence is applied.
    #[must_use]
    pub fn visible(operational: ConnectionStatus, raised: EnumSet<Self>) -> ConnectionStatus {
        raised.last().map_or(operational, Self::status)
    }
}

closed_enum! {
    /// The overlays of an account, lowest first: `COMPANY_INACTIVE` shows over
    /// `CUSTOMER_NOT_TRACKED`, which shows over `WORKFLOW_NOT_ACCESSIBLE`, which shows over
    /// the account's own status. Like a connection's, they are layers of a hierarchical
    /// state machine with history ([`AccountEvent::overlay_change`](crate::AccountEvent::overlay_change)).
    ///
    /// ```text
    #[doc = include_str!("../doc/account-overlays.mmd")]
    /// ```
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountOverlay as O, AccountStatus as S, EnumSet};
    ///
    /// let raised = EnumSet::from([O::WorkflowNotAccessible, O::CustomerNotTracked]);
    /// assert_eq!(O::visible(S::PullCompleted, raised), S::CustomerNotTracked);
    /// assert_eq!(O::of(S::CompanyInactive), Some(O::CompanyInactive));
    /// ```
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    pub enum AccountOverlay {
        /// `WORKFLOW_NOT_ACCESSIBLE`: the parent connection is in a credential error.
        WorkflowNotAccessible,
        /// `CUSTOMER_NOT_TRACKED`: tracking is `DISABLED`.
        CustomerNotTracked,
        /// `COMPANY_INACTIVE`: the parent company is deactivated.
        CompanyInactive,
    }
}

impl AccountOverlay {
    /// The status the API shows while this overlay is the highest raised.
    #[must_use]
    pub const fn status(self) -> AccountStatus {
        match self {
            Self::WorkflowNotAccessible => AccountStatus::WorkflowNotAccessible,
            Self::CustomerNotTracked => AccountStatus::CustomerNotTracked,
            Self::CompanyInactive => AccountStatus::CompanyInactive,
        }
    }

    /// The overlay a visible status shows, or `None` for a status the account holds itself.
    #[must_use]
    pub const fn of(status: AccountStatus) -> Option<Self> {
        use AccountStatus as S;
        match status {
            S::WorkflowNotAccessible => Some(Self::WorkflowNotAccessible),
            S::CustomerNotTracked => Some(Self::CustomerNotTracked),
            S::CompanyInactive => Some(Self::CompanyInactive),
            S::Detected
            | S::Onboarded
            | S::PullCompleted
            | S::NoDocumentsFound
            | S::PdfDownloadFailed
            | S::AccountNotFound
            | S::OtherError
            | S::OldAccount
            | S::Duplicate => None,
        }
    }

    /// The visible status of an account: the highest overlay `raised`, else `own`. The one
    /// place the precedence is applied.
    #[must_use]
    pub fn visible(own: AccountStatus, raised: EnumSet<Self>) -> AccountStatus {
        raised.last().map_or(own, Self::status)
    }
}

/// What an event does to an overlay: raise it over the status below, or lift it and show
/// again what it covered.
///
/// ```
/// use nectar_lifecycle_core::{ConnectionEvent as E, ConnectionOverlay as O, OverlayChange};
/// assert_eq!(E::Deactivate.overlay_change(), Some(OverlayChange::Raise(O::Deactivated)));
/// assert_eq!(E::CompanyReactivated.overlay_change(), Some(OverlayChange::Lift(O::CompanyInactive)));
/// assert_eq!(E::AuthSucceeded.overlay_change(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverlayChange<O> {
    /// Raise the overlay: it shows unless a higher one is raised.
    Raise(O),
    /// Lift the overlay: what it covered shows again.
    Lift(O),
}

impl<O: Copy> OverlayChange<O> {
    /// The overlay raised or lifted.
    #[must_use]
    pub const fn overlay(self) -> O {
        match self {
            Self::Raise(o) | Self::Lift(o) => o,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Enumerated;

    #[test]
    fn of_inverts_status() {
        for &o in ConnectionOverlay::ALL {
            assert_eq!(ConnectionOverlay::of(o.status()), Some(o));
        }
        for &o in AccountOverlay::ALL {
            assert_eq!(AccountOverlay::of(o.status()), Some(o));
        }
        for &s in ConnectionStatus::ALL {
            assert_eq!(
                ConnectionOverlay::of(s).is_none(),
                s.is_operational(),
                "{s}"
            );
        }
    }

    #[test]
    fn the_highest_raised_overlay_shows() {
        use AccountOverlay as O;
        let all = EnumSet::from([
            O::WorkflowNotAccessible,
            O::CustomerNotTracked,
            O::CompanyInactive,
        ]);
        assert_eq!(
            O::visible(AccountStatus::Onboarded, all),
            AccountStatus::CompanyInactive
        );
        let two = EnumSet::from([O::WorkflowNotAccessible, O::CustomerNotTracked]);
        assert_eq!(
            O::visible(AccountStatus::Onboarded, two),
            AccountStatus::CustomerNotTracked
        );
    }
}
