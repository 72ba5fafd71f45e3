//! The fault-injection suite (issue 8): for each fault, a run under the fault, then a clean
//! rerun, then checks against a fault-free reference run of the same fleet: every repository
//! in the state the reference leaves (same branch heads, same sync PRs, same statuses), no
//! duplicate PRs, no lost state entries, and no commit lost on any branch (every branch head
//! from before is an ancestor of the head after).
//!
//! Each test prints one `FAULTS` line with its figures; docs/reliability.md sums them.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{sync_prs, Harness};
use github_sandbox::{Category, FaultAction, FaultRule, Faults, Sandbox};

const REPOS: usize = 60;
const SEED: u64 = 11;

/// What a fault-free run leaves, per repository.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RepoEnd {
    head: Option<String>,
    sync_prs: usize,
    sync_pr_head: Option<String>,
    upstream_prs: usize,
    /// `in_sync` for synced/up_to_date (a rerun reports a fast-forwarded repository as
    /// up to date), else the status.
    status: String,
}

fn end_state(h: &Harness) -> BTreeMap<String, RepoEnd> {
    let progress = h.progress();
    h.sb.fleet()
        .repos
        .iter()
        .map(|r| {
            let prs = sync_prs(&h.sb, r);
            let upstream_prs = r
                .parent
                .as_ref()
                .map(|p| {
                    let owner = p.split('/').next().unwrap();
                    h.sb.open_pulls(&r.full_name)
                        .iter()
                        .filter(|x| x.head == format!("{owner}:{}", r.upstream_branch))
                        .count()
                })
                .unwrap_or(0);
            let st = progress[&r.full_name.to_ascii_lowercase()]["status"]
                .as_str()
                .unwrap();
            let status = if st == "synced" || st == "up_to_date" {
                "in_sync"
            } else {
                st
            };
            (
                r.full_name.clone(),
                RepoEnd {
                    head: h.sb.branch_sha(&r.full_name, &r.branch),
                    sync_prs: prs.len(),
                    sync_pr_head: prs.first().and_then(|p| p.head_sha.clone()),
                    upstream_prs,
                    status: status.to_string(),
                },
            )
        })
        .collect()
}

/// The fault-free reference for the suite's fleet, computed once.
fn reference() -> &'static BTreeMap<String, RepoEnd> {
    static REF: OnceLock<BTreeMap<String, RepoEnd>> = OnceLock::new();
    REF.get_or_init(|| {
        let mut h = Harness::start(REPOS, SEED);
        h.provokes_faults = true;
        h.sync(&["--mode", "all"]);
        end_state(&h)
    })
}

/// Every branch head of every repository (fleet, upstreams, audit).
fn all_refs(sb: &Sandbox) -> BTreeMap<(String, String), String> {
    let mut repos: Vec<String> = sb
        .fleet()
        .repos
        .iter()
        .map(|r| r.full_name.clone())
        .collect();
    repos.extend(sb.fleet().repos.iter().filter_map(|r| r.parent.clone()));
    repos.push(sb.repository());
    repos.sort();
    repos.dedup();
    let mut out = BTreeMap::new();
    for r in repos {
        for b in sb.branches(&r) {
            if let Some(sha) = sb.branch_sha(&r, &b) {
                out.insert((r.clone(), b), sha);
            }
        }
    }
    out
}

/// Figures of one scenario, printed for the docs.
struct Figures {
    faults: u64,
    runs: u32,
}

fn injected(sb: &Sandbox) -> u64 {
    let c = sb.counters();
    c.injected_errors + c.dropped + c.rate_limited
}

