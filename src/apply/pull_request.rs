//! The sync pull request: opened, or the open one brought up to date; at most one per
//! repository, and never anyone else's.
//!
//! The sync PR comes from `priority-sync/<branch>`, or straight from the upstream branch when
//! the token cannot write the update's workflow changes to the sync branch. Only a PR carrying
//! [`PR_MARKER`] is this tool's. Its open PR on either head is kept and brought up to date, and
//! at most one stays open: one that can no longer be kept current is closed once its
//! replacement is open. A PR without the marker is never moved, edited or closed; when it sits
//! on our sync branch the repository is `skipped`, saying so.

use super::pr_text::{missing_labels, pr_body, pr_title, wanted_labels, PR_MARKER};
use super::pull_lag::{self, CreateRefusal, Listed};
use super::ApplyContext;
use crate::decision::{Action, Status};
use crate::gather::Target;
use crate::github::{GhError, NewPull, PullInfo, RefUpdate};
use crate::outcome::{PullRef, RepoOutcome};
use crate::plan::PlannedRepo;
use crate::repo_name::RepoName;

/// The two heads a sync PR can come from.
struct Heads {
    /// `<prefix><branch>` in the fork.
    sync_branch: String,
    /// `owner:<sync_branch>`.
    sync: String,
    /// `upstream-owner:<upstream branch>`.
    upstream: String,
}

