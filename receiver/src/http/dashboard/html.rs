//! HTML for the dashboard's pages: the one escaping function every interpolated value goes
//! through, URLs built from values, times and codes in words, and the page's frame.

use core::fmt::{self, Display, Formatter, Write};

use jiff::{SignedDuration, Timestamp};
use nectar_lifecycle::ConnectionStatus;
use nectar_lifecycle::remediation::{Expectation, Remediation, SupportTopic};

use crate::store;

/// Writes `text` to `out` escaped for HTML, in text and in a double- or single-quoted
/// attribute value alike: `&`, `<`, `>`, `"` and `'` become character references, nothing
/// else changes.
///
/// Every value a page shows (an id, a provider's name, an error's detail, a URL) goes
/// through this, as [`Esc`]; only the pages' own markup is written as it is. So
/// `<script>alert("x")</script>` is shown as that text:
/// `&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;`.
pub(crate) fn escape(text: &str, out: &mut impl Write) -> fmt::Result {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..at])?;
        let (special, after) = rest[at..].split_at(1);
        out.write_str(match special {
            "&" => "&amp;",
            "<" => "&lt;",
            ">" => "&gt;",
            "\"" => "&quot;",
            _ => "&#39;",
        })?;
        rest = after;
    }
    out.write_str(rest)
}

/// A value shown escaped ([`escape`]) when formatted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Esc<'a>(pub &'a str);

impl Display for Esc<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        escape(self.0, f)
    }
}

/// A value percent-encoded for a URL's path segment or query value: every byte but
/// `A-Z a-z 0-9 - . _ ~` is written `%XX`. (The URL is then escaped as any value.)
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pct<'a>(pub &'a str);

impl Display for Pct<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for &byte in self.0.as_bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
                f.write_char(char::from(byte))?;
            } else {
                write!(f, "%{byte:02X}")?;
            }
        }
        Ok(())
    }
}

/// `path` with the query of the `(name, value)` pairs whose value is not empty.
pub(crate) fn url_with(path: &str, query: &[(&str, &str)]) -> String {
    let mut url = path.to_owned();
    let mut sep = '?';
    for (name, value) in query.iter().filter(|(_, v)| !v.is_empty()) {
        // Writing to a String does not fail.
        let _ = write!(url, "{sep}{name}={}", Pct(value));
        sep = '&';
    }
    url
}

/// The dashboard's page of connection `id`.
pub(crate) fn connection_url(id: &str) -> String {
    format!("/connection/{}", Pct(id))
}

/// Whether `url` may be a link's target: an absolute `https:` or `http:` URL (never
/// `javascript:` or `data:`, whatever a payload says).
pub(crate) fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A duration in words, in its largest whole unit: "less than a minute", "1 minute",
/// "5 hours", "3 days", "2 months", "1 year" (the sign ignored).
pub(crate) fn span(duration: SignedDuration) -> String {
    let seconds = duration.as_secs().unsigned_abs();
    let (n, unit) = match seconds {
        0..60 => return "less than a minute".to_owned(),
        60..3_600 => (seconds / 60, "minute"),
        3_600..172_800 => (seconds / 3_600, "hour"),
        172_800..5_184_000 => (seconds / 86_400, "day"),
        5_184_000..63_072_000 => (seconds / 2_592_000, "month"),
        _ => (seconds / 31_536_000, "year"),
    };
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{s}")
}

/// A `<time>` element of `at`: its RFC 3339 form in `datetime` and `title`, and in words
/// relative to `now` as the text ("3 days ago", "in 6 days").
pub(crate) struct Ago {
    /// The time shown.
    pub at: Timestamp,
    /// The time it is compared with.
    pub now: Timestamp,
}

impl Display for Ago {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let words = span(self.now.duration_since(self.at));
        let text = if self.at <= self.now {
            format!("{words} ago")
        } else {
            format!("in {words}")
        };
        write!(
            f,
            "{}",
            Time {
                at: self.at,
                text: &text
            }
        )
    }
}

/// A `<time>` element of `at` with `text`.
pub(crate) struct Time<'a> {
    /// The time.
    pub at: Timestamp,
    /// What the element says.
    pub text: &'a str,
}

impl Display for Time<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let at = self.at.to_string();
        write!(
            f,
            r#"<time datetime="{}" title="{}">{}</time>"#,
            Esc(&at),
            Esc(&utc(self.at)),
            Esc(self.text)
        )
    }
}

