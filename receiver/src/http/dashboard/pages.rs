//! The dashboard's pages as [`Display`] values: the sign-in form, a message, the worklist
//! and a connection. Every value from the store or the request is written through
//! [`Esc`] (or [`Pct`] in a URL, then [`Esc`]).

use core::fmt::{self, Display, Formatter};
use core::str::FromStr;

use jiff::Timestamp;
use nectar_lifecycle::ConnectionStatus;

use super::html::{
    Ago, Esc, GROUPS, Time, capitalized, connection_url, entry_words, group_name, invitation_words,
    is_web_url, span, status_words, url_with, utc, what_to_do,
};
use crate::store::{
    self, InvitationLink, InvitationView, OutboxEntry, RecordView, SinceSource, WorkItem, Worklist,
    WorklistQuery,
};

/// The sign-in form, with `error` above it (a refused token, or the dashboard off).
pub(crate) struct LoginPage<'a> {
    /// Why the last attempt was refused, if it was.
    pub error: Option<&'a str>,
    /// Whether a token is configured at all (else the form is not shown).
    pub enabled: bool,
}

impl Display for LoginPage<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("<section class=\"signin\" aria-labelledby=\"signin-title\">\n<h1 id=\"signin-title\">Sign in</h1>\n")?;
        if let Some(error) = self.error {
            writeln!(f, r#"<p class="error" role="alert">{}</p>"#, Esc(error))?;
        }
        if !self.enabled {
            return f.write_str(
                "<p>The dashboard is off: no API token is configured. Set \
                 <code>RECEIVER_API_TOKENS</code> and restart the receiver.</p>\n</section>\n",
            );
        }
        f.write_str(
            r#"<p>Sign in with one of this receiver's API tokens (<code>RECEIVER_API_TOKENS</code>).</p>
<form method="post" action="/login">
<input type="text" name="username" value="dashboard" autocomplete="username" hidden>
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
<p class="note">The token is sent in the form's body, never in the address. Your browser then keeps a session cookie for 12 hours (not the token itself); <em>Sign out</em> removes it.</p>
</section>
"#,
        )
    }
}

/// A heading and a sentence: a refusal, an error, nothing found.
pub(crate) struct MessagePage<'a> {
    /// The heading.
    pub title: &'a str,
    /// The sentence.
    pub message: &'a str,
}

impl Display for MessagePage<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<h1>{}</h1>\n<p>{}</p>\n<p><a href=\"/\">Back to the worklist</a></p>\n",
            Esc(self.title),
            Esc(self.message)
        )
    }
}

/// The status as a tag: its code, coloured by its category (`cat-credential_error`, ...).
struct StatusTag<'a>(&'a str);

impl Display for StatusTag<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let category = ConnectionStatus::from_str(self.0)
            .map_or_else(|_| "unknown".to_owned(), |s| s.category().to_string());
        write!(
            f,
            r#"<span class="status-tag cat-{}">{}</span>"#,
            Esc(&category),
            Esc(self.0)
        )
    }
}

/// What to do about a connection in a status the library does not know.
const UNKNOWN_TO_DO: &str =
    "Look at the connection at Nectar: this receiver does not know its status.";

/// Who must act on a connection in `status`: the group's value, `unknown` for a status the
/// library does not know.
fn needs_of(status: &str) -> &'static str {
    store::needs_of(status).map_or("unknown", <&str>::from)
}

/// The order statuses are listed in: the spec's, then unknown ones by name.
fn status_order(status: &str) -> (u8, &str) {
    (
        ConnectionStatus::from_str(status).map_or(u8::MAX, |s| s as u8),
        status,
    )
}

/// An entry's time, in words when it parses.
struct EntryTime<'a> {
    created_at: &'a str,
    now: Timestamp,
}

impl Display for EntryTime<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.created_at.parse::<Timestamp>() {
            Ok(at) => write!(f, "{}", Ago { at, now: self.now }),
            Err(_) => write!(f, "{}", Esc(self.created_at)),
        }
    }
}

