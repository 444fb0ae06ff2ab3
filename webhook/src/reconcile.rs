//! Reconciliation: nothing lost, nothing regressed, under Svix's at-least-once, unordered
//! delivery.
//!
//! Decision rules, in order (see [`reconcile`]):
//! 1. nothing stored yet: apply;
//! 2. another connection's record: refuse;
//! 3. the same `svix-id` seen recently: duplicate delivery;
//! 4. the same status and `statusLastUpdateTime` as stored: the same change (this catches
//!    the `connection.updated.v2` + `connection.validated.v2` pair of one change);
//! 5. an older `statusLastUpdateTime` than stored: stale, never applied (no regression);
//! 6. an `old.status` that differs from the stored status, or a status change that cannot
//!    be ordered (no timestamp and no `old.status`, or the same timestamp with another
//!    status): a gap, an event was missed; poll `GET /connection/{id}/details`;
//! 7. otherwise apply, with the notifications the change derives.

use core::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::payload::{Reported, Webhook};
use nectar_lifecycle_core::remediation::integration_advice;
use nectar_lifecycle_core::{ConnectionStatus, EnumSet, closed_enum};

/// How many recent event ids a [`LastSeen`] keeps for duplicate detection.
pub const RECENT_EVENT_IDS: usize = 32;

/// What the integrator stores per connection: the last applied status, its
/// `statusLastUpdateTime`, and the ids of the recent deliveries. Serializable, for the
/// integrator's database.
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus as S;
/// use nectar_lifecycle_webhook::{
///     ConnectionPayload, EventType, LastSeen, RECENT_EVENT_IDS, Webhook,
/// };
///
/// let created = Webhook {
///     event_type: EventType::Created.into(),
///     protected_changes: vec![],
///     old: None,
///     connection: ConnectionPayload::new("c1", S::Pending),
/// };
/// let mut stored = LastSeen::after(None, Some("msg_1"), &created);
/// assert_eq!(stored.status, S::Pending.into());
/// let json = serde_json::to_string(&stored)?;
/// assert!(json.contains(r#""recentEventIds":["msg_1"]"#));
///
/// // Only the most recent delivery ids are kept.
/// for i in 0..100 {
///     stored.remember(&format!("msg_{i}"));
/// }
/// assert_eq!(stored.recent_event_ids.len(), RECENT_EVENT_IDS);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastSeen {
    /// The connection id.
    pub connection_id: String,
    /// The last applied status.
    pub status: Reported<ConnectionStatus>,
    /// Its `statusLastUpdateTime`.
    pub status_last_update_time: Option<Timestamp>,
    /// The most recent delivery ids (`svix-id`), oldest first, at most
    /// [`RECENT_EVENT_IDS`].
    #[serde(default)]
    pub recent_event_ids: Vec<String>,
}

impl LastSeen {
    /// The record after applying `event` (delivered as `event_id`) on top of `previous`.
    #[must_use]
    pub fn after(previous: Option<&Self>, event_id: Option<&str>, event: &Webhook) -> Self {
        let mut recent = previous
            .map(|p| p.recent_event_ids.clone())
            .unwrap_or_default();
        let connection = &event.connection;
        let mut next = Self {
            connection_id: connection.id.clone(),
            status: connection.status.clone(),
            status_last_update_time: connection.status_last_update_time,
            recent_event_ids: Vec::new(),
        };
        if let Some(id) = event_id {
            remember(&mut recent, id);
        }
        next.recent_event_ids = recent;
        next
    }

    /// Records a delivery id without changing the status (for a duplicate or stale event),
    /// so a redelivery of it is recognised at once.
    pub fn remember(&mut self, event_id: &str) {
        remember(&mut self.recent_event_ids, event_id);
    }
}

fn remember(recent: &mut Vec<String>, id: &str) {
    if recent.iter().any(|r| r == id) {
        return;
    }
    if recent.len() >= RECENT_EVENT_IDS {
        recent.remove(0);
    }
    recent.push(id.to_owned());
}

closed_enum! {
    /// What an applied change means for the integrator's users.
    #[derive(Serialize, Deserialize, strum::Display, strum::FromRepr)]
    #[serde(rename_all = "snake_case")]
    #[strum(serialize_all = "snake_case")]
    #[repr(u8)]
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
    }
}

/// Why an event is a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum DuplicateReason {
    /// The same delivery (`svix-id`) was seen recently.
    SameDelivery {
        /// The delivery id.
        event_id: String,
    },
    /// The same status with the same `statusLastUpdateTime` is already stored: another
    /// event of the same change.
    SameChange,
}

