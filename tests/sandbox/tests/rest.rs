//! REST behaviour over plain HTTP: repositories, refs (fast-forward vs 422), compare counts
//! against `git rev-list --count`, merge-upstream (fast-forward, merge, 409, 422), pulls,
//! labels, Git Data API, contents, ETags, pagination, GHES layout. The workflow permission and
//! new commits reaching forks late are in `propagation.rs`.

mod common;

use common::{rev_list_count, small, start, Client};
use github_sandbox::{Category, SandboxConfig};
use serde_json::json;

fn pick(sb: &github_sandbox::Sandbox, c: Category) -> github_sandbox::FleetRepo {
    sb.fleet()
        .of(c)
        .first()
        .copied()
        .cloned()
        .unwrap_or_else(|| panic!("fleet has a {c:?} repo"))
}

fn upstream_of(sb: &github_sandbox::Sandbox, fork: &str) -> (String, String) {
    let parent = sb.parent(fork).unwrap();
    let (o, n) = parent.split_once('/').unwrap();
    (o.to_string(), n.to_string())
}

#[test]
fn repository_shape_and_missing_repos() {
    let sb = start("repository_shape", small(40), true);
    let c = Client::for_sb(&sb);
    let r = c.get("/repos/heyns1000/omnigrid");
    assert_eq!(r.status, 200);
    assert_eq!(r.json["full_name"], "heyns1000/omnigrid");
    assert_eq!(r.json["fork"], true);
    assert_eq!(r.json["parent"]["full_name"], "omnigrid-labs/omnigrid");
    assert_eq!(r.json["source"]["full_name"], "omnigrid-labs/omnigrid");
    assert_eq!(r.json["default_branch"], "main");
    assert_eq!(r.json["archived"], false);
    assert_eq!(r.json["permissions"]["push"], true);
    assert!(r.json["pushed_at"].as_str().unwrap().ends_with('Z'));
    // names are case-insensitive, as on GitHub
    assert_eq!(c.get("/repos/HEYNS1000/OmniGrid").json["name"], "omnigrid");
    // the Top 12's zoho is listed but missing
    let z = c.get("/repos/heyns1000/zoho");
    assert_eq!(z.status, 404);
    assert_eq!(z.json["message"], "Not Found");
    // archived repos say so
    let a = pick(&sb, Category::Archived);
    assert_eq!(
        c.get(&format!("/repos/{}", a.full_name)).json["archived"],
        true
    );
    // branch names with slashes
    let hot = c.get("/repos/heyns1000/hotstack/branches/priority-sync/main");
    assert_eq!(hot.status, 200, "{}", hot.json);
    assert_eq!(hot.json["name"], "priority-sync/main");
    let hot = c.get("/repos/heyns1000/hotstack/git/ref/heads/priority-sync%2Fmain");
    assert_eq!(hot.status, 200);
    assert_eq!(hot.json["ref"], "refs/heads/priority-sync/main");
    sb.assert_no_unexpected_routes();
}

