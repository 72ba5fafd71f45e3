//! The batched ancestry query (`graphql/ancestry.graphql`): for forks whose head differs from
//! their upstream's, one GraphQL request per batch answers "how far behind" for every fork
//! that is plainly behind, so only diverged or far-behind forks still cost a REST compare.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::graphql::{alias_of, assemble, data_and_errors, BatchQuery};
use super::query_cost::{self, Demand};
use super::{Comparison, GhError};
use crate::ids::Oid;
use crate::repo_name::RepoName;

const DOCUMENT: &str = include_str!("graphql/ancestry.graphql");

/// How many of the upstream's latest commits are searched for the fork's head (GitHub's
/// page limit). A fork further behind is left to the REST compare.
pub const DEPTH: usize = 100;

/// How many of the fork's latest commits are searched for where the two lines meet: forks
/// carry a few commits of their own (patches, configuration); one with more is left to the
/// REST compare.
pub const FORK_DEPTH: usize = 10;

/// One fork to check: its branch head and its upstream's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AncestryAsk {
    pub repo: RepoName,
    pub head: Oid,
    pub upstream: RepoName,
    pub upstream_head: Oid,
}

/// Builds the query for `asks` (one `u{i}`/`f{i}` alias pair each).
pub fn build(asks: &[AncestryAsk]) -> BatchQuery {
    let mut decls = Vec::new();
    let mut body = String::from("  rateLimit { cost limit remaining resetAt }\n");
    let mut vars = Map::new();
    for (i, a) in asks.iter().enumerate() {
        for (side, repo, oid, fragment) in [
            ("u", &a.upstream, &a.upstream_head, "UpstreamHistory"),
            ("f", &a.repo, &a.head, "ForkHistory"),
        ] {
            decls.push(format!(
                "${side}o{i}: String!, ${side}n{i}: String!, ${side}{i}: GitObjectID!, ${side}w{i}: String!"
            ));
            vars.insert(format!("{side}o{i}"), json!(repo.owner()));
            vars.insert(format!("{side}n{i}"), json!(repo.name()));
            vars.insert(format!("{side}{i}"), json!(oid.as_str()));
            vars.insert(
                format!("{side}w{i}"),
                json!(format!("{oid}:.github/workflows")),
            );
            body.push_str(&format!(
                "  {side}{i}: repository(owner: ${side}o{i}, name: ${side}n{i}) {{ head: object(oid: ${side}{i}) {{ ...{fragment} }} workflows: object(expression: ${side}w{i}) {{ oid }} }}\n"
            ));
        }
    }
    assemble("Ancestry", DOCUMENT, &decls, &body, vars)
}

/// What each fork adds to an ancestry batch (GitHub's requests and nodes, see
/// [`query_cost`]): two histories, the upstream's 100 latest commits and the fork's 10.
pub fn demand() -> Demand {
    let one = AncestryAsk {
        repo: RepoName::new("o", "r").expect("a valid name"),
        head: Oid::parse(&"0".repeat(40)).expect("a valid oid"),
        upstream: RepoName::new("o", "u").expect("a valid name"),
        upstream_head: Oid::parse(&"0".repeat(40)).expect("a valid oid"),
    };
    let q = build(&[one]);
    query_cost::demand(&q.query, &q.variables).expect("ancestry.graphql is readable")
}

/// Reads a batch answer: per ask, `Some` when the two lines meet within the latest commits
/// of both (the fork plainly behind, or diverged by a few commits of its own), `None` when a
/// REST compare must decide (further apart, either side unreadable, or histories that are not
/// linear from where they meet). Errors without a path fail the whole batch.
pub fn parse(asks: &[AncestryAsk], answer: &Value) -> Result<Vec<Option<Comparison>>, GhError> {
    let (data, errors) = data_and_errors(answer)?;
    Ok(asks
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (u, f) = (format!("u{i}"), format!("f{i}"));
            let erred = errors
                .iter()
                .any(|e| alias_of(e).is_some_and(|x| x == u || x == f));
            if erred {
                return None;
            }
            one(a, data.get(&u)?, data.get(&f)?)
        })
        .collect())
}

