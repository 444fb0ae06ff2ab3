//! Configuration: from the environment, with defaults that run.

use core::fmt;
use core::num::NonZeroU32;
use core::time::Duration;
use std::net::SocketAddr;

use nectar_lifecycle::webhook::PageLimit;

use nectar_lifecycle::verify::{SecretError, Verifier, WebhookSecret};

/// `DATABASE_URL` when unset: a SQLite file in the working directory, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://nectar-receiver.db";

/// `LISTEN_ADDR` when unset.
pub const DEFAULT_LISTEN_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

/// `NECTAR_API_BASE_URL` when unset: Nectar's API, version 2.2.
pub const DEFAULT_API_BASE_URL: &str = "https://external.nectarclimate.com/v2.2";

/// The most requests in flight to Nectar's API that its docs allow, and the default of
/// `NECTAR_MAX_REQUESTS_IN_FLIGHT`.
pub const MAX_REQUESTS_IN_FLIGHT: u32 = 10;

/// The environment variables read, with what each sets.
pub const VARIABLES: [(&str, &str); 40] = [
    (
        "DATABASE_URL",
        "sqlite://PATH (created if missing) or postgres://USER:PASSWORD@HOST:PORT/DATABASE",
    ),
    (
        "NECTAR_WEBHOOK_SECRETS",
        "the endpoint's whsec_ secrets, separated by whitespace or commas",
    ),
    ("NECTAR_API_BASE_URL", "the API base URL the poller calls"),
    (
        "NECTAR_API_KEY",
        "the API key the poller sends as X-API-Key",
    ),
    ("LISTEN_ADDR", "the address to listen on"),
    (
        "METRICS_ADDR",
        "the address GET /metrics is served on, alone, for Prometheus (metrics are off without)",
    ),
    (
        "RECEIVER_API_TOKENS",
        "the bearer tokens of the read API, separated by whitespace or commas (the read API is off without)",
    ),
    (
        "NOTIFY_URL",
        "the integrator's app: every outbox entry is pushed to it, signed (push is off without)",
    ),
    (
        "NOTIFY_SECRET",
        "the whsec_ secret the pushed messages are signed with (required with NOTIFY_URL)",
    ),
    (
        "NOTIFY_RETRY_SCHEDULE",
        "the waits before each attempt of a push, like 0s,5s,5m,30m,2h,5h,10h,10h (Svix's)",
    ),
    (
        "NOTIFY_TIMEOUT",
        "how long the app has to answer a push with a 2xx, like 15s (default 15s)",
    ),
    (
        "NECTAR_COMPANY_IDS",
        "the companies to sweep, separated by whitespace or commas (sweeps are off without)",
    ),
    (
        "NECTAR_SWEEP_INTERVAL",
        "how often each company is swept, like 90s, 15m or 1h (default 1h)",
    ),
    (
        "NECTAR_SWEEP_LEASE",
        "how long a sweep's holder keeps it without renewing, like 60s (default 60s)",
    ),
    (
        "NECTAR_MAX_REQUESTS_IN_FLIGHT",
        "the most requests in flight to Nectar's API, 1 to 10 (default 10)",
    ),
    (
        "NECTAR_RECONNECT_INVITATIONS",
        "on: keep one reconnect invitation active through each credential-error episode (default off)",
    ),
    (
        "NECTAR_INVITATION_TTL",
        "how long each reconnect invitation lasts, sent as expiresInSeconds, like 7d or 12h (default 7d)",
    ),
    (
        "NECTAR_INVITATION_SEND_EMAIL",
        "on: Nectar emails the invitation itself (sendEmail; default off)",
    ),
    (
        "NECTAR_INVITATION_HOLD",
        "how long an entered_credential_error entry waits for its link before it is sent without one, like 10m (default 10m)",
    ),
    (
        "NECTAR_CONFIRM_ACCOUNTS",
        "on: confirm the accounts Nectar detects, once per detection (default off)",
    ),
    (
        "NECTAR_ACTION_LEASE",
        "how long an instance keeps a claimed action step from the others, like 60s; longer than any call to Nectar's API (default 60s)",
    ),
    (
        "NECTAR_ACTION_RETRY",
        "the delay before a failed action step is tried again, doubled per failure up to 5 min, like 5s (default 5s)",
    ),
    (
        "NECTAR_ACTION_MAX_RETRY",
        "the longest delay between attempts of a failing action step (default 5m)",
    ),
    (
        "NECTAR_ACTION_CHECK_EVERY",
        "how often the actions worker looks for due steps (default 1s)",
    ),
    (
        "REQUEST_TIMEOUT",
        "how long a request may take before it is answered 503 (Svix then retries) (default 10s)",
    ),
    (
        "DATABASE_ACQUIRE_TIMEOUT",
        "how long a request waits for a database connection from the pool (default 5s)",
    ),
    (
        "DATABASE_LOCK_TIMEOUT",
        "how long a transaction waits for a lock (SQLite's busy timeout, PostgreSQL's lock_timeout) (default 5s)",
    ),
    (
        "DATABASE_STATEMENT_TIMEOUT",
        "how long one statement may run (PostgreSQL's statement_timeout) (default 5s)",
    ),
    (
        "NECTAR_API_TIMEOUT",
        "how long one call to Nectar's API may take, connecting included (default 10s)",
    ),
    (
        "NECTAR_API_ATTEMPTS",
        "attempts of one read of Nectar's API on 429, 5xx or a failed connection, 1 to 10 (default 4)",
    ),
    (
        "NECTAR_API_BACKOFF",
        "the wait after a read's first failed attempt, doubled after each further one (default 500ms)",
    ),
    (
        "NECTAR_API_MAX_BACKOFF",
        "the longest wait between attempts of a read; a longer Retry-After ends the call (default 30s)",
    ),
    (
        "POLL_INTERVAL",
        "how often the poller looks for due gap polls when nothing wakes it (default 1s)",
    ),
    (
        "POLL_LEASE",
        "how long a claimed gap poll is kept from other pollers (default 60s)",
    ),
    (
        "POLL_BACKOFF",
        "the delay after a gap poll's first failure, doubled after each further one (default 1s)",
    ),
    (
        "POLL_MAX_BACKOFF",
        "the longest delay between attempts of a gap poll (default 5m)",
    ),
    (
        "NECTAR_SWEEP_CHECK_EVERY",
        "how often an instance looks for a sweep that is due (default 1s)",
    ),
    (
        "NECTAR_SWEEP_RETRY",
        "the delay before a failed sweep is tried again, doubled per failure up to the interval (default 30s)",
    ),
    (
        "NOTIFY_CHECK_EVERY",
        "how often the pusher looks for due entries besides being woken by appends (default 250ms)",
    ),
    (
        "READY_STALE_AFTER",
        "how long the poller or the sweeper may go without a round before GET /readyz answers 503 (default 60s)",
    ),
];

