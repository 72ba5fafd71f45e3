//! REST reads: compare, open pull requests, one pull request, a branch head, a commit's tree
//! and a file's bytes (inline, or through the Git Data API above 1 MB). "Not found" is `None`;
//! each answer is read into the trait's types here.

use base64::Engine as _;
use http::Method;
use serde_json::Value;

use super::answers::diff_unavailable;
use super::client::Client;
use super::transport::Kind;
use super::url::{path_part, query_value, repo_path};
use super::{graphql, Comparison, GhError, PullInfo, TokenProbe};
use crate::ids::Oid;
use crate::repo_name::RepoName;

/// GET that maps 404 to `None` and other failures to errors.
async fn get(
    c: &Client,
    repo: &RepoName,
    path: &str,
    kind: Kind,
) -> Result<Option<Value>, GhError> {
    let a = c.rest(Method::GET, repo, path, None, kind).await?;
    match a.status.as_u16() {
        200..=299 => Ok(Some(a.body)),
        404 => Ok(None),
        _ => Err(a.error()),
    }
}

/// See [`super::GitHub::token_probe`]: `GET /rate_limit` with the token, read for its headers.
/// Bad credentials are an error; any other answer is a probe (an Enterprise Server with rate
/// limiting off answers 404, with the same headers).
pub(super) async fn token_probe(c: &Client) -> Result<Option<TokenProbe>, GhError> {
    let Some(token) = c.plain_token() else {
        return Ok(None);
    };
    let url = c.endpoints.rest(RATE_LIMIT_PATH);
    let (headers, a) = c
        .transport
        .send_with_headers(Method::GET, &url, None, Kind::Other, token)
        .await?;
    if a.status.as_u16() == 401 {
        return Err(a.error());
    }
    Ok(Some(probe_of(a.status.as_u16(), &headers)))
}

/// `GET /rate_limit`: "Accessing this endpoint does not count against your REST API rate
/// limit" (its operation's description).
const RATE_LIMIT_PATH: &str = "/rate_limit";

/// What an answer's headers say about the token that got it.
fn probe_of(status: u16, headers: &http::HeaderMap) -> TokenProbe {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
    };
    TokenProbe {
        status,
        scopes: text("x-oauth-scopes"),
        expiration: text("github-authentication-token-expiration").filter(|v| !v.is_empty()),
        rate_limit: text("x-ratelimit-limit").and_then(|v| v.parse().ok()),
    }
}

/// See [`super::GitHub::compare`].
pub(super) async fn compare(
    c: &Client,
    repo: &RepoName,
    branch: &str,
    upstream: &RepoName,
    upstream_branch: &str,
) -> Result<Option<Comparison>, GhError> {
    // base = the fork's branch, head = the upstream: `ahead_by` is what the fork lacks.
    let head = if upstream.name().eq_ignore_ascii_case(repo.name()) {
        format!(
            "{}:{}",
            path_part(upstream.owner()),
            path_part(upstream_branch)
        )
    } else {
        format!(
            "{}:{}:{}",
            path_part(upstream.owner()),
            path_part(upstream.name()),
            path_part(upstream_branch)
        )
    };
    let path = format!(
        "{}/compare/{}...{head}?per_page=1",
        repo_path(repo),
        path_part(branch)
    );
    let a = c
        .rest(Method::GET, repo, &path, None, Kind::Compare)
        .await?;
    match a.status.as_u16() {
        200..=299 => Ok(Some(comparison(&a.body))),
        404 => Ok(None),
        s if diff_unavailable(s, &a.body) => Err(GhError::DiffUnavailable(a.message())),
        _ => Err(a.error()),
    }
}

/// How many changed files a compare lists at most: GitHub's "up to 300 changed files for the
/// entire comparison" (the compare operation's description). A list that long may be cut
/// short, so a workflow change may be missing from it.
const FILES_LISTED_MAX: usize = 300;

