//! Publish: the audit artifacts committed to the workflow's repository in ONE commit per run
//! through the Git Data API. When the branch moved meanwhile (another run, a push), it re-reads
//! the state there, merges it with this run's, re-renders and tries again, so racing runs lose
//! nothing and history is never rewritten.

use crate::artifacts::RunFiles;
use crate::github::{GhError, GitHub, RefUpdate, TreeFile};
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
    for attempt in 1..=MAX_ATTEMPTS {
        let Some(head) = gh.branch_head(&target.repo, &target.branch).await? else {
            return Err(PublishError::NoBranch {
                repo: target.repo.to_string(),
                branch: target.branch.clone(),
            });
        };
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
