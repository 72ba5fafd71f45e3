//! The sandbox's GitHub metadata (users, repositories, fork networks, pull requests, labels,
//! alerts): everything that is not a git object or ref lives here, behind one lock.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// A GitHub account.
#[derive(Clone, Debug)]
pub struct Account {
    /// Login as spelled.
    pub login: String,
    /// Numeric id.
    pub id: u64,
    /// Organization (true) or user.
    pub org: bool,
}

/// A label defined in a repository.
#[derive(Clone, Debug)]
pub struct Label {
    /// Numeric id.
    pub id: u64,
    /// Name (unique per repo, case-insensitively).
    pub name: String,
    /// Hex colour without `#`.
    pub color: String,
    /// Description.
    pub description: Option<String>,
    /// One of GitHub's default labels.
    pub default: bool,
}

/// A Dependabot alert.
#[derive(Clone, Debug)]
pub struct Alert {
    /// Per-repo number.
    pub number: u64,
    /// `open`, `dismissed`, `fixed`, `auto_dismissed`.
    pub state: String,
    /// Package name.
    pub package: String,
    /// Ecosystem (`npm`, `pip`, `cargo`…).
    pub ecosystem: String,
    /// `low`, `medium`, `high`, `critical`.
    pub severity: String,
    /// Advisory id.
    pub ghsa: String,
    /// CVE id.
    pub cve: String,
    /// Summary line.
    pub summary: String,
    /// Vulnerable range.
    pub range: String,
    /// First patched version.
    pub patched: String,
    /// Manifest path.
    pub manifest: String,
    /// Creation time (Unix seconds).
    pub created_at: i64,
}

/// A pull request (base side lives in the repository that owns it).
#[derive(Clone, Debug)]
pub struct Pull {
    /// Per-repo number (shared with issues).
    pub number: u64,
    /// Global id.
    pub id: u64,
    /// Index of the head repository.
    pub head_repo: usize,
    /// Head branch name.
    pub head_ref: String,
    /// Base branch name.
    pub base_ref: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: Option<String>,
    /// Open (true) or closed.
    pub open: bool,
    /// Author login.
    pub user: String,
    /// Label names, in the order added.
    pub labels: Vec<String>,
    /// Requested reviewer logins.
    pub reviewers: Vec<String>,
    /// Draft.
    pub draft: bool,
    /// Maintainers may push to the head branch.
    pub maintainer_can_modify: bool,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Last updated.
    pub updated_at: i64,
    /// Closed, if closed.
    pub closed_at: Option<i64>,
    /// Users assigned (`POST …/issues/{n}/assignees`), in the order added.
    pub assignees: Vec<String>,
    /// Merged, and auto-merge (see `merging`).
    pub merge: PullMerge,
}

/// Whether a pull request was merged, and its auto-merge request.
#[derive(Clone, Debug, Default)]
pub struct PullMerge {
    /// When it was merged (Unix seconds); a merged pull request is closed.
    pub merged_at: Option<i64>,
    /// The commit its merge wrote on the base branch.
    pub merge_commit_sha: Option<String>,
    /// Who merged it (the user who enabled auto-merge).
    pub merged_by: Option<String>,
    /// Auto-merge, while enabled (GitHub clears it when the pull request merges or closes).
    pub auto_merge: Option<AutoMerge>,
}

/// An auto-merge request (GraphQL `AutoMergeRequest`, REST `auto_merge`).
#[derive(Clone, Debug)]
pub struct AutoMerge {
    /// `MERGE`, `SQUASH` or `REBASE` (GraphQL's `PullRequestMergeMethod`).
    pub method: String,
    /// Login of the user who enabled it.
    pub enabled_by: String,
    /// When (Unix seconds).
    pub enabled_at: i64,
}

/// What a repository's branches require to merge and what its commits' checks concluded.
#[derive(Clone, Debug, Default)]
pub struct MergeRules {
    /// Branch → the status checks merging into it requires (a minimal model of branch
    /// protection rules and rulesets: a branch requires named checks to pass).
    pub required_checks: BTreeMap<String, Vec<String>>,
    /// Commit sha → check name → conclusion (`success`, `failure`, …), as reported on this
    /// repository (`Sandbox::report_check`).
    pub checks: HashMap<String, BTreeMap<String, String>>,
}

/// A pull request's base and head commits (None for a missing branch).
pub type Tips = (Option<String>, Option<String>);

/// What GitHub is still working on for one pull request (`Behaviour::list_lag_ms`,
/// `Behaviour::mergeable_ms`). A pull request without one (the generated fleet's, the
/// library's `open_pull`) was opened long ago and its mergeability is known.
#[derive(Clone, Debug, Default)]
pub struct PullClock {
    /// When it was opened through the API (lists show it `list_lag_ms` later).
    pub opened: Option<Instant>,
    /// The base and head commits of the last mergeability job, and when it started (None:
    /// long ago).
    pub merge_job: Option<(Tips, Option<Instant>)>,
}

