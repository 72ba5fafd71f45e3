//! What a run did to each repository, the data every report is rendered from.
//!
//! Per-repository failures are values here (`Status::Failed` with the reason), never early
//! returns: one bad repository must not stop the fleet. [`Status`] itself lives with the
//! decision that predicts it (re-exported here).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::decision::Status;

use crate::decision::Action;
use crate::ids::BranchName;
use crate::mode::ModeChoice;
use crate::plan::PhaseName;
use crate::repo_name::RepoName;
use crate::tags::TagOutcome;
use crate::unit::Unit;

/// A pull request the run opened, updated or found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRef {
    pub number: u64,
    pub url: String,
    pub title: String,
    /// True when this run created it (false: an existing sync PR was updated or left as is).
    pub created: bool,
    /// GitHub says it cannot merge cleanly (or an earlier attempt found the merge conflicts): a
    /// person must resolve it. Absent in result files written before it existed.
    #[serde(default)]
    pub conflicted: bool,
}

/// One repository's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepoOutcome {
    pub repo: RepoName,
    /// The branch, for one of several branches of a repository (`branches:`); absent for a
    /// repository's one branch, so single-branch result files read as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<BranchName>,
    /// The phase that handled it; `None` when this run's mode did not include it.
    pub phase: Option<PhaseName>,
    /// 1-based position in the run's processing order (top first); `None` when not in a phase.
    pub rank: Option<u32>,
    pub score: i64,
    pub tier: u8,
    /// Why it scored what it scored ("50 commits behind", "stale 34 days: +50").
    pub reasons: Vec<String>,
    pub action: Action,
    pub status: Status,
    /// One line on what happened ("fast-forwarded 3 commits", "PR #12 updated").
    pub detail: String,
    pub commits_behind: u32,
    pub commits_ahead: u32,
    pub security_alerts: u32,
    pub pull_request: Option<PullRef>,
    /// Set when `status` is `Failed` (or `Inaccessible` / `Skipped`, with the reason).
    pub error: Option<String>,
    /// What the run did with the repository's tags, when its inventory entry asks for tags
    /// (`tags:`) and the run reached them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagOutcome>,
}

/// Everything one run produced, in processing order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub mode: ModeChoice,
    pub dry_run: bool,
    /// The workflow's repository (`GITHUB_REPOSITORY`), when known; used for links.
    pub repository: Option<String>,
    /// Web base for links (`GITHUB_SERVER_URL`, e.g. `https://github.com`).
    pub server_url: String,
    /// Every repository of the fleet: those of the run's phases first in processing order, then
    /// the rest by rank.
    pub repos: Vec<RepoOutcome>,
    /// Run-level warnings (e.g. "security alerts unreadable with this token").
    pub warnings: Vec<String>,
    /// API requests this run made, by kind (graphql, compare, writes, other).
    pub requests: std::collections::BTreeMap<String, u64>,
    /// Remaining primary rate limit seen last, if any.
    pub rate_limit_remaining: Option<u64>,
}

impl RepoOutcome {
    /// The unit of work this outcome is about: a repository, or one of its branches.
    pub fn unit(&self) -> Unit {
        Unit {
            repo: self.repo.clone(),
            branch: self.branch.clone(),
        }
    }
}

impl RunReport {
    /// Number of repositories with the given status.
    pub fn count(&self, status: Status) -> usize {
        self.repos.iter().filter(|r| r.status == status).count()
    }

    /// The fleet's tag counts, when some repository's tags were dealt with (`tags:`).
    pub fn tag_totals(&self) -> Option<crate::tags::TagTotals> {
        let totals = crate::tags::TagTotals::of(self.repos.iter().filter_map(|r| r.tags.as_ref()));
        (totals.repos > 0).then_some(totals)
    }

    /// Percentage (0-100, one decimal) of the fleet in sync after this run.
    pub fn sync_percentage(&self) -> f64 {
        if self.repos.is_empty() {
            return 100.0;
        }
        let in_sync = self.repos.iter().filter(|r| r.status.in_sync()).count();
        (1000.0 * in_sync as f64 / self.repos.len() as f64).round() / 10.0
    }
}
