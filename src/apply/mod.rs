//! Apply: the only step that writes. It walks the plan — `top` one repository at a time in
//! list order, later phases with bounded concurrency started in rank order — and turns each
//! decision into ref updates and sync pull requests. A failure is recorded on its repository
//! and the run goes on; only lost credentials or an exhausted budget stop new work, which then
//! stays `pending` for the next run.
//!
//! - this file: the context shared by the tasks, walking the plan, the budget and stop logic,
//!   and each repository's outcome (including a dry run's);
//! - [`fast_forward`]: moving a branch to its upstream;
//! - [`pull_request`]: opening, keeping current and replacing the one sync pull request;
//! - [`pr_text`]: the sync pull request's title, body and labels.

mod fast_forward;
mod pr_text;
mod pull_request;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Inventory;
use crate::decision::{Action, LiveFacts, Status};
use crate::gather::{Gathered, Target};
use crate::github::{GhError, GitHub, PullInfo};
use crate::outcome::RepoOutcome;
use crate::plan::{Phase, PhaseName, Plan, PlannedRepo};
use crate::repo_name::RepoName;

pub use pr_text::PR_MARKER;

/// Everything apply needs, shared by its tasks.
pub struct ApplyContext {
    pub gh: Arc<dyn GitHub>,
    pub inv: Arc<Inventory>,
    pub targets: BTreeMap<RepoName, Target>,
    pub live: BTreeMap<RepoName, LiveFacts>,
    pub gather_errors: BTreeMap<RepoName, String>,
    /// Repositories gather could not read for lack of API budget (they stay `pending`).
    pub gather_deferred: BTreeMap<RepoName, String>,
    /// Last run's sync PRs as they are now (from the metadata batch).
    pub sync_pulls: BTreeMap<RepoName, PullInfo>,
    pub dry_run: bool,
    /// Stop starting new repositories when fewer requests than this remain.
    pub reserve: u64,
    /// Set once a write was refused for lack of the workflow permission.
    workflows_refused: AtomicBool,
    /// Why new work stopped (bad credentials, budget, a read-only token), if it did.
    stopped: Mutex<Option<String>>,
    fatal: AtomicBool,
    /// Some write succeeded in this run (so a later 403 is about one repository, not the token).
    wrote: AtomicBool,
    /// The token turned out not to be allowed to write: the run only reports.
    read_only: AtomicBool,
}

impl ApplyContext {
    pub fn new(
        gh: Arc<dyn GitHub>,
        inv: Arc<Inventory>,
        gathered: &Gathered,
        dry_run: bool,
    ) -> Self {
        Self {
            gh,
            reserve: inv.limits.reserve_requests as u64,
            inv,
            targets: gathered.targets.clone(),
            live: gathered.live.clone(),
            gather_errors: gathered.errors.clone(),
            gather_deferred: gathered.deferred.clone(),
            sync_pulls: gathered.sync_pulls.clone(),
            dry_run,
            workflows_refused: AtomicBool::new(false),
            stopped: Mutex::new(None),
            fatal: AtomicBool::new(false),
            wrote: AtomicBool::new(false),
            read_only: AtomicBool::new(false),
        }
    }

    /// True when credentials failed during apply (the run must exit non-zero).
    pub fn credentials_failed(&self) -> bool {
        self.fatal.load(Ordering::SeqCst)
    }

    /// True when the run found its token cannot write and degraded to reporting.
    pub fn read_only(&self) -> bool {
        self.read_only.load(Ordering::SeqCst)
    }

