//! The fleet inventory (SPEC §2): typed, strict, with every default documented here, and one
//! error that lists every problem with its line and a fix, before any API call is made.
//!
//! - this file: the validated types and their defaults;
//! - `raw.rs`: the shapes as written (serde, `deny_unknown_fields`);
//! - `load.rs`: reading and parsing the file, the top-level keys, the checker that turns each
//!   failure into a problem on its line;
//! - `repos.rs`, `sections.rs`: each part from raw to typed, every bad value a problem;
//! - `names.rs`: the keys each section takes, and the checks of names and paths;
//! - `error.rs`: the problems and the error that lists them.

mod branches;
mod error;
mod load;
mod names;
mod raw;
mod repos;
mod sections;
mod tags;

use std::collections::{BTreeMap, BTreeSet};

use crate::mode::Mode;
use crate::repo_name::RepoName;

pub use crate::cron::normalize as normalize_cron;
pub use error::{ConfigError, Problem};
pub use load::{load_file, parse_inventory};
pub use names::valid_branch;
pub use tags::{TagPattern, TagPolicy};

/// Default inventory path (input `config`).
pub const DEFAULT_PATH: &str = ".github/priority-sync.yml";

/// A validated inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct Inventory {
    /// Synced first, one at a time, in this order, every run.
    pub top: Vec<RepoSpec>,
    /// The rest of the fleet, ranked by urgency.
    pub repositories: Vec<RepoSpec>,
    pub hub: Hub,
    pub weights: Weights,
    pub rules: Rules,
    pub batches: Batches,
    /// Normalised cron string → mode.
    pub schedules: BTreeMap<String, Mode>,
    pub pull_requests: PullRequestSettings,
    pub artifacts: Artifacts,
    pub notify: Notify,
    pub limits: Limits,
    /// Upstream tags to create in every fork (`tags:` at the top level; an entry's own `tags:`
    /// replaces it). Default: none.
    pub tags: TagPolicy,
}

/// One repository of the fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoSpec {
    pub repo: RepoName,
    /// Branch to keep in sync; `None` = the repository's default branch. Unused when
    /// `branches` lists several.
    pub branch: Option<String>,
    /// `branches:`: the branches to keep in sync, each on its own (its own facts, decision,
    /// sync PR `priority-sync/<branch>` and outcome), in this order. Empty = the one branch of
    /// `branch` (today's single-branch entry, unchanged in every report and in the state).
    pub branches: Vec<BranchSpec>,
    /// Upstream to follow; `None` = the fork's parent and its default branch.
    pub upstream: Option<Upstream>,
    /// Hub connection override; `None` = from `hub`.
    pub connected: Option<bool>,
    /// Weights for this repository (the global weights with its overrides applied).
    pub weights: Weights,
    /// Upstream tags to create in this fork: its own `tags:`, else the fleet-wide `tags:`
    /// (default none).
    pub tags: TagPolicy,
    /// Users asked to review this repository's sync PRs, besides `pull_requests.reviewers`.
    /// Default none.
    pub reviewers: Vec<String>,
}

/// One item of `branches:`: a branch name or a glob (`release/*`), and the upstream branch it
/// follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchSpec {
    /// A branch name, or a glob where `*` stands for any characters but `/`. A glob is resolved
    /// against the upstream's branches at run time; each match follows the upstream branch of
    /// the same name.
    pub name: String,
    /// The upstream branch this one follows; `None` = the upstream's branch of the same name.
    /// Only for a plain name (a glob's matches follow their namesakes).
    pub upstream: Option<String>,
}

impl BranchSpec {
    /// True when `name` is a glob (`release/*`).
    pub fn is_glob(&self) -> bool {
        self.name.contains('*')
    }

    /// The part of a glob before its first `*`: what GitHub's `refs(query:)` is asked for
    /// (it filters by name; the glob itself is matched here).
    pub fn literal_prefix(&self) -> &str {
        self.name.split('*').next().unwrap_or_default()
    }

    /// Whether a branch name matches this item: equal to a plain name, or matched by the glob
    /// (`*`: any run of characters without `/`).
    pub fn matches(&self, branch: &str) -> bool {
        if !self.is_glob() {
            return self.name == branch;
        }
        glob_match(self.name.as_bytes(), branch.as_bytes())
    }

