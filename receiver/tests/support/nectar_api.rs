//! A double of Nectar's API on loopback, richer than the support module's `NectarDouble`:
//! companies' connection lists served page by page in Nectar's documented envelope, the
//! details of each connection, seeded faults (429 with `Retry-After`, 503), a delay per
//! answer, a refused key, hooks that change the lists between page requests, and counters
//! (requests of each kind, faults, the most requests in flight at once).
//!
//! Part of the test support (`support::nectar_api`); a bench reaches it by including
//! `tests/support/mod.rs`.
//!
//! What it answers, in order, for every request:
//!
//! 1. It is counted in [`Stats::requests`] and in flight (for [`Stats::max_in_flight`]) from
//!    its arrival until its response is ready (or the client gives up on it).
//! 2. It waits [`NectarApi::set_delay`] (at most [`MAX_DELAY`]).
//! 3. While [`NectarApi::refuse_key`] is set, the status set; else without
//!    `X-API-Key: test-api-key` ([`DOUBLE_API_KEY`]), 401. Both are counted in
//!    [`Stats::unauthorized`]. This holds for every path, unknown ones included.
//! 4. `GET /connection/company/{companyId}?page=&limit=&status=` (a list request):
//!    * 400 ([`Stats::bad_requests`]) for a `page` that is not a number from 1 to
//!      `u32::MAX`, a `limit` that is not a number from 1 to 500, an empty `status`, any of
//!      the three given twice, or a path that does not decode. `page` defaults to 1 and
//!      `limit` to 100; other parameters (`connectionOwnerEmail`, `sites`) are ignored.
//!    * Counted in [`Stats::list_requests`], then the hook set by
//!      [`NectarApi::on_list_request`] is called (it may change the lists; a hook that
//!      panics makes the answer a 500, counted in [`Stats::hook_panics`]).
//!    * A fault may answer it (below).
//!    * Else 200 with the page of the list as it is now: `status` keeps only the
//!      connections whose status is exactly that string (an unknown one keeps none);
//!      `totalPages` is `ceil(totalConnections / perPage)`, 0 for an empty list; a page past
//!      the end answers the last page (`currentPage` = `totalPages`), and for an empty list
//!      page 1 with no connections. Counted in [`Stats::pages_served`].
//! 5. `GET /connection/{connectionId}/details`: counted in [`Stats::details_requests`], a
//!    fault may answer it, else 200 with the connection's JSON, or 404 (counted in
//!    [`Stats::not_found`]) for an id no company lists.
//! 6. `GET /invitation/company/{companyId}`: counted in [`Stats::invitation_list_requests`],
//!    a fault may answer it, else 200 with `{"invitations": [...]}`, the company's
//!    invitations in the order they were created.
//! 7. The writes, each counted in [`Stats::write_requests`] once its body reads (a body
//!    that does not is a 400 before any draw), then a fault may answer it (before acting,
//!    so nothing is done):
//!    * `POST /invitation/connection/{connectionId}` with [`CreateInvitation`]'s body: 404
//!      for a connection no company lists; else an `ACTIVE` `EDIT_CONNECTION` invitation
//!      `inv_N` (N its place in the store, from 1), its link
//!      `https://app.example.com/invite/tokN`, `useCount` 0, `expiresAt` now plus
//!      `expiresInSeconds` (never without it), answered 201 and counted in
//!      [`Stats::invitations_created`].
//!    * `POST /invitation/{invitationId}/revoke`: 404 for an unknown id; an `ACTIVE` one
//!      becomes `REVOKED` ([`Stats::invitations_revoked`]); any other is answered 200
//!      unchanged (Nectar's docs are silent: idempotent-looking) and counted in
//!      [`Stats::revokes_of_inactive`]. The answer is the invitation.
//!    * `PATCH /connection/{connectionId}/status` with `{"confirm": bool}`: 404 for a
//!      connection no company lists; else recorded in [`NectarApi::decisions`], and each
//!      of its accounts that awaits a decision (`DETECTED`, `trackingStatus` `UNSET` or
//!      absent) gets `trackingStatus` `ENABLED` (`DISABLED` for `false`; `isTracked`, if
//!      present, follows), counted per account in [`NectarApi::confirmations`]. The
//!      connection's other fields, its version fields included, stay as they are. A
//!      decision that finds no account awaiting is counted in
//!      [`Stats::redundant_decisions`]. The answer is `{}`.
//!
//!    A write done may still be answered 503 (its answer lost, counted in
//!    [`Stats::answers_lost`]): the next [`NectarApi::fail_after_next_writes`] writes, then
//!    a share drawn by [`NectarApi::set_lost_answers`]. A write answered 404 or 400 was not
//!    done and is never lost.
//! 8. Any other path: 404; another method on those paths: 405.
//!
//! Faults come after the key and (for a list) after the hook: each list, details,
//! invitation list or write request draws one number from 0 to 999 from a generator
//! seeded by [`Faults::seed`]; below `rate_limited_per_mille` it is answered 429 with
//! `Retry-After`, below `rate_limited_per_mille + unavailable_per_mille` 503, in both cases
//! before anything is done. A faulted request still counts in `list_requests`,
//! `details_requests`, `invitation_list_requests` or `write_requests` (those count the
//! requests that reached the store, as the hook's [`ListRequest::index`] does);
//! [`Stats::pages_served`] counts the pages actually answered.
//!
//! Invitation statuses follow the core's precedence (`REVOKED`, else `FULFILLED`, else
//! `EXPIRED` at and after `expiresAt`, else `ACTIVE`): an `ACTIVE` invitation whose
//! `expiresAt` has come is `EXPIRED` in the store from the first look after that instant
//! (every answer and every accessor looks first), so what is served and what
//! [`NectarApi::invitations`] returns agree.
//!
//! The same routes are also served under `/v2.2`, `/v2.1` and `/v2`, the documented base
//! paths. Nothing on the server's path unwraps: odd input is a 4xx, never a panic.

