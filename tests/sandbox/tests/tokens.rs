//! The permission shapes GitHub reports about a token, which `priority-sync check` reads without
//! writing anything: a classic token's scopes (`x-oauth-scopes`, empty for a classic token with
//! no scope), a token's expiry (`github-authentication-token-expiration`), a fine-grained token
//! (no scopes header at all), a workflow's `GITHUB_TOKEN` (writes only its own repository, no
//! Dependabot alerts, 1,000 requests an hour), and a repository's "Allow auto-merge" setting
//! (GraphQL `autoMergeAllowed`, off by default).

mod common;

use common::{small, start, Client};
use github_sandbox::fleet::AUDIT_REPO;
use github_sandbox::TokenSpec;
use serde_json::json;

fn named(sb: &github_sandbox::Sandbox, name: &str) -> Client {
    Client::new(&sb.api_url(), &sb.token_named(name).expect(name))
}

/// Classic tokens carry their scopes in `x-oauth-scopes` on every answer ("Scopes for OAuth
/// apps": "X-OAuth-Scopes lists the scopes your token has authorized"); a classic token made
/// with no scope gets the header empty. Fine-grained tokens get no such header (their
/// permissions are not reported by the API).
#[test]
fn scopes_are_reported_for_classic_tokens_only() {
    let sb = start("tokens_scopes", small(12), true);
    let scopes = |name: &str| {
        let a = named(&sb, name).get("/rate_limit");
        assert_eq!(a.status, 200, "{name}: {}", a.json);
        a.header("x-oauth-scopes").map(str::to_string)
    };
    assert_eq!(
        scopes("full").as_deref(),
        Some("repo, workflow, security_events")
    );
    assert_eq!(
        scopes("no-workflow").as_deref(),
        Some("repo, security_events")
    );
    assert_eq!(scopes("read-only-classic").as_deref(), Some(""));
    assert_eq!(
        scopes("no-dependabot"),
        None,
        "fine-grained: no scopes header"
    );
    assert_eq!(
        scopes("workflow-token"),
        None,
        "an installation token has none"
    );
    // A classic token without `repo` may read a public repository, not write it.
    let c = named(&sb, "read-only-classic");
    assert_eq!(c.get("/repos/heyns1000/omnigrid").status, 200);
    let sha = sb.branch_sha("heyns1000/omnigrid", "main").unwrap();
    let refused = c.post(
        "/repos/heyns1000/omnigrid/git/refs",
        json!({"ref": "refs/heads/x", "sha": sha}),
    );
    assert_eq!(refused.status, 403, "{}", refused.json);
}

/// A personal access token made with an expiration says when in every answer's
/// `github-authentication-token-expiration`, as `YYYY-MM-DD HH:MM:SS UTC` (recorded answers:
/// osunyorg/admin#418 "2022-08-14 08:15:54 UTC" for a `ghp_` token, github/gh-aw#20097; GitHub
/// changelog 2021-07-26 "Expiration options for personal access tokens"). A token without one
/// gets no such header.
#[test]
fn an_expiring_token_says_when_it_expires() {
    let sb = start("tokens_expiry", small(12), true);
    let before = github_sandbox::util::wall_now();
    let a = named(&sb, "expiring").get("/rate_limit");
    assert_eq!(a.status, 200);
    let header = a
        .header("github-authentication-token-expiration")
        .expect("the header")
        .to_string();
    assert!(header.ends_with(" UTC"), "{header}");
    let iso = format!("{}Z", header.trim_end_matches(" UTC").replacen(' ', "T", 1));
    let at = github_sandbox::util::parse_rfc3339(&iso).expect(&header);
    let days = (at - before) as f64 / 86_400.0;
    assert!((6.9..=7.1).contains(&days), "{header}: {days} days");
    // GraphQL answers carry it too.
    let g = named(&sb, "expiring").graphql(
        &sb.graphql_url(),
        "query { rateLimit { limit } }",
        json!({}),
    );
    assert_eq!(
        g.header("github-authentication-token-expiration"),
        Some(header.as_str())
    );
    for name in ["full", "no-dependabot", "workflow-token"] {
        let a = named(&sb, name).get("/rate_limit");
        assert_eq!(
            a.header("github-authentication-token-expiration"),
            None,
            "{name}"
        );
    }
}

