//! Server-side HTML: the page (head, styles, a few lines of script) and the fragment inside
//! `<main id="view">` that the event stream replaces on every change.

use std::fmt::Write as _;

use super::server::TRANSCRIPT_PATH;
use super::svg;
use super::view::{CeremonyPanel, ContestView, LeaderRow, Stamp, Standing};
use super::{Feed, Link};
use crate::chain::types::{format_ether, Addr, Wei};

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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

/// A countdown the page's script keeps ticking: `… left`, or `ended … ago`.
fn countdown(left: i64) -> String {
    let text = if left >= 0 {
        format!("{} left", duration(left.unsigned_abs()))
    } else {
        format!("ended {} ago", duration(left.unsigned_abs()))
    };
    format!("<span class=\"countdown\" data-left=\"{left}\">{text}</span>")
}

fn when(s: &Stamp) -> String {
    match s.time {
        Some(t) => format!("<span title=\"block {}\">{}</span>", s.block, esc(&utc(t))),
        None => format!("block {}", s.block),
    }
}

fn addr(a: &Addr) -> String {
    let full = a.to_string();
    format!(
        "<code class=\"addr\" title=\"{full}\">{}…{}</code>",
        &full[..8],
        &full[full.len() - 6..]
    )
}

fn eth(w: Wei) -> String {
    format!("{} ETH", format_ether(w.0))
}

fn bps_pct(bps: u16) -> String {
    format!("{}%", f64::from(bps) / 100.0)
}

/// The whole page for contest `id` (0 while it is not known), updated from `stream`.
pub fn page(feed: &Feed, id: u64, stream: &str) -> String {
    let title = match id {
        0 => "Contest dashboard".to_string(),
        id => format!("Contest #{id}"),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · zkcontest dashboard</title><style>{STYLE}</style></head>\
         <body data-version=\"{version}\"><header><h1>{title}</h1>\
         <p class=\"sub\">registry <code>{registry}</code> · RPC {rpc} · \
         <a href=\"/api/contest/{api}\">JSON</a></p>\
         <p id=\"server-link\" class=\"link reconnecting\" hidden></p></header>\
         <main id=\"view\">{fragment}</main>\
         <script>{SCRIPT}</script></body></html>\n",
        version = feed.version,
        api = feed.contest_id.unwrap_or(id),
        registry = feed.registry,
        rpc = esc(&feed.rpc),
        fragment = fragment(feed),
        SCRIPT = SCRIPT.replace("STREAM_URL", stream),
    )
}

/// A small page for errors (unknown contest, unknown path).
pub fn message_page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>{STYLE}</style></head><body><header><h1>{t}</h1></header><main><p>{x}</p>\
         </main></body></html>\n",
        t = esc(title),
        x = esc(text)
    )
}

/// What `<main id="view">` holds: the link state and, once known, the contest.
pub fn fragment(feed: &Feed) -> String {
    let mut h = String::new();
    let last = feed
        .last_block
        .map(|b| format!("last block seen {b}"))
        .unwrap_or_else(|| "no block seen yet".into());
    let _ = match &feed.link {
        Link::Connecting => write!(
            h,
            "<p id=\"link\" class=\"link connecting\">connecting to the RPC endpoint…</p>"
        ),
        Link::Live => write!(h, "<p id=\"link\" class=\"link live\">live · {last}</p>"),
        Link::Reconnecting {
            error, attempts, ..
        } => write!(
            h,
            "<p id=\"link\" class=\"link reconnecting\">RPC endpoint unreachable: reconnecting \
             (attempt {attempts}; {last}; the view below is from that block)<br>\
             <small>{}</small></p>",
            esc(error)
        ),
    };
    match &feed.view {
        Some(v) => contest(&mut h, v),
        None => {
            let what = match feed.contest_id {
                Some(id) => format!("contest #{id}"),
                None => "the registry's first contest".into(),
            };
            let _ = write!(
                h,
                "<p id=\"phase\" class=\"phase\">waiting for {} (no ContestCreated event seen yet)</p>",
                esc(&what)
            );
        }
    }
    h
}

