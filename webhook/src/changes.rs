//! What changed between two observations of a connection: its fields, its accounts, and the
//! notifications the change derives.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::payload::{AccountPayload, ConnectionPayload, Reported};
use nectar_lifecycle_core::remediation::{
    AccountRemediation, Remediation, account_remediation, integration_advice, remediation,
};
use nectar_lifecycle_core::{
    AccountCategory, AccountStatus, ConnectionStatus, EnumSet, TrackingStatus, closed_enum,
};

closed_enum! {
    /// A field of a connection, by its API name (`Display` and serde give the camelCase
    /// name). Declaration order is the order of [`ConnectionPayload`]'s fields.
    #[derive(Serialize, Deserialize, strum::Display, strum::IntoStaticStr)]
    #[serde(rename_all = "camelCase")]
    #[strum(serialize_all = "camelCase")]
    pub enum Field {
        /// `status`.
        Status,
        /// `statusFirstSeenTime` (a timestamp: changing alone, it fires no event).
        StatusFirstSeenTime,
        /// `statusLastUpdateTime` (a timestamp).
        StatusLastUpdateTime,
        /// `statusErrorDetail`.
        StatusErrorDetail,
        /// `externalId`.
        ExternalId,
        /// `isActive`.
        IsActive,
        /// `created` (a timestamp).
        Created,
        /// `updated` (a timestamp).
        Updated,
        /// `datasource`.
        Datasource,
        /// `accounts`.
        Accounts,
        /// `company`.
        Company,
        /// `url`.
        Url,
        /// `country`.
        Country,
        /// `username`.
        Username,
        /// `workflowOwnerEmail`.
        WorkflowOwnerEmail,
        /// `dataCollectionStartDate`.
        DataCollectionStartDate,
    }
}

impl Field {
    /// Whether the field is a timestamp Nectar keeps itself. A change of timestamps alone
    /// fires no webhook.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::Field;
    /// assert!(Field::Updated.is_timestamp() && !Field::ExternalId.is_timestamp());
    /// ```
    #[must_use]
    pub const fn is_timestamp(self) -> bool {
        matches!(
            self,
            Self::StatusFirstSeenTime | Self::StatusLastUpdateTime | Self::Created | Self::Updated
        )
    }

    /// The API name (`"externalId"`).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Whether this field differs between `a` and `b`.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{ConnectionPayload, Field};
    /// let a = ConnectionPayload::new("c1", S::Connected);
    /// let b = ConnectionPayload { external_id: Some("x".into()), ..a.clone() };
    /// assert!(Field::ExternalId.differs(&a, &b));
    /// assert!(!Field::Status.differs(&a, &b));
    /// ```
    #[must_use]
    pub fn differs(self, a: &ConnectionPayload, b: &ConnectionPayload) -> bool {
        match self {
            Self::Status => a.status != b.status,
            Self::StatusFirstSeenTime => a.status_first_seen_time != b.status_first_seen_time,
            Self::StatusLastUpdateTime => a.status_last_update_time != b.status_last_update_time,
            Self::StatusErrorDetail => a.status_error_detail != b.status_error_detail,
            Self::ExternalId => a.external_id != b.external_id,
            Self::IsActive => a.is_active != b.is_active,
            Self::Created => a.created != b.created,
            Self::Updated => a.updated != b.updated,
            Self::Datasource => a.datasource != b.datasource,
            Self::Accounts => a.accounts != b.accounts,
            Self::Company => a.company != b.company,
            Self::Url => a.url != b.url,
            Self::Country => a.country != b.country,
            Self::Username => a.username != b.username,
            Self::WorkflowOwnerEmail => a.workflow_owner_email != b.workflow_owner_email,
            Self::DataCollectionStartDate => {
                a.data_collection_start_date != b.data_collection_start_date
            }
        }
    }

