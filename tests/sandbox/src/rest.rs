//! The REST route table and its handlers: each answers as GitHub does (paths, status codes,
//! wording), reading and writing real git through `git.rs`. Anything not in `route` is an
//! unexpected route (404, recorded).

use git2::{Oid, Repository};
use serde_json::{json, Value};

use crate::git::{self, store_ref, Merge, PathObject, RefWrite};
use crate::model::{Label, Pull, World};
use crate::server::{rate_headers, Ctx, Resp, DOCS};
use crate::shapes::{self, PullFacts};
use crate::util::{base64_decode, base64_wrapped, percent_decode, percent_encode, rfc3339};

/// A supported operation, with its path parameters (decoded).
#[derive(Clone, Debug)]
#[allow(missing_docs)]
pub enum Route {
    RateLimit,
    Graphql,
    Repo {
        o: String,
        r: String,
    },
    Branches {
        o: String,
        r: String,
    },
    Branch {
        o: String,
        r: String,
        branch: String,
    },
    GetRef {
        o: String,
        r: String,
        rf: String,
    },
    CreateRef {
        o: String,
        r: String,
    },
    Ref {
        o: String,
        r: String,
        rf: String,
    },
    Compare {
        o: String,
        r: String,
        basehead: String,
    },
    MergeUpstream {
        o: String,
        r: String,
    },
    Pulls {
        o: String,
        r: String,
    },
    Pull {
        o: String,
        r: String,
        n: u64,
    },
    Reviewers {
        o: String,
        r: String,
        n: u64,
    },
    Labels {
        o: String,
        r: String,
    },
    IssueLabels {
        o: String,
        r: String,
        n: u64,
    },
    Alerts {
        o: String,
        r: String,
    },
    Workflows {
        o: String,
        r: String,
    },
    Contents {
        o: String,
        r: String,
        path: String,
    },
    Blobs {
        o: String,
        r: String,
    },
    Blob {
        o: String,
        r: String,
        sha: String,
    },
    Trees {
        o: String,
        r: String,
    },
    Tree {
        o: String,
        r: String,
        sha: String,
    },
    Commits {
        o: String,
        r: String,
    },
    Commit {
        o: String,
        r: String,
        sha: String,
    },
    Installation {
        o: String,
        r: String,
    },
    AccessTokens {
        id: u64,
    },
}

/// Matches a method and path (without GHES prefix) against the supported operations.
pub fn route(method: &str, path: &str) -> Option<Route> {
    let raw: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let seg: Vec<String> = raw.iter().map(|s| percent_decode(s, false)).collect();
    let tail = |from: usize| percent_decode(&raw[from..].join("/"), false);
    let s: Vec<&str> = seg.iter().map(String::as_str).collect();
    let m = method;
    if s == ["rate_limit"] && m == "GET" {
        return Some(Route::RateLimit);
    }
    if s == ["graphql"] && m == "POST" {
        return Some(Route::Graphql);
    }
    if s.len() == 4
        && s[0] == "app"
        && s[1] == "installations"
        && s[3] == "access_tokens"
        && m == "POST"
    {
        return s[2].parse().ok().map(|id| Route::AccessTokens { id });
    }
    if s.len() < 3 || s[0] != "repos" || s[1].is_empty() || s[2].is_empty() {
        return None;
    }
    let (o, r) = (s[1].to_string(), s[2].to_string());
    let rest = &s[3..];
    let num = |x: &str| x.parse::<u64>().ok();
    Some(match (m, rest) {
        ("GET", []) => Route::Repo { o, r },
        ("GET", ["branches"]) => Route::Branches { o, r },
        ("GET", ["branches", _, ..]) => Route::Branch {
            o,
            r,
            branch: tail(4),
        },
        ("GET", ["git", "ref", _, ..]) => Route::GetRef { o, r, rf: tail(5) },
        ("POST", ["git", "refs"]) => Route::CreateRef { o, r },
        ("PATCH" | "DELETE", ["git", "refs", _, ..]) => Route::Ref { o, r, rf: tail(5) },
        ("GET", ["compare", _, ..]) => Route::Compare {
            o,
            r,
            basehead: tail(4),
        },
        ("POST", ["merge-upstream"]) => Route::MergeUpstream { o, r },
        ("GET" | "POST", ["pulls"]) => Route::Pulls { o, r },
        ("GET" | "PATCH", ["pulls", n]) => Route::Pull { o, r, n: num(n)? },
        ("POST", ["pulls", n, "requested_reviewers"]) => Route::Reviewers { o, r, n: num(n)? },
        ("GET" | "POST", ["labels"]) => Route::Labels { o, r },
        ("GET" | "POST", ["issues", n, "labels"]) => Route::IssueLabels { o, r, n: num(n)? },
        ("GET", ["dependabot", "alerts"]) => Route::Alerts { o, r },
        ("GET", ["actions", "workflows"]) => Route::Workflows { o, r },
        ("GET", ["contents", ..]) => Route::Contents {
            o,
            r,
            path: if rest.len() > 1 {
                tail(4)
            } else {
                String::new()
            },
        },
        ("POST", ["git", "blobs"]) => Route::Blobs { o, r },
        ("GET", ["git", "blobs", sha]) => Route::Blob {
            o,
            r,
            sha: sha.to_string(),
        },
        ("POST", ["git", "trees"]) => Route::Trees { o, r },
        ("GET", ["git", "trees", sha]) => Route::Tree {
            o,
            r,
            sha: sha.to_string(),
        },
        ("POST", ["git", "commits"]) => Route::Commits { o, r },
        ("GET", ["git", "commits", sha]) => Route::Commit {
            o,
            r,
            sha: sha.to_string(),
        },
        ("GET", ["installation"]) => Route::Installation { o, r },
        _ => return None,
    })
}

