//! Changing the world as GitHub's users would: pushes (new commits, force pushes, new
//! branches), a person's pull request, upstreams that move or conflict, forks brought in
//! sync, archiving, renaming.

use std::sync::atomic::Ordering;

use super::Sandbox;
use crate::fleet::Category;
use crate::git::{self, store_ref};
use crate::model;

impl Sandbox {
    /// Commits `content` to `path` on `repo`'s `branch` (a push); returns the new sha. Like
    /// any commit made while the sandbox runs, it reaches the other repositories of the
    /// network `Behaviour::propagation_ms` later.
    pub fn push_commit(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
        content: &str,
        message: &str,
    ) -> Option<String> {
        self.shared.push_file(repo, branch, path, content, message)
    }

    /// Makes `sha`, a commit made while the sandbox runs (e.g. by `advance_upstream`), never
    /// reach the other repositories of its network by itself: ref writes naming it there
    /// answer 404 until a merge-upstream brings it into that fork. False for a commit of the
    /// generated fleet (those are everywhere already) or an unknown one.
    pub fn never_propagate(&self, sha: &str) -> bool {
        git2::Oid::from_str(sha).is_ok_and(|o| self.shared.propagation().never(o))
    }

    /// Pushes a person's commit (a change to `NOTES.md`) to `repo`'s `branch` once, right
    /// before the sandbox answers the first `method` request whose path contains
    /// `path_contains`: a push landing between a client's read and its write, on cue.
    /// [`Sandbox::pushed_on_cue`] tells the commits pushed so far.
    pub fn push_before(&self, method: &str, path_contains: &str, repo: &str, branch: &str) {
        self.shared.hooks().push(crate::hooks::PushOnCue {
            method: method.to_ascii_uppercase(),
            path_contains: path_contains.to_string(),
            repo: repo.to_string(),
            branch: branch.to_string(),
            pushed: None,
        });
    }

    /// The commits [`Sandbox::push_before`] pushed so far, in the order the hooks were set
    /// (`None`: its request has not come yet).
    pub fn pushed_on_cue(&self) -> Vec<Option<String>> {
        self.shared
            .hooks()
            .iter()
            .map(|h| h.pushed.clone())
            .collect()
    }

    /// Points `repo`'s existing `branch` at `sha` (a force push; `sha` must be in the repository's
    /// network, e.g. its upstream's head). Returns false when the repository, the branch or the
    /// commit does not exist there.
    pub fn set_branch(&self, repo: &str, branch: &str, sha: &str) -> bool {
        self.push_branch(repo, branch, sha, true)
    }

    /// Creates `branch` in `repo` at `sha` (a push of a new branch; `sha` must be in the
    /// repository's network). Returns false when the branch exists already or the repository
    /// or the commit does not.
    pub fn create_branch(&self, repo: &str, branch: &str, sha: &str) -> bool {
        self.push_branch(repo, branch, sha, false)
    }

    /// A push of `sha` to `branch`: over the branch as it is when `existing` (which must then
    /// exist), else as a new branch (which must not). Marks the repository pushed.
    fn push_branch(&self, repo: &str, branch: &str, sha: &str, existing: bool) -> bool {
        let Some((idx, id, net)) = self.locate(repo) else {
            return false;
        };
        let Ok(new) = git2::Oid::from_str(sha) else {
            return false;
        };
        let done = self.shared.store.with(net, |g| {
            let name = store_ref(id, &format!("heads/{branch}"));
            let expected = match (existing, git::read_ref(g, &name)) {
                (true, None) => return Ok(false),
                (true, old) => old,
                (false, _) => None,
            };
            if g.find_commit(new).is_err() {
                return Ok(false);
            }
            Ok(matches!(
                git::write_ref(g, &name, new, expected)?,
                git::RefWrite::Done
            ))
        });
        if !matches!(done, Ok(true)) {
            return false;
        }
        let now = self.shared.now();
        self.shared.world().repos[idx].pushed_at = now;
        true
    }

