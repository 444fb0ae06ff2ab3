//! The wire statuses of connections and accounts, with their categories.
//!
//! Every enum here serializes to, and parses from, the exact string of Nectar's API
//! (`"PASSWORD_INCORRECT"`, `"PULL_COMPLETED"`, ...). They are exhaustive on purpose: see
//! [the manual](crate::manual#wire-values).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use strum::{FromRepr, IntoStaticStr, VariantArray};

use crate::closed_enum;

/// Which wire enum a string failed to parse as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::Display)]
pub enum WireKind {
    /// [`ConnectionStatus`](ConnectionStatus).
    #[strum(to_string = "connection status")]
    ConnectionStatus,
    /// [`AccountStatus`](AccountStatus).
    #[strum(to_string = "account status")]
    AccountStatus,
    /// [`TrackingStatus`](TrackingStatus).
    #[strum(to_string = "tracking status")]
    TrackingStatus,
}

/// A string that is not one of Nectar's API values for the expected enum.
///
/// It carries the rejected string so a caller can log or keep it. The webhook layer keeps
/// unknown values as data instead of failing; this error is for places where only a known
/// status makes sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct ParseStatusError {
    kind: WireKind,
    value: String,
}

impl ParseStatusError {
    pub(crate) fn new(kind: WireKind, value: &str) -> Self {
        Self {
            kind,
            value: value.to_owned(),
        }
    }

    /// The enum the string was parsed as.
    #[must_use]
    pub fn kind(&self) -> WireKind {
        self.kind
    }

    /// The rejected string, exactly as given.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The rejected string, by value.
    #[must_use]
    pub fn into_value(self) -> String {
        self.value
    }
}

/// Gives a wire enum its API string: `as_str`, `Display`, `FromStr` (with aliases) and serde.
macro_rules! wire_strings {
    ($ty:ident, $kind:expr, aliases: [$($alias:literal => $variant:ident),* $(,)?]) => {
        impl $ty {
            /// The exact string Nectar's API uses for this value.
            #[inline]
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = ParseStatusError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $(if s == $alias {
                    return Ok($ty::$variant);
                })*
                <$ty as VariantArray>::VARIANTS
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| ParseStatusError::new($kind, s))
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(WireVisitor::<$ty>(core::marker::PhantomData))
            }
        }
    };
}

/// Deserializes any wire enum through its `FromStr`, so serde and `parse` agree exactly,
/// aliases included.
struct WireVisitor<T>(core::marker::PhantomData<T>);

impl<T: FromStr<Err = ParseStatusError>> serde::de::Visitor<'_> for WireVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("one of Nectar's API strings")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
}

