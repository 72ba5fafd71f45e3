//! The batched metadata query: built from the fragments in `graphql/repo_metadata.graphql`
//! with one alias per repository (what each adds to a batch: [`demands`]), and its answer
//! read per alias, so one missing repository or one unreadable field costs that repository
//! only, never the batch.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::query_cost::{self, Demand};
use super::{
    BranchAsk, BranchHead, BranchHeads, GhError, MetaBatch, MetaResult, PullInfo, RepoMeta,
    RepoPermission, RepoQuery, BRANCH_LISTING,
};
use crate::ids::{BranchName, Oid};
use crate::repo_name::RepoName;

const DOCUMENT: &str = include_str!("graphql/repo_metadata.graphql");

/// The fragment definitions of the checked-in document.
fn fragments() -> &'static str {
    let start = DOCUMENT
        .find("\nfragment ")
        .expect("repo_metadata.graphql defines its fragments");
    &DOCUMENT[start + 1..]
}

/// A query and its variables for one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchQuery {
    pub query: String,
    pub variables: Value,
}

/// Builds the query for `queries` (and an optional file to read).
pub fn build(queries: &[RepoQuery], file: Option<(&RepoName, &str)>) -> BatchQuery {
    let mut decls = Vec::new();
    let mut body = String::from("  rateLimit { cost limit remaining resetAt }\n");
    let mut vars = Map::new();
    for (i, q) in queries.iter().enumerate() {
        decls.push(format!("$o{i}: String!, $n{i}: String!"));
        vars.insert(format!("o{i}"), json!(q.repo.owner()));
        vars.insert(format!("n{i}"), json!(q.repo.name()));
        body.push_str(&format!(
            "  r{i}: repository(owner: $o{i}, name: $n{i}) {{ ...RepoFields"
        ));
        if let Some(n) = q.sync_pr {
            decls.push(format!("$p{i}: Int!"));
            vars.insert(format!("p{i}"), json!(n));
            body.push_str(&format!(
                " syncPull: pullRequest(number: $p{i}) {{ ...PullFields }}"
            ));
        }
        if let Some(b) = &q.branch {
            decls.push(format!("$b{i}: String!"));
            vars.insert(format!("b{i}"), json!(format!("refs/heads/{b}")));
            body.push_str(&format!(
                " branch: ref(qualifiedName: $b{i}) {{ ...BranchFields }}"
            ));
        }
        if q.upstream.is_some() {
            // An explicit upstream may be in another fork network: both sides' roots tell.
            body.push_str(" root: parent { ...NetworkFields }");
        }
        body.push_str(&branch_fields(i, q, Side::Fork, &mut decls, &mut vars));
        for (k, n) in q.branch_sync_prs.iter().enumerate() {
            decls.push(format!("$sp{i}x{k}: Int!"));
            vars.insert(format!("sp{i}x{k}"), json!(n));
            body.push_str(&format!(
                " sp{k}: pullRequest(number: $sp{i}x{k}) {{ ...PullFields }}"
            ));
        }
        if q.upstream.is_none() && !q.branches.is_empty() {
            // The parent's side of `branches:`, under an alias of its own.
            let up = branch_fields(i, q, Side::Upstream, &mut decls, &mut vars);
            body.push_str(&format!(" upBranches: parent {{{up} }}"));
        }
        body.push_str(" }\n");
        if let Some((up, branch)) = &q.upstream {
            decls.push(format!("$uo{i}: String!, $un{i}: String!"));
            vars.insert(format!("uo{i}"), json!(up.owner()));
            vars.insert(format!("un{i}"), json!(up.name()));
            body.push_str(&format!(
                "  u{i}: repository(owner: $uo{i}, name: $un{i}) {{ ...UpstreamFields isFork root: parent {{ ...NetworkFields }}"
            ));
            if let Some(b) = branch {
                decls.push(format!("$ub{i}: String!"));
                vars.insert(format!("ub{i}"), json!(format!("refs/heads/{b}")));
                body.push_str(&format!(
                    " branch: ref(qualifiedName: $ub{i}) {{ ...BranchFields }}"
                ));
            }
            body.push_str(&branch_fields(i, q, Side::Upstream, &mut decls, &mut vars));
            body.push_str(" }\n");
        }
    }
    if let Some((repo, path)) = file {
        decls.push("$fo: String!, $fn: String!, $fx: String!".into());
        vars.insert("fo".into(), json!(repo.owner()));
        vars.insert("fn".into(), json!(repo.name()));
        vars.insert("fx".into(), json!(format!("HEAD:{path}")));
        body.push_str("  file: repository(owner: $fo, name: $fn) { object(expression: $fx) { ... on Blob { text } } }\n");
    }
    let decls = if decls.is_empty() {
        String::new()
    } else {
        format!("({})", decls.join(", "))
    };
    // Only fragments the query uses may be sent (GitHub rejects unused ones), with the ones
    // they use in turn.
    let defs = split_fragments(fragments());
    let name_of = |def: &str| {
        def.split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string()
    };
    let mut used: Vec<String> = Vec::new();
    let mut grew = true;
    while grew {
        grew = false;
        for def in &defs {
            let name = name_of(def);
            let spread = format!("...{name}");
            let wanted = body.contains(&spread)
                || defs
                    .iter()
                    .any(|d| used.contains(&name_of(d)) && d.contains(&spread));
            if wanted && !used.contains(&name) {
                used.push(name);
                grew = true;
            }
        }
    }
    let all: String = defs
        .iter()
        .filter(|d| used.contains(&name_of(d)))
        .map(|d| format!("{d}\n"))
        .collect();
    BatchQuery {
        query: format!("query RepoMetadata{decls} {{\n{body}}}\n\n{all}"),
        variables: Value::Object(vars),
    }
}

