//! Repositories and what hangs off them directly: `GET /repos/{o}/{r}`, branches, Dependabot
//! alerts, and the workflows listed from `.github/workflows/` on the default branch.

use git2::Oid;
use serde_json::{json, Value};

use super::shapes;
use super::support::{find_repo, git_err, page_resp, paginate_list, RepoRef, R};
use crate::exchange::{Ctx, Resp};
use crate::git::{self, store_ref, PathObject};
use crate::util::percent_encode;

pub(crate) fn get_repo(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let w = ctx.sh.world();
    let perms = ctx.caller.token.as_ref().map(|t| t.write);
    Ok(Resp::json(
        200,
        shapes::repo(ctx.sh, &w, rr.idx, true, perms),
    ))
}

pub(crate) fn branch_json(ctx: &Ctx<'_>, rr: &RepoRef, name: &str, oid: Oid) -> R {
    let info = ctx
        .sh
        .store
        .with(rr.net, |repo| git::commit_info(repo, oid))
        .map_err(git_err)?;
    let w = ctx.sh.world();
    let u = format!(
        "{}/repos/{}/branches/{}",
        ctx.sh.api,
        rr.full,
        percent_encode(name, true)
    );
    Ok(Resp::json(
        200,
        json!({
            "name": name, "commit": shapes::commit(ctx.sh, &w, &rr.full, &info),
            "_links": {"self": u, "html": format!("{}/{}/tree/{name}", ctx.sh.base, rr.full)},
            "protected": false, "protection": {"enabled": false, "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []}},
            "protection_url": format!("{u}/protection"),
        }),
    ))
}

pub(crate) fn get_branch(ctx: &Ctx<'_>, o: &str, r: &str, branch: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let oid = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            Ok(git::read_ref(
                repo,
                &store_ref(rr.id, &format!("heads/{branch}")),
            ))
        })
        .map_err(git_err)?
        .ok_or_else(|| Resp::error(404, "Branch not found"))?;
    branch_json(ctx, &rr, branch, oid)
}

pub(crate) fn branches(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let list = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            git::list_refs(repo, &store_ref(rr.id, "heads/"))
        })
        .map_err(git_err)?;
    let items: Vec<Value> = list
        .into_iter()
        .map(|(name, oid)| {
            json!({"name": name, "commit": {"sha": oid.to_string(), "url": format!("{}/repos/{}/commits/{oid}", ctx.sh.api, rr.full)}, "protected": false})
        })
        .collect();
    let (page, link) = paginate_list(ctx, items);
    Ok(page_resp(200, page, link))
}

pub(crate) fn alerts(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    match &ctx.caller.token {
        None => return Err(Resp::error(401, "Requires authentication")),
        Some(t) if !t.dependabot => return Err(Resp::error(403, t.not_accessible())),
        _ => {}
    }
    let states: Vec<String> = ctx
        .req
        .q("state")
        .map(|s| s.split(',').map(|x| x.trim().to_string()).collect())
        .unwrap_or_default();
    let w = ctx.sh.world();
    let items: Vec<Value> = w.repos[rr.idx]
        .alerts
        .iter()
        .filter(|a| states.is_empty() || states.contains(&a.state))
        .map(|a| shapes::alert(ctx.sh, &rr.full, a))
        .collect();
    drop(w);
    let (page, link) = paginate_list(ctx, items);
    Ok(page_resp(200, page, link))
}

pub(crate) fn workflows(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let created = ctx.sh.world().repos[rr.idx].created_at;
    let files = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            let Some(tip) = git::read_ref(
                repo,
                &store_ref(rr.id, &format!("heads/{}", rr.default_branch)),
            ) else {
                return Ok(Vec::new());
            };
            let mut out = Vec::new();
            if let Some(PathObject::Dir(_, items)) = git::read_path(repo, tip, git::WORKFLOW_DIR)? {
                for it in items {
                    if it.kind == "blob"
                        && (it.name.ends_with(".yml") || it.name.ends_with(".yaml"))
                    {
                        let text = repo
                            .find_blob(it.oid)
                            .map(|b| String::from_utf8_lossy(b.content()).into_owned())
                            .unwrap_or_default();
                        let name = text
                            .lines()
                            .find_map(|l| l.strip_prefix("name:"))
                            .map(|n| n.trim().trim_matches('"').trim_matches('\'').to_string())
                            .unwrap_or_else(|| format!("{}/{}", git::WORKFLOW_DIR, it.name));
                        out.push((format!("{}/{}", git::WORKFLOW_DIR, it.name), name));
                    }
                }
            }
            Ok(out)
        })
        .map_err(git_err)?;
    let total = files.len();
    let items: Vec<Value> = files
        .iter()
        .map(|(path, name)| shapes::workflow(ctx.sh, &rr.full, rr.id, path, name, created))
        .collect();
    let (page, link) = paginate_list(ctx, items);
    let resp = Resp::json(200, json!({"total_count": total, "workflows": page}));
    Ok(match link {
        Some(l) => resp.with_header("link", l),
        None => resp,
    })
}