/// The most attempts `NECTAR_API_ATTEMPTS` allows.
pub const MAX_API_ATTEMPTS: u32 = 10;

/// Sets one duration of a [`Config`].
type SetDuration = fn(&mut Config, Duration);

/// The durations read from the environment (a positive duration each, like `90s`, `15m`,
/// `1h`, `7d`), and where each goes; [`VARIABLES`] says what each means.
const TIMINGS: [(&str, SetDuration); 22] = [
    ("REQUEST_TIMEOUT", |c, d| c.timeouts.request = d),
    ("DATABASE_ACQUIRE_TIMEOUT", |c, d| c.timeouts.acquire = d),
    ("DATABASE_LOCK_TIMEOUT", |c, d| c.timeouts.lock = d),
    ("DATABASE_STATEMENT_TIMEOUT", |c, d| {
        c.timeouts.statement = d
    }),
    ("NECTAR_API_TIMEOUT", |c, d| c.timeouts.api_request = d),
    ("NECTAR_API_BACKOFF", |c, d| c.etiquette.backoff = d),
    ("NECTAR_API_MAX_BACKOFF", |c, d| c.etiquette.max_backoff = d),
    ("POLL_INTERVAL", |c, d| c.polling.interval = d),
    ("POLL_LEASE", |c, d| c.polling.lease = d),
    ("POLL_BACKOFF", |c, d| c.polling.backoff = d),
    ("POLL_MAX_BACKOFF", |c, d| c.polling.max_backoff = d),
    ("NECTAR_SWEEP_INTERVAL", |c, d| c.sweeping.interval = d),
    ("NECTAR_SWEEP_LEASE", |c, d| c.sweeping.lease = d),
    ("NECTAR_SWEEP_CHECK_EVERY", |c, d| {
        c.sweeping.check_every = d
    }),
    ("NECTAR_SWEEP_RETRY", |c, d| c.sweeping.retry = d),
    ("NOTIFY_TIMEOUT", |c, d| c.push.timeout = d),
    ("NOTIFY_CHECK_EVERY", |c, d| c.push.check_every = d),
    ("NECTAR_ACTION_LEASE", |c, d| c.actions.lease = d),
    ("NECTAR_ACTION_RETRY", |c, d| c.actions.retry = d),
    ("NECTAR_ACTION_MAX_RETRY", |c, d| c.actions.max_retry = d),
    ("NECTAR_ACTION_CHECK_EVERY", |c, d| {
        c.actions.check_every = d
    }),
    ("READY_STALE_AFTER", |c, d| c.ready_stale_after = d),
];

/// Everything the receiver needs to run. `Debug` shows no secret: the webhook secrets and
/// the API key print as `<redacted>`, and the database URL without its password.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (`LISTEN_ADDR`; port 0 picks a free port).
    pub listen_addr: SocketAddr,
    /// Where `GET /metrics` is served, alone (`METRICS_ADDR`; port 0 picks a free port):
    /// bind it to an interface only the monitoring network reaches. `None`: no metrics.
    pub metrics_addr: Option<SocketAddr>,
    /// The database (`DATABASE_URL`).
    pub database_url: DatabaseUrl,
    /// The endpoint's signing secrets (`NECTAR_WEBHOOK_SECRETS`): several while rotating.
    /// With none, every delivery is refused (401).
    pub webhook_secrets: Vec<WebhookSecret>,
    /// Nectar's API, for the poller (`NECTAR_API_BASE_URL`, `NECTAR_API_KEY`).
    pub api: NectarApi,
    /// The bearer tokens every endpoint but the webhook and the health probe asks for
    /// (`RECEIVER_API_TOKENS`): several while rotating. With none, the read API is off (403).
    pub api_tokens: Vec<ApiToken>,
    /// How long anything may take.
    pub timeouts: Timeouts,
    /// How the poller runs.
    pub polling: Polling,
    /// How every call to Nectar's API behaves towards it (`NECTAR_MAX_REQUESTS_IN_FLIGHT`).
    pub etiquette: Etiquette,
    /// Push of every outbox entry to the integrator's app (`NOTIFY_URL`, `NOTIFY_SECRET`,
    /// `NOTIFY_RETRY_SCHEDULE`, `NOTIFY_TIMEOUT`); off without a URL.
    pub push: Push,
    /// The companies swept and how (`NECTAR_COMPANY_IDS`, `NECTAR_SWEEP_INTERVAL`); no
    /// company, no sweep.
    pub sweeping: Sweeping,
    /// The actions on Nectar's API the receiver takes itself (`NECTAR_RECONNECT_INVITATIONS`,
    /// `NECTAR_CONFIRM_ACCOUNTS`, ...); all off by default.
    pub actions: Actions,
    /// How long the poller or the sweeper may go without a round before `GET /readyz`
    /// answers 503 (`READY_STALE_AFTER`): 60 s.
    pub ready_stale_after: Duration,
    /// How many database connections to open at most; `None` for the engine's default.
    pub max_connections: Option<u32>,
}

