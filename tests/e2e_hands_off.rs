//! Hands-off merges and people when they are needed, end to end against the sandbox (issue 14,
//! items 3 and 4). GitHub's behaviour is the sandbox's, modelled and cited in
//! `tests/sandbox/tests/auto_merge.rs`: "Allow auto-merge" off by default (and
//! `autoMergeAllowed: false` in GraphQL, which priority-sync reads before asking), auto-merge
//! refused in GitHub's words where it is off, a pull request with auto-merge merged once its
//! base branch's required checks pass.
//!
//! What a user wants: with `pull_requests.auto_merge`, a clean sync PR merges by itself when CI
//! is green and the next run counts the repository synced (state, velocity, dashboard); where
//! the repository does not allow auto-merge, the report says so once and the PR waits for a
//! person; reviewers (and assignees) only when a sync PR conflicts, if asked so.

mod common;

use common::Harness;
use github_sandbox::SandboxConfig;
use serde_json::Value;

/// Fixed forks of the generated fleet (tests/sandbox/src/fleet/plan.rs).
const CONFLICTING: &str = "heyns1000/payment-gateway-hub";
const DIVERGED: &str = "heyns1000/buildnest";
const FAR_BEHIND: &str = "heyns1000/data-warehouse";

fn harness() -> Harness {
    Harness::start_with(SandboxConfig {
        ..Harness::config(20, 3)
    })
}

/// An inventory of `repos` (each with its reviewers) and the given `pull_requests:` lines.
fn inventory(h: &Harness, repos: &[(&str, &[&str])], pull_requests: &str) {
    let mut text = String::from("repositories:\n");
    for (name, reviewers) in repos {
        let r = h.sb.fleet().get(name).unwrap();
        text.push_str(&format!("  - repo: {name}\n    branch: {}\n", r.branch));
        if let Some(up) = &r.inventory_upstream {
            text.push_str(&format!("    upstream: {up}\n"));
        }
        if !reviewers.is_empty() {
            text.push_str(&format!("    reviewers: [{}]\n", reviewers.join(", ")));
        }
    }
    text.push_str("pull_requests:\n");
    text.push_str(pull_requests);
    std::fs::write(h.inventory(), text).unwrap();
}

fn progress_of(h: &Harness, repo: &str) -> Value {
    h.progress()[&repo.to_ascii_lowercase()].clone()
}

fn detail(p: &Value) -> String {
    p["detail"].as_str().unwrap().to_string()
}

/// The one sync PR of `repo` (open or not).
fn sync_pr(h: &Harness, repo: &str) -> github_sandbox::PullInfo {
    let branch = format!("priority-sync/{}", h.sb.fleet().get(repo).unwrap().branch);
    let prs: Vec<_> =
        h.sb.pulls(repo)
            .into_iter()
            .filter(|p| p.head_ref == branch)
            .collect();
    assert_eq!(prs.len(), 1, "{repo}: one sync PR, got {prs:?}");
    prs.into_iter().next().unwrap()
}

/// The GraphQL mutations the runs sent.
fn mutations(h: &Harness) -> Vec<Value> {
    h.sb.log_entries()
        .into_iter()
        .filter(|e| e.method == "POST" && e.path == "/graphql")
        .filter_map(|e| e.request)
        .filter(|r| r["query"].as_str().unwrap_or("").contains("mutation"))
        .collect()
}

#[test]
fn a_clean_sync_pr_merges_when_its_checks_pass_and_the_next_run_counts_it_synced() {
    let h = harness();
    let branch = h.sb.fleet().get(FAR_BEHIND).unwrap().branch.clone();
    assert!(h.sb.set_auto_merge_allowed(FAR_BEHIND, true));
    assert!(h.sb.require_checks(FAR_BEHIND, &branch, &["ci"]));
    inventory(&h, &[(FAR_BEHIND, &[])], "  auto_merge: merge\n");
    h.sync(&["--mode", "all"]);

    let p = progress_of(&h, FAR_BEHIND);
    assert_eq!(p["status"], "pr_open", "{p}");
    assert!(detail(&p).contains("auto-merge on (merge)"), "{p}");
    let pr = sync_pr(&h, FAR_BEHIND);
    assert_eq!(pr.auto_merge.as_deref(), Some("MERGE"), "{pr:?}");
    let sent = mutations(&h);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["variables"]["mergeMethod"], "MERGE");
    assert!(h.sb.pulls(FAR_BEHIND).iter().all(|p| !p.merged));

    // CI goes green on the PR's head: GitHub merges it.
    let head = pr.head_sha.clone().unwrap();
    assert_eq!(
        h.sb.report_check(FAR_BEHIND, &head, "ci", "success"),
        vec![pr.number]
    );
    let synced_before = h.committed_state().runs.last().unwrap().synced;

    h.sync(&["--mode", "all"]);
    let p = progress_of(&h, FAR_BEHIND);
    assert_eq!(p["status"], "synced", "{p}");
    assert!(
        detail(&p).contains(&format!(
            "sync PR #{} was merged since the last run",
            pr.number
        )),
        "{p}"
    );
    let state = h.committed_state();
    let e = &state.repos[&FAR_BEHIND.to_ascii_lowercase()];
    assert!(e.last_synced_at.is_some(), "{e:?}");
    assert_eq!(e.sync_pr, None, "nothing left to follow");
    let run = state.runs.last().unwrap();
    assert_eq!((synced_before, run.synced), (0, 1), "velocity counts it");
    let dashboard =
        std::fs::read_to_string(h.path("audit-out").join("speed-dashboard.html")).unwrap();
    assert!(
        dashboard.contains("of 1 (100%): 1 synced by this run, 0 up to date"),
        "the dashboard counts it in sync"
    );
    // No second PR, and a third run finds it simply up to date.
    assert_eq!(
        h.sb.open_pulls(FAR_BEHIND)
            .iter()
            .filter(|p| p.head_ref.starts_with("priority-sync/"))
            .count(),
        0
    );
    h.sync(&["--mode", "all"]);
    assert_eq!(progress_of(&h, FAR_BEHIND)["status"], "up_to_date");
}

