//! An in-memory GitHub for the report fixtures: it answers the requests `apply` makes (ref
//! updates, sync pull requests, labels) the way GitHub does when they succeed, or with the
//! error a repository is set up to get, and counts requests like the real client. It keeps every
//! pull request title and body it was sent, so tests can read what people would read.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use priority_sync::apply::PR_MARKER;
use priority_sync::github::{
    AncestryAsk, Comparison, GhError, GitHub, MergeUpstream, MetaBatch, NewPull, PullInfo,
    RefUpdate, RepoQuery, RequestStats, TreeFile,
};
use priority_sync::ids::Oid;
use priority_sync::repo_name::RepoName;

/// How one repository answers.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Every write to the repository fails with this.
    pub fail_write: Option<GhError>,
    /// Our sync pull request is already open (from the sync branch), with this number.
    pub open_sync_pr: Option<u64>,
    /// GitHub says the sync pull request cannot merge cleanly.
    pub conflicts: bool,
    /// The link GitHub gives for a new pull request (default: the web page on `server`).
    pub pr_url: Option<String>,
}

pub struct FakeGitHub {
    server: String,
    behaviour: BTreeMap<RepoName, Behaviour>,
    stats: Mutex<RequestStats>,
    /// (title, body) of every pull request opened or edited, in request order.
    pub pull_texts: Mutex<Vec<(String, String)>>,
}

/// A stable fake commit id for a name.
pub fn sha(seed: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}{:016x}{:08x}", h.rotate_left(17), (h >> 7) as u32)
}

/// [`sha`] as an object id.
pub fn oid(seed: &str) -> Oid {
    sha(seed).parse().expect("40 hex characters")
}

/// A stable pull request number for a repository.
pub fn pr_number(repo: &RepoName) -> u64 {
    12 + (repo.key().len() as u64 * 7) % 60
}

impl FakeGitHub {
    pub fn new(server: &str, behaviour: BTreeMap<RepoName, Behaviour>) -> Self {
        Self {
            server: server.trim_end_matches('/').to_string(),
            behaviour,
            stats: Mutex::new(RequestStats::default()),
            pull_texts: Mutex::new(Vec::new()),
        }
    }

    fn of(&self, repo: &RepoName) -> Behaviour {
        self.behaviour.get(repo).cloned().unwrap_or_default()
    }

    fn count(&self, write: bool) {
        let mut s = self.stats.lock().unwrap();
        if write {
            s.writes += 1;
        } else {
            s.other += 1;
        }
    }

