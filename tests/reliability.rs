//! The fault-injection suite (issue 8): for each fault, a run under the fault, then a clean
//! rerun, then checks against a fault-free reference run of the same fleet: every repository
//! in the state the reference leaves (same branch heads, same sync PRs, same statuses), no
//! duplicate PRs, no lost state entries, and no commit lost on any branch (every branch head
//! from before is an ancestor of the head after). A scenario that changes the fleet itself
//! (a conflicting commit pushed mid-run) states what it expects of the repositories it
//! changed; every other repository is compared with the reference.
//!
//! Every scenario starts from a committed `sync-state.json` holding facts no run here would
//! write again (an old history entry, a repository that left the inventory, old in-sync
//! dates); they must survive the faulted run and the rerun.
//!
//! Each test prints one `FAULTS` line with its figures; docs/reliability.md sums them.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{
    all_refs, assert_converged, assert_state_kept, committed_state, end_state, seed_state,
    sync_prs, Harness, RepoEnd, SeededState,
};
use github_sandbox::{Category, FaultAction, FaultRule, Faults, LogEntry, Sandbox, TokenSpec};

const REPOS: usize = 60;
const SEED: u64 = 11;

/// The fault-free reference run of the suite's fleet, computed once.
struct Reference {
    end: BTreeMap<String, RepoEnd>,
    /// Requests the run made.
    requests: usize,
    /// How many requests came before its first write.
    first_write: usize,
}

fn reference() -> &'static Reference {
    static REF: OnceLock<Reference> = OnceLock::new();
    REF.get_or_init(|| {
        let mut h = Harness::start(REPOS, SEED);
        h.provokes_faults = true;
        beyond_the_ancestry_query(&h);
        seed_state(&h);
        h.sync(&["--mode", "all"]);
        let log = h.sb.log_entries();
        Reference {
            end: end_state(&h),
            requests: log.len(),
            first_write: log.iter().position(is_write).expect("the reference writes"),
        }
    })
}

/// A REST write (GraphQL queries are POSTs too, but read).
fn is_write(e: &LogEntry) -> bool {
    e.method != "GET" && !e.path.ends_with("/graphql")
}

fn ok(e: &LogEntry) -> bool {
    (200..300).contains(&e.status)
}

/// A fresh sandbox with the seeded state, and every branch head before anything runs.
fn setup() -> (Harness, SeededState, BTreeMap<(String, String), String>) {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    beyond_the_ancestry_query(&h);
    let seeded = seed_state(&h);
    let before = all_refs(&h.sb);
    (h, seeded, before)
}

/// Gives every diverged fork more commits of its own than the batched ancestry query reads,
/// so the gather compares them and the scenarios' faults on `/compare/` meet real requests.
fn beyond_the_ancestry_query(h: &Harness) {
    let forks: Vec<(String, String)> =
        h.sb.fleet()
            .repos
            .iter()
            .filter(|r| r.exists && !r.archived && r.ahead > 0)
            .map(|r| (r.full_name.clone(), r.branch.clone()))
            .collect();
    assert!(forks.len() > 3, "the fleet has diverged forks");
    for (fork, branch) in forks {
        for k in 0..=priority_sync::github::ancestry::FORK_DEPTH {
            let text = format!("patch {k}\n");
            h.sb.push_commit(&fork, &branch, "LOCAL.md", &text, "local patch")
                .expect("a fork's branch takes a commit");
        }
    }
}

/// Figures of one scenario, printed for the docs.
struct Figures {
    faults: u64,
    runs: u32,
}

