//! The dashboard (`/`, `/connection/{id}`, `/login`): signing in with an API token sets a
//! session cookie with the right attributes and never shows the token; the pages redirect
//! without it; the cookie reads the JSON API but never writes nor delivers; every value is
//! escaped; the counts shown are the store's.

use axum::http::StatusCode;
use nectar_lifecycle::ConnectionStatus as S;
use nectar_lifecycle::webhook::{ConnectionPayload, Datasource};
use nectar_receiver::{WEBHOOK_PATH, WorklistQuery};

use crate::support::{API_TOKEN, Harness, ROTATED_API_TOKEN, changed_status, connection, events};

on_both_engines!(
    signing_in_sets_a_session_cookie_and_never_shows_the_token,
    the_cookie_reads_the_api_but_never_writes_nor_delivers,
    pages_show_every_value_as_text,
    the_counts_shown_are_the_stores,
    a_connection_page_shows_its_record_history_and_lifecycle,
    with_no_token_configured_the_dashboard_is_off with |config: &mut Config| {
        config.api_tokens.clear();
    },
);

/// An answer as a browser would get it, redirects not followed.
struct Page {
    status: StatusCode,
    location: Option<String>,
    set_cookie: Vec<String>,
    csp: Option<String>,
    body: String,
}

impl Page {
    /// The `name=value` of the session cookie set, for a `Cookie` header.
    fn session(&self) -> String {
        let set = self
            .set_cookie
            .iter()
            .find(|c| c.starts_with("nectar_session="))
            .expect("a session cookie set");
        set.split(';').next().unwrap_or_default().to_owned()
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(core::time::Duration::from_secs(20))
        .build()
        .expect("an HTTP client")
}

async fn read(response: reqwest::Response) -> Page {
    let status = StatusCode::from_u16(response.status().as_u16()).expect("a status");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let location = header("location");
    let csp = header("content-security-policy");
    let set_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let body = response.text().await.expect("a body");
    Page {
        status,
        location,
        set_cookie,
        csp,
        body,
    }
}

/// `GET {path}` with the session `cookie`, if any.
async fn get(h: &Harness, path: &str, cookie: Option<&str>) -> Page {
    let mut request = browser().get(h.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    read(request.send().await.expect("the receiver answers")).await
}

/// `POST {path}` with a form's `body` and `headers`.
async fn post(h: &Harness, path: &str, body: &str, headers: &[(&str, &str)]) -> Page {
    let mut request = browser()
        .post(h.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    read(request.send().await.expect("the receiver answers")).await
}

/// Signs in with `token`; the session cookie for a `Cookie` header.
async fn sign_in(h: &Harness, token: &str) -> String {
    let answer = post(h, "/login", &format!("token={token}"), &[]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    answer.session()
}

/// Delivers the events of `id` going from nothing (PENDING) through `statuses`, with
/// `provider` as its provider's name.
async fn store_through(h: &Harness, id: &str, provider: &str, statuses: &[S]) {
    let mut before: Option<ConnectionPayload> = None;
    let mut n = 0;
    for (minute, status) in [S::Pending].iter().chain(statuses).enumerate() {
        let minute = i64::try_from(minute).expect("few") * 10;
        let next = match &before {
            None => ConnectionPayload {
                datasource: Some(Datasource {
                    name: Some(provider.to_owned()),
                    url: None,
                }),
                ..connection(id, *status, minute)
            },
            Some(b) => changed_status(b, *status, minute),
        };
        for webhook in events(before.as_ref(), &next) {
            n += 1;
            let answer = h.deliver(&format!("{id}.{n}"), &webhook).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        }
        before = Some(next);
    }
}

/// The token is taken from a form's body only; the cookie is `HttpOnly; SameSite=Strict;
/// Path=/`, `Secure` over HTTPS, not the token; a wrong token is refused with the form
/// again; no `Location` and no page ever holds the token; sign out clears the cookie.
async fn signing_in_sets_a_session_cookie_and_never_shows_the_token(h: &Harness) {
    store_through(h, "conn-1", "Utility", &[S::PasswordIncorrect]).await;
    let mut seen: Vec<Page> = Vec::new();

    for path in ["/", "/?needs=end_user", "/connection/conn-1"] {
        let answer = get(h, path, None).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(answer.location.as_deref(), Some("/login"), "{path}");
        seen.push(answer);
    }
    let form = get(h, "/login", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains(r#"<form method="post" action="/login">"#),
        "{}",
        form.body
    );
    assert!(form.body.contains(r#"type="password""#));
    seen.push(form);

    for wrong in ["test-read-token-0003", "", "test-read-token-000"] {
        let refused = post(h, "/login", &format!("token={wrong}"), &[]).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{wrong}");
        assert!(refused.set_cookie.is_empty(), "no cookie for {wrong}");
        assert!(
            refused.body.contains("not one of this receiver"),
            "{}",
            refused.body
        );
        if !wrong.is_empty() {
            assert!(
                !refused.body.contains(wrong),
                "the wrong token is not echoed"
            );
        }
        seen.push(refused);
    }
    // A token in the query is not read: the form must post it.
    let in_query = browser()
        .post(h.url(&format!("/login?token={API_TOKEN}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("answers");
    assert_eq!(in_query.status().as_u16(), 401);

    let signed_in = post(h, "/login", &format!("token={API_TOKEN}"), &[]).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.location.as_deref(), Some("/"));
    let set = signed_in.set_cookie.join("\n");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(!set.contains("Secure"), "plain HTTP: {set}");
    assert!(
        !set.contains(API_TOKEN),
        "the cookie is not the token: {set}"
    );
    let cookie = signed_in.session();
    seen.push(signed_in);

    let over_https = post(
        h,
        "/login",
        &format!("token={ROTATED_API_TOKEN}"),
        &[("x-forwarded-proto", "https")],
    )
    .await;
    assert_eq!(over_https.status, StatusCode::SEE_OTHER);
    assert!(
        over_https.set_cookie.join("\n").contains("; Secure"),
        "{:?}",
        over_https.set_cookie
    );
    seen.push(over_https);

    for path in ["/", "/?needs=end_user", "/connection/conn-1"] {
        let page = get(h, path, Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.starts_with("<!doctype html>"), "{path}");
        assert!(page.body.contains("Sign out"), "{path}");
        let csp = page.csp.as_deref().unwrap_or_default();
        assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        seen.push(page);
    }
    // A signed-in visit to the form goes to the worklist.
    let again = get(h, "/login", Some(&cookie)).await;
    assert_eq!(again.location.as_deref(), Some("/"));
    // A cookie with its MAC changed is no session.
    let forged = format!("{}0", &cookie[..cookie.len() - 1]);
    let forged = if forged == cookie {
        format!("{}1", &cookie[..cookie.len() - 1])
    } else {
        forged
    };
    assert_eq!(
        get(h, "/", Some(&forged)).await.status,
        StatusCode::SEE_OTHER
    );

    let out = post(h, "/logout", "", &[("cookie", &cookie)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location.as_deref(), Some("/login"));
    let cleared = out.set_cookie.join("\n");
    assert!(
        cleared.starts_with("nectar_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    seen.push(out);

    for page in &seen {
        for token in [API_TOKEN, ROTATED_API_TOKEN] {
            assert!(!page.body.contains(token), "a page shows the token");
            assert!(
                !page.location.as_deref().unwrap_or_default().contains(token),
                "a Location holds the token"
            );
        }
    }
}

/// The session cookie reads the read API (`GET`), but a `POST` of it (redelivery) still
/// needs the bearer token, a bearer header present is judged alone, and the webhook never
/// takes the cookie for a signature.
async fn the_cookie_reads_the_api_but_never_writes_nor_delivers(h: &Harness) {
    store_through(h, "conn-1", "Utility", &[S::PasswordIncorrect]).await;
    let cookie = sign_in(h, API_TOKEN).await;
    for path in [
        "/connections",
        "/connections/conn-1",
        "/connections/conn-1/notifications",
    ] {
        let answer = get(h, path, Some(&cookie)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
        assert!(
            answer.body.starts_with('{') || answer.body.starts_with('['),
            "JSON"
        );
        let without = get(h, path, None).await;
        assert_eq!(without.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let with_wrong_bearer = browser()
        .get(h.url("/connections"))
        .header("cookie", &cookie)
        .bearer_auth("test-read-token-0003")
        .send()
        .await
        .expect("answers");
    assert_eq!(
        with_wrong_bearer.status().as_u16(),
        401,
        "the bearer header decides"
    );

    let redeliver = post(
        h,
        "/notifications/ntf_1/redeliver",
        "",
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(
        redeliver.status,
        StatusCode::UNAUTHORIZED,
        "a write needs the bearer token"
    );

    let webhook = browser()
        .post(h.url(WEBHOOK_PATH))
        .header("cookie", &cookie)
        .header("content-type", "application/json")
        .body(
            serde_json::to_vec(&events(None, &connection("conn-2", S::Connected, 0))[0])
                .expect("json"),
        )
        .send()
        .await
        .expect("answers");
    assert_eq!(
        webhook.status().as_u16(),
        401,
        "the webhook needs Svix's signature"
    );
    assert!(h.store.record("conn-2").await.expect("readable").is_none());
}

/// A connection id, a provider's name and a query value holding markup are shown as text
/// on every page, and a link's target is only ever a web URL.
async fn pages_show_every_value_as_text(h: &Harness) {
    let id = r#"conn-<script>alert("id")</script>"#;
    let provider = r#"<script>alert('x')</script> Power & "Light""#;
    store_through(h, id, provider, &[S::PasswordIncorrect]).await;
    let cookie = sign_in(h, API_TOKEN).await;

    let worklist = get(h, "/", Some(&cookie)).await;
    assert_eq!(worklist.status, StatusCode::OK);
    let escaped_provider =
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Power &amp; &quot;Light&quot;";
    assert!(
        worklist.body.contains(escaped_provider),
        "{}",
        worklist.body
    );
    assert!(
        worklist
            .body
            .contains("conn-&lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt;"),
        "{}",
        worklist.body
    );
    assert!(
        worklist
            .body
            .contains(r#"href="/connection/conn-%3Cscript%3Ealert%28%22id%22%29%3C%2Fscript%3E""#),
        "the link's path is percent-encoded"
    );
    assert!(
        !worklist.body.contains("<script"),
        "no markup of a value survives"
    );

    let encoded = "conn-%3Cscript%3Ealert%28%22id%22%29%3C%2Fscript%3E";
    let page = get(h, &format!("/connection/{encoded}"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(escaped_provider));
    assert!(!page.body.contains("<script"), "{}", page.body);

    let filtered = get(
        h,
        "/?status=%3Cscript%3Ealert(1)%3C/script%3E",
        Some(&cookie),
    )
    .await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(
        filtered
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(!filtered.body.contains("<script"));

    let missing = get(h, "/connection/%3Cb%3Enone%3C%2Fb%3E", Some(&cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("&lt;b&gt;none&lt;/b&gt;"),
        "{}",
        missing.body
    );
    assert!(!missing.body.contains("<b>none"));

    let bad = get(h, "/?needs=%3Ci%3E", Some(&cookie)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("&lt;i&gt;") && !bad.body.contains("<i>"),
        "{}",
        bad.body
    );
}

/// The numbers of `attribute="KEY">N<` in `html`, by key.
fn counts_in(html: &str, attribute: &str) -> Vec<(String, i64)> {
    let mut found = Vec::new();
    let marker = format!("{attribute}=\"");
    let mut rest = html;
    while let Some(at) = rest.find(&marker) {
        let after = &rest[at + marker.len()..];
        let key_end = after.find('"').expect("a closing quote");
        let key = after[..key_end].to_owned();
        let number_start = after.find('>').expect("the tag's end") + 1;
        let number_end = number_start + after[number_start..].find('<').expect("a number's end");
        let n = after[number_start..number_end].parse().expect("a number");
        found.push((key, n));
        rest = &after[number_end..];
    }
    found
}

/// The total, the count of each group and of each status shown on the worklist (on every
/// group's tab too) are those of `Store::worklist`; a group's tab lists its connections.
async fn the_counts_shown_are_the_stores(h: &Harness) {
    store_through(h, "a", "Utility A", &[S::PasswordIncorrect]).await;
    store_through(h, "b", "Utility B", &[S::Connected, S::MfaTokenExpired]).await;
    store_through(h, "c", "Utility C", &[S::Connected]).await;
    store_through(h, "d", "Utility D", &[S::Connected, S::CompanyInactive]).await;
    store_through(h, "e", "Utility E", &[S::Connected, S::WebsiteDown]).await;
    store_through(h, "f", "Utility F", &[S::Connected, S::Deactivated]).await;
    let cookie = sign_in(h, API_TOKEN).await;
    let counts = h
        .store
        .worklist(&WorklistQuery::default())
        .await
        .expect("the worklist")
        .counts;
    assert_eq!(counts.total, 6);

    for path in ["/", "/?needs=end_user", "/?needs=nobody&status=CONNECTED"] {
        let page = get(h, path, Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let total = page
            .body
            .split("data-count-total>")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .and_then(|n| n.parse::<i64>().ok());
        assert_eq!(total, Some(counts.total), "{path}");
        let mut by_needs = counts_in(&page.body, "data-count-needs");
        by_needs.sort();
        let mut expected: Vec<(String, i64)> = counts.by_needs.clone().into_iter().collect();
        if !counts.by_needs.contains_key("unknown") {
            expected.push(("unknown".to_owned(), 0));
        }
        expected.sort();
        assert_eq!(by_needs, expected, "{path}");
        let by_status: std::collections::BTreeMap<String, i64> =
            counts_in(&page.body, "data-count-status")
                .into_iter()
                .collect();
        assert_eq!(by_status, counts.by_status, "{path}");
    }

    let end_user = get(h, "/?needs=end_user", Some(&cookie)).await;
    let rows: Vec<&str> = end_user
        .body
        .split("<tr data-id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(rows, ["a", "b"]);
    assert!(
        end_user
            .body
            .contains(r#"href="/?needs=end_user" aria-current="page""#)
    );
    assert!(end_user.body.contains("Utility B"));
    assert!(
        end_user.body.contains("entered a credential error")
            || end_user.body.contains("Entered a credential error")
    );

    // Paging by `next`.
    let first = get(h, "/?limit=4", Some(&cookie)).await;
    assert!(
        first
            .body
            .contains(r#"<a rel="next" href="/?cursor=d&amp;limit=4">Next page</a>"#),
        "{}",
        first.body
    );
    let second = get(h, "/?cursor=d&limit=4", Some(&cookie)).await;
    let rows: Vec<&str> = second
        .body
        .split("<tr data-id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(rows, ["e", "f"]);
    assert!(!second.body.contains("rel=\"next\""));
    assert!(second.body.contains(">First page</a>"));
}

/// A connection's page: its status in words and since when, what to do, its history from
/// the outbox, and the lifecycle diagram with the current status and the path marked.
async fn a_connection_page_shows_its_record_history_and_lifecycle(h: &Harness) {
    store_through(
        h,
        "conn-1",
        "Pacific Gas & Electric",
        &[
            S::Connected,
            S::PasswordIncorrect,
            S::Connected,
            S::MfaTokenExpired,
        ],
    )
    .await;
    let cookie = sign_in(h, API_TOKEN).await;
    let page = get(h, "/connection/conn-1", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("Pacific Gas &amp; Electric"));
    assert!(body.contains("MFA_TOKEN_EXPIRED"));
    assert!(
        body.contains("<time datetime=\""),
        "times are <time> elements"
    );
    assert!(
        body.contains("walk the MFA ladder") || body.contains("Walk the MFA ladder"),
        "what to do"
    );
    assert!(
        body.contains(r#"<g id="status-MFA_TOKEN_EXPIRED" class="status current""#),
        "the current status is highlighted"
    );
    assert!(
        body.contains(r#"id="edge-PASSWORD_INCORRECT-CONNECTED" class="edge taken""#),
        "{body}"
    );
    assert!(body.contains(r#"id="edge-CONNECTED-MFA_TOKEN_EXPIRED" class="edge taken""#));
    let entries = h.notifications("conn-1").await;
    assert!(entries.len() >= 3, "{entries:?}");
    for entry in &entries {
        assert!(body.contains(&format!(
            "<code class=\"muted\">{}</code>",
            entry.notification
        )));
    }
    // The diagram's inline style is allowed by its hash, nothing else inline.
    let csp = page.csp.unwrap_or_default();
    assert!(csp.contains("style-src 'self' 'sha256-"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("script-src"),
        "{csp}"
    );
}

/// No token configured: the form says how to turn the dashboard on, and nothing signs in.
async fn with_no_token_configured_the_dashboard_is_off(h: &Harness) {
    for answer in [
        get(h, "/login", None).await,
        get(h, "/", None).await,
        post(h, "/login", "token=test-read-token-0001", &[]).await,
    ] {
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert!(
            answer.body.contains("RECEIVER_API_TOKENS"),
            "{}",
            answer.body
        );
        assert!(answer.set_cookie.is_empty());
    }
}
