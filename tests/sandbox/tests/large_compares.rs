//! Compares GitHub cannot compute (issue 12, item 7). The compare operation documents 500
//! and 503 (GitHub's OpenAPI description, `repos/compare-commits-with-basehead`); a real 500
//! was pasted in link-assistant/hive-mind#1831 (2026-05):
//! `{"message":"Server Error: Sorry, this diff is temporarily unavailable due to heavy server
//! load.","errors":[{"resource":"Comparison","field":"diff","code":"not_available"}],"status":"500"}`.
//! GitHub gives no size at which this happens: the sandbox answers it over
//! `Behaviour::compare_fail_over` commits (3,000 by default, far above any generated fleet).
//! Its files list holds at most 300 entries and comes on the first page only (the operation's
//! description).

mod common;

use common::{small, start, Client};
use github_sandbox::{Behaviour, SandboxConfig};
use serde_json::json;

#[test]
fn a_compare_over_the_size_answers_the_recorded_500() {
    let sb = start(
        "large_compares_500",
        SandboxConfig {
            behaviour: Behaviour {
                compare_fail_over: 20,
                ..Behaviour::default()
            },
            ..small(12)
        },
        // 500 is documented for compare: the exchanges stay checkable.
        true,
    );
    let c = Client::for_sb(&sb);
    // hotstack lacks 25 upstream commits: over 20.
    let big = c.get("/repos/heyns1000/hotstack/compare/main...omnigrid-labs:main?per_page=1");
    assert_eq!(big.status, 500);
    assert_eq!(
        big.json,
        json!({
            "message": "Server Error: Sorry, this diff is temporarily unavailable due to heavy server load.",
            "errors": [{"resource": "Comparison", "field": "diff", "code": "not_available"}],
            "status": "500",
        })
    );
    // Deterministic: asking again answers the same.
    let again = c.get("/repos/heyns1000/hotstack/compare/main...omnigrid-labs:main?per_page=1");
    assert_eq!(again.status, 500);
    // omnigrid lacks 3: answered.
    let small_one = c.get("/repos/heyns1000/omnigrid/compare/main...omnigrid-labs:main?per_page=1");
    assert_eq!(small_one.status, 200);
    assert_eq!(small_one.json["total_commits"], 3);
    sb.assert_no_unexpected_routes();
}

#[test]
fn by_default_the_fleet_compares_and_files_come_on_the_first_page_only() {
    let sb = start("large_compares_default", small(12), true);
    assert_eq!(sb.behaviour().compare_fail_over, 3_000);
    assert_eq!(sb.behaviour().compare_files_max, 300);
    let c = Client::for_sb(&sb);
    let path = "/repos/heyns1000/hotstack/compare/main...omnigrid-labs:main";
    let first = c.get(&format!("{path}?per_page=10&page=1"));
    assert_eq!(first.status, 200);
    assert_eq!(first.json["total_commits"], 25);
    assert!(!first.json["files"].as_array().unwrap().is_empty());
    let second = c.get(&format!("{path}?per_page=10&page=2"));
    assert_eq!(second.status, 200);
    assert_eq!(second.json["commits"].as_array().unwrap().len(), 10);
    assert_eq!(second.json["files"], json!([]));
    sb.assert_no_unexpected_routes();
}

#[test]
fn files_stop_at_300_for_the_whole_comparison() {
    let sb = start("large_compares_files", small(12), true);
    let c = Client::for_sb(&sb);
    // One upstream commit adding 301 files, written through the Git Data API.
    let up = "omnigrid-labs/omnigrid";
    let head = sb.branch_sha(up, "main").unwrap();
    let tree = c.get(&format!("/repos/{up}/git/commits/{head}")).json["tree"]["sha"]
        .as_str()
        .unwrap()
        .to_string();
    let entries: Vec<_> = (0..301)
        .map(|i| json!({"path": format!("many/f{i:03}.txt"), "mode": "100644", "type": "blob", "content": format!("{i}\n")}))
        .collect();
    let t = c.post(
        &format!("/repos/{up}/git/trees"),
        json!({"base_tree": tree, "tree": entries}),
    );
    assert_eq!(t.status, 201, "{}", t.json);
    let commit = c.post(
        &format!("/repos/{up}/git/commits"),
        json!({"message": "301 files", "tree": t.json["sha"], "parents": [head]}),
    );
    assert_eq!(commit.status, 201, "{}", commit.json);
    let sha = commit.json["sha"].as_str().unwrap();
    let moved = c.patch(
        &format!("/repos/{up}/git/refs/heads/main"),
        json!({"sha": sha, "force": false}),
    );
    assert_eq!(moved.status, 200);
    let cmp = c.get("/repos/heyns1000/omnigrid/compare/main...omnigrid-labs:main?per_page=1");
    assert_eq!(cmp.status, 200);
    assert_eq!(cmp.json["total_commits"], 4);
    assert_eq!(cmp.json["files"].as_array().unwrap().len(), 300);
    sb.assert_no_unexpected_routes();
}
