//! The worklist: which connections need someone, and who (`GET /connections`). Each
//! connection's status, who must act for it (the library's remediation's actor) and since
//! when the receiver has seen that status are columns of `connections`, kept by the
//! transaction that stores the record, so the list is an indexed read.

use std::collections::BTreeMap;
use std::str::FromStr;

use jiff::Timestamp;
use nectar_lifecycle::remediation::Actor;
use serde::{Deserialize, Serialize};

use super::actions::invitation_in;
use super::sql::{Access, Arg, Sql};
use super::{
    InvitationView, OutboxEntry, OutboxRow, Store, StoreError, outbox_entry, read_record, remedy,
    timestamp,
};

/// The most connections one read of the worklist returns.
pub const MAX_WORKLIST_LIMIT: u32 = 200;

/// A page of one group: the group's index, in id order.
const SELECT_GROUP_PAGE: Sql = Sql::same(
    "SELECT id, record, status_since, last_sequence FROM connections \
     WHERE needs = $1 AND ($2 = '' OR status = $2) AND id > $3 ORDER BY id LIMIT $4",
);
/// A page of every connection (a status set means a record stored), in id order.
const SELECT_PAGE: Sql = Sql::same(
    "SELECT id, record, status_since, last_sequence FROM connections \
     WHERE status IS NOT NULL AND ($2 = '' OR status = $2) AND id > $3 AND $1 = '' \
     ORDER BY id LIMIT $4",
);
/// The counts, from the index on `(status, needs)` alone.
const SELECT_COUNTS: Sql = Sql::same(
    "SELECT status, COALESCE(needs, ''), COUNT(*) FROM connections \
     WHERE status IS NOT NULL GROUP BY status, needs ORDER BY 1, 2",
);
const SELECT_ENTRY: Sql = Sql::same(
    "SELECT connection_id, sequence, notification, status, delivery_id, created_at, \
     invitation FROM outbox WHERE connection_id = $1 AND sequence = $2",
);
/// Rows stored before the worklist's columns existed.
const SELECT_UNFILLED: Sql = Sql::same(
    "SELECT id, record, updated_at FROM connections WHERE record IS NOT NULL AND status IS NULL \
     ORDER BY id LIMIT 500",
);
const FILL: Sql =
    Sql::same("UPDATE connections SET status = $2, needs = $3, status_since = $4 WHERE id = $1");

/// Who must act for a connection to make progress, as the worklist groups connections
/// (`?needs=`): the library's [`Actor`], with Nectar support named `nectar`.
///
/// ```
/// use nectar_lifecycle::remediation::Actor;
/// use nectar_receiver::Needs;
///
/// assert_eq!(Needs::from(Actor::NectarSupport), Needs::Nectar);
/// assert_eq!("end_user".parse::<Needs>(), Ok(Needs::EndUser));
/// assert!("nectar_support".parse::<Needs>().is_err());
/// assert_eq!(serde_json::to_string(&Needs::Nobody)?, r#""nobody""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumIter,
    strum::IntoStaticStr,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Needs {
    /// The end user, through a reconnect invitation.
    EndUser,
    /// The integrator, through Nectar's API (an account decision, a deactivated connection).
    Integrator,
    /// Nectar support.
    Nectar,
    /// Nobody: Nectar's schedule takes care of it.
    Nobody,
}

impl From<Actor> for Needs {
    fn from(actor: Actor) -> Self {
        match actor {
            Actor::EndUser => Self::EndUser,
            Actor::Integrator => Self::Integrator,
            Actor::NectarSupport => Self::Nectar,
            Actor::Nobody => Self::Nobody,
        }
    }
}

impl FromStr for Needs {
    type Err = WorklistError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        <Self as strum::IntoEnumIterator>::iter()
            .find(|needs| <&str>::from(*needs) == value)
            .ok_or_else(|| WorklistError::Needs {
                value: value.chars().take(64).collect(),
            })
    }
}

/// Who must act for a connection in `status` (as Nectar spells it); `None` for a status the
/// library does not know.
pub(crate) fn needs_of(status: &str) -> Option<Needs> {
    remedy(status).map(|r| r.actor().into())
}

