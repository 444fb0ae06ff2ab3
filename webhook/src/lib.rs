//! Nectar's `connection.*.v2` webhooks: typed payloads, forward-compatible statuses,
//! verdicts on observed changes, and reconciliation of at-least-once, unordered delivery.
//!
//! This is where the crate meets real, messy input, so nothing here fails a whole payload
//! for something it does not know:
//!
//! * statuses are [`Reported`]: a value the crate does not know is kept as
//!   [`Reported::Unknown`] (named so it cannot be confused with `OTHER_ERROR`). Nectar adds
//!   statuses over time and its event catalog types `status` as a plain string, so a closed
//!   enum would turn the first delivery of a new status into a parse error, and with it
//!   every retry of that delivery: API clients that deserialize a provider's statuses into
//!   a closed enum have broken that way when the provider added one;
//! * unknown fields are ignored, optional fields are optional, `isDuplicated` is accepted as
//!   a boolean or a string, and the RFC 3339 timestamps may be null;
//! * malformed input is a typed [`WebhookError`] naming the field, never a panic.
//!
//! # Decisions where Nectar's documentation is silent
//!
//! * **Unknown values are data.** Unknown statuses and event types are kept as
//!   [`Reported::Unknown`]; the verdict on a change involving one is
//!   [`Verdict::UnknownStatus`], with no category or remediation. A change neither rule set
//!   allows is [`Verdict::Unlisted`]: flagged, not rejected (Nectar calls its diagram a
//!   "general lifecycle").
//! * **One record, one decision.** A webhook delivery and a polled snapshot are both an
//!   [`Observation`], and go through the same [`reconcile`] against the [`Record`] the
//!   integrator stores per connection. The rules, in order:
//!   1. nothing stored yet: apply;
//!   2. another connection's record: refuse;
//!   3. a delivery id (`svix-id`) among the last [`RECENT_EVENT_IDS`]: the same delivery;
//!   4. otherwise order the observation against the record ([`Version::order`]) by `updated`,
//!      which changes on any field change, else by `statusLastUpdateTime` where the two
//!      differ, which changes with the status:
//!      * older: stale, never applied (no regression);
//!      * newer: applied, unless the event's `old.status` is not the stored status: an
//!        event was missed, so poll `GET /connection/{id}/details` (a [`Gap`]);
//!      * the same version, or none to compare: the same content is a duplicate (the
//!        `updated` and `validated` events of one change, in either order, or a poll that
//!        found nothing new); other content is applied when a delivery's `old.status` is the
//!        stored status (it follows it) or when it is a polled snapshot (Nectar's state when
//!        the poll was answered); any other delivery is a gap: nothing orders it, so poll
//!        rather than guess.
//!
//!   So nothing Nectar changed is classed as already applied: a change of any field moves
//!   `updated` forward or, where `updated` is missing, changes the content.
//! * **What changed.** An applied decision lists the changed [`Field`]s, the
//!   [`AccountChange`]s (accounts are followed by `id`, else `accountNumber`), and the
//!   [`Notification`]s, derived from the stored state and the new one: a poll that closes a
//!   gap gives the notifications the missed events would have given, net of what cancelled
//!   out.
//! * **Polling** ([`parse_details`], [`parse_company_list`], [`CompanyListQuery`]):
//!
//!   * **The list's envelope** ([`parse_company_page`], [`CompanyListPage`]): Nectar's page
//!     envelope (`totalConnections`, `perPage`, `totalPages`, `currentPage`, `hasNext`,
//!     `hasPrevious`, `connections`), every page field optional or `null`. Read as tolerantly
//!     as before it was documented: a bare JSON array of connection objects is one complete
//!     page, and the array may sit under exactly one of [`COMPANY_LIST_KEYS`] (`connections`,
//!     `data`, `results`, `items`), other members (a count, a cursor) ignored; `null` under
//!     the key is an empty list. Anything else (another key, two of the keys, a lone
//!     connection object, a page field of the wrong type, `currentPage: 0`) is
//!     [`WebhookError::Invalid`] naming the field.
//!   * **Pages** ([`CompanyListQuery::with_page`], [`CompanyListQuery::with_limit`]): `page`
//!     from 1 and `limit` from 1 to 500, as documented; anything else is a [`QueryError`],
//!     never sent. A whole company is read by a [`Sweep`], which stops on the envelope
//!     (never on an empty page: past the end, Nectar answers the last page again), keys
//!     connections by `id`, and says which it listed.
//!   * **All or nothing.** One malformed element fails the whole list, with its index in the
//!     field path (`[3].status`, `connections[3].status`): a list that silently dropped a
//!     connection would read as that connection gone.
//!   * **A connection is a JSON object.** serde would also read a struct from an array of its
//!     field values in order; a details body or a list element that is an array is refused.
//!   * **Body limits.** A details body has the webhook's limit, [`MAX_BODY_BYTES`]; a list
//!     holds all of a company's connections, so its default is [`MAX_LIST_BODY_BYTES`].
//!   * **Paths** are relative to the API base URL (`https://external.nectarclimate.com/v2.2`).
//!     An id is percent-encoded as one path segment (all but RFC 3986's unreserved
//!     characters); statuses are sent as they are, being `A-Z` and `_`. Nectar's ids are
//!     UUIDs: an empty id, `.` or `..` would still make a path a URL resolver rewrites.
//!   * **The client-side filter** ([`CompanyListQuery::matches`]) keeps a connection only when
//!     its status is the known status asked for (the sandbox alias `INCORRECT_PASSWORD` reads as
//!     `PASSWORD_INCORRECT`); an unknown status matches no known-status filter.
//! * **Fields whose type the docs do not pin** (`multiplyByOccupancy`, `initialSites`,
//!   `initialDatasourceTypes`) are not modelled and are ignored like any unknown field;
//!   `created`, `updated` and the dates are kept as strings. `isDuplicated` given as a string
//!   reads as a boolean only for `"true"` and `"false"`.
//! * **Body limit**: [`MAX_BODY_BYTES`] (1 MiB) by default, [`parse_with_limit`] to change
//!   it; Nectar's connection bodies are a few kilobytes.
//!
//! The flow of a handler: verify the signature first (`nectar-lifecycle-verify`), then parse
//! the same bytes, and pass the verified message id (`svix-id`) to [`reconcile`], which
//! recognises a redelivery by it.
//!
//! ```
//! # #[cfg(feature = "json")] {
//! use nectar_lifecycle_webhook::{self as webhook, reconcile, Decision, Observation, Record};
//!
//! let body = br#"{"eventType":"connection.updated.v2","protectedChanges":["status"],
//!   "old":{"status":"CONNECTED"},"id":"a6c70a54","status":"PASSWORD_INCORRECT",
//!   "updated":"2026-11-25T09:00:00Z","statusLastUpdateTime":"2026-11-25T09:00:00Z"}"#;
//! let event = webhook::parse(body)?;
//!
//! // What kind of change is it, and what should be done?
//! let assessment = event.assess();
//! assert!(assessment.collection_halted);
//!
//! // Is it new, a duplicate, stale, or did we miss one? Polled snapshots take the same path.
//! let mut stored: Option<Record> = None; // from your database
//! let delivery = Observation::Delivery { id: Some("msg_1"), webhook: &event };
//! let decision = reconcile(stored.as_ref(), delivery);
//! if let Decision::Apply(changes) = &decision {
//!     println!("{changes}"); // what changed, and the notifications to send
//! }
//! if let Some(next) = Record::after(stored.as_ref(), delivery, &decision) {
//!     stored = Some(next); // save it
//! }
//! # assert!(stored.is_some());
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod actions;
mod assess;
mod changes;
mod invitations;
mod payload;
mod poll;
mod record;
mod simulate;
mod sweep;

