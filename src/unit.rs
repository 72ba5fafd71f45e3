//! The unit of work: one branch of one repository. A repository entry without `branches:` is
//! one unit whose branch is not named ([`Unit::whole`]): its key and its words are the
//! repository's, exactly as before several branches existed, so single-branch state files and
//! reports mean what they meant.

use std::fmt;

use crate::ids::BranchName;
use crate::repo_name::RepoName;

/// A repository, and the branch of it when the inventory lists several (`branches:`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unit {
    pub repo: RepoName,
    /// `None`: the repository's one branch (`branch:`, or its default branch).
    pub branch: Option<BranchName>,
}

impl Unit {
    /// A single-branch repository.
    pub fn whole(repo: RepoName) -> Unit {
        Unit { repo, branch: None }
    }

    /// One branch of a repository listing several.
    pub fn of_branch(repo: RepoName, branch: BranchName) -> Unit {
        Unit {
            repo,
            branch: Some(branch),
        }
    }

    /// The state key: lower-cased `owner/name` for a single-branch repository (the key state
    /// files have always used), `owner/name:branch` for one of several branches (a branch
    /// name cannot hold `:`, so the two never collide).
    pub fn key(&self) -> String {
        key_of(&self.repo, self.branch.as_ref())
    }
}

/// [`Unit::key`] without building a unit.
pub fn key_of(repo: &RepoName, branch: Option<&BranchName>) -> String {
    match branch {
        None => repo.key(),
        Some(b) => format!("{}:{}", repo.key(), b.as_str()),
    }
}

impl fmt::Display for Unit {
    /// `owner/name`, or `owner/name:branch` (the inventory's own notation for a branch).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.branch {
            None => write!(f, "{}", self.repo),
            Some(b) => write!(f, "{}:{}", self.repo, b.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_branch_unit_keeps_the_repository_key_and_name() {
        let repo: RepoName = "Owner/Repo".parse().unwrap();
        let whole = Unit::whole(repo.clone());
        assert_eq!(whole.key(), "owner/repo");
        assert_eq!(whole.to_string(), "Owner/Repo");
        let b = Unit::of_branch(repo, BranchName::parse("release/1.0").unwrap());
        assert_eq!(b.key(), "owner/repo:release/1.0");
        assert_eq!(b.to_string(), "Owner/Repo:release/1.0");
    }
}