fn one(ask: &AncestryAsk, up: &Value, fork: &Value) -> Option<Comparison> {
    let history = |side: &Value| side.get("head")?.get("history").cloned();
    let total = |h: &Value| h.get("totalCount")?.as_u64();
    let oids = |h: &Value| -> Option<Vec<String>> {
        h.get("nodes")?
            .as_array()?
            .iter()
            .map(|n| n.get("oid").and_then(Value::as_str).map(str::to_string))
            .collect()
    };
    let (up_history, fork_history) = (history(up)?, history(fork)?);
    let (up_total, fork_total) = (total(&up_history)?, total(&fork_history)?);
    let up_nodes = up_history.get("nodes")?.as_array()?;
    let up_oids = oids(&up_history)?;
    // The fork's own latest commits; an answer without them (an older shape) holds its head.
    let fork_oids = oids(&fork_history).unwrap_or_else(|| vec![ask.head.as_str().to_string()]);
    if fork_oids.first().map(String::as_str) != Some(ask.head.as_str()) {
        return None;
    }
    let (behind, ahead) = meeting_point(&up_oids, &fork_oids)?;
    // Trust counts only where both histories agree on the meeting point's history size
    // (linear on both sides from there); merged side work goes to the compare.
    if up_total.checked_sub(behind as u64)? != fork_total.checked_sub(ahead as u64)? {
        return None;
    }
    let oldest_missing = up_nodes[..behind]
        .iter()
        .filter_map(|n| {
            n.get("committedDate")?
                .as_str()?
                .parse::<DateTime<Utc>>()
                .ok()
        })
        .min();
    let tree = |side: &Value| {
        side.get("workflows")
            .and_then(|w| w.get("oid"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Some(Comparison {
        behind: u32::try_from(behind).ok()?,
        ahead: u32::try_from(ahead).ok()?,
        oldest_missing,
        touches_workflows: tree(up) != tree(fork),
    })
}

/// Where the two lines meet: the newest of the fork's commits that is among the upstream's,
/// as (upstream commits before it, fork commits before it), or `None` when none is.
fn meeting_point(up: &[String], fork: &[String]) -> Option<(usize, usize)> {
    let at: std::collections::HashMap<&str, usize> = up
        .iter()
        .enumerate()
        .map(|(i, o)| (o.as_str(), i))
        .collect();
    fork.iter()
        .enumerate()
        .find_map(|(j, o)| at.get(o.as_str()).map(|&i| (i, j)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask() -> AncestryAsk {
        AncestryAsk {
            repo: "me/app".parse().unwrap(),
            head: "f".repeat(40).parse().unwrap(),
            upstream: "up/app".parse().unwrap(),
            upstream_head: "a".repeat(40).parse().unwrap(),
        }
    }

    fn node(oid: &str, date: &str) -> Value {
        json!({ "oid": oid, "committedDate": date })
    }

    fn answer(nodes: Vec<Value>, up_total: u64, fork_total: u64, wf: (&str, &str)) -> Value {
        json!({ "data": {
            "rateLimit": { "cost": 1, "limit": 5000, "remaining": 4999, "resetAt": "2026-11-25T01:00:00Z" },
            "u0": { "head": { "history": { "totalCount": up_total, "nodes": nodes } },
                    "workflows": { "oid": wf.0 } },
            "f0": { "head": { "history": { "totalCount": fork_total } },
                    "workflows": { "oid": wf.1 } },
        }})
    }

    #[test]
    fn builds_one_alias_pair_per_fork_with_its_variables() {
        let q = build(&[ask(), ask()]);
        assert!(q.query.starts_with("query Ancestry($uo0: String!"));
        for alias in [
            "u0: repository",
            "f0: repository",
            "u1: repository",
            "f1: repository",
        ] {
            assert!(q.query.contains(alias), "{alias} missing in {}", q.query);
        }
        assert!(q.query.contains("fragment UpstreamHistory on GitObject"));
        assert!(q.query.contains("fragment ForkHistory on GitObject"));
        assert!(q.query.contains(&format!("history(first: {DEPTH})")));
        assert_eq!(q.variables["u1"], json!("a".repeat(40)));
        assert_eq!(q.variables["fo1"], json!("me"));
        assert_eq!(
            q.variables["fw0"],
            json!(format!("{}:.github/workflows", "f".repeat(40)))
        );
    }

    #[test]
    fn each_fork_asks_two_histories_of_110_commits_in_all() {
        assert_eq!(
            demand(),
            Demand {
                requests: 2,
                nodes: (DEPTH + FORK_DEPTH) as u64
            }
        );
        assert!(DOCUMENT.contains(&format!("history(first: {FORK_DEPTH})")));
    }

    fn fork_side(a: &mut Value, oids: &[&str]) {
        let nodes: Vec<Value> = oids.iter().map(|o| json!({ "oid": o })).collect();
        a["data"]["f0"]["head"]["history"]["nodes"] = json!(nodes);
    }

    const M: &str = "3333333333333333333333333333333333333333";
    const MINE: &str = "4444444444444444444444444444444444444444";

    #[test]
    fn a_fork_with_its_own_commits_is_settled_where_the_lines_meet() {
        // Upstream: u1, u2 on top of M; fork: its head and MINE on top of M.
        let nodes = vec![
            node(
                "1111111111111111111111111111111111111111",
                "2026-11-20T00:00:00Z",
            ),
            node(
                "2222222222222222222222222222222222222222",
                "2026-11-10T00:00:00Z",
            ),
            node(M, "2026-10-01T00:00:00Z"),
        ];
        let mut a = answer(nodes, 42, 42, ("t1", "t1"));
        fork_side(&mut a, &[&"f".repeat(40), MINE, M]);
        assert_eq!(
            parse(&[ask()], &a).unwrap(),
            vec![Some(Comparison {
                behind: 2,
                ahead: 2,
                oldest_missing: Some("2026-11-10T00:00:00Z".parse().unwrap()),
                touches_workflows: false,
            })]
        );
        // The same lines, but the histories disagree on M's history size: merged side work
        // lies behind one of them, so the compare decides.
        let mut b = answer(
            vec![
                node(
                    "1111111111111111111111111111111111111111",
                    "2026-11-20T00:00:00Z",
                ),
                node(M, "2026-10-01T00:00:00Z"),
            ],
            45,
            42,
            ("t1", "t1"),
        );
        fork_side(&mut b, &[&"f".repeat(40), M]);
        assert_eq!(parse(&[ask()], &b).unwrap(), vec![None]);
    }

    #[test]
    fn a_fork_only_ahead_is_zero_behind_and_a_fork_beyond_reach_is_left_to_the_compare() {
        // The upstream's head is the fork's second commit: one own commit, nothing missing.
        let mut a = answer(vec![node(M, "2026-10-01T00:00:00Z")], 10, 11, ("t1", "t2"));
        fork_side(&mut a, &[&"f".repeat(40), M]);
        let got = parse(&[ask()], &a).unwrap();
        let c = got[0].as_ref().expect("settled");
        assert_eq!((c.behind, c.ahead, c.oldest_missing), (0, 1, None));
        assert!(c.touches_workflows, "the heads' workflow trees differ");
        // No fork commit among the upstream's latest: too far apart.
        let mut b = answer(vec![node(M, "2026-10-01T00:00:00Z")], 10, 30, ("t", "t"));
        fork_side(&mut b, &[&"f".repeat(40), MINE]);
        assert_eq!(parse(&[ask()], &b).unwrap(), vec![None]);
        // A fork history that does not start at the asked head is not the fork's.
        let mut c = answer(vec![node(M, "2026-10-01T00:00:00Z")], 10, 11, ("t", "t"));
        fork_side(&mut c, &[MINE, M]);
        assert_eq!(parse(&[ask()], &c).unwrap(), vec![None]);
    }

    #[test]
    fn a_fork_head_in_the_upstream_history_is_that_many_behind() {
        let nodes = vec![
            node(
                "1111111111111111111111111111111111111111",
                "2026-11-20T00:00:00Z",
            ),
            node(
                "2222222222222222222222222222222222222222",
                "2026-11-10T00:00:00Z",
            ),
            node(&"f".repeat(40), "2026-10-01T00:00:00Z"),
        ];
        let got = parse(&[ask()], &answer(nodes, 52, 50, ("t1", "t1"))).unwrap();
        assert_eq!(
            got,
            vec![Some(Comparison {
                behind: 2,
                ahead: 0,
                oldest_missing: Some("2026-11-10T00:00:00Z".parse().unwrap()),
                touches_workflows: false,
            })]
        );
    }

    #[test]
    fn different_workflow_trees_mean_the_missing_commits_touch_workflows() {
        let nodes = vec![
            node(
                "1111111111111111111111111111111111111111",
                "2026-11-20T00:00:00Z",
            ),
            node(&"f".repeat(40), "2026-10-01T00:00:00Z"),
        ];
        let got = parse(&[ask()], &answer(nodes.clone(), 11, 10, ("t1", "t2"))).unwrap();
        assert!(got[0].as_ref().unwrap().touches_workflows);
        // Workflows added upstream (the fork has none): a change too.
        let mut a = answer(nodes, 11, 10, ("t1", "t2"));
        a["data"]["f0"]["workflows"] = Value::Null;
        assert!(
            parse(&[ask()], &a).unwrap()[0]
                .as_ref()
                .unwrap()
                .touches_workflows
        );
    }

    #[test]
    fn anything_but_a_plain_linear_lead_is_left_to_the_compare() {
        let other = node(
            "1111111111111111111111111111111111111111",
            "2026-11-20T00:00:00Z",
        );
        // Not found among the latest commits: diverged or too far behind.
        assert_eq!(
            parse(&[ask()], &answer(vec![other.clone()], 300, 10, ("t", "t"))).unwrap(),
            vec![None]
        );
        // Found, but the counts say merged side work lies behind it: not linear.
        let found = vec![other, node(&"f".repeat(40), "2026-10-01T00:00:00Z")];
        assert_eq!(
            parse(&[ask()], &answer(found.clone(), 14, 10, ("t", "t"))).unwrap(),
            vec![None]
        );
        // An error under either alias (e.g. the upstream's commit is gone).
        let mut a = answer(found, 11, 10, ("t", "t"));
        a["errors"] = json!([{ "type": "NOT_FOUND", "path": ["u0", "head"], "message": "gone" }]);
        assert_eq!(parse(&[ask()], &a).unwrap(), vec![None]);
        // The fork's head object could not be read.
        let mut b = answer(vec![], 11, 10, ("t", "t"));
        b["data"]["f0"]["head"] = Value::Null;
        assert_eq!(parse(&[ask()], &b).unwrap(), vec![None]);
    }

    #[test]
    fn query_wide_errors_fail_the_batch() {
        let a =
            json!({ "errors": [{ "type": "RATE_LIMITED", "message": "API rate limit exceeded" }] });
        assert!(matches!(parse(&[ask()], &a), Err(GhError::RateLimited(_))));
        let b = json!({ "data": null, "errors": [{ "message": "Something went wrong" }] });
        assert!(matches!(parse(&[ask()], &b), Err(GhError::Decode(_))));
    }
}