    /// The fields that differ between `a` and `b`. Allocation-free.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{ConnectionPayload, Field};
    /// let a = ConnectionPayload::new("c1", S::Connected);
    /// assert!(Field::changed(&a, &a).is_empty());
    /// ```
    #[must_use]
    pub fn changed(a: &ConnectionPayload, b: &ConnectionPayload) -> EnumSet<Self> {
        <Self as nectar_lifecycle_core::Enumerated>::ALL
            .iter()
            .copied()
            .filter(|field| field.differs(a, b))
            .collect()
    }
}

closed_enum! {
    /// What an applied change means for the integrator's users.
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum Notification {
        /// The connection entered a credential error: tell the end user.
        EnteredCredentialError,
        /// The connection left an error or an investigation for `CONNECTED`. Nectar sends no
        /// event of its own for a recovery: it is derived from the change of status.
        Recovered,
        /// The connection was deactivated.
        Deactivated,
        /// The connection was activated.
        Activated,
        /// The company was deactivated.
        CompanyDeactivated,
        /// The company was reactivated.
        CompanyReactivated,
        /// Accounts were detected and await a tracking decision: confirm or reject tracking.
        AccountsDetected,
        /// An account was closed by the utility (`OLD_ACCOUNT`): no new data is expected.
        AccountClosed,
    }
}

/// The key an account is followed by across observations: its `id`, else its
/// `accountNumber`. An account with neither is not followed on its own; a change to it still
/// shows as a change of the `accounts` field.
pub(crate) fn account_key(account: &AccountPayload) -> Option<&str> {
    account.id.as_deref().or(account.account_number.as_deref())
}

/// A change of one account between two observations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum AccountChange {
    /// A new account in the payload. One that is `DETECTED` with tracking `UNSET` awaits the
    /// integrator's tracking decision ([`awaits_tracking_decision`](Self::awaits_tracking_decision)).
    Added {
        /// The account's id (or account number).
        account: String,
        /// Its status, if reported.
        status: Option<Reported<AccountStatus>>,
        /// Its `trackingStatus`, if reported.
        tracking: Option<Reported<TrackingStatus>>,
        /// What to do about its status, when known.
        remediation: Option<AccountRemediation>,
    },
    /// The account's status changed.
    StatusChanged {
        /// The account's id (or account number).
        account: String,
        /// The status before (`None` if it was not reported).
        from: Option<Reported<AccountStatus>>,
        /// The status now (`None` if it is not reported).
        to: Option<Reported<AccountStatus>>,
        /// What to do about the new status, when known.
        remediation: Option<AccountRemediation>,
    },
    /// The account's `trackingStatus` changed.
    TrackingChanged {
        /// The account's id (or account number).
        account: String,
        /// Before.
        from: Option<Reported<TrackingStatus>>,
        /// Now.
        to: Option<Reported<TrackingStatus>>,
    },
    /// The account is no longer in the payload.
    Removed {
        /// The account's id (or account number).
        account: String,
        /// Its last status.
        last_status: Option<Reported<AccountStatus>>,
    },
}

impl AccountChange {
    /// The account this change is about.
    #[must_use]
    pub fn account(&self) -> &str {
        match self {
            Self::Added { account, .. }
            | Self::StatusChanged { account, .. }
            | Self::TrackingChanged { account, .. }
            | Self::Removed { account, .. } => account,
        }
    }

    /// What to do about the status this change leads to, when known.
    #[must_use]
    pub fn remediation(&self) -> Option<AccountRemediation> {
        match self {
            Self::Added { remediation, .. } | Self::StatusChanged { remediation, .. } => {
                *remediation
            }
            Self::TrackingChanged { .. } | Self::Removed { .. } => None,
        }
    }

    /// The account status this change leads to, when known.
    #[must_use]
    pub fn new_status(&self) -> Option<AccountStatus> {
        match self {
            Self::Added { status, .. } | Self::StatusChanged { to: status, .. } => {
                status.as_ref().and_then(Reported::known)
            }
            Self::TrackingChanged { .. } | Self::Removed { .. } => None,
        }
    }

    /// The category of the status this change leads to, when known.
    #[must_use]
    pub fn category(&self) -> Option<AccountCategory> {
        self.new_status().map(AccountStatus::category)
    }

