//! Test double (unit tests only): a GitHub whose answers a test scripts in order, which
//! records when each call came (on tokio's clock, so paused-time tests see the waits) and
//! fails the test on any call it has no answer for.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use crate::github::{
    AncestryAsk, Comparison, GhError, GitHub, MergeUpstream, MetaBatch, NewPull, PullInfo,
    RefUpdate, RepoQuery, RequestStats, TreeFile,
};
use crate::ids::Oid;
use crate::repo_name::RepoName;

/// Scripted answers, each list consumed front to back.
pub(crate) struct Scripted {
    /// Answers to `pull`.
    pub pulls: Mutex<VecDeque<Option<PullInfo>>>,
    /// Answers to `open_pulls`.
    pub lists: Mutex<VecDeque<Vec<PullInfo>>>,
    /// Answers to `branch_head`.
    pub heads: Mutex<VecDeque<Option<Oid>>>,
    /// Answers to `update_ref`.
    pub ref_updates: Mutex<VecDeque<RefUpdate>>,
    /// Each call's name and when it came, since the double was made.
    pub calls: Mutex<Vec<(&'static str, Duration)>>,
    start: tokio::time::Instant,
}

impl Scripted {
    pub fn new() -> Self {
        Self {
            pulls: Mutex::default(),
            lists: Mutex::default(),
            heads: Mutex::default(),
            ref_updates: Mutex::default(),
            calls: Mutex::default(),
            start: tokio::time::Instant::now(),
        }
    }

    /// A commit id made of one repeated hex digit (`oid('1')`), for scripted heads.
    pub fn oid(digit: char) -> Oid {
        Oid::parse(&digit.to_string().repeat(40)).expect("a hex digit")
    }

    /// The commit `create_commit` makes on `parent`: the parent's id with its first digit
    /// replaced by `c`, so a test can tell which head a commit was built on.
    pub fn commit_on(parent: &Oid) -> Oid {
        Oid::parse(&format!("c{}", &parent.as_str()[1..])).expect("hex")
    }

    /// The calls named `name`, by when they came.
    pub fn times(&self, name: &str) -> Vec<Duration> {
        let calls = self.calls.lock().unwrap();
        calls
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .collect()
    }

    fn called(&self, name: &'static str) {
        let at = self.start.elapsed();
        self.calls.lock().unwrap().push((name, at));
    }

    fn next<T>(&self, name: &'static str, list: &Mutex<VecDeque<T>>) -> T {
        self.called(name);
        list.lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| panic!("no scripted answer left for {name}"))
    }
}

#[async_trait]
impl GitHub for Scripted {
    async fn metadata(
        &self,
        _: &[RepoQuery],
        _: Option<(&RepoName, &str)>,
    ) -> Result<MetaBatch, GhError> {
        unreachable!("not scripted: metadata")
    }
    async fn ancestry(&self, _: &[AncestryAsk]) -> Result<Vec<Option<Comparison>>, GhError> {
        unreachable!("not scripted: ancestry")
    }
    async fn compare(
        &self,
        _: &RepoName,
        _: &str,
        _: &RepoName,
        _: &str,
    ) -> Result<Option<Comparison>, GhError> {
        unreachable!("not scripted: compare")
    }
    async fn open_pulls(&self, _: &RepoName, _: &str, _: &str) -> Result<Vec<PullInfo>, GhError> {
        Ok(self.next("open_pulls", &self.lists))
    }
    async fn pull(&self, _: &RepoName, _: u64) -> Result<Option<PullInfo>, GhError> {
        Ok(self.next("pull", &self.pulls))
    }
    async fn branch_head(&self, _: &RepoName, _: &str) -> Result<Option<Oid>, GhError> {
        Ok(self.next("branch_head", &self.heads))
    }
    async fn commit_tree(&self, _: &RepoName, _: &str) -> Result<Option<Oid>, GhError> {
        self.called("commit_tree");
        Ok(Some(Self::oid('e')))
    }
    async fn file(
        &self,
        _: &RepoName,
        _: &str,
        _: Option<&str>,
    ) -> Result<Option<Vec<u8>>, GhError> {
        self.called("file");
        Ok(None)
    }
    async fn update_ref(
        &self,
        _: &RepoName,
        _: &str,
        _: &str,
        _: bool,
    ) -> Result<RefUpdate, GhError> {
        Ok(self.next("update_ref", &self.ref_updates))
    }
    async fn create_ref(&self, _: &RepoName, _: &str, _: &str) -> Result<RefUpdate, GhError> {
        unreachable!("not scripted: create_ref")
    }
    async fn create_pull(&self, _: &RepoName, _: &NewPull) -> Result<PullInfo, GhError> {
        unreachable!("not scripted: create_pull")
    }
    async fn update_pull_body(
        &self,
        _: &RepoName,
        _: u64,
        _: &str,
        _: &str,
    ) -> Result<(), GhError> {
        unreachable!("not scripted: update_pull_body")
    }
    async fn close_pull(&self, _: &RepoName, _: u64) -> Result<(), GhError> {
        unreachable!("not scripted: close_pull")
    }
    async fn add_labels(&self, _: &RepoName, _: u64, _: &[String]) -> Result<(), GhError> {
        unreachable!("not scripted: add_labels")
    }
    async fn request_reviewers(
        &self,
        _: &RepoName,
        _: u64,
        _: &[String],
        _: &[String],
    ) -> Result<(), GhError> {
        unreachable!("not scripted: request_reviewers")
    }
    async fn add_assignees(&self, _: &RepoName, _: u64, _: &[String]) -> Result<(), GhError> {
        unreachable!("not scripted: add_assignees")
    }
    async fn enable_auto_merge(
        &self,
        _: &RepoName,
        _: &str,
        _: crate::config::MergeMethod,
    ) -> Result<crate::github::AutoMergeAnswer, GhError> {
        unreachable!("not scripted: add_assignees")
    }
    async fn create_tree(&self, _: &RepoName, _: &str, _: &[TreeFile]) -> Result<Oid, GhError> {
        self.called("create_tree");
        Ok(Self::oid('f'))
    }
    async fn create_commit(
        &self,
        _: &RepoName,
        _: &str,
        _: &str,
        parents: &[Oid],
    ) -> Result<Oid, GhError> {
        self.called("create_commit");
        Ok(Self::commit_on(parents.first().expect("a parent")))
    }
    async fn merge_upstream(&self, _: &RepoName, _: &str) -> Result<MergeUpstream, GhError> {
        unreachable!("not scripted: merge_upstream")
    }
    fn stats(&self) -> RequestStats {
        RequestStats::default()
    }
}
