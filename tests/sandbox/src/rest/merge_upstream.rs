//! `POST …/merge-upstream`: brings the parent's branch into a fork's branch as GitHub does,
//! by fast-forward or a real merge commit, `none` when not behind, 409 on conflicts, 422
//! when not a fork or the branch is missing, 422 with GitHub's wording by token kind when the
//! update changes a workflow the token may not (cli/cli#7612, #10574). It works at once on
//! new upstream commits and makes them usable in the fork from then on (`propagation`;
//! cli/cli#4942).

use serde_json::json;

use super::refs::{refused_workflow, workflow_refused_422};
use super::support::{body, find_repo, git_err, missing_field, need_write, touch_push, R};
use crate::exchange::{Ctx, Resp};
use crate::git::{self, store_ref, Merge, RefWrite};

/// The documentation link of merge-upstream's answers (recorded: cli/cli#7612, #10574,
/// PyGithub/PyGithub#2066).
pub(crate) const MERGE_UPSTREAM_DOCS: &str =
    "https://docs.github.com/rest/branches/branches#sync-a-fork-branch-with-the-upstream-repository";

/// An error answer of merge-upstream, with its documentation link.
fn refusal(status: u16, message: &str) -> Resp {
    Resp::json(
        status,
        json!({"message": message, "documentation_url": MERGE_UPSTREAM_DOCS, "status": status.to_string()}),
    )
}

pub(crate) fn merge_upstream(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?;
    let branch = b["branch"]
        .as_str()
        .ok_or_else(|| missing_field("Repository", "branch"))?
        .to_string();
    let Some(parent) = rr.parent else {
        return Err(refusal(422, "This repository is not a fork."));
    };
    let (p_id, p_owner, p_default) = {
        let w = ctx.sh.world();
        let p = &w.repos[parent];
        (p.id, p.owner.clone(), p.default_branch.clone())
    };
    let now = ctx.sh.now();
    let delay = std::time::Duration::from_millis(ctx.sh.behaviour.propagation_ms);
    let login = ctx
        .caller
        .token
        .as_ref()
        .map(|t| t.login.clone())
        .unwrap_or_default();
    let out = ctx.sh.store.with(rr.net, |repo| {
        let fork_ref = store_ref(rr.id, &format!("heads/{branch}"));
        let Some(ours) = git::read_ref(repo, &fork_ref) else {
            return Ok(Err(refusal(422, "Branch not found")));
        };
        let mut up_branch = branch.clone();
        let mut theirs = git::read_ref(repo, &store_ref(p_id, &format!("heads/{branch}")));
        if theirs.is_none() && branch == rr.default_branch {
            up_branch = p_default.clone();
            theirs = git::read_ref(repo, &store_ref(p_id, &format!("heads/{p_default}")));
        }
        let Some(theirs) = theirs else {
            return Ok(Err(refusal(422, &format!("The upstream repository does not have a {branch} branch."))));
        };
        let base_branch = format!("{p_owner}:{up_branch}");
        // GitHub fetches the upstream into the fork: its commits are usable there from now on.
        let upstream_commits = ctx.sh.propagation().not_yet_in(rr.net, rr.id, delay);
        let mut fetched = Vec::new();
        for c in upstream_commits {
            if c == theirs || git::is_ancestor(repo, c, theirs)? {
                fetched.push(c);
            }
        }
        ctx.sh.propagation().fetched_into(rr.id, fetched);
        if git::is_ancestor(repo, theirs, ours)? {
            return Ok(Ok(json!({"message": format!("This branch is not behind the upstream {base_branch}."), "merge_type": "none", "base_branch": base_branch})));
        }
        let (new, kind, verb) = if git::is_ancestor(repo, ours, theirs)? {
            (theirs, "fast-forward", "fast-forwarded")
        } else {
            match git::merge(repo, ours, theirs)? {
                Merge::Conflict(_) => {
                    return Ok(Err(refusal(409, "There are merge conflicts")));
                }
                Merge::Clean(tree) => {
                    let sig = git::signature("GitHub", "noreply@github.com", now)?;
                    let author = git::signature(&login, &format!("{login}@users.noreply.github.com"), now)?;
                    let msg = format!("Merge branch '{up_branch}' of {}/{p_owner} into {branch}\n", ctx.sh.base);
                    (git::write_commit(repo, tree, &[ours, theirs], &msg, &author, &sig)?, "merge", "merged")
                }
            }
        };
        match refused_workflow(ctx, repo, Some(ours), new) {
            Ok(None) => {}
            Ok(Some(path)) => return Ok(Err(workflow_refused_422(ctx, &path, MERGE_UPSTREAM_DOCS))),
            Err(e) => return Ok(Err(e)),
        }
        if kind == "merge" {
            ctx.sh.propagation().made(rr.net, rr.id, new);
        }
        match git::write_ref(repo, &fork_ref, new, Some(ours))? {
            RefWrite::Done => Ok(Ok(json!({
                "message": format!("Successfully fetched and {verb} from upstream {base_branch}."),
                "merge_type": kind, "base_branch": base_branch,
            }))),
            RefWrite::Raced => Ok(Err(refusal(409, "Reference update failed"))),
        }
    });
    let v = out.map_err(git_err)??;
    if v["merge_type"] != "none" {
        touch_push(ctx, rr.idx);
    }
    Ok(Resp::json(200, v))
}
