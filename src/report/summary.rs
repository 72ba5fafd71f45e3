//! The job summary (`GITHUB_STEP_SUMMARY`): what a person opening the run wants to know first,
//! in markdown that stays under GitHub's 1 MiB step-summary limit at any fleet size.
//!
//! Tables are capped (with "…and N more" notes pointing at `sync-progress.json`); when even the
//! capped summary is too big (very long texts at 10,000 repositories), the caps shrink and, as
//! a last resort, the text is cut at a line with a note saying so.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::view::{
    conflicted, human_duration, human_time, not_enough_history, percent, phase_title, rate,
    request_kind, segments, status_label, thousands, RepoRow, Segment, View,
};
use super::{engine, ReportError, ReportOptions, SYNC_PROGRESS_FILE, URGENCY_RANKING_FILE};
use crate::outcome::{RepoOutcome, RunReport, Status};
use crate::plan::PhaseName;
use crate::state::SyncState;

/// Default byte budget: GitHub rejects a step summary over 1 MiB (1,048,576 bytes); keep a
/// margin for whatever else the job appends.
pub const SUMMARY_LIMIT_BYTES: usize = 1_000_000;

/// Row caps per table at full size.
#[derive(Debug, Clone, Copy)]
struct Caps {
    top: usize,
    phase: usize,
    failures: usize,
    pulls: usize,
    pending: usize,
    warnings: usize,
}

const FULL: Caps = Caps {
    top: 50,
    phase: 100,
    failures: 100,
    pulls: 100,
    pending: 25,
    warnings: 30,
};

impl Caps {
    fn shrink(self) -> Caps {
        let s = |n: usize| (n / 4).max(3);
        Caps {
            top: s(self.top),
            phase: s(self.phase),
            failures: s(self.failures),
            pulls: s(self.pulls),
            pending: s(self.pending),
            warnings: s(self.warnings),
        }
    }
}

#[derive(Serialize)]
struct Table {
    rows: Vec<RepoRow>,
    total: String,
    omitted: String,
    /// Rows deliberately not listed (e.g. up-to-date repositories of the `rest` phase).
    unlisted: String,
}

#[derive(Serialize)]
struct PhaseTable {
    name: &'static str,
    title: &'static str,
    /// One line on the phase's results, shown while its table is folded.
    gist: String,
    table: Table,
}

#[derive(Serialize)]
struct Headline {
    in_sync: String,
    percent: String,
    synced: String,
    up_to_date: String,
    pr_open: String,
    conflicts: String,
    pending: String,
    skipped: String,
    inaccessible: String,
    failed: String,
    total: String,
    /// What the units are called: "repositories", or "branches" (see `View::unit_words`).
    units: &'static str,
    /// "8 sync PRs with conflicts, 27 more sync PRs to review, 6 inaccessible", or empty.
    for_people: String,
    velocity: String,
    velocity_runs: usize,
    velocity_days: i64,
    /// Why there is no estimate yet, when there is none.
    no_estimate: Option<String>,
    eta: String,
    eta_unknown: bool,
    behind_repos_n: u64,
    behind_commits_n: u64,
}

#[derive(Serialize)]
struct Request {
    kind: &'static str,
    what: &'static str,
    count: String,
}

/// The fleet's tags: one line of counts and the conflicting tags, when some repository asks
/// for tags.
#[derive(Serialize)]
struct TagsView {
    line: String,
    conflicts: Vec<TagConflictRow>,
    conflicts_total: usize,
}

#[derive(Serialize)]
struct TagConflictRow {
    repo: String,
    tag: String,
    upstream: String,
    fork: String,
}

fn tags_view(run: &crate::outcome::RunReport, cap: usize) -> Option<TagsView> {
    let t = run.tag_totals()?;
    let mut parts = vec![
        format!("{} created", count(t.created, "tag", "tags")),
        count(t.conflicting, "conflicting tag", "conflicting tags"),
        format!("{} pending", thousands(t.pending)),
        format!("{} already in place", thousands(t.in_place)),
    ];
    if t.errors > 0 {
        parts.push(format!(
            "{} could not be read or written",
            count(t.errors, "repository's tags", "repositories' tags")
        ));
    }
    let line = format!(
        "{} ({})",
        parts.join(", "),
        count(t.repos, "repository", "repositories")
    );
    let all: Vec<TagConflictRow> = run
        .repos
        .iter()
        .filter_map(|r| Some((r, r.tags.as_ref()?)))
        .flat_map(|(r, o)| {
            o.conflicts.iter().map(move |c| TagConflictRow {
                repo: r.repo.to_string(),
                tag: c.name.to_string(),
                upstream: c.upstream.describe(),
                fork: c.fork.describe(),
            })
        })
        .collect();
    let conflicts_total = all.len();
    Some(TagsView {
        line,
        conflicts: all.into_iter().take(cap).collect(),
        conflicts_total,
    })
}