/// Reads a compare answer whose base is the fork and whose head is the upstream.
fn comparison(v: &Value) -> Comparison {
    let n = |k: &str| {
        v.get(k)
            .and_then(Value::as_u64)
            .unwrap_or(0)
            .min(u32::MAX as u64) as u32
    };
    let oldest_missing = v
        .get("commits")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .and_then(|c| c.get("commit"))
        .and_then(|c| c.get("committer").or_else(|| c.get("author")))
        .and_then(|p| p.get("date"))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok());
    // A full list (300 files) may have left workflow files out: then the update counts as
    // touching them, so what applies to workflow changes (a pull request once the token is
    // known not to write workflows) applies to it too.
    let touches_workflows = v
        .get("files")
        .and_then(Value::as_array)
        .is_some_and(|files| {
            files.len() >= FILES_LISTED_MAX
                || files.iter().any(|f| {
                    ["filename", "previous_filename"].iter().any(|k| {
                        f.get(*k)
                            .and_then(Value::as_str)
                            .is_some_and(|p| p.starts_with(".github/workflows/"))
                    })
                })
        });
    Comparison {
        behind: n("ahead_by"),
        ahead: n("behind_by"),
        oldest_missing,
        touches_workflows,
    }
}

/// See [`super::GitHub::open_pulls`].
pub(super) async fn open_pulls(
    c: &Client,
    repo: &RepoName,
    head: &str,
    base: &str,
) -> Result<Vec<PullInfo>, GhError> {
    let path = format!(
        "{}/pulls?state=open&head={}&base={}&per_page=100",
        repo_path(repo),
        query_value(head),
        query_value(base)
    );
    let Some(v) = get(c, repo, &path, Kind::Other).await? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for p in v.as_array().into_iter().flatten() {
        out.extend(pull_info(p)?);
    }
    Ok(out)
}

/// See [`super::GitHub::pull`].
pub(super) async fn pull(
    c: &Client,
    repo: &RepoName,
    number: u64,
) -> Result<Option<PullInfo>, GhError> {
    let path = format!("{}/pulls/{number}", repo_path(repo));
    match get(c, repo, &path, Kind::Other).await? {
        Some(v) => pull_info(&v),
        None => Ok(None),
    }
}

/// The object id at `field` (e.g. `/object/sha`) of an answer: `None` when absent, an error
/// when it is not an object id.
fn oid_at(v: &Value, field: &str) -> Result<Option<Oid>, GhError> {
    match v.pointer(field).and_then(Value::as_str) {
        Some(s) => Oid::parse(s)
            .map(Some)
            .map_err(|e| GhError::malformed(&field[1..].replace('/', "."), e)),
        None => Ok(None),
    }
}

/// See [`super::GitHub::branch_head`].
pub(super) async fn branch_head(
    c: &Client,
    repo: &RepoName,
    branch: &str,
) -> Result<Option<Oid>, GhError> {
    let path = format!("{}/git/ref/heads/{}", repo_path(repo), path_part(branch));
    match get(c, repo, &path, Kind::Other).await? {
        Some(v) => oid_at(&v, "/object/sha"),
        None => Ok(None),
    }
}

/// See [`super::GitHub::commit_tree`].
pub(super) async fn commit_tree(
    c: &Client,
    repo: &RepoName,
    sha: &str,
) -> Result<Option<Oid>, GhError> {
    let path = format!("{}/git/commits/{}", repo_path(repo), path_part(sha));
    match get(c, repo, &path, Kind::Other).await? {
        Some(v) => oid_at(&v, "/tree/sha"),
        None => Ok(None),
    }
}

/// See [`super::GitHub::file`].
pub(super) async fn file(
    c: &Client,
    repo: &RepoName,
    path: &str,
    git_ref: Option<&str>,
) -> Result<Option<Vec<u8>>, GhError> {
    let mut p = format!("{}/contents/{}", repo_path(repo), path_part(path));
    if let Some(r) = git_ref {
        p.push_str(&format!("?ref={}", query_value(r)));
    }
    let Some(v) = get(c, repo, &p, Kind::Other).await? else {
        return Ok(None);
    };
    match file_body(&v, path)? {
        FileBody::Inline(bytes) => Ok(Some(bytes)),
        // Over 1 MB the contents answer leaves the bytes out; the Git Data API serves the
        // blob itself (up to 100 MB).
        FileBody::Blob(sha) => {
            let bp = format!("{}/git/blobs/{}", repo_path(repo), path_part(&sha));
            let Some(b) = get(c, repo, &bp, Kind::Other).await? else {
                return Err(GhError::Decode(format!(
                    "{path}: blob {sha} named by the contents answer was not found"
                )));
            };
            blob_bytes(&b, path).map(Some)
        }
    }
}

