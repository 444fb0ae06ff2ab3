//! One record per connection, fed by webhooks and polling alike; the rules are in the
//! crate docs.

use core::cmp::Ordering;
use core::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::changes::{Changes, account_key};
use crate::payload::{ConnectionPayload, Reported, Webhook};
use nectar_lifecycle_core::{ConnectionStatus, ObservedAccount, ObservedConnection, Rules};

/// How many recent delivery ids a [`Record`] keeps for duplicate detection.
pub const RECENT_EVENT_IDS: usize = 32;

/// One observation of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observation<'a> {
    /// A webhook delivery, with its `svix-id` (`None` if the caller has none).
    Delivery {
        /// The delivery id (`svix-id`): the same across Svix's retries of one message.
        id: Option<&'a str>,
        /// The parsed body.
        webhook: &'a Webhook,
    },
    /// A polled snapshot: the body of `GET /connection/{id}/details`, or one connection of
    /// `GET /connection/company/{companyId}`.
    Snapshot(&'a ConnectionPayload),
}

impl<'a> Observation<'a> {
    /// The connection as observed.
    #[must_use]
    pub fn connection(&self) -> &'a ConnectionPayload {
        match self {
            Self::Delivery { webhook, .. } => &webhook.connection,
            Self::Snapshot(connection) => connection,
        }
    }

    /// The status before the change, when a delivery says (`old.status`).
    #[must_use]
    pub fn old_status(&self) -> Option<&'a Reported<ConnectionStatus>> {
        match self {
            Self::Delivery { webhook, .. } => webhook.previous_status(),
            Self::Snapshot(_) => None,
        }
    }

    /// The delivery id, for a delivery that has one.
    #[must_use]
    pub fn delivery_id(&self) -> Option<&'a str> {
        match self {
            Self::Delivery { id, .. } => *id,
            Self::Snapshot(_) => None,
        }
    }
}

/// The version of an observation: the two timestamps Nectar keeps that order changes.
///
/// `updated` changes on any field change (timestamp-only changes fire nothing);
/// `statusLastUpdateTime` is when Nectar recorded the status. An `updated` that does not
/// parse as RFC 3339 counts as missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    /// `updated`.
    pub updated: Option<Timestamp>,
    /// `statusLastUpdateTime`.
    pub status_last_update_time: Option<Timestamp>,
}

impl Version {
    /// The version of `connection`.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{ConnectionPayload, Version};
    /// let c = ConnectionPayload { updated: Some("2026-11-25T09:00:00Z".into()), ..ConnectionPayload::new("c1", S::Connected) };
    /// assert_eq!(Version::of(&c).updated, Some("2026-11-25T09:00:00Z".parse()?));
    /// # Ok::<(), jiff::Error>(())
    /// ```
    #[must_use]
    pub fn of(connection: &ConnectionPayload) -> Self {
        Self {
            updated: connection
                .updated
                .as_deref()
                .and_then(|u| u.parse::<Timestamp>().ok()),
            status_last_update_time: connection.status_last_update_time,
        }
    }

    /// How `self` orders against `other`: by `updated` when both have it, else by
    /// `statusLastUpdateTime` when both have it and they differ; `None` when nothing orders
    /// them.
    ///
    /// ```
    /// use core::cmp::Ordering;
    /// use nectar_lifecycle_webhook::Version;
    /// let at = |s: &str| Some(s.parse().unwrap());
    /// let a = Version { updated: at("2026-11-25T09:00:00Z"), status_last_update_time: None };
    /// let b = Version { updated: at("2026-11-25T10:00:00Z"), status_last_update_time: None };
    /// assert_eq!(a.order(&b), Some(Ordering::Less));
    /// assert_eq!(a.order(&Version { updated: None, status_last_update_time: None }), None);
    /// ```
    #[must_use]
    pub fn order(&self, other: &Self) -> Option<Ordering> {
        match (self.updated, other.updated) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => match (self.status_last_update_time, other.status_last_update_time) {
                (Some(a), Some(b)) if a != b => Some(a.cmp(&b)),
                _ => None,
            },
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.updated, self.status_last_update_time) {
            (Some(updated), _) => write!(f, "updated {updated}"),
            (None, Some(status)) => write!(f, "statusLastUpdateTime {status}"),
            (None, None) => f.write_str("no version"),
        }
    }
}

