//! The batched GraphQL reads on the wire: a metadata, ancestry or history-sizes batch (built
//! and read by `graphql.rs`, `ancestry.rs` and `history.rs`) is posted raw to the GraphQL endpoint with the token of its
//! batch, and the points left are kept for the budget check. Raw, not octocrab's `graphql()`:
//! that posts under the REST base (wrong on Enterprise Server) and drops partial data.

use http::Method;
use serde_json::{json, Value};

use super::client::Client;
use super::graphql::BatchQuery;
use super::transport::Kind;
use super::{ancestry, graphql, history, AncestryAsk, Comparison, GhError, MetaBatch, RepoQuery};
use crate::repo_name::RepoName;

/// Posts one GraphQL document with the token for `repo` (and its owner) and returns the
/// answer; the points left, when the query asks for them, are kept for the budget check.
async fn post(c: &Client, repo: &RepoName, q: BatchQuery) -> Result<Value, GhError> {
    let token = c.token_for(repo).await?;
    let body = json!({ "query": q.query, "variables": q.variables });
    let a = c
        .transport
        .send(
            Method::POST,
            &c.endpoints.graphql,
            Some(&body),
            Kind::Graphql,
            &token,
        )
        .await?;
    if !a.status.is_success() {
        return Err(a.error());
    }
    if let Some(rem) = graphql::rate_remaining(&a.body) {
        c.transport.note_graphql_remaining(rem);
    }
    Ok(a.body)
}

/// See [`super::GitHub::metadata`].
pub(super) async fn metadata(
    c: &Client,
    queries: &[RepoQuery],
    file: Option<(&RepoName, &str)>,
) -> Result<MetaBatch, GhError> {
    let Some(first) = queries.first().map(|q| &q.repo).or(file.map(|(r, _)| r)) else {
        return Ok(MetaBatch::default());
    };
    let answer = post(c, first, graphql::build(queries, file)).await?;
    graphql::parse(queries, &answer)
}

/// See [`super::GitHub::ancestry`].
pub(super) async fn ancestry(
    c: &Client,
    asks: &[AncestryAsk],
) -> Result<Vec<Option<Comparison>>, GhError> {
    let Some(first) = asks.first() else {
        return Ok(Vec::new());
    };
    let answer = post(c, &first.repo, ancestry::build(asks)).await?;
    ancestry::parse(asks, &answer)
}

/// See [`super::GitHub::history_sizes`].
pub(super) async fn history_sizes(
    c: &Client,
    asks: &[AncestryAsk],
) -> Result<Vec<Option<(u64, u64)>>, GhError> {
    let Some(first) = asks.first() else {
        return Ok(Vec::new());
    };
    let answer = post(c, &first.repo, history::build(asks)).await?;
    history::parse(asks, &answer)
}