/// A workflow's `GITHUB_TOKEN` writes only to the workflow's repository ("The GITHUB_TOKEN's
/// permissions are limited to the repository that contains your workflow"): elsewhere a write
/// answers GitHub's 403 for an integration, though public repositories stay readable. It reads
/// no Dependabot alerts (GraphQL `FORBIDDEN` per alias), has no user (`viewerPermission` null,
/// "null if authenticated as a GitHub App"), and 1,000 requests an hour.
#[test]
fn a_workflow_token_writes_only_its_own_repository() {
    let sb = start("tokens_workflow", small(12), false);
    let c = named(&sb, "workflow-token");
    let a = c.get("/rate_limit");
    assert_eq!(a.header("x-ratelimit-limit"), Some("1000"));
    let sha = sb.branch_sha("heyns1000/omnigrid", "main").unwrap();
    let refused = c.post(
        "/repos/heyns1000/omnigrid/git/refs",
        json!({"ref": "refs/heads/x", "sha": sha}),
    );
    assert_eq!(refused.status, 403, "{}", refused.json);
    assert_eq!(
        refused.json["message"],
        "Resource not accessible by integration"
    );
    assert_eq!(c.get("/repos/heyns1000/omnigrid").status, 200, "readable");
    let own = sb.branch_sha(AUDIT_REPO, "main").unwrap();
    let made = c.post(
        &format!("/repos/{AUDIT_REPO}/git/refs"),
        json!({"ref": "refs/heads/x", "sha": own}),
    );
    assert_eq!(made.status, 201, "{}", made.json);
    let q = "query { r: repository(owner: \"heyns1000\", name: \"omnigrid\") { viewerPermission vulnerabilityAlerts(states: OPEN) { totalCount } } }";
    let g = c.graphql(&sb.graphql_url(), q, json!({}));
    assert!(
        g.json["data"]["r"]["viewerPermission"].is_null(),
        "{}",
        g.json
    );
    assert_eq!(g.json["errors"][0]["type"], "FORBIDDEN", "{}", g.json);
    assert_eq!(
        g.json["errors"][0]["path"],
        json!(["r", "vulnerabilityAlerts"])
    );
    // A token past its expiry is refused like any unknown one (401 Bad credentials).
    sb.add_token(TokenSpec {
        expires_at: Some(github_sandbox::util::wall_now() - 60),
        ..TokenSpec::full("expired", "ghp_sandboxExpired0000000000000000000000")
    });
    let gone = named(&sb, "expired").get("/rate_limit");
    assert_eq!(gone.status, 401, "{}", gone.json);
}

/// `Repository.autoMergeAllowed` ("Whether or not Auto-merge can be enabled on pull requests
/// in this repository", schema.graphql) is the repository's setting, off unless turned on (the
/// REST `repository` schema's `allow_auto_merge` defaults to false).
#[test]
fn auto_merge_is_off_until_a_repository_allows_it() {
    let sb = start("tokens_auto_merge", small(12), true);
    let c = Client::for_sb(&sb);
    let q = "query { a: repository(owner: \"heyns1000\", name: \"omnigrid\") { autoMergeAllowed } b: repository(owner: \"heyns1000\", name: \"codenest\") { autoMergeAllowed } }";
    let g = c.graphql(&sb.graphql_url(), q, json!({}));
    assert_eq!(g.json["data"]["a"]["autoMergeAllowed"], false, "{}", g.json);
    assert!(sb.set_auto_merge_allowed("heyns1000/omnigrid", true));
    assert!(!sb.set_auto_merge_allowed("heyns1000/nowhere", true));
    let g = c.graphql(&sb.graphql_url(), q, json!({}));
    assert_eq!(g.json["data"]["a"]["autoMergeAllowed"], true);
    assert_eq!(g.json["data"]["b"]["autoMergeAllowed"], false);
    let rest = c.get("/repos/heyns1000/omnigrid");
    assert_eq!(rest.json["allow_auto_merge"], true, "{}", rest.json);
}
