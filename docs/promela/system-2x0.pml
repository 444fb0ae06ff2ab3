/* Generated from the transition table by `cargo xtask generate`; do not edit. */

/*
 * A company with 2 connection(s), each with 0 account(s), for SPIN: the Promela
 * twin of the stateright model `SystemModel { connections: 2, accounts: 0,
 * symmetry: Symmetry::Unreduced, bug: None }` (models/src/system.rs). The week is
 * abstracted: `Tick` starts a new week; within a week the scheduler checks each
 * connection when the core's policy says it is due, with every outcome, and after a
 * check that ended CONNECTED pulls its collected accounts, with every outcome. End
 * users, Nectar's team, the integrator and the company act at any time; after every
 * step each account follows its parent.
 *
 * The tables' cells, the event facts and the policy are generated from the core; the
 * inlines carry the semantics. Each step is atomic, so "states, stored" counts
 * valuations of the state variables.
 *
 * Check it (xtask/tests/spin.rs does, and compares with stateright):
 *   spin -o3 -a system-2x0.pml
 *   gcc -O0 -DSAFETY -DNOREDUCE -o pan pan.c
 *   ./pan -m1000000 -w22
 * pan's "unreached in proctype system" report lists each record statement
 * (`connection_edge = K`, `account_edge = K`, `connection_shown = K`,
 * `account_shown = K`) that no step reached (-o3: no statement merging).
 */

/* ConnectionStatus, in declaration order. */
#define C_PENDING 0
#define C_CONNECTED 1
#define C_UNDER_INVESTIGATION 2
#define C_PASSWORD_INCORRECT 3
#define C_MFA_TOKEN_EXPIRED 4
#define C_NEW_PASSWORD_NEEDED 5
#define C_ADDITIONAL_CREDENTIALS_NEEDED 6
#define C_WEBSITE_DOWN 7
#define C_URL_INACCESSIBLE 8
#define C_NO_ACCOUNTS_FOUND 9
#define C_OTHER_ERROR 10
#define C_COMPANY_INACTIVE 11
#define C_DEACTIVATED 12
#define NO_STATUS 255 /* `held` when nothing is held */

/* ConnectionEvent, in declaration order, with its label. */
#define CE_AuthSucceeded 0 /* Authentication successful */
#define CE_BadCredentials 1 /* Bad credentials */
#define CE_MfaRequired 2 /* MFA required */
#define CE_ProviderUnavailable 3 /* Provider unavailable */
#define CE_UnexpectedFailure 4 /* Unexpected failure */
#define CE_WeeklyCheckPassed 5 /* Weekly check passes */
#define CE_PasswordChanged 6 /* Password changed */
#define CE_MfaSessionExpired 7 /* MFA session expired */
#define CE_ProviderRequiresReset 8 /* Provider requires reset */
#define CE_AccountsRemoved 9 /* Accounts removed */
#define CE_NectarReviewing 10 /* Nectar reviewing */
#define CE_CredentialsUpdated 11 /* Credentials updated */
#define CE_MfaCompleted 12 /* MFA completed */
#define CE_PasswordReset 13 /* Password reset */
#define CE_InfoProvided 14 /* Info provided */
#define CE_ProviderBackOnline 15 /* Provider back online */
#define CE_AccountsFound 16 /* Accounts found */
#define CE_IssueResolved 17 /* Issue resolved */
#define CE_Escalated 18 /* Escalated */
#define CE_NoAccountsFound 19 /* No accounts found */
#define CE_AdditionalVerificationRequired 20 /* Extra verification requested */
#define CE_UrlUnreachable 21 /* URL unreachable */
#define CE_UrlReachable 22 /* URL reachable again */
#define CE_Deactivate 23 /* Deactivated (isActive false) */
#define CE_Activate 24 /* Activated (isActive true) */
#define CE_CompanyDeactivated 25 /* Company deactivated */
#define CE_CompanyReactivated 26 /* Company reactivated */

/* ConnectionOverlay, lowest first: a higher overlay covers a lower one. */
#define CO_DEACTIVATED 0
#define CO_COMPANY_INACTIVE 1

/* AccountStatus, in declaration order. */
#define A_DETECTED 0
#define A_ONBOARDED 1
#define A_PULL_COMPLETED 2
#define A_NO_DOCUMENTS_FOUND 3
#define A_PDF_DOWNLOAD_FAILED 4
#define A_ACCOUNT_NOT_FOUND 5
#define A_WORKFLOW_NOT_ACCESSIBLE 6
#define A_OTHER_ERROR 7
#define A_OLD_ACCOUNT 8
#define A_DUPLICATE 9
#define A_CUSTOMER_NOT_TRACKED 10
#define A_COMPANY_INACTIVE 11

/* TrackingStatus, in declaration order. */
#define T_UNSET 0
#define T_ENABLED 1
#define T_DISABLED 2

/* AccountEvent, in declaration order, with its label. */
#define AE_Confirmed 0 /* Tracking confirmed */
#define AE_Rejected 1 /* Tracking disabled */
#define AE_PullCompleted 2 /* Pull completed */
#define AE_NoDocumentsFound 3 /* No documents found */
#define AE_PdfDownloadFailed 4 /* PDF download failed */
#define AE_AccountNotFound 5 /* Account not found */
#define AE_CollectionFailed 6 /* Unexpected failure */
#define AE_ClosedByUtility 7 /* Closed by utility */
#define AE_MarkedDuplicate 8 /* Marked duplicate */
#define AE_ParentBlocked 9 /* Connection credential error */
#define AE_ParentRecovered 10 /* Connection recovered */
#define AE_CompanyDeactivated 11 /* Company deactivated */
#define AE_CompanyReactivated 12 /* Company reactivated */

/* AccountOverlay, lowest first: a higher overlay covers a lower one. */
#define AO_WORKFLOW_NOT_ACCESSIBLE 0
#define AO_CUSTOMER_NOT_TRACKED 1
#define AO_COMPANY_INACTIVE 2

/* Events caused by a check (EventOrigin::Check): they end a fresh cycle. */
#define IS_CHECK(e) ((e) == CE_AuthSucceeded || (e) == CE_BadCredentials || (e) == CE_MfaRequired || (e) == CE_ProviderUnavailable || (e) == CE_UnexpectedFailure || (e) == CE_WeeklyCheckPassed || (e) == CE_PasswordChanged || (e) == CE_MfaSessionExpired || (e) == CE_ProviderRequiresReset || (e) == CE_AccountsRemoved || (e) == CE_ProviderBackOnline || (e) == CE_AccountsFound || (e) == CE_NoAccountsFound || (e) == CE_AdditionalVerificationRequired || (e) == CE_UrlUnreachable || (e) == CE_UrlReachable)

/* Events with a check outcome: the monitor's "a check ran". */
#define HAS_OUTCOME(e) ((e) == CE_AuthSucceeded || (e) == CE_BadCredentials || (e) == CE_MfaRequired || (e) == CE_ProviderUnavailable || (e) == CE_UnexpectedFailure || (e) == CE_WeeklyCheckPassed || (e) == CE_PasswordChanged || (e) == CE_MfaSessionExpired || (e) == CE_ProviderRequiresReset || (e) == CE_AccountsRemoved || (e) == CE_ProviderBackOnline || (e) == CE_AccountsFound || (e) == CE_NoAccountsFound || (e) == CE_AdditionalVerificationRequired || (e) == CE_UrlUnreachable || (e) == CE_UrlReachable)

/* Statuses under which the spec forbids a check: collection is halted (credential
 * errors) or stopped (the system statuses). */
#define FORBIDS_CHECK(s) ((s) == C_PASSWORD_INCORRECT || (s) == C_MFA_TOKEN_EXPIRED || (s) == C_NEW_PASSWORD_NEEDED || (s) == C_ADDITIONAL_CREDENTIALS_NEEDED || (s) == C_COMPANY_INACTIVE || (s) == C_DEACTIVATED)

/* The credential errors (ConnectionStatus::is_credential_error). */
#define CREDENTIAL_ERROR(s) ((s) == C_PASSWORD_INCORRECT || (s) == C_MFA_TOKEN_EXPIRED || (s) == C_NEW_PASSWORD_NEEDED || (s) == C_ADDITIONAL_CREDENTIALS_NEEDED)

/* Tracking statuses under which an account is collected (TrackingStatus::is_tracked). */
#define TRACKED(t) ((t) == T_UNSET || (t) == T_ENABLED)

/* The scheduler's policy, from the core: the connection states whose check is due
 * this week (next_check_due, with the last check now when `checked`, else a week
 * ago)... */
#define CONNECTION_DUE(c) \
  ((overlays[c] == 0 && cycle_pending[c] == 0 && checked[c] == 0 && ((operational[c]) == C_CONNECTED || (operational[c]) == C_UNDER_INVESTIGATION || (operational[c]) == C_WEBSITE_DOWN || (operational[c]) == C_URL_INACCESSIBLE || (operational[c]) == C_NO_ACCOUNTS_FOUND || (operational[c]) == C_OTHER_ERROR)) \
  || (overlays[c] == 0 && cycle_pending[c] == 1 && checked[c] == 0 && ((operational[c]) == C_PENDING || (operational[c]) == C_CONNECTED || (operational[c]) == C_UNDER_INVESTIGATION || (operational[c]) == C_WEBSITE_DOWN || (operational[c]) == C_URL_INACCESSIBLE || (operational[c]) == C_NO_ACCOUNTS_FOUND || (operational[c]) == C_OTHER_ERROR)) \
  || (overlays[c] == 0 && cycle_pending[c] == 1 && checked[c] == 1 && ((operational[c]) == C_PENDING || (operational[c]) == C_CONNECTED || (operational[c]) == C_UNDER_INVESTIGATION || (operational[c]) == C_WEBSITE_DOWN || (operational[c]) == C_URL_INACCESSIBLE || (operational[c]) == C_NO_ACCOUNTS_FOUND || (operational[c]) == C_OTHER_ERROR)))