/// Faults the sandbox counted: injected 5xx, dropped connections, rate-limit refusals, and a
/// hostile server's answers (dripped, huge, replaced).
fn injected(sb: &Sandbox) -> u64 {
    let c = sb.counters();
    c.injected_errors + c.dropped + c.rate_limited + c.dripped + c.huge + c.replaced
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

/// Right after a faulted run, before any rerun: nothing it left half-done is harmful (no
/// commit lost, no duplicate sync PR), and the seeded state survived.
fn assert_harmless(
    name: &str,
    h: &Harness,
    before: &BTreeMap<(String, String), String>,
    seeded: &SeededState,
) {
    let under = format!("{name} (under the fault)");
    common::assert_no_commit_lost(&under, h, before);
    common::assert_no_duplicate_sync_prs(&under, h);
    assert_state_kept(&format!("{name} (after the faulted run)"), h, seeded);
}

/// Clean rerun, then every check. `before` are the refs before the faulted run(s);
/// `expected` the end of the repositories the scenario itself changed.
fn converge(
    name: &str,
    h: &Harness,
    before: &BTreeMap<(String, String), String>,
    seeded: &SeededState,
    expected: &BTreeMap<String, RepoEnd>,
    mut figures: Figures,
) {
    assert_harmless(name, h, before, seeded);
    let runs_before = committed_state(h)["runs"].as_array().unwrap().clone();
    figures.faults += injected(&h.sb);
    h.sb.set_faults(Faults::default());
    h.sync(&["--mode", "all"]);
    figures.runs += 1;

    let checked = assert_converged(name, h, &reference().end, expected, before);
    // No lost state entries: the committed state knows every repository of the fleet, keeps
    // the seeded facts and every history entry the faulted run(s) committed, plus the rerun's.
    let state = committed_state(h);
    let known = state["repos"].as_object().unwrap();
    for r in &h.sb.fleet().repos {
        assert!(
            known.contains_key(&r.full_name.to_ascii_lowercase()),
            "{name}: state lost {}",
            r.full_name
        );
    }
    let runs = state["runs"].as_array().unwrap();
    for r in &runs_before {
        assert!(runs.contains(r), "{name}: the rerun lost history entry {r}");
    }
    assert_eq!(
        runs.len(),
        runs_before.len() + 1,
        "{name}: the rerun's entry"
    );
    let facts = assert_state_kept(name, h, seeded);
    eprintln!(
        "FAULTS {name}: faults injected {}, runs {}, repositories checked {}, branches checked {}, state facts checked {facts}, data lost 0, output lines checked {}, lines a runner would execute from outside text 0",
        figures.faults, figures.runs, checked.repos, checked.branches, h.lines_checked(),
    );
}

fn faulted_all_mode(name: &str, faults: Faults, extra: &[(&str, &str)]) {
    let (h, seeded, before) = setup();
    h.sb.set_faults(faults);
    let out = run_all(&h, extra);
    // Under faults the run completes (exit 0) or stops cleanly (exit 1); it never crashes.
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{name}: {:?}\n{}",
        out.status,
        text(&out)
    );
    assert!(injected(&h.sb) > 0, "{name}: no fault was injected");
    converge(
        name,
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 0, runs: 1 },
    );
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
    let (h, seeded, before) = setup();
    // Every batched ancestry query answers 502 (after the client's retries too).
    h.sb.add_fault_rule(
        FaultRule::on("POST", "/graphql", 1_000, FaultAction::Status(502))
            .with_body("query Ancestry"),
    );
    let out = run_all(&h, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = h.sb.log_entries();
    let is_ancestry = |e: &LogEntry| {
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
    for (repo, want) in &reference().end {
        assert_eq!(&end[repo], want, "{repo} differs from the fault-free run");
    }
    converge(
        "ancestry query failing (502)",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
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
    let slow = |method: &str, path: &str, times| {
        FaultRule::on(
            method,
            path,
            times,
            FaultAction::Delay(Duration::from_millis(1500)),
        )
    };
    let (h, seeded, before) = setup();
    h.sb.set_faults(Faults {
        seed: 5,
        rules: vec![
            slow("GET", "/compare/", 6),
            slow("POST", "/pulls", 2),
            slow("POST", "/graphql", 1),
        ],
        ..Faults::default()
    });
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
    let held_back = h.sb.counters().delayed;
    assert_eq!(held_back, 9, "every delay rule was used up");
    converge(
        "timeouts",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures {
            faults: held_back,
            runs: 1,
        },
    );
}

/// A storm of secondary-limit refusals with `retry-after: 1`, answered with `status` (GitHub
/// uses both 403 and 429): every refusal is waited out and retried, nothing fails, and a 403
/// is not mistaken for a token that may not write.
fn secondary_limit_storm(name: &str, status: u16, seed: u64) {
    let (h, seeded, before) = setup();
    h.sb.set_faults(Faults {
        secondary_rate: 0.3,
        secondary_status: status,
        retry_after: 1,
        seed,
        ..Faults::default()
    });
    let started = Instant::now();
    let out = run_all(&h, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let limited = h.sb.counters().rate_limited;
    assert!(limited > 10, "a storm: {limited}");
    // Each refusal said `retry-after: 1`; waiting it out costs at least a second per retry chain.
    assert!(started.elapsed() >= Duration::from_secs(1));
    // Every refused request was sent again later and answered.
    let log = h.sb.log_entries();
    let same = |a: &LogEntry, b: &LogEntry| {
        a.method == b.method && a.path == b.path && a.request == b.request
    };
    let mut refused = 0;
    for (i, e) in log.iter().enumerate() {
        if e.status == status {
            refused += 1;
            assert!(
                log[i + 1..]
                    .iter()
                    .any(|l| same(l, e) && l.status != status),
                "{name}: {} {} was refused and never retried",
                e.method,
                e.path
            );
        }
    }
    assert_eq!(refused, limited, "{name}: every refusal answered {status}");
    // Nothing failed, and the run did not take the refusals for missing permissions.
    let t = text(&out);
    assert!(!t.contains("may not write"), "{t}");
    let progress = h.progress();
    assert!(progress.values().all(|r| r["status"] != "failed"), "{t}");
    assert!(progress.values().all(|r| r["status"] != "pending"), "{t}");
    converge(
        name,
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 0, runs: 1 },
    );
}

#[test]
fn secondary_rate_limit_storm_honours_retry_after() {
    secondary_limit_storm("secondary rate limit storm (429)", 429, 6);
}

#[test]
fn secondary_rate_limit_answered_403_is_honoured_like_429() {
    secondary_limit_storm("secondary rate limit storm (403)", 403, 7);
}

#[test]
fn primary_limit_exhausted_mid_run_leaves_the_rest_pending() {
    let (h, seeded, before) = setup();
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
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 1, runs: 1 },
    );
}

