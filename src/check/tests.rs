//! The pre-flight's decisions and renderers over literal data.

use super::decide::*;
use super::render;
use super::CheckReport;
use crate::config::{RepoSpec, Upstream, Weights};
use crate::github::{BranchHead, RepoMeta, RepoPermission, RequestStats, TokenProbe};
use crate::ids::{BranchName, Oid};
use crate::repo_name::RepoName;

fn name(s: &str) -> RepoName {
    s.parse().unwrap()
}

fn head(branch: &str) -> BranchHead {
    BranchHead {
        name: BranchName::parse(branch).unwrap(),
        oid: Oid::parse("1111111111111111111111111111111111111111").unwrap(),
    }
}

fn spec(repo: &str) -> RepoSpec {
    RepoSpec {
        branches: Vec::new(),
        repo: name(repo),
        branch: None,
        upstream: None,
        connected: None,
        weights: Weights::default(),
        tags: Default::default(),
        reviewers: Vec::new(),
    }
}

/// A fork of `up-org/<name>` the user may write, with workflows and readable alerts.
fn meta(repo: &str) -> RepoMeta {
    let upstream = format!("up-org/{}", name(repo).name());
    RepoMeta {
        branch_heads: None,
        repo: name(repo),
        archived: false,
        is_fork: true,
        pushed_at: None,
        branch: Some(head("main")),
        default_branch: Some(BranchName::parse("main").unwrap()),
        upstream: Some((name(&upstream), Some(head("main")))),
        open_prs: 0,
        security_alerts: Some(0),
        has_workflows: true,
        topics: Vec::new(),
        sync_pull: None,
        same_network: None,
        viewer_permission: Some(RepoPermission::Admin),
        auto_merge_allowed: Some(false),
    }
}

fn classic(scopes: &str) -> TokenFacts {
    TokenFacts {
        kind: TokenKind::Classic,
        scopes: super::decide::scopes(Some(scopes)),
        expiration: None,
        rate_limit: Some(5000),
        workflow_repo: None,
    }
}

fn token(kind: TokenKind) -> TokenFacts {
    TokenFacts {
        kind,
        scopes: None,
        expiration: None,
        rate_limit: None,
        workflow_repo: Some(name("acme/fleet-control")),
    }
}

fn judge(t: &TokenFacts, spec: &RepoSpec, seen: Seen) -> RepoCheck {
    assess(
        t,
        &RepoInput {
            spec,
            seen: &seen,
            app: None,
            wants_auto_merge: false,
        },
    )
}

fn found(m: RepoMeta) -> Seen {
    Seen::Found(Box::new(m))
}

fn missing_fix(c: &RepoCheck, need: Need) -> String {
    match c.verdict(need) {
        Some(Verdict::Missing { fix, .. }) => fix.clone(),
        other => panic!("{need:?} is not missing: {other:?}"),
    }
}

#[test]
fn the_kind_comes_from_the_prefix_and_the_headers() {
    let probe = |scopes: Option<&str>, limit: Option<u64>| TokenProbe {
        status: 200,
        scopes: scopes.map(str::to_string),
        expiration: None,
        rate_limit: limit,
    };
    let p = probe(Some("repo"), Some(5000));
    assert_eq!(
        token_kind(Some("ghp_abc"), Some(&p), false),
        TokenKind::Classic
    );
    assert_eq!(
        token_kind(Some("github_pat_abc"), None, false),
        TokenKind::FineGrained
    );
    assert_eq!(
        token_kind(Some("ghs_abc"), Some(&probe(None, Some(5000))), false),
        TokenKind::Installation
    );
    // The workflow's token: known by the caller, or by its hourly limit of 1,000.
    assert_eq!(
        token_kind(Some("ghs_abc"), Some(&probe(None, Some(5000))), true),
        TokenKind::WorkflowToken
    );
    assert_eq!(
        token_kind(Some("ghs_abc"), Some(&probe(None, Some(1000))), false),
        TokenKind::WorkflowToken
    );
    // An OAuth token (`gho_`) says its scopes like a classic one.
    assert_eq!(
        token_kind(Some("gho_abc"), Some(&p), false),
        TokenKind::Classic
    );
    assert_eq!(token_kind(Some("abc"), None, false), TokenKind::Unknown);
    assert_eq!(token_kind(None, None, false), TokenKind::App);
}

