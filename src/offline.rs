//! The simulation mode: a plan built from a saved snapshot instead of the live API.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::config::{is_connected, Inventory};
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

/// Facts keyed by repository, with the inventory's hub settings applied the way a live gather
/// applies them ([`is_connected`]): a repository's `connected:` wins, then `hub` membership,
/// then the snapshot's own value (which holds the hub manifest as it was when it was taken).
pub fn facts_map(inv: &Inventory, snapshot: &Snapshot) -> BTreeMap<RepoName, RepoFacts> {
    let no_manifest = BTreeSet::new();
    snapshot
        .repos
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if let Some(spec) = inv.get(&f.repo) {
                f.connected = is_connected(spec, &inv.hub, &no_manifest, f.connected);
            }
            (f.repo.clone(), f)
        })
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
        &facts_map(inv, snapshot),
        &BTreeMap::new(),
        selection.choice,
        &force,
    );
    plan.warnings.splice(0..0, selection.warnings);
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_inventory;
    use chrono::{TimeZone, Utc};

    /// Five repositories, 3 commits behind, with the given `connected` in the snapshot.
    fn snapshot(connected: [bool; 5]) -> Snapshot {
        let repos = [
            "o/listed",
            "o/forced-on",
            "o/forced-off",
            "o/manifest",
            "o/plain",
        ]
        .iter()
        .zip(connected)
        .map(|(name, c)| {
            let mut f = RepoFacts::unknown(name.parse().unwrap());
            f.accessible = true;
            f.commits_behind = 3;
            f.connected = c;
            f
        })
        .collect();
        Snapshot {
            taken_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            repos,
        }
    }

    /// Score and reasons of each repository of an `all` plan, by name.
    fn scores(inv: &Inventory, snap: &Snapshot) -> BTreeMap<String, (i64, bool)> {
        let plan = plan_offline(inv, snap, "all", None).unwrap();
        plan.in_order()
            .map(|(_, r)| {
                let hub = r.reasons.iter().any(|x| x == "hub-connected: +20");
                (r.repo.name().to_string(), (r.score, hub))
            })
            .collect()
    }

    const INVENTORY: &str = "repositories:\n  - o/listed\n  - repo: o/forced-on\n    connected: true\n  - repo: o/forced-off\n    connected: false\n  - o/manifest\n  - o/plain\n";

    #[test]
    fn the_inventory_decides_connected_as_a_live_gather_does() {
        // hub.repos as a map, and as a plain list: the same answer.
        for hub in ["hub:\n  repos: [o/listed]\n", "hub: [o/listed]\n"] {
            let inv = parse_inventory(&format!("{INVENTORY}{hub}"), "t").unwrap();
            // The snapshot says nothing is connected but the manifest-listed repository.
            let got = scores(&inv, &snapshot([false, false, true, true, false]));
            let want: BTreeMap<String, (i64, bool)> = [
                ("listed", (50, true)),      // hub list → +20 over the snapshot
                ("forced-on", (50, true)),   // `connected: true` → +20
                ("forced-off", (30, false)), // `connected: false` beats the snapshot's true
                ("manifest", (50, true)),    // no setting: the snapshot's value stands
                ("plain", (30, false)),
            ]
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect();
            assert_eq!(got, want, "{hub}");
        }
    }

    #[test]
    fn without_hub_settings_the_snapshot_stands() {
        let inv = parse_inventory("repositories: [o/listed, o/plain]\n", "t").unwrap();
        let got = scores(&inv, &snapshot([true, false, false, false, false]));
        assert_eq!(got["listed"], (50, true));
        assert_eq!(got["plain"], (30, false));
    }

    #[test]
    fn ranking_follows_the_inventorys_connected() {
        // Equal facts; only the hub bonus separates them, so it decides the order.
        let inv = parse_inventory(
            "repositories:\n  - o/listed\n  - repo: o/plain\n    connected: true\n",
            "t",
        )
        .unwrap();
        let plan = plan_offline(&inv, &snapshot([false; 5]), "all", None).unwrap();
        let order: Vec<&str> = plan.in_order().map(|(_, r)| r.repo.name()).collect();
        assert_eq!(order, ["plain", "listed"]);
    }
}
