//! The reverse direction, for test doubles of Nectar: the webhook events Nectar would send
//! for a change of a connection.

use crate::changes::Field;
use crate::payload::{ConnectionPayload, EventType, OldValues, Webhook};

/// The events Nectar would send when a connection goes from `old` (`None`: it was just
/// created) to `new`:
///
/// * creation: `connection.created.v2`;
/// * any field change: `connection.updated.v2` with `protectedChanges` (the changed fields,
///   in camelCase) and `old` (their previous values, for the fields [`OldValues`] models);
///   timestamp-only changes (`statusFirstSeenTime`, `statusLastUpdateTime`, `created`,
///   `updated`) fire nothing;
/// * a status change: also `connection.validated.v2`, shaped like `created`.
///
/// The events are returned updated first; Nectar may deliver them in either order.
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus as S;
/// use nectar_lifecycle_webhook::{nectar_events, ConnectionPayload, EventType};
///
/// let before = ConnectionPayload::new("c1", S::Pending);
/// let after = ConnectionPayload::new("c1", S::Connected);
/// let events = nectar_events(Some(&before), &after);
/// assert_eq!(events.len(), 2);
/// assert_eq!(events[0].event_type, EventType::Updated.into());
/// assert_eq!(events[0].protected_changes, vec!["status".to_owned()]);
/// assert_eq!(events[1].event_type, EventType::Validated.into());
/// ```
#[must_use]
pub fn nectar_events(old: Option<&ConnectionPayload>, new: &ConnectionPayload) -> Vec<Webhook> {
    let event = |event_type: EventType, protected_changes, old| Webhook {
        event_type: event_type.into(),
        protected_changes,
        old,
        connection: new.clone(),
    };
    let Some(old) = old else {
        return vec![event(EventType::Created, Vec::new(), None)];
    };
    let changed: Vec<String> = Field::changed(old, new)
        .iter()
        .filter(|field| !field.is_timestamp())
        .map(|field| field.name().to_owned())
        .collect();
    if changed.is_empty() {
        return Vec::new();
    }
    let status_changed = old.status != new.status;
    let values = OldValues {
        status: status_changed.then(|| old.status.clone()),
        is_active: old.is_active.filter(|_| old.is_active != new.is_active),
        external_id: old
            .external_id
            .clone()
            .filter(|_| old.external_id != new.external_id),
        status_error_detail: old
            .status_error_detail
            .clone()
            .filter(|_| old.status_error_detail != new.status_error_detail),
    };
    let mut events = vec![event(EventType::Updated, changed, Some(values))];
    if status_changed {
        events.push(event(EventType::Validated, Vec::new(), None));
    }
    events
}
