//! Apply: the only step that writes. It walks the plan — `top` one repository at a time in
//! list order, later phases with bounded concurrency started in rank order — and turns each
//! decision into ref updates and sync pull requests. A failure is recorded on its repository
//! and the run goes on; only lost credentials or an exhausted budget stop new work, which then
//! stays `pending` for the next run.
//!
//! - this file: the context shared by the tasks, walking the plan, the budget and stop logic,
//!   and each repository's outcome (including a dry run's);
//! - [`access`]: who may write where (a refusal is one repository's; read-only takes evidence);
//! - [`fast_forward`]: moving a branch to its upstream;
//! - [`create_branch`]: a listed branch only the upstream has, created in the fork;
//! - [`pull_request`]: opening, keeping current and replacing the one sync pull request;
//! - [`pr_text`]: the sync pull request's title, body and labels;
//! - [`ref_write`]: a ref write that survives GitHub's 404s, and [`not_found`], what such a 404
//!   means and when GitHub's own sync may follow it (pure decisions).
//! - [`rewrite`]: the sync branch after upstream rewrote its history.
//! - [`tags`]: the upstream's missing tags, created after the branches.
//! - [`pull_lag`]: waiting out GitHub's pull request lags (mergeability computed later, lists
//!   that miss a new pull request).

mod access;
mod create_branch;
mod fast_forward;
pub mod hands_off;
mod not_found;
mod pr_text;
mod pull_lag;
mod pull_request;
mod ref_write;
mod rewrite;
mod tags;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Inventory;
use crate::decision::{Action, LiveFacts, Status};
use crate::gather::{BranchGathered, Gathered, Target};
use crate::github::{GhError, GitHub, PullInfo, GITHUB_WRITES_PER_HOUR};
use crate::outcome::RepoOutcome;
use crate::plan::{Phase, PhaseName, Plan, PlannedRepo};
use crate::repo_name::RepoName;
use crate::unit::Unit;

pub use pr_text::PR_MARKER;
pub use tags::sync_tags;

/// How long, in all, a ref write answered 404 is sent again while new upstream commits reach
/// the fork, by default: GitHub gives no figure for that delay; a few seconds covers a short
/// one, and a longer one is settled by GitHub's sync or a PR from the upstream branch.
pub const DEFAULT_PROPAGATION_WAIT: Duration = Duration::from_secs(3);

