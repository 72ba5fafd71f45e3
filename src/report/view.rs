//! What every report shows, computed once from the run and the state: counts, metrics, the Top
//! 12, the urgency ranking, failures, pull requests and pending work, with every piece of
//! outside text already cleaned and every link already validated.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::escape::{clean, http_url};
use super::metrics::{self, SpeedMetrics, Velocity};
use crate::outcome::{RepoOutcome, RunReport, Status};
use crate::plan::PhaseName;
use crate::state::{RunRecord, SyncState};

/// Longest PR title, detail or error shown in a table cell (characters).
pub(crate) const CELL_CHARS: usize = 200;
/// Longest joined reasons text in a table cell (characters).
pub(crate) const REASONS_CHARS: usize = 160;

/// Icon and words for a status, the same in every report.
pub(crate) fn status_icon(s: Status) -> &'static str {
    match s {
        Status::Synced | Status::UpToDate => "✅",
        Status::PrOpen => "🔄",
        Status::Inaccessible => "⚠️",
        Status::Failed => "❌",
        Status::Skipped => "⏭️",
        Status::Pending => "⏳",
    }
}

pub(crate) fn status_label(s: Status) -> &'static str {
    match s {
        Status::Synced => "synced",
        Status::UpToDate => "up to date",
        Status::PrOpen => "PR open",
        Status::Inaccessible => "inaccessible",
        Status::Failed => "failed",
        Status::Skipped => "skipped",
        Status::Pending => "pending",
    }
}

/// Display order of the statuses in legends and breakdowns: good to bad.
pub(crate) const STATUS_ORDER: [Status; 7] = [
    Status::Synced,
    Status::UpToDate,
    Status::PrOpen,
    Status::Pending,
    Status::Skipped,
    Status::Inaccessible,
    Status::Failed,
];

pub(crate) fn phase_title(p: PhaseName) -> &'static str {
    match p {
        PhaseName::Top => "Top 12",
        PhaseName::Critical => "Critical: open security alerts",
        PhaseName::Urgent => "Urgent batch",
        PhaseName::Rest => "Rest of the fleet",
        PhaseName::Force => "Forced repositories",
    }
}

/// The tier's tag, saying why the repository is in it: tier 2 is open security alerts; tier 1
/// is stale (too long since the last sync) or far behind (too many commits), and the urgency
/// reasons tell which (a stale repository has a `stale N days` reason).
pub(crate) fn tier_label(tier: u8, reasons: &[String]) -> &'static str {
    match tier {
        2 => "security",
        1 if reasons.iter().any(|r| r.starts_with("stale ")) => "stale",
        1 => "far behind",
        _ => "",
    }
}

/// What each kind of API request counted in a run is, for the request table.
pub(crate) fn request_kind(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "graphql" => (
            "GraphQL",
            "batched reads: repository metadata, how far forks are behind",
        ),
        "compare" => ("compare", "a fork compared with its upstream, one each"),
        "writes" => (
            "writes",
            "branch updates, sync pull requests, labels, the audit commit",
        ),
        "other" => (
            "other reads",
            "open sync PRs, branch heads, mergeability, the state file",
        ),
        _ => ("other", ""),
    }
}

/// Why there is no ETA yet, or `None` when the history is enough for one.
pub(crate) fn not_enough_history(v: &Velocity) -> Option<String> {
    (!v.enough_history()).then(|| {
        format!(
            "not enough history yet ({} in the last {} days; an estimate needs {} over at least {} h)",
            crate::plural::count(v.runs as u64, "run", "runs"),
            metrics::VELOCITY_WINDOW_DAYS,
            crate::plural::count(metrics::MIN_HISTORY_RUNS as u64, "run", "runs"),
            metrics::MIN_HISTORY_HOURS
        )
    })
}

/// A piece of the mode explanation or a warning: plain text or a code-like value (cron, mode
/// name, permission).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Segment {
    pub text: String,
    pub code: bool,
}

