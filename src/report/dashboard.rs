//! `speed-dashboard.html`: the page a platform team opens every day. One self-contained file:
//! inline CSS and inline SVG charts, no script, no fonts, no images, no network, so it works
//! offline, from an artifact, and under `Content-Security-Policy: default-src 'none';
//! style-src 'unsafe-inline'` (which the page also declares for itself).
//!
//! This module computes what to show and the chart geometry; the template only lays it out,
//! and its HTML auto-escape handles every value.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::engine;
use super::view::{
    eta, human_duration, human_time, not_enough_history, percent, phase_title, ranking, rate,
    segments, thousands, RepoRow, Segment, View, STATUS_ORDER,
};
use super::ReportError;
use crate::outcome::{RunReport, Status};
use crate::plan::PhaseName;
use crate::state::SyncState;

/// Urgent repositories listed.
const URGENT_ROWS: usize = 20;
/// Failures, pull requests and warnings listed before "and N more".
const LIST_ROWS: usize = 25;
/// Runs shown in the history chart.
const HISTORY_POINTS: usize = 60;

#[derive(Serialize)]
struct Tile {
    key: &'static str,
    label: &'static str,
    value: String,
    unit: &'static str,
    caption: String,
    /// `good`, `warn`, `bad` or `` (neutral): colours the tile's accent.
    tone: &'static str,
}

#[derive(Serialize)]
struct StatusSlice {
    #[serde(skip)]
    s: Status,
    #[serde(skip)]
    n: usize,
    status: &'static str,
    label: &'static str,
    icon: &'static str,
    count: String,
    percent: String,
    /// Donut geometry on a circle of circumference 100.
    dash: f64,
    gap: f64,
    offset: f64,
}

#[derive(Serialize)]
struct Bucket {
    label: &'static str,
    range: String,
    count: usize,
    security: usize,
    x: f64,
    y: f64,
    height: f64,
    security_y: f64,
    security_height: f64,
    label_x: f64,
}

#[derive(Serialize)]
struct HistoryPoint {
    x: f64,
    y: f64,
    time: String,
    mode: &'static str,
    percent: String,
    in_sync: u32,
    pr_open: u32,
    failed: u32,
    total: u32,
    dry_run: bool,
}

#[derive(Serialize)]
struct Axis {
    y: f64,
    label: String,
}

#[derive(Serialize)]
struct Stat {
    label: &'static str,
    value: String,
}

#[derive(Serialize)]
struct History {
    stats: Vec<Stat>,
    x0: f64,
    x1: f64,
    points: Vec<HistoryPoint>,
    line: String,
    area: String,
    grid: Vec<Axis>,
    band_90: f64,
    band_70: f64,
    first: String,
    last: String,
    summary: String,
}

#[derive(Serialize)]
struct TopItem {
    row: RepoRow,
}

#[derive(Serialize)]
struct UrgentRow {
    position: usize,
    row: RepoRow,
    /// Score bar length, 0-100 (% of the highest score listed).
    bar: f64,
}