    pub fn stop_reason(&self) -> Option<String> {
        self.stopped
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Starts no new repository from now on (the run's time budget is spent): the rest is
    /// `pending`, with `why`.
    pub fn stop_new_work(&self, why: String) {
        self.stop(why);
    }

    fn stop(&self, why: String) {
        let mut s = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        if s.is_none() {
            log::warn!("no new work will start: {why}");
            *s = Some(why);
        }
    }

    /// True when the upstream commits the repository lacks change `.github/workflows/`.
    fn touches_workflows(&self, repo: &RepoName) -> bool {
        self.live.get(repo).is_some_and(|l| l.touches_workflows)
    }

    /// True once a write showed that the token cannot write workflow files.
    fn workflows_refused(&self) -> bool {
        self.workflows_refused.load(Ordering::SeqCst)
    }

    /// Remembers that the token cannot write workflow files (later repositories go to a PR).
    fn refuse_workflows(&self) {
        self.workflows_refused.store(true, Ordering::SeqCst);
    }

    /// Checks the budget before starting a repository.
    fn may_start(&self) -> Result<(), String> {
        if let Some(why) = self.stop_reason() {
            return Err(why);
        }
        let stats = self.gh.stats();
        let budget = u64::from(self.inv.limits.writes_per_hour);
        if stats.writes >= budget {
            let why = format!(
                "{} writes made, the hourly write budget (limits.writes_per_hour, GitHub allows 500 an hour); the rest waits for the next run",
                stats.writes
            );
            self.stop(why.clone());
            return Err(why);
        }
        if let Some(rem) = stats.rate_limit_remaining {
            if rem < self.reserve {
                let why = format!(
                    "only {rem} API requests left this hour (reserve {}); the rest waits for the next run",
                    self.reserve
                );
                self.stop(why.clone());
                return Err(why);
            }
        }
        Ok(())
    }
}

/// A repository's outcome before anything is done: the plan's view of it.
pub fn planned_outcome(
    p: &PlannedRepo,
    phase: Option<PhaseName>,
    rank: Option<u32>,
) -> RepoOutcome {
    RepoOutcome {
        repo: p.repo.clone(),
        phase,
        rank,
        score: p.score,
        tier: p.tier,
        reasons: p.reasons.clone(),
        action: p.action,
        status: p.expected,
        detail: p.why.clone(),
        commits_behind: p.facts.commits_behind,
        commits_ahead: p.facts.commits_ahead,
        security_alerts: p.facts.security_alerts,
        pull_request: None,
        error: match p.expected {
            Status::Skipped | Status::Inaccessible => Some(p.why.clone()),
            _ => None,
        },
    }
}

fn pending(mut o: RepoOutcome, why: &str) -> RepoOutcome {
    o.status = Status::Pending;
    o.detail = why.to_string();
    o
}

/// Runs the plan; returns every repository's outcome: the phases' in processing order, then
/// the rest of the fleet.
pub async fn apply(ctx: Arc<ApplyContext>, plan: &Plan) -> Vec<RepoOutcome> {
    let mut out = Vec::new();
    let mut rank = 0u32;
    for phase in plan.phases.iter().filter(|ph| !ph.repos.is_empty()) {
        log::info!(
            "phase {} ({} repositories)",
            phase.name.as_str(),
            phase.repos.len()
        );
        let outcomes = if matches!(phase.name, PhaseName::Top | PhaseName::Force) {
            one_at_a_time(&ctx, phase, rank).await
        } else {
            concurrently(&ctx, phase, rank).await
        };
        rank += phase.repos.len() as u32;
        out.extend(outcomes);
    }
    out.extend(
        unplanned_outcomes(
            plan.unplanned.iter(),
            &format!("not in this run's phases ({})", plan.mode.mode),
        )
        .into_iter()
        .map(|o| unread(&ctx, &o).unwrap_or(o)),
    );
    out
}

/// A phase's repositories one at a time, in list order (`top`, `force`). Ranks follow `after`.
async fn one_at_a_time(ctx: &Arc<ApplyContext>, phase: &Phase, after: u32) -> Vec<RepoOutcome> {
    let mut out = Vec::new();
    for (rank, p) in (after + 1..).zip(&phase.repos) {
        let o = run_one(ctx.clone(), p.clone(), phase.name, rank).await;
        log_done(&o);
        out.push(o);
    }
    out
}

/// A phase's repositories with bounded concurrency (`limits.concurrency`), started in rank
/// order; the outcomes are returned, and logged, in rank order (each as soon as every earlier
/// one is done).
async fn concurrently(ctx: &Arc<ApplyContext>, phase: &Phase, after: u32) -> Vec<RepoOutcome> {
    let sem = Arc::new(Semaphore::new(ctx.inv.limits.concurrency.max(1)));
    let mut set = JoinSet::new();
    for (rank, p) in (after + 1..).zip(&phase.repos) {
        let permit = sem.clone().acquire_owned().await.expect("semaphore open");
        let ctx = ctx.clone();
        let p = p.clone();
        let name = phase.name;
        set.spawn(async move {
            let o = run_one(ctx, p, name, rank).await;
            drop(permit);
            o
        });
    }
    let mut results = BTreeMap::new();
    let mut logged = after;
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(o) => {
                results.insert(o.rank, o);
                while let Some(o) = results.get(&Some(logged + 1)) {
                    log_done(o);
                    logged += 1;
                }
            }
            Err(e) => log::error!("a sync task panicked: {e}"),
        }
    }
    for o in results.values().filter(|o| o.rank > Some(logged)) {
        log_done(o);
    }
    results.into_values().collect()
}

/// Logs what a write did (a failed one was logged when it failed; pending ones did nothing).
fn log_done(o: &RepoOutcome) {
    let tried = matches!(o.action, Action::FastForward | Action::PullRequest);
    let done = !matches!(o.status, Status::Pending | Status::Failed);
    if tried && done {
        log::info!("{:>4}. {} — {}", o.rank.unwrap_or(0), o.repo, o.detail);
    }
}

/// The outcome of a repository gather could not read, if it could not: `pending` when a rate
/// limit or the request budget stopped the read (the next run reads it), else `failed`.
fn unread(ctx: &ApplyContext, base: &RepoOutcome) -> Option<RepoOutcome> {
    let mut o = base.clone();
    o.action = Action::None;
    if let Some(why) = ctx.gather_deferred.get(&o.repo) {
        o.error = None;
        return Some(pending(o, &format!("{why}; retried next run")));
    }
    let err = ctx.gather_errors.get(&o.repo)?;
    o.status = Status::Failed;
    o.detail = err.clone();
    o.error = Some(err.clone());
    Some(o)
}