/// A link to `url` saying `text`, if it is a web URL; else the URL as text.
struct Link<'a> {
    url: &'a str,
    text: &'a str,
}

impl Display for Link<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_web_url(self.url) {
            write!(
                f,
                r#"<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>"#,
                Esc(self.url),
                Esc(self.text)
            )
        } else {
            write!(f, "<code>{}</code>", Esc(self.url))
        }
    }
}

/// A reconnect invitation as the worklist and the connection page show it: its state in
/// words, the link, when it expires, and failed attempts.
struct Invitation<'a> {
    view: &'a InvitationView,
    now: Timestamp,
}

impl Display for Invitation<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let view = self.view;
        let state = invitation_words(&view.state, view.status.as_deref());
        write!(
            f,
            r#"<span class="invitation state-{}">{}</span>"#,
            Esc(&view.state),
            Esc(state)
        )?;
        if let Some(url) = view.url.as_deref() {
            write!(
                f,
                "<br>{}",
                Link {
                    url,
                    text: "Reconnect link"
                }
            )?;
        }
        if let Some(expires) = view.expires_at.filter(|_| view.state == "active") {
            let word = if expires > self.now {
                "expires"
            } else {
                "expired"
            };
            write!(
                f,
                "<br><span class=\"muted\">{word} {}</span>",
                Ago {
                    at: expires,
                    now: self.now
                }
            )?;
        }
        if view.failures > 0 {
            let s = if view.failures == 1 { "" } else { "s" };
            write!(
                f,
                "<br><span class=\"warn\">{} failed attempt{s} at Nectar's API",
                view.failures
            )?;
            if let Some(error) = view.last_error.as_deref() {
                write!(f, ": {}", Esc(error))?;
            }
            f.write_str("</span>")?;
        }
        Ok(())
    }
}

/// The link an outbox entry carries.
struct EntryLink<'a>(&'a InvitationLink);

impl Display for EntryLink<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}",
            Link {
                url: &self.0.url,
                text: "Reconnect link"
            }
        )
    }
}

/// The worklist: counts per group and per status, the filter, a page of connections.
pub(crate) struct WorklistPage<'a> {
    /// The page read.
    pub list: &'a Worklist,
    /// What was asked.
    pub query: &'a WorklistQuery,
    /// Now, for the times in words.
    pub now: Timestamp,
    /// Whether the receiver keeps reconnect invitations (`NECTAR_RECONNECT_INVITATIONS`).
    pub invitations_on: bool,
}