#[derive(Serialize)]
struct Ctx {
    title: String,
    dry_run: bool,
    mode: &'static str,
    mode_why: Vec<Segment>,
    generated: String,
    generated_iso: String,
    started: String,
    duration: String,
    repository: Option<String>,
    total_n: usize,
    percent: String,
    percent_value: f64,
    tiles: Vec<Tile>,
    top: Vec<TopItem>,
    top_in_sync: usize,
    top_summary: String,
    top_phase: &'static str,
    slices: Vec<StatusSlice>,
    status_summary: String,
    buckets: Vec<Bucket>,
    bucket_max: usize,
    ranked_n: usize,
    urgency_summary: String,
    history: History,
    urgent: Vec<UrgentRow>,
    urgent_more: String,
    /// "7 skipped repositories", not listed among the urgent ones (nothing to do for them).
    urgent_skipped: String,
    failures: Vec<RepoRow>,
    failures_more: String,
    pulls: Vec<RepoRow>,
    pulls_more: String,
    conflicts_n: usize,
    warnings: Vec<Vec<Segment>>,
    warnings_more: String,
    phases: Vec<(&'static str, String)>,
}

/// Score buckets of the urgency histogram: (label, lowest score in it).
const BUCKETS: [(&str, i64); 8] = [
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
fn bucket_range(i: usize) -> String {
    match (BUCKETS[i].1, BUCKETS.get(i + 1).map(|b| b.1)) {
        (i64::MIN, _) => "0 or less".to_string(),
        (low, Some(next)) => format!("{low}–{}", next - 1),
        (low, None) => format!("{low} or more"),
    }
}

/// Histogram plot area inside its 360 × 180 view box.
const HIST_LEFT: f64 = 8.0;
const HIST_TOP: f64 = 22.0;
const HIST_HEIGHT: f64 = 120.0;
const HIST_SLOT: f64 = 43.0;
const HIST_BAR: f64 = 31.0;

/// History plot area inside its 640 × 210 view box.
const HX0: f64 = 64.0;
const HX1: f64 = 628.0;
const HY0: f64 = 12.0;
const HY1: f64 = 176.0;

fn tone_for_percent(p: f64) -> &'static str {
    match super::badge_color(p) {
        super::BadgeColor::Green => "good",
        super::BadgeColor::Yellow => "warn",
        super::BadgeColor::Red => "bad",
    }
}

/// "4 with sync PRs open", "11 synced": a count of repositories in one status, as prose.
fn status_count(n: usize, s: Status) -> String {
    match s {
        Status::PrOpen => count_text(n, "with a sync PR open", "with sync PRs open"),
        s => format!("{} {}", thousands(n as u64), super::view::status_label(s)),
    }
}

fn count_text(n: usize, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        thousands(n as u64),
        if n == 1 { one } else { many }
    )
}

fn tiles(view: &View) -> Vec<Tile> {
    let mut out = status_tiles(view);
    out.extend(tag_tiles(view));
    out
}

fn status_tiles(view: &View) -> Vec<Tile> {
    let m = &view.metrics;
    let failed = view.count(Status::Failed);
    let inaccessible = view.count(Status::Inaccessible);
    let conflicts = view.conflicts().len();
    let review = view.count(Status::PrOpen);
    let pending = view.count(Status::Pending);
    let no_estimate = not_enough_history(&view.velocity);
    vec![
        Tile {
            key: "in_sync",
            label: "In sync",
            value: thousands(m.synced_today),
            unit: "",
            caption: format!(
                "of {} ({}%): {} synced by this run, {} up to date",
                thousands(m.total_repos),
                percent(m.sync_percentage),
                thousands(view.count(Status::Synced) as u64),
                thousands(view.count(Status::UpToDate) as u64)
            ),
            tone: tone_for_percent(m.sync_percentage),
        },
        Tile {
            key: "conflicts",
            label: "Conflicts",
            value: thousands(conflicts as u64),
            unit: "",
            caption: if conflicts == 0 {
                "no sync PR has conflicts".to_string()
            } else {
                format!(
                    "{} GitHub cannot merge; resolve by hand",
                    crate::plural::noun(conflicts as u64, "sync PR", "sync PRs")
                )
            },
            tone: if conflicts == 0 { "good" } else { "bad" },
        },
        Tile {
            key: "review",
            label: "To review",
            value: thousands(review as u64),
            unit: "",
            caption: if review == 0 {
                "no sync PR waits for a review".to_string()
            } else if conflicts > 0 {
                format!(
                    "{} waiting for a person to merge; {} with conflicts",
                    crate::plural::noun(review as u64, "sync PR", "sync PRs"),
                    thousands(conflicts as u64)
                )
            } else {
                format!(
                    "{} waiting for a person to merge",
                    crate::plural::noun(review as u64, "sync PR", "sync PRs")
                )
            },
            tone: if review == 0 { "good" } else { "" },
        },
        Tile {
            key: "failed",
            label: "Failed or inaccessible",
            value: thousands((failed + inaccessible) as u64),
            unit: "",
            caption: format!(
                "{} failed, {} inaccessible",
                thousands(failed as u64),
                thousands(inaccessible as u64)
            ),
            tone: if failed + inaccessible == 0 {
                "good"
            } else {
                "bad"
            },
        },
        Tile {
            key: "pending",
            label: "Pending",
            value: thousands(pending as u64),
            unit: "",
            caption: if pending == 0 {
                "nothing left for the next runs".to_string()
            } else if no_estimate.is_some() {
                format!(
                    "{} the next runs sync by themselves; no ETA: not enough history yet",
                    crate::plural::noun(pending as u64, "repository", "repositories")
                )
            } else if m.eta_unknown() {
                format!(
                    "{} the next runs sync by themselves; no ETA: no progress in 7 days",
                    crate::plural::noun(pending as u64, "repository", "repositories")
                )
            } else {
                format!(
                    "{} the next runs sync by themselves; ETA {} at {} repos/h",
                    crate::plural::noun(pending as u64, "repository", "repositories"),
                    eta(m),
                    rate(m.sync_velocity)
                )
            },
            tone: if pending == 0 { "good" } else { "" },
        },
        Tile {
            key: "behind",
            label: "Behind upstream",
            value: thousands(view.behind_repos as u64),
            unit: "",
            caption: format!(
                "{}, {} behind",
                crate::plural::noun(view.behind_repos as u64, "repository", "repositories"),
                count_text(view.behind_commits as usize, "commit", "commits")
            ),
            tone: if view.behind_repos == 0 { "good" } else { "" },
        },
    ]
}

