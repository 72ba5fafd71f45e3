//! The per-repository sync decision of SPEC §5, as a pure function of the repository's facts.

use serde::{Deserialize, Serialize};

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
