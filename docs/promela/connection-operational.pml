/* Generated from the transition table by `cargo xtask generate`; do not edit. */

/*
 * One connection under `Rules::Operational`, for SPIN: the Promela twin of the stateright
 * model `ConnectionModel::new(Rules::Operational)` (models/src/connection.rs).
 *
 * Each allowed cell (visible status, event) of the transition table is one guarded
 * command of the loop below; the inlines carry a rule out. The state is the
 * stateright model's: the operational status, the overlays, the fresh-cycle flag,
 * the ghost `held` and two sticky ghost violation flags. Each step is atomic, so
 * "states, stored" counts valuations of those variables.
 *
 * Check it (xtask/tests/spin.rs does, and compares with stateright):
 *   spin -o3 -a connection-operational.pml
 *   gcc -O0 -DSAFETY -DNOREDUCE -o pan pan.c
 *   ./pan -m100000 -w16
 * pan's "unreached in proctype connection" report lists each `step_edge = K`
 * statement whose edge no step took (-o3: no statement merging, which would hide
 * them), and every cell's `assert(0)`. `cycle_pending` is read by an assertion,
 * so SPIN keeps it in the state vector without -o2.
 */

/* ConnectionStatus, in declaration order. */
#define PENDING 0
#define CONNECTED 1
#define UNDER_INVESTIGATION 2
#define PASSWORD_INCORRECT 3
#define MFA_TOKEN_EXPIRED 4
#define NEW_PASSWORD_NEEDED 5
#define ADDITIONAL_CREDENTIALS_NEEDED 6
#define WEBSITE_DOWN 7
#define URL_INACCESSIBLE 8
#define NO_ACCOUNTS_FOUND 9
#define OTHER_ERROR 10
#define COMPANY_INACTIVE 11
#define DEACTIVATED 12
#define NO_STATUS 255 /* `held` when nothing is held */

/* ConnectionEvent, in declaration order, with its label. */
#define AuthSucceeded 0 /* Authentication successful */
#define BadCredentials 1 /* Bad credentials */
#define MfaRequired 2 /* MFA required */
#define ProviderUnavailable 3 /* Provider unavailable */
#define UnexpectedFailure 4 /* Unexpected failure */
#define WeeklyCheckPassed 5 /* Weekly check passes */
#define PasswordChanged 6 /* Password changed */
#define MfaSessionExpired 7 /* MFA session expired */
#define ProviderRequiresReset 8 /* Provider requires reset */
#define AccountsRemoved 9 /* Accounts removed */
#define NectarReviewing 10 /* Nectar reviewing */
#define CredentialsUpdated 11 /* Credentials updated */
#define MfaCompleted 12 /* MFA completed */
#define PasswordReset 13 /* Password reset */
#define InfoProvided 14 /* Info provided */
#define ProviderBackOnline 15 /* Provider back online */
#define AccountsFound 16 /* Accounts found */
#define IssueResolved 17 /* Issue resolved */
#define Escalated 18 /* Escalated */
#define NoAccountsFound 19 /* No accounts found */
#define AdditionalVerificationRequired 20 /* Extra verification requested */
#define UrlUnreachable 21 /* URL unreachable */
#define UrlReachable 22 /* URL reachable again */
#define Deactivate 23 /* Deactivated (isActive false) */
#define Activate 24 /* Activated (isActive true) */
#define CompanyDeactivated 25 /* Company deactivated */
#define CompanyReactivated 26 /* Company reactivated */

/* ConnectionOverlay, lowest first: a higher overlay covers a lower one. */
#define OVERLAY_DEACTIVATED 0
#define OVERLAY_COMPANY_INACTIVE 1

/* Events caused by a check (EventOrigin::Check): they end a fresh cycle. */
#define IS_CHECK(e) ((e) == AuthSucceeded || (e) == BadCredentials || (e) == MfaRequired || (e) == ProviderUnavailable || (e) == UnexpectedFailure || (e) == WeeklyCheckPassed || (e) == PasswordChanged || (e) == MfaSessionExpired || (e) == ProviderRequiresReset || (e) == AccountsRemoved || (e) == ProviderBackOnline || (e) == AccountsFound || (e) == NoAccountsFound || (e) == AdditionalVerificationRequired || (e) == UrlUnreachable || (e) == UrlReachable)