// A bench including this module uses part of it, and `pub` marks what a test may use.
#![allow(dead_code, unreachable_pub)]

use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use super::{InFlight, bump, lock};
use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use jiff::Timestamp;
use nectar_lifecycle::invitation::{InvitationStatus, InvitationType};
use nectar_lifecycle::webhook::{
    AccountDecisionBody, AccountPayload, CompanyListPage, ConnectionPayload, CreateInvitation,
    InvitationPayload, PageLimit, PageNumber, Reported,
};
use nectar_lifecycle::{AccountStatus, TrackingStatus};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// The API key the double accepts, in `X-API-Key`.
pub const DOUBLE_API_KEY: &str = "test-api-key";

/// The longest [`NectarApi::set_delay`] is taken to be: a longer one is cut to this, so
/// that a delay never holds a test longer than its budget.
pub const MAX_DELAY: Duration = Duration::from_secs(30);

/// Faults injected after the key is checked, before anything is done, into list, details,
/// invitation list and write requests, by seeded randomness: one draw from 0 to 999 per
/// request.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Answer 429 with `Retry-After: <retry_after_secs>` to this share of requests, per
    /// thousand.
    pub rate_limited_per_mille: u32,
    /// The `Retry-After` value of a 429, in integer seconds (0 allowed).
    pub retry_after_secs: u64,
    /// Answer 503 to this share of requests, per thousand (after the 429s: the two shares
    /// add up, capped at all requests).
    pub unavailable_per_mille: u32,
    /// The seed of the draws; [`NectarApi::set_faults`] restarts the sequence from it.
    pub seed: u64,
}

/// Write answers lost, by seeded randomness of their own (the draws of [`Faults`] are not
/// disturbed): set by [`NectarApi::set_lost_answers`].
#[derive(Clone, Debug, Default)]
pub struct LostAnswers {
    /// A write (create, revoke, decide) that is done is then answered 503 with this share,
    /// per thousand: one draw from 0 to 999 per write done and not already lost to
    /// [`NectarApi::fail_after_next_writes`].
    pub write_answers_lost_per_mille: u32,
    /// The seed of the draws; [`NectarApi::set_lost_answers`] restarts the sequence from it.
    pub seed: u64,
}

/// A list request as the hook of [`NectarApi::on_list_request`] sees it: valid, with the key,
/// before any fault.
#[derive(Clone, Debug)]
pub struct ListRequest {
    /// The company, as decoded from the path.
    pub company_id: String,
    /// The page asked for (1 when not sent); may be past the end.
    pub page: u32,
    /// The limit asked for (100 when not sent).
    pub limit: u32,
    /// The status filter, if one was sent.
    pub status: Option<String>,
    /// Which list request this is, from 0, in the order they reached the hook.
    pub index: u64,
}

/// The double's counters, read by [`NectarApi::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Every request that arrived, whatever its path and answer.
    pub requests: u64,
    /// List requests with the key and valid parameters (faulted or not).
    pub list_requests: u64,
    /// Details requests with the key (faulted or not).
    pub details_requests: u64,
    /// Answered 429.
    pub rate_limited: u64,
    /// Answered 503.
    pub unavailable: u64,
    /// Refused for the key: 401 without the right key, or the status of
    /// [`NectarApi::refuse_key`].
    pub unauthorized: u64,
    /// Answered 400.
    pub bad_requests: u64,
    /// The most requests being answered at once, ever (from arrival to response).
    pub max_in_flight: u64,
    /// List requests answered 200 with a page.
    pub pages_served: u64,
    /// Details requests answered 404.
    pub not_found: u64,
    /// List requests answered 500 because the hook panicked.
    pub hook_panics: u64,
    /// Invitation list requests with the key (faulted or not).
    pub invitation_list_requests: u64,
    /// Write requests (create, revoke, decide) with the key and a body that reads (faulted
    /// or not).
    pub write_requests: u64,
    /// Invitations created.
    pub invitations_created: u64,
    /// Invitations revoked (`ACTIVE` to `REVOKED`).
    pub invitations_revoked: u64,
    /// Revokes of an invitation that was not `ACTIVE`, answered 200 with it unchanged.
    pub revokes_of_inactive: u64,
    /// Account decisions that found no account of the connection awaiting one.
    pub redundant_decisions: u64,
    /// Writes done, then answered 503: by [`NectarApi::fail_after_next_writes`] or
    /// [`NectarApi::set_lost_answers`].
    pub answers_lost: u64,
}

/// A hook called for each list request.
type ListHook = Arc<dyn Fn(&NectarApi, &ListRequest) + Send + Sync>;