#[test]
fn the_workflow_token_is_the_runners_or_an_installation_token_equal_to_audit_token() {
    assert!(is_workflow_token("ghs_a", Some("ghs_a\n"), None));
    assert!(is_workflow_token("ghs_a", None, Some("ghs_a")));
    // A PAT given to both inputs is not the workflow's token.
    assert!(!is_workflow_token("ghp_a", None, Some("ghp_a")));
    assert!(!is_workflow_token("ghs_a", Some("ghs_b"), Some("ghs_b")));
}

#[test]
fn scopes_split_and_an_empty_header_is_no_scope() {
    assert_eq!(
        scopes(Some("repo, workflow")),
        Some(vec!["repo".to_string(), "workflow".to_string()])
    );
    assert_eq!(scopes(Some("")), Some(vec![]));
    assert_eq!(scopes(None), None);
}

#[test]
fn a_classic_token_with_repo_and_workflow_can_do_everything() {
    let c = judge(
        &classic("repo, workflow"),
        &spec("acme/a"),
        found(meta("acme/a")),
    );
    assert!(c.ok(), "{c:?}");
    for n in [
        Need::Reachable,
        Need::Contents,
        Need::PullRequests,
        Need::Workflows,
        Need::Dependabot,
        Need::Upstream,
        Need::SameNetwork,
    ] {
        assert_eq!(c.verdict(n), Some(&Verdict::Yes), "{n:?}");
    }
    // Auto-merge is not asked for: information only.
    assert_eq!(
        c.verdict(Need::AutoMerge),
        Some(&Verdict::Info(Some("not allowed".into())))
    );
}

#[test]
fn without_the_workflow_scope_a_repository_with_workflows_fails_with_the_scope_to_add() {
    let c = judge(&classic("repo"), &spec("acme/a"), found(meta("acme/a")));
    assert!(!c.ok());
    assert!(missing_fix(&c, Need::Workflows)
        .starts_with("add the `workflow` scope to the classic token"));
    // Without workflows in the fork, the scope is not needed.
    let mut m = meta("acme/a");
    m.has_workflows = false;
    let c = judge(&classic("repo"), &spec("acme/a"), found(m));
    assert!(c.ok(), "{c:?}");
}

#[test]
fn a_classic_token_without_scopes_needs_repo_and_security_events() {
    let mut m = meta("acme/a");
    m.security_alerts = None;
    let c = judge(&classic(""), &spec("acme/a"), found(m));
    assert!(missing_fix(&c, Need::Contents).starts_with("add the `repo` scope"));
    assert!(missing_fix(&c, Need::Dependabot).starts_with("add the `security_events` scope"));
    assert!(missing_fix(&c, Need::Workflows).starts_with("add the `workflow` scope"));
}

#[test]
fn a_read_role_cannot_push_whatever_the_token() {
    let mut m = meta("acme/a");
    m.viewer_permission = Some(RepoPermission::Read);
    let c = judge(&classic("repo, workflow"), &spec("acme/a"), found(m));
    assert!(missing_fix(&c, Need::Contents).contains("the Write role"));
}

#[test]
fn a_fine_grained_token_is_checked_by_hand_but_its_alerts_are_known() {
    let mut m = meta("acme/a");
    m.security_alerts = None;
    let c = judge(&token(TokenKind::FineGrained), &spec("acme/a"), found(m));
    assert!(
        matches!(c.verdict(Need::Contents), Some(Verdict::Unknown { why }) if why.contains("Contents: Read and write"))
    );
    assert!(matches!(
        c.verdict(Need::Workflows),
        Some(Verdict::Unknown { .. })
    ));
    assert_eq!(
        missing_fix(&c, Need::Dependabot),
        "give the fine-grained token Dependabot alerts: Read-only on acme/a"
    );
}

