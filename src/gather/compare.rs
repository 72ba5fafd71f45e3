//! Settling heads that differ: one batched GraphQL ancestry query per batch (sized by GitHub's
//! node and cost rules) settles every fork that is plainly behind or diverged by a few own
//! commits; the rest (further apart, or the batch failed) go to the REST compare. Compares
//! the ancestry query cannot settle start at once, alongside it.

use std::sync::Arc;

use tokio::task::JoinSet;

use super::{batches, Target};
use crate::contain::contained;
use crate::github::{ancestry, AncestryAsk, Comparison, GhError, GitHub};
use crate::state::Compared;
use crate::unit::Unit;

/// A repository (or one of its branches), its heads, and what comparing them answered
/// (`None`: they share no history the API can see).
pub(super) type Answer = (Unit, Target, Result<Option<Comparison>, GhError>);

/// The answers for every pair of heads asked about.
pub(super) struct Settled {
    /// The ancestry query's answers first, then the compares' in the order they finished.
    pub answers: Vec<Answer>,
    /// How many compares the ancestry query made unnecessary.
    pub avoided: usize,
}

type Compares = JoinSet<Answer>;

fn spawn_compare(set: &mut Compares, gh: &Arc<dyn GitHub>, repo: Unit, target: Target) {
    let gh = gh.clone();
    set.spawn(async move {
        let (r, t) = (repo.clone(), target.clone());
        let asked = contained(async move {
            gh.compare(&r.repo, &t.branch, &t.upstream, &t.upstream_branch)
                .await
        })
        .await;
        // A panic answering the compare is that repository's error.
        (
            repo,
            target,
            asked.unwrap_or_else(|why| Err(GhError::Decode(why))),
        )
    });
}

/// Settles `ask` with the ancestry query (compares for those it cannot settle) and `compare`
/// with compares. Only bad credentials fail the whole step.
pub(super) async fn settle(
    gh: Arc<dyn GitHub>,
    ask: Vec<(Unit, Target)>,
    compare: Vec<(Unit, Target)>,
    batch: usize,
) -> Result<Settled, GhError> {
    let mut compares = Compares::new();
    for (repo, target) in compare {
        spawn_compare(&mut compares, &gh, repo, target);
    }
    let mut out = Settled {
        answers: Vec::new(),
        avoided: 0,
    };
    let mut lookups = JoinSet::new();
    let per_fork = ancestry::demand();
    let demands = |forks: &[(Unit, Target)]| vec![per_fork; forks.len()];
    for chunk in batches(gh.as_ref(), ask, |u| &u.0.repo, batch, demands) {
        let gh = gh.clone();
        lookups.spawn(async move {
            let asks: Vec<AncestryAsk> = chunk
                .iter()
                .map(|(unit, t)| AncestryAsk {
                    repo: unit.repo.clone(),
                    head: t.head.clone(),
                    upstream: t.upstream.clone(),
                    upstream_head: t.upstream_head.clone(),
                })
                .collect();
            let r = contained(async move { gh.ancestry(&asks).await }).await;
            // A panic here only loses the shortcut: the compares answer the same question.
            (chunk, r.unwrap_or_else(|why| Err(GhError::Decode(why))))
        });
    }
    while let Some(joined) = lookups.join_next().await {
        let (chunk, result) = joined.map_err(|e| GhError::Transport(e.to_string()))?;
        let answers = match result {
            Ok(a) => a,
            Err(e) if e.is_fatal() => return Err(e),
            // Not worth failing anyone for: the compares below answer the same question.
            Err(_) => Vec::new(),
        };
        for (i, (repo, target)) in chunk.into_iter().enumerate() {
            if let Some(Some(c)) = answers.get(i) {
                out.avoided += 1;
                out.answers.push((repo, target, Ok(Some(c.clone()))));
            } else {
                spawn_compare(&mut compares, &gh, repo, target);
            }
        }
    }
    while let Some(joined) = compares.join_next().await {
        out.answers
            .push(joined.map_err(|e| GhError::Transport(e.to_string()))?);
    }
    Ok(out)
}

/// Could the ancestry query have answered this compare: the two lines met within the
/// upstream's latest commits and the fork's own latest ones.
pub(super) fn settleable(c: &Compared) -> bool {
    !c.unreachable
        && (c.ahead as usize) < ancestry::FORK_DEPTH
        && (c.behind as usize) < ancestry::DEPTH
}

/// A remembered compare's answer.
pub(super) fn comparison_of(c: &Compared) -> Comparison {
    Comparison {
        behind: c.behind,
        ahead: c.ahead,
        oldest_missing: c.oldest_missing,
        touches_workflows: c.touches_workflows,
    }
}
