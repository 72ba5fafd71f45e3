//! A listed branch the upstream has and the fork does not (a release branch cut upstream
//! after the fork was made): created in the fork at the upstream branch's head (`POST
//! …/git/refs`, which cannot lose a commit). While the upstream's commits have not reached the
//! fork GitHub answers 404: sent again like any ref write; still missing after the waits, the
//! branch waits for the next run.

use super::ref_write::{write_ref, Written};
use super::ApplyContext;
use crate::decision::Status;
use crate::gather::Target;
use crate::github::GhError;
use crate::outcome::RepoOutcome;
use crate::plan::PlannedRepo;

pub(super) async fn create(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    mut o: RepoOutcome,
) -> Result<RepoOutcome, GhError> {
    let written = write_ref(ctx, p, "branch creation", || {
        ctx.gh.create_ref(&p.repo, &t.branch, &t.upstream_head)
    })
    .await?;
    match written {
        Written::Done => {
            o.status = Status::Synced;
            o.detail = format!(
                "created at {}:{}'s head ({}): it was not in the fork",
                t.upstream,
                t.upstream_branch,
                t.upstream_head.short()
            );
        }
        Written::AlreadyExists => {
            o.status = Status::Pending;
            o.detail = "created by someone else during the run; the next run compares it".into();
        }
        Written::NotReached | Written::WorkflowOrNotReached => {
            o.status = Status::Pending;
            o.detail = format!(
                "not created: GitHub had not made the upstream's commits available in the fork after {} s (404 Not Found); the next run creates it",
                ctx.propagation_wait.as_secs_f32()
            );
        }
        Written::WorkflowRefused(msg) => {
            o.status = Status::Failed;
            o.detail = "branch creation failed".into();
            o.error = Some(format!("{msg}; {}", ctx.workflow_reason(&p.repo).await));
        }
        Written::NotFastForward => {
            return Err(GhError::Decode(
                "unexpected answer to a branch creation".into(),
            ))
        }
    }
    Ok(o)
}
