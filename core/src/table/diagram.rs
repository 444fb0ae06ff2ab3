//! The published diagram, as data.

use crate::event::ConnectionEvent;
use crate::status::ConnectionStatus;

/// The published diagram's 22 edges, as data, in the order the page draws them.
///
/// `[*] --> PENDING: Connection created` is not an edge here: it is
/// [`Connection::new`](crate::Connection::new).
///
/// ```
/// use nectar_lifecycle_core::{table::DIAGRAM, ConnectionEvent as E, ConnectionStatus as S};
/// assert_eq!(DIAGRAM[0], (S::Pending, E::AuthSucceeded, S::Connected));
/// ```
pub const DIAGRAM: [(ConnectionStatus, ConnectionEvent, ConnectionStatus); 22] = {
    use ConnectionEvent as E;
    use ConnectionStatus as S;
    [
        (S::Pending, E::AuthSucceeded, S::Connected),
        (S::Pending, E::BadCredentials, S::PasswordIncorrect),
        (S::Pending, E::MfaRequired, S::MfaTokenExpired),
        (S::Pending, E::ProviderUnavailable, S::WebsiteDown),
        (S::Pending, E::UnexpectedFailure, S::OtherError),
        (S::Connected, E::WeeklyCheckPassed, S::Connected),
        (S::Connected, E::PasswordChanged, S::PasswordIncorrect),
        (S::Connected, E::MfaSessionExpired, S::MfaTokenExpired),
        (S::Connected, E::ProviderRequiresReset, S::NewPasswordNeeded),
        (S::Connected, E::ProviderUnavailable, S::WebsiteDown),
        (S::Connected, E::AccountsRemoved, S::NoAccountsFound),
        (S::Connected, E::NectarReviewing, S::UnderInvestigation),
        (S::Connected, E::UnexpectedFailure, S::OtherError),
        (S::PasswordIncorrect, E::CredentialsUpdated, S::Connected),
        (S::MfaTokenExpired, E::MfaCompleted, S::Connected),
        (S::NewPasswordNeeded, E::PasswordReset, S::Connected),
        (
            S::AdditionalCredentialsNeeded,
            E::InfoProvided,
            S::Connected,
        ),
        (S::WebsiteDown, E::ProviderBackOnline, S::Connected),
        (S::NoAccountsFound, E::AccountsFound, S::Connected),
        (S::UnderInvestigation, E::IssueResolved, S::Connected),
        (S::OtherError, E::IssueResolved, S::Connected),
        (S::OtherError, E::Escalated, S::UnderInvestigation),
    ]
};

/// The target of `(from, event)` in [`DIAGRAM`], if drawn there.
pub(super) const fn diagram_target(
    from: ConnectionStatus,
    event: ConnectionEvent,
) -> Option<ConnectionStatus> {
    let mut i = 0;
    while i < DIAGRAM.len() {
        let (f, e, to) = DIAGRAM[i];
        if f as u8 == from as u8 && e as u8 == event as u8 {
            return Some(to);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagram_has_no_duplicate_cell() {
        for (i, (f, e, _)) in DIAGRAM.iter().enumerate() {
            for (g, d, _) in &DIAGRAM[i + 1..] {
                assert!((f, e) != (g, d), "{f} {e} drawn twice");
            }
        }
    }
}
