//! What a ref write's 404 means and what may follow it, as pure decisions over literal facts.
//!
//! GitHub answers a fork's `PATCH`/`POST git/refs` with 404 Not Found for two unrelated reasons:
//! the new upstream commit has not reached the fork yet (cli/cli#4907, #4942; a short delay,
//! or until something syncs the fork), or the token may not write the update's changes under
//! `.github/workflows/` (cli/cli#7574, #10574). Nothing in the answer tells them apart; what
//! the run knows does: whether the update touches workflows (the gather's compare), and what
//! the token may do (a classic token's `x-oauth-scopes`, an App token's `permissions`).
//!
//! After a 404 that is not a workflow refusal, the branch is fast-forwarded through GitHub's
//! own sync (`merge-upstream`), which works at once — but only under [`merge_upstream_guard`],
//! because merge-upstream makes a merge commit whenever the branch has commits of its own.

use std::time::Duration;

use crate::github::{MergeUpstream, TokenKind, TokenRights, WorkflowRight};

/// Why a ref write answered 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cause {
    /// The token may not write the update's workflow changes.
    Workflow,
    /// The new commits have not reached the fork yet.
    NotReachedYet,
    /// Either: the update touches workflows and the token's right is not known.
    WorkflowOrNotReached,
}

/// Classifies a ref write's 404: an update that leaves `.github/workflows/` alone cannot be a
/// workflow refusal; one that touches it is, when the token is known (or was found this run)
/// not to write workflows; known to write them, it is the commit not there yet.
pub(super) fn classify(
    touches_workflows: bool,
    rights: TokenRights,
    refused_before: bool,
) -> Cause {
    if !touches_workflows {
        return Cause::NotReachedYet;
    }
    match (refused_before, rights.workflows) {
        (true, _) | (_, WorkflowRight::Missing) => Cause::Workflow,
        (false, WorkflowRight::Granted) => Cause::NotReachedYet,
        (false, WorkflowRight::Unknown) => Cause::WorkflowOrNotReached,
    }
}

/// The waits between attempts while a new commit reaches the fork: doubling from 250 ms and
/// adding up to `total` (the last one cut to fit). GitHub gives no figure for the delay; a
/// few seconds covers the short one, and a commit that takes longer is left to merge-upstream
/// or to a pull request from the upstream branch.
pub(super) fn propagation_waits(total: Duration) -> Vec<Duration> {
    let mut out = Vec::new();
    let (mut step, mut left) = (Duration::from_millis(250), total);
    while !left.is_zero() {
        let d = step.min(left);
        out.push(d);
        left -= d;
        step *= 2;
    }
    out
}

/// What the guard of a fast-forward through `merge-upstream` looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GuardFacts<'a> {
    /// The upstream is the fork's parent (no explicit `upstream` in the inventory):
    /// merge-upstream only knows the parent.
    pub upstream_is_parent: bool,
    /// The branch and the upstream's branch have the same name: merge-upstream syncs a fork
    /// branch with the parent's branch of that name (for any other GitHub's choice is unknown).
    pub same_branch: bool,
    /// The branch's own commits the plan found (it must be 0: a fast-forward).
    pub ahead: u32,
    /// The head the plan compared.
    pub planned_head: &'a str,
    /// The head read just now (`None`: the branch is gone).
    pub fresh_head: Option<&'a str>,
}

/// Whether merge-upstream may run: it can only fast-forward when the branch has no commit
/// of its own, and the fresh read shows nobody pushed since the plan. `Err` says why not.
pub(super) fn merge_upstream_guard(g: &GuardFacts<'_>) -> Result<(), &'static str> {
    if !g.upstream_is_parent {
        return Err("its upstream is not the fork's parent, the only one GitHub's sync knows");
    }
    if !g.same_branch {
        return Err("the upstream branch has another name than the fork's");
    }
    if g.ahead > 0 {
        return Err("the branch has commits of its own");
    }
    if g.fresh_head != Some(g.planned_head) {
        return Err("the branch moved since it was read");
    }
    Ok(())
}

/// A refusal naming the workflow permission, in any of GitHub's wordings: "… without `workflow`
/// scope" (classic and OAuth tokens), "… without `workflows` permission" (App tokens).
pub(super) fn is_workflow_refusal(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("workflow") && (m.contains("scope") || m.contains("permission"))
}

/// What to do after GitHub's sync answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AfterSync {
    /// The branch is at the upstream's head (fast-forward), or already was.
    Synced,
    /// GitHub made a merge commit: someone pushed between the guard and the sync. Nothing is
    /// lost (both parents are kept) and nothing may be undone by force: report it loudly.
    MergeCommitMade,
    /// A sync pull request from the upstream branch instead, for this reason.
    PullRequest(String),
    /// The token may not write the update's workflow changes.
    WorkflowRefused(String),
}

