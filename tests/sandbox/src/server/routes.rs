//! The route table: every REST operation (and `POST /graphql`) the sandbox serves, matched
//! from a method and path, and the handler that answers it. A route not matched here is an
//! unexpected route (404, recorded). A new route is a `Route` variant, a line in `route` and
//! a line in `dispatch` pointing at its handler in the resource's `rest` module.

use crate::exchange::{Ctx, Resp};
use crate::rest::{
    app, assignees, compare, contents, git_data, labels, merge_upstream, pulls, rate_limit, refs,
    repos,
};
use crate::util::percent_decode;

/// A supported operation, with its path parameters (decoded).
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub enum Route {
    RateLimit,
    Graphql,
    Repo {
        o: String,
        r: String,
    },
    Branches {
        o: String,
        r: String,
    },
    Branch {
        o: String,
        r: String,
        branch: String,
    },
    GetRef {
        o: String,
        r: String,
        rf: String,
    },
    CreateRef {
        o: String,
        r: String,
    },
    Ref {
        o: String,
        r: String,
        rf: String,
    },
    Compare {
        o: String,
        r: String,
        basehead: String,
    },
    MergeUpstream {
        o: String,
        r: String,
    },
    Pulls {
        o: String,
        r: String,
    },
    Pull {
        o: String,
        r: String,
        n: u64,
    },
    Reviewers {
        o: String,
        r: String,
        n: u64,
    },
    Labels {
        o: String,
        r: String,
    },
    IssueLabels {
        o: String,
        r: String,
        n: u64,
    },
    IssueAssignees {
        o: String,
        r: String,
        n: u64,
    },
    Alerts {
        o: String,
        r: String,
    },
    Workflows {
        o: String,
        r: String,
    },
    Contents {
        o: String,
        r: String,
        path: String,
    },
    Blobs {
        o: String,
        r: String,
    },
    Blob {
        o: String,
        r: String,
        sha: String,
    },
    Trees {
        o: String,
        r: String,
    },
    Tree {
        o: String,
        r: String,
        sha: String,
    },
    Commits {
        o: String,
        r: String,
    },
    Commit {
        o: String,
        r: String,
        sha: String,
    },
    Installation {
        o: String,
        r: String,
    },
    AccessTokens {
        id: u64,
    },
}

impl Route {
    /// The operation's path template, as GitHub's REST reference names it: with the method,
    /// the endpoint GitHub's per-endpoint secondary limit counts points for.
    pub fn template(&self) -> &'static str {
        match self {
            Route::RateLimit => "/rate_limit",
            Route::Graphql => "/graphql",
            Route::Repo { .. } => "/repos/{owner}/{repo}",
            Route::Branches { .. } => "/repos/{owner}/{repo}/branches",
            Route::Branch { .. } => "/repos/{owner}/{repo}/branches/{branch}",
            Route::GetRef { .. } => "/repos/{owner}/{repo}/git/ref/{ref}",
            Route::CreateRef { .. } => "/repos/{owner}/{repo}/git/refs",
            Route::Ref { .. } => "/repos/{owner}/{repo}/git/refs/{ref}",
            Route::Compare { .. } => "/repos/{owner}/{repo}/compare/{basehead}",
            Route::MergeUpstream { .. } => "/repos/{owner}/{repo}/merge-upstream",
            Route::Pulls { .. } => "/repos/{owner}/{repo}/pulls",
            Route::Pull { .. } => "/repos/{owner}/{repo}/pulls/{pull_number}",
            Route::Reviewers { .. } => {
                "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"
            }
            Route::Labels { .. } => "/repos/{owner}/{repo}/labels",
            Route::IssueLabels { .. } => "/repos/{owner}/{repo}/issues/{issue_number}/labels",
            Route::IssueAssignees { .. } => "/repos/{owner}/{repo}/issues/{issue_number}/assignees",
            Route::Alerts { .. } => "/repos/{owner}/{repo}/dependabot/alerts",
            Route::Workflows { .. } => "/repos/{owner}/{repo}/actions/workflows",
            Route::Contents { .. } => "/repos/{owner}/{repo}/contents/{path}",
            Route::Blobs { .. } => "/repos/{owner}/{repo}/git/blobs",
            Route::Blob { .. } => "/repos/{owner}/{repo}/git/blobs/{file_sha}",
            Route::Trees { .. } => "/repos/{owner}/{repo}/git/trees",
            Route::Tree { .. } => "/repos/{owner}/{repo}/git/trees/{tree_sha}",
            Route::Commits { .. } => "/repos/{owner}/{repo}/git/commits",
            Route::Commit { .. } => "/repos/{owner}/{repo}/git/commits/{commit_sha}",
            Route::Installation { .. } => "/repos/{owner}/{repo}/installation",
            Route::AccessTokens { .. } => "/app/installations/{installation_id}/access_tokens",
        }
    }
}