closed_enum! {
    /// The status of a connection, as Nectar's API reports it in the `status` field.
    ///
    /// Variants are declared in the order of the spec's tables; that order is the crate's sort
    /// order. Two of them, [`CompanyInactive`](Self::CompanyInactive) and
    /// [`Deactivated`](Self::Deactivated), are overlays rather than places in the lifecycle: a
    /// [`Connection`](crate::Connection) keeps its operational status underneath them and gets it
    /// back when the overlay is lifted.
    ///
    /// # Documented diagram
    ///
    /// Generated from the transition table by `cargo xtask generate`, and tested to be exactly
    /// Nectar's published diagram. [`Rules::Documented`](crate::Rules::Documented) allows
    /// these 22 edges plus the overlays ([`ConnectionOverlay`](crate::ConnectionOverlay));
    /// [`Rules::Operational`](crate::Rules::Operational) adds the edges the status tables
    /// imply (see [`Inference`](crate::Inference)).
    ///
    /// ```text
    #[doc = include_str!("../doc/connection-documented.mmd")]
    /// ```
///
/// # Parsing
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionCategory, ConnectionStatus};
    ///
    /// let status: ConnectionStatus = "MFA_TOKEN_EXPIRED".parse()?;
    /// assert_eq!(status, ConnectionStatus::MfaTokenExpired);
    /// assert_eq!(status.category(), ConnectionCategory::CredentialError);
    /// assert_eq!(status.to_string(), "MFA_TOKEN_EXPIRED");
    ///
    /// // The sandbox pages spell it differently; both parse, the API spelling is written back.
    /// let alias: ConnectionStatus = "INCORRECT_PASSWORD".parse()?;
    /// assert_eq!(alias.as_str(), "PASSWORD_INCORRECT");
    ///
    /// // Unknown values are a typed error carrying the value, never a panic.
    /// let err = "ON_FIRE".parse::<ConnectionStatus>().unwrap_err();
    /// assert_eq!(err.value(), "ON_FIRE");
    /// # Ok::<(), nectar_lifecycle_core::ParseStatusError>(())
    /// ```
    #[derive(IntoStaticStr, FromRepr)]
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[repr(u8)]
    pub enum ConnectionStatus {
        /// `PENDING`: just created, waiting for the first check.
        Pending,
        /// `CONNECTED`: Nectar can log in and collects data weekly.
        Connected,
        /// `UNDER_INVESTIGATION`: Nectar's team flagged the connection for review.
        UnderInvestigation,
        /// `PASSWORD_INCORRECT`: the utility website rejected the stored credentials.
        ///
        /// Also parsed from `INCORRECT_PASSWORD`, the spelling of Nectar's sandbox pages.
        PasswordIncorrect,
        /// `MFA_TOKEN_EXPIRED`: automated login cannot complete MFA.
        MfaTokenExpired,
        /// `NEW_PASSWORD_NEEDED`: the utility portal forces a password reset.
        NewPasswordNeeded,
        /// `ADDITIONAL_CREDENTIALS_NEEDED`: the portal asks for extra verification.
        AdditionalCredentialsNeeded,
        /// `WEBSITE_DOWN`: the provider's website is temporarily unavailable.
        WebsiteDown,
        /// `URL_INACCESSIBLE`: the provider URL cannot be reached.
        UrlInaccessible,
        /// `NO_ACCOUNTS_FOUND`: login worked but no utility accounts were found.
        NoAccountsFound,
        /// `OTHER_ERROR`: an unexpected issue not covered by other statuses.
        OtherError,
        /// `COMPANY_INACTIVE`: the parent company is deactivated (an overlay).
        CompanyInactive,
        /// `DEACTIVATED`: collection turned off with `isActive: false` (an overlay).
        Deactivated,
    }
}

wire_strings!(ConnectionStatus, WireKind::ConnectionStatus, aliases: ["INCORRECT_PASSWORD" => PasswordIncorrect]);

closed_enum! {
    /// The spec's grouping of connection statuses: one table per category.
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum ConnectionCategory {
        /// "Healthy statuses: no action needed" (PENDING, CONNECTED, UNDER_INVESTIGATION).
        Healthy,
        /// "Credential errors: user action required"; collection stops until the user acts.
        CredentialError,
        /// "Provider errors: automatic retry" on the next weekly check.
        ProviderError,
        /// "System statuses": COMPANY_INACTIVE and DEACTIVATED, the overlays.
        System,
    }
}

impl ConnectionStatus {
    /// The spec table this status belongs to.
    ///
    /// ```
    /// use nectar_lifecycle_core::{ConnectionCategory as C, ConnectionStatus as S};
    /// assert_eq!(S::UnderInvestigation.category(), C::Healthy);
    /// assert_eq!(S::UrlInaccessible.category(), C::ProviderError);
    /// assert_eq!(S::Deactivated.category(), C::System);
    /// ```
    #[must_use]
    pub const fn category(self) -> ConnectionCategory {
        use ConnectionCategory as C;
        match self {
            Self::Pending | Self::Connected | Self::UnderInvestigation => C::Healthy,
            Self::PasswordIncorrect
            | Self::MfaTokenExpired
            | Self::NewPasswordNeeded
            | Self::AdditionalCredentialsNeeded => C::CredentialError,
            Self::WebsiteDown
            | Self::UrlInaccessible
            | Self::NoAccountsFound
            | Self::OtherError => C::ProviderError,
            Self::CompanyInactive | Self::Deactivated => C::System,
        }
    }

    /// Whether this is one of the four credential errors that halt collection until the end
    /// user acts.
    #[must_use]
    pub const fn is_credential_error(self) -> bool {
        matches!(self.category(), ConnectionCategory::CredentialError)
    }

    /// Whether Nectar runs checks from this status: the first check from `PENDING`, the
    /// weekly check from every other healthy status and every provider error. Credential
    /// errors halt collection until the user acts; the overlays stop it.
    ///
    /// The spec's check-frequency rules say "all other statuses (including provider errors)
    /// are retried on the next weekly cycle"; `UNDER_INVESTIGATION` is one of those others.
    #[must_use]
    pub const fn is_checked(self) -> bool {
        matches!(
            self.category(),
            ConnectionCategory::Healthy | ConnectionCategory::ProviderError
        )
    }

