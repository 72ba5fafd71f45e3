//! End to end against the sandbox's rough edges of issue 12, items 6 and 7:
//! - a repository renamed since the inventory was written: GitHub redirects REST requests under
//!   the old name (301 GET, 307 otherwise, to `/repositories/{id}/…`) and GraphQL follows the
//!   rename. priority-sync follows a redirect once and only on the API's own host, syncs the
//!   repository in the same run, and reports "renamed to X: update the inventory";
//! - a compare GitHub cannot compute (500, "diff temporarily unavailable"): retried once at
//!   most, then the repository takes the pull-request path with counts bounded from the commit
//!   histories, never `failed`.
//!
//! Their logs hold answers GitHub's REST description does not list for these operations
//! (301/307 on compare and git refs, `/repositories/{id}/…` paths, a provoked 500): they are
//! kept with the fault runs' (`provokes_faults`), where `tests/sandbox/documented-exchanges.py`
//! sets them aside by name.

mod common;

use common::{sync_prs, Harness};
use github_sandbox::Behaviour;

/// The run's own words (log lines on stderr, summary on stdout).
fn said(out: &std::process::Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_renamed_fork_is_followed_on_the_same_host_synced_and_reported() {
    let mut cfg = Harness::config(16, 1);
    // omnigrid is 3 behind (a fast-forward); data-warehouse 60 behind (a sync pull request).
    cfg.renames = vec![
        ("heyns1000/omnigrid".into(), "omnigrid-next".into()),
        ("heyns1000/data-warehouse".into(), "data-warehouse-2".into()),
    ];
    let mut h = Harness::start_with(cfg);
    h.provokes_faults = true;
    let sb = &h.sb;
    let up = sb.branch_sha("omnigrid-labs/omnigrid", "main").unwrap();
    let out = h.sync(&["--mode", "all"]);
    let text = said(&out);
    let progress = h.progress();

    // Synced in this run, under the new name, by the fast-forward GitHub redirected.
    assert_eq!(
        sb.branch_sha("heyns1000/omnigrid-next", "main").unwrap(),
        up
    );
    let omni = &progress["heyns1000/omnigrid"];
    assert_eq!(omni["status"], "synced", "{omni}");
    assert!(
        omni["detail"]
            .as_str()
            .unwrap()
            .ends_with("renamed to heyns1000/omnigrid-next: update the inventory"),
        "{omni}"
    );
    // The far-behind one gets its sync pull request in the renamed repository.
    let dw = &progress["heyns1000/data-warehouse"];
    assert_eq!(dw["status"], "pr_open", "{dw}");
    assert!(dw["detail"]
        .as_str()
        .unwrap()
        .contains("renamed to heyns1000/data-warehouse-2: update the inventory"));
    let fleet_dw = sb.fleet().get("heyns1000/data-warehouse").unwrap();
    assert_eq!(sync_prs(sb, fleet_dw).len(), 1);
    // The run says so once per repository, and never "GitHub answered 307".
    for (old, new) in [
        ("heyns1000/omnigrid", "heyns1000/omnigrid-next"),
        ("heyns1000/data-warehouse", "heyns1000/data-warehouse-2"),
    ] {
        let warning = format!("{old} was renamed to {new}: update the inventory");
        assert!(text.contains(&warning), "{warning} missing in:\n{text}");
    }
    assert!(
        !text.contains("answered 307") && !text.contains("answered 301"),
        "{text}"
    );

    // GitHub answered the old name with redirects, which were followed on its own host.
    let log = sb.log_entries();
    let moved = log
        .iter()
        .position(|e| {
            e.method == "PATCH"
                && e.path == "/repos/heyns1000/omnigrid/git/refs/heads/main"
                && e.status == 307
        })
        .expect("the fast-forward under the old name was redirected");
    let location = log[moved].response.as_ref().unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let path = location.strip_prefix(&sb.api_url()).unwrap();
    assert!(path.starts_with("/repositories/"), "{location}");
    assert!(
        log[moved + 1..]
            .iter()
            .any(|e| e.method == "PATCH" && e.path == path && e.status == 200),
        "the PATCH was repeated at {location}"
    );
    // Never more than one redirect per request: no answer under /repositories/ redirects.
    assert!(!log
        .iter()
        .any(|e| e.path.starts_with("/repositories/") && (300..400).contains(&e.status)));
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    // The run reaches the API as http://localhost:PORT; the sandbox's redirects point at
    // http://127.0.0.1:PORT, another origin: the token must not be sent there.
    let mut cfg = Harness::config(12, 1);
    cfg.renames = vec![("heyns1000/omnigrid".into(), "omnigrid-next".into())];
    let mut h = Harness::start_with(cfg);
    h.provokes_faults = true;
    let sb = &h.sb;
    let before = sb.branch_sha("heyns1000/omnigrid-next", "main").unwrap();
    let port = sb.addr().port();
    let api = format!("http://localhost:{port}");
    let graphql = format!("{api}/graphql");
    let inv = h.inventory();
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
        &[
            ("GITHUB_API_URL", api.as_str()),
            ("GITHUB_GRAPHQL_URL", graphql.as_str()),
        ],
    );
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    // Nothing reached /repositories/: the redirect was not followed, the branch did not move.
    assert!(
        !sb.log_entries()
            .iter()
            .any(|e| e.path.starts_with("/repositories/")),
        "a redirect to another host was followed"
    );
    assert_eq!(
        sb.branch_sha("heyns1000/omnigrid-next", "main").unwrap(),
        before
    );
    let omni = &h.progress()["heyns1000/omnigrid"];
    assert_eq!(omni["status"], "failed", "{omni}");
    let why = omni.to_string();
    assert!(why.contains("another host"), "{why}");
    assert!(why.contains(&format!("http://127.0.0.1:{port}")), "{why}");
    assert!(
        why.contains("renamed to heyns1000/omnigrid-next: update the inventory"),
        "{why}"
    );
}

