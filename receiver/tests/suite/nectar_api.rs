//! The double of Nectar's API (`support/nectar_api.rs`) checked against what Nectar
//! documents: the page envelope, past the end, the parameters' ranges, the key, seeded
//! faults, requests in flight, and hooks that change the list between pages; and its
//! writes: invitations created, listed, revoked, expired and fulfilled, account decisions,
//! and answers lost after the work. Each expected answer is computed here from the inputs
//! (pages by `chunks`), not read from the double.

use core::time::Duration;
use std::sync::{Arc, Mutex, PoisonError};

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::invitation::{InvitationStatus, InvitationType};
use nectar_lifecycle::webhook::{
    AccountPayload, Company, ConnectionPayload, InvitationPayload, Reported, parse_company_page,
    parse_details, parse_invitation, parse_invitation_list,
};
use nectar_lifecycle::{AccountStatus, TrackingStatus};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::nectar_api::{
    DOUBLE_API_KEY, Faults, ListRequest, LostAnswers, NectarApi, Stats,
};
use crate::support::{bounded, client, connection};

/// What the double answered one request.
struct Reply {
    status: u16,
    retry_after: Option<String>,
    bytes: Vec<u8>,
}

impl Reply {
    /// The body as JSON (`null` if it is not).
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// The ids of the page's connections, read by the library.
    fn ids(&self) -> Vec<String> {
        let page = parse_company_page(&self.bytes).expect("a page the library reads");
        page.connections.into_iter().map(|c| c.id).collect()
    }
}

/// `GET {base}{path}` with `key` as `X-API-Key` (none if `None`).
async fn get_with(http: &reqwest::Client, api: &NectarApi, path: &str, key: Option<&str>) -> Reply {
    let mut request = http.get(format!("{}{path}", api.base_url()));
    if let Some(key) = key {
        request = request.header("X-API-Key", key);
    }
    reply(request.send().await.expect("the double answers")).await
}

/// The double's answer, read whole.
async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().expect("an ASCII Retry-After").to_owned());
    let bytes = response.bytes().await.expect("a body").to_vec();
    Reply {
        status,
        retry_after,
        bytes,
    }
}

/// `GET {base}{path}` with the double's key.
async fn get(http: &reqwest::Client, api: &NectarApi, path: &str) -> Reply {
    get_with(http, api, path, Some(DOUBLE_API_KEY)).await
}

/// Connection `i` of a test list: `conn-{i:04}`, its status cycling through three.
fn numbered(i: usize) -> ConnectionPayload {
    let status = [S::Connected, S::PasswordIncorrect, S::Pending][i % 3];
    ConnectionPayload::new(format!("conn-{i:04}"), status)
}

/// A double whose company `company` lists `n` numbered connections; their ids in order.
async fn with_list(company: &str, n: usize) -> (NectarApi, Vec<String>) {
    let api = NectarApi::start().await;
    for i in 0..n {
        api.put(company, numbered(i));
    }
    let ids = (0..n).map(|i| format!("conn-{i:04}")).collect();
    (api, ids)
}

/// Asserts that `reply` is the documented envelope of page `current` of `pages` (the list
/// `ids` cut into pages of `limit`), holding exactly `pages[current - 1]`.
fn assert_page(reply: &Reply, ids: &[String], limit: usize, current: usize) {
    let pages: Vec<&[String]> = ids.chunks(limit).collect();
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.bytes)
    );
    let body = reply.json();
    let mut keys: Vec<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "connections",
            "currentPage",
            "hasNext",
            "hasPrevious",
            "perPage",
            "totalConnections",
            "totalPages"
        ],
        "the documented envelope, nothing else"
    );
    let what = format!("{} connections, limit {limit}, page {current}", ids.len());
    assert_eq!(body["totalConnections"], ids.len(), "{what}");
    assert_eq!(body["perPage"], limit, "{what}");
    assert_eq!(body["totalPages"], pages.len(), "{what}");
    assert_eq!(body["currentPage"], current, "{what}");
    assert_eq!(body["hasNext"], current < pages.len(), "{what}");
    assert_eq!(body["hasPrevious"], current > 1, "{what}");
    let expected: &[String] = pages.get(current - 1).copied().unwrap_or(&[]);
    assert_eq!(reply.ids(), expected, "{what}");
}

#[tokio::test]
async fn every_page_of_0_1_250_and_1000_connections_at_limits_1_100_and_500() {
    bounded(async {
        let http = client();
        for n in [0, 1, 250, 1000] {
            let (api, ids) = with_list("co-1", n).await;
            for limit in [1, 100, 500] {
                let pages = n.div_ceil(limit);
                let mut seen = Vec::new();
                for page in 1..=pages.max(1) {
                    let path = format!("/connection/company/co-1?page={page}&limit={limit}");
                    let reply = get(&http, &api, &path).await;
                    assert_page(&reply, &ids, limit, page);
                    seen.extend(reply.ids());
                }
                assert_eq!(seen, ids, "every connection once, in order");
            }
            let requests: u64 = [1, 100, 500]
                .iter()
                .map(|limit| n.div_ceil(*limit).max(1) as u64)
                .sum();
            assert_eq!(
                api.stats(),
                Stats {
                    requests,
                    list_requests: requests,
                    pages_served: requests,
                    max_in_flight: 1,
                    ..Stats::default()
                }
            );
            api.stop();
        }
    })
    .await;
}