/// The fork's or the upstream's side of a repository's `branches:`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Fork,
    Upstream,
}

impl Side {
    /// The first letter of the side's aliases and variables (`fb0`, `ug1`, …).
    fn prefix(self) -> &'static str {
        match self {
            Side::Fork => "f",
            Side::Upstream => "u",
        }
    }
}

/// The aliases reading one side of `branches:` (`fb0`/`ub0` for a branch by name, `fg0`/`ug0`
/// for a listing), with their variables.
fn branch_fields(
    i: usize,
    q: &RepoQuery,
    side: Side,
    decls: &mut Vec<String>,
    vars: &mut Map<String, Value>,
) -> String {
    let s = side.prefix();
    let mut out = String::new();
    for (k, ask) in q.branches.iter().enumerate() {
        match ask {
            BranchAsk::Named { fork, upstream } => {
                let name = if side == Side::Fork { fork } else { upstream };
                decls.push(format!("${s}b{i}x{k}: String!"));
                vars.insert(format!("{s}b{i}x{k}"), json!(format!("refs/heads/{name}")));
                out.push_str(&format!(
                    " {s}b{k}: ref(qualifiedName: ${s}b{i}x{k}) {{ ...BranchFields }}"
                ));
            }
            BranchAsk::Listed { query } => {
                decls.push(format!("${s}g{i}x{k}: String!"));
                vars.insert(format!("{s}g{i}x{k}"), json!(query));
                out.push_str(&format!(
                    " {s}g{k}: refs(refPrefix: \"refs/heads/\", query: ${s}g{i}x{k}, first: {BRANCH_LISTING}) {{ totalCount nodes {{ ...BranchFields }} }}"
                ));
            }
        }
    }
    out
}

/// What each query adds to a metadata batch (GitHub's requests and nodes, see
/// [`query_cost`]), for sizing batches: read from the one-repository document of each shape
/// (branch, upstream, upstream branch, sync pull request asked or not).
pub fn demands(queries: &[RepoQuery]) -> Vec<Demand> {
    type Shape = (bool, bool, bool, bool, usize, usize, usize);
    let mut by_shape: BTreeMap<Shape, Demand> = BTreeMap::new();
    queries
        .iter()
        .map(|q| {
            let listed = q
                .branches
                .iter()
                .filter(|b| matches!(b, BranchAsk::Listed { .. }))
                .count();
            let shape = (
                q.branch.is_some(),
                q.upstream.is_some(),
                q.upstream.as_ref().is_some_and(|(_, b)| b.is_some()),
                q.sync_pr.is_some(),
                q.branches.len() - listed,
                listed,
                q.branch_sync_prs.len(),
            );
            *by_shape.entry(shape).or_insert_with(|| {
                let one = build(std::slice::from_ref(q), None);
                query_cost::demand(&one.query, &one.variables)
                    .expect("repo_metadata.graphql is readable")
            })
        })
        .collect()
}

