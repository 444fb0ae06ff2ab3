//! Sweeps: every connection of one company, read page by page through [`Sweep`]
//! (`api-facts`, "Listing a company's connections"). Behaviour tests of where a sweep stops,
//! what it hands on and what it says it listed, then properties against a model of Nectar's
//! list written here from the docs (not from the library): the documented page arithmetic,
//! a page past the end answered with the last page, and connections inserted, removed,
//! moved to the front or changed between two page requests.

use std::collections::{BTreeMap, BTreeSet};

use nectar_lifecycle_core::ConnectionStatus as S;
use nectar_lifecycle_support::proptest_cases;
use nectar_lifecycle_webhook::{
    self as webhook, COMPANY_LIST_KEYS, CompanyListPage, CompanyListQuery, ConnectionPayload,
    Decision, Observation, PageNumber, Record, Sweep, SweepEnd, SweepError, reconcile,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

/// `2026-12-01T09:00:00Z` plus `minute` minutes, as Nectar writes `updated`.
fn at(minute: u32) -> String {
    format!("2026-12-01T{:02}:{:02}:00Z", 9 + minute / 60, minute % 60)
}

/// The connection `id`, last updated at `minute`.
fn conn(id: &str, minute: u32) -> ConnectionPayload {
    ConnectionPayload {
        updated: Some(at(minute)),
        ..ConnectionPayload::new(id, S::Connected)
    }
}

/// A page with the given `currentPage`, `totalPages` and `hasNext`, the others left out.
fn page(
    current: Option<u32>,
    total: Option<u32>,
    has_next: Option<bool>,
    connections: Vec<ConnectionPayload>,
) -> CompanyListPage {
    CompanyListPage {
        current_page: current.map(number),
        total_pages: total,
        has_next,
        connections,
        ..CompanyListPage::default()
    }
}

/// Page `n`, which must be valid.
fn number(n: u32) -> PageNumber {
    PageNumber::new(n).unwrap_or_else(|e| panic!("{e}"))
}

fn ids(connections: &[ConnectionPayload]) -> Vec<&str> {
    connections.iter().map(|c| c.id.as_str()).collect()
}

/// The page the sweep asks for next, as a number.
fn asked(sweep: &Sweep) -> Option<u32> {
    sweep
        .request()
        .map(|query| query.page.expect("a sweep names its page").get())
}

fn sweep() -> Sweep {
    Sweep::new(CompanyListQuery::new("co-1"))
}

/// Takes a page the sweep must accept.
fn take(sweep: &mut Sweep, page: CompanyListPage) -> Vec<ConnectionPayload> {
    sweep.take(page).expect("a page the sweep takes")
}

#[test]
fn a_new_sweep_asks_for_page_one_with_its_filter_and_limit_whatever_page_the_query_names() {
    let query = CompanyListQuery::new("Acme EU/1")
        .with_status(S::PasswordIncorrect)
        .with_page(7)
        .and_then(|q| q.with_limit(50))
        .expect("in range");
    let sweep = Sweep::new(query);
    assert_eq!(sweep.company_id(), "Acme EU/1");
    let first = sweep.request().expect("a new sweep asks for a page");
    assert_eq!(
        first.path(),
        "/connection/company/Acme%20EU%2F1?status=PASSWORD_INCORRECT&page=1&limit=50"
    );
    // Asking is not taking: the same request until a page is taken.
    assert_eq!(sweep.request(), Some(first));
    assert_eq!(
        (sweep.end(), sweep.pages(), sweep.listed().len()),
        (None, 0, 0)
    );

    // Without a limit, none is sent: Nectar's default applies.
    assert_eq!(
        Sweep::new(CompanyListQuery::new("co-1"))
            .request()
            .map(|q| q.path()),
        Some("/connection/company/co-1?page=1".to_owned())
    );
}

#[test]
fn it_ends_on_has_next_false_even_when_total_pages_says_more() {
    let mut sweep = sweep();
    let handed = take(
        &mut sweep,
        page(Some(1), Some(5), Some(false), vec![conn("a", 0)]),
    );
    assert_eq!(ids(&handed), ["a"]);
    assert_eq!(sweep.end(), Some(SweepEnd::LastPage));
    assert_eq!((sweep.request(), sweep.pages()), (None, 1));
}

#[test]
fn it_ends_when_current_page_reaches_total_pages_whatever_has_next_says() {
    for has_next in [None, Some(true)] {
        let mut sweep = sweep();
        take(
            &mut sweep,
            page(Some(1), Some(2), has_next, vec![conn("a", 0)]),
        );
        assert_eq!(
            (asked(&sweep), sweep.end()),
            (Some(2), None),
            "{has_next:?}"
        );
        take(
            &mut sweep,
            page(Some(2), Some(2), has_next, vec![conn("b", 0)]),
        );
        assert_eq!(sweep.end(), Some(SweepEnd::LastPage), "{has_next:?}");
        assert_eq!((sweep.request(), sweep.pages()), (None, 2), "{has_next:?}");
    }

    // Past `totalPages` (the list shrank to 2 pages while page 3 was served as page 3).
    let mut sweep = sweep();
    take(&mut sweep, page(Some(1), Some(3), Some(true), vec![]));
    take(&mut sweep, page(Some(2), Some(3), Some(true), vec![]));
    take(&mut sweep, page(Some(3), Some(2), Some(true), vec![]));
    assert_eq!((sweep.end(), sweep.pages()), (Some(SweepEnd::LastPage), 3));
}

#[test]
fn it_follows_the_list_as_it_grows() {
    let mut sweep = sweep();
    take(
        &mut sweep,
        page(Some(1), Some(2), Some(true), vec![conn("a", 0)]),
    );
    // Connections were added while page 1 was read: 3 pages now.
    take(
        &mut sweep,
        page(Some(2), Some(3), Some(true), vec![conn("b", 0)]),
    );
    assert_eq!(asked(&sweep), Some(3));
    take(
        &mut sweep,
        page(Some(3), Some(3), Some(false), vec![conn("c", 0)]),
    );
    assert_eq!(sweep.end(), Some(SweepEnd::LastPage));
    assert_eq!(sweep.listed().collect::<Vec<_>>(), ["a", "b", "c"]);
}

#[test]
fn it_never_asks_past_the_largest_total_pages_it_was_told() {
    // Page 2 says more follow but not how many: page 1's `totalPages` (2) bounds the sweep.
    let mut sweep = sweep();
    take(&mut sweep, page(Some(1), Some(2), Some(true), vec![]));
    take(&mut sweep, page(Some(2), None, Some(true), vec![]));
    assert_eq!(
        (sweep.end(), sweep.request()),
        (Some(SweepEnd::LastPage), None)
    );

    // The largest, not the latest: a later page giving fewer pages (without saying it is
    // the last) does not cut the sweep short of the larger count it was given before.
    let mut sweep = self::sweep();
    take(&mut sweep, page(Some(1), Some(3), Some(true), vec![]));
    take(&mut sweep, page(None, Some(1), Some(true), vec![]));
    assert_eq!((asked(&sweep), sweep.end()), (Some(3), None));
    take(&mut sweep, page(None, None, Some(true), vec![]));
    assert_eq!(
        (sweep.end(), sweep.request()),
        (Some(SweepEnd::LastPage), None)
    );
    assert_eq!(sweep.pages(), 3);
}

#[test]
fn without_has_next_and_total_pages_a_page_is_the_last() {
    let mut sweep = sweep();
    take(&mut sweep, page(Some(1), None, None, vec![conn("a", 0)]));
    assert_eq!(
        (sweep.end(), sweep.request()),
        (Some(SweepEnd::LastPage), None)
    );

    // `hasNext: true` alone is enough to go on.
    let mut sweep = self::sweep();
    take(&mut sweep, page(None, None, Some(true), vec![conn("a", 0)]));
    assert_eq!(asked(&sweep), Some(2));
}

#[test]
fn past_the_end_ends_after_one_request() {
    let mut sweep = sweep();
    take(
        &mut sweep,
        page(
            Some(1),
            Some(3),
            Some(true),
            vec![conn("a", 0), conn("b", 0)],
        ),
    );
    take(
        &mut sweep,
        page(
            Some(2),
            Some(3),
            Some(true),
            vec![conn("c", 0), conn("d", 0)],
        ),
    );
    assert_eq!(asked(&sweep), Some(3));
    // Two connections were removed: page 3 is past the end, and Nectar answers the last
    // page, 2, which now holds `d` and `e`. What it holds that is new is handed on.
    let handed = take(
        &mut sweep,
        page(
            Some(2),
            Some(2),
            Some(false),
            vec![conn("d", 0), conn("e", 0)],
        ),
    );
    assert_eq!(ids(&handed), ["e"]);
    assert_eq!(
        sweep.end(),
        Some(SweepEnd::PastTheEnd {
            asked: number(3),
            answered: number(2),
        })
    );
    assert_eq!((sweep.request(), sweep.pages()), (None, 3));
    assert_eq!(
        sweep.listed().collect::<Vec<_>>(),
        ["a", "b", "c", "d", "e"]
    );
}

#[test]
fn a_server_that_answers_page_one_to_everything_is_not_read_in_a_loop() {
    // Whatever is asked, page 1 of 3 saying more follow: the sweep asks twice and stops.
    let mut sweep = sweep();
    let mut requests = 0;
    while sweep.request().is_some() && requests < 100 {
        requests += 1;
        take(
            &mut sweep,
            page(Some(1), Some(3), Some(true), vec![conn("a", 0)]),
        );
    }
    assert_eq!(requests, 2);
    assert_eq!(
        sweep.end(),
        Some(SweepEnd::PastTheEnd {
            asked: number(2),
            answered: PageNumber::FIRST,
        })
    );
}

#[test]
fn a_connection_listed_twice_is_handed_on_once_and_again_only_when_newer() {
    let mut sweep = sweep();
    let more = |current, connections| page(Some(current), Some(4), Some(true), connections);
    assert_eq!(
        ids(&take(
            &mut sweep,
            more(1, vec![conn("a", 10), conn("b", 10)])
        )),
        ["a", "b"]
    );
    // `b` moved to page 2, unchanged: not handed on again.
    assert_eq!(
        ids(&take(
            &mut sweep,
            more(2, vec![conn("b", 10), conn("c", 10)])
        )),
        ["c"]
    );
    // `a` again, newer: handed on. `c` again, older: dropped. `b` again without `updated`
    // (nothing orders it against the listing handed on): dropped.
    let b_unversioned = ConnectionPayload::new("b", S::PasswordIncorrect);
    assert_eq!(
        take(
            &mut sweep,
            more(3, vec![conn("a", 15), conn("c", 5), b_unversioned])
        ),
        [conn("a", 15)]
    );
    // `a` at 12 is newer than its first listing (10) but older than the one handed on (15):
    // dropped; at 20 it is newer than both, and handed on, in the page's order.
    let last = page(
        Some(4),
        Some(4),
        Some(false),
        vec![conn("a", 12), conn("d", 0), conn("a", 20), conn("d", 0)],
    );
    assert_eq!(take(&mut sweep, last), [conn("d", 0), conn("a", 20)]);
    assert_eq!(sweep.listed().collect::<Vec<_>>(), ["a", "b", "c", "d"]);
    assert!(sweep.was_listed("d") && !sweep.was_listed("e"));
}

#[test]
fn without_updated_the_status_time_orders_two_listings() {
    let listed = |id: &str, minute: u32| ConnectionPayload {
        status_last_update_time: Some(at(minute).parse().expect("a timestamp")),
        ..ConnectionPayload::new(id, S::Connected)
    };
    let mut sweep = sweep();
    let more = |current, connections| page(Some(current), Some(3), Some(true), connections);
    take(&mut sweep, more(1, vec![listed("a", 10)]));
    assert_eq!(take(&mut sweep, more(2, vec![listed("a", 10)])), []);
    assert_eq!(
        take(&mut sweep, more(3, vec![listed("a", 11)])),
        [listed("a", 11)]
    );
}

#[test]
fn not_listed_says_nothing_until_the_sweep_has_ended() {
    let stored = ["z", "a", "y", "b", "z"];
    let mut sweep = sweep();
    assert_eq!(sweep.not_listed(stored), None);
    take(
        &mut sweep,
        page(Some(1), Some(2), Some(true), vec![conn("a", 0)]),
    );
    assert_eq!(sweep.not_listed(stored), None, "half a sweep");
    take(
        &mut sweep,
        page(
            Some(2),
            Some(2),
            Some(false),
            vec![conn("b", 0), conn("c", 0)],
        ),
    );
    // The stored ids not listed, in the caller's order, as often as given.
    assert_eq!(sweep.not_listed(stored), Some(vec!["z", "y", "z"]));
    assert_eq!(sweep.not_listed([]), Some(vec![]));
    assert_eq!(sweep.not_listed(["c", "b"]), Some(vec![]));

    // A sweep ended past the end is complete too.
    let mut sweep = self::sweep();
    take(
        &mut sweep,
        page(Some(1), Some(2), Some(true), vec![conn("a", 0)]),
    );
    take(
        &mut sweep,
        page(Some(1), Some(1), Some(false), vec![conn("a", 0)]),
    );
    assert!(matches!(sweep.end(), Some(SweepEnd::PastTheEnd { .. })));
    assert_eq!(sweep.not_listed(["a", "b"]), Some(vec!["b"]));
}

#[test]
fn with_a_status_filter_not_listed_says_nothing_even_at_the_end() {
    let mut sweep = Sweep::new(CompanyListQuery::new("co-1").with_status(S::PasswordIncorrect));
    let listed = ConnectionPayload::new("a", S::PasswordIncorrect);
    take(&mut sweep, CompanyListPage::single(vec![listed]));
    assert_eq!(sweep.end(), Some(SweepEnd::LastPage));
    assert_eq!(sweep.not_listed(["a", "b"]), None);
    assert_eq!(sweep.listed().collect::<Vec<_>>(), ["a"]);
}

#[test]
fn a_page_later_than_asked_is_refused_and_changes_nothing() {
    let mut sweep = sweep();
    take(
        &mut sweep,
        page(Some(1), Some(3), Some(true), vec![conn("a", 0)]),
    );
    let before = sweep.clone();
    let later = page(
        Some(3),
        Some(9),
        Some(true),
        vec![conn("x", 0), conn("a", 5)],
    );
    let err = sweep.take(later).expect_err("page 3 answered for page 2");
    assert_eq!(
        err,
        SweepError::UnexpectedPage {
            company: "co-1".to_owned(),
            asked: 2,
            answered: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "asked for page 2 of company co-1's connections, Nectar answered page 3"
    );
    assert_eq!(sweep, before);
    assert_eq!(
        (asked(&sweep), sweep.pages(), sweep.end()),
        (Some(2), 1, None)
    );
    assert!(!sweep.was_listed("x"));
    // `a` at 5 was not noted either: it is still newer than what was handed on.
    // Nor was `totalPages: 9`: the sweep is still bounded by 3.
    let handed = take(
        &mut sweep,
        page(Some(2), None, Some(true), vec![conn("a", 5)]),
    );
    assert_eq!(handed, [conn("a", 5)]);
    take(&mut sweep, page(Some(3), None, Some(true), vec![]));
    assert_eq!((sweep.end(), sweep.pages()), (Some(SweepEnd::LastPage), 3));
}

#[test]
fn an_ended_sweep_takes_nothing_more_and_changes_nothing() {
    let mut sweep = sweep();
    take(&mut sweep, CompanyListPage::single(vec![conn("a", 0)]));
    let before = sweep.clone();
    let err = sweep
        .take(CompanyListPage::single(vec![conn("b", 0)]))
        .expect_err("ended");
    assert_eq!(
        err,
        SweepError::Ended {
            company: "co-1".to_owned()
        }
    );
    assert_eq!(
        err.to_string(),
        "the sweep of company co-1's connections has ended; start a new one"
    );
    assert_eq!(sweep, before);
    assert_eq!((sweep.pages(), sweep.was_listed("b")), (1, false));
    assert_eq!(sweep.not_listed(["a", "b"]), Some(vec!["b"]));
}

#[test]
fn bodies_parsed_from_json_drive_the_sweep() {
    // A bare array is one complete page.
    let mut sweep = sweep();
    let bare = br#"[{"id":"c1","status":"CONNECTED"},{"id":"c2","status":"PENDING"}]"#;
    let page = webhook::parse_company_page(bare).expect("a bare array");
    assert_eq!(ids(&take(&mut sweep, page)), ["c1", "c2"]);
    assert_eq!((sweep.end(), sweep.pages()), (Some(SweepEnd::LastPage), 1));

    // An envelope without page fields cannot say that more follow: the last page.
    let mut sweep = self::sweep();
    let page = webhook::parse_company_page(br#"{"data":[{"id":"c1","status":"CONNECTED"}]}"#);
    take(&mut sweep, page.expect("an envelope"));
    assert_eq!(sweep.end(), Some(SweepEnd::LastPage));

    // Nectar's envelope, `currentPage` missing: taken as the page asked for.
    let mut sweep = self::sweep();
    let first = br#"{"totalConnections":3,"perPage":2,"totalPages":2,"hasNext":true,
        "hasPrevious":false,"connections":[{"id":"c1","status":"CONNECTED"},
        {"id":"c2","status":"PENDING"}]}"#;
    take(
        &mut sweep,
        webhook::parse_company_page(first).expect("page 1"),
    );
    assert_eq!(asked(&sweep), Some(2));
    let second = br#"{"totalConnections":3,"perPage":2,"totalPages":2,"currentPage":2,
        "hasNext":false,"hasPrevious":true,"connections":[{"id":"c3","status":"CONNECTED"}]}"#;
    take(
        &mut sweep,
        webhook::parse_company_page(second).expect("page 2"),
    );
    assert_eq!(sweep.end(), Some(SweepEnd::LastPage));
    assert_eq!(sweep.listed().collect::<Vec<_>>(), ["c1", "c2", "c3"]);
}

#[test]
fn what_a_sweep_hands_on_is_reconciled_as_a_snapshot_against_the_record() {
    // The record was written from a webhook at minute 20; the page was read before it.
    let stored = Record::new(conn("a", 20));
    let mut sweep = sweep();
    let handed = take(
        &mut sweep,
        CompanyListPage::single(vec![conn("a", 10), conn("b", 10)]),
    );
    let decisions: Vec<_> = handed
        .iter()
        .map(|c| {
            let record = (c.id == "a").then_some(&stored);
            reconcile(record, Observation::Snapshot(c))
        })
        .collect();
    assert!(
        matches!(decisions[0], Decision::Stale { .. }),
        "{decisions:?}"
    );
    assert!(matches!(decisions[1], Decision::Apply(_)), "{decisions:?}");
}

// --- Nectar's list, modelled from the docs -------------------------------------------------

/// A change to the list between two page requests. Each names a position by a number taken
/// modulo the list's length (its length + 1 for an insertion).
#[derive(Debug, Clone, Copy)]
enum Mutation {
    /// A new connection at this position.
    Insert(usize),
    /// The connection at this position is removed.
    Remove(usize),
    /// The connection at this position moves to the front, unchanged.
    MoveToFront(usize),
    /// The connection at this position changes (a later `updated`), in place.
    Touch(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Insert),
        any::<usize>().prop_map(Mutation::Remove),
        any::<usize>().prop_map(Mutation::MoveToFront),
        any::<usize>().prop_map(Mutation::Touch),
    ]
}

