//! The fleet generator: deterministic by seed, the documented mix, ground truth that matches
//! real git, the inventory file and the hub manifest.

mod common;

use common::{small, start, Client};
use github_sandbox::{Category, Sandbox, SandboxConfig};

#[test]
fn default_fleet_top12_inventory_and_ground_truth() {
    let sb = start("fleet_default", SandboxConfig::default(), true);
    assert!(
        sb.startup_time().as_secs() < 20,
        "104 repos start in seconds: {:?}",
        sb.startup_time()
    );
    let f = sb.fleet();
    assert_eq!(f.repos.len(), 104);
    let top: Vec<&str> = f.top().iter().map(|r| r.full_name.as_str()).collect();
    assert_eq!(top, github_sandbox::fleet::TOP12.to_vec());
    for ex in [
        "heyns1000/celestial-payroll",
        "heyns1000/learning-mesh",
        "heyns1000/cache-manager",
    ] {
        assert!(f.get(ex).is_some(), "{ex}");
    }
    let cp = f.get("heyns1000/celestial-payroll").unwrap();
    assert_eq!(
        (
            cp.behind,
            cp.days_behind,
            cp.open_prs,
            cp.security_alerts,
            cp.connected,
            cp.has_workflows
        ),
        (50, 15, 2, 1, true, true)
    );
    // every category is present
    for c in [
        Category::InSync,
        Category::Behind,
        Category::FarBehind,
        Category::Diverged,
        Category::Conflicting,
        Category::WorkflowChange,
        Category::Archived,
        Category::Missing,
        Category::ForeignUpstream,
    ] {
        assert!(!f.of(c).is_empty(), "{c:?}");
    }
    // ground truth equals real git and the API
    let c = Client::for_sb(&sb);
    for r in &f.repos {
        if !r.exists {
            assert!(!sb.exists(&r.full_name));
            continue;
        }
        assert_eq!(
            sb.behind_ahead(&r.full_name, &r.branch),
            Some((r.behind as usize, r.ahead as usize)),
            "{}",
            r.full_name
        );
        assert_eq!(
            sb.open_pulls(&r.full_name).len() as u32,
            r.open_prs,
            "{}",
            r.full_name
        );
        assert_eq!(
            sb.open_pulls(&r.full_name)
                .iter()
                .any(|p| p.head_ref.starts_with("priority-sync/")),
            r.has_sync_pr
        );
        let wf = sb
            .file_at(&r.full_name, &r.branch, ".github/workflows/ci.yml")
            .is_some();
        assert_eq!(wf, r.has_workflows, "{}", r.full_name);
        if let Some(t) = r.oldest_missing_commit_at {
            assert_eq!((f.now - t) / 86_400, i64::from(r.days_behind));
        }
    }
    for r in f.of(Category::Conflicting) {
        let m = c.post(
            &format!("/repos/{}/merge-upstream", r.full_name),
            serde_json::json!({"branch": r.branch}),
        );
        assert_eq!(m.status, 409, "{}", r.full_name);
    }
    // the inventory
    let inv = sb.inventory_yaml();
    assert!(inv.starts_with("# priority-sync inventory"));
    assert!(inv.contains("top:"));
    assert!(inv.contains("  - repo: heyns1000/cache-manager\n    branch: main\n    upstream: some-org/cache-manager:main\n"));
    assert!(inv.contains("hub:\n  manifest: heyns1000/codenest:hub/connected.json"));
    let pos = |s: &str| inv.find(&format!("  - {s}\n")).unwrap();
    assert!(pos("heyns1000/omnigrid") < pos("heyns1000/codenest"));
    assert!(pos("heyns1000/zoho") < pos("heyns1000/data-warehouse"));
    assert_eq!(
        sb.file_text(&sb.repository(), "main", ".github/priority-sync.yml")
            .unwrap(),
        inv
    );
    sb.assert_no_unexpected_routes();
}

fn shas(sb: &Sandbox) -> Vec<Option<String>> {
    sb.fleet()
        .repos
        .iter()
        .map(|r| sb.branch_sha(&r.full_name, &r.branch))
        .collect()
}

#[test]
fn deterministic_by_seed() {
    let a = start("fleet_seed_a", small(40), true);
    let b = start("fleet_seed_b", small(40), true);
    assert_eq!(a.inventory_yaml(), b.inventory_yaml());
    assert_eq!(shas(&a), shas(&b));
    let c = start(
        "fleet_seed_c",
        SandboxConfig {
            seed: 8,
            ..small(40)
        },
        true,
    );
    assert_ne!(a.inventory_yaml(), c.inventory_yaml());
    // the fixed part does not depend on the seed
    assert_eq!(
        a.fleet().get("heyns1000/omnigrid").unwrap().behind,
        c.fleet().get("heyns1000/omnigrid").unwrap().behind
    );
}

#[test]
fn documented_mix_holds_for_generated_repos() {
    let sb = start("fleet_mix", small(215), true);
    let generated: Vec<_> = sb.fleet().repos.iter().skip(15).collect();
    assert_eq!(generated.len(), 200);
    for (cat, pct) in github_sandbox::fleet::MIX {
        let n = generated.iter().filter(|r| r.category == cat).count();
        assert_eq!(n, 2 * pct as usize, "{cat:?}");
    }
    let far = generated
        .iter()
        .filter(|r| r.category == Category::FarBehind);
    assert!(far.clone().all(|r| (11..=200).contains(&r.behind)));
    assert!(generated
        .iter()
        .filter(|r| r.category == Category::Behind)
        .all(|r| (1..=10).contains(&r.behind)));
    // foreign upstreams exist but outside the fork's network
    let c = Client::for_sb(&sb);
    for r in generated
        .iter()
        .filter(|r| r.category == Category::ForeignUpstream)
    {
        let up = r.inventory_upstream.as_ref().unwrap();
        let (name, _) = up.split_once(':').unwrap();
        assert!(sb.exists(name));
        let (owner, _) = name.split_once('/').unwrap();
        assert_eq!(
            c.get(&format!(
                "/repos/{}/compare/{}...{owner}:{}",
                r.full_name, r.branch, r.branch
            ))
            .status,
            404
        );
    }
}