impl WorklistPage<'_> {
    fn needs(&self) -> &'static str {
        self.query.needs.map_or("", <&str>::from)
    }

    fn status(&self) -> &str {
        self.query.status.as_deref().unwrap_or("")
    }

    fn limit(&self) -> String {
        if self.query.limit == WorklistQuery::DEFAULT_LIMIT {
            String::new()
        } else {
            self.query.limit.to_string()
        }
    }

    /// The worklist's URL with `needs` and `status` (the limit kept), from the first page.
    fn url(&self, needs: &str, status: &str) -> String {
        url_with(
            "/",
            &[
                ("needs", needs),
                ("status", status),
                ("limit", &self.limit()),
            ],
        )
    }

    fn groups(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let counts = &self.list.counts;
        let current = |selected: bool| {
            if selected {
                r#" aria-current="page""#
            } else {
                ""
            }
        };
        writeln!(
            f,
            r#"<nav class="groups" aria-label="Who must act"><ul>
<li><a href="{}"{}><span class="group">All connections</span> <span class="count" data-count-total>{}</span></a></li>"#,
            Esc(&self.url("", self.status())),
            current(self.needs().is_empty()),
            counts.total
        )?;
        for (needs, name, _) in GROUPS {
            let n = counts.by_needs.get(needs).copied().unwrap_or(0);
            writeln!(
                f,
                r#"<li><a href="{}"{}{}><span class="group">{}</span> <span class="count" data-count-needs="{}">{n}</span></a></li>"#,
                Esc(&self.url(needs, self.status())),
                current(self.needs() == needs),
                if n == 0 { r#" class="none""# } else { "" },
                Esc(name),
                Esc(needs),
            )?;
        }
        f.write_str("</ul></nav>\n")
    }

    fn statuses(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut statuses: Vec<(&String, &i64)> = self.list.counts.by_status.iter().collect();
        statuses.sort_by_key(|(status, _)| status_order(status));
        f.write_str(
            r#"<section class="by-status" aria-labelledby="by-status-title">
<h2 id="by-status-title">Connections per status, all groups</h2>
<table class="statuses">
<thead><tr><th scope="col">Status</th><th scope="col">What it means</th><th scope="col">Who must act</th><th scope="col" class="num">Connections</th></tr></thead>
<tbody>
"#,
        )?;
        for (status, n) in statuses {
            let selected = self.status() == status.as_str();
            writeln!(
                f,
                r#"<tr{}><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td><td class="num" data-count-status="{}">{n}</td></tr>"#,
                if selected { r#" class="selected""# } else { "" },
                Esc(&self.url("", status)),
                StatusTag(status),
                Esc(status_words(status)),
                Esc(group_name(needs_of(status))),
                Esc(status),
            )?;
        }
        f.write_str("</tbody>\n</table>\n</section>\n")
    }

    fn filter(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(r#"<form class="filter" method="get" action="/">"#)?;
        if !self.needs().is_empty() {
            write!(
                f,
                r#"<input type="hidden" name="needs" value="{}">"#,
                Esc(self.needs())
            )?;
        }
        let limit = self.limit();
        if !limit.is_empty() {
            write!(
                f,
                r#"<input type="hidden" name="limit" value="{}">"#,
                Esc(&limit)
            )?;
        }
        f.write_str(
            r#"<label for="status-filter">Status</label> <select id="status-filter" name="status"><option value="">Any status</option>"#,
        )?;
        // The statuses of the group shown (each, with its count).
        let mut statuses: Vec<&String> = self
            .list
            .counts
            .by_status
            .keys()
            .filter(|status| self.needs().is_empty() || needs_of(status) == self.needs())
            .collect();
        let asked = self.query.status.as_ref();
        if let Some(asked) = asked.filter(|s| !self.list.counts.by_status.contains_key(*s)) {
            statuses.push(asked);
        }
        statuses.sort_by_key(|status| status_order(status));
        for status in statuses {
            let n = self.list.counts.by_status.get(status).copied().unwrap_or(0);
            write!(
                f,
                r#"<option value="{}"{}>{} ({n})</option>"#,
                Esc(status),
                if Some(status) == asked {
                    " selected"
                } else {
                    ""
                },
                Esc(status)
            )?;
        }
        f.write_str("</select> <button type=\"submit\">Show</button></form>\n")
    }

    fn row(&self, f: &mut Formatter<'_>, item: &WorkItem) -> fmt::Result {
        write!(
            f,
            r#"<tr data-id="{}"><td><a href="{}">{}</a>"#,
            Esc(&item.id),
            Esc(&connection_url(&item.id)),
            Esc(&item.id)
        )?;
        if let Some(external) = item.external_id.as_deref() {
            write!(
                f,
                r#"<br><span class="muted">our id: {}</span>"#,
                Esc(external)
            )?;
        }
        match item.provider.as_deref() {
            Some(provider) => write!(f, "</td><td>{}</td>", Esc(provider))?,
            None => f.write_str(r#"</td><td><span class="muted">not given</span></td>"#)?,
        }
        write!(
            f,
            r#"<td>{}<br><span class="muted">{}</span></td>"#,
            StatusTag(&item.status),
            Esc(status_words(&item.status))
        )?;
        match item.since {
            Some(since) => {
                let source = match item.since_source {
                    SinceSource::Nectar => "",
                    SinceSource::Observed => {
                        r#"<br><span class="muted">seen by the receiver</span>"#
                    }
                };
                write!(
                    f,
                    "<td>{}{source}</td>",
                    Time {
                        at: since,
                        text: &span(self.now.duration_since(since))
                    }
                )?;
            }
            None => f.write_str(r#"<td><span class="muted">not known</span></td>"#)?,
        }
        let needs = item.needs.map_or("unknown", <&str>::from);
        if self.needs().is_empty() {
            write!(f, "<td>{}</td>", Esc(group_name(needs)))?;
        }
        write!(
            f,
            "<td>{}</td>",
            Esc(what_to_do(&item.status).unwrap_or(UNKNOWN_TO_DO))
        )?;
        if self.invitations_on {
            match &item.invitation {
                Some(view) => write!(
                    f,
                    "<td>{}</td>",
                    Invitation {
                        view,
                        now: self.now
                    }
                )?,
                None if needs == "end_user" => {
                    f.write_str(r#"<td><span class="muted">none yet</span></td>"#)?;
                }
                None => f.write_str(r#"<td><span class="muted">not needed</span></td>"#)?,
            }
        }
        match &item.last_entry {
            Some(entry) => write!(
                f,
                r#"<td>{}<br><span class="muted">{}</span></td>"#,
                Esc(entry_words(&entry.notification.to_string())),
                EntryTime {
                    created_at: &entry.created_at,
                    now: self.now
                },
            )?,
            None => f.write_str(r#"<td><span class="muted">none yet</span></td>"#)?,
        }
        f.write_str("</tr>\n")
    }

    fn list(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut title = match self.query.needs {
            Some(needs) => format!("Who must act: {}", group_name(needs.into())),
            None => "All connections".to_owned(),
        };
        if !self.status().is_empty() {
            title.push_str(", in ");
            title.push_str(self.status());
        }
        writeln!(
            f,
            r#"<section class="list" aria-labelledby="list-title">
<h2 id="list-title">{}</h2>"#,
            Esc(&title)
        )?;
        if let Some((_, _, meaning)) = GROUPS.iter().find(|(n, ..)| *n == self.needs()) {
            writeln!(f, r#"<p class="explain">{}</p>"#, Esc(meaning))?;
        }
        self.filter(f)?;
        if !self.invitations_on {
            f.write_str("<p class=\"note\">Reconnect invitations are off (<code>NECTAR_RECONNECT_INVITATIONS</code>): the receiver creates no reconnect link.</p>\n")?;
        }
        if self.list.connections.is_empty() {
            f.write_str("<p class=\"empty\">No connection here.</p>\n")?;
        } else {
            f.write_str(
                r#"<table class="worklist">
<thead><tr><th scope="col">Connection</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">In this status for</th>"#,
            )?;
            if self.needs().is_empty() {
                f.write_str(r#"<th scope="col">Who must act</th>"#)?;
            }
            f.write_str(r#"<th scope="col">What to do</th>"#)?;
            if self.invitations_on {
                f.write_str(r#"<th scope="col">Reconnect invitation</th>"#)?;
            }
            f.write_str("<th scope=\"col\">Last notification</th></tr></thead>\n<tbody>\n")?;
            for item in &self.list.connections {
                self.row(f, item)?;
            }
            f.write_str("</tbody>\n</table>\n")?;
        }
        let shown = self.list.connections.len();
        let s = if shown == 1 { "" } else { "s" };
        write!(
            f,
            r#"<nav class="pager" aria-label="Pages"><span>{shown} connection{s} on this page, by id.</span>"#
        )?;
        if self.query.cursor.is_some() {
            write!(
                f,
                r#" <a href="{}">First page</a>"#,
                Esc(&self.url(self.needs(), self.status()))
            )?;
        }
        if let Some(next) = self.list.next.as_deref() {
            let url = url_with(
                "/",
                &[
                    ("needs", self.needs()),
                    ("status", self.status()),
                    ("cursor", next),
                    ("limit", &self.limit()),
                ],
            );
            write!(f, r#" <a rel="next" href="{}">Next page</a>"#, Esc(&url))?;
        }
        f.write_str("</nav>\n</section>\n")
    }
}

impl Display for WorklistPage<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let total = self.list.counts.total;
        let s = if total == 1 { "" } else { "s" };
        write!(
            f,
            "<h1>Worklist</h1>\n<p class=\"lead\">{total} connection{s} stored. Pick who must act to see theirs; open a connection for its history.</p>\n"
        )?;
        self.groups(f)?;
        self.list(f)?;
        self.statuses(f)
    }
}

/// A connection: its record, its reconnect invitation, the lifecycle with its current
/// status and the path it took, its outbox as a timeline, its accounts.
pub(crate) struct ConnectionPage<'a> {
    /// The record.
    pub view: &'a RecordView,
    /// Its outbox, in order.
    pub entries: &'a [OutboxEntry],
    /// Now, for the times in words.
    pub now: Timestamp,
    /// Whether the receiver keeps reconnect invitations.
    pub invitations_on: bool,
    /// The lifecycle diagrams (inline SVG), the current status and the path marked, each
    /// with its caption.
    pub diagrams: &'a [(String, String)],
    /// The statuses the outbox recorded, in order, consecutive repeats dropped, the
    /// current status last.
    pub path: &'a [String],
}

impl ConnectionPage<'_> {
    /// Since when the connection is in its status: Nectar's `statusFirstSeenTime`, else
    /// the first entry of the last run of entries in that status.
    fn since(&self) -> Option<(Timestamp, &'static str)> {
        let connection = &self.view.record.connection;
        if let Some(at) = connection.status_first_seen_time {
            return Some((at, "Nectar's statusFirstSeenTime"));
        }
        let status = connection.status.as_str();
        self.entries
            .iter()
            .rev()
            .take_while(|e| e.status == status)
            .last()
            .and_then(|e| e.created_at.parse().ok())
            .map(|at| (at, "the receiver's first entry in it"))
    }

    fn facts(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let c = &self.view.record.connection;
        let status = c.status.as_str();
        f.write_str("<dl class=\"facts\">\n")?;
        let provider = c.datasource.as_ref().and_then(|d| d.name.as_deref());
        write!(
            f,
            "<dt>Provider</dt><dd>{}",
            Esc(provider.unwrap_or("not given"))
        )?;
        let url = c
            .datasource
            .as_ref()
            .and_then(|d| d.url.as_deref())
            .or(c.url.as_deref());
        if let Some(url) = url {
            write!(f, " ({})", Link { url, text: url })?;
        }
        f.write_str("</dd>\n")?;
        write!(
            f,
            "<dt>Status</dt><dd>{} {}",
            StatusTag(status),
            Esc(status_words(status))
        )?;
        if let Some((since, source)) = self.since() {
            write!(
                f,
                r#"<br>for {}, since {} <span class="muted">({})</span>"#,
                Esc(&span(self.now.duration_since(since))),
                Time {
                    at: since,
                    text: &utc(since)
                },
                Esc(source)
            )?;
        }
        f.write_str("</dd>\n")?;
        if let Some(detail) = c.status_error_detail.as_deref() {
            writeln!(f, "<dt>Nectar's detail</dt><dd>{}</dd>", Esc(detail))?;
        }
        writeln!(
            f,
            "<dt>Who must act</dt><dd>{}</dd>\n<dt>What to do</dt><dd>{}",
            Esc(group_name(needs_of(status))),
            Esc(what_to_do(status).unwrap_or(UNKNOWN_TO_DO))
        )?;
        if let Some(remedy) = store::remedy(status) {
            write!(
                f,
                r#"<br><span class="muted">In the spec's words: {}.</span>"#,
                Esc(&capitalized(&remedy.to_string()))
            )?;
        }
        f.write_str("</dd>\n")?;
        if let Some(company) = &c.company {
            let name = company.name.as_deref().unwrap_or("no name given");
            write!(f, "<dt>Company</dt><dd>{}", Esc(name))?;
            if let Some(id) = company.id.as_deref() {
                write!(f, r#" <span class="muted">({})</span>"#, Esc(id))?;
            }
            f.write_str("</dd>\n")?;
        }
        if let Some(external) = c.external_id.as_deref() {
            writeln!(f, "<dt>Our id (externalId)</dt><dd>{}</dd>", Esc(external))?;
        }
        let active = match c.is_active {
            Some(true) => "On",
            Some(false) => "Off (isActive: false)",
            None => "Not reported",
        };
        writeln!(f, "<dt>Collection</dt><dd>{active}</dd>")?;
        if let Some(username) = c.username.as_deref() {
            writeln!(f, "<dt>Utility login</dt><dd>{}</dd>", Esc(username))?;
        }
        if let Some(email) = c.workflow_owner_email.as_deref() {
            writeln!(f, "<dt>Owner's email</dt><dd>{}</dd>", Esc(email))?;
        }
        if let Some(not_listed) = &self.view.not_listed {
            write!(
                f,
                "<dt>Not listed</dt><dd class=\"warn\">Complete sweeps of its company have not listed it since {}",
                Time {
                    at: not_listed.since,
                    text: &utc(not_listed.since)
                }
            )?;
            match not_listed.last_listed_at {
                Some(at) => write!(f, "; last listed {}", Ago { at, now: self.now })?,
                None => f.write_str("; no sweep ever listed it")?,
            }
            f.write_str(". It may have been deleted at Nectar.</dd>\n")?;
        }
        f.write_str("</dl>\n")
    }

    fn invitation(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(
            "<section aria-labelledby=\"invitation-title\">\n<h2 id=\"invitation-title\">Reconnect invitation</h2>\n",
        )?;
        match (&self.view.invitation, self.invitations_on) {
            (Some(view), _) => {
                write!(
                    f,
                    "<p>{}</p>\n<p class=\"muted\">Credential-error episode {}, begun {}",
                    Invitation { view, now: self.now },
                    view.episode,
                    Ago {
                        at: view.started_at,
                        now: self.now
                    }
                )?;
                if let Some(ended) = view.ended_at {
                    write!(f, ", ended {}", Ago { at: ended, now: self.now })?;
                }
                let s = if view.invitations == 1 { "" } else { "s" };
                writeln!(f, "; {} invitation{s} in it.</p>", view.invitations)?;
            }
            (None, true) => f.write_str(
                "<p>None: the connection has had no credential error since reconnect invitations were turned on.</p>\n",
            )?,
            (None, false) => f.write_str(
                "<p>Reconnect invitations are off (<code>NECTAR_RECONNECT_INVITATIONS</code>): the receiver creates no reconnect link.</p>\n",
            )?,
        }
        f.write_str("</section>\n")
    }

    fn lifecycle(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(
            "<section aria-labelledby=\"lifecycle-title\">\n<h2 id=\"lifecycle-title\">Lifecycle</h2>\n",
        )?;
        let status = self.view.record.connection.status.as_str();
        f.write_str(
            "<p>The current status is drawn in yellow with a blue border; the transitions the receiver recorded are drawn in blue.",
        )?;
        if self.path.len() > 1 {
            f.write_str(" Path: ")?;
            for (i, status) in self.path.iter().enumerate() {
                if i > 0 {
                    f.write_str(" → ")?;
                }
                write!(f, "<code>{}</code>", Esc(status))?;
            }
            f.write_str(".")?;
        }
        f.write_str("</p>\n")?;
        if ConnectionStatus::from_str(status).is_err() {
            writeln!(
                f,
                "<p class=\"note\">{} is not a status the lifecycle knows: it is not drawn.</p>",
                StatusTag(status)
            )?;
        }
        for (caption, svg) in self.diagrams {
            // The core's renderer escapes what it writes; its SVG is the page's own markup.
            writeln!(
                f,
                "<figure class=\"diagram\">\n<figcaption>{}</figcaption>\n{svg}</figure>",
                Esc(caption)
            )?;
        }
        f.write_str("</section>\n")
    }

    fn history(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(
            "<section aria-labelledby=\"history-title\">\n<h2 id=\"history-title\">History</h2>\n",
        )?;
        if self.entries.is_empty() {
            return f.write_str("<p class=\"empty\">No notification yet: the receiver has recorded no change that means something for the end user or for us.</p>\n</section>\n");
        }
        f.write_str(
            r#"<p>Every notification the receiver recorded for this connection (its outbox), oldest first.</p>
<table class="history">
<thead><tr><th scope="col" class="num">#</th><th scope="col">When</th><th scope="col">What happened</th><th scope="col">Status after</th><th scope="col">Reconnect link</th><th scope="col">Delivery id (svix-id)</th></tr></thead>
<tbody>
"#,
        )?;
        // The link to send now, if any: an older entry's link was replaced, used or revoked.
        let active = self
            .view
            .invitation
            .as_ref()
            .filter(|view| view.state == "active")
            .and_then(|view| view.id.as_deref());
        for entry in self.entries {
            let kind = entry.notification.to_string();
            write!(
                f,
                r#"<tr><td class="num">{}</td><td>{}</td><td>{}<br><code class="muted">{}</code></td><td>{}</td><td>"#,
                entry.sequence,
                EntryTime {
                    created_at: &entry.created_at,
                    now: self.now
                },
                Esc(entry_words(&kind)),
                Esc(&kind),
                StatusTag(&entry.status),
            )?;
            match &entry.invitation {
                Some(link) => {
                    write!(f, "{}", EntryLink(link))?;
                    if active == Some(link.id.as_str()) {
                        f.write_str(
                            r#"<br><span class="invitation state-active">the active link</span>"#,
                        )?;
                    } else {
                        f.write_str(r#"<br><span class="muted">no longer active</span>"#)?;
                    }
                    if let Some(expires) =
                        link.expires_at.filter(|_| active == Some(link.id.as_str()))
                    {
                        write!(
                            f,
                            "<br><span class=\"muted\">expires {}</span>",
                            Time {
                                at: expires,
                                text: &utc(expires)
                            }
                        )?;
                    }
                }
                None => f.write_str(r#"<span class="muted">none</span>"#)?,
            }
            match entry.delivery_id.as_deref() {
                Some(id) => writeln!(f, "</td><td><code>{}</code></td></tr>", Esc(id))?,
                None => f.write_str(
                    "</td><td><span class=\"muted\">by the receiver</span></td></tr>\n",
                )?,
            }
        }
        f.write_str("</tbody>\n</table>\n</section>\n")
    }

    fn accounts(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let accounts = &self.view.record.connection.accounts;
        f.write_str(
            "<section aria-labelledby=\"accounts-title\">\n<h2 id=\"accounts-title\">Accounts</h2>\n",
        )?;
        if accounts.is_empty() {
            return f.write_str("<p class=\"empty\">No account reported.</p>\n</section>\n");
        }
        f.write_str(
            r#"<table class="accounts">
<thead><tr><th scope="col">Account</th><th scope="col">Number</th><th scope="col">Status</th><th scope="col">Tracking</th><th scope="col">Closed by the utility</th></tr></thead>
<tbody>
"#,
        )?;
        let or_none = |value: Option<&str>| {
            value.map_or_else(
                || r#"<span class="muted">not given</span>"#.to_owned(),
                |v| format!("<code>{}</code>", Esc(v)),
            )
        };
        for account in accounts {
            writeln!(
                f,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                or_none(account.id.as_deref()),
                or_none(account.account_number.as_deref()),
                or_none(account.status.as_ref().map(|s| s.as_str())),
                or_none(account.tracking_status.as_ref().map(|s| s.as_str())),
                or_none(account.last_service_date.as_deref()),
            )?;
        }
        f.write_str("</tbody>\n</table>\n</section>\n")
    }
}

impl Display for ConnectionPage<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let id = &self.view.record.connection.id;
        write!(
            f,
            "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a href=\"/\">Worklist</a> › <span aria-current=\"page\">{}</span></nav>\n<h1>Connection <code>{}</code></h1>\n",
            Esc(id),
            Esc(id)
        )?;
        self.facts(f)?;
        self.invitation(f)?;
        self.history(f)?;
        self.lifecycle(f)?;
        self.accounts(f)
    }
}
