//! A sweep of one company's connections, sans I/O: see [`Sweep`].

use core::cmp::Ordering;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::payload::ConnectionPayload;
use crate::poll::{CompanyListPage, CompanyListQuery, PageNumber};
use crate::record::Version;

/// A sweep: every connection of one company, read page by page from
/// `GET /connection/company/{companyId}`, sans I/O.
///
/// The caller does the HTTP. [`Sweep::request`] says which page to ask for next,
/// [`Sweep::take`] takes the page Nectar answered and hands back the connections to
/// reconcile, and once the sweep has ended [`Sweep::listed`] and [`Sweep::not_listed`] say
/// which connections it saw, so that stored connections it did not see can be told apart.
///
/// What Nectar's pagination guide and its list's behaviour ask of a loop over pages
/// (`api-facts`, "Listing a company's connections"), and what this one does:
///
/// * **Stop on the envelope, never on an empty page.** A page number past the end answers
///   the last valid page rather than an empty one, so a loop that waits for an empty page
///   never stops. The sweep ends on the page that says it is the last
///   ([`CompanyListPage::is_last`]: `hasNext: false`, or `currentPage` reaching
///   `totalPages`), and never asks past the last `totalPages` it was told.
/// * **Past the end is the end.** The list can shrink while it is read; the page asked for
///   may then be past the end, and Nectar answers an earlier page (its `currentPage` is lower
///   than the page asked for). That page is taken (what it holds that was not seen is handed
///   on) and the sweep ends: it never asks again and so never reads the last page in a loop.
/// * **Keyed by id.** A connection can move between pages while they are read, and so be
///   listed twice. It is handed on once, unless the second listing is a newer version of it
///   ([`Version::order`]), which is handed on too: [`reconcile`](crate::reconcile) would
///   apply it, so dropping it would only delay what a later sweep would bring. An older or
///   unordered second listing is dropped.
/// * **A snapshot per page.** Each connection handed on is Nectar's state when its page was
///   read: reconcile it as [`Observation::Snapshot`](crate::Observation::Snapshot), exactly
///   as a details poll, so that it is ordered against the record (a listing older than the
///   record is stale, never applied).
/// * **What was not listed.** A connection can also move from a page not yet read to one
///   already read, and be missed by this sweep. A stored connection a sweep did not list is
///   therefore only *not listed*, never gone: keep it, mark it, and let the next sweep see
///   it again. With a status filter, connections of other statuses are not listed by
///   design, so [`Sweep::not_listed`] says nothing.
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus as S;
/// use nectar_lifecycle_webhook::{
///     CompanyListPage, CompanyListQuery, ConnectionPayload, Observation, PageLimit, PageNumber,
///     Sweep, reconcile,
/// };
///
/// // Nectar's list: 3 connections, 2 per page.
/// let all = [("c1", S::Connected), ("c2", S::PasswordIncorrect), ("c3", S::Pending)]
///     .map(|(id, status)| ConnectionPayload::new(id, status));
/// let serve = |query: &CompanyListQuery| {
///     let per_page = query.limit.unwrap_or(PageLimit::DEFAULT).get() as usize;
///     let pages = all.len().div_ceil(per_page);
///     let current = (query.page.unwrap_or(PageNumber::FIRST).get() as usize).min(pages);
///     CompanyListPage {
///         total_connections: Some(all.len() as u64),
///         per_page: Some(per_page as u32),
///         total_pages: Some(pages as u32),
///         current_page: PageNumber::new(current as u32).ok(),
///         has_next: Some(current < pages),
///         has_previous: Some(current > 1),
///         connections: all.iter().skip((current - 1) * per_page).take(per_page).cloned().collect(),
///     }
/// };
///
/// let mut sweep = Sweep::new(CompanyListQuery::new("co-1").with_limit(2)?);
/// let mut requests = 0;
/// while let Some(query) = sweep.request() {
///     requests += 1; // GET {base}{query.path()}, then parse_company_page
///     for connection in sweep.take(serve(&query))? {
///         let _decision = reconcile(None, Observation::Snapshot(&connection)); // your record
///     }
/// }
/// assert_eq!(requests, 2);
/// assert_eq!(sweep.listed().collect::<Vec<_>>(), ["c1", "c2", "c3"]);
/// assert_eq!(sweep.not_listed(["c1", "c9"]), Some(vec!["c9"]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A smaller example:
///
/// ```
/// use nectar_lifecycle_core::ConnectionStatus as S;
/// use nectar_lifecycle_webhook::{CompanyListPage, CompanyListQuery, ConnectionPayload, Sweep};
///
/// let mut sweep = Sweep::new(CompanyListQuery::new("co-1"));
/// assert_eq!(sweep.request().map(|q| q.path()).as_deref(), Some("/connection/company/co-1?page=1"));
/// let page = CompanyListPage::single(vec![ConnectionPayload::new("c1", S::Connected)]);
/// assert_eq!(sweep.take(page)?.len(), 1);
/// assert!(sweep.request().is_none()); // one complete page: the sweep has ended
/// # Ok::<(), nectar_lifecycle_webhook::SweepError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// The company, the filter and the limit; the page is set per request.
    query: CompanyListQuery,
    /// The page to ask for next; `None` once the sweep has ended.
    next: Option<PageNumber>,
    /// How the sweep ended, once it has.
    end: Option<SweepEnd>,
    /// Pages taken.
    pages: u32,
    /// The largest `totalPages` a page gave: the sweep never asks past it.
    total_pages: Option<u32>,
    /// Every connection listed so far, by id, with the version handed on.
    listed: BTreeMap<String, Version>,
}