/// Which of our open PRs to keep, whether the PR comes from the upstream branch, and which of
/// ours to close (with why) once the kept or new one is current.
struct Route {
    keep: Option<PullInfo>,
    via_upstream: bool,
    stale: Option<(PullInfo, &'static str)>,
}

/// Opens the sync PR, or brings the open one up to date. `why` overrides the plan's reason.
pub(super) async fn pull_request(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    mut o: RepoOutcome,
    why: Option<String>,
) -> Result<RepoOutcome, GhError> {
    let why = why.unwrap_or_else(|| p.why.clone());
    o.action = Action::PullRequest;
    let sync_branch = format!("{}{}", ctx.inv.pull_requests.branch_prefix, t.branch);
    let heads = Heads {
        sync: format!("{}:{}", p.repo.owner(), sync_branch),
        upstream: format!("{}:{}", t.upstream.owner(), t.upstream_branch),
        sync_branch,
    };

    // Nothing to do when last run's sync PR is already current: no request at all.
    if let Some(pr) = current_sync_pr(ctx, p, t, &why) {
        return Ok(already_current(o, pr, &why));
    }

    let mut notes = Vec::new();
    let route = match route(ctx, p, t, &heads, &mut notes).await? {
        Ok(route) => route,
        Err(not_ours) => return Ok(skipped(o, not_ours)),
    };
    let head = if route.via_upstream {
        &heads.upstream
    } else {
        &heads.sync
    };
    let title = pr_title(t, p.facts.commits_behind);
    let body = pr_body(p, t, &why, route.via_upstream);
    let (pr, created) = match route.keep {
        Some(pr) => (pr, false),
        None => match open(ctx, p, t, head, &title, &body, &mut notes).await? {
            Opened::New(pr) => (pr, true),
            Opened::Adopted(pr) => (pr, false),
            Opened::NothingToMerge => {
                o.status = Status::UpToDate;
                o.detail = "nothing to merge: the branch already contains upstream".into();
                return Ok(o);
            }
            Opened::NotListedYet => return Ok(not_listed_yet(o, head, &t.branch)),
            Opened::Theirs(pr) => {
                return Ok(skipped(
                    o,
                    format!(
                        "an open pull request (#{}) from {head} was not opened by priority-sync; left alone",
                        pr.number
                    ),
                ))
            }
        },
    };
    if !created && (pr.title != title || pr.body != body) {
        ctx.gh
            .update_pull_body(&p.repo, pr.number, &title, &body)
            .await?;
    }

    // One sync PR per repository: ours that can no longer be kept current goes, now that its
    // replacement is open (closed without a comment; its branch is left as it is).
    if let Some((old, reason)) = route.stale.filter(|(old, _)| old.number != pr.number) {
        ctx.gh.close_pull(&p.repo, old.number).await?;
        notes.push(format!("closed #{} ({reason})", old.number));
    }
    let merge = label(ctx, p, &pr, created).await?;
    let conflicted = merge == Mergeable::Conflicts;

    o.status = Status::PrOpen;
    o.pull_request = Some(PullRef {
        number: pr.number,
        url: pr.url.clone(),
        title,
        created,
        conflicted,
    });
    let verb = if created { "opened" } else { "updated" };
    let mut detail = format!("sync PR {verb}: {why}");
    match merge {
        Mergeable::Conflicts => detail.push_str("; conflicts with the branch"),
        Mergeable::NotComputed => detail.push_str(
            "; GitHub had not computed whether it merges cleanly yet (a conflict is labelled by a later run)",
        ),
        Mergeable::Clean => {}
    }
    for n in notes {
        detail.push_str("; ");
        detail.push_str(&n);
    }
    o.detail = detail;
    Ok(o)
}

/// The outcome when last run's sync PR needs nothing.
fn already_current(mut o: RepoOutcome, pr: &PullInfo, why: &str) -> RepoOutcome {
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
    o
}

/// GitHub refused a second sync PR for `head` but its lists do not show the first yet: the
/// next run adopts it (`pending`, never a second PR).
fn not_listed_yet(mut o: RepoOutcome, head: &str, base: &str) -> RepoOutcome {
    o.status = Status::Pending;
    o.detail = format!(
        "GitHub says a pull request from {head} into {base} already exists but does not list it yet; the next run adopts it"
    );
    o
}

/// Someone else's PR is in the way: the repository is `skipped`, saying why.
fn skipped(mut o: RepoOutcome, why: String) -> RepoOutcome {
    o.status = Status::Skipped;
    o.error = Some(why.clone());
    o.detail = why;
    o
}

/// Looks up the open PRs on both heads (GitHub allows one per head and base; both looked up
/// together), moves the sync branch when it is to be used, and decides the route. `Err` with
/// the reason when a PR that is not ours is in the way.
async fn route(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    heads: &Heads,
    notes: &mut Vec<String>,
) -> Result<Result<Route, String>, GhError> {
    let (on_sync, on_up) = tokio::try_join!(
        ctx.gh.open_pulls(&p.repo, &heads.sync, &t.branch),
        ctx.gh.open_pulls(&p.repo, &heads.upstream, &t.branch),
    )?;
    let (ours_sync, theirs_sync) = split_ours(on_sync);
    let (ours_up, theirs_up) = split_ours(on_up);
    // A list can miss a PR opened moments ago (GitHub's reads lag its writes); last run's,
    // read by number in the metadata batch, is found all the same.
    let remembered = |head_repo: &RepoName, head_ref: &str| {
        pull_lag::remembered(&ctx.sync_pulls, &p.repo, head_repo, head_ref, &t.branch)
    };
    let ours_sync = ours_sync.or_else(|| remembered(&p.repo, &heads.sync_branch));
    let ours_up = ours_up.or_else(|| remembered(&t.upstream, &t.upstream_branch));
    let route = match (ours_sync, ours_up) {
        (Some(on_sync), on_up) => match move_sync_branch(ctx, p, t, &heads.sync_branch).await? {
            Moved::Refused => Route {
                keep: on_up,
                via_upstream: true,
                stale: Some((
                    on_sync,
                    "its branch cannot take the update's workflow changes with this token",
                )),
            },
            moved => {
                if moved == Moved::Diverged {
                    notes.push(diverged_note(&heads.sync_branch));
                }
                Route {
                    keep: Some(on_sync),
                    via_upstream: false,
                    stale: on_up.map(|pr| (pr, "a second sync PR, from the upstream branch")),
                }
            }
        },
        // Ours from the upstream branch follows upstream by itself: kept as it is.
        (None, Some(on_up)) => Route {
            keep: Some(on_up),
            via_upstream: true,
            stale: None,
        },
        (None, None) => {
            if let Some(pr) = theirs_sync {
                return Ok(Err(format!(
                    "an open pull request (#{}) from {} was not opened by priority-sync; close it or rename its branch",
                    pr.number, heads.sync_branch
                )));
            }
            let via_upstream = new_pr_from_upstream(ctx, p, t, &heads.sync_branch, notes).await?;
            Route {
                keep: None,
                via_upstream,
                stale: None,
            }
        }
    };
    if route.keep.is_none() && route.via_upstream {
        if let Some(pr) = theirs_up {
            return Ok(Err(format!(
                "an open pull request (#{}) from {} was not opened by priority-sync; left alone",
                pr.number, heads.upstream
            )));
        }
    }
    Ok(Ok(route))
}

/// For a new PR: whether it comes from the upstream branch (the token cannot write the
/// update's workflow changes to the sync branch), after moving the sync branch otherwise.
async fn new_pr_from_upstream(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    sync_branch: &str,
    notes: &mut Vec<String>,
) -> Result<bool, GhError> {
    if ctx.workflows_refused() && ctx.touches_workflows(&p.repo) {
        return Ok(true);
    }
    Ok(match move_sync_branch(ctx, p, t, sync_branch).await? {
        Moved::Refused => true,
        Moved::Diverged => {
            notes.push(diverged_note(sync_branch));
            false
        }
        Moved::Done => false,
    })
}

/// What came of opening the sync PR.
enum Opened {
    /// Opened now.
    New(PullInfo),
    /// GitHub said ours already exists (a retried create that had succeeded, or one a lagging
    /// list missed): adopted.
    Adopted(PullInfo),
    /// GitHub says there is nothing to merge.
    NothingToMerge,
    /// GitHub says one exists, but its lists still do not show it.
    NotListedYet,
    /// GitHub says one exists, and it is someone else's.
    Theirs(PullInfo),
}

/// Opens the PR from `head` and asks for the reviewers. When GitHub answers that one already
/// exists, waits for the lists to show it ([`pull_lag::listed_after_refusal`]) and adopts it.
async fn open(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    head: &str,
    title: &str,
    body: &str,
    notes: &mut Vec<String>,
) -> Result<Opened, GhError> {
    let prs = &ctx.inv.pull_requests;
    let new = NewPull {
        title: title.to_string(),
        head: head.to_string(),
        base: t.branch.clone(),
        body: body.to_string(),
        draft: prs.draft,
    };
    match ctx.gh.create_pull(&p.repo, &new).await {
        Ok(pr) => {
            if let Err(e) = ctx
                .gh
                .request_reviewers(&p.repo, pr.number, &prs.reviewers, &prs.team_reviewers)
                .await
            {
                notes.push(format!("reviewers not requested: {e}"));
            }
            Ok(Opened::New(pr))
        }
        Err(GhError::Unprocessable(m)) => match pull_lag::create_refusal(&m) {
            CreateRefusal::AlreadyExists => {
                let listed =
                    pull_lag::listed_after_refusal(ctx.gh.as_ref(), &p.repo, head, &t.branch)
                        .await?;
                Ok(match listed {
                    Listed::Ours(pr) => Opened::Adopted(pr),
                    Listed::Theirs(pr) => Opened::Theirs(pr),
                    Listed::NotYet => Opened::NotListedYet,
                })
            }
            CreateRefusal::NothingToMerge => Ok(Opened::NothingToMerge),
            CreateRefusal::Other => Err(GhError::Unprocessable(m)),
        },
        Err(e) => Err(e),
    }
}

/// Whether the sync PR merges cleanly, as far as is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mergeable {
    Clean,
    Conflicts,
    /// GitHub was still computing it after the bounded re-reads.
    NotComputed,
}

