//! GraphQL over plain HTTP: the batched metadata query with variables, aliases, named and
//! inline fragments, partial NOT_FOUND / FORBIDDEN errors per alias, rate-limit cost and
//! RATE_LIMIT exhaustion, and unsupported fields failing loudly.

mod common;

use common::{small, start, Client};
use serde_json::json;

const QUERY: &str = r#"query Fleet($owner: String!, $first: Int = 10) {
  rateLimit { cost limit remaining used resetAt nodeCount }
  r0: repository(owner: $owner, name: "omnigrid") { ...Meta }
  r1: repository(owner: $owner, name: "zoho") { ...Meta }
  r2: repository(owner: $owner, name: "hotstack") { ...Meta }
  hub: repository(owner: "heyns1000", name: "codenest") {
    object(expression: "HEAD:hub/connected.json") { __typename ... on Blob { text } }
    root: object(expression: "main:") { ... on Tree { entries { name path type } } }
  }
}
fragment Meta on Repository {
  __typename id name nameWithOwner owner { login } isArchived isFork isPrivate pushedAt url
  defaultBranchRef { name target { oid ... on Commit { committedDate } } }
  parent { nameWithOwner isArchived defaultBranchRef { name target { oid } } }
  ref(qualifiedName: "refs/heads/main") { name target { oid } }
  workflows: object(expression: "HEAD:.github/workflows") { ... on Tree { entries { name path type } } }
  pullRequests(states: [OPEN], first: $first) {
    totalCount
    nodes { number url title headRefName baseRefName headRefOid state author { login } labels(first: 10) { nodes { name } } }
  }
  vulnerabilityAlerts(states: [OPEN], first: 1) { totalCount }
  repositoryTopics(first: 5) { nodes { topic { name } } }
}"#;

#[test]
fn batched_query_with_partial_errors() {
    let sb = start("graphql_batched", small(20), true);
    let c = Client::for_sb(&sb);
    let r = c.graphql(&sb.graphql_url(), QUERY, json!({"owner": "heyns1000"}));
    assert_eq!(r.status, 200);
    let d = &r.json["data"];
    assert_eq!(d["r0"]["__typename"], "Repository");
    assert_eq!(d["r0"]["nameWithOwner"], "heyns1000/omnigrid");
    assert_eq!(d["r0"]["isFork"], true);
    assert_eq!(d["r0"]["parent"]["nameWithOwner"], "omnigrid-labs/omnigrid");
    assert_eq!(
        d["r0"]["defaultBranchRef"]["target"]["oid"],
        sb.branch_sha("heyns1000/omnigrid", "main").unwrap()
    );
    assert!(d["r0"]["defaultBranchRef"]["target"]["committedDate"].is_string());
    assert_eq!(
        d["r0"]["workflows"]["entries"][0]["path"],
        ".github/workflows/ci.yml"
    );
    assert!(d["r1"].is_null(), "missing repo is null");
    let errors = r.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["type"], "NOT_FOUND");
    assert_eq!(errors[0]["path"], json!(["r1"]));
    assert_eq!(
        errors[0]["message"],
        "Could not resolve to a Repository with the name 'heyns1000/zoho'."
    );
    assert_eq!(errors[0]["locations"][0]["line"], 4);
    // the existing sync PR is visible with its labels
    let prs = d["r2"]["pullRequests"]["nodes"].as_array().unwrap();
    assert!(prs.iter().any(|p| p["headRefName"] == "priority-sync/main"
        && p["labels"]["nodes"][0]["name"] == "priority-sync"));
    assert_eq!(d["r2"]["pullRequests"]["totalCount"], 2);
    let hub: Vec<String> =
        serde_json::from_str(d["hub"]["object"]["text"].as_str().unwrap()).unwrap();
    assert!(hub.contains(&"heyns1000/omnigrid".to_string()));
    assert_eq!(d["hub"]["object"]["__typename"], "Blob");
    assert!(d["hub"]["root"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["name"] == "hub" && e["type"] == "tree"));
    // cost: 3 repos × (pullRequests + its labels×10 + alerts + topics) requests
    assert_eq!(d["rateLimit"]["cost"], 1);
    assert!(d["rateLimit"]["nodeCount"].as_u64().unwrap() > 300);
    assert!(r.header("x-ratelimit-resource") == Some("graphql"));
    sb.assert_no_unexpected_routes();
}

#[test]
fn forbidden_alerts_keep_the_rest_of_the_data() {
    let sb = start("graphql_forbidden", small(15), true);
    let c = Client::for_sb(&sb).with_token(&sb.token_named("no-dependabot").unwrap());
    let r = c.graphql(
        &sb.graphql_url(),
        QUERY,
        json!({"owner": "heyns1000", "first": 5}),
    );
    let d = &r.json["data"];
    assert!(d["r0"]["vulnerabilityAlerts"].is_null());
    assert_eq!(d["r0"]["name"], "omnigrid");
    let errors = r.json["errors"].as_array().unwrap();
    let forbidden: Vec<_> = errors.iter().filter(|e| e["type"] == "FORBIDDEN").collect();
    assert_eq!(forbidden.len(), 2, "r0 and r2");
    assert_eq!(forbidden[0]["path"], json!(["r0", "vulnerabilityAlerts"]));
    assert_eq!(
        forbidden[0]["message"],
        "Resource not accessible by personal access token"
    );
    sb.assert_no_unexpected_routes();
}

