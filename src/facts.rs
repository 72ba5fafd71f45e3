//! What is known about each repository at one moment: the snapshot format of SPEC §8.
//!
//! Planning works only from these facts, so a live run and an offline simulation from a saved
//! snapshot make the same decisions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::repo_name::RepoName;

/// One repository's facts, exactly the snapshot entry of SPEC §8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoFacts {
    pub repo: RepoName,
    /// False when the repository does not exist or the token cannot see it.
    pub accessible: bool,
    pub archived: bool,
    pub commits_behind: u32,
    pub commits_ahead: u32,
    pub days_since_last_sync: u32,
    pub open_prs: u32,
    /// Pull requests opened since the previous run (from state).
    pub new_prs: u32,
    pub security_alerts: u32,
    pub connected: bool,
    pub has_workflows: bool,
}

impl RepoFacts {
    /// Facts for a repository nothing is known about yet (inaccessible until proven otherwise).
    pub fn unknown(repo: RepoName) -> Self {
        Self {
            repo,
            accessible: false,
            archived: false,
            commits_behind: 0,
            commits_ahead: 0,
            days_since_last_sync: 0,
            open_prs: 0,
            new_prs: 0,
            security_alerts: 0,
            connected: false,
            has_workflows: false,
        }
    }
}

/// A saved set of facts for the whole fleet (`priority-sync snapshot --out FILE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub taken_at: DateTime<Utc>,
    pub repos: Vec<RepoFacts>,
}