/// A batch query `name` from its variable declarations, body and variables, with every
/// fragment of its checked-in `document` (all of them are used: GitHub rejects unused ones).
pub(super) fn assemble(
    name: &str,
    document: &str,
    decls: &[String],
    body: &str,
    vars: Map<String, Value>,
) -> BatchQuery {
    let decls = if decls.is_empty() {
        String::new()
    } else {
        format!("({})", decls.join(", "))
    };
    let start = document
        .find("\nfragment ")
        .unwrap_or_else(|| panic!("the {name} document defines its fragments"));
    let fragments: String = split_fragments(&document[start + 1..])
        .iter()
        .map(|d| format!("{d}\n"))
        .collect();
    BatchQuery {
        query: format!("query {name}{decls} {{\n{body}}}\n\n{fragments}"),
        variables: Value::Object(vars),
    }
}

pub(super) fn split_fragments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("fragment ") {
        let tail = &rest[start..];
        let end = tail[1..]
            .find("\nfragment ")
            .map(|e| e + 1)
            .unwrap_or(tail.len());
        out.push(tail[..end].trim_end());
        rest = &tail[end..];
    }
    out
}

/// A branch from `...BranchFields`: `None` when the answer lacks its name or head, an error
/// when either is not what it should be (`what` names it in the error).
fn branch(v: Option<&Value>, what: &str) -> Result<Option<BranchHead>, GhError> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let name = v.get("name").and_then(Value::as_str);
    let oid = v
        .get("target")
        .and_then(|t| t.get("oid"))
        .and_then(Value::as_str);
    let (Some(name), Some(oid)) = (name, oid) else {
        return Ok(None);
    };
    Ok(Some(BranchHead {
        name: BranchName::parse(name)
            .map_err(|e| GhError::malformed(&format!("{what}.name"), e))?,
        oid: Oid::parse(oid).map_err(|e| GhError::malformed(&format!("{what}.target.oid"), e))?,
    }))
}

/// The root of a repository's fork network from its `parent` chain (`root: parent {
/// ...NetworkFields }`): the first repository that is not a fork. `None` when the chain is
/// deeper than the query reads.
fn network_root(node: &Value) -> Option<String> {
    let mut cur = node;
    let mut next = node.get("root");
    loop {
        if cur.get("isFork").and_then(Value::as_bool) == Some(false) {
            return cur.get("nameWithOwner")?.as_str().map(str::to_string);
        }
        cur = next.filter(|v| !v.is_null())?;
        next = cur.get("parent");
    }
}