/* ... the connection states that are collected (Scheduled::collection)... */
#define CONNECTION_COLLECTED(c) \
  ((overlays[c] == 0 && cycle_pending[c] == 0 && checked[c] == 0 && ((operational[c]) == C_CONNECTED || (operational[c]) == C_UNDER_INVESTIGATION || (operational[c]) == C_WEBSITE_DOWN || (operational[c]) == C_URL_INACCESSIBLE || (operational[c]) == C_NO_ACCOUNTS_FOUND || (operational[c]) == C_OTHER_ERROR)) \
  || (overlays[c] == 0 && cycle_pending[c] == 0 && checked[c] == 1 && ((operational[c]) == C_CONNECTED || (operational[c]) == C_UNDER_INVESTIGATION || (operational[c]) == C_WEBSITE_DOWN || (operational[c]) == C_URL_INACCESSIBLE || (operational[c]) == C_NO_ACCOUNTS_FOUND || (operational[c]) == C_OTHER_ERROR)) \
  || (overlays[c] == 0 && cycle_pending[c] == 1 && checked[c] == 0 && ((operational[c]) == C_PENDING || (operational[c]) == C_CONNECTED || (operational[c]) == C_UNDER_INVESTIGATION || (operational[c]) == C_WEBSITE_DOWN || (operational[c]) == C_URL_INACCESSIBLE || (operational[c]) == C_NO_ACCOUNTS_FOUND || (operational[c]) == C_OTHER_ERROR)) \
  || (overlays[c] == 0 && cycle_pending[c] == 1 && checked[c] == 1 && ((operational[c]) == C_PENDING || (operational[c]) == C_CONNECTED || (operational[c]) == C_UNDER_INVESTIGATION || (operational[c]) == C_WEBSITE_DOWN || (operational[c]) == C_URL_INACCESSIBLE || (operational[c]) == C_NO_ACCOUNTS_FOUND || (operational[c]) == C_OTHER_ERROR)))

/* ... and the visible account statuses that are collected. */
#define ACCOUNT_COLLECTED(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_OTHER_ERROR)

/* The state: the stateright model's SystemState, field for field; connection c's
 * variables at [c], its account i at [c * 0 + i]. */
bit company_inactive = 0; /* SystemState::company */
byte operational[2] = C_PENDING;
byte overlays[2] = 0; /* bit o: connection overlay o is raised */
bit cycle_pending[2] = 1;
bit checked[2] = 0; /* checked this week */
bit logged_in[2] = 0; /* the last check this week ended CONNECTED */
byte held[2] = NO_STATUS; /* ghost: the operational status held at the last deactivation */
byte account_own[1] = A_DETECTED;
byte tracking[1] = T_UNSET;
byte account_overlays[1] = 0; /* bit o: account overlay o is raised */
/* Ghost, sticky: what the monitors saw. */
bit pulled_terminal = 0;
bit pulled_untracked = 0;
bit checked_halted = 0;
bit checked_stopped = 0;
bit restore_violated = 0;

/* Scratch of one step, outside the state vector. */
hidden byte step_shown[2]; /* each connection's derived status before the step */
hidden byte step_visible[2]; /* its visible status before the step */
hidden byte step_before[2]; /* its operational status before the step */
hidden byte step_account[1]; /* each account's visible status before the step */
hidden byte c_moved[2]; /* the connection took an edge: */
hidden byte c_from[2];
hidden byte c_event[2];
hidden byte c_to[2];
hidden byte a_from;
hidden byte q_from[1]; /* the account edges taken, queued */
hidden byte q_event[1];
hidden byte q_to[1];
hidden byte q_n;
hidden byte scan;
hidden byte scan_status;
hidden short connection_edge;
hidden short account_edge;
hidden byte connection_shown;
hidden byte account_shown;

#define RAISED(c, o) ((overlays[c] >> (o)) & 1)
#define ACCOUNT_RAISED(i, o) ((account_overlays[i] >> (o)) & 1)

/* The visible statuses: the highest overlay raised, else the status below. */
#define VISIBLE(c) (RAISED(c, CO_COMPANY_INACTIVE) -> C_COMPANY_INACTIVE : (RAISED(c, CO_DEACTIVATED) -> C_DEACTIVATED : operational[c]))
#define ACCOUNT_VISIBLE(i) (ACCOUNT_RAISED(i, AO_COMPANY_INACTIVE) -> A_COMPANY_INACTIVE : (ACCOUNT_RAISED(i, AO_CUSTOMER_NOT_TRACKED) -> A_CUSTOMER_NOT_TRACKED : (ACCOUNT_RAISED(i, AO_WORKFLOW_NOT_ACCESSIBLE) -> A_WORKFLOW_NOT_ACCESSIBLE : account_own[i])))

/* The visible statuses as the spec derives them from the API's flags: for a
 * connection the company over isActive over the operational status; for account i
 * of connection c the company, then tracking, then the parent's credential error,
 * then its own. */
#define DERIVED(c) (RAISED(c, CO_COMPANY_INACTIVE) -> C_COMPANY_INACTIVE : (RAISED(c, CO_DEACTIVATED) -> C_DEACTIVATED : operational[c]))
#define ACCOUNT_DERIVED(c, i) (company_inactive -> A_COMPANY_INACTIVE : (tracking[i] == T_DISABLED -> A_CUSTOMER_NOT_TRACKED : (CREDENTIAL_ERROR(operational[c]) -> A_WORKFLOW_NOT_ACCESSIBLE : account_own[i])))

/* A pull of account i of connection c the spec forbids, before the step: a terminal
 * or untracked account, or a stopped parent. */
#define PULL_FORBIDDEN(c, i) (step_account[i] == A_OLD_ACCOUNT || step_account[i] == A_DUPLICATE || step_account[i] == A_CUSTOMER_NOT_TRACKED || FORBIDS_CHECK(step_shown[c]) || step_account[i] == A_COMPANY_INACTIVE)

/* The scheduler pulls account i of connection c: after this week's check ended
 * CONNECTED, while the connection and the account are collected (before the step). */
#define PULL_DUE(c, i) (logged_in[c] && CONNECTION_COLLECTED(c) && ACCOUNT_COLLECTED(step_account[i]))

/* Target::Status(s): the lifecycle moves; a check ends the fresh cycle. */
inline enter_status(c, e, s) {
  operational[c] = s;
  if
  :: IS_CHECK(e) -> cycle_pending[c] = 0
  :: else -> skip
  fi
}

/* Target::Overlay(Raise(o)): the overlay covers what is below; it stays underneath. */
inline raise_overlay(c, o) {
  overlays[c] = overlays[c] | (1 << (o))
}

/* Target::Overlay(Lift(o)): what the overlay covered shows again (history), and
 * collection resumes with a fresh cycle. */
inline lift_overlay(c, o) {
  overlays[c] = overlays[c] & ~(1 << (o));
  cycle_pending[c] = 1
}

/* One inline per connection event: its allowed cells (CONNECTION_ALLOWS_e guards
 * the call), then the edge taken is noted for the end of the step. */
#define CONNECTION_ALLOWS_AuthSucceeded(s) ((s) == C_PENDING)
inline connection_AuthSucceeded(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> enter_status(c, CE_AuthSucceeded, C_CONNECTED)
  fi;
  c_event[c] = CE_AuthSucceeded;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_BadCredentials(s) ((s) == C_PENDING)
inline connection_BadCredentials(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> enter_status(c, CE_BadCredentials, C_PASSWORD_INCORRECT)
  fi;
  c_event[c] = CE_BadCredentials;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_MfaRequired(s) ((s) == C_PENDING)
inline connection_MfaRequired(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> enter_status(c, CE_MfaRequired, C_MFA_TOKEN_EXPIRED)
  fi;
  c_event[c] = CE_MfaRequired;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_ProviderUnavailable(s) ((s) == C_PENDING || (s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_ProviderUnavailable(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> enter_status(c, CE_ProviderUnavailable, C_WEBSITE_DOWN)
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_ProviderUnavailable, C_WEBSITE_DOWN)
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_ProviderUnavailable, C_WEBSITE_DOWN)
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_ProviderUnavailable, C_WEBSITE_DOWN)
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_ProviderUnavailable, C_WEBSITE_DOWN)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_ProviderUnavailable, C_WEBSITE_DOWN)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_ProviderUnavailable, C_WEBSITE_DOWN)
  fi;
  c_event[c] = CE_ProviderUnavailable;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_UnexpectedFailure(s) ((s) == C_PENDING || (s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_UnexpectedFailure(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> enter_status(c, CE_UnexpectedFailure, C_OTHER_ERROR)
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_UnexpectedFailure, C_OTHER_ERROR)
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_UnexpectedFailure, C_OTHER_ERROR)
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_UnexpectedFailure, C_OTHER_ERROR)
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_UnexpectedFailure, C_OTHER_ERROR)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_UnexpectedFailure, C_OTHER_ERROR)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_UnexpectedFailure, C_OTHER_ERROR)
  fi;
  c_event[c] = CE_UnexpectedFailure;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_WeeklyCheckPassed(s) ((s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_OTHER_ERROR)
inline connection_WeeklyCheckPassed(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_WeeklyCheckPassed, C_CONNECTED)
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_WeeklyCheckPassed, C_CONNECTED)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_WeeklyCheckPassed, C_CONNECTED)
  fi;
  c_event[c] = CE_WeeklyCheckPassed;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_PasswordChanged(s) ((s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_PasswordChanged(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_PasswordChanged, C_PASSWORD_INCORRECT)
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_PasswordChanged, C_PASSWORD_INCORRECT)
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_PasswordChanged, C_PASSWORD_INCORRECT)
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_PasswordChanged, C_PASSWORD_INCORRECT)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_PasswordChanged, C_PASSWORD_INCORRECT)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_PasswordChanged, C_PASSWORD_INCORRECT)
  fi;
  c_event[c] = CE_PasswordChanged;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_MfaSessionExpired(s) ((s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_MfaSessionExpired(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_MfaSessionExpired, C_MFA_TOKEN_EXPIRED)
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_MfaSessionExpired, C_MFA_TOKEN_EXPIRED)
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_MfaSessionExpired, C_MFA_TOKEN_EXPIRED)
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_MfaSessionExpired, C_MFA_TOKEN_EXPIRED)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_MfaSessionExpired, C_MFA_TOKEN_EXPIRED)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_MfaSessionExpired, C_MFA_TOKEN_EXPIRED)
  fi;
  c_event[c] = CE_MfaSessionExpired;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_ProviderRequiresReset(s) ((s) == C_PENDING || (s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_ProviderRequiresReset(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> enter_status(c, CE_ProviderRequiresReset, C_NEW_PASSWORD_NEEDED)
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_ProviderRequiresReset, C_NEW_PASSWORD_NEEDED)
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_ProviderRequiresReset, C_NEW_PASSWORD_NEEDED)
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_ProviderRequiresReset, C_NEW_PASSWORD_NEEDED)
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_ProviderRequiresReset, C_NEW_PASSWORD_NEEDED)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_ProviderRequiresReset, C_NEW_PASSWORD_NEEDED)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_ProviderRequiresReset, C_NEW_PASSWORD_NEEDED)
  fi;
  c_event[c] = CE_ProviderRequiresReset;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_AccountsRemoved(s) ((s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_AccountsRemoved(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_AccountsRemoved, C_NO_ACCOUNTS_FOUND)
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_AccountsRemoved, C_NO_ACCOUNTS_FOUND)
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_AccountsRemoved, C_NO_ACCOUNTS_FOUND)
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_AccountsRemoved, C_NO_ACCOUNTS_FOUND)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_AccountsRemoved, C_NO_ACCOUNTS_FOUND)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_AccountsRemoved, C_NO_ACCOUNTS_FOUND)
  fi;
  c_event[c] = CE_AccountsRemoved;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_NectarReviewing(s) ((s) == C_CONNECTED)
