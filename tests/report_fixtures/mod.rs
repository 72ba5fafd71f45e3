//! Sample runs for the report tests, the headless-Chromium check of the dashboard
//! (`scripts/check-dashboard.sh`, through `examples/report-fixtures.rs`) and demos: the source
//! document's example fleet, an empty and an all-green fleet, a dry run, hostile text and a
//! 10,000-repository run. Test data, so it lives here and not in the shipped library.
//!
//! The outcomes are not written by hand: each fixture is a fleet of facts that goes through the
//! real plan ([`plan::build_plan`]) and the real apply ([`apply::apply`]) against an in-memory
//! GitHub ([`fake_github`]), so every status, detail, error, pull request title and request
//! count is what the product itself produces. Everything is deterministic (fixed dates, a tiny
//! seeded generator, one repository at a time), so rendered output is byte-for-byte stable.

#![allow(dead_code)]

#[path = "fake_github.rs"]
pub mod fake_github;
#[path = "state.rs"]
pub mod state;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use priority_sync::apply::{apply, ApplyContext};
use priority_sync::config::{parse_inventory, Rules, Weights};
use priority_sync::decision::{LiveFacts, UpstreamReach};
use priority_sync::facts::RepoFacts;
use priority_sync::gather::{Gathered, Target};
use priority_sync::github::{GhError, GitHub};
use priority_sync::mode::{Mode, ModeChoice, ModeSource};
use priority_sync::outcome::RunReport;
use priority_sync::plan::build_plan;
use priority_sync::repo_name::RepoName;
use priority_sync::urgency;

pub use fake_github::{Behaviour, FakeGitHub};
pub use state::{all_green_state, large_state, source_example_state};

/// The source document's Top 12, in order.
pub const TOP_12: [&str; 12] = [
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

/// The hostile string the escaping tests look for.
pub const HOSTILE_TAG: &str = "<img src=x onerror=alert(1)>";

/// When the sample runs finish (the source's `last_sync`).
pub fn finished_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 7, 0, 0).unwrap()
}

/// When the sample reports are generated.
pub fn generated_at() -> DateTime<Utc> {
    finished_at() + Duration::seconds(5)
}

/// The urgency inputs of one repository, as a gather would have found them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Urgency {
    pub behind: u32,
    pub ahead: u32,
    pub days: u32,
    pub open_prs: u32,
    pub alerts: u32,
    pub connected: bool,
    pub workflows: bool,
    pub new_prs: u32,
}

impl Urgency {
    /// These inputs as the facts a gather would have found.
    pub fn facts(&self, repo: &RepoName) -> RepoFacts {
        RepoFacts {
            repo: repo.clone(),
            accessible: true,
            archived: false,
            commits_behind: self.behind,
            commits_ahead: self.ahead,
            days_since_last_sync: self.days,
            open_prs: self.open_prs,
            new_prs: self.new_prs,
            security_alerts: self.alerts,
            connected: self.connected,
            has_workflows: self.workflows,
        }
    }

    /// The engine's score, tier and reasons for these inputs (default weights and rules).
    pub fn scored(&self, repo: &RepoName) -> urgency::Urgency {
        urgency::urgency(&self.facts(repo), &Weights::default(), &Rules::default())
    }
}

/// What is special about a repository, beyond its urgency inputs.
#[derive(Debug, Clone, Default)]
pub enum Kind {
    #[default]
    Normal,
    Archived,
    /// Not found, or the token cannot see it.
    Inaccessible,
    /// Its upstream is in another fork network.
    OutsideNetwork,
    /// Its facts could not be read (gather's error).
    Unreadable(String),
    /// An earlier attempt found that merging the upstream conflicts.
    KnownConflict,
}

/// One repository of a fixture fleet.
#[derive(Debug, Clone, Default)]
pub struct Repo {
    pub name: String,
    pub u: Urgency,
    pub kind: Kind,
    pub answers: Behaviour,
}

pub fn repo(name: &str, u: Urgency) -> Repo {
    Repo {
        name: name.to_string(),
        u,
        ..Repo::default()
    }
}

/// A fleet and how it is run.
pub struct Fleet {
    pub top: Vec<Repo>,
    pub rest: Vec<Repo>,
    pub mode: ModeChoice,
    pub force: Vec<String>,
    pub dry_run: bool,
    /// Extra inventory lines (e.g. `limits:`).
    pub inventory_extra: String,
    pub server_url: String,
    pub run_seconds: i64,
}