    fn write(&self, repo: &RepoName) -> Result<(), GhError> {
        self.count(true);
        match self.of(repo).fail_write {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn pull_info(&self, repo: &RepoName, number: u64, title: &str, body: &str) -> PullInfo {
        let b = self.of(repo);
        PullInfo {
            number,
            url: b
                .pr_url
                .clone()
                .unwrap_or_else(|| format!("{}/{repo}/pull/{number}", self.server)),
            title: title.to_string(),
            head_ref: "priority-sync/main".to_string(),
            head_repo: Some(repo.to_string()),
            base_ref: "main".to_string(),
            body: body.to_string(),
            labels: Vec::new(),
            mergeable: None,
            head_sha: Some(oid(&format!("{repo} old upstream"))),
            open: true,
            node_id: String::new(),
            merged: false,
            auto_merge: false,
        }
    }
}

fn unused(what: &str) -> GhError {
    GhError::Decode(format!("{what} is not part of the report fixtures"))
}

#[async_trait]
impl GitHub for FakeGitHub {
    async fn metadata(
        &self,
        _queries: &[RepoQuery],
        _file: Option<(&RepoName, &str)>,
    ) -> Result<MetaBatch, GhError> {
        Err(unused("metadata"))
    }

    async fn ancestry(&self, _asks: &[AncestryAsk]) -> Result<Vec<Option<Comparison>>, GhError> {
        Err(unused("ancestry"))
    }

    async fn compare(
        &self,
        _repo: &RepoName,
        _branch: &str,
        _upstream: &RepoName,
        _upstream_branch: &str,
    ) -> Result<Option<Comparison>, GhError> {
        Err(unused("compare"))
    }

    async fn open_pulls(
        &self,
        repo: &RepoName,
        head: &str,
        base: &str,
    ) -> Result<Vec<PullInfo>, GhError> {
        self.count(false);
        let b = self.of(repo);
        match b.open_sync_pr {
            Some(n) if head.ends_with(":priority-sync/main") && base == "main" => {
                let body = format!("{PR_MARKER}\nThe text of an earlier run.");
                Ok(vec![self.pull_info(
                    repo,
                    n,
                    "Sync main (older title)",
                    &body,
                )])
            }
            _ => Ok(Vec::new()),
        }
    }

    async fn pull(&self, repo: &RepoName, number: u64) -> Result<Option<PullInfo>, GhError> {
        self.count(false);
        let mut p = self.pull_info(repo, number, "", PR_MARKER);
        p.mergeable = Some(!self.of(repo).conflicts);
        Ok(Some(p))
    }

    async fn branch_head(&self, repo: &RepoName, _branch: &str) -> Result<Option<Oid>, GhError> {
        self.count(false);
        Ok(self
            .of(repo)
            .open_sync_pr
            .map(|_| oid(&format!("{repo} old upstream"))))
    }

    async fn commit_tree(&self, _repo: &RepoName, _sha: &str) -> Result<Option<Oid>, GhError> {
        Err(unused("commit_tree"))
    }

    async fn file(
        &self,
        _repo: &RepoName,
        _path: &str,
        _git_ref: Option<&str>,
    ) -> Result<Option<Vec<u8>>, GhError> {
        Err(unused("file"))
    }

    async fn update_ref(
        &self,
        repo: &RepoName,
        _branch: &str,
        _sha: &str,
        _force: bool,
    ) -> Result<RefUpdate, GhError> {
        self.write(repo).map(|()| RefUpdate::Done)
    }

    async fn create_ref(
        &self,
        repo: &RepoName,
        _branch: &str,
        _sha: &str,
    ) -> Result<RefUpdate, GhError> {
        self.write(repo).map(|()| RefUpdate::Done)
    }

    async fn create_pull(&self, repo: &RepoName, pull: &NewPull) -> Result<PullInfo, GhError> {
        self.write(repo)?;
        self.pull_texts
            .lock()
            .unwrap()
            .push((pull.title.clone(), pull.body.clone()));
        Ok(self.pull_info(repo, pr_number(repo), &pull.title, &pull.body))
    }

    async fn update_pull_body(
        &self,
        repo: &RepoName,
        _number: u64,
        title: &str,
        body: &str,
    ) -> Result<(), GhError> {
        self.write(repo)?;
        self.pull_texts
            .lock()
            .unwrap()
            .push((title.to_string(), body.to_string()));
        Ok(())
    }

    async fn close_pull(&self, repo: &RepoName, _number: u64) -> Result<(), GhError> {
        self.write(repo)
    }

    async fn add_labels(
        &self,
        repo: &RepoName,
        _number: u64,
        _labels: &[String],
    ) -> Result<(), GhError> {
        self.write(repo)
    }

    async fn request_reviewers(
        &self,
        repo: &RepoName,
        _number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<(), GhError> {
        if users.is_empty() && teams.is_empty() {
            return Ok(());
        }
        self.write(repo)
    }

    async fn add_assignees(
        &self,
        repo: &RepoName,
        _number: u64,
        logins: &[String],
    ) -> Result<(), GhError> {
        if logins.is_empty() {
            return Ok(());
        }
        self.write(repo)
    }

    async fn enable_auto_merge(
        &self,
        _repo: &RepoName,
        _pull_id: &str,
        _method: priority_sync::config::MergeMethod,
    ) -> Result<priority_sync::github::AutoMergeAnswer, GhError> {
        Err(unused("enable_auto_merge"))
    }

    async fn create_tree(
        &self,
        _repo: &RepoName,
        _base_tree: &str,
        _files: &[TreeFile],
    ) -> Result<Oid, GhError> {
        Err(unused("create_tree"))
    }

    async fn create_commit(
        &self,
        _repo: &RepoName,
        _message: &str,
        _tree: &str,
        _parents: &[Oid],
    ) -> Result<Oid, GhError> {
        Err(unused("create_commit"))
    }

    async fn merge_upstream(
        &self,
        _repo: &RepoName,
        _branch: &str,
    ) -> Result<MergeUpstream, GhError> {
        Err(unused("merge_upstream"))
    }

    fn stats(&self) -> RequestStats {
        let mut s = self.stats.lock().unwrap().clone();
        s.rate_limit_remaining = Some(5_000 - s.total().min(5_000));
        s
    }
}