    /// Pushes tag `name` to `repo` at commit `sha`: a lightweight tag (the ref points at the
    /// commit) when `message` is `None`, else an annotated one (a new tag object with that
    /// message, which the ref points at). Returns the object the ref points at, or None when
    /// the repository or the commit does not exist or the tag does. A new tag object, like a
    /// new commit, reaches the other repositories of the network `Behaviour::propagation_ms`
    /// later.
    pub fn push_tag(
        &self,
        repo: &str,
        name: &str,
        sha: &str,
        message: Option<&str>,
    ) -> Option<String> {
        let (_, id, net) = self.locate(repo)?;
        let commit = git2::Oid::from_str(sha).ok()?;
        let stamp = self.shared.seq.fetch_add(1, Ordering::Relaxed) as i64;
        let made = self.shared.store.with(net, |g| {
            let target = match g.find_object(commit, Some(git2::ObjectType::Commit)) {
                Ok(o) => o,
                Err(_) => return Ok(None),
            };
            let object = match message {
                None => commit,
                Some(m) => {
                    let who = git::signature(
                        "Upstream Maintainer",
                        "maintainer@example.com",
                        1_700_000_000 + stamp,
                    )?;
                    g.tag_annotation_create(name, &target, &who, m)?
                }
            };
            let done = git::write_ref(g, &store_ref(id, &format!("tags/{name}")), object, None)?;
            Ok((done == git::RefWrite::Done).then_some(object))
        });
        let object = made.ok().flatten()?;
        if message.is_some() {
            self.shared.propagation().made(net, id, object);
        }
        Some(object.to_string())
    }

    /// Opens a pull request in `repo` from its own branch `head` into `base`, as `user` (a
    /// person, not priority-sync). Returns its number, or None when the repository or either
    /// branch does not exist.
    pub fn open_pull(
        &self,
        repo: &str,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
        user: &str,
    ) -> Option<u64> {
        self.branch_sha(repo, head)?;
        self.branch_sha(repo, base)?;
        let now = self.shared.now();
        let mut w = self.shared.world();
        let idx = w.find_full(repo)?;
        w.ensure_account(user, false);
        let id = w.fresh_id();
        let r = &mut w.repos[idx];
        let number = r.next_number;
        r.next_number += 1;
        r.pulls.push(model::Pull {
            number,
            id,
            head_repo: idx,
            head_ref: head.to_string(),
            base_ref: base.to_string(),
            title: title.to_string(),
            body: Some(body.to_string()),
            open: true,
            user: user.to_string(),
            labels: Vec::new(),
            reviewers: Vec::new(),
            draft: false,
            maintainer_can_modify: true,
            created_at: now,
            updated_at: now,
            closed_at: None,
            assignees: Vec::new(),
            merge: Default::default(),
        });
        Some(number)
    }

    /// Brings `fork`'s synced branch to its upstream's head (parent, or the upstream the
    /// inventory names when it is in the same network), as if it had been synced. Returns the
    /// new head, or None when the upstream cannot be reached from the fork's network.
    pub fn sync_branch_to_upstream(&self, fork: &str) -> Option<String> {
        let r = self.fleet().get(fork)?;
        if !r.exists || r.category == Category::ForeignUpstream {
            return None;
        }
        let upstream = match &r.inventory_upstream {
            Some(u) => u.split(':').next()?.to_string(),
            None => r.parent.clone()?,
        };
        let sha = self.branch_sha(&upstream, &r.upstream_branch)?;
        let (branch, full) = (r.branch.clone(), r.full_name.clone());
        self.set_branch(&full, &branch, &sha).then_some(sha)
    }

