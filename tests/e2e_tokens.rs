//! Credentials end to end: GitHub App installation tokens (minted per owner and masked), and
//! tokens that lack a permission — Dependabot alerts (a visible warning, never a silent 0)
//! or workflow files (the update becomes a pull request from the upstream branch). After a
//! 403 case, a clean rerun with a full token ends where a fault-free run of the same fleet
//! does (the same check as the fault suite's, tests/reliability.rs).

mod common;

use std::collections::BTreeMap;

use common::{all_refs, assert_converged, end_state, Harness, RepoEnd};
use github_sandbox::{Category, SandboxConfig};

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What a fault-free `all` run with the full token leaves on a fresh fleet of this size.
fn reference(repos: usize, seed: u64) -> BTreeMap<String, RepoEnd> {
    let h = Harness::start(repos, seed);
    h.sync(&["--mode", "all"]);
    end_state(&h)
}

/// A clean rerun with the full token, then the fleet against the fault-free `reference`
/// (`expected`: the repositories the 403 case legitimately left different).
fn rerun_converges(
    name: &str,
    h: &mut Harness,
    before: &BTreeMap<(String, String), String>,
    reference: &BTreeMap<String, RepoEnd>,
    expected: &BTreeMap<String, RepoEnd>,
) {
    h.token = h.sb.token();
    h.sync(&["--mode", "all"]);
    let checked = assert_converged(name, h, reference, expected, before);
    eprintln!(
        "FAULTS {name}: runs 2, repositories checked {}, branches checked {}, data lost 0",
        checked.repos, checked.branches
    );
}

#[test]
fn github_app_credentials_mint_masked_installation_tokens() {
    let h = Harness::start_with(SandboxConfig {
        github_app: true,
        ..Harness::config(30, 5)
    });
    let app = h.sb.app().expect("the sandbox plays an App");
    let outputs = h.path("outputs.txt");
    // No token at all: only the App's id and key, as a user passes them from secrets.
    let out = h.run_as_app("top12", &[("GITHUB_OUTPUT", outputs.to_str().unwrap())]);
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    // Every installation token the sandbox handed out was masked before use.
    let minted: Vec<String> =
        h.sb.log_entries()
            .iter()
            .filter(|e| e.path.ends_with("/access_tokens"))
            .filter_map(|e| {
                e.response
                    .as_ref()?
                    .get("token")?
                    .as_str()
                    .map(str::to_string)
            })
            .collect();
    assert!(!minted.is_empty(), "no installation token was minted");
    for t in &minted {
        assert!(
            all.contains(&format!("::add-mask::{t}")),
            "token not masked"
        );
        assert_eq!(
            all.matches(t.as_str()).count(),
            1,
            "the token appears outside its mask line"
        );
    }
    // The private key is masked line by line and never printed otherwise.
    let key_line = app.private_key_pem.lines().nth(1).unwrap();
    assert!(all.contains(&format!("::add-mask::{key_line}")));
    assert_eq!(all.matches(key_line).count(), 1);
    let outputs = std::fs::read_to_string(outputs).unwrap();
    assert!(outputs.contains("mode<<"), "{outputs}");
}

#[test]
fn unreadable_security_alerts_are_a_visible_warning() {
    let mut h = Harness::start(30, 9);
    h.token = h.sb.token_named("no-dependabot").unwrap();
    let before = all_refs(&h.sb);
    let out = h.sync(&["--mode", "top12", "--dry-run"]);
    let all = text(&out);
    let readable = h.sb.fleet().repos.iter().filter(|r| r.exists).count();
    let warning = format!("security alerts could not be read for {readable} repositories");
    assert_eq!(
        all.matches(&warning).count(),
        1,
        "expected one warning `{warning}`: {all}"
    );
    assert_eq!(all_refs(&h.sb), before, "a dry run writes nothing");
    rerun_converges(
        "no Dependabot read (403)",
        &mut h,
        &before,
        &reference(30, 9),
        &BTreeMap::new(),
    );
}