/// Splits text's back-quoted parts into code segments, so templates can show them as code
/// (`<code>` around the escaped text) without trusting the text. A backtick without a partner
/// is prose, shown as itself.
pub(crate) fn segments(explained: &str) -> Vec<Segment> {
    let mut parts: Vec<String> = explained.split('`').map(str::to_string).collect();
    if parts.len() % 2 == 0 {
        // An odd number of backticks: the last one opens nothing.
        let tail = parts.pop().unwrap_or_default();
        if let Some(prose) = parts.last_mut() {
            prose.push('`');
            prose.push_str(&tail);
        }
    }
    parts
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(i, t)| {
            let mut text = clean(t, CELL_CHARS);
            if t.starts_with(char::is_whitespace) {
                text.insert(0, ' ');
            }
            if t.ends_with(char::is_whitespace) && !text.trim().is_empty() {
                text.push(' ');
            }
            Segment {
                text,
                code: i % 2 == 1,
            }
        })
        .collect()
}

/// A warning (our text, with outside text such as a cron or a file path inside backticks),
/// cleaned and cut to one cell, in segments.
pub(crate) fn warning(text: &str) -> Vec<Segment> {
    segments(&clean(text, CELL_CHARS))
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PrView {
    pub number: u64,
    /// Validated http(s) link, or `None` (then the number is shown without a link).
    pub url: Option<String>,
    pub title: String,
    pub created: bool,
}

/// One repository, ready to print.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RepoRow {
    /// `owner/name`, or `owner/name:branch` for one of several branches.
    pub repo: String,
    pub owner: String,
    pub name: String,
    /// The branch, for one of several branches of a repository (`branches:`).
    pub branch: Option<String>,
    pub url: Option<String>,
    pub phase: Option<&'static str>,
    pub rank: Option<u32>,
    pub score: i64,
    pub tier: u8,
    pub tier_label: &'static str,
    pub reasons: String,
    /// The sync pull request cannot merge cleanly: a person must resolve it.
    pub conflicted: bool,
    pub status: &'static str,
    pub status_label: &'static str,
    pub icon: &'static str,
    pub in_sync: bool,
    pub detail: String,
    pub behind: u32,
    pub ahead: u32,
    pub alerts: u32,
    pub pr: Option<PrView>,
    pub error: Option<String>,
}

/// Everything the summary and the dashboard need.
pub(crate) struct View<'a> {
    pub run: &'a RunReport,
    pub metrics: SpeedMetrics,
    pub velocity: Velocity,
    pub history: Vec<RunRecord>,
    pub counts: BTreeMap<Status, usize>,
    /// Repositories still behind their upstream after the run (not in sync, > 0 behind).
    pub behind_repos: usize,
    pub behind_commits: u64,
    pub web_base: Option<String>,
    pub generated_at: DateTime<Utc>,
}

impl<'a> View<'a> {
    pub fn new(run: &'a RunReport, state: &SyncState, generated_at: DateTime<Utc>) -> Self {
        let history = metrics::history(run, state);
        let velocity = metrics::velocity(&history, generated_at);
        let metrics = SpeedMetrics::with_velocity(run, &velocity);
        let mut counts = BTreeMap::new();
        for s in Status::ALL {
            counts.insert(s, run.count(s));
        }
        let behind: Vec<&RepoOutcome> = run
            .repos
            .iter()
            .filter(|r| !r.status.in_sync() && r.commits_behind > 0)
            .collect();
        let web_base = http_url(run.server_url.trim_end_matches('/'));
        Self {
            run,
            metrics,
            velocity,
            history,
            counts,
            behind_repos: behind.len(),
            behind_commits: behind.iter().map(|r| u64::from(r.commits_behind)).sum(),
            web_base,
            generated_at,
        }
    }

    /// What the run's units are called in headlines: "repositories", or "branches" once any
    /// repository lists several (each repository is then counted by its branches: one for a
    /// repository without `branches:`).
    pub fn unit_words(&self) -> (&'static str, &'static str) {
        if self.run.repos.iter().any(|r| r.branch.is_some()) {
            ("branch", "branches")
        } else {
            ("repository", "repositories")
        }
    }

