//! Server-side HTML from compile-time-checked templates (askama, `templates/dashboard/`): the
//! pages (head, styles, a few lines of script) and the fragments inside `<main id="view">` that
//! the event streams replace on every change. Templates escape every value; only the two charts,
//! themselves rendered from templates, are inserted as markup.

use askama::Template;

use super::listing::RegistryFeed;
use super::server::TRANSCRIPT_PATH;
use super::svg::{AccuracyChart, SubmissionsChart};
use super::view::{ContestView, Standing};
use super::{Feed, Link};
use crate::chain::types::{format_ether, Addr, Phase, Wei};

/// A unix timestamp as `YYYY-MM-DD hh:mm:ss UTC` (proleptic Gregorian calendar).
pub fn utc(ts: u64) -> String {
    let days = (ts / 86_400) as i64;
    let secs = ts % 86_400;
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// `1d 02:03:04`: the same format as the page's script.
pub fn duration(secs: u64) -> String {
    let d = secs / 86_400;
    let s = secs % 86_400;
    let hms = format!("{:02}:{:02}:{:02}", s / 3_600, s % 3_600 / 60, s % 60);
    if d > 0 {
        format!("{d}d {hms}")
    } else {
        hms
    }
}

/// A countdown's text, which the page's script keeps ticking: `… left`, or `ended … ago`.
pub fn countdown_text(left: i64) -> String {
    if left >= 0 {
        format!("{} left", duration(left.unsigned_abs()))
    } else {
        format!("ended {} ago", duration(left.unsigned_abs()))
    }
}

/// `1234567` as `1,234,567`.
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A template helper's argument: askama passes a variable by reference (`&T`, or `&&T` inside a
/// loop) and a call's or an operator's result by value.
pub trait Val<T> {
    /// The value.
    fn val(&self) -> T;
}

impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}

impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}

impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}

/// Formatting helpers the templates call (`{{ utc(t) }}` is `self.utc(&t)` in askama).
pub trait Fmt {
    /// See [`utc`].
    fn utc(&self, ts: impl Val<u64>) -> String {
        utc(ts.val())
    }
    /// See [`duration`].
    fn duration(&self, secs: impl Val<u64>) -> String {
        duration(secs.val())
    }
    /// See [`countdown_text`].
    fn countdown_text(&self, left: impl Val<i64>) -> String {
        countdown_text(left.val())
    }
    /// See [`group`].
    fn group(&self, n: impl Val<u64>) -> String {
        group(n.val())
    }
    /// `0.5 ETH`.
    fn eth(&self, w: impl Val<Wei>) -> String {
        format!("{} ETH", format_ether(w.val().0))
    }
    /// `0x12345678…abcdef`'s two ends.
    fn short(&self, a: impl Val<Addr>) -> String {
        let full = a.val().to_string();
        format!("{}…{}", &full[..8], &full[full.len() - 6..])
    }
    /// One decimal.
    fn f1(&self, x: impl Val<f64>) -> String {
        format!("{:.1}", x.val())
    }
    /// Two decimals.
    fn f2(&self, x: impl Val<f64>) -> String {
        format!("{:.2}", x.val())
    }
    /// `last block seen 12` or `no block seen yet`.
    fn last_seen(&self, block: impl Val<Option<u64>>) -> String {
        block
            .val()
            .map(|b| format!("last block seen {b}"))
            .unwrap_or_else(|| "no block seen yet".into())
    }
    /// The phase as a CSS/data key.
    fn phase_key(&self, p: impl Val<Phase>) -> String {
        format!("{:?}", p.val())
    }
}

/// The whole page of contest `id`, updated from its event stream.
#[derive(Template)]
#[template(path = "dashboard/contest.html")]
pub struct ContestPage<'a> {
    feed: &'a Feed,
    title: String,
    version: u64,
    stream: String,
    api: u64,
}

impl<'a> ContestPage<'a> {
    /// The page of contest `id` (0 while it is not known), streaming from `stream`.
    pub fn new(feed: &'a Feed, id: u64, stream: &str) -> Self {
        Self {
            feed,
            title: match id {
                0 => "Contest dashboard".to_string(),
                id => format!("Contest #{id}"),
            },
            version: feed.version,
            stream: stream.to_string(),
            api: feed.contest_id.unwrap_or(id),
        }
    }
}

/// What `<main id="view">` of a contest page holds: the link state and, once known, the contest.
#[derive(Template)]
#[template(path = "dashboard/contest_view.html")]
pub struct ContestFragment<'a> {
    feed: &'a Feed,
}

impl<'a> ContestFragment<'a> {
    /// The fragment of `feed`.
    pub fn new(feed: &'a Feed) -> Self {
        Self { feed }
    }
}

