//! Pull requests: list (`state`, `head`, `base`, `sort`, `direction`, pagination; a new PR
//! only after `Behaviour::list_lag_ms`), create (duplicates and empty PRs → GitHub's 422s),
//! read (with `mergeable` computed from git once `Behaviour::mergeable_ms` has passed, and
//! diff stats), update (title, body, base, state), and requested reviewers.

use std::time::Duration;

use serde_json::{json, Value};

use super::shapes::{self, PullFacts};
use super::support::{
    body, find_repo, git_err, missing_field, need_write, page_resp, paginate_list, RepoRef, R,
};
use crate::exchange::{Ctx, Resp};
use crate::git::{self, store_ref, Merge};
use crate::model::Pull;

pub(crate) fn pull_facts(
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

pub(crate) fn pull_json(ctx: &Ctx<'_>, base_idx: usize, number: u64, full: bool) -> Option<Value> {
    let (p, net, head_id, base_id) = {
        let w = ctx.sh.world();
        let base = &w.repos[base_idx];
        let p = base.pulls.iter().find(|p| p.number == number)?.clone();
        (p.clone(), base.net, w.repos[p.head_repo].id, base.id)
    };
    let mut facts = pull_facts(ctx, net, head_id, &p.head_ref, base_id, &p.base_ref, full);
    let mut w = ctx.sh.world();
    if full {
        let tips = (facts.base_sha.clone(), facts.head_sha.clone());
        let took = Duration::from_millis(ctx.sh.behaviour.mergeable_ms);
        if !w.pull_mergeability_known(p.id, tips, took) {
            // GitHub's background job is still computing it (Behaviour::mergeable_ms).
            facts.mergeable = None;
        }
    }
    Some(shapes::pull(ctx.sh, &w, base_idx, &p, &facts, full))
}

/// `GET /repos/{o}/{r}/pulls`: a pull request opened less than `Behaviour::list_lag_ms`
/// ago is not listed yet, whatever the filters.
pub(crate) fn list_pulls(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    list(ctx, o, r).map_err(|e| documented(e, DOCS_LIST))
}

fn list(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
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
    // A new pull request is missing from lists for a while (Behaviour::list_lag_ms).
    let lag = Duration::from_millis(ctx.sh.behaviour.list_lag_ms);
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
            .filter(|p| w.pull_listed(p.id, lag))
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
    let (page, link) = paginate_list(ctx, pulls.into_iter().zip(heads).collect());
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

/// The documentation links GitHub's pull request errors carry (the operations' own pages in
/// GitHub's OpenAPI description, as in the recorded 422s of issue threads: gm3dmo/the-power#175).
const DOCS_CREATE: &str = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";
const DOCS_UPDATE: &str = "https://docs.github.com/rest/pulls/pulls#update-a-pull-request";
const DOCS_GET: &str = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request";
const DOCS_LIST: &str = "https://docs.github.com/rest/pulls/pulls#list-pull-requests";
const DOCS_REVIEWERS: &str =
    "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request";

/// An error answer (403, 404, 422) of the operation documented at `docs`: its body links
/// there (other answers, e.g. a redirect, are left as they are).
fn documented(mut e: Resp, docs: &str) -> Resp {
    let ours = matches!(e.status, 403 | 404 | 422);
    if let Some(v) = e
        .json
        .as_mut()
        .filter(|v| ours && v.get("documentation_url").is_some())
    {
        v["documentation_url"] = json!(docs);
    }
    e
}

/// `POST /repos/{o}/{r}/pulls`. Its 422s, as recorded from GitHub: a second PR for the same
/// head and base, `{"resource": "PullRequest", "code": "custom", "message": "A pull request
/// already exists for owner:branch."}` (the head's owner and branch only, a final period;
/// gm3dmo/the-power#175, 2024, with `"status": "422"`; google/go-github#1441: `custom`);
/// nothing to merge, `No commits between {base} and {head}` (no period); a head branch that
/// does not exist, `{"resource": "PullRequest", "field": "head", "code": "invalid"}`. The
/// duplicate is refused even while lists do not show the first PR yet.
pub(crate) fn create_pull(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    create(ctx, o, r).map_err(|e| documented(e, DOCS_CREATE))
}

fn create(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
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
    let head_of = pull_head(ctx, &rr, b, &head)?;
    let (head_idx, head_ref, head_owner) = (head_of.idx, head_of.branch, head_of.owner);
    check_commits_between(ctx, &rr, (head_of.id, &head_ref), &base, &head)?;
    let tips = pull_facts(ctx, rr.net, head_of.id, &head_ref, rr.id, &base, false);
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
            assignees: Vec::new(),
            merge: Default::default(),
        });
        // Lists miss it, and its mergeability is computed, for a while (Behaviour).
        w.pull_opened(id, (tips.base_sha, tips.head_sha));
        number
    };
    let v = pull_json(ctx, rr.idx, number, true).ok_or_else(Resp::not_found)?;
    Ok(Resp::json(201, v).with_header(
        "location",
        format!("{}/repos/{}/pulls/{number}", ctx.sh.api, rr.full),
    ))
}

