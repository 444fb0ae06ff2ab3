//! An account: its own status, its tracking, and the overlays raised over it.

use serde::{Deserialize, Serialize};

use super::connection::Connection;
use super::invalid::InvalidState;
use super::traits::{Machine, edges_of, sealed};
use super::transition::{AccountRejected, Transition};
use crate::enumeration::{EnumSet, Enumerated};
use crate::event::AccountEvent;
use crate::overlay::{AccountOverlay, OverlayChange};
use crate::status::{AccountStatus, TrackingStatus};
use crate::table::{AccountRule, Target, account_allowed, account_rule};

/// One utility account: its own status, its `trackingStatus`, and the
/// [overlays](AccountOverlay) raised over it by its tracking, its parent connection and its
/// company.
///
/// The visible status is the highest overlay raised (`COMPANY_INACTIVE`, then
/// `CUSTOMER_NOT_TRACKED`, then `WORKFLOW_NOT_ACCESSIBLE`), else the account's own status.
/// `CUSTOMER_NOT_TRACKED` is raised exactly while tracking is `DISABLED`. `OLD_ACCOUNT` and
/// `DUPLICATE` are terminal: no pull moves them, only the overlays cover them.
///
/// An overlay change is accepted only when it changes the visible status, so a parent change
/// that happens while a higher overlay shows is not recorded; after lifting the higher
/// overlay, bring the account up to date with [`follow_parent`](Self::follow_parent).
///
/// ```
/// use nectar_lifecycle_core::{Account, AccountEvent as E, AccountStatus as S, TrackingStatus};
///
/// let mut account = Account::new();
/// account.apply(E::Confirmed)?;
/// account.apply(E::PullCompleted)?;
/// account.apply(E::Rejected)?;
/// assert_eq!(account.status(), S::CustomerNotTracked);
/// assert_eq!(account.tracking(), TrackingStatus::Disabled);
/// account.apply(E::Confirmed)?; // re-enabling tracking lifts CUSTOMER_NOT_TRACKED
/// assert_eq!(account.status(), S::PullCompleted);
/// # Ok::<(), nectar_lifecycle_core::AccountRejected>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "AccountParts", into = "AccountParts")]
pub struct Account {
    own: AccountStatus,
    tracking: TrackingStatus,
    overlays: EnumSet<AccountOverlay>,
}

/// The serialized form of an [`Account`], checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountParts {
    own_status: AccountStatus,
    tracking_status: TrackingStatus,
    parent_blocked: bool,
    company_active: bool,
}

impl TryFrom<AccountParts> for Account {
    type Error = InvalidState;

    fn try_from(p: AccountParts) -> Result<Self, Self::Error> {
        let mut overlays = EnumSet::empty();
        if p.parent_blocked {
            overlays.insert(AccountOverlay::WorkflowNotAccessible);
        }
        if !p.tracking_status.is_tracked() {
            overlays.insert(AccountOverlay::CustomerNotTracked);
        }
        if !p.company_active {
            overlays.insert(AccountOverlay::CompanyInactive);
        }
        Self::from_parts(p.own_status, p.tracking_status, overlays)
    }
}

impl From<Account> for AccountParts {
    fn from(a: Account) -> Self {
        Self {
            own_status: a.own,
            tracking_status: a.tracking,
            parent_blocked: a.is_parent_blocked(),
            company_active: a.is_company_active(),
        }
    }
}

impl Default for Account {
    fn default() -> Self {
        Self::new()
    }
}

/// The set holding `overlay` alone.
const fn only(overlay: AccountOverlay) -> EnumSet<AccountOverlay> {
    EnumSet::from_bits(1 << overlay as u32)
}

