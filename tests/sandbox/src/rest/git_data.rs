//! The Git Data API: blobs, trees (`base_tree`, nested paths, `sha: null` deletes) and
//! commits, created and read as objects in the repository's network store (no ref moves).

use git2::Oid;
use serde_json::{json, Value};

use super::shapes;
use super::support::{body, find_repo, git_err, missing_field, need_write, resolve, RepoRef, R};
use crate::exchange::{Ctx, Resp};
use crate::git;
use crate::util::{base64_decode, base64_wrapped, node_id};

pub(crate) fn parse_oid(s: &str) -> Option<Oid> {
    (s.len() == 40).then(|| Oid::from_str(s).ok()).flatten()
}

pub(crate) fn create_blob(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?;
    let content = b["content"]
        .as_str()
        .ok_or_else(|| missing_field("Blob", "content"))?;
    let data = match b["encoding"].as_str().unwrap_or("utf-8") {
        "utf-8" | "utf8" => content.as_bytes().to_vec(),
        "base64" => base64_decode(content).ok_or_else(|| {
            Resp::validation(json!([{"resource": "Blob", "field": "content", "code": "invalid"}]))
        })?,
        _ => {
            return Err(Resp::validation(
                json!([{"resource": "Blob", "field": "encoding", "code": "invalid"}]),
            ))
        }
    };
    let oid = ctx
        .sh
        .store
        .with(rr.net, |repo| Ok(repo.blob(&data)?))
        .map_err(git_err)?;
    Ok(Resp::json(
        201,
        json!({"url": format!("{}/repos/{}/git/blobs/{oid}", ctx.sh.api, rr.full), "sha": oid.to_string()}),
    ))
}

pub(crate) fn get_blob(ctx: &Ctx<'_>, o: &str, r: &str, sha: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let oid = parse_oid(sha).ok_or_else(Resp::not_found)?;
    let data = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            Ok(repo.find_blob(oid).ok().map(|b| b.content().to_vec()))
        })
        .map_err(git_err)?
        .ok_or_else(Resp::not_found)?;
    Ok(Resp::json(
        200,
        json!({
            "sha": sha, "node_id": node_id("Blob", sha), "size": data.len(),
            "url": format!("{}/repos/{}/git/blobs/{sha}", ctx.sh.api, rr.full),
            "content": base64_wrapped(&data), "encoding": "base64",
        }),
    ))
}

pub(crate) fn tree_json(
    ctx: &Ctx<'_>,
    rr: &RepoRef,
    oid: Oid,
    recursive: bool,
) -> Result<Value, Resp> {
    let items = ctx
        .sh
        .store
        .with(rr.net, |repo| git::list_tree(repo, oid, recursive))
        .map_err(|_| Resp::not_found())?;
    let api = &ctx.sh.api;
    let entries: Vec<Value> = items
        .iter()
        .map(|it| {
            let mut v = json!({"path": it.path, "mode": it.mode, "type": it.kind, "sha": it.oid.to_string()});
            match it.kind {
                "blob" => {
                    v["size"] = json!(it.size.unwrap_or(0));
                    v["url"] = json!(format!("{api}/repos/{}/git/blobs/{}", rr.full, it.oid));
                }
                "tree" => v["url"] = json!(format!("{api}/repos/{}/git/trees/{}", rr.full, it.oid)),
                _ => {}
            }
            v
        })
        .collect();
    Ok(
        json!({"sha": oid.to_string(), "url": format!("{api}/repos/{}/git/trees/{oid}", rr.full), "tree": entries, "truncated": false}),
    )
}

pub(crate) fn create_tree(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?.clone();
    let list = b["tree"]
        .as_array()
        .ok_or_else(|| missing_field("Tree", "tree"))?
        .clone();
    let base = match b["base_tree"].as_str() {
        Some(s) => Some(parse_oid(s).ok_or_else(|| {
            Resp::validation(json!([{"resource": "Tree", "field": "base_tree", "code": "invalid"}]))
        })?),
        None => None,
    };
    let invalid =
        |f: &str| Resp::validation(json!([{"resource": "Tree", "field": f, "code": "invalid"}]));
    let oid = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            if let Some(bt) = base {
                if repo.find_tree(bt).is_err() {
                    return Ok(Err(Resp::error(422, "base_tree is not a valid tree oid")));
                }
            }
            let mut entries = Vec::new();
            for e in &list {
                let Some(path) = e["path"].as_str() else { return Ok(Err(invalid("path"))) };
                let mode = match e["mode"].as_str().unwrap_or("100644") {
                    "100644" => 0o100644,
                    "100755" => 0o100755,
                    "040000" | "40000" => 0o040000,
                    "160000" => 0o160000,
                    "120000" => 0o120000,
                    _ => return Ok(Err(invalid("mode"))),
                };
                let oid = if let Some(c) = e["content"].as_str() {
                    Some(repo.blob(c.as_bytes())?)
                } else if e.get("sha").is_some_and(Value::is_null) {
                    None
                } else {
                    let Some(o) = e["sha"].as_str().and_then(parse_oid) else { return Ok(Err(invalid("sha"))) };
                    if repo.find_object(o, None).is_err() {
                        return Ok(Err(Resp::validation(json!([{"resource": "Tree", "field": "sha", "code": "invalid", "message": format!("tree.sha {o} is not a valid blob")}]))));
                    }
                    Some(o)
                };
                entries.push(git::NewTreeEntry {
                    path: path.to_string(),
                    mode,
                    oid,
                });
            }
            Ok(Ok(git::build_tree(repo, base, &entries)?))
        })
        .map_err(git_err)??;
    Ok(Resp::json(201, tree_json(ctx, &rr, oid, false)?))
}

