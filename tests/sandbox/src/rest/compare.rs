//! `GET …/compare/{base}...{head}`: two commit-ishes within one fork network (outside it:
//! 404), commits oldest first and paginated, the changed files, and ahead/behind counts that
//! equal `git rev-list --count`.

use serde_json::{json, Value};

use super::shapes;
use super::support::{find_repo, git_err, paginate, per_page, resolve, RepoRef, R};
use crate::exchange::{Ctx, Resp};
use crate::git;
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

pub(crate) fn compare(ctx: &Ctx<'_>, o: &str, r: &str, basehead: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let (base_s, head_s) = basehead.split_once("...").ok_or_else(Resp::not_found)?;
    let (base, head, base_id, head_id, head_full) = {
        let w = ctx.sh.world();
        let base = compare_side(&w, &rr, base_s).ok_or_else(Resp::not_found)?;
        let head = compare_side(&w, &rr, head_s).ok_or_else(Resp::not_found)?;
        let (bi, hi) = (w.repos[base.0].id, w.repos[head.0].id);
        let hf = w.repos[head.0].full_name();
        (base, head, bi, hi, hf)
    };
    let _ = head_full;
    let (pp, page) = per_page(ctx, 250, 250);
    let res = ctx.sh.store.with(rr.net, |repo| {
        let (Some(b), Some(h)) = (
            resolve(repo, base_id, &base.1),
            resolve(repo, head_id, &head.1),
        ) else {
            return Ok(None);
        };
        let ahead = git::count_between(repo, &[b], h)?;
        let behind = git::count_between(repo, &[h], b)?;
        let mb = git::merge_base(repo, b, h);
        let all = git::commits_between(repo, &[b], h)?;
        let shown: Vec<git::CommitInfo> = all
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
        Ok(Some((
            git::commit_info(repo, b)?,
            mb.map(|m| git::commit_info(repo, m)).transpose()?,
            ahead,
            behind,
            shown,
            files,
            all.len(),
        )))
    });
    let Some((base_c, mb_c, ahead, behind, shown, files, total)) = res.map_err(git_err)? else {
        return Err(Resp::not_found());
    };
    let status = match (ahead, behind) {
        (0, 0) => "identical",
        (_, 0) => "ahead",
        (0, _) => "behind",
        _ => "diverged",
    };
    let w = ctx.sh.world();
    let api = &ctx.sh.api;
    let full = &rr.full;
    let commits: Vec<Value> = shown
        .iter()
        .map(|c| shapes::commit(ctx.sh, &w, full, c))
        .collect();
    let files: Vec<Value> = files
        .iter()
        .take(300)
        .map(|f| {
            let mut v = json!({
                "sha": f.sha.to_string(), "filename": f.filename, "status": f.status,
                "additions": f.additions, "deletions": f.deletions, "changes": f.additions + f.deletions,
                "blob_url": format!("{}/{full}/blob/{}/{}", ctx.sh.base, base_c.sha, f.filename),
                "raw_url": format!("{}/{full}/raw/{}/{}", ctx.sh.base, base_c.sha, f.filename),
                "contents_url": format!("{api}/repos/{full}/contents/{}", percent_encode(&f.filename, true)),
            });
            if let Some(p) = &f.patch {
                v["patch"] = json!(p);
            }
            if let Some(prev) = &f.previous_filename {
                v["previous_filename"] = json!(prev);
            }
            v
        })
        .collect();
    let html = format!("{}/{full}/compare/{basehead}", ctx.sh.base);
    let mb_json = match &mb_c {
        Some(c) => shapes::commit(ctx.sh, &w, full, c),
        None => shapes::commit(ctx.sh, &w, full, &base_c),
    };
    let v = json!({
        "url": format!("{api}/repos/{full}/compare/{basehead}"), "html_url": html,
        "permalink_url": html, "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"),
        "base_commit": shapes::commit(ctx.sh, &w, full, &base_c), "merge_base_commit": mb_json,
        "status": status, "ahead_by": ahead, "behind_by": behind, "total_commits": ahead,
        "commits": commits, "files": files,
    });
    drop(w);
    // compare paginates its commits: link header over total commits
    let (_, link) = paginate(ctx, vec![(); total], 250, 250);
    let resp = Resp::json(200, v);
    Ok(match link {
        Some(l) => resp.with_header("link", l),
        None => resp,
    })
}