/// Adds the labels the PR lacks: always the sync labels; urgent ones for security alerts;
/// conflict ones when GitHub says the PR cannot merge cleanly (or an earlier attempt found
/// the merge conflicts). GitHub computes that in the background, so it is read again within a
/// few seconds ([`pull_lag::mergeability`]) when the fork has commits of its own (without
/// them the merge is a fast-forward and cannot conflict); still unknown, no conflict label is
/// added and a later run (which reads it again) labels it.
async fn label(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    pr: &PullInfo,
    created: bool,
) -> Result<Mergeable, GhError> {
    let mut merge = if ctx.live.get(&p.repo).is_some_and(|l| l.conflicted) {
        Mergeable::Conflicts
    } else {
        Mergeable::Clean
    };
    if p.facts.commits_ahead > 0 && merge == Mergeable::Clean {
        let (known, waits) = if created {
            (pr.mergeable, &pull_lag::MERGEABLE_WAITS_CREATED[..])
        } else {
            (None, &pull_lag::MERGEABLE_WAITS_KEPT[..])
        };
        merge = match pull_lag::mergeability(ctx.gh.as_ref(), &p.repo, pr.number, known, waits)
            .await?
        {
            Some(true) => Mergeable::Clean,
            Some(false) => Mergeable::Conflicts,
            None => Mergeable::NotComputed,
        };
    }
    let conflicted = merge == Mergeable::Conflicts;
    let missing = missing_labels(&wanted_labels(ctx, p, conflicted), &pr.labels);
    if !missing.is_empty() {
        ctx.gh.add_labels(&p.repo, pr.number, &missing).await?;
    }
    Ok(merge)
}

/// The remembered sync PR, read in the metadata batch, when it needs nothing: ours (marked),
/// open into the branch, from our sync branch or the upstream branch, at the upstream head,
/// with the text we would write and every label it should have.
pub(super) fn current_sync_pr<'a>(
    ctx: &'a ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    why: &str,
) -> Option<&'a PullInfo> {
    let pr = ctx.sync_pulls.get(&p.repo)?;
    if !pr.body.contains(PR_MARKER) {
        // Not ours (any more): the full path decides what to do.
        return None;
    }
    let sync_branch = format!("{}{}", ctx.inv.pull_requests.branch_prefix, t.branch);
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
            ctx.refuse_workflows();
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
