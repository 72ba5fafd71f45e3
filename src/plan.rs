//! The plan: which repositories a run handles, in which phases and order, and what it will do.
//! It is a value that can be printed; a dry run stops after it.

use serde::{Deserialize, Serialize};

/// The phases of SPEC §4, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseName {
    /// The fixed priority list, one at a time, in list order.
    Top,
    /// Every repository with open security alerts.
    Critical,
    /// The next batch of the urgency ranking.
    Urgent,
    /// Everything else (mode `all`).
    Rest,
    /// The repositories named by `force_repos`.
    Force,
}

impl PhaseName {
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseName::Top => "top",
            PhaseName::Critical => "critical",
            PhaseName::Urgent => "urgent",
            PhaseName::Rest => "rest",
            PhaseName::Force => "force",
        }
    }
}

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::config::{Inventory, ResolveError, Rules};
use crate::decision::{decide, Action, LiveFacts, Status};
use crate::facts::RepoFacts;
use crate::ids::BranchName;
use crate::mode::{Mode, ModeChoice};
use crate::repo_name::RepoName;
use crate::unit::Unit;
use crate::urgency::{rank, urgency};

/// Most names `force_repos` may carry; more is a mistake, not a plan.
pub const MAX_FORCE: usize = 1000;

/// One repository in the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRepo {
    pub repo: RepoName,
    /// The branch, for one of several branches of a repository (`branches:`); `None` for a
    /// repository's one branch.
    pub branch: Option<BranchName>,
    pub score: i64,
    pub tier: u8,
    pub action: Action,
    /// Urgency reasons ("50 commits behind: +500").
    pub reasons: Vec<String>,
    /// Why this action ("diverged: 3 behind, 2 own commits ahead").
    pub why: String,
    /// The status the action leads to when it succeeds.
    pub expected: Status,
    pub facts: RepoFacts,
}

/// A phase and its repositories, in processing order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub name: PhaseName,
    pub repos: Vec<PlannedRepo>,
}

/// What a run will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub mode: ModeChoice,
    pub phases: Vec<Phase>,
    /// Repositories this mode does not handle, by rank.
    pub unplanned: Vec<PlannedRepo>,
    pub warnings: Vec<String>,
}