/* Events with a check outcome: the monitor's "a check ran". */
#define HAS_OUTCOME(e) ((e) == AuthSucceeded || (e) == BadCredentials || (e) == MfaRequired || (e) == ProviderUnavailable || (e) == UnexpectedFailure || (e) == WeeklyCheckPassed || (e) == PasswordChanged || (e) == MfaSessionExpired || (e) == ProviderRequiresReset || (e) == AccountsRemoved || (e) == ProviderBackOnline || (e) == AccountsFound || (e) == NoAccountsFound || (e) == AdditionalVerificationRequired || (e) == UrlUnreachable || (e) == UrlReachable)

/* Statuses under which the spec forbids a check: collection is halted (credential
 * errors) or stopped (the system statuses). */
#define FORBIDS_CHECK(s) ((s) == PASSWORD_INCORRECT || (s) == MFA_TOKEN_EXPIRED || (s) == NEW_PASSWORD_NEEDED || (s) == ADDITIONAL_CREDENTIALS_NEEDED || (s) == COMPANY_INACTIVE || (s) == DEACTIVATED)

/* The state: the stateright model's ConnectionState, field for field. */
byte operational = PENDING;
byte overlays = 0; /* bit o: overlay o is raised */
bit cycle_pending = 1;
byte held = NO_STATUS; /* ghost: the operational status held at the last deactivation */
bit restore_violated = 0; /* ghost, sticky */
bit check_violated = 0; /* ghost, sticky */

/* Scratch of one step, outside the state vector. */
hidden byte step_shown;
hidden byte step_before;
hidden short step_edge;

#define RAISED(o) ((overlays >> (o)) & 1)

/* The visible status: the highest overlay raised, else the operational status. */
#define VISIBLE (RAISED(OVERLAY_COMPANY_INACTIVE) -> COMPANY_INACTIVE : (RAISED(OVERLAY_DEACTIVATED) -> DEACTIVATED : operational))

/* The visible status as the spec derives it from the API's flags: the company over
 * isActive over the operational status. */
#define IS_ACTIVE (RAISED(OVERLAY_DEACTIVATED) == 0)
#define COMPANY_ACTIVE (RAISED(OVERLAY_COMPANY_INACTIVE) == 0)
#define DERIVED (!COMPANY_ACTIVE -> COMPANY_INACTIVE : (!IS_ACTIVE -> DEACTIVATED : operational))

/* A step begins: what the monitors compare with. */
inline begin_step() {
  step_shown = DERIVED;
  step_before = operational
}

/* Target::Status(s): the lifecycle moves; a check ends the fresh cycle. */
inline enter_status(e, s) {
  operational = s;
  if
  :: IS_CHECK(e) -> cycle_pending = 0
  :: else -> skip
  fi
}

/* Target::Overlay(Raise(o)): the overlay covers what is below; it stays underneath. */
inline raise_overlay(o) {
  overlays = overlays | (1 << (o))
}

/* Target::Overlay(Lift(o)): what the overlay covered shows again (history), and
 * collection resumes with a fresh cycle. */
inline lift_overlay(o) {
  overlays = overlays & ~(1 << (o));
  cycle_pending = 1
}

/* A step ends: the ghost monitors, then the invariants. */
inline end_step(e) {
  if
  :: HAS_OUTCOME(e) && FORBIDS_CHECK(step_shown) -> check_violated = 1
  :: else -> skip
  fi;
  if
  :: (e) == Deactivate -> held = step_before
  :: (e) == Activate ->
       if
       :: held != operational -> restore_violated = 1
       :: else -> skip
       fi;
       held = NO_STATUS
  :: else -> skip
  fi;
  assert(VISIBLE == DERIVED); /* visible status is derived from the flags */
  assert(!restore_violated); /* activation restores the status held before deactivation */
  assert(!check_violated); /* no check runs while halted or stopped */
  assert(operational != PENDING || cycle_pending) /* a PENDING connection awaits its first check (the core's InvalidState::PendingWithoutFreshCycle) */
}

/* One guarded command per allowed cell of the table: from the visible status, the
 * event and its target; then the edge taken is recorded (`step_edge = K`, K its
 * index in the table's edges), and a step that is no edge of the table fails. */
