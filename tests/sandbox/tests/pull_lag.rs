//! Pull requests as GitHub serves them right after a write: `mergeable` is null (GraphQL
//! `UNKNOWN`) while a background job computes it, a new pull request is missing from lists for
//! a while although `GET pulls/{n}` sees it, and a second create answers GitHub's 422 (the
//! `mergeable_ms` and `list_lag_ms` behaviour settings, 1000 ms each by default).

mod common;

use std::thread::sleep;
use std::time::Duration;

use common::{small, start, Client};
use github_sandbox::{Behaviour, Sandbox, SandboxConfig};
use serde_json::{json, Value};

/// A fork of the small fleet and the head its upstream PR comes from (`omnigrid-labs:main`
/// is 60 commits ahead of it and merges cleanly).
const FORK: &str = "heyns1000/data-warehouse";
const UPSTREAM_HEAD: &str = "omnigrid-labs:main";

/// Timings long enough that no machine, however loaded, spends them between two requests of
/// a test (the defaults, 1000 ms each, are asserted in `defaults_are_one_second_each`).
fn slow_github() -> SandboxConfig {
    SandboxConfig {
        behaviour: Behaviour {
            mergeable_ms: 2000,
            list_lag_ms: 2000,
            ..Behaviour::default()
        },
        ..small(20)
    }
}

fn open_upstream_pr(c: &Client) -> (u64, Value) {
    let r = c.post(
        &format!("/repos/{FORK}/pulls"),
        json!({"title": "Sync from upstream", "head": UPSTREAM_HEAD, "base": "main", "body": "60 behind"}),
    );
    assert_eq!(r.status, 201, "{}", r.json);
    (r.json["number"].as_u64().unwrap(), r.json)
}

/// `pullRequest(number:)`'s mergeability through GraphQL: (`mergeable`, `mergeStateStatus`).
fn graphql_mergeable(sb: &Sandbox, c: &Client, n: u64) -> (String, String) {
    let q = r#"query($n: Int!) { repository(owner: "heyns1000", name: "data-warehouse") {
        pullRequest(number: $n) { mergeable mergeStateStatus } } }"#;
    let a = c.graphql(&sb.graphql_url(), q, json!({"n": n}));
    assert_eq!(a.status, 200, "{}", a.json);
    let pr = &a.json["data"]["repository"]["pullRequest"];
    (
        pr["mergeable"].as_str().unwrap().to_string(),
        pr["mergeStateStatus"].as_str().unwrap().to_string(),
    )
}

/// REST mergeability fields of `GET pulls/{n}`.
fn rest_mergeable(c: &Client, n: u64) -> Value {
    let a = c.get(&format!("/repos/{FORK}/pulls/{n}"));
    assert_eq!(a.status, 200, "{}", a.json);
    json!({
        "mergeable": a.json["mergeable"], "mergeable_state": a.json["mergeable_state"],
        "rebaseable": a.json["rebaseable"], "merge_commit_sha": a.json["merge_commit_sha"],
    })
}

fn unknown() -> Value {
    json!({"mergeable": null, "mergeable_state": "unknown", "rebaseable": null, "merge_commit_sha": null})
}

#[test]
fn defaults_are_one_second_each() {
    // GitHub gives no duration for either (its GET pull description: "After giving the job
    // time to complete, resubmit the request"; pull lists: no timing recorded anywhere): a
    // second each is the sandbox's model, rough by default.
    let b = Behaviour::default();
    assert_eq!((b.mergeable_ms, b.list_lag_ms), (1000, 1000));
}