#[test]
fn rate_limits_while_gathering_leave_repositories_pending() {
    let (h, seeded, before) = setup();
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
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 0, runs: 2 },
    );
}

#[test]
fn an_expired_token_stops_before_writing_anything() {
    let (h, seeded, before) = setup();
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
        h.sb.log_entries().iter().all(|e| !is_write(e)),
        "nothing written"
    );
    assert_eq!(all_refs(&h.sb), before);
    converge(
        "expired token (401)",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 1, runs: 1 },
    );
}

/// xorshift64: the suite's seeded choices.
fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

#[test]
fn a_token_revoked_mid_run_stops_the_run() {
    let (mut h, seeded, before) = setup();
    let audit_before = h.audit_head();
    // The token dies after the K-th request: K seeded, after the reference run's first write
    // and before the middle of its remaining requests.
    let r = reference();
    let mut x = 0x5eed_0401_u64;
    let span = ((r.requests - r.first_write) / 2).max(1) as u64;
    let k = r.first_write as u64 + 1 + next(&mut x) % span;
    h.sb.revoke_token_after(&h.token, k);
    let out = run_all(&h, &[]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("GitHub rejected the credentials"), "{t}");
    assert!(t.contains("fix: check the `token` input"), "{t}");
    let log = h.sb.log_entries();
    let first_401 = log
        .iter()
        .position(|e| e.status == 401)
        .expect("the token was refused mid-run");
    assert!(
        log[..first_401].iter().any(|e| is_write(e) && ok(e)),
        "revoked only after the run had written something"
    );
    // The run stops: the sandbox accepted exactly K requests, and after the first refusal no
    // repository is started; only those already in flight (limits.concurrency = 4) sent
    // their next request, and were refused too.
    let refused = log.iter().filter(|e| e.status == 401).count();
    assert_eq!((log.len() - refused) as u64, k, "accepted requests");
    assert!(refused <= 4, "{refused} requests after the token died");
    assert_eq!(h.sb.counters().revoked as usize, refused);
    // No audit commit for a run that could not finish; no artifacts claim it did.
    assert_eq!(h.audit_head(), audit_before);
    assert!(!h.path("audit-out/sync-progress.json").exists());
    // The user renews the token; the next run converges.
    let renewed = "ghp_renewedToken00000000000000000000000";
    h.sb.add_token(TokenSpec::full("renewed", renewed));
    h.token = renewed.to_string();
    converge(
        "token revoked mid-run (401)",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 1, runs: 1 },
    );
}