impl Config {
    /// The defaults, with `database_url` and no webhook secret.
    #[must_use]
    pub fn new(database_url: DatabaseUrl) -> Self {
        Self {
            listen_addr: DEFAULT_LISTEN_ADDR,
            metrics_addr: None,
            database_url,
            webhook_secrets: Vec::new(),
            api: NectarApi {
                base_url: DEFAULT_API_BASE_URL.to_owned(),
                key: None,
            },
            api_tokens: Vec::new(),
            timeouts: Timeouts::default(),
            polling: Polling::default(),
            etiquette: Etiquette::default(),
            push: Push::default(),
            sweeping: Sweeping::default(),
            actions: Actions::default(),
            ready_stale_after: Duration::from_secs(60),
            max_connections: None,
        }
    }

    /// Reads the configuration from the process's environment ([`VARIABLES`]).
    ///
    /// # Errors
    /// [`ConfigError`] for a value that cannot be used; the error never contains a secret.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (a variable's value, `None` if unset): the
    /// environment for [`Config::from_env`], a map in tests. Empty values count as unset.
    ///
    /// ```
    /// use nectar_receiver::Config;
    ///
    /// let config = Config::from_lookup(|name| match name {
    ///     "NECTAR_WEBHOOK_SECRETS" => Some(
    ///         "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw, whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".into(),
    ///     ),
    ///     "DATABASE_URL" => Some("postgres://receiver:hunter2@127.0.0.1:5432/nectar".into()),
    ///     _ => None,
    /// })?;
    /// assert_eq!(config.webhook_secrets.len(), 2);
    /// assert_eq!(config.listen_addr.to_string(), "127.0.0.1:8080");
    /// let shown = format!("{config:?}");
    /// assert!(!shown.contains("hunter2") && !shown.contains("MfKQ9r8"));
    /// # Ok::<(), nectar_receiver::ConfigError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Config::from_env`].
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let database_url = get("DATABASE_URL")
            .map_or_else(|| Ok(DatabaseUrl::default()), |url| DatabaseUrl::new(&url))?;
        let mut config = Self::new(database_url);
        if let Some(addr) = get("LISTEN_ADDR") {
            config.listen_addr = addr
                .trim()
                .parse()
                .map_err(|_| ConfigError::ListenAddr { value: addr })?;
        }
        if let Some(addr) = get("METRICS_ADDR") {
            config.metrics_addr = Some(
                addr.trim()
                    .parse()
                    .map_err(|_| ConfigError::MetricsAddr { value: addr })?,
            );
        }
        if let Some(secrets) = get("NECTAR_WEBHOOK_SECRETS") {
            config.webhook_secrets = parse_secrets(&secrets)?;
        }
        if let Some(base_url) = get("NECTAR_API_BASE_URL") {
            config.api.base_url = base_url.trim().trim_end_matches('/').to_owned();
        }
        config.api.key = get("NECTAR_API_KEY").map(|key| ApiKey(key.trim().to_owned()));
        if let Some(tokens) = get("RECEIVER_API_TOKENS") {
            config.api_tokens = split_list(&tokens)
                .enumerate()
                .map(|(index, token)| {
                    ApiToken::new(token).map_err(|reason| ConfigError::ApiToken { index, reason })
                })
                .collect::<Result<_, _>>()?;
        }
        config.push.url = get("NOTIFY_URL").map(|url| url.trim().to_owned());
        if let Some(secret) = get("NOTIFY_SECRET") {
            config.push.secret = Some(
                WebhookSecret::new(secret.trim())
                    .map_err(|source| ConfigError::NotifySecret { source })?,
            );
        }
        match (&config.push.url, &config.push.secret) {
            (Some(_), None) => {
                return Err(ConfigError::NotifyPair {
                    missing: "NOTIFY_SECRET",
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::NotifyPair {
                    missing: "NOTIFY_URL",
                });
            }
            _ => {}
        }
        if let Some(schedule) = get("NOTIFY_RETRY_SCHEDULE") {
            config.push.schedule = split_list(&schedule)
                .map(|wait| parse_wait("NOTIFY_RETRY_SCHEDULE", wait))
                .collect::<Result<_, _>>()?;
            if config.push.schedule.first() != Some(&Duration::ZERO) {
                return Err(ConfigError::Duration {
                    variable: "NOTIFY_RETRY_SCHEDULE",
                    value: schedule,
                });
            }
        }
        if let Some(companies) = get("NECTAR_COMPANY_IDS") {
            config.sweeping.companies = split_list(&companies).map(str::to_owned).collect();
            config.sweeping.companies.sort();
            config.sweeping.companies.dedup();
        }
        if let Some(value) = get("NECTAR_RECONNECT_INVITATIONS") {
            config.actions.reconnect_invitations =
                parse_switch("NECTAR_RECONNECT_INVITATIONS", &value)?;
        }
        if let Some(value) = get("NECTAR_INVITATION_SEND_EMAIL") {
            config.actions.send_email = parse_switch("NECTAR_INVITATION_SEND_EMAIL", &value)?;
        }
        if let Some(value) = get("NECTAR_CONFIRM_ACCOUNTS") {
            config.actions.confirm_accounts = parse_switch("NECTAR_CONFIRM_ACCOUNTS", &value)?;
        }
        if let Some(ttl) = get("NECTAR_INVITATION_TTL") {
            config.actions.invitation_ttl = parse_duration("NECTAR_INVITATION_TTL", &ttl)
                .ok()
                .filter(|ttl| *ttl >= MIN_INVITATION_TTL)
                .ok_or(ConfigError::Duration {
                    variable: "NECTAR_INVITATION_TTL",
                    value: ttl,
                })?;
        }
        if let Some(hold) = get("NECTAR_INVITATION_HOLD") {
            config.actions.hold = parse_wait("NECTAR_INVITATION_HOLD", &hold)?;
        }
        for (variable, set) in TIMINGS {
            if let Some(value) = get(variable) {
                set(&mut config, parse_duration(variable, &value)?);
            }
        }
        if let Some(attempts) = get("NECTAR_API_ATTEMPTS") {
            config.etiquette.attempts = attempts
                .trim()
                .parse::<NonZeroU32>()
                .ok()
                .filter(|n| n.get() <= MAX_API_ATTEMPTS)
                .ok_or(ConfigError::Attempts { value: attempts })?;
        }
        if let Some(limit) = get("NECTAR_MAX_REQUESTS_IN_FLIGHT") {
            config.etiquette.max_in_flight = limit
                .trim()
                .parse::<NonZeroU32>()
                .ok()
                .filter(|n| n.get() <= MAX_REQUESTS_IN_FLIGHT)
                .ok_or(ConfigError::MaxRequestsInFlight { value: limit })?;
        }
        Ok(config)
    }

