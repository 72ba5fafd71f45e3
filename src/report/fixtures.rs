//! Sample runs for the report snapshot tests, the headless-Chromium check of the dashboard
//! (`scripts/check-dashboard.sh`) and demos: the source document's example fleet, an empty and
//! an all-green fleet, a dry run, hostile text, and a 10,000-repository run.
//!
//! Everything is deterministic (fixed dates, a tiny seeded generator), so rendered output is
//! byte-for-byte stable.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::config::{Rules, Weights};
use crate::decision::Action;
use crate::facts::RepoFacts;
use crate::mode::{Mode, ModeChoice, ModeSource};
use crate::outcome::{PullRef, RepoOutcome, RunReport, Status};
use crate::plan::PhaseName;
use crate::repo_name::RepoName;
use crate::state::{RepoState, RunRecord, SyncState, STATE_SCHEMA_VERSION};
use crate::urgency;

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

/// The urgency inputs of one repository. They are scored by the engine itself
/// ([`crate::urgency::urgency`] with the default weights and rules), so the reports show the
/// scores, tiers and reasons the product prints.
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

    /// The engine's score, tier and reasons for these inputs.
    pub fn scored(&self, repo: &RepoName) -> urgency::Urgency {
        urgency::urgency(&self.facts(repo), &Weights::default(), &Rules::default())
    }
}

fn name(s: &str) -> RepoName {
    s.parse().expect("fixture names are valid")
}

/// One repository's outcome; `detail`, `action` and the PR follow from `status`.
pub fn outcome(
    repo: &str,
    phase: Option<PhaseName>,
    rank: Option<u32>,
    u: Urgency,
    status: Status,
) -> RepoOutcome {
    let (action, detail) = match status {
        Status::Synced => (
            Action::FastForward,
            if u.behind == 1 {
                "fast-forwarded 1 commit".to_string()
            } else {
                format!("fast-forwarded {} commits", u.behind)
            },
        ),
        Status::UpToDate => (Action::None, "already contains its upstream".to_string()),
        Status::PrOpen => (
            Action::PullRequest,
            if u.ahead > 0 {
                format!("diverged ({} ahead, {} behind): sync PR", u.ahead, u.behind)
            } else {
                format!("{} commits behind: sync PR", u.behind)
            },
        ),
        Status::Failed => (
            Action::FastForward,
            "the fast-forward was refused".to_string(),
        ),
        Status::Skipped => (Action::Skip, "archived".to_string()),
        Status::Inaccessible => (Action::None, "not found or no access".to_string()),
        Status::Pending => (
            if u.behind > 10 || u.ahead > 0 {
                Action::PullRequest
            } else {
                Action::FastForward
            },
            if phase.is_some() {
                "left for the next run (write budget used up)".to_string()
            } else {
                "not in this run's phases".to_string()
            },
        ),
    };
    let repo = name(repo);
    let pull_request = (status == Status::PrOpen).then(|| {
        let number = 40 + (repo.key().len() as u64 * 7) % 60;
        PullRef {
            number,
            url: format!("https://github.com/{repo}/pull/{number}"),
            title: format!("Sync {} with upstream", repo.name()),
            created: number % 2 == 0,
        }
    });
    let error = match status {
        Status::Failed => {
            Some("PATCH /repos/.../git/refs/heads/main: 422 Reference update failed".to_string())
        }
        Status::Inaccessible => Some("404 Not Found".to_string()),
        Status::Skipped => Some("repository is archived".to_string()),
        _ => None,
    };
    let scored = u.scored(&repo);
    RepoOutcome {
        repo,
        phase,
        rank,
        score: scored.score,
        tier: scored.tier,
        reasons: scored.reasons,
        action: if status == Status::UpToDate {
            Action::None
        } else {
            action
        },
        status,
        detail,
        commits_behind: u.behind,
        commits_ahead: u.ahead,
        security_alerts: u.alerts,
        pull_request,
        error,
    }
}

