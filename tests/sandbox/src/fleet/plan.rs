//! Planning the fleet before any git is written: the inventory's names (the Top 12, the
//! source's examples, then generated names), the documented mix of categories (largest
//! remainder, shuffled), every entry's `Spec` (fixed for the named repositories, drawn from
//! its own seeded stream otherwise), and the fork networks to write (`NetPlan`).

use super::{split, Category, GenParams, AUDIT_REPO, MIX, TOP12};
use crate::util::Rng;

/// A planned fork network: the repositories in it and the history to write.
pub(super) struct NetPlan {
    pub(super) spec: Spec,
    /// Index into `Fleet.repos`, if this network backs a fleet entry.
    pub(super) fleet_idx: Option<usize>,
}

/// Everything decided about one fleet entry before git is written.
#[derive(Clone)]
pub(super) struct Spec {
    pub(super) owner: String,
    pub(super) name: String,
    pub(super) up_owner: String,
    pub(super) up_name: String,
    pub(super) branch: String,
    pub(super) category: Category,
    pub(super) behind: u32,
    pub(super) ahead: u32,
    pub(super) days_behind: u32,
    pub(super) has_workflows: bool,
    pub(super) alerts: u32,
    pub(super) feature_prs: u32,
    pub(super) sync_pr: bool,
    pub(super) connected: bool,
    pub(super) hub: bool,
    pub(super) audit: bool,
    pub(super) foreign: bool,
}

const UPSTREAM_ORGS: [&str; 6] = [
    "omnigrid-labs",
    "fruitful-upstream",
    "seedwave-org",
    "faa-systems",
    "baobab-oss",
    "samfox-labs",
];
pub(super) const CONTRIBUTORS: [&str; 5] =
    ["lindiwe-dev", "samfox", "ayanda-k", "priya-ops", "thabo-m"];
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
pub(super) const PACKAGES: [(&str, &str, &str); 6] = [
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

/// Every inventory entry's plan, in inventory order.
pub(super) fn specs(p: &GenParams<'_>) -> Vec<Spec> {
    let mut rng = Rng::new(p.seed, "fleet");
    let (names, extra) = names(p, &mut rng);
    let cats = categories(extra.len(), &mut rng);
    let mut specs: Vec<Spec> = names.iter().map(|full| fixed_spec(full)).collect();
    for (name, cat) in extra.iter().zip(cats) {
        specs.push(generated_spec(name, cat, p));
    }

    // Missing repos are never connected (they do not exist), nor have anything.
    for s in specs.iter_mut().filter(|s| s.category == Category::Missing) {
        s.connected = false;
        s.alerts = 0;
        s.feature_prs = 0;
    }
    specs
}

/// The named repositories (Top 12 and the source's examples, cut to `p.repos`) and the
/// generated names that fill the fleet up.
fn names(p: &GenParams<'_>, rng: &mut Rng) -> (Vec<String>, Vec<String>) {
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
    (names, extra)
}

/// Categories for `n_generated` repositories in the documented mix's exact proportions
/// (largest remainder), shuffled.
fn categories(n_generated: usize, rng: &mut Rng) -> Vec<Category> {
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

    cats
}

/// The fixed plan of a named repository.
fn fixed_spec(full: &str) -> Spec {
    let (owner, name) = split(full);
    let f = fixed_plan(full).expect("fixed names have plans");
    let up_owner = match name.as_str() {
        "FruitfulPlanetChange" => "fruitful-upstream".to_string(),
        "cache-manager" => "some-org".to_string(),
        _ => "omnigrid-labs".to_string(),
    };
    Spec {
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
    }
}

/// A generated repository's plan, drawn from its own stream (`repo:<name>`).
fn generated_spec(name: &str, cat: Category, p: &GenParams<'_>) -> Spec {
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
        Category::FarBehind | Category::Diverged | Category::Conflicting | Category::WorkflowChange
    );
    Spec {
        owner: owner.to_string(),
        up_name: if renamed {
            format!("{name}-upstream")
        } else {
            name.to_string()
        },
        name: name.to_string(),
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
    }
}

/// The fork networks to write: one per existing fleet entry, then the audit repository.
pub(super) fn network_plans(specs: &[Spec]) -> Vec<NetPlan> {
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

    plans
}
