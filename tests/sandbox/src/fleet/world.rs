//! The fleet's GitHub metadata, decided before git is written so refs can be named by
//! repository id: each network's repositories (upstream and fork, ids, labels, Dependabot
//! alerts, feature branches to come), the mirrors foreign upstreams need, and the pull
//! requests added once the branches exist.

use super::plan::{NetPlan, CONTRIBUTORS, PACKAGES};
use super::{Category, GenParams, SYNC_PR_BODY};
use crate::model::{Alert, Label, Pull, Repo, World};
use crate::util::Rng;

/// Repository indices and PR plans of one network, decided before git is written.
pub(super) struct NetJob {
    pub(super) upstream: usize,
    pub(super) fork: Option<usize>,
    pub(super) up_id: u64,
    pub(super) fork_id: Option<u64>,
    /// (feature branch name) for each feature PR.
    pub(super) features: Vec<String>,
}

/// The world's repositories for every planned network, with the mirror networks foreign
/// upstreams need appended to `plans`; returns the world and each network's job.
pub(super) fn plan_worlds(plans: &mut Vec<NetPlan>, p: &GenParams<'_>) -> (World, Vec<NetJob>) {
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
    (world, net_jobs)
}

/// One network's repositories in the world (a lone repository for the audit repository and
/// mirrors; else upstream and fork), and what the network's git and pull requests need.
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
                merge_rules: Default::default(),
                auto_merge_allowed: false,
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
    add_alerts(f, s.alerts, &mut r, p);
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

/// `count` open Dependabot alerts on `f`, drawn from the network's stream.
fn add_alerts(f: &mut Repo, count: u32, r: &mut Rng, p: &GenParams<'_>) {
    for a in 0..count {
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

/// Adds the pull requests the plans call for (after git exists, so heads are real).
pub(super) fn add_pulls(world: &mut World, plan: &NetPlan, job: &NetJob, p: &GenParams<'_>) {
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
            assignees: Vec::new(),
            merge: Default::default(),
        });
    }
}
