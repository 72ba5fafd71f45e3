//! The run's time budget (`time_budget_minutes`): gather and apply reach GitHub through
//! [`Budgeted`], which refuses every request once the budget is spent and cuts one still
//! running when it runs out ([`GhError::Budget`], so the repository waits for the next run);
//! apply is told to start no new repository ([`TimeBudget::when_spent`]). The audit commit and
//! the alert are outside the budget: past it, the run still reports and commits.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use crate::github::{
    AncestryAsk, AutoMergeAnswer, Comparison, GhError, GitHub, MergeUpstream, MetaBatch, NewPull,
    PullInfo, RefUpdate, RepoQuery, RequestStats, TagAsk, TagPage, TokenProbe, TokenRights,
    TreeFile,
};
use crate::ids::{Oid, TagName};
use crate::repo_name::RepoName;

/// What to do once the budget is spent (called once).
type Hook = Arc<Mutex<Option<Box<dyn FnOnce(String) + Send>>>>;

/// A run's time budget, from its start.
#[derive(Clone)]
pub struct TimeBudget {
    deadline: Instant,
    limit: Duration,
    hook: Hook,
}

impl std::fmt::Debug for TimeBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeBudget")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl TimeBudget {
    /// A budget of `limit` from now.
    pub fn start(limit: Duration) -> Self {
        Self {
            deadline: Instant::now() + limit,
            limit,
            hook: Hook::default(),
        }
    }

    pub fn is_spent(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Why work stops once the budget is spent.
    pub fn reason(&self) -> String {
        format!(
            "the run's time budget of {} (time_budget_minutes) is spent; the rest waits for the next run",
            describe(self.limit)
        )
    }

    /// `gh`, bounded by this budget.
    pub fn guard(&self, gh: Arc<dyn GitHub>) -> Arc<dyn GitHub> {
        Arc::new(Budgeted {
            inner: gh,
            budget: self.clone(),
        })
    }

    /// Calls `stop` with [`TimeBudget::reason`] once the budget is spent: now, when it
    /// already is; else at the deadline, or before a request it refuses or cuts reports the
    /// error (so new work stops for the budget's reason, not the request's). Until the
    /// returned guard is dropped.
    pub fn when_spent(&self, stop: impl FnOnce(String) + Send + 'static) -> SpentGuard {
        *self.hook.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(stop));
        if self.is_spent() {
            self.fire();
            return SpentGuard(None, self.hook.clone());
        }
        let budget = self.clone();
        let task = tokio::spawn(async move {
            tokio::time::sleep_until(budget.deadline).await;
            budget.fire();
        });
        SpentGuard(Some(task), self.hook.clone())
    }

    /// Calls the [`TimeBudget::when_spent`] hook, once.
    fn fire(&self) {
        let hook = self.hook.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(stop) = hook {
            stop(self.reason());
        }
    }

    /// Runs one request within the budget: refused once it is spent, cut when it runs out.
    async fn run<T>(&self, call: impl Future<Output = Result<T, GhError>>) -> Result<T, GhError> {
        if self.is_spent() {
            self.fire();
            return Err(GhError::Budget(self.reason()));
        }
        match tokio::time::timeout_at(self.deadline, call).await {
            Ok(answer) => answer,
            Err(_) => {
                self.fire();
                Err(GhError::Budget(self.reason()))
            }
        }
    }
}

/// Cancels [`TimeBudget::when_spent`]'s task and drops its hook when dropped.
pub struct SpentGuard(Option<tokio::task::JoinHandle<()>>, Hook);

impl Drop for SpentGuard {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
        self.1.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// "90 minutes", "1 minute", or seconds for a budget that is not whole minutes (test knobs).
fn describe(limit: Duration) -> String {
    let secs = limit.as_secs_f64();
    if limit.subsec_nanos() == 0 && limit.as_secs() % 60 == 0 {
        crate::plural::count(limit.as_secs() / 60, "minute", "minutes")
    } else {
        format!("{secs:.1} s")
    }
}

/// [`GitHub`] within a [`TimeBudget`]: every call forwards to `inner` through
/// [`TimeBudget::run`].
struct Budgeted {
    inner: Arc<dyn GitHub>,
    budget: TimeBudget,
}

#[async_trait]
impl GitHub for Budgeted {
    async fn metadata(
        &self,
        queries: &[RepoQuery],
        file: Option<(&RepoName, &str)>,
    ) -> Result<MetaBatch, GhError> {
        self.budget.run(self.inner.metadata(queries, file)).await
    }