#[test]
fn compares_github_cannot_compute_still_get_a_sync_pull_request() {
    let mut cfg = Harness::config(16, 1);
    // buildnest (4 behind) and payment-gateway-hub (6 behind) are diverged; with more commits
    // of their own than the ancestry query reads, only a compare settles them, and both
    // ranges hold more than 3 commits.
    cfg.behaviour = Behaviour {
        compare_fail_over: 3,
        ..Behaviour::default()
    };
    let mut h = Harness::start_with(cfg);
    h.provokes_faults = true;
    let sb = &h.sb;
    for repo in ["heyns1000/buildnest", "heyns1000/payment-gateway-hub"] {
        let branch = sb.default_branch(repo).unwrap();
        for k in 0..=priority_sync::github::ancestry::FORK_DEPTH {
            let text = format!("patch {k}\n");
            sb.push_commit(repo, &branch, "LOCAL.md", &text, "local patch")
                .unwrap();
        }
    }
    let out = h.sync(&["--mode", "all"]);
    let text = said(&out);
    let progress = h.progress();
    let log = sb.log_entries();
    for repo in ["heyns1000/buildnest", "heyns1000/payment-gateway-hub"] {
        let p = &progress[repo];
        assert_eq!(p["status"], "pr_open", "{repo}: {p}\n{text}");
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("GitHub could not compute the comparison"),
            "{detail}"
        );
        assert!(detail.contains("at least"), "{detail}");
        let fleet = sb.fleet().get(repo).unwrap();
        assert_eq!(sync_prs(sb, fleet).len(), 1, "{repo}");
        // Retried once at most: it will not heal.
        let compare = format!("/repos/{repo}/compare/");
        let failed = log
            .iter()
            .filter(|e| e.path.starts_with(&compare) && e.status == 500)
            .count();
        assert!(
            (1..=2).contains(&failed),
            "{repo}: {failed} compares answered 500"
        );
        assert!(
            text.contains(&format!("{repo}: GitHub could not compute the comparison")),
            "{text}"
        );
    }
    // The diverged branches kept their own commits.
    for repo in ["heyns1000/buildnest", "heyns1000/payment-gateway-hub"] {
        let (_, ahead) = sb.behind_ahead(repo, "main").unwrap();
        assert!(ahead > 0, "{repo}");
    }
}