impl Fleet {
    pub fn new(mode: ModeChoice) -> Self {
        Self {
            top: Vec::new(),
            rest: Vec::new(),
            mode,
            force: Vec::new(),
            dry_run: false,
            inventory_extra: String::new(),
            server_url: "https://github.com".to_string(),
            run_seconds: 252,
        }
    }
}

/// A fixture run and the texts it sent to GitHub.
#[derive(Clone)]
pub struct Built {
    pub run: RunReport,
    /// The plan as the log prints it.
    pub plan_text: String,
    /// (title, body) of every sync pull request opened or edited.
    pub pull_texts: Vec<(String, String)>,
}

pub fn name(s: &str) -> RepoName {
    s.parse().expect("fixture names are valid")
}

fn inventory_yaml(f: &Fleet) -> String {
    let mut y = String::from("top:\n");
    for r in &f.top {
        y.push_str(&format!("  - {}\n", r.name));
    }
    if f.top.is_empty() {
        y = "top: []\n".to_string();
    }
    y.push_str("repositories:\n");
    for r in &f.rest {
        y.push_str(&format!("  - {}\n", r.name));
    }
    if f.rest.is_empty() {
        y.push_str("  []\n");
    }
    // One repository at a time: the run's order, and so the fixtures, never vary.
    y.push_str("limits:\n  concurrency: 1\n");
    y.push_str(&f.inventory_extra);
    y
}

fn gathered(f: &Fleet) -> (Gathered, BTreeMap<RepoName, Behaviour>) {
    let mut g = Gathered::default();
    let mut answers = BTreeMap::new();
    for r in f.top.iter().chain(&f.rest) {
        let repo = name(&r.name);
        let mut facts = r.u.facts(&repo);
        let mut live = LiveFacts {
            can_write_workflows: true,
            ..LiveFacts::default()
        };
        let upstream = name(&format!("upstream-{}/{}", repo.owner(), repo.name()).to_lowercase());
        match &r.kind {
            Kind::Normal => {}
            Kind::Archived => facts.archived = true,
            Kind::Inaccessible => facts = RepoFacts::unknown(repo.clone()),
            Kind::OutsideNetwork => {
                live.upstream =
                    UpstreamReach::OutsideNetwork(format!("mirror-org/{}:main", repo.name()))
            }
            Kind::Unreadable(e) => {
                g.errors.insert(repo.clone(), e.clone());
            }
            Kind::KnownConflict => live.conflicted = true,
        }
        g.targets.insert(
            repo.clone(),
            Target {
                branch: "main".parse().unwrap(),
                head: fake_github::oid(&format!("{repo} head")),
                upstream,
                upstream_branch: "main".parse().unwrap(),
                upstream_head: fake_github::oid(&format!("{repo} upstream")),
            },
        );
        g.facts.insert(repo.clone(), facts);
        g.live.insert(repo.clone(), live);
        answers.insert(repo, r.answers.clone());
    }
    (g, answers)
}

/// Plans and applies the fleet with the product's own code, and reports it like a run does.
pub fn build(f: Fleet) -> Built {
    let n = f.top.len() + f.rest.len();
    let inv = parse_inventory(&inventory_yaml(&f), "fixture.yml").expect("fixture inventory");
    let (g, answers) = gathered(&f);
    let force: Vec<RepoName> = f.force.iter().map(|s| name(s)).collect();
    let plan = build_plan(&inv, &g.facts, &g.live, f.mode.clone(), &force);
    let gh = Arc::new(FakeGitHub::new(&f.server_url, answers));
    let ctx = Arc::new(ApplyContext::new(gh.clone(), Arc::new(inv), &g, f.dry_run));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let repos = runtime.block_on(apply(ctx.clone(), &plan));
    let mut warnings = plan.warnings.clone();
    if let Some(why) = ctx.stop_reason() {
        warnings.push(format!("stopped starting new work: {why}"));
    }
    let stats = gh.stats();
    let behind = g.facts.values().filter(|f| f.commits_behind > 0).count() as u64;
    // Gather's reads are not part of the fixture: counted as a gather of this fleet makes them
    // (one metadata query per 100 repositories plus the ancestry query, a compare for some).
    let mut requests = BTreeMap::new();
    if n > 0 {
        requests.insert("graphql".to_string(), (n as u64).div_ceil(100) + 1);
        requests.insert("compare".to_string(), behind.div_ceil(3));
        requests.insert("writes".to_string(), stats.writes);
        requests.insert("other".to_string(), stats.other + 1);
    }
    let run = RunReport {
        started_at: finished_at() - Duration::seconds(f.run_seconds),
        finished_at: finished_at(),
        mode: f.mode.clone(),
        dry_run: f.dry_run,
        repository: Some("omnigrid/fleet-ops".to_string()),
        server_url: f.server_url.clone(),
        repos,
        warnings,
        requests,
        rate_limit_remaining: (n > 0).then_some(stats.rate_limit_remaining.unwrap_or(0)),
    };
    let pull_texts = gh.pull_texts.lock().unwrap().clone();
    Built {
        run,
        plan_text: plan.to_text(),
        pull_texts,
    }
}

