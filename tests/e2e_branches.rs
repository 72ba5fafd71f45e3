//! Several branches per repository end to end, against the sandbox's defaults (new commits
//! reach forks late, lists lag, GitHub's limits on). An inventory entry lists `branches:`: the
//! fork's default branch under another upstream name (a `{name, upstream}` map), a glob
//! (`release/*`) resolved against the upstream's branches, and a name the upstream lacks.
//! Each branch is synced (fast-forward, a pull request from `priority-sync/<branch>`, or
//! created when only the upstream has it) and
//! reported on its own, in its repository's place; the score is the most-behind branch's; the
//! gather reads every branch in the metadata batch (GraphQL aliases, no REST read per branch);
//! the state keeps one entry per branch, and the next run finds the pull request again.

mod common;

use common::Harness;
use github_sandbox::Category;
use serde_json::Value;

/// The results of the run's `sync-progress.json` for `repo`, in processing order.
fn results_of(h: &Harness, repo: &str) -> Vec<Value> {
    let v = common::read_json(&h.path("audit-out").join("sync-progress.json"));
    v["repos"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["repo"].as_str().unwrap().eq_ignore_ascii_case(repo))
        .cloned()
        .collect()
}

fn by_branch<'a>(results: &'a [Value], branch: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["branch"] == branch)
        .unwrap_or_else(|| panic!("no result for {branch}: {results:#?}"))
}