/// A page field the server leaves out of every page (the library reads each as optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Omitted {
    Nothing,
    HasNext,
    TotalPages,
    CurrentPage,
}

fn omitted() -> impl Strategy<Value = Omitted> {
    prop_oneof![
        3 => Just(Omitted::Nothing),
        1 => Just(Omitted::HasNext),
        1 => Just(Omitted::TotalPages),
        1 => Just(Omitted::CurrentPage),
    ]
}

/// A connection as the server holds it: its id and the minute of its `updated`.
type Held = (String, u32);

/// One company's connections at Nectar, in list order, answering
/// `GET /connection/company/{companyId}` as the docs describe: `page` from 1 (default 1),
/// `limit` (default 100), `totalPages` = ceil(connections / limit), and a page past the end
/// answered with the last valid page.
struct Nectar {
    connections: Vec<Held>,
    clock: u32,
    inserted: usize,
    key: &'static str,
    omitted: Omitted,
}

impl Nectar {
    fn new(count: usize, key: &'static str, omitted: Omitted) -> Self {
        Self {
            connections: (0..count).map(|i| (format!("c{i:04}"), 0)).collect(),
            clock: 0,
            inserted: 0,
            key,
            omitted,
        }
    }

    /// Applies `mutation`; whether it changed anything (an empty list has nothing to remove,
    /// move or change).
    fn apply(&mut self, mutation: Mutation) -> bool {
        self.clock += 1;
        let len = self.connections.len();
        match mutation {
            Mutation::Insert(at) => {
                self.inserted += 1;
                let held = (format!("n{:04}", self.inserted), self.clock);
                self.connections.insert(at % (len + 1), held);
            }
            _ if len == 0 => return false,
            Mutation::Remove(at) => {
                self.connections.remove(at % len);
            }
            Mutation::MoveToFront(at) => {
                let held = self.connections.remove(at % len);
                self.connections.insert(0, held);
            }
            Mutation::Touch(at) => self.connections[at % len].1 = self.clock,
        }
        true
    }