/// What to do with an incoming event. Every decision carries its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    /// Apply it: store [`LastSeen::after`] and act on the notifications.
    Apply {
        /// The stored status before (or the event's `old.status` if nothing was stored).
        from: Option<Reported<ConnectionStatus>>,
        /// The new status.
        to: Reported<ConnectionStatus>,
        /// What the change means.
        notifications: EnumSet<Notification>,
    },
    /// Ignore it: already applied.
    Duplicate(DuplicateReason),
    /// Ignore it: older than what is stored, so applying it would regress the status.
    Stale {
        /// The stored `statusLastUpdateTime`.
        stored: Timestamp,
        /// The event's, older.
        incoming: Timestamp,
    },
    /// An event was missed (or cannot be ordered): poll `GET /connection/{id}/details` and
    /// store what it returns.
    Gap {
        /// The stored status.
        stored: Reported<ConnectionStatus>,
        /// What the event says the status was before (`None` if it does not say).
        event_old: Option<Reported<ConnectionStatus>>,
        /// The status the event reports.
        incoming: Reported<ConnectionStatus>,
    },
    /// The record belongs to another connection: a caller error.
    OtherConnection {
        /// The stored record's connection id.
        stored: String,
        /// The event's connection id.
        incoming: String,
    },
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Apply {
                from: Some(from),
                to,
                notifications,
            } => {
                write!(f, "apply: {from} -> {to}; notifications: {notifications}")
            }
            Self::Apply {
                from: None,
                to,
                notifications,
            } => {
                write!(
                    f,
                    "apply: first seen as {to}; notifications: {notifications}"
                )
            }
            Self::Duplicate(DuplicateReason::SameDelivery { event_id }) => {
                write!(f, "duplicate: delivery {event_id} was already seen")
            }
            Self::Duplicate(DuplicateReason::SameChange) => f.write_str(
                "duplicate: the same status and statusLastUpdateTime are already stored",
            ),
            Self::Stale { stored, incoming } => write!(
                f,
                "stale: statusLastUpdateTime {incoming} is older than the stored {stored}"
            ),
            Self::Gap {
                stored,
                event_old,
                incoming,
            } => {
                write!(f, "gap: stored {stored}, event says ")?;
                match event_old {
                    Some(old) => write!(f, "{old} -> {incoming}")?,
                    None => write!(f, "{incoming} and cannot be ordered")?,
                }
                f.write_str("; poll GET /connection/{id}/details")
            }
            Self::OtherConnection { stored, incoming } => {
                write!(
                    f,
                    "refused: record of connection {stored}, event of {incoming}"
                )
            }
        }
    }
}

/// The notifications a change `from -> to` derives.
fn notifications(
    from: Option<&Reported<ConnectionStatus>>,
    to: &Reported<ConnectionStatus>,
) -> EnumSet<Notification> {
    use ConnectionStatus as S;
    let mut set = EnumSet::empty();
    let (Some(to), from) = (to.known(), from.and_then(Reported::known)) else {
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
    match (from, to) {
        (Some(S::CompanyInactive), _) => set.insert(Notification::CompanyReactivated),
        (_, S::CompanyInactive) => set.insert(Notification::CompanyDeactivated),
        _ => {}
    }
    match (from, to) {
        (_, S::Deactivated) => set.insert(Notification::Deactivated),
        (Some(S::Deactivated), to) if to.is_operational() => set.insert(Notification::Activated),
        _ => {}
    }
    set
}

/// Decides what to do with `event`, delivered with id `event_id` (the `svix-id` header),
/// given the `stored` record of its connection (`None` if there is none yet). Pure: the
/// caller stores [`LastSeen::after`] when the decision is to apply.
///
/// ```
/// use jiff::Timestamp;
/// use nectar_lifecycle_core::ConnectionStatus as S;
/// use nectar_lifecycle_webhook::{reconcile, ConnectionPayload, Decision, EventType, LastSeen, Webhook};
///
/// let event = |status: S, at: Timestamp| Webhook {
///     event_type: EventType::Validated.into(),
///     protected_changes: vec![],
///     old: None,
///     connection: ConnectionPayload {
///         status_last_update_time: Some(at),
///         ..ConnectionPayload::new("c1", status)
///     },
/// };
/// let newer = event(S::Connected, "2026-11-25T10:00:00Z".parse()?);
/// let older = event(S::PasswordIncorrect, "2026-11-25T09:00:00Z".parse()?);
///
/// let stored = LastSeen::after(None, Some("msg_2"), &newer);
/// // Out of order: the older change arrives last and must not regress the status.
/// assert!(matches!(reconcile(Some(&stored), Some("msg_1"), &older), Decision::Stale { .. }));
/// // Redelivery of the same message.
/// assert!(matches!(reconcile(Some(&stored), Some("msg_2"), &newer), Decision::Duplicate(_)));
/// # Ok::<(), jiff::Error>(())
/// ```
#[must_use]
pub fn reconcile(stored: Option<&LastSeen>, event_id: Option<&str>, event: &Webhook) -> Decision {
    let incoming = &event.connection;
    let event_old = event.previous_status();
    let Some(stored) = stored else {
        return Decision::Apply {
            from: event_old.cloned(),
            to: incoming.status.clone(),
            notifications: notifications(event_old, &incoming.status),
        };
    };
    if stored.connection_id != incoming.id {
        return Decision::OtherConnection {
            stored: stored.connection_id.clone(),
            incoming: incoming.id.clone(),
        };
    }
    if let Some(id) = event_id.filter(|id| stored.recent_event_ids.iter().any(|r| r == id)) {
        return Decision::Duplicate(DuplicateReason::SameDelivery {
            event_id: id.to_owned(),
        });
    }
    let same_status = stored.status == incoming.status;
    let times = (
        stored.status_last_update_time,
        incoming.status_last_update_time,
    );
    if same_status && times.0 == times.1 {
        return Decision::Duplicate(DuplicateReason::SameChange);
    }
    if let (Some(stored_at), Some(incoming_at)) = times
        && incoming_at < stored_at
    {
        return Decision::Stale {
            stored: stored_at,
            incoming: incoming_at,
        };
    }
    let gap = Decision::Gap {
        stored: stored.status.clone(),
        event_old: event_old.cloned(),
        incoming: incoming.status.clone(),
    };
    match event_old {
        // The event says where it came from: it must be where we are.
        Some(old) if *old != stored.status => return gap,
        Some(_) => {}
        // A status change with nothing to order it by, or a conflicting one at the same
        // instant: refuse to guess.
        None if !same_status && (times.1.is_none() || times.0 == times.1) => return gap,
        None => {}
    }
    Decision::Apply {
        from: Some(stored.status.clone()),
        to: incoming.status.clone(),
        notifications: notifications(Some(&stored.status), &incoming.status),
    }
}