/// Everything apply needs, shared by its tasks.
pub struct ApplyContext {
    pub gh: Arc<dyn GitHub>,
    pub inv: Arc<Inventory>,
    /// Keyed by unit: a repository, or one of its branches (`branches:`).
    pub targets: BTreeMap<Unit, Target>,
    pub live: BTreeMap<Unit, LiveFacts>,
    pub gather_errors: BTreeMap<RepoName, String>,
    /// Repositories gather could not read for lack of API budget (they stay `pending`).
    pub gather_deferred: BTreeMap<RepoName, String>,
    /// Last run's sync PRs as they are now (from the metadata batch).
    pub sync_pulls: BTreeMap<Unit, PullInfo>,
    pub dry_run: bool,
    /// Stop starting new repositories when fewer requests than this remain.
    pub reserve: u64,
    /// How long, in all, a ref write answered 404 is sent again while new upstream commits
    /// reach the fork ([`DEFAULT_PROPAGATION_WAIT`]; `PRIORITY_SYNC_PROPAGATION_WAIT_MS`).
    pub propagation_wait: Duration,
    /// Repositories whose new upstream commits are known not to be in the fork yet (or whose
    /// 404 may be a workflow refusal), with why: their sync PR comes from the upstream branch.
    not_reached: Mutex<BTreeMap<Unit, String>>,
    /// Set once a write was refused for lack of the workflow permission.
    workflows_refused: AtomicBool,
    /// Repositories started and not finished.
    running: AtomicU64,
    /// Why new work stopped (bad credentials, budget, a read-only token), if it did.
    stopped: Mutex<Option<String>>,
    fatal: AtomicBool,
    /// Some write succeeded in this run (so a later 403 is about one repository, not the token).
    wrote: AtomicBool,
    /// The token turned out not to be allowed to write: the run only reports.
    read_only: AtomicBool,
    /// Repositories the token's user may not push to (from gather), with why.
    cannot_write: BTreeMap<RepoName, String>,
    /// Repositories whose writes were refused for lack of access (evidence about the token).
    refused: Mutex<BTreeSet<RepoName>>,
    /// Repositories that failed for lack of access: `pending` instead if the run turns out to
    /// be read-only.
    unwritable: Mutex<BTreeSet<RepoName>>,
    /// How many repositories the plan writes to, and of how many owners.
    planned_writes: AtomicUsize,
    planned_owners: AtomicUsize,
    /// Repositories that answered that they do not allow auto-merge (said once each).
    auto_merge_refused: Mutex<BTreeSet<RepoName>>,
    /// Repositories GitHub said do not allow auto-merge (the metadata batch): never asked.
    auto_merge_disallowed: BTreeSet<RepoName>,
    /// Listed branches the upstream has and the fork does not: created, not fast-forwarded.
    to_create: BTreeSet<Unit>,
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
            targets: by_unit(&gathered.targets, gathered, |b| b.target.clone()),
            live: by_unit(&gathered.live, gathered, |b| Some(b.unit.live.clone())),
            gather_errors: gathered.errors.clone(),
            gather_deferred: gathered.deferred.clone(),
            sync_pulls: by_unit(&gathered.sync_pulls, gathered, |b| b.sync_pull.clone()),
            dry_run,
            propagation_wait: DEFAULT_PROPAGATION_WAIT,
            not_reached: Mutex::new(BTreeMap::new()),
            workflows_refused: AtomicBool::new(false),
            running: AtomicU64::new(0),
            stopped: Mutex::new(None),
            fatal: AtomicBool::new(false),
            wrote: AtomicBool::new(false),
            read_only: AtomicBool::new(false),
            cannot_write: gathered.cannot_write.clone(),
            refused: Mutex::new(BTreeSet::new()),
            unwritable: Mutex::new(BTreeSet::new()),
            planned_writes: AtomicUsize::new(0),
            planned_owners: AtomicUsize::new(0),
            auto_merge_refused: Mutex::new(BTreeSet::new()),
            auto_merge_disallowed: gathered.auto_merge_disallowed.clone(),
            to_create: gathered
                .branches
                .iter()
                .flat_map(|(repo, list)| {
                    list.iter()
                        .filter(|b| b.unit.missing_in_fork)
                        .map(|b| Unit::of_branch(repo.clone(), b.unit.branch.clone()))
                })
                .collect(),
        }
    }

    /// Remembers that a write went through: the token can write, so a refusal later is about
    /// one repository.
    fn note_written(&self) {
        self.wrote.store(true, Ordering::SeqCst);
    }

    /// Why nothing may be written to `repo`, when that is known before writing: the user's
    /// role there, or the credentials' permissions.
    fn known_unwritable(&self, repo: &RepoName) -> Option<String> {
        self.cannot_write
            .get(repo)
            .cloned()
            .or_else(|| self.gh.write_refusal(repo))
    }

    /// Counts the plan's writes and their owners, and goes read-only at once when every
    /// repository to write to is known to be out of reach.
    fn survey(&self, plan: &Plan) {
        let writes: Vec<&PlannedRepo> = plan
            .in_order()
            .map(|(_, p)| p)
            .filter(|p| matches!(p.action, Action::FastForward | Action::PullRequest))
            .filter(|p| !self.gather_errors.contains_key(&p.repo))
            .filter(|p| !self.gather_deferred.contains_key(&p.repo))
            .collect();
        let owners: BTreeSet<String> = writes
            .iter()
            .map(|p| p.repo.owner().to_ascii_lowercase())
            .collect();
        self.planned_writes.store(writes.len(), Ordering::SeqCst);
        self.planned_owners.store(owners.len(), Ordering::SeqCst);
        let reasons: Vec<String> = writes
            .iter()
            .map_while(|p| self.known_unwritable(&p.repo))
            .collect();
        if !writes.is_empty() && !self.dry_run && reasons.len() == writes.len() {
            self.read_only.store(true, Ordering::SeqCst);
            self.stop(format!(
                "the token may not write to any of the {} repositories that need a sync ({}): reporting only; give it contents and pull requests write access to sync",
                writes.len(),
                reasons[0]
            ));
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

    /// The upstream `repo` is synced with (of any of its branches), when one was gathered.
    pub fn upstream_of(&self, repo: &RepoName) -> Option<&RepoName> {
        self.targets
            .range(Unit::whole(repo.clone())..)
            .take_while(|(u, _)| &u.repo == repo)
            .map(|(_, t)| &t.upstream)
            .next()
    }

    /// True when the upstream commits the repository lacks change `.github/workflows/`.
    fn touches_workflows(&self, repo: &Unit) -> bool {
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

    /// True when the token is known not to write workflow files: a write was refused this
    /// run, or GitHub's answers say so (a classic token's scopes, an App token's permissions).
    async fn cannot_write_workflows(&self, repo: &RepoName) -> bool {
        self.workflows_refused()
            || self.gh.token_rights(repo).await.workflows == crate::github::WorkflowRight::Missing
    }

    /// Why a PR replaces a write that changes workflow files, naming the permission to add.
    async fn workflow_reason(&self, repo: &RepoName) -> String {
        not_found::workflows_refused(self.gh.token_rights(repo).await.kind)
    }

    /// Remembers that `repo`'s new upstream commits have not reached the fork, and why.
    fn not_reached(&self, repo: &Unit, why: String) {
        self.not_reached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(repo.clone(), why);
    }

    /// Why `repo`'s new upstream commits are known not to be in the fork, if they are.
    fn known_not_reached(&self, repo: &Unit) -> Option<String> {
        self.not_reached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(repo)
            .cloned()
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
        if !room_for_one_more(stats.writes, self.running.load(Ordering::SeqCst)) {
            let why = format!(
                "{} writes made and {} repositories still syncing: another could take the run and its audit commit past GitHub's {GITHUB_WRITES_PER_HOUR} content-creating requests an hour; the rest waits for the next run",
                stats.writes,
                self.running.load(Ordering::SeqCst)
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

/// A per-repository map of gather's keyed by unit, with the branches of repositories listing
/// several (`branches:`) added from what was gathered of each (`of`).
fn by_unit<T: Clone>(
    whole: &BTreeMap<RepoName, T>,
    gathered: &Gathered,
    of: impl Fn(&BranchGathered) -> Option<T>,
) -> BTreeMap<Unit, T> {
    let mut out: BTreeMap<Unit, T> = whole
        .iter()
        .filter(|(repo, _)| !gathered.branches.contains_key(*repo))
        .map(|(repo, v)| (Unit::whole(repo.clone()), v.clone()))
        .collect();
    for (repo, branches) in &gathered.branches {
        for b in branches {
            if let Some(v) = of(b) {
                out.insert(Unit::of_branch(repo.clone(), b.unit.branch.clone()), v);
            }
        }
    }
    out
}

/// The most writes one repository's sync makes, with room to spare: a ref write sent up to 5
/// times while a new commit reaches the fork, merge-upstream, the pull request opened,
/// reviewers, labels, its text refreshed, a replaced one closed.
const WRITES_PER_SYNC: u64 = 12;

/// Writes the audit commit may need: tree, commit and ref, for three attempts.
const AUDIT_WRITES: u64 = 9;

/// Whether one more repository may start writing, with `writes` made and `running` others
/// still syncing: only while all of them, at their most, and the audit commit stay within
/// GitHub's 500 content-creating requests an hour (`limits.writes_per_hour` is checked
/// apart).
pub fn room_for_one_more(writes: u64, running: u64) -> bool {
    writes + (running + 1) * WRITES_PER_SYNC + AUDIT_WRITES <= GITHUB_WRITES_PER_HOUR as u64
}

/// A repository's outcome before anything is done: the plan's view of it.
pub fn planned_outcome(
    p: &PlannedRepo,
    phase: Option<PhaseName>,
    rank: Option<u32>,
) -> RepoOutcome {
    RepoOutcome {
        repo: p.repo.clone(),
        branch: p.branch.clone(),
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
            Status::Skipped | Status::Inaccessible | Status::Failed => Some(p.why.clone()),
            _ => None,
        },
        tags: None,
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
    ctx.survey(plan);
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
    if ctx.read_only() {
        // The token cannot write at all: the repositories that failed for lack of access
        // before that was clear wait for a token that can, like the rest.
        let why = ctx.stop_reason().unwrap_or_default();
        let unwritable = ctx.unwritable.lock().unwrap_or_else(|e| e.into_inner());
        for o in out.iter_mut() {
            if o.status == Status::Failed && unwritable.contains(&o.repo) {
                o.error = None;
                *o = pending(o.clone(), &why);
            }
        }
    }
    out
}

/// A phase's repositories one at a time, in list order (`top`, `force`). Ranks follow `after`.
async fn one_at_a_time(ctx: &Arc<ApplyContext>, phase: &Phase, after: u32) -> Vec<RepoOutcome> {
    let mut out = Vec::new();
    for (rank, p) in (after + 1..).zip(&phase.repos) {
        let o = run_contained(ctx.clone(), p.clone(), phase.name, rank).await;
        log_done(&o);
        out.push(o);
    }
    out
}

/// [`run_one`] on a task of its own: a panic there is that repository's `failed`, never the
/// run's end.
async fn run_contained(
    ctx: Arc<ApplyContext>,
    p: PlannedRepo,
    phase: PhaseName,
    rank: u32,
) -> RepoOutcome {
    let base = planned_outcome(&p, Some(phase), Some(rank));
    match crate::contain::contained(run_one(ctx, p, phase, rank)).await {
        Ok(o) => o,
        Err(why) => lost(base, &why),
    }
}

/// The outcome of a repository whose work ended without one: `failed`, saying why.
fn lost(mut o: RepoOutcome, why: &str) -> RepoOutcome {
    log::error!("{}: {why}", o.unit());
    o.status = Status::Failed;
    o.detail = format!("{} failed", o.action.as_str());
    o.error = Some(why.to_string());
    o
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
            let o = run_contained(ctx, p, name, rank).await;
            drop(permit);
            o
        });
    }
    let mut results = BTreeMap::new();
    let mut logged = after;
    while let Some(joined) = set.join_next().await {
        // `run_contained` turns a panic into an outcome; a task that still ends without one
        // is filled in below.
        if let Ok(o) = joined {
            results.insert(o.rank, o);
            while let Some(o) = results.get(&Some(logged + 1)) {
                log_done(o);
                logged += 1;
            }
        }
    }
    // Every repository of the phase is reported, whatever happened to its task.
    for (rank, p) in (after + 1..).zip(&phase.repos) {
        results.entry(Some(rank)).or_insert_with(|| {
            let base = planned_outcome(p, Some(phase.name), Some(rank));
            lost(base, "its task ended without an outcome")
        });
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
        log::info!("{:>4}. {} — {}", o.rank.unwrap_or(0), o.unit(), o.detail);
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

/// Counts a repository as running until dropped (also when its work panics).
struct Running<'a>(&'a AtomicU64);

impl<'a> Running<'a> {
    fn start(n: &'a AtomicU64) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Running(n)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
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
    if let Some(t) = ctx.targets.get(&p.unit()) {
        let remembered = ctx.sync_pulls.get(&p.unit());
        if let Some(pr) = hands_off::merged_since_last_run(remembered, t, p.expected) {
            return hands_off::merged_outcome(base, pr);
        }
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
    if let Some(why) = ctx.known_unwritable(&p.repo) {
        return unwritable(&ctx, base, why);
    }
    let Some(target) = ctx.targets.get(&p.unit()).cloned() else {
        let mut o = base;
        o.status = Status::Failed;
        o.error = Some("no upstream head was gathered".into());
        return o;
    };
    let running = Running::start(&ctx.running);
    let result = match p.action {
        Action::FastForward if ctx.to_create.contains(&p.unit()) => {
            create_branch::create(&ctx, &p, &target, base.clone()).await
        }
        Action::FastForward => fast_forward::fast_forward(&ctx, &p, &target, base.clone()).await,
        _ => pull_request::pull_request(&ctx, &p, &target, base.clone(), None).await,
    };
    drop(running);
    match result {
        Ok(o) => {
            if matches!(o.status, Status::Synced | Status::PrOpen) {
                ctx.note_written();
            }
            o
        }
        Err(e) => failed(&ctx, &p, base, e),
    }
}

/// A repository nothing may be written to: `failed` with why and what to do, unless the whole
/// run is read-only (then it waits, `pending`, like the rest).
fn unwritable(ctx: &ApplyContext, mut o: RepoOutcome, why: String) -> RepoOutcome {
    ctx.unwritable
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(o.repo.clone());
    if ctx.read_only() {
        let stop = ctx.stop_reason().unwrap_or_default();
        return pending(o, &stop);
    }
    log::warn!("{}: {why}", o.unit());
    o.status = Status::Failed;
    o.detail = format!("{} failed", o.action.as_str());
    o.error = Some(why);
    o
}

/// A write refused with 403 (not a rate limit): that repository's failure, naming what to
/// add. Refusals of the token's access across several repositories and owners, with nothing
/// written, mean the token cannot write: the run goes on reporting only.
fn refused(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    base: RepoOutcome,
    e: &GhError,
    msg: &str,
) -> RepoOutcome {
    if access::speaks_for_token(msg) {
        let mut refused = ctx.refused.lock().unwrap_or_else(|e| e.into_inner());
        refused.insert(p.repo.clone());
        let token = access::token_cannot_write(
            &refused,
            ctx.wrote.load(Ordering::SeqCst),
            ctx.planned_writes.load(Ordering::SeqCst),
            ctx.planned_owners.load(Ordering::SeqCst),
        );
        if token && !ctx.read_only() {
            ctx.read_only.store(true, Ordering::SeqCst);
            let owners: BTreeSet<&str> = refused.iter().map(|r| r.owner()).collect();
            ctx.stop(format!(
                "the token may not write ({e} on {} repositories of {} owner{}, and nothing was written): reporting only; give it contents and pull requests write access to sync",
                refused.len(),
                owners.len(),
                if owners.len() == 1 { "" } else { "s" }
            ));
        }
    }
    let fix = access::refusal_fix(msg, &p.repo);
    unwritable(ctx, base, format!("{e}; {fix}"))
}

/// What a dry run says it would do to a repository, and why: "would fast-forward 3 commits",
/// "would open a sync PR (25 behind, more than 10: rules.pr_over_commits)", or, when last
/// run's sync PR is open, "would update sync PR #12 (…)" / "sync PR #12 is already current".
fn dry_run_detail(ctx: &ApplyContext, p: &PlannedRepo) -> String {
    if p.action == Action::FastForward && ctx.to_create.contains(&p.unit()) {
        return "dry run: would create it at the upstream branch's head".into();
    }
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
        .get(&p.unit())
        .filter(|pr| pr.open && pr.body.contains(PR_MARKER));
    match ours {
        Some(pr) => {
            let current = ctx
                .targets
                .get(&p.unit())
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
/// stop new work; a refusal is that repository's (see [`refused`]).
fn failed(ctx: &ApplyContext, p: &PlannedRepo, base: RepoOutcome, e: GhError) -> RepoOutcome {
    if e.is_fatal() {
        ctx.fatal.store(true, Ordering::SeqCst);
        ctx.stop(format!("credentials rejected: {e}"));
    } else if e.is_out_of_budget() {
        ctx.stop(format!("rate limit: {e}"));
        return pending(base, &format!("rate limited; retried next run ({e})"));
    } else if let GhError::Forbidden(msg) = &e {
        return refused(ctx, p, base, &e, msg);
    }
    log::warn!("{} failed: {e}", p.unit());
    let mut o = base;
    o.status = Status::Failed;
    o.detail = format!("{} failed", p.action.as_str());
    o.error = Some(e.to_string());
    o
}