active proctype connection() {
  do
  :: atomic { /* PENDING x Authentication successful (diagram) */
       VISIBLE == PENDING -> begin_step(); enter_status(AuthSucceeded, CONNECTED); end_step(AuthSucceeded);
       if
       :: VISIBLE == CONNECTED -> step_edge = 0
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x Bad credentials (diagram) */
       VISIBLE == PENDING -> begin_step(); enter_status(BadCredentials, PASSWORD_INCORRECT); end_step(BadCredentials);
       if
       :: VISIBLE == PASSWORD_INCORRECT -> step_edge = 1
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x MFA required (diagram) */
       VISIBLE == PENDING -> begin_step(); enter_status(MfaRequired, MFA_TOKEN_EXPIRED); end_step(MfaRequired);
       if
       :: VISIBLE == MFA_TOKEN_EXPIRED -> step_edge = 2
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x Provider unavailable (diagram) */
       VISIBLE == PENDING -> begin_step(); enter_status(ProviderUnavailable, WEBSITE_DOWN); end_step(ProviderUnavailable);
       if
       :: VISIBLE == WEBSITE_DOWN -> step_edge = 3
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x Unexpected failure (diagram) */
       VISIBLE == PENDING -> begin_step(); enter_status(UnexpectedFailure, OTHER_ERROR); end_step(UnexpectedFailure);
       if
       :: VISIBLE == OTHER_ERROR -> step_edge = 4
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x Provider requires reset (inferred) */
       VISIBLE == PENDING -> begin_step(); enter_status(ProviderRequiresReset, NEW_PASSWORD_NEEDED); end_step(ProviderRequiresReset);
       if
       :: VISIBLE == NEW_PASSWORD_NEEDED -> step_edge = 5
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x No accounts found (inferred) */
       VISIBLE == PENDING -> begin_step(); enter_status(NoAccountsFound, NO_ACCOUNTS_FOUND); end_step(NoAccountsFound);
       if
       :: VISIBLE == NO_ACCOUNTS_FOUND -> step_edge = 6
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x Extra verification requested (inferred) */
       VISIBLE == PENDING -> begin_step(); enter_status(AdditionalVerificationRequired, ADDITIONAL_CREDENTIALS_NEEDED); end_step(AdditionalVerificationRequired);
       if
       :: VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> step_edge = 7
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x URL unreachable (inferred) */
       VISIBLE == PENDING -> begin_step(); enter_status(UrlUnreachable, URL_INACCESSIBLE); end_step(UrlUnreachable);
       if
       :: VISIBLE == URL_INACCESSIBLE -> step_edge = 8
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x Deactivated (isActive false) (system) */
       VISIBLE == PENDING -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 9
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PENDING x Company deactivated (system) */
       VISIBLE == PENDING -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 10
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Provider unavailable (diagram) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(ProviderUnavailable, WEBSITE_DOWN); end_step(ProviderUnavailable);
       if
       :: VISIBLE == WEBSITE_DOWN -> step_edge = 11
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Unexpected failure (diagram) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(UnexpectedFailure, OTHER_ERROR); end_step(UnexpectedFailure);
       if
       :: VISIBLE == OTHER_ERROR -> step_edge = 12
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Weekly check passes (diagram) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(WeeklyCheckPassed, CONNECTED); end_step(WeeklyCheckPassed);
       if
       :: VISIBLE == CONNECTED -> step_edge = 13
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Password changed (diagram) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(PasswordChanged, PASSWORD_INCORRECT); end_step(PasswordChanged);
       if
       :: VISIBLE == PASSWORD_INCORRECT -> step_edge = 14
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x MFA session expired (diagram) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(MfaSessionExpired, MFA_TOKEN_EXPIRED); end_step(MfaSessionExpired);
       if
       :: VISIBLE == MFA_TOKEN_EXPIRED -> step_edge = 15
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Provider requires reset (diagram) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(ProviderRequiresReset, NEW_PASSWORD_NEEDED); end_step(ProviderRequiresReset);
       if
       :: VISIBLE == NEW_PASSWORD_NEEDED -> step_edge = 16
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Accounts removed (diagram) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(AccountsRemoved, NO_ACCOUNTS_FOUND); end_step(AccountsRemoved);
       if
       :: VISIBLE == NO_ACCOUNTS_FOUND -> step_edge = 17
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Nectar reviewing (diagram) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(NectarReviewing, UNDER_INVESTIGATION); end_step(NectarReviewing);
       if
       :: VISIBLE == UNDER_INVESTIGATION -> step_edge = 18
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Extra verification requested (inferred) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(AdditionalVerificationRequired, ADDITIONAL_CREDENTIALS_NEEDED); end_step(AdditionalVerificationRequired);
       if
       :: VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> step_edge = 19
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x URL unreachable (inferred) */
       VISIBLE == CONNECTED -> begin_step(); enter_status(UrlUnreachable, URL_INACCESSIBLE); end_step(UrlUnreachable);
       if
       :: VISIBLE == URL_INACCESSIBLE -> step_edge = 20
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Deactivated (isActive false) (system) */
       VISIBLE == CONNECTED -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 21
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* CONNECTED x Company deactivated (system) */
       VISIBLE == CONNECTED -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 22
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Provider unavailable (inferred) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(ProviderUnavailable, WEBSITE_DOWN); end_step(ProviderUnavailable);
       if
       :: VISIBLE == WEBSITE_DOWN -> step_edge = 23
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Unexpected failure (inferred) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(UnexpectedFailure, OTHER_ERROR); end_step(UnexpectedFailure);
       if
       :: VISIBLE == OTHER_ERROR -> step_edge = 24
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Weekly check passes (inferred) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(WeeklyCheckPassed, CONNECTED); end_step(WeeklyCheckPassed);
       if
       :: VISIBLE == CONNECTED -> step_edge = 25
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Password changed (inferred) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(PasswordChanged, PASSWORD_INCORRECT); end_step(PasswordChanged);
       if
       :: VISIBLE == PASSWORD_INCORRECT -> step_edge = 26
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x MFA session expired (inferred) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(MfaSessionExpired, MFA_TOKEN_EXPIRED); end_step(MfaSessionExpired);
       if
       :: VISIBLE == MFA_TOKEN_EXPIRED -> step_edge = 27
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Provider requires reset (inferred) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(ProviderRequiresReset, NEW_PASSWORD_NEEDED); end_step(ProviderRequiresReset);
       if
       :: VISIBLE == NEW_PASSWORD_NEEDED -> step_edge = 28
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Accounts removed (inferred) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(AccountsRemoved, NO_ACCOUNTS_FOUND); end_step(AccountsRemoved);
       if
       :: VISIBLE == NO_ACCOUNTS_FOUND -> step_edge = 29
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Issue resolved (diagram) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(IssueResolved, CONNECTED); end_step(IssueResolved);
       if
       :: VISIBLE == CONNECTED -> step_edge = 30
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Extra verification requested (inferred) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(AdditionalVerificationRequired, ADDITIONAL_CREDENTIALS_NEEDED); end_step(AdditionalVerificationRequired);
       if
       :: VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> step_edge = 31
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x URL unreachable (inferred) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); enter_status(UrlUnreachable, URL_INACCESSIBLE); end_step(UrlUnreachable);
       if
       :: VISIBLE == URL_INACCESSIBLE -> step_edge = 32
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Deactivated (isActive false) (system) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 33
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* UNDER_INVESTIGATION x Company deactivated (system) */
       VISIBLE == UNDER_INVESTIGATION -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 34
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PASSWORD_INCORRECT x Credentials updated (diagram) */
       VISIBLE == PASSWORD_INCORRECT -> begin_step(); enter_status(CredentialsUpdated, CONNECTED); end_step(CredentialsUpdated);
       if
       :: VISIBLE == CONNECTED -> step_edge = 35
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PASSWORD_INCORRECT x Deactivated (isActive false) (system) */
       VISIBLE == PASSWORD_INCORRECT -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 36
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* PASSWORD_INCORRECT x Company deactivated (system) */
       VISIBLE == PASSWORD_INCORRECT -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 37
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* MFA_TOKEN_EXPIRED x MFA completed (diagram) */
       VISIBLE == MFA_TOKEN_EXPIRED -> begin_step(); enter_status(MfaCompleted, CONNECTED); end_step(MfaCompleted);
       if
       :: VISIBLE == CONNECTED -> step_edge = 38
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* MFA_TOKEN_EXPIRED x Deactivated (isActive false) (system) */
       VISIBLE == MFA_TOKEN_EXPIRED -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 39
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* MFA_TOKEN_EXPIRED x Company deactivated (system) */
       VISIBLE == MFA_TOKEN_EXPIRED -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 40
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NEW_PASSWORD_NEEDED x Password reset (diagram) */
       VISIBLE == NEW_PASSWORD_NEEDED -> begin_step(); enter_status(PasswordReset, CONNECTED); end_step(PasswordReset);
       if
       :: VISIBLE == CONNECTED -> step_edge = 41
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NEW_PASSWORD_NEEDED x Deactivated (isActive false) (system) */
       VISIBLE == NEW_PASSWORD_NEEDED -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 42
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NEW_PASSWORD_NEEDED x Company deactivated (system) */
       VISIBLE == NEW_PASSWORD_NEEDED -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 43
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* ADDITIONAL_CREDENTIALS_NEEDED x Info provided (diagram) */
       VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> begin_step(); enter_status(InfoProvided, CONNECTED); end_step(InfoProvided);
       if
       :: VISIBLE == CONNECTED -> step_edge = 44
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* ADDITIONAL_CREDENTIALS_NEEDED x Deactivated (isActive false) (system) */
       VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 45
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* ADDITIONAL_CREDENTIALS_NEEDED x Company deactivated (system) */
       VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 46
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Provider unavailable (inferred) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(ProviderUnavailable, WEBSITE_DOWN); end_step(ProviderUnavailable);
       if
       :: VISIBLE == WEBSITE_DOWN -> step_edge = 47
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Unexpected failure (inferred) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(UnexpectedFailure, OTHER_ERROR); end_step(UnexpectedFailure);
       if
       :: VISIBLE == OTHER_ERROR -> step_edge = 48
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Password changed (inferred) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(PasswordChanged, PASSWORD_INCORRECT); end_step(PasswordChanged);
       if
       :: VISIBLE == PASSWORD_INCORRECT -> step_edge = 49
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x MFA session expired (inferred) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(MfaSessionExpired, MFA_TOKEN_EXPIRED); end_step(MfaSessionExpired);
       if
       :: VISIBLE == MFA_TOKEN_EXPIRED -> step_edge = 50
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Provider requires reset (inferred) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(ProviderRequiresReset, NEW_PASSWORD_NEEDED); end_step(ProviderRequiresReset);
       if
       :: VISIBLE == NEW_PASSWORD_NEEDED -> step_edge = 51
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Accounts removed (inferred) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(AccountsRemoved, NO_ACCOUNTS_FOUND); end_step(AccountsRemoved);
       if
       :: VISIBLE == NO_ACCOUNTS_FOUND -> step_edge = 52
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Provider back online (diagram) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(ProviderBackOnline, CONNECTED); end_step(ProviderBackOnline);
       if
       :: VISIBLE == CONNECTED -> step_edge = 53
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Escalated (inferred) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(Escalated, UNDER_INVESTIGATION); end_step(Escalated);
       if
       :: VISIBLE == UNDER_INVESTIGATION -> step_edge = 54
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Extra verification requested (inferred) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(AdditionalVerificationRequired, ADDITIONAL_CREDENTIALS_NEEDED); end_step(AdditionalVerificationRequired);
       if
       :: VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> step_edge = 55
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x URL unreachable (inferred) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); enter_status(UrlUnreachable, URL_INACCESSIBLE); end_step(UrlUnreachable);
       if
       :: VISIBLE == URL_INACCESSIBLE -> step_edge = 56
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Deactivated (isActive false) (system) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 57
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* WEBSITE_DOWN x Company deactivated (system) */
       VISIBLE == WEBSITE_DOWN -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 58
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x Provider unavailable (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(ProviderUnavailable, WEBSITE_DOWN); end_step(ProviderUnavailable);
       if
       :: VISIBLE == WEBSITE_DOWN -> step_edge = 59
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x Unexpected failure (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(UnexpectedFailure, OTHER_ERROR); end_step(UnexpectedFailure);
       if
       :: VISIBLE == OTHER_ERROR -> step_edge = 60
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x Password changed (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(PasswordChanged, PASSWORD_INCORRECT); end_step(PasswordChanged);
       if
       :: VISIBLE == PASSWORD_INCORRECT -> step_edge = 61
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x MFA session expired (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(MfaSessionExpired, MFA_TOKEN_EXPIRED); end_step(MfaSessionExpired);
       if
       :: VISIBLE == MFA_TOKEN_EXPIRED -> step_edge = 62
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x Provider requires reset (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(ProviderRequiresReset, NEW_PASSWORD_NEEDED); end_step(ProviderRequiresReset);
       if
       :: VISIBLE == NEW_PASSWORD_NEEDED -> step_edge = 63
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x Accounts removed (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(AccountsRemoved, NO_ACCOUNTS_FOUND); end_step(AccountsRemoved);
       if
       :: VISIBLE == NO_ACCOUNTS_FOUND -> step_edge = 64
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x Escalated (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(Escalated, UNDER_INVESTIGATION); end_step(Escalated);
       if
       :: VISIBLE == UNDER_INVESTIGATION -> step_edge = 65
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x Extra verification requested (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(AdditionalVerificationRequired, ADDITIONAL_CREDENTIALS_NEEDED); end_step(AdditionalVerificationRequired);
       if
       :: VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> step_edge = 66
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x URL unreachable (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(UrlUnreachable, URL_INACCESSIBLE); end_step(UrlUnreachable);
       if
       :: VISIBLE == URL_INACCESSIBLE -> step_edge = 67
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x URL reachable again (inferred) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); enter_status(UrlReachable, CONNECTED); end_step(UrlReachable);
       if
       :: VISIBLE == CONNECTED -> step_edge = 68
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x Deactivated (isActive false) (system) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 69
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* URL_INACCESSIBLE x Company deactivated (system) */
       VISIBLE == URL_INACCESSIBLE -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 70
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Provider unavailable (inferred) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(ProviderUnavailable, WEBSITE_DOWN); end_step(ProviderUnavailable);
       if
       :: VISIBLE == WEBSITE_DOWN -> step_edge = 71
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Unexpected failure (inferred) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(UnexpectedFailure, OTHER_ERROR); end_step(UnexpectedFailure);
       if
       :: VISIBLE == OTHER_ERROR -> step_edge = 72
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Password changed (inferred) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(PasswordChanged, PASSWORD_INCORRECT); end_step(PasswordChanged);
       if
       :: VISIBLE == PASSWORD_INCORRECT -> step_edge = 73
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x MFA session expired (inferred) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(MfaSessionExpired, MFA_TOKEN_EXPIRED); end_step(MfaSessionExpired);
       if
       :: VISIBLE == MFA_TOKEN_EXPIRED -> step_edge = 74
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Provider requires reset (inferred) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(ProviderRequiresReset, NEW_PASSWORD_NEEDED); end_step(ProviderRequiresReset);
       if
       :: VISIBLE == NEW_PASSWORD_NEEDED -> step_edge = 75
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Accounts removed (inferred) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(AccountsRemoved, NO_ACCOUNTS_FOUND); end_step(AccountsRemoved);
       if
       :: VISIBLE == NO_ACCOUNTS_FOUND -> step_edge = 76
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Accounts found (diagram) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(AccountsFound, CONNECTED); end_step(AccountsFound);
       if
       :: VISIBLE == CONNECTED -> step_edge = 77
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Escalated (inferred) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(Escalated, UNDER_INVESTIGATION); end_step(Escalated);
       if
       :: VISIBLE == UNDER_INVESTIGATION -> step_edge = 78
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Extra verification requested (inferred) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(AdditionalVerificationRequired, ADDITIONAL_CREDENTIALS_NEEDED); end_step(AdditionalVerificationRequired);
       if
       :: VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> step_edge = 79
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x URL unreachable (inferred) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); enter_status(UrlUnreachable, URL_INACCESSIBLE); end_step(UrlUnreachable);
       if
       :: VISIBLE == URL_INACCESSIBLE -> step_edge = 80
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Deactivated (isActive false) (system) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 81
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* NO_ACCOUNTS_FOUND x Company deactivated (system) */
       VISIBLE == NO_ACCOUNTS_FOUND -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 82
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Provider unavailable (inferred) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(ProviderUnavailable, WEBSITE_DOWN); end_step(ProviderUnavailable);
       if
       :: VISIBLE == WEBSITE_DOWN -> step_edge = 83
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Unexpected failure (inferred) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(UnexpectedFailure, OTHER_ERROR); end_step(UnexpectedFailure);
       if
       :: VISIBLE == OTHER_ERROR -> step_edge = 84
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Weekly check passes (inferred) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(WeeklyCheckPassed, CONNECTED); end_step(WeeklyCheckPassed);
       if
       :: VISIBLE == CONNECTED -> step_edge = 85
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Password changed (inferred) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(PasswordChanged, PASSWORD_INCORRECT); end_step(PasswordChanged);
       if
       :: VISIBLE == PASSWORD_INCORRECT -> step_edge = 86
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x MFA session expired (inferred) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(MfaSessionExpired, MFA_TOKEN_EXPIRED); end_step(MfaSessionExpired);
       if
       :: VISIBLE == MFA_TOKEN_EXPIRED -> step_edge = 87
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Provider requires reset (inferred) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(ProviderRequiresReset, NEW_PASSWORD_NEEDED); end_step(ProviderRequiresReset);
       if
       :: VISIBLE == NEW_PASSWORD_NEEDED -> step_edge = 88
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Accounts removed (inferred) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(AccountsRemoved, NO_ACCOUNTS_FOUND); end_step(AccountsRemoved);
       if
       :: VISIBLE == NO_ACCOUNTS_FOUND -> step_edge = 89
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Issue resolved (diagram) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(IssueResolved, CONNECTED); end_step(IssueResolved);
       if
       :: VISIBLE == CONNECTED -> step_edge = 90
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Escalated (diagram) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(Escalated, UNDER_INVESTIGATION); end_step(Escalated);
       if
       :: VISIBLE == UNDER_INVESTIGATION -> step_edge = 91
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Extra verification requested (inferred) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(AdditionalVerificationRequired, ADDITIONAL_CREDENTIALS_NEEDED); end_step(AdditionalVerificationRequired);
       if
       :: VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> step_edge = 92
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x URL unreachable (inferred) */
       VISIBLE == OTHER_ERROR -> begin_step(); enter_status(UrlUnreachable, URL_INACCESSIBLE); end_step(UrlUnreachable);
       if
       :: VISIBLE == URL_INACCESSIBLE -> step_edge = 93
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Deactivated (isActive false) (system) */
       VISIBLE == OTHER_ERROR -> begin_step(); raise_overlay(OVERLAY_DEACTIVATED); end_step(Deactivate);
       if
       :: VISIBLE == DEACTIVATED -> step_edge = 94
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* OTHER_ERROR x Company deactivated (system) */
       VISIBLE == OTHER_ERROR -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 95
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* COMPANY_INACTIVE x Company reactivated (system) */
       VISIBLE == COMPANY_INACTIVE -> begin_step(); lift_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyReactivated);
       if
       :: VISIBLE == PENDING -> step_edge = 96
       :: VISIBLE == CONNECTED -> step_edge = 97
       :: VISIBLE == UNDER_INVESTIGATION -> step_edge = 98
       :: VISIBLE == PASSWORD_INCORRECT -> step_edge = 99
       :: VISIBLE == MFA_TOKEN_EXPIRED -> step_edge = 100
       :: VISIBLE == NEW_PASSWORD_NEEDED -> step_edge = 101
       :: VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> step_edge = 102
       :: VISIBLE == WEBSITE_DOWN -> step_edge = 103
       :: VISIBLE == URL_INACCESSIBLE -> step_edge = 104
       :: VISIBLE == NO_ACCOUNTS_FOUND -> step_edge = 105
       :: VISIBLE == OTHER_ERROR -> step_edge = 106
       :: VISIBLE == DEACTIVATED -> step_edge = 107
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* DEACTIVATED x Activated (isActive true) (system) */
       VISIBLE == DEACTIVATED -> begin_step(); lift_overlay(OVERLAY_DEACTIVATED); end_step(Activate);
       if
       :: VISIBLE == PENDING -> step_edge = 108
       :: VISIBLE == CONNECTED -> step_edge = 109
       :: VISIBLE == UNDER_INVESTIGATION -> step_edge = 110
       :: VISIBLE == PASSWORD_INCORRECT -> step_edge = 111
       :: VISIBLE == MFA_TOKEN_EXPIRED -> step_edge = 112
       :: VISIBLE == NEW_PASSWORD_NEEDED -> step_edge = 113
       :: VISIBLE == ADDITIONAL_CREDENTIALS_NEEDED -> step_edge = 114
       :: VISIBLE == WEBSITE_DOWN -> step_edge = 115
       :: VISIBLE == URL_INACCESSIBLE -> step_edge = 116
       :: VISIBLE == NO_ACCOUNTS_FOUND -> step_edge = 117
       :: VISIBLE == OTHER_ERROR -> step_edge = 118
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  :: atomic { /* DEACTIVATED x Company deactivated (system) */
       VISIBLE == DEACTIVATED -> begin_step(); raise_overlay(OVERLAY_COMPANY_INACTIVE); end_step(CompanyDeactivated);
       if
       :: VISIBLE == COMPANY_INACTIVE -> step_edge = 119
       :: else -> assert(false) /* not an edge of the table */
       fi
     }
  od
}
