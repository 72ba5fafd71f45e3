//! A repository's `branches:` resolved against the branches the metadata batch read on both
//! sides (by name, or listed for a glob such as `release/*`): one unit of work per branch,
//! settled in the same batched ancestry queries as whole repositories. The repository's
//! counts, which its score is computed from, are its most-behind branch's.

use super::{BranchGathered, Gathered, Target};
use crate::config::RepoSpec;
use crate::decision::LiveFacts;
use crate::facts::RepoFacts;
use crate::github::{BranchHead, RepoMeta};
use crate::ids::BranchName;
use crate::repo_name::{printable, RepoName};
use crate::unit::Unit;

/// Records each listed branch of `spec` in `out.branches` and returns the heads to settle
/// (those that exist on both sides). `up` is the upstream, when it can be compared with.
pub(super) fn resolve(
    spec: &RepoSpec,
    meta: &RepoMeta,
    up: Option<RepoName>,
    facts: &RepoFacts,
    live: &LiveFacts,
    out: &mut Gathered,
) -> Vec<(Unit, Target)> {
    let heads = meta.branch_heads.clone().unwrap_or_default();
    for (query, total) in &heads.truncated {
        out.warnings.push(format!(
            "{}: the upstream has {total} branches whose names hold `{}`; only the first {} by name were matched against `branches`",
            spec.repo,
            printable(query),
            crate::github::BRANCH_LISTING
        ));
    }
    let pairs = listed(spec, &heads.upstream, up.is_some(), &mut out.warnings);
    let find = |list: &[BranchHead], name: &BranchName| {
        list.iter().find(|h| &h.name == name).map(|h| h.oid.clone())
    };
    let mut units = Vec::new();
    let mut gathered = Vec::new();
    for (branch, upstream_branch) in pairs {
        let mut g = BranchGathered {
            branch: branch.clone(),
            upstream_branch: upstream_branch.clone(),
            facts: facts.clone(),
            live: live.clone(),
            target: None,
            error: None,
            skipped: None,
            deferred: None,
            sync_pull: heads
                .pulls
                .iter()
                .find(|p| p.base_ref == branch.as_str())
                .cloned(),
        };
        if let Some(up) = &up {
            match (find(&heads.fork, &branch), find(&heads.upstream, &upstream_branch)) {
                (Some(head), Some(upstream_head)) => units.push((
                    Unit::of_branch(spec.repo.clone(), branch.clone()),
                    Target {
                        branch: branch.clone(),
                        head,
                        upstream: up.clone(),
                        upstream_branch: upstream_branch.clone(),
                        upstream_head,
                    },
                )),
                (_, None) => {
                    g.error = Some(format!(
                        "branch {upstream_branch} not found in the upstream {up}; fix `branches` in the inventory"
                    ))
                }
                (None, Some(_)) => {
                    g.skipped = Some(format!(
                        "{upstream_branch} exists in {up} but {branch} is not in this fork; create it there (or list fewer branches) to sync it"
                    ))
                }
            }
        }
        gathered.push(g);
    }
    out.branches.insert(spec.repo.clone(), gathered);
    units
}

/// The (fork branch, upstream branch) pairs `branches:` lists, in its order: a name as
/// given, a glob's upstream matches by name; a branch listed twice counts once. A glob that
/// matches nothing upstream is warned about (when the upstream could be read).
fn listed(
    spec: &RepoSpec,
    upstream: &[BranchHead],
    upstream_read: bool,
    warnings: &mut Vec<String>,
) -> Vec<(BranchName, BranchName)> {
    let mut out: Vec<(BranchName, BranchName)> = Vec::new();
    for item in &spec.branches {
        let found: Vec<(BranchName, BranchName)> = if item.is_glob() {
            let mut names: Vec<&BranchName> = upstream
                .iter()
                .map(|h| &h.name)
                .filter(|n| item.matches(n.as_str()))
                .collect();
            names.sort();
            if names.is_empty() && upstream_read {
                warnings.push(format!(
                    "{}: `branches` item `{}` matches no branch of the upstream",
                    spec.repo,
                    printable(&item.name)
                ));
            }
            names.into_iter().map(|n| (n.clone(), n.clone())).collect()
        } else {
            // The inventory checked both names; a name that still does not parse is skipped.
            match (
                BranchName::parse(&item.name),
                BranchName::parse(item.upstream_of(&item.name)),
            ) {
                (Ok(f), Ok(u)) => vec![(f, u)],
                _ => Vec::new(),
            }
        };
        for pair in found {
            if !out.iter().any(|(f, _)| f == &pair.0) {
                out.push(pair);
            }
        }
    }
    out
}

impl Gathered {
    /// One branch of a repository listing several, as gathered.
    pub(super) fn branch_mut(&mut self, unit: &Unit) -> Option<&mut BranchGathered> {
        let branch = unit.branch.as_ref()?;
        self.branches
            .get_mut(&unit.repo)?
            .iter_mut()
            .find(|b| &b.branch == branch)
    }

    /// Records the heads a repository (or one of its branches) is synced between.
    pub(super) fn set_target(&mut self, unit: &Unit, target: Target) {
        if unit.branch.is_none() {
            self.targets.insert(unit.repo.clone(), target);
        } else if let Some(b) = self.branch_mut(unit) {
            b.target = Some(target);
        }
    }

    /// A repository listing several branches takes its most-behind branch's counts (then the
    /// longest without a sync, then the most commits of its own): its urgency score, and so
    /// its place in the ranking, is that branch's.
    pub(super) fn sum_up_branches(&mut self) {
        for (repo, branches) in &self.branches {
            let most_behind = branches
                .iter()
                .filter(|b| b.target.is_some())
                .max_by_key(|b| {
                    (
                        b.facts.commits_behind,
                        b.facts.days_since_last_sync,
                        b.facts.commits_ahead,
                    )
                });
            if let (Some(b), Some(f)) = (most_behind, self.facts.get_mut(repo)) {
                f.commits_behind = b.facts.commits_behind;
                f.commits_ahead = b.facts.commits_ahead;
                f.days_since_last_sync = b.facts.days_since_last_sync;
            }
        }
    }
}