    fn ids(&self) -> impl Iterator<Item = &str> {
        self.connections.iter().map(|(id, _)| id.as_str())
    }

    /// The page each connection is on at this limit.
    fn pages_by_id(&self, limit: usize) -> BTreeMap<String, usize> {
        let ids = self.connections.iter().map(|(id, _)| id.clone());
        ids.enumerate().map(|(i, id)| (id, i / limit + 1)).collect()
    }

    /// The answer to `GET {path}`: the body, and the connections it holds.
    fn answer(&self, path: &str) -> (Vec<u8>, Vec<Held>) {
        let (resource, params) = path.split_once('?').unwrap_or((path, ""));
        assert_eq!(resource, "/connection/company/co-1", "{path}");
        let (mut page, mut limit) = (1_usize, 100_usize);
        for param in params.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = param.split_once('=').expect("name=value");
            let value: usize = value.parse().expect("a number");
            match name {
                "page" => page = value,
                "limit" => limit = value,
                _ => panic!("unexpected parameter {param} in {path}"),
            }
        }
        assert!(page >= 1, "page {page} in {path}");
        assert!((1..=500).contains(&limit), "limit {limit} in {path}");
        let total_pages = self.connections.len().div_ceil(limit);
        let current = page.min(total_pages.max(1));
        let held: Vec<Held> = self
            .connections
            .iter()
            .skip((current - 1) * limit)
            .take(limit)
            .cloned()
            .collect();
        let listed: Vec<_> = held
            .iter()
            .map(|(id, minute)| {
                serde_json::json!({"id": id, "status": "CONNECTED", "updated": at(*minute)})
            })
            .collect();
        let mut body = serde_json::json!({
            "totalConnections": self.connections.len(),
            "perPage": limit,
            "totalPages": total_pages,
            "currentPage": current,
            "hasNext": current < total_pages,
            "hasPrevious": current > 1,
            self.key: listed,
        });
        let omitted = match self.omitted {
            Omitted::Nothing => None,
            Omitted::HasNext => Some("hasNext"),
            Omitted::TotalPages => Some("totalPages"),
            Omitted::CurrentPage => Some("currentPage"),
        };
        if let (Some(field), Some(object)) = (omitted, body.as_object_mut()) {
            object.remove(field);
        }
        (serde_json::to_vec(&body).expect("serializes"), held)
    }
}