    /// The upstream branch a fork branch of this item follows.
    pub fn upstream_of<'a>(&'a self, fork_branch: &'a str) -> &'a str {
        match &self.upstream {
            Some(u) if !self.is_glob() => u,
            _ => fork_branch,
        }
    }
}

/// `*` matches any run of bytes without `/`; everything else matches itself.
fn glob_match(pat: &[u8], s: &[u8]) -> bool {
    match pat.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => {
            let mut i = 0;
            loop {
                if glob_match(rest, &s[i..]) {
                    return true;
                }
                if i == s.len() || s[i] == b'/' {
                    return false;
                }
                i += 1;
            }
        }
        Some((c, rest)) => s.first() == Some(c) && glob_match(rest, &s[1..]),
    }
}

/// An explicit upstream: `owner/name[:branch]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub repo: RepoName,
    /// `None` = the upstream's default branch.
    pub branch: Option<String>,
}

/// Which repositories count as hub-connected (the source's "CodeNest connected").
///
/// Written as a plain list (`hub: [owner/a, owner/b]`) or as a map with `repos:` and/or
/// `manifest:`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hub {
    pub repos: Vec<RepoName>,
    /// A JSON or YAML list of `owner/name` in a repository, read at run time.
    pub manifest: Option<Manifest>,
}

/// Whether a repository counts as hub-connected: its own `connected:` when the inventory gives
/// one; else true when `hub` lists it or the hub manifest (`manifest`, the names read from it)
/// does; else `otherwise` (false in a live gather, the saved value when planning from a
/// snapshot, whose manifest is not read again).
pub fn is_connected(
    spec: &RepoSpec,
    hub: &Hub,
    manifest: &BTreeSet<RepoName>,
    otherwise: bool,
) -> bool {
    spec.connected.unwrap_or_else(|| {
        hub.repos.contains(&spec.repo) || manifest.contains(&spec.repo) || otherwise
    })
}

/// `owner/name:path` of a hub manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub repo: RepoName,
    pub path: String,
}

/// Urgency weights (SPEC §3). Defaults are the source document's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    /// Per commit the branch lacks. Default 10.
    pub commits_behind: i64,
    /// Per day since the repository was last known in sync. Default 5.
    pub days_since_last_sync: i64,
    /// Per open pull request. Default 3.
    pub open_prs: i64,
    /// Per open security alert. Default 50.
    pub security_alerts: i64,
    /// Bonus when hub-connected. Default 20.
    pub connected: i64,
    /// Bonus when the repository has workflows. Default 10.
    pub has_workflows: i64,
    /// Boost when more than `rules.stale_after_days` days since the last sync. Default 50.
    pub stale: i64,
    /// Per pull request opened since the previous run. Default 10.
    pub new_prs: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            commits_behind: 10,
            days_since_last_sync: 5,
            open_prs: 3,
            security_alerts: 50,
            connected: 20,
            has_workflows: 10,
            stale: 50,
            new_prs: 10,
        }
    }
}

/// Thresholds of the sync decision and the ranking tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// More commits behind than this → pull request instead of fast-forward. Default 10.
    pub pr_over_commits: u32,
    /// More days than this since the last sync → stale (boost, tier 1). Default 30.
    pub stale_after_days: u32,
    /// More commits behind than this → tier 1 (urgent). Default 50.
    pub urgent_over_commits: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            pr_over_commits: 10,
            stale_after_days: 30,
            urgent_over_commits: 50,
        }
    }
}

/// Batch sizes of the ranked phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batches {
    /// Size of the `urgent` phase in mode `urgent`. Default 10.
    pub urgent: usize,
    /// Size of the `urgent` phase in mode `all` (the rest follows). Default 20.
    pub all_urgent: usize,
}

impl Default for Batches {
    fn default() -> Self {
        Self {
            urgent: 10,
            all_urgent: 20,
        }
    }
}

/// The source's three crons and their modes.
pub fn default_schedules() -> BTreeMap<String, Mode> {
    BTreeMap::from([
        ("0 */2 * * *".to_string(), Mode::Top12),
        ("0 */6 * * *".to_string(), Mode::Urgent),
        ("0 2 * * 0".to_string(), Mode::All),
    ])
}

