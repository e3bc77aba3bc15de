//! Two small server-rendered SVG charts: accuracy by entry (bars, with the threshold), and
//! commitments and accepted proofs over chain time (cumulative steps, with the deadlines).

use std::fmt::Write as _;

use super::html::{esc, utc};
use super::view::{ContestView, Standing};

const W: f64 = 520.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 42.0;

fn open(id: &str, label: &str) -> String {
    format!(
        "<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" \
         aria-label=\"{}\" font-family=\"system-ui,sans-serif\" font-size=\"10\">",
        esc(label)
    )
}

fn empty(id: &str, label: &str, text: &str) -> String {
    format!(
        "{}<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#687086\">{}</text></svg>",
        open(id, label),
        W / 2.0,
        H / 2.0,
        esc(text)
    )
}

fn colour(s: Standing) -> &'static str {
    match s {
        Standing::Qualified => "#2f5fd0",
        Standing::MustReveal | Standing::Called => "#d98a1c",
        Standing::Overdue => "#c62828",
        Standing::Revealed => "#1a7f37",
        Standing::Forfeited | Standing::Disqualified | Standing::Scored => "#b8bdc9",
    }
}

/// One bar per accepted proof in ranking order, height = accuracy, dashed line at the
/// threshold.
pub fn accuracy_chart(v: &ContestView) -> String {
    const ID: &str = "accuracy-chart";
    const LABEL: &str = "Accuracy by entry";
    if v.leaderboard.is_empty() {
        return empty(ID, LABEL, "no accepted proofs yet");
    }
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let y = |pct: f64| TOP + ph * (1.0 - pct / 100.0);
    let mut s = open(ID, LABEL);
    for pct in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7ef\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#687086\">{pct}%</text>",
            W - RIGHT,
            LEFT - 4.0,
            y(pct) + 3.0,
            y = y(pct),
        );
    }
    let n = v.leaderboard.len() as f64;
    let slot = pw / n;
    let bar = (slot * 0.7).min(48.0);
    for (i, r) in v.leaderboard.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let top = y(r.accuracy_pct);
        let a = r.competitor.to_string();
        let _ = write!(
            s,
            "<rect class=\"bar\" data-address=\"{a}\" x=\"{x:.1}\" y=\"{top:.1}\" width=\"{bar:.1}\" \
             height=\"{h:.1}\" fill=\"{fill}\"><title>#{rank} {a}: {c}/{n} ({pct:.2}%)</title></rect>\
             <text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{pct:.1}%</text>\
             <text x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" fill=\"#687086\">#{rank} {short}</text>",
            h = TOP + ph - top,
            fill = colour(r.standing),
            rank = r.rank,
            c = r.correct,
            n = r.of,
            pct = r.accuracy_pct,
            cx = x + bar / 2.0,
            ty = top - 3.0,
            ly = H - BOTTOM + 14.0,
            short = &a[..8],
        );
    }
    let threshold =
        f64::from(v.rules.min_correct) * 100.0 / f64::from(v.rules.test_set_size.max(1));
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" stroke=\"#c62828\" \
         stroke-dasharray=\"4 3\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#c62828\">\
         threshold {threshold:.1}%</text></svg>",
        W - RIGHT,
        W - RIGHT,
        y(threshold) - 3.0,
        ty = y(threshold),
    );
    s
}

/// Cumulative commitments and accepted proofs against chain time, from the contest's creation
/// to the head block, with the deadlines that fall inside that span.
pub fn submissions_chart(v: &ContestView) -> String {
    const ID: &str = "submissions-chart";
    const LABEL: &str = "Submissions over time";
    let commits: Vec<u64> = v.commitments.iter().filter_map(|c| c.at.time).collect();
    let proofs: Vec<u64> = {
        let mut t: Vec<u64> = v.leaderboard.iter().filter_map(|r| r.at.time).collect();
        t.sort_unstable();
        t
    };
    let (Some(t0), Some(head)) = (v.created.time, v.head.time) else {
        return empty(ID, LABEL, "waiting for block times");
    };
    if commits.is_empty() {
        return empty(ID, LABEL, "no commitments yet");
    }
    let last = commits.iter().chain(&proofs).copied().max().unwrap_or(t0);
    let t1 = head.max(last).max(t0 + 1);
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let ymax = commits.len().max(proofs.len()).max(1) as f64;
    let x = |t: u64| LEFT + pw * (t.saturating_sub(t0)) as f64 / (t1 - t0) as f64;
    let y = |n: f64| TOP + ph * (1.0 - n / ymax);
    let mut s = open(ID, LABEL);
    let step = if ymax > 10.0 {
        (ymax / 5.0).ceil()
    } else {
        1.0
    };
    let mut k = 0.0;
    while k <= ymax {
        let _ = write!(
            s,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#e4e7ef\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#687086\">{k}</text>",
            W - RIGHT,
            LEFT - 4.0,
            y(k) + 3.0,
            yy = y(k),
        );
        k += step;
    }
    for d in &v.deadlines {
        if d.at >= t0 && d.at <= t1 {
            let dx = x(d.at);
            let _ = write!(
                s,
                "<line x1=\"{dx:.1}\" x2=\"{dx:.1}\" y1=\"{TOP}\" y2=\"{}\" stroke=\"#b8bdc9\" \
                 stroke-dasharray=\"3 3\"/><text x=\"{:.1}\" y=\"{}\" fill=\"#687086\" \
                 transform=\"rotate(-90 {:.1} {})\" text-anchor=\"end\">{} deadline</text>",
                TOP + ph,
                dx - 3.0,
                TOP + 2.0,
                dx - 3.0,
                TOP + 2.0,
                esc(d.name)
            );
        }
    }
    for (times, colour, name) in [
        (&commits, "#2f5fd0", "commitments"),
        (&proofs, "#1a7f37", "accepted proofs"),
    ] {
        let mut pts = format!("{:.1},{:.1}", x(t0), y(0.0));
        for (i, t) in times.iter().enumerate() {
            let _ = write!(
                pts,
                " {:.1},{:.1} {:.1},{:.1}",
                x(*t),
                y(i as f64),
                x(*t),
                y(i as f64 + 1.0)
            );
        }
        let _ = write!(pts, " {:.1},{:.1}", x(t1), y(times.len() as f64));
        let _ = write!(
            s,
            "<polyline class=\"series\" data-series=\"{name}\" points=\"{pts}\" fill=\"none\" \
             stroke=\"{colour}\" stroke-width=\"2\"/>"
        );
    }
    let _ = write!(
        s,
        "<text x=\"{LEFT}\" y=\"{}\" fill=\"#687086\">{}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#687086\">{}</text>\
         <rect x=\"{LEFT}\" y=\"{ly}\" width=\"10\" height=\"3\" fill=\"#2f5fd0\"/>\
         <text x=\"{}\" y=\"{}\">commitments ({})</text>\
         <rect x=\"{}\" y=\"{ly}\" width=\"10\" height=\"3\" fill=\"#1a7f37\"/>\
         <text x=\"{}\" y=\"{}\">accepted proofs ({})</text></svg>",
        H - BOTTOM + 14.0,
        esc(&utc(t0)),
        W - RIGHT,
        H - BOTTOM + 14.0,
        esc(&utc(t1)),
        LEFT + 14.0,
        H - 8.0,
        commits.len(),
        LEFT + 170.0,
        LEFT + 184.0,
        H - 8.0,
        proofs.len(),
        ly = H - 12.0,
    );
    s
}