/// The registry page: every contest with its phase, prize, entries and deadline.
#[derive(Template)]
#[template(path = "dashboard/registry.html")]
pub struct RegistryPage<'a> {
    feed: &'a RegistryFeed,
    title: &'static str,
    version: u64,
    stream: &'static str,
}

impl<'a> RegistryPage<'a> {
    /// The page of `feed`, streaming from `stream`.
    pub fn new(feed: &'a RegistryFeed, stream: &'static str) -> Self {
        Self {
            feed,
            title: "Contests",
            version: feed.version,
            stream,
        }
    }
}

/// What `<main id="view">` of the registry page holds.
#[derive(Template)]
#[template(path = "dashboard/registry_view.html")]
pub struct RegistryFragment<'a> {
    feed: &'a RegistryFeed,
}

impl<'a> RegistryFragment<'a> {
    /// The fragment of `feed`.
    pub fn new(feed: &'a RegistryFeed) -> Self {
        Self { feed }
    }
}

/// A small page for errors (unknown contest, unknown path).
#[derive(Template)]
#[template(path = "dashboard/message.html")]
pub struct MessagePage<'a> {
    title: &'a str,
    text: &'a str,
}

impl<'a> MessagePage<'a> {
    /// A page titled `title` saying `text`.
    pub fn new(title: &'a str, text: &'a str) -> Self {
        Self { title, text }
    }
}

/// Renders a template; a failure (a helper's `fmt::Error`, which the helpers here never
/// return) becomes a one-line message rather than a dropped connection.
pub fn render(t: &impl Template) -> String {
    t.render()
        .unwrap_or_else(|e| format!("<p>rendering failed: {e}</p>"))
}

impl Fmt for ContestPage<'_> {}
impl Fmt for RegistryPage<'_> {}
impl Fmt for RegistryFragment<'_> {}
impl Fmt for MessagePage<'_> {}
impl Fmt for ContestFragment<'_> {}

/// The contest templates' own helpers.
trait ContestFmt {
    fn pct_of(&self, c: impl Val<u32>, n: impl Val<u32>) -> String {
        let pct = f64::from(c.val()) * 100.0 / f64::from(n.val().max(1));
        pct.to_string()
    }
    fn places(&self, bps: &[u16]) -> String {
        bps.iter()
            .map(|b| format!("{}%", f64::from(*b) / 100.0))
            .collect::<Vec<_>>()
            .join(" / ")
    }
    fn prefix(&self, s: &str, n: usize) -> String {
        s.chars().take(n).collect()
    }
    fn transcript_path(&self) -> &'static str {
        TRANSCRIPT_PATH
    }
    fn standing_key(&self, s: impl Val<Standing>) -> &'static str {
        match s.val() {
            Standing::Qualified => "qualified",
            Standing::MustReveal => "must-reveal",
            Standing::Called => "called",
            Standing::Overdue => "overdue",
            Standing::Revealed => "revealed",
            Standing::Forfeited => "forfeited",
            Standing::Disqualified => "disqualified",
            Standing::Scored => "scored",
        }
    }
    fn accuracy_chart(&self, v: &ContestView) -> String {
        render(&AccuracyChart::of(v))
    }
    fn submissions_chart(&self, v: &ContestView) -> String {
        render(&SubmissionsChart::of(v))
    }
}

impl ContestFmt for ContestPage<'_> {}
impl ContestFmt for ContestFragment<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_durations() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_795_484_328), "2026-11-24 01:38:48 UTC");
        assert_eq!(utc(4_107_542_399), "2100-02-28 23:59:59 UTC");
        assert_eq!(duration(0), "00:00:00");
        assert_eq!(duration(90_061), "1d 01:01:01");
        assert_eq!(countdown_text(-61), "ended 00:01:01 ago");
        assert_eq!(group(3_400_000), "3,400,000");
        assert_eq!(group(999), "999");
    }

    /// Text from the chain (an error message here) is escaped, never markup.
    #[test]
    fn text_is_escaped() {
        let feed = Feed {
            link: Link::Reconnecting {
                error: "<script>alert(1)</script>".into(),
                since: 0,
                attempts: 2,
            },
            ..Feed::new("http://127.0.0.1:1", Addr([1; 20]), Some(1))
        };
        let f = render(&ContestFragment::new(&feed));
        assert!(!f.contains("<script>"), "{f}");
        assert!(
            f.contains("&#60;script&#62;") || f.contains("&lt;script&gt;"),
            "{f}"
        );
        assert!(f.contains("reconnecting"), "{f}");
        let page = render(&ContestPage::new(&feed, 1, "/api/contest/1/stream"));
        assert!(
            page.contains("data-stream=\"/api/contest/1/stream\""),
            "{page}"
        );
        assert!(page.contains("<title>Contest #1 · zkcontest dashboard</title>"));
    }
}