/// How sync pull requests look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestSettings {
    /// Sync branches are `<prefix><branch>`. Default `priority-sync/`.
    pub branch_prefix: String,
    /// Labels on every sync PR. Default `[priority-sync]`.
    pub labels: Vec<String>,
    /// Added when the sync conflicts or the branch diverged. Default `[sync-conflict]`.
    pub conflict_labels: Vec<String>,
    /// Added when the repository has open security alerts. Default `[urgent, security]`.
    pub urgent_labels: Vec<String>,
    /// Users asked to review. Default none.
    pub reviewers: Vec<String>,
    /// Teams asked to review. Default none.
    pub team_reviewers: Vec<String>,
    /// Open sync PRs as drafts. Default false.
    pub draft: bool,
    /// Turn on GitHub's auto-merge, with this method, on sync PRs without a conflict, so they
    /// merge when the branch's required checks pass. Default none (off).
    pub auto_merge: Option<MergeMethod>,
    /// When reviewers and assignees are asked: on every new sync PR, or only once it
    /// conflicts. Default `always` (every new sync PR, as before the setting existed).
    pub reviewers_on: ReviewersOn,
    /// Users assigned to the sync PR, when reviewers are asked. Default none.
    pub assignees: Vec<String>,
}

/// How GitHub's auto-merge merges a sync PR (`pull_requests.auto_merge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeMethod {
    /// A merge commit: the fork's branch then contains the upstream commits themselves.
    Merge,
    /// One new commit with the changes.
    Squash,
    /// A copy of each commit (new ids).
    Rebase,
}

impl MergeMethod {
    /// Every method with its inventory spelling.
    pub const ALL: [(&'static str, MergeMethod); 3] = [
        ("merge", MergeMethod::Merge),
        ("squash", MergeMethod::Squash),
        ("rebase", MergeMethod::Rebase),
    ];

    /// GraphQL's `PullRequestMergeMethod` value.
    pub fn graphql(self) -> &'static str {
        match self {
            MergeMethod::Merge => "MERGE",
            MergeMethod::Squash => "SQUASH",
            MergeMethod::Rebase => "REBASE",
        }
    }
}

/// When reviewers and assignees are asked for (`pull_requests.reviewers_on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReviewersOn {
    /// On every new sync PR.
    #[default]
    Always,
    /// Only when the sync PR conflicts (when the conflict is first labelled).
    Conflict,
}

impl Default for PullRequestSettings {
    fn default() -> Self {
        Self {
            branch_prefix: "priority-sync/".into(),
            labels: vec!["priority-sync".into()],
            conflict_labels: vec!["sync-conflict".into()],
            urgent_labels: vec!["urgent".into(), "security".into()],
            reviewers: vec![],
            team_reviewers: vec![],
            draft: false,
            auto_merge: None,
            reviewers_on: ReviewersOn::Always,
            assignees: vec![],
        }
    }
}

/// Where the audit artifacts go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifacts {
    /// Directory in the workflow's repository. Default `audit`.
    pub dir: String,
    /// Commit them back (one commit per run). Default true.
    pub commit: bool,
    /// Branch to commit to; `None` = the workflow's ref. Default none.
    pub branch: Option<String>,
}

impl Default for Artifacts {
    fn default() -> Self {
        Self {
            dir: "audit".into(),
            commit: true,
            branch: None,
        }
    }
}

/// Failure alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    /// Environment variable holding the webhook URL. Default `PRIORITY_SYNC_WEBHOOK_URL`;
    /// unset or empty → no alerts.
    pub webhook_env: String,
    /// The webhook's payload shape. Default `slack`.
    pub format: NotifyFormat,
}

impl Default for Notify {
    fn default() -> Self {
        Self {
            webhook_env: "PRIORITY_SYNC_WEBHOOK_URL".into(),
            format: NotifyFormat::default(),
        }
    }
}