/// GitHub's OpenAPI description of `GET /repos/{owner}/{repo}/pulls/{pull_number}`: "If the
/// value is `null`, then GitHub has started a background job to compute the mergeability.
/// After giving the job time to complete, resubmit the request. When the job finishes, you
/// will see a non-`null` value"; the job starts "when you get, create, or edit a pull
/// request". Its schema makes `mergeable` and `rebaseable` nullable. GraphQL (`schema.graphql`):
/// `MergeableState.UNKNOWN`, "The mergeability of the pull request is still being
/// calculated", and `MergeStateStatus.UNKNOWN`, "The state cannot currently be determined".
#[test]
fn mergeable_is_null_until_github_has_computed_it_and_again_after_a_move() {
    let sb = start("pull_mergeable_later", slow_github(), true);
    let c = Client::for_sb(&sb);
    let ms = sb.behaviour().mergeable_ms;

    let (n, created) = open_upstream_pr(&c);
    assert_eq!(created["mergeable"], Value::Null, "the create answers null");
    assert_eq!(created["mergeable_state"], "unknown");
    assert_eq!(rest_mergeable(&c, n), unknown());
    assert_eq!(
        graphql_mergeable(&sb, &c, n),
        ("UNKNOWN".into(), "UNKNOWN".into())
    );

    sleep(Duration::from_millis(ms));
    let known = rest_mergeable(&c, n);
    assert_eq!(
        (known["mergeable"].clone(), known["mergeable_state"].clone()),
        (json!(true), json!("clean"))
    );
    assert_eq!(
        graphql_mergeable(&sb, &c, n),
        ("MERGEABLE".into(), "CLEAN".into())
    );

    // Base and head both move, now conflicting: the next read starts a new job.
    sb.make_conflict(FORK).expect("a conflict is made");
    assert_eq!(
        graphql_mergeable(&sb, &c, n),
        ("UNKNOWN".into(), "UNKNOWN".into())
    );
    assert_eq!(rest_mergeable(&c, n), unknown());
    sleep(Duration::from_millis(ms));
    let known = rest_mergeable(&c, n);
    assert_eq!(
        (known["mergeable"].clone(), known["mergeable_state"].clone()),
        (json!(false), json!("dirty"))
    );
    assert_eq!(
        graphql_mergeable(&sb, &c, n),
        ("CONFLICTING".into(), "DIRTY".into())
    );

    // A pull request from before the sandbox started (the fleet's) is known at once.
    let hot = c.get("/repos/heyns1000/hotstack/pulls?head=heyns1000:priority-sync/main");
    let old = hot.json[0]["number"].as_u64().unwrap();
    let a = c.get(&format!("/repos/heyns1000/hotstack/pulls/{old}"));
    assert_ne!(a.json["mergeable"], Value::Null, "{}", a.json);
    sb.assert_no_unexpected_routes();
}

/// GitHub's reads lag its writes: prose/prose#148 (2012) saw branch reads ~30 s behind a
/// write; vsoch/pull-request-action#86 (2022) recorded a pull list saying no PR was open for
/// a head, then the create answering 422 "already exists". No source times pull lists, so
/// the lag is a model. The 422 is GitHub's recorded answer (gm3dmo/the-power#175, 2024),
/// body for body; it names the head's owner and branch, not the base.
#[test]
fn a_new_pull_request_is_listed_late_read_at_once_and_a_second_create_is_refused() {
    let sb = start("pull_list_lag", slow_github(), true);
    let c = Client::for_sb(&sb);
    let (n, _) = open_upstream_pr(&c);
    let numbers = |path: &str| -> Vec<u64> {
        let a = c.get(&format!("/repos/{FORK}/pulls{path}"));
        assert_eq!(a.status, 200, "{}", a.json);
        a.json
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["number"].as_u64().unwrap())
            .collect()
    };
    let connection = || -> (Vec<u64>, u64) {
        let q = r#"{ repository(owner: "heyns1000", name: "data-warehouse") {
            pullRequests(first: 50, states: [OPEN]) { totalCount nodes { number } } } }"#;
        let a = c.graphql(&sb.graphql_url(), q, json!({}));
        let prs = &a.json["data"]["repository"]["pullRequests"];
        let nodes = prs["nodes"].as_array().unwrap();
        (
            nodes
                .iter()
                .map(|p| p["number"].as_u64().unwrap())
                .collect(),
            prs["totalCount"].as_u64().unwrap(),
        )
    };
    let before = connection();
    for filter in [
        "",
        "?state=open&head=omnigrid-labs:main&base=main",
        "?state=all",
        "?base=main",
    ] {
        assert!(
            !numbers(filter).contains(&n),
            "listed at once with {filter:?}"
        );
    }
    assert!(!before.0.contains(&n));
    assert_eq!(
        before.1 as usize,
        before.0.len(),
        "totalCount agrees with the nodes"
    );
    // Read by number, it is there at once (REST and GraphQL).
    assert_eq!(c.get(&format!("/repos/{FORK}/pulls/{n}")).status, 200);
    let q = r#"query($n: Int!) { repository(owner: "heyns1000", name: "data-warehouse") { pullRequest(number: $n) { number } } }"#;
    let a = c.graphql(&sb.graphql_url(), q, json!({"n": n}));
    assert_eq!(a.json["data"]["repository"]["pullRequest"]["number"], n);

    // A second create for the same head and base is refused, listed or not.
    let dup = c.post(
        &format!("/repos/{FORK}/pulls"),
        json!({"title": "again", "head": UPSTREAM_HEAD, "base": "main"}),
    );
    assert_eq!(dup.status, 422);
    assert_eq!(
        dup.json,
        json!({
            "message": "Validation Failed",
            "errors": [{"resource": "PullRequest", "code": "custom",
                        "message": "A pull request already exists for omnigrid-labs:main."}],
            "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
            "status": "422"
        })
    );

    sleep(Duration::from_millis(sb.behaviour().list_lag_ms));
    assert!(numbers("?state=open&head=omnigrid-labs:main&base=main").contains(&n));
    let after = connection();
    assert!(after.0.contains(&n));
    assert_eq!(after.1, before.1 + 1);
    sb.assert_no_unexpected_routes();
}