/// What the integrator stores per connection: the connection as last applied (its status
/// and `statusLastUpdateTime`, `updated`, every field, the accounts with their status and
/// `trackingStatus`), the machines those observations describe (with the status held under
/// an overlay when an earlier observation showed it), and the ids of the recent deliveries. Serializable, for the integrator's database; a record stored in
/// the earlier `LastSeen` form (`connectionId`, `status`, `statusLastUpdateTime`,
/// `recentEventIds`) still reads.
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus as S;
/// use nectar_lifecycle_webhook::{ConnectionPayload, Record};
///
/// let record = Record::new(ConnectionPayload::new("c1", S::WebsiteDown));
/// let json = serde_json::to_string(&record)?;
/// assert_eq!(serde_json::from_str::<Record>(&json)?, record);
///
/// // The earlier form still reads.
/// let old: Record = serde_json::from_str(r#"{"connectionId":"c1","status":"CONNECTED",
///     "statusLastUpdateTime":"2026-11-25T09:00:00Z","recentEventIds":["msg_1"]}"#)?;
/// assert_eq!(old.connection.status, S::Connected.into());
/// assert_eq!(old.recent_event_ids, ["msg_1"]);
/// assert_eq!(old.operational_status(), Some(S::Connected));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RecordRepr")]
pub struct Record {
    /// The connection as last applied.
    pub connection: ConnectionPayload,
    /// The connection's machine as the observations describe it, under the operational
    /// rules: the operational status under an overlay is known when an earlier observation
    /// showed it, else unknown. `None` when the status is one this crate does not know, or
    /// the payload contradicts itself (an operational status with `isActive: false`).
    #[serde(default)]
    pub observed: Option<ObservedConnection>,
    /// Each followed account's machine as the observations describe it, by account key
    /// (`id`, else `accountNumber`); accounts with an unknown status or tracking are left out.
    #[serde(default)]
    pub observed_accounts: BTreeMap<String, ObservedAccount>,
    /// The most recent delivery ids (`svix-id`), oldest first, at most
    /// [`RECENT_EVENT_IDS`].
    #[serde(default)]
    pub recent_event_ids: Vec<String>,
}

/// A stored record in either form.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordRepr {
    connection: Option<ConnectionPayload>,
    #[serde(default)]
    observed: Option<ObservedConnection>,
    #[serde(default)]
    observed_accounts: BTreeMap<String, ObservedAccount>,
    #[serde(default)]
    recent_event_ids: Vec<String>,
    // The earlier `LastSeen` form.
    connection_id: Option<String>,
    status: Option<Reported<ConnectionStatus>>,
    #[serde(default)]
    status_last_update_time: Option<Timestamp>,
}

/// A stored record that is neither form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored record needs `connection`, or `connectionId` and `status` (the earlier form)")]
pub struct RecordFormError;

impl TryFrom<RecordRepr> for Record {
    type Error = RecordFormError;

    fn try_from(r: RecordRepr) -> Result<Self, Self::Error> {
        let connection = match (r.connection, r.connection_id, r.status) {
            (Some(connection), _, _) => connection,
            (None, Some(id), Some(status)) => ConnectionPayload {
                status_last_update_time: r.status_last_update_time,
                ..ConnectionPayload::new(id, status)
            },
            (None, _, _) => return Err(RecordFormError),
        };
        let observed = match r.observed {
            Some(observed) => Some(observed),
            None => observe(&connection, None),
        };
        let observed_accounts = if r.observed_accounts.is_empty() {
            observe_accounts(&connection, &BTreeMap::new())
        } else {
            r.observed_accounts
        };
        Ok(Self {
            connection,
            observed,
            observed_accounts,
            recent_event_ids: r.recent_event_ids,
        })
    }
}

