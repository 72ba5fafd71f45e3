//! The fleet generator: a deterministic (by seed and "now") fleet of forks with real git
//! histories in every state priority-sync must handle, the matching inventory file, and the
//! ground truth end-to-end tests compare against. `generate` reads as its steps: plan every
//! entry (`plan`), say what the fleet is (`inventory`), lay out GitHub's metadata (`world`),
//! write the git histories (`network`), then add the pull requests.

mod inventory;
mod network;
mod plan;
mod world;

use std::path::{Path, PathBuf};

use crate::git::GResult;
use crate::model::World;

pub use world::default_labels;

/// The source document's Top 12, in its exact order.
pub const TOP12: [&str; 12] = [
    "heyns1000/omnigrid",
    "heyns1000/codenest",
    "heyns1000/hotstack",
    "heyns1000/buildnest",
    "Fruitful-Global-Planet/FruitfulPlanetChange",
    "heyns1000/payment-gateway-hub",
    "heyns1000/banimal",
    "heyns1000/vaultmesh",
    "heyns1000/pulse-engine",
    "heyns1000/zoho",
    "heyns1000/toynest",
    "heyns1000/data-warehouse",
];

/// The repository that holds the inventory and receives the audit artifacts (not in the fleet).
pub const AUDIT_REPO: &str = "heyns1000/fleet-control";
/// Body of the sync PRs the fleet starts with: opened by an earlier priority-sync run, so they
/// carry its marker (`<!-- priority-sync:sync-pr -->`, how priority-sync tells its own pull
/// requests from everyone else's).
pub const SYNC_PR_BODY: &str =
    "<!-- priority-sync:sync-pr -->\nOpened by priority-sync on an earlier run (github-sandbox fleet generator).\n";

/// Where the hub manifest lives: `owner/name:path`.
pub const HUB_MANIFEST: &str = "heyns1000/codenest:hub/connected.json";
/// Path of the inventory inside the audit repository.
pub const INVENTORY_PATH: &str = ".github/priority-sync.yml";

/// What state a fleet repository was generated in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// Fork branch equals upstream.
    InSync,
    /// Fork is 1–10 commits behind and can fast-forward.
    Behind,
    /// Fork is 11–200 commits behind (fast-forwardable, but past the PR threshold).
    FarBehind,
    /// Fork has its own commits; merging upstream is clean.
    Diverged,
    /// Fork has its own commits; merging upstream conflicts.
    Conflicting,
    /// Fork is behind and the upstream commits change `.github/workflows/`.
    WorkflowChange,
    /// Archived (read-only), possibly behind.
    Archived,
    /// Listed in the inventory but does not exist (404).
    Missing,
    /// The inventory names an upstream outside the fork's network.
    ForeignUpstream,
}

impl Category {
    /// Lower-case name used in docs and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::InSync => "in_sync",
            Category::Behind => "behind",
            Category::FarBehind => "far_behind",
            Category::Diverged => "diverged",
            Category::Conflicting => "conflicting",
            Category::WorkflowChange => "workflow_change",
            Category::Archived => "archived",
            Category::Missing => "missing",
            Category::ForeignUpstream => "foreign_upstream",
        }
    }
}

/// The documented mix of generated (non-fixed) repositories, in percent.
pub const MIX: [(Category, u32); 9] = [
    (Category::InSync, 24),
    (Category::Behind, 22),
    (Category::FarBehind, 16),
    (Category::Diverged, 10),
    (Category::Conflicting, 8),
    (Category::WorkflowChange, 7),
    (Category::Archived, 6),
    (Category::Missing, 5),
    (Category::ForeignUpstream, 2),
];