type R = Result<Resp, Resp>;

/// Runs the handler for a route.
pub fn dispatch(ctx: &Ctx<'_>, route: Route) -> Resp {
    let out = match route {
        Route::RateLimit => rate_limit(ctx),
        Route::Graphql => Ok(crate::graphql::handle(ctx)),
        Route::Repo { o, r } => get_repo(ctx, &o, &r),
        Route::Branches { o, r } => branches(ctx, &o, &r),
        Route::Branch { o, r, branch } => get_branch(ctx, &o, &r, &branch),
        Route::GetRef { o, r, rf } => get_ref(ctx, &o, &r, &rf),
        Route::CreateRef { o, r } => create_ref(ctx, &o, &r),
        Route::Ref { o, r, rf } if ctx.req.method == "PATCH" => update_ref(ctx, &o, &r, &rf),
        Route::Ref { o, r, rf } => delete_ref(ctx, &o, &r, &rf),
        Route::Compare { o, r, basehead } => compare(ctx, &o, &r, &basehead),
        Route::MergeUpstream { o, r } => merge_upstream(ctx, &o, &r),
        Route::Pulls { o, r } if ctx.req.method == "GET" => list_pulls(ctx, &o, &r),
        Route::Pulls { o, r } => create_pull(ctx, &o, &r),
        Route::Pull { o, r, n } if ctx.req.method == "GET" => get_pull(ctx, &o, &r, n),
        Route::Pull { o, r, n } => update_pull(ctx, &o, &r, n),
        Route::Reviewers { o, r, n } => request_reviewers(ctx, &o, &r, n),
        Route::Labels { o, r } if ctx.req.method == "GET" => list_labels(ctx, &o, &r),
        Route::Labels { o, r } => create_label(ctx, &o, &r),
        Route::IssueLabels { o, r, n } => issue_labels(ctx, &o, &r, n),
        Route::Alerts { o, r } => alerts(ctx, &o, &r),
        Route::Workflows { o, r } => workflows(ctx, &o, &r),
        Route::Contents { o, r, path } => contents(ctx, &o, &r, &path),
        Route::Blobs { o, r } => create_blob(ctx, &o, &r),
        Route::Blob { o, r, sha } => get_blob(ctx, &o, &r, &sha),
        Route::Trees { o, r } => create_tree(ctx, &o, &r),
        Route::Tree { o, r, sha } => get_tree(ctx, &o, &r, &sha),
        Route::Commits { o, r } => create_commit(ctx, &o, &r),
        Route::Commit { o, r, sha } => get_commit(ctx, &o, &r, &sha),
        Route::Installation { o, r } => installation(ctx, &o, &r),
        Route::AccessTokens { id } => access_token(ctx, id),
    };
    out.unwrap_or_else(|e| e)
}

// ------------------------------------------------------------------ helpers

/// What a handler knows about the repository it works on.
struct RepoRef {
    idx: usize,
    id: u64,
    net: usize,
    full: String,
    owner: String,
    default_branch: String,
    parent: Option<usize>,
    archived: bool,
}

fn find_repo(ctx: &Ctx<'_>, o: &str, r: &str) -> Result<RepoRef, Resp> {
    let w = ctx.sh.world();
    let idx = w.find(o, r).ok_or_else(Resp::not_found)?;
    let x = &w.repos[idx];
    Ok(RepoRef {
        idx,
        id: x.id,
        net: x.net,
        full: x.full_name(),
        owner: x.owner.clone(),
        default_branch: x.default_branch.clone(),
        parent: x.parent,
        archived: x.archived,
    })
}

fn git_err(e: git::GitError) -> Resp {
    Resp::error(500, &format!("Server Error ({e})"))
}

fn need_write(ctx: &Ctx<'_>, repo: &RepoRef) -> Result<(), Resp> {
    match &ctx.caller.token {
        None => Err(Resp::error(401, "Requires authentication")),
        Some(t) if !t.write => Err(Resp::error(403, t.not_accessible())),
        Some(_) if repo.archived => {
            Err(Resp::error(403, "Repository was archived so is read-only."))
        }
        Some(_) => Ok(()),
    }
}