fn run_all(h: &Harness, extra: &[(&str, &str)]) -> Output {
    let inv = h.inventory();
    h.run(
        &[
            "run",
            "--config",
            inv.to_str().unwrap(),
            "--mode",
            "all",
            "--artifacts-dir",
            "audit-out",
        ],
        extra,
    )
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Clean rerun, then every check. `before` are the refs before the faulted run(s).
fn converge(
    name: &str,
    h: &Harness,
    before: &BTreeMap<(String, String), String>,
    mut figures: Figures,
) {
    h.sb.set_faults(Faults::default());
    h.sync(&["--mode", "all"]);
    figures.runs += 1;

    // Same end state as the fault-free reference.
    let end = end_state(h);
    let reference = reference();
    assert_eq!(end.len(), reference.len());
    for (repo, want) in reference {
        assert_eq!(
            &end[repo], want,
            "{name}: {repo} differs from the fault-free run"
        );
    }
    // No duplicate PRs anywhere.
    for r in &h.sb.fleet().repos {
        assert!(
            sync_prs(&h.sb, r).len() <= 1,
            "{name}: duplicate sync PRs on {}",
            r.full_name
        );
    }
    // No commit lost on any branch.
    let mut checked = 0;
    for ((repo, branch), old) in before {
        let now =
            h.sb.branch_sha(repo, branch)
                .unwrap_or_else(|| panic!("{name}: {repo}@{branch} vanished"));
        assert!(
            h.sb.is_ancestor(repo, old, &now),
            "{name}: {repo}@{branch} lost {old}"
        );
        checked += 1;
    }
    // No lost state entries: the committed state knows every existing repository.
    let audit = h.audit_head();
    let state: serde_json::Value = serde_json::from_str(
        &h.sb
            .file_text(&h.sb.repository(), &audit, "audit/sync-state.json")
            .unwrap(),
    )
    .unwrap();
    let known = state["repos"].as_object().unwrap();
    for r in &h.sb.fleet().repos {
        assert!(
            known.contains_key(&r.full_name.to_ascii_lowercase()),
            "{name}: state lost {}",
            r.full_name
        );
    }
    figures.faults += injected(&h.sb);
    eprintln!(
        "FAULTS {name}: faults injected {}, runs {}, repositories checked {}, branches checked {checked}, data lost 0",
        figures.faults,
        figures.runs,
        reference.len()
    );
}

fn faulted_all_mode(name: &str, faults: Faults, extra: &[(&str, &str)]) {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    h.sb.set_faults(faults);
    let out = run_all(&h, extra);
    // Under faults the run completes (exit 0) or stops cleanly (exit 1); it never crashes.
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{name}: {:?}\n{}",
        out.status,
        text(&out)
    );
    let faults = injected(&h.sb);
    assert!(faults > 0, "{name}: no fault was injected");
    converge(name, &h, &before, Figures { faults: 0, runs: 1 });
}

#[test]
fn bursts_of_5xx() {
    faulted_all_mode(
        "5xx bursts",
        Faults {
            error_rate: 0.25,
            error_status: 502,
            seed: 3,
            ..Faults::default()
        },
        &[],
    );
}

#[test]
fn the_ancestry_query_failing_falls_back_to_compares() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    // Every batched ancestry query answers 502 (after the client's retries too).
    h.sb.add_fault_rule(
        FaultRule::on("POST", "/graphql", 1_000, FaultAction::Status(502))
            .with_body("query Ancestry"),
    );
    let out = run_all(&h, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = h.sb.log_entries();
    let is_ancestry = |e: &github_sandbox::LogEntry| {
        e.request.as_ref().is_some_and(|r| {
            r["query"]
                .as_str()
                .is_some_and(|q| q.starts_with("query Ancestry"))
        })
    };
    assert!(log.iter().any(|e| is_ancestry(e) && e.status == 502));
    assert!(!log.iter().any(|e| is_ancestry(e) && e.status == 200));
    // The forks it would have settled were compared instead ...
    for r in h.sb.fleet().repos.iter().filter(|r| {
        r.exists
            && !r.archived
            && r.ahead == 0
            && r.behind > 0
            && r.category != Category::ForeignUpstream
    }) {
        let compare = format!("/repos/{}/compare/", r.full_name);
        assert!(
            log.iter()
                .any(|e| e.path.starts_with(&compare) && e.status == 200),
            "{} not compared",
            r.full_name
        );
    }
    // ... so the faulted run itself ends where a fault-free run does.
    let end = end_state(&h);
    for (repo, want) in reference() {
        assert_eq!(&end[repo], want, "{repo} differs from the fault-free run");
    }
    converge(
        "ancestry query failing (502)",
        &h,
        &before,
        Figures { faults: 0, runs: 1 },
    );
}

#[test]
fn dropped_connections() {
    faulted_all_mode(
        "dropped connections",
        Faults {
            drop_rate: 0.15,
            seed: 4,
            ..Faults::default()
        },
        &[],
    );
}

