//! A ref write in a fork that survives GitHub's 404s: the write (`force: false` always), its
//! 404 classified ([`not_found::classify`]), and sent again with short waits while a new
//! upstream commit reaches the fork ([`not_found::propagation_waits`], at most
//! `ApplyContext::propagation_wait` in all). What it could not settle goes back to the caller:
//! a commit that never arrived, or a 404 that may be either cause.

use std::future::Future;

use super::not_found::{classify, propagation_waits, Cause};
use super::ApplyContext;
use crate::github::{GhError, RefUpdate};
use crate::plan::PlannedRepo;

/// How a ref write ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Written {
    Done,
    NotFastForward,
    AlreadyExists,
    /// The token may not write the update's workflow changes (GitHub's message, or why the
    /// 404 is one).
    WorkflowRefused(String),
    /// Still 404 after the waits: the new commits have not reached the fork.
    NotReached,
    /// 404 on an update that touches workflows with a token whose right is unknown.
    WorkflowOrNotReached,
}

/// Sends `write` until it is answered with something other than a 404 that a wait can cure.
pub(super) async fn write_ref<F, Fut>(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    what: &str,
    write: F,
) -> Result<Written, GhError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<RefUpdate, GhError>>,
{
    let mut waits = propagation_waits(ctx.propagation_wait).into_iter();
    loop {
        match write().await? {
            RefUpdate::Done => return Ok(Written::Done),
            RefUpdate::NotFastForward => return Ok(Written::NotFastForward),
            RefUpdate::AlreadyExists => return Ok(Written::AlreadyExists),
            RefUpdate::WorkflowRefused(m) => return Ok(Written::WorkflowRefused(m)),
            RefUpdate::NotFound => {}
        }
        let rights = ctx.gh.token_rights(&p.repo).await;
        match classify(
            ctx.touches_workflows(&p.unit()),
            rights,
            ctx.workflows_refused(),
        ) {
            Cause::Workflow => {
                return Ok(Written::WorkflowRefused(format!(
                    "GitHub answered 404 to the {what}: the update changes .github/workflows/ and the token cannot write workflows"
                )))
            }
            Cause::WorkflowOrNotReached => return Ok(Written::WorkflowOrNotReached),
            Cause::NotReachedYet => match waits.next() {
                Some(wait) => {
                    log::debug!(
                        "{}: the {what} answered 404 (the new upstream commits have not reached the fork yet); again in {} ms",
                        p.repo,
                        wait.as_millis()
                    );
                    tokio::time::sleep(wait).await;
                }
                None => return Ok(Written::NotReached),
            },
        }
    }
}
