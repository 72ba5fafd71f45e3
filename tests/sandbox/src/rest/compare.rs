//! `GET …/compare/{base}...{head}`: two commit-ishes within one fork network (outside it:
//! 404), commits oldest first and paginated, the changed files, and ahead/behind counts that
//! equal `git rev-list --count`.

use serde_json::{json, Value};

use super::shapes;
use super::support::{find_repo, git_err, paginate, per_page, resolve, RepoRef, R};
use crate::exchange::{Ctx, Resp};
use crate::git::{self, CommitInfo, FileChange};
use crate::model::World;
use crate::util::percent_encode;

/// One side of `base...head`: the repository and the commit-ish within it.
pub(crate) fn compare_side(w: &World, rr: &RepoRef, side: &str) -> Option<(usize, String)> {
    let parts: Vec<&str> = side.splitn(3, ':').collect();
    match parts.as_slice() {
        [b] => Some((rr.idx, b.to_string())),
        [owner, b] => w
            .in_network(rr.net, owner, None)
            .map(|i| (i, b.to_string())),
        [owner, repo, b] => w
            .in_network(rr.net, owner, Some(repo))
            .map(|i| (i, b.to_string())),
        _ => None,
    }
}

/// What git says about `base...head`.
struct Compared {
    base: CommitInfo,
    merge_base: Option<CommitInfo>,
    ahead: usize,
    behind: usize,
    /// This page's commits, oldest first.
    shown: Vec<CommitInfo>,
    /// Files changed from the merge base to the head.
    files: Vec<FileChange>,
    /// Commits in the whole range.
    total: usize,
}

pub(crate) fn compare(ctx: &Ctx<'_>, o: &str, r: &str, basehead: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let (base_s, head_s) = basehead.split_once("...").ok_or_else(Resp::not_found)?;
    let (base, head) = {
        let w = ctx.sh.world();
        let base = compare_side(&w, &rr, base_s).ok_or_else(Resp::not_found)?;
        let head = compare_side(&w, &rr, head_s).ok_or_else(Resp::not_found)?;
        ((w.repos[base.0].id, base.1), (w.repos[head.0].id, head.1))
    };
    let per_page_max = ctx.sh.behaviour.compare_commits_per_page;
    let paging = per_page(ctx, per_page_max, per_page_max);
    let c = compared(ctx, &rr, &base, &head, paging)?.ok_or_else(Resp::not_found)?;
    let fail_over = ctx.sh.behaviour.compare_fail_over;
    if fail_over > 0 && c.total > fail_over {
        return Err(diff_unavailable());
    }
    let v = compare_json(ctx, &rr, basehead, &c, paging.1);
    // compare paginates its commits: link header over total commits
    let (_, link) = paginate(ctx, vec![(); c.total], per_page_max, per_page_max);
    let resp = Resp::json(200, v);
    Ok(match link {
        Some(l) => resp.with_header("link", l),
        None => resp,
    })
}

/// Compares `base` and `head` (each a repository id and a commit-ish in it) in the
/// repository's network store; None when either side does not resolve.
fn compared(
    ctx: &Ctx<'_>,
    rr: &RepoRef,
    (base_id, base): &(u64, String),
    (head_id, head): &(u64, String),
    (pp, page): (usize, usize),
) -> Result<Option<Compared>, Resp> {
    ctx.sh
        .store
        .with(rr.net, |repo| {
            let (Some(b), Some(h)) = (resolve(repo, *base_id, base), resolve(repo, *head_id, head))
            else {
                return Ok(None);
            };
            let ahead = git::count_between(repo, &[b], h)?;
            let behind = git::count_between(repo, &[h], b)?;
            let mb = git::merge_base(repo, b, h);
            let all = git::commits_between(repo, &[b], h)?;
            let shown: Vec<CommitInfo> = all
                .iter()
                .skip((page - 1) * pp)
                .take(pp)
                .map(|c| git::commit_info(repo, *c))
                .collect::<Result<_, _>>()?;
            let files = match mb {
                Some(m) => git::diff_files(
                    repo,
                    Some(git::commit_info(repo, m)?.tree),
                    git::commit_info(repo, h)?.tree,
                )?,
                None => Vec::new(),
            };
            Ok(Some(Compared {
                base: git::commit_info(repo, b)?,
                merge_base: mb.map(|m| git::commit_info(repo, m)).transpose()?,
                ahead,
                behind,
                shown,
                files,
                total: all.len(),
            }))
        })
        .map_err(git_err)
}

/// GitHub's answer when it cannot compute a comparison's diff, recorded as it is (without
/// `documentation_url`): link-assistant/hive-mind#1831, 2026-05. The compare operation
/// documents 500 (`internal_error`).
pub(crate) fn diff_unavailable() -> Resp {
    Resp::json(
        500,
        json!({
            "message": "Server Error: Sorry, this diff is temporarily unavailable due to heavy server load.",
            "errors": [{"resource": "Comparison", "field": "diff", "code": "not_available"}],
            "status": "500",
        }),
    )
}

/// The `commit-comparison` shape. The changed files come on the first page only, at most
/// `Behaviour::compare_files_max` of them (the compare operation's description: "the list of
/// changed files is only shown on the first page of results", "up to 300 changed files for
/// the entire comparison").
fn compare_json(ctx: &Ctx<'_>, rr: &RepoRef, basehead: &str, c: &Compared, page: usize) -> Value {
    let status = match (c.ahead, c.behind) {
        (0, 0) => "identical",
        (_, 0) => "ahead",
        (0, _) => "behind",
        _ => "diverged",
    };
    let w = ctx.sh.world();
    let api = &ctx.sh.api;
    let full = &rr.full;
    let commits: Vec<Value> = c
        .shown
        .iter()
        .map(|x| shapes::commit(ctx.sh, &w, full, x))
        .collect();
    let files: Vec<Value> = c
        .files
        .iter()
        .take(if page == 1 {
            ctx.sh.behaviour.compare_files_max
        } else {
            0
        })
        .map(|f| file_json(ctx, full, &c.base, f))
        .collect();
    let html = format!("{}/{full}/compare/{basehead}", ctx.sh.base);
    let mb_json = shapes::commit(ctx.sh, &w, full, c.merge_base.as_ref().unwrap_or(&c.base));
    json!({
        "url": format!("{api}/repos/{full}/compare/{basehead}"), "html_url": html,
        "permalink_url": html, "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"),
        "base_commit": shapes::commit(ctx.sh, &w, full, &c.base), "merge_base_commit": mb_json,
        "status": status, "ahead_by": c.ahead, "behind_by": c.behind, "total_commits": c.ahead,
        "commits": commits, "files": files,
    })
}

/// One changed file of a comparison (`diff-entry`).
fn file_json(ctx: &Ctx<'_>, full: &str, base: &CommitInfo, f: &FileChange) -> Value {
    let api = &ctx.sh.api;
    let mut v = json!({
        "sha": f.sha.to_string(), "filename": f.filename, "status": f.status,
        "additions": f.additions, "deletions": f.deletions, "changes": f.additions + f.deletions,
        "blob_url": format!("{}/{full}/blob/{}/{}", ctx.sh.base, base.sha, f.filename),
        "raw_url": format!("{}/{full}/raw/{}/{}", ctx.sh.base, base.sha, f.filename),
        "contents_url": format!("{api}/repos/{full}/contents/{}", percent_encode(&f.filename, true)),
    });
    if let Some(p) = &f.patch {
        v["patch"] = json!(p);
    }
    if let Some(prev) = &f.previous_filename {
        v["previous_filename"] = json!(prev);
    }
    v
}