    /// The verifier of the configured secrets; `None` when there is none.
    #[must_use]
    pub fn verifier(&self) -> Option<Verifier> {
        let mut secrets = self.webhook_secrets.iter().cloned();
        let first = secrets.next()?;
        Some(secrets.fold(Verifier::new(first), Verifier::with_secret))
    }
}

/// The items of a list separated by whitespace or commas, in order.
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|item| !item.is_empty())
}

/// A positive duration like `90s`, `15m`, `1h` or `1h30m` (jiff's friendly format, or ISO
/// 8601 like `PT1H`).
fn parse_duration(variable: &'static str, value: &str) -> Result<Duration, ConfigError> {
    parse_wait(variable, value).and_then(|d| {
        if d.is_zero() {
            Err(ConfigError::Duration {
                variable,
                value: value.to_owned(),
            })
        } else {
            Ok(d)
        }
    })
}

/// A duration of zero or more (a wait in a schedule), in [`parse_duration`]'s formats; a
/// day (`7d`) is 24 hours.
fn parse_wait(variable: &'static str, value: &str) -> Result<Duration, ConfigError> {
    let trimmed = value.trim();
    if trimmed == "0" {
        return Ok(Duration::ZERO);
    }
    let days_of_24_hours = || {
        let span = trimmed.parse::<jiff::Span>().ok()?;
        span.to_duration(jiff::SpanRelativeTo::days_are_24_hours())
            .ok()
    };
    trimmed
        .parse::<jiff::SignedDuration>()
        .ok()
        .or_else(days_of_24_hours)
        .and_then(|d| Duration::try_from(d).ok())
        .ok_or_else(|| ConfigError::Duration {
            variable,
            value: value.to_owned(),
        })
}

/// `on` or `off` (also `true`/`false`, `1`/`0`, `yes`/`no`, any case).
fn parse_switch(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "yes" => Ok(true),
        "off" | "false" | "0" | "no" => Ok(false),
        _ => Err(ConfigError::Switch {
            variable,
            value: value.to_owned(),
        }),
    }
}

/// The secrets of `NECTAR_WEBHOOK_SECRETS`, in order.
fn parse_secrets(value: &str) -> Result<Vec<WebhookSecret>, ConfigError> {
    split_list(value)
        .enumerate()
        .map(|(index, secret)| {
            WebhookSecret::new(secret).map_err(|source| ConfigError::Secret { index, source })
        })
        .collect()
}

/// A database URL: `sqlite://PATH` (also `sqlite:PATH`) or `postgres://...`
/// (`postgresql://...`). Its `Debug` and `Display` hide the password.
///
/// ```
/// use nectar_receiver::{DatabaseUrl, Engine};
///
/// let url = DatabaseUrl::new("postgres://receiver:hunter2@db:5432/nectar?sslmode=require")?;
/// assert_eq!(url.engine(), Engine::Postgres);
/// assert_eq!(url.to_string(), "postgres://receiver:<redacted>@db:5432/nectar?sslmode=require");
/// assert_eq!(DatabaseUrl::default().engine(), Engine::Sqlite);
/// assert!(DatabaseUrl::new("mysql://db/nectar").is_err());
/// # Ok::<(), nectar_receiver::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    engine: Engine,
}

/// A database engine the receiver runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// SQLite, embedded: one process, no setup.
    Sqlite,
    /// PostgreSQL: several receiver instances behind a load balancer.
    Postgres,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        })
    }
}

impl DatabaseUrl {
    /// Checks the scheme of `url`.
    ///
    /// # Errors
    /// [`ConfigError::DatabaseUrl`] for another scheme (naming the scheme only).
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        let url = url.trim();
        let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
        let engine = match scheme {
            "sqlite" => Engine::Sqlite,
            "postgres" | "postgresql" => Engine::Postgres,
            _ => {
                return Err(ConfigError::DatabaseUrl {
                    scheme: scheme.chars().take(16).collect(),
                });
            }
        };
        Ok(Self {
            url: url.to_owned(),
            engine,
        })
    }

    /// The engine the URL names.
    #[must_use]
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The URL itself, password included: for the driver only, never for a log.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.url
    }
}

impl Default for DatabaseUrl {
    /// [`DEFAULT_DATABASE_URL`].
    fn default() -> Self {
        Self {
            url: DEFAULT_DATABASE_URL.to_owned(),
            engine: Engine::Sqlite,
        }
    }
}

