//! What the generated fleet is said to be: the ground truth (`FleetRepo` per inventory
//! entry, from the plans) and the priority-sync inventory (YAML) that lists it.

use super::plan::Spec;
use super::{Category, FleetRepo, GenParams, HUB_MANIFEST};
use crate::util::rfc3339;

/// Ground truth for every inventory entry, from its plan (before git is written).
pub(super) fn ground_truth(specs: &[Spec], p: &GenParams<'_>) -> Vec<FleetRepo> {
    let mut fleet_repos = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let exists = s.category != Category::Missing;
        let foreign_up = format!("{}-mirror/{}", s.up_owner, s.up_name);
        let listed_as_map = s.foreign || s.name == "cache-manager" || (i >= 15 && i % 10 == 3);
        let inventory_upstream = if s.foreign {
            Some(format!("{foreign_up}:{}", s.branch))
        } else if listed_as_map {
            Some(format!("{}/{}:{}", s.up_owner, s.up_name, s.branch))
        } else {
            None
        };
        let oldest = (s.behind > 0).then(|| p.now - i64::from(s.days_behind) * 86_400 - 3_600);
        fleet_repos.push(FleetRepo {
            full_name: format!("{}/{}", s.owner, s.name),
            position: i,
            top: i < 12,
            category: s.category,
            exists,
            parent: exists.then(|| format!("{}/{}", s.up_owner, s.up_name)),
            inventory_upstream,
            listed_as_map,
            branch: s.branch.clone(),
            upstream_branch: s.branch.clone(),
            behind: s.behind,
            ahead: s.ahead,
            conflicts: s.category == Category::Conflicting,
            archived: s.category == Category::Archived,
            open_prs: s.feature_prs + u32::from(s.sync_pr),
            has_sync_pr: s.sync_pr,
            security_alerts: s.alerts,
            connected: s.connected,
            has_workflows: s.has_workflows,
            upstream_touches_workflows: s.category == Category::WorkflowChange,
            days_behind: if s.behind > 0 { s.days_behind } else { 0 },
            oldest_missing_commit_at: oldest,
        });
    }
    fleet_repos
}

/// The hub manifest's entries: the connected repositories, in inventory order.
pub(super) fn connected(repos: &[FleetRepo]) -> Vec<String> {
    repos
        .iter()
        .filter(|r| r.connected)
        .map(|r| r.full_name.clone())
        .collect()
}

/// The priority-sync inventory listing the fleet (Top 12 under `top`, the rest as strings or
/// maps), with the hub manifest.
pub(super) fn inventory_yaml(repos: &[FleetRepo], p: &GenParams<'_>) -> String {
    let mut y = format!(
        "# priority-sync inventory for the github-sandbox fleet (seed {}, {} repositories, now {})\n",
        p.seed,
        repos.len(),
        rfc3339(p.now)
    );
    y.push_str("top:                       # ordered, synced first\n");
    for r in repos.iter().filter(|r| r.top) {
        y.push_str(&format!("  - {}\n", r.full_name));
    }
    y.push_str("repositories:              # the rest; a string or a map\n");
    let rest: Vec<&FleetRepo> = repos.iter().filter(|r| !r.top).collect();
    if rest.is_empty() {
        y.push_str("  []\n");
    }
    for r in rest {
        if r.listed_as_map {
            y.push_str(&format!(
                "  - repo: {}\n    branch: {}\n",
                r.full_name, r.branch
            ));
            if let Some(u) = &r.inventory_upstream {
                y.push_str(&format!("    upstream: {u}\n"));
            }
        } else {
            y.push_str(&format!("  - {}\n", r.full_name));
        }
    }
    y.push_str(&format!("hub:\n  manifest: {HUB_MANIFEST}\n"));
    y
}