/// The tag tiles, when some repository asks for tags: created, and conflicting (a person
/// compares them; priority-sync never moves a tag).
fn tag_tiles(view: &View) -> Vec<Tile> {
    let Some(t) = view.run.tag_totals() else {
        return Vec::new();
    };
    vec![
        Tile {
            key: "tags_created",
            label: "Tags created",
            value: thousands(t.created),
            unit: "",
            caption: format!(
                "in the forks of {}; {} pending",
                crate::plural::count(t.repos, "repository", "repositories"),
                thousands(t.pending)
            ),
            tone: "",
        },
        Tile {
            key: "tag_conflicts",
            label: "Tag conflicts",
            value: thousands(t.conflicting),
            unit: "",
            caption: if t.conflicting == 0 {
                "no fork tag differs from its upstream's".to_string()
            } else {
                "fork tags at another object than upstream's: never moved, compare them".to_string()
            },
            tone: if t.conflicting == 0 { "good" } else { "warn" },
        },
    ]
}

fn slices(view: &View) -> Vec<StatusSlice> {
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
                label: super::view::status_label(s),
                icon: super::view::status_icon(s),
                count: thousands(n as u64),
                percent: percent((share * 10.0).round() / 10.0),
                dash: round2(dash),
                gap: round2(100.0 - dash),
                offset,
            }
        })
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn buckets(view: &View) -> (Vec<Bucket>, usize, usize) {
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

fn history(view: &View) -> History {
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
fn history_stats(view: &View, points: &[HistoryPoint]) -> Vec<Stat> {
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

fn more(total: usize, shown: usize) -> String {
    if total > shown {
        thousands((total - shown) as u64)
    } else {
        String::new()
    }
}

/// `speed-dashboard.html` for one run.
pub fn dashboard_html(
    run: &RunReport,
    state: &SyncState,
    generated_at: DateTime<Utc>,
) -> Result<String, ReportError> {
    let view = View::new(run, state, generated_at);
    let top: Vec<TopItem> = view
        .phase(PhaseName::Top)
        .into_iter()
        .map(|r| TopItem { row: view.row(r) })
        .collect();
    let top_in_sync = top.iter().filter(|t| t.row.in_sync).count();
    let mut top_counts: Vec<(Status, usize)> = STATUS_ORDER
        .iter()
        .map(|&s| {
            (
                s,
                view.phase(PhaseName::Top)
                    .iter()
                    .filter(|r| r.status == s)
                    .count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    top_counts.sort_by_key(|(s, _)| STATUS_ORDER.iter().position(|x| x == s));
    let top_summary = top_counts
        .iter()
        .map(|(s, n)| status_count(*n, *s))
        .collect::<Vec<_>>()
        .join(", ");
    let slices = slices(&view);
    let status_summary = if slices.is_empty() {
        "No repositories in the fleet.".to_string()
    } else {
        format!(
            "Status of {}: {}.",
            count_text(run.repos.len(), "repository", "repositories"),
            slices
                .iter()
                .map(|s| format!("{} ({}%)", status_count(s.n, s.s), s.percent))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let (buckets, bucket_max, ranked) = buckets(&view);
    let urgency_summary = if ranked == 0 {
        "No ranked repositories.".to_string()
    } else {
        format!(
            "Urgency scores of {} outside the Top 12: {}.",
            count_text(ranked, "repository", "repositories"),
            buckets
                .iter()
                .filter(|b| b.count > 0)
                .map(|b| format!("{} scored {}", b.count, b.range))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let ranked_repos = view.still_behind();
    let skipped_outside_top = view
        .ranking()
        .iter()
        .filter(|r| r.status == Status::Skipped)
        .count();
    let max_score = ranked_repos
        .iter()
        .take(URGENT_ROWS)
        .map(|r| r.score)
        .max()
        .unwrap_or(0)
        .max(1);
    let urgent = ranked_repos
        .iter()
        .take(URGENT_ROWS)
        .enumerate()
        .map(|(i, r)| UrgentRow {
            position: i + 1,
            row: view.row(r),
            bar: round2((100.0 * r.score.max(0) as f64 / max_score as f64).clamp(0.0, 100.0)),
        })
        .collect();
    let failures = view.failures();
    let pulls = view.pulls();
    let phases = view
        .phases()
        .into_iter()
        .map(|p| (phase_title(p), thousands(view.phase(p).len() as u64)))
        .collect();
    let ctx = Ctx {
        title: format!(
            "{}% in sync · priority-sync dashboard",
            percent(view.metrics.sync_percentage)
        ),
        dry_run: run.dry_run,
        mode: run.mode.mode.as_str(),
        mode_why: segments(&run.mode.explain()),
        generated: human_time(generated_at),
        generated_iso: super::view::rfc3339(generated_at),
        started: human_time(run.started_at),
        duration: human_duration((run.finished_at - run.started_at).num_seconds()),
        repository: run.repository.clone(),
        total_n: run.repos.len(),
        percent: percent(view.metrics.sync_percentage),
        percent_value: view.metrics.sync_percentage,
        tiles: tiles(&view),
        top_in_sync,
        top_summary,
        top_phase: phase_title(PhaseName::Top),
        top,
        slices,
        status_summary,
        buckets,
        bucket_max,
        ranked_n: ranked,
        urgency_summary,
        history: history(&view),
        urgent,
        urgent_more: more(ranked_repos.len(), URGENT_ROWS),
        urgent_skipped: if skipped_outside_top == 0 {
            String::new()
        } else {
            count_text(
                skipped_outside_top,
                "skipped repository",
                "skipped repositories",
            )
        },
        failures_more: more(failures.len(), LIST_ROWS),
        failures: failures
            .iter()
            .take(LIST_ROWS)
            .map(|r| view.row(r))
            .collect(),
        pulls_more: more(pulls.len(), LIST_ROWS),
        conflicts_n: view.conflicts().len(),
        pulls: pulls.iter().take(LIST_ROWS).map(|r| view.row(r)).collect(),
        warnings_more: more(run.warnings.len(), LIST_ROWS),
        warnings: run
            .warnings
            .iter()
            .take(LIST_ROWS)
            .map(|w| super::view::warning(w))
            .collect(),
        phases,
    };
    engine::render(engine::DASHBOARD, &ctx).map_err(|source| ReportError {
        report: "speed-dashboard.html",
        source,
    })
}
