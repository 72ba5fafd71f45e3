//! Merging as a repository's settings and its CI make it happen (whether it allows auto-merge
//! is `change::set_auto_merge_allowed`): the checks a branch requires, and a check's conclusion on a commit, which
//! merges the pull requests waiting for it (see `merging`).

use super::Sandbox;
use crate::merging;

impl Sandbox {
    /// Makes merging into `repo`'s `branch` require the status checks `checks` (a branch
    /// protection rule or ruleset requiring them; an empty list requires nothing). False when
    /// the repository does not exist.
    pub fn require_checks(&self, repo: &str, branch: &str, checks: &[&str]) -> bool {
        let mut w = self.shared.world();
        let Some(i) = w.find_full(repo) else {
            return false;
        };
        let checks = checks.iter().map(|c| c.to_string()).collect();
        w.repos[i]
            .merge_rules
            .required_checks
            .insert(branch.to_string(), checks);
        true
    }

    /// Reports that check `name` concluded `conclusion` (`success`, `failure`, …) on commit
    /// `sha` in `repo` (where CI reports on a pull request's head), as a CI run would; GitHub
    /// then merges each pull request with auto-merge whose head is at `sha` and whose required
    /// checks have all passed. Returns the numbers merged (empty when `repo` does not exist).
    pub fn report_check(&self, repo: &str, sha: &str, name: &str, conclusion: &str) -> Vec<u64> {
        let Some(i) = self.shared.world().find_full(repo) else {
            return Vec::new();
        };
        merging::report_check(&self.shared, i, sha, name, conclusion)
    }
}
