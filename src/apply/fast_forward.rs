//! A fast-forward: the branch moves to the upstream head the plan compared with `force:
//! false`, so history is never rewritten. GitHub answers 404 while new upstream commits reach
//! the fork: the update is sent again for a few seconds ([`ref_write`]), then made through
//! GitHub's own sync (`merge-upstream`), which works at once — only where that can only
//! fast-forward ([`not_found::merge_upstream_guard`]) and checked afterwards. When GitHub
//! refuses (the branch moved, the update changes workflow files the token may not write) or
//! the guard does not hold, the repository gets a sync pull request instead.
//!
//! Nothing here can lose or rewrite a commit: the ref update is fast-forward-only by
//! construction; merge-upstream runs only on a branch without commits of its own, read again
//! just before, so it can only fast-forward; if someone pushes in the instant between that read
//! and the sync, GitHub merges (both parents kept), which is reported loudly and never undone
//! by force.

use super::not_found::{
    after_sync, merge_upstream_guard, workflows_refused, AfterSync, GuardFacts,
};
use super::pull_request::pull_request;
use super::ref_write::{write_ref, Written};
use super::ApplyContext;
use crate::decision::Status;
use crate::gather::Target;
use crate::github::{GhError, MergeUpstream};
use crate::outcome::RepoOutcome;
use crate::plan::PlannedRepo;

pub(super) async fn fast_forward(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    mut o: RepoOutcome,
) -> Result<RepoOutcome, GhError> {
    if ctx.touches_workflows(&p.unit()) && ctx.cannot_write_workflows(&p.repo).await {
        // The token is known not to write workflows: go straight to a PR.
        let why = ctx.workflow_reason(&p.repo).await;
        return pull_request(ctx, p, t, o, Some(why)).await;
    }
    let written = write_ref(ctx, p, "fast-forward", || {
        ctx.gh
            .update_ref(&p.repo, &t.branch, &t.upstream_head, false)
    })
    .await?;
    match written {
        Written::Done => {
            o.status = Status::Synced;
            o.detail = format!(
                "fast-forwarded {} ({} → {})",
                commits(p.facts.commits_behind),
                t.head.short(),
                t.upstream_head.short()
            );
            Ok(o)
        }
        Written::NotFastForward => {
            let why = "the branch moved during the run and can no longer fast-forward";
            pull_request(ctx, p, t, o, Some(why.into())).await
        }
        Written::WorkflowRefused(msg) => {
            ctx.refuse_workflows();
            log::warn!("{}: {msg}; opening a pull request instead", p.repo);
            let why = ctx.workflow_reason(&p.repo).await;
            pull_request(ctx, p, t, o, Some(why)).await
        }
        Written::AlreadyExists => Err(GhError::Decode("unexpected answer to a ref update".into())),
        Written::NotReached => {
            let why = format!(
                "GitHub had not made the new upstream commits available in the fork after {} s (404 Not Found)",
                ctx.propagation_wait.as_secs_f32()
            );
            through_sync(ctx, p, t, o, why).await
        }
        Written::WorkflowOrNotReached => {
            let why = "GitHub answered 404 Not Found: the token may lack the workflow permission, or the new upstream commits have not reached the fork yet".to_string();
            through_sync(ctx, p, t, o, why).await
        }
    }
}

/// The fast-forward through GitHub's sync (`merge-upstream`) after the ref update answered
/// 404 (`why_404`), under the guard; a sync PR from the upstream branch when the guard does
/// not hold or GitHub's sync refuses.
async fn through_sync(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    mut o: RepoOutcome,
    why_404: String,
) -> Result<RepoOutcome, GhError> {
    let fresh = ctx.gh.branch_head(&p.repo, &t.branch).await?;
    let guard = GuardFacts {
        upstream_is_parent: ctx.inv.get(&p.repo).is_some_and(|s| s.upstream.is_none()),
        same_branch: t.branch == t.upstream_branch,
        ahead: p.facts.commits_ahead,
        planned_head: &t.head,
        fresh_head: fresh.as_deref(),
    };
    if let Err(why_not) = merge_upstream_guard(&guard) {
        let why = format!("{why_404}; GitHub's sync was not used: {why_not}");
        return via_upstream(ctx, p, t, o, why).await;
    }
    let answer = ctx.gh.merge_upstream(&p.repo, &t.branch).await?;
    match after_sync(&answer) {
        AfterSync::Synced => {
            let reached = ctx.gh.branch_head(&p.repo, &t.branch).await?;
            match reached {
                _ if answer == MergeUpstream::NotBehind => {
                    o.status = Status::UpToDate;
                    o.detail = "GitHub's sync found the branch not behind its upstream".into();
                    Ok(o)
                }
                Some(head) if head != t.head => {
                    o.status = Status::Synced;
                    o.detail = format!(
                        "fast-forwarded {} ({} → {}) through GitHub's sync (merge-upstream): {why_404}",
                        commits(p.facts.commits_behind),
                        short(&t.head),
                        short(&head)
                    );
                    if head != t.upstream_head {
                        o.detail.push_str(&format!(
                            "; the upstream had moved on from {} meanwhile",
                            short(&t.upstream_head)
                        ));
                    }
                    Ok(o)
                }
                _ => Err(GhError::Decode(format!(
                    "GitHub's sync answered fast-forward but {} did not move",
                    t.branch
                ))),
            }
        }
        AfterSync::MergeCommitMade => {
            // Someone pushed between the fresh read and the sync: GitHub merged. Both
            // histories are kept; undoing it would need a forced update that could drop a
            // concurrent push, so it stays, and is said loudly.
            let head = ctx.gh.branch_head(&p.repo, &t.branch).await?;
            let head = head.as_deref().map(short).unwrap_or("?").to_string();
            let msg = format!(
                "GitHub's sync made a merge commit ({head}) on {} because the branch moved during the run: both histories are kept and nothing was rewritten, but a fast-forward was intended; review it",
                t.branch
            );
            log::warn!("{}: {msg}", p.repo);
            o.status = Status::Synced;
            o.detail = msg;
            Ok(o)
        }
        AfterSync::PullRequest(why) => via_upstream(ctx, p, t, o, why).await,
        AfterSync::WorkflowRefused(msg) => {
            ctx.refuse_workflows();
            log::warn!("{}: {msg}; opening a pull request instead", p.repo);
            let why = workflows_refused(ctx.gh.token_rights(&p.repo).await.kind);
            pull_request(ctx, p, t, o, Some(why)).await
        }
    }
}

/// The sync PR from the upstream branch (it needs no ref in the fork), saying why.
async fn via_upstream(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    o: RepoOutcome,
    why: String,
) -> Result<RepoOutcome, GhError> {
    ctx.not_reached(&p.unit(), why.clone());
    let why = format!("could not fast-forward: {why}");
    pull_request(ctx, p, t, o, Some(why)).await
}

fn commits(n: u32) -> String {
    crate::plural::count(n, "commit", "commits")
}

/// A commit id's first seven characters.
fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}
