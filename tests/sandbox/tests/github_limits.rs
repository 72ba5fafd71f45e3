//! GitHub's limits the sandbox enforces by default (`Behaviour`), each against the source that
//! describes it: the REST secondary limits per endpoint (900 points a minute) and on content
//! creation (500 an hour), and GraphQL's query limits (500,000 nodes, `first`/`last`,
//! connections without bounds, `Commit.history` in `nodeCount`), its timeout and its
//! rate-limit answer. The REST refusals are statuses GitHub's description does not list, so
//! those tests log "off-description".

mod common;

use std::time::{Duration, Instant};

use common::{small, start, Client};
use github_sandbox::{Behaviour, SandboxConfig};
use serde_json::{json, Value};

fn with(behaviour: Behaviour) -> SandboxConfig {
    SandboxConfig {
        behaviour,
        ..small(12)
    }
}

/// GitHub's documentation, "Rate limits for the REST API", secondary rate limits: "Make too
/// many requests to a single endpoint per minute. No more than 900 points per minute are
/// allowed for REST API endpoints", a GET being 1 point. The refusal is the general
/// secondary-limit message (recorded, github-changelog-generator#993) with `retry-after`,
/// and keeps the primary window's headers: remaining is not 0 (recorded, nf-core/tools#970).
#[test]
fn a_rest_endpoint_takes_900_points_a_minute() {
    let sb = start("endpoint_points", small(12), false);
    assert_eq!(sb.behaviour().endpoint_points_per_minute, 900);
    let c = Client::for_sb(&sb);
    let repo = sb.repository();
    for i in 0..900 {
        let r = c.get(&format!("/repos/{repo}/git/ref/heads/main?i={i}"));
        assert_eq!(r.status, 200, "request {i}: {}", r.json);
    }
    // Another repository, same endpoint (method and route template): refused.
    let r = c.get("/repos/heyns1000/omnigrid/git/ref/heads/main");
    assert_eq!(r.status, 403, "{}", r.json);
    let msg = r.json["message"].as_str().unwrap();
    assert!(
        msg.starts_with("You have exceeded a secondary rate limit. Please wait a few minutes before you try again."),
        "{msg}"
    );
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let remaining: u64 = r.header("x-ratelimit-remaining").unwrap().parse().unwrap();
    assert!(
        remaining > 0,
        "a secondary limit leaves the primary window alone"
    );
    assert_eq!(sb.counters().secondary_limited, 1);
    // Another endpoint, and another token, are their own windows.
    assert_eq!(c.get(&format!("/repos/{repo}")).status, 200);
    let other = c.with_token(&sb.token_named("read-only").unwrap());
    assert_eq!(
        other
            .get(&format!("/repos/{repo}/git/ref/heads/main"))
            .status,
        200
    );
}

/// Same page: "Most REST API POST, PATCH, PUT, or DELETE requests" are 5 points. With 10
/// points a minute, two writes fit and the third is refused.
#[test]
fn a_write_is_5_points() {
    let sb = start(
        "endpoint_points_writes",
        with(Behaviour {
            endpoint_points_per_minute: 10,
            ..Behaviour::default()
        }),
        false,
    );
    let c = Client::for_sb(&sb);
    let repo = sb.repository();
    for i in 0..2 {
        let r = c.post(
            &format!("/repos/{repo}/git/blobs"),
            json!({"content": format!("blob {i}")}),
        );
        assert_eq!(r.status, 201);
    }
    let r = c.post(&format!("/repos/{repo}/git/blobs"), json!({"content": "x"}));
    assert_eq!(r.status, 403);
    assert!(r.header("retry-after").is_some());
    // Ten GETs of another endpoint still fit its own 10 points.
    for _ in 0..10 {
        assert_eq!(c.get(&format!("/repos/{repo}")).status, 200);
    }
}