impl Record {
    /// A record of `connection`, first seen, with no delivery remembered.
    #[must_use]
    pub fn new(connection: ConnectionPayload) -> Self {
        Self {
            observed: observe(&connection, None),
            observed_accounts: observe_accounts(&connection, &BTreeMap::new()),
            connection,
            recent_event_ids: Vec::new(),
        }
    }

    /// The operational status: the status shown, or the one held under an overlay when an
    /// earlier observation showed it; `None` when not known.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{reconcile, ConnectionPayload, Observation, Record};
    /// let down = ConnectionPayload { updated: Some("2026-11-25T09:00:00Z".into()), ..ConnectionPayload::new("c1", S::WebsiteDown) };
    /// let off = ConnectionPayload { updated: Some("2026-11-25T10:00:00Z".into()), ..ConnectionPayload::new("c1", S::Deactivated) };
    /// let record = Record::new(down);
    /// let seen = Observation::Snapshot(&off);
    /// let record = Record::after(Some(&record), seen, &reconcile(Some(&record), seen)).expect("applied");
    /// assert_eq!(record.operational_status(), Some(S::WebsiteDown)); // held under DEACTIVATED
    /// assert_eq!(Record::new(off).operational_status(), None);      // first seen covered: unknown
    /// ```
    #[must_use]
    pub fn operational_status(&self) -> Option<ConnectionStatus> {
        self.observed.and_then(|o| o.operational_status())
    }

    /// The record's version.
    #[must_use]
    pub fn version(&self) -> Version {
        Version::of(&self.connection)
    }

    /// The record to store after `decision` on `observation` (decided against `stored`), or
    /// `None` when nothing changed: the new content for an applied observation, and the
    /// delivery id remembered for every other decision on a delivery not seen before.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{reconcile, ConnectionPayload, Observation, Record};
    /// let snapshot = ConnectionPayload::new("c1", S::Connected);
    /// let seen = Observation::Snapshot(&snapshot);
    /// let decision = reconcile(None, seen);
    /// let record = Record::after(None, seen, &decision).expect("applied");
    /// assert_eq!(record.connection, snapshot);
    /// // The same snapshot again changes nothing.
    /// let again = reconcile(Some(&record), seen);
    /// assert!(Record::after(Some(&record), seen, &again).is_none());
    /// ```
    #[must_use]
    pub fn after(
        stored: Option<&Self>,
        observation: Observation<'_>,
        decision: &Decision,
    ) -> Option<Self> {
        match decision {
            Decision::Apply(_) => {
                let connection = observation.connection().clone();
                let no_accounts = BTreeMap::new();
                let mut next = Self {
                    observed: observe(&connection, stored.and_then(|s| s.observed.as_ref())),
                    observed_accounts: observe_accounts(
                        &connection,
                        stored.map_or(&no_accounts, |s| &s.observed_accounts),
                    ),
                    connection,
                    recent_event_ids: stored
                        .map(|s| s.recent_event_ids.clone())
                        .unwrap_or_default(),
                };
                if let Some(id) = observation.delivery_id() {
                    next.remember(id);
                }
                Some(next)
            }
            Decision::Duplicate(DuplicateReason::SameDelivery)
            | Decision::OtherConnection { .. } => None,
            // Only a new delivery id changes the record: no copy is made otherwise.
            Decision::Duplicate(DuplicateReason::SameVersion)
            | Decision::Stale { .. }
            | Decision::Gap(_) => {
                let stored = stored?;
                let id = observation.delivery_id().filter(|id| !stored.knows(id))?;
                let mut next = stored.clone();
                next.remember(id);
                Some(next)
            }
        }
    }

    /// Whether the delivery id is among the recent ones.
    fn knows(&self, id: &str) -> bool {
        self.recent_event_ids.iter().any(|r| r == id)
    }

