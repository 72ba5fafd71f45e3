//! The batched GraphQL reads on the wire: a metadata, ancestry or history-sizes batch (built
//! and read by `graphql.rs`, `ancestry.rs` and `history.rs`) is posted raw to the GraphQL
//! endpoint with the token of its batch, and the points left are kept for the budget check. Raw, not octocrab's `graphql()`:
//! that posts under the REST base (wrong on Enterprise Server) and drops partial data.
//!
//! When GitHub times out on a document (which, since 2025-07-21, costs primary points) it is
//! never sent again as it was: the batch is sent as two halves, each once, and so on down to
//! one repository, whose document is tried once more before it counts as failed.

use std::ops::Range;

use http::Method;
use serde_json::{json, Value};

use super::client::Client;
use super::graphql::BatchQuery;
use super::transport::{is_timeout, Kind};
use super::{ancestry, graphql, history, AncestryAsk, Comparison, GhError, MetaBatch, RepoQuery};
use crate::repo_name::RepoName;

/// Posts one GraphQL document with the token for `repo` (and its owner) and returns the
/// answer, or `None` when GitHub timed out on it; the points left, when the query asks for
/// them, are kept for the budget check.
async fn post(c: &Client, repo: &RepoName, q: BatchQuery) -> Result<Option<Value>, GhError> {
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
    if is_timeout(&a) {
        return Ok(None);
    }
    if !a.status.is_success() {
        return Err(a.error());
    }
    if let Some(rem) = graphql::rate_remaining(&a.body) {
        c.transport.note_graphql_remaining(rem);
    }
    Ok(Some(a.body))
}

/// A part of a batch still to send, and whether it is a one-item document already timed
/// out once.
type Part = (Range<usize>, bool);

/// What to send after GitHub timed out on `part`: its two halves, the same single item once
/// more, or nothing (`None`: it failed).
pub(super) fn after_timeout(part: &Part) -> Option<Vec<Part>> {
    let (r, again) = part;
    match r.len() {
        0 => None,
        1 if *again => None,
        1 => Some(vec![(r.clone(), true)]),
        n => {
            let mid = r.start + n / 2;
            // Popped from the end: the first half goes first.
            Some(vec![(mid..r.end, false), (r.start..mid, false)])
        }
    }
}

fn timed_out(n: usize) -> GhError {
    GhError::Status(
        504,
        format!(
            "GitHub timed out on the GraphQL query for {n} repositor{}, also when asked alone",
            if n == 1 { "y" } else { "ies" }
        ),
    )
}

/// See [`super::GitHub::metadata`].
pub(super) async fn metadata(
    c: &Client,
    queries: &[RepoQuery],
    file: Option<(&RepoName, &str)>,
) -> Result<MetaBatch, GhError> {
    if queries.is_empty() && file.is_none() {
        return Ok(MetaBatch::default());
    }
    let mut out = MetaBatch {
        repos: vec![Ok(None); queries.len()],
        file: None,
    };
    let mut todo: Vec<Part> = vec![(0..queries.len(), false)];
    while let Some(part) = todo.pop() {
        let qs = &queries[part.0.clone()];
        // The file rides with the part holding the first repository (or alone).
        let with_file = part.0.start == 0;
        let f = file.filter(|_| with_file);
        let Some(repo) = qs.first().map(|q| &q.repo).or(f.map(|(r, _)| r)) else {
            continue;
        };
        let result = match post(c, repo, graphql::build(qs, f)).await {
            Ok(Some(answer)) => graphql::parse(qs, &answer),
            Ok(None) => match after_timeout(&part) {
                Some(parts) => {
                    log::info!(
                        "GitHub timed out on the metadata of {} repositories; asking again in smaller parts",
                        qs.len()
                    );
                    todo.extend(parts);
                    continue;
                }
                None => Err(timed_out(qs.len())),
            },
            Err(e) => Err(e),
        };
        match result {
            Ok(b) => {
                if with_file {
                    out.file = b.file;
                }
                for (slot, r) in out.repos[part.0].iter_mut().zip(b.repos) {
                    *slot = r;
                }
            }
            Err(e) if e.is_fatal() || qs.len() == queries.len() => return Err(e),
            Err(e) => {
                for slot in &mut out.repos[part.0] {
                    *slot = Err(e.clone());
                }
            }
        }
    }
    Ok(out)
}

