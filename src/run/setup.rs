//! Before the first request: the fleet (or the shard's slice of it), the mode and the forced
//! list, where the audit artifacts go; then the state they were left in by the last run.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{RunError, RunSettings};
use crate::action_io::log::Group;
use crate::config::Inventory;
use crate::github::GitHub;
use crate::mode::{choose, ModeRequest, Selection};
use crate::plan::resolve_force;
use crate::publish::{PublishError, PublishTarget, STATE_FILE};
use crate::repo_name::RepoName;
use crate::state::SyncState;

/// A run's inputs, checked: what every later stage works from.
pub(super) struct Prepared {
    pub started_at: DateTime<Utc>,
    /// The fleet this run handles (a shard's slice, or all of it).
    pub inv: Arc<Inventory>,
    pub selection: Selection,
    /// `force_repos`, resolved against the inventory.
    pub force: Vec<RepoName>,
    /// Where the audit artifacts are committed; `None` when they are not (no repository,
    /// `commit` off, a dry run, a shard).
    pub target: Option<PublishTarget>,
    /// A report-mode run: the fan-out jobs did the writing.
    pub merging: bool,
}

/// Everything that can be wrong with the input is checked here, before the first request.
pub(super) fn prepare(s: &RunSettings, started_at: DateTime<Utc>) -> Result<Prepared, RunError> {
    let inv = match &s.shard {
        Some(shard) => {
            let slice = shard.slice(&s.inventory);
            log::info!(
                "shard {shard}: {} of {} repositories",
                slice.len(),
                s.inventory.len()
            );
            slice
        }
        None => s.inventory.clone(),
    };
    let selection = choose(
        &ModeRequest {
            mode: s.mode.as_deref(),
            force: s.force.clone(),
            event_name: s.event_name.as_deref(),
            event: s.event.as_ref(),
        },
        &inv.schedules,
    )
    .map_err(|e| RunError::Usage(e.to_string()))?;
    let force = resolve_force(&inv, &selection.force).map_err(|errs| {
        RunError::Usage(format!(
            "force_repos: {}\n      fix: use names from the inventory (owner/name, or the name alone when it is unique)",
            errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
        ))
    })?;
    for w in &selection.warnings {
        log::warn!("{w}");
    }
    log::info!(
        "mode {}: {}",
        selection.choice.mode,
        selection.choice.explain()
    );
    if let Some(ws) = &s.workspace {
        workspace_dirs_inside(s, ws)?;
    }
    let target = match (&s.repository, s.commit && !s.dry_run && s.shard.is_none()) {
        (Some(repo), true) => Some(PublishTarget {
            repo: repo.clone(),
            branch: artifacts_branch(&inv, s.git_ref.as_deref())?,
            dir: inv.artifacts.dir.clone(),
        }),
        _ => None,
    };
    Ok(Prepared {
        started_at,
        inv: Arc::new(inv),
        selection,
        force,
        target,
        merging: s.merge.is_some(),
    })
}

/// The directories the run writes to must lie inside the workspace once symlinks are
/// followed: a checkout may hold a symlink named like the artifacts directory.
fn workspace_dirs_inside(s: &RunSettings, ws: &std::path::Path) -> Result<(), RunError> {
    let dirs = [
        ("artifacts_dir", Some(&s.local_dir)),
        ("results_dir", s.results_dir.as_ref()),
    ];
    for (what, dir) in dirs {
        if let Some(dir) = dir {
            super::local::check_inside(what, dir, ws)
                .map_err(|e| RunError::Usage(e.to_string()))?;
        }
    }
    Ok(())
}

/// Branch the artifacts go to: `artifacts.branch`, else the workflow's branch.
fn artifacts_branch(inv: &Inventory, git_ref: Option<&str>) -> Result<String, RunError> {
    if let Some(b) = &inv.artifacts.branch {
        return Ok(b.clone());
    }
    match git_ref.and_then(|r| r.strip_prefix("refs/heads/")) {
        Some(b) => Ok(b.to_string()),
        None => Err(RunError::Usage(format!(
            "cannot tell which branch to commit the audit artifacts to (GITHUB_REF is `{}`)\n      fix: set `artifacts.branch` in the inventory, or `commit_artifacts: false`",
            git_ref.unwrap_or("unset")
        ))),
    }
}

/// The state: from the repository the artifacts live in (also when this run does not commit
/// to it), else from the local directory.
pub(super) async fn read_state(
    audit: &dyn GitHub,
    s: &RunSettings,
    run: &Prepared,
) -> Result<SyncState, RunError> {
    let state = {
        let _g = Group::start("Read state");
        match &s.repository {
            Some(repo) => {
                let t = run.target.clone().unwrap_or_else(|| PublishTarget {
                    repo: repo.clone(),
                    branch: artifacts_branch(&run.inv, s.git_ref.as_deref()).unwrap_or_default(),
                    dir: run.inv.artifacts.dir.clone(),
                });
                if t.branch.is_empty() {
                    SyncState::empty()
                } else {
                    match crate::publish::read_state(audit, &t, None).await {
                        Ok(st) => st,
                        Err(PublishError::GitHub(e)) if e.is_fatal() => {
                            return Err(RunError::Credentials(e.to_string()))
                        }
                        Err(e) => return Err(RunError::Failed(e.to_string())),
                    }
                }
            }
            None => read_local_state(&s.local_dir)?,
        }
    };
    log::info!(
        "state: {} repositories, {} past runs",
        state.repos.len(),
        state.runs.len()
    );
    Ok(state)
}

fn read_local_state(dir: &std::path::Path) -> Result<SyncState, RunError> {
    let path = dir.join(STATE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => SyncState::from_json(&text).map_err(|e| {
            RunError::Usage(format!(
                "{} is not a priority-sync state file ({e}); fix or delete it",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SyncState::empty()),
        Err(e) => Err(RunError::Failed(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}