#[test]
fn timeouts() {
    let slow = |path: &str, times| {
        FaultRule::on(
            "GET",
            path,
            times,
            FaultAction::Delay(Duration::from_millis(1500)),
        )
    };
    let mut faults = Faults {
        seed: 5,
        ..Faults::default()
    };
    faults.rules = vec![
        slow("/compare/", 6),
        FaultRule::on(
            "POST",
            "/pulls",
            2,
            FaultAction::Delay(Duration::from_millis(1500)),
        ),
        FaultRule::on(
            "POST",
            "/graphql",
            1,
            FaultAction::Delay(Duration::from_millis(1500)),
        ),
    ];
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    h.sb.set_faults(faults);
    let out = run_all(&h, &[("PRIORITY_SYNC_TIMEOUT_MS", "400")]);
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        text(&out)
    );
    // The held-back answers came after the client gave up: each such request was sent again.
    let log = h.sb.log_entries();
    let compares: Vec<&str> = log
        .iter()
        .filter(|e| e.path.contains("/compare/"))
        .map(|e| e.path.as_str())
        .collect();
    let repeated = compares
        .iter()
        .filter(|p| compares.iter().filter(|q| q == p).count() > 1)
        .count();
    assert!(
        repeated >= 2,
        "no timed-out request was retried:\n{}",
        text(&out)
    );
    assert!(text(&out).contains("retried"), "{}", text(&out));
    converge("timeouts", &h, &before, Figures { faults: 9, runs: 1 });
}

#[test]
fn secondary_rate_limit_storm_honours_retry_after() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    h.sb.set_faults(Faults {
        secondary_rate: 0.3,
        secondary_status: 429,
        retry_after: 1,
        seed: 6,
        ..Faults::default()
    });
    let started = Instant::now();
    let out = run_all(&h, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let limited = h.sb.counters().rate_limited;
    assert!(limited > 10, "a storm: {limited}");
    // Each refusal said `retry-after: 1`; waiting it out costs at least a second per retry chain.
    assert!(started.elapsed() >= Duration::from_secs(1));
    // Nothing failed: every refusal was retried after its wait.
    let progress = h.progress();
    assert!(
        progress.values().all(|r| r["status"] != "failed"),
        "{}",
        text(&out)
    );
    converge(
        "secondary rate limit storm",
        &h,
        &before,
        Figures { faults: 0, runs: 1 },
    );
}

#[test]
fn primary_limit_exhausted_mid_run_leaves_the_rest_pending() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    // 5000 an hour; leave ~140 so the reserve (100) is reached part way through the writes.
    h.sb.set_rate_used(&h.token, "core", 5000 - 140);
    let out = run_all(&h, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let progress = h.progress();
    let pending = progress
        .values()
        .filter(|r| r["status"] == "pending")
        .count();
    assert!(pending > 0, "some work must wait for the next run");
    assert!(
        text(&out).contains("API requests left this hour"),
        "{}",
        text(&out)
    );
    h.sb.set_rate_used(&h.token, "core", 0);
    converge(
        "primary limit exhausted",
        &h,
        &before,
        Figures { faults: 1, runs: 1 },
    );
}

#[test]
fn rate_limits_while_gathering_leave_repositories_pending() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    let fleet = h.sb.fleet().clone();
    let no_failure = |out: &Output| {
        assert_eq!(out.status.code(), Some(0), "{}", text(out));
        let progress = h.progress();
        let failed: Vec<_> = progress
            .values()
            .filter(|r| r["status"] == "failed")
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
        progress
    };

    // Every compare is refused for an hour (longer than the client waits): the forks that
    // need one wait for the next run, with the reason; nothing fails, nothing is alerted.
    h.sb.add_fault_rule(FaultRule::on(
        "GET",
        "/compare/",
        10_000,
        FaultAction::SecondaryLimit {
            status: 403,
            retry_after: 3_600,
        },
    ));
    let out = run_all(&h, &[]);
    let progress = no_failure(&out);
    let diverged: Vec<_> = fleet
        .repos
        .iter()
        .filter(|r| r.exists && !r.archived && r.ahead > 0)
        .filter(|r| r.category != Category::ForeignUpstream)
        .collect();
    assert!(diverged.len() > 3);
    for r in diverged {
        let p = &progress[&r.full_name.to_ascii_lowercase()];
        assert_eq!(p["status"], "pending", "{}: {p}", r.full_name);
        let why = p["detail"].as_str().unwrap();
        assert!(
            why.contains("rate limit") && why.contains("next run"),
            "{}: {why}",
            r.full_name
        );
    }

    // The metadata query out of GraphQL points: every repository waits, in the phases and
    // outside them (top12 plans only a few).
    h.sb.set_faults(Faults::default());
    h.sb.set_rate_used(&h.token, "graphql", 5_000);
    let inv = h.inventory();
    let out = h.run(
        &[
            "run",
            "--config",
            inv.to_str().unwrap(),
            "--mode",
            "top12",
            "--artifacts-dir",
            "audit-out",
        ],
        &[],
    );
    let progress = no_failure(&out);
    assert_eq!(progress.len(), fleet.repos.len());
    for (repo, p) in &progress {
        assert_eq!(p["status"], "pending", "{repo}: {p}");
    }
    h.sb.set_rate_used(&h.token, "graphql", 0);
    converge(
        "rate limits while gathering",
        &h,
        &before,
        Figures { faults: 0, runs: 2 },
    );
}