/// How a [`Sweep`] ended.
///
/// ```
/// use nectar_lifecycle_webhook::{CompanyListPage, CompanyListQuery, Sweep, SweepEnd};
///
/// let mut sweep = Sweep::new(CompanyListQuery::new("co-1"));
/// sweep.take(CompanyListPage::single(Vec::new()))?;
/// assert_eq!(sweep.end(), Some(SweepEnd::LastPage));
/// # Ok::<(), nectar_lifecycle_webhook::SweepError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SweepEnd {
    /// A page said it was the last ([`CompanyListPage::is_last`]), or it was page
    /// `totalPages` as an earlier page gave it.
    LastPage,
    /// The page asked for was past the end (the list shrank while it was read), and Nectar
    /// answered an earlier one.
    PastTheEnd {
        /// The page asked for.
        asked: PageNumber,
        /// The page answered (`currentPage`).
        answered: PageNumber,
    },
}

/// A page a [`Sweep`] cannot take.
///
/// ```
/// use nectar_lifecycle_webhook::{CompanyListPage, CompanyListQuery, PageNumber, Sweep, SweepError};
///
/// let mut sweep = Sweep::new(CompanyListQuery::new("co-1"));
/// let later = CompanyListPage { current_page: PageNumber::new(3).ok(), ..CompanyListPage::default() };
/// let err = sweep.take(later).unwrap_err();
/// assert_eq!(err.to_string(), "asked for page 1 of company co-1's connections, Nectar answered page 3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum SweepError {
    /// The sweep has ended: it asks for nothing more, and takes nothing more.
    #[error("the sweep of company {company}'s connections has ended; start a new one")]
    Ended {
        /// The company.
        company: String,
    },
    /// The page answered is later than the page asked for: not Nectar's documented
    /// behaviour (past the end it answers an earlier page). Nothing was taken; the same page
    /// is asked for again.
    #[error(
        "asked for page {asked} of company {company}'s connections, Nectar answered page {answered}"
    )]
    UnexpectedPage {
        /// The company.
        company: String,
        /// The page asked for.
        asked: u32,
        /// The page answered.
        answered: u32,
    },
}

impl Sweep {
    /// A sweep of the connections `query` lists (its company, status filter and limit),
    /// from page 1 whatever page the query names.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListQuery, PageLimit, Sweep};
    ///
    /// let sweep = Sweep::new(CompanyListQuery::new("co-1").per_page(PageLimit::MAX).with_page(7)?);
    /// let first = sweep.request().expect("a new sweep asks for a page");
    /// assert_eq!(first.path(), "/connection/company/co-1?page=1&limit=500");
    /// # Ok::<(), nectar_lifecycle_webhook::QueryError>(())
    /// ```
    #[must_use]
    pub fn new(query: CompanyListQuery) -> Self {
        Self {
            query: CompanyListQuery {
                page: None,
                ..query
            },
            next: Some(PageNumber::FIRST),
            end: None,
            pages: 0,
            total_pages: None,
            listed: BTreeMap::new(),
        }
    }