/// A double of Nectar's API on 127.0.0.1 (see the module's docs for what it answers).
/// Clones share the same double.
#[derive(Clone)]
pub struct NectarApi {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

struct Shared {
    addr: SocketAddr,
    lists: Mutex<Lists>,
    hook: Mutex<Option<ListHook>>,
    faults: Mutex<FaultDraws>,
    delay: Mutex<Duration>,
    refused: Mutex<Option<StatusCode>>,
    shutdown: Notify,
    counters: Counters,
    writes: Mutex<Writes>,
    pauses: Mutex<Vec<(Step, Pause)>>,
}

/// A request of the actions' protocol the double can pause at ([`NectarApi::pause_after`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `GET /invitation/company/{companyId}`, after the list is read.
    List,
    /// `POST /invitation/connection/{connectionId}`, after the invitation is created.
    Create,
    /// `POST /invitation/{invitationId}/revoke`, after it is revoked.
    Revoke,
    /// `PATCH /connection/{connectionId}/status`, after the accounts are decided.
    Decide,
}

/// A pause armed by [`NectarApi::pause_after`]: `reached` is notified once the request was
/// done and its answer is held; the answer goes once `release` is notified (or after
/// [`MAX_DELAY`]).
#[derive(Clone, Debug, Default)]
pub struct Pause {
    /// Notified when a request reaches the pause.
    pub reached: Arc<Notify>,
    /// Notify to let its answer go.
    pub release: Arc<Notify>,
}

/// Nectar's invitation store and the account decisions it was sent.
struct Writes {
    invitations: Vec<InvitationPayload>,
    decisions: Vec<(String, bool)>,
    /// How many decisions were applied to each account, by (connection id, account key).
    confirmations: BTreeMap<(String, String), u32>,
    /// The next writes this many are done, then answered 503 (the answer lost).
    fail_after: usize,
    /// The share of the other writes done whose answer is lost, and its draws.
    lost: LostAnswers,
    lost_draws: fastrand::Rng,
}

impl Writes {
    fn new() -> Self {
        Self {
            invitations: Vec::new(),
            decisions: Vec::new(),
            confirmations: BTreeMap::new(),
            fail_after: 0,
            lost: LostAnswers::default(),
            lost_draws: fastrand::Rng::with_seed(0),
        }
    }

    /// Each `ACTIVE` invitation whose `expiresAt` has come by `now` becomes `EXPIRED`.
    fn expire_due(&mut self, now: Timestamp) {
        for invitation in &mut self.invitations {
            if is_active(invitation) && invitation.expires_at.is_some_and(|at| at <= now) {
                invitation.status = Reported::Known(InvitationStatus::Expired);
            }
        }
    }

    /// The invitation `id`, if the store holds it.
    fn find(&mut self, id: &str) -> Option<&mut InvitationPayload> {
        self.invitations.iter_mut().find(|i| i.id == id)
    }

    /// Whether the answer of the write just done is lost: the next of
    /// `fail_after_next_writes`, else a draw below the lost share.
    fn answer_lost(&mut self) -> bool {
        if self.fail_after > 0 {
            self.fail_after -= 1;
            return true;
        }
        let share = self.lost.write_answers_lost_per_mille;
        share > 0 && self.lost_draws.u32(0..1000) < share
    }
}

/// Whether Nectar reports `invitation` as `ACTIVE`.
fn is_active(invitation: &InvitationPayload) -> bool {
    invitation.status == Reported::Known(InvitationStatus::Active)
}

/// Whether `account` awaits its tracking decision: `DETECTED`, tracking `UNSET` or absent.
fn awaits_decision(account: &AccountPayload) -> bool {
    account.status == Some(Reported::Known(AccountStatus::Detected))
        && account
            .tracking_status
            .as_ref()
            .is_none_or(|t| *t == Reported::Known(TrackingStatus::Unset))
}

/// How [`NectarApi::confirmations`] names an account: its id, else its account number,
/// else `#` and its index in the connection's accounts.
fn account_key(account: &AccountPayload, index: usize) -> String {
    account
        .id
        .clone()
        .or_else(|| account.account_number.clone())
        .unwrap_or_else(|| format!("#{index}"))
}

/// The store locked, as it is now: invitations past their `expiresAt` expired first.
fn writes_now(shared: &Shared) -> std::sync::MutexGuard<'_, Writes> {
    let mut writes = lock(&shared.writes);
    writes.expire_due(Timestamp::now());
    writes
}

/// Nectar's truth: each company's list of ids in order, and each connection by id.
#[derive(Default)]
struct Lists {
    order: HashMap<String, Vec<String>>,
    by_id: HashMap<String, (String, ConnectionPayload)>,
}

impl Lists {
    /// Takes `id` out of its company's list (the connection itself stays in `by_id`).
    fn unlist(&mut self, company_id: &str, id: &str) {
        if let Some(ids) = self.order.get_mut(company_id) {
            ids.retain(|listed| listed != id);
        }
    }
}

struct FaultDraws {
    faults: Faults,
    rng: fastrand::Rng,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    list_requests: AtomicU64,
    details_requests: AtomicU64,
    rate_limited: AtomicU64,
    unavailable: AtomicU64,
    unauthorized: AtomicU64,
    bad_requests: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    pages_served: AtomicU64,
    not_found: AtomicU64,
    hook_panics: AtomicU64,
    invitation_list_requests: AtomicU64,
    write_requests: AtomicU64,
    invitations_created: AtomicU64,
    invitations_revoked: AtomicU64,
    revokes_of_inactive: AtomicU64,
    redundant_decisions: AtomicU64,
    answers_lost: AtomicU64,
}

