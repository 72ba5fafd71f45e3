//! Publish: the audit artifacts committed to the workflow's repository in ONE commit per run
//! through the Git Data API. When the branch moved meanwhile (another run, a push), it re-reads
//! the state there, merges it with this run's, re-renders and tries again, so racing runs lose
//! nothing and history is never rewritten. A re-read that still shows the head just refused
//! (GitHub's reads lag its writes) is read again after a growing wait, not built on.

use std::time::Duration;

use crate::artifacts::RunFiles;
use crate::github::{GhError, GitHub, RefUpdate, TreeFile};
use crate::ids::Oid;
use crate::repo_name::RepoName;
use crate::state::SyncState;

/// Where the artifacts are committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishTarget {
    pub repo: RepoName,
    pub branch: String,
    /// Directory inside the repository (`audit`).
    pub dir: String,
}

impl PublishTarget {
    pub fn state_path(&self) -> String {
        format!("{}/{}", self.dir, STATE_FILE)
    }
}

pub const STATE_FILE: &str = "sync-state.json";

/// How many times to retry when the branch keeps moving.
pub const MAX_ATTEMPTS: u32 = 6;

/// Waits before reading the branch head again while it still shows the commit a ref update
/// was just refused over: GitHub's reads can lag its writes (prose/prose#148 saw a branch
/// read ~30 s behind), and building on that stale head again would only be refused again.
/// 31 s in all, over the whole publish; a head that moved is used at once.
pub const STALE_HEAD_WAITS: [Duration; 5] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(16),
];

/// What was committed.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub commit: String,
    pub attempts: u32,
    /// The state as committed (this run's merged with whatever the branch had).
    pub state: SyncState,
    pub files: Vec<(String, String)>,
    /// The job summary rendered with the committed state.
    pub summary: String,
}