    pub fn count(&self, s: Status) -> usize {
        self.counts.get(&s).copied().unwrap_or(0)
    }

    pub fn row(&self, r: &RepoOutcome) -> RepoRow {
        RepoRow {
            repo: r.unit().to_string(),
            owner: r.repo.owner().to_string(),
            name: r.repo.name().to_string(),
            branch: r.branch.as_ref().map(|b| b.as_str().to_string()),
            url: self.web_base.as_ref().map(|b| format!("{b}/{}", r.repo)),
            phase: r.phase.map(PhaseName::as_str),
            rank: r.rank,
            score: r.score,
            tier: r.tier,
            tier_label: tier_label(r.tier, &r.reasons),
            reasons: clean(&r.reasons.join("; "), REASONS_CHARS),
            conflicted: r.pull_request.as_ref().is_some_and(|p| p.conflicted),
            status: r.status.as_str(),
            status_label: status_label(r.status),
            icon: status_icon(r.status),
            in_sync: r.status.in_sync(),
            detail: clean(&r.detail, CELL_CHARS),
            behind: r.commits_behind,
            ahead: r.commits_ahead,
            alerts: r.security_alerts,
            pr: r.pull_request.as_ref().map(|p| PrView {
                number: p.number,
                url: http_url(&p.url),
                title: clean(&p.title, CELL_CHARS),
                created: p.created,
            }),
            error: r.error.as_deref().map(|e| clean(e, CELL_CHARS)),
        }
    }

    /// The run's repositories of one phase, in processing order.
    pub fn phase(&self, p: PhaseName) -> Vec<&'a RepoOutcome> {
        self.run
            .repos
            .iter()
            .filter(|r| r.phase == Some(p))
            .collect()
    }

    /// Phases this run had, in run order.
    pub fn phases(&self) -> Vec<PhaseName> {
        let mut seen: Vec<PhaseName> = self.run.repos.iter().filter_map(|r| r.phase).collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    }

    /// Every repository outside the Top 12, most urgent first (SPEC §3: tier, score, name).
    pub fn ranking(&self) -> Vec<&'a RepoOutcome> {
        ranking(self.run)
    }

    /// Repositories that still need a sync no run has done, most urgent first.
    pub fn pending(&self) -> Vec<&'a RepoOutcome> {
        let mut v: Vec<&RepoOutcome> = self
            .run
            .repos
            .iter()
            .filter(|r| r.status == Status::Pending)
            .collect();
        v.sort_by(|a, b| urgency_order(a, b));
        v
    }

    /// Failed and inaccessible repositories, in processing order.
    pub fn failures(&self) -> Vec<&'a RepoOutcome> {
        self.run
            .repos
            .iter()
            .filter(|r| matches!(r.status, Status::Failed | Status::Inaccessible))
            .collect()
    }

    /// Repositories with a sync pull request open, the conflicting ones first, each group in
    /// processing order.
    pub fn pulls(&self) -> Vec<&'a RepoOutcome> {
        let mut v: Vec<&RepoOutcome> = self
            .run
            .repos
            .iter()
            .filter(|r| r.status == Status::PrOpen && r.pull_request.is_some())
            .collect();
        v.sort_by_key(|r| !conflicted(r));
        v
    }

    /// Repositories whose sync pull request cannot merge cleanly, in processing order.
    pub fn conflicts(&self) -> Vec<&'a RepoOutcome> {
        self.pulls().into_iter().filter(|r| conflicted(r)).collect()
    }

    /// Repositories outside the Top 12 that still need a sync someone or something can do (a
    /// sync PR to merge, or a sync the next runs do), most urgent first. Synced, up-to-date,
    /// skipped, failed and inaccessible ones are not work for this list.
    pub fn still_behind(&self) -> Vec<&'a RepoOutcome> {
        self.ranking()
            .into_iter()
            .filter(|r| matches!(r.status, Status::PrOpen | Status::Pending))
            .collect()
    }
}