    /// The company swept.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListQuery, Sweep};
    ///
    /// assert_eq!(Sweep::new(CompanyListQuery::new("co-1")).company_id(), "co-1");
    /// ```
    #[must_use]
    pub fn company_id(&self) -> &str {
        &self.query.company_id
    }

    /// The request to make next, or `None` once the sweep has ended.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListQuery, PageNumber, Sweep};
    ///
    /// let sweep = Sweep::new(CompanyListQuery::new("co-1"));
    /// assert_eq!(sweep.request().and_then(|q| q.page), Some(PageNumber::FIRST));
    /// ```
    #[must_use]
    pub fn request(&self) -> Option<CompanyListQuery> {
        self.next.map(|page| self.query.clone().at_page(page))
    }

    /// Takes the page Nectar answered to [`Sweep::request`], and returns the connections
    /// to reconcile (each as [`Observation::Snapshot`](crate::Observation::Snapshot)): those
    /// not listed before in this sweep, and those listed again in a newer version, in the
    /// page's order.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{CompanyListPage, CompanyListQuery, ConnectionPayload, PageNumber, Sweep, SweepEnd};
    ///
    /// let at = |minute: u32| Some(format!("2026-12-01T09:{minute:02}:00Z"));
    /// let c = |id: &str, minute| ConnectionPayload { updated: at(minute), ..ConnectionPayload::new(id, S::Connected) };
    /// let page = |current: u32, connections| CompanyListPage {
    ///     total_pages: Some(3),
    ///     current_page: PageNumber::new(current).ok(),
    ///     has_next: Some(current < 3),
    ///     connections,
    ///     ..CompanyListPage::default()
    /// };
    /// let mut sweep = Sweep::new(CompanyListQuery::new("co-1"));
    /// assert_eq!(sweep.take(page(1, vec![c("a", 0), c("b", 0)]))?.len(), 2);
    /// // `b` moved to page 2, unchanged; `c` is new: only `c` is handed on.
    /// assert_eq!(sweep.take(page(2, vec![c("b", 0), c("c", 0)]))?, [c("c", 0)]);
    /// // The list shrank: page 3 is past the end, and Nectar answers page 2 again, `c` changed.
    /// assert_eq!(sweep.take(page(2, vec![c("c", 5)]))?, [c("c", 5)]);
    /// assert_eq!(sweep.end(), Some(SweepEnd::PastTheEnd {
    ///     asked: PageNumber::new(3)?,
    ///     answered: PageNumber::new(2)?,
    /// }));
    /// assert_eq!(sweep.listed().count(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`SweepError::Ended`] once the sweep has ended; [`SweepError::UnexpectedPage`] for a
    /// page later than the one asked for. Neither takes anything.
    pub fn take(&mut self, page: CompanyListPage) -> Result<Vec<ConnectionPayload>, SweepError> {
        let Some(asked) = self.next else {
            return Err(SweepError::Ended {
                company: self.query.company_id.clone(),
            });
        };
        let answered = page.current_page.unwrap_or(asked);
        if answered > asked {
            return Err(SweepError::UnexpectedPage {
                company: self.query.company_id.clone(),
                asked: asked.get(),
                answered: answered.get(),
            });
        }
        let is_last = page.is_last();
        if let Some(total) = page.total_pages {
            self.total_pages = Some(self.total_pages.map_or(total, |t| t.max(total)));
        }
        let mut connections = page.connections;
        connections.retain(|connection| self.list(connection));
        self.pages = self.pages.saturating_add(1);
        let next = asked
            .next()
            .filter(|next| self.total_pages.is_none_or(|total| next.get() <= total));
        self.end = if answered < asked {
            Some(SweepEnd::PastTheEnd { asked, answered })
        } else if is_last || next.is_none() {
            Some(SweepEnd::LastPage)
        } else {
            None
        };
        self.next = if self.end.is_some() { None } else { next };
        Ok(connections)
    }

