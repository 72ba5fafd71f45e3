//! Merging without a person, as GitHub does it: a repository's "Allow auto-merge" setting
//! (off by default: the `allow_auto_merge` property of `repository` in GitHub's OpenAPI
//! description), GraphQL `enablePullRequestAutoMerge` (GitHub's schema:
//! `EnablePullRequestAutoMergeInput { pullRequestId, mergeMethod }`) and its refusals, a
//! pull request's `autoMergeRequest` (REST `auto_merge`), the status checks a branch requires,
//! and the merge GitHub makes once they pass ("Automatically merging a pull request": it
//! "will merge automatically when all required reviews are met and all required status
//! checks have passed"). Also the assignees of a pull request (`POST …/issues/{n}/assignees`).

mod common;

use common::{small, start, Client};
use github_sandbox::Sandbox;
use serde_json::{json, Value};

/// A fork of the small fleet whose upstream (`omnigrid-labs:main`) is ahead of it and merges
/// cleanly.
const FORK: &str = "heyns1000/data-warehouse";
const UPSTREAM_HEAD: &str = "omnigrid-labs:main";

const ENABLE: &str = r#"mutation($id: ID!, $method: PullRequestMergeMethod!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) {
    pullRequest { number state autoMergeRequest { mergeMethod enabledBy { login } } }
  }
}"#;

/// Opens the upstream PR; returns its number, node id and head sha.
fn open_pr(c: &Client) -> (u64, String, String) {
    let r = c.post(
        &format!("/repos/{FORK}/pulls"),
        json!({"title": "Sync from upstream", "head": UPSTREAM_HEAD, "base": "main", "body": "behind"}),
    );
    assert_eq!(r.status, 201, "{}", r.json);
    (
        r.json["number"].as_u64().unwrap(),
        r.json["node_id"].as_str().unwrap().to_string(),
        r.json["head"]["sha"].as_str().unwrap().to_string(),
    )
}

fn enable(sb: &Sandbox, c: &Client, id: &str, method: &str) -> Value {
    let a = c.graphql(
        &sb.graphql_url(),
        ENABLE,
        json!({"id": id, "method": method}),
    );
    assert_eq!(a.status, 200, "{}", a.json);
    a.json
}

/// The refusal's message, with GitHub's shape: `data.enablePullRequestAutoMerge: null` and an
/// `UNPROCESSABLE` error whose path names the mutation.
fn refusal(answer: &Value) -> String {
    assert_eq!(
        answer["data"]["enablePullRequestAutoMerge"],
        Value::Null,
        "{answer}"
    );
    let e = &answer["errors"][0];
    assert_eq!(e["type"], "UNPROCESSABLE", "{answer}");
    assert_eq!(e["path"], json!(["enablePullRequestAutoMerge"]), "{answer}");
    e["message"].as_str().unwrap().to_string()
}

/// Off by default, GitHub refuses with "Auto merge is not allowed for this repository" (as
/// `gh` shows it: `GraphQL: Auto merge is not allowed for this repository
/// (enablePullRequestAutoMerge)`, indexable-inc/index#2948 and viperproject/viperserver#358),
/// and the pull request stays as it was.
#[test]
fn a_repository_that_does_not_allow_auto_merge_refuses_it() {
    let sb = start("auto_merge_not_allowed", small(20), true);
    let c = Client::for_sb(&sb);
    let (n, id, _) = open_pr(&c);
    let repo = c.get(&format!("/repos/{FORK}"));
    assert_eq!(repo.json["allow_auto_merge"], false);
    let m = refusal(&enable(&sb, &c, &id, "MERGE"));
    assert_eq!(m, "Auto merge is not allowed for this repository");
    let pr = c.get(&format!("/repos/{FORK}/pulls/{n}"));
    assert_eq!(pr.json["auto_merge"], Value::Null);
    assert_eq!(pr.json["state"], "open");
}

/// With nothing to wait for (no required check, a clean merge) GitHub refuses: `Pull request
/// Pull request is in clean status`, recorded from api.github.com (BeWe11/workshop-uncool-mlops;
/// rjwalters/loom#3379).
#[test]
fn nothing_to_wait_for_is_refused_as_clean_status() {
    let sb = start("auto_merge_clean_status", small(20), true);
    assert!(sb.set_auto_merge_allowed(FORK, true));
    let c = Client::for_sb(&sb);
    let (_, id, _) = open_pr(&c);
    let m = refusal(&enable(&sb, &c, &id, "SQUASH"));
    assert_eq!(m, "Pull request Pull request is in clean status");
}

