//! GitHub's limits, end to end against the sandbox's defaults (issue 12, item 5): GraphQL
//! batches sized by GitHub's node and time rules and split after a timeout, every REST
//! endpoint kept under its points a minute, content creation kept under 500 an hour with the
//! audit commit, and a refused write that does not say for how long stopping the run's
//! writes with the rest `pending`. Each test asserts the sandbox answered no secondary-limit
//! refusal where priority-sync paces itself.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{read_json, Harness};
use github_sandbox::{Behaviour, Category, LogEntry, Sandbox};
use priority_sync::github::ancestry;
use priority_sync::github::query_cost::{self, Demand};
use serde_json::Value;

/// `priority-sync snapshot` (a first gather, read-only) with `limits` added to the
/// inventory; returns the snapshot.
fn snapshot(h: &Harness, limits: &str) -> Value {
    let inv = format!("{}\nlimits:\n{limits}", h.sb.inventory_yaml());
    std::fs::write(h.inventory(), inv).unwrap();
    let inv = h.inventory();
    let out = h.run(
        &[
            "snapshot",
            "--out",
            "snapshot.json",
            "--config",
            inv.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "snapshot failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    read_json(&h.path("snapshot.json"))
}

/// The snapshot holds every repository of the fleet with the facts its git says.
fn assert_gathered_completely(sb: &Sandbox, snap: &Value) {
    assert_gathered_with(sb, snap, &BTreeMap::new());
}

/// [`assert_gathered_completely`], for forks given `own` more commits of their own by the test.
fn assert_gathered_with(sb: &Sandbox, snap: &Value, own: &BTreeMap<String, u32>) {
    let by_name: BTreeMap<String, &Value> = snap["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["repo"].as_str().unwrap().to_ascii_lowercase(), r))
        .collect();
    let fleet = &sb.fleet().repos;
    assert_eq!(by_name.len(), fleet.len());
    for r in fleet.iter().filter(|r| r.exists) {
        let s = by_name[&r.full_name.to_ascii_lowercase()];
        assert_eq!(s["accessible"], true, "{}", r.full_name);
        if r.category != Category::ForeignUpstream {
            assert_eq!(s["commits_behind"], r.behind, "{}", r.full_name);
            let ahead = r.ahead + own.get(&r.full_name).copied().unwrap_or(0);
            assert_eq!(s["commits_ahead"], ahead, "{}", r.full_name);
        }
    }
}

/// The GraphQL ancestry documents the sandbox received: how many forks each asked about,
/// what it asked of GitHub, and the status it got.
fn ancestry_documents(log: &[LogEntry]) -> Vec<(usize, Demand, u16)> {
    log.iter()
        .filter(|e| e.path.ends_with("/graphql"))
        .filter_map(|e| {
            let req = e.request.as_ref()?;
            let query = req["query"].as_str()?;
            if !query.starts_with("query Ancestry") {
                return None;
            }
            let forks = req["variables"]
                .as_object()?
                .keys()
                .filter(|k| k.starts_with("uo"))
                .count();
            let demand = query_cost::demand(query, &req["variables"]).unwrap();
            Some((forks, demand, e.status))
        })
        .collect()
}

/// GitHub's node limit and 10 s timeout (the sandbox's defaults; its time is a model of the
/// document, `Behaviour::graphql_us_per_node` and `graphql_us_per_request`): with
/// `limits.graphql_batch: 100`, one ancestry document for all the forks of this fleet would
/// run past 10 s. Sized by the same rules, every document stays under 60 % of it, none
/// times out, and the gather is complete.
#[test]
fn a_batch_too_big_for_github_at_the_configured_size_is_sized_down() {
    let h = Harness::start(150, 3);
    assert_eq!(h.sb.behaviour().graphql_timeout_ms, 10_000);
    let snap = snapshot(&h, "  graphql_batch: 100\n");
    assert_gathered_completely(&h.sb, &snap);
    let docs = ancestry_documents(&h.sb.log_entries());
    let forks: usize = docs.iter().map(|d| d.0).sum();
    // The first batch at the configured size: 100 forks (or all of them).
    let configured = (0..forks.min(100)).fold(Demand::default(), |s, _| s + ancestry::demand());
    assert!(
        configured.millis() > 10_000,
        "{} forks in one document: {} ms under the model, past GitHub's 10 s",
        forks.min(100),
        configured.millis()
    );
    assert!(docs.len() >= 2, "{docs:?}");
    for (n, d, status) in &docs {
        assert_eq!(*status, 200);
        assert!(d.fits(), "{n} forks: {d:?}");
    }
    assert_eq!(h.sb.counters().graphql_timeouts, 0);
    assert_eq!(h.sb.counters().secondary_limited, 0);
}

/// GitHub does not publish how long a node takes: a GitHub slower than the model (here a
/// 4 s budget instead of 10 s) times the default 50-fork ancestry batch out. The batch is
/// sent again as two halves, each once (never the same document twice: since 2025-07-21 a
/// timeout costs points), and the gather is complete and right.
#[test]
fn a_timeout_splits_the_batch_instead_of_sending_it_again() {
    let mut cfg = Harness::config(104, 1);
    cfg.behaviour = Behaviour {
        graphql_timeout_ms: 4_000,
        // GitHub answers after its 10 s; this test needs the answer, not the wait.
        graphql_timeout_answer_ms: 50,
        ..Behaviour::default()
    };
    let mut h = Harness::start_with(cfg);
    h.provokes_faults = true;
    let snap = snapshot(&h, "  graphql_batch: 50\n");
    assert_gathered_completely(&h.sb, &snap);
    let log = h.sb.log_entries();
    let docs = ancestry_documents(&log);
    let timeouts: Vec<_> = docs.iter().filter(|d| d.2 == 504).collect();
    assert_eq!(timeouts.len(), 1, "{docs:?}");
    assert_eq!(h.sb.counters().graphql_timeouts, 1);
    let n = timeouts[0].0;
    // The two halves of the one that timed out were answered.
    let answered: Vec<usize> = docs.iter().filter(|d| d.2 == 200).map(|d| d.0).collect();
    assert!(answered.contains(&(n / 2)), "{docs:?}");
    assert!(answered.contains(&(n - n / 2)), "{docs:?}");
    // No document went twice.
    let bodies: Vec<&Value> = log
        .iter()
        .filter(|e| e.path.ends_with("/graphql"))
        .filter_map(|e| e.request.as_ref())
        .collect();
    for (i, b) in bodies.iter().enumerate() {
        assert!(!bodies[i + 1..].contains(b), "a document was sent twice");
    }
}

/// GitHub's per-endpoint secondary limit, here as an Enterprise Server administrator may set
/// it (15 points a minute; github.com's 900 takes a fleet of thousands to reach, which
/// `fleet-bench` measures). Twenty forks carry more commits of their own than the ancestry
/// query reads, so the first gather compares them: more than fit a minute. priority-sync,
/// told the limit in `limits.endpoint_points_per_minute`, sends what fits 90 % of it and the
/// rest when the window has room. Nothing is refused; the gather is complete.
#[test]
fn compares_stay_under_the_per_endpoint_limit_without_hitting_it() {
    let mut cfg = Harness::config(104, 1);
    cfg.behaviour = Behaviour {
        endpoint_points_per_minute: 15,
        ..Behaviour::default()
    };
    let h = Harness::start_with(cfg);
    let forks: Vec<String> =
        h.sb.fleet()
            .repos
            .iter()
            .filter(|r| r.exists && !r.archived && r.category == Category::Behind)
            .map(|r| r.full_name.clone())
            .take(20)
            .collect();
    assert_eq!(forks.len(), 20);
    for fork in &forks {
        let branch = h.sb.default_branch(fork).unwrap();
        for k in 0..=ancestry::FORK_DEPTH {
            let text = format!("patch {k}\n");
            h.sb.push_commit(fork, &branch, "LOCAL.md", &text, "local patch")
                .unwrap();
        }
    }
    let started = Instant::now();
    let snap = snapshot(&h, "  endpoint_points_per_minute: 15\n");
    let own = (ancestry::FORK_DEPTH + 1) as u32;
    let own: BTreeMap<String, u32> = forks.iter().map(|f| (f.clone(), own)).collect();
    assert_gathered_with(&h.sb, &snap, &own);
    let c = h.sb.counters();
    assert!(
        c.compare > 15,
        "{} compares: more than fit a minute",
        c.compare
    );
    let refused: Vec<String> =
        h.sb.log_entries()
            .iter()
            .filter(|e| e.status == 403 || e.status == 429)
            .map(|e| format!("{} {} {}", e.status, e.method, e.path))
            .collect();
    assert_eq!(c.secondary_limited, 0, "{refused:#?}");
    assert_eq!(c.rate_limited, 0);
    // 13 points a minute (90 % of 15): the rest waited for the window.
    assert!(
        c.compares_peak_minute <= 15 && c.compares_peak_minute < c.compare,
        "at most {} compares within a minute, of {}",
        c.compares_peak_minute,
        c.compare
    );
    assert!(started.elapsed() >= Duration::from_secs(55));
}

/// GitHub's 500 content-creating requests an hour, here lowered to 50 in the sandbox, with
/// `limits.writes_per_hour: 30`: a run that needs more writes stops starting repositories at
/// 30, the ones running finish, the audit commit is made, and all of it stays under 50: no
/// refusal, the rest `pending`.
#[test]
fn a_run_needing_more_writes_than_an_hour_allows_stays_under_the_limit() {
    let mut cfg = Harness::config(60, 4);
    cfg.behaviour = Behaviour {
        content_per_hour: 50,
        ..Behaviour::default()
    };
    let h = Harness::start_with(cfg);
    let inv = format!(
        "{}\nlimits:\n  writes_per_hour: 30\n",
        h.sb.inventory_yaml()
    );
    std::fs::write(h.inventory(), inv).unwrap();
    let head = h.audit_head();
    h.sync(&["--mode", "all"]);
    assert_ne!(h.audit_head(), head, "the audit commit was made");
    let c = h.sb.counters();
    assert!(c.writes <= 50, "{} writes", c.writes);
    assert_eq!(c.secondary_limited, 0);
    let progress = h.progress();
    let pending = progress
        .values()
        .filter(|r| r["status"] == "pending")
        .count();
    assert!(pending > 0, "the fleet needed more than 30 writes");
    assert!(progress.values().all(|r| r["status"] != "failed"));
}

/// GitHub's content-creation refusal often comes without `retry-after` (hivecommons/hive#4674;
/// the sandbox's default): content creation may stay blocked for up to an hour, so no write
/// is sent after it this run. The repositories not done are `pending` (not failed), and the
/// audit commit, made with its own token, says so.
#[test]
fn a_write_refused_without_retry_after_stops_the_runs_writes() {
    let mut cfg = Harness::config(60, 4);
    cfg.behaviour = Behaviour {
        content_per_hour: 6,
        ..Behaviour::default()
    };
    let mut h = Harness::start_with(cfg);
    h.provokes_faults = true;
    let audit_token = h.sb.token_named("no-workflow").unwrap();
    let head = h.audit_head();
    let inv = h.inventory();
    let out = h.run(
        &[
            "run",
            "--config",
            inv.to_str().unwrap(),
            "--artifacts-dir",
            "audit-out",
            "--mode",
            "all",
        ],
        &[("PRIORITY_SYNC_AUDIT_TOKEN", audit_token.as_str())],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_ne!(h.audit_head(), head, "the audit commit was made");
    let refused =
        h.sb.log_entries()
            .iter()
            .filter(|e| e.status == 403 && e.method != "GET")
            .count();
    assert_eq!(refused, 1, "one refusal, then no write was sent");
    assert_eq!(h.sb.counters().secondary_limited, 1);
    let progress = h.progress();
    let failed: Vec<_> = progress
        .iter()
        .filter(|(_, r)| r["status"] == "failed")
        .map(|(n, r)| format!("{n}: {}", r["error"]))
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    let pending: Vec<_> = progress
        .values()
        .filter(|r| r["status"] == "pending")
        .collect();
    assert!(!pending.is_empty());
    assert!(
        pending.iter().any(|r| r["detail"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit")),
        "{pending:?}"
    );
    assert!(stderr.contains("no more writes this run"), "{stderr}");
}
