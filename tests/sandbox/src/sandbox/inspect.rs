//! Reading the sandbox's real state as tests want to see it: repositories, branches and
//! their heads, ancestry and counts from git, pull requests (`PullInfo`), and files.

use std::path::PathBuf;

use super::Sandbox;
use crate::git::{self, store_ref};
use crate::model;

/// A pull request as tests see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullInfo {
    /// Number.
    pub number: u64,
    /// Title.
    pub title: String,
    /// Body.
    pub body: Option<String>,
    /// `owner:branch` of the head.
    pub head: String,
    /// Head branch name.
    pub head_ref: String,
    /// Base branch name.
    pub base: String,
    /// Current head sha (None if the branch is gone).
    pub head_sha: Option<String>,
    /// Label names.
    pub labels: Vec<String>,
    /// Requested reviewers.
    pub reviewers: Vec<String>,
    /// Author login.
    pub user: String,
    /// Open.
    pub open: bool,
    /// Assigned users.
    pub assignees: Vec<String>,
    /// Merged (a merged pull request is closed).
    pub merged: bool,
    /// The auto-merge method (`MERGE`, `SQUASH`, `REBASE`) while auto-merge is on.
    pub auto_merge: Option<String>,
}

impl Sandbox {
    pub(super) fn locate(&self, repo: &str) -> Option<(usize, u64, usize)> {
        let w = self.shared.world();
        let i = w.find_full(repo)?;
        Some((i, w.repos[i].id, w.repos[i].net))
    }

    /// Does the repository exist?
    pub fn exists(&self, repo: &str) -> bool {
        self.locate(repo).is_some()
    }

    /// Default branch of a repository.
    pub fn default_branch(&self, repo: &str) -> Option<String> {
        let w = self.shared.world();
        w.find_full(repo).map(|i| w.repos[i].default_branch.clone())
    }

    /// The parent (`owner/name`) of a fork.
    pub fn parent(&self, repo: &str) -> Option<String> {
        let w = self.shared.world();
        let i = w.find_full(repo)?;
        w.repos[i].parent.map(|p| w.repos[p].full_name())
    }

    /// The object tag `name` of `repo` points at (a tag object for an annotated tag, the
    /// commit for a lightweight one), if the tag exists.
    pub fn tag_sha(&self, repo: &str, name: &str) -> Option<String> {
        let (_, id, net) = self.locate(repo)?;
        self.shared
            .store
            .with(net, |g| {
                Ok(git::read_ref(g, &store_ref(id, &format!("tags/{name}"))))
            })
            .ok()
            .flatten()
            .map(|o| o.to_string())
    }

    /// Whether `sha` is an annotated tag's object (a tag object) in `repo`'s network.
    pub fn is_tag_object(&self, repo: &str, sha: &str) -> bool {
        let (Some((_, _, net)), Ok(oid)) = (self.locate(repo), git2::Oid::from_str(sha)) else {
            return false;
        };
        self.shared
            .store
            .with(net, |g| Ok(g.find_tag(oid).is_ok()))
            .unwrap_or(false)
    }

    /// Head sha of a branch.
    pub fn branch_sha(&self, repo: &str, branch: &str) -> Option<String> {
        let (_, id, net) = self.locate(repo)?;
        self.shared
            .store
            .with(net, |g| {
                Ok(git::read_ref(g, &store_ref(id, &format!("heads/{branch}"))))
            })
            .ok()
            .flatten()
            .map(|o| o.to_string())
    }

    /// Branch names of a repository.
    pub fn branches(&self, repo: &str) -> Vec<String> {
        let Some((_, id, net)) = self.locate(repo) else {
            return Vec::new();
        };
        self.shared
            .store
            .with(net, |g| git::list_refs(g, &store_ref(id, "heads/")))
            .map(|v| v.into_iter().map(|(n, _)| n).collect())
            .unwrap_or_default()
    }

    /// Is `ancestor` reachable from `tip` (both shas in `repo`'s network)?
    pub fn is_ancestor(&self, repo: &str, ancestor: &str, tip: &str) -> bool {
        let Some((_, _, net)) = self.locate(repo) else {
            return false;
        };
        let (Ok(a), Ok(t)) = (git2::Oid::from_str(ancestor), git2::Oid::from_str(tip)) else {
            return false;
        };
        self.shared
            .store
            .with(net, |g| git::is_ancestor(g, a, t))
            .unwrap_or(false)
    }