/// A tiny deterministic generator (no dependency, same numbers everywhere).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, below: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(below.max(1))) as u32
    }
}

pub fn schedule(mode: Mode, cron: &str) -> ModeChoice {
    ModeChoice {
        mode,
        source: ModeSource::Schedule {
            cron: cron.to_string(),
        },
    }
}

/// No repositories at all (a fresh inventory): nothing to plan or apply.
pub fn empty_fleet() -> RunReport {
    RunReport {
        started_at: finished_at() - Duration::seconds(252),
        finished_at: finished_at(),
        mode: schedule(Mode::Top12, "0 */2 * * *"),
        dry_run: false,
        repository: Some("omnigrid/fleet-ops".to_string()),
        server_url: "https://github.com".to_string(),
        repos: Vec::new(),
        warnings: Vec::new(),
        requests: BTreeMap::new(),
        rate_limit_remaining: None,
    }
}

/// 12 + 20 repositories, every one in sync after a `top12` run.
pub fn all_green_built() -> Built {
    let mut f = Fleet::new(schedule(Mode::Top12, "0 */2 * * *"));
    let mut rng = Lcg(7);
    for (i, r) in TOP_12.iter().enumerate() {
        let behind = if i % 3 == 0 { 1 + rng.next(6) } else { 0 };
        f.top.push(repo(
            r,
            Urgency {
                behind,
                workflows: true,
                connected: i < 2,
                ..Urgency::default()
            },
        ));
    }
    for i in 0..20 {
        f.rest.push(repo(
            &format!("heyns1000/service-{i:02}"),
            Urgency {
                days: rng.next(3),
                workflows: i % 2 == 0,
                ..Urgency::default()
            },
        ));
    }
    build(f)
}

pub fn all_green() -> RunReport {
    all_green_built().run
}

/// Names for the generated part of the source example's fleet.
const WORDS: [&str; 24] = [
    "atlas", "beacon", "cinder", "delta", "ember", "fjord", "garnet", "harbor", "iris", "juniper",
    "kestrel", "lumen", "meridian", "nimbus", "onyx", "prism", "quartz", "raven", "sierra",
    "tundra", "umbra", "vertex", "willow", "zephyr",
];
const KINDS: [&str; 6] = ["api", "ui", "worker", "sdk", "docs", "infra"];

/// The source document's numbers: 104 repositories, 18 in sync, 4 in progress, 82 pending, 0
/// failed, in an `urgent` run from the 6-hour schedule. One sync PR conflicts, one was already
/// open and is updated.
pub fn source_example_built() -> Built {
    let mut rng = Lcg(104);
    let mut f = Fleet::new(schedule(Mode::Urgent, "0 */6 * * *"));
    // Top 12: 10 in sync (3 fast-forwarded), 2 with sync PRs.
    for (i, r) in TOP_12.iter().enumerate() {
        let u = match i {
            1 | 5 => Urgency {
                behind: 14 + 9 * i as u32,
                ahead: if i == 5 { 1 } else { 0 },
                days: 3,
                open_prs: 2,
                connected: true,
                workflows: true,
                ..Urgency::default()
            },
            0 | 4 | 8 => Urgency {
                behind: 2 + i as u32 / 2,
                days: 1,
                workflows: true,
                connected: i == 0,
                ..Urgency::default()
            },
            _ => Urgency {
                workflows: true,
                ..Urgency::default()
            },
        };
        let mut r = repo(r, u);
        if i == 1 {
            r.answers.open_sync_pr = Some(31);
        }
        if i == 5 {
            r.answers.conflicts = true;
        }
        f.top.push(r);
    }
    // The other 92. The urgent batch of 10: nine stale (tier 1) repositories, eight of them
    // few enough commits behind to fast-forward, and the source's celestial-payroll (611), the
    // highest tier-0 score. The 82 others stay pending.
    let word = |i: usize| {
        format!(
            "heyns1000/{}-{}",
            WORDS[i % WORDS.len()],
            KINDS[(i / WORDS.len()) % KINDS.len()]
        )
    };
    for i in 0..9 {
        f.rest.push(repo(
            &word(i),
            Urgency {
                behind: if i == 4 { 35 } else { 1 + rng.next(10) },
                days: 31 + rng.next(20),
                open_prs: rng.next(3),
                workflows: true,
                connected: i % 3 == 0,
                ..Urgency::default()
            },
        ));
    }
    f.rest.push(repo(
        "heyns1000/celestial-payroll",
        Urgency {
            behind: 50,
            days: 15,
            open_prs: 2,
            connected: true,
            workflows: true,
            ..Urgency::default()
        },
    ));
    f.rest.push(repo(
        "heyns1000/learning-mesh",
        Urgency {
            behind: 5,
            days: 7,
            open_prs: 1,
            workflows: true,
            ..Urgency::default()
        },
    ));
    // The source's cache-manager is 0 behind and 2 days old (score 20); pending needs a commit
    // to sync, so here it is 1 behind and synced today, which scores the same.
    f.rest.push(repo(
        "heyns1000/cache-manager",
        Urgency {
            behind: 1,
            workflows: true,
            ..Urgency::default()
        },
    ));
    let mut i = 9;
    while f.rest.len() < 92 {
        f.rest.push(repo(
            &word(i),
            Urgency {
                behind: 1 + rng.next(30),
                days: 1 + rng.next(30),
                open_prs: rng.next(4),
                connected: rng.next(4) == 0,
                workflows: rng.next(3) > 0,
                new_prs: rng.next(5) / 4,
                ..Urgency::default()
            },
        ));
        i += 1;
    }
    let mut b = build(f);
    b.run.warnings.push(
        "security alerts are unreadable with this token (needs `security_events: read`); \
         scores count them as 0"
            .to_string(),
    );
    b
}

