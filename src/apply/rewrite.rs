//! Upstream rewrote its history (a force push, as when purging a leaked secret): the sync
//! branch sits on a commit upstream no longer has, and a fast-forward to the new upstream head
//! is refused. When the branch holds only what priority-sync put there — its head is the
//! upstream head priority-sync last set it to, recorded in the sync PR's body — it is
//! priority-sync's own and is moved to the new upstream head with `force: true`, the only
//! forced update priority-sync ever makes. When a person added commits to it, it is left alone
//! and the repository needs a person: merging it would bring back what upstream removed.

use super::ApplyContext;
use crate::gather::Target;
use crate::github::{GhError, RefUpdate};
use crate::ids::Oid;
use crate::plan::PlannedRepo;

/// What a refused fast-forward of the sync branch turned out to mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AfterRefusal {
    /// The branch held only an upstream head upstream discarded: it was moved (forced) to the
    /// new upstream head; `from` is where it was.
    Reset { from: Oid },
    /// Upstream discarded the head priority-sync offered and a person added commits on top:
    /// left alone; why, for the report.
    NeedsPerson(String),
    /// The branch has commits of its own on a history upstream still has (a conflict
    /// resolution): left as is, the pull request carries them.
    Diverged,
    /// The update changes workflow files the token may not write.
    WorkflowRefused(String),
    /// 404: the new upstream head has not reached the fork (or, with the workflow change, the
    /// token may not write it); the branch was left where it is.
    NotFound,
}

/// Whose the sync branch's commits are, from its head and the upstream head priority-sync
/// last set it to (`None` when no record says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holder<'a> {
    /// The branch is at the head priority-sync set: only upstream's commits.
    PrioritySync,
    /// It moved since priority-sync set it to this head: someone else's commits.
    Someone(&'a Oid),
    /// Nothing records what priority-sync set it to.
    Unknown,
}

pub(super) fn holder<'a>(head: &Oid, recorded: Option<&'a Oid>) -> Holder<'a> {
    match recorded {
        Some(r) if r == head => Holder::PrioritySync,
        Some(r) => Holder::Someone(r),
        None => Holder::Unknown,
    }
}

/// After GitHub refused to fast-forward `sync_branch` (at `head`) to the upstream head: move it
/// when it is priority-sync's own and upstream discarded its commit, else say why not.
pub(super) async fn after_refusal(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    sync_branch: &str,
    head: &Oid,
    recorded: Option<&Oid>,
) -> Result<AfterRefusal, GhError> {
    match holder(head, recorded) {
        // The refusal proves `head` is not an ancestor of the new upstream head: the commit
        // priority-sync offered is gone from upstream, and nothing else is on the branch.
        Holder::PrioritySync => {
            log::warn!(
                "{}: upstream rewrote its history ({} is no longer in {}:{}); moving {sync_branch}, which holds only what priority-sync put there, to {}",
                p.repo,
                head.short(),
                t.upstream,
                t.upstream_branch,
                t.upstream_head.short()
            );
            Ok(
                match ctx
                    .gh
                    .update_ref(&p.repo, sync_branch, &t.upstream_head, true)
                    .await?
                {
                    RefUpdate::WorkflowRefused(m) => AfterRefusal::WorkflowRefused(m),
                    RefUpdate::NotFound => AfterRefusal::NotFound,
                    RefUpdate::Done | RefUpdate::AlreadyExists => {
                        AfterRefusal::Reset { from: head.clone() }
                    }
                    RefUpdate::NotFastForward => {
                        return Err(GhError::Decode(
                            "a forced ref update was answered \"not a fast forward\"".into(),
                        ))
                    }
                },
            )
        }
        Holder::Someone(recorded) => {
            if still_upstream(ctx, t, recorded).await? {
                return Ok(AfterRefusal::Diverged);
            }
            Ok(AfterRefusal::NeedsPerson(format!(
                "needs a person: upstream rewrote its history ({} priority-sync offered is no longer in {}:{}) and {sync_branch} has commits a person added, so it was left alone; rebase them onto the new upstream head {} or close the pull request, since merging it as it is would bring back what upstream removed",
                recorded.short(),
                t.upstream,
                t.upstream_branch,
                t.upstream_head.short()
            )))
        }
        Holder::Unknown => Ok(AfterRefusal::Diverged),
    }
}

/// Whether the upstream branch still contains `commit` (a compare of `commit` with it shows
/// nothing of `commit`'s own). Unknown (not comparable) counts as yes: nothing is concluded.
async fn still_upstream(ctx: &ApplyContext, t: &Target, commit: &Oid) -> Result<bool, GhError> {
    let c = ctx
        .gh
        .compare(&t.upstream, commit, &t.upstream, &t.upstream_branch)
        .await?;
    Ok(c.is_none_or(|c| c.ahead == 0))
}

/// The paragraph a sync PR carries once its branch was moved past an upstream rewrite.
pub(super) fn rewrite_paragraph(from: &Oid, to: &Oid) -> String {
    format!(
        "**Upstream rewrote its history** (a force push): this pull request's branch was moved from `{}` to `{}`; the commits upstream removed are no longer part of it.",
        from.short(),
        to.short()
    )
}

/// The rewrite paragraph an earlier run put in a sync PR's body, if any.
pub(super) fn carried_paragraph(body: &str) -> Option<&str> {
    body.lines()
        .rev()
        .find(|l| l.starts_with("**Upstream rewrote its history**"))
}

/// `body` with `paragraph` (when there is one) before its closing line.
pub(super) fn with_paragraph(body: String, paragraph: Option<&str>) -> String {
    match paragraph {
        Some(p) => format!("{body}\n{p}\n"),
        None => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(c: char) -> Oid {
        c.to_string().repeat(40).parse().unwrap()
    }

    #[test]
    fn the_branch_is_ours_only_at_the_head_we_recorded() {
        assert_eq!(holder(&oid('a'), Some(&oid('a'))), Holder::PrioritySync);
        assert_eq!(
            holder(&oid('b'), Some(&oid('a'))),
            Holder::Someone(&oid('a'))
        );
        assert_eq!(holder(&oid('a'), None), Holder::Unknown);
    }

    #[test]
    fn the_rewrite_paragraph_is_carried_from_body_to_body() {
        let p = rewrite_paragraph(&oid('a'), &oid('b'));
        assert!(p.contains("`aaaaaaa` to `bbbbbbb`"), "{p}");
        let body = with_paragraph("text\n".into(), Some(&p));
        assert_eq!(carried_paragraph(&body), Some(p.as_str()));
        assert_eq!(carried_paragraph("text\n"), None);
        assert_eq!(with_paragraph("text\n".into(), None), "text\n");
    }
}