/// Matches a method and path (without GHES prefix) against the supported operations.
pub fn route(method: &str, path: &str) -> Option<Route> {
    let raw: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let seg: Vec<String> = raw.iter().map(|s| percent_decode(s, false)).collect();
    let tail = |from: usize| percent_decode(&raw[from..].join("/"), false);
    let s: Vec<&str> = seg.iter().map(String::as_str).collect();
    let m = method;
    if s == ["rate_limit"] && m == "GET" {
        return Some(Route::RateLimit);
    }
    if s == ["graphql"] && m == "POST" {
        return Some(Route::Graphql);
    }
    if s.len() == 4
        && s[0] == "app"
        && s[1] == "installations"
        && s[3] == "access_tokens"
        && m == "POST"
    {
        return s[2].parse().ok().map(|id| Route::AccessTokens { id });
    }
    if s.len() < 3 || s[0] != "repos" || s[1].is_empty() || s[2].is_empty() {
        return None;
    }
    let (o, r) = (s[1].to_string(), s[2].to_string());
    let rest = &s[3..];
    let num = |x: &str| x.parse::<u64>().ok();
    Some(match (m, rest) {
        ("GET", []) => Route::Repo { o, r },
        ("GET", ["branches"]) => Route::Branches { o, r },
        ("GET", ["branches", _, ..]) => Route::Branch {
            o,
            r,
            branch: tail(4),
        },
        ("GET", ["git", "ref", _, ..]) => Route::GetRef { o, r, rf: tail(5) },
        ("POST", ["git", "refs"]) => Route::CreateRef { o, r },
        ("PATCH" | "DELETE", ["git", "refs", _, ..]) => Route::Ref { o, r, rf: tail(5) },
        ("GET", ["compare", _, ..]) => Route::Compare {
            o,
            r,
            basehead: tail(4),
        },
        ("POST", ["merge-upstream"]) => Route::MergeUpstream { o, r },
        ("GET" | "POST", ["pulls"]) => Route::Pulls { o, r },
        ("GET" | "PATCH", ["pulls", n]) => Route::Pull { o, r, n: num(n)? },
        ("POST", ["pulls", n, "requested_reviewers"]) => Route::Reviewers { o, r, n: num(n)? },
        ("GET" | "POST", ["labels"]) => Route::Labels { o, r },
        ("GET" | "POST", ["issues", n, "labels"]) => Route::IssueLabels { o, r, n: num(n)? },
        ("POST", ["issues", n, "assignees"]) => Route::IssueAssignees { o, r, n: num(n)? },
        ("GET", ["dependabot", "alerts"]) => Route::Alerts { o, r },
        ("GET", ["actions", "workflows"]) => Route::Workflows { o, r },
        ("GET", ["contents", ..]) => Route::Contents {
            o,
            r,
            path: if rest.len() > 1 {
                tail(4)
            } else {
                String::new()
            },
        },
        ("POST", ["git", "blobs"]) => Route::Blobs { o, r },
        ("GET", ["git", "blobs", sha]) => Route::Blob {
            o,
            r,
            sha: sha.to_string(),
        },
        ("POST", ["git", "trees"]) => Route::Trees { o, r },
        ("GET", ["git", "trees", sha]) => Route::Tree {
            o,
            r,
            sha: sha.to_string(),
        },
        ("POST", ["git", "commits"]) => Route::Commits { o, r },
        ("GET", ["git", "commits", sha]) => Route::Commit {
            o,
            r,
            sha: sha.to_string(),
        },
        ("GET", ["installation"]) => Route::Installation { o, r },
        _ => return None,
    })
}