impl NectarApi {
    /// Starts it on 127.0.0.1, on an ephemeral port: no connections, no faults, no delay.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("the listener's address");
        let shared = Arc::new(Shared {
            addr,
            lists: Mutex::new(Lists::default()),
            hook: Mutex::new(None),
            faults: Mutex::new(FaultDraws {
                faults: Faults::default(),
                rng: fastrand::Rng::with_seed(0),
            }),
            delay: Mutex::new(Duration::ZERO),
            refused: Mutex::new(None),
            shutdown: Notify::new(),
            counters: Counters::default(),
            writes: Mutex::new(Writes::new()),
            pauses: Mutex::new(Vec::new()),
        });
        let api = Self { addr, shared };
        let app = api.router();
        let shared = Arc::clone(&api.shared);
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move { shared.shutdown.notified().await })
                .await;
            if let Err(err) = served {
                eprintln!("the double of Nectar's API stopped: {err}");
            }
        });
        api
    }

    fn router(&self) -> Router {
        let routes = Router::new()
            .route("/connection/company/{company_id}", get(list))
            .route("/connection/{connection_id}/details", get(details))
            .route("/connection/{connection_id}/status", patch(decide))
            .route(
                "/invitation/connection/{connection_id}",
                post(create_invitation),
            )
            .route("/invitation/company/{company_id}", get(company_invitations))
            .route(
                "/invitation/{invitation_id}/revoke",
                post(revoke_invitation),
            );
        Router::new()
            .merge(routes.clone())
            .nest("/v2.2", routes.clone())
            .nest("/v2.1", routes.clone())
            .nest("/v2", routes)
            .fallback(|| async { StatusCode::NOT_FOUND })
            .layer(middleware::from_fn_with_state(
                Arc::clone(&self.shared),
                arrival,
            ))
            .with_state(Arc::clone(&self.shared))
    }

    /// Nectar's invitations, in the order they were created, as they are served now (an
    /// `ACTIVE` one past its `expiresAt` is `EXPIRED`).
    pub fn invitations(&self) -> Vec<InvitationPayload> {
        writes_now(&self.shared).invitations.clone()
    }

    /// Connection `connection_id`'s invitations (of any type and status), in the order they
    /// were created, as they are served now.
    pub fn invitations_of(&self, connection_id: &str) -> Vec<InvitationPayload> {
        writes_now(&self.shared)
            .invitations
            .iter()
            .filter(|i| i.connection_id.as_deref() == Some(connection_id))
            .cloned()
            .collect()
    }

    /// Connection `connection_id`'s reconnect invitations that are usable now: `ACTIVE`,
    /// `EDIT_CONNECTION`, not past their `expiresAt`. A receiver that reconnects exactly
    /// once leaves at most one.
    pub fn active_reconnects(&self, connection_id: &str) -> Vec<InvitationPayload> {
        let reconnect = Some(Reported::Known(InvitationType::EditConnection));
        self.invitations_of(connection_id)
            .into_iter()
            .filter(|i| is_active(i) && i.invitation_type == reconnect)
            .collect()
    }

    /// Nectar holds `invitation` (made elsewhere: by hand, or by another client), served as
    /// the created ones are: in place of the one with its id, else after the others. It
    /// does not count in [`Stats::invitations_created`].
    pub fn put_invitation(&self, invitation: InvitationPayload) {
        let mut writes = writes_now(&self.shared);
        match writes.find(&invitation.id) {
            Some(held) => *held = invitation,
            None => writes.invitations.push(invitation),
        }
        writes.expire_due(Timestamp::now());
    }

    /// Invitation `invitation_id` expires now, as if its time had come: its `expiresAt` is
    /// now, and it is `EXPIRED` if it was `ACTIVE` (a revoked or fulfilled one keeps its
    /// status, as the core's precedence has it). Whether the store holds it.
    pub fn expire(&self, invitation_id: &str) -> bool {
        let mut writes = writes_now(&self.shared);
        let Some(invitation) = writes.find(invitation_id) else {
            return false;
        };
        invitation.expires_at = Some(Timestamp::now());
        if is_active(invitation) {
            invitation.status = Reported::Known(InvitationStatus::Expired);
        }
        true
    }

    /// Invitation `invitation_id` is used up, as if the end user had used it: `useCount` is
    /// its `maxUses` (1 when unlimited), and it is `FULFILLED` unless it was revoked (the
    /// core's precedence). Whether the store holds it.
    pub fn fulfil(&self, invitation_id: &str) -> bool {
        let mut writes = writes_now(&self.shared);
        let Some(invitation) = writes.find(invitation_id) else {
            return false;
        };
        invitation.use_count = Some(invitation.max_uses.unwrap_or(1));
        if invitation.status != Reported::Known(InvitationStatus::Revoked) {
            invitation.status = Reported::Known(InvitationStatus::Fulfilled);
        }
        true
    }

    /// The account decisions sent, `(connection id, confirm)`, in order: every decision
    /// done, redundant ones included.
    pub fn decisions(&self) -> Vec<(String, bool)> {
        lock(&self.shared.writes).decisions.clone()
    }

    /// How many decisions (confirm or reject) were applied to each account of connection
    /// `connection_id` that ever had one, `(account key, count)` by key: an account is
    /// named by its id, else its account number, else `#` and its index. A decision is
    /// applied to an account only while it awaits one, so a count above 1 means it awaited
    /// a decision again (put back so by [`NectarApi::put`]) and was decided again.
    pub fn confirmations(&self, connection_id: &str) -> Vec<(String, u32)> {
        lock(&self.shared.writes)
            .confirmations
            .iter()
            .filter(|((connection, _), _)| connection == connection_id)
            .map(|((_, account), count)| (account.clone(), *count))
            .collect()
    }

    /// The accounts decided more than once, `(connection id, account key, count)`, by
    /// connection and key: empty when every account was decided at most once.
    pub fn confirmed_twice(&self) -> Vec<(String, String, u32)> {
        lock(&self.shared.writes)
            .confirmations
            .iter()
            .filter(|(_, count)| **count > 1)
            .map(|((connection, account), count)| (connection.clone(), account.clone(), *count))
            .collect()
    }

    /// The next `n` writes (create, revoke, decide) are done, then answered 503: an answer
    /// lost after the work, which a client must not take for "not done". Replaces the
    /// count set before; the lost share of [`NectarApi::set_lost_answers`] applies after.
    pub fn fail_after_next_writes(&self, n: usize) {
        lock(&self.shared.writes).fail_after = n;
    }

    /// Loses the answers of this share of the writes done from now on, restarting the
    /// draws from its seed ([`LostAnswers::default`]: none).
    pub fn set_lost_answers(&self, lost: LostAnswers) {
        let mut writes = lock(&self.shared.writes);
        writes.lost_draws = fastrand::Rng::with_seed(lost.seed);
        writes.lost = lost;
    }

    /// Arms a pause of the next `step`: the request is done, then its answer is held until
    /// the returned pause is released, so a test can kill the client at that point.
    pub fn pause_after(&self, step: Step) -> Pause {
        let pause = Pause::default();
        lock(&self.shared.pauses).push((step, pause.clone()));
        pause
    }

    /// `http://127.0.0.1:PORT`, the base URL to configure (without `/v2.2`: the routes are
    /// served at the root too).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Injects `faults` from now on, restarting the draws from its seed.
    pub fn set_faults(&self, faults: Faults) {
        let rng = fastrand::Rng::with_seed(faults.seed);
        *lock(&self.shared.faults) = FaultDraws { faults, rng };
    }

    /// Each answer waits `delay` after the request arrives (at most [`MAX_DELAY`]), so that
    /// requests overlap.
    pub fn set_delay(&self, delay: Duration) {
        *lock(&self.shared.delay) = delay.min(MAX_DELAY);
    }

    /// Company `company_id` now lists `connection`: in its place if the company already
    /// lists its id, else at the end of the list (taken out of another company's list if
    /// another listed it). Its details are served as it is: its accounts' tracking too,
    /// replacing what decisions made through `PATCH /connection/{id}/status` had set (an
    /// account put back `DETECTED` and `UNSET` awaits a decision again).
    pub fn put(&self, company_id: &str, connection: ConnectionPayload) {
        let mut lists = lock(&self.shared.lists);
        let id = connection.id.clone();
        let previous = lists
            .by_id
            .insert(id.clone(), (company_id.to_owned(), connection));
        match previous {
            Some((owner, _)) if owner == company_id => {}
            Some((owner, _)) => {
                lists.unlist(&owner, &id);
                lists
                    .order
                    .entry(company_id.to_owned())
                    .or_default()
                    .push(id);
            }
            None => lists
                .order
                .entry(company_id.to_owned())
                .or_default()
                .push(id),
        }
    }

    /// Connection `connection_id` is gone: out of its list (later ones move up a place, so
    /// pages shift) and its details 404. Nothing happens for an unknown id.
    pub fn remove(&self, connection_id: &str) {
        let mut lists = lock(&self.shared.lists);
        if let Some((owner, _)) = lists.by_id.remove(connection_id) {
            lists.unlist(&owner, connection_id);
        }
    }

    /// Connection `connection_id` moves to the front of its list (those before it move down
    /// a place). Nothing happens for an unknown id.
    pub fn move_to_front(&self, connection_id: &str) {
        let mut lists = lock(&self.shared.lists);
        let Some((owner, _)) = lists.by_id.get(connection_id) else {
            return;
        };
        let owner = owner.clone();
        if let Some(ids) = lists.order.get_mut(&owner)
            && let Some(at) = ids.iter().position(|id| id == connection_id)
        {
            let id = ids.remove(at);
            ids.insert(0, id);
        }
    }

    /// Company `company_id`'s connections as Nectar holds them now, in list order.
    pub fn connections(&self, company_id: &str) -> Vec<ConnectionPayload> {
        let lists = lock(&self.shared.lists);
        lists.order.get(company_id).map_or_else(Vec::new, |ids| {
            ids.iter()
                .filter_map(|id| lists.by_id.get(id).map(|(_, c)| c.clone()))
                .collect()
        })
    }

    /// Calls `hook` for each valid list request with the key, before it is answered (and
    /// before any fault), with this double and the request: it may change the lists with
    /// [`NectarApi::put`], [`NectarApi::remove`] and [`NectarApi::move_to_front`]. Replaces
    /// the hook set before.
    pub fn on_list_request(&self, hook: impl Fn(&NectarApi, &ListRequest) + Send + Sync + 'static) {
        *lock(&self.shared.hook) = Some(Arc::new(hook));
    }

    /// No hook any more.
    pub fn clear_list_hook(&self) {
        *lock(&self.shared.hook) = None;
    }

    /// `Some(status)` (401 or 403): every request is answered `status`, whatever its key;
    /// `None`: the key is checked again. A status that is not a valid HTTP status reads as
    /// 401.
    pub fn refuse_key(&self, status: Option<u16>) {
        *lock(&self.shared.refused) =
            status.map(|code| StatusCode::from_u16(code).unwrap_or(StatusCode::UNAUTHORIZED));
    }

    /// The counters now.
    pub fn stats(&self) -> Stats {
        let c = &self.shared.counters;
        let read = |counter: &AtomicU64| counter.load(Ordering::SeqCst);
        Stats {
            requests: read(&c.requests),
            list_requests: read(&c.list_requests),
            details_requests: read(&c.details_requests),
            rate_limited: read(&c.rate_limited),
            unavailable: read(&c.unavailable),
            unauthorized: read(&c.unauthorized),
            bad_requests: read(&c.bad_requests),
            max_in_flight: read(&c.max_in_flight),
            pages_served: read(&c.pages_served),
            not_found: read(&c.not_found),
            hook_panics: read(&c.hook_panics),
            invitation_list_requests: read(&c.invitation_list_requests),
            write_requests: read(&c.write_requests),
            invitations_created: read(&c.invitations_created),
            invitations_revoked: read(&c.invitations_revoked),
            revokes_of_inactive: read(&c.revokes_of_inactive),
            redundant_decisions: read(&c.redundant_decisions),
            answers_lost: read(&c.answers_lost),
        }
    }

    /// Stops it: no new connection is accepted, idle ones are closed, and requests being
    /// answered finish first (gracefully, in the background). Every clone is stopped.
    pub fn stop(&self) {
        self.shared.shutdown.notify_one();
    }
}

