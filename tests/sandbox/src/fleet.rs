//! The fleet generator: a deterministic (by seed and "now") fleet of forks with real git
//! histories in every state priority-sync must handle, the matching inventory file, and the
//! ground truth end-to-end tests compare against.

use std::path::{Path, PathBuf};

use git2::Oid;

use crate::git::{self, GResult, Gen, Snapshot};
use crate::model::{Alert, Label, Pull, Repo, World};
use crate::util::{rfc3339, Rng};

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

/// A planned fork network: the repositories in it and the history to write.
struct NetPlan {
    spec: Spec,
    /// Index into `Fleet.repos`, if this network backs a fleet entry.
    fleet_idx: Option<usize>,
}

/// Everything decided about one fleet entry before git is written.
#[derive(Clone)]
struct Spec {
    owner: String,
    name: String,
    up_owner: String,
    up_name: String,
    branch: String,
    category: Category,
    behind: u32,
    ahead: u32,
    days_behind: u32,
    has_workflows: bool,
    alerts: u32,
    feature_prs: u32,
    sync_pr: bool,
    connected: bool,
    hub: bool,
    audit: bool,
    foreign: bool,
}

const UPSTREAM_ORGS: [&str; 6] = [
    "omnigrid-labs",
    "fruitful-upstream",
    "seedwave-org",
    "faa-systems",
    "baobab-oss",
    "samfox-labs",
];
const CONTRIBUTORS: [&str; 5] = ["lindiwe-dev", "samfox", "ayanda-k", "priya-ops", "thabo-m"];
const ADJ: [&str; 20] = [
    "celestial",
    "quantum",
    "solar",
    "lunar",
    "ember",
    "atlas",
    "nova",
    "terra",
    "zen",
    "swift",
    "river",
    "echo",
    "orbit",
    "prism",
    "cedar",
    "harbor",
    "maple",
    "nimbus",
    "onyx",
    "pixel",
];
const NOUN: [&str; 20] = [
    "payroll",
    "mesh",
    "ledger",
    "gateway",
    "engine",
    "hub",
    "vault",
    "forge",
    "stream",
    "pulse",
    "portal",
    "nest",
    "grid",
    "bridge",
    "studio",
    "registry",
    "monitor",
    "scheduler",
    "relay",
    "manager",
];
const SUFFIX: [&str; 10] = [
    "api", "web", "core", "sdk", "cli", "docs", "infra", "app", "svc", "lib",
];
const PACKAGES: [(&str, &str, &str); 6] = [
    ("npm", "lodash", "package-lock.json"),
    ("npm", "axios", "package-lock.json"),
    ("pip", "requests", "requirements.txt"),
    ("pip", "jinja2", "requirements.txt"),
    ("cargo", "openssl", "Cargo.lock"),
    ("go", "golang.org/x/net", "go.sum"),
];