    async fn ancestry(&self, asks: &[AncestryAsk]) -> Result<Vec<Option<Comparison>>, GhError> {
        self.budget.run(self.inner.ancestry(asks)).await
    }

    async fn history_sizes(
        &self,
        asks: &[AncestryAsk],
    ) -> Result<Vec<Option<(u64, u64)>>, GhError> {
        self.budget.run(self.inner.history_sizes(asks)).await
    }

    async fn tags(&self, asks: &[TagAsk]) -> Result<Vec<Result<TagPage, GhError>>, GhError> {
        self.budget.run(self.inner.tags(asks)).await
    }

    async fn compare(
        &self,
        repo: &RepoName,
        branch: &str,
        upstream: &RepoName,
        upstream_branch: &str,
    ) -> Result<Option<Comparison>, GhError> {
        self.budget
            .run(self.inner.compare(repo, branch, upstream, upstream_branch))
            .await
    }

    async fn open_pulls(
        &self,
        repo: &RepoName,
        head: &str,
        base: &str,
    ) -> Result<Vec<PullInfo>, GhError> {
        self.budget
            .run(self.inner.open_pulls(repo, head, base))
            .await
    }

    async fn pull(&self, repo: &RepoName, number: u64) -> Result<Option<PullInfo>, GhError> {
        self.budget.run(self.inner.pull(repo, number)).await
    }

    async fn branch_head(&self, repo: &RepoName, branch: &str) -> Result<Option<Oid>, GhError> {
        self.budget.run(self.inner.branch_head(repo, branch)).await
    }

    async fn commit_tree(&self, repo: &RepoName, sha: &str) -> Result<Option<Oid>, GhError> {
        self.budget.run(self.inner.commit_tree(repo, sha)).await
    }