pub use actions::{
    DecisionOutcome, DecisionStep, Episode, InvitationStep, Recorded, awaits_decision,
    decision_step, invitation_step, invitation_step_of,
};
pub use assess::{Assessment, Verdict};
pub use changes::{AccountChange, Changes, Field, Notification, account_changes, notifications};
pub use invitations::{
    AccountDecision, AccountDecisionBody, CreateInvitation, INVITATION_LIST_KEYS,
    InvitationPayload, InvitationTarget, company_invitations_path, revoke_invitation_path,
};
#[cfg(feature = "json")]
pub use invitations::{parse_invitation, parse_invitation_list};
pub use payload::{
    AccountPayload, Company, ConnectionPayload, Datasource, Duplicated, EventType, OldValues,
    Reported, Webhook,
};
pub use poll::{
    COMPANY_LIST_KEYS, CompanyListPage, CompanyListQuery, PageLimit, PageNumber, QueryError,
    details_path,
};
#[cfg(feature = "json")]
pub use poll::{
    MAX_LIST_BODY_BYTES, parse_company_list, parse_company_list_with_limit, parse_company_page,
    parse_company_page_with_limit, parse_details, parse_details_with_limit,
};
pub use record::{
    Decision, DuplicateReason, Gap, Observation, RECENT_EVENT_IDS, Record, RecordFormError,
    Version, reconcile,
};
pub use simulate::nectar_events;
pub use sweep::{Sweep, SweepEnd, SweepError};

#[cfg(feature = "json")]
pub use payload::{MAX_BODY_BYTES, WebhookError, parse, parse_with_limit};
