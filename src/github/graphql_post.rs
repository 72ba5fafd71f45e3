//! The batched GraphQL reads on the wire: a metadata, ancestry or history-sizes batch (built
//! and read by `graphql.rs`, `ancestry.rs` and `history.rs`) is posted raw to the GraphQL
//! endpoint with the token of its batch, and the points left are kept for the budget check. Raw, not octocrab's `graphql()`:
//! that posts under the REST base (wrong on Enterprise Server) and drops partial data.
//!
//! When GitHub times out on a document (which, since 2025-07-21, costs primary points) it is
//! never sent again as it was: the batch is sent as two halves, each once, and so on down to
//! one repository, whose document is tried once more before it counts as failed.

use std::future::Future;
use std::ops::Range;

use http::Method;
use serde_json::{json, Value};

use super::client::Client;
use super::graphql::BatchQuery;
use super::tag_query::{self, TagAsk, TagPage};
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

/// Sends a batch of `len` items in parts until every part is answered or has failed. `send`
/// posts the document for one range of items (`Ok(None)`: GitHub timed out on it); a part
/// that timed out goes again as [`after_timeout`] says (`on_split` hears of it with the
/// part's length), and one that timed out alone is [`timed_out`]. `take` receives each
/// range's answer as it comes; its error ends the batch with that error.
async fn in_parts<T, Sent: Future<Output = Result<Option<T>, GhError>>>(
    len: usize,
    send: impl Fn(Range<usize>) -> Sent,
    on_split: impl Fn(usize),
    mut take: impl FnMut(Range<usize>, Result<T, GhError>) -> Result<(), GhError>,
) -> Result<(), GhError> {
    let mut todo: Vec<Part> = vec![(0..len, false)];
    while let Some(part) = todo.pop() {
        let result = match send(part.0.clone()).await {
            Ok(Some(answer)) => Ok(answer),
            Ok(None) => match after_timeout(&part) {
                Some(parts) => {
                    on_split(part.0.len());
                    todo.extend(parts);
                    continue;
                }
                None => Err(timed_out(part.0.len())),
            },
            Err(e) => Err(e),
        };
        take(part.0, result)?;
    }
    Ok(())
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
    // The file rides with the part holding the first repository (or alone).
    let file_for = |r: &Range<usize>| file.filter(|_| r.start == 0);
    let send = |r: Range<usize>| async move {
        let qs = &queries[r.clone()];
        let f = file_for(&r);
        let repo = match qs.first().map(|q| &q.repo).or(f.map(|(r, _)| r)) {
            Some(repo) => repo,
            None => return Ok(Some(MetaBatch::default())),
        };
        match post(c, repo, graphql::build(qs, f)).await? {
            Some(answer) => graphql::parse(qs, &answer).map(Some),
            None => Ok(None),
        }
    };
    let on_split = |n: usize| {
        log::info!(
            "GitHub timed out on the metadata of {n} repositories; asking again in smaller parts"
        )
    };
    in_parts(queries.len(), send, on_split, |r, result| {
        match result {
            Ok(b) => {
                if file_for(&r).is_some() {
                    out.file = b.file;
                }
                for (slot, x) in out.repos[r].iter_mut().zip(b.repos) {
                    *slot = x;
                }
            }
            Err(e) if e.is_fatal() || r.len() == queries.len() => return Err(e),
            Err(e) => {
                for slot in &mut out.repos[r] {
                    *slot = Err(e.clone());
                }
            }
        }
        Ok(())
    })
    .await?;
    Ok(out)
}

/// See [`super::GitHub::ancestry`]. A part that cannot be read leaves its forks to the
/// compare (`None`), as a failed batch does.
pub(super) async fn ancestry(
    c: &Client,
    asks: &[AncestryAsk],
) -> Result<Vec<Option<Comparison>>, GhError> {
    let mut out = vec![None; asks.len()];
    if asks.is_empty() {
        return Ok(out);
    }
    let send = |r: Range<usize>| async move {
        let a = &asks[r];
        match post(c, &a[0].repo, ancestry::build(a)).await? {
            Some(answer) => ancestry::parse(a, &answer).map(Some),
            None => Ok(None),
        }
    };
    let on_split = |n: usize| {
        log::info!("GitHub timed out on the ancestry of {n} forks; asking again in smaller parts")
    };
    in_parts(asks.len(), send, on_split, |r, result| {
        fill_or_leave(&mut out, r, result, asks.len())
    })
    .await?;
    Ok(out)
}

/// See [`super::GitHub::history_sizes`]. A timed-out batch goes again in parts, as the
/// others; a part that cannot be read leaves its forks unsized (`None`).
pub(super) async fn history_sizes(
    c: &Client,
    asks: &[AncestryAsk],
) -> Result<Vec<Option<(u64, u64)>>, GhError> {
    let mut out = vec![None; asks.len()];
    if asks.is_empty() {
        return Ok(out);
    }
    let send = |r: Range<usize>| async move {
        let a = &asks[r];
        match post(c, &a[0].repo, history::build(a)).await? {
            Some(answer) => history::parse(a, &answer).map(Some),
            None => Ok(None),
        }
    };
    in_parts(
        asks.len(),
        send,
        |_| {},
        |r, result| fill_or_leave(&mut out, r, result, asks.len()),
    )
    .await?;
    Ok(out)
}

/// Puts a part's answers in their slots; a part that failed keeps its slots empty unless its
/// error is fatal or the part is the whole batch (then the batch fails with it).
fn fill_or_leave<T>(
    out: &mut [Option<T>],
    r: Range<usize>,
    result: Result<Vec<Option<T>>, GhError>,
    batch: usize,
) -> Result<(), GhError> {
    match result {
        Ok(found) => {
            for (slot, x) in out[r].iter_mut().zip(found) {
                *slot = x;
            }
            Ok(())
        }
        Err(e) if e.is_fatal() || r.len() == batch => Err(e),
        Err(_) => Ok(()),
    }
}

/// See [`super::GitHub::tags`]. A timed-out batch goes again in parts, as the others; a
/// part that cannot be read fails its repositories (the whole batch's error when it is all
/// of them, or credentials).
pub(super) async fn tags(
    c: &Client,
    asks: &[TagAsk],
) -> Result<Vec<Result<TagPage, GhError>>, GhError> {
    let mut out: Vec<Result<TagPage, GhError>> = asks
        .iter()
        .map(|_| Err(GhError::Transport("not read".into())))
        .collect();
    if asks.is_empty() {
        return Ok(out);
    }
    let send = |r: Range<usize>| async move {
        let a = &asks[r];
        match post(c, &a[0].repo, tag_query::build(a)).await? {
            Some(answer) => tag_query::parse(a, &answer).map(Some),
            None => Ok(None),
        }
    };
    in_parts(
        asks.len(),
        send,
        |_| {},
        |r, result| {
            match result {
                Ok(pages) => {
                    for (slot, x) in out[r].iter_mut().zip(pages) {
                        *slot = x;
                    }
                }
                Err(e) if e.is_fatal() || e.is_out_of_budget() || r.len() == asks.len() => {
                    return Err(e)
                }
                Err(e) => {
                    for slot in out[r].iter_mut() {
                        *slot = Err(e.clone());
                    }
                }
            }
            Ok(())
        },
    )
    .await?;
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