/// The names of a list of labels (REST `labels`, GraphQL `labels.nodes`).
pub(super) fn label_names(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|ls| {
            ls.iter()
                .filter_map(|l| l.get("name")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A pull request from GraphQL (`...PullFields`) in the client's terms: `None` when a
/// required field is missing, an error when its head commit is not an object id.
fn graphql_pull(v: &Value) -> Result<Option<PullInfo>, GhError> {
    let head_sha = match v.get("headRefOid").and_then(Value::as_str) {
        Some(s) => Some(Oid::parse(s).map_err(|e| GhError::malformed("headRefOid", e))?),
        None => None,
    };
    Ok(pull_fields(v, head_sha))
}

fn pull_fields(v: &Value, head_sha: Option<Oid>) -> Option<PullInfo> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Some(PullInfo {
        number: v.get("number")?.as_u64()?,
        url: text("url")?,
        title: text("title").unwrap_or_default(),
        head_ref: text("headRefName")?,
        head_repo: v
            .get("headRepository")
            .and_then(|r| r.get("nameWithOwner"))
            .and_then(Value::as_str)
            .map(str::to_string),
        base_ref: text("baseRefName")?,
        body: text("body").unwrap_or_default(),
        labels: label_names(v.get("labels").and_then(|l| l.get("nodes"))),
        mergeable: match v.get("mergeable").and_then(Value::as_str) {
            Some("MERGEABLE") => Some(true),
            Some("CONFLICTING") => Some(false),
            _ => None,
        },
        head_sha,
        open: v.get("state").and_then(Value::as_str) == Some("OPEN"),
        node_id: text("id").unwrap_or_default(),
        merged: v.get("state").and_then(Value::as_str) == Some("MERGED"),
        auto_merge: v.get("autoMergeRequest").is_some_and(Value::is_object),
    })
}

pub(super) fn error_type(e: &Value) -> &str {
    e.get("type").and_then(Value::as_str).unwrap_or("")
}

pub(super) fn error_message(e: &Value) -> String {
    e.get("message")
        .and_then(Value::as_str)
        .unwrap_or("GraphQL error")
        .to_string()
}

/// The alias a GraphQL error belongs to (the first element of its `path`).
pub(super) fn alias_of(e: &Value) -> Option<&str> {
    e.get("path")?.as_array()?.first()?.as_str()
}

/// Is this GraphQL error GitHub's rate limit? `"type": "RATE_LIMIT"` (`"code":
/// "graphql_rate_limit"`: the current form, recorded 2026 in yanyongyu/githubkit#271 and
/// octokit/plugin-throttling.js#824), `"RATE_LIMITED"` (the form recorded until then), or a
/// message naming a secondary rate limit (GitHub's docs: GraphQL answers those with 200 or
/// 403 and such a message).
pub(super) fn is_rate_limit_error(e: &Value) -> bool {
    matches!(error_type(e), "RATE_LIMIT" | "RATE_LIMITED")
        || e.get("code").and_then(Value::as_str) == Some("graphql_rate_limit")
        || error_message(e)
            .to_ascii_lowercase()
            .contains("secondary rate limit")
}

/// An answer's `data` and its errors. Errors without a path (rate limits, syntax, bad
/// credentials) fail the whole request; the others are left for the caller to place by alias.
pub(super) fn data_and_errors(answer: &Value) -> Result<(&Value, Vec<&Value>), GhError> {
    let errors: Vec<&Value> = answer
        .get("errors")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if let Some(e) = errors.iter().find(|e| alias_of(e).is_none()) {
        let msg = error_message(e);
        return Err(if is_rate_limit_error(e) {
            GhError::RateLimited(msg)
        } else {
            GhError::Decode(format!("GraphQL: {msg}"))
        });
    }
    match answer.get("data").filter(|d| d.is_object()) {
        Some(data) => Ok((data, errors)),
        None => Err(GhError::Decode("GraphQL answer without data".into())),
    }
}

/// `rateLimit.remaining` of an answer whose query asked for it.
pub(super) fn rate_remaining(answer: &Value) -> Option<u64> {
    answer
        .get("data")?
        .get("rateLimit")?
        .get("remaining")?
        .as_u64()
}

/// Reads a batch answer. Errors without a path (or for the whole query) fail the batch; errors
/// under one alias affect that repository only.
pub fn parse(queries: &[RepoQuery], answer: &Value) -> Result<MetaBatch, GhError> {
    let (data, errors) = data_and_errors(answer)?;
    let errors_for = |alias: &str| -> Vec<&Value> {
        errors
            .iter()
            .copied()
            .filter(|e| alias_of(e) == Some(alias))
            .collect()
    };
    let mut repos = Vec::with_capacity(queries.len());
    for (i, q) in queries.iter().enumerate() {
        let alias = format!("r{i}");
        let errs = errors_for(&alias);
        let node = data.get(&alias).filter(|v| !v.is_null());
        let result: MetaResult = match node {
            None => match errs.first() {
                None => Ok(None),
                Some(e) if matches!(error_type(e), "NOT_FOUND") => Ok(None),
                Some(e) if matches!(error_type(e), "FORBIDDEN") => Ok(None),
                Some(e) => Err(GhError::Decode(error_message(e))),
            },
            Some(node) => {
                let alerts_forbidden = errs.iter().any(|e| {
                    e.get("path")
                        .and_then(Value::as_array)
                        .and_then(|p| p.get(1))
                        .and_then(Value::as_str)
                        == Some("vulnerabilityAlerts")
                });
                let upstream_node = if q.upstream.is_some() {
                    data.get(format!("u{i}")).filter(|v| !v.is_null())
                } else {
                    node.get("parent").filter(|v| !v.is_null())
                };
                let branches_node = if q.upstream.is_some() {
                    upstream_node
                } else {
                    node.get("upBranches").filter(|v| !v.is_null())
                };
                repo_meta(q, node, upstream_node, alerts_forbidden).and_then(|mut m| {
                    if !q.branches.is_empty() {
                        m.branch_heads = Some(branch_heads(q, node, branches_node)?);
                    }
                    Ok(Some(m))
                })
            }
        };
        repos.push(result);
    }
    let file = data
        .get("file")
        .and_then(|f| f.get("object"))
        .and_then(|o| o.get("text"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(MetaBatch { repos, file })
}

/// One repository's metadata; an error when an identifier in it is malformed.
fn repo_meta(
    q: &RepoQuery,
    node: &Value,
    upstream: Option<&Value>,
    alerts_forbidden: bool,
) -> Result<RepoMeta, GhError> {
    let same_network = match (&q.upstream, upstream) {
        (Some(_), Some(u)) => match (network_root(node), network_root(u)) {
            (Some(a), Some(b)) => Some(a.eq_ignore_ascii_case(&b)),
            _ => None,
        },
        _ => None,
    };
    let default_branch = branch(node.get("defaultBranchRef"), "defaultBranchRef")?;
    let this_branch = if q.branch.is_some() {
        branch(node.get("branch"), "ref")?
    } else {
        default_branch.clone()
    };
    let upstream_name: Option<RepoName> = upstream
        .and_then(|u| u.get("nameWithOwner")?.as_str())
        .and_then(|s| s.parse().ok());
    let upstream = match (upstream, upstream_name) {
        (Some(u), Some(name)) => {
            let head = match &q.upstream {
                Some((_, Some(_))) => branch(u.get("branch"), "upstream ref")?,
                _ => branch(u.get("defaultBranchRef"), "parent.defaultBranchRef")?,
            };
            Some((name, head))
        }
        _ => None,
    };
    let sync_pull = match node.get("syncPull").filter(|v| !v.is_null()) {
        Some(v) => graphql_pull(v)?,
        None => None,
    };
    let count = |key: &str| -> Option<u32> {
        node.get(key)?
            .get("totalCount")?
            .as_u64()
            .map(|n| n.min(u32::MAX as u64) as u32)
    };
    Ok(RepoMeta {
        repo: node
            .get("nameWithOwner")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| q.repo.clone()),
        archived: node
            .get("isArchived")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        is_fork: node.get("isFork").and_then(Value::as_bool).unwrap_or(false),
        pushed_at: node
            .get("pushedAt")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok()),
        branch: this_branch,
        default_branch: default_branch.map(|b| b.name),
        upstream,
        open_prs: count("pullRequests").unwrap_or(0),
        security_alerts: if alerts_forbidden {
            None
        } else {
            count("vulnerabilityAlerts")
        },
        has_workflows: node
            .get("workflows")
            .and_then(|w| w.get("entries"))
            .and_then(Value::as_array)
            .is_some_and(|e| !e.is_empty()),
        sync_pull,
        same_network,
        viewer_permission: node
            .get("viewerPermission")
            .and_then(Value::as_str)
            .and_then(RepoPermission::parse),
        auto_merge_allowed: node.get("autoMergeAllowed").and_then(Value::as_bool),
        branch_heads: None,
        topics: node
            .get("repositoryTopics")
            .and_then(|t| t.get("nodes"))
            .and_then(Value::as_array)
            .map(|nodes| {
                nodes
                    .iter()
                    .filter_map(|n| n.get("topic")?.get("name")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// What the answer says of a repository's `branches:`: every branch found on each side (a
/// branch read twice counts once), listings cut short, remembered sync pull requests.
fn branch_heads(
    q: &RepoQuery,
    fork: &Value,
    upstream: Option<&Value>,
) -> Result<BranchHeads, GhError> {
    let mut out = BranchHeads::default();
    for (side, node, list) in [
        (Side::Fork, Some(fork), &mut out.fork),
        (Side::Upstream, upstream, &mut out.upstream),
    ] {
        let Some(node) = node else { continue };
        let s = side.prefix();
        for (k, ask) in q.branches.iter().enumerate() {
            let found: Vec<BranchHead> = match ask {
                BranchAsk::Named { .. } => branch(node.get(format!("{s}b{k}")), "ref")?
                    .into_iter()
                    .collect(),
                BranchAsk::Listed { query } => {
                    let refs = node.get(format!("{s}g{k}"));
                    let total = refs
                        .and_then(|r| r.get("totalCount"))
                        .and_then(Value::as_u64)
                        .unwrap_or(0);
                    if total > BRANCH_LISTING as u64 && side == Side::Upstream {
                        out.truncated.push((query.clone(), total));
                    }
                    let nodes = refs
                        .and_then(|r| r.get("nodes"))
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let mut heads = Vec::new();
                    for n in nodes {
                        heads.extend(branch(Some(n), "refs.nodes")?);
                    }
                    heads
                }
            };
            for h in found {
                if !list.iter().any(|b| b.name == h.name) {
                    list.push(h);
                }
            }
        }
    }
    for k in 0..q.branch_sync_prs.len() {
        if let Some(v) = fork.get(format!("sp{k}")).filter(|v| !v.is_null()) {
            out.pulls.extend(graphql_pull(v)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(name: &str) -> RepoQuery {
        RepoQuery {
            branches: Vec::new(),
            branch_sync_prs: Vec::new(),
            repo: name.parse().unwrap(),
            branch: None,
            upstream: None,
            sync_pr: None,
        }
    }

    #[test]
    fn builds_aliases_variables_and_only_used_fragments() {
        let mut second = q("a/two");
        second.branch = Some("dev".into());
        second.upstream = Some(("up/two".parse().unwrap(), Some("release".into())));
        second.sync_pr = Some(7);
        let b = build(&[q("a/one"), second], None);
        assert!(b
            .query
            .contains("r0: repository(owner: $o0, name: $n0) { ...RepoFields }"));
        assert!(b.query.contains("branch: ref(qualifiedName: $b1)"));
        assert!(b
            .query
            .contains("u1: repository(owner: $uo1, name: $un1) { ...UpstreamFields"));
        assert_eq!(b.variables["b1"], "refs/heads/dev");
        assert_eq!(b.variables["ub1"], "refs/heads/release");
        assert!(b
            .query
            .contains("syncPull: pullRequest(number: $p1) { ...PullFields }"));
        assert_eq!(b.variables["p1"], 7);
        assert_eq!(b.variables["n0"], "one");
        for f in [
            "fragment PullFields",
            "fragment RepoFields",
            "fragment UpstreamFields",
            "fragment BranchFields",
        ] {
            assert_eq!(b.query.matches(f).count(), 1, "{f}");
        }
        // Names travel as variables, never spliced into the document.
        assert!(!b.query.contains("\"one\""));
    }

    fn with_branches(name: &str) -> RepoQuery {
        let mut b = q(name);
        b.branches = vec![
            BranchAsk::Named {
                fork: "main".into(),
                upstream: "master".into(),
            },
            BranchAsk::Listed {
                query: "release/".into(),
            },
        ];
        b.branch_sync_prs = vec![9];
        b
    }

    #[test]
    fn branches_are_aliases_on_both_sides_of_the_same_request() {
        // Parent as upstream: its side under `upBranches: parent`.
        let b = build(&[with_branches("a/one")], None);
        let query = &b.query;
        assert!(
            query.contains(" fb0: ref(qualifiedName: $fb0x0) { ...BranchFields }"),
            "{query}"
        );
        assert!(query.contains(
            " fg1: refs(refPrefix: \"refs/heads/\", query: $fg0x1, first: 100) { totalCount nodes { ...BranchFields } }"
        ), "{query}");
        assert!(
            query.contains(" sp0: pullRequest(number: $sp0x0) { ...PullFields }"),
            "{query}"
        );
        assert!(
            query.contains(" upBranches: parent { ub0: ref(qualifiedName: $ub0x0)"),
            "{query}"
        );
        assert!(query.contains(" ug1: refs("), "{query}");
        assert_eq!(b.variables["fb0x0"], "refs/heads/main");
        assert_eq!(b.variables["ub0x0"], "refs/heads/master");
        assert_eq!(b.variables["fg0x1"], "release/");
        assert_eq!(b.variables["ug0x1"], "release/");
        assert_eq!(b.variables["sp0x0"], 9);
        // An explicit upstream: its side in its own alias, no `upBranches`.
        let mut explicit = with_branches("a/two");
        explicit.upstream = Some(("up/two".parse().unwrap(), None));
        let b = build(&[explicit], None);
        assert!(!b.query.contains("upBranches"), "{}", b.query);
        let u0 = &b.query[b.query.find("u0: repository").unwrap()..];
        assert!(u0.contains("ub0: ref(qualifiedName: $ub0x0)"), "{u0}");
        // Each listing is 100 nodes a side: the batch is sized with them.
        let plain = demands(&[q("a/one")])[0];
        let listed = demands(&[with_branches("a/one")])[0];
        assert!(listed.nodes >= plain.nodes + 200, "{plain:?} {listed:?}");
    }

    #[test]
    fn branch_answers_are_read_per_side_with_listings_cut_short_reported() {
        let query = with_branches("a/one");
        let head = |name: &str, c: char| json!({"name": name, "target": {"oid": c.to_string().repeat(40)}});
        let mut node = json!({"nameWithOwner": "a/one", "isFork": true,
            "defaultBranchRef": head("main", 'a'),
            "parent": {"nameWithOwner": "up/one", "defaultBranchRef": head("master", 'b')}});
        node["fb0"] = head("main", 'a');
        node["fg1"] = json!({"totalCount": 1, "nodes": [head("release/1.0", 'c')]});
        node["sp0"] = json!({"number": 9, "url": "u", "headRefName": "priority-sync/release/1.0",
            "baseRefName": "release/1.0", "state": "OPEN"});
        node["upBranches"] = json!({"ub0": head("master", 'b'),
            "ug1": {"totalCount": 140, "nodes": [head("release/1.0", 'd'), head("release/2.0", 'e')]}});
        let answer = json!({"data": {"r0": node}});
        let meta = parse(std::slice::from_ref(&query), &answer)
            .unwrap()
            .repos
            .remove(0)
            .unwrap()
            .unwrap();
        let heads = meta.branch_heads.expect("branches read");
        let names = |l: &[BranchHead]| l.iter().map(|h| h.name.to_string()).collect::<Vec<_>>();
        assert_eq!(names(&heads.fork), ["main", "release/1.0"]);
        assert_eq!(
            names(&heads.upstream),
            ["master", "release/1.0", "release/2.0"]
        );
        assert_eq!(heads.truncated, [("release/".to_string(), 140)]);
        assert_eq!(heads.pulls.len(), 1);
        assert_eq!(heads.pulls[0].base_ref, "release/1.0");
        // A malformed head costs the repository, not the batch.
        node_with_bad_oid(&query);
    }

    fn node_with_bad_oid(query: &RepoQuery) {
        let answer = json!({"data": {"r0": {"nameWithOwner": "a/one",
            "fg1": {"totalCount": 1, "nodes": [{"name": "release/1.0", "target": {"oid": "zz"}}]}}}});
        let batch = parse(std::slice::from_ref(query), &answer).unwrap();
        assert!(batch.repos[0].is_err());
    }

    #[test]
    fn each_query_adds_its_connections_to_a_batch() {
        let mut with_pr = q("a/two");
        with_pr.sync_pr = Some(7);
        with_pr.upstream = Some(("up/two".parse().unwrap(), Some("release".into())));
        let d = demands(&[q("a/one"), with_pr, q("a/three")]);
        // Open PRs and alerts (counts only), 10 topics; the sync PR's 20 labels.
        let plain = Demand {
            requests: 3,
            nodes: 10,
        };
        assert_eq!(
            d,
            [
                plain,
                Demand {
                    requests: 4,
                    nodes: 30
                },
                plain
            ]
        );
        // A batch asks exactly the sum of its repositories.
        let qs = [q("a/one"), q("a/three")];
        let b = build(&qs, None);
        assert_eq!(
            query_cost::demand(&b.query, &b.variables).unwrap(),
            plain + plain
        );
    }

    #[test]
    fn a_missing_repository_costs_only_its_alias() {
        let qs = [q("a/one"), q("a/gone")];
        let answer = json!({
            "data": {
                "rateLimit": {"cost": 1, "limit": 5000, "remaining": 4990, "resetAt": "2026-01-01T00:00:00Z"},
                "r0": {
                    "nameWithOwner": "a/one", "isArchived": false, "isFork": true,
                    "viewerPermission": "TRIAGE",
                    "pushedAt": "2026-01-01T00:00:00Z",
                    "defaultBranchRef": {"name": "main", "target": {"oid": AAA}},
                    "parent": {"nameWithOwner": "up/one", "defaultBranchRef": {"name": "main", "target": {"oid": BBB}}},
                    "pullRequests": {"totalCount": 2},
                    "vulnerabilityAlerts": null,
                    "workflows": {"entries": [{"name": "ci.yml"}]},
                    "repositoryTopics": {"nodes": [{"topic": {"name": "hub"}}]}
                },
                "r1": null
            },
            "errors": [
                {"type": "NOT_FOUND", "path": ["r1"], "message": "Could not resolve to a Repository with the name 'a/gone'."},
                {"type": "FORBIDDEN", "path": ["r0", "vulnerabilityAlerts"], "message": "Resource not accessible by integration"}
            ]
        });
        let batch = parse(&qs, &answer).unwrap();
        let one = batch.repos[0].as_ref().unwrap().as_ref().unwrap();
        assert_eq!(one.branch.as_ref().unwrap().oid, AAA);
        assert_eq!(one.upstream.as_ref().unwrap().1.as_ref().unwrap().oid, BBB);
        assert_eq!(one.open_prs, 2);
        assert_eq!(one.security_alerts, None, "unreadable, not zero");
        assert!(one.has_workflows);
        assert_eq!(one.topics, ["hub"]);
        assert_eq!(one.viewer_permission, Some(RepoPermission::Triage));
        assert!(!RepoPermission::Triage.can_push() && RepoPermission::Write.can_push());
        assert!(matches!(batch.repos[1], Ok(None)));
        assert_eq!(rate_remaining(&answer), Some(4990));
    }

    const AAA: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const BBB: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    /// A repository node with its head, its branch name and its parent's head as given.
    fn node(name: &str, head: &str, branch: &str, up_head: &str) -> Value {
        json!({
            "nameWithOwner": name, "isArchived": false, "isFork": true,
            "defaultBranchRef": {"name": branch, "target": {"oid": head}},
            "parent": {"nameWithOwner": "up/x", "defaultBranchRef": {"name": "main", "target": {"oid": up_head}}},
        })
    }

    #[test]
    fn a_malformed_identifier_fails_its_repository_only() {
        let hostile = "aaaaaa\u{e9}\n::set-output name=mode::all\n";
        let qs = [
            q("a/one"),
            q("a/two"),
            q("a/three"),
            q("a/four"),
            q("a/five"),
        ];
        let mut pr = json!({"number": 3, "url": "u", "headRefName": "priority-sync/main",
            "baseRefName": "main", "state": "OPEN", "headRefOid": hostile});
        let answer = json!({"data": {
            "r0": node("a/one", hostile, "main", BBB),
            "r1": node("a/two", AAA, "main", hostile),
            "r2": node("a/three", AAA, "bad..name", BBB),
            "r3": node("a/four", AAA, "main", BBB),
            "r4": {"nameWithOwner": "a/five", "isFork": true,
                   "defaultBranchRef": {"name": "main", "target": {"oid": AAA}},
                   "syncPull": pr.clone()},
        }});
        let batch = parse(&qs, &answer).unwrap();
        let err = |i: usize| match &batch.repos[i] {
            Err(GhError::Decode(m)) => m.clone(),
            other => panic!("{i}: {other:?}"),
        };
        assert_eq!(
            err(0),
            "defaultBranchRef.target.oid in GitHub's answer is a malformed object id (36 characters, starting \"aaaaaa\"): not 40 or 64 hexadecimal characters"
        );
        assert!(
            err(1).starts_with("parent.defaultBranchRef.target.oid"),
            "{}",
            err(1)
        );
        assert!(
            err(2).contains("malformed branch name (9 characters, starting \"bad..name\")"),
            "{}",
            err(2)
        );
        assert!(err(4).starts_with("headRefOid"), "{}", err(4));
        for i in [0, 1, 2, 4] {
            assert!(
                !err(i).contains("::") && !err(i).contains('\n'),
                "{}",
                err(i)
            );
        }
        let four = batch.repos[3].as_ref().unwrap().as_ref().unwrap();
        assert_eq!(four.branch.as_ref().unwrap().oid, AAA);
        // A well-formed pull request reads.
        pr["headRefOid"] = json!(BBB);
        let mut answer = answer;
        answer["data"]["r4"]["syncPull"] = pr;
        let batch = parse(&qs, &answer).unwrap();
        let five = batch.repos[4].as_ref().unwrap().as_ref().unwrap();
        assert_eq!(
            five.sync_pull.as_ref().unwrap().head_sha.as_ref().unwrap(),
            BBB
        );
    }

    #[test]
    fn network_roots_follow_parent_chains() {
        let fork_of_fork = json!({"nameWithOwner": "me/x", "isFork": true,
            "root": {"nameWithOwner": "team/x", "isFork": true,
                     "parent": {"nameWithOwner": "origin/x", "isFork": false}}});
        assert_eq!(network_root(&fork_of_fork).as_deref(), Some("origin/x"));
        let source = json!({"nameWithOwner": "mirror/x", "isFork": false, "root": null});
        assert_eq!(network_root(&source).as_deref(), Some("mirror/x"));
        // Deeper than the query reads: unknown, so the compare decides.
        let deep = json!({"nameWithOwner": "a/x", "isFork": true,
            "root": {"nameWithOwner": "b/x", "isFork": true, "parent": null}});
        assert_eq!(network_root(&deep), None);
    }

    #[test]
    fn rate_limit_errors_fail_the_batch() {
        let answer =
            json!({"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]});
        assert!(matches!(
            parse(&[q("a/b")], &answer),
            Err(GhError::RateLimited(_))
        ));
        // GitHub's current form (recorded 2026, yanyongyu/githubkit#271).
        let answer = json!({"errors": [{"type": "RATE_LIMIT", "code": "graphql_rate_limit",
            "message": "API rate limit already exceeded for user ID 1."}]});
        assert!(matches!(
            parse(&[q("a/b")], &answer),
            Err(GhError::RateLimited(_))
        ));
        // Any other error without a path is not a rate limit.
        let answer = json!({"errors": [{"type": "MAX_NODE_LIMIT_EXCEEDED", "message": "This query requests up to 505,000 possible nodes which exceeds the maximum limit of 500,000."}]});
        assert!(matches!(
            parse(&[q("a/b")], &answer),
            Err(GhError::Decode(_))
        ));
    }
}
