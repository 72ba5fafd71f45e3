//! `speed-dashboard.html`: the page a platform team opens every day. One self-contained file:
//! inline CSS and inline SVG charts, no script, no fonts, no images, no network, so it works
//! offline, from an artifact, and under `Content-Security-Policy: default-src 'none';
//! style-src 'unsafe-inline'` (which the page also declares for itself).
//!
//! This module computes what to show and the chart geometry; the template only lays it out,
//! and its HTML auto-escape handles every value.

use chrono::{DateTime, Utc};
use serde::Serialize;

mod charts;
mod tiles;

use charts::{buckets, history, round2, slices, Bucket, History, StatusSlice};
use tiles::{tiles, Tile};

use super::engine;
use super::view::{
    human_duration, human_time, percent, phase_title, segments, thousands, RepoRow, Segment, View,
    STATUS_ORDER,
};
use super::ReportError;
use crate::outcome::{RepoOutcome, RunReport, Status};
use crate::plan::PhaseName;
use crate::state::SyncState;

/// Urgent repositories listed.
const URGENT_ROWS: usize = 20;
/// Failures, pull requests and warnings listed before "and N more".
const LIST_ROWS: usize = 25;
/// Runs shown in the history chart.
const HISTORY_POINTS: usize = 60;

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
    /// The units' nouns ("repository", "repositories"; "branch", "branches").
    unit_one: &'static str,
    unit_many: &'static str,
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

fn more(total: usize, shown: usize) -> String {
    if total > shown {
        thousands((total - shown) as u64)
    } else {
        String::new()
    }
}

/// The Top 12's rows and a sentence of their statuses ("3 synced, 1 PR open").
fn top_section(view: &View) -> (Vec<TopItem>, String) {
    let rows = view.phase(PhaseName::Top);
    let top = rows.iter().map(|r| TopItem { row: view.row(r) }).collect();
    let summary = STATUS_ORDER
        .iter()
        .map(|&s| (s, rows.iter().filter(|r| r.status == s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| status_count(n, s))
        .collect::<Vec<_>>()
        .join(", ");
    (top, summary)
}

/// The status ring's text for screen readers.
fn status_summary(total: usize, slices: &[StatusSlice]) -> String {
    if slices.is_empty() {
        return "No repositories in the fleet.".to_string();
    }
    format!(
        "Status of {}: {}.",
        count_text(total, "repository", "repositories"),
        slices
            .iter()
            .map(|s| format!("{} ({}%)", status_count(s.n, s.s), s.percent))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The urgency histogram's text for screen readers.
fn urgency_summary(buckets: &[Bucket], ranked: usize) -> String {
    if ranked == 0 {
        return "No ranked repositories.".to_string();
    }
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
}

/// The most urgent repositories still behind, each with its bar (its score against the
/// highest shown).
fn urgent_rows(view: &View, ranked: &[&RepoOutcome]) -> Vec<UrgentRow> {
    let shown = &ranked[..ranked.len().min(URGENT_ROWS)];
    let max_score = shown.iter().map(|r| r.score).max().unwrap_or(0).max(1);
    shown
        .iter()
        .enumerate()
        .map(|(i, r)| UrgentRow {
            position: i + 1,
            row: view.row(r),
            bar: round2((100.0 * r.score.max(0) as f64 / max_score as f64).clamp(0.0, 100.0)),
        })
        .collect()
}

/// `speed-dashboard.html` for one run.
pub fn dashboard_html(
    run: &RunReport,
    state: &SyncState,
    generated_at: DateTime<Utc>,
) -> Result<String, ReportError> {
    let view = View::new(run, state, generated_at);
    let (top, top_summary) = top_section(&view);
    let top_in_sync = top.iter().filter(|t| t.row.in_sync).count();
    let slices = slices(&view);
    let status_summary = status_summary(run.repos.len(), &slices);
    let (buckets, bucket_max, ranked) = buckets(&view);
    let urgency_summary = urgency_summary(&buckets, ranked);
    let ranked_repos = view.still_behind();
    let skipped_outside_top = view
        .ranking()
        .iter()
        .filter(|r| r.status == Status::Skipped)
        .count();
    let urgent = urgent_rows(&view, &ranked_repos);
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
        unit_one: view.unit_words().0,
        unit_many: view.unit_words().1,
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
