//! The simulation mode: a plan built from a saved snapshot instead of the live API.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Inventory;
use crate::facts::{RepoFacts, Snapshot};
use crate::mode::{choose, split_list, ModeRequest};
use crate::plan::{build_plan, resolve_force, Plan};
use crate::repo_name::RepoName;

/// Why a snapshot cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("snapshot {path}:{line}:{column}: {message}\n      fix: the format is {{\"taken_at\": RFC3339, \"repos\": [{{\"repo\", \"accessible\", \"archived\", \"commits_behind\", \"commits_ahead\", \"days_since_last_sync\", \"open_prs\", \"new_prs\", \"security_alerts\", \"connected\", \"has_workflows\"}}]}}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("snapshot {path}: `{repo}` is listed more than once")]
    Duplicate { path: String, repo: String },
}

/// Reads and checks a snapshot file.
pub fn load_snapshot(path: &Path) -> Result<Snapshot, SnapshotError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| SnapshotError::Read {
        path: p.clone(),
        source,
    })?;
    let snap: Snapshot = serde_json::from_str(&text).map_err(|e| SnapshotError::Parse {
        path: p.clone(),
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string(),
    })?;
    let mut seen = std::collections::BTreeSet::new();
    for r in &snap.repos {
        if !seen.insert(r.repo.clone()) {
            return Err(SnapshotError::Duplicate {
                path: p,
                repo: r.repo.to_string(),
            });
        }
    }
    Ok(snap)
}

/// Facts keyed by repository.
pub fn facts_map(snapshot: &Snapshot) -> BTreeMap<RepoName, RepoFacts> {
    snapshot
        .repos
        .iter()
        .map(|f| (f.repo.clone(), f.clone()))
        .collect()
}

/// Plans from a snapshot with the given mode and force list (`auto` → the default, top12).
pub fn plan_offline(
    inv: &Inventory,
    snapshot: &Snapshot,
    mode: &str,
    force: Option<&str>,
) -> anyhow::Result<Plan> {
    let selection = choose(
        &ModeRequest {
            mode: Some(mode),
            force: force.map(split_list).unwrap_or_default(),
            ..Default::default()
        },
        &inv.schedules,
    )?;
    let force = resolve_force(inv, &selection.force).map_err(|errs| {
        anyhow::anyhow!(
            "force_repos: {}\n      fix: use names from the inventory (owner/name, or the name alone when it is unique)",
            errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
        )
    })?;
    let mut plan = build_plan(
        inv,
        &facts_map(snapshot),
        &BTreeMap::new(),
        selection.choice,
        &force,
    );
    plan.warnings.splice(0..0, selection.warnings);
    Ok(plan)
}