    /// Adds `n` commits to the upstream (parent) of `fork`, on the branch the fork follows;
    /// one of them changes `.github/workflows/ci.yml` when `touch_workflows`. Returns the new
    /// upstream head.
    pub fn advance_upstream(&self, fork: &str, n: usize, touch_workflows: bool) -> Option<String> {
        let parent = self.parent(fork)?;
        let branch = self.default_branch(&parent)?;
        let mut last = None;
        for k in 0..n {
            let stamp = self.shared.seq.fetch_add(1, Ordering::Relaxed);
            last = if touch_workflows && k + 1 == n {
                self.push_commit(
                    &parent,
                    &branch,
                    ".github/workflows/ci.yml",
                    &format!("name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo {stamp}\n"),
                    "ci: update workflow",
                )
            } else {
                self.push_commit(
                    &parent,
                    &branch,
                    "CHANGELOG.md",
                    &format!("upstream change {stamp}\n"),
                    &format!("Upstream change {stamp}"),
                )
            };
        }
        last
    }

    /// Makes `fork` conflict with its upstream: both change the same line of
    /// `config/settings.toml` differently. Returns (fork head, upstream head).
    pub fn make_conflict(&self, fork: &str) -> Option<(String, String)> {
        let parent = self.parent(fork)?;
        let fb = self.default_branch(fork)?;
        let pb = self.default_branch(&parent)?;
        let stamp = self.shared.seq.fetch_add(1, Ordering::Relaxed);
        let a = self.push_commit(
            fork,
            &fb,
            "config/settings.toml",
            &format!("[app]\nmode = \"fork-{stamp}\"\n"),
            "config: fork tweak",
        )?;
        let b = self.push_commit(
            &parent,
            &pb,
            "config/settings.toml",
            &format!("[app]\nmode = \"upstream-{stamp}\"\n"),
            "config: upstream tweak",
        )?;
        Some((a, b))
    }

    /// Sets the tokens' user's role on `repo` as GraphQL's `viewerPermission` reports it
    /// (`READ`, `TRIAGE`, `WRITE`, `MAINTAIN`, `ADMIN`; `None` restores the default). With
    /// `READ` or `TRIAGE` its writes are refused (403) for every token but an App's.
    pub fn set_viewer_permission(&self, repo: &str, role: Option<&str>) -> bool {
        let mut w = self.shared.world();
        let Some(i) = w.find_full(repo) else {
            return false;
        };
        match role {
            Some(r) => w.roles.insert(i, r.to_ascii_uppercase()),
            None => w.roles.remove(&i),
        };
        true
    }

    /// Turns a repository's "Allow auto-merge" setting on or off (GraphQL `autoMergeAllowed`,
    /// REST `allow_auto_merge`; off by default, as on GitHub). False when there is no such
    /// repository.
    pub fn set_auto_merge_allowed(&self, repo: &str, allowed: bool) -> bool {
        let mut w = self.shared.world();
        match w.find_full(repo) {
            Some(i) => {
                w.repos[i].auto_merge_allowed = allowed;
                true
            }
            None => false,
        }
    }

    /// Archives or unarchives a repository.
    pub fn set_archived(&self, repo: &str, archived: bool) -> bool {
        let mut w = self.shared.world();
        match w.find_full(repo) {
            Some(i) => {
                w.repos[i].archived = archived;
                true
            }
            None => false,
        }
    }

    /// Renames `repo` (`owner/name`, its current or a former name) to `new_name`: a bare name
    /// keeps the owner, `owner/name` moves it too (a transfer). From then on REST requests under
    /// the old name are redirected (`Behaviour::redirect_renamed`) and GraphQL resolves the old
    /// name to the renamed repository; the inventory and `fleet()` keep the old name, as a
    /// user's inventory would. Errs when the repository is unknown, the name is malformed or
    /// taken.
    pub fn rename(&self, repo: &str, new_name: &str) -> Result<(), String> {
        let mut w = self.shared.world();
        let idx = w
            .find_full(repo)
            .ok_or_else(|| format!("rename: no repository {repo}"))?;
        let full = if new_name.contains('/') {
            new_name.to_string()
        } else {
            format!("{}/{new_name}", w.repos[idx].owner)
        };
        w.rename(idx, &full)
            .map_err(|e| format!("rename {repo}: {e}"))?;
        w.repos[idx].updated_at = self.shared.now();
        Ok(())
    }
}