    async fn file(
        &self,
        repo: &RepoName,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<Option<Vec<u8>>, GhError> {
        self.budget.run(self.inner.file(repo, path, git_ref)).await
    }

    async fn update_ref(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
        force: bool,
    ) -> Result<RefUpdate, GhError> {
        self.budget
            .run(self.inner.update_ref(repo, branch, sha, force))
            .await
    }

    async fn create_ref(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
    ) -> Result<RefUpdate, GhError> {
        self.budget
            .run(self.inner.create_ref(repo, branch, sha))
            .await
    }

    async fn create_tag(
        &self,
        repo: &RepoName,
        name: &TagName,
        object: &Oid,
    ) -> Result<RefUpdate, GhError> {
        self.budget
            .run(self.inner.create_tag(repo, name, object))
            .await
    }

    async fn create_pull(&self, repo: &RepoName, pull: &NewPull) -> Result<PullInfo, GhError> {
        self.budget.run(self.inner.create_pull(repo, pull)).await
    }

    async fn update_pull_body(
        &self,
        repo: &RepoName,
        number: u64,
        title: &str,
        body: &str,
    ) -> Result<(), GhError> {
        self.budget
            .run(self.inner.update_pull_body(repo, number, title, body))
            .await
    }

    async fn close_pull(&self, repo: &RepoName, number: u64) -> Result<(), GhError> {
        self.budget.run(self.inner.close_pull(repo, number)).await
    }

    async fn add_labels(
        &self,
        repo: &RepoName,
        number: u64,
        labels: &[String],
    ) -> Result<(), GhError> {
        self.budget
            .run(self.inner.add_labels(repo, number, labels))
            .await
    }

    async fn request_reviewers(
        &self,
        repo: &RepoName,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<(), GhError> {
        self.budget
            .run(self.inner.request_reviewers(repo, number, users, teams))
            .await
    }

    async fn add_assignees(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> Result<(), GhError> {
        self.budget
            .run(self.inner.add_assignees(repo, number, logins))
            .await
    }

    async fn enable_auto_merge(
        &self,
        repo: &RepoName,
        pull_id: &str,
        method: crate::config::MergeMethod,
    ) -> Result<AutoMergeAnswer, GhError> {
        self.budget
            .run(self.inner.enable_auto_merge(repo, pull_id, method))
            .await
    }

    async fn create_tree(
        &self,
        repo: &RepoName,
        base_tree: &str,
        files: &[TreeFile],
    ) -> Result<Oid, GhError> {
        self.budget
            .run(self.inner.create_tree(repo, base_tree, files))
            .await
    }

    async fn create_commit(
        &self,
        repo: &RepoName,
        message: &str,
        tree: &str,
        parents: &[Oid],
    ) -> Result<Oid, GhError> {
        self.budget
            .run(self.inner.create_commit(repo, message, tree, parents))
            .await
    }

    async fn merge_upstream(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> Result<MergeUpstream, GhError> {
        self.budget
            .run(self.inner.merge_upstream(repo, branch))
            .await
    }

    fn stats(&self) -> RequestStats {
        self.inner.stats()
    }

    // What the token may do: no request of its own to bound (read from answers already
    // made, or asked once and kept by the client).
    async fn token_rights(&self, repo: &RepoName) -> TokenRights {
        self.inner.token_rights(repo).await
    }

    async fn token_probe(&self) -> Result<Option<TokenProbe>, GhError> {
        self.budget.run(self.inner.token_probe()).await
    }

    async fn installation_permissions(&self, repo: &RepoName) -> Option<serde_json::Value> {
        self.inner.installation_permissions(repo).await
    }

    fn write_refusal(&self, repo: &RepoName) -> Option<String> {
        self.inner.write_refusal(repo)
    }

    fn batch_key(&self, repo: &RepoName) -> String {
        self.inner.batch_key(repo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the methods declared in the block of `text` that starts with `start`.
    fn methods(text: &str, start: &str) -> std::collections::BTreeSet<String> {
        let block = &text[text.find(start).expect(start)..];
        let mut depth = 0usize;
        let mut end = block.len();
        for (i, c) in block.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        block[..end]
            .lines()
            .filter_map(|l| {
                let l = l.trim_start();
                let rest = l
                    .strip_prefix("async fn ")
                    .or_else(|| l.strip_prefix("fn "))?;
                Some(rest.split(['(', '<']).next()?.to_string())
            })
            .collect()
    }

    /// Every method of the `GitHub` trait goes through the budget, those with a default body
    /// too: a method left out would silently answer the default (and skip the budget).
    #[test]
    fn every_method_of_the_trait_is_forwarded() {
        let github = include_str!("../github/mod.rs");
        let here = include_str!("budget.rs");
        let declared = methods(github, "pub trait GitHub");
        let forwarded = methods(here, "impl GitHub for Budgeted");
        assert!(declared.len() > 15, "{declared:?}");
        assert_eq!(
            declared, forwarded,
            "forward each method of the GitHub trait"
        );
    }

    #[test]
    fn the_reason_names_the_budget_and_the_input() {
        let b = TimeBudget::start(Duration::from_secs(90 * 60));
        assert_eq!(
            b.reason(),
            "the run's time budget of 90 minutes (time_budget_minutes) is spent; the rest waits for the next run"
        );
        assert_eq!(describe(Duration::from_secs(60)), "1 minute");
        assert_eq!(describe(Duration::from_millis(2500)), "2.5 s");
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_refused_once_spent_and_cut_when_it_runs_out() {
        let b = TimeBudget::start(Duration::from_secs(10));
        // Within the budget: answered.
        assert_eq!(b.run(async { Ok::<_, GhError>(1) }).await, Ok(1));
        // A request still running when it runs out is cut.
        let slow = async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, GhError>(2)
        };
        let cut = b.run(slow).await.unwrap_err();
        assert!(cut.is_out_of_budget(), "{cut}");
        assert!(b.is_spent());
        // Past it, nothing is sent.
        let refused = b
            .run(async { panic!("a request was sent past the budget") as Result<(), GhError> })
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("time budget of 10.0 s"),
            "{refused}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn apply_is_told_once_the_budget_is_spent() {
        let (tx, rx) = std::sync::mpsc::channel();
        let b = TimeBudget::start(Duration::from_secs(5));
        let _guard = b.when_spent(move |why| tx.send(why).unwrap());
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert!(rx.try_recv().is_err(), "not before the budget is spent");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(rx.try_recv().unwrap().contains("time budget"));
        // Spent already: told at once.
        let (tx, rx) = std::sync::mpsc::channel();
        let _g = b.when_spent(move |why| tx.send(why).unwrap());
        assert!(rx.try_recv().is_ok());
    }

    /// A request cut by the budget tells apply before its error comes back, so new work stops
    /// for the budget's reason, whichever of the two the runtime wakes first.
    #[tokio::test(start_paused = true)]
    async fn a_cut_request_tells_apply_first() {
        let told = Arc::new(Mutex::new(Vec::new()));
        let b = TimeBudget::start(Duration::from_secs(5));
        let log = told.clone();
        let _guard = b.when_spent(move |_| log.lock().unwrap().push("stopped"));
        let log = told.clone();
        let slow = async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok::<_, GhError>(())
        };
        let e = b.run(slow).await.unwrap_err();
        log.lock().unwrap().push("error");
        assert!(e.is_out_of_budget());
        assert_eq!(*told.lock().unwrap(), ["stopped", "error"]);
    }
}