pub(crate) fn get_tree(ctx: &Ctx<'_>, o: &str, r: &str, sha: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let oid = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            Ok(resolve(repo, rr.id, sha)
                .and_then(|c| repo.find_commit(c).ok().map(|c| c.tree_id()))
                .or_else(|| parse_oid(sha).filter(|o| repo.find_tree(*o).is_ok())))
        })
        .map_err(git_err)?
        .ok_or_else(Resp::not_found)?;
    let recursive = ctx
        .req
        .q("recursive")
        .is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    Ok(Resp::json(200, tree_json(ctx, &rr, oid, recursive)?))
}

pub(crate) fn sig_of(v: &Value, default: (&str, &str, i64)) -> (String, String, i64) {
    let name = v["name"].as_str().unwrap_or(default.0).to_string();
    let email = v["email"].as_str().unwrap_or(default.1).to_string();
    let date = v["date"]
        .as_str()
        .and_then(crate::util::parse_rfc3339)
        .unwrap_or(default.2);
    (name, email, date)
}

pub(crate) fn create_commit(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?.clone();
    let message = b["message"]
        .as_str()
        .ok_or_else(|| missing_field("Commit", "message"))?
        .to_string();
    let tree = b["tree"]
        .as_str()
        .ok_or_else(|| missing_field("Commit", "tree"))?;
    let tree = parse_oid(tree).ok_or_else(|| {
        Resp::validation(json!([{"resource": "Commit", "field": "tree", "code": "invalid"}]))
    })?;
    let parents: Vec<Oid> = match b["parents"].as_array() {
        Some(a) => a
            .iter()
            .map(|p| p.as_str().and_then(parse_oid))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                Resp::validation(
                    json!([{"resource": "Commit", "field": "parents", "code": "invalid"}]),
                )
            })?,
        None => Vec::new(),
    };
    let login = ctx
        .caller
        .token
        .as_ref()
        .map(|t| t.login.clone())
        .unwrap_or_default();
    let email = format!("{login}@users.noreply.github.com");
    let now = ctx.sh.now();
    let author = sig_of(&b["author"], (&login, &email, now));
    let committer = if b["committer"].is_object() {
        sig_of(&b["committer"], (&author.0, &author.1, author.2))
    } else {
        author.clone()
    };
    let info = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            if repo.find_tree(tree).is_err() {
                return Ok(Err(Resp::error(422, "Tree SHA does not exist")));
            }
            if parents.iter().any(|p| repo.find_commit(*p).is_err()) {
                return Ok(Err(Resp::error(
                    422,
                    "Parent SHA does not exist or is not a commit object",
                )));
            }
            let a = git::signature(&author.0, &author.1, author.2)?;
            let c = git::signature(&committer.0, &committer.1, committer.2)?;
            let oid = git::write_commit(repo, tree, &parents, &message, &a, &c)?;
            // New in the network: the other repositories see it `propagation_ms` later.
            ctx.sh.propagation().made(rr.net, rr.id, oid);
            Ok(Ok(git::commit_info(repo, oid)?))
        })
        .map_err(git_err)??;
    Ok(
        Resp::json(201, shapes::git_commit(ctx.sh, &rr.full, &info)).with_header(
            "location",
            format!("{}/repos/{}/git/commits/{}", ctx.sh.api, rr.full, info.sha),
        ),
    )
}

pub(crate) fn get_commit(ctx: &Ctx<'_>, o: &str, r: &str, sha: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let oid = parse_oid(sha).ok_or_else(Resp::not_found)?;
    let info = ctx
        .sh
        .store
        .with(rr.net, |repo| git::commit_info(repo, oid))
        .map_err(|_| Resp::not_found())?;
    Ok(Resp::json(200, shapes::git_commit(ctx.sh, &rr.full, &info)))
}