/// What a sweep against `nectar` did.
struct Run {
    /// The pages asked for, in order.
    asked: Vec<usize>,
    /// The connections served, page by page.
    served: Vec<Vec<Held>>,
    /// The connections handed on, page by page, as (id, minute of `updated`).
    handed: Vec<Vec<Held>>,
    /// The page of each connection at each request, before it was answered.
    states: Vec<BTreeMap<String, usize>>,
    /// Mutations that changed the list.
    mutations: usize,
    sweep: Sweep,
}

/// Sweeps `nectar` at `limit` (`None`: Nectar's default of 100), applying `gaps[k]` between
/// request `k + 1` and request `k + 2`; stops after `max_requests` requests if the sweep has
/// not ended.
fn run(
    nectar: &mut Nectar,
    limit: Option<u32>,
    gaps: &[Vec<Mutation>],
    max_requests: usize,
) -> Result<Run, TestCaseError> {
    let mut query = CompanyListQuery::new("co-1");
    if let Some(limit) = limit {
        query = query.with_limit(limit).expect("a limit in range");
    }
    let per_page = limit.map_or(100, |l| l as usize);
    let mut sweep = Sweep::new(query);
    let mut run = Run {
        asked: Vec::new(),
        served: Vec::new(),
        handed: Vec::new(),
        states: Vec::new(),
        mutations: 0,
        sweep: sweep.clone(),
    };
    while let Some(request) = sweep.request() {
        if run.asked.len() == max_requests {
            break;
        }
        if let Some(gap) = run.asked.len().checked_sub(1).and_then(|k| gaps.get(k)) {
            for &mutation in gap {
                run.mutations += usize::from(nectar.apply(mutation));
            }
        }
        run.asked
            .push(request.page.expect("a sweep names its page").get() as usize);
        run.states.push(nectar.pages_by_id(per_page));
        let (body, held) = nectar.answer(&request.path());
        let page = webhook::parse_company_page(&body)
            .map_err(|e| TestCaseError::fail(format!("the model's body does not parse: {e}")))?;
        let handed = sweep
            .take(page)
            .map_err(|e| TestCaseError::fail(format!("a page refused: {e}")))?;
        run.handed.push(
            handed
                .iter()
                .map(|c| {
                    let updated = c.updated.as_deref().expect("the model sends `updated`");
                    let minute = minute_of(updated);
                    (c.id.clone(), minute)
                })
                .collect(),
        );
        run.served.push(held);
    }
    run.sweep = sweep;
    Ok(run)
}