impl fmt::Display for DatabaseUrl {
    /// The URL with the password of its user info and any `password=` parameter redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const REDACTED: &str = "<redacted>";
        let (before_query, query) = match self.url.split_once('?') {
            Some((before, query)) => (before, Some(query)),
            None => (self.url.as_str(), None),
        };
        match before_query.split_once("://") {
            Some((scheme, rest)) => {
                let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                write!(f, "{scheme}://")?;
                match authority.rsplit_once('@') {
                    Some((user_info, host)) => match user_info.split_once(':') {
                        Some((user, _)) => write!(f, "{user}:{REDACTED}@{host}")?,
                        None => write!(f, "{user_info}@{host}")?,
                    },
                    None => f.write_str(authority)?,
                }
                f.write_str(path)?;
            }
            None => f.write_str(before_query)?,
        }
        if let Some(query) = query {
            f.write_str("?")?;
            for (i, pair) in query.split('&').enumerate() {
                if i > 0 {
                    f.write_str("&")?;
                }
                match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        write!(f, "{key}={REDACTED}")?;
                    }
                    _ => f.write_str(pair)?,
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Nectar's API, as the poller calls it.
#[derive(Debug, Clone)]
pub struct NectarApi {
    /// The base URL, without a trailing slash (`https://external.nectarclimate.com/v2.2`).
    pub base_url: String,
    /// The key sent as `X-API-Key`; without one, polls fail (and are retried) until it is set.
    pub key: Option<ApiKey>,
}

/// An API key. Its `Debug` is `ApiKey(<redacted>)`.
///
/// ```
/// use nectar_receiver::ApiKey;
///
/// let key = ApiKey::new("sk_live_123");
/// assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
/// assert_eq!(key.expose(), "sk_live_123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps `key`.
    #[must_use]
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself: for the request header only, never for a log.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// A bearer token of the read API (`RECEIVER_API_TOKENS`): at least
/// [`ApiToken::MIN_LEN`] characters, printable ASCII without spaces or commas. Its `Debug`
/// is `ApiToken(<redacted>)`.
///
/// ```
/// use nectar_receiver::ApiToken;
///
/// let token = ApiToken::new("0123456789abcdef")?;
/// assert_eq!(format!("{token:?}"), "ApiToken(<redacted>)");
/// assert_eq!(token.expose(), "0123456789abcdef");
/// assert!(ApiToken::new("short").is_err());
/// # Ok::<(), &'static str>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// The fewest characters a token may have: 16.
    pub const MIN_LEN: usize = 16;

    /// Checks `token`.
    ///
    /// # Errors
    /// Why it cannot be a token (never the token itself): shorter than
    /// [`ApiToken::MIN_LEN`], or a character outside printable ASCII.
    pub fn new(token: &str) -> Result<Self, &'static str> {
        if token.len() < Self::MIN_LEN {
            return Err("shorter than 16 characters");
        }
        if !token.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
            return Err("a character outside printable ASCII, or a comma");
        }
        Ok(Self(token.to_owned()))
    }

    /// The token itself: for comparing, never for a log.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// How long anything may take. Svix waits 15 s for an answer; everything a delivery waits
/// for is bounded well below that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// A whole request, answered 503 past it (Svix then retries): 10 s.
    pub request: Duration,
    /// Waiting for a database connection from the pool: 5 s.
    pub acquire: Duration,
    /// Waiting for a lock held by another transaction (SQLite's busy timeout, PostgreSQL's
    /// `lock_timeout`): 5 s.
    pub lock: Duration,
    /// One statement (PostgreSQL's `statement_timeout`): 5 s.
    pub statement: Duration,
    /// One call to Nectar's API, connecting included: 10 s.
    pub api_request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            request: Duration::from_secs(10),
            acquire: Duration::from_secs(5),
            lock: Duration::from_secs(5),
            statement: Duration::from_secs(5),
            api_request: Duration::from_secs(10),
        }
    }
}

/// How the poller runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// How often it looks for due jobs when nothing wakes it (a gap recorded by this
    /// instance wakes it at once): 1 s.
    pub interval: Duration,
    /// How long a claimed job is kept from other pollers: 60 s. A poller that dies holding a
    /// job leaves it due again after this.
    pub lease: Duration,
    /// The delay after a job's first failed attempt, doubled after each further one: 1 s.
    pub backoff: Duration,
    /// The longest delay between attempts: 5 min.
    pub max_backoff: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
        }
    }
}

impl Polling {
    /// The delay before the next attempt of a job that failed its `attempts`-th attempt:
    /// [`backoff`](Self::backoff) doubled per earlier attempt, at most
    /// [`max_backoff`](Self::max_backoff).
    ///
    /// ```
    /// use core::time::Duration;
    /// use nectar_receiver::Polling;
    ///
    /// let polling = Polling::default();
    /// assert_eq!(polling.backoff_after(1), Duration::from_secs(1));
    /// assert_eq!(polling.backoff_after(4), Duration::from_secs(8));
    /// assert_eq!(polling.backoff_after(60), Duration::from_secs(300));
    /// ```
    #[must_use]
    pub fn backoff_after(&self, attempts: u32) -> Duration {
        doubling(self.backoff, self.max_backoff, attempts)
    }
}

/// How every call to Nectar's API behaves towards it: the etiquette its docs ask for (at
/// most 10 requests in flight, exponential backoff on 429).
///
/// ```
/// use core::time::Duration;
/// use nectar_receiver::Etiquette;
///
/// let etiquette = Etiquette::default();
/// assert_eq!(etiquette.max_in_flight.get(), 10);
/// assert_eq!(etiquette.backoff_after(1), Duration::from_millis(500));
/// assert_eq!(etiquette.backoff_after(3), Duration::from_secs(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Etiquette {
    /// The most requests in flight at once from this instance, 1 to
    /// [`MAX_REQUESTS_IN_FLIGHT`] (`NECTAR_MAX_REQUESTS_IN_FLIGHT`): 10.
    pub max_in_flight: NonZeroU32,
    /// Attempts of one read, the first included, on 429, 5xx or a failed connection: 4.
    pub attempts: NonZeroU32,
    /// The wait after the first failed attempt, doubled after each further one: 500 ms.
    pub backoff: Duration,
    /// The longest wait between attempts of one read: 30 s. A `Retry-After` asking for
    /// longer ends the call instead, and its caller tries again no sooner.
    pub max_backoff: Duration,
}

