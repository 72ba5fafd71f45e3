//! What follows a sync PR: people asked when they are needed (reviewers and assignees, on
//! every new sync PR or only once it conflicts: `pull_requests.reviewers_on`), GitHub's
//! auto-merge for a sync PR without a conflict (`pull_requests.auto_merge`), and a sync PR
//! merged since the last run, which counts as synced.
//!
//! A repository that does not allow auto-merge is said once per repository and run; its PR
//! is left open for a person. Requests that fail here are notes on the outcome, never a
//! failure of the sync itself (the PR is open either way).

use super::pr_text::PR_MARKER;
use super::ApplyContext;
use crate::config::ReviewersOn;
use crate::decision::{Action, Status};
use crate::gather::Target;
use crate::github::{AutoMergeAnswer, PullInfo};
use crate::outcome::{PullRef, RepoOutcome};
use crate::plan::PlannedRepo;

/// What the outcome says where the repository does not allow auto-merge.
const NOT_ALLOWED: &str = "auto-merge not enabled: the repository does not allow auto-merge; turn on \"Allow auto-merge\" in its settings; the PR is left open";

/// Whether to ask for reviewers and assignees now: `always` on a new sync PR; `conflict`
/// when this run found the sync PR conflicting for the first time (on a new PR or a kept one).
pub fn ask_people(on: ReviewersOn, created: bool, newly_conflicted: bool) -> bool {
    match on {
        ReviewersOn::Always => created,
        ReviewersOn::Conflict => newly_conflicted,
    }
}

/// The users asked to review one repository's sync PR: the fleet's, then the repository's
/// own, each once (logins compare without case, as on GitHub).
pub fn reviewers_for(fleet: &[String], repo: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in fleet.iter().chain(repo) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(l)) {
            out.push(l.clone());
        }
    }
    out
}

/// The sync PR of the last run when GitHub merged it since (auto-merge, or a person): ours,
/// into this branch, and either at the upstream head now or the branch now contains upstream.
pub fn merged_since_last_run<'a>(
    remembered: Option<&'a PullInfo>,
    t: &Target,
    expected: Status,
) -> Option<&'a PullInfo> {
    let pr = remembered?;
    let ours = pr.body.contains(PR_MARKER) && pr.base_ref == t.branch.as_str();
    let brought = pr.head_sha.as_ref() == Some(&t.upstream_head) || expected == Status::UpToDate;
    (ours && pr.merged && brought).then_some(pr)
}

/// The outcome of a repository whose sync PR was merged since the last run: synced.
pub fn merged_outcome(mut o: RepoOutcome, pr: &PullInfo) -> RepoOutcome {
    o.action = Action::None;
    o.status = Status::Synced;
    o.error = None;
    o.detail = format!(
        "sync PR #{} was merged since the last run; the branch has the upstream",
        pr.number
    );
    o.pull_request = Some(PullRef {
        number: pr.number,
        url: pr.url.clone(),
        title: pr.title.clone(),
        created: false,
        conflicted: false,
    });
    o
}

/// Asks the repository's reviewers (users and teams) and assigns the assignees; what GitHub
/// refuses becomes a note.
pub(super) async fn ask(ctx: &ApplyContext, p: &PlannedRepo, number: u64, notes: &mut Vec<String>) {
    let prs = &ctx.inv.pull_requests;
    let own = ctx
        .inv
        .top
        .iter()
        .chain(&ctx.inv.repositories)
        .find(|s| s.repo == p.repo)
        .map(|s| s.reviewers.as_slice())
        .unwrap_or_default();
    let users = reviewers_for(&prs.reviewers, own);
    if let Err(e) = ctx
        .gh
        .request_reviewers(&p.repo, number, &users, &prs.team_reviewers)
        .await
    {
        notes.push(format!("reviewers not requested: {e}"));
    }
    if let Err(e) = ctx.gh.add_assignees(&p.repo, number, &prs.assignees).await {
        notes.push(format!("assignees not added: {e}"));
    }
}