#[test]
fn workflow_changes_without_permission_become_pull_requests() {
    let mut h = Harness::start(104, 1);
    h.token = h.sb.token_named("no-workflow").unwrap();
    let all_before = all_refs(&h.sb);
    let fleet = h.sb.fleet().clone();
    let guarded: Vec<_> = fleet
        .repos
        .iter()
        .filter(|r| {
            r.exists
                && !r.archived
                && r.upstream_touches_workflows
                && r.ahead == 0
                && r.behind > 0
                && r.behind <= 10
                && r.category != Category::ForeignUpstream
        })
        .collect();
    assert!(
        guarded.iter().any(|r| !r.has_sync_pr),
        "the fleet has fast-forwardable workflow changes without a sync PR"
    );
    let before: Vec<_> = guarded
        .iter()
        .map(|r| h.sb.branch_sha(&r.full_name, &r.branch))
        .collect();
    h.sync(&["--mode", "all"]);
    let progress = h.progress();
    // The repositories whose one sync PR comes straight from the upstream branch.
    let mut from_upstream_branch = std::collections::BTreeSet::new();
    for (r, was) in guarded.iter().zip(before) {
        assert_eq!(
            h.sb.branch_sha(&r.full_name, &r.branch),
            was,
            "{}: not fast-forwarded",
            r.full_name
        );
        let p = &progress[&r.full_name.to_ascii_lowercase()];
        assert_eq!(p["status"], "pr_open", "{}: {p}", r.full_name);
        // Exactly one sync PR, at the upstream head: straight from the upstream branch, unless
        // an earlier run's PR was open and its sync branch could take the update (it already
        // had the workflow change).
        let prs = sync_pulls_on_both_heads(&h, r);
        assert_eq!(prs.len(), 1, "{}: one sync PR: {prs:?}", r.full_name);
        assert_eq!(prs[0].head_sha, common::upstream_head(&h.sb, r));
        let parent_owner = r.parent.as_ref().unwrap().split('/').next().unwrap();
        if prs[0].head == format!("{parent_owner}:{}", r.upstream_branch) {
            from_upstream_branch.insert(r.full_name.clone());
        }
        if !r.has_sync_pr {
            assert_eq!(
                prs[0].head,
                format!("{parent_owner}:{}", r.upstream_branch),
                "{}: straight from the upstream branch",
                r.full_name
            );
        }
    }
    // Fast-forwards without workflow changes still happen with this token.
    assert!(progress.values().any(|p| p["status"] == "synced"));
    // With a token that may write workflows, the rerun fast-forwards them as the fault-free
    // run does. The PR from the upstream branch is then empty (its head is in the branch) and
    // stays open in the sandbox (github.com marks such a PR merged), and an earlier sync PR it
    // replaced stays closed: the only differences. A sync PR whose branch could take the
    // update (it already had the workflow change) was moved to the upstream head, which the
    // branch now has (the fault-free run fast-forwarded the branch past the PR instead).
    let reference = reference(104, 1);
    let expected: BTreeMap<String, RepoEnd> = guarded
        .iter()
        .filter(|r| r.has_sync_pr || from_upstream_branch.contains(&r.full_name))
        .map(|r| {
            let mut want = reference[&r.full_name].clone();
            if from_upstream_branch.contains(&r.full_name) {
                want.upstream_prs = 1;
                want.sync_prs = 0;
                want.sync_pr_head = None;
            } else {
                want.sync_pr_head = want.head.clone();
            }
            (r.full_name.clone(), want)
        })
        .collect();
    assert!(
        !expected.is_empty(),
        "some workflow changes arrived as PRs from the upstream branch"
    );
    rerun_converges(
        "no workflow permission (403/422)",
        &mut h,
        &all_before,
        &reference,
        &expected,
    );
    for r in &guarded {
        let head = h.sb.branch_sha(&r.full_name, &r.branch).unwrap();
        let parent_owner = r.parent.as_ref().unwrap().split('/').next().unwrap();
        let from_upstream = format!("{parent_owner}:{}", r.upstream_branch);
        for pr in h.sb.open_pulls(&r.full_name) {
            if pr.head == from_upstream {
                let sha = pr.head_sha.expect("a head");
                assert!(
                    h.sb.is_ancestor(&r.full_name, &sha, &head),
                    "{}: the PR from upstream still has commits to bring",
                    r.full_name
                );
            }
        }
    }
}