/// Where a worklist entry's `since` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SinceSource {
    /// Nectar's `statusFirstSeenTime`.
    Nectar,
    /// When the receiver first observed the connection in its status (Nectar did not say).
    Observed,
}

/// A bad worklist query, naming the parameter and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorklistError {
    /// `needs` is not one of `end_user`, `integrator`, `nectar`, `nobody`.
    #[error("needs: `{value}` is not end_user, integrator, nectar or nobody")]
    Needs {
        /// The value given (at most 64 characters of it).
        value: String,
    },
    /// `limit` is not 1 to [`MAX_WORKLIST_LIMIT`].
    #[error("limit: `{value}` is not a number from 1 to {MAX_WORKLIST_LIMIT}")]
    Limit {
        /// The value given (at most 64 characters of it).
        value: String,
    },
}

/// What to list: a group, a status, where to start, how many.
///
/// ```
/// use nectar_receiver::{Needs, WorklistQuery};
///
/// let query = WorklistQuery::parse(Some("end_user"), Some("PASSWORD_INCORRECT"), None, Some("20"))?;
/// assert_eq!(query.needs, Some(Needs::EndUser));
/// assert_eq!(query.limit, 20);
/// assert!(WorklistQuery::parse(Some("someone"), None, None, None).is_err());
/// # Ok::<(), nectar_receiver::WorklistError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorklistQuery {
    /// Only the connections this actor must act on.
    pub needs: Option<Needs>,
    /// Only the connections in this status (as Nectar spells it).
    pub status: Option<String>,
    /// After this cursor (the `next` of the page before).
    pub cursor: Option<String>,
    /// At most this many (1 to [`MAX_WORKLIST_LIMIT`]; 50 by default).
    pub limit: u32,
}

impl WorklistQuery {
    /// The connections read when `limit` is not given.
    pub const DEFAULT_LIMIT: u32 = 50;

    /// The query from its parameters as text (empty values count as absent).
    ///
    /// # Errors
    /// [`WorklistError`] naming the bad parameter.
    pub fn parse(
        needs: Option<&str>,
        status: Option<&str>,
        cursor: Option<&str>,
        limit: Option<&str>,
    ) -> Result<Self, WorklistError> {
        fn given(value: Option<&str>) -> Option<&str> {
            value.filter(|v| !v.is_empty())
        }
        let shown = |value: &str| value.chars().take(64).collect::<String>();
        let needs = given(needs).map(str::parse::<Needs>).transpose()?;
        let limit = match given(limit) {
            None => Self::DEFAULT_LIMIT,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_WORKLIST_LIMIT).contains(n))
                .ok_or_else(|| WorklistError::Limit { value: shown(v) })?,
        };
        Ok(Self {
            needs,
            status: given(status).map(str::to_owned),
            cursor: given(cursor).map(str::to_owned),
            limit,
        })
    }
}

/// One connection of the worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkItem {
    /// The connection.
    pub id: String,
    /// Its status, as Nectar spells it.
    #[schema(value_type = crate::schema::ConnectionStatus)]
    pub status: String,
    /// Who must act; `None` for a status the library does not know.
    pub needs: Option<Needs>,
    /// What to do, in words (the library's remediation).
    pub action: Option<String>,
    /// Since when it has been in this status.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub since: Option<Timestamp>,
    /// Where `since` comes from.
    pub since_source: SinceSource,
    /// The provider's name (`datasource.name`).
    pub provider: Option<String>,
    /// Its company.
    pub company_id: Option<String>,
    /// Its `externalId`.
    pub external_id: Option<String>,
    /// Its newest credential-error episode and reconnect invitation (reconnect invitations
    /// on).
    pub invitation: Option<InvitationView>,
    /// The last entry of its outbox.
    pub last_entry: Option<OutboxEntry>,
}

/// How many connections each group and each status holds (all of them, whatever the query).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkCounts {
    /// Every connection stored.
    pub total: i64,
    /// By who must act (`end_user`, `integrator`, `nectar`, `nobody`, and `unknown` for a
    /// status the library does not know); every group is present, 0 when empty.
    pub by_needs: BTreeMap<String, i64>,
    /// By status, as Nectar spells it.
    pub by_status: BTreeMap<String, i64>,
}