/// Every request: counted, in flight, delayed, and its key checked.
async fn arrival(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let counters = &shared.counters;
    bump(&counters.requests);
    let _in_flight = InFlight::arrive(&counters.in_flight, &counters.max_in_flight);
    let delay = *lock(&shared.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let refused = *lock(&shared.refused);
    if let Some(status) = refused {
        bump(&counters.unauthorized);
        return status.into_response();
    }
    let key = request
        .headers()
        .get("x-api-key")
        .and_then(|value| value.to_str().ok());
    if key != Some(DOUBLE_API_KEY) {
        bump(&counters.unauthorized);
        return StatusCode::UNAUTHORIZED.into_response();
    }
    next.run(request).await
}

/// A 400 with a JSON message, counted.
fn bad_request(shared: &Shared, message: String) -> Response {
    bump(&shared.counters.bad_requests);
    let body = serde_json::json!({ "message": message });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// The fault drawn for this request, if any, counted.
fn fault(shared: &Shared) -> Option<Response> {
    let mut draws = lock(&shared.faults);
    let FaultDraws { faults, rng } = &mut *draws;
    if faults.rate_limited_per_mille == 0 && faults.unavailable_per_mille == 0 {
        return None;
    }
    let draw = rng.u32(0..1000);
    if draw < faults.rate_limited_per_mille {
        bump(&shared.counters.rate_limited);
        let retry_after = HeaderValue::from(faults.retry_after_secs);
        Some(
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after)],
            )
                .into_response(),
        )
    } else if draw
        < faults
            .rate_limited_per_mille
            .saturating_add(faults.unavailable_per_mille)
    {
        bump(&shared.counters.unavailable);
        Some(StatusCode::SERVICE_UNAVAILABLE.into_response())
    } else {
        None
    }
}

