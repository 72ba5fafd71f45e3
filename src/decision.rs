//! The per-repository sync decision of SPEC §5, as a pure function of the repository's facts,
//! and the words it is made of: the [`Action`] apply takes and the [`Status`] a repository ends
//! in (the plan predicts it, the outcome records it).

use serde::{Deserialize, Serialize};

use crate::config::Rules;
use crate::facts::RepoFacts;

/// What the apply step will do to one repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing to write (up to date, or nothing can be done).
    None,
    /// Move the branch to the upstream commit (fast-forward only, never rewrites history).
    FastForward,
    /// Open the sync pull request, or update the one already open.
    PullRequest,
    /// Deliberately left alone (archived, upstream outside the fork network).
    Skip,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::None => "none",
            Action::FastForward => "fast_forward",
            Action::PullRequest => "pull_request",
            Action::Skip => "skip",
        }
    }
}

/// Final status of one repository in one run (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The branch was fast-forwarded to its upstream in this run.
    Synced,
    /// A sync pull request is open (opened or updated in this run, or already open).
    PrOpen,
    /// Nothing to do: the branch already contains its upstream.
    UpToDate,
    /// An API write failed; see the error.
    Failed,
    /// Deliberately not synced (archived, upstream outside the fork network, ...).
    Skipped,
    /// Not found, or the token cannot see it.
    Inaccessible,
    /// Needs a sync that this run did not do (not in this mode's phases, out of budget, or a
    /// dry run); the next run picks it up.
    Pending,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Synced,
        Status::PrOpen,
        Status::UpToDate,
        Status::Failed,
        Status::Skipped,
        Status::Inaccessible,
        Status::Pending,
    ];

    /// The snake_case name used in JSON and step outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Synced => "synced",
            Status::PrOpen => "pr_open",
            Status::UpToDate => "up_to_date",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Inaccessible => "inaccessible",
            Status::Pending => "pending",
        }
    }

    /// True when the repository contains its upstream after this run.
    pub fn in_sync(self) -> bool {
        matches!(self, Status::Synced | Status::UpToDate)
    }
}

/// Where the repository's upstream stands, as far as the API can tell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum UpstreamReach {
    /// In the same fork network: compare, ref updates and cross-repo PRs work.
    #[default]
    InNetwork,
    /// Configured upstream outside the fork network: the API cannot sync it.
    OutsideNetwork(String),
    /// Not a fork and no `upstream` configured.
    None,
}

/// Facts beyond the snapshot that a live run knows and the decision needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveFacts {
    pub upstream: UpstreamReach,
    /// The upstream commits the branch lacks change files under `.github/workflows/`.
    pub touches_workflows: bool,
    /// The token may write workflow files (`workflow` scope / `workflows: write`).
    pub can_write_workflows: bool,
    /// A previous attempt found that merging the upstream conflicts.
    pub conflicted: bool,
    /// GitHub could not compute the comparison (a diff too large): the counts are lower
    /// bounds from the commit histories, and whether the branch has commits of its own is
    /// not known.
    pub counts_estimated: bool,
}

impl LiveFacts {
    /// What an offline plan assumes: upstream reachable, no workflow or conflict trouble.
    pub fn offline() -> Self {
        Self {
            can_write_workflows: true,
            ..Self::default()
        }
    }
}

/// The action for one repository, why, and the status it leads to when the write succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    pub reason: String,
    pub status: Status,
}

fn decision(action: Action, status: Status, reason: impl Into<String>) -> Decision {
    Decision {
        action,
        reason: reason.into(),
        status,
    }
}