/// What a contents answer holds for a file.
#[derive(Debug, PartialEq, Eq)]
enum FileBody {
    /// The bytes, decoded.
    Inline(Vec<u8>),
    /// Only the blob's sha: files over 1 MB come with `content: ""` and `encoding: "none"`.
    Blob(Oid),
}

/// Reads a `GET …/contents/{path}` answer (`path` only names it in errors).
fn file_body(v: &Value, path: &str) -> Result<FileBody, GhError> {
    if v.get("type").and_then(Value::as_str) != Some("file") {
        return Err(GhError::Decode(format!("{path} is not a file")));
    }
    let content = v.get("content").and_then(Value::as_str).unwrap_or("");
    let encoding = v.get("encoding").and_then(Value::as_str).unwrap_or("");
    let size = v.get("size").and_then(Value::as_u64).unwrap_or(0);
    if encoding == "none" || (content.is_empty() && size > 0) {
        return oid_at(v, "/sha")?
            .map(FileBody::Blob)
            .ok_or_else(|| GhError::Decode(format!("{path}: no content and no blob sha")));
    }
    decode_base64(content, path).map(FileBody::Inline)
}

/// Reads a `GET …/git/blobs/{file_sha}` answer (base64 by default).
fn blob_bytes(v: &Value, path: &str) -> Result<Vec<u8>, GhError> {
    let content = v
        .get("content")
        .and_then(Value::as_str)
        .ok_or_else(|| GhError::Decode(format!("{path}: blob answer without content")))?;
    match v.get("encoding").and_then(Value::as_str) {
        Some("base64") => decode_base64(content, path),
        Some("utf-8" | "utf8") => Ok(content.as_bytes().to_vec()),
        other => Err(GhError::Decode(format!(
            "{path}: blob in an unknown encoding {other:?}"
        ))),
    }
}

/// GitHub wraps base64 at 60 columns.
fn decode_base64(content: &str, path: &str) -> Result<Vec<u8>, GhError> {
    let clean: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| GhError::Decode(format!("{path}: bad base64: {e}")))
}

/// Reads a pull request answer (REST): `None` when a required field is missing, an error when
/// its head commit is not an object id.
pub(super) fn pull_info(v: &Value) -> Result<Option<PullInfo>, GhError> {
    let head_sha = oid_at(v, "/head/sha")?;
    Ok(pull_fields(v, head_sha))
}