/// The query parameters of a list request, validated.
struct ListParams {
    page: PageNumber,
    limit: PageLimit,
    status: Option<String>,
}

impl ListParams {
    fn parse(pairs: &[(String, String)]) -> Result<Self, String> {
        let mut page = None;
        let mut limit = None;
        let mut status = None;
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "page" => &mut page,
                "limit" => &mut limit,
                "status" => &mut status,
                _ => continue,
            };
            if slot.replace(value.as_str()).is_some() {
                return Err(format!("`{name}` is given twice"));
            }
        }
        let page = match page {
            None => PageNumber::FIRST,
            Some(page) => page
                .parse::<u32>()
                .ok()
                .and_then(|number| PageNumber::new(number).ok())
                .ok_or_else(|| format!("page {page:?} is not a number from 1"))?,
        };
        let limit = match limit {
            None => PageLimit::DEFAULT,
            Some(limit) => limit
                .parse::<u32>()
                .ok()
                .and_then(|number| PageLimit::new(number).ok())
                .ok_or_else(|| format!("limit {limit:?} is not a number from 1 to 500"))?,
        };
        let status = match status {
            Some("") => return Err("`status` is empty".to_owned()),
            other => other.map(str::to_owned),
        };
        Ok(Self {
            page,
            limit,
            status,
        })
    }
}