/// Same page: "Generally, no more than 80 content-generating requests per minute and no
/// more than 500 content-generating requests per hour are allowed." Past the hourly one:
/// 403 with GitHub's content-creation message (recorded: peter-evans/create-pull-request#855),
/// without `retry-after` by default (hivecommons/hive#4674: GitHub does not reliably send
/// it), with it when `content_per_hour_retry_after` is set.
#[test]
fn content_creation_is_500_an_hour() {
    // 500 writes to one endpoint are 2,500 points and 80 a minute is less than 500: those
    // limits would refuse first, so this test sets them aside to reach the hourly one.
    let cfg = SandboxConfig {
        content_limit_per_minute: 100_000,
        ..with(Behaviour {
            endpoint_points_per_minute: 0,
            ..Behaviour::default()
        })
    };
    let sb = start("content_per_hour", cfg, false);
    assert_eq!(sb.behaviour().content_per_hour, 500);
    let c = Client::for_sb(&sb);
    let repo = sb.repository();
    for i in 0..500 {
        let r = c.post(
            &format!("/repos/{repo}/git/blobs"),
            json!({"content": format!("blob {i}")}),
        );
        assert_eq!(r.status, 201, "request {i}");
    }
    let r = c.post(
        &format!("/repos/{repo}/git/blobs"),
        json!({"content": "501"}),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json["message"],
        "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later."
    );
    assert_eq!(r.header("retry-after"), None);
    assert_ne!(r.header("x-ratelimit-remaining"), Some("0"));
    // Reads go on.
    assert_eq!(c.get(&format!("/repos/{repo}")).status, 200);

    let cfg = SandboxConfig {
        content_limit_per_minute: 100_000,
        ..with(Behaviour {
            content_per_hour: 2,
            content_per_hour_retry_after: true,
            ..Behaviour::default()
        })
    };
    let sb = start("content_per_hour_retry_after", cfg, false);
    let c = Client::for_sb(&sb);
    let repo = sb.repository();
    for _ in 0..2 {
        assert_eq!(
            c.post(&format!("/repos/{repo}/git/blobs"), json!({"content": "x"}))
                .status,
            201
        );
    }
    let r = c.post(&format!("/repos/{repo}/git/blobs"), json!({"content": "y"}));
    assert_eq!(r.status, 403);
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((3500..=3600).contains(&wait), "{wait}");
}

fn rate_used(a: &common::Answer) -> u64 {
    a.header("x-ratelimit-used").unwrap().parse().unwrap()
}

/// GitHub's documentation, "Rate limits and query limits for the GraphQL API", node limit:
/// no more than 500,000 nodes in one call, counted as each connection's `first` times its
/// parents. Refused before it runs, with no `data` and the count worded with separators
/// (recorded: pyvec/python.cz#250), and not charged.
#[test]
fn graphql_refuses_documents_over_500000_nodes() {
    let sb = start("graphql_node_limit", small(12), true);
    assert_eq!(sb.behaviour().graphql_node_limit, 500_000);
    let c = Client::for_sb(&sb);
    // 50 × (100 pull requests + 100 × 100 labels) = 505,000 nodes.
    let aliases: String = (0..50)
        .map(|i| format!("r{i}: repository(owner: \"heyns1000\", name: \"omnigrid\") {{ pullRequests(first: 100) {{ nodes {{ labels(first: 100) {{ nodes {{ name }} }} }} }} }}\n"))
        .collect();
    let before = rate_used(&c.graphql(&sb.graphql_url(), "{ rateLimit { used } }", json!({})));
    let r = c.graphql(&sb.graphql_url(), &format!("{{ {aliases} }}"), json!({}));
    assert_eq!(r.status, 200);
    assert!(r.json.get("data").is_none(), "{}", r.json);
    assert_eq!(
        r.json["errors"],
        json!([{"type": "MAX_NODE_LIMIT_EXCEEDED", "message": "This query requests up to 505,000 possible nodes which exceeds the maximum limit of 500,000."}])
    );
    let after = rate_used(&c.graphql(&sb.graphql_url(), "{ rateLimit { used } }", json!({})));
    assert_eq!(after, before + 1, "only the rateLimit query was charged");
}

/// Same page: the node count takes every connection's `first`, `Commit.history` too, also
/// where it is selected through a fragment on `GitObject` (as priority-sync's ancestry query
/// does); a connection asked only for `totalCount` adds no node.
#[test]
fn commit_history_counts_in_node_count() {
    let sb = start("graphql_history_nodes", small(12), true);
    let c = Client::for_sb(&sb);
    let q = r#"query {
      rateLimit { nodeCount cost }
      a: repository(owner: "heyns1000", name: "hotstack") {
        object(expression: "HEAD") { ...Hist }
        pullRequests(states: OPEN) { totalCount }
        repositoryTopics(first: 3) { totalCount }
      }
      b: repository(owner: "heyns1000", name: "hotstack") {
        object(expression: "HEAD") { ... on Commit { history(first: 1) { totalCount } } }
      }
    }
    fragment Hist on GitObject { ... on Commit { history(first: 30) { totalCount nodes { oid } } } }"#;
    let r = c.graphql(&sb.graphql_url(), q, json!({}));
    assert!(r.json.get("errors").is_none(), "{}", r.json);
    assert_eq!(r.json["data"]["rateLimit"]["nodeCount"], 30 + 3 + 1);
    let history = &r.json["data"]["a"]["object"]["history"];
    let total = history["totalCount"].as_u64().unwrap() as usize;
    assert_eq!(history["nodes"].as_array().unwrap().len(), total.min(30));
}

