//! Two small server-rendered SVG charts: accuracy by entry (bars, with the threshold), and
//! commitments and accepted proofs over chain time (cumulative steps, with the deadlines).
//! The geometry is computed here; the markup is in `templates/dashboard/{accuracy,submissions}.svg`.

use askama::Template;

use super::html::Fmt;
use super::view::{ContestView, Standing};

const W: f64 = 520.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 42.0;

fn colour(s: Standing) -> &'static str {
    match s {
        Standing::Qualified => "#2f5fd0",
        Standing::MustReveal | Standing::Called => "#d98a1c",
        Standing::Overdue => "#c62828",
        Standing::Revealed => "#1a7f37",
        Standing::Forfeited | Standing::Disqualified | Standing::Scored => "#b8bdc9",
    }
}

/// A horizontal grid line and its label.
pub struct Grid {
    y: f64,
    label: String,
}

/// One accepted proof's bar.
pub struct Bar {
    address: String,
    short: String,
    rank: u64,
    correct: u64,
    of: u32,
    pct: f64,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    fill: &'static str,
}

/// One bar per accepted proof in ranking order, height = accuracy, dashed line at the
/// threshold.
#[derive(Template)]
#[template(path = "dashboard/accuracy.svg", escape = "html")]
pub struct AccuracyChart {
    w: f64,
    h: f64,
    left: f64,
    right: f64,
    grid: Vec<Grid>,
    bars: Vec<Bar>,
    label_y: f64,
    threshold_pct: f64,
    threshold_y: f64,
}

impl Fmt for AccuracyChart {}

impl AccuracyChart {
    /// The chart of `v`'s leaderboard.
    pub fn of(v: &ContestView) -> Self {
        let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
        let y = |pct: f64| TOP + ph * (1.0 - pct / 100.0);
        let grid = [0.0, 25.0, 50.0, 75.0, 100.0]
            .into_iter()
            .map(|pct| Grid {
                y: y(pct),
                label: format!("{pct}%"),
            })
            .collect();
        let n = v.leaderboard.len().max(1) as f64;
        let slot = pw / n;
        let width = (slot * 0.7).min(48.0);
        let bars = v
            .leaderboard
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let top = y(r.accuracy_pct);
                let address = r.competitor.to_string();
                Bar {
                    short: address[..8].to_string(),
                    address,
                    rank: r.rank,
                    correct: r.correct,
                    of: r.of,
                    pct: r.accuracy_pct,
                    x: LEFT + slot * i as f64 + (slot - width) / 2.0,
                    y: top,
                    width,
                    height: TOP + ph - top,
                    fill: colour(r.standing),
                }
            })
            .collect();
        let threshold_pct =
            f64::from(v.rules.min_correct) * 100.0 / f64::from(v.rules.test_set_size.max(1));
        Self {
            w: W,
            h: H,
            left: LEFT,
            right: W - RIGHT,
            grid,
            bars,
            label_y: H - BOTTOM + 14.0,
            threshold_pct,
            threshold_y: y(threshold_pct),
        }
    }
}

/// A deadline's vertical line.
pub struct DeadlineMark {
    x: f64,
    name: &'static str,
}

/// A cumulative step line.
pub struct Series {
    name: &'static str,
    colour: &'static str,
    points: String,
    count: usize,
    legend_x: f64,
}

/// Cumulative commitments and accepted proofs against chain time, from the contest's creation
/// to the head block, with the deadlines that fall inside that span.
#[derive(Template)]
#[template(path = "dashboard/submissions.svg", escape = "html")]
pub struct SubmissionsChart {
    w: f64,
    h: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    axis_y: f64,
    /// Why there is nothing to draw yet.
    empty: Option<&'static str>,
    grid: Vec<Grid>,
    deadlines: Vec<DeadlineMark>,
    series: Vec<Series>,
    t0: u64,
    t1: u64,
}

impl Fmt for SubmissionsChart {}

impl SubmissionsChart {
    /// The chart of `v`'s commitments and proofs.
    pub fn of(v: &ContestView) -> Self {
        let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
        let mut chart = Self {
            w: W,
            h: H,
            left: LEFT,
            right: W - RIGHT,
            top: TOP,
            bottom: TOP + ph,
            axis_y: H - BOTTOM + 14.0,
            empty: None,
            grid: Vec::new(),
            deadlines: Vec::new(),
            series: Vec::new(),
            t0: 0,
            t1: 0,
        };
        let commits: Vec<u64> = v.commitments.iter().filter_map(|c| c.at.time).collect();
        let mut proofs: Vec<u64> = v.leaderboard.iter().filter_map(|r| r.at.time).collect();
        proofs.sort_unstable();
        let (Some(t0), Some(head)) = (v.created.time, v.head.time) else {
            chart.empty = Some("waiting for block times");
            return chart;
        };
        if commits.is_empty() {
            chart.empty = Some("no commitments yet");
            return chart;
        }
        let last = commits.iter().chain(&proofs).copied().max().unwrap_or(t0);
        let t1 = head.max(last).max(t0 + 1);
        let ymax = commits.len().max(proofs.len()).max(1) as f64;
        let x = |t: u64| LEFT + pw * (t.saturating_sub(t0)) as f64 / (t1 - t0) as f64;
        let y = |n: f64| TOP + ph * (1.0 - n / ymax);
        let step = if ymax > 10.0 {
            (ymax / 5.0).ceil()
        } else {
            1.0
        };
        let mut k = 0.0;
        while k <= ymax {
            chart.grid.push(Grid {
                y: y(k),
                label: k.to_string(),
            });
            k += step;
        }
        chart.deadlines = v
            .deadlines
            .iter()
            .filter(|d| d.at >= t0 && d.at <= t1)
            .map(|d| DeadlineMark {
                x: x(d.at),
                name: d.name,
            })
            .collect();
        let series = [
            (&commits, "#2f5fd0", "commitments"),
            (&proofs, "#1a7f37", "accepted proofs"),
        ];
        chart.series = series
            .into_iter()
            .enumerate()
            .map(|(i, (times, colour, name))| {
                let mut pts = vec![(x(t0), y(0.0))];
                for (n, t) in times.iter().enumerate() {
                    pts.push((x(*t), y(n as f64)));
                    pts.push((x(*t), y(n as f64 + 1.0)));
                }
                pts.push((x(t1), y(times.len() as f64)));
                let points = pts
                    .iter()
                    .map(|(px, py)| format!("{px:.1},{py:.1}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                Series {
                    name,
                    colour,
                    points,
                    count: times.len(),
                    legend_x: LEFT + 170.0 * i as f64,
                }
            })
            .collect();
        chart.t0 = t0;
        chart.t1 = t1;
        chart
    }
}
