//! The dashboard's charts: the status ring, the urgency histogram and the history of runs,
//! their geometry computed here so the template only lays them out.

use serde::Serialize;

use super::super::view::{
    not_enough_history, percent, ranking, rate, thousands, View, STATUS_ORDER,
};
use super::HISTORY_POINTS;
use crate::outcome::Status;

#[derive(Serialize)]
pub(super) struct StatusSlice {
    #[serde(skip)]
    pub(super) s: Status,
    #[serde(skip)]
    pub(super) n: usize,
    pub(super) status: &'static str,
    pub(super) label: &'static str,
    pub(super) icon: &'static str,
    pub(super) count: String,
    pub(super) percent: String,
    /// Donut geometry on a circle of circumference 100.
    pub(super) dash: f64,
    pub(super) gap: f64,
    pub(super) offset: f64,
}

#[derive(Serialize)]
pub(super) struct Bucket {
    pub(super) label: &'static str,
    pub(super) range: String,
    pub(super) count: usize,
    pub(super) security: usize,
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) height: f64,
    pub(super) security_y: f64,
    pub(super) security_height: f64,
    pub(super) label_x: f64,
}

#[derive(Serialize)]
pub(super) struct HistoryPoint {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) time: String,
    pub(super) mode: &'static str,
    pub(super) percent: String,
    pub(super) in_sync: u32,
    pub(super) pr_open: u32,
    pub(super) failed: u32,
    pub(super) total: u32,
    pub(super) dry_run: bool,
}

#[derive(Serialize)]
pub(super) struct Axis {
    pub(super) y: f64,
    pub(super) label: String,
}

#[derive(Serialize)]
pub(super) struct Stat {
    pub(super) label: &'static str,
    pub(super) value: String,
}

#[derive(Serialize)]
pub(super) struct History {
    pub(super) stats: Vec<Stat>,
    pub(super) x0: f64,
    pub(super) x1: f64,
    pub(super) points: Vec<HistoryPoint>,
    pub(super) line: String,
    pub(super) area: String,
    pub(super) grid: Vec<Axis>,
    pub(super) band_90: f64,
    pub(super) band_70: f64,
    pub(super) first: String,
    pub(super) last: String,
    pub(super) summary: String,
}

/// Score buckets of the urgency histogram: (label, lowest score in it).
pub(super) const BUCKETS: [(&str, i64); 8] = [
    ("≤ 0", i64::MIN),
    ("1+", 1),
    ("50+", 50),
    ("100+", 100),
    ("200+", 200),
    ("300+", 300),
    ("500+", 500),
    ("1000+", 1000),
];

/// The range a bucket covers, for text alternatives ("100–199").
pub(super) fn bucket_range(i: usize) -> String {
    match (BUCKETS[i].1, BUCKETS.get(i + 1).map(|b| b.1)) {
        (i64::MIN, _) => "0 or less".to_string(),
        (low, Some(next)) => format!("{low}–{}", next - 1),
        (low, None) => format!("{low} or more"),
    }
}

/// Histogram plot area inside its 360 × 180 view box.
pub(super) const HIST_LEFT: f64 = 8.0;
pub(super) const HIST_TOP: f64 = 22.0;
pub(super) const HIST_HEIGHT: f64 = 120.0;
pub(super) const HIST_SLOT: f64 = 43.0;
pub(super) const HIST_BAR: f64 = 31.0;

/// History plot area inside its 640 × 210 view box.
pub(super) const HX0: f64 = 64.0;
pub(super) const HX1: f64 = 628.0;
pub(super) const HY0: f64 = 12.0;
pub(super) const HY1: f64 = 176.0;

pub(super) fn slices(view: &View) -> Vec<StatusSlice> {
    let total = view.run.repos.len();
    let present: Vec<Status> = STATUS_ORDER
        .into_iter()
        .filter(|s| view.count(*s) > 0)
        .collect();
    let gap = if present.len() > 1 { 0.6 } else { 0.0 };
    let mut start = 0.0;
    present
        .into_iter()
        .map(|s| {
            let n = view.count(s);
            let share = 100.0 * n as f64 / total as f64;
            let dash = (share - gap).max(0.3);
            // Start at 12 o'clock: the circle's dash pattern begins at 3 o'clock.
            let offset = round2(25.0 - start);
            start += share;
            StatusSlice {
                s,
                n,
                status: s.as_str(),
                label: super::super::view::status_label(s),
                icon: super::super::view::status_icon(s),
                count: thousands(n as u64),
                percent: percent((share * 10.0).round() / 10.0),
                dash: round2(dash),
                gap: round2(100.0 - dash),
                offset,
            }
        })
        .collect()
}