/// The head of a new pull request: its repository (the base repository, or another in its
/// network named by `owner:` and `head_repo`) and branch.
struct PullHead {
    idx: usize,
    id: u64,
    owner: String,
    branch: String,
}

/// A validation error on a pull request's `field`.
fn invalid(field: &str) -> Resp {
    Resp::validation(json!([{"resource": "PullRequest", "field": field, "code": "invalid"}]))
}

/// Resolves `head` (`branch` or `owner:branch`) of a new pull request in `rr`'s network.
fn pull_head(ctx: &Ctx<'_>, rr: &RepoRef, b: &Value, head: &str) -> Result<PullHead, Resp> {
    let w = ctx.sh.world();
    let (owner, branch) = match head.split_once(':') {
        Some((o2, b2)) => (o2.to_string(), b2.to_string()),
        None => (rr.owner.clone(), head.to_string()),
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
    Ok(PullHead {
        idx,
        id: w.repos[idx].id,
        owner: w.repos[idx].owner.clone(),
        branch,
    })
}

/// Both branches exist and the head has commits the base lacks (else GitHub's 422).
fn check_commits_between(
    ctx: &Ctx<'_>,
    rr: &RepoRef,
    (head_id, head_ref): (u64, &str),
    base: &str,
    head: &str,
) -> Result<(), Resp> {
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
        (None, _, _) => Err(invalid("head")),
        (_, None, _) => Err(invalid("base")),
        (_, _, 0) => Err(Resp::validation(
            json!([{"resource": "PullRequest", "code": "custom", "message": format!("No commits between {base} and {head}")}]),
        )),
        _ => Ok(()),
    }
}

/// `GET /repos/{o}/{r}/pulls/{n}`: sees a new pull request at once; `mergeable` is null
/// while GitHub computes it (Behaviour::mergeable_ms).
pub(crate) fn get_pull(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
    let rr = find_repo(ctx, o, r).map_err(|e| documented(e, DOCS_GET))?;
    pull_json(ctx, rr.idx, n, true)
        .map(|v| Resp::json(200, v))
        .ok_or_else(|| documented(Resp::not_found(), DOCS_GET))
}

/// `PATCH /repos/{o}/{r}/pulls/{n}`.
pub(crate) fn update_pull(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
    update(ctx, o, r, n).map_err(|e| documented(e, DOCS_UPDATE))
}

fn update(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
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
            let dup = b["state"] == "open"
                && !p.open
                && repo.pulls.iter().any(|q| {
                    q.open
                        && q.head_repo == p.head_repo
                        && q.head_ref == p.head_ref
                        && q.base_ref == base
                });
            dup.then(|| format!("{}:{}", w.repos[p.head_repo].owner, p.head_ref))
        };
        if let Some(label) = dup {
            // No recording of GitHub refusing a reopen was found: the create's recorded
            // wording (see `create_pull`) is assumed, as both guard one open PR per head and
            // base.
            return Err(Resp::validation(
                json!([{"resource": "PullRequest", "code": "custom", "message": format!("A pull request already exists for {label}.")}]),
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
    pull_json(ctx, rr.idx, n, true)
        .map(|v| Resp::json(200, v))
        .ok_or_else(Resp::not_found)
}

/// `POST /repos/{o}/{r}/pulls/{n}/requested_reviewers`. Asking the author answers 422 "Review
/// cannot be requested from pull request author." (recorded from GitHub, e.g.
/// kerthcet/github-workflow-as-kube#16, 2025; peter-evans/create-pull-request#1835, 2023).
pub(crate) fn request_reviewers(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
    reviewers(ctx, o, r, n).map_err(|e| documented(e, DOCS_REVIEWERS))
}

fn reviewers(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
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