#[test]
fn a_repository_that_does_not_allow_auto_merge_is_said_once_and_its_pr_left_open() {
    let h = harness();
    let branch = h.sb.fleet().get(FAR_BEHIND).unwrap().branch.clone();
    assert!(h.sb.require_checks(FAR_BEHIND, &branch, &["ci"]));
    inventory(
        &h,
        &[(FAR_BEHIND, &[]), (DIVERGED, &[])],
        "  auto_merge: merge\n",
    );
    let (_, summary) = h.sync_with_summary(&["--mode", "all"]);

    for repo in [FAR_BEHIND, DIVERGED] {
        let p = progress_of(&h, repo);
        assert_eq!(p["status"], "pr_open", "{p}");
        let d = detail(&p);
        assert_eq!(
            d.matches("the repository does not allow auto-merge")
                .count(),
            1,
            "{repo}: said once: {d}"
        );
        assert!(d.contains("the PR is left open"), "{d}");
        let pr = sync_pr(&h, repo);
        assert!(pr.open && !pr.merged && pr.auto_merge.is_none(), "{pr:?}");
    }
    // The metadata batch said "Allow auto-merge" is off (`autoMergeAllowed: false`): no
    // write GitHub would refuse was sent.
    assert_eq!(mutations(&h).len(), 0, "nothing asked of GitHub");
    // The job summary says it once per repository too.
    assert_eq!(
        summary.matches("does not allow auto-merge").count(),
        2,
        "{summary}"
    );
}

#[test]
fn reviewers_and_assignees_only_when_a_sync_pr_conflicts() {
    let h = harness();
    inventory(
        &h,
        &[(CONFLICTING, &["carol"]), (DIVERGED, &["carol"])],
        "  reviewers: [alice]\n  reviewers_on: conflict\n  assignees: [bob]\n",
    );
    h.sync(&["--mode", "all"]);

    let conflicted = sync_pr(&h, CONFLICTING);
    assert!(
        conflicted.labels.contains(&"sync-conflict".to_string()),
        "{conflicted:?}"
    );
    assert_eq!(conflicted.reviewers, ["alice", "carol"]);
    assert_eq!(conflicted.assignees, ["bob"]);
    let clean = sync_pr(&h, DIVERGED);
    assert!(clean.reviewers.is_empty(), "{clean:?}");
    assert!(clean.assignees.is_empty(), "{clean:?}");
}

#[test]
fn by_default_every_new_sync_pr_gets_its_reviewers_and_assignees() {
    let h = harness();
    inventory(
        &h,
        &[(DIVERGED, &["carol"]), (FAR_BEHIND, &[])],
        "  reviewers: [alice]\n  assignees: [bob, dana]\n",
    );
    h.sync(&["--mode", "all"]);
    let pr = sync_pr(&h, DIVERGED);
    assert_eq!(pr.reviewers, ["alice", "carol"]);
    assert_eq!(pr.assignees, ["bob", "dana"]);
    let pr = sync_pr(&h, FAR_BEHIND);
    assert_eq!(pr.reviewers, ["alice"]);
    assert_eq!(pr.assignees, ["bob", "dana"]);
    let log = h.sb.log_entries();
    let assigned: Vec<_> = log
        .iter()
        .filter(|e| e.method == "POST" && e.path.ends_with("/assignees"))
        .collect();
    assert_eq!(assigned.len(), 2, "one request per new PR");
    assert!(assigned.iter().all(|e| e.status == 201));
    // A second run with nothing new asks nobody again.
    h.sync(&["--mode", "all"]);
    let again =
        h.sb.log_entries()
            .iter()
            .filter(|e| {
                e.method == "POST"
                    && (e.path.ends_with("/assignees") || e.path.ends_with("/requested_reviewers"))
            })
            .count();
    assert_eq!(again, 4);
}

#[test]
fn a_branch_that_requires_no_check_gives_auto_merge_nothing_to_wait_for() {
    // GitHub refuses auto-merge on a pull request it could merge now ("clean status"): the
    // report says why and the PR waits, open, for a person.
    let h = harness();
    assert!(h.sb.set_auto_merge_allowed(FAR_BEHIND, true));
    inventory(&h, &[(FAR_BEHIND, &[])], "  auto_merge: merge\n");
    h.sync(&["--mode", "all"]);
    let p = progress_of(&h, FAR_BEHIND);
    assert_eq!(p["status"], "pr_open", "{p}");
    let d = detail(&p);
    assert!(d.contains("GitHub has nothing to wait for"), "{d}");
    assert!(
        d.contains("Pull request Pull request is in clean status"),
        "{d}"
    );
    let pr = sync_pr(&h, FAR_BEHIND);
    assert!(pr.open && pr.auto_merge.is_none(), "{pr:?}");
    assert_eq!(mutations(&h)[0]["variables"]["mergeMethod"], "MERGE");
}