fn contest(h: &mut String, v: &ContestView) {
    let r = &v.rules;
    let pct = |c: u32| f64::from(c) * 100.0 / f64::from(r.test_set_size.max(1));
    let _ = write!(
        h,
        "<section class=\"cards\">\
         <div class=\"card\"><h2>Phase</h2><p id=\"phase\" class=\"phase phase-{phase:?}\">{name}</p>\
         <p class=\"sub\">head block {hb} · chain time {ht}</p></div>\
         <div class=\"card\"><h2>Escrow</h2><p id=\"held\" class=\"big\">{held}</p>\
         <p class=\"sub\">held by the registry for this contest · prize {prize} · bonds paid \
         {bonds} · withdrawn {wd}</p></div>\
         <div class=\"card\"><h2>Rules</h2><p>N = {n} rows · qualify at {min} correct ({minpct}%)</p>\
         <p class=\"sub\">places {places} · bond {bond} · reveal window {win} · organiser {org} · \
         verifier {ver}</p></div></section>",
        phase = v.phase,
        name = esc(v.phase_name),
        hb = v.head.block,
        ht = v.head.time.map(utc).unwrap_or_default(),
        held = eth(v.escrow.held.unwrap_or(v.escrow.by_events)),
        prize = eth(v.escrow.prize),
        bonds = eth(v.escrow.bonds_paid),
        wd = eth(v.escrow.withdrawn),
        n = r.test_set_size,
        min = r.min_correct,
        minpct = pct(r.min_correct),
        places = r
            .payout_bps
            .iter()
            .map(|b| bps_pct(*b))
            .collect::<Vec<_>>()
            .join(" / "),
        bond = eth(r.commit_bond),
        win = duration(r.reveal_window),
        org = addr(&v.organiser),
        ver = addr(&r.verifier),
    );

    h.push_str("<section><h2>Deadlines</h2><table id=\"deadlines\"><thead><tr><th>phase ends</th><th>at</th><th>time left (chain clock)</th></tr></thead><tbody>");
    for d in &v.deadlines {
        let _ = write!(
            h,
            "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>",
            if d.left < 0 { "past" } else { "future" },
            esc(d.name),
            esc(&utc(d.at)),
            countdown(d.left)
        );
    }
    h.push_str("</tbody></table></section>");

    let _ = write!(
        h,
        "<section class=\"charts\"><figure>{}<figcaption>Accuracy by entry</figcaption></figure>\
         <figure>{}<figcaption>Submissions over time</figcaption></figure></section>",
        svg::accuracy_chart(v),
        svg::submissions_chart(v)
    );

    if let Some(c) = &v.ceremony {
        ceremony(h, c);
    }

    leaderboard(h, v);

    let _ = write!(
        h,
        "<section><h2>Commitments ({})</h2><table id=\"commitments\"><thead><tr><th>seq</th>\
         <th>address</th><th>time</th><th>bond</th><th>status</th></tr></thead><tbody>",
        v.commitments.len()
    );
    for c in &v.commitments {
        let status = match (c.replaced, c.replaces) {
            (true, _) => "replaced",
            (false, true) => "current (replaces an earlier one)",
            (false, false) => "current",
        };
        let _ = write!(
            h,
            "<tr data-address=\"{a}\" class=\"{cls}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{status}</td></tr>",
            c.seq,
            addr(&c.competitor),
            when(&c.at),
            eth(c.bond),
            a = c.competitor,
            cls = if c.replaced { "replaced" } else { "current" },
        );
    }
    h.push_str("</tbody></table></section>");

    let t = &v.test_set;
    let _ = write!(
        h,
        "<section><h2>Test set</h2><p id=\"testset\" class=\"{cls}\">{state} · {} chunk(s), {} \
         element(s) posted{restarts}</p></section>",
        t.chunks,
        t.elements,
        cls = if t.verified { "ok" } else { "pending" },
        state = match &t.verified_at {
            Some(at) => format!("verified against T at {}", when(at)),
            None if t.chunks > 0 => "revealing".into(),
            None => "not revealed yet".into(),
        },
        restarts = if t.restarts > 0 {
            format!(" · {} restart(s)", t.restarts)
        } else {
            String::new()
        },
    );

    h.push_str(
        "<section><h2>Model reveals</h2><table id=\"reveals\"><thead><tr><th>address</th>\
         <th>chunks</th><th>elements</th><th>verified</th><th>size</th><th>bond back</th>\
         <th>latest</th></tr></thead><tbody>",
    );
    for m in &v.reveals {
        let _ = write!(
            h,
            "<tr data-address=\"{a}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            addr(&m.competitor),
            m.chunks,
            m.elements,
            if m.verified { "✓ matches C" } else { "not yet" },
            m.size.map(|s| format!("{s} elements")).unwrap_or_default(),
            m.bond_returned.map(eth).unwrap_or_default(),
            when(&m.at),
            a = m.competitor,
        );
    }
    if v.reveals.is_empty() {
        h.push_str("<tr><td colspan=\"7\" class=\"sub\">none yet</td></tr>");
    }
    h.push_str("</tbody></table></section>");

    h.push_str(
        "<section><h2>Payouts</h2><table id=\"payouts\"><thead><tr><th>account</th><th>role</th>\
         <th>prize</th><th>bond back</th><th>bond pool</th><th>owed now</th>\
         <th>withdrawn</th></tr></thead><tbody>",
    );
    for p in &v.payouts {
        let _ = write!(
            h,
            "<tr data-address=\"{a}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            addr(&p.account),
            p.role,
            eth(p.prize),
            eth(p.bond_returned),
            eth(p.bond_pool),
            p.owed.map(eth).unwrap_or_else(|| "?".into()),
            eth(p.withdrawn),
            a = p.account,
        );
    }
    h.push_str("</tbody></table>");
    if let Some(s) = &v.settlement {
        let _ = write!(
            h,
            "<p id=\"settlement\">Settled at {}: {} place(s) paid; remainder {} to {}.</p>",
            when(&s.at),
            s.winners_paid,
            eth(s.remainder),
            addr(&s.remainder_to)
        );
    }
    h.push_str("</section>");

    let _ = write!(
        h,
        "<section><h2>Recent events ({} in all)</h2><table id=\"recent\"><thead><tr><th>time</th>\
         <th>event</th><th>account</th></tr></thead><tbody>",
        v.events
    );
    for a in &v.recent {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            when(&a.at),
            esc(a.event),
            a.who.as_ref().map(addr).unwrap_or_default()
        );
    }
    h.push_str("</tbody></table></section>");
}

