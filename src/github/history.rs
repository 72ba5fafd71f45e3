//! The history-sizes query (`graphql/history_sizes.graphql`): for forks whose compare GitHub
//! could not compute, one GraphQL request per batch reads how many commits each side's head
//! has in its history, from which gather bounds how far behind the fork is.

use serde_json::{json, Map, Value};

use super::graphql::{alias_of, assemble, data_and_errors, BatchQuery};
use super::query_cost::{self, Demand};
use super::{AncestryAsk, GhError};
use crate::ids::Oid;
use crate::repo_name::RepoName;

const DOCUMENT: &str = include_str!("graphql/history_sizes.graphql");

/// Builds the query for `asks` (one `u{i}`/`f{i}` alias pair each).
pub fn build(asks: &[AncestryAsk]) -> BatchQuery {
    let mut decls = Vec::new();
    let mut body = String::from("  rateLimit { cost limit remaining resetAt }\n");
    let mut vars = Map::new();
    for (i, a) in asks.iter().enumerate() {
        for (side, repo, oid) in [
            ("u", &a.upstream, &a.upstream_head),
            ("f", &a.repo, &a.head),
        ] {
            decls.push(format!(
                "${side}o{i}: String!, ${side}n{i}: String!, ${side}{i}: GitObjectID!"
            ));
            vars.insert(format!("{side}o{i}"), json!(repo.owner()));
            vars.insert(format!("{side}n{i}"), json!(repo.name()));
            vars.insert(format!("{side}{i}"), json!(oid));
            body.push_str(&format!(
                "  {side}{i}: repository(owner: ${side}o{i}, name: ${side}n{i}) {{ head: object(oid: ${side}{i}) {{ ...HistorySize }} }}\n"
            ));
        }
    }
    assemble("HistorySizes", DOCUMENT, &decls, &body, vars)
}

/// What each fork adds to a history-sizes batch (GitHub's requests and nodes, see
/// [`query_cost`]): two histories of one commit each.
pub fn demand() -> Demand {
    let one = AncestryAsk {
        repo: RepoName::new("o", "r").expect("a valid name"),
        head: Oid::parse(&"0".repeat(40)).expect("a valid oid"),
        upstream: RepoName::new("o", "u").expect("a valid name"),
        upstream_head: Oid::parse(&"0".repeat(40)).expect("a valid oid"),
    };
    let q = build(&[one]);
    query_cost::demand(&q.query, &q.variables).expect("history_sizes.graphql is readable")
}

/// Reads a batch answer: per ask, `(upstream head's history size, fork head's)`, `None` when
/// either side could not be read. Errors without a path fail the whole batch.
pub fn parse(asks: &[AncestryAsk], answer: &Value) -> Result<Vec<Option<(u64, u64)>>, GhError> {
    let (data, errors) = data_and_errors(answer)?;
    let size = |alias: &str| -> Option<u64> {
        if errors.iter().any(|e| alias_of(e) == Some(alias)) {
            return None;
        }
        data.get(alias)?
            .get("head")?
            .get("history")?
            .get("totalCount")?
            .as_u64()
    };
    Ok((0..asks.len())
        .map(|i| Some((size(&format!("u{i}"))?, size(&format!("f{i}"))?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask() -> AncestryAsk {
        AncestryAsk {
            repo: "me/app".parse().unwrap(),
            head: crate::ids::Oid::parse(&"f".repeat(40)).unwrap(),
            upstream: "up/app".parse().unwrap(),
            upstream_head: crate::ids::Oid::parse(&"a".repeat(40)).unwrap(),
        }
    }

    #[test]
    fn one_alias_pair_per_fork() {
        let q = build(&[ask(), ask()]);
        assert!(q.query.starts_with("query HistorySizes($uo0: String!"));
        for alias in [
            "u0: repository",
            "f0: repository",
            "u1: repository",
            "f1: repository",
        ] {
            assert!(q.query.contains(alias), "{alias} missing in {}", q.query);
        }
        assert!(q.query.contains("fragment HistorySize on GitObject"));
        assert_eq!(q.variables["u1"], json!("a".repeat(40)));
        assert_eq!(q.variables["fn0"], json!("app"));
        assert_eq!(q.variables["uo0"], json!("up"));
    }

    #[test]
    fn sizes_per_fork_and_none_where_a_side_is_unreadable() {
        let side = |n: u64| json!({"head": {"history": {"totalCount": n}}});
        let answer = json!({"data": {
            "u0": side(5_200), "f0": side(40),
            "u1": side(9), "f1": {"head": null},
        }, "errors": [{"type": "NOT_FOUND", "path": ["f1", "head"], "message": "gone"}]});
        assert_eq!(
            parse(&[ask(), ask()], &answer).unwrap(),
            vec![Some((5_200, 40)), None]
        );
        let limited = json!({"errors": [{"type": "RATE_LIMITED", "message": "limit"}]});
        assert!(matches!(
            parse(&[ask()], &limited),
            Err(GhError::RateLimited(_))
        ));
    }
}