pub fn source_example() -> RunReport {
    source_example_built().run
}

/// A dry run of an `urgent` dispatch: nothing written, the would-be syncs left pending.
pub fn dry_run_built() -> Built {
    let mut f = Fleet::new(ModeChoice {
        mode: Mode::Urgent,
        source: ModeSource::Dispatch,
    });
    f.dry_run = true;
    for (i, r) in TOP_12.iter().take(3).enumerate() {
        f.top.push(repo(
            r,
            Urgency {
                behind: [0, 3, 25][i],
                days: 2,
                workflows: true,
                ..Urgency::default()
            },
        ));
    }
    f.rest.push(repo(
        "heyns1000/learning-mesh",
        Urgency {
            behind: 7,
            days: 12,
            connected: true,
            ..Urgency::default()
        },
    ));
    f.rest.push(repo(
        "heyns1000/echo-nest",
        Urgency {
            behind: 4,
            ahead: 1,
            days: 21,
            ..Urgency::default()
        },
    ));
    let mut b = build(f);
    b.run.requests.remove("writes");
    b
}

pub fn dry_run() -> RunReport {
    dry_run_built().run
}

/// Hostile text everywhere the outside world can put text: pull request links and branch
/// names (and so PR titles), API error messages, reasons, warnings and the cron string.
pub fn hostile_built() -> Built {
    let mut f = Fleet::new(ModeChoice {
        mode: Mode::Top12,
        source: ModeSource::UnknownSchedule {
            cron: format!("*/5 * * * * {HOSTILE_TAG}|`x`"),
        },
    });
    f.server_url = "https://github.com/".to_string();
    let u = Urgency {
        behind: 12,
        days: 4,
        workflows: true,
        ..Urgency::default()
    };
    let mut omnigrid = repo("heyns1000/omnigrid", u);
    omnigrid.answers.pr_url = Some("javascript:alert(document.cookie)".to_string());
    let mut codenest = repo("heyns1000/codenest", Urgency { behind: 3, ..u });
    codenest.answers.fail_write = Some(GhError::Unprocessable(format!(
        "{HOSTILE_TAG}</td></tr><script>alert(1)</script> | col\r\nnext `code` [link](https://evil.test) $x$"
    )));
    let mut hotstack = repo("heyns1000/hotstack", u);
    hotstack.kind = Kind::Unreadable(format!(
        "{}\u{202E}gnp.exe{}",
        "x".repeat(5_000),
        "\u{0}\u{1b}[31m"
    ));
    f.top = vec![omnigrid, codenest, hotstack];
    let mut vault = repo(
        "heyns1000/vault_keys",
        Urgency {
            behind: 80,
            days: 40,
            alerts: 3,
            connected: true,
            workflows: true,
            ..Urgency::default()
        },
    );
    vault.answers.pr_url =
        Some("https://github.com/heyns1000/vault_keys/pull/7?q=\"><x>|y".to_string());
    f.rest.push(vault);
    f.rest.push(repo(
        "heyns1000/learning-mesh",
        Urgency {
            behind: 3,
            days: 2,
            ..Urgency::default()
        },
    ));
    f.rest.push(repo(
        "heyns1000/cache-manager",
        Urgency {
            behind: 1,
            ..Urgency::default()
        },
    ));
    let mut b = build(f);
    let run = &mut b.run;
    // The PR title is ours, made of branch names; make it as hostile as a branch name can get.
    if let Some(pr) = run.repos[0].pull_request.as_mut() {
        pr.title = format!("{HOSTILE_TAG} | sync\nmain ![x](https://evil.test/t.png) @here");
    }
    if let Some(r) = run.repos.iter_mut().find(|r| r.repo.name() == "vault_keys") {
        r.reasons.push(format!("label {HOSTILE_TAG}|x"));
        if let Some(pr) = r.pull_request.as_mut() {
            pr.title = "\"><svg onload=alert(1)> & 'quotes'".to_string();
        }
    }
    run.warnings = vec![
        format!("webhook answered {HOSTILE_TAG}\n| injected | row |"),
        format!("schedule `*/5 * * * * {HOSTILE_TAG}|`x`` is not in `schedules`; running top12"),
    ];
    b
}