/// Reads merge-upstream's answer.
pub(super) fn after_sync(answer: &MergeUpstream) -> AfterSync {
    match answer {
        MergeUpstream::FastForward | MergeUpstream::NotBehind => AfterSync::Synced,
        MergeUpstream::Merged => AfterSync::MergeCommitMade,
        MergeUpstream::Conflict(m) => AfterSync::PullRequest(format!(
            "GitHub's sync found conflicts ({m}): the branch changed during the run"
        )),
        MergeUpstream::Refused(_, m) if is_workflow_refusal(m) => {
            AfterSync::WorkflowRefused(m.clone())
        }
        MergeUpstream::Refused(status, m) => {
            AfterSync::PullRequest(format!("GitHub's sync refused it ({status}: {m})"))
        }
    }
}

/// The permission to add so that workflow changes can be fast-forwarded, for this token.
pub(super) fn workflow_permission(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Classic => "add the workflow scope to the token",
        TokenKind::App => "give the GitHub App the Workflows: write permission",
        TokenKind::Unknown => {
            "give the token Workflows: write (fine-grained token or GitHub App; a classic token needs the workflow scope)"
        }
    }
}

/// Why a sync PR replaces a fast-forward or the sync branch: the update changes workflow
/// files the token may not write, and what to add.
pub(super) fn workflows_refused(kind: TokenKind) -> String {
    format!(
        "the update changes .github/workflows/ and the token cannot write workflows: {}",
        workflow_permission(kind)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rights(kind: TokenKind, workflows: WorkflowRight) -> TokenRights {
        TokenRights { kind, workflows }
    }

    #[test]
    fn a_404_is_a_workflow_refusal_only_when_the_update_touches_workflows() {
        use Cause::*;
        use WorkflowRight::*;
        let classic = |w| rights(TokenKind::Classic, w);
        assert_eq!(classify(false, classic(Missing), false), NotReachedYet);
        assert_eq!(classify(false, classic(Missing), true), NotReachedYet);
        assert_eq!(classify(true, classic(Missing), false), Workflow);
        assert_eq!(classify(true, classic(Granted), false), NotReachedYet);
        assert_eq!(classify(true, classic(Granted), true), Workflow);
        let unknown = rights(TokenKind::Unknown, Unknown);
        assert_eq!(classify(true, unknown, false), WorkflowOrNotReached);
        assert_eq!(classify(true, unknown, true), Workflow);
        assert_eq!(classify(false, unknown, false), NotReachedYet);
        assert_eq!(
            classify(true, rights(TokenKind::App, Missing), false),
            Workflow
        );
    }

    #[test]
    fn the_rights_come_from_the_scopes_header_or_the_installation_answer() {
        use WorkflowRight::*;
        assert_eq!(
            TokenRights::from_scopes(Some("repo, workflow")),
            rights(TokenKind::Classic, Granted)
        );
        assert_eq!(
            TokenRights::from_scopes(Some("repo, security_events")),
            rights(TokenKind::Classic, Missing)
        );
        assert_eq!(
            TokenRights::from_scopes(Some("")),
            rights(TokenKind::Classic, Missing)
        );
        // `workflows` is not the classic scope `workflow`.
        assert_eq!(
            TokenRights::from_scopes(Some("repo,workflows")),
            rights(TokenKind::Classic, Missing)
        );
        assert_eq!(
            TokenRights::from_scopes(None),
            rights(TokenKind::Unknown, Unknown)
        );
        let perms = serde_json::json!({"contents": "write", "workflows": "write"});
        assert_eq!(
            TokenRights::from_installation(Some(&perms)),
            rights(TokenKind::App, Granted)
        );
        let perms = serde_json::json!({"contents": "write", "workflows": "read"});
        assert_eq!(
            TokenRights::from_installation(Some(&perms)),
            rights(TokenKind::App, Missing)
        );
        assert_eq!(
            TokenRights::from_installation(None),
            rights(TokenKind::App, Unknown)
        );
    }

    #[test]
    fn waits_double_and_add_up_to_the_total() {
        let ms = |v: &[u64]| {
            v.iter()
                .map(|&m| Duration::from_millis(m))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            propagation_waits(Duration::from_millis(3000)),
            ms(&[250, 500, 1000, 1250])
        );
        assert_eq!(propagation_waits(Duration::from_millis(100)), ms(&[100]));
        assert!(propagation_waits(Duration::ZERO).is_empty());
        let total: Duration = propagation_waits(Duration::from_millis(7777)).iter().sum();
        assert_eq!(total, Duration::from_millis(7777));
    }

    #[test]
    fn merge_upstream_runs_only_where_it_can_only_fast_forward() {
        let ok = GuardFacts {
            upstream_is_parent: true,
            same_branch: true,
            ahead: 0,
            planned_head: "a1",
            fresh_head: Some("a1"),
        };
        assert_eq!(merge_upstream_guard(&ok), Ok(()));
        for (bad, why) in [
            (
                GuardFacts {
                    upstream_is_parent: false,
                    ..ok.clone()
                },
                "parent",
            ),
            (
                GuardFacts {
                    same_branch: false,
                    ..ok.clone()
                },
                "name",
            ),
            (
                GuardFacts {
                    ahead: 1,
                    ..ok.clone()
                },
                "commits of its own",
            ),
            (
                GuardFacts {
                    fresh_head: Some("b2"),
                    ..ok.clone()
                },
                "moved",
            ),
            (
                GuardFacts {
                    fresh_head: None,
                    ..ok.clone()
                },
                "moved",
            ),
        ] {
            let e = merge_upstream_guard(&bad).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
    }

    #[test]
    fn both_of_githubs_workflow_wordings_are_recognised() {
        // cli/cli#7612 (classic token) and cli/cli#10574 (App token).
        assert!(is_workflow_refusal("refusing to allow an OAuth App to create or update workflow `.github/workflows/bench.yml` without `workflow` scope"));
        assert!(is_workflow_refusal("refusing to allow a GitHub App to create or update workflow `.github/workflows/teamcity-pr-checks.yml` without `workflows` permission"));
        assert!(!is_workflow_refusal(
            "There was a problem updating the branch"
        ));
        assert!(!is_workflow_refusal(
            "The upstream repository does not have a workflows branch."
        ));
    }

    #[test]
    fn githubs_sync_answers_lead_to_a_sync_a_loud_report_or_a_pr() {
        assert_eq!(after_sync(&MergeUpstream::FastForward), AfterSync::Synced);
        assert_eq!(after_sync(&MergeUpstream::NotBehind), AfterSync::Synced);
        assert_eq!(
            after_sync(&MergeUpstream::Merged),
            AfterSync::MergeCommitMade
        );
        assert!(matches!(
            after_sync(&MergeUpstream::Conflict("There are merge conflicts".into())),
            AfterSync::PullRequest(why) if why.contains("conflicts")
        ));
        let wf = "refusing to allow an OAuth App to create or update workflow `.github/workflows/ci.yml` without `workflow` scope";
        assert_eq!(
            after_sync(&MergeUpstream::Refused(422, wf.into())),
            AfterSync::WorkflowRefused(wf.into())
        );
        assert!(matches!(
            after_sync(&MergeUpstream::Refused(404, "Not Found".into())),
            AfterSync::PullRequest(why) if why.contains("404")
        ));
    }

    #[test]
    fn the_permission_to_add_is_named_for_the_token() {
        assert!(
            workflows_refused(TokenKind::Classic).ends_with("add the workflow scope to the token")
        );
        assert!(workflows_refused(TokenKind::App).contains("Workflows: write"));
        assert!(workflows_refused(TokenKind::Unknown).contains("Workflows: write"));
    }
}