/// Resolves `force_repos` against the inventory: all unknown or ambiguous names at once.
pub fn resolve_force(
    inv: &Inventory,
    names: &[String],
) -> Result<Vec<RepoName>, Vec<ResolveError>> {
    if names.len() > MAX_FORCE {
        return Err(vec![ResolveError::Unknown(format!(
            "{} names given; force_repos takes at most {MAX_FORCE}",
            names.len()
        ))]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for name in names {
        match inv.resolve(name) {
            Ok(r) if !out.contains(&r) => out.push(r),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Builds the plan from the facts (SPEC §4). `facts` and `live` are keyed by repository; a
/// repository without facts is treated as inaccessible. `force` must already be resolved.
pub fn build_plan(
    inv: &Inventory,
    facts: &BTreeMap<RepoName, RepoFacts>,
    live: &BTreeMap<RepoName, LiveFacts>,
    mode: ModeChoice,
    force: &[RepoName],
) -> Plan {
    let offline = LiveFacts::offline();
    let mut warnings = Vec::new();
    let mut missing = 0;
    let mut planned: BTreeMap<RepoName, PlannedRepo> = BTreeMap::new();
    for spec in inv.all() {
        let f = match facts.get(&spec.repo) {
            Some(f) => f.clone(),
            None => {
                missing += 1;
                RepoFacts::unknown(spec.repo.clone())
            }
        };
        let u = urgency(&f, &spec.weights, &inv.rules);
        let d = decide(&f, live.get(&spec.repo).unwrap_or(&offline), &inv.rules);
        planned.insert(
            spec.repo.clone(),
            PlannedRepo {
                repo: spec.repo.clone(),
                branch: None,
                score: u.score,
                tier: u.tier,
                action: d.action,
                reasons: u.reasons,
                why: d.reason,
                expected: d.status,
                facts: f,
            },
        );
    }
    if missing > 0 {
        warnings.push(format!(
            "{missing} inventory repositor{} had no facts and count as inaccessible",
            if missing == 1 { "y" } else { "ies" }
        ));
    }
    let extra = facts.keys().filter(|r| inv.get(r).is_none()).count();
    if extra > 0 {
        warnings.push(format!(
            "{extra} repositor{} in the facts are not in the inventory and were ignored",
            if extra == 1 { "y" } else { "ies" }
        ));
    }

    let mut take = |r: &RepoName| planned.remove(r);
    let mut phases = Vec::new();
    if mode.mode == Mode::Force {
        phases.push(Phase {
            name: PhaseName::Force,
            repos: force.iter().filter_map(&mut take).collect(),
        });
    } else {
        let top: Vec<PlannedRepo> = inv.top.iter().filter_map(|s| take(&s.repo)).collect();
        phases.push(Phase {
            name: PhaseName::Top,
            repos: top,
        });
    }
    // Everything not yet in a phase, ranked. A top repository is never ranked again.
    let mut ranked: Vec<PlannedRepo> = planned.into_values().collect();
    rank(&mut ranked, |p| (&p.repo, p.tier, p.score));

    if mode.mode != Mode::Force {
        let (critical, rest): (Vec<_>, Vec<_>) = ranked.into_iter().partition(|p| p.tier == 2);
        phases.push(Phase {
            name: PhaseName::Critical,
            repos: critical,
        });
        ranked = rest;
        let batch = match mode.mode {
            Mode::Urgent => Some(inv.batches.urgent),
            Mode::All => Some(inv.batches.all_urgent),
            _ => None,
        };
        if let Some(n) = batch {
            // The batch takes the next repositories that need a sync; ones with nothing to do
            // do not use up its slots.
            let mut chosen = BTreeSet::new();
            for p in &ranked {
                if chosen.len() == n {
                    break;
                }
                if matches!(p.action, Action::FastForward | Action::PullRequest) {
                    chosen.insert(p.repo.clone());
                }
            }
            let (urgent, rest): (Vec<_>, Vec<_>) =
                ranked.into_iter().partition(|p| chosen.contains(&p.repo));
            phases.push(Phase {
                name: PhaseName::Urgent,
                repos: urgent,
            });
            ranked = rest;
        }
        if mode.mode == Mode::All {
            phases.push(Phase {
                name: PhaseName::Rest,
                repos: std::mem::take(&mut ranked),
            });
        }
    }
    Plan {
        mode,
        phases,
        unplanned: ranked,
        warnings,
    }
}

/// The plan JSON of SPEC §8, field for field.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlanJson {
    pub mode: Mode,
    pub phases: Vec<PhaseJson>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PhaseJson {
    pub name: PhaseName,
    pub repos: Vec<PlannedJson>,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlannedJson {
    pub repo: RepoName,
    /// The branch, for one of several branches of a repository (`branches:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<BranchName>,
    pub score: i64,
    pub tier: u8,
    pub action: Action,
    /// The urgency reasons, then the action's reason as `action: …`.
    pub reasons: Vec<String>,
}

impl PlannedRepo {
    /// The unit of work this entry is: a repository, or one of its branches.
    pub fn unit(&self) -> Unit {
        Unit {
            repo: self.repo.clone(),
            branch: self.branch.clone(),
        }
    }
}

/// What a plan entry for a branch the fork does not have yet says (it is created).
pub const BRANCH_CREATED: &str = "not in the fork yet";

/// One branch of a repository listing several (`branches:`), as planning needs it: its
/// facts (the repository's, with the branch's counts) and live facts, and why it cannot be
/// synced, if it cannot.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchFacts {
    pub branch: BranchName,
    pub facts: RepoFacts,
    pub live: LiveFacts,
    /// It cannot be synced (`failed`): the upstream lacks it, its compare failed.
    pub error: Option<String>,
    /// It waits for the next run (`pending`): no API budget was left to read it.
    pub deferred: Option<String>,
    /// The upstream has it and the fork does not: it is created at the upstream's head.
    pub missing_in_fork: bool,
}

/// One entry per listed branch in place of its repository's: the repository's score, tier
/// and reasons (its most-behind branch's, see `gather::branches`), each branch's own facts
/// and decision.
fn branch_entries(p: &PlannedRepo, branches: &[BranchFacts], rules: &Rules) -> Vec<PlannedRepo> {
    if branches.is_empty() {
        // Nothing listed could be resolved (a glob matched no upstream branch, or the
        // upstream could not be read): the repository's own entry says why.
        let mut p = p.clone();
        if p.facts.accessible && !matches!(p.action, Action::Skip) {
            p.action = Action::Skip;
            p.expected = Status::Skipped;
            p.why = "no branch listed in `branches` exists upstream".into();
        }
        return vec![p];
    }
    branches
        .iter()
        .map(|b| {
            let (action, expected, why) = if let Some(e) = &b.error {
                (Action::None, Status::Failed, e.clone())
            } else if let Some(d) = &b.deferred {
                (
                    Action::None,
                    Status::Pending,
                    format!("{d}; retried next run"),
                )
            } else {
                let d = decide(&b.facts, &b.live, rules);
                if b.missing_in_fork && !matches!(d.action, Action::Skip) {
                    // A new branch cannot lose a commit: created like a fast-forward from
                    // nothing, whenever the repository could be synced at all.
                    (
                        Action::FastForward,
                        Status::Synced,
                        format!("{BRANCH_CREATED}: created at the upstream branch's head"),
                    )
                } else {
                    (d.action, d.status, d.reason)
                }
            };
            PlannedRepo {
                repo: p.repo.clone(),
                branch: Some(b.branch.clone()),
                score: p.score,
                tier: p.tier,
                action,
                reasons: p.reasons.clone(),
                why,
                expected,
                facts: b.facts.clone(),
            }
        })
        .collect()
}

impl Plan {
    /// Replaces each repository listing several branches (`branches:`) with one entry per
    /// branch, in the repository's place (ranked by its most-behind branch), its branches in
    /// the listed order. A repository gather could not read keeps its one entry.
    pub fn expand_branches(
        &mut self,
        rules: &Rules,
        branches: &BTreeMap<RepoName, Vec<BranchFacts>>,
    ) {
        if branches.is_empty() {
            return;
        }
        let expand = |list: &mut Vec<PlannedRepo>| {
            for p in std::mem::take(list) {
                match branches.get(&p.repo) {
                    Some(units) if p.branch.is_none() => {
                        list.extend(branch_entries(&p, units, rules))
                    }
                    _ => list.push(p),
                }
            }
        };
        for phase in &mut self.phases {
            expand(&mut phase.repos);
        }
        expand(&mut self.unplanned);
    }

    /// Repositories of all phases in processing order.
    pub fn in_order(&self) -> impl Iterator<Item = (PhaseName, &PlannedRepo)> {
        self.phases
            .iter()
            .flat_map(|ph| ph.repos.iter().map(move |r| (ph.name, r)))
    }

    pub fn to_json(&self) -> PlanJson {
        PlanJson {
            mode: self.mode.mode,
            phases: self
                .phases
                .iter()
                .map(|ph| PhaseJson {
                    name: ph.name,
                    repos: ph
                        .repos
                        .iter()
                        .map(|r| PlannedJson {
                            repo: r.repo.clone(),
                            branch: r.branch.clone(),
                            score: r.score,
                            tier: r.tier,
                            action: r.action,
                            reasons: r
                                .reasons
                                .iter()
                                .cloned()
                                .chain(std::iter::once(format!("action: {}", r.why)))
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The plan with its warnings, for terminals.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        out + &self.to_table()
    }

    /// A readable table of the phases (without the warnings, which logs show on their own).
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "mode {}: {}", self.mode.mode, self.mode.explain());
        let width = self
            .in_order()
            .map(|(_, r)| r.unit().to_string().len())
            .chain(self.unplanned.iter().map(|r| r.unit().to_string().len()))
            .max()
            .unwrap_or(10)
            .max(10);
        let mut n = 0;
        for ph in &self.phases {
            let _ = writeln!(
                out,
                "\n{} ({})",
                ph.name.as_str().to_uppercase(),
                ph.repos.len()
            );
            if ph.repos.is_empty() {
                let _ = writeln!(out, "  (none)");
                continue;
            }
            let _ = writeln!(
                out,
                "  {:>4}  {:<width$}  {:>6}  {:>4}  {:<12}  why",
                "#", "repository", "score", "tier", "action"
            );
            for r in &ph.repos {
                n += 1;
                let _ = writeln!(
                    out,
                    "  {:>4}  {:<width$}  {:>6}  {:>4}  {:<12}  {}",
                    n,
                    r.unit().to_string(),
                    r.score,
                    r.tier,
                    r.action.as_str(),
                    r.why
                );
            }
        }
        let waiting = self
            .unplanned
            .iter()
            .filter(|r| matches!(r.action, Action::FastForward | Action::PullRequest))
            .count();
        let _ = writeln!(
            out,
            "\nnot in this run: {} ({} a sync and {} pending for the next run)",
            crate::plural::count(self.unplanned.len() as u64, "repository", "repositories"),
            crate::plural::count(waiting as u64, "needs", "need"),
            crate::plural::noun(waiting as u64, "stays", "stay"),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_inventory;
    use crate::mode::ModeSource;

    /// The source document's Top 12.
    const TOP: [&str; 12] = [
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

    /// 12 top repositories and 40 others: `r00`..`r39`, where `rNN` is NN commits behind
    /// (all fast-forwardable or PR), r05 and r31 have security alerts, and the top repos
    /// have large scores to prove they are never ranked again.
    fn fleet() -> (Inventory, BTreeMap<RepoName, RepoFacts>) {
        let mut text = String::from("top:\n");
        for t in TOP {
            text += &format!("  - {t}\n");
        }
        text += "repositories:\n";
        for i in 0..40 {
            text += &format!("  - fleet/r{i:02}\n");
        }
        let inv = parse_inventory(&text, "test").unwrap();
        let mut facts = BTreeMap::new();
        for spec in inv.all() {
            let mut f = RepoFacts::unknown(spec.repo.clone());
            f.accessible = true;
            if let Some(n) = spec.repo.name().strip_prefix('r') {
                f.commits_behind = n.parse().unwrap();
            } else {
                f.commits_behind = 500;
                f.security_alerts = 3;
            }
            if ["r05", "r31"].contains(&spec.repo.name()) {
                f.security_alerts = 1;
            }
            facts.insert(spec.repo.clone(), f);
        }
        (inv, facts)
    }

    #[test]
    fn a_repository_listing_branches_becomes_one_entry_per_branch_in_its_place() {
        let mut p = plan(Mode::All, &[]);
        let repo: RepoName = "fleet/r20".parse().unwrap();
        let (phase, at) = p
            .phases
            .iter()
            .enumerate()
            .find_map(|(i, ph)| ph.repos.iter().position(|r| r.repo == repo).map(|j| (i, j)))
            .unwrap();
        let before = p.phases[phase].repos[at].clone();
        let unit = |name: &str, behind: u32, ahead: u32| {
            let mut facts = before.facts.clone();
            facts.commits_behind = behind;
            facts.commits_ahead = ahead;
            BranchFacts {
                branch: BranchName::parse(name).unwrap(),
                facts,
                live: LiveFacts::offline(),
                error: None,
                deferred: None,
                missing_in_fork: false,
            }
        };
        let mut failed = unit("gone", 0, 0);
        failed.error = Some("branch gone not found in the upstream".into());
        let mut created = unit("release/3.0", 0, 0);
        created.missing_in_fork = true;
        let mut waits = unit("release/4.0", 0, 0);
        waits.deferred = Some("rate limited".into());
        let branches = BTreeMap::from([(
            repo.clone(),
            vec![
                unit("main", 0, 0),
                unit("release/1.0", 2, 0),
                unit("release/2.0", 1, 1),
                created,
                failed,
                waits,
            ],
        )]);
        let rules = Rules::default();
        p.expand_branches(&rules, &branches);
        let list = &p.phases[phase].repos;
        let mine: Vec<&PlannedRepo> = list[at..at + 6].iter().collect();
        assert!(mine
            .iter()
            .all(|r| r.repo == repo && r.score == before.score));
        let got: Vec<(String, Action, Status)> = mine
            .iter()
            .map(|r| (r.branch.as_ref().unwrap().to_string(), r.action, r.expected))
            .collect();
        assert_eq!(
            got,
            [
                ("main".into(), Action::None, Status::UpToDate),
                ("release/1.0".into(), Action::FastForward, Status::Synced),
                ("release/2.0".into(), Action::PullRequest, Status::PrOpen),
                ("release/3.0".into(), Action::FastForward, Status::Synced),
                ("gone".into(), Action::None, Status::Failed),
                ("release/4.0".into(), Action::None, Status::Pending),
            ]
        );
        assert_eq!(mine[1].facts.commits_behind, 2);
        // The neighbours keep their places.
        assert_eq!(list.len(), before_len(&plan(Mode::All, &[]), phase) + 5);
        assert!(p.to_table().contains("fleet/r20:release/1.0"));
        // Nothing resolved: the repository's one entry says why.
        let mut q = plan(Mode::All, &[]);
        q.expand_branches(&rules, &BTreeMap::from([(repo.clone(), Vec::new())]));
        let one = q.in_order().find(|(_, r)| r.repo == repo).unwrap().1;
        assert_eq!((one.action, one.branch.clone()), (Action::Skip, None));
    }

    fn before_len(p: &Plan, phase: usize) -> usize {
        p.phases[phase].repos.len()
    }

    fn plan(mode: Mode, force: &[&str]) -> Plan {
        let (inv, facts) = fleet();
        let names: Vec<String> = force.iter().map(|s| s.to_string()).collect();
        let force = resolve_force(&inv, &names).unwrap();
        plan_with(&inv, &facts, mode, &force)
    }

    /// The plan for `mode` (given as an input) from literal facts, no live facts.
    fn plan_with(
        inv: &Inventory,
        facts: &BTreeMap<RepoName, RepoFacts>,
        mode: Mode,
        force: &[RepoName],
    ) -> Plan {
        build_plan(
            inv,
            facts,
            &BTreeMap::new(),
            ModeChoice {
                mode,
                source: ModeSource::Input,
            },
            force,
        )
    }

    fn names(ph: &Phase) -> Vec<String> {
        ph.repos.iter().map(|r| r.repo.name().to_string()).collect()
    }

    fn phase_names(p: &Plan) -> Vec<PhaseName> {
        p.phases.iter().map(|ph| ph.name).collect()
    }

    #[test]
    fn top12_is_top_in_list_order_then_critical() {
        let p = plan(Mode::Top12, &[]);
        assert_eq!(phase_names(&p), [PhaseName::Top, PhaseName::Critical]);
        let top: Vec<String> = p.phases[0]
            .repos
            .iter()
            .map(|r| r.repo.to_string())
            .collect();
        assert_eq!(top, TOP);
        // Critical: every tier-2 repository, by score (r31 is further behind than r05).
        assert_eq!(names(&p.phases[1]), ["r31", "r05"]);
        assert_eq!(p.unplanned.len(), 38);
    }

    #[test]
    fn urgent_adds_the_next_ten_of_the_ranking() {
        let p = plan(Mode::Urgent, &[]);
        assert_eq!(
            phase_names(&p),
            [PhaseName::Top, PhaseName::Critical, PhaseName::Urgent]
        );
        // r51+ are not there; tier 0 by score: r39 first. r00 is up to date and never chosen.
        assert_eq!(
            names(&p.phases[2]),
            ["r39", "r38", "r37", "r36", "r35", "r34", "r33", "r32", "r30", "r29"]
        );
    }

    #[test]
    fn all_takes_twenty_then_the_rest() {
        let p = plan(Mode::All, &[]);
        assert_eq!(
            phase_names(&p),
            [
                PhaseName::Top,
                PhaseName::Critical,
                PhaseName::Urgent,
                PhaseName::Rest
            ]
        );
        assert_eq!(p.phases[2].repos.len(), 20);
        assert_eq!(p.phases[3].repos.len(), 40 - 2 - 20);
        assert!(p.unplanned.is_empty());
        // The up-to-date repository is handled last, with nothing to do.
        let last = p.phases[3].repos.last().unwrap();
        assert_eq!((last.repo.name(), last.action), ("r00", Action::None));
    }

    #[test]
    fn no_repository_appears_twice_and_top_is_never_ranked_again() {
        for mode in [Mode::Top12, Mode::Urgent, Mode::All] {
            let p = plan(mode, &[]);
            let mut seen = BTreeSet::new();
            for (_, r) in p
                .in_order()
                .chain(p.unplanned.iter().map(|r| (PhaseName::Rest, r)))
            {
                assert!(seen.insert(r.repo.clone()), "{} twice in {mode}", r.repo);
            }
            assert_eq!(seen.len(), 52);
            // Top repositories score far above everyone and have alerts, yet stay in `top`.
            for ph in &p.phases[1..] {
                assert!(ph.repos.iter().all(|r| r.repo.owner() == "fleet"), "{mode}");
            }
        }
    }

    #[test]
    fn batch_sizes_come_from_the_inventory() {
        let (mut inv, facts) = fleet();
        inv.batches.urgent = 3;
        let p = plan_with(&inv, &facts, Mode::Urgent, &[]);
        assert_eq!(p.phases[2].repos.len(), 3);
    }

    #[test]
    fn far_behind_tier_1_outranks_a_higher_scoring_tier_0() {
        let inv = parse_inventory(
            "repositories:\n  - fleet/busy\n  - fleet/far-behind\nbatches:\n  urgent: 1\n",
            "t",
        )
        .unwrap();
        let mut facts = BTreeMap::new();
        let mut add = |name: &str, behind: u32, days: u32, prs: u32| {
            let mut f = RepoFacts::unknown(name.parse().unwrap());
            f.accessible = true;
            f.commits_behind = behind;
            f.days_since_last_sync = days;
            f.open_prs = prs;
            f.has_workflows = true;
            facts.insert(f.repo.clone(), f);
        };
        // 50 behind and 30 days is not yet urgent: tier 0, score 500 + 150 + 30 + 10 = 690.
        add("fleet/busy", 50, 30, 10);
        // 51 behind: tier 1, score 510 + 10 = 520.
        add("fleet/far-behind", 51, 0, 0);
        let p = plan_with(&inv, &facts, Mode::Urgent, &[]);
        let urgent = &p.phases[2];
        assert_eq!(urgent.name, PhaseName::Urgent);
        assert_eq!(names(urgent), ["far-behind"]);
        assert_eq!((urgent.repos[0].tier, urgent.repos[0].score), (1, 520));
        let busy = &p.unplanned[0];
        assert_eq!((busy.repo.name(), busy.tier, busy.score), ("busy", 0, 690));
    }

    #[test]
    fn force_runs_only_the_named_repositories_in_order() {
        let p = plan(
            Mode::Force,
            &["r07", "codenest", "heyns1000/omnigrid", "r07"],
        );
        assert_eq!(phase_names(&p), [PhaseName::Force]);
        assert_eq!(names(&p.phases[0]), ["r07", "codenest", "omnigrid"]);
        assert_eq!(p.unplanned.len(), 52 - 3);
    }

    #[test]
    fn force_reports_every_unknown_and_ambiguous_name() {
        let inv = parse_inventory("repositories: [a/zoho, b/zoho, a/x]\n", "t").unwrap();
        let names: Vec<String> = ["zoho", "nope", "x", "c/x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let errs = resolve_force(&inv, &names).unwrap_err();
        assert_eq!(errs.len(), 3);
        assert!(
            matches!(&errs[0], ResolveError::Ambiguous { candidates, .. } if candidates.len() == 2)
        );
        assert_eq!(errs[1], ResolveError::Unknown("nope".into()));
        assert_eq!(errs[2], ResolveError::Unknown("c/x".into()));
        let huge: Vec<String> = (0..5000).map(|i| format!("r{i}")).collect();
        assert_eq!(resolve_force(&inv, &huge).unwrap_err().len(), 1);
    }

    #[test]
    fn json_has_exactly_the_spec_fields() {
        let p = plan(Mode::Top12, &[]);
        let v = serde_json::to_value(p.to_json()).unwrap();
        let obj = v.as_object().unwrap();
        assert_eq!(obj.keys().collect::<Vec<_>>(), ["mode", "phases"]);
        assert_eq!(v["mode"], "top12");
        let phase = v["phases"][1].as_object().unwrap();
        assert_eq!(phase.keys().collect::<Vec<_>>(), ["name", "repos"]);
        assert_eq!(v["phases"][1]["name"], "critical");
        let repo = v["phases"][1]["repos"][0].as_object().unwrap();
        assert_eq!(
            repo.keys().collect::<Vec<_>>(),
            ["action", "reasons", "repo", "score", "tier"]
        );
        assert_eq!(v["phases"][1]["repos"][0]["repo"], "fleet/r31");
        assert_eq!(v["phases"][1]["repos"][0]["action"], "pull_request");
        assert_eq!(v["phases"][1]["repos"][0]["tier"], 2);
        assert_eq!(v["phases"][1]["repos"][0]["score"], 31 * 10 + 50);
        let reasons = v["phases"][1]["repos"][0]["reasons"].as_array().unwrap();
        assert_eq!(
            reasons.last().unwrap(),
            "action: 31 behind, more than 10 (rules.pr_over_commits)"
        );
    }

    #[test]
    fn missing_facts_are_inaccessible_with_a_warning() {
        let (inv, mut facts) = fleet();
        facts.remove(&"fleet/r10".parse().unwrap());
        let p = plan_with(&inv, &facts, Mode::All, &[]);
        let r10 = p
            .in_order()
            .find(|(_, r)| r.repo.name() == "r10")
            .unwrap()
            .1;
        assert_eq!(r10.expected, Status::Inaccessible);
        assert_eq!(p.warnings.len(), 1);
    }

    #[test]
    fn text_table_lists_every_phase() {
        let text = plan(Mode::Urgent, &[]).to_text();
        assert!(
            text.starts_with("mode urgent: `urgent` was given as the mode input"),
            "{text}"
        );
        assert!(text.contains("\nTOP (12)\n"));
        assert!(text.contains("\nCRITICAL (2)\n"));
        assert!(text.contains("\nURGENT (10)\n"));
        assert!(
            text.contains("not in this run: 28 repositories (27 need a sync"),
            "{text}"
        );
    }
}
