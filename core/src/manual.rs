//! The design of the crate and every decision it takes where Nectar's documentation is silent
//! or ambiguous, each written once. This module holds documentation only; the code links
//! here instead of restating a decision.
//!
//! Decisions of the webhook layer (duplicates, stale events, gaps, body limits) are in the
//! `nectar-lifecycle-webhook` crate's documentation, and those of signature verification in
//! the `nectar-lifecycle-verify` crate's: each layer documents what it decides.
//!
//! # Errors and bugs
//!
//! A panic in this crate is a bug, never a reaction to input. Every input has an answer: an
//! unknown string is a [`ParseStatusError`](crate::ParseStatusError) carrying it, an event the
//! table does not allow is a [`TransitionRejected`](crate::TransitionRejected) naming what
//! was allowed, machine parts that break an invariant are an
//! [`InvalidState`](crate::InvalidState). Facts the code relies on are made impossible to break
//! by their types (an overlay's lifting event is a total function of the overlay), or are
//! checked when the crate compiles (every credential error has exactly the one user exit the
//! diagram draws; no lifecycle move targets an overlay), and the exhaustive tests walk every
//! state and event. Library code is linted against `unwrap`, `expect` and `panic`.
//!
//! # Wire values
//!
//! * **Exhaustive status enums.** [`ConnectionStatus`](crate::ConnectionStatus),
//!   [`AccountStatus`](crate::AccountStatus) and [`TrackingStatus`](crate::TrackingStatus)
//!   are not `#[non_exhaustive]`, on purpose. When Nectar adds a status, a new major version
//!   adds the variant, and every dependent's `match` fails to compile exactly where the new
//!   status must be handled: the lifecycle is code where a silent `_ => {}` is a bug.
//!   Forward compatibility *at run time* belongs to the webhook layer, which keeps unknown
//!   values as data instead of failing a payload.
//! * **The `INCORRECT_PASSWORD` alias.** Nectar's sandbox pages spell `PASSWORD_INCORRECT`
//!   as `INCORRECT_PASSWORD`. Both parse (in `FromStr` and serde) to
//!   [`PasswordIncorrect`](crate::ConnectionStatus::PasswordIncorrect); the crate always
//!   writes `PASSWORD_INCORRECT`.
//! * **One vocabulary in messages.** Statuses print as their API values, events as the
//!   published diagram's labels (`"Weekly check passes" is not allowed from
//!   MFA_TOKEN_EXPIRED`), the words of the diagram an integrator reads. Serde writes events by
//!   their Rust names.
//!
//! # Overlays
//!
//! The lifecycle is a hierarchical state machine with history. `DEACTIVATED` and
//! `COMPANY_INACTIVE` are not places in the graph: they are layers
//! ([`ConnectionOverlay`](crate::ConnectionOverlay)) raised over the operational status,
//! which waits underneath and shows again when they are lifted. The spec says so of
//! activation ("the connection's status reverts to its previous operational value");
//! the crate applies the same rule to every overlay.
//!
//! * **Precedence is declaration order.** `COMPANY_INACTIVE` shows over `DEACTIVATED`,
//!   which shows over the operational status: the company is the broader switch ("all
//!   connections under it stop running"). Company reactivation therefore restores
//!   `DEACTIVATED` if the connection was deactivated before.
//! * **One rule for overlay changes:** a change is accepted only when it changes the visible
//!   status. Raising is allowed from any status shown below the overlay; lifting only while
//!   that overlay is the one shown. So deactivating a deactivated connection is rejected
//!   rather than silently accepted, and `isActive` cannot be toggled while the company is
//!   inactive (the visible status could not show it, and no webhook would report it).
//! * **No lifecycle event under an overlay.** While an overlay shows, no check, user or
//!   Nectar event is accepted: collection is stopped.
//! * **Accounts** have three layers ([`AccountOverlay`](crate::AccountOverlay)):
//!   `WORKFLOW_NOT_ACCESSIBLE` (the parent connection is in a credential error),
//!   `CUSTOMER_NOT_TRACKED` (tracking is `DISABLED`) and `COMPANY_INACTIVE`, in that order of
//!   precedence. A parent change that happens while a higher layer shows is not recorded by
//!   the account (the rule above); [`Account::follow_parent`](crate::Account::follow_parent)
//!   brings it up to date, and the system model calls it after every step.
//!
//! # Accounts
//!
//! * **One rule set.** Nectar publishes no account diagram, so every account edge is inferred
//!   from the account status table and Nectar's account documentation, or is an overlay
//!   change, under both connection rule sets.
//! * **Terminal** means what the spec's check rules say: `OLD_ACCOUNT`, `DUPLICATE` and
//!   `CUSTOMER_NOT_TRACKED` are not re-checked
//!   ([`AccountStatus::is_terminal`](crate::AccountStatus::is_terminal),
//!   [`Collection::Terminal`](crate::policy::Collection::Terminal)). `OLD_ACCOUNT` and
//!   `DUPLICATE` are the terminal statuses an account holds itself: no pull moves them, only
//!   the overlays cover them. `CUSTOMER_NOT_TRACKED` ends when tracking is confirmed.
//! * **`UNSET` tracking counts as tracked**, as Nectar's deprecated `isTracked` alias does, so
//!   a `DETECTED` account is pulled.
//! * **Confirming tracking** onboards a `DETECTED` account, is accepted on any tracked account
//!   (it records the decision, like the idempotent confirm endpoint), and on an untracked one
//!   lifts `CUSTOMER_NOT_TRACKED`, restoring what it covered.
//!
//! # Inferred edges
//!
//! [`Rules::Documented`](crate::Rules::Documented) allows exactly the 22 edges of the
//! published diagram plus the overlay changes. [`Rules::Operational`](crate::Rules::Operational)
//! adds the edges that three principles derive from the status tables and the check rules,
//! never chosen edge by edge ([`Inference`](crate::Inference)); the generated reference lists
//! every one of them.
//!
//! * **First check outcome.** The first check from `PENDING` can end in any of the nine check
//!   outcomes (`CONNECTED`, the four credential errors, the four provider errors); the
//!   diagram draws five.
//! * **Weekly check outcome.** The check rules retry every status but the credential errors
//!   and the overlays ("all other statuses ... are retried on the next weekly cycle"):
//!   `CONNECTED`, `UNDER_INVESTIGATION` and the four provider errors. A weekly check from
//!   any of them can end in any check outcome, including the same provider error again.
//! * **Support escalation.** The tables send a persistent provider error to Nectar support;
//!   the diagram draws `OTHER_ERROR --> UNDER_INVESTIGATION: Escalated`, so the other provider
//!   errors escalate the same way.
//!
//! An event names each check outcome by where it starts, in the diagram's own words
//! ([`ConnectionEvent::for_check`](crate::ConnectionEvent::for_check)): from `PENDING` the
//! first check's words (`Bad credentials`, `MFA required`, ...); elsewhere the weekly
//! check's (`Password changed`, `MFA session expired`, ...); a successful check from a
//! provider error is that error's recovery (`Provider back online`, `Accounts found`, `URL
//! reachable again`), and from `UNDER_INVESTIGATION` or `OTHER_ERROR` it is `Weekly check
//! passes` (`Issue resolved` is Nectar's team closing the issue). Every check edge the
//! diagram draws is exactly what this naming gives. User actions stay as drawn: each resumes
//! exactly the credential error it fixes.
//!
//! # Check policy
//!
//! * **`UNDER_INVESTIGATION` is checked weekly.** The check rules retry "all other
//!   statuses", and it is neither a credential error nor terminal.
//! * **Fresh cycles.** A new connection and one whose overlay was lifted are due at once
//!   (the spec: after activation "a fresh data collection cycle begins");
//!   [`Connection::is_cycle_pending`](crate::Connection::is_cycle_pending) records it and any
//!   check outcome clears it.
//! * **Due exactly at `last_check + 7 days`**, not one second before; a never-checked
//!   connection is due now. Timestamps near the end of time saturate instead of overflowing.
//! * **Accounts** are pulled with their connection's checks while no overlay shows and their
//!   own status is not terminal; `WORKFLOW_NOT_ACCESSIBLE` is halted until the parent's user
//!   acts.
//!
//! # Persistence
//!
//! The provider-error rows say what to do "if persistent" without saying when an error
//! persists. The crate's answer: after [`Persistence::DEFAULT`](crate::remediation::Persistence::DEFAULT)
//! = 2 consecutive checks ending in it, that is, once it survived one weekly retry, which is
//! past the spec's "usually within a few days". The threshold is a parameter, and
//! [`Streak`](crate::remediation::Streak) counts the checks: the check that entered the status
//! is the first. Each row is then followed as written: `WEBSITE_DOWN` resolves by itself
//! however long it lasts; `URL_INACCESSIBLE` (verify the URL first) and `OTHER_ERROR` go to
//! Nectar support; `NO_ACCOUNTS_FOUND` asks the end user to check the login, which may be for
//! a payment-only portal or for closed accounts.
//!
//! # Recovery
//!
//! For notifications, a *recovery* is leaving a credential error, a provider error or
//! `UNDER_INVESTIGATION` for `CONNECTED`; `PENDING -> CONNECTED` and activation are not.
//!
//! # Invitations
//!
//! An invitation expires *at* `created_at + expiresInSeconds` (the validity window is
//! half-open); `FULFILLED` and `EXPIRED` are final, so revoking or using one is a typed
//! error; when several hold, the status is `REVOKED`, then `FULFILLED`, then `EXPIRED`.
//!
//! # Time
//!
//! The one timestamp type is [`jiff::Timestamp`]: webhook bodies carry RFC 3339 timestamps,
//! and one type means no conversions between layers. Nothing reads a clock: every function
//! that needs the time takes `now`.
//!
//! # Observations
//!
//! An observation ([`ObservedConnection`](crate::ObservedConnection),
//! [`ObservedAccount`](crate::ObservedAccount)) is data about Nectar's machine, not the
//! machine: what the API shows, with what it does not show kept as unknown, never guessed.
//!
//! * **Unknown is `None`.** The status under the overlays is an `Option`
//!   (`operational_status`, `own_status`) rather than an `Underneath { Known, Unknown }`
//!   enum: `None` reads as "not reported", it composes with `?` and `is_none_or`, and it is
//!   what the machines' accessors return wrapped. The visible status is an `Option` too: it
//!   is unknown only after `apply` lifted an overlay over an unknown status, until the next
//!   observation.
//! * **History comes from the previous observation.** Under an overlay the status underneath
//!   is what `before` knew, else unknown; so is what a higher overlay hides (`isActive` under
//!   `COMPANY_INACTIVE` when the payload leaves it out, an account's
//!   `WORKFLOW_NOT_ACCESSIBLE` under `CUSTOMER_NOT_TRACKED` or `COMPANY_INACTIVE`). `before`
//!   is read as the state just before: the overlays freeze what they cover, so a held status
//!   stays true while one shows. A tracking change seen under an account overlay is followed
//!   through the table (confirming onboards a held `DETECTED` account); one the table cannot
//!   take from what was known leaves the held status unknown.
//! * **Contradictions are errors**, the ones the API never shows: `isActive: false` with an
//!   operational status, or `true` with `DEACTIVATED`
//!   ([`InvalidState::ActiveFlagDisagrees`](crate::InvalidState::ActiveFlagDisagrees));
//!   `CUSTOMER_NOT_TRACKED` without `DISABLED` tracking, or `DISABLED` tracking under
//!   anything but `CUSTOMER_NOT_TRACKED` or `COMPANY_INACTIVE`
//!   ([`InvalidState::TrackingDisagrees`](crate::InvalidState::TrackingDisagrees)); and what
//!   breaks an account's invariants as [`Account::from_parts`](crate::Account::from_parts)
//!   checks them (`DETECTED` with `ENABLED` tracking, `ONBOARDED` with `UNSET`).
//! * **Events go through the table, for every state the observation admits.** `apply`
//!   applies the event to each machine state consistent with what is known and keeps what
//!   the results agree on: an event all of them take is taken; one all of them reject from
//!   the same visible status is the table's [`TransitionRejected`](crate::TransitionRejected);
//!   one whose answer depends on what is unknown is
//!   [`ObservedRejected::StatusUnknown`](crate::ObservedRejected::StatusUnknown). So lifting
//!   an overlay restores the held status when it is known, and leaves the visible status
//!   unknown (`to: None`) when it is not.
//! * **Collection** is the connection's or account's own policy: the known machine's answer,
//!   or the visible overlay's alone.
//! * **The fresh-cycle flag is read, not reported.** The API does not say whether a fresh
//!   collection cycle is pending ([`Connection::is_cycle_pending`](crate::Connection::is_cycle_pending)).
//!   An observation reads it from what it sees: pending at `PENDING`, and from a lift it sees
//!   (an overlay raised in `before` is gone) until it sees the operational status change. A
//!   first observation of any other status reads as no cycle pending, as
//!   [`Connection::from_parts`](crate::Connection::from_parts) does, and a change seen during
//!   a fresh cycle is read as the cycle's first check, even when it was the end user's or
//!   Nectar's action (which leaves the machine's cycle pending). The flag only tells
//!   `DueAtOnce` from `Weekly`.
//!
//! # Account remediation
//!
//! The account table has descriptions but no "what to do" column;
//! [`account_remediation`](crate::remediation::account_remediation) follows each description
//! and the check rules.
//!
//! * `DETECTED` ("not yet confirmed"): the integrator confirms tracking
//!   (`PATCH /connection/{id}/status` with `{"confirm": true}`) or rejects it. The account is
//!   pulled meanwhile (`UNSET` counts as tracked): the decision records intent.
//! * `ONBOARDED`, `PULL_COMPLETED`: nothing.
//! * `NO_DOCUMENTS_FOUND`, `PDF_DOWNLOAD_FAILED`, `ACCOUNT_NOT_FOUND`, `OTHER_ERROR`: nothing;
//!   the check rules retry every status that is not terminal on the next weekly check.
//!   `ACCOUNT_NOT_FOUND` too, though the account "is no longer visible": an account the
//!   utility closed becomes `OLD_ACCOUNT` (terminal), so a disappearance either reverts on a
//!   later check or ends in that status without anyone acting. The spec gives accounts no
//!   "if persistent" advice, and the crate invents no threshold for them; a login that lost
//!   every account is the connection's `NO_ACCOUNTS_FOUND`, whose remediation asks the end
//!   user to check it.
//! * `WORKFLOW_NOT_ACCESSIBLE`: fix the parent connection; the end user acts, through the
//!   remediation of the connection's credential error.
//! * `OLD_ACCOUNT` (closed, no new data expected), `DUPLICATE` (the tracked original carries
//!   the data), `CUSTOMER_NOT_TRACKED` (the integrator may re-enable tracking): nothing.
//! * `COMPANY_INACTIVE`: email Nectar support to reactivate the company, as for a connection.