inline connection_NectarReviewing(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_NectarReviewing, C_UNDER_INVESTIGATION)
  fi;
  c_event[c] = CE_NectarReviewing;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_CredentialsUpdated(s) ((s) == C_PASSWORD_INCORRECT)
inline connection_CredentialsUpdated(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PASSWORD_INCORRECT -> enter_status(c, CE_CredentialsUpdated, C_CONNECTED)
  fi;
  c_event[c] = CE_CredentialsUpdated;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_MfaCompleted(s) ((s) == C_MFA_TOKEN_EXPIRED)
inline connection_MfaCompleted(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_MFA_TOKEN_EXPIRED -> enter_status(c, CE_MfaCompleted, C_CONNECTED)
  fi;
  c_event[c] = CE_MfaCompleted;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_PasswordReset(s) ((s) == C_NEW_PASSWORD_NEEDED)
inline connection_PasswordReset(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_NEW_PASSWORD_NEEDED -> enter_status(c, CE_PasswordReset, C_CONNECTED)
  fi;
  c_event[c] = CE_PasswordReset;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_InfoProvided(s) ((s) == C_ADDITIONAL_CREDENTIALS_NEEDED)
inline connection_InfoProvided(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_ADDITIONAL_CREDENTIALS_NEEDED -> enter_status(c, CE_InfoProvided, C_CONNECTED)
  fi;
  c_event[c] = CE_InfoProvided;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_ProviderBackOnline(s) ((s) == C_WEBSITE_DOWN)
inline connection_ProviderBackOnline(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_ProviderBackOnline, C_CONNECTED)
  fi;
  c_event[c] = CE_ProviderBackOnline;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_AccountsFound(s) ((s) == C_NO_ACCOUNTS_FOUND)
inline connection_AccountsFound(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_AccountsFound, C_CONNECTED)
  fi;
  c_event[c] = CE_AccountsFound;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_IssueResolved(s) ((s) == C_UNDER_INVESTIGATION || (s) == C_OTHER_ERROR)
inline connection_IssueResolved(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_IssueResolved, C_CONNECTED)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_IssueResolved, C_CONNECTED)
  fi;
  c_event[c] = CE_IssueResolved;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_Escalated(s) ((s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_Escalated(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_Escalated, C_UNDER_INVESTIGATION)
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_Escalated, C_UNDER_INVESTIGATION)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_Escalated, C_UNDER_INVESTIGATION)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_Escalated, C_UNDER_INVESTIGATION)
  fi;
  c_event[c] = CE_Escalated;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_NoAccountsFound(s) ((s) == C_PENDING)
inline connection_NoAccountsFound(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> enter_status(c, CE_NoAccountsFound, C_NO_ACCOUNTS_FOUND)
  fi;
  c_event[c] = CE_NoAccountsFound;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_AdditionalVerificationRequired(s) ((s) == C_PENDING || (s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_AdditionalVerificationRequired(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> enter_status(c, CE_AdditionalVerificationRequired, C_ADDITIONAL_CREDENTIALS_NEEDED)
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_AdditionalVerificationRequired, C_ADDITIONAL_CREDENTIALS_NEEDED)
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_AdditionalVerificationRequired, C_ADDITIONAL_CREDENTIALS_NEEDED)
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_AdditionalVerificationRequired, C_ADDITIONAL_CREDENTIALS_NEEDED)
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_AdditionalVerificationRequired, C_ADDITIONAL_CREDENTIALS_NEEDED)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_AdditionalVerificationRequired, C_ADDITIONAL_CREDENTIALS_NEEDED)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_AdditionalVerificationRequired, C_ADDITIONAL_CREDENTIALS_NEEDED)
  fi;
  c_event[c] = CE_AdditionalVerificationRequired;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_UrlUnreachable(s) ((s) == C_PENDING || (s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_UrlUnreachable(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> enter_status(c, CE_UrlUnreachable, C_URL_INACCESSIBLE)
  :: c_from[c] == C_CONNECTED -> enter_status(c, CE_UrlUnreachable, C_URL_INACCESSIBLE)
  :: c_from[c] == C_UNDER_INVESTIGATION -> enter_status(c, CE_UrlUnreachable, C_URL_INACCESSIBLE)
  :: c_from[c] == C_WEBSITE_DOWN -> enter_status(c, CE_UrlUnreachable, C_URL_INACCESSIBLE)
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_UrlUnreachable, C_URL_INACCESSIBLE)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> enter_status(c, CE_UrlUnreachable, C_URL_INACCESSIBLE)
  :: c_from[c] == C_OTHER_ERROR -> enter_status(c, CE_UrlUnreachable, C_URL_INACCESSIBLE)
  fi;
  c_event[c] = CE_UrlUnreachable;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_UrlReachable(s) ((s) == C_URL_INACCESSIBLE)
inline connection_UrlReachable(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_URL_INACCESSIBLE -> enter_status(c, CE_UrlReachable, C_CONNECTED)
  fi;
  c_event[c] = CE_UrlReachable;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_Deactivate(s) ((s) == C_PENDING || (s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_PASSWORD_INCORRECT || (s) == C_MFA_TOKEN_EXPIRED || (s) == C_NEW_PASSWORD_NEEDED || (s) == C_ADDITIONAL_CREDENTIALS_NEEDED || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR)
inline connection_Deactivate(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_CONNECTED -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_UNDER_INVESTIGATION -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_PASSWORD_INCORRECT -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_MFA_TOKEN_EXPIRED -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_NEW_PASSWORD_NEEDED -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_ADDITIONAL_CREDENTIALS_NEEDED -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_WEBSITE_DOWN -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_URL_INACCESSIBLE -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> raise_overlay(c, CO_DEACTIVATED)
  :: c_from[c] == C_OTHER_ERROR -> raise_overlay(c, CO_DEACTIVATED)
  fi;
  c_event[c] = CE_Deactivate;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_Activate(s) ((s) == C_DEACTIVATED)
inline connection_Activate(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_DEACTIVATED -> lift_overlay(c, CO_DEACTIVATED)
  fi;
  c_event[c] = CE_Activate;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_CompanyDeactivated(s) ((s) == C_PENDING || (s) == C_CONNECTED || (s) == C_UNDER_INVESTIGATION || (s) == C_PASSWORD_INCORRECT || (s) == C_MFA_TOKEN_EXPIRED || (s) == C_NEW_PASSWORD_NEEDED || (s) == C_ADDITIONAL_CREDENTIALS_NEEDED || (s) == C_WEBSITE_DOWN || (s) == C_URL_INACCESSIBLE || (s) == C_NO_ACCOUNTS_FOUND || (s) == C_OTHER_ERROR || (s) == C_DEACTIVATED)
inline connection_CompanyDeactivated(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_PENDING -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_CONNECTED -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_UNDER_INVESTIGATION -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_PASSWORD_INCORRECT -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_MFA_TOKEN_EXPIRED -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_NEW_PASSWORD_NEEDED -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_ADDITIONAL_CREDENTIALS_NEEDED -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_WEBSITE_DOWN -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_URL_INACCESSIBLE -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_NO_ACCOUNTS_FOUND -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_OTHER_ERROR -> raise_overlay(c, CO_COMPANY_INACTIVE)
  :: c_from[c] == C_DEACTIVATED -> raise_overlay(c, CO_COMPANY_INACTIVE)
  fi;
  c_event[c] = CE_CompanyDeactivated;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}
#define CONNECTION_ALLOWS_CompanyReactivated(s) ((s) == C_COMPANY_INACTIVE)
inline connection_CompanyReactivated(c) {
  c_from[c] = VISIBLE(c);
  if
  :: c_from[c] == C_COMPANY_INACTIVE -> lift_overlay(c, CO_COMPANY_INACTIVE)
  fi;
  c_event[c] = CE_CompanyReactivated;
  c_to[c] = VISIBLE(c);
  c_moved[c] = 1
}

/* One inline per account event, on account i: the rule's overlay change from its
 * allowed cells (ACCOUNT_ALLOWS_e guards the call), what the event does to the
 * tracking and the own status, then the edge taken is queued. */
#define ACCOUNT_ALLOWS_Confirmed(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_WORKFLOW_NOT_ACCESSIBLE || (s) == A_OTHER_ERROR || (s) == A_OLD_ACCOUNT || (s) == A_DUPLICATE || (s) == A_CUSTOMER_NOT_TRACKED)
inline account_Confirmed(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> skip
  :: a_from == A_ONBOARDED -> skip
  :: a_from == A_PULL_COMPLETED -> skip
  :: a_from == A_NO_DOCUMENTS_FOUND -> skip
  :: a_from == A_PDF_DOWNLOAD_FAILED -> skip
  :: a_from == A_ACCOUNT_NOT_FOUND -> skip
  :: a_from == A_WORKFLOW_NOT_ACCESSIBLE -> skip
  :: a_from == A_OTHER_ERROR -> skip
  :: a_from == A_OLD_ACCOUNT -> skip
  :: a_from == A_DUPLICATE -> skip
  :: a_from == A_CUSTOMER_NOT_TRACKED -> account_overlays[i] = account_overlays[i] & ~(1 << AO_CUSTOMER_NOT_TRACKED)
  fi;
  tracking[i] = T_ENABLED;
  if
  :: account_own[i] == A_DETECTED -> account_own[i] = A_ONBOARDED
  :: else -> skip
  fi;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_Confirmed;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_Rejected(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_WORKFLOW_NOT_ACCESSIBLE || (s) == A_OTHER_ERROR || (s) == A_OLD_ACCOUNT || (s) == A_DUPLICATE)
inline account_Rejected(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  :: a_from == A_ONBOARDED -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  :: a_from == A_PULL_COMPLETED -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  :: a_from == A_NO_DOCUMENTS_FOUND -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  :: a_from == A_PDF_DOWNLOAD_FAILED -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  :: a_from == A_ACCOUNT_NOT_FOUND -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  :: a_from == A_WORKFLOW_NOT_ACCESSIBLE -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  :: a_from == A_OTHER_ERROR -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  :: a_from == A_OLD_ACCOUNT -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  :: a_from == A_DUPLICATE -> account_overlays[i] = account_overlays[i] | (1 << AO_CUSTOMER_NOT_TRACKED)
  fi;
  tracking[i] = T_DISABLED;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_Rejected;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_PullCompleted(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_OTHER_ERROR)
inline account_PullCompleted(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> skip
  :: a_from == A_ONBOARDED -> skip
  :: a_from == A_PULL_COMPLETED -> skip
  :: a_from == A_NO_DOCUMENTS_FOUND -> skip
  :: a_from == A_PDF_DOWNLOAD_FAILED -> skip
  :: a_from == A_ACCOUNT_NOT_FOUND -> skip
  :: a_from == A_OTHER_ERROR -> skip
  fi;
  account_own[i] = A_PULL_COMPLETED;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_PullCompleted;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_NoDocumentsFound(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_OTHER_ERROR)
inline account_NoDocumentsFound(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> skip
  :: a_from == A_ONBOARDED -> skip
  :: a_from == A_PULL_COMPLETED -> skip
  :: a_from == A_NO_DOCUMENTS_FOUND -> skip
  :: a_from == A_PDF_DOWNLOAD_FAILED -> skip
  :: a_from == A_ACCOUNT_NOT_FOUND -> skip
  :: a_from == A_OTHER_ERROR -> skip
  fi;
  account_own[i] = A_NO_DOCUMENTS_FOUND;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_NoDocumentsFound;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_PdfDownloadFailed(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_OTHER_ERROR)
inline account_PdfDownloadFailed(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> skip
  :: a_from == A_ONBOARDED -> skip
  :: a_from == A_PULL_COMPLETED -> skip
  :: a_from == A_NO_DOCUMENTS_FOUND -> skip
  :: a_from == A_PDF_DOWNLOAD_FAILED -> skip
  :: a_from == A_ACCOUNT_NOT_FOUND -> skip
  :: a_from == A_OTHER_ERROR -> skip
  fi;
  account_own[i] = A_PDF_DOWNLOAD_FAILED;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_PdfDownloadFailed;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_AccountNotFound(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_OTHER_ERROR)
inline account_AccountNotFound(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> skip
  :: a_from == A_ONBOARDED -> skip
  :: a_from == A_PULL_COMPLETED -> skip
  :: a_from == A_NO_DOCUMENTS_FOUND -> skip
  :: a_from == A_PDF_DOWNLOAD_FAILED -> skip
  :: a_from == A_ACCOUNT_NOT_FOUND -> skip
  :: a_from == A_OTHER_ERROR -> skip
  fi;
  account_own[i] = A_ACCOUNT_NOT_FOUND;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_AccountNotFound;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_CollectionFailed(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_OTHER_ERROR)
inline account_CollectionFailed(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> skip
  :: a_from == A_ONBOARDED -> skip
  :: a_from == A_PULL_COMPLETED -> skip
  :: a_from == A_NO_DOCUMENTS_FOUND -> skip
  :: a_from == A_PDF_DOWNLOAD_FAILED -> skip
  :: a_from == A_ACCOUNT_NOT_FOUND -> skip
  :: a_from == A_OTHER_ERROR -> skip
  fi;
  account_own[i] = A_OTHER_ERROR;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_CollectionFailed;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_ClosedByUtility(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_OTHER_ERROR)
inline account_ClosedByUtility(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> skip
  :: a_from == A_ONBOARDED -> skip
  :: a_from == A_PULL_COMPLETED -> skip
  :: a_from == A_NO_DOCUMENTS_FOUND -> skip
  :: a_from == A_PDF_DOWNLOAD_FAILED -> skip
  :: a_from == A_ACCOUNT_NOT_FOUND -> skip
  :: a_from == A_OTHER_ERROR -> skip
  fi;
  account_own[i] = A_OLD_ACCOUNT;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_ClosedByUtility;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_MarkedDuplicate(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_OTHER_ERROR)
inline account_MarkedDuplicate(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> skip
  :: a_from == A_ONBOARDED -> skip
  :: a_from == A_PULL_COMPLETED -> skip
  :: a_from == A_NO_DOCUMENTS_FOUND -> skip
  :: a_from == A_PDF_DOWNLOAD_FAILED -> skip
  :: a_from == A_ACCOUNT_NOT_FOUND -> skip
  :: a_from == A_OTHER_ERROR -> skip
  fi;
  account_own[i] = A_DUPLICATE;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_MarkedDuplicate;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_ParentBlocked(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_OTHER_ERROR || (s) == A_OLD_ACCOUNT || (s) == A_DUPLICATE)
inline account_ParentBlocked(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> account_overlays[i] = account_overlays[i] | (1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  :: a_from == A_ONBOARDED -> account_overlays[i] = account_overlays[i] | (1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  :: a_from == A_PULL_COMPLETED -> account_overlays[i] = account_overlays[i] | (1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  :: a_from == A_NO_DOCUMENTS_FOUND -> account_overlays[i] = account_overlays[i] | (1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  :: a_from == A_PDF_DOWNLOAD_FAILED -> account_overlays[i] = account_overlays[i] | (1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  :: a_from == A_ACCOUNT_NOT_FOUND -> account_overlays[i] = account_overlays[i] | (1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  :: a_from == A_OTHER_ERROR -> account_overlays[i] = account_overlays[i] | (1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  :: a_from == A_OLD_ACCOUNT -> account_overlays[i] = account_overlays[i] | (1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  :: a_from == A_DUPLICATE -> account_overlays[i] = account_overlays[i] | (1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  fi;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_ParentBlocked;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_ParentRecovered(s) ((s) == A_WORKFLOW_NOT_ACCESSIBLE)
inline account_ParentRecovered(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_WORKFLOW_NOT_ACCESSIBLE -> account_overlays[i] = account_overlays[i] & ~(1 << AO_WORKFLOW_NOT_ACCESSIBLE)
  fi;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_ParentRecovered;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_CompanyDeactivated(s) ((s) == A_DETECTED || (s) == A_ONBOARDED || (s) == A_PULL_COMPLETED || (s) == A_NO_DOCUMENTS_FOUND || (s) == A_PDF_DOWNLOAD_FAILED || (s) == A_ACCOUNT_NOT_FOUND || (s) == A_WORKFLOW_NOT_ACCESSIBLE || (s) == A_OTHER_ERROR || (s) == A_OLD_ACCOUNT || (s) == A_DUPLICATE || (s) == A_CUSTOMER_NOT_TRACKED)
inline account_CompanyDeactivated(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_DETECTED -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_ONBOARDED -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_PULL_COMPLETED -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_NO_DOCUMENTS_FOUND -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_PDF_DOWNLOAD_FAILED -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_ACCOUNT_NOT_FOUND -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_WORKFLOW_NOT_ACCESSIBLE -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_OTHER_ERROR -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_OLD_ACCOUNT -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_DUPLICATE -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  :: a_from == A_CUSTOMER_NOT_TRACKED -> account_overlays[i] = account_overlays[i] | (1 << AO_COMPANY_INACTIVE)
  fi;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_CompanyDeactivated;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}
#define ACCOUNT_ALLOWS_CompanyReactivated(s) ((s) == A_COMPANY_INACTIVE)
inline account_CompanyReactivated(i) {
  a_from = ACCOUNT_VISIBLE(i);
  if
  :: a_from == A_COMPANY_INACTIVE -> account_overlays[i] = account_overlays[i] & ~(1 << AO_COMPANY_INACTIVE)
  fi;
  q_from[q_n] = a_from;
  q_event[q_n] = AE_CompanyReactivated;
  q_to[q_n] = ACCOUNT_VISIBLE(i);
  q_n++
}

/* Account i follows its parent c (Account::follow_parent): lift the company overlay
 * first, so that the parent's state shows beneath it; then the parent's credential
 * error; raise the company overlay last. A change the table does not allow from the
 * visible status (a higher overlay covers it) is not made. */
inline follow_parent(c, i) {
  if
  :: !RAISED(c, CO_COMPANY_INACTIVE) && ACCOUNT_RAISED(i, AO_COMPANY_INACTIVE) && ACCOUNT_ALLOWS_CompanyReactivated(ACCOUNT_VISIBLE(i)) -> account_CompanyReactivated(i)
  :: else -> skip
  fi;
  if
  :: CREDENTIAL_ERROR(operational[c]) && !ACCOUNT_RAISED(i, AO_WORKFLOW_NOT_ACCESSIBLE) && ACCOUNT_ALLOWS_ParentBlocked(ACCOUNT_VISIBLE(i)) -> account_ParentBlocked(i)
  :: !CREDENTIAL_ERROR(operational[c]) && ACCOUNT_RAISED(i, AO_WORKFLOW_NOT_ACCESSIBLE) && ACCOUNT_ALLOWS_ParentRecovered(ACCOUNT_VISIBLE(i)) -> account_ParentRecovered(i)
  :: else -> skip
  fi;
  if
  :: RAISED(c, CO_COMPANY_INACTIVE) && !ACCOUNT_RAISED(i, AO_COMPANY_INACTIVE) && ACCOUNT_ALLOWS_CompanyDeactivated(ACCOUNT_VISIBLE(i)) -> account_CompanyDeactivated(i)
  :: else -> skip
  fi
}

/* The edges the step took, each recorded by a statement of its own
 * (`connection_edge = K`, `account_edge = K`, K its index in the table's edges),
 * looked up by the status it left, then by the event and the status entered; a step
 * that took no edge of the table fails. */
inline record_edges() {
  scan = 0;
  do
  :: scan < 2 ->
    if
    :: !c_moved[scan] -> skip
    :: else ->
      if
      :: c_from[scan] == C_PENDING ->
         if
         :: c_event[scan] == CE_AuthSucceeded && c_to[scan] == C_CONNECTED -> connection_edge = 0
         :: c_event[scan] == CE_BadCredentials && c_to[scan] == C_PASSWORD_INCORRECT -> connection_edge = 1
         :: c_event[scan] == CE_MfaRequired && c_to[scan] == C_MFA_TOKEN_EXPIRED -> connection_edge = 2
         :: c_event[scan] == CE_ProviderUnavailable && c_to[scan] == C_WEBSITE_DOWN -> connection_edge = 3
         :: c_event[scan] == CE_UnexpectedFailure && c_to[scan] == C_OTHER_ERROR -> connection_edge = 4
         :: c_event[scan] == CE_ProviderRequiresReset && c_to[scan] == C_NEW_PASSWORD_NEEDED -> connection_edge = 5
         :: c_event[scan] == CE_NoAccountsFound && c_to[scan] == C_NO_ACCOUNTS_FOUND -> connection_edge = 6
         :: c_event[scan] == CE_AdditionalVerificationRequired && c_to[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_edge = 7
         :: c_event[scan] == CE_UrlUnreachable && c_to[scan] == C_URL_INACCESSIBLE -> connection_edge = 8
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 9
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 10
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_CONNECTED ->
         if
         :: c_event[scan] == CE_ProviderUnavailable && c_to[scan] == C_WEBSITE_DOWN -> connection_edge = 11
         :: c_event[scan] == CE_UnexpectedFailure && c_to[scan] == C_OTHER_ERROR -> connection_edge = 12
         :: c_event[scan] == CE_WeeklyCheckPassed && c_to[scan] == C_CONNECTED -> connection_edge = 13
         :: c_event[scan] == CE_PasswordChanged && c_to[scan] == C_PASSWORD_INCORRECT -> connection_edge = 14
         :: c_event[scan] == CE_MfaSessionExpired && c_to[scan] == C_MFA_TOKEN_EXPIRED -> connection_edge = 15
         :: c_event[scan] == CE_ProviderRequiresReset && c_to[scan] == C_NEW_PASSWORD_NEEDED -> connection_edge = 16
         :: c_event[scan] == CE_AccountsRemoved && c_to[scan] == C_NO_ACCOUNTS_FOUND -> connection_edge = 17
         :: c_event[scan] == CE_NectarReviewing && c_to[scan] == C_UNDER_INVESTIGATION -> connection_edge = 18
         :: c_event[scan] == CE_AdditionalVerificationRequired && c_to[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_edge = 19
         :: c_event[scan] == CE_UrlUnreachable && c_to[scan] == C_URL_INACCESSIBLE -> connection_edge = 20
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 21
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 22
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_UNDER_INVESTIGATION ->
         if
         :: c_event[scan] == CE_ProviderUnavailable && c_to[scan] == C_WEBSITE_DOWN -> connection_edge = 23
         :: c_event[scan] == CE_UnexpectedFailure && c_to[scan] == C_OTHER_ERROR -> connection_edge = 24
         :: c_event[scan] == CE_WeeklyCheckPassed && c_to[scan] == C_CONNECTED -> connection_edge = 25
         :: c_event[scan] == CE_PasswordChanged && c_to[scan] == C_PASSWORD_INCORRECT -> connection_edge = 26
         :: c_event[scan] == CE_MfaSessionExpired && c_to[scan] == C_MFA_TOKEN_EXPIRED -> connection_edge = 27
         :: c_event[scan] == CE_ProviderRequiresReset && c_to[scan] == C_NEW_PASSWORD_NEEDED -> connection_edge = 28
         :: c_event[scan] == CE_AccountsRemoved && c_to[scan] == C_NO_ACCOUNTS_FOUND -> connection_edge = 29
         :: c_event[scan] == CE_IssueResolved && c_to[scan] == C_CONNECTED -> connection_edge = 30
         :: c_event[scan] == CE_AdditionalVerificationRequired && c_to[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_edge = 31
         :: c_event[scan] == CE_UrlUnreachable && c_to[scan] == C_URL_INACCESSIBLE -> connection_edge = 32
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 33
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 34
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_PASSWORD_INCORRECT ->
         if
         :: c_event[scan] == CE_CredentialsUpdated && c_to[scan] == C_CONNECTED -> connection_edge = 35
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 36
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 37
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_MFA_TOKEN_EXPIRED ->
         if
         :: c_event[scan] == CE_MfaCompleted && c_to[scan] == C_CONNECTED -> connection_edge = 38
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 39
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 40
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_NEW_PASSWORD_NEEDED ->
         if
         :: c_event[scan] == CE_PasswordReset && c_to[scan] == C_CONNECTED -> connection_edge = 41
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 42
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 43
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED ->
         if
         :: c_event[scan] == CE_InfoProvided && c_to[scan] == C_CONNECTED -> connection_edge = 44
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 45
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 46
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_WEBSITE_DOWN ->
         if
         :: c_event[scan] == CE_ProviderUnavailable && c_to[scan] == C_WEBSITE_DOWN -> connection_edge = 47
         :: c_event[scan] == CE_UnexpectedFailure && c_to[scan] == C_OTHER_ERROR -> connection_edge = 48
         :: c_event[scan] == CE_PasswordChanged && c_to[scan] == C_PASSWORD_INCORRECT -> connection_edge = 49
         :: c_event[scan] == CE_MfaSessionExpired && c_to[scan] == C_MFA_TOKEN_EXPIRED -> connection_edge = 50
         :: c_event[scan] == CE_ProviderRequiresReset && c_to[scan] == C_NEW_PASSWORD_NEEDED -> connection_edge = 51
         :: c_event[scan] == CE_AccountsRemoved && c_to[scan] == C_NO_ACCOUNTS_FOUND -> connection_edge = 52
         :: c_event[scan] == CE_ProviderBackOnline && c_to[scan] == C_CONNECTED -> connection_edge = 53
         :: c_event[scan] == CE_Escalated && c_to[scan] == C_UNDER_INVESTIGATION -> connection_edge = 54
         :: c_event[scan] == CE_AdditionalVerificationRequired && c_to[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_edge = 55
         :: c_event[scan] == CE_UrlUnreachable && c_to[scan] == C_URL_INACCESSIBLE -> connection_edge = 56
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 57
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 58
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_URL_INACCESSIBLE ->
         if
         :: c_event[scan] == CE_ProviderUnavailable && c_to[scan] == C_WEBSITE_DOWN -> connection_edge = 59
         :: c_event[scan] == CE_UnexpectedFailure && c_to[scan] == C_OTHER_ERROR -> connection_edge = 60
         :: c_event[scan] == CE_PasswordChanged && c_to[scan] == C_PASSWORD_INCORRECT -> connection_edge = 61
         :: c_event[scan] == CE_MfaSessionExpired && c_to[scan] == C_MFA_TOKEN_EXPIRED -> connection_edge = 62
         :: c_event[scan] == CE_ProviderRequiresReset && c_to[scan] == C_NEW_PASSWORD_NEEDED -> connection_edge = 63
         :: c_event[scan] == CE_AccountsRemoved && c_to[scan] == C_NO_ACCOUNTS_FOUND -> connection_edge = 64
         :: c_event[scan] == CE_Escalated && c_to[scan] == C_UNDER_INVESTIGATION -> connection_edge = 65
         :: c_event[scan] == CE_AdditionalVerificationRequired && c_to[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_edge = 66
         :: c_event[scan] == CE_UrlUnreachable && c_to[scan] == C_URL_INACCESSIBLE -> connection_edge = 67
         :: c_event[scan] == CE_UrlReachable && c_to[scan] == C_CONNECTED -> connection_edge = 68
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 69
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 70
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_NO_ACCOUNTS_FOUND ->
         if
         :: c_event[scan] == CE_ProviderUnavailable && c_to[scan] == C_WEBSITE_DOWN -> connection_edge = 71
         :: c_event[scan] == CE_UnexpectedFailure && c_to[scan] == C_OTHER_ERROR -> connection_edge = 72
         :: c_event[scan] == CE_PasswordChanged && c_to[scan] == C_PASSWORD_INCORRECT -> connection_edge = 73
         :: c_event[scan] == CE_MfaSessionExpired && c_to[scan] == C_MFA_TOKEN_EXPIRED -> connection_edge = 74
         :: c_event[scan] == CE_ProviderRequiresReset && c_to[scan] == C_NEW_PASSWORD_NEEDED -> connection_edge = 75
         :: c_event[scan] == CE_AccountsRemoved && c_to[scan] == C_NO_ACCOUNTS_FOUND -> connection_edge = 76
         :: c_event[scan] == CE_AccountsFound && c_to[scan] == C_CONNECTED -> connection_edge = 77
         :: c_event[scan] == CE_Escalated && c_to[scan] == C_UNDER_INVESTIGATION -> connection_edge = 78
         :: c_event[scan] == CE_AdditionalVerificationRequired && c_to[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_edge = 79
         :: c_event[scan] == CE_UrlUnreachable && c_to[scan] == C_URL_INACCESSIBLE -> connection_edge = 80
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 81
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 82
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_OTHER_ERROR ->
         if
         :: c_event[scan] == CE_ProviderUnavailable && c_to[scan] == C_WEBSITE_DOWN -> connection_edge = 83
         :: c_event[scan] == CE_UnexpectedFailure && c_to[scan] == C_OTHER_ERROR -> connection_edge = 84
         :: c_event[scan] == CE_WeeklyCheckPassed && c_to[scan] == C_CONNECTED -> connection_edge = 85
         :: c_event[scan] == CE_PasswordChanged && c_to[scan] == C_PASSWORD_INCORRECT -> connection_edge = 86
         :: c_event[scan] == CE_MfaSessionExpired && c_to[scan] == C_MFA_TOKEN_EXPIRED -> connection_edge = 87
         :: c_event[scan] == CE_ProviderRequiresReset && c_to[scan] == C_NEW_PASSWORD_NEEDED -> connection_edge = 88
         :: c_event[scan] == CE_AccountsRemoved && c_to[scan] == C_NO_ACCOUNTS_FOUND -> connection_edge = 89
         :: c_event[scan] == CE_IssueResolved && c_to[scan] == C_CONNECTED -> connection_edge = 90
         :: c_event[scan] == CE_Escalated && c_to[scan] == C_UNDER_INVESTIGATION -> connection_edge = 91
         :: c_event[scan] == CE_AdditionalVerificationRequired && c_to[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_edge = 92
         :: c_event[scan] == CE_UrlUnreachable && c_to[scan] == C_URL_INACCESSIBLE -> connection_edge = 93
         :: c_event[scan] == CE_Deactivate && c_to[scan] == C_DEACTIVATED -> connection_edge = 94
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 95
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_COMPANY_INACTIVE ->
         if
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_PENDING -> connection_edge = 96
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_CONNECTED -> connection_edge = 97
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_UNDER_INVESTIGATION -> connection_edge = 98
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_PASSWORD_INCORRECT -> connection_edge = 99
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_MFA_TOKEN_EXPIRED -> connection_edge = 100
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_NEW_PASSWORD_NEEDED -> connection_edge = 101
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_edge = 102
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_WEBSITE_DOWN -> connection_edge = 103
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_URL_INACCESSIBLE -> connection_edge = 104
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_NO_ACCOUNTS_FOUND -> connection_edge = 105
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_OTHER_ERROR -> connection_edge = 106
         :: c_event[scan] == CE_CompanyReactivated && c_to[scan] == C_DEACTIVATED -> connection_edge = 107
         :: else -> assert(false)
         fi
      :: c_from[scan] == C_DEACTIVATED ->
         if
         :: c_event[scan] == CE_Activate && c_to[scan] == C_PENDING -> connection_edge = 108
         :: c_event[scan] == CE_Activate && c_to[scan] == C_CONNECTED -> connection_edge = 109
         :: c_event[scan] == CE_Activate && c_to[scan] == C_UNDER_INVESTIGATION -> connection_edge = 110
         :: c_event[scan] == CE_Activate && c_to[scan] == C_PASSWORD_INCORRECT -> connection_edge = 111
         :: c_event[scan] == CE_Activate && c_to[scan] == C_MFA_TOKEN_EXPIRED -> connection_edge = 112
         :: c_event[scan] == CE_Activate && c_to[scan] == C_NEW_PASSWORD_NEEDED -> connection_edge = 113
         :: c_event[scan] == CE_Activate && c_to[scan] == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_edge = 114
         :: c_event[scan] == CE_Activate && c_to[scan] == C_WEBSITE_DOWN -> connection_edge = 115
         :: c_event[scan] == CE_Activate && c_to[scan] == C_URL_INACCESSIBLE -> connection_edge = 116
         :: c_event[scan] == CE_Activate && c_to[scan] == C_NO_ACCOUNTS_FOUND -> connection_edge = 117
         :: c_event[scan] == CE_Activate && c_to[scan] == C_OTHER_ERROR -> connection_edge = 118
         :: c_event[scan] == CE_CompanyDeactivated && c_to[scan] == C_COMPANY_INACTIVE -> connection_edge = 119
         :: else -> assert(false)
         fi
      :: else -> assert(false) /* not an edge of the table */
      fi;
    fi;
    scan++
  :: else -> break
  od;
  scan = 0;
  do
  :: scan < q_n ->
    if
    :: q_from[scan] == A_DETECTED ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_ONBOARDED -> account_edge = 0
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 1
       :: q_event[scan] == AE_PullCompleted && q_to[scan] == A_PULL_COMPLETED -> account_edge = 2
       :: q_event[scan] == AE_NoDocumentsFound && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 3
       :: q_event[scan] == AE_PdfDownloadFailed && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 4
       :: q_event[scan] == AE_AccountNotFound && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 5
       :: q_event[scan] == AE_CollectionFailed && q_to[scan] == A_OTHER_ERROR -> account_edge = 6
       :: q_event[scan] == AE_ClosedByUtility && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 7
       :: q_event[scan] == AE_MarkedDuplicate && q_to[scan] == A_DUPLICATE -> account_edge = 8
       :: q_event[scan] == AE_ParentBlocked && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 9
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 10
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_ONBOARDED ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_ONBOARDED -> account_edge = 11
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 12
       :: q_event[scan] == AE_PullCompleted && q_to[scan] == A_PULL_COMPLETED -> account_edge = 13
       :: q_event[scan] == AE_NoDocumentsFound && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 14
       :: q_event[scan] == AE_PdfDownloadFailed && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 15
       :: q_event[scan] == AE_AccountNotFound && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 16
       :: q_event[scan] == AE_CollectionFailed && q_to[scan] == A_OTHER_ERROR -> account_edge = 17
       :: q_event[scan] == AE_ClosedByUtility && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 18
       :: q_event[scan] == AE_MarkedDuplicate && q_to[scan] == A_DUPLICATE -> account_edge = 19
       :: q_event[scan] == AE_ParentBlocked && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 20
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 21
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_PULL_COMPLETED ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_PULL_COMPLETED -> account_edge = 22
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 23
       :: q_event[scan] == AE_PullCompleted && q_to[scan] == A_PULL_COMPLETED -> account_edge = 24
       :: q_event[scan] == AE_NoDocumentsFound && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 25
       :: q_event[scan] == AE_PdfDownloadFailed && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 26
       :: q_event[scan] == AE_AccountNotFound && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 27
       :: q_event[scan] == AE_CollectionFailed && q_to[scan] == A_OTHER_ERROR -> account_edge = 28
       :: q_event[scan] == AE_ClosedByUtility && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 29
       :: q_event[scan] == AE_MarkedDuplicate && q_to[scan] == A_DUPLICATE -> account_edge = 30
       :: q_event[scan] == AE_ParentBlocked && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 31
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 32
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_NO_DOCUMENTS_FOUND ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 33
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 34
       :: q_event[scan] == AE_PullCompleted && q_to[scan] == A_PULL_COMPLETED -> account_edge = 35
       :: q_event[scan] == AE_NoDocumentsFound && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 36
       :: q_event[scan] == AE_PdfDownloadFailed && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 37
       :: q_event[scan] == AE_AccountNotFound && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 38
       :: q_event[scan] == AE_CollectionFailed && q_to[scan] == A_OTHER_ERROR -> account_edge = 39
       :: q_event[scan] == AE_ClosedByUtility && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 40
       :: q_event[scan] == AE_MarkedDuplicate && q_to[scan] == A_DUPLICATE -> account_edge = 41
       :: q_event[scan] == AE_ParentBlocked && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 42
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 43
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_PDF_DOWNLOAD_FAILED ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 44
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 45
       :: q_event[scan] == AE_PullCompleted && q_to[scan] == A_PULL_COMPLETED -> account_edge = 46
       :: q_event[scan] == AE_NoDocumentsFound && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 47
       :: q_event[scan] == AE_PdfDownloadFailed && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 48
       :: q_event[scan] == AE_AccountNotFound && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 49
       :: q_event[scan] == AE_CollectionFailed && q_to[scan] == A_OTHER_ERROR -> account_edge = 50
       :: q_event[scan] == AE_ClosedByUtility && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 51
       :: q_event[scan] == AE_MarkedDuplicate && q_to[scan] == A_DUPLICATE -> account_edge = 52
       :: q_event[scan] == AE_ParentBlocked && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 53
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 54
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_ACCOUNT_NOT_FOUND ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 55
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 56
       :: q_event[scan] == AE_PullCompleted && q_to[scan] == A_PULL_COMPLETED -> account_edge = 57
       :: q_event[scan] == AE_NoDocumentsFound && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 58
       :: q_event[scan] == AE_PdfDownloadFailed && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 59
       :: q_event[scan] == AE_AccountNotFound && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 60
       :: q_event[scan] == AE_CollectionFailed && q_to[scan] == A_OTHER_ERROR -> account_edge = 61
       :: q_event[scan] == AE_ClosedByUtility && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 62
       :: q_event[scan] == AE_MarkedDuplicate && q_to[scan] == A_DUPLICATE -> account_edge = 63
       :: q_event[scan] == AE_ParentBlocked && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 64
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 65
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_WORKFLOW_NOT_ACCESSIBLE ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 66
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 67
       :: q_event[scan] == AE_ParentRecovered && q_to[scan] == A_DETECTED -> account_edge = 68
       :: q_event[scan] == AE_ParentRecovered && q_to[scan] == A_ONBOARDED -> account_edge = 69
       :: q_event[scan] == AE_ParentRecovered && q_to[scan] == A_PULL_COMPLETED -> account_edge = 70
       :: q_event[scan] == AE_ParentRecovered && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 71
       :: q_event[scan] == AE_ParentRecovered && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 72
       :: q_event[scan] == AE_ParentRecovered && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 73
       :: q_event[scan] == AE_ParentRecovered && q_to[scan] == A_OTHER_ERROR -> account_edge = 74
       :: q_event[scan] == AE_ParentRecovered && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 75
       :: q_event[scan] == AE_ParentRecovered && q_to[scan] == A_DUPLICATE -> account_edge = 76
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 77
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_OTHER_ERROR ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_OTHER_ERROR -> account_edge = 78
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 79
       :: q_event[scan] == AE_PullCompleted && q_to[scan] == A_PULL_COMPLETED -> account_edge = 80
       :: q_event[scan] == AE_NoDocumentsFound && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 81
       :: q_event[scan] == AE_PdfDownloadFailed && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 82
       :: q_event[scan] == AE_AccountNotFound && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 83
       :: q_event[scan] == AE_CollectionFailed && q_to[scan] == A_OTHER_ERROR -> account_edge = 84
       :: q_event[scan] == AE_ClosedByUtility && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 85
       :: q_event[scan] == AE_MarkedDuplicate && q_to[scan] == A_DUPLICATE -> account_edge = 86
       :: q_event[scan] == AE_ParentBlocked && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 87
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 88
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_OLD_ACCOUNT ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 89
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 90
       :: q_event[scan] == AE_ParentBlocked && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 91
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 92
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_DUPLICATE ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_DUPLICATE -> account_edge = 93
       :: q_event[scan] == AE_Rejected && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 94
       :: q_event[scan] == AE_ParentBlocked && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 95
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 96
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_CUSTOMER_NOT_TRACKED ->
       if
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_ONBOARDED -> account_edge = 97
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_PULL_COMPLETED -> account_edge = 98
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 99
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 100
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 101
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 102
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_OTHER_ERROR -> account_edge = 103
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 104
       :: q_event[scan] == AE_Confirmed && q_to[scan] == A_DUPLICATE -> account_edge = 105
       :: q_event[scan] == AE_CompanyDeactivated && q_to[scan] == A_COMPANY_INACTIVE -> account_edge = 106
       :: else -> assert(false)
       fi
    :: q_from[scan] == A_COMPANY_INACTIVE ->
       if
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_DETECTED -> account_edge = 107
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_ONBOARDED -> account_edge = 108
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_PULL_COMPLETED -> account_edge = 109
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_NO_DOCUMENTS_FOUND -> account_edge = 110
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_PDF_DOWNLOAD_FAILED -> account_edge = 111
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_ACCOUNT_NOT_FOUND -> account_edge = 112
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_WORKFLOW_NOT_ACCESSIBLE -> account_edge = 113
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_OTHER_ERROR -> account_edge = 114
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_OLD_ACCOUNT -> account_edge = 115
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_DUPLICATE -> account_edge = 116
       :: q_event[scan] == AE_CompanyReactivated && q_to[scan] == A_CUSTOMER_NOT_TRACKED -> account_edge = 117
       :: else -> assert(false)
       fi
    :: else -> assert(false) /* not an edge of the table */
    fi;
    scan++
  :: else -> break
  od
}

/* The visible statuses after the step, each recorded by a statement of its own
 * (`connection_shown = K`, `account_shown = K`, K the status's index). */
inline record_statuses() {
  scan = 0;
  do
  :: scan < 2 ->
    scan_status = VISIBLE(scan);
    if
    :: scan_status == C_PENDING -> connection_shown = 0
    :: scan_status == C_CONNECTED -> connection_shown = 1
    :: scan_status == C_UNDER_INVESTIGATION -> connection_shown = 2
    :: scan_status == C_PASSWORD_INCORRECT -> connection_shown = 3
    :: scan_status == C_MFA_TOKEN_EXPIRED -> connection_shown = 4
    :: scan_status == C_NEW_PASSWORD_NEEDED -> connection_shown = 5
    :: scan_status == C_ADDITIONAL_CREDENTIALS_NEEDED -> connection_shown = 6
    :: scan_status == C_WEBSITE_DOWN -> connection_shown = 7
    :: scan_status == C_URL_INACCESSIBLE -> connection_shown = 8
    :: scan_status == C_NO_ACCOUNTS_FOUND -> connection_shown = 9
    :: scan_status == C_OTHER_ERROR -> connection_shown = 10
    :: scan_status == C_COMPANY_INACTIVE -> connection_shown = 11
    :: scan_status == C_DEACTIVATED -> connection_shown = 12
    fi;
    scan++
  :: else -> break
  od;
  scan = 0;
  do
  :: scan < 0 ->
    scan_status = ACCOUNT_VISIBLE(scan);
    if
    :: scan_status == A_DETECTED -> account_shown = 0
    :: scan_status == A_ONBOARDED -> account_shown = 1
    :: scan_status == A_PULL_COMPLETED -> account_shown = 2
    :: scan_status == A_NO_DOCUMENTS_FOUND -> account_shown = 3
    :: scan_status == A_PDF_DOWNLOAD_FAILED -> account_shown = 4
    :: scan_status == A_ACCOUNT_NOT_FOUND -> account_shown = 5
    :: scan_status == A_WORKFLOW_NOT_ACCESSIBLE -> account_shown = 6
    :: scan_status == A_OTHER_ERROR -> account_shown = 7
    :: scan_status == A_OLD_ACCOUNT -> account_shown = 8
    :: scan_status == A_DUPLICATE -> account_shown = 9
    :: scan_status == A_CUSTOMER_NOT_TRACKED -> account_shown = 10
    :: scan_status == A_COMPANY_INACTIVE -> account_shown = 11
    fi;
    scan++
  :: else -> break
  od
}

/* The invariants, after every step: the stateright model's seven (models/src/system.rs,
 * PROPERTIES), one the core enforces by construction, and one of the scheduler's
 * bookkeeping (which also keeps `logged_in` in the state vector when no pull reads
 * it: SPIN leaves write-only variables out). */
inline invariants() {
  assert(!pulled_terminal); /* a terminal account is never re-checked */
  assert(!pulled_untracked); /* an untracked account is never checked */
  assert(!checked_halted); /* a credential error is not checked until the user acts */
  assert(!checked_stopped); /* no check while deactivated or the company is inactive */
  assert(!restore_violated) /* activation restores the status held before deactivation */
  ;assert(VISIBLE(0) == DERIVED(0) && RAISED(0, CO_COMPANY_INACTIVE) == company_inactive) /* visible statuses are derived from the flags */
  ;assert(operational[0] != C_PENDING || cycle_pending[0]) /* a PENDING connection awaits its first check */
  ;assert(!logged_in[0] || checked[0]) /* the scheduler's bookkeeping: logged in after this week's check only */
  ;assert(VISIBLE(1) == DERIVED(1) && RAISED(1, CO_COMPANY_INACTIVE) == company_inactive) /* visible statuses are derived from the flags */
  ;assert(operational[1] != C_PENDING || cycle_pending[1]) /* a PENDING connection awaits its first check */
  ;assert(!logged_in[1] || checked[1]) /* the scheduler's bookkeeping: logged in after this week's check only */
}

/* One step: the choice of an action (one branch per action of the stateright model
 * that is possible), the accounts following their parent, the records, the
 * invariants. Atomic: pan stores states only between steps. The statuses the
 * guards read are those before the step. */
active proctype system() {
  do
  :: atomic {
    step_shown[0] = DERIVED(0); step_visible[0] = VISIBLE(0); step_before[0] = operational[0]; c_moved[0] = 0;
    step_shown[1] = DERIVED(1); step_visible[1] = VISIBLE(1); step_before[1] = operational[1]; c_moved[1] = 0;
    q_n = 0;
    if
    :: /* Tick: a week passes */ true -> checked[0] = 0; logged_in[0] = 0; checked[1] = 0; logged_in[1] = 0
    :: /* Check(0, AuthSucceeded) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, AuthSucceeded) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_AuthSucceeded(step_visible[0]) ->
         connection_AuthSucceeded(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, BadCredentials) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, BadCredentials) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_BadCredentials(step_visible[0]) ->
         connection_BadCredentials(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, MfaRequired) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, MfaRequired) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_MfaRequired(step_visible[0]) ->
         connection_MfaRequired(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, ProviderUnavailable) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, ProviderUnavailable) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_ProviderUnavailable(step_visible[0]) ->
         connection_ProviderUnavailable(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, UnexpectedFailure) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, UnexpectedFailure) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_UnexpectedFailure(step_visible[0]) ->
         connection_UnexpectedFailure(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, WeeklyCheckPassed) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, WeeklyCheckPassed) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_WeeklyCheckPassed(step_visible[0]) ->
         connection_WeeklyCheckPassed(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, PasswordChanged) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, PasswordChanged) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_PasswordChanged(step_visible[0]) ->
         connection_PasswordChanged(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, MfaSessionExpired) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, MfaSessionExpired) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_MfaSessionExpired(step_visible[0]) ->
         connection_MfaSessionExpired(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, ProviderRequiresReset) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, ProviderRequiresReset) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_ProviderRequiresReset(step_visible[0]) ->
         connection_ProviderRequiresReset(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, AccountsRemoved) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, AccountsRemoved) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_AccountsRemoved(step_visible[0]) ->
         connection_AccountsRemoved(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Act(0, NectarReviewing) */ CONNECTION_ALLOWS_NectarReviewing(step_visible[0]) -> connection_NectarReviewing(0)
    :: /* Act(0, CredentialsUpdated) */ CONNECTION_ALLOWS_CredentialsUpdated(step_visible[0]) -> connection_CredentialsUpdated(0)
    :: /* Act(0, MfaCompleted) */ CONNECTION_ALLOWS_MfaCompleted(step_visible[0]) -> connection_MfaCompleted(0)
    :: /* Act(0, PasswordReset) */ CONNECTION_ALLOWS_PasswordReset(step_visible[0]) -> connection_PasswordReset(0)
    :: /* Act(0, InfoProvided) */ CONNECTION_ALLOWS_InfoProvided(step_visible[0]) -> connection_InfoProvided(0)
    :: /* Check(0, ProviderBackOnline) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, ProviderBackOnline) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_ProviderBackOnline(step_visible[0]) ->
         connection_ProviderBackOnline(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, AccountsFound) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, AccountsFound) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_AccountsFound(step_visible[0]) ->
         connection_AccountsFound(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Act(0, IssueResolved) */ CONNECTION_ALLOWS_IssueResolved(step_visible[0]) -> connection_IssueResolved(0)
    :: /* Act(0, Escalated) */ CONNECTION_ALLOWS_Escalated(step_visible[0]) -> connection_Escalated(0)
    :: /* Check(0, NoAccountsFound) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, NoAccountsFound) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_NoAccountsFound(step_visible[0]) ->
         connection_NoAccountsFound(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, AdditionalVerificationRequired) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, AdditionalVerificationRequired) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_AdditionalVerificationRequired(step_visible[0]) ->
         connection_AdditionalVerificationRequired(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, UrlUnreachable) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, UrlUnreachable) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_UrlUnreachable(step_visible[0]) ->
         connection_UrlUnreachable(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Check(0, UrlReachable) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(0) && FORBIDS_CHECK(step_shown[0]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[0]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[0] = 1
    :: /* Check(0, UrlReachable) */ CONNECTION_DUE(0) && !FORBIDS_CHECK(step_shown[0]) && CONNECTION_ALLOWS_UrlReachable(step_visible[0]) ->
         connection_UrlReachable(0); checked[0] = 1; logged_in[0] = (c_to[0] == C_CONNECTED)
    :: /* Act(0, Deactivate) */ CONNECTION_ALLOWS_Deactivate(step_visible[0]) -> connection_Deactivate(0); held[0] = step_before[0]
    :: /* Act(0, Activate) */ CONNECTION_ALLOWS_Activate(step_visible[0]) -> connection_Activate(0)
         ; if
           :: held[0] != operational[0] -> restore_violated = 1
           :: else -> skip
           fi;
         held[0] = NO_STATUS
    :: /* Check(1, AuthSucceeded) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, AuthSucceeded) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_AuthSucceeded(step_visible[1]) ->
         connection_AuthSucceeded(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, BadCredentials) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, BadCredentials) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_BadCredentials(step_visible[1]) ->
         connection_BadCredentials(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, MfaRequired) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, MfaRequired) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_MfaRequired(step_visible[1]) ->
         connection_MfaRequired(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, ProviderUnavailable) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, ProviderUnavailable) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_ProviderUnavailable(step_visible[1]) ->
         connection_ProviderUnavailable(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, UnexpectedFailure) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, UnexpectedFailure) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_UnexpectedFailure(step_visible[1]) ->
         connection_UnexpectedFailure(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, WeeklyCheckPassed) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, WeeklyCheckPassed) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_WeeklyCheckPassed(step_visible[1]) ->
         connection_WeeklyCheckPassed(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, PasswordChanged) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, PasswordChanged) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_PasswordChanged(step_visible[1]) ->
         connection_PasswordChanged(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, MfaSessionExpired) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, MfaSessionExpired) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_MfaSessionExpired(step_visible[1]) ->
         connection_MfaSessionExpired(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, ProviderRequiresReset) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, ProviderRequiresReset) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_ProviderRequiresReset(step_visible[1]) ->
         connection_ProviderRequiresReset(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, AccountsRemoved) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, AccountsRemoved) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_AccountsRemoved(step_visible[1]) ->
         connection_AccountsRemoved(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Act(1, NectarReviewing) */ CONNECTION_ALLOWS_NectarReviewing(step_visible[1]) -> connection_NectarReviewing(1)
    :: /* Act(1, CredentialsUpdated) */ CONNECTION_ALLOWS_CredentialsUpdated(step_visible[1]) -> connection_CredentialsUpdated(1)
    :: /* Act(1, MfaCompleted) */ CONNECTION_ALLOWS_MfaCompleted(step_visible[1]) -> connection_MfaCompleted(1)
    :: /* Act(1, PasswordReset) */ CONNECTION_ALLOWS_PasswordReset(step_visible[1]) -> connection_PasswordReset(1)
    :: /* Act(1, InfoProvided) */ CONNECTION_ALLOWS_InfoProvided(step_visible[1]) -> connection_InfoProvided(1)
    :: /* Check(1, ProviderBackOnline) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, ProviderBackOnline) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_ProviderBackOnline(step_visible[1]) ->
         connection_ProviderBackOnline(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, AccountsFound) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, AccountsFound) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_AccountsFound(step_visible[1]) ->
         connection_AccountsFound(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Act(1, IssueResolved) */ CONNECTION_ALLOWS_IssueResolved(step_visible[1]) -> connection_IssueResolved(1)
    :: /* Act(1, Escalated) */ CONNECTION_ALLOWS_Escalated(step_visible[1]) -> connection_Escalated(1)
    :: /* Check(1, NoAccountsFound) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, NoAccountsFound) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_NoAccountsFound(step_visible[1]) ->
         connection_NoAccountsFound(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, AdditionalVerificationRequired) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, AdditionalVerificationRequired) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_AdditionalVerificationRequired(step_visible[1]) ->
         connection_AdditionalVerificationRequired(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, UrlUnreachable) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, UrlUnreachable) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_UrlUnreachable(step_visible[1]) ->
         connection_UrlUnreachable(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Check(1, UrlReachable) the spec forbids: recorded, nothing applied */ CONNECTION_DUE(1) && FORBIDS_CHECK(step_shown[1]) ->
         if
         :: CREDENTIAL_ERROR(step_shown[1]) -> checked_halted = 1
         :: else -> checked_stopped = 1
         fi;
         checked[1] = 1
    :: /* Check(1, UrlReachable) */ CONNECTION_DUE(1) && !FORBIDS_CHECK(step_shown[1]) && CONNECTION_ALLOWS_UrlReachable(step_visible[1]) ->
         connection_UrlReachable(1); checked[1] = 1; logged_in[1] = (c_to[1] == C_CONNECTED)
    :: /* Act(1, Deactivate) */ CONNECTION_ALLOWS_Deactivate(step_visible[1]) -> connection_Deactivate(1); held[1] = step_before[1]
    :: /* Act(1, Activate) */ CONNECTION_ALLOWS_Activate(step_visible[1]) -> connection_Activate(1)
         ; if
           :: held[1] != operational[1] -> restore_violated = 1
           :: else -> skip
           fi;
         held[1] = NO_STATUS
    :: /* Company(Inactive) */ !company_inactive && CONNECTION_ALLOWS_CompanyDeactivated(step_visible[0]) && CONNECTION_ALLOWS_CompanyDeactivated(step_visible[1]) ->
         company_inactive = 1; connection_CompanyDeactivated(0); connection_CompanyDeactivated(1)
    :: /* Company(Active) */ company_inactive && CONNECTION_ALLOWS_CompanyReactivated(step_visible[0]) && CONNECTION_ALLOWS_CompanyReactivated(step_visible[1]) ->
         company_inactive = 0; connection_CompanyReactivated(0); connection_CompanyReactivated(1)
    fi;
    record_edges();
    record_statuses();
    invariants()
  }
  od
}