/// `at` as people read it: `2026-11-25 09:00 UTC`.
pub(crate) fn utc(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// `text` with its first letter in capitals.
pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The groups of the worklist, in the order shown: the value of `?needs=`, its name, and
/// what it means.
pub(crate) const GROUPS: [(&str, &str, &str); 5] = [
    (
        "end_user",
        "End user",
        "The end user must sign in to the utility again, through a reconnect link.",
    ),
    (
        "integrator",
        "Integrator",
        "We must act through Nectar's API: decide on detected accounts, or reactivate the connection.",
    ),
    (
        "nectar",
        "Nectar support",
        "Nectar support must act: email support@nectarclimate.com with the connection's id.",
    ),
    (
        "nobody",
        "Nobody",
        "Nothing to do: data is flowing, or Nectar retries on its own schedule.",
    ),
    (
        "unknown",
        "Unknown status",
        "A status this receiver does not know: look at the connection at Nectar.",
    ),
];

/// The name of a group (`end_user` -> "End user"); the value itself for another.
pub(crate) fn group_name(needs: &str) -> &str {
    GROUPS
        .iter()
        .find(|(value, ..)| *value == needs)
        .map_or(needs, |(_, name, _)| name)
}

/// What a connection status means, in words.
pub(crate) fn status_words(status: &str) -> &'static str {
    match status {
        "PENDING" => "Waiting for Nectar's first check",
        "CONNECTED" => "Connected: data is collected weekly",
        "UNDER_INVESTIGATION" => "Nectar's team is investigating",
        "PASSWORD_INCORRECT" => "The utility's website rejected the password",
        "MFA_TOKEN_EXPIRED" => "The utility's multi-factor sign-in no longer completes",
        "NEW_PASSWORD_NEEDED" => "The utility's website asks for a new password",
        "ADDITIONAL_CREDENTIALS_NEEDED" => "The utility's website asks for extra verification",
        "WEBSITE_DOWN" => "The utility's website is down",
        "URL_INACCESSIBLE" => "The utility's website cannot be reached",
        "NO_ACCOUNTS_FOUND" => "Signed in, but no utility accounts were found",
        "OTHER_ERROR" => "An unexpected error at Nectar",
        "COMPANY_INACTIVE" => "The company is deactivated at Nectar",
        "DEACTIVATED" => "Collection is turned off (deactivated)",
        _ => "A status this receiver does not know",
    }
}

/// What to do about a connection in `status`, in plain words for a support person: the
/// library's remediation ([`remediation`]), said without API names; `None` for a status
/// the library does not know. (The library's own sentence is shown beside it on a
/// connection's page.)
pub(crate) fn what_to_do(status: &str) -> Option<&'static str> {
    Some(match store::remedy(status)? {
        Remediation::Nothing => "Nothing: data is flowing.",
        Remediation::Wait { expectation } => match expectation {
            Expectation::FirstCheckWithinDays => {
                "Wait: Nectar's first check typically runs within a few days."
            }
            Expectation::InvestigationWithinBusinessDays => {
                "Wait: Nectar's investigations are typically resolved within a few business days."
            }
            Expectation::NextWeeklyCheck => "Wait: Nectar tries again at its next weekly check.",
            Expectation::ProviderBackOnline => {
                "Wait: this resolves when the utility's website is back, usually within a few days."
            }
        },
        Remediation::Reconnect { .. } => {
            "Ask the end user to sign in to the utility again, through a reconnect link."
        }
        Remediation::ResetPasswordThenReconnect { .. } => {
            "Ask the end user to reset the password on the utility's website, then to sign in again through a reconnect link."
        }
        Remediation::MfaLadder { .. } => {
            "Help the end user past the utility's multi-factor sign-in: first offer to upload bills instead; else to turn multi-factor off, or to forward its codes (set up through a reconnect link)."
        }
        Remediation::CheckLogin => {
            "Ask the end user to check the login: it may be for another service (a payment-only portal), or its accounts may be closed."
        }
        Remediation::ContactSupport {
            topic: SupportTopic::PersistentProviderError(ConnectionStatus::UrlInaccessible),
        } => {
            "Check that the utility's web address is still right, then email Nectar support (support@nectarclimate.com) with the connection's id and the company's name."
        }
        Remediation::ContactSupport {
            topic: SupportTopic::PersistentProviderError(_),
        } => {
            "Email Nectar support (support@nectarclimate.com) with the connection's id and the company's name."
        }
        Remediation::ContactSupport {
            topic: SupportTopic::ReactivateCompany,
        } => "Email Nectar support (support@nectarclimate.com) to reactivate the company.",
        Remediation::Activate => {
            "Turn collection back on: set the connection active at Nectar (isActive: true, through Nectar's API)."
        }
    })
}

/// What an outbox entry says, in words.
pub(crate) fn entry_words(kind: &str) -> &'static str {
    match kind {
        "entered_credential_error" => "Entered a credential error: the end user must sign in again",
        "recovered" => "Recovered: connected again",
        "deactivated" => "Deactivated",
        "activated" => "Activated",
        "company_deactivated" => "The company was deactivated",
        "company_reactivated" => "The company was reactivated",
        "accounts_detected" => "Accounts detected: they await a tracking decision",
        "account_closed" => "An account was closed by the utility",
        "reconnect_invitation" => "A new reconnect link for the end user",
        "accounts_confirmed" => "The receiver confirmed the detected accounts",
        "accounts_decided_elsewhere" => "The detected accounts were decided elsewhere",
        _ => "Another notification",
    }
}

