//! Git refs (`GET …/git/ref/{ref}`, `POST …/git/refs`, `PATCH`/`DELETE …/git/refs/{ref}`):
//! fast-forward checks (`force: false` → 422 when not a fast-forward), a commit that must
//! exist in the repository's network, and the workflow guard (changes under
//! `.github/workflows/` need the `workflow` permission) shared with merge-upstream.

use git2::{Oid, Repository};
use serde_json::json;

use super::shapes;
use super::support::{body, find_repo, git_err, missing_field, need_write, touch_push, R};
use crate::exchange::{Ctx, Resp, DOCS};
use crate::git::{self, store_ref, RefWrite};

pub(crate) fn get_ref(ctx: &Ctx<'_>, o: &str, r: &str, rf: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let oid = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            Ok(git::read_ref(repo, &store_ref(rr.id, rf)))
        })
        .map_err(git_err)?
        .ok_or_else(Resp::not_found)?;
    Ok(Resp::json(
        200,
        shapes::git_ref(ctx.sh, &rr.full, &format!("refs/{rf}"), &oid.to_string()),
    ))
}

pub(crate) fn valid_ref_name(name: &str) -> bool {
    name.starts_with("refs/")
        && name.matches('/').count() >= 2
        && git2::Reference::is_valid_name(name)
}

pub(crate) fn create_ref(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?;
    let name = b["ref"]
        .as_str()
        .ok_or_else(|| missing_field("Reference", "ref"))?;
    let sha = b["sha"]
        .as_str()
        .ok_or_else(|| missing_field("Reference", "sha"))?;
    if !valid_ref_name(name) {
        return Err(Resp::error(422, "Reference name is invalid"));
    }
    let rest = name.trim_start_matches("refs/").to_string();
    let out = ctx.sh.store.with(rr.net, |repo| {
        let Ok(oid) = Oid::from_str(sha) else {
            return Ok(Err(Resp::error(422, "Object does not exist")));
        };
        if repo.find_commit(oid).is_err() {
            return Ok(Err(Resp::error(422, "Object does not exist")));
        }
        if let Err(e) = workflow_guard(ctx, repo, rr.id, oid) {
            return Ok(Err(e));
        }
        match git::write_ref(repo, &store_ref(rr.id, &rest), oid, None)? {
            RefWrite::Done => Ok(Ok(oid)),
            RefWrite::Raced => Ok(Err(Resp::error(422, "Reference already exists"))),
        }
    });
    let oid = out.map_err(git_err)??;
    touch_push(ctx, rr.idx);
    Ok(Resp::json(
        201,
        shapes::git_ref(ctx.sh, &rr.full, name, &oid.to_string()),
    )
    .with_header(
        "location",
        format!("{}/repos/{}/git/{name}", ctx.sh.api, rr.full),
    ))
}

pub(crate) fn update_ref(ctx: &Ctx<'_>, o: &str, r: &str, rf: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?;
    let sha = b["sha"]
        .as_str()
        .ok_or_else(|| missing_field("Reference", "sha"))?;
    let force = b["force"].as_bool().unwrap_or(false);
    let full = store_ref(rr.id, rf);
    let out = ctx.sh.store.with(rr.net, |repo| {
        let Some(old) = git::read_ref(repo, &full) else {
            return Ok(Err(Resp::error(422, "Reference does not exist")));
        };
        let Ok(new) = Oid::from_str(sha) else {
            return Ok(Err(Resp::error(422, "Object does not exist")));
        };
        if repo.find_commit(new).is_err() {
            return Ok(Err(Resp::error(422, "Object does not exist")));
        }
        if !force && !git::is_ancestor(repo, old, new)? {
            return Ok(Err(Resp::error(422, "Update is not a fast forward")));
        }
        if let Err(e) = workflow_guard(ctx, repo, rr.id, new) {
            return Ok(Err(e));
        }
        match git::write_ref(repo, &full, new, Some(old))? {
            RefWrite::Done => Ok(Ok(new)),
            RefWrite::Raced => Ok(Err(Resp::error(422, "Update is not a fast forward"))),
        }
    });
    let oid = out.map_err(git_err)??;
    touch_push(ctx, rr.idx);
    Ok(Resp::json(
        200,
        shapes::git_ref(ctx.sh, &rr.full, &format!("refs/{rf}"), &oid.to_string()),
    ))
}

pub(crate) fn delete_ref(ctx: &Ctx<'_>, o: &str, r: &str, rf: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let gone = ctx
        .sh
        .store
        .with(rr.net, |repo| git::delete_ref(repo, &store_ref(rr.id, rf)))
        .map_err(git_err)?;
    if !gone {
        return Err(Resp::error(422, "Reference does not exist"));
    }
    Ok(Resp::empty(204))
}

/// Refuses a ref move that would bring in workflow changes the token may not make.
pub(crate) fn workflow_guard(
    ctx: &Ctx<'_>,
    repo: &Repository,
    repo_id: u64,
    new: Oid,
) -> Result<(), Resp> {
    let Some(t) = &ctx.caller.token else {
        return Ok(());
    };
    if t.workflow {
        return Ok(());
    }
    let known: Vec<Oid> = git::list_refs(repo, &store_ref(repo_id, ""))
        .map_err(git_err)?
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    let fresh = git::commits_between(repo, &known, new).map_err(git_err)?;
    if let Some(path) = git::first_workflow_change(repo, &fresh).map_err(git_err)? {
        return Err(Resp::json(
            422,
            json!({"message": t.workflow_refusal(&path), "documentation_url": DOCS, "status": "422"}),
        ));
    }
    Ok(())
}