/// A repository.
#[derive(Clone, Debug)]
pub struct Repo {
    /// Numeric id (also names its refs in the network store).
    pub id: u64,
    /// Owner login.
    pub owner: String,
    /// Name.
    pub name: String,
    /// Fork network index (= object store).
    pub net: usize,
    /// Index of the parent repository, for forks.
    pub parent: Option<usize>,
    /// Default branch.
    pub default_branch: String,
    /// Archived (read-only).
    pub archived: bool,
    /// Private.
    pub private: bool,
    /// Description.
    pub description: String,
    /// Main language.
    pub language: String,
    /// Topics.
    pub topics: Vec<String>,
    /// Created (Unix seconds).
    pub created_at: i64,
    /// Last push.
    pub pushed_at: i64,
    /// Last metadata update.
    pub updated_at: i64,
    /// Labels.
    pub labels: Vec<Label>,
    /// Dependabot alerts.
    pub alerts: Vec<Alert>,
    /// Pull requests whose base is this repository.
    pub pulls: Vec<Pull>,
    /// Next issue/PR number.
    pub next_number: u64,
    /// Required checks and check conclusions (auto-merge allowed is `auto_merge_allowed`).
    pub merge_rules: MergeRules,
    /// The "Allow auto-merge" setting (GraphQL `autoMergeAllowed`, REST `allow_auto_merge`):
    /// off unless a test turns it on, as a new repository's is on GitHub (the `repository`
    /// schema's `allow_auto_merge` default: false).
    pub auto_merge_allowed: bool,
}

impl Repo {
    /// `owner/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// All metadata.
#[derive(Default)]
pub struct World {
    /// Repositories, by index.
    pub repos: Vec<Repo>,
    /// Lower-cased `owner/name` → index.
    pub by_name: HashMap<String, usize>,
    /// Lower-cased former `owner/name` of a renamed repository → index (GitHub redirects the
    /// old name while no repository takes it).
    pub former: HashMap<String, usize>,
    /// Lower-cased login → account.
    pub accounts: HashMap<String, Account>,
    /// Next global id for labels, PRs and the like.
    pub next_id: u64,
    /// The role of the tokens' user on a repository (by index) where a test set one
    /// (`Sandbox::set_viewer_permission`): `READ`, `TRIAGE`, `WRITE`, `MAINTAIN` or `ADMIN`.
    pub roles: HashMap<usize, String>,
    /// Pull requests GitHub is still working on, by pull request id.
    pub pull_clocks: HashMap<u64, PullClock>,
}

impl World {
    /// The tokens' user's role on repository `i` as GraphQL's `viewerPermission` says it: the
    /// role a test set, else `ADMIN` on forks and the audit repository (the fleet: the user
    /// owns them or administers their organisation) and `READ` elsewhere (public upstreams).
    pub fn role(&self, i: usize, audit_repo: &str) -> &str {
        if let Some(r) = self.roles.get(&i) {
            return r;
        }
        let r = &self.repos[i];
        if r.parent.is_some() || r.full_name().eq_ignore_ascii_case(audit_repo) {
            "ADMIN"
        } else {
            "READ"
        }
    }

    /// Looks a repository up by owner and name, case-insensitively.
    pub fn find(&self, owner: &str, name: &str) -> Option<usize> {
        self.by_name
            .get(&format!("{owner}/{name}").to_ascii_lowercase())
            .copied()
    }

    /// Looks a repository up by `owner/name`, or by a former name of a renamed repository
    /// (what the library calls take: a test may name a repository either way).
    pub fn find_full(&self, full: &str) -> Option<usize> {
        let key = full.to_ascii_lowercase();
        self.by_name
            .get(&key)
            .or_else(|| self.former.get(&key))
            .copied()
    }

    /// The repository that was called `owner/name` before it was renamed, while no
    /// repository has that name now.
    pub fn find_former(&self, owner: &str, name: &str) -> Option<usize> {
        let key = format!("{owner}/{name}").to_ascii_lowercase();
        if self.by_name.contains_key(&key) {
            return None;
        }
        self.former.get(&key).copied()
    }