/// A reconnect invitation's state in words, from the episode's state and Nectar's status
/// of the invitation.
pub(crate) fn invitation_words(state: &str, status: Option<&str>) -> &'static str {
    match (state, status) {
        ("wanted", _) => "Being created",
        ("active", _) => "Active: send this link to the end user",
        ("settled", Some("FULFILLED")) => "Used by the end user",
        ("settled", Some("REVOKED")) => "Revoked by someone else: not replaced",
        ("settled", _) => "Used or revoked: not replaced",
        ("closing", _) => "Being revoked: the connection left the credential error",
        ("closed", _) => "Closed: the connection left the credential error",
        _ => "Unknown state",
    }
}

/// The page's frame around `body`: the document, its title, the stylesheet, and the header
/// with the way out when `signed_in`.
pub(crate) struct Frame<'a, B> {
    /// The title (escaped here).
    pub title: &'a str,
    /// Whether to show the sign-out button.
    pub signed_in: bool,
    /// The content of `<main>`.
    pub body: B,
}

impl<B: Display> Display for Frame<'_, B> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{} · Nectar receiver</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
<header class="top">
<a class="brand" href="/">Nectar connections</a>
"#,
            Esc(self.title)
        )?;
        if self.signed_in {
            f.write_str(
                r#"<form class="signout" method="post" action="/logout"><button type="submit">Sign out</button></form>
"#,
            )?;
        }
        write!(
            f,
            "</header>\n<main>\n{}</main>\n</body>\n</html>\n",
            self.body
        )
    }
}

#[cfg(test)]
mod tests {
    use jiff::{SignedDuration, Timestamp};

    use super::{Ago, Esc, Pct, capitalized, is_web_url, span, url_with};

    fn escape(text: &str) -> String {
        let mut out = String::new();
        super::escape(text, &mut out).expect("a String takes anything");
        assert_eq!(out, Esc(text).to_string());
        out
    }

    #[test]
    fn escape_turns_every_special_character_into_a_reference() {
        assert_eq!(
            escape(r#"<script>alert("x" + 'y')</script> & more"#),
            "&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt; &amp; more"
        );
        assert_eq!(escape("plain text, é ü 日本"), "plain text, é ü 日本");
        assert_eq!(escape(""), "");
        assert_eq!(escape("&amp;"), "&amp;amp;", "escaped again, not trusted");
        assert_eq!(escape("<<>>"), "&lt;&lt;&gt;&gt;");
        // Nothing of the input survives that could open a tag or close an attribute.
        let nasty = "\"'><img src=x onerror=alert(1)>";
        let escaped = escape(nasty);
        assert!(!escaped.contains(['<', '>', '"', '\'']), "{escaped}");
    }

    #[test]
    fn values_in_urls_are_percent_encoded() {
        assert_eq!(
            Pct("a b/c?d&e=f#g<\"").to_string(),
            "a%20b%2Fc%3Fd%26e%3Df%23g%3C%22"
        );
        assert_eq!(Pct("conn-1_x.y~").to_string(), "conn-1_x.y~");
        assert_eq!(Pct("é").to_string(), "%C3%A9");
        assert_eq!(
            url_with(
                "/",
                &[("needs", "end_user"), ("status", ""), ("cursor", "a&b")]
            ),
            "/?needs=end_user&cursor=a%26b"
        );
        assert_eq!(url_with("/", &[("status", "")]), "/");
    }

    #[test]
    fn only_web_urls_are_links() {
        assert!(is_web_url("https://app.nectarclimate.com/invite/abc"));
        assert!(is_web_url("HTTP://example.com"));
        for url in [
            "javascript:alert(1)",
            " javascript:x",
            "data:text/html,x",
            "//evil",
            "/x",
        ] {
            assert!(!is_web_url(url), "{url}");
        }
    }

    #[test]
    fn durations_read_in_their_largest_unit() {
        let s = SignedDuration::from_secs;
        assert_eq!(span(s(0)), "less than a minute");
        assert_eq!(span(s(59)), "less than a minute");
        assert_eq!(span(s(60)), "1 minute");
        assert_eq!(span(s(3_599)), "59 minutes");
        assert_eq!(span(s(3_600)), "1 hour");
        assert_eq!(span(s(47 * 3_600)), "47 hours");
        assert_eq!(span(s(3 * 86_400 + 5)), "3 days");
        assert_eq!(span(s(-3 * 86_400)), "3 days");
        assert_eq!(span(s(90 * 86_400)), "3 months");
        assert_eq!(span(s(800 * 86_400)), "2 years");
    }

    #[test]
    fn a_time_says_when_in_words_and_in_full() {
        let now: Timestamp = "2026-11-28T09:00:00Z".parse().expect("a time");
        let at: Timestamp = "2026-11-25T09:00:00Z".parse().expect("a time");
        assert_eq!(
            Ago { at, now }.to_string(),
            r#"<time datetime="2026-11-25T09:00:00Z" title="2026-11-25 09:00 UTC">3 days ago</time>"#
        );
        assert!(Ago { at: now, now: at }.to_string().contains(">in 3 days<"));
        assert_eq!(capitalized("wait: x"), "Wait: x");
        assert_eq!(capitalized(""), "");
    }
}