impl Default for Etiquette {
    fn default() -> Self {
        Self {
            max_in_flight: NonZeroU32::new(MAX_REQUESTS_IN_FLIGHT).unwrap_or(NonZeroU32::MIN),
            attempts: NonZeroU32::new(4).unwrap_or(NonZeroU32::MIN),
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl Etiquette {
    /// The wait after the `attempts`-th failed attempt of a read.
    #[must_use]
    pub fn backoff_after(&self, attempts: u32) -> Duration {
        doubling(self.backoff, self.max_backoff, attempts)
    }
}

/// `first` doubled per attempt after the first, at most `max`.
fn doubling(first: Duration, max: Duration, attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(30);
    first.saturating_mul(1 << doublings).min(max)
}

/// The shortest `NECTAR_INVITATION_TTL`: Nectar takes `expiresInSeconds` of at least 60.
pub const MIN_INVITATION_TTL: Duration = Duration::from_secs(60);

/// The actions the receiver takes on Nectar's API itself, exactly once against an API that
/// takes no idempotency key (receiver/README.md, "Actions"). All off by default.
///
/// ```
/// use core::time::Duration;
/// use nectar_receiver::Config;
///
/// let config = Config::from_lookup(|name| match name {
///     "NECTAR_RECONNECT_INVITATIONS" => Some("on".into()),
///     "NECTAR_INVITATION_TTL" => Some("3d".into()),
///     _ => None,
/// })?;
/// assert!(config.actions.reconnect_invitations && !config.actions.confirm_accounts);
/// assert_eq!(config.actions.invitation_ttl, Duration::from_secs(3 * 24 * 3600));
/// assert_eq!(config.actions.hold, Duration::from_secs(600));
/// # Ok::<(), nectar_receiver::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actions {
    /// Keep one reconnect invitation active through each credential-error episode, revoked
    /// when it ends (`NECTAR_RECONNECT_INVITATIONS=on`).
    pub reconnect_invitations: bool,
    /// How long each invitation lasts (`NECTAR_INVITATION_TTL`, sent as `expiresInSeconds`):
    /// 7 days. At least [`MIN_INVITATION_TTL`].
    pub invitation_ttl: Duration,
    /// Whether Nectar emails the invitation (`NECTAR_INVITATION_SEND_EMAIL`): off.
    pub send_email: bool,
    /// How long the `entered_credential_error` entry waits for its link while Nectar's API
    /// does not answer (`NECTAR_INVITATION_HOLD`): 10 min. After it, the entry is appended
    /// without a link, and the link follows in a `reconnect_invitation` entry.
    pub hold: Duration,
    /// Confirm the accounts Nectar detects, once per detection (`NECTAR_CONFIRM_ACCOUNTS=on`).
    pub confirm_accounts: bool,
    /// How long a worker keeps a claimed step from other instances (`NECTAR_ACTION_LEASE`):
    /// 60 s. Keep it longer than one call to Nectar's API with its retries, so that a create
    /// in flight is recorded before another instance can look.
    pub lease: Duration,
    /// How often an instance looks for due steps: 1 s (sooner when a change records one).
    pub check_every: Duration,
    /// The delay before a failed step is tried again (`NECTAR_ACTION_RETRY`), doubled per
    /// failure, at most [`max_retry`](Self::max_retry): 5 s.
    pub retry: Duration,
    /// The longest delay between attempts of a failing step: 5 min.
    pub max_retry: Duration,
}

impl Default for Actions {
    fn default() -> Self {
        Self {
            reconnect_invitations: false,
            invitation_ttl: Duration::from_secs(7 * 24 * 3600),
            send_email: false,
            hold: Duration::from_secs(600),
            confirm_accounts: false,
            lease: Duration::from_secs(60),
            check_every: Duration::from_secs(1),
            retry: Duration::from_secs(5),
            max_retry: Duration::from_secs(300),
        }
    }
}

impl Actions {
    /// Whether any action is on.
    #[must_use]
    pub fn any(&self) -> bool {
        self.reconnect_invitations || self.confirm_accounts
    }

    /// The delay before attempt `failures + 1` of a failing step.
    #[must_use]
    pub fn backoff(&self, failures: u32) -> Duration {
        doubling(self.retry, self.max_retry, failures)
    }
}

/// Push: every outbox entry delivered to the integrator's app as a Standard Webhooks
/// message, signed, at least once, in order per connection, retried on a schedule like
/// Svix's, then marked failed (the dead letter).
///
/// ```
/// use core::time::Duration;
/// use nectar_receiver::Push;
///
/// let push = Push::default();
/// assert!(push.url.is_none()); // off
/// assert_eq!(push.schedule.len(), 8); // 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
/// assert_eq!(push.schedule[2], Duration::from_secs(300));
/// assert_eq!(push.timeout, Duration::from_secs(15));
/// ```
#[derive(Debug, Clone)]
pub struct Push {
    /// Where to push (`NOTIFY_URL`); `None`: push is off.
    pub url: Option<String>,
    /// The secret messages are signed with (`NOTIFY_SECRET`, a `whsec_` secret).
    pub secret: Option<WebhookSecret>,
    /// The wait before each attempt (`NOTIFY_RETRY_SCHEDULE`), as Svix lists its own: the
    /// first is 0 (the first attempt goes at once; a schedule must start with `0s`), each
    /// next one is waited after the attempt before it failed. After the last attempt fails
    /// the entry is marked failed. Svix's: 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    pub schedule: Vec<Duration>,
    /// How long the app has to answer 2xx (`NOTIFY_TIMEOUT`): 15 s, as Svix gives Nectar's
    /// receivers. A push is leased for twice this, so that another pusher takes it over
    /// only once this one has surely given up.
    pub timeout: Duration,
    /// The most pushes in flight at once per instance: 16. One slow app or failing
    /// connection holds up no more than these.
    pub max_in_flight: usize,
    /// How often the pusher looks for due entries besides being woken by this instance's
    /// appends (for other instances' entries and retries coming due): 250 ms.
    pub check_every: Duration,
}

impl Default for Push {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(60 * m);
        Self {
            url: None,
            secret: None,
            schedule: vec![
                Duration::ZERO,
                Duration::from_secs(5),
                minutes(5),
                minutes(30),
                minutes(120),
                minutes(300),
                minutes(600),
                minutes(600),
            ],
            timeout: Duration::from_secs(15),
            max_in_flight: 16,
            check_every: Duration::from_millis(250),
        }
    }
}

/// Which companies are swept, and how: every connection of each is listed page by page
/// (`GET /connection/company/{companyId}`) and reconciled like a polled snapshot.
///
/// ```
/// use core::time::Duration;
/// use nectar_receiver::Sweeping;
///
/// let sweeping = Sweeping::default();
/// assert!(sweeping.companies.is_empty()); // sweeps are off
/// assert_eq!(sweeping.interval, Duration::from_secs(3600));
/// assert_eq!(sweeping.page_limit.get(), 500);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sweeping {
    /// The companies (`NECTAR_COMPANY_IDS`), sorted, each once; none turns sweeps off.
    pub companies: Vec<String>,
    /// From the start of one sweep of a company to the next (`NECTAR_SWEEP_INTERVAL`): 1 h.
    /// Each instance also sweeps every company once when it starts.
    pub interval: Duration,
    /// Connections per page asked for: 500, the most Nectar serves, for the fewest requests.
    pub page_limit: PageLimit,
    /// How long a claimed sweep is kept from other instances without a sign of life
    /// (`NECTAR_SWEEP_LEASE`): 60 s.
    /// The holder renews it after every page; a sweep whose holder died is picked up again
    /// (from page 1) once its lease ends.
    pub lease: Duration,
    /// How often an instance looks for a sweep that is due: 1 s.
    pub check_every: Duration,
    /// The delay before a failed sweep is tried again, doubled per failure, at most
    /// [`interval`](Self::interval): 30 s.
    pub retry: Duration,
}