/// Runs the handler for a route.
pub fn dispatch(ctx: &Ctx<'_>, route: Route) -> Resp {
    let get = ctx.req.method == "GET";
    let out = match route {
        Route::RateLimit => rate_limit::rate_limit(ctx),
        Route::Graphql => Ok(crate::graphql::handle(ctx)),
        Route::Repo { o, r } => repos::get_repo(ctx, &o, &r),
        Route::Branches { o, r } => repos::branches(ctx, &o, &r),
        Route::Branch { o, r, branch } => repos::get_branch(ctx, &o, &r, &branch),
        Route::Alerts { o, r } => repos::alerts(ctx, &o, &r),
        Route::Workflows { o, r } => repos::workflows(ctx, &o, &r),
        Route::GetRef { o, r, rf } => refs::get_ref(ctx, &o, &r, &rf),
        Route::CreateRef { o, r } => refs::create_ref(ctx, &o, &r),
        Route::Ref { o, r, rf } if ctx.req.method == "PATCH" => refs::update_ref(ctx, &o, &r, &rf),
        Route::Ref { o, r, rf } => refs::delete_ref(ctx, &o, &r, &rf),
        Route::Compare { o, r, basehead } => compare::compare(ctx, &o, &r, &basehead),
        Route::MergeUpstream { o, r } => merge_upstream::merge_upstream(ctx, &o, &r),
        Route::Pulls { o, r } if get => pulls::list_pulls(ctx, &o, &r),
        Route::Pulls { o, r } => pulls::create_pull(ctx, &o, &r),
        Route::Pull { o, r, n } if get => pulls::get_pull(ctx, &o, &r, n),
        Route::Pull { o, r, n } => pulls::update_pull(ctx, &o, &r, n),
        Route::Reviewers { o, r, n } => pulls::request_reviewers(ctx, &o, &r, n),
        Route::Labels { o, r } if get => labels::list_labels(ctx, &o, &r),
        Route::Labels { o, r } => labels::create_label(ctx, &o, &r),
        Route::IssueLabels { o, r, n } => labels::issue_labels(ctx, &o, &r, n),
        Route::IssueAssignees { o, r, n } => assignees::add_assignees(ctx, &o, &r, n),
        Route::Contents { o, r, path } => contents::contents(ctx, &o, &r, &path),
        Route::Blobs { o, r } => git_data::create_blob(ctx, &o, &r),
        Route::Blob { o, r, sha } => git_data::get_blob(ctx, &o, &r, &sha),
        Route::Trees { o, r } => git_data::create_tree(ctx, &o, &r),
        Route::Tree { o, r, sha } => git_data::get_tree(ctx, &o, &r, &sha),
        Route::Commits { o, r } => git_data::create_commit(ctx, &o, &r),
        Route::Commit { o, r, sha } => git_data::get_commit(ctx, &o, &r, &sha),
        Route::Installation { o, r } => app::installation(ctx, &o, &r),
        Route::AccessTokens { id } => app::access_token(ctx, id),
    };
    out.unwrap_or_else(|e| e)
}