    /// Whether this status is a place in the lifecycle graph (every category but
    /// [`System`](ConnectionCategory::System)). Only operational statuses are held underneath
    /// the overlays.
    #[must_use]
    pub const fn is_operational(self) -> bool {
        !matches!(self.category(), ConnectionCategory::System)
    }
}

closed_enum! {
    /// The status of one utility account found behind a connection.
    ///
    /// Three values are overlays derived from other facts, never stored as the account's own
    /// status: `CUSTOMER_NOT_TRACKED` (from [`TrackingStatus::Disabled`]),
    /// `WORKFLOW_NOT_ACCESSIBLE` (the parent connection is in a credential error) and
    /// `COMPANY_INACTIVE`. See [`Account`](crate::Account).
    ///
    /// ```
    /// use nectar_lifecycle_core::{AccountCategory, AccountStatus};
    /// let s: AccountStatus = "OLD_ACCOUNT".parse()?;
    /// assert_eq!(s.category(), AccountCategory::Terminal);
    /// assert_eq!(serde_json::to_string(&s).unwrap(), r#""OLD_ACCOUNT""#);
    /// # Ok::<(), nectar_lifecycle_core::ParseStatusError>(())
    /// ```
    #[derive(IntoStaticStr, FromRepr)]
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[repr(u8)]
    pub enum AccountStatus {
        /// `DETECTED`: discovered but not yet confirmed.
        Detected,
        /// `ONBOARDED`: confirmed and actively tracked.
        Onboarded,
        /// `PULL_COMPLETED`: data was collected and processed.
        PullCompleted,
        /// `NO_DOCUMENTS_FOUND`: no bills were found.
        NoDocumentsFound,
        /// `PDF_DOWNLOAD_FAILED`: bills exist but could not be downloaded.
        PdfDownloadFailed,
        /// `ACCOUNT_NOT_FOUND`: no longer visible on the provider's website.
        AccountNotFound,
        /// `WORKFLOW_NOT_ACCESSIBLE`: the parent connection has a credential error (an overlay).
        WorkflowNotAccessible,
        /// `OTHER_ERROR`: unexpected error during collection.
        OtherError,
        /// `OLD_ACCOUNT`: closed by the utility; terminal.
        OldAccount,
        /// `DUPLICATE`: duplicates another tracked account; terminal.
        Duplicate,
        /// `CUSTOMER_NOT_TRACKED`: tracking is `DISABLED` (an overlay).
        CustomerNotTracked,
        /// `COMPANY_INACTIVE`: the parent company is deactivated (an overlay).
        CompanyInactive,
    }
}

wire_strings!(AccountStatus, WireKind::AccountStatus, aliases: []);

closed_enum! {
    /// A grouping of account statuses. The spec has no account categories; these follow its
    /// check-frequency rules (terminal statuses) and descriptions.
    #[derive(Serialize, Deserialize, strum::Display)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    pub enum AccountCategory {
        /// Discovered, onboarded or collected without error.
        Healthy,
        /// The last pull of this account failed in an account-specific way; retried weekly.
        CollectionError,
        /// The parent connection cannot be logged into (`WORKFLOW_NOT_ACCESSIBLE`).
        ParentError,
        /// "Terminal account statuses": `OLD_ACCOUNT`, `DUPLICATE`, `CUSTOMER_NOT_TRACKED`.
        Terminal,
        /// `COMPANY_INACTIVE`.
        System,
    }
}

impl AccountStatus {
    /// The category of this status.
    #[must_use]
    pub const fn category(self) -> AccountCategory {
        use AccountCategory as C;
        match self {
            Self::Detected | Self::Onboarded | Self::PullCompleted => C::Healthy,
            Self::NoDocumentsFound
            | Self::PdfDownloadFailed
            | Self::AccountNotFound
            | Self::OtherError => C::CollectionError,
            Self::WorkflowNotAccessible => C::ParentError,
            Self::OldAccount | Self::Duplicate | Self::CustomerNotTracked => C::Terminal,
            Self::CompanyInactive => C::System,
        }
    }