#[test]
fn a_read_only_token_degrades_to_reporting() {
    let (h, seeded, before) = setup();
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
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 1, runs: 1 },
    );
}

/// Waits until the sandbox has answered (and logged) a request matching `pred`.
fn wait_for(sb: &Sandbox, what: &str, pred: impl Fn(&LogEntry) -> bool) {
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
    let (h, seeded, before) = setup();
    let r = h
        .sb
        .fleet()
        .repos
        .iter()
        .find(|r| r.category == Category::Behind && r.exists && !r.top && r.security_alerts == 0)
        .expect("a fast-forwardable repository")
        .clone();
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
    h.check_output("the run", &out, false);
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
    // Then the whole fleet: the fork keeps its new commit and has exactly one sync PR, at the
    // new upstream head; every other repository ends as in the fault-free run.
    let mut expected = BTreeMap::new();
    expected.insert(
        r.full_name.clone(),
        RepoEnd {
            head: Some(fork_head),
            sync_prs: 1,
            sync_pr_head: Some(upstream_head),
            upstream_prs: 0,
            status: "pr_open".into(),
        },
    );
    converge(
        "conflict between gather and apply",
        &h,
        &before,
        &seeded,
        &expected,
        Figures { faults: 1, runs: 2 },
    );
}

#[test]
fn the_audit_branch_moving_during_the_commit() {
    let (h, seeded, before) = setup();
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
    h.check_output("the run", &out, false);
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
    // The run's history entry is there next to the seeded one.
    assert_eq!(committed_state(&h)["runs"].as_array().unwrap().len(), 2);
    converge(
        "audit branch moved during the commit",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 1, runs: 1 },
    );
}

#[test]
fn two_runs_racing() {
    let (h, seeded, before) = setup();
    let a = spawn(&h, &["--mode", "all", "--artifacts-dir", "race-a"], &[]);
    let b = spawn(&h, &["--mode", "all", "--artifacts-dir", "race-b"], &[]);
    let (oa, ob) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    h.check_output("run a", &oa, false);
    h.check_output("run b", &ob, false);
    assert!(oa.status.success(), "{}", text(&oa));
    assert!(ob.status.success(), "{}", text(&ob));
    // Both runs' history entries survived the race on the audit branch, next to the old one.
    assert_eq!(
        committed_state(&h)["runs"].as_array().unwrap().len(),
        3,
        "the seeded run and both racing runs are in the history"
    );
    converge(
        "two runs racing",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 1, runs: 2 },
    );
}