impl Account {
    /// A newly discovered account: `DETECTED`, tracking `UNSET`, no overlay raised.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Account, AccountStatus as S};
    /// assert_eq!(Account::new().status(), S::Detected);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            own: AccountStatus::Detected,
            tracking: TrackingStatus::Unset,
            overlays: EnumSet::empty(),
        }
    }

    /// Rebuilds an account from its parts: its own status, its tracking, and the overlays
    /// raised over it.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Account, AccountOverlay as O, AccountStatus as S, EnumSet, TrackingStatus as T};
    /// let a = Account::from_parts(S::PullCompleted, T::Enabled, EnumSet::from([O::WorkflowNotAccessible]))?;
    /// assert_eq!(a.status(), S::WorkflowNotAccessible);
    /// // CUSTOMER_NOT_TRACKED goes with DISABLED tracking, and only with it:
    /// assert!(Account::from_parts(S::PullCompleted, T::Disabled, EnumSet::empty()).is_err());
    /// # Ok::<(), nectar_lifecycle_core::InvalidState>(())
    /// ```
    ///
    /// # Errors
    /// [`InvalidState::AccountOverlay`] when `own` is an overlay status,
    /// [`InvalidState::EnabledButDetected`] for `DETECTED` with tracking `ENABLED` and
    /// [`InvalidState::OnboardedButUnset`] for `ONBOARDED` with tracking `UNSET` (confirming
    /// tracking onboards the account), and [`InvalidState::TrackingDisagrees`] unless
    /// `CUSTOMER_NOT_TRACKED` is in `overlays` exactly when tracking is `DISABLED`.
    pub fn from_parts(
        own: AccountStatus,
        tracking: TrackingStatus,
        overlays: EnumSet<AccountOverlay>,
    ) -> Result<Self, InvalidState> {
        if AccountOverlay::of(own).is_some() {
            return Err(InvalidState::AccountOverlay(own));
        }
        if matches!(own, AccountStatus::Detected) && matches!(tracking, TrackingStatus::Enabled) {
            return Err(InvalidState::EnabledButDetected);
        }
        if matches!(own, AccountStatus::Onboarded) && matches!(tracking, TrackingStatus::Unset) {
            return Err(InvalidState::OnboardedButUnset);
        }
        if overlays.contains(AccountOverlay::CustomerNotTracked) == tracking.is_tracked() {
            return Err(InvalidState::TrackingDisagrees { tracking });
        }
        Ok(Self {
            own,
            tracking,
            overlays,
        })
    }

    /// A representative account showing `status`: an own status as itself (tracking
    /// `UNSET`, `ENABLED` for `ONBOARDED`), each overlay raised alone over an `ONBOARDED` account with tracking
    /// `ENABLED` (`DISABLED` for `CUSTOMER_NOT_TRACKED`). For documentation, tests and benches.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Account, AccountStatus as S};
    /// assert_eq!(Account::showing(S::WorkflowNotAccessible).status(), S::WorkflowNotAccessible);
    /// ```
    #[must_use]
    pub const fn showing(status: AccountStatus) -> Self {
        match AccountOverlay::of(status) {
            None => Self {
                own: status,
                tracking: match status {
                    AccountStatus::Onboarded => TrackingStatus::Enabled,
                    _ => TrackingStatus::Unset,
                },
                overlays: EnumSet::empty(),
            },
            Some(overlay) => Self {
                own: AccountStatus::Onboarded,
                tracking: match overlay {
                    AccountOverlay::CustomerNotTracked => TrackingStatus::Disabled,
                    AccountOverlay::WorkflowNotAccessible | AccountOverlay::CompanyInactive => {
                        TrackingStatus::Enabled
                    }
                },
                overlays: only(overlay),
            },
        }
    }

    /// The status the API shows: the highest overlay raised, else the own status
    /// ([`AccountOverlay::visible`]).
    #[must_use]
    pub fn status(&self) -> AccountStatus {
        AccountOverlay::visible(self.own, self.overlays)
    }

    /// The account's own status, underneath the overlays.
    #[must_use]
    pub const fn own_status(&self) -> AccountStatus {
        self.own
    }

    /// The account's `trackingStatus`.
    #[must_use]
    pub const fn tracking(&self) -> TrackingStatus {
        self.tracking
    }

    /// The overlays raised.
    #[must_use]
    pub const fn overlays(&self) -> EnumSet<AccountOverlay> {
        self.overlays
    }

    /// Whether the account believes its parent connection is in a credential error
    /// (`WORKFLOW_NOT_ACCESSIBLE` is raised).
    #[must_use]
    pub fn is_parent_blocked(&self) -> bool {
        self.overlays
            .contains(AccountOverlay::WorkflowNotAccessible)
    }

    /// Whether the parent company is active (`COMPANY_INACTIVE` is not raised).
    #[must_use]
    pub fn is_company_active(&self) -> bool {
        !self.overlays.contains(AccountOverlay::CompanyInactive)
    }

    /// Applies `event`. See [`Machine::apply`].
    ///
    /// # Errors
    /// [`AccountRejected`] when the table does not allow `event` from the visible status; the
    /// account is unchanged.
    pub fn apply(
        &mut self,
        event: AccountEvent,
    ) -> Result<Transition<AccountStatus, AccountEvent>, AccountRejected> {
        Machine::apply(self, event)
    }

    /// Every event the account accepts now.
    #[must_use]
    pub fn allowed_events(&self) -> EnumSet<AccountEvent> {
        Machine::allowed_events(self)
    }

    /// Brings the account's view of its parent in line with `parent`: the company's state,
    /// and whether the parent's operational status is a credential error (the account then
    /// reads `WORKFLOW_NOT_ACCESSIBLE`). Returns the edges taken, at most two.
    ///
    /// Changes that cannot show because a higher overlay covers them are not recorded;
    /// calling this after every change of the parent or of the account's tracking keeps the
    /// account exact.
    ///
    /// ```
    /// use nectar_lifecycle_core::{Account, AccountStatus as S, Connection, ConnectionEvent as E, Rules};
    ///
    /// let mut conn = Connection::new(Rules::Documented);
    /// let mut account = Account::new();
    /// conn.apply(E::BadCredentials).unwrap();
    /// let [first, _] = account.follow_parent(&conn);
    /// assert_eq!(first.map(|t| t.to), Some(S::WorkflowNotAccessible));
    /// conn.apply(E::CredentialsUpdated).unwrap();
    /// account.follow_parent(&conn);
    /// assert_eq!(account.status(), S::Detected);
    /// ```
    pub fn follow_parent(
        &mut self,
        parent: &Connection,
    ) -> [Option<Transition<AccountStatus, AccountEvent>>; 2] {
        let blocked = parent.operational_status().is_credential_error();
        let mut taken = [None, None];
        let mut slot = 0;
        let mut record = |t: Option<Transition<AccountStatus, AccountEvent>>| {
            if let (Some(t), Some(cell)) = (t, taken.get_mut(slot)) {
                *cell = Some(t);
                slot += 1;
            }
        };
        // Lift the company overlay first, so that the parent's state can show beneath it;
        // raise it last, after recording the parent's state.
        if parent.is_company_active() && !self.is_company_active() {
            record(self.apply(AccountEvent::CompanyReactivated).ok());
        }
        if blocked != self.is_parent_blocked() {
            let event = if blocked {
                AccountEvent::ParentBlocked
            } else {
                AccountEvent::ParentRecovered
            };
            record(self.apply(event).ok());
        }
        if !parent.is_company_active() && self.is_company_active() {
            record(self.apply(AccountEvent::CompanyDeactivated).ok());
        }
        taken
    }

    /// Every valid account state, in a deterministic order.
    ///
    /// ```
    /// use nectar_lifecycle_core::Account;
    /// assert!(Account::all_states().all(|a| Account::from_parts(a.own_status(), a.tracking(), a.overlays()).is_ok()));
    /// ```
    pub fn all_states() -> impl Iterator<Item = Self> + Clone {
        let overlay_sets = 1u64 << AccountOverlay::ALL.len();
        AccountStatus::ALL.iter().flat_map(move |&own| {
            TrackingStatus::ALL.iter().flat_map(move |&tracking| {
                (0..overlay_sets).filter_map(move |bits| {
                    Self::from_parts(own, tracking, EnumSet::from_bits(bits)).ok()
                })
            })
        })
    }

    /// Every edge of the account lifecycle between visible statuses, with its provenance,
    /// sorted by (from, event, to).
    ///
    /// ```
    /// use nectar_lifecycle_core::{Account, AccountEvent as E};
    /// assert!(Account::edges().iter().any(|t| t.event == E::ClosedByUtility));
    /// ```
    #[must_use]
    pub fn edges() -> Vec<Transition<AccountStatus, AccountEvent>> {
        edges_of(Self::all_states())
    }
}