/// The shape of the failure alert (`notify.format`): which kind of webhook receives it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NotifyFormat {
    /// A Slack incoming webhook (or a Slack-compatible one): `{"text": …}`.
    #[default]
    Slack,
    /// A Microsoft Teams workflow webhook (Power Automate): a message with an Adaptive Card.
    Teams,
    /// A Discord channel webhook: `content`, no mentions parsed.
    Discord,
    /// A documented JSON object of the run's counts and the repositories needing a person.
    Generic,
}

impl NotifyFormat {
    pub const ALL: [NotifyFormat; 4] = [
        NotifyFormat::Slack,
        NotifyFormat::Teams,
        NotifyFormat::Discord,
        NotifyFormat::Generic,
    ];

    /// The word written in the inventory.
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyFormat::Slack => "slack",
            NotifyFormat::Teams => "teams",
            NotifyFormat::Discord => "discord",
            NotifyFormat::Generic => "generic",
        }
    }

    /// The format a word names, exactly as written.
    pub fn from_word(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == word)
    }
}

/// GitHub's limit on content-creating requests per minute (its documented secondary limit):
/// the most `limits.writes_per_minute` may ask for.
pub const GITHUB_WRITES_PER_MINUTE: u32 = 80;

/// Request pacing and concurrency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Repositories synced at once in the phases after `top`. Default 4.
    pub concurrency: usize,
    /// API requests in flight at once. Default 8.
    pub max_inflight_requests: usize,
    /// Content-creating requests per minute (GitHub allows 80). Default 60.
    pub writes_per_minute: u32,
    /// Content-creating requests one run may make (GitHub allows 500 an hour); when spent, no
    /// new repository starts and the rest stays `pending`. Default 450 (room for writes in
    /// flight and the audit commit).
    pub writes_per_hour: u32,
    /// Repositories per GraphQL metadata query (1-100), the most a batch holds: batches are
    /// smaller when GitHub's node and time rules need it. Default 50.
    pub graphql_batch: usize,
    /// Points a minute GitHub allows one REST endpoint (a GET 1, a write 5): 900 on
    /// github.com; an Enterprise Server's administrator may set another. Requests are paced
    /// at 90 % of it per endpoint. Default 900.
    pub endpoint_points_per_minute: u32,
    /// Stop starting new work when fewer primary-limit requests than this remain; the rest
    /// stays `pending` for the next run. Default 100.
    pub reserve_requests: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            concurrency: 4,
            max_inflight_requests: 8,
            writes_per_minute: 60,
            writes_per_hour: 450,
            graphql_batch: 50,
            endpoint_points_per_minute: 900,
            reserve_requests: 100,
        }
    }
}

/// Why a short or full name given on the command line does not name one repository.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("`{0}` is not in the inventory")]
    Unknown(String),
    #[error("`{name}` is ambiguous: it matches {}", .candidates.join(", "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
}

impl Inventory {
    /// Every repository: top first (in order), then the rest (in file order).
    pub fn all(&self) -> impl Iterator<Item = &RepoSpec> {
        self.top.iter().chain(self.repositories.iter())
    }

    pub fn len(&self) -> usize {
        self.top.len() + self.repositories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, repo: &RepoName) -> Option<&RepoSpec> {
        self.all().find(|s| &s.repo == repo)
    }

    pub fn is_top(&self, repo: &RepoName) -> bool {
        self.top.iter().any(|s| &s.repo == repo)
    }

    /// Resolves `owner/name` or a bare name (`codenest`) against the inventory.
    pub fn resolve(&self, name: &str) -> Result<RepoName, ResolveError> {
        let name = name.trim();
        if name.contains('/') {
            return match name.parse::<RepoName>() {
                Ok(r) => self
                    .get(&r)
                    .map(|s| s.repo.clone())
                    .ok_or_else(|| ResolveError::Unknown(crate::repo_name::printable(name))),
                Err(_) => Err(ResolveError::Unknown(crate::repo_name::printable(name))),
            };
        }
        let matches: Vec<&RepoSpec> = self
            .all()
            .filter(|s| s.repo.name().eq_ignore_ascii_case(name))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.repo.clone()),
            [] => Err(ResolveError::Unknown(crate::repo_name::printable(name))),
            many => Err(ResolveError::Ambiguous {
                name: name.to_string(),
                candidates: many.iter().map(|s| s.repo.to_string()).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
