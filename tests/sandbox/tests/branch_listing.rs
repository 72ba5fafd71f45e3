//! Branches listed by part of their name, as GitHub serves them: `Repository.refs(refPrefix:
//! "refs/heads/", query:)` keeps the branches whose names hold `query` anywhere, not those
//! matching a pattern (schema.graphql: "Filters refs with query on name"; a real answer in
//! osowskit/atlassian-github-app-addon#72: asking `SENG-25` also answered `SENG-251` and
//! `SENG-2523`), with their `totalCount`, by name.

mod common;

use common::{small, start, Client};
use serde_json::json;

const UPSTREAM: &str = "omnigrid-labs/omnigrid";

const BRANCHES: &str = r#"query Branches($o: String!, $n: String!, $q: String) {
  repository(owner: $o, name: $n) {
    listed: refs(refPrefix: "refs/heads/", query: $q, first: 100) {
      totalCount
      nodes { name target { oid } }
    }
  }
}"#;

#[test]
fn a_query_keeps_the_branches_whose_names_hold_it() {
    let sb = start("branch_listing", small(20), true);
    let c = Client::for_sb(&sb);
    let head = sb.branch_sha(UPSTREAM, "main").unwrap();
    for b in ["release/1.0", "release/2.0", "old-release/0.9", "feature/x"] {
        assert!(sb.create_branch(UPSTREAM, b, &head), "{b}");
    }
    let (o, n) = UPSTREAM.split_once('/').unwrap();
    let names = |q: serde_json::Value| {
        let r = c.graphql(&sb.graphql_url(), BRANCHES, json!({"o": o, "n": n, "q": q}));
        assert_eq!(r.status, 200, "{}", r.json);
        let listed = &r.json["data"]["repository"]["listed"];
        let names: Vec<String> = listed["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(listed["totalCount"], names.len(), "{listed}");
        names
    };
    // Part of the name, anywhere in it: the caller matches its own pattern on the answer.
    assert_eq!(
        names(json!("release/")),
        ["old-release/0.9", "release/1.0", "release/2.0"]
    );
    assert_eq!(names(json!("2.0")), ["release/2.0"]);
    assert!(names(json!("nothing")).is_empty());
    // Without a query: every branch, default included, by name.
    let all = names(serde_json::Value::Null);
    assert!(
        all.contains(&"main".to_string()) && all.len() >= 5,
        "{all:?}"
    );
    sb.assert_no_unexpected_routes();
}
