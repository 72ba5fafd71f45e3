//! Error bodies in GitHub's recent form: `{"message", "documentation_url", "status"}` with
//! `status` a string and `documentation_url` the failing operation's own page, e.g. recorded
//! 2025–2026 `{"message":"Update is not a fast forward","documentation_url":
//! "https://docs.github.com/rest/git/refs#update-a-reference","status":"422"}` and
//! `{"message":"Resource not accessible by personal access token","documentation_url":
//! "https://docs.github.com/rest/git/refs#update-a-reference","status":"403"}` (issue-12
//! evidence, "Error-body format over time"; older recordings such as octokit/fixtures
//! `errors` have no `status` and `/rest/reference/…` links). A path GitHub has no route for
//! keeps the generic `https://docs.github.com/rest`.

mod common;

use common::{small, start, Client};
use serde_json::json;

#[test]
fn errors_name_their_operation() {
    let sb = start("error_bodies", small(12), false);
    let c = Client::for_sb(&sb);
    // Not a fast-forward: buildnest has its own commits.
    let up = sb.branch_sha("omnigrid-labs/buildnest", "main").unwrap();
    let r = c.patch(
        "/repos/heyns1000/buildnest/git/refs/heads/main",
        json!({"sha": up, "force": false}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json,
        json!({"message": "Update is not a fast forward",
               "documentation_url": "https://docs.github.com/rest/git/refs#update-a-reference",
               "status": "422"})
    );
    // A read-only token on the same write: 403 with the operation's page.
    let ro = c.with_token(&sb.token_named("read-only").unwrap());
    let r = ro.patch(
        "/repos/heyns1000/omnigrid/git/refs/heads/main",
        json!({"sha": up, "force": false}),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json["documentation_url"],
        "https://docs.github.com/rest/git/refs#update-a-reference"
    );
    assert_eq!(r.json["status"], "403");
    // 404 for a missing repository names the operation asked.
    let r = c.get("/repos/heyns1000/zoho");
    assert_eq!(
        r.json,
        json!({"message": "Not Found",
               "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository",
               "status": "404"})
    );
    let r = c.get("/repos/heyns1000/zoho/labels");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json["documentation_url"],
        "https://docs.github.com/rest/issues/labels#list-labels-for-a-repository"
    );
    // Validation errors keep their `errors` list.
    let r = c.post(
        "/repos/heyns1000/omnigrid/labels",
        json!({"name": "x", "color": "invalid"}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json["documentation_url"],
        "https://docs.github.com/rest/issues/labels#create-a-label"
    );
    assert!(r.json["errors"].is_array());
    sb.assert_no_unexpected_routes();
}