/// `GET /connection/company/{companyId}`.
async fn list(
    State(shared): State<Arc<Shared>>,
    company_id: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let Path(company_id) = match company_id {
        Ok(path) => path,
        Err(rejection) => return bad_request(&shared, rejection.body_text()),
    };
    let Query(pairs) = match query {
        Ok(query) => query,
        Err(rejection) => return bad_request(&shared, rejection.body_text()),
    };
    let params = match ListParams::parse(&pairs) {
        Ok(params) => params,
        Err(message) => return bad_request(&shared, message),
    };
    let index = shared.counters.list_requests.fetch_add(1, Ordering::SeqCst);
    let request = ListRequest {
        company_id,
        page: params.page.get(),
        limit: params.limit.get(),
        status: params.status,
        index,
    };
    // Taken out of the lock before the call: the hook may set another hook.
    let hook = lock(&shared.hook).clone();
    if let Some(hook) = hook {
        let api = NectarApi {
            addr: shared.addr,
            shared: Arc::clone(&shared),
        };
        if std::panic::catch_unwind(AssertUnwindSafe(|| hook(&api, &request))).is_err() {
            bump(&shared.counters.hook_panics);
            return (StatusCode::INTERNAL_SERVER_ERROR, "the list hook panicked").into_response();
        }
    }
    if let Some(fault) = fault(&shared) {
        return fault;
    }
    let page = page_of(&lock(&shared.lists), &request);
    bump(&shared.counters.pages_served);
    axum::Json(page).into_response()
}

/// The page `request` asks for, of the list as it is in `lists`.
fn page_of(lists: &Lists, request: &ListRequest) -> CompanyListPage {
    let ids = lists
        .order
        .get(&request.company_id)
        .map_or(&[][..], Vec::as_slice);
    let listed: Vec<&ConnectionPayload> = ids
        .iter()
        .filter_map(|id| lists.by_id.get(id).map(|(_, c)| c))
        .filter(|c| {
            request
                .status
                .as_deref()
                .is_none_or(|status| c.status.as_str() == status)
        })
        .collect();
    let total = listed.len();
    // `limit` is 1 to 500 and `page` from 1, as validated.
    let per_page = usize::try_from(request.limit).unwrap_or(1).max(1);
    let total_pages = total.div_ceil(per_page);
    let asked = usize::try_from(request.page).unwrap_or(usize::MAX).max(1);
    let current = asked.min(total_pages.max(1));
    let start = (current - 1).saturating_mul(per_page).min(total);
    let end = start.saturating_add(per_page).min(total);
    let current_page = u32::try_from(current).unwrap_or(u32::MAX);
    CompanyListPage {
        total_connections: u64::try_from(total).ok(),
        per_page: Some(request.limit),
        total_pages: Some(u32::try_from(total_pages).unwrap_or(u32::MAX)),
        current_page: PageNumber::new(current_page).ok(),
        has_next: Some(current < total_pages),
        has_previous: Some(current > 1),
        connections: listed[start..end].iter().map(|&c| c.clone()).collect(),
    }
}

/// `GET /connection/{connectionId}/details`.
async fn details(
    State(shared): State<Arc<Shared>>,
    connection_id: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(connection_id) = match connection_id {
        Ok(path) => path,
        Err(rejection) => return bad_request(&shared, rejection.body_text()),
    };
    bump(&shared.counters.details_requests);
    if let Some(fault) = fault(&shared) {
        return fault;
    }
    let found = lock(&shared.lists)
        .by_id
        .get(&connection_id)
        .map(|(_, c)| c.clone());
    match found {
        Some(connection) => axum::Json(connection).into_response(),
        None => {
            bump(&shared.counters.not_found);
            StatusCode::NOT_FOUND.into_response()
        }
    }
}

/// Holds the answer of a `step` that was done while a pause of it is armed.
async fn paused(shared: &Shared, step: Step) {
    let pause = {
        let mut pauses = lock(&shared.pauses);
        let index = pauses.iter().position(|(armed, _)| *armed == step);
        index.map(|index| pauses.remove(index).1)
    };
    if let Some(pause) = pause {
        pause.reached.notify_one();
        let _released_or_waited = tokio::time::timeout(MAX_DELAY, pause.release.notified()).await;
    }
}