    /// Whether this status is terminal: the spec's "terminal account statuses"
    /// (`OLD_ACCOUNT`, `DUPLICATE`, `CUSTOMER_NOT_TRACKED`), which are not re-checked.
    ///
    /// ```
    /// use nectar_lifecycle_core::AccountStatus as S;
    /// assert!(S::OldAccount.is_terminal() && S::CustomerNotTracked.is_terminal());
    /// assert!(!S::AccountNotFound.is_terminal());
    /// ```
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self.category(), AccountCategory::Terminal)
    }
}

closed_enum! {
    /// The `trackingStatus` of an account: the integrator's or user's tracking intent.
    ///
    /// `UNSET` counts as tracked: Nectar's deprecated `isTracked` alias is true for it.
    ///
    /// ```
    /// use nectar_lifecycle_core::TrackingStatus;
    /// assert_eq!("DISABLED".parse::<TrackingStatus>()?, TrackingStatus::Disabled);
    /// assert!(TrackingStatus::Unset.is_tracked());
    /// # Ok::<(), nectar_lifecycle_core::ParseStatusError>(())
    /// ```
    #[derive(Default, IntoStaticStr, FromRepr)]
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[repr(u8)]
    pub enum TrackingStatus {
        /// `UNSET`: no tracking decision yet; counts as tracked.
        #[default]
        Unset,
        /// `ENABLED`: actively tracked.
        Enabled,
        /// `DISABLED`: tracking turned off; the account reads `CUSTOMER_NOT_TRACKED`.
        Disabled,
    }
}

wire_strings!(TrackingStatus, WireKind::TrackingStatus, aliases: []);

impl TrackingStatus {
    /// Whether the account is collected under this tracking status (`UNSET` and `ENABLED`).
    #[must_use]
    pub const fn is_tracked(self) -> bool {
        !matches!(self, Self::Disabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::{EnumCount, IntoEnumIterator};

    #[test]
    fn counts_match_the_spec_tables() {
        assert_eq!(ConnectionStatus::COUNT, 13);
        assert_eq!(AccountStatus::COUNT, 12);
        assert_eq!(TrackingStatus::COUNT, 3);
    }

    #[test]
    fn index_is_the_position_in_all() {
        use crate::Enumerated;
        for (i, s) in ConnectionStatus::iter().enumerate() {
            assert_eq!(s.index(), i);
            assert_eq!(ConnectionStatus::ALL[i], s);
        }
        for (i, s) in AccountStatus::iter().enumerate() {
            assert_eq!(s.index(), i);
        }
    }

    #[test]
    fn alias_parses_but_is_never_written() {
        let s: ConnectionStatus = "INCORRECT_PASSWORD".parse().unwrap();
        assert_eq!(s, ConnectionStatus::PasswordIncorrect);
        assert_eq!(s.to_string(), "PASSWORD_INCORRECT");
        let de: ConnectionStatus = serde_json::from_str(r#""INCORRECT_PASSWORD""#).unwrap();
        assert_eq!(de, s);
        assert_eq!(
            serde_json::to_string(&de).unwrap(),
            r#""PASSWORD_INCORRECT""#
        );
    }

    #[test]
    fn alias_is_only_for_connections() {
        assert!("INCORRECT_PASSWORD".parse::<AccountStatus>().is_err());
    }

    #[test]
    fn unknown_string_is_a_typed_error_with_the_value() {
        let err = "password_incorrect"
            .parse::<ConnectionStatus>()
            .unwrap_err();
        assert_eq!(err.value(), "password_incorrect");
        assert_eq!(err.kind(), WireKind::ConnectionStatus);
        let err = serde_json::from_str::<AccountStatus>(r#""NOPE""#).unwrap_err();
        assert!(err.to_string().contains("NOPE"), "{err}");
        assert!(serde_json::from_str::<TrackingStatus>("3").is_err());
    }

    #[test]
    fn operational_and_terminal_partitions() {
        let operational: Vec<_> = ConnectionStatus::iter()
            .filter(|s| s.is_operational())
            .collect();
        assert_eq!(operational.len(), 11);
        let terminal: Vec<_> = AccountStatus::iter().filter(|s| s.is_terminal()).collect();
        assert_eq!(
            terminal,
            [
                AccountStatus::OldAccount,
                AccountStatus::Duplicate,
                AccountStatus::CustomerNotTracked
            ]
        );
    }
}