#[test]
fn inline_fragments_aliases_typename_and_pagination() {
    let sb = start("graphql_fragments", small(15), true);
    let c = Client::for_sb(&sb);
    let q = r#"query($n: String!) {
      a: repository(owner: "heyns1000", name: $n) {
        owner { __typename ... on User { login } ... on Organization { login } }
        first: pullRequests(first: 1, states: [OPEN]) { totalCount pageInfo { hasNextPage endCursor } nodes { number } }
        head: ref(qualifiedName: "main") { target { __typename ... on Commit { oid messageHeadline } } }
        nope: ref(qualifiedName: "refs/heads/nope") { name }
      }
      b: repository(owner: "Fruitful-Global-Planet", name: "FruitfulPlanetChange") { owner { __typename login } isFork }
    }"#;
    let r = c.graphql(&sb.graphql_url(), q, json!({"n": "hotstack"}));
    let d = &r.json["data"];
    assert!(r.json.get("errors").is_none(), "{}", r.json);
    assert_eq!(d["a"]["owner"]["__typename"], "User");
    assert_eq!(d["a"]["owner"]["login"], "heyns1000");
    assert_eq!(d["b"]["owner"]["__typename"], "Organization");
    assert_eq!(d["a"]["first"]["totalCount"], 2);
    assert_eq!(d["a"]["first"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(d["a"]["head"]["target"]["__typename"], "Commit");
    assert!(d["a"]["nope"].is_null());
    let cursor = d["a"]["first"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_string();
    let q2 = r#"query($after: String) { repository(owner: "heyns1000", name: "hotstack") { pullRequests(first: 1, after: $after, states: [OPEN]) { pageInfo { hasNextPage } nodes { number } } } }"#;
    let r2 = c.graphql(&sb.graphql_url(), q2, json!({"after": cursor}));
    let n1 = d["a"]["first"]["nodes"][0]["number"].clone();
    let n2 = r2.json["data"]["repository"]["pullRequests"]["nodes"][0]["number"].clone();
    assert_ne!(n1, n2);
    assert_eq!(
        r2.json["data"]["repository"]["pullRequests"]["pageInfo"]["hasNextPage"],
        false
    );
    sb.assert_no_unexpected_routes();
}

#[test]
fn unsupported_fields_fail_loudly_and_exhaustion_is_rate_limited() {
    let sb = start("graphql_limits", small(15), true);
    let c = Client::for_sb(&sb);
    let r = c.graphql(&sb.graphql_url(), "{ repository(owner: \"heyns1000\", name: \"omnigrid\") { stargazerCount watchers { totalCount } } }", json!({}));
    assert!(r.json.get("data").is_none());
    assert_eq!(r.json["errors"][0]["extensions"]["code"], "undefinedField");
    assert_eq!(
        sb.unexpected_routes(),
        vec!["POST /graphql field Repository.watchers".to_string()]
    );
    sb.clear_log();
    sb.set_rate_used(&sb.token(), "graphql", 5000);
    let r = c.graphql(&sb.graphql_url(), "{ rateLimit { remaining } }", json!({}));
    assert_eq!(r.status, 200);
    // GitHub's current form (recorded 2026: yanyongyu/githubkit#271,
    // octokit/plugin-throttling.js#824); the old `RATE_LIMITED` is a behaviour setting.
    assert_eq!(r.json["errors"][0]["type"], "RATE_LIMIT");
    assert_eq!(r.json["errors"][0]["code"], "graphql_rate_limit");
    assert!(r.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("API rate limit already exceeded for user ID "));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(sb.counters().rate_limited, 1);
    // Clearing the log kept the unsupported field; nothing was added since.
    assert_eq!(
        sb.unexpected_routes(),
        vec!["POST /graphql field Repository.watchers".to_string()]
    );
}

#[test]
fn viewer_permission_is_the_users_role() {
    let sb = start("viewer_permission", small(12), false);
    let c = Client::for_sb(&sb);
    let q = "query { fork: repository(owner: \"heyns1000\", name: \"omnigrid\") { viewerPermission } up: repository(owner: \"omnigrid-labs\", name: \"omnigrid\") { viewerPermission } }";
    // schema.graphql: "The users permission level on the repository": the fleet is the
    // user's (ADMIN), a public upstream is only readable (READ).
    let a = c.graphql(&sb.graphql_url(), q, json!({}));
    assert_eq!(a.json["data"]["fork"]["viewerPermission"], "ADMIN");
    assert_eq!(a.json["data"]["up"]["viewerPermission"], "READ");
    // A repository where the user was given read access only: reported, and its writes refused.
    assert!(sb.set_viewer_permission("heyns1000/omnigrid", Some("READ")));
    let a = c.graphql(&sb.graphql_url(), q, json!({}));
    assert_eq!(a.json["data"]["fork"]["viewerPermission"], "READ");
    let sha = sb.branch_sha("heyns1000/omnigrid", "main").unwrap();
    let refused = c.post(
        "/repos/heyns1000/omnigrid/git/refs",
        json!({"ref": "refs/heads/x", "sha": sha}),
    );
    assert_eq!(refused.status, 403, "{}", refused.json);
    assert!(sb.set_viewer_permission("heyns1000/omnigrid", None));
    let made = c.post(
        "/repos/heyns1000/omnigrid/git/refs",
        json!({"ref": "refs/heads/x", "sha": sha}),
    );
    assert_eq!(made.status, 201, "{}", made.json);
}