pub fn hostile() -> RunReport {
    hostile_built().run
}

/// A 10,000-repository `all` run: every phase, sync PRs (some conflicting), failures,
/// inaccessible and skipped repositories, and the hourly write budget running out.
pub fn large_built(n: usize) -> Built {
    let mut rng = Lcg(10_000);
    let mut f = Fleet::new(schedule(Mode::All, "0 2 * * 0"));
    f.run_seconds = 83 * 60;
    f.inventory_extra = "  writes_per_hour: 500\n".to_string();
    for r in TOP_12 {
        f.top.push(repo(
            r,
            Urgency {
                behind: rng.next(8),
                days: 1,
                workflows: true,
                ..Urgency::default()
            },
        ));
    }
    for i in 0..n.saturating_sub(12) {
        let roll = rng.next(1000);
        let u = Urgency {
            behind: if roll < 700 { 0 } else { rng.next(120) },
            ahead: if roll % 17 == 0 { 1 + rng.next(5) } else { 0 },
            days: rng.next(60),
            open_prs: rng.next(6),
            alerts: u32::from(rng.next(100) == 0) * (1 + rng.next(3)),
            connected: rng.next(5) == 0,
            workflows: rng.next(2) == 0,
            new_prs: rng.next(10) / 8,
        };
        let owner = ["omnigrid-labs", "fleet-east", "fleet-west", "heyns1000"][i % 4];
        let mut r = repo(&format!("{owner}/repo-{i:05}"), u);
        match rng.next(1000) {
            0..=9 => r.kind = Kind::Inaccessible,
            10..=29 => r.kind = Kind::Archived,
            30..=34 => r.kind = Kind::OutsideNetwork,
            35..=79 => {
                r.kind = Kind::Unreadable(format!(
                    "GitHub answered 502: server error reading {owner}/repo-{i:05}"
                ))
            }
            80..=129 => {
                r.answers.fail_write = Some(GhError::Unprocessable(
                    "Reference update failed".to_string(),
                ))
            }
            130..=179 => r.kind = Kind::KnownConflict,
            180..=229 => r.answers.conflicts = true,
            _ => {}
        }
        f.rest.push(r);
    }
    let mut b = build(f);
    b.run.warnings.extend(
        (0..60).map(|i| format!("secondary rate limit hit; waited {} s (retry {i})", 30 + i)),
    );
    b
}

pub fn large(n: usize) -> RunReport {
    large_built(n).run
}

/// [`large_built`] of 10,000 repositories, built once per process (several tests read it).
pub fn large_10k() -> Built {
    static BUILT: std::sync::OnceLock<Built> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| large_built(10_000)).clone()
}

/// Every fixture with a name, for looking at them and for checks over all of them.
pub fn all() -> Vec<(&'static str, Built, priority_sync::state::SyncState)> {
    use priority_sync::state::SyncState;
    let empty = Built {
        run: empty_fleet(),
        plan_text: String::new(),
        pull_texts: Vec::new(),
    };
    vec![
        (
            "source-example",
            source_example_built(),
            source_example_state(),
        ),
        ("empty", empty, SyncState::default()),
        ("all-green", all_green_built(), all_green_state()),
        ("dry-run", dry_run_built(), SyncState::default()),
        ("hostile", hostile_built(), SyncState::default()),
        ("large", large_10k(), large_state(10_000)),
    ]
}
