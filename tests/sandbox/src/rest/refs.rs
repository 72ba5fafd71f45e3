//! Git refs (`GET …/git/ref/{ref}`, `POST …/git/refs`, `PATCH`/`DELETE …/git/refs/{ref}`):
//! fast-forward checks (`force: false` → 422 when not a fast-forward), a commit that must
//! exist in the repository's network and have reached this repository (`propagation`: 404
//! until it has), and the workflow guard (changes under `.github/workflows/` need the
//! `workflow` permission: 404 on refs as on GitHub, 422 with GitHub's wording on
//! merge-upstream).

use git2::{Oid, Repository};
use serde_json::json;

use super::shapes;
use super::support::RepoRef;
use super::support::{body, find_repo, git_err, missing_field, need_write, touch_push, R};
use crate::behaviour::WorkflowRefusal;
use crate::exchange::{Ctx, Resp};
use crate::git::{self, store_ref, RefWrite};

/// The documentation link of `PATCH …/git/refs/{ref}`'s answers.
pub(crate) const UPDATE_REF_DOCS: &str = "https://docs.github.com/rest/git/refs#update-a-reference";
/// The documentation link of `POST …/git/refs`'s answers.
pub(crate) const CREATE_REF_DOCS: &str = "https://docs.github.com/rest/git/refs#create-a-reference";

/// GitHub's 404 for a ref write, with the operation's documentation link: a commit that has
/// not reached this fork yet (cli/cli#4907: `{"message": "Not Found", "documentation_url":
/// …#update-a-reference}` as recorded in cli/cli#7574; newer bodies carry `"status"`), or a
/// workflow change the token may not make (cli/cli#7574).
fn ref_not_found(docs: &str) -> Resp {
    Resp::json(
        404,
        json!({"message": "Not Found", "documentation_url": docs, "status": "404"}),
    )
}

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
        // A branch points at a commit. A tag may also point at an annotated tag's object:
        // "If you want to create an annotated tag in Git, you have to […] create the tag
        // object, and then create the refs/tags/[tag] reference" (docs.github.com, REST
        // "Create a tag object").
        let commit = if repo.find_commit(oid).is_ok() {
            oid
        } else {
            match repo.find_tag(oid) {
                Ok(t) if rest.starts_with("tags/") => t.target()?.peel_to_commit()?.id(),
                _ => return Ok(Err(Resp::error(422, "Object does not exist"))),
            }
        };
        if unreached(ctx, repo, &rr, oid)? {
            return Ok(Err(ref_not_found(CREATE_REF_DOCS)));
        }
        // A new ref is judged against the default branch.
        let base = git::read_ref(
            repo,
            &store_ref(rr.id, &format!("heads/{}", rr.default_branch)),
        );
        if let Err(e) = ref_workflow_guard(ctx, repo, base, commit, CREATE_REF_DOCS) {
            return Ok(Err(e));
        }
        match git::write_ref(repo, &store_ref(rr.id, &rest), oid, None)? {
            RefWrite::Done => Ok(Ok((oid, oid != commit))),
            RefWrite::Raced => Ok(Err(Resp::error(422, "Reference already exists"))),
        }
    });
    let (oid, tag_object) = out.map_err(git_err)??;
    touch_push(ctx, rr.idx);
    let mut shape = shapes::git_ref(ctx.sh, &rr.full, name, &oid.to_string());
    if tag_object {
        // The `git-ref` schema's `object.type` names the object: `tag` for a tag object.
        shape["object"]["type"] = json!("tag");
        shape["object"]["url"] = json!(format!("{}/repos/{}/git/tags/{oid}", ctx.sh.api, rr.full));
    }
    Ok(Resp::json(201, shape).with_header(
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
        if unreached(ctx, repo, &rr, new)? {
            return Ok(Err(ref_not_found(UPDATE_REF_DOCS)));
        }
        if !force && !git::is_ancestor(repo, old, new)? {
            return Ok(Err(Resp::error(422, "Update is not a fast forward")));
        }
        if let Err(e) = ref_workflow_guard(ctx, repo, Some(old), new, UPDATE_REF_DOCS) {
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

/// Whether `new` brings repository `rr` a commit that has not reached it yet: one made while
/// the sandbox runs, elsewhere in the network, too recently (`Behaviour::propagation_ms`) or
/// never to propagate by itself, and not already reachable from one of `rr`'s own refs.
pub(crate) fn unreached(
    ctx: &Ctx<'_>,
    repo: &Repository,
    rr: &RepoRef,
    new: Oid,
) -> git::GResult<bool> {
    let delay = std::time::Duration::from_millis(ctx.sh.behaviour.propagation_ms);
    let pending = ctx.sh.propagation().not_yet_in(rr.net, rr.id, delay);
    if pending.is_empty() {
        return Ok(false);
    }
    // Tags point at tag objects too: ancestry is between the commits they point at.
    let commit_of = |o: Oid| {
        repo.find_object(o, None)
            .and_then(|x| x.peel_to_commit())
            .map(|c| c.id())
            .ok()
    };
    let own: Vec<(Oid, Option<Oid>)> = git::list_refs(repo, &store_ref(rr.id, ""))?
        .into_iter()
        .map(|(_, o)| (o, commit_of(o)))
        .collect();
    let new_commit = commit_of(new);
    for p in pending {
        let p_commit = repo.find_commit(p).is_ok().then_some(p);
        let brought = p == new
            || match (p_commit, new_commit) {
                (Some(a), Some(b)) => git::is_ancestor(repo, a, b)?,
                _ => false,
            };
        if !brought {
            continue;
        }
        let mut has = false;
        for &(o, o_commit) in &own {
            let reaches = match (p_commit, o_commit) {
                (Some(a), Some(b)) => git::is_ancestor(repo, a, b)?,
                _ => false,
            };
            if o == p || reaches {
                has = true;
                break;
            }
        }
        if !has {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The first workflow file `new` changes against `base` when the token may not change
/// workflows (None: allowed, or nothing under `.github/workflows/` changes).
pub(crate) fn refused_workflow(
    ctx: &Ctx<'_>,
    repo: &Repository,
    base: Option<Oid>,
    new: Oid,
) -> Result<Option<String>, Resp> {
    match &ctx.caller.token {
        Some(t) if !t.workflow => git::workflow_change_between(repo, base, new).map_err(git_err),
        _ => Ok(None),
    }
}

/// GitHub's 422 refusing a workflow change, worded by token kind, with `docs` as its link.
pub(crate) fn workflow_refused_422(ctx: &Ctx<'_>, path: &str, docs: &str) -> Resp {
    let message = ctx
        .caller
        .token
        .as_ref()
        .map(|t| t.workflow_refusal(path))
        .unwrap_or_default();
    Resp::json(
        422,
        json!({"message": message, "documentation_url": docs, "status": "422"}),
    )
}

/// Refuses a ref move whose new commit changes workflows against `base` without the
/// permission: 404 as GitHub answers (`Behaviour::workflow_refusal`), or the explicit 422.
fn ref_workflow_guard(
    ctx: &Ctx<'_>,
    repo: &Repository,
    base: Option<Oid>,
    new: Oid,
    docs: &str,
) -> Result<(), Resp> {
    match refused_workflow(ctx, repo, base, new)? {
        None => Ok(()),
        Some(path) => Err(match ctx.sh.behaviour.workflow_refusal {
            WorkflowRefusal::NotFound => ref_not_found(docs),
            WorkflowRefusal::Explicit => workflow_refused_422(ctx, &path, docs),
        }),
    }
}