/// The answer of a write `step` that was done (held while a pause is armed): 503 if its
/// answer is lost (counted), else `answer`.
async fn written(shared: &Shared, step: Step, answer: Response) -> Response {
    paused(shared, step).await;
    if lock(&shared.writes).answer_lost() {
        bump(&shared.counters.answers_lost);
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    answer
}

/// `POST /invitation/connection/{connectionId}`: a reconnect invitation, active.
async fn create_invitation(
    State(shared): State<Arc<Shared>>,
    connection_id: Result<Path<String>, PathRejection>,
    body: Result<axum::Json<CreateInvitation>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Path(connection_id) = match connection_id {
        Ok(path) => path,
        Err(rejection) => return bad_request(&shared, rejection.body_text()),
    };
    let Ok(axum::Json(request)) = body else {
        return bad_request(&shared, "the body is not an invitation request".to_owned());
    };
    bump(&shared.counters.write_requests);
    if let Some(fault) = fault(&shared) {
        return fault;
    }
    let company = lock(&shared.lists)
        .by_id
        .get(&connection_id)
        .map(|(company, _)| company.clone());
    let Some(company) = company else {
        bump(&shared.counters.not_found);
        return StatusCode::NOT_FOUND.into_response();
    };
    let now = Timestamp::now();
    let invitation = {
        let mut writes = writes_now(&shared);
        let n = writes.invitations.len() + 1;
        let expires_at = request.expires_in_seconds.and_then(|seconds| {
            now.checked_add(jiff::SignedDuration::from_secs(
                i64::try_from(seconds).ok()?,
            ))
            .ok()
        });
        let invitation = InvitationPayload {
            token: Some(format!("tok{n}")),
            invitation_type: Some(Reported::Known(InvitationType::EditConnection)),
            invitation_url: Some(format!("https://app.example.com/invite/tok{n}")),
            connection_id: Some(connection_id),
            company_id: Some(company),
            allowed_emails: request.allowed_emails,
            expires_at,
            max_uses: request.max_uses,
            use_count: Some(0),
            created_at: Some(now),
            ..InvitationPayload::new(format!("inv_{n}"), InvitationStatus::Active)
        };
        writes.invitations.push(invitation.clone());
        invitation
    };
    bump(&shared.counters.invitations_created);
    written(
        &shared,
        Step::Create,
        (StatusCode::CREATED, axum::Json(invitation)).into_response(),
    )
    .await
}

/// `POST /invitation/{invitationId}/revoke`: an active invitation is revoked, any other is
/// answered as it is.
async fn revoke_invitation(
    State(shared): State<Arc<Shared>>,
    invitation_id: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(invitation_id) = match invitation_id {
        Ok(path) => path,
        Err(rejection) => return bad_request(&shared, rejection.body_text()),
    };
    bump(&shared.counters.write_requests);
    if let Some(fault) = fault(&shared) {
        return fault;
    }
    let revoked = writes_now(&shared).find(&invitation_id).map(|invitation| {
        let was_active = is_active(invitation);
        if was_active {
            invitation.status = Reported::Known(InvitationStatus::Revoked);
        }
        (invitation.clone(), was_active)
    });
    match revoked {
        Some((invitation, was_active)) => {
            bump(if was_active {
                &shared.counters.invitations_revoked
            } else {
                &shared.counters.revokes_of_inactive
            });
            written(
                &shared,
                Step::Revoke,
                axum::Json(invitation).into_response(),
            )
            .await
        }
        None => {
            bump(&shared.counters.not_found);
            StatusCode::NOT_FOUND.into_response()
        }
    }
}

/// `GET /invitation/company/{companyId}`: an object holding the list (the docs do not
/// show the body; the library reads a bare array too).
async fn company_invitations(
    State(shared): State<Arc<Shared>>,
    company_id: Result<Path<String>, PathRejection>,
) -> Response {
    let Path(company_id) = match company_id {
        Ok(path) => path,
        Err(rejection) => return bad_request(&shared, rejection.body_text()),
    };
    bump(&shared.counters.invitation_list_requests);
    if let Some(fault) = fault(&shared) {
        return fault;
    }
    let invitations: Vec<InvitationPayload> = writes_now(&shared)
        .invitations
        .iter()
        .filter(|i| i.company_id.as_deref() == Some(company_id.as_str()))
        .cloned()
        .collect();
    paused(&shared, Step::List).await;
    axum::Json(serde_json::json!({ "invitations": invitations })).into_response()
}

/// `PATCH /connection/{connectionId}/status`: the accounts that await a decision get it.
async fn decide(
    State(shared): State<Arc<Shared>>,
    connection_id: Result<Path<String>, PathRejection>,
    body: Result<axum::Json<AccountDecisionBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Path(connection_id) = match connection_id {
        Ok(path) => path,
        Err(rejection) => return bad_request(&shared, rejection.body_text()),
    };
    let Ok(axum::Json(decision)) = body else {
        return bad_request(&shared, "the body is not {\"confirm\": bool}".to_owned());
    };
    bump(&shared.counters.write_requests);
    if let Some(fault) = fault(&shared) {
        return fault;
    }
    let tracking = if decision.confirm {
        TrackingStatus::Enabled
    } else {
        TrackingStatus::Disabled
    };
    // Only the accounts change: not the connection's status or version fields.
    let decided: Option<Vec<String>> =
        lock(&shared.lists)
            .by_id
            .get_mut(&connection_id)
            .map(|(_, connection)| {
                let mut keys = Vec::new();
                for (index, account) in connection.accounts.iter_mut().enumerate() {
                    if awaits_decision(account) {
                        account.tracking_status = Some(Reported::Known(tracking));
                        if let Some(tracked) = &mut account.is_tracked {
                            *tracked = decision.confirm;
                        }
                        keys.push(account_key(account, index));
                    }
                }
                keys
            });
    let Some(keys) = decided else {
        bump(&shared.counters.not_found);
        return StatusCode::NOT_FOUND.into_response();
    };
    if keys.is_empty() {
        bump(&shared.counters.redundant_decisions);
    }
    {
        let mut writes = lock(&shared.writes);
        for key in keys {
            *writes
                .confirmations
                .entry((connection_id.clone(), key))
                .or_default() += 1;
        }
        writes.decisions.push((connection_id, decision.confirm));
    }
    written(
        &shared,
        Step::Decide,
        axum::Json(serde_json::json!({})).into_response(),
    )
    .await
}