#[test]
fn killed_at_random_points_then_rerun() {
    let (h, seeded, before) = setup();
    // Six kills: at seeded times spread over a run's life (a run here takes about a second),
    // and every other one right after the run's K-th successful write (K seeded), so some
    // runs die with work half done.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let kills = 6;
    let mut after_a_write = 0;
    for i in 0..kills {
        let from = h.sb.log_entries().len();
        let mut child = spawn(
            &h,
            &["--mode", "all", "--artifacts-dir", "killed"],
            &[("PRIORITY_SYNC_WRITES_PER_MINUTE", "3000")],
        );
        if i % 2 == 0 {
            // Writes left even on a fleet already in sync: the audit commit's tree, commit
            // and ref update.
            let k = 1 + (next(&mut x) % 3) as usize;
            let deadline = Instant::now() + Duration::from_secs(30);
            while child.try_wait().unwrap().is_none()
                && h.sb.log_entries()[from..]
                    .iter()
                    .filter(|e| is_write(e) && ok(e))
                    .count()
                    < k
            {
                assert!(Instant::now() < deadline, "kill {i}: no write");
                std::thread::sleep(Duration::from_millis(2));
            }
        } else {
            std::thread::sleep(Duration::from_millis(30 + next(&mut x) % 900));
        }
        let running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        h.check_output(&format!("killed run {i}"), &out, false);
        let status = out.status;
        // Did the kill land in a run that had already written something?
        let wrote = h.sb.log_entries()[from..]
            .iter()
            .any(|e| is_write(e) && ok(e));
        if running && status.code().is_none() && wrote {
            after_a_write += 1;
        }
    }
    // The request log proves it: at least the first kill hit a run that had written.
    assert!(after_a_write >= 1, "no kill landed after a write");
    eprintln!("KILLS {after_a_write} of {kills} landed after the run's first write");
    converge(
        "killed at random points",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures {
            faults: kills,
            runs: kills as u32,
        },
    );
}

// ------------------------------------------------------- a slow or hostile server (issue 13)