fn run(mode: ModeChoice, repos: Vec<RepoOutcome>) -> RunReport {
    let mut requests = BTreeMap::new();
    let n = repos.len() as u64;
    if n > 0 {
        requests.insert("graphql".to_string(), n.div_ceil(50) + 1);
        requests.insert("compare".to_string(), n);
        let writes = repos
            .iter()
            .filter(|r| matches!(r.status, Status::Synced | Status::PrOpen | Status::Failed))
            .count() as u64;
        requests.insert("writes".to_string(), writes * 2);
        requests.insert("other".to_string(), 3);
    }
    RunReport {
        started_at: finished_at() - Duration::seconds(252),
        finished_at: finished_at(),
        mode,
        dry_run: false,
        repository: Some("omnigrid/fleet-ops".to_string()),
        server_url: "https://github.com".to_string(),
        repos,
        warnings: Vec::new(),
        rate_limit_remaining: (n > 0).then_some(4_200),
        requests,
    }
}

/// A tiny deterministic generator (no dependency, same numbers everywhere).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(below.max(1))) as u32
    }
}

fn schedule(mode: Mode, cron: &str) -> ModeChoice {
    ModeChoice {
        mode,
        source: ModeSource::Schedule {
            cron: cron.to_string(),
        },
    }
}

/// Ranks non-top outcomes with the engine's ranking (SPEC §3: tier, score, name).
fn rank_order(repos: &mut [RepoOutcome]) {
    urgency::rank(repos, |o| (&o.repo, o.tier, o.score));
}

/// No repositories at all (a fresh inventory).
pub fn empty_fleet() -> RunReport {
    run(schedule(Mode::Top12, "0 */2 * * *"), Vec::new())
}

/// 12 + 20 repositories, every one in sync.
pub fn all_green() -> RunReport {
    let mut repos = Vec::new();
    let mut rng = Lcg(7);
    for (i, r) in TOP_12.iter().enumerate() {
        let behind = if i % 3 == 0 { 1 + rng.next(6) } else { 0 };
        let status = if behind > 0 {
            Status::Synced
        } else {
            Status::UpToDate
        };
        let u = Urgency {
            behind,
            workflows: true,
            connected: i < 2,
            ..Urgency::default()
        };
        repos.push(outcome(
            r,
            Some(PhaseName::Top),
            Some(i as u32 + 1),
            u,
            status,
        ));
    }
    let mut rest: Vec<RepoOutcome> = (0..20)
        .map(|i| {
            let u = Urgency {
                days: rng.next(3),
                workflows: i % 2 == 0,
                ..Urgency::default()
            };
            outcome(
                &format!("heyns1000/service-{i:02}"),
                None,
                None,
                u,
                Status::UpToDate,
            )
        })
        .collect();
    rank_order(&mut rest);
    repos.extend(rest);
    run(schedule(Mode::Top12, "0 */2 * * *"), repos)
}

/// Names for the generated part of the source example's fleet.
const WORDS: [&str; 24] = [
    "atlas", "beacon", "cinder", "delta", "ember", "fjord", "garnet", "harbor", "iris", "juniper",
    "kestrel", "lumen", "meridian", "nimbus", "onyx", "prism", "quartz", "raven", "sierra",
    "tundra", "umbra", "vertex", "willow", "zephyr",
];
const KINDS: [&str; 6] = ["api", "ui", "worker", "sdk", "docs", "infra"];