#[test]
fn a_workflow_token_reaches_only_its_own_repository() {
    let t = token(TokenKind::WorkflowToken);
    let own = judge(
        &t,
        &spec("acme/fleet-control"),
        found(meta("acme/fleet-control")),
    );
    assert!(
        matches!(own.verdict(Need::Contents), Some(Verdict::Unknown { why }) if why.contains("permissions: contents: write"))
    );
    let other = judge(&t, &spec("acme/a"), found(meta("acme/a")));
    let fix = missing_fix(&other, Need::Contents);
    assert!(
        fix.starts_with("use a fine-grained token or a GitHub App"),
        "{fix}"
    );
    match other.verdict(Need::Contents) {
        Some(Verdict::Missing { why, .. }) => assert!(why.contains("acme/fleet-control")),
        v => panic!("{v:?}"),
    }
    assert!(missing_fix(&own, Need::Workflows).contains("Workflows: Read and write"));
}

#[test]
fn an_app_is_judged_by_its_installation_permissions() {
    let perms = app_permissions(Some(&serde_json::json!({
        "contents": "write", "pull_requests": "read", "metadata": "read"
    })))
    .unwrap();
    let s = spec("acme/a");
    let seen = found(meta("acme/a"));
    let c = assess(
        &token(TokenKind::App),
        &RepoInput {
            spec: &s,
            seen: &seen,
            app: Some(&perms),
            wants_auto_merge: false,
        },
    );
    assert_eq!(c.verdict(Need::Contents), Some(&Verdict::Yes));
    assert!(missing_fix(&c, Need::PullRequests)
        .starts_with("give the GitHub App Pull requests: Read and write"));
    assert!(missing_fix(&c, Need::Workflows)
        .starts_with("give the GitHub App Workflows: Read and write"));
}

#[test]
fn a_missing_repository_says_how_to_reach_it_and_judges_nothing_else() {
    let c = judge(
        &classic("repo, workflow"),
        &spec("acme/gone"),
        Seen::NotFound,
    );
    assert!(!c.ok());
    assert!(missing_fix(&c, Need::Reachable)
        .ends_with("acme/gone, or correct its name in the inventory"));
    assert!(c.verdicts[1..]
        .iter()
        .all(|(_, v)| *v == Verdict::Info(None)));
    // A batch that failed is not a missing repository, but nothing is vouched for.
    let c = judge(
        &classic("repo"),
        &spec("acme/a"),
        Seen::Unread("rate limited".into()),
    );
    assert!(!c.ok());
    assert!(missing_fix(&c, Need::Reachable).starts_with("run the check again"));
}

#[test]
fn an_explicit_upstream_outside_the_network_fails_and_an_unknown_one_is_named() {
    let mut s = spec("acme/a");
    s.upstream = Some(Upstream {
        repo: name("other/a"),
        branch: None,
    });
    let mut m = meta("acme/a");
    m.upstream = Some((name("other/a"), Some(head("main"))));
    m.same_network = Some(false);
    let c = judge(&classic("repo, workflow"), &s, found(m.clone()));
    assert_eq!(c.verdict(Need::Upstream), Some(&Verdict::Yes));
    assert!(missing_fix(&c, Need::SameNetwork)
        .starts_with("set `upstream:` of acme/a to a repository of its own fork network"));
    m.upstream = None;
    let c = judge(&classic("repo, workflow"), &s, found(m.clone()));
    assert!(missing_fix(&c, Need::Upstream).contains("correct `upstream:` of acme/a"));
    // Not a fork and no upstream named.
    let mut m = meta("acme/b");
    m.upstream = None;
    let c = judge(&classic("repo, workflow"), &spec("acme/b"), found(m));
    assert_eq!(
        missing_fix(&c, Need::Upstream),
        "add `upstream: owner/name` to acme/b in the inventory"
    );
}

#[test]
fn dependabot_is_needed_only_with_a_security_weight() {
    let mut s = spec("acme/a");
    s.weights.security_alerts = 0;
    let mut m = meta("acme/a");
    m.security_alerts = None;
    let c = judge(&classic("repo, workflow"), &s, found(m));
    assert!(c.ok(), "{c:?}");
}

