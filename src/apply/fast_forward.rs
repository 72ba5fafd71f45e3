//! A fast-forward: the branch moves to the upstream head with `force: false`, so history is
//! never rewritten. When GitHub refuses (the branch moved, or the update changes workflow files
//! the token may not write), the repository gets a sync pull request instead.

use super::pull_request::pull_request;
use super::ApplyContext;
use crate::decision::Status;
use crate::gather::Target;
use crate::github::{GhError, RefUpdate};
use crate::outcome::RepoOutcome;
use crate::plan::PlannedRepo;

/// Why a sync PR replaces a fast-forward whose update changes workflow files.
const WORKFLOWS_REFUSED: &str =
    "the update changes .github/workflows/ and the token cannot write workflows";

pub(super) async fn fast_forward(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    mut o: RepoOutcome,
) -> Result<RepoOutcome, GhError> {
    if ctx.touches_workflows(&p.repo) && ctx.workflows_refused() {
        // An earlier repository showed the token cannot write workflows: go straight to a PR.
        return pull_request(ctx, p, t, o, Some(WORKFLOWS_REFUSED.into())).await;
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
                t.head.short(),
                t.upstream_head.short()
            );
            Ok(o)
        }
        RefUpdate::NotFastForward => {
            let why = "the branch moved during the run and can no longer fast-forward";
            pull_request(ctx, p, t, o, Some(why.into())).await
        }
        RefUpdate::WorkflowRefused(msg) => {
            ctx.refuse_workflows();
            log::warn!("{}: {msg}; opening a pull request instead", p.repo);
            pull_request(ctx, p, t, o, Some(WORKFLOWS_REFUSED.into())).await
        }
        RefUpdate::AlreadyExists => {
            Err(GhError::Decode("unexpected answer to a ref update".into()))
        }
    }
}