    /// Whether this is a new account that awaits the integrator's tracking decision: it is
    /// `DETECTED` and its tracking is `UNSET` (or not reported). Confirm or reject it with
    /// `PATCH /connection/{id}/status`.
    ///
    /// ```
    /// use nectar_lifecycle_core::remediation::{account_remediation, Actor};
    /// use nectar_lifecycle_core::{AccountStatus as S, TrackingStatus as T};
    /// use nectar_lifecycle_webhook::AccountChange;
    /// let added = AccountChange::Added {
    ///     account: "acc-1".into(),
    ///     status: Some(S::Detected.into()),
    ///     tracking: Some(T::Unset.into()),
    ///     remediation: Some(account_remediation(S::Detected)),
    /// };
    /// assert!(added.awaits_tracking_decision());
    /// assert_eq!(added.remediation().map(|r| r.actor()), Some(Actor::Integrator));
    /// ```
    #[must_use]
    pub fn awaits_tracking_decision(&self) -> bool {
        match self {
            Self::Added {
                status, tracking, ..
            } => {
                status.as_ref().and_then(Reported::known) == Some(AccountStatus::Detected)
                    && tracking
                        .as_ref()
                        .and_then(Reported::known)
                        .is_none_or(|t| t == TrackingStatus::Unset)
            }
            Self::StatusChanged { .. } | Self::TrackingChanged { .. } | Self::Removed { .. } => {
                false
            }
        }
    }
}

impl fmt::Display for AccountChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Added {
                account, status, ..
            } => write!(f, "account {account} added ({})", shown(status)),
            Self::StatusChanged {
                account, from, to, ..
            } => {
                write!(f, "account {account}: {} -> {}", shown(from), shown(to))
            }
            Self::TrackingChanged { account, from, to } => {
                write!(
                    f,
                    "account {account}: tracking {} -> {}",
                    shown(from),
                    shown(to)
                )
            }
            Self::Removed {
                account,
                last_status,
            } => write!(f, "account {account} removed (was {})", shown(last_status)),
        }
    }
}

/// A reported value as it displays, or `unreported`.
fn shown<S: Copy + Into<&'static str>>(value: &Option<Reported<S>>) -> String {
    value
        .as_ref()
        .map_or_else(|| "unreported".to_owned(), ToString::to_string)
}

/// What to do about `account`'s status, when it is known.
fn remediation_of(account: &AccountPayload) -> Option<AccountRemediation> {
    let status = account.status.as_ref()?.known()?;
    Some(account_remediation(status))
}

/// The changes of the accounts between `before` (`None`: nothing was known) and `after`,
/// in the order of `after`'s accounts, then the removed ones in `before`'s order.
#[must_use]
pub fn account_changes(
    before: Option<&[AccountPayload]>,
    after: &[AccountPayload],
) -> Vec<AccountChange> {
    let before = before.unwrap_or_default();
    let find = |key: &str| before.iter().find(|a| account_key(a) == Some(key));
    let mut changes = Vec::new();
    for account in after {
        let Some(key) = account_key(account) else {
            continue;
        };
        match find(key) {
            None => changes.push(AccountChange::Added {
                account: key.to_owned(),
                status: account.status.clone(),
                tracking: account.tracking_status.clone(),
                remediation: remediation_of(account),
            }),
            Some(old) => {
                if old.status != account.status {
                    changes.push(AccountChange::StatusChanged {
                        account: key.to_owned(),
                        from: old.status.clone(),
                        to: account.status.clone(),
                        remediation: remediation_of(account),
                    });
                }
                if old.tracking_status != account.tracking_status {
                    changes.push(AccountChange::TrackingChanged {
                        account: key.to_owned(),
                        from: old.tracking_status.clone(),
                        to: account.tracking_status.clone(),
                    });
                }
            }
        }
    }
    for old in before {
        let Some(key) = account_key(old) else {
            continue;
        };
        if !after.iter().any(|a| account_key(a) == Some(key)) {
            changes.push(AccountChange::Removed {
                account: key.to_owned(),
                last_status: old.status.clone(),
            });
        }
    }
    changes
}