/// Same page: "Clients must supply a first or last argument on any connection." A
/// connection listing `nodes` or `edges` without one is refused (`MISSING_PAGINATION_BOUNDARIES`,
/// with its path: a 2026 live-suite note; the wording from an earlier recorded answer in an
/// elm-graphql parser test), before anything runs; one asked only for `totalCount` stays
/// allowed, as on GitHub.
#[test]
fn connections_listing_items_need_first_or_last() {
    let sb = start("graphql_missing_bounds", small(12), true);
    let c = Client::for_sb(&sb);
    let q = r#"{ repository(owner: "heyns1000", name: "omnigrid") { name
        repositoryTopics { nodes { topic { name } } }
        pullRequests(states: OPEN) { totalCount } } }"#;
    let r = c.graphql(&sb.graphql_url(), q, json!({}));
    assert_eq!(r.status, 200);
    assert_eq!(r.json["data"], Value::Null);
    let errors = r.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{}", r.json);
    assert_eq!(errors[0]["type"], "MISSING_PAGINATION_BOUNDARIES");
    assert_eq!(errors[0]["path"], json!(["repository", "repositoryTopics"]));
    assert_eq!(
        errors[0]["message"],
        "You must provide a `first` or `last` value to properly paginate the `repositoryTopics` connection."
    );
    // totalCount only: allowed.
    let q = r#"{ repository(owner: "heyns1000", name: "omnigrid") { pullRequests(states: OPEN) { totalCount } } }"#;
    let r = c.graphql(&sb.graphql_url(), q, json!({}));
    assert!(r.json.get("errors").is_none(), "{}", r.json);
    // Off: listed without bounds (an empty page, as before).
    let sb = start(
        "graphql_missing_bounds_off",
        with(Behaviour {
            graphql_pagination_bounds: false,
            ..Behaviour::default()
        }),
        true,
    );
    let c = Client::for_sb(&sb);
    let q = r#"{ repository(owner: "heyns1000", name: "omnigrid") { repositoryTopics { nodes { topic { name } } } } }"#;
    let r = c.graphql(&sb.graphql_url(), q, json!({}));
    assert!(r.json.get("errors").is_none(), "{}", r.json);
}

/// Same page: `first` and `last` must be within 1-100 (GitHub takes 0 too); more is
/// `EXCESSIVE_PAGINATION` with partial data and the connection's `path` (recorded answer: the connection's parent is
/// null). The connection fields are non-null in GitHub's schema (`RepositoryTopicConnection!`,
/// `CommitHistoryConnection!`), so by the GraphQL specification ("Handling Field Errors") the
/// null goes up to the nearest nullable field: the repository, or the commit's `object`.
#[test]
fn excessive_pagination_nulls_the_nearest_nullable_parent() {
    let sb = start("graphql_excessive_pagination", small(12), true);
    let c = Client::for_sb(&sb);
    let q = r#"{
      a: repository(owner: "heyns1000", name: "omnigrid") { name repositoryTopics(first: 101) { totalCount } }
      b: repository(owner: "heyns1000", name: "hotstack") { name
           object(expression: "HEAD") { ... on Commit { oid history(last: 101) { totalCount } } } }
      c: repository(owner: "heyns1000", name: "omnigrid") { name }
      d: repository(owner: "heyns1000", name: "omnigrid") { topics: repositoryTopics(first: 0) { totalCount } }
      e: repository(owner: "heyns1000", name: "omnigrid") { repositoryTopics(last: -1) { totalCount } }
    }"#;
    let r = c.graphql(&sb.graphql_url(), q, json!({}));
    assert_eq!(r.status, 200);
    let d = &r.json["data"];
    assert_eq!(d["a"], Value::Null, "{}", r.json);
    assert_eq!(d["b"]["name"], "hotstack");
    assert_eq!(d["b"]["object"], Value::Null);
    assert_eq!(d["c"]["name"], "omnigrid");
    // 0 is an empty page; a negative value is refused (recorded, GitHub's answer pasted in
    // sourcegraph/sourcegraph-public-snapshot#3329).
    assert!(d["d"]["topics"]["totalCount"].is_number());
    assert_eq!(d["e"], Value::Null);
    let errors = r.json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "one error each, where it happened");
    assert_eq!(errors[2]["type"], "INVALID_PAGINATION");
    assert_eq!(errors[2]["path"], json!(["e", "repositoryTopics"]));
    assert_eq!(
        errors[2]["message"],
        "`last` on the connection cannot be less than zero."
    );
    assert_eq!(errors[0]["type"], "EXCESSIVE_PAGINATION");
    assert_eq!(errors[0]["path"], json!(["a", "repositoryTopics"]));
    assert_eq!(
        errors[0]["message"],
        "Requesting 101 records on the `repositoryTopics` connection exceeds the `first` limit of 100 records."
    );
    assert_eq!(errors[1]["path"], json!(["b", "object", "history"]));
}