/// Fixed plans for the Top 12 and the source's three worked examples:
/// (category, behind, ahead, days, workflows, alerts, feature PRs, sync PR, connected).
type Fixed = (Category, u32, u32, u32, bool, u32, u32, bool, bool);
fn fixed_plan(name: &str) -> Option<Fixed> {
    use Category::*;
    Some(match name {
        "heyns1000/omnigrid" => (Behind, 3, 0, 2, true, 0, 1, false, true),
        "heyns1000/codenest" => (InSync, 0, 0, 0, true, 0, 0, false, true),
        "heyns1000/hotstack" => (FarBehind, 25, 0, 12, true, 0, 1, true, true),
        "heyns1000/buildnest" => (Diverged, 4, 2, 9, true, 0, 0, false, true),
        "Fruitful-Global-Planet/FruitfulPlanetChange" => {
            (WorkflowChange, 3, 0, 4, true, 0, 0, false, true)
        }
        "heyns1000/payment-gateway-hub" => (Conflicting, 6, 1, 20, true, 1, 0, false, true),
        "heyns1000/banimal" => (InSync, 0, 0, 0, false, 0, 2, false, false),
        "heyns1000/vaultmesh" => (Behind, 1, 0, 1, true, 0, 0, false, true),
        "heyns1000/pulse-engine" => (Behind, 7, 0, 5, true, 2, 0, false, false),
        "heyns1000/zoho" => (Missing, 0, 0, 0, false, 0, 0, false, false),
        "heyns1000/toynest" => (InSync, 0, 0, 0, true, 0, 0, false, false),
        "heyns1000/data-warehouse" => (FarBehind, 60, 0, 41, true, 1, 1, false, false),
        "heyns1000/celestial-payroll" => (FarBehind, 50, 0, 15, true, 1, 2, false, true),
        "heyns1000/learning-mesh" => (Behind, 5, 0, 7, true, 0, 1, false, false),
        "heyns1000/cache-manager" => (InSync, 0, 0, 0, true, 0, 0, false, false),
        _ => return None,
    })
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

fn split(full: &str) -> (String, String) {
    let (o, n) = full.split_once('/').expect("owner/name");
    (o.to_string(), n.to_string())
}

/// Plans and writes the whole fleet.
pub fn generate(p: &GenParams<'_>) -> GResult<Generated> {
    let mut rng = Rng::new(p.seed, "fleet");
    // ---- names
    let mut names: Vec<String> = TOP12.iter().map(|s| s.to_string()).collect();
    for ex in [
        "heyns1000/celestial-payroll",
        "heyns1000/learning-mesh",
        "heyns1000/cache-manager",
    ] {
        names.push(ex.to_string());
    }
    names.truncate(p.repos);
    let mut taken: std::collections::HashSet<String> = names
        .iter()
        .map(|n| split(n).1.to_ascii_lowercase())
        .collect();
    let mut pool: Vec<String> = Vec::new();
    for a in ADJ {
        for n in NOUN {
            pool.push(format!("{a}-{n}"));
        }
    }
    rng.shuffle(&mut pool);
    let mut extra = Vec::new();
    let mut round = 0usize;
    while names.len() + extra.len() < p.repos {
        for base in &pool {
            if names.len() + extra.len() >= p.repos {
                break;
            }
            let cand = match round {
                0 => base.clone(),
                r if r <= SUFFIX.len() => format!("{base}-{}", SUFFIX[r - 1]),
                r => format!("{base}-{}", r - SUFFIX.len() + 1),
            };
            if taken.insert(cand.to_ascii_lowercase()) {
                extra.push(cand);
            }
        }
        round += 1;
    }
    let n_generated = extra.len();
    // ---- categories by exact proportion (largest remainder), then shuffled
    let mut cats: Vec<Category> = Vec::with_capacity(n_generated);
    let mut quotas: Vec<(Category, usize, u64)> = MIX
        .iter()
        .map(|(c, pct)| {
            let exact = n_generated as u64 * u64::from(*pct);
            (*c, (exact / 100) as usize, exact % 100)
        })
        .collect();
    let assigned: usize = quotas.iter().map(|q| q.1).sum();
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    order.sort_by(|a, b| quotas[*b].2.cmp(&quotas[*a].2).then(a.cmp(b)));
    for i in order.into_iter().take(n_generated - assigned) {
        quotas[i].1 += 1;
    }
    for (c, k, _) in &quotas {
        cats.extend(std::iter::repeat_n(*c, *k));
    }
    rng.shuffle(&mut cats);

    // ---- specs
    let mut specs: Vec<Spec> = Vec::new();
    for full in names.iter() {
        let (owner, name) = split(full);
        let f = fixed_plan(full).expect("fixed names have plans");
        let up_owner = match name.as_str() {
            "FruitfulPlanetChange" => "fruitful-upstream".to_string(),
            "cache-manager" => "some-org".to_string(),
            _ => "omnigrid-labs".to_string(),
        };
        specs.push(Spec {
            owner,
            up_name: name.clone(),
            name,
            up_owner,
            branch: "main".into(),
            category: f.0,
            behind: f.1,
            ahead: f.2,
            days_behind: f.3,
            has_workflows: f.4,
            alerts: f.5,
            feature_prs: f.6,
            sync_pr: f.7,
            connected: f.8,
            hub: full == "heyns1000/codenest",
            audit: false,
            foreign: false,
        });
    }
    for (name, cat) in extra.iter().zip(cats) {
        let mut r = Rng::new(p.seed, &format!("repo:{name}"));
        let owner = if r.chance(0.08) {
            "Fruitful-Global-Planet"
        } else {
            "heyns1000"
        };
        let renamed = r.chance(0.04);
        let (behind, ahead, days) = match cat {
            Category::InSync => (0, 0, 0),
            Category::Behind => (r.range(1, 10), 0, r.range(1, 20)),
            Category::FarBehind => {
                let b = match r.below(10) {
                    0..=5 => r.range(11, 50),
                    6..=8 => r.range(51, 120),
                    _ => r.range(121, 200),
                };
                (b, 0, r.range(5, 120))
            }
            Category::Diverged => (r.range(1, 30), r.range(1, 4), r.range(3, 60)),
            Category::Conflicting => (r.range(1, 20), r.range(1, 3), r.range(3, 60)),
            Category::WorkflowChange => (r.range(1, 10), 0, r.range(1, 30)),
            Category::Archived => {
                let b = r.range(0, 5);
                (b, 0, if b > 0 { r.range(30, 200) } else { 0 })
            }
            Category::Missing => (0, 0, 0),
            Category::ForeignUpstream => (0, 0, 0),
        };
        let pr_capable = matches!(
            cat,
            Category::FarBehind
                | Category::Diverged
                | Category::Conflicting
                | Category::WorkflowChange
        );
        specs.push(Spec {
            owner: owner.to_string(),
            up_name: if renamed {
                format!("{name}-upstream")
            } else {
                name.clone()
            },
            name: name.clone(),
            up_owner: r.pick(&UPSTREAM_ORGS).to_string(),
            branch: match r.below(20) {
                0 | 1 => "master".into(),
                2 => "develop".into(),
                _ => "main".into(),
            },
            category: cat,
            behind,
            ahead,
            days_behind: days,
            has_workflows: r.chance(0.65),
            alerts: if r.chance(0.12) { r.range(1, 3) } else { 0 },
            feature_prs: if r.chance(0.30) { r.range(1, 3) } else { 0 },
            sync_pr: pr_capable && r.chance(0.35),
            connected: r.chance(0.35),
            hub: false,
            audit: false,
            foreign: cat == Category::ForeignUpstream,
        });
    }
    // Missing repos are never connected (they do not exist), nor have anything.
    for s in specs.iter_mut().filter(|s| s.category == Category::Missing) {
        s.connected = false;
        s.alerts = 0;
        s.feature_prs = 0;
    }

    // ---- fleet ground truth (before git, from the plans)
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
    let connected: Vec<String> = fleet_repos
        .iter()
        .filter(|r| r.connected)
        .map(|r| r.full_name.clone())
        .collect();
    let inventory_yaml = inventory_yaml(&fleet_repos, p);

    // ---- network plans: one per existing fleet repo, plus the audit repo, plus foreign upstreams
    let mut plans: Vec<NetPlan> = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        if s.category != Category::Missing {
            plans.push(NetPlan {
                spec: s.clone(),
                fleet_idx: Some(i),
            });
        }
    }
    let (ao, an) = split(AUDIT_REPO);
    plans.push(NetPlan {
        spec: Spec {
            owner: ao.clone(),
            name: an.clone(),
            up_owner: ao,
            up_name: an,
            branch: "main".into(),
            category: Category::InSync,
            behind: 0,
            ahead: 0,
            days_behind: 0,
            has_workflows: true,
            alerts: 0,
            feature_prs: 0,
            sync_pr: false,
            connected: false,
            hub: false,
            audit: true,
            foreign: false,
        },
        fleet_idx: None,
    });

    // ---- world metadata (repos get ids before git so refs can be named)
    let mut world = World {
        next_id: 2_000_000_000,
        ..World::default()
    };
    let mut net_jobs: Vec<NetJob> = Vec::new();
    let mut extra_nets: Vec<NetPlan> = Vec::new();
    for (net, plan) in plans.iter().enumerate() {
        net_jobs.push(plan_world(&mut world, net, plan, p));
        if plan.spec.foreign {
            let mut s = plan.spec.clone();
            s.owner = format!("{}-mirror", s.up_owner);
            s.name = s.up_name.clone();
            s.up_owner = s.owner.clone();
            s.category = Category::InSync;
            s.foreign = false;
            s.audit = false;
            s.feature_prs = 0;
            s.alerts = 0;
            s.sync_pr = false;
            s.hub = false;
            extra_nets.push(NetPlan {
                spec: s,
                fleet_idx: None,
            });
        }
    }
    for plan in extra_nets {
        let net = plans.len();
        net_jobs.push(plan_world(&mut world, net, &plan, p));
        plans.push(plan);
    }

    // ---- git, in parallel
    std::fs::create_dir_all(p.dir).map_err(|e| git::GitError::Missing(format!("{e}")))?;
    let net_paths: Vec<PathBuf> = (0..plans.len())
        .map(|i| p.dir.join(format!("net-{i}.git")))
        .collect();
    let threads = p.threads.max(1);
    let results: Vec<GResult<Vec<(usize, i64)>>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (plans, jobs, paths, connected, inventory) =
                    (&plans, &net_jobs, &net_paths, &connected, &inventory_yaml);
                sc.spawn(move || {
                    let mut pushed = Vec::new();
                    for i in (t..plans.len()).step_by(threads) {
                        let at =
                            write_network(&paths[i], &plans[i], &jobs[i], p, connected, inventory)?;
                        pushed.extend(at);
                    }
                    Ok(pushed)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("generator thread panicked"))
            .collect()
    });
    for r in results {
        for (repo, pushed_at) in r? {
            world.repos[repo].pushed_at = pushed_at;
            world.repos[repo].updated_at = pushed_at;
        }
    }
    for (plan, job) in plans.iter().zip(&net_jobs) {
        add_pulls(&mut world, plan, job, p);
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

/// Repository indices and PR plans of one network, decided before git is written.
struct NetJob {
    upstream: usize,
    fork: Option<usize>,
    up_id: u64,
    fork_id: Option<u64>,
    /// (feature branch name) for each feature PR.
    features: Vec<String>,
}

fn plan_world(world: &mut World, net: usize, plan: &NetPlan, p: &GenParams<'_>) -> NetJob {
    let s = &plan.spec;
    let mut r = Rng::new(p.seed, &format!("meta:{}/{}", s.owner, s.name));
    let created = p.now - i64::from(r.range(400, 1500)) * 86_400;
    let lang = *r.pick(&["Rust", "TypeScript", "Python", "Go", "JavaScript"]);
    let topics = vec![
        "omnigrid".to_string(),
        r.pick(&["fintech", "devops", "edu", "ecommerce", "data"])
            .to_string(),
    ];
    let mk = |world: &mut World,
              owner: &str,
              name: &str,
              parent: Option<usize>,
              created: i64|
     -> usize {
        let id = 700_000_000 + world.repos.len() as u64 * 7 + 3;
        let labels = default_labels(world);
        world.add_repo(
            Repo {
                id,
                owner: owner.to_string(),
                name: name.to_string(),
                net,
                parent,
                default_branch: s.branch.clone(),
                archived: false,
                private: false,
                description: format!("{name}: part of the OmniGrid ecosystem"),
                language: lang.to_string(),
                topics: topics.clone(),
                created_at: created,
                pushed_at: created,
                updated_at: created,
                labels,
                alerts: Vec::new(),
                pulls: Vec::new(),
                next_number: 1,
            },
            owner != "heyns1000" && !CONTRIBUTORS.contains(&owner),
        )
    };
    if s.audit || plan.fleet_idx.is_none() {
        let up = mk(world, &s.owner, &s.name, None, created);
        return NetJob {
            upstream: up,
            fork: None,
            up_id: world.repos[up].id,
            fork_id: None,
            features: Vec::new(),
        };
    }
    let up = mk(world, &s.up_owner, &s.up_name, None, created);
    let fork = mk(
        world,
        &s.owner,
        &s.name,
        Some(up),
        created + 86_400 * i64::from(r.range(1, 200)),
    );
    let f = &mut world.repos[fork];
    f.archived = s.category == Category::Archived;
    f.next_number = u64::from(r.range(1, 40));
    for a in 0..s.alerts {
        let (eco, pkg, manifest) = *r.pick(&PACKAGES);
        let sev = *r.pick(&["low", "medium", "high", "critical"]);
        let n = f.alerts.len() as u64 + 1;
        let year = 2024 + r.below(2);
        f.alerts.push(Alert {
            number: n,
            state: "open".into(),
            package: pkg.into(),
            ecosystem: eco.into(),
            severity: sev.into(),
            ghsa: format!(
                "GHSA-{:04x}-{:04x}-{:04x}",
                r.below(0xffff),
                r.below(0xffff),
                r.below(0xffff)
            ),
            cve: format!("CVE-{year}-{}", 10_000 + r.below(40_000)),
            summary: format!(
                "{pkg} vulnerable to {}",
                r.pick(&[
                    "prototype pollution",
                    "ReDoS",
                    "request smuggling",
                    "path traversal"
                ])
            ),
            range: "< 4.17.21".into(),
            patched: "4.17.21".into(),
            manifest: manifest.into(),
            created_at: p.now - i64::from(r.range(1, 60)) * 86_400 - i64::from(a) * 3_600,
        });
    }
    let features = (0..s.feature_prs)
        .map(|k| {
            format!(
                "feature/{}-{}",
                r.pick(&["docs", "ui", "perf", "auth", "ci", "i18n"]),
                k + 1
            )
        })
        .collect();
    NetJob {
        upstream: up,
        fork: Some(fork),
        up_id: world.repos[up].id,
        fork_id: Some(world.repos[fork].id),
        features,
    }
}

/// GitHub's default label set (a subset), with fresh ids.
pub fn default_labels(world: &mut World) -> Vec<Label> {
    [
        ("bug", "d73a4a", "Something isn't working"),
        (
            "documentation",
            "0075ca",
            "Improvements or additions to documentation",
        ),
        ("enhancement", "a2eeef", "New feature or request"),
        ("good first issue", "7057ff", "Good for newcomers"),
    ]
    .iter()
    .map(|(n, c, d)| Label {
        id: world.fresh_id(),
        name: n.to_string(),
        color: c.to_string(),
        description: Some(d.to_string()),
        default: true,
    })
    .collect()
}

fn inventory_yaml(repos: &[FleetRepo], p: &GenParams<'_>) -> String {
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

// ------------------------------------------------------------------ git histories

struct Author {
    name: &'static str,
    email: &'static str,
}
const UP_AUTHOR: Author = Author {
    name: "Upstream Maintainer",
    email: "maintainer@upstream.example",
};
const FORK_AUTHOR: Author = Author {
    name: "Heyns Schoeman",
    email: "heyns1000@users.noreply.github.com",
};

fn ci_yaml(name: &str, version: u32) -> String {
    format!(
        "name: CI\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v{version}\n      - run: echo testing {name}\n"
    )
}

/// Writes one network's history; returns `(repo index, pushed_at)` pairs.
fn write_network(
    path: &Path,
    plan: &NetPlan,
    job: &NetJob,
    p: &GenParams<'_>,
    connected: &[String],
    inventory: &str,
) -> GResult<Vec<(usize, i64)>> {
    let s = &plan.spec;
    let mut r = Rng::new(p.seed, &format!("git:{}/{}", s.owner, s.name));
    let now = p.now;
    git::generate(path, |g: &Gen<'_>| {
        let mut snap = Snapshot::default();
        let set = |snap: &mut Snapshot, path: &str, text: &str| -> GResult<()> {
            let b = g.blob(text.as_bytes())?;
            snap.set(path, b);
            Ok(())
        };
        // -- shared base history
        let mut t = now - i64::from(r.range(200, 500)) * 86_400;
        let base_n = r.range(3, 6);
        set(
            &mut snap,
            "README.md",
            &format!("# {}\n\nPart of the OmniGrid ecosystem.\n", s.up_name),
        )?;
        set(&mut snap, "LICENSE", "MIT License\n")?;
        set(
            &mut snap,
            "config/settings.toml",
            &format!("[app]\nname = \"{}\"\nmode = \"base\"\n", s.up_name),
        )?;
        set(&mut snap, "src/main.txt", "fn main() {}\n")?;
        set(&mut snap, "CHANGELOG.md", "# Changelog\n")?;
        if s.has_workflows {
            set(
                &mut snap,
                ".github/workflows/ci.yml",
                &ci_yaml(&s.up_name, 3),
            )?;
        }
        if s.hub {
            let mut json = String::from("[\n");
            for (i, c) in connected.iter().enumerate() {
                json.push_str(&format!(
                    "  \"{c}\"{}\n",
                    if i + 1 < connected.len() { "," } else { "" }
                ));
            }
            json.push_str("]\n");
            set(&mut snap, "hub/connected.json", &json)?;
        }
        if s.audit {
            set(&mut snap, crate::fleet::INVENTORY_PATH, inventory)?;
            set(
                &mut snap,
                ".github/workflows/priority-sync.yml",
                "name: Priority Sync\non:\n  schedule:\n    - cron: '0 */2 * * *'\n    - cron: '0 */6 * * *'\n    - cron: '0 2 * * 0'\n  workflow_dispatch:\njobs:\n  sync:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: omnigrid/priority-sync@v1\n        with:\n          token: ${{ secrets.ECOSYSTEM_SYNC_TOKEN }}\n",
            )?;
            set(
                &mut snap,
                "audit/README.md",
                "Audit artifacts written by priority-sync.\n",
            )?;
        }
        let up = |t: i64| (UP_AUTHOR.name, UP_AUTHOR.email, t);
        let mut tip = g.commit(&mut snap, &[], "Initial commit", up(t), up(t))?;
        for k in 1..base_n {
            t += i64::from(r.range(1, 20)) * 86_400;
            set(
                &mut snap,
                "src/main.txt",
                &format!("fn main() {{ /* v0.{k} */ }}\n"),
            )?;
            tip = g.commit(&mut snap, &[tip], &format!("Release v0.{k}"), up(t), up(t))?;
        }
        let fork_point = tip;
        let fork_snap = snap.clone();
        // -- upstream commits the fork lacks (oldest `days_behind` days ago, spread to now)
        let behind = s.behind;
        let oldest = now - i64::from(s.days_behind) * 86_400 - 3_600;
        let step = if behind > 1 {
            (now - 7_200 - oldest) / i64::from(behind - 1)
        } else {
            0
        };
        let mut up_tip = fork_point;
        let mut up_commits = Vec::new();
        let wf_at = behind / 2;
        for k in 0..behind {
            let when = oldest + step * i64::from(k);
            let file = ["CHANGELOG.md", "src/main.txt", "README.md"][(k % 3) as usize];
            let msg = if s.category == Category::WorkflowChange && k == wf_at {
                set(
                    &mut snap,
                    ".github/workflows/ci.yml",
                    &ci_yaml(&s.up_name, 4),
                )?;
                "ci: bump actions/checkout to v4".to_string()
            } else if s.category == Category::Conflicting && k == 0 {
                set(
                    &mut snap,
                    "config/settings.toml",
                    &format!("[app]\nname = \"{}\"\nmode = \"upstream-v2\"\n", s.up_name),
                )?;
                "config: switch mode to upstream-v2".to_string()
            } else {
                set(
                    &mut snap,
                    file,
                    &format!("{} upstream change {}\n", s.up_name, k + 1),
                )?;
                format!("Upstream change {} to {file}", k + 1)
            };
            up_tip = g.commit(&mut snap, &[up_tip], &msg, up(when), up(when))?;
            up_commits.push(up_tip);
        }
        // -- fork's own commits
        let mut fsnap = fork_snap;
        let mut fork_tip = fork_point;
        let fa = |t: i64| (FORK_AUTHOR.name, FORK_AUTHOR.email, t);
        for k in 0..s.ahead {
            let when =
                now - i64::from(s.days_behind.max(2)) * 86_400 / 2 - i64::from(s.ahead - k) * 3_600;
            let msg = if s.category == Category::Conflicting && k == 0 {
                let b = g.blob(
                    format!("[app]\nname = \"{}\"\nmode = \"fork-custom\"\n", s.up_name).as_bytes(),
                )?;
                fsnap.set("config/settings.toml", b);
                "config: fork-specific mode".to_string()
            } else {
                let b = g.blob(format!("Fork notes, revision {}\n", k + 1).as_bytes())?;
                fsnap.set("FORK_NOTES.md", b);
                format!("Fork notes revision {}", k + 1)
            };
            fork_tip = g.commit(&mut fsnap, &[fork_tip], &msg, fa(when), fa(when))?;
        }
        if behind == 0 && s.ahead == 0 {
            fork_tip = up_tip;
        }
        let mut refs = vec![(
            git::store_ref(job.up_id, &format!("heads/{}", s.branch)),
            up_tip,
        )];
        let mut pushed = vec![(job.upstream, commit_time(g, up_tip)?)];
        if let (Some(fork), Some(fid)) = (job.fork, job.fork_id) {
            refs.push((
                git::store_ref(fid, &format!("heads/{}", s.branch)),
                fork_tip,
            ));
            let mut fork_pushed = commit_time(g, fork_tip)?;
            // an existing sync PR's branch points at an older upstream commit
            if s.sync_pr && !up_commits.is_empty() {
                let at = up_commits[(up_commits.len() * 2 / 3).min(up_commits.len() - 1)];
                refs.push((
                    git::store_ref(fid, &format!("heads/priority-sync/{}", s.branch)),
                    at,
                ));
            }
            for (k, fb) in job.features.iter().enumerate() {
                let mut fs = fsnap.clone();
                let when = now - i64::from(r.range(1, 30)) * 86_400 + k as i64;
                let b = g.blob(format!("Work in progress on {fb}\n").as_bytes())?;
                fs.set(&format!("docs/{}.md", fb.replace('/', "-")), b);
                let c = g.commit(
                    &mut fs,
                    &[fork_tip],
                    &format!("WIP: {fb}"),
                    fa(when),
                    fa(when),
                )?;
                refs.push((git::store_ref(fid, &format!("heads/{fb}")), c));
                fork_pushed = fork_pushed.max(when);
            }
            pushed.push((fork, fork_pushed));
        }
        Ok((pushed, refs))
    })
}

fn commit_time(g: &Gen<'_>, oid: Oid) -> GResult<i64> {
    Ok(g.repo().find_commit(oid)?.committer().when().seconds())
}

/// Adds the pull requests the plans call for (after git exists, so heads are real).
fn add_pulls(world: &mut World, plan: &NetPlan, job: &NetJob, p: &GenParams<'_>) {
    let Some(fork) = job.fork else { return };
    let s = &plan.spec;
    let mut r = Rng::new(p.seed, &format!("pulls:{}/{}", s.owner, s.name));
    let created_base = p.now - i64::from(r.range(2, 40)) * 86_400;
    let mut pulls = Vec::new();
    if s.sync_pr && s.behind > 0 {
        pulls.push((
            format!("priority-sync/{}", s.branch),
            format!("Sync {} with {}:{}", s.branch, s.up_owner, s.branch),
            "heyns1000".to_string(),
            vec!["priority-sync".to_string(), "sync".to_string()],
            SYNC_PR_BODY.to_string(),
        ));
    }
    for fb in &job.features {
        pulls.push((
            fb.clone(),
            format!(
                "{} ({fb})",
                r.pick(&["Improve docs", "Tidy UI", "Speed up build", "Harden auth"])
            ),
            r.pick(&CONTRIBUTORS).to_string(),
            Vec::new(),
            "Opened by the github-sandbox fleet generator.".to_string(),
        ));
    }
    for (k, (head_ref, title, user, labels, body)) in pulls.into_iter().enumerate() {
        world.ensure_account(&user, false);
        let id = world.fresh_id();
        for l in &labels {
            if !world.repos[fork].labels.iter().any(|x| x.name == *l) {
                let lid = world.fresh_id();
                world.repos[fork].labels.push(Label {
                    id: lid,
                    name: l.clone(),
                    color: "ededed".into(),
                    description: None,
                    default: false,
                });
            }
        }
        let created = created_base + k as i64 * 3_600;
        let repo = &mut world.repos[fork];
        let number = repo.next_number;
        repo.next_number += 1;
        repo.pulls.push(Pull {
            number,
            id,
            head_repo: fork,
            head_ref,
            base_ref: s.branch.clone(),
            title,
            body: Some(body),
            open: true,
            user,
            labels,
            reviewers: Vec::new(),
            draft: false,
            maintainer_can_modify: true,
            created_at: created,
            updated_at: created,
            closed_at: None,
        });
    }
}