/// Outcomes of repositories nothing was done to: what their facts say, and `pending` with
/// `why` for those that need a sync.
pub fn unplanned_outcomes<'a>(
    repos: impl Iterator<Item = &'a PlannedRepo>,
    why: &str,
) -> Vec<RepoOutcome> {
    repos
        .map(|p| {
            let o = planned_outcome(p, None, None);
            match p.action {
                Action::FastForward | Action::PullRequest => {
                    pending(o, &format!("{why}; {}", p.why))
                }
                _ => o,
            }
        })
        .collect()
}

/// One repository: its outcome when nothing is to be written (unread, nothing to do, a dry
/// run, no budget left), else the write and its outcome.
async fn run_one(
    ctx: Arc<ApplyContext>,
    p: PlannedRepo,
    phase: PhaseName,
    rank: u32,
) -> RepoOutcome {
    let base = planned_outcome(&p, Some(phase), Some(rank));
    if let Some(o) = unread(&ctx, &base) {
        return o;
    }
    if !matches!(p.action, Action::FastForward | Action::PullRequest) {
        return base;
    }
    if ctx.dry_run {
        let detail = dry_run_detail(&ctx, &p);
        return pending(base, &detail);
    }
    if let Err(why) = ctx.may_start() {
        return pending(base, &why);
    }
    let Some(target) = ctx.targets.get(&p.repo).cloned() else {
        let mut o = base;
        o.status = Status::Failed;
        o.error = Some("no upstream head was gathered".into());
        return o;
    };
    let result = match p.action {
        Action::FastForward => fast_forward::fast_forward(&ctx, &p, &target, base.clone()).await,
        _ => pull_request::pull_request(&ctx, &p, &target, base.clone(), None).await,
    };
    match result {
        Ok(o) => {
            if matches!(o.status, Status::Synced | Status::PrOpen) {
                ctx.wrote.store(true, Ordering::SeqCst);
            }
            o
        }
        Err(e) => failed(&ctx, &p, base, e),
    }
}

/// What a dry run says it would do to a repository, and why: "would fast-forward 3 commits",
/// "would open a sync PR (25 behind, more than 10: rules.pr_over_commits)", or, when last
/// run's sync PR is open, "would update sync PR #12 (…)" / "sync PR #12 is already current".
fn dry_run_detail(ctx: &ApplyContext, p: &PlannedRepo) -> String {
    if p.action == Action::FastForward {
        let n = p.facts.commits_behind;
        return format!(
            "dry run: would fast-forward {n} commit{}",
            if n == 1 { "" } else { "s" }
        );
    }
    let why = aside(&p.why);
    let ours = ctx
        .sync_pulls
        .get(&p.repo)
        .filter(|pr| pr.open && pr.body.contains(PR_MARKER));
    match ours {
        Some(pr) => {
            let current = ctx
                .targets
                .get(&p.repo)
                .and_then(|t| pull_request::current_sync_pr(ctx, p, t, &p.why))
                .is_some();
            if current {
                format!("dry run: sync PR #{} is already current ({why})", pr.number)
            } else {
                format!("dry run: would update sync PR #{} ({why})", pr.number)
            }
        }
        None => format!("dry run: would open a sync PR ({why})"),
    }
}

/// A reason made fit to stand inside parentheses: its own trailing `(…)` becomes `: …`
/// ("25 behind, more than 10 (rules.pr_over_commits)" → "…, more than 10: rules.pr_over_commits").
fn aside(why: &str) -> String {
    match why.strip_suffix(')').and_then(|w| w.rsplit_once(" (")) {
        Some((head, tail)) if !tail.contains(['(', ')']) => format!("{head}: {tail}"),
        _ => why.to_string(),
    }
}

/// A write that failed: recorded on the repository. Lost credentials and an exhausted budget
/// stop new work; a refused first write means the token cannot write, and the run goes on
/// reporting only.
fn failed(ctx: &ApplyContext, p: &PlannedRepo, base: RepoOutcome, e: GhError) -> RepoOutcome {
    if e.is_fatal() {
        ctx.fatal.store(true, Ordering::SeqCst);
        ctx.stop(format!("credentials rejected: {e}"));
    } else if e.is_out_of_budget() {
        ctx.stop(format!("rate limit: {e}"));
        return pending(base, &format!("rate limited; retried next run ({e})"));
    } else if matches!(e, GhError::Forbidden(_)) && !ctx.wrote.load(Ordering::SeqCst) {
        // The first write of the run was refused: the token cannot write. Report
        // everything, write nothing more, and say how to fix it.
        ctx.read_only.store(true, Ordering::SeqCst);
        let why = format!(
            "the token may not write ({e} on {}): reporting only; give it contents and pull requests write access to sync",
            p.repo
        );
        ctx.stop(why.clone());
        return pending(base, &why);
    }
    log::warn!("{} failed: {e}", p.repo);
    let mut o = base;
    o.status = Status::Failed;
    o.detail = format!("{} failed", p.action.as_str());
    o.error = Some(e.to_string());
    o
}
