//! A repository's `branches:` resolved against the branches the metadata batch read on both
//! sides (by name, or listed for a glob such as `release/*`): one unit of work per branch,
//! settled in the same batched ancestry queries as whole repositories. The repository's
//! counts, which its score is computed from, are its most-behind branch's.

use std::collections::BTreeMap;

use super::{BranchGathered, Gathered, Target};
use crate::config::RepoSpec;
use crate::decision::LiveFacts;
use crate::facts::RepoFacts;
use crate::github::{BranchHead, RepoMeta};
use crate::ids::BranchName;
use crate::plan::BranchFacts;
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
            unit: BranchFacts {
                branch: branch.clone(),
                facts: facts.clone(),
                live: live.clone(),
                error: None,
                deferred: None,
                missing_in_fork: false,
            },
            target: None,
            sync_pull: heads
                .pulls
                .iter()
                .find(|p| p.base_ref == branch.as_str())
                .cloned(),
        };
        if let Some(up) = &up {
            let fork_head = find(&heads.fork, &branch);
            match find(&heads.upstream, &upstream_branch) {
                None => {
                    g.unit.error = Some(format!(
                        "branch {upstream_branch} not found in the upstream {up}; fix `branches` in the inventory"
                    ))
                }
                Some(upstream_head) => {
                    let target = Target {
                        branch: branch.clone(),
                        // Cut upstream after the fork was made: created at the upstream's head.
                        head: fork_head.clone().unwrap_or_else(|| upstream_head.clone()),
                        upstream: up.clone(),
                        upstream_branch,
                        upstream_head,
                    };
                    if fork_head.is_some() {
                        units.push((Unit::of_branch(spec.repo.clone(), branch), target));
                    } else {
                        g.unit.missing_in_fork = true;
                        g.target = Some(target);
                    }
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
    /// What planning needs of each repository's branches.
    pub fn branch_facts(&self) -> BTreeMap<RepoName, Vec<BranchFacts>> {
        self.branches
            .iter()
            .map(|(repo, list)| (repo.clone(), list.iter().map(|b| b.unit.clone()).collect()))
            .collect()
    }

    /// One branch of a repository listing several, as gathered.
    pub(super) fn branch_mut(&mut self, unit: &Unit) -> Option<&mut BranchGathered> {
        let branch = unit.branch.as_ref()?;
        self.branches
            .get_mut(&unit.repo)?
            .iter_mut()
            .find(|b| &b.unit.branch == branch)
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
                .filter(|b| b.target.is_some() && !b.unit.missing_in_fork)
                .map(|b| &b.unit.facts)
                .max_by_key(|f| (f.commits_behind, f.days_since_last_sync, f.commits_ahead));
            if let (Some(b), Some(f)) = (most_behind, self.facts.get_mut(repo)) {
                f.commits_behind = b.commits_behind;
                f.commits_ahead = b.commits_ahead;
                f.days_since_last_sync = b.days_since_last_sync;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_inventory;
    use crate::ids::Oid;

    fn head(name: &str, c: char) -> BranchHead {
        BranchHead {
            name: BranchName::parse(name).unwrap(),
            oid: Oid::parse(&c.to_string().repeat(40)).unwrap(),
        }
    }

    fn spec(branches: &str) -> RepoSpec {
        let text = format!("repositories:\n  - repo: me/app\n    branches: {branches}\n");
        parse_inventory(&text, "inv.yml")
            .unwrap()
            .all()
            .next()
            .unwrap()
            .clone()
    }

    fn names(pairs: &[(BranchName, BranchName)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(f, u)| (f.to_string(), u.to_string()))
            .collect()
    }

    #[test]
    fn names_stay_in_order_and_globs_take_their_upstream_matches_by_name() {
        let up = [
            head("release/2.0", 'a'),
            head("release/1.0", 'b'),
            head("release/1.0/hotfix", 'c'),
            head("feature/x", 'd'),
            head("master", 'e'),
        ];
        let s = spec("[{name: main, upstream: master}, \"release/*\", release/1.0, \"v*\"]");
        let mut warnings = Vec::new();
        let pairs = listed(&s, &up, true, &mut warnings);
        assert_eq!(
            names(&pairs),
            [
                ("main".into(), "master".into()),
                ("release/1.0".into(), "release/1.0".into()),
                ("release/2.0".into(), "release/2.0".into()),
            ]
        );
        // `*` stops at `/`; listed twice counts once; a glob matching nothing is said.
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("`v*` matches no branch of the upstream"));
        // Without an upstream the names stand, globs match nothing, and nothing is warned.
        let mut quiet = Vec::new();
        assert_eq!(listed(&s, &[], false, &mut quiet).len(), 2);
        assert!(quiet.is_empty());
    }

    fn meta(fork: Vec<BranchHead>, upstream: Vec<BranchHead>) -> RepoMeta {
        RepoMeta {
            repo: "me/app".parse().unwrap(),
            archived: false,
            is_fork: true,
            pushed_at: None,
            branch: Some(head("main", 'f')),
            default_branch: None,
            upstream: None,
            open_prs: 0,
            security_alerts: Some(0),
            has_workflows: false,
            topics: Vec::new(),
            sync_pull: None,
            same_network: None,
            viewer_permission: None,
            auto_merge_allowed: None,
            branch_heads: Some(crate::github::BranchHeads {
                fork,
                upstream,
                truncated: vec![("release/".into(), 150)],
                pulls: Vec::new(),
            }),
        }
    }

    #[test]
    fn a_branch_on_both_sides_is_settled_one_only_upstream_is_created_one_gone_fails() {
        let s = spec("[main, \"release/*\", gone]");
        let m = meta(
            vec![head("main", '1'), head("release/1.0", '2')],
            vec![
                head("main", '3'),
                head("release/1.0", '2'),
                head("release/2.0", '4'),
            ],
        );
        let facts = RepoFacts::unknown(s.repo.clone());
        let mut out = Gathered::default();
        let up: RepoName = "up/app".parse().unwrap();
        let units = resolve(
            &s,
            &m,
            Some(up.clone()),
            &facts,
            &LiveFacts::offline(),
            &mut out,
        );
        let settle: Vec<String> = units.iter().map(|(u, _)| u.to_string()).collect();
        assert_eq!(settle, ["me/app:main", "me/app:release/1.0"]);
        assert_eq!(units[0].1.upstream, up);
        assert_eq!(units[0].1.head.as_str(), "1".repeat(40));
        assert_eq!(units[0].1.upstream_head.as_str(), "3".repeat(40));
        let b = &out.branches[&s.repo];
        let by = |n: &str| b.iter().find(|g| g.unit.branch.as_str() == n).unwrap();
        assert_eq!(b.len(), 4);
        // Upstream only: created in the fork at the upstream's head (its target says where).
        let new = by("release/2.0");
        assert!(new.unit.missing_in_fork && new.unit.error.is_none());
        assert_eq!(
            new.target.as_ref().unwrap().upstream_head.as_str(),
            "4".repeat(40)
        );
        assert!(by("gone")
            .unit
            .error
            .as_deref()
            .unwrap()
            .contains("not found in the upstream up/app"));
        assert!(out.warnings[0].contains("150 branches whose names hold `release/`"));
    }

    #[test]
    fn the_repository_takes_its_most_behind_branch_s_counts() {
        let repo: RepoName = "me/app".parse().unwrap();
        let mut out = Gathered::default();
        out.facts
            .insert(repo.clone(), RepoFacts::unknown(repo.clone()));
        let branch = |name: &str, behind: u32, days: u32, settled: bool| {
            let mut facts = RepoFacts::unknown(repo.clone());
            facts.commits_behind = behind;
            facts.days_since_last_sync = days;
            facts.commits_ahead = 1;
            BranchGathered {
                unit: BranchFacts {
                    branch: BranchName::parse(name).unwrap(),
                    facts,
                    live: LiveFacts::offline(),
                    error: None,
                    deferred: None,
                    missing_in_fork: false,
                },
                target: settled.then(|| Target {
                    branch: BranchName::parse(name).unwrap(),
                    head: Oid::parse(&"1".repeat(40)).unwrap(),
                    upstream: "up/app".parse().unwrap(),
                    upstream_branch: BranchName::parse(name).unwrap(),
                    upstream_head: Oid::parse(&"2".repeat(40)).unwrap(),
                }),
                sync_pull: None,
            }
        };
        out.branches.insert(
            repo.clone(),
            vec![
                branch("main", 3, 1, true),
                branch("release/1.0", 7, 2, true),
                branch("release/2.0", 7, 9, true),
                // Not settled (its compare failed): its counts are not known, so not used.
                branch("release/3.0", 500, 0, false),
            ],
        );
        out.sum_up_branches();
        let f = &out.facts[&repo];
        assert_eq!(
            (f.commits_behind, f.days_since_last_sync, f.commits_ahead),
            (7, 9, 1)
        );
    }
}