/// A ceremony contest's contributions, the fixed verifier and the transcript download.
fn ceremony(h: &mut String, c: &CeremonyPanel) {
    let state = match &c.fixed {
        Some(f) => format!(
            "closed; verifier {} fixed {} from the transcript with blake2b-512 <code>{}</code>",
            addr(&f.verifier),
            when(&f.at),
            esc(&f.transcript_hash)
        ),
        None => format!(
            "open until {}: record a contribution with <code>contest-cli ceremony contribute \
             --contest …</code> or <code>ceremony record</code>",
            esc(&utc(c.deadline))
        ),
    };
    let _ = write!(
        h,
        "<section><h2>Ceremony ({} contribution(s) recorded)</h2><p id=\"ceremony\">{state} · \
         <a href=\"{TRANSCRIPT_PATH}\" download>latest transcript (.ptau)</a></p>\
         <table id=\"contributions\"><thead><tr><th>#</th><th>recorded by</th><th>time</th>\
         <th>contribution hash (blake2b-512)</th></tr></thead><tbody>",
        c.contributions.len()
    );
    for r in &c.contributions {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}…</code></td></tr>",
            r.index,
            addr(&r.contributor),
            when(&r.at),
            esc(&r.contribution_hash[..r.contribution_hash.len().min(32)])
        );
    }
    h.push_str("</tbody></table></section>");
}

fn leaderboard(h: &mut String, v: &ContestView) {
    let _ = write!(
        h,
        "<section><h2>Leaderboard ({} accepted proof(s))</h2><table id=\"leaderboard\"><thead><tr>\
         <th>rank</th><th>place</th><th>address</th><th>correct</th><th>accuracy</th><th>gas</th>\
         <th>proved at</th><th>status</th></tr></thead><tbody>",
        v.leaderboard.len()
    );
    for r in &v.leaderboard {
        let _ = write!(
            h,
            "<tr data-address=\"{a}\" data-standing=\"{s}\" class=\"standing-{s}\"><td>{rank}</td>\
             <td>{place}</td><td>{who}</td><td class=\"correct\">{c} / {n}</td><td>{acc:.2}%</td>\
             <td>{gas}</td><td>{at}</td><td class=\"status\">{status}</td></tr>",
            a = r.competitor,
            s = standing_key(r.standing),
            rank = if r.standing == Standing::Scored {
                "–".to_string()
            } else {
                r.rank.to_string()
            },
            place = r.place.map(|p| p.to_string()).unwrap_or_else(|| "–".into()),
            who = addr(&r.competitor),
            c = r.correct,
            n = r.of,
            acc = r.accuracy_pct,
            gas = r.gas.map(group).unwrap_or_default(),
            at = when(&r.at),
            status = status(r),
        );
    }
    if v.leaderboard.is_empty() {
        h.push_str("<tr><td colspan=\"8\" class=\"sub\">no accepted proofs yet</td></tr>");
    }
    h.push_str("</tbody></table></section>");
}