/// Turns on GitHub's auto-merge for a sync PR without a conflict, when configured and not on
/// yet. A repository that does not allow it is said once (a second PR of it in this run is
/// not tried again); the PR is left open.
pub(super) async fn auto_merge(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    pr: &PullInfo,
    notes: &mut Vec<String>,
) {
    let Some(method) = ctx.inv.pull_requests.auto_merge else {
        return;
    };
    let refused = || {
        ctx.auto_merge_refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    };
    if pr.auto_merge || pr.node_id.is_empty() || refused().contains(&p.repo) {
        return;
    }
    if ctx.auto_merge_disallowed.contains(&p.repo) {
        // GitHub said so in the metadata batch: the write would only be refused.
        refused().insert(p.repo.clone());
        notes.push(NOT_ALLOWED.to_string());
        return;
    }
    match ctx.gh.enable_auto_merge(&p.repo, &pr.node_id, method).await {
        Ok(AutoMergeAnswer::Enabled) => notes.push(format!(
            "auto-merge on ({}): GitHub merges it when the required checks pass",
            method.graphql().to_ascii_lowercase()
        )),
        Ok(AutoMergeAnswer::NotAllowed(m)) => {
            refused().insert(p.repo.clone());
            notes.push(format!("{NOT_ALLOWED} (GitHub: {m})"));
        }
        Ok(AutoMergeAnswer::Refused(m)) if m.to_ascii_lowercase().contains("clean status") => {
            notes.push(format!(
                "auto-merge not enabled: GitHub has nothing to wait for (the branch requires no status check, or its required checks passed already; GitHub: {m}); the PR is left open to merge"
            ))
        }
        Ok(AutoMergeAnswer::Refused(m)) => notes.push(format!(
            "auto-merge not enabled (GitHub: {m}); the PR is left open"
        )),
        Err(e) => notes.push(format!("auto-merge not enabled: {e}; the PR is left open")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{BranchName, Oid};

    fn oid(c: char) -> Oid {
        Oid::parse(&c.to_string().repeat(40)).unwrap()
    }

    fn target() -> Target {
        Target {
            branch: BranchName::parse("main").unwrap(),
            head: oid('a'),
            upstream: "up/x".parse().unwrap(),
            upstream_branch: BranchName::parse("main").unwrap(),
            upstream_head: oid('b'),
        }
    }

    fn pr(merged: bool, head: char, body: &str) -> PullInfo {
        PullInfo {
            number: 4,
            url: "https://github.com/o/r/pull/4".into(),
            title: "Sync main".into(),
            head_ref: "priority-sync/main".into(),
            head_repo: Some("o/r".into()),
            base_ref: "main".into(),
            body: body.into(),
            labels: vec![],
            mergeable: Some(true),
            head_sha: Some(oid(head)),
            open: !merged,
            node_id: "PR_4".into(),
            merged,
            auto_merge: false,
        }
    }

    #[test]
    fn people_are_asked_on_a_new_pr_or_only_on_a_new_conflict() {
        use ReviewersOn::*;
        assert!(ask_people(Always, true, false));
        assert!(
            !ask_people(Always, false, true),
            "a kept PR was asked when opened"
        );
        assert!(
            !ask_people(Conflict, true, false),
            "a clean new PR needs nobody"
        );
        assert!(ask_people(Conflict, true, true));
        assert!(
            ask_people(Conflict, false, true),
            "a kept PR that now conflicts"
        );
        assert!(!ask_people(Conflict, false, false));
    }

    #[test]
    fn the_repository_s_reviewers_join_the_fleet_s_once() {
        let fleet = vec!["alice".to_string(), "Bob".to_string()];
        let own = vec!["bob".to_string(), "carol".to_string()];
        assert_eq!(reviewers_for(&fleet, &own), ["alice", "Bob", "carol"]);
        assert_eq!(reviewers_for(&[], &own), ["bob", "carol"]);
    }

    #[test]
    fn only_our_merged_sync_pr_that_brought_the_upstream_counts_as_synced() {
        let t = target();
        let ours = format!("text\n{PR_MARKER}");
        let merged = pr(true, 'b', &ours);
        assert!(merged_since_last_run(Some(&merged), &t, Status::PrOpen).is_some());
        // Upstream moved on since: only when the branch now has it.
        let older = pr(true, 'c', &ours);
        assert!(merged_since_last_run(Some(&older), &t, Status::PrOpen).is_none());
        assert!(merged_since_last_run(Some(&older), &t, Status::UpToDate).is_some());
        assert!(
            merged_since_last_run(Some(&pr(false, 'b', &ours)), &t, Status::UpToDate).is_none()
        );
        assert!(
            merged_since_last_run(Some(&pr(true, 'b', "a person's")), &t, Status::UpToDate)
                .is_none()
        );
        assert!(merged_since_last_run(None, &t, Status::UpToDate).is_none());
        let mut other_base = merged.clone();
        other_base.base_ref = "dev".into();
        assert!(merged_since_last_run(Some(&other_base), &t, Status::UpToDate).is_none());
    }
}
