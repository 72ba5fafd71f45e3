//! `GET …/contents/{path}?ref=`: a file's bytes (base64) or a directory listing; files over
//! GitHub's 1 MB (`Behaviour::contents_inline_max`) come without their bytes, to be read
//! through the blob.

use serde_json::{json, Value};

use super::shapes;
use super::support::{find_repo, git_err, resolve, R};
use crate::exchange::{Ctx, Resp};
use crate::git::{self, PathObject};
use crate::util::base64_wrapped;

pub(crate) fn contents(ctx: &Ctx<'_>, o: &str, r: &str, path: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let git_ref = ctx.req.q("ref").unwrap_or(&rr.default_branch).to_string();
    let found = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            let Some(tip) = resolve(repo, rr.id, &git_ref) else {
                return Ok(None);
            };
            git::read_path(repo, tip, path)
        })
        .map_err(git_err)?;
    let path = path.trim_matches('/');
    match found {
        None => Err(Resp::not_found()),
        Some(PathObject::File(oid, _, data)) => {
            let mut v = shapes::content_entry(
                ctx.sh,
                &rr.full,
                &git_ref,
                path,
                &oid.to_string(),
                "file",
                data.len(),
            );
            if data.len() > ctx.sh.behaviour.contents_inline_max {
                // As GitHub: 1–100 MB files come without their bytes (read the blob instead).
                v["content"] = json!("");
                v["encoding"] = json!("none");
            } else {
                v["content"] = json!(base64_wrapped(&data));
                v["encoding"] = json!("base64");
            }
            Ok(Resp::json(200, v))
        }
        Some(PathObject::Dir(_, items)) => {
            let list: Vec<Value> = items
                .iter()
                .map(|it| {
                    let p = if path.is_empty() {
                        it.name.clone()
                    } else {
                        format!("{path}/{}", it.name)
                    };
                    let kind = match it.kind {
                        "tree" => "dir",
                        "commit" => "submodule",
                        _ if it.mode == "120000" => "symlink",
                        _ => "file",
                    };
                    shapes::content_entry(
                        ctx.sh,
                        &rr.full,
                        &git_ref,
                        &p,
                        &it.oid.to_string(),
                        kind,
                        it.size.unwrap_or(0),
                    )
                })
                .collect();
            Ok(Resp::json(200, Value::Array(list)))
        }
    }
}