impl Route {
    /// The operation's page in GitHub's REST documentation, as its error answers name it
    /// (`documentation_url`; the operation's `externalDocs` in GitHub's OpenAPI description,
    /// in the current `https://docs.github.com/rest/<group>/<page>#<operation>` form).
    pub fn docs_url(&self, method: &str) -> &'static str {
        const D: &str = "https://docs.github.com/rest";
        let get = method == "GET";
        match self {
            Route::RateLimit => "https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user",
            // GraphQL answers errors in its own shape.
            Route::Graphql => D,
            Route::Repo { .. } => "https://docs.github.com/rest/repos/repos#get-a-repository",
            Route::Branches { .. } => "https://docs.github.com/rest/branches/branches#list-branches",
            Route::Branch { .. } => "https://docs.github.com/rest/branches/branches#get-a-branch",
            Route::GetRef { .. } => "https://docs.github.com/rest/git/refs#get-a-reference",
            Route::CreateRef { .. } => "https://docs.github.com/rest/git/refs#create-a-reference",
            Route::Ref { .. } if method == "DELETE" => "https://docs.github.com/rest/git/refs#delete-a-reference",
            Route::Ref { .. } => "https://docs.github.com/rest/git/refs#update-a-reference",
            Route::Compare { .. } => "https://docs.github.com/rest/commits/commits#compare-two-commits",
            Route::MergeUpstream { .. } => "https://docs.github.com/rest/branches/branches#sync-a-fork-branch-with-the-upstream-repository",
            Route::Pulls { .. } if get => "https://docs.github.com/rest/pulls/pulls#list-pull-requests",
            Route::Pulls { .. } => "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
            Route::Pull { .. } if get => "https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
            Route::Pull { .. } => "https://docs.github.com/rest/pulls/pulls#update-a-pull-request",
            Route::Reviewers { .. } => "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request",
            Route::Labels { .. } if get => "https://docs.github.com/rest/issues/labels#list-labels-for-a-repository",
            Route::Labels { .. } => "https://docs.github.com/rest/issues/labels#create-a-label",
            Route::IssueLabels { .. } if get => "https://docs.github.com/rest/issues/labels#list-labels-for-an-issue",
            Route::IssueLabels { .. } => "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue",
            Route::IssueAssignees { .. } => "https://docs.github.com/rest/issues/assignees#add-assignees-to-an-issue",
            Route::Alerts { .. } => "https://docs.github.com/rest/dependabot/alerts#list-dependabot-alerts-for-a-repository",
            Route::Workflows { .. } => "https://docs.github.com/rest/actions/workflows#list-repository-workflows",
            Route::Contents { .. } => "https://docs.github.com/rest/repos/contents#get-repository-content",
            Route::Blobs { .. } => "https://docs.github.com/rest/git/blobs#create-a-blob",
            Route::Blob { .. } => "https://docs.github.com/rest/git/blobs#get-a-blob",
            Route::Trees { .. } => "https://docs.github.com/rest/git/trees#create-a-tree",
            Route::Tree { .. } => "https://docs.github.com/rest/git/trees#get-a-tree",
            Route::Commits { .. } => "https://docs.github.com/rest/git/commits#create-a-commit",
            Route::Commit { .. } => "https://docs.github.com/rest/git/commits#get-a-commit-object",
            Route::Installation { .. } => "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app",
            Route::AccessTokens { .. } => "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app",
        }
    }
}

/// An error answer in GitHub's recent form names its operation's documentation: a handler's
/// body that names the generic page (`exchange::DOCS`) gets `docs` instead. Recorded recent
/// bodies, e.g. `{"message":"Update is not a fast forward","documentation_url":
/// "https://docs.github.com/rest/git/refs#update-a-reference","status":"422"}` (issue-12
/// evidence, "Error-body format over time").
pub fn with_docs(mut resp: Resp, docs: &str) -> Resp {
    if let Some(v) = resp
        .json
        .as_mut()
        .and_then(|j| j.get_mut("documentation_url"))
    {
        if v.as_str() == Some(crate::exchange::DOCS) {
            *v = serde_json::Value::String(docs.to_string());
        }
    }
    resp
}