/// The minute of an [`at`] timestamp.
fn minute_of(updated: &str) -> u32 {
    let hm = &updated["2026-12-01T".len().."2026-12-01T00:00".len()];
    let (h, m) = hm.split_once(':').expect("hh:mm");
    let (h, m): (u32, u32) = (h.parse().expect("hh"), m.parse().expect("mm"));
    (h - 9) * 60 + m
}

/// What a sweep should hand on, page by page, of what was `served`: a connection the first
/// time it is listed, and again only in a version newer than the last one handed on.
fn expected_handed(served: &[Vec<Held>]) -> Vec<Vec<Held>> {
    let mut handed: BTreeMap<&str, u32> = BTreeMap::new();
    served
        .iter()
        .map(|page| {
            page.iter()
                .filter(|(id, minute)| match handed.get(id.as_str()) {
                    Some(last) if minute <= last => false,
                    _ => {
                        handed.insert(id, *minute);
                        true
                    }
                })
                .cloned()
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(Config { cases: proptest_cases(1024), ..Config::default() })]

    /// Nectar changes its list between page requests; the sweep still ends, hands each
    /// connection on once per newer version, and lists every connection that stayed put.
    #[test]
    fn a_sweep_of_a_changing_list_ends_and_misses_nothing_that_stayed_put(
        count in 0_usize..40,
        limit in 1_u32..=6,
        gaps in vec(vec(mutation(), 0..4), 0..12),
        key in proptest::sample::select(COMPANY_LIST_KEYS.to_vec()),
        omitted in omitted(),
    ) {
        let mut nectar = Nectar::new(count, key, omitted);
        let initial_pages = count.div_ceil(limit as usize);
        let applicable: usize = gaps.iter().map(Vec::len).sum();
        // A bound looser than the claimed one, so a sweep that overruns is seen overrunning.
        let cap = initial_pages + applicable + 10;
        let run = run(&mut nectar, Some(limit), &gaps, cap)?;
        let requests = run.asked.len();

        // It ends, within the pages it started with, one per change, and one more.
        prop_assert!(run.sweep.end().is_some(), "not ended after {} requests", requests);
        prop_assert!(
            requests <= initial_pages + run.mutations + 1,
            "{} requests for {} pages and {} changes", requests, initial_pages, run.mutations
        );
        prop_assert_eq!(run.sweep.pages() as usize, requests);
        // Pages are asked for in order from 1, each once.
        prop_assert_eq!(&run.asked, &(1..=requests).collect::<Vec<_>>());

        // Handed on: once per connection, and again only when newer than the last handed on.
        prop_assert_eq!(&run.handed, &expected_handed(&run.served));
        let mut last: BTreeMap<&str, u32> = BTreeMap::new();
        for (id, minute) in run.handed.iter().flatten() {
            if let Some(before) = last.insert(id, *minute) {
                prop_assert!(before < *minute, "{} handed on at {} after {}", id, minute, before);
            }
        }

        // `listed()`: sorted, unique, exactly the ids served.
        let listed: Vec<&str> = run.sweep.listed().collect();
        prop_assert!(listed.windows(2).all(|w| w[0] < w[1]), "{:?}", listed);
        let served: BTreeSet<&str> =
            run.served.iter().flatten().map(|(id, _)| id.as_str()).collect();
        prop_assert_eq!(&listed, &served.iter().copied().collect::<Vec<_>>());

        // Every connection present on the same page at every request is listed.
        let first = run.states.first().expect("at least one request");
        for (id, page) in first {
            let stayed = run.states.iter().all(|state| state.get(id) == Some(page));
            prop_assert!(
                !stayed || run.sweep.was_listed(id),
                "{} stayed on page {} and was not listed ({:?})", id, page, run.asked
            );
        }

        // What is not listed, of what Nectar holds now, is exactly what was never served.
        let now: Vec<&str> = nectar.ids().collect();
        let missed: Vec<&str> = now.iter().copied().filter(|id| !served.contains(id)).collect();
        prop_assert_eq!(run.sweep.not_listed(now), Some(missed));

        if run.mutations == 0 {
            prop_assert_eq!(requests, initial_pages.max(1));
            prop_assert_eq!(served.len(), count);
        }
    }

}

proptest! {
    // Fewer cases: each reads up to 1,200 connections.
    #![proptest_config(Config { cases: proptest_cases(256), ..Config::default() })]

    /// A list that does not change is read exactly: every connection, once, in
    /// max(1, totalPages) requests, at any limit (Nectar's default of 100 included).
    #[test]
    fn a_sweep_of_a_still_list_reads_it_exactly(
        (limit, count) in prop_oneof![
            // Nectar's default limit, over a few pages.
            (Just(None), 0_usize..450),
            // Any limit, up to a few pages at the largest.
            ((1_u32..=500).prop_map(Some), 0_usize..1200),
            // Small limits, many pages.
            ((1_u32..=8).prop_map(Some), 0_usize..60),
        ],
        omitted in omitted(),
    ) {
        let mut nectar = Nectar::new(count, "connections", omitted);
        let total_pages = count.div_ceil(limit.map_or(100, |l| l as usize));
        let run = run(&mut nectar, limit, &[], total_pages + 10)?;
        prop_assert_eq!(run.sweep.end(), Some(SweepEnd::LastPage));
        prop_assert_eq!(run.asked.len(), total_pages.max(1));
        let expected: Vec<Held> = nectar.connections.clone();
        prop_assert_eq!(run.handed.concat(), expected);
        let listed: Vec<&str> = run.sweep.listed().collect();
        let mut all: Vec<&str> = nectar.ids().collect();
        all.sort_unstable();
        prop_assert_eq!(listed, all);
        prop_assert_eq!(run.sweep.not_listed(nectar.ids()), Some(Vec::new()));
    }
}

#[test]
fn the_model_answers_past_the_end_with_the_last_page_so_an_empty_page_never_comes() {
    // The hazard the docs warn of, on the model: a loop that stops on an empty page.
    let nectar = Nectar::new(3, "connections", Omitted::Nothing);
    for page in 1..50 {
        let (_, held) = nectar.answer(&format!("/connection/company/co-1?page={page}&limit=2"));
        let expected = if page == 1 {
            ["c0000", "c0001"].as_slice()
        } else {
            &["c0002"]
        };
        let served: Vec<&str> = held.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(served, expected, "page {page}");
    }
    // The sweep reads it in two requests.
    let mut nectar = nectar;
    let run = run(&mut nectar, Some(2), &[], 50).expect("a run");
    assert_eq!(run.asked, [1, 2]);
    assert_eq!(run.sweep.end(), Some(SweepEnd::LastPage));
}

#[test]
fn a_connection_moved_to_an_earlier_page_mid_sweep_is_not_listed_and_said_so() {
    // 4 connections, 2 per page; after page 1 is read, `c0003` moves to the front: page 2
    // now holds `c0001` (again) and `c0002`, and `c0003` is on page 1, already read.
    let mut nectar = Nectar::new(4, "connections", Omitted::Nothing);
    let front = Mutation::MoveToFront(3);
    let run = run(&mut nectar, Some(2), &[vec![front]], 10).expect("a run");
    assert_eq!(run.asked, [1, 2]);
    let served: Vec<Vec<&str>> = run
        .served
        .iter()
        .map(|p| p.iter().map(|(id, _)| id.as_str()).collect())
        .collect();
    assert_eq!(served, [["c0000", "c0001"], ["c0001", "c0002"]]);
    // `c0001`, listed twice unchanged, is handed on once.
    assert_eq!(run.handed.concat().len(), 3);
    assert_eq!(run.sweep.not_listed(nectar.ids()), Some(vec!["c0003"]));
}