    /// Records a delivery id; returns whether it was new.
    pub fn remember(&mut self, id: &str) -> bool {
        if self.knows(id) {
            return false;
        }
        if self.recent_event_ids.len() >= RECENT_EVENT_IDS {
            self.recent_event_ids.remove(0);
        }
        self.recent_event_ids.push(id.to_owned());
        true
    }
}

/// Why an observation is a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same delivery (`svix-id`) was seen recently.
    SameDelivery,
    /// The same version of the same content is stored: another event of the same change, or
    /// a poll that found nothing new.
    SameVersion,
}

/// Why the record cannot be brought up to date from this observation: poll
/// `GET /connection/{id}/details` and reconcile the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "gap")]
pub enum Gap {
    /// The delivery is newer, but its `old.status` is not the stored status: an event was
    /// missed.
    Missed {
        /// The stored status.
        stored: Reported<ConnectionStatus>,
        /// What the event says the status was before.
        event_old: Reported<ConnectionStatus>,
        /// The status the event reports.
        incoming: Reported<ConnectionStatus>,
    },
    /// Nothing orders the observation against the record (the same version with other
    /// content, or no version to compare), and its content differs.
    Unordered {
        /// The stored version.
        stored: Version,
        /// The observation's version.
        incoming: Version,
    },
}

/// What to do with an observation. Every decision carries its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    /// Apply it: store [`Record::after`] and act on what changed.
    Apply(Changes),
    /// Nothing to apply: already applied.
    Duplicate(DuplicateReason),
    /// Nothing to apply: older than what is stored, so applying it would regress.
    Stale {
        /// The stored version.
        stored: Version,
        /// The observation's, older.
        incoming: Version,
    },
    /// An event was missed, or the observation cannot be ordered: poll.
    Gap(Gap),
    /// The record belongs to another connection: a caller error.
    OtherConnection {
        /// The stored record's connection id.
        stored: String,
        /// The observation's connection id.
        incoming: String,
    },
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Apply(changes) => write!(f, "apply: {changes}"),
            Self::Duplicate(DuplicateReason::SameDelivery) => {
                f.write_str("duplicate: this delivery was already seen")
            }
            Self::Duplicate(DuplicateReason::SameVersion) => {
                f.write_str("duplicate: the same version of the same content is stored")
            }
            Self::Stale { stored, incoming } => {
                write!(f, "stale: {incoming} is older than the stored {stored}")
            }
            Self::Gap(Gap::Missed {
                stored,
                event_old,
                incoming,
            }) => write!(
                f,
                "gap: stored {stored}, the event says {event_old} -> {incoming}; poll GET /connection/{{id}}/details"
            ),
            Self::Gap(Gap::Unordered { stored, incoming }) => write!(
                f,
                "gap: {incoming} cannot be ordered against the stored {stored}; poll GET /connection/{{id}}/details"
            ),
            Self::OtherConnection { stored, incoming } => {
                write!(
                    f,
                    "refused: record of connection {stored}, observation of {incoming}"
                )
            }
        }
    }
}