/// See [`super::GitHub::ancestry`]. A part that cannot be read leaves its forks to the
/// compare (`None`), as a failed batch does.
pub(super) async fn ancestry(
    c: &Client,
    asks: &[AncestryAsk],
) -> Result<Vec<Option<Comparison>>, GhError> {
    let mut out = vec![None; asks.len()];
    let mut todo: Vec<Part> = vec![(0..asks.len(), false)];
    while let Some(part) = todo.pop() {
        let a = &asks[part.0.clone()];
        let Some(first) = a.first() else {
            continue;
        };
        let result = match post(c, &first.repo, ancestry::build(a)).await {
            Ok(Some(answer)) => ancestry::parse(a, &answer),
            Ok(None) => match after_timeout(&part) {
                Some(parts) => {
                    log::info!(
                        "GitHub timed out on the ancestry of {} forks; asking again in smaller parts",
                        a.len()
                    );
                    todo.extend(parts);
                    continue;
                }
                None => Err(timed_out(a.len())),
            },
            Err(e) => Err(e),
        };
        match result {
            Ok(found) => {
                for (slot, r) in out[part.0].iter_mut().zip(found) {
                    *slot = r;
                }
            }
            Err(e) if e.is_fatal() || a.len() == asks.len() => return Err(e),
            Err(_) => {}
        }
    }
    Ok(out)
}

/// See [`super::GitHub::history_sizes`]. A timed-out batch goes again in parts, as the
/// others; a part that cannot be read leaves its forks unsized (`None`).
pub(super) async fn history_sizes(
    c: &Client,
    asks: &[AncestryAsk],
) -> Result<Vec<Option<(u64, u64)>>, GhError> {
    let mut out = vec![None; asks.len()];
    let mut todo: Vec<Part> = vec![(0..asks.len(), false)];
    while let Some(part) = todo.pop() {
        let a = &asks[part.0.clone()];
        let Some(first) = a.first() else {
            continue;
        };
        let result = match post(c, &first.repo, history::build(a)).await {
            Ok(Some(answer)) => history::parse(a, &answer),
            Ok(None) => match after_timeout(&part) {
                Some(parts) => {
                    todo.extend(parts);
                    continue;
                }
                None => Err(timed_out(a.len())),
            },
            Err(e) => Err(e),
        };
        match result {
            Ok(sizes) => {
                for (slot, r) in out[part.0].iter_mut().zip(sizes) {
                    *slot = r;
                }
            }
            Err(e) if e.is_fatal() || a.len() == asks.len() => return Err(e),
            Err(_) => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timed_out_batch_is_sent_again_in_halves_and_one_item_once_more() {
        assert_eq!(
            after_timeout(&(0..50, false)),
            Some(vec![(25..50, false), (0..25, false)])
        );
        assert_eq!(
            after_timeout(&(10..13, false)),
            Some(vec![(11..13, false), (10..11, false)])
        );
        assert_eq!(after_timeout(&(4..5, false)), Some(vec![(4..5, true)]));
        assert_eq!(after_timeout(&(4..5, true)), None);
    }

    #[test]
    fn splitting_sends_each_document_at_most_once_and_ends() {
        // Everything times out: each part goes once, a single item twice (49 parts of two
        // or more + 50 × 2 = 149 documents), and the loop ends.
        let mut todo = vec![(0..50, false)];
        let mut sent: Vec<Range<usize>> = Vec::new();
        while let Some(p) = todo.pop() {
            sent.push(p.0.clone());
            if let Some(next) = after_timeout(&p) {
                todo.extend(next);
            }
        }
        assert_eq!(sent.len(), 149);
        for r in &sent {
            let times = sent.iter().filter(|x| *x == r).count();
            assert_eq!(times, if r.len() == 1 { 2 } else { 1 }, "{r:?}");
        }
    }
}
