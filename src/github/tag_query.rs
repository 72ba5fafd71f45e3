//! The tags query (`graphql/tag_pages.graphql`): one GraphQL request per batch reads a page of
//! 100 tags of each repository asked (forks and upstreams alike), with the object each tag
//! points at, so a fleet's tags cost a handful of requests and no REST call per repository.
//! A repository with more tags is asked again for its next page only.

use serde_json::{json, Map, Value};

use super::graphql::{alias_of, assemble, data_and_errors, BatchQuery};
use super::query_cost::{self, Demand};
use super::GhError;
use crate::ids::{Oid, TagName};
use crate::repo_name::RepoName;
use crate::tags::{TagKind, TagRef};

const DOCUMENT: &str = include_str!("graphql/tag_pages.graphql");

/// One repository's page of tags to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagAsk {
    pub repo: RepoName,
    /// The cursor after which to read (the previous page's end); `None` for the first page.
    pub after: Option<String>,
}

/// One page of a repository's tags, newest commit first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagPage {
    pub tags: Vec<TagRef>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

/// Builds the query for `asks` (one `t{i}` alias each).
pub fn build(asks: &[TagAsk]) -> BatchQuery {
    let mut decls = Vec::new();
    let mut body = String::from("  rateLimit { cost limit remaining resetAt }\n");
    let mut vars = Map::new();
    for (i, a) in asks.iter().enumerate() {
        decls.push(format!("$o{i}: String!, $n{i}: String!, $c{i}: String"));
        vars.insert(format!("o{i}"), json!(a.repo.owner()));
        vars.insert(format!("n{i}"), json!(a.repo.name()));
        vars.insert(format!("c{i}"), json!(a.after));
        body.push_str(&format!(
            "  t{i}: repository(owner: $o{i}, name: $n{i}) {{ tags: refs(refPrefix: \"refs/tags/\", first: 100, after: $c{i}, orderBy: {{field: TAG_COMMIT_DATE, direction: DESC}}) {{ ...TagRefs }} }}\n"
        ));
    }
    assemble("TagPages", DOCUMENT, &decls, &body, vars)
}

/// What each repository adds to a tags batch (GitHub's requests and nodes, see
/// [`query_cost`]): one connection of 100 refs.
pub fn demand() -> Demand {
    let one = TagAsk {
        repo: RepoName::new("o", "r").expect("a valid name"),
        after: None,
    };
    let q = build(&[one]);
    query_cost::demand(&q.query, &q.variables).expect("tag_pages.graphql is readable")
}

/// Reads a batch answer: per ask, its page, or why it could not be read (not found, no
/// access, a malformed answer). Errors without a path fail the whole batch.
pub fn parse(asks: &[TagAsk], answer: &Value) -> Result<Vec<Result<TagPage, GhError>>, GhError> {
    let (data, errors) = data_and_errors(answer)?;
    Ok((0..asks.len())
        .map(|i| {
            let alias = format!("t{i}");
            if let Some(e) = errors.iter().find(|e| alias_of(e) == Some(alias.as_str())) {
                let msg = e.get("message").and_then(Value::as_str).unwrap_or("error");
                return Err(GhError::Status(404, msg.to_string()));
            }
            let conn = data
                .get(&alias)
                .and_then(|r| r.get("tags"))
                .filter(|c| !c.is_null())
                .ok_or_else(|| GhError::Status(404, "the repository could not be read".into()))?;
            page(conn)
        })
        .collect())
}