/// Decides what to do with `observation`, given the `stored` record of its connection
/// (`None` if there is none yet). Pure, and allocation-free unless it applies; the caller
/// stores [`Record::after`].
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus as S;
/// use nectar_lifecycle_webhook::{
///     reconcile, ConnectionPayload, Decision, EventType, Field, Observation, Record, Webhook,
/// };
///
/// let at = |s: &str| Some(s.to_owned());
/// let v1 = ConnectionPayload { updated: at("2026-11-25T09:00:00Z"), ..ConnectionPayload::new("c1", S::Connected) };
/// let record = Record::new(v1.clone());
///
/// // Only externalId changed: same status, same statusLastUpdateTime, a newer `updated`.
/// let v2 = ConnectionPayload {
///     external_id: Some("my-conn-001".into()),
///     updated: at("2026-11-25T10:00:00Z"),
///     ..v1.clone()
/// };
/// let update = Webhook { event_type: EventType::Updated.into(), protected_changes: vec!["externalId".into()],
///                        old: None, connection: v2 };
/// let Decision::Apply(changes) = reconcile(Some(&record), Observation::Delivery { id: Some("msg_2"), webhook: &update })
/// else { panic!("a field change is applied") };
/// assert!(changes.fields.contains(Field::ExternalId));
///
/// // An older observation never regresses the record.
/// let old = Observation::Snapshot(&v1);
/// let newer = Record::new(update.connection.clone());
/// assert!(matches!(reconcile(Some(&newer), old), Decision::Stale { .. }));
/// ```
#[must_use]
pub fn reconcile(stored: Option<&Record>, observation: Observation<'_>) -> Decision {
    let incoming = observation.connection();
    let event_old = observation.old_status();
    let Some(stored) = stored else {
        return Decision::Apply(Changes::between(None, event_old, incoming));
    };
    if stored.connection.id != incoming.id {
        return Decision::OtherConnection {
            stored: stored.connection.id.clone(),
            incoming: incoming.id.clone(),
        };
    }
    if observation.delivery_id().is_some_and(|id| stored.knows(id)) {
        return Decision::Duplicate(DuplicateReason::SameDelivery);
    }
    let (stored_version, incoming_version) = (stored.version(), Version::of(incoming));
    // A delivery whose `old.status` is not the stored status: an event was missed. (One
    // whose `old.status` is the stored status follows it.) Gaps are built only when they
    // are the decision, so deciding allocates nothing unless it applies.
    let missed_from = event_old.filter(|old| **old != stored.connection.status);
    let missed = |old: &Reported<ConnectionStatus>| {
        Decision::Gap(Gap::Missed {
            stored: stored.connection.status.clone(),
            event_old: old.clone(),
            incoming: incoming.status.clone(),
        })
    };
    match incoming_version.order(&stored_version) {
        Some(Ordering::Less) => Decision::Stale {
            stored: stored_version,
            incoming: incoming_version,
        },
        Some(Ordering::Greater) => match missed_from {
            Some(old) => missed(old),
            None => apply(stored, incoming),
        },
        // Nothing orders them: the content decides (compared only here, where it matters).
        Some(Ordering::Equal) | None if stored.connection == *incoming => {
            Decision::Duplicate(DuplicateReason::SameVersion)
        }
        Some(Ordering::Equal) | None => match (missed_from, observation, event_old) {
            (Some(old), _, _) => missed(old),
            (None, Observation::Snapshot(_), _) | (None, Observation::Delivery { .. }, Some(_)) => {
                apply(stored, incoming)
            }
            (None, Observation::Delivery { .. }, None) => Decision::Gap(Gap::Unordered {
                stored: stored_version,
                incoming: incoming_version,
            }),
        },
    }
}

fn apply(stored: &Record, incoming: &ConnectionPayload) -> Decision {
    Decision::Apply(Changes::between(Some(&stored.connection), None, incoming))
}

/// The machine `connection` describes, given the one observed `before`.
fn observe(
    connection: &ConnectionPayload,
    before: Option<&ObservedConnection>,
) -> Option<ObservedConnection> {
    let status = connection.status.known()?;
    ObservedConnection::observe(Rules::Operational, status, connection.is_active, before).ok()
}

/// The machines of `connection`'s followed accounts, given those observed `before`.
fn observe_accounts(
    connection: &ConnectionPayload,
    before: &BTreeMap<String, ObservedAccount>,
) -> BTreeMap<String, ObservedAccount> {
    connection
        .accounts
        .iter()
        .filter_map(|account| {
            let key = account_key(account)?;
            let status = account.status.as_ref()?.known()?;
            let tracking = account.tracking_status.as_ref()?.known()?;
            let observed = ObservedAccount::observe(status, tracking, before.get(key)).ok()?;
            Some((key.to_owned(), observed))
        })
        .collect()
}