impl Default for Sweeping {
    fn default() -> Self {
        Self {
            companies: Vec::new(),
            interval: Duration::from_secs(3600),
            page_limit: PageLimit::MAX,
            lease: Duration::from_secs(60),
            check_every: Duration::from_secs(1),
            retry: Duration::from_secs(30),
        }
    }
}

impl Sweeping {
    /// The delay before a sweep that failed `failures` times in a row is tried again.
    ///
    /// ```
    /// use core::time::Duration;
    /// use nectar_receiver::Sweeping;
    ///
    /// let sweeping = Sweeping::default();
    /// assert_eq!(sweeping.retry_after(1), Duration::from_secs(30));
    /// assert_eq!(sweeping.retry_after(20), Duration::from_secs(3600));
    /// ```
    #[must_use]
    pub fn retry_after(&self, failures: u32) -> Duration {
        doubling(self.retry, self.interval, failures)
    }
}

/// A configuration value that cannot be used. No message contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `NECTAR_API_ATTEMPTS` is not 1 to [`MAX_API_ATTEMPTS`].
    #[error("NECTAR_API_ATTEMPTS: `{value}` is not a number from 1 to {MAX_API_ATTEMPTS}")]
    Attempts {
        /// The value given.
        value: String,
    },
    /// A switch is neither on nor off.
    #[error("{variable}: `{value}` is neither on nor off")]
    Switch {
        /// The variable.
        variable: &'static str,
        /// The value given.
        value: String,
    },
    /// `DATABASE_URL` names another engine.
    #[error(
        "DATABASE_URL: unsupported scheme `{scheme}`; expected sqlite://PATH or postgres://..."
    )]
    DatabaseUrl {
        /// The URL's scheme (at most 16 characters of it).
        scheme: String,
    },
    /// `LISTEN_ADDR` is not an address and port.
    #[error("LISTEN_ADDR: `{value}` is not an IP address and port (like 127.0.0.1:8080)")]
    ListenAddr {
        /// The value given.
        value: String,
    },
    /// `METRICS_ADDR` is not an address and port.
    #[error("METRICS_ADDR: `{value}` is not an IP address and port (like 10.0.0.5:9464)")]
    MetricsAddr {
        /// The value given.
        value: String,
    },
    /// One of `NECTAR_WEBHOOK_SECRETS` is not a webhook secret.
    #[error("NECTAR_WEBHOOK_SECRETS: secret #{} of the list: {source}", .index + 1)]
    Secret {
        /// Its place in the list, from 0.
        index: usize,
        /// Why (never the secret itself).
        #[source]
        source: SecretError,
    },
    /// `NOTIFY_SECRET` is not a webhook secret.
    #[error("NOTIFY_SECRET: {source}")]
    NotifySecret {
        /// Why (never the secret itself).
        #[source]
        source: SecretError,
    },
    /// One of `NOTIFY_URL` and `NOTIFY_SECRET` is set without the other.
    #[error("{missing} is needed too: push is signed, NOTIFY_URL and NOTIFY_SECRET go together")]
    NotifyPair {
        /// The variable missing.
        missing: &'static str,
    },
    /// One of `RECEIVER_API_TOKENS` cannot be a token.
    #[error("RECEIVER_API_TOKENS: token #{} of the list: {reason}", .index + 1)]
    ApiToken {
        /// Its place in the list, from 0.
        index: usize,
        /// Why (never the token itself).
        reason: &'static str,
    },
    /// A duration variable is not a positive duration.
    #[error("{variable}: `{value}` is not a positive duration (like 90s, 15m or 1h)")]
    Duration {
        /// The variable.
        variable: &'static str,
        /// The value given.
        value: String,
    },
    /// `NECTAR_MAX_REQUESTS_IN_FLIGHT` is not a number from 1 to 10.
    #[error(
        "NECTAR_MAX_REQUESTS_IN_FLIGHT: `{value}` is not a number from 1 to {MAX_REQUESTS_IN_FLIGHT} (Nectar asks for at most 10 in flight)"
    )]
    MaxRequestsInFlight {
        /// The value given.
        value: String,
    },
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_variable_is_in_the_readme_table_and_every_timing_is_a_variable() {
        let readme = include_str!("../README.md");
        for (name, _) in super::VARIABLES {
            assert!(
                readme.contains(&format!("\n| `{name}` |")),
                "{name} has no row in receiver/README.md's configuration table"
            );
        }
        for (name, _) in super::TIMINGS {
            assert!(
                super::VARIABLES
                    .iter()
                    .any(|(variable, _)| *variable == name),
                "{name} is read but not listed in VARIABLES"
            );
        }
    }

    #[test]
    fn timings_are_read_and_refused_by_name() {
        for (name, _) in super::TIMINGS {
            let config =
                super::Config::from_lookup(|v| (v == name).then(|| "2m".to_owned())).expect(name);
            let default = super::Config::from_lookup(|_| None).expect("the defaults");
            assert_ne!(
                format!("{config:?}"),
                format!("{default:?}"),
                "{name} changed nothing"
            );
            let refused = super::Config::from_lookup(|v| (v == name).then(|| "soon".to_owned()));
            assert!(
                matches!(refused, Err(super::ConfigError::Duration { variable, .. }) if variable == name),
                "{name}: {refused:?}"
            );
        }
    }

    use core::time::Duration;

    use super::{Config, ConfigError, DatabaseUrl, Engine};

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn sweeps_are_configured_by_companies_interval_and_the_in_flight_limit() {
        let set = config(&[
            ("NECTAR_COMPANY_IDS", " co-2, co-1\nco-2\tco-3 "),
            ("NECTAR_SWEEP_INTERVAL", "15m"),
            ("NECTAR_MAX_REQUESTS_IN_FLIGHT", "4"),
            ("NECTAR_SWEEP_LEASE", "5s"),
        ])
        .expect("valid");
        assert_eq!(set.sweeping.lease, Duration::from_secs(5));
        assert_eq!(set.sweeping.companies, ["co-1", "co-2", "co-3"]);
        assert_eq!(set.sweeping.interval, Duration::from_secs(900));
        assert_eq!(set.etiquette.max_in_flight.get(), 4);
        for (value, seconds) in [("90s", 90), ("1h", 3600), ("1h30m", 5400), ("PT2M", 120)] {
            let interval = config(&[("NECTAR_SWEEP_INTERVAL", value)]).expect(value);
            assert_eq!(
                interval.sweeping.interval,
                Duration::from_secs(seconds),
                "{value}"
            );
        }
        let none = config(&[]).expect("the defaults are valid");
        assert!(none.sweeping.companies.is_empty());
        assert_eq!(none.sweeping.interval, Duration::from_secs(3600));
        assert_eq!(none.etiquette.max_in_flight.get(), 10);
    }

    #[test]
    fn api_tokens_are_split_checked_and_never_shown() {
        let set = config(&[(
            "RECEIVER_API_TOKENS",
            " old-token-0123456789,new-token-0123456789 ",
        )])
        .expect("two valid tokens");
        let tokens: Vec<&str> = set.api_tokens.iter().map(|t| t.expose()).collect();
        assert_eq!(tokens, ["old-token-0123456789", "new-token-0123456789"]);
        assert!(!format!("{set:?}").contains("token-0123456789"));
        let err = config(&[("RECEIVER_API_TOKENS", "long-enough-token-1 short")]).err();
        assert_eq!(
            err,
            Some(ConfigError::ApiToken {
                index: 1,
                reason: "shorter than 16 characters"
            })
        );
        assert!(config(&[]).expect("valid").api_tokens.is_empty());
    }

    #[test]
    fn a_bad_interval_or_in_flight_limit_is_named() {
        for value in ["0s", "-5m", "soon", "15"] {
            assert_eq!(
                config(&[("NECTAR_SWEEP_INTERVAL", value)]).err(),
                Some(ConfigError::Duration {
                    variable: "NECTAR_SWEEP_INTERVAL",
                    value: value.to_owned()
                }),
                "{value}"
            );
        }
        for value in ["0", "11", "ten", "-1"] {
            let err = config(&[("NECTAR_MAX_REQUESTS_IN_FLIGHT", value)]).err();
            assert_eq!(
                err,
                Some(ConfigError::MaxRequestsInFlight {
                    value: value.to_owned()
                }),
                "{value}"
            );
        }
    }

    #[test]
    fn nothing_set_runs_on_the_embedded_default() {
        let config = config(&[]).expect("the defaults are valid");
        assert_eq!(config.database_url.engine(), Engine::Sqlite);
        assert_eq!(config.database_url.expose(), "sqlite://nectar-receiver.db");
        assert!(config.verifier().is_none());
        assert_eq!(
            config.api.base_url,
            "https://external.nectarclimate.com/v2.2"
        );
    }

    #[test]
    fn secrets_split_on_whitespace_and_commas_and_a_bad_one_is_named_not_shown() {
        let config = config(&[(
            "NECTAR_WEBHOOK_SECRETS",
            " whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,\n whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD ",
        )])
        .expect("two valid secrets");
        assert_eq!(config.verifier().map(|v| v.secret_count()), Some(2));

        let err = config_error("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsk_notasecretatall");
        assert!(err.contains("secret #2"), "{err}");
        assert!(!err.contains("notasecret"), "{err}");
    }

    fn config_error(secrets: &str) -> String {
        match config(&[("NECTAR_WEBHOOK_SECRETS", secrets)]) {
            Ok(_) => panic!("{secrets} should be refused"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "postgres://u:p%40ss@h:5432/db",
                "postgres://u:<redacted>@h:5432/db",
            ),
            (
                "postgresql://h/db?user=u&password=secret&sslmode=require",
                "postgresql://h/db?user=u&password=<redacted>&sslmode=require",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db"),
            ("sqlite:x.db", "sqlite:x.db"),
        ] {
            let url = DatabaseUrl::new(url).expect("a supported scheme");
            assert_eq!(url.to_string(), shown);
            assert_eq!(format!("{url:?}"), format!("DatabaseUrl({shown})"));
        }
        let err = DatabaseUrl::new("mysql://u:secret@h/db").expect_err("unsupported");
        assert!(!err.to_string().contains("secret"));
    }

    #[test]
    fn a_bad_listen_address_is_refused() {
        assert_eq!(
            config(&[("LISTEN_ADDR", "localhost")]).err(),
            Some(ConfigError::ListenAddr {
                value: "localhost".to_owned()
            })
        );
    }
}
