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
//! * **Duplicates** are the same `svix-id` among the last [`RECENT_EVENT_IDS`] stored, or
//!   the same status *and* `statusLastUpdateTime` as stored (the `updated` and `validated`
//!   events of one change, in either order).
//! * **Stale**: an older `statusLastUpdateTime` than stored is never applied.
//! * **Gaps**: an `old.status` that differs from the stored status means an event was
//!   missed; so does a status change that cannot be ordered (no timestamp and no
//!   `old.status`, or the same timestamp with a different status). The decision is to poll
//!   `GET /connection/{id}/details` rather than guess.
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
//! use nectar_lifecycle_webhook::{self as webhook, reconcile, Decision, LastSeen};
//!
//! let body = br#"{"eventType":"connection.updated.v2","protectedChanges":["status"],
//!   "old":{"status":"CONNECTED"},"id":"a6c70a54","status":"PASSWORD_INCORRECT",
//!   "statusLastUpdateTime":"2026-11-25T09:00:00Z"}"#;
//! let event = webhook::parse(body)?;
//!
//! // What kind of change is it, and what should be done?
//! let assessment = event.assess();
//! assert!(assessment.collection_halted);
//!
//! // Is it new, a duplicate, stale, or did we miss one?
//! let mut stored: Option<LastSeen> = None; // from your database
//! match reconcile(stored.as_ref(), Some("msg_1"), &event) {
//!     Decision::Apply { notifications, .. } => {
//!         stored = Some(LastSeen::after(stored.as_ref(), Some("msg_1"), &event));
//!         # let _ = notifications;
//!     }
//!     other => println!("not applied: {other}"),
//! }
//! # assert!(stored.is_some());
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod assess;
mod payload;
mod reconcile;
mod simulate;

pub use assess::{Assessment, Verdict};
pub use payload::{
    AccountPayload, Company, ConnectionPayload, Datasource, Duplicated, EventType, OldValues,
    Reported, Webhook,
};
pub use reconcile::{
    Decision, DuplicateReason, LastSeen, Notification, RECENT_EVENT_IDS, reconcile,
};
pub use simulate::nectar_events;

#[cfg(feature = "json")]
pub use payload::{MAX_BODY_BYTES, WebhookError, parse, parse_with_limit};