fn page(conn: &Value) -> Result<TagPage, GhError> {
    let mut tags = Vec::new();
    for node in conn
        .get("nodes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = node.get("name").and_then(Value::as_str).unwrap_or_default();
        let name = TagName::parse(name).map_err(|e| GhError::malformed("a tag's name", e))?;
        let target = node.get("target").unwrap_or(&Value::Null);
        let oid = |v: &Value, what: &str| -> Result<Oid, GhError> {
            let s = v.get("oid").and_then(Value::as_str).unwrap_or_default();
            Oid::parse(s).map_err(|e| GhError::malformed(what, e))
        };
        let (kind, target_commit) = match target.get("__typename").and_then(Value::as_str) {
            Some("Commit") => (TagKind::Lightweight, None),
            Some("Tag") => (
                TagKind::Annotated,
                target
                    .get("target")
                    .map(|t| oid(t, "a tag object's target"))
                    .transpose()?,
            ),
            // A tag of a tree or a blob: not something a fork sync carries.
            _ => continue,
        };
        tags.push(TagRef {
            name,
            object: oid(target, "a tag's object")?,
            kind,
            target: target_commit,
        });
    }
    let info = conn.get("pageInfo");
    let more = info
        .and_then(|p| p.get("hasNextPage"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let next = info
        .and_then(|p| p.get("endCursor"))
        .and_then(Value::as_str)
        .filter(|_| more)
        .map(str::to_string);
    Ok(TagPage { tags, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(repo: &str, after: Option<&str>) -> TagAsk {
        TagAsk {
            repo: repo.parse().unwrap(),
            after: after.map(str::to_string),
        }
    }

    #[test]
    fn one_alias_per_repository_with_its_cursor() {
        let q = build(&[ask("me/app", None), ask("up/app", Some("Y3Vyc29y"))]);
        assert!(q
            .query
            .starts_with("query TagPages($o0: String!, $n0: String!, $c0: String"));
        assert!(q.query.contains("t1: repository(owner: $o1, name: $n1)"));
        assert!(q.query.contains("fragment TagRefs on RefConnection"));
        assert_eq!(q.variables["c0"], Value::Null);
        assert_eq!(q.variables["c1"], json!("Y3Vyc29y"));
        assert_eq!(q.variables["o1"], json!("up"));
        let d = demand();
        assert_eq!((d.requests, d.nodes), (1, 100));
    }

    #[test]
    fn pages_read_annotated_and_lightweight_tags_and_failures_per_repository() {
        let a = "a".repeat(40);
        let c = "c".repeat(40);
        let answer = json!({"data": {
            "t0": {"tags": {
                "pageInfo": {"hasNextPage": true, "endCursor": "next"},
                "nodes": [
                    {"name": "v2", "target": {"__typename": "Tag", "oid": a, "target": {"oid": c}}},
                    {"name": "v1", "target": {"__typename": "Commit", "oid": c}},
                    {"name": "tree-tag", "target": {"__typename": "Tree", "oid": c}},
                ]}},
            "t1": null,
            "t2": {"tags": {"pageInfo": {"hasNextPage": false, "endCursor": null},
                "nodes": [{"name": "v1\n::warning::x", "target": {"__typename": "Commit", "oid": c}}]}},
        }, "errors": [{"type": "NOT_FOUND", "path": ["t1"], "message": "Could not resolve"}]});
        let asks = [ask("o/a", None), ask("o/b", None), ask("o/c", None)];
        let pages = parse(&asks, &answer).unwrap();
        let p = pages[0].as_ref().unwrap();
        assert_eq!(p.next.as_deref(), Some("next"));
        assert_eq!(p.tags.len(), 2, "a tag of a tree is left out");
        assert_eq!(p.tags[0].kind, TagKind::Annotated);
        assert_eq!(p.tags[0].object.as_str(), a);
        assert_eq!(
            p.tags[0].target.as_ref().map(|o| o.as_str()),
            Some(c.as_str())
        );
        assert_eq!(p.tags[1].kind, TagKind::Lightweight);
        assert!(matches!(pages[1], Err(GhError::Status(404, _))));
        let bad = pages[2].as_ref().unwrap_err().to_string();
        assert!(
            bad.contains("a malformed tag name") && !bad.contains("::") && !bad.contains('\n'),
            "{bad}"
        );
        let limited = json!({"errors": [{"type": "RATE_LIMITED", "message": "limit"}]});
        assert!(matches!(
            parse(&asks, &limited),
            Err(GhError::RateLimited(_))
        ));
    }
}