/// The source document's numbers: 104 repositories, 18 synced, 4 in progress, 82 pending, 0
/// failed, in an `urgent` run from the 6-hour schedule.
pub fn source_example() -> RunReport {
    let mut rng = Lcg(104);
    let mut repos = Vec::new();
    // Top 12: 10 in sync (3 fast-forwarded), 2 with sync PRs.
    for (i, r) in TOP_12.iter().enumerate() {
        let (status, u) = match i {
            1 | 5 => (
                Status::PrOpen,
                Urgency {
                    behind: 14 + 9 * i as u32,
                    ahead: if i == 5 { 2 } else { 0 },
                    days: 3,
                    open_prs: 2,
                    connected: true,
                    workflows: true,
                    ..Urgency::default()
                },
            ),
            0 | 4 | 8 => (
                Status::Synced,
                Urgency {
                    behind: 2 + i as u32 / 2,
                    days: 1,
                    workflows: true,
                    connected: i == 0,
                    ..Urgency::default()
                },
            ),
            _ => (
                Status::UpToDate,
                Urgency {
                    workflows: true,
                    ..Urgency::default()
                },
            ),
        };
        repos.push(outcome(
            r,
            Some(PhaseName::Top),
            Some(i as u32 + 1),
            u,
            status,
        ));
    }
    // The other 92. The urgent batch of 10: nine stale (tier 1) repositories, eight of them
    // few enough commits behind to fast-forward, and the source's celestial-payroll (611 without
    // its security alert), the highest tier-0 score. The 82 others stay pending.
    let mut others: Vec<RepoOutcome> = Vec::new();
    let word = |i: usize| {
        format!(
            "heyns1000/{}-{}",
            WORDS[i % WORDS.len()],
            KINDS[(i / WORDS.len()) % KINDS.len()]
        )
    };
    for i in 0..9 {
        let u = Urgency {
            behind: if i == 4 { 35 } else { 1 + rng.next(10) },
            days: 31 + rng.next(20),
            open_prs: rng.next(3),
            workflows: true,
            connected: i % 3 == 0,
            ..Urgency::default()
        };
        let status = if u.behind > 10 {
            Status::PrOpen
        } else {
            Status::Synced
        };
        others.push(outcome(&word(i), Some(PhaseName::Urgent), None, u, status));
    }
    let celestial = Urgency {
        behind: 50,
        days: 15,
        open_prs: 2,
        connected: true,
        workflows: true,
        ..Urgency::default()
    };
    others.push(outcome(
        "heyns1000/celestial-payroll",
        Some(PhaseName::Urgent),
        None,
        celestial,
        Status::PrOpen,
    ));
    let learning_mesh = Urgency {
        behind: 5,
        days: 7,
        open_prs: 1,
        workflows: true,
        ..Urgency::default()
    };
    // The source's cache-manager is 0 behind and 2 days old (score 20); pending needs a commit
    // to sync, so here it is 1 behind and synced today, which scores the same.
    let cache_manager = Urgency {
        behind: 1,
        days: 0,
        workflows: true,
        ..Urgency::default()
    };
    others.push(outcome(
        "heyns1000/learning-mesh",
        None,
        None,
        learning_mesh,
        Status::Pending,
    ));
    others.push(outcome(
        "heyns1000/cache-manager",
        None,
        None,
        cache_manager,
        Status::Pending,
    ));
    let mut i = 9;
    while others.len() < 92 {
        let u = Urgency {
            behind: 1 + rng.next(30),
            days: 1 + rng.next(30),
            open_prs: rng.next(4),
            connected: rng.next(4) == 0,
            workflows: rng.next(3) > 0,
            new_prs: rng.next(5) / 4,
            ..Urgency::default()
        };
        others.push(outcome(&word(i), None, None, u, Status::Pending));
        i += 1;
    }
    rank_order(&mut others);
    for (k, o) in others.iter_mut().take(10).enumerate() {
        assert_eq!(o.phase, Some(PhaseName::Urgent), "fixture ranking drifted");
        o.rank = Some(13 + k as u32);
    }
    repos.extend(others);
    let mut report = run(schedule(Mode::Urgent, "0 */6 * * *"), repos);
    report.warnings = vec![
        "security alerts are unreadable with this token (needs `security_events: read`); \
         scores count them as 0"
            .to_string(),
    ];
    report
}

/// A week of six-hourly runs before the source example, for velocity, ETA and the history chart.
pub fn source_example_state() -> SyncState {
    let mut runs = Vec::new();
    let end = finished_at() - Duration::hours(6);
    let mut in_sync: u32 = 9;
    let mut rng = Lcg(6);
    for k in (0..28).rev() {
        let finished = end - Duration::hours(6 * k);
        let synced = 1 + rng.next(4);
        let drift = rng.next(3);
        in_sync = (in_sync + synced).saturating_sub(drift).clamp(6, 20);
        runs.push(record(finished, Mode::Urgent, 104, in_sync, synced, 3, 0));
    }
    SyncState {
        schema_version: STATE_SCHEMA_VERSION,
        repos: BTreeMap::new(),
        runs,
    }
}

/// A history record with the given counts (the rest pending).
pub fn record(
    finished: DateTime<Utc>,
    mode: Mode,
    total: u32,
    in_sync: u32,
    synced: u32,
    pr_open: u32,
    failed: u32,
) -> RunRecord {
    let mut counts = BTreeMap::new();
    let up_to_date = in_sync.saturating_sub(synced);
    for (s, n) in [
        (Status::Synced, synced.min(in_sync)),
        (Status::UpToDate, up_to_date),
        (Status::PrOpen, pr_open),
        (Status::Failed, failed),
        (
            Status::Pending,
            total.saturating_sub(in_sync + pr_open + failed),
        ),
    ] {
        if n > 0 {
            counts.insert(s, n);
        }
    }
    RunRecord {
        started_at: finished - Duration::minutes(4),
        finished_at: finished,
        mode,
        dry_run: false,
        total,
        counts,
        synced: synced.min(in_sync),
        sync_percentage: if total == 0 {
            100.0
        } else {
            (1000.0 * f64::from(in_sync) / f64::from(total)).round() / 10.0
        },
    }
}