    /// `git rev-list --count base..head` in `repo`'s network.
    pub fn count_between(&self, repo: &str, base: &str, head: &str) -> usize {
        let Some((_, _, net)) = self.locate(repo) else {
            return 0;
        };
        let (Ok(b), Ok(h)) = (git2::Oid::from_str(base), git2::Oid::from_str(head)) else {
            return 0;
        };
        self.shared
            .store
            .with(net, |g| git::count_between(g, &[b], h))
            .unwrap_or(0)
    }

    /// (behind, ahead) of a fork's branch against its parent's same-named branch (or the
    /// parent's default branch), from real git.
    pub fn behind_ahead(&self, fork: &str, branch: &str) -> Option<(usize, usize)> {
        let parent = self.parent(fork)?;
        let mine = self.branch_sha(fork, branch)?;
        let theirs = self
            .branch_sha(&parent, branch)
            .or_else(|| self.branch_sha(&parent, &self.default_branch(&parent)?))?;
        Some((
            self.count_between(fork, &mine, &theirs),
            self.count_between(fork, &theirs, &mine),
        ))
    }

    /// Pull requests of a repository (open and closed), as tests want to see them.
    pub fn pulls(&self, repo: &str) -> Vec<PullInfo> {
        let (list, net) = {
            let w = self.shared.world();
            let Some(i) = w.find_full(repo) else {
                return Vec::new();
            };
            let list: Vec<(model::Pull, String, u64)> = w.repos[i]
                .pulls
                .iter()
                .map(|p| {
                    (
                        p.clone(),
                        w.repos[p.head_repo].owner.clone(),
                        w.repos[p.head_repo].id,
                    )
                })
                .collect();
            (list, w.repos[i].net)
        };
        list.into_iter()
            .map(|(p, owner, hid)| {
                let head_sha = self
                    .shared
                    .store
                    .with(net, |g| {
                        Ok(git::read_ref(
                            g,
                            &store_ref(hid, &format!("heads/{}", p.head_ref)),
                        ))
                    })
                    .ok()
                    .flatten()
                    .map(|o| o.to_string());
                PullInfo {
                    number: p.number,
                    title: p.title,
                    body: p.body,
                    head: format!("{owner}:{}", p.head_ref),
                    head_ref: p.head_ref,
                    base: p.base_ref,
                    head_sha,
                    labels: p.labels,
                    reviewers: p.reviewers,
                    user: p.user,
                    open: p.open,
                    assignees: p.assignees,
                    merged: p.merge.merged_at.is_some(),
                    auto_merge: p.merge.auto_merge.map(|a| a.method),
                }
            })
            .collect()
    }

    /// Open pull requests of a repository.
    pub fn open_pulls(&self, repo: &str) -> Vec<PullInfo> {
        self.pulls(repo).into_iter().filter(|p| p.open).collect()
    }

    /// A file's bytes at a branch, tag or sha.
    pub fn file_at(&self, repo: &str, git_ref: &str, path: &str) -> Option<Vec<u8>> {
        let (_, id, net) = self.locate(repo)?;
        self.shared
            .store
            .with(net, |g| {
                let tip = git::read_ref(g, &store_ref(id, &format!("heads/{git_ref}")))
                    .or_else(|| git2::Oid::from_str(git_ref).ok());
                let Some(tip) = tip else { return Ok(None) };
                Ok(match git::read_path(g, tip, path)? {
                    Some(git::PathObject::File(_, _, data)) => Some(data),
                    _ => None,
                })
            })
            .ok()
            .flatten()
    }

    /// A file's text at a branch, tag or sha.
    pub fn file_text(&self, repo: &str, git_ref: &str, path: &str) -> Option<String> {
        self.file_at(repo, git_ref, path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// The bare repository holding `repo`'s network (for the git CLI).
    pub fn git_dir(&self, repo: &str) -> Option<PathBuf> {
        let (_, _, net) = self.locate(repo)?;
        Some(self.shared.store.path(net).to_path_buf())
    }

    /// The full ref name of `repo`'s branch inside its network store
    /// (`refs/sandbox/<id>/heads/<branch>`), for the git CLI.
    pub fn store_ref(&self, repo: &str, branch: &str) -> Option<String> {
        let (_, id, _) = self.locate(repo)?;
        Some(store_ref(id, &format!("heads/{branch}")))
    }
}