#[test]
fn auto_merge_fails_only_when_asked_for() {
    let s = spec("acme/a");
    let seen = found(meta("acme/a"));
    let c = assess(
        &classic("repo, workflow"),
        &RepoInput {
            spec: &s,
            seen: &seen,
            app: None,
            wants_auto_merge: true,
        },
    );
    assert!(missing_fix(&c, Need::AutoMerge).contains("\"Allow auto-merge\""));
}

#[test]
fn fixes_are_grouped_by_text_in_order() {
    let t = classic("repo");
    let checks: Vec<RepoCheck> = ["acme/a", "acme/b"]
        .iter()
        .map(|r| judge(&t, &spec(r), found(meta(r))))
        .chain(std::iter::once(judge(
            &t,
            &spec("acme/gone"),
            Seen::NotFound,
        )))
        .collect();
    let f = fixes(&checks);
    assert_eq!(f.len(), 2);
    assert!(f[0].text.starts_with("add the `workflow` scope"));
    assert_eq!(f[0].repos, vec![name("acme/a"), name("acme/b")]);
    assert_eq!(f[1].repos, vec![name("acme/gone")]);
}

#[test]
fn days_left_reads_githubs_expiry_form() {
    let now = "2026-01-01T07:00:00Z".parse().unwrap();
    assert_eq!(days_left("2026-01-08 07:00:00 UTC", now), Some(7));
    assert_eq!(days_left("2025-12-31 07:00:00 UTC", now), Some(-1));
    assert_eq!(days_left("soon", now), None);
}

fn report(t: TokenFacts, repos: Vec<RepoCheck>) -> CheckReport {
    CheckReport {
        fixes: fixes(&repos),
        days_left: Some(6),
        token: t,
        refused: None,
        repos,
        wants_auto_merge: false,
        requests: RequestStats {
            graphql: 3,
            other: 1,
            ..RequestStats::default()
        },
    }
}

#[test]
fn the_text_report_has_the_table_the_problems_the_fixes_and_the_result() {
    let mut t = classic("repo");
    t.expiration = Some("2026-01-08 07:00:00 UTC".into());
    let r = report(
        t,
        vec![judge(
            &classic("repo"),
            &spec("acme/a"),
            found(meta("acme/a")),
        )],
    );
    let text = render::text(&r);
    assert!(text.starts_with("priority-sync check: 1 repository checked with 4 requests (3 GraphQL, 1 REST), nothing written\n"), "{text}");
    assert!(text.contains("token: classic personal access token; scopes: repo; expires 2026-01-08 07:00:00 UTC (in 6 days): renew it soon; 5000 requests an hour"), "{text}");
    assert!(
        text.contains("repository  reachable  contents  pull requests  workflows"),
        "{text}"
    );
    assert!(
        text.contains("acme/a      yes        yes       yes            NO"),
        "{text}"
    );
    assert!(
        text.contains("  acme/a: workflows NO: the classic token has no `workflow` scope"),
        "{text}"
    );
    assert!(
        text.contains("1 fix:\n  1. add the `workflow` scope to the classic token"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "result: 1 of 1 repository cannot be synced as the inventory asks; exit 1\n"
        ),
        "{text}"
    );
    assert!(!r.ok());
}

#[test]
fn what_github_sent_is_escaped_in_markdown_and_cleaned_in_text() {
    let mut t = classic("repo, workflow");
    t.scopes = Some(vec!["repo|<img src=x>".into()]);
    t.expiration = Some("2026-01-08 07:00:00 UTC\n::error::x".into());
    let r = report(
        t,
        vec![judge(
            &classic("repo, workflow"),
            &spec("acme/a"),
            Seen::Unread("boom | <b>\n::warning::".into()),
        )],
    );
    let md = render::markdown(&r);
    assert!(
        !md.contains("<img") && !md.contains("<b>") && !md.contains("repo|"),
        "{md}"
    );
    assert!(md.contains("| acme/a | ❌ |"), "{md}");
    let text = render::text(&r);
    assert!(!text.contains("\n::"), "{text}");
    assert!(
        text.ends_with(
            "result: 1 of 1 repository cannot be synced as the inventory asks; exit 1\n"
        ),
        "{text}"
    );
}