pub(crate) fn conflicted(r: &RepoOutcome) -> bool {
    r.pull_request.as_ref().is_some_and(|p| p.conflicted)
}

pub(crate) fn urgency_order(a: &RepoOutcome, b: &RepoOutcome) -> std::cmp::Ordering {
    b.tier
        .cmp(&a.tier)
        .then(b.score.cmp(&a.score))
        .then(a.repo.cmp(&b.repo))
}

/// Every repository outside the `top` phase, ordered as SPEC §3 ranks them.
pub(crate) fn ranking(run: &RunReport) -> Vec<&RepoOutcome> {
    let mut v: Vec<&RepoOutcome> = run
        .repos
        .iter()
        .filter(|r| r.phase != Some(PhaseName::Top))
        .collect();
    v.sort_by(|a, b| urgency_order(a, b));
    v
}

/// `2026-01-01 07:00:05 UTC`
pub(crate) fn human_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `4 min 12 s`, `1 h 23 min`, `12 s`.
pub(crate) fn human_duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
    }
}

/// `10,000`
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A percentage for display: one decimal, without a trailing `.0` (`87.5`, `100`, `0`).
pub(crate) fn percent(p: f64) -> String {
    let s = format!("{p:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Velocity for display (`6.2`, `0.35`, `0`).
pub(crate) fn rate(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else if v < 1.0 {
        format!("{v:.2}")
    } else {
        percent(v)
    }
}

/// ETA for display.
pub(crate) fn eta(m: &SpeedMetrics) -> String {
    if m.eta_unknown() {
        "unknown".to_string()
    } else if m.eta_hours == 0.0 {
        "done".to_string()
    } else if m.eta_hours >= 48.0 {
        format!(
            "{} days",
            percent((m.eta_hours / 24.0 * 10.0).round() / 10.0)
        )
    } else {
        format!("{} h", percent(m.eta_hours))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_code_from_prose() {
        let s = segments("the schedule `0 */6 * * *` maps to `urgent`");
        let got: Vec<(&str, bool)> = s.iter().map(|s| (s.text.as_str(), s.code)).collect();
        assert_eq!(
            got,
            vec![
                ("the schedule ", false),
                ("0 */6 * * *", true),
                (" maps to ", false),
                ("urgent", true)
            ]
        );
    }

    #[test]
    fn an_unpaired_backtick_is_prose() {
        let s = segments("needs `a` and `b");
        let got: Vec<(&str, bool)> = s.iter().map(|s| (s.text.as_str(), s.code)).collect();
        assert_eq!(
            got,
            vec![("needs ", false), ("a", true), (" and `b", false)]
        );
        let got: Vec<(String, bool)> = warning("`x` `y` `")
            .into_iter()
            .map(|s| (s.text, s.code))
            .collect();
        assert_eq!(
            got,
            vec![
                ("x".to_string(), true),
                (" ".to_string(), false),
                ("y".to_string(), true),
                (" `".to_string(), false)
            ]
        );
    }

    #[test]
    fn tier_tags_say_why_the_repository_is_in_its_tier() {
        let r = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Tier 1 because 85 behind, only 19 days since the last sync: not stale.
        let far = r(&["85 commits behind: +850", "19 days since last sync: +95"]);
        assert_eq!(tier_label(1, &far), "far behind");
        let stale = r(&[
            "3 commits behind: +30",
            "41 days since last sync: +205",
            "stale 41 days: +50",
        ]);
        assert_eq!(tier_label(1, &stale), "stale");
        assert_eq!(tier_label(2, &far), "security");
        assert_eq!(tier_label(0, &far), "");
    }

    #[test]
    fn number_formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(percent(87.5), "87.5");
        assert_eq!(percent(100.0), "100");
        assert_eq!(rate(0.0), "0");
        assert_eq!(rate(0.354), "0.35");
        assert_eq!(rate(6.2), "6.2");
        assert_eq!(human_duration(252), "4 min 12 s");
        assert_eq!(human_duration(4980), "1 h 23 min");
        assert_eq!(human_duration(12), "12 s");
    }
}