/// SPEC §5: not found → inaccessible; archived or upstream out of reach → skipped; 0 behind →
/// up to date; fast-forwardable and at most `pr_over_commits` behind → fast-forward; diverged,
/// conflicted, too far behind, or a workflow change the token cannot write → pull request.
pub fn decide(f: &RepoFacts, live: &LiveFacts, rules: &Rules) -> Decision {
    if !f.accessible {
        return decision(
            Action::None,
            Status::Inaccessible,
            "not found, or the token cannot see it",
        );
    }
    if f.archived {
        return decision(Action::Skip, Status::Skipped, "archived (read-only)");
    }
    match &live.upstream {
        UpstreamReach::InNetwork => {}
        UpstreamReach::OutsideNetwork(up) => {
            return decision(
                Action::Skip,
                Status::Skipped,
                format!("upstream {up} is outside the fork network; the API cannot sync it"),
            )
        }
        UpstreamReach::None => {
            return decision(
                Action::Skip,
                Status::Skipped,
                "not a fork and no `upstream` in the inventory",
            )
        }
    }
    if f.commits_behind == 0 {
        let reason = if f.commits_ahead > 0 {
            format!(
                "up to date ({} ahead)",
                crate::plural::count(f.commits_ahead, "own commit", "own commits")
            )
        } else {
            "up to date".to_string()
        };
        return decision(Action::None, Status::UpToDate, reason);
    }
    let behind = f.commits_behind;
    let why_pr = if live.counts_estimated {
        // Not known to be a fast-forward; a pull request needs no comparison, and GitHub
        // shows its commits there.
        Some(format!(
            "at least {behind} behind; GitHub could not compute the comparison (too large to diff)"
        ))
    } else if live.conflicted {
        Some(format!(
            "{behind} behind and merging the upstream conflicts"
        ))
    } else if f.commits_ahead > 0 {
        Some(format!(
            "diverged: {behind} behind, {} ahead",
            crate::plural::count(f.commits_ahead, "own commit", "own commits")
        ))
    } else if behind > rules.pr_over_commits {
        Some(format!(
            "{behind} behind, more than {} (rules.pr_over_commits)",
            rules.pr_over_commits
        ))
    } else if live.touches_workflows && !live.can_write_workflows {
        Some(format!(
            "{behind} behind; the update changes .github/workflows/ and the token cannot write workflows"
        ))
    } else {
        None
    };
    match why_pr {
        Some(reason) => decision(Action::PullRequest, Status::PrOpen, reason),
        None => decision(
            Action::FastForward,
            Status::Synced,
            format!(
                "fast-forward {}",
                crate::plural::count(behind, "commit", "commits")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(behind: u32, ahead: u32) -> RepoFacts {
        let mut f = RepoFacts::unknown("a/b".parse().unwrap());
        f.accessible = true;
        f.commits_behind = behind;
        f.commits_ahead = ahead;
        f
    }

    fn act(f: &RepoFacts, live: &LiveFacts) -> (Action, Status) {
        let d = decide(f, live, &Rules::default());
        (d.action, d.status)
    }

    #[test]
    fn each_row_of_the_table() {
        let ok = LiveFacts::offline();
        let mut gone = facts(5, 0);
        gone.accessible = false;
        assert_eq!(act(&gone, &ok), (Action::None, Status::Inaccessible));
        let mut archived = facts(5, 0);
        archived.archived = true;
        assert_eq!(act(&archived, &ok), (Action::Skip, Status::Skipped));
        assert_eq!(act(&facts(0, 0), &ok), (Action::None, Status::UpToDate));
        assert_eq!(act(&facts(0, 4), &ok), (Action::None, Status::UpToDate));
        assert_eq!(
            act(&facts(1, 0), &ok),
            (Action::FastForward, Status::Synced)
        );
        assert_eq!(
            act(&facts(10, 0), &ok),
            (Action::FastForward, Status::Synced)
        );
        assert_eq!(
            act(&facts(11, 0), &ok),
            (Action::PullRequest, Status::PrOpen)
        );
        assert_eq!(
            act(&facts(2, 1), &ok),
            (Action::PullRequest, Status::PrOpen)
        );
    }

    #[test]
    fn upstream_out_of_reach_is_skipped_with_the_reason() {
        let live = LiveFacts {
            upstream: UpstreamReach::OutsideNetwork("elsewhere/b".into()),
            ..LiveFacts::offline()
        };
        let d = decide(&facts(3, 0), &live, &Rules::default());
        assert_eq!(d.action, Action::Skip);
        assert!(d.reason.contains("elsewhere/b"));
        let live = LiveFacts {
            upstream: UpstreamReach::None,
            ..LiveFacts::offline()
        };
        assert_eq!(
            decide(&facts(3, 0), &live, &Rules::default()).status,
            Status::Skipped
        );
    }

    #[test]
    fn workflow_changes_without_permission_become_a_pr() {
        let mut live = LiveFacts {
            touches_workflows: true,
            ..LiveFacts::offline()
        };
        assert_eq!(act(&facts(3, 0), &live).0, Action::FastForward);
        live.can_write_workflows = false;
        let d = decide(&facts(3, 0), &live, &Rules::default());
        assert_eq!(d.action, Action::PullRequest);
        assert!(d.reason.contains(".github/workflows/"), "{}", d.reason);
    }

    #[test]
    fn counts_github_could_not_compute_become_a_pr_that_says_so() {
        let live = LiveFacts {
            counts_estimated: true,
            ..LiveFacts::offline()
        };
        // Even a small lower bound: whether the branch has its own commits is not known.
        let d = decide(&facts(2, 0), &live, &Rules::default());
        assert_eq!((d.action, d.status), (Action::PullRequest, Status::PrOpen));
        assert!(d.reason.contains("at least 2 behind"), "{}", d.reason);
        assert!(d.reason.contains("could not compute"), "{}", d.reason);
        // Nothing behind is still up to date (no estimate says 0 behind, but the rule holds).
        assert_eq!(act(&facts(0, 0), &live).1, Status::UpToDate);
    }

    #[test]
    fn a_known_conflict_becomes_a_pr() {
        let live = LiveFacts {
            conflicted: true,
            ..LiveFacts::offline()
        };
        let d = decide(&facts(1, 0), &live, &Rules::default());
        assert_eq!(d.action, Action::PullRequest);
        assert!(d.reason.contains("conflicts"));
    }

    #[test]
    fn the_threshold_is_configurable() {
        let rules = Rules {
            pr_over_commits: 0,
            ..Rules::default()
        };
        assert_eq!(
            decide(&facts(1, 0), &LiveFacts::offline(), &rules).action,
            Action::PullRequest
        );
    }
}