#[derive(Serialize)]
struct Ctx {
    dry_run: bool,
    mode: &'static str,
    mode_why: Vec<Segment>,
    started: String,
    duration: String,
    generated: String,
    repository: Option<String>,
    headline: Headline,
    top: Option<PhaseTable>,
    phases: Vec<PhaseTable>,
    conflicts: Table,
    failures: Table,
    pulls: Table,
    pending: Table,
    warnings: Vec<Vec<Segment>>,
    warnings_omitted: String,
    requests: Vec<Request>,
    requests_total: String,
    rate_limit_remaining: Option<String>,
    tags: Option<TagsView>,
    artifacts_dir: String,
    progress_file: &'static str,
    ranking_file: &'static str,
    shortened: bool,
}

fn table(view: &View, repos: &[&RepoOutcome], cap: usize, unlisted: usize) -> Table {
    Table {
        rows: repos.iter().take(cap).map(|r| view.row(r)).collect(),
        total: thousands((repos.len() + unlisted) as u64),
        omitted: thousands(repos.len().saturating_sub(cap) as u64),
        unlisted: thousands(unlisted as u64),
    }
}

/// "7 of 12 in sync · 4 sync PRs (1 conflicts) · 1 inaccessible": a phase at a glance.
fn gist(repos: &[&RepoOutcome]) -> String {
    let n = |f: &dyn Fn(&RepoOutcome) -> bool| repos.iter().filter(|r| f(r)).count() as u64;
    let mut parts = vec![format!(
        "{} of {} in sync",
        thousands(n(&|r| r.status.in_sync())),
        thousands(repos.len() as u64)
    )];
    let prs = n(&|r| r.status == Status::PrOpen);
    if prs > 0 {
        let conflicts = n(&|r| conflicted(r));
        let mut p = count(prs, "sync PR", "sync PRs");
        if conflicts > 0 {
            p.push_str(&format!(" ({} with conflicts)", thousands(conflicts)));
        }
        parts.push(p);
    }
    for s in [
        Status::Pending,
        Status::Skipped,
        Status::Inaccessible,
        Status::Failed,
    ] {
        let k = n(&|r| r.status == s);
        if k > 0 {
            parts.push(format!("{} {}", thousands(k), status_label(s)));
        }
    }
    parts.join(" · ")
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), crate::plural::noun(n, one, many))
}

/// What waits for a person, in one line (empty when nothing does).
fn for_people(view: &View) -> String {
    let conflicts = view.conflicts().len() as u64;
    let review = view.count(Status::PrOpen) as u64 - conflicts;
    let mut parts = Vec::new();
    if conflicts > 0 {
        parts.push(count(
            conflicts,
            "sync PR with conflicts",
            "sync PRs with conflicts",
        ));
    }
    if review > 0 {
        let more = if conflicts > 0 { "more " } else { "" };
        parts.push(format!(
            "{} {more}{} to review",
            thousands(review),
            crate::plural::noun(review, "sync PR", "sync PRs")
        ));
    }
    for (s, one, many) in [
        (Status::Failed, "failed repository", "failed repositories"),
        (
            Status::Inaccessible,
            "inaccessible repository",
            "inaccessible repositories",
        ),
    ] {
        let k = view.count(s) as u64;
        if k > 0 {
            parts.push(count(k, one, many));
        }
    }
    parts.join(", ")
}

fn phase_table(view: &View, p: PhaseName, cap: usize) -> PhaseTable {
    let all = view.phase(p);
    let (listed, unlisted): (Vec<&RepoOutcome>, usize) = if p == PhaseName::Rest {
        let listed: Vec<&RepoOutcome> = all
            .iter()
            .copied()
            .filter(|r| r.status != Status::UpToDate)
            .collect();
        let unlisted = all.len() - listed.len();
        (listed, unlisted)
    } else {
        (all.clone(), 0)
    };
    PhaseTable {
        name: p.as_str(),
        title: phase_title(p),
        gist: gist(&all),
        table: table(view, &listed, cap, unlisted),
    }
}