pub(super) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub(super) fn buckets(view: &View) -> (Vec<Bucket>, usize, usize) {
    let ranked = ranking(view.run);
    let mut counts = [(0usize, 0usize); BUCKETS.len()];
    for r in &ranked {
        let i = BUCKETS
            .iter()
            .rposition(|(_, low)| r.score >= *low)
            .unwrap_or(0);
        counts[i].0 += 1;
        if r.tier == 2 {
            counts[i].1 += 1;
        }
    }
    let max = counts.iter().map(|c| c.0).max().unwrap_or(0);
    let scale = |n: usize| {
        if max == 0 {
            0.0
        } else {
            round2(HIST_HEIGHT * n as f64 / max as f64)
        }
    };
    let bottom = HIST_TOP + HIST_HEIGHT;
    let out = BUCKETS
        .iter()
        .zip(counts)
        .enumerate()
        .map(|(i, ((label, _), (count, security)))| {
            let x = HIST_LEFT + i as f64 * HIST_SLOT + (HIST_SLOT - HIST_BAR) / 2.0;
            let height = if count > 0 {
                scale(count).max(1.5)
            } else {
                0.0
            };
            let security_height = if security > 0 {
                scale(security).max(1.5)
            } else {
                0.0
            };
            Bucket {
                label,
                range: bucket_range(i),
                count,
                security,
                x: round2(x),
                y: round2(bottom - height),
                height,
                security_y: round2(bottom - security_height),
                security_height,
                label_x: round2(x + HIST_BAR / 2.0),
            }
        })
        .collect();
    (out, max, ranked.len())
}

pub(super) fn history(view: &View) -> History {
    let runs: Vec<_> = view
        .history
        .iter()
        .rev()
        .take(HISTORY_POINTS)
        .rev()
        .collect();
    let t0 = runs.first().map(|r| r.finished_at.timestamp()).unwrap_or(0);
    let t1 = runs.last().map(|r| r.finished_at.timestamp()).unwrap_or(0);
    let span = (t1 - t0).max(1) as f64;
    let y_of = |p: f64| round2(HY1 - (HY1 - HY0) * p.clamp(0.0, 100.0) / 100.0);
    let points: Vec<HistoryPoint> = runs
        .iter()
        .map(|r| {
            let x = if runs.len() == 1 {
                (HX0 + HX1) / 2.0
            } else {
                HX0 + (HX1 - HX0) * (r.finished_at.timestamp() - t0) as f64 / span
            };
            let get = |s: Status| r.counts.get(&s).copied().unwrap_or(0);
            HistoryPoint {
                x: round2(x),
                y: y_of(r.sync_percentage),
                time: r.finished_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                mode: r.mode.as_str(),
                percent: percent(r.sync_percentage),
                in_sync: get(Status::Synced) + get(Status::UpToDate),
                pr_open: get(Status::PrOpen),
                failed: get(Status::Failed) + get(Status::Inaccessible),
                total: r.total,
                dry_run: r.dry_run,
            }
        })
        .collect();
    let line = points
        .iter()
        .map(|p| format!("{},{}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ");
    let area = match (points.first(), points.last()) {
        (Some(a), Some(b)) if points.len() > 1 => {
            format!("{},{} {} {},{}", a.x, HY1, line, b.x, HY1)
        }
        _ => String::new(),
    };
    let summary = match (points.first(), points.last()) {
        (Some(a), Some(b)) if points.len() > 1 => format!(
            "Sync percentage over the last {} runs: from {}% on {} to {}% on {}.",
            points.len(),
            a.percent,
            a.time,
            b.percent,
            b.time
        ),
        (Some(b), _) => format!(
            "Only one run recorded so far: {}% in sync on {}.",
            b.percent, b.time
        ),
        _ => "No runs recorded yet.".to_string(),
    };
    let day = |r: Option<&&crate::state::RunRecord>| {
        r.map(|r| r.finished_at.format("%b %-d, %H:%M").to_string())
            .unwrap_or_default()
    };
    let stats = history_stats(view, &points);
    History {
        stats,
        x0: HX0,
        x1: HX1,
        first: if runs.len() > 1 {
            day(runs.first())
        } else {
            String::new()
        },
        last: day(runs.last()),
        grid: [0.0, 25.0, 50.0, 75.0, 100.0]
            .into_iter()
            .map(|p| Axis {
                y: y_of(p),
                label: format!("{p}%"),
            })
            .collect(),
        band_90: y_of(90.0),
        band_70: y_of(70.0),
        points,
        line,
        area,
        summary,
    }
}

/// The numbers under the history chart: now, a week ago, the change, the best run.
pub(super) fn history_stats(view: &View, points: &[HistoryPoint]) -> Vec<Stat> {
    let mut stats = vec![Stat {
        label: "now",
        value: format!("{}%", percent(view.metrics.sync_percentage)),
    }];
    let week_ago = view.generated_at - chrono::Duration::days(7);
    let baseline = view
        .history
        .iter()
        .rev()
        .find(|r| r.finished_at <= week_ago)
        .or_else(|| view.history.first());
    if let Some(b) = baseline.filter(|_| view.history.len() > 1) {
        let change = view.metrics.sync_percentage - b.sync_percentage;
        stats.push(Stat {
            label: "since",
            value: format!(
                "{} {}{} pts",
                b.finished_at.format("%b %-d"),
                if change >= 0.0 { "+" } else { "−" },
                percent((change.abs() * 10.0).round() / 10.0)
            ),
        });
    }
    // Highest percentage = smallest y.
    if let Some(best) = points.iter().min_by(|a, b| a.y.total_cmp(&b.y)) {
        stats.push(Stat {
            label: "best",
            value: format!("{}%", best.percent),
        });
    }
    stats.push(Stat {
        label: "runs shown",
        value: points.len().to_string(),
    });
    stats.push(match not_enough_history(&view.velocity) {
        Some(_) => Stat {
            label: "velocity",
            value: "not enough history yet".to_string(),
        },
        None => Stat {
            label: "velocity",
            value: format!("{} repos/h", rate(view.metrics.sync_velocity)),
        },
    });
    stats
}