    /// Renames repository `idx` to `new_full` (`owner/name`; a new owner is a transfer). Its
    /// old name is remembered as a former name. Fails when another repository has that name.
    pub fn rename(&mut self, idx: usize, new_full: &str) -> Result<(), String> {
        let (owner, name) = new_full
            .split_once('/')
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
            .ok_or_else(|| format!("{new_full:?} is not owner/name"))?;
        let new_key = new_full.to_ascii_lowercase();
        if self.by_name.get(&new_key).is_some_and(|&i| i != idx) {
            return Err(format!("{new_full} exists already"));
        }
        let old_key = self.repos[idx].full_name().to_ascii_lowercase();
        self.by_name.remove(&old_key);
        if old_key != new_key {
            self.former.insert(old_key, idx);
        }
        self.former.remove(&new_key);
        let org = self.account(&self.repos[idx].owner).org;
        self.ensure_account(owner, org);
        let r = &mut self.repos[idx];
        r.owner = owner.to_string();
        r.name = name.to_string();
        self.by_name.insert(new_key, idx);
        Ok(())
    }

    /// Adds a repository (and its owner account if new); returns its index.
    pub fn add_repo(&mut self, repo: Repo, owner_is_org: bool) -> usize {
        self.ensure_account(&repo.owner, owner_is_org);
        let idx = self.repos.len();
        self.by_name
            .insert(repo.full_name().to_ascii_lowercase(), idx);
        self.repos.push(repo);
        idx
    }

    /// Registers an account if unknown.
    pub fn ensure_account(&mut self, login: &str, org: bool) -> Account {
        let n = self.accounts.len() as u64;
        self.accounts
            .entry(login.to_ascii_lowercase())
            .or_insert_with(|| Account {
                login: login.to_string(),
                id: 5_000_000 + crate::util::fnv64(&[login.as_bytes()]) % 90_000_000 + n,
                org,
            })
            .clone()
    }

    /// The account for a login (an unknown login is treated as a user).
    pub fn account(&self, login: &str) -> Account {
        self.accounts
            .get(&login.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| Account {
                login: login.to_string(),
                id: 9_000_000 + crate::util::fnv64(&[login.as_bytes()]) % 1_000_000,
                org: false,
            })
    }

    /// A fresh global id.
    pub fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The repository in `net` owned by `owner` (prefers the one named `name` when several).
    pub fn in_network(&self, net: usize, owner: &str, name: Option<&str>) -> Option<usize> {
        let mut found = None;
        for (i, r) in self.repos.iter().enumerate() {
            if r.net == net && r.owner.eq_ignore_ascii_case(owner) {
                if name.is_some_and(|n| r.name.eq_ignore_ascii_case(n)) {
                    return Some(i);
                }
                if name.is_none() || found.is_none() {
                    found = found.or(Some(i));
                }
            }
        }
        if name.is_some() {
            // `owner:repo:branch` must name the repo exactly.
            return None;
        }
        found
    }

    /// Records pull request `id` as opened now through the API, its mergeability job
    /// started for `tips` (base and head commits).
    pub fn pull_opened(&mut self, id: u64, tips: Tips) {
        let now = Instant::now();
        self.pull_clocks.insert(
            id,
            PullClock {
                opened: Some(now),
                merge_job: Some((tips, Some(now))),
            },
        );
    }

    /// Whether lists show pull request `id` yet: `lag` after it was opened through the API.
    pub fn pull_listed(&self, id: u64, lag: Duration) -> bool {
        self.pull_clocks
            .get(&id)
            .and_then(|c| c.opened)
            .is_none_or(|t| t.elapsed() >= lag)
    }

    /// Whether pull request `id`'s mergeability for `tips` (base and head commits) is known,
    /// `took` after its job started. Tips other than the last job's start a new job now
    /// (GitHub starts one when a pull request is read after its head or base moved); a pull
    /// request never seen before is known (opened long ago).
    pub fn pull_mergeability_known(&mut self, id: u64, tips: Tips, took: Duration) -> bool {
        let clock = self.pull_clocks.entry(id).or_default();
        match &clock.merge_job {
            Some((job, started)) if *job == tips => started.is_none_or(|t| t.elapsed() >= took),
            Some(_) => {
                clock.merge_job = Some((tips, Some(Instant::now())));
                took.is_zero()
            }
            None => {
                // Known for as long as nothing moves: its job ran long ago.
                clock.merge_job = Some((tips, None));
                true
            }
        }
    }

    /// Finishes every mergeability job and lists every pull request, as if GitHub had caught
    /// up (`Sandbox::settle_pulls`).
    pub fn settle_pulls(&mut self) {
        for clock in self.pull_clocks.values_mut() {
            clock.opened = None;
            if let Some((_, started)) = &mut clock.merge_job {
                *started = None;
            }
        }
    }

    /// The root of a repository's fork network (the repo with no parent).
    pub fn source(&self, idx: usize) -> usize {
        let mut i = idx;
        while let Some(p) = self.repos[i].parent {
            i = p;
        }
        i
    }
}