fn context(view: &View, options: &ReportOptions, caps: Caps, shortened: bool) -> Ctx {
    let run = view.run;
    let m = &view.metrics;
    let top = view.phase(PhaseName::Top);
    let phases = view
        .phases()
        .into_iter()
        .filter(|p| *p != PhaseName::Top)
        .map(|p| phase_table(view, p, caps.phase))
        .collect();
    let requests_total: u64 = run.requests.values().sum();
    Ctx {
        dry_run: run.dry_run,
        mode: run.mode.mode.as_str(),
        mode_why: segments(&run.mode.explain()),
        started: human_time(run.started_at),
        duration: human_duration((run.finished_at - run.started_at).num_seconds()),
        generated: human_time(view.generated_at),
        repository: run.repository.clone(),
        headline: Headline {
            in_sync: thousands(m.synced_today),
            percent: percent(m.sync_percentage),
            synced: thousands(view.count(Status::Synced) as u64),
            up_to_date: thousands(view.count(Status::UpToDate) as u64),
            pr_open: thousands(m.in_progress),
            conflicts: thousands(view.conflicts().len() as u64),
            pending: thousands(view.count(Status::Pending) as u64),
            skipped: thousands(view.count(Status::Skipped) as u64),
            inaccessible: thousands(view.count(Status::Inaccessible) as u64),
            failed: thousands(view.count(Status::Failed) as u64),
            total: thousands(m.total_repos),
            units: view.unit_words().1,
            for_people: for_people(view),
            velocity: rate(m.sync_velocity),
            velocity_runs: view.velocity.runs,
            velocity_days: super::metrics::VELOCITY_WINDOW_DAYS,
            no_estimate: not_enough_history(&view.velocity),
            eta: super::view::eta(m),
            eta_unknown: m.eta_unknown(),
            behind_repos_n: view.behind_repos as u64,
            behind_commits_n: view.behind_commits,
        },
        top: (!top.is_empty()).then(|| phase_table(view, PhaseName::Top, caps.top)),
        phases,
        conflicts: table(view, &view.conflicts(), caps.failures, 0),
        failures: table(view, &view.failures(), caps.failures, 0),
        pulls: table(view, &view.pulls(), caps.pulls, 0),
        pending: table(view, &view.pending(), caps.pending, 0),
        warnings: run
            .warnings
            .iter()
            .take(caps.warnings)
            .map(|w| super::view::warning(w))
            .collect(),
        warnings_omitted: thousands(run.warnings.len().saturating_sub(caps.warnings) as u64),
        requests: run
            .requests
            .iter()
            .map(|(k, v)| {
                let (kind, what) = request_kind(k);
                Request {
                    kind,
                    what,
                    count: thousands(*v),
                }
            })
            .collect(),
        requests_total: thousands(requests_total),
        rate_limit_remaining: run.rate_limit_remaining.map(thousands),
        tags: tags_view(run, caps.failures),
        artifacts_dir: options.artifacts_dir.trim_end_matches('/').to_string(),
        progress_file: SYNC_PROGRESS_FILE,
        ranking_file: URGENCY_RANKING_FILE,
        shortened,
    }
}

/// The job summary markdown, at most `options.summary_limit` bytes.
pub fn job_summary(
    run: &RunReport,
    state: &SyncState,
    generated_at: DateTime<Utc>,
    options: &ReportOptions,
) -> Result<String, ReportError> {
    let view = View::new(run, state, generated_at);
    let render = |caps: Caps, shortened: bool| {
        engine::render(engine::SUMMARY, &context(&view, options, caps, shortened)).map_err(
            |source| ReportError {
                report: "job summary",
                source,
            },
        )
    };
    let mut caps = FULL;
    let mut out = render(caps, false)?;
    for _ in 0..3 {
        if out.len() <= options.summary_limit {
            return Ok(out);
        }
        caps = caps.shrink();
        out = render(caps, true)?;
    }
    Ok(cut_to_fit(out, options.summary_limit))
}

/// Last resort: cut at a line boundary and say so.
fn cut_to_fit(text: String, limit: usize) -> String {
    if text.len() <= limit {
        return text;
    }
    const NOTE: &str = "\n\n> ⚠️ **This summary was cut here** to stay under GitHub's 1 MiB \
                        step-summary limit. Every repository's result is in \
                        sync-progress.json.\n";
    let budget = limit.saturating_sub(NOTE.len() + "</details>\n".len());
    let mut cut = budget.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    if let Some(nl) = text[..cut].rfind('\n') {
        cut = nl;
    }
    let mut out = text[..cut].to_string();
    if out.rfind("<details>") > out.rfind("</details>") {
        out.push_str("\n</details>");
    }
    out.push_str(NOTE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_to_fit_cuts_at_a_line_and_notes_it() {
        let text = "line one\nline two\nline three\n".repeat(100);
        let out = cut_to_fit(text.clone(), 500);
        assert!(out.len() <= 500, "{}", out.len());
        assert!(out.contains("This summary was cut here"));
        let kept = out.split("\n\n> ⚠️").next().unwrap();
        assert!(text.starts_with(kept));
        assert!(kept.ends_with("line one") || kept.ends_with("two") || kept.ends_with("three"));
    }

    #[test]
    fn cut_to_fit_closes_an_open_details_block() {
        let text = format!("a\n<details><summary>x</summary>\n{}", "row\n".repeat(500));
        let out = cut_to_fit(text, 600);
        assert!(out.len() <= 600);
        assert_eq!(
            out.matches("<details>").count(),
            out.matches("</details>").count()
        );
    }

    #[test]
    fn cut_to_fit_leaves_small_text_alone() {
        assert_eq!(cut_to_fit("abc".to_string(), 10), "abc");
    }
}
