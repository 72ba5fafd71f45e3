//! The answers folded into the facts: commits behind and ahead, days since the last sync,
//! whether the update touches workflows; every compare used is remembered for the next run.

use chrono::{DateTime, Utc};

use super::compare::Answer;
use super::Gathered;
use crate::decision::{LiveFacts, UpstreamReach};
use crate::facts::RepoFacts;
use crate::github::GhError;
use crate::state::{Compared, SyncState};
use crate::unit::Unit;
use crate::urgency::days_since_last_sync;

impl Gathered {
    /// Folds every answer in. Only bad credentials fail; any other error is the repository's
    /// (or the branch's).
    pub(super) fn fold(
        &mut self,
        answers: impl Iterator<Item = Answer>,
        state: &SyncState,
        now: DateTime<Utc>,
    ) -> Result<(), GhError> {
        for (unit, target, result) in answers {
            let key = unit.key();
            match result {
                Ok(Some(c)) => {
                    // Lower bounds (GitHub could not compute the comparison) are not
                    // remembered: the next run asks again.
                    let estimated = self.estimated.contains_key(&unit);
                    let last_in_sync = state.repos.get(&key).and_then(|p| p.last_in_sync_at);
                    if let (Some(f), Some(l)) = self.facts_and_live(&unit) {
                        f.commits_behind = c.behind;
                        f.commits_ahead = c.ahead;
                        f.days_since_last_sync = days_since_last_sync(
                            now,
                            c.behind == 0,
                            last_in_sync,
                            c.oldest_missing,
                        );
                        l.touches_workflows = c.touches_workflows;
                        l.counts_estimated = estimated;
                    }
                    self.set_target(&unit, target.clone());
                    if estimated {
                        continue;
                    }
                    self.compared.insert(
                        key,
                        Compared {
                            head: target.head.clone(),
                            upstream_head: target.upstream_head.clone(),
                            behind: c.behind,
                            ahead: c.ahead,
                            oldest_missing: c.oldest_missing,
                            touches_workflows: c.touches_workflows,
                            unreachable: false,
                        },
                    );
                }
                Ok(None) => {
                    self.compared.insert(
                        key,
                        Compared {
                            head: target.head.clone(),
                            upstream_head: target.upstream_head.clone(),
                            behind: 0,
                            ahead: 0,
                            oldest_missing: None,
                            touches_workflows: false,
                            unreachable: true,
                        },
                    );
                    if let (_, Some(l)) = self.facts_and_live(&unit) {
                        l.upstream = UpstreamReach::OutsideNetwork(format!(
                            "{}:{}",
                            target.upstream, target.upstream_branch
                        ));
                    }
                }
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => match (unit.branch.is_some(), self.branch_mut(&unit)) {
                    (true, Some(b)) => {
                        let why = format!("could not compare with upstream: {e}");
                        if e.is_out_of_budget() {
                            b.unit.deferred = Some(why);
                        } else {
                            b.unit.error = Some(why);
                        }
                    }
                    _ => self.unread(unit.repo, "could not compare with upstream", &e),
                },
            }
        }
        Ok(())
    }

    /// The facts and live facts of a repository, or of one of its branches.
    fn facts_and_live(&mut self, unit: &Unit) -> (Option<&mut RepoFacts>, Option<&mut LiveFacts>) {
        if unit.branch.is_some() {
            match self.branch_mut(unit) {
                Some(b) => (Some(&mut b.unit.facts), Some(&mut b.unit.live)),
                None => (None, None),
            }
        } else {
            (
                self.facts.get_mut(&unit.repo),
                self.live.get_mut(&unit.repo),
            )
        }
    }
}