#[test]
fn refs_fast_forward_versus_422() {
    let sb = start("refs_ff", small(20), true);
    let c = Client::for_sb(&sb);
    let fork = "heyns1000/omnigrid"; // 3 behind
    let (uo, un) = upstream_of(&sb, fork);
    let old = sb.branch_sha(fork, "main").unwrap();
    let up = sb.branch_sha(&format!("{uo}/{un}"), "main").unwrap();
    // create a branch at the upstream tip, then move it back: not a fast-forward
    let r = c.post(
        &format!("/repos/{fork}/git/refs"),
        json!({"ref": "refs/heads/priority-sync/main", "sha": up}),
    );
    assert_eq!(r.status, 201, "{}", r.json);
    let again = c.post(
        &format!("/repos/{fork}/git/refs"),
        json!({"ref": "refs/heads/priority-sync/main", "sha": up}),
    );
    assert_eq!(again.status, 422);
    assert_eq!(again.json["message"], "Reference already exists");
    let back = c.patch(
        &format!("/repos/{fork}/git/refs/heads/priority-sync/main"),
        json!({"sha": old, "force": false}),
    );
    assert_eq!(back.status, 422);
    assert_eq!(back.json["message"], "Update is not a fast forward");
    let forced = c.patch(
        &format!("/repos/{fork}/git/refs/heads/priority-sync/main"),
        json!({"sha": old, "force": true}),
    );
    assert_eq!(forced.status, 200);
    assert_eq!(forced.json["object"]["sha"], old);
    // fast-forward the fork's main to upstream
    let ff = c.patch(
        &format!("/repos/{fork}/git/refs/heads/main"),
        json!({"sha": up, "force": false}),
    );
    assert_eq!(ff.status, 200, "{}", ff.json);
    assert_eq!(sb.branch_sha(fork, "main").unwrap(), up);
    assert!(sb.is_ancestor(fork, &old, &up));
    // a diverged fork cannot be fast-forwarded
    let div = pick(&sb, Category::Diverged);
    let (duo, dun) = upstream_of(&sb, &div.full_name);
    let dup = sb.branch_sha(&format!("{duo}/{dun}"), &div.branch).unwrap();
    let r = c.patch(
        &format!("/repos/{}/git/refs/heads/{}", div.full_name, div.branch),
        json!({"sha": dup, "force": false}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json["message"], "Update is not a fast forward");
    // delete
    assert_eq!(
        c.delete(&format!("/repos/{fork}/git/refs/heads/priority-sync/main"))
            .status,
        204
    );
    assert_eq!(
        c.get(&format!("/repos/{fork}/git/ref/heads/priority-sync/main"))
            .status,
        404
    );
    assert_eq!(
        c.delete(&format!("/repos/{fork}/git/refs/heads/priority-sync/main"))
            .status,
        422
    );
    sb.assert_no_unexpected_routes();
}

#[test]
fn compare_counts_equal_git_rev_list() {
    let sb = start("compare_counts", small(60), true);
    let c = Client::for_sb(&sb);
    let mut checked = 0;
    for fr in sb.fleet().repos.iter().filter(|r| r.exists) {
        let (uo, un) = upstream_of(&sb, &fr.full_name);
        for head in [
            format!("{uo}:{}", fr.branch),
            format!("{uo}:{un}:{}", fr.branch),
        ] {
            let r = c.get(&format!(
                "/repos/{}/compare/{}...{head}",
                fr.full_name, fr.branch
            ));
            assert_eq!(r.status, 200, "{} {}", fr.full_name, r.json);
            let base_ref = sb.store_ref(&fr.full_name, &fr.branch).unwrap();
            let head_ref = sb.store_ref(&format!("{uo}/{un}"), &fr.branch).unwrap();
            let behind_git = rev_list_count(&sb, &fr.full_name, &base_ref, &head_ref);
            let ahead_git = rev_list_count(&sb, &fr.full_name, &head_ref, &base_ref);
            // compare is from the fork's point of view: head (upstream) ahead = fork behind
            assert_eq!(r.json["ahead_by"], behind_git, "{}", fr.full_name);
            assert_eq!(r.json["behind_by"], ahead_git, "{}", fr.full_name);
            assert_eq!(r.json["total_commits"], behind_git);
            assert_eq!(
                behind_git as u32, fr.behind,
                "ground truth behind of {}",
                fr.full_name
            );
            assert_eq!(
                ahead_git as u32, fr.ahead,
                "ground truth ahead of {}",
                fr.full_name
            );
            let status = match (behind_git, ahead_git) {
                (0, 0) => "identical",
                (_, 0) => "ahead",
                (0, _) => "behind",
                _ => "diverged",
            };
            assert_eq!(r.json["status"], status);
            assert!(r.json["merge_base_commit"]["sha"].is_string());
            checked += 1;
        }
    }
    assert!(checked > 80);
    // commits are oldest first and paginate with a link header
    let far = "heyns1000/hotstack"; // 25 behind
    let r = c.get(&format!(
        "/repos/{far}/compare/main...omnigrid-labs:main?per_page=10&page=1"
    ));
    let commits = r.json["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 10);
    assert!(r.header("link").unwrap().contains("rel=\"next\""));
    let d0 = commits[0]["commit"]["committer"]["date"]
        .as_str()
        .unwrap()
        .to_string();
    let d9 = commits[9]["commit"]["committer"]["date"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(d0 < d9, "oldest first");
    let p3 = c.get(&format!(
        "/repos/{far}/compare/main...omnigrid-labs:main?per_page=10&page=3"
    ));
    assert_eq!(p3.json["commits"].as_array().unwrap().len(), 5);
    assert!(r.json["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["filename"] == "CHANGELOG.md"));
    // outside the fork network: 404, as GitHub answers
    let other = c.get(&format!(
        "/repos/{far}/compare/main...heyns1000:codenest:main"
    ));
    assert_eq!(other.status, 404);
    sb.assert_no_unexpected_routes();
}

#[test]
fn merge_upstream_fast_forward_merge_conflict_and_422() {
    let sb = start("merge_upstream", small(40), true);
    let c = Client::for_sb(&sb);
    // fast-forward
    let ff = c.post(
        "/repos/heyns1000/vaultmesh/merge-upstream",
        json!({"branch": "main"}),
    );
    assert_eq!(ff.status, 200, "{}", ff.json);
    assert_eq!(ff.json["merge_type"], "fast-forward");
    assert_eq!(ff.json["base_branch"], "omnigrid-labs:main");
    assert_eq!(sb.behind_ahead("heyns1000/vaultmesh", "main"), Some((0, 0)));
    // nothing to do
    let none = c.post(
        "/repos/heyns1000/vaultmesh/merge-upstream",
        json!({"branch": "main"}),
    );
    assert_eq!(none.json["merge_type"], "none");
    // diverged and clean: a real merge commit with two parents
    let before = sb.branch_sha("heyns1000/buildnest", "main").unwrap();
    let m = c.post(
        "/repos/heyns1000/buildnest/merge-upstream",
        json!({"branch": "main"}),
    );
    assert_eq!(m.status, 200, "{}", m.json);
    assert_eq!(m.json["merge_type"], "merge");
    let after = sb.branch_sha("heyns1000/buildnest", "main").unwrap();
    let commit = c.get(&format!("/repos/heyns1000/buildnest/git/commits/{after}"));
    assert_eq!(commit.json["parents"].as_array().unwrap().len(), 2);
    assert!(sb.is_ancestor("heyns1000/buildnest", &before, &after));
    assert_eq!(sb.behind_ahead("heyns1000/buildnest", "main").unwrap().0, 0);
    // conflicting: 409 and nothing moves
    let before = sb
        .branch_sha("heyns1000/payment-gateway-hub", "main")
        .unwrap();
    let conflict = c.post(
        "/repos/heyns1000/payment-gateway-hub/merge-upstream",
        json!({"branch": "main"}),
    );
    assert_eq!(conflict.status, 409);
    assert_eq!(
        sb.branch_sha("heyns1000/payment-gateway-hub", "main")
            .unwrap(),
        before
    );
    // made to conflict at run time
    sb.make_conflict("heyns1000/toynest").unwrap();
    assert_eq!(
        c.post(
            "/repos/heyns1000/toynest/merge-upstream",
            json!({"branch": "main"})
        )
        .status,
        409
    );
    // not possible: unknown branch, not a fork
    assert_eq!(
        c.post(
            "/repos/heyns1000/omnigrid/merge-upstream",
            json!({"branch": "nope"})
        )
        .status,
        422
    );
    assert_eq!(
        c.post(
            "/repos/heyns1000/fleet-control/merge-upstream",
            json!({"branch": "main"})
        )
        .status,
        422
    );
    sb.assert_no_unexpected_routes();
}

#[test]
fn pulls_labels_and_reviewers() {
    let sb = start("pulls", small(20), true);
    let c = Client::for_sb(&sb);
    let fork = "heyns1000/hotstack"; // has an open sync PR and a feature PR
    let list = c.get(&format!(
        "/repos/{fork}/pulls?state=open&head=heyns1000:priority-sync/main"
    ));
    assert_eq!(list.status, 200);
    let found = list.json.as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["head"]["ref"], "priority-sync/main");
    let sync_number = found[0]["number"].as_u64().unwrap();
    assert_eq!(
        c.get(&format!("/repos/{fork}/pulls?head=heyns1000:nope"))
            .json
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        c.get(&format!("/repos/{fork}/pulls?base=main"))
            .json
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // a duplicate is refused
    let dup = c.post(
        &format!("/repos/{fork}/pulls"),
        json!({"title": "again", "head": "priority-sync/main", "base": "main"}),
    );
    assert_eq!(dup.status, 422);
    assert!(dup.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("A pull request already exists"));
    // the sync PR is updated: its branch fast-forwarded to upstream, title changed
    let up = sb.branch_sha("omnigrid-labs/hotstack", "main").unwrap();
    assert_eq!(
        c.patch(
            &format!("/repos/{fork}/git/refs/heads/priority-sync/main"),
            json!({"sha": up})
        )
        .status,
        200
    );
    let upd = c.patch(
        &format!("/repos/{fork}/pulls/{sync_number}"),
        json!({"title": "Sync main (25 commits)"}),
    );
    assert_eq!(upd.status, 200);
    assert_eq!(upd.json["head"]["sha"], up);
    assert_eq!(upd.json["commits"], 25);
    // a PR straight from the upstream branch
    let omni = c.post("/repos/heyns1000/data-warehouse/pulls", json!({"title": "Sync from upstream", "head": "omnigrid-labs:main", "base": "main", "body": "60 behind"}));
    assert_eq!(omni.status, 201, "{}", omni.json);
    let n = omni.json["number"].as_u64().unwrap();
    assert_eq!(omni.json["head"]["label"], "omnigrid-labs:main");
    // GitHub computes mergeability in the background: null at first (tests/pull_lag.rs).
    assert_eq!(omni.json["mergeable"], serde_json::Value::Null);
    // nothing to merge / outside the network
    let none = c.post(
        "/repos/heyns1000/codenest/pulls",
        json!({"title": "x", "head": "omnigrid-labs:main", "base": "main"}),
    );
    assert_eq!(none.status, 422);
    let foreign = c.post(
        "/repos/heyns1000/codenest/pulls",
        json!({"title": "x", "head": "fruitful-upstream:main", "base": "main"}),
    );
    assert_eq!(foreign.status, 422);
    // labels: issue labels create missing ones
    let l = c.post(
        &format!("/repos/heyns1000/data-warehouse/issues/{n}/labels"),
        json!({"labels": ["priority-sync", "urgent", "bug"]}),
    );
    assert_eq!(l.status, 200, "{}", l.json);
    assert_eq!(l.json.as_array().unwrap().len(), 3);
    let labels = c.get("/repos/heyns1000/data-warehouse/labels?per_page=2");
    assert_eq!(labels.json.as_array().unwrap().len(), 2);
    assert!(labels.header("link").unwrap().contains("rel=\"last\""));
    let created = c.post(
        "/repos/heyns1000/data-warehouse/labels",
        json!({"name": "security", "color": "b60205"}),
    );
    assert_eq!(created.status, 201);
    assert_eq!(
        c.post(
            "/repos/heyns1000/data-warehouse/labels",
            json!({"name": "Security"})
        )
        .status,
        422
    );
    // reviewers
    let rv = c.post(
        &format!("/repos/heyns1000/data-warehouse/pulls/{n}/requested_reviewers"),
        json!({"reviewers": ["lindiwe-dev"]}),
    );
    assert_eq!(rv.status, 201);
    let info = sb.open_pulls("heyns1000/data-warehouse");
    let pr = info.iter().find(|p| p.number == n).unwrap();
    assert_eq!(pr.labels, vec!["priority-sync", "urgent", "bug"]);
    assert_eq!(pr.reviewers, vec!["lindiwe-dev"]);
    assert_eq!(pr.head, "omnigrid-labs:main");
    // close it
    let closed = c.patch(
        &format!("/repos/heyns1000/data-warehouse/pulls/{n}"),
        json!({"state": "closed"}),
    );
    assert_eq!(closed.json["state"], "closed");
    assert!(sb
        .open_pulls("heyns1000/data-warehouse")
        .iter()
        .all(|p| p.number != n));
    sb.assert_no_unexpected_routes();
}

#[test]
fn pagination_and_etags() {
    let sb = start("pagination_etag", small(20), true);
    let c = Client::for_sb(&sb);
    for k in 0..5 {
        sb.push_commit(
            "heyns1000/banimal",
            "main",
            &format!("docs/{k}.md"),
            "x",
            "wip",
        )
        .unwrap();
    }
    // open PRs from five branches, then page through them
    let base = sb.branch_sha("heyns1000/banimal", "main").unwrap();
    for k in 0..5 {
        let sha = sb
            .push_commit(
                "heyns1000/banimal",
                "main",
                &format!("x/{k}.md"),
                "y",
                "more",
            )
            .unwrap();
        assert_eq!(
            c.post(
                "/repos/heyns1000/banimal/git/refs",
                json!({"ref": format!("refs/heads/topic/{k}"), "sha": sha})
            )
            .status,
            201
        );
    }
    // rewind main so the topic branches are ahead of it
    assert_eq!(
        c.patch(
            "/repos/heyns1000/banimal/git/refs/heads/main",
            json!({"sha": base, "force": true})
        )
        .status,
        200
    );
    for k in 0..5 {
        let r = c.post(
            "/repos/heyns1000/banimal/pulls",
            json!({"title": format!("topic {k}"), "head": format!("topic/{k}"), "base": "main"}),
        );
        assert_eq!(r.status, 201, "{}", r.json);
    }
    // New pull requests reach lists late (Behaviour::list_lag_ms, tests/pull_lag.rs): page
    // once they are all listed.
    std::thread::sleep(std::time::Duration::from_millis(sb.behaviour().list_lag_ms));
    let mut seen = Vec::new();
    let mut url = "/repos/heyns1000/banimal/pulls?state=all&per_page=3".to_string();
    loop {
        let page = c.get(&url);
        assert_eq!(page.status, 200);
        seen.extend(
            page.json
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["number"].as_u64().unwrap()),
        );
        let Some(link) = page.header("link") else {
            break;
        };
        let Some(next) = link.split(',').find(|l| l.contains("rel=\"next\"")) else {
            break;
        };
        url = next
            .trim()
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap()
            .to_string();
    }
    let all = sb.pulls("heyns1000/banimal").len();
    assert_eq!(seen.len(), all);
    let mut sorted = seen.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first by default");
    // ETag and If-None-Match
    let first = c.get("/repos/heyns1000/banimal/pulls");
    let etag = first.header("etag").unwrap().to_string();
    let remaining: u32 = first
        .header("x-ratelimit-remaining")
        .unwrap()
        .parse()
        .unwrap();
    let again = c
        .try_send(
            "GET",
            "/repos/heyns1000/banimal/pulls",
            None,
            &[("If-None-Match", &etag)],
        )
        .unwrap();
    assert_eq!(again.status, 304);
    let after: u32 = again
        .header("x-ratelimit-remaining")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(after, remaining, "a 304 costs nothing");
    sb.assert_no_unexpected_routes();
}

#[test]
fn git_data_api_commits_artifacts() {
    let sb = start("git_data", small(15), true);
    let c = Client::for_sb(&sb);
    let repo = sb.repository();
    let head = c.get(&format!("/repos/{repo}/git/ref/heads/main")).json["object"]["sha"]
        .as_str()
        .unwrap()
        .to_string();
    let base_tree = c.get(&format!("/repos/{repo}/git/commits/{head}")).json["tree"]["sha"]
        .as_str()
        .unwrap()
        .to_string();
    let blob = c.post(
        &format!("/repos/{repo}/git/blobs"),
        json!({"content": "{\"total_repos\": 104}", "encoding": "utf-8"}),
    );
    assert_eq!(blob.status, 201);
    let b64 = c.post(
        &format!("/repos/{repo}/git/blobs"),
        json!({"content": "PHN2Zz48L3N2Zz4=", "encoding": "base64"}),
    );
    assert_eq!(
        c.get(&format!(
            "/repos/{repo}/git/blobs/{}",
            b64.json["sha"].as_str().unwrap()
        ))
        .json["size"],
        11
    );
    let tree = c.post(
        &format!("/repos/{repo}/git/trees"),
        json!({"base_tree": base_tree, "tree": [
            {"path": "audit/speed-metrics.json", "mode": "100644", "type": "blob", "sha": blob.json["sha"]},
            {"path": "audit/sync-status-badge.svg", "mode": "100644", "type": "blob", "sha": b64.json["sha"]},
            {"path": "audit/sync-state.json", "mode": "100644", "type": "blob", "content": "{}"},
        ]}),
    );
    assert_eq!(tree.status, 201, "{}", tree.json);
    let commit = c.post(
        &format!("/repos/{repo}/git/commits"),
        json!({"message": "audit: update artifacts", "tree": tree.json["sha"], "parents": [head],
               "author": {"name": "priority-sync", "email": "bot@example.com", "date": "2026-01-01T08:00:00Z"}}),
    );
    assert_eq!(commit.status, 201, "{}", commit.json);
    let sha = commit.json["sha"].as_str().unwrap().to_string();
    assert_eq!(commit.json["author"]["date"], "2026-01-01T08:00:00Z");
    // The commit's parent is the branch head: a fast-forward, accepted.
    let ff = c.patch(
        &format!("/repos/{repo}/git/refs/heads/main"),
        json!({"sha": sha}),
    );
    assert_eq!(ff.status, 200, "{}", ff.json);
    assert_eq!(ff.json["object"]["sha"], sha.as_str());
    // A racing run committed on the old head too: now that the branch moved, its update is not
    // a fast-forward and is refused, and the branch stays where it is.
    let racer = c.post(
        &format!("/repos/{repo}/git/commits"),
        json!({"message": "audit: a racing run", "tree": base_tree, "parents": [head]}),
    );
    assert_eq!(racer.status, 201, "{}", racer.json);
    let stale = c.patch(
        &format!("/repos/{repo}/git/refs/heads/main"),
        json!({"sha": racer.json["sha"], "force": false}),
    );
    assert_eq!(stale.status, 422, "{}", stale.json);
    assert_eq!(stale.json["message"], "Update is not a fast forward");
    assert_eq!(sb.branch_sha(&repo, "main").as_deref(), Some(sha.as_str()));
    let file = c.get(&format!(
        "/repos/{repo}/contents/audit/speed-metrics.json?ref=main"
    ));
    assert_eq!(file.status, 200);
    let decoded =
        github_sandbox::util::base64_decode(file.json["content"].as_str().unwrap()).unwrap();
    assert_eq!(decoded, b"{\"total_repos\": 104}");
    assert_eq!(
        sb.file_text(&repo, "main", "audit/sync-state.json")
            .unwrap(),
        "{}"
    );
    assert!(sb
        .file_text(&repo, "main", ".github/priority-sync.yml")
        .unwrap()
        .contains("heyns1000/omnigrid"));
    let t = c.get(&format!(
        "/repos/{repo}/git/trees/{}?recursive=1",
        tree.json["sha"].as_str().unwrap()
    ));
    assert!(t.json["tree"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "audit/speed-metrics.json"));
    sb.assert_no_unexpected_routes();
}

#[test]
fn files_over_1_mb_are_read_through_the_blobs_api() {
    let sb = start("large_files", small(12), true);
    let c = Client::for_sb(&sb);
    let repo = sb.repository();
    let limit = github_sandbox::rest::CONTENTS_INLINE_MAX;
    assert_eq!(limit, 1024 * 1024);
    let line = "{\"repo\": \"heyns1000/some-fork\", \"last_status\": \"up_to_date\"},\n";
    let big: String = line.repeat(limit / line.len() + 100);
    assert!(big.len() > limit);
    let at_limit = "x".repeat(limit);
    sb.push_commit(
        &repo,
        "main",
        "audit/sync-state.json",
        &big,
        "a large state",
    )
    .unwrap();
    sb.push_commit(
        &repo,
        "main",
        "audit/at-limit.txt",
        &at_limit,
        "1 MB exactly",
    )
    .unwrap();

    // Over 1 MB: GitHub's shape, no bytes (content "" and encoding "none"), but the blob's sha.
    let f = c.get(&format!(
        "/repos/{repo}/contents/audit/sync-state.json?ref=main"
    ));
    assert_eq!(f.status, 200);
    assert_eq!(f.json["type"], "file");
    assert_eq!(f.json["content"], "");
    assert_eq!(f.json["encoding"], "none");
    assert_eq!(f.json["size"], big.len());
    let sha = f.json["sha"].as_str().unwrap().to_string();
    assert_eq!(
        f.json["git_url"],
        format!("{}/repos/{repo}/git/blobs/{sha}", sb.api_url())
    );
    // The blob itself, base64 (wrapped), up to 100 MB.
    let b = c.get(&format!("/repos/{repo}/git/blobs/{sha}"));
    assert_eq!(b.status, 200);
    assert_eq!(b.json["sha"], sha.as_str());
    assert_eq!(b.json["encoding"], "base64");
    assert_eq!(b.json["size"], big.len());
    let bytes = github_sandbox::util::base64_decode(b.json["content"].as_str().unwrap()).unwrap();
    assert_eq!(bytes, big.as_bytes());

    // 1 MB exactly still comes inline.
    let f = c.get(&format!("/repos/{repo}/contents/audit/at-limit.txt"));
    assert_eq!(f.json["encoding"], "base64");
    assert_eq!(
        github_sandbox::util::base64_decode(f.json["content"].as_str().unwrap()).unwrap(),
        at_limit.as_bytes()
    );
    // An unknown blob is 404.
    let missing = "0".repeat(40);
    assert_eq!(
        c.get(&format!("/repos/{repo}/git/blobs/{missing}")).status,
        404
    );
    sb.assert_no_unexpected_routes();
}

#[test]
fn alerts_workflows_contents_rate_limit() {
    let sb = start("alerts_workflows", small(20), true);
    let c = Client::for_sb(&sb);
    let a = c.get("/repos/heyns1000/pulse-engine/dependabot/alerts?state=open");
    assert_eq!(a.status, 200);
    assert_eq!(a.json.as_array().unwrap().len(), 2);
    let w = c.get("/repos/heyns1000/omnigrid/actions/workflows");
    assert_eq!(w.json["total_count"], 1);
    assert_eq!(w.json["workflows"][0]["path"], ".github/workflows/ci.yml");
    assert_eq!(
        c.get("/repos/heyns1000/banimal/actions/workflows").json["total_count"],
        0
    );
    let hub = c.get("/repos/heyns1000/codenest/contents/hub/connected.json");
    let text = github_sandbox::util::base64_decode(hub.json["content"].as_str().unwrap()).unwrap();
    let names: Vec<String> = serde_json::from_slice(&text).unwrap();
    let connected: Vec<String> = sb
        .fleet()
        .repos
        .iter()
        .filter(|r| r.connected)
        .map(|r| r.full_name.clone())
        .collect();
    assert_eq!(names, connected);
    assert_eq!(
        c.get("/repos/heyns1000/codenest/contents/nope.txt").status,
        404
    );
    let rl = c.get("/rate_limit");
    assert_eq!(rl.json["resources"]["core"]["limit"], 5000);
    assert!(rl.header("x-ratelimit-remaining").is_some());
    sb.assert_no_unexpected_routes();
}

#[test]
fn enterprise_server_layout() {
    let sb = start(
        "ghes",
        SandboxConfig {
            ghes: true,
            ..small(15)
        },
        true,
    );
    assert!(sb.api_url().ends_with("/api/v3"));
    assert!(sb.graphql_url().ends_with("/api/graphql"));
    let c = Client::for_sb(&sb);
    assert_eq!(
        c.get("/repos/heyns1000/omnigrid").json["url"],
        format!("{}/repos/heyns1000/omnigrid", sb.api_url())
    );
    let g = c.graphql(
        &sb.graphql_url(),
        "{ repository(owner: \"heyns1000\", name: \"omnigrid\") { isFork } }",
        json!({}),
    );
    assert_eq!(g.json["data"]["repository"]["isFork"], true);
    sb.assert_no_unexpected_routes();
}
