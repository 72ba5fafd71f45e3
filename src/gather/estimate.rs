//! Compares GitHub could not compute (its diff too large: a 500 whose `errors` say the `diff`
//! is `not_available`, issue 12 item 7). Asking again does not help, so instead of failing the
//! repository, one GraphQL request per batch reads how many commits each side's head has in
//! its history: the upstream's size minus the fork's is a lower bound of how far behind the
//! fork is (exact when it has no commits of its own). The repository then takes the pull
//! request path, which needs no compare, saying that its counts are lower bounds.

use std::sync::Arc;

use super::compare::Answer;
use super::{batches, Gathered};
use crate::github::{history, AncestryAsk, Comparison, GhError, GitHub};

/// What is known of a comparison GitHub could not compute, from the two heads' history sizes
/// (upstream's, fork's): at least `upstream - fork` behind (at least 1: the heads differ and
/// the diff is not empty), at least `fork - upstream` ahead; the workflow files it changes are
/// unknown, so it counts as changing them. `None` without sizes.
pub(super) fn bound(sizes: Option<(u64, u64)>) -> Option<Comparison> {
    let (upstream, fork) = sizes?;
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Some(Comparison {
        behind: clamp(upstream.saturating_sub(fork).max(1)),
        ahead: clamp(fork.saturating_sub(upstream)),
        oldest_missing: None,
        touches_workflows: true,
    })
}

/// Replaces each [`GhError::DiffUnavailable`] answer with its [`bound`] where the history sizes
/// can be read (recording the repository in `out.estimated`); the others keep their error.
/// Only bad credentials fail the step.
pub(super) async fn bound_unavailable(
    gh: Arc<dyn GitHub>,
    answers: Vec<Answer>,
    batch: usize,
    out: &mut Gathered,
) -> Result<Vec<Answer>, GhError> {
    let (unavailable, mut kept): (Vec<Answer>, Vec<Answer>) = answers
        .into_iter()
        .partition(|(_, _, r)| matches!(r, Err(GhError::DiffUnavailable(_))));
    let per_fork = history::demand();
    let demands = |forks: &[Answer]| vec![per_fork; forks.len()];
    for chunk in batches(gh.as_ref(), unavailable, |a| &a.0.repo, batch, demands) {
        let asks: Vec<AncestryAsk> = chunk
            .iter()
            .map(|(unit, t, _)| AncestryAsk {
                repo: unit.repo.clone(),
                head: t.head.clone(),
                upstream: t.upstream.clone(),
                upstream_head: t.upstream_head.clone(),
            })
            .collect();
        let sizes = match gh.history_sizes(&asks).await {
            Ok(s) => s,
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => {
                log::warn!("commit history sizes could not be read: {e}");
                Vec::new()
            }
        };
        for (i, (repo, target, result)) in chunk.into_iter().enumerate() {
            match bound(sizes.get(i).copied().flatten()) {
                Some(c) => {
                    out.estimated.insert(
                        repo.clone(),
                        format!(
                            "GitHub could not compute the comparison with {}:{} (too large to diff); at least {} behind, counted from the commit histories",
                            target.upstream, target.upstream_branch, c.behind
                        ),
                    );
                    kept.push((repo, target, Ok(Some(c))));
                }
                None => kept.push((repo, target, result)),
            }
        }
    }
    Ok(kept)
}

impl Gathered {
    /// One warning per repository whose counts are lower bounds.
    pub(super) fn estimate_warnings(&mut self) {
        let lines: Vec<String> = self
            .estimated
            .iter()
            .map(|(repo, why)| format!("{repo}: {why}"))
            .collect();
        self.warnings.extend(lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_sizes_bound_the_counts() {
        // Plainly far behind: exact.
        let c = bound(Some((5_200, 1_000))).unwrap();
        assert_eq!((c.behind, c.ahead), (4_200, 0));
        assert!(
            c.touches_workflows,
            "unknown workflow changes count as changes"
        );
        assert_eq!(c.oldest_missing, None);
        // Diverged with more own commits than upstream ones: at least 1 behind, some ahead.
        let c = bound(Some((100, 130))).unwrap();
        assert_eq!((c.behind, c.ahead), (1, 30));
        assert_eq!(bound(Some((7, 7))).unwrap().behind, 1);
        assert_eq!(bound(None), None);
        assert_eq!(bound(Some((u64::MAX, 0))).unwrap().behind, u32::MAX);
    }
}