/// The open pull requests of `repo` into `base` that come from either head priority-sync may
/// use: its own sync branch or the upstream's branch.
fn sync_pulls_on_both_heads(
    h: &Harness,
    r: &github_sandbox::FleetRepo,
) -> Vec<github_sandbox::PullInfo> {
    let parent_owner = r.parent.as_ref().unwrap().split('/').next().unwrap();
    let own = format!(
        "{}:priority-sync/{}",
        r.full_name.split('/').next().unwrap(),
        r.branch
    );
    let upstream = format!("{parent_owner}:{}", r.upstream_branch);
    h.sb.open_pulls(&r.full_name)
        .into_iter()
        .filter(|p| p.base == r.branch && (p.head == own || p.head == upstream))
        .collect()
}

#[test]
fn a_sync_pr_is_replaced_not_duplicated_when_workflow_changes_arrive() {
    let mut h = Harness::start(30, 5);
    let r =
        h.sb.fleet()
            .get("heyns1000/data-warehouse")
            .expect("the fleet has data-warehouse")
            .clone();
    assert!(r.exists && r.behind > 10 && r.ahead == 0 && !r.upstream_touches_workflows);
    let upstream_head = format!(
        "{}:{}",
        r.parent.as_ref().unwrap().split('/').next().unwrap(),
        r.upstream_branch
    );
    h.token = h.sb.token_named("no-workflow").unwrap();

    // Far behind: a sync PR from priority-sync/main.
    h.sync(&["--force", &r.full_name]);
    let prs = sync_pulls_on_both_heads(&h, &r);
    assert_eq!(prs.len(), 1, "{prs:?}");
    let first = prs[0].clone();
    assert_eq!(first.head_ref, format!("priority-sync/{}", r.branch));

    // Upstream changes a workflow: the sync branch cannot follow with this token, so the PR
    // comes from the upstream branch now, and the stale one is closed (nothing else is said).
    let up = h.sb.advance_upstream(&r.full_name, 1, true).unwrap();
    h.sb.clear_log();
    h.sync(&["--force", &r.full_name]);
    let prs = sync_pulls_on_both_heads(&h, &r);
    assert_eq!(prs.len(), 1, "exactly one open sync PR: {prs:?}");
    let second = prs[0].clone();
    assert_eq!(second.head, upstream_head);
    assert_eq!(second.head_sha.as_deref(), Some(up.as_str()));
    assert!(second
        .body
        .as_deref()
        .unwrap_or("")
        .contains("priority-sync:sync-pr"));
    let old = h.sb.pulls(&r.full_name);
    let old = old.iter().find(|p| p.number == first.number).unwrap();
    assert!(!old.open, "the stale sync PR is closed");
    let log = h.sb.log_entries();
    let close = format!("/repos/{}/pulls/{}", r.full_name, first.number);
    let patches: Vec<_> = log
        .iter()
        .filter(|e| e.method == "PATCH" && e.path == close)
        .collect();
    assert_eq!(patches.len(), 1, "one PATCH closes it");
    assert_eq!(
        patches[0].request,
        Some(serde_json::json!({"state": "closed"}))
    );
    assert!(
        !log.iter().any(|e| e.path.contains("/comments")),
        "no comment is posted"
    );
    assert_eq!(common::status(&h.progress(), &r.full_name), "pr_open");

    // The other way round: upstream moves without workflow changes and the token may write
    // workflows. The open PR from the upstream branch is kept (it follows upstream by itself):
    // no second PR from the sync branch.
    let up = h.sb.advance_upstream(&r.full_name, 1, false).unwrap();
    h.token = h.sb.token();
    h.sb.clear_log();
    h.sync(&["--force", &r.full_name]);
    let prs = sync_pulls_on_both_heads(&h, &r);
    assert_eq!(prs.len(), 1, "exactly one open sync PR: {prs:?}");
    assert_eq!(prs[0].number, second.number);
    assert_eq!(prs[0].head_sha.as_deref(), Some(up.as_str()));
    let created: Vec<_> =
        h.sb.log_entries()
            .into_iter()
            .filter(|e| e.method == "POST" && e.path.ends_with("/pulls"))
            .collect();
    assert!(created.is_empty(), "no PR opened: {created:?}");
    assert_eq!(common::status(&h.progress(), &r.full_name), "pr_open");
}