#[test]
fn each_listed_branch_is_synced_and_reported_on_its_own() {
    let h = Harness::start(8, 11);
    let fork = common::plain_fork(&h.sb, &[Category::InSync]);
    let f = fork.full_name.clone();
    let up = fork.parent.clone().unwrap();
    let up_default = h.sb.default_branch(&up).unwrap();
    let base = h.sb.branch_sha(&up, &up_default).unwrap();
    assert_eq!(
        h.sb.branch_sha(&f, &fork.branch).as_deref(),
        Some(base.as_str())
    );

    // The default branch: 1 behind (a fast-forward).
    let main_head =
        h.sb.push_commit(&up, &up_default, "src/a.txt", "a\n", "upstream: a")
            .unwrap();
    // release/1.0: 2 behind (a fast-forward).
    assert!(h.sb.create_branch(&up, "release/1.0", &base));
    assert!(h.sb.create_branch(&f, "release/1.0", &base));
    h.sb.push_commit(&up, "release/1.0", "src/r1.txt", "1\n", "fix 1")
        .unwrap();
    let r1_head =
        h.sb.push_commit(&up, "release/1.0", "src/r1.txt", "2\n", "fix 2")
            .unwrap();
    // release/2.0: 1 behind and 1 own commit (a pull request from priority-sync/release/2.0).
    assert!(h.sb.create_branch(&up, "release/2.0", &base));
    assert!(h.sb.create_branch(&f, "release/2.0", &base));
    h.sb.push_commit(&up, "release/2.0", "src/r2.txt", "up\n", "upstream fix")
        .unwrap();
    let own =
        h.sb.push_commit(&f, "release/2.0", "LOCAL.md", "ours\n", "fork: local note")
            .unwrap();
    // release/3.0 was cut upstream after the fork was made, with a commit that reaches the
    // fork late (its creation answers 404 meanwhile): created in the fork at upstream's head.
    // feature/x is not listed; release/9.9 exists only in the fork (the glob is resolved
    // against the upstream).
    assert!(h.sb.create_branch(&up, "release/3.0", &base));
    let r3_head =
        h.sb.push_commit(&up, "release/3.0", "src/r3.txt", "3\n", "3.0 starts")
            .unwrap();
    assert!(h.sb.create_branch(&up, "feature/x", &base));
    assert!(h.sb.create_branch(&f, "release/9.9", &base));

    let inv = format!(
        "repositories:\n  - repo: {f}\n    branches:\n      - name: {}\n        upstream: {up_default}\n      - release/*\n      - gone-upstream\n",
        fork.branch
    );
    std::fs::write(h.inventory(), inv).unwrap();

    // A dry run plans one entry per branch and writes nothing.
    let out = h.sync(&["--mode", "all", "--dry-run"]);
    let log =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(log.contains(&format!("{f}:release/1.0")), "{log}");
    let planned = results_of(&h, &f);
    assert_eq!(
        by_branch(&planned, "release/3.0")["detail"],
        "dry run: would create it at the upstream branch's head"
    );
    assert_eq!(h.sb.branch_sha(&f, "release/3.0"), None);
    assert_eq!(
        h.sb.branch_sha(&f, "release/1.0").as_deref(),
        Some(base.as_str())
    );

    let before = h.sb.log_entries().len();
    let (_, summary) = h.sync_with_summary(&["--mode", "all"]);
    let entries = h.sb.log_entries();
    let run = &entries[before..];

    // Synced in the sandbox: fast-forwards, a PR for the diverged branch, nothing else moved.
    assert_eq!(
        h.sb.branch_sha(&f, &fork.branch).as_deref(),
        Some(main_head.as_str())
    );
    assert_eq!(
        h.sb.branch_sha(&f, "release/1.0").as_deref(),
        Some(r1_head.as_str())
    );
    assert_eq!(
        h.sb.branch_sha(&f, "release/2.0").as_deref(),
        Some(own.as_str())
    );
    assert_eq!(
        h.sb.branch_sha(&f, "release/9.9").as_deref(),
        Some(base.as_str())
    );
    assert_eq!(
        h.sb.branch_sha(&f, "release/3.0").as_deref(),
        Some(r3_head.as_str())
    );
    assert_eq!(
        h.sb.branch_sha(&f, "feature/x"),
        None,
        "not listed, not created"
    );
    let prs = h.sb.open_pulls(&f);
    let sync_prs: Vec<_> = prs
        .iter()
        .filter(|p| p.head_ref.starts_with("priority-sync/"))
        .collect();
    assert_eq!(sync_prs.len(), 1, "{prs:#?}");
    assert_eq!(sync_prs[0].head_ref, "priority-sync/release/2.0");
    assert_eq!(sync_prs[0].base, "release/2.0");

    // Reported per branch, in the listed order (glob matches by name), side by side.
    let results = results_of(&h, &f);
    let branches: Vec<&str> = results
        .iter()
        .map(|r| r["branch"].as_str().unwrap())
        .collect();
    assert_eq!(
        branches,
        [
            fork.branch.as_str(),
            "release/1.0",
            "release/2.0",
            "release/3.0",
            "gone-upstream"
        ],
        "{results:#?}"
    );
    let ranks: Vec<u64> = results
        .iter()
        .map(|r| r["rank"].as_u64().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[1] == w[0] + 1), "{ranks:?}");
    assert_eq!(by_branch(&results, &fork.branch)["status"], "synced");
    assert_eq!(by_branch(&results, "release/1.0")["status"], "synced");
    assert_eq!(by_branch(&results, "release/1.0")["commits_behind"], 2);
    let r2 = by_branch(&results, "release/2.0");
    assert_eq!(r2["status"], "pr_open", "{r2}");
    assert_eq!(
        (r2["commits_behind"].as_u64(), r2["commits_ahead"].as_u64()),
        (Some(1), Some(1))
    );
    let r3 = by_branch(&results, "release/3.0");
    assert_eq!(r3["status"], "synced", "{r3}");
    assert!(
        r3["detail"]
            .as_str()
            .unwrap()
            .contains("it was not in the fork"),
        "{r3}"
    );
    let creations = run
        .iter()
        .filter(|e| {
            e.method == "POST"
                && e.path == format!("/repos/{f}/git/refs")
                && e.request
                    .as_ref()
                    .is_some_and(|r| r["ref"] == "refs/heads/release/3.0")
        })
        .count();
    assert!(creations >= 1, "created with POST …/git/refs");
    let gone = by_branch(&results, "gone-upstream");
    assert_eq!(gone["status"], "failed", "{gone}");
    assert!(
        gone["error"]
            .as_str()
            .unwrap()
            .contains("not found in the upstream"),
        "{gone}"
    );
    // The score is the most-behind branch's (release/1.0, 2 behind), the same on each.
    let scores: Vec<i64> = results
        .iter()
        .map(|r| r["score"].as_i64().unwrap())
        .collect();
    assert!(scores.iter().all(|s| *s == scores[0]), "{scores:?}");
    assert!(
        results[0]["reasons"]
            .to_string()
            .contains("2 commits behind"),
        "{}",
        results[0]["reasons"]
    );
    let counts = &common::read_json(&h.path("audit-out").join("sync-progress.json"))["counts"];
    assert_eq!(counts["synced"], 3, "{counts}");
    assert_eq!(counts["pr_open"], 1, "{counts}");

    // Gathered in the metadata batch: one GraphQL document with the branches as aliases, no
    // REST read of a listed branch and no compare (the ancestry query settles all three; the
    // sync branch is read when its PR is made, as for any repository).
    let meta: Vec<&Value> = run
        .iter()
        .filter(|e| e.path.starts_with("/graphql"))
        .filter_map(|e| e.request.as_ref())
        .filter(|r| {
            r["query"]
                .as_str()
                .is_some_and(|q| q.starts_with("query RepoMetadata"))
        })
        .collect();
    assert_eq!(meta.len(), 1, "{meta:#?}");
    let q = meta[0]["query"].as_str().unwrap();
    assert!(
        q.contains("fg1: refs(refPrefix: \"refs/heads/\", query: $fg0x1"),
        "{q}"
    );
    assert!(q.contains("upBranches: parent {"), "{q}");
    let rest_reads: Vec<&str> = run
        .iter()
        .filter(|e| e.method == "GET" && e.path.starts_with(&format!("/repos/{f}/")))
        .filter(|e| {
            e.path.contains("/compare/")
                || e.path.contains("/branches")
                || e.path.contains("/git/ref/heads/release")
                || e.path.ends_with(&format!("/git/ref/heads/{}", fork.branch))
        })
        .map(|e| e.path.as_str())
        .collect();
    assert!(rest_reads.is_empty(), "{rest_reads:?}");

    // The job summary and the dashboard name each branch.
    assert!(summary.contains(&format!("{f}:release/2.0")), "{summary}");
    assert!(summary.contains(&format!("{f}:gone-upstream")), "{summary}");
    // Counted by branch: the headline says so.
    assert!(summary.contains("of 5 branches in sync"), "{summary}");
    let html = std::fs::read_to_string(h.path("audit-out").join("speed-dashboard.html")).unwrap();
    assert!(
        html.contains(":<wbr>gone-upstream"),
        "the dashboard names the branch"
    );

    // The state keeps one entry per branch; the PR is remembered on its branch.
    let state = h.committed_state();
    let key = |b: &str| format!("{}:{b}", f.to_ascii_lowercase());
    assert!(
        state.repos.contains_key(&key("release/1.0")),
        "{:?}",
        state.repos.keys()
    );
    assert_eq!(
        state.repos[&key("release/2.0")].sync_pr,
        Some(sync_prs[0].number)
    );
    assert!(!state.repos.contains_key(&f.to_ascii_lowercase()));

    // The next run, at once (GitHub's lists may still miss the new PR, and its mergeability
    // may still be computing): the PR is found again through the state (read by number in the
    // metadata batch), nothing is written twice.
    let before = h.sb.log_entries().len();
    h.sync(&["--mode", "all"]);
    let results = results_of(&h, &f);
    assert_eq!(by_branch(&results, &fork.branch)["status"], "up_to_date");
    assert_eq!(by_branch(&results, "release/1.0")["status"], "up_to_date");
    let r2 = by_branch(&results, "release/2.0");
    assert_eq!(r2["status"], "pr_open", "{r2}");
    assert_eq!(r2["pull_request"]["number"], sync_prs[0].number, "{r2}");
    let again: Vec<_> =
        h.sb.open_pulls(&f)
            .into_iter()
            .filter(|p| p.head_ref.starts_with("priority-sync/"))
            .collect();
    assert_eq!(again.len(), 1);
    let entries = h.sb.log_entries();
    let second_meta = entries[before..]
        .iter()
        .filter_map(|e| e.request.as_ref())
        .find(|r| {
            r["query"]
                .as_str()
                .is_some_and(|q| q.starts_with("query RepoMetadata"))
        })
        .expect("a metadata batch");
    assert!(
        second_meta["query"]
            .as_str()
            .unwrap()
            .contains("sp0: pullRequest(number: $sp0x0)"),
        "{second_meta}"
    );
    assert!(entries[before..]
        .iter()
        .all(|e| !(e.method == "POST" && e.path.ends_with("/pulls"))));
}