/// The other 422s of `POST pulls` as recorded from GitHub, with the operation's
/// `documentation_url` and `status`: nothing to merge ("No commits between main and
/// changeset-release/main", a recorded log), a head branch that does not exist (a recorded
/// prow bot answer, 2025); and a review asked of the author. The reopen of a closed PR whose head and base have another open PR
/// is not recorded anywhere found: the create's wording is assumed.
#[test]
fn the_other_pull_request_refusals_are_githubs() {
    let sb = start("pull_refusals", small(20), true);
    let c = Client::for_sb(&sb);
    let create = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";
    let none = c.post(
        "/repos/heyns1000/codenest/pulls",
        json!({"title": "x", "head": "omnigrid-labs:main", "base": "main"}),
    );
    assert_eq!(
        none.json,
        json!({"message": "Validation Failed",
               "errors": [{"resource": "PullRequest", "code": "custom",
                           "message": "No commits between main and omnigrid-labs:main"}],
               "documentation_url": create, "status": "422"})
    );
    let missing = c.post(
        &format!("/repos/{FORK}/pulls"),
        json!({"title": "x", "head": "no-such-branch", "base": "main"}),
    );
    assert_eq!(
        missing.json,
        json!({"message": "Validation Failed",
               "errors": [{"resource": "PullRequest", "field": "head", "code": "invalid"}],
               "documentation_url": create, "status": "422"})
    );

    // Close one, open another on the same head, then reopen the first.
    let (first, _) = open_upstream_pr(&c);
    let closed = c.patch(
        &format!("/repos/{FORK}/pulls/{first}"),
        json!({"state": "closed"}),
    );
    assert_eq!(closed.status, 200);
    open_upstream_pr(&c);
    let reopen = c.patch(
        &format!("/repos/{FORK}/pulls/{first}"),
        json!({"state": "open"}),
    );
    assert_eq!(reopen.status, 422);
    assert_eq!(
        reopen.json["errors"][0]["message"],
        "A pull request already exists for omnigrid-labs:main."
    );
    assert_eq!(
        reopen.json["documentation_url"],
        "https://docs.github.com/rest/pulls/pulls#update-a-pull-request"
    );
    // Asking the author to review (recorded: kerthcet/github-workflow-as-kube#16).
    let second = c.get(&format!("/repos/{FORK}/pulls/{first}")).json;
    let author = second["user"]["login"].as_str().unwrap().to_string();
    let rv = c.post(
        &format!("/repos/{FORK}/pulls/{first}/requested_reviewers"),
        json!({"reviewers": [author]}),
    );
    assert_eq!(
        rv.json,
        json!({"message": "Review cannot be requested from pull request author.",
               "documentation_url": "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request",
               "status": "422"})
    );
    let gone = c.get(&format!("/repos/{FORK}/pulls/99999"));
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.json["documentation_url"],
        "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"
    );
    sb.assert_no_unexpected_routes();
}

#[test]
fn zero_restores_an_immediate_github_and_settle_catches_up() {
    let kind = SandboxConfig {
        behaviour: Behaviour {
            mergeable_ms: 0,
            list_lag_ms: 0,
            ..Behaviour::default()
        },
        ..small(20)
    };
    let sb = start("pull_no_lag", kind, true);
    let c = Client::for_sb(&sb);
    let (n, created) = open_upstream_pr(&c);
    assert_eq!(created["mergeable"], true);
    let listed = c.get(&format!("/repos/{FORK}/pulls?head={UPSTREAM_HEAD}"));
    assert_eq!(listed.json[0]["number"], n);

    // With the lags on, `settle_pulls` is GitHub catching up without waiting.
    let sb = start("pull_settle", slow_github(), true);
    let c = Client::for_sb(&sb);
    let (n, _) = open_upstream_pr(&c);
    assert_eq!(rest_mergeable(&c, n), unknown());
    sb.settle_pulls();
    assert_eq!(rest_mergeable(&c, n)["mergeable"], true);
    let listed = c.get(&format!("/repos/{FORK}/pulls?head={UPSTREAM_HEAD}"));
    assert_eq!(listed.json[0]["number"], n);
}