/// Reads the state committed at `git_ref` (the branch head when `None`); a missing file is an
/// empty state, an unreadable one an error (it is never silently replaced).
pub async fn read_state(
    gh: &dyn GitHub,
    target: &PublishTarget,
    git_ref: Option<&str>,
) -> Result<SyncState, PublishError> {
    match gh
        .file(
            &target.repo,
            &target.state_path(),
            git_ref.or(Some(&target.branch)),
        )
        .await?
    {
        None => Ok(SyncState::empty()),
        Some(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            SyncState::from_json(&text).map_err(|e| PublishError::BadState {
                path: format!("{}:{}", target.repo, target.state_path()),
                message: e,
            })
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    GitHub(#[from] GhError),
    #[error("{path} is not a priority-sync state file ({message}); fix or delete it — it is never overwritten blindly")]
    BadState { path: String, message: String },
    #[error("branch `{branch}` of {repo} does not exist; create it or set `artifacts.branch`")]
    NoBranch { repo: String, branch: String },
    #[error("rendering the reports failed (a bug): {0}")]
    Render(String),
    #[error("{repo}@{branch} kept moving; gave up after {attempts} attempts")]
    Raced {
        repo: String,
        branch: String,
        attempts: u32,
    },
    #[error("{repo}@{branch} still read {head} {waited_s}s after a commit on it was refused as not a fast-forward (GitHub's reads lagging its writes); gave up")]
    StaleHead {
        repo: String,
        branch: String,
        head: String,
        waited_s: u64,
    },
}

/// Commits this run's artifacts. `run_state` is the state after this run; `render` turns a
/// (merged) state into the artifact files (name, contents), excluding the state file itself.
pub async fn publish(
    gh: &dyn GitHub,
    target: &PublishTarget,
    run_state: &SyncState,
    message: &str,
    render: &(dyn Fn(&SyncState) -> Result<RunFiles, String> + Send + Sync),
) -> Result<Published, PublishError> {
    let mut refused: Option<Oid> = None;
    let mut waits = STALE_HEAD_WAITS.iter();
    for attempt in 1..=MAX_ATTEMPTS {
        let head = fresh_head(gh, target, refused.as_ref(), &mut waits).await?;
        let remote = read_state(gh, target, Some(&head)).await?;
        let state = run_state.merge(&remote);
        let rendered = render(&state).map_err(PublishError::Render)?;
        let summary = rendered.summary;
        let mut files = rendered.files;
        files.push((STATE_FILE.to_string(), state.to_json()));
        let tree_files: Vec<TreeFile> = files
            .iter()
            .map(|(name, content)| TreeFile {
                path: format!("{}/{name}", target.dir),
                content: content.clone(),
            })
            .collect();
        let base_tree = gh
            .commit_tree(&target.repo, &head)
            .await?
            .ok_or_else(|| GhError::Decode(format!("commit {head} has no tree")))?;
        let tree = gh
            .create_tree(&target.repo, &base_tree, &tree_files)
            .await?;
        let commit = gh
            .create_commit(&target.repo, message, &tree, std::slice::from_ref(&head))
            .await?;
        match gh
            .update_ref(&target.repo, &target.branch, &commit, false)
            .await?
        {
            RefUpdate::Done => {
                return Ok(Published {
                    commit: commit.to_string(),
                    attempts: attempt,
                    state,
                    files,
                    summary,
                })
            }
            RefUpdate::NotFastForward => {
                log::info!(
                    "{}@{} moved while committing the audit artifacts; merging and retrying ({attempt}/{MAX_ATTEMPTS})",
                    target.repo,
                    target.branch
                );
                refused = Some(head);
                continue;
            }
            RefUpdate::WorkflowRefused(m) => return Err(GhError::Forbidden(m).into()),
            // Its own commit in its own repository: no propagation to wait for.
            RefUpdate::NotFound => return Err(GhError::Status(404, "Not Found".into()).into()),
            RefUpdate::AlreadyExists => {
                return Err(GhError::Decode("unexpected answer to a ref update".into()).into())
            }
        }
    }
    Err(PublishError::Raced {
        repo: target.repo.to_string(),
        branch: target.branch.clone(),
        attempts: MAX_ATTEMPTS,
    })
}

/// The branch head to build on: read again after the next of `waits` while it is still
/// `refused` (a lagging read); [`PublishError::StaleHead`] when it still is after the last.
async fn fresh_head(
    gh: &dyn GitHub,
    target: &PublishTarget,
    refused: Option<&Oid>,
    waits: &mut std::slice::Iter<'_, Duration>,
) -> Result<Oid, PublishError> {
    loop {
        let Some(head) = gh.branch_head(&target.repo, &target.branch).await? else {
            return Err(PublishError::NoBranch {
                repo: target.repo.to_string(),
                branch: target.branch.clone(),
            });
        };
        if refused != Some(&head) {
            return Ok(head);
        }
        let Some(wait) = waits.next() else {
            return Err(PublishError::StaleHead {
                repo: target.repo.to_string(),
                branch: target.branch.clone(),
                head: head.to_string(),
                waited_s: STALE_HEAD_WAITS.iter().sum::<Duration>().as_secs(),
            });
        };
        log::info!(
            "{}@{} still reads {head}, which it just moved past; reading again in {}s",
            target.repo,
            target.branch,
            wait.as_secs()
        );
        tokio::time::sleep(*wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scripted;

    fn target() -> PublishTarget {
        PublishTarget {
            repo: "o/fleet-control".parse().unwrap(),
            branch: "main".into(),
            dir: "audit".into(),
        }
    }

    fn render(_: &SyncState) -> Result<RunFiles, String> {
        Ok(RunFiles {
            files: vec![("sync-summary.md".into(), "# Sync".into())],
            summary: String::new(),
        })
    }

    /// Heads named by one hex digit each (`'0'` is `000…0`).
    fn scripted(heads: &[char], updates: Vec<RefUpdate>) -> Scripted {
        let gh = Scripted::new();
        gh.heads
            .lock()
            .unwrap()
            .extend(heads.iter().map(|h| Some(Scripted::oid(*h))));
        gh.ref_updates.lock().unwrap().extend(updates);
        gh
    }

    const fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[tokio::test(start_paused = true)]
    async fn a_stale_head_is_read_again_after_growing_waits_not_built_on() {
        // Refused over h0; the next reads still say h0 (lagging) until 3 s later.
        let gh = scripted(
            &['0', '0', '0', '1'],
            vec![RefUpdate::NotFastForward, RefUpdate::Done],
        );
        let p = publish(&gh, &target(), &SyncState::empty(), "m", &render)
            .await
            .unwrap();
        assert_eq!(p.attempts, 2);
        assert_eq!(
            p.commit,
            Scripted::commit_on(&Scripted::oid('1')).to_string(),
            "built on the fresh head only"
        );
        assert_eq!(gh.times("branch_head"), [s(0), s(0), s(1), s(3)]);
        assert_eq!(gh.times("create_commit").len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_that_moved_is_used_at_once() {
        let gh = scripted(
            &['0', '1'],
            vec![RefUpdate::NotFastForward, RefUpdate::Done],
        );
        let p = publish(&gh, &target(), &SyncState::empty(), "m", &render)
            .await
            .unwrap();
        assert_eq!(
            p.commit,
            Scripted::commit_on(&Scripted::oid('1')).to_string()
        );
        assert_eq!(gh.times("branch_head"), [s(0), s(0)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_head_that_stays_stale_gives_up_after_31_s_without_building_on_it() {
        let gh = scripted(&['0'; 7], vec![RefUpdate::NotFastForward]);
        let e = publish(&gh, &target(), &SyncState::empty(), "m", &render)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, PublishError::StaleHead { head, waited_s: 31, .. } if head.as_str() == Scripted::oid('0').as_str()),
            "{e}"
        );
        assert_eq!(
            gh.times("branch_head"),
            [s(0), s(0), s(1), s(3), s(7), s(15), s(31)]
        );
        assert_eq!(gh.times("create_commit").len(), 1, "one commit, on h0 only");
    }
}