/// History for the all-green fleet: a day of runs climbing to 100 %.
pub fn all_green_state() -> SyncState {
    let runs = (0..12)
        .map(|k| {
            let in_sync = (20 + 2 * k).min(32);
            record(
                finished_at() - Duration::hours(2 * (12 - k as i64)),
                Mode::Top12,
                32,
                in_sync,
                2,
                0,
                0,
            )
        })
        .collect();
    let mut repos = BTreeMap::new();
    for r in TOP_12 {
        repos.insert(
            r.to_ascii_lowercase(),
            RepoState {
                repo: r.to_string(),
                last_in_sync_at: Some(finished_at()),
                last_seen_at: Some(finished_at()),
                last_status: Some(Status::UpToDate),
                ..RepoState::default()
            },
        );
    }
    SyncState {
        schema_version: STATE_SCHEMA_VERSION,
        repos,
        runs,
    }
}

/// A dry run of an `urgent` dispatch: nothing written, the would-be syncs left pending.
pub fn dry_run() -> RunReport {
    let mut repos = Vec::new();
    for (i, r) in TOP_12.iter().take(3).enumerate() {
        let u = Urgency {
            behind: [0, 3, 25][i],
            days: 2,
            workflows: true,
            ..Urgency::default()
        };
        let status = if u.behind == 0 {
            Status::UpToDate
        } else {
            Status::Pending
        };
        let mut o = outcome(r, Some(PhaseName::Top), Some(i as u32 + 1), u, status);
        if status == Status::Pending {
            o.detail = if u.behind > 10 {
                "dry run: would open a sync PR".to_string()
            } else {
                format!("dry run: would fast-forward {} commits", u.behind)
            };
        }
        repos.push(o);
    }
    let u = Urgency {
        behind: 7,
        days: 12,
        connected: true,
        ..Urgency::default()
    };
    let mut o = outcome(
        "heyns1000/learning-mesh",
        Some(PhaseName::Urgent),
        Some(4),
        u,
        Status::Pending,
    );
    o.detail = "dry run: would fast-forward 7 commits".to_string();
    repos.push(o);
    let mut report = run(
        ModeChoice {
            mode: Mode::Urgent,
            source: ModeSource::Dispatch,
        },
        repos,
    );
    report.dry_run = true;
    report.requests.remove("writes");
    report
}

/// Hostile text everywhere the outside world can put text: PR titles and URLs, error
/// messages, reasons, warnings and the cron string.
pub fn hostile() -> RunReport {
    let mut repos = Vec::new();
    let top = [
        ("heyns1000/omnigrid", Status::PrOpen),
        ("heyns1000/codenest", Status::Failed),
        ("heyns1000/hotstack", Status::Inaccessible),
    ];
    for (i, (r, status)) in top.into_iter().enumerate() {
        let u = Urgency {
            behind: 12,
            days: 4,
            workflows: true,
            ..Urgency::default()
        };
        repos.push(outcome(
            r,
            Some(PhaseName::Top),
            Some(i as u32 + 1),
            u,
            status,
        ));
    }
    // PR title with a tag, a pipe and a newline.
    if let Some(pr) = repos[0].pull_request.as_mut() {
        pr.title = format!("{HOSTILE_TAG} | sync\nmain ![x](https://evil.test/t.png) @here");
        pr.url = "javascript:alert(document.cookie)".to_string();
    }
    repos[1].error = Some(format!(
        "422 {HOSTILE_TAG}</td></tr><script>alert(1)</script> | col\r\nnext `code` [link](https://evil.test) $x$"
    ));
    repos[1].detail = "refused: <b>bold</b> **bold** _it_".to_string();
    repos[2].error = Some(format!(
        "{}\u{202E}gnp.exe{}",
        "x".repeat(5_000),
        "\u{0}\u{1b}[31m"
    ));
    let u = Urgency {
        behind: 80,
        days: 40,
        alerts: 3,
        connected: true,
        workflows: true,
        ..Urgency::default()
    };
    let mut critical = outcome(
        "heyns1000/vault_keys",
        Some(PhaseName::Critical),
        Some(4),
        u,
        Status::PrOpen,
    );
    critical.reasons.push(format!("label {HOSTILE_TAG}|x"));
    if let Some(pr) = critical.pull_request.as_mut() {
        pr.title = "\"><svg onload=alert(1)> & 'quotes'".to_string();
        pr.url = "https://github.com/heyns1000/vault_keys/pull/7?q=\"><x>|y".to_string();
    }
    repos.push(critical);
    let u = Urgency {
        behind: 3,
        days: 2,
        ..Urgency::default()
    };
    repos.push(outcome(
        "heyns1000/learning-mesh",
        Some(PhaseName::Urgent),
        Some(5),
        u,
        Status::Synced,
    ));
    repos.push(outcome(
        "heyns1000/cache-manager",
        None,
        None,
        Urgency {
            behind: 1,
            ..Urgency::default()
        },
        Status::Pending,
    ));
    let mut report = run(
        ModeChoice {
            mode: Mode::Top12,
            source: ModeSource::UnknownSchedule {
                cron: format!("*/5 * * * * {HOSTILE_TAG}|`x`"),
            },
        },
        repos,
    );
    report.warnings = vec![
        format!("webhook answered {HOSTILE_TAG}\n| injected | row |"),
        format!("schedule `*/5 * * * * {HOSTILE_TAG}|`x`` is not in `schedules`; running top12"),
    ];
    report.server_url = "https://github.com/".to_string();
    report
}