/// Allowed, with a required check: auto-merge is on (`autoMergeRequest`, REST `auto_merge`
/// with the method in REST's spelling); a failing check merges nothing; once the check passes
/// on the head commit GitHub merges it (a merge commit of base and head), and the pull request
/// is closed as merged (`MERGED`, `merged: true`) with auto-merge cleared.
#[test]
fn auto_merge_merges_when_the_required_checks_pass() {
    let sb = start("auto_merge_merges", small(20), true);
    assert!(sb.set_auto_merge_allowed(FORK, true));
    assert!(sb.require_checks(FORK, "main", &["ci"]));
    let c = Client::for_sb(&sb);
    let before = sb.branch_sha(FORK, "main").unwrap();
    let (n, id, head) = open_pr(&c);
    let on = enable(&sb, &c, &id, "MERGE");
    assert!(on.get("errors").is_none(), "{on}");
    let pr = &on["data"]["enablePullRequestAutoMerge"]["pullRequest"];
    assert_eq!(pr["autoMergeRequest"]["mergeMethod"], "MERGE", "{on}");
    assert_eq!(pr["state"], "OPEN");
    let rest = c.get(&format!("/repos/{FORK}/pulls/{n}"));
    assert_eq!(
        rest.json["auto_merge"]["merge_method"], "merge",
        "{}",
        rest.json
    );

    assert!(sb.report_check(FORK, &head, "ci", "failure").is_empty());
    assert_eq!(
        sb.branch_sha(FORK, "main").unwrap(),
        before,
        "nothing merged"
    );
    assert!(
        sb.report_check(FORK, &before, "ci", "success").is_empty(),
        "not its head"
    );
    assert_eq!(sb.report_check(FORK, &head, "ci", "success"), vec![n]);

    let after = sb.branch_sha(FORK, "main").unwrap();
    assert_ne!(after, before);
    let commit = c.get(&format!("/repos/{FORK}/git/commits/{after}"));
    let parents: Vec<&str> = commit.json["parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sha"].as_str().unwrap())
        .collect();
    assert_eq!(parents, [before.as_str(), head.as_str()], "a merge commit");
    let rest = c.get(&format!("/repos/{FORK}/pulls/{n}"));
    assert_eq!(rest.json["merged"], true);
    assert_eq!(rest.json["state"], "closed");
    assert_eq!(rest.json["auto_merge"], Value::Null);
    let q = r#"query($n: Int!) { repository(owner: "heyns1000", name: "data-warehouse") {
        pullRequest(number: $n) { state merged autoMergeRequest { mergeMethod } } } }"#;
    let g = c.graphql(&sb.graphql_url(), q, json!({"n": n}));
    let pr = &g.json["data"]["repository"]["pullRequest"];
    assert_eq!(pr["state"], "MERGED", "{}", g.json);
    assert_eq!(pr["merged"], true);
    assert_eq!(pr["autoMergeRequest"], Value::Null);
}

/// `POST …/issues/{n}/assignees` on a pull request's number: 201 with the issue, "Users
/// already assigned to an issue are not replaced" (GitHub's OpenAPI description).
#[test]
fn assignees_are_added_once_each() {
    let sb = start("auto_merge_assignees", small(20), true);
    let c = Client::for_sb(&sb);
    let (n, _, _) = open_pr(&c);
    let path = format!("/repos/{FORK}/issues/{n}/assignees");
    let a = c.post(&path, json!({"assignees": ["alice"]}));
    assert_eq!(a.status, 201, "{}", a.json);
    let a = c.post(&path, json!({"assignees": ["alice", "bob"]}));
    let logins: Vec<&str> = a.json["assignees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap())
        .collect();
    assert_eq!(logins, ["alice", "bob"]);
    assert!(
        a.json["pull_request"]["url"].is_string(),
        "the issue of a pull request"
    );
    let info = sb.pulls(FORK).into_iter().find(|p| p.number == n).unwrap();
    assert_eq!(info.assignees, ["alice", "bob"]);
}