fn pull_fields(v: &Value, head_sha: Option<Oid>) -> Option<PullInfo> {
    Some(PullInfo {
        number: v.get("number")?.as_u64()?,
        url: v.get("html_url")?.as_str()?.to_string(),
        title: v
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        head_ref: v.get("head")?.get("ref")?.as_str()?.to_string(),
        head_repo: v
            .get("head")?
            .get("repo")
            .and_then(|r| r.get("full_name"))
            .and_then(Value::as_str)
            .map(str::to_string),
        base_ref: v.get("base")?.get("ref")?.as_str()?.to_string(),
        body: v
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        labels: graphql::label_names(v.get("labels")),
        mergeable: v.get("mergeable").and_then(Value::as_bool),
        head_sha,
        open: v.get("state").and_then(Value::as_str) == Some("open"),
        node_id: v
            .get("node_id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        merged: v.get("merged_at").is_some_and(|m| !m.is_null()),
        auto_merge: v.get("auto_merge").is_some_and(|a| a.is_object()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_probe_reads_scopes_expiry_and_limit_from_headers() {
        let mut h = http::HeaderMap::new();
        h.insert("x-oauth-scopes", "repo, workflow".parse().unwrap());
        h.insert(
            "github-authentication-token-expiration",
            "2026-01-08 07:00:00 UTC".parse().unwrap(),
        );
        h.insert("x-ratelimit-limit", "5000".parse().unwrap());
        let p = probe_of(200, &h);
        assert_eq!(p.scopes.as_deref(), Some("repo, workflow"));
        assert_eq!(p.expiration.as_deref(), Some("2026-01-08 07:00:00 UTC"));
        assert_eq!(p.rate_limit, Some(5000));
        // A classic token with no scope: the header is there, empty.
        let mut h = http::HeaderMap::new();
        h.insert("x-oauth-scopes", "".parse().unwrap());
        assert_eq!(probe_of(200, &h).scopes.as_deref(), Some(""));
        // A fine-grained token: nothing.
        let p = probe_of(404, &http::HeaderMap::new());
        assert_eq!((p.scopes, p.expiration, p.rate_limit), (None, None, None));
    }

    #[test]
    fn small_files_are_inline_large_ones_name_their_blob() {
        let small = json!({"type": "file", "size": 3, "sha": "abc", "encoding": "base64",
                           "content": "aGk\nK\n"});
        assert_eq!(
            file_body(&small, "f").unwrap(),
            FileBody::Inline(b"hi\n".to_vec())
        );
        // GitHub's answer for a file between 1 and 100 MB.
        let blob = "b10b".repeat(10);
        let large = json!({"type": "file", "size": 2_000_000, "sha": blob, "encoding": "none",
                           "content": ""});
        assert_eq!(
            file_body(&large, "f").unwrap(),
            FileBody::Blob(blob.parse().unwrap())
        );
        let hostile = json!({"type": "file", "size": 2_000_000, "sha": "../../x\n::warning::y",
                             "encoding": "none", "content": ""});
        let e = file_body(&hostile, "f").unwrap_err().to_string();
        assert!(
            e.contains("malformed object id") && !e.contains("::"),
            "{e}"
        );
        let empty = json!({"type": "file", "size": 0, "sha": "e", "encoding": "base64",
                           "content": ""});
        assert_eq!(file_body(&empty, "f").unwrap(), FileBody::Inline(vec![]));
        let dir = json!([{"type": "file", "name": "x"}]);
        assert!(matches!(file_body(&dir, "d"), Err(GhError::Decode(_))));
        let no_sha = json!({"type": "file", "size": 5, "encoding": "none", "content": ""});
        assert!(matches!(file_body(&no_sha, "f"), Err(GhError::Decode(_))));
    }

    #[test]
    fn a_compare_reads_counts_and_workflow_touches_and_a_full_file_list_may_hide_them() {
        let file = |name: &str| json!({"filename": name});
        let v = json!({"ahead_by": 7, "behind_by": 2, "commits": [
            {"commit": {"committer": {"date": "2026-01-02T03:04:05Z"}}}
        ], "files": [file("src/a.rs"), {"filename": "x", "previous_filename": ".github/workflows/ci.yml"}]});
        let c = comparison(&v);
        assert_eq!((c.behind, c.ahead), (7, 2));
        assert_eq!(
            c.oldest_missing,
            Some("2026-01-02T03:04:05Z".parse().unwrap())
        );
        assert!(c.touches_workflows, "a renamed workflow file counts");
        let few: Vec<Value> = (0..299).map(|i| file(&format!("f{i}"))).collect();
        assert!(!comparison(&json!({"ahead_by": 1, "files": few})).touches_workflows);
        // GitHub lists at most 300 files for the whole comparison: the rest is unknown.
        let full: Vec<Value> = (0..300).map(|i| file(&format!("f{i}"))).collect();
        assert!(comparison(&json!({"ahead_by": 1, "files": full})).touches_workflows);
    }

    #[test]
    fn blobs_decode_base64_and_refuse_unknown_encodings() {
        let b = json!({"sha": "b", "size": 2, "encoding": "base64", "content": "aGk=\n"});
        assert_eq!(blob_bytes(&b, "f").unwrap(), b"hi".to_vec());
        let u = json!({"sha": "b", "size": 2, "encoding": "utf-8", "content": "hi"});
        assert_eq!(blob_bytes(&u, "f").unwrap(), b"hi".to_vec());
        let x = json!({"sha": "b", "size": 2, "encoding": "none", "content": ""});
        assert!(matches!(blob_bytes(&x, "f"), Err(GhError::Decode(_))));
    }
}