#[test]
fn an_expired_token_stops_before_writing_anything() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    let out = run_all(
        &h,
        &[("GITHUB_TOKEN", "ghp_expired000000000000000000000000000000")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("GitHub rejected the credentials"),
        "{}",
        text(&out)
    );
    assert!(
        h.sb.log_entries()
            .iter()
            .all(|e| e.method == "GET" || e.path.ends_with("/graphql")),
        "nothing written"
    );
    assert_eq!(all_refs(&h.sb), before);
    converge(
        "expired token (401)",
        &h,
        &before,
        Figures { faults: 1, runs: 1 },
    );
}

#[test]
fn a_read_only_token_degrades_to_reporting() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    let ro = h.sb.token_named("read-only").unwrap();
    let out = run_all(&h, &[("GITHUB_TOKEN", &ro)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("the token may not write"), "{t}");
    assert!(
        t.contains("give it contents and pull requests write access"),
        "{t}"
    );
    assert!(t.contains("were not committed"), "{t}");
    assert_eq!(all_refs(&h.sb), before, "nothing written");
    // It still reports the whole fleet: nothing failed, the work is pending.
    let progress = h.progress();
    assert_eq!(progress.len(), REPOS);
    assert!(progress.values().all(|r| r["status"] != "failed"));
    assert!(progress.values().any(|r| r["status"] == "pending"));
    converge(
        "read-only token (403 on writes)",
        &h,
        &before,
        Figures { faults: 1, runs: 1 },
    );
}