/// GitHub's documentation, same page, Timeouts: past 10 seconds GitHub terminates the
/// request with "We couldn't respond to your request in time" (502 or 504; the body as the
/// GitHub CLI printed it in 2026, with 504); GitHub changelog 2025-07-21: timeouts count
/// against the primary rate limit. The sandbox's time is a model of the document
/// (`nodes × 900 µs + requests × 10 ms` by default): 120 commit histories of 100 take
/// 10.8 s + 1.2 s.
#[test]
fn documents_past_the_time_budget_time_out_and_still_cost_points() {
    // The answer comes after GitHub's 10 s by default; this test only needs its shape.
    let fast = Behaviour {
        graphql_timeout_answer_ms: 50,
        ..Behaviour::default()
    };
    let sb = start("graphql_timeout", with(fast.clone()), true);
    assert_eq!(sb.behaviour().graphql_timeout_ms, 10_000);
    let c = Client::for_sb(&sb);
    let histories = |n: usize| -> String {
        let aliases: String = (0..n)
            .map(|i| format!("h{i}: repository(owner: \"heyns1000\", name: \"hotstack\") {{ object(expression: \"HEAD\") {{ ... on Commit {{ history(first: 100) {{ nodes {{ oid }} }} }} }} }}\n"))
            .collect();
        format!("{{ {aliases} }}")
    };
    // 50 histories: 4.5 s + 0.5 s, answered.
    let r = c.graphql(&sb.graphql_url(), &histories(50), json!({}));
    assert_eq!(r.status, 200);
    assert!(r.json.get("errors").is_none());
    let used = rate_used(&r);
    let t0 = Instant::now();
    let r = c.graphql(&sb.graphql_url(), &histories(120), json!({}));
    assert!(t0.elapsed() >= Duration::from_millis(50));
    assert_eq!(r.status, 504);
    assert_eq!(
        r.json,
        json!({"message": "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."})
    );
    assert_eq!(r.header("x-ratelimit-resource"), Some("graphql"));
    assert_eq!(rate_used(&r), used + 1, "the timeout cost its point");
    assert_eq!(sb.counters().graphql_timeouts, 1);

    // GitHub before 2025-07-21, with 502: nothing charged.
    let sb = start(
        "graphql_timeout_free",
        with(Behaviour {
            graphql_timeout_status: 502,
            graphql_timeouts_charged: false,
            ..fast
        }),
        true,
    );
    let c = Client::for_sb(&sb);
    let r = c.graphql(&sb.graphql_url(), &histories(120), json!({}));
    assert_eq!(r.status, 502);
    assert_eq!(rate_used(&r), 0);
}

/// GitHub's GraphQL rate-limit answer: HTTP 200 with `"type": "RATE_LIMIT", "code":
/// "graphql_rate_limit"` (recorded 2026: yanyongyu/githubkit#271,
/// octokit/plugin-throttling.js#824); the 2021 form `"type": "RATE_LIMITED"` is a setting.
/// `x-ratelimit-remaining` is what is left, which can be more than 0 when the query costs
/// more (recorded: release-drafter/release-drafter#1018, remaining 4).
#[test]
fn graphql_rate_limit_answers_in_the_current_form_or_the_old_one() {
    let q = "{ a: repository(owner: \"heyns1000\", name: \"omnigrid\") { pullRequests(first: 100) { totalCount } } }";
    let costly: String = (0..150)
        .map(|i| format!("r{i}: repository(owner: \"heyns1000\", name: \"omnigrid\") {{ pullRequests(first: 1) {{ totalCount }} }}\n"))
        .collect();
    let costly = format!("{{ {costly} }}");
    for (legacy, ty, message) in [
        (
            false,
            "RATE_LIMIT",
            "API rate limit already exceeded for user ID ",
        ),
        (true, "RATE_LIMITED", "API rate limit exceeded for user ID "),
    ] {
        let sb = start(
            if legacy {
                "graphql_rate_limit_legacy"
            } else {
                "graphql_rate_limit_current"
            },
            with(Behaviour {
                graphql_rate_limit_legacy: legacy,
                ..Behaviour::default()
            }),
            true,
        );
        let c = Client::for_sb(&sb);
        sb.set_rate_used(&sb.token(), "graphql", 4999);
        // 150 connections cost 2 points; 1 is left.
        let r = c.graphql(&sb.graphql_url(), &costly, json!({}));
        assert_eq!(r.status, 200);
        assert_eq!(r.json["errors"][0]["type"], ty);
        assert_eq!(r.json["errors"][0].get("code").is_some(), !legacy);
        assert!(r.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with(message));
        assert_eq!(r.header("x-ratelimit-remaining"), Some("1"));
        // A one-point query still fits.
        assert_eq!(c.graphql(&sb.graphql_url(), q, json!({})).status, 200);
    }
}
