//! Apply: the only step that writes. It walks the plan — `top` one repository at a time in
//! list order, later phases with bounded concurrency started in rank order — and turns each
//! decision into ref updates and sync pull requests. A failure is recorded on its repository
//! and the run goes on; only lost credentials or an exhausted budget stop new work, which then
//! stays `pending` for the next run.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Inventory;
use crate::decision::{Action, LiveFacts};
use crate::gather::Target;
use crate::github::{GhError, GitHub, NewPull, PullInfo, RefUpdate};
use crate::outcome::{PullRef, RepoOutcome, Status};
use crate::plan::{PhaseName, Plan, PlannedRepo};
use crate::repo_name::RepoName;

/// Marks pull requests this tool opened; it never touches others.
pub const PR_MARKER: &str = "<!-- priority-sync:sync-pr -->";

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
        gathered: &crate::gather::Gathered,
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

    fn stop(&self, why: String) {
        let mut s = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        if s.is_none() {
            log::warn!("no new work will start: {why}");
            *s = Some(why);
        }
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
    for phase in &plan.phases {
        if phase.repos.is_empty() {
            continue;
        }
        log::info!(
            "phase {} ({} repositories)",
            phase.name.as_str(),
            phase.repos.len()
        );
        if phase.name == PhaseName::Top || phase.name == PhaseName::Force {
            // One at a time, in list order.
            for p in &phase.repos {
                rank += 1;
                let o = run_one(ctx.clone(), p.clone(), phase.name, rank).await;
                log_done(&o);
                out.push(o);
            }
        } else {
            // Bounded concurrency, started in rank order; results kept in rank order.
            let sem = Arc::new(Semaphore::new(ctx.inv.limits.concurrency.max(1)));
            let mut set = JoinSet::new();
            for p in &phase.repos {
                rank += 1;
                let permit = sem.clone().acquire_owned().await.expect("semaphore open");
                let ctx = ctx.clone();
                let p = p.clone();
                let name = phase.name;
                let r = rank;
                set.spawn(async move {
                    let o = run_one(ctx, p, name, r).await;
                    drop(permit);
                    o
                });
            }
            // Results kept and logged in rank order: each as soon as all before it are done.
            let mut results = BTreeMap::new();
            let mut logged = rank - phase.repos.len() as u32;
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
            out.extend(results.into_values());
        }
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

/// Logs what a write did (a failed one was logged when it failed; pending ones did nothing).
fn log_done(o: &RepoOutcome) {
    let tried = matches!(o.action, Action::FastForward | Action::PullRequest);
    let done = !matches!(o.status, Status::Pending | Status::Failed);
    if tried && done {
        log::info!("{:>4}. {} — {}", o.rank.unwrap_or(0), o.repo, o.detail);
    }
}

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
        return pending(base, &format!("dry run: would {}", p.why));
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
        Action::FastForward => fast_forward(&ctx, &p, &target, base.clone()).await,
        _ => pull_request(&ctx, &p, &target, base.clone(), None).await,
    };
    match result {
        Ok(o) => {
            if matches!(o.status, Status::Synced | Status::PrOpen) {
                ctx.wrote.store(true, Ordering::SeqCst);
            }
            o
        }
        Err(e) => {
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
    }
}

async fn fast_forward(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    mut o: RepoOutcome,
) -> Result<RepoOutcome, GhError> {
    let touches = ctx.live.get(&p.repo).is_some_and(|l| l.touches_workflows);
    if touches && ctx.workflows_refused.load(Ordering::SeqCst) {
        // An earlier repository showed the token cannot write workflows: go straight to a PR.
        return pull_request(
            ctx,
            p,
            t,
            o,
            Some(
                "the update changes .github/workflows/ and the token cannot write workflows".into(),
            ),
        )
        .await;
    }
    match ctx
        .gh
        .update_ref(&p.repo, &t.branch, &t.upstream_head, false)
        .await?
    {
        RefUpdate::Done => {
            o.status = Status::Synced;
            o.detail = format!(
                "fast-forwarded {} commit{} ({} → {})",
                p.facts.commits_behind,
                if p.facts.commits_behind == 1 { "" } else { "s" },
                short(&t.head),
                short(&t.upstream_head)
            );
            Ok(o)
        }
        RefUpdate::NotFastForward => {
            pull_request(
                ctx,
                p,
                t,
                o,
                Some("the branch moved during the run and can no longer fast-forward".into()),
            )
            .await
        }
        RefUpdate::WorkflowRefused(msg) => {
            ctx.workflows_refused.store(true, Ordering::SeqCst);
            log::warn!("{}: {msg}; opening a pull request instead", p.repo);
            pull_request(
                ctx,
                p,
                t,
                o,
                Some(
                    "the update changes .github/workflows/ and the token cannot write workflows"
                        .into(),
                ),
            )
            .await
        }
        RefUpdate::AlreadyExists => {
            Err(GhError::Decode("unexpected answer to a ref update".into()))
        }
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}

fn pr_title(t: &Target, behind: u32) -> String {
    format!(
        "Sync {} with {}:{} ({} commit{})",
        t.branch,
        t.upstream,
        t.upstream_branch,
        behind,
        if behind == 1 { "" } else { "s" }
    )
}

fn pr_body(p: &PlannedRepo, t: &Target, why: &str, via_upstream: bool) -> String {
    let mut b = format!(
        "{PR_MARKER}\nThis pull request brings `{}` up to date with `{}:{}`.\n\n| | |\n|---|---|\n| upstream commits missing | {} |\n| own commits on `{}` | {} |\n| why a pull request | {} |\n| upstream head | `{}` |\n",
        t.branch,
        t.upstream,
        t.upstream_branch,
        p.facts.commits_behind,
        t.branch,
        p.facts.commits_ahead,
        why.replace('|', "\\|"),
        t.upstream_head
    );
    if p.facts.security_alerts > 0 {
        b.push_str(&format!(
            "\n**{} open security alert{}**: merging this soon is recommended.\n",
            p.facts.security_alerts,
            if p.facts.security_alerts == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    if via_upstream {
        b.push_str("\nThis pull request comes straight from the upstream branch (the token could not write workflow files to the sync branch), so it follows upstream by itself.\n");
    }
    b.push_str("\nOpened by priority-sync. It is kept up to date while upstream moves, never duplicated; merge it to sync. If it is closed unmerged, the next run opens a new one.\n");
    b
}

/// Opens the sync PR, or brings the open one up to date. `why` overrides the plan's reason.
///
/// The sync PR comes from `priority-sync/<branch>`, or straight from the upstream branch when
/// the token cannot write the update's workflow changes to the sync branch. Only a PR carrying
/// [`PR_MARKER`] is this tool's. Its open PR on either head is kept and brought up to date, and
/// at most one stays open: one that can no longer be kept current is closed once its
/// replacement is open. A PR without the marker is never moved, edited or closed; when it sits
/// on our sync branch the repository is `skipped`, saying so.
async fn pull_request(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    mut o: RepoOutcome,
    why: Option<String>,
) -> Result<RepoOutcome, GhError> {
    let gh = &ctx.gh;
    let prs = &ctx.inv.pull_requests;
    let why = why.unwrap_or_else(|| p.why.clone());
    o.action = Action::PullRequest;
    let sync_branch = format!("{}{}", prs.branch_prefix, t.branch);
    let sync_head = format!("{}:{}", p.repo.owner(), sync_branch);
    let upstream_head = format!("{}:{}", t.upstream.owner(), t.upstream_branch);
    let mut notes = Vec::new();

    // Nothing to do when last run's sync PR is already current: no request at all.
    if let Some(pr) = current_sync_pr(ctx, p, t, &sync_branch, &why) {
        o.status = Status::PrOpen;
        o.pull_request = Some(PullRef {
            number: pr.number,
            url: pr.url.clone(),
            title: pr.title.clone(),
            created: false,
            conflicted: pr.mergeable == Some(false),
        });
        o.detail = format!("sync PR up to date: {why}");
        if pr.mergeable == Some(false) {
            o.detail.push_str("; conflicts with the branch");
        }
        return Ok(o);
    }

    // The open PRs on both heads this tool may use (GitHub allows one per head and base),
    // looked up together.
    let (on_sync, on_up) = tokio::try_join!(
        gh.open_pulls(&p.repo, &sync_head, &t.branch),
        gh.open_pulls(&p.repo, &upstream_head, &t.branch),
    )?;
    let (ours_sync, theirs_sync) = split_ours(on_sync);
    let (ours_up, theirs_up) = split_ours(on_up);
    let not_ours = |mut o: RepoOutcome, why: String| {
        o.status = Status::Skipped;
        o.detail = why;
        o.error = Some(o.detail.clone());
        Ok(o)
    };

    // Which of ours to keep, whether the PR comes from the upstream branch, and which of ours
    // to close once the kept (or new) one is current.
    let mut stale: Option<(PullInfo, &str)> = None;
    let (keep, via_upstream) = match (ours_sync, ours_up) {
        (Some(on_sync), on_up) => match move_sync_branch(ctx, p, t, &sync_branch).await? {
            Moved::Refused => {
                stale = Some((
                    on_sync,
                    "its branch cannot take the update's workflow changes with this token",
                ));
                (on_up, true)
            }
            moved => {
                if moved == Moved::Diverged {
                    notes.push(diverged_note(&sync_branch));
                }
                stale = on_up.map(|pr| (pr, "a second sync PR, from the upstream branch"));
                (Some(on_sync), false)
            }
        },
        // Ours from the upstream branch follows upstream by itself: kept as it is.
        (None, Some(on_up)) => (Some(on_up), true),
        (None, None) => {
            if let Some(pr) = theirs_sync {
                return not_ours(
                    o,
                    format!(
                        "an open pull request (#{}) from {sync_branch} was not opened by priority-sync; close it or rename its branch",
                        pr.number
                    ),
                );
            }
            if ctx.workflows_refused.load(Ordering::SeqCst) && touches(ctx, p) {
                (None, true)
            } else {
                match move_sync_branch(ctx, p, t, &sync_branch).await? {
                    Moved::Refused => (None, true),
                    Moved::Diverged => {
                        notes.push(diverged_note(&sync_branch));
                        (None, false)
                    }
                    Moved::Done => (None, false),
                }
            }
        }
    };
    let head = if via_upstream {
        upstream_head
    } else {
        sync_head
    };
    if keep.is_none() && via_upstream {
        if let Some(pr) = theirs_up {
            return not_ours(
                o,
                format!(
                    "an open pull request (#{}) from {head} was not opened by priority-sync; left alone",
                    pr.number
                ),
            );
        }
    }

    let title = pr_title(t, p.facts.commits_behind);
    let body = pr_body(p, t, &why, via_upstream);
    let (pr, created) = match keep {
        Some(pr) => {
            if pr.title != title || pr.body != body {
                gh.update_pull_body(&p.repo, pr.number, &title, &body)
                    .await?;
            }
            (pr, false)
        }
        None => {
            let new = NewPull {
                title: title.clone(),
                head: head.clone(),
                base: t.branch.clone(),
                body: body.clone(),
                draft: prs.draft,
            };
            match gh.create_pull(&p.repo, &new).await {
                Ok(pr) => {
                    if let Err(e) = gh
                        .request_reviewers(&p.repo, pr.number, &prs.reviewers, &prs.team_reviewers)
                        .await
                    {
                        notes.push(format!("reviewers not requested: {e}"));
                    }
                    (pr, true)
                }
                Err(GhError::Unprocessable(m))
                    if m.to_ascii_lowercase().contains("already exists") =>
                {
                    // A retried create that had in fact succeeded: adopt it.
                    let again = gh.open_pulls(&p.repo, &head, &t.branch).await?;
                    match again.into_iter().find(|pr| pr.body.contains(PR_MARKER)) {
                        Some(pr) => (pr, false),
                        None => return Err(GhError::Unprocessable(m)),
                    }
                }
                Err(GhError::Unprocessable(m))
                    if m.to_ascii_lowercase().contains("no commits between") =>
                {
                    o.status = Status::UpToDate;
                    o.detail = "nothing to merge: the branch already contains upstream".into();
                    return Ok(o);
                }
                Err(e) => return Err(e),
            }
        }
    };

    // One sync PR per repository: ours that can no longer be kept current goes, now that its
    // replacement is open (closed without a comment; its branch is left as it is).
    if let Some((old, reason)) = stale.filter(|(old, _)| old.number != pr.number) {
        gh.close_pull(&p.repo, old.number).await?;
        notes.push(format!("closed #{} ({reason})", old.number));
    }

    // Labels: always the sync labels; urgent ones for security alerts; conflict ones when
    // GitHub says the PR cannot merge cleanly.
    let mut conflicted = ctx.live.get(&p.repo).is_some_and(|l| l.conflicted);
    if p.facts.commits_ahead > 0 || conflicted {
        if let Some(fresh) = gh.pull(&p.repo, pr.number).await? {
            conflicted |= fresh.mergeable == Some(false);
        }
    }
    let missing = missing_labels(&wanted_labels(ctx, p, conflicted), &pr.labels);
    if !missing.is_empty() {
        gh.add_labels(&p.repo, pr.number, &missing).await?;
    }

    o.status = Status::PrOpen;
    o.pull_request = Some(PullRef {
        number: pr.number,
        url: pr.url.clone(),
        title: title.clone(),
        created,
        conflicted,
    });
    let verb = if created { "opened" } else { "updated" };
    let mut detail = format!("sync PR {verb}: {why}");
    if conflicted {
        detail.push_str("; conflicts with the branch");
    }
    for n in notes {
        detail.push_str("; ");
        detail.push_str(&n);
    }
    o.detail = detail;
    Ok(o)
}

/// The labels a sync PR should carry: the sync labels, the urgent ones for security alerts,
/// the conflict ones when it cannot merge cleanly.
fn wanted_labels(ctx: &ApplyContext, p: &PlannedRepo, conflicted: bool) -> Vec<String> {
    let prs = &ctx.inv.pull_requests;
    let mut wanted: Vec<String> = prs.labels.clone();
    if p.facts.security_alerts > 0 {
        wanted.extend(prs.urgent_labels.iter().cloned());
    }
    if conflicted {
        wanted.extend(prs.conflict_labels.iter().cloned());
    }
    wanted
}

/// The wanted labels a PR does not have yet, each once.
fn missing_labels(wanted: &[String], have: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in wanted {
        if !have.iter().any(|h| h.eq_ignore_ascii_case(l)) && !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}

/// The remembered sync PR, read in the metadata batch, when it needs nothing: ours (marked),
/// open into the branch, from our sync branch or the upstream branch, at the upstream head,
/// with the text we would write and every label it should have.
fn current_sync_pr<'a>(
    ctx: &'a ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    sync_branch: &str,
    why: &str,
) -> Option<&'a PullInfo> {
    let pr = ctx.sync_pulls.get(&p.repo)?;
    if !pr.body.contains(PR_MARKER) {
        // Not ours (any more): the full path decides what to do.
        return None;
    }
    let head_repo = pr.head_repo.as_deref().unwrap_or_default();
    let own_branch =
        pr.head_ref == sync_branch && head_repo.eq_ignore_ascii_case(&p.repo.to_string());
    let from_upstream =
        pr.head_ref == t.upstream_branch && head_repo.eq_ignore_ascii_case(&t.upstream.to_string());
    let text_current = pr.title == pr_title(t, p.facts.commits_behind)
        && pr.body == pr_body(p, t, why, from_upstream);
    let conflicted =
        pr.mergeable == Some(false) || ctx.live.get(&p.repo).is_some_and(|l| l.conflicted);
    let ok = pr.open
        && pr.base_ref == t.branch
        && (own_branch || from_upstream)
        && pr.head_sha.as_deref() == Some(t.upstream_head.as_str())
        && text_current
        && (p.facts.commits_ahead == 0 || pr.mergeable.is_some())
        && missing_labels(&wanted_labels(ctx, p, conflicted), &pr.labels).is_empty();
    ok.then_some(pr)
}

fn touches(ctx: &ApplyContext, p: &PlannedRepo) -> bool {
    ctx.live.get(&p.repo).is_some_and(|l| l.touches_workflows)
}

/// This tool's PR (it carries [`PR_MARKER`]) and someone else's, among the open PRs of one
/// head into one base (GitHub allows one of those).
fn split_ours(open: Vec<PullInfo>) -> (Option<PullInfo>, Option<PullInfo>) {
    let (ours, theirs): (Vec<PullInfo>, Vec<PullInfo>) =
        open.into_iter().partition(|pr| pr.body.contains(PR_MARKER));
    (ours.into_iter().next(), theirs.into_iter().next())
}

/// What became of the sync branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moved {
    /// At the upstream head.
    Done,
    /// It has commits that are not from upstream: left as is.
    Diverged,
    /// The update changes workflow files and the token may not write them.
    Refused,
}

/// Moves (or creates) the sync branch to the upstream head; never forces.
async fn move_sync_branch(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    sync_branch: &str,
) -> Result<Moved, GhError> {
    let gh = &ctx.gh;
    let moved = match gh.branch_head(&p.repo, sync_branch).await? {
        None => match gh
            .create_ref(&p.repo, sync_branch, &t.upstream_head)
            .await?
        {
            RefUpdate::AlreadyExists => {
                gh.update_ref(&p.repo, sync_branch, &t.upstream_head, false)
                    .await?
            }
            r => r,
        },
        Some(sha) if sha == t.upstream_head => RefUpdate::Done,
        Some(_) => {
            gh.update_ref(&p.repo, sync_branch, &t.upstream_head, false)
                .await?
        }
    };
    Ok(match moved {
        RefUpdate::Done | RefUpdate::AlreadyExists => Moved::Done,
        RefUpdate::NotFastForward => Moved::Diverged,
        RefUpdate::WorkflowRefused(msg) => {
            ctx.workflows_refused.store(true, Ordering::SeqCst);
            log::warn!("{}: {msg}", p.repo);
            Moved::Refused
        }
    })
}

fn diverged_note(sync_branch: &str) -> String {
    format!(
        "{sync_branch} has commits that are not from upstream (a conflict resolution?); left as is"
    )
}