/// The notifications a change derives: the connection's status change `from -> to`, and
/// the account changes.
#[must_use]
pub fn notifications(
    from: Option<&Reported<ConnectionStatus>>,
    to: &Reported<ConnectionStatus>,
    accounts: &[AccountChange],
) -> EnumSet<Notification> {
    let mut set = status_notifications(from.and_then(Reported::known), to.known());
    if accounts.iter().any(AccountChange::awaits_tracking_decision) {
        set.insert(Notification::AccountsDetected);
    }
    if accounts.iter().any(|change| {
        matches!(change, AccountChange::StatusChanged { .. })
            && change.new_status() == Some(AccountStatus::OldAccount)
    }) {
        set.insert(Notification::AccountClosed);
    }
    set
}

/// The notifications of a status change between known statuses.
fn status_notifications(
    from: Option<ConnectionStatus>,
    to: Option<ConnectionStatus>,
) -> EnumSet<Notification> {
    use ConnectionStatus as S;
    let mut set = EnumSet::empty();
    let Some(to) = to else {
        return set;
    };
    if from == Some(to) {
        return set;
    }
    let advice = integration_advice(from, to);
    if advice.notify_end_user {
        set.insert(Notification::EnteredCredentialError);
    }
    if advice.recovery {
        set.insert(Notification::Recovered);
    }
    if from == Some(S::CompanyInactive) {
        set.insert(Notification::CompanyReactivated);
    }
    if to == S::CompanyInactive {
        set.insert(Notification::CompanyDeactivated);
    }
    if to == S::Deactivated {
        set.insert(Notification::Deactivated);
    }
    // Activation shows an operational status again; DEACTIVATED -> COMPANY_INACTIVE is the
    // company covering a deactivated connection, not an activation.
    if from == Some(S::Deactivated) && to.is_operational() {
        set.insert(Notification::Activated);
    }
    set
}

/// Everything an applied observation changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// The stored status before (for the first observation, the event's `old.status`, if
    /// any).
    pub from: Option<Reported<ConnectionStatus>>,
    /// The status now.
    pub to: Reported<ConnectionStatus>,
    /// The connection's fields that changed (every field, for the first observation).
    pub fields: EnumSet<Field>,
    /// What to do about the connection's status now, when known (as after the first check
    /// ending in it: a provider error is not yet persistent).
    pub remediation: Option<Remediation>,
    /// The accounts that changed.
    pub accounts: Vec<AccountChange>,
    /// What the change means for the integrator's users.
    pub notifications: EnumSet<Notification>,
}

impl Changes {
    /// The changes from `before` (`None`: nothing stored; `old_status` is then the event's
    /// `old.status`, if any) to `after`.
    #[must_use]
    pub fn between(
        before: Option<&ConnectionPayload>,
        old_status: Option<&Reported<ConnectionStatus>>,
        after: &ConnectionPayload,
    ) -> Self {
        let from = before.map(|b| &b.status).or(old_status);
        let accounts = account_changes(before.map(|b| b.accounts.as_slice()), &after.accounts);
        let fields = match before {
            Some(before) => Field::changed(before, after),
            None => <Field as nectar_lifecycle_core::Enumerated>::ALL
                .iter()
                .copied()
                .collect(),
        };
        Self {
            notifications: notifications(from, &after.status, &accounts),
            remediation: after.status.known().map(|s| remediation(s, 1)),
            from: from.cloned(),
            to: after.status.clone(),
            fields,
            accounts,
        }
    }
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.from {
            Some(from) if *from != self.to => write!(f, "{from} -> {}", self.to)?,
            Some(_) => write!(f, "{} (status unchanged)", self.to)?,
            None => write!(f, "first seen as {}", self.to)?,
        }
        write!(f, "; fields: {}", self.fields)?;
        for account in &self.accounts {
            write!(f, "; {account}")?;
        }
        write!(f, "; notifications: {}", self.notifications)
    }
}