#[tokio::test]
async fn without_page_or_limit_it_is_page_1_of_100_also_under_the_versioned_paths() {
    bounded(async {
        let http = client();
        let (api, ids) = with_list("co-1", 250).await;
        for base in ["", "/v2.2", "/v2.1", "/v2"] {
            let reply = get(&http, &api, &format!("{base}/connection/company/co-1")).await;
            assert_page(&reply, &ids, 100, 1);
        }
        let reply = get(&http, &api, "/connection/company/co-1?page=2").await;
        assert_page(&reply, &ids, 100, 2);
        let reply = get(&http, &api, "/connection/company/co-1?limit=7").await;
        assert_page(&reply, &ids, 7, 1);
        // Another company lists nothing; unknown parameters are ignored.
        let reply = get(&http, &api, "/connection/company/co-2?sites=a&sites=b").await;
        assert_page(&reply, &[], 100, 1);
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn a_page_past_the_end_answers_the_last_page() {
    bounded(async {
        let http = client();
        let (api, ids) = with_list("co-1", 250).await;
        for page in [4, 5, 1000, u32::MAX] {
            let path = format!("/connection/company/co-1?page={page}&limit=100");
            let reply = get(&http, &api, &path).await;
            assert_page(&reply, &ids, 100, 3);
            assert_eq!(reply.ids(), ids[200..], "the last 50");
        }
        let (empty, _) = with_list("co-1", 0).await;
        let reply = get(&http, &empty, "/connection/company/co-1?page=5").await;
        assert_page(&reply, &[], 100, 1);
        let body = reply.json();
        assert_eq!(
            (&body["totalPages"], &body["currentPage"], &body["hasNext"]),
            (&Value::from(0), &Value::from(1), &Value::from(false))
        );
        api.stop();
        empty.stop();
    })
    .await;
}

#[tokio::test]
async fn a_page_or_limit_out_of_range_or_unparsable_is_400() {
    bounded(async {
        let http = client();
        let (api, ids) = with_list("co-1", 3).await;
        let bad = [
            "limit=0",
            "limit=501",
            "page=0",
            "page=abc",
            "limit=-1",
            "limit=1.5",
            "page=",
            "limit=",
            "page=4294967296",
            "status=",
            "page=1&page=2",
            "limit=1&limit=1",
        ];
        for query in bad {
            let reply = get(&http, &api, &format!("/connection/company/co-1?{query}")).await;
            assert_eq!(reply.status, 400, "{query}");
            assert!(reply.json()["message"].is_string(), "{query}: a message");
        }
        // The bounds themselves are valid.
        for (query, limit) in [("limit=1", 1), ("limit=500", 500)] {
            let reply = get(&http, &api, &format!("/connection/company/co-1?{query}")).await;
            assert_page(&reply, &ids, limit, 1);
        }
        let stats = api.stats();
        assert_eq!(stats.bad_requests, bad.len() as u64);
        assert_eq!((stats.list_requests, stats.pages_served), (2, 2));
        assert_eq!(stats.requests, bad.len() as u64 + 2);
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn without_the_key_every_request_is_401_and_a_refused_key_is_refused_whatever_it_is() {
    bounded(async {
        let http = client();
        let (api, ids) = with_list("co-1", 3).await;
        let paths = [
            "/connection/company/co-1",
            "/connection/conn-0000/details",
            "/connection/company/co-1?limit=0",
            "/nowhere",
        ];
        for path in paths {
            for key in [None, Some("wrong-key"), Some("")] {
                let reply = get_with(&http, &api, path, key).await;
                assert_eq!(reply.status, 401, "{path} with {key:?}");
            }
        }
        let refused = paths.len() as u64 * 3;
        assert_eq!(
            api.stats(),
            Stats {
                requests: refused,
                unauthorized: refused,
                max_in_flight: 1,
                ..Stats::default()
            }
        );
        // With the key, an unknown path is a 404.
        assert_eq!(get(&http, &api, "/nowhere").await.status, 404);

        for status in [403, 401] {
            api.refuse_key(Some(status));
            for path in paths {
                assert_eq!(get(&http, &api, path).await.status, status, "{path}");
            }
        }
        api.refuse_key(None);
        assert_page(
            &get(&http, &api, "/connection/company/co-1").await,
            &ids,
            100,
            1,
        );
        let stats = api.stats();
        assert_eq!(stats.unauthorized, refused + 2 * paths.len() as u64);
        assert_eq!(stats.requests, refused + 1 + 2 * paths.len() as u64 + 1);
        assert_eq!((stats.list_requests, stats.pages_served), (1, 1));
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn details_answer_the_connection_as_put_or_404() {
    bounded(async {
        let http = client();
        let api = NectarApi::start().await;
        let first = connection("north/1", S::Connected, 0);
        let second = connection("conn-2", S::Pending, 5);
        api.put("co-1", first.clone());
        api.put("co-1", second.clone());

        let reply = get(&http, &api, "/v2.2/connection/north%2F1/details").await;
        assert_eq!(reply.status, 200);
        assert_eq!(parse_details(&reply.bytes).expect("a connection"), first);

        // Replaced in place: same position, new content.
        let broken = ConnectionPayload {
            status: S::PasswordIncorrect.into(),
            ..first.clone()
        };
        api.put("co-1", broken.clone());
        let reply = get(&http, &api, "/connection/north%2F1/details").await;
        assert_eq!(parse_details(&reply.bytes).expect("a connection"), broken);
        assert_eq!(api.connections("co-1"), [broken.clone(), second.clone()]);

        api.remove("north/1");
        let reply = get(&http, &api, "/connection/north%2F1/details").await;
        assert_eq!(reply.status, 404);
        assert_eq!(
            get(&http, &api, "/connection/nobody/details").await.status,
            404
        );
        assert_eq!(api.connections("co-1"), [second]);

        let stats = api.stats();
        assert_eq!(
            (stats.details_requests, stats.not_found, stats.list_requests),
            (4, 2, 0)
        );
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn put_appends_replaces_in_place_and_moves_between_companies() {
    bounded(async {
        let api = NectarApi::start().await;
        for i in 0..4 {
            api.put("co-1", numbered(i));
        }
        let ids = |company: &str| -> Vec<String> {
            api.connections(company).into_iter().map(|c| c.id).collect()
        };
        api.put("co-1", ConnectionPayload::new("conn-0001", S::WebsiteDown));
        assert_eq!(
            ids("co-1"),
            ["conn-0000", "conn-0001", "conn-0002", "conn-0003"]
        );
        assert_eq!(api.connections("co-1")[1].status, S::WebsiteDown.into());
        api.move_to_front("conn-0002");
        assert_eq!(
            ids("co-1"),
            ["conn-0002", "conn-0000", "conn-0001", "conn-0003"]
        );
        api.put("co-2", numbered(0));
        assert_eq!(ids("co-1"), ["conn-0002", "conn-0001", "conn-0003"]);
        assert_eq!(ids("co-2"), ["conn-0000"]);
        api.remove("conn-0001");
        api.remove("conn-0001");
        api.move_to_front("nobody");
        assert_eq!(ids("co-1"), ["conn-0002", "conn-0003"]);
        assert!(ids("co-3").is_empty());
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn the_status_filter_lists_that_status_only() {
    bounded(async {
        let http = client();
        let (api, _) = with_list("co-1", 10).await;
        // Statuses cycle Connected, PasswordIncorrect, Pending: 1, 4 and 7 are incorrect.
        let incorrect: Vec<String> = [1, 4, 7].map(|i| format!("conn-{i:04}")).to_vec();
        let path = "/connection/company/co-1?status=PASSWORD_INCORRECT&limit=2";
        assert_page(&get(&http, &api, path).await, &incorrect, 2, 1);
        let path = "/connection/company/co-1?status=PASSWORD_INCORRECT&limit=2&page=9";
        assert_page(&get(&http, &api, path).await, &incorrect, 2, 2);
        let path = "/connection/company/co-1?status=NOT_A_STATUS";
        assert_page(&get(&http, &api, path).await, &[], 100, 1);
        api.stop();
    })
    .await;
}

/// The statuses of `n` list requests, one after the other.
async fn statuses(http: &reqwest::Client, api: &NectarApi, n: usize) -> Vec<u16> {
    let mut statuses = Vec::with_capacity(n);
    for _ in 0..n {
        statuses.push(get(http, api, "/connection/company/co-1").await.status);
    }
    statuses
}

#[tokio::test]
async fn faults_come_at_their_seeded_rates_with_retry_after() {
    bounded(async {
        let http = client();
        let (api, ids) = with_list("co-1", 3).await;
        api.set_faults(Faults {
            rate_limited_per_mille: 200,
            retry_after_secs: 7,
            unavailable_per_mille: 100,
            seed: 42,
        });
        let mut counts = [0_u64; 3];
        for i in 0..1000 {
            let path = if i % 2 == 0 {
                "/connection/company/co-1"
            } else {
                "/connection/conn-0001/details"
            };
            let reply = get(&http, &api, path).await;
            match reply.status {
                429 => {
                    counts[0] += 1;
                    assert_eq!(reply.retry_after.as_deref(), Some("7"));
                }
                503 => {
                    counts[1] += 1;
                    assert_eq!(reply.retry_after, None);
                }
                200 => {
                    counts[2] += 1;
                    if i % 2 == 0 {
                        assert_page(&reply, &ids, 100, 1);
                    }
                }
                other => panic!("{path} answered {other}"),
            }
        }
        // 20% and 10% of 1000: a binomial's standard deviation is 13 and 9.5.
        assert!((150..=250).contains(&counts[0]), "429s: {counts:?}");
        assert!((60..=140).contains(&counts[1]), "503s: {counts:?}");
        let stats = api.stats();
        assert_eq!(
            (stats.rate_limited, stats.unavailable),
            (counts[0], counts[1])
        );
        assert_eq!((stats.list_requests, stats.details_requests), (500, 500));
        assert_eq!(stats.requests, 1000);
        assert!(stats.pages_served < 500, "faulted pages are not served");

        // Retry-After may be 0; all faults, all 503, and none are exact.
        api.set_faults(Faults {
            rate_limited_per_mille: 1000,
            retry_after_secs: 0,
            ..Faults::default()
        });
        let reply = get(&http, &api, "/connection/company/co-1").await;
        assert_eq!(
            (reply.status, reply.retry_after.as_deref()),
            (429, Some("0"))
        );
        api.set_faults(Faults {
            unavailable_per_mille: 1000,
            ..Faults::default()
        });
        assert_eq!(statuses(&http, &api, 20).await, [503; 20]);
        api.set_faults(Faults::default());
        assert_eq!(statuses(&http, &api, 20).await, [200; 20]);
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn the_same_seed_draws_the_same_faults() {
    bounded(async {
        let http = client();
        let (api, _) = with_list("co-1", 3).await;
        let faults = |seed| Faults {
            rate_limited_per_mille: 300,
            retry_after_secs: 1,
            unavailable_per_mille: 300,
            seed,
        };
        api.set_faults(faults(7));
        let first = statuses(&http, &api, 200).await;
        api.set_faults(faults(7));
        let again = statuses(&http, &api, 200).await;
        api.set_faults(faults(8));
        let other = statuses(&http, &api, 200).await;
        assert_eq!(first, again);
        assert_ne!(first, other);
        for status in [200, 429, 503] {
            assert!(first.contains(&status), "{status} in {first:?}");
        }
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn max_in_flight_counts_requests_answered_at_once() {
    bounded(async {
        let http = client();
        let (api, ids) = with_list("co-1", 3).await;
        for _ in 0..3 {
            get(&http, &api, "/connection/company/co-1").await;
        }
        assert_eq!(api.stats().max_in_flight, 1, "one after the other");

        api.set_delay(Duration::from_millis(500));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (http, api) = (http.clone(), api.clone());
            tasks.spawn(async move { get(&http, &api, "/connection/company/co-1").await });
        }
        while let Some(reply) = tasks.join_next().await {
            assert_page(&reply.expect("a request task"), &ids, 100, 1);
        }
        let stats = api.stats();
        assert_eq!(stats.max_in_flight, 8);
        assert_eq!(stats.requests, 11);

        // Refused requests are in flight too: they wait the delay as well.
        api.set_delay(Duration::from_millis(100));
        let started = std::time::Instant::now();
        assert_eq!(get_with(&http, &api, "/nowhere", None).await.status, 401);
        assert!(started.elapsed() >= Duration::from_millis(100));
        api.stop();
    })
    .await;
}

/// Page `page` (limit 2) of company `co-1` as the double answers it.
async fn page_2(http: &reqwest::Client, api: &NectarApi, page: usize) -> Reply {
    get(
        http,
        api,
        &format!("/connection/company/co-1?page={page}&limit=2"),
    )
    .await
}

#[tokio::test]
async fn a_hook_changes_the_list_between_pages() {
    bounded(async {
        let http = client();
        let (api, mut model) = with_list("co-1", 5).await;
        let seen: Arc<Mutex<Vec<ListRequest>>> = Arc::default();
        let record = Arc::clone(&seen);
        api.on_list_request(move |api, request| {
            record
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(request.clone());
            match request.index {
                1 => api.move_to_front("conn-0002"),
                2 => api.remove("conn-0000"),
                3 => api.put("co-1", numbered(5)),
                _ => {}
            }
        });

        // Page 1 of [0 1 2 3 4]: 0 1.
        let reply = page_2(&http, &api, 1).await;
        assert_page(&reply, &model, 2, 1);
        let first = reply.ids();

        // 2 moves to the front before page 2: [2 0 1 3 4], page 2 is 1 3.
        let at = model
            .iter()
            .position(|id| id == "conn-0002")
            .expect("listed");
        let moved = model.remove(at);
        model.insert(0, moved);
        let reply = page_2(&http, &api, 2).await;
        assert_page(&reply, &model, 2, 2);
        let second = reply.ids();
        assert!(
            first.contains(&"conn-0001".to_owned()) && second.contains(&"conn-0001".to_owned()),
            "conn-0001 is on pages 1 and 2: {first:?} {second:?}"
        );
        assert!(
            !first.contains(&"conn-0002".to_owned()) && !second.contains(&"conn-0002".to_owned())
        );

        // 0 is removed before page 3: [2 1 3 4], two pages, page 3 is past the end: 3 4.
        model.retain(|id| id != "conn-0000");
        let reply = page_2(&http, &api, 3).await;
        assert_page(&reply, &model, 2, 2);
        assert_eq!(reply.json()["currentPage"], 2);

        // 5 is added at the end before page 1 is read again: [2 1 3 4 5].
        model.push("conn-0005".to_owned());
        assert_page(&page_2(&http, &api, 1).await, &model, 2, 1);

        let truth: Vec<String> = api.connections("co-1").into_iter().map(|c| c.id).collect();
        assert_eq!(truth, model);
        let summary: Vec<(String, u32, u32, u64)> = recorded(&seen)
            .into_iter()
            .map(|r| (r.company_id, r.page, r.limit, r.index))
            .collect();
        let expected = [(1, 0), (2, 1), (3, 2), (1, 3)]
            .map(|(page, index)| ("co-1".to_owned(), page, 2, index));
        assert_eq!(summary, expected);

        // The hook sees a request that a fault then answers, never an invalid one.
        api.set_faults(Faults {
            unavailable_per_mille: 1000,
            ..Faults::default()
        });
        assert_eq!(page_2(&http, &api, 1).await.status, 503);
        let path = "/connection/company/co-1?limit=0";
        assert_eq!(get(&http, &api, path).await.status, 400);
        let indexes: Vec<u64> = recorded(&seen).iter().map(|r| r.index).collect();
        assert_eq!(indexes, [0, 1, 2, 3, 4]);

        // Cleared, it is called no more.
        api.clear_list_hook();
        api.set_faults(Faults::default());
        assert_page(&page_2(&http, &api, 1).await, &model, 2, 1);
        assert_eq!(recorded(&seen).len(), 5);
        assert_eq!(api.stats().list_requests, 6);
        api.stop();
    })
    .await;
}

/// What a recording hook saw.
fn recorded(seen: &Mutex<Vec<ListRequest>>) -> Vec<ListRequest> {
    seen.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

#[tokio::test]
async fn a_panicking_hook_answers_500_and_the_double_goes_on() {
    bounded(async {
        let http = client();
        let (api, ids) = with_list("co-1", 3).await;
        api.on_list_request(|_, request| {
            assert!(request.index > 0, "the first list request fails the hook");
        });
        assert_eq!(
            get(&http, &api, "/connection/company/co-1").await.status,
            500
        );
        assert_page(
            &get(&http, &api, "/connection/company/co-1").await,
            &ids,
            100,
            1,
        );
        let stats = api.stats();
        assert_eq!(
            (stats.hook_panics, stats.list_requests, stats.pages_served),
            (1, 2, 1)
        );
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn a_stopped_double_answers_no_more() {
    bounded(async {
        let (api, _) = with_list("co-1", 1).await;
        assert_eq!(
            get(&client(), &api, "/connection/company/co-1")
                .await
                .status,
            200
        );
        api.stop();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let refused = client()
                .get(format!("{}/connection/company/co-1", api.base_url()))
                .header("X-API-Key", DOUBLE_API_KEY)
                .send()
                .await
                .is_err();
            if refused {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "still answering");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

/// `{method} {base}{path}` with the double's key and `body` as JSON (no body if `None`).
async fn send(
    http: &reqwest::Client,
    api: &NectarApi,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = http
        .request(method, format!("{}{path}", api.base_url()))
        .header("X-API-Key", DOUBLE_API_KEY);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    reply(request.send().await.expect("the double answers")).await
}

/// `POST /invitation/connection/{connection}` with `body`.
async fn create(http: &reqwest::Client, api: &NectarApi, connection: &str, body: Value) -> Reply {
    let path = format!("/invitation/connection/{connection}");
    send(http, api, Method::POST, &path, Some(body)).await
}

/// `POST /invitation/{id}/revoke`.
async fn revoke(http: &reqwest::Client, api: &NectarApi, id: &str) -> Reply {
    let path = format!("/invitation/{id}/revoke");
    send(http, api, Method::POST, &path, None).await
}

/// `PATCH /connection/{connection}/status` with `{"confirm": confirm}`.
async fn decide(http: &reqwest::Client, api: &NectarApi, connection: &str, confirm: bool) -> Reply {
    let path = format!("/connection/{connection}/status");
    let body = json!({ "confirm": confirm });
    send(http, api, Method::PATCH, &path, Some(body)).await
}

/// Company `company`'s invitations as the double serves them (answered 200).
async fn listed(http: &reqwest::Client, api: &NectarApi, company: &str) -> Vec<InvitationPayload> {
    let reply = get(http, api, &format!("/invitation/company/{company}")).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.bytes)
    );
    parse_invitation_list(&reply.bytes).expect("a list the library reads")
}

/// The invitation of a 2xx answer.
fn invitation(reply: &Reply) -> InvitationPayload {
    assert!(
        (200..300).contains(&reply.status),
        "{}: {}",
        reply.status,
        String::from_utf8_lossy(&reply.bytes)
    );
    parse_invitation(&reply.bytes).expect("an invitation the library reads")
}

/// A double with connection `c-1` of company `co-1` and `c-2` of `co-2`.
async fn two_companies() -> NectarApi {
    let api = NectarApi::start().await;
    api.put("co-1", connection("c-1", S::PasswordIncorrect, 0));
    api.put("co-2", connection("c-2", S::PasswordIncorrect, 0));
    api
}

/// `status` as Nectar reports an invitation's.
fn reported(status: InvitationStatus) -> Reported<InvitationStatus> {
    Reported::Known(status)
}

#[tokio::test]
async fn invitations_are_created_numbered_and_listed_per_company() {
    bounded(async {
        let http = client();
        let api = two_companies().await;
        let before = Timestamp::now();
        let first = create(
            &http,
            &api,
            "c-1",
            json!({"maxUses": 1, "expiresInSeconds": 600}),
        )
        .await;
        assert_eq!(first.status, 201);
        let first = invitation(&first);
        let expected = InvitationPayload {
            token: Some("tok1".to_owned()),
            invitation_type: Some(Reported::Known(InvitationType::EditConnection)),
            invitation_url: Some("https://app.example.com/invite/tok1".to_owned()),
            connection_id: Some("c-1".to_owned()),
            company_id: Some("co-1".to_owned()),
            max_uses: Some(1),
            use_count: Some(0),
            expires_at: first.expires_at,
            created_at: first.created_at,
            ..InvitationPayload::new("inv_1", InvitationStatus::Active)
        };
        assert_eq!(first, expected);
        let created = first.created_at.expect("a creation time");
        assert!(before <= created && created <= Timestamp::now());
        assert_eq!(
            first.expires_at,
            Some(created + SignedDuration::from_secs(600))
        );

        // Under a versioned path, without expiry: never expires.
        let path = "/v2.2/invitation/connection/c-2";
        let second = invitation(&send(&http, &api, Method::POST, path, Some(json!({}))).await);
        assert_eq!(
            (
                second.id.as_str(),
                second.company_id.as_deref(),
                second.expires_at
            ),
            ("inv_2", Some("co-2"), None)
        );
        assert_eq!(
            second.invitation_url.as_deref(),
            Some("https://app.example.com/invite/tok2")
        );

        // An unknown connection (so no known company) is a 404 and takes no number.
        assert_eq!(create(&http, &api, "nobody", json!({})).await.status, 404);
        let third = invitation(&create(&http, &api, "c-1", json!({})).await);
        assert_eq!(third.id, "inv_3");

        assert_eq!(
            listed(&http, &api, "co-1").await,
            [first.clone(), third.clone()]
        );
        assert_eq!(
            listed(&http, &api, "co-2").await,
            std::slice::from_ref(&second)
        );
        assert!(listed(&http, &api, "co-3").await.is_empty());
        assert_eq!(
            api.invitations(),
            [first.clone(), second.clone(), third.clone()]
        );
        assert_eq!(api.invitations_of("c-1"), [first.clone(), third.clone()]);
        assert_eq!(api.active_reconnects("c-1"), [first, third]);
        assert!(api.active_reconnects("nobody").is_empty());

        let stats = api.stats();
        assert_eq!(
            (
                stats.invitations_created,
                stats.write_requests,
                stats.invitation_list_requests,
                stats.not_found
            ),
            (3, 4, 3, 1)
        );
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn an_active_invitation_past_its_expiry_is_served_expired() {
    bounded(async {
        let http = client();
        let api = two_companies().await;
        let short = invitation(&create(&http, &api, "c-1", json!({"expiresInSeconds": 1})).await);
        let long = invitation(&create(&http, &api, "c-1", json!({"expiresInSeconds": 600})).await);
        let expires = short.expires_at.expect("an expiry");
        assert_eq!(api.active_reconnects("c-1").len(), 2);

        let wait = expires.duration_since(Timestamp::now()) + SignedDuration::from_millis(50);
        tokio::time::sleep(wait.unsigned_abs()).await;
        assert!(Timestamp::now() > expires);
        let expired = InvitationPayload {
            status: reported(InvitationStatus::Expired),
            ..short.clone()
        };
        assert_eq!(
            listed(&http, &api, "co-1").await,
            [expired.clone(), long.clone()]
        );
        assert_eq!(api.invitations(), [expired.clone(), long.clone()]);
        assert_eq!(api.invitations_of("c-1"), [expired.clone(), long.clone()]);
        assert_eq!(api.active_reconnects("c-1"), std::slice::from_ref(&long));

        // Revoking it answers it unchanged.
        let answer = revoke(&http, &api, &short.id).await;
        assert_eq!((answer.status, invitation(&answer)), (200, expired.clone()));

        // One put in the store already past its expiry is expired from the first look.
        let past = InvitationPayload {
            connection_id: Some("c-2".to_owned()),
            company_id: Some("co-2".to_owned()),
            invitation_type: Some(Reported::Known(InvitationType::EditConnection)),
            expires_at: Some(Timestamp::now() - SignedDuration::from_secs(1)),
            ..InvitationPayload::new("elsewhere-1", InvitationStatus::Active)
        };
        api.put_invitation(past.clone());
        let past_expired = InvitationPayload {
            status: reported(InvitationStatus::Expired),
            ..past
        };
        assert_eq!(
            listed(&http, &api, "co-2").await,
            std::slice::from_ref(&past_expired)
        );
        assert!(api.active_reconnects("c-2").is_empty());

        let stats = api.stats();
        assert_eq!(
            (
                stats.invitations_revoked,
                stats.revokes_of_inactive,
                stats.invitations_created
            ),
            (0, 1, 2)
        );
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn expire_and_fulfil_change_an_invitation_as_nectar_would() {
    bounded(async {
        let http = client();
        let api = two_companies().await;
        let week = json!({"expiresInSeconds": 604_800, "maxUses": 3});
        let mut model = Vec::new();
        for _ in 0..4 {
            model.push(invitation(&create(&http, &api, "c-1", week.clone()).await));
        }
        let unlimited = invitation(&create(&http, &api, "c-1", json!({})).await);
        model.push(unlimited);

        // inv_1 expires now.
        let before = Timestamp::now();
        assert!(api.expire("inv_1"));
        let expired = api.invitations()[0].clone();
        let at = expired.expires_at.expect("an expiry");
        assert!(before <= at && at <= Timestamp::now());
        model[0].status = reported(InvitationStatus::Expired);
        model[0].expires_at = Some(at);

        // inv_2 is used up: its maxUses; inv_5 has none, so once.
        assert!(api.fulfil("inv_2"));
        assert!(api.fulfil("inv_5"));
        for (at, uses) in [(1, 3), (4, 1)] {
            model[at].status = reported(InvitationStatus::Fulfilled);
            model[at].use_count = Some(uses);
        }

        // A revoked one stays revoked when used up; a fulfilled one stays fulfilled when
        // its time comes.
        assert_eq!(revoke(&http, &api, "inv_3").await.status, 200);
        assert!(api.fulfil("inv_3"));
        model[2].status = reported(InvitationStatus::Revoked);
        model[2].use_count = Some(3);
        assert!(api.expire("inv_2"));
        model[1].expires_at = api.invitations()[1].expires_at;
        assert!(model[1].expires_at.is_some_and(|at| at <= Timestamp::now()));

        assert!(!api.expire("inv_9") && !api.fulfil("inv_9"));
        assert_eq!(listed(&http, &api, "co-1").await, model);
        assert_eq!(api.invitations(), model);
        assert_eq!(api.active_reconnects("c-1"), [model[3].clone()]);
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn revoking_an_inactive_invitation_answers_it_unchanged_and_is_counted() {
    bounded(async {
        let http = client();
        let api = two_companies().await;
        let created = invitation(&create(&http, &api, "c-1", json!({"maxUses": 1})).await);
        let revoked = InvitationPayload {
            status: reported(InvitationStatus::Revoked),
            ..created.clone()
        };
        for base in ["", "/v2.1"] {
            let path = format!("{base}/invitation/inv_1/revoke");
            let answer = send(&http, &api, Method::POST, &path, None).await;
            assert_eq!((answer.status, invitation(&answer)), (200, revoked.clone()));
        }
        let fulfilled = invitation(&create(&http, &api, "c-1", json!({"maxUses": 2})).await);
        assert!(api.fulfil(&fulfilled.id));
        let answer = revoke(&http, &api, &fulfilled.id).await;
        let served = invitation(&answer);
        assert_eq!(
            (served.status, served.use_count),
            (reported(InvitationStatus::Fulfilled), Some(2))
        );
        assert_eq!(revoke(&http, &api, "inv_404").await.status, 404);
        assert!(api.active_reconnects("c-1").is_empty());

        let stats = api.stats();
        assert_eq!(
            (
                stats.invitations_revoked,
                stats.revokes_of_inactive,
                stats.not_found,
                stats.write_requests
            ),
            (1, 2, 1, 6)
        );
        api.stop();
    })
    .await;
}

/// An account of a test connection.
fn account(
    id: Option<&str>,
    number: Option<&str>,
    status: AccountStatus,
    tracking: Option<TrackingStatus>,
) -> AccountPayload {
    AccountPayload {
        id: id.map(str::to_owned),
        account_number: number.map(str::to_owned),
        status: Some(status.into()),
        tracking_status: tracking.map(Reported::Known),
        ..AccountPayload::default()
    }
}

/// Connection `c-1` of `co-1` with six accounts, four awaiting a decision (`a-1`, `a-2`,
/// `#3` by its account number `123`, and `#5` with neither id nor number).
fn detected() -> ConnectionPayload {
    use AccountStatus::{Detected, Onboarded};
    use TrackingStatus::{Disabled, Unset};
    let accounts = vec![
        account(Some("a-1"), None, Detected, Some(Unset)),
        AccountPayload {
            is_tracked: Some(true),
            ..account(Some("a-2"), Some("222"), Detected, None)
        },
        account(Some("a-3"), None, Onboarded, Some(Unset)),
        account(None, Some("123"), Detected, Some(Unset)),
        account(Some("a-4"), None, Detected, Some(Disabled)),
        account(None, None, Detected, None),
    ];
    ConnectionPayload {
        accounts,
        company: Some(Company {
            id: Some("co-1".to_owned()),
            ..Company::default()
        }),
        ..connection("c-1", S::Connected, 3)
    }
}

/// `connection` with the decision applied to its accounts at `awaiting`.
fn decided(connection: &ConnectionPayload, awaiting: &[usize], confirm: bool) -> ConnectionPayload {
    let tracking = if confirm {
        TrackingStatus::Enabled
    } else {
        TrackingStatus::Disabled
    };
    let mut expected = connection.clone();
    for &at in awaiting {
        let account = &mut expected.accounts[at];
        account.tracking_status = Some(Reported::Known(tracking));
        account.is_tracked = account.is_tracked.map(|_| confirm);
    }
    expected
}

#[tokio::test]
async fn a_decision_sets_the_tracking_of_the_accounts_awaiting_one_and_nothing_else() {
    bounded(async {
        let http = client();
        let api = NectarApi::start().await;
        let original = detected();
        api.put("co-1", original.clone());
        api.put("co-1", connection("c-2", S::Connected, 0));

        let answer = decide(&http, &api, "c-1", true).await;
        assert_eq!((answer.status, answer.json()), (200, json!({})));
        let confirmed = decided(&original, &[0, 1, 3, 5], true);
        let details = get(&http, &api, "/connection/c-1/details").await;
        assert_eq!(
            parse_details(&details.bytes).expect("a connection"),
            confirmed
        );
        let page = get(&http, &api, "/connection/company/co-1").await;
        let page = parse_company_page(&page.bytes).expect("a page");
        assert_eq!(page.connections[0], confirmed, "listed as in the details");
        assert_eq!(api.connections("co-1")[0], confirmed);
        let once = |keys: &[&str]| -> Vec<(String, u32)> {
            keys.iter().map(|key| ((*key).to_owned(), 1)).collect()
        };
        assert_eq!(api.confirmations("c-1"), once(&["#5", "123", "a-1", "a-2"]));

        // Nothing awaits any more: a second decision changes nothing and is redundant; so
        // is one for a connection without accounts.
        assert_eq!(decide(&http, &api, "c-1", false).await.status, 200);
        assert_eq!(api.connections("co-1")[0], confirmed);
        assert_eq!(decide(&http, &api, "c-2", true).await.status, 200);
        assert_eq!(decide(&http, &api, "nobody", true).await.status, 404);
        assert_eq!(api.confirmations("c-1"), once(&["#5", "123", "a-1", "a-2"]));
        assert!(api.confirmations("c-2").is_empty());
        assert!(api.confirmed_twice().is_empty());
        let stats = api.stats();
        assert_eq!((stats.redundant_decisions, stats.not_found), (2, 1));

        // Detected again (Nectar's truth put back): decided again, and seen twice.
        api.put("co-1", original.clone());
        assert_eq!(decide(&http, &api, "c-1", false).await.status, 200);
        assert_eq!(
            api.connections("co-1")[0],
            decided(&original, &[0, 1, 3, 5], false)
        );
        let twice: Vec<(String, String, u32)> = ["#5", "123", "a-1", "a-2"]
            .iter()
            .map(|key| ("c-1".to_owned(), (*key).to_owned(), 2))
            .collect();
        assert_eq!(api.confirmed_twice(), twice);
        assert_eq!(
            api.decisions(),
            [
                ("c-1".to_owned(), true),
                ("c-1".to_owned(), false),
                ("c-2".to_owned(), true),
                ("c-1".to_owned(), false),
            ]
        );
        assert_eq!(api.stats().redundant_decisions, 2);
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn faults_answer_invitation_lists_and_writes_before_anything_is_done() {
    bounded(async {
        let http = client();
        let api = two_companies().await;
        api.put("co-1", detected());
        let created = invitation(&create(&http, &api, "c-1", json!({})).await);
        let before = api.stats();

        api.set_faults(Faults {
            unavailable_per_mille: 1000,
            ..Faults::default()
        });
        assert_eq!(create(&http, &api, "c-1", json!({})).await.status, 503);
        assert_eq!(revoke(&http, &api, &created.id).await.status, 503);
        assert_eq!(decide(&http, &api, "c-1", true).await.status, 503);
        let path = "/invitation/company/co-1";
        assert_eq!(get(&http, &api, path).await.status, 503);
        // A body that does not read is a 400 before any draw.
        let status_path = "/connection/c-1/status";
        let bad = send(&http, &api, Method::PATCH, status_path, Some(json!({}))).await;
        assert_eq!(bad.status, 400);

        api.set_faults(Faults {
            rate_limited_per_mille: 1000,
            retry_after_secs: 3,
            ..Faults::default()
        });
        for reply in [
            create(&http, &api, "c-1", json!({})).await,
            revoke(&http, &api, &created.id).await,
            decide(&http, &api, "c-1", false).await,
            get(&http, &api, path).await,
        ] {
            assert_eq!(
                (reply.status, reply.retry_after.as_deref()),
                (429, Some("3"))
            );
        }

        // Nothing was done.
        api.set_faults(Faults::default());
        assert_eq!(api.invitations(), std::slice::from_ref(&created));
        assert_eq!(listed(&http, &api, "co-1").await, [created]);
        assert!(api.decisions().is_empty());
        assert!(api.confirmations("c-1").is_empty());
        assert_eq!(api.connections("co-1"), [detected()]);
        let stats = api.stats();
        assert_eq!(
            (stats.unavailable, stats.rate_limited, stats.bad_requests),
            (4, 4, 1)
        );
        assert_eq!(stats.write_requests - before.write_requests, 6);
        assert_eq!(
            stats.invitation_list_requests - before.invitation_list_requests,
            3
        );
        assert_eq!(
            (
                stats.invitations_created,
                stats.invitations_revoked,
                stats.answers_lost
            ),
            (1, 0, 0)
        );
        api.stop();
    })
    .await;
}

/// The statuses of `n` invitations created for `c-1`, one after the other.
async fn creations(http: &reqwest::Client, api: &NectarApi, n: usize) -> Vec<u16> {
    let mut statuses = Vec::with_capacity(n);
    for _ in 0..n {
        statuses.push(create(http, api, "c-1", json!({})).await.status);
    }
    statuses
}

#[tokio::test]
async fn lost_answers_come_at_their_seeded_rate_after_the_work() {
    bounded(async {
        let http = client();
        let api = two_companies().await;
        let lost = |seed| LostAnswers {
            write_answers_lost_per_mille: 300,
            seed,
        };
        api.set_lost_answers(lost(11));
        let first = creations(&http, &api, 300).await;
        let lost_count = first.iter().filter(|s| **s == 503).count();
        assert!(first.iter().all(|s| [201, 503].contains(s)), "{first:?}");
        // 30% of 300: a binomial's standard deviation is 7.9.
        assert!((60..=120).contains(&lost_count), "{lost_count} lost");
        assert_eq!(api.invitations().len(), 300, "every one was done");
        assert_eq!(api.stats().answers_lost, lost_count as u64);
        assert_eq!(api.stats().unavailable, 0, "not a fault");

        api.set_lost_answers(lost(11));
        assert_eq!(creations(&http, &api, 300).await, first, "the same seed");
        api.set_lost_answers(lost(12));
        assert_ne!(creations(&http, &api, 300).await, first, "another seed");

        // The lost draws leave the faults' draws as they were: the same writes are faulted
        // (503 before the work) with or without answers lost after it.
        let faults = Faults {
            unavailable_per_mille: 300,
            seed: 5,
            ..Faults::default()
        };
        api.set_lost_answers(LostAnswers::default());
        api.set_faults(faults.clone());
        let (made, faulted) = (api.invitations().len(), api.stats().unavailable);
        let alone = creations(&http, &api, 200).await;
        let not_faulted = alone.iter().filter(|s| **s == 201).count();
        assert_eq!(api.invitations().len() - made, not_faulted);
        let faulted_alone = api.stats().unavailable - faulted;
        assert_eq!(faulted_alone, 200 - not_faulted as u64);
        api.set_faults(faults);
        api.set_lost_answers(LostAnswers {
            write_answers_lost_per_mille: 500,
            seed: 1,
        });
        let (made, faulted, lost_before) = (
            api.invitations().len(),
            api.stats().unavailable,
            api.stats().answers_lost,
        );
        let with_lost = creations(&http, &api, 200).await;
        for (alone, with_lost) in alone.iter().zip(&with_lost) {
            if *alone == 503 {
                assert_eq!(*with_lost, 503, "faulted both times");
            }
        }
        assert!(with_lost.iter().filter(|s| **s == 503).count() > 200 - not_faulted);
        let stats = api.stats();
        assert_eq!(stats.unavailable - faulted, faulted_alone);
        assert_eq!(api.invitations().len() - made, not_faulted, "the same done");
        assert_eq!(
            stats.answers_lost - lost_before,
            with_lost.iter().filter(|s| **s == 503).count() as u64 - faulted_alone
        );
        api.set_faults(Faults::default());

        // Revokes and decisions lose their answers too, after the work.
        api.put("co-1", detected());
        api.set_lost_answers(LostAnswers {
            write_answers_lost_per_mille: 1000,
            seed: 0,
        });
        assert_eq!(revoke(&http, &api, "inv_1").await.status, 503);
        assert_eq!(
            api.invitations()[0].status,
            reported(InvitationStatus::Revoked)
        );
        assert_eq!(decide(&http, &api, "c-1", true).await.status, 503);
        assert_eq!(api.confirmations("c-1").len(), 4, "decided");
        // A 404 was not done, so not lost.
        assert_eq!(revoke(&http, &api, "inv_0").await.status, 404);
        api.stop();
    })
    .await;
}

#[tokio::test]
async fn fail_after_next_writes_comes_first_then_the_lost_share() {
    bounded(async {
        let http = client();
        let api = two_companies().await;
        api.fail_after_next_writes(2);
        assert_eq!(creations(&http, &api, 3).await, [503, 503, 201]);
        api.fail_after_next_writes(1);
        api.set_lost_answers(LostAnswers {
            write_answers_lost_per_mille: 1000,
            seed: 0,
        });
        assert_eq!(creations(&http, &api, 2).await, [503, 503]);
        api.set_lost_answers(LostAnswers::default());
        assert_eq!(creations(&http, &api, 1).await, [201]);
        assert_eq!(api.invitations().len(), 6, "every one was done");
        let stats = api.stats();
        assert_eq!((stats.answers_lost, stats.invitations_created), (4, 6));
        api.stop();
    })
    .await;
}