/// Ground truth for one inventory entry, as generated.
#[derive(Clone, Debug)]
pub struct FleetRepo {
    /// `owner/name` as listed in the inventory.
    pub full_name: String,
    /// Position in the inventory (0-based; Top 12 first).
    pub position: usize,
    /// Listed under `top`.
    pub top: bool,
    /// Generated state.
    pub category: Category,
    /// Exists on the sandbox (false for `Missing`).
    pub exists: bool,
    /// The fork's parent `owner/name` (None when missing).
    pub parent: Option<String>,
    /// The upstream the inventory names explicitly, if any (`owner/name:branch`).
    pub inventory_upstream: Option<String>,
    /// Listed as a map (`repo:` …) rather than a plain string.
    pub listed_as_map: bool,
    /// Branch being synced.
    pub branch: String,
    /// Upstream branch it follows.
    pub upstream_branch: String,
    /// Commits upstream has that the branch lacks (`git rev-list --count branch..upstream`).
    pub behind: u32,
    /// Commits the branch has that upstream lacks.
    pub ahead: u32,
    /// Merging upstream into the branch conflicts.
    pub conflicts: bool,
    /// Archived.
    pub archived: bool,
    /// Open pull requests against the fork (including an existing sync PR).
    pub open_prs: u32,
    /// An open sync PR from `priority-sync/<branch>` already exists, opened by an earlier
    /// priority-sync run (its body carries the marker, [`SYNC_PR_BODY`]).
    pub has_sync_pr: bool,
    /// Open Dependabot alerts.
    pub security_alerts: u32,
    /// Listed in the hub manifest.
    pub connected: bool,
    /// The branch has files under `.github/workflows/`.
    pub has_workflows: bool,
    /// The commits it lacks change `.github/workflows/`.
    pub upstream_touches_workflows: bool,
    /// Whole days since the oldest upstream commit the branch lacks (0 when not behind).
    pub days_behind: u32,
    /// Commit time of that oldest lacking commit (Unix seconds), when behind.
    pub oldest_missing_commit_at: Option<i64>,
}

/// The whole generated fleet.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// Every inventory entry, in inventory order.
    pub repos: Vec<FleetRepo>,
    /// The audit repository (`heyns1000/fleet-control`).
    pub audit_repo: String,
    /// `owner/name:path` of the hub manifest.
    pub hub_manifest: String,
    /// The inventory (YAML) matching the fleet.
    pub inventory_yaml: String,
    /// Seed used.
    pub seed: u64,
    /// Generation time (Unix seconds).
    pub now: i64,
}

impl Fleet {
    /// Ground truth for one repository (`owner/name`, case-insensitive).
    pub fn get(&self, full_name: &str) -> Option<&FleetRepo> {
        self.repos
            .iter()
            .find(|r| r.full_name.eq_ignore_ascii_case(full_name))
    }

    /// Entries of one category.
    pub fn of(&self, c: Category) -> Vec<&FleetRepo> {
        self.repos.iter().filter(|r| r.category == c).collect()
    }

    /// The Top 12 (or fewer for tiny fleets), in order.
    pub fn top(&self) -> Vec<&FleetRepo> {
        self.repos.iter().filter(|r| r.top).collect()
    }
}

/// Inputs of a generation run.
pub struct GenParams<'a> {
    /// Fleet size (inventory entries).
    pub repos: usize,
    /// Seed.
    pub seed: u64,
    /// "Now" (Unix seconds): commit dates are relative to it.
    pub now: i64,
    /// Directory for the network stores.
    pub dir: &'a Path,
    /// Worker threads for writing git.
    pub threads: usize,
}

/// Output of a generation run.
pub struct Generated {
    /// Ground truth.
    pub fleet: Fleet,
    /// Metadata.
    pub world: World,
    /// Store directories, by network index.
    pub net_paths: Vec<PathBuf>,
}

pub(crate) fn split(full: &str) -> (String, String) {
    let (o, n) = full.split_once('/').expect("owner/name");
    (o.to_string(), n.to_string())
}

/// Plans and writes the whole fleet.
pub fn generate(p: &GenParams<'_>) -> GResult<Generated> {
    let specs = plan::specs(p);
    let fleet_repos = inventory::ground_truth(&specs, p);
    let connected = inventory::connected(&fleet_repos);
    let inventory_yaml = inventory::inventory_yaml(&fleet_repos, p);
    let mut plans = plan::network_plans(&specs);
    let (mut world, net_jobs) = world::plan_worlds(&mut plans, p);
    let (net_paths, pushed) =
        network::write_all(&plans, &net_jobs, p, &connected, &inventory_yaml)?;
    for (repo, pushed_at) in pushed {
        world.repos[repo].pushed_at = pushed_at;
        world.repos[repo].updated_at = pushed_at;
    }
    for (plan, job) in plans.iter().zip(&net_jobs) {
        world::add_pulls(&mut world, plan, job, p);
    }
    Ok(Generated {
        fleet: Fleet {
            repos: fleet_repos,
            audit_repo: AUDIT_REPO.to_string(),
            hub_manifest: HUB_MANIFEST.to_string(),
            inventory_yaml,
            seed: p.seed,
            now: p.now,
        },
        world,
        net_paths,
    })
}