/// A 10,000-repository `all` run: every phase, hundreds of PRs, failures and pending repos.
pub fn large(n: usize) -> RunReport {
    let mut rng = Lcg(10_000);
    let mut repos = Vec::new();
    for (i, r) in TOP_12.iter().enumerate() {
        let u = Urgency {
            behind: rng.next(8),
            days: 1,
            workflows: true,
            ..Urgency::default()
        };
        let status = if u.behind == 0 {
            Status::UpToDate
        } else {
            Status::Synced
        };
        repos.push(outcome(
            r,
            Some(PhaseName::Top),
            Some(i as u32 + 1),
            u,
            status,
        ));
    }
    let mut others: Vec<RepoOutcome> = (0..n.saturating_sub(12))
        .map(|i| {
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
            let status = match rng.next(1000) {
                _ if u.behind == 0 && u.alerts == 0 => Status::UpToDate,
                0..=39 => Status::Failed,
                40..=49 => Status::Inaccessible,
                50..=69 => Status::Skipped,
                70..=199 => Status::Pending,
                _ if u.behind > 10 || u.ahead > 0 || u.alerts > 0 => Status::PrOpen,
                _ => Status::Synced,
            };
            let owner = ["omnigrid-labs", "fleet-east", "fleet-west", "heyns1000"][i % 4];
            outcome(&format!("{owner}/repo-{i:05}"), None, None, u, status)
        })
        .collect();
    rank_order(&mut others);
    let mut urgent_left = 20;
    for (k, o) in others.iter_mut().enumerate() {
        o.phase = Some(if o.tier == 2 {
            PhaseName::Critical
        } else if urgent_left > 0 {
            urgent_left -= 1;
            PhaseName::Urgent
        } else {
            PhaseName::Rest
        });
        o.rank = Some(13 + k as u32);
        if o.status == Status::Failed {
            o.error = Some(format!(
                "POST /repos/{}/merge-upstream: 409 merge conflict in src/module_{k}.rs; \
                 upstream changed the same lines as a local commit",
                o.repo
            ));
        }
    }
    repos.extend(others);
    let mut report = run(schedule(Mode::All, "0 2 * * 0"), repos);
    report.started_at = finished_at() - Duration::minutes(83);
    report.warnings = (0..60)
        .map(|i| format!("secondary rate limit hit; waited {} s (retry {i})", 30 + i))
        .collect();
    report
}

/// 200 runs of history for the large fleet.
pub fn large_state(n: u32) -> SyncState {
    let runs = (0..200)
        .map(|k| {
            let in_sync = n * 60 / 100 + k * n / 1000;
            record(
                finished_at() - Duration::hours(2 * (200 - i64::from(k))),
                if k % 12 == 0 { Mode::All } else { Mode::Top12 },
                n,
                in_sync.min(n),
                40,
                300,
                100,
            )
        })
        .collect();
    SyncState {
        schema_version: STATE_SCHEMA_VERSION,
        repos: BTreeMap::new(),
        runs,
    }
}