/// One read of the worklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Worklist {
    /// The connections, by id.
    pub connections: Vec<WorkItem>,
    /// The counts.
    pub counts: WorkCounts,
    /// The cursor of the next page; `None` on the last.
    pub next: Option<String>,
}

impl Store {
    /// The worklist page `query` asks for, with the counts per group and per status.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn worklist(&self, query: &WorklistQuery) -> Result<Worklist, StoreError> {
        let limit = query.limit.clamp(1, MAX_WORKLIST_LIMIT);
        let needs: &str = query.needs.map_or("", <&str>::from);
        let mut tx = self.pool.begin(Access::Read).await?;
        let rows: Vec<(String, String, Option<i64>, i64)> = tx
            .fetch_all(
                if needs.is_empty() {
                    SELECT_PAGE
                } else {
                    SELECT_GROUP_PAGE
                },
                &[
                    Arg::Text(needs),
                    Arg::Text(query.status.as_deref().unwrap_or("")),
                    Arg::Text(query.cursor.as_deref().unwrap_or("")),
                    Arg::Int(i64::from(limit) + 1),
                ],
            )
            .await?;
        let more = rows.len() > limit as usize;
        let mut connections = Vec::with_capacity(rows.len().min(limit as usize));
        for (id, json, status_since, last_sequence) in rows.into_iter().take(limit as usize) {
            let record = read_record(&id, &json)?;
            let connection = &record.connection;
            let status = connection.status.as_str().to_owned();
            let remedy = remedy(&status);
            let (since, since_source) = match connection.status_first_seen_time {
                Some(at) => (Some(at), SinceSource::Nectar),
                None => (status_since.map(timestamp), SinceSource::Observed),
            };
            let entry: Option<OutboxRow> = tx
                .fetch_optional(SELECT_ENTRY, &[Arg::Text(&id), Arg::Int(last_sequence)])
                .await?;
            let invitation = invitation_in(&mut tx, &id).await?;
            connections.push(WorkItem {
                needs: remedy.map(|r| r.actor().into()),
                action: remedy.map(|r| r.to_string()),
                since,
                since_source,
                provider: connection.datasource.as_ref().and_then(|d| d.name.clone()),
                company_id: connection.company.as_ref().and_then(|c| c.id.clone()),
                external_id: connection.external_id.clone(),
                invitation,
                last_entry: entry.map(outbox_entry).transpose()?,
                status,
                id,
            });
        }
        let counted: Vec<(String, String, i64)> = tx.fetch_all(SELECT_COUNTS, &[]).await?;
        tx.commit().await?;
        let mut counts = WorkCounts::default();
        for needs in <Needs as strum::IntoEnumIterator>::iter() {
            counts.by_needs.insert(needs.to_string(), 0);
        }
        for (status, needs, n) in counted {
            counts.total += n;
            let group = if needs.is_empty() { "unknown" } else { &needs };
            *counts.by_needs.entry(group.to_owned()).or_default() += n;
            *counts.by_status.entry(status).or_default() += n;
        }
        let next = more
            .then(|| connections.last().map(|item| item.id.clone()))
            .flatten();
        Ok(Worklist {
            connections,
            counts,
            next,
        })
    }

    /// Fills the worklist's columns of rows stored before they existed (at start-up).
    pub(super) async fn fill_worklist(&self) -> Result<(), StoreError> {
        loop {
            let mut tx = self.pool.begin(Access::Write).await?;
            let rows: Vec<(String, String, Option<String>)> =
                tx.fetch_all(SELECT_UNFILLED, &[]).await?;
            if rows.is_empty() {
                tx.commit().await?;
                return Ok(());
            }
            for (id, json, updated_at) in rows {
                let record = read_record(&id, &json)?;
                let status = record.connection.status.as_str();
                let since = updated_at
                    .and_then(|at| at.parse::<Timestamp>().ok())
                    .map(Timestamp::as_millisecond);
                tx.execute(
                    FILL,
                    &[
                        Arg::Text(&id),
                        Arg::Text(status),
                        Arg::MaybeText(needs_of(status).map(<&str>::from)),
                        Arg::MaybeInt(since),
                    ],
                )
                .await?;
            }
            tx.commit().await?;
        }
    }
}