/// Waits until the sandbox has answered (and logged) a request matching `pred`.
fn wait_for(sb: &Sandbox, what: &str, pred: impl Fn(&github_sandbox::LogEntry) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if sb.log_entries().iter().any(&pred) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

fn spawn(h: &Harness, args: &[&str], extra: &[(&str, &str)]) -> std::process::Child {
    let inv = h.inventory();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_priority-sync"));
    cmd.args(["run", "--config", inv.to_str().unwrap()])
        .args(args)
        .current_dir(h.dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in h.env(&h.token) {
        cmd.env(k, v);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

#[test]
fn a_conflict_appearing_between_gather_and_apply() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let r = h
        .sb
        .fleet()
        .repos
        .iter()
        .find(|r| r.category == Category::Behind && r.exists && !r.top && r.security_alerts == 0)
        .expect("a fast-forwardable repository")
        .clone();
    let before = all_refs(&h.sb);
    // The answer that says how far behind the fork is (the batched ancestry query, as the
    // fork is plainly behind) is held back; meanwhile both sides change the same line.
    h.sb.add_fault_rule(FaultRule::on(
        "POST",
        "/graphql",
        10,
        FaultAction::Delay(Duration::from_millis(1200)),
    ));
    let child = spawn(
        &h,
        &["--force", &r.full_name, "--artifacts-dir", "audit-out"],
        &[],
    );
    let (owner, name) = r.full_name.split_once('/').unwrap();
    wait_for(&h.sb, "the ancestry query", |e| {
        e.request.as_ref().is_some_and(|q| {
            q["query"]
                .as_str()
                .is_some_and(|t| t.starts_with("query Ancestry"))
                && q["variables"].as_object().is_some_and(|v| {
                    v.iter().any(|(k, x)| k.starts_with("fo") && x == owner)
                        && v.iter().any(|(k, x)| k.starts_with("fn") && x == name)
                })
        })
    });
    let (fork_head, upstream_head) = h.sb.make_conflict(&r.full_name).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // The fast-forward was refused (the branch moved); the fork's own commit is kept and a
    // sync PR is open instead.
    assert_eq!(
        h.sb.branch_sha(&r.full_name, &r.branch).as_deref(),
        Some(fork_head.as_str())
    );
    let prs = sync_prs(&h.sb, &r);
    assert_eq!(prs.len(), 1, "{prs:?}");
    // The rerun moves the sync branch to the new upstream head and labels the conflict.
    h.sync(&["--force", &r.full_name]);
    let prs = sync_prs(&h.sb, &r);
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].head_sha.as_deref(), Some(upstream_head.as_str()));
    assert!(
        prs[0].labels.iter().any(|l| l == "sync-conflict"),
        "{:?}",
        prs[0].labels
    );
    for ((repo, branch), old) in &before {
        let now = h.sb.branch_sha(repo, branch).unwrap();
        assert!(
            h.sb.is_ancestor(repo, old, &now),
            "{repo}@{branch} lost {old}"
        );
    }
    eprintln!("FAULTS conflict between gather and apply: faults injected 1, runs 2, repositories checked 1, data lost 0");
}

#[test]
fn the_audit_branch_moving_during_the_commit() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let audit = h.sb.repository();
    let branch = h.audit_branch();
    h.sb.add_fault_rule(FaultRule::on(
        "POST",
        &format!("/repos/{audit}/git/trees"),
        1,
        FaultAction::Delay(Duration::from_millis(1200)),
    ));
    let child = spawn(
        &h,
        &["--mode", "top12", "--artifacts-dir", "audit-out"],
        &[],
    );
    wait_for(&h.sb, "the tree", |e| {
        e.method == "POST" && e.path.contains(&format!("/repos/{audit}/git/trees"))
    });
    // Someone else commits to the branch meanwhile.
    let theirs =
        h.sb.push_commit(
            &audit,
            &branch,
            "README.md",
            "edited during the run\n",
            "docs: a human edit",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let head = h.audit_head();
    assert!(
        h.sb.is_ancestor(&audit, &theirs, &head),
        "the human's commit survives"
    );
    assert_eq!(
        h.sb.count_between(&audit, &theirs, &head),
        1,
        "one audit commit on top"
    );
    assert!(
        text(&out).contains("moved while committing"),
        "{}",
        text(&out)
    );
    assert_eq!(
        h.sb.file_text(&audit, &head, "README.md").as_deref(),
        Some("edited during the run\n")
    );
    eprintln!("FAULTS audit branch moved during the commit: faults injected 1, runs 1, repositories checked 1, data lost 0");
}

#[test]
fn two_runs_racing() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    let a = spawn(&h, &["--mode", "all", "--artifacts-dir", "race-a"], &[]);
    let b = spawn(&h, &["--mode", "all", "--artifacts-dir", "race-b"], &[]);
    let (oa, ob) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(oa.status.success(), "{}", text(&oa));
    assert!(ob.status.success(), "{}", text(&ob));
    // Both runs' history entries survived the race on the audit branch.
    let state: serde_json::Value = serde_json::from_str(
        &h.sb
            .file_text(&h.sb.repository(), &h.audit_head(), "audit/sync-state.json")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        state["runs"].as_array().unwrap().len(),
        2,
        "both racing runs are in the history"
    );
    converge(
        "two runs racing",
        &h,
        &before,
        Figures { faults: 1, runs: 2 },
    );
}

#[test]
fn killed_at_random_points_then_rerun() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let before = all_refs(&h.sb);
    // Seeded kill times spread over a run's life (a run here takes about a second).
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let kills = 6;
    for _ in 0..kills {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let after = Duration::from_millis(30 + x % 900);
        let mut child = spawn(
            &h,
            &["--mode", "all", "--artifacts-dir", "killed"],
            &[("PRIORITY_SYNC_WRITES_PER_MINUTE", "3000")],
        );
        std::thread::sleep(after);
        let _ = child.kill();
        let _ = child.wait();
    }
    converge(
        "killed at random points",
        &h,
        &before,
        Figures {
            faults: kills,
            runs: kills as u32,
        },
    );
}