fn standing_key(s: Standing) -> &'static str {
    match s {
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

fn status(r: &LeaderRow) -> String {
    let by = |prefix: &str| match (r.reveal_by, r.reveal_left) {
        (Some(at), Some(left)) => format!("{prefix} by {} ({})", esc(&utc(at)), countdown(left)),
        _ => prefix.to_string(),
    };
    let mut s = match r.standing {
        Standing::Qualified => "qualified".to_string(),
        Standing::MustReveal => by("must reveal (ranking not closed yet)"),
        Standing::Called => by("called: must reveal"),
        Standing::Overdue => format!(
            "reveal overdue since {}: anyone may forfeit it",
            r.reveal_by.map(utc).unwrap_or_default()
        ),
        Standing::Revealed => "revealed".to_string(),
        Standing::Scored => "scored below the threshold: not ranked, bond back".to_string(),
        Standing::Forfeited => format!(
            "forfeited{}: bond to the bond pool",
            r.reveal_by
                .map(|t| format!(" (missed {})", utc(t)))
                .unwrap_or_default()
        ),
        Standing::Disqualified => {
            "disqualified: a copy of a model revealed before; bond to the bond pool".to_string()
        }
    };
    if let Some(from) = r.moved_up_from {
        let _ = write!(s, " · moved up from rank {from}");
    }
    if let Some(p) = r.prize {
        let _ = write!(s, " · prize {}", eth(p));
    }
    s
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
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

const STYLE: &str = "\
:root{--fg:#1d2433;--muted:#687086;--line:#dde1ea;--ok:#1a7f37;--warn:#b35900;--bad:#c62828;--acc:#2f5fd0}\
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:#f6f7fb}\
header{padding:14px 24px;background:#fff;border-bottom:1px solid var(--line)}h1{margin:0;font-size:20px}\
h2{font-size:15px;margin:0 0 8px}main{padding:16px 24px;max-width:1200px}section{margin:0 0 18px}\
.sub{color:var(--muted);font-size:12px;margin:2px 0}.big{font-size:20px;font-weight:600;margin:2px 0}\
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}\
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px}\
.phase{font-size:20px;font-weight:600;margin:2px 0;color:var(--acc)}\
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}\
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}\
th{font-size:12px;color:var(--muted);font-weight:600}tr.past td{color:var(--muted)}\
tr.replaced td{color:var(--muted);text-decoration:line-through}\
tr.standing-forfeited td{color:var(--muted)}tr.standing-forfeited td.correct{text-decoration:line-through}\
tr.standing-revealed td.status{color:var(--ok)}tr.standing-overdue td.status{color:var(--bad)}\
tr.standing-called td.status,tr.standing-must-reveal td.status{color:var(--warn)}\
.link{margin:0 0 12px;padding:6px 10px;border-radius:6px;font-size:13px}\
.live{background:#e8f5ec;color:var(--ok)}.connecting{background:#eef1f8;color:var(--muted)}\
.reconnecting{background:#fdecea;color:var(--bad)}#server-link{margin:8px 0 0}\
.ok{color:var(--ok)}.pending{color:var(--warn)}code{font-size:12px}\
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:12px}\
figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px}\
figcaption{font-size:12px;color:var(--muted);text-align:center}svg{width:100%;height:auto}";

/// Applies streamed fragments (no reload) and ticks countdowns between updates. `STREAM_URL`
/// is replaced by the contest's stream path.
const SCRIPT: &str = "(function(){\
var view=document.getElementById('view'),server=document.getElementById('server-link'),got=Date.now();\
function two(n){return(n<10?'0':'')+n}\
function dur(s){var d=Math.floor(s/86400);s-=d*86400;return(d?d+'d ':'')+two(Math.floor(s/3600))+':'+two(Math.floor(s%3600/60))+':'+two(s%60)}\
function tick(){var gone=Math.floor((Date.now()-got)/1000),els=document.querySelectorAll('[data-left]');\
for(var i=0;i<els.length;i++){var l=parseInt(els[i].getAttribute('data-left'),10)-gone;\
els[i].textContent=l>=0?dur(l)+' left':'ended '+dur(-l)+' ago'}}\
if(window.EventSource){var es=new EventSource('STREAM_URL');\
es.onmessage=function(e){var m=JSON.parse(e.data);view.innerHTML=m.html;got=Date.now();\
document.body.setAttribute('data-version',m.version);server.hidden=true;tick()};\
es.onerror=function(){server.hidden=false;server.textContent='dashboard server unreachable: reconnecting…'}}\
setInterval(tick,1000)})();";

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
        assert_eq!(
            countdown(-61),
            "<span class=\"countdown\" data-left=\"-61\">ended 00:01:01 ago</span>"
        );
        assert_eq!(group(3_400_000), "3,400,000");
        assert_eq!(group(999), "999");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let feed = Feed {
            link: Link::Reconnecting {
                error: "<script>alert(1)</script>".into(),
                since: 0,
                attempts: 2,
            },
            ..Feed::new("http://127.0.0.1:1", Addr([1; 20]), Some(1))
        };
        let f = fragment(&feed);
        assert!(!f.contains("<script>"), "{f}");
        assert!(f.contains("reconnecting"), "{f}");
        assert!(page(&feed, 1, "/api/contest/1/stream").contains("'/api/contest/1/stream'"));
    }
}
