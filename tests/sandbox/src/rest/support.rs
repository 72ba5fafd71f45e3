//! What the REST handlers share: the repository a path names (`find_repo`), permission and
//! body checks, GitHub's validation errors, pagination with `link` headers, resolving a
//! commit-ish, and marking a repository pushed.

use git2::{Oid, Repository};
use serde_json::{json, Value};

use crate::exchange::{Ctx, Resp};
use crate::git::{self, store_ref};
use crate::util::{percent_decode, percent_encode};

/// A handler's answer: `Err` is an error answer, returned early with `?`.
pub type R = Result<Resp, Resp>;

/// What a handler knows about the repository it works on.
pub(crate) struct RepoRef {
    pub(crate) idx: usize,
    pub(crate) id: u64,
    pub(crate) net: usize,
    pub(crate) full: String,
    pub(crate) owner: String,
    pub(crate) default_branch: String,
    pub(crate) parent: Option<usize>,
    pub(crate) archived: bool,
}

pub(crate) fn find_repo(ctx: &Ctx<'_>, o: &str, r: &str) -> Result<RepoRef, Resp> {
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

pub(crate) fn git_err(e: git::GitError) -> Resp {
    Resp::error(500, &format!("Server Error ({e})"))
}

pub(crate) fn need_write(ctx: &Ctx<'_>, repo: &RepoRef) -> Result<(), Resp> {
    match &ctx.caller.token {
        None => Err(Resp::error(401, "Requires authentication")),
        Some(t) if !t.write => Err(Resp::error(403, t.not_accessible())),
        // A token limited to some repositories (a workflow's `GITHUB_TOKEN`) may read public
        // ones elsewhere but not write them: GitHub's 403 for a permission it lacks there.
        Some(t) if !t.reaches(&repo.full) => Err(Resp::error(403, t.not_accessible())),
        Some(_) if repo.archived => {
            Err(Resp::error(403, "Repository was archived so is read-only."))
        }
        // A role set by a test that cannot push (`Sandbox::set_viewer_permission`); worded as
        // GitHub words a write the token may not make (recorded for fine-grained tokens).
        Some(t) if t.kind != crate::auth::TokenKind::App && !may_push(ctx, repo) => {
            Err(Resp::error(403, t.not_accessible()))
        }
        Some(_) => Ok(()),
    }
}

/// Whether a role set by a test lets the tokens' user push to `repo` (`READ` and `TRIAGE`
/// cannot); repositories without one are not limited here.
fn may_push(ctx: &Ctx<'_>, repo: &RepoRef) -> bool {
    let w = ctx.sh.world();
    !matches!(
        w.roles.get(&repo.idx).map(String::as_str),
        Some("READ" | "TRIAGE")
    )
}

pub(crate) fn body<'a>(ctx: &'a Ctx<'_>) -> Result<&'a Value, Resp> {
    match &ctx.req.json {
        Some(v) => Ok(v),
        None if ctx.req.body.is_empty() => Err(Resp::error(400, "Problems parsing JSON")),
        None => Err(Resp::error(400, "Problems parsing JSON")),
    }
}

pub(crate) fn missing_field(resource: &str, field: &str) -> Resp {
    Resp::validation(json!([{"resource": resource, "code": "missing_field", "field": field}]))
}

pub(crate) fn per_page(ctx: &Ctx<'_>, default: usize, max: usize) -> (usize, usize) {
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

/// One page of a REST list, paged as GitHub pages lists (`per_page` default and maximum:
/// `Behaviour::list_per_page_default`, `list_per_page_max`), with its `link` header.
pub(crate) fn paginate_list<T>(ctx: &Ctx<'_>, items: Vec<T>) -> (Vec<T>, Option<String>) {
    let b = &ctx.sh.behaviour;
    paginate(ctx, items, b.list_per_page_default, b.list_per_page_max)
}

/// The path a list's `link` URLs use: a repository's lists are linked under
/// `/repositories/{id}/…`, whatever name the request used (recorded: octokit/fixtures
/// `paginate-issues`, whose `next` links leave `/repos/{owner}/{repo}/issues` for
/// `/repositories/{id}/issues`).
fn by_id(ctx: &Ctx<'_>) -> String {
    let path = &ctx.req.path;
    let raw: Vec<&str> = path.trim_start_matches('/').splitn(4, '/').collect();
    let ["repos", o, r, rest] = raw.as_slice() else {
        return path.clone();
    };
    let (o, r) = (percent_decode(o, false), percent_decode(r, false));
    let w = ctx.sh.world();
    match w.find(&o, &r).or_else(|| w.find_former(&o, &r)) {
        Some(i) => format!("/repositories/{}/{rest}", w.repos[i].id),
        None => path.clone(),
    }
}

/// Slices `items` per `per_page`/`page` and builds GitHub's `link` header.
pub(crate) fn paginate<T>(
    ctx: &Ctx<'_>,
    items: Vec<T>,
    default: usize,
    max: usize,
) -> (Vec<T>, Option<String>) {
    let (pp, page) = per_page(ctx, default, max);
    let total = items.len();
    let last = total.div_ceil(pp).max(1);
    let out: Vec<T> = items.into_iter().skip((page - 1) * pp).take(pp).collect();
    let base = by_id(ctx);
    let url = |p: usize| {
        let mut q: Vec<String> = ctx
            .req
            .query
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", percent_encode(k, false), percent_encode(v, false)))
            .collect();
        q.push(format!("page={p}"));
        format!("<{}{}?{}>", ctx.sh.api, base, q.join("&"))
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

pub(crate) fn page_resp(status: u16, items: Vec<Value>, link: Option<String>) -> Resp {
    let r = Resp::json(status, Value::Array(items));
    match link {
        Some(l) => r.with_header("link", l),
        None => r,
    }
}

/// Resolves a branch, tag, full ref or (abbreviated) sha in a repository.
pub(crate) fn resolve(repo: &Repository, repo_id: u64, s: &str) -> Option<Oid> {
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

pub(crate) fn touch_push(ctx: &Ctx<'_>, idx: usize) {
    let now = ctx.sh.now();
    let mut w = ctx.sh.world();
    w.repos[idx].pushed_at = now;
    w.repos[idx].updated_at = now;
}