/// Runs `priority-sync run --mode all` (output to files, so a chatty run never blocks on a
/// pipe) and fails the test if it is still running after `limit`: a run that does not end is
/// the bug these scenarios look for, not a slow one.
fn run_all_bounded(h: &Harness, extra: &[(&str, &str)], limit: Duration) -> Output {
    let inv = h.inventory();
    let (out_path, err_path) = (h.path("run.stdout"), h.path("run.stderr"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_priority-sync"));
    cmd.args(["run", "--config", inv.to_str().unwrap()])
        .args(["--mode", "all", "--artifacts-dir", "audit-out"])
        .current_dir(h.dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    for (k, v) in h.env(&h.token) {
        cmd.env(k, v);
    }
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the run was still going after {limit:?}: a slow server held it\n{}{}",
                std::fs::read_to_string(&out_path).unwrap_or_default(),
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = Output {
        status,
        stdout: std::fs::read(&out_path).unwrap(),
        stderr: std::fs::read(&err_path).unwrap(),
    };
    h.check_output("the run", &out, false);
    out
}

/// How long a run under a slow server may go on before the test calls it hung: far more than
/// the deadlines and budgets these scenarios set (a few seconds), far less than a drip takes.
const HUNG: Duration = Duration::from_secs(120);

/// A diverged fork: the gather compares it over REST.
fn diverged(h: &Harness) -> String {
    h.sb.fleet()
        .repos
        .iter()
        .find(|r| r.exists && !r.archived && r.category == Category::Diverged)
        .expect("a diverged fork")
        .full_name
        .clone()
}

/// Finding 3: answers that drip. Compares send their headers, then their body a byte every
/// 100 ms (each read well inside the 1 s timeout, so a per-read timeout never fires); a
/// pull request's answer drips from its status line. Every request has a deadline for the
/// whole exchange (twice the timeout): the dripped ones are abandoned and retried, and the run
/// ends where a fault-free run does.
#[test]
fn answers_that_drip_meet_the_request_deadline() {
    let (h, seeded, before) = setup();
    let every = Duration::from_millis(100);
    h.sb.set_faults(Faults {
        rules: vec![
            FaultRule::on("GET", "/compare/", 3, FaultAction::DripBody { every }),
            FaultRule::on("POST", "/pulls", 1, FaultAction::DripHeaders { every }),
        ],
        ..Faults::default()
    });
    let out = run_all_bounded(&h, &[("PRIORITY_SYNC_TIMEOUT_MS", "1000")], HUNG);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(h.sb.counters().dripped, 4, "every drip rule was used up");
    assert!(text(&out).contains("retried"), "{}", text(&out));
    // The faulted run itself ends where a fault-free run does.
    let end = end_state(&h);
    for (repo, want) in &reference().end {
        assert_eq!(&end[repo], want, "{repo} differs from the fault-free run");
    }
    converge(
        "answers that drip (body and headers)",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 0, runs: 1 },
    );
}

/// Finding 3: the run's time budget. Every fast-forward's answer drips: each one is cut at the
/// request's deadline and retried, so syncing would take minutes; the budget (3 s here,
/// `time_budget_minutes` in a workflow) runs out first. The repositories not done are
/// `pending` with the reason, nothing failed for it, and the run still reports (exit 0) and
/// commits its audit artifacts; the next run picks the rest up.
#[test]
fn a_run_past_its_time_budget_leaves_the_rest_pending_and_commits() {
    let (h, seeded, before) = setup();
    let audit_before = h.audit_head();
    // The fleet's ref updates only: the audit commit's own is not slowed.
    let every = Duration::from_millis(200);
    let rules =
        h.sb.fleet()
            .repos
            .iter()
            .map(|r| {
                let path = format!("/repos/{}/git/refs/heads/", r.full_name);
                FaultRule::on("PATCH", &path, 10_000, FaultAction::DripBody { every })
            })
            .collect();
    h.sb.set_faults(Faults {
        rules,
        ..Faults::default()
    });
    let out = run_all_bounded(
        &h,
        &[
            ("PRIORITY_SYNC_TIMEOUT_MS", "1000"),
            ("PRIORITY_SYNC_TIME_BUDGET_MS", "3000"),
        ],
        HUNG,
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("no new work will start: the run's time budget of 3.0 s (time_budget_minutes) is spent; the rest waits for the next run"),
        "{t}"
    );
    let progress = h.progress();
    assert_eq!(progress.len(), REPOS, "every repository is reported");
    let pending: Vec<&serde_json::Value> = progress
        .values()
        .filter(|r| r["status"] == "pending")
        .collect();
    assert!(pending.len() > 5, "{t}");
    assert!(
        pending
            .iter()
            .any(|r| r["detail"].as_str().unwrap().contains("time budget")),
        "{pending:#?}"
    );
    assert!(progress.values().all(|r| r["status"] != "failed"), "{t}");
    // Reported and committed: one audit commit with this run's history entry.
    assert_eq!(
        h.sb.count_between(&h.sb.repository(), &audit_before, &h.audit_head()),
        1
    );
    assert_eq!(committed_state(&h)["runs"].as_array().unwrap().len(), 2);
    converge(
        "time budget spent (answers dripping)",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 0, runs: 1 },
    );
}

/// A Slack stand-in that accepts the alert, then drips its answer's status line and headers
/// a byte every 200 ms, forever. Returns its URL and how many alerts reached it.
fn dripping_webhook() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let got = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut s = stream;
                let mut buf = [0u8; 65536];
                let mut req = Vec::new();
                while !String::from_utf8_lossy(&req).contains("\"text\"") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let answer = b"HTTP/1.1 200 OK\r\nx-slow: ";
                for b in answer.iter().chain(std::iter::repeat(&b'z')) {
                    if s.write_all(&[*b]).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
        }
    });
    (format!("http://{addr}/services/T0/B0/slow"), got)
}

