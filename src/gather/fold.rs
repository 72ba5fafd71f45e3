//! The answers folded into the facts: commits behind and ahead, days since the last sync,
//! whether the update touches workflows; every compare used is remembered for the next run.

use chrono::{DateTime, Utc};

use super::compare::Answer;
use super::Gathered;
use crate::decision::UpstreamReach;
use crate::github::GhError;
use crate::state::{Compared, SyncState};
use crate::urgency::days_since_last_sync;

impl Gathered {
    /// Folds every answer in. Only bad credentials fail; any other error is the repository's.
    pub(super) fn fold(
        &mut self,
        answers: impl Iterator<Item = Answer>,
        state: &SyncState,
        now: DateTime<Utc>,
    ) -> Result<(), GhError> {
        for (repo, target, result) in answers {
            match result {
                Ok(Some(c)) => {
                    // Lower bounds (GitHub could not compute the comparison) are not
                    // remembered: the next run asks again.
                    let estimated = self.estimated.contains_key(&repo);
                    let last_in_sync = state.repos.get(&repo.key()).and_then(|p| p.last_in_sync_at);
                    if let Some(f) = self.facts.get_mut(&repo) {
                        f.commits_behind = c.behind;
                        f.commits_ahead = c.ahead;
                        f.days_since_last_sync = days_since_last_sync(
                            now,
                            c.behind == 0,
                            last_in_sync,
                            c.oldest_missing,
                        );
                    }
                    if let Some(l) = self.live.get_mut(&repo) {
                        l.touches_workflows = c.touches_workflows;
                        l.counts_estimated = estimated;
                    }
                    self.targets.insert(repo.clone(), target.clone());
                    if estimated {
                        continue;
                    }
                    self.compared.insert(
                        repo.key(),
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
                        repo.key(),
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
                    if let Some(l) = self.live.get_mut(&repo) {
                        l.upstream = UpstreamReach::OutsideNetwork(format!(
                            "{}:{}",
                            target.upstream, target.upstream_branch
                        ));
                    }
                }
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => self.unread(repo, "could not compare with upstream", &e),
            }
        }
        Ok(())
    }
}
