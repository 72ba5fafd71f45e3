//! `sync-progress.json` (every repository's result) and `urgency-ranking.json` (the ranking),
//! the machine-readable reports. Both carry [`REPORT_SCHEMA_VERSION`] so consumers can tell
//! layouts apart; `speed-metrics.json` deliberately does not (it keeps the source's nine keys).

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::escape::truncate;
use super::view::{ranking, rfc3339};
use crate::decision::Action;
use crate::mode::{Mode, ModeSource};
use crate::outcome::{PullRef, RunReport, Status};
use crate::plan::PhaseName;
use crate::tags::{TagOutcome, TagTotals};

/// Layout version of `sync-progress.json` and `urgency-ranking.json`. Adding a key keeps it;
/// renaming, removing or changing the meaning of one bumps it.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// Longest text (detail, error, PR title, one reason) kept in the JSON files, in characters, so
/// a chatty API error cannot make a 10,000-repository file balloon.
pub const JSON_TEXT_CHARS: usize = 1_000;

fn text(s: &str) -> Cow<'_, str> {
    truncate(s, JSON_TEXT_CHARS)
}

fn texts(v: &[String]) -> Vec<Cow<'_, str>> {
    v.iter().map(|s| text(s)).collect()
}

#[derive(Serialize)]
struct PullView<'a> {
    number: u64,
    url: Cow<'a, str>,
    title: Cow<'a, str>,
    created: bool,
    conflicted: bool,
}

fn pull(p: &PullRef) -> PullView<'_> {
    PullView {
        number: p.number,
        url: text(&p.url),
        title: text(&p.title),
        created: p.created,
        conflicted: p.conflicted,
    }
}

#[derive(Serialize)]
struct RunInfo<'a> {
    started_at: String,
    finished_at: String,
    mode: Mode,
    /// Why this mode: `{"source": "schedule", "cron": "0 */6 * * *"}` and friends.
    mode_source: &'a ModeSource,
    mode_reason: String,
    dry_run: bool,
    repository: Option<&'a str>,
}

#[derive(Serialize)]
struct Progress<'a> {
    schema_version: u32,
    generated_at: String,
    run: RunInfo<'a>,
    total_repos: usize,
    /// Repositories per status, every status present (0 when none).
    counts: BTreeMap<&'static str, usize>,
    sync_percentage: f64,
    /// The fleet's tag counts (repositories compared, tags created, conflicting, pending, in
    /// place, errors), present when some repository asks for tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<TagTotals>,
    repos: Vec<ProgressRepo<'a>>,
}

#[derive(Serialize)]
struct ProgressRepo<'a> {
    repo: String,
    /// The branch, for one of several branches of a repository (`branches:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
    phase: Option<PhaseName>,
    rank: Option<u32>,
    score: i64,
    tier: u8,
    reasons: Vec<Cow<'a, str>>,
    action: Action,
    status: Status,
    detail: Cow<'a, str>,
    commits_behind: u32,
    commits_ahead: u32,
    security_alerts: u32,
    pull_request: Option<PullView<'a>>,
    error: Option<Cow<'a, str>>,
    /// What the run did with its tags (`tags:` in the inventory), when it asks for them.
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<&'a TagOutcome>,
}

fn run_info(run: &RunReport) -> RunInfo<'_> {
    RunInfo {
        started_at: rfc3339(run.started_at),
        finished_at: rfc3339(run.finished_at),
        mode: run.mode.mode,
        mode_source: &run.mode.source,
        mode_reason: run.mode.explain(),
        dry_run: run.dry_run,
        repository: run.repository.as_deref(),
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("report structs serialize");
    s.push('\n');
    s
}

/// `sync-progress.json`: the run and every repository's result, in processing order.
pub fn sync_progress_json(run: &RunReport, generated_at: DateTime<Utc>) -> String {
    let counts = Status::ALL
        .iter()
        .map(|&s| (s.as_str(), run.count(s)))
        .collect();
    let repos = run
        .repos
        .iter()
        .map(|r| ProgressRepo {
            repo: r.repo.to_string(),
            branch: r.branch.as_ref().map(|b| b.as_str().to_string()),
            phase: r.phase,
            rank: r.rank,
            score: r.score,
            tier: r.tier,
            reasons: texts(&r.reasons),
            action: r.action,
            status: r.status,
            detail: text(&r.detail),
            commits_behind: r.commits_behind,
            commits_ahead: r.commits_ahead,
            security_alerts: r.security_alerts,
            pull_request: r.pull_request.as_ref().map(pull),
            error: r.error.as_deref().map(text),
            tags: r.tags.as_ref(),
        })
        .collect();
    to_json(&Progress {
        schema_version: REPORT_SCHEMA_VERSION,
        generated_at: rfc3339(generated_at),
        run: run_info(run),
        total_repos: run.repos.len(),
        counts,
        sync_percentage: run.sync_percentage(),
        tags: run.tag_totals(),
        repos,
    })
}

#[derive(Serialize)]
struct Ranking<'a> {
    schema_version: u32,
    generated_at: String,
    run: RunInfo<'a>,
    /// The fixed priority list as this run handled it, in list order (empty when the run had no
    /// `top` phase, e.g. `force`).
    top: Vec<TopEntry>,
    /// Every other repository, most urgent first: tier desc, score desc, `owner/name` asc.
    ranking: Vec<RankEntry<'a>>,
}

#[derive(Serialize)]
struct TopEntry {
    position: usize,
    repo: String,
    /// The branch, for one of several branches of a repository (`branches:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
    status: Status,
    commits_behind: u32,
}

#[derive(Serialize)]
struct RankEntry<'a> {
    /// 1-based place in the ranking.
    position: usize,
    repo: String,
    /// The branch, for one of several branches of a repository (`branches:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<String>,
    tier: u8,
    score: i64,
    reasons: Vec<Cow<'a, str>>,
    commits_behind: u32,
    security_alerts: u32,
    /// The phase that handled it in this run, `null` when this run's mode did not reach it.
    phase: Option<PhaseName>,
    status: Status,
}

/// `urgency-ranking.json`: the Top 12 in order, then the urgency ranking of the rest.
pub fn urgency_ranking_json(run: &RunReport, generated_at: DateTime<Utc>) -> String {
    let top = run
        .repos
        .iter()
        .filter(|r| r.phase == Some(PhaseName::Top))
        .enumerate()
        .map(|(i, r)| TopEntry {
            position: i + 1,
            repo: r.repo.to_string(),
            branch: r.branch.as_ref().map(|b| b.as_str().to_string()),
            status: r.status,
            commits_behind: r.commits_behind,
        })
        .collect();
    let ranking = ranking(run)
        .into_iter()
        .enumerate()
        .map(|(i, r)| RankEntry {
            position: i + 1,
            repo: r.repo.to_string(),
            branch: r.branch.as_ref().map(|b| b.as_str().to_string()),
            tier: r.tier,
            score: r.score,
            reasons: texts(&r.reasons),
            commits_behind: r.commits_behind,
            security_alerts: r.security_alerts,
            phase: r.phase,
            status: r.status,
        })
        .collect();
    to_json(&Ranking {
        schema_version: REPORT_SCHEMA_VERSION,
        generated_at: rfc3339(generated_at),
        run: run_info(run),
        top,
        ranking,
    })
}