/// Finding 3: the webhook gets a short deadline. A failure makes the run alert; the webhook
/// accepts and then drips its answer. The run ends (warning that the alert was not sent) with
/// its outputs and summary written, where before it hung after the audit commit.
#[test]
fn a_webhook_that_drips_its_answer_cannot_hold_the_run() {
    let (h, _seeded, _before) = setup();
    let (hook, alerts) = dripping_webhook();
    let victim =
        h.sb.fleet()
            .repos
            .iter()
            .find(|r| r.exists && !r.archived && r.category == Category::Behind)
            .expect("a fork to fast-forward")
            .full_name
            .clone();
    h.sb.add_fault_rule(FaultRule::on(
        "PATCH",
        &format!("/repos/{victim}/git/refs"),
        100,
        FaultAction::Status(502),
    ));
    let (outputs, summary) = (h.path("outputs"), h.path("summary"));
    let out = run_all_bounded(
        &h,
        &[
            ("PRIORITY_SYNC_TIMEOUT_MS", "1000"),
            ("PRIORITY_SYNC_WEBHOOK_URL", &hook),
            ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
        HUNG,
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert_eq!(alerts.load(std::sync::atomic::Ordering::SeqCst), 1, "{t}");
    assert!(
        t.contains("failure alert not sent: the webhook did not answer within 1s"),
        "{t}"
    );
    let outputs = common::parse_outputs(&std::fs::read_to_string(&outputs).unwrap());
    assert_eq!(outputs["failed"], "1", "{outputs:?}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    h.check_text("the job summary", &summary, false);
    assert!(summary.contains(&victim), "{summary}");
    eprintln!(
        "FAULTS slow webhook: faults injected 1, runs 1, output lines checked {}, lines a runner would execute from outside text 0",
        h.lines_checked()
    );
}

/// Finding 4: answers too big to buffer. A diverged fork's compare and the batched ancestry
/// query are each answered with 200 MiB of JSON, streamed without a length. Each request
/// stops reading at its cap (64 MiB; the sandbox counts what it actually sent) and fails
/// cleanly: the ancestry query's forks are compared instead, and the fork whose compare was
/// huge is `failed` with a message saying why. Nothing else is affected.
#[test]
fn a_huge_answer_fails_its_request_cleanly() {
    let (h, seeded, before) = setup();
    let victim = diverged(&h);
    let huge = 200u64 << 20;
    h.sb.set_faults(Faults {
        rules: vec![
            FaultRule::on(
                "GET",
                &format!("/repos/{victim}/compare/"),
                1,
                FaultAction::HugeBody { bytes: huge },
            ),
            FaultRule::on("POST", "/graphql", 1, FaultAction::HugeBody { bytes: huge })
                .with_body("query Ancestry"),
        ],
        ..Faults::default()
    });
    let out = run_all_bounded(&h, &[], HUNG);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let c = h.sb.counters();
    assert_eq!(c.huge, 2, "both huge answers were served");
    // Reading stopped at the cap: the sandbox sent each answer's first 64 MiB, plus what the
    // kernel buffers for a connection the client has stopped reading (up to the largest
    // receive and send buffers it may grow, tcp_rmem and tcp_wmem) and hyper's own buffer;
    // nowhere near the 200 MiB of each answer.
    let cap = 64u64 << 20;
    let slack = socket_buffers() + (8 << 20);
    assert!(
        cap + slack < huge,
        "the check could not tell: {slack} bytes of buffers"
    );
    assert!(
        c.huge_bytes_sent <= 2 * (cap + slack),
        "{} bytes were read (at most {} expected)",
        c.huge_bytes_sent,
        2 * (cap + slack)
    );
    let p = &h.progress()[&victim.to_ascii_lowercase()];
    assert_eq!(p["status"], "failed", "{p}");
    let why = p["error"].as_str().unwrap_or_default();
    assert!(
        why.contains("the answer is larger than 64 MiB") && why.contains("it was not read"),
        "{why}"
    );
    converge(
        "huge answers (200 MiB each)",
        &h,
        &before,
        &seeded,
        &BTreeMap::new(),
        Figures { faults: 0, runs: 1 },
    );
}

/// The most the kernel may buffer on one loopback connection: the largest receive and send
/// buffers TCP autotuning may grow (the third field of tcp_rmem and tcp_wmem); 40 MiB when
/// they cannot be read.
fn socket_buffers() -> u64 {
    let max = |f: &str| {
        std::fs::read_to_string(f)
            .ok()
            .and_then(|t| t.split_whitespace().nth(2)?.parse::<u64>().ok())
    };
    match (
        max("/proc/sys/net/ipv4/tcp_rmem"),
        max("/proc/sys/net/ipv4/tcp_wmem"),
    ) {
        (Some(r), Some(w)) => r + w,
        _ => 40 << 20,
    }
}
