//! Least privilege, checked: the README's table of calls and permissions lists exactly the API
//! calls priority-sync makes. A run exercising every path (fast-forwards, new and existing sync
//! PRs, conflicts, reviewers, a token without the workflow permission, the audit commit, a
//! fast-forward through GitHub's sync when a new commit never reaches the fork, and GitHub App
//! authentication) is recorded by the sandbox; each call is reduced to GitHub's
//! path template and compared with the README, both ways.

mod common;

use std::collections::BTreeSet;

use common::Harness;
use github_sandbox::SandboxConfig;

/// `GET /repos/a/b/compare/x...y?per_page=1` → `GET /repos/{owner}/{repo}/compare/{basehead}`.
fn template(method: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let t = match segs.as_slice() {
        ["graphql"] => "/graphql".to_string(),
        ["app", "installations", _, "access_tokens"] => {
            "/app/installations/{installation_id}/access_tokens".to_string()
        }
        ["repos", _, _, rest @ ..] => {
            let tail = match rest {
                ["compare", ..] => "compare/{basehead}".to_string(),
                ["git", "ref", ..] => "git/ref/{ref}".to_string(),
                ["git", "refs"] => "git/refs".to_string(),
                ["git", "refs", ..] => "git/refs/{ref}".to_string(),
                ["git", "commits", _] => "git/commits/{sha}".to_string(),
                ["git", "blobs", _] => "git/blobs/{file_sha}".to_string(),
                ["contents", ..] => "contents/{path}".to_string(),
                ["pulls", n, more @ ..] if n.parse::<u64>().is_ok() => {
                    let mut t = "pulls/{number}".to_string();
                    for m in more {
                        t.push('/');
                        t.push_str(m);
                    }
                    t
                }
                ["issues", _, "labels"] => "issues/{number}/labels".to_string(),
                ["issues", _, "assignees"] => "issues/{number}/assignees".to_string(),
                other => other.join("/"),
            };
            format!("/repos/{{owner}}/{{repo}}/{tail}")
        }
        _ => path.to_string(),
    };
    format!("{method} {t}")
}

/// The calls the README's permissions table lists (`METHOD /path` in its first column).
fn documented() -> BTreeSet<String> {
    let readme = include_str!("../README.md");
    let section = readme
        .split("What the code calls, and the permission each call needs")
        .nth(1)
        .expect("the README has the permissions table");
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let cell = l.split('|').nth(1)?.trim();
            let call = cell.strip_prefix('`')?.strip_suffix('`')?;
            call.contains(' ').then(|| call.to_string())
        })
        .collect()
}

fn observed(h: &Harness, into: &mut BTreeSet<String>) {
    for e in h.sb.log_entries() {
        into.insert(template(&e.method, &e.path));
    }
}

#[test]
fn the_readme_lists_exactly_the_calls_the_code_makes() {
    let mut calls = BTreeSet::new();

    // A full run with reviewers and assignees and a token without the workflow permission, then a second
    // run (existing PRs are updated, not duplicated). The state an earlier run left is over
    // 1 MB, so it is read through the blobs API.
    let mut h = Harness::start(104, 1);
    let fleet: Vec<String> =
        h.sb.fleet()
            .repos
            .iter()
            .map(|r| r.full_name.clone())
            .collect();
    h.commit_state(&common::large_state(&fleet, common::LARGE_STATE_EXTRA));
    let inv = format!(
        "{}\npull_requests:\n  reviewers: [platform-reviewer]\n  assignees: [platform-owner]\n",
        h.sb.inventory_yaml()
    );
    std::fs::write(h.inventory(), inv).unwrap();
    h.token = h.sb.token_named("no-workflow").unwrap();
    h.sync(&["--mode", "all"]);
    // Upstream moves under a sync PR this tool opened: the PR's text is brought up to date.
    let far = h
        .sb
        .fleet()
        .repos
        .iter()
        .find(|r| r.category == github_sandbox::Category::FarBehind && r.exists && !r.has_sync_pr)
        .expect("a far-behind repository")
        .full_name
        .clone();
    h.sb.advance_upstream(&far, 1, false);
    h.sync(&["--mode", "all"]);
    observed(&h, &mut calls);

    // A new upstream commit that never reaches a fork by itself: the fast-forward is made by
    // GitHub's sync (merge-upstream), at once (no waits).
    let plain =
        h.sb.fleet()
            .repos
            .iter()
            .find(|r| {
                r.category == github_sandbox::Category::InSync
                    && r.exists
                    && r.inventory_upstream.is_none()
                    && r.branch == r.upstream_branch
            })
            .expect("a fork in sync with its parent")
            .full_name
            .clone();
    let up = h.sb.advance_upstream(&plain, 1, false).unwrap();
    assert!(h.sb.never_propagate(&up));
    let inv = h.inventory();
    let args = [
        "run",
        "--config",
        inv.to_str().unwrap(),
        "--artifacts-dir",
        "audit-out",
    ];
    let out = h.run(&args, &[("PRIORITY_SYNC_PROPAGATION_WAIT_MS", "0")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    observed(&h, &mut calls);

    // GitHub App authentication.
    let h = Harness::start_with(SandboxConfig {
        github_app: true,
        ..Harness::config(20, 2)
    });
    let out = h.run_as_app("top12", &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    observed(&h, &mut calls);

    let documented = documented();
    assert!(
        documented.len() >= 15,
        "the table was not found: {documented:?}"
    );
    let undocumented: Vec<_> = calls.difference(&documented).collect();
    let unused: Vec<_> = documented.difference(&calls).collect();
    assert!(
        undocumented.is_empty(),
        "calls missing from the README's permissions table: {undocumented:?}"
    );
    assert!(
        unused.is_empty(),
        "the README lists calls the code does not make: {unused:?}"
    );
}

#[test]
fn templates() {
    assert_eq!(
        template("GET", "/repos/a/b/compare/main...c:main?per_page=1"),
        "GET /repos/{owner}/{repo}/compare/{basehead}"
    );
    assert_eq!(
        template("PATCH", "/repos/a/b/git/refs/heads/priority-sync/main"),
        "PATCH /repos/{owner}/{repo}/git/refs/{ref}"
    );
    assert_eq!(
        template("POST", "/repos/a/b/pulls/7/requested_reviewers"),
        "POST /repos/{owner}/{repo}/pulls/{number}/requested_reviewers"
    );
    assert_eq!(
        template(
            "GET",
            "/repos/a/b/git/blobs/3a0f86fb8db8eea7ccbb9a95f325ddbedfb25e15"
        ),
        "GET /repos/{owner}/{repo}/git/blobs/{file_sha}"
    );
    assert_eq!(
        template("POST", "/app/installations/9/access_tokens"),
        "POST /app/installations/{installation_id}/access_tokens"
    );
}
