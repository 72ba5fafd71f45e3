//! REST writes: moving and creating refs (where a 422 or a 404 is an answer, not an error),
//! GitHub's sync of a fork branch (`merge-upstream`, where 409 and 422 are answers), pull
//! requests (open, retitle, close, labels, reviewers, assignees) and Git data (trees, commits). Every
//! write is paced by the transport under GitHub's content-creation limit.

use http::Method;
use serde_json::{json, Value};

use super::client::Client;
use super::reads::pull_info;
use super::transport::Kind;
use super::url::{path_part, repo_path};
use super::{GhError, MergeUpstream, NewPull, PullInfo, RefUpdate, TreeFile};
use crate::ids::{Oid, TagName};
use crate::repo_name::RepoName;

/// A write whose every non-2xx answer is an error; returns the answer's body.
async fn write(
    c: &Client,
    method: Method,
    repo: &RepoName,
    path: &str,
    body: &Value,
) -> Result<Value, GhError> {
    let a = c.rest(method, repo, path, Some(body), Kind::Write).await?;
    if a.status.is_success() {
        Ok(a.body)
    } else {
        Err(a.error())
    }
}

/// Ref writes: 422 is an answer here (not a fast-forward, workflow refused, exists), and so is
/// 404 (the commit has not reached the fork yet, or a workflow refusal: the caller decides).
async fn ref_write(
    c: &Client,
    method: Method,
    repo: &RepoName,
    path: &str,
    body: &Value,
) -> Result<RefUpdate, GhError> {
    let a = c.rest(method, repo, path, Some(body), Kind::Write).await?;
    if a.status.is_success() {
        return Ok(RefUpdate::Done);
    }
    let m = a.message();
    let lower = m.to_ascii_lowercase();
    match a.status.as_u16() {
        422 | 403 if lower.contains("workflow") => Ok(RefUpdate::WorkflowRefused(m)),
        422 if lower.contains("not a fast forward") || lower.contains("not a fast-forward") => {
            Ok(RefUpdate::NotFastForward)
        }
        422 if lower.contains("already exists") => Ok(RefUpdate::AlreadyExists),
        404 => Ok(RefUpdate::NotFound),
        _ => Err(a.error()),
    }
}

/// The `sha` of a Git data answer.
fn sha_of(v: &Value, what: &str) -> Result<Oid, GhError> {
    let sha = v
        .get("sha")
        .and_then(Value::as_str)
        .ok_or_else(|| GhError::Decode(format!("{what} answer without sha")))?;
    Oid::parse(sha).map_err(|e| GhError::malformed(&format!("the {what}'s sha"), e))
}

/// See [`super::GitHub::update_ref`].
pub(super) async fn update_ref(
    c: &Client,
    repo: &RepoName,
    branch: &str,
    sha: &str,
    force: bool,
) -> Result<RefUpdate, GhError> {
    let path = format!("{}/git/refs/heads/{}", repo_path(repo), path_part(branch));
    let body = json!({ "sha": sha, "force": force });
    ref_write(c, Method::PATCH, repo, &path, &body).await
}

/// See [`super::GitHub::create_ref`].
pub(super) async fn create_ref(
    c: &Client,
    repo: &RepoName,
    branch: &str,
    sha: &str,
) -> Result<RefUpdate, GhError> {
    let path = format!("{}/git/refs", repo_path(repo));
    let body = json!({ "ref": format!("refs/heads/{branch}"), "sha": sha });
    ref_write(c, Method::POST, repo, &path, &body).await
}

/// See [`super::GitHub::create_tag`].
pub(super) async fn create_tag(
    c: &Client,
    repo: &RepoName,
    name: &TagName,
    object: &Oid,
) -> Result<RefUpdate, GhError> {
    let path = format!("{}/git/refs", repo_path(repo));
    let body = json!({ "ref": format!("refs/tags/{}", name.as_str()), "sha": object.as_str() });
    ref_write(c, Method::POST, repo, &path, &body).await
}

/// See [`super::GitHub::merge_upstream`].
pub(super) async fn merge_upstream(
    c: &Client,
    repo: &RepoName,
    branch: &str,
) -> Result<MergeUpstream, GhError> {
    let path = format!("{}/merge-upstream", repo_path(repo));
    let body = json!({ "branch": branch });
    let a = c
        .rest(Method::POST, repo, &path, Some(&body), Kind::Write)
        .await?;
    let merge_type = a.body.get("merge_type").and_then(Value::as_str);
    match (a.status.as_u16(), merge_type) {
        (200, Some("fast-forward")) => Ok(MergeUpstream::FastForward),
        (200, Some("none")) => Ok(MergeUpstream::NotBehind),
        (200, Some("merge")) => Ok(MergeUpstream::Merged),
        (200, other) => Err(GhError::Decode(format!(
            "merge-upstream answered merge_type {other:?}"
        ))),
        (409, _) => Ok(MergeUpstream::Conflict(a.message())),
        (s @ (404 | 422), _) => Ok(MergeUpstream::Refused(s, a.message())),
        _ => Err(a.error()),
    }
}