fn body<'a>(ctx: &'a Ctx<'_>) -> Result<&'a Value, Resp> {
    match &ctx.req.json {
        Some(v) => Ok(v),
        None if ctx.req.body.is_empty() => Err(Resp::error(400, "Problems parsing JSON")),
        None => Err(Resp::error(400, "Problems parsing JSON")),
    }
}

fn missing_field(resource: &str, field: &str) -> Resp {
    Resp::validation(json!([{"resource": resource, "code": "missing_field", "field": field}]))
}

fn per_page(ctx: &Ctx<'_>, default: usize, max: usize) -> (usize, usize) {
    let pp = ctx
        .req
        .q("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(default)
        .clamp(1, max);
    let page = ctx
        .req
        .q("page")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    (pp, page)
}

/// Slices `items` per `per_page`/`page` and builds GitHub's `link` header.
fn paginate<T>(
    ctx: &Ctx<'_>,
    items: Vec<T>,
    default: usize,
    max: usize,
) -> (Vec<T>, Option<String>) {
    let (pp, page) = per_page(ctx, default, max);
    let total = items.len();
    let last = total.div_ceil(pp).max(1);
    let out: Vec<T> = items.into_iter().skip((page - 1) * pp).take(pp).collect();
    let url = |p: usize| {
        let mut q: Vec<String> = ctx
            .req
            .query
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
            .collect();
        q.push(format!("page={p}"));
        format!("<{}{}?{}>", ctx.sh.api, ctx.req.path, q.join("&"))
    };
    let mut links = Vec::new();
    if page < last {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
        links.push(format!("{}; rel=\"last\"", url(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", url(1)));
        links.push(format!("{}; rel=\"prev\"", url(page - 1)));
    }
    (out, (!links.is_empty()).then(|| links.join(", ")))
}

fn page_resp(status: u16, items: Vec<Value>, link: Option<String>) -> Resp {
    let r = Resp::json(status, Value::Array(items));
    match link {
        Some(l) => r.with_header("link", l),
        None => r,
    }
}

/// Resolves a branch, tag, full ref or (abbreviated) sha in a repository.
fn resolve(repo: &Repository, repo_id: u64, s: &str) -> Option<Oid> {
    if let Some(rest) = s.strip_prefix("refs/") {
        return git::read_ref(repo, &store_ref(repo_id, rest));
    }
    if let Some(o) = git::read_ref(repo, &store_ref(repo_id, &format!("heads/{s}"))) {
        return Some(o);
    }
    if let Some(o) = git::read_ref(repo, &store_ref(repo_id, &format!("tags/{s}"))) {
        return Some(o);
    }
    if (4..=40).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return repo
            .revparse_single(s)
            .ok()
            .and_then(|o| o.peel_to_commit().ok())
            .map(|c| c.id());
    }
    None
}

/// Refuses a ref move that would bring in workflow changes the token may not make.
fn workflow_guard(ctx: &Ctx<'_>, repo: &Repository, repo_id: u64, new: Oid) -> Result<(), Resp> {
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

fn touch_push(ctx: &Ctx<'_>, idx: usize) {
    let now = ctx.sh.now();
    let mut w = ctx.sh.world();
    w.repos[idx].pushed_at = now;
    w.repos[idx].updated_at = now;
}

// ------------------------------------------------------------------ repos, branches, refs

fn rate_limit(ctx: &Ctx<'_>) -> R {
    let mut a = ctx.sh.auth();
    let core = a.peek(&ctx.caller, "core");
    let gql = a.peek(&ctx.caller, "graphql");
    drop(a);
    let rl = |i: &crate::auth::RateInfo| json!({"limit": i.limit, "remaining": i.remaining, "reset": i.reset, "used": i.used, "resource": i.resource});
    let fixed = |limit: u32, res: &str| json!({"limit": limit, "remaining": limit, "reset": core.reset, "used": 0, "resource": res});
    let v = json!({
        "resources": {
            "core": rl(&core), "graphql": rl(&gql), "search": fixed(30, "search"),
            "code_search": fixed(10, "code_search"), "integration_manifest": fixed(5000, "integration_manifest"),
        },
        "rate": rl(&core),
    });
    Ok(rate_headers(Resp::json(200, v), &core))
}

fn get_repo(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let w = ctx.sh.world();
    let perms = ctx.caller.token.as_ref().map(|t| t.write);
    Ok(Resp::json(
        200,
        shapes::repo(ctx.sh, &w, rr.idx, true, perms),
    ))
}

fn branch_json(ctx: &Ctx<'_>, rr: &RepoRef, name: &str, oid: Oid) -> R {
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

fn get_branch(ctx: &Ctx<'_>, o: &str, r: &str, branch: &str) -> R {
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

fn branches(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
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
    let (page, link) = paginate(ctx, items, 30, 100);
    Ok(page_resp(200, page, link))
}

fn get_ref(ctx: &Ctx<'_>, o: &str, r: &str, rf: &str) -> R {
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

fn valid_ref_name(name: &str) -> bool {
    name.starts_with("refs/")
        && name.matches('/').count() >= 2
        && git2::Reference::is_valid_name(name)
}

fn create_ref(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
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

fn update_ref(ctx: &Ctx<'_>, o: &str, r: &str, rf: &str) -> R {
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

fn delete_ref(ctx: &Ctx<'_>, o: &str, r: &str, rf: &str) -> R {
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

// ------------------------------------------------------------------ compare, merge-upstream

/// One side of `base...head`: the repository and the commit-ish within it.
fn compare_side(w: &World, rr: &RepoRef, side: &str) -> Option<(usize, String)> {
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

fn compare(ctx: &Ctx<'_>, o: &str, r: &str, basehead: &str) -> R {
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

fn merge_upstream(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?;
    let branch = b["branch"]
        .as_str()
        .ok_or_else(|| missing_field("Repository", "branch"))?
        .to_string();
    let Some(parent) = rr.parent else {
        return Err(Resp::error(422, "This repository is not a fork."));
    };
    let (p_id, p_owner, p_default) = {
        let w = ctx.sh.world();
        let p = &w.repos[parent];
        (p.id, p.owner.clone(), p.default_branch.clone())
    };
    let now = ctx.sh.now();
    let login = ctx
        .caller
        .token
        .as_ref()
        .map(|t| t.login.clone())
        .unwrap_or_default();
    let out = ctx.sh.store.with(rr.net, |repo| {
        let fork_ref = store_ref(rr.id, &format!("heads/{branch}"));
        let Some(ours) = git::read_ref(repo, &fork_ref) else {
            return Ok(Err(Resp::error(422, "Branch not found")));
        };
        let mut up_branch = branch.clone();
        let mut theirs = git::read_ref(repo, &store_ref(p_id, &format!("heads/{branch}")));
        if theirs.is_none() && branch == rr.default_branch {
            up_branch = p_default.clone();
            theirs = git::read_ref(repo, &store_ref(p_id, &format!("heads/{p_default}")));
        }
        let Some(theirs) = theirs else {
            return Ok(Err(Resp::error(422, &format!("The upstream repository does not have a {branch} branch."))));
        };
        let base_branch = format!("{p_owner}:{up_branch}");
        if git::is_ancestor(repo, theirs, ours)? {
            return Ok(Ok(json!({"message": format!("This branch is not behind the upstream {base_branch}."), "merge_type": "none", "base_branch": base_branch})));
        }
        let (new, kind, verb) = if git::is_ancestor(repo, ours, theirs)? {
            (theirs, "fast-forward", "fast-forwarded")
        } else {
            match git::merge(repo, ours, theirs)? {
                Merge::Conflict(_) => {
                    return Ok(Err(Resp::error(409, "There are merge conflicts")));
                }
                Merge::Clean(tree) => {
                    let sig = git::signature("GitHub", "noreply@github.com", now)?;
                    let author = git::signature(&login, &format!("{login}@users.noreply.github.com"), now)?;
                    let msg = format!("Merge branch '{up_branch}' of {}/{p_owner} into {branch}\n", ctx.sh.base);
                    (git::write_commit(repo, tree, &[ours, theirs], &msg, &author, &sig)?, "merge", "merged")
                }
            }
        };
        if let Err(e) = workflow_guard(ctx, repo, rr.id, new) {
            return Ok(Err(e));
        }
        match git::write_ref(repo, &fork_ref, new, Some(ours))? {
            RefWrite::Done => Ok(Ok(json!({
                "message": format!("Successfully fetched and {verb} from upstream {base_branch}."),
                "merge_type": kind, "base_branch": base_branch,
            }))),
            RefWrite::Raced => Ok(Err(Resp::error(409, "Reference update failed"))),
        }
    });
    let v = out.map_err(git_err)??;
    if v["merge_type"] != "none" {
        touch_push(ctx, rr.idx);
    }
    Ok(Resp::json(200, v))
}

// ------------------------------------------------------------------ pulls

fn pull_facts(
    ctx: &Ctx<'_>,
    net: usize,
    head_id: u64,
    head_ref: &str,
    base_id: u64,
    base_ref: &str,
    full: bool,
) -> PullFacts {
    ctx.sh
        .store
        .with(net, |repo| {
            let h = git::read_ref(repo, &store_ref(head_id, &format!("heads/{head_ref}")));
            let b = git::read_ref(repo, &store_ref(base_id, &format!("heads/{base_ref}")));
            let (mut stats, mut mergeable) = (None, None);
            if let (true, Some(h), Some(b)) = (full, h, b) {
                let commits = git::count_between(repo, &[b], h)?;
                let files = match git::merge_base(repo, b, h) {
                    Some(m) => git::diff_files(
                        repo,
                        Some(git::commit_info(repo, m)?.tree),
                        git::commit_info(repo, h)?.tree,
                    )?,
                    None => Vec::new(),
                };
                let (a, d) = files
                    .iter()
                    .fold((0, 0), |acc, f| (acc.0 + f.additions, acc.1 + f.deletions));
                stats = Some((commits, a, d, files.len()));
                mergeable = Some(matches!(git::merge(repo, b, h)?, Merge::Clean(_)));
            }
            Ok(PullFacts {
                head_sha: h.map(|o| o.to_string()),
                base_sha: b.map(|o| o.to_string()),
                stats,
                mergeable,
            })
        })
        .unwrap_or(PullFacts {
            head_sha: None,
            base_sha: None,
            stats: None,
            mergeable: None,
        })
}

fn pull_json(ctx: &Ctx<'_>, base_idx: usize, number: u64, full: bool) -> Option<Value> {
    let (p, net, head_id, base_id) = {
        let w = ctx.sh.world();
        let base = &w.repos[base_idx];
        let p = base.pulls.iter().find(|p| p.number == number)?.clone();
        (p.clone(), base.net, w.repos[p.head_repo].id, base.id)
    };
    let facts = pull_facts(ctx, net, head_id, &p.head_ref, base_id, &p.base_ref, full);
    let w = ctx.sh.world();
    Some(shapes::pull(ctx.sh, &w, base_idx, &p, &facts, full))
}

fn list_pulls(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let state = ctx.req.q("state").unwrap_or("open").to_string();
    let head = ctx.req.q("head").map(str::to_string);
    let base = ctx.req.q("base").map(str::to_string);
    let sort = ctx.req.q("sort").unwrap_or("created").to_string();
    let dir = ctx
        .req
        .q("direction")
        .map(str::to_string)
        .unwrap_or_else(|| {
            if sort == "created" {
                "desc".into()
            } else {
                "asc".into()
            }
        });
    if !["open", "closed", "all"].contains(&state.as_str()) {
        return Err(Resp::validation(
            json!([{"resource": "PullRequest", "field": "state", "code": "invalid"}]),
        ));
    }
    let (pulls, heads): (Vec<Pull>, Vec<(u64, String)>) = {
        let w = ctx.sh.world();
        let mut v: Vec<Pull> = w.repos[rr.idx]
            .pulls
            .iter()
            .filter(|p| match state.as_str() {
                "open" => p.open,
                "closed" => !p.open,
                _ => true,
            })
            .filter(|p| base.as_ref().is_none_or(|b| &p.base_ref == b))
            .filter(|p| {
                head.as_ref().is_none_or(|h| {
                    let (owner, branch) = h.split_once(':').unwrap_or((&rr.owner, h));
                    w.repos[p.head_repo].owner.eq_ignore_ascii_case(owner) && p.head_ref == branch
                })
            })
            .cloned()
            .collect();
        match sort.as_str() {
            "updated" => v.sort_by_key(|p| (p.updated_at, p.number)),
            _ => v.sort_by_key(|p| (p.created_at, p.number)),
        }
        if dir == "desc" {
            v.reverse();
        }
        let heads = v
            .iter()
            .map(|p| (w.repos[p.head_repo].id, p.head_ref.clone()))
            .collect();
        (v, heads)
    };
    let (page, link) = paginate(ctx, pulls.into_iter().zip(heads).collect(), 30, 100);
    let facts: Vec<PullFacts> = page
        .iter()
        .map(|(p, (hid, href))| pull_facts(ctx, rr.net, *hid, href, rr.id, &p.base_ref, false))
        .collect();
    let w = ctx.sh.world();
    let items = page
        .iter()
        .zip(&facts)
        .map(|((p, _), f)| shapes::pull(ctx.sh, &w, rr.idx, p, f, false))
        .collect();
    Ok(page_resp(200, items, link))
}

fn create_pull(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?;
    let head = b["head"]
        .as_str()
        .ok_or_else(|| missing_field("PullRequest", "head"))?
        .to_string();
    let base = b["base"]
        .as_str()
        .ok_or_else(|| missing_field("PullRequest", "base"))?
        .to_string();
    let title = b["title"].as_str().map(str::to_string);
    let Some(title) = title.filter(|t| !t.trim().is_empty()) else {
        return Err(missing_field("Issue", "title"));
    };
    let invalid = |f: &str| {
        Resp::validation(json!([{"resource": "PullRequest", "field": f, "code": "invalid"}]))
    };
    let (head_idx, head_ref, head_id, head_owner) = {
        let w = ctx.sh.world();
        let (owner, branch) = match head.split_once(':') {
            Some((o2, b2)) => (o2.to_string(), b2.to_string()),
            None => (rr.owner.clone(), head.clone()),
        };
        let idx = if owner.eq_ignore_ascii_case(&rr.owner) {
            Some(rr.idx)
        } else {
            b["head_repo"]
                .as_str()
                .and_then(|hr| {
                    w.in_network(
                        rr.net,
                        &owner,
                        Some(hr.split('/').next_back().unwrap_or(hr)),
                    )
                })
                .or_else(|| w.in_network(rr.net, &owner, None))
        };
        let Some(idx) = idx else {
            return Err(invalid("head"));
        };
        (idx, branch, w.repos[idx].id, w.repos[idx].owner.clone())
    };
    let tips = ctx
        .sh
        .store
        .with(rr.net, |repo| {
            let h = git::read_ref(repo, &store_ref(head_id, &format!("heads/{head_ref}")));
            let bs = git::read_ref(repo, &store_ref(rr.id, &format!("heads/{base}")));
            let ahead = match (h, bs) {
                (Some(h), Some(bs)) => git::count_between(repo, &[bs], h)?,
                _ => 0,
            };
            Ok((h, bs, ahead))
        })
        .map_err(git_err)?;
    match tips {
        (None, _, _) => return Err(invalid("head")),
        (_, None, _) => return Err(invalid("base")),
        (_, _, 0) => {
            return Err(Resp::validation(
                json!([{"resource": "PullRequest", "code": "custom", "message": format!("No commits between {base} and {head}")}]),
            ))
        }
        _ => {}
    }
    let now = ctx.sh.now();
    let number = {
        let mut w = ctx.sh.world();
        if w.repos[rr.idx].pulls.iter().any(|p| {
            p.open && p.head_repo == head_idx && p.head_ref == head_ref && p.base_ref == base
        }) {
            return Err(Resp::validation(
                json!([{"resource": "PullRequest", "code": "custom", "message": format!("A pull request already exists for {head_owner}:{head_ref}.")}]),
            ));
        }
        let id = w.fresh_id();
        let user = ctx
            .caller
            .token
            .as_ref()
            .map(|t| t.login.clone())
            .unwrap_or_default();
        w.ensure_account(&user, false);
        let repo = &mut w.repos[rr.idx];
        let number = repo.next_number;
        repo.next_number += 1;
        repo.pulls.push(Pull {
            number,
            id,
            head_repo: head_idx,
            head_ref,
            base_ref: base,
            title,
            body: b["body"].as_str().map(str::to_string),
            open: true,
            user,
            labels: Vec::new(),
            reviewers: Vec::new(),
            draft: b["draft"].as_bool().unwrap_or(false),
            maintainer_can_modify: b["maintainer_can_modify"].as_bool().unwrap_or(true),
            created_at: now,
            updated_at: now,
            closed_at: None,
        });
        number
    };
    let v = pull_json(ctx, rr.idx, number, true).ok_or_else(Resp::not_found)?;
    Ok(Resp::json(201, v).with_header(
        "location",
        format!("{}/repos/{}/pulls/{number}", ctx.sh.api, rr.full),
    ))
}

fn get_pull(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
    let rr = find_repo(ctx, o, r)?;
    pull_json(ctx, rr.idx, n, true)
        .map(|v| Resp::json(200, v))
        .ok_or_else(Resp::not_found)
}

fn update_pull(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?.clone();
    let now = ctx.sh.now();
    {
        let mut w = ctx.sh.world();
        let dup = {
            let repo = &w.repos[rr.idx];
            let p = repo
                .pulls
                .iter()
                .find(|p| p.number == n)
                .ok_or_else(Resp::not_found)?;
            let base = b["base"].as_str().unwrap_or(&p.base_ref);
            b["state"] == "open"
                && !p.open
                && repo.pulls.iter().any(|q| {
                    q.open
                        && q.head_repo == p.head_repo
                        && q.head_ref == p.head_ref
                        && q.base_ref == base
                })
        };
        if dup {
            return Err(Resp::validation(
                json!([{"resource": "PullRequest", "code": "custom", "message": "A pull request already exists for this branch."}]),
            ));
        }
        let p = w.repos[rr.idx]
            .pulls
            .iter_mut()
            .find(|p| p.number == n)
            .expect("checked");
        if let Some(t) = b["title"].as_str() {
            p.title = t.to_string();
        }
        if b.get("body").is_some() {
            p.body = b["body"].as_str().map(str::to_string);
        }
        if let Some(base) = b["base"].as_str() {
            p.base_ref = base.to_string();
        }
        match b["state"].as_str() {
            Some("closed") if p.open => {
                p.open = false;
                p.closed_at = Some(now);
            }
            Some("open") if !p.open => {
                p.open = true;
                p.closed_at = None;
            }
            Some("open" | "closed") | None => {}
            Some(_) => {
                return Err(Resp::validation(
                    json!([{"resource": "PullRequest", "field": "state", "code": "invalid"}]),
                ))
            }
        }
        if let Some(m) = b["maintainer_can_modify"].as_bool() {
            p.maintainer_can_modify = m;
        }
        p.updated_at = now;
    }
    get_pull(ctx, o, r, n)
}

fn request_reviewers(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?.clone();
    let reviewers: Vec<String> = b["reviewers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    {
        let mut w = ctx.sh.world();
        let author = {
            let p = w.repos[rr.idx]
                .pulls
                .iter()
                .find(|p| p.number == n)
                .ok_or_else(Resp::not_found)?;
            p.user.clone()
        };
        if reviewers.iter().any(|x| x.eq_ignore_ascii_case(&author)) {
            return Err(Resp::error(
                422,
                "Review cannot be requested from pull request author.",
            ));
        }
        for x in &reviewers {
            w.ensure_account(x, false);
        }
        let now = ctx.sh.now();
        let p = w.repos[rr.idx]
            .pulls
            .iter_mut()
            .find(|p| p.number == n)
            .expect("checked");
        for x in reviewers {
            if !p.reviewers.iter().any(|y| y.eq_ignore_ascii_case(&x)) {
                p.reviewers.push(x);
            }
        }
        p.updated_at = now;
    }
    let v = pull_json(ctx, rr.idx, n, false).ok_or_else(Resp::not_found)?;
    Ok(Resp::json(201, v))
}

// ------------------------------------------------------------------ labels

fn list_labels(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let w = ctx.sh.world();
    let items: Vec<Value> = w.repos[rr.idx]
        .labels
        .iter()
        .map(|l| shapes::label(ctx.sh, &rr.full, l))
        .collect();
    drop(w);
    let (page, link) = paginate(ctx, items, 30, 100);
    Ok(page_resp(200, page, link))
}

fn create_label(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?;
    let name = b["name"]
        .as_str()
        .ok_or_else(|| missing_field("Label", "name"))?
        .to_string();
    let color = b["color"]
        .as_str()
        .unwrap_or("ededed")
        .trim_start_matches('#')
        .to_string();
    if color.len() != 6 || !color.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(Resp::validation(
            json!([{"resource": "Label", "code": "invalid", "field": "color"}]),
        ));
    }
    let mut w = ctx.sh.world();
    if w.repos[rr.idx]
        .labels
        .iter()
        .any(|l| l.name.eq_ignore_ascii_case(&name))
    {
        return Err(Resp::validation(
            json!([{"resource": "Label", "code": "already_exists", "field": "name"}]),
        ));
    }
    let l = Label {
        id: w.fresh_id(),
        name,
        color,
        description: b["description"].as_str().map(str::to_string),
        default: false,
    };
    let v = shapes::label(ctx.sh, &rr.full, &l);
    w.repos[rr.idx].labels.push(l);
    Ok(Resp::json(201, v))
}

fn issue_labels(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
    let rr = find_repo(ctx, o, r)?;
    if ctx.req.method == "POST" {
        need_write(ctx, &rr)?;
        let b = body(ctx)?;
        let list = match b {
            Value::Array(a) => a.clone(),
            v => v["labels"].as_array().cloned().unwrap_or_default(),
        };
        let names: Vec<String> = list
            .iter()
            .filter_map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .or_else(|| x["name"].as_str().map(str::to_string))
            })
            .collect();
        if names.is_empty() {
            return Err(Resp::validation(
                json!([{"resource": "Label", "code": "missing_field", "field": "labels"}]),
            ));
        }
        let mut w = ctx.sh.world();
        if !w.repos[rr.idx].pulls.iter().any(|p| p.number == n) {
            return Err(Resp::not_found());
        }
        for name in names {
            let existing = w.repos[rr.idx]
                .labels
                .iter()
                .find(|l| l.name.eq_ignore_ascii_case(&name))
                .map(|l| l.name.clone());
            let canonical = match existing {
                Some(c) => c,
                None => {
                    let id = w.fresh_id();
                    w.repos[rr.idx].labels.push(Label {
                        id,
                        name: name.clone(),
                        color: "ededed".into(),
                        description: None,
                        default: false,
                    });
                    name
                }
            };
            let now = ctx.sh.now();
            let p = w.repos[rr.idx]
                .pulls
                .iter_mut()
                .find(|p| p.number == n)
                .expect("checked");
            if !p.labels.contains(&canonical) {
                p.labels.push(canonical);
                p.updated_at = now;
            }
        }
    }
    let w = ctx.sh.world();
    let repo = &w.repos[rr.idx];
    let p = repo
        .pulls
        .iter()
        .find(|p| p.number == n)
        .ok_or_else(Resp::not_found)?;
    let items: Vec<Value> = p
        .labels
        .iter()
        .filter_map(|name| repo.labels.iter().find(|l| &l.name == name))
        .map(|l| shapes::label(ctx.sh, &rr.full, l))
        .collect();
    Ok(Resp::json(200, Value::Array(items)))
}

// ------------------------------------------------------------------ alerts, workflows, contents

fn alerts(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
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
    let (page, link) = paginate(ctx, items, 30, 100);
    Ok(page_resp(200, page, link))
}

fn workflows(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
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
    let (page, link) = paginate(ctx, items, 30, 100);
    let resp = Resp::json(200, json!({"total_count": total, "workflows": page}));
    Ok(match link {
        Some(l) => resp.with_header("link", l),
        None => resp,
    })
}

/// Largest file the contents route answers with its bytes inline (GitHub's 1 MB); larger files
/// answer `content: ""`, `encoding: "none"`, and are read through `GET …/git/blobs/{sha}`.
pub const CONTENTS_INLINE_MAX: usize = 1024 * 1024;

fn contents(ctx: &Ctx<'_>, o: &str, r: &str, path: &str) -> R {
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
            if data.len() > CONTENTS_INLINE_MAX {
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

// ------------------------------------------------------------------ git data

fn parse_oid(s: &str) -> Option<Oid> {
    (s.len() == 40).then(|| Oid::from_str(s).ok()).flatten()
}

fn create_blob(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
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

fn get_blob(ctx: &Ctx<'_>, o: &str, r: &str, sha: &str) -> R {
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
            "sha": sha, "node_id": shapes::node_id("Blob", sha), "size": data.len(),
            "url": format!("{}/repos/{}/git/blobs/{sha}", ctx.sh.api, rr.full),
            "content": base64_wrapped(&data), "encoding": "base64",
        }),
    ))
}

fn tree_json(ctx: &Ctx<'_>, rr: &RepoRef, oid: Oid, recursive: bool) -> Result<Value, Resp> {
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

fn create_tree(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
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

fn get_tree(ctx: &Ctx<'_>, o: &str, r: &str, sha: &str) -> R {
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

fn sig_of(v: &Value, default: (&str, &str, i64)) -> (String, String, i64) {
    let name = v["name"].as_str().unwrap_or(default.0).to_string();
    let email = v["email"].as_str().unwrap_or(default.1).to_string();
    let date = v["date"]
        .as_str()
        .and_then(crate::util::parse_rfc3339)
        .unwrap_or(default.2);
    (name, email, date)
}

fn create_commit(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
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

fn get_commit(ctx: &Ctx<'_>, o: &str, r: &str, sha: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let oid = parse_oid(sha).ok_or_else(Resp::not_found)?;
    let info = ctx
        .sh
        .store
        .with(rr.net, |repo| git::commit_info(repo, oid))
        .map_err(|_| Resp::not_found())?;
    Ok(Resp::json(200, shapes::git_commit(ctx.sh, &rr.full, &info)))
}

// ------------------------------------------------------------------ GitHub App

fn app_permissions(ctx: &Ctx<'_>) -> Value {
    let _ = ctx;
    json!({"contents": "write", "pull_requests": "write", "issues": "write", "metadata": "read", "workflows": "write", "vulnerability_alerts": "read", "actions": "read"})
}

fn installation(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let app = ctx.sh.app.as_ref().ok_or_else(Resp::not_found)?;
    let w = ctx.sh.world();
    let account = shapes::user(ctx.sh, &w.account(&rr.owner));
    let id = app.installation_id;
    Ok(Resp::json(
        200,
        json!({
            "id": id, "app_id": app.app_id, "app_slug": "priority-sync-sandbox", "target_id": account["id"],
            "target_type": account["type"], "account": account, "single_file_name": null,
            "repository_selection": "all",
            "access_tokens_url": format!("{}/app/installations/{id}/access_tokens", ctx.sh.api),
            "repositories_url": format!("{}/installation/repositories", ctx.sh.api),
            "html_url": format!("{}/settings/installations/{id}", ctx.sh.base),
            "events": ["push", "pull_request"], "permissions": app_permissions(ctx),
            "created_at": rfc3339(ctx.sh.fleet.now - 86_400 * 30), "updated_at": rfc3339(ctx.sh.fleet.now - 86_400),
            "suspended_by": null, "suspended_at": null,
        }),
    ))
}

fn access_token(ctx: &Ctx<'_>, id: u64) -> R {
    let app = ctx.sh.app.as_ref().ok_or_else(Resp::not_found)?;
    if id != app.installation_id {
        return Err(Resp::not_found());
    }
    let granted = app_permissions(ctx);
    let mut perms = granted.clone();
    if let Some(req) = ctx
        .req
        .json
        .as_ref()
        .and_then(|b| b.get("permissions"))
        .and_then(Value::as_object)
    {
        let mut narrowed = serde_json::Map::new();
        for (k, v) in req {
            let have = granted[k.as_str()].as_str();
            let ok = matches!(
                (have, v.as_str()),
                (Some("write"), Some("read" | "write")) | (Some("read"), Some("read"))
            );
            if !ok {
                return Err(Resp::error(
                    422,
                    &format!(
                        "The permissions requested are not granted to this installation. ({k})"
                    ),
                ));
            }
            narrowed.insert(k.clone(), v.clone());
        }
        narrowed.insert("metadata".into(), json!("read"));
        perms = Value::Object(narrowed);
    }
    let n = ctx
        .sh
        .seq
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let token = format!(
        "ghs_sandbox{:029}",
        n * 7919 + crate::util::wall_now() as u64 % 100_000
    );
    let expires = crate::util::wall_now() + 3600;
    let spec = crate::auth::TokenSpec {
        token: token.clone(),
        name: format!("installation-{n}"),
        login: "priority-sync-sandbox[bot]".into(),
        kind: crate::auth::TokenKind::App,
        write: perms["contents"] == "write" || perms["pull_requests"] == "write",
        workflow: perms["workflows"] == "write",
        dependabot: perms["vulnerability_alerts"].is_string(),
        core_limit: 5000,
        graphql_limit: 5000,
        expires_at: Some(expires),
    };
    ctx.sh.auth().add(spec);
    Ok(Resp::json(
        201,
        json!({"token": token, "expires_at": rfc3339(expires), "permissions": perms, "repository_selection": "all"}),
    ))
}
