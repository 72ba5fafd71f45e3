//! GitHub's rough edges on ref writes, end to end against the sandbox's defaults: a new
//! upstream commit reaches its forks late (ref writes there answer 404 until it has, or until
//! a merge-upstream), a person pushes between the gather and the write, and a workflow refusal
//! arrives as a bare 404. Each fork that is plainly behind is still fast-forwarded in the same
//! run, nothing is rewritten, no repository ends `failed` or `pending` for it, and a workflow
//! refusal ends in a PR from the upstream branch naming the permission to add.

mod common;

use std::collections::BTreeMap;

use common::{status, Harness};
use github_sandbox::{Category, FleetRepo, LogEntry, SandboxConfig, TokenKind, TokenSpec};

/// `priority-sync run --mode all` with extra environment, asserting success; returns the job
/// summary it wrote.
fn sync_all(h: &Harness, extra: &[(&str, &str)]) -> String {
    let summary = h.path("summary.md");
    let _ = std::fs::remove_file(&summary);
    let inv = h.inventory();
    let mut env = vec![("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())];
    env.extend_from_slice(extra);
    let out = h.run(
        &[
            "run",
            "--config",
            inv.to_str().unwrap(),
            "--artifacts-dir",
            "audit-out",
            "--mode",
            "all",
        ],
        &env,
    );
    assert!(
        out.status.success(),
        "priority-sync failed ({:?}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&summary).unwrap_or_default()
}

/// Forks whose upstream is their parent's default branch of the same name (what
/// `advance_upstream` moves and what GitHub's sync knows), not diverged.
fn parent_synced(h: &Harness) -> Vec<FleetRepo> {
    h.sb.fleet()
        .repos
        .iter()
        .filter(|r| {
            r.exists
                && !r.archived
                && r.ahead == 0
                && r.inventory_upstream.is_none()
                && r.branch == r.upstream_branch
                && r.parent
                    .as_ref()
                    .and_then(|p| h.sb.default_branch(p))
                    .as_deref()
                    == Some(r.upstream_branch.as_str())
                && matches!(
                    r.category,
                    Category::InSync | Category::Behind | Category::FarBehind
                )
        })
        .cloned()
        .collect()
}

fn entries<'a>(log: &'a [LogEntry], method: &str, path: &str) -> Vec<&'a LogEntry> {
    log.iter()
        .filter(|e| e.method == method && e.path.split('?').next() == Some(path))
        .collect()
}

/// The open PRs into the branch from the fork's sync branch or from the upstream branch.
fn sync_pulls(h: &Harness, r: &FleetRepo) -> Vec<github_sandbox::PullInfo> {
    let owner = r.full_name.split('/').next().unwrap();
    let parent_owner = r.parent.as_ref().unwrap().split('/').next().unwrap();
    let own = format!("{owner}:priority-sync/{}", r.branch);
    let upstream = format!("{parent_owner}:{}", r.upstream_branch);
    h.sb.open_pulls(&r.full_name)
        .into_iter()
        .filter(|p| p.base == r.branch && (p.head == own || p.head == upstream))
        .collect()
}

fn assert_none_failed_or_pending(progress: &BTreeMap<String, serde_json::Value>) {
    for (repo, p) in progress {
        assert!(
            p["status"] != "failed" && p["status"] != "pending",
            "{repo}: {p}"
        );
    }
}

/// cli/cli#4907, #4942 (fast-forward PATCH → 404 until the commit reaches the fork);
/// microsoft/winget-create#233, #235 and googleapis/code-suggester#335 (the branch create at
/// such a commit → 404). Upstream moves right before the run for every fork: each plainly
/// behind one is fast-forwarded in the same run, and each far behind one gets its sync branch.
/// The commits take 2.5 s to reach the forks here, not the default 1 s: the run's first writes
/// then meet the 404 however slow the machine is (its gather takes well under that), and the
/// commits still arrive within priority-sync's default 3 s of retries.
#[test]
fn forks_are_synced_in_the_same_run_right_after_upstream_moved() {
    let mut cfg = Harness::config(30, 3);
    assert_eq!(
        cfg.behaviour.propagation_ms, 1000,
        "the sandbox is rough by default"
    );
    cfg.behaviour.propagation_ms = 2500;
    let h = Harness::start_with(cfg);
    let forks = parent_synced(&h);
    let mut moved = BTreeMap::new();
    for r in &forks {
        let old = h.sb.branch_sha(&r.full_name, &r.branch).unwrap();
        let up = h.sb.advance_upstream(&r.full_name, 1, false).unwrap();
        moved.insert(r.full_name.clone(), (old, up));
    }
    let plain: Vec<_> = forks.iter().filter(|r| r.behind < 10).collect();
    let far: Vec<_> = forks.iter().filter(|r| r.behind >= 10).collect();
    assert!(plain.len() >= 5 && !far.is_empty(), "{forks:?}");

    sync_all(&h, &[]);
    let progress = h.progress();
    assert_none_failed_or_pending(&progress);
    let log = h.sb.log_entries();
    let mut met_404 = 0;
    for r in &plain {
        let (old, up) = &moved[&r.full_name];
        assert_eq!(status(&progress, &r.full_name), "synced", "{}", r.full_name);
        assert_eq!(h.sb.branch_sha(&r.full_name, &r.branch).as_ref(), Some(up));
        assert!(h.sb.is_ancestor(&r.full_name, old, up));
        let path = format!("/repos/{}/git/refs/heads/{}", r.full_name, r.branch);
        let patches = entries(&log, "PATCH", &path);
        assert_eq!(patches.last().unwrap().status, 200, "{}", r.full_name);
        met_404 += patches.iter().filter(|e| e.status == 404).count();
        // The commit arrived within the wait: GitHub's sync was not needed.
        let sync = format!("/repos/{}/merge-upstream", r.full_name);
        assert!(entries(&log, "POST", &sync).is_empty(), "{}", r.full_name);
    }
    assert!(met_404 > 0, "the run met GitHub's 404 at least once");
    for r in &far {
        let (_, up) = &moved[&r.full_name];
        assert_eq!(
            status(&progress, &r.full_name),
            "pr_open",
            "{}",
            r.full_name
        );
        let prs = sync_pulls(&h, r);
        assert_eq!(prs.len(), 1, "{}: {prs:?}", r.full_name);
        assert_eq!(prs[0].head_ref, format!("priority-sync/{}", r.branch));
        assert_eq!(prs[0].head_sha.as_ref(), Some(up), "{}", r.full_name);
    }
}

/// A commit that never reaches the fork by itself (winget-create#282, #473: persistent until
/// a sync): the fast-forward is made by GitHub's sync under the guard, and lands exactly on the
/// upstream head (no merge commit); a far-behind fork gets its PR from the upstream branch,
/// saying why. The waits are cut to 300 ms so the test does not sit out the default 3 s.
#[test]
fn a_commit_that_never_propagates_is_synced_through_githubs_sync() {
    let h = Harness::start(30, 3);
    let forks = parent_synced(&h);
    let plain = forks
        .iter()
        .find(|r| r.behind > 0 && r.behind < 10)
        .unwrap();
    let far = forks
        .iter()
        .find(|r| r.behind >= 10 && !r.has_sync_pr)
        .unwrap();
    let old = h.sb.branch_sha(&plain.full_name, &plain.branch).unwrap();
    let up = h.sb.advance_upstream(&plain.full_name, 1, false).unwrap();
    assert!(h.sb.never_propagate(&up));
    let far_old = h.sb.branch_sha(&far.full_name, &far.branch).unwrap();
    let far_up = h.sb.advance_upstream(&far.full_name, 1, false).unwrap();
    assert!(h.sb.never_propagate(&far_up));
    // A far-behind fork whose sync PR (from its sync branch) is already open.
    let open = forks
        .iter()
        .find(|r| r.behind >= 10 && r.has_sync_pr)
        .unwrap();
    let open_before = sync_pulls(&h, open);
    assert_eq!(open_before.len(), 1, "{open_before:?}");
    let open_up = h.sb.advance_upstream(&open.full_name, 1, false).unwrap();
    assert!(h.sb.never_propagate(&open_up));
    h.sb.clear_log();

    sync_all(&h, &[("PRIORITY_SYNC_PROPAGATION_WAIT_MS", "300")]);
    let progress = h.progress();
    assert_none_failed_or_pending(&progress);
    let log = h.sb.log_entries();

    // Fast-forwarded exactly to the upstream head: no merge commit on the user's branch.
    assert_eq!(status(&progress, &plain.full_name), "synced");
    assert_eq!(
        h.sb.branch_sha(&plain.full_name, &plain.branch),
        Some(up.clone())
    );
    assert!(h.sb.is_ancestor(&plain.full_name, &old, &up));
    let detail = progress[&plain.full_name.to_ascii_lowercase()]["detail"].to_string();
    assert!(detail.contains("through GitHub's sync"), "{detail}");
    let sync = entries(
        &log,
        "POST",
        &format!("/repos/{}/merge-upstream", plain.full_name),
    );
    assert_eq!(sync.len(), 1);
    assert_eq!(
        sync[0].response.as_ref().unwrap()["merge_type"],
        "fast-forward"
    );
    // What the fallback cost: the PATCH and its retries (waits of 250 and 50 ms), one guard
    // read and one read to check the result, one merge-upstream.
    let refs = format!("/repos/{}/git/refs/heads/{}", plain.full_name, plain.branch);
    let patches = entries(&log, "PATCH", &refs);
    assert_eq!(patches.len(), 3, "{patches:?}");
    assert!(patches.iter().all(|e| e.status == 404));
    let reads = format!("/repos/{}/git/ref/heads/{}", plain.full_name, plain.branch);
    assert_eq!(entries(&log, "GET", &reads).len(), 2);

    // Far behind: the sync branch cannot be made at a commit the fork does not have; the PR
    // comes from the upstream branch, which needs no ref in the fork, and says why.
    assert_eq!(status(&progress, &far.full_name), "pr_open");
    assert_eq!(h.sb.branch_sha(&far.full_name, &far.branch), Some(far_old));
    let prs = sync_pulls(&h, far);
    assert_eq!(prs.len(), 1, "{prs:?}");
    let parent_owner = far.parent.as_ref().unwrap().split('/').next().unwrap();
    assert_eq!(
        prs[0].head,
        format!("{parent_owner}:{}", far.upstream_branch)
    );
    assert_eq!(prs[0].head_sha.as_ref(), Some(&far_up));
    let detail = progress[&far.full_name.to_ascii_lowercase()]["detail"].to_string();
    assert!(
        detail.contains("had not made the new upstream commits available"),
        "{detail}"
    );
    assert!(
        entries(
            &log,
            "POST",
            &format!("/repos/{}/merge-upstream", far.full_name)
        )
        .is_empty(),
        "GitHub's sync never runs on a branch that is to get a PR"
    );

    // Its open sync PR cannot follow (its branch cannot reach the new commit): one from the
    // upstream branch replaces it, still exactly one open sync PR, at the new upstream head.
    assert_eq!(status(&progress, &open.full_name), "pr_open");
    let prs = sync_pulls(&h, open);
    assert_eq!(prs.len(), 1, "{prs:?}");
    let parent_owner = open.parent.as_ref().unwrap().split('/').next().unwrap();
    assert_eq!(
        prs[0].head,
        format!("{parent_owner}:{}", open.upstream_branch)
    );
    assert_eq!(prs[0].head_sha.as_ref(), Some(&open_up));
    let old_pr =
        h.sb.pulls(&open.full_name)
            .into_iter()
            .find(|p| p.number == open_before[0].number)
            .unwrap();
    assert!(
        !old_pr.open,
        "the stale sync PR is closed once its replacement is open"
    );
}

/// The race: a person pushes to the fork's branch after the gather read it, right before
/// priority-sync's write is answered (`push_before`). With the new upstream commit not in the
/// fork, the fast-forward answers 404; the guard's fresh read sees the push, so GitHub's sync
/// (which would merge) is not called: the person's commit stays the head, no merge commit, a
/// sync PR from the upstream branch instead.
#[test]
fn a_push_between_the_gather_and_the_write_is_never_rewritten_or_merged() {
    let h = Harness::start(30, 3);
    let forks = parent_synced(&h);
    let r = forks
        .iter()
        .find(|r| r.behind > 0 && r.behind < 10)
        .unwrap();
    let up = h.sb.advance_upstream(&r.full_name, 1, false).unwrap();
    assert!(h.sb.never_propagate(&up));
    let refs = format!("/repos/{}/git/refs/heads/{}", r.full_name, r.branch);
    h.sb.push_before("PATCH", &refs, &r.full_name, &r.branch);
    h.sb.clear_log();

    sync_all(&h, &[("PRIORITY_SYNC_PROPAGATION_WAIT_MS", "300")]);
    let progress = h.progress();
    assert_none_failed_or_pending(&progress);
    let theirs = h.sb.pushed_on_cue()[0].clone().expect("the person pushed");
    assert_eq!(
        h.sb.branch_sha(&r.full_name, &r.branch),
        Some(theirs.clone()),
        "the person's commit is the head: nothing rewritten, nothing merged"
    );
    let log = h.sb.log_entries();
    assert!(entries(
        &log,
        "POST",
        &format!("/repos/{}/merge-upstream", r.full_name)
    )
    .is_empty());
    assert_eq!(status(&progress, &r.full_name), "pr_open");
    let prs = sync_pulls(&h, r);
    assert_eq!(prs.len(), 1, "{prs:?}");
    assert_eq!(prs[0].head_sha.as_ref(), Some(&up));
    let detail = progress[&r.full_name.to_ascii_lowercase()]["detail"].to_string();
    assert!(
        detail.contains("the branch moved since it was read"),
        "{detail}"
    );
}

/// The residual race, in the instant between the guard's read and GitHub's sync: GitHub
/// merges (a merge commit keeping both parents). Nothing is lost, nothing is undone by force,
/// and the run says so loudly.
#[test]
fn a_push_in_the_instant_before_githubs_sync_is_kept_and_reported_loudly() {
    let h = Harness::start(30, 3);
    let forks = parent_synced(&h);
    let r = forks
        .iter()
        .find(|r| r.behind > 0 && r.behind < 10)
        .unwrap();
    let old = h.sb.branch_sha(&r.full_name, &r.branch).unwrap();
    let up = h.sb.advance_upstream(&r.full_name, 1, false).unwrap();
    assert!(h.sb.never_propagate(&up));
    let sync = format!("/repos/{}/merge-upstream", r.full_name);
    h.sb.push_before("POST", &sync, &r.full_name, &r.branch);

    let out = h.run(
        &[
            "run",
            "--config",
            h.inventory().to_str().unwrap(),
            "--artifacts-dir",
            "audit-out",
            "--mode",
            "all",
        ],
        &[("PRIORITY_SYNC_PROPAGATION_WAIT_MS", "300")],
    );
    assert!(out.status.success());
    let theirs = h.sb.pushed_on_cue()[0].clone().expect("the person pushed");
    let head = h.sb.branch_sha(&r.full_name, &r.branch).unwrap();
    for kept in [&old, &theirs, &up] {
        assert!(h.sb.is_ancestor(&r.full_name, kept, &head), "{kept} kept");
    }
    let progress = h.progress();
    let detail = progress[&r.full_name.to_ascii_lowercase()]["detail"].to_string();
    assert!(detail.contains("made a merge commit"), "{detail}");
    assert!(detail.contains("nothing was rewritten"), "{detail}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("made a merge commit"),
        "warned on the log: {stderr}"
    );
}

/// cli/cli#7574, #10574: a ref update bringing workflow changes answers 404 to a token
/// without the workflow right. A fine-grained token's right is not in GitHub's answers, so the
/// 404 is ambiguous; GitHub's sync then says it plainly (422 naming the workflow), and the
/// update becomes a PR from the upstream branch whose reason names the permission to add. A
/// classic token's `x-oauth-scopes` says it up front: no 404 is even met.
#[test]
fn workflow_refusals_answered_404_become_upstream_prs_naming_the_permission() {
    let mut cfg = Harness::config(30, 3);
    cfg.tokens.push(TokenSpec {
        workflow: false,
        kind: TokenKind::FineGrained,
        ..TokenSpec::full(
            "fine-no-workflow",
            "github_pat_sandboxNoWorkflow0000000000000",
        )
    });
    let mut h = Harness::start_with(SandboxConfig { ..cfg });
    let guarded: Vec<FleetRepo> = parent_synced(&h)
        .into_iter()
        .filter(|r| r.behind > 0 && r.behind < 10 && !r.has_sync_pr)
        .collect();
    let r = guarded.first().expect("a fork behind").clone();
    // The upstream's new commit changes a workflow.
    let up = h.sb.advance_upstream(&r.full_name, 1, true).unwrap();
    let before = h.sb.branch_sha(&r.full_name, &r.branch);

    h.token = h.sb.token_named("fine-no-workflow").unwrap();
    let summary = sync_all(&h, &[]);
    let progress = h.progress();
    assert_none_failed_or_pending(&progress);
    assert_eq!(
        h.sb.branch_sha(&r.full_name, &r.branch),
        before,
        "not moved"
    );
    assert_eq!(status(&progress, &r.full_name), "pr_open");
    let prs = sync_pulls(&h, &r);
    assert_eq!(prs.len(), 1, "{prs:?}");
    let parent_owner = r.parent.as_ref().unwrap().split('/').next().unwrap();
    assert_eq!(prs[0].head, format!("{parent_owner}:{}", r.upstream_branch));
    assert_eq!(prs[0].head_sha.as_ref(), Some(&up));
    let detail = progress[&r.full_name.to_ascii_lowercase()]["detail"].to_string();
    assert!(detail.contains("Workflows: write"), "{detail}");
    assert!(summary.contains("Workflows: write"), "{summary}");
    let log = h.sb.log_entries();
    let refs = format!("/repos/{}/git/refs/heads/{}", r.full_name, r.branch);
    let patches = entries(&log, "PATCH", &refs);
    assert_eq!(
        patches.len(),
        1,
        "an ambiguous 404 is not waited on: {patches:?}"
    );
    assert_eq!(patches[0].status, 404);
    let sync = entries(
        &log,
        "POST",
        &format!("/repos/{}/merge-upstream", r.full_name),
    );
    assert_eq!(sync.len(), 1);
    assert_eq!(sync[0].status, 422);

    // A classic token without the `workflow` scope: known from its answers, so the next fork
    // whose upstream changes a workflow goes straight to its PR, naming the scope.
    let r2 = guarded.get(1).expect("a second fork behind").clone();
    let up2 = h.sb.advance_upstream(&r2.full_name, 1, true).unwrap();
    h.token = h.sb.token_named("no-workflow").unwrap();
    h.sb.clear_log();
    let summary = sync_all(&h, &[]);
    let progress = h.progress();
    assert_none_failed_or_pending(&progress);
    assert_eq!(status(&progress, &r2.full_name), "pr_open");
    let prs = sync_pulls(&h, &r2);
    assert_eq!(prs.len(), 1, "{prs:?}");
    assert_eq!(prs[0].head_sha.as_ref(), Some(&up2));
    let detail = progress[&r2.full_name.to_ascii_lowercase()]["detail"].to_string();
    assert!(detail.contains("add the workflow scope"), "{detail}");
    assert!(summary.contains("add the workflow scope"), "{summary}");
    let log = h.sb.log_entries();
    let refs = format!("/repos/{}/git/refs/heads/{}", r2.full_name, r2.branch);
    assert!(
        entries(&log, "PATCH", &refs).is_empty(),
        "no write to be refused"
    );
}