    /// Notes `connection` as listed; whether to hand it on.
    fn list(&mut self, connection: &ConnectionPayload) -> bool {
        let version = Version::of(connection);
        match self.listed.entry(connection.id.clone()) {
            Entry::Vacant(entry) => {
                entry.insert(version);
                true
            }
            Entry::Occupied(mut entry) => {
                let newer = version.order(entry.get()) == Some(Ordering::Greater);
                if newer {
                    entry.insert(version);
                }
                newer
            }
        }
    }

    /// How the sweep ended; `None` while it goes on.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListQuery, Sweep};
    ///
    /// assert_eq!(Sweep::new(CompanyListQuery::new("co-1")).end(), None);
    /// ```
    #[must_use]
    pub fn end(&self) -> Option<SweepEnd> {
        self.end
    }

    /// Pages taken so far.
    ///
    /// ```
    /// use nectar_lifecycle_webhook::{CompanyListPage, CompanyListQuery, Sweep};
    ///
    /// let mut sweep = Sweep::new(CompanyListQuery::new("co-1"));
    /// sweep.take(CompanyListPage::single(Vec::new()))?;
    /// assert_eq!(sweep.pages(), 1);
    /// # Ok::<(), nectar_lifecycle_webhook::SweepError>(())
    /// ```
    #[must_use]
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// The ids of the connections listed so far, in id order, each once.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{CompanyListPage, CompanyListQuery, ConnectionPayload, Sweep};
    ///
    /// let mut sweep = Sweep::new(CompanyListQuery::new("co-1"));
    /// let listed = ["c2", "c1", "c2"].map(|id| ConnectionPayload::new(id, S::Connected));
    /// sweep.take(CompanyListPage::single(listed.to_vec()))?;
    /// assert_eq!(sweep.listed().collect::<Vec<_>>(), ["c1", "c2"]);
    /// # Ok::<(), nectar_lifecycle_webhook::SweepError>(())
    /// ```
    pub fn listed(&self) -> impl ExactSizeIterator<Item = &str> {
        self.listed.keys().map(String::as_str)
    }

    /// Whether the connection `id` was listed so far.
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{CompanyListPage, CompanyListQuery, ConnectionPayload, Sweep};
    ///
    /// let mut sweep = Sweep::new(CompanyListQuery::new("co-1"));
    /// sweep.take(CompanyListPage::single(vec![ConnectionPayload::new("c1", S::Connected)]))?;
    /// assert!(sweep.was_listed("c1") && !sweep.was_listed("c2"));
    /// # Ok::<(), nectar_lifecycle_webhook::SweepError>(())
    /// ```
    #[must_use]
    pub fn was_listed(&self, id: &str) -> bool {
        self.listed.contains_key(id)
    }

    /// Of the `stored` connection ids, those this sweep did not list, in their order; `None`
    /// while the sweep goes on, or when it lists one status only (others are not listed by
    /// design).
    ///
    /// ```
    /// use nectar_lifecycle_core::ConnectionStatus as S;
    /// use nectar_lifecycle_webhook::{CompanyListPage, CompanyListQuery, ConnectionPayload, Sweep};
    ///
    /// let page = || CompanyListPage::single(vec![ConnectionPayload::new("c1", S::Connected)]);
    /// let mut sweep = Sweep::new(CompanyListQuery::new("co-1"));
    /// assert_eq!(sweep.not_listed(["c1", "c2"]), None); // not ended yet
    /// sweep.take(page())?;
    /// assert_eq!(sweep.not_listed(["c1", "c2"]), Some(vec!["c2"]));
    ///
    /// let mut filtered = Sweep::new(CompanyListQuery::new("co-1").with_status(S::Connected));
    /// filtered.take(page())?;
    /// assert_eq!(filtered.not_listed(["c1", "c2"]), None);
    /// # Ok::<(), nectar_lifecycle_webhook::SweepError>(())
    /// ```
    #[must_use]
    pub fn not_listed<'a>(
        &self,
        stored: impl IntoIterator<Item = &'a str>,
    ) -> Option<Vec<&'a str>> {
        if self.end.is_none() || self.query.status.is_some() {
            return None;
        }
        Some(
            stored
                .into_iter()
                .filter(|id| !self.was_listed(id))
                .collect(),
        )
    }
}