impl sealed::Hooks for Account {
    type Status = AccountStatus;
    type Event = AccountEvent;
    type Overlay = AccountOverlay;

    fn enter(
        &mut self,
        event: AccountEvent,
        target: Target<AccountStatus, AccountOverlay>,
        _: sealed::Token,
    ) {
        match target {
            Target::Overlay(OverlayChange::Raise(overlay)) => self.overlays.insert(overlay),
            Target::Overlay(OverlayChange::Lift(overlay)) => self.overlays.remove(overlay),
            Target::Status(_) => {}
        }
        // The tracking overlay and the tracking status move together.
        match event.overlay_change() {
            Some(OverlayChange::Raise(AccountOverlay::CustomerNotTracked)) => {
                self.tracking = TrackingStatus::Disabled;
            }
            Some(OverlayChange::Lift(AccountOverlay::CustomerNotTracked)) => {
                // Confirming records the decision, and onboards a detected account.
                self.tracking = TrackingStatus::Enabled;
                if matches!(self.own, AccountStatus::Detected) {
                    self.own = AccountStatus::Onboarded;
                }
            }
            Some(_) | None => {}
        }
        if let Some(outcome) = event.outcome() {
            self.own = outcome;
        }
    }
}

impl Machine for Account {
    fn status(&self) -> AccountStatus {
        Account::status(self)
    }

    fn rule(&self, event: AccountEvent) -> Option<AccountRule> {
        account_rule(self.status(), event)
    }

    fn allowed_events(&self) -> EnumSet<AccountEvent> {
        account_allowed(self.status())
    }
}

// Compile-time proof of the thread-safety promise.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Connection>();
    assert_send_sync::<Account>();
};
