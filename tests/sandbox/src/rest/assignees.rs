//! Assignees of a pull request through the issue it also is: `POST
//! /repos/{o}/{r}/issues/{n}/assignees` ("Adds up to 10 assignees to an issue. Users already
//! assigned to an issue are not replaced."; "Only users with push access can add assignees to
//! an issue. Assignees are silently ignored otherwise." — the operation in GitHub's OpenAPI
//! description). Answers 201 with the issue.

use serde_json::Value;

use super::shapes;
use super::support::{body, find_repo, R};
use crate::exchange::{Ctx, Resp};

/// The most assignees an issue holds (GitHub: up to 10).
const MAX_ASSIGNEES: usize = 10;

/// `POST /repos/{o}/{r}/issues/{n}/assignees` for a pull request's number.
pub(crate) fn add_assignees(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
    let rr = find_repo(ctx, o, r)?;
    let b = body(ctx)?.clone();
    let logins: Vec<String> = b["assignees"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| match x {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(o) => o.get("login").and_then(Value::as_str).map(str::to_string),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    // A caller without push access is answered as if it had assigned (silently ignored).
    let may_push = ctx
        .caller
        .token
        .as_ref()
        .is_some_and(|t| t.write && !rr.archived);
    let now = ctx.sh.now();
    let mut w = ctx.sh.world();
    if !w.repos[rr.idx].pulls.iter().any(|p| p.number == n) {
        return Err(Resp::not_found());
    }
    if may_push {
        for l in &logins {
            w.ensure_account(l, false);
        }
        let p = w.repos[rr.idx]
            .pulls
            .iter_mut()
            .find(|p| p.number == n)
            .expect("checked");
        for l in logins {
            let known = p.assignees.iter().any(|a| a.eq_ignore_ascii_case(&l));
            if !known && p.assignees.len() < MAX_ASSIGNEES {
                p.assignees.push(l);
                p.updated_at = now;
            }
        }
    }
    let p = w.repos[rr.idx]
        .pulls
        .iter()
        .find(|p| p.number == n)
        .expect("checked")
        .clone();
    Ok(Resp::json(
        201,
        shapes::pull_as_issue(ctx.sh, &w, rr.idx, &p),
    ))
}