/// See [`super::GitHub::create_pull`].
pub(super) async fn create_pull(
    c: &Client,
    repo: &RepoName,
    pull: &NewPull,
) -> Result<PullInfo, GhError> {
    let path = format!("{}/pulls", repo_path(repo));
    let body = json!({
        "title": pull.title, "head": pull.head, "base": pull.base,
        "body": pull.body, "draft": pull.draft, "maintainer_can_modify": false
    });
    let v = write(c, Method::POST, repo, &path, &body).await?;
    pull_info(&v)?.ok_or_else(|| GhError::Decode("pull request answer without number/url".into()))
}

/// See [`super::GitHub::update_pull_body`].
pub(super) async fn update_pull_body(
    c: &Client,
    repo: &RepoName,
    number: u64,
    title: &str,
    body: &str,
) -> Result<(), GhError> {
    let path = format!("{}/pulls/{number}", repo_path(repo));
    let body = json!({ "title": title, "body": body });
    write(c, Method::PATCH, repo, &path, &body)
        .await
        .map(|_| ())
}

/// See [`super::GitHub::close_pull`].
pub(super) async fn close_pull(c: &Client, repo: &RepoName, number: u64) -> Result<(), GhError> {
    let path = format!("{}/pulls/{number}", repo_path(repo));
    let body = json!({ "state": "closed" });
    write(c, Method::PATCH, repo, &path, &body)
        .await
        .map(|_| ())
}

/// See [`super::GitHub::add_labels`].
pub(super) async fn add_labels(
    c: &Client,
    repo: &RepoName,
    number: u64,
    labels: &[String],
) -> Result<(), GhError> {
    if labels.is_empty() {
        return Ok(());
    }
    let path = format!("{}/issues/{number}/labels", repo_path(repo));
    let body = json!({ "labels": labels });
    write(c, Method::POST, repo, &path, &body).await.map(|_| ())
}

/// See [`super::GitHub::request_reviewers`].
pub(super) async fn request_reviewers(
    c: &Client,
    repo: &RepoName,
    number: u64,
    users: &[String],
    teams: &[String],
) -> Result<(), GhError> {
    if users.is_empty() && teams.is_empty() {
        return Ok(());
    }
    let path = format!("{}/pulls/{number}/requested_reviewers", repo_path(repo));
    let body = json!({ "reviewers": users, "team_reviewers": teams });
    write(c, Method::POST, repo, &path, &body).await.map(|_| ())
}

/// See [`super::GitHub::add_assignees`].
pub(super) async fn add_assignees(
    c: &Client,
    repo: &RepoName,
    number: u64,
    logins: &[String],
) -> Result<(), GhError> {
    if logins.is_empty() {
        return Ok(());
    }
    let path = format!("{}/issues/{number}/assignees", repo_path(repo));
    let body = json!({ "assignees": logins });
    write(c, Method::POST, repo, &path, &body).await.map(|_| ())
}

/// See [`super::GitHub::create_tree`].
pub(super) async fn create_tree(
    c: &Client,
    repo: &RepoName,
    base_tree: &str,
    files: &[TreeFile],
) -> Result<Oid, GhError> {
    let path = format!("{}/git/trees", repo_path(repo));
    let tree: Vec<Value> = files
        .iter()
        .map(|f| json!({ "path": f.path, "mode": "100644", "type": "blob", "content": f.content }))
        .collect();
    let body = json!({ "base_tree": base_tree, "tree": tree });
    sha_of(&write(c, Method::POST, repo, &path, &body).await?, "tree")
}

/// See [`super::GitHub::create_commit`].
pub(super) async fn create_commit(
    c: &Client,
    repo: &RepoName,
    message: &str,
    tree: &str,
    parents: &[Oid],
) -> Result<Oid, GhError> {
    let path = format!("{}/git/commits", repo_path(repo));
    let body = json!({ "message": message, "tree": tree, "parents": parents });
    sha_of(&write(c, Method::POST, repo, &path, &body).await?, "commit")
}
